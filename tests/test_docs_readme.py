"""The README, CHANGELOG and docs/*.md against the code they describe, without running anything.

Every ``scosim`` command shown uses options its subcommand accepts (argument parsing
only), every ``python tools/...``, ``python benchmarks/...`` and ``python -m scosim...``
command names a script that exists and options it declares, every relative link reaches
a file and heading that exist, every scenario path named exists, every extra named in a
``pip install`` command is declared, every shipped scenario is described in
docs/scenarios.md, and that page lists every indicator the model records.
"""

from __future__ import annotations

import argparse
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from scosim.cli import build_parser
from scosim.scenario.schema import INDICATOR_NAMES

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _command_lines(text: str) -> list[str]:
    """Shell commands of fenced blocks (continuations joined) and of inline code spans."""
    lines = []
    for block in FENCE.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            lines.append(re.sub(r"\s#\s.*$", "", line))
    prose = FENCE.sub("", text).replace("\n", " ")
    lines += re.findall(r"`([^`]+)`", prose)
    commands = []
    for line in lines:
        for part in re.split(r"&&|;|\|", line):
            part = re.sub(r"^\s*(do|then)\s+", "", part.strip())
            part = re.sub(r"^([A-Z_]+=\S+\s+)+", "", part)  # VAR=value prefixes
            if part.startswith(("scosim ", "python ")):
                commands.append(part)
    return commands


def _documented(prefix: str) -> list[tuple[str, str]]:
    return [(p.relative_to(ROOT).as_posix(), c) for p in DOCS for c in _command_lines(_text(p))
            if c.startswith(prefix)]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings}


def _tokens(command: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError:  # an unclosed quote in a shortened example
        words = command.split()
    return [w.strip("[]") for w in words]


def test_documented_scosim_commands_use_options_the_cli_accepts():
    commands = _documented("scosim ")
    assert len(commands) > 50  # the extraction finds the README's tour and the docs' commands
    bad = []
    for where, command in commands:
        parser = build_parser()
        words = _tokens(command)[1:]
        # Descend through subcommands (``scosim data show``) while the words name one.
        while words and words[0] in _subparsers(parser):
            parser = _subparsers(parser)[words.pop(0)]
        known = _options(parser)
        for word in words:
            option = word.split("=", 1)[0]
            if option.startswith("--") and option not in known:
                bad.append(f"{where}: `{command}`: {option} is not an option of "
                           f"`{parser.prog}` ({', '.join(sorted(known))})")
    assert not bad, "\n".join(bad)


def _script(command: str) -> Path | None:
    words = _tokens(command)[1:]
    if words[:1] == ["-m"] and len(words) > 1 and words[1].startswith("scosim."):
        base = ROOT / "src" / Path(*words[1].split("."))
        return base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__main__.py"
    if words and re.fullmatch(r"(tools|benchmarks)/[\w/]+\.py", words[0]):
        return ROOT / words[0]
    return None


def test_documented_python_scripts_exist_and_declare_their_options():
    bad = []
    for where, command in _documented("python "):
        script = _script(command)
        if script is None:
            continue
        if not script.is_file():
            bad.append(f"{where}: `{command}`: no file {script.relative_to(ROOT)}")
            continue
        source = _text(script)
        if "add_argument" not in source:  # its options are parsed elsewhere (a thin wrapper)
            continue
        words = _tokens(command)
        if "--" in words:  # what follows a bare -- is the wrapped command's, not the script's
            words = words[:words.index("--")]
        for word in words:
            option = word.split("=", 1)[0]
            if option.startswith("--") and f'"{option}"' not in source:
                bad.append(f"{where}: `{command}`: {script.relative_to(ROOT)} declares no "
                           f"{option}")
    assert not bad, "\n".join(bad)


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return _anchors_of(_text(path))


def _anchors_of(text: str) -> set[str]:
    """Every heading's anchor; GitHub numbers a repeated one ``-1``, ``-2``, ... in order."""
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#+\s+(.*)$", FENCE.sub("", text), re.M):
        slug = _slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(f"{slug}-{n}" if n else slug)
    return anchors


def test_anchors_number_repeated_headings_as_github_does():
    # docs/data.md has two "Version 2019" headings: the second is reached as #version-2019-1.
    text = "# Data\n## Version 2019\ntext\n## Version 2019\n```\n# not a heading\n```\n"
    assert _anchors_of(text) == {"data", "version-2019", "version-2019-1"}


def test_relative_links_reach_files_and_headings_that_exist():
    bad = []
    for path in DOCS:
        prose = FENCE.sub("", _text(path))
        prose = re.sub(r"`[^`\n]*`", "", prose)
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            file, _, anchor = target.partition("#")
            dest = (path.parent / file).resolve() if file else path
            where = path.relative_to(ROOT).as_posix()
            if not dest.exists():
                bad.append(f"{where}: link to a missing file: {target}")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                bad.append(f"{where}: link to a missing heading: {target}")
    assert not bad, "\n".join(bad)


def test_scenario_files_named_in_the_docs_exist():
    bad = []
    for path in DOCS:
        text = _text(path)
        # Scenarios a page asks the reader to save (docs/rules.md's worked example) are
        # written by the page's own test, and ``scenarios/x.yaml`` is an error message's.
        examples = {f"scenarios/{n}" for n in re.findall(r"docs-test: scenario (\S+)", text)}
        for name in set(re.findall(r"\bscenarios/[\w/]+\.yaml", text)) - examples:
            if not (ROOT / name).is_file() and name != "scenarios/x.yaml":
                bad.append(f"{path.relative_to(ROOT).as_posix()}: {name} does not exist")
    assert not bad, "\n".join(bad)


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, f"docs/scenarios.md has no section '## {heading}'"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
def test_every_shipped_scenario_is_described_in_scenarios_md(name):
    table = _section(_text(ROOT / "docs" / "scenarios.md"), "Shipped scenarios")
    rows = [line for line in table.splitlines() if line.startswith(f"| `{name}`")
            or re.match(rf"\| [^|]*`{re.escape(name)}`", line)]
    assert rows, f"docs/scenarios.md, 'Shipped scenarios', has no row for {name}"
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert len(cells) == 3 and all(cells), f"{name}: a row needs what it is for and what it prints"


def test_scenarios_md_lists_every_indicator_the_model_records():
    text = _text(ROOT / "docs" / "scenarios.md")
    start = text.index("Indicator names")
    paragraph = text[start:text.index("\n\n", start)]
    listed = set(re.findall(r"`(\w+)`", paragraph))
    missing = [n for n in INDICATOR_NAMES if n not in listed]
    assert not missing, f"docs/scenarios.md, 'Indicator names', misses {missing}"


def test_extras_named_in_pip_commands_are_declared():
    extras = set(tomllib.loads(_text(ROOT / "pyproject.toml"))["project"]
                 ["optional-dependencies"])
    bad = []
    for path in DOCS:
        for group in re.findall(r"pip install[^\n`]*?\.\[([\w,-]+)\]", _text(path)):
            bad += [f"{path.relative_to(ROOT).as_posix()}: extra '{e}' is not in pyproject.toml "
                    f"({', '.join(sorted(extras))})" for e in group.split(",") if e not in extras]
    assert not bad, "\n".join(bad)
