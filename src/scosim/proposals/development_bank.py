"""SCO Development Bank: members subscribe capital by a rule and borrow from it.

Proposed by China in 2010, stalled under consensus, agreed by the interested
members in 2025 (docs/hindcasts.md). The bank changes no tariff, so its preview
is not a GE solve: each participant's expected gain (fraction of its GDP) is

    gain_i = lending_benefit_i - paid_in_i / GDP_i

where ``paid_in_i = share_i * capital * paid_in_share`` (shares from
:func:`scosim.network.finance.capital_shares` under ``capital_rule``) and the
lending benefit is the interest saved on the bank's loans: loans of
``leverage * capital`` are lent to participants in proportion to the inverse of
their GDP share (smaller economies borrow more relative to size) at
``lending_rate`` instead of ``market_rate``, over ``tenor_years``; the yearly
saving is discounted over the tenor at ``market_rate``. The fields are those of
:class:`scosim.network.specs.DevelopmentBankSpec` (the network's bank
finance), plus ``depth`` and ``market_rate``. Default decision rule: consensus.

Limits (docs/hindcasts.md, "The Development Bank's economics: limits"): the
inverse-GDP allocation is unsourced and lends the smallest members several times
more than any development bank would relative to their GDP; the paid-in capital
is counted as spent; the gain is a present value over the tenor, not a yearly
one. After adoption it changes no tariff, trade cost or finance lever; corridors financed
by the bank borrow on its terms in the runs where it is in force
(:mod:`scosim.network.bank_link`), which its preview does not count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from typing_extensions import override

from scosim.network.finance import capital_shares
from scosim.proposals import register_type
from scosim.proposals.base import Preview, ProposalType
from scosim.proposals.specs import DevelopmentBankProposal, check_development_bank

if TYPE_CHECKING:
    from scosim.model.model import SCOModel


def bank_gain(
    participants: np.ndarray,
    gdp: np.ndarray,
    *,
    capital: float | np.ndarray,
    rule: str,
    paid_in_share: float | np.ndarray,
    leverage: float | np.ndarray,
    lending_rate: float | np.ndarray,
    market_rate: float | np.ndarray,
    tenor: int,
) -> np.ndarray:
    """Expected gain (fraction of GDP) of each participant, ``(R, N)``; outsiders 0.

    Every number but ``tenor`` is a scalar or an ``(R,)`` array, one value per run (a
    swept field).

    Args:
        participants: ``(R, N)`` bool.
        gdp: ``(N,)`` GDP, US$.
        capital: Subscribed capital, US$.
        rule: ``gdp`` or ``equal`` capital shares.
        paid_in_share: Paid-in share of the subscribed capital.
        leverage: Loans outstanding as a multiple of the subscribed capital.
        lending_rate: The bank's annual rate on loans (above ``market_rate`` nobody
            borrows: the saving is 0).
        market_rate: The borrowers' alternative annual rate (and discount rate).
        tenor: Years over which the interest saving accrues.
    """
    part = np.asarray(participants, bool)
    out = np.zeros(part.shape)
    ok = part.sum(axis=1) >= 1
    if not ok.any():
        return out
    p = part[ok]

    def per_run(x: float | np.ndarray) -> np.ndarray:
        # The runs with participants, as a column against the economies.
        return np.broadcast_to(np.asarray(x, float), ok.shape)[ok][:, None]

    capital_, market = per_run(capital), per_run(market_rate)
    shares = capital_shares(p, rule, gdp=gdp)
    paid = shares * capital_ * per_run(paid_in_share)
    inv = np.where(p, 1.0 / gdp, 0.0)
    loans = per_run(leverage) * capital_ * inv / inv.sum(axis=1, keepdims=True)
    # In Python floats, once per distinct rate: the same numbers whether or not it is swept.
    rates, which = np.unique(market[:, 0], return_inverse=True)
    annuity = np.array([_annuity(float(m), tenor) for m in rates])[which.reshape(-1)][:, None]
    # A participant does not borrow above its alternative rate: no saving, but no loss.
    saving = loans * np.maximum(market - per_run(lending_rate), 0.0) * annuity
    out[ok] = np.where(p, (saving - paid) / gdp, 0.0)
    return out


def _annuity(rate: float, tenor: int) -> float:
    """Present value of 1 a year over ``tenor`` years at ``rate`` (``tenor`` at 0)."""
    return (1.0 - (1.0 + rate) ** -tenor) / rate if rate > 0 else tenor


@register_type
class DevelopmentBank(ProposalType):
    """A development bank; no trade effect; gain = lending saving minus paid-in capital.

    Sweepable: the numbers of :func:`bank_gain` that its preview reads per run
    (``capital_usd_bn``, ``paid_in_share``, ``leverage``, ``lending_rate``,
    ``market_rate``), and ``depth`` (the sovereignty cost in each vote, read by the
    Council). A swept ``lending_rate`` is also the rate corridors financed by the bank
    borrow at in each run (:mod:`scosim.network.bank_link`). ``tenor_years`` is not:
    it is a whole number, and a sweep's values are not.
    """

    name = "development_bank"
    spec = DevelopmentBankProposal
    check = staticmethod(check_development_bank)
    default_decision_rule = "consensus"
    exit_allowed = False
    indicators = {"in_development_bank": "share of runs"}
    sweepable = ("capital_usd_bn", "paid_in_share", "leverage", "lending_rate", "market_rate",
                 "depth")

    @override
    def preview(
        self,
        model: SCOModel,
        participants: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
    ) -> Preview:
        """Gain from :func:`bank_gain` (no GE solve)."""
        return Preview(gain=self._gain(model, participants), terms={} if terms is None else terms)

    def _gain(self, model: SCOModel, participants: np.ndarray) -> np.ndarray:
        p, v = self.proposal, self.value
        return bank_gain(
            participants, np.asarray(model.gdp0, float),
            capital=v("capital_usd_bn") * 1e9, rule=p.capital_rule,
            paid_in_share=v("paid_in_share"), leverage=v("leverage"),
            lending_rate=v("lending_rate"), market_rate=v("market_rate"), tenor=p.tenor_years,
        )

    @override
    def gain_if_member(self, model: SCOModel, member: int) -> np.ndarray | None:
        """The change in every gain if ``member`` joined the bank in force.

        :meth:`preview` measures the bank against no bank; a new member changes an
        existing bank's capital shares and loans, so the gain from its joining is
        the bank's gain with it minus the bank's gain without it (the default
        would count the whole bank as the accession's gain).
        """
        if self.opt_in or not self.open_to_members() or not self.in_force.any():
            return None
        joining = self.participants.copy()
        joining[:, member] = True
        g = self._gain(model, joining) - self._gain(model, self.participants)
        return np.where(self.in_force[:, None], g, 0.0)

    @override
    @classmethod
    def record(cls, model: SCOModel, arrangements: list[ProposalType], policy: object
               ) -> dict[str, np.ndarray]:
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.participants & arr.in_force[:, None]
        return {"in_development_bank": inside.astype(float)}
