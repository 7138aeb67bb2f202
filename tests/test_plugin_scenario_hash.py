"""Two files naming different classes for one plug-in name are different scenarios.

An entry point's ``visa_free`` and a subclass inheriting the name, named by its dotted
path (``dup_plugins:VisaDouble``), resolve to the same dumped scenario (``type:
visa_free``), so the two files had the same scenario hash, and ``scosim show NAME`` took
the other's run with a warning about "2 different plug-in codes" (an outside review,
2026-12-07). The hash now adds the reference of a plug-in named by its path; a scenario
of built-ins or entry points hashes as before, checked against the hash's definition.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import VISA_PKG, visa_entry_points

ROOT = Path(__file__).resolve().parents[1]
DOUBLES = '''
from scosim_visa import VisaFree
from scosim_visa.mobility import VisaMobility


class VisaDouble(VisaFree):
    """Inherits the name visa_free: other code under the entry point's name."""


class MobilityDouble(VisaMobility):
    """Inherits the name visa_mobility."""
'''


def _hash(tmp_path: Path, type_: str, mechanism: str) -> str:
    """``scosim validate``'s scenario hash, in a process of its own (one class a name)."""
    path = tmp_path / f"{abs(hash((type_, mechanism)))}.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: dup_visa\n"
                    f"parameters:\n  mechanisms: {{network: '{mechanism}'}}\n"
                    f"proposals:\n  - {{type: '{type_}', id: v, year: 2026, proposer: KAZ, "
                    "participants: [KAZ, KGZ]}\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), str(tmp_path), str(VISA_PKG)])}
    done = subprocess.run([sys.executable, "-m", "scosim", "validate", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return re.search(r"scenario hash ([0-9a-f]+)", done.stdout).group(1)


def test_a_dotted_path_and_an_entry_point_of_one_name_hash_apart(tmp_path: Path) -> None:
    dist = tmp_path / "scosim_visa-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: scosim_visa\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(visa_entry_points())
    (tmp_path / "dup_plugins.py").write_text(DOUBLES)
    entry = _hash(tmp_path, "visa_free", "visa_mobility")
    assert len({entry, _hash(tmp_path, "dup_plugins:VisaDouble", "visa_mobility"),
                _hash(tmp_path, "visa_free", "dup_plugins:MobilityDouble")}) == 3


def test_a_scenario_of_built_ins_hashes_as_its_canonical_json() -> None:
    """The hash's definition (sha256 of the canonical JSON of the resolved scenario, less
    ``extends`` and ``source``): no plug-in reference is added for a built-in, so the
    shipped scenarios' hashes, which the runs in results/ record, are unchanged."""
    from scosim.scenario import load_scenario
    from scosim.scenario.loader import scenario_hash

    for name in ("customs_union.yaml", "corridor_energy.yaml", "finance_crisis_union.yaml"):
        sc = load_scenario(ROOT / "scenarios" / name)
        text = json.dumps(sc.model_dump(mode="json", exclude={"extends", "source"}),
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert scenario_hash(sc) == hashlib.sha256(text.encode("utf-8")).hexdigest(), name
