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


def test_report_folder_of_two_runs_of_one_scenario_names_each_run():
    """Every pair of club runs was written to club_vs_club_<time>: each side is now tagged
    by what tells its run apart (its run id's scenario hash, else its start time)."""
    from scosim.compare_names import report_folder_name

    stamp = "20261207T051500"
    assert report_folder_name({"scenario": "customs_union", "run_id": "20261207T040000-aaaa"
                               "aaaa-s1-r6"}, {"scenario": "baseline"}, stamp) == (
        f"customs_union_vs_baseline_{stamp}")
    pol = {"scenario": "club", "run_id": "20261207T040000-1a2b3c4d-s1-r6",
           "overrides": {"proposals.club.cost_cut": 0.03}}
    base = {"scenario": "club", "run_id": "20261207T030000-5e6f7a8b-s1-r6"}
    assert report_folder_name(pol, base, stamp) == f"club-1a2b3c4d_vs_club-5e6f7a8b_{stamp}"
    # The same resolved scenario (other plug-in code, say): their start times differ.
    same = {**base, "run_id": "20261207T040000-5e6f7a8b-s1-r6"}
    assert report_folder_name(same, base, stamp) == (
        f"club-20261207T040000_vs_club-20261207T030000_{stamp}")
    # No run ids (a hand-made manifest): the overrides' hashes, which differ.
    name = report_folder_name({"scenario": "club", "overrides": pol["overrides"]},
                              {"scenario": "club"}, stamp)
    tags = [side.split("-", 1)[1] for side in name.removesuffix(f"_{stamp}").split("_vs_")]
    assert len(set(tags)) == 2 and all(len(t) == 8 for t in tags), name
    assert report_folder_name({"scenario": "club"}, {"scenario": "club"}, stamp) == (
        f"club_vs_club_{stamp}")  # nothing tells them apart


def test_compare_writes_two_runs_of_one_scenario_to_a_tagged_folder(tmp_path, capsys):
    pol_df, base_df = (df.assign(indicator="welfare_change_pct")
                       for df in synthetic_pair(6, seed=3))
    runs = []
    for rid, over in (("20261207T040000-1a2b3c4d-s1-r6", {"proposals.club.cost_cut": 0.03}),
                      ("20261207T030000-5e6f7a8b-s1-r6", None)):
        run = write_run(tmp_path / "club" / rid, pol_df if over else base_df, scenario="club")
        manifest = json.loads((run / "manifest.json").read_text())
        manifest.update(run_id=rid, **({"overrides": over} if over else {}))
        (run / "manifest.json").write_text(json.dumps(manifest))
        runs.append(str(run))
    assert main(["compare", *runs, "--out", str(tmp_path / "cmp"), "--plot-workers", "1"]) == 0
    folder, = (tmp_path / "cmp" / "compare").iterdir()
    assert folder.name.startswith("club-1a2b3c4d_vs_club-5e6f7a8b_"), folder.name
    assert str(folder) in capsys.readouterr().out  # the path printed is the folder's


def test_an_indicator_the_runs_record_but_nothing_declares_is_not_called_unknown(
        tmp_path, capsys):
    """Runs whose manifests do not declare their plug-in (made before they recorded it)
    record its indicator: the error said "'visa_free' is unknown (did you mean
    'visa_free'?)". It now says what is missing: the plug-in's declaration."""
    pol_df, base_df = (df.assign(indicator="visa_free") for df in synthetic_pair(6, seed=3))
    pol = write_run(tmp_path / "club" / "a", pol_df, scenario="club")
    base = write_run(tmp_path / "club" / "b", base_df, scenario="club")
    assert main(["compare", str(pol), str(base), "--indicator", "visa_free",
                 "--out", str(tmp_path / "cmp")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "did you mean 'visa_free'" not in err and "is unknown" not in err
    assert ("--indicator 'visa_free' is recorded by the runs compared, but its plug-in is not "
            "declared in their manifests (manifest.json, plugins.declared)") in err
    # A name the runs do not record is still unknown, with the nearest one suggested.
    assert main(["compare", str(pol), str(base), "--indicator", "visa_fre",
                 "--out", str(tmp_path / "cmp")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "--indicator 'visa_fre' is unknown (did you mean 'visa_free'?)" in err
