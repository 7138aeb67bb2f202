"""Afghan opiate supply: UNODC's post-ban figures, the shipped scenarios' assumption, the
year path ``parameters.security.opiate_supply`` and what the route model does with it
(docs/security.md sections 4, 11 and 12)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from scosim.cli import main
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
# Three years and a constant instability, as in test_security_wiring.py.
SHORT = {"years.end": 2027, "parameters.security.instability": 1.3}
RUNS = [0, 1, 2]
DRUGS = ("inflow_t", "seizures_t", "throughflow_t")
#: UNODC, Afghanistan Opium Survey: opium production (t) in 2022 and after the April 2022
#: ban (surveys 2023 and 2025, press release of 27 November 2024 for 2024).
UNODC_T = {2022: 6200.0, 2023: 333.0, 2024: 433.0, 2025: 296.0}


def _run(supply: object) -> tuple[list[int], dict[str, np.ndarray]]:
    sc = load_scenario(SCENARIOS / "afghan_instability.yaml",
                       overrides={**SHORT, "parameters.security.opiate_supply": supply})
    model = run_model(sc, runs=RUNS)
    return list(model.years), {k: np.stack(v, axis=1) for k, v in model.records.items()}


@pytest.fixture(scope="module")
def at_one() -> tuple[list[int], dict[str, np.ndarray]]:
    return _run(1.0)


def test_supply_index_after_the_ban_is_unodc_production_over_2022() -> None:
    from scosim.security.routes import POST_BAN_SUPPLY_INDEX, SUPPLY_INDEX

    for y in (2018, 2019, 2020, 2021, 2022):
        assert SUPPLY_INDEX[y] == 1.0
    for y in (2023, 2024, 2025):
        assert SUPPLY_INDEX[y] == pytest.approx(UNODC_T[y] / UNODC_T[2022], rel=1e-12), y
    mean = sum(UNODC_T[y] for y in (2023, 2024, 2025)) / 3 / UNODC_T[2022]
    assert POST_BAN_SUPPLY_INDEX == pytest.approx(mean, rel=1e-12)
    assert 0.05 < POST_BAN_SUPPLY_INDEX < 0.06


def test_shipped_security_scenarios_hold_supply_at_the_post_ban_level_and_say_so() -> None:
    """Every shipped scenario filling the security slot uses UNODC's post-ban level in every
    simulated year (until 2026-12-06 they used 1, 2018-2022 production, without a word),
    and every file that sets the supply says in its comment that it assumes the ban holds."""
    from scosim.security.routes import POST_BAN_SUPPLY_INDEX

    checked = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        sc = load_scenario(path)
        if sc.parameters.mechanisms.get("security") is None:
            continue
        supply = sc.parameters.security.opiate_supply
        for y in sc.years.range():
            assert supply.at(y) == pytest.approx(POST_BAN_SUPPLY_INDEX, abs=5e-4), (path.name, y)
        checked.append(path.name)
        text = path.read_text()
        if "opiate_supply:" in text:
            comment = text[:text.index("opiate_supply:")].rsplit("instability:", 1)[-1]
            assert re.search(r"ban holds", comment), f"{path.name}: assumption not stated"
    assert {"afghan_instability.yaml", "afghan_corridor.yaml",
            "afghan_corridor_rats.yaml"} <= set(checked)


def test_post_ban_supply_carries_its_share_of_the_flows_on_the_same_seeds(at_one) -> None:
    """At the 2023 index (333 / 6,200 = 0.054) every opiate flow and seizure is 0.054 times
    the flow at 1, run by run and year by year. The supply noise is drawn from its own stream,
    common to both runs, and route flows are linear in supply at given efforts, so the draws
    leave no tolerance beyond rounding; nothing else reads the flows, so every other
    indicator is the same bit for bit."""
    years, one = at_one
    index = UNODC_T[2023] / UNODC_T[2022]
    _, ban = _run(index)
    for k in DRUGS:
        assert (one[k] > 0).any(), k
        np.testing.assert_allclose(ban[k], index * one[k], rtol=1e-9, atol=1e-12, err_msg=k)
    assert set(ban) == set(one)
    for k in set(one) - set(DRUGS):
        np.testing.assert_array_equal(ban[k], one[k], err_msg=k)


def test_supply_path_is_read_per_year_as_a_step_function(at_one) -> None:
    """``{2025: 0.2, 2027: 0.7}`` is 0.2 in 2025 and 2026 (a step, not an interpolation:
    0.45 in 2026 would be) and 0.7 from 2027."""
    years, one = at_one
    _, path = _run({2025: 0.2, 2027: 0.7})
    want = {2025: 0.2, 2026: 0.2, 2027: 0.7}
    for k in DRUGS:
        pos = one[k] > 0
        ratio = np.where(pos, path[k] / np.where(pos, one[k], 1.0), np.nan)
        for t, y in enumerate(years):
            got = ratio[:, t][np.isfinite(ratio[:, t])]
            assert got.size and np.allclose(got, want[y], rtol=1e-9), (k, y)


@pytest.mark.parametrize(("written", "line", "path", "message"), [
    ("{2025: 0.057, 2028: -0.1}", 6, "parameters.security.opiate_supply",
     "every value must be in [0, 10], got -0.1"),
    ("11", 6, "parameters.security.opiate_supply", "every value must be in [0, 10], got 11"),
    ("ban", 6, "parameters.security.opiate_supply",
     "expected a number or a mapping {year: number}, got str 'ban'"),
    ("{2025: 0.057, 2040: 1.0}", 6, "parameters.security.opiate_supply[2040]",
     "year 2040 is outside the simulated years 2025-2030"),
    ("{2026: 0.057}", 6, "parameters.security.opiate_supply[2026]",
     "first year 2026 is after years.start 2025"),
])
def test_bad_supply_is_refused_naming_file_line_field_and_what_is_allowed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, line: int, path: str,
        message: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("name: s\nyears: {start: 2025, end: 2030}\nparameters:\n"
                 "  mechanisms: {security: security}\n"
                 f"  security:\n    opiate_supply: {written}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    items = {(e.line, e.path): e.message for e in info.value.errors}
    assert (line, path) in items, items
    assert message in items[(line, path)]
    assert all(e.file.endswith("s.yaml") for e in info.value.errors)
    # The command line says it in one "scosim: error:" line per problem, no traceback.
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"scosim: error: {f}:{line}: {path}: " in err and "Traceback" not in err
