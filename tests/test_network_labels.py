"""The network map's economy labels overprint neither each other nor the nodes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text

from scosim.network.step import CorridorNetwork
from scosim.network.tables import load_network


@pytest.fixture(scope="module")
def net() -> CorridorNetwork:
    return CorridorNetwork()


def _kept_map(monkeypatch, net, tmp_path, projects, focus):
    """Draw the run map of ``projects`` (with a flow label) and return its open figure."""
    from scosim.network import plot

    kept = []
    monkeypatch.setattr(plot.plt, "close", kept.append)
    out = net.step(active_projects=projects)
    plot.plot_network(net.tables, tmp_path / "map.png", highlight=projects,
                      t_hat=out.t_hat[0], focus=focus,
                      flows={projects[0]: "1.5 Mt/yr carried in 2035"})
    return kept[-1]


def _marker_boxes(ax, renderer):
    """Pixel boxes of every scatter marker on the map (the map's own helper)."""
    from scosim.network.plot import _marker_boxes

    return _marker_boxes(ax, renderer)


@pytest.mark.parametrize(("projects", "focus"), [
    (["TRANS_AFGHAN_RAIL"], "UZB"), (["INSTC_CHABAHAR"], "IND")])
def test_economy_labels_do_not_overlap_each_other_or_nodes(net, tmp_path, monkeypatch,
                                                           projects, focus):
    """afghan_corridor's map read "KGKAZ" (KGZ's label ran into KAZ's) and a junction dot
    covered EGY's E: every label was put 3 points up and right of its node, wherever the
    neighbours were."""
    import matplotlib.pyplot as plt

    codes = set(load_network().economies)
    fig = _kept_map(monkeypatch, net, tmp_path, projects, focus)
    try:
        ax = fig.axes[0]
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        labels = [t for t in ax.texts if t.get_text() in codes]
        assert {"KGZ", "KAZ", "EGY", "UZB", "TJK"} <= {t.get_text() for t in labels}
        # The letters alone (an annotation's extent also spans its leader line).
        boxes = {t.get_text(): Text.get_window_extent(t, r) for t in labels}
        names = sorted(boxes)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                assert not boxes[a].overlaps(boxes[b]), f"{a} and {b} overprint"
        markers = _marker_boxes(ax, r)
        for name, box in boxes.items():
            hit = [m for m in markers if box.overlaps(m)]
            assert not hit, f"{name}'s label sits on a node"
        # The flow label names the project (projects.csv), not its id.
        name = load_network().projects.loc[projects[0], "name"]
        flow = [t for t in ax.texts if t.get_text().startswith(name + ": ")]
        # Its box (its extent also spans the leader line to its edge).
        assert flow and not any(box.overlaps(flow[0].get_bbox_patch().get_window_extent(r))
                                for box in boxes.values())
        # Each label stays by its node: within 30 points of it.
        px = fig.dpi / 72.0
        for t in labels:
            x, y = ax.transData.transform(t.xy)
            box = boxes[t.get_text()]
            dx = max(box.x0 - x, 0.0, x - box.x1)
            dy = max(box.y0 - y, 0.0, y - box.y1)
            assert np.hypot(dx, dy) < 30 * px, t.get_text()
    finally:
        plt.close(fig)


def test_place_labels_is_deterministic_and_prefers_the_upper_right():
    """A lone label goes just up and right of its marker, the same way every time."""
    import matplotlib.pyplot as plt

    from scosim.network.labels import Marker, place_labels

    fig, ax = plt.subplots()
    try:
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 10)
        first = place_labels(ax, [(5.0, 5.0, "AAA", 4.0)], [Marker(5.0, 5.0, 4.0)])
        again = place_labels(ax, [(5.0, 5.0, "AAA", 4.0)], [Marker(5.0, 5.0, 4.0)])
        assert first[0].xyann == again[0].xyann == (5.0, 5.0)
        assert first[0].arrow_patch is None
    finally:
        plt.close(fig)


@pytest.mark.parametrize(("projects", "focus"), [
    (["INSTC_CHABAHAR"], "IND"), (["TRANS_AFGHAN_RAIL"], "UZB")])
def test_the_flow_callout_covers_no_node(net, tmp_path, monkeypatch, projects, focus):
    """corridor_instc's map: the INSTC's callout box, beside its edge, covered the markers
    of Iran, Turkmenistan and Tajikistan and pushed their labels off."""
    import matplotlib.pyplot as plt

    fig = _kept_map(monkeypatch, net, tmp_path, projects, focus)
    try:
        ax = fig.axes[0]
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        name = load_network().projects.loc[projects[0], "name"]
        (flow,) = [t for t in ax.texts if t.get_text().startswith(name + ": ")]
        box = flow.get_bbox_patch().get_window_extent(r)
        assert not [m for m in _marker_boxes(ax, r) if box.overlaps(m)]
        assert ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1)
        assert flow.arrow_patch is not None  # tied to its edge by a leader line
    finally:
        plt.close(fig)


def test_the_gas_pipeline_is_not_a_colour_of_the_cost_scale():
    """Red meant both a gas pipeline and "dearer" on the map's RdBu_r scale."""
    import matplotlib

    from scosim.network.plot import MODE_STYLE

    pipe = np.array(matplotlib.colors.to_rgb(MODE_STYLE["pipeline"][0]))
    scale = matplotlib.colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3]
    assert np.min(np.linalg.norm(scale - pipe, axis=1)) > 0.25
