"""Methamphetamine seizures are built from the UNODC annex and reported beside the opiates.

An outside review: the anti-drug unit models only opiates, about 6 % of their pre-ban level,
while the raw UNODC file already holds the post-ban threat (Iran seized 30.4 t of
methamphetamine in 2022). The seizures are now a packaged table, shown in the security
figure's route panels with the statement that the modelled effect covers opiates only.
"""

from __future__ import annotations

import csv
import math

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
        for ax in fig.axes:
            route = ax.get_title().rsplit(",", 1)[0]
            if route not in plots.ROUTE_PATHS:
                continue
            nodes = plots.ROUTE_PATHS[route]
            crosses = [ln for ln in ax.lines if ln.get_marker() == "x"]
            assert len(crosses) == 1, route
            drawn = dict(zip(np.asarray(crosses[0].get_xdata()).round().astype(int),
                             crosses[0].get_ydata(), strict=True))
            notes = " ".join(t.get_text() for t in ax.texts)
            for k, c in enumerate(nodes):
                t = meth.tonnes(c, SHOWN_YEAR)
                if math.isnan(t):
                    assert k not in drawn and c in notes, c
                else:
                    assert drawn[k] == pytest.approx(t), c
        # Iran's cross is in the Southern panel, at the annex's 30.4 t.
        south = next(ax for ax in fig.axes if ax.get_title().startswith("Southern"))
        cross = next(ln for ln in south.lines if ln.get_marker() == "x")
        x = plots.ROUTE_PATHS["Southern and Balkan routes"].index("IRN")
        assert dict(zip(np.asarray(cross.get_xdata()).round().astype(int),
                        cross.get_ydata(), strict=True))[x] == pytest.approx(30.393)
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
