"""Machine and numeric-stack details recorded with every benchmark result, and the
summary of a measure over rounds that every benchmark reports."""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime
from typing import Any


def machine() -> dict[str, Any]:
    """Describe the machine and the numeric stack.

    Returns:
        CPU model (from /proc/cpuinfo), cores, Python, numpy, BLAS (threadpoolctl
        if installed, else numpy's build configuration), load average and date.
        numpy and pandas are imported here, not at module level, so that a benchmark
        launching child processes stays small until it has measured them (a child's
        ``ru_maxrss`` starts from its parent's resident size at fork on Linux).
    """
    import numpy as np
    import pandas as pd

    import scosim

    info: dict[str, Any] = {
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scosim": scosim.__version__,
        "cpu_model": None,
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        info["load_average_1_5_15"] = list(os.getloadavg())
    except OSError:
        pass
    info["blas_threads_env"] = {
        k: os.environ[k]
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        if k in os.environ
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = {"source": "threadpoolctl", "pools": threadpool_info()}
    except ImportError:
        try:
            deps = np.show_config(mode="dicts")["Build Dependencies"]
            info["blas"] = {
                "source": "numpy.show_config (threadpoolctl not installed)",
                "blas": {
                    k: deps["blas"].get(k) for k in ("name", "version", "openblas configuration")
                },
                "lapack": {k: deps["lapack"].get(k) for k in ("name", "version")},
            }
        except Exception as exc:  # noqa: BLE001 - informational only
            info["blas"] = {"source": "unavailable", "error": repr(exc)}
    return info


def summarise(values: list[float]) -> dict[str, float]:
    """Median, min, max and count of one measure over rounds (what every record reports)."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}
