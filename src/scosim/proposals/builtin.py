"""Registers the built-in proposal types (imported by the registry on first use)."""

from scosim.proposals import (  # noqa: F401
    accession,
    customs_union,
    declaration,
    development_bank,
    free_trade_area,
)
