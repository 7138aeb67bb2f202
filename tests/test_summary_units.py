"""summary.csv says its units and keeps each economy's welfare in US$ and its terms.

Found by a policy analyst: summary.csv stored raw dollars (``ev_usd ... 6.54696e+10``)
beside the answer's US$ bn and percent with nothing to say which, and China's US$ EV and
the welfare breakdown the README quotes were only in it with ``--set
outputs.summary=all``, which then marked the run as changed ("--set outputs.summary=all"
in its heading, an override in ``scosim list``) although no number of it differs.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.plots import plot_run
from scosim.results import read_batches
from scosim.run_catalogue import catalogue_row, catalogue_rows, resolve_run

# Since 2026-12-07 the runs with a value and their smallest and largest (scosim.rare_runs),
# after `unit`: it was the 9th column, and scripts read it there (a review found it moved
# to the 12th).
COLUMNS = ["indicator", "year", "country", "n_runs", "mean", "p05", "median", "p95", "unit",
           "n_nonzero", "nonzero_min", "nonzero_max"]
TERMS = ("welfare_terms_of_trade_pct", "welfare_tariff_revenue_pct", "welfare_rest_pct")


@pytest.fixture(scope="module")
def summary(geometry_run: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[
        pd.DataFrame, Path]:
    """summary.csv of the geometry run (a union forms), written by the run's plotting."""
    run = tmp_path_factory.mktemp("units") / "run"
    shutil.copytree(geometry_run, run)  # plot_run writes summary.csv beside the tables
    plot_run(run, run / "plots")
    return pd.read_csv(run / "summary.csv"), run


def test_summary_csv_says_each_indicators_unit(summary: tuple[pd.DataFrame, Path]) -> None:
    s, _ = summary
    # The columns read before are where they were (unit the 9th); the new ones after them.
    assert list(s.columns) == COLUMNS
    assert list(s.columns).index("unit") == 8
    units = s.groupby("indicator")["unit"].agg(lambda u: set(u.fillna("")))
    assert (units.map(len) == 1).all()  # one unit per indicator
    unit = units.map(lambda u: next(iter(u)))
    assert (unit != "").all(), unit[unit == ""]
    for name, u in unit.items():
        if name.endswith("_usd"):  # amounts in US$, not the answer's US$ bn
            assert u.startswith("US$") and not u.startswith("US$ bn"), (name, u)
        if name.endswith("_pct"):
            assert "percent" in u, (name, u)
    # A world total is one row under "world": not "stored in every column".
    world = s.loc[s["country"] == "world", "unit"]
    assert len(world) and not world.str.contains("every column").any()


def test_summary_csv_has_each_economys_welfare_in_us_dollars_and_its_terms(
        summary: tuple[pd.DataFrame, Path]) -> None:
    s, run = summary
    assert {"ev_usd", *TERMS} <= set(s["indicator"])  # by default, not only with `all`
    means = s.set_index(["indicator", "year", "country"])["mean"]
    # The three terms add up to the welfare change (percentage points of it).
    total = sum(means.xs(t, level="indicator") for t in TERMS)
    welfare = means.xs("welfare_change_pct", level="indicator")
    assert welfare.abs().max() > 0.01  # the union moved welfare: the sum can be wrong
    np.testing.assert_allclose(total.loc[welfare.index], welfare, rtol=1e-4, atol=1e-8)
    # ev_usd is in US$, the mean of every run's value (6 significant digits kept).
    raw = read_batches(run / "indicators", indicators=["ev_usd"])
    raw = raw.assign(year=raw["year"].astype("int64"), country=raw["country"].astype(str))
    expect = raw.groupby(["year", "country"])["value"].mean()
    got = means.xs("ev_usd", level="indicator")
    assert got.abs().max() > 1e8  # dollars, not billions
    np.testing.assert_allclose(got, expect.loc[got.index], rtol=1e-5, atol=1.0)


def test_an_output_setting_is_not_an_override(tmp_path: Path, model_fixture,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`--set outputs.summary=all` changes what is written, no number: the run is still
    the file as written in `list`, its heading and a name's lookup; the setting is kept."""
    out = tmp_path / "results"
    args = ["run", str(model_fixture("small_cu.yaml")), "--replications", "2", "--quiet",
            "--out", str(out)]
    assert main([*args, "--set", "outputs.summary=all"]) == 0
    printed = capsys.readouterr().out
    (run,) = (out / "small_cu").glob("2*")
    m = json.loads((run / "manifest.json").read_text())
    assert m["overrides"] == {}
    assert m["output_settings"] == {"outputs.summary": "all"}
    # The answer names other --set commands (what the band does not vary): not this one.
    assert "outputs.summary" not in (run / "summary.txt").read_text()
    assert "outputs.summary" not in printed
    (row,) = catalogue_rows(out)
    assert row["overrides"] == ""
    with warnings.catch_warnings():  # found by name as the file as written: no warning
        warnings.simplefilter("error")
        assert resolve_run("small_cu", out) == run
    # A change to the model beside it is still an override, said in the heading.
    assert main([*args, "--set", "outputs.summary=all", "--set",
                 "parameters.trade.sigma=4"]) == 0
    (changed,) = set((out / "small_cu").glob("2*")) - {run}
    m2 = json.loads((changed / "manifest.json").read_text())
    assert m2["overrides"] == {"parameters.trade.sigma": 4}
    assert "--set parameters.trade.sigma=4" in (changed / "summary.txt").read_text()
    assert "outputs.summary" not in (changed / "summary.txt").read_text()
    # A run made before output settings were recorded apart is listed the same way.
    old = catalogue_row({"overrides": {"outputs.summary": "all"}}, scenario="x",
                        run_id="y", status="complete", path="z")
    assert old["overrides"] == ""

