"""What ``scosim compare`` calls the runs it compares and an ``--indicator`` it does not know.

Kept apart from :mod:`scosim.api` (which raises the error) so that the message, which
reads the compared runs, does not grow that module.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: Where every indicator a run can record is listed, for the message's last words.
EVERY_INDICATOR = ('docs/scenarios.md ("outputs") and the pages it points to, or '
                   "scosim.scenario.blocks.indicator_names()")


def recorded_by(refs: Sequence[str], out: str | Path) -> list[str] | None:
    """The indicators the compared runs record, each once, for an unknown indicator's error.

    A finished run's are read from its files (the indicator column only); a scenario
    file's are those a run of it would record (its ``outputs.indicators`` where it
    lists them).

    Args:
        refs: The policy and baseline as given (run, run id, scenario name or YAML file).
        out: Results root the run ids and names are in.

    Returns:
        The names, the model's order first (:func:`~scosim.scenario.blocks.indicator_names`),
        or None when a side cannot be read (a run not found, a file that does not load:
        reported where the comparison reads it).
    """
    from scosim.result_tables import indicator_names as run_indicators
    from scosim.results import resolve_run
    from scosim.scenario import ScenarioError, load_scenario
    from scosim.scenario.outputs import indicator_names, recorded_indicators

    names: set[str] = set()
    for ref in refs:
        try:
            if ref.endswith((".yaml", ".yml")) and Path(ref).is_file():
                sc = load_scenario(ref)
                wanted = sc.outputs.indicators
                names |= {i for i in recorded_indicators(sc) if wanted == "all" or i in wanted}
            else:
                with warnings.catch_warnings():  # said again where the run is resolved
                    warnings.simplefilter("ignore")
                    names |= run_indicators(resolve_run(ref, out) / "indicators")
        except (ScenarioError, OSError, ValueError):
            return None
    order = [i for i in indicator_names() if i in names]
    return order + sorted(names.difference(order))


def find_runs(sides: Sequence[tuple[str, str, bool]], out: Path) -> list[Path | None]:
    """The finished run each side names, None for a scenario file (run, or reused, later).

    Both sides are looked up before either is refused, so that one line names every side
    not found (:func:`no_run_message`).

    Args:
        sides: ``(role, ref, is_file)`` per side: ``policy`` or ``baseline``, the side as
            given, and whether it is a scenario file.
        out: Results root.

    Raises:
        FileNotFoundError: A side names no finished run.
        AmbiguousRun: A name of several scenarios.
    """
    from scosim.run_catalogue import NoSuchRun, resolve_run

    found: list[Path | None] = []
    missing: list[tuple[str, NoSuchRun]] = []
    for role, ref, is_file in sides:
        try:
            found.append(None if is_file else resolve_run(ref, out, refuse_ambiguous=True))
        except NoSuchRun as exc:
            missing.append((role, exc))
    if missing:
        raise FileNotFoundError(no_run_message(missing)) from None
    return found


def no_run_message(missing: Sequence[tuple[str, Any]]) -> str:
    """One line for the sides that name no finished run: what was looked for, what is allowed.

    ``scosim compare customs_union baseline`` outside a checkout said only "no finished run
    'customs_union' under results/", where every other way of naming a scenario that is not
    there says which shipped scenario was meant (:func:`scosim.scenario.shipped.shipped_hint`).
    A bare name is a finished run's scenario name or run id under ``--out``; a shipped
    scenario is ``scosim:<name>``, and a file of that name in ``./scenarios`` (a checkout)
    is named too.

    Args:
        missing: ``(role, error)`` per side not found, each error a
            :class:`scosim.run_catalogue.NoSuchRun` (``ref``, ``root``).
    """
    refs = [str(exc.ref) for _, exc in missing]
    root = Path(missing[0][1].root)
    named = (f"{refs[0]!r} under {root}/ (the {missing[0][0]}" if len(missing) == 1 else
             " or ".join(f"{r!r} (the {role})" for r, (role, _) in zip(refs, missing,
                                                                       strict=True))
             + f" under {root}/ (")
    gone = f"{root.resolve()} does not exist" if not root.is_absolute() else "it does not exist"
    where = ("; " if len(missing) == 1 else "") + (
        f"{gone})" if not root.is_dir() else f"`scosim list --out {root}` shows what is there)")
    meant = [m for m in map(_meant, refs) if m]
    local = [f for f in (Path("scenarios", f"{m.split(':', 1)[1]}.yaml") for m in meant)
             if f.is_file()]
    hint = (f"; did you mean {' and '.join(meant)}"
            + (f" (or {' and '.join(map(str, local))})" if local and len(local) == len(meant)
               else "") + "?") if meant else ""
    return (f"no finished run {named}{where}: a bare name is the scenario name or run id of "
            "a finished run there; give a run directory, a run id, a scenario YAML file, or "
            f"scosim:<name> for a shipped scenario (run first){hint}")


def _meant(ref: str) -> str | None:
    """The shipped scenario ``ref`` names (``scosim:customs_union``), else None.

    Matched as :func:`scosim.scenario.shipped.shipped_hint` matches: None unless exactly
    one shipped scenario has that name.
    """
    from scosim.scenario.shipped import PREFIX, shipped_names

    names = shipped_names()
    hits = [n for n in names if n == ref] or [n for n in names if n.rsplit("/", 1)[-1] == ref]
    return PREFIX + hits[0] if len(hits) == 1 else None


def unknown_indicator_message(name: str, known: Sequence[str], recorded: list[str] | None,
                              close: str | None) -> str:
    """``--indicator 'x' is unknown (did you mean 'y'?); the runs compared record: ...``.

    The runs' own indicators are listed, each once, and the full list is pointed to
    (it was printed after them, repeating the runs' names: about 125 names, 45 twice).

    Args:
        name: The unknown indicator.
        known: Every indicator known (the registry's and the runs' declared ones; may repeat).
        recorded: What the runs record (:func:`recorded_by`), or None if unknown.
        close: The indicator suggested, or None.
    """
    if recorded is not None and name in recorded:
        # Not unknown to the runs: "'x' is unknown (did you mean 'x'?)" contradicted itself.
        return undeclared_indicator_message(name)
    hint = f" (did you mean {close!r}?)" if close and close != name else ""
    every = list(dict.fromkeys(known))
    if recorded is None:
        return f"--indicator {name!r} is unknown{hint}; indicators: {', '.join(every)}"
    others = len(set(every).difference(recorded))
    more = (f"; {others} other indicator(s) are known, which these runs do not record "
            f"(every indicator: {EVERY_INDICATOR})" if others else "")
    return (f"--indicator {name!r} is unknown{hint}; the runs compared record: "
            f"{', '.join(recorded)}{more}")


def undeclared_indicator_message(name: str) -> str:
    """What is wrong when the runs record ``--indicator name`` but nothing here declares it.

    A plug-in's indicator is known from its class when it is imported, or from the
    declaration the run's manifest records (``plugins.declared``). A run made before
    manifests recorded them (or with that record removed), whose plug-in this process
    does not import, has the values but not the indicator's unit or label.
    """
    return (f"--indicator {name!r} is recorded by the runs compared, but its plug-in is not "
            "declared in their manifests (manifest.json, plugins.declared) and is not "
            "imported here, so its unit and label are unknown: install the package that "
            "provides it, or run the scenarios again with this version (a run's manifest "
            "now declares its plug-ins)")


def side_names(policy_manifest: Mapping[str, Any],
               baseline_manifest: Mapping[str, Any]) -> tuple[str, str]:
    """The names of the two compared runs for headings and figure titles.

    Each run is named by its scenario. Two runs of one scenario (one changed with
    ``--set``) were both called by that name, so every heading read "X minus X"; then
    each side is named by its overrides too: ``("club (as written)",
    "club (--set proposals.club.cost_cut=0.03)")``. Runs that differ in neither (other
    plug-in code, say) are told apart by their run ids.

    Args:
        policy_manifest: The policy run's manifest (``scenario``, ``overrides``, ``run_id``).
        baseline_manifest: The baseline run's manifest.

    Returns:
        ``(policy, baseline)`` labels; the bare scenario names when they differ.
    """
    from scosim.run_catalogue import model_overrides

    pm, bm = policy_manifest, baseline_manifest
    names = (str(pm.get("scenario", "policy")), str(bm.get("scenario", "baseline")))
    if names[0] != names[1]:
        return names

    def how(m: Mapping[str, Any]) -> str:
        sets = model_overrides(m.get("overrides"))
        return " ".join(f"--set {k}={json.dumps(v, default=str)}" for k, v in sets.items()) \
            or "as written"

    labels = (f"{names[0]} ({how(pm)})", f"{names[1]} ({how(bm)})")
    if labels[0] == labels[1] and pm.get("run_id") != bm.get("run_id"):
        labels = (f"{labels[0][:-1]}, run {pm.get('run_id')})",
                  f"{labels[1][:-1]}, run {bm.get('run_id')})")
    return labels


def report_folder_name(policy_manifest: Mapping[str, Any],
                       baseline_manifest: Mapping[str, Any], stamp: str) -> str:
    """The compare report's folder: ``<policy>_vs_<baseline>_<stamp>``.

    Two runs of one scenario were both ``club_vs_club_<stamp>``, whichever pair was
    compared; then each side carries a short tag from its run id (``<start>-<hash>-s<seed>
    -r<runs>``): the scenario hash, which ``--set`` changes, or the start time when the
    hashes are the same; the overrides' own hash for a manifest without a run id.
    ``club-1a2b3c4d_vs_club-5e6f7a8b_20261207T051500``.

    Args:
        policy_manifest: The policy run's manifest (``scenario``, ``run_id``, ``overrides``).
        baseline_manifest: The baseline run's.
        stamp: When the report was written (:func:`scosim.results.compact_stamp`).
    """
    from scosim.run_catalogue import model_overrides

    pm, bm = policy_manifest, baseline_manifest
    names = (str(pm.get("scenario", "policy")), str(bm.get("scenario", "baseline")))
    if names[0] == names[1]:
        ids = [str(m.get("run_id") or "").split("-") for m in (pm, bm)]
        tags = [tuple(i[k] if len(i) > 2 else "" for i in ids)
                for k in (1, 0)]  # the scenario hash, then the start time
        tags.append(tuple(hashlib.sha256(json.dumps(
            model_overrides(m.get("overrides")), sort_keys=True, default=str).encode()
        ).hexdigest()[:8] for m in (pm, bm)))
        tag = next((t for t in tags if all(t) and t[0] != t[1]), None)
        if tag is not None:
            names = (f"{names[0]}-{tag[0]}", f"{names[1]}-{tag[1]}")
    return f"{names[0]}_vs_{names[1]}_{stamp}"
