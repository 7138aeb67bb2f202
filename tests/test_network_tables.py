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


def _append(path: Path, row: str) -> int:
    text = path.read_text().rstrip("\n") + "\n" + row + "\n"
    path.write_text(text)
    return len(text.rstrip("\n").split("\n"))


@pytest.mark.parametrize(("row", "field", "needle"), [
    ("T99,IND,XYZ,PAK,2011,aptta_2010,", "destination", "unknown economy 'XYZ'"),
    ("T99,IND,MNG,IND,2011,aptta_2010,", "transit", "an end of the pair"),
    ("T99,IND,MNG,PAK,soon,aptta_2010,", "from_year", "'soon' is not a number"),
    ("T99,IND,MNG,PAK,2011.5,aptta_2010,", "from_year", "a whole year"),
    ("T99,IND,AFG,PAK,2011,aptta_2010,", "transit", "duplicates line 2"),
    ("T99,IND,MNG,PAK,2011,nowhere,", "source", "unknown source id 'nowhere'"),
    # Belarus is reached only through Russia: barring Russia leaves India no path to it.
    ("T99,IND,BLR,RUS,2011,aptta_2010,", "transit", "no freight path from IND to BLR"),
])
def test_bad_transit_restriction_names_table_line_field(tables_copy, row, field, needle):
    line = _append(tables_copy / "transit_restrictions.csv", row)
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert (err.value.table, err.value.line, err.value.field) == (
        "transit_restrictions", line, field)
    assert needle in str(err.value) and f"transit_restrictions.csv line {line}" in str(err.value)


@pytest.mark.parametrize(("row", "field", "needle"), [
    ("M99,INSTC_CHABAHAR,border,IRN_NOWHERE,0.9,0.9,no,wto_wtr_2015,", "target", "unknown target"),
    ("M99,INSTC_CHABAHAR,border,IRN_TEHRAN,0.9,0.9,no,wto_wtr_2015,", "target", "is not a port"),
    ("M99,INSTC_CHABAHAR,border,E001,0.9,0.9,no,wto_wtr_2015,", "target", "crosses no border"),
    ("M99,INSTC_CHABAHAR,port_handling,E151,0.9,0.9,no,wto_wtr_2015,", "target", "a port node_id"),
    ("M99,INSTC_CHABAHAR,border,E151,1.5,0.9,no,wto_wtr_2015,", "money_factor", "1.5 > 1"),
    ("M99,INSTC_CHABAHAR,border,E151,0.9,-1,no,wto_wtr_2015,", "time_factor", "negative"),
    ("M99,NO_SUCH,border,E151,0.9,0.9,no,wto_wtr_2015,", "project", "unknown project"),
    ("M99,INSTC_CHABAHAR,tunnel,E151,0.9,0.9,no,wto_wtr_2015,", "kind", "unknown kind"),
    # Whether the project's build cost pays for a measure: yes or no, nothing else.
    ("M99,INSTC_CHABAHAR,border,E151,0.9,0.9,free,wto_wtr_2015,", "costed",
     "'free'; allowed: 'yes'"),
])
def test_bad_project_measure_names_table_line_field(tables_copy, row, field, needle):
    line = _append(tables_copy / "project_measures.csv", row)
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert (err.value.table, err.value.line, err.value.field) == ("project_measures", line, field)
    assert needle in str(err.value)


def test_measures_say_which_the_project_cost_pays_for():
    """Only the Chabahar terminal equipment is in the INSTC's cost; the customs reforms
    at the ports and crossings of five states are not (and cost nothing in projects.csv)."""
    t = read_network(TABLES_DIR)
    assert t.measures["costed"].map(type).eq(bool).all()
    assert list(t.measures.index[t.measures["costed"]]) == ["M01"]
    reforms = t.measures[~t.measures["costed"]]
    assert len(reforms) == 14 and set(reforms["kind"]) == {"border"}


@pytest.mark.parametrize(("new", "needle"), [
    ("TKM:0.85;AFG:0.05;PAK:0.05;IND:0.04", "add up to 0.99"),
    ("TKM:0.85;AFG:0.05;PAK:0.05;CHN:0.05", "'CHN' does not host the project"),
    ("TKM:0.85;AFG:0.05;PAK:0.05;IND:lots", "allowed: CODE:share"),
    ("TKM:1.2;AFG:-0.2", "allowed: CODE:share"),
])
def test_bad_host_shares_name_table_line_field(tables_copy, new, needle):
    line = edit(tables_copy / "projects.csv", "TKM:0.85;AFG:0.05;PAK:0.05;IND:0.05", new)
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert (err.value.table, err.value.line, err.value.field) == ("projects", line,
                                                                  "host_shares")
    assert needle in str(err.value)


@pytest.mark.parametrize("new, needle", [
    (",IND:50", "'IND' is not among the edge's economies"),
    (",UZB:40", "adds up to 40 km; the edge is 50 km"),
    (",UZB:fifty", "allowed: CODE:km"),
])
def test_bad_territory_km_names_table_line_field(tables_copy, new, needle):
    line = edit(tables_copy / "edges.csv", ",UZB:50", new)
    with pytest.raises(NetworkDataError) as err:
        read_network(tables_copy)
    assert err.value.table == "edges" and err.value.line == line
    assert err.value.field == "territory_km" and needle in str(err.value)
