"""A corridor run's answer on its hosts' income: an energy corridor's over GDP.

An outside review (2026-12-07): TAPI's +8.79 % for Turkmenistan is of real expenditure,
far below its GDP. The answer now gives the income in US$ and over GDP
(:mod:`scosim.network.access_answer`), checked here against the runs' own rows, computed
apart.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scosim.cli import main
from scosim.results import read_batches

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _run(tmp_path: Path, capsys, scenario: str, *extra: str) -> tuple[str, Path]:
    assert main(["run", str(SCENARIOS / scenario), "--out", str(tmp_path), "--quiet",
                 "--replications", "3", *extra]) == 0
    out = capsys.readouterr().out
    return out, Path(out.split("results: ")[1].splitlines()[0].strip())


def _year(run_dir: Path, name: str, year: int) -> pd.DataFrame:
    """One indicator in one year, runs x economies, from the run's raw rows."""
    ind = read_batches(run_dir / "indicators")
    ind = ind[(ind["indicator"].astype(str) == name) & (ind["year"] == year)]
    return ind.assign(country=ind["country"].astype(str)).pivot_table(
        index="run", columns="country", values="value", aggfunc="first")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_an_energy_corridor_gives_its_income_in_usd_and_over_gdp(tmp_path, capsys):
    _, run_dir = _run(tmp_path, capsys, "corridor_energy.yaml")
    said = _flat((run_dir / "summary.txt").read_text())
    assert said.count("Energy income in 2035") == 1
    value = _year(run_dir, "energy_value_usd", 2035)
    gdp = _year(run_dir, "gdp_usd", 2035)
    # Each run's income over its own GDP, then the median (the welfare table's statistic).
    for code, name in (("TKM", "Turkmenistan"), ("AFG", "Afghanistan")):
        usd = float(value[code].median())
        share = float((100 * value[code] / gdp[code]).median())
        assert f"{name} US${usd / 1e9:.2f} bn, {share:.2f} % of its GDP" in said \
            or f"{name} US${usd / 1e6:.0f} m, {share:.2f} % of its GDP" in said
    # Turkmenistan's income is a smaller share of its GDP than its welfare percentage
    # (of real expenditure, below GDP for a surplus exporter): the point of the line.
    welfare = _year(run_dir, "welfare_change_pct", 2035)["TKM"].median()
    assert float((100 * value["TKM"] / gdp["TKM"]).median()) < welfare
    assert "percentage of real expenditure" in said
