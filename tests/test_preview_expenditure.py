"""Vote previews count a cost or income that is a share of GDP as the run's welfare does.

The run's welfare takes US$ costs out of expenditure and adds US$ income to it: real
expenditure ``(E' - C) / P'``, so a share ``s`` of GDP moves it by ``s GDP / E'``
(:mod:`scosim.model.gdp_shares`). A preview's GE gain is a share of real expenditure, so
what it adds to it must be too: until 2026-12-06 the RATS upgrade's contribution and a
corridor's payments and fees were added as shares of GDP (an outside review: Kyrgyzstan's
contribution 1.6 times what its welfare loses, its expenditure being 1.6 times its GDP).
Each test checks a preview, taken after the years it is in force, against the record of
the last year: the US$ recorded over the year's GE expenditure, or the recorded welfare
over the GE's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _model(name: str, years: int, **overrides: object) -> SCOModel:
    """A two-run model of ``name`` stepped through ``years`` years (the run goes on after)."""
    m = SCOModel(load_scenario(SCENARIOS / name, overrides={"replications": 2, **overrides}))
    for _ in range(years):
        m.step()
    return m


def _last(m: SCOModel, name: str) -> np.ndarray:
    return np.asarray(m.records[name][-1], dtype=float)


def test_the_rats_contribution_in_the_vote_is_what_the_run_s_welfare_loses_by_it() -> None:
    m = _model("afghan_instability_rats.yaml", 1)  # 2025 done: the 2026 summit previews
    arr = next(a for a in m.arrangements if a.name == "rats_upgrade")
    assert not arr.in_force.any()
    kgz = m.codes.index("KGZ")
    pv = arr.preview(m, arr.invitees(m))
    # The record: the contribution in US$ at the year's recorded GDP (the preview's, the
    # last stepped year's) over the year's GE expenditure in US$ (the moving baseline's
    # flows are re-based to that GDP). The year's policy is the preview's without the
    # upgrade; with it, trade moves a little, and E' by less than 1e-4 of itself.
    usd = arr.proposal.upgrade_cost_share_gdp * _last(m, "gdp_baseline_path_usd")
    realised = usd / np.asarray(m.ge.expenditure)
    term = pv.info["trade_gain"] - pv.gain  # what the vote takes off for the contribution
    np.testing.assert_allclose(term[:, kgz], realised[:, kgz], rtol=1e-4)
    # Kyrgyzstan's expenditure is 1.6 times its GDP: the share of GDP would be 60 % off.
    assert (term[:, kgz] < 0.65 * arr.proposal.upgrade_cost_share_gdp).all()


def test_a_corridor_s_fees_in_the_vote_are_what_the_run_s_welfare_gains_by_them() -> None:
    m = _model("corridor_instc.yaml", 9, **{"proposals[0].transit_fee_usd_per_teu": 2000.0})
    arr = next(a for a in m.arrangements if a.name == "corridor")
    assert arr.in_force.all() and m.year - 1 >= 2032  # the INSTC operates
    irn = m.codes.index("IRN")
    pv = arr.preview(m, arr.participants)
    # The record: the realised welfare over the GE's own (its three terms) is one plus
    # the fee revenue over expenditure. The INSTC is the only corridor charging a fee, so
    # the preview's fees with it against without it are that revenue.
    ge = 1.0 + sum(_last(m, f"welfare_{t}_pct") for t in ("tariff_revenue", "terms_of_trade",
                                                          "rest")) / 100.0
    realised = (_last(m, "welfare_change_pct") / 100.0 + 1.0) / ge - 1.0
    assert (realised[:, irn] > 1e-4).all()
    fees = pv.info["transit_fees_share_of_expenditure"]
    np.testing.assert_allclose(fees[:, irn], realised[:, irn], rtol=2e-3)
    # and in US$, over the year's GE expenditure
    np.testing.assert_allclose(pv.info["expenditure_usd"][:, irn],
                               np.asarray(m.ge.expenditure)[:, irn], rtol=2e-3)
