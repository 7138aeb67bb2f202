"""Under consensus only a member's no is a veto: the answer's table and the vote-reasons
figure say which no was one. Armenia, asked with the EAEU, said no beside the members and
was listed as if it had vetoed; its no keeps only itself and its bloc out."""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.data import load_calibration
from scosim.plot_votes import state_label, vote_reasons_all
from scosim.plots import load_plot_data
from scosim.run_headline import headline_table, headline_text

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def consensus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """customs_union_consensus.yaml, 4 runs, no plots: every state but China says no."""
    from scosim.runner import run

    res = run(REPO / "scenarios" / "customs_union_consensus.yaml", replications=4,
              out=tmp_path_factory.mktemp("consensus"), progress=False, plots=False)
    return Path(res.path)


def test_the_table_and_figure_tell_a_members_veto_from_a_non_members_no(
        consensus: Path) -> None:
    st = load_plot_data(consensus)
    status = load_calibration().countries["sco_status"]
    rows = headline_table(st)[0]
    said_no = rows.index[rows["voted no"] > 0]
    assert "ARM" in said_no and status["ARM"] != "member"
    for code in said_no:  # a veto exactly where the state is a member
        assert rows.loc[code, "no was a veto"] == (100.0 if status[code] == "member" else 0.0)
    flat = " ".join(headline_text(st, "t").split())
    assert "a no that was not (ARM) blocks nothing" in flat
    (panel,) = vote_reasons_all(st)
    assert "its no vetoed nothing (a non-member" in state_label(panel, "ARM")
    assert "votes no in 100 % of runs: a veto" in state_label(panel, "RUS")
    assert "veto" not in state_label(panel, "CHN")  # said yes
