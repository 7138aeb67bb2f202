"""Who loses what in a failed system's liquidation: the BRRD's ranking of deposits.

The no-creditor-worse-off bound of a resolution (BRRD art. 34(1)(g), 73-75) is what each
class of creditors would lose "if the institution ... had been wound up under normal
insolvency proceedings" (art. 74(2)(b)). In those proceedings the estate goes down the
ranking that Directive 2014/59/EU art. 108 (as amended by Directive (EU) 2017/2399)
requires of national insolvency law:

1. covered (insured) deposits, and the deposit guarantee scheme subrogated to them
   (art. 108(1)(b));
2. the part of eligible deposits of natural persons and micro, small and medium-sized
   enterprises above the coverage level (art. 108(1)(a)): in the model, every uninsured
   deposit (the tables do not split households and SMEs from large corporates, whose
   deposits rank with ordinary claims: their loss is understated here);
3. ordinary unsecured claims: the non-deposit outside debt and the interbank debt, pari
   passu. Deposits of credit institutions are excluded from deposit guarantee repayment
   (Directive 2014/49/EU art. 5(1)(a)), so they are not eligible deposits and art. 108 does
   not prefer them: interbank claims are ordinary unsecured claims.

The model applies this ranking to every economy's system, its stated assumption. Russia's
insolvency law is close to it: in a credit institution's bankruptcy the claims of natural
persons on their bank deposits rank first (Federal Law No. 127-FZ "On Insolvency
(Bankruptcy)", art. 189.92(3)), and the Deposit Insurance Agency, having paid the insured
deposits, is satisfied in the same rank as the depositors it paid (Federal Law No. 177-FZ
"On Insurance of Deposits", art. 12(2)); it prefers individuals' deposits whole, insured
or not, and not those of legal entities.

:func:`ranked_losses` lays an estate down this ranking. It serves both places where the
model asks who loses what in a failure (docs/finance.md sections 2 and 5):

- the year's failure path (:func:`outside_losses`, ``system.step`` step 6): the clearing
  decides who fails and what each defaulter pays in all, and, by its seniority parameter,
  how that divides between outside and interbank creditors; the ranking then divides the
  outside creditors' part among their classes, deposits first. The interbank creditors'
  part is the clearing's, so the clearing vector is the same whatever the ranking.
  Pari passu, Eisenberg-Noe's split gives them their pro rata share of the whole estate,
  more than art. 108 would (deposits would be paid first out of all of it), so the
  ordinary outside debt bears the deposits' preference alone; external-senior, they are
  paid after all outside creditors, less than art. 108 would give them;
- the no-creditor-worse-off bound of a resolution (``system.step`` step 4): the whole
  estate, outside and interbank, laid down the ranking with the interbank debt pari passu
  with the ordinary debt, as art. 108 has it, and each class held to the smaller of that
  and its loss in the model's failure path, so that a resolution takes from no class more
  than either would. Pari passu the first is never the larger (the interbank creditors get
  more from the clearing than from the ranking, so the outside creditors less); external-
  senior the second never is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ClassLosses", "outside_losses", "ranked_losses", "smaller"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ClassLosses:
    """Share of its claims each class of creditors would lose in liquidation (R, N).

    Attributes:
        insured: Covered deposits (art. 108(1)(b)).
        uninsured: Deposits above the coverage level (art. 108(1)(a)).
        ordinary: Non-deposit outside debt, ordinary unsecured, ranking with interbank debt.
    """

    insured: FloatArray
    uninsured: FloatArray
    ordinary: FloatArray

    @classmethod
    def pro_rata(cls, share: ArrayLike) -> ClassLosses:
        """Every class loses the same share: no ranking among outside creditors."""
        s = np.asarray(share, float)
        return cls(insured=s, uninsured=s, ordinary=s)

    @classmethod
    def none(cls, shape: tuple[int, ...]) -> ClassLosses:
        """Nobody loses anything (the system would not fail)."""
        return cls.pro_rata(np.zeros(shape))


def _lost(paid: FloatArray, claim: FloatArray) -> FloatArray:
    """``1 - paid / claim``, in [0, 1]; 0 where nothing is owed."""
    share = np.divide(paid, claim, out=np.ones_like(claim), where=claim > 0)
    return np.clip(1.0 - share, 0.0, 1.0)


def ranked_losses(
    estate: ArrayLike,
    failed: ArrayLike,
    *,
    insured: ArrayLike,
    uninsured: ArrayLike,
    ordinary: ArrayLike,
    interbank: ArrayLike,
) -> ClassLosses:
    """Each class's loss share when a failed system's estate goes down art. 108's ranking.

    Covered deposits are paid first, then uninsured deposits, then ordinary debt and
    interbank debt in proportion to their claims. A system that does not fail pays
    everyone in full.

    Args:
        estate: What the system pays its creditors in all, outside and interbank (R, N).
        failed: (R, N) booleans, systems that default.
        insured: Covered deposits (R, N) or (N,).
        uninsured: Deposits above the coverage level (R, N) or (N,).
        ordinary: Non-deposit outside debt (R, N) or (N,).
        interbank: Interbank debt still owed (R, N) or (N,).

    Returns:
        The :class:`ClassLosses`, 0 where the system does not fail.
    """
    fail = np.asarray(failed, bool)
    left = np.maximum(np.asarray(estate, float), 0.0)
    ins = np.broadcast_to(np.maximum(np.asarray(insured, float), 0.0), left.shape)
    unins = np.broadcast_to(np.maximum(np.asarray(uninsured, float), 0.0), left.shape)
    ords = np.broadcast_to(np.maximum(np.asarray(ordinary, float), 0.0), left.shape)
    ib = np.broadcast_to(np.maximum(np.asarray(interbank, float), 0.0), left.shape)
    paid_ins = np.minimum(left, ins)
    left = left - paid_ins
    paid_unins = np.minimum(left, unins)
    left = left - paid_unins
    junior = ords + ib
    paid_ord = ords * np.minimum(np.divide(left, junior, out=np.ones_like(junior),
                                           where=junior > 0), 1.0)
    return ClassLosses(insured=np.where(fail, _lost(paid_ins, ins), 0.0),
                       uninsured=np.where(fail, _lost(paid_unins, unins), 0.0),
                       ordinary=np.where(fail, _lost(paid_ord, ords), 0.0))


def outside_losses(
    outside_paid: ArrayLike,
    failed: ArrayLike,
    *,
    insured: ArrayLike,
    uninsured: ArrayLike,
    ordinary: ArrayLike,
) -> ClassLosses:
    """Each outside class's loss share when a defaulter's payment to them goes down art. 108.

    The failure path's split: the clearing has already fixed what the defaulter pays its
    outside creditors together (its seniority parameter sets their part against the
    interbank creditors'), so the interbank claims take no part here and the payment goes
    to covered deposits, then uninsured deposits, then the ordinary debt.

    Args:
        outside_paid: What the system pays its outside creditors in all (R, N).
        failed: (R, N) booleans, systems that default.
        insured: Covered deposits (R, N) or (N,).
        uninsured: Deposits above the coverage level still owed (R, N) or (N,).
        ordinary: Non-deposit outside debt still owed (R, N) or (N,).

    Returns:
        The :class:`ClassLosses`, 0 where the system does not fail; the classes' losses,
        share times claim, add up to the outside creditors' shortfall.
    """
    return ranked_losses(outside_paid, failed, insured=insured, uninsured=uninsured,
                         ordinary=ordinary, interbank=0.0)


def smaller(a: ClassLosses, b: ClassLosses) -> ClassLosses:
    """Each class's smaller loss share of the two: it loses no more than under either."""
    return ClassLosses(insured=np.minimum(a.insured, b.insured),
                       uninsured=np.minimum(a.uninsured, b.uninsured),
                       ordinary=np.minimum(a.ordinary, b.ordinary))
