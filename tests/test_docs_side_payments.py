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

# A share of no run or every run is whole ("100 %"), as the answer prints it.
from scosim.indicator_display import percent_of_runs

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
            f"{percent_of_runs(s['plan_share'], 20)} % of runs ({s['plan']} of 20), China paying a "
            f"median US${m:.1f} bn (5-95 %: {lo:.1f} to {hi:.1f}), "
            f"{s['share_pct'][0]:.0f} % of the bloc's gain.")
    assert text in _flat(DOC)


def _error(s: dict, doc: bool) -> str:
    """How the page states the Monte Carlo error of the share of runs with a plan."""
    if 0.0 < s["plan_share"] < 1.0:
        return f"Monte Carlo standard error {100 * s['plan_share_se']:.1f} points"
    side = "without" if s["plan_share"] == 1.0 else "with"
    bound = f"{100 * (1 - 0.05 ** (1 / s['runs'])):.1f} % at 95 % confidence"
    return (f"with no run {side} a plan, the share {side} one is below {bound}" if doc
            else f"the share {side} a plan below {bound}")


def test_the_200_run_figures_of_the_page_and_the_readme(tmp_path):
    s = _summary(tmp_path, 200)
    m, lo, hi = s["total_bn"]
    pm, plo, phi = s["share_pct"]
    chn, ind = s["members"]["CHN"], s["members"]["IND"]
    doc = _flat(DOC)
    assert (f"could be bought in {percent_of_runs(s['plan_share'], 200)} % of runs "
            f"({s['plan']} of 200; {_error(s, True)})") in doc
    assert (f"China would pay a median US${m:.1f} bn a year (5-95 %: {lo:.1f} to {hi:.1f}), "
            f"{-chn[1]:.2f} % of its expenditure and {pm:.0f} % of the bloc's economic gain "
            f"({plo:.0f} to {phi:.0f})") in doc
    assert f"India would receive a median {ind[0]:.1f} ({ind[1]:.2f} % of its expenditure)" in doc
    assert f"China could give up a median US${s['capacity_bn'][0]:.1f} bn" in doc
    assert (f"(median US${s['gain_bn'][0]:.1f} bn, 5-95 %: {s['gain_bn'][1]:.1f} to "
            f"{s['gain_bn'][2]:.1f})") in doc
    assert s["no_plan"] == 0 and s["noise_short"][0] == 0  # "none in the run below"
    from scosim.cli_transfers import _bn, _usd

    sp = s["split"]
    assert sp["runs"] == 200 and sp["leader"] == "CHN"
    # As the answer prints them: each part with its unit (trust under US$0.1 bn: million).
    assert (f"fall short by a median {_usd(sp['short_bn'])}: economic loss "
            f"{_usd(sp['econ_bn'])}, concern at China's lead {_usd(sp['dominance_bn'])}, "
            f"sovereignty {_usd(sp['sovereignty_bn'])}, trust {_usd(sp['trust_bn'])} "
            f"and vote shock {_usd(sp['noise_bn'])} (security, 0 without the security "
            "mechanism, is not listed; medians over the 200 runs") in doc
    assert sp["security_bn"] == 0
    # What the page says of them: China pays less than the total, more than the economic
    # loss, and that loss is above the bloc's gain.
    assert sp["econ_bn"] < m < sp["short_bn"] and sp["econ_bn"] > s["gain_bn"][0]
    assert (f"(medians {_bn(sp['econ_bn'])} against {s['gain_bn'][0]:.1f})") in doc
    readme = _flat(README)
    assert (f"would carry the vote in {percent_of_runs(s['plan_share'], 200)} % of the 200 runs "
            f"({_error(s, False)})") in readme
    assert (f"China would pay a median US${m:.1f} bn a year (5-95 %: {lo:.1f} to {hi:.1f}; 2026 "
            f"vote, medians over those {s['plan']} runs") in readme
    assert (f"{-chn[1]:.2f} % of its expenditure and {pm:.0f} % of the bloc's economic "
            f"gain, India receiving {ind[0]:.1f} bn and Iran "
            f"{s['members']['IRN'][0]:.1f}") in readme
    assert (f"fall short by a median {_bn(sp['short_bn'])} bn, {_bn(sp['econ_bn'])} of it "
            f"economic loss (itself above the gain, which is net of it) and "
            f"{_bn(sp['dominance_bn'])} concern at China's lead") in readme
