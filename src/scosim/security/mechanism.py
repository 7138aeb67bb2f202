"""The ``security`` mechanism: wires :class:`SecuritySystem` into the model's security slot.

Each year, for every run of the batch at once:

1. RATS pooling levels and contributions are read from the policy state
   (``levers["rats_pooling"]`` ``(R, N, C)`` and ``levers["rats_contribution"]``
   ``(R, N)``, share of GDP, written by a ``rats_upgrade`` in force); without them,
   today's RATS (members pool intelligence, no contribution beyond today's). RATS
   membership is SCO membership (RATS is a permanent body of the SCO, Charter art. 10):
   the members of each run are read from the model's statuses every year, so a state
   that accedes during a run pools at least at today's level from its accession on,
   becomes a partner of the other members in that run, and takes on a member's customary
   effort (:meth:`SecuritySystem.admit`).
2. Every state chooses its efforts through its ``cooperate`` rule (the rule registry;
   per country from the scenario's ``rules``; default ``conditional_cooperation``).
3. The threat process and the drug routes are stepped with the slot's own stream
   (incidents) and a second named stream (opiate supply noise, shared by policy variants),
   under ``parameters.security.instability`` and ``parameters.security.opiate_supply``.
   Freight corridors in operation this year (``levers["corridor_operating_year"]``,
   written by ``corridor`` proposals when they enter into force, read the same way as
   the network mechanism reads it, so there is no lag) raise the trafficking weight of
   the crossings they serve (:func:`scosim.security.routes.corridor_crossings`).
   With ``parameters.security.hardening.rule`` ``nash`` or ``cooperative`` every state
   also hardens its own targets (:mod:`scosim.security.hardening`), which deters attacks
   on them and displaces some to its neighbours; the cost is spending above the
   baseline's, and the incident loss it avoids, at the vote's relative price, is
   recorded next to it (not booked in welfare). The year's previews see the same
   hardening (:mod:`scosim.security.hardening_year`).
4. Writes: ``levers["insecurity"]`` ``(R, N)`` in [0, 1] for the network mechanism's edge
   costs: without a network, perceived insecurity; with the network slot filled, the
   rise of expected insecurity above its 2018-2022 level (the network prices its
   instability index against base-year costs, so 0 must mean 2018-2022 conditions), and
   ``levers["insecurity_base"]`` (perceived insecurity at the 2018-2022 rates);
   ``levers["welfare_cost_share"]`` ``(R, N)`` (security spending above the baseline
   spending, share of GDP; the trade mechanism takes it out of welfare); and, when no
   network mechanism fills its slot, ``policy.cost_change`` times the change of the
   pair's transport cost that the network itself would give for the insecurity rise at the
   pair's two ends on its baseline route (one scale, the network's
   ``insecurity_cost_factor``; :func:`pair_cost_factor`). Trust moves with the
   year's efforts (:func:`scosim.security.model.trust_effect`).
5. Records what is applied: ``cost_multiplier``, the factor on the edges inside each
   economy (``1 + factor x`` the insecurity priced: the clipped rise the network is fed,
   or the rise itself without it), and ``trade_cost_factor_security``, the mean factor on
   the economy's trade costs to its partners (the pair factors above, or with the network
   slot filled the network's ``t_hat`` over its ``t_hat`` at 2018-2022 risk).

docs/security.md section 11 has the details and the reasons.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.data.constants import ECONOMIES
from scosim.model.lever_writers import add_to_lever
from scosim.model.rng import RunStreams
from scosim.model.slots import Mechanism, holds, register_mechanism
from scosim.rules.registry import resolve_rule
from scosim.security.damage import incident_damage_share_gdp
from scosim.security.damage_note import LOSS_INDICATORS, incident_loss_records
from scosim.security.hardening_calibration import calibrated_cost_share
from scosim.security.hardening_price import hardening_records
from scosim.security.hardening_year import year_hardening
from scosim.security.haven_record import HAVEN_INDICATOR, haven_incidents
from scosim.security.model import (
    SecurityState,
    SecuritySystem,
    edge_cost_multiplier,
    insecurity_index,
)
from scosim.security.params import SecurityParams
from scosim.security.proactive import PROACTIVE_INDICATORS, year_efforts
from scosim.security.route_pricing import (
    RouteRiskPricing,
    pair_cost_factor,
    route_risk_pricing,
    shared_route_risk_pricing,
)
from scosim.security.routes import CORRIDOR_CARRIERS, EDGES, corridor_crossings
from scosim.security.settings_system import per_run_settings
from scosim.security.spec import REPLACED_SETTINGS, SecuritySettings
from scosim.security.swept_blocks import system_for_runs

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

__all__ = [
    "DEFAULT_COOPERATE",
    "RouteRiskPricing",
    "SecurityMechanism",
    "baseline_levers",
    "pair_cost_factor",
    "route_risk_pricing",
    "shared_route_risk_pricing",
    "security_state",
]

#: Effort rule of a state whose scenario names no ``cooperate`` rule.
DEFAULT_COOPERATE = "conditional_cooperation"

_SYSTEM: dict[str, SecuritySystem] = {}


def _system() -> SecuritySystem:
    # The shipped tables and default parameters are the same for every model: build once.
    if "default" not in _SYSTEM:
        _SYSTEM["default"] = SecuritySystem(params=SecurityParams())
    return _SYSTEM["default"]


def baseline_levers(n_runs: int,
                    members: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Today's RATS pooling levels ``(R, N, C)`` and contributions ``(R, N)`` (zeros).

    Args:
        n_runs: Number of runs ``R``.
        members: ``(R, N)`` bool SCO members of each run (default: the calibration's).
    """
    sys_ = _system()
    st = sys_.baseline_state(n_runs, members=members)
    return st.rats, st.contribution


def _instability(model: SCOModel, year: int) -> float:
    return float(model.scenario.parameters.security.instability.at(year))


def scaled_instability(path: float, scale: np.ndarray) -> np.ndarray:
    """``max(0, 1 + scale (path - 1))`` per run ``(R,)``; exactly ``path`` where ``scale`` is 1.

    The scale multiplies the change from 2018-2022 conditions (1). A fall scaled past 0 is
    held at 0: the index multiplies Afghanistan's incident rate, and 0 (no Afghan
    incidents, no spillover pressure) is as calm as it can get. So two in-range settings
    (a path of 0.4, a scale of 2: -0.2) give the calmest world instead of a crash mid-run,
    and a sweep over the scale levels off there. Rises are not bounded.
    """
    s = np.asarray(scale, dtype=float)
    return np.where(s == 1.0, path, np.maximum(0.0, 1.0 + s * (path - 1.0)))


def security_mechanism(model: SCOModel) -> SecurityMechanism | None:
    """The security mechanism filling the slot, or None (empty, or another mechanism)."""
    return next((m for slot, m in model.mechanisms
                 if slot == "security" and isinstance(m, SecurityMechanism)), None)


def security_state(model: SCOModel) -> tuple[SecuritySystem, SecurityState, Any]:
    """The block, its current state and this year's instability, for previews.

    From the security mechanism when the slot is filled (its state after last year, and
    each run's instability, :meth:`SecurityMechanism.instability`); otherwise the
    calibrated baseline state of the batch with each run's members.
    """
    mech = security_mechanism(model)
    if mech is not None:
        return mech.system, mech.state, mech.instability(model, model.year)
    sys_ = _system()
    return (sys_, sys_.baseline_state(model.R, members=model.is_member()),
            _instability(model, model.year))


@register_mechanism
class SecurityMechanism(Mechanism):
    """Security cooperation, terrorism and drug routes (docs/security.md)."""

    name = "security"
    slot = "security"
    # Insecurity for the network's edges; spending above its baseline, added (lever_writers).
    writes_levers = ("insecurity", "insecurity_base", "welfare_cost_share")
    # The trade step takes the spending above the baseline's out of real expenditure
    # (levers["welfare_cost_share"], docs/security.md section 6, "Spending"), so the
    # welfare counts it; what it leaves out is the harm incidents and drugs do directly.
    welfare_versus = ("the trade costs of insecurity above its 2018-2022 level and security "
                      "spending above its baseline (spending_usd, and "
                      "hardening_cost_share_gdp when a hardening rule is on)")
    # inflow_t is opiates only: methamphetamine is reported beside, not modelled (meth.py).
    welfare_excludes = ("the direct harm of terrorist incidents and trafficked drugs "
                        "(incidents, inflow_t: opiates only)")
    settings_model = SecuritySettings
    sweepable = ("instability_change_scale", "haven_share", "transnational_share", "pool_rho",
                 "enforcement_weight", "haven_slope", "haven_blowback")
    replaced_settings = REPLACED_SETTINGS
    # What a RATS upgrade or rising instability changes, paired run by run in `scosim
    # compare` (the run's answer shows no level of these, but for Pakistan's incidents beside
    # GTI 2025's counts, security/baseline_note.py: docs/security.md).
    compared = ("incidents", "seizures_t", "spending_usd")
    indicators = {
        "incidents": "terrorist incidents a year (GTI definition)",
        "expected_incidents": "expected terrorist incidents a year",
        "seizures_t": "t heroin equivalent a year",
        "inflow_t": "t heroin equivalent a year reaching the border",
        "throughflow_t": "t heroin equivalent a year moving on",
        "security_index": "0-1, share of threats neutralised",
        "effort_intel": "0-1",
        "effort_border": "0-1",
        "effort_cyber": "0-1",
        "spending_usd": "US$ a year (efforts and the cost of a RATS upgrade)",
        "spending_share_gdp": "share of GDP",
        "rats_upgrade_cost_usd": "US$ a year, national cost of a RATS upgrade (an "
                                 "assumption, not RATS's budget)",
        "insecurity": "0-1, perceived (smoothed observed incidents); trade costs are priced "
                      "on its rise above 2018-2022, not on this",
        "cost_multiplier": "factor insecurity above its 2018-2022 level puts on the cost of the "
                           "economy's transport edges (1 = 2018-2022 risk; below 1 only "
                           "without the network slot, where falls are priced)",
        "trade_cost_factor_security": "mean factor insecurity above its 2018-2022 level puts on "
                                      "the economy's trade costs to its partners (1 = none; "
                                      "through the network when its slot is filled)",
        "insecurity_rise": "0-1, expected insecurity above its 2018-2022 level (may be < 0)",
        "corridor_crossings": "count of the economy's trafficking crossings served by a "
                              "freight corridor in operation",
        "route_cost_to_pakistan_pct": "generalised cost of shipping to Pakistan, percent of "
                                      "cargo value (recorded when the network slot is filled)",
        "hardening": "log change of defensive spending chosen by the hardening rule (recorded "
                     "when parameters.security.hardening.rule is not none)",
        "hardening_cost_share_gdp": "share of GDP a year, cost of that hardening",
        "incidents_displaced": "expected terrorist incidents a year moved to the economy by "
                               "its neighbours' hardening and not deterred by its own",
        **LOSS_INDICATORS,
        "incident_loss_avoided_share_gdp": "share of GDP a year, that damage the year's "
                                           "hardening avoids (votes' price; < 0 where "
                                           "displaced attacks outweigh it); not in welfare",
        HAVEN_INDICATOR: "expected terrorist incidents a year arriving in the economy through "
                         "the safe-haven channel: groups its neighbours' enforcement above "
                         "2018-2022 displaced, and their onward spill, after its own "
                         "protection and hardening (0 with haven_share 0)",
    }
    #: Recorded only when a hardening rule is on (docs/security.md section 4).
    hardening_indicators = ("hardening", "hardening_cost_share_gdp", "incidents_displaced",
                            "incident_loss_avoided_share_gdp")
    #: Recorded only with an effort rule (docs/security.md section 5, "Best-response efforts").
    indicators.update(PROACTIVE_INDICATORS)

    @classmethod
    @override
    def recorded_indicators(cls, scenario: Any) -> dict[str, str]:
        """All its indicators but those that cannot move in the scenario.

        The route cost to Pakistan when the network slot is empty (the network's shortest
        route, which only a filled network computes); the hardening indicators without a
        hardening rule. The haven arrivals are recorded whatever ``haven_share`` (0 where
        it is 0): a sweep varies it run by run, and a swept run records what the same run
        alone records.
        """
        out = dict(cls.indicators)
        if not holds(scenario.parameters.mechanisms, "network", "corridor_network"):
            del out["route_cost_to_pakistan_pct"]
        if scenario.parameters.security.hardening.rule == "none":
            for k in cls.hardening_indicators:
                del out[k]
        written = dict(getattr(scenario.parameters, "mechanism_settings", {}) or {})
        if SecuritySettings.model_validate(written.get("security", {})).effort_rule == "rules":
            for k in PROACTIVE_INDICATORS:
                del out[k]
        return out

    def instability(self, model: SCOModel, year: int) -> np.ndarray:
        """Afghan instability of ``year`` in each run ``(R,)``.

        ``parameters.security.instability`` with its change from 2018-2022 conditions
        scaled by each run's ``instability_change_scale`` (a setting a sweep may vary),
        held at 0 where a scaled fall would pass it (:func:`scaled_instability`).
        """
        return scaled_instability(_instability(model, year),
                                  self.value("instability_change_scale"))

    def insecurity_rise(self, expected_incidents: np.ndarray) -> np.ndarray:
        """Expected insecurity above its 2018-2022 level ``(R, N)`` (may be < 0).

        What the step prices into trade costs (the network's lever, clipped to [0, 1],
        or :func:`pair_cost_factor`), previews included.
        """
        return insecurity_index(expected_incidents, self.system.params.incidents_half) - self.iota0

    @override
    def setup(self, model: SCOModel) -> None:
        if tuple(model.codes) != ECONOMIES:
            raise ValueError("the security mechanism needs the canonical economy order")
        # The block at the scenario's assumptions (per group of runs for a swept pool_rho or
        # enforcement_weight, swept_blocks.py); swept shares ride on the state, per run.
        self.system = system_for_runs(self.settings, _system(), self.swept(), model.R)
        if self.settings.effort_rule != "rules" and {"pool_rho", "enforcement_weight"} & set(
                self.swept()):
            raise ValueError("parameters.mechanism_settings.security.effort_rule "
                             f"{self.settings.effort_rule!r} plays the game with one pool: a "
                             "sweep may not vary pool_rho or enforcement_weight with it (set "
                             "each value with --set instead)")
        self.state = replace(self.system.baseline_state(model.R, year=model.years[0] - 1,
                                                        members=model.is_member()),
                             **per_run_settings(self.swept()))
        self.rng = self.streams(model).generators
        # Supply noise on its own stream: identical across policy variants although
        # incident draws consume a varying count of numbers.
        self.supply_rng = RunStreams(model.scenario.seed, model.run_ids,
                                     "security_supply").generators
        p = self.system.params
        st0 = self.state
        # Baseline spending and multipliers: the base-year data already carry them.
        self.spend0 = np.einsum("rnc,c->rn", st0.efforts, np.asarray(p.unit_cost))
        self.insecurity0 = st0.insecurity.copy()
        self.network_filled = holds(model.scenario.parameters.mechanisms, "network",
                                    "corridor_network")
        self.iota0 = insecurity_index(self.system.cal.base_rate[None, :], p.incidents_half)
        self.hosts = _freight_hosts(model) if self.network_filled else None
        # Without the network slot the pair factor still needs each pair's transport cost
        # (the share of the iceberg cost insecurity acts on): the network tables' baseline.
        self.pricing = None if self.network_filled else shared_route_risk_pricing(model)
        # The scale of the edge mark-up actually applied, for the cost_multiplier indicator.
        self.cost_factor = (self.pricing.factor if self.pricing is not None
                            else float(_network(model).net.params["insecurity_cost_factor"]))
        rules: dict[str, Any] = {}
        for code in model.codes[:-1]:  # Rest of World takes no decisions
            agent = model.agents_by_code[code]
            spec = agent.rule_names.get("cooperate", DEFAULT_COOPERATE)
            rules[code] = agent.rules.get("cooperate") or resolve_rule("cooperate", spec)
        self.rules = rules
        self.last: dict[str, np.ndarray] | None = None
        self.out: dict[str, np.ndarray] = {}
        self.hardening_spec = model.scenario.parameters.security.hardening
        self.hardening: np.ndarray | None = None  # the last year's, None without a rule
        # The votes' price of an incident, and the damage of the run's start at 2018-2022
        # conditions (the base year the recorded rise is measured from).
        self.damage = incident_damage_share_gdp(model.population)
        self.loss0 = self.damage * self.system.expected_incidents(
            self.state, self.state.efforts, np.ones(model.R))
        # The 2018-2022 defence is the rule's choice at 2018-2022 conditions
        # (hardening_calibration.py): d per state, None without a rule.
        self.hardening_cost_share = (
            None if self.hardening_spec.rule == "none" else calibrated_cost_share(
                self.system, self.state, self.damage, self.hardening_spec.cost_share_gdp))

    def _served(self, model: SCOModel, policy: PolicyState, year: int) -> np.ndarray | None:
        """Trafficking crossings served by a freight corridor operating in ``year``."""
        if policy.levers.get("corridor_operating_year") is None or self.hosts is None:
            return None
        from scosim.network.mechanism import operating_projects

        # Built and not failed (a failed corridor serves no crossing).
        operating = operating_projects(policy.levers, year)
        assert operating is not None
        return corridor_crossings(self.hosts, operating, tuple(model.codes))

    @override
    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        rats = policy.levers.get("rats_pooling")
        contrib = policy.levers.get("rats_contribution")
        # This year's members: a state that acceded (implement phase, before the slots)
        # is a RATS member from its accession year on.
        # The function the year's previews asked (hardening_year), at the state the year
        # starts from, as they saw it: the same solve.
        self.hardening = year_hardening(self, model, year)
        members = model.is_member()
        base_rats, base_contrib = baseline_levers(model.R, members)
        if rats is not None:
            # An upgrade writes the levels of its participants and today's levels of the
            # calibration's members; every member pools at least at today's level. The
            # maximum leaves the calibration's members' levels as written.
            rats = np.where(members[:, :, None], np.maximum(rats, base_rats), rats)
        # A state that acceded this year takes on a member's customary effort (admit).
        self.state = replace(
            self.system.admit(self.state, members),
            rats=base_rats if rats is None else rats,
            contribution=base_contrib if contrib is None else contrib,
        )
        efforts = self.system.choose_efforts(self.state, self.rules, self.last)
        game: dict[str, np.ndarray] = {}
        if self.settings.effort_rule != "rules":
            # The proactive game replaces every state's rule (proactive.py).
            efforts, game = year_efforts(self.system, self.state, self.settings.effort_rule,
                                         self.settings.effort_value_share_gdp, model.gdp,
                                         self.last)
        sup = float(model.scenario.parameters.security.opiate_supply.at(year))
        served = self._served(model, policy, year)
        inst = self.instability(model, year)
        before = self.state
        self.state, ind = self.system.step(self.state, efforts, inst, self.rng,
                                           supply_index=sup, hardening=self.hardening,
                                           supply_rng=self.supply_rng, corridor_edges=served,
                                           gdp=model.gdp)
        if self.hardening is not None:
            ind = {**ind, **hardening_records(
                self.system, self.hardening, inst, ind["security_index"],
                self.hardening_cost_share, self.damage, ind["expected_incidents"],
                self.system.expected_incidents(before, efforts, inst))}
        ind = {**ind, **incident_loss_records(self.damage, ind["expected_incidents"],
                                              self.loss0)}
        ind = {**ind, **game, HAVEN_INDICATOR: haven_incidents(
            self.system, before, efforts, inst, self.hardening, ind["expected_incidents"])}
        self.last = ind
        # Trust: joint work builds it, a partner's shortfall erodes it.
        model.trust = np.clip(model.trust + self.state.trust_change, 0.0, 1.0)
        np.einsum("rii->ri", model.trust)[...] = 1.0
        rise = ind["insecurity_rise"]  # SecuritySystem.step's, as insecurity_rise gives it
        # The network prices its index against base-year costs (0 = today's conditions)
        # and clips it at 0, so it gets the rise of the *expected* rate: a clipped rise of
        # noisy observed counts would raise costs on average even when nothing changes.
        # Without the network the pair factors price the rise itself, falls included.
        priced = np.clip(rise, 0.0, 1.0) if self.network_filled else rise
        policy.levers["insecurity"] = (priced if self.network_filled
                                       else self.state.insecurity.copy())
        policy.levers["insecurity_base"] = self.insecurity0.copy()
        extra = ind["spending_share_gdp"] - self.spend0
        if self.hardening is not None:
            # Hardening is spending above the baseline's too: out of welfare like efforts.
            extra = extra + ind["hardening_cost_share_gdp"]
        add_to_lever(policy, "welfare_cost_share", extra)  # the same sum, bit for bit
        factor = np.ones((model.R, model.N, model.N))
        if not self.network_filled:
            # Priced at the expected rate, as the network prices it (above): the index is
            # concave in incidents, so noisy observed counts would lower trade costs on
            # average when nothing changes (Myanmar's factor averaged 0.96 with a constant
            # expected rate, a spurious 1.7 % welfare gain).
            factor = pair_cost_factor(rise, self.pricing)
            policy.cost_change = policy.cost_change * factor
        count = np.zeros((model.R, model.N))
        if served is not None:
            for k, (a, b, _, _, _) in enumerate(EDGES):
                if b != "ROW":
                    for c in (a, b):
                        count[:, model.codes.index(c)] += served[:, k]
        # The multiplier the edges inside each economy get, at the scale applied (the
        # network's factor, or the pair pricing's, which is the network's).
        self.out = {**ind, "cost_multiplier": edge_cost_multiplier(priced, self.cost_factor),
                    "trade_cost_factor_security": _mean_over_partners(factor),
                    "corridor_crossings": count}

    @override
    def preview_levers(self, model: SCOModel) -> dict[str, np.ndarray]:
        """With the network slot filled: the insecurity the network would price now.

        The rise of expected insecurity above its 2018-2022 level at the state after last
        year (efforts, RATS), this year's instability and, with a hardening rule, this
        year's hardening (the step's), clipped to [0, 1] as
        :meth:`step` writes it, so that a corridor's preview and its financing price the
        routes at the security slot's insecurity, not at the scenario's
        ``parameters.network.instability`` (which the network does not read when this
        slot is filled). Without the network slot, nothing (the step prices insecurity
        into trade costs itself).
        """
        if not self.network_filled:
            return {}
        return {"insecurity": np.clip(self._rise_now(model), 0.0, 1.0)}

    @override
    def preview_cost_factor(self, model: SCOModel, policy: PolicyState) -> np.ndarray | None:
        """Without the network slot: the pair factors of the insecurity rise priced now.

        The rise of :meth:`preview_levers` (expected incidents at the state after last
        year, this year's instability and hardening), priced by :func:`pair_cost_factor` as
        :meth:`step` prices it. With the network slot filled the network prices it
        (its own factor), so none here.
        """
        if self.network_filled:
            return None
        return pair_cost_factor(self._rise_now(model), self.pricing)

    def _rise_now(self, model: SCOModel) -> np.ndarray:
        """Rise of expected insecurity ``(R, N)``: current state, this year's instability.

        With a hardening rule, at the hardening the step will choose this year
        (:func:`scosim.security.hardening_year.year_hardening`), not last year's.
        """
        lam = self.system.expected_incidents(self.state, self.state.efforts,
                                             self.instability(model, model.year),
                                             hardening=year_hardening(self, model))
        return self.insecurity_rise(lam)

    @override
    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        out = {k: np.asarray(self.out[k], dtype=float) for k in self.indicators
               if k in self.out}
        # The network stepped after this slot in the same year: its routes are this year's.
        net = getattr(model, "network_step", None) if self.network_filled else None
        if net is not None:
            pak = model.codes.index("PAK")
            out["route_cost_to_pakistan_pct"] = np.asarray(net.cost[:, :, pak], float) * 100.0
        if self.network_filled:
            # The step could not know it: the network prices insecurity after this slot.
            out["trade_cost_factor_security"] = _mean_over_partners(
                _network_security_factor(model))
        return out


def _mean_over_partners(factor: np.ndarray) -> np.ndarray:
    """``(R, N)`` mean of ``(R, N, N)`` pair factors over each exporter's partners (i != j)."""
    n = factor.shape[-1]
    off = ~np.eye(n, dtype=bool)
    return (factor * off).sum(axis=2) / (n - 1)


def _network(model: SCOModel) -> Any:
    """The model's cached corridor network (:func:`scosim.network.mechanism.shared_network`)."""
    from scosim.network.mechanism import shared_network

    return shared_network(model)


def _network_security_factor(model: SCOModel) -> np.ndarray:
    """``(R, N, N)`` factor the network's insecurity put on each pair's trade cost this year.

    The network's ``t_hat`` of the year over its ``t_hat`` with the same corridors, fees,
    sanctions and closures at instability 0 (2018-2022 risk, as the security slot feeds it):
    what insecurity adds, re-routing included, at this year's network. The second step is
    cached by the network (the same inputs recur across runs and years). NaN if the network
    slot holds no corridor network that stepped this year.
    """
    from scosim.network.mechanism import CorridorNetworkMechanism

    mech = next((m for slot, m in model.mechanisms
                 if slot == "network" and isinstance(m, CorridorNetworkMechanism)), None)
    if mech is None or mech.last is None:
        return np.full((model.R, model.N, model.N), np.nan)
    inputs = mech.inputs
    calm = _network(model).step_inputs(
        {**inputs, "instability": np.zeros_like(inputs["instability"])})
    return np.asarray(mech.last.t_hat, float) / np.asarray(calm.t_hat, float)


def _freight_hosts(model: SCOModel) -> np.ndarray:
    """``(P, N)`` bool: economies crossed by each freight project of the network tables.

    Rows follow the network's project order (the ``P`` axis of
    ``levers["corridor_operating_year"]``); gas and power projects are all False.
    """
    from scosim.network.mechanism import shared_network

    net = shared_network(model).net
    proj = net.tables.projects
    out = np.zeros((len(net.project_ids), model.N), dtype=bool)
    for k, pid in enumerate(net.project_ids):
        if proj.loc[pid, "carrier"] in CORRIDOR_CARRIERS:
            hosts = set(proj.loc[pid, "host_economies"])
            out[k] = [c in hosts for c in model.codes]
    return out
