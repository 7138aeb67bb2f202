"""``scosim list``: run ids stay whole on a terminal, and piped output is tab-separated."""

import io
import json
import sys

from scosim.cli import main

RUN_ID = "20261207T034512-9f3c2a1b-cost_cut-0.03"  # 38 characters, as run ids now are
SCENARIO = "energy_club_with_a_long_name"


def _results(tmp_path):
    root = tmp_path / "results"
    run = root / SCENARIO / RUN_ID
    run.mkdir(parents=True)
    manifest = {"scenario": SCENARIO, "run_id": RUN_ID, "status": "complete", "seed": 7,
                "replications": 200, "scenario_hash": "ab" * 20,
                "overrides": {"proposals.club.cost_cut": 0.03,
                              "proposals.club.members": ["China", "Russia", "Kazakhstan",
                                                         "Uzbekistan", "Kyrgyzstan"]}}
    (run / "manifest.json").write_text(json.dumps(manifest))
    return root


def test_piped_list_is_tab_separated_with_a_header(tmp_path, capsys):
    """Off a terminal the rows are plain tab-separated text, each run on one line; the drawn
    table cut a 38-character run id at 32 characters and wrapped the rest."""
    root = _results(tmp_path)
    assert main(["list", "--out", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["scenario", "run_id", "status", "scenario_hash", "seed",
                                    "replications", "overrides", "plugins", "finished"]
    assert len(lines) == 2
    row = dict(zip(lines[0].split("\t"), lines[1].split("\t"), strict=True))
    assert row["run_id"] == RUN_ID and row["scenario"] == SCENARIO
    assert row["overrides"].startswith("proposals.club.cost_cut=0.03, ")


def test_terminal_list_keeps_each_run_id_on_one_line(tmp_path, capsys, monkeypatch):
    """On a 120-column terminal the id took four lines (every column folded)."""
    root = _results(tmp_path)
    fake = io.StringIO()
    fake.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdout", fake)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["list", "--out", str(root)]) == 0
    out = fake.getvalue()
    assert RUN_ID in out and SCENARIO in out
    assert "\t" not in out
    # The long overrides still fold onto further lines rather than being cut.
    assert "Uzbekistan" in out.replace("\n", "").replace("│", "").replace(" ", "")
