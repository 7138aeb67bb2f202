"""The finance scenarios' answer shows who gains and loses in the year the policies act."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from scosim.cli import main
from scosim.results import read_batches

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _run(tmp_path: Path, capsys, scenario: str) -> Path:
    assert main(["run", str(SCENARIOS / scenario), "--out", str(tmp_path), "--quiet",
                 "--replications", "4"]) == 0
    out = capsys.readouterr().out
    return Path(out.split("results: ")[1].splitlines()[0].strip())


def _wide(run_dir: Path, name: str) -> pd.DataFrame:
    """Median over runs of one indicator, years x economies (the who-gains table's)."""
    ind = read_batches(run_dir / "indicators")
    ind = ind[ind["indicator"].astype(str) == name]
    return ind.assign(country=ind["country"].astype(str)).pivot_table(
        index="year", columns="country", values="value", aggfunc="median")


def test_settlement_answer_is_of_the_crisis_year(tmp_path, capsys):
    """The settlement acts in 2026, the sanctions' year; the table showed 2030, when its
    floors change nothing (the crisis alone printed the same rows). It now shows 2026,
    names why, and its rows are the runs' median welfare change of that year. The year is
    the scenario's (its crisis events), not a statistic of the four runs, in one of
    which China's system fails in 2028 at a larger fiscal cost than Russia's in 2026."""
    run_dir = _run(tmp_path, capsys, "finance_crisis_settlement.yaml")
    text = (run_dir / "summary.txt").read_text()
    flat = " ".join(text.split())
    assert ("welfare change in 2026 (the first year of the scenario's gdp shock and "
            "sanctions events, when the finance slot's shocks and policies act; the last "
            "year, 2030, is in summary.csv)") in flat
    welfare = _wide(run_dir, "welfare_change_pct")
    row = next(x for x in text.splitlines() if x.startswith("  UZB Uzbekistan"))
    cell = re.split(r"\s+", row.strip())[2]
    # The table's decimals follow its values (scosim.answer_digits): read them off.
    places = len(cell.split(".")[1])
    shown = float(cell)
    assert shown == round(welfare.loc[2026, "UZB"], places)
    assert round(welfare.loc[2030, "UZB"], places) != shown
    # Without the finance slot's events the last year, as before.
    from scosim.answer_year import scenario_answer_year

    assert scenario_answer_year({"years": {"start": 2025, "end": 2030}, "events": []},
                                {"finance": ("gdp_shock", "sanctions")}) is None
