"""The prospective test's frozen predictions (scosim.hindcast.prospective): intact, reproduced.

The file under scenarios/hindcasts/prospective/ is a record of predictions filed on
2026-12-07, before the decisions: it must never be edited. If a test here fails because
the code no longer reproduces it, do not change the file: file a new one under a new date
(``python -m scosim.hindcast.prospective --write ...``) and keep this one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scosim.hindcast.prospective import FILED, FROZEN, ITEMS, check, digest, load, main


def test_the_frozen_file_is_intact_and_unscored() -> None:
    doc = load(FROZEN)
    assert doc["filed"] == FILED == "2026-12-07"
    assert digest(doc) == doc["sha256"], (
        f"{FROZEN} was altered after it was filed; it is a record: restore it from git")
    assert doc["scored"] is False and doc["outcomes"] is None
    assert [p["item"] for p in doc["predictions"]] == [it.name for it in ITEMS]
    for pred in doc["predictions"]:
        assert pred["runs"] == doc["replications"]
        assert pred["p"] == pred["yes"] / pred["runs"]
        assert set(doc["references"][pred["item"]]) == {
            "consensus_always_fails", "always_adopted", "base_rate", "persistence"}


def test_the_code_reproduces_the_frozen_predictions() -> None:
    """Every item re-run with the file's replications and seed gives the same counts."""
    problems = check(FROZEN)
    assert not problems, "\n".join(problems)


def test_an_edited_prediction_is_caught(tmp_path: Path) -> None:
    doc = json.loads(FROZEN.read_text(encoding="utf-8"))
    doc["predictions"][0]["p"] = 0.5
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    problems = check(edited)
    assert len(problems) == 1 and "altered" in problems[0] and "must not be edited" in problems[0]


def test_a_missing_or_malformed_file_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["--check", str(tmp_path / "none.json")]) == 2
    assert "not found" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"filed": FILED}), encoding="utf-8")
    assert main(["--check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "'commit'" in err and "Traceback" not in err


def test_write_never_overwrites(capsys) -> None:
    assert main(["--write", str(FROZEN)]) == 2
    assert "never overwritten" in capsys.readouterr().err


@pytest.mark.parametrize("item", ["ftz_2027", "bank_2027", "apply_mng_2027"])
def test_each_item_continues_a_hindcast_series(item: str) -> None:
    """The FTZ, the consensus bank and Mongolia's applications are scored in the hindcast:
    the prospective item's scenario is that record's, a later year."""
    from scosim.hindcast import RECORDS

    it = next(i for i in ITEMS if i.name == item)
    assert any(r.series == it.series and r.kind == it.kind for r in RECORDS)


def test_scoring_by_hand_on_synthetic_outcomes() -> None:
    """The scoring arithmetic on made-up outcomes (not a prediction of any: a unit test):
    two items, the Council at 0.1 (20 runs) and 0, the references as filed."""
    from scosim.hindcast.prospective import score

    doc = {"predictions": [{"item": "a", "p": 0.1, "runs": 20},
                           {"item": "b", "p": 0.0, "runs": 20}],
           "references": {"a": {"base_rate": 0.05, "persistence": 1.0},
                          "b": {"base_rate": 0.05, "persistence": 0.0}}}
    out = score(doc, {"a": 1, "b": 0}).set_index("forecast")
    unbiased = ((0.9**2 - 0.1 * 0.9 / 19) + 0.0) / 2
    assert out.loc["council", "brier"] == pytest.approx(unbiased)
    assert out.loc["council", "brier_plain"] == pytest.approx(0.81 / 2)
    assert out.loc["base_rate", "brier"] == pytest.approx((0.95**2 + 0.05**2) / 2)
    assert out.loc["persistence", "brier"] == 0.0 and np.isnan(out.loc["persistence", "bss"])
    assert out.loc["base_rate", "bss"] == pytest.approx(1 - unbiased / ((0.95**2 + 0.05**2) / 2))
    with pytest.raises(ValueError, match="missing"):
        score(doc, {"a": 1})
    with pytest.raises(ValueError, match="0 or 1"):
        score(doc, {"a": 1, "b": 2})
