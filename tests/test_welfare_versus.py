"""The run's answer and welfare figures say what welfare is measured against.

The GE counterfactual of a year takes every change to tariffs and trade costs together:
a proposal's, and those a filled mechanism slot makes (insecurity, the corridor
network). A run of rising Afghan instability with no proposal at all used to print
"welfare change ... against the same year without the policy" over its losses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.cli import main
from scosim.mechanism_answer import run_welfare_versus, welfare_versus
from scosim.model.slots import Mechanism

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _run(tmp_path: Path, capsys, scenario: str, end: int) -> tuple[str, Path]:
    assert main(["run", str(SCENARIOS / scenario), "--out", str(tmp_path), "--quiet",
                 "--replications", "4", "--set", f"years.end={end}"]) == 0
    out = capsys.readouterr().out
    return out, Path(out.split("results: ")[1].splitlines()[0].strip())


def _heading(text: str) -> str:
    """From "welfare change" to the comma before the statistic: one paragraph, its lines
    joined (a comma may end a line inside it)."""
    flat = " ".join(text.split())
    start = flat.index("welfare change ")
    return flat[start:flat.index(" percent of real expenditure:", start)]


def test_phrases_follow_the_filled_slots_and_the_proposals() -> None:
    assert welfare_versus({}) == "without the policy"
    assert welfare_versus({"growth": "calibrated_growth", "trade": "ge_trade"}) == \
        "without the policy"
    sec = welfare_versus({"security": "security"})
    # The trade step takes the security spending above the baseline's out of welfare
    # (builtin_mechanisms); until 2026-12-06 the answer said it was not counted.
    insecurity = ("the trade costs of insecurity above its 2018-2022 level and security "
                  "spending above its baseline (spending_usd, and hardening_cost_share_gdp "
                  "when a hardening rule is on)")
    # Opiates only: methamphetamine is not modelled (docs/security.md section 4).
    harm = ("; not counting the direct harm of terrorist incidents and trafficked drugs "
            "(incidents, inflow_t: opiates only)")
    assert sec == "without the policy or " + insecurity + harm
    assert welfare_versus({"security": "security"}, policy=False) == \
        "without " + insecurity + harm
    both = welfare_versus({"network": "corridor_network", "security": "security"})
    assert both.startswith("without the policy, the trade costs of insecurity")
    assert both.endswith(" or the transport network's changes (corridors, route insecurity, "
                         "sanctions and closures)" + harm)
    assert Mechanism.welfare_versus == ""  # a plug-in that changes no trade cost adds nothing
    fin = welfare_versus({"finance": "banking_systems"}, sanctions=True)
    assert fin == ("without the policy, the trade costs of the scenario's sanctions or the "
                   "dollar channel's trade costs of sanctions" + BANKS)
    assert welfare_versus({}, policy=False, sanctions=True) == (
        "without the trade costs of the scenario's sanctions")


#: What the finance mechanism's welfare leaves out (docs/finance.md, "Fiscal cost and welfare").
BANKS = ("; not counting what failing or resolved banks cost treasuries, creditors and "
         "depositors (fiscal_cost_usd, creditor_losses_usd, depositor_losses_usd)")


def test_what_welfare_leaves_out_is_said_where_a_cost_is_recorded() -> None:
    """A corridor's hosts pay billions that the GE welfare (trade gains and transit fees)
    does not count: a host read as gaining 0.05 % while paying about 0.7 % of its GDP a
    year (outside review). The heading says what it leaves out, each phrase once."""
    corridor = welfare_versus({"network": "corridor_network"}, types=["corridor", "corridor"])
    assert corridor.endswith(
        "; not counting what each economy pays for the corridors (corridor_paid_usd), "
        "their hosts' yearly operation and maintenance, and what the lender's owners (the "
        "members, by GDP, or a proposed development bank's) expect to lose (in "
        "corridor_risk_usd, which for the hosts is the part of their payments a failure "
        "loses)")
    assert corridor.count("not counting") == 1
    # A customs union's costs are in its welfare (tariff revenue is in the GE accounts).
    assert "not counting" not in welfare_versus({}, types=["customs_union"])
    both = welfare_versus({"security": "security"}, types=["corridor"])
    assert ("(incidents, inflow_t: opiates only), nor what each economy pays for the "
            "corridors") in both


def test_a_sanctions_crisis_names_the_sanctions_not_only_the_policy(tmp_path, capsys) -> None:
    """The finance crises' losses are the sanctions': the heading must say so, and a run
    without a proposal must not explain a "policy" its heading no longer names."""
    _, run_dir = _run(tmp_path, capsys, "finance_crisis_settlement.yaml", 2027)
    # A settlement's participants cannot leave it: nothing is said of defections.
    # The table is of the crisis year, the first of the finance slot's events (2027 until
    # 2026-12-06: scosim.answer_year).
    assert _heading((run_dir / "summary.txt").read_text()) == (
        "welfare change in 2026 (the first year of the scenario's gdp shock and sanctions "
        "events, when the finance slot's shocks and policies act; the last year, 2027, is in "
        "summary.csv) against the same year without the "
        "policy, the trade costs of the scenario's sanctions or the dollar channel's trade "
        "costs of sanctions" + BANKS + ",")
    _, run_dir = _run(tmp_path / "none", capsys, "finance_crisis.yaml", 2027)
    text = (run_dir / "summary.txt").read_text()
    assert "the policy" not in _heading(text)
    assert "'the policy' is" not in text  # the note on a heading that says "the policy"
    # Without sanctions events the finance scenario's heading is the policy's alone.
    assert main(["run", str(SCENARIOS / "finance_crisis_settlement.yaml"), "--out",
                 str(tmp_path / "calm"), "--quiet", "--replications", "4", "--set",
                 "years.end=2027", "--set", "events=[]"]) == 0
    out = capsys.readouterr().out
    calm = Path(out.split("results: ")[1].splitlines()[0].strip())
    assert run_welfare_versus(calm) == ("without the policy or the dollar channel's trade "
                                        "costs of sanctions" + BANKS)


@pytest.fixture(scope="module")
def instability_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four runs of rising Afghan instability, no proposal (plots and summary.txt)."""
    out = tmp_path_factory.mktemp("instability")
    assert main(["run", str(SCENARIOS / "afghan_instability.yaml"), "--out", str(out),
                 "--quiet", "--replications", "4"]) == 0
    run_dir, = (out / "afghan_instability").iterdir()
    return run_dir


def test_an_instability_run_without_proposals_names_insecurity(instability_run, capsys):
    text = (instability_run / "summary.txt").read_text()
    assert "Who gains, who loses" in text  # welfare moved, with no proposal tabled
    heading = _heading(text)
    assert "without the trade costs of insecurity above its 2018-2022 level" in heading
    assert "the policy" not in heading
    # worked out from the tables (a run without summary.txt) the same way
    saved = (instability_run / "summary.txt").read_text()
    (instability_run / "summary.txt").unlink()
    try:
        capsys.readouterr()
        assert main(["show", str(instability_run)]) == 0
        assert _heading(capsys.readouterr().out) == heading
    finally:
        (instability_run / "summary.txt").write_text(saved)


def test_the_explorer_axis_says_it_too(instability_run) -> None:
    pytest.importorskip("plotly")
    from scosim.explore.figures import who_gains_figure
    from scosim.result_tables import open_result

    fig = who_gains_figure(open_result(instability_run))
    assert "without the trade costs of insecurity" in fig.layout.xaxis.title.text


@pytest.mark.parametrize("scenario", ["customs_union.yaml"])
def test_a_trade_policy_run_is_measured_without_the_policy(tmp_path, capsys, scenario) -> None:
    _, run_dir = _run(tmp_path, capsys, scenario, 2029)
    assert _heading((run_dir / "summary.txt").read_text()) == (
        "welfare change in 2029 (after any defections) against the same year without the "
        "policy,")
