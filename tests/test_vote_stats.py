"""votes.csv: why states voted as they did at every vote, against the run's event log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scosim.cli import main
from scosim.plot_votes import vote_reasons_data
from scosim.plots import load_plot_data
from scosim.results import read_batches
from scosim.vote_stats import VOTES_FILE

TERMS = ("econ", "sovereignty", "trust", "dominance")


def test_every_vote_has_its_mean_terms(geometry_run: Path) -> None:
    """Means of the weighted terms per proposal, year and state equal the raw events'."""
    table = load_plot_data(geometry_run).vote_terms.table()
    ev = read_batches(geometry_run / "events")
    votes = ev[ev["type"] == "vote"].assign(country=lambda d: d["country"].astype(str),
                                            proposal=lambda d: d["proposal"].astype(str))
    raw = votes.groupby(["proposal", "year", "country"])
    assert len(table) == raw.ngroups and table["year"].nunique() > 1  # not the first vote only
    got = table.set_index(["proposal", "year", "country"])
    for key, rows in raw:
        row = got.loc[key]
        assert row["votes"] == len(rows)
        assert row["yes_share"] == pytest.approx(rows["yes"].astype(bool).mean())
        for t in TERMS:
            assert row[f"contrib_{t}_pp"] == pytest.approx(100 * rows[f"contrib_{t}"].mean(),
                                                           rel=1e-12, abs=1e-15)
        score = 100 * sum(rows[f"contrib_{t}"].mean() for t in (*TERMS, "security"))
        assert row["score_pp"] == pytest.approx(score, rel=1e-12, abs=1e-15)
        assert row["rules"] == " ".join(sorted(set(rows["rule"].dropna().astype(str))))


def test_the_first_vote_rows_are_the_figure(geometry_run: Path) -> None:
    """The rows of the first vote hold the bars of plots/vote_reasons.png."""
    st = load_plot_data(geometry_run)
    fig = vote_reasons_data(st)
    assert fig is not None
    table = st.vote_terms.table()
    first = table[(table["proposal"] == fig.proposal) & (table["year"] == fig.year)]
    first = first.set_index("country").loc[fig.contributions.index]
    for term in fig.contributions.columns:
        pd.testing.assert_series_equal(first[f"contrib_{term}_pp"], fig.contributions[term],
                                       check_names=False, rtol=1e-12)
    pd.testing.assert_series_equal(first["yes_share"], fig.yes_share, check_names=False)


def test_a_run_with_plots_writes_votes_csv(tmp_path: Path, model_fixture, capsys) -> None:
    assert main(["run", str(model_fixture("small_cu.yaml")), "--out", str(tmp_path),
                 "--quiet"]) == 0
    run_dir = Path(capsys.readouterr().out.split("results: ")[1].splitlines()[0].strip())
    kept = pd.read_csv(run_dir / VOTES_FILE)
    assert list(kept.columns[:6]) == ["proposal", "year", "country", "votes", "yes_share",
                                      "score_pp"]
    ev = read_batches(run_dir / "events")
    assert kept["votes"].sum() == int((ev["type"] == "vote").sum())
