"""The ``art_xxiv`` CET rule (scosim.mechanisms.art_xxiv) against the measure it holds.

The rule's CET must leave the members' import-weighted average tariff on outsiders, at
base-year weights, where it was before the union (an identity, to 1e-12), be the highest
such CET, refuse a union that imports nothing from outside, and agree with the Art. XXIV
check the run records when that check is given the same (base-year) weights.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from scosim.cet_answer import union_tariffs as union_tariffs_of
from scosim.mechanisms.art_xxiv import art_xxiv_cet, external_incidence
from scosim.mechanisms.customs_union import cet_rate, union_tariffs
from scosim.mechanisms.welfare_terms import average_external_tariffs
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.scenario.loader import _load_chain, validate_data
from scosim.scenario.quick import quick_dump

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

# Five economies, exporter x importer; the union is 0 and 1 (three runs, their own tariffs).
RNG = np.random.default_rng(20261206)
N = 5
BASE = RNG.uniform(0.0, 0.15, size=(3, N, N))
BASE[:, np.arange(N), np.arange(N)] = 0.0
WEIGHTS = RNG.uniform(1.0, 100.0, size=(N, N))
PARTS = np.array([[True, True, False, False, False]] * 3)
FACTORS = RNG.uniform(0.3, 1.6, size=N)  # the schedule charges exporters differently
KEEP = np.zeros((N, N), dtype=bool)
KEEP[2, 0] = KEEP[4, 1] = True  # preferences the union keeps where below the CET


def _schedule(keep: np.ndarray | None):
    return lambda c: union_tariffs(BASE, PARTS, c, keep=keep, factors=FACTORS)


@pytest.mark.parametrize("keep", [None, KEEP], ids=["linear", "kept_preferences"])
def test_the_rules_cet_leaves_the_base_weight_measure_unchanged(keep):
    c = art_xxiv_cet(_schedule(keep), BASE, WEIGHTS, PARTS, linear=keep is None)
    before = external_incidence(BASE, WEIGHTS, PARTS)
    after = external_incidence(_schedule(keep)(c), WEIGHTS, PARTS)
    np.testing.assert_allclose(after, before, rtol=1e-12, atol=0)
    # The highest such CET: a little more raises the measure.
    above = external_incidence(_schedule(keep)(c * (1 + 1e-9)), WEIGHTS, PARTS)
    assert np.all(above > before)


def test_closed_form_and_bisection_agree_where_the_measure_is_linear():
    exact = art_xxiv_cet(_schedule(None), BASE, WEIGHTS, PARTS, linear=True)
    halved = art_xxiv_cet(_schedule(None), BASE, WEIGHTS, PARTS)
    np.testing.assert_allclose(halved, exact, rtol=1e-13, atol=0)
    # By hand: sum w tau / sum w k over outside exporter i, member importer j.
    i, j = np.array([2, 3, 4]), np.array([0, 1])
    w = WEIGHTS[np.ix_(i, j)]
    want = (w * BASE[:, i][:, :, j]).sum(axis=(1, 2)) / (w * FACTORS[i, None]).sum()
    np.testing.assert_allclose(exact, want, rtol=1e-13)


def test_kept_preferences_allow_a_higher_cet_than_without_them():
    # A kept preference pays min(base, CET): it does not rise with the CET, so the
    # others may pay more before the average reaches its old level.
    kept = art_xxiv_cet(_schedule(KEEP), BASE, WEIGHTS, PARTS)
    replaced = art_xxiv_cet(_schedule(None), BASE, WEIGHTS, PARTS, linear=True)
    # Strictly higher only where a kept pair's base is below what the CET would charge it.
    capped = (BASE[:, 2, 0] < replaced * FACTORS[2]) | (BASE[:, 4, 1] < replaced * FACTORS[4])
    assert capped.any() and not capped.all()
    assert np.all(kept[capped] > replaced[capped])
    np.testing.assert_allclose(kept[~capped], replaced[~capped], rtol=1e-13)


def test_a_union_importing_nothing_from_outside_is_refused():
    w = WEIGHTS.copy()
    w[2:, :2] = 0.0  # members buy nothing from the three outsiders
    with pytest.raises(ValueError, match=r"import nothing from outside the union in run\(s\) "
                                         r"\[0, 1, 2\].*undefined"):
        art_xxiv_cet(_schedule(None), BASE, w, PARTS)
    everyone = np.ones((1, N), dtype=bool)
    with pytest.raises(ValueError, match="import nothing from outside"):
        art_xxiv_cet(lambda c: union_tariffs(BASE[0], everyone, c), BASE[0], WEIGHTS, everyone)


def test_cet_rate_points_to_the_schedule_solver():
    with pytest.raises(ValueError, match="art_xxiv_cet"):
        cet_rate(np.full(N, 0.05), None, PARTS, "art_xxiv")


def test_the_keyword_is_accepted_by_the_schema_and_the_quick_check():
    scenario = load_scenario(SCENARIOS / "customs_union_xxiv.yaml")
    assert scenario.proposals[0].cet == "art_xxiv"
    path = SCENARIOS / "customs_union_xxiv.yaml"
    doc, errors = _load_chain(path, path.name, [], None)
    assert doc is not None and not errors
    # The quick check passes it (before, an unknown keyword sent it to the schema) and
    # gives what the schema does.
    quick = quick_dump(copy.deepcopy(doc.data))
    assert quick is not None and quick["proposals"][0]["cet"] == "art_xxiv"
    assert quick == validate_data(copy.deepcopy(doc.data)).model_dump(
        mode="json", exclude={"source"})


def test_a_bad_keyword_names_the_field_and_every_rule():
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIOS / "customs_union_xxiv.yaml",
                      overrides={"proposals[0].cet": "art_24"})
    text = str(err.value)
    assert "cet" in text
    for rule in ("mean", "weighted_mean", "min", "max", "art_xxiv"):
        assert rule in text


def test_the_runs_check_at_base_weights_agrees_with_the_rules_measure():
    """The model's union, fully phased in, charges outsiders on average what they paid.

    With the base year's weights (trade_cif0) the Art. XXIV check the run records
    (before -> after, the flag) finds no rise; on the year's weights it may.
    """
    m = run_model(load_scenario(SCENARIOS / "customs_union_xxiv.yaml", overrides={
        "replications": 3, "years.end": 2030,
        "parameters.rules.defect": "never_defect"}))
    bloc = m.policy.bloc_or_none()
    assert bloc.any(axis=1).all()
    before, after = average_external_tariffs([m.tau0, m.tariffs], m.trade_cif0, bloc)
    np.testing.assert_allclose(after, before, rtol=1e-12, atol=0)
    assert not np.any(after > before + 1e-12)  # the recorded flag's test, at base weights
    # The rule's CET is what the union charges; the rule would set the same again now.
    cet = m.arrangements[0].terms["cet"]
    assert np.all((cet > 0.03) & (cet < 0.08))
    np.testing.assert_array_equal(m.arrangements[0].negotiate(m, bloc)["cet"], cet)


def test_the_answers_cet_line_holds_the_measure_at_base_weights():
    """The answer's line, base-year weights: art_xxiv keeps the average, weighted_mean not."""
    xxiv = union_tariffs_of(load_scenario(SCENARIOS / "customs_union_xxiv.yaml"), 2035)[0]
    before, after = xxiv.together
    assert after == pytest.approx(before, rel=1e-12, abs=0)
    shipped = union_tariffs_of(load_scenario(SCENARIOS / "customs_union.yaml"), 2035)[0]
    assert shipped.together[0] == pytest.approx(before, rel=1e-12)  # the same "before"
    assert shipped.together[1] > before + 1e-3  # the referee's finding: it rises
    assert shipped.cet > xxiv.cet
