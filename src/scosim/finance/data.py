"""Packaged banking tables: loading and validation with errors that name table, row and field.

``tables/banks.csv`` has one row per economy (the aggregated banking system), US$ of the
base year; ``tables/exposures.csv`` lists cross-border interbank claims ``debtor, creditor,
usd`` (what the debtor's banks owe the creditor's banks). The balance sheet of economy ``i``:

    assets        = external assets e_i + interbank claims c_i (= sum_j L[j, i])
    liabilities   = deposits + other external liabilities + interbank liabilities l_i
                    (= sum_j L[i, j])
    capital       = assets - liabilities

so external liabilities ``b_i = deposits + other = assets - capital - l_i`` and
``e_i = assets - c_i``. Built by :mod:`scosim.finance.build`; described in ``docs/finance.md``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from scosim.data.constants import ECONOMIES

__all__ = [
    "TABLES_DIR",
    "TABLE_FILES",
    "BankingData",
    "FinanceDataError",
    "load_banking",
]

TABLES_DIR = Path(__file__).with_name("tables")
TABLE_FILES = ("banks", "exposures", "parameters", "settlement", "provenance", "sources")

_BANK_FIELDS = (
    "gdp_usd",
    "assets_usd",
    "capital_usd",
    "deposits_usd",
    "insured_deposits_usd",
    "npl_pct",
    "fuel_exports_gdp",
)

FloatArray = NDArray[np.float64]


class FinanceDataError(ValueError):
    """A banking table is missing, malformed or economically inconsistent."""


@dataclass(frozen=True)
class BankingData:
    """Balance sheets of the banking systems, in the order of ``codes``.

    Attributes:
        codes: Economy codes (N,).
        gdp: GDP, US$ (N,).
        assets: Total bank assets, US$ (N,).
        capital: Bank capital (equity), US$ (N,).
        deposits: Deposits, US$ (N,).
        insured: Insured deposits, US$ (N,).
        npl: Non-performing loans, share of gross loans (N,).
        fuel_exports_gdp: Fuel exports as a share of GDP (N,).
        L: Cross-border interbank liabilities ``L[i, j]`` owed by ``i`` to ``j`` (N, N).
        parameters: Named calibration figures from ``parameters.csv``.
        settlement: National-currency settlement share of each pair's trade (N, N).
    """

    codes: tuple[str, ...]
    gdp: FloatArray
    assets: FloatArray
    capital: FloatArray
    deposits: FloatArray
    insured: FloatArray
    npl: FloatArray
    fuel_exports_gdp: FloatArray
    L: FloatArray
    parameters: dict[str, float]
    settlement: FloatArray

    @property
    def interbank_claims(self) -> FloatArray:
        """``c_i = sum_j L[j, i]`` (N,)."""
        return self.L.sum(axis=0)

    @property
    def interbank_liabilities(self) -> FloatArray:
        """``l_i = sum_j L[i, j]`` (N,)."""
        return self.L.sum(axis=1)

    @property
    def external_assets(self) -> FloatArray:
        """``e_i = assets - interbank claims`` (N,)."""
        return self.assets - self.interbank_claims

    @property
    def external_liabilities(self) -> FloatArray:
        """``b_i = assets - capital - interbank liabilities`` (N,)."""
        return self.assets - self.capital - self.interbank_liabilities

    def index(self, code: str) -> int:
        """Position of an economy code."""
        return self.codes.index(code)


def _read(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise FinanceDataError(f"{path.name}: table not found in {path.parent}")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise FinanceDataError(
                f"{path.name}: missing column(s) {missing}; found {reader.fieldnames}")
        return list(reader)


def _num(path: Path, row: int, rec: dict[str, str], field: str) -> float:
    raw = rec.get(field, "")
    try:
        v = float(raw)
    except ValueError:
        raise FinanceDataError(
            f"{path.name} row {row} ({_who(rec)}), field {field}: {raw!r} is not a number"
        ) from None
    if not math.isfinite(v):
        raise FinanceDataError(
            f"{path.name} row {row} ({_who(rec)}), field {field}: {raw!r} is not finite")
    return v


def _who(rec: dict[str, str]) -> str:
    if "iso3" in rec:
        return f"iso3={rec['iso3']}"
    return ", ".join(f"{k}={rec[k]}" for k in ("debtor", "creditor") if k in rec)


def load_banking(
    tables_dir: str | Path | None = None,
    *,
    codes: Sequence[str] = ECONOMIES,
    allow_negative_capital: bool = False,
) -> BankingData:
    """Load and validate the banking tables.

    Rows are data rows counted from 1 after the header line, as a spreadsheet shows them
    minus one.

    Args:
        tables_dir: Directory with ``banks.csv`` etc.; the packaged tables by default.
        codes: Economies expected, in model order; every one must have a row.
        allow_negative_capital: Accept banking systems that start insolvent.

    Returns:
        The balance sheets as :class:`BankingData`.

    Raises:
        FinanceDataError: Naming the file, row and field of the first problem found:
            missing economies, unknown economies, negative figures, negative capital,
            insured above total deposits, exposures to unknown economies, claims that
            exceed a system's assets, liabilities that exceed assets less capital.
    """
    d = Path(tables_dir) if tables_dir is not None else TABLES_DIR
    bpath = d / "banks.csv"
    banks = _read(bpath, ("iso3", *_BANK_FIELDS))
    pos = {c: k for k, c in enumerate(codes)}
    N = len(codes)
    vals = {f: np.full(N, np.nan) for f in _BANK_FIELDS}
    rows_of: dict[str, int] = {}
    for r, rec in enumerate(banks, start=1):
        iso = rec["iso3"]
        if iso not in pos:
            raise FinanceDataError(
                f"{bpath.name} row {r}, field iso3: unknown economy {iso!r}; "
                f"allowed: {' '.join(codes)}")
        if iso in rows_of:
            raise FinanceDataError(
                f"{bpath.name} row {r}, field iso3: {iso} repeats row {rows_of[iso]}")
        rows_of[iso] = r
        for f in _BANK_FIELDS:
            v = _num(bpath, r, rec, f)
            if v < 0 and not (f == "capital_usd" and allow_negative_capital):
                what = ("capital must be >= 0 (set allow_negative_capital to start a system "
                        "insolvent)" if f == "capital_usd" else "must be >= 0")
                raise FinanceDataError(
                    f"{bpath.name} row {r} (iso3={iso}), field {f}: {v:g} is negative; {what}")
            vals[f][pos[iso]] = v
        if vals["insured_deposits_usd"][pos[iso]] > vals["deposits_usd"][pos[iso]]:
            raise FinanceDataError(
                f"{bpath.name} row {r} (iso3={iso}), field insured_deposits_usd: exceeds "
                "deposits_usd; insured deposits must be <= deposits")
        if vals["npl_pct"][pos[iso]] > 100:
            raise FinanceDataError(
                f"{bpath.name} row {r} (iso3={iso}), field npl_pct: {vals['npl_pct'][pos[iso]]:g}"
                " is above 100 percent")
    missing = [c for c in codes if c not in rows_of]
    if missing:
        raise FinanceDataError(f"{bpath.name}: no row for economies {missing}")

    epath = d / "exposures.csv"
    L = np.zeros((N, N))
    exp_rows: dict[tuple[str, str], int] = {}
    for r, rec in enumerate(_read(epath, ("debtor", "creditor", "usd")), start=1):
        for side in ("debtor", "creditor"):
            if rec[side] not in pos:
                raise FinanceDataError(
                    f"{epath.name} row {r} ({_who(rec)}), field {side}: unknown economy "
                    f"{rec[side]!r}; allowed: {' '.join(codes)}")
        i, j = pos[rec["debtor"]], pos[rec["creditor"]]
        if i == j:
            raise FinanceDataError(
                f"{epath.name} row {r} ({_who(rec)}): an economy's banks cannot have a "
                "cross-border exposure to themselves")
        key = (rec["debtor"], rec["creditor"])
        if key in exp_rows:
            raise FinanceDataError(f"{epath.name} row {r} ({_who(rec)}): repeats row "
                                   f"{exp_rows[key]}")
        exp_rows[key] = r
        v = _num(epath, r, rec, "usd")
        if v < 0:
            raise FinanceDataError(
                f"{epath.name} row {r} ({_who(rec)}), field usd: {v:g} is negative")
        L[i, j] = v
    assets = vals["assets_usd"]
    capital = vals["capital_usd"]
    claims = L.sum(axis=0)
    liab = L.sum(axis=1)
    rel = 1e-9
    for k, c in enumerate(codes):
        if claims[k] > assets[k] * (1 + rel):
            j = int(np.argmax(L[:, k]))
            raise FinanceDataError(
                f"{epath.name}: interbank claims of {c} sum to {claims[k]:.6g} US$, more than "
                f"its assets_usd {assets[k]:.6g} ({bpath.name} row {rows_of[c]}); largest "
                f"is row {exp_rows[(codes[j], c)]} (debtor={codes[j]}, creditor={c})")
        room = assets[k] - capital[k] - vals["deposits_usd"][k]
        if liab[k] > room * (1 + rel) + 1.0:
            j = int(np.argmax(L[k, :]))
            raise FinanceDataError(
                f"{epath.name}: interbank liabilities of {c} sum to {liab[k]:.6g} US$, more "
                f"than assets - capital - deposits = {room:.6g} ({bpath.name} row "
                f"{rows_of[c]}); largest is row {exp_rows[(c, codes[j])]} "
                f"(debtor={c}, creditor={codes[j]})")

    params = {}
    ppath = d / "parameters.csv"
    for r, rec in enumerate(_read(ppath, ("name", "value")), start=1):
        params[rec["name"]] = _num(ppath, r, rec, "value")
    spath = d / "settlement.csv"
    S = np.zeros((N, N))
    for r, rec in enumerate(_read(spath, ("economy_a", "economy_b", "share")), start=1):
        for side in ("economy_a", "economy_b"):
            if rec[side] not in pos:
                raise FinanceDataError(
                    f"{spath.name} row {r}, field {side}: unknown economy {rec[side]!r}")
        s = _num(spath, r, rec, "share")
        if not 0.0 <= s <= 1.0:
            raise FinanceDataError(f"{spath.name} row {r}, field share: {s:g} not in [0, 1]")
        a, b = pos[rec["economy_a"]], pos[rec["economy_b"]]
        S[a, b] = S[b, a] = s
    return BankingData(
        codes=tuple(codes),
        gdp=vals["gdp_usd"],
        assets=assets,
        capital=capital,
        deposits=vals["deposits_usd"],
        insured=vals["insured_deposits_usd"],
        npl=vals["npl_pct"] / 100.0,
        fuel_exports_gdp=vals["fuel_exports_gdp"],
        L=L,
        parameters=params,
        settlement=S,
    )
