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
  rules: {{{{vote: always_yes}}}}
proposals:
{{upgrade}}  - type: accession
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
    contribution_share_gdp: 0.00005
"""


def _model(tmp_path: Path, name: str, upgrade: str) -> SCOModel:
    path = tmp_path / f"{name}.yaml"
    path.write_text(TEXT.format(name=name, upgrade=upgrade))
    return SCOModel(load_scenario(path), runs=[0, 1, 2])


def _preview_then_run(model: SCOModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 2027 preview's security term, the index change the run realises 2027->2028, and
    the preview's economic term."""
    model.step()
    model.step()
    acc = next(a for a in model.arrangements if a.name == "accession")
    pv = acc.preview(model, acc.invitees(model))
    while model.running:
        model.step()
    assert model.is_member()[:, AFG].all()
    S = np.stack(model.records["security_index"], axis=1)  # (R, T, N)
    return pv.scores["security"], S[:, 3] - S[:, 2], pv.gain


def test_preview_sees_the_upgraded_levels_the_new_member_will_pool_at(tmp_path) -> None:
    term, realised, econ = _preview_then_run(
        _model(tmp_path, "up_members", UPGRADE.format(participants="members")))
    np.testing.assert_allclose(term, realised, rtol=0, atol=1e-12)
    # The contribution it would pay (a share of its GDP) is the economic term's, its own.
    np.testing.assert_array_equal(econ[:, AFG], -0.00005)
    assert (np.delete(econ, AFG, axis=1) == 0).all()
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
