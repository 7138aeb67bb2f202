"""The bloc totals a run's answer states when a customs union or free-trade area is in force.

The GE trade mechanism records, for the accounting bloc (the first customs union or
free-trade area in force in a run, :meth:`scosim.model.policy.PolicyState.claim_bloc`),
the equivalent variation of its members, of everyone else and of the world, and the GATT
Art. XXIV check: the members' import-weighted external tariff before and after, whether
it rose, and whether outsiders lost more than members gained (docs/customs_union.md,
"Explained results"). Each is one value a run, recorded in every economy's column
(:data:`scosim.indicator_display.AGGREGATE_LABELS`) and held once, under its group, by the
run's statistics. They are the bloc's as it stands in that year of that run: after exits
and accessions, not the founding group's. In a run without a bloc the members' and the
outsiders' totals, the tariffs and both flags are NaN (there is no bloc to be outside of);
only the world's total is recorded in every run.

The run's answer (``summary.txt``, :func:`scosim.run_headline.headline_text`) states them
under its welfare table, in the table's year, as **medians** over runs with the 5-95 %
range: the statistic the README's figures for the shipped scenarios quote. They come from
the run's statistics (:class:`scosim.runstats.RunStats`), so memory does not grow with
the runs.

A total in US$ bn hid what a policy reader needs (outside referee, 2026-12-06), so the
answer also gives each total as a percent of its group's expenditure (the median of each
run's ratio, ``ev_members_pct`` ...); where one member's median EV is more than half the sum
of the members' positive medians, that member and the rest of the bloc, each the median of
its own part (``ev_member_usd``, ``ev_other_members_usd``: per run, they add up to the
members' total; their medians need not add up to its median) with the share of runs in
which it is below zero; and, where the world's 5-95 % range spans zero, that it is
indistinguishable from zero.
"""

from __future__ import annotations

import math

from scosim.answer_digits import places_shown, sig3_places
from scosim.indicator_display import US_BN, percent_of_runs, signed
from scosim.runstats import HIGH, LOW, YEAR0, RunStats
from scosim.tty_lines import ANSWER_WIDTH, answer_lines, whole

__all__ = ["BLOC_INDICATORS", "BLOC_SHARES", "BLOC_TOTALS", "DOMINANT", "SPLIT", "bloc_lines",
           "dominant_member", "runs_with_bloc"]

#: The members', outsiders' and world's equivalent variation (US$), in that order.
BLOC_TOTALS: tuple[str, ...] = ("ev_members_usd", "ev_outsiders_usd", "ev_world_usd")
#: The Art. XXIV check: external tariff before and after (percent), and two 0/1 flags.
ART24: tuple[str, ...] = ("union_external_tariff_before_pct",
                          "union_external_tariff_after_pct",
                          "art24_external_tariff_raised",
                          "outsiders_loss_exceeds_members_gain")
#: Each total as a percent of its group's expenditure (a ratio within each run).
BLOC_SHARES: tuple[str, ...] = ("ev_members_pct", "ev_outsiders_pct", "ev_world_pct")
#: A member's EV, and the rest of the bloc's, in each run it is a member: the split of
#: the members' total when one member takes most of the gains.
SPLIT: tuple[str, ...] = ("ev_member_usd", "ev_other_members_usd")
#: What a run's statistics gather for these lines (:func:`scosim.plot_data.summarised`).
BLOC_INDICATORS: tuple[str, ...] = (*BLOC_TOTALS, *BLOC_SHARES, *SPLIT, *ART24)
#: The members' total is split when one member's median EV is more than this share of the
#: sum of the members' positive medians (China's +69.8 bn of a +36.2 bn total, the other
#: ten -32.9 in every run of the shipped union: the total read as a gain of the members;
#: outside referee, 2026-12-06).
DOMINANT = 0.5
#: What the Art. XXIV line's averages weigh by and over whom: each run's imports of the
#: year without the union (the year's baseline, net of duties), over the states in its
#: bloc that year (``scosim.model.builtin_mechanisms.explained``).
WEIGHTS = "(weighted by {year} imports without the union, states in the bloc in {year}):"
#: Widest line: the answer's (:data:`scosim.tty_lines.ANSWER_WIDTH`).
WIDTH = ANSWER_WIDTH
#: The members' total is NaN exactly in the runs without a bloc: it counts them (each
#: total is held once, :meth:`scosim.runstats.RunStats.add_indicators`).
_MARKER = "ev_members_usd"


def runs_with_bloc(st: RunStats, year: int) -> int:
    """Runs in which a bloc was in force in ``year`` (0 when the run did not record it)."""
    if not st.has(_MARKER):
        return 0
    t = year - YEAR0
    counts = st.indicators[_MARKER].count
    # The same in every column; the largest is robust to an economy missing from a batch.
    return int(counts[t].max()) if 0 <= t < len(counts) and counts.shape[1] else 0


def _value(st: RunStats, name: str, year: int, q: float | None = None) -> float:
    """The mean (``q`` None) or ``q`` quantile over runs of a one-value-a-run indicator."""
    frame = st.mean(name) if q is None else st.quantile(name, q)
    if year not in frame.index:
        return float("nan")
    row = frame.loc[year].dropna()
    return float(row.iloc[0]) if len(row) else float("nan")


def _decimals(*values: float) -> int:
    """Decimals for US$ bn, set by the largest value: three significant figures of it.

    The rule of the answer's amounts (:func:`scosim.answer_digits.sig3_places`): +32.5,
    +3.30 and +0.0244 as in a table of US$ bn above (one from 1 and two below, before
    2026-12-07: "+3.3" and "+0.02"); none from 99.95; two for no value at all.
    """
    # NaN left out: max() over a NaN depends on the order of its arguments.
    top = max((abs(v) for v in values if math.isfinite(v)), default=0.0) / US_BN
    return sig3_places(top) if top > 0 else 2


def _bn(value: float, decimals: int | None = None) -> str:
    """US$ in billions, signed, to ``decimals`` places (by default by its own size)."""
    d = _decimals(value) if decimals is None else decimals
    # A loss that rounds to zero keeps its sign, as the welfare table's (-0.00).
    return signed(value / US_BN, d)


#: Below this (US$), a total and its band print in US$ million, as ``scosim transfers``
#: does: "+0.00000300" US$ bn hid the size behind six zeros (review, 2026-12-07).
MILLION_BELOW_USD = 0.1e9


def _band(mid: float, low: float, high: float, *, band_only: bool = False) -> str:
    """A median and its band at one precision, so ``-3.4 to +0.3``, not ``-3.4 to +0.25``.

    In US$ bn (the heading's unit); where all three are below :data:`MILLION_BELOW_USD`,
    in US$ million, said after the median (or the band), so the unit stays in the line.

    Args:
        mid: The median, US$.
        low: The band's low end, US$.
        high: The band's high end, US$.
        band_only: Only the band, ``low to high`` (with its unit where not US$ bn).
    """
    top = max((abs(v) for v in (mid, low, high) if math.isfinite(v)), default=0.0)
    if 0 < top < MILLION_BELOW_USD:
        d = sig3_places(top / 1e6)
        band = f"{signed(low / 1e6, d)} to {signed(high / 1e6, d)}"
        if band_only:
            return f"{band} US$ million"
        return f"{signed(mid / 1e6, d)} US$ million ({band})"
    d = _decimals(mid, low, high)
    band = f"{_bn(low, d)} to {_bn(high, d)}"
    return band if band_only else f"{_bn(mid, d)} ({band})"


def bloc_lines(st: RunStats, year: int, n_runs: int, places: int = 2) -> list[str]:
    """Members', outsiders' and world EV in ``year``, then the Art. XXIV check.

    Args:
        st: The run's statistics (with :data:`BLOC_INDICATORS`, when recorded).
        year: The welfare table's year.
        n_runs: The run's replications.
        places: The welfare table's decimals (:func:`scosim.answer_digits.welfare_places`):
            those of each total as a percent of its group's expenditure, the same unit.

    Returns:
        Three to about twelve lines; none when no run had a customs union or free-trade area in
        force in ``year`` (or the run did not record the totals).
    """
    n_bloc = runs_with_bloc(st, year)
    if not n_bloc or not all(st.has(n) for n in BLOC_TOTALS):
        return []
    totals = []
    for name, label in zip(BLOC_TOTALS, ("members", "outsiders", "world"), strict=True):
        mid, low, high = (_value(st, name, year, q) for q in (0.5, LOW / 100, HIGH / 100))
        totals.append(f"{label} {_band(mid, low, high)}")
    # The members are those of the year in each run (after exits and accessions), not the
    # founding group the welfare table lists: said, so the total is not read as theirs.
    # Nominal dollars of that year on the model's GDP path, which runs above the IMF's
    # (README, "Limitations"): not constant dollars, which "US$ bn" alone let one read.
    head = (f"Bloc totals in {year} (equivalent variation, US$ bn current of {year} on the "
            f"model's GDP path; members: those in the bloc in {year} in each run), median")
    band = f"({LOW}-{HIGH} % of runs)"
    if n_bloc >= n_runs:
        head += f" over {n_runs} runs {band}:"
        runs = " of runs"
        art24 = "GATT Art. XXIV:"
    else:
        # The members' and outsiders' totals are NaN in runs without a bloc: over the
        # runs with one; the world's is recorded in every run.
        head += f" ({LOW}-{HIGH} %), a bloc in {n_bloc} of {n_runs} runs:"
        totals[1] += f", both in those {n_bloc},"
        totals[2] += f" over all {n_runs}"
        runs = ""
        art24 = f"GATT Art. XXIV, in those {n_bloc} runs:"
    # One paragraph: the heading and its totals, each total kept whole on its line.
    out = _pack(" ".join([head, *(whole(t if t.endswith(",") else f"{t},") for t in totals[:-1]),
                          whole(totals[-1])]), indent="")
    out += (_share_lines(st, year, places) + _split_lines(st, year)
            + _zero_lines(st, year, n_runs))
    if all(st.has(n) for n in ART24):
        before, after = (_value(st, n, year, 0.5) for n in ART24[:2])
        raised, loses = (_value(st, n, year) for n in ART24[2:])
        tariff = (f"{whole(f'{before:.2f} % -> {after:.2f} %')} (medians over runs), "
                  f"rose in {percent_of_runs(raised, n_bloc)} %{runs}.")
        if _fta_only(st, year):  # Art. XXIV:5(b): each member of a free-trade area keeps its own
            tariff = (f"{whole(f'{before:.2f} % -> {after:.2f} %')} (medians over runs): a "
                      "free-trade area's members keep their own tariffs on outsiders.")
        if _union_or_fta(st, year):
            # Its weights and members said: the CET line below weighs by base-year imports
            # over every invited state, and gave another "before" in the same answer.
            out += _pack(f"{art24} members' average external tariff "
                         f"{WEIGHTS.format(year=year)} {tariff}", indent="")
        elif not runs:  # no Art. XXIV line said which runs the shares are of
            runs = f" of those {n_bloc} runs"
        out += _pack("Outsiders lost more than members gained (a welfare comparison, not "
                     f"an Art. XXIV test) in {percent_of_runs(loses, n_bloc)} %{runs}.",
                     indent="")
    return out


def _below_zero(st: RunStats, name: str, year: int, column: str | None = None) -> float:
    """Share of runs (with a value) in which ``name`` is below zero in ``year``.

    One less the share above zero (:meth:`RunStats.share_positive`, exact at any size): a
    value within :data:`scosim.runstats.ZERO` of zero (1e-9 US$) counts as below, which
    for a sum of US$ billions is no run.
    """
    frame = st.share_positive(name)
    if year not in frame.index:
        return float("nan")
    row = frame.loc[year]
    v = row.get(column, float("nan")) if column is not None else row.dropna().iloc[0]
    return 1.0 - float(v)


def _share_lines(st: RunStats, year: int, places: int = 2) -> list[str]:
    """Each total as a percent of its group's expenditure (runs made before: none).

    At the welfare table's ``places``, a percent of expenditure as its rows are ("+0.06"
    under "+0.04"; each to two significant figures before 2026-12-07, "+0.064"); a share
    that would read as a signed zero there with the fewest more that show its digit
    (:func:`scosim.answer_digits.places_shown`: the world's "+0.002", not "+0.00").
    """
    if not all(st.has(n) for n in BLOC_SHARES):
        return []
    shares = [_value(st, name, year, 0.5) for name in BLOC_SHARES]
    parts = [f"{label} {signed(v, places_shown(v, places))} %"
             for v, label in zip(shares, ("members", "outsiders", "world"), strict=True)]
    return _pack(" ".join(["each as a percent of its group's expenditure (median of each "
                           "run's ratio):", *(whole(p) + "," for p in parts[:-1]),
                           whole(parts[-1]) + "."]))


def dominant_member(st: RunStats, year: int) -> str | None:
    """The member whose median EV is over :data:`DOMINANT` of the members' gains, if any.

    The members are the economies in the bloc in ``year`` in some run; each one's median is
    over the runs in which it is a member (``ev_member_usd``); "the members' gains" is the
    sum of the positive medians. None when no member gains, or none takes that much.
    """
    if not all(st.has(n) for n in SPLIT) or year not in st.mean(SPLIT[0]).index:
        return None
    medians = st.quantile(SPLIT[0], 0.5).loc[year].dropna()
    gains = float(medians.clip(lower=0.0).sum())
    if not len(medians) or gains <= 0:
        return None
    top = str(medians.idxmax())
    return top if float(medians[top]) > DOMINANT * gains else None


def _split_lines(st: RunStats, year: int) -> list[str]:
    """The members' total as its dominant member and the others, each with its share < 0."""
    top = dominant_member(st, year)
    if top is None:
        return []
    from scosim.data.constants import NAMES

    t = year - YEAR0
    counts = st.indicators[SPLIT[0]].count[t]
    n_bloc = runs_with_bloc(st, year)
    # Every member in the bloc in every run with one: "the other 10"; else they vary.
    n_others = int((counts > 0).sum()) - 1
    others = (f"the other {n_others} members" if (counts[counts > 0] == n_bloc).all()
              else "the other members (those of each run)")
    own, rest = (_value(st, n, year, 0.5) for n in SPLIT)
    total = _value(st, BLOC_TOTALS[0], year, 0.5)
    d = _decimals(own, rest, total)
    name = NAMES.get(top, top)
    with_top = int(counts[st.indicators[SPLIT[0]].countries.index(top)])
    below = [percent_of_runs(_below_zero(st, n, year, top), with_top) for n in SPLIT]
    # A median of a sum is not the sum of the medians: said, so the two are not added up.
    most = "half" if DOMINANT == 0.5 else f"{100 * DOMINANT:g} %"
    parts = (f"{name} {_bn(own, d)}", f"{others} {_bn(rest, d)}")
    # With the members' total a loss (a min CET: members -6.8), "takes more than half of
    # the members' gains" read as a share of a gain the members did not make; with the
    # leader's median above the total (China +72.5 against +38.4), as a half of it.
    if total < 0:
        why = (f" ({name} gains while the members together lose; its median is more than "
               f"{most} of the sum of the members' positive medians)")
    elif own > total:
        why = ""
        parts = (f"{name} gains more than the members together ({_bn(own, d)} against "
                 f"{_bn(total, d)})",
                 # "lose 35.0", not "lose -35.0" (read as a gain of 35).
                 f"{others} lose {_bn(-rest, d)[1:]}" if rest < 0 else f"{others} {_bn(rest, d)}")
    else:
        why = (f" ({name} takes more than {most} of the members' gains, the sum of their "
               "positive medians)")
    text = (f"members' total split{why}: {parts[0]}, below zero in {below[0]} % of runs; "
            f"{parts[1]}, below zero in {below[1]} % of runs (each the median of its own "
            f"part over the runs with {name} in the bloc: the two need not add up to the "
            "total's median).")
    return _pack(text)


def _zero_lines(st: RunStats, year: int, n_runs: int) -> list[str]:
    """The world's total in words where its 5-95 % range straddles zero."""
    mid, low, high = (_value(st, BLOC_TOTALS[2], year, q) for q in (0.5, LOW / 100, HIGH / 100))
    if not (low < 0 < high):
        return []
    below = percent_of_runs(_below_zero(st, BLOC_TOTALS[2], year), n_runs)
    return _pack(f"world: indistinguishable from zero: its {LOW}-{HIGH} % range of runs "
                  f"({_band(mid, low, high, band_only=True)}) spans zero, and it is below "
                  f"zero in {below} % of runs.")


def _in_year(st: RunStats, name: str, year: int) -> bool:
    """Whether some economy is in ``name``'s arrangement in ``year`` in some run."""
    return st.has(name) and year in st.mean(name).index and bool(
        (st.mean(name).loc[year] > 0).any())


def _fta_only(st: RunStats, year: int) -> bool:
    """A free-trade area in ``year`` and no customs union: the bloc keeps its tariffs."""
    return (_in_year(st, "in_free_trade_area", year)
            and not _in_year(st, "in_customs_union", year))


def _union_or_fta(st: RunStats, year: int) -> bool:
    """A customs union or free-trade area in force in ``year`` in some run.

    Art. XXIV speaks of these two only: a bloc a plug-in type claims with
    ``policy.claim_bloc`` (an energy club, say) has no common external tariff, and "rose
    in 0 % of runs" read as a finding about it. Which arrangement claimed the bloc is not
    recorded, so a plug-in's bloc beside a union is still checked as the union's.
    """
    return _in_year(st, "in_customs_union", year) or _in_year(st, "in_free_trade_area", year)


def _pack(text: str, indent: str = "  ", width: int = WIDTH) -> list[str]:
    """A paragraph, ``text``, wrapped once at ``width`` (:func:`scosim.tty_lines.answer_lines`).

    The answer's one rule: a top-level paragraph (``indent`` "") is flush left, an item
    under it begins at ``indent`` and its continuation lines hang two deeper. A part
    that must not be split is marked with :func:`scosim.tty_lines.whole`.
    """
    return answer_lines(text, width, indent=indent, subsequent=indent + "  " if indent else "")
