"""Package, code and calibration data versions, and the check that keeps runs from mixing them.

Every batch of a run carries the client's :func:`versions`; a worker with others
refuses it (:func:`check_versions`), and a Dask cluster is asked before the first batch
(:func:`scosim.experiments.dask_run.refuse_other_versions`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from scosim import __version__


class VersionMismatch(RuntimeError):
    """A worker runs another scosim or data version than the client: never mix them."""


def versions() -> dict[str, str]:
    """This process's package, code and calibration data versions (checked by workers).

    ``code`` is :func:`code_version`, the hash of scosim's source and packaged tables.

    The data version is the calibration's version string, which names the tables by a
    hash of their contents *when they were built*. A table edited since (a worker whose
    copy of ``countries.csv`` was changed by hand) would keep that string and mix other
    numbers into a run unseen, so the files are checked against the hashes the tables'
    ``manifest.json`` records and an edited one is named in the version, with its hash.
    """
    from scosim.data import load_calibration

    cal = load_calibration()
    return {"package": __version__, "data": str(cal.version) + _edited_tables(cal.data_version),
            "network": network_tables_version(), "code": code_version()}


#: The package's files :func:`code_version` hashes, relative to the package: its Python
#: source and the tables ``pyproject.toml`` ships as package data (what a wheel holds).
CODE_FILES: tuple[str, ...] = (
    "**/*.py",
    "data/tables/*/*.csv",
    "data/tables/*/*.json",
    "security/tables/*.csv",
    "finance/tables/*.csv",
    "network/tables/*.csv",
)


@lru_cache(maxsize=1)
def code_version() -> str:
    """``"sha256 <12 hex>"`` of scosim's own code and packaged tables, as this process found them.

    ``__version__`` stays the same from one commit to the next, so runs made before and
    after a change to the model carried the same version; this hash tells them apart.
    Over the files of :data:`CODE_FILES`, sorted by their path relative to the package,
    each hashed as that path and its bytes with CRLF read as LF: the same code gives the
    same hash on every machine (a wheel or an editable install, a Windows checkout), with
    no absolute paths or modification times. Computed once per process (about 15-25 ms
    for some 250 files, 4 MB, on a busy 2-core machine) and only by commands that run or
    compare (``scosim --version``, ``validate`` and ``list`` never call it).
    """
    import scosim

    return tree_hash(Path(scosim.__file__).parent)


def tree_hash(root: Path) -> str:
    """``"sha256 <12 hex>"`` of the :data:`CODE_FILES` under ``root`` (:func:`code_version`)."""
    import hashlib

    files = sorted({p for pattern in CODE_FILES for p in root.glob(pattern)
                    if "__pycache__" not in p.parts})
    h = hashlib.sha256()
    for path in files:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return f"sha256 {h.hexdigest()[:12]}"


@lru_cache(maxsize=1)
def network_tables_version() -> str:
    """``"sha256 <12 hex>"`` of the packaged network tables (``scosim/network/tables``).

    They are not part of the calibration's data version, yet they move corridor figures
    and the security mechanism's insecurity scale (it reads ``params.csv``): their hash is
    recorded and matched like the data version.
    """
    import hashlib

    from scosim.network.tables import TABLES_DIR

    h = hashlib.sha256()
    for path in sorted(Path(TABLES_DIR).glob("*.csv")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"sha256 {h.hexdigest()[:12]}"


def _edited_tables(data_version: str) -> str:
    """What to add to the data version for calibration tables edited since they were built.

    ``""``, or ``", edited: <file> (sha256 <prefix>), ..."`` naming each table of
    ``scosim/data/tables/<version>/`` whose bytes differ from its ``manifest.json`` hash.
    """
    from scosim.data import calibration

    return _edited_in(str(calibration.TABLES_DIR / data_version))


@lru_cache(maxsize=4)
def _edited_in(directory: str) -> str:
    # Cached per process: the calibration itself is read once per process too. Hashing
    # the eight tables (about 0.4 MB) takes about a millisecond.
    import hashlib
    import json

    folder = Path(directory)
    try:
        recorded = json.loads((folder / "manifest.json").read_text()).get("tables_sha256", {})
    except (OSError, ValueError):
        return ""  # loading the calibration reports a missing or broken manifest
    edited = []
    for name, want in sorted(recorded.items()):
        try:
            got = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        except OSError:
            got = "missing"
        if got != want:
            edited.append(f"{name} (sha256 {got[:12]})")
    return f", edited: {', '.join(edited)}" if edited else ""


PLUGINS = "plugins"
"""Key of the scenario's plug-in versions in a batch's versions (:func:`plugin_versions`)."""


def plugin_record(scenario: Any) -> dict[str, dict[str, Any]]:
    """The plug-ins a scenario uses that scosim does not ship, each with its code's hash.

    The manifest's ``plugin_record`` (:mod:`scosim.plugin_record`): ``{what: {"kind",
    "name", ["hook",] "origin", "distribution", "version", "module_hash"}}``, where
    ``what`` is ``"proposal type <name>"``, ``"mechanism <name>"``, ``"rule
    <hook>:<spec>"`` or ``"decision rule <name>"``; empty when it uses only built-in
    ones. The origin names an entry
    point's distribution and version, and the hash of the module file that defines the
    plug-in catches what a version does not (an editable install, or a module given by
    dotted path, edited on one machine and not another).
    """
    from scosim.model.decision_rules import decision_rule_origin, get_decision_rule
    from scosim.model.slots import filled, get_mechanism, mechanism_origin
    from scosim.plugin_record import record_entry
    from scosim.plugins import PluginError, decision_rule_names, rule_specs
    from scosim.proposals import get_type, type_origin
    from scosim.rules.registry import resolve_rule, rule_origin

    used: list[tuple[str, str, str, Any, str | None]] = [
        ("proposal type", p.type, type_origin(p.type), get_type(p.type), None)
        for p in scenario.proposals]
    for _, name in filled(scenario.parameters.mechanisms):
        if name:
            # By its registered name: a worker reads the resolved scenario, which may
            # name it by its dotted path instead (scosim.model.slots.mechanism_reference).
            cls = get_mechanism(name)
            reg = getattr(cls, "name", name)
            try:
                used.append(("mechanism", reg, mechanism_origin(reg), cls, None))
            except PluginError:  # known by its dotted path only, on every side
                used.append(("mechanism", name, mechanism_origin(name), cls, None))
    used += [("rule", spec, rule_origin(hook, spec), resolve_rule(hook, spec), hook)
             for hook, spec in rule_specs(scenario)]
    # A package's Council decision rule decides the proposals as much as its types do:
    # before 2026-12-06 a run (or sweep) decided by one recorded no plug-in at all.
    used += [("decision rule", name, decision_rule_origin(name), get_decision_rule(name), None)
             for name in decision_rule_names(scenario)]
    return {(f"rule {hook}:{name}" if kind == "rule" else f"{kind} {name}"):
            record_entry(kind, name, origin, _module_hash(obj), hook)
            for kind, name, origin, obj, hook in sorted(used, key=lambda u: u[:3])
            if origin != "builtin"}


def plugin_versions(scenario: Any) -> str:
    """:func:`plugin_record` as the one string every check compares.

    ``""`` when the scenario uses only built-in plug-ins; otherwise ``"<what>: <origin>,
    <module> sha256 <prefix>; ..."``, sorted (:func:`scosim.plugin_record.plugins_key`).
    """
    from scosim.plugin_record import plugins_key

    return plugins_key(plugin_record(scenario))


def scenario_versions(scenario: Any) -> dict[str, str]:
    """What a worker must match to run this scenario's batches.

    :func:`versions`, and the scenario's non-built-in plug-ins under :data:`PLUGINS`
    when it uses any (:func:`plugin_versions`).
    """
    out = versions()
    plugins = plugin_versions(scenario)
    if plugins:
        out[PLUGINS] = plugins
    return out


#: The hash of each plug-in's code as this process loaded it: (module file, id of the
#: plug-in object) -> digest. Hashed once, the first time it is asked for (right after the
#: scenario imported it), so a process that keeps older code in memory (a Dask worker kept
#: running, a notebook) reports that code, not a file edited since.
_LOADED: dict[tuple[str, int], str] = {}


def _imports(name: str, path: str) -> set[str]:
    """The modules a module's source imports (relative imports resolved against it)."""
    import ast

    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return set()
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([p for p in parts if p] + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def _plugin_files(name: str, path: str) -> tuple[Path, list[Path]]:
    """The files of a plug-in's code this process has loaded, and their common root.

    The module that defines it, and the loaded modules it imports from its own package
    (its own directory, for a module outside any package), and theirs in turn: an edit
    to a helper module changes the plug-in's numbers as much as one to the module.
    """
    import sys

    top = sys.modules.get(name.split(".")[0])
    pkg = list(getattr(top, "__path__", []) or [])
    root = (Path(pkg[0]) if pkg and "." in name else Path(path).parent).resolve()
    files = {name: Path(path)}
    installed = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix}]
    if not ("." in name and pkg) and any(root.is_relative_to(p) for p in installed):
        return root, [Path(path)]  # a single-file distribution: its neighbours are others'
    todo = [name]
    while todo:
        mod = todo.pop()
        for imported in _imports(mod, str(files[mod])):
            f = getattr(sys.modules.get(imported), "__file__", None)
            if (imported not in files and f and f.endswith(".py")
                    and Path(f).resolve().is_relative_to(root)):
                files[imported] = Path(f)
                todo.append(imported)
    return root, [files[name]] + sorted(f for m, f in files.items() if m != name)


def _module_hash(obj: Any) -> str:
    import hashlib
    import sys

    name = getattr(obj, "__module__", "?")
    path = getattr(sys.modules.get(name), "__file__", None)
    if not path:
        return f"{name} (no file)"
    key = (path, id(obj))
    if key not in _LOADED:
        root, files = _plugin_files(name, path)
        try:
            if len(files) == 1:
                digest = hashlib.sha256(files[0].read_bytes()).hexdigest()[:12]
            else:
                h = hashlib.sha256()
                for f in files:
                    h.update(f.resolve().relative_to(root.resolve()).as_posix().encode())
                    h.update(b"\0" + f.read_bytes())
                digest = h.hexdigest()[:12]
        except (OSError, ValueError):
            return f"{name} (unreadable)"
        _LOADED[key] = digest
    return f"{name} sha256 {_LOADED[key]}"


def check_plugins(expected: Mapping[str, str], scenario: Any) -> None:
    """Refuse a batch whose scenario's plug-ins differ here from the client's.

    Raises:
        VersionMismatch: Naming both and what to do.
    """
    from scosim.plugin_record import plugins_key

    want = expected.get(PLUGINS)
    if want is None:
        return
    got = plugin_versions(scenario)
    if plugins_key(got) != plugins_key(want):
        raise _refused(
            f"the scenario's plug-ins are {got or 'built in only'!r} here, {want!r} on the "
            "client. To fix: install the same plug-in versions (and the same files of "
            "plug-ins given by dotted path) on every worker as on the client; a worker "
            "or Python session that loaded a plug-in before it was edited keeps the old "
            "code until it is restarted")


def check_versions(expected: Mapping[str, str]) -> None:
    """Refuse to run a batch when this process's versions differ from the client's.

    Raises:
        VersionMismatch: Naming both versions and the host.
    """
    if not expected:
        return
    differs = version_difference(expected, versions())
    if differs:
        raise _refused(differs)


def _refused(why: str) -> VersionMismatch:
    """A worker's refusal of a batch, naming its host and process."""
    import socket

    return VersionMismatch(
        f"worker on {socket.gethostname()} (pid {os.getpid()}) refuses the batch: {why}")


def version_difference(
    client: Mapping[str, str], worker: Mapping[str, str], here: str = "here"
) -> str:
    """What differs between the client's and a worker's :func:`versions`, and what to do.

    Empty when the worker has every version the client names. ``here`` says where the
    worker's versions are (``"here"`` in the worker itself, ``"on the worker"`` elsewhere).
    """
    # The scenario's plug-ins are checked once it is loaded (check_plugins).
    wrong = {k: (v, worker.get(k)) for k, v in client.items()
             if k != PLUGINS and worker.get(k) != v}
    if not wrong:
        return ""
    said = "; ".join(f"{k} version {got!r} {here}, {want!r} on the client"
                     for k, (want, got) in wrong.items())
    hints = []
    if "package" in wrong or "code" in wrong:
        # Same package version, other code: an editable install edited on one side.
        hints.append("install the same scosim on every worker as on the client (the "
                     "same source files: an edited checkout changes the code version)")
    if "data" in wrong:
        from scosim.data.calibration import VERSION_ENV

        want, got = (str(v or "") for v in wrong["data"])
        if want.split(", edited: ")[0] != got.split(", edited: ")[0]:
            hints.append(f"install the same data on every worker as on the client, and give "
                         f"every worker the client's ${VERSION_ENV}")
        if ", edited: " in want + got:
            hints.append("restore the edited calibration tables (or rebuild them the same "
                         "everywhere: python tools/build_calibration.py)")
    if not hints:
        hints.append("install the same scosim and data on every worker as on the client")
    return f"{said}. To fix: {'; '.join(hints)}"
