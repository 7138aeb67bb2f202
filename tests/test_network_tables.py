"""Network tables: packaged tables validate; bad data names table, line and field."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scosim.network.tables import TABLES_DIR, NetworkDataError, great_circle_km, read_network

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tables_copy(tmp_path):
    dest = tmp_path / "tables"
    shutil.copytree(TABLES_DIR, dest)
    return dest


def edit(path: Path, old: str, new: str) -> int:
    """Replace one line-unique text; return the 1-based line number edited."""
    lines = path.read_text().split("\n")
    hits = [k for k, line in enumerate(lines) if old in line]
    assert len(hits) == 1, (old, hits)
    lines[hits[0]] = lines[hits[0]].replace(old, new)
    path.write_text("\n".join(lines))
    return hits[0] + 1


def test_packaged_tables_are_valid_and_complete():
    t = read_network(TABLES_DIR)
    assert len(t.nodes) > 100 and len(t.edges) > 200
    assert set(t.projects.index) == {"INSTC_CHABAHAR", "CKU_RAIL", "TRANS_AFGHAN_RAIL", "TAPI",
                                     "CASA1000", "CAGP_LINE_D"}
    # every edge has a positive length and a known source
    assert (t.edges["length_km"] > 0).all()
    assert set(";".join(t.edges["source"]).split(";")) <= set(t.sources.index)
    # cited lengths are kept as given (CKU Chinese section 213 km, TAPI 1814 km in all)
    assert t.edges.loc["X003", "length_km"] == 213
    tapi = t.edges[t.edges["project"] == "TAPI"]["length_km"].sum()
    assert tapi == pytest.approx(1814)


def test_great_circle_known_distance():
    # Moscow-St Petersburg is about 634 km great-circle.
    assert great_circle_km(55.75, 37.62, 59.93, 30.25) == pytest.approx(634, abs=5)


def test_unknown_node_names_table_line_field(tables_copy):
    line = edit(tables_copy / "edges.csv", "E050,RUS_MOSCOW,BLR_MINSK", "E050,RUS_MOSCOW,BLR_PINSK")
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    msg = str(err.value)
    assert f"edges.csv line {line}" in msg and "'to_node'" in msg and "BLR_PINSK" in msg


def test_negative_length_is_rejected(tables_copy):
    line = edit(tables_copy / "edges.csv", "X003,CHN_KASHGAR,CHN_TORUGART,rail,high,213",
                "X003,CHN_KASHGAR,CHN_TORUGART,rail,high,-213")
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert err.value.table == "edges" and err.value.line == line
    assert err.value.field == "length_km" and "negative" in str(err.value)


def test_unknown_mode_lists_allowed(tables_copy):
    line = edit(tables_copy / "edges.csv", "E001,CHN_BEIJING,CHN_TIANJIN,rail",
                "E001,CHN_BEIJING,CHN_TIANJIN,maglev")
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert (err.value.line, err.value.field) == (line, "mode")
    assert "inland_water" in str(err.value)


def test_country_without_path_is_named(tables_copy):
    # The Maldives are reached only by the Dondra-Male sea lane: close it.
    edit(tables_copy / "edges.csv", "S037,SEA_DONDRA,MDV_MALE,sea,feeder,,0,,,existing",
         "S037,SEA_DONDRA,MDV_MALE,sea,feeder,,0,,,closed")
    node_line = [k + 1 for k, x in enumerate((tables_copy / "nodes.csv").read_text().split("\n"))
                 if x.startswith("MDV_MALE,")][0]
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert err.value.table == "nodes" and err.value.line == node_line
    assert "no freight path" in str(err.value) and "MDV" in str(err.value)


def test_economy_without_centre_and_unknown_source(tables_copy):
    edit(tables_copy / "nodes.csv", "BLR_MINSK,Minsk,centre,BLR,53.90,27.57,1,cepii_geo",
         "BLR_MINSK,Minsk,junction,BLR,53.90,27.57,,cepii_geo")
    with pytest.raises(NetworkDataError, match="'BLR' has no centre"):
        read_network(tables_copy)


def test_unknown_source_id(tables_copy):
    line = edit(tables_copy / "edges.csv", "Suez canal", "Suez canal")
    edit(tables_copy / "edges.csv", "S017,EGY_SUEZ,EGY_PORTSAID,sea,main,,0,,,existing,,,gc_sea",
         "S017,EGY_SUEZ,EGY_PORTSAID,sea,main,,0,,,existing,,,nowhere")
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert err.value.line == line and err.value.field == "source"


def test_build_script_check_passes():
    raw = ROOT.parent / "shared" / "data" / "raw"
    if not (raw / "ei_statistical_review_2024_sheet_gas_trade_pipeline.csv").is_file():
        pytest.skip("raw data not available")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_network.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
