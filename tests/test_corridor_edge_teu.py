"""TEU a year on each edge of a freight corridor (``python -m scosim.network.report --edges``).

Checked against identities outside the table's own sums: the whole-route TEU equivalents
it gives, run by run, are what the network's fee split credits the economies at US$1 a TEU
(``CorridorNetwork.fee_base_teu``, an einsum over each edge's km share and its economies'
territory shares), and their median is the ``corridor_fee_base_teu`` a ``scosim run`` of
the same scenario records, summed over the economies; edges in series with no junction
between them (the CKU's Chinese section, the Torugart crossing, the Kyrgyz sections) carry
the same containers; TEU times ``tonnes_per_teu`` are the tonnes the step loads.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from scosim.network.edge_teu import edge_teu_runs, edge_teu_table, route_totals
from scosim.network.report import main as report_main
from scosim.results import read_batches
from test_corridor_access_per_project import _run, _scenario


@pytest.fixture(scope="module")
def cku(tmp_path_factory) -> tuple[Path, object]:
    from scosim.runner import run_model
    from scosim.scenario.loader import load_scenario

    path = _scenario(tmp_path_factory.mktemp("edges") / "cku.yaml", ["cku"])
    return path, run_model(load_scenario(path))



def _recorded_route_teu(run_dir, year: int) -> float:
    """The run's median over runs of its summed corridor_fee_base_teu in ``year``."""
    ind = read_batches(run_dir / "indicators")
    ind = ind[(ind["year"] == year)
              & (ind["indicator"].astype(str) == "corridor_fee_base_teu")]
    return float(np.median(ind.groupby("run")["value"].sum()))

def test_route_equivalents_are_the_fee_base_run_by_run(cku) -> None:
    from scosim.network.mechanism import shared_network

    _, model = cku
    net = shared_network(model).net
    teu, on = edge_teu_runs(model, "CKU_RAIL")
    assert on.all()  # no failure in the scenario
    mask = np.array([p == "CKU_RAIL" for p in net.project_ids])
    base = net.fee_base_teu(model.network_step.edge_flow_mt, mask).sum(axis=1)
    got = route_totals(model, "CKU_RAIL", teu)["route_teu_equivalents"].to_numpy()
    np.testing.assert_allclose(got, base, rtol=1e-12)
    # Tonnes: the step's loads, Mt a year.
    cols = [net.edge_ids.index(e) for e in teu.columns]
    np.testing.assert_allclose(teu.to_numpy() * net.params["tonnes_per_teu"] / 1e6,
                               model.network_step.edge_flow_mt[:, cols], rtol=1e-12)
    # A chain without junctions carries the same containers on each of its edges.
    chain = teu[["X003", "X004", "X005", "X006"]].to_numpy()
    np.testing.assert_allclose(chain, chain[:, :1].repeat(4, axis=1), rtol=1e-9)
    table, n_on, n_all = edge_teu_table(model, "CKU_RAIL")
    assert (n_on, n_all) == (3, 3)
    assert table.loc["route", "km"] == pytest.approx(524, abs=1)  # the CKU's 524 km
    assert (table["teu_low"] <= table["teu"]).all() and (table["teu"] <= table["teu_high"]).all()


def test_the_report_prints_the_answers_traffic_in_80_columns(cku, tmp_path, capsys) -> None:
    path, _ = cku
    assert report_main([str(path), "--edges"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "a TEU is US$54,500 of trade, 10 t" in out
    route = re.search(r"^route whole route \(TEU equivalents\)\s+524\s+([\d,.]+)", out, re.M)
    assert route is not None, out
    run_dir = _run(tmp_path, capsys, path)
    recorded = _recorded_route_teu(run_dir, 2035)
    assert float(route.group(1).replace(",", "")) == pytest.approx(recorded / 1e3, abs=0.05)
    # The run's answer names the command, with the run's seed and replications.
    said = " ".join((run_dir / "summary.txt").read_text().split())
    assert f"each edge's TEU: `python -m scosim.network.report {path} --edges --seed " \
        "20250101 --replications 3 --year 2035`" in said


def test_the_band_has_the_medians_decimals_and_year_picks_the_answers_year(
        cku, tmp_path, capsys) -> None:
    """The 5-95 % band at the median's precision ("8.5" beside "8-8" hid it), and --year
    reports that year: its whole-route row is the run's corridor_fee_base_teu of that year,
    the year the answer's command names (its year need not be the last)."""
    path, _ = cku
    assert report_main([str(path), "--edges", "--year", "2033"]) == 0
    out = capsys.readouterr().out
    assert "year 2033." in out and "operates in 3 of 3 runs in 2033" in out
    rows = re.findall(r"^X\d{3} .*?\s([\d,]+\.\d)\s+([\d,]+\.\d)-([\d,]+\.\d)\s", out,
                      re.M)
    assert rows, out
    for median, low, high in rows:
        lo, mid, hi = (float(v.replace(",", "")) for v in (low, median, high))
        assert lo <= mid <= hi
    route = re.search(r"^route whole route \(TEU equivalents\)\s+524\s+([\d,.]+)\s+"
                      r"[\d,]+\.\d-[\d,]+\.\d", out, re.M)
    assert route is not None, out
    run_dir = _run(tmp_path, capsys, path)
    recorded = _recorded_route_teu(run_dir, 2033)
    assert float(route.group(1).replace(",", "")) == pytest.approx(recorded / 1e3, abs=0.05)
    # The last year's differs (the traffic grows), so the year matters.
    last = re.search(r"^route whole route \(TEU equivalents\)\s+524\s+([\d,.]+)",
                     _report(path, capsys), re.M)
    assert last is not None and last.group(1) != route.group(1)


def _report(path: Path, capsys, *args: str) -> str:
    assert report_main([str(path), "--edges", *args]) == 0
    return capsys.readouterr().out


def test_a_year_outside_the_scenario_is_refused(cku, capsys) -> None:
    path, _ = cku
    with pytest.raises(SystemExit) as exc:
        report_main([str(path), "--edges", "--year", "2050"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--year 2050" in err and "2025-2035" in err and "Traceback" not in err
