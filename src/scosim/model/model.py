"""SCOModel: the mesa model that wires calibration, agents and mechanisms.

The model steps a *batch* of runs in lockstep: every state array has a leading
run axis ``R`` (``(R, N)`` vectors, ``(R, N, N)`` matrices). Mechanisms are pure
array functions (``scosim.mechanisms``); ``State`` agents decide through rules.
The order of a year's phases is written once, in :func:`scosim.model.phases.tick`.
The trade baseline and the GE solves are :class:`scosim.model.trade_solves.TradeSolves`,
which the model inherits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim._mesa import load_mesa
from scosim.data import load_calibration
from scosim.data.calibration import derived, read_only
from scosim.data.cet_inputs import cet_inputs
from scosim.data.suspension import SUSPENSION_SIGMA
from scosim.data.tariff_kinds import rates_without_measure
from scosim.mechanisms.collection import (
    collected,
    collection_factors,
    collection_per_run,
    collection_vector,
)
from scosim.mechanisms.deficit_purge import purged_baseline
from scosim.mechanisms.suspensions import duty_pairs, restate_per_run
from scosim.mechanisms.voting import TRUST_NEUTRAL
from scosim.model.agents import State
from scosim.model.dated_agreements import EVENT_FIELDS as AGREEMENT_FIELDS
from scosim.model.dated_agreements import dated_agreements
from scosim.model.events import EventLog
from scosim.model.policy import PolicyState, build_policy
from scosim.model.rng import RunStreams
from scosim.model.slots import Mechanism, filled, get_mechanism, plan
from scosim.model.trade_solves import TradeSolves
from scosim.model.weight_draw import drawn_parameters
from scosim.plugins import blame
from scosim.proposals import get_type

if TYPE_CHECKING:
    from scosim.proposals.base import ProposalType

mesa = load_mesa()  # mesa without its unused submodules' imports (see scosim._mesa)

#: Integer status codes used in the ``status`` array.
STATUS_CODES: dict[str, int] = {"row": -1, "other": 0, "partner": 1, "observer": 2, "member": 3}

#: Initial trust (row trusts column), see docs/model.md. Members share an
#: organisation (0.7); members and associated states (0.6); otherwise 0.5 (neutral).
TRUST_MEMBERS = 0.7
TRUST_ASSOCIATED = 0.6

#: Pairs with recent armed clashes or standing disputes named in the seeds and
#: MODEL.md section 7; both directions start at ``TRUST_RIVALS``.
RIVAL_PAIRS: tuple[tuple[str, str], ...] = (
    ("IND", "PAK"),
    ("IND", "CHN"),
    ("KGZ", "TJK"),
    ("ARM", "AZE"),
    ("AFG", "PAK"),
)
TRUST_RIVALS = 0.3


class SCOModel(TradeSolves, mesa.Model):
    """Agent-based model of SCO policy scenarios over a batch of runs.

    Args:
        scenario: A validated :class:`scosim.scenario.Scenario`.
        runs: Run indices of this batch (default ``range(replications)``). Random
            streams are keyed by (seed, run, mechanism), so a run's numbers do not
            depend on which batch it is in.
        params: Per-run parameter values for sweeps, ``{"dotted.name": (R,) array}``.
            Supported: ``parameters.trade.sigma``, ``parameters.council.vote_noise``,
            ``parameters.growth.volatility_scale``, ``parameters.weights.<term>``.
        calibration: Calibration object (default: the packaged tables).
    """

    def __init__(
        self,
        scenario: Any,
        *,
        runs: np.ndarray | list[int] | tuple[int, ...] | None = None,
        params: dict[str, np.ndarray] | None = None,
        calibration: Any | None = None,
    ) -> None:
        super().__init__(seed=scenario.seed)
        self.scenario = scenario
        self.cal = calibration if calibration is not None else load_calibration()
        self.codes: tuple[str, ...] = tuple(self.cal.countries.index)
        self.N = len(self.codes)
        self.run_ids = np.asarray(
            range(scenario.replications) if runs is None else runs, dtype=np.int64
        )
        self.R = int(self.run_ids.size)
        if self.R == 0:
            raise ValueError("a batch needs at least one run")
        self.params = {k: np.asarray(v, dtype=float) for k, v in (params or {}).items()}
        # parameters.weights.draw: each run's political weights and vote noise drawn from
        # the hindcasts' confidence set (empty otherwise); a swept value takes precedence.
        self.drawn = drawn_parameters(scenario, self.run_ids)
        for k, v in self.params.items():
            if v.shape != (self.R,):
                raise ValueError(f"params[{k!r}] has shape {v.shape}; expected ({self.R},)")
        self.years = list(range(scenario.years.start, scenario.years.end + 1))
        self.year = self.years[0]
        self.log = EventLog(self.run_ids)
        self._init_sigma()
        self._init_data()
        # Agreements entering into force after the base year, applied to the baseline
        # from their year (scosim.model.dated_agreements); tau_base and flows_base keep the
        # bundled rates and the flows at them, from which each year's baseline is solved.
        self.tau_base = self.tau_stat
        self.flows_base = self.flows0
        # The (entry year, adjustment share) steps the baseline flows were solved with.
        self.agreement_clock: tuple[tuple[int, float], ...] = ()
        self.dated_agreements = dated_agreements(self.cal, tuple(self.codes), self.years[-1])
        self.agreement_pairs: np.ndarray | None = None
        self.log.declare(AGREEMENT_FIELDS, "trade agreements in force")
        self._init_parameters()
        self._init_state()
        self._init_agents()
        types = [get_type(p.type) for p in scenario.proposals]
        # Slot order, then each slot's list order (scosim.model.slots.filled).
        mechanisms = [(slot, get_mechanism(name)) for slot, name
                      in filled(dict(plan(dict(scenario.parameters.mechanisms))))]
        # The events table's columns follow from the scenario alone (core fields and
        # those its proposal types and mechanisms declare), so every batch has them.
        for cls in [*types, *(m for _, m in mechanisms)]:
            self.log.declare(cls.event_fields, cls.name)
        self.arrangements: list[ProposalType] = []
        for t, p in zip(types, scenario.proposals, strict=True):
            with blame(f"proposal type {t.name!r} (proposal {p.id!r}), set-up", t):
                self.arrangements.append(t(self, p))
        self.mechanisms: list[tuple[str, Mechanism]] = []
        for slot, m in mechanisms:
            with blame(f"mechanism {m.name!r} ({slot} slot), set-up", m, "setup"):
                self.mechanisms.append((slot, m(self)))
        self.policy: PolicyState = build_policy(self)
        self.records: dict[str, list[np.ndarray]] = {}

    # ------------------------------------------------------------------ setup
    def _init_data(self) -> None:
        c = self.cal.countries
        self.gdp0 = c["gdp_usd"].to_numpy(dtype=float)
        self.population = c["population"].to_numpy(dtype=float)
        # The CET rules' rates: one kind for every economy (MFN, trade-weighted), not
        # tariff_mfn, which mixes simple and applied means (scosim.data.cet_inputs).
        self.mfn_inputs = cet_inputs(self.cal, list(self.codes))
        self.mfn = self.mfn_inputs.rates
        trade, tau = derived(
            self.cal, ("trade_and_tariffs", tuple(self.codes)), self._trade_and_tariffs)
        trade = trade.copy()
        # The India-Pakistan suspension's equivalents re-stated at each run's own sigma,
        # so that lifting it restores the same (observed) trade in every run. India's duty
        # stays a tariff; Pakistan's ban on Indian goods earns no revenue: its cell
        # becomes the rate without the ban the data read from the agreement in force
        # (SAFTA's zero) and the barrier an iceberg cost of the same fall, which an
        # arrangement lifting the suspension removes (scosim.mechanisms.suspensions).
        # tau0, flows0, expenditure0 and ban_factor are (R, N, N) / (R, N) only when the
        # runs' sigmas differ and the data record a suspension; (N, N) / (N,) otherwise.
        under = rates_without_measure(self.cal.tariff_kinds, list(self.codes))
        self.tau_stat, ban = restate_per_run(tau, self.cal.provenance, list(self.codes),
                                             self.sigma, under)
        self.ban_factor = read_only(ban)
        # tau_stat: the statutory rates the arrangements work on; tau0: those the GE
        # solves, each importer's statutory rates times its collection rate (the same
        # array when none is set; scosim.mechanisms.collection).
        self._init_collection()
        self.tau0 = self.collected(self.tau_stat)
        # The data are CIF values before duties; the GE model wants flows at the
        # importer's tariff-inclusive prices (MODEL.md section 2).
        self.flows0 = trade * (1.0 + self.tau0)
        if self.scenario.parameters.trade.baseline == "fitted":
            # Structural gravity with PPML-estimated costs, margins matched to the
            # data's (tariff-inclusive) output and expenditure (docs/trade.md). One fit,
            # whatever the runs' sigmas (a run's numbers do not depend on its batch, nor
            # a sweep point on the file's sigma): on the margins at the packaged
            # suspension (sigma 5); a run at another sigma re-prices India's duty on the
            # fitted CIF flow.
            # At the scenario's collection rates, not a run's draw: one fit for all runs.
            ref = collected(restate_per_run(tau, self.cal.provenance, list(self.codes),
                                            np.array([SUSPENSION_SIGMA]), under)[0],
                            self._collection_ref)
            fitted = fitted_flows(self.cal, trade * (1.0 + ref))
            trade = fitted / (1.0 + ref)
            self.flows0 = np.where(self.tau0 == ref, fitted, trade * (1.0 + self.tau0))
        if self.scenario.parameters.trade.deficits == "purged":
            # The balanced world (every deficit zero, tariffs unchanged) at each run's sigma
            # is the base year: counterfactuals then measure policy, not the value of a
            # fixed transfer (docs/trade.md). The CET's and Art. XXIV's weights stay the
            # data's imports (trade_cif0, below).
            self.flows0 = purged_baseline(self.flows0, self.tau0, self.sigma)
        self.trade_cif0 = trade
        offdiag = ~np.eye(self.N, dtype=bool)
        self.imports0 = np.where(offdiag, trade, 0.0).sum(axis=0)
        self.exports0 = np.where(offdiag, trade, 0.0).sum(axis=1)
        self.expenditure0 = self.flows0.sum(axis=-2)
        self.trend = c["gdp_growth_trend"].to_numpy(dtype=float)
        self.vol = c["gdp_growth_sd"].to_numpy(dtype=float)

    def _trade_and_tariffs(self) -> tuple[np.ndarray, np.ndarray]:
        """The calibration's trade (CIF) and tariff matrices of this model's economies."""
        codes = list(self.codes)
        return (read_only(self.cal.trade.loc[codes, codes].to_numpy(dtype=float)),
                read_only(self.cal.tariffs.loc[codes, codes].to_numpy(dtype=float)))

    def _param(self, name: str, default: float) -> np.ndarray:
        """Per-run value of a parameter: a sweep's, else a draw's, else the scenario's."""
        if name in self.params:
            return self.params[name]
        if name in self.drawn:
            return self.drawn[name]
        return np.full(self.R, float(default))

    def _init_collection(self) -> None:
        """Each tariff cell's collection factor, ``collection`` (None: every rate 1).

        Each importer's rate in each run (the scenario's, drawn around it, or a sweep's)
        over its exporters, 1 on a suspension imposed as a duty
        (:mod:`scosim.mechanisms.collection`); ``_collection_ref`` the same at the
        scenario's rates, for the fitted baseline's one fit.
        """
        t = self.scenario.parameters.trade
        exempt = duty_pairs(self.cal.provenance, list(self.codes))
        self.collection = collection_factors(collection_per_run(
            t.collection_rates, t.collection_rate_spread, self.codes, self.params,
            self.scenario.seed, self.run_ids), exempt)
        self._collection_ref = collection_factors(
            collection_vector(t.collection_rates, self.codes), exempt)

    def _init_sigma(self) -> None:
        """Each run's elasticity ``sigma`` ``(R,)``: swept, or drawn around the scenario's.

        Set before the data: the suspension's equivalents are re-stated at it.
        """
        p = self.scenario.parameters
        sigma = self._param("parameters.trade.sigma", p.trade.sigma)
        # A swept sigma is the experiment's own value: no extra per-run spread on top.
        spread = 0.0 if "parameters.trade.sigma" in self.params else float(p.trade.sigma_spread)
        if spread > 0:
            u = RunStreams(self.scenario.seed, self.run_ids, "trade").uniform()
            sigma = sigma - spread + 2.0 * spread * u
        if np.any(sigma <= 1.0):
            raise ValueError("trade elasticity sigma must stay > 1 in every run")
        self.sigma = sigma

    def _init_parameters(self) -> None:
        p = self.scenario.parameters
        self.vote_noise = self._param("parameters.council.vote_noise", p.council.vote_noise)
        self.calibrated_trend = self.trend.copy()
        T = len(self.years)
        # Draw every year's shocks up front: one call per run keeps runs independent
        # of batching and is far cheaper than a call per run per year.
        self.growth_z = RunStreams(self.scenario.seed, self.run_ids, "growth").normal((T, self.N))
        # parameters.growth.mode historical: each simulated year's GDP relative to the
        # base year as recorded (gdp_history), (T, N), NaN where the record has no value;
        # None in the other modes.
        self.history_ratio: np.ndarray | None = None
        if p.growth.mode == "historical":
            self.history_ratio = self.cal.gdp_history_ratios(list(self.years))
        self._council_z: dict[str, np.ndarray] = {}

    def council_noise(self, pid: str, year: int) -> np.ndarray:
        """Standard normal vote shocks of proposal ``pid`` in ``year``, ``(R, N)``.

        One stream per proposal, keyed by its id (not its position in the
        scenario), so adding a proposal leaves the others' draws unchanged.
        """
        if pid not in self._council_z:
            streams = RunStreams(self.scenario.seed, self.run_ids, f"council:{pid}")
            self._council_z[pid] = streams.normal((len(self.years), self.N))
        return self._council_z[pid][:, self.year_index(year), :]

    def growth_parameters(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """Trend ``(N,)`` and volatility scale ``(R,)`` in ``year`` (year-indexed values).

        A swept ``volatility_scale`` takes precedence over the scenario's value.
        """
        g = self.scenario.parameters.growth
        if g.mode == "fixed":
            # A common trend for every economy (the calibrated volatility is kept).
            trend = np.full(self.N, _at(g.rate, year))
        else:
            # calibrated, and historical beyond the record (history_ratio NaN)
            trend = self.calibrated_trend
        scale = self._param("parameters.growth.volatility_scale", _at(g.volatility_scale, year))
        return trend, scale

    def _init_state(self) -> None:
        statuses = self.scenario.statuses()
        codes = np.array([STATUS_CODES[statuses[c]] for c in self.codes])
        self.status = np.broadcast_to(codes, (self.R, self.N)).copy()
        self.gdp = np.broadcast_to(self._eve_gdp(), (self.R, self.N)).copy()
        self.welfare = np.ones((self.R, self.N))
        self.real_gdp_change = np.ones((self.R, self.N))
        self.cost_change = np.ones((self.R, self.N, self.N))
        # This year's deviation of log GDP growth from trend, (R, N): the events
        # phase resets it and adds log(1 + size) of GDP-shock events, the growth
        # slot adds its draw (vol * scale * z); mechanisms (finance) read it.
        self.gdp_shock = np.zeros((self.R, self.N))
        self.tariffs = np.broadcast_to(self.tau0, (self.R, self.N, self.N)).copy()
        # Tariffs and elasticity the year's GE was solved with, when the trade slot's
        # mechanism says (ge_trade: the legal tariffs at the short-run elasticity while
        # trade adjusts).
        self.tariffs_solved: np.ndarray | None = None
        self.sigma_solved: np.ndarray | None = None
        self.trust = self._initial_trust()
        self.ge: Any = None
        self.welfare_now = np.ones((self.R, self.N))
        self.welfare_now_year = -1
        self.welfare_now_ge: Any = None  # the GE result welfare_now is of (council.py)
        self.welfare_now_income: np.ndarray | None = None  # its welfare levers' net income

    def _eve_gdp(self) -> np.ndarray:
        """GDP on the eve of the first simulated year, ``(N,)`` (docs/model.md).

        Each economy starts from its latest recorded level up to the eve (base-year
        level times the ``gdp_history`` ratio), carried along its trend over any years
        after it, in every growth mode: a year the record covers is not extrapolated
        (the calibrated path used to carry the 2023 level to 2024 along the trend,
        US$19.9 tn for China against the recorded 18.7). An economy with no record
        up to the eve (or a calibration without the table) starts from the base-year
        level carried forward along its trend (not back: a run starting before the
        base year starts from its levels).
        """
        eve = self.years[0] - 1
        trend = self.growth_parameters(self.years[0])[0]
        start = self.gdp0 * np.exp(trend * max(0, eve - int(self.cal.base_year)))
        if self.cal.gdp_history.empty:
            return start
        years = np.array([y for y in self.cal.gdp_history.columns if y <= eve], dtype=np.int64)
        ratios = self.cal.gdp_history_ratios(years.tolist()).reshape(-1, self.N)
        recorded = np.isfinite(ratios)
        if not recorded.size:
            return start
        # each economy's latest recorded year up to the eve, carried along its trend
        last = len(years) - 1 - np.argmax(recorded[::-1], axis=0)
        level = ratios[last, np.arange(self.N)]
        carried = self.gdp0 * level * np.exp(trend * (eve - years[last]))
        return np.where(recorded.any(axis=0), carried, start)

    def _initial_trust(self) -> np.ndarray:
        member = self.status[0] == STATUS_CODES["member"]
        assoc = self.status[0] >= STATUS_CODES["partner"]
        t = np.full((self.N, self.N), TRUST_NEUTRAL)
        t[np.ix_(assoc, assoc)] = TRUST_ASSOCIATED
        t[np.ix_(member, member)] = TRUST_MEMBERS
        for a, b in RIVAL_PAIRS:
            if a in self.codes and b in self.codes:
                i, j = self.codes.index(a), self.codes.index(b)
                t[i, j] = t[j, i] = TRUST_RIVALS
        np.fill_diagonal(t, 1.0)
        return np.broadcast_to(t, (self.R, self.N, self.N)).copy()

    def _init_agents(self) -> None:
        sc = self.scenario
        self.agents_by_code: dict[str, State] = {}
        for i, code in enumerate(self.codes):
            w = sc.weights_for(code)
            weights = {k: float(getattr(w, k)) for k in WEIGHT_TERMS}
            ov = sc.countries.get(code)
            own = set() if ov is None else {
                k for k, v in ov.weights.model_dump().items() if v is not None}
            for term in WEIGHT_TERMS:
                key = f"parameters.weights.{term}"
                value = self.params.get(key, self.drawn.get(key))
                if value is not None and term not in own:
                    # Sweeps and draws vary weights per run; agents then read the array.
                    # A country's own weight stays, as with the value written in the file.
                    weights[term] = value  # type: ignore[assignment]
            agent = State(
                self,
                iso3=code,
                index=i,
                rule_names=sc.rules_for(code),
                weights=weights,
                exit_threshold=sc.exit_threshold_for(code),
            )
            self.agents_by_code[code] = agent
        self.weight_arrays = {
            t: np.stack(
                [np.broadcast_to(self.agents_by_code[c].weights[t], (self.R,)) for c in self.codes],
                axis=-1,
            )
            for t in WEIGHT_TERMS
        }
        self.exit_thresholds = np.array([self.agents_by_code[c].exit_threshold for c in self.codes])
        # mesa <= 3.3 keeps every model ever built in a class-level id counter
        # (mesa issue #3179): forget this one so finished batches can be freed.
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)

    def proposal_types(self) -> list[tuple[type, list[Any]]]:
        """Proposal types whose indicators are recorded, with their arrangements.

        Types of the scenario's proposals, plus built-in types flagged
        ``record_always`` (so every results table has their columns), in a
        fixed order: built-ins by name first, then the scenario's others.
        """
        from scosim.proposals import builtin_types

        seen: dict[str, tuple[type, list[Any]]] = {}
        for name in builtin_types():
            cls = get_type(name)
            if cls.record_always:
                seen[name] = (cls, [])
        for arr in self.arrangements:
            seen.setdefault(arr.name, (type(arr), []))[1].append(arr)
        return list(seen.values())

    # ---------------------------------------------------------------- helpers
    def is_member(self) -> np.ndarray:
        """``(R, N)`` bool: SCO members in each run."""
        return self.status == STATUS_CODES["member"]

    def year_index(self, year: int | None = None) -> int:
        """Position of ``year`` (default: the current year) in ``self.years``."""
        return (self.year if year is None else year) - self.years[0]

    def record(self, name: str, values: np.ndarray) -> None:
        """Record an ``(R, N)`` indicator for the current year."""
        values = np.asarray(values, dtype=float)
        if values.shape != (self.R, self.N):
            raise ValueError(f"indicator {name!r} has shape {values.shape}")
        self.records.setdefault(name, []).append(values)

    # -------------------------------------------------------------- stepping
    def step(self) -> None:
        """Advance one year through the phases of :func:`scosim.model.phases.tick`."""
        from scosim.model.phases import tick

        tick(self, self.year)
        self.year += 1
        if self.year > self.years[-1]:
            self.running = False

    def run_model(self) -> None:
        """Step through every year of the scenario."""
        while self.running:
            self.step()


#: Scoring terms, in the order used by weights (MODEL.md section 3).
WEIGHT_TERMS: tuple[str, ...] = ("econ", "sovereignty", "trust", "dominance", "security")


def fitted_flows(cal: Any, flows: np.ndarray) -> np.ndarray:
    """Gravity-fitted baseline flows for a calibration (once per calibration and flows).

    PPML with exporter and importer fixed effects on the calibration's trade
    matrix and geography gives trade costs ``exp(X b)``; multilateral resistances
    are then solved so that rows and columns match ``flows``.

    Args:
        cal: The calibration.
        flows: Actual tariff-inclusive flows ``(N, N)`` whose margins are kept.

    Returns:
        Fitted flows ``(N, N)``.
    """
    from scosim.mechanisms.fitted import fitted_baseline
    from scosim.mechanisms.gravity import estimate_trade_costs

    def fit() -> np.ndarray:
        est = estimate_trade_costs(cal.trade, cal.geography)
        costs = est.costs.loc[list(cal.trade.index), list(cal.trade.columns)].to_numpy()
        return read_only(fitted_baseline(costs, flows.sum(axis=1), flows.sum(axis=0)).flows)

    # Per calibration object and flows: it was per data version, but a calibration of
    # the same version may carry other tariffs (``composition=False``, a hindcast's era
    # tariffs), hence other tariff-inclusive flows, whose margins are the ones kept.
    return derived(cal, ("fitted_flows", np.ascontiguousarray(flows).tobytes()), fit).copy()


def _at(value: Any, year: int) -> float:
    """Value of a number or a year-indexed value in ``year``."""
    return float(value.at(year)) if hasattr(value, "at") else float(value)
