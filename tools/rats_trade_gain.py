"""The RATS upgrade's trade gain in a world that does not move (docs/security.md section 11).

The world of ``tests/test_rats_trade_gain.py``: baseline.yaml's economies, 2025-2027,
Afghan instability held at 1.6 times 2018-2022, the base-year trade pattern
(``moving_baseline: false``), efforts at their calibrated fixed point, and a members'
``rats_upgrade`` (Kazakhstan, 2026: the three units, ``intel_gain`` 0.5, contribution
0.005 % of GDP) previewed as the 2026 summit previews it. There the preview's trade gain
is the GE welfare the run realises in 2027 (the test checks it to 1e-12), so this prints
what the vote's economic term counts, without the network (the security slot prices
insecurity itself) and with it (the network's pricing). The expected incidents avoided
are the same in every run; the trade gain and the contribution out of expenditure differ a
little from run to run, with each run's drawn 2025 GDP, so the mean over runs is printed
with the smallest and largest run.

Usage::

    python tools/rats_trade_gain.py                 # Tajikistan, Nepal, India; 10 runs
    python tools/rats_trade_gain.py --economy PAK --economy AFG --runs 40
    python tools/rats_trade_gain.py --haven-share 0   # no groups displaced to havens
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
HEAD = """extends: {baseline}
name: {name}
years: {{start: 2025, end: 2027}}
parameters:
  mechanisms: {mechanisms}
  trade: {{moving_baseline: false, short_run_share: 1.0}}
  security: {{instability: 1.6}}
  council: {{decision_rule: null}}
  rules: {{vote: always_yes}}
"""
UPGRADE = """proposals:
  - type: rats_upgrade
    id: rats_centre
    year: 2026
    proposer: KAZ
    participants: members
    units: [anti_drug, information_security, organized_crime]
    intel_gain: 0.5
    upgrade_cost_share_gdp: 0.00005
"""
#: The slots filled: the security slot alone, and with the corridor network.
SLOTS = {"without the network": "{security: security}",
         "with the network": "{security: security, network: corridor_network}"}


def preview(mechanisms: str, workdir: Path, runs: int,
            haven_share: float | None = None) -> dict[str, np.ndarray]:
    """The 2026 summit's preview of the upgrade: ``info`` arrays ``(R, N)``.

    Args:
        mechanisms: The scenario's ``parameters.mechanisms`` mapping, as YAML.
        workdir: Where the scenario file is written.
        runs: Number of runs ``R`` (runs 0 to R - 1 of the scenario's seed).
        haven_share: The security slot's ``haven_share`` (default: the parameter's).

    Returns:
        ``trade_gain`` (share of real expenditure), ``incidents_avoided`` (expected, a
        year) and ``contribution_share_of_expenditure``, in ECONOMIES order.
    """
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    path = workdir / "rats_trade_gain.yaml"
    text = HEAD.format(baseline=SCENARIOS / "baseline.yaml", name="rats_trade_gain",
                       mechanisms=mechanisms)
    if haven_share is not None:
        text += f"  mechanism_settings: {{security: {{haven_share: {haven_share!r}}}}}\n"
    path.write_text(text + UPGRADE)
    model = SCOModel(load_scenario(path), runs=list(range(runs)))
    model.step()  # 2025; the preview is made at the 2026 summit, as in the run
    arr = model.arrangements[0]
    pv = arr.preview(model, arr.invitees(model))
    keys = ("trade_gain", "incidents_avoided", "contribution_share_of_expenditure")
    return {k: np.asarray(pv.info[k], dtype=float) for k in keys}


def _sig(x: float) -> str:
    # Two significant digits, without exponent: India's gain with the network is -0.0000016.
    return np.format_float_positional(x, precision=2, unique=False, fractional=False,
                                      sign=True, trim="k")


def main(argv: list[str] | None = None) -> int:
    """Print each economy's trade gain, incidents avoided and contribution."""
    from scosim.data.constants import ECONOMIES

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--economy", action="append", choices=ECONOMIES,
                    help="economy to print (repeatable; default TJK, NPL, IND)")
    ap.add_argument("--runs", type=int, default=10, help="runs (default 10)")
    ap.add_argument("--haven-share", type=float, default=None,
                    help="the security slot's haven_share, in [0, 1] (default: the "
                         "parameter's, docs/security.md section 4)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error(f"--runs must be at least 1, got {args.runs}")
    if args.haven_share is not None and not 0 <= args.haven_share <= 1:
        ap.error(f"--haven-share must lie in [0, 1], got {args.haven_share}")
    codes = args.economy or ["TJK", "NPL", "IND"]
    with tempfile.TemporaryDirectory() as tmp:
        out = {label: preview(slots, Path(tmp), args.runs, args.haven_share)
               for label, slots in SLOTS.items()}
    print(f"RATS upgrade at 1.6 times 2018-2022 Afghan instability, previewed at the 2026 "
          f"summit: means of {args.runs} runs (smallest to largest run)")
    print(f"{'economy':8} {'slots':20} {'trade gain %':>34} {'incidents avoided':>18} "
          f"{'contribution % of expenditure':>30}")
    for code in codes:
        i = ECONOMIES.index(code)
        for label, info in out.items():
            g = 100 * info["trade_gain"][:, i]
            span = f"{_sig(g.mean())} ({_sig(g.min())} to {_sig(g.max())})"
            print(f"{code:8} {label:20} {span:>34} "
                  f"{info['incidents_avoided'][:, i].mean():>18.2f} "
                  f"{100 * info['contribution_share_of_expenditure'][:, i].mean():>30.4f}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
