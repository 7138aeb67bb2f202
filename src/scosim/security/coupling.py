"""Afghan instability, the Trans-Afghan railway and a RATS upgrade: the coupled scenarios.

Reads finished runs of ``scenarios/afghan_corridor_stable.yaml``, ``afghan_corridor.yaml``
and ``afghan_corridor_rats.yaml`` (security and network slots filled; docs/security.md
section 12) and prints the tables of the docs (median and 5th-95th percentile over runs,
and paired differences between scenarios run with the same seed) and draws one figure.

Usage::

    python -m scosim.security.coupling STABLE_RUN RISING_RUN RATS_RUN --png FIGURE.png
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from scosim.data.constants import ECONOMIES, NAMES

__all__ = ["CENTRAL_ASIA", "difference_rows", "exit_share", "load_run", "main",
           "OPENING_NOTE", "opening_rows", "plot_coupling", "run_ids", "summary_rows"]

#: The five Central Asian states.
CENTRAL_ASIA: tuple[str, ...] = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
#: Indicators read from each run.
INDICATORS: tuple[str, ...] = (
    "route_instability", "route_cost_to_pakistan_pct", "network_trade_cost_change_pct",
    "welfare_change_pct", "incidents", "inflow_t", "seizures_t", "corridor_operating",
)
#: Rows of the tables: indicator, economy (``CA`` = sum over Central Asia), label, format.
ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("route_instability", "AFG", "instability index on Afghan edges (0-1, 0 = 2018-2022)",
     "{:.3f}"),
    ("route_instability", "PAK", "instability index on Pakistani edges", "{:.3f}"),
    ("route_cost_to_pakistan_pct", "UZB", "cost Uzbekistan -> Pakistan, % of cargo value",
     "{:.2f}"),
    ("route_cost_to_pakistan_pct", "TJK", "cost Tajikistan -> Pakistan, % of cargo value",
     "{:.2f}"),
    ("route_cost_to_pakistan_pct", "KAZ", "cost Kazakhstan -> Pakistan, % of cargo value",
     "{:.2f}"),
    *[("network_trade_cost_change_pct", c, f"trade-weighted trade-cost change, {NAMES[c]}, %",
       "{:.3f}") for c in ("AFG", "PAK", *CENTRAL_ASIA)],
    *[("welfare_change_pct", c, f"welfare change (real expenditure), {NAMES[c]}, %", "{:.3f}")
      for c in ("AFG", "PAK", *CENTRAL_ASIA)],
    ("incidents", "CA", "terrorist incidents, five Central Asian states", "{:.0f}"),
    ("incidents", "TJK", "terrorist incidents, Tajikistan", "{:.0f}"),
    ("incidents", "PAK", "terrorist incidents, Pakistan", "{:.0f}"),
    ("inflow_t", "PAK", "opiates entering Pakistan, t heroin eq.", "{:.1f}"),
    ("inflow_t", "UZB", "opiates entering Uzbekistan, t heroin eq.", "{:.1f}"),
    # Three decimals: after the 2022 ban Central Asia seizes about 0.05 t (section 12).
    ("seizures_t", "CA", "opiates seized in Central Asia, t heroin eq.", "{:.3f}"),
)


def load_run(run_dir: str | Path, indicators: Sequence[str] = INDICATORS
             ) -> tuple[list[int], list[str], dict[str, np.ndarray]]:
    """Indicators of a finished run as ``(R, T, N)`` arrays.

    Returns:
        Years, economy codes, and ``{indicator: array}`` (runs in run-id order).
    """
    from scosim.results import read_wide

    d = Path(run_dir) / "indicators"
    out: dict[str, np.ndarray] = {}
    years: list[int] = []
    codes: list[str] = []
    for name in indicators:
        w = read_wide(d, name)
        if w.empty:
            raise ValueError(f"{run_dir}: indicator {name!r} not recorded (is this a run of "
                             "an afghan_corridor scenario?)")
        runs = sorted(w.index.get_level_values("run").unique())
        years = sorted(w.index.get_level_values("year").unique())
        codes = [str(c) for c in w.columns]
        out[name] = w.to_numpy(float).reshape(len(runs), len(years), len(codes))
    return years, codes, out


def run_ids(run_dir: str | Path) -> list[int]:
    """The run ids a finished run recorded (those of its first indicator)."""
    from scosim.results import read_wide

    w = read_wide(Path(run_dir) / "indicators", INDICATORS[0])
    return sorted(int(r) for r in w.index.get_level_values("run").unique())


def _pick(res: dict[str, np.ndarray], codes: list[str], ind: str, code: str) -> np.ndarray:
    x = res[ind]
    if code == "CA":
        return np.sum([x[:, :, codes.index(c)] for c in CENTRAL_ASIA], axis=0)
    return x[:, :, codes.index(code)]


def _band(x: np.ndarray, fmt: str) -> str:
    lo, med, hi = np.percentile(x, [5, 50, 95])
    return f"{fmt.format(med)} [{fmt.format(lo)} to {fmt.format(hi)}]"


def summary_rows(variants: dict[str, dict[str, np.ndarray]], years: list[int],
                 codes: list[str], year: int) -> list[dict[str, str]]:
    """Median [5th to 95th percentile] over runs of :data:`ROWS` in ``year``, per variant."""
    t = years.index(year)
    rows = []
    for ind, code, label, fmt in ROWS:
        row = {"indicator": label}
        for name, res in variants.items():
            row[name] = _band(_pick(res, codes, ind, code)[:, t], fmt)
        rows.append(row)
    return rows


def difference_rows(policy: dict[str, np.ndarray], base: dict[str, np.ndarray],
                    years: list[int], codes: list[str], year: int,
                    level: float = 0.90) -> list[dict[str, str]]:
    """Paired differences ``policy - base`` in ``year`` (same seed, run by run).

    Columns: the median and 5th-95th percentile of the run-by-run differences, and the
    mean with its two-sided ``level`` t-interval.
    """
    from scipy import stats

    t = years.index(year)
    rows = []
    for ind, code, label, fmt in ROWS:
        d = _pick(policy, codes, ind, code)[:, t] - _pick(base, codes, ind, code)[:, t]
        n = d.size
        mean = math.fsum(d) / n
        sd = float(np.std(d, ddof=1)) if n > 1 else 0.0
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n) if n > 1 else 0.0
        f = fmt.replace(".0f", ".1f")
        rows.append({"indicator": label, "difference, median [5-95 %]": _band(d, f),
                     f"mean [{level:.0%} CI]": f"{f.format(mean)} [{f.format(mean - half)} "
                                               f"to {f.format(mean + half)}]"})
    return rows


def exit_share(res: dict[str, np.ndarray], codes: list[str], code: str) -> np.ndarray:
    """``(R, T)`` share of Afghanistan's opiate exports entering ``code`` (0-1).

    Exports are Afghanistan's supply less its own seizures (it retains nothing). For
    Uzbekistan the inflow also holds what comes on from Tajikistan.
    """
    a = codes.index("AFG")
    exports = res["inflow_t"][:, :, a] - res["seizures_t"][:, :, a]
    return res["inflow_t"][:, :, codes.index(code)] / np.where(exports > 0, exports, np.nan)


def _markdown(rows: list[dict[str, str]]) -> str:
    from scosim.security.validation import markdown

    return markdown(rows, list(rows[0]))


#: Printed under :func:`opening_rows`' table: its rows are not exit crossings that add up.
OPENING_NOTE = ("Each row is the share of Afghan exports that enters the state, from "
                "Afghanistan or through a neighbour: Uzbekistan's includes what comes through "
                "Tajikistan, also counted in Tajikistan's, so the rows add to more than 100 %.")


def opening_rows(res: dict[str, np.ndarray], years: list[int], codes: list[str],
                 opening: int) -> list[dict[str, str]]:
    """Afghan exports entering each neighbour, the year before the railway opens and its first.

    Not by exit crossing: Uzbekistan's row counts what enters it through Tajikistan too
    (labelled "also via Tajikistan", as on the figure; :data:`OPENING_NOTE`).
    """
    rows = []
    for code in ("PAK", "IRN", "TJK", "UZB", "TKM"):
        x = 100.0 * exit_share(res, codes, code)
        label = NAMES[code] + (" (also via Tajikistan)" if code == "UZB" else "")
        row = {"share of Afghan opiate exports entering": label}
        for y in (opening - 1, opening):
            row[f"{y}, %"] = _band(x[:, years.index(y)], "{:.1f}")
        rows.append(row)
    return rows


def plot_coupling(variants: dict[str, dict[str, np.ndarray]], years: list[int],
                  codes: list[str], path: Path, *, year: int | None = None,
                  opening: int | None = None) -> Path:
    """Six panels: instability, route cost, incidents, opiate flows, welfare; bands 5-95 %.

    Args:
        variants: ``{label: indicators}`` (``(R, T, N)`` arrays, :func:`load_run`).
        years: The ``T`` axis of the arrays.
        codes: The ``N`` axis of the arrays.
        path: PNG file to write.
        year: Year of the welfare panel (default: the last).
        opening: First year the railway operates (a dotted line), if known.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    year = years[-1] if year is None else year
    yr = np.asarray(years)
    colors = ["tab:gray", "tab:red", "tab:blue", "tab:green"]
    fig, axes = plt.subplots(2, 3, figsize=(16, 9.5))
    panels = [
        ("route_instability", "AFG", "Instability index on Afghan edges\n(network input; "
         "0 = 2018-2022 conditions)", "index, 0-1"),
        ("route_cost_to_pakistan_pct", "UZB", "Cost of shipping Uzbekistan -> Pakistan\n"
         "(generalised: freight, time, risk)", "% of cargo value"),
        ("incidents", "CA", "Terrorist incidents in the five\nCentral Asian states",
         "incidents a year"),
        ("network_trade_cost_change_pct", "UZB", "Uzbekistan's trade costs\n(trade-weighted, "
         "against the baseline network)", "% change"),
    ]
    slots = [axes[0, 0], axes[0, 1], axes[0, 2], axes[1, 1]]
    for ax, (ind, code, title, unit) in zip(slots, panels, strict=True):
        for k, (name, res) in enumerate(variants.items()):
            x = _pick(res, codes, ind, code)
            lo, med, hi = np.percentile(x, [5, 50, 95], axis=0)
            ax.fill_between(yr, lo, hi, color=colors[k], alpha=0.15, linewidth=0)
            ax.plot(yr, med, color=colors[k], label=name, linewidth=2)
        if opening is not None:
            ax.axvline(opening, color="black", linestyle=":", linewidth=1)
            ax.text(opening, ax.get_ylim()[1], " railway opens", va="top", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="upper left", title="rising and RATS lines coincide:\n"
                      "Afghanistan is outside RATS", title_fontsize=7)
    # Trafficking through the railway's crossings: share of Afghan exports, rising scenario.
    ax = axes[1, 0]
    name, res = list(variants.items())[min(1, len(variants) - 1)]
    for code, style in (("PAK", "-"), ("UZB", "--")):
        x = 100.0 * exit_share(res, codes, code)
        lo, med, hi = np.percentile(x, [5, 50, 95], axis=0)
        ax.fill_between(yr, lo, hi, color="tab:purple", alpha=0.15, linewidth=0)
        ax.plot(yr, med, style, color="tab:purple", linewidth=2, label=f"into {NAMES[code]}"
                + (" (also via Tajikistan)" if code == "UZB" else ""))
    if opening is not None:
        ax.axvline(opening, color="black", linestyle=":", linewidth=1)
    ax.legend(fontsize=8)
    ax.set_title(f"Afghan opiate exports crossing into Pakistan and Uzbekistan\n({name}; "
                 "traffickers use the railway's crossings)", fontsize=10)
    ax.set_ylabel("% of Afghanistan's opiate exports")
    ax.set_xlabel("year")
    ax.grid(alpha=0.3)
    ax = axes[1, 2]
    t = years.index(year)
    width = 0.8 / max(len(variants), 1)
    econ = [*CENTRAL_ASIA, "AFG", "PAK"]
    for k, (name, res) in enumerate(variants.items()):
        for j, c in enumerate(econ):
            x = res["welfare_change_pct"][:, t, codes.index(c)]
            lo, med, hi = np.percentile(x, [5, 50, 95])
            pos = j + (k - (len(variants) - 1) / 2) * width
            ax.errorbar(pos, med, yerr=[[med - lo], [hi - med]], fmt="o", color=colors[k],
                        capsize=3, label=name if j == 0 else None)
    names = list(variants)
    if len(names) >= 3:
        # The upgrade's lives saved, which welfare leaves out: incidents avoided (paired by
        # run, common random numbers) times the votes' damage of one incident (damage.py).
        avoided = _damage_avoided_pct(variants[names[1]], variants[names[2]], codes, t, econ)
        ax.bar(np.arange(len(econ)) + 0.42, avoided, width=0.1, color="black",
               label=f"{names[2]}: VSL damage of incidents avoided,\n% of GDP, median "
                     "(not in welfare)")
    ax.axhline(0, color="black", linewidth=0.8)
    # Under the panel: inside it the key covered Afghanistan's whiskers.
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
    ax.set_xticks(range(len(econ)), econ)
    ax.set_title(f"Real expenditure change in {year} (welfare_change_pct, net of extra\n"
                 "security spending; excludes the harm of incidents avoided)", fontsize=10)
    ax.set_ylabel("% change")
    ax.grid(alpha=0.3, axis="y")
    n = next(iter(variants.values()))["incidents"].shape[0]
    fig.suptitle("Rising Afghan instability, the Trans-Afghan railway and a RATS upgrade: "
                 f"medians (lines, dots) and 5th-95th percentiles (bands, whiskers) of {n} runs",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _damage_avoided_pct(rising: dict[str, np.ndarray], upgraded: dict[str, np.ndarray],
                       codes: list[str], t: int, econ: Sequence[str]) -> np.ndarray:
    """Median over runs of the upgrade's damage avoided in year ``t``, % of GDP, per economy.

    Incidents without minus with the upgrade, run by run, times one incident's damage
    (:func:`scosim.security.damage.incident_damage_share_gdp`: 160 x GTI deaths per
    incident / population), the price the votes' security term uses.
    """
    from scosim.data.calibration import load_calibration
    from scosim.security.damage import incident_damage_share_gdp

    pop = load_calibration().countries["population"].reindex(ECONOMIES)
    dmg = incident_damage_share_gdp(np.nan_to_num(pop.to_numpy(dtype=float)))
    idx = [codes.index(c) for c in econ]
    diff = rising["incidents"][:, t, idx] - upgraded["incidents"][:, t, idx]
    return 100.0 * np.median(diff * dmg[[ECONOMIES.index(c) for c in econ]], axis=0)


def _span(ids: list[int]) -> str:
    if ids and ids == list(range(ids[0], ids[-1] + 1)):
        return f"ids {ids[0]}-{ids[-1]}"
    return f"ids {ids}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tables of docs/security.md section 12 and draw the figure."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stable", type=Path, help="run directory of afghan_corridor_stable")
    ap.add_argument("rising", type=Path, help="run directory of afghan_corridor")
    ap.add_argument("rats", type=Path, help="run directory of afghan_corridor_rats")
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--png", type=Path, default=Path("afghan_corridor.png"))
    a = ap.parse_args(argv)
    labels = ("stable instability", "rising instability", "rising, RATS upgraded")
    # A wrong directory ends in one "error:" line and exit 2, not a traceback.
    try:
        loaded = [load_run(p) for p in (a.stable, a.rising, a.rats)]
    except (ValueError, OSError) as exc:
        ap.error(f"{exc}; give the run directories of afghan_corridor_stable, afghan_corridor "
                 "and afghan_corridor_rats (results/<scenario>/<run>)")
    years, codes = loaded[0][0], loaded[0][1]
    for y, c, _ in loaded[1:]:
        if y != years or c != codes:
            ap.error("the three runs must cover the same years and economies")
    # The differences pair the scenarios run by run (same seed, same run ids).
    ids = [run_ids(p) for p in (a.stable, a.rising, a.rats)]
    if ids[1] != ids[0] or ids[2] != ids[0]:
        counts = ", ".join(str(len(i)) for i in ids)
        ap.error(f"the three runs must hold the same run ids, to be paired run by run; they "
                 f"hold {counts} runs ({', '.join(_span(i) for i in ids)}): run the three "
                 "scenarios with the same --replications and seed")
    if a.year is not None and a.year not in years:
        ap.error(f"--year {a.year} is not simulated; the runs cover {years[0]}-{years[-1]}")
    variants = {name: res for name, (_, _, res) in zip(labels, loaded, strict=True)}
    year = years[-1] if a.year is None else a.year
    op = variants[labels[1]]["corridor_operating"][:, :, codes.index("AFG")]
    first = [years[t] for t in range(len(years)) if op[:, t].mean() >= 0.5]
    print(f"## Scenarios in {year}: median [5th to 95th percentile] over runs\n")
    print(_markdown(summary_rows(variants, years, codes, year)))
    print(f"\n## RATS upgrade: {labels[2]} minus {labels[1]}, {year}\n")
    print(_markdown(difference_rows(variants[labels[2]], variants[labels[1]], years, codes,
                                    year)))
    print(f"\n## Rising instability: {labels[1]} minus {labels[0]}, {year}\n")
    print(_markdown(difference_rows(variants[labels[1]], variants[labels[0]], years, codes,
                                    year)))
    if first:
        print(f"\n## The railway opens ({labels[1]}): trafficking on its crossings\n")
        print(_markdown(opening_rows(variants[labels[1]], years, codes, first[0])))
        print(f"\n{OPENING_NOTE}")
    png = plot_coupling(variants, years, codes, a.png, year=year,
                        opening=first[0] if first else None)
    print(f"\nplot: {png}")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
