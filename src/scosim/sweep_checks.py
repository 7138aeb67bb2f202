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

__all__ = ["flat_outputs", "flat_outputs_warning", "score_only_params", "score_only_warning"]

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
                         params: Sequence[str]) -> str | None:
    """What to say when an output did not move at any point; None when all moved."""
    flat = flat_outputs(table, outputs)
    if not flat:
        return None
    said = ", ".join(f"{o} ({_value(table[o].iloc[0])})" for o in flat)
    swept = ", ".join(params)
    return (f"{said}: the same at every one of the {len(table)} points. The swept "
            f"{'parameter' if len(params) == 1 else 'parameters'} {swept} may not reach "
            f"{'this output' if len(flat) == 1 else 'these outputs'} under the scenario's "
            "rules (e.g. a field that only enters the states' vote scores, where the votes "
            "are committed by always_yes or always_no, or a proposal that is never adopted)")


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
