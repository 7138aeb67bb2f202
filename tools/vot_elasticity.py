"""How much a pair's trade cost falls when its shipping time falls, against the World Bank's.

A route's generalised cost is ``c = money / value_per_teu + days x vot`` and the GE's
iceberg factor is ``1 + c``, so the elasticity of the trade cost to shipping time is
``vot x days / (1 + c)``: the share of ``1 + c`` that is time. By the envelope theorem
``days`` of the least-cost routes is ``dc / dvot``, taken here as a central difference of
the baseline network's pair costs (routes re-chosen at each value). The World Bank's Belt
and Road figures (de Soyres, Mulabdic, Murray, Rocha and Ruta 2019, docs/anchors.md) give
the ratio of the fall in trade costs to the fall in shipment times: 1.1/1.2 and 2.2/2.5
worldwide, 1.5/1.7 and 2.8/3.2 for Belt and Road economies, 10.2/11.9 along corridors.
No draws: the packaged network's baseline.

Usage::

    python tools/vot_elasticity.py            # at 0.6, 1.35 and 2.1 % of the cargo a day
"""

from __future__ import annotations

import sys

#: Pairs the docs quote (exporter, importer).
PAIRS = (("IND", "RUS"), ("IND", "UZB"), ("RUS", "IRN"), ("CHN", "KGZ"))
#: de Soyres et al. (2019): (fall in trade costs, fall in shipment times), percent.
WORLD_BANK = {"worldwide, low": (1.1, 1.2), "worldwide, high": (2.2, 2.5),
              "Belt and Road economies, low": (1.5, 1.7),
              "Belt and Road economies, high": (2.8, 3.2), "along corridors": (10.2, 11.9)}
VOTS = (0.006, 0.0135, 0.021)


def elasticities(vot: float, eps: float = 1e-4
                 ) -> dict[tuple[str, str], tuple[float, float, float]]:
    """``{pair: (days, cost, elasticity)}`` of the baseline network at value of time ``vot``.

    ``cost`` is the pair's generalised cost ``c``; ``c - vot x days`` is its money part.
    """
    from scosim.data.constants import ECONOMIES
    from scosim.network.step import CorridorNetwork

    cost = {v: CorridorNetwork(params={"vot_per_day": v}).baseline_cost
            for v in (vot - eps, vot, vot + eps)}
    days = (cost[vot + eps] - cost[vot - eps]) / (2 * eps)
    out = {}
    for a, b in PAIRS:
        i, j = ECONOMIES.index(a), ECONOMIES.index(b)
        c = float(cost[vot][i, j])
        out[(a, b)] = (float(days[i, j]), c, float(vot * days[i, j] / (1.0 + c)))
    return out


def main() -> int:
    """Print the model's elasticities and the World Bank's ratios."""
    for vot in VOTS:
        print(f"value of time {100 * vot:g} % a day:")
        for (a, b), (days, c, e) in elasticities(vot).items():
            print(f"  {a}-{b}: {days:.1f} days, cost {c:.3f} (money {c - vot * days:.3f}), "
                  f"elasticity of trade cost to time {e:.2f}")
    print("de Soyres et al. (2019), fall in trade costs / fall in shipment times:")
    for name, (cost, time) in WORLD_BANK.items():
        print(f"  {name}: {cost} / {time} = {cost / time:.2f}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
