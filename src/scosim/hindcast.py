"""Hindcasts: the Council against real SCO decisions, scored (``scosim hindcast``).

Each record is a scenario under ``scenarios/hindcasts/`` (one proposal tabled in
one year, with the membership of that year) and the observed outcome; the
record's sources are in docs/hindcasts.md. Each scenario is run over
replications on the data version closest to its year (2019 for years up to
2019, else 2023); the predicted adoption probability is the share of runs in
which the proposal was adopted, and where the record shows a member's vote the
share of runs in which it voted yes is scored too. Scores: Brier score and
log-loss against the naive baselines "consensus always fails" (p = 0) and
"always adopted" (p = 1), with bootstrap intervals over replications, on the
training years (<= 2019) and the held-out years (> 2019).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["RECORDS", "Record", "brier", "log_loss", "run_hindcast", "score_table"]

#: Probabilities are clipped to [EPS, 1 - EPS] in the log-loss (a naive p = 0 or 1
#: forecast that is wrong would otherwise score infinity).
EPS = 0.01
#: Last training year; later records are held out.
TRAIN_END = 2019


@dataclass(frozen=True)
class Record:
    """One historical decision: scenario file stem, year, outcome (1 adopted), votes seen."""

    name: str
    year: int
    adopted: int
    votes: dict[str, int] = field(default_factory=dict)


_BRI_VOTES = {"IND": 0, "RUS": 1, "KAZ": 1, "PAK": 1}

RECORDS: tuple[Record, ...] = (
    Record("ftz_2004", 2004, 0), Record("ftz_2008", 2008, 0), Record("ftz_2012", 2012, 0),
    Record("ftz_2016", 2016, 0), Record("ftz_2019", 2019, 0), Record("ftz_2021", 2021, 0),
    Record("ftz_2024", 2024, 0),
    Record("bank_2010", 2010, 0), Record("bank_2015", 2015, 0), Record("bank_2019", 2019, 0),
    Record("bank_2025", 2025, 1),
    Record("bri_2018_consensus", 2018, 0, _BRI_VOTES),
    Record("bri_2018_interested", 2018, 1),
    Record("bri_2022_consensus", 2022, 0, _BRI_VOTES),
    Record("bri_2022_interested", 2022, 1),
    Record("bri_2025_interested", 2025, 1),
    Record("accession_ind_2015", 2015, 1), Record("accession_pak_2015", 2015, 1),
    Record("accession_irn_2010", 2010, 0), Record("accession_irn_2021", 2021, 1),
    Record("accession_blr_2022", 2022, 1),
    Record("partners_2021", 2021, 1), Record("partners_2022", 2022, 1),
)


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return math.fsum(((p - y) ** 2).tolist()) / p.size


def log_loss(p: np.ndarray, y: np.ndarray, eps: float = EPS) -> float:
    """Mean negative log-likelihood of 0/1 outcomes, probabilities clipped to [eps, 1-eps]."""
    p = np.clip(np.asarray(p, float), eps, 1 - eps)
    y = np.asarray(y, float)
    ll = y * np.log(p) + (1 - y) * np.log(1 - p)
    return -math.fsum(ll.tolist()) / p.size


def _default_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "scenarios" / "hindcasts"


def run_record(rec: Record, directory: Path, replications: int,
               overrides: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run one record; ``(adopted (R,), {member: voted yes (R,)})``."""
    from scosim.data import load_calibration
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    ov = {"replications": replications, **(overrides or {})}
    scenario = load_scenario(directory / f"{rec.name}.yaml", overrides=ov)
    cal = load_calibration("2019" if rec.year <= TRAIN_END else "2023")
    model = SCOModel(scenario, calibration=cal)
    model.run_model()
    arr = model.arrangements[0]
    adopted = np.asarray(arr.adopted, bool).copy()
    votes: dict[str, np.ndarray] = {}
    for code in rec.votes:
        yes = np.full(model.R, np.nan)
        for ev in model.log.records():
            if ev["type"] == "vote" and ev["country"] == code and ev["proposal"] == rec.name:
                yes[ev["run"] - int(model.run_ids[0])] = float(ev["yes"])
        votes[code] = yes
    return adopted, votes


def run_hindcast(replications: int = 10, directory: Path | None = None,
                 records: tuple[Record, ...] = RECORDS,
                 overrides: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run every record; one row per scored item with the per-run outcomes in ``draws``."""
    directory = directory or _default_dir()
    rows = []
    for rec in records:
        adopted, votes = run_record(rec, directory, replications, overrides)
        rows.append({"item": rec.name, "kind": "adoption", "year": rec.year,
                     "observed": rec.adopted, "draws": adopted.astype(float)})
        for code, yes in votes.items():
            rows.append({"item": f"{rec.name}:{code}", "kind": "vote", "year": rec.year,
                         "observed": rec.votes[code], "draws": yes[np.isfinite(yes)]})
    df = pd.DataFrame(rows)
    df["p"] = [float(np.mean(d)) if len(d) else np.nan for d in df["draws"]]
    df["sample"] = np.where(df["year"] <= TRAIN_END, "train", "held_out")
    return df


def score_table(df: pd.DataFrame, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Brier and log-loss per sample for the Council and the two baselines, with 90 % intervals.

    Intervals: bootstrap over replications (each item's runs resampled with replacement).
    """
    rng = np.random.default_rng(seed)
    out = []
    for sample in ("train", "held_out", "all"):
        sub = df if sample == "all" else df[df["sample"] == sample]
        sub = sub[sub["p"].notna()]
        if sub.empty:
            continue
        y = sub["observed"].to_numpy(float)
        boot_b, boot_l = [], []
        for _ in range(n_boot):
            p = np.array([np.mean(rng.choice(d, size=len(d))) for d in sub["draws"]])
            boot_b.append(brier(p, y))
            boot_l.append(log_loss(p, y))
        p = sub["p"].to_numpy(float)
        for model_name, pp, bb, bl in (
            ("council", p, boot_b, boot_l),
            ("consensus_always_fails", np.zeros_like(y), None, None),
            ("always_adopted", np.ones_like(y), None, None),
        ):
            row = {"sample": sample, "forecast": model_name, "n_items": len(y),
                   "brier": brier(pp, y), "log_loss": log_loss(pp, y)}
            if bb is not None:
                row |= {"brier_lo": float(np.quantile(bb, 0.05)),
                        "brier_hi": float(np.quantile(bb, 0.95)),
                        "log_loss_lo": float(np.quantile(bl, 0.05)),
                        "log_loss_hi": float(np.quantile(bl, 0.95))}
            out.append(row)
    return pd.DataFrame(out)


def plot_hindcast(df: pd.DataFrame, scores: pd.DataFrame, path: Path) -> None:
    """Predicted probability vs outcome per item, and Brier scores with intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 7), gridspec_kw={"width_ratios": [2, 1]})
    d = df.reset_index(drop=True)
    ypos = np.arange(len(d))
    colors = np.where(d["sample"] == "train", "tab:blue", "tab:orange")
    a1.scatter(d["p"], ypos, c=colors, label="predicted P(yes)", zorder=3)
    a1.scatter(d["observed"], ypos, marker="x", c="k", label="observed (1 = adopted / yes)")
    a1.set_yticks(ypos, d["item"], fontsize=7)
    a1.set_xlabel("probability of adoption (or of a yes vote)")
    a1.set_title("Predicted vs observed (blue: up to 2019, orange: held out)")
    a1.set_xlim(-0.05, 1.05)
    a1.invert_yaxis()
    a1.legend(loc="center", fontsize=8)
    s = scores[scores["sample"] == "held_out"] if (scores["sample"] == "held_out").any() else scores
    names = list(s["forecast"])
    vals = s["brier"].to_numpy()
    err = np.vstack([vals - s["brier_lo"].fillna(s["brier"]).to_numpy(),
                     s["brier_hi"].fillna(s["brier"]).to_numpy() - vals])
    a2.bar(names, vals, yerr=err, capsize=5, color=["tab:green", "grey", "lightgrey"])
    a2.set_ylabel("Brier score (0 = perfect, lower is better)")
    a2.set_title(f"Held-out years (> {TRAIN_END}), 90% bootstrap interval")
    a2.tick_params(axis="x", rotation=20)
    fig.suptitle("scosim Council hindcast against SCO decisions 2004-2025")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def hindcast_cli(args: argparse.Namespace) -> int:
    """``scosim hindcast``: run, print the score table, write CSV and PNG."""
    import sys

    if args.replications < 1:
        print(f"scosim: error: --replications must be >= 1, got {args.replications}",
              file=sys.stderr)
        return 2
    df = run_hindcast(args.replications, Path(args.dir) if args.dir else None)
    scores = score_table(df)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.drop(columns="draws").to_csv(out / "hindcast_items.csv", index=False)
    scores.to_csv(out / "hindcast_scores.csv", index=False)
    plot_hindcast(df, scores, out / "hindcast.png")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(df.drop(columns="draws").to_string(index=False))
        print()
        print(scores.round(4).to_string(index=False))
    print(f"\nwritten: {out / 'hindcast_scores.csv'}, {out / 'hindcast.png'}")
    return 0


def calibrate(grid: dict[str, list[float]], replications: int = 4,
              directory: Path | None = None) -> pd.DataFrame:
    """Grid search on the training records (<= TRAIN_END); held-out Brier reported beside.

    Args:
        grid: Dotted scenario paths (``parameters.council.vote_noise``) to candidate values.
        replications: Runs per record and grid point.
        directory: Hindcast scenarios (default: the shipped ones).

    Returns:
        One row per grid point: the values, train and held-out Brier and log-loss.
    """
    import itertools

    keys = list(grid)
    rows = []
    for values in itertools.product(*(grid[k] for k in keys)):
        ov = dict(zip(keys, values, strict=True))
        df = run_hindcast(replications, directory, overrides=ov)
        row: dict[str, Any] = dict(ov)
        for sample in ("train", "held_out"):
            sub = df[(df["sample"] == sample) & df["p"].notna()]
            y = sub["observed"].to_numpy(float)
            row[f"brier_{sample}"] = brier(sub["p"].to_numpy(float), y)
            row[f"log_loss_{sample}"] = log_loss(sub["p"].to_numpy(float), y)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("brier_train").reset_index(drop=True)
