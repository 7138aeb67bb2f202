"""An applicant weighs the security of membership as the members weigh it in the accession.

Outside review (2026-12-06): Afghanistan's application scored security 0 and left out the
trade gain of the incidents its joining RATS avoids, while the accession of the same
membership gave Afghanistan +0.188 security-index points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.proposals.accession import Accession
from scosim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
#: Afghanistan applies and its accession is tabled the same year: both previews see one state.
OVER = {"replications": 2, "years.end": 2027, "parameters.security.instability": 1.3,
        "proposals": [
            {"id": "apply", "year": 2026, "type": "application", "applicant": "AFG"},
            {"id": "join", "year": 2026, "type": "accession", "applicant": "AFG",
             "proposer": "UZB"}]}


def test_the_applicant_scores_the_accession_s_security_preview(monkeypatch) -> None:
    seen: list = []
    original = Accession.preview

    def spy(self, model, participants, terms=None):
        out = original(self, model, participants, terms)
        seen.append((model.year, out))
        return out

    monkeypatch.setattr(Accession, "preview", spy)
    m = SCOModel(load_scenario(SCENARIOS / "afghan_instability.yaml", overrides=OVER))
    m.run_model()
    afg = m.codes.index("AFG")
    year, acc = next((y, p) for y, p in seen if y == 2026)
    votes = sorted((e for e in m.log.records() if e["type"] == "vote"
                    and e["proposal"] == "apply"), key=lambda e: e["run"])
    assert [e["run"] for e in votes] == [0, 1]
    security = np.array([e["term_security"] for e in votes])
    econ = np.array([e["term_econ"] for e in votes])
    # Joining RATS pools Afghanistan's intelligence with ten members: its index rises, and
    # the term is the damage of the incidents that avoids (a share of its income).
    assert (acc.info["security_index_gain"][:, afg] > 0.05).all()
    assert (security > 0).all()
    np.testing.assert_allclose(security, acc.scores["security"][:, afg], rtol=1e-12)
    # No trade arrangement open to members: the economic term is the trade gain of the
    # incidents membership avoids, the accession's own.
    trade = acc.info["trade_gain"][:, afg]
    assert (trade > 0).all()
    np.testing.assert_allclose(econ, trade, rtol=1e-12)


def test_without_the_security_slot_membership_has_no_security_term() -> None:
    # The baseline, whose security slot is empty: emptying afghan_instability's slot in
    # the same override that sets its instability is refused since 2026-12-06 (a setting
    # nothing reads), and its instability path runs past the shortened years.
    over = {k: v for k, v in OVER.items() if k != "parameters.security.instability"}
    m = SCOModel(load_scenario(SCENARIOS / "baseline.yaml", overrides=over))
    m.run_model()
    votes = [e for e in m.log.records() if e["type"] == "vote" and e["proposal"] == "apply"]
    assert votes and all(e["term_security"] == 0 for e in votes)
    assert all(e["term_econ"] == pytest.approx(0.0, abs=1e-15) for e in votes)
