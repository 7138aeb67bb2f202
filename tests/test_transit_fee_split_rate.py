"""The fee split by freight rate (``parameters.network.fee_split: freight_rate``).

The km split's sensitivity; named ``cost`` until a review found that it weighs the
shipper's freight rate, not the hosts' cost (2026-12-07): the option is now named for what
it is, and ``cost`` is refused.


By km is an assumption: no source of the project gives these lines' transit tariffs or a
cost-based split (docs/anchors.md, the raw data's SOURCES.md). The alternative weighs each
edge by its km times its freight rate per TEU-km. Checks: on a hand-built route the parts
are km x rate over the route's sum (by hand, with Reed and Trubetskoy's rail rates, 0.23
and 0.47 US$ per TEU-km, docs/anchors.md); on the CKU, all of one rate, the two splits are
one; on the Trans-Afghan railway a whole-route TEU pays Pakistan its edges' km x rate share
(computed apart from the table); the scenario field is validated, and a scenario at the
default keeps its hash (a finished run is still found).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.network.fee_split import edge_fee_weights, edge_rates

RAIL_HIGH, RAIL_LOW = 0.23, 0.47  # US$ per TEU-km, Reed and Trubetskoy 2019 (median)


def test_a_rate_split_weighs_each_edge_by_km_times_its_rate() -> None:
    edges = pd.DataFrame({"length_km": [480.0, 1.0, 185.0, 700.0],
                          "mode": ["rail", "rail", "rail", "road"],
                          "quality": ["high", "high", "low", "low"]})
    params = {"rate_rail_high": RAIL_HIGH, "rate_rail_low": RAIL_LOW, "rate_road_low": 0.85}
    project = np.array([0, 0, 0, -1])
    rates = edge_rates(edges, params)
    np.testing.assert_array_equal(rates, [RAIL_HIGH, RAIL_HIGH, RAIL_LOW, 0.85])
    weight = edge_fee_weights(edges, project, 1, rates)
    total = 480 * RAIL_HIGH + 1 * RAIL_HIGH + 185 * RAIL_LOW
    np.testing.assert_allclose(weight, [480 * RAIL_HIGH / total, RAIL_HIGH / total,
                                        185 * RAIL_LOW / total, 0.0], rtol=1e-12)
    assert weight.sum() == pytest.approx(1.0, rel=1e-12)
    # The dear section's part rises from its km share: 185/666 by km.
    assert weight[2] > edge_fee_weights(edges, project, 1)[2] == pytest.approx(185 / 666)


def test_the_two_splits_agree_on_a_route_of_one_rate_and_differ_on_the_trans_afghan() -> None:
    from scosim.network.step import CorridorNetwork

    km, cost = CorridorNetwork(), CorridorNetwork(fee_split="freight_rate")
    cku = km.graph.edge_project == km.project_ids.index("CKU_RAIL")
    np.testing.assert_allclose(cost.fee_weights[cku], km.fee_weights[cku], rtol=1e-12)
    p = km.project_ids.index("TRANS_AFGHAN_RAIL")
    own = km.graph.edge_project == p
    flow = np.where(own, 1.0, 0.0)[None]  # 1 Mt on every edge: whole-route traffic
    mask = np.zeros(len(km.project_ids), bool)
    mask[p] = True
    teu = 1e6 / km.params["tonnes_per_teu"]
    pak = km.tables.economies.index("PAK")
    edges = km.tables.edges[km.tables.edges["project"] == "TRANS_AFGHAN_RAIL"]
    length = edges["length_km"].to_numpy(float)
    rate = np.where(edges["quality"] == "low", RAIL_LOW, RAIL_HIGH)
    # Pakistan: all of the Pakistani link and half the 1 km border crossing.
    in_pak = np.array([0.0 if "PAK" not in e else (0.5 if len(e) == 2 else 1.0)
                       for e in edges["economies"]])
    for net, w in ((km, length), (cost, length * rate)):
        base = net.fee_base_teu(flow, mask)[0]
        assert base.sum() == pytest.approx(teu, rel=1e-12)  # the hosts share the whole fee
        assert base[pak] / teu == pytest.approx((w * in_pak).sum() / w.sum(), rel=1e-12)
    assert cost.fee_base_teu(flow, mask)[0][pak] > km.fee_base_teu(flow, mask)[0][pak]


def test_the_field_is_validated_and_the_default_keeps_the_scenarios_hash() -> None:
    from pydantic import ValidationError

    from scosim.network.params import NetworkParams

    assert "fee_split" not in NetworkParams().model_dump()
    assert NetworkParams(fee_split="freight_rate").model_dump()["fee_split"] == "freight_rate"
    # The old name is refused (added and renamed the same day: no alias).
    for bad in ("tariff", "cost"):
        with pytest.raises(ValidationError, match="'km' or 'freight_rate'"):
            NetworkParams(fee_split=bad)
        with pytest.raises(ValueError, match="allowed: km, freight_rate"):
            from scosim.network.step import CorridorNetwork

            CorridorNetwork(fee_split=bad)


def test_a_bad_split_on_the_command_line_is_one_error_line(tmp_path, capsys) -> None:
    from pathlib import Path

    from scosim.cli import main

    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "corridor_cku.yaml"
    out = tmp_path / "out"
    code = main(["run", str(scenario), "--set", "parameters.network.fee_split=tariff",
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0
    assert "parameters.network.fee_split: 'tariff' is not one of km, freight_rate" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*"))  # nothing left behind


def test_the_edges_report_gives_each_edges_part_of_the_fee_under_either_split() -> None:
    from scosim.network.edge_teu import _fee_parts
    from scosim.network.step import CorridorNetwork

    edges = ["X008", "X009", "X010", "X011"]  # the Trans-Afghan railway, 480/92/1/185 km
    km = " ".join(_fee_parts(CorridorNetwork(), edges))
    cost = " ".join(_fee_parts(CorridorNetwork(fee_split="freight_rate"), edges))
    route = 480 + 92 + 1 + 184.77080297618335  # the Pakistani link's km from edges.csv
    assert f"(by km): X008 {100 * 480 / route:.1f} %" in km
    dear = 184.77080297618335 * RAIL_LOW
    assert (f"(by km x freight rate): X008 {100 * 480 * RAIL_HIGH / (573 * RAIL_HIGH + dear):.1f}"
            in cost)
    assert f"X011 {100 * dear / (573 * RAIL_HIGH + dear):.1f} %" in cost
    assert all(len(line) <= 80 for line in _fee_parts(CorridorNetwork(), edges))


def test_an_energy_route_keeps_its_km_weights_under_the_rate_split() -> None:
    # A pipeline or power line has no freight rate (0): under the rate split TAPI's six
    # edges fell back to even parts (16.7 % each, review 2026-12-07); they take their km.
    from scosim.network.step import CorridorNetwork

    km, rate = CorridorNetwork(), CorridorNetwork(fee_split="freight_rate")
    edges = km.tables.edges
    for project in ("TAPI", "CASA1000", "CAGP_LINE_D"):
        own = km.graph.edge_project == km.project_ids.index(project)
        length = edges["length_km"].to_numpy(float)[own]
        np.testing.assert_allclose(rate.fee_weights[own], length / length.sum(), rtol=1e-12)
        np.testing.assert_allclose(rate.fee_weights[own], km.fee_weights[own], rtol=1e-12)
    # By hand: a rate-0 route beside a rated one, each split on its own.
    table = pd.DataFrame({"length_km": [100.0, 300.0, 480.0, 185.0]})
    project = np.array([0, 0, 1, 1])
    got = edge_fee_weights(table, project, 2, np.array([0.0, 0.0, RAIL_HIGH, RAIL_LOW]))
    dear = 480 * RAIL_HIGH + 185 * RAIL_LOW
    np.testing.assert_allclose(got, [0.25, 0.75, 480 * RAIL_HIGH / dear, 185 * RAIL_LOW / dear],
                               rtol=1e-12)


def test_the_split_notes_name_the_option_and_fit_80_columns() -> None:
    from scosim.network.edge_teu import _split_note

    for split in ("km", "freight_rate"):
        note = _split_note(split)
        assert all(len(line) <= 80 for line in note), note
        assert "fee_split=freight_rate" in " ".join(note) or split == "freight_rate"
        assert "cost" not in " ".join(note).replace("corridor_", "")
