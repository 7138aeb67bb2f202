"""The banking figure's first panel counts every run's crisis, as the answer prints it.

A domain review found that ``finance_crisis_union``'s ``banking.png`` drew only
"failure" (2.5 % in 2026) and "resolved" (25 %): the runs in which Russia's system was
caught, refused public money and left solvent with 0.2-2.9 % capital (the answer's
"resolution refused public money", 27.5 %) were nowhere, so the union seemed to make
half the crises vanish. The panel now stacks three disjoint outcomes per run, and the
answer prints the same three shares.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _tidy import tidy_rows
from scosim.cli import main
from scosim.finance.crisis_outcomes import OutcomeCounts
from scosim.finance.run_summary import RUN_INDICATORS, BankingStream, outcomes, summarise
from scosim.results import read_batches

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CODES = ["AAA", "BBB", "CCC"]
YEARS = [2030, 2031]


def _worst(fail: np.ndarray, res: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Each run-year's worst outcome by a plain loop: 0 none, 1 resolved, 2 left, 3 failed."""
    r, t, n = fail.shape
    out = np.zeros((r, t), int)
    for i in range(r):
        for j in range(t):
            for k in range(n):
                grade = (3 if fail[i, j, k] else 2 if ref[i, j, k] else
                         1 if res[i, j, k] else 0)
                out[i, j] = max(out[i, j], grade)
    return out


def test_outcomes_are_disjoint_and_cover_every_crisis() -> None:
    rng = np.random.default_rng(7)
    shape = (300, 2, 3)
    fail = rng.random(shape) < 0.1
    res = rng.random(shape) < 0.15
    ref = rng.random(shape) < 0.15  # a refused system may fail in clearing too
    failed, left, resolved = outcomes(fail * 1.0, res * 1.0, ref * 1.0)
    want = _worst(fail, res, ref)
    np.testing.assert_array_equal(failed, want == 3)
    np.testing.assert_array_equal(left, want == 2)
    np.testing.assert_array_equal(resolved, want == 1)
    assert not (failed & left).any() and not (left & resolved).any()
    crisis = (fail | res | ref).any(axis=2)
    np.testing.assert_array_equal(failed | left | resolved, crisis)


def _tidy(arrays: dict[str, np.ndarray], run0: int) -> pd.DataFrame:
    """Tidy rows of ``{name: (R, T, N)}`` in this file's years and codes."""
    return tidy_rows(arrays, run0, YEARS, CODES)


def test_panel_shares_add_up_to_the_crisis_share_batch_by_batch() -> None:
    """The figure's summary (streamed, and from arrays) and the answer's counts agree, and
    the three outcomes sum to the runs with any failure, resolution or refusal."""
    rng = np.random.default_rng(3)
    shape = (40, 2, 3)
    x = {name: rng.lognormal(20.0, 1.0, shape) * (rng.random(shape) < 0.3)
         for name in RUN_INDICATORS}
    for name, p in (("bank_failures", 0.05), ("bank_resolutions", 0.1),
                    ("bank_resolutions_refused", 0.1)):
        x[name] = (rng.random(shape) < p).astype(float)
    x["member"] = np.ones(shape)
    stream, counts = BankingStream(), OutcomeCounts()
    for start in range(0, 40, 9):
        df = _tidy({k: v[start:start + 9] for k, v in x.items()}, start)
        stream.add(df)
        counts.add(df)
    got = stream.summary()
    want = summarise({RUN_INDICATORS[k]: x[k] for k in RUN_INDICATORS}, [0, 1, 2])
    crisis = ((x["bank_failures"] + x["bank_resolutions"] + x["bank_resolutions_refused"])
              > 0).any(axis=2).sum(axis=0)
    for sm in (got, want):
        np.testing.assert_array_equal(sm.failed + sm.undercapitalised + sm.resolved, crisis)
        np.testing.assert_array_equal(sm.failed, (x["bank_failures"] > 0).any(axis=2).sum(0))
    np.testing.assert_array_equal(counts.failed, got.failed)
    np.testing.assert_array_equal(counts.undercapitalised, got.undercapitalised)
    np.testing.assert_array_equal(counts.resolved, got.resolved)


@pytest.fixture(scope="module")
def union_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("union")
    assert main(["run", str(SCENARIOS / "finance_crisis_union.yaml"), "--out", str(out),
                 "--quiet", "--replications", "20"]) == 0
    return next(out.glob("finance_crisis_union/*"))


def test_union_answer_prints_the_panel_shares(union_run: Path) -> None:
    """The answer's line reads the runs' own flags: Russia's refused-and-solvent runs are
    in it, and its shares add to the runs in a crisis among the members in 2026."""
    ind = read_batches(union_run / "indicators")
    ind = ind.assign(country=ind["country"].astype(str), indicator=ind["indicator"].astype(str))
    members = set(ind[(ind.indicator == "member") & (ind.value > 0)].country)
    y = ind[(ind.year == 2026) & ind.country.isin(members)]

    def flags(name: str) -> pd.Series:
        return y[y.indicator == name].set_index(["run", "country"])["value"] > 0

    fail, res, ref = (flags(n) for n in ("bank_failures", "bank_resolutions",
                                         "bank_resolutions_refused"))
    by_run = pd.DataFrame({"f": fail, "r": res, "u": ref & ~fail}).groupby(level="run").any()
    n = len(by_run)
    f = by_run.f
    u = by_run.u & ~f
    r = by_run.r & ~f & ~u
    assert u.sum() > 0  # the outcome the figure lacked occurs in this run
    text = " ".join((union_run / "summary.txt").read_text().split())
    m = re.search(r"2026 \(the scenario's shock\): ([\d.]+) % of (\d+) runs = failure "
                  r"([\d.]+) % \+ caught, refused public money and left undercapitalised "
                  r"([\d.]+) % \+ resolved ([\d.]+) %", text)
    assert m, text[:2000]
    total, runs, pf, pu, pr = (float(g) for g in m.groups())
    assert runs == n
    assert (pf, pu, pr) == tuple(round(100 * s.sum() / n, 1) for s in (f, u, r))
    assert total == pytest.approx(pf + pu + pr, abs=0.051)
    assert total == round(100 * (f | u | r).sum() / n, 1)
