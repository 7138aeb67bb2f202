"""Loader of the packaged calibration tables.

Reads only the small CSV/JSON tables shipped inside the package (``scosim/data/tables``),
so it works without the raw data. Rebuilding those tables is the job of
:mod:`scosim.data.build`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES

TABLES_DIR = Path(__file__).with_name("tables")

_COUNTRY_DTYPES = {
    "name": "string",
    "sco_status": "string",
    "status_since": "Int64",
    "landlocked": "boolean",
}


@dataclass(frozen=True)
class Calibration:
    """Calibration data for the 28 canonical economies (treat the frames as read-only).

    Attributes:
        base_year: Year of the levels (GDP, population, trade totals).
        version: Data version, ``"<base_year>.<n>+<sha256 prefix of the tables>"``.
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
            raise KeyError(
                f"unknown or non-numeric countries column {column!r}; allowed: {numeric}"
            )
        return self.countries[column].to_numpy(dtype=float, na_value=np.nan, copy=True)

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


def _read_tables(tables_dir: Path) -> Calibration:
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
    countries = pd.read_csv(tables_dir / "countries.csv", index_col="iso3", dtype=_COUNTRY_DTYPES)
    # Floats, not int64: products of US$ flows overflow 64-bit integers.
    trade = pd.read_csv(tables_dir / "trade.csv", index_col="exporter").astype(float)
    tariffs = pd.read_csv(tables_dir / "tariffs.csv", index_col="exporter").astype(float)
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
    )


@functools.cache
def load_calibration() -> Calibration:
    """Load the packaged calibration tables (cached; the result is shared, do not mutate).

    Returns:
        The :class:`Calibration` for the packaged base year.

    Raises:
        FileNotFoundError: If the packaged tables are missing.
    """
    return _read_tables(TABLES_DIR)


def load_calibration_from(tables_dir: str | Path) -> Calibration:
    """Load calibration tables from another directory (not cached), e.g. a test rebuild."""
    return _read_tables(Path(tables_dir))
