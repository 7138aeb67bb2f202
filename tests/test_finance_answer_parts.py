"""The banking answer and figure of one run say the same thing, and say why tables coincide.

In ``finance_crisis.yaml`` the answer's (summary.txt) fiscal-cost table and its "of which
equity bought" table came out identical, line for line, with nothing saying why; the
figure's fiscal-cost line did not say which statistic it was. These tests read the run's
own per-run indicators (``indicators/*.parquet``) and check both against them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.answer_parts import all_of_whole
from scosim.runstats import RunStats

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def crisis_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """``finance_crisis.yaml``, 3 runs of 2025-27 (the wiring test's cheap size), with
    the banking figure kept open to read what it drew."""
    from scosim.cli import main
    from scosim.finance import plots

    out = tmp_path_factory.mktemp("crisis")
    kept: list = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots.plt, "close", kept.append)
        code = main(["run", str(ROOT / "scenarios" / "finance_crisis.yaml"), "--out", str(out),
                     "--quiet", "--replications", "3", "--set", "years.end=2027"])
    assert code == 0
    (run,) = out.glob("finance_crisis/*")
    return run, kept


def _members_per_run(run: Path, indicator: str) -> pd.DataFrame:
    """Runs x years: the SCO members' sum of ``indicator``, US$ bn, from every run's rows."""
    df = pd.concat(pd.read_parquet(p) for p in sorted((run / "indicators").glob("*.parquet")))
    df["country"] = df["country"].astype(str)
    first = df[(df["indicator"] == "member") & (df["year"] == df["year"].min())
               & (df["run"] == df["run"].min()) & (df["value"] > 0)]
    rows = df[(df["indicator"] == indicator) & df["country"].isin(set(first["country"]))]
    return rows.groupby(["run", "year"])["value"].sum().unstack("year") / 1e9


def test_the_fiscal_cost_line_is_the_answer_s_mean(crisis_run) -> None:
    run, kept = crisis_run
    # plt is shared: the run's other figures are kept too; the banking one by its title.
    (fig,) = [f for f in kept if f._suptitle and "banking systems" in f._suptitle.get_text()]
    ax = fig.axes[1]
    cost = _members_per_run(run, "fiscal_cost_usd")
    # The line is the mean of all runs, computed here from each run's rows...
    np.testing.assert_allclose(ax.lines[0].get_ydata(), cost.mean(axis=0).to_numpy(),
                               rtol=1e-12, atol=1e-12)
    assert "line: mean of all 3 runs, as summary.txt" in " ".join(ax.get_title().split())
    # ...and the answer's "SCO members together" of the shock year is that mean.
    text = (run / "summary.txt").read_text()
    block = text[text.index("fiscal cost of banking crises"):]
    together = next(ln for ln in block.splitlines() if "SCO members together" in ln)
    assert float(together.split()[3].replace(",", "")) == pytest.approx(
        cost[2026].mean(), rel=5e-3)


def test_an_equal_of_which_table_is_one_line_saying_why(crisis_run) -> None:
    run, _ = crisis_run
    cost = _members_per_run(run, "fiscal_cost_usd")
    recap = _members_per_run(run, "fiscal_recap_usd")
    # This run's treasuries bought equity with all they paid: every run, every year.
    assert (cost.to_numpy() > 0).any()
    np.testing.assert_array_equal(recap.to_numpy(), cost.to_numpy())
    text = " ".join((run / "summary.txt").read_text().split())
    assert ("of which equity bought in recapitalised banks (fiscal_recap_usd): equal to "
            "fiscal_cost_usd above in every run, year and economy: all of it equity bought "
            "(recapitalisation)") in text
    assert "(fiscal_recap_usd), in" not in text  # its own table not printed
    # The other amounts' tables are, their total's heading whole or on two lines
    # ("2025-2027" over "mean sum": scosim.answer_table).
    assert "(fiscal_cost_usd), in" in text and "(creditor_losses_usd), in" in text
    assert text.count("mean sum") >= 2


def _stats(cost: np.ndarray, recap: np.ndarray) -> RunStats:
    """RunStats of ``(R, T)`` arrays of one economy's fiscal cost and equity bought."""
    r, t = cost.shape
    rows = [pd.DataFrame({"run": np.repeat(np.arange(r), t),
                          "year": np.tile(2025 + np.arange(t), r), "country": "RUS",
                          "indicator": name, "value": x.reshape(-1)})
            for name, x in (("fiscal_cost_usd", cost), ("fiscal_recap_usd", recap))]
    st = RunStats()
    st.add_indicators(pd.concat(rows, ignore_index=True).astype(
        {"country": "category", "indicator": "category"}))
    return st


def test_a_part_short_of_its_whole_in_one_run_is_not_all_of_it() -> None:
    cost = np.zeros((40, 3))
    cost[:20, 1] = 82e9
    assert all_of_whole(_stats(cost, cost.copy()), "fiscal_recap_usd", "fiscal_cost_usd")
    short = cost.copy()
    short[7, 1] -= 1e6  # one run's treasury backed US$1 m of insured deposits
    assert not all_of_whole(_stats(cost, short), "fiscal_recap_usd", "fiscal_cost_usd")
    # Nothing paid anywhere: no table to repeat, nothing to say.
    zero = np.zeros((40, 3))
    assert not all_of_whole(_stats(zero, zero), "fiscal_recap_usd", "fiscal_cost_usd")


def test_the_parts_are_read_from_the_run_not_the_class(crisis_run, monkeypatch,
                                                       tmp_path: Path) -> None:
    """A replot answers as the run did: its manifest records ``headline_parts``."""
    import json
    import shutil

    from scosim.answer_parts import part_lines
    from scosim.finance.mechanism import BankingSystems
    from scosim.mechanism_answer import run_headline_indicators

    run, _ = crisis_run
    manifest = json.loads((run / "manifest.json").read_text())
    recorded = manifest["plugins"]["declared"]["mechanisms"]["finance"]["headline_parts"]
    assert recorded["fiscal_recap_usd"][0] == "fiscal_cost_usd"
    st = RunStats()
    for p in sorted((run / "indicators").glob("*.parquet")):
        st.add_indicators(pd.read_parquet(p))
    title = "of which equity bought"
    # The class changed since the run (it declares no parts now): the run's record holds.
    monkeypatch.setattr(BankingSystems, "headline_parts", {})
    declared = run_headline_indicators(run)
    line = part_lines(st, "fiscal_recap_usd", declared, title)
    assert line is not None and "equal to fiscal_cost_usd" in " ".join(line)
    # A run made before the record: its manifest without it falls back to the class,
    # which now declares none, so the table is printed (None: no line in its place).
    old = tmp_path / "old"
    shutil.copytree(run, old, ignore=shutil.ignore_patterns("indicators", "*.png"))
    del manifest["plugins"]["declared"]["mechanisms"]["finance"]["headline_parts"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert run_headline_indicators(old)["fiscal_recap_usd"].parts is None
    assert part_lines(st, "fiscal_recap_usd", run_headline_indicators(old), title) is None
    monkeypatch.undo()  # the class as shipped: the old run's answer reads its parts
    line = part_lines(st, "fiscal_recap_usd", run_headline_indicators(old), title)
    assert line is not None and "equal to fiscal_cost_usd" in " ".join(line)


def test_the_figure_draws_one_bar_where_the_answer_prints_one_table(crisis_run) -> None:
    from scosim.finance.mechanism import BankingSystems
    from scosim.finance.run_summary import PARTS, PAYERS, RUN_INDICATORS

    # The figure's parts are the mechanism's, by the names the summary reads.
    declared = {RUN_INDICATORS[p]: RUN_INDICATORS[w]
                for p, (w, _) in BankingSystems.headline_parts.items()}
    assert declared == {p: w for p, (w, _) in PARTS.items()}
    run, kept = crisis_run
    (fig,) = [f for f in kept if f._suptitle and "banking systems" in f._suptitle.get_text()]
    labels = [t.get_text() for t in fig.axes[3].get_yticklabels()]
    # summary.txt says the equity bought is all of the gross (the test above): one bar.
    text = " ".join((run / "summary.txt").read_text().split())
    assert "equal to fiscal_cost_usd above in every run" in text
    assert dict(PAYERS)["fiscal_recap"] not in labels
    assert labels[0] == "treasuries, gross\n= equity bought: all of it,\nevery run, year, economy"


def test_a_malformed_recorded_part_is_refused_naming_the_field() -> None:
    from scosim.plugin_manifest import recorded_mechanisms
    from scosim.plugins import PluginError

    rec = {"name": "m", "indicators": {"a": "US$", "b": "US$"}, "headline": [["a", "total"]]}
    manifest = {"plugins": {"declared": {"mechanisms": {"finance": rec}}}}
    assert recorded_mechanisms(manifest, "x.json")["finance"]["headline_parts"] is None
    rec["headline_parts"] = {"a": ["b", "all of it"]}
    assert recorded_mechanisms(manifest, "x.json")["finance"]["headline_parts"] == {
        "a": ("b", "all of it")}
    rec["headline_parts"] = {"a": ["c", "all of it"]}  # not one of its indicators
    with pytest.raises(PluginError, match=r"x\.json: plugins\.declared\.mechanisms\.finance"
                                          r"\.headline_parts must map"):
        recorded_mechanisms(manifest, "x.json")


def test_the_figure_merges_the_parts_the_run_recorded(crisis_run, tmp_path) -> None:
    # The figure decided its merged bar from a hard-coded PARTS while summary.txt followed
    # the run's recorded headline_parts (review, 2026-12-07). A copy of the run whose
    # record declares no part of the gross: no merged bar, the equity bought drawn apart.
    import json
    import shutil

    from scosim.finance import plots
    from scosim.finance.run_summary import PARTS, PAYERS, figure_parts
    from scosim.mechanism_plots import plot_mechanism_figures

    run, _ = crisis_run
    assert figure_parts(run) == dict(PARTS)  # as shipped, the record is the class's
    copy = tmp_path / "run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("plots", "*.png"))
    manifest = json.loads((copy / "manifest.json").read_text())
    decl = manifest["plugins"]["declared"]["mechanisms"]["finance"]
    assert set(decl["headline_parts"]) == {"fiscal_recap_usd", "precautionary_recap_usd"}
    decl["headline_parts"] = {}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert figure_parts(copy) == {}
    kept: list = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots.plt, "close", kept.append)
        plot_mechanism_figures(copy, "finance_crisis", tmp_path)
    (fig,) = [f for f in kept if f._suptitle and "banking systems" in f._suptitle.get_text()]
    labels = [t.get_text() for t in fig.axes[3].get_yticklabels()]
    assert dict(PAYERS)["fiscal_recap"] in labels
    assert not any("all of it" in label for label in labels)
