"""The answer's line of banking outcomes: the numbers of the banking figure's first panel.

The answer's share tables are per economy and overlap (a system refused public money
that then fails in clearing is in both rows), and a run whose resolved system left no
trace in the "failure" row read as a crisis that vanished. This line counts each run
once, at its worst outcome over the SCO members (:func:`scosim.finance.run_summary.outcomes`),
so its three shares add up to the share of runs in a crisis, as the figure's stacked bar.

A run without the finance slot has no ``bank_failures``: that is read from the first batch
file's metadata before any row is (until 2026-12-07 every batch file was read first, 6-8 s
of every ``scosim show`` of a 5,000-run customs union). The group is the banking figure's
(all economies when the run recorded no membership), and the figure is cited only where
it is drawn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scosim.indicator_display import percent_of_runs
from scosim.tty_lines import answer_lines

__all__ = ["OutcomeCounts", "drawable", "outcome_counts", "outcome_lines"]

_READ = ("bank_failures", "bank_resolutions", "bank_resolutions_refused", "member")
#: The figure's file in the run's ``plots/`` (:func:`scosim.mechanism_plots`).
FIGURE = "banking.png"


class OutcomeCounts:
    """Runs per year at each worst outcome over a group, added batch by batch.

    Attributes:
        years: The run's years.
        n_runs: Runs added.
        group: The SCO members of the first run's first year; None when it recorded
            none (then all economies, as the banking figure).
        failed, undercapitalised, resolved: ``(T,)`` runs at that outcome each year.
        drawable: Whether the run has every indicator the banking figure needs
            (:class:`scosim.finance.run_summary.BankingStream`); set by :func:`outcome_counts`.
    """

    def __init__(self) -> None:
        self.years: list[int] = []
        self.codes: list[str] = []
        self.group: list[str] | None = None
        self.drawable = True
        self.n_runs = 0
        self.failed = np.zeros(0)
        self.undercapitalised = np.zeros(0)
        self.resolved = np.zeros(0)

    def add(self, df: pd.DataFrame) -> None:
        """Add one batch's tidy rows (run, year, country, indicator, value)."""
        from scosim.finance.run_summary import outcomes

        fail = df[df["indicator"] == "bank_failures"]
        if fail.empty:
            return
        if not self.years:
            # The SCO members of the first run's first year, as the banking figure's group
            # (all economies without a membership: "... or codes" named them SCO members).
            self.years = sorted(int(y) for y in fail["year"].unique())
            self.codes = list(dict.fromkeys(fail["country"].astype(str)))
            mem = df[(df["indicator"] == "member") & (df["year"] == self.years[0])
                     & (df["run"] == df["run"].min()) & (df["value"] > 0)]
            members = set(mem["country"].astype(str))
            self.group = [c for c in self.codes if c in members] or None
            zero = np.zeros(len(self.years))
            self.failed, self.undercapitalised, self.resolved = zero, zero.copy(), zero.copy()
        runs = np.sort(fail["run"].unique())
        group = self.group or self.codes
        cube = {}
        for name in _READ[:3]:
            part = df[df["indicator"] == name]
            wide = part.pivot_table(index=["run", "year"], columns="country", values="value",
                                    observed=True)
            full = pd.MultiIndex.from_product([runs, self.years], names=["run", "year"])
            wide = wide.reindex(index=full, columns=group)  # absent: NaN, not a flag
            cube[name] = wide.to_numpy(float).reshape(len(runs), len(self.years), len(group))
        failed, left, resolved = outcomes(cube["bank_failures"], cube["bank_resolutions"],
                                          cube["bank_resolutions_refused"])
        self.n_runs += len(runs)
        self.failed = self.failed + failed.sum(axis=0)
        self.undercapitalised = self.undercapitalised + left.sum(axis=0)
        self.resolved = self.resolved + resolved.sum(axis=0)


def outcome_counts(run_dir: str | Path) -> OutcomeCounts | None:
    """The worst outcome of each run and year over the SCO members, read from a run's files.

    None when the run recorded no bank failures (the finance slot was empty): known from
    the first batch file's list of indicators (its metadata; its ``indicator`` column for
    a file written before 2026-12-07), before any row is read. The membership is read
    from the first file only: it names the group.
    """
    from scosim.batch_rows import read_rows
    from scosim.result_tables import _file_indicator_names
    from scosim.results import batch_files

    d = Path(run_dir) / "indicators"
    files = batch_files(d) if d.is_dir() else []
    if not files:
        return None
    if "bank_failures" not in _file_indicator_names(files[0]):
        return None
    counts = OutcomeCounts()
    counts.drawable = drawable(files[0])
    for i, f in enumerate(files):
        read = list(_READ) if i == 0 else list(_READ[:3])
        counts.add(read_rows(f, ["run", "year", "country", "indicator", "value"], read))
    return counts if counts.n_runs else None


def drawable(first: str | Path) -> bool:
    """Whether a run has every indicator the banking figure needs, from its first batch file."""
    from scosim.finance.run_summary import NOT_RECORDED_BEFORE, RUN_INDICATORS
    from scosim.result_tables import _file_indicator_names

    return set(RUN_INDICATORS) - NOT_RECORDED_BEFORE <= _file_indicator_names(str(first))


def outcome_lines(run_dir: str | Path, event_year: int | None = None,
                  drawing: bool = False, counts: OutcomeCounts | None = None) -> list[str]:
    """The answer's lines: each run's worst banking outcome over the SCO members.

    Args:
        run_dir: The run's directory.
        event_year: The year of the scenario's shock (:func:`scosim.answer_year.run_answer_year`),
            shown first; the year with most runs in a crisis follows when it differs.
        drawing: The answer is written with the run's plots (``scosim run``, which draws
            the banking figure after it). Otherwise the figure is cited only if it is in
            the run's ``plots/`` (not after ``--no-plots``).
        counts: The counts when already gathered, with the banking figure's statistics
            in the same read of the batch files (:func:`scosim.mechanism_plots.gather`);
            an empty :class:`OutcomeCounts` when the run has no finance slot. Default:
            read from the run (:func:`outcome_counts`).

    Returns:
        The lines, or ``[]`` when the finance slot was empty or no run had a crisis.
    """
    c = outcome_counts(run_dir) if counts is None else counts
    if c is None or not c.n_runs:
        return []
    crisis = c.failed + c.undercapitalised + c.resolved
    if not crisis.any():
        return []
    peak = c.years[int(np.argmax(crisis))]
    shown = [y for y in dict.fromkeys([event_year, peak]) if y in c.years]
    who = "the SCO members" if c.group else "all economies"
    drawn = c.drawable and (drawing or (Path(run_dir) / "plots" / FIGURE).is_file())
    cite = f" (plots/{FIGURE}, first panel)" if drawn else ""
    out = answer_lines(f"banking crisis among {who}, each run counted once at its worst "
                       f"outcome{cite}:", indent="  ", subsequent="    ")
    n = c.n_runs
    runs = f"{n} run" if n == 1 else f"{n} runs"
    for y in shown:
        i = c.years.index(y)

        def pct(k: float) -> str:
            return f"{percent_of_runs(k / n, n)} %"

        what = "the scenario's shock" if y == event_year else "most runs in a crisis"
        out += answer_lines(f"{y} ({what}): {pct(crisis[i])} of {runs} = failure "
                            f"{pct(c.failed[i])} + caught, refused public money and left "
                            f"undercapitalised {pct(c.undercapitalised[i])} + resolved "
                            f"{pct(c.resolved[i])}", indent="    ", subsequent="      ")
    return out
