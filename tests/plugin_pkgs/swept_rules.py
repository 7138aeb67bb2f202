"""Rules reading a proposal's number fields under a sweep (tests/test_rule_swept_values.py).

The recording rules keep what they were given in ``SEEN`` (cleared by the tests), so a
test compares it with the sweep's own values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scosim.rules.context import per_run

#: What the rules saw: dicts with the hook, state, year, values and the proposal.
SEEN: list[dict[str, Any]] = []

#: The CET above which ``kaz_cet_cap`` votes no.
CAP = 0.05


def record_vote(ctx: Any) -> np.ndarray:
    """Yes everywhere; records ``value('cet')``, ``value('depth')`` and ``proposal``."""
    SEEN.append({"hook": "vote", "iso3": ctx.iso3, "year": ctx.year, "cet": ctx.value("cet"),
                 "depth": ctx.value("depth"), "proposal": ctx.proposal})
    return np.ones(ctx.n_runs, dtype=bool)


def record_defect(ctx: Any) -> np.ndarray:
    """Never leaves; records ``value('depth')`` and ``proposal``."""
    SEEN.append({"hook": "defect", "iso3": ctx.iso3, "year": ctx.year,
                 "depth": ctx.value("depth"), "proposal": ctx.proposal})
    return np.zeros(ctx.n_runs, dtype=bool)


def record_unswept_fields(ctx: Any) -> np.ndarray:
    """Yes everywhere; records the proposal's fields that a sweep of ``cet`` leaves alone."""
    p = ctx.proposal
    SEEN.append({"id": p.id, "type": p.type, "year": p.year, "proposer": p.proposer,
                 "participants": p.participants, "depth": p.depth,
                 "revenue_sharing": p.revenue_sharing})
    return np.ones(ctx.n_runs, dtype=bool)


@per_run
def record_one_run(ctx: Any) -> bool:
    """Per run: records that run's ``value('cet')`` and ``value('depth')``."""
    SEEN.append({"hook": "vote", "iso3": ctx.iso3, "year": ctx.year, "cet": ctx.value("cet"),
                 "depth": ctx.value("depth")})
    return True


def kaz_cet_cap(ctx: Any) -> np.ndarray:
    """Yes where this run's CET is at most :data:`CAP` (read per run)."""
    return ctx.value("cet") <= CAP


def reads_proposal_cet(ctx: Any) -> np.ndarray:
    """The pitfall: the scenario's CET, the same in every run."""
    return np.full(ctx.n_runs, float(ctx.proposal.cet) <= CAP)


def reads_proposal_depth(ctx: Any) -> np.ndarray:
    """The pitfall again: the scenario's depth (0.6 in customs_union.yaml) in every run."""
    return np.full(ctx.n_runs, ctx.proposal.depth <= 0.5)
