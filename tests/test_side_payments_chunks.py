"""``scosim transfers`` priced a chunk of runs at a time gives the table priced whole.

The reference is the pricing of every decision at once (the whole event log read, one
model of all runs: the code before the chunks), on a run whose batch files hold two runs
each while the chunks hold one, three or all seven runs, so that chunks and files
straddle one another. The printed summary, tallied chunk by chunk in typed columns
(scosim.side_payments_tally), is checked against ``summarise`` of the whole table
(pandas' medians, percentiles, counts and mode) on random tables split at random runs.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"


@pytest.fixture(scope="module")
def split_run(tmp_path_factory):
    from scosim.runner import run

    out = tmp_path_factory.mktemp("results")
    # A moving baseline: each chunk reads its own runs' GDP path too.
    return Path(run(FIXTURES / "small_cu_moving.yaml", replications=7, batch_size=2,
                    out=out, progress=False, plots=False).path)


def _whole(run_dir: Path) -> pd.DataFrame:
    from scosim.result_tables import open_result
    from scosim.side_payments_chunks import _council_events, _price_events

    result = open_result(run_dir)
    return _price_events(run_dir, result, _council_events(result), [], None)


def _plain(x):
    """``x`` with NaN made comparable (NaN != NaN) and numpy scalars as Python ones."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return type(x)(_plain(v) for v in x)
    if isinstance(x, float | np.floating) and math.isnan(x):
        return "NaN"
    return x.item() if isinstance(x, np.generic) else x


@pytest.fixture(scope="module")
def whole(split_run):
    return _whole(split_run)


@pytest.mark.parametrize("chunk", [1, 3, 100])
def test_chunks_of_runs_give_the_table_priced_whole(split_run, whole, chunk, tmp_path):
    from scosim.cli_transfers import _lines
    from scosim.result_tables import batch_files
    from scosim.side_payments_chunks import TableWriter, price_run, priced_chunks
    from scosim.side_payments_summary import summarise

    assert len(batch_files(split_run / "events")) == 4  # runs 0-1, 2-3, 4-5, 6
    assert set(whole["run"]) == set(range(7)) and (whole["status"] == "plan").any()
    parts = list(priced_chunks(split_run, chunk=chunk))
    assert [sorted(set(p["run"])) for p in parts] == [
        list(range(7))[i:i + chunk] for i in range(0, 7, chunk)]
    pd.testing.assert_frame_equal(price_run(split_run, chunk=chunk), whole, check_exact=True)
    # The file, byte for byte, and the summary (every figure, exactly) and its lines.
    writer = TableWriter(tmp_path / "transfers.csv")
    for p in parts:
        writer.add(p)
    tally = writer.close()
    whole.to_csv(tmp_path / "whole.csv", index=False)
    assert (tmp_path / "transfers.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert not (tmp_path / "transfers.csv.tmp").exists()
    assert tally.runs == 7
    assert _plain(tally.summary()) == _plain(summarise(whole))
    said = [_lines(s) for s in tally.summary()]
    assert said and said == [_lines(s) for s in summarise(whole)]


def _random_table(seed: int) -> pd.DataFrame:
    """A table shaped as price_run's: decisions of every status, voters bought in some runs.

    Few runs a group, so that medians of an even number of values, ties between reasons
    and between leaders, and runs where a voter is not bought all occur.
    """
    rng = np.random.default_rng(seed)
    voters = ["CHN", "IND", "KAZ", "PAK", "RUS"]
    reasons = ["rule x not linear", "membership changed", "a shock too large"]
    rows = []
    for run in range(int(rng.integers(20, 40))):
        for year, pid in [(2026, "cu"), (2026, "fta"), (2030, "cu")]:
            status = str(rng.choice(["carried", "plan", "no_plan", "not_priced",
                                     "no_voters"], p=[0.2, 0.35, 0.2, 0.15, 0.1]))
            base = {"run": run, "year": year, "proposal": pid, "decision_rule": "consensus",
                    "adopted": status == "carried" or bool(rng.random() < 0.05),
                    "status": status}
            if status == "no_voters":
                rows.append({**base, "country": "", "reason": "nobody voted",
                             "total_transfer_usd": math.nan, "bloc_gain_usd": math.nan,
                             "transfer_share_of_gain": math.nan, "voted_yes": pd.NA,
                             "transfer_usd": math.nan})
                continue
            priced = status in ("plan", "no_plan")
            reason = {"no_plan": f"no plan (US${rng.uniform(1, 9):.1f} bn short)",
                      "not_priced": str(rng.choice(reasons))}.get(status, "")
            gain = float(rng.normal(5e9, 8e9))
            total = float(rng.lognormal(22, 1)) if status == "plan" else math.nan
            short = rng.normal(1e9, 2e9, 6) if priced else np.full(6, math.nan)
            common = {
                **base, "reason": reason, "total_transfer_usd": total, "bloc_gain_usd": gain,
                "transfer_share_of_gain": total / gain if gain > 0 else math.nan,
                "required_usd": float(rng.lognormal(22, 1)) if priced else math.nan,
                "capacity_usd": float(rng.lognormal(22, 1)) if priced else math.nan,
                "outside_usd": float(rng.lognormal(21, 1)) if status == "no_plan" else math.nan,
                "noise_rescaled_short_usd": (float(rng.choice([0.0, rng.lognormal(15, 2)]))
                                             if status == "plan" else math.nan),
                "short_usd": float(short.sum()) if priced else math.nan,
                "short_leader": str(rng.choice(["CHN", "IND"])) if priced else "",
                **{f"short_{p}_usd": float(v) for p, v in zip(
                    ("econ", "dominance", "sovereignty", "trust", "security", "noise"),
                    short, strict=True)}}
            bought = rng.random(len(voters)) < 0.5
            # Paid to stay (part of required_usd): in some runs, one or two voters in
            # favour, each its own receipt on its own row; 0 on the others.
            stays = rng.random(len(voters)) < 0.3
            for c, b, st in zip(voters, bought, stays, strict=True):
                t = (float(rng.lognormal(21, 1)) if b else 0.0) if status == "plan" else 0.0
                paid = (float(rng.lognormal(18, 1)) if st and not b else 0.0) if priced \
                    else math.nan
                rows.append({**common, "country": c, "counted": True, "voted_yes": not b,
                             "paid_to_stay_usd": paid,
                             "transfer_usd": t if c != "CHN" else -float(rng.lognormal(22, 1)),
                             "expenditure_usd": float(rng.lognormal(27, 1)),
                             "gain_usd": float(rng.normal(1e9, 1e9))})
    t = pd.DataFrame(rows)
    t["priced_at"] = t["year"].map({2026: "US$ of 2025", 2030: "US$ of 2029"})
    return t.sort_values(["run", "year", "proposal"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("seed", range(6))
def test_the_tally_of_chunks_is_the_summary_of_the_whole_table(seed, tmp_path):
    # The reference is summarise on the whole table (pandas' groupby, median, percentile,
    # value_counts and mode); the tally keeps typed columns chunk by chunk instead.
    from scosim.side_payments_summary import summarise
    from scosim.side_payments_tally import SummaryTally

    table = _random_table(seed)
    cuts = np.unique(np.random.default_rng(seed).integers(0, table["run"].max() + 1, 4))
    tally = SummaryTally()
    for lo, hi in zip([0, *cuts], [*cuts, table["run"].max() + 1], strict=True):
        tally.add(table[(table["run"] >= lo) & (table["run"] < hi)])
    want = summarise(table)
    assert _plain(tally.summary()) == _plain(want)
    assert tally.runs == table["run"].nunique()
    # The figures checked are not all empty: medians over plans, reasons, a split.
    assert all(s["plan"] and s["members"] and s["reasons"] and s["split"]["runs"]
               and s["stay"][0] for s in want)
    # Paid to stay: each decision's total is the sum of its voters' rows (a row holds
    # its own voter's receipt), counted here by plain sums over the rows.
    priced = table[table["status"].isin(["plan", "no_plan"])]
    per_vote = priced.groupby(["proposal", "year", "run"])["paid_to_stay_usd"].sum()
    for s in want:
        v = per_vote.loc[(s["proposal"], s["year"])].to_numpy() / 1e9
        v = v[v > 0]
        assert s["stay"] == (v.size, (np.median(v), np.percentile(v, 5),
                                      np.percentile(v, 95)))


def _batch(path: Path, runs: range) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"run": pa.array(list(runs), pa.int64()),
                             "value": pa.array([float(r) for r in runs])}), path)
    return str(path)


def test_a_batch_file_is_let_go_after_the_last_decision_in_it(tmp_path):
    # Files of runs 0-4, 5-9 and 10-14; decisions in runs 0, 3, 5, 6 and 12 only. A file
    # is read once and kept only while a later range asks for a run in it: once its
    # remaining runs have no decision it is let go (before: held to the end).
    import pyarrow.parquet as pq

    from scosim.side_payments_chunks import _ByRuns

    files = [_batch(tmp_path / f"b{i}.parquet", range(5 * i, 5 * i + 5)) for i in range(3)]
    reads: list[str] = []

    def read(f):
        reads.append(Path(f).name)
        return pq.read_table(f)

    by = _ByRuns(files, read, np.array([0, 3, 5, 6, 12]))
    assert list(by.take(0, 0)["run"]) == [0] and by.held == [files[0]]  # run 3 to come
    assert list(by.take(3, 5)["run"]) == [3, 4, 5] and by.held == [files[1]]  # 6 to come
    assert list(by.take(6, 12)["run"]) == list(range(6, 13)) and by.held == []
    assert reads == ["b0.parquet", "b1.parquet", "b2.parquet"]
    # The last decision of a file before its last run: not held for the runs after it.
    by = _ByRuns(files, read, np.array([1, 2, 11]))
    by.take(1, 2)
    assert by.held == []
    by.take(11, 11)
    assert by.held == []


def test_a_first_chunk_without_voters_still_gives_the_columns_of_the_whole(tmp_path):
    # A decision nobody voted in has fewer fields than one priced: the columns of the
    # whole are in the order they first appear, the unit last (pandas from the rows).
    from scosim.side_payments_chunks import TableWriter

    base = {"run": 0, "year": 2025, "proposal": "cu", "decision_rule": "consensus",
            "adopted": False}
    empty = {**base, "status": "no_voters", "country": "", "reason": "nobody voted",
             "total_transfer_usd": math.nan, "voted_yes": pd.NA, "transfer_usd": math.nan}
    priced = {**base, "run": 1, "status": "plan", "country": "CHN", "reason": "",
              "total_transfer_usd": 2.5e9, "required_usd": 2.5e9, "counted": True,
              "voted_yes": True, "transfer_usd": -2.5e9, "expenditure_usd": 1e13}
    unit = {2025: "US$ of the data's base year 2023"}

    def table(rows):
        t = pd.DataFrame(rows)
        t["priced_at"] = t["year"].map(unit)
        return t

    writer = TableWriter(tmp_path / "t.csv")
    writer.add(table([empty]))
    writer.add(table([priced]))
    tally = writer.close()
    table([empty, priced]).to_csv(tmp_path / "whole.csv", index=False)
    assert (tmp_path / "t.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    (s,) = tally.summary()
    assert (s["no_voters"], s["plan"], list(s["members"])) == (1, 1, ["CHN"])


def test_a_failed_pricing_leaves_no_file_behind(tmp_path):
    from scosim.side_payments_chunks import TableWriter

    (tmp_path / "transfers.csv").write_text("earlier\n")
    writer = TableWriter(tmp_path / "transfers.csv")
    writer.add(pd.DataFrame({"run": [0], "year": [2025], "proposal": ["cu"],
                             "status": ["plan"], "country": ["CHN"]}))
    writer.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["transfers.csv"]
    assert (tmp_path / "transfers.csv").read_text() == "earlier\n"
