"""Place the map's economy labels so they overprint neither each other nor the nodes.

A small deterministic repel, no extra dependency: each label tries positions around its
node (right, upper right, upper left, left, lower right, lower left, above, below), first
next to the node's marker, then further out with a thin leader line. It takes the first
position clear of the labels already placed, of every node marker and of the boxes it is
told to avoid (a corridor's flow label), inside the axes; where none is clear, the one
that overlaps least. Crowded nodes are placed first, so they get the nearest positions.
Labels carry a white halo, so a line under one does not break its letters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.patheffects as patheffects
import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

#: Directions tried around a node, in order of preference (x, y signs).
DIRECTIONS: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 0), (-1, 1), (-1, 0), (1, -1), (-1, -1), (0, 1), (0, -1))
#: Extra distances (points) beyond the marker's edge tried in turn; beyond the first, a
#: leader line joins the label to its node.
STEPS_PT: tuple[float, ...] = (1.0, 5.0, 10.0, 16.0, 24.0)
#: Distance of a label from its marker above which a leader line is drawn (points).
LEADER_PT = 4.0
#: Halo around the letters (points).
HALO_PT = 2.0


@dataclass(frozen=True)
class Marker:
    """A node's marker as an obstacle: data coordinates and radius in points."""

    x: float
    y: float
    radius_pt: float


def marker_radius_pt(size: float) -> float:
    """Radius in points of a scatter marker of ``size`` (matplotlib's ``s``, points^2)."""
    return 0.5 * float(np.sqrt(size))


def _area(a: Bbox, b: Bbox) -> float:
    """Area of the intersection of two boxes (0 when they do not meet)."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def _candidates(radius_pt: float, w: float, h: float
                ) -> list[tuple[float, float, bool]]:
    """Lower-left offsets (points) of a ``w`` x ``h`` box around a marker, in order.

    Returns:
        ``(dx, dy, leader)`` per position: the box's lower-left corner relative to the
        node, and whether it is far enough to need a leader line.
    """
    out = []
    for step in STEPS_PT:
        d = radius_pt + step
        for sx, sy in DIRECTIONS:
            dx = d if sx > 0 else (-d - w if sx < 0 else -0.5 * w)
            dy = d if sy > 0 else (-d - h if sy < 0 else -0.5 * h)
            out.append((dx, dy, step > LEADER_PT))
    return out


def place_labels(ax: Axes, points: Sequence[tuple[float, float, str, float]],
                 markers: Sequence[Marker], avoid: Sequence[Bbox] = (),
                 fontsize: float = 7.0, zorder: float = 7.0) -> list[Annotation]:
    """Annotate each point with its text where it overlaps the least.

    Call it once the axes' limits and aspect are set: positions are worked out on the
    figure's canvas.

    Args:
        ax: Axes of the map.
        points: ``(x, y, text, radius_pt)`` per label: the node in data coordinates, the
            label, and the radius of the node's own marker in points.
        markers: Every marker on the map (the labelled nodes' too), as obstacles.
        avoid: Further boxes in display coordinates (pixels) no label should cover.
        fontsize: Label size in points.
        zorder: Drawing order of the labels (above the markers).

    Returns:
        The annotations, in the order of ``points``.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    px = fig.dpi / 72.0  # pixels per point
    frame = ax.get_window_extent(renderer)
    xy = ax.transData.transform(np.array([(m.x, m.y) for m in markers], float).reshape(-1, 2))
    pad = 0.5 * px
    obstacles = [Bbox.from_extents(x - r * px - pad, y - r * px - pad,
                                   x + r * px + pad, y + r * px + pad)
                 for (x, y), r in zip(xy, (m.radius_pt for m in markers), strict=True)]
    avoid = list(avoid)
    halo = [patheffects.withStroke(linewidth=HALO_PT, foreground="white")]
    # Crowded nodes first (most other labelled nodes within 30 points), then by text.
    at = ax.transData.transform(np.array([(p[0], p[1]) for p in points], float).reshape(-1, 2))
    near = [int((np.hypot(*(at - at[i]).T) < 30 * px).sum()) for i in range(len(points))]
    order = sorted(range(len(points)), key=lambda i: (-near[i], points[i][2]))
    placed: list[Bbox] = []
    out: dict[int, Annotation] = {}
    for i in order:
        x, y, text, radius = points[i]
        probe = ax.text(0, 0, text, fontsize=fontsize)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        w, h = ext.width / px, ext.height / px
        best: tuple[float, int, tuple[float, float, bool], Bbox] | None = None
        for k, cand in enumerate(_candidates(radius, w, h)):
            dx, dy = cand[0] * px, cand[1] * px
            box = Bbox.from_extents(at[i, 0] + dx, at[i, 1] + dy,
                                    at[i, 0] + dx + w * px, at[i, 1] + dy + h * px)
            cost = 10.0 * sum(_area(box, b) for b in placed)
            cost += 10.0 * sum(_area(box, b) for b in avoid)
            cost += sum(_area(box, b) for b in obstacles)
            cost += 10.0 * (box.width * box.height - _area(box, frame))
            if best is None or cost < best[0]:
                best = (cost, k, cand, box)
            if cost == 0.0:
                break
        assert best is not None
        _, _, (dx, dy, leader), box = best
        arrow = (dict(arrowstyle="-", lw=0.5, color="0.35", shrinkA=0.0, shrinkB=radius)
                 if leader else None)
        out[i] = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                             ha="left", va="bottom", fontsize=fontsize, zorder=zorder,
                             path_effects=halo, arrowprops=arrow)
        placed.append(box)
    return [out[i] for i in range(len(points))]
