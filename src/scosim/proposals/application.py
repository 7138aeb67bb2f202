"""Application: an observer, partner or other economy decides whether to apply for membership.

The record of SCO enlargement holds decisions *not* to apply as well as
applications: Mongolia (observer since 2004) and Turkmenistan never applied,
India, Pakistan, Iran and Belarus did (docs/hindcasts.md). This type asks the
prospective applicant alone, by its own ``apply`` rule (else its vote rule), whether
it applies; the
Council's members do not vote (they decide later, on an ``accession``).

The applicant's score has the Council's terms (docs/model.md):

* ``econ``: its expected gain from membership, i.e. from joining the
  arrangements open to all members, summed over them
  (:func:`scosim.proposals.base.membership_gain`, as in
  :mod:`scosim.proposals.accession`); 0 without one. With the security slot
  filled it adds the trade gain of the incidents its joining RATS avoids.
* ``sovereignty``: ``depth`` (the commitments of membership: the Charter, the
  RATS counter-terrorism structure, joint exercises) plus the cost of a
  standing foreign-policy commitment that membership would breach, listed in
  ``commitments`` (country: cost). Two are documented: Turkmenistan's
  permanent neutrality (UN General Assembly resolution 50/80 A, 12 December
  1995; Constitution of Turkmenistan, art. 1), and Mongolia's policy of not
  joining military-political groupings (Concept of Foreign Policy of Mongolia,
  2011, with the "third neighbour" balancing between its two neighbours).
* ``trust``: the applicant's mean trust in the current members, minus neutral.
* ``dominance``: 0 (no bloc's gains to compare).
* ``security``: with the security slot filled, its expected change of the
  security index from joining RATS with membership; 0 without the slot. This
  and the trade gain above are the accession's own preview of the same
  membership (:func:`scosim.proposals.accession.membership_security`, entering
  a year on, as an accession would): until 2026-12-06 the applicant left them
  out while the members weighed them.

The applicant decides through its ``apply`` rule, or its ``vote`` rule when the
scenario gives it none; that says whether it *would* apply. Whether it applies this
year is a discrete-time hazard (Beck, Katz and Tucker 1998, "Taking time seriously",
AJPS 42(4)): in a year in which it would, it applies with probability
``parameters.application.hazard`` (h), a uniform draw from the run's own stream
(keyed by the proposal's id, so no other draw moves); otherwise it waits (event
``waits``). Without it the applicant applied in the first year its score allowed,
with p = 1 in every such year, while India waited nine years as an observer and
Belarus seven. The default h, 3/29, is fitted on the hindcast's training years
(:data:`scosim.scenario.blocks.APPLICATION_HAZARD`, docs/hindcasts.md); h = 1 is
the old behaviour exactly (no draw is made). "Adopted" here means "applied".
Nothing is implemented (statuses do not change) and nobody can leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from scosim.mechanisms.voting import TRUST_NEUTRAL
from scosim.model.rng import RunStreams
from scosim.proposals import register_type
from scosim.proposals.accession import Accession, membership_security
from scosim.proposals.base import Preview, ProposalType, membership_gain
from scosim.proposals.specs import ApplicationProposal, check_application

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


@register_type
class Application(ProposalType):
    """The applicant alone decides whether to apply (consensus of one).

    Sweepable: ``depth``, the sovereignty cost of membership in the applicant's score.
    """

    name = "application"
    writes_levers = ()  # membership only (lever_writers)
    spec = ApplicationProposal
    trust_term = "the applicant's trust in the members"
    sweepable = ("depth",)
    default_decision_rule = "consensus"
    ratification_lag = 0
    exit_allowed = False
    retable = False
    vote_hook = "apply"

    check = staticmethod(check_application)

    def __init__(self, model: SCOModel, proposal: Any) -> None:
        super().__init__(model, proposal)
        self.applicant = model.codes.index(proposal.applicant)
        self._hazard_u: np.ndarray | None = None  # (R, years), drawn when first needed

    @override
    def decision_rule(self, requested: str, threshold: float) -> tuple[str, float]:
        # One voter: whatever the Council's rule, the applicant's yes decides.
        return "consensus", threshold

    @override
    def eligible_runs(self, model: SCOModel) -> np.ndarray:
        from scosim.model.model import STATUS_CODES

        return model.status[:, self.applicant] != STATUS_CODES["member"]

    @override
    def invitees(self, model: SCOModel) -> np.ndarray:
        out = np.zeros((model.R, model.N), dtype=bool)
        out[:, self.applicant] = True
        return out

    @override
    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        """The applicant's terms (module docstring); other economies' scores are 0."""
        app = self.applicant
        # The accession's preview of the same membership (it would enter a year on).
        security, trade, info = membership_security(
            model, app, self.eligible_runs(model), model.year + Accession.ratification_lag,
            exclude=self)
        gain = membership_gain(model, app) + trade
        member = model.is_member()
        n_members = np.maximum(member.sum(axis=1), 1)
        trust_in_members = (model.trust[:, app, :] * member).sum(axis=1) / n_members
        sov = np.zeros((model.R, model.N))
        # value("depth"): this run's depth (a sweep may vary it); commitments are the scenario's.
        sov[:, app] = self.value("depth") + self.proposal.commitments.get(model.codes[app], 0.0)
        trust = np.zeros((model.R, model.N))
        trust[:, app] = trust_in_members - TRUST_NEUTRAL
        zeros = np.zeros((model.R, model.N))
        own_security = zeros.copy()
        own_security[:, app] = security[:, app]  # only the applicant decides
        return Preview(
            gain=gain,
            terms={} if terms is None else terms,
            scores={"sovereignty": sov, "trust": trust, "dominance": zeros,
                    "security": own_security},
            info=info,
        )

    @override
    def on_tabled(self, model: SCOModel, runs: np.ndarray, year: int) -> None:
        model.log.add(runs, year, "considers_applying", model.codes[self.applicant], self.pid)

    @override
    def acted_on(self, model: SCOModel, adopted: np.ndarray, year: int) -> np.ndarray:
        """The runs of ``adopted`` in which the applicant applies this year (the hazard)."""
        hazard = float(model.scenario.parameters.application.hazard)
        if hazard >= 1.0:
            return adopted  # no draw: exactly as before the hazard
        if self._hazard_u is None:
            # One uniform a run and year from the proposal's own stream, drawn at once
            # (run by run, so a run's draw does not depend on its batch).
            streams = RunStreams(model.scenario.seed, model.run_ids, f"application:{self.pid}")
            self._hazard_u = streams.uniform(len(model.years))
        now = adopted & (self._hazard_u[:, model.year_index(year)] < hazard)
        model.log.add(adopted & ~now, year, "waits", model.codes[self.applicant], self.pid)
        return now
