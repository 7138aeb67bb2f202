"""The year's defensive hardening: what the security step chooses and what previews see.

With ``parameters.security.hardening.rule`` ``nash`` or ``cooperative`` the security
mechanism's step chooses each year's hardening ``h`` with the rule's solver
(:func:`scosim.security.hardening.choose_hardening`) at that year's Afghan instability.
The Council previews that year's proposals before the step, so they ask the same function
for the same year: a RATS upgrade's or an accession's expected incidents, the trade gain
they price, and a corridor's or customs union's insecurity (``preview_levers``,
``preview_cost_factor``) are then the ones the step will produce, hardened. Before
2026-12-06 previews used no hardening (the proposals' incidents) or last year's (the
insecurity of ``preview_levers``; none in a run's first year).

A proposal does not move ``h``: the rule prices an incident at the damage the votes use
(:func:`scosim.security.damage.incident_damage_share_gdp`, through
:func:`scosim.security.hardening_price.hardening_index_value`) at the security index the
state starts the year from (last year's efforts and RATS set-up), and chooses ``h`` from the
pressure before hardening, none of which a RATS upgrade or an accession voted this year
changes. So one ``h`` serves both sides of a preview. Until 2026-12-07 the rule priced an
incident at a scenario's ``hardening.index_value`` over the incidents a state expected
(docs/security.md section 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scosim.security.damage import incident_damage_share_gdp
from scosim.security.hardening import choose_hardening
from scosim.security.hardening_price import hardening_index_value

if TYPE_CHECKING:
    from scosim.model.model import SCOModel
    from scosim.security.mechanism import SecurityMechanism

__all__ = ["preview_hardening", "year_hardening"]


def year_hardening(mech: SecurityMechanism, model: SCOModel,
                   year: int | None = None) -> np.ndarray | None:
    """Hardening ``(R, N)`` the rule chooses in ``year`` (default the model's), None without one.

    The inputs of :func:`choose_hardening` as the step passes them: the year's instability
    of each run (:meth:`SecurityMechanism.instability`), the index value that prices an
    incident at the votes' damage (:func:`hardening_index_value` at the mechanism's state,
    the one the year starts from), the model's GDP (read by the cooperative rule only) and
    ``cost_share_gdp``. The solution is kept
    on the mechanism with its inputs and reused while they are equal, so a summit's
    previews and the year's step solve once; a cooperative rule whose GDP moved between
    the summit and the step (the growth slot steps first) solves again. The cost of
    hardening is the mechanism's ``hardening_cost_share`` (``d`` per state, at which the
    rule chooses ``h = 0`` at 2018-2022 conditions:
    :mod:`scosim.security.hardening_calibration`). The array returned is read-only.

    Args:
        mech: The security mechanism (its block, state and ``hardening_spec``).
        model: The model.
        year: The year; default ``model.year``.
    """
    spec = mech.hardening_spec
    if spec.rule == "none":
        return None
    yr = model.year if year is None else int(year)
    inst = np.asarray(mech.instability(model, yr), dtype=float)
    # One price with the votes: the damage their security term values an incident at.
    value = hardening_index_value(mech.system, mech.state, inst,
                                  incident_damage_share_gdp(model.population))
    gdp = np.asarray(model.gdp, dtype=float) if spec.rule == "cooperative" else None
    inputs = (inst, value, gdp)
    kept = getattr(mech, "_year_hardening", None)
    if kept is not None and kept[0] == yr and all(
            (a is None and b is None) or (a is not None and b is not None
                                          and np.array_equal(a, b))
            for a, b in zip(kept[1], inputs, strict=True)):
        return kept[2]
    # d per state, calibrated so that h = 0 at 2018-2022 conditions (hardening_calibration).
    h = choose_hardening(mech.system, mech.state, inst, spec.rule, gdp=model.gdp,
                         value=value, cost_share_gdp=mech.hardening_cost_share)
    h.setflags(write=False)
    mech._year_hardening = (yr, tuple(None if a is None else a.copy() for a in inputs), h)
    return h


def preview_hardening(model: SCOModel) -> np.ndarray | None:
    """This year's hardening for a preview: :func:`year_hardening`, None without the slot."""
    from scosim.security.mechanism import security_mechanism

    mech = security_mechanism(model)
    return None if mech is None else year_hardening(mech, model)
