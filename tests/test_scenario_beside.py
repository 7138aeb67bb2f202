"""The scenario's cross-field checks are reported beside field errors, each at its place.

Pydantic skips ``Scenario._cross_checks`` once any field failed, so these problems were
said only after every field was fixed (one more round of fixes). Each test pairs an
unrelated field error with one cross-field problem and wants both, at their own lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).parents[1]
CUSTOMS_UNION = ROOT / "scenarios" / "customs_union.yaml"
SEED = "-1 is out of range: must be >= 0 (allowed: 0 <= seed < 1.84467e+19)"
SPAN = "2025-2035"


def _errors(path: Path, overrides: dict[str, object] | None = None) -> set[tuple[object, ...]]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    items = info.value.errors
    assert len(items) == len(set(items)), str(info.value)  # each problem once
    return {(e.file, e.line, e.path, e.message) for e in items}


def _write(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return path, str(path)


def test_year_indexed_parameters_outside_the_years(tmp_path: Path) -> None:
    path, f = _write(tmp_path, (
        "name: x\n"
        "seed: -1\n"
        "parameters:\n"
        "  security:\n"
        "    instability: {2025: 1.0, 2040: 2.0}\n"
        "  growth:\n"
        "    volatility_scale: {2027: 1.0}\n"
        "  mechanisms: {security: security}\n"))
    assert _errors(path) == {
        (f, 2, "seed", SEED),
        (f, 5, "parameters.security.instability[2040]",
         f"year 2040 is outside the simulated years {SPAN}"),
        (f, 7, "parameters.growth.volatility_scale[2027]",
         "first year 2027 is after years.start 2025; a year-indexed parameter must give a "
         "value for the first year"),
    }


def test_phase_in_outside_the_years_at_the_override_that_cut_it_off() -> None:
    """--set years.end=2028 leaves out the union's 2029 phase-in step: said at the override,
    beside the seed's error (before: the seed's alone)."""
    got = _errors(CUSTOMS_UNION, {"years.end": 2028, "seed": -1})
    assert got == {
        ("<override>", 2, "seed", SEED),
        ("<override>", 1, "years.end", "end 2028 leaves out the phase-in year 2029 of proposal "
         "'sco_cu'; the simulated years 2025-2028 must include it"),
    }
    got = _errors(CUSTOMS_UNION, {"seed": -1, "proposals.0.phase_in": {2027: 0.5, 2040: 1.0}})
    assert got == {
        ("<override>", 1, "seed", SEED),
        ("<override>", 2, "proposals[0].phase_in[2040]",
         f"phase-in year 2040 is outside the simulated years {SPAN}"),
    }


def test_network_settings_no_year_reaches(tmp_path: Path) -> None:
    path, f = _write(tmp_path, (
        "name: x\n"
        "seed: -1\n"
        "parameters:\n"
        "  network:\n"
        "    closures: [{edge: E201, year: 2040}]\n"
        "    instability: {AFG: {2025: 0.5, 2041: 0.2}}\n"
        "  mechanisms: {network: corridor_network}\n"))
    assert _errors(path) == {
        (f, 2, "seed", SEED),
        (f, 5, "parameters.network.closures[0].year",
         f"year 2040 is after the simulated years {SPAN}, so it would change nothing"),
        (f, 6, "parameters.network.instability.AFG[2041]",
         f"year 2041 is after the simulated years {SPAN}, so it would change nothing"),
    }


def test_chair_order_beside_an_error_in_the_same_block(tmp_path: Path) -> None:
    """The council's other field failed; its chair order is still checked (built from the
    block's fields that validate alone)."""
    path, f = _write(tmp_path, (
        "name: x\n"
        "parameters:\n"
        "  council:\n"
        "    trust_gain: 5\n"
        "    chair_order: [CHN, RUS, IND, PAK, IRN, KAZ, KGZ, TJK, UZB, AFG]\n"))
    assert _errors(path) == {
        (f, 4, "parameters.council.trust_gain",
         "5 is out of range: must be <= 1.0 (allowed: 0 <= trust_gain <= 1)"),
        (f, 5, "parameters.council.chair_order[9]",
         "AFG is not a member (status 'observer'); the chair rotates among members"),
        (f, 5, "parameters.council.chair_order", "every member must appear once; missing BLR"),
    }


def test_row_status_duplicate_ids_and_type_checks(tmp_path: Path) -> None:
    path, f = _write(tmp_path, (
        "name: x\n"
        "seed: -1\n"
        "countries:\n"
        "  ROW: {status: member}\n"
        "proposals:\n"
        "  - {type: accession, id: a, year: 2026, applicant: RUS}\n"
        "  - {type: declaration, id: a, year: 2026, participants: [CHN]}\n"))
    assert _errors(path) == {
        (f, 2, "seed", SEED),
        (f, 4, "countries.ROW.status", "ROW (Rest of World) has no status; remove this key"),
        (f, 6, "proposals[0].applicant", "RUS is already a member; the applicant must be an "
         "observer, partner or other economy"),
        (f, 7, "proposals[1].id",
         "duplicate proposal id 'a' (also proposals[0].id); ids must be unique"),
        (f, 7, "proposals[1].participants",
         "a declaration needs at least 2 participants, got ['CHN']"),
    }


def test_indicators_not_recorded(tmp_path: Path) -> None:
    path, f = _write(tmp_path, (
        "name: x\n"
        "seed: -1\n"
        "outputs: {indicators: [gdp_usd, corridor_operating]}\n"))
    got = _errors(path)
    assert (f, 2, "seed", SEED) in got
    (other,) = got - {(f, 2, "seed", SEED)}
    assert other[:3] == (f, 3, "outputs.indicators[1]"), got
    assert other[3].startswith("'corridor_operating' is not recorded in this scenario"), got


def test_a_check_whose_input_failed_is_skipped(tmp_path: Path) -> None:
    """Statuses come from countries, which failed (an unknown code might be a member's):
    the chair order is not judged. A misspelt key stands beside a default that may not be
    meant: the mechanisms are unknown, so a corridor's slot is not judged either; a rate out
    of range is not checked for its years."""
    path, f = _write(tmp_path, (
        "name: x\n"
        "countries: {XXX: {status: member}}\n"
        "parameters:\n"
        "  mechanism: {network: corridor_network}\n"
        "  council: {chair_order: [CHN]}\n"
        "  growth: {rate: {2025: 3, 2040: 0.02}}\n"
        "proposals:\n"
        "  - {type: corridor, id: c, year: 2026, proposer: IND, project: INSTC_CHABAHAR}\n"))
    got = _errors(path)
    assert {p for _, _, p, _ in got} == {
        "countries.XXX", "parameters.mechanism", "parameters.growth.rate"}, got


def test_only_cross_field_problems_are_said_once(tmp_path: Path) -> None:
    """Every field valid: the schema's own after-validator says them; nothing is added."""
    path, f = _write(tmp_path, (
        "name: x\n"
        "parameters:\n"
        "  security: {instability: {2025: 1.0, 2040: 2.0}}\n"
        "  council: {chair_order: [CHN]}\n"
        "  mechanisms: {security: security}\n"))
    got = _errors(path)
    assert len(got) == 2 and {p for _, _, p, _ in got} == {
        "parameters.security.instability[2040]", "parameters.council.chair_order"}, got


BROKEN = """\
name: Not A Slug
years: {start: 2030, end: 2020}
seed: -1
countries: {ROW: {status: member}, KAZ: 5, XXX: {}}
parameters:
  trade: 7
  growth: {rate: {x: 1, 2040: "a"}, volatility_scale: {2050: 1}}
  security: {instability: {2040: 1}, opiate_supply: [1, 2]}
  council: {chair_order: [CHN, CHN, AFG], decision_rule: 3}
  mechanisms: {network: nope, finance: null}
  network: {closures: [{edge: E201, year: x}], instability: {AFG: {3000: 0.5}}, sanctions: 4}
  finance: {kernel: 1}
  mechanism_settings: {nope: {a: 1}}
  rules: {vote: 5, defect: nonsense}
proposals:
  - {type: customs_union, id: cu, year: 2099, proposer: CHN, phase_in: {2040: 2}}
  - {type: corridor, id: cu, year: 2026, proposer: IND, project: NOPE}
  - {type: accession, id: a, applicant: RUS}
  - 7
  - {type: null}
events: [{type: trust_shock, year: 1900, countries: [CHN], size: 3}, {year: 2040}]
outputs: {indicators: [corridor_operating, corridor_operating]}
"""


def test_several_broken_inputs_do_not_crash_validate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scosim.cli import main

    path, f = _write(tmp_path, BROKEN)
    code = main(["validate", f])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    lines = err.removeprefix("scosim: error: ").splitlines()
    assert len(lines) > 20 and all(line.startswith(f"{f}:") for line in lines), err
    assert len(lines) == len(set(lines)), err


def test_the_valid_parts_of_a_broken_document_are_still_checked(tmp_path: Path) -> None:
    """Half the document broken; the other half's cross-field problems are still said."""
    path, f = _write(tmp_path, BROKEN.replace("years: {start: 2030, end: 2020}\n", ""))
    got = {p for _, _, p, _ in _errors(path)}
    # its other field failed (opiate_supply), and the network block (a mapping checked
    # whole) is not judged: its closures failed
    assert "parameters.security.instability[2040]" in got, got
    assert "parameters.network.instability.AFG[3000]" not in got, got
