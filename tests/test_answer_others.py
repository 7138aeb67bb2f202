"""Which "other economies" a run's answer lists: those whose median shows a digit at the
table's own decimals (:func:`scosim.answer_digits.welfare_places`), not at two.

corridor_trans_afghan_high's table printed four decimals (members at -0.0003) but listed
only Turkmenistan (-0.0132) among the others: Qatar (+0.0006) and Turkiye (-0.0003) were
left out as rounding to zero at two decimals.
"""

from __future__ import annotations

import re

import pandas as pd

from scosim.answer_digits import welfare_places
from scosim.headline_rows import shown_at
from scosim.run_headline import headline_table, headline_text
from scosim.runstats import RunStats

COLUMNS = ["run", "year", "country", "indicator", "value"]


def _stats(values: dict[str, float], voters: tuple[str, ...]) -> RunStats:
    """Three runs alike of ``values`` in 2030; ``voters`` voted yes (the rows concerned)."""
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", v) for r in range(3)
                        for c, v in values.items()], columns=COLUMNS)
    ev = pd.DataFrame([(r, 2026, "vote", c, "p", True) for r in range(3) for c in voters],
                      columns=["run", "year", "type", "country", "proposal", "yes"])
    return RunStats.from_frames(ind, ev)


def _other_medians(text: str) -> dict[str, str]:
    """The "other economies" rows of the answer: code -> printed median."""
    lines = text.splitlines()
    start = lines.index("  other economies, largest gains and losses:")
    rows = {}
    for line in lines[start + 1:]:
        m = re.match(r"  ([A-Z]{3}) .*?  ([-+]\d\.\d+)  ", line)
        if not m:
            break
        rows[m.group(1)] = m.group(2)
    return rows


def _values(shown: dict[str, str]) -> list[float]:
    return [float(v) for v in shown.values()]


def test_others_are_kept_at_the_table_s_four_decimals() -> None:
    members = {"CHN": -0.00001, "IND": -0.0003, "KAZ": -0.0012, "PAK": -0.0054,
               "TJK": -0.0781}
    others = {"QAT": 0.0006, "TUR": -0.0003, "TKM": -0.0132, "MNG": 0.00002}
    st = _stats({**members, **others}, tuple(members))
    _, listed, *_ = headline_table(st)
    # Before: only TKM (|median| >= 0.005); QAT and TUR print +0.0006 and -0.0003 here.
    assert list(listed.index) == ["QAT", "TUR", "TKM"]
    text = headline_text(st, "t")
    shown = _other_medians(text)
    assert shown == {"QAT": "+0.0006", "TUR": "-0.0003", "TKM": "-0.0132"}, text
    # The table's decimals, from its printed values, are four (IND reads -0.0003)...
    assert welfare_places([*members.values(), *_values(shown)]) == 4
    assert "  IND India" in text and "-0.0003" in text
    # ...and MNG, +0.00002, would print +0.0000 there: left out, as at two decimals.
    assert "MNG" not in text


def test_dropping_a_row_that_rounds_to_zero_can_take_the_table_to_fewer_decimals() -> None:
    """A: 0.0004 shows at the four decimals the table gets with B (0.00001) in it; without
    B (zero there) the table gets three, where A reads +0.000: A goes too, and the
    table, CHN alone, is at two decimals. Listed at three, A would be a signed zero."""
    st = _stats({"CHN": 0.06, "AAA": 0.0004, "BBB": 0.00001}, ("CHN",))
    assert welfare_places([0.06, 0.0004, 0.00001]) == 4  # where the search starts
    assert welfare_places([0.06, 0.0004]) == 3 and not shown_at(0.0004, 3)
    _, listed, *_ = headline_table(st)
    assert listed.empty
    assert "other economies" not in headline_text(st, "t")


def test_a_net_column_counts_in_the_decimals_the_others_are_kept_at() -> None:
    """The table's ``net`` columns are printed beside the welfare ones: their values count
    in its decimals (``beside``), so an other kept is one the printed table shows."""
    st = _stats({"CHN": 0.3, "RUS": 0.2, "QAT": 0.002}, ("CHN", "RUS"))
    # Welfare alone: median of 0.3, 0.2, 0.002 (x3) is 0.2: two decimals, QAT +0.00.
    assert headline_table(st)[1].empty
    # With net values of a thousandth beside every row, the table gets four: QAT shows.
    _, listed, *_ = headline_table(st, beside=lambda year, codes: [0.001] * 9 * len(codes))
    assert list(listed.index) == ["QAT"]


def test_shown_at_is_what_the_table_prints() -> None:
    assert shown_at(-0.0025, 3) and shown_at(-0.0025, 4) and not shown_at(-0.0025, 2)
    assert shown_at(0.00005001, 4) and not shown_at(0.00004, 4)
