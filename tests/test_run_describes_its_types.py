"""A run directory describes the proposal types it used: read back without their code.

A plug-in type named in a scenario by dotted path is known only to the process that
loaded the scenario. The run's manifest records what each type declares
(``plugins.declared.proposal_types``: indicators and membership), so a fresh process
without the plug-in (the run moved to another machine) still shows who was in it:
``scosim show``, the re-drawn figures and the explorer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CENTRAL_ASIA = ["KAZ", "KGZ", "TJK", "UZB"]

PLUGIN = '''
from typing import Literal

import numpy as np

from scosim.proposals import ProposalSpec, ProposalType


class VisaLiftProposal(ProposalSpec):
    type: Literal["visa_lift"]
    participants: list[str]
    cost_cut: float = 0.05


class VisaLift(ProposalType):
    name = "visa_lift"
    spec = VisaLiftProposal
    default_decision_rule = "interested_members"
    indicators = {"visa_lift": "share of runs"}
    membership = ("visa_lift", "in visa", "a visa-free regime")

    def apply(self, policy, participants, phase, active, terms=None):
        pair = participants[:, :, None] & participants[:, None, :]
        n = pair.shape[-1]
        pair[:, np.arange(n), np.arange(n)] = False
        cut = self.proposal.cost_cut * np.asarray(phase, dtype=float)
        new = np.where(pair, policy.cost_change * (1.0 - cut[:, None, None]),
                       policy.cost_change)
        policy.cost_change = np.where(active[:, None, None], new, policy.cost_change)

    @classmethod
    def record(cls, model, arrangements, policy):
        inside = np.zeros((model.R, model.N), dtype=bool)
        for arr in arrangements:
            inside |= arr.participants & arr.in_force[:, None]
        return {"visa_lift": inside.astype(float)}
'''

SCENARIO = f"""
name: visa_by_path
years: {{start: 2025, end: 2028}}
seed: 3
replications: 2
parameters:
  council: {{decision_rule: null}}
proposals:
  - type: "visaplug_e2e:VisaLift"
    id: ca_visa
    year: 2026
    proposer: KAZ
    participants: {json.dumps(CENTRAL_ASIA)}
"""


def _python(code: str, cwd: Path, pythonpath: Path | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


@pytest.fixture(scope="module")
def plugin_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run (no plots) of a scenario naming a plug-in type by dotted path, made in a
    subprocess that had the plug-in on its path; this process never imports it."""
    root = tmp_path_factory.mktemp("plugin_run")
    plug = root / "plug"
    plug.mkdir()
    (plug / "visaplug_e2e.py").write_text(PLUGIN)
    (root / "visa.yaml").write_text(SCENARIO)
    proc = _python(f"""
        from scosim.cli import main
        raise SystemExit(main(["run", "visa.yaml", "--out", {str(root / 'out')!r},
                               "--no-plots", "--quiet"]))
        """, root, plug)
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = (root / "out" / "visa_by_path").iterdir()
    return run_dir


def test_the_manifest_records_the_type_s_path(plugin_run: Path) -> None:
    plugins = json.loads((plugin_run / "manifest.json").read_text())["plugins"]
    # Named by dotted path: that is where it came from (it was recorded as 'builtin').
    assert plugins["proposal_types"] == {"visa_lift": "path visaplug_e2e:VisaLift"}


def test_a_class_registered_by_a_user_module_is_not_builtin() -> None:
    """Its manifest origin names its module; builtin_types() leaves it out."""
    from typing import Literal

    from scosim.proposals import (
        ProposalSpec,
        ProposalType,
        builtin_types,
        register_type,
        type_origin,
    )

    class UserRegimeSpec(ProposalSpec):
        type: Literal["user_regime_origin"]

    class UserRegime(ProposalType):
        name = "user_regime_origin"
        spec = UserRegimeSpec

    register_type(UserRegime)
    assert type_origin("user_regime_origin") == f"module {__name__}"
    assert "user_regime_origin" not in builtin_types()
