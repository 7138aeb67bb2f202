"""A shipped scenario's file name given on the command line outside the checkout.

A new user, 2026-12-07, from an installed wheel in a folder of her own: ``scosim run
customs_union`` and ``scosim run customs_union.yaml`` stopped at "file not found ...
(looked for ...)" with no word of ``scosim:customs_union``, the name that reaches the
shipped file (``extends:`` already said it). Every command taking a scenario now says it.
"""

from __future__ import annotations

import pytest

from scosim.cli import main
from scosim.scenario import load_scenario
from scosim.scenario.shipped import shipped_hint

COMMANDS = {
    "run": ["run", "{s}"],
    "validate": ["validate", "{s}"],
    "compare": ["compare", "{s}", "baseline.yaml"],
    "sweep": ["sweep", "{s}", "--output", "sw", "--param", "parameters.trade.sigma=4:6"],
    "exits": ["exits", "{s}"],
    "explore": ["explore", "{s}"],
}


# compare reads a bare name as a finished run's scenario name, not as a file.
@pytest.mark.parametrize(("command", "given"), [
    *((c, g) for c in sorted(COMMANDS) for g in ("customs_union", "customs_union.yaml")
      if (c, g) != ("compare", "customs_union"))])
def test_a_shipped_scenarios_file_name_suggests_its_scosim_name(
        tmp_path, monkeypatch, capsys, command, given) -> None:
    monkeypatch.chdir(tmp_path)  # no scenarios/ here: as outside a checkout
    args = [a.format(s=given) for a in COMMANDS[command]]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert "not found" in err[0] and given in err[0]
    assert err[0].endswith("; did you mean scosim:customs_union?"), err[0]
    assert list(tmp_path.iterdir()) == []  # nothing left behind
    # What it suggests is a scenario that loads (the hint names something real).
    assert load_scenario("scosim:customs_union").name


def test_a_hindcast_is_named_with_its_folder(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "apply_afg_2012.yaml"]) == 2
    said = capsys.readouterr().err.strip()
    assert said.endswith("; did you mean scosim:hindcasts/apply_afg_2012?")
    assert load_scenario("scosim:hindcasts/apply_afg_2012").name


def test_a_name_no_shipped_scenario_has_gets_no_suggestion(
        tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "my_union.yaml"]) == 2
    said = capsys.readouterr().err
    assert "file not found: 'my_union.yaml'" in said and "did you mean" not in said
    assert shipped_hint("my_union.yaml") == ""
    assert shipped_hint("customs_union.yml") == "; did you mean scosim:customs_union?"
    assert shipped_hint("customs_union.yaml", extends=True) == (
        "; did you mean extends: scosim:customs_union?")
