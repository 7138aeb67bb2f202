"""The prospective test's frozen predictions (scosim.hindcast.prospective): intact, reproduced.

Each predictions_<date>.json under scenarios/hindcasts/prospective/ is a record of
predictions filed before the decisions (the first on 2026-12-07): it must never be
edited, and every one is hash-checked. If a test here fails because the code no longer
reproduces the newest, do not change it: add a new dated file
(``python -m scosim.hindcast.prospective --write ...``) and keep the old ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scosim.hindcast.prospective import (
    FROZEN,
    ITEMS,
    check,
    check_all,
    digest,
    filed_on,
    load,
    main,
    newest,
)


def test_the_frozen_file_is_intact_and_unscored() -> None:
    doc = load(FROZEN)
    assert doc["filed"] == filed_on(FROZEN)
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
    """Every frozen file intact; the newest's items re-run with its replications and seed
    give the same counts."""
    problems = check_all()
    assert not problems, "\n".join(problems)


def _file(directory: Path, filed: str, name: str | None = None, **change) -> Path:
    doc = {**json.loads(FROZEN.read_text(encoding="utf-8")), "filed": filed, **change}
    doc["sha256"] = digest(doc)
    out = directory / (name or f"predictions_{filed}.json")
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


def test_every_frozen_file_is_hash_checked_and_the_newest_by_its_date_is_reproduced(
        tmp_path: Path) -> None:
    """Before: only predictions_{FILED}.json was checked, so a new filing (FILED changed,
    as the message told) left the 2026-12-07 record unchecked."""
    (tmp_path / FROZEN.name).write_bytes(FROZEN.read_bytes())
    later = _file(tmp_path, "2027-03-01", name="predictions_0000-later.json")
    assert newest(tmp_path) == later  # by the date in the file, not the name
    assert check_all(tmp_path, reproduce=False) == []
    old = json.loads(FROZEN.read_text(encoding="utf-8"))
    old["predictions"][0]["p"] = 0.5
    (tmp_path / FROZEN.name).write_text(json.dumps(old), encoding="utf-8")
    problems = check_all(tmp_path, reproduce=False)
    assert len(problems) == 1 and FROZEN.name in problems[0] and "altered" in problems[0]


def test_a_prediction_no_longer_reproduced_asks_for_a_new_dated_file(tmp_path: Path) -> None:
    """The message says to add a dated file and keep the old ones (it used to say to set
    FILED, which stopped the old file being checked)."""
    first = json.loads(FROZEN.read_text(encoding="utf-8"))["predictions"][0]
    moved = _file(tmp_path, "2027-03-01", replications=2,
                  predictions=[{**first, "runs": 2, "yes": -2, "p": -1.0}])
    (msg,) = check(moved)
    assert "no longer reproduces" in msg and "add a new dated file" in msg
    assert "old files stay as records, hash-checked, never edited" in msg
    assert "FILED" not in msg


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
    bad.write_text(json.dumps({"filed": "2026-12-07"}), encoding="utf-8")
    assert main(["--check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "'commit'" in err and "Traceback" not in err


def test_write_never_overwrites_and_takes_the_date_from_the_name(tmp_path: Path,
                                                                capsys) -> None:
    assert main(["--write", str(FROZEN)]) == 2
    assert "never overwritten" in capsys.readouterr().err
    assert main(["--write", str(tmp_path / "predictions_new.json")]) == 2
    assert "predictions_<YYYY-MM-DD>.json" in capsys.readouterr().err


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
