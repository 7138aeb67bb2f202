"""Who leaves an arrangement at every exit threshold, from one ensemble in which nobody leaves.

The built-in exit rule (``threshold_defect``) makes a participant leave after
``k`` consecutive years (``parameters.council.defection_years``) whose realised
welfare gain is below its exit threshold. Until a run's first exit, nothing the model
computes reads the threshold: the rule only counts bad years, and trade, votes and
trust do not look at the count. So one ensemble in which every participant stays, with
the realised gains each participant's rule would have read recorded, gives for every
threshold at once the year of each run's first exit and who leaves in it
(:func:`first_exits`). This is exact: the same runs made with the rule at a threshold
have their first exits in the same years by the same states (``tests/test_exit_curve.py``
checks it against the model). What happens after a first exit is not known from these
paths (the leaver's trade, and so everyone's gains, change), so later exits are only
bounded: :func:`critical_thresholds` gives, per run, the largest threshold at which a
state would never complete ``k`` bad years if nobody else left first.

Used by ``scosim exits`` (:mod:`scosim.exit_curve_cli`; the table and figure of docs/model.md,
"How the exits depend on the threshold").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

__all__ = ["ANY", "EXIT_RULE", "RECORDER", "ExitPaths", "FirstExits", "critical_thresholds",
           "curve_table", "falling_curves", "fire_index", "first_exits", "plot_curve",
           "reading_note", "record_paths", "stay_and_record"]

#: The exit rule the curves describe.
EXIT_RULE = "threshold_defect"
#: The ``country`` of :func:`curve_table`'s rows for "some participant leaves".
ANY = "any"
#: The rule that stands in for it while the paths are recorded (a dotted rule path).
RECORDER = "scosim.exit_curve:stay_and_record"

# What the recorder saw in the batch being run: (proposal id, state) -> year -> arrays.
_seen: dict[tuple[str, str], dict[int, tuple[np.ndarray, np.ndarray]]] | None = None


def stay_and_record(ctx: Any) -> np.ndarray:
    """A defect rule that never leaves, recording what ``threshold_defect`` would read.

    Args:
        ctx: The defection context (:class:`scosim.rules.context.DefectContext`).

    Returns:
        ``(R,)`` False.
    """
    if _seen is not None:
        key = (str(ctx.proposal.id), ctx.iso3)
        _seen.setdefault(key, {})[int(ctx.year)] = (
            np.array(ctx.realised, dtype=float), np.array(ctx.active, dtype=bool))
    return np.zeros(ctx.n_runs, dtype=bool)


@dataclass(frozen=True)
class ExitPaths:
    """Realised gains of every participant that could leave, in runs where none did.

    Attributes:
        runs: Run numbers, ``(R,)``.
        years: Years, ``(T,)``.
        k: Bad years in a row after which the rule leaves.
        thresholds: Each state's exit threshold in the scenario (fraction).
        fixed: The states with a threshold of their own (``countries.<CODE>.exit_threshold``):
            they keep it when the council's threshold varies.
        blocs: Per proposal id, the blocs that leave it as one (a member's exit takes the
            others out: the EAEU in a wider customs union).
        realised: Per ``(proposal id, state)``: realised gain (fraction), ``(T, R)``,
            NaN in years its rule was not asked.
        active: Per ``(proposal id, state)``: whether its rule was asked, ``(T, R)``.
    """

    runs: np.ndarray
    years: np.ndarray
    k: int
    thresholds: dict[str, float]
    fixed: dict[str, float]
    blocs: dict[str, tuple[tuple[str, ...], ...]]
    realised: dict[tuple[str, str], np.ndarray]
    active: dict[tuple[str, str], np.ndarray]
    #: Per ``(proposal id, state)``: the largest realised gain in each window of ``k``
    #: active years ending at each year, ``(T, R)`` (:func:`_windows`): what every
    #: threshold is compared with, computed once, not once a threshold.
    windows: dict[tuple[str, str], np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "windows", {
            key: _windows(self.realised[key], self.active[key], self.k)
            for key in self.realised})


class FirstExits(NamedTuple):
    """Each run's first exit at a threshold (:func:`first_exits`).

    Attributes:
        year: The year of each run's first exit, ``(R,)`` (0 where none).
        own: Per ``(proposal id, state)``: leaves by its own rule in that year, ``(R,)``.
        bloc: Per ``(proposal id, state)``: leaves in that year because a member of its
            bloc did (only the states that do in some run).
    """

    year: np.ndarray
    own: dict[tuple[str, str], np.ndarray]
    bloc: dict[tuple[str, str], np.ndarray]


def record_paths(
    path: str | os.PathLike[str], runs: Iterable[int], *,
    overrides: Mapping[str, Any] | None = None, batch_size: int = 250,
    calibration: Any = None, progress: Callable[[int, int], None] | None = None,
) -> ExitPaths:
    """Run a scenario with every participant kept in and record the exit rule's inputs.

    Args:
        path: Scenario file.
        runs: Run numbers (the same runs as ``scosim run`` makes with the same seed).
        overrides: Scenario overrides (as ``--set``), applied before the recorder.
        batch_size: Runs per model.
        calibration: A loaded calibration (default: the packaged one, as ``scosim run``).
        progress: Called with (runs done, runs in all) after each batch.

    Returns:
        The recorded paths.

    Raises:
        ValueError: When a state whose rule was asked (a participant of an arrangement
            that allows exits) leaves by another rule than ``threshold_defect``: the
            curves describe that rule only.
        scosim.experiments.executors.BatchError: A batch failed (``__cause__`` is why).
    """
    global _seen
    from scosim.data import load_calibration
    from scosim.experiments.executors import BatchError
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    cal = calibration if calibration is not None else load_calibration()
    codes = tuple(cal.countries.index)
    ov = dict(overrides or {})
    sc = load_scenario(path, overrides=ov)
    ov["parameters.rules.defect"] = RECORDER
    for code, country in sc.countries.items():
        if "defect" in country.rules:
            ov[f"countries.{code}.rules.defect"] = RECORDER
    rec = load_scenario(path, overrides=ov)
    run_list = np.asarray(list(runs), dtype=np.int64)
    per_key: dict[tuple[str, str], list[dict[int, tuple[np.ndarray, np.ndarray]]]] = {}
    years: list[int] = []
    blocs: dict[str, tuple[tuple[str, ...], ...]] = {}
    batches = [run_list[i:i + batch_size] for i in range(0, len(run_list), batch_size)]
    done = 0
    for b, batch in enumerate(batches):
        _seen = {}
        try:
            model = SCOModel(rec, runs=batch.tolist(), calibration=cal)
            model.run_model()
            seen = _seen
        except Exception as exc:
            # As a batch of `scosim run` fails: named, with its cause (a plug-in rule
            # that raised or returned nonsense), and said by the CLI without a traceback.
            raise BatchError(b, exc) from exc
        finally:
            _seen = None
        years = [int(y) for y in model.years]
        for arr in model.arrangements:
            groups = getattr(arr, "blocs", None) or ()
            if groups:
                blocs[str(arr.pid)] = tuple(tuple(model.codes[i] for i in g) for g in groups)
        for key in sorted(set(per_key) | set(seen)):
            per_key.setdefault(key, [{}] * b).append(seen.get(key, {}))
        done += len(batch)
        if progress is not None:
            progress(done, len(run_list))
    # Only the states whose rule was asked (those in an arrangement that allows exits)
    # must follow the rule the curves describe.
    others = sorted({f"{c}: {r}" for _, c in per_key
                     if (r := sc.rules_for(c)["defect"]) != EXIT_RULE})
    if others:
        raise ValueError(f"{os.fspath(path)}: the exit curves describe the rule {EXIT_RULE!r}; "
                         f"these states may leave by another: {', '.join(others)}")
    realised, active = {}, {}
    for key, parts in per_key.items():
        r_cols, a_cols = [], []
        for batch, by_year in zip(batches, parts, strict=True):
            r = np.full((len(years), len(batch)), np.nan)
            a = np.zeros((len(years), len(batch)), dtype=bool)
            for t, y in enumerate(years):
                if y in by_year:
                    r[t], a[t] = by_year[y]
            r_cols.append(r)
            a_cols.append(a)
        realised[key] = np.concatenate(r_cols, axis=1)
        active[key] = np.concatenate(a_cols, axis=1)
    fixed = {c: float(ov_c.exit_threshold) for c, ov_c in sc.countries.items()
             if ov_c.exit_threshold is not None}
    return ExitPaths(runs=run_list, years=np.asarray(years),
                     k=sc.parameters.council.defection_years,
                     thresholds={c: sc.exit_threshold_for(c) for c in codes}, fixed=fixed,
                     blocs=blocs, realised=realised, active=active)


def _windows(realised: np.ndarray, active: np.ndarray, k: int) -> np.ndarray:
    """Largest realised gain in each window of ``k`` active years ending at t, ``(T, R)``.

    +inf where the window is shorter than ``k`` or holds a year the state was not in.
    """
    n_years = realised.shape[0]
    out = np.full(realised.shape, np.inf)
    vals = np.where(active, realised, np.inf)
    for t in range(k - 1, n_years):
        out[t] = vals[t - k + 1:t + 1].max(axis=0)
    return out


def fire_index(realised: np.ndarray, active: np.ndarray, k: int, threshold: float
               ) -> np.ndarray:
    """Index of the year in which the rule first leaves, per run; -1 if it never does.

    The rule leaves in the year that completes ``k`` consecutive active years with a
    realised gain below ``threshold`` (``realised < threshold``, as
    :func:`scosim.mechanisms.voting.update_bad_years` counts them).

    Args:
        realised: ``(T, R)`` realised gains (fraction).
        active: ``(T, R)`` whether the state's rule was asked.
        k: Bad years in a row.
        threshold: Exit threshold (fraction).

    Returns:
        ``(R,)`` int.
    """
    return _first_fire(_windows(realised, active, k) < threshold)


def _first_fire(fires: np.ndarray) -> np.ndarray:
    """Index of each run's first True year in ``fires`` ``(T, R)``; -1 where none."""
    return np.where(fires.any(axis=0), np.argmax(fires, axis=0), -1)


def critical_thresholds(realised: np.ndarray, active: np.ndarray, k: int) -> np.ndarray:
    """Per run, the threshold above which the rule would leave: ``min over windows of max``.

    The rule leaves at some point exactly when the threshold exceeds this value (if
    nobody left before); +inf when the state never has ``k`` active years in a row.

    Returns:
        ``(R,)`` float (fraction).
    """
    return _windows(realised, active, k).min(axis=0)


def first_exits(paths: ExitPaths, threshold: float | Mapping[str, float]) -> FirstExits:
    """Each run's first exit at a threshold: its year, and who leaves in it.

    Args:
        paths: Recorded paths.
        threshold: The council's threshold (states with one of their own keep it:
            :attr:`ExitPaths.fixed`), or one per state (missing states keep their
            scenario's).

    Returns:
        The year and the leavers, by their own rule and with their bloc (as
        :func:`scosim.mechanisms.blocs.blocs_move_together` takes a bloc out of an
        arrangement that reaches beyond it). Exact for the first exit (module docstring).
    """
    from scosim.mechanisms.blocs import blocs_move_together

    n_runs = len(paths.runs)
    per_state = ({**paths.thresholds, **threshold} if isinstance(threshold, Mapping)
                 else {**dict.fromkeys(paths.thresholds, float(threshold)), **paths.fixed})
    idx = {key: _first_fire(w < per_state[key[1]]) for key, w in paths.windows.items()}
    big = np.iinfo(np.int64).max
    first = np.full(n_runs, big)
    for i in idx.values():
        first = np.minimum(first, np.where(i >= 0, i, big))
    own = {key: (i >= 0) & (i == first) for key, i in idx.items()}
    some = first < big
    t = np.minimum(first, len(paths.years) - 1)
    year = np.where(some, paths.years[t], 0)
    bloc: dict[tuple[str, str], np.ndarray] = {}
    for pid, groups in paths.blocs.items():
        codes = sorted({c for p, c in paths.realised if p == pid})
        col = {c: j for j, c in enumerate(codes)}
        leaving = np.stack([own[(pid, c)] for c in codes], axis=1)
        taking_part = np.stack([paths.active[(pid, c)][t, np.arange(n_runs)] & some
                                for c in codes], axis=1)
        moved = blocs_move_together(
            leaving, [np.array([col[c] for c in g if c in col], dtype=np.int64)
                      for g in groups], "any", within=taking_part) & taking_part
        for c in codes:
            taken = moved[:, col[c]] & ~leaving[:, col[c]]
            if taken.any():
                bloc[(pid, c)] = taken
    return FirstExits(year, own, bloc)


def curve_table(paths: ExitPaths, thresholds: Iterable[float], *,
                order_at: float | None = None) -> Any:
    """Exit shares at each council threshold, per arrangement and state (a tidy table).

    Args:
        paths: Recorded paths.
        thresholds: The council's thresholds (fraction); states with their own keep it.
        order_at: Order the states by their share at this threshold (most first), else
            by the lowest threshold at which they leave in some run.

    Returns:
        A DataFrame with ``proposal``, ``country``, ``threshold_pct`` (percent),
        ``runs``, ``leaves`` (runs in which it leaves at the run's first exit, exact: by
        its own rule, ``leaves_own``, or with its bloc, ``leaves_with_bloc``),
        ``share_pct`` (leaves / runs, percent) with its 90 % Wilson interval
        (``share_lo_pct``, ``share_hi_pct``), ``would_leave`` (runs in which its own rule
        would fire had nobody left before: an upper bound once another state may leave
        first), ``would_leave_bloc`` (runs in which its own rule or a bloc partner's would
        fire had nobody left before: the upper bound of ``leaves``, the same as
        ``would_leave`` for a state in no bloc) and ``median_year`` (of those first exits;
        NaN where none). Rows with
        ``country`` :data:`ANY` count the runs in which some participant leaves at the
        first exit. States that never leave at these thresholds are left out.
    """
    import pandas as pd
    from statsmodels.stats.proportion import proportion_confint

    n_runs = len(paths.runs)
    crit = {key: w.min(axis=0) for key, w in paths.windows.items()}  # critical_thresholds
    pids = sorted({key[0] for key in paths.realised})
    # A bloc member leaves with its bloc when a partner's rule fires (blocs_move_together):
    # its upper bound is any member's rule firing, not its own alone.
    partners = {(pid, c): [(pid, m) for m in g if (pid, m) in crit]
                for pid, groups in paths.blocs.items() for g in groups for c in g}
    rows = []
    for th in thresholds:
        fx = first_exits(paths, float(th))
        limit = {c: paths.fixed.get(c, float(th)) for _, c in crit}
        for key, own in fx.own.items():
            bloc = fx.bloc.get(key, np.zeros(n_runs, dtype=bool))
            m = own | bloc
            with_bloc = np.any([crit[b] < limit[b[1]] for b in partners.get(key, [key])],
                               axis=0)
            rows.append((key[0], key[1], 100.0 * float(th), n_runs, int(m.sum()),
                         int(own.sum()), int(bloc.sum()),
                         int((crit[key] < limit[key[1]]).sum()), int(with_bloc.sum()),
                         float(np.median(fx.year[m])) if m.any() else float("nan")))
        for pid in pids:
            # ANY: some state leaves the arrangement at the run's first exit
            m = np.any([v for key, v in fx.own.items() if key[0] == pid], axis=0)
            would = np.any([crit[key] < limit[key[1]] for key in crit if key[0] == pid],
                           axis=0)
            rows.append((pid, ANY, 100.0 * float(th), n_runs, int(m.sum()), int(m.sum()), 0,
                         int(would.sum()), int(would.sum()),
                         float(np.median(fx.year[m])) if m.any() else float("nan")))
    df = pd.DataFrame(rows, columns=["proposal", "country", "threshold_pct", "runs", "leaves",
                                     "leaves_own", "leaves_with_bloc", "would_leave",
                                     "would_leave_bloc", "median_year"])
    # -0.55, not -0.5499999999999999; 0, not -0
    df["threshold_pct"] = df["threshold_pct"].round(9) + 0.0
    df = df[df.groupby(["proposal", "country"])["leaves"].transform("max") > 0]
    if order_at is not None:
        at = df[np.isclose(df["threshold_pct"], 100.0 * order_at)]
        key = at.set_index(["proposal", "country"])["leaves"].groupby(level=[0, 1]).max()
        rank = {k: -v for k, v in key.items()}
    else:
        low = df[df["leaves"] > 0].groupby(["proposal", "country"])["threshold_pct"].min()
        rank = dict(low.items())
    # The figure's colours and legend follow this order; "any" last.
    df = df.assign(_rank=[np.inf if c == ANY else rank.get((p, c), np.inf)
                          for p, c in zip(df["proposal"], df["country"], strict=True)],
                   _any=df["country"] == ANY)
    df = df.sort_values(["_any", "_rank", "proposal", "country", "threshold_pct"],
                        kind="stable")
    df = df.drop(columns=["_rank", "_any"]).reset_index(drop=True)
    df["share_pct"] = 100.0 * df["leaves"] / df["runs"]
    lo, hi = proportion_confint(df["leaves"], df["runs"], alpha=0.10, method="wilson")
    # Wilson's bounds at 0 and all runs come out a rounding error inside the share
    df["share_lo_pct"] = np.where(df["leaves"] == 0, 0.0, 100.0 * np.asarray(lo))
    df["share_hi_pct"] = np.where(df["leaves"] == df["runs"], 100.0, 100.0 * np.asarray(hi))
    return df[["proposal", "country", "threshold_pct", "runs", "leaves", "leaves_own",
               "leaves_with_bloc", "share_pct", "share_lo_pct", "share_hi_pct",
               "would_leave", "would_leave_bloc", "median_year"]]


#: How far (points of the share of runs) a state's solid line must fall below its peak at
#: a higher threshold for :func:`falling_curves` to name it: a run or two up and down is
#: the grid's noise, not another state leaving first.
FALL_PCT = 5.0


def falling_curves(table: Any) -> list[str]:
    """The states whose solid line falls as the threshold rises, each bloc once.

    Only each run's first exit is counted, so where another state leaves first at a
    higher threshold, a state's share can fall (India in customs_union.yaml, as Iran
    leaves earlier): a reader takes it for an error unless the figure says why.

    Args:
        table: :func:`curve_table`'s output.

    Returns:
        ``"IND India"``, or a bloc's members joined (``"ARM, BLR, KAZ, KGZ, RUS"``) when
        they share one line, in the table's order; empty when no line falls by
        :data:`FALL_PCT` points or more.
    """
    from scosim.mechanism_answer import economy_label

    seen: dict[tuple[str, bytes], list[str]] = {}
    falls: set[tuple[str, bytes]] = set()
    for (pid, code), g in table.groupby(["proposal", "country"], sort=False):
        if code == ANY:
            continue
        share = g.sort_values("threshold_pct")["share_pct"].to_numpy(float)
        key = (pid, g.sort_values("threshold_pct")["leaves"].to_numpy().tobytes())
        seen.setdefault(key, []).append(str(code))
        if share.size and (np.maximum.accumulate(share) - share).max() >= FALL_PCT:
            falls.add(key)
    return [economy_label(codes[0]) if len(codes) == 1 else ", ".join(codes)
            for key, codes in seen.items() if key in falls]


def reading_note(table: Any, own: float, excluded_above: float | None = None) -> str:
    """How to read the figure, in plain words: why a line falls, what the shading is.

    Args:
        table: :func:`curve_table`'s output.
        own: The scenario's exit threshold (fraction).
        excluded_above: The start of the shaded band (fraction), or None when not drawn.

    Returns:
        Up to two lines (``""`` when neither applies).
    """
    lines = []
    falling = falling_curves(table)
    if falling:
        who = "; ".join(falling)
        lines.append(f"{who}: the line can fall as the threshold rises, because only each "
                     "run's first exit is shown and another state then leaves first "
                     "(dashed: its own rule, had nobody left before).")
    if excluded_above is not None:
        edge, at = f"{100 * excluded_above:.2f}", f"{100 * own:.2f}"
        where = ("just above" if 0 < excluded_above - own <= 0.001 else
                 "above" if excluded_above > own else "below")
        lines.append(f"Shaded: thresholds above {edge} %, which the hindcast record rules "
                     f"out; it starts {where} the scenario's {at} %.")
    import textwrap

    # Wrapped to the figure's width: one long line squeezed the axes to a sliver.
    return "\n".join(textwrap.fill(line, 125) for line in lines)


def plot_curve(table: Any, path: str | os.PathLike[str], *, title: str,
               marks: Mapping[str, float] | None = None, excluded_above: float | None = None,
               note: str = "") -> None:
    """Share of runs in which each state leaves, against the exit threshold.

    Solid: the state leaves at its run's first exit (exact), with its band. Dashed, where
    it differs: its rule, or for a bloc's shared line a member's, would fire if nobody
    had left before (an upper bound: a curve that falls as the threshold rises means
    another state left first).

    Args:
        table: :func:`curve_table`'s output.
        path: PNG to write.
        title: Figure title.
        marks: Vertical lines to draw, label -> threshold (fraction).
        excluded_above: Shade the thresholds above this one (fraction): those a hindcast
            record rules out.
        note: A footnote under the axis label.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 5.4), layout="constrained")
    groups = list(table.groupby(["proposal", "country"], sort=False))
    several = table["proposal"].nunique() > 1
    if excluded_above is not None:
        ax.axvspan(100 * excluded_above, table["threshold_pct"].max(), color="tan",
                   alpha=0.15, linewidth=0, label="thresholds the record rules out")
    # States whose curves are the same line (a bloc that leaves as one) share one entry.
    same: dict[tuple[str, bytes], list[str]] = {}
    for (pid, code), g in groups:
        if code != ANY:
            curve = g.sort_values("threshold_pct")["leaves"].to_numpy().tobytes()
            same.setdefault((pid, curve), []).append(code)
    drawn: set[tuple[str, bytes]] = set()
    for (pid, code), g in groups:
        g = g.sort_values("threshold_pct")
        x = g["threshold_pct"].to_numpy()
        curve = (pid, g["leaves"].to_numpy().tobytes())
        if code != ANY and curve in drawn:
            continue
        drawn.add(curve)
        codes = ", ".join(same.get(curve, [code]))
        label = f"{codes} ({pid})" if several else codes
        if code == ANY:
            label = ("any state" if not several else f"any state ({pid})") + " (first exit)"
        line, = ax.step(x, g["share_pct"], where="mid", label=label,
                        **({"color": "black", "linewidth": 1.0, "linestyle": ":"}
                           if code == ANY else {}))
        if code != ANY:  # the states' bands; "any" repeats the first leaver's
            # no band where no run leaves: 0-1.3 % along the whole axis hid the curves
            ax.fill_between(x, g["share_lo_pct"], g["share_hi_pct"], step="mid",
                            where=(g["leaves"] > 0).to_numpy(), color=line.get_color(),
                            alpha=0.18, linewidth=0)
        # The bound of the solid line: for a bloc (its members' one line), any member's
        # rule firing takes it out; the EAEU's line had none while India's first exits
        # cut it down.
        if code != ANY and (g["would_leave_bloc"] != g["leaves"]).any():
            ax.step(x, 100 * g["would_leave_bloc"] / g["runs"], where="mid",
                    color=line.get_color(), linestyle="--", linewidth=0.9, alpha=0.8)
    if any(c != ANY and (g["would_leave_bloc"] != g["leaves"]).any()
           for (_, c), g in groups):
        ax.plot([], [], color="0.3", linestyle="--", linewidth=0.9,
                label="dashed: its own rule (a bloc: a member's)\nwould fire had nobody "
                      "left before")
    for i, (label, th) in enumerate((marks or {}).items()):
        ax.axvline(100 * th, color="0.3", linestyle=("--", ":", "-.")[i % 3], linewidth=1)
        ax.annotate(label, xy=(100 * th, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(-3, -3 - 12 * i), textcoords="offset points", ha="right",
                    va="top", fontsize=8, color="0.25")
    ax.set_xlabel("the council's exit threshold: realised welfare change below which a year "
                  "counts as bad (% of real expenditure)")
    ax.set_ylabel("runs in which the state leaves at the first exit (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3)
    if groups:
        ax.legend(title="leaves by its own rule or with its bloc", fontsize=8,
                  title_fontsize=8, loc="center left")
    if note:
        ax.annotate(note, xy=(0.5, 0.0), xycoords=ax.xaxis.label, xytext=(0, -6),
                    textcoords="offset points", ha="center", va="top", fontsize=8,
                    style="italic", color="0.25")
    fig.savefig(path, dpi=130)
    plt.close(fig)
