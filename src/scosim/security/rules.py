"""Effort rules: how a state chooses its cooperation effort per channel each year.

Each rule is a pure function of an :class:`EffortContext` (one state, all runs at once)
returning that state's efforts ``(R, C)`` in [0, 1] over the channels of
:data:`scosim.security.params.CHANNELS`. Built-ins:

* ``conditional_cooperation``: move one's effort in proportion to the partners' last
  effort relative to their baseline (weighted mean over partners: RATS co-members and
  neighbours), channel by channel, so the baseline profile is the rule's fixed point;
* ``free_riding``: contribute nothing, enjoy the others' spillovers;
* ``sovereignty_capped``: conditional cooperation, but information-security sharing never
  above the state's sovereignty cap (seed 000, Zou Zhengxin: cyber-sovereignty concerns
  of smaller members limit a unified information platform);
* ``keep_effort``: repeat last year's effort.

Intended registration (once the model calls the ``cooperate`` hook; ``rules/registry.py``
is not edited here): :func:`register_cooperate_rules` puts every built-in under
``rule("cooperate", name)``; a user rule is any function with the same signature,
referenced by dotted path like other rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scosim.rules.context import call_rule
from scosim.security.params import CHANNELS

__all__ = [
    "EFFORT_RULES",
    "EffortContext",
    "apply_effort_rules",
    "conditional_cooperation",
    "free_riding",
    "keep_effort",
    "register_cooperate_rules",
    "sovereignty_capped",
]

CYBER = CHANNELS.index("cyber")


@dataclass(frozen=True)
class EffortContext:
    """What a state sees when it chooses its effort.

    Attributes:
        iso3: The state's code; ``index`` its column in ``(R, N)`` arrays.
        year: The year being chosen for.
        codes: Economy codes in array order.
        last: ``(R, N, C)`` everyone's efforts last year.
        partners: ``(N,)`` weights of this state's partners (sum 1, or all 0 if none).
        sovereignty_cap: This state's cap on information-security sharing, in [0, 1].
        indicators: Last year's indicators (``(R, N)`` arrays), possibly empty.
        baseline: ``(N,)`` or ``(N, C)`` customary efforts under the runs' membership
            (``params.baseline_effort``; a member's level for a state that acceded,
            :meth:`scosim.security.model.SecuritySystem.customary_effort`), or ``None``
            when the caller gives none.
    """

    iso3: str
    index: int
    year: int
    codes: tuple[str, ...]
    last: np.ndarray
    partners: np.ndarray
    sovereignty_cap: float = 1.0
    indicators: dict[str, np.ndarray] | None = None
    baseline: np.ndarray | None = None

    @property
    def n_runs(self) -> int:
        """Number of runs ``R``."""
        return int(self.last.shape[0])


def conditional_cooperation(ctx: EffortContext) -> np.ndarray:
    """Scale one's baseline effort by the partners' mean effort relative to theirs, per channel.

    ``e[i] = min(1, e0[i] * sum_j p[i, j] e[j] / e0[j])`` over partners with ``e0[j] > 0``
    (weights renormalised over them). States cooperate at different customary levels
    (members, observers, others: ``params.baseline_effort``); a conditional cooperator keeps
    its own level while its partners keep theirs and follows their proportional changes
    (a partner halving its effort lowers one's own by that partner's weight times a half).
    So the calibrated baseline is the rule's fixed point: a run without policy does not
    drift. Matching partners' *levels* instead (what the context gives when it carries no
    ``baseline``) pulls every state to one consensus effort, about 0.44 with the default
    calibration, in the first simulated year: members fell from 0.5, Turkmenistan rose
    from 0.1, with no policy at all.
    """
    if not ctx.partners.any():
        return ctx.last[:, ctx.index, :].copy()
    if ctx.baseline is None:
        return np.einsum("j,rjc->rc", ctx.partners, ctx.last)
    n, c = ctx.last.shape[1], ctx.last.shape[2]
    e0 = np.broadcast_to(np.asarray(ctx.baseline, dtype=float).reshape(n, -1), (n, c))
    w = np.where(e0 > 0, ctx.partners[:, None], 0.0)  # (N, C): partners with a baseline
    tot = w.sum(axis=0)
    if not np.all(tot > 0):
        return ctx.last[:, ctx.index, :].copy()
    ratio = np.divide(ctx.last, e0[None], out=np.zeros_like(ctx.last), where=e0[None] > 0)
    rel = np.einsum("jc,rjc->rc", w, ratio) / tot[None]
    return np.minimum(e0[ctx.index][None, :] * rel, 1.0)


def free_riding(ctx: EffortContext) -> np.ndarray:
    """Contribute nothing on any channel."""
    return np.zeros((ctx.n_runs, ctx.last.shape[2]))


def sovereignty_capped(ctx: EffortContext) -> np.ndarray:
    """Conditional cooperation with information-security sharing capped at the state's cap."""
    e = conditional_cooperation(ctx)
    e[:, CYBER] = np.minimum(e[:, CYBER], ctx.sovereignty_cap)
    return e


def keep_effort(ctx: EffortContext) -> np.ndarray:
    """Repeat last year's effort."""
    return ctx.last[:, ctx.index, :].copy()


EffortRule = Callable[[EffortContext], np.ndarray]

#: Built-in rules by the name a scenario would use.
EFFORT_RULES: dict[str, EffortRule] = {
    "conditional_cooperation": conditional_cooperation,
    "free_riding": free_riding,
    "sovereignty_capped": sovereignty_capped,
    "keep_effort": keep_effort,
}


def apply_effort_rules(last: np.ndarray, rules: dict[str, EffortRule | str],
                       partners: np.ndarray, caps: np.ndarray, codes: tuple[str, ...],
                       year: int, indicators: dict[str, np.ndarray] | None = None,
                       baseline: np.ndarray | None = None) -> np.ndarray:
    """Everyone's new efforts ``(R, N, C)``: each named state's rule, others keep theirs.

    Args:
        last: ``(R, N, C)`` last efforts.
        rules: ``{iso3: rule or built-in name}``.
        partners: ``(N, N)`` row-normalised partner weights.
        caps: ``(N,)`` sovereignty caps.
        codes: Economy codes in array order.
        year: Year chosen for.
        indicators: Last year's indicators, passed to the rules.
        baseline: ``(N,)`` baseline efforts, passed to the rules (``EffortContext.baseline``).

    Raises:
        ValueError: Unknown rule name, unknown code, or a rule returning a wrong shape or
            efforts outside [0, 1].
    """
    new = last.copy()
    for iso, fn in rules.items():
        if iso not in codes:
            raise ValueError(f"effort rule for unknown economy {iso!r}")
        if isinstance(fn, str):
            if fn not in EFFORT_RULES:
                raise ValueError(f"unknown effort rule {fn!r} for {iso}; built-ins: "
                                 f"{', '.join(sorted(EFFORT_RULES))}")
            fn = EFFORT_RULES[fn]
        i = codes.index(iso)
        ctx = EffortContext(iso, i, year, codes, last, partners[i], float(caps[i]), indicators,
                            baseline)
        name = f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', fn)}"
        e = np.asarray(call_rule(fn, ctx, "cooperate", name, iso), dtype=float)
        if e.shape != (last.shape[0], last.shape[2]):
            raise ValueError(f"effort rule for {iso} returned shape {e.shape}, "
                             f"expected {(last.shape[0], last.shape[2])}")
        if np.any(e < 0) or np.any(e > 1) or not np.all(np.isfinite(e)):
            raise ValueError(f"effort rule for {iso} returned efforts outside [0, 1]")
        new[:, i, :] = e
    return new


def register_cooperate_rules() -> None:
    """Register the built-ins under the registry's ``cooperate`` hook (idempotent)."""
    from scosim.rules.registry import rule

    for name, fn in EFFORT_RULES.items():
        rule("cooperate", name)(fn)
