"""Imported by the fork server before it forks workers (:mod:`scosim.worker_start`).

It does once, in the server, what every worker's first batch would otherwise do for
itself, about a second of CPU each: import the model and the built-in proposal types
and mechanisms, and read the calibration tables of the data version in use. Workers
forked afterwards share the result. Nothing here changes what a batch computes: a
worker that finds a module or table not loaded here loads it itself.
"""

from __future__ import annotations

import contextlib

import scosim.runner  # noqa: F401
import scosim.stats_feed  # noqa: F401
import scosim.store_runs  # noqa: F401
from scosim.data import load_calibration
from scosim.model.slots import available_mechanisms, get_mechanism, mechanism_origin
from scosim.proposals import builtin_types, get_type

for _name in builtin_types():
    get_type(_name)
for _name in available_mechanisms():
    if mechanism_origin(_name) == "builtin":
        get_mechanism(_name)
# The data version of the environment the server started with, which is the
# workers' (SCOSIM_DATA_VERSION); a worker reports any error with its own batch.
with contextlib.suppress(Exception):
    load_calibration()
