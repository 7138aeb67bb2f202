"""RATS's size in the model (docs/security.md section 6, "How large RATS's effect is").

Today's RATS and the upgrade are measured in expected incidents at today's efforts; the
docs set them beside RATS's reported activity and vary the two assumptions behind them,
``k_pool`` and ``beta``. These tests check the measurement's direction and that the docs'
and README's figures are what the module computes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from scosim.security.params import SecurityParams
from scosim.security.proposal import rats_levels
from scosim.security.spec import RatsUpgradeProposal
from scosim.security.upgrade_size import (
    UPGRADE_LEVELS,
    main,
    rats_effects,
    sensitivity_rows,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"


def test_levels_are_the_shipped_scenarios_upgrade():
    spec = yaml.safe_load((ROOT / "scenarios" / "afghan_instability_rats.yaml").read_text())
    prop = RatsUpgradeProposal(**spec["proposals"][0])
    assert tuple(rats_levels(prop, SecurityParams().rats_baseline)) == UPGRADE_LEVELS


def test_no_pooling_return_means_rats_averts_nothing():
    p = SecurityParams()
    r = rats_effects(replace(p, k_pool=(0.0, 0.0, 0.0)))
    assert r["today_averted"] == pytest.approx(0.0, abs=1e-9)
    assert r["upgrade_members"] == pytest.approx(0.0, abs=1e-9)


def test_effects_grow_with_the_pooling_return_and_the_elasticity():
    p = SecurityParams()
    low, mid = rats_effects(replace(p, beta=1.0)), rats_effects(p)
    high = rats_effects(replace(p, k_pool=tuple(1.5 * k for k in p.k_pool)))
    for key in ("today_averted", "upgrade_members", "upgrade_pak", "upgrade_pak_rise"):
        assert low[key] < mid[key] < high[key]
    # The calibration holds 2018-2022 rates at today's RATS whatever the assumptions.
    assert low["members_today"] == pytest.approx(mid["members_today"], rel=1e-12)


def _doc_grid() -> list[list[str]]:
    text = DOC.read_text()
    head = "| k_pool | beta | today's RATS averts, members a year |"
    assert head in text, "docs/security.md lost the RATS sensitivity table"
    rows = []
    for line in text[text.index(head):].splitlines()[2:]:
        line = line.strip()
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_documented_figures_are_what_the_module_gives():
    assert _doc_grid() == [list(r.values()) for r in sensitivity_rows()]
    r = rats_effects()
    text = " ".join(DOC.read_text().split())
    assert f"averts {r['today_averted']:.1f} of the members' incidents a year" in text
    assert f"({r['members_today'] + r['today_averted']:.1f} without any pooling" in text
    assert f"{r['members_today']:.1f} with today's" in text
    assert f"({r['upgrade_members']:.1f} member incidents a year" in text
    assert f"{r['upgrade_pak']:.1f} of them Pakistan's" in text


def test_readme_range_is_the_grids():
    rows = sensitivity_rows()
    pak = [float(r["upgrade avoids, Pakistan (2.5)"]) for r in rows]
    ratio = [float(r["Pakistan's rise fall, x default"]) for r in rows]
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"Pakistan's avoided incidents {min(pak):.0f} to {max(pak):.0f} a year" in readme
    assert f"{min(ratio):.2f} to {max(ratio):.1f} times that" in readme


def test_main_prints_the_check(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "crimes prevented or suppressed" in out
    assert "| k_pool | beta |" in out
