"""The Council: constructed cases whose outcome is known."""


import numpy as np
import pytest

from scosim.mechanisms.voting import decide, dominance_share
from scosim.model.model import SCOModel
from scosim.rules.context import VoteContext, per_run
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario

MEMBERS = ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR"]


def _load(model_fixture, name="small_cu.yaml", **overrides):
    return load_scenario(model_fixture(name), overrides=overrides or None)


def _events(model, type_):
    ev = model.log.to_frame()
    return ev[ev["type"] == type_]


def _union_share(model):
    return np.stack(model.records["in_customs_union"], axis=1)  # (R, T, N)


def test_decide_rules_on_known_votes():
    eligible = np.array([[True, True, True, False]])
    votes = np.array([[True, False, True, True]])
    adopted, part = decide(votes, eligible, "consensus")
    assert not adopted[0] and not part.any()
    adopted, part = decide(votes, eligible, "qualified_majority", threshold=0.6)
    assert adopted[0] and part[0].tolist() == [True, True, True, False]
    adopted, part = decide(votes, eligible, "variable_geometry")
    assert adopted[0] and part[0].tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="consensus"):
        decide(votes, eligible, "unanimity")
    # At the threshold: two of three reach a two-thirds majority (the scenario default,
    # docs/model.md: yes share >= qualified_majority), and do not reach 0.667.
    adopted, _ = decide(votes, eligible & [True, True, True, False], "qualified_majority",
                        threshold=2 / 3)
    assert adopted[0]
    adopted, _ = decide(votes, eligible, "qualified_majority", threshold=0.667)
    assert not adopted[0]
    # Nobody eligible: nothing is adopted, under any rule.
    for rule in ("consensus", "qualified_majority", "variable_geometry"):
        adopted, part = decide(votes, np.zeros_like(eligible), rule)
        assert not adopted[0] and not part.any(), rule


def test_dominance_share_by_hand():
    gains = np.array([[0.02, 0.01, -0.01]])
    expenditure = np.array([100.0, 50.0, 10.0])
    participants = np.array([[True, True, True]])
    gdp = np.array([10.0, 5.0, 1.0])
    share = dominance_share(gains, expenditure, participants, gdp)
    # Largest (index 0) takes 2 / (2 + 0.5) of positive gains; it has no concern itself.
    assert np.allclose(share, [[0.0, 0.8, 0.8]])


def test_consensus_one_opposed_member_blocks(model_fixture):
    sc = _load(
        model_fixture,
        **{
            "parameters.rules.vote": "always_yes",
            "countries.KAZ.rules.vote": "always_no",
        },
    )
    m = run_model(sc)
    assert not _union_share(m).any()
    vetoes = _events(m, "veto")
    assert set(vetoes["country"]) == {"KAZ"}
    assert len(vetoes) == m.R  # one veto per run
    assert len(_events(m, "rejected")) == m.R


def test_everyone_yes_forms_union_next_year(model_fixture):
    sc = _load(
        model_fixture,
        **{"parameters.rules.vote": "always_yes", "parameters.rules.defect": "never_defect"},
    )
    m = run_model(sc)
    u = _union_share(m)
    members = [m.codes.index(c) for c in MEMBERS]
    assert not u[:, 0, :].any()  # tabled 2025, ratification lag 1
    assert u[:, 1:, :][:, :, members].all()
    # Armenia takes part through the EAEU, which joins as a bloc (docs/customs_union.md).
    members.append(m.codes.index("ARM"))
    assert u[:, 1:, :][:, :, members].all()
    outsiders = [i for i in range(m.N) if i not in members]
    assert not u[:, :, outsiders].any()


def test_variable_geometry_forms_among_supporters_only(model_fixture):
    # Outside the EAEU, whose members take part only together (test_cu_economics.py).
    willing = ["CHN", "PAK", "TJK", "UZB"]
    overrides = {
        "parameters.council.decision_rule": "variable_geometry",
        "parameters.rules.vote": "always_no",
        "parameters.rules.defect": "never_defect",
    }
    for c in willing:
        overrides[f"countries.{c}.rules.vote"] = "always_yes"
    m = run_model(_load(model_fixture, **overrides))
    idx = [m.codes.index(c) for c in willing]
    others = [i for i in range(m.N) if i not in idx]
    u = _union_share(m)[:, -1, :]
    assert u[:, idx].all() and not u[:, others].any()
    # Non-participants keep their base tariffs; participants trade duty-free.
    assert np.array_equal(
        m.tariffs[:, :, others], np.broadcast_to(m.tau0, m.tariffs.shape)[:, :, others]
    )
    inner = m.tariffs[:, idx][:, :, idx]
    assert np.allclose(inner, 0.0)


def test_member_below_exit_threshold_defects_after_k_years(model_fixture):
    k = 2
    sc = _load(
        model_fixture,
        **{
            "parameters.rules.vote": "always_yes",
            "parameters.council.defection_years": k,
            "parameters.council.exit_threshold": -0.5,  # nobody has bad years ...
            "countries.BLR.exit_threshold": 1.0,  # ... except Belarus: every year is bad
        },
    )
    m = run_model(sc)
    d = _events(m, "defection")
    assert set(d["country"]) == {"BLR"}
    # In force from 2026: bad years 2026 and 2027, so it leaves in 2027 ...
    assert set(d["year"]) == {2026 + k - 1}
    # ... and takes its EAEU partners out with it.
    assert set(_events(m, "bloc_exit")["country"]) == {"ARM", "KAZ", "KGZ", "RUS"}
    u = _union_share(m)
    # Inside in its last year (2027), outside from the next (docs/customs_union.md).
    for code in ("BLR", "RUS", "KAZ"):
        i = m.codes.index(code)
        assert u[:, 2026 - 2025 + k :, i].sum() == 0 and u[:, 1 : 2026 - 2025 + k, i].all()
    # The others' trust in the defector fell.
    chn = m.codes.index("CHN")
    blr = m.codes.index("BLR")
    assert (m.trust[:, chn, blr] < 0.7).all()


def test_dotted_path_rule_changes_the_outcome(model_fixture):
    base = {"parameters.rules.vote": "always_yes", "parameters.rules.defect": "never_defect"}
    m1 = run_model(_load(model_fixture, **base))
    m2 = run_model(
        _load(
            model_fixture,
            **base,
            **{"countries.KAZ.rules.vote": "rules_example:kazakhstan_says_no"},
        )
    )
    assert _union_share(m1)[:, -1, :].any()
    assert not _union_share(m2).any()
    assert set(_events(m2, "veto")["country"]) == {"KAZ"}


def test_veto_event_carries_reason_terms(model_fixture):
    m = run_model(
        _load(
            model_fixture,
            **{"parameters.rules.vote": "always_yes", "countries.IND.rules.vote": "always_no"},
        )
    )
    v = _events(m, "veto").iloc[0]
    terms = ["term_econ", "term_sovereignty", "term_trust", "term_dominance"]
    assert v[terms].notna().all()
    # The reasons are the vetoing state's own: its vote's terms in that run, not another
    # voter's (any state's terms passed the check above).
    votes = _events(m, "vote")
    own = votes[(votes["run"] == v["run"]) & (votes["country"] == "IND")].iloc[0]
    assert v["country"] == "IND"
    np.testing.assert_array_equal(v[terms].to_numpy(float), own[terms].to_numpy(float))
    others = votes[(votes["run"] == v["run"]) & (votes["country"] != "IND")]
    assert not (others[terms].to_numpy(float) == own[terms].to_numpy(float)).all(axis=1).any()


def test_unknown_rule_name_fails_at_validation(model_fixture):
    with pytest.raises(ScenarioError, match="no_such_rule"):
        _load(model_fixture, **{"countries.KAZ.rules.vote": "no_such_rule"})


def test_bad_dotted_path_fails_at_validation(model_fixture):
    with pytest.raises(ScenarioError, match="rules_example"):
        _load(model_fixture, **{"countries.KAZ.rules.vote": "rules_example:missing_function"})


def test_accession_under_consensus(model_fixture):
    extra = [{"type": "accession", "id": "tkm", "year": 2025, "applicant": "TKM"}]
    sc = load_scenario(
        model_fixture("small_base.yaml"),
        overrides={"proposals": extra, "parameters.rules.vote": "always_yes"},
    )
    m = run_model(sc)
    tkm = m.codes.index("TKM")
    member = np.stack(m.records["member"], axis=1)[:, :, tkm]
    assert not member[:, 0].any() and member[:, 1:].all()
    assert len(_events(m, "accession")) == m.R


def test_new_member_joins_member_union(model_fixture):
    extra = [{"type": "accession", "id": "tkm", "year": 2026, "applicant": "TKM"}]
    base = load_scenario(model_fixture("small_cu.yaml"))
    props = [p.model_dump(mode="json", exclude_none=True) for p in base.proposals] + extra
    sc = load_scenario(
        model_fixture("small_cu.yaml"),
        overrides={
            "parameters.rules.vote": "always_yes",
            "parameters.rules.defect": "never_defect",
            "proposals": props,
        },
    )
    m = run_model(sc)
    tkm = m.codes.index("TKM")
    u = _union_share(m)[:, :, tkm]
    assert not u[:, :2].any() and u[:, 2:].all()  # joins in 2027 with membership


def test_per_run_adapter_matches_vectorised_rule():
    n = 5
    rng = np.random.default_rng(0)
    ctx = VoteContext(
        iso3="KAZ",
        index=5,
        year=2026,
        proposal=None,
        codes=("A", "B"),
        terms={"econ": rng.normal(size=n), "dominance": rng.random(n)},
        weights={},
        utility=rng.normal(size=n),
        noise=rng.normal(size=n) * 0.1,
        gains=rng.normal(size=(n, 2)),
        participants=np.ones((n, 2), dtype=bool),
        trust=np.full((n, 2), 0.5),
    )
    scalar_rule = per_run(lambda c: (c.utility + c.noise >= 0) and c.terms["dominance"] <= 0.5)
    expected = (ctx.utility + ctx.noise >= 0) & (ctx.terms["dominance"] <= 0.5)
    assert np.array_equal(scalar_rule(ctx), expected)


def test_chair_retables_a_rejected_proposal_when_its_rule_says_so(model_fixture):
    overrides = {
        "parameters.rules.vote": "always_yes",
        "parameters.rules.defect": "never_defect",
        "parameters.rules.propose": "retable_every_two_years",
        "countries.KAZ.rules.vote": "rules_example:no_until_2026",
    }
    m = run_model(_load(model_fixture, **overrides))
    re = _events(m, "retabled")
    # Rejected in 2025; two years on the 2027 chair (rotation in alphabetical order:
    # BLR, CHN, IND, ...) tables it again; Kazakhstan now agrees; in force in 2028.
    assert set(re["year"]) == {2027} and set(re["country"]) == {"IND"} and len(re) == m.R
    u = _union_share(m)
    assert not u[:, :3, :].any() and u[:, 3, m.codes.index("KAZ")].all()
    # With the default rule nothing is tabled again.
    overrides.pop("parameters.rules.propose")
    m2 = run_model(_load(model_fixture, **overrides))
    assert _events(m2, "retabled").empty and not _union_share(m2).any()


def test_bad_years_count_consecutively_and_reset():
    from scosim.mechanisms.voting import update_bad_years

    counter = np.array([[0, 2, 5]])
    realised = np.array([[-0.01, -0.01, 0.02]])
    active = np.array([[True, True, True]])
    out = update_bad_years(counter, realised, np.zeros(3), active)
    assert out.tolist() == [[1, 3, 0]]  # bad years add up; a good year resets
    out = update_bad_years(counter, realised, np.zeros(3), np.array([[False, True, True]]))
    assert out.tolist() == [[0, 3, 0]]  # outside the arrangement nothing counts
    # A score exactly at the exit threshold is not a bad year ("below" it is).
    out = update_bad_years(counter, np.array([[-0.01, 0.0, 0.02]]), np.array([-0.01, 0, 0]),
                           active)
    assert out.tolist() == [[0, 0, 0]]


def test_accession_vote_weighs_joining_the_member_union(model_fixture):
    base = load_scenario(model_fixture("small_cu.yaml"))
    props = [p.model_dump(mode="json", exclude_none=True) for p in base.proposals]
    # The union enters into force in 2026 (after that year's summit); TKM applies in 2027.
    props.append({"type": "accession", "id": "tkm", "year": 2027, "applicant": "TKM"})
    over = {
        "parameters.rules.vote": "always_yes",
        "parameters.rules.defect": "never_defect",
        "proposals": props,
    }
    m = run_model(load_scenario(model_fixture("small_cu.yaml"), overrides=over))
    ev = _events(m, "vote")
    acc = ev[(ev["proposal"] == "tkm")]
    econ = acc["term_econ"].to_numpy(dtype=float)
    # The union is in force: Turkmenistan would join it, and members weigh that.
    assert np.isfinite(econ).all() and np.abs(econ).max() > 1e-6
    # Without a union in force there is no trade effect to weigh.
    extra = [{"type": "accession", "id": "tkm", "year": 2025, "applicant": "TKM"}]
    m2 = run_model(
        load_scenario(
            model_fixture("small_base.yaml"),
            overrides={"proposals": extra, "parameters.rules.vote": "always_yes"},
        )
    )
    ev2 = _events(m2, "vote")
    assert len(ev2) and (ev2["term_econ"] == 0).all()


def test_chair_rotation_follows_each_runs_membership(model_fixture):
    from scosim.model.phases import chairs

    extra = [{"type": "accession", "id": "tkm", "year": 2025, "applicant": "TKM"}]
    sc = load_scenario(
        model_fixture("small_base.yaml"),
        overrides={"proposals": extra, "parameters.rules.vote": "always_yes"},
    )
    m = SCOModel(sc, runs=[0, 1])
    m.step()  # 2025: TKM is admitted ...
    m.step()  # ... and a member from 2026, in both runs
    both = sorted(c for c in m.codes if m.is_member()[0, m.codes.index(c)])
    for year in range(2025, 2037):  # the same members in every run (the common case)
        assert [m.codes[i] for i in chairs(m, year)] == [both[(year - 2025) % len(both)]] * 2
    m.status[1, m.codes.index("TKM")] = 0  # run 1 is made to differ
    members0 = sorted(c for c in m.codes if m.is_member()[0, m.codes.index(c)])
    members1 = sorted(c for c in m.codes if m.is_member()[1, m.codes.index(c)])
    assert len(members0) == 11 and len(members1) == 10
    for year in range(2025, 2037):
        c = chairs(m, year)
        assert m.codes[c[0]] == members0[(year - 2025) % len(members0)]
        assert m.codes[c[1]] == members1[(year - 2025) % len(members1)]


# ------------------------------------------------------- the Council fit for the SCO
def test_proposer_votes_yes_in_every_run_of_the_consensus_scenario():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scenarios" / "customs_union_consensus.yaml"
    sc = load_scenario(path, overrides={"years.end": 2029})
    m = run_model(sc)
    votes = _events(m, "vote")
    chn = votes[(votes["country"] == "CHN") & (votes["year"] == 2026)]
    assert len(chn) == sc.replications == m.R
    assert chn["yes"].all() and chn["sponsor"].all()
    # ... although its own score is not always positive: the commitment is the rule's.
    # Under score_only_vote the sponsor scores its proposal like everyone else.
    m2 = run_model(load_scenario(path, overrides={"years.end": 2029,
                                                  "parameters.rules.vote": "score_only_vote"}))
    v2 = _events(m2, "vote").query("country == 'CHN' and year == 2026")
    assert len(v2) and (v2["yes"] == (v2["utility"] >= 0)).all()


def test_dominance_term_differs_across_voters_and_is_the_gap_to_the_leader(model_fixture):
    from scosim.mechanisms.voting import dominance_gap

    gains = np.array([[0.02, 0.01, -0.01, 0.03]])
    participants = np.array([[True, True, True, False]])
    gdp = np.array([10.0, 5.0, 1.0, 20.0])  # index 3 is larger but not a participant
    gap = dominance_gap(gains, participants, gdp)
    assert np.allclose(gap, [[0.0, 0.01, 0.03, 0.0]])
    # In the shipped consensus vote the term spreads across members.
    m = run_model(_load(model_fixture))
    votes = _events(m, "vote")
    dom = votes.assign(d=votes["term_dominance"])
    per_run = dom.groupby("run")["d"]
    assert (per_run.nunique() >= 5).all() and (per_run.std() > 1e-4).all()
    assert (dom.loc[dom["country"] == "CHN", "d"] == 0).all()


def test_vote_noise_is_scaled_to_the_score_it_perturbs(model_fixture):
    sc = _load(model_fixture, replications=40, **{"parameters.council.vote_noise": 0.25})
    m = run_model(sc)
    votes = _events(m, "vote")
    contrib = votes[[c for c in votes.columns if c.startswith("contrib_")]]
    assert contrib.shape[1] == 5 and contrib.notna().all().all()
    size = contrib.abs().sum(axis=1).to_numpy()
    z = votes["noise"].to_numpy() / size
    # Standardised by the size of the score's terms, the shock has sd vote_noise.
    assert z.std() == pytest.approx(0.25, rel=0.15) and abs(z.mean()) < 0.05


def test_interested_members_let_the_willing_adopt_where_consensus_fails(model_fixture):
    base = {
        "parameters.rules.vote": "always_yes",
        "parameters.rules.defect": "never_defect",
        "countries.IND.rules.vote": "always_no",
    }
    cons = run_model(_load(model_fixture, **base, **{"parameters.council.decision_rule":
                                                     "consensus"}))
    assert not _union_share(cons).any() and len(_events(cons, "rejected")) == cons.R
    im = run_model(_load(model_fixture, **base, **{"parameters.council.decision_rule":
                                                   "interested_members"}))
    ind = im.codes.index("IND")
    willing = [im.codes.index(c) for c in MEMBERS if c != "IND"]
    u = _union_share(im)[:, -1, :]
    assert u[:, willing].all() and not u[:, ind].any()
    consent = _events(im, "consent")
    # India stays out (as from the BRI paragraph since 2018) but does not object:
    # the willing's union costs it less than the consent rule's 0.1 % of income.
    assert set(consent["country"]) == {"IND"}
    assert len(consent) and consent["consents"].all()
    # A member that objects to the willing going ahead without it blocks them.
    blocked = run_model(_load(model_fixture, **base, **{
        "parameters.council.decision_rule": "interested_members",
        "countries.IND.rules.consent": "never_consent"}))
    assert not _union_share(blocked).any()
    assert set(_events(blocked, "veto")["country"]) == {"IND"}


def test_default_decision_rule_comes_from_the_type_unless_the_scenario_sets_one(model_fixture):
    sc = _load(model_fixture)
    data = sc.model_dump(exclude={"source"})
    data["parameters"]["council"]["decision_rule"] = None
    data["proposals"].append({"type": "free_trade_area", "id": "fta", "year": 2026,
                              "participants": ["CHN", "KAZ"]})
    data["proposals"].append({"type": "accession", "id": "tkm", "year": 2026,
                              "applicant": "TKM", "decision_rule": "variable_geometry"})
    from scosim.scenario import validate_data

    m = SCOModel(validate_data(data), runs=[0])
    rules = {a.pid: (a.rule, a.threshold) for a in m.arrangements}
    assert rules["cu"][0] == "consensus" and rules["fta"][0] == "interested_members"
    # Membership is all or nothing: variable geometry becomes a simple majority.
    assert rules["tkm"][0] == "qualified_majority" and rules["tkm"][1] > 0.5


def test_vote_reasons_labels_say_who_was_committed_and_who_proposed():
    from scosim.plot_votes import _vote_label

    assert _vote_label(1.0, {"always_yes"}, True).endswith(
        "committed by rule always_yes: score not used")
    assert "proposer" in _vote_label(1.0, {"utility_vote"}, True)
    assert _vote_label(0.43, {"utility_vote"}, False) == "yes in 43 %"
    # A rule of the user's own (or gains_only) decides on a test of its own: named, not
    # "committed", and the bars beside it are not what it decided on.
    own = _vote_label(0.5, {"mypkg.rules:cautious_vote"}, False)
    assert own == "yes in 50 % - decided by rule mypkg.rules:cautious_vote, not by this score"
    assert "committed" in _vote_label(0.0, {"scosim.rules.builtin:always_no"}, False)


def test_chair_rotation_follows_a_listed_order(model_fixture):
    """``council.chair_order`` as a list: the chair follows it, and a member it does not
    name (an acceded state) chairs after the listed ones. Only the alphabetical default
    had been run: the list was validated and never used."""
    from scosim.model.model import STATUS_CODES
    from scosim.model.phases import chairs

    order = ["RUS", "CHN", "KAZ", "KGZ", "TJK", "UZB", "IND", "PAK", "IRN", "BLR"]
    sc = _load(model_fixture, "small_base.yaml", **{"parameters.council.chair_order": order})
    m = SCOModel(sc, runs=[0, 1])
    m.status[1, m.codes.index("TKM")] = STATUS_CODES["member"]  # run 1 has an eleventh
    for k, year in enumerate(range(2025, 2037)):
        c = chairs(m, year)
        assert [m.codes[c[0]], m.codes[c[1]]] == [order[k % 10], [*order, "TKM"][k % 11]]
    # The summit is held by that chair.
    ev = run_model(sc).log.to_frame()
    summits = ev[(ev["type"] == "summit") & (ev["run"] == 0)]
    assert list(summits["country"]) == order[:4]  # 2025-2028


def test_near_miss_rule_retables_only_where_most_voters_backed_it(model_fixture):
    """``retable_near_miss`` (a built-in propose rule no test ran): two years on, the chair
    tables the rejected union again in the runs where at least half the voters said yes,
    and only there (a chair's decision in some runs tabled it in every run unseen)."""
    m = run_model(_load(model_fixture, replications=12, **{
        "parameters.rules.propose": "retable_near_miss", "parameters.council.vote_noise": 3.0}))
    ev = m.log.to_frame()
    share = ev[(ev["type"] == "vote") & (ev["year"] == 2025)].groupby("run")["yes"].mean()
    backed = set(share.index[share >= 0.5])
    assert backed and backed != set(range(m.R))  # runs of both kinds
    re = _events(m, "retabled")
    assert set(re["run"]) == backed and set(re["year"]) == {2027}
    again = ev[(ev["type"] == "vote") & (ev["year"] == 2027)]
    assert set(again["run"]) == backed


def test_kept_commitments_build_trust_among_the_participants_only(model_fixture):
    """Each year in force, trust between two participants that stay moves trust_gain of the
    way to 1; nobody else's trust moves. No test looked at trust gained (a gain of the wrong
    sign or size passed)."""
    sc = _load(model_fixture, replications=2, **{"parameters.rules.vote": "always_yes",
                                                  "parameters.rules.defect": "never_defect"})
    m = SCOModel(sc)
    start = m.trust.copy()
    m.run_model()
    inside = _union_share(m).astype(bool)  # (R, T, N)
    p = inside[0, -1]
    assert p.sum() == 11 and (inside[:, :, p].sum(axis=1) == 3).all()  # 2026-2028
    g = sc.parameters.council.trust_gain
    want = start.copy()
    pair = p[:, None] & p[None, :] & ~np.eye(m.N, dtype=bool)
    want[:, pair] = 1.0 - (1.0 - start[:, pair]) * (1.0 - g) ** 3
    np.testing.assert_allclose(m.trust, want, rtol=0, atol=1e-12)
    assert np.abs(m.trust - start).max() > 0.01


def test_trust_across_a_defection_follows_the_documented_rule(model_fixture):
    """docs/model.md, Trust: each year in force, every pair of participants who both stay
    gains ``trust_gain * (1 - trust)``; every staying participant's trust in a leaver falls
    by ``trust_loss`` (floored at 0); nothing else moves. Belarus leaves in 2027 and takes
    its EAEU partners out. No test checked trust exactly across a departure, so leavers
    still counted as keeping the commitment (gaining trust in their last year) passed."""
    sc = _load(model_fixture, replications=2, **{
        "parameters.rules.vote": "always_yes",
        "parameters.council.defection_years": 2,
        "parameters.council.exit_threshold": -0.5,
        "countries.BLR.exit_threshold": 1.0,
    })
    m = SCOModel(sc)
    start = m.trust.copy()
    m.run_model()
    inside = _union_share(m).astype(bool)  # (R, T, N), T = 2025..2028
    ev = m.log.to_frame()
    out = ev[ev["type"].isin(["defection", "bloc_exit"])]
    gain, loss = sc.parameters.council.trust_gain, sc.parameters.council.trust_loss
    off = ~np.eye(m.N, dtype=bool)
    for r in range(m.R):
        want = start[r].copy()
        left = set()
        for t, year in enumerate(range(2025, 2029)):
            part = inside[r, t]
            gone = out[(out["run"] == r) & (out["year"] == year)]["country"]
            leaving = np.isin(m.codes, list(gone))
            assert not (leaving & ~part).any()
            stay = part & ~leaving
            both = stay[:, None] & stay[None, :] & off
            want[both] += gain * (1.0 - want[both])
            hit = stay[:, None] & leaving[None, :]
            want[hit] = np.maximum(want[hit] - loss, 0.0)
            left |= set(gone)
        assert left == {"BLR", "ARM", "KAZ", "KGZ", "RUS"}  # the departure happened
        np.testing.assert_allclose(m.trust[r], want, rtol=0, atol=1e-12)


def test_a_proposer_that_left_is_not_re_asked_as_a_sponsor():
    # India proposes the free-trade area among the interested and leaves it after three
    # bad years. Asked again with the other outsiders, its vote is its own score: it used to
    # count as the proposal's sponsor, said yes on a negative score and rejoined at once,
    # leaving and rejoining every three years.
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scenarios" / "free_trade_area.yaml"
    m = SCOModel(load_scenario(path, overrides={
        "proposals[0].proposer": "IND", "replications": 4,
        "parameters.council.decision_rule": "interested_members",
        "parameters.rules.vote": "utility_vote", "parameters.council.exit_threshold": 0.0}))
    m.run_model()
    ev = m.log.to_frame()
    ind = ev[ev["country"] == "IND"]
    assert (ind["type"] == "defection").any()
    assert not (ind["type"] == "joined").any()
    later = ind[(ind["type"] == "vote") & (ind["year"] > 2026)]
    assert len(later) and not later["sponsor"].astype(bool).any()
    assert (later["yes"].astype(bool) == (later["utility"] + later["noise"] > 0)).all()
