"""Running the hindcast records: one batch of replications per record.

Each record's scenario is run on the data version closest to its year (2019
for years up to 2019, else 2023). The predicted probability of an item is the
share of runs in which the event happened (adopted, applied, voted yes, left).
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.hindcast.records import (
    EAEU,
    EAEU_PRE_UNION_MFN,
    RECORDS,
    TRAIN_END,
    Record,
)
from scosim.hindcast.scoring import brier_unbiased, headline, log_loss

__all__ = [
    "calibrate",
    "default_dir",
    "era_tariffs",
    "run_exits",
    "run_hindcast",
    "run_record",
    "without_union",
]


def default_dir() -> Path:
    """The shipped hindcast scenarios (``scenarios/hindcasts/``).

    The checkout's folder, or the installed wheel's copy of it
    (:func:`scosim.scenario.shipped.shipped_dir`): from a wheel the checkout's path does
    not exist.
    """
    from scosim.scenario.shipped import CHECKOUT, PACKAGED, shipped_dir

    # Neither there: the folder this installation should have, so that the missing file
    # named is in it (three folders up from an installed package is no repository).
    return (shipped_dir() or CHECKOUT or PACKAGED) / "hindcasts"


def _model(rec: Record, directory: Path, replications: int,
           overrides: dict[str, Any] | None, calibration: Any = None) -> Any:
    from scosim.data import load_calibration
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    ov = {"replications": replications, **(overrides or {})}
    scenario = load_scenario(directory / f"{rec.name}.yaml", overrides=ov)
    cal = calibration or load_calibration("2019" if rec.year <= TRAIN_END else "2023")
    model = SCOModel(scenario, calibration=cal)
    model.run_model()
    return model


def run_record(rec: Record, directory: Path, replications: int,
               overrides: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run one adoption or application record; ``(adopted (R,), {member: voted yes (R,)})``."""
    model = _model(rec, directory, replications, overrides)
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


def without_union(cal: Any, members: tuple[str, ...] = EAEU,
                  pre_union: dict[str, float] | None = None) -> Any:
    """The calibration of a world without a customs union among ``members``.

    The members keep free trade among themselves (the CIS free-trade agreement
    and the bilateral agreements before it, which a member leaving the union
    would fall back on), and each member in ``pre_union`` (default: those whose
    tariff rose to the common tariff) applies its pre-union MFN rate instead of
    the common tariff: every tariff it charges is scaled by ``pre / MFN``, so a
    preference keeps its relative margin and a zero stays zero. Trade flows are
    today's, priced at those tariffs: a first-order approximation of the
    pre-union equilibrium (docs/hindcasts.md). Use the flat tariff matrix
    (``composition=False``), whose external tariffs are the MFN rates the
    union's common tariff reproduces.
    """
    pre = dict(EAEU_PRE_UNION_MFN if pre_union is None else pre_union)
    unknown = sorted(set(pre) - set(members))
    if unknown:
        raise ValueError(f"pre_union names {unknown}, which are not members {members}")
    t = cal.tariffs.copy()
    for j, rate in pre.items():
        t[j] = t[j] * (rate / float(cal.countries.loc[j, "tariff_mfn"]))
    return dataclasses.replace(cal, tariffs=t)


def era_tariffs(cal: Any, year: int) -> pd.DataFrame:
    """The flat tariff matrix of ``cal`` with the agreements in force in ``year``.

    The bundled MFN rates (``countries.tariff_mfn``) on every partner, zero inside
    the customs unions and FTAs and each partial-scope agreement's own margin
    (``cal.psa_margins``) inside the PSAs
    in force on 31 December of ``year`` (the WTO RTA table's per-party dates,
    ``cal.agreement_spells``), and the India-Pakistan suspension from 2019 (its
    equivalent as in the bundled matrix): the
    rule of the bundled flat matrix (:func:`scosim.data.tariffs.tariffs_2023`
    with ``composition=False``), which it reproduces for the base year.
    """
    from scosim.data.psa_margins import margin_map
    from scosim.data.suspension import from_tariffs
    from scosim.data.tariffs import tariffs_2023
    from scosim.mechanisms.suspensions import SUSPENSION_METHOD

    if cal.agreement_spells.empty:
        raise ValueError(f"data version {cal.data_version} has no agreements table")
    no_fuel = np.zeros(len(cal.tariffs))  # read only by the composition adjustment
    # The base year's suspension equivalents (the bundled matrix's) hold from 2019.
    susp = {pair: (t, SUSPENSION_METHOD) for pair, t in from_tariffs(cal.tariffs).items()}
    return tariffs_2023(cal.countries, cal.trade, cal.agreement_spells, no_fuel, None,
                        suspension=susp, margins=margin_map(cal.psa_margins),
                        composition=False, year=year)


def run_exits(rec: Record, directory: Path, replications: int,
              overrides: dict[str, Any] | None = None) -> dict[tuple[str, int], np.ndarray]:
    """Run an ``exits`` record: ``{(member, year): left that year (R,)}``.

    The union's scenario runs on the 2023 data (the only version with the
    agreements table that makes the EAEU a bloc) against the counterfactual of
    :func:`without_union`. Each year is judged on the tariffs of its era: the
    items of year ``y`` come from a run (from the record's first year, same
    seed) whose base tariffs are :func:`era_tariffs` of ``y``; years with the
    same agreements in force share one run (2015-2018: before the EAEU-Iran
    interim agreement and the India-Pakistan suspension of 2019). A member
    "leaves" in a year when it defects (``defection``; ``bloc_exit`` is counted too,
    but the union here is the EAEU itself, which each member leaves alone).

    An item is defined only for the runs in which the member is still in a union in
    force at the start of its year: it is NaN in a run where the member left in an
    earlier year, where the union dissolved earlier, or where it never came into
    force. "Did not leave" a union that no longer exists is no correct forecast
    of staying; counted as one, it flattered the rule after every break-up.
    """
    from scosim.data import load_calibration

    base = load_calibration("2023", composition=False)
    years = range(rec.year, (rec.end or rec.year) + 1)
    eras: dict[bytes, tuple[pd.DataFrame, list[int]]] = {}
    for y in years:
        t = era_tariffs(base, y)
        if np.allclose(t.to_numpy(), base.tariffs.to_numpy(), rtol=0.0, atol=1e-12):
            t = base.tariffs  # the bundled matrix itself (they differ by its CSV rounding)
        eras.setdefault(t.to_numpy().tobytes(), (t, []))[1].append(y)
    out: dict[tuple[str, int], np.ndarray] = {}
    for tariffs, era_years in eras.values():
        cal = without_union(dataclasses.replace(base, tariffs=tariffs))
        model = _model(rec, directory, replications, overrides, calibration=cal)
        r0 = int(model.run_ids[0])
        # Year each member left in each run, and the year the union ended (inf: never);
        # every year of this run counts, not only its era's: a break-up in 2020 ends
        # the 2023 items of the same run.
        never = np.full(model.R, np.inf)
        left_in = {c: never.copy() for c in EAEU}
        ended = never.copy()
        ended[~np.asarray(model.arrangements[0].adopted, bool)] = -np.inf
        for ev in model.log.records():
            if ev["proposal"] != rec.name:
                continue
            r, y = ev["run"] - r0, float(ev["year"])
            if ev["type"] in ("defection", "bloc_exit") and ev["country"] in left_in:
                left_in[ev["country"]][r] = min(left_in[ev["country"]][r], y)
            elif ev["type"] == "dissolved":
                ended[r] = min(ended[r], y)
        for c in EAEU:
            for y in era_years:
                there = (left_in[c] >= y) & (ended >= y)  # a member at the start of y
                out[(c, y)] = np.where(there, (left_in[c] == y).astype(float), np.nan)
    return {(c, y): out[(c, y)] for c in EAEU for y in years}


def run_hindcast(replications: int = 10, directory: Path | None = None,
                 records: tuple[Record, ...] = RECORDS,
                 overrides: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run every record; one row per scored item with the per-run outcomes in ``draws``.

    Columns: ``item, kind (adoption | vote | application | exit), year,
    observed, draws, record, series, cluster, coding, p, sample (train | held_out)``;
    ``draws`` has one value per run (NaN where the item is not scored in that run),
    ``record`` names the runs, ``series`` the decision a record takes again in other
    years (:attr:`Record.series`; None for a decision of its own), ``cluster`` the
    decision cluster (:attr:`Record.decision`; a member's exits are a cluster of their
    own), ``coding`` how the item was coded (:data:`~scosim.hindcast.records.CODINGS`;
    only ``observed`` items enter the headline score).
    """
    directory = directory or default_dir()
    rows = []
    for rec in records:
        if rec.kind == "exits":
            for (code, year), left in run_exits(rec, directory, replications, overrides).items():
                # Runs in which the member was no longer in the union are not scored
                # (NaN): p is the share of leaving among the runs it could leave in.
                rows.append({"item": f"{rec.name}:{code}:{year}", "kind": "exit", "year": year,
                             "observed": 0, "draws": left, "record": rec.name,
                             "series": rec.series, "cluster": f"{rec.decision}:{code}",
                             "coding": "observed"})
            continue
        adopted, votes = run_record(rec, directory, replications, overrides)
        rows.append({"item": rec.name, "kind": rec.kind, "year": rec.year,
                     "observed": rec.adopted, "draws": adopted.astype(float),
                     "record": rec.name, "series": rec.series, "cluster": rec.decision,
                     "coding": rec.coding})
        for code, yes in votes.items():
            # a member's vote is observed (who is listed) whatever the adoption item's coding
            rows.append({"item": f"{rec.name}:{code}", "kind": "vote", "year": rec.year,
                         "observed": rec.votes[code], "draws": yes, "record": rec.name,
                         "series": rec.series, "cluster": rec.decision,
                         "coding": "observed"})
    df = pd.DataFrame(rows)
    # draws keep every run, NaN where the item was not scored in it (a member no longer
    # in the union, a vote not held), so the bootstrap can resample a record's runs whole.
    df["p"] = [float(np.nanmean(d)) if np.isfinite(d).any() else np.nan for d in df["draws"]]
    df["sample"] = np.where(df["year"] <= TRAIN_END, "train", "held_out")
    return df


def calibrate(grid: dict[str, list[float]], replications: int = 4,
              directory: Path | None = None,
              records: tuple[Record, ...] = RECORDS) -> pd.DataFrame:
    """Grid search on the headline training items (<= TRAIN_END); held-out scores beside.

    Only the items the headline score counts are scored (``coding`` ``observed``,
    :func:`scosim.hindcast.scoring.headline`): the outcome-dependent adoption items
    (the interested-members forms) and the constructed ones (the BRI paragraph as a
    consensus text) are left out, as in ``score_table``. Until 2026-12-07 they were
    fitted on too (an outside review): items every setting gets right by construction,
    which only diluted the score.

    Args:
        grid: Dotted scenario paths (``parameters.council.vote_noise``) to candidate values.
        replications: Runs per record and grid point.
        directory: Hindcast scenarios (default: the shipped ones).
        records: The records to score (default: all).

    Returns:
        One row per grid point: the values, train and held-out Brier and log-loss
        (NaN for a sample without items, e.g. when ``records`` are training
        records only) and the number of items scored (``n_train``, ``n_held_out``),
        sorted by training Brier.
    """
    keys = list(grid)
    rows = []
    for values in itertools.product(*(grid[k] for k in keys)):
        ov = dict(zip(keys, values, strict=True))
        df = run_hindcast(replications, directory, records, overrides=ov)
        df = df[headline(df) & df["p"].notna()]
        row: dict[str, Any] = dict(ov)
        for sample in ("train", "held_out"):
            sub = df[df["sample"] == sample]
            row[f"n_{sample}"] = len(sub)
            if sub.empty:  # e.g. training records only: no held-out score
                row[f"brier_{sample}"] = row[f"log_loss_{sample}"] = float("nan")
                continue
            y = sub["observed"].to_numpy(float)
            n = np.array([np.isfinite(d).sum() for d in sub["draws"]])
            # unbiased: the plain score of shares of a few runs favours settings whose
            # runs agree (no sampling variance), i.e. little vote noise
            row[f"brier_{sample}"] = brier_unbiased(sub["p"].to_numpy(float), y, n)
            row[f"log_loss_{sample}"] = log_loss(sub["p"].to_numpy(float), y)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("brier_train", kind="stable").reset_index(drop=True)
