"""Piped ``scosim compare``: one line a row, one number format a row (audit, 2026-12-07).

A table of a corridor's route cost folded rows of tiny values onto two lines when piped,
even with COLUMNS=200, and its cells mixed "0.0000000", "+3e-08" and "-7e-09". Now the
piped table is printed at its natural width, and a row beyond six decimals is written in
powers of ten with a mantissa in [1, 10) to the row's one precision (a shared power gave
"-0.7e-08"), a value that rounds to 0 as "0". The cells are read back as numbers and
checked against the summary to the precision the row's CI supports; the notes of a table
without its CI of the mean no longer describe that CI.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from scosim import compare_terminal
from scosim.compare import summarise
from scosim.report import _fixed, decimals

IND = "route_cost_to_pakistan_pct"


def _summary() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    parts = []
    for c, d in (("AAA", rng.normal(1.9, 1.0, 20)), ("BBB", rng.normal(1e-8, 2e-8, 20)),
                 ("DDD", np.r_[np.zeros(17), 3e-7, -1e-7, 0.0])):
        parts.append(pd.DataFrame({"run": np.arange(20), "country": c, "indicator": IND,
                                   "diff": d}))
    s = summarise(pd.concat(parts), level=0.9)
    # The spread of runs, wider than the CI (as terminal_rows gives it).
    return s.assign(runs_low=s["low"] * 3 - 1e-9, runs_high=s["high"] * 3 + 1e-9)


@pytest.mark.parametrize("with_large", [False, True])
def test_a_tiny_row_has_one_precision_and_mantissas_in_1_to_10(with_large):
    s = _summary().set_index("country")
    if not with_large:  # a column of tiny values: powers of ten
        s = s.drop(index="AAA")
    table = compare_terminal.summary_table(s.reset_index(), units={})
    cols = list(table.columns)
    for row in table.rows:
        r = s.loc[row[0]]
        d = decimals(r["low"], r["high"])
        cells = [row[cols.index("mean")], row[cols.index("median")],
                 *row[cols.index("90 % CI of the mean (t)")].split(" to "),
                 *row[cols.index("5-95 % of runs")].split(" to ")]
        values = [r["mean"], r["median"], r["low"], r["high"], r["runs_low"], r["runs_high"]]
        if d <= 6 or with_large:
            # AAA's 1.9 keeps the column fixed: the tiny rows to at most six decimals.
            assert not any("e" in c for c in cells)
            d = min(d, 6)
            for c, v in zip(cells, values, strict=True):
                assert c == "0" or abs(float(c) - v) <= 0.5 * 10.0 ** -d * (1 + 1e-9)
            continue
        for c in cells:
            if c != "0":  # a mantissa in [1, 10) with the digits of the row's precision
                m, e = c.split("e")
                assert 1 <= abs(float(m)) < 10
                assert (len(m.split(".")[1]) if "." in m else 0) == d + int(e)
        for c, v in zip(cells, values, strict=True):
            # Read back, each is the value to the row's precision (10^-d).
            assert abs(float(c) - v) <= 0.5 * 10.0 ** -d * (1 + 1e-9)
            assert (c == "0") == (abs(v) < 0.5 * 10.0 ** -d)


def test_zero_to_display_precision_is_0_and_large_rows_stay_fixed():
    assert _fixed(0.0, 8) == "0" and _fixed(2e-10, 8) == "0"
    # The auditor's row at 1e-9: "0.0000000 | -7e-09 to +3e-08" (three formats); one
    # precision (1e-9), each in its own power so that the mantissa is in [1, 10).
    assert _fixed(-7e-9, 9, True) == "-7e-09" and _fixed(3e-8, 9, True) == "+3.0e-08"
    assert _fixed(0.0, 9, True) == "0"
    assert _fixed(1.234, 2) == "+1.23"


def test_piped_output_is_at_its_natural_width_one_line_a_row():
    table = compare_terminal.summary_table(_summary(), units={})
    out = io.StringIO()
    console = Console(file=out, width=compare_terminal.PIPED_WIDTH, force_terminal=False)
    compare_terminal.print_table(table, console)
    lines = out.getvalue().splitlines()
    body = [x for x in lines if x.startswith("│")]
    assert len(body) == len(table.rows)  # no row folded onto a second line
    head = [x for x in lines if x.startswith("┃")]
    assert len(head) == 1  # nor a heading
    names = [h.strip() for h in head[0].strip("┃").split("┃")]
    assert names == list(table.columns)  # every column, in order
    for row, line in zip(table.rows, body, strict=True):
        # Each cell's words as the row has them (blanks between an interval's ends line
        # them up on the decimal point).
        assert [" ".join(c.split()) for c in line.strip("│").split("│")] == list(row)
    assert max(len(x) for x in lines if x[0] in "┏┃│┗└") > compare_terminal.PIPED_WIDTH
