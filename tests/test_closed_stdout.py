"""A reader that stops reading (``| head``, ``| grep -m1``): quiet, status 141, results kept.

Only the printing stops: the command finishes its work (a run's tables and plots, the
figure ``scosim exits`` draws after its table) and then exits.

Each command runs with standard output a pipe whose reading end is already closed, so
its first write fails however fast it prints (``| head -1`` races: a command whose whole
answer fits in the pipe's buffer may finish before head exits). Python's docs ("Note on
SIGPIPE", module signal) ask for no traceback; 141 is 128 + SIGPIPE, what a shell
reports for a writer its closed pipe stopped (``yes | head``), and not scosim's 2 (a user
error) or 1 (a failed batch).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scosim.cli_errors import EXIT_PIPE_CLOSED

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}


def _closed(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``python args`` with standard output a pipe nobody reads any more."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, cwd=cwd, env=_env(), timeout=300)
    finally:
        os.close(write)


def _read(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The same command read to the end: what the closed pipe would have had."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          env=_env(), timeout=300)


def _quiet(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == EXIT_PIPE_CLOSED, proc.stderr
    assert "Traceback" not in proc.stderr and "error" not in proc.stderr.lower(), proc.stderr
    assert "Exception ignored" not in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def closed_run(tmp_path_factory) -> Path:
    """``scosim run small_cu.yaml`` (plots and all) whose reader left before it began."""
    out = tmp_path_factory.mktemp("piped")
    proc = _closed(["-m", "scosim", "run", str(FIXTURES / "small_cu.yaml"), "--out", str(out),
                    "--quiet"])
    _quiet(proc)
    (run_dir,) = (out / "small_cu").iterdir()
    return run_dir


def test_a_run_whose_reader_left_is_finished_and_complete(closed_run, tmp_path):
    # The run is published before its first print: only the printing stopped.
    m = json.loads((closed_run / "manifest.json").read_text())
    assert m["status"] == "complete" and m["finished"]
    assert not list(closed_run.parent.glob(".partial-*"))
    summary = pd.read_csv(closed_run / "summary.csv")
    assert len(summary) > 0
    assert (closed_run / "summary.txt").stat().st_size > 0
    for name in m["plots"]:
        assert (closed_run / "plots" / name).stat().st_size > 10_000
    # Every batch is there: the same tables as the run made in this process.
    from scosim.results import catalogue, open_result
    from scosim.runner import run

    assert set(catalogue(closed_run.parent.parent)["status"]) == {"complete"}
    ref = run(FIXTURES / "small_cu.yaml", out=tmp_path, progress=False, plots=False)
    assert open_result(closed_run).indicators.equals(open_result(ref.path).indicators)


def test_show_and_list_stop_quietly(closed_run):
    args = ["-m", "scosim", "show", str(closed_run)]
    whole = _read(args)
    assert whole.returncode == 0 and len(whole.stdout.splitlines()) > 10  # had much to say
    _quiet(_closed(args))
    listing = ["-m", "scosim", "list", "--out", str(closed_run.parent.parent)]
    assert _read(listing).returncode == 0
    _quiet(_closed(listing))


def test_a_table_rich_prints_stops_with_the_same_status():
    # rich's Console meets the closed pipe itself and raised SystemExit(1) of its own.
    args = ["-m", "scosim", "data", "sources"]
    assert _read(args).returncode == 0
    _quiet(_closed(args))


def test_a_python_m_module_stops_quietly():
    args = ["-m", "scosim.network.report", "scenarios/corridor_trans_afghan_high.yaml",
            "--edges"]
    _quiet(_closed(args))


def test_only_standard_outputs_broken_pipe_is_taken_for_a_reader_gone(tmp_path):
    # A BrokenPipeError of another pipe (a worker's, a cluster's connection) is an error:
    # with standard output fine it must still show, not end quietly with 141.
    code = ("import sys\nfrom scosim.cli_errors import run_command\n"
            "def main():\n    print('answer')\n    raise BrokenPipeError(32, 'Broken pipe')\n"
            "sys.exit(run_command(main))\n")
    with open(tmp_path / "out.txt", "w") as out:
        proc = subprocess.run([sys.executable, "-c", code], stdout=out, stderr=subprocess.PIPE,
                              text=True, env=_env(), timeout=60)
    assert proc.returncode == 1 and "BrokenPipeError" in proc.stderr
    assert (tmp_path / "out.txt").read_text() == "answer\n"
    # Nor when standard output has closed too: its own error was met (and passed over)
    # at the print; this one is another pipe's.
    proc = _closed(["-c", code])
    assert proc.returncode == 1 and "BrokenPipeError" in proc.stderr
    # Printing alone, the same script ends quietly.
    _quiet(_closed(["-c", code.replace("    raise BrokenPipeError(32, 'Broken pipe')\n", "")]))


def test_exits_draws_its_figure_after_its_reader_left(tmp_path):
    # `scosim exits` prints its table before it draws its figure: the closed pipe stopped
    # it there (status 2, "Broken pipe"), leaving a folder with no exit_curve.png.
    proc = _closed(["-m", "scosim", "exits", str(ROOT / "scenarios" / "customs_union.yaml"),
                    "--replications", "4", "--out", str(tmp_path), "--quiet"])
    _quiet(proc)
    (folder,) = (tmp_path / "customs_union").glob("exits-*")
    assert len(pd.read_csv(folder / "exit_curve.csv")) > 0
    assert (folder / "exit_curve.json").stat().st_size > 0
    assert (folder / "exit_curve.png").stat().st_size > 10_000
