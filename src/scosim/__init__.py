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

from scosim.results import Result, catalogue, open_result  # noqa: E402
from scosim.rules.registry import rule  # noqa: E402
from scosim.runner import run, run_model  # noqa: E402
from scosim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

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
