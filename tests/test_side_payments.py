"""Side payments (scosim.side_payments, scosim transfers): checked against what they must satisfy.

* Kaldor-Hicks within the bloc, with the econ term alone: a plan exists iff the voters'
  total US$ gain covers the losers' shortfalls, and then no voter is left worse off
  (outsiders are not compensated, so this is not Kemp-Wan's Pareto claim);
* a two-member closed form: the no voter receives exactly its shortfall, score x E / w;
* the relative-gains term responds: a leader paying a member narrows its gap from both
  sides (closed form, with the gap's floor at 0);
* a non-member whose no keeps its bloc out is bought too; a strict bar is cleared;
* budget balance to 1e-9, every bought voter at its bar and every payer still above it;
* a vote already carried needs nothing; rules not linear in the econ term are refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.side_payments import PRICED_VOTE_RULES, price_vote, price_votes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"


def _events(terms: dict[str, np.ndarray], w: np.ndarray, *, rule: str = "score_only_vote",
            decision: str = "consensus", threshold: float = 1.0, noise: np.ndarray | None = None,
            sponsor: np.ndarray | None = None, adopted: bool = False,
            rules: list[str] | None = None, dominance: np.ndarray | None = None,
            w_dom: np.ndarray | None = None,
            contribs: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Vote and decision events of one vote (run 0, 2026), scored as the Council scores.

    ``terms`` holds signed, weighted non-econ contributions besides ``econ`` (raw gain);
    ``dominance`` the raw relative-gains gap, weighted by ``w_dom`` (default none).
    ``contribs``: log every term's contribution (the shock is then rescaled with them).
    """
    econ = np.asarray(terms["econ"], dtype=float)
    n = econ.size
    noise = np.zeros(n) if noise is None else noise
    sponsor = np.zeros(n, dtype=bool) if sponsor is None else sponsor
    dominance = np.zeros(n) if dominance is None else dominance
    w_dom = np.zeros(n) if w_dom is None else w_dom
    other = sum((v for k, v in terms.items() if k != "econ"), np.zeros(n))
    utility = w * econ + other - w_dom * dominance + noise
    rules = rules or [rule] * n
    yes = []
    for r, u, g, s in zip(rules, utility, econ, sponsor, strict=True):
        kind, sponsors = PRICED_VOTE_RULES.get(r, ("utility", False))
        score = u if kind == "utility" else g
        yes.append(bool((s and sponsors) or (score > 0 if kind == "econ" else score >= 0)))
    votes = pd.DataFrame({"run": 0, "year": 2026, "type": "vote", "proposal": "p",
                          "country": [f"C{i}" for i in range(n)], "yes": yes, "rule": rules,
                          "sponsor": sponsor, "utility": utility, "noise": noise,
                          "term_econ": econ, "contrib_econ": w * econ,
                          "term_dominance": dominance})
    if contribs:
        for name in ("sovereignty", "trust", "security"):
            votes[f"contrib_{name}"] = terms.get(name, np.zeros(n))
        votes["contrib_dominance"] = -w_dom * dominance
    dec = pd.DataFrame({"run": [0], "year": [2026], "type": ["adopted" if adopted else
                                                              "rejected"],
                        "proposal": ["p"], "decision_rule": [decision],
                        "decision_threshold": [threshold]})
    return votes, dec


def _price(votes: pd.DataFrame, dec: pd.DataFrame, e: np.ndarray, w: np.ndarray,
           member: np.ndarray | None = None, **kw) -> pd.DataFrame:
    n = e.size
    member = np.ones((1, n), dtype=bool) if member is None else member[None, :]
    return price_votes(votes, dec, e[None, :], w[None, :], member,
                       [f"C{i}" for i in range(n)], {0: 0}, **kw)


def test_kaldor_hicks_within_the_bloc_plan_exists_iff_the_voters_gain_in_total():
    rng = np.random.default_rng(20261207)
    found = {True: 0, False: 0}
    for _ in range(300):
        n = int(rng.integers(2, 9))
        e = rng.uniform(1e10, 5e12, n)
        w = rng.uniform(0.2, 3.0, n)  # the weights must not matter: money is money
        gain = rng.normal(0.0, 0.004, n)
        votes, dec = _events({"econ": gain}, w, adopted=bool((gain > 0).all()))
        t = _price(votes, dec, e, w)
        usd = gain * e
        exists = bool(usd.sum() >= 0)
        status = t["status"].iloc[0]
        if (usd >= 0).all():
            assert status == "carried"
            continue
        found[exists] += 1
        assert status == ("plan" if exists else "no_plan"), (usd, status)
        if exists:
            after = usd + t["transfer_usd"].to_numpy()
            # Kaldor-Hicks within the bloc: with the transfers no voter is worse off than
            # without the union (outsiders, not voting, are not compensated).
            assert (after >= -1e-9 * np.abs(usd).sum()).all()
            # Least total: exactly the losers' losses, paid out of the winners' gains.
            assert t["total_transfer_usd"].iloc[0] == pytest.approx(-usd[usd < 0].sum(),
                                                                    rel=1e-9)
            assert t["bloc_gain_usd"].iloc[0] == pytest.approx(usd.sum(), rel=1e-12)
    assert found[True] > 20 and found[False] > 20  # both sides of the test were exercised


def test_two_members_closed_form_with_every_term_and_noise():
    # B votes no on gain, sovereignty, dominance and a noise draw; A, ahead, pays.
    e = np.array([4.0e12, 2.5e11])
    w = np.array([1.5, 0.7])
    terms = {"econ": np.array([0.003, -0.001]), "sovereignty": np.array([-0.0003, -0.0003]),
             "dominance": np.array([0.0, -0.0009])}
    noise = np.array([0.0002, -0.0004])
    votes, dec = _events(terms, w, noise=noise)
    u = votes["utility"].to_numpy()
    t = _price(votes, dec, e, w).set_index("country")["transfer_usd"]
    need = -u[1] * e[1] / w[1]  # B's score reaches 0 exactly when it gets this
    assert t["C1"] == pytest.approx(need, rel=1e-9)
    assert t["C0"] == pytest.approx(-need, rel=1e-9)
    # A can pay it iff its own surplus, score x E / w, covers it.
    for factor, status in ((1.1, "plan"), (0.9, "no_plan")):
        g0 = (factor * need * w[0] / e[0] - terms["sovereignty"][0] - noise[0]) / w[0]
        terms2 = {**terms, "econ": np.array([g0, terms["econ"][1]])}
        votes2, dec2 = _events(terms2, w, noise=noise)
        assert set(_price(votes2, dec2, e, w)["status"]) == {status}


def test_budget_balance_and_every_voter_still_votes_yes():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(100):
        n = 11
        e = rng.uniform(1e10, 2e13, n)
        w = rng.uniform(0.5, 2.0, n)
        terms = {"econ": rng.normal(0.001, 0.003, n), "sovereignty": np.full(n, -0.0003),
                 "trust": rng.normal(0.0, 0.0002, n)}
        noise = rng.normal(0.0, 0.0005, n)
        votes, dec = _events(terms, w, noise=noise)
        t = _price(votes, dec, e, w)
        if t["status"].iloc[0] != "plan":
            continue
        checked += 1
        x = t["transfer_usd"].to_numpy()
        total = t["total_transfer_usd"].iloc[0]
        assert abs(x.sum()) <= 1e-9 * total
        assert x[x > 0].sum() == pytest.approx(total, rel=1e-12)
        score_after = votes["utility"].to_numpy() + w * x / e
        assert (score_after >= -1e-12).all()  # every voter now votes yes, payers included
        # Payers give up the same share of their surplus (the second programme's choice).
        slack = votes["utility"].to_numpy() * e / w
        pays = x < 0
        shares = -x[pays] / slack[pays]
        assert np.ptp(shares) < 1e-9
    assert checked >= 10


def test_a_carried_vote_needs_nothing():
    e = np.array([1e12, 1e12, 1e12])
    w = np.ones(3)
    votes, dec = _events({"econ": np.array([0.01, 0.002, -0.004])}, w, adopted=True)
    t = _price(votes, dec, e, w)
    assert set(t["status"]) == {"carried"}
    assert (t["transfer_usd"] == 0).all() and (t["total_transfer_usd"] == 0).all()
    plan = price_vote([5e9, 1e9, -2e9], [True, True, False], needed=2)
    assert plan.status == "carried" and plan.total_usd == 0 and not plan.transfer_usd.any()


def test_a_qualified_majority_buys_the_cheapest_voters():
    # 5 members, 60 %: three yes needed; C0 pays; C2 and C4 are the cheapest to buy.
    e = np.full(5, 1e12)
    w = np.ones(5)
    gain = np.array([0.02, -0.010, -0.001, -0.005, -0.002])
    votes, dec = _events({"econ": gain}, w, decision="qualified_majority", threshold=0.6)
    t = _price(votes, dec, e, w).set_index("country")["transfer_usd"]
    assert t["C2"] == pytest.approx(1e9) and t["C4"] == pytest.approx(2e9)
    assert t["C1"] == 0 and t["C3"] == 0 and t["C0"] == pytest.approx(-3e9)


def test_a_sponsor_voting_yes_below_its_bar_that_loses_pays_nothing():
    # It may pay out of its economic gain only (tests/test_side_payments_sponsor.py):
    # C0 loses 0.1 %.
    e = np.full(3, 1e12)
    w = np.ones(3)
    gain = np.array([-0.001, 0.004, -0.001])
    votes, dec = _events({"econ": gain}, w, rule="utility_vote",
                         sponsor=np.array([True, False, False]))
    t = _price(votes, dec, e, w).set_index("country")["transfer_usd"]
    assert t["C0"] == 0 and t["C1"] == pytest.approx(-1e9) and t["C2"] == pytest.approx(1e9)


def test_only_the_members_are_counted_under_consensus():
    # C2 (not a member) votes no: it blocks nobody and is not bought.
    e = np.full(3, 1e12)
    w = np.ones(3)
    votes, dec = _events({"econ": np.array([0.004, -0.001, -0.01])}, w)
    t = _price(votes, dec, e, w, member=np.array([True, True, False]))
    assert list(t["country"]) == ["C0", "C1"]
    assert t.set_index("country")["transfer_usd"]["C1"] == pytest.approx(1e9)


@pytest.mark.parametrize("rule", ["always_no", "no_dominant_partner", "my.pkg.rule"])
def test_rules_not_linear_in_the_econ_term_are_refused_by_name(rule):
    e = np.full(2, 1e12)
    w = np.ones(2)
    votes, dec = _events({"econ": np.array([0.004, -0.001])}, w,
                         rules=["score_only_vote", rule])
    t = _price(votes, dec, e, w)
    assert set(t["status"]) == {"not_priced"}
    assert f"{rule} (C1)" in t["reason"].iloc[0]
    assert (t["transfer_usd"] == 0).all()


def test_a_vote_money_cannot_move_or_without_voters_has_no_plan():
    plan = price_vote([5e9, float("nan")], [True, False], needed=2, names=["A", "B"])
    assert plan.status == "no_plan" and "B" in plan.reason and not plan.transfer_usd.any()
    votes, dec = _events({"econ": np.array([0.004, -0.001])}, np.ones(2))
    t = _price(votes.iloc[0:0], dec, np.full(2, 1e12), np.ones(2))
    assert list(t["status"]) == ["no_voters"]


@pytest.mark.parametrize("rule", ["variable_geometry", "interested_members"])
def test_opt_in_rules_are_not_priced_until_the_willing_group_is_re_previewed(rule):
    # One state said yes: the Council would preview a smaller group on its own terms, so
    # the ten-member preview's gains do not price it.
    e = np.full(3, 1e12)
    w = np.ones(3)
    votes, dec = _events({"econ": np.array([0.004, -0.001, -0.002])}, w, decision=rule,
                         threshold=2.0)
    t = _price(votes, dec, e, w)
    assert set(t["status"]) == {"not_priced"}
    assert "previewed again" in t["reason"].iloc[0] and rule in t["reason"].iloc[0]
    assert (t["transfer_usd"] == 0).all()


def test_the_relative_gains_gap_responds_to_the_leaders_payment():
    # C0 (the largest economy, in favour) pays C1, which votes no on its own loss and its
    # gap to C0. A dollar to C1 raises its gain by 1/E1 and lowers C0's by 1/E0, so its
    # score rises by (w + wd)/E1 + wd/E0 while the gap stays open: x solves that = -score.
    e = np.array([1.8e13, 4.0e12])
    w = np.array([1.0, 1.2])
    wd = np.array([0.0, 0.5])
    gain = np.array([0.002, -0.001])
    gap = np.array([0.0, gain[0] - gain[1]])
    votes, dec = _events({"econ": gain, "sovereignty": np.array([0.0, -0.0002])}, w,
                         dominance=gap, w_dom=wd)
    score = votes["utility"].to_numpy()
    held = _price(votes, dec, e, w)  # without the weights: the term held (closed form)
    assert held.set_index("country")["transfer_usd"]["C1"] == pytest.approx(
        -score[1] * e[1] / w[1], rel=1e-9)
    t = _price(votes, dec, e, w, w_dom=wd[None, :], gdp=e).set_index("country")
    x = -score[1] / ((w[1] + wd[1]) / e[1] + wd[1] / e[0])
    assert (gain[0] - x / e[0]) > (gain[1] + x / e[1])  # the gap is still open: no kink
    assert t["transfer_usd"]["C1"] == pytest.approx(x, rel=1e-7)
    assert t["transfer_usd"]["C0"] == pytest.approx(-x, rel=1e-7)
    assert x < held.set_index("country")["transfer_usd"]["C1"]


def test_the_gap_stops_responding_once_it_is_closed():
    # C1's gap is small: the payment closes it, and beyond that only the econ term moves.
    e = np.array([1.0e13, 1.0e12])
    w = np.ones(2)
    wd = np.array([0.0, 1.0])
    gain = np.array([0.0020, 0.0019])
    gap = np.array([0.0, 0.0001])
    votes, dec = _events({"econ": gain, "sovereignty": np.array([0.0, -0.004])}, w,
                         dominance=gap, w_dom=wd)
    t = _price(votes, dec, e, w, w_dom=wd[None, :], gdp=e).set_index("country")
    x = t["transfer_usd"]["C1"]
    # At the least x, C1's score after the transfer, with the gap as the Council computes
    # it, is exactly at its bar, and the gap is closed.
    g1, g0 = gain[1] + x / e[1], gain[0] - x / e[0]
    assert g1 > g0
    assert w[1] * g1 - 0.004 - wd[1] * max(g0 - g1, 0.0) == pytest.approx(0.0, abs=1e-12)


def test_a_non_member_whose_no_keeps_its_bloc_out_is_bought_too():
    # C1 (a member) and C2 (not one) take part as a bloc: buying C1 alone would deliver a
    # union without it, so C2's shortfall is paid as well.
    e = np.full(3, 1e12)
    w = np.ones(3)
    gain = np.array([0.01, -0.001, -0.002])
    votes, dec = _events({"econ": gain}, w)

    def together(k, year, pid, part, voters):
        bloc = np.array([False, True, True])
        whole = (part | ~voters)[bloc].all()
        return part & (~bloc | whole)

    member = np.array([True, True, False])
    alone = _price(votes, dec, e, w, member=member).set_index("country")
    assert "C2" not in alone.index  # without the bloc's rule it is not counted
    t = _price(votes, dec, e, w, member=member, together=together).set_index("country")
    assert set(t["status"]) == {"plan"}
    assert t["transfer_usd"]["C1"] == pytest.approx(1e9)
    assert t["transfer_usd"]["C2"] == pytest.approx(2e9)
    assert t["transfer_usd"]["C0"] == pytest.approx(-3e9)
    assert not t["counted"]["C2"] and t["counted"]["C1"]


def test_a_strict_bar_is_cleared_not_just_reached():
    # gains_only votes yes iff the gain is above 0: a voter moved to exactly 0 says no.
    e = np.array([2e12, 5e11, 3e11])
    w = np.ones(3)
    gain = np.array([0.004, -0.002, -0.001])
    votes, dec = _events({"econ": gain}, w, rule="gains_only")
    t = _price(votes, dec, e, w)
    after = gain + t["transfer_usd"].to_numpy() / e
    assert set(t["status"]) == {"plan"}
    assert (after > 0).all()  # gains_only now says yes for every voter
    assert t["total_transfer_usd"].iloc[0] == pytest.approx(-(gain * e)[1:].sum(), abs=3e6)


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory):
    from scosim.runner import run

    out = tmp_path_factory.mktemp("results")
    cu = run(FIXTURES / "small_cu.yaml", replications=6, out=out, progress=False,
             plots=False)
    base = run(FIXTURES / "small_base.yaml", replications=2, out=out, progress=False,
               plots=False)
    return Path(cu.path), Path(base.path)


def test_transfers_command_prints_and_writes_a_table_that_carries_the_votes(small_runs,
                                                                              capsys):
    cu, _ = small_runs
    assert main(["transfers", str(cu)]) == 0
    text = capsys.readouterr().out
    assert "cu, vote of 2025 (consensus)" in text and "A plan would carry the vote in" in text
    table = pd.read_csv(cu / "transfers.csv")
    assert set(table["run"]) == set(range(6))
    plans = table[table["status"] == "plan"]
    assert not plans.empty  # the small union is bought in some runs
    from scosim.result_tables import open_result
    from scosim.side_payments import _model_arrays

    votes = open_result(cu).events.query("type == 'vote'")
    a = _model_arrays(open_result(cu), np.arange(6), [2025])
    e, w, wd, codes = a["expenditure"][2025], a["w_econ"], a["w_dom"], a["codes"]
    col = {c: i for i, c in enumerate(codes)}
    merged = plans.merge(votes[["run", "country", "utility", "sponsor", "term_econ",
                                "term_dominance", "noise", "contrib_econ", "contrib_sovereignty",
                                "contrib_trust", "contrib_dominance", "contrib_security"]],
                         on=["run", "country"])
    k = merged["run"].to_numpy()
    j = merged["country"].map(col).to_numpy()
    # The gains after the transfers and each voter's gap to the largest economy, as the
    # Council computes it (voting.dominance_gap), the leader being China here.
    gain = merged["term_econ"] + merged["transfer_usd"] / e[k, j]
    lead = gain.where(merged["country"] == "CHN").groupby(merged["run"]).transform("max")
    gap = np.where(merged["country"] == "CHN", 0.0, np.maximum(lead - gain, 0.0))
    # The shock, z vote_noise times the size of the terms (voting.noise_scale), with the
    # econ and relative-gains terms after the transfers.
    size = merged[[f"contrib_{n}" for n in ("econ", "sovereignty", "trust", "dominance",
                                            "security")]].abs().sum(axis=1)
    size_after = (size - merged["contrib_econ"].abs() - merged["contrib_dominance"].abs()
                  + (w[k, j] * gain).abs() + np.abs(wd[k, j] * gap))
    after = (merged["utility"] - merged["noise"] + w[k, j] * merged["transfer_usd"] / e[k, j]
             - wd[k, j] * (gap - merged["term_dominance"])
             + merged["noise"] / size * size_after)
    # Everyone priced votes yes after the transfers; a sponsor, which votes yes whatever
    # its score, may instead end below its bar if it still gains economically (it pays
    # out of its gain: 2026-12-07; US$1,000, HiGHS's tolerance).
    econ_after = merged["term_econ"] * e[k, j] + merged["transfer_usd"]
    assert ((after >= -1e-11) | (merged["sponsor"] & (econ_after >= -1e3))).all()
    assert (plans.groupby("run")["transfer_usd"].sum().abs()
            <= 1e-9 * plans.groupby("run")["total_transfer_usd"].first()).all()


def test_transfers_refuses_a_folder_that_is_not_a_run_or_has_no_votes(small_runs, tmp_path,
                                                                       capsys):
    _, base = small_runs
    assert main(["transfers", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a run" in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert main(["transfers", str(base)]) == 2
    err = capsys.readouterr().err
    assert "no Council decisions" in err and len(err.splitlines()) == 1


def test_transfers_refuses_a_run_made_on_other_data(small_runs, monkeypatch, capsys):
    cu, _ = small_runs
    import scosim.experiments.versions as v

    real = v.versions()
    monkeypatch.setattr(v, "versions", lambda: {**real, "data": "2019.1-other"})
    assert main(["transfers", str(cu)]) == 2
    err = capsys.readouterr().err
    assert "data version" in err and "2019.1-other" in err and len(err.splitlines()) == 1


def test_the_vote_shock_is_rescaled_with_the_terms_as_the_council_scales_it():
    # The Council's shock is c times the size of the terms (c = z vote_noise). C1 loses
    # and drew a positive shock: a dollar to it shrinks its loss, hence the size and the
    # shock, so its score rises by (1 - c) per dollar (in US$ of its own, w = 1): it needs
    # slack / (1 - c), not slack, as long as it still loses after the transfer.
    e = np.array([1.0e13, 1.0e12])
    w = np.ones(2)
    gain = np.array([0.004, -0.003])
    sov = np.array([-0.0001, -0.0001])
    trust = np.array([0.0, 0.002])
    c = np.array([0.0, 0.15])
    noise = c * (np.abs(w * gain) + np.abs(sov) + np.abs(trust))
    # The gap to C0 as the Council logs it (weight 0 here: only the shock matters).
    votes, dec = _events({"econ": gain, "sovereignty": sov, "trust": trust}, w, noise=noise,
                         contribs=True, dominance=np.array([0.0, 0.007]))
    slack = votes["utility"].to_numpy() * e / w
    t = _price(votes, dec, e, w, w_dom=np.zeros((1, 2)), gdp=e).set_index("country")
    x = -slack[1] / (1.0 - c[1])
    assert x < -gain[1] * e[1]  # still losing after it: the closed form holds
    assert t["transfer_usd"]["C1"] == pytest.approx(x, rel=1e-7)
    assert t["noise_rescaled_short_usd"].iloc[0] <= 1e3  # the independent recomputation
    held = _price(votes.drop(columns="contrib_trust"), dec, e, w, w_dom=np.zeros((1, 2)),
                  gdp=e).set_index("country")
    xh = held["transfer_usd"]["C1"]
    assert xh == pytest.approx(-slack[1], rel=1e-7)
    # Held at its logged size, the shock the Council would draw leaves C1 short.
    size = np.abs(gain[1]) + np.abs(sov[1]) + np.abs(trust[1])
    g1 = gain[1] + xh / e[1]
    after = w[1] * g1 + sov[1] + trust[1] + c[1] * (size - abs(gain[1]) + abs(g1))
    assert after < -1e-5


def test_the_shock_check_ignores_the_no_voters_a_majority_leaves_unbought():
    # Three yes of five needed: C1 and C3 stay against, and the check must not count them.
    e = np.full(5, 1e12)
    w = np.ones(5)
    gain = np.array([0.02, -0.010, -0.001, -0.005, -0.002])
    sov = np.full(5, -0.0001)
    noise = 0.1 * (np.abs(gain) + np.abs(sov))
    votes, dec = _events({"econ": gain, "sovereignty": sov}, w, noise=noise, contribs=True,
                         decision="qualified_majority", threshold=0.6,
                         dominance=np.maximum(gain[0] - gain, 0.0) * (np.arange(5) > 0))
    t = _price(votes, dec, e, w, w_dom=np.zeros((1, 5)), gdp=np.arange(5, 0, -1.0))
    x = t.set_index("country")["transfer_usd"]
    assert x["C1"] == 0 and x["C3"] == 0 and x["C2"] > 0 and x["C4"] > 0
    assert t["noise_rescaled_short_usd"].iloc[0] <= 1e3


def test_a_vote_the_scenario_fixes_is_not_priced_as_carried(tmp_path, capsys):
    """always_yes carries the vote whatever the scores: not 'a plan in 100 % of runs'."""
    from scosim.runner import run

    done = run(FIXTURES / "small_cu.yaml", replications=2, out=tmp_path, progress=False,
               plots=False, overrides={"parameters.rules.vote": "always_yes"})
    assert main(["transfers", str(done.path)]) == 0
    text = capsys.readouterr().out
    assert "rejected in 0 of 2 runs" in text
    assert "the scenario fixes the votes (always_yes)" in text
    assert "A plan would carry the vote" not in text
    table = pd.read_csv(Path(done.path) / "transfers.csv")
    assert set(table["status"]) == {"not_priced"} and table["adopted"].all()


def test_the_bought_voters_shortfall_splits_by_the_councils_terms(small_runs, capsys):
    # The parts are the logged contributions and shock times E / w; the Council logs
    # utility apart from them, so their sum equalling the shortfall priced is an identity.
    cu, _ = small_runs
    assert main(["transfers", str(cu)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    table = pd.read_csv(cu / "transfers.csv")
    first = table[table["status"].isin(["plan", "no_plan"])].drop_duplicates("run")
    assert len(first) > 0 and first["short_usd"].notna().all()
    parts = first[[f"short_{p}_usd" for p in ("econ", "dominance", "sovereignty", "trust",
                                               "security", "noise")]].sum(axis=1)
    assert np.allclose(parts, first["short_usd"], rtol=0.0,
                       atol=1e-9 * first["short_usd"].abs().max())
    # The shortfall is that of the voters bought: in a plan, what they lack at their
    # logged scores, a positive amount, met by the transfers they receive.
    plans = table[table["status"] == "plan"]
    bought = plans[plans["transfer_usd"] > 0]
    from scosim.result_tables import open_result

    votes = open_result(cu).events.query("type == 'vote'")
    m = bought.merge(votes[["run", "country", "utility", "yes"]], on=["run", "country"])
    assert not m["yes"].any() and (m["utility"] < 0).all()
    assert (first.loc[first["status"] == "plan", "short_usd"] > 0).all()
    med = first["short_usd"].median() / 1e9
    n = len(first)
    assert "At their logged scores the bought voters fall short by US$" in text
    assert f"(medians over the {n} priced runs; the parts' medians need not add up)" in text
    from scosim.cli_transfers import _usd

    assert f"fall short by {_usd(med)}: economic loss US$" in text
    # A term that weighs nothing in any run (security, without its mechanism) is not
    # listed, and every line but the paths' fits the run's answer's 80 columns, the
    # table's rows and the reasons too.
    raw = capsys.readouterr().out  # nothing more printed since
    assert raw == ""
    assert main(["transfers", str(cu)]) == 0
    raw = capsys.readouterr().out
    if (first["short_security_usd"] == 0).all():
        assert "security 0" not in " ".join(raw.split())
    from scosim.tty_lines import ANSWER_WIDTH

    assert all(len(line) <= ANSWER_WIDTH for line in raw.splitlines()
               if not line.startswith(("run: ", "written: ")))


def test_each_voter_s_runs_receiving_are_counted_from_the_table(small_runs, capsys):
    # Who receives varies by run (a no vote the smaller lead already turns; under a
    # majority the set bought): the count beside each voter is that of its rows of
    # transfers.csv with a positive transfer, over the runs with a plan.
    from scosim.side_payments_summary import summarise

    cu, _ = small_runs
    assert main(["transfers", str(cu)]) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(cu / "transfers.csv", keep_default_na=False, na_values=[""])
    for s in summarise(table):
        plans = table[(table["status"] == "plan") & (table["proposal"] == s["proposal"])
                      & (table["year"] == s["year"])]
        for code, (_, _, k, j) in s["members"].items():
            mine = plans.loc[plans["country"] == code, "transfer_usd"]
            assert (k, j) == (int((mine > 0).sum()), int((mine < 0).sum()))
        # The receivers' group: those receiving in more runs than they pay (_side).
        from scosim.cli_transfers import _side

        varies = any(0 < m[2] < s["plan"] for m in s["members"].values()
                     if _side(m) == "receiving:")
        assert ("runs it receives in" in out) == varies
