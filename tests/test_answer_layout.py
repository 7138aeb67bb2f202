"""The run's answer (``summary.txt``) at 80 columns: its tables too, and its prose greedy.

``scosim run scenarios/customs_union.yaml`` wrote a welfare table 96 columns wide (the
finance scenarios' 93-97, the corridors' 82-83), and its prose was wrapped piece by
piece, so that "policy," or "the bloc in 2035 ..." stood alone on a short line in the
middle of a paragraph. Here every line but a backticked command or a path fits, and no
line inside a paragraph is short where the next line's first word would have fitted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scosim.answer_table import cut_label, head_split, layout
from scosim.runner import run
from scosim.tty_lines import ANSWER_WIDTH, answer_lines, whole

ROOT = Path(__file__).resolve().parents[1]
#: A line that is one unbreakable unit: a backticked command (and its punctuation, "`cmd`),")
#: or a path.
WHOLE = re.compile(r"\s*(`[^`]*`\)?[,.;:]?|\S+)")
#: The first unit of a line: a backticked command whole, else a word.
FIRST = re.compile(r"`[^`]*`\S*|\S+")
#: A line is short under this, 60 % of the answer's width: "Bloc totals in 2035
#: (equivalent variation," (42) was one. A greedy line is shorter only where the next
#: word is long (a command), which the check allows.
SHORT = 48


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_row(line: str) -> bool:
    """A table's row or heading: cells apart by two or more spaces, or a heading's top
    line of one word ("while"), set over its column far right of any prose indent."""
    return bool(re.search(r"\S {2,}\S", line.strip())) or _indent(line) > 20


def too_wide(text: str) -> list[str]:
    """The lines over :data:`ANSWER_WIDTH` that are not one unbreakable unit."""
    return [line for line in text.splitlines()
            if len(line) > ANSWER_WIDTH and not WHOLE.fullmatch(line)]


def ragged(text: str) -> list[tuple[str, str]]:
    """Short lines within a paragraph that the next line's first word would have fitted.

    A line continues its paragraph on the next when that is indented deeper (a hanging
    indent), or indented alike and the line does not end a sentence or heading (``.``,
    ``:``, ``;``, ``)``) and the next does not begin one (a capital or a command).
    Table rows are not prose.
    """
    lines = text.splitlines()
    out = []
    for line, nxt in zip(lines, lines[1:], strict=False):
        if not line.strip() or not nxt.strip() or _is_row(line) or _is_row(nxt):
            continue
        ends = line.rstrip().endswith(tuple(".:;)"))
        # A heading ("corridor proposals, 4 runs:") is followed by its items, deeper.
        deeper = _indent(nxt) > _indent(line) and not line.rstrip().endswith((".", ":"))
        alike = (_indent(nxt) == _indent(line) and not ends
                 and not re.match(r"[A-Z`]", nxt.strip()))
        first = FIRST.match(nxt.strip())
        if (deeper or alike) and len(line) < SHORT and first and (
                len(line) + 1 + len(first.group(0)) <= ANSWER_WIDTH):
            out.append((line, nxt))
    return out


def test_the_checks_catch_a_wide_row_and_a_stranded_word() -> None:
    """The test's own rules, on text made to break them and to keep them."""
    assert too_wide("  CHN China  " + "  ".join(["+0.15"] * 20)) != []
    assert too_wide("`scosim run " + "x" * 90 + "`,") == []
    assert ragged("welfare change in 2035 against the same year without the\npolicy,\n"
                  "percent of real expenditure: the median") == [
        ("policy,", "percent of real expenditure: the median")]
    assert ragged("Bloc totals in 2035 (equivalent variation,\n  US$ bn current") != []
    # Greedy text, a hanging indent whose next word would not fit, and a new sentence pass.
    greedy = answer_lines("word " * 40, indent="  ", subsequent="    ")
    assert ragged("\n".join(greedy)) == []
    assert ragged("short line.\nNext sentence") == []
    assert ragged("short\n  " + "x" * 78) == []


def test_layout_fits_by_splitting_headings_then_cutting_names() -> None:
    """Columns as wide as their cells; headings split only where the table would not
    fit; names cut last, the ISO code kept and the cut marked; numbers never cut."""
    rows = [("CHN China", ["+0.15", "+0.13 to +0.18", "100 %"]),
            ("ARE United Arab Emirates", ["-0.28", "-0.34 to -0.21", "0 %"])]
    head, body = layout("economy", ["median", "5-95 % of runs", "gains"], rows)
    assert len(head) == 1 and head[0].split() == ["economy", "median", "5-95", "%", "of",
                                                  "runs", "gains"]
    assert body[1] == "  ARE United Arab Emirates   -0.28  -0.34 to -0.21    0 %"
    # Five columns of "+12.34" cannot fit: headings split (never two side by side: their
    # top words would read across as one heading), then names cut, numbers whole.
    head, body = layout("economy", ["while in union"] * 5,
                        [(label, ["+12.34"] * 5) for label, _ in rows])
    assert len(head) == 2 and head[0].split() == ["while"] * 3
    assert head[1].split()[1:] == ["in", "union", "while", "in", "union", "in", "union",
                                   "while", "in", "union", "in", "union"]
    assert all(len(line) <= ANSWER_WIDTH for line in head + body)
    assert body[1].startswith("  ARE United Arab. ") and body[0].startswith("  CHN China  ")
    assert body[1].count("+12.34") == 5
    wide = [(label, ["+12.34"] * 10) for label, _ in rows]
    # Columns alone wider than the answer: left wider, never a number nor a name cut.
    head, body = layout("economy", ["x"] * 10, wide)
    assert body[1].count("+12.34") == 10 and len(body[1]) > ANSWER_WIDTH
    assert body[1].startswith("  ARE United Arab Emirates  ")


def test_a_split_heading_never_stands_beside_another() -> None:
    """customs_union's table: "while" over "in union" beside "in" over "union" read
    across as "while in"; the share column's heading stays whole and a name is cut."""
    heads = ["median", "5-95 % of runs", "gains", "while in union", "in union", "left"]
    rows = [("RUS Russian Federation",
             ["-0.02", "-0.04 to +0.02", "33.3 %", "-0.02", "100.0 %", "0.0 %"]),
            ("ARE United Arab Emirates", ["-0.28", "-0.29 to -0.21", "0.0 %"])]
    head, body = layout("economy", heads, rows)
    assert head[0].split() == ["while"]
    assert head[1].split()[-4:] == ["union", "in", "union", "left"]
    assert all(len(line) <= ANSWER_WIDTH for line in head + body)
    # The whole heading over its own column, right-aligned with its cells.
    assert head[1].rindex("in union") + len("in union") == body[0].index("100.0 %") + 7
    assert body[0].startswith("  RUS Russian F") and "Federation" not in body[0]


def test_head_split_and_cut_label() -> None:
    """The split with the shorter longest line; a cut name ends in a full stop."""
    assert head_split("while in union", 8) == ("while", "in union")
    assert head_split("gains", 3) == ("", "gains")
    assert head_split("median", 6) == ("", "median")
    assert cut_label("RUS Russian Federation", 16) == "RUS Russian Fed."
    assert cut_label("CHN China", 16) == "CHN China"
    assert cut_label("ARE United Arab Emirates", 2) == "ARE."


def test_whole_keeps_a_figure_and_its_band_on_one_line() -> None:
    """answer_lines never breaks inside a whole() part, and prints plain spaces."""
    text = "x" * 60 + " " + whole("members +38.4 (+31.1 to +45.1),") + " world"
    lines = answer_lines(text)
    assert lines == ["x" * 60, "members +38.4 (+31.1 to +45.1), world"]


@pytest.mark.parametrize(("tail", "kept"), [
    ("Tajikistan, welfare -0.08 to +0.01; next", "welfare -0.08 to +0.01;"),
    ("Kyrgyzstan econ -0.36, concern -0.27; India", "concern -0.27;"),
    ("though it expects to gain +0.026 %: econ", "gain +0.026 %:"),
    ("the 2 of 6 runs", "2 of 6 runs"),
    ("a fee of US$1,119 a TEU", "of US$1,119"),
    ("KAZ 3.75 -> 3.78 %, next", "3.75 -> 3.78 %,"),
    ("member (+31.5 to +49.0), next", "(+31.5 to +49.0),"),
])
@pytest.mark.parametrize("pad", range(50, 80, 3))
def test_a_figure_stays_with_its_label_range_and_unit(tail: str, kept: str, pad: int) -> None:
    """Wherever the line ends, a number never begins a line, "x to y" is one item, a
    number keeps its unit, and no word is left alone on the paragraph's last line."""
    lines = answer_lines("x" * pad + " " + tail + " and a few more words to follow")
    assert any(kept in line for line in lines), lines
    assert not any(re.match(r"\s*[-+]?(US\$)?\d", line) for line in lines), lines
    assert all(len(line) <= ANSWER_WIDTH for line in lines[1:]), lines
    assert len(lines[-1].split()) > 1, lines


def test_the_last_word_is_kept_only_where_it_is_short_and_not_a_command() -> None:
    """A paragraph's last word goes down with the one before it ("importers' signs)."),
    but a command wider than a line stays on a line of its own."""
    # 79 characters to "importers'": without the rule, "signs)." alone below.
    assert answer_lines("y" * 44 + " (README: it flips small importers' signs).") == [
        "y" * 44 + " (README: it flips small", "importers' signs)."]
    cmd = "`scosim compare " + "r" * 90 + "`"
    assert answer_lines("then " + cmd) == ["then", cmd]


def _answer(tmp: Path, scenario: Path, replications: int) -> str:
    res = run(scenario, replications=replications, out=tmp, progress=False)
    return (Path(res.path) / "summary.txt").read_text()


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The answers of a customs union, a banking crisis and a corridor (4-6 runs each)."""
    tmp = tmp_path_factory.mktemp("layout")
    return {"customs union": _answer(tmp, ROOT / "scenarios" / "customs_union.yaml", 6),
            "finance": _answer(tmp, ROOT / "scenarios" / "finance_crisis.yaml", 4),
            "corridor": _answer(tmp, ROOT / "scenarios" / "corridor_cku.yaml", 4)}


@pytest.mark.parametrize("kind", ["customs union", "finance", "corridor"])
def test_the_answer_fits_80_columns_and_reads_as_paragraphs(
        answers: dict[str, str], kind: str) -> None:
    """No line over 80 but a command or path; its tables are there; no stranded word."""
    text = answers[kind]
    assert any(re.match(r" +economy  ", line) for line in text.splitlines()), "no table"
    assert too_wide(text) == []
    assert ragged(text) == [], "\n".join(f"{a!r} -> {b!r}" for a, b in ragged(text))


@pytest.mark.parametrize("kind", ["customs union", "finance", "corridor"])
def test_no_prose_line_begins_with_a_figure_or_its_unit(answers: dict[str, str],
                                                         kind: str) -> None:
    """Outside tables, no line starts with a number or a "%" (parted from its label or
    figure) nor ends with "to" or "->" (a range cut in two)."""
    lines = answers[kind].splitlines()
    # An item after a heading's colon may begin with its year ("2026 (the shock): ...").
    prose_lines = [line for prev, line in zip(["", *lines], lines, strict=False)
                   if not _is_row(line) and not prev.endswith(":")]
    assert prose_lines
    bad = [line for line in prose_lines
           if re.match(r"\s*([-+]?(US\$)?\d|%)", line)
           or re.search(r"\d[%)]? (to|->)$", line)]
    assert bad == []


def test_the_welfare_table_keeps_its_figures(answers: dict[str, str]) -> None:
    """The narrower table keeps each figure at two decimals, the median within its band."""
    rows = [line for line in answers["customs union"].splitlines()
            if re.match(r"  [A-Z]{3} ", line) and " to " in line]
    assert rows
    for line in rows:
        nums = re.findall(r"[+-]\d+\.\d\d(?!\d)", line)
        assert len(nums) >= 3, line  # median, and the band's two ends
        median, lo, hi = map(float, nums[:3])
        assert lo <= median <= hi, line


def test_finance_crisis_interbank_table_keeps_russia_s_name() -> None:
    """finance_crisis's interbank table (40 runs) cut "RUS Russian Federati." at 80 where its
    other tables printed the name whole: its total's heading, "2025-2030," over "mean
    total", made the column ten wide over seven-wide cells. "2025-2030" over "mean sum"
    is nine, and the row fits whole."""
    rows = [("RUS Russian Federation", ["1.58", "0.458 to 11.4 in 19 of 40 runs", "2.37"]),
            ("IND India", ["0.00922", "0.369 in 1 of 40 runs", "0.243"]),
            ("PAK Pakistan", ["0.00217", "0.0272 to 0.0304 in 3 of 40 runs", "0.0135"])]
    band = "5-95 % of runs, or k of n"
    _, before = layout("economy", ["2026 mean", band, "2025-2030, mean total"], rows,
                       indent="    ")
    assert before[0].startswith("    RUS Russian Federati. ")  # the review's finding
    heads, body = layout("economy", ["2026 mean", band, "2025-2030 mean sum"], rows,
                         indent="    ")
    assert all(len(x) <= 80 for x in heads + body)
    assert body[0].split()[:3] == ["RUS", "Russian", "Federation"]
    assert heads[0].split()[-1] == "2025-2030" and heads[1].split()[-2:] == ["mean", "sum"]
