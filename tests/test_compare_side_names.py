"""Two runs of one scenario are told apart in every heading of ``scosim compare``.

Compared with a run of the same scenario changed with ``--set``, both sides were called
by the scenario's name: the terminal, report.md and every figure said "club minus club".
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from scosim.cli import main  # noqa: E402
from scosim.compare_names import side_names  # noqa: E402
from test_compare import synthetic_pair, write_run  # noqa: E402  (tests/ is on sys.path)

POLICY = "club (--set proposals.club.cost_cut=0.03)"
BASELINE = "club (as written)"


def test_side_names_differ_only_for_runs_of_one_scenario():
    assert side_names({"scenario": "customs_union"}, {"scenario": "baseline"}) == (
        "customs_union", "baseline")
    assert side_names({"scenario": "club", "overrides": {"proposals.club.cost_cut": 0.03}},
                      {"scenario": "club"}) == (POLICY, BASELINE)
    # Settings that change only what is written do not name a run.
    assert side_names({"scenario": "club", "overrides": {"outputs.indicators": ["x"]}},
                      {"scenario": "club", "overrides": {"seed": 3, "a.b": "q"}}) == (
        "club (as written)", 'club (--set seed=3 --set a.b="q")')
    # Nothing else tells them apart: their run ids do.
    assert side_names({"scenario": "club", "run_id": "r1"},
                      {"scenario": "club", "run_id": "r2"}) == (
        "club (as written, run r1)", "club (as written, run r2)")


def test_compare_of_two_runs_of_one_scenario_labels_each_side(tmp_path, capsys,
                                                               monkeypatch):
    pol_df, base_df = (df.assign(indicator="welfare_change_pct")
                       for df in synthetic_pair(6, seed=3))
    pol = write_run(tmp_path / "club" / "a", pol_df, scenario="club")
    base = write_run(tmp_path / "club" / "b", base_df, scenario="club")
    manifest = json.loads((pol / "manifest.json").read_text())
    manifest["overrides"] = {"proposals.club.cost_cut": 0.03}
    (pol / "manifest.json").write_text(json.dumps(manifest))

    titles: list[str] = []
    save = Figure.savefig

    def record(fig, *args, **kwargs):
        titles.append(" ".join([fig._suptitle.get_text() if fig._suptitle else "",
                                *(ax.get_title() for ax in fig.axes)]))
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    assert main(["compare", str(pol), str(base), "--out", str(tmp_path / "cmp"),
                 "--plot-workers", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"{POLICY} minus {BASELINE}" in out
    assert "club minus club" not in out
    report = next((tmp_path / "cmp" / "compare").glob("*/report.md")).read_text()
    assert report.splitlines()[0] == f"# {POLICY} compared with {BASELINE}"
    assert f"Policy **{POLICY}** compared with baseline **{BASELINE}**" in report
    assert titles, "no figure drawn"
    for title in titles:
        flat = " ".join(title.split())
        assert f"{POLICY} minus {BASELINE}" in flat, flat
