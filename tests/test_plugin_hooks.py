"""A plug-in's own code that raises while a scenario is validated is a located error.

Found by an outside review: ``recorded_indicators(scenario)`` raising a KeyError, a
TypeError or an AttributeError (anything but a ValueError, which pydantic reports)
ended ``scosim validate`` and ``scosim run`` in a traceback. So did a proposal type's
``check``, and a validator of a plug-in's spec or settings model. Each is now said at
the line that names the plug-in, with the class, the method and the exception.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, load_scenario, validate_data

pytestmark = pytest.mark.usefixtures("forget_test_plugins")

HEAD = '''
from typing import Literal

import numpy as np
from pydantic import BaseModel, field_validator

from scosim.model.slots import Mechanism
from scosim.proposals import ProposalSpec, ProposalType


class VisaSpec(ProposalSpec):
    type: Literal["visa_TAG"]
SPEC


class Visa(ProposalType):
    name = "visa_TAG"
    spec = VisaSpec
    indicators = {"visa_TAG": "x"}

    def apply(self, policy, participants, phase, active, terms=None):
        pass

    @classmethod
    def record(cls, model, arrangements, policy):
        return {name: np.zeros((model.R, model.N)) for name in cls.indicators}
TYPE
'''


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, spec: str = "",
            methods: str = "", extra: str = "") -> tuple[str, str]:
    """Write a plug-in module; ``(module, tag)``, the type named ``visa_<tag>``.

    A fresh name each time: the registries keep the first class of a name.
    """
    tag = f"h{abs(hash((str(tmp_path), spec, methods, extra))) % 10**8}"
    text = (HEAD.replace("SPEC", textwrap.indent(textwrap.dedent(spec), "    "))
            .replace("TYPE", textwrap.indent(textwrap.dedent(methods), "    "))
            + textwrap.dedent(extra)).replace("TAG", tag)
    (tmp_path / f"hook_{tag}.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    return f"hook_{tag}", tag


def _line(tmp_path: Path, mod: str, text: str) -> int:
    """The line of the plug-in's file holding ``text``."""
    lines = (tmp_path / f"{mod}.py").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def _scenario_file(tmp_path: Path, mod: str, extra: str = "") -> Path:
    path = tmp_path / "hooked.yaml"
    path.write_text("name: hooked\nyears: {start: 2025, end: 2026}\nreplications: 1\n"
                    f"proposals:\n  - {{type: '{mod}:Visa', id: v, year: 2025}}\n{extra}")
    return path


RECORDED_RAISES = '''
@classmethod
def recorded_indicators(cls, scenario):
    return dict(cls.indicators) if scenario.parameters.nothing_here else {}
'''


@pytest.mark.parametrize("outputs", ["", "outputs: {indicators: [welfare_change_pct]}\n"])
def test_recorded_indicators_that_raises_is_said_where_the_type_is_named(
        tmp_path, monkeypatch, outputs) -> None:
    mod, tag = _module(tmp_path, monkeypatch, methods=RECORDED_RAISES)
    path = _scenario_file(tmp_path, mod, outputs)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    said = str(err.value)
    assert said.startswith(f"{path}:5: proposals[0].type: proposal type 'visa_{tag}': "
                           f"{mod}.Visa.recorded_indicators raised AttributeError: "
                           "'Parameters' object has no attribute 'nothing_here'"), said
    # The line of the plug-in's own file (no traceback shows it).
    line = _line(tmp_path, mod, "nothing_here")
    assert f"(at {tmp_path / (mod + '.py')}:{line})" in said
    # Once, although both the ownership and the outputs checks ask.
    assert said.count("recorded_indicators raised") == 1


def test_recorded_indicators_must_answer_a_mapping(tmp_path, monkeypatch) -> None:
    mod, tag = _module(tmp_path, monkeypatch, methods='''
    @classmethod
    def recorded_indicators(cls, scenario):
        cls.indicators.get("visa")
    ''')
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario_file(tmp_path, mod))
    assert (f"proposals[0].type: proposal type 'visa_{tag}': recorded_indicators(scenario) "
            "returned NoneType None; it returns {name: unit} of the declared indicators it "
            "records") in str(err.value)


CHECK_RAISES = '''
@classmethod
def check(cls, proposal, scenario):
    scenario.years.start  # a part that failed skips the check
    return [(("year",), "never said")] if {}["members_only"] else []
'''


def test_a_check_that_raises_is_said_beside_other_errors(tmp_path, monkeypatch) -> None:
    mod, tag = _module(tmp_path, monkeypatch, methods=CHECK_RAISES)
    data = {"name": "c", "years": {"start": 2025, "end": 2026}, "replications": 1,
            "proposals": [{"type": f"{mod}:Visa", "id": "v", "year": 2025}]}
    with pytest.raises(ScenarioError) as err:
        validate_data(data)
    line = _line(tmp_path, mod, "members_only")
    assert str(err.value) == (
        f"<data>: proposals[0].type: proposal type 'visa_{tag}': {mod}.Visa.check "
        f"raised KeyError: 'members_only' (at {tmp_path / (mod + '.py')}:{line})")
    # Beside a field error too: the schema skips its cross-field checks then.
    with pytest.raises(ScenarioError) as err:
        validate_data({**data, "seed": -1})
    said = str(err.value)
    assert "seed: " in said and "Visa.check raised KeyError: 'members_only'" in said
    # A check that read a part that failed is skipped, not reported as raising.
    with pytest.raises(ScenarioError) as err:
        validate_data({**data, "years": {"start": "2025", "end": 2026}})
    assert "years.start" in str(err.value) and "raised" not in str(err.value)



CHECK_BARE_KEY = '''
@classmethod
def check(cls, proposal, scenario):
    return [("participants", "one key, not a tuple"),
            (("year",), "said from the years too", [("years", "the years' side")])]
'''


def test_a_check_may_locate_a_problem_by_one_bare_key(tmp_path, monkeypatch) -> None:
    """A location written as a string was read letter by letter
    (``proposals[0].p.a.r.t.i.c.i.p.a.n.t.s``, an outside review, 2026-12-07)."""
    mod, _ = _module(tmp_path, monkeypatch, methods=CHECK_BARE_KEY)
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario_file(tmp_path, mod))
    said = str(err.value)
    assert "proposals[0].participants: one key, not a tuple" in said, said
    assert "p.a.r.t" not in said and "y.e.a.r" not in said and "y.e.a.r.s" not in said

def test_a_spec_validator_that_raises_is_said_at_the_proposal(tmp_path, monkeypatch) -> None:
    mod, tag = _module(tmp_path, monkeypatch, spec='''
    @field_validator("id")
    @classmethod
    def _known(cls, value):
        return {"visa": value}[value]
    ''')
    path = _scenario_file(tmp_path, mod)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value).startswith(
        f"{path}:5: proposals[0]: {mod}.VisaSpec.model_validate raised KeyError: 'v'")
    # A ValidationError of the spec is reported field by field, as before.
    with pytest.raises(ScenarioError, match=r"proposals\[0\]\.year"):
        load_scenario(path, overrides={"proposals[0].id": "visa", "proposals[0].year": "soon"})


def test_a_settings_validator_that_raises_is_said_at_the_settings(tmp_path, monkeypatch) -> None:
    mod, tag = _module(tmp_path, monkeypatch, extra='''
    class FeeSettings(BaseModel):
        fee: float = 0.1

        @field_validator("fee")
        @classmethod
        def _scale(cls, value):
            return value * cls.scale


    class Fee(Mechanism):
        name = "fee_TAG"
        slot = "finance"
        settings_model = FeeSettings
    ''')
    path = _scenario_file(tmp_path, mod, extra=(
        f"parameters:\n  mechanisms: {{finance: '{mod}:Fee'}}\n"
        f"  mechanism_settings:\n    fee_{tag}: {{fee: 0.2}}\n"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value).startswith(
        f"{path}:9: parameters.mechanism_settings.fee_{tag}: settings of mechanism "
        f"'fee_{tag}': {mod}.FeeSettings.model_validate raised AttributeError: "), str(err.value)


@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_cli_says_it_with_exit_2_no_traceback_and_nothing_written(
        tmp_path, monkeypatch, command) -> None:
    import scosim

    mod, _ = _module(tmp_path, monkeypatch, methods=RECORDED_RAISES)
    path = _scenario_file(tmp_path, mod)
    out = tmp_path / "results"
    # The scosim under test (not whatever else is installed) and the plug-in module.
    pythonpath = os.pathsep.join([str(tmp_path), str(Path(scosim.__file__).parents[1])])
    args = ["--out", str(out)] if command == "run" else []
    r = subprocess.run([sys.executable, "-m", "scosim", command, str(path), *args],
                       capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": pythonpath})
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert f"{mod}.Visa.recorded_indicators raised AttributeError" in r.stderr
    assert not out.exists() or not any(out.rglob("*"))
