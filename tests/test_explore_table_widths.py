"""The comparison table's columns fit their longest cell (no "bloc member" for "bloc members").

Streamlit's grid sizes a column to its heading, its first nine rows and its last; the
comparison of customs_union with baseline has "bloc members" second to last, and the
page cut it to "bloc member". The page now gives such a column its width
(:func:`scosim.explore.table_widths.clipped_widths`). Chromium's own measure of the
cells is checked in ``tests/test_explore_browser.py``.
"""

from __future__ import annotations

import json
import shutil
import string
from pathlib import Path

import pandas as pd
import pytest

from scosim.explore.table_widths import CELL_PADDING, clipped_widths, measured_rows, text_width

REPO = Path(__file__).resolve().parents[1]

# Widths in px of these texts in a cell of the page's tables (400 14px "Source Sans"),
# measured in headless Chromium with canvas measureText (the browser test measures
# every cell of a comparison again).
CHROMIUM_PX = {
    "bloc members": 83.6, "outsiders": 54.5, "welfare_change_pct": 118.3,
    "ev_members_usd": 104.3, "percentage points of the year's baseline real expenditure": 328.9,
    "90% CI of the mean (t)": 128.4, "-0.0130 to -0.0077": 103.0, "100%": 32.4,
    "WWWWWWWW": 88.0, "mmmmmmmm": 92.8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ": 206.1,
}


def _compare_like(n_countries: int = 28) -> pd.DataFrame:
    """The shape of customs_union minus baseline: countries first, the EV rows last."""
    rows = [(f"C{i:02d}", "welfare_change_pct") for i in range(n_countries)]
    rows += [("bloc members", "ev_members_usd"), ("outsiders", "ev_outsiders_usd"),
             ("world", "ev_world_usd")]
    return pd.DataFrame(rows, columns=["country", "indicator"])


def test_the_estimate_is_never_below_chromiums_width() -> None:
    for text, px in CHROMIUM_PX.items():
        assert px <= text_width(text) <= 1.25 * px, text
    # Every printable character, one at a time: none is wider than its class says.
    assert all(text_width(c) > 0 for c in string.printable)


def test_a_long_cell_past_the_measured_rows_gets_its_width() -> None:
    widths = clipped_widths(_compare_like())
    # "bloc members" is row 29 of 31: the grid measures rows 1-9 and 31 ("world").
    assert 28 not in measured_rows([text_width(c) for c in _compare_like()["country"]])
    assert widths["country"] >= CHROMIUM_PX["bloc members"] + 2 * CELL_PADDING
    # ev_outsiders_usd is as long as the measured welfare_change_pct, near enough that
    # the estimate cannot tell which is wider: the column gets a width that fits both.
    assert widths["indicator"] >= CHROMIUM_PX["welfare_change_pct"] + 2 * CELL_PADDING


def test_columns_the_grid_measures_in_full_are_left_to_it() -> None:
    # Ten rows or fewer: the grid measures them all (none twice as wide as their mean).
    assert clipped_widths(pd.DataFrame({"country": ["outsiders"] * 9 + ["bloc members"]})) == {}
    assert clipped_widths(pd.DataFrame({"country": ["NPL", "world", "bloc members"]})) == {}
    # But of more than five, one at least twice their mean is not measured: cut short.
    assert "country" in clipped_widths(_compare_like(7))
    # The widest cell among the first nine rows: nothing to do.
    frame = pd.DataFrame({"country": ["bloc members"] + ["outsiders"] * 20,
                          "runs": ["6"] * 21})
    assert clipped_widths(frame) == {}
    # A heading wider than every cell is measured too.
    frame = pd.DataFrame({"a heading wider than its cells": ["x"] * 20 + ["xxxx"]})
    assert clipped_widths(frame) == {}


def test_a_measured_cell_dropped_as_an_outlier_gets_its_width() -> None:
    # The grid drops a sampled cell at least twice the sample's mean width.
    frame = pd.DataFrame({"unit": ["%"] * 8 + ["US$ bn, total of the accounting bloc"] + ["%"]})
    widths = [text_width(c) for c in frame["unit"]]
    assert 8 not in measured_rows(widths)
    assert clipped_widths(frame)["unit"] >= text_width("US$ bn, total of the accounting bloc")


def test_the_page_gives_the_comparison_table_its_widths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """customs_union minus baseline on the page: the country column is as wide as
    "bloc members" (before: no width, and the grid cut it to "bloc member")."""
    testing = pytest.importorskip("streamlit.testing.v1")
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCOSIM_EXPLORE", json.dumps(
        {"scenario": "scenarios/customs_union.yaml", "scenarios_dir": "scenarios",
         "out": "results"}))  # fmt: skip
    app = REPO / "src" / "scosim" / "explore" / "app.py"
    at = testing.AppTest.from_file(str(app), default_timeout=240).run()
    at.number_input(key="customs_union--replications").set_value(3).run()
    at.button(key="compare").click().run()
    assert not at.exception
    table = at.dataframe[0]
    countries = list(table.value["country"])
    assert "bloc members" in countries[-10:-1]  # past the rows the grid measures
    config = json.loads(table.proto.columns)
    assert config["country"]["width"] >= CHROMIUM_PX["bloc members"] + 2 * CELL_PADDING
