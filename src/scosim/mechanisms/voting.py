"""Scoring proposals and applying decision rules, as pure functions over runs.

Arrays carry a leading run axis ``R``; ``N`` is the number of economies.
Definitions follow MODEL.md section 3:

``U[i] = a_econ * gain[i] + a_sec * security[i] - a_sov * depth
+ a_trust * (trust[i, proposer] - TRUST_NEUTRAL) - a_dom * dominance[i] + noise``,
where ``dominance[i]`` is the relative-gains gap to the bloc's largest economy
(:func:`dominance_gap`) and the noise is scaled to the size of the terms it
perturbs (:func:`noise_scale`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scosim.model.decision_rules import BUILTIN_DECISION_RULES

#: Trust level that neither helps nor hurts a proposal (trust lives in [0, 1]).
TRUST_NEUTRAL = 0.5

@dataclass(frozen=True)
class UtilityTerms:
    """The documented terms of a state's score of a proposal, each ``(R, N)``.

    Attributes:
        econ: Expected welfare gain (fraction, 0.004 = +0.4 percent) from the GE preview.
        sovereignty: Sovereignty cost, the proposal's depth in [0, 1].
        trust: Trust in the proposer minus ``TRUST_NEUTRAL``.
        dominance: Relative-gains gap: how much more the bloc's largest economy
            gains than this state, in fractions of real expenditure, floored at 0
            (:func:`dominance_gap`; zero for that economy itself).
        security: Security gain (zero for proposals without a security component).
    """

    econ: np.ndarray
    sovereignty: np.ndarray
    trust: np.ndarray
    dominance: np.ndarray
    security: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """Terms by name."""
        return {
            "econ": self.econ,
            "sovereignty": self.sovereignty,
            "trust": self.trust,
            "dominance": self.dominance,
            "security": self.security,
        }


def dominance_gap(gains: np.ndarray, participants: np.ndarray, gdp: np.ndarray) -> np.ndarray:
    """Relative-gains concern of each participant about the bloc's largest economy.

    ``dominance[i] = max(0, gain[L] - gain[i])`` where ``L`` is the participant
    with the largest GDP: how many percentage points of real expenditure the leading
    economy gains beyond state ``i`` (Grieco 1988; Powell 1991 writes a state's
    utility as its absolute gain minus ``k`` times the gap to its rival's gain).
    It is in the units of the economic term, so the weight ``a_dom`` reads as
    Powell's ``k``: the value a state puts on a point of relative loss against a
    point of own gain. It differs between voters (a state that loses while the
    leader gains has the largest gap), is zero for the leader itself and for
    non-participants, and zero when the voter gains at least as much as the leader.

    Args:
        gains: Welfare gain fractions, ``(R, N)``.
        participants: Participation mask, ``(R, N)``.
        gdp: GDP used to find the largest participant, ``(N,)`` or ``(R, N)``.

    Returns:
        ``(R, N)`` gaps (fractions of real expenditure).
    """
    participants = np.asarray(participants, dtype=bool)
    gdp_b = np.broadcast_to(gdp, participants.shape)
    largest = np.argmax(np.where(participants, gdp_b, -np.inf), axis=-1)
    lead = np.take_along_axis(gains, largest[:, None], axis=-1)
    gap = np.clip(lead - gains, 0.0, None)
    np.put_along_axis(gap, largest[:, None], 0.0, axis=-1)
    return np.where(participants, gap, 0.0)


def noise_scale(terms: UtilityTerms, weights: dict[str, np.ndarray]) -> np.ndarray:
    """Size of the score a vote shock perturbs: the sum of absolute weighted terms, ``(R, N)``.

    ``council.vote_noise`` is the standard deviation of the shock as a fraction
    of this size, so a shock is as large, relative to the reasons for a vote, for
    a state whose terms are a thousandth of its income as for one whose terms
    are a tenth; a score far from zero relative to its own parts is rarely
    flipped.
    """
    return (
        np.abs(weights["econ"] * terms.econ)
        + np.abs(weights["security"] * terms.security)
        + np.abs(weights["sovereignty"] * terms.sovereignty)
        + np.abs(weights["trust"] * terms.trust)
        + np.abs(weights["dominance"] * terms.dominance)
    )


def leader_share(
    gains: np.ndarray, expenditure: np.ndarray, participants: np.ndarray, gdp: np.ndarray
) -> np.ndarray:
    """Share of the participants' total gain captured by the largest participant.

    The gain of a state in US$ is its welfare gain times its expenditure; only
    positive gains count towards the total (a loser does not make the winner
    less dominant).

    Args:
        gains: Welfare gain fractions, ``(R, N)``.
        expenditure: Base-year expenditure, ``(N,)`` or ``(R, N)``.
        participants: Participation mask, ``(R, N)``.
        gdp: GDP used to find the largest participant, ``(N,)`` or ``(R, N)``.

    Returns:
        ``(R, N)``: the largest participant's share for every other state, 0 for
        the largest itself and for non-participants. Shown to vote rules as
        ``ctx.preview["leader_share"]`` (it is nearly the same number for every
        small state, so it is not the Council's dominance term).
    """
    participants = np.asarray(participants, dtype=bool)
    usd = np.clip(gains, 0.0, None) * expenditure * participants
    total = usd.sum(axis=-1, keepdims=True)
    gdp_b = np.broadcast_to(gdp, participants.shape)
    largest = np.argmax(np.where(participants, gdp_b, -np.inf), axis=-1)
    largest_usd = np.take_along_axis(usd, largest[:, None], axis=-1)
    share = np.divide(largest_usd, total, out=np.zeros_like(largest_usd), where=total > 0)
    out = np.broadcast_to(share, participants.shape).copy()
    np.put_along_axis(out, largest[:, None], 0.0, axis=-1)
    return np.where(participants, out, 0.0)


#: The former name of :func:`leader_share`.
dominance_share = leader_share


def utility(terms: UtilityTerms, weights: dict[str, np.ndarray]) -> np.ndarray:
    """Weighted score of a proposal, ``(R, N)``.

    Args:
        terms: The documented terms.
        weights: Weight per term name (``econ``, ``sovereignty``, ``trust``,
            ``dominance``, ``security``), each ``(N,)``.

    Returns:
        The utility without the idiosyncratic noise.
    """
    return (
        weights["econ"] * terms.econ
        + weights["security"] * terms.security
        - weights["sovereignty"] * terms.sovereignty
        + weights["trust"] * terms.trust
        - weights["dominance"] * terms.dominance
    )


def majority_voters(eligible: np.ndarray, council: np.ndarray | None) -> np.ndarray:
    """``(R, N)``: the voters consensus and a qualified majority count: the members among them.

    The SCO's bodies decide by its member states (Charter art. 16); a non-member asked
    with its bloc (Armenia with the EAEU) votes on its own entry, not in the Council's
    tally. In a run where no member votes, every voter counts. ``council`` None: every
    voter.
    """
    eligible = np.asarray(eligible, dtype=bool)
    if council is None:
        return eligible
    counted = eligible & np.asarray(council, dtype=bool)
    return np.where(counted.any(axis=-1, keepdims=True), counted, eligible)


def decide(
    votes: np.ndarray, eligible: np.ndarray, rule: str, *, threshold: float = 2 / 3,
    council: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply a decision rule to yes/no votes.

    Args:
        votes: ``(R, N)`` bool, True = yes. Only eligible entries matter.
        eligible: ``(R, N)`` bool, who votes (and would take part).
        rule: ``consensus`` (any counted voter's no blocks, :func:`majority_voters`;
            a voter not counted takes part only if it said yes), ``qualified_majority``
            (adopted when the yes share of the counted voters, :func:`majority_voters`,
            reaches ``threshold``; then every counted voter takes part, and a voter
            not counted only if it said yes), ``variable_geometry`` (the
            willing go ahead if at least two say yes; only they take part), or
            ``interested_members`` (as variable geometry here; the Council then
            asks the others whether they object, see docs/model.md).
        threshold: Yes share needed under ``qualified_majority``.
        council: ``(R, N)`` bool, the SCO's members (whom consensus and a qualified
            majority count); None: every voter counts.

    Returns:
        ``(adopted (R,), participants (R, N))``.
    """
    if rule not in BUILTIN_DECISION_RULES:
        # The registry is the one list of rules; this kernel is the built-ins' arithmetic.
        raise ValueError(
            f"decide applies the built-in decision rules ({', '.join(BUILTIN_DECISION_RULES)})"
            f", not {rule!r}: any other rule decides through its own class, "
            "scosim.model.decision_rules.get_decision_rule(name)().decide")
    votes = np.asarray(votes, dtype=bool)
    eligible = np.asarray(eligible, dtype=bool)
    yes = votes & eligible
    n_yes = yes.sum(axis=-1)
    if rule in ("consensus", "qualified_majority"):
        counted = majority_voters(eligible, council)
    if rule == "consensus":
        # The member states decide (Charter art. 16): a non-member asked with its bloc
        # blocks nobody; it is in only by its own yes, as under a qualified majority.
        n_counted = counted.sum(axis=-1)
        adopted = ((yes & counted).sum(axis=-1) == n_counted) & (n_counted > 0)
        return adopted, (counted | yes) & adopted[:, None]
    if rule == "qualified_majority":
        n_counted = counted.sum(axis=-1)
        share = np.divide((yes & counted).sum(axis=-1), n_counted, out=np.zeros(n_yes.shape),
                          where=n_counted > 0)
        adopted = share >= threshold - 1e-12
        # The Council's majority binds its members; a non-member is in only by its own yes.
        return adopted, (counted | yes) & adopted[:, None]
    adopted = n_yes >= 2
    return adopted, yes & adopted[:, None]


def update_bad_years(
    counter: np.ndarray, realised: np.ndarray, threshold: np.ndarray, active: np.ndarray
) -> np.ndarray:
    """Count consecutive bad years: realised score below the exit threshold.

    Args:
        counter: ``(R, N)`` int, consecutive bad years so far.
        realised: ``(R, N)`` realised score this year.
        threshold: ``(N,)`` exit thresholds.
        active: ``(R, N)`` bool, who is in the arrangement this year.

    Returns:
        The new counter: +1 where bad and active, reset to 0 where good, 0 where inactive.
    """
    bad = (realised < threshold) & active
    return np.where(bad, counter + 1, 0)
