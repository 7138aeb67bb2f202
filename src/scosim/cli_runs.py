"""``scosim show`` and ``scosim list``: the commands that read finished runs.

Kept apart from :mod:`scosim.cli` (argument parsing; it was near 600 lines). Standard
library only at import, as :mod:`scosim.cli`, which imports it for every command: what
the commands read runs with (pandas, fsspec, the run catalogue) is imported as they run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scosim.cli_errors import say

#: The status of a user error (:data:`scosim.cli.EXIT_USER_ERROR`).
_EXIT_USER_ERROR = 2


def _err(msg: str) -> int:
    say(f"error: {msg}", None)
    return _EXIT_USER_ERROR


#: What ``scosim run`` and ``scosim show`` print for a run with no answer to give.
NOTHING_TO_SHOW = (
    "no economy's welfare moved and no state voted in this run: nothing to show beyond its "
    "tables (summary.csv, `scosim compare`)"
)
#: ... and for one whose ``outputs.indicators`` left welfare out (its votes are not read).
WELFARE_NOT_RECORDED = (
    "this run did not record welfare_change_pct (outputs.indicators leaves it out), so "
    "there is no answer of who gains and who loses; its votes and other events are in its "
    "events table, and `scosim compare` reads the indicators it recorded"
)


def nothing_to_show(run_path: object) -> str:
    """Why a run has no answer: nothing moved, or welfare was not among its indicators."""
    import yaml

    from scosim.tty_lines import ANSWER_WIDTH, prose

    saved = Path(str(run_path)) / "scenario.yaml"
    try:
        scenario = yaml.safe_load(saved.read_text()) or {}
    except OSError:  # a run in an object store, or without its scenario
        return prose(NOTHING_TO_SHOW, ANSWER_WIDTH)
    chosen = (scenario.get("outputs") or {}).get("indicators", "all")
    if isinstance(chosen, list) and "welfare_change_pct" not in chosen:
        return prose(WELFARE_NOT_RECORDED, ANSWER_WIDTH)  # as wide as the answer's prose
    return prose(NOTHING_TO_SHOW, ANSWER_WIDTH)


def cmd_show(args: argparse.Namespace) -> int:
    """Print a finished run's answer: who gains, who loses, who votes against."""
    from scosim.result_tables import _is_url, open_result
    from scosim.run_catalogue import CHOOSE_FOR_SHOW, resolve_run

    if _is_url(args.run):
        run_dir = args.run
        _check_run_url(run_dir)
    else:
        # A name shared by runs of different scenarios is refused, as compare does:
        # the latest of them may not be the file the user means.
        run_dir = resolve_run(args.run, args.out, refuse_ambiguous=True,
                              choose=CHOOSE_FOR_SHOW)
    res = open_result(run_dir)
    text = res.headline
    if text is None:  # no summary.txt: work it out (this imports the plotting code)
        from scosim.run_headline import worked_out_headline

        text = worked_out_headline(res)
    from scosim.tty_lines import labelled, tty_width

    width = tty_width(sys.stdout)
    print(*labelled("run:", [str(run_dir)], width, 5), sep="\n")
    if text is None:
        print(nothing_to_show(run_dir))
        return 0
    from scosim.cited_docs import docs_note

    print()
    print(text, end="")
    print(docs_note(text, width), end="")  # installed: where the cited pages are
    return 0


def _check_run_url(url: str) -> None:
    """Refuse a run URL whose file system is unknown or not installed, naming both.

    Raises:
        ValueError: fsspec cannot open ``url`` ("Protocol not known: foo" alone before).
    """
    import fsspec

    try:
        fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise ValueError(f"{url}: not a location scosim can read a run from ({exc}); give a "
                         "run directory, a run id, a scenario name or a run's URL such as "
                         "s3://bucket/results/<scenario>/<run id>") from None


def cmd_list(args: argparse.Namespace) -> int:
    """List runs found under the results directory."""
    from scosim.results import CATALOGUE_COLUMNS, catalogue_rows, is_url, local_path

    if not is_url(args.out) and Path(args.out).exists() and not Path(args.out).is_dir():
        return _err(f"--out {args.out} is a file, not a results directory")
    if is_url(args.out):
        from scosim.store_runs import store_catalogue_rows

        rows = store_catalogue_rows(args.out)
    else:
        rows = catalogue_rows(local_path(args.out))
    if not rows:
        print(f"no runs under {args.out}/")
        return 0
    shown = [c for c in CATALOGUE_COLUMNS if c not in ("started", "path")]
    if not sys.stdout.isatty():
        # Piped or redirected: plain tab-separated rows (header first) that scripts can cut;
        # a drawn table cut and wrapped run ids there.
        print("\t".join(shown))
        for row in rows:
            print("\t".join(str(row[c]).replace("\t", " ").replace("\n", " ") for c in shown))
        return 0
    import shutil

    from scosim.list_layout import draw_list

    # The drawn list leaves out the scenario hash, whose first 8 characters are in the run
    # id, so that the ids and overrides fit a 120-column terminal (the piped rows keep it).
    draw_list(rows, [c for c in shown if c != "scenario_hash"], f"runs under {args.out}/",
              shutil.get_terminal_size().columns)
    return 0
