"""The answer names every state whose incident damage rises, and where hardening moves attacks.

A new user (2026-12-07) read ``scosim run scenarios/afghan_instability_hardening.yaml``:
``summary.csv`` holds Pakistan's ``incidents_displaced`` at about 219 a year in 2035 and its
``incident_loss_share_gdp`` doubling, yet the answer's "Not counted in welfare" line named
Afghanistan only. The checks are identities against the run's own ``summary.csv``: every
figure the two lines print is a median the CSV holds, rounded as printed, and every state
the CSV shows rising at the line's decimals is named, the largest rise first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from scosim.data.constants import NAMES
from scosim.runstats import RunStats
from scosim.security.damage_note import damage_lines, displaced_lines
from scosim.tty_lines import ANSWER_WIDTH

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
LOSS, RISE, MOVED = ("incident_loss_share_gdp", "incident_loss_rise_share_gdp",
                     "incidents_displaced")
#: An economy's name as the answer prints it ("Pakistan", "Russian Federation").
NAME = r"([A-Z][a-z]+(?: [A-Z][a-z]+)*)"


def _stats(values: dict[str, dict[str, float]]) -> RunStats:
    """Three identical runs of 2035: ``{indicator: {country: value}}``."""
    rows = [{"run": r, "year": 2035, "country": c, "indicator": ind, "value": v}
            for r in range(3) for ind, by in values.items() for c, v in by.items()]
    return RunStats.from_frames(pd.DataFrame(rows))


def test_every_rise_is_named_largest_first_and_a_rise_too_small_to_print_is_not() -> None:
    # AFG +0.28 pp, PAK +0.029, TKM from exactly 0, CHN +0.000013 % (0.000 at three
    # decimals: not named), IND unchanged.
    now = {"AFG": 0.0076, "PAK": 0.00054, "TKM": 0.00022, "CHN": 1.3e-7, "IND": 0.00002}
    rise = {"AFG": 0.0028, "PAK": 0.00029, "TKM": 0.00022, "CHN": 1.3e-7, "IND": 0.0}
    text = " ".join(damage_lines(_stats({LOSS: now, RISE: rise})))
    assert text == ("Not counted in welfare: expected incident damage rises from 0.48 % to "
                    "0.76 % of GDP in Afghanistan, from 0.025 % to 0.054 % in Pakistan and "
                    "from 0 % to 0.022 % in Turkmenistan (median, 2035; "
                    "incident_loss_share_gdp).")
    assert "China" not in text and "India" not in text


def test_the_largest_damage_is_said_even_where_it_falls() -> None:
    # Afghanistan's hardening lowers its damage while Pakistan's rises: both are said.
    text = " ".join(damage_lines(_stats({LOSS: {"AFG": 0.0040, "PAK": 0.00054},
                                         RISE: {"AFG": -0.0008, "PAK": 0.00029}})))
    assert ("rises from 0.025 % to 0.054 % of GDP in Pakistan; it falls from 0.48 % to "
            "0.40 % in Afghanistan (median, 2035;") in text


def test_the_displaced_line_keeps_whole_incidents_only() -> None:
    st = _stats({MOVED: {"PAK": 218.962, "IRN": 10.7479, "TJK": 1.05, "UZB": 0.42, "AFG": 0.0}})
    assert " ".join(displaced_lines(st)) == (
        "Hardening moves 219 incidents a year to Pakistan, 11 to Iran and 1 to Tajikistan, "
        "from the neighbours that harden (median, 2035; incidents_displaced).")
    assert displaced_lines(_stats({MOVED: {"UZB": 0.42}})) == []
    assert displaced_lines(_stats({LOSS: {"AFG": 0.004}})) == []  # no hardening rule


@pytest.fixture(scope="module")
def hardening(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """afghan_instability_hardening.yaml, 3 runs, with its answer and summary.csv."""
    from scosim.runner import run

    res = run(SCEN / "afghan_instability_hardening.yaml", replications=3,
              out=tmp_path_factory.mktemp("hardening"), progress=False)
    return Path(res.path)


def _paragraph(text: str, start: str) -> str:
    """The answer's paragraph beginning with ``start``, unwrapped (it ends with a full stop)."""
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith(start))
    out = []
    for line in lines[k:]:
        out.append(line)
        if line.endswith(")."):
            break
    return " ".join(out)


def _pct(share: float, places: int) -> str:
    return "0" if share == 0 else f"{100 * share:.{places}f}"


def test_the_printed_figures_are_the_medians_of_summary_csv(hardening: Path) -> None:
    csv = pd.read_csv(hardening / "summary.csv")
    year = int(csv.loc[csv["indicator"] == LOSS, "year"].max())
    med = {ind: csv[(csv["indicator"] == ind) & (csv["year"] == year)]
           .set_index("country")["median"] for ind in (LOSS, RISE, MOVED)}
    text = (hardening / "summary.txt").read_text()
    assert all(len(line) <= ANSWER_WIDTH for line in text.splitlines()
               if line.startswith(("Not counted", "Hardening moves")))

    damage = _paragraph(text, "Not counted in welfare")
    assert damage.endswith(f"(median, {year}; {LOSS}).")
    printed = re.findall(rf"from ([\d.]+) % to ([\d.]+) %(?: of GDP)? in {NAME}",
                         damage.replace(" and from", ", from"))
    names = {v: k for k, v in NAMES.items()}
    # Rebuilt from the CSV: every state whose median rises at the printed decimals.
    expect = []
    for code, now in med[LOSS].items():
        base = now - med[RISE][code]
        places = 2 if max(abs(100 * base), abs(100 * now)) >= 0.1 else 3
        if round(100 * now, places) > round(100 * base, places):
            expect.append((now - base, code, _pct(base, places), _pct(now, places)))
    expect.sort(key=lambda e: (-e[0], e[1]))
    assert [(names[n], b, x) for b, x, n in printed] == [(c, b, x) for _, c, b, x in expect]
    assert {"AFG", "PAK"} <= {c for _, c, _, _ in expect}  # the finding the user missed

    moved = _paragraph(text, "Hardening moves")
    assert moved.endswith(f"(median, {year}; {MOVED}).")
    counts = re.findall(rf"([\d,]+)(?: incidents a year)? to {NAME}", moved)
    shown = med[MOVED][med[MOVED].round() >= 1].sort_values(ascending=False)
    assert [(names[n], int(k.replace(",", ""))) for k, n in counts] == [
        (c, round(v)) for c, v in shown.items()]
    assert counts[0][1] == "Pakistan"  # where Afghanistan's hardening sends its attacks
