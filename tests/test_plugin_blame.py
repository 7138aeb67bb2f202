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
    assert err.value.__notes__ == ["in mechanism 'broken_step' (finance slot), step of 2027"]
    # The note crosses to the parent process with the error, and the batch's error shows it.
    again = pickle.loads(pickle.dumps(err.value))
    assert str(BatchError(0, again)) == (
        "batch 0 failed: ZeroDivisionError: a bug in my mechanism "
        "(in mechanism 'broken_step' (finance slot), step of 2027)")


def test_a_proposal_type_s_error_names_the_type_and_proposal():
    sc = _scenario(proposals=[{"type": "broken_plugins:BrokenApply", "id": "bad", "year": 2025,
                               "decision_rule": "consensus"}])
    with pytest.raises(KeyError) as err:
        run_model(sc)
    assert err.value.__notes__ == [
        "in proposal type 'broken_apply' (proposal 'bad'), apply in its preview"]
