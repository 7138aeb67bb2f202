"""Start-up: what `scosim validate` imports, and the light paths it relies on.

No wall-clock asserts (the machine is shared): the benchmark
``benchmarks/bench_cli.py --sizes ""`` measures the time; these tests keep the
import graph and the declared shortcuts honest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
HEAVY = ("numpy", "pandas", "scipy", "mesa", "pyarrow", "matplotlib")


def _modules_after(argv: list[str], *, full: bool = False) -> tuple[int, set[str]]:
    code = (
        "import json, sys\n"
        "from scosim.cli import main\n"
        f"rc = main({argv!r})\n"
        "print(json.dumps([rc, sorted(sys.modules)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    rc, mods = json.loads(out.strip().splitlines()[-1])
    return rc, set(mods) if full else {m.split(".")[0] for m in mods}


@pytest.mark.parametrize("scenario", ["scenarios/customs_union.yaml",
                                      "scenarios/customs_union_consensus.yaml"])
def test_validate_imports_neither_pydantic_nor_the_explorer(scenario):
    """A scenario the quick check covers is validated without pydantic or entry points."""
    rc, mods = _modules_after(["validate", scenario], full=True)
    tops = {m.split(".")[0] for m in mods}
    assert rc == 0
    assert not tops & {*HEAVY, "pydantic", "pydantic_core", "rich"}, sorted(tops)
    assert "importlib.metadata" not in mods
    assert not {m for m in mods if m.startswith("scosim.explore")}
    # The child really read the file and ran the check.
    assert "yaml" in tops and "scosim.scenario.quick" in mods


@pytest.mark.parametrize("scenario", [str(p.relative_to(ROOT)) for p in SCENARIOS])
def test_validate_outside_the_quick_check_imports_no_numpy_pandas_scipy_mesa(scenario):
    """Every shipped scenario: security, corridors and finance declare what validation needs."""
    rc, mods = _modules_after(["validate", scenario], full=True)
    tops = {m.split(".")[0] for m in mods}
    assert rc == 0
    assert not tops & set(HEAVY), f"validate imported {sorted(tops & set(HEAVY))}"
    assert not {m for m in mods if m.startswith("scosim.explore")}
    # The schema or the quick check validated it.
    assert "pydantic" in tops or "scosim.scenario.quick" in mods


def test_validate_of_mechanism_settings_imports_no_numpy(tmp_path, capsys):
    """``parameters.mechanism_settings.security`` is checked against the declared settings
    model (scosim.security.spec), not the mechanism's class, and still refused when bad."""
    from scosim.cli import main

    def scenario(value: float) -> str:
        path = tmp_path / f"settings_{value}.yaml"
        path.write_text(f"extends: {ROOT / 'scenarios' / 'afghan_instability.yaml'}\n"
                        "name: settings\nparameters:\n  mechanism_settings:\n"
                        f"    security: {{instability_change_scale: {value}}}\n")
        return str(path)

    rc, mods = _modules_after(["validate", scenario(0.5)], full=True)
    tops = {m.split(".")[0] for m in mods}
    assert rc == 0
    assert not tops & set(HEAVY), f"validate imported {sorted(tops & set(HEAVY))}"
    assert "scosim.security.spec" in mods and "scosim.security.mechanism" not in mods
    assert main(["validate", scenario(11)]) == 2
    err = capsys.readouterr().err
    assert "mechanism_settings.security.instability_change_scale: 11 is out of range" in err


@pytest.mark.parametrize("text", ["years: {start: 2040}\n", "parameters: {trade: {sigma: 0}}\n",
                                  "parameters:\n  mechanism_settings:\n"
                                  "    security: {instability_change_scale: 11}\n"])
def test_a_refused_scenario_is_reported_without_heavy_imports(tmp_path, text):
    """The CLI reports a scenario error without importing the modules of the other errors
    it turns into one line (pandas through the executors, the trade kernels)."""
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'afghan_instability.yaml'}\n"
                    f"name: bad\n{text}")
    rc, mods = _modules_after(["validate", str(path)], full=True)
    tops = {m.split(".")[0] for m in mods}
    assert rc == 2
    assert not tops & set(HEAVY), f"validate imported {sorted(tops & set(HEAVY))}"


def test_declared_mechanism_attributes_are_the_classes_own():
    """Each built-in mechanism's declared slot, name and settings model are its class's."""
    from scosim.model import mechanism_names
    from scosim.model.slots import _REGISTRY, get_mechanism
    from scosim.plugins import import_path

    for name, (_target, slot) in mechanism_names.LAZY.items():
        declared = {key: _REGISTRY.declared(name, key)
                    for key in ("slot", "name", "settings_model")}
        cls = get_mechanism(name)  # loads the class; the registry compares the declarations
        assert declared == {"slot": slot, "name": name, "settings_model": cls.settings_model}
        if name in mechanism_names.SETTINGS:
            assert cls.settings_model is import_path(mechanism_names.SETTINGS[name])


def test_list_of_an_empty_root_imports_neither_rich_nor_pydantic(tmp_path):
    rc, mods = _modules_after(["list", "--out", str(tmp_path / "none")], full=True)
    tops = {m.split(".")[0] for m in mods}
    assert rc == 0
    assert not tops & {*HEAVY, "pydantic", "rich"}, sorted(tops)
    assert "importlib.metadata" not in mods
    assert not {m for m in mods if m.startswith("scosim.explore")}


def test_version_imports_neither_pydantic_nor_numpy():
    code = ("import sys\nfrom scosim.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    tops = {m.split(".")[0] for m in out.split()}
    assert not tops & {*HEAVY, "pydantic", "yaml"}


def test_python_m_scosim_is_the_scosim_command(tmp_path):
    """`python -m scosim` said "No module named scosim.__main__"."""
    from scosim import __version__

    run = subprocess.run([sys.executable, "-m", "scosim", "--version"], capture_output=True,
                         text=True, cwd=tmp_path)
    assert (run.returncode, run.stdout.strip()) == (0, f"scosim {__version__}")
    bad = subprocess.run([sys.executable, "-m", "scosim", "validate", "nowhere.yaml"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "nowhere.yaml" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_builtin_rule_names_match_the_registry():
    """Validation accepts BUILTIN_RULES without importing them: the table must be true."""
    from scosim.rules import registry

    registry._load_builtins()
    loaded = {
        # A hook that shares another's rules (apply: vote) has that hook's built-ins too.
        hook: sorted({n for h in (hook, registry.SHARED_RULES.get(hook, hook))
                      for n in registry._REGISTRY[h]
                      if registry.rule_origin(hook, n) == "builtin"})
        for hook in registry._REGISTRY
    }
    declared = {hook: sorted(names) for hook, names in registry.BUILTIN_RULES.items()}
    assert declared == {h: names for h, names in loaded.items() if names}


def test_declared_specs_and_checks_are_the_classes_own():
    """Each lazily registered built-in type's declared spec and check are its class's."""
    from scosim.plugins import import_path
    from scosim.proposals import builtin, get_type, type_check, type_spec

    for name, (_target, spec_path) in builtin.LAZY.items():
        declared_spec, declared_check = type_spec(name), None
        if name in builtin.CHECKS:
            declared_check = type_check(name)
            assert declared_check is import_path(builtin.CHECKS[name])
        cls = get_type(name)  # loads the class; the registry compares the declarations
        assert cls.spec is declared_spec is import_path(spec_path)
        if declared_check is not None:
            assert cls.check is declared_check


def test_a_wrong_declared_check_is_refused():
    from scosim.plugins import PluginError
    from scosim.proposals import _REGISTRY

    _REGISTRY._load_builtins()
    _REGISTRY.register_lazy(
        "startup_test_type", "scosim.proposals.declaration:Declaration",
        spec_path="scosim.proposals.specs:DeclarationProposal",
        check_path="scosim.proposals.specs:check_accession",
    )
    try:
        with pytest.raises(PluginError, match="check="):
            _REGISTRY.get("startup_test_type")
    finally:
        _REGISTRY._lazy.pop("startup_test_type", None)
        _REGISTRY._origins.pop("startup_test_type", None)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_libyaml_and_pure_python_read_scenarios_alike(path):
    """The fast (libyaml) path yields the same data and line of every value."""
    from scosim.scenario import loader

    if loader._FAST_LOADER is None:
        pytest.skip("PyYAML built without libyaml")
    text = path.read_text(encoding="utf-8")
    fast, fast_err = loader._compose_with(loader._FAST_LOADER, text, path.name, report=False)
    slow, slow_err = loader._compose_with(yaml.SafeLoader, text, path.name, report=True)
    assert fast_err == slow_err == []
    assert fast.data == slow.data
    assert fast.origins == slow.origins


@pytest.mark.parametrize("text", [
    "name: x\nyears: [2025, 2030\n",          # unclosed bracket
    "name: x\n  bad: indent\n",               # bad indentation
    "name: !!python/object:os.system x\n",    # unsafe tag
    "name: x\n\x07bell: 1\n",                 # a character only libyaml accepts
])
def test_syntax_errors_are_reported_by_the_pure_python_parser(text):
    """A file libyaml rejects is re-read by the pure-Python parser for its message."""
    from scosim.scenario import loader

    def outcome(fn, *args, **kwargs):
        try:
            doc, errors = fn(*args, **kwargs)
        except yaml.YAMLError as exc:  # raised before parsing, as it always was
            return type(exc), str(exc)
        return doc, errors

    got = outcome(loader._compose, text, "f.yaml")
    want = outcome(loader._compose_with, yaml.SafeLoader, text, "f.yaml", report=True)
    assert got == want
    assert got[0] is None or isinstance(got[0], type)
