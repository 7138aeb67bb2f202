"""The answer's block for a ``share`` headline indicator (scosim.share_answer).

A plug-in club in force in every run from 2027 to 2035 read "energy_club: share of runs,
most in 2027", as if it fell after, and its nine identical rows were five rows and
"and 4 more: ...".
"""

from __future__ import annotations

import pandas as pd

from scosim.mechanism_answer import HeadlineIndicator, mechanism_lines
from scosim.runstats import RunStats

PARTIES = ["CHN", "IND", "IRN", "KAZ", "KGZ", "PAK", "RUS", "TJK", "UZB"]
DECLARED = {"energy_club": HeadlineIndicator("share", "share of runs", "proposal",
                                             "energy_club")}


def _stats(value) -> RunStats:
    """4 runs, 2025-2035; ``value(run, year, economy)`` is the club's indicator."""
    rows = []
    for r in range(4):
        for year in range(2025, 2036):
            for c in [*PARTIES, "MNG"]:
                rows += [(r, year, c, "member", float(c != "MNG")),
                         (r, year, c, "energy_club", value(r, year, c))]
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


def test_a_share_held_to_the_last_year_says_so_and_identical_rows_are_one():
    lines = mechanism_lines(_stats(lambda r, y, c: float(y >= 2027 and c != "MNG")), DECLARED)
    assert "  energy_club: share of runs, 100 % from 2027 to 2035" in lines
    rows = [x for x in lines if x.startswith("    all ")]
    assert rows and rows[0].split()[:6] == ["all", "9", "economies", "100", "%", "9.00"]
    assert f"      ({' '.join(PARTIES)})" in lines
    assert not any("more:" in x for x in lines)


def test_a_share_that_falls_after_its_peak_names_its_year():
    # In every run in 2027-2030 only: "most in 2027", each economy's row as before.
    lines = mechanism_lines(_stats(lambda r, y, c: float(2027 <= y <= 2030 and c != "MNG")),
                            DECLARED)
    assert "  energy_club: share of runs, most in 2027" in lines


def test_rows_that_differ_are_listed_and_a_steady_peak_is_still_said():
    # KAZ in every run, the others in half of them, from 2027 on.
    lines = mechanism_lines(_stats(lambda r, y, c: float(
        y >= 2027 and c != "MNG" and (c == "KAZ" or r < 2))), DECLARED)
    assert "  energy_club: share of runs, at its most from 2027 to 2035" in lines
    assert not any(x.startswith("    all ") for x in lines)
    assert any(x.split()[:4] == ["KAZ", "Kazakhstan", "100", "%"] for x in lines), lines


def test_members_not_listed_are_counted_with_the_members():
    # Each economy in the club from a later year: rows differ, nine members and Mongolia.
    start = {c: 2025 + k for k, c in enumerate([*PARTIES, "MNG"])}
    lines = mechanism_lines(_stats(lambda r, y, c: float(y >= start[c])), DECLARED)
    # The five longest in it listed; the other four counted with them, not as others.
    assert "    and 4 more members: PAK RUS TJK UZB" in lines, lines
    i = lines.index("    and 4 more members: PAK RUS TJK UZB")
    assert [x.split()[0] for x in lines[i - 5:i]] == PARTIES[:5]
    # Mongolia, in from 2034, has none in the year shown (2033): counted, and under
    # "other economies" (it had followed the members' rows without it).
    assert lines[i + 1:] == ["    other economies:", "    and 1 more: MNG"], lines
