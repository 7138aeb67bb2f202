"""docs/rules.md section 6 and the README quote `scosim transfers` figures: re-run them.

The figures of docs/rules.md ("The customs union under consensus") and README.md are
re-run here as the page states them (`scosim run scenarios/customs_union_consensus.yaml
--replications 200`, and 20, then `scosim transfers`; 4 s and 3.5 s on a 2-core machine
with the calibration cached). Each test builds the page's sentence from the run's own
summary, so a change that moves a figure fails until the page is updated.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rules.md"
README = ROOT / "README.md"


def _summary(tmp_path: Path, runs: int) -> dict:
    from scosim.runner import run
    from scosim.side_payments import price_run, summarise

    res = run(ROOT / "scenarios" / "customs_union_consensus.yaml", replications=runs,
              out=tmp_path, progress=False, plots=False)
    (s,) = summarise(price_run(res.path))
    assert (s["proposal"], s["year"], s["runs"]) == ("sco_cu", 2026, runs)
    return s


def _flat(path: Path) -> str:
    return re.sub(r"\s+", " ", path.read_text())


def test_the_20_run_figures_of_the_page(tmp_path):
    s = _summary(tmp_path, 20)
    m, lo, hi = s["total_bn"]
    text = (f"With 20 runs (`--replications 20`, the same commands) a plan exists in "
            f"{100 * s['plan_share']:.1f} % of runs ({s['plan']} of 20), China paying a "
            f"median US${m:.1f} bn (5-95 %: {lo:.1f} to {hi:.1f}), "
            f"{s['share_pct'][0]:.0f} % of the bloc's gain.")
    assert text in _flat(DOC)


def test_the_200_run_figures_of_the_page_and_the_readme(tmp_path):
    s = _summary(tmp_path, 200)
    m, lo, hi = s["total_bn"]
    pm, plo, phi = s["share_pct"]
    chn = s["members"]["CHN"]
    doc = _flat(DOC)
    assert (f"could be bought in {100 * s['plan_share']:.1f} % of runs ({s['plan']} of 200; "
            f"Monte Carlo standard error {100 * s['plan_share_se']:.1f} points)") in doc
    assert (f"China pays a median US${m:.1f} bn a year (5-95 %: {lo:.1f} to {hi:.1f}), "
            f"{-chn[1]:.2f} % of its expenditure and {pm:.0f} % of the bloc's economic gain "
            f"({plo:.0f} to {phi:.0f})") in doc
    assert f"India receives a median {s['members']['IND'][0]:.1f}" in doc
    assert (f"the bought states need a median US${s['required_bn'][0]:.1f} bn and China can "
            f"give up {s['capacity_bn'][0]:.1f}") in doc
    assert f"in the other {s['no_plan']} runs" in doc
    assert f"by a median US${s['outside_bn'][0]:.1f} bn" in doc
    assert f"(median US${s['gain_bn'][0]:.1f} bn, 5-95 %: {s['gain_bn'][1]:.1f} to " \
           f"{s['gain_bn'][2]:.1f})" in doc
    k, med, top = s["noise_short"]
    assert (f"{k} of the {s['plan']} plans leave at least one state short, by a median "
            f"US${med:.2f} bn (largest {top:.1f})") in doc
    readme = _flat(README)
    assert (f"carry the vote in {100 * s['plan_share']:.1f} % of the 200 runs (Monte Carlo "
            f"standard error {100 * s['plan_share_se']:.1f} points)") in readme
    assert (f"China pays a median US${m:.1f} bn a year (5-95 %: {lo:.1f} to {hi:.1f}; 2026 "
            f"vote, medians over those {s['plan']} runs") in readme
    assert (f"{-chn[1]:.2f} % of its expenditure and {pm:.0f} % of the bloc's economic "
            f"gain, India receiving {s['members']['IND'][0]:.1f} bn and Iran "
            f"{s['members']['IRN'][0]:.1f}") in readme
