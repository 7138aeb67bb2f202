"""Calibrate the network parameters marked ``calibrated=yes`` in params.csv to COMCEC 2017.

Usage: python tools/calibrate_network.py [--write]

Fits the free parameters (bounded, with a weak pull toward their starting values) so that
the four Nhava Sheva-Moscow routes of COMCEC (2017) Table 58 match their published days and
US$ per TEU (least squares on log ratios). Freight rates per TEU-km of road, rail and sea,
border times and fees, the value of a TEU and the value of time are NOT fitted: they come
from their sources. --write rounds the fitted values and writes them into params.csv.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys

import numpy as np
from scipy.optimize import least_squares

from scosim.network.comcec import PUBLISHED, cheapest_and_fastest, comcec_comparison
from scosim.network.routing import build_freight_graph
from scosim.network.tables import TABLES_DIR, read_network

#: name -> (lower, upper, rounding digits)
FREE: dict[str, tuple[float, float, int]] = {
    "speed_road": (250.0, 600.0, -1),
    "speed_sea": (450.0, 800.0, -1),
    "speed_rail": (250.0, 700.0, -1),
    "speed_inland_water": (100.0, 600.0, -1),
    "rate_inland_water": (0.1, 2.0, 2),
    "port_fee_usd": (100.0, 700.0, -1),
    "port_days": (1.0, 5.0, 1),
    "intermodal_fee_usd": (50.0, 400.0, -1),
    "intermodal_days": (0.5, 3.0, 1),
    "gauge_fee_usd": (50.0, 400.0, -1),
    "gauge_days": (0.5, 3.0, 1),
    "transit_border_share": (0.05, 1.0, 2),
}


def residuals(x, tables, names, start):
    params = dict(zip(names, x, strict=True))
    table = comcec_comparison(build_freight_graph(tables, params))
    fit = np.log(np.concatenate([table["days_ratio"], table["usd_ratio"]]))
    prior = 0.1 * np.log(x / start)
    return np.concatenate([fit, prior])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    tables = read_network(TABLES_DIR)
    names = list(FREE)
    start = np.array([tables.params[n] for n in names])
    lo = np.array([FREE[n][0] for n in names])
    hi = np.array([FREE[n][1] for n in names])
    fit = least_squares(residuals, np.clip(start, lo, hi), bounds=(lo, hi),
                        args=(tables, names, start), diff_step=1e-3)
    values = {n: round(float(v), FREE[n][2]) for n, v in zip(names, fit.x, strict=True)}
    graph = build_freight_graph(tables, values)
    print(comcec_comparison(graph).round(3).to_string())
    cheap, fast = cheapest_and_fastest(graph)
    print("cheapest via Suez:", "EGY_SUEZ|sea" in cheap)
    print("fastest via Bandar Abbas by rail:", "IRN_BANDARABBAS|rail" in fast)
    for n, v in values.items():
        print(f"{n} = {v:g}")
    if args.write:
        path = TABLES_DIR / "params.csv"
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
        for r in rows:
            if r["name"] in values:
                r["value"] = f"{values[r['name']]:g}"
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        path.write_text(buf.getvalue())
        print("written", path.name)
    _ = PUBLISHED
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main, sys.argv[1:]))
