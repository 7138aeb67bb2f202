"""The banking union and national-currency settlement as proposal types (issue #15).

Both only write levers into the year's policy state; the ``finance`` slot
(:class:`scosim.finance.mechanism.BankingSystems`) reads them the same year.
Lever names (each with a leading run axis, documented in docs/finance.md):

* ``finance.supervision``, ``finance.deposit_insurance``, ``finance.resolution``,
  ``finance.information``: ``(R, N)`` 1.0 where the economy takes part in that
  component of a banking union in force, else 0.0;
* ``finance.supervision_effect``, ``finance.contribution_bp``, ``finance.mutualisation``,
  ``finance.backstop_mutual``, ``finance.fund_resolves``, ``finance.bail_in_share``,
  ``finance.public_backstop_brrd``, ``finance.trigger``: ``(R,)`` the union's
  parameters (NaN where none is in force);
* ``finance.settlement_floor``: ``(R, N, N)`` the national-currency settlement
  share each pair settles at least (0 where no settlement arrangement binds it).

Votes: the sovereignty cost is the proposal's ``depth`` (a banking union's from its
components, ``BankingUnionProposal.depth``); the economic term of a banking union is
each member's expected value of it over its first years in force, priced as insurance
(treasury saving less the banks' contributions, from the stand-alone crisis ensemble:
:mod:`scosim.finance.union_value`), as a fraction of the base-year GDP the balance
sheets are built on (``BankingSystems.base_gdp``), when the finance slot is filled,
else 0.
Neither type lets participants leave in the compliance phase: its effects are not in
the trade welfare that phase judges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.finance.netting import clearable_shares
from scosim.finance.spec import BankingUnionProposal, SettlementProposal, check_banking_union
from scosim.proposals import register_type
from scosim.proposals.base import Preview, ProposalType
from scosim.proposals.specs import ProposalSpec, check_settlement

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

__all__ = ["COMPONENTS", "UNION_PARAMETERS", "BankingUnion", "NationalCurrencySettlement"]

#: Banking-union components, each an ``(R, N)`` lever ``finance.<component>``.
COMPONENTS: tuple[str, ...] = ("supervision", "deposit_insurance", "resolution", "information")
#: Union parameters, each an ``(R,)`` lever ``finance.<name>``.
UNION_PARAMETERS: tuple[str, ...] = (
    "supervision_effect", "contribution_bp", "mutualisation", "backstop_mutual",
    "fund_resolves", "bail_in_share", "public_backstop_brrd", "trigger",
)

Issue = tuple[tuple[str | int, ...], str]


def _union_values(p: BankingUnionProposal) -> dict[str, float]:
    """The union's parameters (NaN for a component it leaves out)."""
    nan = float("nan")
    d, s, r, i = p.deposit_insurance, p.supervision, p.resolution, p.information
    return {
        "supervision_effect": s.effect if s else nan,
        "contribution_bp": d.contribution_bp if d else nan,
        "mutualisation": d.mutualisation if d else nan,
        "backstop_mutual": float(d.backstop == "mutual") if d else nan,
        "fund_resolves": float(d.fund_resolves) if d else nan,
        "bail_in_share": r.bail_in_share if r else nan,
        "public_backstop_brrd": float(r.public_backstop == "brrd") if r else nan,
        "trigger": i.trigger if i else nan,
    }


def _finance_mechanism(model: SCOModel) -> Any:
    for slot, mech in model.mechanisms:
        if slot == "finance" and hasattr(mech, "fiscal_saving"):
            return mech
    return None


def _saving_share(mech: Any, model: SCOModel, saving: np.ndarray) -> np.ndarray:
    """A fiscal saving ``(R, N)`` as a fraction of the GDP its balance sheets are built on.

    ``banking_systems`` keeps them in base-year US$ (``base_gdp``); a finance plug-in
    without that attribute is read against the base year's GDP of the calibration.
    """
    base = getattr(mech, "base_gdp", None)
    return saving / (np.asarray(base, dtype=float) if base is not None else model.gdp0)


@register_type
class BankingUnion(ProposalType):
    """SCO banking union with switchable components (Karagulov, seed 000)."""

    name = "banking_union"
    # Read by the banking_systems mechanism (scosim.model.lever_writers).
    writes_levers = tuple(f"finance.{n}" for n in (*COMPONENTS, *UNION_PARAMETERS))
    spec = BankingUnionProposal
    # Supervision and resolution transfer national authority: the Council's consensus
    # (SCO Charter art. 16), as for a customs union.
    default_decision_rule = "consensus"
    exit_allowed = False
    indicators = {"in_banking_union": "share of runs"}

    check = staticmethod(check_banking_union)  # light: validation declares it

    @override
    def apply(
        self,
        policy: PolicyState,
        participants: np.ndarray,
        phase: np.ndarray,
        active: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> None:
        R, N = participants.shape
        on = participants & active[:, None]
        chosen = self.proposal.components()
        for c in COMPONENTS:
            key = f"finance.{c}"
            old = policy.levers.get(key, np.zeros((R, N)))
            new = on if c in chosen else np.zeros_like(on)
            policy.levers[key] = np.maximum(old, new.astype(float))
        for name, value in _union_values(self.proposal).items():
            key = f"finance.{name}"
            old = policy.levers.get(key, np.full(R, np.nan))
            policy.levers[key] = np.where(active, value, old)

    @override
    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        # No trade effect: the economic term is each member's expected value of the union,
        # priced as insurance over its first years in force (scosim.finance.union_value),
        # a share of the base-year GDP (the balance sheets' scale). Until 2026-12-06 it was
        # the treasury saving of the vote's own year on its known events, without the
        # contributions: 0 for every member in a calm year, and a crisis the union, in
        # force a year later, could not cover. A finance plug-in without the stand-alone
        # system (``fs``) keeps that one-year saving.
        from scosim.finance.union_value import preview_union
        from scosim.model.policy import build_policy

        mech = _finance_mechanism(model)
        gain = np.zeros((model.R, model.N))
        if mech is not None and hasattr(mech, "fs") and hasattr(mech, "levers"):
            gain, info = preview_union(self, model, mech, participants)
            return Preview(gain=gain, terms={}, info=info)
        if mech is not None:
            without = build_policy(model, exclude=self)
            with_ = self.policy_if_adopted(model, participants, without=without)
            saving = mech.fiscal_saving(model, without, with_)
            gain = _saving_share(mech, model, saving)
        return Preview(gain=gain, terms={}, info={"fiscal_saving_share_gdp": gain.copy()})

    @override
    @classmethod
    def record(
        cls, model: SCOModel, arrangements: list[ProposalType], policy: PolicyState
    ) -> dict[str, np.ndarray]:
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.participants & arr.in_force[:, None]
        return {"in_banking_union": inside.astype(float)}


@register_type
class NationalCurrencySettlement(ProposalType):
    """Raise the national-currency share of mutual settlements (SCO roadmap, seed 000).

    Writes ``finance.settlement_floor``; the finance slot settles each participant
    pair's trade at least at ``share`` in national currencies, capped by what the pair's
    trade clears (the spec's ``clearing``, :func:`scosim.finance.netting.clearable_shares`),
    which shields it from the dollar channel of sanctions (trade costs and frozen
    payments). Preview: when
    the finance slot is filled, the GE welfare gain of the lower dollar-channel trade
    costs under this year's sanctions (two solves, with and without: the difference of
    their welfare changes, the record's ``settlement_welfare_gain_pct`` / 100, at last
    year's GDP path, since the year's is drawn after the summit); otherwise 0. The
    sovereignty cost is the spec's ``depth``.
    """

    name = "national_currency_settlement"
    writes_levers = ("finance.settlement_floor",)  # read by banking_systems
    spec = SettlementProposal
    check = staticmethod(check_settlement)  # declared to validation (proposals/builtin)
    # The SCO's practice on economic projects: the interested members go ahead.
    default_decision_rule = "interested_members"
    exit_allowed = False
    indicators = {
        "in_settlement_arrangement": "share of runs",
        "settlement_welfare_gain_pct": "percentage points of real expenditure: the year's "
                                       "welfare with its settlement arrangements less without "
                                       "them, sanctions as they are",
    }
    # What settling in national currencies is for: shielding trade from the dollar channel
    # of sanctions. The run's welfare table is against no policy *and* no sanctions, so it
    # mixes the sanctions in (finance_crisis_settlement read as finance_crisis did).
    headline = {"settlement_welfare_gain_pct": "level"}

    def __init__(self, model: SCOModel, proposal: ProposalSpec) -> None:
        super().__init__(model, proposal)
        # The base-year trade (CIF, before duties: what importers pay exporters) whose
        # imbalances bound what the pairs can settle in their currencies.
        self.trade = np.asarray(model.trade_cif0, dtype=float)

    @override
    def apply(
        self,
        policy: PolicyState,
        participants: np.ndarray,
        phase: np.ndarray,
        active: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> None:
        R, N = participants.shape
        on = participants & active[:, None]
        pair = on[:, :, None] & on[:, None, :]
        share = self.proposal.share * np.asarray(phase, dtype=float)
        # A pair settles in its currencies at most what clears (docs/finance.md section 4):
        # beyond it the surplus side would hold a balance it cannot spend.
        cap = clearable_shares(self.trade, on, self.proposal.clearing)
        old = policy.levers.get("finance.settlement_floor", np.zeros((R, N, N)))
        policy.levers["finance.settlement_floor"] = np.where(
            pair, np.maximum(old, np.minimum(share[:, None, None], cap)), old)

    @override
    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        from scosim.model.policy import preview_policy, with_slot_costs

        mech = _finance_mechanism(model)
        gain = np.zeros((model.R, model.N))
        if mech is not None and any(
                e.type == "sanctions" and e.year == model.year for e in model.scenario.events):
            # Every slot's trade-cost factors on both sides, the finance slot's dollar
            # channel under each side's settlement shares among them.
            without = preview_policy(model, exclude=self)
            with_ = self.policy_if_adopted(model, participants, without=without)
            w = [model.solve_policy(with_slot_costs(model, pol)).welfare_change
                 for pol in (without, with_)]
            # The difference, as the record's settlement_welfare_gain_pct (/ 100), on the
            # inputs the summit has: the record's measure but for the year's GDP path,
            # drawn by the growth slot after the vote, to which a moving baseline
            # re-bases the flows (tests/test_settlement_gain.py: equal run by run with a
            # fixed baseline; up to 0.03 points apart with the moving one).
            # Until 2026-12-06 the ratio w1 / w0 - 1 (larger by 1 / w0).
            gain = w[1] - w[0]
        return Preview(gain=gain, terms={})

    @override
    @classmethod
    def record(
        cls, model: SCOModel, arrangements: list[ProposalType], policy: PolicyState
    ) -> dict[str, np.ndarray]:
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.participants & arr.in_force[:, None]
        # Validation requires the finance slot; a finance plug-in without the dollar
        # channel of banking_systems leaves nothing to measure (0).
        mech = _finance_mechanism(model)
        gain = (np.zeros((model.R, model.N)) if mech is None
                else _settlement_gain(model, mech, policy, inside))
        return {"in_settlement_arrangement": inside.astype(float),
                "settlement_welfare_gain_pct": gain}


def _settlement_gain(model: SCOModel, mech: Any, policy: PolicyState,
                     inside: np.ndarray) -> np.ndarray:
    """Welfare gain ``(R, N)`` of the year's settlement floors, points, everything else as is.

    Two trade solves of the year, at the tariffs its trade step solved with: the year's
    trade costs, and the same with the dollar channel's factors of this year's sanctions
    recomputed without any settlement floor; the difference of their welfare changes (both
    against the year's baseline, as ``welfare_change_pct``), so it adds up with that indicator.
    0 without sanctions or arrangements in force.
    """
    gain = np.zeros((model.R, model.N))
    if not inside.any() or not mech.sanctions(model, model.year).any():
        return gain
    without = policy.copy()
    without.levers.pop("finance.settlement_floor", None)
    f_with = mech.trade_cost_factor(model, policy)
    f_without = mech.trade_cost_factor(model, without)
    c = policy.cost_change
    # Pairs the floors do not touch keep their costs exactly (c / f * f may round).
    c_without = np.where(f_with == f_without, c, c / f_with * f_without)
    tariffs, sigma = model.tariffs_solved, model.sigma_solved
    w = [model.solve_policy(p, tariffs=tariffs, sigma=sigma).welfare_change
         for p in (policy, policy.with_costs(c_without))]
    return (w[0] - w[1]) * 100.0
