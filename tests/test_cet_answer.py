"""The answer's common-external-tariff line (scosim.cet_answer), against the calibration.

The CET from the rule docs/customs_union.md documents (``weighted_mean``: each
participant's MFN rate weighted by its total imports), and each member's average tariff on
imports from non-members, base-year weights, before (the calibration's tariffs) and after
(the legal tariffs the run's own model charges in its last year).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scosim.cet_answer import UnionTariffs, cet_lines
from scosim.cli import main
from scosim.data import MEMBERS, load_calibration
from scosim.runner import run_model
from scosim.runstats import RunStats
from scosim.scenario.loader import load_scenario

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
    trade = cal.trade.loc[codes, codes].to_numpy(dtype=float)
    tariffs = cal.tariffs.loc[codes, codes].to_numpy(dtype=float)
    # The members and Armenia, which the EAEU brings (docs/customs_union.md, "Blocs").
    inside = np.array([c in (*MEMBERS, "ARM") for c in codes])
    imports = np.where(np.eye(len(codes), dtype=bool), 0.0, trade).sum(axis=0)
    mfn = cal.countries["tariff_mfn"].to_numpy(dtype=float)
    expect = float(imports[inside] @ mfn[inside] / imports[inside].sum())
    assert cet == pytest.approx(100 * expect, abs=0.005)

    # What the run charged: its model's legal tariffs in the last year, every invitee in.
    model = run_model(load_scenario(path), runs=[0])
    charged = model.tariffs[0]
    assert set(pairs) == {c for c, x in zip(codes, inside, strict=True) if x}
    for code, (before, after) in pairs.items():
        j = codes.index(code)
        w = trade[~inside, j]
        assert before == pytest.approx(100 * w @ tariffs[~inside, j] / w.sum(), abs=0.005)
        assert after == pytest.approx(100 * w @ charged[~inside, j] / w.sum(), abs=0.005)
    # A member with every non-member at MFN and no preference: India's average moves to
    # what the union's schedule charges, and it falls (11 % to under 5 %).
    assert pairs["IND"][1] < pairs["IND"][0]


def _stats(share: float, year: int = 2030) -> RunStats:
    rows = [(r, year, c, name, v) for r in range(2) for c in ("CHN", "KAZ")
            for name, v in (("welfare_change_pct", 0.1), ("in_customs_union", share))]
    ind = pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
    return RunStats.from_frames(ind)


UNION = UnionTariffs(pid="cu", rule="weighted_mean", cet=0.05, members=("CHN", "KAZ"),
                     before={"CHN": 0.03, "KAZ": 0.04}, after={"CHN": 0.045, "KAZ": 0.05},
                     full_year=2029, base_year=2023)


def _text(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def test_no_line_where_the_union_was_never_in_force() -> None:
    assert cet_lines([UNION], _stats(0.0), 2030) == []


def test_a_union_some_runs_lacked_members_of_says_so() -> None:
    text = _text(cet_lines([UNION], _stats(0.5), 2030))
    assert "CHN 3.00 -> 4.50 %, KAZ 4.00 -> 5.00 %" in text
    assert "For all 2 states it invites; in 2030 some runs had fewer in it" in text
    full = _text(cet_lines([UNION], _stats(1.0), 2030))
    assert "fewer" not in full and "in 2030, weighted" in full
    early = _text(cet_lines([UNION], _stats(1.0, 2028), 2028))
    assert "once fully phased in (2029)" in early
