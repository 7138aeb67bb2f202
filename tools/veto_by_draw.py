"""Each member's no vote by quarter of the drawn weights, for a run with weights.draw.

Usage: python tools/veto_by_draw.py RUN_DIR [--countries RUS PAK ...] [--query EXPR]

For a ``scosim run`` made with ``--set parameters.weights.draw=confidence_set`` (or a
scenario that sets it), re-draws each run's sovereignty weight, dominance weight and vote
noise exactly as the model did (``scosim.model.weight_draw.draw_confidence_set`` at the
run's seed and run indices), joins them to each state's vote in the run's ``events/``, and
prints, for each proposal and state, the share of runs in which it voted no: overall and
in each quarter of runs ranked by each drawn value. ``--query`` keeps only the runs whose
draws satisfy a pandas expression over ``sovereignty``, ``trust``, ``dominance`` and
``vote_noise`` (e.g. ``"sovereignty >= 0.00005 or vote_noise <= 0.15"``).
docs/hindcasts.md ("Veto shares over the confidence set") quotes it.
"""

from __future__ import annotations

import argparse
import glob
import json
from pathlib import Path

import pandas as pd

from scosim.model.weight_draw import draw_confidence_set

#: The drawn values shown (trust is the sovereignty weight times a ratio: not shown).
SHOWN = ("sovereignty", "dominance", "vote_noise")


def no_by_quarter(run_dir: str | Path, countries: list[str] | None = None,
                  query: str | None = None) -> pd.DataFrame:
    """Share of runs each state voted no, overall and by quarter of each drawn value.

    Args:
        run_dir: A results directory of a run that drew its weights.
        countries: States to show (default: every state that voted).
        query: A pandas expression over the drawn values: only the runs it keeps.

    Returns:
        One row per (proposal, country, value, quarter), with the quarter's range and the
        share of its runs with a no; quarter ``all`` is every run.

    Raises:
        SystemExit: The run did not draw its weights, naming the setting to use.
    """
    run = Path(run_dir)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    import yaml

    scenario = yaml.safe_load((run / "scenario.yaml").read_text(encoding="utf-8"))
    if ((scenario.get("parameters") or {}).get("weights") or {}).get("draw") != "confidence_set":
        raise SystemExit(f"{run}: its scenario.yaml does not set parameters.weights.draw: "
                         "confidence_set; run it with --set parameters.weights.draw="
                         "confidence_set")
    seed = int(manifest.get("seed", scenario["seed"]))
    files = sorted(glob.glob(str(run / "events" / "*.parquet")))
    ev = pd.concat([pd.read_parquet(f) for f in files])
    votes = ev[ev["type"] == "vote"][["run", "proposal", "country", "yes"]]
    runs = sorted(votes["run"].unique().tolist())
    drawn = pd.DataFrame(draw_confidence_set(seed, runs)).assign(run=runs)
    votes = votes.merge(drawn, on="run")
    if query:
        votes = votes.query(query)
    if countries:
        votes = votes[votes["country"].isin(countries)]
    rows = []
    for (pid, code), v in votes.groupby(["proposal", "country"], sort=False):
        no = ~v["yes"].astype(bool)
        rows.append((pid, code, "-", "all", float(no.mean())))
        for name in SHOWN:
            # Labelled by the smallest and largest value drawn in the quarter.
            quarter = pd.qcut(v[name], 4, labels=False)
            for q, share in no.groupby(quarter).mean().items():
                inside = v[name][quarter == q]
                rows.append((pid, code, name, f"{inside.min():.3g} to {inside.max():.3g}",
                             float(share)))
    return pd.DataFrame(rows, columns=["proposal", "country", "value", "quarter", "no_share"])


def main() -> None:
    """Print :func:`no_by_quarter` of the run directory given."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("--countries", nargs="*", default=None)
    ap.add_argument("--query", default=None,
                    help="keep the runs whose draws satisfy this pandas expression")
    args = ap.parse_args()
    table = no_by_quarter(args.run_dir, args.countries, args.query)
    with pd.option_context("display.max_rows", None, "display.width", 120):
        print(table.to_string(index=False, formatters={"no_share": "{:.3f}".format}))


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
