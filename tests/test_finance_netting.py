"""National-currency settlement covers what clears: bilateral and multilateral netting.

Before (outside review, 2026-12-06): a settlement floor of 80 percent was credited to every
participant pair whatever its imbalance, although India exported US$4.3 bn to Russia and
imported US$67.1 bn from it in 2023, so only 12 percent of the pair's trade offsets and the
rest would pile up as rupees Russia cannot spend. ``scosim.finance.netting`` gives the
clearing arithmetic and the proposal caps each pair's floor at what clears.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.constants import ECONOMIES, MEMBERS
from scosim.finance.netting import (
    bilateral_netting_ratio,
    clearable_shares,
    multilateral_netting_ratio,
    net_positions,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
TRADE = ROOT / "src" / "scosim" / "data" / "tables" / "2023" / "trade.csv"


def _random_trade(seed: int, n: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 1.5, (n, n)) * (rng.random((n, n)) < 0.7)
    np.fill_diagonal(x, 0.0)
    return x


def test_a_balanced_matrix_nets_everything_both_ways() -> None:
    x = _random_trade(1)
    sym = x + x.T  # every pair's flows equal each way
    assert bilateral_netting_ratio(sym) == pytest.approx(1.0, abs=1e-15)
    assert multilateral_netting_ratio(sym) == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(clearable_shares(sym, np.ones((1, 6), bool))[0], 1.0,
                               rtol=0, atol=1e-15)


def test_a_one_way_flow_nets_nothing_bilaterally() -> None:
    x = np.zeros((3, 3))
    x[0, 1] = 5.0
    assert bilateral_netting_ratio(x) == 0.0
    assert multilateral_netting_ratio(x) == 0.0  # one pair: nothing to offset it with
    c = clearable_shares(x, np.ones((1, 3), bool), "multilateral")[0]
    assert c[0, 1] == 0.0 and c[1, 0] == 0.0
    assert c[0, 2] == 1.0  # no trade, nothing to clear


def test_a_cycle_nets_nothing_bilaterally_and_everything_multilaterally() -> None:
    """A -> B -> C -> A, 10 each: no pair offsets, every member's net position is zero
    (the case the European Payments Union was built for)."""
    x = np.zeros((3, 3))
    x[0, 1] = x[1, 2] = x[2, 0] = 10.0
    assert bilateral_netting_ratio(x) == 0.0
    assert multilateral_netting_ratio(x) == 1.0
    np.testing.assert_array_equal(net_positions(x), 0.0)
    c = clearable_shares(x, np.ones((1, 3), bool), "multilateral")[0]
    np.testing.assert_allclose(c, 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("seed", range(20))
def test_multilateral_nets_at_least_bilateral_and_positions_sum_to_zero(seed: int) -> None:
    x = _random_trade(seed)
    members = np.random.default_rng(100 + seed).random(6) < 0.8
    bil = bilateral_netting_ratio(x, members)
    mult = multilateral_netting_ratio(x, members)
    assert 0.0 <= bil <= mult + 1e-12 <= 1.0 + 1e-12
    net = net_positions(x, members)
    assert abs(net.sum()) <= 1e-12 * x.sum()
    assert (net[~members] == 0).all()
    # Pair by pair the caps add up to the aggregate ratios, trade-weighted.
    inside = members[:, None] & members[None, :] & ~np.eye(6, dtype=bool)
    total = x[inside].sum()
    for clearing, ratio in (("bilateral", bil), ("multilateral", mult)):
        c = clearable_shares(x, members[None], clearing)[0]
        np.testing.assert_array_equal(c, c.T)
        assert (c[inside] * x[inside]).sum() / total == pytest.approx(ratio, rel=1e-12)
    lo = clearable_shares(x, members[None], "bilateral")[0]
    hi = clearable_shares(x, members[None], "multilateral")[0]
    assert (hi >= lo - 1e-15).all()


def test_the_2023_members_trade_nets_as_the_review_counted() -> None:
    """The outside review's arithmetic on the 2023 trade table (2026-12-06): India-Russia
    US$4.3 bn / 67.1 bn, so 12 % clears; of members' US$644 bn of mutual trade 63 % clears
    bilaterally and multilateral netting leaves 34 % to settle."""
    t = pd.read_csv(TRADE, index_col=0).to_numpy(dtype=float)
    members = np.array([c in MEMBERS for c in ECONOMIES])
    ind, rus = ECONOMIES.index("IND"), ECONOMIES.index("RUS")
    assert t[ind, rus] / 1e9 == pytest.approx(4.3, abs=0.05)
    assert t[rus, ind] / 1e9 == pytest.approx(67.1, abs=0.05)
    c = clearable_shares(t, members[None])[0]
    assert c[ind, rus] == pytest.approx(2 * 4.3 / (4.3 + 67.1), abs=0.002)
    assert bilateral_netting_ratio(t, members) == pytest.approx(0.63, abs=0.005)
    assert 1.0 - multilateral_netting_ratio(t, members) == pytest.approx(0.34, abs=0.005)


def test_bad_input_is_refused_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="clearing 'epu' is not one of"):
        clearable_shares(np.zeros((2, 2)), np.ones((1, 2), bool), "epu")
    with pytest.raises(ValueError, match="trade flows must be finite and >= 0"):
        bilateral_netting_ratio(np.array([[0.0, -1.0], [1.0, 0.0]]))


def _floor(clearing: str | None) -> tuple[np.ndarray, list[str]]:
    """The settlement floor lever the shipped proposal writes when adopted by members."""
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    over: dict[str, object] = {"replications": 1, "years": {"start": 2025, "end": 2026}}
    if clearing is not None:
        over["proposals.national_currencies.clearing"] = clearing
    m = SCOModel(load_scenario(SCENARIOS / "finance_crisis_settlement.yaml", overrides=over))
    (arr,) = [a for a in m.arrangements if a.name == "national_currency_settlement"]
    policy = arr.policy_if_adopted(m, arr.invitees(m))
    return np.asarray(policy.levers["finance.settlement_floor"])[0], list(m.codes)


def test_the_proposal_caps_each_pair_at_what_clears() -> None:
    bil, codes = _floor(None)  # the default: bilateral
    mult, _ = _floor("multilateral")
    unc, _ = _floor("uncapped")
    ind, rus, chn = (codes.index(c) for c in ("IND", "RUS", "CHN"))
    assert bil[ind, rus] == pytest.approx(0.121, abs=0.001)  # 4.3 of 71.4 each way
    assert bil[chn, rus] == pytest.approx(0.8)  # balanced enough: the floor binds
    assert bil[ind, rus] < mult[ind, rus] < 0.8
    members = [codes.index(c) for c in MEMBERS]
    pairs = np.ix_(members, members)
    off = ~np.eye(len(members), dtype=bool)
    assert (unc[pairs][off] == 0.8).all()  # the figures before the cap
    assert (bil[pairs] <= mult[pairs] + 1e-15).all() and (mult[pairs] <= 0.8).all()


def test_the_interbank_matrix_is_symmetric_by_construction() -> None:
    """docs/finance.md section 1: the exposures are RAS of symmetric trade to equal claims
    and liabilities, so every pair owes each other the same and no net position is left
    (no bilateral or net banking data in the raw folder). A build from asymmetric data
    (BIS locational statistics, banks' net foreign assets) must update that paragraph."""
    from scosim.finance.data import load_banking

    d = load_banking()
    assert np.abs(d.L - d.L.T).max() == 0.0
    net = d.L.sum(axis=0) - d.L.sum(axis=1)
    assert np.abs(net).max() <= 1e-12 * d.L.sum()
    chn, mng = d.codes.index("CHN"), d.codes.index("MNG")
    assert d.L[chn, mng] / d.capital[mng] == pytest.approx(0.86, abs=0.005)  # as the doc says


def test_validate_names_the_clearing_field_and_its_choices(capsys) -> None:
    from scosim.cli import main

    sc = str(SCENARIOS / "finance_crisis_settlement.yaml")
    assert main(["validate", sc, "--set", "proposals.national_currencies.clearing=epu"]) == 2
    err = capsys.readouterr().err
    assert "clearing" in err and "bilateral, multilateral, uncapped" in err
    assert "Traceback" not in err
    assert main(["validate", sc, "--set",
                 "proposals.national_currencies.clearing=multilateral"]) == 0
