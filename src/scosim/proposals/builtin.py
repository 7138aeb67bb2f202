"""Registers the built-in proposal types (imported by the registry on first use).

Corridors live with the network kernels (scosim.network.corridor; docs/network.md).
"""

import scosim.network.corridor  # noqa: F401
from scosim.finance import proposals as _finance_proposals  # noqa: F401
from scosim.proposals import accession, customs_union, free_trade_area  # noqa: F401
from scosim.security import rats_type  # noqa: F401
