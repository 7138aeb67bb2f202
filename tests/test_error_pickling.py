"""Errors raised in worker processes come back whole (pickled), not as a dead worker.

An exception with its own ``__init__`` is rebuilt on unpickling from ``args`` (the
message) unless it says how: a scenario error raised in a process worker then failed to
unpickle and the pool reported "worker died ... out of memory?".
"""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from scosim.experiments.executors import BatchError
from scosim.mechanisms.trade import GEConvergenceError
from scosim.network.tables import NetworkDataError
from scosim.scenario.errors import ErrorItem, ScenarioError
from scosim.scenario.values import Issues


def _errors() -> list[BaseException]:
    items = [ErrorItem("s.yaml", 4, "proposals[0].type", "unknown type 'visa'"),
             ErrorItem("s.yaml", 2, "seed", "must be an integer")]
    return [
        ScenarioError(items),
        GEConvergenceError("2 of 250 solves did not converge", np.array([3, 7]),
                           np.array([1e-3, 2e-4])),
        NetworkDataError("edges", 12, "cost_usd_per_teu", "must be a number >= 0"),
        Issues([(("cet", "rate"), "must be in [0, 1]")]),
        BatchError(5, ValueError("bad draw")),
    ]


@pytest.mark.parametrize("err", _errors(), ids=lambda e: type(e).__name__)
def test_errors_survive_pickling(err: BaseException) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
    for name, value in vars(err).items():
        got = getattr(back, name)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got, value)
        elif isinstance(value, BaseException):
            assert (type(got), str(got)) == (type(value), str(value))
        else:
            assert got == value


def _raise_scenario_error() -> None:
    raise ScenarioError(ErrorItem("s.yaml", 4, "proposals[0].type", "unknown type 'visa'"))


def test_a_scenario_error_in_a_worker_process_reaches_the_caller() -> None:
    with ProcessPoolExecutor(1) as pool:
        exc = pool.submit(_raise_scenario_error).exception()
    assert isinstance(exc, ScenarioError)
    assert str(exc) == "s.yaml:4: proposals[0].type: unknown type 'visa'"
