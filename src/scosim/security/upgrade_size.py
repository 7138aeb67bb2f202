"""How large RATS's effect is in the model: against RATS's own activity figures, and by assumption.

The pooling returns ``k_pool`` and the incident semi-elasticity ``beta`` are assumptions
(docs/security.md section 10), so the size of today's RATS and of the upgrade is too. This
module computes, from the model's own functions at today's customary efforts (no draws):

* the member incidents a year today's RATS averts (members' expected incidents with no
  pooling less those with today's), to set beside RATS's reported activity (ANCHORS.md:
  "more than 550 terrorist crimes prevented" over three years to 2017, and 960 crimes
  suppressed in 2013-2019);
* the upgrade's effect at the shipped scenarios' 2035 Afghan instability (2.5): member
  incidents avoided, Pakistan's, and the fall of Pakistan's insecurity rise on the network's
  scale, through which the upgrade gives Tajikistan and Turkmenistan back part of their
  trade-cost loss in ``afghan_corridor_rats.yaml``;
* all of it over a grid of ``k_pool`` (scaled) and ``beta``.

Usage::

    python -m scosim.security.upgrade_size
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from scosim.security.model import SecurityState, SecuritySystem, insecurity_index
from scosim.security.params import SecurityParams

__all__ = ["RATS_REPORTED_PER_YEAR", "SCENARIO_INSTABILITY", "UPGRADE_LEVELS", "main",
           "rats_effects", "sensitivity_rows"]

#: RATS's reported activity a year (ANCHORS.md, "RATS activity"): 550 crimes prevented in
#: the three years to 2017, and 960 crimes suppressed in 2013-2019 (seven years).
RATS_REPORTED_PER_YEAR: dict[str, float] = {"2015-2017": 550 / 3, "2013-2019": 960 / 7}
#: ``afghan_instability.yaml`` / ``afghan_corridor.yaml``: Afghan instability in 2035.
SCENARIO_INSTABILITY: float = 2.5
#: Pooling levels of the shipped upgrade (intel_gain 0.5, anti-drug, information-security
#: and organised-crime units): ``proposal.rats_levels`` from today's (1, 0, 0).
UPGRADE_LEVELS: tuple[float, float, float] = (1.0 + 0.5 + 0.25 * 0.5, 1.0, 1.0)
#: The grid of :func:`sensitivity_rows`: scale on every ``k_pool``, and ``beta``.
K_POOL_SCALES: tuple[float, ...] = (0.5, 1.0, 1.5)
BETAS: tuple[float, ...] = (1.0, 2.0, 3.0)


def rats_effects(params: SecurityParams | None = None,
                 instability: float = SCENARIO_INSTABILITY) -> dict[str, float]:
    """Today's RATS and the upgrade in expected incidents, at today's customary efforts.

    Args:
        params: Block parameters (default :class:`SecurityParams`); the calibrated base
            rates stay the 2018-2022 rates at today's RATS, whatever ``k_pool`` and ``beta``.
        instability: Afghan instability at which the upgrade is measured.

    Returns:
        ``today_averted``: member incidents a year today's RATS averts at instability 1;
        ``upgrade_members`` and ``upgrade_pak``: member and Pakistani incidents a year the
        upgrade avoids at ``instability``; ``upgrade_pak_rise``: the fall of Pakistan's
        insecurity rise (the network's instability on Pakistani edges) it gives there;
        ``members_today``: member incidents a year at instability 1, today's RATS.
    """
    system = SecuritySystem(params=params or SecurityParams())
    st = system.baseline_state(1)
    members = system.cal.members
    pak = system.codes.index("PAK")
    none = system.with_rats(st, [0.0, 0.0, 0.0])
    up = system.with_rats(st, UPGRADE_LEVELS)

    def lam(state: SecurityState, inst: float) -> np.ndarray:
        return system.expected_incidents(state, state.efforts, inst)[0]

    today1, none1 = lam(st, 1.0), lam(none, 1.0)
    base, upg = lam(st, instability), lam(up, instability)
    half = system.params.incidents_half
    rise = insecurity_index(base, half) - insecurity_index(upg, half)
    return {
        "members_today": float(today1[members].sum()),
        "today_averted": float((none1 - today1)[members].sum()),
        "upgrade_members": float((base - upg)[members].sum()),
        "upgrade_pak": float(base[pak] - upg[pak]),
        "upgrade_pak_rise": float(rise[pak]),
    }


def sensitivity_rows(k_pool_scales: Sequence[float] = K_POOL_SCALES,
                     betas: Sequence[float] = BETAS) -> list[dict[str, str]]:
    """The table of docs/security.md section 6: :func:`rats_effects` over the grid.

    The last column is Pakistan's rise fall over the default's: Tajikistan's and
    Turkmenistan's give-back ("an eighth and a tenth") comes through Pakistani edges and
    scales about with it (small cost changes are near linear in the GE).
    """
    default = SecurityParams()
    ref = rats_effects(default)["upgrade_pak_rise"]
    rows = []
    for scale in k_pool_scales:
        for beta in betas:
            p = replace(default, k_pool=tuple(scale * k for k in default.k_pool), beta=beta)
            r = rats_effects(p)
            rows.append({
                "k_pool": ", ".join(f"{scale * k:g}" for k in default.k_pool),
                "beta": f"{beta:g}",
                "today's RATS averts, members a year": f"{r['today_averted']:.0f}",
                "upgrade avoids, members a year (2.5)": f"{r['upgrade_members']:.0f}",
                "upgrade avoids, Pakistan (2.5)": f"{r['upgrade_pak']:.1f}",
                "Pakistan's rise fall, x default": f"{r['upgrade_pak_rise'] / ref:.2f}",
            })
    return rows


def _markdown(rows: list[dict[str, str]]) -> str:
    from scosim.security.validation import markdown

    return markdown(rows, list(rows[0]))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the check against RATS's reported activity and the sensitivity table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args(argv)
    r = rats_effects()
    reported = ", ".join(f"{v:.0f} a year ({k})" for k, v in RATS_REPORTED_PER_YEAR.items())
    print(f"Members' expected incidents a year at instability 1, today's RATS: "
          f"{r['members_today']:.1f}")
    print(f"Today's RATS averts {r['today_averted']:.1f} member incidents a year; RATS reports "
          f"{reported} crimes prevented or suppressed")
    print(f"The upgrade avoids {r['upgrade_members']:.1f} member incidents a year at "
          f"instability {SCENARIO_INSTABILITY:g} (Pakistan {r['upgrade_pak']:.1f}; its "
          f"insecurity rise falls {r['upgrade_pak_rise']:.4f})\n")
    print(_markdown(sensitivity_rows()))
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
