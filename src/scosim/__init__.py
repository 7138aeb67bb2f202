"""scosim: policy scenarios for the Shanghai Cooperation Organization.

Public API (mirrors the command line)::

    import scosim
    sc = scosim.load_scenario("scenarios/customs_union.yaml")
    res = scosim.run(sc, replications=100)          # writes results/<name>/<run id>/
    res = scosim.open_result(res.path)              # reopen later
    model = scosim.run_model(sc, runs=[0, 1, 2])    # in memory, for notebooks

Rules are extended with ``@scosim.rule("vote")``.
"""

from scosim._lazy import lazy_exports  # stdlib only: start-up stays light

__version__ = "0.1.0"

# The public names are imported on first use (PEP 562), so that `scosim --version`,
# `validate` and `list` do not pay for mesa, pandas and scipy at start-up.
_LAZY = {
    "Result": "result_tables",
    "catalogue": "run_catalogue",
    "open_result": "result_tables",
    "rule": "rules.registry",
    "run": "runner",
    "run_model": "runner",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load_scenario": "scenario",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

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
