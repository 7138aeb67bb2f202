"""An error in a plug-in's own code names the plug-in call it came from.

Before, a failed run read ``batch 0 failed: ZeroDivisionError: a bug in my mechanism``,
naming nothing the scenario wrote; now the error keeps its type and gets a note
(``scosim.plugins.blame``) that the batch's error shows.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from scosim.experiments.executors import BatchError
from scosim.runner import run_model
from scosim.scenario import validate_data

TESTS = Path(__file__).resolve().parent
PLUGIN = TESTS / "plugin_pkgs" / "broken_plugins.py"


def _line(text: str) -> int:
    """The line of broken_plugins.py holding ``text`` (where its error is raised)."""
    [n] = [i for i, line in enumerate(PLUGIN.read_text().splitlines(), 1) if text in line]
    return n


def _def_line(cls: str, method: str, file: Path = PLUGIN) -> int:
    """The line of ``file`` where ``cls`` defines ``method`` (read as text)."""
    lines = file.read_text().splitlines()
    start = lines.index(next(x for x in lines if x.startswith(f"class {cls}(")))
    return next(i for i, line in enumerate(lines[start:], start + 1)
                if line.strip().startswith(f"def {method}("))


@pytest.fixture(autouse=True)
def _plugins(monkeypatch):
    monkeypatch.syspath_prepend(str(TESTS / "plugin_pkgs"))
    yield
    sys.modules.pop("broken_plugins", None)


def _scenario(**extra):
    return validate_data({"name": "b", "years": {"start": 2025, "end": 2028},
                          "replications": 1, **extra})


def test_a_mechanism_s_error_names_the_mechanism_slot_and_year():
    sc = _scenario(parameters={"mechanisms": {"finance": "broken_plugins:BrokenStep"}})
    with pytest.raises(ZeroDivisionError) as err:
        run_model(sc)
    at = f"{PLUGIN}:{_line('a bug in my mechanism')}"
    assert err.value.__notes__ == [
        f"in mechanism 'broken_step' (finance slot), step of 2027: BrokenStep.step at {at}"]
    # The note crosses to the parent process with the error, and the batch's error shows it.
    again = pickle.loads(pickle.dumps(err.value))
    assert str(BatchError(0, again)) == (
        "batch 0 failed: ZeroDivisionError: a bug in my mechanism "
        f"(in mechanism 'broken_step' (finance slot), step of 2027: BrokenStep.step at {at})")


def test_the_note_names_the_method_called_and_the_line_raised_in_the_plugin():
    """Before, a run-time error named the plug-in but neither its method nor its line
    (validation errors give "(at file.py:41)"). The method is what scosim called; the
    line the innermost one in the plug-in's package, here in a helper."""
    sc = _scenario(parameters={"mechanisms": {"finance": "broken_plugins:BrokenHelper"}})
    with pytest.raises(KeyError) as err:
        run_model(sc)
    assert err.value.__notes__ == [
        "in mechanism 'broken_helper' (finance slot), step of 2025: BrokenHelper.step at "
        f"{PLUGIN}:{_line('missing key in a helper')}"]


def test_a_proposal_type_s_error_names_the_type_and_proposal():
    sc = _scenario(proposals=[{"type": "broken_plugins:BrokenApply", "id": "bad", "year": 2025,
                               "decision_rule": "consensus"}])
    with pytest.raises(KeyError) as err:
        run_model(sc)
    assert err.value.__notes__ == [
        "in proposal type 'broken_apply' (proposal 'bad'), apply in its preview: "
        f"BrokenApply.apply at {PLUGIN}:{_line('no_such_lever')}"]


@pytest.mark.parametrize(("how", "error", "said"), [
    ("raise", ZeroDivisionError, "preview exploded"),
    ("dict", TypeError, "preview must return a scosim.proposals.Preview, got dict"),
    ("shape", TypeError, "preview's gain must have shape (1, 28)"),
    # NaN gains rejected the proposal in every run, and the run exited 0
    ("nan", ValueError, "preview's gain is not finite for"),
])
def test_a_proposal_type_s_preview_is_named_and_checked(monkeypatch, how, error, said):
    from scosim.proposals import get_type

    # the class the scenario resolves to (the registry keeps the first one it loaded)
    monkeypatch.setattr(get_type("broken_plugins:BrokenPreview"), "_how", how)
    sc = _scenario(proposals=[{"type": "broken_plugins:BrokenPreview", "id": "bp",
                               "year": 2026, "decision_rule": "consensus"}])
    with pytest.raises(error, match=None) as err:
        run_model(sc)
    assert said in str(err.value)
    # Raised by the preview itself: the method and its line; else (scosim's check of
    # what it returned) the message names the preview.
    where = (f": BrokenPreview.preview at {PLUGIN}:{_line('preview exploded')}"
             if how == "raise" else "")
    assert err.value.__notes__ == [
        f"in proposal type 'broken_preview' (proposal 'bp'), tabled in 2026{where}"]


def test_a_misspelt_mechanism_method_is_refused_at_validation():
    # was accepted, and the mechanism ran as a no-op
    with pytest.raises(Exception, match=r"defines 'stpe'.*did you mean 'step'"):
        _scenario(parameters={"mechanisms": {"finance": "broken_plugins:MisspeltStep"}})


def test_a_mechanism_recording_an_undeclared_indicator_is_named():
    # was written to the tables unseen, with no unit or label
    sc = _scenario(parameters={"mechanisms": {"finance": "broken_plugins:UndeclaredRecord"}})
    with pytest.raises(ValueError, match=r"record returned 'extra', which is not among its "
                       r"declared indicators \(declared_one\)") as err:
        run_model(sc)
    # Raised by scosim's check of what record returned: the method's definition, as an
    # error raised in the plug-in's own code gives its line (an outside review, 2026-12-07).
    assert err.value.__notes__ == [
        "in mechanism 'undeclared_record' (finance slot), record of 2025: "
        f"UndeclaredRecord.record at {PLUGIN}:{_def_line('UndeclaredRecord', 'record')}"]


def test_a_declared_indicator_left_out_of_a_year_s_record_is_named():
    # was left out of the tables without a word, or (returned from 2026 only) broke
    # the tables when the run ended
    sc = _scenario(parameters={"mechanisms": {"finance": "broken_plugins:ForgetfulRecord"}})
    with pytest.raises(ValueError, match=r"record did not return 'second': every indicator "
                       r"of recorded_indicators\(scenario\)") as err:
        run_model(sc)
    assert err.value.__notes__ == [
        "in mechanism 'forgetful_record' (finance slot), record of 2025: "
        f"ForgetfulRecord.record at {PLUGIN}:{_def_line('ForgetfulRecord', 'record')}"]



def test_an_undeclared_lever_names_the_step_that_wrote_it():
    from scosim.plugins import PluginError

    sc = _scenario(parameters={"mechanisms": {"finance": "toy_levers:LyingGate"}})
    with pytest.raises(PluginError, match="which its `writes_levers` does not declare") as err:
        run_model(sc)
    toy = TESTS / "plugin_pkgs" / "toy_levers.py"
    assert err.value.__notes__ == [
        "in mechanism 'lying_gate' (finance slot), step of 2025: "
        f"LyingGate.step at {toy}:{_def_line('LyingGate', 'step', toy)}"]

def test_an_indicator_recorded_only_in_some_scenarios_is_declared_so():
    from scosim.model.slots import get_mechanism
    from scosim.scenario.blocks import recorded_indicators

    alone = _scenario(parameters={"mechanisms": {"finance": "broken_plugins:ConditionalRecord"}})
    model = run_model(alone)
    assert "always" in model.records and "with_network" not in model.records
    assert {"always"} <= recorded_indicators(alone)
    assert "with_network" not in recorded_indicators(alone)
    # Returning what the scenario leaves out is refused as well.
    cls = get_mechanism("broken_plugins:ConditionalRecord")
    try:
        cls._overreach = True
        with pytest.raises(ValueError, match=r"record returned 'with_network', which its "
                           r"recorded_indicators\(scenario\) leaves out of this scenario"):
            run_model(alone)
    finally:
        cls._overreach = False


def test_recorded_indicators_must_be_a_classmethod():
    from scosim.model.slots import Mechanism, _check

    class Instance(Mechanism):
        name = "instance_recorded"
        slot = "finance"

        def recorded_indicators(self, scenario):
            return {}

    with pytest.raises(Exception, match=r"`recorded_indicators` must be a classmethod"):
        _check(Instance, "instance_recorded")
