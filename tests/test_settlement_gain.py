"""National-currency settlement records its own welfare gain under the year's sanctions.

Before: ``finance_crisis_settlement.yaml``'s answer showed only the welfare table of 2030,
against no policy *and* no sanctions, which read the same as ``finance_crisis.yaml`` to the
digit; the settlement's effect (in 2026, the sanctions' year) needed ``scosim compare``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.runner import run
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
GAIN = "settlement_welfare_gain_pct"


def _by_run(ind: pd.DataFrame, name: str) -> pd.Series:
    rows = ind[ind["indicator"] == name]
    return rows.set_index(["run", "year", "country"])["value"].sort_index()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    """The crisis with and without settlement, 4 runs each, same seed."""
    out = tmp_path_factory.mktemp("settle")
    over = {"replications": 4}
    a = run(str(SCENARIOS / "finance_crisis_settlement.yaml"), out=str(out), progress=False,
            plots=False, overrides=over)
    b = run(str(SCENARIOS / "finance_crisis.yaml"), out=str(out), progress=False,
            plots=False, overrides=over)
    return a, b


def test_the_gain_is_the_paired_welfare_difference_with_the_crisis_alone(pair) -> None:
    """Run by run and year by year, gain = welfare(settlement) - welfare(crisis alone).

    Same seed, so run r of both has the same draws; the settlement's floors change only
    the dollar channel's trade costs of the sanctions' year, so the other scenario is the
    counterfactual the indicator solves for. Both are percentage points of the year's
    baseline real expenditure.
    """
    a, b = pair
    gain = _by_run(a.indicators, GAIN)
    diff = _by_run(a.indicators, "welfare_change_pct") - _by_run(b.indicators,
                                                                 "welfare_change_pct")
    np.testing.assert_allclose(gain.to_numpy(), diff.reindex(gain.index).to_numpy(),
                               rtol=0, atol=1e-12)
    in_2026 = gain.xs(2026, level="year")
    # Uzbekistan is shielded from the dollar channel (Belarus, EAEU, already was).
    assert in_2026.xs("UZB", level="country").min() > 0.05
    assert (gain.drop(2026, level="year") == 0).all()  # no sanctions in the other years


def test_the_answer_opens_with_the_gain_in_the_sanctions_year_and_sums_no_percentages(
        pair) -> None:
    from scosim.run_headline import headline_of_run

    a, _ = pair
    text = headline_of_run(a.path)
    assert text is not None
    block = text.split("national_currency_settlement proposals", 1)[1].split("Who gains", 1)[0]
    # The sanctions' year, the scenario's shock year (and the gain's largest: no line after).
    flat = " ".join(block.split())
    assert f"({GAIN}), in 2026, the scenario's shock year" in flat
    assert "and largest in" not in flat
    assert "SCO members together" not in block
    # US$ totals of the same run still add up over members.
    assert "SCO members together" in text.split("fiscal cost of banking crises", 1)[1]


def test_no_sanctions_no_gain(tmp_path: Path) -> None:
    """The floors shield trade from the dollar channel of sanctions: none, nothing to gain."""
    calm = load_scenario(SCENARIOS / "finance_crisis_settlement.yaml",
                         overrides={"replications": 2, "events": []})
    res = run(calm, out=str(tmp_path), progress=False, plots=False)
    gain = _by_run(res.indicators, GAIN)
    inside = _by_run(res.indicators, "in_settlement_arrangement")
    assert inside.max() == 1.0  # the arrangement is in force ...
    assert len(gain) and (gain == 0).all()  # ... and changes nothing without sanctions


def test_docs_quote_the_gain_the_shipped_scenario_gives(tmp_path: Path) -> None:
    """docs/finance.md: the 2026 means of the scenario's own 40 runs."""
    res = run(str(SCENARIOS / "finance_crisis_settlement.yaml"), out=str(tmp_path),
              progress=False, plots=False)
    gain = _by_run(res.indicators, GAIN).xs(2026, level="year").groupby("country").mean()
    names = {"UZB": "Uzbekistan", "RUS": "Russia", "TJK": "Tajikistan", "IND": "India",
             "BLR": "Belarus", "KGZ": "Kyrgyzstan", "MNG": "Mongolia"}
    doc = " ".join((Path(__file__).resolve().parents[1] / "docs" / "finance.md").read_text()
                   .split())
    # Each economy's gain as the paragraph gives it, to three decimals.
    missing = [f"{n} {gain[c]:+.3f}" for c, n in names.items()
               if f"{n} {gain[c]:+.3f}" not in doc]
    assert not missing, missing


def test_eaeu_pairs_start_at_the_published_share_of_national_currencies() -> None:
    """EEC, 2023: 81.3 % of intra-EAEU settlements in roubles, 2.7 % in tenge.

    Before: only Russia-China had a baseline share, so every pair of EAEU members started
    at 0 % and an 80 % settlement floor looked like a large shield for their mutual trade.
    """
    from scosim.data.constants import EAEU
    from scosim.finance.data import TABLES_DIR, load_banking

    data = load_banking()
    pos = {c: i for i, c in enumerate(data.codes)}
    for a in EAEU:
        for b in EAEU:
            if a != b:
                # At least the rouble's and the tenge's shares (other currencies unreported).
                assert data.settlement[pos[a], pos[b]] == pytest.approx(0.813 + 0.027), (a, b)
    assert data.settlement[pos["KAZ"], pos["CHN"]] == 0.0  # no published figure
    table = pd.read_csv(TABLES_DIR / "settlement.csv")
    sources = pd.read_csv(TABLES_DIR / "sources.csv")
    eaeu = table[table["economy_a"].isin(EAEU) & table["economy_b"].isin(EAEU)]
    assert len(eaeu) == 10 and (eaeu["year"] == 2023).all()
    assert set(eaeu["source_id"]) <= set(sources["source_id"])


def test_a_floor_below_the_eaeu_s_own_share_gains_nothing(tmp_path: Path) -> None:
    """80 % among EAEU members alone: their pairs already settle 84 %, so nothing moves."""
    sc = load_scenario(SCENARIOS / "finance_crisis_settlement.yaml", overrides={
        "replications": 2, "years": {"start": 2025, "end": 2026},
        "proposals.0.participants": ["ARM", "BLR", "KAZ", "KGZ", "RUS"]})
    res = run(sc, out=str(tmp_path), progress=False, plots=False)
    gain = _by_run(res.indicators, GAIN)
    inside = _by_run(res.indicators, "in_settlement_arrangement")
    assert inside.xs(2026, level="year").xs("BLR", level="country").min() == 1.0
    assert len(gain) and (gain == 0).all()


def _vote_and_record(tmp_path: Path, moving: bool) -> tuple[pd.Series, pd.Series]:
    """The 2026 vote's econ term x 100 and the 2026 record, by run and economy."""
    res = run(str(SCENARIOS / "finance_crisis_settlement.yaml"), out=str(tmp_path),
              progress=False, plots=False, overrides={
                  "replications": 6, "years": {"start": 2025, "end": 2026},
                  "proposals.0.year": 2026, "parameters.council.ratification_lag": 0,
                  "parameters.trade.moving_baseline": moving})
    ev = res.events
    votes = ev[(ev["type"] == "vote") & (ev["year"] == 2026)]
    priced = votes.set_index(["run", "country"])["term_econ"].sort_index() * 100.0
    recorded = _by_run(res.indicators, GAIN).xs(2026, level="year")
    return priced, recorded.loc[priced.index]


@pytest.mark.parametrize("moving", [False, True])
def test_the_vote_prices_the_gain_the_run_records(tmp_path: Path, moving: bool) -> None:
    """The preview is the record's measure, the difference of two welfare changes, on
    the inputs the Council has: the sanctions and GDP shock of the year's events, the
    slots' preview trade costs, and last year's GDP path. The record's are the same but
    for the GDP path, drawn by the growth slot after the summit, to which the moving
    baseline re-bases the year's trade flows (docs/finance.md section 10). So with a
    baseline that does not move they agree run by run to rounding; with the moving one
    (the shipped scenarios) they differ by what a year's GDP draw does to the trade
    pattern: measured with 10 runs up to 0.032 points on gains of about 0.12 (a fifth of
    the largest gain, both signs). The bound below is a quarter of the largest gain.

    Until 2026-12-06 the preview was the ratio ``w1 / w0 - 1``, larger than the record's
    difference by ``1 / w0``; and this test re-ran the preview's code without reading the
    record (outside review)."""
    priced, recorded = _vote_and_record(tmp_path, moving)
    assert len(priced) >= 6 * 9 and recorded.abs().max() > 0.05  # members; a real gain
    gap = (priced - recorded).abs().max()
    if moving:
        assert 1e-6 < gap < 0.25 * recorded.abs().max()
    else:
        assert gap < 1e-9
