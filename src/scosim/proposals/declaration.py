"""Declaration: a low-depth statement of the Council (no economic effect).

Examples: the paragraph of a summit declaration endorsing the Belt and Road
Initiative (2018-2025), or a decision granting dialogue-partner status
(2021-2022). A declaration changes no tariff or trade cost, so its expected
gain is zero; members weigh only the sovereignty cost of its ``depth``, their
trust in the proposer and the vote noise (docs/model.md). Default decision rule:
consensus (SCO Charter art. 16). Nothing is implemented and nobody can leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from typing_extensions import override

from scosim.proposals import register_type
from scosim.proposals.base import Preview, ProposalType
from scosim.proposals.specs import DeclarationProposal, check_declaration

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


@register_type
class Declaration(ProposalType):
    """A statement: zero expected gain, sovereignty cost ``depth``.

    Sweepable: ``depth`` (the Council reads it per run as each vote's sovereignty cost).
    """

    name = "declaration"
    writes_levers = ()  # changes no policy (lever_writers)
    spec = DeclarationProposal
    sweepable = ("depth",)
    check = staticmethod(check_declaration)
    default_decision_rule = "consensus"
    ratification_lag = 0
    exit_allowed = False
    retable = False

    @override
    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        """Zero gain for everyone (no GE solve); the Council adds depth and trust terms."""
        return Preview(gain=np.zeros((model.R, model.N)), terms={} if terms is None else terms)
