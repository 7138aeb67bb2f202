"""Kazakhstan's 2010 tariff rise in the model against the World Bank's (2012) estimate.

The World Bank (2012; docs/anchors.md, "Customs unions in the region") puts the common
tariff of the Customs Union at a rise of Kazakhstan's import-weighted average tariff
from 5.3 to 9.5 %, costing it 0.2 % of real income a year from tariffs alone. This
script makes the same rise in the model's one-sector Armington GE on the bundled 2023
data: Kazakhstan's tariff on every partner outside the EAEU is scaled by 9.5 / 5.3
(its weighted average on them rises in that proportion), nothing else changes, and it
prints Kazakhstan's welfare change (real expenditure) and terms of trade at a few
trade elasticities and under both deficit closures.

It is a recorded mismatch, not a calibration: in an Armington model every economy is
the only maker of its own variety, so a tariff rise improves its terms of trade, and a
small rise raises its welfare; the World Bank's model (and most multi-sector studies)
finds a loss. README's fortress union and the hindcast's EAEU losses (docs/hindcasts.md)
should be read with it.

Usage: python tools/tariff_rise_anchor.py
"""

from __future__ import annotations

import sys

import numpy as np

from scosim.data import load_calibration
from scosim.hindcast import EAEU
from scosim.mechanisms.trade import solve_ge

#: World Bank (2012): Kazakhstan's import-weighted average tariff before and after.
BEFORE, AFTER = 5.3, 9.5


def main() -> int:
    """Print Kazakhstan's welfare and terms-of-trade changes from the tariff rise."""
    cal = load_calibration("2023")
    codes = list(cal.trade.index)
    trade = cal.trade.loc[codes, codes].to_numpy(dtype=float)
    tau = cal.tariffs.loc[codes, codes].to_numpy(dtype=float)
    k = codes.index("KAZ")
    outside = np.array([c not in EAEU for c in codes])
    new = tau.copy()
    new[outside, k] *= AFTER / BEFORE
    weights = trade[outside, k]
    print(f"Kazakhstan's import-weighted tariff on partners outside the EAEU: "
          f"{100 * weights @ tau[outside, k] / weights.sum():.2f} -> "
          f"{100 * weights @ new[outside, k] / weights.sum():.2f} % (2023 imports)")
    print("World Bank (2012): real income -0.2 % a year from the tariff rise alone")
    flows = trade * (1.0 + tau)
    for deficits in ("level", "ratio"):
        for sigma in (4.0, 5.0, 6.0):
            res = solve_ge(flows, sigma=sigma, tariffs=tau, new_tariffs=new,
                           deficits=deficits)  # type: ignore[arg-type]
            print(f"sigma {sigma:.0f}, deficits {deficits}: Kazakhstan welfare "
                  f"{100 * (res.welfare_change[k] - 1):+.2f} %, terms of trade "
                  f"{100 * (res.terms_of_trade_change[k] - 1):+.2f} %")
    return 0


if __name__ == "__main__":
    from scosim.cli_errors import run_command

    sys.exit(run_command(main))
