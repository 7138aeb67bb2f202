"""One replication through the model with the least overhead (the lean one-by-one path).

The batched runner steps many runs at once (a leading run axis R). To say how much
batching gains, it must be compared with the best way of running replications one at a
time, not with the batch machinery called with R = 1 (batch planning, tidy tables,
Parquet writes and manifests per run). :func:`run_one` is that path: the calibration is
loaded once and passed in (what models derive from it alone, such as agreement blocs and
the trade matrix, is built once per calibration: :func:`scosim.data.calibration.derived`),
one model of a single run is built and stepped, and its records come back as plain
arrays. Its numbers are those of the same run inside a batch (every random draw is keyed
by seed, run and stream, not by batch), which ``tests/test_scale.py`` checks.

Typical use::

    from scosim.single import SingleRunner
    one = SingleRunner(load_scenario("scenarios/customs_union.yaml"))
    out = one.run(7)                      # replication 7
    out.indicators["gdp_usd"]             # (years, N)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SingleResult", "SingleRunner", "run_one"]


@dataclass(frozen=True)
class SingleResult:
    """The records of one replication.

    Attributes:
        run: The replication index.
        years: Calendar years recorded, in order.
        codes: Economy codes (column order of every indicator).
        indicators: ``{name: (years, N) array}`` for every indicator the model recorded.
        model: The stepped model (for its event log and state).
    """

    run: int
    years: tuple[int, ...]
    codes: tuple[str, ...]
    indicators: dict[str, np.ndarray]
    model: Any


class SingleRunner:
    """Runs replications of one scenario one at a time, sharing what does not vary.

    Args:
        scenario: A loaded :class:`~scosim.scenario.Scenario`.
        calibration: The calibration (default: the packaged one, loaded once here).
    """

    def __init__(self, scenario: Any, calibration: Any | None = None) -> None:
        from scosim.data import load_calibration

        self.scenario = scenario
        self.calibration = calibration if calibration is not None else load_calibration()

    def run(self, run: int) -> SingleResult:
        """Build and step the model for replication ``run`` alone.

        Args:
            run: Replication index (its random streams are those of run ``run`` in any
                batch).

        Returns:
            The replication's records as arrays.
        """
        from scosim.model.model import SCOModel

        model = SCOModel(self.scenario, runs=[int(run)], calibration=self.calibration)
        model.run_model()
        T = len(next(iter(model.records.values()))) if model.records else 0
        indicators = {name: np.stack(rows, axis=0)[:, 0, :] for name, rows in model.records.items()}
        return SingleResult(int(run), tuple(model.years[:T]), model.codes, indicators, model)


def run_one(scenario: Any, run: int, calibration: Any | None = None) -> SingleResult:
    """Run replication ``run`` of ``scenario`` alone (see :class:`SingleRunner`)."""
    return SingleRunner(scenario, calibration).run(run)
