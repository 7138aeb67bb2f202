"""A union's two participants are counted after the blocs the listed states bring.

Outside review: ``participants: [RUS]`` was refused ("needs at least 2 participants")
although Russia brings the whole EAEU into any union. Now validation and the run count
economies after bloc expansion; such a union of exactly the EAEU changes no tariff at
the EAEU's own rate (tests/test_cet_territory.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.cli import main
from scosim.data import load_calibration
from scosim.model.model import SCOModel
from scosim.scenario.loader import validate_data

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
EAEU = {"ARM", "BLR", "KAZ", "KGZ", "RUS"}


@pytest.fixture(autouse=True)
def _default_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation reads the blocs of the data version the run loads: the default here."""
    monkeypatch.delenv("SCOSIM_DATA_VERSION", raising=False)


def _doc(participants: list[str], kind: str = "customs_union") -> dict:
    return {"extends": str(BASELINE), "name": "one", "years": {"start": 2025, "end": 2027},
            "replications": 1, "parameters": {"rules": {"vote": "always_yes"}},
            "proposals": [{"type": kind, "id": "cu", "year": 2026, "proposer": "RUS",
                           "participants": participants}]}


def _write(tmp_path: Path, doc: dict) -> Path:
    import yaml

    f = tmp_path / "one.yaml"
    f.write_text(yaml.safe_dump(doc, sort_keys=False))
    return f


@pytest.mark.parametrize("kind", ["customs_union", "free_trade_area"])
def test_russia_alone_brings_the_eaeu_and_validates(kind: str, tmp_path, capsys) -> None:
    f = _write(tmp_path, _doc(["RUS"], kind))
    assert main(["validate", str(f)]) == 0, capsys.readouterr().err


def test_russia_alone_runs_as_the_eaeu_and_changes_no_tariff() -> None:
    m = SCOModel(validate_data(_doc(["RUS"])), runs=[0])
    m.run_model()
    union = m.arrangements[0]
    assert union.in_force.all()
    assert {c for c, x in zip(m.codes, union.participants[0], strict=True) if x} == EAEU
    assert np.array_equal(m.tariffs[0], m.tau0)


def test_a_state_in_no_bloc_alone_is_refused_naming_the_field(tmp_path, capsys) -> None:
    f = _write(tmp_path, _doc(["CHN"]))
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:" in err and "proposals[0].participants: a customs union needs at least 2 " \
        "participants, got ['CHN']; CHN is in no customs union in force in data version " \
        "2023 (a state in one brings its partners: RUS brings RUS KAZ KGZ BLR ARM)" in err
    assert "Traceback" not in err


def test_without_blocs_russia_alone_is_refused_at_validation_and_set_up(
        tmp_path, capsys, monkeypatch) -> None:
    """Data version 2019 has no agreements table: Russia brings no one, in validation and
    in a model given that calibration after validating on 2023 (as a hindcast may)."""
    sc = validate_data(_doc(["RUS"]))
    with pytest.raises(ValueError, match=(
            r"proposals\[cu\]\.participants: a customs union needs at least 2 participants, "
            r"got \['RUS'\]; data version 2019 has no customs union in force")):
        SCOModel(sc, runs=[0], calibration=load_calibration("2019"))
    monkeypatch.setenv("SCOSIM_DATA_VERSION", "2019")
    f = _write(tmp_path, _doc(["RUS"]))
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "proposals[0].participants: a customs union needs at least 2 participants, got " \
        "['RUS']; data version 2019 has no customs union in force" in err
    assert "Traceback" not in err
