"""The ``trade`` table: bilateral merchandise flows, US$, CIF, exporter x importer.

Two data versions:

* ``2023`` (default): WITS 2023 cells where either side reported (importer CIF first,
  exporter FOB times :data:`CIF_FOB_FACTOR` otherwise), the 2019 IMF DOTS pattern scaled
  gravity-consistently for pairs without 2023 data, and Rest-of-World cells closing the
  2023 WDI totals.
* ``2019``: the 2019 DOTS pattern scaled biproportionally (RAS) to 2023 WDI totals.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES, LISTED, ROW
from scosim.data.raw import (
    BASE_YEAR,
    CIF_FOB_FACTOR,
    DOTS_NAMES,
    PATTERN_YEAR,
    RAW_FILES,
    Prov,
    RawDataError,
    fsum_cols,
    fsum_rows,
    need,
    numeric,
    read,
    read_wdi,
)


def ras(
    seed: np.ndarray,
    row_targets: np.ndarray,
    col_targets: np.ndarray,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Biproportional (RAS) scaling of a non-negative matrix to given margins.

    Finds ``diag(r) @ seed @ diag(s)`` whose row sums equal ``row_targets`` and column sums
    equal ``col_targets`` (the solution is unique when it exists; Bacharach 1970).

    Args:
        seed: Non-negative matrix (n, m) giving the pattern.
        row_targets: Required row sums (n,), non-negative.
        col_targets: Required column sums (m,), with the same total as ``row_targets``.
        tol: Relative tolerance on the largest margin error.
        max_iter: Iteration cap.

    Returns:
        The scaled matrix.

    Raises:
        ValueError: On negative input, mismatched totals, or no convergence.
    """
    a = np.asarray(seed, dtype=float)
    r_t = np.asarray(row_targets, dtype=float)
    c_t = np.asarray(col_targets, dtype=float)
    if a.ndim != 2 or r_t.shape != (a.shape[0],) or c_t.shape != (a.shape[1],):
        raise ValueError(f"ras: shapes seed {a.shape}, rows {r_t.shape}, cols {c_t.shape} disagree")
    if (a < 0).any() or (r_t < 0).any() or (c_t < 0).any():
        raise ValueError("ras: seed and targets must be non-negative")
    total = math.fsum(r_t)
    if not math.isclose(total, math.fsum(c_t), rel_tol=1e-9):
        raise ValueError(f"ras: row total {total} differs from column total {math.fsum(c_t)}")
    x = a.copy()
    for _ in range(max_iter):
        # Exact sums (math.fsum) so that the scaled matrix does not depend on SIMD/BLAS.
        rs = fsum_rows(x)
        x *= np.divide(r_t, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = fsum_cols(x)
        x *= np.divide(c_t, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        err = np.abs(fsum_rows(x) - r_t).max()
        if err <= tol * total:
            return x
    raise ValueError("ras: did not converge (targets infeasible for the seed's zero pattern?)")


def dots_pattern(raw_dir: Path, prov: Prov) -> np.ndarray:
    """IMF DOTS pattern-year bilateral values (US$, CIF basis) among the 27 listed economies."""
    fname = RAW_FILES["dots"]
    cols = ["reporter_iso3", "partner_dots_name", "flow", "year", "value", "flag"]
    df = read(raw_dir, "dots", cols)
    df = df[df["year"] == PATTERN_YEAR]
    df = df.assign(value=numeric(df, "value", fname))
    name_to_iso = {v: k for k, v in DOTS_NAMES.items()}
    missing = sorted(set(LISTED) - set(df["reporter_iso3"]))
    if missing:
        raise RawDataError(f"{fname}: reporter(s) {missing} absent for {PATTERN_YEAR}")
    df = df[df["partner_dots_name"].isin(name_to_iso)]
    cell: dict[tuple[str, str, str], tuple[float, bool]] = {}
    for rep, part, flow, val, flag in zip(
        df["reporter_iso3"],
        df["partner_dots_name"],
        df["flow"],
        df["value"],
        df["flag"],
        strict=True,
    ):
        cell[(str(rep), name_to_iso[part], str(flow))] = (float(val) * 1e6, flag == "e")
    n = len(LISTED)
    x = np.zeros((n, n))
    for a, i in enumerate(LISTED):
        for b, j in enumerate(LISTED):
            if a == b:
                continue
            imp = cell.get((j, i, "imports_cif"))
            exp = cell.get((i, j, "exports_fob"))
            # Preference order: reported importer CIF, reported exporter FOB x factor, then the
            # same two when they are IMF estimates, else zero (neither side reports the pair).
            key = f"{i}-{j}"
            if imp is not None and not imp[1] and imp[0] > 0:
                x[a, b] = imp[0]
                prov.add(
                    "trade", key, "pattern_2019", "imf_dots", "reported:importer_cif", PATTERN_YEAR
                )
            elif exp is not None and not exp[1] and exp[0] > 0:
                x[a, b] = exp[0] * CIF_FOB_FACTOR
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    f"fallback:exporter_fob*{CIF_FOB_FACTOR}",
                    PATTERN_YEAR,
                )
            elif imp is not None and imp[0] > 0:
                x[a, b] = imp[0]
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    "imputed:imf_estimate_importer_cif",
                    PATTERN_YEAR,
                )
            elif exp is not None and exp[0] > 0:
                x[a, b] = exp[0] * CIF_FOB_FACTOR
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    f"imputed:imf_estimate_exporter_fob*{CIF_FOB_FACTOR}",
                    PATTERN_YEAR,
                )
            else:
                prov.add(
                    "trade",
                    key,
                    "pattern_2019",
                    "imf_dots",
                    "imputed:zero_not_reported",
                    PATTERN_YEAR,
                )
    return x


def trade_2019(
    raw_dir: Path, countries: pd.DataFrame, agg: dict[str, float], prov: Prov
) -> pd.DataFrame:
    """Data version 2019: the DOTS 2019 pattern scaled by RAS to base-year WDI totals.

    Returns:
        Exporter x importer matrix, US$, CIF, no tariffs; diagonal domestic sales.
    """
    x27 = dots_pattern(raw_dir, prov)
    n = len(ECONOMIES)
    seed = np.zeros((n, n))
    k = len(LISTED)
    seed[:k, :k] = x27
    # Pattern-year flows with the Rest of World: WDI pattern-year totals minus the listed
    # partners. WDI totals rather than DOTS "World" rows, because some DOTS own-reported
    # totals are incomplete (e.g. Kuwait 2019: 21 bn US$ in DOTS against 64 bn in WDI).
    mx = read_wdi(raw_dir, "exports")
    mm = read_wdi(raw_dir, "imports")
    py = PATTERN_YEAR
    cif_p = need(mm, "WLD", py, RAW_FILES["imports"]) / need(mx, "WLD", py, RAW_FILES["exports"])
    for a, i in enumerate(LISTED):
        for tag, value, cell in (
            ("X", need(mx, i, py, RAW_FILES["exports"]) * cif_p - math.fsum(x27[a]), (a, k)),
            ("M", need(mm, i, py, RAW_FILES["imports"]) - math.fsum(x27[:, a]), (k, a)),
        ):
            seed[cell] = max(value, 0.0)
            pair = f"{i}-{ROW}" if tag == "X" else f"{ROW}-{i}"
            method = (
                "derived:WDI total minus listed partners"
                if value > 0
                else "imputed:zero (listed partners exceed WDI total)"
            )
            prov.add("trade", pair, "pattern_2019", "imf_dots", method, py)
    seed[k, k] = max(need(mm, "WLD", py, RAW_FILES["imports"]) - math.fsum(seed.ravel()), 0.0)
    prov.add(
        "trade",
        f"{ROW}-{ROW}",
        "pattern_2019",
        "imf_dots",
        "derived:intra-ROW = WDI world imports minus all other cells",
        py,
    )
    # Base-year margins: exports valued CIF with the world CIF/FOB ratio of WDI totals so that
    # world exports equal world imports; ROW closes both with World.
    cif = agg["WLD_M"] / agg["WLD_X"]
    rows = np.append(countries.loc[list(LISTED), "exports_usd"].to_numpy() * cif, 0.0)
    cols = np.append(countries.loc[list(LISTED), "imports_usd"].to_numpy(), 0.0)
    rows[k] = agg["WLD_M"] - math.fsum(rows[:k])
    cols[k] = agg["WLD_M"] - math.fsum(cols[:k])
    flows = ras(seed, rows, cols)
    for a, i in enumerate(ECONOMIES):
        for b, j in enumerate(ECONOMIES):
            if a != b:
                prov.add(
                    "trade",
                    f"{i}-{j}",
                    "value",
                    "scosim_rule",
                    f"derived:RAS of {PATTERN_YEAR} pattern to {BASE_YEAR} WDI totals "
                    f"(exports*{cif:.6f} world CIF/FOB)",
                    BASE_YEAR,
                )
    return _with_diagonal(flows, countries, prov)


def _with_diagonal(flows: np.ndarray, countries: pd.DataFrame, prov: Prov) -> pd.DataFrame:
    """Add domestic sales on the diagonal and round to whole dollars."""
    n = len(ECONOMIES)
    dom = countries["domestic_sales_usd"].to_numpy(dtype=float)
    out = flows.copy()
    out[np.diag_indices(n)] = np.diag(flows) + dom
    for i in ECONOMIES:
        extra = " + intra-ROW international trade" if i == ROW else ""
        prov.add(
            "trade",
            f"{i}-{i}",
            "value",
            "scosim_rule",
            f"derived:domestic_sales_usd{extra}",
            BASE_YEAR,
        )
    # Whole dollars: the tables are read back exactly and sub-dollar digits carry no information.
    df = pd.DataFrame(np.round(out), index=list(ECONOMIES), columns=list(ECONOMIES))
    df.index.name = "exporter"
    return df


#: Reporter-side records of WITS 2023 that are known to be wrong (SOURCES.md 9a) and are
#: skipped so that the partner's side is used: (reporter, partner, flows).
WITS_BAD_CELLS: dict[tuple[str, str], tuple[str, ...]] = {
    # China's rows with Armenia and Azerbaijan are implausibly small (CHN exports to ARM
    # 0.47 m vs ARM's reported 1.6 bn imports from CHN; CHN imports from ARM 446 US$).
    ("CHN", "ARM"): ("x", "m"),
    ("CHN", "AZE"): ("x", "m"),
    # Tajikistan's imports from Kuwait = 1 US$.
    ("TJK", "KWT"): ("m",),
}


def read_wits(raw_dir: Path) -> dict[tuple[str, str, str], float]:
    """WITS 2023 bilateral records as ``{(reporter, partner, flow): US$}``.

    Raises:
        RawDataError: On a missing column, an unknown code or flow, a negative or unparsable
            value, a year other than the base year or a duplicated record (naming the line).
    """
    fname = RAW_FILES["wits"]
    df = read(raw_dir, "wits", ["r", "p", "f", "v", "y"], dtype={"r": str, "p": str, "f": str})
    vals = numeric(df, "v", fname)
    years = numeric(df, "y", fname)
    out: dict[tuple[str, str, str], float] = {}
    listed = set(LISTED)
    for n, (r, p, f, v, y) in enumerate(
        zip(df["r"], df["p"], df["f"], vals, years, strict=True), start=2
    ):
        where = f"{fname}: line {n}"
        if r not in listed or p not in listed or r == p:
            raise RawDataError(f"{where}: reporter/partner {r!r}/{p!r} not two of the 27 economies")
        if f not in ("x", "m"):
            raise RawDataError(
                f"{where}: field 'f' is {f!r}; allowed: 'x' (exports), 'm' (imports)"
            )
        if math.isnan(v) or v < 0:
            raise RawDataError(f"{where}: field 'v' must be a non-negative US$ value, got {v!r}")
        if y != BASE_YEAR:
            raise RawDataError(f"{where}: field 'y' is {y!r}; only {BASE_YEAR} is expected")
        if (r, p, f) in out:
            raise RawDataError(f"{where}: duplicate record {r}-{p} flow {f}")
        out[(r, p, f)] = float(v)
    if not out:
        raise RawDataError(f"{fname}: no records")
    return out


def wits_cell(
    wits: dict[tuple[str, str, str], float], exporter: str, importer: str
) -> tuple[float, str] | None:
    """The 2023 value of one flow by the documented rule, or ``None`` if neither side reported.

    Importer-reported CIF imports first; else exporter-reported FOB exports times
    :data:`CIF_FOB_FACTOR`. Zero records count as not reported; the known bad cells
    (:data:`WITS_BAD_CELLS`) are skipped.

    Returns:
        ``(value US$ CIF, method)`` or ``None``.
    """
    imp = wits.get((importer, exporter, "m"))
    if imp is not None and "m" not in WITS_BAD_CELLS.get((importer, exporter), ()) and imp > 0:
        return imp, "reported:importer_cif"
    exp = wits.get((exporter, importer, "x"))
    if exp is not None and "x" not in WITS_BAD_CELLS.get((exporter, importer), ()) and exp > 0:
        return exp * CIF_FOB_FACTOR, f"fallback:exporter_fob*{CIF_FOB_FACTOR}"
    return None


def listed_2023(raw_dir: Path) -> tuple[np.ndarray, dict[str, tuple[str, str, int]]]:
    """The 27 x 27 block of version 2023 and each cell's ``(source_id, method, year)``.

    WITS 2023 by :func:`wits_cell`; pairs with no 2023 record on either side take the 2019
    DOTS value times ``gX_i * gM_j / gW`` (WDI export growth of the exporter, import growth
    of the importer and world import growth, 2019-2023).
    """
    wits = read_wits(raw_dir)
    dots = dots_pattern(raw_dir, Prov())  # the 2019 side choice is not needed here
    mx = read_wdi(raw_dir, "exports")
    mm = read_wdi(raw_dir, "imports")
    fx, fm = RAW_FILES["exports"], RAW_FILES["imports"]
    py, by = PATTERN_YEAR, BASE_YEAR
    g_world = need(mm, "WLD", by, fm) / need(mm, "WLD", py, fm)
    k = len(LISTED)
    x = np.zeros((k, k))
    cells: dict[str, tuple[str, str, int]] = {}
    for a, i in enumerate(LISTED):
        gx = need(mx, i, by, fx) / need(mx, i, py, fx)
        for b, j in enumerate(LISTED):
            if a == b:
                continue
            key = f"{i}-{j}"
            cell = wits_cell(wits, i, j)
            if cell is not None:
                x[a, b] = cell[0]
                cells[key] = ("wits_2023", cell[1], by)
                continue
            scale = gx * (need(mm, j, by, fm) / need(mm, j, py, fm)) / g_world
            x[a, b] = dots[a, b] * scale
            method = (
                f"imputed:no 2023 record; DOTS {py} x gX_i*gM_j/gW = {scale:.4f}"
                if dots[a, b] > 0
                else f"imputed:zero (no 2023 record, none in DOTS {py})"
            )
            cells[key] = ("imf_dots", method, py)
    return x, cells


def trade_2023(
    raw_dir: Path, countries: pd.DataFrame, agg: dict[str, float], prov: Prov
) -> pd.DataFrame:
    """Data version 2023: WITS 2023 cells, DOTS 2019 for pairs without 2023 data, ROW residuals.

    Cells among the 27 taken from WITS equal their source (after the CIF/FOB rule). Pairs
    with no 2023 record on either side take the 2019 DOTS value scaled the way structural
    gravity scales a flow when sizes change and trade costs do not:
    ``X_ij(2019) * gX_i * gM_j / gW`` with ``gX_i`` the growth of the exporter's WDI
    exports, ``gM_j`` of the importer's WDI imports and ``gW`` of world imports,
    2019-2023. ``X[i, ROW]`` and ``X[ROW, j]`` close each economy's 2023 WDI totals
    (exports valued CIF with the world CIF/FOB ratio) and ``X[ROW, ROW]`` world imports.

    Raises:
        RawDataError: If a raw file is broken, or the listed partners of an economy exceed
            its total (WDI, or the mirror total of :func:`mirror_totals`).
    """
    x27, cells = listed_2023(raw_dir)
    k = len(LISTED)
    n = len(ECONOMIES)
    flows = np.zeros((n, n))
    flows[:k, :k] = x27
    for key, (source, method, year) in cells.items():
        prov.add("trade", key, "value", source, method, year)
    by = BASE_YEAR
    fx, fm = RAW_FILES["exports"], RAW_FILES["imports"]
    cif = agg["WLD_M"] / agg["WLD_X"]
    for a, i in enumerate(LISTED):
        for tag, total, listed_sum, cell in (
            ("X", float(countries.loc[i, "exports_usd"]) * cif, math.fsum(flows[a, :k]), (a, k)),
            ("M", float(countries.loc[i, "imports_usd"]), math.fsum(flows[:k, a]), (k, a)),
        ):
            rest = total - listed_sum
            pair = f"{i}-{ROW}" if tag == "X" else f"{ROW}-{i}"
            what = "exports*world CIF/FOB" if tag == "X" else "imports"
            if rest < 0:
                raise RawDataError(
                    f"{RAW_FILES['wits']}: {i}'s {what} with the listed economies "
                    f"({listed_sum / 1e9:.2f} bn US$) exceed its WDI {by} total "
                    f"({total / 1e9:.2f} bn US$) in {fx if tag == 'X' else fm}"
                )
            flows[cell] = rest
            prov.add(
                "trade",
                pair,
                "value",
                "scosim_rule",
                f"derived:WDI {by} {what} minus listed partners",
                by,
            )
    flows[k, k] = agg["WLD_M"] - math.fsum(flows.ravel())
    if flows[k, k] <= 0:
        raise RawDataError(f"{fm}: world imports do not exceed the flows of the 27 economies")
    prov.add(
        "trade",
        f"{ROW}-{ROW}",
        "intra_row",
        "scosim_rule",
        "derived:intra-ROW = WDI world imports minus all other cells",
        by,
    )
    return _with_diagonal(flows, countries, prov)


def mirror_totals(raw_dir: Path) -> dict[tuple[str, str], tuple[float, str, str]]:
    """WDI trade totals to replace with WITS mirror totals (data version 2023).

    Where the 2023 records of the listed partners alone exceed an economy's WDI total (only
    Afghanistan, whose WDI 2023 totals are incomplete), the economy's total becomes the
    WITS mirror total (partners' reports, ``wits_mirror_sco27.csv``), so that no Rest-of-World
    cell is negative and every WITS cell keeps its reported value.

    Returns:
        ``{(iso3, "exports_usd" | "imports_usd"): (US$, source_id, method)}``.

    Raises:
        RawDataError: If a replacement is needed and the mirror file has no usable total.
    """
    x27, cells = listed_2023(raw_dir)
    mx = read_wdi(raw_dir, "exports")
    mm = read_wdi(raw_dir, "imports")
    fx, fm, fmir = RAW_FILES["exports"], RAW_FILES["imports"], RAW_FILES["wits_mirror"]
    by = BASE_YEAR
    cif = need(mm, "WLD", by, fm) / need(mx, "WLD", by, fx)
    mirror = read(raw_dir, "wits_mirror", ["iso3", "year", "exports", "imports"])
    for col in ("year", "exports", "imports"):
        mirror[col] = numeric(mirror, col, fmir)
    out: dict[tuple[str, str], tuple[float, str, str]] = {}
    imputed = np.array(
        [[cells.get(f"{i}-{j}", ("",))[0] == "imf_dots" for j in LISTED] for i in LISTED]
    )
    for a, i in enumerate(LISTED):
        x_listed = math.fsum(x27[a])
        m_listed = math.fsum(x27[:, a])
        # Mirror totals are built from reporters' records, so they miss the (imputed) flows
        # with other non-reporters; those are added back.
        x_imputed = math.fsum(x27[a][imputed[a]])
        m_imputed = math.fsum(x27[:, a][imputed[:, a]])
        for field, col, wdi_total, listed, extra in (
            ("exports_usd", "exports", need(mx, i, by, fx) * cif, x_listed, x_imputed),
            ("imports_usd", "imports", need(mm, i, by, fm), m_listed, m_imputed),
        ):
            if listed <= wdi_total:
                continue
            row = mirror[(mirror["iso3"] == i) & (mirror["year"] == by)]
            scale = cif if field == "exports_usd" else 1.0
            # Totals are stored FOB for exports (x world CIF/FOB in the matrix margins).
            value = float(row[col].iloc[0]) + extra / scale if len(row) == 1 else math.nan
            if math.isnan(value) or value * scale < listed:
                raise RawDataError(
                    f"{fmir}: {i}'s WDI {by} {col} ({wdi_total / 1e9:.2f} bn US$) are below its "
                    f"listed partners' records ({listed / 1e9:.2f} bn US$) and no mirror total "
                    f"covers them"
                )
            out[(i, field)] = (
                value,
                "wits_mirror",
                f"fallback:WITS mirror {col} + imputed flows with non-reporters "
                f"(WDI {by} total below the partners' records)",
            )
    return out
