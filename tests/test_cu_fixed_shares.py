"""Fixed revenue shares of a union against the participants the run will have.

An outside review (2026-12-05): a union of all members with ``revenue_sharing: fixed``
could not be run. Validation refused a share for Armenia ("not a participant"), which
the EAEU brings into the union; without that share validation passed and the run
stopped at set-up ("no share for ARM"). Now validation expands the participants by
their blocs as the run does, and the two accept and refuse the same scenarios.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scosim.cli import main
from scosim.data import load_calibration
from scosim.model.model import SCOModel
from scosim.scenario import ScenarioError, load_scenario
from scosim.scenario.loader import validate_data

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
#: The reviewer's shares for a union of the ten members, Armenia's 0.05 taken from China.
MEMBERS_SHARES = {"CHN": 0.45, "RUS": 0.1, "IND": 0.1, "PAK": 0.05, "IRN": 0.05,
                  "KAZ": 0.05, "KGZ": 0.05, "TJK": 0.05, "UZB": 0.05, "BLR": 0.05}
WITH_ARM = {**MEMBERS_SHARES, "CHN": 0.4, "ARM": 0.05}


@pytest.fixture(autouse=True)
def _default_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation reads the blocs of the data version the run loads: the default here."""
    monkeypatch.delenv("SCOSIM_DATA_VERSION", raising=False)


def _union(shares: dict[str, float], participants: object = "members",
           **extra: object) -> dict:
    return {"extends": str(BASELINE), "name": "fixed", "years": {"start": 2025, "end": 2027},
            "replications": 1, "parameters": {"rules": {"vote": "always_yes"}},
            "proposals": [{"type": "customs_union", "id": "cu", "year": 2026,
                           "proposer": "CHN", "participants": participants,
                           "revenue_sharing": "fixed", "fixed_shares": shares}], **extra}


def _write(tmp_path: Path, doc: dict, name: str = "fixed.yaml") -> Path:
    import yaml

    f = tmp_path / name
    f.write_text(yaml.safe_dump(doc, sort_keys=False))
    return f


def _series(m: SCOModel, name: str) -> np.ndarray:
    """(R, years, N) of a recorded indicator."""
    return np.stack(m.records[name], axis=1)


def test_a_union_of_the_members_with_a_share_for_armenia_validates_and_runs(tmp_path):
    sc = load_scenario(_write(tmp_path, {**_union(WITH_ARM), "years": {"start": 2025,
                                                                      "end": 2028}}))
    m = SCOModel(sc)
    union = m.arrangements[0]
    assert union.open_to_members()  # still a union of the members: new ones join it
    m.run_model()
    inside = _series(m, "in_customs_union").astype(bool)
    got = _series(m, "tariff_revenue_after_sharing_usd")
    collected = _series(m, "tariff_revenue_collected_usd")
    arm = m.codes.index("ARM")
    s = np.array([WITH_ARM.get(c, 0.0) for c in m.codes])
    assert inside[:, -1, arm].all()  # Armenia in, with the EAEU
    for r in range(m.R):
        for t in range(inside.shape[1]):
            p = inside[r, t]
            if p.any():  # the pool split by the scenario's shares, Armenia's included
                np.testing.assert_allclose(got[r, t, p], s[p] / s[p].sum()
                                           * collected[r, t, p].sum(), rtol=1e-9)
    assert got[:, -1, arm].min() > 0.0


def test_a_union_of_the_members_without_armenias_share_is_refused_at_validation(
        tmp_path, capsys):
    f = _write(tmp_path, _union(MEMBERS_SHARES))
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:" in err and "proposals[0].fixed_shares: no share for ARM" in err
    assert "bloc RUS KAZ KGZ BLR ARM" in err and "give ARM a share under fixed_shares" in err
    # Not the old advice: listing ARM under participants closes the union to new members.
    assert "under participants" not in err and "Traceback" not in err


#: (participants, shares): what validation and the run must both accept or both refuse.
CASES = {
    "members_with_arm": ("members", WITH_ARM),
    "members_without_arm": ("members", MEMBERS_SHARES),
    "eaeu_missing": (["CHN", "RUS"], {"CHN": 0.6, "RUS": 0.4}),
    # A listed participant outside any bloc may go without a share (docs: a net payer).
    "listed_without_share": (["CHN", "PAK", "IRN"], {"CHN": 0.6, "PAK": 0.4}),
    "arm_share_not_listed": (["CHN", "RUS", "KAZ", "KGZ", "BLR"],
                             {"CHN": 0.5, "RUS": 0.2, "KAZ": 0.1, "KGZ": 0.1, "BLR": 0.05,
                              "ARM": 0.05}),
    "outsider_share": (["CHN", "PAK"], {"CHN": 0.6, "IND": 0.4}),
}
ACCEPTED = {"members_with_arm", "listed_without_share", "arm_share_not_listed"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_and_run_agree(case: str, tmp_path, capsys):
    participants, shares = CASES[case]
    f = _write(tmp_path, _union(shares, participants))
    checked = main(["validate", str(f)])
    said = capsys.readouterr().err
    ran = main(["run", str(f), "--out", str(tmp_path / "out"), "--quiet", "--no-plots"])
    run_err = capsys.readouterr().err
    assert (checked == 0) is (ran == 0) is (case in ACCEPTED), (said, run_err)
    if checked != 0:
        assert said.strip() and said.strip() in run_err  # refused in the same words


def test_set_up_checks_the_shares_against_its_own_calibration(monkeypatch):
    """A model given another calibration (a hindcast does) refuses as validation would."""
    monkeypatch.setenv("SCOSIM_DATA_VERSION", "2019")  # no agreements table: no blocs
    sc = validate_data(_union({"CHN": 0.6, "RUS": 0.4}, ["CHN", "RUS"]))
    with pytest.raises(ValueError, match=(
            r"proposals\[cu\]\.fixed_shares: no share for KAZ, KGZ, BLR, ARM, .* in force in "
            r"data version 2023 .*give KAZ, KGZ, BLR, ARM a share")):
        SCOModel(sc, calibration=load_calibration("2023"))
    with pytest.raises(ScenarioError, match="ARM is not a participant of 'cu'; participants "
                       "in data version 2019: CHN, RUS, IND"):
        validate_data(_union(WITH_ARM))
    monkeypatch.delenv("SCOSIM_DATA_VERSION")
    sc = validate_data(_union(WITH_ARM))
    with pytest.raises(ValueError, match=r"proposals\[cu\]\.fixed_shares\.ARM: ARM is not a "
                       r"participant of 'cu'; participants in data version 2019"):
        SCOModel(sc, calibration=load_calibration("2019"))


def test_a_state_acceding_later_joins_with_its_bloc_and_no_share():
    """The documented limit (docs/customs_union.md, Blocs, rule 5) is kept, not refused."""
    doc = _union(WITH_ARM, years={"start": 2025, "end": 2030})
    doc["proposals"].append({"type": "accession", "id": "sau", "year": 2028,
                             "applicant": "SAU"})
    m = SCOModel(validate_data(doc))
    m.run_model()
    inside = _series(m, "in_customs_union").astype(bool)[:, -1]
    got = _series(m, "tariff_revenue_after_sharing_usd")[:, -1]
    gcc = [m.codes.index(c) for c in ("ARE", "BHR", "KWT", "QAT", "SAU")]
    assert inside[:, gcc].all()  # Saudi Arabia brought the GCC in
    assert (got[:, gcc] == 0.0).all()  # they pool their duties and receive none of the pool
