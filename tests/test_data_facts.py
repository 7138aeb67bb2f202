"""Seed facts vs calibration: the numbers quoted in docs/data.md must not drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from _raw import RAW, needs_raw_file  # tests/ on sys.path
from scosim.data.build import RAW_FILES, seed_facts

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "data.md"
needs_raw = needs_raw_file(RAW_FILES["dots"])

#: Values documented in docs/data.md ("Seed facts"), with the rounding used there.
DOCUMENTED_PACKAGED = {
    "intra_sco10_base_usd": (644.5e9, 0.05e9),
    "pop_share_members": (0.423, 0.0005),
    "gdp_share_members": (0.234, 0.0005),
    "uzb_ind_base_usd": (756.3e6, 0.05e6),
}
#: The same figures for data version 2019 (the 2019 pattern scaled to 2023 totals).
DOCUMENTED_PACKAGED_2019 = {
    "intra_sco10_base_usd": (462.1e9, 0.05e9),
    "uzb_ind_base_usd": (668.6e6, 0.05e6),
}
DOCUMENTED_RAW = {
    "turnover_sco8_2020_usd": (553.3e9, 0.05e9),
    "turnover_sco8_2019_usd": (586.3e9, 0.05e9),
    "uzb_ind_2017_uzb_reported_usd": (301.6e6, 0.05e6),
    "uzb_ind_2017_ind_reported_usd": (224.7e6, 0.05e6),
    "uzb_ind_2017_importers_cif_usd": (376.1e6, 0.05e6),
    "uzb_ind_2019_importers_cif_usd": (411.5e6, 0.05e6),
}


def _doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def _assert_documented(
    values: dict[str, float], documented: dict[str, tuple[float, float]]
) -> None:
    text = _doc_text()
    for key, (value, tol) in documented.items():
        assert values[key] == pytest.approx(value, abs=tol), key
        # The doc must quote the same rounded figure (bn / m US$ with one decimal, or %).
        if key.endswith("_usd"):
            unit, scale = ("bn", 1e9) if value >= 1e9 else ("m", 1e6)
            quoted = f"{value / scale:,.1f} {unit}"
        else:
            quoted = f"{100 * value:.1f} %"
        assert quoted in text, f"docs/data.md should quote {quoted!r} for {key}"


def test_packaged_facts_match_documented_values() -> None:
    _assert_documented(seed_facts(), DOCUMENTED_PACKAGED)
    _assert_documented(seed_facts(version="2019"), DOCUMENTED_PACKAGED_2019)


@needs_raw
def test_dots_facts_match_documented_values() -> None:
    _assert_documented(seed_facts(RAW), DOCUMENTED_RAW)


@needs_raw
def test_seed_768_bn_is_a_double_counted_turnover() -> None:
    """Seed 000 l.114: US$768 bn in 2021, +39 %, so about 552.5 bn in 2020.

    That matches the sum of the eight members' reported exports *plus* imports with each other
    (each flow counted from both sides), not a single-counted flow total.
    """
    facts = seed_facts(RAW)
    implied_2020 = 768e9 / 1.39
    assert facts["turnover_sco8_2020_usd"] == pytest.approx(implied_2020, rel=0.01)
    assert re.search(r"768", _doc_text())


def test_seed_quotes_are_where_the_doc_says() -> None:
    seeds = ROOT / ".." / "shared" / "seeds"
    s000 = seeds / "000_576ecaae129e5e46.txt"
    if not s000.is_file():
        pytest.skip(f"seed essays not available at {seeds}")
    lines = s000.read_text(encoding="utf-8").splitlines()
    assert "768 billion" in lines[114 - 1]
    assert "41 per cent of the world's population" in lines[112 - 1]
    assert "323.6 million" in lines[936 - 1] and "490 million" in lines[936 - 1]
    assert "40 per cent of the global population" in lines[277 - 1]
