"""The proactive game (security/proactive.py): best responses, Nash and cooperative efforts.

Checked against things outside the solver: the published 2x2 games of docs/anchors.md
(Sandler and Arce 2003; Arce and Sandler 2005) through :mod:`scosim.security.game`; the
closed forms of symmetric linear-quadratic public-good games (Nash ``b / c``, cooperative
``n b / c``, the gap ``(n - 1) b / c`` growing with the number of states); in the calibrated
block, the equilibrium against :meth:`SecuritySystem.payoff` itself (no state gains from a
unilateral deviation, the joint payoff from none); and what a RATS upgrade does to the
undersupply (more publicness, a wider gap: Olson 1965, Sandler 1992). The solver's speed-ups
are checked against the plain bisection (the same roots, far fewer evaluations), against
the block's own protection (the carried one) and against batch independence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.data.constants import ECONOMIES
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.game import HERO, PREEMPTION, Technology, payoff, pure_nash
from scosim.security.model import SecuritySystem
from scosim.security.proactive import (
    PROACTIVE_INDICATORS,
    ProactiveConvergenceError,
    ProactiveGame,
    _best_response,
    cooperative_efforts,
    gauss_seidel,
    nash_efforts,
    pure_equilibria,
)

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
KEY = "parameters.mechanism_settings.security."
TWO = np.ones((2, 2))
#: docs/security.md section 3: V inside the band where the dilemma holds.
V = 0.0014


# ------------------------------------------------------------------ published 2x2 games
@pytest.mark.parametrize("tech, want", [(PREEMPTION, [(0.0, 0.0)]),
                                        (HERO, [(0.0, 1.0), (1.0, 0.0)])])
def test_best_responses_reproduce_the_published_games(tech: Technology,
                                                      want: list[tuple[float, ...]]) -> None:
    # Preemption is a prisoner's dilemma (neither acts, uniquely); intelligence a hero game
    # (two pure equilibria, exactly one gathers). game.pure_nash reads a payoff table; this
    # evaluates the payoff function at each deviation, and both must agree.
    found = sorted(pure_equilibria(lambda e: payoff(e, TWO, tech), 2))
    assert found == want
    assert found == sorted(pure_nash(TWO, tech))


def test_the_dilemma_as_a_continuous_game() -> None:
    # The preemption game on [0, 1]: U_i = 4 (e_i + e_j) - 6 e_i. Alone a state's marginal is
    # 4 - 6 < 0, jointly 8 - 6 > 0: the Nash efforts are 0 and the cooperative ones 1, the
    # (0, 0) and (2, 2) cells of the published matrix.
    def own(e: np.ndarray, p: int, runs: np.ndarray):  # noqa: ANN202
        return lambda x: np.full(x.shape, 4.0 - 6.0)

    def joint(e: np.ndarray, p: int, runs: np.ndarray):  # noqa: ANN202
        return lambda x: np.full(x.shape, 8.0 - 6.0)

    start = np.array([[0.3, 0.9]])
    nash, coop = gauss_seidel(own, start), gauss_seidel(joint, start)
    assert nash.tolist() == [[0.0, 0.0]] and coop.tolist() == [[1.0, 1.0]]
    assert payoff(nash, TWO, PREEMPTION).tolist() == [[0.0, 0.0]]
    assert payoff(coop, TWO, PREEMPTION).tolist() == [[2.0, 2.0]]


# ------------------------------------------------------------------ closed forms
def _quadratic(n: int, b: float, c: float, g: float):  # noqa: ANN202
    """Own and joint marginals of ``U_i = b sum_j e_j - c e_i^2 / 2 - g e_i sum_{j!=i} e_j``."""

    def own(e: np.ndarray, p: int, runs: np.ndarray):  # noqa: ANN202
        rest = e.sum(axis=1) - e[:, p]
        return lambda x: b - c * x - g * rest

    def joint(e: np.ndarray, p: int, runs: np.ndarray):  # noqa: ANN202
        rest = e.sum(axis=1) - e[:, p]
        return lambda x: n * b - c * x - 2.0 * g * rest

    return own, joint


@pytest.mark.parametrize("g", [0.0, 0.05])
def test_undersupply_matches_the_closed_form_and_grows_with_the_states(g: float) -> None:
    # Symmetric: Nash e = b / (c + g (n - 1)), cooperative e = n b / (c + 2 g (n - 1)).
    # With g = 0 (benefit b times the summed effort, cost c e^2 / 2): b / c and n b / c.
    b, c = 0.01, 1.0
    start = np.random.default_rng(7).uniform(size=(3, 10))
    gaps = []
    for n in range(2, 11):
        own, joint = _quadratic(n, b, c, g)
        nash = gauss_seidel(own, start[:, :n], tol=1e-14)
        coop = gauss_seidel(joint, start[:, :n], tol=1e-14)
        np.testing.assert_allclose(nash, b / (c + g * (n - 1)), rtol=0, atol=1e-12)
        np.testing.assert_allclose(coop, n * b / (c + 2 * g * (n - 1)), rtol=0, atol=1e-12)
        assert np.all(nash.sum(axis=1) < coop.sum(axis=1))
        gaps.append(float(coop.sum(axis=1)[0] - nash.sum(axis=1)[0]))
    if g == 0.0:
        np.testing.assert_allclose(gaps, [n * (n - 1) * b / c for n in range(2, 11)],
                                   rtol=0, atol=1e-12)
    assert all(y > x for x, y in zip(gaps, gaps[1:], strict=False))


def test_pooling_widens_the_gap_in_closed_form() -> None:
    # U_i = V (k e_i + kp r sum_j e_j / n_ref) - c e_i^2 / 2: Nash V (k + kp r / n_ref) / c,
    # cooperative V (k + kp r n / n_ref) / c, so the gap V kp r (n - 1) / (n_ref c) rises with
    # the pooling level r: pooling makes effort more public (Olson 1965; Sandler 1992).
    v, k, kp, n_ref, c, n = 1.0, 0.3, 0.6, 10.0, 5.0, 10
    gaps = []
    for r in (0.0, 1.0, 1.5, 2.0):
        def own(e: np.ndarray, p: int, runs: np.ndarray, r: float = r):  # noqa: ANN202
            return lambda x: v * (k + kp * r / n_ref) - c * x

        def joint(e: np.ndarray, p: int, runs: np.ndarray, r: float = r):  # noqa: ANN202
            return lambda x: v * (k + kp * r * n / n_ref) - c * x

        nash = gauss_seidel(own, np.zeros((1, n)))
        coop = gauss_seidel(joint, np.zeros((1, n)))
        gap = float(coop[0, 0] - nash[0, 0])
        assert gap == pytest.approx(v * kp * r * (n - 1) / (n_ref * c), abs=1e-12)
        gaps.append(gap)
    assert all(y > x for x, y in zip(gaps, gaps[1:], strict=False))


def test_no_convergence_is_an_error_that_says_so() -> None:
    # Matching pennies (the first wants to match the second, the second to differ): best
    # responses cycle and never settle.
    def flip(e: np.ndarray, p: int, runs: np.ndarray):  # noqa: ANN202
        match = (e[:, 1 - p] > 0.5) == (p == 0)
        return lambda x: np.where(match, 1.0, -1.0)

    with pytest.raises(ProactiveConvergenceError, match="did not converge in 20 sweeps"):
        gauss_seidel(flip, np.array([[0.0, 0.0]]), max_sweeps=20)


def _bisect(marginal, r: int) -> np.ndarray:  # noqa: ANN001
    """The reference: 50 plain bisections on [0, 1] (the solver's bracket semantics)."""
    lo, hi = np.zeros(r), np.ones(r)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        up = marginal(mid) > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("name, f, root", [
    ("smooth", lambda x: 0.3 - x**2, 0.3**0.5),
    ("infinite slope at 0", lambda x: x**-0.5 - 3.0, 1.0 / 9.0),
    ("a jump", lambda x: np.where(x < 0.3, 1.0, -1.0), 0.3),
    ("flat then steep", lambda x: 1e-9 - x**9, 1e-1),
])
def test_a_best_response_is_the_bisection_root_in_few_evaluations(name: str, f, root: float,
                                                                  ) -> None:  # noqa: ANN001
    # The bracketed Illinois step must land where 50 bisections do (within their final
    # bracket, 2**-50) on smooth, kinked and discontinuous marginals, from a good guess and
    # from a bad one; the safeguard keeps the discontinuous one to about bisection's count.
    calls = []

    def counted(x: np.ndarray) -> np.ndarray:
        calls.append(x.size)
        return f(x)

    for guess in (None, np.array([root + 1e-4]), np.array([0.99])):
        calls.clear()
        got = _best_response(counted, 1, guess)
        assert abs(got[0] - _bisect(f, 1)[0]) <= 2.0**-50
        assert abs(got[0] - root) <= 2.0**-49
        assert len(calls) <= (70 if name == "a jump" else 30)


# ------------------------------------------------------------------ the calibrated block
@pytest.fixture(scope="module")
def block() -> tuple[SecuritySystem, object]:
    sys_ = SecuritySystem()
    return sys_, sys_.baseline_state(1)


def _game(sys_: SecuritySystem, state: object) -> ProactiveGame:
    return ProactiveGame(sys_, state, np.full((1, sys_.cal.n), V), sys_.cal.gdp_usd)  # type: ignore[arg-type]


def test_best_responses_in_the_block_are_bisection_roots_in_few_steps(block) -> None:  # noqa: ANN001
    # Every coordinate's best response at the baseline efforts, own and joint marginal,
    # equals 50 bisections' to 2**-48 (or the same corner), in at most 12 evaluations on
    # average where bisection takes 52.
    sys_, st = block
    game = _game(sys_, st)
    x = game.start()
    calls, n_br = [0], 0
    for make in (game.marginal_own, game.marginal_joint):
        for p in range(x.shape[1]):
            m = make(x, p, np.arange(1))

            def counted(v: np.ndarray, m=m) -> np.ndarray:  # noqa: ANN001
                calls[0] += 1
                return m(v)

            got = _best_response(counted, 1, x[:, p])
            n_br += 1
            want = np.where(m(np.ones(1)) >= 0, 1.0,
                            np.where(m(np.full(1, 1e-12)) <= 0, 0.0, _bisect(m, 1)))
            # Both brackets hold the sign change, which rounding blurs by a few ulps.
            assert abs(got[0] - want[0]) <= 2.0**-48, p
    assert calls[0] / n_br <= 12


def test_protection_is_carried_from_coordinate_to_coordinate(block) -> None:  # noqa: ANN001
    # Within a sweep a coordinate's protection is the last coordinate's closure at its new
    # effort, not a recomputation: it must equal the block's own protection (to rounding),
    # and a whole Nash solve recomputes it about once a sweep, not once per coordinate.
    sys_, st = block
    game = _game(sys_, st)
    rng = np.random.default_rng(3)
    x, runs = rng.uniform(size=(1, game.start().shape[1])), np.arange(1)
    for p in range(x.shape[1]):
        at = game._coordinate(x, p, runs)
        np.testing.assert_allclose(at(x[:, p])[0], game.protection(x, runs), rtol=1e-12)
        x[:, p] = rng.uniform()
    calls = {"protection": 0, "coordinate": 0}
    protection, coordinate = game.protection, game._coordinate

    def count(name: str, f):  # noqa: ANN001, ANN202
        def wrapped(*a):  # noqa: ANN002, ANN202
            calls[name] += 1
            return f(*a)
        return wrapped

    game.protection = count("protection", protection)  # type: ignore[method-assign]
    game._coordinate = count("coordinate", coordinate)  # type: ignore[method-assign]
    nash_efforts(game)
    assert calls["protection"] * x.shape[1] <= 2 * calls["coordinate"]


def test_runs_solved_together_equal_runs_solved_alone() -> None:
    # A run's efforts may not depend on the batch (docs/experiments.md): three runs that
    # need different numbers of steps and sweeps (V differs) give, byte for byte, what each
    # gives alone, for the Nash and the cooperative efforts.
    sys_ = SecuritySystem()
    vs = np.array([0.0014, 0.0016, 0.002])
    both = ProactiveGame(sys_, sys_.baseline_state(3), vs[:, None] * np.ones(sys_.cal.n),
                         sys_.cal.gdp_usd)
    nash, coop = nash_efforts(both), cooperative_efforts(both)
    for r, v in enumerate(vs):
        one = ProactiveGame(sys_, sys_.baseline_state(1), np.full((1, sys_.cal.n), v),
                            sys_.cal.gdp_usd)
        np.testing.assert_array_equal(nash_efforts(one)[0], nash[r])
        np.testing.assert_array_equal(cooperative_efforts(one)[0], coop[r])


def test_the_equilibria_hold_against_the_blocks_own_payoff(block) -> None:  # noqa: ANN001
    sys_, st = block
    game = _game(sys_, st)
    nash, coop = nash_efforts(game), cooperative_efforts(game)
    u_nash = sys_.payoff(st, nash, V)[0]
    joint = float((sys_.payoff(st, coop, V)[0] * sys_.cal.gdp_usd).sum())
    step = 0.01
    for i in range(sys_.cal.n - 1):
        for ch in range(3):
            for d in (-step, step):
                e = nash.copy()
                e[0, i, ch] = np.clip(e[0, i, ch] + d, 0, 1)
                # No state gains by moving its own effort alone...
                assert sys_.payoff(st, e, V)[0, i] <= u_nash[i] + 1e-15
                e = coop.copy()
                e[0, i, ch] = np.clip(e[0, i, ch] + d, 0, 1)
                # ...and no single move raises the joint payoff of the cooperative efforts.
                assert float((sys_.payoff(st, e, V)[0] * sys_.cal.gdp_usd).sum()) <= joint + 1e-6
    # Undersupply: less effort in total, in every channel, and a lower joint payoff.
    assert np.all(nash[0].sum(axis=0) < coop[0].sum(axis=0))
    assert float((u_nash * sys_.cal.gdp_usd).sum()) < joint


def test_a_rats_upgrade_widens_the_undersupply(block) -> None:  # noqa: ANN001
    # Raising the members' pooling levels makes more of each member's effort a benefit to
    # the others, which a best response leaves out. What is tested: (1) the joint loss of
    # playing Nash, the GDP-weighted joint payoff at the cooperative efforts minus that at
    # the Nash efforts (what joint decision would recover), rises with every step of
    # intelligence pooling and with the upgrade of section 6 (intel 1.625, border and cyber
    # pooled); (2) the members' Nash intelligence effort falls as its pooling rises (their
    # efforts are substitutes: the pool does more, each does less). The literature's
    # direction: the more public the good, the larger the Nash undersupply (Olson 1965;
    # Sandler 1992, Collective Action); pooling alone does not close it, joint decision does
    # (Sandler 2005, "Collective versus unilateral responses to terrorism", Public Choice
    # 124). Total efforts are not compared: the cooperative optimum sits at corners (efforts
    # of 0 or 1), so its total moves in jumps as the pool changes.
    sys_, st = block
    mem, y = sys_.cal.members, sys_.cal.gdp_usd
    loss, intel = [], []
    for levels in ((1.0, 0.0, 0.0), (1.5, 0.0, 0.0), (2.0, 0.0, 0.0), (1.625, 1.0, 1.0)):
        s2 = sys_.with_rats(st, levels)
        game = _game(sys_, s2)
        nash, coop = nash_efforts(game), cooperative_efforts(game)
        loss.append(float(((sys_.payoff(s2, coop, V) - sys_.payoff(s2, nash, V))[0] * y).sum()))
        intel.append(float(nash[0, mem, 0].sum()))
    assert loss[0] > 0 and loss[0] < loss[1] < loss[2] and loss[3] > loss[0]
    assert intel[0] > intel[1] > intel[2] and intel[3] < intel[0]


# ------------------------------------------------------------------ in a run
def test_off_by_default_and_on_records_the_game() -> None:
    off = run_model(load_scenario(SCEN / "afghan_instability.yaml"), runs=[0])
    assert not set(PROACTIVE_INDICATORS) & set(off.records)
    on = run_model(load_scenario(SCEN / "afghan_instability.yaml",
                                 overrides={KEY + "effort_rule": "best_response"}), runs=[0])
    rec = {k: np.stack(v, axis=1) for k, v in on.records.items()}
    for ch in ("intel", "border", "cyber"):
        # The Nash efforts are the ones played, and every year less in total than the
        # cooperative ones (a state may do less in the joint optimum: others do it cheaper).
        np.testing.assert_array_equal(rec[f"effort_{ch}"], rec[f"effort_nash_{ch}"])
        assert np.all(rec[f"effort_nash_{ch}"].sum(axis=-1)
                      <= rec[f"effort_cooperative_{ch}"].sum(axis=-1))
    row = ECONOMIES.index("ROW")
    assert np.all(rec["effort_nash_intel"][..., row] == 0.0)


def test_a_bad_rule_is_refused_naming_the_setting() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCEN / "afghan_instability.yaml", overrides={KEY + "effort_rule": "nash"})
    assert KEY + "effort_rule" in str(err.value) and "best_response" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCEN / "afghan_instability.yaml",
                      overrides={KEY + "effort_value_share_gdp": 0.0})
    assert KEY + "effort_value_share_gdp" in str(err.value)
