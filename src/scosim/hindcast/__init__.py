"""Hindcasts: the Council against real SCO decisions, scored (``scosim hindcast``).

Each record is a scenario under ``scenarios/hindcasts/`` and the observed
outcome (:mod:`scosim.hindcast.records`; sources in docs/hindcasts.md). Each is
run over replications (:mod:`scosim.hindcast.run`); the predicted probability
of an item is the share of runs in which it happened. Scores
(:mod:`scosim.hindcast.scoring`): Brier score and log-loss (clipped at 0.01 and at
0.001) against the naive forecasts p = 0 and p = 1, the training base rate of each
kind and persistence (:mod:`scosim.hindcast.baselines`), with Brier skill scores and
intervals over decision clusters (the interval over replications is simulation
noise only), on the training years (<= 2019) and the held-out years (> 2019,
pseudo-out-of-sample: the structure was built with them known). Items coded from the
outcome or constructed are scored apart, outside the headline. The CLI and plot:
:mod:`scosim.hindcast.report`. Predictions filed before the decisions (a prospective
test, not yet scored): :mod:`scosim.hindcast.prospective`.
"""

from __future__ import annotations

from scosim.hindcast.baselines import base_rate_forecast, cluster_bootstrap, persistence_forecast
from scosim.hindcast.records import EAEU, RECORDS, TRAIN_END, Record, records_of
from scosim.hindcast.report import hindcast_cli, plot_hindcast
from scosim.hindcast.run import (
    calibrate,
    era_tariffs,
    run_exits,
    run_hindcast,
    run_record,
    without_union,
)
from scosim.hindcast.scoring import EPS, brier, log_loss, score_table

__all__ = [
    "EAEU",
    "EPS",
    "RECORDS",
    "TRAIN_END",
    "Record",
    "base_rate_forecast",
    "brier",
    "calibrate",
    "cluster_bootstrap",
    "era_tariffs",
    "hindcast_cli",
    "log_loss",
    "persistence_forecast",
    "plot_hindcast",
    "records_of",
    "run_exits",
    "run_hindcast",
    "run_record",
    "score_table",
    "without_union",
]
