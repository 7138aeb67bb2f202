"""The shipped 2026 RATS vote's security term for Pakistan, from its inputs by hand.

An outside referee (2026-12-07) set ``damage.VSL_INCOME_RATIO`` from 160 to 16 and
tests/test_security_damage_vote.py still passed: every check there reads the ratio from
the module it checks. Here the term of ``afghan_instability_rats.yaml``'s 2026 preview is
rebuilt from published inputs written out: the VSL-to-income ratio 160 (Robinson, Hammitt
and O'Keeffe 2019, *Journal of Benefit-Cost Analysis* 10(S1), the United States' ratio),
Pakistan's GTI 2018-2022 deaths and incidents (1,950 in 1,039; Global Terrorism Index
2023, summed in tests/test_security_damage_vote.py from the raw file), its population and
GDP over expenditure in the model's 2026, and the incidents the preview expects the
upgrade to avoid.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scosim.data.constants import ECONOMIES

SCEN = Path(__file__).resolve().parents[1] / "scenarios" / "afghan_instability_rats.yaml"
PAK = ECONOMIES.index("PAK")
#: Robinson, Hammitt and O'Keeffe (2019): VSL over GDP per head, the US ratio.
VSL_OVER_INCOME = 160.0
#: GTI 2023: Pakistan's deaths and incidents, 2018-2022.
PAK_DEATHS, PAK_INCIDENTS = 1950.0, 1039.0


def test_pakistans_2026_security_term_is_incidents_avoided_times_vsl_damage() -> None:
    from scosim.model.gdp_shares import year_gdp_over_expenditure
    from scosim.model.model import SCOModel
    from scosim.scenario import load_scenario

    model = SCOModel(load_scenario(SCEN), runs=[0])
    while model.year < 2026:
        model.step()
    assert model.year == 2026
    arr = next(a for a in model.arrangements if a.proposal.id == "rats-universal-centre")
    pv = arr.preview(model, arr.invitees(model))
    term = float(pv.scores["security"][0, PAK])
    avoided = float(pv.info["incidents_avoided"][0, PAK])
    pop = float(model.population[PAK])
    gdp_e = float(year_gdp_over_expenditure(model)[0, PAK])
    # One incident's damage, share of GDP: deaths per incident x VSL / GDP
    # = (deaths / incidents) x 160 x (GDP / population) / GDP.
    damage = PAK_DEATHS / PAK_INCIDENTS * VSL_OVER_INCOME / pop
    # GDP / expenditure: the preview's is at the GE with the upgrade, this the year's (1e-3).
    np.testing.assert_allclose(term, avoided * damage * gdp_e, rtol=1e-3)
    # Pakistan expects to avoid some incidents a year in 2026 (8 in 2035 at instability 2.5),
    # and the term is a few millionths of its income (docs/security.md section 11: +0.00058
    # percentage points, the mean over 40 runs).
    assert 1.0 < avoided < 20.0
    assert 2e-6 < term < 2e-5
