"""The figures docs/network.md quotes are the model's: a change that moves them fails here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.network import CorridorNetwork
from scosim.network.comcec import comcec_comparison

DOC = Path(__file__).resolve().parents[1] / "docs" / "network.md"


@pytest.fixture(scope="module")
def net():
    return CorridorNetwork()


def test_comcec_table_in_docs_matches_model(net):
    text = DOC.read_text()
    table = comcec_comparison(net.graph)
    for route in table.index:
        days = f"{table.loc[route, 'days']:.1f}"
        usd = f"{table.loc[route, 'usd']:,.0f}"
        assert f"| {days} |" in text, (route, days)
        assert f"| {usd} |" in text, (route, usd)


def test_corridor_figures_in_docs_match_model(net):
    text = DOC.read_text()
    e = net.tables.economies
    i, r, p, u = e.index("IND"), e.index("RUS"), e.index("PAK"), e.index("UZB")
    instc = net.step(active_projects=["INSTC_CHABAHAR"]).t_hat[0]
    free = net.step(active_projects=["INSTC_CHABAHAR"], congestion=False).t_hat[0]
    afghan = net.step(active_projects=["TRANS_AFGHAN_RAIL"]).t_hat[0]
    quoted = {
        "India-Russia trade costs by": f"{100 * (1 - instc[i, r]):.2f} percent",
        "fall would be": f"{100 * (1 - free[i, r]):.1f} percent",
        "Pakistan-Uzbekistan costs by": f"{100 * (1 - afghan[p, u]):.1f} percent",
    }
    for lead, figure in quoted.items():
        assert f"{lead} {figure}" in " ".join(text.split()), (lead, figure)
    assert np.all(instc <= 1.0)
