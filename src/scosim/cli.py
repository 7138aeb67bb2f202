"""Command line: argument parsing only; the work is done by the library.

Every user error (bad scenario, missing run, bad option) prints one clear
message and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from scosim import __version__
from scosim.cli_errors import (
    DISK_ERRNOS,
    Parser,
    batch_error,
    closed_output,
    has_errno,
    is_store_error,
    is_terminated,
    notes_said_once,
    os_error_text,
    output_closed_exit,
    run_printing,
    say,
    show_warning,
    user_errors,
)
from scosim.cli_experiments import count_problem, worker_count
from scosim.cli_runs import cmd_list, cmd_show, nothing_to_show
from scosim.errors import ScosimWarning

EXIT_FAILURE = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
#: 128 + SIGTERM, as a shell reports a process that signal ended.
EXIT_TERMINATED = 143


def _err(msg: str, exc: BaseException | None = None) -> int:
    say(f"error: {msg}", exc)
    return EXIT_USER_ERROR


def _overrides(args: argparse.Namespace) -> dict | None:
    from scosim.scenario import parse_overrides

    return parse_overrides(args.set) if getattr(args, "set", None) else None


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a scenario file (and its `extends` chain) without running it."""
    from scosim.scenario import check_scenario

    no_import = getattr(args, "no_import", False)
    # Accepts and refuses exactly what `run` does (load_scenario); most valid scenarios
    # are checked without importing pydantic (scosim.scenario.quick).
    sc = check_scenario(args.scenario, overrides=_overrides(args), import_rules=not no_import)
    # `run` loads the data version $SCOSIM_DATA_VERSION names: refuse what it would refuse.
    from scosim.data.constants import resolve_version

    data = resolve_version()
    from scosim.scenario.thresholds import exit_threshold_slips

    for slip in exit_threshold_slips(
            sc["parameters"]["council"]["exit_threshold"],
            {c: (ov or {}).get("exit_threshold") for c, ov in (sc["countries"] or {}).items()}):
        warnings.warn(slip, ScosimWarning, stacklevel=1)
    if ((sc["parameters"].get("network") or {}).get("instability")):
        # As `run` says it, without numpy (the ceilings are read in pure Python).
        from scosim.errors import ScosimNote
        from scosim.network.params import dumped_instability_notes, is_stress_test

        kind = ScosimNote if is_stress_test(sc["parameters"].get("network")) else ScosimWarning
        for note in dumped_instability_notes(sc):
            warnings.warn(note, kind, stacklevel=1)
    n = len(sc["proposals"])
    from scosim.tty_lines import prose, tty_width

    # One line piped (scripts and tests match it); wrapped at a terminal's width.
    print(prose(
        f"{args.scenario}: valid scenario {sc['name']!r} ({sc['years']['start']}-"
        f"{sc['years']['end']}, {sc['replications']} replications, seed {sc['seed']}, "
        f"{n} proposal{'' if n == 1 else 's'}, data version {data}); scenario hash "
        # The hash covers the seed and replications (run ids and resumption rest on it):
        # said, as the docs call them no change to the scenario.
        f"{sc['hash'][:12]}, of the scenario as run with this seed and {sc['replications']} "
        "replications"
        + ("; rule paths checked without importing them" if no_import else ""),
        tty_width(sys.stdout), indent="  "))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario's ensemble and write a new results directory."""
    if problem := count_problem(args):
        return _err(problem)
    from rich.console import Console

    from scosim.runner import run

    res = run(
        args.scenario,
        seed=args.seed,
        replications=args.replications,
        out=args.out,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        batch_size=args.batch_size,
        progress=not args.quiet,
        plots=False if args.no_plots else None,
        resume=not args.no_resume,
        overrides=_overrides(args),
        allow_large=args.allow_large,
    )
    m = res.manifest
    Console(stderr=True).print(
        f"[bold green]done[/]: {m['scenario']} seed {m['seed']}, {m['replications']} "
        f"replications{' (resumed)' if m.get('resumed') else ''}"
    )
    from scosim.tty_lines import labelled, tty_width

    # On a terminal, a path that does not fit beside its label goes on a line of its own
    # (never broken); piped, each is on its label's line, as scripts read it.
    width = tty_width(sys.stdout)
    print(*labelled("results:", [str(res.path)], width, 9), sep="\n")
    if isinstance(res.path, str):  # a run in an object store (--out s3://...)
        plots = [f"{res.path}/plots/{name}" for name in m.get("plots", [])]
    else:
        plots = res.plots
    from scosim.plot_list import plot_lines

    # On a terminal one item (folder, then names); piped, a line a plot, as scripts read it.
    for line in plot_lines(plots, width):
        print(line)
    headline = res.headline if plots else None  # summary.txt is written with the plots
    if headline:
        from scosim.cited_docs import docs_note

        print()
        print(headline, end="")
        print(docs_note(headline, width), end="")  # installed: where the cited pages are
    elif not plots:
        # Without plots no answer is written; say how to get it rather than end silently.
        print(*labelled("who gains, who loses, who votes against:",
                        [f"scosim show {res.path}"], width, 41), sep="\n")
    else:  # e.g. baseline.yaml: no proposal, no mechanism, nothing moved
        print()
        print(nothing_to_show(res.path))
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    """Serve the interactive explorer in the browser (optional extra ``explore``)."""
    from scosim.explore.server import ExploreUnavailable, serve

    try:
        return serve(args)
    except ExploreUnavailable as exc:
        return _err(str(exc))


def build_parser() -> argparse.ArgumentParser:
    """The ``scosim`` argument parser."""
    p = Parser(
        prog="scosim",
        description="Simulate SCO policy scenarios: trade in general equilibrium, a Council "
        "that votes, ensembles with uncertainty.",
    )
    p.add_argument("--version", action="version", version=f"scosim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("run", help="run a scenario and write results/<scenario>/<run id>/")
    r.add_argument("scenario", help="scenario YAML file, or scosim:<name> (a shipped scenario)")
    r.add_argument("--seed", type=int, help="override the scenario's seed")
    r.add_argument("--replications", type=int, help="override the number of replications")
    r.add_argument(
        "--out",
        default="results",
        help="results root: a directory, or an fsspec URL such as s3://bucket/results "
        "(needs s3fs; workers write there directly) (default: results)",
    )
    r.add_argument("--executor", choices=("local", "process", "dask"),
                   help="where the batches run (default: local, or dask with --scheduler)")
    r.add_argument("--workers", type=worker_count, help="worker processes (process / local Dask)")
    r.add_argument("--scheduler",
                   help="Dask scheduler address, tcp://host:8786 (implies --executor dask; "
                   "without it --executor dask starts a LocalCluster)")
    r.add_argument("--batch-size", type=int, help="runs stepped together (default 250)")
    r.add_argument("--no-plots", action="store_true",
                   help="skip plots, and with them summary.txt, summary.csv and votes.csv; "
                   "prints no answer (scosim show RUN works it out)")
    r.add_argument("--no-resume", action="store_true", help="never resume an interrupted run")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    r.add_argument(
        "--allow-large",
        action="store_true",
        help="accept more than 100,000 replications (refused by default, with an estimate "
        "of time and disk)",
    )
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="check a scenario file without running it")
    v.add_argument("scenario")
    v.add_argument(
        "--no-import",
        action="store_true",
        help="check dotted rule paths from their source files without importing (running) "
        "them; a scenario that names such rules runs their code when it is run. A proposal "
        "type or mechanism named by dotted path is refused: it cannot be checked unimported",
    )
    v.set_defaults(func=cmd_validate)
    for cmd in (r, v):
        cmd.add_argument(
            "--set",
            action="append",
            metavar="PATH=VALUE",
            help="override a scenario value, e.g. --set parameters.trade.sigma=4 (repeatable)",
        )

    ls = sub.add_parser("list", help="list runs under results/")
    ls.add_argument("--out", default="results",
                    help="results root: a directory or an fsspec URL (default: results)")
    ls.set_defaults(func=cmd_list)

    sh = sub.add_parser("show", help="who gains, who loses, who votes against in a finished run")
    sh.add_argument("run", help="a run directory, a run id, a scenario name (its latest run) "
                    "or a run's URL")
    sh.add_argument("--out", default="results", help="results root (default: results)")
    sh.set_defaults(func=cmd_show)

    ex = sub.add_parser("explore", help="explore scenarios in the browser (needs scosim[explore])")
    _explore_arguments(ex)
    ex.set_defaults(func=cmd_explore)

    try:
        from scosim.data.cli import add_data_parser
    except ImportError:  # pragma: no cover - data CLI is part of the package
        pass
    else:
        add_data_parser(sub)

    try:
        from scosim.cli_experiments import add_experiment_parsers
    except ImportError:  # pragma: no cover
        pass
    else:
        add_experiment_parsers(sub)

    from scosim.cli_transfers import add_transfers_parser

    add_transfers_parser(sub)

    # Declared here, imported when run: scosim.hindcast needs pandas (start-up stays light).
    h = sub.add_parser("hindcast", help="score the Council against real SCO decisions")
    h.add_argument("--replications", type=int, default=10,
                   help="runs of each record; an item's p is the share of them in which it "
                        "happened (default 10)")
    h.add_argument("--dir", default=None, help="directory of hindcast scenarios (default: the "
                   "shipped scenarios' hindcasts/, also in an installed package)")
    h.add_argument("--out", default="results/hindcast",
                   help="directory for hindcast_items.csv, hindcast_scores.csv and "
                        "hindcast.png (default: results/hindcast)")
    h.set_defaults(func=cmd_hindcast)
    return p


def cmd_hindcast(args: argparse.Namespace) -> int:
    """Run the hindcast records and score the Council (docs/hindcasts.md)."""
    if args.dir is not None and not Path(args.dir).is_dir():
        # Else the first record's file was reported missing, not the directory.
        what = "is a file" if Path(args.dir).exists() else "does not exist"
        return _err(f"--dir {args.dir} {what}; give the directory of the hindcast scenarios "
                    "(default: the shipped scenarios' hindcasts/)")
    out = Path(args.out)
    from scosim.errors import file_in_the_way

    blocked = file_in_the_way(out)
    if blocked is not None:
        # Found before the records are run, not when their tables are written.
        return _err(f"--out {args.out}: {blocked} is a file, not a directory; give a "
                    "directory, or a path that does not exist yet")
    from scosim.hindcast import hindcast_cli

    return int(hindcast_cli(args) or 0)


def _explore_arguments(p: argparse.ArgumentParser) -> None:
    # Declared here, not in scosim.explore: validate and list never import the explorer.
    p.add_argument("scenario", nargs="?", help="scenario YAML (or scosim:<name>) to open "
                   "first, on its most recent run under --out if it has one (optional)")
    p.add_argument(
        "--scenarios", help="directory of scenarios to list (default: the SCENARIO's, else "
        "./scenarios if it holds any, else the scenarios shipped with scosim)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port_number, default=8501, help="port (default 8501)")
    p.add_argument("--out", default="results", help="results root (default: results)")
    p.add_argument("--executor", choices=("local", "process", "dask"),
                   help="where the batches run (default: local, or dask with --scheduler)")
    p.add_argument("--workers", type=worker_count, help="worker processes (process / local Dask)")
    p.add_argument(
        "--scheduler", help="Dask scheduler address (implies --executor dask), as for scosim run"
    )
    p.add_argument("--open", action="store_true", help="open a browser window")


def _port_number(text: str) -> int:
    """An ``argparse`` type for ``--port``: a TCP port, 1 to 65535.

    Refused at parsing: the server was started with it and stopped on a traceback
    ("bind(): port must be 0-65535"); port 0 would serve on a port the printed address
    does not name.

    Raises:
        argparse.ArgumentTypeError: Not an integer, or outside 1-65535.
    """
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number: give 1-65535")
    return port


def console() -> None:
    """The ``scosim`` console script (and ``python -m scosim.cli``): :func:`main`, then exit.

    Before the interpreter shuts down, every object the command left is frozen out
    of the garbage collector: its last collection walked them all, 0.15-0.25 s after
    a run of ``customs_union.yaml``, only to free memory the process hands back
    whole. Files are closed and results written before :func:`main` returns.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


def _resolve_executor(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in ``--executor`` when it was left out: Dask with ``--scheduler``, else local.

    Every command that takes ``--scheduler`` treats it the same way. An executor named
    together with ``--scheduler`` must be Dask: any other would run the batches here and
    leave the cluster idle.
    """
    scheduler = getattr(args, "scheduler", None)
    if args.executor is None:
        args.executor = "dask" if scheduler else "local"
    elif scheduler and args.executor != "dask":
        parser.exit(EXIT_USER_ERROR, (
            f"scosim {args.command}: error: --scheduler {scheduler} runs the batches on the "
            f"Dask cluster there, but --executor {args.executor} would run them on this "
            "machine; leave out --executor (--scheduler implies dask)\n"))


def _is_utf8(text: str) -> bool:
    """Whether ``text`` holds no undecodable bytes (surrogate escapes from a non-UTF-8 name)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``scosim`` command line with ``argv`` (default ``sys.argv[1:]``); the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    if isinstance(getattr(args, "out", None), str) and not args.out.strip():
        # `--out "$RESULTS"` with the variable unset: a run was written into the current
        # directory, and `scosim list` looked under "/".
        parser.exit(EXIT_USER_ERROR, (
            f"scosim {args.command}: error: --out is empty; give a results directory (or "
            "leave the option out for the default)\n"))
    out = getattr(args, "out", None)
    if isinstance(out, str) and not _is_utf8(out):
        # The run's manifest, tables and report record their paths as UTF-8: such a name
        # failed in the first batch, after the scenario had been loaded and the run begun.
        shown = os.fsencode(out).decode("ascii", "backslashreplace")
        parser.exit(EXIT_USER_ERROR, (
            f"scosim {args.command}: error: --out '{shown}' is not valid UTF-8 (the results "
            "record their paths in UTF-8); choose a directory name in UTF-8\n"))
    if hasattr(args, "executor"):
        _resolve_executor(parser, args)
    if getattr(args, "workers", None) is not None and getattr(args, "executor", None) == "local":
        # Ignored otherwise: the run would take as long as without it (as --scheduler
        # without Dask, refused by scosim.runner.run).
        parser.exit(EXIT_USER_ERROR, (
            f"scosim {args.command}: error: --workers {args.workers} is used only with "
            "--executor process or dask (the local executor runs every batch in this "
            "process); add --executor process\n"))
    if getattr(args, "workers", None) is not None and getattr(args, "scheduler", None):
        # The cluster at --scheduler has its own workers; none would be started here.
        parser.exit(EXIT_USER_ERROR, (
            f"scosim {args.command}: error: --workers {args.workers} starts workers on this "
            f"machine, but the batches run on the workers of the cluster at --scheduler "
            f"{args.scheduler}; leave out --workers (start workers with `dask worker "
            f"{args.scheduler}`)\n"))
    warnings.showwarning = show_warning
    from scosim.errors import stop_on_sigterm

    # SIGTERM stops every command as Ctrl-C does, so its clean-up runs.
    previous = stop_on_sigterm()
    try:
        _start_workers_early(args)
        # `scosim run ... | head -2`: a reader gone stops the printing, not the work.
        # Each note once (a declared stress test: by each run, then by compare).
        return int(run_printing(notes_said_once, args.func, args) or 0)
    except closed_output():
        # The reader has what it wanted: no message, and not the user-error status 2
        # (the OSError clause's).
        return output_closed_exit()
    except KeyboardInterrupt as exc:
        # Terminated is SIGTERM's (a job scheduler, `kill`): 128 + the signal, as the
        # shell reports a process the signal ended.
        term = is_terminated(exc)
        say("stopped by SIGTERM" if term else "interrupted", exc)
        return EXIT_TERMINATED if term else EXIT_INTERRUPTED
    # The error classes live in heavy modules: an except clause's expression is
    # evaluated only when an exception reaches it, so a command that succeeds
    # never imports them.
    except user_errors() as exc:
        if os.environ.get("SCOSIM_DEBUG"):
            raise
        return _err(os_error_text(exc) if has_errno(exc) else str(exc), exc)
    except OSError as exc:
        # A read-only file system, a full disk, a missing mount: the user's to fix.
        if os.environ.get("SCOSIM_DEBUG"):
            raise
        return _err(os_error_text(exc), exc)
    except batch_error() as exc:
        if os.environ.get("SCOSIM_DEBUG"):
            raise
        cause = exc.__cause__
        if has_errno(cause) and cause.errno in DISK_ERRNOS:
            # The results could not be written (full disk, quota, read-only): the
            # user's to fix, like any other unwritable results directory.
            return _err(f"batch {exc.batch_id} could not be written: "
                        f"{os_error_text(cause)}", exc)
        say(f"error: {exc}", exc)
        print("(set SCOSIM_DEBUG=1 to see the traceback)", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        # An object store that cannot be reached or used (credentials, endpoint, network):
        # botocore's errors are not OSErrors, and `show`/`list` of an s3:// URL ended in
        # their traceback (`run` says it as its own error).
        if os.environ.get("SCOSIM_DEBUG") or not is_store_error(exc):
            raise
        return _err(f"the object store could not be used ({type(exc).__name__}: {exc})", exc)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _start_workers_early(args: argparse.Namespace) -> None:
    """Let local worker processes start importing the model while this process sets up.

    Only for commands that start two or more workers on this machine (process pool or
    a Dask LocalCluster); see :mod:`scosim.worker_start`. Not for ``compare``: it runs
    a scenario only when no finished run of it is found, and :func:`scosim.runner.run`
    starts the server then; started here, it loaded the model for nothing (two finished
    runs, or runs it reused).
    """
    executor = getattr(args, "executor", "local")
    # The explorer runs elsewhere; compare starts workers only if it runs (lazy).
    if executor == "local" or args.func is cmd_explore or args.command == "compare":
        return
    from scosim import worker_start

    worker_start.start_early(executor, getattr(args, "workers", None),
                             getattr(args, "scheduler", None))


if __name__ == "__main__":  # pragma: no cover
    console()
