"""Rebuild the packaged calibration tables from the raw source files.

The raw files live outside the package (``../shared/data/raw`` beside a development
checkout, described file by file in its ``SOURCES.md``). :func:`build_tables` turns them into
the small tables that :func:`scosim.data.load_calibration` reads, for each data version
(:data:`VERSIONS`); :func:`write_tables` replaces the packaged tables atomically and
:func:`check_tables` reports any difference between a fresh build and the packaged copy.

Determinism: every sum that feeds a table is an exact ``math.fsum`` (no BLAS dot product,
no SIMD-order reduction), floats are written with :data:`FLOAT_DIGITS` significant digits
and trade cells as whole dollars, so a rebuild gives the same bytes on any x86-64 machine.
:func:`check_tables` compares bytes first and, if they differ, numbers with the relative
tolerance :data:`CHECK_RTOL`, so that a last-digit difference from another libm is reported
but does not fail the check.

Definitions, imputations and their reasons are documented in ``docs/data.md``. The work is
split by table: :mod:`~scosim.data.raw` (files, readers), :mod:`~scosim.data.countries`,
:mod:`~scosim.data.flows` (trade), :mod:`~scosim.data.agreements`,
:mod:`~scosim.data.tariffs`, :mod:`~scosim.data.geography`, :mod:`~scosim.data.gdp_history`,
:mod:`~scosim.data.sources`.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from scosim.data.agreements import build_agreements
from scosim.data.constants import DEFAULT_VERSION, ECONOMIES, MEMBERS, VERSIONS
from scosim.data.countries import COUNTRY_COLUMNS, countries_frame, country_records
from scosim.data.facts import MEMBERS_2021, seed_facts
from scosim.data.flows import mirror_totals, ras, trade_2019, trade_2023
from scosim.data.gdp_history import build_gdp_history
from scosim.data.geography import build_geography
from scosim.data.psa_margins import build_psa_margins, margin_map
from scosim.data.raw import (
    BASE_YEAR,
    CIF_FOB_FACTOR,
    DOMESTIC_FLOOR,
    DOTS_NAMES,
    FLOAT_DIGITS,
    GROWTH_WINDOW,
    PATTERN_YEAR,
    RAW_FILES,
    VERSION_PREFIX,
    WHERE_RAW,
    Prov,
    RawDataError,
    raw_path,
    read_wdi,
)
from scosim.data.row_tariff import preference_ratios, row_mfn_shares
from scosim.data.sources import SOURCES
from scosim.data.suspension import KINDS as SUSPENSION_KINDS
from scosim.data.suspension import falls as suspension_falls
from scosim.data.suspension import record as record_suspension
from scosim.data.tariff_kinds import COLUMNS as KIND_COLUMNS
from scosim.data.tariffs import (
    ROW_SHARE,
    country_tariffs_into,
    fuel_shares,
    read_ahs,
    tariff_revenue,
    tariffs_2019,
    tariffs_2023,
)

__all__ = [
    "BASE_YEAR",
    "CHECK_RTOL",
    "CIF_FOB_FACTOR",
    "COUNTRY_COLUMNS",
    "DEFAULT_VERSION",
    "DOMESTIC_FLOOR",
    "DOTS_NAMES",
    "FLOAT_DIGITS",
    "GROWTH_WINDOW",
    "MEMBERS_2021",
    "PATTERN_YEAR",
    "RAW_FILES",
    "TABLES_DIR",
    "VERSIONS",
    "RawDataError",
    "build_tables",
    "check_tables",
    "ras",
    "seed_facts",
    "serialise",
    "write_tables",
]

#: Relative tolerance of :func:`check_tables` when bytes differ.
CHECK_RTOL = 1e-12

TABLES_DIR = Path(__file__).with_name("tables")
#: Tables of every version; version 2023 adds ``agreements``, ``psa_margins`` (the margin of
#: each partial-scope agreement, :mod:`scosim.data.psa_margins`) and ``tariffs_flat`` (the
#: tariff matrix without the composition adjustment). ``tariff_kinds`` says what kind of figure each
#: cell of ``tariffs`` is (:mod:`scosim.data.tariff_kinds`).
TABLE_FILES: dict[str, tuple[str, ...]] = {
    "2023": (
        "countries",
        "trade",
        "tariffs",
        "tariffs_flat",
        "tariff_kinds",
        "agreements",
        "psa_margins",
        "geography",
        "gdp_history",
        "sources",
        "provenance",
    ),
    "2019": ("countries", "trade", "tariffs", "tariff_kinds", "geography", "gdp_history",
             "sources", "provenance"),
}
_INDEXED = ("countries", "trade", "tariffs", "tariffs_flat", "gdp_history", "sources")


def _check_version(version: str) -> str:
    if version not in VERSIONS:
        raise ValueError(f"unknown data version {version!r}; allowed: {', '.join(VERSIONS)}")
    return version


def build_tables(
    raw_dir: str | os.PathLike[str], version: str = DEFAULT_VERSION
) -> dict[str, pd.DataFrame]:
    """Build every calibration table of one data version from the raw files.

    Args:
        raw_dir: Directory holding the raw files listed in :data:`RAW_FILES`.
        version: Data version (:data:`VERSIONS`).

    Returns:
        Mapping of table name (:data:`TABLE_FILES` of the version) to DataFrame.

    Raises:
        RawDataError: If a raw file is missing, malformed or lacks a required figure.
        ValueError: If ``version`` is unknown.
    """
    _check_version(version)
    raw = Path(raw_dir)
    if not raw.is_dir():
        raise RawDataError(f"{raw}: raw data directory not found ({WHERE_RAW})")
    prov = Prov()
    spells = build_agreements(raw)
    totals = mirror_totals(raw) if version == "2023" else None
    rec, agg = country_records(raw, prov, totals)
    country_tariffs_into(raw, rec, prov, version, spells)
    for iso in rec:  # filled below in version 2023 (scosim.data.row_tariff)
        rec[iso][ROW_SHARE] = 1.0
    countries = countries_frame(rec)
    out: dict[str, pd.DataFrame] = {"countries": countries}
    if version == "2023":
        out["trade"] = trade_2023(raw, countries, agg, prov)
        fuel = fuel_shares(countries)
        # The India-Pakistan suspension's tariff equivalent, from the trade it cut.
        found = suspension_falls(raw, out["trade"])
        methods = record_suspension(found, prov)
        susp = {pair: (f.tariff, methods[pair]) for pair, f in found.items()}
        out["psa_margins"] = build_psa_margins(read_ahs(raw), spells)
        margins = margin_map(out["psa_margins"])
        countries[ROW_SHARE] = row_mfn_shares(
            countries, out["trade"], spells, fuel, preference_ratios(raw), prov, susp, margins
        )
        kinds: list[dict[str, object]] = []
        out["tariffs"] = tariffs_2023(countries, out["trade"], spells, fuel, prov,
                                      suspension=susp, margins=margins, kinds=kinds)
        out["tariffs_flat"] = tariffs_2023(countries, out["trade"], spells, fuel, None,
                                           suspension=susp, margins=margins, composition=False)
        out["agreements"] = spells
    else:
        out["trade"] = trade_2019(raw, countries, agg, prov)
        for iso in countries.index:
            prov.add("countries", iso, ROW_SHARE, "scosim_rule",
                     "derived:1 (version 2019 charges MFN on every partner)")
        kinds = []
        out["tariffs"] = tariffs_2019(countries, prov, kinds)
    out["tariff_kinds"] = pd.DataFrame(kinds, columns=list(KIND_COLUMNS))
    gdp = read_wdi(raw, "gdp")
    gdp_w = {iso: v[BASE_YEAR] for iso, v in gdp.items() if BASE_YEAR in v}
    out["geography"] = build_geography(raw, gdp_w, prov)
    out["gdp_history"] = build_gdp_history(raw, prov)
    out["sources"] = pd.DataFrame(SOURCES).set_index("source_id")
    out["provenance"] = prov.frame()
    unknown = set(out["provenance"]["source_id"]) - set(out["sources"].index)
    if unknown:  # pragma: no cover - programming error guard
        raise RuntimeError(f"provenance uses unknown source ids {sorted(unknown)}")
    return {name: out[name] for name in TABLE_FILES[version]}


# --------------------------------------------------------------------------------------
# Serialisation
# --------------------------------------------------------------------------------------


def _to_csv(df: pd.DataFrame, name: str) -> bytes:
    buf = io.StringIO()
    if name == "trade":
        # Whole dollars as integers: exact at any magnitude (floats with FLOAT_DIGITS would
        # round the largest cells, e.g. ROW's diagonal, to tens of dollars).
        df = df.round().astype("int64")
    df.to_csv(
        buf,
        index=name in _INDEXED,
        lineterminator="\n",
        float_format=f"%.{FLOAT_DIGITS}g",
    )
    return buf.getvalue().encode("utf-8")


def _raw_hashes(raw_dir: Path) -> dict[str, str]:
    out = {}
    for key in sorted(RAW_FILES):
        p = raw_path(raw_dir, key)
        out[RAW_FILES[key]] = hashlib.sha256(p.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


def serialise(
    tables: dict[str, pd.DataFrame],
    raw_dir: str | os.PathLike[str],
    version: str = DEFAULT_VERSION,
) -> dict[str, bytes]:
    """Render one version's tables plus ``manifest.json`` as file name -> bytes."""
    _check_version(version)
    files = {f"{name}.csv": _to_csv(tables[name], name) for name in TABLE_FILES[version]}
    digest = hashlib.sha256()
    for fname in sorted(files):
        digest.update(fname.encode())
        digest.update(files[fname])
    extra: dict[str, object] = {}
    if version == "2023":
        # A ban's tariff equivalent collects nothing (Pakistan's on India).
        bans = [pair for pair, kind in SUSPENSION_KINDS.items() if kind == "ban"]
        extra["tariff_revenue_usd"] = {
            "composition_adjusted": round(tariff_revenue(tables["trade"], tables["tariffs"],
                                                         bans)),
            "flat": round(tariff_revenue(tables["trade"], tables["tariffs_flat"], bans)),
        }
    manifest = {
        "data_version": version,
        "base_year": BASE_YEAR,
        "pattern_year": PATTERN_YEAR,
        "version": f"{VERSION_PREFIX}-v{version}+{digest.hexdigest()[:12]}",
        "tables_sha256": {f: hashlib.sha256(b).hexdigest() for f, b in sorted(files.items())},
        "raw_sha256": _raw_hashes(Path(raw_dir)),
        "economies": list(ECONOMIES),
        "members": list(MEMBERS),
        "cif_fob_factor": CIF_FOB_FACTOR,
        "domestic_floor": DOMESTIC_FLOOR,
        "growth_window": list(GROWTH_WINDOW),
        "float_digits": FLOAT_DIGITS,
        **extra,
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def _all_files(raw_dir: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every version's files, keyed ``<version>/<file>``."""
    out = {}
    for version in VERSIONS:
        for fname, data in serialise(build_tables(raw_dir, version), raw_dir, version).items():
            out[f"{version}/{fname}"] = data
    return out


def write_tables(
    raw_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Build and write the tables of every version, replacing ``out_dir`` atomically.

    Everything is first written to a temporary sibling directory; only a complete set replaces
    the old one, so a failure never leaves half a table behind.

    Args:
        raw_dir: Raw data directory.
        out_dir: Target directory (default: the packaged ``scosim/data/tables``); it receives
            one sub-directory per data version.

    Returns:
        The target directory.
    """
    target = Path(out_dir) if out_dir is not None else TABLES_DIR
    files = _all_files(raw_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tables-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp creates 0700; the packaged directory must stay readable
    try:
        for rel, data in files.items():
            (tmp / rel).parent.mkdir(exist_ok=True)
            (tmp / rel).write_bytes(data)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    if target.resolve() == TABLES_DIR.resolve():
        _clear_loader_cache()  # the packaged tables changed; a cached Calibration is stale
    return target


def check_tables(
    raw_dir: str | os.PathLike[str], tables_dir: str | os.PathLike[str] | None = None
) -> list[str]:
    """Rebuild in memory and compare with the packaged tables of every version.

    Files are compared byte for byte; a CSV whose bytes differ is compared again number by
    number with relative tolerance :data:`CHECK_RTOL` (text cells exactly). A manifest is
    compared without its hashes and version string when every table agreed within tolerance.

    Returns:
        Human-readable differences; an empty list means the packaged tables are up to date.
    """
    target = Path(tables_dir) if tables_dir is not None else TABLES_DIR
    fresh = _all_files(raw_dir)
    diffs = []
    tolerated = False
    for rel, data in sorted(fresh.items()):
        p = target / rel
        if not p.is_file():
            diffs.append(f"{rel}: missing from {target}")
            continue
        old = p.read_bytes()
        if old == data or rel.endswith("manifest.json"):
            continue
        problem = _numeric_diff(old, data) if rel.endswith(".csv") else "differs"
        if problem is None:
            tolerated = True
        else:
            diffs.append(f"{rel}: differs from a fresh build ({problem})")
    for rel, data in sorted(fresh.items()):
        if not rel.endswith("manifest.json") or not (target / rel).is_file():
            continue
        old = (target / rel).read_bytes()
        if old != data and _manifest_diff(old, data, ignore_hashes=tolerated and not diffs):
            diffs.append(f"{rel}: differs from a fresh build ({_first_diff(old, data)})")
    expected = set(fresh)
    found = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    diffs.extend(f"{rel}: unexpected file in {target}" for rel in sorted(found - expected))
    return diffs


def _numeric_diff(old: bytes, new: bytes) -> str | None:
    """``None`` if two CSVs agree (numbers within CHECK_RTOL), else the first difference."""
    try:
        a = pd.read_csv(io.BytesIO(old), dtype=str, keep_default_na=False)
        b = pd.read_csv(io.BytesIO(new), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError):
        return _first_diff(old, new)
    if list(a.columns) != list(b.columns) or a.shape != b.shape:
        return f"shape/columns {a.shape} vs {b.shape}"
    for col in a.columns:
        for n, (x, y) in enumerate(zip(a[col], b[col], strict=True), start=2):
            if x == y:
                continue
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                return f"line {n} column {col!r}: packaged {x!r} vs fresh {y!r}"
            if not math.isclose(fx, fy, rel_tol=CHECK_RTOL, abs_tol=0.0):
                return f"line {n} column {col!r}: packaged {x} vs fresh {y}"
    return None


def _manifest_diff(old: bytes, new: bytes, *, ignore_hashes: bool) -> bool:
    a, b = json.loads(old), json.loads(new)
    if ignore_hashes:
        for m in (a, b):
            m.pop("tables_sha256", None)
            m.pop("version", None)
            m.pop("tariff_revenue_usd", None)
    return a != b


def _first_diff(old: bytes, new: bytes) -> str:
    a, b = old.decode().splitlines(), new.decode().splitlines()
    for n, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return f"line {n}: packaged {x[:60]!r} vs fresh {y[:60]!r}"
    return f"{len(a)} vs {len(b)} lines"


def _clear_loader_cache() -> None:
    loader: Callable[..., object] | None
    try:
        from scosim.data.calibration import load_calibration as loader
    except ImportError:  # pragma: no cover
        loader = None
    if loader is not None and hasattr(loader, "cache_clear"):
        loader.cache_clear()
