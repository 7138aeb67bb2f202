"""A sweep's manifest records its plug-ins as a run's does (``plugins``, ``plugin_record``).

Until 2026-12-06 ``scosim sweep`` wrote the ``plugin_versions`` string alone: a sweep made
with a package's proposal type or decision rule did not say, in a form a reader can use,
which distribution and version to install to make it again; and neither a run nor a sweep
recorded a package's Council decision rule at all (``gdp_two_thirds`` of
tests/plugin_pkgs/scosim-visa decided the proposals and left no trace).
"""

from __future__ import annotations

import json
from pathlib import Path

from scosim.api import sweep
from scosim.plugin_record import install_hint, plugins_key

CENTRAL_ASIA = ["KAZ", "KGZ", "TJK", "UZB"]


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "visa_sweep.yaml"
    path.write_text(json.dumps({
        "name": "visa_sweep", "years": {"start": 2025, "end": 2026}, "seed": 7,
        "replications": 1,
        "parameters": {"council": {"decision_rule": "gdp_two_thirds"}},
        "proposals": [{"type": "visa_free", "id": "ca_visa", "year": 2026, "proposer": "KAZ",
                       "participants": CENTRAL_ASIA, "cost_cut": 0.05}]}))
    return path


def test_a_sweep_records_its_plugins_as_a_run_does(visa_plugin, tmp_path) -> None:
    from scosim.runner import run

    path = _scenario(tmp_path)
    target = sweep(str(path), {"parameters.trade.sigma": [4.0]}, ["gdp_usd:KAZ"],
                   method="grid", out=tmp_path / "sweeps", progress=False)
    meta = json.loads((target / "manifest.json").read_text())
    record = meta["plugin_record"]
    assert set(record) == {"proposal type visa_free", "decision rule gdp_two_thirds"}
    rule = record["decision rule gdp_two_thirds"]
    assert (rule["kind"], rule["name"], rule["distribution"], rule["version"]) == (
        "decision rule", "gdp_two_thirds", "scosim_visa", "0.1")
    assert "entry point scosim_visa.decision:GdpTwoThirds" in rule["origin"]
    assert rule["module_hash"].startswith("scosim_visa.decision sha256 ")
    assert record["proposal type visa_free"]["distribution"] == "scosim_visa"
    # The string every check compares is the record's, as in a run's manifest.
    assert plugins_key(record) == meta["plugin_versions"] != ""
    assert meta["plugins"]["decision_rules"] == {"gdp_two_thirds": rule["origin"]}
    assert meta["plugins"]["proposal_types"]["visa_free"].startswith("scosim_visa 0.1")
    assert install_hint(meta, "decision rule", "gdp_two_thirds") == (
        "the run was made with scosim_visa 0.1 (the distribution scosim_visa, version 0.1: "
        "install that version from its source, where the run's maker got it; the same "
        "name on PyPI may be another package)")

    # A run of the same scenario records the same plug-ins in the same fields.
    run_dir = Path(run(str(path), out=tmp_path / "runs", progress=False, plots=False).path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["plugin_record"] == record
    assert manifest["plugin_versions"] == meta["plugin_versions"]
    assert manifest["plugins"] == meta["plugins"]
