"""The yearly step, couplings (cost multiplier, trust), effort rules, RATS upgrade, plot."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from scosim.data.constants import ECONOMIES, LISTED, MEMBERS
from scosim.security import (
    INDICATORS,
    RatsUpgradeProposal,
    SecuritySystem,
    edge_cost_multiplier,
    expected_security_gain,
    insecurity_index,
    rats_levels,
    simulate,
    trust_effect,
)
from scosim.security.params import CHANNELS, SecurityParams
from scosim.security.plots import plot_security
from scosim.security.rules import (
    EFFORT_RULES,
    EffortContext,
    apply_effort_rules,
    conditional_cooperation,
    register_cooperate_rules,
    sovereignty_capped,
)

SYS = SecuritySystem()
N, C = len(ECONOMIES), len(CHANNELS)
IDX = {c: k for k, c in enumerate(ECONOMIES)}


def _proposal(**kw):
    return RatsUpgradeProposal(**{"type": "rats_upgrade", "id": "rats-uc", "year": 2026,
                                  "proposer": "KAZ", **kw})


def test_step_returns_every_indicator_with_run_by_economy_shape():
    st = SYS.baseline_state(4)
    new, ind = SYS.step(st, st.efforts, 1.2, np.random.default_rng(0))
    assert set(ind) == set(INDICATORS)
    assert all(v.shape == (4, N) for v in ind.values())
    assert new.year == st.year + 1
    assert new.trust_change.shape == (4, N, N)
    # Spending is GDP times the unit cost of each channel's effort.
    want = sum(st.efforts[:, :, k] * SYS.params.unit_cost[k] for k in range(C))
    np.testing.assert_allclose(ind["spending_usd"], want * SYS.cal.gdp_usd, rtol=1e-12)
    assert np.all(ind["spending_usd"][:, IDX["ROW"]] == 0)


def test_step_rejects_bad_efforts_and_generator_counts():
    st = SYS.baseline_state(2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SYS.step(st, st.efforts + 2, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        SYS.step(st, st.efforts[:1], 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="one generator per run"):
        SYS.step(st, st.efforts, 1.0, [np.random.default_rng(0)])


def test_cost_multiplier_rises_with_insecurity_and_stays_in_bounds():
    lam = np.array([[0.0, 10.0, 250.0, 5000.0]])
    ins = insecurity_index(lam, 250.0)
    assert ins[0].tolist() == pytest.approx([0, 10 / 260, 0.5, 5000 / 5250])
    m = edge_cost_multiplier(ins, 0.3)
    assert np.all(np.diff(m[0]) > 0) and m.min() == 1.0 and m.max() < 1.3
    # A fall below 2018-2022 risk is priced below 1 (the slot without a network prices it).
    assert edge_cost_multiplier(np.array([[-0.2]]), 0.3)[0, 0] == pytest.approx(0.94)
    with pytest.raises(ValueError, match=r"insecurity priced must lie in \[-1, 1\]"):
        edge_cost_multiplier(np.array([[1.5]]))


def test_afghan_instability_raises_edge_costs_through_afghanistan():
    st = SYS.baseline_state(200)
    _, calm = SYS.step(st, st.efforts, 1.0, np.random.default_rng(1))
    _, hot = SYS.step(st, st.efforts, 3.0, np.random.default_rng(1))
    a = IDX["AFG"]
    # Priced on the rise of expected insecurity above 2018-2022: at 2018-2022 instability and
    # efforts the multiplier is 1 everywhere (Afghanistan's level alone would read 1.67),
    # whatever the draws; a higher instability raises it in every run alike.
    np.testing.assert_allclose(calm["cost_multiplier"], 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(calm["insecurity_rise"], calm["cost_multiplier"] - 1.0)
    want = 1.0 + SYS.params.cost_markup * (hot["expected_incidents"][:, a]
                                          / (hot["expected_incidents"][:, a] + 250.0)
                                          - SYS.iota0[0, a])
    np.testing.assert_allclose(hot["cost_multiplier"][:, a], want, rtol=1e-12)
    assert np.all(hot["cost_multiplier"][:, a] > 1.1)
    assert np.all(hot["cost_multiplier"] <= 1 + SYS.params.cost_markup)
    # Belarus has no incidents and no Afghan border: its edges are unaffected.
    np.testing.assert_array_equal(hot["cost_multiplier"][:, IDX["BLR"]], 1.0)


def test_trust_rises_with_joint_effort_and_falls_with_a_partners_shortfall():
    partners = np.ones((2, 2)) - np.eye(2)
    e = np.zeros((1, 2, C))
    e[0, 0] = 0.8
    e[0, 1] = 0.2
    d = trust_effect(e, partners, up=0.1, down=0.5)
    assert d[0, 0, 1] == pytest.approx(0.1 * 0.2 - 0.5 * 0.6)  # 0 trusts the free rider less
    assert d[0, 1, 0] == pytest.approx(0.1 * 0.2)
    assert d[0, 0, 0] == 0


def test_conditional_cooperation_matches_partners_weighted_mean():
    rng = np.random.default_rng(4)
    last = rng.random((3, N, C))
    i = IDX["KAZ"]
    ctx = EffortContext("KAZ", i, 2026, ECONOMIES, last, SYS.partners[i], 0.5)
    want = np.einsum("j,rjc->rc", SYS.partners[i], last)
    np.testing.assert_allclose(conditional_cooperation(ctx), want)
    capped = sovereignty_capped(ctx)
    cyber = CHANNELS.index("cyber")
    assert np.all(capped[:, cyber] <= 0.5)
    np.testing.assert_allclose(np.delete(capped, cyber, axis=1), np.delete(want, cyber, axis=1))


def test_apply_effort_rules_and_its_errors():
    st = SYS.baseline_state(2)
    new = apply_effort_rules(st.efforts, {"PAK": "free_riding"}, SYS.partners, SYS.caps,
                             ECONOMIES, 2025)
    assert np.all(new[:, IDX["PAK"]] == 0)
    others = np.delete(np.arange(N), IDX["PAK"])
    np.testing.assert_array_equal(new[:, others], st.efforts[:, others])
    with pytest.raises(ValueError, match="unknown effort rule 'tit'"):
        apply_effort_rules(st.efforts, {"PAK": "tit"}, SYS.partners, SYS.caps, ECONOMIES, 2025)
    with pytest.raises(ValueError, match="outside"):
        apply_effort_rules(st.efforts, {"PAK": lambda ctx: np.full((2, C), 2.0)},
                           SYS.partners, SYS.caps, ECONOMIES, 2025)


def test_rules_register_under_the_cooperate_hook():
    from scosim.rules.registry import resolve_rule

    register_cooperate_rules()
    for name, fn in EFFORT_RULES.items():
        assert resolve_rule("cooperate", name) is fn


def test_rats_upgrade_spec_validates():
    p = _proposal()
    assert rats_levels(p, (1.0, 0.0, 0.0)).tolist() == [1.625, 1.0, 1.0]
    with pytest.raises(ValidationError, match="units"):
        _proposal(units=["anti_drug", "anti_drug"])
    with pytest.raises(ValidationError):
        _proposal(units=["space_force"])
    with pytest.raises(ValidationError):
        _proposal(intel_gain=-1)


def test_expected_security_gain_is_positive_for_participants_only():
    st = SYS.baseline_state(2)
    g = expected_security_gain(SYS, _proposal(), st, 1.5)
    part = np.array([c in MEMBERS for c in ECONOMIES])
    assert np.all(g["gain"][:, part] > 0)
    assert np.all(g["gain"][:, ~part] == 0)
    # Without safe havens no state expects more incidents; with them, the groups displaced
    # by the members' enforcement raise the threat next door (test_security_haven.py).
    off = SecuritySystem(params=SecurityParams(haven_share=0.0))
    g_off = expected_security_gain(off, _proposal(), off.baseline_state(2), 1.5)
    assert np.all(g_off["incidents_avoided"] >= -1e-9)
    assert g["incidents_avoided"].sum() < g_off["incidents_avoided"].sum()
    small = expected_security_gain(SYS, _proposal(units=[]), st, 1.5)
    assert np.all(g["gain"][:, part] > small["gain"][:, part])
    assert np.all(g["cost_share_gdp"][:, part] == 5e-5)


def test_rats_upgrade_lowers_incidents_of_central_asian_members_under_instability():
    years = list(range(2025, 2030))
    rules = {c: "sovereignty_capped" for c in LISTED}
    inst = {y: 1 + 0.3 * (y - 2024) for y in years}
    a = simulate(SYS, years, rules, inst, 60, seed=8)
    from scosim.security.proposal import adopt

    st = adopt(SYS, _proposal(), SYS.baseline_state(60, 2024))
    b = simulate(SYS, years, rules, inst, 60, seed=8, state=st)
    ca = [IDX[c] for c in ("TJK", "UZB", "KAZ", "KGZ")]
    assert b["expected_incidents"][:, :, ca].sum() < a["expected_incidents"][:, :, ca].sum()
    assert np.all(b["seizures_t"][:, :, IDX["TJK"]] >= a["seizures_t"][:, :, IDX["TJK"]] - 1e-12)


def test_adoption_sets_pooling_participants_and_contributions_in_chosen_runs():
    from scosim.security.proposal import adopt

    st = SYS.baseline_state(3)
    p = _proposal(participants=["KAZ", "TJK", "KGZ"], upgrade_cost_share_gdp=1e-4)
    up = adopt(SYS, p, st, runs=np.array([True, False, True]))
    border = CHANNELS.index("border")
    assert (up.rats[0, :, border] > 0).sum() == 3 and (up.rats[1, :, border] > 0).sum() == 0
    # Members outside the subset keep pooling intelligence as today.
    assert up.rats[0, IDX["CHN"], CHANNELS.index("intel")] == 1.0
    _, ind = SYS.step(up, up.efforts, 1.0, np.random.default_rng(0))
    _, ind0 = SYS.step(st, st.efforts, 1.0, np.random.default_rng(0))
    d = ind["spending_share_gdp"] - ind0["spending_share_gdp"]
    assert d[0, IDX["KAZ"]] == pytest.approx(1e-4) and d[0, IDX["CHN"]] == 0
    kaz_gdp = SYS.cal.gdp_usd[IDX["KAZ"]]
    assert ind["rats_upgrade_cost_usd"][0, IDX["KAZ"]] == pytest.approx(1e-4 * kaz_gdp)
    np.testing.assert_allclose(d[1], 0.0)
    # Pooling among three Central Asian states raises their security only in adopting runs.
    s_up, s0 = SYS.security(up), SYS.security(st)
    assert s_up[0, IDX["TJK"]] > s0[0, IDX["TJK"]]
    assert s_up[1, IDX["TJK"]] == s0[1, IDX["TJK"]]
    # China, not in the subset, keeps at least today's security.
    assert s_up[0, IDX["CHN"]] >= s0[0, IDX["CHN"]]


def test_plot_writes_a_png(tmp_path):
    years = [2025, 2026, 2027]
    res = simulate(SYS, years, {}, 1.0, 5, seed=1)
    out = plot_security({"baseline": res}, years, tmp_path / "s.png")
    assert out.stat().st_size > 10_000


def test_plot_draws_an_identical_variant_dashed_without_a_second_band(tmp_path, monkeypatch):
    """Afghanistan is outside RATS, so its incidents with and without the upgrade are the
    same: the later variant's line hid the earlier one and their two bands blended into a
    colour the key does not show. It is drawn dashed over the first, with no band, and the
    key says what dashed means."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    from scosim.security import plots

    kept = []
    monkeypatch.setattr(plots.plt, "close", kept.append)
    years = [2025, 2026, 2027]
    res = simulate(SYS, years, {}, 1.0, 5, seed=1)
    other = {k: v + 1.0 for k, v in res.items()}  # differs everywhere
    plot_security({"today": res, "other": other, "upgraded": dict(res)}, years,
                  tmp_path / "s.png", focus=("AFG",))
    fig = kept[-1]
    try:
        ax = fig.axes[0]
        styles = [ln.get_linestyle() for ln in ax.lines]
        assert styles[:2] == ["-", "-"] and styles[2] == "--"
        assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2
        texts = [t.get_text() for t in fig.legends[0].get_texts()]
        assert texts[:3] == ["today", "other", "upgraded"]
        assert any(t.startswith("dashed") for t in texts[3:])
    finally:
        plt.close(fig)


@pytest.mark.parametrize("members_rule", ["conditional_cooperation", "sovereignty_capped"])
def test_a_run_without_policy_keeps_the_baseline_efforts(members_rule):
    """The calibrated baseline is the rules' fixed point: no first-year jump in effort."""
    rules = {c: (members_rule if c in MEMBERS else "conditional_cooperation")
             for c in LISTED}
    res = simulate(SYS, [2025, 2026, 2027], rules, 1.0, 2, seed=7)
    for ch in CHANNELS:
        e = res[f"effort_{ch}"]
        np.testing.assert_array_equal(e, np.broadcast_to(SYS.e0, e.shape), err_msg=ch)


def test_a_model_run_without_policy_keeps_the_baseline_efforts():
    from pathlib import Path

    from scosim.runner import run_model
    from scosim.scenario import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios"
                       / "afghan_instability.yaml",
                       overrides={"years.end": 2026, "parameters.security.instability": 1.0})
    model = run_model(sc, runs=[0])
    e = np.stack(model.records["effort_intel"], axis=1)[0]  # (T, N)
    np.testing.assert_allclose(e[:, :-1], np.broadcast_to(SYS.e0[:-1], e[:, :-1].shape))


def test_conditional_cooperation_follows_partners_proportional_changes():
    last = np.broadcast_to(SYS.e0[None, :, None], (1, N, C)).copy()
    i, j = IDX["TKM"], IDX["AFG"]  # Turkmenistan (0.1) sees Afghanistan (0.2) halve its effort
    last[0, j, :] *= 0.5
    ctx = EffortContext("TKM", i, 2026, ECONOMIES, last, SYS.partners[i], 1.0, None, SYS.e0)
    w = SYS.partners[i] * (SYS.e0 > 0)
    want = SYS.e0[i] * (1.0 - 0.5 * w[j] / w.sum())
    np.testing.assert_allclose(conditional_cooperation(ctx), np.full((1, C), want))
    assert want < SYS.e0[i]
    # Partners at double their baseline: one's own effort doubles, but never above 1.
    ctx = EffortContext("KAZ", IDX["KAZ"], 2026, ECONOMIES, np.minimum(2 * last, 1.0),
                        SYS.partners[IDX["KAZ"]], 1.0, None, SYS.e0)
    assert np.all(conditional_cooperation(ctx) <= 1.0)


def test_trust_reads_efforts_against_customary_levels():
    # A member at its customary 0.5 and an observer at its customary 0.2: nobody free
    # rides, nothing changes (on absolute levels the member's trust in the observer fell
    # by 0.05 x 0.3 every year). Below its customary level the observer is noticed.
    partners = np.ones((2, 2)) - np.eye(2)
    usual = np.array([[0.5, 0.2]])
    e = np.zeros((1, 2, C))
    e[0, 0], e[0, 1] = 0.5, 0.2
    np.testing.assert_allclose(trust_effect(e, partners, 0.1, 0.5, usual), 0.0, atol=1e-15)
    e[0, 1] = 0.1  # half its customary effort
    d = trust_effect(e, partners, up=0.1, down=0.5, customary=usual)
    assert d[0, 0, 1] == pytest.approx(0.1 * (0.5 - 1.0) - 0.5 * 0.5)
    assert d[0, 1, 0] == pytest.approx(0.1 * (0.5 - 1.0))
    e[0] = 1.5 * usual[0, :, None]  # both do more than usual: trust rises
    assert (trust_effect(e, partners, 0.1, 0.5, usual)[0][partners > 0] > 0).all()


def test_no_trust_drift_without_policy():
    from pathlib import Path

    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    path = Path(__file__).resolve().parents[1] / "scenarios" / "afghan_instability.yaml"
    m = SCOModel(load_scenario(path, overrides={"replications": 2}))
    before = m.trust.copy()
    m.run_model()
    np.testing.assert_array_equal(m.trust, before)
