"""Runs of one scenario made with different plug-in code are told apart.

A reviewer ran ``energy_pool.yaml`` three times, editing their plug-in package (an
editable install, one version number) between runs; ``scosim list`` showed three
identical rows, ``scosim compare sco_energy_club_pool baseline`` silently took the
latest, and the compare report's Provenance table and directory named no plug-in. Since
2026-12-06 the list has a ``plugins`` column (distribution, version and a hash of the
code), compare by name says which run it took when the runs' plug-in code differs, and
the report and the compare directory's ``provenance.json`` record each side's plug-ins.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from scosim.api import compare_runs
from scosim.errors import ScosimWarning
from scosim.run_catalogue import catalogue_rows
from scosim.runner import run
from scosim.scenario import load_scenario

TESTS = Path(__file__).resolve().parent
SMALL = TESTS / "fixtures" / "model"


def _run_with_rule(tmp_path: Path, root: Path, edit: str) -> Path:
    """small_cu with KAZ voting by a copy of trust_rules.py, its source edited by ``edit``."""
    plug = tmp_path / "plug"
    plug.mkdir(exist_ok=True)
    src = (TESTS / "plugin_pkgs" / "trust_rules.py").read_text()
    (plug / "prov_rule.py").write_text(src + edit)
    sys.modules.pop("prov_rule", None)  # the edited file, as a new session would load it
    scen = tmp_path / "cu_prov_rule.yaml"
    scen.write_text(f"extends: {SMALL / 'small_cu.yaml'}\nname: cu_prov_rule\n"
                    "replications: 2\nyears: {end: 2027}\n"
                    "countries:\n  KAZ: {rules: {vote: 'prov_rule:trust_or_no'}}\n")
    return Path(run(load_scenario(scen), out=root, progress=False, plots=False).path)


@pytest.fixture(scope="module")
def two_codes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("prov")
    root = tmp / "results"
    sys.path.insert(0, str(tmp / "plug"))
    try:
        first = _run_with_rule(tmp, root, "")
        second = _run_with_rule(tmp, root, "\n# edited: the same version, other code\n")
    finally:
        sys.path.remove(str(tmp / "plug"))
        sys.modules.pop("prov_rule", None)
    base = tmp / "cu_prov_base.yaml"
    base.write_text(f"extends: {SMALL / 'small_base.yaml'}\nname: cu_prov_base\n"
                    "replications: 2\nyears: {end: 2027}\n")
    base_dir = Path(run(load_scenario(base), out=root, progress=False, plots=False).path)
    with pytest.warns(ScosimWarning) as said:
        comp, report_dir = compare_runs("cu_prov_rule", "cu_prov_base", out=root,
                                        progress=False, plot_workers=1)
    return {"root": root, "first": first, "second": second, "base": base_dir,
            "comp": comp, "report": report_dir, "said": [str(w.message) for w in said]}


def test_the_list_tells_runs_with_different_plugin_code_apart(two_codes) -> None:
    rows = {r["run_id"]: r for r in catalogue_rows(two_codes["root"])}
    first, second = (rows[two_codes[k].name]["plugins"] for k in ("first", "second"))
    assert first.startswith("path prov_rule:trust_or_no, code ")
    assert second.startswith("path prov_rule:trust_or_no, code ") and first != second
    assert rows[two_codes["base"].name]["plugins"] == ""


def test_compare_by_name_says_which_run_it_took_and_why(two_codes) -> None:
    assert two_codes["comp"].policy_dir == two_codes["second"]
    said = [m for m in two_codes["said"] if "different plug-in codes" in m]
    assert len(said) == 1
    assert (f"using the latest, {two_codes['second'].name}" in said[0]
            and two_codes["first"].name in said[0]), said[0]


def test_the_report_and_the_compare_directory_record_the_plugins(two_codes) -> None:
    manifest = json.loads((two_codes["second"] / "manifest.json").read_text())
    code = manifest["plugin_record"]["rule vote:prov_rule:trust_or_no"]["module_hash"]
    md = (two_codes["report"] / "report.md").read_text()
    prov = md.split("## Provenance")[1]
    assert f"| plugins | rule vote:prov_rule:trust_or_no: path prov_rule:trust_or_no, {code} " \
           "| built in only |" in prov
    saved = json.loads((two_codes["report"] / "provenance.json").read_text())
    assert saved["policy"]["run_id"] == two_codes["second"].name
    assert saved["policy"]["plugin_record"] == manifest["plugin_record"]
    assert saved["baseline"]["plugins_hash"] == "" and saved["same_plugins"] is False
    # Not a run: the catalogue does not list the compare directory.
    assert all(r["scenario"] != "compare" for r in catalogue_rows(two_codes["root"]))


def test_one_plugin_code_gives_no_warning(tmp_path: Path) -> None:
    """Two runs with the same code: the name takes the latest without a word."""
    import warnings

    from scosim.run_catalogue import resolve_run

    root = tmp_path / "results"
    sys.path.insert(0, str(tmp_path / "plug"))
    try:
        _run_with_rule(tmp_path, root, "")
        latest = _run_with_rule(tmp_path, root, "")
    finally:
        sys.path.remove(str(tmp_path / "plug"))
        sys.modules.pop("prov_rule", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScosimWarning)
        assert resolve_run("cu_prov_rule", root, refuse_ambiguous=True) == latest
    shutil.rmtree(root)
