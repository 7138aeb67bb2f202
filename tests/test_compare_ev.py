"""Reading two runs: unpaired rows named, and EV against a baseline without policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scosim.compare import compare_results
from scosim.report import write_report
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path (rootdir)


def _runs(tmp_path, names: dict[str, float], *, policy_only=()):
    """A policy/baseline pair of results directories with these indicators (effect each)."""
    pols, bases = [], []
    for k, (name, effect) in enumerate(names.items()):
        pol, base = synthetic_pair(30, seed=10 + k, effect=effect)
        pols.append(pol.assign(indicator=name))
        if name not in policy_only:
            bases.append(base.assign(indicator=name))
    return (write_run(tmp_path / "p", pd.concat(pols), scenario="pol_scn", seed=7),
            write_run(tmp_path / "b", pd.concat(bases), scenario="base_scn", seed=7))


def test_unpaired_rows_are_named_in_the_warning(tmp_path):
    p, b = _runs(tmp_path, {"incidents": 0.5, "rats_upgraded": 0.0},
                 policy_only=("rats_upgraded",))
    with pytest.warns(UserWarning, match=r"left out of the comparison: rats_upgraded "
                                         r"\(only the policy run records it\)"):
        compare_results(p, b)


def test_in_memory_pairing_names_unpaired_indicators_too():
    from scosim.compare import paired_differences

    pol, base = synthetic_pair(5, seed=1)
    extra = pol.assign(indicator="rats_upgraded")
    short = base[~((base["country"] == "KAZ") & (base["year"] == 2028))]
    with pytest.warns(UserWarning) as caught:
        paired_differences(pd.concat([pol, extra]), short)
    text = str(caught[0].message)
    assert "rats_upgraded (only the policy run records it)" in text
    assert "welfare (some years or economies in one run only)" in text


def _ev_runs(tmp_path, baseline_ev: float):
    """A union policy and a baseline: the baseline's ev_usd is ``baseline_ev`` everywhere
    and its members' total NaN (no bloc); the policy's members' total is NaN in run 0."""
    pol, base = synthetic_pair(20, seed=5, effect=1e9)
    members_p = pol.assign(indicator="ev_members_usd")
    members_p.loc[members_p["run"] == 0, "value"] = np.nan
    members_b = base.assign(indicator="ev_members_usd", value=np.nan)
    ev_b = base.assign(indicator="ev_usd", value=baseline_ev)
    return (write_run(tmp_path / "p", pd.concat([members_p, pol.assign(indicator="ev_usd")]),
                      scenario="union"),
            write_run(tmp_path / "b", pd.concat([members_b, ev_b]), scenario="baseline"),
            members_p)


def test_members_ev_against_a_baseline_without_policy_is_the_policy_runs_own(tmp_path):
    p, b, members = _ev_runs(tmp_path, baseline_ev=0.07)  # solver rounding
    comp = compare_results(p, b)
    assert comp.own_baseline == ("ev_usd", "ev_members_usd")
    got = comp.summary[comp.summary["indicator"] == "ev_members_usd"].set_index(
        ["year", "country"])
    own = members.groupby(["year", "country"])["value"].agg(["mean", "count"])
    assert np.allclose(got["mean"], own["mean"].loc[got.index])
    assert (got["n_runs"] == 19).all()  # run 0 has no bloc
    # the run-level differences read again on demand take the same zeros
    d = comp.diffs[comp.diffs["indicator"] == "ev_members_usd"]
    assert (d["baseline"].dropna() == 0).all() and d["diff"].notna().sum() == 19 * len(d) / 20


def test_members_ev_against_a_policy_baseline_is_not_made_up(tmp_path):
    p, b, _ = _ev_runs(tmp_path, baseline_ev=5e9)  # a baseline with a trade policy
    comp = compare_results(p, b)
    assert comp.own_baseline == ()
    members = comp.summary[comp.summary["indicator"] == "ev_members_usd"]
    assert (members["n_runs"] == 0).all()




def test_trade_creation_against_a_baseline_without_policy_is_the_policy_runs_own(tmp_path):
    """Creation and diversion are V' - V inside a run, for the union's participants;
    a baseline without trade policy records none (NaN), so the comparison had no pair
    and showed nothing of Viner's two numbers. Now: the policy run's own, where it has
    them; against a baseline with a policy of its own, nothing is made up."""
    for baseline_ev, paired in ((0.07, True), (5e9, False)):
        pol, base = synthetic_pair(20, seed=6, effect=2e9)
        pol.loc[~pol["country"].isin(["CHN", "RUS"]), "value"] = np.nan  # participants
        tc_p = pol.assign(indicator="trade_creation_usd")
        p = write_run(tmp_path / f"p{paired}", pd.concat(
            [tc_p, base.assign(indicator="ev_usd", value=3e9)]), scenario="union")
        b = write_run(tmp_path / f"b{paired}", pd.concat(
            [base.assign(indicator="trade_creation_usd", value=np.nan),
             base.assign(indicator="ev_usd", value=baseline_ev)]), scenario="baseline")
        comp = compare_results(p, b)
        got = comp.summary[comp.summary["indicator"] == "trade_creation_usd"].set_index(
            ["year", "country"])
        if paired:
            assert "trade_creation_usd" in comp.own_baseline
            own = tc_p.groupby(["year", "country"])["value"].mean()
            chn = got.xs("CHN", level="country")
            assert np.allclose(chn["mean"], own.xs("CHN", level="country"))
            assert (chn["n_runs"] == 20).all()
            assert (got.xs("IND", level="country")["n_runs"] == 0).all()  # not in the union
            md = write_report(comp, tmp_path / "r", title="T", plot_workers=1).read_text()
            assert "**Trade creation and diversion** (trade_creation_usd)" in md
        else:
            assert comp.own_baseline == ()
            assert (got["n_runs"] == 0).all()
