"""What a year's corridor proposals record: operation, payments, risk, the net and deliveries.

The body of :meth:`scosim.network.corridor.Corridor.record`, kept apart so the proposal
type's module stays about its vote, finance and entry into force.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.model.gdp_shares import expenditure_usd, gdp_over_expenditure
from scosim.network.mechanism import LEVER_FAILED, operating_projects, shared_network

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

NET = "corridor_net_welfare_pct"
#: The part of the welfare change that is the energy corridors' deliveries' worth.
ENERGY = "corridor_energy_pct"
#: The part of ``corridor_cost_usd`` from the corridors the economy pays for.
OWN_COST = "corridor_own_cost_usd"


def energy_parties(model: SCOModel, arrangements: list[Any]) -> np.ndarray:
    """``(R, N)`` bool: party to an energy project adopted in the run.

    An exporter, importer or transit economy of one of its links, whether the project
    operates, has failed or is not yet built.
    """
    links = shared_network(model).net.links
    out = np.zeros((model.R, model.N), bool)
    for arr in arrangements:
        on = links.project == arr.p_index
        if not on.any():  # a transport corridor
            continue
        party = np.zeros(model.N, bool)
        party[links.exporter[on]] = True
        party[links.importer[on]] = True
        party |= links.transit[on].any(axis=0)
        out |= arr.in_force[:, None] & party[None, :]
    return out


def energy_pct(model: SCOModel, parties: np.ndarray | None = None) -> np.ndarray:
    """``(R, N)`` the energy deliveries' part of ``welfare_change_pct`` (nan: none).

    The trade step counts income out of the GE's sight, a share ``s`` of GDP, as
    ``welfare = W_ge (1 + s GDP / E')`` (``scosim.model.builtin_mechanisms``); the
    energy value's part of it is ``100 W_ge s_energy GDP / E'``, the rest of the welfare
    change the GE's trade gain and the transit fees. Reported beside the welfare so the
    answer shows how much of a gain is energy rent, not trade (since 2026-12-07).
    """
    energy = getattr(model, "network_energy_usd", None)
    if energy is None or (parties is not None and not parties.any()):
        return np.full((model.R, model.N), np.nan)
    energy = np.asarray(energy, float)
    share = energy / np.maximum(model.gdp, 1.0) * gdp_over_expenditure(model, model.ge)
    pct = 100.0 * np.asarray(model.ge.welfare_change, float) * share
    # Blank where the economy is party to no energy project of the run (a transport
    # corridor); 0 where it is, but nothing is delivered (the line has failed or is not yet
    # built), as its welfare change: blanking those runs by value would leave the energy
    # part's statistics to the runs whose line stands (until 2026-12-07).
    if parties is None:
        parties = energy != 0.0
    return np.where(parties, pct, np.nan)


def fee_base(model: SCOModel, arrangements: list[Any], step: Any) -> np.ndarray:
    """``(R, N)`` what US$1 a TEU on the freight corridors' routes brings each economy.

    The year's traffic on the routes of the freight corridors proposed here, as their
    transit fees are credited (:meth:`scosim.network.step.CorridorNetwork.fee_base_teu`);
    zeros without a network step or a freight corridor.
    """
    net = shared_network(model).net
    carrier = net.tables.projects["carrier"]
    mask = np.zeros(len(net.project_ids), bool)
    for arr in arrangements:
        mask[arr.p_index] |= carrier.iloc[arr.p_index] == "freight"
    if step is None or not mask.any():
        return np.zeros((model.R, model.N))
    return net.fee_base_teu(step.edge_flow_mt, mask)


def corridor_indicators(model: SCOModel, arrangements: list[Any],
                        policy: PolicyState) -> dict[str, np.ndarray]:
    """The corridor indicators ``(R, N)`` of the model's year.

    Args:
        model: The model, after the year's trade step.
        arrangements: The year's :class:`~scosim.network.corridor.Corridor` arrangements
            (empty: the net alone, equal to the welfare change).
        policy: The year's policy state (its operating-year lever).

    Returns:
        Indicator name to array of runs x economies.
    """
    if not arrangements:  # no corridor: the net is the welfare change
        # welfare_change_pct's own expression, so the two are equal to the bit.
        return {NET: (np.asarray(model.welfare, float) - 1.0) * 100.0}
    operating = np.zeros((model.R, model.N), bool)
    failed = np.zeros((model.R, model.N), bool)
    paid = np.zeros((model.R, model.N))
    risk = np.zeros((model.R, model.N))
    paid_exp = np.zeros((model.R, model.N))
    risk_exp = np.zeros((model.R, model.N))
    cost = np.zeros((model.R, model.N))
    own = np.zeros((model.R, model.N))  # from the corridors the economy pays for
    ops = operating_projects(policy.levers, model.year)  # built and not failed
    gone = policy.levers.get(LEVER_FAILED)
    # The year's expenditure E' in US$, as the preview divides by its year's (at its GE
    # with the project, here the year's own): the level yearly charge is a smaller share
    # of a larger economy (docs/network.md, "One rate for a present value and its
    # annual equivalent").
    expenditure = expenditure_usd(model, model.ge)
    for arr in arrangements:
        if gone is not None:
            down = (gone[:, arr.p_index] >= 0) & (model.year >= gone[:, arr.p_index])
            failed |= (down & arr.in_force)[:, None] & arr.hosts[None, :]
        if ops is not None:
            on = ops[:, arr.p_index]
            operating |= on[:, None] & arr.hosts[None, :]
            # O&M from the first operating year, as the preview counts it.
            upkeep = np.where((on & arr.in_force)[:, None], arr.upkeep_usd / expenditure,
                              0.0)
            cost += upkeep
            own += upkeep  # the payers' alone (upkeep_usd is in their cost shares)
        # As the run knows them this year: paid and lost where the corridor has failed,
        # expected given that it stands elsewhere (network.failure_draw).
        known_paid, known_risk, _, _ = arr.known.at(model.year)
        paid += np.where(arr.in_force[:, None], known_paid, 0.0)
        risk += np.where(arr.in_force[:, None], known_risk, 0.0)
        paid_exp += np.where(arr.in_force[:, None], arr.paid, 0.0)
        risk_exp += np.where(arr.in_force[:, None], arr.risk, 0.0)
        annual = np.where(arr.in_force[:, None], arr._annual_cost(expenditure, model.year),
                          0.0)
        cost += annual
        # A payer's part only: a lender's owners' share (expected loss, interest subsidy)
        # of a corridor they do not pay for stays out, so the answer can read a project's
        # break-even off its payers' rows when another corridor of the run is lent to
        # (access_answer, own_cost_usd).
        own += np.where(arr.host_shares[None, :] > 0, annual, 0.0)
    # Deliveries of the projects in operation this year (after transit insecurity and
    # closures), as the network step found them; only projects proposed here operate.
    # Recorded for transport corridors too (zeros): every declared indicator is recorded.
    step = getattr(model, "network_step", None)
    energy = {} if step is None else step.indicators
    none = np.zeros((model.R, model.N))
    # The welfare change less the annualised payments and owners' risk and the year's
    # O&M, as the vote scores the project: the preview's net gain realised. Where an
    # economy pays and risks nothing the cost is 0.0 and the net is its welfare change.
    net = (np.asarray(model.welfare, float) - 1.0) * 100.0 - 100.0 * cost
    return {"corridor_operating": operating.astype(float), "corridor_paid_usd": paid,
            # The net's yearly cost in US$ and the traffic an access charge would bill: the
            # answer's break-even fee (network.access_answer; an outside review, 2026-12-07).
            "corridor_cost_usd": cost * expenditure,
            OWN_COST: own * expenditure,
            "corridor_fee_base_teu": fee_base(model, arrangements, step),
            "corridor_failed": failed.astype(float),
            "corridor_paid_expected_usd": paid_exp, "corridor_risk_expected_usd": risk_exp,
            "corridor_risk_usd": risk, NET: net,
            ENERGY: energy_pct(model, energy_parties(model, arrangements)),
            "corridor_gas_bcm": np.asarray(energy.get("gas_project_bcm", none), float),
            "corridor_power_twh": np.asarray(energy.get("power_imports_twh", none), float),
            "corridor_gas_sold_bcm": np.asarray(
                energy.get("gas_project_exports_bcm", none), float),
            "corridor_power_sold_twh": np.asarray(
                energy.get("power_exports_twh", none), float)}
