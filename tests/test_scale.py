"""Scale: plots read only what they need; start-up imports; GE solve cache (issue #16)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scosim.bloc_answer import BLOC_INDICATORS
from scosim.member_welfare import while_name
from scosim.plot_data import WELFARE_ACCOUNTS
from scosim.plot_votes import vote_reasons_data
from scosim.plots import (
    PLOTTED,
    load_plot_data,
    membership_data,
    plot_run,
    who_gains_data,
)
from scosim.results import indicator_names, read_batches, read_wide
from scosim.runner import run
from scosim.runstats import RunStats

REPO = Path(__file__).resolve().parents[1]
#: What summary.csv holds by default for a run of the built-in types only (a union forms
#: in the geometry run: its bloc totals, which the answer states, have values).
#: Each economy's US$ welfare and its terms too (WELFARE_ACCOUNTS).
PLOTTED_WITH_MEMBERSHIP = {*PLOTTED, "in_customs_union", "in_free_trade_area", *BLOC_INDICATORS,
                           *WELFARE_ACCOUNTS,
                           # derived from the welfare change and the union's membership
                           while_name("in_customs_union")}


def test_wide_reads_equal_the_pivot_of_the_whole_table(geometry_run: Path) -> None:
    tidy = read_batches(geometry_run / "indicators")
    names = indicator_names(geometry_run / "indicators")
    assert names == set(tidy["indicator"].unique())
    for name in PLOTTED:
        full = tidy[tidy["indicator"] == name].pivot_table(
            index=["run", "year"], columns="country", values="value", observed=True)
        wide = read_wide(geometry_run / "indicators", name)
        pd.testing.assert_frame_equal(wide, full)
    assert read_wide(geometry_run / "indicators", "no_such_indicator").empty


def test_plot_data_merged_by_batch_equal_the_full_tables(geometry_run: Path) -> None:
    """The figures' numbers do not change when statistics are merged batch by batch."""
    tidy = read_batches(geometry_run / "indicators")
    events = read_batches(geometry_run / "events")
    st = load_plot_data(geometry_run)
    # the plotted ones and the built-in arrangements' memberships (a plug-in type another
    # test registered in this process declares one too, which this run does not record)
    assert isinstance(st, RunStats) and set(st.indicators) == PLOTTED_WITH_MEMBERSHIP
    assert st.runs == 7

    before, after = who_gains_data(tidy), who_gains_data(st)
    pd.testing.assert_frame_equal(after[0], before[0], rtol=1e-12)
    assert after[1:] == before[1:]
    assert before[3] == 7

    union_b, counts_b = membership_data(tidy, events)
    union_a, counts_a = membership_data(st)
    pd.testing.assert_frame_equal(union_a, union_b)
    pd.testing.assert_frame_equal(counts_a, counts_b)

    vb, va = vote_reasons_data(events), vote_reasons_data(st)
    assert vb is not None and va is not None
    for f in ("contributions", "score_low", "score_high", "yes_share", "rules", "sponsor"):
        left, right = getattr(va, f), getattr(vb, f)
        (pd.testing.assert_frame_equal if isinstance(left, pd.DataFrame)
         else pd.testing.assert_series_equal)(left, right)
    assert (va.proposal, va.year, va.n_runs) == (vb.proposal, vb.year, vb.n_runs)


def test_plot_run_reads_only_the_plotted_indicators(geometry_run: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    import scosim.batch_rows as batch_rows

    asked: list[object] = []
    real, real_table = batch_rows.read_rows, pq.read_table

    def spy(path: object, columns: object, keep: object = None, by: str = "indicator"
            ) -> object:
        # Listing the names recorded reads the metadata; event files are small and are
        # read whole, then filtered to the plotted types.
        if "indicators" in Path(str(path)).parts:
            asked.append(keep)
        return real(path, columns, keep, by)

    def whole(*a: object, **k: object) -> object:
        if "indicators" in Path(str(a[0])).parts and k.get("columns") != ["indicator"]:
            asked.append(None)  # a read of an indicator file not through batch_rows
        return real_table(*a, **k)

    monkeypatch.setattr(batch_rows, "read_rows", spy)
    monkeypatch.setattr(pq, "read_table", whole)
    files = plot_run(geometry_run, tmp_path)
    # Every read of the (large) indicator files is filtered to the plotted indicators.
    assert asked and all(f is not None for f in asked)
    assert {p.name for p in files} >= {"gdp_paths.png", "welfare_final_year.png"}
    assert all(p.stat().st_size > 10_000 for p in files)


HEAVY = ("pandas", "mesa", "scipy", "matplotlib", "pyarrow")


def _imported_by(argv: list[str], cwd: Path) -> tuple[int, set[str]]:
    """Exit code of ``scosim <argv>`` in a fresh interpreter and the heavy packages it imported."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from scosim.cli import main\n"
        "try:\n    rc = main(sys.argv[1:])\n"
        "except SystemExit as e:\n    rc = e.code\n"
        f"print(json.dumps([rc, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *argv], cwd=cwd, capture_output=True,
                         text=True, check=True, timeout=300)
    rc, mods = json.loads(out.stdout.strip().splitlines()[-1])
    return rc, set(mods)


def test_version_and_list_import_no_heavy_package(tmp_path: Path) -> None:
    assert _imported_by(["--version"], tmp_path) == (0, set())
    assert _imported_by(["list", "--out", str(tmp_path)], tmp_path) == (0, set())


def test_validate_imports_no_dataframe_or_model_package(tmp_path: Path) -> None:
    rc, mods = _imported_by(["validate", str(REPO / "scenarios" / "customs_union.yaml")], tmp_path)
    assert rc == 0
    assert not mods & {"pandas", "mesa", "scipy"}
    # A user error still exits 2 (the error classes are imported when needed).
    rc, _ = _imported_by(["validate", str(tmp_path / "missing.yaml")], tmp_path)
    assert rc == 2


def test_list_still_shows_runs(geometry_run: Path, capsys: pytest.CaptureFixture) -> None:
    from scosim.cli import main
    from scosim.results import catalogue

    root = geometry_run.parents[1]
    assert main(["list", "--out", str(root)]) == 0
    assert geometry_run.name[:20] in capsys.readouterr().out
    cat = catalogue(root)
    assert list(cat["run_id"]) == [geometry_run.name] and cat.loc[0, "replications"] == 7


def test_ge_cache_gives_identical_tables_and_skips_solves(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping unchanged GE solves changes no number, and does skip (and partly re-solve)."""
    from scosim.model import ge_cache
    from scosim.model.builtin_mechanisms import GETrade
    from scosim.runner import run_model
    from scosim.scenario import load_scenario

    scen = REPO / "tests" / "fixtures" / "model" / "vg_union_forms.yaml"  # a union forms
    partial = []
    real = ge_cache.GESolveCache._store

    def spy(self, inputs, result, n, r):  # noqa: ANN001, ANN202
        partial.append(0 < n < r)
        return real(self, inputs, result, n, r)

    monkeypatch.setattr(ge_cache.GESolveCache, "_store", spy)
    # The cache serves runs whose baseline and tariff adjustment do not move (docs/model.md).
    still = {"parameters.trade.moving_baseline": False, "parameters.trade.short_run_share": 1.0}
    model = run_model(load_scenario(scen, overrides=still), runs=range(8))
    cache = model._ge_cache
    assert cache.total_reused > 0  # unchanged years were not solved again
    # (Partial re-solves of only the changed runs are tested on their own below: in this
    # scenario the union now forms in the same year in every run.)

    tables = {}
    for on in (True, False):
        monkeypatch.setattr(GETrade, "cache_solves", on)
        res = run(scen, replications=8, batch_size=4, out=tmp_path / str(on), progress=False,
                  plots=False, overrides=still)
        tables[on] = {t: read_batches(res.path / t) for t in ("indicators", "events")}
    for t in ("indicators", "events"):
        # Exact equality: the cache must be bit-identical, not merely close.
        pd.testing.assert_frame_equal(tables[True][t], tables[False][t], check_exact=True)


def test_ge_cache_is_bit_identical_while_trade_adjusts_and_costs_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keys on the year's short-run elasticity as well as the long-run one: with
    trade adjusting (sigma_a < sigma) and a sanction in force (the two-step solve of
    scosim.mechanisms.short_run), cached and uncached runs give the same bits."""
    from scosim.model.builtin_mechanisms import GETrade

    scen = REPO / "scenarios" / "customs_union.yaml"
    over = {"parameters.trade.moving_baseline": False, "parameters.trade.short_run_share": 0.4,
            "parameters.rules.defect": "never_defect", "years.end": 2031,
            "events": [{"type": "sanctions", "year": 2025, "target": "RUS", "by": "ROW",
                        "trade_cost": 0.2}]}
    tables = {}
    for on in (True, False):
        monkeypatch.setattr(GETrade, "cache_solves", on)
        res = run(scen, replications=4, batch_size=2, out=tmp_path / str(on), progress=False,
                  plots=False, overrides=over)
        tables[on] = read_batches(res.path / "indicators")
    share = tables[True].query("indicator == 'trade_adjustment_share'")["value"]
    assert ((share > 0) & (share < 1)).any()  # some years were solved at sigma_a
    pd.testing.assert_frame_equal(tables[True], tables[False], check_exact=True)


def test_ge_cache_re_solves_a_run_whose_input_changes_in_one_bit() -> None:
    from scosim.mechanisms.trade import solve_ge
    from scosim.model.ge_cache import GESolveCache

    rng = np.random.default_rng(0)
    n, r = 4, 3
    flows = rng.uniform(1, 10, (n, n))
    tau = np.full((r, n, n), 0.05)
    calls: list[int] = []

    def solver(sigma, tariffs):  # noqa: ANN001, ANN202
        calls.append(len(sigma))
        return solve_ge(flows, sigma=sigma, new_tariffs=tariffs, tariffs=np.zeros((n, n)))

    cache = GESolveCache()
    sigma = np.full(r, 5.0)
    first = cache.solve(solver, sigma=sigma, tariffs=tau)
    again = cache.solve(solver, sigma=sigma, tariffs=tau.copy())
    assert calls == [3] and np.array_equal(again.welfare_change, first.welfare_change)
    again.welfare_change[:] = 0.0  # a caller changing its copy does not change the cache
    tau2 = tau.copy()
    tau2[1, 0, 1] = np.nextafter(tau2[1, 0, 1], 1.0)
    third = cache.solve(solver, sigma=sigma, tariffs=tau2)
    assert calls == [3, 1]
    direct = solve_ge(flows, sigma=sigma, new_tariffs=tau2, tariffs=np.zeros((n, n)))
    for f in ("welfare_change", "flows", "price_change", "iterations"):
        assert np.array_equal(getattr(third, f), getattr(direct, f)), f


# --------------------------------------------------------------------------- lazy registration


def test_validating_heavy_types_and_mechanisms_imports_no_dataframe_package(
        tmp_path: Path) -> None:
    """Finance and security scenarios (lazy types and mechanisms) validate without pandas."""
    for name in ("finance_crisis_union.yaml", "afghan_instability_rats.yaml"):
        rc, mods = _imported_by(["validate", str(REPO / "scenarios" / name)], tmp_path)
        assert rc == 0, name
        assert not mods & {"pandas", "mesa", "scipy"}, (name, mods)


def test_lazy_declarations_match_the_loaded_classes() -> None:
    """What the registries declare without importing equals what the classes say."""
    from scosim.model import mechanism_names
    from scosim.model.slots import get_mechanism, mechanism_slot
    from scosim.proposals import builtin, get_type, type_spec

    # every built-in type is registered lazily: the heavy ones, and the trade ones whose
    # light specs and checks (proposals/specs.py) keep numpy off the validate path
    assert set(builtin.LAZY) == {"corridor", "rats_upgrade", "banking_union",
                                 "national_currency_settlement", "customs_union",
                                 "free_trade_area", "accession", "application",
                                 "declaration", "development_bank"}
    for name in builtin.LAZY:
        spec = type_spec(name)
        assert get_type(name).spec is spec and get_type(name).name == name
    for name, (_, slot) in mechanism_names.LAZY.items():
        assert mechanism_slot(name) == slot == get_mechanism(name).slot
        assert get_mechanism(name).name == name


def test_corridor_project_ids_without_pandas_equal_the_network_tables() -> None:
    from scosim.network.specs import project_hosts, project_ids
    from scosim.network.tables import load_network

    net = load_network()
    assert project_ids() == net.project_ids and len(project_ids()) >= 6
    assert project_hosts() == dict(net.projects["host_economies"])


def _registry() -> object:
    from scosim.plugins import Registry

    def check(obj: object, name: str) -> None:
        if not isinstance(obj, type):
            from scosim.plugins import PluginError

            raise PluginError(f"{name} is not a class")

    return Registry("thing", "scosim.no_such_group", check, "json")


def test_lazy_entry_is_imported_only_when_used_and_checked_against_its_declaration() -> None:
    import sys

    from scosim.plugins import PluginError

    reg = _registry()
    mod = "xml.dom.minidom"
    was_loaded = mod in sys.modules
    reg.register_lazy("minidom_doc", f"{mod}:Document", nodeName="#document")
    assert "minidom_doc" in reg.available()
    assert reg.declared("minidom_doc", "nodeName") == "#document"
    if not was_loaded:
        assert mod not in sys.modules  # known by name and declared attribute only
    cls = reg.get("minidom_doc")
    assert cls.__name__ == "Document" and reg.origin("minidom_doc") == "builtin"

    # A declaration that the class contradicts is an error when the class loads.
    reg.register_lazy("bad_decl", f"{mod}:Text", nodeName="#document")
    with pytest.raises(PluginError, match="was registered with nodeName"):
        reg.get("bad_decl")
    # Another class may not take a lazily registered name.
    reg.register_lazy("taken", f"{mod}:Element")
    import xml.dom.minidom as md

    with pytest.raises(PluginError, match="already registered by xml.dom.minidom.Element"):
        reg.register("taken", md.Comment)
    assert reg.get("taken") is md.Element


# --------------------------------------------------------------------------- lean single path


def test_lean_single_run_gives_the_numbers_of_the_same_run_in_a_batch() -> None:
    """run_one(r) equals run r of a batched model: same draws, same indicators, same events.

    Indicators agree to a relative 1e-12 (sums over the batch axis may round the last
    digit differently); the runs differ from each other by far more (checked below).
    """
    from scosim.runner import run_model
    from scosim.scenario import load_scenario
    from scosim.single import SingleRunner

    # Loud vote noise: the shipped union never forms, and then no union path ran; here
    # states join in different years in different runs, so a year's GE solve is redone
    # for some runs of the batch and kept for others.
    sc = load_scenario(REPO / "scenarios" / "customs_union_variable_geometry.yaml",
                       overrides={"parameters.council.vote_noise": 1.0})
    batch = run_model(sc, runs=[0, 1, 2])
    size = np.stack(batch.records["in_customs_union"], axis=1).sum(axis=2)  # (R, T)
    assert size.min(axis=0).max() >= 2  # a union in every run ...
    grew = np.diff(size, axis=1) > 0
    assert (grew.any(axis=0) & ~grew.all(axis=0)).any()  # ... growing in some runs only
    one = SingleRunner(sc)
    for r in (0, 2):
        res = one.run(r)
        assert res.run == r and res.codes == batch.codes
        assert set(res.indicators) == set(batch.records)
        for name, rows in batch.records.items():
            want = np.stack(rows, axis=0)[:, r, :]
            assert res.indicators[name].shape == want.shape
            # A sum over the batch axis may round its last digit differently from R = 1.
            np.testing.assert_allclose(res.indicators[name], want, rtol=1e-12, atol=0,
                                       err_msg=name)
        ev_b = batch.log.to_frame()
        ev_b = ev_b[ev_b["run"] == r]
        ev_1 = res.model.log.to_frame()
        cols = list(ev_1.columns)
        pd.testing.assert_frame_equal(
            ev_1.sort_values(cols, kind="stable").reset_index(drop=True),
            ev_b.sort_values(cols, kind="stable").reset_index(drop=True), check_categorical=False)
    # Runs differ from each other (the comparison above can fail).
    assert not np.array_equal(one.run(0).indicators["gdp_usd"], one.run(1).indicators["gdp_usd"])


def test_summary_csv_matches_the_plots_and_exact_statistics(geometry_run: Path,
                                                            tmp_path: Path) -> None:
    """summary.csv holds the plotted numbers; means exact, percentiles within the bound."""
    from scosim.runstats import ALPHA, ZERO

    plot_run(geometry_run, tmp_path)
    summary = pd.read_csv(geometry_run / "summary.csv")
    assert set(summary["indicator"]) == PLOTTED_WITH_MEMBERSHIP
    table, year, _, n_runs = who_gains_data(load_plot_data(geometry_run))
    w = summary[(summary["indicator"] == "welfare_change_pct") & (summary["year"] == year)]
    w = w.set_index("country").loc[table.index]
    assert (w["n_runs"] == n_runs).all()
    # Printed to 6 significant digits: the same numbers as the figure's bars and diamonds.
    np.testing.assert_allclose(w["mean"], table["mean"], rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(w["median"], table["median"], rtol=1e-5, atol=1e-9)

    tidy = read_batches(geometry_run / "indicators", indicators=["gdp_usd"])
    for (yr, cty), grp in tidy.groupby(["year", "country"], observed=True):
        x = np.sort(grp["value"].to_numpy())
        row = summary[(summary["indicator"] == "gdp_usd") & (summary["year"] == yr)
                      & (summary["country"] == cty)].iloc[0]
        assert row["mean"] == pytest.approx(x.mean(), rel=1e-5)
        for q, col in ((0.05, "p05"), (0.5, "median"), (0.95, "p95")):
            k = int(np.floor((x.size - 1) * q))
            bound = ALPHA * max(abs(x[k]), abs(x[min(k + 1, x.size - 1)])) + ZERO
            # csv rounding to 6 significant digits adds up to 5e-6 relative
            assert abs(row[col] - np.percentile(x, q * 100)) <= bound + 5e-6 * abs(row[col])


def test_membership_figure_lists_every_state_that_voted(geometry_run: Path) -> None:
    """A voter outside the SCO and outside any union (an EAEU member invited with its
    bloc) gets a row, so the figure's votes against agree with the run's answer table."""
    st = load_plot_data(geometry_run)
    union, counts = membership_data(st)
    voters = {c for _, c in st.votes_by}
    assert voters <= set(union.columns) and voters <= set(counts.index)
    member = st.mean("member")
    outside = [c for c in voters
               if not (union[c] > 0).any() and not (member[c] > 0).any()]
    assert outside, "the scenario should have a voter outside the SCO and every union"
    if "voted no" in counts:
        for c in voters:
            assert counts.loc[c, "voted no"] == st.no_votes.get(c, 0) / st.runs
    else:  # under consensus every vote against is a veto, shown once
        for c in voters:
            assert counts.loc[c, "veto"] == st.event_counts.get(("veto", c), 0) / st.runs


def test_repeated_votes_are_said_when_a_state_votes_more_than_once_a_run(
        geometry_run: Path) -> None:
    """Under variable geometry outsiders vote again every year; one vote a run is not flagged."""
    from scosim.plots import repeated_votes

    st = load_plot_data(geometry_run)
    assert repeated_votes(st)  # yearly re-votes of the outsiders
    once = RunStats()
    once.runs = 4
    # At most one vote a run on each proposal: not repeated, even where a state
    # votes on two proposals (CHN: eight votes in four runs).
    once.votes_by = {("a", "KAZ"): 2, ("b", "KAZ"): 2, ("a", "CHN"): 4, ("b", "CHN"): 4}
    assert not repeated_votes(once)
    once.votes_by[("a", "KAZ")] = 5  # KAZ: five votes on "a" in four runs
    assert repeated_votes(once)
    assert not repeated_votes(RunStats())
