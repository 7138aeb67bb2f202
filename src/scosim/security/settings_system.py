"""The security block a scenario's settings ask for: ``SecuritySettings`` to ``SecurityParams``.

The assumptions docs/security.md gives a range to vary over (the RATS pool's CES exponent
and capacity weight, the safe-haven and transnational shares, how strongly weakly policed
neighbours draw displaced groups and how many strike back, the pooling returns and the
incident semi-elasticity) are written in
``parameters.mechanism_settings.security`` (:class:`scosim.security.spec.SecuritySettings`).
Most enter the block's calibration (the baseline security index, the partner and capacity
terms), so the block is built once per batch from them: the same in every run, which is
why a sweep cannot vary them across the runs of a batch (``SecurityMechanism.sweepable``
leaves them out). The exceptions are
:data:`PER_RUN_SETTINGS`, ``haven_share``, ``transnational_share``, ``haven_slope`` and
``haven_blowback``: they enter only the year's expected incidents, not the calibration
(nothing is displaced at 2018-2022 protection), so a sweep varies them run by run
through the state (:func:`per_run_settings`), each run getting what a batch at its value
gets; and
``pool_rho`` and ``enforcement_weight``, which a sweep varies by building this block at each
value and computing each group of runs with its own (:mod:`scosim.security.swept_blocks`).

At the defaults the shared default block is returned itself, so a scenario that writes
nothing, or writes the defaults, gives the numbers of before bit for bit.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

__all__ = ["CACHE_SIZE", "PARAM_SETTINGS", "PER_RUN_SETTINGS", "params_from_settings",
           "per_run_settings", "system_for"]

#: Settings copied onto the ``SecurityParams`` field of the same name.
PARAM_SETTINGS: tuple[str, ...] = ("pool_rho", "enforcement_weight", "haven_share",
                                   "transnational_share", "beta", "pool_size_exponent",
                                   "haven_slope", "haven_blowback", "incidents_half")

#: Settings a sweep may vary across the runs of a batch: they enter the threat process only
#: (:func:`scosim.security.threat.expected_incidents`), never the block's calibration.
PER_RUN_SETTINGS: tuple[str, ...] = ("haven_share", "transnational_share", "haven_slope",
                                     "haven_blowback")

#: Blocks kept per shared block, the least recently used dropped first. A block is rebuilt
#: only when its values come back after more than this many others: a sweep reuses one across
#: batches when its values recur (a grid crossing ``pool_rho`` or ``enforcement_weight`` with
#: another parameter meets them again in later batches), and 64 keeps every pair of a grid of up to
#: 8 x 8 of their values; an LHS or Sobol design draws new values at every point and reuses
#: none. Unbounded, a sweep of many values kept every block (about 40 KB each) for the
#: process's life; a block dropped costs about 0.05 s to build again (2026-12-06, one core),
#: against seconds for the runs of a batch.
CACHE_SIZE = 64

# Per shared block (a test may swap it for another), the blocks built from it by settings,
# oldest use first.
_CACHE: weakref.WeakKeyDictionary[
    SecuritySystem, OrderedDict[tuple[float, ...], SecuritySystem]] = weakref.WeakKeyDictionary()


def params_from_settings(settings: Any, base: SecurityParams | None = None) -> SecurityParams:
    """The block's parameters with the scenario's settings in place of the shipped values.

    A setting at its shipped value (:class:`SecurityParams`'s default) changes nothing, so
    ``base`` keeps its own value of it.

    Args:
        settings: A validated ``SecuritySettings`` (or anything with its fields).
        base: The parameters the settings change (default :class:`SecurityParams`).

    Returns:
        ``base`` itself when every setting is at its shipped value; else a copy with the
        settings that are not. ``k_pool_scale`` multiplies every channel's ``k_pool``.
    """
    shipped = SecurityParams()
    b = base if base is not None else shipped
    changes: dict[str, Any] = {f: float(getattr(settings, f)) for f in PARAM_SETTINGS
                               if float(getattr(settings, f)) != getattr(shipped, f)}
    scale = float(settings.k_pool_scale)
    if scale != 1.0:
        changes["k_pool"] = tuple(scale * k for k in b.k_pool)
    return replace(b, **changes) if changes else b


def system_for(settings: Any, default: SecuritySystem) -> SecuritySystem:
    """The calibrated block for a batch's settings (kept for reuse, at most :data:`CACHE_SIZE`).

    Args:
        settings: The mechanism's validated ``SecuritySettings``.
        default: The shared block, returned when every setting is at its shipped value
            (so nothing moves, bits included); otherwise the settings change its
            parameters.
    """
    params = params_from_settings(settings, default.params)
    if params is default.params:
        return default
    key = (*(float(getattr(settings, f)) for f in PARAM_SETTINGS), float(settings.k_pool_scale))
    built = _CACHE.setdefault(default, OrderedDict())
    block = built.get(key)
    if block is not None:
        built.move_to_end(key)
        return block
    # Built from the parameters alone: a block built again is the one dropped, bit for bit.
    block = built[key] = SecuritySystem(params=params)
    while len(built) > CACHE_SIZE:
        built.popitem(last=False)
    return block


def per_run_settings(swept: dict[str, Any]) -> dict[str, Any]:
    """The swept :data:`PER_RUN_SETTINGS`, each ``(R,)``, for the block's state.

    A setting that is not swept is left out, so the state reads the block's parameters
    (the scenario's value) and a batch without a sweep computes exactly as before.

    Args:
        swept: The mechanism's :meth:`~scosim.sweepable.SweptValues.swept` values.
    """
    return {f: v for f, v in swept.items() if f in PER_RUN_SETTINGS}
