"""A vote rule that decides on something other than the utility score (test_vote_decided_by).

``trust_or_no`` says no wherever the state's trust in the proposer is below neutral and yes
everywhere else, whatever its score: the votes it decides differ from the score's sign.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def trust_or_no(ctx: Any) -> np.ndarray:
    """Yes where trust in the proposer is at least neutral (``terms["trust"] >= 0``)."""
    return np.asarray(ctx.terms["trust"] >= 0.0)
