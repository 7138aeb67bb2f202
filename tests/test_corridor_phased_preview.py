"""The vote values a freight corridor built in phases as the run carries it.

The Trans-Afghan railway carries at most 3 Mt a year in its first three operating years,
then 15 (``projects.csv``'s ``capacity_initial`` and ``capacity``), and the run pays the
congestion of that first-phase capacity (network.loads). The Council's preview is the
project's perpetual yearly benefit from its first operating year; it now weighs the first
phase by its years' share of that perpetuity's present value, ``w = 1 - 1.04^-3``, and the
full capacity by ``1 - w`` (network.phased_preview). Until 2026-12-06 it valued the full
capacity from the first operating year, so it overstated what the run realises.
"""

from __future__ import annotations

import numpy as np
import pytest

from _corridor_spies import deterministic_instc, run_with_preview_spy  # tests/ on sys.path
from scosim.network.energy import INITIAL_PHASE_YEARS
from scosim.network.phased_preview import first_phase_weight


def _trans_afghan():
    """Voted and in force in 2026, built in one year: first phase 2027-2029, full 2030.

    No instability, so the run's welfare is the railway's own (its answer otherwise mixes
    in the insecurity of the Afghan routes), and no failure, growth or spread.
    """
    return deterministic_instc({"parameters.network.instability": {},
                                "proposals.0.construction_years": 1},
                               scenario="corridor_trans_afghan_low.yaml")


def test_the_first_phase_weight_is_its_years_share_of_a_perpetuity() -> None:
    """``w = r x sum_{k=1..3} (1 + r)^-k``, the three years' share of ``1 / r``."""
    for r in (0.02, 0.04, 0.07):
        by_hand = r * sum((1.0 + r) ** -k for k in range(1, INITIAL_PHASE_YEARS + 1))
        assert first_phase_weight(r) == pytest.approx(by_hand, rel=1e-13)
    with pytest.raises(ValueError, match="rate must be > 0"):
        first_phase_weight(0.0)


def test_the_preview_is_the_discounted_mean_of_what_the_run_realises() -> None:
    """Each run year's benefit (net plus its annualised cost share) against the vote's.

    The first phase's years (2027-2029) realise one benefit, the full capacity's (2030)
    another; the vote's benefit over its operating share ``q`` is ``w`` times the first
    plus ``1 - w`` times the second, economy by economy.
    """
    m = _trans_afghan()
    arr, seen, years = run_with_preview_spy(m, 2030)
    assert arr.phased and [y for y, _ in seen] == [2026]
    pv = seen[0][1]
    q = pv.info["operating_share"]
    np.testing.assert_allclose(q, 1.04 ** -1, rtol=1e-12)
    # The annualised payments in US$ a year, which the run takes off each year over that
    # year's expenditure.
    annual = pv.info["cost_share_of_expenditure"] * pv.info["expenditure_usd"]

    def realised(year: int) -> np.ndarray:
        _, net, expenditure = years[year]
        return net + annual / expenditure

    first, full = realised(2027), realised(2030)
    for year in (2028, 2029):
        np.testing.assert_allclose(realised(year), first, rtol=1e-9, atol=1e-15)
    # The phases differ (the first phase's congestion), by far more than the tolerance.
    afg, pak = m.codes.index("AFG"), m.codes.index("PAK")
    for k in (afg, pak):
        assert np.all(np.abs(full[:, k] - first[:, k]) > 1e-4 * np.abs(full[:, k]))
    w = first_phase_weight(0.04)
    expected = w * first + (1.0 - w) * full
    np.testing.assert_allclose((pv.gain + pv.info["cost_share_of_expenditure"]) / q,
                               expected, rtol=1e-8, atol=1e-14)
