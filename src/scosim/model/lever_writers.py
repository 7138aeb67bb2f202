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
plug-in did not declare, so a declaration cannot drift from the code.

numpy is imported where used: the registries read :func:`declared_problem` while a
scenario is validated, without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scosim.plugins import PluginError

if TYPE_CHECKING:
    from scosim.model.policy import PolicyState

__all__ = ["ADDITIVE_LEVERS", "MECHANISM", "PROPOSAL", "check_preview_lever",
           "declared_problem", "lever_ids", "note_writes", "snapshot", "step_writes"]

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
