"""The network tables' hash is a version: recorded in runs, matched on resume and by workers.

Before: the network tables (nodes, edges, centre weights, ``params.csv``) were in no version,
so a run interrupted before an edit of them resumed after it and mixed batches made with
both, and two runs of ``corridor_cku.yaml`` made with different tables looked the same.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import scosim.network.tables as network_tables
from scosim.experiments import versions
from scosim.results import PARTIAL_PREFIX
from scosim.runner import run

SCENARIO = Path(__file__).resolve().parent / "fixtures" / "model" / "small_base.yaml"


def test_versions_name_the_network_tables_and_change_when_one_is_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "tables"
    shutil.copytree(network_tables.TABLES_DIR, copy)
    monkeypatch.setattr(network_tables, "TABLES_DIR", copy)
    versions.network_tables_version.cache_clear()
    try:
        first = versions.network_tables_version()
        assert first.startswith("sha256 ") and len(first) == len("sha256 ") + 12
        assert versions.versions()["network"] == first
        nodes = copy / "nodes.csv"
        nodes.write_text(nodes.read_text().replace("10081.0", "10080.0", 1))
        versions.network_tables_version.cache_clear()
        assert versions.network_tables_version() != first
        # A worker with other tables is told which version differs.
        said = versions.version_difference({"network": first}, versions.versions())
        assert "network version" in said and first in said
    finally:
        versions.network_tables_version.cache_clear()


def _partials(out: Path) -> list[Path]:
    return sorted((out / "small_base").glob(f"{PARTIAL_PREFIX}*"))


def test_a_run_interrupted_before_a_network_edit_is_replaced_not_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    count_batches: Any,
) -> None:
    out = tmp_path / "results"
    count_batches(fail_on_call=2)
    with pytest.raises(KeyboardInterrupt):
        run(SCENARIO, out=out, progress=False, plots=False, batch_size=2)
    (old,) = _partials(out)

    monkeypatch.setattr(versions, "network_tables_version", lambda: "sha256 000000000000")
    calls = count_batches()
    res = run(SCENARIO, out=out, progress=True, plots=False, batch_size=2)
    err = capsys.readouterr().err
    assert f"the interrupted run {old} was made with other network tables" in err
    assert res.manifest["resumed"] is False and calls[0] == 0  # started afresh
    assert res.manifest["network_version"] == "sha256 000000000000"
    assert not old.exists() and _partials(out) == []


def test_compare_warns_when_the_two_runs_used_other_network_tables() -> None:
    """Runs of the same ensemble on other network tables: the difference mixes both."""
    import warnings

    from scosim.compare_pairs import check_pairable

    base = {"scenario": "b", "status": "complete", "seed": 1, "replications": 4,
            "data_version": "d", "network_version": "sha256 aaaaaaaaaaaa",
            "code_version": "sha256 cccccccccccc"}
    with pytest.warns(UserWarning, match="different network tables"):
        check_pairable({**base, "network_version": "sha256 bbbbbbbbbbbb"}, base)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_pairable(dict(base), base)
        # A run made before the tables were recorded has no version to compare.
        check_pairable({k: v for k, v in base.items() if k != "network_version"}, base)
