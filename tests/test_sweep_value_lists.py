"""``scosim sweep --param NAME=V1,V2`` without ``--method grid`` says how to sweep a list.

The default method is lhs, which samples a range; a list of values is what a grid takes.
Before, the message said only "method lhs needs a range LOW:HIGH".
"""

from __future__ import annotations

from pathlib import Path

from scosim.cli import main

CU = str(Path(__file__).resolve().parent.parent / "scenarios" / "customs_union.yaml")


def test_a_list_of_values_without_grid_points_to_grid(capsys, tmp_path) -> None:
    code = main(["sweep", CU, "--param", "parameters.trade.sigma=3,5",
                 "--output", "welfare_change_pct:KAZ", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == ("scosim: error: --param parameters.trade.sigma: method lhs needs a "
                           "range LOW:HIGH; a list of values V1,V2,... is for --method grid")
    assert not any(tmp_path.iterdir())  # nothing written
