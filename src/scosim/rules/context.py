"""What a decision rule sees: documented contexts passed to registered rules.

Every array has a leading run axis ``R``: a rule decides for all runs of a
batch at once and returns a boolean array of shape ``(R,)`` (or a single bool,
which is broadcast to every run). A rule written for one run at a time can be
registered with :func:`per_run` and is called once per run with scalar fields.

A context about a proposal reads the proposal's number fields run by run with
``ctx.value(field)``: a sweep may give every run its own value, which the scenario's
object ``ctx.proposal`` cannot hold (:mod:`scosim.rules.swept`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from scosim.rules.swept import proposal_value


class _ProposalValues:
    """``value(field)`` of the contexts that carry a proposal (and its ``swept`` values)."""

    #: Name of one of the context's ``(R,)`` fields: an array over the batch, or a scalar
    #: once :func:`per_run` has sliced the context to one run.
    _run_field: ClassVar[str]
    proposal: Any
    swept: dict[str, np.ndarray]

    def value(self, field: str) -> Any:
        """A number field of the proposal, per run: the swept values or the scenario's.

        Read a number of the proposal (``depth``, a customs union's ``cet``, a bank's
        ``lending_rate``, ...) here rather than on ``proposal``: when the batch sweeps
        the field, each run has its own value.

        Args:
            field: A number field of the proposal's spec.

        Returns:
            Float array ``(R,)``: the sweep's value of each run when the batch sweeps
            the field, else the scenario's number in every run. In a :func:`per_run`
            rule, that run's value (a numpy float).

        Raises:
            KeyError: ``field`` is not a number field of the proposal; the message lists
                those that are.
            ValueError: The scenario gives no number for it (a CET rule's name, or
                nothing) and the batch does not sweep it.
        """
        return proposal_value(self.proposal, self.swept, field, getattr(self, self._run_field))


@dataclass(frozen=True)
class VoteContext(_ProposalValues):
    """Context of one state's vote on one proposal.

    Attributes:
        iso3: The voting state's code.
        index: Its position in ``codes``.
        year: The year of the vote.
        proposal: The proposal as written in the scenario (pydantic object). When the
            batch sweeps some of its fields, a read-only view of it whose swept fields
            raise :class:`~scosim.rules.swept.SweptFieldError`: read those with
            :meth:`value`.
        codes: Codes of all economies, in array order.
        terms: This state's utility terms, each ``(R,)``: ``econ`` (expected
            welfare gain, fraction), ``sovereignty`` (depth), ``trust`` (trust in
            the proposer minus 0.5), ``dominance`` (share of the bloc's gains taken
            by its largest economy), ``security``.
        weights: This state's weights per term (from the scenario).
        utility: Weighted score without noise, ``(R,)``.
        noise: Idiosyncratic utility shock for this vote, ``(R,)``.
        gains: Expected welfare gain of every economy, ``(R, N)``.
        participants: Who would take part, ``(R, N)`` bool.
        trust: This state's trust in every economy, ``(R, N)``.
        preview: Further preview indicators, each ``(R, N)`` (see docs).
        history: The batch's :class:`~scosim.model.events.EventLog` so far
            (``records()`` yields dicts with ``run``, ``year``, ``type``,
            ``country``, ``proposal`` and the event's detail fields;
            ``count(type_, country)`` counts per run).
        sponsor: ``(R,)`` bool, True where this state is the proposer or a
            co-sponsor (None: no sponsor information, e.g. a consent question).
        swept: The proposal's fields the batch sweeps, each ``(R,)`` (read-only; empty
            without such a sweep). Read them, and every other number field, with
            :meth:`value`.
    """

    _run_field: ClassVar[str] = "utility"

    iso3: str
    index: int
    year: int
    proposal: Any
    codes: tuple[str, ...]
    terms: dict[str, np.ndarray]
    weights: dict[str, float]
    utility: np.ndarray
    noise: np.ndarray
    gains: np.ndarray
    participants: np.ndarray
    trust: np.ndarray
    preview: dict[str, np.ndarray] = field(default_factory=dict)
    history: Any = None
    sponsor: np.ndarray | None = None
    swept: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        """Number of runs in the batch."""
        return int(self.utility.shape[0])

    @property
    def is_sponsor(self) -> np.ndarray:
        """``(R,)`` bool: this state proposed or co-sponsored the proposal (False if unknown)."""
        if self.sponsor is None:
            return np.zeros(self.n_runs, dtype=bool)
        return np.broadcast_to(np.asarray(self.sponsor, dtype=bool), (self.n_runs,))

    def gain_of(self, iso3: str) -> np.ndarray:
        """Expected welfare gain of another economy, ``(R,)``."""
        return self.gains[:, self.codes.index(iso3)]


@dataclass(frozen=True)
class DefectContext(_ProposalValues):
    """Context of a participant's yearly stay-or-leave decision.

    Attributes:
        iso3: The participant's code.
        index: Its position in ``codes``.
        year: The current year.
        proposal: The arrangement (scenario proposal object; a read-only view of it
            during a sweep of its fields, as in :class:`VoteContext`).
        codes: Codes of all economies.
        realised: Realised welfare gain this year against the year's baseline without
            any policy, ``(R,)`` (fraction); while trade still adjusts, at the
            short-run elasticity (docs/customs_union.md, "Gradual adjustment").
        expected: Welfare gain expected at the vote, ``(R,)`` (fraction): a long-run
            figure, so in the adjustment years ``realised`` falls short of it (or
            exceeds it) for that reason alone.
        threshold: This participant's exit threshold.
        bad_years: Consecutive years with ``realised < threshold``, ``(R,)``.
        defection_years: ``k``: bad years after which a participant may leave.
        active: Whether it takes part in each run, ``(R,)`` bool.
        trust: Its trust in every economy, ``(R, N)``.
        history: The batch's event log so far (see ``VoteContext.history``).
        swept: The proposal's swept fields, each ``(R,)`` (see ``VoteContext.swept``).
    """

    _run_field: ClassVar[str] = "realised"

    iso3: str
    index: int
    year: int
    proposal: Any
    codes: tuple[str, ...]
    realised: np.ndarray
    expected: np.ndarray
    threshold: float
    bad_years: np.ndarray
    defection_years: int
    active: np.ndarray
    trust: np.ndarray
    history: Any = None
    swept: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        """Number of runs in the batch."""
        return int(self.realised.shape[0])


@dataclass(frozen=True)
class ProposeContext(_ProposalValues):
    """Context of the chair's decision to table a rejected proposal again.

    Attributes:
        iso3: The chair's code (the chair rotates among members every year).
        index: Its position in ``codes``.
        year: The current year.
        proposal: The rejected proposal (scenario proposal object; a read-only view of
            it during a sweep of its fields, as in :class:`VoteContext`).
        codes: Codes of all economies.
        eligible: Runs where the proposal was rejected, is not in force and its type
            would table it now (``ProposalType.eligible_runs``), ``(R,)``.
        years_since_vote: Years since its last vote, ``(R,)`` (-1 if never voted).
        last_yes_share: Share of yes votes among eligible voters at the last vote, ``(R,)``.
        trust: The chair's trust in every economy, ``(R, N)``.
        history: The batch's event log so far (see ``VoteContext.history``).
        swept: The proposal's swept fields, each ``(R,)`` (see ``VoteContext.swept``).
    """

    _run_field: ClassVar[str] = "eligible"

    iso3: str
    index: int
    year: int
    proposal: Any
    codes: tuple[str, ...]
    eligible: np.ndarray
    years_since_vote: np.ndarray
    last_yes_share: np.ndarray
    trust: np.ndarray
    history: Any = None
    swept: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        """Number of runs in the batch."""
        return int(self.eligible.shape[0])


def per_run(fn: Callable[[Any], bool]) -> Callable[[Any], np.ndarray]:
    """Adapt a rule written for one run at a time to the run axis.

    The wrapped rule is called once per run with a context whose array fields
    are that run's slice (``(R,)`` fields become scalars, ``(R, N)`` become
    ``(N,)``, and so does what ``ctx.value(field)`` gives).

    Args:
        fn: A rule taking a single-run context and returning a bool.

    Returns:
        A rule over the run axis returning ``(R,)`` bool.
    """

    def wrapped(ctx: Any) -> np.ndarray:
        n = ctx.n_runs
        out = np.zeros(n, dtype=bool)
        for r in range(n):
            out[r] = bool(fn(_slice_run(ctx, r)))
        return out

    # Keep the rule's own name, module and qualname: the registry tells rules apart by them.
    return functools.update_wrapper(wrapped, fn)


def _slice_run(ctx: Any, r: int) -> Any:
    changes: dict[str, Any] = {}
    for name, value in vars(ctx).items():
        if isinstance(value, np.ndarray) and value.ndim >= 1:
            changes[name] = value[r]
        elif isinstance(value, dict) and any(
            isinstance(v, np.ndarray) and v.ndim >= 1 for v in value.values()
        ):
            # Slice the array entries (e.g. swept weights); keep plain numbers.
            changes[name] = {
                k: v[r] if isinstance(v, np.ndarray) and v.ndim >= 1 else v
                for k, v in value.items()
            }
    return replace(ctx, **changes)


class RuleFailed(RuntimeError):
    """A decision rule raised: names the rule, hook, state and year, and keeps the cause.

    A plug-in rule's own bug (a ``KeyError`` in its code) otherwise reached the user as
    ``batch 0 failed: KeyError: 'oops'``, naming nothing the scenario wrote.
    """


def call_rule(fn: Any, ctx: Any, hook: str, rule_name: str, iso3: str) -> Any:
    """``fn(ctx)``, with an exception it raises re-raised as :class:`RuleFailed`.

    ``MemoryError`` passes unchanged (the executors treat it as the machine's, not the
    rule's); ``KeyboardInterrupt`` and SIGTERM's ``Terminated`` are not ``Exception``.
    """
    try:
        return fn(ctx)
    except MemoryError:
        raise
    except Exception as exc:
        year = getattr(ctx, "year", None)
        when = f" in {year}" if year is not None else ""
        raise RuleFailed(f"{hook} rule {rule_name!r} of {iso3}{when} raised "
                         f"{type(exc).__name__}: {exc}") from exc


def as_decision(result: Any, n_runs: int, rule_name: str, where: str = "") -> np.ndarray:
    """Coerce a rule's return value to ``(R,)`` bool, or explain what is wrong.

    Args:
        result: What the rule returned.
        n_runs: Number of runs in the batch.
        rule_name: Name used in the error message.
        where: The hook, state and year, for the message (``"vote rule of KAZ in 2026"``).

    Returns:
        Boolean array of shape ``(n_runs,)``.
    """
    said = f"{where or 'rule'} {rule_name!r}"
    if result is None:
        raise TypeError(f"{said} returned None (a missing return?); a rule must return a "
                        f"bool or a bool array of shape ({n_runs},)")
    arr = np.asarray(result)
    if arr.dtype.kind not in "bui":
        raise TypeError(
            f"{said} returned {arr.dtype} values; a rule must return a bool "
            f"or a bool array of shape ({n_runs},)"
        )
    if arr.ndim == 0:
        return np.full(n_runs, bool(arr))
    if arr.shape != (n_runs,):
        raise TypeError(
            f"{said} returned shape {arr.shape}; expected ({n_runs},) or a single bool"
        )
    return arr.astype(bool)
