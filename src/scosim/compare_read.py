"""Comparing two finished runs from their batch files, one group of indicators at a time.

:func:`compare_results` pairs a policy run with its baseline key by key
(``year, country, indicator``). Every statistic of :mod:`scosim.compare` is
computed per key, so the keys can be taken in groups: each group's rows of both
runs are read, paired and summarised, then let go. A group holds at most
:data:`~scosim.compare.CHUNK_ROWS` rows of each run (whole indicators, or the
years of one indicator when a single indicator is larger), so memory does not
grow with the replications. Runs that fit in one group are read directly; larger
ones are first split by group in one pass over their batch files (into Arrow IPC
files in a temporary directory, removed afterwards), so no batch file is read
more than once per run, whatever the method (besides a first pass over its key
columns to plan the groups). The numbers are those of pairing the two whole tables
at once (:func:`scosim.compare.compare` on both tables), which the tests check.

Runs may lie in local directories or at fsspec URLs (``memory://``, ``s3://``).
Importable from :mod:`scosim.compare`.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim import compare as cmp
from scosim.compare import KEYS, Comparison, Method, PairingError
from scosim.compare_pairs import (
    BASELINE_ONLY,
    POLICY_ONLY,
    _check_common_years,
    check_pairable,
    check_wanted,
    one_side,
    warn_unmatched,
)
from scosim.compare_shares import (
    apply_share_intervals,
    combine_flags,
    zero_one_flags,
    zero_one_indicators,
)
from scosim.errors import ScosimWarning
from scosim.result_tables import (
    _is_url,
    _join,
    batch_files,
    read_manifest_json,
    read_table,
)

__all__ = [
    "OWN_BASELINE",
    "check_pairable",
    "compare_results",
    "read_indicators",
    "read_manifest",
    "zero_by_construction",
]


def read_manifest(run_dir: str | Path) -> dict:
    """Read ``manifest.json`` of a results directory, with an error that says what is wrong."""
    path = _join(run_dir, "manifest.json")
    try:
        return read_manifest_json(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise FileNotFoundError(
            f"{path} not found: {run_dir} is not a results directory "
            "(expected results/<scenario>/<run_id>/manifest.json)"
        ) from None


def read_indicators(run_dir: str | Path, indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Read the tidy indicator table of a results directory (every batch file).

    Memory grows with the replications: :func:`compare_results` does not use it.
    """
    from scosim.result_tables import read_batches

    # Unsorted: pairing joins on keys, and sorting millions of rows is wasted work.
    return read_batches(
        _join(run_dir, "indicators"), indicators=indicators, columns=list(cmp.READ_COLUMNS),
        sort=False,
    )


#: Indicators a run measures against the year's baseline inside itself: the equivalent
#: variation of the year's policy state, and the trade it creates and diverts
#: (docs/customs_union.md: V' against V of the same year). In a run with no trade policy
#: they are zero by construction (the GE solve of no change), recorded as 0 (EV) or NaN
#: (the bloc totals, creation and diversion: there is no bloc); policy minus such a
#: baseline is the policy run's own value.
OWN_BASELINE: tuple[str, ...] = ("ev_usd", "ev_members_usd", "ev_outsiders_usd", "ev_world_usd",
                                 "ev_member_usd", "ev_other_members_usd", "ev_members_pct",
                                 "ev_outsiders_pct", "ev_world_pct",
                                 "trade_creation_usd", "trade_diversion_usd")
#: A baseline whose every ``ev_usd`` lies within this of zero (US$) has no trade policy: its
#: EV is exactly 0 since 2026-12-04 (a GE element that changes nothing is not solved), and
#: below US$0.1 of solver rounding in runs made before; a policy's is billions.
ZERO_EV_USD = 1e3


def zero_by_construction(files: Sequence[str]) -> tuple[str, ...]:
    """The :data:`OWN_BASELINE` indicators that are zero by construction in this run.

    All of them when the run recorded ``ev_usd`` and every value lies within
    :data:`ZERO_EV_USD` of zero (NaN aside); none otherwise (a policy as the
    baseline, or a run that did not record ``ev_usd``).
    """
    seen = False
    for f in files:
        v = read_table(f, ["value"], indicators=["ev_usd"]).column("value").to_numpy(
            zero_copy_only=False)
        v = v[~np.isnan(v)]
        if v.size and np.abs(v).max() > ZERO_EV_USD:
            return ()
        seen = seen or bool(v.size)
    return OWN_BASELINE if seen else ()


def _as_zero(run: pd.DataFrame, own: Sequence[str]) -> pd.DataFrame:
    """A run's rows of ``own`` indicators with their value zero (by construction)."""
    if not own or run.empty:
        return run
    rows = run["indicator"].isin(own).to_numpy()
    if not rows.any():
        return run
    out = run.copy()
    out.loc[rows, "value"] = 0.0
    return out


def _same_run(a: str | Path, b: str | Path) -> bool:
    if _is_url(a) or _is_url(b):
        return str(a).rstrip("/") == str(b).rstrip("/")
    return Path(a).resolve() == Path(b).resolve()


def compare_results(
    policy_dir: str | Path,
    baseline_dir: str | Path,
    *,
    by: Sequence[str] = KEYS,
    level: float = 0.90,
    method: Method | str = "t",
    seed: int = 0,
    indicators: Sequence[str] | None = None,
) -> Comparison:
    """Compare two results directories (``results/<scenario>/<run_id>``) run by run.

    Reads only the indicator tables' key and value columns, one group of keys
    at a time (see the module docstring); the run-level differences are not
    kept (``Comparison.diffs`` reads them again on first use). When the baseline
    has no trade policy (:func:`zero_by_construction`), its equivalent variations,
    trade creation and diversion (:data:`OWN_BASELINE`) are taken as zero, their value
    by construction: the comparison shows the policy run's own, the bloc totals and
    the participants' creation and diversion included, which the baseline records as
    NaN (it has no bloc). ``Comparison.own_baseline`` names them. When the policy run
    has no trade policy either (a union vetoed), they are zero in both
    (``Comparison.own_policy``): no difference, not solver rounding of a few cents.

    Args:
        policy_dir: Results of the policy scenario (a path or an fsspec URL).
        baseline_dir: Results of the baseline scenario.
        by: Keys besides ``run`` (default year, country, indicator).
        level: Interval level, e.g. 0.90.
        method: CI of the mean: ``"t"`` or ``"bootstrap"``.
        seed: Bootstrap seed.
        indicators: Only these indicators (default: all). One that only one run
            records (a plug-in mechanism the other scenario lacks) is named in
            ``Comparison.one_side`` and a warning, and the others are compared.

    Returns:
        A :class:`Comparison` holding both manifests; its ``one_side`` names the
        indicators (of those asked for) that only one run records.

    Raises:
        PairingError: Runs not complete, or seeds / replications differ; an indicator
            asked for that neither run records, or none that both do.
        FileNotFoundError: A directory lacks a manifest or indicator files.
    """
    if _same_run(policy_dir, baseline_dir):
        raise PairingError(
            f"policy and baseline are the same run ({policy_dir}): every difference would be "
            "zero. Compare two different runs"
        )
    cmp._check_method(method)
    pm, bm = read_manifest(policy_dir), read_manifest(baseline_dir)
    check_pairable(pm, bm)
    _check_common_years(pm, bm)
    from scosim.compare_setup import economy_note

    if note := economy_note(Path(policy_dir), Path(baseline_dir)):
        warnings.warn(note, ScosimWarning, stacklevel=2)
    wanted = list(indicators) if indicators else None
    by = list(by)
    pol = _Side.scan(_join(policy_dir, "indicators"), wanted)
    base = _Side.scan(_join(baseline_dir, "indicators"), wanted)
    if wanted:
        check_wanted(wanted, pol.names, base.names)
    cmp._check_runs(pol.runs, base.runs)
    compared = {n for n, _ in base.rows}
    if compared & set(OWN_BASELINE):  # else no need to read the baseline's EV
        base.own = tuple(i for i in zero_by_construction(base.files) if i in compared)
    if base.own:
        # A policy run without trade policy either (a union put to the vote and vetoed):
        # its EV is zero by construction too, not solver rounding of US$ 0.01 shown as a
        # change in every economy.
        pol.own = tuple(i for i in zero_by_construction(pol.files) if i in base.own)
    if "indicator" not in by:
        # Keys that cut across indicators cannot be grouped by indicator: pair whole tables.
        summary, spread = _summaries_whole(pol, base, by, level, method, seed)
    else:
        summary, spread = _summaries_by_group(pol, base, by, level, method, seed)
    p_loc = policy_dir if _is_url(policy_dir) else Path(policy_dir)
    b_loc = baseline_dir if _is_url(baseline_dir) else Path(baseline_dir)

    def load(only: Sequence[str] | None) -> pd.DataFrame:
        keep = wanted if only is None else [i for i in only if wanted is None or i in wanted]
        if keep == []:  # none of those compared: an empty filter would read everything
            keep = ["\x00none"]
        return cmp.paired_differences(
            _as_zero(read_indicators(p_loc, keep), pol.own),
            _as_zero(read_indicators(b_loc, keep), base.own),
            by=by,
        )

    return Comparison(
        diffs=None,
        summary=summary,
        spread=spread,
        level=level,
        method=method,
        policy_manifest=pm,
        baseline_manifest=bm,
        policy_dir=p_loc,  # type: ignore[arg-type]
        baseline_dir=b_loc,  # type: ignore[arg-type]
        load_diffs=load,
        own_baseline=base.own,
        own_policy=pol.own,
        one_side=one_side(pol.names, base.names, wanted),
    )


# ------------------------------------------------------------------ reading by group


@dataclass
class _Side:
    """One run's indicator files and what a cheap first pass learnt of them.

    Attributes:
        files: Its batch files.
        wanted: The indicators asked for (None: all).
        names: Every indicator the run recorded.
        rows: Rows per (indicator, year), of the wanted indicators.
        runs: Run indices of the wanted indicators' rows.
        own: Indicators whose values are taken as zero (a run's EV without trade policy,
            by construction).
    """

    files: list[str]
    wanted: list[str] | None
    names: set[str] = field(default_factory=set)
    rows: dict[tuple[str, int], int] = field(default_factory=dict)
    runs: set[int] = field(default_factory=set)
    own: tuple[str, ...] = ()

    @classmethod
    def scan(cls, d: str | Path, wanted: list[str] | None) -> _Side:
        """Read the run, year and indicator columns only, a file at a time."""
        side = cls(batch_files(d), wanted)
        for f in side.files:
            df = read_table(f, ["run", "year", "indicator"]).to_pandas()
            side.names.update(str(x) for x in pd.unique(df["indicator"].dropna()))
            if wanted is not None:
                df = df[df["indicator"].isin(wanted)]
            side.runs.update(int(r) for r in pd.unique(df["run"]))
            counts = df.groupby(["indicator", "year"], observed=True).size()
            for (name, year), n in counts.items():
                key = (str(name), int(year))
                side.rows[key] = side.rows.get(key, 0) + int(n)
        return side

    def indicator_rows(self, name: str) -> int:
        return sum(n for (i, _), n in self.rows.items() if i == name)


def _plan(pol: _Side, base: _Side, by: list[str],
          which: dict[str, str]) -> tuple[list[dict[str, set[int] | None]], int]:
    """Groups of keys of at most CHUNK_ROWS rows per run, and rows with no counterpart.

    A group maps indicator -> its years in the group (None: all years).
    Indicators only one run recorded cannot pair: their rows are counted as
    unmatched (as a whole-table join leaves them out), and named in ``which``
    (indicator: why unpaired).
    """
    p_names = {i for i, _ in pol.rows}
    b_names = {i for i, _ in base.rows}
    unmatched = sum(pol.indicator_rows(i) for i in p_names - b_names)
    unmatched += sum(base.indicator_rows(i) for i in b_names - p_names)
    which.update(dict.fromkeys(p_names - b_names, POLICY_ONLY))
    which.update(dict.fromkeys(b_names - p_names, BASELINE_ONLY))
    units: list[tuple[str, set[int] | None, int]] = []
    for name in sorted(p_names & b_names):
        size = max(pol.indicator_rows(name), base.indicator_rows(name))
        years = sorted({y for i, y in (*pol.rows, *base.rows) if i == name})
        if size <= cmp.CHUNK_ROWS or "year" not in by:
            units.append((name, None, size))
            continue
        # One indicator larger than a group: split it by year (a key, so pairs stay whole).
        part: set[int] = set()
        part_size = 0
        for y in years:
            n = max(pol.rows.get((name, y), 0), base.rows.get((name, y), 0))
            if part and part_size + n > cmp.CHUNK_ROWS:
                units.append((name, part, part_size))
                part, part_size = set(), 0
            part.add(y)
            part_size += n
        if part:
            units.append((name, part, part_size))
    groups: list[dict[str, set[int] | None]] = []
    size = 0
    for name, years, n in units:
        if not groups or size + n > cmp.CHUNK_ROWS or name in groups[-1]:
            groups.append({})
            size = 0
        groups[-1][name] = years
        size += n
    return groups, unmatched


def _group_of(table: Any, groups: list[dict[str, set[int] | None]]) -> np.ndarray:
    """Group index of every row of a batch (an Arrow table; -1: in no group)."""
    if not table.num_rows:
        return np.empty(0, dtype=np.int64)
    ind = table.column("indicator").combine_chunks()
    if not hasattr(ind, "dictionary"):  # plain strings: encode them (in Arrow, not per row)
        import pyarrow.compute as pc

        ind = pc.dictionary_encode(ind)
    cats = [str(c) for c in ind.dictionary.to_pylist()]
    codes = ind.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    years = table.column("year").to_numpy().astype(np.int64)
    y0 = int(years.min())
    lut = np.full((len(cats) + 1, int(years.max()) - y0 + 1), -1, dtype=np.int64)
    pos = {c: i for i, c in enumerate(cats)}
    for g, members in enumerate(groups):
        for name, ys in members.items():
            if name not in pos:
                continue
            if ys is None:
                lut[pos[name], :] = g
            else:
                for y in ys:
                    if 0 <= y - y0 < lut.shape[1]:
                        lut[pos[name], y - y0] = g
    # Code -1 (a missing indicator) reads the last row, which is all -1.
    return lut[codes, years - y0]


def _group_tables(
    pol: _Side, base: _Side, groups: list[dict[str, set[int] | None]], tmp: Path | None
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Each group's rows of both runs (read directly when there is one group)."""
    if tmp is None:
        (only,) = groups
        names = sorted(only)
        yield (_as_zero(_read_files(pol.files, names), pol.own),
               _as_zero(_read_files(base.files, names), base.own))
        return
    for g in range(len(groups)):
        yield (_as_zero(_read_spilled(tmp / "policy" / f"{g:05d}"), pol.own),
               _as_zero(_read_spilled(tmp / "baseline" / f"{g:05d}"), base.own))


def _read_files(files: list[str], indicators: list[str] | None) -> pd.DataFrame:
    """The key and value columns of ``indicators``' rows of batch files, as one table.

    Concatenated in Arrow (as :func:`scosim.result_tables.read_batches`): the
    batches' categories differ, and ``pd.concat`` would turn the categorical
    ``country``/``indicator`` into plain strings, several times the memory.
    """
    import pyarrow as pa

    parts = [read_table(f, list(cmp.READ_COLUMNS), indicators=indicators) for f in files]
    return pa.concat_tables(parts, promote_options="permissive").to_pandas()


def _spill(side: _Side, groups: list[dict[str, set[int] | None]], out: Path) -> None:
    """Split a run's rows by group into ``out/<group>/<batch>.arrow``, one batch at a time."""
    from pyarrow import feather

    for k, f in enumerate(side.files):
        table = read_table(f, list(cmp.READ_COLUMNS)).unify_dictionaries()
        g = _group_of(table, groups)
        # Stable (each group's rows keep file order); int16 lets numpy radix-sort them.
        order = np.argsort(g.astype(np.int16) if len(groups) < 2**15 else g, kind="stable")
        bounds = np.searchsorted(g[order], np.arange(len(groups) + 1))
        # One gather of the whole file in group order; each group is then a zero-copy slice
        # (a take per group re-reads the dictionaries each time, 8 of 11 s at 2,000 runs).
        table = table.take(order)
        for j in range(len(groups)):
            lo, hi = int(bounds[j]), int(bounds[j + 1])
            if hi > lo:
                d = out / f"{j:05d}"
                d.mkdir(parents=True, exist_ok=True)
                # Arrow IPC, uncompressed: read back once, moments later, from local disk;
                # no Parquet encoding (it took 4 of 7 s at 2,000 runs).
                feather.write_feather(table.slice(lo, hi - lo), d / f"{k:05d}.arrow",
                                      compression="uncompressed")
        del table, g, order


def _read_spilled(d: Path) -> pd.DataFrame:
    import pyarrow as pa
    from pyarrow import feather

    cols = list(cmp.READ_COLUMNS)
    files = sorted(d.glob("*.arrow")) if d.is_dir() else []
    if not files:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    # Not memory-mapped: the temporary directory is removed right after (Windows
    # cannot remove a mapped file).
    parts = [feather.read_table(f, memory_map=False) for f in files]
    return pa.concat_tables(parts, promote_options="permissive").to_pandas()


def _summaries_by_group(
    pol: _Side, base: _Side, by: list[str], level: float, method: str, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary and spread, pairing and summarising one group of keys at a time.

    With one group (read directly) the bootstrap summary is the whole-table
    call's, taken in the same pass; with several, its resamples depend on every
    group's run counts, so the groups are summarised in a second pass over the
    spilled files (never the batch files).

    0/1 indicators (:mod:`scosim.compare_shares`) are told on all their rows, not per
    group: each group keeps its keys' 2x2 counts of runs, and the rows of those
    indicators get Newcombe's interval once every group has been read.
    """
    which: dict[str, str] = {}
    groups, unmatched = _plan(pol, base, by, which)
    if not groups:
        _nothing()
    with tempfile.TemporaryDirectory(prefix="scosim-compare-") as tmpdir:
        tmp = None
        if len(groups) > 1:
            tmp = Path(tmpdir)
            _spill(pol, groups, tmp / "policy")
            _spill(base, groups, tmp / "baseline")
        summaries, spreads, sizes, paired = [], [], [], 0
        flags: tuple[list[pd.DataFrame], list[pd.DataFrame]] = ([], [])
        counts: list[np.ndarray] = []
        for p_df, b_df in _group_tables(pol, base, groups, tmp):
            flags[0].append(zero_one_flags(p_df))
            flags[1].append(zero_one_flags(b_df))
            if p_df.empty or b_df.empty:
                # Years of an indicator only one run simulated: nothing pairs.
                unmatched += len(p_df) + len(b_df)
                which.update(dict.fromkeys(
                    (str(i) for i in pd.unique(pd.concat([p_df, b_df])["indicator"])),
                    "some years in one run only"))
                continue
            cmp._check_tables(p_df, b_df, by)
            diffs, n_un, layout = cmp._pair(p_df, b_df, by)
            if n_un:
                which.update(cmp._unpaired(p_df, b_df, diffs))
            del p_df, b_df
            unmatched += n_un
            paired += len(diffs)
            if diffs.empty:
                continue
            spread = cmp.summarise(diffs, level=level, method="percentile", seed=seed,
                                   _layout=layout)
            spreads.append(spread)
            sizes.append(spread["n_runs"].to_numpy())
            counts.append(cmp.share_counts(diffs, layout, candidates=zero_one_indicators(
                flags[0][-1], flags[1][-1], both_values=False)))
            if method == "t" or tmp is None:
                # One group: its keys are all the keys, so a bootstrap draws what the
                # whole-table call draws (one count matrix per run count, in order).
                summaries.append(cmp.summarise(diffs, level=level, method=method, seed=seed,
                                               binary=(), _layout=layout))
        if not paired:
            _nothing()
        if method == "bootstrap" and tmp is not None:
            summaries = _bootstrap_pass(pol, base, groups, tmp, by, level, seed, sizes)
    if unmatched:
        warn_unmatched(unmatched, which, by, stacklevel=3)
    binary = zero_one_indicators(combine_flags(flags[0]), combine_flags(flags[1]))
    for summary, n in zip(summaries, counts, strict=True):
        apply_share_intervals(summary, n, binary, level)
    return _ordered(summaries, by), _ordered(spreads, by)


def _bootstrap_pass(
    pol: _Side,
    base: _Side,
    groups: list[dict[str, set[int] | None]],
    tmp: Path | None,
    by: list[str],
    level: float,
    seed: int,
    sizes: list[np.ndarray],
) -> list[pd.DataFrame]:
    """Bootstrap summaries per group, drawing the resamples one pass over all keys would.

    :func:`~scosim.compare.summarise` draws one count matrix per distinct number
    of runs, in increasing order, from one generator; they are drawn here in that
    order for the sizes of every group, then each group uses the ones it needs.
    """
    rng = np.random.default_rng(seed)
    n_boot = 2000
    every = np.unique(np.concatenate(sizes)) if sizes else np.empty(0, dtype=int)
    counts = {int(n): cmp._bootstrap_counts(int(n), n_boot, rng) for n in every if n >= 2}
    out = []
    for p_df, b_df in _group_tables(pol, base, groups, tmp):
        if p_df.empty or b_df.empty:
            continue
        diffs, _, layout = cmp._pair(p_df, b_df, by)
        if not diffs.empty:
            out.append(cmp.summarise(
                diffs, level=level, method="bootstrap", seed=seed, n_boot=n_boot,
                binary=(), _counts=counts.__getitem__, _layout=layout,
            ))
    return out


def _summaries_whole(
    pol: _Side, base: _Side, by: list[str], level: float, method: str, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    p_df = _as_zero(_read_files(pol.files, pol.wanted), pol.own)
    b_df = _as_zero(_read_files(base.files, base.wanted), base.own)
    diffs = cmp.paired_differences(p_df, b_df, by=by)
    if diffs.empty:
        _nothing()
    return (cmp.summarise(diffs, level=level, method=method, seed=seed),
            cmp.summarise(diffs, level=level, method="percentile", seed=seed))


def _ordered(parts: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    """Groups' summaries as one table, in the order of one summary over all keys."""
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out.sort_values(by, kind="stable").reset_index(drop=True)


def _nothing() -> Any:
    raise PairingError(
        "policy and baseline share no (year, country, indicator): nothing to compare"
    )
