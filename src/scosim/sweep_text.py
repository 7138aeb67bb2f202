"""What a sweep says in words: its parameters and outputs on figures, its printed indices.

Kept apart from :mod:`scosim.api_sweep` (which re-exports them) so that the sweep's
running and its labelling can be read separately.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from scosim.sweepable import SWEPT_INSTABILITY

#: An output ``indicator:CODE[:YEAR]`` as ``scosim sweep --output`` takes it.
_OUT = re.compile(r"\A(?P<ind>[a-z][a-z0-9_]*):(?P<c>[A-Z]{3})(?::(?P<y>\d{4}))?\Z")


def param_label(name: str, sc: Any) -> str:
    """``"trade.sigma: elasticity of substitution"``: a swept parameter, for a figure's axis.

    The field's description in the scenario schema, the proposal type's spec
    (``proposals.<id>.<field>``: ``"cet of proposal sco_cu (customs_union): ..."``) or
    the mechanism's settings model; the bare name where none is written.
    """
    from scosim.model.slots import SETTING_PREFIX

    parts = name.split(".")
    if name.startswith(SWEPT_INSTABILITY):
        from scosim.data.constants import NAMES

        code = name.removeprefix(SWEPT_INSTABILITY)
        return f"network instability of {NAMES.get(code, code)} (0-1, every year)"
    try:
        if name.startswith(SETTING_PREFIX):
            from scosim.model.slots import get_mechanism

            mech, field = parts[-2], parts[-1]
            model = get_mechanism(mech).settings_model
            desc = model.model_fields[field].description if model is not None else None
            head = f"{field} of mechanism {mech}"
        elif parts[0] == "proposals" and len(parts) == 3:
            prop = next(p for p in sc.proposals if p.id == parts[1])
            desc = type(prop).model_fields[parts[2]].description
            head = f"{parts[2]} of proposal {prop.id} ({prop.type})"
        else:
            node: Any = sc
            for part in parts[:-1]:
                node = getattr(node, part)
            desc = type(node).model_fields[parts[-1]].description
            head = name.removeprefix("parameters.")
    except (AttributeError, KeyError, StopIteration):  # a plug-in's field we cannot read
        return name.removeprefix("parameters.")
    return f"{head}: {desc}" if desc else head


def output_label(spec: str, sc: Any) -> str:
    """``"welfare change (welfare_change_pct) of KAZ in 2035, percent"``: a sweep output."""
    from scosim.indicator_display import NAMES, resolve_units

    m = _OUT.match(spec)
    if not m:
        return spec
    ind = m["ind"]
    year = m["y"] or sc.years.end
    name = f"{NAMES[ind]} ({ind})" if ind in NAMES else ind
    from scosim.api import UNITS  # api re-exports this module

    unit = resolve_units([ind], UNITS)[ind]
    return f"{name} of {m['c']} in {year}" + (f", {unit}" if unit else "")


def indices_text(indices: pd.DataFrame, meta: dict[str, Any], *, points: int) -> str:
    """The indices ``scosim sweep`` prints: what they are, from how many runs, rounded.

    Sobol indices are shares of variance: three decimals are more than their
    intervals support at any affordable n. Morris effects are in output units:
    four significant digits. NaN (an output that never varies) reads "undefined".
    """
    reps = meta["replications_per_point"]
    runs = f"{points} points x {reps} replication(s) = {points * reps} model runs"
    if meta["method"] == "sobol":
        head = (f"Sobol indices (base sample n = {meta['n']}; {runs}); S1_conf, ST_conf: "
                "half-widths of 95% bootstrap confidence intervals")
        cols = {c: "{:.3f}" for c in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        head = (f"Morris elementary effects ({meta['n']} trajectories; {runs}); in output "
                "units per full range of the parameter; mu_star_conf: half-width of the "
                "95% bootstrap confidence interval of mu_star")
        cols = {c: "{:.4g}" for c in ("mu", "mu_star", "mu_star_conf", "sigma")}
    shown = indices.copy()
    for c, f in cols.items():
        shown[c] = [("undefined" if v != v else f.format(v)) for v in shown[c]]
    text = head + "\n" + shown.to_string(index=False)
    if meta["method"] == "morris":
        # A parameter with no effect anywhere is news about the scenario, not the method
        # (in a scenario whose votes a rule fixes, the vote weights move nothing).
        inert = indices.groupby("parameter", sort=False)[["mu_star", "sigma"]].apply(
            lambda d: bool((d == 0).all().all()))
        if inert.any():
            text += ("\nno effect at any point on any output: "
                     + ", ".join(str(p) for p in inert[inert].index)
                     + " (nothing it sets reaches these outputs in this scenario, e.g. votes "
                     "fixed by a rule)")
    if meta["method"] == "sobol" and (shown[list(cols)] == "undefined").any().any():
        text += ("\nundefined: the output is the same at every point, within numerical noise "
                 "(no variance to apportion)")
    return text
