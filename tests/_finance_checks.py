"""Shared checks of the finance block's accounts (imported by the finance tests)."""

from __future__ import annotations

from typing import Any

import numpy as np


def assert_losses_in_legal_order(ind: dict[str, np.ndarray], d: Any) -> np.ndarray:
    """A failed system's loss falls on its outside creditors in the order the law ranks them.

    Its other debt first, then uninsured deposits (the insured paid by the deposit insurer:
    BRRD art. 108), to 1e-12 relative. Returns the total loss of each run and system.

    Args:
        ind: The step's indicators (``insured_payout``, ``depositor_losses``,
            ``creditor_losses``), each (runs, economies).
        d: The system's balance sheets (``external_liabilities``, ``deposits``, ``insured``).
    """
    other = np.maximum(d.external_liabilities - d.deposits, 0.0)
    total = ind["insured_payout"] + ind["depositor_losses"] + ind["creditor_losses"]
    np.testing.assert_allclose(ind["creditor_losses"], np.minimum(total, other),
                               rtol=1e-12, atol=1e-3)
    np.testing.assert_allclose(ind["depositor_losses"],
                               np.clip(total - other, 0.0, d.deposits - d.insured),
                               rtol=1e-12, atol=1e-3)
    return total
