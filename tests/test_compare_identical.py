"""An indicator no paired run changes is said outright; panels say whose scale they use.

``compare --indicator X`` of an X the policy leaves alone printed a heading and "28 rows
without a change ... not shown", then nothing. The over-time figure gave each panel its
own y axis without a word, so a 0.04-point change filled its panel as a 3-point one did.
"""

from __future__ import annotations

import pandas as pd

from scosim.cli import main
from scosim.compare import compare_results
from scosim.compare_plots import SHARE_Y_WITHIN, plot_difference_over_time
from test_compare import synthetic_pair, write_run  # tests/ is on sys.path


def test_an_indicator_identical_in_every_paired_run_is_said_so(tmp_path, capsys):
    pol_df, base_df = synthetic_pair(4, seed=8)
    same = base_df.assign(indicator="real_gdp_change_pct")
    pol = write_run(tmp_path / "p", pd.concat([pol_df.assign(indicator="welfare_change_pct"),
                                               same]), scenario="club")
    base = write_run(tmp_path / "b", pd.concat([base_df.assign(indicator="welfare_change_pct"),
                                                same]), scenario="baseline")
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path / "c"),
                 "--indicator", "real_gdp_change_pct", "--plot-workers", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "(real_gdp_change_pct) is identical in every paired run in 2028: the policy and " \
        "the baseline give the same value for every economy." in out
    # An indicator that changes is not said to be identical.
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path / "d"),
                 "--indicator", "welfare_change_pct", "--plot-workers", "1"]) == 0
    assert "identical in every paired run" not in capsys.readouterr().out


def _summary(tmp_path, small: float):
    """Paired runs whose KAZ difference is ``small`` times the synthetic one."""
    pol_df, base_df = synthetic_pair(8, seed=2)
    kaz = pol_df["country"] == "KAZ"
    pol_df.loc[kaz, "value"] = base_df.loc[kaz, "value"] + small * (
        pol_df.loc[kaz, "value"] - base_df.loc[kaz, "value"])
    pol = write_run(tmp_path / f"p{small}", pol_df.assign(indicator="welfare_change_pct"))
    base = write_run(tmp_path / f"b{small}", base_df.assign(indicator="welfare_change_pct"))
    return compare_results(pol, base).summary


def test_panels_share_a_scale_when_alike_and_title_their_own_otherwise(tmp_path):
    fig = plot_difference_over_time(_summary(tmp_path, 1.0), "welfare_change_pct")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len({ax.get_ylim() for ax in panels}) == 1
    assert "one y scale for all panels" in fig._suptitle.get_text().replace("\n", " ")

    fig = plot_difference_over_time(_summary(tmp_path, 0.02), "welfare_change_pct")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    spans = [hi - lo for lo, hi in (ax.get_ylim() for ax in panels)]
    assert max(spans) > SHARE_Y_WITHIN * min(spans)  # KAZ's own, far narrower scale
    for ax in panels:
        lo, hi = ax.get_ylim()
        head, scale = ax.get_title().split("\n")
        first, last = (float(x) for x in scale.removeprefix("y axis ").split(" to "))
        assert lo <= first < last <= hi and scale.startswith("y axis ")
    kaz = next(ax for ax in panels if ax.get_title().startswith("KAZ"))
    assert kaz.get_ylim()[1] < 0.1
    assert "each panel has its own y scale" in fig._suptitle.get_text().replace("\n", " ")
