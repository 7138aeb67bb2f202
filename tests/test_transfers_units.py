"""The units of `scosim transfers`'s answer (2026-12-07 review).

A zero part read "US$0.0 bn" (a rounded amount, not nothing), and the per-voter table was
in US$ bn even where most figures were a few million ("0.00678"). The table now takes
the unit most of its figures reach, says it in its header, and its figures are checked
against transfers.csv's own rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.cli_transfers import _bn, _range, _table_unit, _usd

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "model"


def test_zero_reads_as_nothing_not_as_a_rounded_amount():
    assert _usd(0.0) == "US$0" and _bn(0.0) == "0"
    assert "0.0" not in _range((0.0, 0.0, 0.0))
    # A zero median takes the unit of its range's wider end.
    assert _range((0.0, 0.0, 0.0366)) == "US$0 (5-95 %: 0 to 36.6 million)"
    assert _range((0.0, -0.5, 2.5)) == "US$0 (5-95 %: -0.500 to 2.50 bn)"
    assert _range((0.0125, 0.0, 0.0366)) == "US$12.5 million (5-95 %: 0 to 36.6)"


@pytest.mark.parametrize(("values", "unit", "shown"), [
    ([18.8, 2.4, 1.2, 0.5], "US$ bn", ["18.8", "2.40", "1.20", "0.500"]),
    # Two of four at 1 bn or more is not most: US$ million.
    # 3 significant figures from 100 million up, no decimals ("IND 18,479.2" before).
    ([18.4792, 2.4, 0.5, 0.00678], "US$ mn", ["18,500", "2,400", "500", "6.8"]),
    ([0.0417, 0.014, -0.0005, 0.0], "US$ mn", ["41.7", "14.0", "0.500", "0"]),
    ([22.3447, 0.9996, 0.1234, 0.0], "US$ mn", ["22,300", "1,000", "123", "0"]),
])
def test_the_per_voter_table_takes_the_unit_most_figures_reach(values, unit, shown):
    got, num = _table_unit(values)
    assert got == unit
    assert [num(v) for v in values] == shown


@pytest.fixture(scope="module")
def small_cu(tmp_path_factory):
    from scosim.runner import run

    out = tmp_path_factory.mktemp("results")
    return Path(run(FIXTURES / "small_cu.yaml", replications=6, out=out, progress=False,
                    plots=False).path)


def test_the_table_s_figures_and_unit_are_those_of_transfers_csv(small_cu, capsys):
    assert main(["transfers", str(small_cu)]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(i for i, ln in enumerate(lines) if "% of its expenditure" in ln)
    unit = re.search(r"US\$ (bn|mn)", lines[head]).group(1)
    rows = {}
    for ln in lines[head + 1:]:
        m = re.match(r"    ([A-Z]{3}) .*?\s(-?[\d,.]+)  ", ln)
        if ln.strip() in ("receives", "pays"):
            continue
        if not m:
            break
        rows[m.group(1)] = float(m.group(2).replace(",", ""))
    assert rows
    # Each voter's median over the runs with a plan, from the table's rows (US$).
    table = pd.read_csv(small_cu / "transfers.csv")
    plans = table[table["status"] == "plan"]
    med = plans.groupby("country")["transfer_usd"].median()
    # The unit most of the figures reach, reckoned from the rows.
    assert unit == ("bn" if 2 * (med[list(rows)].abs() >= 1e9).sum() > len(rows) else "mn")
    scale = 1e9 if unit == "bn" else 1e6
    for code, shown in rows.items():
        # To the figure's printed rounding: 3 significant figures, or 0.1 million below
        # 100 million; never more than 4 significant figures printed.
        want = abs(med[code]) / scale
        assert shown == pytest.approx(want, rel=5e-3, abs=0.05 if unit == "mn" else 5e-4)
        assert len(f"{shown:.6g}".replace(".", "").lstrip("0").rstrip("0")) <= 4
    assert all(len(ln) <= 80 for ln in lines[head:head + len(rows) + 3])
    assert not np.isnan(list(rows.values())).any()


def test_the_sponsor_s_gain_is_named_only_where_it_is_what_it_can_give(small_cu, capsys):
    # The note on a sponsor's gain printed on every capacity line, even where no sponsor
    # gained more than its surplus (2026-12-07 review). In this run China, the proposer,
    # gains more than its surplus in some runs (transfers.csv's capacity_gain_usd > 0):
    # the note gives their number; the RATS centre, whose proposer loses, prints none
    # (tests/test_side_payments_stay.py).
    assert main(["transfers", str(small_cu)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    table = pd.read_csv(small_cu / "transfers.csv")
    first = table.drop_duplicates("run")
    priced = first[first["status"].isin(["plan", "no_plan"])]
    k = int((priced["capacity_gain_usd"] > 0).sum())
    assert 0 < k < len(priced)  # both kinds of run in this one
    assert (priced["capacity_gain_usd"] <= priced["capacity_usd"]).all()
    assert (f"(a sponsor: its economic gain instead, where that is more: in {k} of the "
            f"{len(priced)} runs)") in text
