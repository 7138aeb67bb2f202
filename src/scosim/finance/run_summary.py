"""What the banking figure draws, summarised over runs batch by batch in bounded memory.

:func:`scosim.finance.plots.plot_banking` draws, for a group of economies, the share of runs
in a banking crisis per year, each run counted once at its worst outcome (a failure, a
system caught and left undercapitalised, a resolution: :func:`outcomes`), the fiscal cost
per year (mean and 5th-95th percentile over runs), the deposit insurance fund (median and
band) and who paid over the whole period (mean and band). Each is a statistic over runs of a
per-run sum over the group, so a run contributes a few numbers: :class:`BankingStream` takes
them batch by batch (counts, and :class:`scosim.runstats.IndicatorStats` for means and
percentiles), and the figure of a run of 100,000 replications needs no more memory than one
of 1,000. :func:`summarise` gives the same summary from ``(R, T, N)`` arrays in memory (the
finance ensemble's, for comparisons of variants).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scosim.answer_parts import SAME
from scosim.indicator_stats import YEAR0
from scosim.runstats import HIGH, LOW, ZERO, IndicatorStats

__all__ = ["NOT_RECORDED_BEFORE", "PARTS", "PAYERS", "RUN_INDICATORS", "BankingStream",
           "BankingSummary", "outcomes", "summarise"]

#: Who bears the cost of failures and resolutions (indicator, label), each recorded at
#: the economy whose banking system failed or was resolved. A resolution's creditors
#: lose their bail-in; a failure's lose their share in default: the two creditor bars
#: stand side by side so that a union is not read as adding a cost its absence hides.
PAYERS: tuple[tuple[str, str], ...] = (
    # Gross, as Laeven & Valencia's fiscal outlays: of the treasury's recapitalisation,
    # the equity bought may later be sold; the next bar is that part, the difference lost.
    ("fiscal_cost", "treasuries, gross\n(incl. recapitalisation)"),
    ("fiscal_recap", "treasuries: of which\nequity bought"),
    # Of the gross, a solvent system's recapitalisation where the BRRD's 8 % was not met:
    # only under public_backstop "unconstrained" (finance/resolution.py, step 4).
    ("precautionary_recap", "treasuries: of which\nprecautionary"),
    ("fund_payout", "deposit insurance fund\n(paid from contributions)"),
    # Where the fund's money came from: the group's banks' contributions over the period
    # (the fund's payout is recorded at the system it paid for, so a group's bar is paid
    # for it, possibly out of others' compartments: fund_net_transfer_usd per economy).
    # The fund pays out of these: the labels say so, or a reader adds the money twice.
    ("fund_contribution", "banks: contributions\nto the fund (its source)"),
    ("bail_in", "creditors:\nbailed in"),
    # In default the deposits are paid first (BRRD art. 108): the labels say so.
    ("creditor_losses", "creditors, paid after\ndeposits: lost in default"),
    ("depositor_losses", "uninsured depositors, paid\nbefore creditors: lost in default"),
    ("interbank_unpaid", "other banks:\nunpaid interbank"),
)

#: Payers part of another in every run, by the names :func:`summarise` reads: the finance
#: mechanism's ``headline_parts`` (tests/test_finance_answer_parts.py checks they agree),
#: each with what the who-paid panel's merged bar says of it. Where a part equals its whole
#: in every run, year and economy, summary.txt prints one table (scosim.answer_parts) and
#: the panel one bar.
PARTS: dict[str, tuple[str, str]] = {
    "fiscal_recap": ("fiscal_cost", "equity bought"),
    "precautionary_recap": ("fiscal_cost", "precautionary"),
}

#: Recorded indicator (results table) -> the name :func:`summarise` reads.
RUN_INDICATORS: dict[str, str] = {
    "bank_failures": "failures",
    "bank_resolutions": "resolutions",
    "bank_resolutions_refused": "resolution_refused",
    "fiscal_cost_usd": "fiscal_cost",
    "fiscal_recap_usd": "fiscal_recap",
    "precautionary_recap_usd": "precautionary_recap",
    "fund_balance_usd": "fund_balance",
    "fund_payout_usd": "fund_payout",
    "fund_contribution_usd": "fund_contribution",
    "bail_in_usd": "bail_in",
    "creditor_losses_usd": "creditor_losses",
    "depositor_losses_usd": "depositor_losses",
    "interbank_unpaid_usd": "interbank_unpaid",
}

#: Payers' indicators that older runs lack (the treasuries' recapitalisation and its
#: precautionary part since 2026-12-06, the others since 2026-12-05): their figure, drawn
#: again, shows those payers as not recorded (NaN), not as zero.
NOT_RECORDED_BEFORE: frozenset[str] = frozenset({"creditor_losses_usd", "interbank_unpaid_usd",
                                                 "bank_resolutions_refused",
                                                 "fiscal_recap_usd",
                                                 "precautionary_recap_usd",
                                                 "fund_contribution_usd"})

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BankingSummary:
    """The banking figure's statistics of one variant (money in US$ billion).

    Attributes:
        n_runs: Runs summarised.
        failed: ``(T,)`` runs with a failure in the group, per year.
        resolved: ``(T,)`` runs with a resolution before contagion and neither a failure
            nor a system left undercapitalised in the group, per year.
        undercapitalised: ``(T,)`` runs without a failure in which a system was caught
            but refused public money and, solvent, left to clearing with the capital it
            had (:func:`outcomes`), per year.
        cost_mean: ``(T,)`` mean fiscal cost a year.
        cost_band: ``(2, T)`` its 5th and 95th percentile over runs.
        cost_above: ``T`` arrays: in a year whose mean lies above its 95th percentile, the
            values of the runs above that percentile, ascending (empty in other years).
            They pull the mean outside the band (in ``finance_crisis.yaml``'s 2026, one
            run's US$2,130 bn, China's failure beside Russia's: mean 92.7, band to 87.0);
            the figure draws them, so the mean the answer prints is not left unexplained.
        fund_median: ``(T,)`` median deposit insurance fund at year end.
        fund_band: ``(2, T)`` its 5th and 95th percentile.
        fund_any: Whether any run had a fund balance other than zero.
        payer_mean: ``(P,)`` mean total over the period of each of :data:`PAYERS`.
        payer_band: ``(2, P)`` their 5th and 95th percentile.
        cost_nonzero: ``(3, T)`` runs with a fiscal cost, its smallest and largest
            (NaN without): drawn in place of the band where at least half the runs have
            none (:mod:`scosim.rare_runs`).
        payer_nonzero: ``(3, P)`` the same of each payer's total.
        same_as_whole: The parts (``parts``) equal to their whole in every run, year and
            economy recorded (not the group alone: summary.txt's test, whose one line the
            figure's one bar repeats), where the whole is not zero everywhere.
        parts: The parts tested, as :data:`PARTS` (part -> (whole, what the merged bar
            says)): the run's recorded ``headline_parts`` (:func:`figure_parts`); None
            reads :data:`PARTS`.
    """

    n_runs: int
    failed: FloatArray
    resolved: FloatArray
    undercapitalised: FloatArray
    cost_mean: FloatArray
    cost_band: FloatArray
    cost_above: tuple[FloatArray, ...]
    fund_median: FloatArray
    fund_band: FloatArray
    fund_any: bool
    payer_mean: FloatArray
    payer_band: FloatArray
    cost_nonzero: FloatArray
    payer_nonzero: FloatArray
    same_as_whole: tuple[str, ...] = ()
    parts: Mapping[str, tuple[str, str]] | None = None

    @property
    def part_map(self) -> Mapping[str, tuple[str, str]]:
        """``parts``, or :data:`PARTS` where not given."""
        return PARTS if self.parts is None else self.parts


def figure_parts(run_dir: str | Path) -> dict[str, tuple[str, str]]:
    """The banking figure's parts from the run's recorded ``headline_parts``.

    As summary.txt reads them (:func:`scosim.answer_parts.run_parts`: the run's manifest,
    ``plugins.declared.mechanisms.finance.headline_parts``, else the mechanism's class),
    by the names :func:`summarise` reads; the merged bar says :data:`PARTS`' words for a
    part it knows, else the part's name. :data:`PARTS` where the run declares no finance
    headline indicator (a review found the figure deciding from :data:`PARTS` alone while
    summary.txt followed the record, 2026-12-07).
    """
    from scosim.answer_parts import run_parts
    from scosim.mechanism_answer import run_headline_indicators

    heads = [h for name, h in run_headline_indicators(run_dir).items()
             if name in RUN_INDICATORS]
    if not heads:
        return dict(PARTS)
    out = {}
    for part, (whole, _) in run_parts(heads[0]).items():
        if part in RUN_INDICATORS and whole in RUN_INDICATORS:
            key = RUN_INDICATORS[part]
            words = PARTS[key][1] if key in PARTS else part.removesuffix("_usd").replace(
                "_", " ")
            out[key] = (RUN_INDICATORS[whole], words)
    return out


def outcomes(failures: FloatArray, resolutions: FloatArray, refused: FloatArray
             ) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Each run's banking outcome in a year, counted once: ``(R, T)`` flags of a group.

    The resolution authority catches a system before clearing; it is then resolved, or,
    short of the BRRD's 8 % and of what bail-in and the fund can cover, refused public
    money and left to clearing, where an insolvent one fails and a solvent one keeps the
    capital it has (finance/resolution.py). A run is counted at its worst outcome over
    the group: a failure, else a system left undercapitalised, else a resolution. The
    three flags are disjoint and their union is "a crisis": so the shares of runs add up
    (the per-economy shares of the answer do not: a refused system that fails is both).

    Args:
        failures: ``(R, T, N)`` 0/1 of the group's economies, ``bank_failures``.
        resolutions: The same of ``bank_resolutions``.
        refused: The same of ``bank_resolutions_refused`` (NaN where not recorded).

    Returns:
        ``(failed, undercapitalised, resolved)``, each ``(R, T)``.
    """
    fail = np.asarray(failures, float) > 0
    failed = fail.any(axis=2)
    # NaN (a run recorded before refusals were) compares False: none left undercapitalised.
    left = ((np.asarray(refused, float) > 0) & ~fail).any(axis=2) & ~failed
    resolved = (np.asarray(resolutions, float) > 0).any(axis=2) & ~failed & ~left
    return failed, left, resolved


def _per_run(arrays: Mapping[str, FloatArray], idx: Sequence[int]) -> dict[str, FloatArray]:
    """Per-run sums over the group: ``(R, T)`` a year, ``(R, P)`` over the period."""
    def cut(key: str) -> FloatArray:
        return np.asarray(arrays[key], dtype=float)[:, :, idx]

    def group(key: str) -> FloatArray:
        return cut(key).sum(axis=2)

    fails = cut("failures")
    refused = (cut("resolution_refused") if "resolution_refused" in arrays
               else np.zeros_like(fails))
    failed, left, resolved = outcomes(fails, cut("resolutions"), refused)
    return {
        "failed": failed,
        "undercapitalised": left,
        "resolved": resolved,
        "cost": group("fiscal_cost") / 1e9,
        "fund": group("fund_balance") / 1e9,
        "payers": np.stack([group(name).sum(axis=1) / 1e9 for name, _ in PAYERS], axis=1),
    }


def _parts_same(arrays: Mapping[str, FloatArray], parts: Mapping[str, tuple[str, str]] = PARTS
                ) -> dict[str, tuple[bool, bool]]:
    """Each of ``parts``: (equal to its whole in every cell, the whole not all zero).

    Run by run, with :func:`scosim.answer_parts.all_of_whole`'s tolerance (which compares
    means: a part at most its whole has equal means only where it is equal in every run).
    Cells not recorded count as 0, as there; a part recorded nowhere is not equal.
    """
    out = {}
    for part, (whole, _) in parts.items():
        p = np.asarray(arrays.get(part, np.nan), float)
        w = np.nan_to_num(np.asarray(arrays[whole], float))
        if np.isnan(p).all():
            out[part] = (False, False)
            continue
        diff = np.abs(np.nan_to_num(p) - w)
        out[part] = (bool(np.all(diff <= SAME * np.abs(w) + ZERO)),
                     bool(np.any(np.abs(w) > ZERO)))
    return out


def _nonzero(x: FloatArray) -> FloatArray:
    """``(3, K)``: runs (axis 0) beyond :data:`ZERO`, their smallest and largest value."""
    nz = np.abs(x) > ZERO
    with np.errstate(invalid="ignore"):
        lo = np.where(nz.any(axis=0), np.where(nz, x, np.inf).min(axis=0), np.nan)
        hi = np.where(nz.any(axis=0), np.where(nz, x, -np.inf).max(axis=0), np.nan)
    return np.stack([nz.sum(axis=0).astype(float), lo, hi])


def summarise(arrays: Mapping[str, FloatArray], idx: Sequence[int],
              parts: Mapping[str, tuple[str, str]] | None = None) -> BankingSummary:
    """The summary of ``(R, T, N)`` arrays in memory (percentiles as :func:`numpy.percentile`).

    Args:
        arrays: ``failures, resolutions, fiscal_cost, fund_balance`` and the payers'
            indicators, each ``(R, T, N)``.
        idx: Positions of the group's economies on the last axis.
        parts: The parts to test (:func:`figure_parts`); None: :data:`PARTS`.
    """
    r = _per_run(arrays, idx)
    cost, fund, payers = r["cost"], r["fund"], r["payers"]
    mean, band = cost.mean(axis=0), np.percentile(cost, [LOW, HIGH], axis=0)
    return BankingSummary(
        n_runs=int(cost.shape[0]),
        failed=r["failed"].sum(axis=0).astype(float),
        resolved=r["resolved"].sum(axis=0).astype(float),
        undercapitalised=r["undercapitalised"].sum(axis=0).astype(float),
        cost_mean=mean,
        cost_band=band,
        cost_above=tuple(np.sort(c[c > top]) if m > top else np.empty(0)
                         for c, m, top in zip(cost.T, mean, band[1], strict=True)),
        fund_median=np.median(fund, axis=0),
        fund_band=np.percentile(fund, [LOW, HIGH], axis=0),
        fund_any=bool(np.any(np.asarray(arrays["fund_balance"]))),
        payer_mean=payers.mean(axis=0),
        payer_band=np.percentile(payers, [LOW, HIGH], axis=0),
        cost_nonzero=_nonzero(cost),
        payer_nonzero=_nonzero(payers),
        same_as_whole=tuple(k for k, (same, paid) in _parts_same(
            arrays, PARTS if parts is None else parts).items() if same and paid),
        parts=parts,
    )


class BankingStream:
    """:class:`BankingSummary` of a run's indicator tables, added batch by batch.

    The group is the SCO members of the first run's first year (all economies when the
    run recorded no membership), read from the first batch added: batches are added in
    batch order, and the first holds run 0. ``parts``: the parts to test
    (:func:`figure_parts`, the run's recorded ``headline_parts``); None: :data:`PARTS`.
    """

    def __init__(self, parts: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.parts = parts
        self.codes: list[str] | None = None
        self.years: list[int] = []
        self.group: list[str] | None = None
        self.n_runs = 0
        self._failed: FloatArray | None = None
        self._resolved: FloatArray | None = None
        self._left: FloatArray | None = None
        self._fund_any = False
        self._cost = IndicatorStats(["all"])
        self._fund = IndicatorStats(["all"])
        self._payers = IndicatorStats([name for name, _ in PAYERS])
        # Each part: equal to its whole so far, and the whole paid somewhere (flat in runs).
        self._parts = {part: (True, False) for part in (PARTS if parts is None else parts)}

    def add(self, df: pd.DataFrame) -> None:
        """Add one batch's tidy rows (run, year, country, indicator, value)."""
        df = df[df["indicator"].isin([*RUN_INDICATORS, "member"])]
        required = set(RUN_INDICATORS) - NOT_RECORDED_BEFORE
        if df.empty or not (required <= set(df["indicator"].unique())):
            return
        if self.codes is None:
            fail = df[df["indicator"] == "bank_failures"]
            self.codes = list(dict.fromkeys(fail["country"].astype(str)))
            self.years = sorted(int(y) for y in fail["year"].unique())
            mem = df[(df["indicator"] == "member") & (df["year"] == self.years[0])
                     & (df["run"] == df["run"].min()) & (df["value"] > 0)]
            members = set(mem["country"].astype(str))
            self.group = [c for c in self.codes if c in members] or None
        runs = np.sort(df["run"].unique())
        arrays = {}
        for name, key in RUN_INDICATORS.items():
            if name not in required and not (df["indicator"] == name).any():
                arrays[key] = np.full((len(runs), len(self.years), len(self.codes)), np.nan)
                continue
            wide = df[df["indicator"] == name].pivot_table(
                index=["run", "year"], columns="country", values="value", observed=True)
            wide = wide.reindex(columns=self.codes)
            arrays[key] = wide.to_numpy(dtype=float).reshape(len(runs), len(self.years),
                                                             len(self.codes))
        idx = [self.codes.index(c) for c in (self.group or self.codes)]
        self._parts = {k: (was[0] and now[0], was[1] or now[1]) for (k, was), now in
                       zip(self._parts.items(), _parts_same(
                           arrays, PARTS if self.parts is None else self.parts).values(),
                           strict=True)}
        r = _per_run(arrays, idx)
        n, t = r["cost"].shape
        self.n_runs += n
        failed, resolved = r["failed"].sum(axis=0), r["resolved"].sum(axis=0)
        self._failed = failed if self._failed is None else self._failed + failed
        self._resolved = resolved if self._resolved is None else self._resolved + resolved
        left = r["undercapitalised"].sum(axis=0)
        self._left = left if self._left is None else self._left + left
        self._fund_any = self._fund_any or bool(np.any(arrays["fund_balance"]))
        years = np.tile(np.asarray(self.years), n)
        zeros = np.zeros(n * t, dtype=np.int64)
        self._cost.add(years, zeros, r["cost"].reshape(-1))
        self._fund.add(years, zeros, r["fund"].reshape(-1))
        p = len(PAYERS)
        self._payers.add(np.full(n * p, self.years[-1]), np.tile(np.arange(p), n),
                         r["payers"].reshape(-1))

    def summary(self) -> BankingSummary | None:
        """The summary of every batch added (None if none had the finance indicators)."""
        if self._failed is None:
            return None
        years, last = self.years, self.years[-1]
        payers = [name for name, _ in PAYERS]

        def at(stats: IndicatorStats, q: float | None) -> pd.DataFrame:
            # Mean (q None) or quantile over runs: rows years, columns the cells' names.
            return stats.mean() if q is None else stats.quantile(q)

        def band(stats: IndicatorStats) -> FloatArray:
            return np.stack([at(stats, q / 100.0)["all"].reindex(years).to_numpy(float)
                             for q in (LOW, HIGH)])

        cost_mean = at(self._cost, None)["all"].reindex(years).to_numpy(float)
        cost_band = band(self._cost)
        return BankingSummary(
            n_runs=self.n_runs,
            failed=self._failed.astype(float),
            resolved=self._resolved.astype(float),
            undercapitalised=self._left.astype(float),
            cost_mean=cost_mean,
            cost_band=cost_band,
            cost_above=self._above(cost_mean, cost_band[1]),
            fund_median=at(self._fund, 0.5)["all"].reindex(years).to_numpy(float),
            fund_band=band(self._fund),
            fund_any=self._fund_any,
            payer_mean=at(self._payers, None).loc[last].reindex(payers).to_numpy(float),
            payer_band=np.stack([at(self._payers, q / 100.0).loc[last].reindex(payers)
                                 .to_numpy(float) for q in (LOW, HIGH)]),
            cost_nonzero=np.stack([f["all"].reindex(years).to_numpy(float)
                                   for f in self._cost.nonzero_runs().values()]),
            payer_nonzero=np.stack([f.loc[last].reindex(payers).to_numpy(float)
                                    for f in self._payers.nonzero_runs().values()]),
            same_as_whole=tuple(k for k, (same, paid) in self._parts.items() if same and paid),
            parts=self.parts,
        )

    def _above(self, mean: FloatArray, top: FloatArray) -> tuple[FloatArray, ...]:
        """:attr:`BankingSummary.cost_above` from the runs' order statistics.

        The runs above the 95th percentile are among the order statistics of rank past
        ``(n - 1) * HIGH / 100``, where :func:`numpy.percentile` interpolates; each is
        read as the ``higher`` quantile half a rank below it (exact while the values are
        held, within the sketch's bound beyond), only in the years that need them.
        """
        n = self.n_runs
        need = mean > top  # NaN compares False
        if n < 2 or not need.any():
            return tuple(np.empty(0) for _ in self.years)
        first = max(int(np.floor((n - 1) * HIGH / 100.0)), 1)
        qs = [(i - 0.5) / (n - 1) for i in range(first, n)]
        values = self._cost.quantiles(qs, "higher")
        out = []
        for year, wanted, t in zip(self.years, need, top, strict=True):
            v = values[year - YEAR0]  # one column ("all"): a year's cell is its offset
            out.append(np.sort(v[v > t]) if wanted else np.empty(0))
        return tuple(out)
