"""A corridor run's answer says who pays and what an energy corridor delivers.

The corridor proposal type declares headline indicators (``ProposalType.headline``): what
each host pays (present value, a ``level``: never summed over years) and the risk it bears;
with an energy project, the gas and power it delivers per consumer and sells per exporter
(yearly flows, ``total``).
These are checked against the run's raw rows and against the contracted offtakes of
``energy_links.csv`` (ANCHORS.md: TAPI 1.325 bcf/d to India and to Pakistan).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from scosim.cli import main
from scosim.network.tables import load_network
from scosim.results import read_batches

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _run(tmp_path: Path, capsys, scenario: str, *extra: str) -> tuple[str, Path]:
    assert main(["run", str(SCENARIOS / scenario), "--out", str(tmp_path), "--quiet",
                 "--replications", "4", *extra]) == 0
    out = capsys.readouterr().out
    return out, Path(out.split("results: ")[1].splitlines()[0].strip())


def _wide(run_dir: Path, name: str, stat: str = "mean") -> pd.DataFrame:
    """Mean (or ``stat``) over runs of one indicator, years x economies."""
    ind = read_batches(run_dir / "indicators")
    ind = ind[ind["indicator"].astype(str) == name]
    return ind.assign(country=ind["country"].astype(str)).pivot_table(
        index="year", columns="country", values="value", aggfunc=stat)


def _block(text: str, code: str) -> list[str]:
    """The answer's lines of one headline indicator, heading first."""
    lines = text.splitlines()
    start = next(i for i, x in enumerate(lines) if f"({code})" in x)
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith("  ") and not lines[i].startswith("    ")), len(lines))
    return lines[start:end]


def _offtake(importer: str, project: str) -> float:
    links = load_network().energy_links
    row = links[(links["importer"] == importer) & (links["project"] == project)]
    return float(row["flow"].sum())


def test_energy_corridor_answer_gives_deliveries_and_payments(tmp_path, capsys):
    out, run_dir = _run(tmp_path, capsys, "corridor_energy.yaml")
    text = (run_dir / "summary.txt").read_text()
    assert out.endswith(text)
    assert text.startswith("What the scenario's proposals record: corridor_energy")
    # What the deliveries are worth moves welfare (network.energy_value): the answer has
    # the who-gains table after the deliveries; until 2026-12-06 it said no welfare moved.
    assert text.index("corridor proposals, 4 runs:") < text.index("Who gains, who loses")
    assert "no economy's welfare moved" not in text
    welfare = _wide(run_dir, "welfare_change_pct")
    assert (welfare.loc[2035, ["TKM", "AFG", "PAK", "IND", "TJK", "KGZ"]] > 0).all()
    gas = _wide(run_dir, "corridor_gas_bcm")
    # TAPI (agreed 2026, five years to build) operates from 2032: its free-flow first phase
    # (capacity_initial, 11 bcm of 33) for three years, then its contracted offtakes.
    # Until 2026-12-06 it delivered 32.6 bcm from its first year, three times 11.
    tapi = load_network().projects.loc["TAPI"]
    assert (gas.loc[:2031].to_numpy() == 0).all()
    for code in ("IND", "PAK", "AFG"):
        assert gas.loc[2032:2034, code].to_numpy() == pytest.approx(
            _offtake(code, "TAPI") * tapi["capacity_initial"] / tapi["capacity"], rel=1e-12)
        assert gas.loc[2035, code] == pytest.approx(_offtake(code, "TAPI"), rel=1e-12)
    # No year delivers more than that year's capacity.
    year_cap = pd.Series(tapi["capacity"], index=gas.index).where(
        (gas.index < 2032) | (gas.index > 2034), tapi["capacity_initial"])
    assert (gas[["IND", "PAK", "AFG"]].sum(axis=1) <= year_cap + 1e-9).all()
    # What the corridors deliver is the change in pipeline imports the project makes.
    pipe = _wide(run_dir, "gas_pipeline_imports_bcm")
    assert (pipe.loc[2035] - pipe.loc[2025]).to_numpy() == pytest.approx(
        gas.loc[2035].reindex(pipe.columns).fillna(0).to_numpy(), abs=1e-9)
    block = _block(text, "corridor_gas_bcm")
    assert "largest in 2035" in block[0] and "mean sum" in "\n".join(block)
    row = next(x for x in block if x.strip().startswith("IND India"))
    assert float(row.split()[2]) == pytest.approx(gas.loc[2035, "IND"], rel=5e-3)
    assert float(row.split()[-1]) == pytest.approx(gas["IND"].sum(), rel=5e-3)
    power = _wide(run_dir, "corridor_power_twh")
    assert power.loc[2031, "PAK"] == pytest.approx(_offtake("PAK", "CASA1000"), rel=1e-12)
    # What is sold is what is delivered, counted at the exporter: Turkmenistan sells all of
    # TAPI's gas, Tajikistan and Kyrgyzstan CASA-1000's power, year by year.
    sold = _wide(run_dir, "corridor_gas_sold_bcm")
    assert sold.sum(axis=1).to_numpy() == pytest.approx(gas.sum(axis=1).to_numpy(), abs=1e-9)
    assert sold.loc[2035, "TKM"] == pytest.approx(sum(_offtake(c, "TAPI")
                                                      for c in ("IND", "PAK", "AFG")))
    power_sold = _wide(run_dir, "corridor_power_sold_twh")
    assert power_sold.sum(axis=1).to_numpy() == pytest.approx(
        power.sum(axis=1).to_numpy(), abs=1e-9)
    assert set(power_sold.columns[(power_sold > 0).any()]) == {"TJK", "KGZ"}
    block = _block(text, "corridor_gas_sold_bcm")
    # Under the heading (wrapped over the lines before it), above the columns' heading.
    said = block.index("    no SCO member in any run or year; other economies:")
    # The columns' heading on one line, or two where one would not fit 80 columns.
    at = said + 1 + next(i for i, x in enumerate(block[said + 1:said + 3])
                         if x.strip().startswith("economy  "))
    assert at == said + 1 or block[said + 1].startswith(" " * 8)  # a heading's top line
    assert "together" not in "\n".join(block) and "TKM Turkmenistan" in block[at + 1]
    # A present value as known at the end: shown in the last year, never summed.
    paid = _block(text, "corridor_paid_usd")
    assert "as known in 2035" in paid[0] and "mean sum" not in "\n".join(paid)
    # Turkmenistan and Afghanistan host TAPI without being SCO members: listed after them.
    assert paid.index("    other economies:") < next(
        i for i, x in enumerate(paid) if "TKM Turkmenistan" in x)
    row = next(x for x in paid if x.strip().startswith("PAK Pakistan"))
    assert float(row.split()[2]) == pytest.approx(
        _wide(run_dir, "corridor_paid_usd").loc[2035, "PAK"] / 1e9, rel=5e-3)


def test_transit_insecurity_cuts_what_the_answer_reports(tmp_path, capsys):
    """delivered = flow x (1 - instability of the transit economy) (docs/network.md)."""
    # No failure drawn (hazard 0): this is about gas lost in transit, not a pipeline that
    # stops (tests/test_failure_draw.py).
    _, run_dir = _run(tmp_path, capsys, "corridor_energy.yaml",
                      "--set", "parameters.network.instability.AFG=0.5",
                      "--set", "parameters.network.failure_base=0",
                      "--set", "parameters.network.failure_sensitivity=0")
    gas = _wide(run_dir, "corridor_gas_bcm")
    # Afghanistan is a transit economy for India's and Pakistan's gas, the consumer of its own.
    assert gas.loc[2035, "IND"] == pytest.approx(0.5 * _offtake("IND", "TAPI"), rel=1e-12)
    assert gas.loc[2035, "AFG"] == pytest.approx(_offtake("AFG", "TAPI"), rel=1e-12)
    text = (run_dir / "summary.txt").read_text()
    row = next(x for x in _block(text, "corridor_gas_bcm") if "IND India" in x)
    assert re.search(r"IND India +6\.85 ", row), row
    # Gas lost in transit is not sold: Turkmenistan sells what arrives.
    sold = _wide(run_dir, "corridor_gas_sold_bcm")
    assert sold.loc[2035, "TKM"] == pytest.approx(gas.loc[2035].sum(), rel=1e-12)
    assert sold.loc[2035, "TKM"] < sum(_offtake(c, "TAPI") for c in ("IND", "PAK", "AFG"))


@pytest.mark.parametrize("summary", ["all", "plotted"])
def test_transport_corridor_answer_gives_payments_without_energy(tmp_path, capsys, summary):
    """The railway changes no bilateral cost: its answer is who pays, not a blank; the
    statistics gathered as batches finish hold the type's headline indicators whether or
    not the summary keeps every indicator."""
    _, run_dir = _run(tmp_path, capsys, "corridor_cku.yaml",
                      "--set", f"outputs.summary={summary}")
    text = (run_dir / "summary.txt").read_text()
    # A railway delivers no energy: recorded as zeros (every declared indicator is), and
    # named once rather than given a table each.
    assert (_wide(run_dir, "corridor_gas_bcm").to_numpy() == 0).all()
    assert (_wide(run_dir, "corridor_power_twh").to_numpy() == 0).all()
    assert (_wide(run_dir, "corridor_gas_sold_bcm").to_numpy() == 0).all()
    flat = " ".join(text.split())
    assert ("none in any run or year: pipeline gas delivered by corridors (corridor_gas_bcm), "
            "pipeline gas sold through corridors (corridor_gas_sold_bcm), "
            "electricity delivered by corridors (corridor_power_twh), "
            "electricity sold through corridors (corridor_power_sold_twh)") in flat
    assert "(corridor_gas_bcm), largest" not in flat
    paid = _wide(run_dir, "corridor_paid_usd").loc[2035]
    hosts = paid[paid > 0].sort_values(ascending=False)
    # The cost is shared as the 2024 agreement has it (projects.csv host_shares): each
    # state its own section, the Kyrgyz section by the joint venture's capital, 51/24.5/
    # 24.5; by length of territory Kyrgyzstan paid most (260 of 523 km, US$3.98 bn).
    assert list(hosts.index) == ["CHN", "UZB", "KGZ"]
    expected = {"CHN": (213 + 0.51 * 260) / 523, "UZB": (50 + 0.245 * 260) / 523,
                "KGZ": 0.245 * 260 / 523}
    for code, share in expected.items():
        assert hosts[code] / hosts.sum() == pytest.approx(share, abs=1e-4)
    # ... and the answer says which rule produced the payments: only the Kyrgyz section's
    # joint-venture capital is published (sources.csv cku_jv_2024); the China and Uzbek
    # sections by length are an assumption, which it said were "published" until
    # 2026-12-07 (an outside review).
    assert ("Who pays for cku (CKU_RAIL): the hosts' cost shares are partly published "
            "shares (projects.csv host_shares: only the Kyrgyz section's joint-venture "
            "capital (51/24.5/24.5) is published; China's and Uzbekistan's own sections "
            "by length (213 and 50 km) are an assumption; sources.csv cku_jv_2024): "
            "CHN 66.1 %, UZB 21.7 %, KGZ 12.2 %.") in flat
    assert "cost shares are published shares" not in flat
    block = _block(text, "corridor_paid_usd")
    rows = block[next(i for i, x in enumerate(block) if x.split()[0] == "economy") + 1:]
    assert [x.split()[0] for x in rows[:3]] == list(hosts.index)
    together = next(x for x in block if "SCO members together" in x)
    assert float(together.split()[-1]) == pytest.approx(hosts.sum() / 1e9, rel=5e-3)
    # Who gains net of what it pays, beside the welfare change, from the run's own rows
    # (gathered whether or not the summary keeps every indicator); the hosts' net is
    # below their welfare, the others' is it. The table's medians, the answer's statistic.
    net, welfare = (_wide(run_dir, name, "median")
                    for name in ("corridor_net_welfare_pct", "welfare_change_pct"))
    assert "(corridor_net_welfare_pct)" not in "\n".join(block)  # not a block of its own
    table = text[text.index("Who gains, who loses"):].splitlines()
    assert next(x for x in table if x.startswith("  economy ")).split()[1] == "welfare"
    for code in ("KGZ", "CHN", "UZB", "KAZ"):
        rows = [x.split() for x in table if x.strip().startswith(f"{code} ")]
        assert float(rows[0][2]) == pytest.approx(welfare.loc[2035, code], abs=0.005)
        # net beside the welfare, or in the table under it where the names would be cut
        net_cell = rows[0][8] if len(rows[0]) > 8 else rows[1][2]
        assert float(net_cell) == pytest.approx(net.loc[2035, code], abs=0.005)
    assert (net.loc[2035, list(hosts.index)] < welfare.loc[2035, list(hosts.index)]).all()
    others = [c for c in net.columns if c not in hosts.index]
    assert (net.loc[:, others] == welfare.loc[:, others]).all().all()
