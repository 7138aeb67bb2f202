"""Customs union (Karagulov, seed 000): free trade inside, a common external tariff.

The economics are the pure kernels of :mod:`scosim.mechanisms.customs_union`
(CET rule, phased union tariffs, revenue-sharing matrix, union accounting);
this module only says how the proposal plugs into the Council and the policy
state. Default decision rule: consensus (SCO Charter art. 16; a common external
tariff binds every participant's trade policy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.data.calibration import derived, read_only
from scosim.data.constants import ROW
from scosim.data.tariffs import ROW_SHARE
from scosim.mechanisms import customs_union as cu
from scosim.mechanisms.art_xxiv import art_xxiv_cet
from scosim.mechanisms.blocs import within_one_bloc
from scosim.mechanisms.cet_schedule import composition_weights, schedule_factors
from scosim.mechanisms.ntb import cut_ntb
from scosim.mechanisms.suspensions import hold_suspended, lift_bans, suspended_pairs
from scosim.model.events import EventField
from scosim.proposals import register_type
from scosim.proposals.base import ProposalType
from scosim.proposals.specs import (  # noqa: F401 - re-exported
    CustomsUnionProposal,
    check_customs_union,
    scenario_issues,
    spec_issues,
)

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState

Issue = tuple[tuple[str | int, ...], str]


def _row_pairs(cal: Any, codes: tuple[str, ...]) -> np.ndarray | None:
    """``(N, N)`` ones with the Rest of World's row holding each importer's MFN share.

    ``None`` when the calibration has no ``tariff_row_mfn_share`` or all of it is 1
    (version 2019; tables built before the column).
    """
    c = cal.countries
    if ROW_SHARE not in c.columns or ROW not in codes:
        return None
    share = c.loc[list(codes), ROW_SHARE].to_numpy(dtype=float)
    if np.all(share == 1.0):
        return None
    out = np.ones((len(codes), len(codes)))
    out[codes.index(ROW)] = share
    out[codes.index(ROW), codes.index(ROW)] = 1.0
    return read_only(out)


class BlocAware(ProposalType):
    """Existing customs unions (EAEU, GCC) take part as blocs.

    Rule (docs/customs_union.md, "Blocs and agreements in force"): a bloc is the
    set of economies linked by a customs union in force in the calibration's base
    year. When any member of a bloc is invited, the whole bloc is invited (its
    trade policy is a bloc competence); the bloc says yes only if every member
    does (its members' combined decision is unanimity: one no keeps the whole
    bloc out); it joins later together, and when one member leaves the whole
    bloc leaves. Each such extension and exit is logged. A bloc leaves as one only
    where the arrangement reaches beyond it: an arrangement whose participants are
    all in one bloc is that bloc (the EAEU of the hindcast), and a member leaving it
    leaves alone.
    """

    event_fields = {
        "bloc": EventField("str", "bloc_invited: the bloc's members, space-separated"),
    }

    def __init__(self, model: SCOModel, proposal: Any) -> None:
        super().__init__(model, proposal)
        cal = model.cal
        spells = getattr(cal, "agreement_spells", None)
        codes, year = tuple(model.codes), int(cal.base_year)

        def blocs() -> tuple[list[np.ndarray], np.ndarray]:
            return ([read_only(g) for g in cu.customs_union_blocs(spells, codes, year)],
                    read_only(cu.preference_pairs(spells, codes, year)))

        # The same for every model of these economies: found once per calibration.
        groups, self.preferences = derived(cal, ("customs_union_blocs", codes, year), blocs)
        self.blocs = list(groups)
        self._check_count(model, proposal)
        self.suspended = derived(cal, ("suspended_pairs", codes), lambda: read_only(
            suspended_pairs(cal.provenance, codes)))
        # The bans among them (no revenue), iceberg factors at the scenario's sigma.
        self.ban_factor: np.ndarray | None = getattr(model, "ban_factor", None)
        # Share of each importer's imports from the Rest of World that pays MFN; the rest
        # enters under agreements outside the 27 (scosim.data.row_tariff).
        self.row_pairs: np.ndarray | None = derived(cal, ("row_mfn_pairs", codes),
                                                    lambda: _row_pairs(cal, codes))

    def _check_count(self, model: SCOModel, proposal: Any) -> None:
        """Refuse an arrangement of fewer than two economies with the model's own blocs.

        Validation counted them with the blocs of the calibration ``scosim run`` loads;
        a model given another (``participants: [RUS]`` on data without the EAEU) says it
        in the same words (:func:`scosim.proposals.union_shares.too_few_message`).
        """
        listed = model.scenario.participants_of(proposal)
        if len(listed) >= 2:
            return
        from scosim.proposals.union_shares import too_few_message

        what = {"customs_union": "customs union", "free_trade_area": "free-trade area"}
        msg = too_few_message(listed, model.codes, self.blocs,
                              f"data version {model.cal.data_version}",
                              what.get(self.name, self.name))
        if msg is not None:
            raise ValueError(f"proposals[{proposal.id}].participants: {msg}")

    def keep_suspensions(self, new: np.ndarray, old: np.ndarray,
                         participants: np.ndarray) -> np.ndarray:
        """``new`` with the trade suspensions the arrangement does not end held at ``old``.

        A participant's suspension of an outsider always stays; one between two
        participants only with ``suspensions: kept`` (:mod:`scosim.mechanisms.suspensions`).
        """
        kept = getattr(self.proposal, "suspensions", "lifted") == "kept"
        return hold_suspended(new, old, participants, self.suspended, internal=kept)

    def lift_suspended_bans(self, policy: PolicyState, participants: np.ndarray,
                            phase: np.ndarray, active: np.ndarray) -> None:
        """End the bans between two participants the arrangement lifts (not ``kept``).

        A ban is no tariff (:mod:`scosim.mechanisms.suspensions`): what
        :meth:`keep_suspensions` does to the tariffs, this does to its iceberg cost.
        """
        if self.ban_factor is None or getattr(self.proposal, "suspensions", "lifted") == "kept":
            return
        lift_bans(policy, self.ban_factor, participants, phase, active)

    def cut_barriers(self, policy: PolicyState, participants: np.ndarray,
                     phase: np.ndarray, active: np.ndarray) -> None:
        """Lower the trade costs among participants by the proposal's ``ntb_cost_cut``.

        Along the tariffs' phase-in (:mod:`scosim.mechanisms.ntb`); a suspension the
        arrangement keeps (``suspensions: kept``) keeps its pair's costs too, and so does
        a pair already in one customs union in force (the EAEU's members among
        themselves): their union removed its border barriers, which this one cannot
        remove again.
        """
        cut = float(getattr(self.proposal, "ntb_cost_cut", 0.0))
        if cut == 0.0:
            return
        n = participants.shape[-1]
        held = np.zeros((n, n), dtype=bool)
        for g in self.blocs:
            held[np.ix_(g, g)] = True
        if getattr(self.proposal, "suspensions", "lifted") == "kept":
            held |= np.asarray(self.suspended, dtype=bool)
        cut_ntb(policy, participants, phase, active, cut, held=held)

    @override
    def invitees(self, model: SCOModel) -> np.ndarray:
        invited = super().invitees(model)
        return cu.blocs_move_together(invited, self.blocs, "any")

    @override
    def on_tabled(self, model: SCOModel, runs: np.ndarray, year: int) -> None:
        asked = super().invitees(model)
        for g in self.blocs:
            partial = runs & asked[:, g].any(axis=1) & ~asked[:, g].all(axis=1)
            for k in g:
                model.log.add(partial & ~asked[:, k], year, "bloc_invited", model.codes[k],
                              self.pid, bloc=" ".join(model.codes[j] for j in g))
        self._log_broken(model, runs, cu.blocs_move_together(asked, self.blocs, "any"), year)

    def _log_broken(self, model: SCOModel, runs: np.ndarray, parts: np.ndarray,
                    year: int, only: np.ndarray | None = None) -> None:
        """Log ``breaks_agreement`` for participants whose preferences the CET overrides.

        Only with ``replace_preferences``: each of ``parts`` (or of ``only``) with a
        preference in force with a non-participant, among the 27 or outside them (the Rest
        of World's share at MFN below 1), or granted by an arrangement of the run in force
        now (a free-trade area adopted in the scenario).
        """
        if not getattr(self.proposal, "replace_preferences", False):
            return
        from scosim.model.policy import build_policy

        pref = self.preferences if self.row_pairs is None else (
            self.preferences | (self.row_pairs < 1.0))
        granted = build_policy(model, exclude=self).preferences
        if granted is not None:
            pref = pref | granted
        broken = parts[:, None, :] & ~parts[:, :, None] & (pref if pref.ndim == 3 else pref[None])
        for k, code in enumerate(model.codes):
            hit = runs & broken[:, :, k].any(axis=1)
            if only is not None:
                hit = hit & only[:, k]
            model.log.add(hit, year, "breaks_agreement", code, self.pid)

    @override
    def together(
        self, model: SCOModel, votes: np.ndarray, voters: np.ndarray, year: int
    ) -> np.ndarray:
        # Bloc members that do not vote here do not block the others.
        return cu.blocs_move_together(votes | ~voters, self.blocs, "all") & votes

    @override
    def joining_with(self, member: int) -> list[int]:
        # A new SCO member in a customs union elsewhere (Saudi Arabia in the GCC) brings
        # its bloc, as it would have been invited with it when the union was tabled.
        return next(([int(k) for k in g] for g in self.blocs if member in g), [member])

    @override
    def admit_member(self, model: SCOModel, runs: np.ndarray, member: int, year: int) -> None:
        before = self.proposed.copy()
        super().admit_member(model, runs, member, year)
        group = self.joining_with(member)
        bloc = " ".join(model.codes[k] for k in group)
        for k in group:
            if k != member:
                model.log.add(self.proposed[:, k] & ~before[:, k], year, "bloc_invited",
                              model.codes[k], self.pid, bloc=bloc)
        # A joiner that gives up preferences for the CET breaks them, as a founder does.
        joined = self.proposed & ~before
        self._log_broken(model, joined.any(axis=1), self.proposed, year, only=joined)

    @override
    def together_leave(
        self, model: SCOModel, leaving: np.ndarray, active: np.ndarray, year: int
    ) -> np.ndarray:
        # Only where the arrangement reaches beyond the bloc: a member leaving the
        # EAEU itself (the hindcast's union) leaves alone.
        out = cu.blocs_move_together(leaving, self.blocs, "any", within=active) & active
        for k, code in enumerate(model.codes):
            model.log.add(out[:, k] & ~leaving[:, k], year, "bloc_exit", code, self.pid)
        return out


@register_type
class CustomsUnion(BlocAware):
    """Zero tariffs among participants, a common external tariff, pooled revenue.

    Existing customs unions take part as blocs and preferences in force with
    non-participants are kept unless ``replace_preferences`` (see :class:`BlocAware`).
    A state is in one customs union at most (one external tariff): a union is not
    tabled where a state it invites is in another union of the scenario adopted or in
    force, and such a state neither joins it later nor is taken in on accession
    (:meth:`eligible_runs`).

    With ``ntb_cost_cut`` above 0 the union also lowers the trade costs among its
    participants (non-tariff barriers, :mod:`scosim.mechanisms.ntb`).

    Negotiated term: ``cet`` (R,), set by the spec's CET rule over the
    participants' MFN trade-weighted rates at the vote (one kind for all:
    :mod:`scosim.data.cet_inputs`, not ``countries.tariff_mfn``), or the spec's
    rate. Sweepable: ``depth`` (the sovereignty cost in each vote, read by the
    Council) and ``cet`` (a rate per run; a swept rate takes the place of the
    scenario's rule or rate, as ``--set proposals.<id>.cet=<rate>`` does). Indicator:
    ``in_customs_union`` (1 for participants of any union in force). The union
    forms the accounting bloc of the trade indicators (first union in force).
    """

    name = "customs_union"
    writes_levers = ()  # no lever: tariffs, costs and sharing only (lever_writers)
    spec = CustomsUnionProposal
    default_decision_rule = "consensus"
    indicators = {"in_customs_union": "share of runs"}
    record_always = True
    membership = ("in_customs_union", "in union", "a customs union")
    sweepable = ("depth", "cet")

    check = staticmethod(check_customs_union)

    def _in_another_union(self, model: SCOModel) -> np.ndarray:
        """``(R, N)``: participants of another customs union adopted or in force.

        Adopted includes a union ratified but not yet in force; a member that left a
        union is no longer among its participants, nor is anyone once it dissolved.
        """
        out = np.zeros((model.R, model.N), dtype=bool)
        for arr in model.arrangements:
            if arr is not self and isinstance(arr, CustomsUnion):
                out |= arr.participants & arr.adopted[:, None]
        return out

    @override
    def eligible_runs(self, model: SCOModel) -> np.ndarray:
        """Runs where no state the union invites is in another customs union, ``(R,)``.

        A state cannot apply two common external tariffs, nor pool its duties in two
        unions. Validation cannot refuse two overlapping unions, since which proposals
        pass is only known in the run, and a scenario may list alternatives (a
        smaller union voted where a larger one failed). So where another union with one
        of its invitees (its bloc partners included) has been adopted, this one is not
        tabled, at its own summit or re-tabled later; where that union was rejected, or
        has dissolved or lost the state, it is tabled as usual. Two unions at one
        summit: the one listed first is decided first. Before 2026-12-05 both were
        adopted: China, in unions with Pakistan and with Iran, charged outsiders the CET
        of the one listed second, and the two sharing matrices were multiplied (5.1 % of
        the duties Pakistan collected went to Iran).
        """
        return ~(self.invitees(model) & self._in_another_union(model)).any(axis=1)

    @override
    def together(
        self, model: SCOModel, votes: np.ndarray, voters: np.ndarray, year: int
    ) -> np.ndarray:
        # An outsider of an opt-in union in force that has since entered another union does
        # not join (at tabling eligible_runs has already kept such unions off the agenda).
        return super().together(model, votes & ~self._in_another_union(model), voters, year)

    @override
    def admit_member(self, model: SCOModel, runs: np.ndarray, member: int, year: int) -> None:
        # A new SCO member in another union (with its bloc) is not taken in at once; an
        # opt-in union invites it all the same, and it may join once free (together).
        if not self.opt_in:
            runs = runs & ~self._busy(model, member)
        super().admit_member(model, runs, member, year)

    @override
    def gain_if_member(self, model: SCOModel, member: int) -> np.ndarray | None:
        gain = super().gain_if_member(model, member)
        # Where admit_member would not take it in, membership brings it nothing here.
        return None if gain is None else np.where(self._busy(model, member)[:, None], 0.0, gain)

    def _busy(self, model: SCOModel, member: int) -> np.ndarray:
        """``(R,)``: runs where ``member`` or a bloc partner is in another customs union."""
        return self._in_another_union(model)[:, self.joining_with(member)].any(axis=1)

    @override
    def negotiate(self, model: SCOModel, participants: np.ndarray) -> dict[str, np.ndarray]:
        # value("cet"): the rule's name as written, or a rate per run (the scenario's or swept).
        rule = self.value("cet")
        if isinstance(rule, str) and rule == "art_xxiv":
            return {"cet": self._art_xxiv_cet(model, participants)}
        return {"cet": cu.cet_rate(model.mfn, model.imports0, participants, rule)}

    def _art_xxiv_cet(self, model: SCOModel, participants: np.ndarray) -> np.ndarray:
        """The highest CET that keeps the members' external incidence, ``(R,)``.

        Assessed as the Understanding on Art. XXIV (paragraph 2) asks: on the base year's
        imports (before duties), against the tariffs and preferences in force in the
        proposal's year (those the union starts from), on the schedule :meth:`apply`
        sets at full phase-in (:mod:`scosim.mechanisms.art_xxiv`).
        """
        from scosim.model.dated_agreements import preference_cells, tariffs_in_force

        year = int(self.proposal.year)
        base = np.broadcast_to(tariffs_in_force(model.tau_base, model.dated_agreements, year),
                               (model.R, model.N, model.N)).copy()
        pairs = preference_cells(model.N, model.dated_agreements, year)
        granted = np.broadcast_to(pairs, base.shape) if pairs.any() else None
        factors = self._cet_factors(participants)
        step = self._step(participants, np.ones(model.R), factors)
        return art_xxiv_cet(lambda c: step(base, granted, c), base, model.trade_cif0,
                            participants, linear=bool(self.proposal.replace_preferences))

    def _step(self, participants: np.ndarray, phase: np.ndarray,
              factors: np.ndarray | None) -> Any:
        """The union's tariff step ``(before, granted, cet) -> tariffs`` (see :meth:`apply`)."""
        replacing = self.proposal.replace_preferences
        pairs = None if replacing else self.row_pairs

        def step(before: np.ndarray, granted: np.ndarray | None,
                 cet: np.ndarray) -> np.ndarray:
            # Preferences in force are the data's and those of the run's arrangements
            # applied with it (a free-trade area adopted in the scenario), whichever the
            # scenario lists first: the policy state applies this step after them.
            keep = None if replacing else (
                self.preferences if granted is None else self.preferences | granted)
            new = cu.union_tariffs(before, participants, cet, phase, keep=keep,
                                   factors=factors, pair_factors=pairs)
            return self.keep_suspensions(new, before, participants)

        return step

    @override
    def apply(
        self,
        policy: PolicyState,
        participants: np.ndarray,
        phase: np.ndarray,
        active: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> None:
        terms = self.terms if terms is None else terms
        # The step may be applied again later (PolicyState.set_tariffs): its inputs are
        # copied so that a caller changing its arrays in place cannot change it.
        participants, phase = participants.copy(), np.array(phase, dtype=float)
        cet, factors = np.array(terms["cet"], dtype=float), self._cet_factors(participants)
        at = self._step(participants, phase, factors)

        def step(before: np.ndarray, granted: np.ndarray | None) -> np.ndarray:
            return at(before, granted, cet)

        policy.add_union(step, active)
        self.lift_suspended_bans(policy, participants, phase, active)
        self.cut_barriers(policy, participants, phase, active)
        policy.share_revenue(self._sharing(participants), active)
        policy.claim_bloc(participants, active)

    def _cet_factors(self, participants: np.ndarray) -> np.ndarray | None:
        """What the CET schedule charges each outside exporter, as a multiple of the CET.

        The base tariffs carry the composition adjustment (fuel and minerals near
        duty-free), so the CET does too (:mod:`scosim.mechanisms.cet_schedule`); flat
        base tariffs (``composition=False``, data version 2019) keep a flat CET. A run
        whose participants add no one to one economy or one bloc in force keeps its
        members' own schedules (``(R, N, N)`` factors, exporter x importer).
        """
        if self._composition is None:
            return None
        return schedule_factors(participants, *self._composition,
                                within_one_bloc(participants, self.blocs))

    def _sharing(self, participants: np.ndarray) -> np.ndarray:
        p = self.proposal
        m = self._model_vectors
        fixed = None
        if p.revenue_sharing == "fixed":
            fixed = np.zeros(len(m["codes"]))
            for code, share in p.fixed_shares.items():
                fixed[m["codes"].index(code)] = share
        return cu.sharing_matrix(
            participants,
            p.revenue_sharing,
            gdp=m["gdp"],
            imports=m["imports"],
            population=m["population"],
            fixed_shares=fixed,
            # The scenario's shares are for every listed participant: a member that left
            # (or that an opt-in rule or its bloc kept out) drops out, the others'
            # shares renormalised; without this a fixed-share union stopped the run at
            # the first exit.
            allow_departed=True,
        )

    def __init__(self, model: SCOModel, proposal: Any) -> None:
        super().__init__(model, proposal)
        self.terms = {"cet": np.zeros(model.R)}
        cal = model.cal
        self._composition: tuple[np.ndarray, ...] | None = None
        if getattr(cal, "composition", False):
            # The same for every model of this calibration: worked out once.
            self._composition = derived(cal, ("cet_composition",), lambda: tuple(
                read_only(a) for a in composition_weights(
                    cal.trade_matrix(), cal.vector("fuel_exports_pct") / 100.0)))
        # Base-year vectors the sharing rules read (kept so apply() needs no model).
        self._model_vectors = {
            "codes": list(model.codes),
            "gdp": model.gdp0,
            "imports": model.imports0,
            "population": model.population,
        }
        if proposal.revenue_sharing == "fixed":
            self._check_bloc_shares(model, proposal)

    def _check_bloc_shares(self, model: SCOModel, proposal: Any) -> None:
        """Refuse fixed shares that do not name exactly the states the union takes in.

        Validation made the same check against the calibration ``scosim run`` loads;
        this one is against the model's own (a hindcast passes another), in the same
        words (:func:`scosim.proposals.union_shares.fixed_share_issues`).
        """
        from scosim.proposals.union_shares import fixed_share_issues

        issues = fixed_share_issues(proposal, model.scenario, model.codes, self.blocs,
                                    f"data version {model.cal.data_version}")
        if issues:
            raise ValueError("; ".join(
                f"proposals[{proposal.id}].{'.'.join(map(str, loc))}: {msg}"
                for loc, msg in issues))

    @override
    @classmethod
    def record(
        cls, model: SCOModel, arrangements: list[ProposalType], policy: PolicyState
    ) -> dict[str, np.ndarray]:
        in_union = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            in_union |= arr.year_participants
        return {"in_customs_union": in_union.astype(float)}
