"""``scosim list`` on a terminal: the overrides get the width the other columns leave.

Until 2026-12-07 rich shared a 120-column terminal among the folding columns alike and
folded the overrides into 5 characters (a line per 5 letters); on 80 columns every column
but the ids was drawn 0 wide. Piped output (tab-separated) is tests/test_cli_list.py's.
"""

from __future__ import annotations

import io
import json
import re
import sys

from scosim.cli import main
from scosim.list_layout import MIN_OVERRIDES, WIDE_OVERRIDES, draw_list, list_layout

COLUMNS = ["scenario", "run_id", "status", "seed", "replications", "overrides", "plugins",
           "finished"]
FINISHED = "2026-12-07T03:50:00+00:00"
SIGMA = 'parameters.council.decision_rule="qualified_majority", parameters.trade.sigma=4.5'
CLUB = ('proposals.club.cost_cut=0.03, proposals.club.members=["China", "Russia", '
        '"Kazakhstan", "Uzbekistan", "Kyrgyzstan"]')
ROWS = [
    {"scenario": "customs_union", "run_id": "20261207T034513-1234abcd-s20250101-r20",
     "seed": 20250101, "replications": 20, "overrides": ""},
    {"scenario": "customs_union", "run_id": "20261207T034514-5678abcd-s1-r40", "seed": 1,
     "replications": 40, "overrides": SIGMA},
    {"scenario": "energy_club_with_a_long_name", "run_id": "20261207T034512-9f3c2a1b-s7-r200",
     "seed": 7, "replications": 200, "overrides": CLUB},
]
ROWS = [{**r, "status": "complete", "plugins": "", "finished": FINISHED} for r in ROWS]
#: rich's default box: a rule before each column and after the last, a space either side.
DRAWN = ["scenario", "run_id", "status", "overrides", "finished"]
RULES = 3 * len(DRAWN) + 1


def _drawn(width: int, capsys) -> list[str]:
    draw_list(ROWS, COLUMNS, "runs under results/", width)
    return capsys.readouterr().out.splitlines()


def _whole(lines: list[str], text: str) -> bool:
    """Whether ``text`` is in the output, read across folded lines (spaces aside)."""
    return text.replace(" ", "") in "".join(lines).replace(" ", "")


def _column(lines: list[str], name: str) -> list[str]:
    """The cells' lines of the drawn table's column ``name``, top to bottom."""
    at = DRAWN.index(name) + 1
    return [line.split("│")[at] for line in lines if line.count("│") == len(DRAWN) + 1]


def test_on_200_columns_the_others_are_whole_and_the_overrides_get_the_rest(capsys) -> None:
    layout = list_layout(ROWS, COLUMNS, 200)
    # Every run id ends -s<seed>-r<replications>, and no run used a plug-in: not drawn.
    assert layout.left_out == ["seed", "replications", "plugins"]
    assert list(layout.widths) == DRAWN
    assert layout.widths["finished"] == len(FINISHED)
    assert layout.widths["scenario"] == len("energy_club_with_a_long_name")
    # The overrides fill the terminal: nothing else is wider than its longest cell.
    assert sum(layout.widths.values()) + RULES == 200
    assert layout.widths["overrides"] == 200 - RULES - (28 + 38 + 8 + 25) < len(CLUB)
    lines = _drawn(200, capsys)
    assert max(map(len, lines)) <= 200
    assert any(SIGMA in line for line in lines)  # on one line
    assert all(any(r["run_id"] in line for line in lines) for r in ROWS)


def test_on_120_columns_finished_folds_so_the_overrides_get_the_width(capsys) -> None:
    layout = list_layout(ROWS, COLUMNS, 120)
    assert layout.widths is not None
    assert layout.widths["finished"] == 10  # the date, then the time on the next lines
    assert layout.widths["overrides"] == 120 - RULES - (28 + 38 + 8 + 10)
    assert MIN_OVERRIDES <= layout.widths["overrides"] < WIDE_OVERRIDES
    lines = _drawn(120, capsys)
    assert max(map(len, lines)) <= 120
    assert all(any(r["run_id"] in line for line in lines) for r in ROWS)
    assert any(SIGMA[:20] in line for line in lines)  # 20 characters a line, not 5
    overrides = _column(lines, "overrides")
    assert _whole(overrides, CLUB) and _whole(overrides, SIGMA)


def test_on_80_columns_each_run_is_a_block_with_its_ids_whole(capsys) -> None:
    assert list_layout(ROWS, COLUMNS, 80).widths is None  # no room for a table
    lines = _drawn(80, capsys)
    assert max(map(len, lines)) <= 80
    for r in ROWS:
        assert f"{r['scenario']}  {r['run_id']}" in lines
    assert _whole(lines, f"overrides: {CLUB}") and _whole(lines, f"overrides: {SIGMA}")
    assert "seed, replications: in the run id (-s, -r); plugins: none" in " ".join(lines)


def test_a_run_id_without_its_seed_keeps_the_seed_column() -> None:
    rows = [{**ROWS[1], "run_id": "20261207T034512-9f3c2a1b-cost_cut-0.03"}]
    layout = list_layout(rows, COLUMNS, 200)
    assert layout.left_out == ["plugins"]
    assert "seed" in layout.widths and "replications" in layout.widths


def test_the_command_on_a_120_column_terminal(tmp_path, monkeypatch) -> None:
    for row in ROWS:
        run = tmp_path / "results" / row["scenario"] / row["run_id"]
        run.mkdir(parents=True)
        overrides = ({"parameters.council.decision_rule": "qualified_majority",
                      "parameters.trade.sigma": 4.5} if row["overrides"] == SIGMA else {})
        (run / "manifest.json").write_text(json.dumps(
            {**row, "scenario_hash": "ab" * 20, "overrides": overrides}))
    fake = io.StringIO()
    fake.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdout", fake)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["list", "--out", str(tmp_path / "results")]) == 0
    lines = re.sub(r"\x1b\[[0-9;]*m", "", fake.getvalue()).splitlines()  # styles
    assert max(map(len, lines)) <= 120
    assert any(SIGMA[:20] in line for line in lines)
