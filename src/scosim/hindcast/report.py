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

__all__ = ["hindcast_cli", "plot_hindcast", "score_lines"]

_LABELS = {"council": "Council",
           "consensus_always_fails": "p = 0\n(never adopted /\nnever happens)",
           "always_adopted": "p = 1\n(always)"}


def _bars(ax: object, s: pd.DataFrame, col: str, ylabel: str, title: str) -> None:
    vals = s[col].to_numpy(float)
    lo = s[f"{col}_lo"].fillna(s[col]).to_numpy(float)
    hi = s[f"{col}_hi"].fillna(s[col]).to_numpy(float)
    x = np.arange(len(s))
    ax.bar(x, vals, yerr=np.vstack([vals - lo, hi - vals]), capsize=6,
           color=["tab:green", "grey", "lightgrey"][: len(s)], edgecolor="k")
    for xi, v in zip(x, vals, strict=True):
        ax.text(xi, v, f"{v:.3f}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [_LABELS.get(f, f) for f in s["forecast"]], fontsize=8)
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
    and log-loss of the Council and the naive forecasts, with 90 % bootstrap intervals
    over replications.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(14, 9))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.6, 1])
    a1 = fig.add_subplot(grid[:, 0])
    # Compact the per-year series (FTZ, applications, exits) into one row each
    # per sample, so every row of the chart is readable.
    d = _row_keys(df)
    # Items of a series with different outcomes stay apart: a mean of a 0 and a 1 would
    # draw a miss as a half-right dot.
    g = (d.groupby(["kind", "group", "sample", "observed"], sort=False)
         .agg(p=("p", "mean"), n=("p", "size"), y0=("year", "min"), y1=("year", "max"),
              stem=("stem", "first"))
         .reset_index())
    g["label"] = [f"{r.stem} {r.y0}" + (f"-{r.y1} ({r.n})" if r.n > 1 else "")
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
    held = scores[scores["sample"] == "held_out"]
    _bars(fig.add_subplot(grid[0, 1]), held, "brier", "Brier score (0 = perfect; lower is better)",
          f"Held-out years (> {TRAIN_END}), {int(held['n_items'].iloc[0])} items\n"
          "Council: its runs' sampling variance removed;\n"
          "90 % bootstrap interval over runs")
    _bars(fig.add_subplot(grid[1, 1]), held, "log_loss",
          "log-loss (nats; p clipped to [0.01, 0.99])", "Held-out log-loss")
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
            "scenarios (default: the repository's scenarios/hindcasts)")


def hindcast_cli(args: argparse.Namespace) -> int:
    """``scosim hindcast``: run, print the score table, write CSV and PNG."""
    if args.replications < 1:
        print(f"scosim: error: --replications must be >= 1, got {args.replications}",
              file=sys.stderr)
        return 2
    if args.dir and (problem := missing_files(Path(args.dir))):
        print(f"scosim: error: {problem}", file=sys.stderr)
        return 2
    df = run_hindcast(args.replications, Path(args.dir) if args.dir else None)
    scores = score_table(df)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.drop(columns="draws").to_csv(out / "hindcast_items.csv", index=False)
    scores.to_csv(out / "hindcast_scores.csv", index=False)
    plot_hindcast(df, scores, out / "hindcast.png")
    print(ITEMS_LEGEND.format(n=args.replications, end=TRAIN_END))
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.max_rows", 500):
        print(df.drop(columns="draws").to_string(index=False))
    print()
    print("\n".join(score_lines(scores, args.replications)))
    print(f"\nwritten: {out / 'hindcast_items.csv'}, {out / 'hindcast_scores.csv'} (with the "
          f"log-loss), {out / 'hindcast.png'}")
    return 0


#: What the items table's columns mean, printed above it.
ITEMS_LEGEND = ("Each item: p = share of the {n} runs in which it happened (adopted, voted yes, "
                "applied, left the EAEU);\nobserved = the record (1: it happened); sample = "
                "train (up to {end}) or held_out (after).")

#: Rows of the printed score summary: (sample in ``score_table``, label).
_SUMMARY_ROWS = (("held_out", "held out, every kind"), ("held_out:adoption", "  adoptions"),
                 ("held_out:vote", "  members' votes"), ("held_out:application", "  applications"),
                 ("held_out:exit", "  EAEU exits"), ("train", "training years, every kind"),
                 ("all", "all years, every kind"))


def score_lines(scores: pd.DataFrame, replications: int) -> list[str]:
    """The Brier scores in plain words: the Council beside the two naive forecasts.

    The figures the README quotes (held-out Brier with its interval), so a reader need
    not find them among the rows of ``hindcast_scores.csv``.
    """
    by = scores.set_index(["sample", "forecast"])
    n_all = int(by.loc[("all", "council"), "n_items"])
    held = " and is scored on those after" if "held_out" in scores["sample"].values else ""
    text = (f"Brier score on {n_all} items of the SCO record (0 = perfect, lower is better). "
            f"The Council was fitted to the items up to {TRAIN_END}{held}. Its p comes from "
            f"{replications} runs an item; its score is that of the model's probabilities "
            "(the runs' sampling variance removed), with the 90 % bootstrap interval over "
            "runs.")
    out = [*textwrap.wrap(text, 92),
           "Beside it, the naive forecasts: p = 0 and p = 1 for every item.",
           f"  {'items':<28} {'n':>4}  {'Council':>21}  {'p = 0 (never)':>13}  "
           f"{'p = 1 (always)':>14}"]
    for sample, label in _SUMMARY_ROWS:
        if (sample, "council") not in by.index:
            continue
        c = by.loc[(sample, "council")]
        council = f"{c['brier']:.3f} ({c['brier_lo']:.3f}-{c['brier_hi']:.3f})"
        never = by.loc[(sample, "consensus_always_fails"), "brier"]
        always = by.loc[(sample, "always_adopted"), "brier"]
        out.append(f"  {label:<28} {int(c['n_items']):>4}  {council:>21}  {never:>13.3f}  "
                   f"{always:>14.3f}")
    return out + _tie_notes(by)


def _tie_notes(by: pd.DataFrame) -> list[str]:
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
    return [line for n in notes for line in textwrap.wrap(n, 92, subsequent_indent="  ")]
