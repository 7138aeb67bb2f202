"""What a plug-in proposal type's ``apply`` writes, and what the Council's preview sees of it.

An outside reviewer's energy club wrote its pooling saving into
``levers["welfare_income_share"]`` in ``apply``: the trade step counted it in the realised
welfare, the default preview did not, and states voted on the trade gain alone (China's
vote term 0.031 % against a realised +0.28 %). A wrongly shaped write failed deep in numpy
naming no lever, and ``record_always = True`` on a plug-in was accepted and ignored.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pytest

from scosim.plugins import PluginError
from scosim.proposals import ProposalSpec, ProposalType, register_type
from scosim.runner import run_model
from scosim.scenario import validate_data
from scosim.scenario.schema import Participants

CLUB = ["KAZ", "KGZ", "TJK", "UZB", "RUS", "CHN"]


class ClubSpec(ProposalSpec):
    """An energy club: trade costs among participants fall, each books a saving."""

    type: Literal["lever_club"]
    participants: Participants = "members"
    cost_cut: float = 0.03
    saving: float = 0.002


class LeverClub(ProposalType):
    """Writes its saving (share of GDP) straight into the income lever, as the reviewer's did."""

    name = "lever_club"
    spec = ClubSpec
    default_decision_rule = "interested_members"
    sweepable = ("cost_cut", "saving")
    _as_cost: ClassVar[bool] = False  # book the saving as a negative cost instead

    def apply(self, policy, participants, phase, active, terms=None):
        cut = self.value("cost_cut") * np.asarray(phase, dtype=float)
        pair = participants[:, :, None] & participants[:, None, :]
        n = policy.n
        pair[:, np.arange(n), np.arange(n)] = False
        on = pair & active[:, None, None]
        policy.cost_change = np.where(on, policy.cost_change * (1.0 - cut[:, None, None]),
                                      policy.cost_change)
        s = np.where(active[:, None], participants * (self.value("saving") * phase)[:, None], 0.0)
        lever = "welfare_cost_share" if self._as_cost else "welfare_income_share"
        sign = -1.0 if self._as_cost else 1.0
        policy.levers[lever] = policy.levers.get(lever, np.zeros_like(s)) + sign * s


def _register(cls: type) -> None:
    try:
        register_type(cls)
    except PluginError:  # registered by an earlier test of the session
        pass


def _club(type_name: str = "lever_club", saving: float = 0.002) -> dict:
    """The club voted in 2026, in force in 2027; trade at the base year's flows at once."""
    return {"name": "club", "years": {"start": 2025, "end": 2027}, "seed": 5,
            "replications": 3,
            "parameters": {
                "council": {"decision_rule": None},
                # Every invitee in, so every one of them realises what it voted on.
                "rules": {"vote": "always_yes", "defect": "never_defect"},
                # The base year's flows, trade adjusted at once: the entry year's welfare is
                # then the preview's, term for term (as tests/_corridor_spies.py).
                "trade": {"moving_baseline": False, "short_run_share": 1.0,
                          "adjustment_years": 0}},
            "proposals": [{"type": type_name, "id": "club", "year": 2026, "proposer": "KAZ",
                           "participants": CLUB, "saving": saving}]}


def _votes_and_realised(m) -> tuple:
    ev = m.log.to_frame()
    votes = ev[(ev["type"] == "vote") & (ev["year"] == 2026)].set_index(["run", "country"])
    assert (ev.loc[ev["type"] == "in_force", "year"] == 2027).all()
    assert ev.loc[ev["type"] == "in_force", "run"].nunique() == m.R
    realised = np.stack(m.records["welfare_change_pct"], axis=1)[:, 2] / 100.0  # 2027
    return votes, realised


def _variant(base: type[LeverClub], name: str, **attrs) -> str:
    """``base`` registered under ``name`` (its spec's ``type`` that name)."""
    spec = type(f"{name}_spec", (ClubSpec,), {"__annotations__": {"type": Literal[name]},
                                              "__module__": __name__})
    _register(type(name, (base,), {"name": name, "spec": spec, "__module__": __name__,
                                   **attrs}))
    return name


@pytest.mark.parametrize("as_cost", [False, True])
def test_the_vote_sees_the_income_apply_writes(as_cost, forget_test_plugins) -> None:
    name = _variant(LeverClub, f"lever_club{'_cost' if as_cost else ''}", _as_cost=as_cost)
    m = run_model(validate_data(_club(name)))
    votes, realised = _votes_and_realised(m)
    for c in CLUB:
        i = m.codes.index(c)
        for r in range(m.R):
            # The vote's economic term is the welfare the club's first year realises,
            # its saving included (before: the trade gain alone, China 0.03 % short of it).
            assert votes.loc[(r, c), "term_econ"] == pytest.approx(realised[r, i], abs=1e-12)
    # Without the saving the terms are lower by about the saving (x GDP / E').
    m0 = run_model(validate_data(_club(name, saving=0.0)))
    v0, _ = _votes_and_realised(m0)
    assert (votes["term_econ"] > v0["term_econ"] + 1e-3).all()


class BadShape(LeverClub):
    """Leaves trade costs of one run where the batch has several."""

    def apply(self, policy, participants, phase, active, terms=None):
        policy.cost_change = policy.cost_change[0]


class BadLever(LeverClub):
    """Writes its saving over 20 economies where the model has 28."""

    def apply(self, policy, participants, phase, active, terms=None):
        policy.levers["welfare_income_share"] = np.zeros((policy.n_runs, 20))


class NanLever(LeverClub):
    """Writes a NaN saving."""

    def apply(self, policy, participants, phase, active, terms=None):
        policy.levers["welfare_income_share"] = np.full((policy.n_runs, policy.n), np.nan)


class OneRunLever(LeverClub):
    """Writes its own lever without the run axis."""

    def apply(self, policy, participants, phase, active, terms=None):
        policy.levers["club_saving"] = np.zeros(policy.n)


@pytest.mark.parametrize(("cls", "where", "found", "want"), [
    (BadShape, r"policy\.cost_change", r"shape \(28, 28\)", r"of shape \(3, 28, 28\)"),
    (BadLever, r"policy\.levers\['welfare_income_share'\]", r"shape \(3, 20\)",
     r"of shape \(3, 28\)"),
    (NanLever, r"policy\.levers\['welfare_income_share'\]", "values that are not finite",
     r"of shape \(3, 28\).*finite"),
    (OneRunLever, r"policy\.levers\['club_saving'\]", r"shape \(28,\)",
     r"with the runs first, shape \(3, \.\.\.\)"),
])
def test_a_wrongly_shaped_write_is_named(cls, where, found, want, forget_test_plugins) -> None:
    name = _variant(cls, f"bad_{cls.__name__.lower()}")
    with pytest.raises(TypeError, match=(
            rf"proposal type '{name}' \([\w.]*test_apply_levers:{name}\) left {where} "
            rf"as {found} after apply; the model needs an array {want}")):
        run_model(validate_data(_club(name)))


def test_record_always_on_a_plug_in_is_refused(forget_test_plugins) -> None:
    class Spec(ClubSpec):
        type: Literal["club_always"]

    class ClubAlways(LeverClub):
        name = "club_always"
        spec = Spec
        record_always = True

    with pytest.raises(PluginError, match=r"'club_always' \([\w.]+:.*ClubAlways\): "
                                          r"`record_always = True` is for scosim's built-in"):
        register_type(ClubAlways)
