"""The ``tariff_kinds`` table: what kind of figure each tariff cell is, next to the data.

Every cell has one kind from the allowed list; the suspended India-Pakistan cells carry
the ban's and the duty's tariff-equivalent kinds, with the rate the pair would pay without
the measure read from the agreement in force (WTO RTA file, SAFTA), which the model puts
in the ban's cell instead of a typed zero.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from scosim.data import load_calibration
from scosim.data.calibration import TABLES_DIR, load_calibration_from
from scosim.data.cli import add_data_parser
from scosim.data.psa_margins import margin_map
from scosim.data.suspension import KINDS as SUSPENSION_KINDS
from scosim.data.suspension import PAIRS, from_tariffs
from scosim.data.tariff_kinds import KINDS, MEASURE_KINDS
from scosim.data.tariffs import fuel_shares, tariffs_2023
from scosim.mechanisms.suspensions import SUSPENSION_METHOD, suspended_pairs
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

IN, PK = "IND", "PAK"


@pytest.fixture(scope="module")
def cal():
    return load_calibration("2023")


@pytest.mark.parametrize("version", ["2023", "2019"])
def test_every_cell_has_one_allowed_kind(version: str) -> None:
    """One row per ordered pair of the 28, each with a kind from the list; the diagonal is
    domestic; only measure cells carry a rate without the measure."""
    c = load_calibration(version)
    k = c.tariff_kinds
    assert len(k) == len(c.economies) ** 2
    assert not k.duplicated(["exporter", "importer"]).any()
    assert set(k["kind"]) <= set(KINDS)
    diag = k["exporter"] == k["importer"]
    assert (k.loc[diag, "kind"] == "domestic").all()
    assert not k.loc[~diag, "kind"].eq("domestic").any()
    measure = k["kind"].isin(MEASURE_KINDS)
    assert k.loc[~measure, "rate_without_measure"].isna().all()
    assert k.loc[measure, "rate_without_measure"].notna().all()


def test_the_kinds_agree_with_the_cells_provenance(cal) -> None:
    """A cell the WTO RTA file set is preferential, one the suspension set a measure's
    equivalent, and the measure cells are exactly the provenance's suspended pairs."""
    k = cal.tariff_kinds.set_index(["exporter", "importer"])["kind"]
    p = cal.provenance
    cells = p[(p["table"] == "tariffs") & (p["field"] == "value")]
    for key, src in zip(cells["key"], cells["source_id"], strict=True):
        i, _, j = key.partition("-")
        want = {"wto_rta": {"preferential"}, "wb_tariff": {"mfn_row"},
                "ind_pak_suspension": set(MEASURE_KINDS)}.get(src, {"mfn", "domestic"})
        assert k[(i, j)] in want, key
    codes = list(cal.economies)
    measure = np.zeros((len(codes), len(codes)), dtype=bool)
    for (i, j), kind in k.items():
        measure[codes.index(i), codes.index(j)] = kind in MEASURE_KINDS
    np.testing.assert_array_equal(measure, suspended_pairs(cal.provenance, codes))


def test_the_suspended_cells_carry_the_ban_and_the_duty_kinds(cal) -> None:
    """Pakistan's suspension of Indian goods is a ban, India's 200 % on Pakistani goods a
    duty; both pairs are under SAFTA (an FTA in force in 2023), so without the measure
    each would pay zero."""
    k = cal.tariff_kinds.set_index(["exporter", "importer"])
    assert k.loc[(IN, PK), "kind"] == "ban_equivalent"
    assert k.loc[(PK, IN), "kind"] == "duty_equivalent"
    for pair in PAIRS:
        want = "ban_equivalent" if SUSPENSION_KINDS[pair] == "ban" else "duty_equivalent"
        assert k.loc[pair, "kind"] == want
        assert k.loc[pair, "rate_without_measure"] == 0.0
        assert cal.tariffs.loc[pair] > 0.4  # the cell itself keeps the equivalent


def _build(cal, spells: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """tariffs_2023 on the packaged inputs with ``spells``: the matrix and its kinds."""
    susp = {pair: (t, SUSPENSION_METHOD) for pair, t in from_tariffs(cal.tariffs).items()}
    rows: list[dict[str, object]] = []
    tau = tariffs_2023(cal.countries, cal.trade, spells, fuel_shares(cal.countries), None,
                       suspension=susp, margins=margin_map(cal.psa_margins), year=year,
                       kinds=rows)
    return tau, pd.DataFrame(rows).set_index(["exporter", "importer"])


def test_the_rate_without_the_measure_is_read_from_the_agreements(cal) -> None:
    """Without SAFTA in the agreements the pair's deepest agreement is a partial-scope one
    (SAPTA, GSTP): the rate without the measure becomes that preference's rate, the one
    the same cell has before the suspension (2018); with SAFTA it is zero, as in 2018."""
    spells = cal.agreement_spells
    safta = spells["name"].str.contains("SAFTA") & spells["exporter"].isin([IN, PK]) \
        & spells["importer"].isin([IN, PK])
    assert safta.any()
    for table, want_zero in ((spells, True), (spells[~safta], False)):
        _, kinds = _build(cal, table, 2023)
        before, _ = _build(cal, table, 2018)
        for pair in PAIRS:
            rate = kinds.loc[pair, "rate_without_measure"]
            assert rate == pytest.approx(before.loc[pair], rel=1e-15, abs=0.0)
            assert bool(rate == 0.0) is want_zero
            if not want_zero:  # a partial-scope preference off the MFN rate
                assert 0.0 < rate < cal.countries.loc[pair[1], "tariff_mfn"] * 2


def test_the_model_puts_the_data_s_rate_in_the_ban_s_cell(cal) -> None:
    """The model's base tariff on the ban's cell is the table's rate without the ban (not
    a typed zero): a table saying 3 % gives 3 %, whatever the runs' sigmas; India's duty
    keeps its equivalent. A ban without such a rate is refused, naming the table."""
    k = cal.tariff_kinds.copy()
    ban = (k["exporter"] == IN) & (k["importer"] == PK)
    k.loc[ban, "rate_without_measure"] = 0.03
    sc = load_scenario("scenarios/baseline.yaml")
    for spread in (0.0, 1.0):  # one sigma for all runs, and one drawn per run
        sc2 = load_scenario("scenarios/baseline.yaml",
                            overrides={"parameters.trade.sigma_spread": spread})
        m = SCOModel(sc2, runs=range(3), calibration=dataclasses.replace(cal, tariff_kinds=k))
        i, p = m.codes.index(IN), m.codes.index(PK)
        tau = np.asarray(m.tau0)
        assert np.all(tau[..., i, p] == 0.03)
        assert np.all(tau[..., p, i] > 1.0)
    k.loc[ban, "rate_without_measure"] = np.nan
    with pytest.raises(ValueError, match=r"tariff_kinds\.csv: no rate_without_measure .*IND-PAK"):
        SCOModel(sc, runs=range(1), calibration=dataclasses.replace(cal, tariff_kinds=k))


def test_a_kind_outside_the_list_is_refused_naming_the_file(tmp_path: Path) -> None:
    tables = tmp_path / "2023"
    shutil.copytree(TABLES_DIR / "2023", tables)
    path = tables / "tariff_kinds.csv"
    text = path.read_text().replace("IND,PAK,ban_equivalent", "IND,PAK,embargo", 1)
    path.write_text(text)
    with pytest.raises(ValueError, match=r"tariff_kinds\.csv: column 'kind' has \['embargo'\]; "
                                         r"allowed: domestic, mfn"):
        load_calibration_from(tables)


def test_data_show_names_the_measure_cells_and_the_agreement_beneath() -> None:
    parser = argparse.ArgumentParser(prog="scosim")
    add_data_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["data", "show", "PAK"])
    console = Console(record=True, width=240)
    assert args.func(args, console=console) == 0
    out = console.export_text()
    assert "PAK: tariff cells that are not applied rates" in out
    line = next(x for x in out.splitlines() if "│ IND" in x and "ban_equivalent" in x)
    assert "46.78 %" in line and "0.00 % (FTA South Asian Free Trade Agreement (SAFTA)" in line
    assert "duty_equivalent" in out
    # the partners table says each cell's kind too
    assert "preferential: derived:zero, FTA RTA 153" in out
