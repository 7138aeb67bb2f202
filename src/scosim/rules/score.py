"""The number a rule decided on, returned beside its answer (``RuleScore``).

A state's vote rule (:mod:`scosim.rules`) and a Council decision rule
(:mod:`scosim.model.decision_rules`) answer yes/no; a rule that decides on a number of
its own (a GDP-weighted share in favour, the worst partner's gain) may also say what that
number was and what it was compared with, by appending a :class:`RuleScore` to what it
returns:

* a vote rule: ``return yes, RuleScore(score, threshold)`` instead of ``return yes``;
* a decision rule: ``return adopted, participants, RuleScore(score, threshold)``.

The run logs it with the event (``rule_score``/``rule_threshold`` on each ``vote``,
``decision_score``/``decision_threshold`` on ``adopted``/``rejected``) and ``votes.csv``
gives its mean over runs (docs/model.md, "Event log"). Standard library only: a rule's
module may import it without numpy's cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["RuleScore", "split_score"]


@dataclass(frozen=True)
class RuleScore:
    """What a rule decided on: its own number and the bar it set, per run.

    Attributes:
        score: ``(R,)`` floats, or one number for every run, in the rule's own units
            (a share, a fraction of real expenditure, a count); NaN in a run where the
            rule had nothing to measure.
        threshold: What ``score`` was compared with, ``(R,)`` or one number; NaN (the
            default) when the rule sets no single bar.
    """

    score: Any
    threshold: Any = float("nan")

    def arrays(self, n_runs: int, said: str) -> tuple[np.ndarray, np.ndarray]:
        """``(score, threshold)``, each ``(n_runs,)`` float64.

        Args:
            n_runs: ``R``.
            said: The rule, for the message (``"vote rule 'x' of KAZ in 2026"``).

        Raises:
            TypeError: A value that is not numbers of shape ``()`` or ``(n_runs,)``.
        """
        import numpy as np

        out = []
        for what, value in (("score", self.score), ("threshold", self.threshold)):
            try:
                arr = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                arr = None
            if arr is None or arr.shape not in ((), (n_runs,)):
                got = "not numbers" if arr is None else f"shape {arr.shape}"
                raise TypeError(f"{said} returned a RuleScore whose {what} is {got}; it must "
                                f"be a number or an array of shape ({n_runs},) (runs)")
            out.append(np.broadcast_to(arr, (n_runs,)).astype(float))
        return out[0], out[1]


def split_score(result: Any) -> tuple[Any, RuleScore | None]:
    """A rule's answer and the :class:`RuleScore` appended to it, if any.

    ``(yes, RuleScore)`` gives ``(yes, score)``; ``(adopted, participants, RuleScore)``
    gives ``((adopted, participants), score)``; anything else is the answer alone.
    """
    if isinstance(result, tuple) and len(result) >= 2 and isinstance(result[-1], RuleScore):
        rest = result[:-1]
        return (rest[0] if len(rest) == 1 else rest), result[-1]
    return result, None
