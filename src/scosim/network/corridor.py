"""The ``corridor`` proposal type: build one project of the network tables.

A corridor proposal names a project of ``projects.csv`` (INSTC + Chabahar, the
China-Kyrgyzstan-Uzbekistan railway, the Trans-Afghan railway, TAPI, CASA-1000, line D), its
financing and transit fee. The interested economies (the hosts plus every economy whose trade
costs fall with it) decide by ``interested_members`` unless the scenario says otherwise; a
project is built on its hosts' territory, so every host is invited and one host's no stops it
(:meth:`Corridor.together`); a project is built once in a run, so a second proposal of
it is not tabled where another was adopted (:meth:`Corridor.eligible_runs`). Once
in force, construction starts (in the entry year, or a later ``start_year`` of the spec) and
the project operates ``construction_years`` later: :meth:`Corridor.apply` writes its first
operating year and transit fee into ``policy.levers`` and the ``corridor_network`` mechanism
(slot ``network``) turns them into trade-cost changes. docs/network.md explains the preview (an
annualised expected NPV: GE gain plus transit fees times the share of them the project is
expected to deliver, less the annualised payments) and the financing terms. Who lends and
what each economy pays are :class:`scosim.network.corridor_financing.CorridorFinancing`,
which :class:`Corridor` inherits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.model.events import EventField
from scosim.model.phase_in import ratification_lag
from scosim.network.bank_link import book_corridor_loans
from scosim.network.corridor_financing import (  # noqa: F401  (re-exported)
    _BANK,
    FAILURE_WINDOW_YEARS,
    CorridorFinancing,
)
from scosim.network.corridor_record import NET, corridor_indicators
from scosim.network.failure_draw import RealisedFinance, construction_start, realise
from scosim.network.finance import COST_OF_FUNDS, operating_share
from scosim.network.hazard import run_hazard
from scosim.network.loads import freight_ramped
from scosim.network.mechanism import (
    LEVER_FAILED,
    LEVER_FEE,
    LEVER_OPERATING,
    network_inputs,
    shared_network,
)
from scosim.network.phased_preview import first_phase_weight, phase_benefits
from scosim.network.projects import default_host_shares, project_route_economies
from scosim.network.specs import CorridorProposal, check_corridor
from scosim.network.transport_tariff import proposal_tariffs
from scosim.network.upkeep import run_om_share, upkeep_usd
from scosim.proposals import register_type
from scosim.proposals.base import Preview, ProposalType

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

#: The members' discount rate of welfare: of the benefits' operating share. Money flows
#: (payments, subsidy, losses, salvage) are valued, and annualised, at the cost of funds of
#: the lender's runs (``Lender.cost_of_funds``; until 2026-12-06 valued at this rate too,
#: and until 2026-12-06 annualised at it: docs/network.md, "One rate for a present value
#: and its annual equivalent").
DISCOUNT_RATE = 0.04


@register_type
class Corridor(CorridorFinancing, ProposalType):
    """Build a corridor project; the ``corridor_network`` mechanism prices it each year."""

    name = "corridor"
    # Read by the corridor_network mechanism (scosim.model.lever_writers).
    writes_levers = (LEVER_OPERATING, LEVER_FEE, LEVER_FAILED)
    spec = CorridorProposal
    default_decision_rule = "interested_members"
    # Infrastructure is sunk: participants do not leave a built corridor.
    exit_allowed = False
    indicators = {
        "corridor_operating": "1 if the economy hosts an operating corridor project",
        "corridor_paid_usd": "US$, present value paid for adopted corridors (by their "
                             "hosts, and by the lender's owners (the members, by GDP, "
                             "or a proposed development bank's) for its interest "
                             "subsidy): as paid where a corridor has failed in the run, "
                             "else expected given that it stands",
        "corridor_risk_usd": "US$, present-value loss borne from a corridor's failure: "
                             "the loss where it has failed in the run, else the expected "
                             "loss given that it stands",
        "corridor_failed": "1 if the economy hosts a corridor that has failed in the run "
                           "by the year (drawn from its failure hazard)",
        "corridor_paid_expected_usd": "US$, expected present value paid for adopted "
                                      "corridors as the Council priced it at entry into "
                                      "force (what the payments as known average to over "
                                      "runs)",
        "corridor_risk_expected_usd": "US$, expected present-value loss from a corridor's "
                                      "failure as priced at entry into force (what the "
                                      "losses as known average to over runs)",
        "corridor_gas_bcm": "bcm a year, pipeline gas the corridors deliver to the economy",
        "corridor_power_twh": "TWh a year, electricity the corridors deliver to the economy",
        "corridor_gas_sold_bcm": "bcm a year, pipeline gas the corridors deliver from the "
                                 "economy (its sales on them)",
        "corridor_power_sold_twh": "TWh a year, electricity the corridors deliver from the "
                                   "economy (its sales on them)",
        "corridor_net_welfare_pct": "percent of the year's baseline real expenditure: "
                                    "the welfare change less the payments for adopted "
                                    "corridors (net of salvage) and the lender's owners' "
                                    "expected loss, annualised as the Council's preview does (cost "
                                    "of funds x present value), and the hosts' yearly O&M "
                                    "of operating corridors, over the year's expenditure",
        "corridor_cost_usd": "US$ a year, what the welfare change net of corridor "
                             "payments takes off the welfare change: the payments' "
                             "present value (net of salvage) and the lender's owners' "
                             "expected loss times the cost of funds, "
                             "and the hosts' O&M of operating corridors",
        "corridor_own_cost_usd": "US$ a year, the part of the corridor cost from the "
                                 "corridors the economy pays for (a cost share above 0): "
                                 "without the lender's owners' share (expected loss, "
                                 "interest subsidy) it bears on the loan of a corridor "
                                 "it does not pay for",
        "corridor_fee_base_teu": "TEU a year on the freight corridors' routes credited to the "
                                 "economy as their transit fees are (a TEU over a whole route "
                                 "counts 1): US$ a year it collects per US$1 a TEU of "
                                 "transit_fee_usd_per_teu at this traffic",
        "corridor_energy_pct": "percent of the year's baseline real expenditure: the part "
                               "of the welfare change that is the energy corridors' "
                               "deliveries' worth to the economy (a "
                               "buyer's saving, a seller's rent over what its gas would "
                               "earn in its next-best market, transit fees and tariff); "
                               "the rest is the GE trade gain and freight transit fees",
    }
    # The answer says who pays, and what an energy corridor delivers and from whom (a
    # pipeline or a power line changes no trade cost in the GE model: its welfare is what
    # the deliveries are worth, network.energy_value; docs/network.md). Its who-gains
    # table gives the welfare change net of what each economy pays beside the gross one:
    # the gain the Council's vote scores.
    headline = {"corridor_paid_usd": "final", "corridor_risk_usd": "final",
                "corridor_gas_bcm": "total", "corridor_gas_sold_bcm": "total",
                "corridor_power_twh": "total", "corridor_power_sold_twh": "total",
                "corridor_net_welfare_pct": "net", "corridor_energy_pct": "net"}
    # Recorded in every run whose network slot is filled, a run without corridors too
    # (recorded_indicators): its net is its welfare change (it pays for no corridor), so
    # ``scosim compare`` of a corridor run with its twin without the corridor pairs the
    # net. Until 2026-12-06 only runs with a corridor proposal recorded it, and the paired
    # net of the Trans-Afghan railway against its twin could not be had.
    record_always = True
    event_fields = {"bank": EventField("str", "bank_loan_declined, bank_loan_rejected: the "
                                       "development_bank that declined the loan (its lending "
                                       "limit) or whose board rejected it; the next bank in "
                                       "force is asked, and where none lends the hosts pay "
                                       "from their budgets"),
                    "board_yes": EventField("float", "bank_loan_rejected: capital share of "
                                            "the bank's owners that voted yes"),
                    "project": EventField("str", "corridor_failed: the network project that "
                                          "failed (projects.csv id)")}
    # The GE welfare counts the trade-cost change and transit fees, not the build cost.
    # corridor_risk_usd is the part of the hosts' payments a failure would lose (not a cost
    # on top of them), and the lender's owners' loss: said so, not added to the paid. A
    # class phrase, so it names the owners of either lender the run may have.
    welfare_excludes = ("what each economy pays for the corridors (corridor_paid_usd), "
                        "their hosts' yearly operation and maintenance, and "
                        "what the lender's owners (the members, by GDP, or a proposed "
                        "development bank's) expect to lose (in corridor_risk_usd, "
                        "which for the hosts is the part of their payments a failure loses)")

    check = staticmethod(check_corridor)  # light: validation declares it (proposals/builtin)

    def __init__(self, model: SCOModel, proposal: CorridorProposal) -> None:
        super().__init__(model, proposal)
        self.net = shared_network(model)
        tables = self.net.net.tables
        row = tables.projects.loc[proposal.project]
        self.p_index = self.net.net.project_ids.index(proposal.project)
        self.hosts = np.array([c in row["host_economies"] for c in model.codes])
        self.years_to_build = int(proposal.construction_years or row["construction_years"])
        # A freight first phase below capacity, which the preview values as the run has it.
        self.phased = bool(freight_ramped(tables)[self.p_index])
        cost = proposal.build_cost_usd_bn or float(
            row["build_cost_high_usd_bn"] if proposal.cost_case == "high"
            else row["build_cost_usd_bn"])
        self.cost_usd = cost * 1e9
        if proposal.host_shares:
            hs = np.array([proposal.host_shares.get(c, 0.0) for c in model.codes])
        else:  # published shares (TAPI, CKU) where projects.csv has them, else by length
            hs = default_host_shares(tables, proposal.project)[0]
        self.host_shares = hs
        # The hosts' yearly O&M while it operates, US$ (R, N): not paid by the freight
        # rates, which no economy collects (scosim.network.upkeep).
        om = run_om_share(model, tables, proposal.project)
        self.upkeep_usd = upkeep_usd(om, self.cost_usd, hs)
        # An energy project's transport tariff at this proposal's cost, construction years
        # and O&M share, to the economies in the shares they pay (R, L, N): until 2026-12-06
        # every proposal's was that of projects.csv.
        self.tariffs = proposal_tariffs(self.net.net.links, tables, proposal.project,
                                        self.cost_usd, self.years_to_build, hs, om)
        # Failure risk follows the route, not the payers: the economies the project's edges
        # cross (the network was built on the model's codes, so the columns line up). Until
        # 2026-12-05 only economies with a positive cost share counted, so a scenario could
        # move the Trans-Afghan railway's risk off Afghanistan by giving its cost to Uzbekistan.
        self.route = project_route_economies(self.net.net.graph, self.p_index)
        # The failure hazard and the recovery of each run (a sweep may vary them).
        self.hazard = run_hazard(model)
        self.paid = np.zeros((model.R, model.N))
        self.risk = np.zeros((model.R, model.N))
        # What the run's net welfare takes off (_cost_share), fixed at entry into force.
        self.recovered = np.zeros((model.R, model.N))
        self.owners_risk = np.zeros((model.R, model.N))
        # The rate of those present values, which they are annualised at (Lender's).
        self.funds_rate = np.full(model.R, COST_OF_FUNDS)
        # What a run knows of them each year, its failure drawn (network.failure_draw),
        # which the run's indicators and net take; and the year it fails, -1: it stands.
        self.known = RealisedFinance(model.R, model.years, model.N)
        self.fail_year = np.full(model.R, -1, dtype=np.int64)

    # ------------------------------------------------------------------ council
    @override
    def eligible_runs(self, model: SCOModel) -> np.ndarray:
        """Runs where no other proposal of the same project has been adopted, ``(R,)``.

        A project is built once in a run: where another corridor proposal of the scenario
        has had it adopted (ratifying or in force; a corridor is never left), this one is
        not tabled, so the build cost and the failure risk are charged once. Where the
        other was rejected, or is not yet tabled, this one is tabled as usual, so a
        rejected project can be proposed again. Until 2026-12-05 both were adopted and each
        charged the whole cost (Iran paid US$10.6 bn for one INSTC).
        """
        taken = np.zeros(model.R, dtype=bool)
        for arr in model.arrangements:
            if (arr is not self and isinstance(arr, Corridor)
                    and arr.proposal.project == self.proposal.project):
                taken |= arr.adopted
        return ~taken

    @override
    def invitees(self, model: SCOModel) -> np.ndarray:
        parts = self.proposal.participants
        if parts == "interested":
            codes = set(self.net.net.interested_economies(self.proposal.project))
            listed = np.array([c in codes for c in model.codes]) | self.hosts
        else:
            listed = np.array([c in parts for c in model.codes])
        return np.broadcast_to(listed, (model.R, model.N)).copy()

    @override
    def together(self, model: SCOModel, votes: np.ndarray, voters: np.ndarray,
                 year: int) -> np.ndarray:
        # A corridor is built on its hosts' territory: where a host asked says no, it is
        # not built (nobody takes part), whatever the others want.
        refused = (self.hosts & voters & ~votes).any(axis=1)
        return votes & ~refused[:, None]


    @override
    def preview(self, model: SCOModel, participants: np.ndarray,
                terms: dict[str, np.ndarray] | None = None) -> Preview:
        """Annualised expected net value of the project to each invitee, over its expenditure.

        ``q (GE gain + (transit fees + energy value - O&M) / E') - rho (paid - recovered +
        owners' risk) / E'``: a
        standard expected NPV, ``-PV(payments) + PV(benefits x probability operating) +
        PV(salvage)``, each part as its level yearly equivalent at the rate of its present
        value: the money flows at the members' cost of funds ``rho``
        (:func:`~scosim.network.finance.annual_equivalent`), the benefits at the welfare
        rate ``r``, ``q`` the :func:`~scosim.network.finance.operating_share` of the
        failure probabilities, benefits from the end of construction (the hazard and the
        payments count from its start; the hazard, like the benefits, for as long as the
        project stands). A failure costs the benefits it stops; the investment it
        sinks is counted once, as paid. The bank's loss its owners bear (``bank_project``)
        is theirs to pay. Until 2026-12-05 the preview took the gain as certain and
        subtracted the expected loss of the hosts' sunk investment on top of its payment.
        US$ are over ``E'``, the GE's expenditure with the project in the same dollars
        (:mod:`scosim.model.gdp_shares`), as the run's welfare counts fee income: the GE
        gain is a share of real expenditure (until 2026-12-06 they were over GDP).

        Both GE solves start from this year's policy state without the proposal; the network
        is stepped with and without the project (other corridors in force as they are, the
        year's instability), so the gain is the project's own. The other slots' trade-cost
        factors (the finance slot's dollar channel, a plug-in's) apply to both sides, as the
        year's trade step applies them (:func:`~scosim.model.policy.with_slot_costs`).
        """
        value = self._value(model)
        pf = value["failure_prob"]
        # The lenders, each bank's board voting on the gains below (until 2026-12-06 a bank
        # in force lent whatever its owners gained), as they will be when the corridor
        # enters into force and borrows, after the ratification lag: the banks in force
        # then, their books then (until 2026-12-06 those of the vote year).
        entry = model.year + ratification_lag(model, self)
        fin = self._finance(model, pf, self._lenders(model, pf, lambda: value, year=entry))
        cost_share = self._cost_share(fin, value["expenditure_usd"])
        gain = value["benefit"] - cost_share
        info = {"ge_gain": value["ge_gain"], "cost_share_of_expenditure": cost_share,
                "upkeep_share_of_expenditure": value["upkeep"],
                "transit_fees_share_of_expenditure": value["fees"],
                "energy_value_share_of_expenditure": value["energy"],
                "expenditure_usd": value["expenditure_usd"],
                "operating_share": value["operating_share"]}
        return Preview(gain=gain, terms={}, info=info)

    def _value(self, model: SCOModel) -> dict[str, np.ndarray]:
        """The preview's valuation of the project, whoever finances it.

        Two GE solves; three for a freight project with a first phase below capacity, its
        phases weighted (:mod:`scosim.network.phased_preview`).

        Returns:
            ``benefit``: ``q (GE gain + (transit fees + energy value - O&M) / E')``,
            (R, N), the energy value what its deliveries are worth (``energy``, over E');
            ``expenditure_usd``: ``E'``; ``ge_gain``, ``fees`` and ``upkeep`` (the yearly
            O&M, over ``E'``), ``operating_share`` (``q``), and ``failure_prob``
            (:meth:`_failure_prob`).
        """
        from scosim.model.policy import preview_policy, with_slot_costs

        policy = preview_policy(model, exclude=self)
        inp = network_inputs(model, policy, model.year)
        # The network's own factor is the one varied below.
        policy = with_slot_costs(model, policy, skip=("network",))
        without = self.net.step_inputs(inp)
        act = inp["active"].copy()
        act[:, self.p_index] = True
        fee = inp["fee"].copy()
        fee[:, self.p_index] = self.proposal.transit_fee_usd_per_teu
        with_p = self.net.step_inputs({**inp, "active": act, "fee": fee})
        base = policy.cost_change
        w0 = model.solve_policy(policy.with_costs(base * without.t_hat)).welfare_change
        phases = [(1.0, with_p)]
        if self.phased:
            # A first phase below capacity: valued as the run carries it, over its years
            # (network.phased_preview; until 2026-12-06 at full capacity from the start).
            first = inp["initial_phase"].copy()
            first[:, self.p_index] = True
            w = first_phase_weight(DISCOUNT_RATE)
            phases = [(w, self.net.step_inputs({**inp, "active": act, "fee": fee,
                                                "initial_phase": first})),
                      (1.0 - w, with_p)]
        v = phase_benefits(model, policy, base, w0, without, phases, self.upkeep_usd)
        ge_gain, fees, upkeep = v["ge_gain"], v["fees"], v["upkeep"]
        expenditure = v["expenditure_usd"]  # E' with the project at full capacity
        # One set of failure probabilities for the payments, the salvage and the share of
        # the benefits delivered (until 2026-12-06 computed twice, once for each).
        pf = self._failure_prob(inp["instability"])
        # Benefits from the first operating year: construction brings none (the failure
        # hazard and the payments count from its start).
        operating = operating_share(pf, DISCOUNT_RATE, first_year=self.years_to_build)[:, None]
        # US$ paid or collected come out of (go into) expenditure E', as the run's welfare
        # counts fees (scosim.model.gdp_shares), at the GE with the project: until
        # 2026-12-06 over GDP, added to a gain that is a share of real expenditure.
        # The energy deliveries' worth as the run's welfare counts it, over TAPI's ramp.
        energy = (self.net.energy_value_usd(with_p, ramp=(self.p_index, DISCOUNT_RATE),
                                            tariffs=self.net.with_tariffs(self.p_index,
                                                                          self.tariffs))
                  - self.net.energy_value_usd(without)) / expenditure
        # The hosts' O&M (upkeep, above) is paid in the years the project operates, as the
        # benefits accrue, so the same operating share weighs it (docs/network.md).
        return {"benefit": operating * (ge_gain + fees + energy - upkeep), "energy": energy,
                "expenditure_usd": expenditure, "ge_gain": ge_gain, "fees": fees,
                "upkeep": upkeep, "failure_prob": pf,
                "operating_share": np.broadcast_to(operating, ge_gain.shape).copy()}

    # ------------------------------------------------------------------ policy
    @override
    def apply(self, policy: PolicyState, participants: np.ndarray, phase: np.ndarray,
              active: np.ndarray, terms: dict[str, np.ndarray] | None = None) -> None:
        R = policy.n_runs
        P = len(self.net.net.project_ids)
        ops = policy.levers.get(LEVER_OPERATING, np.full((R, P), -1, dtype=np.int64)).copy()
        fee = policy.levers.get(LEVER_FEE, np.zeros((R, P))).copy()
        # Construction starts no earlier than entry (failure_draw.construction_start).
        begin = construction_start(self.proposal.start_year, np.maximum(self.entry_year, 0))
        first = begin + self.years_to_build
        # Only one proposal of a project is adopted in a run (eligible_runs), but a preview
        # there applies this one beside the other: the earlier operating year counts.
        cur = ops[:, self.p_index]
        new = np.where(cur >= 0, np.minimum(cur, first), first)
        ops[:, self.p_index] = np.where(active, new, cur)
        fee[:, self.p_index] = np.where(active, self.proposal.transit_fee_usd_per_teu,
                                        fee[:, self.p_index])
        failed = policy.levers.get(LEVER_FAILED, np.full((R, P), -1, dtype=np.int64)).copy()
        failed[:, self.p_index] = np.where(active, self.fail_year, failed[:, self.p_index])
        policy.levers[LEVER_OPERATING] = ops
        policy.levers[LEVER_FEE] = fee
        policy.levers[LEVER_FAILED] = failed

    @override
    def enter_into_force(self, model: SCOModel, starting: np.ndarray, year: int) -> None:
        super().enter_into_force(model, starting, year)
        # Its deliveries pay its own tariff, to its own owners, in its runs.
        self.net.set_tariffs(self.p_index, self.tariffs, starting)
        from scosim.model.policy import preview_policy

        # The routes' instability as the year's network step will see it (the security
        # slot's insecurity when it is filled; preview_policy).
        inst = network_inputs(model, preview_policy(model, exclude=self), year)["instability"]
        pf = self._failure_prob(inst)
        # The board votes when the corridor borrows, on the preview's gains of this year:
        # valued (two GE solves) only if a bank in force with a board is asked.
        value: dict[str, np.ndarray] = {}

        def valued() -> dict[str, np.ndarray]:
            if not value:
                value.update(self._value(model))
            return value

        found = self._lenders(model, pf, valued)
        fin = self._finance(model, pf, found)
        self.paid = np.where(starting[:, None], fin.paid, self.paid)
        self.risk = np.where(starting[:, None], fin.risk, self.risk)
        self.recovered = np.where(starting[:, None], fin.recovered, self.recovered)
        self.owners_risk = np.where(starting[:, None], fin.owners_risk, self.owners_risk)
        self.funds_rate = np.where(starting, fin.discount_rate, self.funds_rate)
        # Whether and when it fails in each run, and what is paid and lost as it happens.
        self.fail_year = np.where(starting, realise(self, model, starting, year, pf, found),
                                  self.fail_year)
        for i, code in enumerate(model.codes):
            model.log.add(starting & self.hosts[i], year, "construction_start", code, self.pid)
        # The draw is made now, so the failure is logged now, dated its own year: the
        # events table then says which runs lost the project, and when.
        for when in np.unique(self.fail_year[starting & (self.fail_year >= 0)]):
            lost = starting & (self.fail_year == when)
            for i, code in enumerate(model.codes):
                model.log.add(lost & self.hosts[i], int(when), "corridor_failed", code,
                              self.pid, project=self.proposal.project)
        book_corridor_loans(self, model, starting, year, found)

    # ------------------------------------------------------------------ record
    @classmethod
    @override
    def recorded_indicators(cls, scenario: Any) -> dict[str, str]:
        """All its indicators with a corridor proposal; else only the net, or nothing.

        A run whose network slot holds the corridor network and no corridor proposal
        records ``corridor_net_welfare_pct`` alone (its welfare change: it pays for no
        corridor), so it pairs with a corridor run in ``scosim compare``; one without the
        corridor network, none (another mechanism in the slot, such as a plug-in's power
        pool, has no corridors to net).
        """
        from scosim.model.slots import mechanism_name, slot_names

        if any(p.type == cls.name for p in scenario.proposals):
            return dict(cls.indicators)
        held = slot_names(scenario.parameters.mechanisms.get("network"))
        if "corridor_network" not in {mechanism_name(n) for n in held}:
            return {}
        return {NET: cls.indicators[NET]}

    @override
    @classmethod
    def record(cls, model: SCOModel, arrangements: list[ProposalType],
               policy: PolicyState) -> dict[str, np.ndarray]:
        """The indicators of the year's corridors (:func:`corridor_indicators`)."""
        if not arrangements and NET not in cls.recorded_indicators(model.scenario):
            return {}
        return corridor_indicators(model, arrangements, policy)
