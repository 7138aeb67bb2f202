"""The security block a scenario's settings ask for: ``SecuritySettings`` to ``SecurityParams``.

The assumptions docs/security.md gives a range to vary over (the RATS pool's CES exponent
and capacity weight, the safe-haven and transnational shares, the pooling returns and the
incident semi-elasticity) are written in ``parameters.mechanism_settings.security``
(:class:`scosim.security.spec.SecuritySettings`). They enter the block's calibration (the
baseline security index, the partner and capacity terms), so the block is built once per
batch from them: the same in every run, which is why a sweep cannot vary them across the
runs of a batch (``SecurityMechanism.sweepable`` leaves them out).

At the defaults the shared default block is returned itself, so a scenario that writes
nothing, or writes the defaults, gives the numbers of before bit for bit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams

__all__ = ["PARAM_SETTINGS", "params_from_settings", "system_for"]

#: Settings copied onto the ``SecurityParams`` field of the same name.
PARAM_SETTINGS: tuple[str, ...] = ("pool_rho", "enforcement_weight", "haven_share",
                                   "transnational_share", "beta")

_CACHE: dict[tuple[float, ...], SecuritySystem] = {}


def params_from_settings(settings: Any, default: SecurityParams | None = None) -> SecurityParams:
    """The block's parameters with the scenario's settings in place of the defaults.

    Args:
        settings: A validated ``SecuritySettings`` (or anything with its fields).
        default: The parameters the settings change (default :class:`SecurityParams`).

    Returns:
        ``default`` itself when no setting differs from it; else a copy with the settings.
        ``k_pool_scale`` multiplies every channel's ``k_pool``.
    """
    d = default if default is not None else SecurityParams()
    changes: dict[str, Any] = {f: float(getattr(settings, f)) for f in PARAM_SETTINGS
                               if float(getattr(settings, f)) != getattr(d, f)}
    scale = float(settings.k_pool_scale)
    if scale != 1.0:
        changes["k_pool"] = tuple(scale * k for k in d.k_pool)
    return replace(d, **changes) if changes else d


def system_for(settings: Any, default: SecuritySystem) -> SecuritySystem:
    """The calibrated block for a batch's settings (built once per distinct set of values).

    Args:
        settings: The mechanism's validated ``SecuritySettings``.
        default: The shared block at the default parameters, returned when the settings
            change none of them (so nothing moves, bits included).
    """
    params = params_from_settings(settings, default.params)
    if params is default.params:
        return default
    key = (*(float(getattr(settings, f)) for f in PARAM_SETTINGS),
           float(settings.k_pool_scale))
    if key not in _CACHE:
        _CACHE[key] = SecuritySystem(params=params)
    return _CACHE[key]
