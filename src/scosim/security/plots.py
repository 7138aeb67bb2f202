"""Plots of the security block: incidents and drug flows along routes, with intervals.

Input is what :func:`scosim.security.model.simulate` returns (``(R, T, N)`` arrays), one
dict per labelled variant (for example with and without a RATS upgrade). Lines are
medians over runs and bands (or bars) the 5th-95th percentile.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from scosim.data.constants import ECONOMIES, NAMES  # noqa: E402
from scosim.runstats import HIGH, LOW, RunStats, run_percentiles  # noqa: E402
from scosim.security.meth import (  # noqa: E402
    OPIATES_ONLY,
    ROUTES_OPIATES_ONLY,
    SHOWN_YEAR,
    load_meth_seizures,
)
from scosim.security.routes import EDGES, NODE_ORDER  # noqa: E402
from scosim.security.table_read import TABLES_DIR, number, table_rows  # noqa: E402

__all__ = ["ROUTE_PATHS", "RUN_INDICATORS", "feeders", "has_anti_drug_unit", "plot_security",
           "plot_security_bands", "observed_incidents", "plot_security_run", "rejected_note"]

#: Economies drawn in each route panel, upstream first (``routes.NODE_ORDER``). The routes
#: are a network, not a chain: each panel draws one marker per economy, no line between
#: them, and names under each economy where its opiates come from (:func:`feeders`).
#: Until 2026-12-06 a line joined them as one chain (TJK->UZB->TKM->KGZ->KAZ->RUS, and
#: Azerbaijan after Turkey, although Iran feeds it).
ROUTE_PATHS: dict[str, tuple[str, ...]] = {
    "Northern route": ("TJK", "KGZ", "UZB", "TKM", "KAZ", "RUS"),
    "Southern and Balkan routes": ("PAK", "IRN", "TUR", "AZE"),
}


def feeders(code: str) -> tuple[str, ...]:
    """Economies whose onward opiate flow reaches ``code`` (``routes.EDGES``), upstream first."""
    order = {c: k for k, c in enumerate(NODE_ORDER)}
    return tuple(sorted({a for a, b, share, _, _ in EDGES if b == code and share > 0},
                        key=lambda c: order.get(c, len(order))))


def _tick(code: str) -> str:
    """An economy's tick label: its code, then where its flow comes from, two a line.

    ``from`` shares a line with a single source only (TKM's second line, "from AFG"): with
    three sources "from KGZ, UZB," ran into the next economy's label, and with two "from AFG,
    TJK" touched the next "from AFG" in the Northern panel.
    """
    src = feeders(code)
    lines = [", ".join(src[k:k + 2]) for k in range(0, len(src), 2)]
    return f"{code}\nfrom" + ("\n" if len(src) > 1 else " ") + ",\n".join(lines)


def plot_security(variants: dict[str, dict[str, np.ndarray]], years: Sequence[int], path: Path,
                  *, focus: Sequence[str] = ("AFG", "PAK", "IRN", "TJK", "UZB", "TKM"),
                  title: str = "Security block") -> Path:
    """Two rows: incidents per year for ``focus`` economies, and flows along the routes.

    Args:
        variants: ``{label: indicators}``; each indicator is ``(R, T, N)``.
        years: The ``T`` years.
        path: PNG file to write.
        focus: Economies whose incidents are drawn (one small panel each).
        title: Figure title prefix.

    Returns:
        ``path``.
    """
    n_runs = next(iter(variants.values()))["incidents"].shape[0]
    # Percentiles over runs first: the drawing needs nothing else (and a run's own
    # figure gets them from streaming statistics, scosim.runstats).
    bands = {label: {k: np.percentile(np.asarray(v, dtype=float), [LOW, 50, HIGH], axis=0)
                     for k, v in res.items()} for label, res in variants.items()}
    return plot_security_bands(bands, years, path, n_runs=n_runs, focus=focus, title=title)


def plot_security_bands(variants: dict[str, dict[str, np.ndarray]], years: Sequence[int],
                        path: Path, *, n_runs: int,
                        focus: Sequence[str] = ("AFG", "PAK", "IRN", "TJK", "UZB", "TKM"),
                        title: str = "Security block", note: str = "",
                        anti_drug: bool = True) -> Path:
    """:func:`plot_security` from percentiles over runs.

    Args:
        variants: ``{label: indicators}``; each indicator is ``(3, T, N)``: the
            5th, 50th and 95th percentile over runs.
        years: The ``T`` years.
        path: PNG file to write.
        n_runs: Runs the percentiles are taken over (said in the title).
        focus: Economies whose incidents are drawn (one small panel each).
        title: Figure title prefix.
        note: A line added under the title (what became of the run's proposals).
        anti_drug: Whether a variant tables a RATS anti-drug unit: the title says its
            modelled effect covers opiates only (:data:`OPIATES_ONLY`), else that the
            routes carry opiates only (:data:`ROUTES_OPIATES_ONLY`).

    Returns:
        ``path``.
    """
    years = np.asarray(list(years))
    fig = plt.figure(figsize=(15, 8.5))
    gs = fig.add_gridspec(2, max(len(focus), 3) * 2)
    width = max(len(focus), 3) * 2 // len(focus)
    twins = False
    observed = observed_incidents()
    for k, code in enumerate(focus):
        ax = fig.add_subplot(gs[0, k * width:(k + 1) * width])
        i = ECONOMIES.index(code)
        twins |= _median_bands(ax, years, {label: res["incidents"][:, :, i]
                                           for label, res in variants.items()})
        seen = observed.get(code, [])
        if seen:
            # The GTI's recent record beside the runs: where the run starts from.
            ax.plot([y for y, _ in seen], [v for _, v in seen], "kD", ms=4)
        ax.set_title(NAMES[code], fontsize=10)
        ax.set_xlabel("year")
        if k == 0:
            ax.set_ylabel("terrorist incidents a year")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    cols = max(len(focus), 3) * 2
    ax = fig.add_subplot(gs[1, 0:cols // 3])
    a = ECONOMIES.index("AFG")
    twins |= _median_bands(ax, years, {label: res["inflow_t"][:, :, a]
                                       for label, res in variants.items()})
    ax.set_title("Afghan opiate supply", fontsize=10)
    ax.set_xlabel("year")
    ax.set_ylabel("tonnes heroin equivalent a year")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    nv = len(variants)
    for k, (route, nodes) in enumerate(ROUTE_PATHS.items()):
        ax = fig.add_subplot(gs[1, cols // 3 * (k + 1):cols // 3 * (k + 2)])
        idx = [ECONOMIES.index(c) for c in nodes]
        xs = np.arange(len(nodes))
        for c, (label, res) in enumerate(variants.items()):
            off = (c - (nv - 1) / 2) * 0.15
            # Markers only: a line would join economies that trade no opiates with each
            # other (the routes branch; :data:`ROUTE_PATHS`).
            for key, fmt, lab in (("inflow_t", "o", "reaching the border"),
                                  ("seizures_t", "s", "seized")):
                lo, med, hi = res[key][:, -1, idx]
                ax.errorbar(xs + off, med, yerr=[med - lo, hi - med], fmt=fmt, color=f"C{c}",
                            capsize=3, label=f"{label}: {lab}",
                            mfc="none" if key == "seizures_t" else None)
        # The right axis only at the figure's right edge: elsewhere its label ran into
        # the next panel (and tight_layout gave up).
        right = _meth_markers(ax, nodes, xs, twin=k == len(ROUTE_PATHS) - 1)
        ax.set_xticks(xs, [_tick(c) for c in nodes], fontsize=8)
        ax.set_title(f"{route}, {years[-1]}", fontsize=10)
        ax.set_xlabel("economy, upstream to downstream, and where its flow comes from\n"
                      "(the routes branch: no line joins the economies)", fontsize=9)
        ax.set_ylabel("tonnes heroin equivalent a year")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        if k == len(ROUTE_PATHS) - 1:
            # Room above the data for the key, one row (it hid Iran's methamphetamine cross).
            ax.set_ylim(0, HEADROOM * ax.get_ylim()[1])
            if right is not None:
                right.set_ylim(0, HEADROOM * right.get_ylim()[1])
            # Colours are in the figure's key; this one keys the two kinds of marker (six
            # entries covered Iran's whiskers). On the right axis: drawn over both.
            (right or ax).legend(handles=[
                Line2D([], [], color="0.3", marker="o", ls="", label="reaching the border"),
                Line2D([], [], color="0.3", marker="s", mfc="none", ls="", label="seized"),
                Line2D([], [], color=METH_COLOUR, marker="x", ls="",
                       label=f"methamphetamine seized {SHOWN_YEAR}, t\n(right axis; "
                             "UNODC data; not modelled)"),
            ], fontsize=7, loc="upper center", ncol=2)
    fig.suptitle(f"{title}: incidents (top) and Afghan opiate flows along routes (bottom)\n"
                 f"line/dot: median of {n_runs} runs; band/bar: {LOW}th-{HIGH}th percentile\n"
                 f"{OPIATES_ONLY if anti_drug else ROUTES_OPIATES_ONLY}"
                 + (f"\n{note}" if note else ""))
    # One key for the line panels, above them: in Afghanistan's panel it covered the data.
    handles = [Line2D([], [], color=f"C{c}", label=label) for c, label in enumerate(variants)]
    handles.append(Line2D([], [], color="k", marker="D", ms=4, ls="", label=GTI_LABEL))
    if twins:
        handles.append(Line2D([], [], color="0.3", ls=(0, (3, 3)), lw=2.0,
                              label="dashed: identical to a variant drawn under it"))
    # A note is a fourth title line: the key moves down under it.
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.89 if note else 0.915),
               ncol=len(handles), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.93 if note else 0.91))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


#: The keyed route panel's axes reach this much above their data: the key's row sits there.
HEADROOM = 1.3
#: A panel that writes its methamphetamine note reaches this much above its data.
NOTE_HEADROOM = 1.6
#: The crosses sit this far right of their economy (tick units), beside its opiate markers.
METH_OFFSET = 0.3
#: Colour of the methamphetamine crosses and of their own (right) axis.
METH_COLOUR = "#8c2d04"
#: The right axis' label: what the crosses are, in their own unit.
METH_AXIS_LABEL = f"methamphetamine seized, t, {SHOWN_YEAR}"


def _meth_markers(ax: plt.Axes, nodes: Sequence[str], xs: np.ndarray, *,
                  twin: bool) -> plt.Axes | None:
    """Methamphetamine seized in :data:`SHOWN_YEAR` (UNODC data) beside the modelled opiates.

    Never on the panel's own axis, tonnes of heroin equivalent, where Iran's 30.4 t read as
    an opiate flow three times the model's (an outside review, 2026-12-07). With ``twin``, a
    cross per economy with a figure on a right axis of its own (:data:`METH_AXIS_LABEL`),
    which only the figure's rightmost panel has room for; otherwise the figures are written
    in the panel. Economies without a figure are named, since a missing report is not a
    zero. Returns the right axis (None without ``twin``).
    """
    meth = load_meth_seizures()
    t = np.array([meth.tonnes(c, SHOWN_YEAR) for c in nodes])
    ok = ~np.isnan(t)
    gaps = [f"{c}: {meth.gap(c, SHOWN_YEAR)}" for c, k in zip(nodes, ok, strict=True) if not k]
    lines = []
    right = None
    if twin:
        right = ax.twinx()
        # Beside the economy's opiate markers, not on them: on two scales a cross can land
        # on a dot (Iran's 30.4 t on its 11 t of opiates in the shipped run).
        right.plot(xs[ok] + METH_OFFSET, t[ok], "x", color=METH_COLOUR, ms=7, mew=1.5, ls="",
                   label=f"methamphetamine seized {SHOWN_YEAR} (UNODC)")
        right.set_ylim(bottom=0, top=1.1 * float(np.max(t[ok], initial=0.0)) or None)
        right.set_ylabel(METH_AXIS_LABEL, color=METH_COLOUR, fontsize=9)
        right.tick_params(axis="y", colors=METH_COLOUR, labelsize=8)
        right.spines["right"].set_color(METH_COLOUR)
    elif ok.any():
        shown = ", ".join(f"{c} {_tonnes(v)}" for c, v, k in zip(nodes, t, ok, strict=True) if k)
        lines.append(f"{METH_AXIS_LABEL} (UNODC data; not modelled):\n{shown}")
    if gaps:
        lines.append(f"no methamphetamine figure for {SHOWN_YEAR}:\n" + "\n".join(gaps))
    if lines and not twin:
        # Room above the data for the note (it covered Kazakhstan's bar in a run's figure).
        ax.set_ylim(0, NOTE_HEADROOM * ax.get_ylim()[1])
    if lines:
        ax.text(0.01, 0.98, "\n".join(lines), transform=ax.transAxes, fontsize=7, va="top",
                ha="left", color=METH_COLOUR if not twin and ok.any() else "0.25")
    return right


def _tonnes(value: float) -> str:
    """Tonnes at two significant digits, never in exponent form (0.000023, not 2.3e-05)."""
    return np.format_float_positional(value, precision=2, unique=False, fractional=False,
                                      trim="-")


def _median_bands(ax: plt.Axes, years: np.ndarray, series: dict[str, np.ndarray]) -> bool:
    """Median line and 5th-95th percentile band of each variant's ``(3, T)`` percentiles.

    A variant whose percentiles equal those of one drawn before it (Afghanistan's or
    Turkmenistan's incidents with and without a RATS upgrade: both are outside RATS) is
    drawn dashed over it, with no band of its own: otherwise its line was hidden under
    the later one and the two bands blended into a colour the key does not show.
    Returns whether any was.
    """
    drawn: list[np.ndarray] = []
    twins = False
    for c, (label, x) in enumerate(series.items()):
        lo, med, hi = x
        if any(np.array_equal(x, y) for y in drawn):
            ax.plot(years, med, color=f"C{c}", ls=(0, (3, 3)), lw=2.0, label=label)
            twins = True
        else:
            ax.plot(years, med, color=f"C{c}", label=label)
            ax.fill_between(years, lo, hi, color=f"C{c}", alpha=0.2)
        drawn.append(x)
    return twins


#: What the diamonds in the incident panels are.
GTI_LABEL = ("GTI incidents observed: 2022 (GTI 2023), 2023-2024 (GTI 2025; Pakistan only "
             "in the shipped table)")


def observed_incidents(first: int = 2022, last: int = 2024) -> dict[str, list[tuple[int, float]]]:
    """GTI incidents by economy and year, ``first``-``last``, from the shipped tables.

    ``gti_history.csv`` (GTI 2023 file, to 2022) and ``gti_recent.csv`` (GTI 2025, 2023-2024;
    Pakistan only), the later edition's count where both give a year.
    """
    out: dict[str, dict[int, float]] = {}
    for name in ("gti_history.csv", "gti_recent.csv"):
        path = TABLES_DIR / name
        for line, row in table_rows(path, ["iso3", "year", "incidents"]):
            year = int(number(path, line, row, "year"))
            if first <= year <= last:
                out.setdefault(row["iso3"], {})[year] = number(path, line, row, "incidents")
    return {c: sorted(v.items()) for c, v in out.items()}


#: Indicators a run must have for :func:`plot_security_run`.
RUN_INDICATORS: tuple[str, ...] = ("incidents", "inflow_t", "seizures_t")


def plot_security_run(st: RunStats, title: str, path: Path, *,
                      anti_drug: bool = True) -> Path | None:
    """:func:`plot_security` from a run's statistics over runs (:class:`RunStats`).

    ``anti_drug``: whether the scenario tables an anti-drug unit (:func:`has_anti_drug_unit`).
    Returns None when the run has no security indicators (the slot was empty).
    """
    if not all(st.has(name) for name in RUN_INDICATORS):
        return None
    bands = {name: run_percentiles(st, name, ECONOMIES, (LOW, 50, HIGH))
             for name in RUN_INDICATORS}
    years = [int(y) for y in st.mean(RUN_INDICATORS[0]).index]
    return plot_security_bands({"this scenario": bands}, years, path, n_runs=st.runs,
                               title=title, note=rejected_note(st), anti_drug=anti_drug)


def has_anti_drug_unit(run_dir: str | Path) -> bool:
    """Whether a run's resolved ``scenario.yaml`` tables a RATS upgrade with an anti-drug unit.

    Its ``units`` hold ``anti_drug`` (the spec's default holds every unit). RATS has no
    anti-drug unit today (``SecurityParams.rats_baseline``), so only a proposal brings one.
    False without the file: the title then says what is true of every run.
    """
    import yaml

    from scosim.security.spec import RatsUpgradeProposal

    saved = Path(run_dir) / "scenario.yaml"
    if not saved.is_file():
        return False
    proposals = (yaml.safe_load(saved.read_text(encoding="utf-8")) or {}).get("proposals") or []
    default = RatsUpgradeProposal.model_fields["units"].default_factory()
    return any(isinstance(p, dict) and p.get("type") == "rats_upgrade"
               and "anti_drug" in (default if p.get("units") is None else p["units"])
               for p in proposals)


def rejected_note(st: RunStats) -> str:
    """What the title says of proposals voted on and adopted in no run ('' if none).

    A figure of a scenario whose upgrade was rejected in every run shows a world without
    it; its title must say so, as vote_reasons.png does (an outside referee, 2026-12-07).
    Reads the run's votes and adoptions (empty when the statistics carry no events).
    """
    runs = int(st.runs)
    out = [f"proposal {v.proposal} rejected in {runs} of {runs} runs: not in force in any "
           "run (this is the world without it)"
           for v in st.ordered_first_votes() if st.adopted_runs.get(v.proposal, 0) == 0]
    return "; ".join(out)
