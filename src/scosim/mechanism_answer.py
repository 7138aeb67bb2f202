"""What a run's mechanisms and proposals answer: the lines their headline indicators add.

A yearly mechanism (docs/mechanisms.md) names in ``Mechanism.headline`` the indicators
that answer what it is for (the finance slot's ``banking_systems``: bank failures,
resolutions, fiscal cost, bail-in); a proposal type names its own in
``ProposalType.headline`` (a corridor: what its hosts pay and the energy it delivers).
When its slot is filled, or the scenario has a proposal of the type, the run's answer
(``summary.txt``, what ``scosim run`` prints, :mod:`scosim.run_headline`) opens with
them, so a banking-crisis or a pipeline scenario is not answered by trade welfare alone.
Nothing here knows a particular mechanism or type: what is shown, and how, comes from
the declaration.

Each indicator is read from the run's statistics (:class:`scosim.runstats.RunStats`,
the numbers ``summary.csv`` holds) in the year it is largest (the sum over economies of
its mean, or of its share of runs, is highest):

* ``share`` (1 when something happens, e.g. a banking system fails): per economy, the
  share of runs in which it happened that year, and the mean number of such years a run
  over the whole period;
* ``total`` (a flow, e.g. a fiscal cost in US$): per economy, the mean over runs that
  year with the 5th-95th percentile across runs, and the mean total over the period
  (a sum of yearly means, so exact); then the SCO members together (means only: a
  percentile of a sum is not a sum of percentiles; not for percentages of each economy's
  own income, which do not add up);
* ``level`` (a stock or a present value, e.g. what a corridor's host pays, in present
  value): as ``total`` without the total over the period, which would count the same
  amount once a year, and in the last year of its largest value (a present value fixed
  at entry into force reads as the state at the end);
* ``net`` (the welfare change less what the owner's ``welfare_excludes`` names, e.g. a
  corridor's payments annualised as the Council's preview scores them): no block of its
  own, but columns beside the welfare change in the who-gains table, in its year: the
  median over runs with the 5th-95th percentile, as the welfare (:func:`net_columns`).

Each table lists up to five SCO members, largest first, then up to three other economies
with a value in the year shown (as the welfare table lists the largest gains and losses
among the others), and counts the rest: the members among them with the members ("and 2
more members: ..."), the others under "other economies". Indicators that are 0 in every
run and year are named together on one line per block.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from scosim.answer_digits import sig3
from scosim.answer_table import layout
from scosim.data.constants import NAMES
from scosim.indicator_display import NAMES as INDICATOR_NAMES
from scosim.indicator_display import display, in_percent
from scosim.rare_runs import peak_line, rare_note, shown_year, spread_cells
from scosim.runstats import HIGH, LOW, ZERO, RunStats
from scosim.tty_lines import answer_lines

__all__ = ["SANCTIONS_VERSUS", "HeadlineIndicator", "declared_headline", "economy_label",
           "filled_mechanisms", "has_mechanism_answer", "mechanism_lines", "net_columns",
           "proposal_types_of", "run_headline_indicators", "run_welfare_versus", "welfare_versus"]

#: SCO members listed per indicator, largest first; the rest are counted.
ROWS = 5
#: Other economies listed after them (those with a value in the year shown, largest first),
#: as the welfare table lists the largest gains and losses among the others: a corridor's
#: non-member host (Turkmenistan, Afghanistan) pays, and was counted, not shown.
OTHERS = 3


@dataclass(frozen=True)
class HeadlineIndicator:
    """An indicator a filled slot's mechanism, or a proposal type, names in the answer."""

    kind: str  #: one of ``scosim.plugins.HEADLINE_KINDS`` (``share``, ``total``, ``level``, ...)
    unit: str | None  #: as the mechanism or type declares it
    slot: str  #: the slot the mechanism fills; ``""`` for a proposal type
    mechanism: str  #: the mechanism's name, or the proposal type's
    #: A proposal type's ``writes_levers`` (``finance.settlement_floor``): the slots it
    #: acts through, whose shock year its block shows (:func:`mechanism_lines`).
    levers: tuple[str, ...] = ()
    #: Its mechanism's ``headline_parts`` as the run recorded them, ``(part, whole,
    #: what)``; None for a run made before they were (:mod:`scosim.answer_parts`).
    parts: tuple[tuple[str, str, str], ...] | None = None

    def acts_in(self, slots: Collection[str]) -> bool:
        """Whether its block belongs to one of ``slots``: its own, or a lever's prefix."""
        return self.slot in slots or any(lv.split(".")[0] in slots for lv in self.levers)

    @property
    def heading(self) -> str:
        """Whose indicators these are, as the answer's block heading names it."""
        if not self.slot:
            return f"{self.mechanism} proposals"
        return f"{self.mechanism} (the {self.slot} slot)"


def filled_mechanisms(run_dir: str | Path) -> dict[str, str]:
    """``{key: mechanism}`` of the mechanisms a run's slots held, from its ``scenario.yaml``.

    Keyed as the run's manifest records them (:func:`scosim.model.slots.keyed`): the slot
    for a slot's first mechanism, ``<slot>[<i>]`` for the one at place ``i`` of its list.
    """
    import yaml

    from scosim.model.slots import keyed

    saved = Path(run_dir) / "scenario.yaml"
    if not saved.exists():
        return {}
    params = (yaml.safe_load(saved.read_text()) or {}).get("parameters") or {}
    written = params.get("mechanisms") or {}
    return {str(k): str(n) for k, n in keyed(written).items() if n}


def declared_headline(
    mechanisms: Mapping[str, str], recorded: Mapping[str, Mapping[str, Any]] | None = None,
    types: Iterable[str] = (), recorded_types: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, HeadlineIndicator]:
    """The headline indicators the mechanisms filling ``{slot: name}`` declare, in slot order.

    Then those of the proposal ``types`` (the scenario's proposals' types, in their order),
    from ``recorded_types`` (the manifest's record) first, else from the registry; a type
    neither knows adds nothing.

    ``recorded``: what the run's manifest records each slot's mechanism declares
    (:func:`scosim.plugin_manifest.read_declarations`), used before the registry, so a
    mechanism this process cannot import (a plug-in named by dotted path, a run from
    another machine) still answers. A mechanism neither recorded nor found (a plug-in
    since uninstalled) adds nothing: the answer of an old run is still shown, with what
    can be read.
    """
    from scosim.model.slots import slot_of

    out: dict[str, HeadlineIndicator] = {}
    for slot in _slot_order(mechanisms):
        decl = _declaration(slot, mechanisms[slot], recorded)
        if decl is None:
            continue
        recorded_parts = decl.get("headline_parts")
        parts = None if recorded_parts is None else tuple(
            (p, w, what) for p, (w, what) in recorded_parts.items())
        for name, kind in decl["headline"].items():
            out.setdefault(name, HeadlineIndicator(kind, decl["indicators"].get(name),
                                                   slot_of(slot), decl["name"], parts=parts))
    for type_name in dict.fromkeys(types):
        tdecl = _type_declaration(type_name, recorded_types)
        for name, kind in (tdecl or {}).get("headline", {}).items():
            # The class's own name: ``type_name`` may be the dotted path a scenario wrote.
            out.setdefault(name, HeadlineIndicator(kind, tdecl["indicators"].get(name), "",
                                                   tdecl.get("name", type_name),
                                                   tuple(tdecl.get("writes_levers") or ())))
    return out


def _type_declaration(name: str, recorded: Mapping[str, Mapping[str, Any]] | None
                      ) -> Mapping[str, Any] | None:
    """What the proposal type ``name`` declares: the run's record, else the registry's class.

    The record is keyed by the type's name and holds no ``name``; the class gives its own.
    """
    from scosim.proposals import get_type

    return _known(name, recorded, lambda: get_type(name),
                  ("name", "indicators", "headline", "welfare_excludes", "writes_levers"))


def _known(key: str, recorded: Mapping[str, Mapping[str, Any]] | None, find: Any,
           fields: tuple[str, ...]) -> Mapping[str, Any] | None:
    """What a plug-in declares: the run's record, else its class's ``fields``.

    ``recorded[key]`` when the run recorded it, else ``fields`` of the class ``find()``
    returns; None when neither knows it (a plug-in since uninstalled).
    """
    if recorded and key in recorded:
        return recorded[key]
    from scosim.plugins import PluginError

    try:
        cls = find()
    except (PluginError, ImportError):
        return None
    return {f: getattr(cls, f) for f in fields}


def _slot_order(mechanisms: Mapping[str, str]) -> list[str]:
    """The keys of ``{key: name}`` in slot order, a slot's own keys in list order."""
    from scosim.model.slots import SLOTS

    def place(key: str) -> tuple[int, int]:
        slot, _, rest = key.partition("[")
        return (SLOTS.index(slot) if slot in SLOTS else len(SLOTS),
                int(rest.rstrip("]")) if rest.rstrip("]").isdigit() else 0)

    return sorted(mechanisms, key=place)


def _declaration(slot: str, name: str,
                 recorded: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Any] | None:
    """What the mechanism ``name`` at ``slot`` (a :func:`filled_mechanisms` key) declares.

    The run's record when it has the key, else the class the registry finds; None when
    nothing knows it.
    """
    from scosim.model.slots import get_mechanism

    return _known(slot, recorded, lambda: get_mechanism(name),
                  ("name", "indicators", "headline", "compared", "welfare_versus",
                   "welfare_excludes", "headline_parts"))


#: What a scenario's ``sanctions`` events with a trade cost add to the comparison.
SANCTIONS_VERSUS = "the trade costs of the scenario's sanctions"


def welfare_versus(mechanisms: Mapping[str, str], policy: bool = True,
                   recorded: Mapping[str, Mapping[str, Any]] | None = None,
                   sanctions: bool = False, types: Iterable[str] = (),
                   recorded_types: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """What welfare changes are measured against, with what else changes trade costs.

    ``"without the policy"``, followed by :data:`SANCTIONS_VERSUS` when the scenario's
    ``sanctions`` events raise trade costs (``sanctions``) and each filling mechanism's
    ``Mechanism.welfare_versus`` (e.g. "without the policy or the trade costs of
    insecurity above its 2018-2022 level"): the GE counterfactual takes every change to
    tariffs and trade costs of the year together, the events' and the mechanisms' as
    well as the proposals'. Without proposals (``policy`` false) the others alone.
    ``recorded``: the run's record of its mechanisms, as for :func:`declared_headline`.

    Then, after "; not counting", what the mechanisms and the proposal ``types`` declare
    costs economies outside the GE welfare measure (``welfare_excludes``: what a
    corridor's hosts pay, the fiscal cost of failed banks), so a trade gain is not read
    as a net gain; ``recorded_types`` as for :func:`declared_headline`.
    """
    parts = [SANCTIONS_VERSUS] if sanctions else []
    excludes: list[str] = []
    for slot in _slot_order(mechanisms):
        decl = _declaration(slot, mechanisms[slot], recorded)
        if decl is not None and decl["welfare_versus"]:
            parts.append(decl["welfare_versus"])
        if decl is not None and decl.get("welfare_excludes"):  # an older run's record: none
            excludes.append(decl["welfare_excludes"])
    for type_name in dict.fromkeys(types):
        tdecl = _type_declaration(type_name, recorded_types)
        if tdecl is not None and tdecl.get("welfare_excludes"):
            excludes.append(tdecl["welfare_excludes"])
    if policy:
        parts.insert(0, "the policy")
    text = f"without {_either(parts or ['the policy'])}"
    if excludes:
        text += f"; not counting {', nor '.join(dict.fromkeys(excludes))}"
    return text


def _either(parts: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def run_welfare_versus(run_dir: str | Path) -> str:
    """:func:`welfare_versus` of the mechanisms a run filled (and whether it had proposals)."""
    import yaml

    from scosim.plugin_manifest import read_declarations

    saved = Path(run_dir) / "scenario.yaml"
    if not saved.exists():  # a run without its scenario: no slot filled that we know of
        return welfare_versus({})
    scenario = yaml.safe_load(saved.read_text()) or {}
    sanctions = any(isinstance(e, Mapping) and e.get("type") == "sanctions"
                    and float(e.get("trade_cost") or 0.0) != 0.0
                    for e in scenario.get("events") or [])
    declared = read_declarations(run_dir)
    return welfare_versus(filled_mechanisms(run_dir), policy=bool(scenario.get("proposals")),
                          recorded=declared["mechanisms"], sanctions=sanctions,
                          types=_recorded_types_of(run_dir, declared["proposal_types"]),
                          recorded_types=declared["proposal_types"])


def proposal_types_of(run_dir: str | Path) -> list[str]:
    """The types of a run's proposals, in the order of its resolved ``scenario.yaml``."""
    import yaml

    saved = Path(run_dir) / "scenario.yaml"
    if not saved.exists():
        return []
    proposals = (yaml.safe_load(saved.read_text()) or {}).get("proposals") or []
    return list(dict.fromkeys(str(p["type"]) for p in proposals
                              if isinstance(p, Mapping) and p.get("type")))


def run_headline_indicators(run_dir: str | Path) -> dict[str, HeadlineIndicator]:
    """:func:`declared_headline` of a run's mechanisms and proposal types (its record first)."""
    from scosim.plugin_manifest import read_declarations

    recorded = read_declarations(run_dir)
    return declared_headline(filled_mechanisms(run_dir), recorded["mechanisms"],
                             _recorded_types_of(run_dir, recorded["proposal_types"]),
                             recorded["proposal_types"])


def _recorded_types_of(run_dir: str | Path, recorded: Mapping[str, Any]) -> list[str]:
    """:func:`proposal_types_of`, each type by its key in the run's record when it has one.

    The resolved ``scenario.yaml`` names a plug-in type by what finds it again in another
    process (``mypkg.visa:VisaFree``); the record (``plugins.declared.proposal_types``) by
    the name it registered under. Without this a process that cannot import the plug-in
    found no record and left the type's headline indicators out of the answer. The name
    is read from the manifest's ``plugins.proposal_types`` (``{name: origin}``), nothing
    imported: a type named by dotted path has the origin ``path <reference>``; one
    registered by a module the user imported has ``module <module>`` and is referred to
    as ``<module>:<class>``, so it is the type when it is the only one from that module.
    A type the record lacks keeps its reference, which the registry can import.
    """
    import json

    try:
        origins = json.loads((Path(run_dir) / "manifest.json").read_text())["plugins"][
            "proposal_types"]
    except (OSError, ValueError, KeyError, TypeError):
        origins = {}  # no manifest, or one without the record: as the scenario names them
    origins = {str(n): o for n, o in origins.items()} if isinstance(origins, Mapping) else {}
    out = []
    for ref in proposal_types_of(run_dir):
        named = [n for n, o in origins.items() if o == f"path {ref}"]
        module, colon, _ = ref.partition(":")
        if not named and colon:
            named = [n for n, o in origins.items() if o == f"module {module}"]
        out.append(named[0] if len(named) == 1 and named[0] in recorded else ref)
    return list(dict.fromkeys(out))


def run_compared_indicators(run_dir: str | Path) -> list[str]:
    """What ``scosim compare`` reports of a run besides the trade indicators, in order.

    Each filled slot's ``Mechanism.compared`` (its headline when it names none, or when
    the run was recorded before ``compared`` was), then the headline of each proposal
    type the run has: what the runs' answers are about, as paired differences.
    """
    from scosim.plugin_manifest import read_declarations

    recorded = read_declarations(run_dir)
    mechanisms = filled_mechanisms(run_dir)
    out: list[str] = []
    for slot in _slot_order(mechanisms):
        decl = _declaration(slot, mechanisms[slot], recorded["mechanisms"])
        if decl is not None:
            out += list(decl.get("compared") or decl["headline"])
    types = declared_headline({}, None, _recorded_types_of(run_dir, recorded["proposal_types"]),
                              recorded["proposal_types"])
    return list(dict.fromkeys([*out, *types]))


def has_mechanism_answer(st: RunStats, declared: Mapping[str, HeadlineIndicator]) -> bool:
    """Whether the run recorded any declared headline indicator (its slot ran)."""
    return any(st.has(name) for name in declared)


def _num(value: float) -> str:
    # Three significant figures, trailing zeros kept ("3.60" beside "0.0363"), no exponent:
    # amounts are read, not copied; a total the same ("8.00" beside its rows).
    return sig3(value, ZERO)


_sum = _num


def economy_label(code: str) -> str:
    """``KAZ Kazakhstan``: the code and name of an economy, as the run's answer lists them."""
    return f"{code} {NAMES.get(code, '')}".strip()


def _members(st: RunStats) -> list[str]:
    if not st.has("member"):
        return []
    m = st.mean("member")
    return [str(c) for c in m.columns if float(m[c].max()) > 0]


def _title(name: str, unit: str | None) -> tuple[str, str | None, float]:
    # The answer shows a run's own values: a percentage is not a difference here.
    title, units, divisor = display(name, unit, difference=False)
    return (title if name in INDICATOR_NAMES else name), units, divisor


def _focus(hit: pd.DataFrame, members: Iterable[str]) -> list:
    """The columns a table's year is chosen by: the SCO members with any ``hit``, else all.

    Members are listed first, so the year shown is their peak: chosen over every economy,
    a partner's crisis could pick a year in which every member's row reads 0.
    """
    members = set(members)
    mine = [c for c in hit.columns if str(c) in members and bool(hit[c].to_numpy().any())]
    return mine or list(hit.columns)


def _total_lines(st: RunStats, name: str, title: str, units: str | None, divisor: float,
                 width: int, summed: bool = True, final: bool = False,
                 event: int | None = None) -> list[str]:
    """Lines of a ``total``, ``level`` (``summed`` false) or ``final`` indicator.

    ``event``: the year of the scenario's shock; its columns are shown, and a line for the
    year the members' means peak when it differs (a rare failure elsewhere led the table).
    """
    mean = st.mean(name).fillna(0.0) / divisor
    size = mean.abs()
    members = _members(st)
    by_year = size[_focus(size > ZERO, members)].sum(axis=1)
    # A level (e.g. a present value fixed at entry into force) is shown in the last year
    # of its largest value: the state at the end rather than the year it was first set; a
    # final one (payments a drawn failure settles) in its last non-zero year, as known then.
    year = (int(by_year.idxmax()) if summed
            else int(by_year.index[by_year > ZERO].max()) if final and (by_year > ZERO).any()
            else int(by_year.index[by_year >= by_year.max() * (1 - 1e-9)].max()))
    peak = year
    # The shock year where the table has it (an amount known at the end stays final).
    year, when = shown_year(peak, None if final else event, mean.index,
                            f"as known in {peak}" if final else f"largest in {peak}")
    low = st.quantile(name, LOW / 100).loc[year] / divisor
    high = st.quantile(name, HIGH / 100).loc[year] / divisor
    # Where most runs have none, "x in k of n runs", not a band between runs (rare_runs).
    spreads = spread_cells(st.indicators[name], year, divisor, low, high, _num)
    total = mean.sum(axis=0)
    span = f"{int(mean.index.min())}-{int(mean.index.max())}"
    rows = mean.columns[(size > ZERO).any(axis=0).to_numpy()]
    order = sorted(rows, key=lambda c: (c not in members, -abs(mean.loc[year, c]),
                                        -abs(total[c]), str(c)))
    band = f"{LOW}-{HIGH} % of runs, or k of n"  # a cell is a band or "x in k of n runs"
    head = f"{title}, {when}{'; ' + units if units else ''}"
    # A level (a stock, a present value) summed over the years would count it once a year.
    # "2025-2030" over "mean sum", nine columns: "2025-2030," over "mean total" took ten,
    # which cut finance_crisis's "RUS Russian Federati." at 80 (a new user's review).
    heads = [f"{year} mean", band, *([f"{span} mean sum"] if summed else [])]
    mine, others, rest = _pick(order, set(members), size.loc[year] > ZERO)

    def row(c: Any) -> tuple[str, list[str]]:
        # "none" that year, not "0  0 to 0", where no run had any (a total may follow).
        none = _num(mean.loc[year, c]) == "0" and spreads[str(c)] == "0 to 0"
        return economy_label(str(c)), [*(["none", ""] if none else
                                         [_num(mean.loc[year, c]), spreads[str(c)]]),
                                       *([_num(total[c])] if summed else [])]

    rows_ = [row(c) for c in mine]
    members = [c for c in members if c in mean.columns]
    # Percentages of each economy's own income (a settlement's welfare gain) do not add up.
    additive = not in_percent(units)
    together = len(members) > 1 and bool(mine) and additive
    if together:
        rows_.append(("SCO members together", [_sum(mean.loc[year, members].sum()), "",
                                               *([_sum(total[members].sum())] if summed else [])]))
    rows_ += [row(c) for c in others]
    # Within the answer's width: the columns sized to their cells, long headings on two
    # lines, the names cut where need be (scosim.answer_table).
    table, body = layout("economy", heads, rows_, indent="    ", label_width=width)
    out = [*answer_lines(head, indent="  ", subsequent="    "), *table]
    if members and not mine:  # e.g. gas sold through TAPI: Turkmenistan alone
        out.insert(len(out) - len(table), "    no SCO member in any run or year; other economies:")
    n_mine = len(mine) + together
    more_mine, more_others = _more(rest, set(members))
    # The members not listed under the members, before their total: under "other
    # economies" (finance_crisis: "and 14 more: BLR IRN UZB KGZ ...") they read as
    # non-members, though "SCO members together" counts them.
    out += body[:len(mine)] + more_mine + body[len(mine):n_mine]
    if mine and (others or more_others):
        out.append("    other economies:")
    out += body[n_mine:] + more_others
    if peak != year:  # the event year shown; where it is largest, in a line
        out += peak_line(st, name, peak, divisor, mean, members, _num, _sum)
    return out


def _pick(order: list, members: set[str], shown_year: pd.Series) -> tuple[list, list, list]:
    """Rows listed: ``ROWS`` members, then ``OTHERS`` other economies, and the rest counted.

    ``order``: the economies with a value in some year, members first, largest first;
    ``shown_year``: whether each has a value in the year shown (an other economy is
    listed only then). Without a member, the others fill the member rows.
    """
    mine = [c for c in order if str(c) in members][:ROWS]
    outside = [c for c in order if str(c) not in members]
    others = (outside[:ROWS] if not mine
              else [c for c in outside if bool(shown_year[c])][:OTHERS])
    listed = set(mine) | set(others)
    return mine, others, [c for c in order if c not in listed]


def _more(rest: list, members: set[str]) -> tuple[list[str], list[str]]:
    """The lines counting ``rest``: ``(the members', the other economies')``.

    The members' ("and 2 more members: BLR IRN") go with the members' rows, the
    others' ("and 5 more: AFG AZE ...") under "other economies".
    """
    mine = [str(c) for c in rest if str(c) in members]
    others = [str(c) for c in rest if str(c) not in members]

    def lines(words: str, codes: list[str]) -> list[str]:
        if not codes:
            return []
        # Wrapped: twenty codes ran to 96 columns (finance_crisis_settlement).
        return answer_lines(f"and {len(codes)} {words}: {' '.join(codes)}",
                            indent="    ", subsequent="      ")

    return (lines("more member" + ("s" if len(mine) > 1 else ""), mine),
            lines("more", others))


def mechanism_lines(st: RunStats, declared: Mapping[str, HeadlineIndicator],
                    event: int | None = None,
                    event_slots: Collection[str] | None = None) -> list[str]:
    """The answer's lines for the declared headline indicators the run recorded.

    Args:
        st: The run's statistics (they must hold the declared indicators: see
            :func:`scosim.plots.summarised`).
        declared: :func:`declared_headline` of the run's mechanisms.
        event: The year of the scenario's shock (:func:`scosim.answer_year.run_answer_year`):
            each amount's table shows it, with a line for its peak year when it differs.
        event_slots: The slots whose mechanism names that year
            (:func:`scosim.answer_year.run_answer_slots`): only their blocks show it, and
            those of the proposal types writing their levers (national-currency
            settlement, ``finance.settlement_floor``); the others their own year (None:
            every block).

    Returns:
        One block per mechanism (a heading, then each of its indicators), or ``[]``
        when the run recorded none of them.
    """
    # A ``net`` indicator is a column of the who-gains table (net_columns), not a block.
    recorded = [n for n in declared if st.has(n) and declared[n].kind != "net"]
    if not recorded:
        return []
    from scosim.answer_parts import part_lines
    from scosim.share_answer import share_lines

    codes = {str(c) for n in recorded for c in st.mean(n).columns}
    width = max(len(economy_label(c)) for c in [*codes, "SCO members together"])
    out: list[str] = []
    for heading, names in _by_source(declared, recorded).items():
        start = len(out)
        out.append(f"{heading}, {st.runs} runs:")
        # The shock year is the year of the mechanism that names it (docs/mechanisms.md).
        at = event if event_slots is None or declared[names[0]].acts_in(event_slots) else None
        quiet = []
        for n in names:
            h = declared[n]
            title, units, divisor = _title(n, h.unit)
            if not _happened(st, n, h.kind, divisor):
                quiet.append(title)
            elif (same := part_lines(st, n, declared, title)) is not None:
                out += same  # an "of which" equal to its whole: one line (answer_parts)
            elif h.kind == "share":
                out += share_lines(st, n, title, width, at)
            else:
                out += _total_lines(st, n, title, units, divisor, width,
                                    summed=h.kind == "total", final=h.kind == "final",
                                    event=at)
        out += rare_note(out[start:], st.runs)  # this block's own cells, not earlier ones
        if quiet:  # one line: a transport corridor's answer is not two lines of "no gas"
            out += answer_lines(f"none in any run or year: {', '.join(quiet)}",
                                indent="  ", subsequent="    ")
    return out


def _happened(st: RunStats, name: str, kind: str, divisor: float) -> bool:
    """Whether an indicator is non-zero in some run and year, in the units shown."""
    if kind == "share":
        return bool((st.share_positive(name).fillna(0.0).to_numpy() > 0).any())
    return bool(((st.mean(name).fillna(0.0) / divisor).abs().to_numpy() > ZERO).any())


def _by_source(declared: Mapping[str, HeadlineIndicator],
               recorded: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in recorded:
        out.setdefault(declared[n].heading, []).append(n)
    return out


# The who-gains table's ``net`` columns live in their own module (they read only the stats).
from scosim.net_columns import NetColumn, has_year, net_columns, net_label  # noqa: E402,F401
