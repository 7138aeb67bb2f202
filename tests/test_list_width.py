"""``scosim list`` on a terminal: the overrides get the width the other columns leave.

Until 2026-12-07 rich shared a 120-column terminal among the folding columns alike and
folded the overrides into 5 characters (a line per 5 letters); on 80 columns every column
but the ids was drawn 0 wide. Then (a new user's findings, 2026-12-07) the finished time
was split over three lines (``2026-12-07`` / ``T06:47:13+`` / ``00:00``), an override cut
mid-word (``parameters.trade.deficit`` / ``s="ratio"``) while ``status``, complete on every
row, kept its width, and on 80 columns the caption split its own command (``every column:
scosim`` / ``list | cat``). Piped output (tab-separated) is tests/test_cli_list.py's.
"""

from __future__ import annotations

import io
import json
import re
import sys

from scosim.cli import main
from scosim.list_layout import WIDE_OVERRIDES, draw_list, list_layout

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
#: ``status`` is complete on every row: left out.
DRAWN = ["scenario", "run_id", "overrides", "finished"]
RULES = 3 * len(DRAWN) + 1
LEFT_OUT = ["seed", "replications", "status", "plugins"]
#: A new user's runs (2026-12-07): a short scenario name, an override of 33 characters.
DEFICITS = 'parameters.trade.deficits="ratio", parameters.rules.defect="never_defect"'
USER = [{**r, "scenario": "customs_union"} for r in ROWS[:2]] + [
    {**ROWS[0], "run_id": "20261207T064713-abcdef12-s20250101-r20", "overrides": DEFICITS,
     "finished": "2026-12-07T06:47:13+00:00"}]


def _drawn(width: int, capsys, rows: list[dict] = ROWS) -> list[str]:
    draw_list(rows, COLUMNS, "runs under results/", width)
    return capsys.readouterr().out.splitlines()


def _cells_of(lines: list[str], name: str) -> list[list[str]]:
    """Each row's lines in the drawn table's column ``name`` (a row starts at its run id)."""
    ids, col = _column(lines, "run_id"), _column(lines, name)
    rows: list[list[str]] = []
    for run_id, cell in zip(ids, col, strict=True):
        if run_id.strip():
            rows.append([])
        if cell.strip():
            rows[-1].append(cell.strip())
    return rows


def _breaks_only_between(cell: str, lines: list[str]) -> bool:
    """Whether ``lines`` are ``cell`` broken only after its ``, `` or after an ``=``."""
    at = 0
    for k, line in enumerate(lines):
        if cell[at:at + len(line)] != line:
            return False
        at += len(line)
        if k < len(lines) - 1:
            if cell[at:at + 1] == " " and cell[at - 1] == ",":
                at += 1
            elif cell[at - 1] != "=":
                return False
    return at == len(cell)


def _whole(lines: list[str], text: str) -> bool:
    """Whether ``text`` is in the output, read across folded lines (spaces aside)."""
    return text.replace(" ", "") in "".join(lines).replace(" ", "")


def _column(lines: list[str], name: str) -> list[str]:
    """The cells' lines of the drawn table's column ``name``, top to bottom."""
    at = DRAWN.index(name) + 1
    return [line.split("│")[at] for line in lines if line.count("│") == len(DRAWN) + 1]


def test_on_200_columns_the_others_are_whole_and_the_overrides_get_the_rest(capsys) -> None:
    layout = list_layout(ROWS, COLUMNS, 200)
    # Every run id ends -s<seed>-r<replications>, every run is complete, and no run used a
    # plug-in: not drawn.
    assert layout.left_out == LEFT_OUT
    assert list(layout.widths) == DRAWN
    assert layout.widths["finished"] == len(FINISHED)
    assert layout.widths["scenario"] == len("energy_club_with_a_long_name")
    # The overrides fill the terminal: nothing else is wider than its longest cell.
    assert sum(layout.widths.values()) + RULES == 200
    assert layout.widths["overrides"] == 200 - RULES - (28 + 38 + 25) < len(CLUB)
    lines = _drawn(200, capsys)
    assert max(map(len, lines)) <= 200
    assert any(SIGMA in line for line in lines)  # on one line
    assert all(any(r["run_id"] in line for line in lines) for r in ROWS)


def test_on_120_columns_finished_folds_so_the_overrides_get_the_width(capsys) -> None:
    layout = list_layout(USER, COLUMNS, 120)
    assert layout.widths is not None and layout.left_out == LEFT_OUT
    # Folded between its date and its time (2026-12-07 / 06:47:13+00:00), never inside.
    assert layout.widths["finished"] == len("06:47:13+00:00")
    assert layout.widths["overrides"] == 120 - RULES - (13 + 38 + 14) >= WIDE_OVERRIDES
    lines = _drawn(120, capsys, USER)
    assert max(map(len, lines)) <= 120
    assert all(any(r["run_id"] in line for line in lines) for r in USER)
    finished = _cells_of(lines, "finished")
    assert finished == [[r["finished"][:10], r["finished"][11:]] for r in USER]
    # Each override whole on its line where it fits (the user's 33 characters did not);
    # one wider than the column breaks after its `=`, never inside a word.
    overrides = _cells_of(lines, "overrides")
    assert overrides[2] == ['parameters.trade.deficits="ratio",',
                            'parameters.rules.defect="never_defect"']
    assert overrides[1][0] == "parameters.council.decision_rule="
    assert all(_breaks_only_between(r["overrides"], cell)
               for r, cell in zip(USER, overrides, strict=True))
    said = " ".join(lines)
    assert "┃ status" not in said and "status: complete on every run" in said


def test_a_column_too_narrow_for_an_override_gives_blocks_not_a_cut_word(capsys) -> None:
    # A 28-character scenario name leaves the overrides 27 on 120 columns: narrower than
    # `parameters.council.decision_rule=`, which a table would have cut.
    assert list_layout(ROWS, COLUMNS, 120).widths is None
    lines = _drawn(120, capsys)
    assert max(map(len, lines)) <= 120
    for r in ROWS:
        assert f"{r['scenario']}  {r['run_id']}" in lines
        assert f"  finished: {FINISHED}" in lines  # whole
    assert f"  overrides: {SIGMA}" in lines
    assert "  overrides: proposals.club.cost_cut=0.03," in lines
    assert '    proposals.club.members=["China", "Russia", "Kazakhstan", "Uzbekistan", ' \
        '"Kyrgyzstan"]' in lines


def test_status_stays_when_a_run_is_not_complete() -> None:
    rows = [*ROWS[:2], {**ROWS[2], "status": "stopped"}]
    layout = list_layout(rows, COLUMNS, 200)
    assert "status" not in layout.left_out and "status" in layout.widths


def test_on_80_columns_each_run_is_a_block_with_its_ids_whole(capsys) -> None:
    assert list_layout(ROWS, COLUMNS, 80).widths is None  # no room for a table
    lines = _drawn(80, capsys)
    assert max(map(len, lines)) <= 80
    for r in ROWS:
        assert f"{r['scenario']}  {r['run_id']}" in lines
    assert _whole(lines, f"overrides: {CLUB}") and _whole(lines, f"overrides: {SIGMA}")
    # Broken between the overrides only (and inside the list value, at its spaces).
    assert '  overrides: parameters.council.decision_rule="qualified_majority",' in lines
    assert "    parameters.trade.sigma=4.5" in lines
    assert ("seed, replications: in the run id (-s, -r); status: complete on every run; "
            "plugins: none") in " ".join(lines)
    # The caption's command on one line, which is what it is there to give.
    assert any("scosim list | cat" in line for line in lines)


def test_a_run_id_without_its_seed_keeps_the_seed_column() -> None:
    rows = [{**ROWS[1], "run_id": "20261207T034512-9f3c2a1b-cost_cut-0.03"}]
    layout = list_layout(rows, COLUMNS, 200)
    assert layout.left_out == ["status", "plugins"]
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
