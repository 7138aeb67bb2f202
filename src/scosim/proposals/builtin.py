"""Registers the built-in proposal types (imported by the registry on first use)."""

from scosim.finance import proposals as _finance_proposals  # noqa: F401
from scosim.proposals import accession, customs_union, free_trade_area  # noqa: F401
