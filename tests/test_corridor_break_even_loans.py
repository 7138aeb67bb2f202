"""The break-even's owners' share where two corridors are lent to, and in a run made before
``corridor_own_cost_usd`` was recorded.

* Two lent corridors (tests/fixtures/model/corridors_two_loans.yaml, not shipped): the
  per-economy rows sum the two loans' owners' shares, so each line gives the total on the
  economies outside its hosts and no fee. Checked against an identity: the total said is
  the median of the parts the run records, each outside economy's ``corridor_cost_usd``
  less its ``corridor_own_cost_usd``; and the owners bear it by fixed capital shares (the
  ratio of two owners' parts is the same in every run).
* A run without ``corridor_own_cost_usd`` (an older run, built here by dropping the
  indicator from a small run's output): its own cost is taken as the whole, so the share
  its loan puts on the owners outside the hosts cannot be told. Until 2026-12-07 the line
  gave the fee alone, a figure that looked complete; it now says what is missing and how
  to re-run. The fee itself is the hosts' cost either way (checked against the full run).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from scosim.network.access_answer import _usd, access_lines
from scosim.results import read_batches
from test_corridor_access_per_project import CORRIDORS, _fees, _run, _said, _scenario

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "model" / "corridors_two_loans.yaml"


def _every(run_dir: Path, name: str):
    ind = read_batches(run_dir / "indicators")
    ind = ind[ind["year"] == 2035].assign(country=ind["country"].astype(str))
    one = ind[ind["indicator"].astype(str) == name]
    return one.pivot_table(index="run", columns="country", values="value", aggfunc="first")


@pytest.fixture(scope="module")
def two_loans(tmp_path_factory) -> Path:
    from scosim.cli import main

    out = tmp_path_factory.mktemp("two_loans") / "out"
    assert main(["run", str(FIXTURE), "--out", str(out), "--quiet"]) == 0
    return next(out.glob("*/*"))


@pytest.mark.parametrize("pid", ["trans_afghan", "cku"])
def test_two_loans_give_the_owners_total_as_the_sum_of_the_recorded_parts(two_loans,
                                                                           pid) -> None:
    said = _said(two_loans, pid)
    hosts = CORRIDORS[pid][2]
    other = next(q for q in CORRIDORS if q != pid)
    cost, own = _every(two_loans, "corridor_cost_usd"), _every(two_loans,
                                                               "corridor_own_cost_usd")
    base = _every(two_loans, "corridor_fee_base_teu")[hosts].sum(axis=1)
    on = base > 0
    assert on.sum() >= 2, "the fixture's line must operate in some runs"
    outside = [c for c in cost.columns if c not in hosts]
    parts = (cost - own).loc[on, outside]  # each outside economy's owners' share, run by run
    assert (parts >= -1.0).all().all()
    total = parts.sum(axis=1)
    assert (total > 0).all()
    assert (f"The loans of {pid} and {other} also put {_usd(float(np.median(total)))} a year "
            "on the other economies as the lender's owners (the members by GDP; expected "
            "loss, interest subsidy), which the rows do not split by loan.") in said
    # No fee for it: the total is not this line's alone.
    assert "would recover that too" not in said
    # The hosts' share of the other loan is said, never as "US$0 m" (the railway's hosts'
    # share of the CKU's loan is under US$0.5 m: by GDP, Afghanistan's and Pakistan's).
    mine = float(np.median((cost - own).loc[on, hosts].sum(axis=1)))
    shown = _usd(mine) if _usd(mine) != _usd(0.0) else "less than US$0.5 m"
    assert f"also takes {shown} a year off them as the lender's owners' share" in said
    assert "takes US$0 m" not in said
    # The hosts' fee recovers their own cost (fee x billed = own cost, run by run).
    fee, _ = _fees(said)
    assert fee == pytest.approx(float(np.median(own.loc[on, hosts].sum(axis=1) / base[on])),
                                abs=0.5)
    # The owners bear it by capital shares fixed for the run: India's part over Russia's
    # (neither hosts a line) is the same in every run, whatever the failures drawn.
    ratio = (cost - own)["IND"] / (cost - own)["RUS"]
    np.testing.assert_allclose(ratio, ratio.iloc[0], rtol=1e-9)


def _drop_indicator(run_dir: Path, name: str, to: Path) -> Path:
    """A copy of ``run_dir`` whose indicator batches hold no rows of ``name``."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    shutil.copytree(run_dir, to)
    for f in (to / "indicators").glob("batch-*.parquet"):
        table = pq.read_table(f)
        gone = pc.is_in(table.column("indicator"), value_set=pa.array([name]))
        pq.write_table(table.filter(pc.invert(gone)), f)
    return to


def test_a_run_without_the_own_cost_says_what_is_missing_and_how_to_re_run(tmp_path,
                                                                          capsys) -> None:
    path = _scenario(tmp_path / "lent.yaml", ["trans_afghan"], "bank_project")
    path.write_text(path.read_text().replace(", failure_sensitivity: 0", ""))
    run = _run(tmp_path, capsys, path)
    full = _said(run, "trans_afghan")
    assert "predates" not in full and "Its loan also puts" in full
    old = _drop_indicator(run, "corridor_own_cost_usd", tmp_path / "old" / run.name)
    assert "corridor_own_cost_usd" not in set(
        read_batches(old / "indicators")["indicator"].astype(str))
    manifest = json.loads((old / "manifest.json").read_text())
    said = " ".join(" ".join(access_lines(old, manifest)).split())
    assert ("This run predates corridor_own_cost_usd (its indicators hold no such rows), so "
            "the fee leaves out what trans_afghan's loan puts on the lender's owners outside "
            "the hosts (the members by GDP: expected loss, interest subsidy); to get it, "
            f"re-run: `scosim run {manifest['scenario_file']} --seed {manifest['seed']} "
            f"--replications {manifest['replications']}`.") in said
    # No owners' figure that would look complete: the share cannot be told from the rows.
    assert "Its loan also puts" not in said and "would recover that too" not in said
    # The hosts' fee is the same figure: with one corridor their own cost is their cost.
    got = re.search(r"a fee of US\$([\d,]+) a TEU would recover", said)
    assert got is not None and float(got.group(1).replace(",", "")) == _fees(full)[0]


def test_a_budget_project_in_an_older_run_is_whole_and_says_nothing_more() -> None:
    from scosim.network.break_even import predates_sentence

    lent = SimpleNamespace(id="x", financing="bank_project")
    budget = SimpleNamespace(id="x", financing="budget")
    assert predates_sentence(lent, own=True, command="scosim run s.yaml") == ""
    assert predates_sentence(budget, own=False, command="scosim run s.yaml") == ""
    assert "re-run: `scosim run s.yaml`" in predates_sentence(lent, own=False,
                                                               command="scosim run s.yaml")
