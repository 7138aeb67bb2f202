"""Every call of a proposal type's ``apply`` is checked (policy_check.apply_checked).

The year's policy and the default preview checked what ``apply`` left (shapes, and the
levers it wrote against its ``writes_levers``), but three callers ran ``apply`` bare
until 2026-12-07: an applicant's levers as a member (the accession's security term),
the CET line of the answer and a banking union's value. A plug-in type's wrongly shaped
write passed there unseen (or failed deep in numpy) and an undeclared write was not
refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

import numpy as np
import pytest

from scosim.finance.proposals import BankingUnion
from scosim.finance.spec import BankingUnionProposal
from scosim.plugins import PluginError
from scosim.proposals import ProposalSpec, ProposalType, register_type
from scosim.proposals.customs_union import CustomsUnion
from scosim.proposals.specs import CustomsUnionProposal
from scosim.scenario import validate_data
from scosim.scenario.schema import Participants

pytestmark = pytest.mark.usefixtures("forget_test_plugins")

CLUB = ["KAZ", "KGZ", "UZB"]


class PoolSpec(ProposalSpec):
    """A club that writes a lever of its own."""

    type: Literal["pool_one_run"]
    participants: Participants = "members"


class PoolOneRun(ProposalType):
    """Writes its lever without the run axis (one value per economy)."""

    name = "pool_one_run"
    spec = PoolSpec
    default_decision_rule = "interested_members"
    writes_levers = ("toy_pool",)

    def apply(self, policy, participants, phase, active, terms=None):
        policy.levers["toy_pool"] = np.zeros(participants.shape[1])


class PoolUndeclaredSpec(PoolSpec):
    type: Literal["pool_undeclared"]


class PoolUndeclared(PoolOneRun):
    """Writes a well-shaped lever that its ``writes_levers`` (none) leaves out."""

    name = "pool_undeclared"
    spec = PoolUndeclaredSpec
    writes_levers = ()

    def apply(self, policy, participants, phase, active, terms=None):
        policy.levers["toy_pool"] = np.zeros(participants.shape)


class BadUnionSpec(CustomsUnionProposal):
    type: Literal["bad_union"]


class BadUnion(CustomsUnion):
    """A customs union that also books an income over 20 economies where there are 28."""

    name = "bad_union"
    spec = BadUnionSpec
    indicators = {"in_bad_union": "share of runs"}  # the built-in's own is recorded
    membership = ("in_bad_union", "in union", "a customs union")
    record_always = False
    writes_levers = ("welfare_income_share",)

    def apply(self, policy, participants, phase, active, terms=None):
        super().apply(policy, participants, phase, active, terms)
        policy.levers["welfare_income_share"] = np.zeros((participants.shape[0], 20))


class SilentUnionSpec(CustomsUnionProposal):
    type: Literal["silent_union"]


class SilentUnion(CustomsUnion):
    """A customs union (declaring no lever, as the built-in) that writes one."""

    name = "silent_union"
    spec = SilentUnionSpec
    indicators = {"in_silent_union": "share of runs"}
    membership = ("in_silent_union", "in union", "a customs union")
    record_always = False

    def apply(self, policy, participants, phase, active, terms=None):
        super().apply(policy, participants, phase, active, terms)
        policy.levers["toy_pool"] = np.zeros(participants.shape)


def _data(proposal: dict) -> dict:
    return {"name": "checked", "years": {"start": 2025, "end": 2030}, "seed": 5,
            "replications": 2,
            "parameters": {"rules": {"vote": "always_yes", "defect": "never_defect"}},
            "proposals": [{"id": "p", "year": 2026, "proposer": "KAZ", **proposal}]}


def _in_force_model(cls: type):
    """A two-run model with ``cls``'s proposal in force among the club."""
    from scosim.model.model import SCOModel

    register_type(cls)
    model = SCOModel(validate_data(_data({"type": cls.name, "participants": CLUB})),
                     runs=[0, 1])
    model.year = 2026
    (arr,) = model.arrangements
    arr.in_force[:] = True
    arr.participants[:] = arr.proposed
    return model, arr


def test_the_accession_path_names_a_wrongly_shaped_write():
    """Before: the applicant's levers came back with the one-run lever, unseen."""
    from scosim.proposals.accession import levers_as_member

    model, _ = _in_force_model(PoolOneRun)
    with pytest.raises(TypeError) as err:
        levers_as_member(model, model.codes.index("TKM"), 2027)
    assert re.match(
        r"proposal type 'pool_one_run' \([\w.]*test_apply_checked:PoolOneRun\) left "
        r"policy\.levers\['toy_pool'\] as shape \(28,\) after apply; the model needs an "
        r"array with the runs first, shape \(2, \.\.\.\)", str(err.value)), str(err.value)
    assert "in proposal type 'pool_one_run' (proposal 'p'), apply for TKM's levers as a " \
           "member" in " ".join(err.value.__notes__)


def test_the_accession_path_refuses_an_undeclared_write():
    from scosim.proposals.accession import levers_as_member

    model, _ = _in_force_model(PoolUndeclared)
    with pytest.raises(PluginError, match=(
            r"^proposal type 'pool_undeclared' \(proposal 'p'\) wrote the lever 'toy_pool', "
            r"which its `writes_levers` does not declare \(declared: none\)")):
        levers_as_member(model, model.codes.index("TKM"), 2027)


def _union(cls: type) -> dict:
    """The built-in union among the members (the answer's CET lines are asked for a
    scenario with one) and ``cls``'s, a plug-in union, among three of them."""
    register_type(cls)
    data = _data({"type": "customs_union", "participants": "members",
                  "cet": "weighted_mean", "revenue_sharing": "collected", "depth": 0.6})
    data["proposals"].append({**data["proposals"][0], "type": cls.name, "id": "p2",
                              "participants": CLUB})
    data["proposals"][0]["id"] = "p"
    return data


def test_the_cet_answer_path_names_a_wrongly_shaped_write():
    """Before: the CET line was written, the 20-economy income lever unseen."""
    from scosim.cet_answer import union_tariffs

    with pytest.raises(TypeError) as err:
        union_tariffs(validate_data(_union(BadUnion)), 2030)
    assert re.match(
        r"proposal type 'bad_union' \([\w.]*test_apply_checked:BadUnion\) left "
        r"policy\.levers\['welfare_income_share'\] as shape \(1, 20\) after apply; the "
        r"model needs an array of shape \(1, 28\)", str(err.value)), str(err.value)
    assert "apply for the answer's CET line" in " ".join(err.value.__notes__)


def test_the_cet_answer_path_refuses_an_undeclared_write():
    from scosim.cet_answer import union_tariffs

    with pytest.raises(PluginError, match=(
            r"^proposal type 'silent_union' \(proposal 'p2'\) wrote the lever 'toy_pool', "
            r"which its `writes_levers` does not declare \(declared: none\)")):
        union_tariffs(validate_data(_union(SilentUnion)), 2030)


def test_a_levers_only_state_checks_its_levers():
    """The banking union's value prices a state of levers only: its levers are checked
    (the run axis is the ensemble's draws there), and nothing else is asked of it."""
    from scosim.model.policy_check import apply_checked

    model, arr = _in_force_model(PoolOneRun)
    part = np.ones((5, model.N), dtype=bool)
    pol = SimpleNamespace(levers={}, writers={})
    with pytest.raises(TypeError, match=r"with the runs first, shape \(5, \.\.\.\)"):
        apply_checked(arr, pol, part, np.ones(5), np.ones(5, dtype=bool), R=5, N=model.N,
                      where="apply for its value", levers_only=True)



class SilentBankSpec(BankingUnionProposal):
    type: Literal["silent_bank"]


class SilentBank(BankingUnion):
    """The built-in union declaring none of the levers its apply writes."""

    name = "silent_bank"
    spec = SilentBankSpec
    indicators = {"in_silent_bank": "share of runs"}
    writes_levers = ()


def test_an_undeclared_write_in_a_banking_unions_value_names_the_plug_in(tmp_path):
    """Through preview_union: the PluginError is the plug-in's, not a balance-sheet error."""
    import yaml

    from scosim.runner import run

    register_type(SilentBank)
    root = Path(__file__).resolve().parents[1] / "scenarios"
    child = tmp_path / "silent.yaml"
    parent = yaml.safe_load((root / "finance_crisis_union.yaml").read_text())
    (proposal,) = parent["proposals"]
    child.write_text(yaml.safe_dump({
        "extends": str(root / "finance_crisis_union.yaml"), "name": "silent_bank",
        "replications": 2, "proposals": [{**proposal, "type": "silent_bank"}]}))
    with pytest.raises(Exception) as err:
        run(child, out=tmp_path / "out", progress=False, plots=False)
    text = str(err.value)
    assert re.search(r"silent_bank.*does not declare", text), text
    assert "PluginError" in text and "balance sheets" not in text, text
