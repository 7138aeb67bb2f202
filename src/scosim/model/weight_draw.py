"""Per-run political weights drawn from the hindcasts' confidence set (``weights.draw``).

The Council's vote weighs a member's economic gain against its sovereignty cost, its trust
in the proposer and the largest economy's lead in gains, plus a random shock
(docs/model.md, "The Council"). Fitted to the SCO record 2004-2019 (docs/hindcasts.md,
"What the record identifies", re-fit 2026-12-06), the record bounds these only loosely:

* the *level* of the trust and sovereignty weights from below only: on the diagonal
  trust = sovereignty it fits from 0.00005 at noise 0.1 and from 0.0001 at noise 0.25 up
  to 0.004 (the largest tried); 0.00001 is outside (re-fit 2026-12-07);
* their *balance*: trust : sovereignty from 1 : 2 to 1 : 1 (2 : 1 adopts the Development
  Bank the record rejects; 4 times as much sovereignty loses the BRI votes);
* the vote noise up to 0.25 (the largest tried at 10 runs), with no lower bound found;
* the dominance weight not at all (0 to 2 gave the same score).

Under ``parameters.weights.draw: confidence_set`` each run draws one point of that set,
shared by every state (a state's own weights under ``countries.<ISO3>.weights`` stay):

* sovereignty weight log-uniform on [0.0001, 0.004]: from the lowest level that fits at
  every noise drawn (0.0001 at noise 0.25) to the largest tried. The record prefers no
  level in that range, so each factor of ten is as likely as another;
* trust = sovereignty x r, r uniform on [0.5, 1] (trust : sovereignty 1 : 2 to 1 : 1);
* vote noise uniform on [0.05, 0.25]: the smallest and largest values the fit tried at
  10 runs. Below 0.05 the record sets no bound, but no point there was scored, and noise
  0 makes every vote certain, which is what the draw is meant to loosen;
* dominance uniform on [0, 2]: an **assumption**. The record does not identify it; the
  range is the one tried in the fit, and its shipped 0.5 rests on theory (Powell 1991,
  APSR 85(4)), not on data. A wider range moves Russia's and Pakistan's vetoes of the
  customs union (docs/hindcasts.md, "Which weights matter for which veto").

The four are drawn independently: the set was mapped one or two axes at a time, so its
corners were re-scored on the training record (2026-12-07, docs/hindcasts.md, "Veto shares
over the confidence set"). Every corner with sovereignty at or above 0.0001 fits; below it,
sovereignty under about 0.00005 with noise above about 0.15 adopts the Development Bank the
record rejects in 40-80 % of runs. The lower bound was first 0.00001, which put
13 % of draws in that corner; it is now 0.0001, so no draw is outside the set. The bound
matters: the move raised the drawn vetoes of the banking union, Iran's from 64 % to 80 %
and China's from 18.5 % to 28 % (200 runs; docs/hindcasts.md). The draws
come from their own stream (:func:`scosim.model.rng.stream`, keyed by :data:`STREAM`), so
the growth shocks, sigma, the vote shocks and every mechanism's numbers are the same with
and without the option, and run ``r`` draws the same weights in any batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from scosim.model.rng import stream

__all__ = ["CONFIDENCE_SET", "DRAWN", "STREAM", "draw_confidence_set", "drawn_parameters"]

#: The random stream of the draws: not ``council:<id>``, which a proposal's id could take.
STREAM = "weights:confidence_set"

#: The confidence set's ranges (docs/hindcasts.md, "What the record identifies"):
#: ``sovereignty`` is drawn log-uniformly, the rest uniformly; ``trust_ratio`` is
#: trust / sovereignty.
CONFIDENCE_SET: dict[str, tuple[float, float]] = {
    # From 0.0001, the lowest level that fits at noise 0.25 (first 0.00001, whose
    # lowest decade with noise above 0.15 adopts the bank the record rejects).
    "sovereignty": (0.0001, 0.004),
    "trust_ratio": (0.5, 1.0),
    "vote_noise": (0.05, 0.25),
    "dominance": (0.0, 2.0),  # an assumption: the record does not identify it
}

#: Where each drawn value goes: the scenario's field it replaces.
DRAWN: dict[str, str] = {
    "sovereignty": "parameters.weights.sovereignty",
    "trust": "parameters.weights.trust",
    "dominance": "parameters.weights.dominance",
    "vote_noise": "parameters.council.vote_noise",
}


def draw_confidence_set(seed: int, run_ids: Sequence[int]) -> dict[str, np.ndarray]:
    """Each run's political weights and vote noise, drawn from the confidence set.

    Args:
        seed: The scenario's seed.
        run_ids: The batch's run indices (run ``r`` draws the same in any batch).

    Returns:
        ``{"sovereignty", "trust", "dominance", "vote_noise"}``, each ``(R,)``.
    """
    u = np.array([stream(seed, r, STREAM).random(4) for r in run_ids]).reshape(-1, 4)
    lo, hi = np.log(CONFIDENCE_SET["sovereignty"])
    sovereignty = np.exp(lo + (hi - lo) * u[:, 0])
    ratio = _between(CONFIDENCE_SET["trust_ratio"], u[:, 1])
    return {
        "sovereignty": sovereignty,
        "trust": sovereignty * ratio,
        "vote_noise": _between(CONFIDENCE_SET["vote_noise"], u[:, 2]),
        "dominance": _between(CONFIDENCE_SET["dominance"], u[:, 3]),
    }


def drawn_parameters(scenario: Any, run_ids: Sequence[int]) -> dict[str, np.ndarray]:
    """The scenario's drawn values by the field each replaces (:data:`DRAWN`), ``(R,)`` each.

    Empty unless ``parameters.weights.draw`` is ``confidence_set``: a scenario that does
    not draw draws nothing, so its numbers are those it gave before the option.

    Args:
        scenario: A validated :class:`scosim.scenario.Scenario`.
        run_ids: The batch's run indices.
    """
    if scenario.parameters.weights.draw != "confidence_set":
        return {}
    drawn = draw_confidence_set(scenario.seed, run_ids)
    return {DRAWN[k]: v for k, v in drawn.items()}


def _between(bounds: tuple[float, float], u: np.ndarray) -> np.ndarray:
    """``u`` in [0, 1) mapped onto ``[low, high)``."""
    low, high = bounds
    return low + (high - low) * u
