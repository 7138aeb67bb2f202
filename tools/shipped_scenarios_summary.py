"""Figures quoted in the README section "What the shipped scenarios say".

Usage (from a scratch directory; results/ is written there)::

    SCOSIM_DATA_VERSION=2023 python tools/shipped_scenarios_summary.py [--replications 200]

Prints, for the calibration data version selected by ``$SCOSIM_DATA_VERSION``, the median,
mean and 5-95 % range of welfare changes (percent) in the years the README quotes, the share
of runs in which members leave or veto, and how often a union forms. Seed 20250101.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import scosim
from scosim.data import MEMBERS, load_calibration

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SEED = 20250101


def _welfare(res, year: int, countries: list[str]) -> dict[str, dict[str, float]]:
    w = res.indicator("welfare_change_pct").xs(year, level="year")
    return {
        c: {
            "median": round(float(w[c].median()), 3),
            "mean": round(float(w[c].mean()), 3),
            "p05": round(float(w[c].quantile(0.05)), 3),
            "p95": round(float(w[c].quantile(0.95)), 3),
        }
        for c in countries
    }


def _share(events, kind: str, n: int) -> dict[str, float]:
    e = events[events["type"] == kind]
    runs = e.groupby("country")["run"].nunique()
    return {str(c): round(float(v) / n, 3) for c, v in runs.items()}


def main() -> None:
    """Run the four scenarios the README discusses and print a JSON summary."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=200)
    n = ap.parse_args().replications
    cal = load_calibration()
    out: dict[str, object] = {"data_version": cal.version, "seed": SEED, "replications": n}
    watch = [*MEMBERS, "MNG", "TKM"]

    def run(name: str):
        sc = scosim.load_scenario(SCENARIOS / f"{name}.yaml", overrides={"seed": SEED})
        return scosim.run(sc, replications=n, progress=False)

    res = run("customs_union")
    out["customs_union"] = {
        "welfare_2028": _welfare(res, 2028, watch),
        "left_by_end": _share(res.events, "defection", n),
    }
    res = run("customs_union_consensus")
    vetoed = res.events[res.events["type"] == "veto"]["run"].nunique()
    out["customs_union_consensus"] = {
        "share_vetoed": round(vetoed / n, 3),
        "veto_share_by_member": _share(res.events, "veto", n),
    }
    res = run("customs_union_variable_geometry")
    ev = res.events
    formed = ev[ev["type"] == "in_force"]["run"].nunique()
    out["customs_union_variable_geometry"] = {
        "share_union_forms": round(formed / n, 3),
        "in_force_share_by_member": _share(ev, "in_force", n),
    }
    res = run("customs_union_central_asia")
    out["customs_union_central_asia"] = {
        "welfare_2027": _welfare(res, 2027, ["CHN", "KAZ", "KGZ", "TJK", "UZB"]),
        "left_by_end": _share(res.events, "defection", n),
    }
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
