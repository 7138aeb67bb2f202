"""Contract checks every proposal type must pass (built-ins do; run them on yours).

* :func:`check_policy_contract`: previews and the policy state have the
  documented shapes, are finite, and never modify the baseline (``tau0``, the
  year's trade costs) or the arrangement's own state;
* :func:`check_batch_consistency`: run ``r`` alone gives exactly row ``r`` of a
  batch (a type must not mix runs).

Both raise ``AssertionError`` with what failed. Use them in your package's
tests: ``check_policy_contract(load_scenario("my_scenario.yaml"))``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_batch_consistency", "check_policy_contract"]


def _snapshot(arr: Any) -> dict[str, np.ndarray]:
    out = {k: np.copy(v) for k, v in vars(arr).items() if isinstance(v, np.ndarray)}
    out.update({f"terms.{k}": np.copy(v) for k, v in arr.terms.items()})
    return out


def check_policy_contract(scenario: Any, runs: list[int] | None = None) -> None:
    """Step ``scenario`` to its end, then preview every proposal and rebuild the policy.

    Args:
        scenario: A validated scenario using the type(s) to check.
        runs: Run indices (default ``[0, 1, 2]``).
    """
    from scosim.model.policy import build_policy
    from scosim.runner import run_model

    model = run_model(scenario, runs=runs or [0, 1, 2])
    R, N = model.R, model.N
    tau0, cost = model.tau0.copy(), model.cost_change.copy()
    for arr in model.arrangements:
        before = _snapshot(arr)
        parts = arr.participants_in_force()
        if not parts.any(axis=1).all():
            parts = arr.invitees(model)
        pv = arr.preview(model, parts)
        assert pv.gain.shape == (R, N), f"{arr.name}: preview gain has shape {pv.gain.shape}"
        assert np.isfinite(pv.gain).all(), f"{arr.name}: preview gains are not finite"
        for k, v in pv.terms.items():
            assert np.shape(v) == (R,), f"{arr.name}: term {k!r} has shape {np.shape(v)}"
        for k, v in {**pv.scores, **pv.info}.items():
            assert np.shape(v) == (R, N), f"{arr.name}: {k!r} has shape {np.shape(v)}"
        after = _snapshot(arr)
        for k, v in before.items():
            assert np.array_equal(v, after[k]), f"{arr.name}: preview changed its own {k}"
        without = build_policy(model, exclude=arr)
        assert without.tariffs.shape == (R, N, N) and without.cost_change.shape == (R, N, N)
    p1, p2 = build_policy(model), build_policy(model)
    assert np.array_equal(p1.tariffs, p2.tariffs) and np.array_equal(p1.cost_change, p2.cost_change)
    assert not np.shares_memory(p1.cost_change, model.cost_change), "policy aliases the baseline"
    assert np.array_equal(model.tau0, tau0), "the baseline tariffs tau0 were modified"
    assert np.array_equal(model.cost_change, cost), "the year's trade costs were modified"
    assert (np.diagonal(p1.tariffs, axis1=1, axis2=2) == 0).all(), "domestic tariffs must stay 0"
    if p1.sharing is not None:
        assert np.allclose(p1.sharing.sum(axis=1), 1.0), "sharing columns must sum to 1"


def check_batch_consistency(scenario: Any, runs: list[int]) -> None:
    """Run ``runs`` as one batch and each alone; every record and event must match exactly."""
    from scosim.runner import run_model

    batch = run_model(scenario, runs=runs)
    ev = batch.log.to_frame()
    for k, r in enumerate(runs):
        alone = run_model(scenario, runs=[r])
        for name, values in batch.records.items():
            a = np.stack(values, axis=1)[k]
            b = np.stack(alone.records[name], axis=1)[0]
            assert np.array_equal(a, b, equal_nan=True), f"run {r}: {name} differs in a batch"
        one = alone.log.to_frame()
        mine = ev[ev["run"] == r].reset_index(drop=True)
        assert mine.equals(one), f"run {r}: the event log differs in a batch"
