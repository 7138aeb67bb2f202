"""The RATS-upgrade proposal: its spec, pooling levels and each state's expected security gain.

Also the expected security gain of an accession (:func:`accession_security_gain`): a new SCO
member joins RATS (docs/security.md section 11), and the accession vote weighs that like an
upgrade's gain.

Seed 000 (Kaskarbayeva; Novikov) reports proposals to turn RATS into a Universal Centre
for Countering Challenges and Threats with an Information Security Centre, an Anti-Drug
Centre and a centre against organised crime as units. In the model the upgrade changes
the RATS pooling levels per channel (``params.rats_baseline`` today: intelligence pooled,
no anti-drug unit, no information-security centre):

* ``intel``: ``+ intel_gain`` (more staff and mandates, e.g. against financing);
* ``border``: ``1`` if the ``anti_drug`` unit is in (pooled anti-drug border work);
* ``cyber``: ``1`` if the ``information_security`` unit is in.

The spec joins the scenario's proposals through the proposal-type registry
(:mod:`scosim.security.rats_type` holds the type; docs/proposals.md the protocol).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scosim.security.model import SecurityState, SecuritySystem
from scosim.security.params import CHANNELS
from scosim.security.spec import RatsUpgradeProposal, Unit  # light: validation reads it

__all__ = ["RatsUpgradeProposal", "Unit", "accession_security_gain", "adopt",
           "expected_security_gain", "rats_levels", "rats_levels_per_run"]


def rats_levels(proposal: RatsUpgradeProposal, baseline: tuple[float, ...],
                intel_gain: float | None = None) -> np.ndarray:
    """RATS pooling levels per channel ``(C,)`` after the upgrade.

    ``intel_gain`` takes the place of the proposal's (a swept value; default its own).
    """
    gain = proposal.intel_gain if intel_gain is None else float(intel_gain)
    r = np.asarray(baseline, dtype=float).copy()
    r[CHANNELS.index("intel")] += gain
    if "organized_crime" in proposal.units:
        r[CHANNELS.index("intel")] += 0.25 * gain
    if "anti_drug" in proposal.units:
        r[CHANNELS.index("border")] = max(r[CHANNELS.index("border")], 1.0)
    if "information_security" in proposal.units:
        r[CHANNELS.index("cyber")] = max(r[CHANNELS.index("cyber")], 1.0)
    return r


def rats_levels_per_run(proposal: RatsUpgradeProposal, baseline: tuple[float, ...],
                        intel_gain: np.ndarray) -> np.ndarray:
    """Pooling levels ``(R, C)``, one row per run's ``intel_gain`` ``(R,)`` (a swept field).

    Each distinct value goes through :func:`rats_levels`, so a run's row has the bits of
    the unswept levels at its value.
    """
    values, which = np.unique(np.asarray(intel_gain, dtype=float), return_inverse=True)
    rows = np.stack([rats_levels(proposal, baseline, intel_gain=v) for v in values])
    return rows[which.reshape(-1)]


def adopt(system: SecuritySystem, proposal: RatsUpgradeProposal, state: SecurityState,
          runs: np.ndarray | None = None) -> SecurityState:
    """The state with the upgrade in force in ``runs`` (default: all runs)."""
    return system.with_rats(state, rats_levels(proposal, system.params.rats_baseline), runs=runs,
                            participants=_participants(system, proposal),
                            upgrade_cost_share_gdp=proposal.upgrade_cost_share_gdp)


def _participants(system: SecuritySystem, proposal: RatsUpgradeProposal) -> np.ndarray | None:
    # "members": None lets with_rats take each run's members (a state that acceded included).
    if proposal.participants == "members":
        return None
    return np.array([c in proposal.participants for c in system.codes])


def expected_security_gain(system: SecuritySystem, proposal: RatsUpgradeProposal,
                           state: SecurityState,
                           instability: np.ndarray | float = 1.0,
                           participants: np.ndarray | None = None, *,
                           levels: np.ndarray | None = None,
                           contribution: np.ndarray | None = None,
                           hardening: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each state's expected security gain from adopting the proposal, ``(R, N)`` arrays.

    Compares the year ahead with and without the upgrade at the state's current efforts
    (no draws: expected values). The ``security`` vote term values ``incidents_avoided``
    below at the damage of an incident (:mod:`scosim.security.damage`).

    Args:
        system: The calibrated block.
        proposal: The upgrade.
        state: The state now (RATS levels, contributions, last efforts).
        instability: Afghanistan instability, scalar or ``(R,)``.
        participants: ``(R, N)`` who takes part in each run (default: the proposal's own
            ``participants`` in every run); others keep their levels.
        levels: ``(R, C)`` pooling levels of each run's upgrade (a swept ``intel_gain``:
            :func:`rats_levels_per_run`); default the proposal's. With ``participants``.
        contribution: ``(R,)`` each run's ``upgrade_cost_share_gdp``; default the
            proposal's. With ``participants``.
        hardening: ``(R, N)`` the year's defensive hardening, on both sides (the rule's
            choice does not depend on RATS: :mod:`scosim.security.hardening_year`);
            default none. It scales the expected incidents, not the security index.

    Returns:
        ``gain``: change of the security index (index points, 0-1 scale);
        ``incidents_avoided``: expected incidents avoided a year (>= 0 where the index
        rises); ``cost_share_gdp``: yearly contribution of each participant;
        ``incidents_without`` and ``incidents_with``: the two expected counts.
    """
    if participants is None:
        if levels is not None or contribution is not None:
            raise ValueError("levels and contribution need participants")
        up = adopt(system, proposal, state)
    else:
        part = np.asarray(participants, dtype=bool)[:, :, None]
        lv = (rats_levels(proposal, system.params.rats_baseline)[None, :] if levels is None
              else np.asarray(levels, dtype=float))
        share = (np.asarray(proposal.upgrade_cost_share_gdp) if contribution is None
                 else np.asarray(contribution, dtype=float)[:, None])
        # replace keeps the state's members, so a state that acceded is previewed with its
        # partners.
        up = replace(
            state,
            rats=np.where(part, np.maximum(state.rats, lv[:, None, :]), state.rats),
            contribution=np.where(part[:, :, 0], share, state.contribution))
    s0 = system.security(state)
    s1 = system.security(up)
    inst = np.broadcast_to(np.asarray(instability, dtype=float), (state.n_runs,))
    lam0 = system.expected_incidents(state, state.efforts, inst, hardening=hardening)
    lam1 = system.expected_incidents(up, state.efforts, inst, hardening=hardening)
    cost = up.contribution - state.contribution
    return {"gain": s1 - s0, "incidents_avoided": lam0 - lam1,
            "cost_share_gdp": cost, "incidents_without": lam0, "incidents_with": lam1}


def accession_security_gain(system: SecuritySystem, state: SecurityState, applicant: int,
                            instability: np.ndarray | float = 1.0,
                            runs: np.ndarray | None = None,
                            pooling: np.ndarray | None = None,
                            hardening: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each state's expected security gain from ``applicant`` joining the SCO, ``(R, N)`` arrays.

    A new member joins RATS (Charter art. 10 and 13): it pools at least at today's levels
    ``params.rats_baseline`` and becomes a partner of every member, as the security
    mechanism makes it from its accession year on, and it takes on a member's customary
    effort (:meth:`SecuritySystem.admit`: its efforts scaled by the ratio of a member's
    customary effort to its own). Like :func:`expected_security_gain`, this compares the
    state with and without that change at the state's current efforts and contributions
    (no draws: expected values); the members' efforts stay as they are, and so would a
    conditional cooperator's, since the applicant's effort relative to its customary level
    does not change. The ``security`` vote term of an accession values
    ``incidents_avoided`` below at the damage of an incident (as an upgrade's). A
    member-wide ``rats_upgrade`` in force takes the new member in at its upgraded levels
    (``ProposalType.admit_member``): the caller passes them as ``pooling``. (The upgrade's
    own preview leaves out later accessions.)

    Args:
        system: The calibrated block.
        state: The state now; its members (:meth:`SecuritySystem.members_of`) are each
            run's members, so a state that acceded earlier in the run counts.
        applicant: Index of the applicant in the block's economies.
        instability: Afghanistan instability, scalar or ``(R,)``.
        runs: ``(R,)`` bool, the runs where the accession is decided (default: all); the
            others get 0.
        pooling: ``(R, C)`` the applicant's RATS pooling levels in its entry year as the
            arrangements in force would write them with it inside (the policy lever
            ``rats_pooling``); default: its levels now. A member pools at least at
            today's levels either way.
        hardening: ``(R, N)`` the year's defensive hardening, on both sides (membership
            does not move the rule's choice: :mod:`scosim.security.hardening_year`);
            default none. It scales the expected incidents, not the security index.

    Returns:
        ``gain``: change of the security index (index points, 0-1 scale);
        ``incidents_avoided``: expected incidents avoided a year (< 0 where they rise);
        ``incidents_without`` and ``incidents_with``: expected incidents a year as things
        are and with the applicant a member (equal in the runs not deciding).
    """
    r = state.n_runs
    sel = np.ones(r, dtype=bool) if runs is None else np.asarray(runs, dtype=bool)
    members = system.members_of(state).copy()
    members[sel, applicant] = True
    rats = state.rats.copy()
    # The mechanism's rule for a member: at least today's levels (an upgrade's higher levels
    # in force for it stay as written).
    own = rats[:, applicant] if pooling is None else np.asarray(pooling, dtype=float)
    rats[sel, applicant] = np.maximum(own[sel],
                                      np.asarray(system.params.rats_baseline, dtype=float))
    # As the mechanism admits a new member: its efforts move to a member's customary level.
    joined = replace(system.admit(state, members), rats=rats)
    inst = np.broadcast_to(np.asarray(instability, dtype=float), (r,))
    gain = system.security(joined) - system.security(state)
    lam0 = system.expected_incidents(state, state.efforts, inst, hardening=hardening)
    lam1 = system.expected_incidents(joined, joined.efforts, inst, hardening=hardening)
    # Runs not deciding are unchanged in ``joined``; the mask makes their 0 exact whatever
    # the grouping of runs by membership does to rounding.
    return {"gain": np.where(sel[:, None], gain, 0.0),
            "incidents_avoided": np.where(sel[:, None], lam0 - lam1, 0.0),
            "incidents_without": lam0,
            "incidents_with": np.where(sel[:, None], lam1, lam0)}
