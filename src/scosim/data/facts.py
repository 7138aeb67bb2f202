"""Figures compared with the facts quoted in the seed essays (docs/data.md, "Seed facts")."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from scosim.data.constants import MEMBERS
from scosim.data.raw import DOTS_NAMES, RAW_FILES, numeric, read

#: SCO members in 2021 (before Iran 2023 and Belarus 2024), the membership behind seed figures.
MEMBERS_2021 = ("CHN", "RUS", "IND", "PAK", "KAZ", "KGZ", "TJK", "UZB")


def seed_facts(
    raw_dir: str | os.PathLike[str] | None = None, version: str | None = None
) -> dict[str, float]:
    """Compute the figures compared with the seed essays in ``docs/data.md``.

    Args:
        raw_dir: Raw directory; the DOTS-based figures are computed only when given.
        version: Data version of the packaged figures (default: the default version).

    Returns:
        Mapping of figure name to value (US$ for trade, fractions for shares).
    """
    from scosim.data.calibration import load_calibration

    cal = load_calibration(version)
    c, x = cal.countries, cal.trade
    members = list(MEMBERS)
    block = x.loc[members, members].to_numpy(copy=True)
    np.fill_diagonal(block, 0.0)
    out = {
        "intra_sco10_base_usd": math.fsum(block.ravel()),
        "pop_share_members": math.fsum(c.loc[members, "population"]) / math.fsum(c["population"]),
        "gdp_share_members": math.fsum(c.loc[members, "gdp_usd"]) / math.fsum(c["gdp_usd"]),
        "uzb_ind_base_usd": float(x.loc["UZB", "IND"] + x.loc["IND", "UZB"]),
    }
    if raw_dir is None:
        return out
    df = read(
        Path(raw_dir), "dots", ["reporter_iso3", "partner_dots_name", "flow", "year", "value"]
    )
    df = df.assign(value=numeric(df, "value", RAW_FILES["dots"]) * 1e6)
    iso_of = {v: k for k, v in DOTS_NAMES.items()}
    df = df[df["partner_dots_name"].isin(iso_of)]
    df = df.assign(partner=df["partner_dots_name"].map(iso_of))

    def turnover(year: int, group: Iterable[str]) -> float:
        g = list(group)
        sub = df[(df["year"] == year) & df["reporter_iso3"].isin(g) & df["partner"].isin(g)]
        # Each member's reported exports plus imports with the others: every flow counted twice.
        return math.fsum(sub.loc[sub["reporter_iso3"] != sub["partner"], "value"])

    def side(year: int, reporter: str, partner: str, flow: str) -> float:
        sub = df[
            (df["year"] == year)
            & (df["reporter_iso3"] == reporter)
            & (df["partner"] == partner)
            & (df["flow"] == flow)
        ]
        return math.fsum(sub["value"])

    for yr in (2017, 2019, 2020):
        out[f"turnover_sco8_{yr}_usd"] = turnover(yr, MEMBERS_2021)
        out[f"uzb_ind_{yr}_uzb_reported_usd"] = side(yr, "UZB", "IND", "exports_fob") + side(
            yr, "UZB", "IND", "imports_cif"
        )
        out[f"uzb_ind_{yr}_ind_reported_usd"] = side(yr, "IND", "UZB", "exports_fob") + side(
            yr, "IND", "UZB", "imports_cif"
        )
        out[f"uzb_ind_{yr}_importers_cif_usd"] = side(yr, "UZB", "IND", "imports_cif") + side(
            yr, "IND", "UZB", "imports_cif"
        )
    out["turnover_sco10_2019_usd"] = turnover(2019, MEMBERS)
    return out
