"""The membership figures say who is in the SCO, beside who is in the union (PNG and page).

Both showed the union's membership only (the PNG added a row for an economy whose SCO
membership changed, the explorer not even that): a reader could not see who the SCO's
members, observers and dialogue partners were in each year, nor an accession's year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.data.constants import MEMBERS, OBSERVERS, PARTNERS
from scosim.plots import load_plot_data, plot_membership, run_statuses
from scosim.result_tables import open_result
from scosim.results import read_batches

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def accession(tmp_path_factory):
    """Turkmenistan made an observer by the scenario, then admitted in 2027 (4 runs)."""
    from scosim.runner import run

    tmp = tmp_path_factory.mktemp("sco_rows")
    path = tmp / "acc.yaml"
    path.write_text(f"extends: {BASELINE}\nname: tkm_observer_joins\n"
                    "countries:\n  TKM: {status: observer}\nproposals:\n"
                    "  - {type: accession, id: tkm_join, year: 2027, applicant: TKM}\n")
    res = run(str(path), replications=4, out=tmp / "r", progress=False, plots=True)
    return Path(res.path)


def _member_share(run_dir: Path) -> pd.DataFrame:
    """Share of runs in which each economy is an SCO member, by year, from the raw rows."""
    ind = read_batches(run_dir / "indicators")
    m = ind[ind["indicator"] == "member"].assign(country=lambda d: d["country"].astype(str))
    return m.pivot_table(index="year", columns="country", values="value", aggfunc="mean")


def _heat(run_dir: Path):
    from scosim.explore.figures import membership_figures

    figs = membership_figures(open_result(run_dir))
    assert figs is not None
    (trace,) = figs[0].data
    return trace, figs[0]


def test_the_run_s_statuses_come_from_its_scenario(accession: Path) -> None:
    statuses = run_statuses(accession)
    assert statuses["TKM"] == "observer"  # the scenario's, not the default "other"
    assert statuses["MNG"] == "observer" and statuses["TUR"] == "partner"
    assert statuses["CHN"] == "member"


def test_the_page_has_a_row_for_every_member_observer_and_partner(accession: Path) -> None:
    trace, fig = _heat(accession)
    rows = list(trace.y)
    share = _member_share(accession)
    want = ([f"SCO: {c} member" for c in MEMBERS]
            + [f"SCO: {c} observer" for c in (*OBSERVERS, "TKM")]
            + [f"SCO: {c} dialogue partner" for c in PARTNERS])
    assert sorted(rows) == sorted(want)
    # Members first, then observers, then dialogue partners.
    kinds = [r.split(" ", 2)[2] for r in rows]
    assert kinds == sorted(kinds, key=["member", "observer", "dialogue partner"].index)
    z = pd.DataFrame(np.asarray(trace.z, dtype=float), index=rows,
                     columns=[int(x) for x in trace.x])
    for row in rows:
        code = row.split(" ")[1]
        np.testing.assert_allclose(z.loc[row], share[code].reindex(z.columns), atol=1e-12)
    # The accession: an observer until its year (the event's), a member in every run after.
    ev = read_batches(accession / "events")
    joined = ev[(ev["type"] == "accession") & (ev["country"] == "TKM")]
    assert joined["run"].nunique() == 4
    year = int(joined["year"].min())
    tkm = z.loc["SCO: TKM observer"]
    assert (tkm[tkm.index < year] == 0).all() and (tkm[tkm.index >= year] == 1).all()
    assert (z.loc["SCO: MNG observer"] == 0).all()
    # No union formed: the title says so instead of leaving the map unexplained.
    assert "no economy was in" in fig.layout.title.text
    assert "SCO member" in fig.layout.title.text


def test_the_png_draws_the_page_s_rows_and_cells(accession: Path, tmp_path: Path,
                                                  kept_figures: list) -> None:
    st = load_plot_data(accession)
    plot_membership(st, None, "t", tmp_path / "m.png", run_statuses(accession))
    ax = kept_figures[-1].axes[0]
    (image,) = ax.images
    labels = [t.get_text() for t in ax.get_yticklabels()]
    trace, _ = _heat(accession)
    assert labels == list(trace.y)
    np.testing.assert_array_equal(np.asarray(image.get_array()), np.asarray(trace.z, float))


def test_union_rows_stay_above_the_sco_rows(geometry_run: Path) -> None:
    """A customs union's rows first (its members in some run), then the SCO's."""
    trace, fig = _heat(geometry_run)
    rows = list(trace.y)
    first_sco = next(i for i, r in enumerate(rows) if r.startswith("SCO: "))
    union = rows[:first_sco]
    assert union and not any(r.startswith("SCO: ") for r in union)
    assert all(r.startswith("SCO: ") for r in rows[first_sco:])
    ind = read_batches(geometry_run / "indicators")
    cu = ind[ind["indicator"] == "in_customs_union"].assign(
        country=lambda d: d["country"].astype(str)).pivot_table(
        index="year", columns="country", values="value", aggfunc="mean")
    z = np.asarray(trace.z, dtype=float)
    for i, code in enumerate(union):
        np.testing.assert_allclose(z[i], cu[code].reindex([int(x) for x in trace.x]),
                                   atol=1e-12)
    assert any(s.type == "line" for s in fig.layout.shapes)  # the two blocks apart
    assert "share of runs in which the economy is in a customs union" in fig.layout.title.text
