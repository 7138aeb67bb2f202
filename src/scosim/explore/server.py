"""Start the explorer: check the arguments here, then hand over to Streamlit."""

from __future__ import annotations

import argparse
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
    env = {**os.environ, "SCOSIM_EXPLORE": json.dumps(config)}
    cmd = streamlit_command(args)
    print(f"scosim explore: serving on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, cmd, env)
    return 0  # pragma: no cover - execve does not return


def explore_config(args: argparse.Namespace) -> dict[str, Any]:
    """Check the arguments and turn them into the page's settings.

    ``--scheduler`` implies the Dask executor (any other executor would ignore it).

    Raises:
        ScenarioError: The scenario given does not validate.
        FileNotFoundError: No scenario file given and none in ``--scenarios``.
    """
    from scosim.explore.session import list_scenarios

    scenarios_dir = args.scenarios
    if args.scenario:
        from scosim.scenario import load_scenario

        load_scenario(args.scenario)  # a bad file fails here, with the CLI's message
        if scenarios_dir is None:
            scenarios_dir = os.path.dirname(args.scenario) or "."
    scenarios_dir = scenarios_dir or "scenarios"
    if not args.scenario and not list_scenarios(scenarios_dir):
        raise FileNotFoundError(
            f"no scenario files (*.yaml) in {scenarios_dir}/; give a SCENARIO or --scenarios DIR"
        )
    executor = args.executor or ("dask" if args.scheduler else "local")
    return {
        "scenario": args.scenario,
        "scenarios_dir": scenarios_dir,
        "out": args.out,
        "executor": executor,
        "workers": args.workers,
        "scheduler": args.scheduler,
    }
