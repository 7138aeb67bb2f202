"""The figures docs/network.md gives for a Development Bank in force lending to corridors.

Each case adds a ``development_bank`` (from 2025, on its defaults unless the case says
otherwise) in front of a shipped corridor scenario's proposals, runs one replication to
2028 (every Council vote yes, as the scenario says) and prints, in US$ bn, what the
corridor's payers pay (``corridor_paid_usd``), all payments with the bank less without
it where the bank lends (0 where it does not, the hosts then paying from their budgets;
negative where the members together pay less: the value of the bank's funding below
their cost of funds; the owners' margin on lending at 4.9 % what costs the bank 4.6 %
shows as their negative payments), the expected loss China bears
(``corridor_risk_usd``) and what the bank's board decided (docs/network.md, "The bank's
board"). Every flow is valued at the members' cost of funds, the bank's ``market_rate``
or, with no bank in force, 7 % (docs/network.md, "The hosts' cost of funds"; until
2026-12-06 at 4 %, with the default lender lending at 4 %).

Then ``afghan_corridor.yaml`` with the bank from 2026 at 0, 5 and 15 years of grace:
one run, 2025-2028, every vote yes; the scenario's yearly Afghan instability path kept
for 2025-2028 (the loader refuses a path's years outside the run; the figures are those
of the scenario run whole to 2035, where its path is whole: the corridor's finance is
fixed in the year it enters into force, 2027; checked 2026-12-06). Those are the figures
of docs/network.md's paragraph on the grace years.

Usage::

    PYTHONPATH=src python tools/bank_corridor_figures.py [--board-off] [--set NAME=VALUE ...]

``--board-off`` sets ``board_approval: false`` on the bank (every loan within its limit
is made, as before 2026-12-06). ``--set parameters.network.failure_sensitivity=1`` (or
``failure_base``, ``recovery``: the corridors' failure hazard and recovery,
docs/network.md) runs every case with that value, as ``scosim run --set`` does; the
bank's board then votes on the loan at that hazard too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scosim.model.model import SCOModel  # noqa: E402
from scosim.scenario import load_scenario  # noqa: E402

#: (label, scenario file, Afghan instability or None, bank fields or None for no bank).
CASES: list[tuple[str, str, float | None, dict[str, Any] | None]] = [
    ("INSTC, no bank", "corridor_instc.yaml", None, None),
    ("INSTC, bank on its defaults", "corridor_instc.yaml", None, {}),
    ("INSTC, bank funding at 7 %", "corridor_instc.yaml", None, {"funding_rate": 0.07}),
    ("Trans-Afghan 0.2, no bank", "corridor_trans_afghan_low.yaml", 0.2, None),
    ("Trans-Afghan 0.2, bank on its defaults", "corridor_trans_afghan_low.yaml", 0.2, {}),
    ("Trans-Afghan 0.2, bank funding at 7 %", "corridor_trans_afghan_low.yaml", 0.2,
     {"funding_rate": 0.07}),
    ("Trans-Afghan 0.8, no bank", "corridor_trans_afghan_low.yaml", 0.8, None),
    ("Trans-Afghan 0.8, bank on its defaults", "corridor_trans_afghan_low.yaml", 0.8, {}),
    ("Trans-Afghan 0.8, bank funding at 7 %", "corridor_trans_afghan_low.yaml", 0.8,
     {"funding_rate": 0.07}),
]
SHOW = ("CHN", "IND", "RUS", "IRN", "AFG", "PAK", "UZB")


#: Fields every bank of a case gets (``--board-off``).
EXTRA: dict[str, Any] = {}
#: Scenario overrides every case gets (``--set``: the failure hazard and recovery).
SETS: dict[str, Any] = {}
#: What ``--set`` may name: the hazard every corridor reads, whoever lends.
HAZARD = ("parameters.network.failure_base", "parameters.network.failure_sensitivity",
          "parameters.network.recovery")


def run(scenario: str, instability: float | None, bank: dict[str, Any] | None,
        start: int = 2025) -> tuple[SCOModel, Any]:
    """One run to 2028 of ``scenario`` with ``bank`` in front of its proposals."""
    path = ROOT / "scenarios" / scenario
    base = load_scenario(path)
    props = [p.model_dump(exclude_none=True) for p in base.proposals]
    if bank is not None:
        props.insert(0, {"type": "development_bank", "id": "bank", "year": start,
                         "proposer": "CHN", **EXTRA, **bank})
    # The --set values first: an error names them as typed (<override>:1 the first).
    over: dict[str, Any] = {**SETS, "replications": 1, "years": {"start": 2025, "end": 2028},
                            "proposals": props}
    if instability is not None:
        over["parameters.network.instability"] = {"AFG": instability}
    table = base.parameters.model_dump().get("security", {}).get("instability")
    if isinstance(table, dict):  # a yearly path: the years run here only
        over["parameters.security.instability"] = {y: v for y, v in table.items()
                                                   if 2025 <= int(y) <= 2028}
    m = SCOModel(load_scenario(path, overrides=over))
    m.run_model()
    corridor = next(a for a in m.arrangements if a.name == "corridor")
    return m, corridor


def main() -> None:
    """Print each case's payments, subsidy, China's expected loss and the board's record."""
    alone: dict[tuple[str, float | None], float] = {}
    for label, scenario, inst, bank in CASES:
        m, arr = run(scenario, inst, bank)
        paid = arr.paid[0] / 1e9
        total = float(paid.sum())
        if bank is None:
            alone[(scenario, inst)] = total
        chn = m.codes.index("CHN")
        # Where the board rejected the loan, the capital share that voted yes.
        board = sorted({(e["type"], e.get("bank"), round(float(e.get("board_yes", "nan")), 4))
                        for e in m.log.records() if str(e["type"]).startswith("bank_loan")})
        # No loan from the bank (its hosts pay from their budgets): no subsidy, whatever
        # the budget's payments are against the default lender's.
        subsidy = total - alone[(scenario, inst)] if not board else 0.0
        shown = ", ".join(f"{c} {paid[m.codes.index(c)]:.3f}" for c in SHOW
                          if c in m.codes and abs(paid[m.codes.index(c)]) > 5e-4)
        print(f"{label}: paid {total:.3f} ({shown}); with the bank less without {subsidy:.3f}; "
              f"China's expected loss {arr.risk[0, chn] / 1e9:.3f}; "
              f"board: {board or 'approved' if bank is not None else '-'}")
    for grace in (0, 5, 15):
        m, arr = run("afghan_corridor.yaml", None, {"grace_years": grace}, start=2026)
        afg, chn = m.codes.index("AFG"), m.codes.index("CHN")
        board = sorted({(e["type"], round(float(e.get("board_yes", "nan")), 4))
                        for e in m.log.records() if str(e["type"]).startswith("bank_loan")})
        print(f"afghan_corridor, bank from 2026, grace {grace}: Afghanistan pays "
              f"{arr.paid[0, afg] / 1e9:.3f}, China bears {arr.risk[0, chn] / 1e9:.3f}; "
              f"board: {board or 'approved'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board-off", action="store_true",
                        help="board_approval: false on the bank")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="the corridors' failure hazard or recovery, one of "
                        + ", ".join(HAZARD))
    args = parser.parse_args()
    if args.board_off:
        EXTRA["board_approval"] = False
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if name not in HAZARD or number is None:
            parser.error(f"--set {item!r}: write NAME=NUMBER with NAME one of "
                         f"{', '.join(HAZARD)}")
        SETS[name] = number
    np.set_printoptions(precision=3)
    from scosim.cli_errors import run_command
    from scosim.scenario import ScenarioError  # noqa: E402

    try:
        raise SystemExit(run_command(main))
    except ScenarioError as exc:  # a value --set cannot take: said as scosim run says it
        sys.exit(f"bank_corridor_figures: error: {exc}")
