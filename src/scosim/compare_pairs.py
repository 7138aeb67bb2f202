"""Pairing a policy's rows with its baseline's, run by run, on the key columns.

The helpers of :mod:`scosim.compare` (importable from there as before): checking
that two runs can be paired (:func:`check_pairable`, their years), checking two tidy
tables, pairing them without a join or a sort (:func:`_pair`), and naming what could
not be paired.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scosim.errors import ScosimNote, ScosimWarning


class PairingError(ValueError):
    """Two result sets cannot be compared run by run."""


def _check_tables(policy: pd.DataFrame, baseline: pd.DataFrame, by: list[str]) -> None:
    """Both tables have the key and value columns (duplicated keys: :func:`_pair` refuses)."""
    cols = ["run", *by, "value"]
    for name, df in (("policy", policy), ("baseline", baseline)):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise PairingError(f"{name} table is missing columns {missing}; needs {cols}")


def _refuse_duplicates(name: str, df: pd.DataFrame, by: list[str], order: np.ndarray,
                       sorted_codes: np.ndarray) -> None:
    """Raise if a (run, keys) appears twice: equal neighbours among the sorted codes."""
    again = np.flatnonzero(sorted_codes[1:] == sorted_codes[:-1]) + 1
    if again.size:
        # The stable sort keeps equal keys in row order: the later ones are the repeats.
        first = df.iloc[int(order[again].min())][["run", *by]].to_dict()
        raise PairingError(
            f"{name} table has {again.size} duplicated (run, {', '.join(by)}) rows, "
            f"e.g. {first}; each run must report each key once"
        )


def _check_runs(runs_p: set[int], runs_b: set[int]) -> None:
    if runs_p != runs_b:
        only_p, only_b = sorted(runs_p - runs_b)[:5], sorted(runs_b - runs_p)[:5]
        raise PairingError(
            "policy and baseline do not hold the same runs (runs are paired by index: run r "
            "of both shares its random numbers). "
            f"Only in policy: {only_p}{'...' if len(runs_p - runs_b) > 5 else ''}; "
            f"only in baseline: {only_b}{'...' if len(runs_b - runs_p) > 5 else ''}"
        )


#: Why an indicator is left out of a comparison (:func:`_unmatched_message` groups by these).
POLICY_ONLY = "only the policy run records"
BASELINE_ONLY = "only the baseline run records"


def _unmatched_message(n: int, which: Mapping[str, str]) -> str:
    """The warning for ``n`` unpaired rows, naming their indicators grouped by why.

    One reason per group, not per name: a policy whose mechanism the baseline does not
    run records ten indicators the baseline lacks, and the reason said ten times made
    the warning a paragraph.
    """
    return (
        f"{n:,} rows have keys present in only one of policy/baseline and are left out of "
        f"the comparison; {_named(which) or 'indicators not known'}"
    )


def _named(which: Mapping[str, str]) -> str:
    """``"only the policy run records: a, b, ... and 15 more; ..."``: eight names a reason."""
    groups: dict[str, list[str]] = {}
    for name, why in sorted(which.items()):
        groups.setdefault(why, []).append(name)
    parts = []
    for why, names in groups.items():
        shown = names if len(names) <= 8 else [*names[:8], f"and {len(names) - 8} more"]
        parts.append(f"{why}: {', '.join(shown)}")
    return "; ".join(parts)


def warn_unmatched(n: int, which: Mapping[str, str], by: Sequence[str],
                   stacklevel: int = 2) -> None:
    """Tell of ``n`` unpaired rows: a note when whole indicators are one run's, else a warning.

    Indicators that only one run records (a corridor's, against a baseline without the
    corridor) are expected to have no counterpart: one line names them (not their rows),
    as a :class:`~scosim.errors.ScosimNote`. Rows of an indicator both runs record whose
    keys (years, economies) one run lacks may be a fault: the warning names them.
    """
    why = set(which.values())
    if why and why <= {POLICY_ONLY, BASELINE_ONLY}:
        # Which indicators, not how many rows or on which keys: a reader needs the names.
        warnings.warn(
            f"not compared, as expected: {len(which)} indicator{'s' * (len(which) != 1)} "
            "recorded by one run only, for a mechanism or proposal the other scenario does "
            f"not have; {_named(which)}",
            ScosimNote, stacklevel=stacklevel + 1)
        return
    warnings.warn(_unmatched_message(n, which), ScosimWarning, stacklevel=stacklevel + 1)


def one_side(policy: Collection[str], baseline: Collection[str],
             wanted: Sequence[str] | None = None) -> dict[str, str]:
    """Indicators only one of two runs records, each with :data:`POLICY_ONLY` or the other.

    A mechanism or proposal type that only one scenario has records indicators the
    other run has none of (a plug-in mechanism against ``baseline.yaml``): they cannot
    be paired, and the comparison names them instead (``Comparison.one_side``).

    Args:
        policy: Every indicator the policy run records.
        baseline: Every indicator the baseline run records.
        wanted: Only these (the ``--indicator`` asked for); None: all.
    """
    only = {**dict.fromkeys(set(policy) - set(baseline), POLICY_ONLY),
            **dict.fromkeys(set(baseline) - set(policy), BASELINE_ONLY)}
    return {k: only[k] for k in sorted(only) if wanted is None or k in wanted}


def one_side_text(only: Mapping[str, str]) -> str | None:
    """``"only the policy run records: a, b; ..."`` for :func:`one_side`'s answer, or None."""
    groups: dict[str, list[str]] = {}
    for name, why in sorted(only.items()):
        groups.setdefault(why, []).append(name)
    return "; ".join(f"{why}: {', '.join(names)}" for why, names in groups.items()) or None


def check_wanted(wanted: Sequence[str], policy: Collection[str],
                 baseline: Collection[str]) -> None:
    """Refuse ``--indicator`` names neither run records, or none that both do.

    One that only one run records is compared with nothing and named
    (:func:`one_side`); the others are compared.

    Raises:
        PairingError: Naming the indicator (and a close name), or those one run records.
    """
    import difflib

    everything = sorted({*policy, *baseline})
    for w in wanted:
        if w not in everything:
            close = difflib.get_close_matches(w, everything, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PairingError(f"neither run has an indicator {w!r}{hint}; they record "
                               f"{', '.join(everything)}")
    only = one_side(policy, baseline, wanted)
    if len(only) == len(set(wanted)):
        raise PairingError(f"no indicator asked for is recorded by both runs, so there is "
                           f"nothing to compare; {one_side_text(only)}")


def _unpaired(policy: pd.DataFrame, baseline: pd.DataFrame,
              paired: pd.DataFrame) -> dict[str, str]:
    """Indicators with rows left unpaired, and why: absent from one run, or some keys only."""
    if "indicator" not in paired:
        return {}

    def count(df: pd.DataFrame) -> pd.Series:
        vc = df["indicator"].value_counts()  # on the categories when categorical
        vc.index = vc.index.astype(str)
        return vc[vc > 0]

    p, b, both = count(policy), count(baseline), count(paired)
    out: dict[str, str] = {}
    for name in sorted(set(p.index) | set(b.index)):
        if name not in b.index:
            out[name] = POLICY_ONLY
        elif name not in p.index:
            out[name] = BASELINE_ONLY
        elif p[name] + b[name] > 2 * both.get(name, 0):
            out[name] = "some years or economies in one run only"
    return out


def _pair(
    policy: pd.DataFrame, baseline: pd.DataFrame, by: list[str]
) -> tuple[pd.DataFrame, int, _Layout]:
    """Join on (run, keys): paired rows sorted by keys then run, unpaired count, layout.

    The layout says where each row goes in the keys x runs table (:func:`summarise`).

    Each row gets one integer per (keys, run), numbered in the sort order of the
    two sides' values together; the pairs are the integers both sides hold, taken
    in increasing order, the order of ``sort_values([*by, "run"])``. No join and no
    sort of the table: several times faster than a pandas outer merge on four key
    columns, with the same result.

    Raises:
        PairingError: A side reports a (run, keys) more than once.
    """
    cols = [*by, "run"]
    p_code = np.zeros(len(policy), dtype=np.int64)
    b_code = np.zeros(len(baseline), dtype=np.int64)
    levels: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # column: (sorted values, p codes)
    size = 1
    for c in cols:
        cp, cb, uniques = _sorted_codes(policy[c], baseline[c])
        size *= max(len(uniques), 1)
        if size >= 2**62:  # years x economies x indicators x runs: far below
            raise PairingError(f"too many distinct (keys, run) to pair at column {c!r}")
        p_code = p_code * len(uniques) + cp
        b_code = b_code * len(uniques) + cb
        levels[c] = (uniques, cp)
    # Sort both sides' codes (stable: repeats stay in row order), refuse repeats, and
    # find each policy code among the baseline's: the hits come out in key order.
    p_order = np.argsort(p_code, kind="stable")
    b_order = np.argsort(b_code, kind="stable")
    p_sorted, b_sorted = p_code[p_order], b_code[b_order]
    _refuse_duplicates("policy", policy, by, p_order, p_sorted)
    _refuse_duplicates("baseline", baseline, by, b_order, b_sorted)
    at = np.minimum(np.searchsorted(b_sorted, p_sorted), max(len(b_sorted) - 1, 0))
    hit = (b_sorted[at] == p_sorted) if len(b_sorted) else np.zeros(len(p_sorted), bool)
    ip, ib = p_order[hit], b_order[at[hit]]
    out = pd.DataFrame({c: _column(policy[c], *levels[c], ip) for c in ["run", *by]})
    out["policy"] = policy["value"].to_numpy(dtype=float)[ip]
    out["baseline"] = baseline["value"].to_numpy(dtype=float)[ib]
    out["diff"] = out["policy"] - out["baseline"]
    # run is the last digit of the code: the rest numbers the key, in key order
    n_runs = max(len(levels["run"][0]), 1)
    codes = p_sorted[hit]
    return out, len(policy) + len(baseline) - 2 * len(ip), _Layout(codes // n_runs,
                                                                     codes % n_runs)


@dataclass(frozen=True)
class _Layout:
    """Where :func:`_pair`'s rows go in the keys x runs table: one code per row each."""

    key: np.ndarray  # nondecreasing: rows are sorted by keys
    run: np.ndarray


def _sorted_codes(p: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of both sides' values in the sorted order of their union, and that union.

    Categorical columns go through their (few) categories, not their millions of rows.
    """
    if isinstance(p.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype):
        cats_p = np.asarray(p.cat.categories, dtype=object)
        cats_b = np.asarray(b.cat.categories, dtype=object)
        uniques = np.array(sorted(set(cats_p) | set(cats_b)), dtype=object)
        codes = []
        for s, cats in ((p, cats_p), (b, cats_b)):
            raw = s.cat.codes.to_numpy()
            if (raw < 0).any():
                raise PairingError(f"key column {s.name!r} has missing values")
            lut = np.searchsorted(uniques, cats) if len(cats) else np.zeros(0, dtype=np.intp)
            codes.append(lut[raw].astype(np.int64))
        return codes[0], codes[1], uniques
    vp, vb = p.to_numpy(), b.to_numpy()
    both = (np.concatenate([vp, vb]) if vp.dtype == vb.dtype and vp.dtype != object
            else np.concatenate([vp.astype(object), vb.astype(object)]))
    codes, uniques = pd.factorize(both, sort=True)
    if (codes < 0).any():
        raise PairingError(f"key column {p.name!r} has missing values")
    return codes[: len(vp)].astype(np.int64), codes[len(vp):].astype(np.int64), uniques


def _column(s: pd.Series, uniques: np.ndarray, codes: np.ndarray, rows: np.ndarray) -> Any:
    """The paired rows' values of a policy key column, as a merge would give them.

    Categorical keys come back as strings (what ``to_numpy`` of a merged column
    gives), built in Arrow from the few categories instead of from a million
    Python strings.
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return s.to_numpy()[rows]
    # The dtype pandas gives Python strings: str (Arrow-backed) in pandas 3, object before.
    inferred = pd.Series(uniques[:1]).dtype
    if inferred == np.dtype(object):
        return uniques[codes[rows]]
    import pyarrow as pa
    import pyarrow.compute as pc

    taken = pc.take(pa.array(list(uniques), pa.string()), pa.array(codes[rows]))
    return pd.array(taken, dtype=inferred)


def check_pairable(policy_manifest: dict, baseline_manifest: dict) -> None:
    """Raise :class:`PairingError` unless two runs can be compared run by run.

    Pairing needs the same seed (run r then shares its random numbers in both)
    and the same number of replications, and both runs finished. Warns when their data
    versions or network tables differ, and when their code does or cannot be told
    (:func:`code_note`).
    """
    for name, m in (("policy", policy_manifest), ("baseline", baseline_manifest)):
        if m.get("status") != "complete":
            raise PairingError(
                f"the {name} run has status {m.get('status')!r}, not 'complete': "
                "finish (resume) it before comparing"
            )
    # Every difference at once, said as the options to re-run with: one at a time sent
    # the user back a second time when both differed.
    differ = [k for k in ("seed", "replications")
              if policy_manifest.get(k) != baseline_manifest.get(k)]
    if differ:
        def options(m: dict) -> str:
            return " ".join(f"--{k} {m.get(k)}" for k in differ)

        said = " and ".join(f"{k} ({policy_manifest.get(k)} vs {baseline_manifest.get(k)})"
                            for k in differ)
        name_p = policy_manifest.get("scenario", "the policy")
        name_b = baseline_manifest.get("scenario", "the baseline")
        raise PairingError(
            f"policy and baseline have different {said}. Runs are paired by "
            "index with common random numbers: run r of both must use the same seed and "
            "the same replications, so the difference is the policy and not noise. "
            f"Re-run the policy ({name_p}) with {options(baseline_manifest)} (or the "
            f"baseline ({name_b}) with {options(policy_manifest)})."
        )
    for key, what in (("data_version", "data versions"),
                      ("network_version", "network tables")):
        # Runs made before network tables were recorded have no key: nothing to compare.
        if key == "network_version" and not (policy_manifest.get(key)
                                             and baseline_manifest.get(key)):
            continue
        if policy_manifest.get(key) != baseline_manifest.get(key):
            warnings.warn(
                f"policy and baseline used different {what} "
                f"({policy_manifest.get(key)} vs {baseline_manifest.get(key)}); "
                "differences mix the policy with the data change",
                ScosimWarning,
                stacklevel=3,
            )
    if note := code_note(policy_manifest, baseline_manifest):
        warnings.warn(note, ScosimWarning, stacklevel=3)


def code_note(policy_manifest: dict, baseline_manifest: dict) -> str | None:
    """Why two runs' code may differ (another version or source hash), or None.

    ``package_version`` stays the same from one commit to the next, so a change to the
    model shows in ``code_version`` (the hash of the package's source and tables,
    :func:`scosim.experiments.versions.code_version`) only. A manifest written before
    that field existed cannot tell: said once, for the side(s) without it.
    """
    differ = [f"{what} ({policy_manifest.get(key)} vs {baseline_manifest.get(key)})"
              for key, what in (("package_version", "scosim versions"),
                                ("code_version", "code"))
              if policy_manifest.get(key) and baseline_manifest.get(key)
              and policy_manifest.get(key) != baseline_manifest.get(key)]
    if differ:
        return (f"policy and baseline were made with different {' and '.join(differ)}; "
                "differences mix the policy with the code change")
    unknown = [name for name, m in (("policy", policy_manifest),
                                    ("baseline", baseline_manifest))
               if not m.get("code_version")]
    if unknown:
        sides = "both runs" if len(unknown) == 2 else f"the {unknown[0]} run"
        return (f"the code version of {sides} is unknown (its manifest predates "
                "code_version), so whether both runs were made with the same scosim code "
                "cannot be checked")
    return None


def _check_common_years(pm: dict, bm: dict) -> None:
    """Refuse two runs whose years do not overlap, or do not start in the same year.

    A run draws its random numbers year after year from its start (``scosim.model.rng``:
    one stream per run and mechanism), so run r's draws line up year by year in two runs
    only from a common start; two runs that end in different years still pair over the
    years both simulate.
    """
    yp, yb = pm.get("years"), bm.get("years")
    if not (isinstance(yp, list) and isinstance(yb, list) and len(yp) == len(yb) == 2):
        return  # older manifests: the tables decide
    if max(yp[0], yb[0]) > min(yp[1], yb[1]):
        raise PairingError(
            f"policy ({yp[0]}-{yp[1]}) and baseline ({yb[0]}-{yb[1]}) simulate no common "
            "year; compare runs whose years overlap"
        )
    if yp[0] != yb[0]:
        # Paired differences would mix in noise (and a later start in a state that has
        # not evolved): a baseline against itself read as a "significant" difference.
        raise PairingError(
            f"policy ({yp[0]}-{yp[1]}) and baseline ({yb[0]}-{yb[1]}) start in different "
            "years: run r draws its random numbers year after year from its start, so the "
            "runs pair only from a common start year; re-run one with "
            f"--set years.start={yb[0]} (or the other with years.start={yp[0]})"
        )
