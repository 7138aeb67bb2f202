"""A union's phase-in runs from its entry into force, not from the calendar year."""

import numpy as np

from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

#: Three steps, dated for the planned entry of the fixture's union (tabled 2025, lag 1).
STEPS = {2026: 0.25, 2027: 0.5, 2028: 1.0}


def _phases(model_fixture, **overrides: object) -> tuple[SCOModel, dict[int, np.ndarray]]:
    """Run ``small_cu.yaml`` to 2031; the union's phase and its CHN->KAZ tariff by year."""
    sc = load_scenario(model_fixture("small_cu.yaml"), overrides={
        "years.end": 2031, "replications": 3, "proposals.0.phase_in": STEPS,
        "parameters.rules.vote": "always_yes", "parameters.rules.defect": "never_defect",
        **overrides})
    m = SCOModel(sc)
    arr = m.arrangements[0]
    kaz, chn = m.codes.index("KAZ"), m.codes.index("CHN")
    out = {}
    while m.running:
        year = m.year
        m.step()
        # The phase, and the share of China's base tariff on Kazakhstan's goods removed.
        cut = 1.0 - m.policy.tariffs[:, kaz, chn] / m.tau0[kaz, chn]
        out[year] = np.stack([arr.phase, cut])
    return m, out


def test_a_union_adopted_late_passes_through_every_step_from_its_entry(model_fixture):
    """Rejected in 2025 (Kazakhstan says no), tabled again by the 2027 chair and adopted:
    in force from 2028. It starts at the first step and moves one step a year; before,
    the schedule was read at the calendar year and the union entered at full depth
    (the 2026 and 2027 steps skipped)."""
    m, by_year = _phases(model_fixture, **{
        "parameters.rules.propose": "retable_every_two_years",
        "countries.KAZ.rules.vote": "rules_example:no_until_2026"})
    arr = m.arrangements[0]
    assert (arr.entry_year == 2028).all()
    assert m.tau0[m.codes.index("KAZ"), m.codes.index("CHN")] > 0.0
    expected = {2025: 0.0, 2026: 0.0, 2027: 0.0, 2028: 0.25, 2029: 0.5, 2030: 1.0, 2031: 1.0}
    for year, phase in expected.items():
        # The step applies to the tariffs too (linear in the rate: the same share removed).
        np.testing.assert_allclose(by_year[year], phase, atol=1e-12, err_msg=str(year))


def test_a_union_adopted_on_time_follows_its_calendar_as_written(model_fixture):
    m, by_year = _phases(model_fixture)
    assert (m.arrangements[0].entry_year == 2026).all()
    for year in range(2025, 2032):
        assert (by_year[year][0] == STEPS.get(year, 0.0 if year < 2026 else 1.0)).all(), year


def test_a_step_dated_before_the_entry_into_force_is_not_skipped(model_fixture):
    """A step dated in the year of tabling, when the union cannot yet be in force: the
    schedule starts at that step, applied at entry (before: skipped, in at full depth)."""
    _, by_year = _phases(model_fixture, **{"proposals.0.phase_in": {2025: 0.5, 2026: 1.0}})
    for year, phase in {2025: 0.0, 2026: 0.5, 2027: 1.0, 2028: 1.0}.items():
        np.testing.assert_allclose(by_year[year], phase, atol=1e-12, err_msg=str(year))
