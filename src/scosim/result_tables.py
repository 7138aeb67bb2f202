"""Reading a run's tables back: :class:`Result`, batch files, filtered and wide reads.

Split from :mod:`scosim.results` (which writes runs); every name here is also
importable from there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scosim.results import MANIFEST

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Result:
    """A finished run, reopened from its directory.

    Attributes:
        path: The run directory.
        manifest: Its manifest.
    """

    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def indicators(self) -> pd.DataFrame:
        """Tidy indicator table (run, year, country, indicator, value)."""
        if "indicators" not in self._cache:
            self._cache["indicators"] = read_batches(self.path / "indicators")
        return self._cache["indicators"]

    @property
    def events(self) -> pd.DataFrame:
        """Event log: run, year, type, country, proposal, one typed column per detail field.

        Runs written before typed detail columns have JSON ``detail`` text instead;
        :func:`scosim.model.events.expand_legacy_detail` converts such a table.
        """
        if "events" not in self._cache:
            self._cache["events"] = read_batches(self.path / "events")
        return self._cache["events"]

    @property
    def bilateral(self) -> pd.DataFrame:
        """Bilateral flows (run, year, exporter, importer, indicator, value).

        Written only when the scenario sets ``outputs.bilateral: true``.
        """
        if "bilateral" not in self._cache:
            if not (self.path / "bilateral").is_dir():
                raise FileNotFoundError(
                    f"{self.path} has no bilateral tables; set outputs.bilateral: true "
                    "in the scenario to write them"
                )
            self._cache["bilateral"] = read_batches(self.path / "bilateral")
        return self._cache["bilateral"]

    @property
    def plots(self) -> list[Path]:
        """PNG plots written for this run."""
        return sorted((self.path / "plots").glob("*.png"))

    @property
    def scenario_yaml(self) -> str:
        """The resolved scenario as YAML text."""
        return (self.path / "scenario.yaml").read_text()

    def indicator(self, name: str) -> pd.DataFrame:
        """One indicator as a wide table: rows (run, year), columns countries."""
        if "indicators" in self._cache:
            df = self.indicators
            df = df[df["indicator"] == name]
        else:
            # Read only this indicator rather than every indicator of every run.
            df = read_batches(self.path / "indicators", indicators=[name])
        if df.empty:
            known = sorted(indicator_names(self.path / "indicators"))
            raise KeyError(f"no indicator {name!r}; this run has {', '.join(known)}")
        return df.pivot_table(index=["run", "year"], columns="country", values="value")


def batch_files(d: str | Path) -> list[str]:
    """The ``batch-*.parquet`` files of a run's table directory, in batch order.

    A stray temporary file from an interrupted write (``batch-00003.parquet.tmp``)
    is never taken for data.

    Raises:
        FileNotFoundError: There are none.
    """
    d = Path(d)
    files = sorted(str(f) for f in d.glob("batch-*.parquet")) if d.is_dir() else []
    if not files:
        raise FileNotFoundError(f"no tables (batch-*.parquet) in {d}")
    return files


def read_batches(
    d: str | Path,
    *,
    indicators: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    sort: bool = True,
) -> pd.DataFrame:
    """Read a run's table from its batch files (``<run>/indicators`` or ``<run>/events``).

    Args:
        d: The table's directory.
        indicators: Keep only these indicators (read with a Parquet filter).
        types: Keep only these event types (events tables; a Parquet filter).
        columns: Read only these columns (default: all).
        sort: Order rows by run and year (stable), as a reader expects; off for
            callers that join on keys anyway.

    Returns:
        The concatenated table.
    """
    import pyarrow.dataset as ds

    files = batch_files(d)
    flt = ds.field("indicator").isin(list(indicators)) if indicators else None
    if types:
        by_type = ds.field("type").isin(list(types))
        flt = by_type if flt is None else flt & by_type
    cols = list(columns) if columns is not None else None
    df = ds.dataset(files, format="parquet").to_table(columns=cols, filter=flt).to_pandas()
    if sort:
        keys = [c for c in ("run", "year") if c in df.columns]
        df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return df


def indicator_names(d: str | Path) -> set[str]:
    """Names of the indicators a run recorded, reading only that column, file by file."""
    import pyarrow.parquet as pq

    names: set[str] = set()
    for f in batch_files(d):
        names.update(pq.read_table(f, columns=["indicator"]).column(0).unique().to_pylist())
    return names


def read_wide(d: str | Path, indicator: str) -> pd.DataFrame:
    """One indicator as a wide table, rows ``(run, year)``, columns countries.

    The same table as pivoting the whole tidy table, but read and pivoted one
    batch file at a time with only the four columns it needs, so memory holds one
    float per run, year and country instead of every indicator's tidy rows.

    Args:
        d: A run's ``indicators`` directory.
        indicator: The indicator.

    Returns:
        The wide table (empty when the run did not record ``indicator``).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    parts = []
    for f in batch_files(d):
        part = pq.read_table(
            f, columns=["run", "year", "country", "value"],
            filters=[("indicator", "==", indicator)],
        ).to_pandas()
        if len(part):
            parts.append(part.pivot_table(
                index=["run", "year"], columns="country", values="value", observed=True
            ))
    if not parts:
        return pd.DataFrame()
    wide = parts[0] if len(parts) == 1 else pd.concat(parts)
    return wide.sort_index()


def open_result(path: str | Path) -> Result:
    """Reopen a finished run from its directory.

    Args:
        path: A run directory (``results/<scenario>/<run_id>``).

    Returns:
        The :class:`Result`.

    Raises:
        FileNotFoundError: No manifest there.
        ValueError: The run is not complete.
    """
    p = Path(path)
    mf = p / MANIFEST
    if not mf.is_file():
        raise FileNotFoundError(f"{p} is not a scosim run directory (no {MANIFEST})")
    manifest = json.loads(mf.read_text())
    if manifest.get("status") != "complete":
        raise ValueError(f"{p} is not complete (status {manifest.get('status')!r})")
    return Result(path=p, manifest=manifest)


