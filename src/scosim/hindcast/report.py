"""``scosim hindcast``: the score table, the items table and the plot."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.hindcast.records import TRAIN_END
from scosim.hindcast.run import run_hindcast
from scosim.hindcast.scoring import score_table
from scosim.tty_lines import labelled, message, prose, to_stderr, tty_width

__all__ = ["hindcast_cli", "plot_hindcast", "score_lines"]

_LABELS = {"council": "Council",
           "consensus_always_fails": "p = 0\n(never adopted /\nnever happens)",
           "always_adopted": "p = 1\n(always)",
           "base_rate": "training\nbase rate\nof the kind",
           "persistence": "persistence\n(last outcome\nof the decision)"}


def _bars(ax: object, s: pd.DataFrame, col: str, ylabel: str, title: str,
          interval: str | None = None) -> None:
    vals = s[col].to_numpy(float)
    x = np.arange(len(s))
    yerr = None
    if interval and f"{interval}_lo" in s:
        lo = s[f"{interval}_lo"].fillna(s[col]).to_numpy(float)
        hi = s[f"{interval}_hi"].fillna(s[col]).to_numpy(float)
        yerr = np.vstack([np.maximum(vals - lo, 0), np.maximum(hi - vals, 0)])
    bars = ax.bar(x, vals, yerr=yerr, capsize=6,
                  color=["tab:green", "grey", "lightgrey", "tan", "wheat"][: len(s)],
                  edgecolor="k")
    # Each value above its bar's error bar, where it has one (matplotlib's bar_label puts
    # it at the whisker's end): drawn at the bar's top, the Council's was struck through by
    # its interval (an outside review, 2026-12-07). A few points of padding clear the cap.
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in vals], padding=3, fontsize=9)
    # Room above the highest whisker for its label: bar_label does not widen the axes.
    top = float(np.nanmax(vals + (yerr[1] if yerr is not None else 0)))
    if np.isfinite(top) and top > 0:
        ax.set_ylim(0, top * 1.15)
    ax.set_xticks(x, [_LABELS.get(f, f) for f in s["forecast"]], fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)


def _row_keys(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each item's row of the figure (``group``) and its label's stem.

    A member's EAEU exits share a row, as do the years of a record's ``series`` (a
    vote of such a record: with the same member's votes); any other item is a row of
    its own. Stems drop a trailing year (``partners_2021``: ``partners``; the label adds
    the years).
    """
    d = df.copy()
    series = d["series"] if "series" in d else pd.Series(None, index=d.index, dtype=object)
    group = d["item"].astype(str)
    exit_ = d["kind"] == "exit"
    group[exit_] = group[exit_].str.replace(r":\d{4}$", "", regex=True)
    in_series = series.notna() & ~exit_
    group[in_series] = [item.replace(rec, s, 1) for item, rec, s in zip(
        d.loc[in_series, "item"], d.loc[in_series, "record"], series[in_series], strict=True)]
    d["group"] = group
    d["stem"] = group.where(exit_, group.str.replace(r"_(19|20)\d\d$", "", regex=True))
    return d


def plot_hindcast(df: pd.DataFrame, scores: pd.DataFrame, path: Path) -> None:
    """Predicted probability vs outcome by kind of item; held-out Brier and log-loss.

    Left: each item's predicted probability (the share of runs) and the record, a row
    per decision. The years of one decision taken again (a record's ``series``: the FTZ,
    the Development Bank, an application; a member's EAEU exit) with the same record
    and sample share a row: their mean as a large dot, each year's as a small one.
    Decisions of their own (``series`` None, such as the 2021 and 2022 dialogue-partner
    decisions) have a row each, whatever their names. Right: the held-out Brier score
    and log-loss of the Council and the reference forecasts (p = 0, p = 1, the training
    base rate, persistence) on the headline items, the Brier with the Council's 90 %
    interval over decision clusters.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(16, 9.5))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.6, 1])
    a1 = fig.add_subplot(grid[:, 0])
    # Compact the per-year series (FTZ, applications, exits) into one row each
    # per sample, so every row of the chart is readable.
    d = _row_keys(df)
    # Items of a series with different outcomes stay apart: a mean of a 0 and a 1 would
    # draw a miss as a half-right dot.
    if "coding" not in d:
        d["coding"] = "observed"
    g = (d.groupby(["kind", "group", "sample", "observed"], sort=False)
         .agg(p=("p", "mean"), n=("p", "size"), y0=("year", "min"), y1=("year", "max"),
              stem=("stem", "first"), coding=("coding", "first"))
         .reset_index())
    # items coded from the outcome or constructed are drawn but not in the headline score
    g["label"] = [f"{r.stem} {r.y0}" + (f"-{r.y1} ({r.n})" if r.n > 1 else "")
                  + ("" if r.coding == "observed" else " [not scored]")
                  for r in g.itertuples()]
    ypos = np.arange(len(g))
    colors = np.where(g["sample"] == "train", "tab:blue", "tab:orange")
    # Each yearly item as a small dot on its row: the mean alone would draw a 0 and a 1
    # (a miss and a hit) as one half-right dot.
    row = d.merge(g.reset_index()[["kind", "group", "sample", "observed", "index"]],
                  on=["kind", "group", "sample", "observed"])
    many = row.groupby("index")["p"].transform("size") > 1
    a1.scatter(row.loc[many, "p"], row.loc[many, "index"], s=10, zorder=2, alpha=0.6,
               c=np.where(row.loc[many, "sample"] == "train", "tab:blue", "tab:orange"))
    a1.scatter(g["p"], ypos, c=colors, s=40, zorder=3)
    a1.scatter(g["observed"], ypos, marker="x", c="k", s=40, zorder=4)
    a1.set_yticks(ypos, g["label"], fontsize=7)
    a1.set_xlim(-0.05, 1.05)
    a1.invert_yaxis()
    a1.set_xlabel("probability (share of runs): adopted / applied / voted yes / left the EAEU")
    a1.set_title("Predicted (dots; blue: up to 2019, orange: held out) vs record (x)\n"
                 "rows with (n): one decision taken in n years with the same record: "
                 "their mean (large dot), each year's (small dots)", fontsize=10)
    a1.grid(axis="x", alpha=0.3)
    held = scores[(scores["sample"] == "held_out")
                  & scores["forecast"].isin(list(_LABELS))]
    _bars(fig.add_subplot(grid[0, 1]), held, "brier", "Brier score (0 = perfect; lower is better)",
          f"Held out (> {TRAIN_END}; pseudo-out-of-sample), "
          f"{int(held['n_items'].iloc[0])} headline items\n"
          "Council: runs' sampling variance removed;\n"
          "90 % interval over decision clusters", interval="brier_cl")
    _bars(fig.add_subplot(grid[1, 1]), held, "log_loss",
          "log-loss (nats; p clipped to [0.01, 0.99])",
          "Held-out log-loss (the clip sets each miss's loss)")
    fig.suptitle("scosim Council hindcast against SCO decisions 2004-2025", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def missing_files(directory: Path) -> str | None:
    """What ``--dir`` lacks of the records' scenario files (None: it holds them all).

    Checked before any record runs: an empty directory was reported as its first
    record's file, ``.../ftz_2004.yaml: file not found``, as if one file were amiss.
    """
    from scosim.hindcast.records import RECORDS

    names = list(dict.fromkeys(f"{rec.name}.yaml" for rec in RECORDS))
    missing = [n for n in names if not (directory / n).is_file()]
    if not missing:
        return None
    shown = ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")
    lacks = ("holds none" if len(missing) == len(names)
             else f"lacks {len(missing)}") + f" of the hindcast's {len(names)} scenario files"
    return (f"--dir {directory} {lacks} ({shown}); give the directory of the hindcast "
            "scenarios (default: the shipped scenarios' hindcasts/)")


def hindcast_cli(args: argparse.Namespace) -> int:
    """``scosim hindcast``: run, print the score table, write CSV and PNG."""
    # Errors as every command's (scosim.cli_errors.say): wrapped on a terminal, one line piped.
    if args.replications < 1:
        to_stderr(f"scosim: error: --replications must be >= 1, got {args.replications}")
        return 2
    if args.dir and (problem := missing_files(Path(args.dir))):
        to_stderr(f"scosim: error: {problem}")
        return 2
    df = run_hindcast(args.replications, Path(args.dir) if args.dir else None)
    scores = score_table(df)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.drop(columns="draws").to_csv(out / "hindcast_items.csv", index=False)
    scores.to_csv(out / "hindcast_scores.csv", index=False)
    plot_hindcast(df, scores, out / "hindcast.png")
    width = tty_width(sys.stdout)  # None piped: every line as before, scripts read them
    print(message(ITEMS_LEGEND.format(n=args.replications, end=TRAIN_END), width))
    if width is None:  # piped: every item, as before (scripts read the rows)
        with pd.option_context("display.width", 160, "display.max_columns", 20,
                               "display.max_rows", 500):
            print(df.drop(columns="draws").to_string(index=False))
    else:
        print("\n".join(miss_lines(df, out / "hindcast_items.csv", width)))
    print()
    print("\n".join(score_lines(scores, args.replications, width)))
    print()
    written = labelled("written:", [f"{out / 'hindcast_items.csv'},",
                                    f"{out / 'hindcast_scores.csv'} (with the log-loss),",
                                    str(out / "hindcast.png")], width, 9)
    # A path too long for its line stands alone; what follows it goes on the next.
    print(message("\n".join(written), width))
    return 0


#: Items a terminal shows: the misses that make the Brier score, the rest in the CSV.
_MAX_MISSES = 12


def miss_lines(df: pd.DataFrame, csv: Path, width: int) -> list[str]:
    """The items furthest from the record, in a table that fits a terminal's ``width``.

    Printed on a terminal in place of every item (176 rows of 130 columns, each folded,
    buried the scores below them): an item whose p equals its record adds nothing to
    the Brier score, so the largest ``(p - observed)^2`` (at most :data:`_MAX_MISSES`)
    are what a reader of the score needs; every item is in ``csv``. Only the columns
    read here: ``record`` repeats the item and ``series`` is mostly empty.
    """
    err = (df["p"] - df["observed"]) ** 2
    miss = df.assign(err=err)[err > 0].sort_values("err", ascending=False, kind="stable")
    shown = miss.head(_MAX_MISSES)
    head = (f"The items furthest from the record, largest (p - observed)^2 (the terms the "
            f"Brier score averages) first: {len(shown)} of the {len(miss)} whose p is not "
            f"their record, of {len(df)} items; every item in {csv}:")
    if miss.empty:
        head = f"Every item's p equals its record (all {len(df)} in {csv})."
    rows = []
    if not shown.empty:
        cols = shown[["item", "kind", "year", "observed", "p", "sample"]].astype(
            {"year": int, "observed": int})
        cols["p"] = [f"{v:.2f}" for v in cols["p"]]
        rows = ["  " + x for x in cols.to_string(index=False).splitlines()]
    return [*message(head, width).split("\n"), *rows]


#: What the items table's columns mean, printed above it.
ITEMS_LEGEND = ("Each item: p = share of the {n} runs in which it happened (adopted, voted yes, "
                "applied, left the EAEU);\nobserved = the record (1: it happened); sample = "
                "train (up to {end}) or held_out (after).")

#: Rows of the printed score summary: (sample in ``score_table``, label).
_SUMMARY_ROWS = (("held_out", "held out, every kind"), ("held_out:adoption", "  adoptions"),
                 ("held_out:vote", "  members' votes"), ("held_out:application", "  applications"),
                 ("held_out:exit", "  EAEU exits"), ("train", "training years, every kind"),
                 ("all", "all years, every kind"))


#: The score table's row labels, shorter than the skill scores' (the kinds indented under
#: their sample say "every kind").
_TABLE_LABELS = {"held_out": "held out", "train": "training years", "all": "all years"}


def _num(row: pd.Series, col: str) -> float:
    """``row[col]`` as a float, NaN where the column is missing or empty."""
    v = row.get(col, np.nan)
    return float(v) if v is not None and pd.notna(v) else float("nan")


def _fmt(v: float, width: int, digits: int = 3) -> str:
    return f"{'-' if np.isnan(v) else f'{v:.{digits}f}':>{width}}"


#: The width the score summary's prose is wrapped at piped (and on a wider terminal).
_WRAP = 92


def _wrap(text: str, width: int | None, indent: str = "") -> list[str]:
    """``text`` wrapped at :data:`_WRAP` piped (as before), else at the terminal's ``width``.

    On a terminal never inside a word (:func:`scosim.tty_lines.prose`).
    """
    if width is None:
        return textwrap.wrap(text, _WRAP, subsequent_indent=indent)
    return prose(text, min(width, _WRAP), indent=indent).split("\n")


def _joined(lines: list[str], width: int | None) -> list[str]:
    """A paragraph split by hand at ~95 columns: as it is piped, rewrapped on a terminal."""
    return lines if width is None else _wrap(" ".join(lines), width)


def score_lines(scores: pd.DataFrame, replications: int,
                width: int | None = None) -> list[str]:
    """The Brier scores in plain words: the Council beside the reference forecasts.

    The figures the README quotes, so a reader need not find them among the rows of
    ``hindcast_scores.csv``: per sample and kind, the Council's Brier with its 90 %
    interval over decision clusters and the number of clusters (and Kish's effective
    number), beside p = 0, p = 1, the training base rate and persistence; then the
    Council's Brier skill score against the two informed references; the log-loss at
    both clips; the items outside the headline; the simulation noise. Its prose is
    wrapped at a terminal's ``width`` where given; its table's rows are kept whole.
    """
    by = scores.set_index(["sample", "forecast"])
    n_all = int(by.loc[("all", "council"), "n_items"])
    held = " and is scored on those after" if "held_out" in scores["sample"].values else ""
    text = (f"Brier score on the {n_all} headline items of the SCO record (0 = perfect, lower "
            f"is better). The Council was fitted to the items up to {TRAIN_END}{held}: "
            "pseudo-out-of-sample, since its structure was built with the later years known. "
            f"Its p comes from {replications} runs an item (the runs' sampling variance "
            "removed). Interval: 90 % over decision clusters (whole clusters of related "
            "items resampled); clusters: their number (Kish's effective number).")
    has = {f for _, f in by.index}
    refs = [(f, lab) for f, lab in (("consensus_always_fails", "p=0"),
                                    ("always_adopted", "p=1"), ("base_rate", "base"),
                                    ("persistence", "pers.")) if f in has]
    # 79 columns: the rows' labels shortened, the references' headings keyed in the line
    # above and a block of their own (the table was 97 wide: it folded at 80 columns).
    out = [*_wrap(text, width),
           *_joined(["Beside it: p=0 and p=1 (for every item), base = the training base rate "
                     "of each kind,", "pers. = persistence (the last outcome of the same "
                     "decision; 1 where none)."], width),
           f"  {'items':<16} {'n':>3}  {'clusters':>9}  {'Council':>19} "
           + "".join(f" {lab:>5}" for _, lab in refs)]
    for sample, label in _SUMMARY_ROWS:
        if (sample, "council") not in by.index:
            continue
        c = by.loc[(sample, "council")]
        lo, hi = _num(c, "brier_cl_lo"), _num(c, "brier_cl_hi")
        council = (f"{c['brier']:.3f} ({lo:.3f}-{hi:.3f})" if not np.isnan(lo)
                   else f"{c['brier']:.3f}")
        ncl, neff = _num(c, "n_clusters"), _num(c, "n_eff")
        clusters = "-" if np.isnan(ncl) else f"{int(ncl)} ({neff:.1f})"
        short = _TABLE_LABELS.get(sample, label)
        out.append(f"  {short:<16} {int(c['n_items']):>3}  {clusters:>9}  {council:>19} "
                   + "".join(f" {_fmt(_num(by.loc[(sample, f)], 'brier'), 5)}"
                             if (sample, f) in by.index else f" {'-':>5}" for f, _ in refs))
    out += (_skill_lines(by, width) + _log_loss_lines(by, width)
            + _other_lines(by, replications, width))
    return out + _tie_notes(by, width)


def _skill_lines(by: pd.DataFrame, width: int | None = None) -> list[str]:
    """The Council's Brier skill score against the base rate and persistence, with intervals."""
    if ("held_out", "persistence") not in by.index:
        return []
    out = _joined(["Brier skill score of the Council, 1 - Council / reference (1 perfect, 0 "
                   "no better, < 0 worse;", "90 % interval over decision clusters; P = share "
                   "of resamples in which the Council is no better):"], width)
    for sample, label in _SUMMARY_ROWS:
        parts = []
        for f, name in (("base_rate", "base rate"), ("persistence", "persistence")):
            if (sample, f) not in by.index:
                continue
            r = by.loc[(sample, f)]
            bss = _num(r, "bss")
            if np.isnan(bss):
                parts.append(f"{name} - (it scores 0)")
                continue
            lo, hi = _num(r, "bss_lo"), _num(r, "bss_hi")
            parts.append(f"{name} {bss:+.2f} ({lo:+.2f} to {hi:+.2f}), "
                         f"P {_num(r, 'p_not_better'):.2f}")
        line = f"  {label:<26} " + "; ".join(parts)
        if parts and (width is None or len(line) <= width):
            out.append(line)
        elif parts:  # on a narrow terminal, a reference a line, aligned under the first
            out += [f"  {label:<26} {parts[0]}" + (";" if len(parts) > 1 else ""),
                    *(" " * 29 + p for p in parts[1:])]
    return out


def _log_loss_lines(by: pd.DataFrame, width: int | None = None) -> list[str]:
    """The held-out and training log-loss at both clips: the clip sets the loss of a miss."""
    out = []
    for sample, label in (("held_out", "held out"), ("train", "training years")):
        if (sample, "council") not in by.index or "log_loss_001" not in by.columns:
            continue
        c = by.loc[(sample, "council")]
        never = by.loc[(sample, "consensus_always_fails")]
        out.append(f"  {label}: Council {c['log_loss']:.3f} / {_num(c, 'log_loss_001'):.3f}, "
                   f"p = 0 {never['log_loss']:.3f} / {_num(never, 'log_loss_001'):.3f}")
    if not out:
        return []
    return [*_joined(["Log-loss (nats), p clipped to [0.01, 0.99] / to [0.001, 0.999] (the "
                      "Council's forecasts are", "0 or 1 outside the exits and applications, "
                      "so the clip sets the loss of each miss):"], width), *out]


def _other_lines(by: pd.DataFrame, replications: int,
                 width: int | None = None) -> list[str]:
    """The items outside the headline, and the interval over runs (simulation noise)."""
    out = []
    if ("not_headline", "council") in by.index:
        c = by.loc[("not_headline", "council")]
        out += _wrap(
            f"Not in the headline: {int(c['n_items'])} adoption items coded from the outcome "
            "or constructed (the interested-members form; the BRI paragraph as a consensus "
            f"text): Council {c['brier']:.3f}, p = 0 "
            f"{by.loc[('not_headline', 'consensus_always_fails'), 'brier']:.3f}, p = 1 "
            f"{by.loc[('not_headline', 'always_adopted'), 'brier']:.3f}.", width)
    if ("held_out", "council") in by.index:
        c = by.loc[("held_out", "council")]
        out += _wrap(
            f"Simulation noise only (interval over the {replications} runs, not uncertainty "
            f"about skill): held out {c['brier_lo']:.3f}-{c['brier_hi']:.3f}.", width)
    return out


def _tie_notes(by: pd.DataFrame, width: int | None = None) -> list[str]:
    """A line for each row where the Council ties a naive forecast only on this Brier.

    The score removes the runs' sampling variance; with every outcome 0 (EAEU exits)
    a Council that gave some exits a probability above 0 read "0.000" beside "never"
    0.000, although its plain Brier and log-loss are worse.
    """
    notes = []
    for sample, label in _SUMMARY_ROWS:
        if (sample, "council") not in by.index:
            continue
        c = by.loc[(sample, "council")]
        for naive, name, what in (
                ("consensus_always_fails", "p = 0", "items that did not happen a probability "
                 "above 0"),
                ("always_adopted", "p = 1", "items that happened a probability below 1")):
            if (sample, naive) not in by.index:
                continue
            b = by.loc[(sample, naive)]
            if round(c["brier"], 3) <= round(b["brier"], 3) and c["log_loss"] > b["log_loss"]:
                notes.append(f"{label.strip()}: the Council ties {name} on this score but not on "
                             f"the plain Brier ({c['brier_plain']:.4f} against "
                             f"{b['brier']:.4f}) or the log-loss ({c['log_loss']:.3f} against "
                             f"{b['log_loss']:.3f}): it gave some {what}")
    return [line for n in notes for line in _wrap(n, width, indent="  ")]
