"""An accession previewed while a member-wide RATS upgrade is in force (docs/security.md s. 11).

A new member joins every arrangement open to all members (``admit_member``): with a
``rats_upgrade`` for all members in force it pools at the upgraded levels from its
accession year on, not at today's. The accession's ``security`` vote term must see that:
checked against what the run then realises (the change of the security index from the
year of the vote to the year of entry, efforts staying at their baseline) and against the
same preview with the upgrade's levels written for the applicant by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.data.constants import ECONOMIES
from scosim.model.model import SCOModel
from scosim.proposals.base import Preview
from scosim.scenario import load_scenario
from scosim.security.params import CHANNELS

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
AFG, KAZ = ECONOMIES.index("AFG"), ECONOMIES.index("KAZ")
INTEL = CHANNELS.index("intel")
# Everyone votes yes: the upgrade (2025, in force 2026) and the accession (2027, entry
# 2028) pass in every run; instability constant, so the index moves only with policy.
TEXT = f"""extends: {SCENARIOS / "afghan_instability.yaml"}
name: {{name}}
years: {{{{start: 2025, end: 2028}}}}
parameters:
  security: {{{{instability: 1.3}}}}
  trade: {{{{moving_baseline: false, short_run_share: 1.0}}}}
  rules: {{{{vote: always_yes}}}}
proposals:
{{upgrade}}{{accession}}"""
ACCESSION = """  - type: accession
    id: afg_accession
    year: 2027
    applicant: AFG
    proposer: UZB
"""
UPGRADE = """  - type: rats_upgrade
    id: rats_centre
    year: 2025
    proposer: KAZ
    participants: {participants}
    units: [anti_drug]
    intel_gain: 0.5
    upgrade_cost_share_gdp: 0.00005
"""


def _model(tmp_path: Path, name: str, upgrade: str, accession: str = ACCESSION) -> SCOModel:
    path = tmp_path / f"{name}.yaml"
    path.write_text(TEXT.format(name=name, upgrade=upgrade, accession=accession))
    return SCOModel(load_scenario(path), runs=[0, 1, 2])


def _preview_then_run(model: SCOModel) -> tuple[np.ndarray, np.ndarray, Preview]:
    """The 2027 preview's index change, the index change the run realises 2027->2028, and
    the preview (its info also has GDP over the year's GE expenditure in US$,
    ``base_gdp_over_expenditure``: the baseline is fixed, so the GE's flows and dollars
    are the base year's and so is the GDP, the calibration's)."""
    model.step()
    model.step()
    acc = next(a for a in model.arrangements if a.name == "accession")
    pv = acc.preview(model, acc.invitees(model))
    base_gdp = model.cal.countries["gdp_usd"].to_numpy(dtype=float)
    pv.info["base_gdp_over_expenditure"] = base_gdp / np.asarray(model.ge.expenditure)
    while model.running:
        model.step()
    assert model.is_member()[:, AFG].all()
    S = np.stack(model.records["security_index"], axis=1)  # (R, T, N)
    return pv.info["security_index_gain"], S[:, 3] - S[:, 2], pv


def test_preview_sees_the_upgraded_levels_the_new_member_will_pool_at(tmp_path) -> None:
    upgrade = UPGRADE.format(participants="members")
    term, realised, pv = _preview_then_run(_model(tmp_path, "up_members", upgrade))
    np.testing.assert_allclose(term, realised, rtol=0, atol=1e-12)
    # The economic term: the trade gain of the incidents the accession avoids, which is
    # the GE welfare of 2028 with Afghanistan a member over the same year without the
    # accession (the trade pattern does not move here), minus the contribution it would
    # pay to the upgrade (a share of its own GDP, out of its expenditure: the US$ at the
    # base year's GDP over the year's GE expenditure of the base year's flows).
    alone = _model(tmp_path, "up_no_accession", upgrade, accession="")
    while alone.running:
        alone.step()
    joined = _model(tmp_path, "up_members_again", upgrade)
    while joined.running:
        joined.step()
    trade = pv.info["trade_gain"]
    np.testing.assert_allclose(trade, joined.ge.welfare_change / alone.ge.welfare_change - 1,
                               rtol=0, atol=1e-12)
    assert (trade[:, AFG] > 0).all()
    contribution = np.zeros_like(trade)
    contribution[:, AFG] = 0.00005 * pv.info["base_gdp_over_expenditure"][:, AFG]
    assert (contribution[:, AFG] < 0.9 * 0.00005).all()
    np.testing.assert_allclose(pv.gain, trade - contribution, rtol=0, atol=1e-12)
    # Pooling at the upgraded levels is worth more than at today's: compare the accession
    # without the upgrade, where the applicant pools at today's levels.
    plain, plain_realised, _ = _preview_then_run(_model(tmp_path, "no_upgrade", ""))
    np.testing.assert_allclose(plain, plain_realised, rtol=0, atol=1e-12)
    assert (term[:, AFG] > plain[:, AFG]).all()


def test_an_upgrade_for_named_states_does_not_reach_the_applicant(tmp_path) -> None:
    """An upgrade among named participants is not open to all members: a new member pools
    at today's levels, as in the run, so the term equals the realised change there too."""
    term, realised, _ = _preview_then_run(
        _model(tmp_path, "up_named", UPGRADE.format(participants="[KAZ, UZB, TJK]")))
    np.testing.assert_allclose(term, realised, rtol=0, atol=1e-12)
