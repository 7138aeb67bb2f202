"""Registers the built-in proposal types (imported by the registry on first use).

The trade types are light and register on import. Corridors, RATS upgrades and the
finance types live with their mechanisms' kernels (scosim.network.corridor,
scosim.security.rats_type, scosim.finance.proposals), which import pandas, scipy and
the network tables: they are registered lazily, with the path of their scenario spec
(a light module), so validating a scenario never imports them.
"""

from scosim.proposals import (  # noqa: F401
    _REGISTRY,
    accession,
    application,
    customs_union,
    declaration,
    development_bank,
    free_trade_area,
)

#: name -> (implementation, its scenario spec in a light module).
LAZY: dict[str, tuple[str, str]] = {
    "corridor": ("scosim.network.corridor:Corridor", "scosim.network.specs:CorridorProposal"),
    "rats_upgrade": (
        "scosim.security.rats_type:RatsUpgrade",
        "scosim.security.proposal:RatsUpgradeProposal",
    ),
    "banking_union": (
        "scosim.finance.proposals:BankingUnion",
        "scosim.finance.spec:BankingUnionProposal",
    ),
    "national_currency_settlement": (
        "scosim.finance.proposals:NationalCurrencySettlement",
        "scosim.finance.spec:SettlementProposal",
    ),
}

for _name, (_target, _spec) in LAZY.items():
    _REGISTRY.register_lazy(_name, _target, spec_path=_spec)
