"""The year's-step check is per thread (scosim.model.lever_writers.run_step).

A Dask worker with several threads (an external cluster's) steps batches side by side
in one process. Until 2026-12-07 the check counted the year's steps running in one
process-wide counter: while one thread's model was in its year's step, another thread's
preview could call a mechanism's step on its year's state and be let through, moving
the mechanism's own state unseen. Each thread now keeps its own record.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from scosim.model.lever_writers import run_step
from scosim.model.policy import PolicyState
from scosim.model.slots import Mechanism
from scosim.plugins import PluginError

REFUSED = "its step was called outside the year's slots phase"
WAIT = 20.0  # seconds: only reached if a thread hangs


class _Blocker(Mechanism):
    """A year's step that waits, inside the step, until the test lets it go."""

    name = "blocker"
    slot = "network"

    def step(self, model: Any, policy: Any, year: int) -> None:
        """Say it is inside, then wait; then run ``inner`` (a delegated step) if any."""
        self.inside.set()
        assert self.release.wait(WAIT), "the test never released the year's step"
        if self.inner is not None:
            self.inner.step(model, policy, year)


class _Counted(Mechanism):
    """A step that counts its calls (what a preview must not move)."""

    name = "counted"
    slot = "finance"

    def step(self, model: Any, policy: Any, year: int) -> None:
        """One more call."""
        self.calls += 1


def _mech(cls: type, **attrs: Any) -> Any:
    # Mechanism.__init__ reads a scenario; the check needs only the class and the object.
    mech = cls.__new__(cls)
    mech.__dict__.update(attrs)
    return mech


def _model() -> SimpleNamespace:
    """What run_step reads of a model: its year and its year's policy state."""
    policy = PolicyState(tariffs=np.zeros((2, 3, 3)), cost_change=np.ones((2, 3, 3)))
    return SimpleNamespace(policy=policy, year=2027, R=2, N=3)


def _in_year_step(blocker: Any, model: Any, errors: list[BaseException]) -> threading.Thread:
    """Start a thread in ``blocker``'s year step (as the slots phase calls it)."""
    def target() -> None:
        try:
            run_step(blocker, blocker.step, model, model.policy, model.year, year_step=True)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="year-step")
    thread.start()
    assert blocker.inside.wait(WAIT), "the year's step never started"
    return thread


def test_a_preview_s_step_is_refused_while_another_thread_is_in_its_year_step():
    """Before: the process-wide count of year's steps (1, the other thread's) let it run."""
    blocker = _mech(_Blocker, inside=threading.Event(), release=threading.Event(), inner=None)
    counted = _mech(_Counted, calls=0)
    errors: list[BaseException] = []
    thread = _in_year_step(blocker, _model(), errors)
    refused: list[BaseException] = []

    def preview() -> None:
        # A preview calling the step on its own model's year's state, in the year:
        # only "no year's step of this thread is running" tells it from the year's.
        other = _model()
        try:
            counted.step(other, other.policy, other.year)
        except PluginError as exc:
            refused.append(exc)

    try:
        peek = threading.Thread(target=preview, name="preview")
        peek.start()
        peek.join(WAIT)
    finally:
        blocker.release.set()
        thread.join(WAIT)
    assert not errors, errors
    assert len(refused) == 1, "the preview's step was let through"
    assert str(refused[0]).startswith(f"mechanism 'counted' (finance slot): {REFUSED}")
    assert counted.calls == 0


def test_a_step_nested_in_the_year_s_step_of_its_own_thread_still_runs():
    """No false alarm: a step delegated to from a year's step, in that thread, is the
    year's, while another thread (here the main one) has no year's step running."""
    counted = _mech(_Counted, calls=0)
    blocker = _mech(_Blocker, inside=threading.Event(), release=threading.Event(),
                    inner=counted)
    model = _model()
    errors: list[BaseException] = []
    thread = _in_year_step(blocker, model, errors)
    try:
        with pytest.raises(PluginError, match=REFUSED):
            counted.step(model, model.policy, model.year)  # this thread: no year's step
    finally:
        blocker.release.set()
        thread.join(WAIT)
    assert not errors, errors
    assert counted.calls == 1  # the nested call in the year-step thread, not the refused one
