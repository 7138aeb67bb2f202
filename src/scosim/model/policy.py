"""The year's policy state: what mechanisms read and proposals write.

A :class:`PolicyState` is rebuilt every time it is needed from the baseline (the
calibration's bilateral tariffs ``tau0`` with the agreements in force since its base
year, this year's trade costs after events)
plus the arrangements in force, in the scenario's order. It is a fresh copy each
time, never mutated in place behind anyone's back, so "the policy without this
arrangement" (what a Council preview compares against) is one call:
:func:`build_policy` with ``exclude=``.

Customs unions' external tariffs are the one exception to the scenario's order: a
union sets them on the tariffs with every other arrangement's preferences in
place, whichever comes first in the scenario (:meth:`PolicyState.add_union`), so a
member keeps a free-trade area's preference below the CET as it keeps one of the
data's (docs/customs_union.md, "Preferences with non-participants"). Before
2026-12-05 a free-trade area listed before a union lost its preferences to the CET
and one listed after it kept them.

Mechanism slots (security, network, finance, ...) receive the year's state
after implementation and may write to it (e.g. multiply ``cost_change`` or set
a lever); the trade GE reads it last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.model.lever_writers import (
    MECHANISM,
    add_to_lever,
    check_preview_lever,
    lever_ids,
    preview_left_alone,
)
from scosim.model.policy_check import apply_checked
from scosim.plugins import blame

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

__all__ = ["PolicyState", "UnionStep", "baseline_policy", "build_policy", "lever_income",
           "preview_net_income", "preview_policy", "slot_income", "with_slot_costs"]

#: A customs union's tariff step: ``(tariffs before it (R, N, N), preferences granted by
#: the arrangements applied (R, N, N) bool or None) -> tariffs after it (R, N, N)``.
UnionStep = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


@dataclass
class PolicyState:
    """Levers of one year over a batch of runs (leading axis ``R``).

    Attributes:
        tariffs: ``(R, N, N)`` ad valorem tariffs, exporter on the row, importer
            on the column (the calibration's ``tariffs`` matrix as baseline).
        cost_change: ``(R, N, N)`` iceberg trade-cost factors relative to the base
            year (1 = unchanged): sanctions, corridors, insecurity.
        sharing: ``(R, N, N)`` column-stochastic tariff-revenue sharing matrix, or
            None when every economy keeps what it collects.
        bloc: ``(R, N)`` bool, participants of the preferential trade bloc used
            for union accounting (intra-bloc trade, creation, diversion): the
            first bloc-forming arrangement in force in each run.
        levers: Further named levers, each an array with a leading run axis
            (security and finance parameters); a mechanism documents those it reads.
        preferences: ``(R, N, N)`` bool, exporter x importer: pairs given a preference
            by an arrangement applied so far (:meth:`grant_preferences`; a free-trade
            area's participants among themselves) or by a calibration's agreement that
            entered into force after the base year (:func:`baseline_policy`), or None
            when none has. The base year's agreements are not in it
            (``BlocAware.preferences``).
        unions: The tariff steps of the customs unions applied so far, in order, each
            with its ``(R,)`` active runs (:meth:`add_union`).
        tariffs_before_unions: The tariffs without those steps, or None when there are
            none (``tariffs`` then is that).
        ban_change: ``(R, N, N)`` iceberg factors of the bans lifted so far (a trade
            suspension that earns no revenue, :meth:`lift_ban`), or None when none is.
            Part of the trade policy, not of ``cost_change``: the year's GE solves it
            with the tariffs, on the arrangements' adjustment clock
            (:func:`scosim.mechanisms.short_run.solve_year`).
        bans_lifted: ``(exporter, importer) -> (R,)`` share of each ban lifted so far.
        writers: ``lever -> (kind, label)``: who wrote each lever of ``levers`` so far (a
            proposal type's ``apply`` or a mechanism's step or preview), so that a second
            writer is refused naming both (:mod:`scosim.model.lever_writers`).
    """

    tariffs: np.ndarray
    cost_change: np.ndarray
    sharing: np.ndarray | None = None
    bloc: np.ndarray | None = None
    levers: dict[str, np.ndarray] = field(default_factory=dict)
    preferences: np.ndarray | None = None
    unions: tuple[tuple[UnionStep, np.ndarray], ...] = ()
    tariffs_before_unions: np.ndarray | None = None
    ban_change: np.ndarray | None = None
    bans_lifted: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    writers: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add_to_lever(self, lever: str, share: Any) -> np.ndarray:
        """Add ``share`` (share of GDP, broadcasting to ``(R, N)``) to a welfare lever.

        The way to write ``welfare_income_share`` and ``welfare_cost_share``, which every
        writer adds to: :func:`scosim.model.lever_writers.add_to_lever`. Returns the
        lever's new total.
        """
        return add_to_lever(self, lever, share)

    @property
    def n_runs(self) -> int:
        """Number of runs ``R``."""
        return int(self.tariffs.shape[0])

    @property
    def n(self) -> int:
        """Number of economies ``N``."""
        return int(self.tariffs.shape[-1])

    def copy(self) -> PolicyState:
        """A deep copy (arrays copied)."""
        def opt(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a.copy()

        # The union steps hold copies of their inputs and write nothing: shared, not copied.
        return PolicyState(
            tariffs=self.tariffs.copy(),
            cost_change=self.cost_change.copy(),
            sharing=opt(self.sharing),
            bloc=opt(self.bloc),
            levers={k: v.copy() for k, v in self.levers.items()},
            preferences=opt(self.preferences),
            unions=self.unions,
            tariffs_before_unions=opt(self.tariffs_before_unions),
            ban_change=opt(self.ban_change),
            bans_lifted={k: v.copy() for k, v in self.bans_lifted.items()},
            writers=dict(self.writers),
        )

    def with_costs(self, cost_change: np.ndarray) -> PolicyState:
        """A deep copy with ``cost_change`` ``(R, N, N)`` in place of the trade-cost change."""
        out = self.copy()
        out.cost_change = cost_change
        return out

    @property
    def tariffs_under_unions(self) -> np.ndarray:
        """The tariffs a customs union's external tariff is set on, ``(R, N, N)``.

        ``tariffs`` without the customs unions applied so far: what an arrangement
        other than a union changes (:meth:`set_tariffs`).
        """
        return self.tariffs if self.tariffs_before_unions is None else self.tariffs_before_unions

    def set_tariffs(self, new: np.ndarray, active: np.ndarray) -> None:
        """Take ``new`` tariffs ``(R, N, N)`` in the runs where ``active`` ``(R,)``.

        ``new`` replaces :attr:`tariffs_under_unions` (compute it from them); the
        customs unions applied so far then set their external tariffs on it again, so a
        union's tariffs do not depend on whether it comes before or after.
        """
        if not self.unions:
            self.tariffs = np.where(active[:, None, None], new, self.tariffs)
            return
        self.tariffs_before_unions = np.where(active[:, None, None], new,
                                              self.tariffs_before_unions)
        tariffs = self.tariffs_before_unions
        for step, on in self.unions:
            tariffs = np.where(on[:, None, None], step(tariffs, self.preferences), tariffs)
        self.tariffs = tariffs

    def add_union(self, step: UnionStep, active: np.ndarray) -> None:
        """Apply a customs union's tariff ``step`` in the ``active`` ``(R,)`` runs.

        The step is kept and applied again whenever a later arrangement changes the
        tariffs under it or grants preferences (:meth:`set_tariffs`), so it always
        sees every preference in force, whatever the scenario's order.
        """
        if self.tariffs_before_unions is None:
            self.tariffs_before_unions = self.tariffs
        self.unions = (*self.unions, (step, active))
        self.tariffs = np.where(active[:, None, None], step(self.tariffs, self.preferences),
                                self.tariffs)

    def lift_ban(self, exporter: int, importer: int, share: np.ndarray,
                 factor: float | np.ndarray) -> None:
        """Lift the ``share`` ``(R,)`` of a ban whose base-year iceberg factor is ``factor``.

        ``factor`` is one number, or ``(R,)`` when the runs' sigmas differ (the same fall
        at each run's elasticity).

        The barrier left at share ``s`` is ``1 + (1 - s)(factor - 1)`` (its ad valorem
        equivalent falls linearly, as a phased tariff does), so ``ban_change`` on the
        pair is multiplied by its ratio to the barrier already left. Two arrangements
        that lift the same ban lift it once, as far as the deeper one goes.
        """
        old = self.bans_lifted.get((exporter, importer))
        before = np.zeros(self.n_runs) if old is None else old
        after = np.maximum(before, share)
        if old is not None and np.array_equal(after, old):
            return

        def left(s: np.ndarray) -> np.ndarray:
            return 1.0 + (1.0 - s) * (factor - 1.0)

        shape = (self.n_runs, self.n, self.n)
        change = np.ones(shape) if self.ban_change is None else self.ban_change.copy()
        change[:, exporter, importer] *= left(after) / left(before)
        self.ban_change = change
        self.bans_lifted[(exporter, importer)] = after

    def grant_preferences(self, participants: np.ndarray, active: np.ndarray) -> None:
        """Record preferences among ``participants`` ``(R, N)`` in the ``active`` runs.

        Call before :meth:`set_tariffs` with the preferential tariffs, so that the
        customs unions applied again there see them.
        """
        on = participants & active[:, None]
        pairs = on[:, :, None] & on[:, None, :]
        self.preferences = pairs if self.preferences is None else self.preferences | pairs

    def share_revenue(self, matrix: np.ndarray, active: np.ndarray) -> None:
        """Compose a sharing matrix ``(R, N, N)`` on top of those already in force.

        Runs where ``active`` is False keep their sharing (identity there). Later
        arrangements apply on top of earlier ones: ``S = M_k @ ... @ M_1``.
        """
        m = np.where(active[:, None, None], matrix, np.eye(self.n))
        self.sharing = m if self.sharing is None else m @ self.sharing

    def claim_bloc(self, participants: np.ndarray, active: np.ndarray) -> None:
        """Make ``participants`` the accounting bloc in active runs that have none yet."""
        if self.bloc is None:
            self.bloc = np.zeros((self.n_runs, self.n), dtype=bool)
        first = active & ~self.bloc.any(axis=1)
        self.bloc = np.where(first[:, None], participants & active[:, None], self.bloc)

    def bloc_or_none(self) -> np.ndarray:
        """The accounting bloc, all False where no bloc is in force."""
        if self.bloc is None:
            return np.zeros((self.n_runs, self.n), dtype=bool)
        return self.bloc


def build_policy(model: SCOModel, exclude: Any = None) -> PolicyState:
    """This year's policy state: baseline plus every arrangement in force.

    Args:
        model: The model (reads ``tau0``, ``cost_change`` and ``arrangements``).
        exclude: An arrangement to leave out (the policy "without it").

    Returns:
        A fresh :class:`PolicyState`.
    """
    policy = baseline_policy(model)
    for arr in model.arrangements:
        if arr is exclude or not arr.in_force.any():
            continue
        apply_checked(arr, policy, arr.participants_in_force(), arr.phase, arr.in_force,
                      R=model.R, N=model.N, where="apply")
    return collect(model, policy)


def collect(model: SCOModel, policy: PolicyState) -> PolicyState:
    """``policy`` with its statutory tariffs times each importer's collection rate.

    The arrangements set statutory rates (a free-trade area's zero, a customs union's
    CET on the statutory rates it replaces); the GE solves the duties collected
    (``parameters.trade.collection_rates``, :mod:`scosim.mechanisms.collection`). Applied
    once, after every arrangement, so that a run without one solves ``model.tau0``
    exactly. ``policy`` itself when no rate is set.
    """
    if getattr(model, "collection", None) is None:
        return policy
    policy.tariffs = model.collected(policy.tariffs).copy()
    if policy.tariffs_before_unions is not None:
        policy.tariffs_before_unions = model.collected(policy.tariffs_before_unions).copy()
    return policy


def baseline_policy(model: SCOModel) -> PolicyState:
    """The year's policy state before any arrangement: its baseline tariffs and costs.

    Its tariffs are statutory (``model.tariffs_base``): :func:`build_policy` applies the
    collection rates once the arrangements have set theirs.

    The pairs of the calibration's agreements that entered into force after the base
    year (``model.agreement_pairs``) are preferences in force, as those of the base year
    are to a customs union (``BlocAware.preferences``): a union keeps them below its
    common external tariff, or overrides them with ``replace_preferences``.
    """
    pairs = getattr(model, "agreement_pairs", None)
    preferences = None if pairs is None else np.broadcast_to(
        pairs, (model.R, model.N, model.N)).copy()
    return PolicyState(tariffs=model.tariffs_base(), cost_change=model.cost_change.copy(),
                       preferences=preferences)


def preview_policy(model: SCOModel, exclude: Any = None, *, costs: bool = False) -> PolicyState:
    """:func:`build_policy` with the levers the slots would write now (for previews).

    Each mechanism, in slot order, adds what :meth:`Mechanism.preview_levers` returns:
    the levers its step would write this year at its current state.

    Args:
        model: The model, before this year's slots have stepped.
        exclude: An arrangement to leave out (the policy "without it").
        costs: Also apply the trade-cost factors the slots' steps would apply
            (:func:`with_slot_costs`).

    Raises:
        PluginError: Two of the scenario's mechanisms preview a lever of the same name, or
            a mechanism previews a lever an arrangement's ``apply`` wrote or one of the
            welfare levers (naming both and the lever; docs/mechanisms.md, "Who writes a
            lever").
    """
    policy = build_policy(model, exclude=exclude)
    for slot, mech in model.mechanisms:
        label = f"mechanism {mech.name!r} ({slot} slot)"
        with blame(f"{label}, preview levers", mech, "preview_levers"):
            levers = mech.preview_levers(model)
        for lever in levers:
            # Refused, not namespaced: a lever is the slots' shared word (the network
            # reads `insecurity` whichever security mechanism writes it), and merged by
            # name the later preview replaced the earlier one's value, or the value a
            # proposal's apply wrote, unseen. Validation refuses the clashes the plug-ins
            # declare (scosim.scenario.levers); this is the backstop for the others.
            check_preview_lever(policy, label, lever, type(mech).writes_levers)
            policy.writers[lever] = (MECHANISM, label)
        policy.levers.update(levers)
    return with_slot_costs(model, policy) if costs else policy


def with_slot_costs(model: SCOModel, policy: PolicyState,
                    skip: tuple[str, ...] = ()) -> PolicyState:
    """``policy`` with the trade-cost factors the slots' steps would apply this year.

    The factors of :meth:`Mechanism.preview_cost_factor`, multiplied in slot order as
    the steps multiply them (security, network, finance), each computed for
    ``policy``'s own levers. A Council preview that solves the trade GE with and
    without a proposal applies them to both sides, so that its gain is the one the
    year's trade step realises when the slots change trade costs (insecurity, routes,
    the dollar channel of sanctions). ``policy`` is left as it is; the result shares
    its arrays except ``cost_change``; with no factor it is ``policy`` itself.

    Args:
        model: The model, before this year's slots have stepped.
        policy: The policy state (arrangements and preview levers).
        skip: Slots whose factors to leave out (a preview that varies them itself).
    """
    cost = policy.cost_change
    for slot, mech in model.mechanisms:
        if slot in skip:
            continue
        label = f"mechanism {mech.name!r} ({slot} slot)"
        with blame(f"{label}, preview cost factor", mech, "preview_cost_factor"):
            before = (id(policy.cost_change), lever_ids(policy))
            factor = mech.preview_cost_factor(model, policy)
            preview_left_alone(policy, before, label, "preview_cost_factor")
        if factor is not None:
            cost = cost * factor
    if cost is policy.cost_change:
        return policy
    return replace(policy, cost_change=cost)


def slot_income(model: SCOModel, policy: PolicyState) -> np.ndarray | None:
    """The net income ``(R, N)``, share of GDP, the slots' steps would add under ``policy``.

    The sum of every filled slot's :meth:`Mechanism.preview_income` (income written to
    ``levers["welfare_income_share"]`` less costs written to ``levers["welfare_cost_share"]``),
    or None when no mechanism gives one. A preview adds to it the income the arrangements'
    ``apply`` left in the same levers (:func:`preview_net_income`).

    Raises:
        TypeError: A mechanism's answer is not a finite ``(R, N)`` array (named by blame).
    """
    total: np.ndarray | None = None
    for slot, mech in model.mechanisms:
        label = f"mechanism {mech.name!r} ({slot} slot)"
        with blame(f"{label}, preview income", mech, "preview_income"):
            before = (id(policy.cost_change), lever_ids(policy))
            part = mech.preview_income(model, policy)
            preview_left_alone(policy, before, label, "preview_income")
            if part is None:
                continue
            part = np.asarray(part, dtype=float)
            if part.shape != (model.R, model.N) or not np.isfinite(part).all():
                raise TypeError(f"preview_income must return None or a finite array of shape "
                                f"({model.R}, {model.N}) (runs x economies, share of GDP), got "
                                f"shape {part.shape}")
        total = part if total is None else total + part
    return total


def lever_income(policy: PolicyState) -> np.ndarray | None:
    """The net income ``(R, N)``, share of GDP, already in ``policy``'s welfare levers.

    ``levers["welfare_income_share"]`` less ``levers["welfare_cost_share"]`` as the
    arrangements' :meth:`~scosim.proposals.base.ProposalType.apply` left them (a plug-in
    type's income outside the trade GE), or None when neither is there. The trade step
    counts these levers with whatever the slots add to them, so a preview counts them too
    (:func:`preview_net_income`), or states would vote without the income a proposal's
    ``apply`` writes.
    """
    cost = policy.levers.get("welfare_cost_share")
    income = policy.levers.get("welfare_income_share")
    if cost is None and income is None:
        return None
    # The trade step's arithmetic, term for term (builtin_mechanisms.TradeMechanism.step).
    net = np.zeros(np.shape(income if cost is None else cost))
    if cost is not None:
        net = net - cost
    if income is not None:
        net = net + income
    return net


def preview_net_income(model: SCOModel, policy: PolicyState) -> np.ndarray | None:
    """The net income ``(R, N)``, share of GDP, the year's trade step would count under ``policy``.

    What the arrangements wrote into the welfare levers (:func:`lever_income`) plus what
    the slots' steps would add (:func:`slot_income`); None when there is neither.
    """
    levers = lever_income(policy)
    slots = slot_income(model, policy)
    if levers is None or slots is None:
        return slots if levers is None else levers
    return levers + slots
