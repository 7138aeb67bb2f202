"""Settings for an empty mechanism slot, and a union without the trade slot, are refused.

Each was accepted and ran with exit 0, changing nothing: ``parameters.network``,
``parameters.security`` and ``parameters.finance`` are read only by the mechanism
filling their slot, and a customs union or free-trade area only by the trade slot.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from scosim.cli import main
from scosim.scenario import ScenarioError, check_scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _child(tmp_path: Path, parent: str, body: str) -> Path:
    for f in SCENARIOS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "child.yaml"
    path.write_text(f"extends: {parent}\nname: child\n{body}")
    return path


@pytest.mark.parametrize(("body", "where", "fill"), [
    ("parameters: {network: {instability: {AFG: 0.8}}}\n", "parameters.network.instability",
     "{network: corridor_network}"),
    ("parameters: {security: {instability: 2.0}}\n", "parameters.security.instability",
     "{security: security}"),
    ("parameters: {finance: {alpha: 0.5}}\n", "parameters.finance.alpha",
     "{finance: banking_systems}"),
])
@pytest.mark.parametrize("quick", [True, False])
def test_a_setting_of_an_empty_slot_is_refused(tmp_path, body, where, fill, quick):
    path = _child(tmp_path, "baseline.yaml", body)
    with pytest.raises(ScenarioError) as info:
        check_scenario(path, quick=quick)
    assert [(e.file, e.line, e.path) for e in info.value.errors] == [(str(path), 3, where)]
    message = info.value.errors[0].message
    assert "slot is empty, so nothing reads this setting" in message
    assert f"parameters.mechanisms: {fill}" in message


def test_run_refuses_it_with_exit_2_and_writes_nothing(tmp_path, capsys):
    path = _child(tmp_path, "baseline.yaml", "parameters: {security: {instability: 2.0}}\n")
    out = tmp_path / "results"
    assert main(["run", str(path), "--replications", "1", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: {path}:3: parameters.security.instability: "), err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*"))


def test_settings_at_their_defaults_are_accepted(tmp_path):
    from scosim.finance.spec import FinanceSettings

    alpha = FinanceSettings().alpha
    path = _child(tmp_path, "baseline.yaml", (
        f"parameters: {{security: {{instability: 1.0}}, finance: {{alpha: {alpha}}}, "
        "network: {instability: {}, congestion: true}}\n"))
    load_scenario(path)
    check_scenario(path)


def test_a_slot_emptied_by_name_may_leave_a_parents_settings_unused(tmp_path):
    """Turning a parent's mechanism off (a child, or --set) is a deliberate comparison."""
    parent = tmp_path / "afghan_instability.yaml"
    _child(tmp_path, "baseline.yaml", "")
    assert "instability" in parent.read_text()
    child = tmp_path / "off.yaml"
    child.write_text("extends: afghan_instability.yaml\nname: no-security\n"
                     "parameters: {mechanisms: {security: null}}\n")
    assert load_scenario(child).parameters.mechanisms["security"] is None
    sc = load_scenario(parent, {"parameters.mechanisms.security": None})
    assert sc.parameters.security.instability.at(2030) != 1.0


@pytest.mark.parametrize(("scenario", "what"), [
    ("customs_union.yaml", "a customs union"), ("free_trade_area.yaml", "a free-trade area")])
def test_a_union_needs_the_trade_slot(capsys, scenario, what):
    path = SCENARIOS / scenario
    assert main(["validate", str(path), "--set", "parameters.mechanisms.trade=null"]) == 2
    err = capsys.readouterr().err
    assert f": proposals[0].type: {what} needs the trade slot filled" in err, err
    assert "parameters.mechanisms: {trade: ge_trade}" in err


# ------------------------------------------------------------------ a slot emptied by name

TRADE_MESSAGE = ("the trade slot is empty, so nothing reads this setting: fill the slot "
                 "(parameters.mechanisms: {trade: ge_trade}) or remove the setting")


def test_trade_settings_of_the_emptying_file_are_refused(tmp_path):
    """``short_run_share`` and ``adjustment_years`` are read only by the trade slot's
    mechanism; written beside ``{trade: null}`` they were accepted and changed nothing.
    ``sigma`` is read by every preview's GE solve, slot or not: accepted."""
    path = _child(tmp_path, "baseline.yaml", (
        "parameters:\n  mechanisms: {trade: null}\n"
        "  trade: {sigma: 4.0, short_run_share: 0.5, adjustment_years: 3}\n"))
    with pytest.raises(ScenarioError) as info:
        check_scenario(path)
    assert [(e.file, e.line, e.path, e.message) for e in info.value.errors] == [
        (str(path), 5, f"parameters.trade.{key}", TRADE_MESSAGE)
        for key in ("short_run_share", "adjustment_years")]


def test_an_override_emptying_the_trade_slot_leaves_the_parents_settings(tmp_path, capsys):
    """baseline.yaml's short_run_share 0.4 and adjustment_years 8 stay unread on purpose;
    an override setting one of them beside the null is refused."""
    path = SCENARIOS / "baseline.yaml"
    sc = load_scenario(path, {"parameters.mechanisms.trade": None})
    assert sc.parameters.trade.adjustment_years == 8
    child = _child(tmp_path, "baseline.yaml", "parameters: {mechanisms: {trade: null}}\n")
    load_scenario(child)
    assert main(["validate", str(path), "--set", "parameters.mechanisms.trade=null",
                 "--set", "parameters.trade.adjustment_years=3"]) == 2
    err = capsys.readouterr().err
    assert err == (f"scosim: error: <override>:2: parameters.trade.adjustment_years: "
                   f"{TRADE_MESSAGE}\n"), err


def test_a_setting_beside_the_null_that_empties_its_slot_is_refused(tmp_path):
    """The documented exemption is for a parent's settings: one file writing both was
    accepted for the security slot too."""
    path = _child(tmp_path, "baseline.yaml", (
        "parameters:\n  mechanisms: {security: null}\n  security: {instability: 2.0}\n"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [(e.line, e.path) for e in info.value.errors] == [
        (5, "parameters.security.instability")]
    assert "the security slot is empty, so nothing reads this setting" in str(info.value)


def test_without_the_trade_slot_the_model_reads_sigma_not_the_adjustment():
    """What the refusal rests on: with the slot empty, the finance slot's settlement
    preview solves the GE with sigma and the moving baseline, never with the trade
    slot's short-run adjustment."""
    import numpy as np

    from scosim.runner import run_model

    def gains(**trade):
        over = {"replications": 1, "years.end": 2027, "parameters.mechanisms.trade": None,
                **{f"parameters.trade.{k}": v for k, v in trade.items()}}
        sc = load_scenario(SCENARIOS / "finance_crisis_settlement.yaml", over)
        assert sc.parameters.mechanisms["trade"] is None
        return np.asarray(run_model(sc).records["settlement_welfare_gain_pct"])

    base = gains()
    assert np.nanmax(np.abs(base)) > 0
    assert not np.allclose(gains(sigma=3.0), base, equal_nan=True)
    assert not np.allclose(gains(moving_baseline=False), base, equal_nan=True)
    # Not refused here: the override empties the slot after the file wrote these.
    np.testing.assert_array_equal(gains(short_run_share=1.0, adjustment_years=0), base)


# --------------------------------------------------------- a slot taken by another mechanism

PLUGINS = Path(__file__).resolve().parent / "plugin_pkgs"
BROKEN_STEP = "broken_plugins:BrokenStep"  # a finance-slot mechanism named 'broken_step'


@pytest.fixture
def plugins(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGINS))


def test_settings_beside_another_mechanism_in_their_slot_are_refused(tmp_path, plugins):
    """``parameters.finance`` is read by banking_systems only: written in the file that puts
    another mechanism in the finance slot, it was accepted and read by nothing."""
    path = _child(tmp_path, "finance_crisis.yaml", (
        f"parameters:\n  mechanisms: {{finance: '{BROKEN_STEP}'}}\n"
        "  finance: {alpha: 0.5}\n"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [(e.file, e.line, e.path) for e in info.value.errors] == [
        (str(path), 5, "parameters.finance.alpha")]
    assert info.value.errors[0].message.startswith(
        "the finance slot is filled by 'broken_step', and only 'banking_systems' reads this "
        "setting: fill the slot with banking_systems")


def test_an_override_displacing_a_parents_mechanism_warns_of_its_settings(tmp_path, plugins):
    """A parent's block left to nobody by --set (or a child) is accepted, and said."""
    path = _child(tmp_path, "finance_crisis.yaml", "parameters: {finance: {alpha: 0.5}}\n")
    with pytest.warns(UserWarning) as caught:
        sc = load_scenario(path, {"parameters.mechanisms.finance": BROKEN_STEP})
    assert [str(w.message) for w in caught] == [
        f"parameters.finance (alpha, written in {path}) is read only by 'banking_systems', "
        "which 'broken_step' replaces in the finance slot: these settings are unused in "
        "this run"]
    assert sc.parameters.finance == {"alpha": 0.5}
    # A setting written by the override itself is refused, as beside a null.
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, {"parameters.mechanisms.finance": BROKEN_STEP,
                             "parameters.finance.beta": 0.3})
    assert [(e.file, e.path) for e in info.value.errors] == [
        ("<override>", "parameters.finance.beta")]


def test_the_slots_own_mechanism_by_dotted_path_reads_its_block(tmp_path, recwarn):
    path = _child(tmp_path, "finance_crisis.yaml", (
        "parameters:\n  mechanisms: {finance: 'scosim.finance.mechanism:BankingSystems'}\n"
        "  finance: {alpha: 0.5}\n"))
    assert load_scenario(path).parameters.finance == {"alpha": 0.5}
    assert not [w for w in recwarn if "unused" in str(w.message)]


@pytest.mark.parametrize(("slot", "mechanism"), [("trade", None), ("finance", BROKEN_STEP)])
def test_a_runs_resolved_scenario_loads_in_its_workers(tmp_path, plugins, slot, mechanism):
    """Workers validate the run's resolved scenario, one file holding the parent's settings
    and the override's choice: ``baseline.yaml --set parameters.mechanisms.trade=null
    --executor process`` (the command docs/scenarios.md gives) failed in every worker."""
    from scosim.runner import _scenario_from_text

    path = _child(tmp_path, "finance_crisis.yaml", "parameters: {finance: {alpha: 0.5}}\n")
    with pytest.warns(UserWarning) if mechanism else contextlib.nullcontext():
        sc = load_scenario(path, {f"parameters.mechanisms.{slot}": mechanism})
    again = _scenario_from_text(sc.resolved_yaml())
    assert again.parameters.mechanisms[slot] == sc.parameters.mechanisms[slot]
    assert again.parameters.trade.short_run_share == 0.4  # baseline.yaml's, kept
