"""The explorer's reproduce folder is one per edit of the policy (seed and replications too).

Until 2026-12-07 the commands that reproduce a comparison wrote to
``reproduce/<policy>_vs_<baseline>`` whatever the page's edits: a second edited comparison
of one scenario wrote its runs beside the first's, and its ``scosim compare`` by name took
whichever run was the latest. The folder now carries each side's short scenario hash.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from scosim.explore.session import View, compare_command
from scosim.run_stop import run_id
from scosim.scenario import scenario_hash

ROOT = Path(__file__).resolve().parents[1]
CU = str(ROOT / "scenarios" / "customs_union.yaml")
BASE = View(str(ROOT / "scenarios" / "baseline.yaml"), out="results")


def _folder(policy: View) -> str:
    """The --out of every command reproducing the comparison of ``policy`` with the baseline."""
    lines = compare_command(policy, BASE, policy.load(), "baseline").splitlines()
    outs = {shlex.split(line)[shlex.split(line).index("--out") + 1] for line in lines}
    assert len(lines) == 3 and len(outs) == 1, lines
    return outs.pop()


def test_two_edits_of_one_scenario_get_two_folders_and_one_edit_one() -> None:
    sigma4 = View(CU, overrides={"parameters.trade.sigma": 4.0}, replications=4, out="results")
    sigma45 = View(CU, overrides={"parameters.trade.sigma": 4.5}, replications=4, out="results")
    assert _folder(sigma4) != _folder(sigma45)
    # The same edit, made again (a new View, the same values): the same folder.
    assert _folder(sigma4) == _folder(View(CU, overrides={"parameters.trade.sigma": 4.0},
                                           replications=4, out="results"))
    # Another seed or number of runs is another ensemble, of the baseline too.
    folders = {_folder(sigma4), _folder(View(CU, overrides={"parameters.trade.sigma": 4.0},
                                             replications=4, seed=7, out="results")),
               _folder(View(CU, overrides={"parameters.trade.sigma": 4.0},
                            replications=5, out="results"))}
    assert len(folders) == 3


def test_the_folder_names_the_scenarios_and_the_hashes_of_their_run_ids() -> None:
    policy = View(CU, overrides={"parameters.trade.sigma": 4.0}, replications=4, out="results")
    sc = policy.load()
    base = View(BASE.scenario, seed=sc.seed, replications=4).load()
    # The hash part of the run ids the two commands write (scosim.run_stop.run_id).
    pol_id, base_id = (run_id("2026-12-07T00:00:00+00:00", scenario_hash(s), s.seed, 4)
                       for s in (sc, base))
    assert _folder(policy) == (f"results/reproduce/customs_union-{pol_id.split('-')[1]}"
                               f"_vs_baseline-{base_id.split('-')[1]}")
