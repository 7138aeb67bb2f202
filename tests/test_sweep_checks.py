"""What ``scosim sweep`` checks before it runs and says of what it ran (outside review).

An output no mechanism of the scenario records, a swept sigma without the scenario's
per-run spread, the indices' level and units, the versions in the manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scosim.api import sweep
from scosim.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"
SIGMA = "parameters.trade.sigma"


@pytest.fixture
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any point of a sweep is run."""
    from scosim.experiments import sweep as sw

    def ran(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a point was run")

    monkeypatch.setattr(sw.ScenarioModelFn, "__call__", ran)


@pytest.mark.parametrize(("output", "owner"), [
    ("incidents:AFG", "mechanism security (slot security)"),
    ("bank_failures:KAZ", "mechanism banking_systems (slot finance)"),
])
def test_an_output_the_scenario_does_not_record_is_refused_before_any_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_runs: None,
        output: str, owner: str) -> None:
    """Any known indicator passed: the size was said, batch 0 ran and failed ("indicator
    'incidents' not in the model", exit 1). Now: exit 2, naming the slot that would
    record it and what this scenario records, before the size line."""
    out = tmp_path / "r"
    code = main(["sweep", str(ROOT / "scenarios" / "customs_union.yaml"), "--method", "lhs",
                 "--n", "4", "--param", f"{SIGMA}=3:8", "--output", output,
                 "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    name = output.split(":")[0]
    assert err.startswith(
        f"scosim: error: --output:1: {output}: {name!r} is not recorded in this scenario: "
        f"it comes from {owner}, which the scenario does not use; this scenario records: "
        "gdp_usd, gdp_baseline_path_usd, welfare_change_pct,"), err
    assert "in_customs_union" in err and "Traceback" not in err
    assert "sweep:" not in err  # refused before the plan is said
    assert not out.exists()


def test_an_indicator_a_mechanism_records_only_in_some_scenarios_is_refused_as_such(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_runs: None) -> None:
    """The mechanism's recorded_indicators(scenario) decides, not its declared names."""
    from scosim.api import check_sweep
    from scosim.scenario import ScenarioError

    monkeypatch.syspath_prepend(str(Path(__file__).parent / "plugin_pkgs"))
    path = tmp_path / "conditional.yaml"
    path.write_text(f"extends: {FIXTURES / 'small_base.yaml'}\nname: conditional\n"
                    "parameters:\n  mechanisms: {finance: 'broken_plugins:ConditionalRecord'}\n")
    check_sweep(str(path), {SIGMA: (3.0, 8.0)}, ["always:KAZ"])  # recorded: accepted
    with pytest.raises(ScenarioError) as err:
        check_sweep(str(path), {SIGMA: (3.0, 8.0)}, ["with_network:KAZ"])
    [item] = err.value.errors
    assert item.message.startswith(
        "'with_network' is not recorded in this scenario: mechanism conditional_record "
        "records it only in some scenarios; it declares it as: share of runs (when the "
        "network slot is filled); this scenario records: "), item.message
    assert "always" in item.message.split("this scenario records: ")[1]


def _spread_scenario(tmp_path: Path, spread: float) -> str:
    path = tmp_path / f"spread{spread:g}.yaml"
    path.write_text(f"extends: {FIXTURES / 'small_cu.yaml'}\nname: spread\n"
                    f"parameters:\n  trade: {{sigma: 5.0, sigma_spread: {spread}}}\n")
    return str(path)


@pytest.mark.parametrize(("param", "spread", "said"), [
    (SIGMA, 1.0, True),
    (SIGMA, 0.0, False),  # nothing is left out
    ("parameters.growth.volatility_scale", 1.0, False),  # the spread is applied
])
def test_a_sweep_says_when_sigma_runs_without_the_scenario_s_spread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        param: str, spread: float, said: bool) -> None:
    """A swept sigma is each run's sigma exactly: the point at the scenario's sigma gave
    PAK 2.294 where `scosim run` gave 2.682 (its runs draw sigma within +-spread), and
    nothing but a table in docs/model.md said so. The printed header, manifest.json and
    the figure's footnote say it now, exactly when it happens."""
    from scosim.experiments import sweep as sw

    notes: list[str] = []
    real = sw.plot_sweep

    def plot(*args: Any, **kwargs: Any) -> Any:
        notes.append(kwargs.get("note", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(sw, "plot_sweep", plot)
    code = main(["sweep", _spread_scenario(tmp_path, spread), "--method", "grid",
                 "--param", f"{param}=2,5", "--output", "welfare_change_pct:KAZ",
                 "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    meta = json.loads(next((tmp_path / "r").rglob("manifest.json")).read_text())
    text = ("parameters.trade.sigma is swept: each run uses the point's sigma exactly, "
            "without the scenario's per-run spread (sigma_spread 1, which draws each run's "
            "sigma within +-1 of it); scosim run at that sigma gives the same numbers only "
            "with --set parameters.trade.sigma_spread=0")
    if said:
        assert printed[1] == f"note: {text}"  # under the header line
        # The plot's note is written as a sentence.
        assert meta["notes"] == [text] and notes == [f"{text}."]
    else:
        assert not any("sigma_spread" in line for line in printed)
        assert "notes" not in meta and notes == [""]


def test_morris_effects_print_in_the_outputs_units_and_the_file_says_its_level_and_unit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """gdp_usd's mu* printed as "3.764e+12", meaning US$, beside grid and LHS tables in
    US$ bn; indices.csv said neither its unit nor the level of its intervals."""
    code = main(["sweep", str(FIXTURES / "small_cu.yaml"), "--method", "morris", "--n", "2",
                 "--param", f"{SIGMA}=3:8", "--param", "parameters.growth.volatility_scale=0:2",
                 "--output", "gdp_usd:KAZ", "--output", "welfare_change_pct:KAZ",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    idx = pd.read_csv(next(tmp_path.rglob("indices.csv")))
    assert (idx["conf_level"] == 0.95).all()
    units = dict(zip(idx["output"], idx["unit"], strict=False))
    assert units == {"gdp_usd:KAZ": "US$ (current, of the year on the model's GDP path) per "
                     "full range of the parameter",
                     "welfare_change_pct:KAZ": "percent of the year's baseline real "
                     "expenditure per full range of the parameter"}
    assert "in each output's unit (under the table) per full range of the parameter" in printed[0]
    row = idx[(idx["output"] == "gdp_usd:KAZ")
              & (idx["parameter"] == "parameters.growth.volatility_scale")].iloc[0]
    assert row["mu_star"] > 1e9  # the file keeps US$
    line = next(x for x in printed if "volatility_scale" in x and "gdp_usd:KAZ" in x)
    cells = line.split()
    assert cells[2:6] == [f"{row[c] / 1e9:.4g}" for c in ("mu", "mu_star", "mu_star_conf",
                                                          "sigma")]
    # The unit once under the table, as scosim sweep's grid and LHS tables say it: in a
    # last column each row repeated its prose and ran past 80 columns.
    assert len(cells) == 6, line
    under = printed.index("units:")
    assert printed[under + 1:under + 3] == [
        "  gdp_usd:KAZ: US$ bn (current, of the year on the model's GDP path)",
        "  welfare_change_pct:KAZ: percent of the year's baseline real expenditure"]
    rows = [x for x in printed if "parameters." in x and ":KAZ" in x and not x.startswith("note")]
    assert len(rows) == 4 and all(printed.index(r) < under for r in rows), printed
    assert not any("unit" in x for x in printed[1:under]), printed


def test_the_manifest_records_the_versions_and_scenario_it_ran(tmp_path: Path) -> None:
    """The resume key hashed the package, data and scenario; the manifest said none."""
    from scosim import __version__
    from scosim.experiments.versions import versions
    from scosim.scenario import load_scenario, scenario_hash

    path = str(FIXTURES / "small_cu.yaml")
    target = sweep(path, {SIGMA: [4.0]}, ["gdp_usd:KAZ"], method="grid", out=tmp_path,
                   progress=False)
    meta = json.loads((target / "manifest.json").read_text())
    here = versions()
    assert meta["scenario_hash"] == scenario_hash(load_scenario(path))
    assert meta["package_version"] == __version__
    assert (meta["data_version"], meta["network_version"]) == (here["data"], here["network"])
    assert meta["plugin_versions"] == "" and meta["data_base_year"] == 2023


def test_a_built_in_loaded_by_its_dotted_path_is_named_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_runs: None) -> None:
    """A built-in mechanism a scenario of the same process named by its dotted path is
    still one mechanism: before, the message listed 'banking_systems (slot finance) or
    scosim.finance.mechanism:BankingSystems (slot finance)' after another test loaded it."""
    from scosim.model.slots import get_mechanism

    get_mechanism("scosim.finance.mechanism:BankingSystems")
    code = main(["sweep", str(ROOT / "scenarios" / "customs_union.yaml"), "--method", "lhs",
                 "--n", "4", "--param", f"{SIGMA}=3:8", "--output", "bank_failures:KAZ",
                 "--out", str(tmp_path / "r")])
    assert code == 2
    err = capsys.readouterr().err
    assert "it comes from mechanism banking_systems (slot finance), which" in err, err
