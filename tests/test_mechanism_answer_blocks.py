"""The answer's blocks of headline indicators are each their own: note, year and labels.

A code review found that a block's note on "k of n runs" cells was added to every block
after the first that had one (the test read all the lines so far), that every block was
shown in the finance slot's shock year though docs/mechanisms.md says only the
mechanism naming an ``answer_year`` is, and that a table without the shock year fell
back to its peak year but still called it "the scenario's shock year".
"""

from __future__ import annotations

import pandas as pd

from scosim.answer_year import answer_slots
from scosim.mechanism_answer import HeadlineIndicator, mechanism_lines
from scosim.runstats import RunStats

N = 40
NOTE = '"x in k of 40 runs"'


def _stats(paid, fees, years=(2026, 2027, 2028)) -> RunStats:
    """40 runs; ``paid(run, year)`` is China's fiscal cost, ``fees(run, year)`` its fees."""
    rows = []
    for r in range(N):
        for y in years:
            rows += [(r, y, "CHN", "member", 1.0), (r, y, "CHN", "cost_usd", paid(r, y)),
                     (r, y, "CHN", "fee_usd", fees(r, y))]
    return RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))


FINANCE = {"cost_usd": HeadlineIndicator("total", "US$", "finance", "banks")}
ROADS = {"fee_usd": HeadlineIndicator("total", "US$", "network", "roads")}


def _blocks(lines: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for x in lines:
        if not x.startswith(" "):
            key = x.split()[0]
            out[key] = []
        out[key].append(x)
    return out


def test_the_rare_note_follows_only_the_block_with_such_a_cell() -> None:
    # China's fiscal cost in 1 of 40 runs (a "k of n" cell), its fees in every run.
    st = _stats(lambda r, y: 2048e9 * (r == 0 and y == 2028), lambda r, y: 1e9 * (1 + r % 3))
    for declared in ({**FINANCE, **ROADS}, {**ROADS, **FINANCE}):  # either order
        blocks = _blocks(mechanism_lines(st, declared))
        assert set(blocks) == {"banks", "roads"}
        said = {k: " ".join(v) for k, v in blocks.items()}
        assert "2,048 in 1 of 40 runs" in said["banks"] and NOTE in said["banks"]
        assert " of 40 runs" not in said["roads"] and NOTE not in said["roads"]


def test_the_band_column_is_named_for_both_kinds_of_cell() -> None:
    st = _stats(lambda r, y: 2048e9 * (r == 0 and y == 2028), lambda r, y: 1e9 * (1 + r % 3))
    for name, lines in _blocks(mechanism_lines(st, {**FINANCE, **ROADS})).items():
        k = next(i for i, x in enumerate(lines) if x.strip().startswith("economy  "))
        head = lines[k]
        # A heading may take two lines where the table would not fit 80 columns
        # (answer_table.layout): then its first words are on the line above, over it.
        whole = "5-95 % of runs, or k of n" in head
        split = (head.find("runs, or k of n") >= 0
                 and lines[k - 1].rstrip().endswith("5-95 % of")
                 and lines[k - 1].rstrip().rfind("5-95 % of") >= head.find("runs, or k of n"))
        assert whole or split, (name, lines[k - 1], head)


def test_only_the_slot_naming_the_answer_year_is_shown_in_it() -> None:
    # Fees largest in 2028, fiscal cost in 2028 too; the finance slot's shock is 2026.
    st = _stats(lambda r, y: 1e9 * (y - 2025) * (1 + r % 2), lambda r, y: 1e9 * (y - 2025))
    scenario = {"years": {"start": 2025, "end": 2030},
                "events": [{"type": "gdp_shock", "year": 2026}]}
    slots = answer_slots(scenario, {"finance": ("gdp_shock",), "network": ("nothing",)})
    assert slots == {"finance"}
    blocks = _blocks(mechanism_lines(st, {**FINANCE, **ROADS}, 2026, slots))
    assert blocks["banks"][1].startswith("  cost_usd, in 2026, the scenario's shock year, "
                                         "and largest in 2028")
    assert blocks["roads"][1].startswith("  fee_usd, largest in 2028")
    assert "shock" not in " ".join(blocks["roads"])
    # Without the slots (a caller that does not know them) every block, as before.
    every = _blocks(mechanism_lines(st, {**FINANCE, **ROADS}, 2026))
    assert "shock year" in every["roads"][1]


def test_a_table_without_the_shock_year_is_not_called_the_shock_years() -> None:
    st = _stats(lambda r, y: 1e9 * (y - 2025), lambda r, y: 0.0, years=(2027, 2028))
    share = {"hit": HeadlineIndicator("share", "1 if it happened", "finance", "banks")}
    rows = []
    for r in range(N):
        for y in (2027, 2028):
            rows += [(r, y, "CHN", "member", 1.0), (r, y, "CHN", "hit", float(y == 2028))]
    hits = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    for stats, declared, want in ((st, FINANCE, "  cost_usd, largest in 2028"),
                                  (hits, share, "  hit: share of runs, most in 2028")):
        lines = mechanism_lines(stats, declared, 2026, {"finance"})  # 2026 not simulated
        text = " ".join(lines)
        assert lines[1].startswith(want), lines
        assert "shock" not in text


def test_a_shares_heading_gives_its_largest_year_and_figure_as_amounts_do() -> None:
    """Bank failures read "(most in 2025)" with no figure, the amounts ", and largest in
    2028" with a line giving it: one wording, each with its figure."""
    rows = []
    for r in range(N):
        for y in (2025, 2026, 2027):
            rows += [(r, y, c, "member", 1.0) for c in ("CHN", "RUS")]
            # Russia's system fails in 30 of 40 runs in 2025, 4 in 2026; China's in 2 in 2025.
            rus = (y == 2025 and r < 30) or (y == 2026 and r < 4)
            rows += [(r, y, "RUS", "hit", float(rus)),
                     (r, y, "CHN", "hit", float(y == 2025 and r < 2))]
    st = RunStats.from_frames(pd.DataFrame(
        rows, columns=["run", "year", "country", "indicator", "value"]))
    share = {"hit": HeadlineIndicator("share", "1 if it happened", "finance", "banks")}
    lines = mechanism_lines(st, share, 2026, {"finance"})
    assert lines[1] == ("  hit: share of runs, in 2026, the scenario's shock year, and largest "
                        "in 2025")
    assert lines[-1] == "    largest in 2025: most RUS Russian Federation, 75.0 % of runs"


def test_a_proposal_type_acting_through_the_slot_shares_its_shock_year() -> None:
    """National-currency settlement writes ``finance.settlement_floor``: its gain acts in
    the sanctions year, the finance slot's; a corridor's levers name no slot."""
    st = _stats(lambda r, y: 1e9 * (y - 2025), lambda r, y: 1e9 * (y - 2025))
    declared = {
        "cost_usd": HeadlineIndicator("total", "US$", "", "settlement",
                                      ("finance.settlement_floor",)),
        "fee_usd": HeadlineIndicator("total", "US$", "", "corridor",
                                     ("corridor_operating_year",))}
    blocks = _blocks(mechanism_lines(st, declared, 2026, {"finance"}))
    assert "in 2026, the scenario's shock year" in blocks["settlement"][1]
    assert blocks["corridor"][1].startswith("  fee_usd, largest in 2028")
