"""The vote-reasons figure names the trust term as the voted proposal's type defines it.

The Council's default trust term is the voter's trust in the proposer, but an accession's
preview replaces it with trust in the applicant (``Accession.preview``), and an
application's with the applicant's trust in the members. The figure, which said "trust in
the proposer" for every vote, now takes the phrase from the type (``trust_term``), as the
run's manifest records it, in the PNG and in the explorer alike.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest

from scosim.cli import main
from scosim.plot_votes import TERM_LABELS, plot_vote_reasons, run_trust_terms, vote_reasons_data
from scosim.plots import load_plot_data
from scosim.plugins import DEFAULT_TRUST_TERM, PluginError, read_declarations
from scosim.proposals import get_type

REPO = Path(__file__).resolve().parents[1]
ACCESSION = """extends: {base}
name: afg_accession_trust
years: {{start: 2025, end: 2027}}
replications: 3
proposals:
  - type: accession
    id: afg-accession
    year: 2026
    applicant: AFG
    proposer: UZB
    decision_rule: variable_geometry
"""


@pytest.fixture(scope="module")
def accession_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of an Afghan accession vote, with plots."""
    work = tmp_path_factory.mktemp("trust")
    path = work / "afg.yaml"
    path.write_text(ACCESSION.format(base=REPO / "scenarios" / "baseline.yaml"))
    assert main(["run", str(path), "--out", str(work / "results")]) == 0
    (run,) = (work / "results" / "afg_accession_trust").iterdir()
    return run


def test_types_say_what_their_trust_term_measures() -> None:
    assert get_type("customs_union").trust_term == DEFAULT_TRUST_TERM == TERM_LABELS["trust"]
    assert get_type("accession").trust_term == "trust in the applicant"
    assert get_type("application").trust_term == "the applicant's trust in the members"


def test_the_run_records_it_and_the_figure_says_it(accession_run, monkeypatch) -> None:
    manifest = json.loads((accession_run / "manifest.json").read_text())
    rec = manifest["plugins"]["declared"]["proposal_types"]["accession"]
    assert rec["trust_term"] == "trust in the applicant"
    assert run_trust_terms(accession_run) == {"afg-accession": "trust in the applicant"}
    st = load_plot_data(accession_run)
    data = vote_reasons_data(st, run_trust_terms(accession_run))
    assert data is not None and data.proposal == "afg-accession"
    assert "trust" in data.contributions.columns
    assert data.labels["trust"] == "trust in the applicant"
    assert vote_reasons_data(st).labels["trust"] == DEFAULT_TRUST_TERM  # not told: default
    # The PNG's legend: catch the figure before it is closed.
    seen: list[Any] = []
    monkeypatch.setattr(plt, "close", lambda fig=None: seen.append(fig))
    plot_vote_reasons(st, "t", accession_run / "v.png", run_trust_terms(accession_run))
    legend = [t.get_text() for t in seen[0].axes[0].get_legend().get_texts()]
    assert "trust in the applicant" in legend and DEFAULT_TRUST_TERM not in legend


def test_the_explorer_names_it_as_the_png(accession_run) -> None:
    pytest.importorskip("plotly", reason="the explorer needs the 'explore' extra")
    from scosim.explore.figures import vote_reasons_figure

    class _Result:  # what vote_reasons_figure reads of an explorer result
        def __init__(self, path: Path) -> None:
            self.path, self.memo = path, {}

    fig = vote_reasons_figure(_Result(accession_run))
    names = {bar.name for bar in fig.data}
    assert "trust in the applicant" in names and DEFAULT_TRUST_TERM not in names


def test_a_manifest_without_the_record_or_with_a_bad_one(accession_run, tmp_path) -> None:
    run = tmp_path / "run"
    shutil.copytree(accession_run, run)
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    rec = manifest["plugins"]["declared"]["proposal_types"]["accession"]
    # Made before the record existed: the registry's type says it.
    del rec["trust_term"]
    path.write_text(json.dumps(manifest))
    assert read_declarations(run)["proposal_types"]["accession"]["trust_term"] is None
    assert run_trust_terms(run) == {"afg-accession": "trust in the applicant"}
    # A type this process does not know either: the Council's default.
    scenario = (run / "scenario.yaml").read_text()
    (run / "scenario.yaml").write_text(scenario.replace("type: accession", "type: x.y:Gone"))
    assert run_trust_terms(run) == {"afg-accession": DEFAULT_TRUST_TERM}
    (run / "scenario.yaml").write_text(scenario)
    rec["trust_term"] = 5
    path.write_text(json.dumps(manifest))
    with pytest.raises(PluginError, match=r"manifest\.json: plugins\.declared\.proposal_types"
                                          r"\.accession\.trust_term: must be a non-empty"):
        run_trust_terms(run)


def test_a_type_with_an_empty_trust_term_is_refused() -> None:
    from typing import Literal

    from scosim.proposals import ProposalType, register_type
    from scosim.proposals.base import ProposalSpec

    spec = type("no_trust_spec", (ProposalSpec,), {
        "__annotations__": {"type": Literal["no_trust"]}, "type": "no_trust"})
    cls = type("no_trust", (ProposalType,), {"name": "no_trust", "spec": spec,
                                              "trust_term": " "})
    with pytest.raises(PluginError, match="proposal type 'no_trust': `trust_term` must be"):
        register_type(cls)
