"""tools/hindcast_refit.py refuses a bad grid value with one line naming the flag, exit 2.

Until 2026-12-07 ``--dominance abc`` ended in a ValueError traceback and ``--dominance -1``
in a ScenarioError traceback mid-run, as did the older ``--trust``, ``--noise`` and
``--depth`` (an outside review, 2026-12-07).
"""

from __future__ import annotations

from types import ModuleType

import pytest

from _tools import load_tool


def _tool() -> ModuleType:
    return load_tool("hindcast_refit", register=True)


@pytest.mark.parametrize(("argv", "flag", "allowed"), [
    (["--dominance", "abc"], "--dominance", "numbers >= 0, or 'default'"),
    (["--dominance", "-1"], "--dominance", "numbers >= 0, or 'default'"),
    (["--trust", "0.0005,x"], "--trust", "numbers >= 0"),
    (["--noise", "nan"], "--noise", "numbers >= 0"),
    (["--sovereignty", "-0.1"], "--sovereignty", "numbers >= 0, or 'same'"),
    (["--depth", "0.2,1.5"], "--depth", "numbers in [0, 1], or 'default'"),
    (["--replications", "0"], "--replications", "a whole number >= 1"),
])
def test_a_bad_grid_value_is_refused_naming_the_flag(argv: list[str], flag: str,
                                                     allowed: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _tool().main(argv)  # refused before any hindcast runs
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert not any("Traceback" in x for x in err)
    assert f"argument {flag}:" in err[-1] and "allowed: " in err[-1] and allowed in err[-1]


def test_good_values_and_keywords_parse_to_the_grid() -> None:
    args = _tool().parse_args(["--dominance", "0,0.25,2", "--depth", "0.15,0.3",
                               "--trust", "0.0001,0.0005"])
    assert args.dominance == [0.0, 0.25, 2.0] and args.depth == [0.15, 0.3]
    assert args.trust == [0.0001, 0.0005] and args.noise == [0.1]
    assert args.sovereignty is None and args.replications == 4  # 'same', the default
    assert _tool().parse_args([]).dominance is None  # 'default': the scenarios' own
