"""The answer `scosim run` prints (scosim.run_headline), against the run's own tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.indicator_display import percent_of_runs
from scosim.plots import load_plot_data
from scosim.result_tables import open_result
from scosim.results import read_batches
from scosim.run_headline import (
    FROM_TABLES,
    OTHERS,
    WITH_PLOTS,
    exit_lines,
    headline_of_run,
    headline_table,
    headline_text,
)
from scosim.runner import run
from scosim.runstats import RunStats


def test_rows_equal_what_the_raw_tables_give(geometry_run: Path) -> None:
    """Welfare, union shares and votes computed afresh from every run's rows."""
    ind = read_batches(geometry_run / "indicators")
    ev = read_batches(geometry_run / "events")
    rows, others, year, when, n_runs = headline_table(load_plot_data(geometry_run))
    assert n_runs == 7 and year == int(ind["year"].max()) and str(year) in when

    def wide(name: str) -> pd.DataFrame:
        d = ind[(ind["indicator"] == name) & (ind["year"] == year)]
        return d.pivot_table(index="run", columns="country", values="value", observed=True)

    w, union, member = wide("welfare_change_pct"), wide("in_customs_union"), wide("member")
    votes = ev[ev["type"] == "vote"]
    voted = set(votes["country"].astype(str))
    concerned = {c for c in w.columns
                 if c in voted or member[c].mean() > 0 or union[c].mean() > 0}
    assert set(rows.index) == concerned
    # The median over runs (the answer's one statistic, as the bloc totals and README).
    assert list(rows["median"]) == sorted(rows["median"], reverse=True)
    for c in rows.index:
        assert rows.loc[c, "median"] == pytest.approx(w[c].median(), rel=1e-12, abs=1e-15)
        low, high = np.percentile(w[c], [5, 95])
        assert rows.loc[c, "low"] == pytest.approx(low, rel=1e-12, abs=1e-15)
        assert rows.loc[c, "high"] == pytest.approx(high, rel=1e-12, abs=1e-15)
        assert rows.loc[c, "in_union"] == pytest.approx(union[c].mean())
        assert rows.loc[c, "gains"] == pytest.approx((w[c] > 1e-9).mean())
    # The share of runs with a no, and, as states vote year after year here, the mean
    # number of votes against a run beside it.
    mine = votes[votes["country"].astype(str) == "IND"]
    assert len(mine) > 7  # more votes than runs: the votes are counted too
    said_no = mine.loc[~mine["yes"].astype(bool), "run"].nunique()
    assert rows.loc["IND", "voted no"] == pytest.approx(100 * said_no / 7) == 100.0
    assert rows.loc["IND", "no votes"] == pytest.approx((~mine["yes"].astype(bool)).sum() / 7)
    assert rows.loc["IND", "no votes"] > 1  # the share of runs alone would not say it
    assert rows.loc["PAK", "voted no"] == 0.0 and rows.loc["PAK", "no votes"] == 0.0  # committed
    text = " ".join(headline_text(load_plot_data(geometry_run), "t").split())
    assert ("no votes: mean number of the state's votes against a run, over all 7 runs (a "
            "number, not a share of runs: a state can be asked again in a later year") in text
    # The others: the largest gains and losses among economies not concerned.
    rest = w.median().drop(index=list(concerned))
    assert set(others.index) == (set(rest[rest >= 0.005].nlargest(OTHERS).index)
                                 | set(rest[rest <= -0.005].nsmallest(OTHERS).index))


def _synthetic(welfare: float) -> RunStats:
    """Four runs; CHN and KAZ vote, KAZ always against (a veto), MNG is outside."""
    rows = []
    for run_id in range(4):
        for country, value in (("CHN", welfare * (1 + run_id)), ("KAZ", -welfare),
                               ("MNG", -2 * welfare), ("NPL", welfare / 2)):
            rows += [(run_id, 2030, country, "welfare_change_pct", value),
                     (run_id, 2030, country, "member", float(country in ("CHN", "KAZ"))),
                     (run_id, 2030, country, "in_customs_union", 0.0)]
    ind = pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
    ev = pd.DataFrame(
        [(r, 2026, "vote", c, "cu", c == "CHN") for r in range(4) for c in ("CHN", "KAZ")]
        + [(r, 2026, "veto", "KAZ", "cu", None) for r in range(4)],
        columns=["run", "year", "type", "country", "proposal", "yes"])
    return RunStats.from_frames(ind, ev)


def test_a_rejected_proposal_is_answered_by_its_vetoes() -> None:
    text = headline_text(_synthetic(0.0), "t (seed 1)")
    assert text.startswith("Who votes against: t (seed 1)\n")
    assert "no economy's welfare moved in any of 4 runs" in text
    assert "mean" not in text.splitlines()[2]  # no welfare columns
    # One statistic whatever the rule: the share of runs with a no, which is a veto here.
    assert "vetoes" not in text
    assert re.search(r"KAZ Kazakhstan +100 %\n", text)
    assert re.search(r"CHN China +0 %\n", text)
    assert "voted no: share of runs in which the state voted no (under its decision rule a " \
        "member's no is a veto)" in " ".join(text.split())
    assert "MNG" not in text  # outside, and nothing moved


def test_welfare_columns_are_rounded_means_and_percentiles() -> None:
    text = headline_text(_synthetic(0.5), "t (seed 1)")
    assert text.startswith("Who gains, who loses: t (seed 1)\n")
    # CHN's mean over runs is 0.5 * (1 + 2 + 3 + 4) / 4 = 1.25; its 5th percentile
    # interpolates 0.5 and 1.0 at 0.15: 0.575, printed +0.57 (half to even in binary).
    chn = next(line for line in text.splitlines() if "CHN China" in line)
    assert chn.split()[2:8] == ["+1.25", f"{np.percentile([.5, 1, 1.5, 2], 5):+.2f}", "to",
                                f"{np.percentile([.5, 1, 1.5, 2], 95):+.2f}", "100", "%"]
    kaz = next(line for line in text.splitlines() if "KAZ Kazakhstan" in line)
    assert kaz.split()[2:8] == ["-0.50", "-0.50", "to", "-0.50", "0", "%"]  # gains in no run
    assert "other economies, largest gains and losses:" in text
    assert re.search(r"NPL Nepal +\+0\.25", text) and re.search(r"MNG Mongolia +-1\.00", text)


def test_the_cli_prints_the_file_the_run_keeps(tmp_path: Path, model_fixture, capsys) -> None:
    assert main(["run", str(model_fixture("small_cu.yaml")), "--out", str(tmp_path),
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
    kept = (run_dir / "summary.txt").read_text()
    assert out.endswith("\n\n" + kept)
    assert open_result(run_dir).headline == kept
    # The share of runs with a no, from the event log itself (consensus: vetoes).
    ev = read_batches(run_dir / "events")
    votes = ev[ev["type"] == "vote"]
    said_no = votes[~votes["yes"].astype(bool)].groupby("country", observed=True)["run"]
    for code, runs in said_no.nunique().items():
        # (a non-member's row then says its no was no veto, in a column after it)
        share = re.escape(percent_of_runs(runs / 6, 6))  # 6 runs: one decimal, 16.7
        assert re.search(rf"\n  {code} [^\n]* {share} %( +0(\.0)? %)?\n", kept), code
    assert "(under consensus a member's no is a veto)" in " ".join(kept.split())
    # What the runs vary, read from the run's scenario.yaml, with the commands for the rest.
    assert ("The shares of runs span runs that differ only in the growth shocks"
            in " ".join(kept.split()))
    assert "`--set parameters.trade.deficits=ratio`" in kept


def test_no_file_and_nothing_printed_without_plots(tmp_path: Path, model_fixture,
                                                  capsys) -> None:
    assert main(["run", str(model_fixture("small_cu.yaml")), "--out", str(tmp_path),
                 "--quiet", "--no-plots"]) == 0
    out = capsys.readouterr().out
    run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
    assert not (run_dir / "summary.txt").exists() and open_result(run_dir).headline is None
    assert "Who" not in out
    # but it says how to get the answer, with a command that works
    hint = f"who gains, who loses, who votes against: scosim show {run_dir}"
    assert hint in out
    assert main(["show", str(run_dir)]) == 0
    assert FROM_TABLES in capsys.readouterr().out  # the answer, worked out from the tables


def test_a_run_in_an_object_store_keeps_the_same_answer(tmp_path: Path, model_fixture) -> None:
    """summary.txt is uploaded with the plots (fsspec's in-memory store stands for s3)."""
    path = model_fixture("small_cu.yaml")
    local = run(path, out=tmp_path, progress=False)
    remote = run(path, out=f"memory://headline-{tmp_path.name}/results", progress=False)
    assert isinstance(remote.path, str) and remote.path.startswith("memory://")
    assert remote.headline is not None
    assert remote.headline == (Path(local.path) / "summary.txt").read_text()
    bare = run(path, out=f"memory://headline-{tmp_path.name}/bare", progress=False, plots=False)
    with pytest.raises(FileNotFoundError, match="has no summary.txt"):
        headline_of_run(bare.path)


def test_show_prints_a_run_s_answer_or_works_it_out(tmp_path: Path, model_fixture,
                                                    capsys) -> None:
    """`scosim show`: the kept file; for a run without plots the same text from its tables."""
    path = str(model_fixture("small_cu.yaml"))
    out = str(tmp_path / "results")
    assert main(["run", path, "--out", out, "--quiet"]) == 0
    plotted = Path(capsys.readouterr().out.split("results: ")[1].splitlines()[0].strip())
    assert main(["show", str(plotted)]) == 0
    assert capsys.readouterr().out == f"run: {plotted}\n\n" + (plotted / "summary.txt").read_text()
    assert main(["run", path, "--out", out, "--quiet", "--no-plots"]) == 0
    bare = Path(capsys.readouterr().out.split("results: ")[1].splitlines()[0].strip())
    assert not (bare / "summary.txt").exists()
    assert main(["show", "small_cu", "--out", out]) == 0  # by name: the latest run, bare
    shown = capsys.readouterr().out
    kept = (plotted / "summary.txt").read_text()
    assert kept.endswith(WITH_PLOTS + "\n") and shown.endswith(FROM_TABLES + "\n")
    assert shown.replace(FROM_TABLES, WITH_PLOTS) == f"run: {bare}\n\n" + kept
    assert main(["show", "no_such_run", "--out", out]) == 2
    assert "no finished run 'no_such_run'" in capsys.readouterr().err


def test_show_says_when_there_is_nothing_to_answer(tmp_path: Path, model_fixture,
                                                   capsys) -> None:
    assert main(["run", str(model_fixture("small_base.yaml")), "--out", str(tmp_path),
                 "--quiet", "--no-plots"]) == 0
    run_dir = capsys.readouterr().out.split("results: ")[1].splitlines()[0].strip()
    assert main(["show", run_dir]) == 0
    assert "no economy's welfare moved and no state voted" in capsys.readouterr().out


def test_a_member_that_did_not_vote_is_marked_so_not_given_a_share() -> None:
    """Majority rule: KAZ votes no (no veto); IND is a member that never voted. Members
    outside a free-trade area were listed at "0.00" under vetoes, as if they accepted it
    (user report): the cell now says "did not vote"."""
    ind = pd.DataFrame(
        [(r, 2030, c, name, v) for r in range(2)
         for c in ("CHN", "KAZ", "IND")
         for name, v in (("welfare_change_pct", 0.1 * (r + 1)), ("member", 1.0))],
        columns=["run", "year", "country", "indicator", "value"])
    ev = pd.DataFrame([(r, 2026, "vote", c, "cu", c == "CHN") for r in range(2)
                       for c in ("CHN", "KAZ")],
                      columns=["run", "year", "type", "country", "proposal", "yes"])
    st = RunStats.from_frames(ind, ev)
    rows = headline_table(st)[0]
    assert rows.loc["KAZ", "voted no"] == 100.0 and rows.loc["CHN", "voted no"] == 0.0
    assert np.isnan(rows.loc["IND", "voted no"]) and "vetoes" not in rows
    lines = {line.split()[0]: line for line in headline_text(st, "t").splitlines()
             if line.split()[:1] in (["KAZ"], ["CHN"], ["IND"])}
    assert lines["KAZ"].endswith("100 %") and lines["CHN"].endswith(" 0 %")
    assert "nan" not in lines["IND"] and lines["IND"].endswith("100 %  did not vote")
    assert len(lines["IND"]) == len(lines["KAZ"])  # the column lines up
    assert "did not vote: not among the proposal's voters in any run" in " ".join(
        headline_text(st, "t").split())


def test_votes_a_rule_committed_are_called_so() -> None:
    """As the vote figure does: a rule that ignores the score decided the vote."""
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", 0.1) for r in range(2)
                        for c in ("CHN", "KAZ")],
                       columns=["run", "year", "country", "indicator", "value"])

    def votes(kaz_rule: str) -> pd.DataFrame:
        return pd.DataFrame(
            [(r, 2026, "vote", c, "cu", True, kaz_rule if c == "KAZ" else "utility_vote")
             for r in range(2) for c in ("CHN", "KAZ")],
            columns=["run", "year", "type", "country", "proposal", "yes", "rule"])

    text = headline_text(RunStats.from_frames(ind, votes("always_yes")), "t")
    # One paragraph, wrapped once: compared with its line breaks as spaces.
    assert "Votes in 2026 were committed (KAZ by rule always_yes): the scenario" in " ".join(
        text.split())
    assert "committed" not in headline_text(RunStats.from_frames(ind, votes("score_only_vote")),
                                            "t")
    # a user's rule may read the score: it is not called committed
    assert "committed" not in headline_text(
        RunStats.from_frames(ind, votes("mypkg.rules:cautious_vote")), "t")


def test_nothing_moved_and_no_vote_against_prints_no_empty_table() -> None:
    """Agreed projects with no trade effect (the energy corridors): no list of bare names."""
    ind = pd.DataFrame([(r, 2030, c, name, v) for r in range(3) for c in ("CHN", "KAZ")
                        for name, v in (("welfare_change_pct", 0.0), ("member", 1.0),
                                        ("in_customs_union", 0.0))],
                       columns=["run", "year", "country", "indicator", "value"])
    ev = pd.DataFrame([(r, 2026, "vote", c, "tapi", True, "always_yes") for r in range(3)
                       for c in ("CHN", "KAZ")],
                      columns=["run", "year", "type", "country", "proposal", "yes", "rule"])
    text = headline_text(RunStats.from_frames(ind, ev), "t (seed 1)")
    lines = text.splitlines()
    assert lines[:2] == ["Who gains, who loses, who votes against: t (seed 1)",
                         "no economy's welfare moved in any of 3 runs"]
    assert not [line for line in lines if line.split()[:1] == ["economy"]]  # no table head
    assert "CHN China" not in text and "KAZ Kazakhstan" not in text
    # The votes were the scenario's (always_yes), not the states': said with the note.
    assert "no state voted against in any run: the scenario fixes the votes (always_yes)." in text
    assert lines[-1] == WITH_PLOTS and "indicators/" in WITH_PLOTS


def test_votes_on_several_proposals_are_shared_out_per_proposal() -> None:
    """KAZ votes against one proposal and for the other: 100 % and 0 %, not 50 %."""
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", 0.1) for r in range(2)
                        for c in ("CHN", "KAZ", "IND")],
                       columns=["run", "year", "country", "indicator", "value"])
    ev = pd.DataFrame(
        [(r, 2026, "vote", c, "cu", c != "KAZ") for r in range(2) for c in ("CHN", "KAZ")]
        + [(r, 2027, "vote", c, "tkm_accession", True) for r in range(2)
           for c in ("CHN", "KAZ", "IND")],
        columns=["run", "year", "type", "country", "proposal", "yes"])
    st = RunStats.from_frames(ind, ev)
    assert st.votes_by[("cu", "KAZ")] == 2 and st.no_votes_by[("cu", "KAZ")] == 2
    assert ("tkm_accession", "KAZ") not in st.no_votes_by and st.no_votes["KAZ"] == 2
    rows = headline_table(st)[0]
    assert "voted no" not in rows
    assert rows.loc["KAZ", "no: cu"] == 100.0 and rows.loc["KAZ", "no: tkm_accession"] == 0.0
    assert np.isnan(rows.loc["IND", "no: cu"])  # IND did not vote on the union
    text = headline_text(st, "t")
    head = next(line for line in text.splitlines() if line.split()[:1] == ["economy"])
    kaz = next(line for line in text.splitlines() if "KAZ Kazakhstan" in line)
    ind_ = next(line for line in text.splitlines() if "IND India" in line)
    # Columns line up under their headings, "did not vote" where a state did not.
    assert kaz.endswith("100 %                0 %") and head.endswith("no: tkm_accession")
    assert ind_.endswith("did not vote                0 %")
    assert len(kaz) == len(head) and len(ind_) == len(head)
    assert "no: share of runs in which the state voted no on that proposal" in " ".join(
        text.split())
    # One proposal: the single column as before.
    one = RunStats.from_frames(ind, ev[ev["proposal"] == "cu"])
    assert list(headline_table(one)[0].filter(like="no").columns) == ["voted no"]


def test_a_state_that_leaves_with_its_bloc_is_counted_as_left(tmp_path: Path) -> None:
    """With an exit threshold of 0 the EAEU's losers defect and Russia, whose own rule
    never fires (-50 %; at 0 it fires in some runs since the short run was re-modelled),
    is taken out with its bloc: the answer's "left" and the membership figure count it."""
    from scosim.plots import BLOC_EXIT, BLOC_IN, membership_data
    from scosim.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    sc = load_scenario(root / "scenarios" / "customs_union.yaml", overrides={
        "replications": 4, "parameters.council.exit_threshold": 0.0,
        "countries.RUS.exit_threshold": -0.5})
    res = run(sc, out=tmp_path, progress=False, plots=False)
    ev = res.events
    dragged = ev[(ev["type"] == "bloc_exit") & (ev["country"] == "RUS")]["run"].nunique()
    assert dragged == 4
    assert ev[(ev["type"] == "defection") & (ev["country"] == "RUS")].empty
    st = load_plot_data(Path(res.path))
    rows, _, year, _, _ = headline_table(st)
    assert rows.loc["RUS", "left"] == 100.0  # percent of runs
    ind = res.indicators
    in_cu = ind[(ind["indicator"] == "in_customs_union") & (ind["year"] == year)
                & (ind["country"] == "RUS")]["value"]
    assert rows.loc["RUS", "in_union"] == pytest.approx(in_cu.mean())
    _, counts = membership_data(st)
    assert counts.loc["RUS", BLOC_EXIT] == 1.0 and counts.loc["RUS", "left on its own"] == 0.0
    # Armenia is asked because the EAEU is: the panel said "no joins" of it.
    assert counts.loc["ARM", BLOC_IN] == 1.0 and counts.loc["CHN", BLOC_IN] == 0.0
    # Who left, when and after what loss: the raw events, counted afresh.
    text = "\n".join(exit_lines(st, 4))
    own = ev[ev["type"] == "defection"]
    assert not own.empty
    for code, g in own.groupby("country", observed=True):
        years = sorted(set(g["year"]))
        spec = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
        gain = f"{100 * g['realised_gain'].median():+.2f}"  # the answer's statistic
        assert gain != "+0.00" and float(gain) < 0  # a loss below the threshold of 0
        assert f"{code} {g['run'].nunique()} ({spec}; {gain} %)" in text
    taken = ev[(ev["type"] == "bloc_exit") & (ev["country"] == "RUS")]
    assert f"RUS 4 ({int(taken['year'].min())}" in text.split("with its bloc:")[1]
    assert "on its own:" in text and "Who left, in how many of 4 runs" in text
    assert "`scosim exits <scenario file>`" in " ".join(exit_lines(st, 4))  # a defection
    # The ten members are asked; Armenia, a dialogue partner, comes with the EAEU.
    assert {k[1] for k in st.bloc_invited} == {"ARM"}
    assert "ARM was invited to sco_cu with its bloc's RUS, KAZ, KGZ, BLR" in text


def test_the_answer_says_in_how_many_runs_each_proposal_was_adopted(geometry_run: Path) -> None:
    """The outcome line counts the runs with an ``adopted`` event in the raw events table."""
    ev = read_batches(geometry_run / "events")
    st = load_plot_data(geometry_run)
    text = headline_text(st, "t")
    for pid in sorted(set(ev.loc[ev["type"] == "vote", "proposal"].astype(str))):
        n = ev[(ev["type"] == "adopted") & (ev["proposal"].astype(str) == pid)]["run"].nunique()
        assert st.adopted_runs.get(pid, 0) == n
        runs = st.runs
        want = ("rejected in every run" if n == 0 else "adopted in every run" if n == runs
                else f"adopted in {percent_of_runs(n / runs, runs)} % of runs")
        assert f"proposal {pid}: {want}\n" in text


def test_outcome_share_and_rejection_from_synthetic_events() -> None:
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", 0.1 * (r < 3)) for r in range(4)
                        for c in ("CHN", "KAZ")],
                       columns=["run", "year", "country", "indicator", "value"])
    votes = [(r, 2026, "vote", c, "cu", True) for r in range(4) for c in ("CHN", "KAZ")]
    adopted = [(r, 2026, "adopted", "", "cu", None) for r in range(3)]
    cols = ["run", "year", "type", "country", "proposal", "yes"]
    three = headline_text(RunStats.from_frames(ind, pd.DataFrame(votes + adopted, columns=cols)),
                          "t")
    assert "proposal cu: adopted in 75 % of runs\n" in three
    none = headline_text(RunStats.from_frames(ind, pd.DataFrame(votes, columns=cols)), "t")
    assert "proposal cu: rejected in every run\n" in none


def test_a_run_changed_with_set_says_so_in_its_title() -> None:
    from scosim.plots import run_title

    base = {"scenario": "customs_union_consensus", "seed": 1}
    assert run_title(base) == "customs_union_consensus (seed 1)"
    assert run_title({**base, "overrides": {}}) == "customs_union_consensus (seed 1)"
    changed = {**base, "overrides": {"parameters.council.decision_rule": "qualified_majority"}}
    assert run_title(changed) == ("customs_union_consensus (seed 1; --set "
                                  "parameters.council.decision_rule=qualified_majority)")
    # the explorer passes seed and replications as overrides: said once, not as --set
    assert run_title({**changed, "overrides": {**changed["overrides"], "seed": 1,
                                               "replications": 6}}) == run_title(changed)


def test_others_that_print_as_zero_are_not_listed_as_largest_gains() -> None:
    """An outsider whose mean rounds to 0.00 in a table of two decimals is not among "the
    largest gains and losses" (the corridor scenarios listed Cambodia and Bahrain at 0.00);
    tests/test_answer_others.py has a table of more decimals."""
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", v) for r in range(3)
                        for c, v in (("CHN", 0.2), ("RUS", 0.3), ("KAZ", -0.4),
                                     ("KHM", 0.003), ("BHR", -0.004), ("NPL", 0.02))],
                       columns=["run", "year", "country", "indicator", "value"])
    ev = pd.DataFrame([(r, 2026, "vote", c, "p", True) for r in range(3)
                       for c in ("CHN", "RUS", "KAZ")],
                      columns=["run", "year", "type", "country", "proposal", "yes"])
    _, others, *_ = headline_table(RunStats.from_frames(ind, ev))
    assert list(others.index) == ["NPL"]


def test_a_run_without_a_proposal_says_what_the_policy_is() -> None:
    """A security scenario moves welfare with no proposal: the answer says what "the
    policy" then means; a run that voted does not carry the note."""
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", v) for r in range(3)
                        for c, v in (("AFG", -1.0), ("TJK", -0.4))],
                       columns=["run", "year", "country", "indicator", "value"])
    text = " ".join(headline_text(RunStats.from_frames(ind), "t").split())  # notes are wrapped
    assert "no proposal was voted on: 'the policy' is what the scenario's mechanisms" in text
    ev = pd.DataFrame([(r, 2026, "vote", "AFG", "p", True) for r in range(3)],
                      columns=["run", "year", "type", "country", "proposal", "yes"])
    assert "no proposal was voted on" not in headline_text(RunStats.from_frames(ind, ev), "t")


def test_a_yes_then_a_withdrawal_is_counted_apart_from_votes_against(tmp_path: Path) -> None:
    """Under variable geometry a state that says yes to the ten-member union and then
    withdraws from the smaller group the willing form: the answer and the vote-reasons
    figure count the withdrawals from the events, not as votes against. With loud vote
    noise (as shipped, since the India-Pakistan suspension was calibrated to the trade it
    cut on 2026-12-06, nobody withdraws: Pakistan vetoes with Russia)."""
    from scosim.plot_votes import vote_reasons_data

    n = 40
    res = run(Path(__file__).resolve().parents[1] / "scenarios"
              / "customs_union_variable_geometry.yaml", replications=n, out=tmp_path,
              progress=False, plots=False, overrides={"parameters.council.vote_noise": 0.5})
    st = load_plot_data(Path(res.path))
    ev = read_batches(Path(res.path) / "events")
    gone = ev[ev["type"] == "withdrew"]["country"].astype(str).value_counts()
    assert len(gone) > 0
    rows, *_ = headline_table(st)
    for c in rows.index:
        assert rows.loc[c, "withdrew"] == pytest.approx(gone.get(c, 0) / n)
    text = " ".join(headline_text(st, "t").split())
    assert ("withdrew: mean number of times a run, over all 40 runs, the state voted yes, "
            "then said no when asked") in text
    reasons = vote_reasons_data(st)
    assert reasons is not None
    # The figure shows the first vote: the withdrawals from the group it formed that year.
    year = ev[ev["type"] == "vote"]["year"].min()
    first = ev[(ev["type"] == "vote") & (ev["year"] == year)]
    wd = ev[(ev["type"] == "withdrew") & (ev["year"] == year)]
    gone_first = wd["country"].astype(str).value_counts()
    assert len(gone_first) > 0
    for c, k in gone_first.items():
        assert reasons.withdrew[c] == pytest.approx(k / n)
    # A withdrawal is not a vote against: the state's yes votes are counted as yes.
    top = str(gone_first.index[0])
    said_yes = first[first["country"].astype(str) == top]["yes"].astype(bool).mean()
    assert reasons.yes_share[top] == pytest.approx(said_yes)


def test_a_free_trade_area_shows_who_is_in_it(tmp_path: Path) -> None:
    """The answer's membership column and the membership figure follow the run's
    arrangement: a free-trade area records ``in_free_trade_area``, not a customs union
    (an FTA run used to show no membership at all)."""
    res = run(Path(__file__).resolve().parents[1] / "scenarios" / "free_trade_area.yaml",
              replications=4, out=tmp_path, progress=False, plots=True,
              overrides={"parameters.council.decision_rule": "variable_geometry"})
    run_dir = Path(res.path)
    text = (run_dir / "summary.txt").read_text()
    ind = read_batches(run_dir / "indicators")
    fta = ind[(ind["indicator"] == "in_free_trade_area") & (ind["year"] == 2035)]
    share = fta.assign(country=fta["country"].astype(str)).groupby("country")["value"].mean()
    assert share["CHN"] == 1.0 and share["TKM"] == 0.0  # members in every run, others out
    head = next(x for x in text.splitlines() if x.strip().startswith("economy  "))
    assert "in FTA" in head and "in union" not in head
    line = next(x for x in text.splitlines() if x.strip().startswith("CHN China"))
    assert re.search(r"\s100 %", line)
    assert "in FTA: share of runs in a free-trade area in 2035" in " ".join(text.split())
    assert (run_dir / "plots" / "membership_timeline.png").exists()


def test_a_bloc_invited_with_its_partners_is_named_and_no_exit_says_nothing() -> None:
    """``bloc_invited`` events name the bloc's members that the proposal did not ask;
    a run in which nobody left prints no exit lines."""
    ev = pd.DataFrame(
        [(r, 2026, "bloc_invited", c, "cu", "RUS KAZ KGZ BLR ARM") for r in range(3)
         for c in ("RUS", "BLR", "ARM")] + [(0, 2026, "bloc_invited", "ARM", "fta", "ARM KAZ")],
        columns=["run", "year", "type", "country", "proposal", "bloc"])
    st = RunStats.from_frames(None, ev)
    lines = exit_lines(st, 3)
    assert not any(line.startswith("Who left") for line in lines)
    text = " ".join(lines)
    assert "scosim exits" not in text  # nobody left by an exit rule
    assert "ARM, BLR, RUS were invited to cu with their bloc's KAZ, KGZ" in text
    assert text.count("in every run") == 1 and "in up to 1 of 3 runs" in text
    assert exit_lines(_synthetic(0.5), 4) == []


def _defections(gains: list[float], batches: int = 1) -> RunStats:
    """IRN leaves ``cu`` once a run in 2030 with the realised gains given, fed in batches."""
    ev = pd.DataFrame([(r, 2030, "defection", "IRN", "cu", g) for r, g in enumerate(gains)],
                      columns=["run", "year", "type", "country", "proposal", "realised_gain"])
    st = RunStats()
    for part in np.array_split(np.arange(len(ev)), batches):
        st.add_events(ev.iloc[part])
    return st


def test_the_exit_line_gives_the_median_realised_gain_and_says_so() -> None:
    """The answer's statistic is the median over runs; the exit line gave the mean.

    Three exits at -0.60 % and one at -3.0 %: the mean, -1.20 %, is no exit's loss and
    not the statistic of the table above it; the median is -0.60 %.
    """
    text = " ".join(" ".join(exit_lines(_defections([-0.006, -0.006, -0.006, -0.03]), 4))
                    .split())
    assert "IRN 4 (2030; -0.60 %)" in text
    assert "median over its exits" in text and "mean" not in text


def test_the_exit_median_is_the_same_whatever_the_batches_and_past_the_exact_cap() -> None:
    """Exact (numpy's median) up to EXACT_GAINS exits; beyond, log bins within 0.1 %,
    whatever the batching."""
    from scosim.exit_stats import EXACT_GAINS

    rng = np.random.default_rng(7)
    few = list(-0.004 - 0.01 * rng.random(41))
    for batches in (1, 5):
        (t,) = _defections(few, batches).exits.values()
        assert t.median_gain() == float(np.median(few)) and t.gain_n == 41
    many = list(-0.004 - 0.01 * rng.random(EXACT_GAINS + 301))
    got = [next(iter(_defections(many, b).exits.values())).median_gain() for b in (1, 3, 7)]
    assert got[0] == got[1] == got[2]  # the same bits in any batching
    assert got[0] == pytest.approx(np.median(many), rel=1e-3)


def test_committed_votes_are_said_for_every_proposal_voted() -> None:
    """afghan_corridor_rats votes a corridor and a RATS upgrade: the answer named the
    committed voters of the first only (4 of the 14 votes cast)."""
    ind = pd.DataFrame([(r, 2030, c, "welfare_change_pct", 0.1) for r in range(2)
                        for c in ("CHN", "KAZ", "AFG")],
                       columns=["run", "year", "country", "indicator", "value"])
    rows = [(r, 2026, "vote", c, pid, True, "always_yes")
            for r in range(2) for pid, cs in (("corridor", ("AFG",)), ("rats", ("CHN", "KAZ")))
            for c in cs]
    ev = pd.DataFrame(rows, columns=["run", "year", "type", "country", "proposal", "yes",
                                     "rule"])
    text = headline_text(RunStats.from_frames(ind, ev), "t")
    assert ("Votes on 'corridor' in 2026 were committed (every state by rule always_yes); "
            "votes on 'rats' in 2026 were committed (every state by rule always_yes): "
            "the scenario decided them") in " ".join(text.split())


def test_the_answer_says_a_state_leaving_in_the_table_year_is_still_in_it() -> None:
    """customs_union.yaml (200 runs): IRN "in union 14 %" and "left 0.86" in 2035, one
    run more than there are, and the membership figure had IRN in the union in every run
    of 2030 while the text said it left in 2030-2035. A state leaving in year t is outside
    from t+1 (compliance follows the year's trade); the answer did not say so."""
    rows, events = [], []
    # Runs 0-1: IRN leaves in 2033; run 2: in 2035, still inside that year; run 3 stays.
    left = {0: 2033, 1: 2033, 2: 2035}
    for r in range(4):
        for c in ("CHN", "IRN"):
            inside = c == "CHN" or left.get(r, 9999) >= 2035
            rows += [(r, 2035, c, "welfare_change_pct", 0.5 if c == "CHN" else -0.2),
                     (r, 2035, c, "member", 1.0),
                     (r, 2035, c, "in_customs_union", float(inside))]
        events += [(r, 2026, "vote", c, "cu", True) for c in ("CHN", "IRN")]
        if r in left:
            events.append((r, left[r], "defection", "IRN", "cu", None))
    st = RunStats.from_frames(
        pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"]),
        pd.DataFrame(events, columns=["run", "year", "type", "country", "proposal", "yes"]))
    table, _, year, _, _ = headline_table(st)
    assert year == 2035
    assert table.loc["IRN", "in_union"] == 0.5 and table.loc["IRN", "left"] == 75.0
    text = " ".join(headline_text(st, "t").split())
    assert ("a state that leaves in year t is in its arrangement until the end of t and "
            "outside from t+1: one leaving in 2035 counts in both 'in union' and 'left'"
            ) in text
    assert "in which year (each outside from the year after)" in text
    assert "IRN 3 (2033-2035)" in text


@pytest.mark.parametrize("end", [2030, 2035])
def test_the_answer_carries_the_figures_short_run_caveat(end: int, tmp_path: Path) -> None:
    """In 2030 trade still adjusts: welfare_final_year.png said so, the text did not."""
    from scosim.plots import who_gains_data, year_adjustment_note

    cu = Path(__file__).resolve().parents[1] / "scenarios" / "customs_union.yaml"
    res = run(cu, replications=3, out=tmp_path, progress=False,
              overrides={"years.end": end})
    st = load_plot_data(res.path)
    note = year_adjustment_note(st, who_gains_data(st)[1])
    text = (Path(res.path) / "summary.txt").read_text()
    if end == 2030:
        assert note is not None and f"In {end} trade still adjusts gradually" in note
        assert " ".join(text.split()).count(note) == 1
    else:  # adjusted by 2035: no caveat on either
        assert note is None and "adjusts gradually" not in text


def test_with_footer_replaces_only_the_footer_the_answer_was_written_with() -> None:
    """The explorer's answer ends with its own line; the rest is the run's answer."""
    from scosim.run_headline import FROM_TABLES, WITH_PLOTS, with_footer

    body = "Who gains, who loses: x (seed 1)\n  PAK Pakistan  +2.71\n"
    for footer in (WITH_PLOTS, FROM_TABLES):
        assert with_footer(body + footer + "\n", "on the page") == body + "on the page\n"
    # An answer ending otherwise (an older version's) keeps its lines: the new one is added.
    assert with_footer(body, "on the page") == body + "on the page\n"
