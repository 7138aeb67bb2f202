"""Whose instability raises Armenia's and Azerbaijan's trade costs (scosim.network.transit_sources).

An outside review (2026-12-07) found Armenia (-0.052 %) and Azerbaijan (-0.049 %) losing
more than Uzbekistan and Kyrgyzstan in ``afghan_corridor`` against
``afghan_corridor_stable`` (2035, 200 runs), where the README spoke of Central Asian losses
only. Neither borders Afghanistan nor has instability of its own. The checks: the
network's own tables say Armenia's land borders with Turkiye and Azerbaijan carry no open
edge (closed since the 1990s) and its southern crossing is Norduz-Agarak with Iran, so its
routes south and east must cross Iran; a cost that only rises with instability makes the
rise with every source at least the rise with any one alone; and Afghanistan's instability
alone, which touches only Armenia's trade with Afghanistan, moves its costs by a trace.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scosim.network.tables import load_network
from scosim.network.transit_sources import (
    main,
    operating_projects,
    run_instability,
    split_by_source,
)

ROOT = Path(__file__).resolve().parents[1]
#: The instability the network used in 2035 in afghan_corridor.yaml (route_instability,
#: identical in every run: the security mechanism's expected rates), to 4 decimals.
RISING_2035 = {"AFG": 0.1661, "TJK": 0.0429, "IRN": 0.0275, "TKM": 0.0261, "PAK": 0.0253,
               "UZB": 0.0048, "CHN": 0.0030}


@pytest.fixture(scope="module")
def split() -> dict:
    return split_by_source(RISING_2035, ["ARM", "AZE", "UZB", "TJK"], ["TRANS_AFGHAN_RAIL"])


def test_armenia_s_only_open_land_exit_south_is_iran() -> None:
    edges = load_network().edges
    # Node ids start with their economy's code (ARM_YEREVAN, IRN_NORDUZ, ROW_POTI).
    ends = {frozenset({str(a).split("_")[0], str(b).split("_")[0]})
            for a, b in zip(edges["from_node"], edges["to_node"], strict=True)}
    touching = {p for p in ends if "ARM" in p and len(p) == 2}
    # Iran to the south; Georgia (in ROW) to the north; no edge to Turkiye or Azerbaijan.
    assert touching == {frozenset({"ARM", "IRN"}), frozenset({"ARM", "ROW"})}


def test_iran_s_instability_makes_most_of_the_south_caucasus_rise(split) -> None:
    for code in ("ARM", "AZE"):
        s = split[code]
        assert s.total > 0.05  # points: as large as Uzbekistan's
        # Only its trade with Afghanistan itself crosses Afghan edges: a trace.
        assert 0 <= s.by_source["AFG"] < 0.01 * s.total
        assert s.by_source["IRN"] > 0.8 * s.total
        # The flows carrying it cross Iran.
        assert s.flows and all("IRN" in f.via for f in s.flows if f.partner != "IRN")
    arm = split["ARM"]
    assert {f.partner for f in arm.flows} >= {"ARE", "CHN"}


def test_more_instability_never_lowers_a_cost(split) -> None:
    for s in split.values():
        for part in s.by_source.values():
            assert part <= s.total + 1e-12


def test_the_tool_reads_a_run_and_refuses_what_it_cannot(tmp_path: Path, capsys) -> None:
    from scosim.runner import run

    res = run(ROOT / "scenarios" / "afghan_corridor.yaml", replications=2, out=tmp_path,
              progress=False, plots=False)
    assert main([str(res.path), "--economy", "ARM"]) == 0
    out = capsys.readouterr().out
    assert "IRN 0.0275" in out and "projects operating in 2035: TRANS_AFGHAN_RAIL" in out
    assert re.search(r"ARM Armenia: exports to ARE \+0\.\d+ \(\d+ %, via IRN\)", out)
    # 2026: the railway (opening 2033) is proposed, not operating, and not stepped in (it
    # was listed as operating and stepped whatever the year).
    assert main([str(res.path), "--year", "2026", "--economy", "ARM"]) == 0
    out = capsys.readouterr().out
    assert ("projects operating in 2026: none; proposed, not operating then: "
            "TRANS_AFGHAN_RAIL (operating from 2033, median run)") in " ".join(out.split())
    year, inst = run_instability(res.path, 2026)
    alone = split_by_source(inst, ["ARM"], [])["ARM"].total
    assert re.search(rf"^ARM\s+{re.escape(f'{alone:+.3f}')}\s", out, re.M), out
    bad = subprocess.run([sys.executable, "-m", "scosim.network.transit_sources", str(res.path),
                          "--economy", "XXX"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "--economy XXX: not an economy code" in bad.stderr
    empty = tmp_path / "empty"
    (empty / "indicators").mkdir(parents=True)
    bad = subprocess.run([sys.executable, "-m", "scosim.network.transit_sources", str(empty)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr, bad.stderr


def test_a_corridor_operates_from_its_first_year_only() -> None:
    first = {"TRANS_AFGHAN_RAIL": 2033}
    for year, want in ((2032, []), (2033, ["TRANS_AFGHAN_RAIL"]), (2035, ["TRANS_AFGHAN_RAIL"])):
        got, words = operating_projects(["TRANS_AFGHAN_RAIL", "TAPI"], first, year)
        assert got == want
        assert "TAPI (built in no run)" in words  # proposed, never begun: not operating
        assert ("not operating then: TRANS_AFGHAN_RAIL" in words) is (not want)


def test_the_tool_steps_the_runs_own_network_not_the_packaged_one(tmp_path: Path,
                                                                   capsys) -> None:
    """A run made at a fixed value of time and with the costed measures only (``--set``)
    is split on that network (until 2026-12-07 the packaged one at its default value)."""
    from scosim.network.step import CorridorNetwork
    from scosim.network.transit_sources import scenario_network
    from scosim.runner import run
    from scosim.scenario.loader import load_scenario

    changed = {"parameters.network.vot_per_day": 0.021,
               "parameters.network.measures": "costed"}
    scenario = load_scenario(ROOT / "scenarios" / "afghan_corridor.yaml", changed)
    res = run(scenario, replications=1, out=tmp_path, progress=False, plots=False)
    assert main([str(res.path), "--economy", "ARM"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "the run's network tables; value of time 2.1 % a day" in out
    net = scenario_network(load_scenario(res.path / "scenario.yaml"))
    assert net.params["vot_per_day"] == 0.021
    assert len(net.tables.measures) < len(CorridorNetwork().tables.measures)
    year, inst = run_instability(res.path)
    own = split_by_source(inst, ["ARM"], ["TRANS_AFGHAN_RAIL"], net=net)["ARM"].total
    packaged = split_by_source(inst, ["ARM"], ["TRANS_AFGHAN_RAIL"])["ARM"].total
    # The changed tables change the figure, and the tool prints the run's own.
    assert abs(own - packaged) > 1e-4
    assert f"ARM {own:+.3f} " in out and f"ARM {packaged:+.3f} " not in out
