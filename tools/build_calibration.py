"""Rebuild (or check) the packaged calibration tables from the raw source files.

Usage: python tools/build_calibration.py [--raw DIR] [--check]
"""

from __future__ import annotations

import sys

from scosim.data.cli import rebuild_main

if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(rebuild_main, sys.argv[1:]))
