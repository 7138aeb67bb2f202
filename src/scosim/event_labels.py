"""Readable names of the event log's types, for figures and tables.

One set, used by the membership figure's events panel (``membership_timeline.png``
and the explorer's figure, :func:`scosim.plots.membership_data`) and by the
explorer's table of events per year (:func:`scosim.explore.figures.events_table`),
so an event reads the same wherever a run shows it. The codes are those of the
run's ``events/`` table, listed with what each carries in docs/model.md
("Event log").
"""

from __future__ import annotations

__all__ = ["BLOC_EXIT", "BLOC_IN", "EVENT_LABELS", "VOTED_NO", "event_label"]

#: How a ``bloc_exit`` event is named: a bloc member leaving with a defecting partner.
BLOC_EXIT = "left with its bloc"
#: ... and a ``bloc_invited`` one: a state invited to a proposal because its bloc was
#: (Armenia with the EAEU), which the membership panel's "no joins" used to leave unsaid.
BLOC_IN = "invited with its bloc"
#: The membership panel's votes against (not a log type: the ``vote`` events with
#: ``yes`` false); "no vote" read as an abstention (audit, 2026-12-07).
VOTED_NO = "voted no"

#: Event type (the log's code) -> name. The kinds the membership panel counts keep the
#: words it has always shown (``veto``, ``joined``, ...), but for ``defection``, named as
#: the run's answer names it ("left on its own", since 2026-12-06). A count of one event per
#: state says so (``vote``: 11 in a year is eleven states voting, not eleven votes held).
EVENT_LABELS: dict[str, str] = {
    "summit": "summit held",
    "retabled": "rejected proposal tabled again",
    "vote": "votes cast (one per state)",
    "withdrew": "withdrew",
    "consent": "outsider asked to consent",
    "veto": "veto",
    "adopted": "adopted",
    "rejected": "rejected",
    "bloc_invited": BLOC_IN,
    "breaks_agreement": "common tariff overrides a trade agreement",
    "bloc_exit": BLOC_EXIT,
    "considers_applying": "considers applying",
    "waits": "would apply, waits a year (the yearly hazard)",
    "application": "application",
    "barred": "accession barred (UN sanctions)",
    "in_force": "entered into force (one per participant)",
    "construction_start": "construction starts (one per host)",
    "bank_loan_declined": "bank loan declined (one per host)",
    "bank_loan_rejected": "bank loan rejected by the board (one per host)",
    "corridor_failed": "corridor failed (one per host)",
    "joined": "joined",
    "accession": "accession",
    # The answer's words ("Who left ... on its own"), not the log's code.
    "defection": "left on its own",
    "dissolved": "dissolved",
    "gdp_shock": "GDP shock",
    "border_clash": "border clash",
    "trust_shock": "trust shock",
    "sanctions": "sanctions",
    "agreement_in_force": "trade agreement enters the baseline (one per party)",
}


def event_label(kind: str) -> str:
    """The readable name of an event type.

    A type the model does not know (a plug-in's) is named by its code with spaces
    for underscores.

    Args:
        kind: The event type as the log records it (``"bloc_invited"``).
    """
    return EVENT_LABELS.get(kind, kind.replace("_", " "))
