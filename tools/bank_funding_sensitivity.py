"""The members' joint gain from a Development Bank on its defaults at funding rates 4-7 %.

docs/hindcasts.md, "The Development Bank's economics": the ten SCO members own a bank on
the defaults of ``DevelopmentBankProposal`` (US$10 bn, 20 % paid in, 1:1, lending at 4.9 %
(4 % until 2026-12-06) against a 7 % market rate, 20 years with 5 of grace, capital by
GDP) on the default calibration; for each ``funding_rate`` the sum over members of
``bank_gain`` x GDP (US$ m a year), the same with the paid-in capital costed at
``funding_rate`` as until 2026-12-06, and a few members' gains (% of GDP a year).

Usage::

    PYTHONPATH=src python tools/bank_funding_sensitivity.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from scosim.data import load_calibration  # noqa: E402
from scosim.proposals.development_bank import bank_gain  # noqa: E402
from scosim.proposals.specs import DevelopmentBankProposal  # noqa: E402

SHOW = ("CHN", "RUS", "IND", "KGZ", "TJK")


def main() -> None:
    """Print the joint gain at funding rates 4, 5, 6 and 7 %."""
    cal = load_calibration()
    codes = list(cal.countries.index)
    part = np.array([[cal.countries.loc[c, "sco_status"] == "member" for c in codes]])
    gdp = np.asarray(cal.vector("gdp_usd"), float)
    d = DevelopmentBankProposal(type="development_bank", id="bank", year=2025)
    for funding in (0.04, 0.05, 0.06, 0.07):
        kw = {"capital": d.capital_usd_bn * 1e9, "rule": d.capital_rule,
              "leverage": d.leverage, "lending_rate": d.lending_rate,
              "market_rate": d.market_rate, "funding_rate": funding,
              "tenor": d.tenor_years, "grace": d.grace_years}
        gain = bank_gain(part, gdp, paid_in_share=d.paid_in_share, **kw)[0]
        # Paid-in capital costed at funding_rate, as until 2026-12-06: a vanishing share.
        as_borrowed = bank_gain(part, gdp, paid_in_share=1e-300, **kw)[0]
        members = " ".join(f"{c} {100 * gain[codes.index(c)]:+.5f} %" for c in SHOW)
        print(f"funding_rate {funding:.2f}: joint gain US$ {(gain * gdp).sum() / 1e6:.1f} m a "
              f"year ({(as_borrowed * gdp).sum() / 1e6:.1f} with the paid-in capital at "
              f"funding_rate); {members}")


if __name__ == "__main__":
    main()
