"""``incidents_half``, the incidents a year at which insecurity is one half, as a setting.

It turns a state's expected incidents into the insecurity index whose rise above
2018-2022 trade and transport costs price (``x / (x + incidents_half)``). Until 2026-12-07
it was a constant (250) a scenario could not vary; it is now
``parameters.mechanism_settings.security.incidents_half``, default unchanged. Checked
against the index's identity on a run's own expected incidents, and bad values are refused
naming the field and its range.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.mechanism import _system, security_mechanism
from scosim.security.settings_system import system_for
from scosim.security.spec import SecuritySettings

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
KEY = "parameters.mechanism_settings.security.incidents_half"
AFG, PAK, TJK = (ECONOMIES.index(c) for c in ("AFG", "PAK", "TJK"))


def test_the_default_is_the_shared_block_and_a_value_reaches_the_block() -> None:
    default = _system()
    assert SecuritySettings().incidents_half == default.params.incidents_half == 250.0
    assert system_for(SecuritySettings(incidents_half=250.0), default) is default
    assert system_for(SecuritySettings(incidents_half=100.0), default).params.incidents_half == 100


@pytest.mark.parametrize("half", [50.0, 1000.0])
def test_a_run_prices_the_rise_of_the_index_at_the_set_half(half: float) -> None:
    """The recorded insecurity rise is ``x/(x+h) - x0/(x0+h)`` of the run's expected
    incidents ``x`` and the 2018-2022 rate ``x0`` at the set ``h``, not at 250."""
    m = run_model(load_scenario(SCEN / "afghan_instability.yaml", overrides={KEY: half}),
                  runs=[0])
    mech = security_mechanism(m)
    assert mech.system.params.incidents_half == half
    rec = {k: np.stack(v, axis=1) for k, v in m.records.items()}
    x = rec["expected_incidents"][0, -1]
    x0 = mech.system.cal.base_rate
    want = x / (x + half) - x0 / (x0 + half)
    np.testing.assert_allclose(rec["insecurity_rise"][0, -1], want, rtol=1e-12, atol=1e-15)
    at_250 = x / (x + 250.0) - x0 / (x0 + 250.0)
    for i in (AFG, PAK, TJK):
        assert not np.isclose(rec["insecurity_rise"][0, -1, i], at_250[i], rtol=1e-6), i


@pytest.mark.parametrize("value", [0.0, -5.0, 1e6])
def test_bad_values_name_the_field_and_range(value: float) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCEN / "afghan_instability.yaml", overrides={KEY: value})
    assert KEY in str(err.value) and "0 < incidents_half <= 100000" in str(err.value)


def test_the_command_line_takes_it(capsys: pytest.CaptureFixture[str]) -> None:
    from scosim.cli import main

    sc = str(SCEN / "afghan_corridor.yaml")
    assert main(["validate", sc, "--set", f"{KEY}=100"]) == 0
    assert main(["validate", sc, "--set", f"{KEY}=-1"]) == 2
    err = capsys.readouterr().err
    assert KEY in err and "Traceback" not in err
