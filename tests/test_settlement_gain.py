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
    assert f"({GAIN}), largest in 2026" in " ".join(block.split())
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
    quoted = ", ".join(f"{n} {gain[c]:+.2f}" for c, n in names.items())
    doc = (Path(__file__).resolve().parents[1] / "docs" / "finance.md").read_text()
    assert quoted in " ".join(doc.split()), quoted


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


def test_the_vote_prices_the_gain_in_the_record_s_measure() -> None:
    """The preview is ``welfare_change_pct`` with less without, / 100, as the record.

    Before: the preview was the ratio ``w1 / w0 - 1`` while the record is the difference
    ``(w1 - w0) * 100``; they differ by the factor ``w0`` (Russia's 0.996 in the
    crisis year), so the vote priced a different number than the run then recorded.
    """
    from scosim.model.model import SCOModel
    from scosim.model.policy import preview_policy, with_slot_costs

    sc = load_scenario(SCENARIOS / "finance_crisis_settlement.yaml", overrides={
        "replications": 1, "years": {"start": 2025, "end": 2026}, "proposals.0.year": 2026})
    model = SCOModel(sc)
    model.step()  # 2025: the state the 2026 summit votes in
    arr = model.arrangements[0]
    assert model.year == 2026 and model.scenario.events  # the crisis year, with sanctions
    parts = np.asarray(model.is_member(), bool)
    gain = arr.preview(model, parts).gain
    without = preview_policy(model, exclude=arr)
    with_ = arr.policy_if_adopted(model, parts, without=without)
    pct = [(model.solve_policy(with_slot_costs(model, p)).welfare_change - 1.0) * 100.0
           for p in (without, with_)]
    np.testing.assert_allclose(gain * 100.0, pct[1] - pct[0], rtol=0, atol=1e-12)
    rus = list(model.codes).index("RUS")
    # The sanctions move Russia's welfare (w0 is not 1), and the floors do.
    assert abs(pct[0][0, rus]) > 0.1 and gain[0, rus] * 100.0 > 0.05
