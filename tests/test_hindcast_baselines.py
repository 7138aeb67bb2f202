"""The hindcast's record and yardsticks: every observer-year scored, informed baselines,
intervals over decision clusters, the headline without outcome-coded items (an outside
review, 2026-12-07)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.hindcast import RECORDS, Record, run_hindcast, score_table
from scosim.hindcast.baselines import (
    base_rate_forecast,
    cluster_bootstrap,
    effective_clusters,
    persistence_forecast,
)
from scosim.scenario import load_scenario

HC = Path(__file__).resolve().parents[1] / "scenarios" / "hindcasts"


def _table() -> pd.DataFrame:
    """Six items of three decisions, worked out by hand below."""
    return pd.DataFrame({
        "item": ["ftz_2018", "ftz_2019", "ftz_2020", "acc_2010", "acc_2021", "apply_x_2021"],
        "record": ["ftz_2018", "ftz_2019", "ftz_2020", "acc_2010", "acc_2021", "apply_x_2021"],
        "kind": ["adoption"] * 5 + ["application"],
        "year": [2018, 2019, 2020, 2010, 2021, 2021],
        "observed": [0, 0, 0, 0, 1, 0],
        "cluster": ["ftz", "ftz", "ftz", "acc", "acc", "apply_x"],
        "sample": ["train", "train", "held_out", "train", "held_out", "held_out"],
    })


def test_base_rate_is_each_kinds_training_share() -> None:
    df = _table()
    df.loc[3, "observed"] = 1  # training adoptions: 0, 0, 1 -> 1/3
    p = base_rate_forecast(df)
    # adoptions: 1/3 from the three training adoptions; the application kind has no
    # training item and takes the share over every training item, also 1/3
    assert p == pytest.approx([1 / 3] * 6)
    df.loc[5, "kind"] = "exit"
    df.loc[5, "sample"] = "train"  # now a training exit with outcome 0
    p = base_rate_forecast(df)
    assert p[5] == 0.0 and p[0] == pytest.approx(1 / 3)


def test_persistence_is_the_last_earlier_outcome_of_the_same_decision() -> None:
    p = persistence_forecast(_table())
    # ftz: none before 2018 -> 1; 2019 <- 2018's 0; 2020 <- 2019's 0; acc_2010: none -> 1;
    # acc_2021 <- 2010's 0 (a miss: it was adopted); apply_x: none -> 1
    assert list(p) == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0]


def test_persistence_keeps_members_and_forms_apart() -> None:
    df = pd.DataFrame({
        "item": ["bri_2018_c:IND", "bri_2018_c:RUS", "bri_2022_c:IND", "bri_2022_c:RUS",
                 "bri_2018_i", "bri_2022_i"],
        "record": ["bri_2018_c", "bri_2018_c", "bri_2022_c", "bri_2022_c", "bri_2018_i",
                   "bri_2022_i"],
        "kind": ["vote"] * 4 + ["adoption"] * 2, "year": [2018, 2018, 2022, 2022, 2018, 2022],
        "observed": [0, 1, 0, 1, 1, 1], "cluster": "bri"})
    # each member's 2022 vote from its own 2018 vote; the 2022 adoption from 2018's
    assert list(persistence_forecast(df)) == [1.0, 1.0, 0.0, 1.0, 1.0, 1.0]


def test_effective_number_of_clusters_by_hand() -> None:
    n, eff = effective_clusters(np.array(["a", "a", "a", "b", "c", "c"]))
    assert n == 3 and eff == pytest.approx(36 / (9 + 1 + 4))


def test_cluster_bootstrap_draws_whole_clusters() -> None:
    # Cluster a: two items, loss 1 each; cluster b: one item, loss 0. Drawing 2 clusters
    # with replacement: aa (p 1/4) -> 1, bb (1/4) -> 0, ab or ba (1/2) -> 2/3.
    draws = cluster_bootstrap({"f": np.array([1.0, 1.0, 0.0])}, np.array(["a", "a", "b"]),
                              n_boot=4000, seed=1)["f"]
    values, counts = np.unique(np.round(draws, 12), return_counts=True)
    assert list(values) == pytest.approx([0.0, 2 / 3, 1.0])
    share = counts / counts.sum()
    se = math.sqrt(0.25 * 0.75 / 4000)
    assert abs(share[0] - 0.25) < 4 * se and abs(share[2] - 0.25) < 4 * se
    again = cluster_bootstrap({"f": np.array([1.0, 1.0, 0.0])}, np.array(["a", "a", "b"]),
                              n_boot=4000, seed=1)["f"]
    assert np.array_equal(draws, again)  # a fixed seed: the same intervals


def test_score_table_reports_the_references_and_skill() -> None:
    df = _table()
    df["p"] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # the Council misses acc_2021 only
    df["draws"] = [np.full(4, p) for p in df["p"]]
    s = score_table(df, n_boot=20, n_cluster_boot=500).set_index(["sample", "forecast"])
    held = s.xs("held_out", level="sample")
    # held out: ftz_2020 (0), acc_2021 (1), apply_x_2021 (0)
    assert held.loc["council", "brier"] == pytest.approx(1 / 3)
    # base rate: adoptions 0 (training adoptions all 0) -> 0, 1, 0 wrong by 0, 1, 0;
    # the application has no training item of its kind: overall training share 0
    assert held.loc["base_rate", "brier"] == pytest.approx(1 / 3)
    # persistence: 0 (2019's), 0 (2010's; a miss), 1 (none; a miss)
    assert held.loc["persistence", "brier"] == pytest.approx(2 / 3)
    assert held.loc["persistence", "bss"] == pytest.approx(1 - (1 / 3) / (2 / 3))
    assert held.loc["base_rate", "bss"] == pytest.approx(0.0)
    assert held.loc["council", "n_clusters"] == 3
    lo, hi = held.loc["council", ["brier_cl_lo", "brier_cl_hi"]]
    # resampling whole clusters: 0 (no acc drawn) up to 1 (acc alone, drawn 3 times)...
    assert lo == 0.0 and hi > 1 / 3
    # ... while the runs agree, so the interval over runs has zero width
    assert held.loc["council", "brier_lo"] == held.loc["council", "brier_hi"]
    # the log-loss of a miss is set by the clip: ln(100) at 0.01, ln(1000) at 0.001
    for col, eps in (("log_loss", 0.01), ("log_loss_001", 0.001)):
        want = -(math.log(eps) + 2 * math.log(1 - eps)) / 3
        assert held.loc["council", col] == pytest.approx(want)


def test_items_coded_from_the_outcome_stay_out_of_the_headline() -> None:
    df = _table()
    df["p"] = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    df["coding"] = ["observed"] * 4 + ["outcome_dependent", "observed"]
    df["draws"] = [np.full(2, p) for p in df["p"]]
    s = score_table(df, n_boot=5, n_cluster_boot=50).set_index(["sample", "forecast"])
    assert s.loc[("held_out", "council"), "n_items"] == 2
    assert s.loc[("not_headline", "council"), "n_items"] == 1
    assert not any(r.coding != "observed" and r.kind == "application" for r in RECORDS)
    with pytest.raises(ValueError, match="coding 'guess' is not one of observed"):
        Record("x", 2020, 1, coding="guess")


def test_every_observer_year_until_the_application_is_a_record() -> None:
    """India, Pakistan, Iran and Belarus were scored only in the year they applied, while
    the model says "applies" in every eligible year: each observer-year is now an item,
    and so is each of Afghanistan's (an observer 2012-2021 that never applied)."""
    by_name = {r.name: r for r in RECORDS}
    for code, first, applied in (("pak", 2005, 2006), ("irn", 2005, 2008),
                                 ("ind", 2005, 2014), ("blr", 2015, 2022),
                                 ("afg", 2012, None)):
        last = applied or 2020  # Afghanistan: the Islamic Republic's last observer-year
        applied = applied or 0
        for year in range(first, last + 1):
            rec = by_name[f"apply_{code}_{year}"]
            assert rec.kind == "application" and rec.adopted == int(year == applied)
            assert rec.series == f"apply_{code}"
            sc = load_scenario(HC / f"{rec.name}.yaml")
            assert sc.years.start == year
            assert sc.countries[code.upper()].status == "observer"
        assert f"apply_{code}_{first - 1}" not in by_name  # not yet an observer
        assert f"apply_{code}_{last + 1}" not in by_name  # an applicant by then (AFG: 2021)


def test_the_interested_members_items_and_the_consensus_bri_are_not_headline() -> None:
    by_name = {r.name: r for r in RECORDS}
    for name in ("bank_2025", "bri_2018_interested", "bri_2022_interested",
                 "bri_2025_interested"):
        assert by_name[name].coding == "outcome_dependent"
    for y in (2018, 2022, 2025):
        rec = by_name[f"bri_{y}_consensus"]
        assert rec.coding == "constructed" and rec.votes == {"IND": 0, "RUS": 1, "KAZ": 1,
                                                             "PAK": 1}


def test_the_2024_rats_decision_is_scored_and_missed() -> None:
    """Astana, 4 July 2024: the universal centre was decided; the model rejects it."""
    rec = next(r for r in RECORDS if r.name == "rats_2024")
    assert rec.adopted == 1 and rec.year == 2024 and rec.coding == "observed"
    df = run_hindcast(2, HC, (rec,))
    assert df.loc[0, "p"] == 0.0 and df.loc[0, "sample"] == "held_out"
