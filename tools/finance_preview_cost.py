"""CPU time of one vote ensemble of the banking union, from a run's balance sheets.

Usage: python tools/finance_preview_cost.py [--year 2027] [--runs 4] [--repeat 3]

Steps runs 0 to ``--runs`` - 1 of ``scenarios/finance_crisis_union.yaml`` to the summit of
``--year`` (each alone) and times :func:`scosim.finance.union_value.union_value` from each
run's balance sheets ``--repeat`` times (``time.process_time``, 200 draws, the union's
members as in the shipped proposal). Prints the median and the minimum. docs/finance.md
(section 6, "The same numbers on every machine") quotes it, before and after the clearing's
solves were written out.
"""

from __future__ import annotations

import argparse
import time
from types import SimpleNamespace

import numpy as np

from scosim.finance.proposals import BankingUnion
from scosim.finance.spec import participant_codes
from scosim.finance.union_value import union_value
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario


def main() -> None:
    """Print the median and minimum CPU time of an ensemble."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    sc = load_scenario("scenarios/finance_crisis_union.yaml",
                       overrides={"proposals.0.year": a.year})
    prop = sc.proposals[0]
    apply = BankingUnion.apply.__get__(SimpleNamespace(proposal=prop))
    took = []
    for run in range(a.runs):
        m = SCOModel(sc, runs=[run])
        while m.running and m.year < a.year:
            m.step()
        mech = next(x for slot, x in m.mechanisms if slot == "finance")
        mask = np.isin(mech.fs.codes, participant_codes(prop.participants))

        def levers(R: int, union: bool, mech: object = mech, mask: np.ndarray = mask) -> object:
            pol = SimpleNamespace(levers={})
            if union:
                apply(pol, np.broadcast_to(mask, (R, len(mask))).copy(), np.ones(R),
                      np.ones(R, bool))
            return mech.levers(pol, R)

        for _ in range(a.repeat):
            t = time.process_time()
            union_value(mech.fs, lambda R: levers(R, False), lambda R: levers(R, True),
                        seed=5, lag=1, state=mech.state)
            took.append(time.process_time() - t)
    print(f"one ensemble from a run's {a.year} balance sheets: median {np.median(took):.3f} s "
          f"of CPU, minimum {min(took):.3f} s ({len(took)} timings: {a.runs} runs x "
          f"{a.repeat})")


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
