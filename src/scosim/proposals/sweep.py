"""Sweeping a proposal's field: the names a sweep uses and what it may vary.

A sweep varies a parameter across the runs of one batch, so only a value the model
reads per run can be swept. A proposal type opts in field by field
(``ProposalType.sweepable``) and reads the field through ``ProposalType.value``,
which gives each run its own value. A sweep names such a field
``proposals.<id>.<field>``: the proposal's id, as ``--set`` accepts it, so that the
name is the same whatever the proposal's position in the list (docs/proposals.md,
"Sweeping a field of a proposal").
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["PREFIX", "proposal_param_problem", "sweep_key"]

#: Every swept proposal field starts with this.
PREFIX = "proposals"

_KEY = re.compile(r"^proposals(?:\.(?P<id>[^.\[\]]+)|\[(?P<index>[^\]]*)\])\.(?P<field>[^.]+)$")


def sweep_key(pid: str, field: str) -> str:
    """``proposals.<id>.<field>``: the name the model reads a swept field under."""
    return f"{PREFIX}.{pid}.{field}"


def proposal_param_problem(scenario: Any, name: str) -> str | None:
    """What is wrong with sweeping ``name`` in ``scenario``; None when it may be swept.

    Args:
        scenario: The loaded scenario (its proposal types are importable).
        name: A ``--param`` name starting with ``proposals``.

    Returns:
        None for ``proposals.<id>.<field>`` naming a proposal of the scenario whose type
        lists ``field`` in ``sweepable``; else a message saying what is allowed.
    """
    from scosim.proposals import get_type

    m = _KEY.match(name)
    ids = [p.id for p in scenario.proposals]
    if m is None:
        return ("write a proposal's field as proposals.<id>.<field>, e.g. "
                f"{_example(scenario)}")
    pid = m["id"]
    if m["index"] is not None or (pid is not None and pid.isdigit() and pid not in ids):
        # By position: the model reads a swept value under the proposal's id.
        index = m["index"] if m["index"] is not None else pid
        try:
            by_id = sweep_key(scenario.proposals[int(index)].id, m["field"])
            return f"name the proposal by its id: {by_id}"
        except (ValueError, IndexError):
            return (f"no proposal at position {index}; write proposals.<id>.<field> "
                    f"with one of the ids: {', '.join(ids) or '(none)'}")
    proposal = next((p for p in scenario.proposals if p.id == pid), None)
    if proposal is None:
        return f"no proposal has id {pid!r}; ids: {', '.join(ids) or '(none)'}"
    cls = get_type(proposal.type)
    if m["field"] not in cls.sweepable:
        from scosim.plugins import not_sweepable

        return not_sweepable(f"field {m['field']!r} of proposal {pid!r} (type {cls.name})",
                             "its type", "fields", [sweep_key(pid, f) for f in cls.sweepable],
                             "ProposalType.sweepable, docs/proposals.md")
    return None


def _example(scenario: Any) -> str:
    from scosim.proposals import get_type

    for p in scenario.proposals:
        fields = get_type(p.type).sweepable
        if fields:
            return sweep_key(p.id, fields[0])
    return "proposals.my_visa.cost_cut (the scenario's proposals declare no sweepable field)"
