"""Methamphetamine seizures are built from the UNODC annex and reported beside the opiates.

An outside review: the anti-drug unit models only opiates, about 6 % of their pre-ban level,
while the raw UNODC file already holds the post-ban threat (Iran seized 30.4 t of
methamphetamine in 2022). The seizures are now a packaged table, shown in the security
figure's route panels with the statement that the modelled effect covers opiates only.
"""

from __future__ import annotations

import csv
import math
import re

import numpy as np
import pytest

from _raw import RAW as RAW_DIR  # tests/ on sys.path
from _raw import needs_raw_file
from scosim.data.constants import LISTED
from scosim.data.raw import RawDataError
from scosim.security.build import RAW, TABLE_NAMES, build_security_tables
from scosim.security.table_read import TABLES_DIR, SecurityTableError

needs_raw = needs_raw_file(RAW["unodc"])


def _raw_meth_kg() -> dict[tuple[str, int], float]:
    """``{(iso3, year): kg}`` of the drug name "Methamphetamine", read here independently."""
    out: dict[tuple[str, int], float] = {}
    with open(RAW_DIR / RAW["unodc"], newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["DrugName"] == "Methamphetamine" and r["msCode"] in LISTED:
                key = (r["msCode"], int(r["Reference year"]))
                out[key] = out.get(key, 0.0) + float(r["Kilograms"])
    return out


@needs_raw
def test_packaged_table_equals_a_fresh_build_from_the_raw_file():
    assert "meth_seizures" in TABLE_NAMES
    fresh = build_security_tables(RAW_DIR)["meth_seizures"]
    assert (TABLES_DIR / "meth_seizures.csv").read_text(encoding="utf-8") == fresh


@needs_raw
def test_figures_equal_the_raw_file_and_a_missing_report_is_not_a_zero():
    from scosim.security.meth import load_meth_seizures

    raw = _raw_meth_kg()
    meth = load_meth_seizures()
    # The review's figures: Iran 30.4 t in 2022; Afghanistan 1.2-2.7 t in 2020-2022.
    assert meth.tonnes("IRN", 2022) == pytest.approx(raw[("IRN", 2022)] / 1e3, rel=1e-5)
    assert round(meth.tonnes("IRN", 2022), 1) == 30.4
    afg = [meth.tonnes("AFG", y) for y in (2020, 2021, 2022)]
    assert 1.1 < min(afg) and max(afg) < 2.7
    for iso in LISTED:
        for y in range(2018, 2023):
            if (iso, y) in raw:
                assert meth.tonnes(iso, y) == pytest.approx(raw[(iso, y)] / 1e3, rel=1e-5)
            else:  # no figure, and a reason instead of a zero
                assert math.isnan(meth.tonnes(iso, y)), (iso, y)
                assert meth.gap(iso, y), (iso, y)
    # Turkmenistan is not in the annex; Russia gave only a total of all ATS in 2022.
    assert meth.status[("TKM", 2022)] == "absent"
    assert meth.status[("RUS", 2022)] == "ats_total_only"


def test_security_figure_reports_methamphetamine_beside_the_opiates(tmp_path, monkeypatch):
    """Methamphetamine is never drawn on the opiates' axis (tonnes of heroin equivalent).

    An outside review (2026-12-07): Iran's 30.4 t of methamphetamine sat on that axis beside
    the model's 2035 opiate flows. The Southern panel now draws it on a right axis of its
    own, labelled as what it is; the Northern panel writes its figures out. Both are
    checked against the UNODC table, and Iran's against the annex's 30,393 kg.
    """
    import matplotlib.pyplot as plt

    from scosim.security import SecuritySystem, plots, simulate
    from scosim.security.meth import OPIATES_ONLY, SHOWN_YEAR, load_meth_seizures

    years = [2025, 2026]
    res = simulate(SecuritySystem(), years, {}, 1.0, 4, seed=3)
    kept = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    plots.plot_security({"today": res}, years, tmp_path / "s.png")
    fig = kept[-1]
    try:
        assert OPIATES_ONLY in fig._suptitle.get_text()
        meth = load_meth_seizures()
        panels = {ax.get_title().rsplit(",", 1)[0]: ax for ax in fig.axes
                  if ax.get_title().rsplit(",", 1)[0] in plots.ROUTE_PATHS}
        assert set(panels) == set(plots.ROUTE_PATHS)
        for route, ax in panels.items():
            assert "heroin equivalent" in ax.get_ylabel()
            # No cross on the opiates' own axis.
            assert not [ln for ln in ax.lines if ln.get_marker() == "x"], route
        south = panels["Southern and Balkan routes"]
        twins = [a for a in fig.axes if a is not south and a.get_shared_x_axes().joined(a, south)]
        assert len(twins) == 1
        right = twins[0]
        assert right.get_ylabel() == f"methamphetamine seized, t, {SHOWN_YEAR}"
        assert "heroin" not in right.get_ylabel()
        crosses = [ln for ln in right.lines if ln.get_marker() == "x"]
        assert len(crosses) == 1
        drawn = dict(zip(np.asarray(crosses[0].get_xdata()).round().astype(int),
                         crosses[0].get_ydata(), strict=True))
        nodes = plots.ROUTE_PATHS["Southern and Balkan routes"]
        for k, c in enumerate(nodes):
            t = meth.tonnes(c, SHOWN_YEAR)
            assert (k not in drawn) if math.isnan(t) else drawn[k] == pytest.approx(t), c
        # Iran's cross, at the annex's 30.4 t, is inside the right axis.
        assert drawn[nodes.index("IRN")] == pytest.approx(30.393)
        assert right.get_ylim()[1] > 30.393
        # The Northern panel has no right axis: its figures are written, and a missing
        # report is named, not drawn as a zero.
        north = panels["Northern route"]
        assert not [a for a in fig.axes
                    if a is not north and a.get_shared_x_axes().joined(a, north)]
        notes = " ".join(t.get_text() for t in north.texts)
        assert f"methamphetamine seized, t, {SHOWN_YEAR}" in notes
        for c in plots.ROUTE_PATHS["Northern route"]:
            t = meth.tonnes(c, SHOWN_YEAR)
            assert c in notes
            if math.isnan(t):
                assert f"{c}: {meth.gap(c, SHOWN_YEAR)}" in notes
            else:
                written = float(re.search(rf"{c} ([0-9.]+)", notes).group(1))
                assert written == pytest.approx(t, rel=0.05), c
    finally:
        plt.close(fig)


def test_beside_opiates_rows_pair_the_two_unodc_figures():
    from scosim.security.calibration import load_security_calibration
    from scosim.security.meth import beside_opiates_rows

    cal = load_security_calibration()
    rows = {r["economy"]: r for r in beside_opiates_rows(cal.seizures_t, ("IRN", "TKM"))}
    assert rows["IRN"]["opiates_t"] == cal.seizures_t[2022][cal.index("IRN")]
    assert rows["IRN"]["methamphetamine_t"] == pytest.approx(30.393)
    assert math.isnan(rows["TKM"]["methamphetamine_t"]) and rows["TKM"]["note"]


def test_a_malformed_table_is_refused_naming_file_line_and_field(tmp_path):
    from scosim.security.meth import load_meth_seizures

    text = (TABLES_DIR / "meth_seizures.csv").read_text(encoding="utf-8")
    (tmp_path / "meth_seizures.csv").write_text(text.replace("IRN,2022,reported,30393",
                                                             "IRN,2022,absent,30393"))
    with pytest.raises(SecurityTableError, match=r"meth_seizures.csv: line \d+, field "
                                                 r"'methamphetamine_kg'.*'absent'"):
        load_meth_seizures(tmp_path)
    (tmp_path / "meth_seizures.csv").write_text(text.replace("IRN,2022,reported",
                                                             "IRN,2022,seized"))
    with pytest.raises(SecurityTableError, match="field 'status': 'seized' is not one of"):
        load_meth_seizures(tmp_path)


@needs_raw
def test_a_negative_quantity_in_the_raw_file_is_refused(tmp_path):
    from scosim.security.build_meth import meth_seizures_csv

    lines = (RAW_DIR / RAW["unodc"]).read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i, ln in enumerate(lines) if ",IRN," in ln and ",Methamphetamine," in ln)
    lines[k] = lines[k].rsplit(",", 1)[0] + ",-5\n"
    (tmp_path / RAW["unodc"]).write_text("".join(lines), encoding="utf-8")
    with pytest.raises(RawDataError, match=rf"{RAW['unodc']}: line {k + 1}: Kilograms -5"):
        meth_seizures_csv(tmp_path)


def test_documented_table_is_what_the_module_prints():
    from pathlib import Path

    from scosim.security.meth import markdown

    doc = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text()
    assert markdown() in doc


def test_the_title_names_the_anti_drug_unit_only_where_the_scenario_tables_one(
        tmp_path, monkeypatch):
    """afghan_instability(_hardening).yaml table no RATS upgrade, so no anti-drug unit: their
    figure's title named one (a new user, 2026-12-07). The check reads the scenario files."""
    from pathlib import Path

    import matplotlib.pyplot as plt
    import yaml

    from scosim.scenario import load_scenario
    from scosim.security import SecuritySystem, plots, simulate
    from scosim.security.meth import OPIATES_ONLY, ROUTES_OPIATES_ONLY

    scen = Path(__file__).resolve().parents[1] / "scenarios"
    for name, unit in (("afghan_instability", False), ("afghan_instability_hardening", False),
                       ("afghan_instability_rats", True), ("afghan_corridor_rats", True)):
        sc = load_scenario(scen / f"{name}.yaml")
        props = [p.model_dump(mode="json") for p in sc.proposals]
        assert any("anti_drug" in p.get("units", []) for p in props) == unit, name
        run = tmp_path / name
        run.mkdir()
        (run / "scenario.yaml").write_text(yaml.safe_dump({"proposals": props}))
        assert plots.has_anti_drug_unit(run) == unit, name
    # A proposal without units takes the spec's default, which holds the anti-drug unit.
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(
        {"proposals": [{"type": "rats_upgrade", "id": "r", "proposer": "KAZ"}]}))
    assert plots.has_anti_drug_unit(tmp_path)

    years = [2025, 2026]
    res = simulate(SecuritySystem(), years, {}, 1.0, 4, seed=3)
    bands = {k: np.percentile(v, [5, 50, 95], axis=0) for k, v in res.items()}
    kept = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    for unit in (False, True):
        plots.plot_security_bands({"s": bands}, years, tmp_path / "s.png", n_runs=4,
                                  anti_drug=unit)
        text = kept[-1]._suptitle.get_text()
        assert (OPIATES_ONLY in text) == unit and (ROUTES_OPIATES_ONLY in text) != unit
        assert ("anti-drug" in text) == unit
        plt.close(kept[-1])
