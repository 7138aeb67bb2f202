"""Warnings of a sweep whose parameters do not reach its outputs.

A sweep of a field that never reaches an output runs, and prints a flat line, without a
word: ``proposals.sco_cu.depth`` of ``customs_union.yaml`` enters only the states' vote
scores (the sovereignty cost), and the votes of that scenario are committed
(``always_yes``), so ``welfare_change_pct:KAZ`` was -0.1712 at every point. After the
runs, an output equal at every point is said (:func:`flat_outputs_warning`: cheap, and
whatever the reason); before them, a swept field that only the vote score reads, in a
scenario whose every vote is committed (:func:`score_only_warning`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["flat_outputs", "flat_outputs_warning", "plugin_reading_hints", "score_only_params",
           "score_only_warning"]

#: The vote's random shock, relative to its score's terms (a committed vote draws none).
_NOISE = "parameters.council.vote_noise"


def flat_outputs(table: pd.DataFrame, outputs: Iterable[str]) -> list[str]:
    """The outputs whose value is the same at every point of a sweep (NaN equal to NaN).

    Args:
        table: The design's outputs (``design_outputs.parquet``): a column per output.
        outputs: The output columns to check.
    """
    flat = []
    for o in outputs:
        if o not in table or len(table) < 2:
            continue
        values = table[o].to_numpy(dtype=float)
        # Exact equality: a sweep at common random numbers repeats every other number.
        if (np.isnan(values).all() or (not np.isnan(values).any()
                                       and (values == values[0]).all())):
            flat.append(o)
    return flat


def flat_outputs_warning(table: pd.DataFrame, outputs: Sequence[str],
                         params: Sequence[str], sc: Any = None) -> str | None:
    """What to say when an output did not move at any point; None when all moved.

    Args:
        table: The design's outputs.
        outputs: The output columns to check.
        params: The swept parameters.
        sc: The scenario swept: a swept field of a plug-in's adds its likely cause
            (:func:`plugin_reading_hints`); None: none added.
    """
    flat = flat_outputs(table, outputs)
    if not flat:
        return None
    said = ", ".join(f"{o} ({_value(table[o].iloc[0])})" for o in flat)
    swept = ", ".join(params)
    hints = plugin_reading_hints(sc, params) if sc is not None else []
    return (f"{said}: the same at every one of the {len(table)} points. The swept "
            f"{'parameter' if len(params) == 1 else 'parameters'} {swept} may not reach "
            f"{'this output' if len(flat) == 1 else 'these outputs'} under the scenario's "
            "rules (e.g. a field that only enters the states' vote scores, where the votes "
            "are committed by always_yes or always_no, or a proposal that is never adopted)"
            + "".join(f"; {h}" for h in hints))


def plugin_reading_hints(sc: Any, params: Iterable[str]) -> list[str]:
    """The likely cause of a flat output, for each swept field of a plug-in's.

    A plug-in type that lists a field in ``sweepable`` but reads
    ``self.proposal.<field>`` (a mechanism ``self.settings.<field>``) sweeps nothing:
    every point gives the same numbers (docs/proposals.md, "Sweeping a field of a
    proposal"). The warning did not say so (an outside review, 2026-12-07). Built-in
    types and mechanisms read ``self.value``, tested (tests/test_builtin_sweep.py).
    """
    from scosim.model.slots import mechanism_origin
    from scosim.proposals import type_origin

    types = {p.id: p.type for p in sc.proposals}
    out = []
    for name in params:
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "proposals" and parts[1] in types:
            kind, plugin, field = "type", types[parts[1]], parts[2]
            attr = f"self.proposal.{field}"
            doc = 'docs/proposals.md, "Sweeping a field of a proposal"'
        elif len(parts) == 4 and parts[:2] == ["parameters", "mechanism_settings"]:
            kind, plugin, field = "mechanism", parts[2], parts[3]
            attr, doc = f"self.settings.{field}", "docs/mechanisms.md, settings"
        else:
            continue
        origin = type_origin if kind == "type" else mechanism_origin
        try:
            if origin(plugin) == "builtin":
                continue
        except Exception:  # noqa: BLE001 - unknown here: a plug-in, say the likely cause
            pass
        out.append(f"{name} is a field of the plug-in {kind} {plugin!r}: if it reads "
                   f"`{attr}` instead of `self.value({field!r})`, every point runs with "
                   f"the scenario's value ({doc})")
    return out


def _value(v: float) -> str:
    return "no value" if v != v else f"{v:.6g}"


def score_only_params(sc: Any, params: Iterable[str]) -> list[str]:
    """The swept fields that only the states' vote scores read.

    A proposal's ``depth`` (the sovereignty cost of each vote) and the vote noise. Not
    the weights of the score's terms: a ``consent`` rule is shown them too.
    """
    ids = {p.id for p in sc.proposals}
    out = []
    for name in params:
        parts = name.split(".")
        if (len(parts) == 3 and parts[0] == "proposals" and parts[1] in ids
                and parts[2] == "depth") or name == _NOISE:
            out.append(name)
    return out


def _committed_rules(sc: Any) -> list[str] | None:
    """Every vote rule of the scenario, when each is committed (reads no score); else None."""
    from scosim.vote_stats import COMMITTED_RULES, rule_name

    rules = {sc.parameters.rules["vote"]}  # defaults filled in by the schema
    rules |= {c.rules["vote"] for c in sc.countries.values() if "vote" in c.rules}
    rules = {rule_name(str(r)) for r in rules}
    return sorted(rules) if rules <= set(COMMITTED_RULES) else None


def score_only_warning(sc: Any, params: Iterable[str]) -> str | None:
    """What to say, before a sweep runs, of swept fields no vote will read; else None.

    Only the vote scores read them, and every state's vote is committed by a rule
    that reads no score (``always_yes``, ``always_no``): they can move no output.
    """
    swept = score_only_params(sc, params)
    rules = _committed_rules(sc) if swept else None
    if not swept or rules is None:
        return None
    return (f"{', '.join(swept)} only {'enters' if len(swept) == 1 else 'enter'} the states' "
            f"vote scores, and every vote in this scenario is committed by "
            f"{' or '.join(rules)} (parameters.rules.vote, countries.<CODE>.rules.vote), "
            "which reads no score: the outputs will not move with it. Sweep it in a "
            "scenario whose states vote on their scores (parameters.rules.vote: "
            "utility_vote, as in customs_union_consensus.yaml)")
