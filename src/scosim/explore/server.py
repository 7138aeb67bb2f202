"""Start the explorer: check the arguments here, then hand over to Streamlit."""

from __future__ import annotations

import argparse
import errno
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

APP = Path(__file__).with_name("app.py")


class ExploreUnavailable(RuntimeError):
    """The optional dependencies of the explorer are not installed."""


def streamlit_command(args: argparse.Namespace) -> list[str]:
    """The ``python -m streamlit run`` command line that serves the page."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", args.host,
        "--server.port", str(args.port),
        "--server.headless", "false" if args.open else "true",
        # Nothing leaves the machine: no usage statistics, no file watcher, no reruns on save.
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--global.developmentMode", "false",
        # The page presets its widgets from the latest run through session state on
        # purpose (app._open_latest): Streamlit's notice of it, with a stack trace, in
        # the user's terminal read as an error (a new user, 2026-12-07).
        "--global.disableWidgetStateDuplicationWarning", "true",
        "--client.toolbarMode", "minimal",
        "--theme.base", "light",
    ]  # fmt: skip


def serve(args: argparse.Namespace) -> int:
    """Handler of ``scosim explore``: validate the arguments, then serve the page.

    The process is replaced by the Streamlit server (``exec``), so the server
    has this process's id and stops with it (Ctrl-C, SIGTERM).

    Raises:
        ExploreUnavailable: Streamlit or plotly is missing.
        ScenarioError: The scenario given does not validate.
        FileNotFoundError: No scenario file given and none in ``--scenarios``.
    """
    missing = [m for m in ("streamlit", "plotly") if importlib.util.find_spec(m) is None]
    if missing:
        raise ExploreUnavailable(
            f"the explorer needs {' and '.join(missing)}: pip install 'scosim[explore]'"
        )
    config = explore_config(args)
    check_listen(args.host, args.port)
    env = {**os.environ, "SCOSIM_EXPLORE": json.dumps(config)}
    cmd = streamlit_command(args)
    print(f"scosim explore: serving on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, cmd, env)
    return 0  # pragma: no cover - execve does not return


def check_listen(host: str, port: int) -> None:
    """Refuse, before the server starts, an address this machine cannot listen on.

    Streamlit reported an unknown host as a traceback (``gaierror``) and a port in
    use with exit status 1. The test socket is closed at once (it never listened, so
    the port is free again for the server).

    Raises:
        ValueError: ``host`` does not resolve, or ``(host, port)`` cannot be bound.
    """
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValueError(f"--host {host}: not an address of this machine "
                         f"({getattr(exc, 'strerror', None) or exc}); e.g. 127.0.0.1 "
                         "(this machine only) or 0.0.0.0 (every interface)") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        # As the server will: a port left in TIME_WAIT by a stopped explorer is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            why = ("in use by another program; give another --port"
                   if exc.errno == errno.EADDRINUSE else
                   f"cannot listen there ({exc.strerror or exc}); give an address of this "
                   "machine, e.g. 127.0.0.1, or another --port")
            raise ValueError(f"--host {host} --port {port}: {why}") from None


def explore_config(args: argparse.Namespace) -> dict[str, Any]:
    """Check the arguments and turn them into the page's settings.

    ``--scheduler`` implies the Dask executor (any other executor would ignore it).

    Raises:
        ScenarioError: The scenario given does not validate.
        FileNotFoundError: No scenario file given and none in ``--scenarios``.
    """
    from scosim.explore.folder import default_scenarios_dir, list_folder, shipped_default

    scenarios_dir = args.scenarios
    scenario = args.scenario
    if scenario:
        from scosim.scenario import load_scenario

        load_scenario(scenario)  # a bad file or shipped name fails here, as in the CLI
        if scenarios_dir is None:
            # scosim:<name> stays a name, listed with the other shipped ones.
            scenarios_dir = shipped_default(scenario) or os.path.dirname(scenario) or "."
    # No ./scenarios (an installed package, not a checkout): the shipped ones.
    scenarios_dir = scenarios_dir or default_scenarios_dir()
    if args.scenarios is not None and not Path(scenarios_dir).is_dir():
        raise FileNotFoundError(
            f"--scenarios {scenarios_dir}: "
            + ("is a file, not a directory" if Path(scenarios_dir).exists()
               else "no such directory")
            + "; give the directory holding the scenario files (*.yaml)")
    if not scenario and not list_folder(scenarios_dir):
        raise FileNotFoundError(
            f"no scenario files (*.yaml) in {scenarios_dir}/; give a SCENARIO or --scenarios DIR"
        )
    if Path(args.out).is_file():
        # Else the page came up and every run on it failed.
        raise ValueError(f"--out {args.out} is a file, not a results directory; give a "
                         "directory, or a path that does not exist yet")
    executor = args.executor or ("dask" if args.scheduler else "local")
    return {
        "scenario": scenario,
        "scenarios_dir": scenarios_dir,
        "out": args.out,
        "executor": executor,
        "workers": args.workers,
        "scheduler": args.scheduler,
    }
