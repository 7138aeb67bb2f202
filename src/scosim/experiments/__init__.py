"""Experiments: batches and executors, parameter sweeps and global sensitivity analysis.

Generic machinery: nothing here knows the SCO model. A model is any function
from a :class:`BatchSpec` to results (executors) or from parameter arrays to
output arrays (sweeps and sensitivity), so the same code drives the real model
and the synthetic test functions.
"""

from scosim.experiments.executors import (
    EVENT_COLUMNS,
    INDICATOR_COLUMNS,
    BatchError,
    BatchOutput,
    BatchSpec,
    execute,
    make_batches,
)
from scosim.experiments.sensitivity import (
    SensitivityResult,
    morris_analysis,
    plot_morris,
    plot_sobol,
    sobol_analysis,
)
from scosim.experiments.sweep import (
    Outcome,
    ScenarioModelFn,
    design_specs,
    evaluate,
    grid,
    latin_hypercube,
    plot_sweep,
)

__all__ = [
    "EVENT_COLUMNS",
    "INDICATOR_COLUMNS",
    "BatchError",
    "BatchOutput",
    "BatchSpec",
    "Outcome",
    "ScenarioModelFn",
    "SensitivityResult",
    "design_specs",
    "evaluate",
    "execute",
    "grid",
    "latin_hypercube",
    "make_batches",
    "morris_analysis",
    "plot_morris",
    "plot_sobol",
    "plot_sweep",
    "sobol_analysis",
]
