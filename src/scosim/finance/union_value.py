"""What joining a banking union is worth to each member: an expected value, priced as insurance.

A banking union's Council vote scores each member's expected net value of the union over
its first :data:`HORIZON_YEARS` years in force, from the stand-alone crisis ensemble
(:func:`scosim.finance.ensemble.simulate`): :data:`DRAWS` draws of the calibrated GDP and
bank shocks, each run twice with the same draws, without the union and with it. Money is
discounted at :data:`RATE` to the tabling year and spread evenly over the horizon (the level
yearly amount with the same present value), a yearly figure as the other proposal types'
gains are; the preview divides it by the base-year GDP the balance sheets are built on.

For a member ``i``, with ``E`` the mean over draws of the discounted sum over the horizon:

    value_i = E[fiscal cost without - fiscal cost with] - E[contributions_i]
            = (fiscal saving_i - fund paid for i_i) - (contributions_i - fund paid for i_i)

The first term is the treasury money the union saves (``fiscal_cost``, gross, as the record
counts it), which includes what the fund pays for the member's own systems whichever
compartment it comes from; the second is what the member's banks pay in. Written the second
way: the saving beyond the fund's payments, less the member's *net* payments into the fund
(paid in less received; summed over members, the fund's balance change: money is conserved).
A large contributor with safe banks pays in and seldom draws; a member with fragile banks
draws more than it pays in. With no crisis the value is minus the contributions.

Assumptions (docs/finance.md, "What the union is worth to each member"):

* contributions count as a cost when paid; the balance left in the fund at the horizon is
  not credited back (a fully pooled fund is not returned to a member, and no member may
  leave the union), nor is the cover it gives after the horizon: the two are of the same
  order, and the answer reports the discounted balance (``fund_left``) as the sensitivity;
* the vote's ensemble starts from the run's balance sheets as the summit finds them
  (:func:`preview_union`: capital after earlier shocks, failures and recapitalisations,
  frozen claims still parked); in the first year, before any finance step, those are the
  calibrated ones. Until 2026-12-07 it started from the calibrated ones in every run and
  year. A crisis the scenario stages (its ``gdp_shock`` and ``sanctions`` events) enters
  the vote only if it is known at the summit: staged in the vote's year or before (the
  year's events come before the summit, :func:`scosim.model.phases.tick`). Those of
  earlier years are in the run's balance sheets already; those of the vote's year are
  replayed, with the years to the union's entry into force, without the union, the known
  events in their years and no other shock (an assumption: the summit cannot know the
  year's other shocks), and the union's years in force are priced from the balance sheets
  that leaves (a failed system recapitalised to 4.5 % of assets, not its calibrated
  capital; frozen claims still parked) on the same draws as without a crisis: the union
  is reassessed with the crisis in the record. A crisis staged after the vote is not
  foreseeable and is not in the vote; it is in the union's *realised* value
  (:func:`realised_union_value`), the same measure from the calibrated balance sheets
  with every staged event, which the answer reports beside the vote's
  (``tools/union_value.py``, which starts where the vote does, from a run's balance sheets
  at the summit, or with ``--calibrated`` from the calibrated ones);
* the GDP shocks have the calibrated volatility (scale 1), at which that frequency was fitted.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from scosim.finance.contagion import ExternalAssetsShortfall
from scosim.finance.ensemble import simulate_from
from scosim.finance.rows import same_rows
from scosim.finance.system import FinanceState, FinanceSystem, Levers
from scosim.model.rng import stream
from scosim.network.finance import COST_OF_FUNDS
from scosim.plugins import PluginError

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

__all__ = ["DRAWS", "HORIZON_YEARS", "RATE", "StagedEvents", "UnionValue", "preview_seed",
           "preview_union", "realised_union_value", "staged_events", "union_value"]

FloatArray = NDArray[np.float64]

#: Years of the union in force that the vote prices. An assumption (the reviewer's five):
#: at 10 years the members' values move as the contributions' spread over more years does
#: (docs/finance.md gives both).
HORIZON_YEARS = 5
#: Draws of the ensemble. An assumption: the Monte Carlo error of each member's value is
#: reported (``value_se``); 200 keeps each run's preview to about 0.1 s of CPU
#: (docs/finance.md section 10, "What the vote's preview costs").
DRAWS = 200
#: The rate money flows are discounted at: the members' cost of funds, the rate a
#: corridor's money flows are valued at (OECD-DAC's 7 % for a lower-middle-income country;
#: :data:`scosim.network.finance.COST_OF_FUNDS`, docs/network.md).
RATE = COST_OF_FUNDS


@dataclass(frozen=True)
class UnionValue:
    """Each member's expected value of a banking union, ``(N,)`` level yearly US$.

    Every field is the mean over draws of the discounted sum over the horizon, divided by
    the sum of the discount factors (a level yearly amount with the same present value).

    Attributes:
        fiscal_saving: Treasury money saved (gross fiscal cost without less with).
        contribution: The banks' contributions to the fund.
        fund_paid: What the fund paid for the economy's systems (from any compartment).
        net_paid_in: ``contribution - fund_paid``: paid in less received.
        fund_transfer: What its compartment paid for others' systems less theirs for it.
        fund_change: Its compartment's yearly changes (discounted and spread as the rest):
            summed over economies, ``net_paid_in``'s sum (money is conserved).
        fund_left: Its compartment at the horizon's end, discounted and spread likewise:
            what crediting the balance back would add (the sensitivity of the value).
        value: ``fiscal_saving - contribution``.
        value_se: Monte Carlo standard error of ``value`` over the draws.
        value_draws: ``(draws, N)`` each draw's value, for paired comparisons of two
            valuations with the same seed.
    """

    fiscal_saving: FloatArray
    contribution: FloatArray
    fund_paid: FloatArray
    net_paid_in: FloatArray
    fund_transfer: FloatArray
    fund_change: FloatArray
    fund_left: FloatArray
    value: FloatArray
    value_se: FloatArray
    value_draws: FloatArray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))


@dataclass(frozen=True)
class StagedEvents:
    """A scenario's staged crisis as the finance ensemble takes it.

    Attributes:
        vote_year: The year of the vote (the union enters into force ``lag`` years later).
        gdp_shocks: ``{year: {code: log shock}}``, ``log(1 + size)`` of each ``gdp_shock``
            event, as the events phase adds it to the run's GDP shocks.
        sanctions: ``{year: [(target, by, severity), ...]}`` of the ``sanctions`` events.
    """

    vote_year: int
    gdp_shocks: Mapping[int, Mapping[str, float]]
    sanctions: Mapping[int, Sequence[tuple[str, str, float]]]

    @property
    def empty(self) -> bool:
        """Whether no event is staged."""
        return not self.gdp_shocks and not self.sanctions

    @property
    def first_year(self) -> int:
        """The first year with an event (the vote year if there is none)."""
        return min([*self.gdp_shocks, *self.sanctions], default=self.vote_year)


def staged_events(events: Iterable[Any], vote_year: int, *, known_only: bool) -> StagedEvents:
    """The ``gdp_shock`` and ``sanctions`` events of a scenario, for the union's valuation.

    Args:
        events: The scenario's events (other types are ignored: they move no bank).
        vote_year: The year of the vote.
        known_only: Keep only events staged in the vote's year or before: the vote's
            valuation. The events phase comes before the summit in a year
            (:func:`scosim.model.phases.tick`), so the vote year's events are known to
            the voters; later ones are not foreseeable. False keeps them all: the
            union's realised value.

    Returns:
        The events, by year.
    """
    shocks: dict[int, dict[str, float]] = {}
    sanctions: dict[int, list[tuple[str, str, float]]] = {}
    for ev in events:
        year = int(ev.year)
        if known_only and year > vote_year:
            continue
        if ev.type == "gdp_shock":
            row = shocks.setdefault(year, {})
            for code in ev.countries:
                row[code] = row.get(code, 0.0) + float(np.log1p(ev.size))
        elif ev.type == "sanctions":
            sanctions.setdefault(year, []).append((ev.target, ev.by, float(ev.severity)))
    return StagedEvents(vote_year, shocks, sanctions)


def _repeat(state: FinanceState, n: int) -> FinanceState:
    """One run's state (first axes of length 1) repeated ``n`` times, for ``n`` draws."""
    return FinanceState(**{f.name: None if (x := getattr(state, f.name)) is None
                           else np.repeat(np.asarray(x, dtype=float)[:1], n, axis=0)
                           for f in fields(FinanceState)})


def _run_state(state: FinanceState, r: int) -> FinanceState:
    """Row ``r`` of a batch's state, each array with a first axis of length 1."""
    return FinanceState(**{f.name: None if (x := getattr(state, f.name)) is None
                           else np.asarray(x, dtype=float)[r:r + 1]
                           for f in fields(FinanceState)})


def _state_key(state: FinanceState) -> bytes:
    """A digest of one run's state: runs on the same balance sheets share an ensemble."""
    h = hashlib.sha256()
    for f in fields(FinanceState):
        x = getattr(state, f.name)
        h.update(b"-" if x is None else np.ascontiguousarray(x).tobytes())
    return h.digest()


def _first(levers: Levers) -> Levers:
    """The first run's levers (every array's first axis of length 1)."""
    return replace(levers, **{f.name: getattr(levers, f.name)[:1] for f in fields(Levers)
                              if isinstance(getattr(levers, f.name), np.ndarray)})


def _same_levers(levers: Levers) -> bool:
    """Whether every run has the same levers (every array's rows equal)."""
    return same_rows(*(x for f in fields(Levers)
                       if isinstance(x := getattr(levers, f.name), np.ndarray)))


def _since(events: StagedEvents, year: int) -> StagedEvents:
    """The events of ``year`` and later: earlier ones are in the run's balance sheets."""
    return StagedEvents(events.vote_year,
                        {y: v for y, v in events.gdp_shocks.items() if y >= year},
                        {y: v for y, v in events.sanctions.items() if y >= year})


def preview_seed(seed: int, pid: str) -> int:
    """The ensemble's seed: fixed by the scenario's seed and the proposal's id.

    Its own stream, so it shares no draws with the runs' ``finance`` streams and the same
    scenario and seed give the same value on any machine.
    """
    return int(stream(seed, 0, f"finance:union_value:{pid}").integers(2**31 - 1))


def _discount(rate: float, lag: int, horizon: int) -> FloatArray:
    """Discount factors ``(1 + rate) ** -(lag + t)``, ``t = 0..horizon-1``, by division.

    One correctly rounded division a year, in order: numpy's ``power`` on CPUs with
    AVX-512 rounds some factors differently in the last bit (1.07 ** -1 among them), and
    that bit reached every draw of the vote's term. The factors differ from ``pow``'s by
    at most a few units in the last place (about 1e-15 of the value).
    """
    out, d = np.empty(horizon), 1.0
    for _ in range(lag):
        d /= 1.0 + rate
    for t in range(horizon):
        out[t] = d
        d /= 1.0 + rate
    return out


def union_value(
    fs: FinanceSystem,
    without: Callable[[int], Levers],
    with_: Callable[[int], Levers],
    *,
    seed: int,
    lag: int = 1,
    horizon: int = HORIZON_YEARS,
    draws: int = DRAWS,
    rate: float = RATE,
    events: StagedEvents | None = None,
    state: FinanceState | None = None,
) -> UnionValue:
    """Each economy's expected value of a union over its first ``horizon`` years in force.

    Args:
        fs: The banking systems (tables and parameters).
        without: ``without(R)``: the levers without the union, for ``R`` runs.
        with_: ``with_(R)``: the levers with it.
        seed: The ensemble's seed (:func:`preview_seed`).
        lag: Years from the vote to the union's entry into force: the first year is
            discounted ``lag`` years (at 0, not at all).
        horizon: Years in force priced (>= 1).
        draws: Runs of the ensemble (>= 2).
        rate: Discount rate of the money flows (> -1).
        events: Staged events the valuation knows of (:func:`staged_events`), with the
            vote's year. None or no events: the ensemble is the union's years in force
            alone, from the calibrated balance sheets. Otherwise the years from the first
            event to entry into force (the vote year plus ``lag``) are run first, without
            the union, with the events and no other shock, and the years in force start
            from the state they leave, with the same draws as without events; events in
            the years in force (the realised value's) are added in their years.
        state: The balance sheets the union is tabled on: one run's state (every array's
            first axis of length 1), which every draw starts from; None: the calibrated
            ones. With a run's state, ``events`` should hold only what is not in it yet
            (the vote year's events: the year's finance step comes after its summit).

    Returns:
        The :class:`UnionValue` of every economy (0 for one outside the union but for
        what the union changes for it through contagion).

    Raises:
        ValueError: On a horizon below 1, fewer than 2 draws or a rate of -1 or less.
    """
    if horizon < 1 or draws < 2 or rate <= -1 or lag < 0:
        raise ValueError(f"union value needs horizon >= 1, draws >= 2, rate > -1 and lag "
                         f">= 0; got {horizon}, {draws}, {rate}, {lag}")
    lev = {"without": without(draws), "with": with_(draws)}
    start = None if state is None else _repeat(state, draws)
    if events is None or events.empty:
        # No staged event: the years in force alone (labels 0..horizon-1).
        years, shocks, sanctions = list(range(horizon)), None, None
    else:
        entry = events.vote_year + lag
        years = list(range(entry, entry + horizon))
        shocks, sanctions = events.gdp_shocks, events.sanctions
        if events.first_year < entry:
            # The record before entry into force, without the union: the known events and
            # no other shock, so every draw starts the years in force from the same
            # balance sheets, and those years get the same draws as with no event: the
            # difference is the crisis's, not the seed's.
            # Nothing is drawn (the draws are multiplied by 0) and every draw starts from
            # the same balance sheets with the same levers, so every draw replays the same
            # record: it is stepped once and repeated, the same bits as stepping every
            # draw (the step works draw by draw; tests/test_finance_rows.py compares the
            # two). Levers that differ between draws are replayed draw by draw.
            alike = _same_levers(lev["without"])
            n, one, first = (draws, lev["without"], start)
            if alike:
                n, one = 1, _first(one)
                first = None if start is None else _run_state(start, 0)
            try:
                _, start = simulate_from(
                    fs, list(range(events.first_year, entry)), n, seed=seed,
                    gdp_shocks=shocks, sanctions=sanctions, levers=lambda _y, _r: one,
                    drawn=False, state=first)
            except ExternalAssetsShortfall as exc:
                exc.when = f"the replayed year {exc.year} (staged events only)"
                raise
            if alike:
                start = _repeat(start, draws)
    # One ensemble each, the same seed: the two share every draw (common random numbers).
    out = {}
    for k, v in lev.items():
        try:
            out[k] = simulate_from(fs, years, draws, seed=seed, gdp_shocks=shocks,
                                   sanctions=sanctions, levers=lambda _y, _r, v=v: v,
                                   state=start)[0]
        except ExternalAssetsShortfall as exc:
            # Without staged events the years are labelled 0..horizon-1.
            nth = years.index(exc.year) + 1 if exc.year in years else None
            exc.when = (f"draw {exc.row} of the ensemble, the union's year {nth} in force "
                        f"({k} the union)")
            raise
    disc = _discount(rate, lag, horizon)
    spread = math.fsum(disc)

    def per_draw(x: FloatArray) -> FloatArray:
        """(R, T, N) -> (R, N): the discounted sum over the horizon, spread evenly."""
        # Year by year in a fixed order (no BLAS): the same sums on any machine.
        acc = np.zeros((x.shape[0], x.shape[2]))
        for t in range(x.shape[1]):
            acc += x[:, t, :] * disc[t]
        return acc / spread

    w = out["with"]
    saving = per_draw(out["without"]["fiscal_cost"] - w["fiscal_cost"])
    contribution = per_draw(w["fund_contribution"])
    paid = per_draw(w["fund_payout"])
    value = saving - contribution
    # Each compartment's yearly change (the fund starts empty), discounted as the flows.
    balance = w["fund_balance"]
    change = np.diff(balance, axis=1, prepend=0.0)
    return UnionValue(
        fiscal_saving=saving.mean(axis=0),
        contribution=contribution.mean(axis=0),
        fund_paid=paid.mean(axis=0),
        net_paid_in=(contribution - paid).mean(axis=0),
        fund_transfer=per_draw(w["fund_net_transfer"]).mean(axis=0),
        fund_change=per_draw(change).mean(axis=0),
        fund_left=(balance[:, -1, :] * disc[-1] / spread).mean(axis=0),
        value=value.mean(axis=0),
        value_se=value.std(axis=0, ddof=1) / np.sqrt(draws),
        value_draws=value,
    )


def realised_union_value(
    fs: FinanceSystem,
    without: Callable[[int], Levers],
    with_: Callable[[int], Levers],
    events: Iterable[Any],
    vote_year: int,
    **kw: Any,
) -> UnionValue:
    """The union's realised value: :func:`union_value` with every staged event.

    The vote prices what the summit can know (:func:`staged_events` with ``known_only``);
    a crisis staged after the vote is not in it, but it happened in the scenario, so the
    answer reports the union's value with it beside the vote's.

    Args:
        fs: The banking systems.
        without: The levers without the union.
        with_: The levers with it.
        events: The scenario's events.
        vote_year: The year of the vote.
        **kw: :func:`union_value`'s other arguments (seed, lag, horizon, draws, rate).

    Returns:
        The :class:`UnionValue` with every staged event in its year.
    """
    return union_value(fs, without, with_,
                       events=staged_events(events, vote_year, known_only=False), **kw)


def preview_union(arr: Any, model: SCOModel, mech: Any,
                  participants: np.ndarray) -> tuple[FloatArray, dict[str, FloatArray]]:
    """The vote's economic term of a banking union: each member's expected value, ``(R, N)``.

    :func:`union_value` from each run's balance sheets as the run has left them at the
    summit (``mech.state``: capital after earlier shocks, failures and recapitalisations,
    claims still parked), for its set of participants, as a fraction of the base-year GDP
    the balance sheets are built on (``mech.base_gdp``), a yearly figure as a trade gain
    is. Events staged before the vote's year are in those balance sheets already; the
    vote year's are known to the summit but not yet in them (the year's finance step
    comes after it), so the ensemble replays them (:func:`staged_events`). Runs on the
    same balance sheets and set share one ensemble: in the first year, when every run is
    on the calibrated ones, one for the batch; later, one per run (about 0.1 s of CPU
    each at the default draws, docs/finance.md section 10). A finance plug-in without a
    ``state`` is priced from the calibrated balance sheets with every known event, as
    before 2026-12-07.

    Args:
        arr: The :class:`scosim.finance.proposals.BankingUnion` being voted on.
        model: The model (its scenario's seed and the Council's ratification lag).
        mech: The finance slot's ``banking_systems`` (its ``fs``, ``levers``, ``state``
            and ``base_gdp``).
        participants: ``(R, N)`` the participants previewed.

    Returns:
        ``(gain, info)``: the value, and its parts for vote rules (``ctx.preview``).

    Raises:
        ValueError: When the ensemble cannot step the balance sheets (e.g. an
            :class:`ExternalAssetsShortfall`), naming the run, the seed and the year.
    """
    from scosim.finance.mechanism import run_year
    from scosim.model.phase_in import ratification_lag
    from scosim.model.policy_check import apply_checked

    lag = ratification_lag(model, arr)
    year = int(model.year)
    # Kept for the vote's year only: later the balance sheets have moved on.
    store: dict[str, Any] = arr.__dict__.setdefault("_union_values", {})
    if store.get("year") != year:
        store.clear()
        store["year"] = year
    cache: dict[tuple[Any, ...], UnionValue] = store.setdefault("values", {})
    seed = preview_seed(int(model.scenario.seed), arr.pid)
    # What the summit knows: the events staged up to and including the vote's year.
    known = staged_events(model.scenario.events, year, known_only=True)
    state = getattr(mech, "state", None)
    if state is not None:
        known = _since(known, year)
    history = None if known.empty else repr(known)
    R, N = participants.shape

    def levers(policy_levers: dict[str, np.ndarray], runs: int) -> Levers:
        return mech.levers(SimpleNamespace(levers=policy_levers), runs)

    groups: dict[tuple[bytes, bytes], list[int]] = {}
    for r in range(R):
        skey = b"" if state is None else _state_key(_run_state(state, r))
        groups.setdefault((participants[r].tobytes(), skey), []).append(r)
    parts = {k: np.zeros((R, N)) for k in _INFO}
    for (pkey, skey), runs in groups.items():
        key = (lag, pkey, skey, history)
        if key not in cache:
            row = participants[runs[0]]

            def with_(n: int, row: np.ndarray = row) -> Levers:
                # The union is priced on the finance levers alone: apply gets a state of
                # levers only, checked as every apply is (levers_only: no tariffs to check).
                pol = SimpleNamespace(levers={}, writers={})
                apply_checked(arr, pol, np.broadcast_to(row, (n, N)).copy(), np.ones(n),
                              np.ones(n, dtype=bool), R=n, N=N, levers_only=True,
                              where="apply for its value to the members (union_value)")
                return levers(pol.levers, n)

            try:
                cache[key] = union_value(
                    mech.fs, lambda n: levers({}, n), with_, seed=seed, lag=lag,
                    events=known, state=None if state is None else _run_state(state, runs[0]))
            except PluginError:
                raise  # a plug-in's own error names it already (apply_checked's note)
            except ValueError as exc:
                raise ValueError(_preview_error(exc, run_year(model, runs[0], year),
                                                arr.pid, len(runs))) from None
        for k, name in _INFO.items():
            parts[k][runs] = getattr(cache[key], name)
    base = np.asarray(mech.base_gdp, dtype=float)
    info = {k: v / base for k, v in parts.items()}
    return info["union_value_share_gdp"].copy(), info


def _preview_error(exc: ValueError, where: str, pid: str, runs: int) -> str:
    """An error of the vote's ensemble, naming the run, seed and year it was priced for."""
    others = (f" and the {runs - 1} other run{'s' * (runs > 2)} on the same balance sheets"
              if runs > 1 else "")
    what = f"the vote's preview of banking union {pid!r}{others}"
    if isinstance(exc, ExternalAssetsShortfall):
        return exc.located(f"{where}: {what}" + (f", {exc.when}" if exc.when else ""))
    return f"{exc} [{where}: {what}]"


#: ``ctx.preview`` name -> :class:`UnionValue` field (each a fraction of base-year GDP).
_INFO: dict[str, str] = {
    "union_value_share_gdp": "value",
    "union_value_se_share_gdp": "value_se",
    "fiscal_saving_share_gdp": "fiscal_saving",
    "union_contribution_share_gdp": "contribution",
    "union_net_paid_in_share_gdp": "net_paid_in",
}
