"""The common external tariff a run's answer states for each customs union.

The welfare table says who gains; a reader also asks what the union charges outsiders.
For each ``customs_union`` proposal of a run's scenario, :func:`run_union_tariffs` works
out, as the model sets them (:class:`scosim.proposals.customs_union.CustomsUnion`, its
``negotiate`` and ``apply``), the CET of the union of every state it invites (with the
blocs they bring) and each of those states' average tariff on imports from non-members
before the union and once it is fully phased in. Both are on the tariffs in force in the
answer's year, with the trade agreements that entered into force after the base year and
their preferences, as the model's baseline of that year has them
(:mod:`scosim.model.dated_agreements`; before 2026-12-06 the line took the base year's
tariffs, and Armenia's 3.73 -> 3.35 % in 2029 read 3.98 -> 3.58 % without the 2025
EAEU-Iran agreement). The averages are weighted by the base year's imports (the
calibration's CIF trade, 2023 in the packaged data), the same weights before and after,
as GATT Art. XXIV:5(a) compares duties, and all members' together (the Art. XXIV measure the
``art_xxiv`` CET rule holds; the run's own check weighs by the year's imports, which move
after the base year, so it can still flag a union this line shows level). :func:`cet_lines`
writes one
short line per union in force in the answer's year (``summary.txt``, under the bloc's
Art. XXIV line).

A member's average after is not the CET itself: the union's schedule charges fuel and
mineral exporters less and other exporters more (the composition factors), and a member
keeps preferences in force with non-members where they are below it and charges the Rest
of World the CET on its MFN share only (docs/customs_union.md). The run's membership may
differ from the union of all invitees (a no under an opt-in rule, an exit); the line says
so when it does in that year.

The cost is one set-up of a one-run model and no GE solve: about 0.15 s in a run's process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scosim.tty_lines import ANSWER_WIDTH, answer_lines, whole

__all__ = ["UnionTariffs", "cet_lines", "run_union_tariffs", "union_tariffs"]

#: Widest line of the answer's notes.
WIDTH = ANSWER_WIDTH
#: The CET rules (``cet`` of the proposal) in words.
#: The rates compared are of one kind, MFN trade-weighted means (scosim.data.cet_inputs);
#: a member whose WDI figure is missing is named after the rule, with what stands in.
RULES: dict[str, str] = {
    "weighted_mean": "import-weighted mean of the members' MFN trade-weighted rates",
    "mean": "mean of the members' MFN trade-weighted rates",
    "min": "lowest of the members' MFN trade-weighted rates",
    "max": "highest of the members' MFN trade-weighted rates",
    # The rule holds the members' average on base-year weights; the run's Art. XXIV line
    # weights by the year's imports, which have moved since, so it may still flag runs.
    "art_xxiv": "the highest uniform rate that does not raise the members' average tariff "
                "on outsiders at base-year imports, GATT Art. XXIV:5(a) as the 1994 "
                "Understanding assesses it; the run's own check, on the year's imports, "
                "can still flag it where trade has moved since"}


@dataclass(frozen=True)
class UnionTariffs:
    """A customs union's common external tariff and its members' tariffs on outsiders.

    Attributes:
        pid: The proposal's id.
        rule: The scenario's ``cet``: a rule's name, or a rate (fraction).
        cet: The CET the union of all invitees sets (fraction).
        members: Codes of the states it invites, with their blocs, in the data's order.
        before: ``{code: tariff}`` each member's average tariff on imports from
            non-members at the baseline tariffs in force in ``year`` (fraction).
        after: The same at the union's tariffs, fully phased in, in ``year``.
        full_year: The first year the scenario's schedule has the union fully phased in,
            if it enters into force as planned; None if it never is.
        base_year: The calibration's base year (the weights' year).
        year: The answer's year the averages are for: the tariffs in force then, or in
            ``full_year`` when that is later (the line's "once fully phased in").
        fallback: ``{code: note}`` for members whose rate in the CET rule is not the
            WDI MFN trade-weighted mean (:attr:`scosim.data.cet_inputs.CetInputs.fallback`).
        together: ``(before, after)``, all members' average tariff on imports from
            non-members, the same weights (Art. XXIV:5(a)'s measure at base-year imports,
            which the ``art_xxiv`` rule holds); None where not worked out.
    """

    pid: str
    rule: str | float
    cet: float
    members: tuple[str, ...]
    before: Mapping[str, float]
    after: Mapping[str, float]
    full_year: int | None
    base_year: int
    year: int
    fallback: Mapping[str, str] = dataclasses.field(default_factory=dict)
    together: tuple[float, float] | None = None


def _full_year(model: Any, arr: Any) -> int | None:
    """The first year the union is fully phased in when it enters into force as planned.

    None when the scenario's schedule never reaches 1.
    """
    from scosim.model.phase_in import ratification_lag

    p = arr.proposal
    entry = int(p.year) + int(ratification_lag(model, arr))
    if p.phase_in is None or p.phase_in.at(entry) >= 1.0:
        return entry
    full = [y for y in p.phase_in.years if p.phase_in.at(y) >= 1.0]
    return max(entry, min(full)) if full else None


def union_applied(model: Any, arr: Any, year: int) -> tuple[np.ndarray, Any, np.ndarray,
                                                              dict[str, Any]]:
    """A customs union fully applied on the tariffs in force in ``year``.

    The year's baseline is made as ``agreements_phase`` makes it: the agreements in force
    by then lower their cells and are preferences a union keeps below its CET. Then the
    proposal type's own ``negotiate`` and ``apply`` set the union's tariffs, in one run.

    Args:
        model: A one-run :class:`scosim.model.model.SCOModel`.
        arr: The model's :class:`scosim.proposals.customs_union.CustomsUnion` arrangement.
        year: The tariffs in force in this year.

    Returns:
        ``(base, policy, parts, terms)``: the ``(1, N, N)`` tariffs in force, the
        :class:`~scosim.model.policy.PolicyState` after ``apply``, the invitees and the
        negotiated terms.
    """
    from scosim.model.dated_agreements import preference_cells, tariffs_in_force
    from scosim.model.policy import PolicyState
    from scosim.model.policy_check import apply_checked

    base = np.broadcast_to(tariffs_in_force(model.tau_base, model.dated_agreements, year),
                           (1, model.N, model.N)).copy()
    pairs = preference_cells(model.N, model.dated_agreements, year)
    parts = arr.invitees(model)
    terms = arr.negotiate(model, parts)
    policy = PolicyState(tariffs=base.copy(), cost_change=np.ones_like(base),
                         preferences=pairs[None].copy() if pairs.any() else None)
    apply_checked(arr, policy, parts, np.ones(1), np.ones(1, dtype=bool), terms, R=1,
                  N=model.N, where="apply for the answer's CET line")
    return base, policy, parts, terms


def union_tariffs(scenario: Any, year: int,
                  calibration: Any | None = None) -> list[UnionTariffs]:
    """The :class:`UnionTariffs` of every ``customs_union`` proposal of ``scenario``.

    Args:
        scenario: A validated scenario.
        year: The answer's year: the averages are on the tariffs in force then (or in
            the union's ``full_year`` when that is later), as the model's baseline of
            that year has them.
        calibration: The calibration (default: the packaged tables ``scosim run`` loads).

    Returns:
        One entry per customs union, in the scenario's order; none without one.
    """
    from scosim.mechanisms.welfare_terms import average_external_tariffs
    from scosim.model.model import SCOModel
    from scosim.proposals.customs_union import CustomsUnion

    if not any(p.type == "customs_union" for p in scenario.proposals):
        return []
    model = SCOModel(scenario, runs=[0], calibration=calibration)
    trade = np.asarray(model.trade_cif0, dtype=float)  # base-year imports before duties
    out = []
    for arr in model.arrangements:
        if not isinstance(arr, CustomsUnion):
            continue
        full = _full_year(model, arr)
        when = year if full is None else max(year, full)
        base, policy, parts, terms = union_applied(model, arr, when)
        inside = parts[0]
        members = tuple(model.codes[j] for j in np.flatnonzero(inside))
        # The Art. XXIV measure of the run's check, on base-year weights.
        both = average_external_tariffs([base, policy.tariffs], trade, parts[:1])
        together = (float(both[0][0]), float(both[1][0]))
        before, after = {}, {}
        for j in np.flatnonzero(inside):
            outside = ~inside  # the importer is inside, so never among them
            w = trade[outside, j]
            if w.sum() <= 0.0:
                continue
            code = model.codes[j]
            before[code] = float(w @ base[0][outside, j] / w.sum())
            after[code] = float(w @ policy.tariffs[0][outside, j] / w.sum())
        out.append(UnionTariffs(
            pid=arr.pid, rule=arr.proposal.cet, cet=float(terms["cet"][0]),
            members=members,
            before=before, after=after, full_year=full,
            base_year=int(model.cal.base_year), year=when, together=together,
            fallback={c: model.mfn_inputs.fallback[c] for c in members
                      if c in model.mfn_inputs.fallback}))
    return out


def run_union_tariffs(run_dir: str | Path) -> Callable[[int], list[UnionTariffs]]:
    """:func:`union_tariffs` of a run's saved ``scenario.yaml``, for the year asked.

    The answer's year is known only once its table is drawn, so this returns a function
    of the year (none without a union, and nothing is set up until it is called).
    """
    import yaml

    saved = Path(run_dir) / "scenario.yaml"
    raw = (yaml.safe_load(saved.read_text(encoding="utf-8")) if saved.exists() else None)
    # Read before loading: most runs have no union, and need not load the scenario again.
    if not isinstance(raw, Mapping) or not any(
            isinstance(p, Mapping) and p.get("type") == "customs_union"
            for p in raw.get("proposals") or []):
        return lambda year: []

    def at(year: int) -> list[UnionTariffs]:
        from scosim.scenario.loader import load_scenario

        return union_tariffs(load_scenario(saved), year)

    return at


def _pct(x: float) -> str:
    return f"{100.0 * x:.2f}"


def cet_lines(unions: Sequence[UnionTariffs], st: Any, year: int) -> list[str]:
    """One wrapped line per union in force in ``year`` in some run.

    Args:
        unions: From :func:`run_union_tariffs`, for ``year``.
        st: The run's statistics (:class:`scosim.runstats.RunStats`): which unions were in
            force in ``year`` (``in_customs_union``), and whether every invitee was.
        year: The welfare table's year.

    Returns:
        Lines of at most :data:`WIDTH` characters; none when no union was in force.

    Raises:
        ValueError: A union's averages are of another year's tariffs.
    """
    if not unions or not st.has("in_customs_union"):
        return []
    share = st.mean("in_customs_union")
    if year not in share.index:
        return []
    row = share.loc[year]
    out: list[str] = []
    for u in unions:
        if u.year != (year if u.full_year is None else max(year, u.full_year)):
            raise ValueError(f"the tariffs of {u.pid} are those of {u.year}, not of {year}")
        inside = [float(row.get(c, 0.0)) for c in u.members]
        if not any(v > 0 for v in inside):
            continue
        rule = RULES.get(u.rule, str(u.rule)) if isinstance(u.rule, str) else "the scenario's rate"
        if isinstance(u.rule, str) and u.rule != "art_xxiv" and u.fallback:
            # A member without the WDI figure: say what stands in, and of which kind.
            rule += "".join(f"; WDI has no such rate for {c}: {note}"
                            for c, note in u.fallback.items())
        if u.full_year is None:
            when = "at full phase-in (which the scenario's schedule does not reach)"
        else:
            when = (f"in {year}" if year >= u.full_year
                    else f"once fully phased in ({u.full_year})")
        # Each member's pair on one line: "CHN 2.18" and "-> 3.89 %" apart read as two.
        pairs = ", ".join(whole(f"{c} {_pct(u.before[c])} -> {_pct(u.after[c])} %")
                          for c in u.members if c in u.before)
        text = (f"Common external tariff of {u.pid}: {_pct(u.cet)} % ({rule}); each member's "
                f"average tariff on imports from non-members {when}, weighted by base-year "
                f"({u.base_year}) imports, before -> after (the CET's schedule charges fuel "
                f"and minerals less and other goods more; preferences below it are kept): "
                f"{pairs}")
        if u.together is not None and np.isfinite(u.together).all():
            # Not the Art. XXIV line's average above it: other weights, other states.
            text += (f"; all {len(u.members)} invited states together, on the same "
                     f"{u.base_year} weights (the Art. XXIV line weighs by {year} imports "
                     "over the states in the bloc in each run): "
                     + whole(f"{_pct(u.together[0])} -> {_pct(u.together[1])} %"))
        text += "."
        if min(inside) < 1.0:
            text += (f" These cover all {len(u.members)} invited states; in {year} some runs "
                     "had fewer in the bloc (a no or an exit).")
        out += answer_lines(text, WIDTH)
    return out
