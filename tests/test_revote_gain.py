"""An outsider's re-vote on joining weighs the gain of joining, not the union's phase-in."""

from typing import ClassVar, Literal

import numpy as np

from scosim.model.model import SCOModel
from scosim.proposals import get_type, register_type
from scosim.scenario import load_scenario
from scosim.scenario.loader import validate_data

CORE = ["CHN", "RUS", "KAZ", "KGZ"]
OUTSIDER = "MNG"


def _core_area_type() -> str:
    """A free-trade area that leaves Mongolia's tariffs as they are, Mongolia in or not.

    So the outsider's gain from joining is exactly nothing, while the area's phase-in among
    the others still moves its welfare (through trade diversion and prices).
    """
    base = get_type("free_trade_area")
    name = "fta_without_mongolia"

    class Spec(base.spec):
        type: Literal["fta_without_mongolia"]

    class WithoutMongolia(base):
        indicators: ClassVar[dict[str, str]] = {}  # the area's own column is the built-in's
        membership = None

        @classmethod
        def record(cls, model, arrangements, policy):
            return {}

        def apply(self, policy, participants, phase, active, terms=None):
            others = participants.copy()
            others[:, self._outsider] = False
            super().apply(policy, others, phase, active, terms)

    WithoutMongolia.name, WithoutMongolia.spec = name, Spec
    WithoutMongolia.__name__ = WithoutMongolia.__qualname__ = name
    try:
        register_type(WithoutMongolia)
    except Exception:  # registered by an earlier test of the session
        pass
    return name


def _model(phase_in: dict[int, float] | None) -> SCOModel:
    name = _core_area_type()
    doc = {
        "name": "revote_gain", "years": {"start": 2025, "end": 2029}, "replications": 2,
        "parameters": {"council": {"ratification_lag": 1},
                       "rules": {"vote": "always_yes", "defect": "never_defect",
                                 "consent": "always_consent"}},
        "countries": {OUTSIDER: {"rules": {"vote": "always_no"}}},
        "proposals": [{"type": name, "id": "core", "year": 2025,
                       "participants": [*CORE, OUTSIDER],
                       **({"phase_in": phase_in} if phase_in else {})}],
    }
    m = SCOModel(validate_data(doc))
    m.arrangements[0]._outsider = m.codes.index(OUTSIDER)
    m.run_model()
    return m


def test_the_union_deepening_is_not_the_outsiders_gain_from_joining():
    """Mongolia stays out (it says no every year) of an area that its joining would not
    change. Each year it is asked again, its econ term (the gain of joining) is zero, in
    the phase-in years too. Before, the gain was measured against this year's policy state,
    with the area at this year's phase, and so counted the rest of the phase-in, which
    Mongolia has whether it joins or not."""
    m = _model({2026: 0.25, 2027: 0.5, 2028: 1.0})
    arr = m.arrangements[0]
    mng = m.codes.index(OUTSIDER)
    assert arr.in_force.all() and not arr.participants[:, mng].any()
    welfare = np.stack(m.records["welfare_change_pct"])[:, :, mng]  # (T, R)
    assert np.abs(welfare[3] - welfare[1]).min() > 1e-4  # the phase-in moves its welfare
    ev = m.log.to_frame()
    asked = ev[(ev["type"] == "vote") & (ev["country"] == OUTSIDER) & (ev["year"] > 2025)]
    # Asked from the first summit with the area in force (2027, after its entry in 2026).
    assert sorted(set(asked["year"])) == [2027, 2028, 2029]
    assert np.abs(asked["term_econ"].to_numpy()).max() < 1e-12, asked[["year", "term_econ"]]


def test_an_outsider_weighs_joining_the_same_at_any_step_of_the_phase_in():
    """With a real customs union: the outsider's gain of joining in the phase-in years is
    that of joining the union fully phased in (the same union without a phase-in), up to
    the year's welfare it is a share of."""
    def terms(phase_in: object) -> np.ndarray:
        sc = load_scenario(
            "scenarios/customs_union_variable_geometry.yaml", overrides={
                "years.end": 2029, "replications": 2, "parameters.rules.vote": "always_yes",
                "parameters.rules.defect": "never_defect", "countries.UZB.rules.vote":
                "always_no", "proposals.0.phase_in": phase_in})
        m = SCOModel(sc)
        m.run_model()
        ev = m.log.to_frame()
        asked = ev[(ev["type"] == "vote") & (ev["country"] == "UZB") & (ev["year"] == 2028)]
        assert len(asked) == m.R
        return asked["term_econ"].to_numpy()

    phased, full = terms({2027: 0.25, 2028: 0.5, 2029: 1.0}), terms(1.0)
    assert np.abs(full).min() > 1e-4
    np.testing.assert_allclose(phased, full, rtol=0.02)
