"""Registers the built-in mechanisms by name and slot (imported by the registry on first use).

Every built-in is registered lazily: validating a scenario asks only for a mechanism's
slot, name and settings model, so it imports neither numpy nor a kernel. The growth and
trade mechanisms live in :mod:`scosim.model.builtin_mechanisms`; security, the corridor
network and the banking systems with their kernels, which import pandas, scipy and the
network tables. The registry checks each declared attribute against the class when the
class loads.
"""

from scosim.model.slots import _REGISTRY

#: name -> (implementation, the slot it fills).
LAZY: dict[str, tuple[str, str]] = {
    "calibrated_growth": ("scosim.model.builtin_mechanisms:CalibratedGrowth", "growth"),
    "ge_trade": ("scosim.model.builtin_mechanisms:GETrade", "trade"),
    "security": ("scosim.security.mechanism:SecurityMechanism", "security"),
    "corridor_network": ("scosim.network.mechanism:CorridorNetworkMechanism", "network"),
    "banking_systems": ("scosim.finance.mechanism:BankingSystems", "finance"),
}
#: Those that change nothing unless a proposal or an event asks them to (``passive``).
PASSIVE = frozenset({"corridor_network", "banking_systems"})
#: name -> the levers its step writes (``Mechanism.writes_levers``), declared here so that
#: validation reads them without importing numpy; checked against the class on load.
WRITES: dict[str, tuple[str, ...]] = {
    "calibrated_growth": (),
    "ge_trade": (),
    "security": ("insecurity", "insecurity_base", "welfare_cost_share"),
    "corridor_network": ("welfare_income_share",),
    "banking_systems": (),
}
#: name -> its settings model, in a module that imports no numpy (the others take none).
SETTINGS: dict[str, str] = {"security": "scosim.security.spec:SecuritySettings"}
for _name, (_target, _slot) in LAZY.items():
    _settings = ({"settings_model_path": SETTINGS[_name]} if _name in SETTINGS
                 else {"settings_model": None})
    _REGISTRY.register_lazy(_name, _target, slot=_slot, name=_name,
                            passive=_name in PASSIVE, writes_levers=WRITES[_name],
                            **_settings)
