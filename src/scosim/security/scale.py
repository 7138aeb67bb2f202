"""The instability scale the network reads, and the incident levels it stands for.

One definition serves both sources of the network's instability (the scenario's
``parameters.network.instability`` and, with the security slot filled, the slot's
``levers["insecurity"]``): economy ``i``'s instability is the rise of the insecurity index
``iota(x) = x / (x + h)`` of its expected incidents a year ``x`` above the index at its
2018-2022 rate ``x0``,

    u = iota(x) - iota(x0) = h (x - x0) / ((x + h)(x0 + h)),

with ``h = params.incidents_half`` (250). So ``u`` is below ``1 - iota(x0) = h / (x0 + h)``
for every incident level: Afghanistan (``x0`` = 503.2) reaches at most 0.332, Pakistan
0.546; a scenario that sets more (``corridor_trans_afghan_high.yaml``'s 0.8) prices a risk
that no incident level of the security model gives (docs/security.md section 11, "One
instability scale"), which its run says in a warning
(:func:`scosim.network.params.instability_notes`). The inverse, for ``u`` below that ceiling, is

    x = h (iota(x0) + u) / (1 - iota(x0) - u).

Usage::

    python -m scosim.security.scale [--economy AFG]

prints the table of docs/security.md: instability -> expected incidents a year -> multiple of
the 2018-2022 rate -> the security slot's ``parameters.security.instability`` that gives it
at today's efforts and RATS (Afghanistan only: its rate is ``x0`` times that index).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from scosim.security.model import SecuritySystem, insecurity_index

__all__ = ["DOC_VALUES", "economy_ceilings", "incidents_at", "instability_ceiling",
           "instability_rows", "main"]

#: Instability values of the documented table: the shipped scenarios' (0.166 is
#: ``afghan_corridor.yaml``'s 2035 level, 0.2 and 0.8 the Trans-Afghan low and high cases).
DOC_VALUES: tuple[float, ...] = (0.05, 0.1, 0.166, 0.2, 0.25, 0.3, 0.33, 0.5, 0.8, 1.0)


def instability_ceiling(base_rate: np.ndarray | float, half: float) -> np.ndarray:
    """``1 - iota(x0)``: the instability no incident level reaches, per economy.

    Args:
        base_rate: 2018-2022 incidents a year ``x0`` (scalar or ``(N,)``).
        half: ``params.incidents_half``.
    """
    return 1.0 - insecurity_index(np.asarray(base_rate, dtype=float), half)


def economy_ceilings() -> dict[str, float]:
    """:func:`instability_ceiling` of every economy, at the shipped security calibration.

    The default ``incidents_half``: the scale the network's instability is read on when no
    security slot sets it (``parameters.network.instability``). Computed without numpy by
    :func:`scosim.security.ceiling.economy_ceilings`, which ``scosim validate`` uses too.

    Returns:
        ``{ISO3: ceiling}`` (1 for an economy without incidents in 2018-2022).
    """
    from scosim.security.ceiling import economy_ceilings as ceilings

    return ceilings()


def incidents_at(instability: np.ndarray | float, base_rate: np.ndarray | float,
                 half: float) -> np.ndarray:
    """Expected incidents a year at which the network's instability is ``instability``.

    The inverse of ``insecurity_index(x, half) - insecurity_index(base_rate, half)``.

    Args:
        instability: Network instability ``u`` in [0, 1].
        base_rate: 2018-2022 incidents a year ``x0``.
        half: ``params.incidents_half``.

    Returns:
        ``x`` (float array, broadcast), ``inf`` where ``u`` is at or above the ceiling
        ``1 - iota(x0)`` (no incident level gives it).

    Raises:
        ValueError: If ``instability`` is outside [0, 1].
    """
    u = np.asarray(instability, dtype=float)
    if np.any(u < 0) or np.any(u > 1):
        raise ValueError("network instability must lie in [0, 1]")
    level = insecurity_index(np.asarray(base_rate, dtype=float), half) + u
    # Past the ceiling the index would have to reach 1: no finite incident count.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(level < 1.0, half * level / (1.0 - level), np.inf)


def instability_rows(system: SecuritySystem, values: Sequence[float] = DOC_VALUES,
                     code: str = "AFG") -> list[dict[str, str]]:
    """Rows of the documented table for ``code``: instability, incidents, multiple.

    Args:
        system: The calibrated block (its 2018-2022 rates and ``incidents_half``).
        values: Network instability values.
        code: Economy (ISO3).

    Returns:
        One row per value: ``instability``, ``incidents a year``, ``x 2018-2022``; for
        Afghanistan also ``parameters.security.instability`` (the multiple: at today's
        efforts and RATS its expected rate is the 2018-2022 rate times that index).
    """
    i = system.codes.index(code)
    x0 = float(system.cal.base_rate[i])
    half = system.params.incidents_half
    rows = []
    for u in values:
        x = float(incidents_at(u, x0, half))
        finite = np.isfinite(x)
        row = {"instability": f"{u:g}",
               "incidents a year": f"{x:,.0f}" if finite else "none (beyond the ceiling)",
               "x 2018-2022": f"{x / x0:.2f}" if finite else "-"}
        if code == "AFG":
            row["parameters.security.instability"] = f"{x / x0:.2f}" if finite else "-"
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Print the instability -> incidents table of docs/security.md section 11."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--economy", default="AFG", help="ISO3 code (default AFG)")
    a = ap.parse_args(argv)
    system = SecuritySystem()
    code = a.economy.upper()
    if code not in system.codes[:-1]:
        ap.error(f"--economy {a.economy!r}: not one of the model's economies "
                 f"({', '.join(system.codes[:-1])})")
    i = system.codes.index(code)
    x0 = float(system.cal.base_rate[i])
    ceiling = float(instability_ceiling(x0, system.params.incidents_half))
    print(f"{code}: 2018-2022 rate {x0:.1f} incidents a year, ceiling of the network's "
          f"instability 1 - iota(x0) = {ceiling:.3f}\n")
    rows = instability_rows(system, code=code)
    from scosim.security.validation import markdown

    print(markdown(rows, list(rows[0])))
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
