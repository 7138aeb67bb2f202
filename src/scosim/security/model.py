"""The yearly security step: efforts -> security -> incidents, drug flows, costs.

:func:`step` is pure and batched over runs; :class:`SecuritySystem` holds the calibrated
set-up and is what the model's mechanism slot will call once the plug-in protocol
exists. Indicators are ``(R, N)`` arrays in :data:`scosim.data.constants.ECONOMIES` order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from scosim.data.constants import ECONOMIES, MEMBERS
from scosim.security.calibration import SecurityCalibration, load_security_calibration
from scosim.security.haven import onward_weights
from scosim.security.params import CHANNELS, SecurityParams
from scosim.security.routes import SUPPLY_BASE_T, calibrate_hazards, route_flows
from scosim.security.rules import EffortRule, apply_effort_rules

# The state and the pure yearly functions live in state.py (split for size); re-exported
# here, where the mechanism, the tools and the tests import them from.
from scosim.security.state import (
    SecurityState,
    edge_cost_multiplier,
    insecurity_index,
    trust_effect,
)
from scosim.security.threat import (
    Rng,
    draw_incidents,
    expected_incidents,
    protection,
    row_normalise,
    security_index,
)
from scosim.security.weakest_link import relative_capacity

__all__ = [
    "INDICATORS",
    "SecurityState",
    "SecuritySystem",
    "edge_cost_multiplier",
    "insecurity_index",
    "simulate",
    "trust_effect",
]

BORDER = CHANNELS.index("border")

#: Names of the ``(R, N)`` indicators returned by :meth:`SecuritySystem.step`.
INDICATORS: tuple[str, ...] = (
    "incidents", "expected_incidents", "seizures_t", "inflow_t", "throughflow_t",
    "security_index", "effort_intel", "effort_border", "effort_cyber", "spending_usd",
    "spending_share_gdp", "rats_upgrade_cost_usd", "insecurity", "insecurity_rise",
    "cost_multiplier",
)


def _or(per_run: np.ndarray | None, batch: float) -> np.ndarray | float:
    # A state's per-run values of a setting, else the batch's number (computed as before).
    return batch if per_run is None else per_run


class SecuritySystem:
    """Calibrated security block: set-up once, then :meth:`step` each year.

    Args:
        calibration: Tables (default: the shipped ones).
        params: Parameters (default: :class:`SecurityParams` defaults).
    """

    def __init__(self, calibration: SecurityCalibration | None = None,
                 params: SecurityParams | None = None) -> None:
        self.cal = calibration or load_security_calibration()
        self.params = params or SecurityParams()
        p, c = self.params, self.cal
        self.codes: tuple[str, ...] = c.codes
        if self.codes != ECONOMIES:
            raise ValueError("calibration codes must be the canonical ECONOMIES order")
        self.afg = c.index("AFG")
        self.Wn = row_normalise(c.contiguity)
        # Insecurity at the 2018-2022 rates: trade costs are priced on the rise above it.
        self.iota0 = insecurity_index(c.base_rate[None, :], p.incidents_half)
        # Afghan spillover shared by border length (Pakistan 45 %, China 1.5 %), not equally
        # (docs/security.md section 4): more border, more crossings for militants.
        self.afghan_spill_weights = c.afghan_border_km / c.afghan_border_km.sum()
        # Border shares (haven.py): Afghanistan's by length, the others' equal.
        self.haven_onward = onward_weights(c.contiguity, {self.afg: self.afghan_spill_weights})
        # Havens' capacity: Rule of Law over 100 (without the table, all alike).
        self.haven_capacity = c.enforcement if np.size(c.enforcement) == c.n else np.ones(c.n)
        self.partners = self._partner_matrix(c.members)
        # Partner matrices of other memberships (runs where a state acceded), by membership.
        self._partner_cache: dict[bytes, np.ndarray] = {}
        self.capacity_term = p.a_cap * np.log1p(c.milex_share / 0.01)
        self.e0 = np.array([p.baseline_effort.get(k, 0.0) for k in self.codes])
        # Relative enforcement capacity, the weakest link of the RATS pool (weakest_link.py),
        # scaled so today's ten members at their customary efforts pool the calibrated
        # (summation) level at every pool_rho; None (every effort counts as is) at summation
        # with weight 0, or without the table (capacity 1, scaled likewise below rho 1).
        # Today's members are the data's ten (a fixed yardstick, whatever a calibration or
        # a run lists as members).
        today = np.isin(np.asarray(self.codes), MEMBERS)
        has_table = np.size(c.enforcement) == c.n
        if p.pool_rho == 1.0 and (p.enforcement_weight == 0 or not has_table):
            self.enforcement = None
        else:
            kappa = c.enforcement if has_table else np.ones(c.n)
            weight = p.enforcement_weight if has_table else 0.0
            self.enforcement = relative_capacity(kappa, today, weight, self.e0, p.pool_rho)
        # A member's customary effort, which a state that accedes takes on (section 11 of
        # docs/security.md): the mean of today's members' (0.5 in the default calibration).
        self.member_effort = float(self.e0[c.members].mean()) if c.members.any() else 0.0
        self.caps = np.array([p.sovereignty_cap.get(k, 1.0) for k in self.codes])
        self.unit_cost = np.asarray(p.unit_cost)
        state0 = self.baseline_state(1)
        self.S0 = self._security(state0.efforts, state0.rats)[0]
        # Without RATS pooling: the index the domestic share of incidents answers to.
        self.S0_domestic = self._security(state0.efforts, np.zeros_like(state0.rats))[0]
        self.hazard0, self.hazard_notes = calibrate_hazards(c.seizure_mean_t())

    # ------------------------------------------------------------------ set-up
    def baseline_state(self, n_runs: int, year: int = 2024,
                       members: np.ndarray | None = None) -> SecurityState:
        """Baseline efforts (``params.baseline_effort``) and today's RATS, for ``n_runs`` runs.

        Args:
            n_runs: Number of runs ``R``.
            year: The state's year (the year before the first one stepped).
            members: ``(N,)`` or ``(R, N)`` bool, SCO members (default: the calibration's).
                Every member pools at today's level ``params.rats_baseline``: RATS is a
                permanent body of the SCO and its members are the SCO's members.
        """
        n = self.cal.n
        e = np.broadcast_to(self.e0[None, :, None], (n_runs, n, len(CHANNELS))).copy()
        rats = np.zeros((n_runs, n, len(CHANNELS)))
        if members is None:
            rats[:, self.cal.members, :] = np.asarray(self.params.rats_baseline)
            state_members = None
        else:
            state_members = np.broadcast_to(np.asarray(members, dtype=bool), (n_runs, n)).copy()
            rats[state_members] = np.asarray(self.params.rats_baseline)
            # A state that is a member from the start cooperates at a member's level.
            for runs, _ in self.partner_groups(state_members):
                e[runs] = self.customary_effort(state_members[runs[0]])[:, None]
        insec = np.broadcast_to(insecurity_index(self.cal.base_rate, self.params.incidents_half),
                                (n_runs, n)).copy()
        return SecurityState(year, e, rats, np.zeros((n_runs, n)), insec,
                             np.zeros((n_runs, n, n)), state_members)

    # ------------------------------------------------------- customary effort
    def customary_effort(self, members: np.ndarray | None) -> np.ndarray:
        """Customary efforts (all channels) under a membership ``(N,)`` or ``(R, N)``.

        A state's customary effort is ``params.baseline_effort``, keyed on today's
        statuses; a state that is a member here but not in the calibration has a member's,
        :attr:`member_effort`, if that is higher: it takes part in the members' joint
        exercises and operations (seed 000). ``None`` is the calibration's membership.
        """
        if members is None:
            return self.e0
        new = np.asarray(members, dtype=bool) & ~self.cal.members
        return np.where(new, np.maximum(self.e0, self.member_effort), self.e0)

    def admit(self, state: SecurityState, members: np.ndarray) -> SecurityState:
        """``state`` with ``members`` ``(R, N)`` as its membership, new members' efforts raised.

        A state that becomes a member keeps its effort relative to its customary level,
        which becomes a member's: its efforts are scaled by ``new / old`` customary effort
        (at most 1). So a conditional cooperator at its customary level moves to a
        member's level in its accession year, and its partners, who compare each state's
        effort with its customary level, see no change in its cooperation. Runs whose
        membership is unchanged keep their efforts as they are (the same array when no
        run changes).
        """
        m = np.broadcast_to(np.asarray(members, dtype=bool), (state.n_runs, self.cal.n))
        old = self.customary_effort(self.members_of(state))  # (R, N)
        new = self.customary_effort(m)
        moved = new != old
        if not moved.any():
            return replace(state, members=m.copy())
        scale = new / np.where(old > 0, old, 1.0)
        # From no customary effort at all, the new level itself.
        raised = np.where(old[:, :, None] > 0, state.efforts * scale[:, :, None],
                          new[:, :, None])
        efforts = np.where(moved[:, :, None], np.minimum(raised, 1.0), state.efforts)
        return replace(state, efforts=efforts, members=m.copy())

    # ------------------------------------------------------------ partners
    def _partner_matrix(self, members: np.ndarray) -> np.ndarray:
        """Row-normalised partner weights ``(N, N)``: land neighbours, and members among members."""
        n = self.cal.n
        both = members[:, None] & members[None, :]
        return row_normalise((self.cal.contiguity | both) & ~np.eye(n, dtype=bool))

    def members_of(self, state: SecurityState) -> np.ndarray:
        """``(R, N)`` bool: the SCO members of each run (the calibration's where not given)."""
        if state.members is None:
            return np.broadcast_to(self.cal.members, (state.n_runs, self.cal.n))
        return np.asarray(state.members, dtype=bool)

    def partner_groups(self, members: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Runs whose membership differs from the calibration's, grouped, with their partners.

        The calibration's partner matrix :attr:`partners` holds for every other run. Runs
        are grouped by membership so that an ensemble where one state accedes in some runs
        computes two ``(N, N)`` matrices, not one per run, and the runs without accession
        are computed exactly as in a batch without it.

        Args:
            members: ``(R, N)`` bool membership of each run, or ``None`` (the calibration's).

        Returns:
            ``[(runs, partners)]``: ``runs`` an index array of the runs sharing one
            membership that differs from the calibration's, ``partners`` its ``(N, N)``
            row-normalised weights (read-only, cached). Empty when no run differs.
        """
        if members is None:
            return []
        m = np.asarray(members, dtype=bool)
        differ = np.flatnonzero((m != self.cal.members[None, :]).any(axis=1))
        if differ.size == 0:
            return []
        patterns, inverse = np.unique(m[differ], axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        out = []
        for g, row in enumerate(patterns):
            key = row.tobytes()
            w = self._partner_cache.get(key)
            if w is None:
                if len(self._partner_cache) >= 1024:  # bound the cache of a long session
                    self._partner_cache.clear()
                w = self._partner_matrix(row)
                w.setflags(write=False)
                self._partner_cache[key] = w
            out.append((differ[inverse == g], w))
        return out

    def partners_of(self, state: SecurityState) -> np.ndarray:
        """Partner weights of the state's runs, one matrix or one per run.

        Returns:
            :attr:`partners` ``(N, N)`` when every run has the calibration's membership,
            else ``(R, N, N)`` (each row sums to 1, or 0 if the state has no partner).
        """
        groups = self.partner_groups(state.members)
        if not groups:
            return self.partners
        out = np.broadcast_to(self.partners, (state.n_runs, self.cal.n, self.cal.n)).copy()
        for runs, w in groups:
            out[runs] = w
        return out

    def _security(self, efforts: np.ndarray, rats: np.ndarray,
                  members: np.ndarray | None = None) -> np.ndarray:
        p = self.params
        z = protection(efforts, self.capacity_term, self.partners, rats, p.k_channel, p.k_pool,
                       p.spill, pool_reference=p.pool_reference,
                       capacity=self.enforcement, rho=p.pool_rho,
                       size_exponent=p.pool_size_exponent)
        # Runs with another membership are recomputed with their own partners; the others
        # keep the batch computation, so they match a batch where nobody accedes exactly.
        for runs, w in self.partner_groups(members):
            z[runs] = protection(np.asarray(efforts)[runs], self.capacity_term, w,
                                 np.asarray(rats)[runs], p.k_channel, p.k_pool, p.spill,
                                 pool_reference=p.pool_reference,
                                 capacity=self.enforcement, rho=p.pool_rho,
                       size_exponent=p.pool_size_exponent)
        return security_index(z)

    def security(self, state: SecurityState, efforts: np.ndarray | None = None) -> np.ndarray:
        """Security index ``(R, N)`` with the state's RATS set-up and given (or its) efforts."""
        e = state.efforts if efforts is None else efforts
        return self._security(e, state.rats, state.members)

    def domestic_security(self, state: SecurityState,
                          efforts: np.ndarray | None = None) -> np.ndarray:
        """Security index ``(R, N)`` without RATS pooling: what domestic incidents answer to."""
        e = state.efforts if efforts is None else efforts
        return self._security(e, np.zeros_like(state.rats), state.members)

    def _incidents(self, state: SecurityState, efforts: np.ndarray, S: np.ndarray,
                   inst: np.ndarray, hardening: np.ndarray | None) -> np.ndarray:
        p = self.params
        return expected_incidents(self.cal.base_rate, S, self.S0, inst, self.afg, self.Wn,
                                  beta=p.beta, afghan_spill=p.afghan_spill,
                                  displacement=p.displacement, beta_defence=p.beta_defence,
                                  hardening=hardening, spill_weights=self.afghan_spill_weights,
                                  S_domestic=self.domestic_security(state, efforts),
                                  S0_domestic=self.S0_domestic,
                                  transnational_share=_or(state.transnational_share,
                                                          p.transnational_share),
                                  haven_share=_or(state.haven_share, p.haven_share),
                                  haven_onward=self.haven_onward,
                                  haven_slope=_or(state.haven_slope, p.haven_slope),
                                  haven_blowback=_or(state.haven_blowback, p.haven_blowback),
                                  capacity=self.haven_capacity)

    def expected_incidents(self, state: SecurityState, efforts: np.ndarray,
                           instability: np.ndarray | float,
                           hardening: np.ndarray | None = None) -> np.ndarray:
        """Expected incidents ``(R, N)`` for given efforts and instability (scalar or ``(R,)``).

        RATS pooling acts on the transnational share of incidents only
        (``params.transnational_share``, or the state's per-run values,
        :func:`scosim.security.threat.expected_incidents`).
        """
        S = self.security(state, efforts)
        inst = np.broadcast_to(np.asarray(instability, dtype=float), (state.n_runs,))
        return self._incidents(state, efforts, S, inst, hardening)

    def payoff(self, state: SecurityState, efforts: np.ndarray,
               value_share_gdp: np.ndarray | float) -> np.ndarray:
        """Each state's payoff ``(R, N)`` in shares of GDP: ``V * S(e) - spending(e)``.

        This is :func:`scosim.security.game.payoff` with the model's technology: ``T`` the
        detection curve, summation over borders and co-membership (spillover weights) and
        RATS pooling only (no best-shot or weakest-link term: those are the textbook games'
        alone, docs/security.md section 3), and costs out of GDP (``unit_cost``, plus any
        RATS contribution).

        Args:
            state: RATS set-up (levels, contributions).
            efforts: ``(R, N, C)`` efforts.
            value_share_gdp: Value of full security (``S = 1``) a year, share of GDP; scalar
                or ``(N,)``. No published figure is used: it is the user's valuation.
        """
        spend = np.einsum("rnc,c->rn", np.asarray(efforts, dtype=float), self.unit_cost)
        return (np.asarray(value_share_gdp) * self.security(state, efforts) - spend
                - state.contribution)

    # ------------------------------------------------------------------ the step
    def step(self, state: SecurityState, efforts: np.ndarray, instability: np.ndarray | float,
             rng: Rng, *, supply_index: np.ndarray | float = 1.0,
             hardening: np.ndarray | None = None, supply_rng: Rng | None = None,
             corridor_edges: np.ndarray | None = None, gdp: np.ndarray | None = None,
             ) -> tuple[SecurityState, dict[str, np.ndarray]]:
        """Advance one year.

        Args:
            state: Last year's state (RATS set-up and efforts).
            efforts: ``(R, N, C)`` this year's efforts in [0, 1] (from the effort rules).
            instability: Afghanistan instability index, scalar or ``(R,)`` (1 = 2018-2022).
            rng: The ``security`` stream: one generator, or one per run.
            supply_index: Afghan opiate supply relative to 2018-2022, scalar or ``(R,)``.
            hardening: ``(R, N)`` unilateral defensive hardening (log change), default none.
            supply_rng: Generator(s) for the supply noise; default ``rng``. A separate
                stream keeps supply draws identical across policy variants (common random
                numbers) although incident draws consume a varying count of numbers.
            corridor_edges: ``(R, E)`` bool, trafficking crossings served by a freight
                corridor in operation (:func:`scosim.security.routes.corridor_crossings`);
                their weight in the route split rises by ``params.corridor_route_uplift``.
            gdp: ``(R, N)`` GDP of the year, US$, at which ``spending_usd`` and
                ``rats_upgrade_cost_usd`` price their shares (default: the calibration's
                2023 GDP; a run passes its GDP path).

        Returns:
            The new state and the indicators (:data:`INDICATORS`, each ``(R, N)``).
        """
        p = self.params
        e = np.asarray(efforts, dtype=float)
        r = state.n_runs
        if e.shape != state.efforts.shape:
            raise ValueError(f"efforts must have shape {state.efforts.shape}, got {e.shape}")
        if np.any(e < 0) or np.any(e > 1) or not np.all(np.isfinite(e)):
            raise ValueError("efforts must lie in [0, 1]")
        inst = np.broadcast_to(np.asarray(instability, dtype=float), (r,))
        sup = np.broadcast_to(np.asarray(supply_index, dtype=float), (r,))
        if np.any(sup < 0):
            raise ValueError("supply_index must be >= 0")
        gens = [rng] * r if isinstance(rng, np.random.Generator) else list(rng)
        sgens = gens if supply_rng is None else (
            [supply_rng] * r if isinstance(supply_rng, np.random.Generator) else list(supply_rng))
        if len(gens) != r or len(sgens) != r:
            raise ValueError(f"need one generator per run ({r})")
        S = self.security(state, e)
        lam = self._incidents(state, e, S, inst, hardening)
        incidents = draw_incidents(lam, self.cal.overdispersion, gens)
        noise = np.array([g.standard_normal() for g in sgens]) * p.supply_noise
        supply = SUPPLY_BASE_T * sup * np.exp(noise - 0.5 * p.supply_noise**2)
        weight = None if corridor_edges is None else (
            1.0 + p.corridor_route_uplift * np.asarray(corridor_edges, dtype=float))
        fl = route_flows(supply, self.hazard0, e[:, :, BORDER], self.e0, k_seize=p.k_seize,
                         k_pool_drug=p.k_pool_drug,
                         rats_drug=state.rats[:, :, BORDER], edge_weight=weight,
                         pool_reference=p.pool_reference)
        spend_share = np.einsum("rnc,c->rn", e, self.unit_cost) + state.contribution
        usd = self.cal.gdp_usd[None, :] if gdp is None else np.asarray(gdp, dtype=float)
        w = p.insecurity_weight
        insec = (1 - w) * state.insecurity + w * insecurity_index(incidents, p.incidents_half)
        # Expected, not observed: the index is concave, so noisy counts would bias it.
        rise = insecurity_index(lam, p.incidents_half) - self.iota0
        ind = {
            "incidents": incidents.astype(float),
            "expected_incidents": lam,
            "seizures_t": fl.seized,
            "inflow_t": fl.inflow,
            "throughflow_t": fl.throughflow,
            "security_index": S,
            **{f"effort_{ch}": e[:, :, k] for k, ch in enumerate(CHANNELS)},
            "spending_usd": spend_share * usd,
            "spending_share_gdp": spend_share,
            "rats_upgrade_cost_usd": state.contribution * usd,
            "insecurity": insec,
            "insecurity_rise": rise,
            # On the rise, as trade costs are priced (without a network, falls included).
            "cost_multiplier": edge_cost_multiplier(rise, p.cost_markup),
        }
        usual = np.broadcast_to(self.customary_effort(self.members_of(state)), e.shape[:2])
        trust = trust_effect(e, self.partners, p.trust_up, p.trust_down, usual)
        for runs, w in self.partner_groups(state.members):
            trust[runs] = trust_effect(e[runs], w, p.trust_up, p.trust_down, usual[runs])
        new = replace(state, year=state.year + 1, efforts=e, insecurity=insec,
                      trust_change=trust)
        return new, ind

    def choose_efforts(self, state: SecurityState, rules: dict[str, EffortRule | str],
                       indicators: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """This year's efforts ``(R, N, C)`` from each state's rule (others keep theirs).

        A rule sees one partner row ``(N,)`` (``EffortContext.partners``), so runs whose
        membership differs from the calibration's are decided again, group by group, with
        their own partners and their rows of the efforts and indicators.
        """
        new = apply_effort_rules(state.efforts, rules, self.partners, self.caps, self.codes,
                                 state.year + 1, indicators, baseline=self.e0)
        r = state.n_runs
        members = self.members_of(state)
        for runs, w in self.partner_groups(state.members):
            sub = None if indicators is None else {
                k: (v[runs] if np.ndim(v) and np.shape(v)[0] == r else v)
                for k, v in indicators.items()}
            # A new member's customary effort is a member's (customary_effort).
            new[runs] = apply_effort_rules(state.efforts[runs], rules, w, self.caps, self.codes,
                                           state.year + 1, sub,
                                           baseline=self.customary_effort(members[runs[0]]))
        return new

    def with_rats(self, state: SecurityState, rats: Sequence[float] | np.ndarray,
                  runs: np.ndarray | None = None,
                  participants: np.ndarray | None = None,
                  upgrade_cost_share_gdp: float = 0.0) -> SecurityState:
        """A state where ``participants`` pool at levels ``rats`` (``(C,)``) in ``runs``.

        Non-participants keep their current levels (today's members keep pooling
        intelligence), so a subset can upgrade (variable geometry).

        Args:
            state: The state to change (not modified).
            rats: Pooling level per channel for the participants.
            runs: ``(R,)`` bool, the runs where the change applies (default: all).
            participants: ``(N,)`` bool, who takes part (default: the SCO members of each
                run, :meth:`members_of`, so a state that acceded takes part on the same
                terms).
            upgrade_cost_share_gdp: Yearly contribution of each participant, share of GDP.
        """
        new_r = state.rats.copy()
        contrib = state.contribution.copy()
        r, n = state.n_runs, self.cal.n
        sel = np.ones(r, bool) if runs is None else np.asarray(runs, bool)
        part = (self.members_of(state) if participants is None
                else np.broadcast_to(np.asarray(participants, bool), (r, n)))
        on = sel[:, None] & part
        new_r[on] = np.asarray(rats, dtype=float)
        contrib[on] = upgrade_cost_share_gdp
        return replace(state, rats=new_r, contribution=contrib)


def simulate(system: SecuritySystem, years: Sequence[int], rules: dict[str, EffortRule | str],
             instability: dict[int, float] | float, n_runs: int, seed: int,
             supply_index: dict[int, float] | float = 1.0,
             state: SecurityState | None = None) -> dict[str, np.ndarray]:
    """Run the block alone for ``years``: indicators stacked to ``(R, T, N)``.

    Run ``r`` draws incidents from ``PCG64(SeedSequence([seed, r, 0]))`` and supply noise
    from ``PCG64(SeedSequence([seed, r, 1]))``, so a run's numbers do not depend on how many
    runs are simulated, and policy variants share their supply shocks.
    """
    st = state or system.baseline_state(n_runs, year=years[0] - 1)
    gens = [np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, r, 0])))
            for r in range(n_runs)]
    sgens = [np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, r, 1])))
             for r in range(n_runs)]
    out: dict[str, list[np.ndarray]] = {}
    ind: dict[str, np.ndarray] | None = None
    for y in years:
        inst = instability.get(y, 1.0) if isinstance(instability, dict) else instability
        sup = supply_index.get(y, 1.0) if isinstance(supply_index, dict) else supply_index
        e = system.choose_efforts(st, rules, ind)
        st, ind = system.step(st, e, inst, gens, supply_index=sup, supply_rng=sgens)
        for k, v in ind.items():
            out.setdefault(k, []).append(v)
    return {k: np.stack(v, axis=1) for k, v in out.items()}
