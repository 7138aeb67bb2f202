"""A plug-in mechanism's indicators compared against a baseline that lacks the plug-in.

The baseline (``scenarios/baseline.yaml``) does not fill the security slot; the policy run
fills it with a toy plug-in (``tests/plugin_pkgs/toy_security.py``) that records
``insecurity_rise``. Before, ``--indicator insecurity_rise`` refused the whole comparison
("the baseline run has no indicator ..."), and without ``--indicator`` only a warning in
rows said so, the written report not at all. Now the comparison names the indicators one
run records (``Comparison.one_side``, the report's notes) and compares the rest.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from scosim.compare import PairingError, compare_results
from scosim.compare_pairs import BASELINE_ONLY, POLICY_ONLY
from scosim.runner import run
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TOY = "plugin_pkgs.toy_security:ToyInsecurity"

pytestmark = pytest.mark.usefixtures("forget_test_plugins")


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    """The baseline with the toy security plug-in, and without it: 2 runs, 2025-2026."""
    out = tmp_path_factory.mktemp("plugcmp")
    short = {"replications": 2, "years.end": 2026}
    dirs = []
    for extra in ({"parameters.mechanisms.security": TOY}, {}):
        sc = load_scenario(SCENARIOS / "baseline.yaml", overrides={**short, **extra})
        dirs.append(Path(run(sc, out=out, progress=False, plots=False).path))
    return dirs[0], dirs[1]


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare_results(*args, **kwargs)


def test_an_indicator_one_run_records_is_named_and_the_rest_compared(pair):
    pol, base = pair
    both = ["insecurity_rise", "welfare_change_pct"]
    comp = _quiet(pol, base, indicators=both)
    assert comp.one_side == {"insecurity_rise": POLICY_ONLY}
    assert set(comp.summary["indicator"].astype(str)) == {"welfare_change_pct"}
    alone = _quiet(pol, base, indicators=["welfare_change_pct"])
    pd.testing.assert_frame_equal(comp.summary, alone.summary)
    assert alone.one_side == {}
    # The other way round: the baseline is the run that records it.
    back = _quiet(base, pol, indicators=both)
    assert back.one_side == {"insecurity_rise": BASELINE_ONLY}


def test_without_indicators_every_one_sided_indicator_is_named(pair):
    pol, base = pair
    with pytest.warns(UserWarning, match="only the policy run records: insecurity_rise"):
        comp = compare_results(pol, base)
    assert comp.one_side == {"insecurity_rise": POLICY_ONLY}
    assert "insecurity_rise" not in set(comp.summary["indicator"].astype(str))
    assert "welfare_change_pct" in set(comp.summary["indicator"].astype(str))


def test_a_name_neither_run_records_or_nothing_shared_is_still_refused(pair):
    pol, base = pair
    with pytest.raises(PairingError, match="neither run has an indicator 'insecurity_ris'"):
        _quiet(pol, base, indicators=["insecurity_ris", "welfare_change_pct"])
    with pytest.raises(PairingError, match="only the policy run records: insecurity_rise"):
        _quiet(pol, base, indicators=["insecurity_rise"])


def test_the_report_says_which_indicators_one_run_records(pair, tmp_path):
    from scosim.api import compare_runs

    pol, base = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comp, report = compare_runs(str(pol), str(base), out=tmp_path, progress=False,
                                    indicators=["insecurity_rise", "welfare_change_pct"],
                                    plot_workers=1)
    assert comp.report_indicators == ("welfare_change_pct",)
    text = (report / "report.md").read_text()
    assert "Recorded by one run only" in text
    assert "only the policy run records: insecurity_rise" in text
