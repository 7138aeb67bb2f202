"""The ``geography`` table: CEPII GeoDist pairs, with Rest-of-World pairs as GDP-weighted means."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from scosim.data.constants import ECONOMIES, LISTED, ROW
from scosim.data.raw import (
    BASE_YEAR,
    CEPII_LEGACY,
    RAW_FILES,
    Prov,
    RawDataError,
    fdot,
    numeric,
    read,
)


def build_geography(raw_dir: Path, gdp_w: dict[str, float], prov: Prov) -> pd.DataFrame:
    """The long pair table (784 rows) from GeoDist; ROW pairs as GDP-weighted means."""
    fname = RAW_FILES["dist"]
    fields = ["dist", "distcap", "distw", "contig", "comlang_off", "comlang_ethno", "colony"]
    # GeoDist writes '.' for a missing value (e.g. distw for a few small territories).
    d = read(raw_dir, "dist", ["iso_o", "iso_d", *fields], sep=";", na_values=["."])
    for f in fields:
        d[f] = numeric(d, f, fname)
    d = d.drop_duplicates(["iso_o", "iso_d"])
    cube = d.set_index(["iso_o", "iso_d"])[fields]
    codes = sorted(set(d["iso_o"]))
    missing = sorted(set(LISTED) - set(codes))
    if missing:
        raise RawDataError(f"{fname}: country code(s) {missing} absent")
    # Rest-of-World members: every GeoDist country outside the 27 with a base-year WDI GDP.
    rest = [c for c in codes if c not in LISTED and CEPII_LEGACY.get(c, c) in gdp_w]
    w = np.array([gdp_w[CEPII_LEGACY.get(c, c)] for c in rest])
    w = w / math.fsum(w)
    full = {f: cube[f].unstack().reindex(index=codes, columns=codes) for f in fields}
    out_names = {"dist": "dist_km", "distcap": "distcap_km", "distw": "distw_km"}
    recs = []
    for i in ECONOMIES:
        for j in ECONOMIES:
            row: dict[str, object] = {"exporter": i, "importer": j}
            for f in fields:
                m = full[f]
                if i != ROW and j != ROW:
                    v = float(m.loc[i, j])
                    if math.isnan(v):
                        raise RawDataError(f"{fname}: pair {i}-{j} has no {f}")
                elif i == ROW and j == ROW:
                    v = _wmean2(m.loc[rest, rest].to_numpy(), w)
                elif i == ROW:
                    v = _wmean(m.loc[rest, j].to_numpy(), w)
                else:
                    v = _wmean(m.loc[i, rest].to_numpy(), w)
                row[out_names.get(f, f)] = v
            recs.append(row)
            if ROW in (i, j):
                prov.add(
                    "geography",
                    f"{i}-{j}",
                    "*",
                    "cepii_geodist",
                    f"imputed:GDP-weighted mean over {len(rest)} ROW countries "
                    f"(WDI {BASE_YEAR} GDP weights)",
                )
            else:
                prov.add("geography", f"{i}-{j}", "*", "cepii_geodist", "reported")
    df = pd.DataFrame(recs)
    for f in ("contig", "comlang_off", "comlang_ethno", "colony"):
        # Listed pairs are 0/1 dummies; ROW pairs are GDP-weighted shares in [0, 1].
        df[f] = df[f].astype(float)
    return df


def _wmean(v: np.ndarray, w: np.ndarray) -> float:
    """Weighted mean ignoring missing entries (weights renormalised over the present ones)."""
    # math.fsum, not a BLAS dot product: the result must not depend on the BLAS kernel.
    ok = ~np.isnan(v)
    return fdot(v[ok], w[ok]) / math.fsum(w[ok])


def _wmean2(m: np.ndarray, w: np.ndarray) -> float:
    """Weighted mean over pairs (a, b) with weight w_a * w_b, ignoring missing entries."""
    ww = np.outer(w, w)
    ok = ~np.isnan(m)
    return fdot(m[ok], ww[ok]) / math.fsum(ww[ok])
