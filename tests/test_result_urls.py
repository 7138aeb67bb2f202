"""Reading a run back from an fsspec URL gives the frames reading its local directory gives."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pandas as pd
import pytest

from scosim.compare import compare_results
from scosim.result_tables import (
    batch_files,
    indicator_names,
    open_result,
    read_batches,
    read_table,
    read_wide,
)

fsspec = pytest.importorskip("fsspec")


def write_run(path, *, seed: int, shift: float = 0.0):
    """A finished run in the stored layout: two batches of indicators and events."""
    rng = np.random.default_rng(seed)
    for d in ("indicators", "events", "plots"):
        (path / d).mkdir(parents=True)
    for b, runs in enumerate((range(0, 3), range(3, 5))):
        rows = [(r, y, c, i, shift + rng.normal())
                for r in runs for y in (2025, 2026) for c in ("CHN", "KAZ", "RUS")
                for i in ("welfare_change_pct", "gdp_usd")]
        ind = pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
        ind = ind.astype({"run": "int32", "year": "int16", "country": "category",
                          "indicator": "category"})
        ind.to_parquet(path / "indicators" / f"batch-{b:05d}.parquet", index=False)
        ev = pd.DataFrame({"run": list(runs), "year": 2026, "type": "vote",
                           "country": "KAZ", "proposal": "cu"})
        ev.to_parquet(path / "events" / f"batch-{b:05d}.parquet", index=False)
    (path / "plots" / "a.png").write_bytes(b"png")
    (path / "scenario.yaml").write_text("name: s\n")
    (path / "manifest.json").write_text(json.dumps(
        {"scenario": "s", "seed": 1, "replications": 5, "status": "complete",
         "years": [2025, 2026], "data_version": "x", "code_version": "sha256 cccccccccccc"}))
    return path


@pytest.fixture
def local_and_url(tmp_path):
    local = write_run(tmp_path / "run", seed=1)
    url = f"memory://scosim-test-{uuid.uuid4().hex}/run"
    fs, root = fsspec.core.url_to_fs(url)
    fs.put(str(local), root, recursive=True)
    yield local, url
    fs.rm(root.rsplit("/", 1)[0], recursive=True)


def test_open_result_from_a_url_gives_the_local_frames(local_and_url):
    local, url = local_and_url
    a, b = open_result(local), open_result(url)
    assert b.path == url and b.manifest == a.manifest
    for name in ("welfare_change_pct", "gdp_usd"):
        pd.testing.assert_frame_equal(b.indicator(name), a.indicator(name))
    pd.testing.assert_frame_equal(b.indicators, a.indicators)
    pd.testing.assert_frame_equal(b.events, a.events)
    assert b.scenario_yaml == a.scenario_yaml == "name: s\n"
    assert [p.rsplit("/", 1)[1] for p in b.plots] == [p.name for p in a.plots] == ["a.png"]
    with pytest.raises(KeyError, match="gdp_usd, welfare_change_pct"):
        b.indicator("exports")


def test_every_reader_takes_a_url(local_and_url):
    local, url = local_and_url
    files = batch_files(f"{url}/indicators")
    assert len(files) == 2 and all(f.startswith("memory://") for f in files)
    assert indicator_names(f"{url}/indicators") == indicator_names(local / "indicators") == {
        "welfare_change_pct", "gdp_usd"}
    pd.testing.assert_frame_equal(read_wide(f"{url}/indicators", "gdp_usd"),
                                  read_wide(local / "indicators", "gdp_usd"))
    kw = {"indicators": ["gdp_usd"], "columns": ["run", "year", "country", "value"]}
    got = read_batches(f"{url}/indicators", **kw)
    pd.testing.assert_frame_equal(got, read_batches(local / "indicators", **kw))
    assert list(got.columns) == ["run", "year", "country", "value"] and len(got) == 5 * 2 * 3
    ev = read_batches(f"{url}/events", types=["vote"], columns=["run", "type"])
    assert list(ev.columns) == ["run", "type"] and len(ev) == 5
    assert read_batches(f"{url}/events", types=["veto"]).empty


def test_a_filtered_read_returns_only_the_asked_rows_and_columns(local_and_url):
    local, _ = local_and_url
    f = batch_files(local / "indicators")[0]
    t = read_table(f, ["run", "value"], indicators=["gdp_usd"])
    whole = pd.read_parquet(f)
    assert t.column_names == ["run", "value"]
    assert t.num_rows == int((whole["indicator"] == "gdp_usd").sum()) == 3 * 2 * 3
    np.testing.assert_array_equal(
        t.column("value").to_numpy(), whole.loc[whole["indicator"] == "gdp_usd", "value"])


def test_missing_runs_and_tables_at_a_url_say_so():
    url = f"memory://scosim-test-{uuid.uuid4().hex}/nothing"
    with pytest.raises(FileNotFoundError, match="not a scosim run directory"):
        open_result(url)
    with pytest.raises(FileNotFoundError, match="no tables"):
        batch_files(f"{url}/indicators")


def test_compare_results_reads_runs_at_urls(tmp_path):
    fs = fsspec.filesystem("memory")
    base = f"memory://scosim-test-{uuid.uuid4().hex}"
    pol, bas = write_run(tmp_path / "p", seed=2, shift=1.0), write_run(tmp_path / "b", seed=3)
    fs.put(str(pol), f"{base}/p".removeprefix("memory://"), recursive=True)
    fs.put(str(bas), f"{base}/b".removeprefix("memory://"), recursive=True)
    try:
        got = compare_results(f"{base}/p", f"{base}/b")
        ref = compare_results(pol, bas)
        pd.testing.assert_frame_equal(got.summary, ref.summary)
        pd.testing.assert_frame_equal(got.diffs, ref.diffs)
    finally:
        fs.rm(base.removeprefix("memory://"), recursive=True)


def test_a_file_url_is_the_local_directory_for_list_compare_and_sweep(tmp_path, capsys):
    # file:// names a local directory wherever results are written or listed: a
    # relative "file:" directory must never appear.
    from scosim.api import _local_out
    from scosim.cli import main

    write_run(tmp_path / "res" / "s" / "20260101T000000-aaaaaaaa-s1-r5", seed=1)
    url = f"file://{tmp_path / 'res'}"
    assert main(["list", "--out", url]) == 0
    assert "20260101T000000-aaaaaaaa-s1-r5" in capsys.readouterr().out
    assert _local_out(url, "compare") == tmp_path / "res"
    with pytest.raises(ValueError, match="object-store URLs are taken by scosim run only"):
        _local_out("s3://bucket/res", "sweep")
