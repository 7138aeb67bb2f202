"""The vote events split by decision (scosim.side_payments_votes) against pandas' own groups.

The pricing used to read each decision's votes as a ``groupby`` group, converting its
fields there (``fillna``, ``to_numpy``); :class:`VoteTable` converts each field once and
slices it. Checked here on events in shuffled order with missing values and absent
fields: every decision's arrays equal, bit for bit, the conversions of pandas' group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scosim.side_payments_votes import TERMS, VoteTable


def _events(rng: np.random.Generator, n: int, *, contribs: bool = True) -> pd.DataFrame:
    d = pd.DataFrame({
        "run": rng.integers(0, 5, n), "year": rng.choice([2025, 2027], n),
        "proposal": rng.choice(["cu", "fta"], n),
        "country": rng.choice(["CHN", "RUS", "IND", "KAZ"], n),
        "yes": pd.array(rng.random(n) < 0.5, dtype="boolean"),
        "rule": rng.choice(["utility_vote", "gains_only"], n),
        "sponsor": pd.array(np.where(rng.random(n) < 0.3, None, rng.random(n) < 0.5),
                            dtype="boolean"),
        "utility": rng.normal(size=n), "term_econ": rng.normal(size=n),
        "noise": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
        "term_dominance": np.where(rng.random(n) < 0.2, np.nan, rng.random(n))})
    if contribs:
        for t in TERMS:
            d[f"contrib_{t}"] = np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n))
    return d.set_index(rng.permutation(n) + 100)  # an index that is not the position


def test_each_decisions_arrays_are_pandas_groups_converted():
    rng = np.random.default_rng(20261207)
    votes = _events(rng, 400)
    table = VoteTable(votes)
    names = [f"contrib_{t}" for t in TERMS]
    groups = 0
    for key, g in votes.groupby(["run", "year", "proposal"], sort=True):
        got = table.get(key)
        assert got is not None
        groups += 1
        assert got.country == list(g["country"]) and got.rule == list(g["rule"])
        assert np.array_equal(got.yes, g["yes"].to_numpy(dtype=bool))
        assert np.array_equal(got.sponsor, g["sponsor"].fillna(False).to_numpy(dtype=bool))
        for name in ("utility", "term_econ"):
            assert np.array_equal(getattr(got, name), g[name].to_numpy(dtype=float))
        assert np.array_equal(got.noise, g["noise"].fillna(0.0).to_numpy(dtype=float))
        assert np.array_equal(got.term_dominance, g["term_dominance"].to_numpy(dtype=float),
                              equal_nan=True)
        assert np.array_equal(got.fields(names), g[names].fillna(0.0).to_numpy(dtype=float))
        assert np.array_equal(got.fields([names[0], "noise"]),
                              g[[names[0], "noise"]].fillna(0.0).to_numpy(dtype=float))
    assert groups > 10
    assert table.get((99, 2025, "cu")) is None  # a decision nobody voted in


def test_fields_not_logged_are_none():
    votes = _events(np.random.default_rng(1), 30, contribs=False).drop(
        columns=["noise", "term_dominance"])
    table = VoteTable(votes)
    key = next(iter(votes.groupby(["run", "year", "proposal"]).groups))
    got = table.get(key)
    assert got.noise is None and got.term_dominance is None and got.contrib == {}
    assert got.fields(["contrib_econ"]) is None and got.fields(["noise"]) is None
    assert VoteTable(votes.iloc[:0]).get(key) is None
