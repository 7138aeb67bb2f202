"""Stopped and failed runs, sweeps and comparisons, tried from the outside as a user would.

Split from tests/test_audit_inputs.py for size. Each test reproduces a defect found by
running the real CLI in a scratch directory (Ctrl-C or SIGTERM part way, a full disk, a
results path that is a file, a failed batch) and checks the fix: one clear message, the
documented exit status, and nothing left behind that the docs do not promise to keep.
"""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scosim.cli import EXIT_INTERRUPTED, EXIT_TERMINATED, main
from scosim.results import PARTIAL_PREFIX, catalogue
from scosim.runner import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_BASE = FIXTURES / "model" / "small_base.yaml"  # 6 replications, 4 years


def _partials(out: Path) -> list[Path]:
    return sorted(out.glob(f"*/{PARTIAL_PREFIX}*"))


def test_a_run_stopped_while_it_sets_up_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C after the run directory exists but before a batch ran: nothing is left.

    The plot statistics were set up outside the clean-up, so a Ctrl-C in the second or
    so that takes (it imports the plotting code) left an empty ``.partial-*`` run that
    ``scosim list`` showed as interrupted.
    """
    import scosim.runner as runner

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "feed_for_run", interrupted)
    out = tmp_path / "results"
    with pytest.raises(KeyboardInterrupt) as info:
        run(SMALL_BASE, out=out, progress=False, plots=True)
    assert not out.exists()
    assert info.value.__notes__ == ["no batch had finished, so nothing was kept"]


def test_ctrl_c_says_how_many_batches_were_kept_and_where(tmp_path, capsys, count_batches):
    count_batches(fail_on_call=2)  # batch 0 written, Ctrl-C in batch 1
    out = tmp_path / "results"
    code = main(["run", str(SMALL_BASE), "--out", str(out), "--batch-size", "2", "--quiet"])
    err = capsys.readouterr().err
    assert code == EXIT_INTERRUPTED and "Traceback" not in err
    (partial,) = _partials(out)
    assert err.splitlines() == [
        "scosim: interrupted",
        f"  1 of 3 batches had finished and are kept in {partial}; the same command "
        "resumes from them",
    ]
    assert list(catalogue(out)["status"]) == ["interrupted"]


def test_ctrl_c_before_any_batch_does_not_promise_a_resume(tmp_path, capsys, count_batches):
    count_batches(fail_on_call=1)
    out = tmp_path / "results"
    code = main(["run", str(SMALL_BASE), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == EXIT_INTERRUPTED
    assert "resume" not in err and "kept" in err and "nothing was kept" in err
    assert not out.exists()


_SIGTERM_ON_CALL = """
import importlib, os, signal, sys
module, name = sys.argv.pop(1).split(":")
on = int(sys.argv.pop(1))
mod = importlib.import_module(module)
real, calls = getattr(mod, name), []
def wrapped(*args, **kwargs):
    calls.append(1)
    if len(calls) == on:
        os.kill(os.getpid(), signal.SIGTERM)
    return real(*args, **kwargs)
setattr(mod, name, wrapped)
from scosim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _sigterm_on_call(target: str, call: int, args: list[str],
                     cwd: Path) -> subprocess.CompletedProcess[str]:
    """``scosim ARGS`` in a child process, sent SIGTERM on call ``call`` of ``target``.

    A child process: on the old code SIGTERM ended a sweep (and would end pytest).
    """
    return subprocess.run([sys.executable, "-c", _SIGTERM_ON_CALL, target, str(call), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def test_sigterm_stops_a_run_with_status_143_and_keeps_its_batches(tmp_path):
    out = tmp_path / "results"
    args = ["run", str(SMALL_BASE), "--out", str(out), "--batch-size", "2", "--quiet"]
    proc = _sigterm_on_call("scosim.runner:run_batch", 2, args, tmp_path)
    assert proc.returncode == EXIT_TERMINATED == 128 + signal.SIGTERM, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("scosim: stopped by SIGTERM\n  1 of 3 batches had finished")
    assert len(_partials(out)) == 1
    assert list(catalogue(out)["status"]) == ["interrupted"]


def test_sigterm_stops_a_sweep_and_removes_its_partial_directory(tmp_path):
    """docs/experiments.md: a sweep stopped before any batch finished keeps nothing.

    SIGTERM used to end the process where it stood, leaving ``sweeps/.<id>.partial``.
    """
    out = tmp_path / "results"
    args = ["sweep", str(SMALL_BASE), "--param", "parameters.trade.sigma=3:5",
            "--output", "gdp_usd:KAZ", "--n", "4", "--out", str(out), "--quiet"]
    proc = _sigterm_on_call("scosim.experiments.sweep:evaluate", 1, args, tmp_path)
    assert proc.returncode == EXIT_TERMINATED, proc.stderr
    assert proc.stderr == ("scosim: stopped by SIGTERM\n"
                           "  no batch had finished, so nothing was kept\n")
    assert not out.exists() or not any(out.rglob("*.partial"))


def test_sigterm_in_the_middle_of_a_sweep_keeps_its_batches_to_resume(tmp_path):
    """docs/experiments.md: a stopped sweep keeps its finished batches; the same command
    resumes from them (it threw them all away)."""
    out = tmp_path / "results"
    args = ["sweep", str(SMALL_BASE), "--param", "parameters.trade.sigma=3:5",
            "--output", "gdp_usd:KAZ", "--n", "6", "--batch-size", "2", "--out", str(out),
            "--quiet"]
    proc = _sigterm_on_call("scosim.experiments.sweep:_run_points", 2, args, tmp_path)
    assert proc.returncode == EXIT_TERMINATED, proc.stderr
    [partial] = out.rglob(".*.partial")
    assert proc.stderr == (f"scosim: stopped by SIGTERM\n  1 of 3 batches had finished "
                           f"and are kept in {partial}; the same command resumes from them\n")
    proc = subprocess.run([sys.executable, "-m", "scosim.cli", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert not list(out.rglob(".*.partial"))
    assert len(pd.read_parquet(next(out.rglob("design_outputs.parquet")))) == 6


def test_an_interrupted_sweep_does_not_claim_batches_were_kept(tmp_path, capsys,
                                                              monkeypatch):
    import scosim.experiments.sweep as sw

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sw, "evaluate", interrupted)
    out = tmp_path / "results"
    code = main(["sweep", str(SMALL_BASE), "--param", "parameters.trade.sigma=3:5",
                 "--output", "gdp_usd:KAZ", "--n", "4", "--out", str(out), "--quiet"])
    assert code == EXIT_INTERRUPTED
    assert capsys.readouterr().err == ("scosim: interrupted\n"
                                       "  no batch had finished, so nothing was kept\n")
    assert not out.exists() or not any(out.rglob("*.partial"))


def test_a_full_disk_is_a_user_error_that_leaves_nothing(tmp_path, capsys, monkeypatch):
    """docs/experiments.md: a results directory that cannot be written (read-only file
    system, full disk) is one line with exit status 2. A full disk while a batch was
    written was "batch 0 failed: OSError ..." with status 1 and a claim that finished
    batches were kept when there were none."""
    import scosim.runner as runner

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "Error writing bytes to file")

    monkeypatch.setattr(runner, "write_batch_parts", full)
    out = tmp_path / "results"
    code = main(["run", str(SMALL_BASE), "--out", str(out), "--quiet", "--no-plots"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.splitlines() == [
        "scosim: error: batch 0 could not be written: Error writing bytes to file",
        "  no batch had finished, so nothing was kept",
    ]
    assert not out.exists()


def test_a_batch_that_fails_says_what_was_kept(tmp_path, capsys, monkeypatch):
    import scosim.runner as runner

    real = runner.run_batch

    def second_fails(spec):
        if spec.batch_id == 1:
            raise RuntimeError("model blew up")
        return real(spec)

    monkeypatch.setattr(runner, "run_batch", second_fails)
    out = tmp_path / "results"
    code = main(["run", str(SMALL_BASE), "--out", str(out), "--batch-size", "2", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    (partial,) = _partials(out)
    assert err.splitlines() == [
        "scosim: error: batch 1 failed: RuntimeError: model blew up",
        f"  1 of 3 batches had finished and are kept in {partial}; the same command "
        "resumes from them",
        "(set SCOSIM_DEBUG=1 to see the traceback)",
    ]


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_a_results_path_that_is_a_file_is_named(tmp_path, capsys, command):
    """``--out afile`` said "[Errno 20] Not a directory: 'afile/x/.partial-...'"."""
    afile = tmp_path / "afile"
    afile.write_text("not a directory")
    args = [command, str(SMALL_BASE), "--out", str(afile / "sub"), "--quiet"]
    if command == "sweep":
        args += ["--param", "parameters.trade.sigma=3:5", "--output", "gdp_usd:KAZ",
                 "--n", "2"]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "[Errno" not in err
    assert err.startswith(f"scosim: error: Not a directory: {afile}/sub/")
    assert f"({afile} is a file, not a directory: give a directory" in err
    assert afile.read_text() == "not a directory"


def test_sigterm_handler_is_restored_after_main(tmp_path, capsys):
    before = signal.getsignal(signal.SIGTERM)
    main(["validate", str(SMALL_BASE)])
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_while_plotting_keeps_every_batch_and_the_same_command_finishes(
        tmp_path, capsys, monkeypatch):
    import scosim.plots as plots

    real = plots.plot_run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "plot_run", interrupted)
    out = tmp_path / "results"
    args = ["run", str(SMALL_BASE), "--out", str(out), "--batch-size", "2", "--quiet"]
    assert main(args) == EXIT_INTERRUPTED
    (partial,) = _partials(out)
    assert capsys.readouterr().err.splitlines() == [
        "scosim: interrupted",
        f"  all 3 batches had finished and are kept in {partial}; the same command finishes "
        "the run",
    ]
    monkeypatch.setattr(plots, "plot_run", real)
    assert main(args) == 0
    assert "resuming the interrupted run" not in capsys.readouterr().err  # --quiet
    assert not _partials(out)
    assert list(catalogue(out)["status"]) == ["complete"]


def test_the_resume_hint_of_a_run_started_with_no_resume_drops_it(tmp_path, capsys,
                                                                 count_batches):
    """"the same command resumes" was false of a command given --no-resume."""
    count_batches(fail_on_call=2)
    out = tmp_path / "results"
    code = main(["run", str(SMALL_BASE), "--out", str(out), "--batch-size", "2", "--quiet",
                 "--no-resume"])
    assert code == EXIT_INTERRUPTED
    (partial,) = _partials(out)
    assert capsys.readouterr().err.splitlines()[1] == (
        f"  1 of 3 batches had finished and are kept in {partial}; the same command without "
        "--no-resume resumes from them")


def test_sigterm_while_a_compare_draws_its_figures_leaves_nothing(tmp_path):
    """The report's figures are drawn here and in a worker process; stopped once the
    first figure is on disk, the worker went on drawing after the clean-up and left
    compare/.partial-*/plots behind."""
    import time

    out = tmp_path / "results"
    args = ["compare", str(FIXTURES / "model" / "small_cu.yaml"), str(SMALL_BASE),
            "--replications", "4", "--plot-workers", "2", "--out", str(out), "--quiet"]
    code = "import sys; from scosim.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(out.glob(f"compare/{PARTIAL_PREFIX}*/plots/*.png")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_TERMINATED, err
    time.sleep(3.0)  # a worker left drawing would have written its figure by now
    assert not list(out.glob("compare/*")), list(out.rglob("*"))


def test_a_sigterm_swallowed_by_a_finalizer_is_delivered_again():
    """SIGTERM arriving while Python ran a weakref callback raised Terminated inside it,
    where it is only printed ("Exception ignored in ..."): a compare drew its figures and
    exited 0 after being told to stop (seen once in CI)."""
    code = """
import os, signal, sys, time, weakref
from scosim.errors import Terminated, stop_on_sigterm

stop_on_sigterm()

class Thing:
    pass

def callback(_ref):
    # The signal lands inside the callback, as it did during garbage collection.
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(10_000):
        pass

thing = Thing()
ref = weakref.ref(thing, callback)
try:
    del thing
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.01)
except Terminated:
    sys.exit(143)
sys.exit(0)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 143, proc.stderr
