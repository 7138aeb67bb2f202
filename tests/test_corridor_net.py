"""A corridor run's answer gives each economy's welfare net of what it pays for corridors.

The GE welfare counts the trade-cost change and the transit fees, not the build cost
(``Corridor.welfare_excludes``), while the Council's vote scores the expected net gain:
the preview's benefit less its annualised payments, net of the salvage, plus the bank
owners' expected loss, over expenditure. The run records the same net
(``corridor_net_welfare_pct``): the welfare change less that annualised cost, by the
preview's own function, over the year's expenditure. Checked against the preview in an
operating year (its net gain realised: the preview weighs its benefits by the share of
years the project is expected to operate, ``q``, 1 in a year it does), by hand on a
budget-financed railway, and in the answer's table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.mechanism_answer import HeadlineIndicator, mechanism_lines
from scosim.model.model import SCOModel
from scosim.network.corridor import Corridor
from scosim.network.hazard import RECOVERY
from scosim.run_headline import headline_text
from scosim.runstats import RunStats
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
NET = "corridor_net_welfare_pct"


def _model(name: str, runs: int, years: int, **over: object) -> SCOModel:
    m = SCOModel(load_scenario(SCENARIOS / name, overrides={"replications": runs, **over}))
    for _ in range(years):
        m.step()
    return m


def _last(m: SCOModel, name: str) -> np.ndarray:
    return np.asarray(m.records[name][-1], dtype=float)


def test_the_run_s_net_is_the_preview_s_net_gain_in_an_operating_year() -> None:
    """INSTC (Iran repays a guaranteed loan; no shocks), 6 runs, 2033: it operates.

    The preview of 2034 and the year 2033 route the same trade only with base-year loads:
    each year's solved trade (the default) moves the loads, so the congestion, from one year
    to the next (test_network_loads.py).
    """
    m = _model("corridor_instc.yaml", 6, 9, **{"parameters.network.loads": "base_year"})
    arr = next(a for a in m.arrangements if isinstance(a, Corridor))
    assert arr.in_force.all() and m.year - 1 >= 2032
    pv = arr.preview(m, arr.participants)
    cost = pv.info["cost_share_of_expenditure"]
    q = pv.info["operating_share"]
    assert (q < 0.9).all()  # the expectation the preview takes, which the year does not
    # The preview's net gain with the project operating: its benefit over q, less its cost.
    # The run's net takes the payments as the run knows them in the year (the line standing
    # in every run here: the expected values given that it stood so far; since 2026-12-07,
    # when failures began to be drawn), over the same expenditure.
    assert (arr.fail_year < 0).all()
    known = arr._annual_cost(pv.info["expenditure_usd"], m.year - 1)
    assert not np.allclose(known, cost, rtol=1e-6)  # not the entry's expected values
    preview_net = (pv.gain + cost) / q - known
    cost = known
    net, welfare = _last(m, NET) / 100.0, _last(m, "welfare_change_pct") / 100.0
    np.testing.assert_allclose(net, preview_net, rtol=1e-9, atol=1e-12)
    # What the net takes off is the preview's annualised cost share and, the line
    # operating, the year's O&M (2 % of the US$5.3 bn a year, Iran's), in every run.
    upkeep = pv.info["upkeep_share_of_expenditure"]
    irn = m.codes.index("IRN")
    np.testing.assert_allclose(upkeep[:, irn] * pv.info["expenditure_usd"][:, irn],
                               0.02 * 5.3e9, rtol=1e-12)
    np.testing.assert_allclose(welfare - net, cost + upkeep, rtol=1e-9, atol=1e-15)
    assert (net[:, irn] < welfare[:, irn] - 1e-4).all()  # Iran pays US$5.3 bn
    # Where an economy pays nothing and bears nothing, the net is its welfare exactly.
    free = ((arr.paid == 0) & (arr.recovered == 0) & (arr.owners_risk == 0)
            & (arr.upkeep_usd == 0))
    assert free.sum() > 0.9 * free.size and not free[:, irn].any()
    assert np.array_equal(_last(m, NET)[free], _last(m, "welfare_change_pct")[free])


def test_a_budget_railway_s_net_by_hand() -> None:
    """CKU (the hosts pay from their budgets), 2 runs, 2034.

    From their budgets the hosts pay the cost up front (``corridor_paid_usd``) and after a
    failure get back ``RECOVERY`` of it where ``1 - RECOVERY`` is lost
    (``corridor_risk_usd``): the preview's cost is 7 % a year (the cost of funds of its
    present values; 4 % until 2026-12-06) of paid less what is recovered, over the year's
    expenditure in the run's US$ (the GE's, whose flows the
    moving baseline re-bases to the run's GDP); and, operating from 2033, 2 % of the
    US$8 bn a year for O&M, in each host's share of the cost (its km).
    """
    m = _model("corridor_cku.yaml", 2, 10)
    assert m.scenario.parameters.trade.moving_baseline
    paid, risk = _last(m, "corridor_paid_usd"), _last(m, "corridor_risk_usd")
    shares = paid / paid.sum(axis=1, keepdims=True)  # budget: each pays its share up front
    by_hand = (0.07 * (paid - risk * RECOVERY / (1.0 - RECOVERY)) + 0.02 * 8.0e9 * shares
               ) / np.asarray(m.ge.expenditure, dtype=float)
    welfare = _last(m, "welfare_change_pct")
    np.testing.assert_allclose(welfare - _last(m, NET), 100.0 * by_hand, rtol=1e-9,
                               atol=1e-13)
    kgz = m.codes.index("KGZ")
    # Kyrgyzstan pays its 12.2 % of the US$8 bn (the 2024 agreement's shares, projects.csv;
    # by length it paid 4.0 bn): its net is below its trade gain.
    assert np.allclose(paid[:, kgz], 0.1218 * 8e9) and (_last(m, NET)[:, kgz] < welfare[
        :, kgz]).all()
    assert (welfare[:, kgz] > 0).all()


def _stats(net_shift: dict[str, float]) -> RunStats:
    """Four runs: welfare 0.5 x (1, 2, 3, 4) for CHN, 0.1 for KAZ; the net shifted by economy."""
    rows = []
    for r in range(4):
        for c, w in (("CHN", 0.5 * (r + 1)), ("KAZ", 0.1), ("MNG", -1.0)):
            rows += [(r, 2030, c, "welfare_change_pct", w),
                     (r, 2030, c, NET, w - net_shift.get(c, 0.0) * (r + 1)),
                     (r, 2030, c, "member", 0.0 if c == "MNG" else 1.0)]
    ind = pd.DataFrame(rows, columns=["run", "year", "country", "indicator", "value"])
    ev = pd.DataFrame([(r, 2026, "vote", c, "cor", True, "always_yes") for r in range(4)
                       for c in ("CHN", "KAZ")],
                      columns=["run", "year", "type", "country", "proposal", "yes", "rule"])
    return RunStats.from_frames(ind, ev)


def _declared() -> dict[str, HeadlineIndicator]:
    """What the corridor type declares of its net welfare, as the answer reads it."""
    return {NET: HeadlineIndicator(Corridor.headline[NET], Corridor.indicators[NET], "",
                                   "corridor")}


def test_the_answer_gives_the_net_beside_the_welfare_change() -> None:
    """CHN pays 0.2 x run (1, 2, 3, 4) percent: its net is 1.25 - 0.5 = +0.75."""
    text = headline_text(_stats({"CHN": 0.2}), "t (seed 1)", mechanisms=_declared())
    lines = text.splitlines()
    head = next(x for x in lines if x.split()[:1] == ["economy"])
    assert head.split() == ["economy", "welfare", "5-95", "%", "of", "runs", "gains", "net",
                            "5-95", "%", "of", "runs"]
    chn = next(x for x in lines if "CHN China" in x).split()
    # net per run: 0.3, 0.6, 0.9, 1.2; mean 0.75
    assert chn[2:8] == ["+1.25", f"{np.percentile([.5, 1, 1.5, 2], 5):+.2f}", "to",
                        f"{np.percentile([.5, 1, 1.5, 2], 95):+.2f}", "100", "%"]
    assert chn[8:] == ["+0.75", f"{np.percentile([.3, .6, .9, 1.2], 5):+.2f}", "to",
                       f"{np.percentile([.3, .6, .9, 1.2], 95):+.2f}"]
    # Nothing paid: the net column repeats the welfare change (an outsider's too).
    kaz = next(x for x in lines if "KAZ Kazakhstan" in x).split()
    assert kaz[8:] == kaz[2:6]
    mng = next(x for x in lines if "MNG Mongolia" in x).split()
    assert mng[2:6] == mng[8:] == ["-1.00", "-1.00", "to", "-1.00"]
    flat = " ".join(text.split())
    assert f"net ({NET}): the welfare change less the payments for adopted corridors" in flat
    # Not a block of the mechanisms' answer as well.
    assert mechanism_lines(_stats({}), _declared()) == []


def test_no_net_column_without_the_indicator_or_a_welfare_change() -> None:
    st = _stats({"CHN": 0.2})
    plain = headline_text(st, "t (seed 1)")
    assert " net " not in plain and "welfare_change_pct less" not in plain
    head = next(x for x in plain.splitlines() if x.split()[:1] == ["economy"])
    assert head.split()[1] == "median"  # the answer's one statistic


@pytest.mark.parametrize("kind", ["level", "total", "share"])
def test_other_kinds_stay_blocks(kind: str) -> None:
    """Only a ``net`` indicator moves into the table: a level is still its own block."""
    declared = {NET: HeadlineIndicator(kind, "percent", "", "corridor")}
    assert mechanism_lines(_stats({"CHN": 0.2}), declared)
