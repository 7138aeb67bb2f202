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
    with pytest.warns(UserWarning, match=r"not compared, as expected: .*; only the policy run "
                                         r"records: rats_upgraded$"):
        compare_results(p, b)


def test_in_memory_pairing_names_unpaired_indicators_too():
    from scosim.compare import paired_differences

    pol, base = synthetic_pair(5, seed=1)
    extra = pol.assign(indicator="rats_upgraded")
    short = base[~((base["country"] == "KAZ") & (base["year"] == 2028))]
    with pytest.warns(UserWarning) as caught:
        paired_differences(pd.concat([pol, extra]), short)
    text = str(caught[0].message)
    assert text.endswith("left out of the comparison; only the policy run records: "
                         "rats_upgraded; some years or economies in one run only: welfare")


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
            md = write_report(comp, tmp_path / "r2", title="T", plot_workers=1).read_text()
            # not "a trade policy": a baseline's EV can be its events' trade costs
            assert "The baseline run records an EV of its own" in md


def test_ev_of_two_runs_without_trade_policy_is_no_difference_not_rounding(tmp_path):
    """A union put to the vote and vetoed against the baseline: both runs' EV is solver
    rounding (cents); the policy's was shown as a change of 9e-12 US$ bn in every
    economy. Both are zero by construction: no difference, said once."""
    from rich.console import Console

    from scosim.compare_terminal import print_summary, terminal_rows

    pol, base = synthetic_pair(20, seed=7, effect=0.0)
    rng = np.random.default_rng(0)
    p = write_run(tmp_path / "p", pol.assign(indicator="ev_usd",
                                             value=rng.normal(0, 0.01, len(pol))),
                  scenario="union_vetoed")
    b = write_run(tmp_path / "b", base.assign(indicator="ev_usd", value=0.07),
                  scenario="baseline")
    comp = compare_results(p, b)
    assert comp.own_policy == ("ev_usd",)
    ev = comp.summary[comp.summary["indicator"] == "ev_usd"]
    assert (ev["mean"] == 0).all() and (ev["n_runs"] == 20).all()
    md = write_report(comp, tmp_path / "r", title="T", plot_workers=1).read_text()
    assert "Neither run has a trade policy in force" in md
    # ... and not, a paragraph later, that the baseline has one (it said both)
    assert "records an EV of its own" not in md
    assert md.count("**Equivalent variation**") == 1
    assert "ev_usd: every economy" in md
    # an empty table is a sentence, not a header without rows
    assert "No indicator differs in 2028 in any of the 20 paired runs." in md
    assert "| country | indicator |" not in md
    console = Console(record=True, width=200)
    print_summary(terminal_rows(comp, 2028, ["ev_usd"]), console=console, title="pol minus base")
    out = console.export_text()
    assert "┏" not in out and "pol minus base" in out  # no empty frame
    assert "4 rows without a change in any paired run not shown" in out
    # split into groups (runs larger than CHUNK_ROWS), and read again on demand: the same
    import scosim.compare as cmp

    real = cmp.CHUNK_ROWS
    try:
        cmp.CHUNK_ROWS = 50
        chunked = compare_results(p, b)
    finally:
        cmp.CHUNK_ROWS = real
    pd.testing.assert_frame_equal(chunked.summary, comp.summary)
    assert (comp.diffs["diff"] == 0).all()
    # a policy with a trade policy keeps its own EV
    p2 = write_run(tmp_path / "p2", pol.assign(indicator="ev_usd", value=2e9), scenario="u")
    comp2 = compare_results(p2, b)
    assert comp2.own_policy == () and (comp2.summary["mean"] == 2e9).all()


def test_a_comparison_says_what_became_of_the_proposals(tmp_path):
    """A comparison with no difference is usually a proposal rejected in every run: the
    report and the terminal say so, from the runs' votes and adoptions."""
    from scosim.run_outcome import compare_outcome

    pol, base = synthetic_pair(20, seed=8, effect=0.0)
    p = write_run(tmp_path / "p", pol.assign(indicator="welfare"), scenario="union")
    b = write_run(tmp_path / "b", base.assign(indicator="welfare"), scenario="baseline")
    votes = pd.DataFrame({"run": np.repeat(np.arange(20), 2), "year": 2026, "type": "vote",
                          "country": np.tile(["CHN", "IND"], 20), "proposal": "cu"})
    adopted = pd.DataFrame({"run": [1, 3, 3, 7, 11], "year": [2026, 2026, 2030, 2026, 2026],
                            "type": "adopted", "country": None, "proposal": "cu"})
    pd.concat([votes, adopted]).to_parquet(p / "events" / "batch-00000.parquet", index=False)
    said = compare_outcome(p, b, 20)
    # run 3 adopted it twice (re-tabled): four runs of twenty
    assert said == ("Votes: in the policy runs, proposal cu: adopted in 20 % of runs; in the "
                    "baseline runs, no proposal was voted on.")
    md = write_report(compare_results(p, b), tmp_path / "r", title="T",
                      plot_workers=1).read_text()
    assert said in md
    votes.to_parquet(b / "events" / "batch-00000.parquet", index=False)
    assert "in the baseline runs, proposal cu: rejected in every run." in compare_outcome(p, b, 20)
    # runs that voted on nothing: nothing said
    assert compare_outcome(tmp_path / "p_none", None, 20) == ""
