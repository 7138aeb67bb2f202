"""Exit shares at every threshold from one ensemble with everyone kept in (scosim.exit_curve).

Checked against the model itself: the same runs made with the exit rule at a threshold
have their first exits in the years, and by the states, that the recorded paths give
(an identity: until a run's first exit nothing the model computes reads the threshold).
The window arithmetic is checked against the model's own bad-year counter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.cli import main
from scosim.exit_curve import (
    ANY,
    critical_thresholds,
    curve_table,
    fire_index,
    first_exits,
    record_paths,
)
from scosim.mechanisms.voting import update_bad_years
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
CU = ROOT / "scenarios" / "customs_union.yaml"
CENTRAL_ASIA = ROOT / "scenarios" / "customs_union_central_asia.yaml"
RUNS = list(range(16))


def _counter_fires(realised: np.ndarray, active: np.ndarray, k: int, th: float) -> np.ndarray:
    """First year index at which the model's counter reaches k (-1 if never)."""
    counter = np.zeros((1, realised.shape[1]), dtype=np.int64)
    out = np.full(realised.shape[1], -1)
    for t in range(realised.shape[0]):
        counter = update_bad_years(counter.T, realised[t][:, None], np.array([th]),
                                   active[t][:, None]).T
        new = (counter[0] >= k) & (out < 0)
        out[new] = t
    return out


def test_fire_index_and_critical_threshold_agree_with_the_models_counter():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n_years, n_runs, k = rng.integers(1, 12), rng.integers(1, 30), int(rng.integers(1, 5))
        realised = rng.normal(-0.004, 0.004, (n_years, n_runs))
        active = rng.random((n_years, n_runs)) < 0.85
        crit = critical_thresholds(realised, active, k)
        for th in rng.normal(-0.004, 0.005, 5):
            want = _counter_fires(realised, active, k, th)
            np.testing.assert_array_equal(fire_index(realised, active, k, th), want)
            np.testing.assert_array_equal(crit < th, want >= 0)


@pytest.fixture(scope="module")
def cu_paths():
    return record_paths(CU, RUNS)


def _first_exits_run(path: Path, overrides: dict) -> set[tuple[int, str, str, int, str]]:
    """(run, proposal, state, year, kind) of the exits in each run's first exit year, as
    the model makes them (kind: its own rule, ``defection``, or with its bloc)."""
    sc = load_scenario(path, overrides=overrides)
    model = SCOModel(sc, runs=RUNS)
    model.run_model()
    ev = model.log.to_frame()
    d = ev[ev["type"].isin(["defection", "bloc_exit"])]
    first = d[d["type"] == "defection"].groupby("run")["year"].min()
    return {(int(r.run), str(r.proposal), str(r.country), int(r.year), str(r.type))
            for r in d.itertuples() if r.run in first.index and r.year == first[r.run]}


def _predicted(paths, threshold: float) -> set[tuple[int, str, str, int, str]]:
    fx = first_exits(paths, threshold)
    return {(int(run), pid, code, int(fx.year[j]), kind)
            for kind, who in (("defection", fx.own), ("bloc_exit", fx.bloc))
            for (pid, code), m in who.items() for j, run in enumerate(paths.runs) if m[j]}


@pytest.mark.parametrize("threshold", [-0.0055, -0.007])
def test_first_exits_equal_the_models_at_each_threshold(cu_paths, threshold):
    got = _predicted(cu_paths, threshold)
    assert got  # Iran leaves in some of these runs at both thresholds
    assert got == _first_exits_run(CU, {"parameters.council.exit_threshold": threshold})


def test_first_exits_of_a_bloc_union_equal_the_models():
    paths = record_paths(CENTRAL_ASIA, RUNS)
    got = _predicted(paths, -0.0055)
    assert {code for _, _, code, _, kind in got if kind == "defection"} & {"ARM", "BLR"}
    assert {code for _, _, code, _, kind in got if kind == "bloc_exit"} >= {"RUS", "KAZ"}
    assert got == _first_exits_run(CENTRAL_ASIA, {"parameters.council.exit_threshold": -0.0055})


def test_a_states_own_threshold_is_kept_while_the_councils_varies():
    """A country's own exit threshold (countries.<CODE>.exit_threshold) stays fixed: the
    curve varies the council's (the reviewer's case: Iran at -0.9 %)."""
    own = {"countries.IRN.exit_threshold": -0.009}
    paths = record_paths(CU, RUNS, overrides=own)
    assert paths.fixed == {"IRN": -0.009}
    for th in (-0.0055, -0.003):
        got = _predicted(paths, th)
        assert got == _first_exits_run(CU, {**own, "parameters.council.exit_threshold": th})
    fewer = {r for r, _, c, _, _ in _predicted(paths, -0.0055) if c == "IRN"}
    assert len(fewer) < len({r for r, _, c, _, _ in _predicted(record_paths(CU, RUNS), -0.0055)
                              if c == "IRN"})


def test_paths_do_not_depend_on_the_batches(cu_paths):
    split = record_paths(CU, RUNS, batch_size=5)
    assert split.realised.keys() == cu_paths.realised.keys()
    for key in split.realised:
        np.testing.assert_array_equal(split.realised[key], cu_paths.realised[key])
        np.testing.assert_array_equal(split.active[key], cu_paths.active[key])


def test_curve_table_counts_and_bounds(cu_paths):
    grid = [-0.012, -0.0075, -0.0055, -0.003, 0.0]
    df = curve_table(cu_paths, grid)
    assert set(df["threshold_pct"]) == {round(100 * t, 9) for t in grid}
    assert (df["runs"] == len(RUNS)).all()
    assert (df["leaves_own"] <= df["would_leave"]).all()
    assert (df["leaves"] == df["leaves_own"] + df["leaves_with_bloc"]).all()
    assert ((df["share_lo_pct"] <= df["share_pct"])
            & (df["share_pct"] <= df["share_hi_pct"])).all()
    irn = df[df["country"] == "IRN"].set_index("threshold_pct")
    fx = first_exits(cu_paths, -0.0055)
    assert irn.loc[-0.55, "leaves_own"] == fx.own[("sco_cu", "IRN")].sum()
    # a more tolerant threshold never adds runs in which a state's rule would fire
    for _, g in df.groupby(["proposal", "country"]):
        assert (np.diff(g.sort_values("threshold_pct")["would_leave"]) >= 0).all()
    anyone = df[df["country"] == ANY].set_index("threshold_pct")["leaves"]
    per_state = df[df["country"] != ANY].groupby("threshold_pct")["leaves_own"].sum()
    assert (anyone <= per_state).all() and anyone.loc[-0.55] == (fx.year > 0).sum()



def test_a_blocs_line_has_its_upper_bound_dashed(cu_paths, tmp_path, monkeypatch):
    """The EAEU leaves the union as one when any member's rule fires: the bound of its
    line is any member's rule firing had nobody left before. The figure drew no dashed
    line for a bloc (whose would it be?), and the one a bloc member's own rule gives was no
    bound: the member leaves when a partner's rule fires."""
    import matplotlib.figure

    from scosim.exit_curve import plot_curve

    th = -0.003  # Iran and India leave first in some runs, the EAEU in others
    df = curve_table(cu_paths, [th])
    assert (df["leaves"] <= df["would_leave_bloc"]).all()  # a bound of the solid line
    eaeu = [g for g in cu_paths.blocs["sco_cu"] if "RUS" in g][0]
    members = [("sco_cu", c) for c in eaeu if ("sco_cu", c) in cu_paths.realised]
    fires = np.any([critical_thresholds(cu_paths.realised[k], cu_paths.active[k], cu_paths.k)
                    < th for k in members], axis=0)
    rows = df[df["country"].isin([c for _, c in members])]
    assert (rows["would_leave_bloc"] == fires.sum()).all()  # the same for every member
    assert (rows["leaves"] < rows["would_leave_bloc"]).all()  # others' first exits cut it
    # The figure draws that bound, dashed, in the bloc's colour.
    figs = []
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda f, *a, **k: figs.append(f))
    plot_curve(curve_table(cu_paths, [-0.004, th, -0.002]), tmp_path / "c.png", title="t")
    lines = figs[0].axes[0].get_lines()
    solid = {ln.get_label(): ln.get_color() for ln in lines if ln.get_linestyle() == "-"}
    bloc = next(v for k, v in solid.items() if "RUS" in k)
    assert any(ln.get_linestyle() == "--" and ln.get_color() == bloc and len(ln.get_xdata())
               for ln in lines)


def test_another_exit_rule_is_refused(tmp_path, capsys):
    sc = tmp_path / "other_rule.yaml"
    sc.write_text(f"extends: {CU}\nparameters:\n  rules:\n    defect: never_defect\n")
    with pytest.raises(ValueError, match="threshold_defect.*never_defect"):
        record_paths(sc, [0])
    out = tmp_path / "out"
    assert main(["exits", str(sc), "--replications", "2", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "never_defect" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("rule", ["vote_with_a_bug", "vote_returning_none"])
def test_a_rule_that_fails_is_said_as_a_batch_of_scosim_run_is(tmp_path, capsys, monkeypatch,
                                                               rule):
    """A plug-in rule that raises or returns nonsense stopped `scosim exits` with a Python
    traceback, where `scosim run` says "batch 0 failed: ..." with its cause."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent / "plugin_pkgs"))
    sc = tmp_path / "buggy.yaml"
    sc.write_text(f"extends: {CU}\nname: buggy\n"
                  f"parameters:\n  rules:\n    vote: 'broken_rules:{rule}'\n")
    out = tmp_path / "out"
    assert main(["exits", str(sc), "--replications", "2", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "batch 0 failed: " in err and "SCOSIM_DEBUG" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("bad", [["--lo", "0.01"], ["--step", "0"], ["--at", "-0.5%"]])
def test_bad_options_are_refused(tmp_path, bad, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["exits", str(CU), "--out", str(tmp_path / "out"), *bad])
    assert exc.value.code == 2
    assert bad[0] in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_command_writes_table_and_figure(tmp_path, capsys):
    code = main(["exits", str(CU), "--replications", "8", "--out", str(tmp_path), "--quiet",
                 "--at=-0.0055,-0.01", "--lo", "-0.012", "--step", "0.001",
                 "--record-edge=-0.0051"])
    assert code == 0
    # Not the defaults' grid and figure: a folder of their own (-<hash>).
    (folder,) = (tmp_path / "customs_union").glob("exits-s20250101-r8-*")
    df = pd.read_csv(folder / "exit_curve.csv")
    assert {-1.2, -0.55, 0.0} <= set(np.round(df["threshold_pct"], 6))
    # the scenario's own threshold (on the grid here) and --at appear once each
    assert not df.duplicated(["proposal", "country", "threshold_pct"]).any()
    assert (folder / "exit_curve.png").stat().st_size > 10_000
    fx = first_exits(record_paths(CU, range(8)), -0.0055)
    iran = fx.own[("sco_cu", "IRN")].sum()
    out = capsys.readouterr().out
    assert f"IRN (sco_cu): -0.55 %: {100 * iran / 8:.1f} %" in out
    # The interval's bounds with the share's decimal: "[0-1]" read as a whole-percent claim.
    row = df[(df["country"] == "IRN") & np.isclose(df["threshold_pct"], -0.55)].iloc[0]
    assert f"[{row['share_lo_pct']:.1f}-{row['share_hi_pct']:.1f}" in out


@pytest.mark.parametrize("bad", [["--at=nan"], ["--at=inf"], ["--lo=-inf"], ["--lo", "abc"],
                                 ["--record-edge=nan"]])
def test_options_that_are_not_fractions_are_refused_by_name(tmp_path, bad, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["exits", str(CU), "--out", str(tmp_path / "out"), *bad])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert bad[0].split("=")[0] in err and "_negative" not in err and "fraction" in err
    assert not (tmp_path / "out").exists()


def test_a_grid_too_large_or_an_out_that_is_a_file_stops_before_running(tmp_path, capsys,
                                                                         monkeypatch):
    import scosim.exit_curve as ec

    def never(*args, **kwargs):
        raise AssertionError("the ensemble ran")

    monkeypatch.setattr(ec, "record_paths", never)
    assert main(["exits", str(CU), "--lo=-0.1", "--step", "0.000001", "--out",
                 str(tmp_path / "o")]) == 2
    assert "thresholds; at most" in capsys.readouterr().err
    assert main(["exits", str(CU), "--replications", "200000", "--out", str(tmp_path)]) == 2
    assert "100,000" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["exits", str(CU), "--out", str(tmp_path / "file")]) == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.parametrize("scenario", ["baseline.yaml", "corridor_instc.yaml"])
def test_no_arrangement_allowing_exits_says_so_and_writes_nothing(tmp_path, capsys,
                                                                  monkeypatch, scenario):
    """Said from the scenario before any run: the ensemble used to run to the end first
    (a corridor's participants cannot leave; the baseline proposes nothing)."""
    import scosim.exit_curve

    def never(*args, **kwargs):
        raise AssertionError("the ensemble ran")

    monkeypatch.setattr(scosim.exit_curve, "record_paths", never)
    assert main(["exits", str(ROOT / "scenarios" / scenario), "--replications", "2",
                 "--out", str(tmp_path), "--quiet"]) == 0
    assert "no arrangement that allows exits was in force" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())


def test_a_state_outside_every_exit_arrangement_may_have_another_rule(tmp_path):
    paths = record_paths(CU, [0, 1], overrides={"countries.TKM.rules.defect": "never_defect"})
    assert all(code != "TKM" for _, code in paths.realised)


def test_a_curve_changed_with_set_is_kept_apart_and_says_so(tmp_path, capsys, monkeypatch):
    """The reviewer's case: `--set parameters.trade.sigma=4` wrote over the curve of the
    file as written, and neither the header, the table nor the figure said so."""
    import json

    import scosim.exit_curve as ec
    from scosim.scenario import scenario_hash

    titles: list[str] = []
    draw = ec.plot_curve

    def plot_curve(table, path, **kw):
        titles.append(kw["title"])
        draw(table, path, **kw)

    monkeypatch.setattr(ec, "plot_curve", plot_curve)
    common = [str(CU), "--replications", "4", "--out", str(tmp_path), "--quiet",
              "--lo=-0.012", "--step", "0.001", "--at=-0.0055,-0.01"]
    assert main(["exits", *common]) == 0
    plain_out = capsys.readouterr().out
    # --lo and --step not the defaults': -<hash> of them ends each folder's name.
    (plain,) = (tmp_path / "customs_union").glob("exits-s20250101-r4-*")
    before = (plain / "exit_curve.csv").read_bytes()
    assert "--set" not in plain_out and "\n" not in titles[0]

    assert main(["exits", *common, "--set", "parameters.trade.sigma=4"]) == 0
    said = capsys.readouterr().out
    digest = scenario_hash(load_scenario(CU, overrides={
        "parameters.trade.sigma": 4, "replications": 4}))
    changed = tmp_path / "customs_union" / f"exits-{digest[:8]}-s20250101-r4{plain.name[-9:]}"
    assert (plain / "exit_curve.csv").read_bytes() == before  # not replaced
    assert json.loads((plain / "exit_curve.json").read_text())["overrides"] == {}
    assert (changed / "exit_curve.png").is_file()
    assert (pd.read_csv(changed / "exit_curve.csv").columns
            == pd.read_csv(plain / "exit_curve.csv").columns).all()  # no comment rows
    record = json.loads((changed / "exit_curve.json").read_text())
    assert record["overrides"] == {"parameters.trade.sigma": 4}
    assert record["scenario_hash"] == digest and record["replications"] == 4
    assert said.splitlines()[0].startswith(
        "Who leaves, by exit threshold: customs_union (seed 20250101, 4 runs; "
        "--set parameters.trade.sigma=4; leave after")
    assert f"table: {changed / 'exit_curve.csv'}" in said
    assert titles[1].endswith("\nscenario changed with --set parameters.trade.sigma=4")

    # A seed given twice is refused, as by scosim run; a --set seed is the run's own.
    assert main(["exits", *common, "--seed", "1", "--set", "seed=2"]) == 2
    assert "seed is given twice" in capsys.readouterr().err
    assert main(["exits", *common, "--set", "seed=7"]) == 0
    assert (tmp_path / "customs_union" / f"exits-s7-r4{plain.name[-9:]}" / "exit_curve.csv"
            ).is_file()


def test_the_default_thresholds_printed_are_on_a_coarse_grid(tmp_path, capsys):
    """Without --at the command prints -0.75 %, which a --step of 0.001 left off the
    grid: it stopped with an IndexError after running the ensemble."""
    assert main(["exits", str(CU), "--replications", "4", "--out", str(tmp_path), "--quiet",
                 "--lo=-0.012", "--step", "0.001"]) == 0
    (folder,) = (tmp_path / "customs_union").glob("exits-s20250101-r4-*")
    df = pd.read_csv(folder / "exit_curve.csv")
    assert {-0.75, -0.55, -1.0} <= set(np.round(df["threshold_pct"], 6))
    assert "-0.75 %: " in capsys.readouterr().out


@pytest.mark.parametrize("bad", [["--at=-0.55"], ["--at=-0.0055,-0.55"], ["--lo=-0.5"],
                                 ["--record-edge=-0.51"]])
def test_a_percentage_given_as_a_fraction_is_refused_with_what_was_meant(tmp_path, bad,
                                                                         capsys):
    """``--at=-0.55`` (the README's -0.55 %) ran at -55 % and said only "nobody leaves"."""
    with pytest.raises(SystemExit) as exc:
        main(["exits", str(CU), "--replications", "4", "--out", str(tmp_path / "out"),
              "--quiet", *bad])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    value = float(bad[0].split("=")[1].split(",")[-1])
    assert bad[0].split("=")[0] in err and "Traceback" not in err
    assert f"did you mean {value / 100:g} ({value:g} %)?" in err
    assert not (tmp_path / "out").exists()


def test_thresholds_are_echoed_and_a_scenario_threshold_slip_is_warned(tmp_path, capsys):
    """The thresholds used are printed in percent; a council threshold of -0.55 is said."""
    assert main(["exits", str(CU), "--replications", "4", "--out", str(tmp_path), "--quiet",
                 "--set", "parameters.council.exit_threshold=-0.55"]) == 0
    said = capsys.readouterr()
    assert "thresholds printed: -55.00 %, -0.75 %, -1.00 %" in said.out
    assert "exit_threshold -0.55" in said.err and "did you mean -0.0055 (-0.55 %)?" in said.err


def test_another_grid_or_figure_does_not_replace_an_earlier_curve(tmp_path, capsys):
    """README's plain call, then docs/model.md's with --record-edge, wrote one folder: the
    second replaced the first's curve. Printing other thresholds on the same grid keeps
    it (the files are the same)."""
    common = ["exits", str(CU), "--replications", "4", "--out", str(tmp_path), "--quiet"]
    assert main(common) == 0
    plain = tmp_path / "customs_union" / "exits-s20250101-r4"
    before = (plain / "exit_curve.csv").read_bytes()
    png = (plain / "exit_curve.png").read_bytes()
    assert main([*common, "--record-edge=-0.0051"]) == 0
    assert main([*common, "--lo=-0.01", "--step", "0.001"]) == 0
    assert (plain / "exit_curve.csv").read_bytes() == before
    assert (plain / "exit_curve.png").read_bytes() == png
    assert len(list((tmp_path / "customs_union").iterdir())) == 3
    assert main([*common, "--at=-0.006"]) == 0  # on the default grid: the same folder
    assert len(list((tmp_path / "customs_union").iterdir())) == 3
    assert (plain / "exit_curve.csv").read_bytes() == before
