"""Registers the built-in proposal types (imported by the registry on first use)."""

from scosim.proposals import accession, customs_union, free_trade_area  # noqa: F401

# Corridors live with the network kernels (docs/network.md).
import scosim.network.corridor  # noqa: E402, F401, I001
