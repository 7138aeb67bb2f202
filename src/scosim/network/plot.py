"""A map-like figure of the network and the trade-cost changes a corridor brings.

Nodes sit at their coordinates, edges are coloured by mode and a corridor is highlighted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from scosim.data.constants import NAMES  # noqa: E402
from scosim.network.finance import FinanceOutcome  # noqa: E402
from scosim.network.labels import Marker, marker_radius_pt, place_labels  # noqa: E402
from scosim.network.tables import NetworkTables  # noqa: E402

MODE_STYLE: dict[str, tuple[str, str]] = {
    "road": ("#8c6d31", "road"),
    "rail": ("#2b5d9b", "rail"),
    "sea": ("#7fb3d5", "sea lane"),
    "inland_water": ("#17becf", "Caspian Sea"),
    # Dark magenta, not red: red is "dearer" on the map's colour scale (RdBu_r).
    "pipeline": ("#7a0177", "gas pipeline"),
    "power": ("#9467bd", "power line"),
}
HIGHLIGHT = "#ff7f0e"
#: A gains bar shorter than this share of the longest is too small to see at the figure's
#: width (about 3 of its 600 pixels): no colour key is drawn for it; the key counts them.
SEEN = 0.005
#: One colour per highlighted project, in order: none is a mode's colour, the grey of closed
#: edges or the greys of the side panel's bars, so two projects never share a line colour.
HIGHLIGHTS = (HIGHLIGHT, "#2ca02c", "#e377c2", "#bcbd22", "#000000")
#: Bars of the side panel: neutral greys, so they do not read as a mode or a project.
PANEL_EXPORTS, PANEL_IMPORTS = "#4d4d4d", "#b3b3b3"


#: Where a flow callout may sit, in axes fractions (x, y, ha, va): the map's top edge,
#: then its right edge, away from the legend (lower left). Beside its edge, the INSTC's
#: box covered the markers of Iran, Turkmenistan and Tajikistan and pushed their labels.
CALLOUT_SPOTS = ((0.5, 0.985, "center", "top"), (0.985, 0.985, "right", "top"),
                 (0.3, 0.985, "center", "top"), (0.985, 0.02, "right", "bottom"),
                 (0.985, 0.5, "right", "center"))


def _marker_boxes(ax: Any, renderer: Any) -> list[Any]:
    """Pixel boxes of the map's scatter markers (centres, junctions, upgrades)."""
    from matplotlib.transforms import Bbox

    px = ax.figure.dpi / 72.0
    out = []
    for c in ax.collections:
        offsets, sizes = c.get_offsets(), c.get_sizes()
        if len(offsets) == 0 or len(sizes) == 0:
            continue
        xy = ax.transData.transform(np.asarray(offsets, float))
        r = 0.5 * np.sqrt(np.broadcast_to(sizes, len(xy))) * px
        out += [Bbox.from_extents(x - rr, y - rr, x + rr, y + rr)
                for (x, y), rr in zip(xy, r, strict=True)]
    return out


def _callout_box(note: Any, renderer: Any) -> Any:
    """The pixel box of a callout where it now stands.

    Its frame is moved only when drawn: read before that, every box was the same unit
    square, so no two callouts were ever seen to overlap (corridor_energy's two boxes sat
    on each other until 2026-12-07).
    """
    note.update_positions(renderer)
    note.update_bbox_position_size(renderer)
    return note.get_bbox_patch().get_window_extent(renderer)


def park_callouts(ax: Any, callouts: Sequence[Any], renderer: Any) -> None:
    """Move each flow callout to the first of :data:`CALLOUT_SPOTS` that covers no marker.

    Tied to its edge by a leader line; the spots are tried in order and each callout
    also keeps off those parked before it (deterministic: no search over positions).
    A callout that fits nowhere stays at the spot covering the fewest markers.
    """
    markers = _marker_boxes(ax, renderer)
    taken: list[Any] = []
    for note in callouts:
        note.set_anncoords("axes fraction")
        best, fewest = CALLOUT_SPOTS[0], None
        for spot in CALLOUT_SPOTS:
            x, y, ha, va = spot
            note.xyann = (x, y)
            note.set_ha(ha)
            note.set_va(va)
            box = _callout_box(note, renderer)
            hits = sum(box.overlaps(m) for m in markers) + 100 * sum(
                box.overlaps(t) for t in taken)
            if fewest is None or hits < fewest:
                best, fewest = spot, hits
            if hits == 0:
                break
        x, y, ha, va = best
        note.xyann = (x, y)
        note.set_ha(ha)
        note.set_va(va)
        taken.append(_callout_box(note, renderer))


def project_name(tables: NetworkTables, project: str) -> str:
    """A project's readable name (``projects.csv`` ``name``), its id where it has none."""
    if project in tables.projects.index and "name" in tables.projects.columns:
        name = tables.projects.loc[project, "name"]
        if isinstance(name, str) and name.strip():
            return name
    return project


def highlight_colours(highlight: Sequence[str]) -> dict[str, str]:
    """Line colour of each highlighted project (distinct for up to five, then repeating)."""
    return {p: HIGHLIGHTS[k % len(HIGHLIGHTS)] for k, p in enumerate(dict.fromkeys(highlight))}


def plot_network(tables: NetworkTables, path: str | Path, highlight: Sequence[str] = (),
                 t_hat: np.ndarray | None = None, focus: str = "IND",
                 title: str | None = None, extent: tuple[float, float, float, float] = (
                     25.0, 125.0, 0.0, 62.0),
                 flows: Mapping[str, str] | None = None,
                 flow_edges: Mapping[str, str] | None = None) -> Path:
    """Draw the network and, optionally, the trade-cost changes of a scenario.

    Args:
        tables: Network tables.
        path: PNG file to write.
        highlight: Project ids drawn thick, each in its own colour (their edges, built or
            not), with one key entry each.
        t_hat: (N, N) iceberg changes of one run (e.g. ``step.t_hat[0]``); adds a panel with
            the changes of ``focus``'s trade costs with each partner, and colours each centre
            by the change of its trade cost with ``focus`` (the larger fall of the two
            directions).
        focus: Economy whose bilateral changes are shown.
        title: Figure title (default names the highlighted projects).
        extent: (lon_min, lon_max, lat_min, lat_max) of the map.
        flows: Project id -> label of what it carries (e.g. ``"4.2 Mt/yr"``), written after
            the project's name next to the edge ``flow_edges`` gives.
        flow_edges: Project id -> edge id the label describes (e.g. the edge whose carried
            flow it gives); default the project's longest edge.

    Returns:
        The path written.
    """
    nodes, edges = tables.nodes, tables.edges
    econ = list(tables.economies)
    with_panel = t_hat is not None
    hl_colour = highlight_colours(highlight)
    fig = plt.figure(figsize=(16 if with_panel else 11, 7.5))
    ax = fig.add_axes((0.04, 0.08, 0.52 if with_panel else 0.9, 0.82))
    for _, e in edges.iterrows():
        a, b = nodes.loc[e["from_node"]], nodes.loc[e["to_node"]]
        colour, _ = MODE_STYLE[e["mode"]]
        is_hl = e["status"] == "project" and e["project"] in highlight
        if e["status"] == "project" and not is_hl:
            style = dict(color=colour, lw=1.0, ls=(0, (2, 2)), alpha=0.6, zorder=2)
        elif e["status"] == "closed":
            style = dict(color="grey", lw=1.0, ls=":", alpha=0.8, zorder=2)
        elif is_hl:
            style = dict(color=hl_colour[e["project"]], lw=4.0, alpha=0.95, zorder=4)
        else:
            style = dict(color=colour, lw=1.2 if e["mode"] != "sea" else 0.8, alpha=0.8,
                         zorder=1 if e["mode"] == "sea" else 2)
        ax.plot([a["lon"], b["lon"]], [a["lat"], b["lat"]], **style)
    flow_labels = []
    for project, text in (flows or {}).items():
        pe = edges[edges["project"] == project]
        if pe.empty:
            continue
        at = (flow_edges or {}).get(project)
        if at is not None and at not in pe.index:
            raise ValueError(f"flow_edges: {at!r} is not an edge of {project}; allowed: "
                             f"{list(pe.index)}")
        # On the edge the number is about: the INSTC's 10 Mt (Rasht-Astara) sat on the
        # longest edge, Chabahar-Zahedan, whose capacity is 7.
        e = pe.loc[at] if at is not None else pe.loc[pe["length_km"].idxmax()]
        a, b = nodes.loc[e["from_node"]], nodes.loc[e["to_node"]]
        mid = (0.5 * (a["lon"] + b["lon"]), 0.5 * (a["lat"] + b["lat"]))
        flow_labels.append(ax.annotate(
            f"{project_name(tables, project)}: {text}", mid, xytext=(8, -12),
            textcoords="offset points",
            fontsize=8, zorder=8, color="black",
            bbox=dict(boxstyle="round", fc="white", ec=hl_colour.get(project, HIGHLIGHT)),
            # A leader line to its edge: park_callouts moves the box off the markers.
            arrowprops=dict(arrowstyle="->", color="black", lw=0.7)))
    # Where a highlighted project upgrades ports or border procedures (project_measures.csv).
    measures = tables.measures
    spots: list[tuple[float, float, str]] = []
    if highlight and not measures.empty:
        chosen = measures[measures["project"].isin(highlight)]
        for project, target in zip(chosen["project"], chosen["target"], strict=True):
            if target in nodes.index:
                spots.append((nodes.loc[target, "lon"], nodes.loc[target, "lat"],
                              hl_colour[project]))
            elif target in tables.edges.index:
                e = tables.edges.loc[target]
                a, b = nodes.loc[e["from_node"]], nodes.loc[e["to_node"]]
                spots.append((0.5 * (a["lon"] + b["lon"]), 0.5 * (a["lat"] + b["lat"]),
                              hl_colour[project]))
    if spots:
        xs, ys, cs = zip(*spots, strict=True)
        ax.scatter(xs, ys, s=60, marker="D", facecolor="none", edgecolors=list(cs), lw=1.5,
                   zorder=7)
    centres = nodes[nodes["kind"].isin(("centre", "gateway"))]
    # An economy's heaviest centre carries its label; a regional centre is drawn smaller
    # (several labels of one code crowded the Fergana valley).
    heaviest = centres.groupby("economy")["centre_weight"].transform("max")
    is_main = (centres["centre_weight"] == heaviest).to_numpy()
    main = set(centres.index[is_main])
    sizes = np.where(is_main, 70.0, 35.0)
    others = nodes[~nodes["kind"].isin(("centre", "gateway", "waypoint"))]
    ax.scatter(others["lon"], others["lat"], s=8, color="black", zorder=5,
               label="port, border crossing or junction")
    colours, lim = "white", 0.0
    if with_panel and focus in econ:
        k = econ.index(focus)
        change = np.array([100.0 * (min(t_hat[k, econ.index(c)], t_hat[econ.index(c), k]) - 1)
                           if c in econ else 0.0 for c in centres["economy"]])
        lim = float(np.abs(change).max())
    coloured = with_panel and focus in econ and lim > 1e-6
    drawn = sizes if coloured else sizes * 60.0 / 70.0  # marker areas, points^2
    if coloured:
        # Blue for a fall, red for a rise: red is "worse" in every other figure (the
        # comparison's "rise (worse)"), and Pakistan's 2 % fall with Uzbekistan read as a loss.
        sc = ax.scatter(centres["lon"], centres["lat"], s=sizes, c=change, cmap="RdBu_r",
                        vmin=-lim, vmax=lim, edgecolor="black", zorder=6)
        cb = fig.colorbar(sc, cax=fig.add_axes((0.575, 0.15, 0.01, 0.68)))
        cb.set_label(f"change in trade cost with {focus}, %\n(larger fall of the two "
                     "directions; blue: cheaper, red: dearer)")
    else:
        # Nothing moved (e.g. energy projects only): no colour scale of +-1e-9 percent.
        ax.scatter(centres["lon"], centres["lat"], s=drawn, color=colours,
                   edgecolor="black", zorder=6)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (extent[2] + extent[3]))))
    # Labels of the main centres, off each other, the markers and the flow labels (KGZ
    # and KAZ read "KGKAZ", a junction dot covered EGY's E).
    markers = [Marker(x, y, marker_radius_pt(s))
               for x, y, s in zip(centres["lon"], centres["lat"], drawn, strict=True)]
    markers += [Marker(x, y, marker_radius_pt(8.0))
                for x, y in zip(others["lon"], others["lat"], strict=True)]
    markers += [Marker(x, y, marker_radius_pt(60.0)) for x, y, _ in spots]
    labelled = [(r["lon"], r["lat"], r["economy"], marker_radius_pt(s))
                for (node, r), s in zip(centres.iterrows(), drawn, strict=True)
                if node in main and extent[0] <= r["lon"] <= extent[1]
                and extent[2] <= r["lat"] <= extent[3]]
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    park_callouts(ax, flow_labels, renderer)
    place_labels(ax, labelled, markers, fontsize=7,
                 avoid=[_callout_box(f, renderer) for f in flow_labels])
    ax.set_xlabel("longitude, degrees east")
    ax.set_ylabel("latitude, degrees north")
    ax.grid(alpha=0.2)
    handles = [Line2D([], [], color=c, lw=2, label=lab) for c, lab in MODE_STYLE.values()]
    handles += [
        Line2D([], [], color="grey", lw=1.5, ls=(0, (2, 2)),
               label="other projects, not built (dashed, in their mode's colour)"),
        Line2D([], [], color="grey", lw=1.5, ls=":", label="closed to trade"),
    ]
    handles += [Line2D([], [], color=c, lw=4, label=project_name(tables, p))
                for p, c in hl_colour.items()]
    if spots:
        handles.append(Line2D([], [], ls="", marker="D", mfc="none", mec="black", mew=1.5,
                              label="port or crossing a project upgrades (its colour)"))
    handles.append(Line2D([], [], ls="", marker="o", mfc="white", mec="black",
                          label="economic centre (straight lines between nodes)"))
    if not is_main.all():
        handles.append(Line2D([], [], ls="", marker="o", ms=4.5, mfc="white", mec="black",
                              label="regional centre, unlabelled (weighted by population)"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    if with_panel and focus in econ:
        k = econ.index(focus)
        # Top at 0.86: at 0.90 its title sat on the line of a three-line figure title.
        bx = fig.add_axes((0.76, 0.08, 0.22, 0.78))
        exp = 100.0 * (t_hat[k, :] - 1.0)
        imp = 100.0 * (t_hat[:, k] - 1.0)
        moved = np.maximum(np.abs(exp), np.abs(imp)) > 1e-6
        order = [j for j in np.argsort(np.minimum(exp, imp)) if j != k and moved[j]][:15]
        if not order:
            bx.text(0.5, 0.5, "no change in any\nbilateral trade cost", ha="center",
                    va="center", transform=bx.transAxes)
            # An empty 0-centred scale would read as a measured zero (as elsewhere).
            bx.set_xticks([])
        y = np.arange(len(order))
        bx.barh(y - 0.2, exp[order], height=0.4, color=PANEL_EXPORTS,
                label=f"{focus} exports to")
        bx.barh(y + 0.2, imp[order], height=0.4, color=PANEL_IMPORTS,
                label=f"{focus} imports from")
        bx.set_yticks(y, [NAMES.get(econ[j], econ[j]) for j in order], fontsize=8)
        bx.set_ylim(max(len(order), 8) - 0.5, -0.5)  # keep bars thin when few partners move
        if order:
            bx.axvline(0, color="black", lw=0.8)
        bx.set_xlabel("change in iceberg trade cost, %")
        bx.set_title(f"{NAMES.get(focus, focus)}: largest trade-cost changes", fontsize=10)
        if order:  # an empty panel has no bars to key
            bx.legend(fontsize=8, loc="lower left")
        bx.grid(axis="x", alpha=0.3)
    name = ", ".join(project_name(tables, p) for p in highlight) if highlight else "baseline"
    fig.suptitle(title or f"scosim transport and energy network: {name}\n"
                 "lines are schematic links between nodes, not alignments", fontsize=12)
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_who_pays(outcomes: Mapping[str, FinanceOutcome], economies: Sequence[str],
                  path: str | Path, project: str, top: int = 8) -> Path:
    """Bars of who pays and who bears the risk of one project under each financing mode.

    Args:
        outcomes: Financing mode -> :class:`scosim.network.finance.FinanceOutcome` of one run
            (the first run of each is drawn), e.g. from ``finance_project`` for ``budget``,
            ``bank_guaranteed`` and ``bank_project``.
        economies: Economy codes in the column order of the outcomes.
        path: PNG file to write.
        project: Project name for the title.
        top: Number of economies shown (largest payments or risks).

    Returns:
        The path written.
    """
    modes = list(outcomes)
    paid = np.array([np.asarray(outcomes[m].paid)[0] for m in modes]) / 1e9
    risk = np.array([np.asarray(outcomes[m].risk)[0] for m in modes]) / 1e9
    show = np.argsort(-(paid.max(axis=0) + risk.max(axis=0)))[:top]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    y = np.arange(len(show))
    h = 0.8 / len(modes)
    for ax, values, label in ((axes[0], paid, "expected payments, US$ bn (present value)"),
                              (axes[1], risk, "expected loss from a failure, US$ bn")):
        for k, mode in enumerate(modes):
            ax.barh(y + (k - (len(modes) - 1) / 2) * h, values[k, show], height=h,
                    label=mode.replace("_", " "))
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [NAMES.get(economies[j], economies[j]) for j in show])
    axes[0].invert_yaxis()
    axes[0].set_title("who pays")
    axes[1].set_title("who bears the risk")
    axes[0].legend(title="financing", fontsize=8)
    fig.suptitle(f"{project}: payments and risk by economy under budget and SCO Development "
                 "Bank financing")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_gains(change: np.ndarray, economies: Sequence[str], path: str | Path, title: str,
               label: str = "welfare change (real expenditure), %", top: int = 12) -> Path:
    """Per-economy gains with intervals across runs: mean and 5th-95th percentile.

    Bars are means: the statistic a run's answer (``summary.txt``) and its welfare bar
    chart (``welfare_final_year.png``) report.

    Args:
        change: (R, N) changes as ratios minus one (e.g. ``welfare_change - 1``) per run.
        economies: Economy codes (N,).
        path: PNG file to write.
        title: Figure title (say what varies across runs).
        label: Axis label.
        top: Number of economies shown (largest absolute mean change).

    Returns:
        The path written.
    """
    c = 100.0 * np.atleast_2d(np.asarray(change, float))
    lo, hi = np.percentile(c, [5, 95], axis=0)
    return plot_gains_bands(np.stack([lo, c.mean(axis=0), hi]), c.shape[0], economies, path,
                            title, label=label, top=top)


def plot_gains_bands(bands: np.ndarray, n_runs: int, economies: Sequence[str],
                     path: str | Path, title: str,
                     label: str = "welfare change (real expenditure), %",
                     top: int = 12, stat: str = "mean") -> Path:
    """:func:`plot_gains` from statistics over runs: bars of ``stat``, 5th-95th whiskers.

    The whiskers span the 5th to the 95th percentile whatever the bar: a mean may lie
    outside them (a change in a few runs only), and a whisker anchored on the bar would
    then end at the mean instead of at the percentile.

    Args:
        bands: ``(3, N)`` 5th percentile, ``stat`` and 95th percentile over runs, in
            percent.
        n_runs: Runs they are taken over (said in the key).
        economies: Economy codes (N,).
        path: PNG file to write.
        title: Figure title (say what varies across runs and which statistic the bars are).
        label: Axis label.
        top: Number of economies shown (largest absolute bar).
        stat: What the bars are (``"mean"`` or ``"median"``), said in the key.

    Returns:
        The path written.
    """
    lo, mid, hi = np.asarray(bands, dtype=float)
    show = np.argsort(-np.abs(mid))[:top]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(show) + 1.8))
    y = np.arange(len(show))
    gain = mid[show] >= 0
    ax.barh(y, mid[show], color=np.where(gain, "C2", "C3"), alpha=0.8)
    # One key entry per bar colour a reader can see (a single entry took the first bar's
    # colour; a "gain" swatch beside losses alone, for gains of a thousandth of the axis,
    # drew what the plot does not show, until 2026-12-07); bars too small to see are said.
    tiny = np.abs(mid[show]) < SEEN * float(np.max(np.abs(mid[show]), initial=0.0))
    handles: list[Any] = [
        Patch(color=col, alpha=0.8, label=f"{stat} of {n_runs} runs: {word}")
        for col, word, present in (("C2", "gain", (gain & ~tiny).any()),
                                   ("C3", "loss", (~gain & ~tiny).any())) if present]
    if tiny.any():
        top_tiny = float(np.max(np.abs(mid[show][tiny])))
        handles.append(Patch(facecolor="none", edgecolor="none",
                             label=f"{int(tiny.sum())} bars of at most {top_tiny:.2g}"
                                   f"{' %' if label.rstrip().endswith('%') else ''} "
                                   "(gain or loss): too small to see"))
    if n_runs > 1:
        handles.append(ax.errorbar(
            (lo[show] + hi[show]) / 2, y, xerr=(hi[show] - lo[show]) / 2, fmt="none",
            ecolor="black", capsize=3, label="5th-95th percentile"))
    ax.set_yticks(y, [NAMES.get(economies[j], economies[j]) for j in show])
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(label)
    ax.grid(axis="x", alpha=0.3)
    # Below the axes: inside, "lower right" sat on the losses that end at 0, and with
    # twelve long bars no corner is free.
    ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1),
              ncol=min(len(handles), 3), frameon=False)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return out
