"""A vote rule's ``ctx.terms["security"]`` is filled where docs/model.md says it is.

docs/rules.md said the term was "always 0 for now" while docs/model.md said that with
the security slot filled it is the damage a voter expects to avoid through a RATS
upgrade, an accession or an application (an outside review, 2026-12-07). The code
(``scosim.model.council._terms``: the preview's ``scores`` replace the zeros) agrees with
model.md; rules.md was corrected. Here a rule written as a user would write one reads
the term in the shipped RATS upgrade vote, and it is what the run logs as
``term_security``, non-zero for Pakistan (the state with most incidents at stake).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_a_rule_reads_the_security_term_of_a_rats_upgrade(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_sec_rule.py").write_text(textwrap.dedent("""
        SEEN = {}

        def careful(ctx):
            SEEN[ctx.iso3] = ctx.terms["security"].copy()
            return ctx.utility + ctx.noise >= 0
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        sc = load_scenario(ROOT / "scenarios" / "afghan_instability_rats.yaml", overrides={
            "replications": 2,
            "countries": {"PAK": {"rules": {"vote": "my_sec_rule:careful"}},
                          "KAZ": {"rules": {"vote": "my_sec_rule:careful"}}}})
        m = SCOModel(sc)
        m.run_model()
        seen = sys.modules["my_sec_rule"].SEEN
    finally:
        sys.modules.pop("my_sec_rule", None)
    assert set(seen) == {"PAK", "KAZ"}
    assert (seen["PAK"] > 0).all()
    logged = {e["country"]: [] for e in m.log.records() if e["type"] == "vote"}
    for e in m.log.records():
        if e["type"] == "vote":
            logged[e["country"]].append(e["term_security"])
    for code, term in seen.items():
        np.testing.assert_array_equal(term, np.asarray(logged[code], dtype=float))
