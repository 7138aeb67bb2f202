"""scosim: policy scenarios for the Shanghai Cooperation Organization.

Public API (mirrors the command line)::

    import scosim
    sc = scosim.load_scenario("scenarios/customs_union.yaml")
    res = scosim.run(sc, replications=100)          # writes results/<name>/<run id>/
    res = scosim.open_result(res.path)              # reopen later
    model = scosim.run_model(sc, runs=[0, 1, 2])    # in memory, for notebooks

Rules are extended with ``@scosim.rule("vote")``.
"""

__version__ = "0.1.0"

# The public names are imported on first use (PEP 562), so that `scosim --version`,
# `validate` and `list` do not pay for mesa, pandas and scipy at start-up.
_LAZY = {
    "Result": "scosim.result_tables",
    "catalogue": "scosim.run_catalogue",
    "open_result": "scosim.result_tables",
    "rule": "scosim.rules.registry",
    "run": "scosim.runner",
    "run_model": "scosim.runner",
    "Scenario": "scosim.scenario",
    "ScenarioError": "scosim.scenario",
    "load_scenario": "scosim.scenario",
}


def __getattr__(name: str) -> object:
    """Import a public name from its module the first time it is asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scosim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "catalogue",
    "load_scenario",
    "open_result",
    "rule",
    "run",
    "run_model",
]
