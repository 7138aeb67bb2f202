"""The yearly hazard of applying for membership (parameters.application.hazard).

Outside referee (2026-12-07): the application type said "applies" with p = 1 in every
year a state would gain, so India, Pakistan, Iran, Belarus and Afghanistan missed in every
observer-year before they applied (training Brier 0.241, worse than "never", 0.071). A
state that would apply now applies with probability h a year (Beck, Katz and Tucker 1998),
h fitted on the training years.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from scosim.hindcast.hazard import fit_hazard
from scosim.model.model import SCOModel
from scosim.proposals.application import Application
from scosim.proposals.base import ProposalType
from scosim.scenario import load_scenario
from scosim.scenario.blocks import APPLICATION_HAZARD
from scosim.scenario.errors import ScenarioError

HC = Path(__file__).resolve().parents[1] / "scenarios" / "hindcasts"
SCENARIOS = HC.parent
#: India in 2008, an observer whose score says it would apply (in every run at hazard 1).
IND = HC / "apply_ind_2008.yaml"


def _run(path: Path, **over: object) -> SCOModel:
    m = SCOModel(load_scenario(path, overrides=dict(over)))
    m.run_model()
    return m


def _applied(m: SCOModel) -> np.ndarray:
    return np.asarray(m.arrangements[0].adopted, bool)


def test_the_fit_on_a_hand_made_record_is_the_hand_computation() -> None:
    # q = share of runs in which the state would apply (hazard 1), y = it applied.
    df = pd.DataFrame({
        "kind": ["application"] * 7 + ["adoption"],
        "year": [2005, 2006, 2007, 2010, 2011, 2012, 2021, 2008],
        "observed": [0, 0, 1, 0, 1, 0, 1, 1],
        "p": [1.0, 1.0, 1.0, 0.5, 0.5, 0.0, 1.0, 1.0],
        "coding": ["observed"] * 8,
    })
    fit = fit_hazard(df)
    # Training application items only (the 2021 item is held out, 2008 an adoption):
    # k = 1 + 0.5 = 1.5 applications in n = 1 + 1 + 1 + 0.5 + 0.5 + 0 = 4 would-apply years.
    assert fit.applications == pytest.approx(1.5)
    assert fit.years == pytest.approx(4.0)
    assert fit.hazard == pytest.approx(0.375)
    # The Brier check: argmin_h sum (h q - y)^2 = sum(q y) / sum(q^2) = 1.5 / 3.5.
    assert fit.brier_min == pytest.approx(1.5 / 3.5)
    assert fit.low < fit.hazard < fit.high


def test_the_interval_is_the_exact_binomial_one() -> None:
    # 3 applications in 29 would-apply observer-years (the shipped record's counts): the
    # Clopper-Pearson ends are where the binomial tails are 5 % each.
    df = pd.DataFrame({"kind": "application", "year": 2010, "observed": [1] * 3 + [0] * 26,
                       "p": 1.0})
    fit = fit_hazard(df)
    assert fit.hazard == pytest.approx(3 / 29) == pytest.approx(fit.brier_min)
    assert binom.sf(2, 29, fit.low) == pytest.approx(0.05, abs=1e-9)  # P(X >= 3 | low)
    assert binom.cdf(3, 29, fit.high) == pytest.approx(0.05, abs=1e-9)  # P(X <= 3 | high)
    # The shipped default is this fit.
    assert APPLICATION_HAZARD == pytest.approx(fit.hazard)
    with pytest.raises(ValueError, match="cannot be fitted"):
        fit_hazard(df.assign(p=0.0))


def test_an_application_item_s_p_is_about_h() -> None:
    runs, h = 400, 0.3
    m = _run(IND, replications=runs, **{"parameters.application.hazard": h})
    k = int(_applied(m).sum())
    # Every run would apply (hazard 1 below), so k ~ Binomial(400, 0.3): 99.9 % bounds.
    lo, hi = binom.ppf(0.0005, runs, h), binom.ppf(0.9995, runs, h)
    assert lo <= k <= hi, (k, lo, hi)
    waits = [e for e in m.log.records() if e["type"] == "waits"]
    assert len(waits) == runs - k and {e["country"] for e in waits} == {"IND"}
    # The draws are the run's own: the runs applying at a lower h are among these, and
    # the shipped default gives p about 3/29.
    lower = _applied(_run(IND, replications=runs, **{"parameters.application.hazard": 0.15}))
    assert not (lower & ~_applied(m)).any() and lower.sum() < k
    default = _applied(_run(IND, replications=runs))
    lo, hi = binom.ppf(0.0005, runs, 3 / 29), binom.ppf(0.9995, runs, 3 / 29)
    assert lo <= default.sum() <= hi


def test_hazard_one_reproduces_the_decision_without_a_hazard(monkeypatch) -> None:
    at_one = _run(IND, replications=6, **{"parameters.application.hazard": 1.0})
    assert _applied(at_one).all()  # India would apply in every run, and does
    # The type without its hazard (the generic acted_on: every run acts): the same log.
    monkeypatch.setattr(Application, "acted_on", ProposalType.acted_on)
    old = _run(IND, replications=6)
    assert list(at_one.log.records()) == list(old.log.records())
    np.testing.assert_array_equal(_applied(at_one), _applied(old))


def test_a_state_that_would_not_apply_never_does() -> None:
    # Mongolia's non-alignment outweighs its gain: no draw lets it apply.
    m = _run(HC / "apply_mng_2010.yaml", replications=20)
    assert not _applied(m).any()
    assert not [e for e in m.log.records() if e["type"] == "waits"]


@pytest.mark.parametrize("value", [0, -0.1, 1.5, "often"])
def test_a_hazard_outside_0_1_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ScenarioError, match=r"parameters\.application\.hazard") as err:
        load_scenario(IND, overrides={"parameters.application.hazard": value})
    assert "Traceback" not in str(err.value)


def test_scenarios_that_do_not_set_it_keep_their_dump() -> None:
    # Left out of the dump at its default: the hash of every scenario written before it
    # (and of its finished runs) is unchanged.
    base = load_scenario(SCENARIOS / "baseline.yaml")
    assert "application" not in base.model_dump(mode="json")["parameters"]
    set_ = load_scenario(SCENARIOS / "baseline.yaml",
                         overrides={"parameters.application.hazard": 0.5})
    assert set_.model_dump(mode="json")["parameters"]["application"] == {"hazard": 0.5}
