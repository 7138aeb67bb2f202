"""The wording of a run's answer where a new user misread it (fresh clone, 2026-12-07).

A min-CET run said "China takes more than half of the members' gains" beside "members
-6.8"; the Art. XXIV line (3.60 % -> 3.93 %) and the CET line's "all members together"
(3.86 -> 3.98 %) gave two averages without their weights; a union of some members listed
India and Iran, never asked, with "in union 0 %" as if they had said no; and "no state
voted against in any run" stood before a list of states that would have voted no on their
own scores, the votes being fixed by the scenario (always_yes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scosim.bloc_answer import bloc_lines
from scosim.cet_answer import UnionTariffs, cet_lines
from scosim.cli import main
from scosim.indicator_display import percent_of_runs
from scosim.runner import run
from scosim.runstats import RunStats

ROOT = Path(__file__).resolve().parents[1]
BN = 1e9


def _stats(own: dict[str, list[float]], year: int = 2035, before: float = 3.0,
           after: float = 3.5) -> RunStats:
    """Runs of a bloc of the states in ``own`` (their EV per run, US$) and an outsider.

    The members' total and each one's "rest of the bloc" are the sums the GE mechanism
    records (``scosim.model.builtin_mechanisms.explained``), so they add up in every run.
    """
    rows = []
    runs = len(next(iter(own.values())))
    for r in range(runs):
        total = sum(v[r] for v in own.values())
        for c in [*own, "MNG"]:
            inside = c in own
            rows += [(r, year, c, "welfare_change_pct", 0.1 if inside else -0.1),
                     (r, year, c, "member", 1.0),
                     (r, year, c, "in_customs_union", float(inside)),
                     (r, year, c, "ev_members_usd", total),
                     (r, year, c, "ev_outsiders_usd", -2 * BN),
                     (r, year, c, "ev_world_usd", total - 2 * BN),
                     (r, year, c, "union_external_tariff_before_pct", before),
                     (r, year, c, "union_external_tariff_after_pct", after),
                     (r, year, c, "art24_external_tariff_raised", float(after > before)),
                     (r, year, c, "outsiders_loss_exceeds_members_gain", float(2 * BN > total))]
            if inside:
                rows += [(r, year, c, "ev_member_usd", own[c][r]),
                         (r, year, c, "ev_other_members_usd", total - own[c][r])]
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


def _said(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def test_a_dominant_member_of_a_losing_bloc_is_not_said_to_take_the_gains() -> None:
    # China gains 25 while the other two lose 35 together: the members' total is a loss.
    st = _stats({"CHN": [25 * BN, 24 * BN, 26 * BN], "KAZ": [-20 * BN] * 3,
                 "UZB": [-15 * BN] * 3})
    said = _said(bloc_lines(st, 2035, 3))
    assert "members -10.0" in said
    assert "takes more than half of the members' gains" not in said
    assert ("members' total split (China gains while the members together lose; its median "
            "is more than half of the sum of the members' positive medians): China +25.0, "
            f"below zero in {percent_of_runs(0, 3)} % of runs; the other 2 members -35.0, "
            f"below zero in {percent_of_runs(1, 3)} % of runs") in said


def test_a_dominant_member_of_a_gaining_bloc_still_takes_most_of_the_gains() -> None:
    # China +30 of the positive medians' 40 (KAZ +10), the total +35: China's 30 is both
    # more than half of the gains and less than the total, so "more than half" is true.
    st = _stats({"CHN": [30 * BN] * 3, "KAZ": [10 * BN] * 3, "UZB": [-5 * BN] * 3})
    said = _said(bloc_lines(st, 2035, 3))
    assert "members +35.0" in said
    assert ("members' total split (China takes more than half of the members' gains, the "
            "sum of their positive medians): China +30.0, below zero in "
            f"{percent_of_runs(0, 3)} % of runs; the other 2 members +5.0") in said
    assert "more than the members together" not in said


def test_a_member_gaining_more_than_the_bloc_is_not_said_to_take_half() -> None:
    # The shipped union's shape (China +72.5, the members +38.4): China's +70 is twice the
    # members' +35, which "more than half of the members' gains" misstated.
    st = _stats({"CHN": [70 * BN] * 3, "KAZ": [-20 * BN] * 3, "UZB": [-15 * BN] * 3})
    said = _said(bloc_lines(st, 2035, 3))
    assert "members +35.0" in said
    assert "more than half" not in said
    assert ("members' total split: China gains more than the members together (+70.0 "
            f"against +35.0), below zero in {percent_of_runs(0, 3)} % of runs; the other 2 "
            f"members lose 35.0, below zero in {percent_of_runs(1, 3)} % of runs") in said


def test_the_art_xxiv_line_says_its_weights_and_whose_average_it_is() -> None:
    st = _stats({"CHN": [5 * BN] * 2, "KAZ": [1 * BN] * 2}, year=2031, before=3.2,
                after=3.7)
    said = _said(bloc_lines(st, 2031, 2))
    # The year's imports (the run's baseline of that year) over the bloc of that year, a
    # median over runs: the year is the table's, not a fixed 2035.
    assert ("GATT Art. XXIV: members' average external tariff (weighted by 2031 imports "
            "without the union, states in the bloc in 2031): 3.20 % -> 3.70 % (medians over "
            "runs), rose in 100 % of runs.") in said


def test_the_cet_line_says_its_weights_and_states_apart_from_the_art_xxiv_line() -> None:
    st = _stats({"CHN": [5 * BN] * 2, "KAZ": [1 * BN] * 2}, year=2031)
    union = UnionTariffs(pid="cu", rule="weighted_mean", cet=0.05, members=("CHN", "KAZ", "KGZ"),
                         before={"CHN": 0.02, "KAZ": 0.04, "KGZ": 0.04},
                         after={"CHN": 0.04, "KAZ": 0.04, "KGZ": 0.04}, full_year=2029,
                         base_year=2023, year=2031, together=(0.03, 0.04))
    said = _said(cet_lines([union], st, 2031))
    assert ("; all 3 invited states together, on the same 2023 weights (the Art. XXIV line "
            "weighs by 2031 imports over the states in the bloc in each run): 3.00 -> "
            "4.00 %.") in said
    assert "all members together" not in said


@pytest.fixture(scope="module")
def subset_answer(tmp_path_factory) -> str:
    """A union of seven members (India and Iran not asked), every vote always_yes."""
    res = run(ROOT / "scenarios" / "customs_union.yaml", replications=2,
              out=tmp_path_factory.mktemp("sub"), progress=False, plots=False,
              overrides={"parameters.rules.defect": "never_defect",
                         "proposals.sco_cu.participants": ["CHN", "RUS", "KAZ", "KGZ", "TJK",
                                                           "UZB", "PAK"]})
    path = Path(res.path)
    return path.joinpath("summary.txt").read_text() if path.joinpath(
        "summary.txt").exists() else _shown(path)


def _shown(path: Path) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["show", str(path)]) == 0
    return out.getvalue()


def test_members_a_subset_union_never_asked_are_listed_apart(subset_answer: str) -> None:
    lines = subset_answer.splitlines()
    head = next(k for k, x in enumerate(lines) if x.lstrip().startswith("economy  "))
    apart = next(k for k, x in enumerate(lines)
                 if x.startswith("  other SCO members, not invited"))
    others = next(k for k, x in enumerate(lines)
                  if x.startswith("  other economies, largest gains"))
    assert head < apart < others
    table = lines[head + 1:apart]
    assert all(" 100 %" in x.split("%", 1)[1] for x in table)  # every one in the union
    assert not any(c in x for x in table for c in ("IND India", "IRN Iran"))
    below = lines[apart + 1:others]
    assert {x.split()[0] for x in below} == {"IND", "IRN"}
    # Welfare columns only: no "in union" cell to read as a no.
    assert all(x.count("%") == 1 for x in below)
    assert "(in a customs union in no run, no vote)" in lines[apart]


def test_no_vote_against_is_said_with_the_votes_the_scenario_fixed(subset_answer: str) -> None:
    said = " ".join(subset_answer.split())
    assert ("no state voted against in any run: the scenario fixes the votes (always_yes); "
            "on their own scores some would have voted no (below).") in said
    # ... which the paragraph below gives.
    assert said.index("no state voted against") < said.index("On its own score")
