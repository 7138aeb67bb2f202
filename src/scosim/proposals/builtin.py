"""Registers the built-in proposal types (imported by the registry on first use).

Corridors, RATS upgrades and the finance types live with their mechanisms' kernels
(scosim.network.corridor, scosim.security.rats_type, scosim.finance.proposals).
"""

import scosim.network.corridor  # noqa: F401
from scosim.finance import proposals as _finance_proposals  # noqa: F401
from scosim.proposals import (  # noqa: F401
    accession,
    application,
    customs_union,
    declaration,
    development_bank,
    free_trade_area,
)
from scosim.security import rats_type  # noqa: F401
