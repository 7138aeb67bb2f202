"""What a run's welfare answer measures: the whole scenario, or its proposals' own effect.

Every year's welfare change is a GE counterfactual of that year's tariffs and trade costs
against the same year's baseline, with no proposal and no shock (docs/model.md): a
scenario's sanctions, Afghan instability or crisis are in it together with its proposals.
In ``finance_crisis_union.yaml`` the table is the sanctions' effect, the same as in
``finance_crisis.yaml``, which has no union. A scenario whose proposals come with such
shocks gets a heading and figure titles that say so (:func:`scenario_scope`), and the
answer says how to obtain the proposals' own effect (:func:`own_effect_lines`): the same
scenario without its proposals at the same seed and replications, paired run by run with
``scosim compare`` (common random numbers).

What counts as a shock is read from the resolved scenario (:func:`scenario_shocks`):
its events, a filled security slot (its instability path raises trade costs every year),
``parameters.network`` instability, sanctions and closures, and a slot filled by a
mechanism that does not declare itself ``passive`` (:class:`scosim.model.slots.Mechanism`),
whose effect without the proposals cannot be known here. A passive mechanism changes
nothing unless a proposal or an event asks it to: the built-in network and finance
mechanisms (the network with no project, no instability and no closure gives
``t_hat = 1`` exactly; finance acts on the events' shocks), and any plug-in that says so
(a power pool booking only what a proposal saves). Filling its slot is not a shock. What
a mechanism declares is read from the run's manifest first (a plug-in this process cannot
import), else from the registry; one neither knows counts as a shock.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scosim.tty_lines import answer_lines

__all__ = ["own_effect_lines", "run_scope", "run_shocks", "scenario_scope", "scenario_shocks"]

#: Event types as the answer names them.
EVENT_NAMES = {"sanctions": "sanctions", "gdp_shock": "GDP shock",
               "border_clash": "border clash", "trust_shock": "trust shock"}
#: Slots whose mechanism is the model itself (growth path, trade solve), in the baseline too.
MODEL_SLOTS = frozenset({"growth", "trade"})


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _passive(key: str, name: str, recorded: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether the mechanism ``name`` (at ``key``, as the manifest records it) is passive."""
    rec = recorded.get(key)
    if isinstance(rec, Mapping) and rec.get("name") == name and rec.get("passive") is not None:
        return bool(rec["passive"])
    from scosim.model.slots import mechanism_passive
    from scosim.plugins import PluginError

    try:
        return mechanism_passive(name)
    except PluginError:  # not installed here, and the run does not record it
        return False


def scenario_shocks(scenario: Mapping[str, Any],
                    recorded: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    """What besides its proposals moves a scenario away from the baseline.

    Args:
        scenario: A resolved scenario as a plain mapping (a run's ``scenario.yaml``).
        recorded: What the run's manifest records each slot's mechanism declares
            (:func:`scosim.plugin_manifest.recorded_mechanisms`), read before the registry.

    Returns:
        Short phrases (``"sanctions"``, ``"GDP shock"``, ``"the security mechanism's
        instability"``, ``"route instability AFG 0.8"``...), in scenario order; empty
        when the scenario differs from the baseline by its proposals only.
    """
    out: list[str] = []
    for ev in scenario.get("events") or []:
        if isinstance(ev, Mapping) and ev.get("type"):
            out.append(EVENT_NAMES.get(str(ev["type"]), str(ev["type"])))
    from scosim.model.slots import holds, keyed, slot_of

    mechanisms = _get(scenario, "parameters", "mechanisms") or {}
    for key, name in keyed(mechanisms).items():
        slot = slot_of(key)
        # A model slot's first mechanism is the model itself; one listed beside it is not.
        if key in MODEL_SLOTS or _passive(key, str(name), recorded or {}):
            continue
        out.append("the security mechanism's instability" if name == "security"
                   else f"the {slot} mechanism {name}")
    network = _get(scenario, "parameters", "network") or {}
    if holds(mechanisms, "network", "corridor_network"):
        instability = network.get("instability") or {}
        levels = [f"{c} {v}" for c, v in instability.items()
                  if not isinstance(v, (int, float)) or v != 0]
        if levels:
            out.append(f"route instability {', '.join(levels)}")
        for key in ("sanctions", "closures"):
            if network.get(key):
                out.append(f"route {key}")
    return list(dict.fromkeys(out))


def scenario_scope(shocks: list[str], proposals: bool) -> str | None:
    """What the welfare table and figures are, when it is not the proposals' own effect.

    Args:
        shocks: :func:`scenario_shocks` of the scenario.
        proposals: Whether the scenario has proposals.

    Returns:
        ``"the scenario against the baseline: its shocks (<shocks>) and proposals together,
        not the proposals' own effect"`` when both occur; None otherwise (without shocks
        the table is the proposals' effect; without proposals there is nothing to mistake).
    """
    if not (shocks and proposals):
        return None
    return (f"the scenario against the baseline: its shocks ({', '.join(shocks)}) and "
            "proposals together, not the proposals' own effect")


def _saved_scenario(run_dir: str | Path) -> Mapping[str, Any]:
    import yaml

    saved = Path(run_dir) / "scenario.yaml"
    if not saved.exists():
        return {}
    loaded = yaml.safe_load(saved.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, Mapping) else {}


def _recorded(run_dir: str | Path) -> Mapping[str, Mapping[str, Any]]:
    """What the run's manifest records of its mechanisms (empty when it cannot be read)."""
    from scosim.plugin_manifest import read_declarations
    from scosim.plugins import PluginError

    try:
        return read_declarations(run_dir)["mechanisms"]
    except (PluginError, OSError, ValueError):  # damaged: the registry decides
        return {}


def run_shocks(run_dir: str | Path) -> list[str]:
    """:func:`scenario_shocks` of a run that has proposals (none when it has none)."""
    scenario = _saved_scenario(run_dir)
    if not scenario.get("proposals"):
        return []
    return scenario_shocks(scenario, _recorded(run_dir))


def run_scope(run_dir: str | Path) -> str | None:
    """:func:`scenario_scope` of a run, read from its resolved ``scenario.yaml``."""
    scenario = _saved_scenario(run_dir)
    return scenario_scope(scenario_shocks(scenario, _recorded(run_dir)),
                          bool(scenario.get("proposals")))


def own_effect_lines(run_dir: str | Path, manifest: Mapping[str, Any]) -> list[str]:
    """How to obtain the proposals' own effect of a run whose table mixes them with shocks.

    Args:
        run_dir: The run's directory (its ``scenario.yaml`` is the resolved scenario). The
            answer is written while the run is still under its hidden ``.partial-`` name:
            the commands name the directory it is renamed to (``manifest["run_id"]``).
        manifest: The run's manifest: its seed, replications, run id, scenario file and
            ``--set`` overrides.

    Returns:
        Wrapped lines with the two commands (the same scenario with ``proposals=[]`` at the
        same seed and replications, then ``scosim compare`` of the two runs); none when
        :func:`run_scope` finds nothing mixed.
    """
    seed, reps = manifest.get("seed"), manifest.get("replications")
    if seed is None or reps is None or run_scope(run_dir) is None:
        return []
    final = Path(run_dir).parent / str(manifest.get("run_id") or Path(run_dir).name)
    scenario, dropped = rerun_scenario(run_dir, manifest, "proposals")
    left = (f" (the run's own {', '.join(f'`--set {x}`' for x in dropped)} left out: "
            "proposals=[] replaces them)" if dropped else "")
    text = ("The proposals' own effect is the paired difference against the same scenario "
            "without them, at the same seed and replications (common random numbers): "
            f"`scosim run {scenario} --set 'proposals=[]' --seed {seed} --replications "
            f"{reps}`{left}, then `scosim compare {shlex.quote(str(final))} <that run's "
            "directory>` (docs/scenarios.md names the shipped scenarios that are such twins).")
    return answer_lines(text)


def rerun_scenario(run_dir: str | Path, manifest: Mapping[str, Any],
                   replaced: str) -> tuple[str, list[str]]:
    """The scenario of a command repeating a run, with the run's own ``--set`` restated.

    As :func:`scosim.run_spread.run_spread`: the manifest's ``scenario_file`` (the file
    the user ran; it named the run's resolved ``scenario.yaml`` whenever ``--set`` was
    given) and each of the run's ``--set`` but those of ``replaced`` or below it, which
    the command sets itself (a run's ``--set proposals.0.year=2027`` against
    ``--set 'proposals=[]'``). Without a recorded file, the run's resolved copy.

    Args:
        run_dir: The run's directory.
        manifest: Its manifest (``scenario_file``, ``overrides``, ``run_id``).
        replaced: The path the command sets.

    Returns:
        ``(text, dropped)``: the shell-quoted scenario and ``--set`` options, and the
        run's own ``--set`` left out (``PATH=VALUE``).
    """
    from scosim.explore.forms import format_set
    from scosim.run_catalogue import model_overrides

    source = manifest.get("scenario_file")
    if not source:
        final = Path(run_dir).parent / str(manifest.get("run_id") or Path(run_dir).name)
        return shlex.quote(str(final / "scenario.yaml")), []
    kept, dropped = [], []
    for k, v in model_overrides(manifest.get("overrides")).items():
        under = k == replaced or k.startswith((f"{replaced}.", f"{replaced}["))
        (dropped if under else kept).append(format_set(str(k), v))
    return shlex.quote(str(source)) + "".join(f" --set {shlex.quote(x)}" for x in kept), dropped
