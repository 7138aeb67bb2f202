"""The ``agreements`` table: trade agreements in force, from the WTO RTA database.

The packaged table holds one row per ordered pair of the 27 listed economies and agreement
(a "spell"): the years in which the agreement covers goods and is in force for both
parties, with its WTO RTA id, name and type. Per-party entry and exit dates come from the
WTO "Specific Entry/Exit dates" column; blocs that are parties (EAEU, GCC, ASEAN) are
expanded to their members with the members' own dates in the bloc's founding agreement.

Year convention: an agreement is *in force in year y* if it is in force for both parties on
31 December of y (so Kyrgyzstan, which joined the EAEU on 12 August 2015, is inside the
union in 2015). See docs/data.md, "Trade agreements".
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import LISTED
from scosim.data.raw import RAW_FILES, RawDataError, raw_path

#: WTO party names (verbatim) of the 27 listed economies.
WTO_NAMES: dict[str, str] = {
    "Afghanistan": "AFG",
    "Armenia": "ARM",
    "Azerbaijan": "AZE",
    "Bahrain, Kingdom of": "BHR",
    "Belarus": "BLR",
    "Cambodia": "KHM",
    "China": "CHN",
    "Egypt": "EGY",
    "India": "IND",
    "Iran": "IRN",
    "Kazakhstan": "KAZ",
    "Kuwait, the State of": "KWT",
    "Kyrgyz Republic": "KGZ",
    "Maldives": "MDV",
    "Mongolia": "MNG",
    "Myanmar": "MMR",
    "Nepal": "NPL",
    "Pakistan": "PAK",
    "Qatar": "QAT",
    "Russian Federation": "RUS",
    "Saudi Arabia, Kingdom of": "SAU",
    "Sri Lanka": "LKA",
    "Tajikistan": "TJK",
    "Turkmenistan": "TKM",
    "Türkiye": "TUR",
    "United Arab Emirates": "ARE",
    "Uzbekistan": "UZB",
}

#: Blocs that appear as a party, and the RTA ids of their founding agreements (in the same
#: file) from which their members and the members' entry/exit dates are read.
BLOCS: dict[str, tuple[int, ...]] = {
    "Eurasian Economic Union (EAEU)": (909,),
    "Gulf Cooperation Council (GCC)": (316, 17),
    "ASEAN Free Trade Area (AFTA)": (126, 1170),
}

#: Agreements superseded by a later one *only between the parties of the later one*:
#: ``{old RTA id: successor RTA id}``. The 2011 CIS FTA (RTA 762) replaced the 1994 CIS FTA
#: (RTA 99) in relations between its own parties; the 1994 agreement stays in force between
#: a party of the 2011 treaty and a CIS state outside it (Azerbaijan, Uzbekistan,
#: Turkmenistan). The WTO file records the replacement as each 762 party's exit from RTA 99
#: (the exit date equals the party's 762 entry date), which, read literally, would end the
#: 1994 agreement with every partner. An exit date that does not equal the party's entry
#: into the successor is a real exit.
SUPERSEDED_BY: dict[int, int] = {99: 762}

#: Agreements the WTO file types as customs unions that had no common external tariff for
#: part of their life: ``{RTA id: first day as a customs union}`` (``None``: never). Before
#: that day they are typed FTA (zero internal duties, national external tariffs). RTA 857
#: (Russia-Belarus-Kazakhstan, WTO entry into force 3 December 1997) applied the common
#: external tariff of the Customs Union Commission from 1 January 2010; the Eurasian
#: Economic Community (RTA 106, 1997-2014) never applied one to all its members (Kyrgyzstan
#: and Tajikistan kept national tariffs). docs/data.md, "Trade agreements".
CU_FROM: dict[int, dt.date | None] = {857: dt.date(2010, 1, 1), 106: None}

#: Agreement type of each WTO "Type" value that covers goods (services-only EIAs are dropped).
TYPE_OF: dict[str, str] = {
    "CU": "CU",
    "CU & EIA": "CU",
    "FTA": "FTA",
    "FTA & EIA": "FTA",
    "PSA": "PSA",
    "PSA & EIA": "PSA",
}
#: Depth order used when several agreements cover a pair (deepest first).
DEPTH = {"CU": 0, "FTA": 1, "PSA": 2}

COLUMNS = ["exporter", "importer", "rta_id", "type", "from_date", "to_date", "name"]
_REQUIRED = [
    "RTA ID",
    "RTA Name",
    "Coverage",
    "Type",
    "Date of Entry into Force (G)",
    "Inactive Date",
    "Current signatories",
    "Original signatories",
    "Specific Entry/Exit dates",
]
_DATE = r"\d{1,2}-[A-Za-z]{3}-\d{4}"
_SPECIFIC = re.compile(rf"([^;()]+?)\s*\(\s*({_DATE})?\s*-\s*({_DATE})?\s*\)")

Interval = tuple[dt.date, dt.date | None]


def _date(value: object, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.strptime(str(value).strip(), "%d-%b-%Y").date()
    except ValueError:
        raise RawDataError(
            f"{where}: unparsable date {value!r} (expected e.g. 20-Sep-2012)"
        ) from None


def read_rta_rows(raw_dir: Path) -> list[dict[str, object]]:
    """Rows of sheet ``AllRTAs`` as dicts keyed by the header.

    Raises:
        RawDataError: If openpyxl is missing, the workbook cannot be read, or the sheet or a
            required column is absent (naming the file).
    """
    path = raw_path(raw_dir, "rta")
    fname = path.name
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise RawDataError(
            f"{fname}: reading it needs openpyxl (pip install -e '.[build]')"
        ) from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise RawDataError(f"{fname}: cannot be read as an Excel workbook ({exc})") from exc
    try:
        if "AllRTAs" not in wb.sheetnames:
            raise RawDataError(f"{fname}: sheet 'AllRTAs' absent; found {wb.sheetnames}")
        rows = list(wb["AllRTAs"].iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows:
        raise RawDataError(f"{fname}: sheet 'AllRTAs' is empty")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise RawDataError(f"{fname}: sheet 'AllRTAs' lacks column(s) {missing}")
    out = []
    for n, r in enumerate(rows[1:], start=2):
        d = dict(zip(header, r, strict=False))
        d["_line"] = n
        out.append(d)
    return out


def _signatories(row: dict[str, object]) -> list[str]:
    """Party names of one agreement's original and current signatories, in file order."""
    names: list[str] = []
    for col in ("Original signatories", "Current signatories"):
        for part in str(row[col] or "").split(";"):
            if part.strip() and part.strip() not in names:
                names.append(part.strip())
    return names


def _parties(row: dict[str, object], fname: str) -> dict[str, Interval | None]:
    """Party name -> (entry, exit) for one agreement; ``None`` when it has no goods EIF.

    Names are the signatories and any country given its own dates in "Specific Entry/Exit
    dates"; for an agreement of a bloc with outsiders (ASEAN-India) those are members of
    the bloc, dated by their own entry, not signatories in their own right.
    """
    where = f"{fname}: sheet AllRTAs row {row['_line']} (RTA {row['RTA ID']})"
    eif = _date(row["Date of Entry into Force (G)"], where)
    inactive = _date(row["Inactive Date"], where)
    out: dict[str, Interval | None] = {}
    for name in _signatories(row):
        out[name] = (eif, inactive) if eif is not None else None
    for name, entry, exit_ in _SPECIFIC.findall(str(row["Specific Entry/Exit dates"] or "")):
        name = name.strip()
        start = _date(entry, where) if entry else eif
        end = _date(exit_, where) if exit_ else inactive
        if start is not None:
            out[name] = (start, end)
    return out


def _bloc_members(rows: list[dict[str, object]], fname: str) -> dict[str, dict[str, Interval]]:
    """Bloc -> {ISO3 of listed member: membership interval} from the founding agreements."""
    by_id = {int(r["RTA ID"]): r for r in rows if isinstance(r["RTA ID"], int | float)}
    out: dict[str, dict[str, Interval]] = {}
    for bloc, ids in BLOCS.items():
        members: dict[str, Interval] = {}
        for rid in ids:
            if rid not in by_id:
                raise RawDataError(f"{fname}: founding agreement RTA {rid} of {bloc!r} absent")
            for name, span in _parties(by_id[rid], fname).items():
                iso = WTO_NAMES.get(name)
                if iso is None or span is None:
                    continue
                if iso in members:  # successive founding agreements: keep the first entry
                    start = min(members[iso][0], span[0])
                    members[iso] = (start, span[1])
                else:
                    members[iso] = span
        out[bloc] = members
    return out


def _overlap(a: Interval, b: Interval) -> Interval | None:
    start = max(a[0], b[0])
    ends = [e for e in (a[1], b[1]) if e is not None]
    end = min(ends) if ends else None
    if end is not None and end <= start:
        return None
    return start, end


def _pair_end(
    rid: int,
    i: str,
    j: str,
    both: Interval,
    exits: dict[int, dict[str, Interval]],
) -> dt.date | None:
    """End of agreement ``rid`` between ``i`` and ``j`` (see :data:`SUPERSEDED_BY`)."""
    succ = SUPERSEDED_BY.get(rid)
    if succ is None:
        return both[1]
    own, new = exits[rid], exits[succ]
    ends = []
    for k in (i, j):
        end = own[k][1]
        superseded = end is not None and k in new and new[k][0] == end
        if end is not None and not superseded:
            ends.append(end)  # a real exit of this party
    if i in new and j in new:
        # Replaced between the two once the successor binds both.
        start = _overlap(new[i], new[j])
        if start is not None:
            ends.append(start[0])
    return min(ends) if ends else None


def _typed(
    rid: int, kind: str, start: dt.date, end: dt.date | None
) -> list[tuple[str, dt.date, dt.date | None]]:
    """Split a spell where :data:`CU_FROM` dates the customs union later than the WTO."""
    if kind != "CU" or rid not in CU_FROM:
        return [(kind, start, end)]
    cu = CU_FROM[rid]
    if cu is None or (end is not None and end <= cu):
        return [("FTA", start, end)]
    if cu <= start:
        return [("CU", start, end)]
    return [("FTA", start, cu), ("CU", cu, end)]


def _listed_parties(
    row: dict[str, object], fname: str, blocs: dict[str, dict[str, Interval]]
) -> dict[str, tuple[Interval, str]]:
    """ISO3 -> (interval, party it belongs to) of the listed economies in one agreement.

    Members of a bloc that is a party are covered vis-a-vis the other parties, not among
    themselves (EAEU-Viet Nam does not link Russia with Kazakhstan). That holds too for a
    member the file dates on its own without naming it a signatory: ASEAN-India lists
    Cambodia and Myanmar under "Specific Entry/Exit dates" only, with their entry dates,
    and they are linked with India from those dates, not with each other.
    """
    signed = _signatories(row)
    # Bloc of each listed member of a bloc that signed this agreement.
    bloc_of = {iso: b for b in signed if b in blocs for iso in blocs[b]}
    members: dict[str, tuple[Interval, str]] = {}
    for name, span in _parties(row, fname).items():
        if span is None:
            continue
        if name in blocs:
            for iso, m_span in blocs[name].items():
                both = _overlap(span, m_span)
                if both is not None:
                    members[iso] = (both, name)
        elif name in WTO_NAMES:
            iso = WTO_NAMES[name]
            # A signatory in its own right is a party of its own; otherwise its bloc's.
            party = name if name in signed else bloc_of.get(iso, name)
            members[iso] = (span, party)
    return members


def build_agreements(raw_dir: Path) -> pd.DataFrame:
    """Spells of goods agreements in force between ordered pairs of the 27 listed economies.

    Returns:
        Columns ``exporter, importer, rta_id, type (CU | FTA | PSA), from_date, to_date
        (ISO dates; to_date empty if still in force), name``, sorted.

    Raises:
        RawDataError: If the workbook is missing or broken, or a date is unparsable.
    """
    fname = RAW_FILES["rta"]
    rows = read_rta_rows(raw_dir)
    blocs = _bloc_members(rows, fname)
    # Per-party intervals of the agreements in SUPERSEDED_BY (old and successor).
    linked = set(SUPERSEDED_BY) | set(SUPERSEDED_BY.values())
    exits: dict[int, dict[str, Interval]] = {}
    for row in rows:
        if isinstance(row["RTA ID"], int | float) and int(row["RTA ID"]) in linked:
            exits[int(row["RTA ID"])] = {
                iso: span for iso, (span, _) in _listed_parties(row, fname, blocs).items()
            }
    missing = sorted(linked - set(exits))
    if missing:
        raise RawDataError(f"{fname}: sheet AllRTAs lacks RTA id(s) {missing}")
    recs = []
    for row in rows:
        kind = TYPE_OF.get(str(row["Type"] or "").strip())
        if kind is None or "Goods" not in str(row["Coverage"] or ""):
            continue
        if "Interim Agreement" in str(row["RTA Name"]):
            # EAEU-Iran's interim agreement (2019-2025) cut duties on a list of goods only.
            kind = "PSA"
        where = f"{fname}: sheet AllRTAs row {row['_line']}"
        try:
            rid = int(row["RTA ID"])  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise RawDataError(f"{where}: 'RTA ID' {row['RTA ID']!r} is not an integer") from None
        members = _listed_parties(row, fname, blocs)
        for i in LISTED:
            for j in LISTED:
                if i == j or i not in members or j not in members:
                    continue
                if members[i][1] == members[j][1]:
                    continue
                both = _overlap(members[i][0], members[j][0])
                if rid in SUPERSEDED_BY:
                    # Overlap of the entries only; the end follows the supersession rule.
                    start = max(members[i][0][0], members[j][0][0])
                    both = (start, _pair_end(rid, i, j, (start, None), exits))
                    if both[1] is not None and both[1] <= start:
                        both = None
                if both is None:
                    continue
                for k, start, end in _typed(rid, kind, both[0], both[1]):
                    recs.append(
                        (
                            i,
                            j,
                            rid,
                            k,
                            start.isoformat(),
                            end.isoformat() if end else "",
                            " ".join(str(row["RTA Name"]).split()),
                        )
                    )
    df = pd.DataFrame(recs, columns=COLUMNS)
    return df.sort_values(["exporter", "importer", "from_date", "rta_id"]).reset_index(drop=True)


def in_force(spells: pd.DataFrame, year: int) -> pd.DataFrame:
    """The spells in force on 31 December of ``year`` (see the module docstring)."""
    end = f"{year}-12-31"
    to = spells["to_date"].fillna("").astype(str)
    mask = (spells["from_date"].astype(str) <= end) & ((to == "") | (to > end))
    return spells[mask]


def by_year(spells: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Long table ``exporter, importer, year, rta_id, type, name`` for ``first..last``.

    Rows by year, then in the order of ``spells``: what :func:`in_force` gives year by
    year. Computed from each spell's first and last year in force, without a pass over
    the table per year (every model process loads it: 6 ms instead of 75 ms on the Xeon).
    """
    # In force on 31 December of y: from_date <= "y-12-31" and (no to_date or to_date >
    # "y-12-31"), i.e. from its start year to the year before its end year (ISO dates).
    start = pd.to_numeric(spells["from_date"].astype(str).str[:4]).to_numpy(dtype=np.int64)
    to = spells["to_date"].fillna("").astype(str)
    end = np.where(to == "", last + 1,
                   pd.to_numeric(to.str[:4].where(to != "", "0")).to_numpy(dtype=np.int64))
    lo, hi = np.maximum(start, first), np.minimum(end - 1, last)
    count = np.maximum(hi - lo + 1, 0)
    row = np.repeat(np.arange(len(spells)), count)
    # each row's year: its spell's first year plus its place within the spell's rows
    offset = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    year = lo[row] + offset
    order = np.lexsort((row, year))
    out = spells.iloc[row[order]].assign(year=year[order])
    return out[["exporter", "importer", "year", "rta_id", "type", "name"]].reset_index(drop=True)


def deepest(spells: pd.DataFrame, year: int) -> dict[tuple[str, str], tuple[str, int]]:
    """``{(exporter, importer): (type, rta_id)}`` of the deepest agreement in force in ``year``.

    Depth: customs union, then FTA, then partial scope; ties go to the lowest RTA id.
    """
    sub = in_force(spells, year)
    out: dict[tuple[str, str], tuple[str, int]] = {}
    for e, i, rid, kind in zip(
        sub["exporter"], sub["importer"], sub["rta_id"], sub["type"], strict=True
    ):
        key = (str(e), str(i))
        cand = (str(kind), int(rid))
        if key not in out or (DEPTH[cand[0]], cand[1]) < (DEPTH[out[key][0]], out[key][1]):
            out[key] = cand
    return out
