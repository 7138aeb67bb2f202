"""An answer table's numbers show a digit: decimals by the values, zeros named, rows folded.

An outside review found corridor_trans_afghan_high's who-gains table at "-0.00  -0.00 to
+0.00" in 8 of 11 member rows (``scosim compare``: -0.000002 to -0.00647), a finance
table's "IND India  0  0 to 0  4.23", "1.56 to 3.6" beside "0.007 to 0.0363", and
corridor_energy's six members at "0.00  0.00 to 0.00  0.0 %", twice. Each expected string
here is written from the inputs (numpy's percentiles, Python's own formatting), not copied
from the code's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.answer_digits import is_zero_row, rounded_note, sig3, welfare_places
from scosim.mechanism_answer import HeadlineIndicator, mechanism_lines
from scosim.run_headline import headline_text
from scosim.runstats import RunStats
from scosim.tty_lines import ANSWER_WIDTH

COLS = ["run", "year", "country", "indicator", "value"]


def _welfare(values: dict[str, list[float]], members: tuple[str, ...] = ("CHN", "KAZ", "RUS")
             ) -> RunStats:
    """Runs of 2030 welfare changes, ``values[code][run]``; no vote (no vote column)."""
    rows = []
    for code, by_run in values.items():
        for r, v in enumerate(by_run):
            rows += [(r, 2030, code, "welfare_change_pct", v),
                     (r, 2030, code, "member", float(code in members))]
    return RunStats.from_frames(pd.DataFrame(rows, columns=COLS))


def _row(text: str, label: str) -> list[str]:
    return next(x for x in text.splitlines() if x.strip().startswith(label)).split()


@pytest.mark.parametrize(("scale", "places"), [(0.5, 2), (0.02, 3), (0.002, 4), (2e-6, 4)])
def test_the_table_s_decimals_follow_the_size_of_its_values(scale: float, places: int) -> None:
    """Two decimals from a median size of 0.05 (the README's), three from 0.005, else four."""
    runs = [1.0, 2.0, 3.0, 4.0]
    text = headline_text(_welfare({"CHN": [scale * k for k in runs],
                                   "KAZ": [-scale] * 4, "RUS": [-2 * scale] * 4}), "t (seed 1)")
    chn = [scale * k for k in runs]
    low, high = np.percentile(chn, [5, 95])
    assert _row(text, "CHN China")[2:6] == [f"{np.median(chn):+.{places}f}",
                                           f"{low:+.{places}f}", "to", f"{high:+.{places}f}"]
    assert _row(text, "KAZ Kazakhstan")[2] == f"{-scale:+.{places}f}"
    assert max(map(len, text.splitlines())) <= ANSWER_WIDTH


def test_most_non_zero_values_show_a_digit() -> None:
    """Over value sets spread across five orders of magnitude (fixed seed), the places
    chosen show a significant digit for at least half the non-zero values, and never
    more than four decimals nor fewer than two."""
    rng = np.random.default_rng(20261207)
    shares = []
    for _ in range(200):
        values = 10 ** rng.uniform(-6, 0.5, size=rng.integers(3, 40)) * rng.choice([-1, 1])
        p = welfare_places(values)
        assert 2 <= p <= 4
        shows = np.abs(np.round(values, p)) > 0
        if np.median(np.abs(values)) >= 0.0005:  # above the cap's reach
            # every value from the median up shows a digit, and down to a tenth of it
            assert shows.mean() >= 0.5, (p, np.median(np.abs(values)))
            shares.append(shows.mean())
    # and on average well over half, though these sets span 6.5 orders of magnitude
    assert np.mean(shares) > 0.6


def test_customs_union_sized_values_keep_two_decimals() -> None:
    """Tenths of a percent with a few hundredths among them (customs_union's table)."""
    assert welfare_places([0.15, 0.13, 0.18, 0.05, 0.03, -0.02, -0.04, 0.02, -0.36, -0.47,
                           -0.31, -0.01, 0.48]) == 2
    assert welfare_places([]) == 2 and welfare_places([0.0, float("nan")]) == 2


def test_a_signed_zero_is_explained_under_the_table_and_only_then() -> None:
    tiny = _welfare({"CHN": [0.4, 0.5, 0.6, 0.7], "KAZ": [-1e-5] * 4, "RUS": [0.3] * 4})
    text = " ".join(headline_text(tiny, "t (seed 1)").split())
    assert _row(headline_text(tiny, "t (seed 1)"), "KAZ Kazakhstan")[2] == "-0.00"
    assert "-0.00: a loss smaller than 0.005 %" in text
    assert "+0.00:" not in text  # no gain rounds to zero
    plain = _welfare({"CHN": [0.4, 0.5, 0.6, 0.7], "KAZ": [-0.2] * 4, "RUS": [0.3] * 4})
    assert "smaller than" not in headline_text(plain, "t (seed 1)")


def test_rounded_note_names_each_sign_that_occurs() -> None:
    assert rounded_note(["-0.000", "-0.000 to +0.000"], 3) == (
        "-0.000: a loss smaller than 0.0005 %; +0.000: a gain smaller than 0.0005 %")
    assert rounded_note(["+0.0000"], 4) == "+0.0000: a gain smaller than 0.00005 %"
    assert rounded_note(["0.00", "-0.01 to +0.02"], 2) is None


def test_rows_zero_in_every_column_are_folded_into_one_line() -> None:
    """corridor_energy: six members with no change in any run printed six rows, twice."""
    st = _welfare({"CHN": [0.0] * 4, "KAZ": [0.4, 0.5, 0.6, 0.7], "RUS": [0.0] * 4,
                   "IRN": [0.0] * 4, "PAK": [-1e-5] * 4},
                  members=("CHN", "KAZ", "RUS", "IRN", "PAK"))
    lines = headline_text(st, "t (seed 1)").splitlines()
    folded = [x for x in lines if x.startswith("  no change in any run: ")]
    assert len(folded) == 1 and sorted(folded[0].split(": ")[1].split()) == ["CHN", "IRN", "RUS"]
    assert not [x for x in lines if x.strip().startswith(("CHN China", "RUS Russian"))]
    assert _row("\n".join(lines), "PAK Pakistan")[2] == "-0.00"  # a loss, too small: kept


@pytest.mark.parametrize(("cells", "zero"), [
    (["0.00", "0.00 to 0.00", "0 %"], True), (["0.0000", "0.0000 to 0.0000", "0 %", ""], True),
    (["-0.00", "0.00 to 0.00", "0 %"], False), (["0.00", "0.00 to 0.00", "100 %"], False),
    (["0.00", "0.00 to 0.00", "0 %", "did not vote"], False), ([], False)])
def test_what_counts_as_a_row_of_zeros(cells: list[str], zero: bool) -> None:
    assert is_zero_row(cells) is zero


@pytest.mark.parametrize(("value", "shown"), [
    (3.6, "3.60"), (0.0363, "0.0363"), (0.007, "0.00700"), (0.000123, "0.000123"),
    (9.996, "10.0"), (99.96, "100"), (45.2, "45.2"), (-0.5, "-0.500"), (2048.4, "2,048"),
    (1e-12, "0")])
def test_amounts_have_three_significant_figures_with_trailing_zeros(value: float,
                                                                    shown: str) -> None:
    assert sig3(value) == shown


def test_a_year_with_none_in_any_run_says_none_beside_the_total() -> None:
    """finance_crisis: "IND India  0  0 to 0  4.23" -> "none", the total kept."""
    rows = []
    for r in range(4):
        for year in (2030, 2031):
            rows += [(r, year, "KAZ", "member", 1.0), (r, year, "IND", "member", 1.0),
                     (r, year, "KAZ", "cost_usd", 1e9 * (r + 1) * (year - 2029)),
                     # IND pays only in 2030: none in 2031, the members' peak (5.0 > 3.5)
                     (r, year, "IND", "cost_usd", 1e9 if year == 2030 else 0.0)]
    st = RunStats.from_frames(pd.DataFrame(rows, columns=COLS))
    lines = mechanism_lines(st, {"cost_usd": HeadlineIndicator("total", "US$", "", "road")})
    ind = _row("\n".join(lines), "IND India")
    assert ind[2:] == ["none", "1.00"]  # no "0 to 0"; the 2030-2031 total, 1 bn
    kaz = _row("\n".join(lines), "KAZ Kazakhstan")
    low, high = np.percentile([2, 4, 6, 8], [5, 95])
    assert kaz[2:] == ["5.00", f"{low:#.3g}", "to", f"{high:#.3g}", "7.50"]


@pytest.mark.parametrize("value", [0.000123, 0.0244, 0.0999, 0.9996, 3.3, 9.996, 41.1, 99.9])
def test_sig3_places_are_the_decimals_of_three_significant_figures(value: float) -> None:
    """Python's own ``.3g`` (which counts significant figures) against sig3_places: the
    same digits, and the count sig3 writes (the bloc totals share it)."""
    from scosim.answer_digits import sig3_places

    shown = f"{float(f'{value:.3g}'):.{sig3_places(value)}f}"
    assert float(shown) == float(f"{value:.3g}")
    assert len(shown.replace(".", "").lstrip("0")) == 3, shown
    assert sig3(value) == shown


@pytest.mark.parametrize(("value", "table", "places"),
                         [(0.064, 2, 2), (-0.027, 2, 2), (0.0022, 2, 3), (0.0022, 4, 4),
                          (0.00004, 2, 4), (0.0, 2, 2), (float("nan"), 3, 3)])
def test_a_figure_beside_a_table_takes_its_decimals_unless_it_would_read_zero(
        value: float, table: int, places: int) -> None:
    from scosim.answer_digits import places_shown

    assert places_shown(value, table) == places
