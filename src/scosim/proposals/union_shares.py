"""Which states a union takes in, and its ``fixed_shares`` name, alike at validation and set-up.

A customs union takes in the participants its scenario gives (a list, or the members)
and, with any of them, the whole of each customs union in force that one belongs to
(:meth:`scosim.proposals.customs_union.BlocAware.invitees`: the EAEU brings Armenia,
not an SCO member, into a union of the members). The shares are checked against those
participants: a share for any other state is refused (the run would drop it and
rescale the others), and so is a bloc member without one (it would pool its duties
and receive none of the pool, which nobody would sign; a share of 0 says it is meant).

Validation checks the shares against the blocs of the calibration ``scosim run``
loads (:func:`validation_share_issues`); the union's set-up checks them again against
the blocs of the calibration it is given (a hindcast passes its own), with the same
function and the same words (:func:`fixed_share_issues`). A state that accedes to the
SCO later joins a member-wide union with its bloc and has no share: a documented limit
(docs/customs_union.md, "Blocs and agreements in force"), not checked here.

Imported only for a union with fixed shares or fewer than two listed participants
(:func:`too_few_issues`: one state may bring its bloc): it reads the calibration (pandas,
numpy), which ``scosim validate`` otherwise does without.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scosim.mechanisms.blocs import blocs_move_together, customs_union_blocs

__all__ = ["fixed_share_issues", "too_few_issues", "too_few_message", "union_participants",
           "validation_share_issues"]

Issue = tuple[Any, ...]  # (location in the proposal, message)


def union_participants(listed: Sequence[str], codes: Sequence[str],
                       blocs: Sequence[NDArray[np.int64]]) -> list[str]:
    """The states a union of ``listed`` takes in when tabled: ``listed`` and their blocs.

    The expansion of :meth:`BlocAware.invitees` (one run, statuses as the scenario
    sets them), so validation and the run cannot disagree on it.

    Args:
        listed: Participant codes as the scenario gives them
            (:meth:`Scenario.participants_of`).
        codes: Economy codes in model order.
        blocs: Index arrays of the blocs in force (:func:`customs_union_blocs`).

    Returns:
        The participants in model order.
    """
    wanted = set(listed)
    invited = np.array([[c in wanted for c in codes]])
    joined = blocs_move_together(invited, blocs, "any")[0]
    return [c for c, inside in zip(codes, joined, strict=True) if inside]


def fixed_share_issues(proposal: Any, scenario: Any, codes: Sequence[str],
                       blocs: Sequence[NDArray[np.int64]], data: str) -> list[Issue]:
    """Shares for states the union does not take in, and bloc members without one.

    Args:
        proposal: A union spec with ``fixed_shares``.
        scenario: The scenario it is in (for ``participants: members``).
        codes: Economy codes in model order.
        blocs: Index arrays of the blocs in force in the calibration.
        data: The calibration, as the messages name it (``"data version 2023"``).

    Returns:
        ``(location in the proposal, message)`` for each problem; empty when the
        shares name exactly the participants, every member of a bloc included.
    """
    shares = proposal.fixed_shares or {}
    listed = scenario.participants_of(proposal)
    parts = union_participants(listed, codes, blocs)
    brought = [c for c in parts if c not in listed]
    # The data version is named: which states a bloc brings in is the data's (2019: none).
    with_blocs = f" ({', '.join(brought)} brought in by a bloc)" if brought else ""
    issues: list[Issue] = [
        (("fixed_shares", code), (
            f"{code} is not a participant of {proposal.id!r}; participants in {data}"
            f"{with_blocs}: {', '.join(parts)}"))
        for code in shares if code not in parts]
    for g in blocs:
        bloc = [codes[k] for k in g]
        missing = [c for c in bloc if c in parts and c not in shares]
        if not missing:
            continue
        # Not "list it under participants": a share is enough, and turning
        # `participants: members` into a list would close the union to new members.
        issues.append((("fixed_shares",), (
            f"no share for {', '.join(missing)}, which the union takes in with the bloc "
            f"{' '.join(bloc)} (a customs union in force in {data} takes part whole); "
            f"give {', '.join(missing)} a share under fixed_shares (0: pools its duties and "
            f"receives none of the pool)")))
    return issues


def _validation_blocs() -> tuple[tuple[str, ...], list[NDArray[np.int64]], str] | None:
    """Codes, blocs and name of the calibration ``scosim run`` would load (None: unknown)."""
    from scosim.data.calibration import load_calibration
    from scosim.data.constants import resolve_version

    try:
        version = resolve_version()
    except ValueError:
        return None
    cal = load_calibration(version)
    codes = tuple(cal.countries.index)
    blocs = customs_union_blocs(cal.agreement_spells, codes, int(cal.base_year))
    return codes, blocs, f"data version {version}"


def too_few_message(listed: Sequence[str], codes: Sequence[str],
                    blocs: Sequence[NDArray[np.int64]], data: str, what: str) -> str | None:
    """Why a union of ``listed`` takes in fewer than two economies (None: it does not).

    One listed state in a customs union in force brings its bloc (``participants: [RUS]``
    is the EAEU of five), so the count is of :func:`union_participants`.

    Args:
        listed: Participant codes as the scenario gives them.
        codes: Economy codes in model order.
        blocs: Index arrays of the blocs in force in the calibration.
        data: The calibration, as the message names it (``"data version 2023"``).
        what: The type, as the message names it (``"customs union"``).

    Returns:
        The message, or None when the union takes in at least two economies.
    """
    if len(union_participants(listed, codes, blocs)) >= 2:
        return None
    if not listed:
        alone = ""
    elif blocs:
        g = [codes[k] for k in blocs[0]]
        alone = (f"; {listed[0]} is in no customs union in force in {data} (a state in one "
                 f"brings its partners: {g[0]} brings {' '.join(g)})")
    else:
        alone = f"; {data} has no customs union in force to bring a state's partners"
    return f"a {what} needs at least 2 participants, got {list(listed)}{alone}"


def too_few_issues(proposal: Any, scenario: Any, what: str) -> list[Issue]:
    """:func:`too_few_message` against the calibration ``scosim run`` would load.

    Args:
        proposal: A union-like spec with ``participants``.
        scenario: The scenario it is in (for ``participants: members``).
        what: The type, as the message names it (``"customs union"``).

    Returns:
        ``(("participants",), message)`` when it takes in fewer than two economies.
    """
    listed = scenario.participants_of(proposal)
    if len(listed) >= 2:
        return []
    found = _validation_blocs()
    if found is None:  # an unknown data version, which has its own error
        return [(("participants",), f"a {what} needs at least 2 participants, got {listed}")]
    msg = too_few_message(listed, *found, what)
    return [] if msg is None else [(("participants",), msg)]


def validation_share_issues(proposal: Any, scenario: Any) -> list[Issue]:
    """:func:`fixed_share_issues` against the calibration ``scosim run`` would load.

    The data version is ``$SCOSIM_DATA_VERSION``'s or the default, as for the run
    (version 2019 has no agreements table, hence no blocs). An unknown version
    is left to the error ``scosim validate`` and ``scosim run`` give for it.
    """
    found = _validation_blocs()
    if found is None:
        return []
    codes, blocs, data = found
    return fixed_share_issues(proposal, scenario, codes, blocs, data)
