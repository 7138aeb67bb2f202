"""The worked example of the plug-in docs is a real package, quoted as it is.

tests/plugin_pkgs/scosim-visa has a ``pyproject.toml`` whose entry points name a proposal
type, a mechanism, a vote rule and a Council decision rule. Here it is installed with pip
into a temporary directory and a scenario using all four runs through the entry points
``importlib.metadata`` finds there; and the docs' code blocks are the package's files.
Before, docs/proposals.md's "whole" pyproject.toml named modules that existed nowhere,
and docs/mechanisms.md's mechanism was fragments.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import VISA_PKG, forget_visa_modules

DOCS = Path(__file__).resolve().parents[1] / "docs"
CENTRAL_ASIA = ["KAZ", "KGZ", "TJK", "UZB"]
#: ``<!-- package-file: PATH -->`` before a fenced block: the block is that file, whole.
#: ``<!-- package-excerpt: PATH -->``: every line of the block is a line of the file, in order.
MARK = re.compile(r"<!-- package-(file|excerpt): (\S+) -->\n```\w*\n(.*?)```", re.DOTALL)


def _marked() -> list[tuple[str, str, str, str]]:
    out = []
    for doc in sorted(DOCS.glob("*.md")):
        out += [(doc.name, *m.groups()) for m in MARK.finditer(doc.read_text())]
    return out


def test_the_docs_quote_the_package_as_it_is() -> None:
    marked = _marked()
    quoted = {path for _, kind, path, _ in marked if kind == "file"}
    assert {"pyproject.toml", "scosim_visa/mobility.py", "scosim_visa/rules.py",
            "scosim_visa/decision.py"} <= quoted
    for doc, kind, path, block in marked:
        text = (VISA_PKG / path).read_text()
        if kind == "file":
            assert block == text, f"docs/{doc} quotes {path} otherwise than the package has it"
            continue
        lines = iter(text.splitlines())
        for shown in block.splitlines():
            if shown.strip() and shown.strip() != "...":
                assert any(line == shown for line in lines), (
                    f"docs/{doc} shows {shown!r} from {path}, not there (in this order)")


def test_every_example_object_the_docs_name_imports(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(VISA_PKG))
    named = set()
    for doc in DOCS.glob("*.md"):
        named |= set(re.findall(r"\b(scosim_visa(?:\.\w+)*):(\w+)", doc.read_text()))
    assert ("scosim_visa.mobility", "VisaMobility") in named
    try:
        for module, attr in sorted(named):
            assert hasattr(importlib.import_module(module), attr), f"{module}:{attr}"
    finally:
        forget_visa_modules()


def _pip_install(tmp_path: Path) -> Path:
    """Install a copy of the package (the build writes into its source tree) into a target."""
    src, target = tmp_path / "src", tmp_path / "site"
    shutil.copytree(VISA_PKG, src, ignore=shutil.ignore_patterns("__pycache__"))
    base = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
            str(target)]
    try:  # without fetching a build backend where the environment can build a wheel
        import wheel  # noqa: F401

        base.append("--no-build-isolation")
    except ImportError:
        pass
    done = subprocess.run([*base, str(src)], capture_output=True, text=True, timeout=300)
    if done.returncode and re.search(r"satisfies the requirement setuptools|connection",
                                     done.stderr, re.I):
        pytest.skip(f"pip cannot fetch setuptools to build the package: {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr
    return target


@pytest.mark.slow
def test_pip_installs_the_package_and_a_scenario_runs_all_four_plugins(
        tmp_path, monkeypatch, forget_test_plugins) -> None:
    from scosim.model.decision_rules import decision_rule_origin
    from scosim.proposals import type_origin
    from scosim.rules.registry import rule_origin
    from scosim.runner import run_model
    from scosim.scenario import validate_data

    monkeypatch.syspath_prepend(str(_pip_install(tmp_path)))
    try:
        sc = validate_data({
            "name": "ca_visa_free", "years": {"start": 2025, "end": 2028}, "seed": 5,
            "replications": 3,
            "parameters": {"council": {"decision_rule": "gdp_two_thirds"},
                           "rules": {"vote": "reciprocal_visa"},
                           "mechanisms": {"network": "visa_mobility"},
                           "mechanism_settings": {"visa_mobility": {"receipts_share_gdp": 0.003}}},
            "proposals": [{"type": "visa_free", "id": "ca_visa", "year": 2026, "proposer": "KAZ",
                           "participants": CENTRAL_ASIA, "cost_cut": 0.05}]})
        # Found through the installed distribution's entry points, not a path.
        for origin in (type_origin("visa_free"), decision_rule_origin("gdp_two_thirds"),
                       rule_origin("vote", "reciprocal_visa")):
            assert origin.startswith("scosim-visa 0.1.0"), origin
        import scosim_visa

        assert str(tmp_path / "site") in scosim_visa.__file__
        m = run_model(sc)
    finally:
        forget_visa_modules()
    ev = m.log.to_frame()
    votes = ev[(ev["type"] == "vote") & (ev["proposal"] == "ca_visa")]
    assert set(votes["country"]) == set(CENTRAL_ASIA)
    assert set(votes["rule"]) == {"reciprocal_visa"}
    assert m.arrangements[0].rule == "gdp_two_thirds"
    assert set(ev.loc[ev["type"] == "adopted", "run"]) == {0, 1, 2}
    idx = [m.codes.index(c) for c in CENTRAL_ASIA]
    receipts = np.stack(m.records["visa_receipts_usd"], axis=1)  # (R, T, N)
    assert not receipts[:, :2].any() and (receipts[:, 2:, idx] > 0).all()
    assert not np.delete(receipts, idx, axis=2).any()


def test_the_example_declares_the_levers_it_writes(monkeypatch, forget_test_plugins) -> None:
    """Until 2026-12-07 neither the type nor the mechanism declared ``writes_levers``, so a
    mechanism writing ``visa_free`` was found only when it happened, and the run's manifest
    could not say who writes which lever. A run stops at a declared plug-in's undeclared
    write, so one that runs shows the declarations cover what the code writes."""
    from scosim.plugin_manifest import declared_mechanisms, declared_types
    from scosim.runner import run_model
    from scosim.scenario import validate_data

    monkeypatch.syspath_prepend(str(VISA_PKG))
    try:
        sc = validate_data({
            "name": "visa_levers", "years": {"start": 2025, "end": 2026}, "seed": 5,
            "replications": 2,
            "parameters": {"mechanisms": {"network": "scosim_visa.mobility:VisaMobility"},
                           "rules": {"vote": "always_yes", "defect": "never_defect"}},
            "proposals": [{"type": "scosim_visa:VisaFree", "id": "ca_visa", "year": 2025,
                           "proposer": "KAZ", "participants": CENTRAL_ASIA}]})
        assert declared_types(sc)["visa_free"]["writes_levers"] == ["visa_free"]
        assert declared_mechanisms(sc)["network"]["writes_levers"] == ["welfare_income_share"]
        m = run_model(sc)
    finally:
        forget_visa_modules()
    assert set(m.policy.writers) == {"visa_free"}  # the welfare lever adds: no one writer
    inside = m.policy.levers["visa_free"]
    assert inside[:, [m.codes.index(c) for c in CENTRAL_ASIA]].all()
    assert (m.policy.levers["welfare_income_share"] > 0).sum() == 2 * len(CENTRAL_ASIA)
