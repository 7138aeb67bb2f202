"""The run catalogue: every run under a results root, and finding one by name or id.

Also finding the finished run that running a scenario again would repeat
(:func:`ensemble_key`, :func:`find_finished`).

Split from :mod:`scosim.results`; every name here is also importable from there.
No pandas at import: ``scosim list`` uses :func:`catalogue_rows` and must start fast.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scosim.errors import ScosimWarning
from scosim.plugin_record import plugins_label
from scosim.results import MANIFEST, PARTIAL_PREFIX, VERSION_KEYS, is_locked, version_value

if TYPE_CHECKING:
    import pandas as pd


def catalogue(root: str | Path = "results") -> pd.DataFrame:
    """Every run under ``root``: finished ones and interrupted (resumable) ones.

    Returns:
        One row per run: scenario, run_id, status, scenario_hash, seed,
        replications, overrides, plugins, started, finished, path.
    """
    import pandas as pd

    return pd.DataFrame(catalogue_rows(root), columns=list(CATALOGUE_COLUMNS))


#: Columns of :func:`catalogue`.
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "run_id",
    "status",
    "scenario_hash",
    "seed",
    "replications",
    "overrides",
    "plugins",
    "started",
    "finished",
    "path",
)


def catalogue_rows(root: str | Path = "results") -> list[dict[str, Any]]:
    """The rows of :func:`catalogue` as dicts (no pandas: ``scosim list`` uses this)."""
    rows = []
    for mf in sorted(Path(root).glob(f"*/*/{MANIFEST}")):
        try:
            m = json.loads(mf.read_text())
        except (OSError, json.JSONDecodeError):
            m = None
        if isinstance(m, dict):
            status = m.get("status", "?")
        else:  # not JSON, or JSON that is not an object ([], null)
            # Listed, not dropped: a run that vanished from the list was a puzzle.
            m, status = {}, "damaged manifest"
        partial = mf.parent.name.startswith(PARTIAL_PREFIX)
        if partial and m:
            status = "running" if is_locked(mf.parent) else "interrupted"
        rows.append(catalogue_row(
            m, scenario=mf.parent.parent.name, run_id=mf.parent.name, status=status,
            path=str(mf.parent),
        ))
    return rows


def catalogue_row(
    manifest: dict[str, Any], *, scenario: str, run_id: str, status: str, path: str
) -> dict[str, Any]:
    """One row of :func:`catalogue` from a run's manifest (names from its location as fallback)."""
    m = manifest
    return {
        "scenario": m.get("scenario", scenario),
        "run_id": m.get("run_id", run_id),
        "status": status,
        "scenario_hash": str(m.get("scenario_hash", ""))[:12],
        "seed": m.get("seed"),
        "replications": m.get("replications"),
        # A run made before output settings were recorded apart kept them here.
        "overrides": format_overrides(model_overrides(m.get("overrides"))),
        # Distributions, versions and a hash of the plug-ins' code: runs of one scenario
        # made with edited plug-in code look alike otherwise (plugin_record.plugins_label).
        "plugins": plugins_label(m),
        "started": m.get("started", ""),
        "finished": m.get("finished", ""),
        "path": path,
    }


def model_overrides(overrides: Any) -> dict[str, Any]:
    """A manifest's ``overrides`` without those that change only what is written.

    Runs made before 2026-12-06 recorded ``--set outputs...`` among their overrides
    (:func:`writes_only`); empty for anything but a mapping.
    """
    if not isinstance(overrides, dict):
        return {}
    return {k: v for k, v in overrides.items() if not writes_only(str(k))}


def format_overrides(overrides: Any) -> str:
    """``{"a.b": 1}`` as ``a.b=1`` (comma-separated); empty when there are none."""
    if not overrides or not isinstance(overrides, dict):
        return ""
    return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in overrides.items())


def _not_a_run(path: Path) -> None:
    """Refuse an existing path that is not a run, saying what it is.

    Called when ``path`` names no run in the catalogue either (a folder may share a
    scenario's name). Without it, a scenario's folder or a stray file was reported as
    "no finished run 'results/x' under results/" (and by compare, given twice, as
    "the same run").

    Raises:
        ValueError: ``path`` exists and holds no ``manifest.json``.
    """
    if not path.exists() or (path / MANIFEST).is_file():
        return  # a run, or a run id / scenario name for the catalogue
    if not path.is_dir():
        raise ValueError(f"{path} is a file, not a run directory; give a run directory, a "
                         "run id or a scenario name (`scosim list` shows them)")
    runs = sorted(p.name for p in path.iterdir() if (p / MANIFEST).is_file())
    inside = (f"; it holds {len(runs)} run(s), e.g. {path / runs[-1]}" if runs else "")
    raise ValueError(f"{path} is a directory but not a run (it has no {MANIFEST}){inside}")


class AmbiguousRun(ValueError):
    """A scenario name whose finished runs (without ``--set``) simulate different scenarios."""


class NoSuchRun(FileNotFoundError):
    """No finished run by that directory, run id or scenario name (:func:`resolve_run`).

    Attributes:
        ref: What was given.
        root: The results root it was looked for under.
    """

    def __init__(self, message: str, ref: str, root: Path) -> None:
        super().__init__(message)
        self.ref, self.root = ref, root


#: Top-level fields of a resolved scenario that do not make it another scenario: runs
#: of one file with other seeds or replications (``scosim compare`` then pairs them or
#: says which to re-run), prose, and what a run writes (``outputs``: which indicators,
#: plots, bilateral tables, summary), which does not change a number of the model.
_NOT_THE_SCENARIO = ("seed", "replications", "description", "outputs")

def writes_only(key: str) -> bool:
    """Whether an override (``--set`` path) changes only what a run writes, no number.

    ``outputs`` and ``outputs.<field>`` (which indicators, plots, bilateral tables, what
    ``summary.csv`` holds), left out of a scenario's identity (:data:`_NOT_THE_SCENARIO`).
    A run records them apart from its overrides (``output_settings`` in its manifest),
    so ``--set outputs.summary=all`` does not mark it as changed in ``scosim list``, its
    heading or ``compare``, and its scenario's name still finds it.
    """
    return key == "outputs" or key.startswith("outputs.")


#: How to pick one run of an ambiguous name, for ``scosim compare`` (a YAML file is
#: run, or its finished run reused) and for ``scosim show`` (a finished run only).
CHOOSE_FOR_COMPARE = (
    "Give the run directory (or its run id) instead of the name, or the scenario "
    "YAML file, whose finished run with the same seed and replications is reused "
    "(for the policy, add the run's --seed and --replications)")
CHOOSE_FOR_SHOW = (
    "Give the run directory (or its run id) instead of the name; `scosim list` shows "
    "every run")


def scenario_identity(run_dir: Path, manifest: dict[str, Any]) -> str:
    """What a run simulated, up to its seed and replications: a hash of its scenario.yaml.

    Left out of the hash: :data:`_NOT_THE_SCENARIO` (seed, replications, description,
    outputs), so runs of one file whose ``outputs:`` was edited between them are one.

    Two files that resolve to the same scenario give the same identity wherever they
    are (a copy, another working directory): their runs give the same numbers. The
    ``scenario_hash`` of the manifest (seed and replications included) stands in when
    ``scenario.yaml`` cannot be read.
    """
    import hashlib

    import yaml

    try:
        data = yaml.safe_load((run_dir / "scenario.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None
    if not isinstance(data, dict):
        return f"scenario_hash {manifest.get('scenario_hash', run_dir)}"
    kept = {k: v for k, v in data.items() if k not in _NOT_THE_SCENARIO}
    text = json.dumps(kept, sort_keys=True, default=str)
    return f"sha256 {hashlib.sha256(text.encode()).hexdigest()}"


def _oldest_first(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` by start time, then by when each run's manifest was last written.

    ``started`` has whole seconds: two quick runs tied, and the order fell to their
    directory names' hashes.
    """

    def written(path: str) -> int:
        try:
            return (Path(path) / MANIFEST).stat().st_mtime_ns
        except OSError:
            return 0

    order = rows.assign(_written=[written(p) for p in rows["path"]])
    return order.sort_values(["started", "_written"], kind="stable").drop(columns="_written")


def _refuse_ambiguous(name: str, rows: pd.DataFrame, root: str | Path,
                      choose: str = CHOOSE_FOR_COMPARE) -> None:
    """Refuse a scenario name whose runs ``rows`` (oldest first) simulate different scenarios.

    The latest run of each is listed (its directory, file, hash and time) with how to
    choose one (``choose``). Runs of one scenario differing only by seed, replications,
    description or outputs are one.

    Raises:
        AmbiguousRun: More than one scenario among ``rows``.
    """
    latest: dict[str, tuple[Path, dict[str, Any]]] = {}  # identity -> its latest run
    count: dict[str, int] = {}
    seen: dict[str, str] = {}  # a full scenario_hash -> identity: read each once
    for path in rows["path"]:
        run_dir = Path(path)
        try:
            m = json.loads((run_dir / MANIFEST).read_text())
        except (OSError, json.JSONDecodeError):
            m = {}
        key = str(m.get("scenario_hash", ""))
        identity = seen.get(key) or scenario_identity(run_dir, m)
        if key:
            seen[key] = identity
        latest[identity] = (run_dir, m)
        count[identity] = count.get(identity, 0) + 1
    if len(latest) < 2:
        return
    lines = []
    # ``rows`` are oldest first and ``latest`` keeps that order: newest first is its reverse.
    for identity, (run_dir, m) in reversed(latest.items()):
        more = count[identity] - 1
        lines.append(
            f"  {run_dir}: file {m.get('scenario_file', '?')}, scenario_hash "
            f"{str(m.get('scenario_hash', '?'))[:12]}, finished {m.get('finished', '?')}"
            + (f" (and {more} earlier run(s) of it)" if more else ""))
    raise AmbiguousRun(
        f"{name!r} names {len(latest)} different scenarios under {root}/: its finished runs "
        "without --set differ in their resolved scenario beyond seed, replications and "
        "outputs (two files with the same name:, or a file edited between runs), so the "
        "latest is not taken. The latest run of each, newest first:\n" + "\n".join(lines)
        + "\n" + choose)


def resolve_run(ref: str | Path, root: str | Path = "results", *,
                refuse_ambiguous: bool = False, choose: str = CHOOSE_FOR_COMPARE) -> Path:
    """Find a finished run by path, by run id, or by scenario name.

    A scenario name picks its latest finished run made without ``--set``
    overrides; if every run has overrides, the latest one, with a warning.

    Args:
        ref: A directory, a run id, or a scenario name.
        root: Results root.
        refuse_ambiguous: Refuse a name whose runs without overrides simulate
            different scenarios (files sharing a ``name:``, a file edited between
            runs) instead of taking the latest (``scosim compare``, ``scosim show``).
        choose: What the refusal tells the user to give instead (:data:`CHOOSE_FOR_COMPARE`,
            :data:`CHOOSE_FOR_SHOW`).

    Returns:
        The run directory.

    Raises:
        NoSuchRun: No such run (a FileNotFoundError).
        ValueError: ``ref`` is an existing file or directory that is not a run.
        AmbiguousRun: With ``refuse_ambiguous``, a name of several scenarios.
    """
    p = Path(ref)
    if (p / MANIFEST).is_file():
        return p
    cat = catalogue(root)
    done = cat[cat["status"] == "complete"]
    hit = done[done["run_id"] == str(ref)]
    by_name = hit.empty
    if by_name:
        hit = _oldest_first(done[done["scenario"] == str(ref)])
        plain = hit[hit["overrides"] == ""]
        if not plain.empty:
            # A name means the scenario as written: prefer runs without --set overrides.
            hit = plain
            if refuse_ambiguous:
                _refuse_ambiguous(str(ref), hit, root, choose)
    if hit.empty:
        _not_a_run(p)  # an existing path: say what it is instead
        raise NoSuchRun(
            f"no finished run {str(ref)!r} under {root}/ (give a run directory, a run id "
            "or a scenario name; `scosim list` shows what is there)", str(ref), Path(root))
    row = hit.iloc[-1]
    if by_name and hit["plugins"].nunique() > 1:
        warnings.warn(plugin_code_differs(str(ref), hit), ScosimWarning, stacklevel=2)
    if by_name and row["overrides"]:
        warnings.warn(
            f"{str(ref)!r} names a scenario whose every finished run was changed with --set; "
            f"using the latest, {row['run_id']}, run with {row['overrides']}. Give a run id "
            "to choose, or run the scenario as written",
            ScosimWarning,
            stacklevel=2,
        )
    return Path(row["path"])


def plugin_code_differs(name: str, rows: pd.DataFrame) -> str:
    """What resolving a name says when its runs were made with different plug-in code.

    Args:
        name: The scenario name given.
        rows: Its finished runs considered (oldest first), the last one taken.

    Returns:
        Which run was taken and why, each other plug-in code's latest run, and how to
        choose one.
    """
    row = rows.iloc[-1]
    latest = rows.drop_duplicates("plugins", keep="last")
    others = [f"{r['run_id']} ({r['plugins'] or 'built-in plug-ins only'}, finished "
              f"{r['finished'] or '?'})" for _, r in latest.iloc[::-1].iterrows()
              if r["plugins"] != row["plugins"]]
    return (f"{name!r} names {len(rows)} finished runs made with {len(latest)} different "
            f"plug-in codes; using the latest, {row['run_id']} "
            f"({row['plugins'] or 'built-in plug-ins only'}, finished {row['finished'] or '?'}), "
            "as a name means its latest run. The latest run of each other code: "
            + "; ".join(others) + ". Give a run id or directory to choose (`scosim list` "
            "shows each run's plug-ins)")


def ensemble_key(scenario: Any, expected: dict[str, str]) -> dict[str, Any]:
    """What decides a run's numbers, as its manifest records it.

    The resolved scenario's hash (seed and replications included), the seed, the
    replications, and the versions of scosim (its version and its code's hash), the
    data, the network tables and the
    scenario's plug-ins (``expected``: :func:`scosim.experiments.versions.scenario_versions`
    of it). The same give the same numbers bit for bit, whatever the executor, workers or
    batch size (README); a run adds its batch size to resume an interrupted run.
    """
    from scosim import __version__
    from scosim.experiments.versions import PLUGINS
    from scosim.scenario import scenario_hash

    key = {
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.seed,
        "replications": scenario.replications,
        "data_version": expected["data"],
        "network_version": expected["network"],
        "package_version": __version__,
        # The version string stays the same across commits; the source's hash does not.
        "code_version": expected["code"],
    }
    if expected.get(PLUGINS):
        # A plug-in edited since would give other numbers (its code's hash). Compared as
        # scosim.results.version_value reads it, whether a manifest has the record or not.
        key["plugin_versions"] = expected[PLUGINS]
    return key


def find_finished(root: str | Path, scenario_name: str, key: dict[str, Any]) -> Path | None:
    """The latest complete run of ``scenario_name`` under ``root`` matching ``key``, or None.

    Args:
        root: Results root.
        scenario_name: The scenario's name (its runs are under ``root/<name>/``).
        key: :func:`ensemble_key` of the scenario as it would be run; a run matches when
            its manifest records the same value of each (a scenario without plug-ins
            has no ``plugin_versions`` here and ``""`` in its manifest; plug-ins compared
            by :func:`scosim.results.version_value`, record or string).
    """
    found: list[tuple[str, Path]] = []
    for mf in Path(root, scenario_name).glob(f"*/{MANIFEST}"):
        if mf.parent.name.startswith(PARTIAL_PREFIX):
            continue
        try:
            m = json.loads(mf.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(m, dict) or m.get("status") != "complete":
            continue
        if all(version_value(m, k) == version_value(key, k) for k in VERSION_KEYS) and all(
                m.get(k) == v for k, v in key.items() if k not in VERSION_KEYS):
            found.append((str(m.get("finished", "")), mf.parent))
    return max(found)[1] if found else None
