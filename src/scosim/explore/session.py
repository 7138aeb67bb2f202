"""What the explorer runs: a scenario file plus overrides, through the library's API.

A :class:`View` is the whole state of a result on the page: scenario file,
``--set`` overrides, seed and replications. It validates with
:func:`scosim.load_scenario`, runs with :func:`scosim.run`, compares with
:func:`scosim.api.compare_runs`, and writes the command lines that reproduce it.
Nothing here re-implements the model, the runner or the statistics.
"""

from __future__ import annotations

import json
import math
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from scosim.explore.forms import RunForm, format_set
from scosim.results import Result
from scosim.scenario import Scenario, load_scenario

__all__ = [
    "OpenedForm",
    "View",
    "compare_command",
    "compare_view",
    "compare_warnings_shown",
    "explorer_batch_size",
    "latest_run",
    "list_scenarios",
    "opened_form",
    "page_footer",
    "provenance",
    "run_command",
    "run_view",
    "run_warnings_shown",
]


@dataclass(frozen=True)
class View:
    """A scenario as the explorer shows it.

    Attributes:
        scenario: Scenario YAML as given (kept relative, as it appears in commands).
        overrides: Dotted-path overrides (``--set``), in the order they are applied.
        seed: Seed (``None``: the scenario's).
        replications: Replications (``None``: the scenario's).
        out: Results root.
        executor: ``local``, ``process`` or ``dask``.
        workers: Workers for ``process`` / local Dask.
        scheduler: Dask scheduler address.
    """

    scenario: str
    overrides: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    replications: int | None = None
    out: str = "results"
    executor: str = "local"
    workers: int | None = None
    scheduler: str | None = None

    def all_overrides(self) -> dict[str, Any]:
        """Overrides including seed and replications, as :func:`scosim.run` applies them."""
        out = dict(self.overrides)
        if self.seed is not None:
            out["seed"] = int(self.seed)
        if self.replications is not None:
            out["replications"] = int(self.replications)
        return out

    def load(self) -> Scenario:
        """Validate the view as ``scosim validate`` would.

        Raises:
            ScenarioError: Every problem, ``file:line: path: message`` as the CLI prints it.
        """
        return load_scenario(self.scenario, overrides=self.all_overrides() or None)

    def with_scenario(self, scenario: str) -> View:
        """The same run settings on another scenario file, without overrides."""
        return replace(self, scenario=scenario, overrides={})


def list_scenarios(directory: str | os.PathLike[str]) -> list[str]:
    """Scenario files (``*.yaml``, ``*.yml``) in a directory, as paths under it, sorted."""
    d = Path(directory)
    if not d.is_dir():
        return []
    files = sorted(p.name for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [os.path.join(os.fspath(directory), f) for f in files]


def explorer_batch_size(replications: int) -> int:
    """Runs per batch: about five batches so the progress bar moves, at least 50 runs each.

    Smaller batches cost time (the kernels are vectorised over the runs of a
    batch: 200 runs took about 1.5 times as long in batches of 20 as in one
    batch, and 1.2 times in batches of 50). Results do not depend on the batch
    size, since random streams are keyed by run, not batch. The command line
    repeats the size anyway so a reader sees the same run.
    """
    from scosim.runner import DEFAULT_BATCH_SIZE

    return int(min(DEFAULT_BATCH_SIZE, replications, max(50, math.ceil(replications / 5))))


def _executor_args(view: View) -> list[str]:
    args: list[str] = []
    if view.executor != "local":
        args += ["--executor", view.executor]
    if view.workers is not None:
        args += ["--workers", str(view.workers)]
    if view.scheduler is not None:
        args += ["--scheduler", view.scheduler]
    return args


def run_command(view: View, scenario: Scenario) -> str:
    """``scosim run ...`` that writes the same numbers as the explorer's run of ``view``.

    Args:
        view: The view.
        scenario: The view's loaded scenario (for the seed and replications it resolves to).
    """
    args = [
        "scosim", "run", view.scenario,
        "--seed", str(scenario.seed),
        "--replications", str(scenario.replications),
    ]  # fmt: skip
    bs = explorer_batch_size(scenario.replications)
    if bs != min(scenario.replications, _default_batch()):
        args += ["--batch-size", str(bs)]
    for path, value in view.overrides.items():
        args += ["--set", format_set(path, value)]
    args += ["--out", view.out, *_executor_args(view)]
    return shlex.join(args)


def _default_batch() -> int:
    from scosim.runner import DEFAULT_BATCH_SIZE

    return DEFAULT_BATCH_SIZE


def compare_command(policy: View, baseline: View, scenario: Scenario, base_name: str) -> str:
    """Command lines that reproduce a comparison (policy and baseline with one seed).

    They write to a folder of their own under the results root: ``scosim compare`` finds
    runs by scenario name, and in the shared root a name means the latest run made
    without ``--set``, so an edited policy was compared as an older unedited run. The
    folder is ``reproduce/<policy>-<hash>_vs_<baseline>-<hash>``, each hash the first 8
    characters of that side's scenario hash (edits, seed and replications included), as
    in its run ids: two edits of one scenario get two folders, where both wrote to
    ``<policy>_vs_<baseline>`` and the second's runs sat beside the first's.
    """
    from scosim.scenario import scenario_hash

    base_view = replace(baseline, seed=scenario.seed, replications=scenario.replications)
    base_sc = base_view.load()
    out = (f"{policy.out}/reproduce/{scenario.name}-{scenario_hash(scenario)[:8]}"
           f"_vs_{base_name}-{scenario_hash(base_sc)[:8]}")
    pol = replace(policy, out=out)
    base_view = replace(base_view, out=out)
    return "\n".join(
        [
            run_command(pol, scenario),
            run_command(base_view, base_sc),
            shlex.join(["scosim", "compare", scenario.name, base_name, "--out", out]),
        ]
    )


def run_view(view: View, on_batch: Callable[[int, int], None] | None = None) -> Result:
    """Run the view's ensemble with :func:`scosim.run` (no PNGs: the page draws its own)."""
    from scosim.runner import run

    sc = view.load()
    return run(
        view.scenario,
        out=view.out,
        executor=view.executor,
        workers=view.workers,
        scheduler=view.scheduler,
        batch_size=explorer_batch_size(sc.replications),
        progress=False,
        plots=False,
        # Seed and replications as `scosim run --seed --replications` gives them: recorded
        # as overrides, every page run read as changed with --set in `scosim list` and
        # made the page's own compare command warn so.
        seed=view.seed,
        replications=view.replications,
        overrides=dict(view.overrides) or None,
        on_batch=on_batch,
    )


def compare_view(
    policy: View,
    baseline: View,
    on_batch: Callable[[str, int, int], None] | None = None,
    on_reuse: Callable[[str, Path], None] | None = None,
) -> tuple[Any, Path, Result, Result]:
    """Run policy and baseline with the same seed and replications, then compare them.

    The baseline takes the policy's seed and replications (common random
    numbers: run r of both draws the same shocks), and the pair goes to
    :func:`scosim.api.compare_runs`, as ``scosim compare`` does. A side whose finished
    run is already under the results root (the same resolved scenario, edits included,
    seed, replications and versions: :func:`scosim.api.finished_run`, as ``scosim
    compare`` finds it) is not run again. If anything fails after a run finished, the
    runs made here are removed, as ``scosim compare`` removes its own
    (:func:`scosim.compare_cleanup.removed_if_failed`); resumed and reused runs are kept.

    Args:
        policy: The policy view.
        baseline: The baseline view (its seed and replications are replaced).
        on_batch: Progress as ``on_batch(which, done, total)``, ``which`` being
            ``"policy"`` or ``"baseline"``.
        on_reuse: Told ``on_reuse(which, run directory)`` for a side not run again.

    Returns:
        ``(comparison, report directory, policy result, baseline result)``.
    """
    from scosim.api import compare_runs, finished_run
    from scosim.compare_cleanup import made_run, removed_if_failed
    from scosim.results import local_path, open_result

    sc = policy.load()
    base = replace(baseline, seed=sc.seed, replications=sc.replications, out=policy.out)

    def result(view: View, which: str, made: list[Path]) -> Result:
        found = finished_run(view.scenario, view.out, view.all_overrides())
        if found is not None:
            if on_reuse is not None:
                on_reuse(which, found)
            return open_result(found)
        hook = None if on_batch is None else (
            lambda done, total: on_batch(which, done, total))
        res = run_view(view, hook)
        made_run(res, made)
        return res

    # As scosim compare: a failure (the baseline's run, the report) removes the runs made
    # here, and the folders made for them; the policy's run stayed behind like a result.
    root = local_path(policy.out)
    created = [d for d in (root, root / sc.name, root / base.load().name) if not d.exists()]
    with removed_if_failed(created) as made:
        pol_res = result(policy, "policy", made)
        base_res = result(base, "baseline", made)
        comp, report_dir = compare_runs(
            str(pol_res.path), str(base_res.path), out=policy.out, progress=False
        )
    return comp, report_dir, pol_res, base_res


def provenance(manifest: dict[str, Any]) -> str:
    """One line saying exactly what a result is: scenario, hash, seed, runs, versions."""
    return (
        f"scenario {manifest['scenario']} · hash {str(manifest['scenario_hash'])[:12]} · "
        f"seed {manifest['seed']} · {manifest['replications']} replications · "
        f"scosim {manifest.get('package_version', '?')} · data {manifest.get('data_version', '?')}"
        f" (base year {manifest.get('data_base_year', '?')}) · run {manifest.get('run_id', '?')}"
    )


def run_warnings_shown(manifest: dict[str, Any], said: list[str] | None = None,
                       source: str = "manifest.json") -> list[str]:
    """The warnings the page shows under a run, each once: the run's own, then the pass's.

    The run's own are those its manifest keeps (:mod:`scosim.run_warnings`): a run the
    page opens from the results folder (made by ``scosim run`` or an earlier session)
    raises nothing when read, and showed none until 2026-12-06.

    Args:
        manifest: The run's manifest.
        said: Warnings the page kept while it made the run (:mod:`page_warnings`).
        source: The manifest's path, named in an error.

    Raises:
        ValueError: The manifest's ``warnings`` field is malformed (names file and field).
    """
    from scosim.run_warnings import warning_texts

    shown = warning_texts(manifest, source)
    return shown + [w for w in (said or []) if w not in shown]


def compare_warnings_shown(said: list[str], policy: dict[str, Any], baseline: dict[str, Any],
                           sources: tuple[str, str] = ("manifest.json", "manifest.json")
                           ) -> list[str]:
    """The warnings the page shows under a comparison, each once.

    Those kept while it compared (the comparison's own, and its runs' if it made them) and
    those the baseline run keeps; not the policy run's own, which the page shows under
    that run, drawn below the comparison.

    Args:
        said: Warnings the page kept while comparing.
        policy: The policy run's manifest.
        baseline: The baseline run's manifest.
        sources: The two manifests' paths, named in an error.
    """
    from scosim.run_warnings import warning_texts

    below = set(warning_texts(policy, sources[0]))
    shown = [w for w in said if w not in below]
    return shown + [w for w in warning_texts(baseline, sources[1])
                    if w not in shown and w not in below]


def page_footer(run: str | os.PathLike[str], drawn: bool = True) -> str:
    """The last line of a run's answer on the page: where its figures and tables are.

    The answer's own last line speaks of the run's files ("Figures: plots/", or "it was
    made without plots" for a run the page made); on the page the figures are below it.

    Args:
        run: The run directory.
        drawn: Whether the page draws any figure of the run.

    Returns:
        Two lines (no newline at the end).
    """
    # Two lines: the answer's prose is 80 characters wide, and a run's path is long.
    where = f"every indicator of every run: {Path(run) / 'indicators'}/."
    if not drawn:
        return f"No figure to draw for this run;\n{where}"
    return ("Figures: below on this page, from the same statistics as `scosim run`'s plots;\n"
            + where)


class LatestRun(NamedTuple):
    """The run the page opens on (:func:`latest_run`).

    Attributes:
        path: The run directory.
        scenario: Its scenario file as the page lists it.
        manifest: The run's ``manifest.json``.
        when: When it finished (the manifest's ``finished``, else the manifest file's
            time), as ``2026-12-06 06:00 UTC``.
    """

    path: Path
    scenario: str
    manifest: dict[str, Any]
    when: str


def _finished_at(manifest: dict[str, Any], file: Path) -> datetime:
    """When a run finished: its manifest's time, else the manifest file's (UTC)."""
    stamp = manifest.get("finished")
    if isinstance(stamp, str):
        try:
            at = datetime.fromisoformat(stamp)
            return at if at.tzinfo else at.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)


def latest_run(out: str | os.PathLike[str], scenarios: list[str],
               only: str | None = None) -> LatestRun | None:
    """The most recent finished run under ``out`` of a scenario file the page lists.

    Most recent by the manifest's ``finished`` time, else by the manifest file's time
    (which also orders runs that finished within the same second).
    A run counts when it is complete and the scenario file it was run from (the
    manifest's ``scenario_file``) is one of ``scenarios``, the same file however it
    was written (``./scenarios/x.yaml``; ``scosim:x`` and the shipped ``x.yaml``); the
    page shows a run beside that file's form.

    Args:
        out: The results root (a local directory; ``None`` for an object store's URL).
        scenarios: The scenario files the page lists, as it lists them.
        only: A scenario file given to ``scosim explore``: its runs only.

    Returns:
        The run, or None when there is none (the page then opens on the first file).
    """
    from scosim.results import MANIFEST, PARTIAL_PREFIX, is_url

    if is_url(os.fspath(out)) or not Path(out).is_dir():
        return None
    listed = {k: f for f in ([only] if only else scenarios) if (k := _file_of(f)) is not None}
    # Ordered by the manifest's time, then, within its second, by the manifest file's
    # time in nanoseconds: two short runs can finish in the same second.
    best: tuple[tuple[datetime, int], LatestRun] | None = None
    for mf in Path(out).glob(f"*/*/{MANIFEST}"):
        if mf.parent.name.startswith(PARTIAL_PREFIX):
            continue
        try:
            m = json.loads(mf.read_text())
        except (OSError, ValueError):
            continue  # `scosim list` reports a damaged manifest; nothing to open here
        if not isinstance(m, dict) or m.get("status") != "complete":
            continue
        file = listed.get(_file_of(str(m.get("scenario_file", ""))))
        if file is None:
            continue
        at = _finished_at(m, mf)
        key = (at, mf.stat().st_mtime_ns)
        if best is None or key > best[0]:
            best = (key, LatestRun(mf.parent, file, m,
                                  at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")))
    return None if best is None else best[1]


def _file_of(scenario: str) -> Path | None:
    """The file a scenario names, resolved: ``scosim:customs_union`` is its shipped file.

    So a run of the name is found beside the file listed by path, and the reverse.
    """
    from scosim.scenario.shipped import is_shipped, shipped_path

    if not is_shipped(scenario):
        return Path(scenario).resolve()
    try:
        return shipped_path(scenario).resolve()
    except LookupError:
        return None  # a name no longer shipped: no listed file is its


class OpenedForm(NamedTuple):
    """A run's settings as the page's form shows them (:func:`opened_form`).

    Attributes:
        form: The form filled in with the run's scenario.
        unshown: The run's ``--set PATH=VALUE`` the form cannot show (else the paths
            where what the form runs differs from the run), as the page names them;
            empty when the form runs exactly the run's scenario.
    """

    form: RunForm
    unshown: list[str]


def opened_form(scenario: str, edits: dict[str, Any]) -> OpenedForm:
    """Fill the form with a run's overrides, so that Run on the page reproduces the run.

    Args:
        scenario: The run's scenario file.
        edits: The overrides its manifest records, without seed and replications.

    Raises:
        ScenarioError: The file, or the file with the edits, does not validate.
    """
    from scosim.explore.forms import differing_paths, form_of_run, scenario_schema
    from scosim.scenario import scenario_hash

    def data(sc: Scenario) -> dict[str, Any]:
        return sc.model_dump(mode="python", exclude={"source", "extends"})

    run_sc = load_scenario(scenario, overrides=edits or None)
    form = form_of_run(scenario_schema(), data(load_scenario(scenario)), data(run_sc))
    shown = load_scenario(scenario, overrides=form.overrides() or None)
    if scenario_hash(shown) == scenario_hash(run_sc):
        return OpenedForm(form, [])
    paths = differing_paths(data(shown), data(run_sc))

    def touches(edit: str) -> bool:  # the edit sets one of the paths, or a block around it
        return any(p == edit or p.startswith((f"{edit}.", f"{edit}["))
                   or edit.startswith((f"{p}.", f"{p}[")) for p in paths)

    named = [f"--set {format_set(k, v)}" for k, v in edits.items() if touches(k)]
    return OpenedForm(form, named or paths)
