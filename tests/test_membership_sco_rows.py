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


def _words(text: str) -> str:
    """``text`` on one line, its no-break spaces plain (a wrapped note, a plotly title)."""
    return " ".join(text.replace("\u00a0", " ").replace("<br>", " ").split())


def test_the_page_has_a_row_for_every_member_and_names_the_rest(accession: Path) -> None:
    """A row for every economy an SCO member in some run; the observers and dialogue
    partners that never accede are named in the title, not drawn as blank rows (16 of
    them made a tall chart of empty lines)."""
    from scosim.mechanism_answer import economy_label

    trace, fig = _heat(accession)
    rows = list(trace.y)
    share = _member_share(accession)
    want = ([f"SCO: {economy_label(c)} (member)" for c in MEMBERS]
            + ["SCO: TKM Turkmenistan (observer)"])
    assert sorted(rows) == sorted(want)
    title = _words(fig.layout.title.text)
    never = [c for c in (*OBSERVERS, *PARTNERS) if c != "TKM"]
    assert (share[never] == 0).all().all()  # the raw rows: a member in no run
    assert "No SCO row (an SCO member in no year of any run)" in title
    assert all(economy_label(c) in title for c in never)
    # Members first, then observers, then dialogue partners.
    kinds = [r.rsplit("(", 1)[1].rstrip(")") for r in rows]
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
    tkm = z.loc["SCO: TKM Turkmenistan (observer)"]
    assert (tkm[tkm.index < year] == 0).all() and (tkm[tkm.index >= year] == 1).all()
    assert (z > 0).any(axis=1).all()  # no blank row
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


def test_the_png_draws_no_blank_row_and_keeps_a_row_s_height(accession: Path,
                                                             geometry_run: Path,
                                                             tmp_path: Path,
                                                             kept_figures: list) -> None:
    """The PNG's map has no row of 0 % in every year; the observers and partners left
    out are named under it; the figure's height follows the rows drawn: a row keeps
    about the same height in inches in an accession's figure and a union's, where 16
    blank rows made the chart tall."""
    from scosim.mechanism_answer import economy_label

    per_row = []
    for k, run_dir in enumerate((accession, geometry_run)):
        plot_membership(load_plot_data(run_dir), None, "t", tmp_path / f"{k}.png",
                        run_statuses(run_dir))
        fig = kept_figures[-1]
        ax = fig.axes[0]
        (image,) = ax.images
        cells = np.asarray(image.get_array(), dtype=float)
        assert (cells > 0).any(axis=1).all(), f"a blank row in {run_dir.name}"
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert not any(c in " ".join(labels) for c in ("MNG", "AFG", "TUR", "NPL"))
        # Every row, and every row of the events panel, by code and name ("CHN China").
        events = [t.get_text() for a in fig.axes[1:2] for t in a.get_yticklabels()]
        for label in [*labels, *events]:
            named = label.removeprefix("SCO: ").split(" (")[0]
            assert named == economy_label(named.split()[0]), label
        note = _words(ax.get_xlabel())
        assert note.startswith("year No SCO row (an SCO member in no year of any run): ")
        assert all(economy_label(c) in note for c in ("AFG", "MNG", *PARTNERS))
        fig.canvas.draw()  # constrained layout places the axes when drawn
        per_row.append(ax.get_position().height * fig.get_figheight() / len(labels))
    assert per_row[0] == pytest.approx(per_row[1], rel=0.25)
    assert all(0.2 < h < 0.5 for h in per_row), per_row  # inches a row


def test_union_rows_stay_above_the_sco_rows(geometry_run: Path) -> None:
    """A customs union's rows first (its members in some run), then the SCO's."""
    from scosim.mechanism_answer import economy_label

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
    for i, label in enumerate(union):
        code = label.split()[0]  # "CHN China": code and name
        assert label == economy_label(code)
        np.testing.assert_allclose(z[i], cu[code].reindex([int(x) for x in trace.x]),
                                   atol=1e-12)
    assert any(s.type == "line" for s in fig.layout.shapes)  # the two blocks apart
    assert "share of runs in which the economy is in a customs union" in fig.layout.title.text
