"""The sentences of a comparison report that explain how to read it.

How the changes and intervals are computed (the method), what the world and bloc
totals and the equivalent variation compared are, and which rows the table leaves
out. :func:`scosim.report.write_report` places them under the table; ``ev_note`` is
also printed under the terminal table of ``scosim compare``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scosim.compare import Comparison, interval_label
from scosim.compare_pairs import one_side_text
from scosim.compare_shares import share_method_text


def _method_text(comparison: Comparison) -> list[str]:
    lvl = f"{comparison.level * 100:g} %"
    how = (
        f"mean ± t(R−1) × sd / √R, the Student-t {lvl} confidence interval"
        if comparison.method == "t"
        else f"the {lvl} percentile bootstrap interval (runs resampled with replacement)"
    )
    return [
        "Each policy run is paired with the baseline run of the same index. Both use the same "
        "seed, so run r of each draws the same random numbers (common random numbers): the "
        "run-level difference, policy minus baseline, is the effect of the policy in that "
        "possible world, not a difference in luck.",
        f"**Mean change** is the average of the paired differences over R runs. "
        f"**{interval_label(comparison.method, comparison.level)}** is {how}: how precisely "
        "the average effect is known; it narrows as more runs are added.",
        "**Median change** is the middle of the same paired differences, the statistic the "
        "run's answer and the README give: a few runs that move far (a member leaving, "
        "say) pull the mean away from the median. Over time it is taken year by year, so "
        "its line need not follow any one run.",
        f"**{interval_label('percentile', comparison.level)}** is the range holding the central "
        f"{lvl} of the run-level differences: how much the effect varies between possible "
        "worlds; more runs do not narrow it.",
        "**Share of runs above baseline** counts runs where the policy value exceeds the "
        "baseline value. Whether higher is better depends on the indicator (more trade, "
        "fewer incidents): the figures colour a change green when it is good news for the "
        "economy, red when it is bad news, and blue when the indicator is neither (a "
        "membership, an effort, a transfer). Only welfare figures speak of gains and losses.",
        *share_method_text(comparison.summary, comparison.level),
    ]


def _notes(comp: Comparison, inds: Sequence[str], aggs: Mapping[str, str], *,
           empty_rows: bool = True) -> list[str]:
    """What a reader needs to know of world and bloc totals and of the EV compared.

    ``empty_rows``: whether the table shows rows without a paired run ("– with 0 runs").
    """
    out = []
    shown = {i: aggs[i] for i in inds if i in aggs}
    if shown:
        out.append(
            "**World and bloc totals** (" + ", ".join(f"{i}: {v}" for i, v in shown.items())
            + ") are one value for all economies, recorded in every economy's column: the "
            "table and figures show each once, under the group's name."
        )
    if empty_rows and not (comp.summary["n_runs"] > 0).all():
        out.append(
            "**– with 0 runs**: no run has a value in both scenarios there, e.g. a bloc's "
            "figure (its external tariff, its members' total) against a baseline without "
            "the bloc, or an economy outside it; there is no difference to show."
        )
    if only := one_side_text(comp.one_side):
        out.append(f"**Recorded by one run only**, so not compared ({only}): a mechanism or "
                   "proposal type that only one of the scenarios has. The rest is compared.")
    if note := ev_note(comp, inds):
        out.append(f"**{note[0]}** {note[1]}")
    vinerian = [i for i in inds if i in ("trade_creation_usd", "trade_diversion_usd")
                and i in comp.own_baseline]
    if vinerian:
        out.append(
            f"**Trade creation and diversion** ({', '.join(vinerian)}) are measured inside "
            "each run, for the union's participants, against that year's trade without the "
            "policy. The baseline run has no trade policy, so they are zero there by "
            "construction (it records none, having no union): the changes shown are the "
            "policy run's own, over the runs in which the economy was in the union that "
            "year (**runs** column)."
        )
    return out


def ev_note(comp: Comparison, inds: Sequence[str]) -> tuple[str, str] | None:
    """What the equivalent variation compared is a difference of: heading and sentences.

    EV is measured inside each run against that year's baseline without the policy, so
    "policy minus baseline" of a baseline run without trade policy is the policy run's
    own EV (the baseline's is zero by construction). The report's method section and the
    terminal table ``scosim compare`` prints (:func:`scosim.api.compare_table`) both say
    it, in these words.

    Args:
        comp: The comparison (its ``own_baseline`` and ``own_policy``).
        inds: Indicators shown; only the ``ev_*`` among them are named.

    Returns:
        ``("Equivalent variation", "(ev_usd, ...) is measured ...")``, or None when no
        EV indicator is shown.
    """
    ev = [i for i in inds if i.startswith("ev_")]
    own = [i for i in ev if i in comp.own_baseline]
    head = "Equivalent variation"
    if own and all(i in comp.own_policy for i in own):
        return head, (
            f"({', '.join(own)}) is measured inside each run, "
            "against that year's baseline without the policy. Neither run has a trade "
            "policy in force (every EV each records is within US$ 1,000 of zero): it is "
            "zero in both by construction, and no difference is shown.")
    if own:
        return head, (
            f"({', '.join(own)}) is measured inside each run, "
            "against that year's baseline without the policy. The baseline run has no trade "
            "policy, so its EV is zero by construction (within US$ 1,000 of zero, and no "
            "bloc total, having no bloc): the changes shown are the policy "
            "run's own EV. The members' and the outsiders' totals count only the runs in "
            "which the bloc existed that year (**runs** column: no bloc, no outsiders); the "
            "world's counts every run.")
    if ev:
        return head, (
            f"({', '.join(ev)}) is measured inside each run, "
            "against that year's baseline without the policy. The baseline run records an "
            "EV of its own (a trade policy, or the trade costs of its events such as "
            "sanctions or insecurity), so the changes are the policy run's EV minus the "
            "baseline run's; a bloc total that only one of the runs has cannot be differenced "
            "and shows – with 0 runs.")
    return None


def _unchanged_text(still: Mapping[str, Sequence[str]], unpaired: Mapping[str, Sequence[str]],
                    year: int, n_runs: int, shown: Mapping[str, int]) -> str:
    """The lines under the report's table naming the rows it leaves out.

    ``shown`` counts each indicator's rows left in the table: none left (and none of
    the other kind) reads "every economy", fewer than those left out "every economy not
    in the table (27)", rather than 27 codes.
    """
    def which(i: str, cs: Sequence[str], other: Mapping[str, Sequence[str]]) -> str:
        if not shown.get(i) and not other.get(i) and len(cs) > 1:
            return "every economy"
        if 0 < shown.get(i, 0) < len(cs) and not other.get(i):
            return f"every economy not in the table ({len(cs)})"
        return ", ".join(cs)

    lines = []
    for rows, other, why in (
            (still, unpaired, f"no difference in any of the {n_runs} paired runs in {year}"),
            (unpaired, still, f"no run has a value in both scenarios in {year} (e.g. a "
                              "bloc's figure against a baseline without the bloc)")):
        if rows:
            lines.append(f"**Not in the table**, {why}: "
                         + "; ".join(f"{i}: {which(i, cs, other)}" for i, cs in rows.items())
                         + ".")
    return "\n\n".join(lines)
