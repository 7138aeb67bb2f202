"""``scosim transfers`` priced a chunk of runs at a time gives the table priced whole.

The reference is the pricing of every decision at once (the whole event log read, one
model of all runs: the code before the chunks), on a run whose batch files hold two runs
each while the chunks hold three, so that chunks and files straddle one another.
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


def test_chunks_of_runs_give_the_table_priced_whole(split_run, tmp_path):
    from scosim.cli_transfers import _lines
    from scosim.result_tables import batch_files
    from scosim.side_payments_chunks import TableWriter, price_run, priced_chunks
    from scosim.side_payments_summary import summarise, summarise_parts

    assert len(batch_files(split_run / "events")) == 4  # runs 0-1, 2-3, 4-5, 6
    whole = _whole(split_run)
    assert set(whole["run"]) == set(range(7)) and (whole["status"] == "plan").any()
    parts = list(priced_chunks(split_run, chunk=3))
    assert [sorted(set(p["run"])) for p in parts] == [[0, 1, 2], [3, 4, 5], [6]]
    pd.testing.assert_frame_equal(price_run(split_run, chunk=3), whole, check_exact=True)
    # The file, byte for byte, and the printed answer, line for line.
    writer = TableWriter(tmp_path / "transfers.csv")
    for p in parts:
        writer.add(p)
    first, voters = writer.close()
    whole.to_csv(tmp_path / "whole.csv", index=False)
    assert (tmp_path / "transfers.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert not (tmp_path / "transfers.csv.tmp").exists()
    said = [_lines(s, first) for s in summarise_parts(first, voters)]
    assert said and said == [_lines(s, whole) for s in summarise(whole)]


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
    first, voters = writer.close()
    table([empty, priced]).to_csv(tmp_path / "whole.csv", index=False)
    assert (tmp_path / "t.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert list(first["status"]) == ["no_voters", "plan"] and list(voters["country"]) == ["CHN"]


def test_a_failed_pricing_leaves_no_file_behind(tmp_path):
    from scosim.side_payments_chunks import TableWriter

    (tmp_path / "transfers.csv").write_text("earlier\n")
    writer = TableWriter(tmp_path / "transfers.csv")
    writer.add(pd.DataFrame({"run": [0], "year": [2025], "proposal": ["cu"],
                             "status": ["plan"], "country": ["CHN"]}))
    writer.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["transfers.csv"]
    assert (tmp_path / "transfers.csv").read_text() == "earlier\n"
