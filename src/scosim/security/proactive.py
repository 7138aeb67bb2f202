"""Proactive counter-terrorism effort as a game: best responses, Nash and cooperative efforts.

Proactive effort (intelligence, joint border work, information security, pooled through
RATS) protects a state's partners as well as itself, so it is a public good, and each state
that chooses it alone weighs only its own gain against its whole cost. Sandler and Arce
(2003, "Terrorism and game theory", *Simulation & Gaming* 34(3)) show preemption as a
prisoner's dilemma (nobody acts); Arce and Sandler (2005, "Counterterrorism: a
game-theoretic analysis", *Journal of Conflict Resolution* 49(2)) contrast it with
defensive measures, which are oversupplied (:mod:`scosim.security.hardening`). This module
plays the proactive game in the calibrated block (docs/security.md section 5,
"Best-response efforts").

**Payoff.** State ``i``'s payoff is :meth:`SecuritySystem.payoff`:
``U[i] = V[i] S[i](e) - sum_c unit_cost[c] e[i, c] - contribution[i]``, shares of GDP, with
``S = 1 - exp(-z)`` and ``z`` the protection of :func:`scosim.security.threat.protection`
(own effort, partners' spillover, the RATS pool). ``V[i]``, the value of full security, is
by default the one the hardening rules use (:func:`hardening_index_value`): ``beta lam0[i]``
times the damage the votes put on one incident, so an index point is worth the incidents it
avoids at the margin. ``lam0`` is taken at the state the year starts from. ``U[i]`` is
concave in ``i``'s own efforts (``z`` is concave: linear terms and a power mean with
``rho <= 1``; ``1 - exp(-z)`` is concave and rising), so its right derivative falls with
the effort and the best response is where it changes sign.

**Nash** (:func:`nash_efforts`): Gauss-Seidel best responses in a fixed order (states in the
canonical order, Rest of World excluded; channels intel, border, cyber within each), each
coordinate set to the root of its marginal payoff on [0, 1], bracketed to ``2**-50`` (what
:data:`BISECTIONS` bisection steps give) by safeguarded secant steps
(:func:`_best_response`); each equilibrium starts from last year's. Convergence test: a
run stops when no coordinate moved by more than ``tol`` in a whole sweep, and is then left
alone (its efforts do not depend on the rest of the batch);
:class:`ProactiveConvergenceError` after ``max_sweeps``. In the model
``tol`` is :data:`MODEL_TOL` (1e-6) and ``max_sweeps`` :data:`MODEL_SWEEPS` (2000).

**Cooperative** (:func:`cooperative_efforts`): the same coordinate iteration on the joint
payoff ``sum_j Y[j] U[j]`` (US$, ``Y`` GDP), whose marginal in ``e[i, c]`` counts the gain
of every state the effort protects; the joint payoff is concave, so the limit is its
maximum. The gap ``cooperative - Nash`` is the undersupply.

Only elementwise numpy and sums over axes (no BLAS, no optimiser), so efforts are the same
on every machine and in every batch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from scosim.security.weakest_link import power_mean

if TYPE_CHECKING:
    from scosim.security.model import SecurityState, SecuritySystem

__all__ = [
    "BISECTIONS",
    "EFFORT_RULES",
    "EffortRule",
    "MODEL_SWEEPS",
    "MODEL_TOL",
    "PROACTIVE_INDICATORS",
    "ProactiveConvergenceError",
    "ProactiveGame",
    "best_response_levels",
    "cooperative_efforts",
    "gauss_seidel",
    "nash_efforts",
    "pure_equilibria",
    "year_efforts",
]

EffortRule = Literal["rules", "best_response", "cooperative"]
#: Values of ``parameters.mechanism_settings.security.effort_rule``: ``rules`` (default,
#: each state's ``cooperate`` rule), ``best_response`` (Nash efforts) or ``cooperative``.
EFFORT_RULES: tuple[str, ...] = ("rules", "best_response", "cooperative")
#: A best response's root is bracketed to ``2**-BISECTIONS`` of [0, 1] (what this many
#: bisection steps give; the secant steps of :func:`_best_response` take 5-10).
BISECTIONS = 50
#: Convergence test of the model's game: no effort moved by more than this in a sweep.
#: Where the RATS pool collapses (with ``pool_rho <= 0`` efforts fall toward 0 together, each
#: in proportion to the others') best responses approach it geometrically, at a rate near 1
#: (0.97 a sweep at ``V`` 0.001), so a tighter test costs hundreds of sweeps for digits no
#: record shows; efforts are then accurate to about ``tol / (1 - rate)``, 3e-5.
MODEL_TOL = 1e-6
#: Sweeps allowed before :class:`ProactiveConvergenceError` (282 needed at ``V`` 0.001).
MODEL_SWEEPS = 2000
#: Least distance of a trial point from either end of the bracket: half its final width.
_STEP = 2.0 ** -(BISECTIONS + 1)
#: Where the lower bound is tested: the marginal of a power mean can be infinite at 0.
_LOW = 1e-12

#: ``marginal(e, p, runs)``: for the runs ``runs``, the others at ``e`` ``(R', P)``, the right
#: derivative of coordinate ``p``'s objective in its own effort, as a function of that effort
#: ``(R',)`` (built once per coordinate, so what does not move with it is computed once).
Marginal = Callable[[np.ndarray, int, np.ndarray], Callable[[np.ndarray], np.ndarray]]


class ProactiveConvergenceError(RuntimeError):
    """The best-response iteration did not converge."""


def _best_response(marginal: Callable[[np.ndarray], np.ndarray], r: int,
                   guess: np.ndarray | None = None) -> np.ndarray:
    """The root on [0, 1] of a non-increasing marginal, ``(r,)``; 0 or 1 at the bounds.

    The bracket ``[lo, hi]`` (marginal ``> 0`` at ``lo``, ``<= 0`` at ``hi``) is narrowed by
    regula falsi steps with the Anderson-Bjorck correction (the other end's value scaled
    down when the same end moves twice), the first at ``guess`` (last sweep's effort,
    usually within a hair of the root), with a bisection whenever three steps have not
    halved the bracket, so a discontinuous marginal takes about the bisection's count. It
    stops where the bracket is narrower than ``2**-BISECTIONS`` (or the marginal is exactly
    0), as the 50 bisections did, in 5-10 evaluations instead of 52. Each run's steps use
    its own numbers only (batch independence).
    """
    lo, hi = np.zeros(r), np.ones(r)
    f_hi = marginal(hi)
    top = f_hi >= 0
    f_lo = marginal(np.full(r, _LOW))
    bottom = f_lo <= 0
    x = np.full(r, 0.5) if guess is None else np.clip(np.asarray(guess, dtype=float), 0.0, 1.0)
    done = top | bottom
    out = np.where(top, 1.0, 0.0)
    widths = [np.full(r, np.inf)] * 3  # the bracket before each of the last three steps
    last = np.zeros(r)  # +1 the low end moved last, -1 the high end
    for k in range(4 * BISECTIONS):
        live = ~done
        if not live.any():
            return out
        if k > 0:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                x = hi - f_hi * (hi - lo) / (f_hi - f_lo)
            # Bisect where three steps have not halved the bracket, unless the step lands
            # on an end (the end is then the root to within the clip below).
            slow = (hi - lo > 0.5 * widths[0]) & (x - lo > _STEP) & (hi - x > _STEP)
            x = np.where(slow | ~(x >= lo) | ~(x <= hi), 0.5 * (lo + hi), x)
        else:
            x = np.where((x > lo) & (x < hi), x, 0.5 * (lo + hi))
        # At least half the final width from either end: once an end sits on the root the
        # next point closes the bracket instead of landing on that end again.
        x = np.clip(x, lo + _STEP, hi - _STEP)
        widths = [*widths[1:], hi - lo]
        f = marginal(np.where(live, x, 0.5 * (lo + hi)))
        up = live & (f > 0)
        dn = live & (f <= 0)
        # The same end moved twice: scale the other end's value down (Anderson-Bjorck, by
        # how much the moving end's value fell; a half, Illinois, if that is no fall).
        with np.errstate(divide="ignore", invalid="ignore"):
            m_lo = np.where(up, 1.0 - f / f_lo, 0.5)
            m_hi = np.where(dn, 1.0 - f / f_hi, 0.5)
        m_lo = np.where(m_lo > 0, m_lo, 0.5)
        m_hi = np.where(m_hi > 0, m_hi, 0.5)
        f_hi = np.where(up & (last > 0), m_lo * f_hi, f_hi)
        f_lo = np.where(dn & (last < 0), m_hi * f_lo, f_lo)
        lo, f_lo = np.where(up, x, lo), np.where(up, f, f_lo)
        hi, f_hi = np.where(dn, x, hi), np.where(dn, f, f_hi)
        last = np.where(up, 1.0, np.where(dn, -1.0, last))
        exact = live & (f == 0)
        out = np.where(exact, x, out)
        narrow = live & ~exact & (hi - lo <= 2.0**-BISECTIONS)
        out = np.where(narrow, 0.5 * (lo + hi), out)
        done = done | exact | narrow
    raise ProactiveConvergenceError("a best response was not bracketed to 2**-50 in "
                                    f"{4 * BISECTIONS} steps")


def gauss_seidel(marginal: Marginal, start: np.ndarray, *, tol: float = 1e-9,
                 max_sweeps: int = 500) -> np.ndarray:
    """Coordinate-wise best responses in a fixed order until no coordinate moves.

    Args:
        marginal: Right derivative of each coordinate's objective in its own effort
            (:data:`Marginal`), non-increasing in it (a concave objective).
        start: ``(R, P)`` starting efforts in [0, 1].
        tol: A run has converged when no coordinate moved by more than this in a sweep.
        max_sweeps: Sweeps allowed.

    Returns:
        ``(R, P)`` efforts where every coordinate is its best response to the others.

    Raises:
        ProactiveConvergenceError: If a run has not converged after ``max_sweeps``.
    """
    e = np.array(start, dtype=float)
    r, n = e.shape
    live = np.arange(r)
    for _ in range(max_sweeps):
        moved = np.zeros(live.size)
        for p in range(n):
            sub = e[live]
            new = _best_response(marginal(sub, p, live), live.size, sub[:, p])
            moved = np.maximum(moved, np.abs(new - sub[:, p]))
            e[live, p] = new
        live = live[moved > tol]
        if live.size == 0:
            return e
    raise ProactiveConvergenceError(
        f"best-response efforts did not converge in {max_sweeps} sweeps ({live.size} runs "
        f"still moving by more than tol {tol:g})")


def best_response_levels(payoff: Callable[[np.ndarray], np.ndarray], profile: Sequence[float],
                         player: int, levels: Sequence[float],
                         tol: float = 1e-12) -> tuple[float, ...]:
    """Levels maximising ``player``'s payoff, the others at ``profile`` (a discrete game).

    Args:
        payoff: Efforts ``(K, N)`` to payoffs ``(K, N)`` (e.g. :func:`scosim.security.game.payoff`).
        profile: Everyone's efforts (``player``'s own is replaced).
        player: Whose best response.
        levels: The efforts a player may choose.
        tol: Payoffs within this of the best are best responses too.
    """
    rows = np.array([[a if k == player else profile[k] for k in range(len(profile))]
                     for a in levels], dtype=float)
    u = np.asarray(payoff(rows))[:, player]
    best = float(u.max())
    return tuple(a for a, v in zip(levels, u, strict=True) if v >= best - tol)


def pure_equilibria(payoff: Callable[[np.ndarray], np.ndarray], n: int,
                    levels: Sequence[float] = (0.0, 1.0)) -> list[tuple[float, ...]]:
    """Every profile in which each player's level is a best response to the others'."""
    return [prof for prof in itertools.product(levels, repeat=n)
            if all(prof[i] in best_response_levels(payoff, prof, i, levels) for i in range(n))]


class ProactiveGame:
    """One year's proactive game in the calibrated block (module docstring).

    Args:
        system: The calibrated block.
        state: The state the year is played in (RATS levels and members; contributions do
            not move a choice).
        value: ``(R, N)`` or ``(N,)`` value of full security ``V``, share of GDP.
        gdp: ``(R, N)`` or ``(N,)`` GDP, US$: the weights of the joint payoff.
    """

    def __init__(self, system: SecuritySystem, state: SecurityState, value: np.ndarray,
                 gdp: np.ndarray) -> None:
        p = system.params
        r, n = state.n_runs, system.cal.n
        self.system, self.state = system, state
        self.n_states = n - 1  # Rest of World (last) takes no decisions
        self.n_channels = len(p.k_channel)
        self.value = np.broadcast_to(np.asarray(value, dtype=float), (r, n))
        self.gdp = np.broadcast_to(np.asarray(gdp, dtype=float), (r, n))
        self.k = np.asarray(p.k_channel, dtype=float)
        self.k_pool = np.asarray(p.k_pool, dtype=float)
        self.cost = np.asarray(p.unit_cost, dtype=float)
        self.kappa = (np.ones(n) if system.enforcement is None
                      else np.asarray(system.enforcement, dtype=float))
        w = np.asarray(system.partners_of(state), dtype=float)
        self.W = np.broadcast_to(w, (r, n, n))
        self.levels = np.asarray(state.rats, dtype=float)
        self.rho, self.s, self.n_ref = p.pool_rho, p.pool_size_exponent, p.pool_reference
        self.capacity = np.broadcast_to(system.capacity_term, (r, n))
        self.base = np.asarray(state.efforts, dtype=float)
        # The last coordinate's (p, runs, x, xp -> (z, dz)): the next coordinate's protection
        # is that one's at its new effort, not a whole recomputation (_coordinate).
        self._last: tuple[int, np.ndarray, np.ndarray, Callable] | None = None

    # -------------------------------------------------------------- protection
    def _full(self, x: np.ndarray, runs: np.ndarray) -> np.ndarray:
        """``(R', N, C)`` efforts: the decided ``x`` ``(R', P)``, Rest of World's its own."""
        e = self.base[runs].copy()
        e[:, : self.n_states, :] = x.reshape(x.shape[0], self.n_states, self.n_channels)
        return e

    def _pool(self, ec: np.ndarray, ch: int, runs: np.ndarray) -> np.ndarray:
        """Channel ``ch``'s pool ``(R',)``: ``(n / n_ref) ** s`` times the power mean."""
        m = self.levels[runs, :, ch] > 0
        size = (m.sum(axis=1) / self.n_ref) ** self.s
        return size * power_mean(ec * self.kappa, m, self.rho)

    def protection(self, x: np.ndarray, runs: np.ndarray) -> np.ndarray:
        """Protection ``z`` ``(R', N)`` at the decided efforts ``x`` ``(R', P)``."""
        e = self._full(x, runs)
        W = self.W[runs]
        z = self.capacity[runs].copy()
        for ch in range(self.n_channels):
            ec = e[:, :, ch]
            spill = (W * ec[:, None, :]).sum(axis=2)
            pool = self._pool(ec, ch, runs)
            z = z + self.k[ch] * (ec + self.system.params.spill * spill)
            z = z + self.k_pool[ch] * self.levels[runs, :, ch] * pool[:, None]
        return z

    def _coordinate(self, x: np.ndarray, p: int,
                    runs: np.ndarray) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """``xp -> (z, dz)`` ``(R', N)``: protection and its slope in coordinate ``p`` at ``xp``.

        ``z`` is linear in ``e[i, c]`` but for the pool, so the rest is computed once.
        """
        i, ch = divmod(p, self.n_channels)
        z0 = None
        if self._last is not None and p == self._last[0] + 1:
            # Gauss-Seidel moves one coordinate at a time: if only the last one moved, z is
            # its closure's at the new effort (the same sum, rounded differently). A sweep
            # starts from a whole recomputation (p = 0), so each run's numbers do not depend
            # on which other runs are still in the batch.
            q, runs_q, x_q, at_q = self._last
            rest = np.ones(x.shape[1], dtype=bool)
            rest[q] = False
            if np.array_equal(runs_q, runs) and np.array_equal(x_q[:, rest], x[:, rest]):
                z0 = at_q(x[:, q])[0]
        if z0 is None:
            z0 = self.protection(x, runs)
        x0 = x[:, p].copy()  # the closure outlives the caller's x
        lin = self.k[ch] * self.system.params.spill * self.W[runs][:, :, i]
        lin[:, i] += self.k[ch]
        ec = self._full(x, runs)[:, :, ch]
        m = self.levels[runs, :, ch] > 0
        lv = self.k_pool[ch] * self.levels[runs, :, ch]
        size = (m.sum(axis=1) / self.n_ref) ** self.s
        pool0 = size * power_mean(ec * self.kappa, m, self.rho)
        n = np.maximum(m.sum(axis=1), 1)
        pools = m[:, i]
        others = np.where(m, ec * self.kappa, np.inf)
        others[:, i] = np.inf
        lowest = others.min(axis=1)

        def at(xp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            e = ec.copy()
            e[:, i] = xp
            xs = e * self.kappa
            xi = xs[:, i]
            M = power_mean(xs, m, self.rho)
            if math.isinf(self.rho):
                # Right derivative of the minimum: 1 while i is strictly the lowest.
                d = (xi < lowest).astype(float)
            else:
                # d M / d x_i = (x_i / M) ** (rho - 1) / n (0 where another pooler at 0
                # has emptied the pool, rho <= 0).
                with np.errstate(divide="ignore", invalid="ignore"):
                    ok = (M > 0) & (xi > 0)
                    d = np.where(ok, (np.where(ok, xi, 1.0) / np.where(ok, M, 1.0))
                                 ** (self.rho - 1.0) / n, 0.0)
            dpool = np.where(pools, size * d * self.kappa[i], 0.0)
            z = z0 + lin * (xp - x0)[:, None] + lv * (size * M - pool0)[:, None]
            return z, lin + lv * dpool[:, None]

        self._last = (p, runs.copy(), x.copy(), at)
        return at

    def marginal_own(self, x: np.ndarray, p: int,
                     runs: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """``xp -> dU[i] / de[i, c]`` at ``e[i, c] = xp``: state ``i``'s own marginal payoff."""
        i, ch = divmod(p, self.n_channels)
        slopes, v = self._coordinate(x, p, runs), self.value[runs, i]

        def at(xp: np.ndarray) -> np.ndarray:
            z, dz = slopes(xp)
            return v * np.exp(-z[:, i]) * dz[:, i] - self.cost[ch]

        return at

    def marginal_joint(self, x: np.ndarray, p: int,
                       runs: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """``xp -> d(sum_j Y[j] U[j]) / de[i, c] / Y[i]``: the joint marginal per US$ of ``i``."""
        i, ch = divmod(p, self.n_channels)
        slopes = self._coordinate(x, p, runs)
        yv, y = self.gdp[runs] * self.value[runs], self.gdp[runs, i]

        def at(xp: np.ndarray) -> np.ndarray:
            z, dz = slopes(xp)
            return (yv * np.exp(-z) * dz).sum(axis=1) / y - self.cost[ch]

        return at

    def payoff(self, x: np.ndarray) -> np.ndarray:
        """``U`` ``(R, N)`` at the decided efforts ``x`` ``(R, P)`` (the block's payoff)."""
        e = self._full(x, np.arange(x.shape[0]))
        return self.system.payoff(self.state, e, self.value)

    def start(self) -> np.ndarray:
        """``(R, P)`` the state's efforts, the decided coordinates flattened (state, channel)."""
        return self.base[:, : self.n_states, :].reshape(self.base.shape[0], -1).copy()


def _solve(game: ProactiveGame, marginal: Marginal, tol: float, max_sweeps: int,
           start: np.ndarray | None) -> np.ndarray:
    """Gauss-Seidel on ``marginal`` from ``start`` (default the state's efforts), ``(R, N, C)``."""
    x0 = game.start() if start is None else start
    x = gauss_seidel(marginal, x0, tol=tol, max_sweeps=max_sweeps)
    return game._full(x, np.arange(x.shape[0]))


def nash_efforts(game: ProactiveGame, *, tol: float = MODEL_TOL,
                 max_sweeps: int = MODEL_SWEEPS,
                 start: np.ndarray | None = None) -> np.ndarray:
    """Nash efforts ``(R, N, C)``: each state's best response to the others' (ROW's kept).

    ``start`` ``(R, P)``: where the iteration starts (default the state's efforts).
    """
    return _solve(game, game.marginal_own, tol, max_sweeps, start)


def cooperative_efforts(game: ProactiveGame, *, tol: float = MODEL_TOL,
                        max_sweeps: int = MODEL_SWEEPS,
                        start: np.ndarray | None = None) -> np.ndarray:
    """Efforts ``(R, N, C)`` maximising the joint payoff ``sum_j GDP[j] U[j]``.

    ``start`` ``(R, P)``: where the iteration starts (default the state's efforts).
    """
    return _solve(game, game.marginal_joint, tol, max_sweeps, start)


#: The indicators recorded when an effort rule is on, ``(R, N)`` each, 0-1: every state's
#: Nash and cooperative effort per channel (Rest of World: its own, 0).
PROACTIVE_INDICATORS: dict[str, str] = {
    **{f"effort_nash_{ch}": f"0-1, {ch} effort at the Nash equilibrium of the proactive game "
       "(each state's best response to the others')" for ch in ("intel", "border", "cyber")},
    **{f"effort_cooperative_{ch}": f"0-1, {ch} effort maximising the joint payoff (GDP-weighted "
       "sum) of the proactive game" for ch in ("intel", "border", "cyber")},
}


def _last(game: ProactiveGame, previous: dict[str, np.ndarray] | None,
          kind: str) -> np.ndarray | None:
    """Last year's ``kind`` efforts as a start ``(R, P)``, or None if not recorded."""
    names = [f"effort_{kind}_{ch}" for ch in ("intel", "border", "cyber")]
    if previous is None or not all(k in previous for k in names):
        return None
    e = np.stack([np.asarray(previous[k], dtype=float) for k in names], axis=-1)
    return e[:, : game.n_states, :].reshape(e.shape[0], -1).copy()


def year_efforts(system: SecuritySystem, state: SecurityState, rule: str,
                 value_share_gdp: float, gdp: np.ndarray,
                 previous: dict[str, np.ndarray] | None = None,
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The year's efforts ``(R, N, C)`` under ``rule`` and the game's indicators.

    Args:
        system: The calibrated block (one block: a sweep of ``pool_rho`` is refused).
        state: This year's RATS set-up and members, last year's efforts (the start).
        rule: ``best_response`` (the Nash efforts are played) or ``cooperative``.
        value_share_gdp: ``V``, the value of full security, share of GDP (every state).
        gdp: ``(R, N)`` GDP, US$, the weights of the joint payoff.
        previous: Last year's records: each equilibrium starts from last year's (warm
            start: a year's equilibrium moves little, so a sweep or two settles it), else
            from the state's efforts.

    Raises:
        ValueError: On a rule that is not ``best_response`` or ``cooperative``.
    """
    if rule not in EFFORT_RULES[1:]:
        raise ValueError(f"effort_rule {rule!r} plays no game; the game's rules are "
                         f"{', '.join(EFFORT_RULES[1:])}")
    game = ProactiveGame(system, state, np.full(np.shape(gdp), value_share_gdp), gdp)
    nash = nash_efforts(game, start=_last(game, previous, "nash"))
    coop = cooperative_efforts(game, start=_last(game, previous, "cooperative"))
    names = ("intel", "border", "cyber")
    out = {**{f"effort_nash_{ch}": nash[:, :, k] for k, ch in enumerate(names)},
           **{f"effort_cooperative_{ch}": coop[:, :, k] for k, ch in enumerate(names)}}
    return (nash if rule == "best_response" else coop), out
