"""Bad input, tried from the outside as a demanding user would.

Each test reproduces a defect found by running the real CLI in a scratch directory
(an interval level given as a percentage, an option given twice, a misspelt type)
and checks the fix: one clear message, the documented exit status, and nothing
written. Stopped and failed runs are in tests/test_audit_stops.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.cli import main
from scosim.results import PARTIAL_PREFIX
from scosim.runner import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_BASE = FIXTURES / "model" / "small_base.yaml"  # 6 replications, 4 years


# ------------------------------------------------------------------ arguments


@pytest.mark.parametrize(("level", "message"), [
    ("90", "90 is not a fraction between 0 and 1 (exclusive) (for 90 % write 0.9)"),
    ("1.5", "1.5 is not a fraction between 0 and 1 (exclusive); e.g. 0.90"),
    ("0", "0 is not a fraction between 0 and 1"),
    ("nan", "nan is not a fraction between 0 and 1"),
    ("ninety", "'ninety' is not a number"),
])
def test_compare_level_is_checked_before_anything_runs(tmp_path, capsys, level, message):
    """``--level 90`` was refused only after both scenarios had been run and written."""
    out = tmp_path / "results"
    with pytest.raises(SystemExit) as info:
        main(["compare", str(SMALL_BASE), str(FIXTURES / "model" / "small_cu.yaml"),
              "--out", str(out), "--quiet", "--level", level])
    assert info.value.code == 2
    assert f"argument --level: {message}" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------------ overrides given twice


def test_the_same_override_path_twice_is_an_error(tmp_path, capsys):
    """``--set seed=1 --set seed=2`` silently ran seed 2, as duplicate YAML keys would
    keep the last, which the loader refuses; ``proposals[0].year`` and
    ``proposals.0.year`` are the same path."""
    code = main(["validate", str(SMALL_BASE), "--set", "seed=1", "--set", "replications=2",
                 "--set", "seed=2", "--set", "proposals[0].year=2026",
                 "--set", "proposals.0.year=2027"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.splitlines() == [
        "scosim: error: <override>:3: seed: set again (first as override 1, 'seed=1'); "
        "give each path once",
        "<override>:5: proposals.0.year: set again (first as override 4, "
        "'proposals[0].year=2026'); give each path once",
    ]


@pytest.mark.parametrize("option", ["seed", "replications"])
def test_an_option_and_a_set_of_the_same_value_conflict(tmp_path, capsys, option):
    """``--seed 3 --set seed=4`` ran seed 3 while the manifest and ``scosim list``
    recorded the override seed=4."""
    out = tmp_path / "results"
    code = main(["run", str(SMALL_BASE), f"--{option}", "3", "--set", f"{option}=4",
                 "--out", str(out), "--quiet", "--no-plots"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err == (f"scosim: error: {option} is given twice, as --{option} 3 and as "
                   f"--set {option}=4; give one\n")
    assert not out.exists()


def test_a_year_written_twice_in_a_year_value_is_an_error(tmp_path, capsys):
    """``{2025: 0.03, "2025": 0.04}`` was accepted: the quoted key (allowed so that JSON
    round trips load) named the same year, and one of the two values was dropped."""
    path = tmp_path / "twice.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: twice\nparameters:\n  growth:\n"
                    "    mode: fixed\n    rate: {2025: 0.03, '2025': 0.04}\n")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err == (f"scosim: error: {path}:6: parameters.growth.rate: year 2025 is written "
                   "twice, as 2025 and as '2025'; give each year once\n")


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_workers_without_a_parallel_executor_are_refused(tmp_path, capsys, command):
    """``--workers 4`` with the default local executor was silently ignored: the run took
    as long as without it (``--scheduler`` without Dask is refused the same way)."""
    out = tmp_path / "results"
    args = [command, str(SMALL_BASE), "--workers", "4", "--out", str(out), "--quiet"]
    if command == "sweep":
        args += ["--param", "parameters.trade.sigma=3:5", "--output", "gdp_usd:KAZ"]
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert capsys.readouterr().err == (
        f"scosim {command}: error: --workers 4 is used only with --executor process or dask "
        "(the local executor runs every batch in this process); add --executor process\n")
    assert not out.exists()


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A finished run of ``small_base`` (no plots) under a module-wide results root."""
    out = tmp_path_factory.mktemp("finished") / "results"
    return run(SMALL_BASE, out=out, progress=False, plots=False).path


def test_show_of_a_path_that_is_not_a_run_says_what_it_is(tmp_path, capsys, finished_run):
    """A scenario's folder or a file was "no finished run 'results/x' under results/"."""
    folder = finished_run.parent
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main(["show", str(folder)]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: {folder} is a directory but not a run (it has no manifest.json); "
        f"it holds 1 run(s), e.g. {finished_run}\n")
    assert main(["show", str(afile)]) == 2
    assert capsys.readouterr().err.startswith(f"scosim: error: {afile} is a file, not a run")


def test_show_by_name_still_works_where_a_folder_has_that_name(capsys, finished_run,
                                                              monkeypatch):
    monkeypatch.chdir(finished_run.parent.parent)  # ./small_base is the scenario's folder
    assert main(["show", "small_base", "--out", "."]) == 0
    assert f"run: {Path('small_base') / finished_run.name}" in capsys.readouterr().out


def test_list_of_a_file_is_an_error_not_an_empty_list(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main(["list", "--out", str(afile)]) == 2
    assert capsys.readouterr().err == (
        f"scosim: error: --out {afile} is a file, not a results directory\n")


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_hindcast_dir_that_is_not_a_directory_is_named(tmp_path, capsys, kind):
    """``--dir nodir`` was reported as "nodir/ftz_2004.yaml: file not found"."""
    path = tmp_path / "records"
    if kind == "file":
        path.write_text("")
    out = tmp_path / "hindcast"
    assert main(["hindcast", "--dir", str(path), "--out", str(out)]) == 2
    what = "is a file" if kind == "file" else "does not exist"
    assert capsys.readouterr().err == (
        f"scosim: error: --dir {path} {what}; give the directory of the hindcast scenarios "
        "(default: the shipped scenarios' hindcasts/)\n")
    assert not out.exists()


@pytest.mark.parametrize(("where", "value", "message"), [
    ("proposals[0].type", "custom_union",
     "unknown type 'custom_union' (did you mean 'customs_union'?); allowed types: accession"),
    ("proposals[0].type", "null", "expected a type name, got nothing (null); allowed types: "),
    ("events[0].type", "sanction",
     "unknown type 'sanction' (did you mean 'sanctions'?); allowed types: border_clash"),
    ("events[0].type", "3", "expected a type name, got number 3; allowed types: border_clash"),
])
def test_a_misspelt_or_missing_type_name_gets_a_did_you_mean(tmp_path, capsys, where, value,
                                                             message):
    """``type: null`` was "unknown type 'None'", and a misspelt type had no did-you-mean
    (misspelt keys and values everywhere else have one)."""
    path = tmp_path / "typed.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: typed\n"
                    "proposals: [{type: customs_union, id: cu, year: 2026, proposer: KAZ}]\n"
                    "events: [{type: gdp_shock, year: 2026, countries: [KAZ], size: -0.1}]\n")
    assert main(["validate", str(path), "--set", f"{where}={value}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: <override>:1: {where}: {message}"), err


# ------------------------------------------------------------------ indicators a run never records

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize(("scenario", "overrides"), [
    ("customs_union.yaml", {}),
    # no trade slot (a union would be refused without it: needs_slot)
    ("baseline.yaml", {"parameters.mechanisms.trade": None}),
    ("finance_crisis_union.yaml", {"years.end": 2026}),
    ("afghan_corridor_rats.yaml", {}),
    # the security slot without the network: no route cost to Pakistan (it was listed)
    ("afghan_instability.yaml", {}),
])
def test_recorded_indicators_are_what_a_run_records(scenario, overrides):
    """The check below is only as good as this: its set against a real model's records."""
    from scosim.runner import run_model
    from scosim.scenario import load_scenario
    from scosim.scenario.blocks import recorded_indicators

    sc = load_scenario(SCENARIOS / scenario, overrides={"replications": 1, **overrides})
    assert recorded_indicators(sc) == set(run_model(sc).records)


def test_an_indicator_the_scenario_never_records_is_refused_at_validation(tmp_path, capsys):
    """``outputs.indicators: [bank_failures]`` without the finance slot was valid; every
    batch of the run then failed ("no indicator selected", exit 1), and with another
    name beside it the run silently lacked it."""
    path = tmp_path / "ind.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: ind\n"
                    "outputs: {indicators: [gdp_usd, bank_failures, corridor_operating]}\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"scosim: error: {path}:3: outputs.indicators[1]: 'bank_failures' is not recorded in "
        "this scenario: it comes from mechanism banking_systems (slot finance), which the "
        "scenario does not use",
        f"{path}:3: outputs.indicators[2]: 'corridor_operating' is not recorded in this "
        "scenario: it comes from proposal type corridor, which the scenario does not use",
    ]


def test_a_number_yaml_reads_as_text_gets_a_hint(tmp_path, capsys):
    """``1e9`` is text to YAML 1.1 (PyYAML): the message was "expected a number, got
    string '1e9'", nonsense to a reader who wrote a number."""
    path = tmp_path / "exp.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: exp\nparameters: {{trade: {{sigma: 4e0}}}}\n")
    assert main(["validate", str(path), "--set", "seed=1e3",
                 "--set", "parameters.council.vote_noise=2.5e3"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"scosim: error: {path}:3: parameters.trade.sigma: expected a number, got string '4e0' "
        "(YAML reads 4e0 as text: an exponent needs a dot and a sign, e.g. 4.0e+0)",
        "<override>:1: seed: expected an integer, got string '1e3' (YAML reads 1e3 as text: "
        "write 1000)",
        "<override>:2: parameters.council.vote_noise: expected a number, got string '2.5e3' "
        "(YAML reads 2.5e3 as text: an exponent needs a dot and a sign, e.g. 2.5e+3)",
    ]


@pytest.mark.parametrize(("where", "what"), [("proposals[0].type", "proposal type"),
                                             ("parameters.mechanisms.trade", "mechanism")])
def test_no_import_never_imports_a_dotted_type_or_mechanism(tmp_path, capsys, monkeypatch,
                                                            where, what):
    """``validate --no-import`` promises not to run a scenario's code; a proposal type or
    mechanism named by dotted path was imported (its module's code ran) to be checked."""
    (tmp_path / "audit_noimport_mod.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('RAN').write_text('ran')\n"
        "class T:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: s\n"
                    "proposals: [{type: customs_union, id: cu, year: 2026, proposer: KAZ}]\n")
    code = main(["validate", "--no-import", str(path), "--set",
                 f"{where}=audit_noimport_mod:T"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert not (tmp_path / "RAN").exists()
    assert (f"{what} 'audit_noimport_mod:T' is a dotted path: checking it imports module "
            "'audit_noimport_mod', which runs its code, and --no-import does not") in err


def test_network_settings_no_simulated_year_reaches_are_errors(tmp_path, capsys):
    """A closure after the last simulated year, a sanction that ended before the first,
    an instability key after the last: accepted, and they changed nothing (an event in
    such a year is an error). One in force since before the first year is kept."""
    path = tmp_path / "net.yaml"
    path.write_text(
        f"extends: {SMALL_BASE}\nname: net\nparameters:\n  network:\n"
        "    closures: [{edge: E201, year: 2030}]\n"
        "    sanctions: [{target: RUS, year: 2020, until: 2022}, {target: IRN, year: 2020}]\n"
        "    instability: {AFG: {2020: 0.5, 2031: 0.2}}\n"
        "  mechanisms: {network: corridor_network}\n")
    assert main(["validate", str(path)]) == 2
    span = "the simulated years 2025-2028, so it would change nothing"
    assert capsys.readouterr().err.splitlines() == [
        f"scosim: error: {path}:5: parameters.network.closures[0].year: year 2030 is after "
        + span,
        f"{path}:6: parameters.network.sanctions[0].until: until 2022 is before " + span,
        f"{path}:7: parameters.network.instability.AFG[2031]: year 2031 is after " + span,
    ]


def test_a_key_overriding_a_merge_key_is_not_a_duplicate(tmp_path, capsys):
    """docs/scenarios.md: "anchors/aliases and `<<` merge keys work". Overriding a merged
    key, what merge keys are for, was refused as a duplicate key; the values must be
    those PyYAML's own constructor gives, and a key written twice is still an error."""
    import yaml

    from scosim.scenario.loader import _compose

    text = ("a: &a {econ: 1.0, trust: 0.001, security: 0.1}\n"
            "b: &b {trust: 0.004, dominance: 0.3}\n"
            "w:\n  <<: [*b, *a]\n  security: 0.2\n")
    doc, errors = _compose(text, "m.yaml")
    assert errors == []
    assert doc.data == yaml.safe_load(text)
    assert doc.data["w"]["security"] == 0.2  # the written key wins over the anchors'
    assert doc.origins[("w", "security")] == ("m.yaml", 5)

    path = tmp_path / "merge.yaml"
    path.write_text(f"extends: {SMALL_BASE}\nname: merge\nparameters:\n"
                    "  weights: &w {econ: 1.0, trust: 0.001}\n"
                    "countries:\n  CHN:\n    weights:\n      <<: *w\n      trust: -1\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (f"scosim: error: {path}:9: countries.CHN.weights.trust: "
                                       "-1 is out of range: must be >= 0.0\n")
    path.write_text(path.read_text().replace("trust: -1\n", "trust: 0.002\n      trust: 0.003\n"))
    assert main(["validate", str(path)]) == 2
    assert "duplicate key 'trust' (first written at line 9)" in capsys.readouterr().err


def test_a_damaged_manifest_is_named_and_listed_and_an_interrupted_run_said_so(
        tmp_path, capsys, finished_run):
    """A manifest that is not JSON gave "Expecting property name ..." naming no file, and
    scosim list dropped the run without a word; show of an interrupted run (a partial
    directory) said "status 'running'" where list says "interrupted"."""
    import json
    import shutil

    root = tmp_path / "results"
    damaged = root / "small_base" / "damaged"
    shutil.copytree(finished_run, damaged)
    (damaged / "manifest.json").write_text('{"scenario": "small_base", ')
    assert main(["show", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scosim: error: {damaged / 'manifest.json'} is damaged: not JSON")
    assert main(["list", "--out", str(root)]) == 0
    out = capsys.readouterr().out
    assert "damaged" in out and "manifest" in out
    partial = root / "small_base" / f"{PARTIAL_PREFIX}interrupted"
    shutil.copytree(finished_run, partial)
    m = json.loads((partial / "manifest.json").read_text())
    (partial / "manifest.json").write_text(json.dumps({**m, "status": "running"}))
    assert main(["show", str(partial)]) == 2
    assert "is not complete: the run was interrupted, and the command that started it " \
        "resumes it" in capsys.readouterr().err


def test_proposals_whose_slot_is_empty_or_with_one_participant_are_refused(tmp_path):
    """A banking union or a RATS upgrade with its mechanism slot empty was voted on and
    changed nothing; a settlement 'between' Russia alone was adopted (a corridor without
    its slot was already refused)."""
    from scosim.scenario import ScenarioError, load_scenario

    head = "name: s\nyears: {start: 2025, end: 2030}\n"
    props = ("proposals:\n"
             "  - {type: banking_union, id: bu, year: 2026, proposer: CHN, supervision: {}}\n"
             "  - {type: rats_upgrade, id: r, year: 2026, proposer: CHN%s}\n"
             "  - {type: national_currency_settlement, id: n, year: 2026, proposer: RUS,"
             " participants: [RUS]}\n")
    (tmp_path / "s.yaml").write_text(head + props % "")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    said = {(e.path, e.line): e.message for e in info.value.errors}
    assert set(said) == {("proposals[0].type", 4), ("proposals[1].type", 5),
                         ("proposals[2].type", 6), ("proposals[2].participants", 6)}
    assert said[("proposals[0].type", 4)].endswith(
        "parameters.mechanisms: {finance: banking_systems}")
    assert said[("proposals[1].type", 5)].startswith("a RATS upgrade needs the security slot")
    assert said[("proposals[2].participants", 6)] == (
        "a national-currency settlement needs at least 2 participants, got ['RUS']")
    # with the slots filled, only the lone settlement is wrong (an upgrade without new
    # units still pools intelligence: units: [] is allowed, tests/test_security_model.py)
    slots = "parameters:\n  mechanisms: {security: security, finance: banking_systems}\n"
    (tmp_path / "s.yaml").write_text(head + slots + props % ", units: []")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    assert [e.path for e in info.value.errors] == ["proposals[2].participants"]
    (tmp_path / "s.yaml").write_text(head + slots + (props % "").replace("[RUS]", "[RUS, CHN]"))
    assert [p.type for p in load_scenario(tmp_path / "s.yaml").proposals] == [
        "banking_union", "rats_upgrade", "national_currency_settlement"]


@pytest.mark.parametrize(("trade", "said"), [
    ("{sigma: 1000}", "parameters.trade.sigma: 1000 is out of range: must be <= 50"),
    ("{sigma: 49.5, sigma_spread: 1}", "sigma + sigma_spread = 50.5 must stay <= 50"),
])
def test_an_elasticity_the_solver_cannot_take_is_refused_at_validation(tmp_path, capsys,
                                                                        trade, said):
    """sigma: 1000 passed validation (also the quick check without pydantic) and failed
    every batch, the GE solve not converging, with exit status 1. The cap, 50, is ten
    times the literature's median trade elasticity."""
    scen = tmp_path / "s.yaml"
    scen.write_text(f"name: s\nyears: {{start: 2025, end: 2027}}\nparameters:\n  trade: {trade}\n")
    assert main(["validate", str(scen)]) == 2
    assert said in capsys.readouterr().err
    scen.write_text("name: s\nyears: {start: 2025, end: 2027}\nparameters:\n  trade: {sigma: 50}\n")
    assert main(["validate", str(scen)]) == 0


@pytest.mark.parametrize(("start", "said"), [
    (2024, "2024 is before the proposal is tabled: construction starts from 2026"),
    (2040, "2040 is after the last simulated year: construction starts from 2026 (the "
           "proposal's year) to 2035"),
])
def test_a_corridor_start_outside_what_the_run_can_hold_is_refused(tmp_path, capsys, start,
                                                                   said):
    """A start before the vote made the project operate years early; one after the
    horizon was accepted and changed nothing."""
    repo = Path(__file__).resolve().parents[1]
    scen = tmp_path / "c.yaml"
    scen.write_text(f"extends: {repo / 'scenarios' / 'corridor_cku.yaml'}\nname: c\n"
                    "proposals:\n  - {type: corridor, id: cku, year: 2026, proposer: KGZ, "
                    f"project: CKU_RAIL, start_year: {start}}}\n")
    assert main(["validate", str(scen)]) == 2
    assert said in capsys.readouterr().err
    scen.write_text(scen.read_text().replace(f"start_year: {start}", "start_year: 2026"))
    assert main(["validate", str(scen)]) == 0


@pytest.mark.parametrize(("field", "path", "said"), [
    ("participants: [KGZ, UZZ]", "proposals[0].participants[1]", "unknown country code 'UZZ'"),
    ("participants: KGZ", "proposals[0].participants",
     "'KGZ' is not a list: expected 'interested' or a list of country codes"),
    ("host_shares: {KGZ: 0.5, UZB: 0.6}", "proposals[0].host_shares", "shares must sum to 1"),
])
def test_corridor_field_errors_are_one_each_at_the_field(tmp_path, field, path, said):
    """A bad corridor participant gave two errors at pydantic's union branches
    (participants.literal['interested'], participants.list[str]); a host-share error
    pointed at the whole proposal."""
    from scosim.scenario import ScenarioError, load_scenario

    repo = Path(__file__).resolve().parents[1]
    scen = tmp_path / "c.yaml"
    scen.write_text(f"extends: {repo / 'scenarios' / 'corridor_cku.yaml'}\nname: c\n"
                    "proposals:\n  - {type: corridor, id: cku, year: 2026, proposer: KGZ, "
                    f"project: CKU_RAIL, {field}}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(scen)
    (item,) = info.value.errors
    assert (item.path, item.line) == (path, 4) and said in item.message, item


def test_an_indicator_a_used_mechanism_leaves_out_is_refused_at_validation(tmp_path, capsys):
    """The security mechanism records its route cost to Pakistan only with the network
    slot filled: asked for without it, the name was valid and the run lacked it."""
    path = tmp_path / "route.yaml"
    path.write_text(f"extends: {SCENARIOS / 'afghan_instability.yaml'}\nname: route\n"
                    "outputs: {indicators: [gdp_usd, route_cost_to_pakistan_pct]}\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"scosim: error: {path}:3: outputs.indicators[1]: 'route_cost_to_pakistan_pct' is "
        "not recorded in this scenario: mechanism security records it only in some "
        "scenarios; it declares it as: generalised cost of shipping to Pakistan, percent of "
        "cargo value (recorded when the network slot is filled)",
    ]
