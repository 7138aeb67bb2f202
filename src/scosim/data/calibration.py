"""Loader of the packaged calibration tables.

Reads only the small CSV/JSON tables shipped inside the package
(``scosim/data/tables/<data version>/``), so it works without the raw data. Rebuilding those
tables is the job of :mod:`scosim.data.build`.

Data versions (``load_calibration(version=...)``, or the environment variable
``SCOSIM_DATA_VERSION`` for everything that loads the default calibration, e.g. a run):

* ``"2023"`` (default): WITS 2023 bilateral flows, trade agreements in force, bilateral
  tariffs with the composition adjustment (``composition=False`` selects the matrix
  without it);
* ``"2019"``: the earlier calibration, the 2019 DOTS pattern scaled to 2023 totals and the
  importer's MFN rate on every partner (zero inside the EAEU).
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

# The data versions and their resolution live with the codes (no pandas); re-exported here.
from scosim.data.constants import (
    DEFAULT_VERSION,
    ECONOMIES,
    VERSION_ENV,  # noqa: F401
    VERSIONS,  # noqa: F401
    resolve_version,
)

TABLES_DIR = Path(__file__).with_name("tables")
#: Years of the ``agreements`` long table (pair x year).
AGREEMENT_YEARS = (1990, 2026)

_COUNTRY_DTYPES = {
    "name": "string",
    "sco_status": "string",
    "status_since": "Int64",
    "landlocked": "boolean",
}


class UnknownColumn(KeyError):
    """A column :meth:`Calibration.vector` does not have, said as plain text.

    A KeyError (what callers catch), but its message is not quoted as a KeyError's is:
    a misspelt column dumped the 27 allowed ones as a quoted Python list, with no near
    miss (an outside review, 2026-12-07).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Calibration:
    """Calibration data for the 28 canonical economies (treat the frames as read-only).

    Attributes:
        base_year: Year of the levels (GDP, population, trade totals).
        version: Full version string, ``"<base_year>.<n>-v<data version>+<sha256 prefix of
            the tables>"`` (recorded in every run's manifest).
        countries: One row per economy (index ``iso3``, canonical order); see docs/data.md
            for every column and unit.
        trade: Exporter x importer matrix (index/columns in canonical order), US$, CIF,
            without tariffs; diagonal = domestic sales.
        tariffs: Exporter x importer baseline ad valorem tariff (fraction) applied by the
            importer (column) on the exporter's (row) goods.
        geography: Long table of all 784 ordered pairs: ``exporter, importer, dist_km,
            distcap_km, distw_km, contig, comlang_off, comlang_ethno, colony``.
        sources: Sources table indexed by ``source_id``.
        provenance: Long table ``table, key, field, source_id, method, year``.
        manifest: Contents of ``manifest.json`` (hashes of the tables and raw files).
        data_version: ``"2023"`` or ``"2019"`` (see the module docstring).
        composition: Whether ``tariffs`` carries the composition adjustment (version 2023).
        agreement_spells: Agreements between ordered pairs of the 27 as spells: ``exporter,
            importer, rta_id, type (CU | FTA | PSA), from_date, to_date, name`` (version 2023;
            empty for 2019).
        agreements: The same, one row per ordered pair, year (1990-2026) and agreement in
            force on 31 December of that year: ``exporter, importer, year, rta_id, type,
            name``.
        gdp_history: GDP in current US$ by economy (index ``iso3``, canonical order) and
            year (integer columns), NaN where not reported (WDI; ROW = World minus the 27
            where all are reported); empty for tables built before it existed.
        tariff_kinds: What kind of figure each cell of ``tariffs`` is, long: ``exporter,
            importer, kind, rate_without_measure`` (:mod:`scosim.data.tariff_kinds`: an
            applied rate or a measure's tariff equivalent, and the rate a measure's cell
            would have without it); empty for tables built before it existed.
        psa_margins: The margin of each partial-scope agreement, ``rta_id, name, margin,
            kind, pairs, pairs_in_excerpt, source_id, method`` (:mod:`scosim.data.psa_margins`;
            version 2023, empty otherwise): what a PSA's pair pays is ``1 - margin`` times
            the importer's rate.
    """

    base_year: int
    version: str
    countries: pd.DataFrame = field(repr=False)
    trade: pd.DataFrame = field(repr=False)
    tariffs: pd.DataFrame = field(repr=False)
    geography: pd.DataFrame = field(repr=False)
    sources: pd.DataFrame = field(repr=False)
    provenance: pd.DataFrame = field(repr=False)
    manifest: dict[str, Any] = field(repr=False, compare=False)
    data_version: str = DEFAULT_VERSION
    composition: bool = True
    agreement_spells: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    agreements: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    gdp_history: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    tariff_kinds: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    psa_margins: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def economies(self) -> tuple[str, ...]:
        """The 28 ISO3 codes in canonical order (ROW last)."""
        return tuple(self.countries.index)

    def vector(self, column: str) -> np.ndarray:
        """A numeric ``countries`` column as a fresh float array in canonical order.

        Args:
            column: A numeric column of ``countries`` (e.g. ``"gdp_usd"``, ``"tariff_mfn"``).

        Raises:
            KeyError: If the column does not exist or is not numeric.
        """
        numeric = [
            c for c in self.countries.columns if c not in ("name", "sco_status", "status_since")
        ]
        if column not in numeric:
            import difflib

            close = difflib.get_close_matches(column, numeric, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UnknownColumn(f"unknown or non-numeric countries column {column!r}{hint}; "
                                f"allowed: {', '.join(numeric)}")
        return self.countries[column].to_numpy(dtype=float, na_value=np.nan, copy=True)

    def gdp_history_ratio(self, year: int) -> np.ndarray:
        """Each economy's GDP in ``year`` relative to the base year, ``(N,)``, from ``gdp_history``.

        ``GDP[year] / GDP[base_year]`` in current US$; NaN where either is not reported
        or ``year`` is outside the table.

        Raises:
            ValueError: If the calibration has no ``gdp_history`` table.
        """
        return self.gdp_history_ratios([year])[0]

    def gdp_history_ratios(self, years: Sequence[int]) -> np.ndarray:
        """:meth:`gdp_history_ratio` of every year in ``years`` at once, ``(len(years), N)``."""
        h = self.gdp_history
        if h.empty:
            raise ValueError(
                f"data version {self.data_version} has no gdp_history table "
                "(rebuild with `python tools/build_calibration.py`)"
            )
        if self.base_year not in h.columns:
            return np.full((len(years), len(h)), np.nan)
        # Years outside the table read as NaN columns.
        table = h.reindex(columns=list(years)).div(h[self.base_year], axis=0)
        return table.to_numpy(dtype=float, na_value=np.nan, copy=True).T

    def trade_matrix(self) -> np.ndarray:
        """Trade flows as a fresh (28, 28) float array, US$, exporter x importer."""
        return self.trade.to_numpy(dtype=float, copy=True)

    def tariff_matrix(self) -> np.ndarray:
        """Baseline tariffs as a fresh (28, 28) float array (fractions), exporter x importer."""
        return self.tariffs.to_numpy(dtype=float, copy=True)

    def pair_matrix(self, column: str = "distw_km") -> np.ndarray:
        """A geography column as a fresh (28, 28) array, exporter x importer.

        Args:
            column: One of the geography columns (``dist_km``, ``distcap_km``, ``distw_km``,
                ``contig``, ``comlang_off``, ``comlang_ethno``, ``colony``).

        Raises:
            KeyError: If ``column`` is not a geography column.
        """
        allowed = [c for c in self.geography.columns if c not in ("exporter", "importer")]
        if column not in allowed:
            raise KeyError(f"unknown geography column {column!r}; allowed: {allowed}")
        wide = self.geography.pivot(index="exporter", columns="importer", values=column)
        order = list(self.economies)
        return wide.loc[order, order].to_numpy(dtype=float, copy=True)

    def source_of(self, field: str, iso3: str, table: str = "countries") -> pd.Series:
        """Provenance and source of one figure.

        Args:
            field: Column name (e.g. ``"gdp_usd"``); for the ``trade``, ``tariffs`` and
                ``geography`` tables use ``"value"`` (trade, tariffs) or ``"*"`` (geography).
            iso3: Economy code, or ``"EXP-IMP"`` for a pair in the matrix tables.
            table: ``countries`` (default), ``trade``, ``tariffs`` or ``geography``.

        Returns:
            The provenance row (``table, key, field, source_id, method, year``) joined with
            the source's row (``publisher, dataset, series, vintage, licence, origin,
            raw_file``).

        Raises:
            KeyError: If no provenance row matches, naming what is available.
        """
        p = self.provenance
        hit = p[(p["table"] == table) & (p["key"] == iso3) & (p["field"] == field)]
        if hit.empty:
            keys = sorted(p.loc[p["table"] == table, "key"].unique())
            fields = sorted(p.loc[p["table"] == table, "field"].unique())
            if table not in set(p["table"]):
                raise KeyError(f"unknown table {table!r}; allowed: {sorted(p['table'].unique())}")
            if iso3 not in keys:
                raise KeyError(f"unknown key {iso3!r} in table {table!r}; e.g. {keys[:5]}")
            raise KeyError(f"unknown field {field!r} in table {table!r}; allowed: {fields}")
        # The final figure is the last row written (trade cells also carry a pattern row).
        row = hit.iloc[-1]
        src = self.sources.loc[row["source_id"]]
        return pd.concat([row, src])


def _read_tables(tables_dir: Path, composition: bool = True) -> Calibration:
    from scosim.data.agreements import by_year
    from scosim.data.psa_margins import FILE as MARGINS_FILE
    from scosim.data.tariff_kinds import FILE as KINDS_FILE
    from scosim.data.tariff_kinds import check_kinds

    missing = [
        n
        for n in ("countries", "trade", "tariffs", "geography", "sources", "provenance")
        if not (tables_dir / f"{n}.csv").is_file()
    ]
    if missing or not (tables_dir / "manifest.json").is_file():
        raise FileNotFoundError(
            f"calibration tables missing in {tables_dir}: {missing or ['manifest.json']}; "
            "rebuild with `python tools/build_calibration.py`"
        )
    manifest = json.loads((tables_dir / "manifest.json").read_text())
    data_version = str(manifest.get("data_version", "2019"))
    countries = pd.read_csv(tables_dir / "countries.csv", index_col="iso3", dtype=_COUNTRY_DTYPES)
    # Floats, not int64: products of US$ flows overflow 64-bit integers.
    trade = pd.read_csv(tables_dir / "trade.csv", index_col="exporter").astype(float)
    tariff_file = "tariffs.csv"
    if not composition:
        tariff_file = "tariffs_flat.csv"
        if not (tables_dir / tariff_file).is_file():
            raise ValueError(
                f"data version {data_version} has no tariff matrix without the composition "
                "adjustment (composition=False needs version 2023)"
            )
    tariffs = pd.read_csv(tables_dir / tariff_file, index_col="exporter").astype(float)
    geography = pd.read_csv(tables_dir / "geography.csv")
    sources = pd.read_csv(
        tables_dir / "sources.csv", index_col="source_id", dtype=str, keep_default_na=False
    )
    provenance = pd.read_csv(
        tables_dir / "provenance.csv",
        dtype={"year": "Int64"},
        keep_default_na=False,
        na_values={"year": [""]},
    )
    spells_cols = ["exporter", "importer", "rta_id", "type", "from_date", "to_date", "name"]
    if (tables_dir / "agreements.csv").is_file():
        spells = pd.read_csv(
            tables_dir / "agreements.csv", dtype={"rta_id": int}, keep_default_na=False
        )
    else:
        spells = pd.DataFrame({c: pd.Series(dtype=object) for c in spells_cols})
    agreements = by_year(spells, *AGREEMENT_YEARS)
    history = pd.DataFrame()
    if (tables_dir / "gdp_history.csv").is_file():
        history = pd.read_csv(tables_dir / "gdp_history.csv", index_col="iso3").astype(float)
        history.columns = history.columns.astype(int)
        if list(history.index) != list(ECONOMIES):
            raise ValueError("calibration table gdp_history.csv is not in canonical economy order")
    kinds = pd.DataFrame()
    if (tables_dir / KINDS_FILE).is_file():
        kinds = pd.read_csv(tables_dir / KINDS_FILE, dtype={"exporter": str, "importer": str,
                                                            "kind": str},
                            keep_default_na=False, na_values={"rate_without_measure": [""]})
        check_kinds(kinds, str(tables_dir / KINDS_FILE), ECONOMIES)
    margins = pd.DataFrame()
    if (tables_dir / MARGINS_FILE).is_file():
        margins = pd.read_csv(tables_dir / MARGINS_FILE, dtype={"rta_id": int, "margin": float},
                              keep_default_na=False)
    order = list(ECONOMIES)
    for name, frame in (("countries", countries), ("trade", trade), ("tariffs", tariffs)):
        if list(frame.index) != order:
            raise ValueError(f"calibration table {name}.csv is not in canonical economy order")
    for name, frame in (("trade", trade), ("tariffs", tariffs)):
        if list(frame.columns) != order:
            raise ValueError(f"calibration table {name}.csv columns are not in canonical order")
    return Calibration(
        base_year=int(manifest["base_year"]),
        version=str(manifest["version"]),
        countries=countries,
        trade=trade,
        tariffs=tariffs,
        geography=geography,
        sources=sources,
        provenance=provenance,
        manifest=manifest,
        data_version=data_version,
        composition=composition and data_version == "2023",
        agreement_spells=spells,
        agreements=agreements,
        gdp_history=history,
        tariff_kinds=kinds,
        psa_margins=margins,
    )


def load_calibration(version: str | None = None, *, composition: bool = True) -> Calibration:
    """Load the packaged calibration tables (cached; the result is shared, do not mutate).

    Args:
        version: Data version (``"2023"``, ``"2019"``); ``None`` reads
            ``$SCOSIM_DATA_VERSION`` and falls back to ``"2023"``.
        composition: Tariff matrix with the composition adjustment (default) or without it
            (version 2023 only).

    Returns:
        The :class:`Calibration` of that data version.

    Raises:
        FileNotFoundError: If the packaged tables are missing.
        ValueError: If the version is unknown.
    """
    return _load_cached(resolve_version(version), composition)


@functools.cache
def _load_cached(version: str, composition: bool) -> Calibration:
    return _read_tables(TABLES_DIR / version, composition)


#: ``load_calibration.cache_clear()`` empties the cache (the rebuild calls it).
load_calibration.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]


_T = TypeVar("_T")
#: Values derived from a calibration, per calibration object (see :func:`derived`).
_DERIVED: dict[int, dict[Hashable, Any]] = {}


def derived(cal: Calibration, key: Hashable, compute: Callable[[], _T]) -> _T:
    """``compute()``, done once per calibration object and ``key``.

    For what every model of a scenario derives from the calibration alone (agreement
    blocs, the trade and tariff matrices of its economies): built once, not once per
    model, so a model of one run does not pay what a model of many runs pays once. The
    calibration's frames are read-only by contract, so the value stays valid for the
    object's lifetime; it is dropped with the object. Callers get the same object each
    time and must not change it (return read-only arrays from ``compute``).

    Args:
        cal: The calibration the value is derived from.
        key: What is derived, with every other input it depends on (hashable).
        compute: Builds the value from ``cal`` and the inputs named in ``key``.
    """
    memo = _DERIVED.get(id(cal))
    if memo is None:
        memo = _DERIVED[id(cal)] = {}
        weakref.finalize(cal, _DERIVED.pop, id(cal), None)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def read_only(a: np.ndarray) -> np.ndarray:
    """``a``, made read-only (for values kept by :func:`derived`)."""
    a.flags.writeable = False
    return a


def load_calibration_from(tables_dir: str | Path, *, composition: bool = True) -> Calibration:
    """Load calibration tables from another directory (not cached), e.g. a test rebuild.

    ``tables_dir`` is either one version's directory or a rebuild target holding one
    sub-directory per version (then the default version is loaded).
    """
    path = Path(tables_dir)
    if not (path / "manifest.json").is_file() and (path / DEFAULT_VERSION).is_dir():
        path = path / DEFAULT_VERSION
    return _read_tables(path, composition)
