"""The banking union's vote preview, made faster, gives every run the bits it gave before.

Since 2026-12-07 the finance step works out once what is the same in every row of a batch
(the dollar channel under the same sanctions and settlement, the network with the same
frozen claims), solves the clearing and the liquidation bound only for the rows where a
system defaults or is resolved, and the vote's ensemble draws its normals ahead and
replays a known crisis once for all its draws (scosim.finance.rows, docs/finance.md
section 10). Each shortcut must give every row exactly what the full computation gives
it: a batch is compared with each of its runs stepped alone, and the preview with the
shortcuts turned off.
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

import scosim.finance.contagion as contagion_mod
import scosim.finance.ensemble as ensemble_mod
import scosim.finance.resolution as resolution_mod
import scosim.finance.shocks as shocks_mod
import scosim.finance.union_value as union_value_mod
from scosim.finance.contagion import unfrozen_network
from scosim.finance.rows import same_rows
from scosim.finance.shocks import Drawn, dollar_channel, sanctions_matrix
from scosim.finance.system import FinanceState, FinanceSystem, Levers
from scosim.finance.union_value import StagedEvents, union_value
from scosim.model.rng import stream

MEMBERS = ["CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR"]
SEED = 11


def _union(fs: FinanceSystem, R: int) -> Levers:
    mask = np.array([c in MEMBERS for c in fs.codes])
    return Levers.union(np.broadcast_to(mask, (R, fs.N)), fs.data.settlement,
                        contribution_bp=10.0, mutualisation=1.0, supervision_effect=0.3,
                        bail_in_share=0.5, trigger_info=0.03)


def _rows(x: object, r: int) -> object:
    """Row ``r`` of an array with a run axis (first axis of length 1); others as they are."""
    return x[r:r + 1] if isinstance(x, np.ndarray) and x.ndim >= 1 else x


def _state_row(state: FinanceState, r: int) -> FinanceState:
    return FinanceState(**{f.name: _rows(getattr(state, f.name), r)
                           for f in fields(FinanceState)})


def _levers_row(lev: Levers, r: int) -> Levers:
    return replace(lev, **{f.name: _rows(getattr(lev, f.name), r) for f in fields(Levers)
                           if isinstance(getattr(lev, f.name), np.ndarray)})


def _weakened_batch(fs: FinanceSystem, R: int) -> FinanceState:
    """Runs whose Russian and Pakistani capital ranges from calibrated to almost none, with
    the same claims on Russia frozen in every run (parked for the rest of the world)."""
    st = fs.initial_state(R)
    rus, pak, row = (fs.codes.index(c) for c in ("RUS", "PAK", "ROW"))
    # Several runs at full capital, which a resolution can meet the 8 % for (the
    # shareholders alone), and several without.
    scale = np.where(np.arange(R) < R // 2, 1.0, np.linspace(0.6, 0.02, R))
    capital = st.capital.copy()
    capital[:, rus] *= scale
    capital[:, pak] *= scale[::-1]
    frozen = st.frozen.copy()
    frozen[:, rus, row] = 0.3 * fs.data.L[rus, row]
    return replace(st, capital=capital, frozen=frozen, parked=frozen.sum(axis=1))


def test_a_batch_steps_each_run_as_it_would_alone() -> None:
    """A year under the same sanctions, settlement and frozen claims in every run (the
    shortcuts' case), with runs that fail, runs that are resolved and runs that are not:
    every indicator and every part of the state, bit for bit as the run stepped alone."""
    fs, R = FinanceSystem(), 8
    state = _weakened_batch(fs, R)
    lev = _union(fs, R)
    S = sanctions_matrix([("RUS", "ROW", 1.0)], fs.codes, R)
    g = 0.05 * np.random.default_rng(3).standard_normal((R, fs.N))
    g[:, fs.codes.index("RUS")] -= 0.3 + 0.02 * np.arange(R)
    new, ind = fs.step(state, g, S, lev, [stream(SEED, r, "finance") for r in range(R)])
    # The shortcuts' conditions hold, and the runs differ in what happens to them.
    assert same_rows(S, lev.settlement) and same_rows(state.frozen, S)
    failed, resolved = ind["failures"].any(axis=1), ind["resolutions"].any(axis=1)
    assert failed.any() and not failed.all()
    assert resolved.any() and not resolved.all()
    assert (~failed & ~resolved).any()
    # More than one run bails in (the liquidation bound is worked out for several rows).
    assert (ind["bail_in"].sum(axis=1) > 0).sum() >= 2
    for r in range(R):
        one, ind1 = fs.step(_state_row(state, r), g[r:r + 1], S[r:r + 1],
                            _levers_row(lev, r), [stream(SEED, r, "finance")])
        for k, v in ind1.items():
            assert v.tobytes() == ind[k][r:r + 1].tobytes(), (k, r)
        for f in fields(FinanceState):
            a, b = getattr(one, f.name), getattr(new, f.name)[r:r + 1]
            assert a.tobytes() == b.tobytes(), (f.name, r)


def test_shared_parts_are_the_full_computation() -> None:
    """The dollar channel and the network worked out once are what every row gets when
    one row differs (which forces the full computation)."""
    fs, R = FinanceSystem(), 5
    S = sanctions_matrix([("RUS", "ROW", 0.7), ("IRN", "ROW", 0.4)], fs.codes, R)
    n = _union(fs, R).settlement
    other = np.concatenate([S, np.zeros_like(S[:1])])
    fast = dollar_channel(S, n, settlement_leakage=0.2)
    full = dollar_channel(other, np.concatenate([n, n[:1]]), settlement_leakage=0.2)
    for a, b in zip(fast, full, strict=True):
        assert a.tobytes() == b[:R].tobytes()
    haircut = fast[0]
    parked = _weakened_batch(fs, R).frozen
    e = np.broadcast_to(fs.data.external_assets, (R, fs.N)) * np.linspace(0.9, 1.0, R)[:, None]
    c_in, l_out = fs.data.interbank_claims[None], fs.data.interbank_liabilities[None]
    net = unfrozen_network(fs.data.L, haircut, parked, e, c_in, l_out)
    ref = unfrozen_network(fs.data.L, np.concatenate([haircut, np.zeros_like(haircut[:1])]),
                           np.concatenate([parked, parked[:1]]),
                           np.concatenate([e, e[:1]]), c_in, l_out)
    for f in fields(net):
        assert getattr(net, f.name).tobytes() == getattr(ref, f.name)[:R].tobytes(), f.name


def test_draws_made_ahead_are_the_generators_year_by_year() -> None:
    """The ensemble's draws, made for all years at once and kept, are each run's streams
    drawn a year at a time (as the step and the GDP shocks drew them before)."""
    R, T, N = 4, 3, 28
    z, fin = ensemble_mod._draws(SEED, R, T, N)
    for r in range(R):
        gz, gf = stream(SEED, r, "finance_gdp"), stream(SEED, r, "finance")
        for t in range(T):
            assert z[r, t].tobytes() == gz.standard_normal(N).tobytes()
            assert fin[r, t].tobytes() == gf.standard_normal(N + 1).tobytes()
    assert not z.flags.writeable and not fin.flags.writeable
    d = Drawn(fin)
    assert d.take(R, (N + 1,)).tobytes() == fin[:, 0].tobytes()
    with pytest.raises(ValueError, match="asked for"):
        d.take(R, (N,))


def _preview(fs: FinanceSystem, state: FinanceState):
    events = StagedEvents(2026, {2026: {"RUS": float(np.log(0.66))}},
                          {2026: [("RUS", "ROW", 1.0)]})
    return union_value(fs, fs.levers, lambda R: _union(fs, R), seed=SEED, lag=1, horizon=2,
                       draws=12, events=events, state=state)


def test_the_preview_is_the_one_without_its_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The union's value from a weakened run's balance sheets with the vote year's crisis
    replayed, against the same valuation with every shortcut off (the replay stepped for
    every draw, no work shared between rows, the liquidation bound for every run, draws
    made afresh): the same bits in every draw."""
    fs = FinanceSystem()
    state = _state_row(_weakened_batch(fs, 4), 2)
    fast = _preview(fs, state)
    for mod in (union_value_mod, shocks_mod, contagion_mod):
        monkeypatch.setattr(mod, "same_rows", lambda *a: False)
    monkeypatch.setattr(ensemble_mod, "_KEEP_DRAWS", -1)
    monkeypatch.setattr(resolution_mod, "_liquidation", lambda loss, res, by_rows: loss())
    full = _preview(fs, state)
    assert np.abs(fast.value).max() > 0
    for f in fields(fast):
        assert getattr(fast, f.name).tobytes() == getattr(full, f.name).tobytes(), f.name


def test_clearing_a_batch_clears_each_run_as_alone() -> None:
    """Runs where defaulters pay part of their debts (a linear solve), runs where they pay
    nothing and runs with no defaulter, cleared together: each run's payments, bit for bit
    as cleared alone (the solves are made for the runs with a defaulter only)."""
    from scosim.finance.clearing import clear

    rng = np.random.default_rng(5)
    R, N = 9, 6
    L = rng.uniform(0.0, 10.0, (R, N, N)) * (1.0 - np.eye(N))
    b = rng.uniform(5.0, 20.0, (R, N))
    owed = L.sum(axis=2) + b
    # A third of the runs solvent, a third with defaulters that pay a part, a third with
    # defaulters left with almost nothing.
    e = owed * np.repeat([1.5, 0.8, 0.05], 3)[:, None] * rng.uniform(0.9, 1.1, (R, N))
    res = clear(e, L, b, beta=0.9, alpha=0.8)
    paying = res.default & (res.payments > 0)
    assert (~res.default.any(axis=1)).any() and paying.any(axis=1).sum() >= 2
    for r in range(R):
        one = clear(e[r:r + 1], L[r:r + 1], b[r:r + 1], beta=0.9, alpha=0.8)
        for f in fields(one):
            assert getattr(one, f.name).tobytes() == getattr(res, f.name)[r:r + 1].tobytes()
