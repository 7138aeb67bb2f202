"""Who may write a lever of the policy state, and the run-time check of it.

The rule (docs/mechanisms.md, "Who writes a lever"):

* The two welfare levers (:data:`ADDITIVE_LEVERS`) add up: any number of proposal
  types and mechanisms write them, each adding its own share
  (``levers.get(name, zeros) + yours``). The trade step counts the total.
* Every other lever has one writer in a scenario: the proposal types of the scenario's
  proposals (several types may write one lever, in the scenario's order, each reading
  what the one before left, as the finance types do) or one mechanism. A mechanism
  that writes (or previews) a lever a proposal type writes, or another mechanism
  writes, would replace that value unseen in the year's state or in a Council preview,
  so the scenario is refused, naming both.

A plug-in says which levers it writes with the optional class attribute
``writes_levers`` (a tuple of names; None, the default: not declared). Declared ones
are checked when the scenario is validated (:mod:`scosim.scenario.levers`); the checks
here catch a clash at run time whatever is declared, and refuse a write a declaring
plug-in did not declare, so a declaration cannot drift from the code. A mechanism's step
is the year's: called anywhere else (a preview) it is refused (:func:`run_step`).

What no check here sees: a write that replaces a welfare lever instead of adding to it
(both leave a new array, and no writer reports its increment). :func:`add_to_lever` is
the way to add (docs/mechanisms.md, "What the run cannot check").

numpy is imported where used: the registries read :func:`declared_problem` while a
scenario is validated, without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scosim.plugins import PluginError

if TYPE_CHECKING:
    from scosim.model.policy import PolicyState

__all__ = ["ADDITIVE_LEVERS", "MECHANISM", "PROPOSAL", "add_to_lever", "check_preview_lever",
           "declared_problem", "lever_ids", "note_writes", "preview_left_alone", "run_step",
           "snapshot", "step_writes"]

#: The levers every writer adds to (share of GDP, ``(R, N)``; the trade step's income and
#: costs outside the GE). Equal to :data:`scosim.model.gdp_shares.WELFARE_LEVERS`, kept
#: here so that validation reads it without numpy (``tests/test_lever_writers.py``).
ADDITIVE_LEVERS: tuple[str, ...] = ("welfare_cost_share", "welfare_income_share")

#: Kinds of writer recorded in :attr:`PolicyState.writers`.
PROPOSAL = "proposal type"
MECHANISM = "mechanism"

_RULE = "docs/mechanisms.md, 'Who writes a lever'"


def declared_problem(value: Any) -> str | None:
    """What is wrong with a plug-in's ``writes_levers``; None when it is None or names.

    A lever name is a non-empty string without spaces (``finance.settlement_floor``).
    """
    if value is None:
        return None
    if not isinstance(value, tuple) or not all(
            isinstance(v, str) and v and not any(c.isspace() for c in v) for v in value):
        return (f"`writes_levers` must be None (not declared) or a tuple of lever names, "
                f"got {value!r}")
    if len(set(value)) != len(value):
        return f"`writes_levers` names a lever twice: {value!r}"
    return None


def lever_ids(policy: PolicyState) -> dict[str, int]:
    """The identity of each lever's array: what a write replaces."""
    return {k: id(v) for k, v in policy.levers.items()}


def _undeclared(label: str, declared: tuple[str, ...] | None, lever: str, how: str) -> None:
    if declared is not None and lever not in declared:
        raise PluginError(
            f"{label} {how} the lever {lever!r}, which its `writes_levers` does not declare "
            f"(declared: {', '.join(declared) or 'none'}); add it there ({_RULE})")


def note_writes(policy: PolicyState, before: dict[str, int], label: str,
                declared: tuple[str, ...] | None) -> None:
    """Record the levers a proposal type's ``apply`` wrote, refusing a mechanism's.

    Args:
        policy: The policy state after the ``apply``.
        before: :func:`lever_ids` of the state before it.
        label: The proposal type and proposal (``"proposal type 'x' (proposal 'p')"``).
        declared: Its ``writes_levers``.

    Raises:
        PluginError: It wrote a lever its declaration leaves out, or one a mechanism
            previewed into the state (a Council preview: the mechanism's value lost).
    """
    for lever, value in policy.levers.items():
        if before.get(lever) == id(value):
            continue
        _undeclared(label, declared, lever, "wrote")
        if lever in ADDITIVE_LEVERS:
            continue
        kind, who = policy.writers.get(lever, (PROPOSAL, label))
        if kind == MECHANISM:
            raise PluginError(
                f"{label} writes the lever {lever!r} in apply, which {who} writes too: in a "
                "Council preview the proposal's value would replace the mechanism's unseen; "
                f"let one of them write it, or give one lever another name ({_RULE})")
        policy.writers.setdefault(lever, (PROPOSAL, label))


def check_preview_lever(policy: PolicyState, label: str, lever: str,
                        declared: tuple[str, ...] | None) -> None:
    """Refuse a lever a mechanism's ``preview_levers`` returns that another writes.

    Args:
        policy: The preview's policy state so far (the arrangements' levers, and the
            levers of the mechanisms before this one, in :attr:`PolicyState.writers`).
        label: The mechanism and its slot.
        lever: The lever it previews.
        declared: Its ``writes_levers``.
    """
    _undeclared(label, declared, lever, "previews")
    if lever in ADDITIVE_LEVERS:
        raise PluginError(
            f"{label} previews the lever {lever!r} (preview_levers): income and costs "
            "outside the trade GE add up, so a preview says what the step adds with "
            f"preview_income, not by replacing the lever ({_RULE})")
    if lever in policy.writers:
        kind, who = policy.writers[lever]
        if kind == MECHANISM:
            raise PluginError(
                f"{label} and {who} both preview the lever {lever!r} (preview_levers): a "
                "Council preview would keep only the later one's value; let one of them "
                f"write it, or give one lever another name ({_RULE})")
        raise PluginError(
            f"{label} previews the lever {lever!r}, which {who} writes in apply: a Council "
            "preview would replace the proposal's value with the mechanism's unseen; let "
            f"one of them write it, or give one lever another name ({_RULE})")


def snapshot(policy: PolicyState) -> dict[str, tuple[int, Any]]:
    """Each lever's identity and, except the additive ones, a copy of its values.

    Taken before a mechanism's step, so that :func:`step_writes` sees a lever replaced
    or changed in place.
    """
    import numpy as np

    return {k: (id(v), None if k in ADDITIVE_LEVERS else np.array(v, copy=True))
            for k, v in policy.levers.items()}


def step_writes(policy: PolicyState, before: dict[str, tuple[int, Any]], label: str,
                declared: tuple[str, ...] | None) -> None:
    """Record the levers a mechanism's step wrote, refusing one another plug-in wrote.

    Args:
        policy: The year's policy state after the step.
        before: :func:`snapshot` of it before the step.
        label: The mechanism and its slot.
        declared: Its ``writes_levers``.

    Raises:
        PluginError: It wrote a lever its declaration leaves out, or replaced (or changed
            in place) a lever other than the additive ones that a proposal type's
            ``apply`` or an earlier mechanism's step wrote this year, naming both.
    """
    import numpy as np

    for lever, value in policy.levers.items():
        old = before.get(lever)
        if old is not None and old[0] == id(value):
            kept = old[1]
            if kept is None or _same(kept, value, np):
                continue
        _undeclared(label, declared, lever, "wrote")
        if lever in ADDITIVE_LEVERS:
            continue
        kind, who = policy.writers.get(lever, (MECHANISM, label))
        if who != label:
            where = "in apply" if kind == PROPOSAL else "in its step"
            raise PluginError(
                f"{label} wrote the lever {lever!r} in its step, which {who} wrote {where} "
                "this year: its value would be lost unseen; let one of them write it, or "
                f"give one lever another name ({_RULE})")
        policy.writers[lever] = (MECHANISM, label)


def _same(a: Any, b: Any, np: Any) -> bool:
    b = np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=bool(np.issubdtype(a.dtype, np.floating))))


class _Steps(threading.local):
    """The steps running under :func:`run_step` in this thread (its call stack).

    Per thread, not per process: a Dask worker with several threads (an external
    cluster's; ``scosim run`` starts single-threaded ones) steps batches side by side,
    and until 2026-12-07 one process-wide count let a preview's step in one thread
    through while another thread was in its year's step (and ``+= 1`` from two threads
    could lose a count). What the check asks is about nesting, which is a call stack's,
    so a thread's own record is the exact one (kept off the model, which a step's
    check only reads).

    Attributes:
        stepping: ``(id(mech), id(policy))`` of the steps running: a step called from
            inside one on the same state (a subclass's ``super().step``) is checked
            once, by the outer call; one on another state is refused as any step off
            the year's is.
        year_steps: How many year's steps (the slots phase's) are running: a step nested
            in one (a mechanism that delegates to another's step) on the year's state
            is the year's too.
    """

    def __init__(self) -> None:
        self.stepping: set[tuple[int, int]] = set()
        self.year_steps = 0


_STEPS = _Steps()


def _off_year(label: str) -> PluginError:
    return PluginError(
        f"{label}: its step was called outside the year's slots phase (from a preview, or "
        "on a policy state that is not the year's). A step is the year's, run once a year "
        "on the year's state: it moves the mechanism's own state too (balance sheets, "
        "random draws, the network's step), so calling it elsewhere changes the run's "
        "results even on a copy of the policy. To say what the step would do, a preview "
        "uses the mechanism's preview_levers, preview_cost_factor or preview_income "
        "(docs/mechanisms.md, 'Who writes a lever')")


def run_step(mech: Any, step: Callable[[Any, Any, int], Any], model: Any, policy: Any,
             year: int, label: str | None = None, *, year_step: bool = False) -> Any:
    """Call ``step(model, policy, year)``, ``mech``'s step, checking the levers it writes.

    The year's slots phase calls every step through here (``year_step=True``), and every
    call of a :class:`scosim.model.slots.Mechanism` subclass's ``step`` comes here too
    (the class wraps it). A step is the year's: one called anywhere else (a proposal
    type's own ``preview``, a mechanism's preview hook, a nested call on another state)
    is refused, because built-in steps move more than levers (the banking systems'
    balance sheets and random draws, the network's step, the security incidents), so it
    would change the run's results unseen, copy of the policy or not. Until 2026-12-07
    such a call was checked for the levers it wrote only, and ran. The year's step is
    checked for the levers it writes (:func:`step_writes`).

    Args:
        mech: The mechanism.
        step: Its step, bound or wrapped: called as ``step(model, policy, year)``.
        model: The model.
        policy: The policy state it steps on: the year's, ``model.policy``.
        year: The year.
        label: The mechanism and its slot (default: from its class's ``name`` and ``slot``).
        year_step: The slots phase's call (the only caller that passes it).

    Raises:
        PluginError: A step called outside the year's slots phase or on another state,
            or one that writes a lever as :func:`step_writes` refuses, naming the
            mechanism, the lever and what it declares.
    """
    steps = _STEPS
    key = (id(mech), id(policy))
    if key in steps.stepping:
        return step(model, policy, year)
    cls = type(mech)
    label = label or f"mechanism {getattr(cls, 'name', '?')!r} ({getattr(cls, 'slot', '?')} slot)"
    on_year = policy is getattr(model, "policy", None) and year == getattr(model, "year", year)
    if not on_year or not (year_step or steps.year_steps):
        raise _off_year(label)
    checked = isinstance(getattr(policy, "writers", None), dict)
    before = snapshot(policy) if checked else None
    steps.stepping.add(key)
    steps.year_steps += 1
    try:
        out = step(model, policy, year)
    finally:
        steps.stepping.discard(key)
        steps.year_steps -= 1
    if before is not None:
        step_writes(policy, before, label, getattr(cls, "writes_levers", None))
    return out


def preview_left_alone(policy: PolicyState, before: tuple[int, dict[str, int]], label: str,
                       hook: str) -> None:
    """Refuse a preview hook (``preview_cost_factor``, ``preview_income``) that wrote ``policy``.

    A hook says what its step would do; the state it is given is the preview's own, read
    by the slots after it and by the preview's welfare (a step called on it, for one,
    multiplied its factor into the costs that :func:`scosim.model.policy.with_slot_costs`
    multiplies again, and added income the preview then counted twice). Checked by
    identity, as cheap as a preview needs: a lever or ``cost_change`` replaced, added or
    removed; not one changed in place.

    Args:
        policy: The preview's state after the hook.
        before: ``(id(policy.cost_change), lever_ids(policy))`` before it.
        label: The mechanism and its slot.
        hook: The hook's name.
    """
    costs, ids = before
    changed = sorted(set(ids) ^ set(policy.levers)) or [
        k for k, v in policy.levers.items() if ids.get(k) != id(v)]
    if id(policy.cost_change) != costs:
        changed.insert(0, "cost_change")
    if changed:
        what = "cost_change" if changed[0] == "cost_change" else f"the lever {changed[0]!r}"
        raise PluginError(
            f"{label} changed {what} of the preview's policy state in {hook}: a preview "
            "hook returns what its step would do and leaves the state it is given alone "
            "(the slots after it and the preview's welfare read it), and never runs its "
            f"step, which is the year's ({_RULE})")


def add_to_lever(policy: PolicyState, lever: str, share: Any) -> Any:
    """Add ``share`` to a welfare lever of ``policy`` and return the lever's new total.

    The way to write ``welfare_income_share`` and ``welfare_cost_share``: every writer
    adds its own share to what the proposals and the slots before it left there
    (``levers.get(lever, zeros) + share``, the same numbers bit for bit). The model
    cannot tell a write that replaces the lever from one that adds
    (docs/mechanisms.md, "Who writes a lever"), so this makes adding the easy path.

    Args:
        policy: The policy state (the year's, or a preview's).
        lever: ``"welfare_income_share"`` or ``"welfare_cost_share"``.
        share: A number or an array broadcasting to ``(R, N)``: share of GDP a year.

    Raises:
        PluginError: Another lever (it has one writer, which sets it), or a share that
            does not broadcast to ``(R, N)``.
    """
    import numpy as np

    if lever not in ADDITIVE_LEVERS:
        raise PluginError(
            f"add_to_lever adds to the welfare levers ({', '.join(ADDITIVE_LEVERS)}), not "
            f"{lever!r}: every other lever has one writer, which sets it ({_RULE})")
    shape = (policy.n_runs, policy.n)
    try:
        part = np.broadcast_to(np.asarray(share, dtype=float), shape)
    except (TypeError, ValueError):
        raise PluginError(
            f"add_to_lever({lever!r}): the share must be a number or an array that "
            f"broadcasts to {shape} (runs x economies, share of GDP), got shape "
            f"{np.shape(share)}") from None
    old = policy.levers.get(lever)
    new = (np.zeros(shape) if old is None else old) + part
    policy.levers[lever] = new
    return new
