"""Built-in mechanisms: the GDP path (slot ``growth``) and the GE trade solve (``trade``).

Known to the registry by name and slot before this module is imported
(:mod:`scosim.model.mechanism_names`, with the other built-in mechanisms), so that
validating a scenario does not import numpy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.mechanisms import customs_union as cu
from scosim.mechanisms import welfare_terms as wt
from scosim.mechanisms.baseline_path import adjustment_share, short_run_inputs
from scosim.model.gdp_shares import gdp_in_ge_dollars, gdp_over_expenditure
from scosim.model.ge_cache import solve_cached
from scosim.model.slots import Mechanism, register_mechanism

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState


#: What every US$ amount of the GE solve is: nominal dollars of its year on the model's GDP
#: path (extrapolated past the record: README, "Limitations"), not constant dollars. Said
#: in each unit, so that compare's rows (and the answer's bloc totals) say it too.
ON_PATH = "current, of the year on the model's GDP path"


@register_mechanism
class CalibratedGrowth(Mechanism):
    """Baseline GDP path: log growth = trend + volatility * shock (nominal US$).

    Shocks are the model's ``growth`` stream, drawn for every year at set-up;
    the year's draw ``vol * scale * z`` is added to ``model.gdp_shock`` (read by
    the finance slot).

    With ``parameters.growth.mode: historical`` an economy's GDP in a year the record
    covers (``model.history_ratio`` finite) is its base-year level times the recorded
    ratio, times the GDP-shock events of the run so far (permanent, as on the model's
    path): no trend, no draw. Its deviation from trend that year, the record's log
    growth minus the trend, is what it adds to ``gdp_shock``. Other years follow
    trend and shock from the previous level.
    """

    name = "calibrated_growth"
    slot = "growth"
    writes_levers = ()  # it moves the GDP path, not the policy state
    indicators = {"gdp_baseline_path_usd": f"US$ ({ON_PATH})"}

    @override
    def setup(self, model: SCOModel) -> None:
        # log of the GDP-shock events' multipliers so far, (R, N): kept on the record's path
        self._events = np.zeros((model.R, model.N))

    @override
    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        z = model.growth_z[:, model.year_index(year), :]
        trend, scale = model.growth_parameters(year)
        shock = model.vol * scale[:, None] * z
        new = model.gdp * np.exp(trend + shock)
        if model.history_ratio is not None:
            # gdp_shock holds this year's events only here (reset by the events phase)
            self._events += model.gdp_shock
            ratio = model.history_ratio[model.year_index(year)]
            known = np.isfinite(ratio)
            if known.any():
                recorded = model.gdp0 * np.where(known, ratio, 1.0) * np.exp(self._events)
                new = np.where(known, recorded, new)
                # before the update model.gdp already carries this year's events
                shock = np.where(known, np.log(new / model.gdp) - trend, shock)
        model.gdp_shock = model.gdp_shock + shock
        model.gdp[...] = new

    @override
    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        return {"gdp_baseline_path_usd": model.gdp.copy()}


#: Indicators taken from the union accounting (docs/customs_union.md), renamed so
#: that money values say their unit (US$; TRADE_UNITS below).
REPORTED_TRADE_INDICATORS: dict[str, str] = {
    "exports": "exports_usd",
    "imports": "imports_usd",
    "exports_change_pct": "exports_change_pct",
    "imports_change_pct": "imports_change_pct",
    "intra_union_imports": "intra_union_imports_usd",
    "intra_union_share": "intra_union_share",
    "trade_creation": "trade_creation_usd",
    "trade_diversion": "trade_diversion_usd",
    "tariff_revenue_before": "tariff_revenue_before_usd",
    "tariff_revenue_collected": "tariff_revenue_collected_usd",
    "tariff_revenue_after_sharing": "tariff_revenue_after_sharing_usd",
    "terms_of_trade_change_pct": "terms_of_trade_change_pct",
}


#: Units of the reported trade indicators (definitions: docs/customs_union.md, "Union
#: accounting"): values before tariffs against the year's baseline flows.
_VALUE = f"US$ ({ON_PATH}; the year's baseline prices, before tariffs)"
TRADE_UNITS: dict[str, str] = {
    "exports_usd": _VALUE,
    "imports_usd": _VALUE,
    "exports_change_pct": "percent, against the year's baseline",
    "imports_change_pct": "percent, against the year's baseline",
    "intra_union_imports_usd": _VALUE,
    "intra_union_share": "fraction of imports",
    "trade_creation_usd": _VALUE,
    "trade_diversion_usd": _VALUE,
    "tariff_revenue_before_usd": _VALUE,
    "tariff_revenue_collected_usd": _VALUE,
    "tariff_revenue_after_sharing_usd": _VALUE,
    "terms_of_trade_change_pct": "percent",
}
assert set(TRADE_UNITS) == set(REPORTED_TRADE_INDICATORS.values())


#: The unit of the three terms the welfare change splits into (docs/customs_union.md).
_TERM = "of the year's baseline real expenditure (one of the three terms of the welfare change)"

#: The unit of the parts the welfare change splits into by what expenditure is made of
#: (docs/customs_union.md, "Explained results"): with the tariff revenue term they add
#: up to ``welfare_change_pct`` exactly.
_PART = ("of the year's baseline real expenditure (a part of the welfare change: real GDP, "
         "tariff revenue, deficit and other income add up to it)")

#: Explained results (docs/customs_union.md, "Explained results").
EXPLAINED_INDICATORS: dict[str, str] = {
    # A unit, then what the term is part of in words: "percent (term of
    # welfare_change_pct)" put an indicator code where a reader looks for the unit.
    "welfare_tariff_revenue_pct": f"percent {_TERM}",
    "welfare_terms_of_trade_pct": f"percent {_TERM}",
    "welfare_rest_pct": f"percent {_TERM}",
    "welfare_real_gdp_pct": f"percent {_PART}",
    "welfare_deficit_pct": f"percent {_PART}",
    "welfare_other_income_pct": f"percent {_PART}",
    "ev_usd": f"US$ ({ON_PATH}; against the year's baseline)",
    "ev_members_usd": f"US$ ({ON_PATH}), total of the accounting bloc (same in every column)",
    "ev_outsiders_usd": f"US$ ({ON_PATH}), total of all others (same in every column)",
    "ev_world_usd": f"US$ ({ON_PATH}), world total (same in every column)",
    "ev_member_usd": f"US$ ({ON_PATH}), this economy's EV where it is in the accounting "
                     "bloc (NaN outside it)",
    "ev_other_members_usd": f"US$ ({ON_PATH}), the accounting bloc's total less this "
                            "economy's EV, where it is a member (NaN outside it)",
    "ev_members_pct": "percent of the members' baseline expenditure together (same in "
                      "every column)",
    "ev_outsiders_pct": "percent of the outsiders' baseline expenditure together (same in "
                        "every column)",
    "ev_world_pct": "percent of the world's baseline expenditure (same in every column)",
    "union_external_tariff_before_pct": "percent, weighted by the year's baseline imports",
    "union_external_tariff_after_pct": "percent, weighted by the year's baseline imports",
    "art24_external_tariff_raised": "1 if the bloc's average external tariff rose",
    "outsiders_loss_exceeds_members_gain": "1 if outsiders lose more than members gain",
    "trade_adjustment_share": "share of the long-run trade response reached (1 where an "
                              "arrangement in force left the tariffs at base: nothing to "
                              "adjust)",
}


def years_in_force(model: SCOModel, year: int) -> np.ndarray:
    """``(R,)`` years since the first arrangement in force entered into force (-1: none).

    Says whether anything is in force; the adjustment clock itself starts with the
    first change of a run's tariffs (:class:`GETrade`).
    """
    first = np.full(model.R, np.iinfo(np.int64).max)
    for arr in model.arrangements:
        started = arr.in_force & (arr.entry_year >= 0)
        first = np.where(started, np.minimum(first, arr.entry_year), first)
    return np.where(first == np.iinfo(np.int64).max, -1, year - first)


@register_mechanism
class GETrade(Mechanism):
    """Structural gravity GE counterfactual of the year's policy state against the year's baseline.

    Reads ``policy.tariffs``, ``policy.ban_change``, ``policy.cost_change`` and
    ``policy.sharing``; the
    union accounting follows ``policy.bloc``. The baseline is re-based along the
    GDP path (``parameters.trade.moving_baseline``) and trade responds to tariff
    changes gradually (``short_run_share``, ``adjustment_years``).
    """

    name = "ge_trade"
    slot = "trade"
    writes_levers = ()  # it reads the welfare levers, writes none
    indicators = {
        "gdp_usd": f"US$ ({ON_PATH})",
        "welfare_change_pct": "percent of the year's baseline real expenditure",
        "real_gdp_change_pct": "percent of the year's baseline real GDP",
        **TRADE_UNITS,
        **EXPLAINED_INDICATORS,
    }

    #: Reuse the previous year's solve for runs whose inputs did not change
    #: (bit-identical results; see scosim.model.ge_cache). Off only to test that.
    cache_solves: bool = True

    @override
    def setup(self, model: SCOModel) -> None:
        # First year of each run's current spell away from the base tariffs (-1: at them):
        # the adjustment clock. It used to start with the first arrangement of any kind, so a union
        # entering after a corridor or a settlement started part-way adjusted.
        self.first_moved = np.full(model.R, -1, dtype=np.int64)

    @override
    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        trade = model.scenario.parameters.trade
        model.tariffs = policy.tariffs
        tariffs_moved = np.any(policy.tariffs != model.tau0, axis=(-2, -1))
        if policy.ban_change is not None:  # a lifted ban is trade policy too
            tariffs_moved |= np.any(policy.ban_change != 1.0, axis=(-2, -1))
        # The clock runs from the first year of the current spell away from the base
        # tariffs: back at them (a union dissolved), it stops, so a later union starts at
        # the short-run share again (it started at 0.925 a year after one had dissolved).
        self.first_moved = np.where(~tariffs_moved, -1,
                                    np.where(self.first_moved < 0, year, self.first_moved))
        since = np.where(self.first_moved < 0, -1, year - self.first_moved)
        share = adjustment_share(since, trade.short_run_share, trade.adjustment_years)
        # Only tariffs adjust gradually: a run with an arrangement in force but its legal
        # tariffs the base ones (a corridor, a settlement) solves the same at any share,
        # and its figures said "trade still adjusts" about tariffs that never changed.
        in_force = years_in_force(model, year) >= 0
        self.share = np.where(tariffs_moved, share, np.where(in_force, 1.0, 0.0))
        # The short run is the legal tariffs at a lower elasticity (the trade response is
        # the share a of the long-run one), not partly cut tariffs: the latter collected
        # duty on imports the union had made duty-free and flipped revenue terms' signs.
        self.solved_tariffs, self.solved_sigma = short_run_inputs(
            model.tau0, policy.tariffs, model.sigma, self.share
        )
        # The flows of model.ge are priced at these (the legal ones once a > 0).
        model.tariffs_solved = self.solved_tariffs
        model.sigma_solved = self.solved_sigma
        self.flows = model.baseline_flows()
        if trade.moving_baseline:
            model.rebase_start = self.flows  # next year's re-basing starts from this year's
        if self.cache_solves and not trade.moving_baseline:
            # The cache solves against the base-year flows: valid while the baseline
            # does not move; it keys on the tariffs actually solved with.
            model.ge = solve_cached(model, replace(policy, tariffs=self.solved_tariffs),
                                    sigma=self.solved_sigma)
        else:
            model.ge = model.solve_policy(policy, tariffs=self.solved_tariffs,
                                          sigma=self.solved_sigma)
        # Costs out of income written by earlier slots (e.g. security spending above
        # its baseline, share of GDP): real expenditure left for other uses falls by them;
        # income the GE does not see (transit fees a host collects) raises it. Both are
        # shares of GDP and come out of (go into) expenditure, which differs from GDP by
        # the trade deficit and tariff revenue: a US$ C changes real expenditure by C / E'.
        # C is the share times the run's GDP (spending_usd), not the GE's output: until
        # 2026-12-06 it was, 1.21 GDP for the UAE (domestic sales floored in the data).
        cost = policy.levers.get("welfare_cost_share")
        income = policy.levers.get("welfare_income_share")
        net = np.zeros((model.R, model.N))
        if cost is not None:
            net = net - cost
        if income is not None:
            net = net + income
        model.welfare = model.ge.welfare_change * (
            1.0 + net * gdp_over_expenditure(model, model.ge))
        # The same income as its own part of the welfare change, net GDP / (E P_hat): the
        # GE's W_hat = E' / (E P_hat) times net GDP / E' (welfare_other_income_pct).
        self.other_income = net * gdp_in_ge_dollars(model) / (
            np.asarray(model.ge.baseline_expenditure, dtype=float)
            * np.asarray(model.ge.price_index_change, dtype=float))
        model.real_gdp_change = model.ge.real_gdp_change

    @override
    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        ge = model.ge
        out = {
            # GDP in current US$: the path times the factory-gate price change (output
            # volumes of the Armington economy do not respond to tariffs).
            "gdp_usd": model.gdp * ge.price_change,
            "welfare_change_pct": (model.welfare - 1.0) * 100.0,
            "real_gdp_change_pct": (model.real_gdp_change - 1.0) * 100.0,
        }
        bloc = policy.bloc_or_none()
        # (N, N) inputs go in unbroadcast: union_indicators works on a shared matrix once
        extra = cu.union_indicators(self.flows, ge, bloc, model.tau0, self.solved_tariffs)
        for name, reported in REPORTED_TRADE_INDICATORS.items():
            out[reported] = np.asarray(extra[name], dtype=float)
        # Art. XXIV compares the duties of the legal schedule (before 2026-12-05 the year's
        # solve used partly adjusted tariffs, which understated the CET while trade adjusted).
        out.update(explained(model, ge, bloc, self.flows, model.tariffs, self.other_income))
        out["trade_adjustment_share"] = np.broadcast_to(self.share[:, None], (model.R, model.N))
        return out


def explained(
    model: SCOModel, ge: Any, bloc: np.ndarray, flows: np.ndarray, tariffs: np.ndarray,
    other_income: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Welfare terms, US$ EV, group totals and the Art. XXIV check, each ``(R, N)``.

    ``other_income``: income less costs outside the trade solve as a part of the welfare
    change (``(R, N)`` fractions, :meth:`GETrade.step`); zero when not given.
    """
    R, N = model.R, model.N
    terms = wt.decompose_welfare(ge, flows)
    other = (np.zeros((R, N)) if other_income is None
             else np.broadcast_to(np.asarray(other_income, dtype=float), (R, N)))
    # EV of the welfare the run records: net of costs out of income an earlier slot wrote
    # (security spending above its baseline), which the three trade terms do not explain.
    ev = (np.asarray(model.welfare, dtype=float) - 1.0) * np.asarray(
        ge.baseline_expenditure, dtype=float)
    tot = wt.group_totals(ev, bloc)
    # Each group's EV as a share of its expenditure, a ratio within each run: a total in
    # US$ bn says nothing of its size (the world's +4 bn is a few thousandths of a percent).
    spend = wt.group_totals(np.broadcast_to(np.asarray(ge.baseline_expenditure, dtype=float),
                                            (R, N)), bloc)
    before, after = wt.average_external_tariffs(
        [model.tau0, tariffs], flows / (1.0 + model.tau0), bloc)
    has = bloc.any(axis=1)
    nan = np.full(R, np.nan)

    def col(v: np.ndarray) -> np.ndarray:
        return np.broadcast_to(v[:, None], (R, N)).copy()

    loss_flag = np.where(has, (-tot["others"] > tot["group"]).astype(float), nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = {k: 100.0 * tot[k] / spend[k] for k in tot}
    # A member's own EV and the rest of the bloc's, per run: the members' total hid that
    # one member gained more than all of it while the others lost in every run (review).
    member = np.where(bloc, ev, np.nan)
    return {
        "welfare_tariff_revenue_pct": terms["tariff_revenue"] * 100.0,
        "welfare_terms_of_trade_pct": terms["terms_of_trade"] * 100.0,
        "welfare_rest_pct": terms["rest"] * 100.0,
        # The same change by what expenditure is made of (with the revenue term above):
        # why real GDP and welfare can move apart (scosim.welfare_split).
        "welfare_real_gdp_pct": terms["real_gdp"] * 100.0,
        "welfare_deficit_pct": terms["deficit"] * 100.0,
        "welfare_other_income_pct": other * 100.0,
        "ev_usd": ev,
        "ev_members_usd": col(np.where(has, tot["group"], nan)),
        # No bloc, no outsiders: the world's EV under "outsiders" was read as a union's
        # effect on non-members where none formed (a sanctions scenario's -57 bn).
        "ev_outsiders_usd": col(np.where(has, tot["others"], nan)),
        "ev_world_usd": col(tot["world"]),
        "ev_member_usd": member,
        "ev_other_members_usd": np.where(bloc, tot["group"][:, None] - ev, np.nan),
        "ev_members_pct": col(np.where(has, share["group"], nan)),
        "ev_outsiders_pct": col(np.where(has, share["others"], nan)),
        "ev_world_pct": col(share["world"]),
        "union_external_tariff_before_pct": col(before * 100.0),
        "union_external_tariff_after_pct": col(after * 100.0),
        "art24_external_tariff_raised": col(np.where(has, (after > before + 1e-12) * 1.0, nan)),
        "outsiders_loss_exceeds_members_gain": col(loss_flag),
    }
