"""A run directory describes the plug-ins it used: read back without their code.

A plug-in proposal type or mechanism named in a scenario by dotted path is known only
to the process that loaded the scenario. The run's manifest records what each declares
(``plugins.declared``: a type's indicators and membership, a mechanism's indicators,
headline and ``welfare_versus``), so a fresh process without the plug-in (the run moved
to another machine) still shows who was in it and what the mechanism answers:
``scosim show``, the re-drawn figures and the explorer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scosim.cli import main

CENTRAL_ASIA = ["KAZ", "KGZ", "TJK", "UZB"]

PLUGIN = '''
from typing import Literal

import numpy as np

from scosim.model.slots import Mechanism
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
    trust_term = "trust in the visa's sponsor"
    welfare_excludes = "what issuing visas costs consulates"

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


class Closures(Mechanism):
    name = "border_closures"
    slot = "security"
    indicators = {"border_closed": "1 if closed", "closure_cost_usd": "US$"}
    headline = {"closure_cost_usd": "total", "border_closed": "share"}  # not sorted
    welfare_versus = "the trade costs of border closures"
    welfare_excludes = "what guarding the border costs (closure_cost_usd)"

    def record(self, model, policy):
        closed = np.zeros((model.R, model.N))
        closed[:, model.codes.index("AFG")] = 1.0
        return {"border_closed": closed, "closure_cost_usd": closed * 2e8}
'''

SCENARIO = f"""
name: visa_by_path
years: {{start: 2025, end: 2028}}
seed: 3
replications: 2
parameters:
  council: {{decision_rule: null}}
  mechanisms: {{security: "visaplug_e2e:Closures"}}
proposals:
  - type: "visaplug_e2e:VisaLift"
    id: ca_visa
    year: 2026
    proposer: KAZ
    participants: {json.dumps(CENTRAL_ASIA)}
"""


def _python(code: str, cwd: Path, pythonpath: Path | None) -> subprocess.CompletedProcess:
    # The plug-in's directory is on the path or not; the scosim under test (an inherited
    # PYTHONPATH, e.g. a source tree tested with another tree's environment) stays.
    env = dict(os.environ)
    paths = [str(pythonpath)] if pythonpath is not None else []
    paths += [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


@pytest.fixture(scope="module")
def plugin_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run (no plots) of a scenario naming plug-ins by dotted path, made in a
    subprocess that had them on its path, its batches in two worker processes (which
    know the type only from the resolved scenario); this process never imports them."""
    root = tmp_path_factory.mktemp("plugin_run")
    plug = root / "plug"
    plug.mkdir()
    (plug / "visaplug_e2e.py").write_text(PLUGIN)
    (root / "visa.yaml").write_text(SCENARIO)
    proc = _python(f"""
        from scosim.cli import main
        raise SystemExit(main(["run", "visa.yaml", "--out", {str(root / 'out')!r},
                               "--no-plots", "--quiet", "--executor", "process",
                               "--workers", "2", "--batch-size", "1"]))
        """, root, plug)
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = (root / "out" / "visa_by_path").iterdir()
    return run_dir


def test_the_resolved_scenario_names_the_type_by_its_path(plugin_run: Path) -> None:
    """What the worker processes ran (they found the type): not the type's bare name,
    which only the process that imported the plug-in knows."""
    import yaml

    saved = yaml.safe_load((plugin_run / "scenario.yaml").read_text())
    assert [p["type"] for p in saved["proposals"]] == ["visaplug_e2e:VisaLift"]
    assert saved["parameters"]["mechanisms"]["security"] == "visaplug_e2e:Closures"


def test_the_manifest_records_the_type_its_path_and_its_membership(plugin_run: Path) -> None:
    plugins = json.loads((plugin_run / "manifest.json").read_text())["plugins"]
    # Named by dotted path: that is where it came from (it was recorded as 'builtin').
    assert plugins["proposal_types"] == {"visa_lift": "path visaplug_e2e:VisaLift"}
    assert plugins["declared"]["proposal_types"] == {"visa_lift": {
        "indicators": {"visa_lift": "share of runs"},
        "membership": ["visa_lift", "in visa", "a visa-free regime"],
        "trust_term": "trust in the visa's sponsor", "headline": [],
        "welfare_excludes": "what issuing visas costs consulates",
        # Not declared (null; [] would say it writes none): tests/test_lever_writers_manifest.py.
        "writes_levers": None}}
    # The vote-reasons figure names the type's trust term from that record, here where
    # the type cannot be imported (the saved scenario names it by its path).
    from scosim.plot_votes import run_trust_terms

    assert run_trust_terms(plugin_run) == {"ca_visa": "trust in the visa's sponsor"}
    assert plugins["declared"]["mechanisms"]["security"] == {
        "name": "border_closures",
        "indicators": {"border_closed": "1 if closed", "closure_cost_usd": "US$"},
        # Pairs, in the declared order: the manifest's keys are sorted.
        "headline": [["closure_cost_usd", "total"], ["border_closed", "share"]],
        # None declared: `scosim compare` reports the headline's.
        "compared": [],
        # None declared: the answer shows the last year (scosim.answer_year).
        "answer_year": [],
        # None declared: every headline table printed (scosim.answer_parts).
        "headline_parts": {},
        # Not declared: it may change trade costs by itself, a shock in the answer.
        "passive": False,
        "welfare_versus": "the trade costs of border closures",
        "welfare_excludes": "what guarding the border costs (closure_cost_usd)",
        "writes_levers": None}


def test_a_fresh_process_without_the_plugin_shows_its_membership(
    plugin_run: Path, tmp_path: Path
) -> None:
    """``scosim show``, re-drawn plots and the explorer, where the plug-in cannot be
    imported, show the column and panel the original process would have."""
    proc = _python(f"""
        import importlib.util
        from pathlib import Path

        assert importlib.util.find_spec("visaplug_e2e") is None  # not importable here
        from scosim.cli import main

        main(["show", {str(plugin_run)!r}])
        from scosim.plots import plot_run

        run = Path({str(plugin_run)!r})
        plots = Path({str(tmp_path / 'plots')!r})
        plots.mkdir()
        print("DRAWN", sorted(p.name for p in plot_run(run, plots)))
        from scosim.explore.figures import membership_figures
        from scosim.result_tables import open_result

        figs = membership_figures(open_result(run))
        print("EXPLORER", figs[0].layout.title.text if figs else None)
        """, tmp_path, None)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    head = next(x for x in out.splitlines() if x.strip().startswith("economy  ") and "gains" in x)
    assert "in visa" in head and "in union" not in head
    for code in CENTRAL_ASIA:
        line = next(x for x in out.splitlines() if x.strip().startswith(code + " "))
        assert line.rstrip().endswith("100 %"), line
    flat = " ".join(out.split())
    assert "in visa: share of runs in a visa-free regime in 2028" in flat
    # The plug-in mechanism's answer and what welfare is measured against.
    assert "border_closures (the security slot)" in out
    # In the order the mechanism declares, which the sorted manifest keeps as pairs.
    assert "border_closed: share of runs" in out
    assert out.index("closure_cost_usd") < out.index("border_closed: share of runs")
    # What the plug-ins say welfare leaves out, from the record (mechanism first).
    assert ("without the policy or the trade costs of border closures; not counting what "
            "guarding the border costs (closure_cost_usd), nor what issuing visas costs "
            "consulates,") in flat
    assert "membership_timeline.png" in out.split("DRAWN", 1)[1].splitlines()[0]
    assert (tmp_path / "plots" / "membership_timeline.png").is_file()
    assert "in visa" in (plugin_run / "summary.txt").read_text()
    assert "is in a visa-free regime" in out.split("EXPLORER", 1)[1]


def test_an_old_run_without_the_record_still_shows_what_is_known(
    plugin_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run made before the manifest recorded its types: the registry's (here none)."""
    from scosim.plots import run_memberships

    old = tmp_path / "old"
    shutil.copytree(plugin_run, old, ignore=shutil.ignore_patterns("summary.*", "plots"))
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["plugins"]["declared"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert run_memberships(old) == {}
    assert main(["show", str(old)]) == 0
    out = capsys.readouterr().out
    head = next(x for x in out.splitlines() if x.strip().startswith("economy  ") and "gains" in x)
    assert "in visa" not in head and "+0." in out  # the welfare answer is still there
    assert "border_closures" not in out  # nothing here knows the mechanism


@pytest.mark.parametrize(("section", "name", "key", "value", "said"), [
    ("proposal_types", "visa_lift", "membership", ["visa_lift"], "[indicator, heading, what]"),
    ("mechanisms", "security", "headline", {"gone": "share"}, "is not one of its indicators"),
    ("mechanisms", "security", "headline", [["border_closed", "mean"]], "kinds are: share"),
    ("proposal_types", "visa_lift", "headline", "visa_lift", "must map some of its"),
    ("mechanisms", "security", "indicators", ["border_closed"], "map indicator names"),
    ("mechanisms", "security", "writes_levers", "closed", "a list of lever names"),
])
def test_a_malformed_record_is_one_clear_error(
    plugin_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    section: str, name: str, key: str, value: object, said: str,
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(plugin_run, bad, ignore=shutil.ignore_patterns("summary.*", "plots"))
    manifest = json.loads((bad / "manifest.json").read_text())
    manifest["plugins"]["declared"][section][name][key] = value
    (bad / "manifest.json").write_text(json.dumps(manifest))
    assert main(["show", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad / 'manifest.json'}: plugins.declared.{section}.{name}.{key}" in err
    assert said in err and "Traceback" not in err


def test_a_run_s_record_comes_before_the_registry() -> None:
    """For a type the run records, its record is used (the run as it was made); other
    recorded types follow the built-ins by name."""
    from scosim.plots import membership_kinds

    kinds = membership_kinds({"customs_union": ("in_customs_union", "in CU", "a union"),
                              "zz_regime": ("in_zz", "in zz", "a zz regime")})
    assert kinds[0] == ("in_customs_union", "in CU", "a union")
    assert ("in_customs_union", "in union", "a customs union") not in kinds
    assert kinds[-1] == ("in_zz", "in zz", "a zz regime")


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


def test_a_fresh_process_without_the_plugin_compares_its_indicators(
    plugin_run: Path, tmp_path: Path
) -> None:
    """``scosim compare`` of two runs of a plug-in, where it cannot be imported: its
    indicators are known (from the runs' records, not refused as unknown) and shown
    with their declared units."""
    later = tmp_path / "later"
    later.mkdir()
    (later / "plug").mkdir()
    (later / "plug" / "visaplug_e2e.py").write_text(PLUGIN)
    (later / "visa.yaml").write_text(SCENARIO.replace("year: 2026", "year: 2028"))
    made = _python("""
        from scosim.cli import main
        raise SystemExit(main(["run", "visa.yaml", "--out", "out", "--no-plots", "--quiet"]))
        """, later, later / "plug")
    assert made.returncode == 0, made.stderr
    (base,) = (later / "out" / "visa_by_path").iterdir()
    proc = _python(f"""
        import importlib.util

        assert importlib.util.find_spec("visaplug_e2e") is None  # not importable here
        from scosim.cli import main

        raise SystemExit(main(["compare", {str(plugin_run)!r}, {str(base)!r},
                               "--indicator", "visa_lift", "--indicator", "closure_cost_usd",
                               "--out", {str(tmp_path / 'cmp')!r}, "--plot-workers", "1"]))
        """, tmp_path, None)
    assert proc.returncode == 0, proc.stderr
    report = next((tmp_path / "cmp" / "compare").iterdir()) / "report.md"
    text = report.read_text()
    assert "| KAZ | visa_lift | share of runs |" in text  # its declared unit, from the runs
    assert "closure_cost_usd: every economy" in text  # no difference: listed as such
