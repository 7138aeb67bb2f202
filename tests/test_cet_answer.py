"""The answer's common-external-tariff line (scosim.cet_answer), against the calibration.

The CET from the rule docs/customs_union.md documents (``weighted_mean``: each
participant's MFN trade-weighted rate weighted by its total imports), and each member's
average tariff on imports from non-members, base-year weights, before (the run's own
baseline tariffs in its last year, with the agreements entering into force after the base
year) and after (the legal tariffs the run's model charges that year).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from scosim.cet_answer import UnionTariffs, cet_lines
from scosim.cli import main
from scosim.data import MEMBERS, load_calibration
from scosim.data.cet_inputs import cet_inputs
from scosim.runner import run_model
from scosim.runstats import RunStats
from scosim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO = {
    "name": "cet_line", "years": {"start": 2025, "end": 2028}, "replications": 2,
    "parameters": {"rules": {"vote": "always_yes", "defect": "never_defect"}},
    "proposals": [{"type": "customs_union", "id": "cu", "year": 2025, "proposer": "CHN",
                   "participants": "members", "cet": "weighted_mean"}],
}


def _said(text: str) -> tuple[float, dict[str, tuple[float, float]], str]:
    """The CET and each member's ``(before, after)`` in percent, and the line itself."""
    flat = " ".join(text.split())
    line = re.search(r"Common external tariff of cu: .*?\.(?= [A-Z]|$)", flat)
    assert line, text
    cet = float(re.search(r"of cu: ([\d.]+) %", line.group()).group(1))
    pairs = {c: (float(b), float(a)) for c, b, a in
             re.findall(r"([A-Z]{3}) ([\d.]+) -> ([\d.]+) %", line.group())}
    return cet, pairs, line.group()


def test_the_line_states_the_cet_and_each_members_tariffs_as_computed_apart(
        tmp_path: Path) -> None:
    path = tmp_path / "cet_line.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    kept = next((tmp_path / "out").glob("cet_line/*/summary.txt")).read_text()
    cet, pairs, line = _said(kept)
    assert "in 2028, weighted by base-year (2023) imports" in line
    assert "some runs had fewer" not in line  # every invitee in every run

    cal = load_calibration()
    codes = list(cal.countries.index)
    # The members and Armenia, which the EAEU brings (docs/customs_union.md, "Blocs").
    inside = np.array([c in (*MEMBERS, "ARM") for c in codes])
    imports = np.where(np.eye(len(codes), dtype=bool), 0.0, _trade(cal)).sum(axis=0)
    # The rule's rates are of one kind (MFN trade-weighted), India's from the WTO.
    mfn = cet_inputs(cal, codes).rates
    assert "WDI has no such rate for IND: 12.60 %" in line
    expect = float(imports[inside] @ mfn[inside] / imports[inside].sum())
    assert cet == pytest.approx(100 * expect, abs=0.005)
    assert set(pairs) == {c for c, x in zip(codes, inside, strict=True) if x}
    _check_against_the_run(load_scenario(path), pairs, inside)
    # A member with every non-member at MFN and no preference: India's average moves to
    # what the union's schedule charges, and it falls (11 % to under 5 %).
    assert pairs["IND"][1] < pairs["IND"][0]


def _trade(cal: Any) -> np.ndarray:
    codes = list(cal.countries.index)
    return cal.trade.loc[codes, codes].to_numpy(dtype=float)


def _check_against_the_run(scenario: Any, pairs: dict[str, tuple[float, float]],
                           inside: np.ndarray) -> np.ndarray:
    """Each member's before and after against the run's own tariffs in its last year.

    Before: the year's baseline (``tau0``, with the agreements in force by then); after:
    the legal tariffs the run charged, every invitee in. Returns the base year's
    averages before, in percent, by member.
    """
    cal = load_calibration()
    codes = list(cal.countries.index)
    trade = _trade(cal)
    tariffs = cal.tariffs.loc[codes, codes].to_numpy(dtype=float)
    model = run_model(scenario, runs=[0])
    baseline, charged = np.broadcast_to(model.tau0, model.tariffs.shape)[0], model.tariffs[0]
    at_base = []
    for code, (before, after) in pairs.items():
        j = codes.index(code)
        w = trade[~inside, j]
        assert before == pytest.approx(100 * w @ baseline[~inside, j] / w.sum(), abs=0.005)
        assert after == pytest.approx(100 * w @ charged[~inside, j] / w.sum(), abs=0.005)
        at_base.append(100 * w @ tariffs[~inside, j] / w.sum())
    return np.array(at_base)


def test_the_line_takes_the_agreements_in_force_in_its_year(tmp_path: Path) -> None:
    # Iran outside a Central Asian union: the EAEU-Iran agreement (2025) has cut the
    # EAEU members' duties on Iran's goods by the answer's year, 2029.
    path = SCENARIOS / "customs_union_central_asia.yaml"
    assert main(["run", str(path), "--out", str(tmp_path), "--quiet", "--replications", "1",
                 "--set", "years.end=2029"]) == 0
    cet, pairs, line = _said(
        next(tmp_path.glob("*/*/summary.txt")).read_text().replace("ca_cu", "cu"))
    assert "in 2029, weighted by base-year (2023) imports" in line
    codes = list(load_calibration().countries.index)
    inside = np.array([c in pairs for c in codes])
    assert {"KAZ", "RUS", "ARM"} <= set(pairs) and "IRN" not in pairs
    at_base = _check_against_the_run(
        load_scenario(path, {"years.end": 2029}), pairs, inside)
    # The base year's tariffs would say otherwise: the agreement moved the line.
    said = np.array([before for before, _ in pairs.values()])
    assert np.max(at_base - said) > 0.1


def _stats(share: float, year: int = 2030) -> RunStats:
    rows = [(r, year, c, name, v) for r in range(2) for c in ("CHN", "KAZ")
            for name, v in (("welfare_change_pct", 0.1), ("in_customs_union", share))]
    ind = pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
    return RunStats.from_frames(ind)


UNION = UnionTariffs(pid="cu", rule="weighted_mean", cet=0.05, members=("CHN", "KAZ"),
                     before={"CHN": 0.03, "KAZ": 0.04}, after={"CHN": 0.045, "KAZ": 0.05},
                     full_year=2029, base_year=2023, year=2030)


def _text(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def test_no_line_where_the_union_was_never_in_force() -> None:
    assert cet_lines([UNION], _stats(0.0), 2030) == []


def test_a_union_some_runs_lacked_members_of_says_so() -> None:
    text = _text(cet_lines([UNION], _stats(0.5), 2030))
    assert "CHN 3.00 -> 4.50 %, KAZ 4.00 -> 5.00 %" in text
    assert "These cover all 2 invited states; in 2030 some runs had fewer in the bloc" in text
    full = _text(cet_lines([UNION], _stats(1.0), 2030))
    assert "fewer" not in full and "in 2030, weighted" in full
    early = _text(cet_lines([replace(UNION, year=2029)], _stats(1.0, 2028), 2028))
    assert "once fully phased in (2029)" in early
    with pytest.raises(ValueError, match="those of 2030, not of 2028"):
        cet_lines([UNION], _stats(1.0, 2028), 2028)  # numbers of another year's tariffs
