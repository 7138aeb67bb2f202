"""The members' joint gain from a Development Bank on its defaults at funding rates 4-7 %.

docs/hindcasts.md, "The Development Bank's economics": the ten SCO members own a bank on
the defaults of ``DevelopmentBankProposal`` (US$10 bn, 20 % paid in, 1:1, lending at 4.9 %
(4 % until 2026-12-06) against a 7 % market rate, 20 years with 5 of grace, capital by
GDP, an expected credit loss of ``credit_loss_rate`` a year) on the default calibration;
for each ``funding_rate`` the sum over members of ``bank_gain`` x GDP (US$ m a year), the
same with the paid-in capital costed at ``funding_rate`` as until 2026-12-06, the same with
no credit loss (as until 2026-12-06), and a few members' gains (% of GDP a year). Then, at
the default funding rate: the joint gain at a few credit loss rates and the loss rate at
which it vanishes; the loans and the saving counted on each member's loan; the grant
element of the default loan at ``market_rate`` and at the IMF/World Bank 5 %.

Usage::

    PYTHONPATH=src python tools/bank_funding_sensitivity.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from scosim.data import load_calibration  # noqa: E402
from scosim.proposals.development_bank import (  # noqa: E402
    CONCESSIONALITY_THRESHOLD,
    IMF_DISCOUNT_RATE,
    bank_gain,
    effective_funding_rate,
    grant_element,
    grant_element_at,
    yearly_subsidy,
)
from scosim.proposals.specs import DevelopmentBankProposal  # noqa: E402

SHOW = ("CHN", "RUS", "IND", "KGZ", "TJK")


def main() -> None:
    """Print the joint gain at funding rates 4, 5, 6 and 7 %, and the figures after it."""
    cal = load_calibration()
    codes = list(cal.countries.index)
    part = np.array([[cal.countries.loc[c, "sco_status"] == "member" for c in codes]])
    gdp = np.asarray(cal.vector("gdp_usd"), float)
    d = DevelopmentBankProposal(type="development_bank", id="bank", year=2025)
    base = {"capital": d.capital_usd_bn * 1e9, "rule": d.capital_rule,
            "leverage": d.leverage, "lending_rate": d.lending_rate,
            "market_rate": d.market_rate, "tenor": d.tenor_years, "grace": d.grace_years}

    def joint(gain: np.ndarray) -> float:
        return float((gain * gdp).sum()) / 1e6

    for funding in (0.04, 0.05, 0.06, 0.07):
        kw = {**base, "funding_rate": funding}
        gain = bank_gain(part, gdp, paid_in_share=d.paid_in_share,
                         loss_rate=d.credit_loss_rate, **kw)[0]
        # Paid-in capital costed at funding_rate, as until 2026-12-06: a vanishing share.
        as_borrowed = bank_gain(part, gdp, paid_in_share=1e-300, **kw)[0]
        riskless = bank_gain(part, gdp, paid_in_share=d.paid_in_share, **kw)[0]
        members = " ".join(f"{c} {100 * gain[codes.index(c)]:+.5f} %" for c in SHOW)
        print(f"funding_rate {funding:.2f}: joint gain US$ {joint(gain):.1f} m a year "
              f"({joint(riskless):.1f} with no credit loss, {joint(as_borrowed):.1f} with "
              f"neither the loss nor the paid-in capital's cost); {members}")
    kw = {**base, "funding_rate": d.funding_rate, "paid_in_share": d.paid_in_share}
    eff = float(effective_funding_rate(d.funding_rate, d.market_rate, d.paid_in_share,
                                       d.leverage))
    for loss in (0.0, d.credit_loss_rate, 0.00106, 0.01):
        gain = bank_gain(part, gdp, loss_rate=loss, **kw)[0]
        print(f"credit_loss_rate {loss:.6f}: joint gain US$ {joint(gain):.1f} m a year; "
              f"CHN {100 * gain[codes.index('CHN')]:+.5f} %")
    print(f"the joint gain vanishes at credit_loss_rate = market_rate - effective funding "
          f"rate = {d.market_rate - eff:.4f}")
    inv = np.where(part[0], 1.0 / gdp, 0.0)
    loans = d.leverage * d.capital_usd_bn * 1e9 * inv / inv.sum()
    per_dollar = yearly_subsidy(d.lending_rate, d.market_rate, d.tenor_years, d.grace_years)
    for c in codes:
        i = codes.index(c)
        if part[0, i]:
            print(f"{c}: lent US$ {loans[i] / 1e9:.3f} bn ({100 * loans[i] / loans.sum():.2f} "
                  f"% of the loans, {100 * loans[i] / gdp[i]:.2f} % of GDP); saving counted "
                  f"against market_rate US$ {loans[i] * per_dollar / 1e6:.2f} m a year")
    at_market = grant_element(d.lending_rate, d.market_rate, d.tenor_years, d.grace_years)
    at_imf = grant_element_at(d.lending_rate, IMF_DISCOUNT_RATE, d.tenor_years,
                              d.grace_years)
    print(f"grant element of the default loan: {at_market:.4f} at market_rate "
          f"{d.market_rate}, {at_imf:.4f} at the IMF/World Bank {IMF_DISCOUNT_RATE} "
          f"(concessional from {CONCESSIONALITY_THRESHOLD})")

if __name__ == "__main__":
    from scosim.cli_errors import run_command

    raise SystemExit(run_command(main))
