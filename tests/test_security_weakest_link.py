"""The weakest link in the RATS pool (docs/security.md section 3, "Weakest link").

Checks against things outside the code: the CES identities (Hirshleifer's summation at
``rho = 1``, his weakest link as ``rho -> -inf``, the geometric mean at 0), the summation
model of before reproduced bit for bit at ``rho = 1`` with capacity ignored, the enforcement
table rebuilt from the Heritage raw file, and the accession vote's preview seeing a
low-capacity applicant hold the members' protection back.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario
from scosim.security import mechanism as mech_mod
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams
from scosim.security.proposal import accession_security_gain
from scosim.security.weakest_link import (
    accession_rows,
    ces_aggregate,
    free_rider_rows,
    pooled_enforcement,
    power_mean,
    relative_capacity,
)

AFG = ECONOMIES.index("AFG")
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"
SUMMATION = SecurityParams(pool_rho=1.0, enforcement_weight=0.0, haven_share=0.0)


def _x(seed: int = 3, r: int = 4, n: int = 9) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, 1.0, (r, n)), rng.random((r, n)) < 0.7


def test_ces_is_the_sum_at_one_and_n_times_the_minimum_at_minus_infinity() -> None:
    x, m = _x()
    n = m.sum(axis=1)
    np.testing.assert_allclose(ces_aggregate(x, m, 1.0), np.where(m, x, 0).sum(axis=1),
                               rtol=1e-14)
    lo = np.where(m, x, np.inf).min(axis=1)
    np.testing.assert_array_equal(ces_aggregate(x, m, -math.inf), n * lo)
    # The limit is approached: at rho = -200 within 2 % of n * min.
    np.testing.assert_allclose(ces_aggregate(x, m, -200.0), n * lo, rtol=0.02)
    # rho = 0 is the geometric mean, rho = -1 the harmonic mean.
    geo = np.exp(np.where(m, np.log(x), 0).sum(axis=1) / n)
    np.testing.assert_allclose(power_mean(x, m, 0.0), geo, rtol=1e-12)
    harm = n / np.where(m, 1 / x, 0).sum(axis=1)
    np.testing.assert_allclose(power_mean(x, m, -1.0), harm, rtol=1e-12)
    # Equal contributions give their sum at every rho (a joiner at the others' level adds).
    eq = np.full((1, 6), 0.4)
    for rho in (1.0, 0.5, 0.0, -1.0, -4.0, -math.inf):
        assert ces_aggregate(eq, np.ones(6, bool), rho)[0] == pytest.approx(2.4, rel=1e-12)


def test_the_pool_falls_with_rho_and_rises_with_every_effort() -> None:
    x, m = _x(seed=8)
    rhos = (1.0, 0.5, 0.0, -1.0, -4.0, -math.inf)
    vals = np.array([ces_aggregate(x, m, r) for r in rhos])
    assert (np.diff(vals, axis=0) <= 1e-12).all()  # power-mean inequality
    # Raising one pooler's effort never lowers the pool, at any rho (no perverse weights).
    cap = np.random.default_rng(1).uniform(0.5, 1.5, x.shape[1])
    for rho in rhos:
        for j in range(x.shape[1]):
            up = x.copy()
            up[:, j] = np.minimum(up[:, j] + 0.1, 1.0)
            assert (pooled_enforcement(up, cap, m, rho)
                    >= pooled_enforcement(x, cap, m, rho) - 1e-12).all()


def test_summation_is_reproduced_bit_for_bit_at_rho_one_without_capacity() -> None:
    """pool_rho = 1 and enforcement_weight = 0: the pool is the summed effort over
    pool_reference, computed here by hand from the formula of docs/security.md."""
    sys_ = SecuritySystem(params=SUMMATION)
    assert sys_.enforcement is None
    state = sys_.with_rats(sys_.baseline_state(2), (1.5, 1.0, 1.0))
    rng = np.random.default_rng(5)
    e = rng.random(state.efforts.shape)
    p = sys_.params
    n = len(ECONOMIES)
    z = np.broadcast_to(sys_.capacity_term, (2, n)).copy()
    for c in range(3):
        z += p.k_channel[c] * (e[:, :, c] + p.spill * np.einsum("ij,rj->ri", sys_.partners,
                                                                 e[:, :, c]))
        lv = state.rats[:, :, c]
        z += p.k_pool[c] * lv * (e[:, :, c] * (lv > 0)).sum(axis=1, keepdims=True) / 10.0
    np.testing.assert_allclose(sys_.security(state, e), -np.expm1(-z), rtol=0, atol=1e-13)


@pytest.mark.parametrize("weight", [0.0, 1.0])
@pytest.mark.parametrize("rho", [1.0, 0.0, -1.0, -4.0, -math.inf])
def test_todays_members_at_todays_efforts_pool_the_calibrated_level(rho: float,
                                                                    weight: float) -> None:
    """Whatever the technology, today's ten members at their customary efforts pool their
    summed effort (what k_pool was calibrated against): the pool and the baseline index
    equal summation's, so comparing rho changes the technology, not the pooled return."""
    sys_ = SecuritySystem(params=SecurityParams(pool_rho=rho, enforcement_weight=weight,
                                                haven_share=0.0))
    ref = SecuritySystem(params=SUMMATION)
    today = sys_.cal.members
    cap = np.ones(len(ECONOMIES)) if sys_.enforcement is None else sys_.enforcement
    pool = pooled_enforcement(sys_.e0[None, :], cap, today[None, :], rho)[0]
    assert pool == pytest.approx(sys_.e0[today].sum(), rel=1e-12, abs=0)
    np.testing.assert_allclose(sys_.S0, ref.S0, rtol=0, atol=1e-12)


def test_a_member_at_zero_reference_effort_is_a_clear_error() -> None:
    """With rho <= 0 a zero effort empties the pool, so no scale restores the calibrated
    level: a clear error naming the field, not a silent zero pool."""
    k = np.linspace(0.3, 0.8, len(ECONOMIES))
    today = np.isin(np.asarray(ECONOMIES), np.asarray(ECONOMIES)[SecuritySystem().cal.members])
    e = np.where(today, 0.5, 0.2)
    e[np.flatnonzero(today)[0]] = 0.0
    with pytest.raises(ValueError, match="baseline_effort"):
        relative_capacity(k, today, 1.0, e, -1.0)


def test_enforcement_capacity_is_the_heritage_rule_of_law_score() -> None:
    """Afghanistan's 24.8 = (19.6 + 29.6 + 25.2) / 3, Heritage 2019's three Rule of Law
    components; at summation capacities are relative to today's members' mean."""
    sys_ = SecuritySystem()
    k = sys_.cal.enforcement
    assert k[AFG] == pytest.approx((19.6 + 29.6 + 25.2) / 300, abs=1e-6)
    assert k[AFG] < k[sys_.cal.members].min()  # the weakest link if it joins
    rel = relative_capacity(k, sys_.cal.members, 1.0)
    assert rel[sys_.cal.members].mean() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_array_equal(relative_capacity(k, sys_.cal.members, 0.0), 1.0)


def test_a_low_capacity_applicant_holds_the_members_gain_back() -> None:
    """Afghanistan joining at a member's effort: under summation every member gains; the
    weaker the link (lower rho), the less; at the pure weakest link the members lose."""
    gains = {}
    for rho in (1.0, -1.0, -math.inf):
        p = SecurityParams(pool_rho=rho, haven_share=0.0,
                           enforcement_weight=0.0 if rho == 1.0 else 1.0)
        sys_ = SecuritySystem(params=p)
        g = accession_security_gain(sys_, sys_.baseline_state(1), AFG, 1.3)
        gains[rho] = g["gain"][0, sys_.cal.members]
    assert (gains[1.0] > 0).all()
    assert (gains[-1.0] < gains[1.0]).all() and (gains[-1.0] > 0).all()
    assert (gains[-math.inf] < 0).all()


def test_the_accession_vote_preview_sees_the_weakest_link(tmp_path, monkeypatch) -> None:
    """The 2026 summit's preview of Afghanistan's accession: each member's security term
    (the damage of the incidents it expects to avoid) is smaller with the default weakest
    link than with the summation pool, and the index gain it reports is the block's."""
    path = tmp_path / "afg_wl.yaml"
    path.write_text(f"""extends: {SCENARIOS / "afghan_instability.yaml"}
name: afg_wl
years: {{start: 2025, end: 2026}}
parameters:
  security: {{instability: 1.3}}
proposals:
  - type: accession
    id: afg_accession
    year: 2026
    applicant: AFG
    proposer: UZB
    decision_rule: variable_geometry
""")
    sc = load_scenario(path)

    def preview(params: SecurityParams | None) -> tuple[np.ndarray, np.ndarray]:
        if params is not None:
            monkeypatch.setitem(mech_mod._SYSTEM, "default", SecuritySystem(params=params))
        model = SCOModel(sc, runs=[0, 1])
        model.step()
        arr = model.arrangements[0]
        pv = arr.preview(model, arr.invitees(model))
        return pv.info["security_index_gain"], pv.scores["security"]

    gain_def, _ = preview(None)
    assert mech_mod._system().params.pool_rho == -1.0
    # The index gain does not involve the safe-haven channel; the terms do (displacement
    # from a better-protected Afghanistan), so they are compared with it off on both sides.
    gain_wl, term_wl = preview(SecurityParams(haven_share=0.0))
    gain_sum, term_sum = preview(SUMMATION)
    members = SecuritySystem().cal.members
    np.testing.assert_array_equal(gain_def, gain_wl)
    assert (gain_wl[:, members] < gain_sum[:, members]).all()
    # Members that face incidents value fewer avoided ones; none values more.
    assert (term_wl[:, members] <= term_sum[:, members] + 1e-15).all()
    assert (term_wl[:, members] < term_sum[:, members]).any()


def test_documented_accession_table_is_what_the_module_gives() -> None:
    text = DOC.read_text()
    rows = accession_rows()
    for r in rows:
        assert "| " + " | ".join(r.values()) + " |" in text
    # Summation: every member gains; the pure weakest link: every member loses.
    assert float(rows[0]["smallest member gain"]) > 0
    assert float(rows[-1]["members' index gain, mean"]) < 0


@pytest.mark.parametrize("rho", [0.0, -1.0, -math.inf])
def test_one_free_rider_empties_the_pool_at_rho_zero_or_below(rho: float) -> None:
    """At rho <= 0 a pooler at zero effort (free_riding) empties the pool: every state's
    index is what it would be with no RATS pooling at all; under summation it is not."""
    for r, expect_empty in ((rho, True), (1.0, False)):
        sys_ = SecuritySystem(params=SecurityParams(pool_rho=r, haven_share=0.0))
        state = sys_.baseline_state(1)
        e = state.efforts.copy()
        e[:, ECONOMIES.index("KAZ"), :] = 0.0
        with_pool = sys_._security(e, state.rats)
        no_pool = sys_._security(e, np.zeros_like(state.rats))
        if expect_empty:
            np.testing.assert_array_equal(with_pool, no_pool)
        else:
            assert (with_pool[0, sys_.cal.members] > no_pool[0, sys_.cal.members]).all()


def test_documented_free_rider_table_is_what_the_module_gives() -> None:
    text = DOC.read_text()
    for r in free_rider_rows("KAZ"):
        assert "| " + " | ".join(r.values()) + " |" in text


def test_size_exponent_zero_is_hirshleifers_weakest_link_whatever_the_number() -> None:
    """pool_size_exponent 0 at rho = -inf: the pool is the smallest contribution (min x), so
    a joiner above it changes nobody's pooled term; at 1 (default) it scales with n."""
    rng = np.random.default_rng(11)
    n, c = 12, 3
    e = rng.uniform(0.2, 0.8, (1, n, c))
    rats = np.zeros((1, n, c))
    rats[0, :6, :] = 1.0
    joined = rats.copy()
    joined[0, 6, :] = 1.0
    e[0, 6, :] = 0.95  # above every pooler's effort
    args = dict(capacity_term=np.zeros(n), W=np.zeros((n, n)), k_channel=[0.0] * c,
                k_pool=[0.6, 0.4, 0.3], spill=0.0, pool_reference=10.0, rho=-math.inf)
    from scosim.security.threat import protection

    z0 = protection(e, rats=rats, size_exponent=0.0, **args)
    z0j = protection(e, rats=joined, size_exponent=0.0, **args)
    np.testing.assert_array_equal(z0j[0, :6], z0[0, :6])
    expect = sum(k * e[0, :6, ch].min() for ch, k in enumerate(args["k_pool"]))
    assert z0[0, 0] == pytest.approx(expect, rel=1e-12)
    z1 = protection(e, rats=rats, size_exponent=1.0, **args)
    z1j = protection(e, rats=joined, size_exponent=1.0, **args)
    np.testing.assert_allclose(z1j[0, :6], z1[0, :6] * 7 / 6, rtol=1e-12)


def test_size_exponent_leaves_todays_pool_and_is_a_checked_setting() -> None:
    """With today's ten members (n = pool_reference) every exponent gives today's index;
    out of [0, 1] the scenario setting is refused naming it."""
    from pydantic import ValidationError

    from scosim.security.spec import SecuritySettings

    ref = SecuritySystem()
    flat = SecuritySystem(params=SecurityParams(pool_size_exponent=0.0))
    np.testing.assert_allclose(flat.S0, ref.S0, rtol=0, atol=1e-12)
    with pytest.raises(ValidationError, match="pool_size_exponent"):
        SecuritySettings(pool_size_exponent=2.0)


def test_documented_size_exponent_table_is_what_the_module_gives() -> None:
    text = DOC.read_text()
    for r in accession_rows(size_exponent=0.0):
        assert "| " + " | ".join(r.values()) + " |" in text
