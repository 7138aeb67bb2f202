"""The explorer page (a Streamlit script; ``scosim explore`` serves it).

Streamlit runs this file top to bottom on every interaction. Its settings come
from the environment variable ``SCOSIM_EXPLORE`` (JSON written by
:func:`scosim.explore.server.serve`). The page holds no model logic: forms come
from :mod:`scosim.explore.forms`, runs and comparisons from
:mod:`scosim.explore.session`, figures from :mod:`scosim.explore.figures`.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from scosim.errors import USER_ERRORS
from scosim.explore import figures, figures_compare, figures_paths, page_warnings
from scosim.explore.folder import (
    default_scenarios_dir,
    folder_caption,
    list_folder,
    scenario_stem,
)
from scosim.explore.forms import (
    FieldSpec,
    changed_overrides,
    parse_value,
    proposal_template,
    proposal_types,
    scenario_schema,
    schema_fields,
    to_yaml_text,
    widget_kind,
    widget_state,
)
from scosim.explore.session import (
    View,
    compare_command,
    compare_view,
    compare_warnings_shown,
    latest_run,
    opened_form,
    page_footer,
    provenance,
    run_command,
    run_view,
    run_warnings_shown,
)
from scosim.explore.table_widths import clipped_widths
from scosim.plots import mechanism_figures
from scosim.results import open_result
from scosim.run_headline import headline_of_run, with_footer
from scosim.scenario import ScenarioError, scenario_hash

if TYPE_CHECKING:
    from scosim.compare_terminal import SummaryTable

CONFIG_ENV = "SCOSIM_EXPLORE"


def _config() -> dict[str, Any]:
    cfg = {"scenario": None, "scenarios_dir": None, "out": "results", "executor": "local",
           "workers": None, "scheduler": None}
    cfg.update(json.loads(os.environ.get(CONFIG_ENV, "{}")))
    cfg["scenarios_dir"] = cfg["scenarios_dir"] or default_scenarios_dir()
    return cfg


def _key(stem: str, path: str) -> str:
    # Streamlit turns a key into the CSS class st-key-<key> (other characters become '-').
    return f"{stem}--{path}"


def _step(value: float) -> float:
    if not value:
        return 0.01
    return float(10 ** (math.floor(math.log10(abs(value))) - 1))


def _widget(f: FieldSpec, stem: str) -> tuple[Any, str | None]:
    """Draw one field; return (parsed value, YAML error message or None)."""
    key, help_ = _key(stem, f.path), f.help or None
    kind = widget_kind(f)  # the kind, when the value fits it (forms.widget_kind)
    # The file's value goes into session state (unless a run opened, or the reader, put
    # one there) and the widget reads it from there, with no `value=`/`index=`: given both,
    # Streamlit logs a warning with a stack trace (its Session State caveats).
    start = {"float": float(f.value) if kind == "float" else None,
             "yaml": to_yaml_text(f.value) if kind == "yaml" else None}.get(kind, f.value)
    st.session_state.setdefault(key, start)
    if kind == "int":
        return st.number_input(f.label, step=1, key=key, help=help_), None
    if kind == "float":
        return st.number_input(
            f.label, step=_step(float(f.value)), format="%g", key=key, help=help_
        ), None
    if kind == "bool":
        return st.checkbox(f.label, key=key, help=help_), None
    if kind == "choice":
        return st.selectbox(f.label, f.choices, key=key, help=help_), None
    if kind == "text":
        return st.text_input(f.label, key=key, help=help_), None
    text = st.text_input(
        f"{f.label} (YAML)", key=key,
        help=(help_ or "") + " Written as YAML, like a --set value.",
    )
    try:
        return parse_value(f, text), None
    except ScenarioError as exc:
        return f.value, str(exc)


def _section_title(section: str, data: dict[str, Any]) -> str:
    if section.startswith("proposals["):
        i = int(section[len("proposals["):].split("]")[0])
        p = data["proposals"][i]
        return f"{section}: {p.get('type')} '{p.get('id', '')}'"
    return section


def _form(fields: list[FieldSpec], data: dict[str, Any], stem: str) -> tuple[dict, list[str]]:
    values: dict[str, Any] = {}
    yaml_errors: list[str] = []
    sections: dict[str, list[FieldSpec]] = {}
    for f in fields:
        sections.setdefault(f.section, []).append(f)
    for section, fs in sections.items():
        st.markdown(f"**{_section_title(section, data)}**")
        cols = st.columns(4)
        for k, f in enumerate(fs):
            with cols[k % 4]:
                values[f.path], err = _widget(f, stem)
                if err:
                    yaml_errors.append(err)
    return values, yaml_errors


def _show_invalid(message: str) -> None:
    with st.container(key="validation"):
        st.error("The scenario is not valid. Same check and message as `scosim validate`:")
        st.code(message, language=None)


def _progress(label: str) -> Any:
    bar = st.progress(0.0, text=f"{label}: starting")

    def update(done: int, total: int, text: str | None = None) -> None:
        bar.progress(done / max(total, 1), text=text or f"{label}: batch {done} of {total}")

    return update


@st.cache_resource(max_entries=8, show_spinner=False)
def _run_figures(path: str) -> dict[str, Any]:
    res = open_result(path)
    return {
        "who_gains": figures.who_gains_figure(res),
        "vote_reasons": figures.vote_reasons_figures(res),
        "membership": figures.membership_figures(res),
        "events": figures.events_table(res),
        "welfare_paths": figures_paths.welfare_paths_figure(res),
        "gdp_paths": figures_paths.gdp_paths_figure(res),
    }


def _exports(stem: str, yaml_text: str, command: str, key: str) -> None:
    st.markdown("Reproduce this view from a terminal (same numbers):")
    with st.container(key=f"command-{key}"):
        st.code(command, language="bash")
    st.download_button(
        "Export the scenario YAML", yaml_text, file_name=f"{stem}.yaml", mime="text/yaml",
        key=f"download-{key}",
    )


def _show_run(info: dict[str, Any], current: dict[str, Any]) -> None:
    res = open_result(info["path"])
    st.subheader(f"Result: {res.manifest['scenario']}")
    if info.get("opened"):
        with st.container(key="opened-run"):
            st.info(f"The page opened on the most recent finished run under the results "
                    f"folder (finished {info['opened']}): `{info['path']}`. Press Run for a "
                    "new run of the form.")
        if info.get("stale"):
            st.warning("The scenario file has changed since this run: the form shows the "
                       "file as it is now, not as it was run (the run's scenario.yaml, below).")
    if info["view"] != current:
        st.warning("The form has changed since this run: press Run to update the result.")
    elif info.get("unshown"):
        # The form holds the run's other --set values; these it has no box for.
        with st.container(key="opened-unshown"):
            named = ", ".join(f"`{u}`" for u in info["unshown"])
            st.warning(f"This run has settings the form cannot show: {named}. The form "
                       "shows the run's other settings; press Run to run the form as it "
                       "is, without these.")
    with st.container(key="provenance-run"):
        st.markdown(f"`{provenance(res.manifest)}`")
    _exports(res.manifest["scenario"], res.scenario_yaml, info["command"], "run")
    figs = _run_figures(str(res.path))
    # Mechanisms in the run's slots (security, network, finance) draw their own figures:
    # the same PNGs `scosim run` writes (into the run's plots/), so both agree.
    images = mechanism_figures(res.path)
    headline = headline_of_run(res.path)  # what `scosim run` prints and `scosim show` shows
    if headline is not None:
        # Its last line says where the figures are: "(it was made without plots)" above the
        # page's own figures was false, so the page says where they are here.
        headline = with_footer(headline, page_footer(res.path, _drawn(figs, images)))
        with st.container(key="headline-run"):
            st.code(headline, language=None)
    # What `scosim run` prints as "scosim: warning: ...", under the answer it qualifies:
    # those the run keeps in its manifest (a run opened from the results folder too).
    try:
        said = run_warnings_shown(res.manifest, info.get("warnings"),
                                  str(res.path / "manifest.json"))
    except ValueError as exc:  # a hand-edited manifest: said, and the run still shown
        st.error(f"scosim: error: {exc}")
        said = list(info.get("warnings") or [])
    page_warnings.show(said, "page-warnings-run")
    if figs["who_gains"] is not None:
        with st.container(key="fig-who-gains"):
            st.plotly_chart(figs["who_gains"], key="who-gains-chart")
    else:
        st.info("No economy's welfare moved in any run (or the run records no welfare): "
                "nothing gains or loses, so there is no who-gains figure.")
    # Over time, as welfare_paths.png: the last year alone hid an effect gone by then.
    if figs["welfare_paths"] is not None:
        with st.container(key="fig-welfare-paths"):
            st.plotly_chart(figs["welfare_paths"], key="welfare-paths-chart")
    # One figure per proposal voted, as the PNG has one panel per proposal.
    for k, fig in enumerate(figs["vote_reasons"]):
        st.plotly_chart(fig, key="vote-reasons-chart" if k == 0 else f"vote-reasons-chart-{k}")
    if figs["membership"] is not None:
        left, right = st.columns([3, 2])
        with left:
            st.plotly_chart(figs["membership"][0], key="membership-chart")
        with right:
            st.plotly_chart(figs["membership"][1], key="membership-events-chart")
    if not figs["events"].empty:
        st.markdown(f"Events per run, by year (mean number over the "
                    f"{res.manifest['replications']} runs; events named as in the membership "
                    "figure, a heading's tooltip gives the type in the run's event log, "
                    "described in docs/model.md):")
        table, codes = figures.labelled_events(figs["events"])
        # Every year at once: the default height (ten rows) hid the last year of a run of
        # eleven, the year the figures above show, behind a scroll bar inside the page's.
        with st.container(key="events-table"):
            st.dataframe(table, height="content", column_config={
                label: st.column_config.NumberColumn(
                    help=f"event type `{code}` in the run's events/ table")
                for label, code in codes.items()})
    if figs["gdp_paths"] is not None:  # gdp_paths.png
        with st.container(key="fig-gdp-paths"):
            st.plotly_chart(figs["gdp_paths"], key="gdp-paths-chart")
    # A PNG of several panels (banking.png is 2,090 px wide) is shrunk to the column, its
    # labels to a few pixels: the caption says where the full-size file is.
    for k, image in enumerate(images):
        with st.container(key=f"fig-mechanism-{k}"):
            st.image(str(image), caption=f"{image.stem.replace('_', ' ')} (full size: "
                                         f"{image}, or the image's full-screen button)")


def _drawn(figs: dict[str, Any], images: list[Path]) -> bool:
    """Whether the page draws any figure of the run (plotly, or a mechanism's PNG)."""
    plotted = [figs[k] for k in ("who_gains", "welfare_paths", "membership", "gdp_paths")]
    return any(f is not None for f in plotted) or bool(figs["vote_reasons"]) or bool(images)


def _show_compare(info: dict[str, Any], current: dict[str, Any] | None = None) -> None:
    from scosim.compare import compare_results
    from scosim.compare_names import side_names

    # Read again on every pass: its warnings ("different economies") join those of the
    # comparison's runs, each once.
    said = list(info.get("warnings") or [])
    with page_warnings.recorded(said):
        comp = compare_results(info["policy"], info["baseline"])
    pm, bm = comp.policy_manifest, comp.baseline_manifest
    # As scosim compare titles it: two runs of one scenario were "X minus X".
    st.subheader(f"Comparison: {' minus '.join(side_names(pm, bm))}")
    if current is not None and info.get("view") not in (None, current):
        # As the run below says: a comparison of another scenario or form stayed on top
        # of the page with no word that it was not the form's.
        st.warning("The form has changed since this comparison: press Compare to update it.")
    with st.container(key="provenance-compare"):
        st.markdown(f"policy: `{provenance(pm)}`")
        st.markdown(f"baseline: `{provenance(bm)}`")
    if info.get("edits"):
        # The difference then holds the edits' effect as well as the policy's.
        with st.container(key="compare-edits"):
            st.warning(
                f"Your edits ({', '.join(info['edits'])}) apply to the policy run only: the "
                f"baseline runs `{info['baseline_file']}` as written (its command below has no "
                "`--set`), so the difference includes their effect, not the policy's alone."
            )
    for which, path in (info.get("reused") or {}).items():
        # As scosim compare says on stderr: the same numbers were already there.
        with st.container(key=f"compare-reused-{which}"):
            st.info(f"The {which} was not run again: `{path}` is a finished run of the same "
                    "resolved scenario, seed, replications and versions (the same numbers).")
    st.markdown(f"Report written to `{info['report']}`.")
    _exports(pm["scenario"], open_result(info["policy"]).scenario_yaml, info["command"], "cmp")
    # The report's year (comp is read again here, without it): the last year unless the
    # effect is gone by then, as the table below and the report's PNG.
    comp.report_year = info.get("year")
    fig = figures_compare.compare_figure(comp)
    if fig is not None:
        st.plotly_chart(fig, key="compare-chart")
    # The table `scosim compare` prints, built by the same function (scosim.api.compare_table):
    # the raw rows showed US$ unscaled, shares as fractions and every unchanged row.
    table = info["table"]
    st.markdown("Paired differences, policy minus baseline, largest first within each "
                "indicator, as `scosim compare` prints them (every indicator and year: the "
                "report):")
    with st.container(key="compare-table"):
        st.text("\n".join(table.title))
        if table.drawn:
            # Every row on the page (at most summary_table's 60): at the default height of
            # ten rows the rest sat behind a scroll bar inside the table, out of a printout.
            # Each column as wide as its widest cell: the grid sizes a column to its first
            # nine rows and its last, and cut "bloc members" (second to last) short.
            widths = clipped_widths(table.frame())
            st.dataframe(_coloured(table), hide_index=True, height="content", column_config={
                c: st.column_config.Column(width=w) for c, w in widths.items()})
        for note in table.notes:
            st.text(note)
    # The baseline's own warnings too (kept in its manifest); the policy's are under its
    # run, below.
    try:
        said = compare_warnings_shown(said, pm, bm, (f"{info['policy']}/manifest.json",
                                                     f"{info['baseline']}/manifest.json"))
    except ValueError as exc:
        st.error(f"scosim: error: {exc}")
    page_warnings.show(said, "page-warnings-compare")


def _coloured(table: SummaryTable) -> Any:
    """The table's text, each mean coloured as the terminal colours it (good news green)."""
    colours = {"green": figures.GAIN, "red": figures.LOSS}
    frame = table.frame()

    def mean_colour(column: pd.Series) -> list[str]:
        return [f"color: {colours[c]}" if c in colours else "" for c in table.news]

    return frame.style.apply(mean_colour, subset=["mean"])


def main() -> None:
    """Draw the page."""
    cfg = _config()
    st.set_page_config(page_title="scosim explorer", layout="wide")
    st.title("scosim explorer")
    scenarios = list_folder(cfg["scenarios_dir"])
    if cfg["scenario"] and cfg["scenario"] not in scenarios:
        scenarios.insert(0, cfg["scenario"])
    if not scenarios:
        st.error(f"No scenario files (*.yaml) in {cfg['scenarios_dir']}/.")
        return
    default = scenarios.index(cfg["scenario"]) if cfg["scenario"] else 0
    if "opened-latest" not in st.session_state:  # the session's first pass only
        st.session_state["opened-latest"] = True
        _open_latest(cfg, scenarios)
    base = View("", out=cfg["out"], executor=cfg["executor"], workers=cfg["workers"],
                scheduler=cfg["scheduler"])
    with st.sidebar:
        scenario = st.selectbox("Scenario", scenarios, index=default, key="scenario")
        # Whose files these are: ./scenarios, or the installed package's shipped ones.
        st.caption(folder_caption(cfg["scenarios_dir"]))
        stem = scenario_stem(scenario)
    view = base.with_scenario(scenario)
    try:
        sc0 = view.load()
    except ScenarioError as exc:
        _show_invalid(str(exc))
        return
    st.caption(sc0.description)
    # Results go above the form (filled in at the end of the script): after a run
    # the reader sees them first.
    results_area = st.container()
    with st.sidebar:
        # No min_value: the browser refused a value below it without rerunning the page,
        # so the last run's error stayed on screen and nothing said why. Any integer goes
        # through, and a bad one gets `scosim validate`'s message below.
        # The file's values go into session state before the boxes exist, and the boxes
        # take theirs from it alone (no `value=`): opening a run sets them there too, and
        # a box given both logged Streamlit's "created with a default value but also had
        # its value set via the Session State API", with a stack trace (Streamlit's
        # Session State caveats).
        st.session_state.setdefault(_key(stem, "seed"), sc0.seed)
        st.session_state.setdefault(_key(stem, "replications"), sc0.replications)
        seed = st.number_input("Seed", step=1, key=_key(stem, "seed"))
        reps = st.number_input("Replications", step=1, key=_key(stem, "replications"))
    data = sc0.model_dump(mode="python", exclude={"source", "extends"})
    schema = scenario_schema()
    # Proposals added on the page: the whole list becomes one override (first, so
    # the edits of single fields below apply on top of it).
    added = st.session_state.get(f"added::{stem}", [])
    listed = [*data["proposals"], *added]
    fields = schema_fields(schema, {**data, "proposals": listed})
    with st.expander("Scenario parameters (generated from the scenario schema)", expanded=True):
        values, yaml_errors = _form(fields, {**data, "proposals": listed}, stem)
    overrides = {"proposals": listed} if added else {}
    overrides.update(changed_overrides(fields, values))
    view = View(scenario, overrides, int(seed), int(reps), cfg["out"],
                cfg["executor"], cfg["workers"], cfg["scheduler"])
    sc, message = None, "\n".join(yaml_errors)
    if not message:
        try:
            sc = view.load()
        except ScenarioError as exc:
            message = str(exc)
    if message:
        _show_invalid(message)
    with st.expander("Proposal types and their parameters (from the scenario schema)"):
        for tag, (desc, params) in proposal_types(schema).items():
            st.markdown(f"**{tag}**: {desc}")
            rows = [{**p.__dict__, "default": to_yaml_text(p.default)} for p in params]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            if st.button(f"Add a {tag} proposal to this scenario", key=f"add-{stem}-{tag}"):
                new = proposal_template(schema, tag, len(listed), sc0.years.start + 1)
                st.session_state[f"added::{stem}"] = [*added, new]
                st.rerun()
        if added and st.button("Remove the proposals added here", key=f"remove-{stem}"):
            for f in fields:  # their widgets would otherwise keep the old values
                st.session_state.pop(_key(stem, f.path), None)
            st.session_state.pop(f"added::{stem}", None)
            st.rerun()
    with st.sidebar:
        run_clicked = st.button("Run ensemble", disabled=sc is None, type="primary", key="run")
        others = [s for s in scenarios if s != scenario]
        baseline = next((s for s in others if scenario_stem(s) == "baseline"), None)
        base_choice = st.selectbox(
            "Baseline for comparison", others,
            index=others.index(baseline) if baseline in others else 0, key="baseline",
        ) if others else None
        cmp_clicked = st.button(
            "Compare with baseline (common random numbers)",
            disabled=sc is None or base_choice is None, key="compare",
        )
        where = cfg["scheduler"] or "this computer"
        st.caption(f"executor: {cfg['executor']} ({where}); results under {cfg['out']}/")
    state = {"scenario": scenario, "overrides": view.all_overrides()}
    # The warnings of this pass's run or comparison; the list stored with the result is
    # this one, filled as `recorded` exits.
    said: list[str] = []
    with results_area:
        try:
            with page_warnings.recorded(said):
                if run_clicked and sc is not None:
                    res = run_view(view, _progress(f"running {sc.replications} replications"))
                    st.session_state.pop("last_compare", None)
                    st.session_state["last_run"] = {
                        "path": str(res.path), "command": run_command(view, sc),
                        "view": state, "warnings": said,
                    }
                if cmp_clicked and sc is not None and base_choice is not None:
                    _compare(view, base.with_scenario(base_choice), sc, state, said)
        except USER_ERRORS as exc:  # the CLI's one-line errors, not a traceback
            msg = str(exc)
            if "--allow-large" in msg:
                # The page has no such switch: say what the page can do.
                msg += (" from the command line (scosim run --allow-large); on this page, "
                        "lower the replications")
            st.error(f"scosim: error: {msg}")
            page_warnings.show(said, "page-warnings-error")  # what was said before it
        if "last_compare" in st.session_state:
            _show_compare(st.session_state["last_compare"], state)
        if "last_run" in st.session_state:
            _show_run(st.session_state["last_run"], state)


def _open_latest(cfg: dict[str, Any], scenarios: list[str]) -> None:
    """Open the page on the most recent finished run of a listed file, if there is one.

    Its scenario, seed and replications go into the form, and the run is shown as if
    just made, so the page opens on the latest result rather than on the first file
    of the list with no result at all.
    """
    found = latest_run(cfg["out"], scenarios, cfg["scenario"])
    if found is None:
        return
    m = found.manifest
    # Seed and replications have their own boxes (older runs recorded them as --set);
    # what the run wrote (outputs:, recorded apart) is its --set too.
    edits = {k: v for k, v in {**(m.get("overrides") or {}),
                               **(m.get("output_settings") or {})}.items()
             if k not in ("seed", "replications")}
    view = View(found.scenario, edits, m.get("seed"), m.get("replications"), cfg["out"],
                cfg["executor"], cfg["workers"], cfg["scheduler"])
    try:
        sc = view.load()
    except ScenarioError:
        return  # the file no longer takes the run's settings: open on the list as before
    try:
        opened = opened_form(found.scenario, edits)
    except ScenarioError:
        return
    stem = scenario_stem(found.scenario)
    st.session_state["scenario"] = found.scenario
    st.session_state[_key(stem, "seed")] = sc.seed
    st.session_state[_key(stem, "replications")] = sc.replications
    # The run's --set values in the form's boxes (a warning had said "the form does not
    # show them"), so that Run reruns the run; proposals it added as if added here.
    form = opened.form
    if form.added:
        st.session_state[f"added::{stem}"] = form.added
    fields = {f.path: f for f in form.fields}
    for path, value in form.values.items():
        st.session_state[_key(stem, path)] = widget_state(fields[path], value)
    shown = View(found.scenario, form.overrides(), m.get("seed"), m.get("replications"),
                 cfg["out"], cfg["executor"], cfg["workers"], cfg["scheduler"])
    st.session_state["last_run"] = {
        "path": str(found.path),
        # The form's command when the form is the run, else the run's own.
        "command": run_command(view if opened.unshown else shown, sc),
        "view": {"scenario": found.scenario, "overrides": shown.all_overrides()},
        "opened": found.when, "unshown": opened.unshown,
        # The file changed since the run: the form no longer shows what was run.
        "stale": scenario_hash(sc) != m.get("scenario_hash"),
    }


def _compare(view: View, bview: View, sc: Any, state: dict[str, Any],
             said: list[str]) -> None:
    bars = {w: _progress(f"{w}: {sc.replications} replications") for w in ("policy", "baseline")}
    reused: dict[str, str] = {}

    def on_reuse(which: str, path: Path) -> None:
        reused[which] = str(path)
        bars[which](1, 1, f"{which}: reusing the finished run {path}")

    comp, report, pres, bres = compare_view(view, bview, lambda w, d, t: bars[w](d, t),
                                            on_reuse)
    from scosim.api import compare_table

    st.session_state["last_compare"] = {
        "policy": str(pres.path), "baseline": str(bres.path), "report": str(report),
        "command": compare_command(view, bview, sc, bres.manifest["scenario"]),
        "edits": list(view.overrides), "baseline_file": bview.scenario, "view": state,
        # What `scosim compare` prints for the same pair: its year, title, units and notes.
        "table": compare_table(comp, view.out, report),
        "year": comp.report_year,  # the figure's, as the table's and the report's PNG
        "reused": reused,
        # Shown under the comparison's table (the policy's own are under its run, below).
        "warnings": said,
    }
    st.session_state["last_run"] = {
        "path": str(pres.path), "command": run_command(view, sc), "view": state,
    }


main()
