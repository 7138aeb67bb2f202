"""The votes value terrorism damage avoided in levels; RATS pools only transnational attacks.

An outside review (2026-12-06) found the RATS vote's security term was the change of the
0-1 security index, the same for a state with no incidents as for one with hundreds, and
that pooling applied to every GTI incident, India's domestic insurgencies included. Checks:

* a state that faces no incidents gets a zero security term however much its index rises
  (Kazakhstan's index rises by 0.146 with the shipped upgrade);
* the term scales with the incidents at risk: doubling a state's base rate doubles it;
* pooling moves only the transnational share of incidents (an identity with the threat
  process: the incidents avoided by pooling are ``transnational_share`` times those avoided
  when every incident is poolable, where no Afghan spillover is involved);
* the deaths per incident are the GTI's, summed from the raw file by hand here.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.security.calibration import load_security_calibration
from scosim.security.damage import (
    VSL_INCOME_RATIO,
    deaths_per_incident,
    incident_damage_share_gdp,
    vote_security_term,
)
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams
from scosim.security.proposal import expected_security_gain
from scosim.security.spec import RatsUpgradeProposal

KAZ, IND, PAK, RUS = (ECONOMIES.index(c) for c in ("KAZ", "IND", "PAK", "RUS"))
# The raw folder beside the repository, as tests/test_security_build.py finds it.
RAW_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "raw"
UPGRADE = RatsUpgradeProposal(
    type="rats_upgrade", id="u", year=2026, proposer="KAZ", participants="members",
    units=["anti_drug", "information_security", "organized_crime"], intel_gain=0.5,
    upgrade_cost_share_gdp=5e-5, depth=0.3)
POP = np.full(len(ECONOMIES), 1e8)


def _preview(system: SecuritySystem, instability: float = 1.0) -> dict[str, np.ndarray]:
    """The rats_upgrade preview's security term (GDP = expenditure) and its gain dict."""
    eg = expected_security_gain(system, UPGRADE, system.baseline_state(1), instability)
    return {"term": vote_security_term(eg["incidents_avoided"], POP, 1.0), **eg}


def test_a_state_facing_no_incidents_gets_no_security_term() -> None:
    system = SecuritySystem()
    out = _preview(system)
    # Its index rises (it pools more) but it expects no incidents to avoid: nothing to
    # value, only the few hundredths of an incident its more capable neighbours displace
    # to it (safe havens, docs/security.md section 4), a tiny cost.
    assert out["gain"][0, KAZ] > 0.1
    assert out["incidents_without"][0, KAZ] == 0
    assert -1e-7 < out["term"][0, KAZ] <= 0.0
    assert -0.05 < out["incidents_avoided"][0, KAZ] <= 0.0
    # India and Pakistan, which face incidents, value the upgrade.
    assert out["term"][0, IND] > 0 and out["term"][0, PAK] > 0


@pytest.mark.parametrize("who", [IND, PAK, RUS])
def test_doubling_a_states_incidents_doubles_its_term(who: int) -> None:
    cal = load_security_calibration()
    base = cal.base_rate.copy()
    base[who] *= 2.0
    # Without safe havens: groups displaced from the neighbours do not scale with the
    # state's own rate (Russia's term would be off by 2.5e-5 of itself).
    p = SecurityParams(haven_share=0.0)
    once = _preview(SecuritySystem(cal, p))["term"][0, who]
    twice = _preview(SecuritySystem(replace(cal, base_rate=base), p))["term"][0, who]
    assert once > 0
    np.testing.assert_allclose(twice, 2.0 * once, rtol=1e-12)


@pytest.mark.parametrize("share", [0.0, 0.15, 0.5])
def test_pooling_moves_only_the_transnational_share(share: float) -> None:
    """At instability 1 (no Afghan spillover) pooling avoids ``share`` of the all-pooled."""
    cal = load_security_calibration()
    full = _preview(SecuritySystem(cal, SecurityParams(transnational_share=1.0)))
    part = _preview(SecuritySystem(cal, SecurityParams(transnational_share=share)))
    np.testing.assert_allclose(part["incidents_avoided"], share * full["incidents_avoided"],
                               rtol=1e-12, atol=1e-12)
    # The domestic part still answers to own and neighbours' efforts: at baseline efforts
    # the expected incidents are the calibrated rates whatever the share.
    np.testing.assert_allclose(part["incidents_without"][0], cal.base_rate, rtol=1e-12)


def test_default_share_keeps_indias_domestic_incidents_out_of_the_pool() -> None:
    system = SecuritySystem()
    p = system.params.transnational_share
    assert 0 < p < 1
    all_pooled = _preview(SecuritySystem(params=SecurityParams(transnational_share=1.0)))
    out = _preview(system)
    np.testing.assert_allclose(out["incidents_avoided"][0, IND],
                               p * all_pooled["incidents_avoided"][0, IND], rtol=1e-12)


def test_afghan_spillover_is_pooled_in_full() -> None:
    """Above baseline instability the spillover is transnational: more than ``share``."""
    cal = load_security_calibration()
    share = 0.15
    full = _preview(SecuritySystem(cal, SecurityParams(transnational_share=1.0)), 2.5)
    part = _preview(SecuritySystem(cal, SecurityParams(transnational_share=share)), 2.5)
    tjk = ECONOMIES.index("TJK")
    ratio = part["incidents_avoided"][0, tjk] / full["incidents_avoided"][0, tjk]
    assert share < ratio < 1.0


def test_damage_is_gti_deaths_per_incident_times_vsl_over_population() -> None:
    # Sums of GTI 2018-2022 by hand from the shipped harm table: India 909 deaths in
    # 1,482 incidents, Pakistan 1,950 in 1,039.
    d = deaths_per_incident()
    assert d[IND] == pytest.approx(909 / 1482, rel=1e-12)
    assert d[PAK] == pytest.approx(1950 / 1039, rel=1e-12)
    pop = np.arange(1, len(ECONOMIES) + 1) * 1e6
    np.testing.assert_allclose(incident_damage_share_gdp(pop),
                               VSL_INCOME_RATIO * d / pop, rtol=1e-15)


def test_harm_table_sums_the_raw_gti_file() -> None:
    path = RAW_DIR / "gti2023_global_terrorism_index_2012_2022.csv"
    if not path.is_file():
        pytest.skip("raw data directory not available (only in the development tree)")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["Country"] == "India" and 2018 <= int(r["Year"]) <= 2022]
    assert len(rows) == 5
    dead = sum(float(r["Fatalities"]) for r in rows)
    inc = sum(float(r["Incidents"]) for r in rows)
    assert deaths_per_incident()[IND] == pytest.approx(dead / inc, rel=1e-12)


SCENARIO = """extends: {base}
name: rats_damage
years: {{start: 2025, end: 2026}}
parameters:
  mechanisms: {{security: security}}
  security: {{instability: 1.0}}
  weights: {{security: 1.0}}
proposals:
  - type: rats_upgrade
    id: rats_centre
    year: 2026
    proposer: KAZ
    participants: members
    units: [anti_drug, information_security, organized_crime]
    intel_gain: 0.5
    upgrade_cost_share_gdp: 0.00005
"""


def test_the_councils_preview_scores_damage_avoided(tmp_path) -> None:
    """The rats_upgrade preview the Council scores: zero for Kazakhstan, in levels elsewhere."""
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
    path = tmp_path / "rats_damage.yaml"
    path.write_text(SCENARIO.format(base=base))
    model = SCOModel(load_scenario(path), runs=[0])
    model.step()
    arr = model.arrangements[0]
    pv = arr.preview(model, arr.invitees(model))
    sec = pv.scores["security"]
    avoided = pv.info["incidents_avoided"]
    # Kazakhstan's index rises by about 0.15, but it faces no incidents: nothing to value
    # (only the tiny cost of the groups its neighbours displace to it, safe havens).
    assert -1e-7 < sec[0, KAZ] <= 0.0
    # Elsewhere the term is the incidents avoided times one incident's damage (share of
    # GDP, from GTI deaths and the VSL), out of expenditure like the econ term: per
    # incident, 160 x deaths per incident / population x GDP / expenditure (the preview
    # reads GDP / expenditure at the GE with the upgrade, the year's here: 1e-4 apart).
    per_incident = sec[0, [IND, PAK]] / avoided[0, [IND, PAK]]
    d = deaths_per_incident()
    from scosim.model.gdp_shares import year_gdp_over_expenditure

    gdp_e = year_gdp_over_expenditure(model)[0, [IND, PAK]]
    np.testing.assert_allclose(
        per_incident, VSL_INCOME_RATIO * d[[IND, PAK]] / model.population[[IND, PAK]] * gdp_e,
        rtol=1e-3)
    # Orders of magnitude: India's damage avoided is below a millionth of its income,
    # far below the upgrade's contribution of 0.005 % of GDP.
    assert 0 < sec[0, IND] < 1e-6
