"""Rebuild the energy tables and the closed borders' transit bans, and check the network.

The freight tables (nodes, edges, borders, projects, params, sources) are written by hand
with a source per row; this module derives the two energy tables from the raw Energy
Institute Statistical Review 2024 sheets (pipeline trade matrix, gas production and
consumption, inter-regional trade), writes the rows of ``transit_restrictions.csv`` that a
closed border implies (:data:`CLOSED_BORDERS`: each side's goods barred from the other's
territory, to every destination) after the hand-written rows, and validates the whole set.
It is run by ``tools/build_network.py``; it is never imported at run time by the model.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from scosim.data.constants import ECONOMIES
from scosim.network.tables import TABLES_DIR, read_network

EI_PIPELINE = "ei_statistical_review_2024_sheet_gas_trade_pipeline.csv"
EI_CONSUMPTION = "ei_statistical_review_2024_sheet_gas_consumption_bcm.csv"
EI_PRODUCTION = "ei_statistical_review_2024_sheet_gas_production_bcm.csv"
EI_MOVEMENTS = "ei_statistical_review_2024_sheet_gas_trade_movements.csv"

#: EI spellings of the economies the gas tables cover.
EI_NAMES: dict[str, str] = {
    "China": "CHN", "Russian Federation": "RUS", "India": "IND", "Pakistan": "PAK",
    "Iran": "IRN", "Kazakhstan": "KAZ", "Uzbekistan": "UZB", "Belarus": "BLR",
    "Turkey": "TUR", "Azerbaijan": "AZE", "Turkmenistan": "TKM", "Myanmar": "MMR",
    "Qatar": "QAT", "Saudi Arabia": "SAU", "United Arab Emirates": "ARE", "Kuwait": "KWT",
    "Egypt": "EGY", "Bangladesh": "BGD",
}

#: Baseline pipeline links: (link id, exporter, importer, route edges, EI matrix row, EI
#: matrix column, how the cell maps to the pair). "direct" cells name both economies;
#: "attributed" cells name a region that holds only this importer among pipeline buyers
#: of that exporter (Iran's only pipeline customer in "Rest of Europe" is Turkiye).
BASELINE_GAS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("GAS_TKM_CHN", "TKM", "CHN", "P001;P002;P003;P004;P005", "China", "Turkmenistan",
     "direct"),
    ("GAS_UZB_CHN", "UZB", "CHN", "P002;P003;P004;P005", "China", "Uzbekistan", "direct"),
    ("GAS_KAZ_CHN", "KAZ", "CHN", "P003;P004;P005", "China", "Kazakhstan", "direct"),
    ("GAS_RUS_CHN", "RUS", "CHN", "P008;P006;P007", "China", "Russian Federation", "direct"),
    ("GAS_MMR_CHN", "MMR", "CHN", "", "China", "Myanmar", "direct"),
    ("GAS_RUS_BLR", "RUS", "BLR", "P009", "Belarus", "Russian Federation", "direct"),
    ("GAS_RUS_KAZ", "RUS", "KAZ", "P011;P010", "Kazakhstan", "Russian Federation", "direct"),
    ("GAS_TKM_KAZ", "TKM", "KAZ", "P015;P016", "Kazakhstan", "Turkmenistan", "direct"),
    ("GAS_KAZ_RUS", "KAZ", "RUS", "P010;P011", "Russian Federation", "Kazakhstan", "direct"),
    ("GAS_TKM_RUS", "TKM", "RUS", "P015;P016;P012;P010;P011", "Russian Federation",
     "Turkmenistan", "direct"),
    ("GAS_AZE_RUS", "AZE", "RUS", "", "Russian Federation", "Azerbaijan", "direct"),
    ("GAS_IRN_TUR", "IRN", "TUR", "P018;P017;P019", "Rest of Europe", "Iran", "attributed"),
)

#: Project links: (link id, exporter, importer, carrier, route, flow at full capacity, unit,
#: project, source, note). Flows from ANCHORS.md project facts.
_BCF_PER_DAY_TO_BCM_PER_YEAR = 0.028316846592 * 365.0  # 1 bcf = 0.0283 bcm
PROJECT_LINKS: tuple[tuple[str, str, str, str, str, float, str, str, str, str], ...] = (
    ("TAPI_TKM_IND", "TKM", "IND", "gas", "G001;G002;G003;G004;G005;G006",
     round(1.325 * _BCF_PER_DAY_TO_BCM_PER_YEAR, 3), "bcm/yr", "TAPI", "anchors_tapi",
     "offtake 1.325 bcf/d"),
    ("TAPI_TKM_PAK", "TKM", "PAK", "gas", "G001;G002;G003;G004;G005",
     round(1.325 * _BCF_PER_DAY_TO_BCM_PER_YEAR, 3), "bcm/yr", "TAPI", "anchors_tapi",
     "offtake 1.325 bcf/d"),
    ("TAPI_TKM_AFG", "TKM", "AFG", "gas", "G001;G002;G003",
     round(0.5 * _BCF_PER_DAY_TO_BCM_PER_YEAR, 3), "bcm/yr", "TAPI", "anchors_tapi",
     "offtake 0.5 bcf/d"),
    ("LINED_TKM_CHN", "TKM", "CHN", "gas", "G007;G008;G009;G010;G011;G012", 30.0, "bcm/yr",
     "CAGP_LINE_D", "anchors_cagp", "line D 30 bcm a year; supply assumed Turkmen"),
    ("CASA_TJK_PAK", "TJK", "PAK", "power", "L104;L102;L103", round(5.5 * 0.7 * 1000 / 1300, 3),
     "TWh/yr", "CASA1000", "anchors_casa", "5.5 TWh x 70 % Tajik x 1000/1300 MW to Pakistan"),
    ("CASA_KGZ_PAK", "KGZ", "PAK", "power", "L101;L104;L102;L103",
     round(5.5 * 0.3 * 1000 / 1300, 3), "TWh/yr", "CASA1000", "anchors_casa",
     "5.5 TWh x 30 % Kyrgyz x 1000/1300 MW to Pakistan"),
    ("CASA_TJK_AFG", "TJK", "AFG", "power", "L104;L102", round(5.5 * 0.7 * 300 / 1300, 3),
     "TWh/yr", "CASA1000", "anchors_casa", "5.5 TWh x 70 % Tajik x 300/1300 MW to Afghanistan"),
    ("CASA_KGZ_AFG", "KGZ", "AFG", "power", "L101;L104;L102", round(5.5 * 0.3 * 300 / 1300, 3),
     "TWh/yr", "CASA1000", "anchors_casa",
     "5.5 TWh x 30 % Kyrgyz x 300/1300 MW to Afghanistan"),
)

#: Economies whose LNG imports the Review lists only inside a regional total.
LNG_FROM_BALANCE: tuple[str, ...] = ("PAK",)
#: Economies whose LNG imports are inside a regional total and cannot be derived (blank).
LNG_UNKNOWN: tuple[str, ...] = ("TUR",)

#: Economies whose pipeline imports the Review's matrix lists only inside a regional
#: importer (blank, unknown): writing 0 made Turkiye's 5.2 bcm from Iran its only supply.
#: India and Pakistan import none: "Asia Pacific" is the sum of its listed importers.
PIPELINE_IN_AGGREGATE: dict[str, str] = {
    "TUR": "Rest of Europe", "UZB": "Other CIS", "AZE": "Other CIS", "TKM": "Other CIS",
    "IRN": "Other Middle East",
}

GAS_BALANCE_ECONOMIES: tuple[str, ...] = (
    "CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "UZB", "BLR", "TUR", "AZE", "TKM",
)


#: Borders closed to each other's goods in 2023: (economy, economy, closed since, source id,
#: why). Goods to or from one side may not cross the other, whatever their other end, so a
#: route from or to Yerevan may not run through Baku (Yerevan-Poti-Baku-Yalama to Moscow did)
#: and one from or to Baku not through Armenia. Turkey's closed border with Armenia needs no
#: row: the network has no Turkey-Armenia edge, and Turkey does not bar Armenian goods that
#: reach it through Georgia or Iran.
CLOSED_BORDERS: tuple[tuple[str, str, int, str, str], ...] = (
    ("ARM", "AZE", 1994, "polyakov_2001",
     "Armenia-Azerbaijan border closed since the Karabakh war (ceasefire May 1994)"),
)
#: Restriction ids the build writes: ``CB-<origin>-<barred transit>-<destination>``.
CLOSED_PREFIX = "CB-"
RESTRICTION_COLUMNS: tuple[str, ...] = ("restriction_id", "origin", "destination", "transit",
                                        "from_year", "source", "note")


def closed_border_rows() -> list[dict[str, str]]:
    """The transit bans :data:`CLOSED_BORDERS` implies, both ways round.

    Each side's trade with every other economy, exports and imports, may not cross the
    other side.
    """
    rows: list[dict[str, str]] = []
    for a, b, year, source, why in CLOSED_BORDERS:
        for end, transit in ((a, b), (b, a)):
            for other in ECONOMIES:
                if other in (end, transit):
                    continue
                for origin, dest in ((end, other), (other, end)):
                    rows.append({
                        "restriction_id": f"{CLOSED_PREFIX}{origin}-{transit}-{dest}",
                        "origin": origin, "destination": dest, "transit": transit,
                        "from_year": str(year), "source": source,
                        "note": f"{why}; written by tools/build_network.py (CLOSED_BORDERS)",
                    })
    return rows


def restriction_rows(tables_dir: Path) -> list[dict[str, str]]:
    """``transit_restrictions.csv``: its hand-written rows, then :func:`closed_border_rows`."""
    path = tables_dir / "transit_restrictions.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        kept = [{c: r.get(c, "") for c in RESTRICTION_COLUMNS} for r in csv.DictReader(fh)
                if not r["restriction_id"].startswith(CLOSED_PREFIX)]
    return kept + closed_border_rows()


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _pipeline_matrix(raw: Path) -> dict[tuple[str, str], float]:
    """(importer row label, exporter column label) -> bcm in 2023."""
    rows = _rows(raw / EI_PIPELINE)
    header = next(r for r in rows if r and r[0].strip() == "To")
    out: dict[tuple[str, str], float] = {}
    for r in rows[rows.index(header) + 1:]:
        if not r or not r[0].strip() or r[0].startswith(("Source", "Note")):
            continue
        for col, cell in zip(header[1:], r[1:], strict=False):
            if col.strip() and cell.strip():
                out[(r[0].strip(), col.strip())] = float(cell)
    return out


def _year_column(raw: Path, name: str, year: str = "2023") -> dict[str, float]:
    rows = _rows(raw / name)
    header = next(r for r in rows if r and r[0].strip() == "Billion cubic metres")
    col = header.index(year)
    return {r[0].strip(): float(r[col]) for r in rows if r and r[0].strip() in EI_NAMES
            and len(r) > col and r[col].strip() not in ("", "-", "n/a")}


def _lng_imports(raw: Path) -> dict[str, float]:
    """LNG imports 2023 by economy from the inter-regional trade sheet (where listed)."""
    rows = _rows(raw / EI_MOVEMENTS)
    header = next(r for r in rows if r and r[0].strip() == "Billion cubic metres")
    col = header.index("2023")
    out: dict[str, float] = {}
    current = None
    for r in rows:
        if not r or not r[0].strip():
            continue
        label = r[0].strip()
        # Economy headers are unindented rows with no numbers; sub-rows are indented.
        is_header = r[0] == r[0].lstrip() and not any(x.strip() for x in r[1:])
        if is_header:
            current = EI_NAMES.get(label)
        elif label == "LNG imports" and current is not None and r[col].strip():
            out[current] = float(r[col])
    return out


def energy_rows(raw: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Derive the energy_links and gas_balance rows from the raw Energy Institute files."""
    matrix = _pipeline_matrix(raw)
    links: list[dict[str, str]] = []
    for lid, exp, imp, route, row, col, how in BASELINE_GAS:
        links.append({
            "link_id": lid, "exporter": exp, "importer": imp, "carrier": "gas", "edges": route,
            "flow": f"{matrix[(row, col)]:.4f}", "unit": "bcm/yr", "status": "existing",
            "project": "", "source": "ei_2024",
            "note": f"EI 2023 pipeline matrix, row {row!r}, column {col!r} ({how})"
            + ("; no modelled pipeline edge" if not route else ""),
        })
    for lid, exp, imp, carrier, route, flow, unit, project, source, note in PROJECT_LINKS:
        links.append({
            "link_id": lid, "exporter": exp, "importer": imp, "carrier": carrier,
            "edges": route, "flow": f"{flow:.4f}", "unit": unit, "status": "project",
            "project": project, "source": source, "note": note,
        })
    cons = _year_column(raw, EI_CONSUMPTION)
    prod = _year_column(raw, EI_PRODUCTION)
    lng_by_code = _lng_imports(raw)
    by_code_cons = {EI_NAMES[k]: v for k, v in cons.items()}
    by_code_prod = {EI_NAMES[k]: v for k, v in prod.items()}
    pipe_total: dict[str, float] = {}
    for (row, _col), v in matrix.items():
        if row in EI_NAMES and _col == "Total imports":
            pipe_total[EI_NAMES[row]] = v
    balance: list[dict[str, str]] = []
    for code in GAS_BALANCE_ECONOMIES:
        production = by_code_prod.get(code, 0.0 if code == "BLR" else None)
        consumption = by_code_cons.get(code)
        pipeline = pipe_total.get(code, None if code in PIPELINE_IN_AGGREGATE else 0.0)
        lng = lng_by_code.get(code)
        source = "ei_2024"
        if lng is None and code in LNG_FROM_BALANCE and production is not None \
                and consumption is not None:
            # EI lists Pakistan's LNG only inside "Other Asia": take the balance (no exports).
            lng = max(consumption - production - pipeline, 0.0)
            source = "ei_2024;ei_2024_balance"
        elif lng is None and code not in LNG_UNKNOWN:
            lng = 0.0  # not an LNG importer in 2023

        def fmt(x: float | None) -> str:
            return "" if x is None else f"{x:.4f}"

        balance.append({
            "economy": code,
            "production_bcm": fmt(production),
            "consumption_bcm": fmt(consumption),
            "lng_imports_bcm": fmt(lng),
            "pipeline_imports_bcm": fmt(pipeline),
            "source": source,
        })
    return links, balance


def _write(path: Path, rows: Sequence[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = buf.getvalue()
    path.write_text(text, encoding="utf-8")
    return text


def rebuild(raw: Path, tables_dir: Path = TABLES_DIR, check: bool = False) -> list[str]:
    """Rebuild (or, with ``check``, compare) the energy tables and the closed-border bans.

    The bans are the rows of ``transit_restrictions.csv`` that :data:`CLOSED_BORDERS`
    implies; all tables are validated afterwards.

    Returns:
        The names of tables that differ from what the raw files and :data:`CLOSED_BORDERS`
        give (empty when clean).
    """
    links, balance = energy_rows(raw)
    bans = restriction_rows(tables_dir)
    differ = []
    for name, rows in (("energy_links.csv", links), ("gas_balance.csv", balance),
                       ("transit_restrictions.csv", bans)):
        path = tables_dir / name
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != buf.getvalue():
                differ.append(name)
        else:
            path.write_text(buf.getvalue(), encoding="utf-8")
    read_network(tables_dir)
    return differ
