"""Registers the built-in proposal types (imported by the registry on first use).

Every built-in is registered lazily, with the path of its scenario spec in a light
module: validating a scenario then imports neither numpy nor the kernels. The trade
types' specs and scenario checks live in :mod:`scosim.proposals.specs` (their
implementations import numpy and the trade kernels); corridors, RATS upgrades and the
finance types live with their mechanisms' kernels (scosim.network.corridor,
scosim.security.rats_type, scosim.finance.proposals), which import pandas, scipy and
the network tables. The registry checks each declared path against the class when
the class loads.
"""

from scosim.proposals import _REGISTRY

_SPECS = "scosim.proposals.specs"

#: name -> (implementation, its scenario spec in a light module).
LAZY: dict[str, tuple[str, str]] = {
    "customs_union": ("scosim.proposals.customs_union:CustomsUnion",
                      f"{_SPECS}:CustomsUnionProposal"),
    "free_trade_area": ("scosim.proposals.free_trade_area:FreeTradeArea",
                        f"{_SPECS}:FreeTradeAreaProposal"),
    "accession": ("scosim.proposals.accession:Accession", f"{_SPECS}:AccessionProposal"),
    "application": ("scosim.proposals.application:Application",
                    f"{_SPECS}:ApplicationProposal"),
    "declaration": ("scosim.proposals.declaration:Declaration",
                    f"{_SPECS}:DeclarationProposal"),
    "development_bank": ("scosim.proposals.development_bank:DevelopmentBank",
                         f"{_SPECS}:DevelopmentBankProposal"),
    "corridor": ("scosim.network.corridor:Corridor", "scosim.network.specs:CorridorProposal"),
    "rats_upgrade": (
        "scosim.security.rats_type:RatsUpgrade",
        "scosim.security.spec:RatsUpgradeProposal",
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

#: Scenario checks of every built-in type, declared so that validation needs no import of
#: the implementation (each class's ``check`` is the same function).
CHECKS: dict[str, str] = {
    "customs_union": f"{_SPECS}:check_customs_union",
    "free_trade_area": f"{_SPECS}:check_free_trade_area",
    "accession": f"{_SPECS}:check_accession",
    "application": f"{_SPECS}:check_application",
    "declaration": f"{_SPECS}:check_declaration",
    "development_bank": f"{_SPECS}:check_development_bank",
    "corridor": "scosim.network.specs:check_corridor",
    "rats_upgrade": f"{_SPECS}:check_rats_upgrade",
    "banking_union": "scosim.finance.spec:check_banking_union",
    "national_currency_settlement": f"{_SPECS}:check_settlement",
}

_FINANCE = ("supervision", "deposit_insurance", "resolution", "information",
            "supervision_effect", "contribution_bp", "mutualisation", "backstop_mutual",
            "fund_resolves", "bail_in_share", "public_backstop_brrd", "trigger")
#: The levers each built-in's ``apply`` writes (``ProposalType.writes_levers``), declared so
#: that validation reads them without importing numpy; checked against the class on load.
WRITES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("customs_union", "free_trade_area", "accession", "application",
                     "declaration", "development_bank"), ()),
    "corridor": ("corridor_operating_year", "corridor_transit_fee", "corridor_failure_year"),
    "rats_upgrade": ("rats_pooling", "rats_contribution"),
    "banking_union": tuple(f"finance.{n}" for n in _FINANCE),
    "national_currency_settlement": ("finance.settlement_floor",),
}

for _name, (_target, _spec) in LAZY.items():
    _REGISTRY.register_lazy(_name, _target, spec_path=_spec, check_path=CHECKS[_name],
                            name=_name, writes_levers=WRITES[_name])
