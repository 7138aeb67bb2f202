"""A plug-in's indicators and class attributes are checked before anything runs.

Found by an extension author following the docs: a type declaring ``welfare_change_pct``
validated and its value vanished, two plug-ins sharing a name overwrote one another,
``indicators`` as a list stopped the run with ``dictionary update sequence ...``, and
``exit_allowed = "no"``, ``ratification_lag = "2"`` or a misspelt decision rule passed
registration.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, validate_data

HEAD = '''
from typing import Literal

import numpy as np

from scosim.model.slots import Mechanism
from scosim.proposals import ProposalSpec, ProposalType


class VisaSpec(ProposalSpec):
    type: Literal["visa_{tag}"]


class Visa(ProposalType):
    name = "visa_{tag}"
    spec = VisaSpec
    indicators = {indicators}
    {attrs}

    def apply(self, policy, participants, phase, active, terms=None):
        pass

    @classmethod
    def record(cls, model, arrangements, policy):
        return {{name: np.zeros((model.R, model.N)) for name in cls.indicators}}


class Share(Mechanism):
    name = "share_{tag}"
    slot = "finance"
    indicators = {mech_indicators}

    def record(self, model, policy):
        return {{name: np.zeros((model.R, model.N)) for name in self.indicators}}
'''


# These clash on purpose (a type declaring ``welfare_change_pct`` would lend its unit to
# later tests' tables): each test's plug-ins leave the registries after it.
pytestmark = pytest.mark.usefixtures("forget_test_plugins")


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, indicators: str = "{'visa': 'x'}",
            mech_indicators: str = "{'share': 'x'}", attrs: str = "", extra: str = "") -> str:
    """Write a plug-in module (a fresh name each time: the registries keep the first)."""
    tag = f"t{abs(hash((tmp_path, indicators, mech_indicators, attrs, extra))) % 10**8}"
    mod = f"own_{tag}"
    (tmp_path / f"{mod}.py").write_text(
        HEAD.format(tag=tag, indicators=indicators, mech_indicators=mech_indicators,
                    attrs=attrs) + textwrap.dedent(extra))
    monkeypatch.syspath_prepend(str(tmp_path))
    return mod


def _scenario(mod: str, mechanism: bool = False) -> dict:
    data = {"name": "o", "years": {"start": 2025, "end": 2026}, "replications": 1,
            "proposals": [{"type": f"{mod}:Visa", "id": "v", "year": 2025}]}
    if mechanism:
        data["parameters"] = {"mechanisms": {"finance": f"{mod}:Share"}}
    return data


def test_a_type_claiming_a_core_indicator_is_refused(tmp_path, monkeypatch) -> None:
    mod = _module(tmp_path, monkeypatch, indicators="{'welfare_change_pct': 'percent'}")
    with pytest.raises(ScenarioError) as err:
        validate_data(_scenario(mod))
    said = str(err.value)
    assert "records 'welfare_change_pct', which mechanism" in said
    assert "(trade slot) records 'welfare_change_pct', which proposal type" not in said
    assert "proposals[0].type" in said


def test_two_plugins_sharing_an_indicator_are_refused(tmp_path, monkeypatch) -> None:
    mod = _module(tmp_path, monkeypatch, indicators="{'visa': 'x'}",
                  mech_indicators="{'visa': 'y'}")
    with pytest.raises(ScenarioError) as err:
        validate_data(_scenario(mod, mechanism=True))
    said = str(err.value)
    assert "(finance slot) records 'visa', which proposal type 'visa_" in said
    assert "parameters.mechanisms.finance" in said
    # Apart they are fine.
    validate_data(_scenario(mod))


def test_recorded_indicators_may_not_name_an_undeclared_indicator(tmp_path, monkeypatch) -> None:
    extra = '''
    class Typo(Mechanism):
        name = "typo_mech"
        slot = "finance"
        indicators = {"sco_import_share_pct": "percent"}

        @classmethod
        def recorded_indicators(cls, scenario):
            return {"sco_import_share_pc": "percent"}
    '''
    mod = _module(tmp_path, monkeypatch, extra=extra)
    data = _scenario(mod)
    data["parameters"] = {"mechanisms": {"finance": f"{mod}:Typo"}}
    with pytest.raises(ScenarioError, match=r"recorded_indicators\(scenario\) names "
                                            r"'sco_import_share_pc', which its `indicators` "
                                            r"does not declare"):
        validate_data(data)


@pytest.mark.parametrize(("attrs", "said"), [
    ("", None),
    ("exit_allowed = 'no'", "`exit_allowed` must be True or False; got 'no'"),
    ("retable = 1", "`retable` must be True or False; got 1"),
    ("ratification_lag = '2'", "`ratification_lag` must be None (the Council's) or a whole"),
    ("ratification_lag = -1", "`ratification_lag` must be None"),
    ("default_decision_rule = 'interested_member'",
     "`default_decision_rule` 'interested_member': unknown decision rule 'interested_member' "
     "(did you mean 'interested_members'?)"),
    ("welfare_excludes = 'what visas cost'", None),
    ("welfare_excludes = ['visas']", "`welfare_excludes` must be text (a phrase after 'not "
                                     "counting'), got ['visas']"),
])
def test_class_attributes_are_checked_when_the_type_is_registered(
        tmp_path, monkeypatch, attrs: str, said: str | None) -> None:
    mod = _module(tmp_path, monkeypatch, attrs=attrs)
    if said is None:
        validate_data(_scenario(mod))
        return
    with pytest.raises(ScenarioError, match=None) as err:
        validate_data(_scenario(mod))
    assert said in str(err.value)


@pytest.mark.parametrize(("where", "value", "said"), [
    ("indicators", "['visa', 'other']", "`indicators` must map each indicator's name to its unit"),
    ("indicators", "{'visa': 1}", "indicator 'visa' has unit 1; a unit is a non-empty string"),
    ("indicators", "{'visa rate': 'x'}", "name 'visa rate' must be a Python identifier"),
    ("mech_indicators", "['share']", "mechanism 'share_"),
])
def test_indicators_must_map_names_to_units(tmp_path, monkeypatch, where, value, said) -> None:
    mod = _module(tmp_path, monkeypatch, **{where: value})
    with pytest.raises(ScenarioError) as err:
        validate_data(_scenario(mod, mechanism=where == "mech_indicators"))
    assert said in str(err.value)


def test_the_cli_refuses_a_clash_with_exit_2_and_writes_nothing(tmp_path, monkeypatch) -> None:
    mod = _module(tmp_path, monkeypatch, indicators="{'gdp_usd': 'US$'}")
    scen = tmp_path / "clash.yaml"
    scen.write_text(f"name: clash\nyears: {{start: 2025, end: 2026}}\nreplications: 1\n"
                    f"proposals:\n  - {{type: '{mod}:Visa', id: v, year: 2025}}\n")
    out = tmp_path / "results"
    import os

    import scosim

    # The scosim under test (not whatever else is installed) and the plug-in module.
    path = os.pathsep.join([str(tmp_path), str(Path(scosim.__file__).parents[1])])
    r = subprocess.run([sys.executable, "-m", "scosim", "run", str(scen), "--out", str(out)],
                       capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": path})
    assert r.returncode == 2, r.stderr
    assert "records 'gdp_usd', which" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() or not any(out.rglob("*"))


def test_scosim_s_own_plugins_share_no_indicator_name() -> None:
    """What lets validation skip the ownership check for scenarios of built-ins only."""
    from scosim.model.mechanism_names import LAZY
    from scosim.model.slots import get_mechanism
    from scosim.proposals import builtin_types, get_type
    from scosim.scenario.outputs import MODEL_INDICATORS

    owners = [("model", MODEL_INDICATORS)]
    owners += [(f"mechanism {m}", tuple(get_mechanism(m).indicators)) for m in LAZY]
    owners += [(f"type {t}", tuple(get_type(t).indicators)) for t in builtin_types()]
    seen: dict[str, str] = {}
    for who, names in owners:
        for name in names:
            assert name not in seen, (name, who, seen.get(name))
            seen[name] = who
    assert len(seen) > 60


def test_path_and_method_typos_get_a_suggestion(tmp_path, monkeypatch) -> None:
    """Rule paths listed the module's callables; type and mechanism paths said only
    'has no attribute' (an extension author's review)."""
    mod = _module(tmp_path, monkeypatch, extra='''
    class Typo(Visa):
        def aply(self, policy, participants, phase, active, terms=None):
            pass
    ''')
    data = _scenario(mod)
    data["proposals"][0]["type"] = f"{mod}:Vsa"
    with pytest.raises(ScenarioError) as err:
        validate_data(data)
    assert "has no attribute 'Vsa' (did you mean 'Visa'?); classes there: Share" in str(err.value)
    data["proposals"][0]["type"] = f"{mod}.Visa"
    with pytest.raises(ScenarioError) as err:
        validate_data(data)
    assert f"(a dotted path takes a colon: did you mean '{mod}:Visa'?)" in str(err.value)
    data["proposals"][0]["type"] = f"{mod}:Typo"
    with pytest.raises(ScenarioError) as err:
        validate_data(data)
    assert "defines 'aply' (did you mean 'apply'?), which the protocol does not know" \
        in str(err.value)


def test_a_proposal_s_year_is_not_sweepable(tmp_path, monkeypatch) -> None:
    """Accepted as a number field, then ignored: the Council tables once for all runs."""
    mod = _module(tmp_path, monkeypatch, attrs="sweepable = ('year',)")
    with pytest.raises(ScenarioError, match="sweepable field 'year' is read once for every run"):
        validate_data(_scenario(mod))
