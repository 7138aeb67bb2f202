"""The network's instability scale in incidents (docs/security.md, "One instability scale").

The network reads instability as the rise of ``iota(x) = x / (x + 250)`` of expected
incidents above 2018-2022; these tests check the documented inverse against the slot's own
``insecurity_rise``, the ceiling no incident level passes, and the docs' table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.security.model import SecuritySystem
from scosim.security.scale import (
    DOC_VALUES,
    incidents_at,
    instability_ceiling,
    instability_rows,
    main,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
HIGH = ROOT / "scenarios" / "corridor_trans_afghan_high.yaml"  # Afghan instability 0.8
#: The shipped HIGH declares its 0.8 a stress test; with this override it does not.
UNDECLARED_KEY = "parameters.network.stress_test"
UNDECLARED = f"{UNDECLARED_KEY}=false"


@pytest.fixture(scope="module")
def system() -> SecuritySystem:
    return SecuritySystem()


def test_inverse_gives_the_slots_own_rise(system):
    # At the Afghan index the table names, the step's insecurity_rise on Afghanistan is the
    # network instability the table maps it to (today's efforts and RATS).
    a = system.codes.index("AFG")
    x0 = float(system.cal.base_rate[a])
    st = system.baseline_state(1)
    for u in (0.05, 0.1, 0.166, 0.2, 0.3):
        index = float(incidents_at(u, x0, system.params.incidents_half)) / x0
        _, ind = system.step(st, st.efforts, index, np.random.default_rng(0))
        assert ind["insecurity_rise"][0, a] == pytest.approx(u, abs=1e-12)


def test_no_incident_level_passes_the_ceiling(system):
    a = system.codes.index("AFG")
    x0 = system.cal.base_rate
    ceiling = instability_ceiling(x0, system.params.incidents_half)
    assert ceiling[a] == pytest.approx(0.332, abs=5e-4)
    # A thousand times 2018-2022 violence stays below it; the Trans-Afghan "high" case's
    # 0.8 and the sweep's 1 have no incident level.
    st = system.baseline_state(1)
    _, ind = system.step(st, st.efforts, 1000.0, np.random.default_rng(0))
    assert np.all(ind["insecurity_rise"][0] < ceiling)
    assert 0.33 < ind["insecurity_rise"][0, a]
    assert np.isinf(incidents_at([0.5, 0.8, 1.0], x0[a], system.params.incidents_half)).all()
    assert np.isfinite(incidents_at(0.33, x0[a], system.params.incidents_half))


def test_incidents_at_rejects_instability_outside_the_scale():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        incidents_at(1.2, 503.2, 250.0)


def _doc_table() -> list[list[str]]:
    text = DOC.read_text()
    head = "| instability | incidents a year | x 2018-2022 | parameters.security.instability |"
    assert head in text, "docs/security.md lost the instability -> incidents table"
    lines = text[text.index(head):].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_documented_table_is_what_the_functions_give(system):
    rows = instability_rows(system, DOC_VALUES)
    assert _doc_table() == [list(r.values()) for r in rows]


def test_main_prints_the_table_and_rejects_an_unknown_economy(capsys):
    assert main([]) == 0
    assert "1 - iota(x0) = 0.332" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--economy", "XYZ"])
    assert exc.value.code == 2
    assert "--economy 'XYZ'" in capsys.readouterr().err


def _afghan_ceiling(system: SecuritySystem) -> float:
    a = system.codes.index("AFG")
    return float(instability_ceiling(system.cal.base_rate[a], system.params.incidents_half))


def test_a_network_instability_past_the_ceiling_is_run_with_a_warning(system, tmp_path, capsys):
    """``corridor_trans_afghan_high.yaml``'s 0.8 is a stress test: it runs (exit 0), and
    the run says, once, that no incident level of the security model reaches it. Until
    2026-12-06 it ran silently, read as a level of Afghan violence. (The shipped file
    declares it, ``stress_test: true``: here without, as any scenario that does not.)"""
    from scosim.cli import main

    assert main(["run", str(HIGH), "--replications", "1", "--set", "years.end=2027",
                 "--set", UNDECLARED, "--out", str(tmp_path), "--quiet", "--no-plots"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    said = (f"scosim: warning: parameters.network.instability.AFG 0.8 is above "
            f"{_afghan_ceiling(system):.3f}, the most AFG's instability reaches at any "
            "incident level")
    assert err.count(said) == 1, err
    assert "beyond any incident level the security model has seen: a stress test" in err


def test_only_a_value_past_the_ceiling_is_warned(system):
    """A series is named at the first year of its largest value; a value under the ceiling,
    or one the security slot would override, gives no warning."""
    from scosim.network.params import instability_notes
    from scosim.scenario import load_scenario

    key = "parameters.network.instability.AFG"
    below = round(_afghan_ceiling(system) - 0.01, 3)
    assert instability_notes(load_scenario(HIGH, overrides={key: below})) == []
    rising = load_scenario(HIGH, overrides={key: {2025: 0.1, 2030: 0.5, 2033: 0.5}})
    (note,) = instability_notes(rising)
    assert note.startswith("parameters.network.instability.AFG 0.5 in 2030 is above ")
    both = load_scenario(ROOT / "scenarios" / "afghan_corridor.yaml")
    assert both.parameters.mechanisms.get("security") is not None
    assert instability_notes(both.model_copy(update={"parameters": both.parameters.model_copy(
        update={"network": rising.parameters.network})})) == []


def test_the_pure_python_ceilings_are_the_numpy_ones_for_every_economy(system):
    """What `scosim validate` reads without numpy (scosim.security.ceiling) is the ceiling
    of security/scale.py's arrays, 1 - iota(x0) at the default incidents_half."""
    from scosim.security.ceiling import economy_ceilings

    pure = economy_ceilings()
    arrays = instability_ceiling(system.cal.base_rate, system.params.incidents_half)
    assert list(pure) == list(system.codes)
    np.testing.assert_allclose([pure[c] for c in system.codes], arrays, rtol=0, atol=1e-12)
    assert pure["AFG"] < 0.34 and pure["CHN"] == 1.0  # 503.2 incidents a year; none


def test_validate_gives_the_runs_instability_warning_and_exits_0(tmp_path, capsys):
    """`scosim validate` of corridor_trans_afghan_high.yaml said the scenario was valid and
    nothing of its 0.8, which `run` warns of: now it prints the run's words (a warning, not
    an error: exit 0), year and all for a series, and nothing for a value under the ceiling."""
    from scosim.cli import main
    from scosim.network.params import instability_notes
    from scosim.scenario import load_scenario

    assert main(["validate", str(HIGH), "--set", UNDECLARED]) == 0
    out, err = capsys.readouterr()
    (note,) = instability_notes(load_scenario(HIGH, overrides={UNDECLARED_KEY: False}))
    assert "valid scenario 'corridor_trans_afghan_high'" in out
    assert err.splitlines() == [f"scosim: warning: {note}"]
    rising = "parameters.network.instability.AFG={2025: 0.1, 2030: 0.5}"
    assert main(["validate", str(HIGH), "--set", rising, "--set", UNDECLARED]) == 0
    assert "parameters.network.instability.AFG 0.5 in 2030 is above 0.332" in \
        capsys.readouterr().err
    assert main(["validate", str(HIGH), "--set", "parameters.network.instability.AFG=0.3"]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err and "note" not in err  # declared or not: nothing to say
