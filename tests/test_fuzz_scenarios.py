"""Fuzzing `scosim validate` with generated scenario documents (hypothesis).

Valid documents must be accepted. Mutated ones (a value replaced by junk, a key
dropped or misspelt, YAML text corrupted, aliases added) must be either
accepted or refused with exit status 2 and one ``file:line: path: message``
per problem: never a traceback. Time and memory stay bounded because the
loader caps alias expansion and nesting before building anything; the number
of examples is kept modest so the suite stays fast.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scosim.cli import main
from scosim.data.constants import MEMBERS
from scosim.scenario.schema import INDICATOR_NAMES

FUZZ = settings(
    max_examples=60,
    deadline=None,  # no wall-clock assertion (shared machines); the loader bounds the work
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["CHN", "ROW", "XKZ", "all", "members", "2030", "math:sqrt", "-1", ""]),
)


@st.composite
def valid_documents(draw: Any) -> dict[str, Any]:
    start = draw(st.integers(2020, 2040))
    end = start + draw(st.integers(0, 12))
    doc: dict[str, Any] = {
        "name": draw(st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)),
        "years": {"start": start, "end": end},
        "seed": draw(st.integers(0, 2**31)),
        "replications": draw(st.integers(1, 500)),
        "parameters": {
            "trade": {"sigma": draw(st.floats(1.5, 10)),
                      "deficits": draw(st.sampled_from(["level", "ratio"]))},
            "council": {
                "decision_rule": draw(st.sampled_from(
                    ["consensus", "qualified_majority", "variable_geometry"])),
                "vote_noise": draw(st.floats(0, 0.1)),
                "defection_years": draw(st.integers(1, 5)),
            },
            "weights": {"econ": draw(st.floats(0, 2)), "trust": draw(st.floats(0, 0.01))},
            "growth": {"volatility_scale": draw(st.floats(0, 2))},
            "rules": {"vote": draw(st.sampled_from(
                ["utility_vote", "gains_only", "no_dominant_partner",
                 "scosim.rules.builtin:always_yes"]))},
        },
        "outputs": {
            "indicators": draw(st.one_of(st.just("all"), st.lists(
                st.sampled_from(INDICATOR_NAMES), min_size=1, max_size=4, unique=True))),
            "plots": draw(st.booleans()),
            "bilateral": draw(st.booleans()),
        },
    }
    if draw(st.booleans()):
        doc["proposals"] = [{
            "type": "customs_union",
            "id": "cu",
            "year": draw(st.integers(start, end)),
            "proposer": draw(st.sampled_from(MEMBERS)),
            "cet": draw(st.sampled_from(["mean", "weighted_mean", "min", "max", 0.05])),
            "revenue_sharing": draw(st.sampled_from(["collected", "gdp", "imports"])),
        }]
    if draw(st.booleans()):
        doc["countries"] = {draw(st.sampled_from(MEMBERS)): {
            "weights": {"sovereignty": draw(st.floats(0, 0.01))}}}
    return doc


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_documents(draw: Any) -> str:
    doc = draw(valid_documents())
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        kind = draw(st.sampled_from(["junk", "drop", "misspell", "extra"]))
        if kind == "junk":
            parent[path[-1]] = draw(JUNK)
        elif kind == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        elif kind == "misspell" and isinstance(parent, dict):
            parent[f"{path[-1]}x"] = parent.pop(path[-1])
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
    text = yaml.safe_dump(doc, sort_keys=False)
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["insert", "delete", "duplicate_line", "alias"]))
        pos = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:pos] + draw(st.sampled_from(list("[]{}:,&*!|>'\"#-\t%@`\n "))) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif kind == "duplicate_line":
            lines = text.splitlines(keepends=True)
            k = draw(st.integers(0, len(lines) - 1))
            text = "".join([*lines[: k + 1], lines[k], *lines[k + 1:]])
        else:
            text = "x: &x [1, 2, 3]\ny: [*x, *x, *x]\n" + text
    return text


def _validate(path: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", path])
    return code, err.getvalue()


@FUZZ
@given(doc=valid_documents())
def test_generated_valid_scenarios_are_accepted(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("fuzz") / "valid.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, err = _validate(str(path))
    assert code == 0, err


@FUZZ
@given(text=mutated_documents())
def test_mutated_scenarios_are_accepted_or_refused_with_file_and_line(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    code, err = _validate(str(path))  # a traceback would fail the test here
    if code == 0:
        return
    assert code == 2, err
    assert "Traceback" not in err
    where = re.compile(rf"^(scosim: error: )?{re.escape(str(path))}:\d+: .+: .+")
    lines = err.rstrip("\n").splitlines()
    assert lines and lines[0].startswith("scosim: error: "), err
    for line in lines:
        assert where.match(line), f"no file:line: path: message in {line!r}\n{text}"
