"""The run's answer names what a filled slot's mechanism declares (scosim.mechanism_answer)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.mechanism_answer import HeadlineIndicator, mechanism_lines, run_headline_indicators
from scosim.model.slots import Mechanism, register_mechanism
from scosim.plugins import PluginError
from scosim.results import read_batches
from scosim.run_headline import headline_text
from scosim.runstats import RunStats

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
MEMBERS = ("CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR")


def _run(tmp_path: Path, capsys, *extra: str) -> tuple[str, Path]:
    assert main(["run", str(SCENARIOS / "finance_crisis.yaml"), "--out", str(tmp_path),
                 "--quiet", "--replications", "6", "--set", "years.end=2027", *extra]) == 0
    out = capsys.readouterr().out
    return out, Path(out.split("results: ")[1].splitlines()[0].strip())


@pytest.mark.parametrize("summary", ["all", "plotted"])
def test_finance_run_answers_with_failures_and_fiscal_cost(tmp_path, capsys, summary):
    """The answer opens with the finance slot's indicators, computed from the raw rows,
    whether or not summary.csv keeps every indicator."""
    out, run_dir = _run(tmp_path, capsys, "--set", f"outputs.summary={summary}")
    text = (run_dir / "summary.txt").read_text()
    assert out.endswith(text) and text.index("bank failures") < text.index("Who gains")
    ind = read_batches(run_dir / "indicators")
    ind = ind.assign(country=ind["country"].astype(str), indicator=ind["indicator"].astype(str))

    def wide(name: str, year: int) -> pd.DataFrame:
        d = ind[(ind["indicator"] == name) & (ind["year"] == year)]
        return d.pivot_table(index="run", columns="country", values="value")

    fails = wide("bank_failures", 2026)
    # As the answer rounds a share of its runs: one decimal unless the runs divide 100.
    from scosim.indicator_display import percent_of_runs

    share = percent_of_runs(fails["RUS"].gt(0).mean(), len(fails))
    assert re.search(rf"RUS Russian Federation +{re.escape(share)} %", text), text
    # Members' fiscal cost over the whole period: mean over runs of the total, US$ bn.
    cost = ind[(ind["indicator"] == "fiscal_cost_usd") & ind["country"].isin(MEMBERS)]
    total = cost.groupby("run")["value"].sum().mean() / 1e9
    line = next(x for x in text.splitlines() if x.strip().startswith("SCO members together"))
    assert float(line.split()[-1].replace(",", "")) == pytest.approx(total, rel=5e-3)
    # What never happened is named on one line, not left out.
    assert re.search(r"none in any run or year: [^:]*bail-in \(bail_in_usd\)",
                     " ".join(text.split())), text
    # scosim show works it out the same way for a run without summary.txt
    (run_dir / "summary.txt").unlink()
    capsys.readouterr()
    assert main(["show", str(run_dir)]) == 0
    shown = capsys.readouterr().out
    # The file it lost, figures cited (the run drew them), but for its last line.
    assert "first panel" in text
    assert shown.split("\n\n", 1)[1].splitlines()[:-1] == text.splitlines()[:-1]
    assert shown.rstrip().endswith("summary.txt is missing; worked out from the run's tables "
                                   "(figures: plots/).")
    # Of the scenario's shock year (its events'), whatever year the shares peak in.
    assert ("bank failures (bank_failures): share of runs, in 2026, the scenario's shock year"
            in " ".join(shown.split()))


def test_without_the_slot_there_is_no_mechanism_block(tmp_path, capsys):
    _, run_dir = _run(tmp_path, capsys, "--set", "parameters.mechanisms.finance=null")
    assert run_headline_indicators(run_dir) == {}
    assert "mechanisms record" not in (run_dir / "summary.txt").read_text()


def _stats() -> RunStats:
    rows = []
    for r in range(4):
        for year in (2030, 2031):
            hit = float(year == 2031 and r < 3)
            rows += [(r, year, "KAZ", "member", 1.0), (r, year, "MNG", "member", 0.0),
                     (r, year, "KAZ", "outage", hit), (r, year, "MNG", "outage", 0.0),
                     (r, year, "KAZ", "cost_usd", 2e9 * (r + 1) * (year - 2029)),
                     (r, year, "MNG", "cost_usd", 0.0)]
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


def test_lines_are_generic_over_declared_indicators():
    """Any indicator a mechanism declares is summarised by its kind, not by its name."""
    declared = {"outage": HeadlineIndicator("share", "1 if it happened", "network", "grid"),
                "cost_usd": HeadlineIndicator("total", "US$", "network", "grid")}
    lines = mechanism_lines(_stats(), declared)
    assert lines[0] == "grid (the network slot), 4 runs:"
    assert "  outage: share of runs, most in 2031" in lines
    kaz = [x for x in lines if x.strip().startswith("KAZ")]
    assert kaz[0].split()[2:] == ["75", "%", "0.75"]
    # cost, US$ bn: 2031 is 4, 8, 12, 16 (mean 10), 2030 half that; 2030-31 total 10 + 5
    low, high = np.percentile([4, 8, 12, 16], [5, 95])
    # three significant figures, trailing zeros kept ("10.0", not "10")
    assert kaz[1].split()[2:] == ["10.0", f"{low:#.3g}", "to", f"{high:#.3g}", "15.0"]
    text = headline_text(_stats(), "t (seed 1)", mechanisms=declared)
    assert text.startswith("What the scenario's mechanisms record: t (seed 1)\ngrid ")


def test_the_year_shown_is_the_members_peak_not_a_partners():
    """Members are listed first, so the year is theirs: a partner's larger crisis in
    another year must not make every member's row read 0."""
    rows = []
    for r in range(4):
        for year in (2030, 2031):
            kaz = float(year == 2030 and r == 0)  # one run in 2030
            mng = float(year == 2031)  # every run in 2031
            rows += [(r, year, "KAZ", "member", 1.0), (r, year, "MNG", "member", 0.0),
                     (r, year, "KAZ", "outage", kaz), (r, year, "MNG", "outage", mng),
                     (r, year, "KAZ", "cost_usd", 1e9 * kaz),
                     (r, year, "MNG", "cost_usd", 5e9 * mng)]
    st = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    declared = {"outage": HeadlineIndicator("share", "1 if it happened", "network", "grid"),
                "cost_usd": HeadlineIndicator("total", "US$", "network", "grid")}
    lines = mechanism_lines(st, declared)
    assert "  outage: share of runs, most in 2030" in lines
    assert any(x.startswith("  cost_usd, largest in 2030") for x in lines), lines
    kaz = [x.split() for x in lines if x.strip().startswith("KAZ")]
    assert kaz[0][2:4] == ["25", "%"] and kaz[1][2] == "0.250"
    # With no member hit, the year is every economy's peak (the partner's 2031).
    no_kaz = RunStats.from_frames(pd.DataFrame(
        [x if x[2] != "KAZ" or x[3] == "member" else (*x[:4], 0.0) for x in rows],
        columns=["run", "year", "country", "indicator", "value"]))
    lines = mechanism_lines(no_kaz, declared)
    assert "  outage: share of runs, most in 2031" in lines
    assert any(x.startswith("  cost_usd, largest in 2031") for x in lines), lines


def test_a_headline_indicator_must_be_declared():
    class Bad(Mechanism):
        name, slot = "bad_headline", "network"
        indicators = {"x": "US$"}
        headline = {"y": "total"}

    with pytest.raises(PluginError, match="`headline` indicator 'y' is not one of its"):
        register_mechanism(Bad)

    class Kind(Bad):
        name = "bad_kind"
        headline = {"x": "median"}

    with pytest.raises(PluginError, match="kinds are: share, total, level"):
        register_mechanism(Kind)


@pytest.mark.parametrize(("share", "text"), [(0.0, "0"), (0.005, "<1"), (0.0151, "2"),
                                            (0.5, "50"), (0.995, ">99"), (1.0, "100")])
def test_a_share_of_runs_reads_0_or_100_only_when_it_is(share, text):
    """One run in 200 is not "0 %", which would read as "in no run"."""
    from scosim.indicator_display import percent_of_runs

    assert percent_of_runs(share) == text


def test_the_vote_figure_labels_share_that_wording():
    """The vote figure's labels (PNG and explorer) print shares as the tables do."""
    from scosim.plot_votes import _vote_label

    assert _vote_label(0.995, set(), False) == "yes in >99 %"
    assert _vote_label(0.004, set(), False) == "yes in <1 %"
    assert _vote_label(0.0, set(), False) == "yes in 0 %"


def test_a_level_is_shown_in_its_last_largest_year_and_never_summed():
    """A present value fixed at entry into force reads as the state at the end."""
    rows = []
    for r in range(4):
        for year in (2030, 2031, 2032):
            pv = 3e9 * (r + 1) if year >= 2031 else 0.0
            rows += [(r, year, "KAZ", "member", 1.0), (r, year, "KAZ", "paid_usd", pv)]
    st = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    level = {"paid_usd": HeadlineIndicator("level", "US$, present value", "", "road")}
    lines = mechanism_lines(st, level)
    assert lines[0] == "road proposals, 4 runs:"
    assert lines[1].startswith("  paid_usd, largest in 2032; US$ bn, present value")
    assert "mean sum" not in "\n".join(lines)
    assert next(x for x in lines if "KAZ" in x).split()[2] == "7.50"  # mean of 3, 6, 9, 12
    # The same numbers as a flow: the year it first peaks, and the total over the years.
    total = {"paid_usd": HeadlineIndicator("total", "US$", "", "road")}
    lines = mechanism_lines(st, total)
    assert lines[1].startswith("  paid_usd, largest in 2031")
    assert next(x for x in lines if "KAZ" in x).split()[-1] == "15.0"
    text = headline_text(st, "t (seed 1)", mechanisms=level)
    assert text.startswith("What the scenario's proposals record: t (seed 1)\nroad proposals")


def test_a_proposal_types_headline_is_checked_when_registered():
    from scosim.proposals import register_type
    from scosim.proposals.base import ProposalType
    from scosim.proposals.specs import ProposalSpec

    class Spec(ProposalSpec):
        type: str = "bad_answer"

    class Bad(ProposalType):
        name = "bad_answer"
        spec = Spec
        indicators = {"paid_usd": "US$"}
        headline = {"paid": "level"}

    with pytest.raises(PluginError, match="`headline` indicator 'paid' is not one of its"):
        register_type(Bad)


def test_other_economies_follow_the_members_as_in_the_welfare_table():
    """Five members, then the three largest others with a value in the year shown; the
    rest counted. A corridor's non-member host (Afghanistan) had been counted, not shown."""
    members = ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ"]
    others = {"AFG": 9e9, "TKM": 8e9, "AZE": 1e9, "MNG": 0.5e9}
    rows = []
    for r in range(2):
        for year in (2030, 2031):
            for k, c in enumerate(members):
                rows += [(r, year, c, "member", 1.0), (r, year, c, "paid_usd", (k + 1) * 1e8)]
            for c, v in others.items():
                # Mongolia pays only in 2030: nothing to show in 2031, the year shown.
                paid = v if (c != "MNG" or year == 2030) else 0.0
                rows += [(r, year, c, "member", 0.0), (r, year, c, "paid_usd", paid)]
    st = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    lines = mechanism_lines(st, {"paid_usd": HeadlineIndicator("level", "US$", "", "road")})
    codes = [x.split()[0] for x in lines[3:]]
    assert codes == ["KAZ", "IRN", "PAK", "IND", "RUS", "and", "SCO", "other", "AFG", "TKM",
                     "AZE", "and"], lines
    # The sixth member is counted with the members, Mongolia with the other economies.
    assert lines[8] == "    and 1 more member: CHN"
    assert lines[-1] == "    and 1 more: MNG"
    together = next(x for x in lines if "SCO members together" in x)
    # All six members: 0.1 + ... + 0.6, US$ bn, to three significant figures as the rows
    # (it read "2.1"; corridor_cku's 3.98 + 3.26 + 0.763 read "8").
    assert together.split()[-1] == "2.10"


def _paid(values: dict[str, float], members: set[str]) -> RunStats:
    """2 runs, 2030-2031; ``values`` the US$ each economy pays in every run and year."""
    rows = []
    for r in range(2):
        for year in (2030, 2031):
            for c, v in values.items():
                rows += [(r, year, c, "member", float(c in members)),
                         (r, year, c, "paid_usd", v)]
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


def _block(lines: list[str], start: str, end: str) -> list[str]:
    i = next(k for k, x in enumerate(lines) if x.strip().startswith(start))
    j = next(k for k, x in enumerate(lines) if x.strip().startswith(end))
    return lines[i:j]


def test_members_not_listed_are_counted_as_members_not_as_other_economies():
    """finance_crisis at 40 runs listed "other economies: ... and 14 more: BLR IRN UZB KGZ
    AZE ...", though Belarus, Iran, Uzbekistan and Kyrgyzstan are members, counted in
    "SCO members together". Nine members (the SCO's ten less India) and five others."""
    members = ["CHN", "RUS", "KAZ", "PAK", "TJK", "BLR", "IRN", "UZB", "KGZ"]
    others = ["AZE", "TUR", "MDV", "NPL", "AFG"]
    # Distinct amounts, members' larger: the order of the rows is known.
    values = {c: (20 - k) * 1e9 for k, c in enumerate(members + others)}
    st = _paid(values, set(members))
    lines = mechanism_lines(st, {"paid_usd": HeadlineIndicator("total", "US$", "", "bank")})
    more_members = [x for x in lines if "more member" in x]
    assert more_members == ["    and 4 more members: BLR IRN UZB KGZ"], lines
    # Between the members' rows and their total, which counts them.
    mine = _block(lines, "CHN", "other economies:")
    assert [x.split()[0] for x in mine] == ["CHN", "RUS", "KAZ", "PAK", "TJK", "and", "SCO"]
    total = mine[-1].split()
    assert float(total[3]) == pytest.approx(sum(values[c] for c in members) / 1e9, rel=5e-3)
    # Under "other economies", none of the members.
    below = lines[lines.index("    other economies:") + 1:]
    assert [x.split()[0] for x in below] == ["AZE", "TUR", "MDV", "and"]
    assert below[-1] == "    and 2 more: NPL AFG"
    assert not set(" ".join(below).split()) & set(members)


def test_others_counted_but_none_listed_still_sit_under_other_economies():
    """Others with a value in some year but none in the year shown are counted, not
    listed: their "and 2 more" followed the members' rows, as if they were members."""
    rows = []
    for r in range(2):
        for year in (2030, 2031):
            for c, v in {"KAZ": 3e9, "CHN": 2e9, "AFG": 1e9, "TKM": 0.5e9}.items():
                paid = v if c in ("KAZ", "CHN") or year == 2030 else 0.0
                rows += [(r, year, c, "member", float(c in ("KAZ", "CHN"))),
                         (r, year, c, "paid_usd", paid)]
    st = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    lines = mechanism_lines(st, {"paid_usd": HeadlineIndicator("level", "US$", "", "road")})
    assert lines[-2:] == ["    other economies:", "    and 2 more: AFG TKM"], lines
    assert not any("more member" in x for x in lines)


def test_a_total_no_member_has_says_so_and_adds_no_members_row():
    """Gas sold through TAPI is Turkmenistan's alone: the table said "SCO members together
    0" and then listed Turkmenistan under it, as if it were a member."""
    rows = []
    for r in range(2):
        for year in (2030, 2031):
            rows += [(r, year, "KAZ", "member", 1.0), (r, year, "CHN", "member", 1.0),
                     (r, year, "TKM", "member", 0.0),
                     (r, year, "KAZ", "sold", 0.0), (r, year, "CHN", "sold", 0.0),
                     (r, year, "TKM", "sold", 30.0 + r)]
    st = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    lines = mechanism_lines(st, {"sold": HeadlineIndicator("total", "bcm", "", "pipe")})
    assert lines[2] == "    no SCO member in any run or year; other economies:"
    # The heading follows it, on two lines where one would not fit 80 columns.
    assert "economy" in (lines[3].split()[0], lines[4].split()[0])
    assert not any("together" in x for x in lines)
    tkm = next(x for x in lines if x.strip().startswith("TKM"))
    assert tkm.split()[2] == "30.5" and tkm.split()[-1] == "61.0"  # mean 30.5 a year, 2 years


#: A plug-in proposal type with a headline indicator, named in the scenario by dotted path.
ANSWER_PLUGIN = '''
from typing import Literal

import numpy as np

from scosim.proposals import ProposalSpec, ProposalType


class VisaAnswerProposal(ProposalSpec):
    type: Literal["visa_answer"]
    participants: list[str]


class VisaAnswer(ProposalType):
    name = "visa_answer"
    spec = VisaAnswerProposal
    default_decision_rule = "interested_members"
    indicators = {"visa_answer": "share of runs"}
    headline = {"visa_answer": "share"}

    def apply(self, policy, participants, phase, active, terms=None):
        pass

    @classmethod
    def record(cls, model, arrangements, policy):
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.participants & arr.in_force[:, None]
        return {"visa_answer": inside.astype(float)}
'''


def test_a_type_named_by_its_path_heads_the_answer_by_its_own_name(tmp_path, monkeypatch,
                                                                    capsys):
    """The answer's block was headed "answer_visa_plug:VisaAnswer proposals" (the resolved
    scenario's reference), and a process that cannot import the plug-in left the block
    out: it looked up the run's record, keyed by the type's name, under the reference."""
    from scosim import proposals

    (tmp_path / "answer_visa_plug.py").write_text(ANSWER_PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "answer_visa_plug", raising=False)
    scenario = tmp_path / "visa.yaml"
    scenario.write_text(
        "name: visa_by_path\nyears: {start: 2025, end: 2028}\nseed: 3\nreplications: 2\n"
        "parameters: {council: {decision_rule: null}}\n"
        "proposals:\n  - type: 'answer_visa_plug:VisaAnswer'\n    id: ca_visa\n"
        "    year: 2026\n    proposer: KAZ\n    participants: [KAZ, KGZ, TJK, UZB]\n")
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    run_dir = Path(out.split("results: ")[1].splitlines()[0].strip())
    text = (run_dir / "summary.txt").read_text()
    assert "\nvisa_answer proposals, 2 runs:\n" in text, text
    assert "answer_visa_plug:" not in text

    known = proposals.get_type

    def cannot_import(name: str) -> type:
        if "visa" in name:  # the plug-in, by its name or by its path
            raise PluginError(f"unknown proposal type {name!r}")
        return known(name)

    # Worked out again where the plug-in cannot be imported: from the run's record.
    (run_dir / "summary.txt").unlink()
    monkeypatch.setattr(proposals, "get_type", cannot_import)
    assert main(["show", str(run_dir)]) == 0
    shown = capsys.readouterr().out
    assert "\nvisa_answer proposals, 2 runs:\n" in shown, shown
    # In force in both runs from 2027 to the last year: said so, the four parties one row.
    assert "  visa_answer: share of runs, 100 % from 2027 to 2028" in shown, shown
    assert "all 4 economies" in shown and "(KAZ KGZ TJK UZB)" in shown
    # scosim compare reads the same record: the type's headline is still compared.
    from scosim.mechanism_answer import run_compared_indicators

    assert run_compared_indicators(run_dir)[-1:] == ["visa_answer"]


def test_a_percentage_level_is_labelled_percent_in_the_answer_and_points_in_a_comparison():
    """A plug-in's import share (percent) read 'percentage points of imports' in the run's
    own answer, which shows levels, not differences (an extension author's review)."""
    from scosim.indicator_display import display
    from scosim.mechanism_answer import _title

    assert _title("sco_import_share_pct", "percent of imports")[1] == "percent of imports"
    assert display("sco_import_share_pct", "percent of imports")[1] == (
        "percentage points of imports")


def test_a_final_level_is_shown_as_known_in_the_last_year_not_its_noisy_peak():
    """Payments that a drawn failure settles move from year to year: the answer shows them
    as known at the end (the who-pays chart's year), not in the year of their largest mean."""
    rows = []
    for r in range(4):
        for year, pv in ((2030, 0.0), (2031, 5e9), (2032, 4e9), (2033, 4.5e9)):
            rows += [(r, year, "KAZ", "member", 1.0), (r, year, "KAZ", "paid_usd", pv)]
    st = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    final = {"paid_usd": HeadlineIndicator("final", "US$, present value", "", "road")}
    lines = mechanism_lines(st, final)
    assert lines[1].startswith("  paid_usd, as known in 2033; US$ bn, present value")
    assert next(x for x in lines if "KAZ" in x).split()[2] == "4.50"
    assert "mean sum" not in "\n".join(lines)
    # As a level it would show its largest year, 2031.
    level = {"paid_usd": HeadlineIndicator("level", "US$, present value", "", "road")}
    assert mechanism_lines(st, level)[1].startswith("  paid_usd, largest in 2031")
