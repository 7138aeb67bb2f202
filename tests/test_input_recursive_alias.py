"""A YAML alias inside its own anchor is a scenario error, not a RecursionError.

``parameters: &a {trade: *a}`` composes to a mapping that contains itself; the loader
walked it until Python's stack ran out and the CLI printed a traceback (exit 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scosim.cli import main
from scosim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

# body after "extends/name" -> (line, path, substrings of the message)
CASES: dict[str, tuple[str, int, str, tuple[str, ...]]] = {
    "mapping": ("parameters: &a {trade: *a}\n", 3, "parameters.trade", (
        "recursive YAML alias '*a'", "'&a' at line 3")),
    "proposal_list": (
        "proposals: &p\n  - {id: x, type: customs_union, participants: *p}\n",
        4, "proposals[0].participants", ("recursive YAML alias '*p'", "'&p' at line 3")),
    "list_in_itself": ("x: &p [*p]\n", 3, "x[0]", ("recursive YAML alias '*p'",)),
    # No alias names the value: the '<<' merge copies the anchor's keys into b.
    "merge": ("x: &a\n  b: {<<: *a}\n", 4, "x.b.b", (
        "recursive YAML value", "contains itself", "'<<' merge")),
}


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "baseline.yaml").write_text(BASELINE.read_text())
    path = tmp_path / "anchor.yaml"
    path.write_text("extends: baseline.yaml\nname: anchor\n" + body)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_recursive_alias_is_a_located_error(tmp_path: Path, case: str) -> None:
    body, line, loc, substrings = CASES[case]
    path = _write(tmp_path, body)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    item = next(e for e in info.value.errors if e.path == loc)
    assert (item.file, item.line) == (str(path), line), str(info.value)
    for s in substrings:
        assert s in item.message, item.message


@pytest.mark.parametrize("argv", [
    ["validate"], ["validate", "--no-import"], ["run", "--quiet", "--replications", "1"],
])
def test_recursive_alias_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = _write(tmp_path, CASES["mapping"][0])
    out = tmp_path / "results"
    extra = ["--out", str(out)] if argv[0] == "run" else []
    code = main([*argv, str(path), *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "RecursionError" not in err
    assert f"{path}:3: parameters.trade: recursive YAML alias '*a'" in err
    assert not out.exists() or not any(out.rglob("*"))


# A key that contains itself (or the mapping it keys) was built by PyYAML's constructor,
# which raised "found unconstructable recursive node": a '<syntax>' error that named no
# anchor. body -> (line, path, the anchor's line)
KEY_CASES: dict[str, tuple[str, int, str, int]] = {
    "list_key": ("? &a [*a]\n: 1\n", 3, "<root>", 3),
    "mapping_key": ("x:\n  ? &a {b: *a}\n  : 1\n", 4, "x", 4),
    "key_is_its_mapping": ("x: &a {? *a : 1}\n", 3, "x", 3),
    "key_holds_its_mapping": ("x: &a\n  ? [1, *a]\n  : 1\n", 4, "x", 3),
}


@pytest.mark.parametrize("case", sorted(KEY_CASES))
def test_recursive_key_gets_the_project_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    body, line, loc, anchor_line = KEY_CASES[case]
    path = _write(tmp_path, body)
    code = main(["validate", "--no-import", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "unconstructable" not in err, err
    assert (
        f"{path}:{line}: {loc}: recursive YAML alias '*a' in a mapping key (an anchor "
        f"cannot contain itself: '&a' at line {anchor_line} encloses it); a mapping key "
        "must be a plain value (a name or a number)"
    ) in err, err


def test_plain_list_key_is_still_refused_as_not_plain(tmp_path: Path) -> None:
    # The cycle check must not take a repeated, non-recursive alias for a cycle.
    path = _write(tmp_path, "y: &b [1]\n? [*b, *b]\n: 1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    messages = [e.message for e in info.value.errors]
    assert any("mapping key must be a plain value, got list" in m for m in messages), messages
    assert not any("recursive" in m for m in messages), messages
