"""A run's side payments priced a chunk of runs at a time (``scosim transfers`` at scale).

Every Council decision concerns one run, and its pricing reads only that run's events,
weights and expenditure (:func:`scosim.side_payments.price_votes`), so the runs can be
priced in chunks and the table is the chunks' rows one after another. Holding every
decision event, the whole table and 1,000-run models made the command's peak memory
grow with the runs (docs/performance.md, "``scosim transfers`` at scale"); here a chunk
of :data:`CHUNK_RUNS` runs is read (each batch file once, kept only while a run of a
later decision is in it), priced, and handed on: :class:`TableWriter` appends its rows
to ``transfers.csv`` and adds them to a :class:`~scosim.side_payments_tally.SummaryTally`
of what the printed summary reads (typed columns, not the rows).

The rows, their order and their columns are those of pricing all runs at once (the
decisions sorted by run, year and proposal; tests/test_side_payments_chunks.py checks
it). A run whose event files cannot be read this way (an older layout without ``type``,
or its fields in a JSON ``detail``) is priced whole, as before.
"""

from __future__ import annotations

import gc
import math
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.side_payments import _NEEDED, TransferError, _model_arrays, price_votes
from scosim.side_payments_tally import SummaryTally

__all__ = ["CHUNK_RUNS", "MODEL_CHUNK", "TableWriter", "price_run", "priced_chunks"]

#: Runs priced together (a batch of ``scosim run`` is 250 runs).
CHUNK_RUNS = 250
#: Runs per model rebuilt for the expenditure: its base flows are ``(R, N, N)``; 250 gave
#: the same expenditure as 1,000 and 60-100 MB less (docs/performance.md).
MODEL_CHUNK = 250
_COUNCIL = ["vote", "adopted", "rejected"]


def _gdp_path(table_dir: str, years: Sequence[int]) -> pd.DataFrame:
    """``gdp_baseline_path_usd`` rows of ``years`` of every run, read file by file."""
    import pyarrow as pa

    from scosim.result_tables import batch_files

    read = _gdp_reader(years)
    parts = [read(f) for f in batch_files(table_dir)]
    if not parts:
        return pd.DataFrame(columns=["run", "year", "country", "value"])
    return pa.concat_tables(parts, promote_options="permissive").to_pandas()


def _gdp_reader(years: Sequence[int]) -> Callable[[str], Any]:
    """Reads a batch file's ``gdp_baseline_path_usd`` rows of ``years`` (an Arrow table)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from scosim.result_tables import read_table

    def read(f: str) -> Any:
        t = read_table(f, ["run", "year", "country", "value"],
                       indicators=["gdp_baseline_path_usd"])
        return t.filter(pc.is_in(t["year"], value_set=pa.array(list(years)).cast(
            t["year"].type)))
    return read


def _run_range(file: str) -> tuple[float, float] | None:
    """Smallest and largest run of a batch file from its Parquet statistics (None: unknown)."""
    import pyarrow.parquet as pq

    md = pq.ParquetFile(file).metadata
    if "run" not in md.schema.names:
        return None
    i = md.schema.names.index("run")
    lo, hi = math.inf, -math.inf
    for g in range(md.num_row_groups):
        s = md.row_group(g).column(i).statistics
        if md.row_group(g).num_rows == 0:
            continue
        if s is None or not s.has_min_max:
            return None
        lo, hi = min(lo, s.min), max(hi, s.max)
    return lo, hi


class _ByRuns:
    """The rows of a table's batch files, a range of runs at a time (ranges increasing).

    A file is read when a range first needs it and held only while a run to be asked
    for later (one of ``wanted``) is in it: a file whose remaining runs have no decision
    is let go at once, not at the end.
    """

    def __init__(self, files: Sequence[str], read: Callable[[str], Any],
                 wanted: np.ndarray) -> None:
        """``wanted``: the runs the ranges will cover, sorted (the decisions' runs)."""
        self._files = list(files)
        self._read = read
        self._wanted = np.asarray(wanted, dtype=np.int64)
        self._range = [_run_range(f) for f in self._files]
        self._held: dict[int, Any] = {}

    @property
    def held(self) -> list[str]:
        """The files read and kept for a later range."""
        return [self._files[i] for i in sorted(self._held)]

    def _later(self, last: float, hi: int) -> bool:
        """Whether a run wanted after ``hi`` is at most ``last`` (in a file reaching it)."""
        i = int(np.searchsorted(self._wanted, hi, side="right"))
        return i < self._wanted.size and self._wanted[i] <= last

    def take(self, lo: int, hi: int) -> pd.DataFrame:
        """Rows of runs ``lo`` to ``hi``, in file order (an empty frame without any)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = []
        for i, f in enumerate(self._files):
            r = self._range[i]
            if r is not None and (r[1] < lo or r[0] > hi):
                continue
            t = self._held.pop(i, None)
            if t is None:
                t = self._read(f)
                if r is None:
                    mm = pc.min_max(t["run"]).as_py()
                    r = self._range[i] = ((mm["min"], mm["max"]) if len(t)
                                          else (math.inf, -math.inf))
            if self._later(r[1], hi):
                self._held[i] = t  # a later range has runs in it
            parts.append(t.filter(pc.and_(pc.greater_equal(t["run"], lo),
                                          pc.less_equal(t["run"], hi))))
        if not parts:
            return pd.DataFrame()
        return pa.concat_tables(parts, promote_options="permissive").to_pandas()


def _council_events(result: Any) -> pd.DataFrame:
    """The run's ``vote``, ``adopted`` and ``rejected`` events, whole (the older layouts)."""
    from scosim.model.events import expand_legacy_detail
    from scosim.result_tables import read_batches

    try:
        events = expand_legacy_detail(read_batches(result.table_dir("events"),
                                                   types=_COUNCIL))
    except KeyError:
        return result.events
    return events if not events.empty else result.events


def _decision_runs(files: Sequence[str]) -> tuple[np.ndarray, list[int]] | None:
    """The runs and years of the decisions, read file by file (None: price the run whole)."""
    import pyarrow.parquet as pq

    from scosim.model.events import LEGACY_DETAIL
    from scosim.result_tables import read_table

    runs: list[np.ndarray] = []
    years: set[int] = set()
    for f in files:
        names = pq.read_schema(f).names
        if "type" not in names or LEGACY_DETAIL in names or "year" not in names:
            return None
        t = read_table(f, ["run", "year"], types=["adopted", "rejected"])
        runs.append(t["run"].to_numpy())
        years.update(int(y) for y in np.unique(t["year"].to_numpy()))
    found = np.unique(np.concatenate(runs).astype(np.int64)) if runs else np.array([])
    return (found, sorted(years)) if found.size else None


def _price_events(run_dir: str | Path, result: Any, events: pd.DataFrame, years: list[int],
                  gdp_path: pd.DataFrame | None) -> pd.DataFrame:
    """The table of the decisions among ``events`` (the checks :func:`price_run` names)."""
    if events.empty or "type" not in events:
        raise TransferError(f"{run_dir} has no events: no Council vote to price")
    votes = events[events["type"] == "vote"]
    decisions = events[events["type"].isin(["adopted", "rejected"])]
    if decisions.empty:
        raise TransferError(f"{run_dir} has no Council decisions (no adopted or rejected "
                            "event): no vote to price")
    missing = [c for c in _NEEDED if c not in events.columns]
    if missing:
        raise TransferError(f"{run_dir}: its events lack the field(s) {', '.join(missing)} "
                            "(a run made by an older scosim); run it again with scosim run")
    runs = np.unique(decisions["run"].to_numpy(dtype=np.int64))
    years = years or sorted({int(y) for y in decisions["year"]})
    a = _model_arrays(result, runs, years, gdp_path)
    check = votes[votes["term_econ"].abs() > 0]
    pos = {int(r): i for i, r in enumerate(runs)}
    if not check.empty:
        # The rebuilt weights must be the run's: the logged contribution is w * term.
        ci = {c: i for i, c in enumerate(a["codes"])}
        w = a["w_econ"][[pos[int(r)] for r in check["run"]],
                        [ci[c] for c in check["country"]]]
        logged = check["contrib_econ"].to_numpy(dtype=float) / check["term_econ"].to_numpy(
            dtype=float)
        if not np.allclose(w, logged, rtol=1e-9, atol=0.0):
            raise TransferError(f"{run_dir}: the econ weights rebuilt from its scenario are "
                                "not those its votes were scored with (a sweep point, or "
                                "another code version); run it again with scosim run")
    table = price_votes(votes, decisions, a["expenditure"], a["w_econ"], a["member"],
                        list(a["codes"]), pos, w_dom=a["w_dom"], gdp=a["gdp"],
                        together=a["together"], kinds=_kinds(result))
    table["priced_at"] = table["year"].map(a["priced_at"])
    for late in _LAST[1:]:  # added since: after the unit, in order (_LAST)
        if late in table:
            table[late] = table.pop(late)
    return table


def _kinds(result: Any) -> dict[str, str]:
    """Proposal id -> type, from the run's resolved scenario ({} where it cannot be read)."""
    from scosim.runner import _scenario_from_text

    try:
        props = _scenario_from_text(result.scenario_yaml).proposals
    except Exception:  # noqa: BLE001 - only a hint in a reason depends on it
        return {}
    return {str(p.id): str(p.type) for p in props}


def priced_chunks(run_dir: str | Path, chunk: int = CHUNK_RUNS) -> Iterator[pd.DataFrame]:
    """The side-payment table of a run, ``chunk`` runs at a time (:func:`price_run`'s rows).

    Raises:
        TransferError: Not a run, or a run without Council decisions.
    """
    from scosim.result_tables import batch_files, open_result
    from scosim.runner import _scenario_from_text

    try:
        result = open_result(run_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise TransferError(str(exc)) from None
    try:
        files = batch_files(result.table_dir("events"))
    except FileNotFoundError:
        files = []
    found = _decision_runs(files) if files else None
    if found is None:  # an older layout, or nothing to price: whole, with its errors
        yield _price_events(run_dir, result, _council_events(result), [], None)
        return
    runs, years = found
    events = _ByRuns(files, _read_council, runs)
    gdp = None
    if _scenario_from_text(result.scenario_yaml).parameters.trade.moving_baseline:
        gdp = _ByRuns(batch_files(result.table_dir("indicators")),
                      _gdp_reader([y - 1 for y in years]), runs)
    for start in range(0, runs.size, chunk):
        lo, hi = int(runs[start]), int(runs[min(start + chunk, runs.size) - 1])
        ev = events.take(lo, hi)
        # As the whole log was read: ordered by run and year (stable), in file order.
        ev = ev.sort_values(["run", "year"], kind="stable").reset_index(drop=True)
        path = gdp.take(lo, hi) if gdp is not None else None
        if path is not None and path.empty:
            path = pd.DataFrame(columns=["run", "year", "country", "value"])
        table = _price_events(run_dir, result, ev, years, path)
        del ev, path
        # The chunk's model is freed only by the cyclic collector (its objects refer to
        # one another), which otherwise lets a few of them pile up: 20 MB a chunk.
        gc.collect()
        yield table


def _read_council(f: str) -> Any:
    from scosim.result_tables import read_table

    return read_table(f, None, types=_COUNCIL)


def price_run(run_dir: str | Path, chunk: int = CHUNK_RUNS) -> pd.DataFrame:
    """The side-payment table of a finished run (``transfers.csv``), held whole.

    Args:
        run_dir: A run directory.
        chunk: Runs priced together (the table does not depend on it).

    Returns:
        One row per Council decision (run, year, proposal) and voter priced: ``status``,
        ``reason``, ``total_transfer_usd``, ``bloc_gain_usd`` (the voters' econ gain in
        US$ summed over those priced), ``transfer_share_of_gain``, ``required_usd``,
        ``capacity_usd``, ``outside_usd`` (:class:`scosim.side_payments_lp.Plan`),
        ``noise_rescaled_short_usd``, ``counted`` (a member the rule counts),
        ``voted_yes``, ``transfer_usd`` (+ received, - paid; a voter in favour may be
        paid to stay at its bar), ``expenditure_usd`` (what
        the transfer is priced at), ``gain_usd``, and for the rejected votes priced the
        bought voters' shortfall at their logged scores, ``short_usd``, split into
        ``short_econ_usd``, ``short_dominance_usd``, ``short_sovereignty_usd``,
        ``short_trust_usd``, ``short_security_usd`` and ``short_noise_usd`` (the vote
        shock), with ``short_leader`` the economy whose lead the dominance term is
        (:func:`scosim.side_payments_summary.shortfall_split`); then ``priced_at`` and
        ``paid_to_stay_usd``, what this voter, in favour, receives to stay at its bar (0
        for the others; summed over a vote's rows, the part of ``required_usd`` that
        keeps voters in favour), ``capacity_gain_usd``, what a sponsor's economic
        gain adds to ``capacity_usd`` beyond its surplus (0 where none does), and
        ``sponsor_side``, on a sponsor's row of a vote priced which side its plan used
        (``bar``, ``gain`` or ``none``: :class:`scosim.side_payments_lp.Plan`; "" on
        the other rows).

    Raises:
        TransferError: Not a run, or a run without Council decisions.
    """
    parts = list(priced_chunks(run_dir, chunk))
    return pd.concat(parts, ignore_index=True).reindex(columns=_columns(parts))


#: Columns written after the others, in this order: the unit (as :func:`_price_events`
#: adds it), then those added since, so that the older columns keep their places.
_LAST = ("priced_at", "paid_to_stay_usd", "capacity_gain_usd", "sponsor_side")


def _columns(parts: Sequence[pd.DataFrame]) -> list[str]:
    """The columns of all the rows priced at once.

    In the order they first appear, those of :data:`_LAST` last.
    """
    cols = list(dict.fromkeys(c for p in parts for c in p.columns if c not in _LAST))
    return cols + [c for c in _LAST if any(c in p for p in parts)]


class TableWriter:
    """Appends a run's table to ``transfers.csv`` chunk by chunk; keeps what the summary reads.

    The file is written beside the final one and moved into place by :meth:`close`
    (:meth:`discard` removes it), so a failure leaves any earlier table as it was.
    """

    def __init__(self, out: Path) -> None:
        """Open the file the table is written to (``out`` with ``.tmp`` added)."""
        self.out = out
        self._tmp = out.with_name(out.name + ".tmp")
        self._fh = open(self._tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._header: list[str] | None = None
        self._waiting: list[pd.DataFrame] = []
        self.tally = SummaryTally()

    def add(self, part: pd.DataFrame) -> None:
        """Write a chunk's rows (after the earlier chunks') and tally what the summary reads."""
        self.tally.add(part)
        if self._header is None:
            self._waiting.append(part)
            # Rows of a decision nobody voted in lack the priced columns: until a chunk
            # has one priced, the columns (in the order they first appear) are not known.
            if (part["status"] != "no_voters").any():
                self._flush()
            return
        part.reindex(columns=self._header).to_csv(self._fh, index=False, header=False)

    def _flush(self) -> None:
        self._header = _columns(self._waiting)
        for i, p in enumerate(self._waiting):
            p.reindex(columns=self._header).to_csv(self._fh, index=False, header=i == 0)
        self._waiting = []

    def close(self) -> SummaryTally:
        """Finish the file and move it into place.

        Returns:
            The tally of the rows written (the printed summary).
        """
        if self._header is None:
            self._flush()
        self._fh.close()
        os.replace(self._tmp, self.out)
        return self.tally

    def discard(self) -> None:
        """Remove the unfinished file."""
        self._fh.close()
        self._tmp.unlink(missing_ok=True)
