"""The shipped security block with Afghanistan an SCO member, for the haven tests.

Imported as ``from _afghan_member import acceded`` (tests/ is on sys.path, as for ``_raw``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scosim.security.model import SecurityState, SecuritySystem
from scosim.security.params import SecurityParams

__all__ = ["acceded"]


def acceded(haven_share: float) -> tuple[SecuritySystem, SecurityState]:
    """The block at ``haven_share``, one run, Afghanistan a member pooling at the baseline
    RATS level (its protection then rises above 2018-2022, so it displaces groups)."""
    s = SecuritySystem(params=replace(SecurityParams(), haven_share=haven_share))
    st = s.baseline_state(1)
    m = s.members_of(st).copy()
    m[0, s.afg] = True
    j = s.admit(st, m)
    r = st.rats.copy()
    r[0, s.afg] = np.maximum(r[0, s.afg], s.params.rats_baseline)
    return s, replace(j, rats=r)
