"""What a comparison records of the two runs it compared: plug-ins and a small manifest.

Two runs of one scenario made with different plug-in code (an editable install edited
between them, another version) give different numbers under the same name. The compare
report's Provenance table therefore names each run's plug-ins, their distribution and
version and the hash of their code (:func:`plugin_rows`), and the compare directory gets
``provenance.json`` (:func:`write_compare_manifest`): which runs were compared, with
their versions and plug-ins, so the report can be traced without opening both runs.
Named ``provenance.json``, not ``manifest.json``: a compare directory under the results
root must not be listed as a run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scosim.plugin_record import RECORD_KEY, STRING_KEY, plugin_lines, plugins_hash

#: The compare directory's record of what it compared.
COMPARE_MANIFEST = "provenance.json"

#: Fields of each run's manifest copied into :data:`COMPARE_MANIFEST`.
_RUN_FIELDS = ("scenario", "run_id", "scenario_file", "scenario_hash", "seed",
               "replications", "overrides", "package_version", "code_version",
               "data_version", "network_version", "finished", STRING_KEY, RECORD_KEY)


def plugin_rows(policy: Mapping[str, Any], baseline: Mapping[str, Any]) -> list[list[str]]:
    """Rows ``[field, policy, baseline]`` of the report's Provenance table for plug-ins.

    ``plugins``: each plug-in with its distribution and version (or where it came from)
    and its code's hash, one per line of the cell (``; ``-separated); ``plugins_hash``:
    a short hash of them all (:func:`scosim.plugin_record.plugins_hash`), equal for two
    runs exactly when their plug-ins' code is. "built in only" for a run without any.
    """
    def listed(m: Mapping[str, Any]) -> str:
        return "; ".join(plugin_lines(m)) or "built in only"

    return [["plugins", listed(policy), listed(baseline)],
            ["plugins_hash", plugins_hash(policy) or "–", plugins_hash(baseline) or "–"]]


def compare_manifest(policy: Mapping[str, Any], baseline: Mapping[str, Any], *,
                     policy_dir: Path | None, baseline_dir: Path | None,
                     level: float, method: str, year: int | None) -> dict[str, Any]:
    """What :data:`COMPARE_MANIFEST` holds.

    Returns:
        ``{"written", "level", "method", "year", "policy": {...}, "baseline": {...}}``, each
        side its run's directory, :data:`_RUN_FIELDS` from its manifest and its
        ``plugins_hash``; ``same_plugins``: whether both ran the same plug-in code.
    """
    def side(m: Mapping[str, Any], where: Path | None) -> dict[str, Any]:
        out = {"path": str(where) if where is not None else None}
        out.update({k: m.get(k) for k in _RUN_FIELDS if k in m})
        out["plugins_hash"] = plugins_hash(m)
        return out

    p, b = side(policy, policy_dir), side(baseline, baseline_dir)
    return {"written": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "level": level, "method": str(method), "year": year,
            "policy": p, "baseline": b,
            "same_plugins": p["plugins_hash"] == b["plugins_hash"]}


def write_compare_manifest(out_dir: str | Path, policy: Mapping[str, Any],
                           baseline: Mapping[str, Any], **kw: Any) -> Path:
    """Write :func:`compare_manifest` to ``out_dir``/:data:`COMPARE_MANIFEST`; its path."""
    path = Path(out_dir) / COMPARE_MANIFEST
    path.write_text(json.dumps(compare_manifest(policy, baseline, **kw), indent=2,
                               default=str) + "\n", encoding="utf-8")
    return path
