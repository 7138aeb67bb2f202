"""Registers the built-in proposal types (imported by the registry on first use)."""

from scosim.proposals import accession, customs_union, free_trade_area  # noqa: F401
from scosim.security import rats_type  # noqa: F401
