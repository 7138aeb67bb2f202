"""This year's contagion kernel on the banking systems' balance sheets, and its accounting.

:func:`contagion` runs Eisenberg-Noe / Rogers-Veraart clearing or DebtRank for
:func:`scosim.finance.system.step` and says, per run and economy, who fails, what outside
creditors recover, what defaulters leave unpaid to other banks, what sanctions park and
what each creditor loses by cause. The identities each kernel keeps are in
``docs/finance.md`` section 2 (``tests/test_finance_chain.py``,
``tests/test_finance_debtrank_accounts.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from scosim.finance.clearing import clear
from scosim.finance.debtrank import debtrank
from scosim.finance.rows import repeat_row, same_rows

if TYPE_CHECKING:
    from scosim.finance.system import FinanceParams

__all__ = ["LGD_SAFE", "Contagion", "ExternalAssetsShortfall", "Network",
           "borne_by_creditor_banks", "contagion", "unfrozen_network"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Contagion:
    """What this year's contagion kernel gives, per run and economy (R, N).

    Attributes:
        failed: Systems that default.
        ext_recovery: Share of their claims outside creditors recover.
        interbank_paid: What each system pays its interbank creditors in all, frozen or
            not (with ``ext_recovery`` times the outside debt, its estate in default).
        interbank_unpaid: What a defaulting system leaves unpaid that creditor banks bear.
        interbank_passed_on: What it leaves unpaid that its creditor banks, failing in
            turn, pass on to their own creditors (counted among those creditors' losses):
            with ``interbank_unpaid`` it is all it leaves unpaid, so summed over economies
            the two add up to ``loss_contagion`` however many systems fail in the year.
        K_after: Capital after contagion (negative for a defaulter: its shortfall).
        contagion_round: Round of default, 0 if none.
        loss_sanctions: Receipts frozen this year: the frozen share of what debtors pay,
            parked for the payee.
        parked_pairs: The same by debtor and payee (R, N, N), ``[r, i, j]`` paid by ``i``
            into a blocked account for ``j``.
        written_off_pairs: The frozen share of what a defaulting debtor does not pay
            (R, N, N), by debtor and payee: lost in default, with the parked share of the
            claim out of the network from then on.
        loss_contagion: Creditor's loss to defaulting or distressed debtors, frozen or not.
        loss_default_costs: Rogers-Veraart default costs.
    """

    failed: BoolArray
    ext_recovery: FloatArray
    interbank_paid: FloatArray
    interbank_unpaid: FloatArray
    interbank_passed_on: FloatArray
    K_after: FloatArray
    contagion_round: FloatArray
    loss_sanctions: FloatArray
    loss_contagion: FloatArray
    loss_default_costs: FloatArray
    parked_pairs: FloatArray
    written_off_pairs: FloatArray


@dataclass(frozen=True)
class Network:
    """This year's interbank network once the claims already parked are taken out.

    Attributes:
        L: Interbank liabilities still owed (R, N, N): ``L - F``.
        haircut: Share of each remaining payment frozen this year (R, N, N).
        e: External assets (R, N): the debtor's less what it paid into blocked accounts,
            the payee's plus the claims parked for it (written off its capital already).
        c_in: Interbank claims still held (R, N).
        l_out: Interbank liabilities still owed (R, N).
        frozen_full: What this year's freeze takes if every debtor pays in full (R, N).
    """

    L: FloatArray
    haircut: FloatArray
    e: FloatArray
    c_in: FloatArray
    l_out: FloatArray
    frozen_full: FloatArray


#: The largest ``lgd`` at which no economy's external assets can fall below what it parked,
#: whatever the shocks: Tajikistan's bound on the calibrated tables, rounded down
#: (``(1 - lgd) e0 - K0 - l_out - contributions > 0``; tests/test_finance_parked_bound.py).
LGD_SAFE = 0.69


class ExternalAssetsShortfall(ValueError):
    """A system's external assets, after the year's losses and what it parked, are negative.

    Attributes:
        row: The run's row in the batch (in a vote's preview, the draw of its ensemble).
        economy: The economy's code (or its index as text when no codes were given).
        year: The year being stepped, where the caller knows it (None in the core).
        when: In a vote's preview, where in its ensemble (draw and year); else None.
    """

    def __init__(self, message: str, row: int, economy: str) -> None:
        super().__init__(message)
        self.row = row
        self.economy = economy
        self.year: int | None = None
        #: Where in a vote's ensemble it arose (draw and year), set by its caller.
        self.when: str | None = None

    def located(self, where: str) -> str:
        """The message with the batch's row replaced by ``where`` (the run, seed and year).

        The row is the model's run only in a batch that starts at 0, and in a vote's
        preview it is a draw of the ensemble, not a run: the caller names the run.
        """
        return str(self).replace(f" (run row {self.row})", f" ({where})", 1)


def unfrozen_network(L: FloatArray, haircut: FloatArray, parked: FloatArray,
                     e: FloatArray, c_in: FloatArray, l_out: FloatArray, *,
                     codes: Sequence[str] | None = None) -> Network:
    """Take the claims frozen in earlier years out of this year's network.

    The balance sheets are the calibrated ones every year, so a claim frozen last year
    would be owed and frozen again, and counted again in the stock and in the payee's
    capital. A frozen claim is instead the same claim, still frozen: the debtor paid it
    into a blocked account (parked) or, in default, did not pay it (written off), and
    owes it no more (its external assets are less by as much, its equity unchanged), and
    the payee's capital wrote it off then (its external assets gain what its claims lose:
    its equity is unchanged). Sanctions of severity ``s`` freeze the share ``s`` of each
    claim: only what they freeze beyond what is already out is frozen again.

    The debtor's external assets less what it parked, ``e - out_of + into``, cannot be
    negative with the calibrated tables (``docs/finance.md`` section 4, "A claim is frozen
    once"): ``out_of <= l_out`` (parked is at most ``L``), ``into >= 0`` and, since new NPLs
    are at most all loans and capital starts the year at 0 or more, ``e >= (1 - lgd) e0 -
    K0 - contributions``; so ``e - out_of + into >= (1 - lgd) e0 - K0 - l_out -
    contributions``, at least 24 % of ``e0`` in every economy at the default ``lgd`` 0.45 and
    the largest contribution a scenario may set (500 bp), and positive for any ``lgd``
    up to 0.69 (Tajikistan's bound, the smallest; ``tests/test_finance_parked_bound.py``).
    A floor at 0 here (until 2026-12-06) would have created assets from nothing, raising
    the debtor's equity; it never bound, so a negative value is refused instead.

    Args:
        L: Interbank liabilities (N, N), row owes column.
        haircut: This year's frozen share of each payment (R, N, N).
        parked: Frozen claims so far, parked or written off in default, ``[r, i, j]`` by
            debtor ``i`` for payee ``j`` (R, N, N), at most ``L``.
        e: External assets (R, N) before the adjustment.
        c_in: Interbank claims of the tables (1, N).
        l_out: Interbank liabilities of the tables (1, N).
        codes: Economy codes (N,), to name the economy in the error.

    Returns:
        The :class:`Network` to clear this year; with nothing parked, the tables' network
        bit for bit.

    Raises:
        ExternalAssetsShortfall: Where ``e - out_of + into`` is negative (a ``ValueError``
            naming the economy and the run's row).
    """
    R = e.shape[0]
    if same_rows(haircut, parked):
        # Every run with the same frozen claims and sanctions (a vote's preview from one
        # run's balance sheets): the network is worked out once, row-wise, and repeated.
        one = _network(L, haircut[:1], parked[:1])
        L_r, h, into, out_of, change, frozen_full = (repeat_row(x, R) for x in one)
    else:
        L_r, h, into, out_of, change, frozen_full = _network(L, haircut, parked)
    e_net = e - out_of + into
    if (e_net < 0).any():
        r, i = (int(k) for k in np.argwhere(e_net < 0)[0])
        name = codes[i] if codes is not None else str(i)
        raise ExternalAssetsShortfall(
            f"finance: the banking system of {name} (run row {r}) ends the year's losses with "
            f"external assets of US${e[r, i] / 1e9:.4g} bn, less than the US$"
            f"{(out_of[r, i] - into[r, i]) / 1e9:.4g} bn it has paid into blocked accounts net "
            "of what is parked for it; the balance sheets cannot carry that (a year's credit "
            "loss above external assets less capital and interbank debt, possible only with "
            f"parameters.finance.lgd above {LGD_SAFE}, docs/finance.md section 4): set "
            f"parameters.finance.lgd to {LGD_SAFE} or less, where no economy can reach it "
            "whatever the shock, or stage a smaller gdp_shock", r, name)
    return Network(L=L_r, haircut=h, e=e_net, c_in=c_in - into, l_out=l_out - out_of,
                   frozen_full=frozen_full)


def _network(L: FloatArray, haircut: FloatArray,
             parked: FloatArray) -> tuple[FloatArray, ...]:
    """:func:`unfrozen_network`'s parts that do not depend on external assets, row by row.

    Returns:
        ``(L_r, h, into, out_of, change, frozen_full)``: the claims still owed, their
        share frozen this year, what is parked for and by each economy, the change in
        what this year's freeze takes, and what it takes if every debtor pays in full.
    """
    L_r = np.maximum(L[None] - parked, 0.0)
    target = haircut * L[None]  # this year's freeze, counted on the whole claim
    again = np.clip(np.divide(target - parked, L_r, out=np.zeros_like(L_r), where=L_r > 0),
                    0.0, 1.0)
    h = np.where(parked > 0, again, haircut)
    into, out_of = parked.sum(axis=1), parked.sum(axis=2)
    # Exactly zero where nothing is parked: the sum keeps the tables' figures bit for bit.
    change = np.einsum("rji->ri", h * L_r - haircut * L[None])
    return L_r, h, into, out_of, change, np.einsum("rji,ji->ri", haircut, L) + change


def contagion(params: FinanceParams, L: FloatArray, e: FloatArray, b: FloatArray,
              c_in: FloatArray, frozen_full: FloatArray, l_out: FloatArray,
              haircut: FloatArray, capital: FloatArray) -> Contagion:
    """Clear the interbank network (or run DebtRank) on this year's balance sheets.

    Args:
        params: Behavioural parameters (kernel, seniority, default costs).
        L: Interbank liabilities (N, N) or (R, N, N), row owes column.
        e: External assets (R, N) after losses and any intervention.
        b: External liabilities (R, N) after any bail-in.
        c_in: Interbank claims (1, N) or (R, N).
        frozen_full: Interbank receipts frozen by sanctions if all debtors pay (R, N).
        l_out: Interbank liabilities (1, N) or (R, N).
        haircut: Frozen share of each interbank payment (R, N, N).
        capital: Capital at the start of the year (R, N), DebtRank's reference.

    Returns:
        Failures, outside creditors' recovery, what defaulters leave unpaid to other
        banks, capital after contagion and losses by cause.

    Raises:
        ValueError: On an unknown kernel.
    """
    R, N = e.shape
    b = np.broadcast_to(b, (R, N))
    L_r = np.broadcast_to(L, (R, N, N))
    if params.kernel == "clearing":
        res = clear(e, L_r, b, seniority=params.seniority, alpha=params.alpha,
                    beta=params.beta, haircut=haircut)
        P = res.payment_matrix
        unpaid = L_r - P
        kept, left, written_off = _defaulters(unpaid, res.default, res.equity, haircut)
        return Contagion(
            failed=res.default,
            ext_recovery=np.divide(res.external_paid, b, out=np.ones_like(b), where=b > 0),
            interbank_paid=np.einsum("rij->ri", P),
            interbank_unpaid=kept,
            # The rest of what a defaulter leaves unpaid, passed on by creditor banks that
            # fail in turn. Without it the debtors' side fell short of the creditors' side
            # (loss_contagion) wherever one failed system was another's creditor.
            interbank_passed_on=left - kept,
            K_after=res.equity,
            contagion_round=res.default_round.astype(float),
            loss_sanctions=np.einsum("rji,rji->ri", haircut, P),
            # What a defaulting debtor does not pay, frozen or not: with the frozen share of
            # what it pays (loss_sanctions) it adds up to the creditor's loss, L - (1 - h) P.
            loss_contagion=np.einsum("rji->ri", unpaid),
            loss_default_costs=res.default_cost,
            parked_pairs=haircut * P,
            written_off_pairs=written_off,
        )
    if params.kernel == "debtrank":
        return _debtrank(L_r, e, b, c_in, frozen_full, l_out, haircut, capital)
    raise ValueError(f"kernel must be 'clearing' or 'debtrank', got {params.kernel!r}")


def _debtrank(L: FloatArray, e: FloatArray, b: FloatArray, c_in: FloatArray,
              frozen_full: FloatArray, l_out: FloatArray, haircut: FloatArray,
              capital: FloatArray) -> Contagion:
    """DebtRank's losses with the payments its pro rata recovery implies.

    DebtRank (Battiston et al. 2012) values a claim at ``1 - h`` of its face value when the
    debtor has lost the share ``h`` of its capital; it has no payment vector. A system
    fails when its equity after its own losses is negative (distress is at most 1, so a
    creditor's DebtRank loss never exceeds its capital: no system fails through
    contagion); a failed system pays all its creditors, outside and interbank, the same
    share of what it owes, so debtor ``i`` pays ``P[i, j] = r_i L[i, j]``. Sanctions freeze
    the share ``haircut`` of what is paid (parked for the payee), and a debtor's distress
    devalues only the part of the claim not already written off as frozen; a failed
    debtor's (distress 1) only the part it does not pay, so a creditor writes off no
    payment it receives.
    """
    R, N = e.shape
    E1 = e + c_in - frozen_full - l_out - b
    # Distress is this year's loss against the capital the year began with: measured
    # against the calibrated capital, a bank still below it was "distressed" again every
    # year and its creditors lost capital again each year, with no new shock.
    Ks = np.maximum(capital, 0.0)
    h0 = np.clip(np.divide(Ks - E1, Ks, out=np.ones_like(E1), where=Ks > 0), 0.0, 1.0)
    h0 = np.where(E1 < Ks, h0, 0.0)
    failed = E1 < 0
    short = np.maximum(-E1, 0.0)
    owed = b + l_out
    recovery = np.clip(1.0 - np.divide(short, owed, out=np.zeros_like(b), where=owed > 0),
                       0.0, 1.0)
    recovery = np.where(failed, recovery, 1.0)
    # The frozen share of a claim is written off in E1 already: counting the debtor's
    # distress on it too lost it twice (up to 1.5 times the claim under half sanctions).
    # A failed debtor (distress 1) pays the share ``recovery``: weighting its whole claim
    # wrote off cash the creditor received (until 2026-12-06).
    exposed = (1.0 - haircut) * (1.0 - np.where(failed, recovery, 0.0))[:, :, None] * L
    dr = debtrank(h0, exposed, Ks)
    distress_loss = (dr.distress - h0) * Ks
    # A failed system has distress 1 from the start (no DebtRank loss); the others' loss
    # is at most their equity E1, so rounding is all that could take them below zero.
    K_after = np.where(failed, E1, np.maximum(E1 - distress_loss, 0.0))
    P = recovery[:, :, None] * L  # paid by i to j
    unpaid = L - P
    return Contagion(
        failed=failed,
        ext_recovery=recovery,
        interbank_paid=P.sum(axis=2),
        interbank_unpaid=unpaid.sum(axis=2),
        # DebtRank has no payment vector for a failed creditor to pass a shortfall on by.
        interbank_passed_on=np.zeros((R, N)),
        K_after=K_after,
        contagion_round=np.where(failed, np.maximum(dr.distress_round, 1), 0).astype(float),
        # Parked: the frozen share of what the debtor pays. Until 2026-12-06 it was the
        # frozen share of what it owed, so a defaulter's unpaid debt was parked as well.
        loss_sanctions=np.einsum("rji,rji->ri", haircut, P),
        # The frozen share of what a defaulter does not pay was written off in E1 with the
        # rest of the frozen claim: it is lost to the default, as under clearing.
        loss_contagion=distress_loss + np.einsum("rji,rji->ri", haircut, unpaid),
        loss_default_costs=np.zeros((R, N)),
        parked_pairs=haircut * P,
        written_off_pairs=_frozen_unpaid(haircut, unpaid, failed),
    )


def _defaulters(unpaid: FloatArray, default: BoolArray, equity: FloatArray,
                haircut: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """What defaulters leave unpaid: kept by creditor banks, in all, and frozen (clearing).

    :func:`borne_by_creditor_banks`, :func:`_left_unpaid` and :func:`_frozen_unpaid`, each
    0 in a run with no defaulter (all three are masked to defaulters): worked out for the
    runs with one only, row by row, so the same bits as for every run.
    """
    R, N = default.shape
    rows = np.flatnonzero(default.any(axis=1))
    kept, left, frozen = np.zeros((R, N)), np.zeros((R, N)), np.zeros((R, N, N))
    if rows.size:
        u, d = unpaid[rows], default[rows]
        kept[rows] = borne_by_creditor_banks(u, d, equity[rows])
        left[rows] = _left_unpaid(u, d)
        frozen[rows] = _frozen_unpaid(haircut[rows], u, d)
    return kept, left, frozen


def _frozen_unpaid(haircut: FloatArray, unpaid: FloatArray, default: BoolArray) -> FloatArray:
    """The frozen share of what each defaulting debtor does not pay (R, N, N).

    Re-owed next year on the calibrated balance sheets, it would be frozen again when paid
    and written off the payee's capital a second time (outside review: the rest of the
    world wrote off 10.56 bn on a claim of 10.27 on Russia over three years of sanctions).
    Masked to defaulters: ``L - P`` may round where the debtor pays in full.
    """
    return np.where(default[:, :, None], haircut * np.maximum(unpaid, 0.0), 0.0)


def _left_unpaid(unpaid: FloatArray, default: BoolArray) -> FloatArray:
    """All each defaulting system leaves unpaid to other banks, frozen or not (R, N).

    Masked as in :func:`borne_by_creditor_banks`, and summed the same way, so the part it
    keeps and the part passed on add up to this to rounding.
    """
    return np.where(default[:, :, None], np.maximum(unpaid, 0.0), 0.0).sum(axis=2)


def borne_by_creditor_banks(unpaid: FloatArray, default: BoolArray,
                            equity: FloatArray) -> FloatArray:
    """What each defaulting system leaves unpaid that its creditor banks' capital bears (R, N).

    A creditor bank that defaults in turn passes the part of its unpaid claims that its
    capital cannot absorb on to its own creditors, where it is counted as theirs (its
    outside creditors' and depositors' losses, and what it leaves unpaid to its creditor
    banks). Counting it also at the first debtor counted it twice. A creditor's shortfall
    ``-equity`` is laid first on what its debtors left unpaid (then on its own losses), so
    it passes on ``min(unpaid_in, max(-equity, 0))``; the debtor's figure keeps the rest,
    in proportion to what each debtor left unpaid to it.

    Args:
        unpaid: ``L - P`` (R, N, N), what debtor ``i`` does not pay creditor ``j``.
        default: (R, N) which systems defaulted.
        equity: Equity after clearing (R, N), ``e + received - (l + b)``.

    Returns:
        Per debtor (R, N); zero where the system paid in full (masked: ``L - P`` may round).
    """
    u = np.where(default[:, :, None], np.maximum(unpaid, 0.0), 0.0)
    unpaid_in = u.sum(axis=1)
    passed = np.minimum(unpaid_in, np.maximum(-equity, 0.0))
    kept = np.divide(unpaid_in - passed, unpaid_in, out=np.ones_like(unpaid_in),
                     where=unpaid_in > 0)
    return (u * kept[:, None, :]).sum(axis=2)
