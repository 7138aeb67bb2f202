"""Trade agreements that enter into force after the calibration's base year.

The bundled tariff matrix holds the agreements in force on 31 December of the base year
(2023, :func:`scosim.data.tariffs.tariffs_2023`). The calibration's agreements table (WTO
RTA database, with each party's own entry date: ``cal.agreement_spells``) holds later
ones too: the EAEU-Iran free-trade agreement (RTA 1316, in force from 15 May 2025 between
Iran and each of Armenia, Belarus, Kazakhstan, Kyrgyzstan and Russia, both ways; it
replaces the 2019 interim agreement, which cut duties on a list of goods only) and
China-Maldives (RTA 990, from 1 January 2025, both ways). Until 2026-12-06 every simulated
year kept the 2023 matrix, so a run starting in 2025 charged Russia's goods 6.2 % in Iran
and credited a customs union with cuts the 2025 agreement had already made.

From the first simulated year in which such an agreement is in force on 31 December (the
table's year convention, :mod:`scosim.data.agreements`), the year's baseline has it, in
every scenario alike:

* tariffs: exactly the pair cells whose deepest agreement becomes deeper are lowered, by
  the rule of the bundled matrix: to zero under a free-trade area or customs union, to
  ``1 - margin`` of the MFN-based rate under a partial-scope agreement, the agreement's
  own margin (``cal.psa_margins``, :mod:`scosim.data.psa_margins`) (a cell
  under the base year's partial-scope preference keeps its MFN-based rate's
  composition adjustment: its new rate is the bundled cell times the ratio of the two
  rules). Every other cell keeps the bundled value. The India-Pakistan suspension's cells
  are left alone, as the bundled rule leaves them (a suspension overrides an agreement).
* trade: the baseline flows become the GE equilibrium at the new tariffs (the flows of
  the model's own trade solve from the base year's flows to the new tariffs, at each
  run's sigma, on the adjustment clock below),
  so that welfare, trade and revenue are still measured "against the same year without
  the policy", and the world without the policy has the agreement.
* preferences: the pairs are preferences in force from that year, which a customs union
  keeps or, with ``replace_preferences``, overrides as it does those of the base year
  (:func:`scosim.model.policy.baseline_policy`).

Trade adjusts to the agreement as it does to an arrangement's tariffs, on the same clock
with the same parameters (:func:`scosim.mechanisms.baseline_path.adjustment_share`,
``parameters.trade.short_run_share`` and ``adjustment_years``): ``k`` years after the
agreement's year its pairs' baseline is the GE at the legal tariffs with the short-run
elasticity ``1 + a (sigma - 1)``, ``a = min(1, s + (1 - s) k / T)``
(:func:`scosim.mechanisms.baseline_path.short_run_inputs`). The year's baseline is
solved from the base year's flows each year while ``a < 1``, so a run starting in 2027
has the same baseline in 2027 as a run that started in 2025. The tariff cut itself is
whole at entry: the WTO table gives an agreement's end of implementation (China-Maldives
2032, EAEU-Iran 2025) but no yearly schedule. The clock's parameters are the trade slot's
mechanism's (``ge_trade``): with another mechanism in the slot, or none, nothing reads
them and the agreement's whole effect arrives in its first year. An
agreement that ends without a deeper successor would raise tariffs; none among the 27
does after 2023, and such an end is not applied (a deeper successor, like the interim
agreement's, is). Each agreement is logged once per run, as an ``agreement_in_force``
event of every party, in the year the model applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.data.agreements import deepest
from scosim.data.calibration import derived, read_only
from scosim.data.psa_margins import margin_map, psa_margin
from scosim.data.tariffs import SUSPENSION_PAIRS
from scosim.model.events import EventField

if TYPE_CHECKING:
    from scosim.model.model import SCOModel

__all__ = ["EVENT_FIELDS", "DatedAgreement", "adjustment_steps", "agreements_phase",
           "dated_agreements", "tariffs_in_force"]

#: Detail fields of the ``agreement_in_force`` event.
EVENT_FIELDS: dict[str, EventField] = {
    "agreement": EventField("str", "agreement_in_force: WTO RTA id, type and name"),
    "entered": EventField("str", "agreement_in_force: date the party's entry into force"),
}

def _rule(kind: str | None, rid: int, margins: dict[int, float]) -> float:
    """Multiple of the importer's MFN-based rate an agreement of ``kind`` leaves."""
    if kind is None:
        return 1.0
    if kind == "PSA":
        return 1.0 - psa_margin(margins, rid)
    return 0.0  # a free-trade area or customs union


@dataclass(frozen=True)
class DatedAgreement:
    """An agreement's cells that its entry into force in ``year`` lowers.

    Attributes:
        rta_id: WTO RTA id.
        kind: ``CU``, ``FTA`` or ``PSA``.
        name: WTO name of the agreement.
        year: First year it is in force on 31 December for these pairs.
        entered: ISO date of the latest of the two parties' entries, per cell.
        cells: ``(exporter, importer)`` model indices of the pairs it lowers.
        scale: Each cell's new rate as a multiple of its bundled (base-year) rate.
        rates: Each cell's new rate in the calibration's own matrix.
    """

    rta_id: int
    kind: str
    name: str
    year: int
    entered: tuple[str, ...]
    cells: tuple[tuple[int, int], ...]
    scale: tuple[float, ...]
    rates: tuple[float, ...]

    def parties(self, codes: tuple[str, ...]) -> dict[str, list[str]]:
        """Each party's partners under the agreement (codes), in model order."""
        out: dict[str, set[str]] = {}
        for i, j in self.cells:
            out.setdefault(codes[i], set()).add(codes[j])
            out.setdefault(codes[j], set()).add(codes[i])
        return {c: sorted(out[c], key=codes.index) for c in sorted(out, key=codes.index)}


def dated_agreements(cal: Any, codes: tuple[str, ...], last: int) -> tuple[DatedAgreement, ...]:
    """The agreements that lower a cell of ``cal.tariffs`` after the base year, to ``last``.

    Compares each year's deepest agreement of every pair with the year before's, from the
    base year (:func:`scosim.data.agreements.deepest`): a pair whose rule falls (MFN to
    partial scope, partial scope to free trade) gets the new rule's rate. Computed once
    per calibration.

    Args:
        cal: The calibration (``agreement_spells``, ``tariffs``, ``base_year``).
        codes: Economies in model order.
        last: Last simulated year.

    Returns:
        One entry per agreement and year, by year then RTA id; empty without an
        agreements table or when ``last`` is not after the base year.
    """
    spells = getattr(cal, "agreement_spells", None)
    base = int(cal.base_year)
    if spells is None or len(spells) == 0 or last <= base:
        return ()

    def compute() -> tuple[DatedAgreement, ...]:
        tau = cal.tariffs.loc[list(codes), list(codes)].to_numpy(dtype=float)
        idx = {c: k for k, c in enumerate(codes)}
        names = dict(zip(spells["rta_id"].astype(int), spells["name"].astype(str), strict=True))
        start = {(str(e), str(m), int(r)): str(d) for e, m, r, d in zip(
            spells["exporter"], spells["importer"], spells["rta_id"], spells["from_date"],
            strict=True)}
        table = getattr(cal, "psa_margins", None)
        margins = margin_map(table) if table is not None else {}
        first = deepest(spells, base)
        prev = {k: _rule(v[0], v[1], margins) for k, v in first.items()}
        out: list[DatedAgreement] = []
        for year in range(base + 1, last + 1):
            now = deepest(spells, year)
            groups: dict[tuple[int, str], list[tuple[int, int, float, str]]] = {}
            for (e, m), (kind, rid) in sorted(now.items()):
                if e not in idx or m not in idx or (e, m) in SUSPENSION_PAIRS:
                    continue
                rule, was = _rule(kind, rid, margins), prev.get((e, m), 1.0)
                if rule >= was:
                    continue
                prev[(e, m)] = rule
                base_rule = (_rule(*first[(e, m)], margins) if (e, m) in first else 1.0)
                scale = 0.0 if rule == 0.0 else rule / base_rule
                groups.setdefault((rid, kind), []).append(
                    (idx[e], idx[m], scale, start.get((e, m, rid), "")))
            for (rid, kind), cells in sorted(groups.items()):
                out.append(DatedAgreement(
                    rta_id=rid, kind=kind, name=names.get(rid, ""), year=year,
                    entered=tuple(c[3] for c in cells),
                    cells=tuple((c[0], c[1]) for c in cells),
                    scale=tuple(c[2] for c in cells),
                    rates=tuple(float(tau[c[0], c[1]]) * c[2] for c in cells)))
        return tuple(out)

    return derived(cal, ("dated_agreements", tuple(codes), int(last)), compute)


def tariffs_in_force(tau: np.ndarray, entries: tuple[DatedAgreement, ...],
                     year: int) -> np.ndarray:
    """``tau`` (base-year tariffs, ``(..., N, N)``) with the entries of years up to ``year``.

    A fresh array; ``tau`` is left as it is. Entries apply in year order, each cell taking
    its bundled rate times the entry's scale (the later, deeper entry last).
    """
    out = np.array(tau, dtype=float, copy=True)
    for entry in entries:
        if entry.year > year:
            break
        for (i, j), s in zip(entry.cells, entry.scale, strict=True):
            out[..., i, j] = tau[..., i, j] * s
    return out


def preference_cells(n: int, entries: tuple[DatedAgreement, ...], year: int) -> np.ndarray:
    """``(N, N)`` bool: the pairs the entries of years up to ``year`` give a preference."""
    out = np.zeros((n, n), dtype=bool)
    for entry in entries:
        if entry.year <= year:
            for i, j in entry.cells:
                out[i, j] = True
    return out


def adjustment_steps(
    entries: tuple[DatedAgreement, ...], tau: np.ndarray, year: int,
    short_run_share: float, adjustment_years: int,
) -> list[tuple[int, np.ndarray, float]]:
    """The solves from the base year's baseline to ``year``'s: one per entry year.

    Each step takes the tariffs in force after the entries of its year, at the share of
    the long-run response those entries have reached in ``year``
    (:func:`scosim.mechanisms.baseline_path.adjustment_share`, the arrangements' rule).
    A year whose entries leave every cell as it was has no step.

    Args:
        entries: The model's dated agreements (by year).
        tau: Base-year tariffs, ``(N, N)`` or ``(R, N, N)``.
        year: The simulated year.
        short_run_share: ``parameters.trade.short_run_share``.
        adjustment_years: ``parameters.trade.adjustment_years``.

    Returns:
        ``(entry year, tariffs after it, adjustment share)`` in year order.
    """
    from scosim.mechanisms.baseline_path import adjustment_share

    steps: list[tuple[int, np.ndarray, float]] = []
    before = np.asarray(tau, dtype=float)
    for when in sorted({e.year for e in entries if e.year <= year}):
        after = tariffs_in_force(tau, entries, when)
        if (after != before).any():
            share = float(adjustment_share(year - when, short_run_share, adjustment_years))
            steps.append((when, after, share))
        before = after
    return steps


def _clock(model: SCOModel) -> tuple[float, int]:
    """``(short_run_share, adjustment_years)`` of the trade slot's ``ge_trade``, else (1, 0).

    The parameters are the trade slot's mechanism's (``scosim.scenario.slot_settings``):
    without it nothing reads them, and trade responds at once.
    """
    from scosim.model.builtin_mechanisms import GETrade

    if any(slot == "trade" and isinstance(m, GETrade) for slot, m in model.mechanisms):
        trade = model.scenario.parameters.trade
        return float(trade.short_run_share), int(trade.adjustment_years)
    return 1.0, 0


def agreements_phase(model: SCOModel, year: int) -> None:
    """Bring the agreements in force by ``year`` into the model's baseline, adjusting.

    Runs first in a year (:func:`scosim.model.phases.tick`), so that the year's Council
    previews and trade solve share the baseline. In the first simulated year it applies
    every entry since the base year; later, those of ``year``. Where the tariffs or the
    shares of the adjustment clock change, the baseline flows become the GE equilibrium
    reached from the base year's flows (:func:`adjustment_steps`: each run's sigma, the
    short-run elasticity of each step's share, the scenario's deficit closure, no
    trade-cost change) and the caches of the old baseline are dropped. Once every entry
    is fully adjusted nothing is solved again.

    Raises:
        ValueError: The GE solve to the new baseline does not converge in some run.
    """
    from scosim.mechanisms.baseline_path import short_run_inputs
    from scosim.mechanisms.deficit_purge import solver_closure
    from scosim.mechanisms.trade import solve_ge

    entries = model.dated_agreements
    first = year == model.years[0]
    due = tuple(e for e in entries if e.year == year or (first and e.year < year))
    steps = adjustment_steps(entries, model.tau_base, year, *_clock(model))
    # What the baseline depends on: the steps' years and shares (the tariffs follow).
    key = tuple((when, share) for when, _, share in steps)
    if steps and key != model.agreement_clock:
        trade = model.scenario.parameters.trade
        # The steps' rates are statutory; the GE solves them at the collection rates.
        flows, tau, stat = model.flows_base, model.collected(model.tau_base), model.tau_base
        for when, after, share in steps:
            solved = model.collected(after)
            new = np.broadcast_to(solved, (model.R, model.N, model.N))
            # The arrangements' rule: the legal tariffs at sigma_a = 1 + a (sigma - 1).
            _, sigma = short_run_inputs(tau, new, model.sigma, np.full(model.R, share))
            ge = solve_ge(flows, sigma=sigma, tariffs=tau, new_tariffs=new,
                          deficits=solver_closure(trade.deficits), on_fail="flag")
            if not np.all(ge.converged):
                bad = int(model.run_ids[int(np.argmin(ge.converged))])
                raise ValueError(
                    f"the {year} baseline with the trade agreements entering into force in "
                    f"{when} does not solve in run {bad}; set parameters.trade.sigma nearer "
                    "the calibrated 5")
            flows, tau, stat = ge.flows, solved, after
        if np.ndim(model.flows_base) == 2 and np.all(flows == flows[:1]):
            flows = flows[0]  # one sigma in every run: the baseline stays one (N, N) matrix
        model.tau_stat = read_only(stat)  # fresh arrays: from tariffs_in_force, flows the solve's
        model.tau0 = model.collected(model.tau_stat)
        model.flows0 = read_only(flows)
        model.expenditure0 = model.flows0.sum(axis=-2)
        model.agreement_clock = key
        # Caches keyed on the old baseline (GE solves, the RAS re-basing of the flows), and
        # the re-basing's warm start: a matrix of the old flows' RAS family, from which the
        # re-basing would keep the old pattern (a run from 2024 lost the 2025 FTA's trade).
        model._ge_cache = None
        model._rebased = None
        model.rebase_start = None
    if not due:
        return
    model.agreement_pairs = preference_cells(model.N, entries, year)
    for entry in due:
        agreement = f"RTA {entry.rta_id} ({entry.kind}) {entry.name}"
        dates = dict(zip(entry.cells, entry.entered, strict=True))
        for code, partners in entry.parties(model.codes).items():
            k = model.codes.index(code)
            when = sorted({d for (i, j), d in dates.items() if k in (i, j)})
            model.log.add(None, year, "agreement_in_force", code, agreement=agreement,
                          entered=when[-1] if when else "", with_=partners)
