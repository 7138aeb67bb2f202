"""The common external tariff carries the composition adjustment of the base tariffs."""

from __future__ import annotations

import numpy as np
import pytest

from scosim.data import load_calibration
from scosim.mechanisms import customs_union as cu
from scosim.mechanisms.cet_schedule import cet_factors, composition_weights


def test_every_economy_has_the_fuel_share_the_tariffs_were_built_with(cal) -> None:
    """Turkmenistan's series ends in 2000: its latest value is in the table, named a
    fallback, so the schedule needs nothing from the raw files."""
    f = cal.vector("fuel_exports_pct")
    assert np.all(np.isfinite(f)) and np.all((f >= 0) & (f <= 100))
    prov = cal.provenance
    row = prov[(prov["table"] == "countries") & (prov["key"] == "TKM")
               & (prov["field"] == "fuel_exports_pct")]
    assert row["method"].tolist() == ["fallback:latest available year 2000"]


def test_a_union_of_one_importer_reproduces_its_base_tariffs(cal, weights) -> None:
    """The data build's tariff on an outsider is MFN x (1 - f_i) / n_j. A one-member
    union whose CET is that member's MFN rate must charge exactly that: the schedule
    and the build's composition adjustment are the same formula, computed apart."""
    codes = list(cal.economies)
    mfn = cal.vector("tariff_mfn")
    built = cal.tariff_matrix()
    flat = load_calibration("2023", composition=False).tariff_matrix()
    checked = 0
    for j, code in enumerate(codes):
        p = np.zeros(len(codes), dtype=bool)
        p[j] = True
        k = cet_factors(p, *weights)[0]
        plain = (flat[:, j] == mfn[j]) & (np.arange(len(codes)) != j)  # no agreement there
        np.testing.assert_allclose(mfn[j] * k[plain], built[plain, j], rtol=1e-12,
                                   err_msg=f"importer {code}")
        checked += int(plain.sum())
    assert checked > 500


def test_the_union_mean_rate_over_all_suppliers_is_the_cet(cal, weights) -> None:
    """At base-year weights the union's import-weighted mean of cet x kappa over all its
    suppliers is the CET, for any set of participants (as each member's was its MFN)."""
    x = cal.trade_matrix()
    np.fill_diagonal(x, 0.0)
    rng = np.random.default_rng(7)
    p = rng.random((40, x.shape[0])) < 0.3
    p[:, 0] = True  # never empty
    k = cet_factors(p, *weights)
    for r in range(p.shape[0]):
        into = x[:, p[r]]  # every supplier of the members, members included
        mean = (into * k[r][:, None]).sum() / into.sum()
        assert mean == pytest.approx(1.0, rel=1e-12)


def test_fuel_exporters_face_a_small_multiple_of_the_cet(cal, weights) -> None:
    """Kuwait (95 % fuel) pays a small fraction of the CET, Nepal (no fuel) more than
    the CET; the ranking follows the non-fuel share alone."""
    codes = list(cal.economies)
    p = np.isin(codes, ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR"])
    k = cet_factors(p, *weights)[0]
    assert k[codes.index("KWT")] < 0.1 < 1.0 < k[codes.index("NPL")]
    nonfuel = 1.0 - cal.vector("fuel_exports_pct") / 100.0
    assert np.array_equal(np.argsort(k, kind="stable"), np.argsort(nonfuel, kind="stable"))


def test_union_tariffs_apply_the_factors_to_outsiders_only() -> None:
    base = np.array([[0.0, 0.02, 0.03], [0.04, 0.0, 0.05], [0.06, 0.01, 0.0]])
    p = np.array([True, True, False])
    out = cu.union_tariffs(base, p, 0.10, 1.0, factors=np.array([9.0, 9.0, 0.25]))[0]
    assert out[2, 0] == out[2, 1] == pytest.approx(0.025)  # outsider: cet x its factor
    assert out[0, 1] == out[1, 0] == 0.0  # inside: free trade, factors irrelevant
    assert out[0, 2] == base[0, 2] and out[1, 2] == base[1, 2]  # the outsider's own tariffs
    same = cu.union_tariffs(base, p, 0.10, 1.0, factors=np.ones(3))
    assert np.array_equal(same, cu.union_tariffs(base, p, 0.10, 1.0))
    with pytest.raises(ValueError, match="factors"):
        cu.union_tariffs(base, p, 0.10, 1.0, factors=np.array([1.0, -1.0, 1.0]))


def test_composition_weights_refuse_a_missing_fuel_share(cal) -> None:
    f = cal.vector("fuel_exports_pct") / 100.0
    f[3] = np.nan
    with pytest.raises(ValueError, match="fuel shares"):
        composition_weights(cal.trade_matrix(), f)


def test_the_model_charges_the_schedule_and_a_flat_calibration_the_cet(cal) -> None:
    """In a run, China's tariff on Kuwait under the full union is cet x kappa[KWT]; with
    the flat tariffs of ``composition=False`` it is the CET itself (the old rule)."""
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    # Every member kept in: the factors below are those of the full union.
    sc = load_scenario("scenarios/customs_union.yaml",
                       overrides={"parameters.rules.defect": "never_defect"})
    codes = list(cal.economies)
    kwt, chn, nep = codes.index("KWT"), codes.index("CHN"), codes.index("NPL")
    seen = {}
    for composed in (True, False):
        c = load_calibration("2023", composition=composed)
        m = SCOModel(sc, runs=[0, 1], calibration=c)
        m.run_model()
        union = next(a for a in m.arrangements if a.name == "customs_union")
        cet = union.terms["cet"]
        assert np.all(cet > 0)
        seen[composed] = (m.tariffs[:, kwt, chn] / cet, m.tariffs[:, nep, chn] / cet)
    ratio_kwt, ratio_npl = seen[True]
    p = np.isin(codes, ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR",
                        "ARM"])
    k = cet_factors(p, *composition_weights(cal.trade_matrix(),
                                            cal.vector("fuel_exports_pct") / 100.0))[0]
    np.testing.assert_allclose(ratio_kwt, k[kwt], rtol=1e-12)
    np.testing.assert_allclose(ratio_npl, k[nep], rtol=1e-12)
    np.testing.assert_allclose(seen[False][0], 1.0, rtol=1e-12)
