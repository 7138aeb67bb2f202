"""What two compared runs were set up with besides their policies, said where it matters.

A paired difference isolates the policy only if both runs simulate the same economies:
the same trade elasticities, deficits, baseline and growth. ``scosim compare`` refused
different seeds and warned of different data, but paired a policy run at ``sigma = 4``
with a baseline at ``sigma = 8`` without a word, and said that a run was changed with
``--set`` only in report.md. The decision rules, the mechanisms and the proposals are
the policy and differ on purpose (``customs_union.yaml`` votes by its own rule); only
the economy's parameters are checked here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Sections of a resolved scenario that describe the simulated economies, not the policy.
ECONOMY_SECTIONS: tuple[str, ...] = ("parameters.trade", "parameters.growth")
#: Differences named in a note before "and N more".
_SHOWN = 4


def _flat(node: Any, prefix: str) -> dict[str, Any]:
    """Leaves of a nested mapping as ``{"a.b.c": value}``."""
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in node.items():
        out.update(_flat(value, f"{prefix}.{key}"))
    return out


def _section(scenario: dict[str, Any], dotted: str) -> Any:
    node: Any = scenario
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _resolved(run_dir: Path) -> dict[str, Any] | None:
    """The run's resolved scenario (``scenario.yaml``), or None if it has none."""
    path = Path(run_dir) / "scenario.yaml"
    if not path.is_file():
        return None  # a run written by hand or by an old version: nothing to check
    import yaml

    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None


def economy_differences(policy_dir: Path | None, baseline_dir: Path | None) -> list[str]:
    """The economy's parameters that differ between two runs, as ``path: policy vs baseline``.

    Args:
        policy_dir: The policy run's directory (None: nothing to read).
        baseline_dir: The baseline run's directory (None: nothing to read).

    Returns:
        One entry per differing leaf of :data:`ECONOMY_SECTIONS`, sorted; empty when
        they agree or a run has no resolved scenario.
    """
    if policy_dir is None or baseline_dir is None:
        return []  # tables compared in memory: no scenarios to read
    pol, base = _resolved(policy_dir), _resolved(baseline_dir)
    if pol is None or base is None:
        return []
    out = []
    for dotted in ECONOMY_SECTIONS:
        p, b = _flat(_section(pol, dotted), dotted), _flat(_section(base, dotted), dotted)
        for key in sorted(set(p) | set(b)):
            if p.get(key) != b.get(key):
                out.append(f"{key}: {json.dumps(p.get(key), default=str)} vs "
                           f"{json.dumps(b.get(key), default=str)}")
    return out


def economy_note(policy_dir: Path | None, baseline_dir: Path | None) -> str | None:
    """A sentence saying the runs simulate different economies, or None if they do not."""
    diffs = economy_differences(policy_dir, baseline_dir)
    if not diffs:
        return None
    more = f" and {len(diffs) - _SHOWN} more" if len(diffs) > _SHOWN else ""
    return (
        "policy and baseline simulate different economies ("
        + "; ".join(diffs[:_SHOWN]) + more + ", policy vs baseline): their differences "
        "mix the policy with these settings. Run both with the same settings to isolate "
        "the policy"
    )


def overrides_note(policy_manifest: dict, baseline_manifest: dict) -> str | None:
    """The ``--set`` changes either run was made with, as a sentence; None if none."""
    from scosim.run_catalogue import format_overrides

    changed = [
        f"the {role} run was changed with --set {format_overrides(m.get('overrides'))}"
        for role, m in (("policy", policy_manifest), ("baseline", baseline_manifest))
        if m.get("overrides")
    ]
    return "; ".join(changed) if changed else None
