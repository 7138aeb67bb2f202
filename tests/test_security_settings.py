"""The security block's assumptions set from a scenario (mechanism_settings.security).

``pool_rho``, ``enforcement_weight``, ``haven_share``, ``transnational_share``,
``k_pool_scale`` and ``beta`` (docs/security.md section 10) are written in the scenario or
with ``--set`` and build the block once per batch. Checked against identities: with
``pool_rho`` 1 and ``enforcement_weight`` 0 a state joining RATS raises a pooler's
protection by exactly ``k_pool * level * effort / 10`` (the summation pool); with
``haven_share`` 0 enforcement displaces no incident to a state outside the SCO; with
``transnational_share`` 0 RATS pooling moves no incident at 2018-2022 instability. Bad
values are refused naming the field and its range, and a sweep refuses those it cannot
vary run by run (``beta``, ``k_pool_scale``) with the settings it may vary.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from scosim.api import check_sweep
from scosim.data.constants import ECONOMIES, MEMBERS
from scosim.model.model import SCOModel
from scosim.runner import run_model
from scosim.scenario import ScenarioError, load_scenario
from scosim.security.mechanism import _system, security_mechanism
from scosim.security.model import SecuritySystem
from scosim.security.params import SecurityParams
from scosim.security.settings_system import PARAM_SETTINGS, system_for
from scosim.security.spec import SecuritySettings

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
KEY = "parameters.mechanism_settings.security."
KGZ, AFG, TKM = (ECONOMIES.index(c) for c in ("KGZ", "AFG", "TKM"))
#: Index of 2027 in afghan_instability.yaml's years (2025-2035): Afghanistan's first year
#: as a member after a 2026 accession.
Y2027 = 2


def _records(model: SCOModel) -> dict[str, np.ndarray]:
    return {k: np.stack(v, axis=1) for k, v in model.records.items()}


@pytest.fixture(scope="module")
def accession(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/security.md's Afghan accession (2026), adopted in every run."""
    d = tmp_path_factory.mktemp("acc")
    (d / "acc.yaml").write_text(
        f"extends: {SCEN / 'afghan_instability.yaml'}\n"
        "name: acc\n"
        "parameters: {rules: {vote: always_yes}}\n"
        "proposals:\n"
        "  - {type: accession, id: afg-accession, year: 2026, applicant: AFG, proposer: UZB}\n")
    return d / "acc.yaml"


def _run(path: Path, runs: list[int] | None = None, **settings: float) -> SCOModel:
    over = {KEY + k: v for k, v in settings.items()}
    return run_model(load_scenario(path, overrides=over), runs=runs or [0])


def test_the_defaults_are_the_params_and_give_the_shared_block() -> None:
    s, p = SecuritySettings(), SecurityParams()
    for f in PARAM_SETTINGS:
        assert getattr(s, f) == getattr(p, f), f
    assert s.k_pool_scale == 1.0
    # Nothing written, or the defaults written: the same block object, so the same bits.
    default = _system()
    assert system_for(s, default) is default
    assert system_for(SecuritySettings(pool_rho=-1.0, haven_share=0.25), default) is default
    other = system_for(SecuritySettings(k_pool_scale=2.0, beta=3.0, pool_rho="-inf"), default)
    assert other.params.k_pool == tuple(2 * k for k in p.k_pool)
    assert other.params.beta == 3.0 and other.params.pool_rho == -math.inf
    # A setting at its shipped value leaves the block's own value (a block built in Python
    # with another haven share keeps it when the scenario changes only the pool).
    own = SecuritySystem(params=replace(p, haven_share=0.0))
    assert system_for(s, own) is own
    assert system_for(SecuritySettings(pool_rho=1.0), own).params.haven_share == 0.0
    # haven_slope reaches the block's parameters (and only it changes).
    g = system_for(SecuritySettings(haven_slope=30.0), default)
    assert g.params.haven_slope == 30.0 and replace(g.params, haven_slope=p.haven_slope) == p
    # So does haven_blowback (the default 0.5 is the shared block).
    f = system_for(SecuritySettings(haven_blowback=1.0), default)
    assert f.params.haven_blowback == 1.0 and replace(f.params,
                                                      haven_blowback=p.haven_blowback) == p
    assert system_for(SecuritySettings(haven_blowback=0.5), default) is default


@pytest.mark.parametrize(("scale", "k_intel"), [(1.0, 0.6), (2.0, 1.2)])
def test_summation_pool_gives_the_identity(accession: Path, scale: float, k_intel: float) -> None:
    """pool_rho 1, enforcement_weight 0: Afghanistan's accession raises Kyrgyzstan's
    protection by k_pool[intel] * 1 * 0.5 / 10 (it pools intelligence at effort 0.5; every
    partner of Kyrgyzstan is a member at 0.5 already, so nothing else moves)."""
    summ = {"pool_rho": 1.0, "enforcement_weight": 0.0, "k_pool_scale": scale}
    acc = _records(_run(accession, **summ))
    none = _records(run_model(load_scenario(accession, overrides={
        **{KEY + k: v for k, v in summ.items()}, "proposals": []}), runs=[0]))
    assert acc["effort_intel"][0, Y2027, AFG] == 0.5
    s0 = none["security_index"][0, Y2027, KGZ]
    dz = k_intel * 1.0 * 0.5 / 10
    np.testing.assert_allclose(acc["security_index"][0, Y2027:, KGZ] - s0,
                               (1 - s0) * -np.expm1(-dz), rtol=1e-9)
    if scale == 1.0:
        # The default pool (harmonic mean of capacity-weighted efforts) gives far less.
        dflt = _records(_run(accession))
        dflt0 = _records(run_model(load_scenario(accession, overrides={"proposals": []}),
                                   runs=[0]))
        gain = dflt["security_index"][0, Y2027, KGZ] - dflt0["security_index"][0, Y2027, KGZ]
        assert 0 < gain < 0.5 * (acc["security_index"][0, Y2027, KGZ] - s0)


def test_haven_share_0_displaces_nothing_to_outsiders(accession: Path, tmp_path: Path) -> None:
    """Written in the scenario file: the same numbers as the --set override."""
    child = tmp_path / "acc_h0.yaml"
    child.write_text(f"extends: {accession}\nname: acc_h0\n"
                     "parameters: {mechanism_settings: {security: {haven_share: 0.0}}}\n")
    m = run_model(load_scenario(child), runs=[0])
    assert security_mechanism(m).system.params.haven_share == 0.0
    h0 = _records(m)
    over = _records(_run(accession, haven_share=0.0))
    for k in h0:
        np.testing.assert_array_equal(h0[k], over[k], err_msg=k)
    none = _records(run_model(load_scenario(child, overrides={"proposals": []}), runs=[0]))
    outside = [i for i, c in enumerate(ECONOMIES[:-1]) if c not in (*MEMBERS, "AFG")]
    rise = h0["expected_incidents"][0][:, outside] - none["expected_incidents"][0][:, outside]
    assert rise.max() <= 1e-9
    # At the default share Afghanistan's enforcement sends groups to Turkmenistan, its
    # least capable neighbour (0.18 to 0.26 more expected incidents a year from 2027).
    dflt = _records(_run(accession))
    dflt0 = _records(run_model(load_scenario(accession, overrides={"proposals": []}), runs=[0]))
    assert (dflt["expected_incidents"][0, Y2027:, TKM]
            - dflt0["expected_incidents"][0, Y2027:, TKM]).min() > 0.1


def test_transnational_share_0_leaves_pooling_nothing_to_act_on() -> None:
    default = _system()
    for share, moves in ((0.0, False), (0.15, True)):
        sys_ = system_for(SecuritySettings(transnational_share=share), default)
        st = sys_.baseline_state(1)
        base = sys_.expected_incidents(st, st.efforts, 1.0)
        st_up = sys_.with_rats(st, (2.0, 1.0, 1.0))
        up = sys_.expected_incidents(st_up, st.efforts, 1.0)
        assert (not np.allclose(up, base, rtol=0, atol=1e-12)) == moves, share
    m = _run(SCEN / "afghan_instability.yaml", transnational_share=0.3)
    assert security_mechanism(m).system.params.transnational_share == 0.3


def test_a_batch_row_is_its_run_alone_and_a_sweep_refuses_batch_settings() -> None:
    sc = load_scenario(SCEN / "afghan_instability.yaml",
                       overrides={KEY + "pool_rho": "-inf", KEY + "haven_share": 0.5})
    batch, alone = _records(run_model(sc, runs=[0, 1])), _records(run_model(sc, runs=[1]))
    for k in batch:
        np.testing.assert_array_equal(batch[k][1:2], alone[k], err_msg=k)
    # A sweep of the per-run setting runs at the batch's settings: a point's run is the run
    # with both set by override.
    swept = _records(run_model(sc, runs=[0, 0],
                               params={KEY + "instability_change_scale": np.array([0.5, 2.0])}))
    point = _records(run_model(load_scenario(SCEN / "afghan_instability.yaml", overrides={
        KEY + "pool_rho": "-inf", KEY + "haven_share": 0.5,
        KEY + "instability_change_scale": 2.0}), runs=[0]))
    for k in point:
        np.testing.assert_array_equal(swept[k][1:2], point[k], err_msg=k)
    with pytest.raises((ScenarioError, ValueError),
                       match=r"'k_pool_scale'.*cannot be swept.*instability_change_scale"):
        check_sweep(str(SCEN / "afghan_instability.yaml"), {KEY + "k_pool_scale": [0.5, 2.0]},
                    ["incidents:PAK"])


@pytest.mark.parametrize(("field", "value", "says"), [
    ("pool_rho", 2.0, "[-20, 1] or -.inf"),
    ("pool_rho", -50.0, "[-20, 1] or -.inf"),
    ("pool_rho", math.nan, "[-20, 1] or -.inf"),
    ("enforcement_weight", -1.0, "0 <= enforcement_weight <= 5"),
    ("haven_share", 1.5, "0 <= haven_share <= 1"),
    ("haven_slope", -1.0, "0 <= haven_slope <= 1000"),
    ("haven_slope", 5000.0, "0 <= haven_slope <= 1000"),
    ("haven_blowback", -0.1, "0 <= haven_blowback <= 1"),
    ("haven_blowback", 1.5, "0 <= haven_blowback <= 1"),
    ("transnational_share", -0.1, "0 <= transnational_share <= 1"),
    ("k_pool_scale", -1.0, "0 <= k_pool_scale <= 10"),
    ("beta", 0.0, "0 < beta <= 10"),
])
def test_bad_values_name_the_field_and_range(field: str, value: float, says: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCEN / "afghan_instability.yaml", overrides={KEY + field: value})
    assert KEY + field in str(err.value) and says in str(err.value)


@pytest.mark.parametrize("old", ["haven_gamma", "haven_floor"])
def test_the_replaced_haven_settings_say_what_replaced_them(
        old: str, capsys: pytest.CaptureFixture[str]) -> None:
    from scosim.cli import main

    sc = str(SCEN / "afghan_instability.yaml")
    assert main(["validate", sc, "--set", KEY + old + "=2"]) == 2
    err = capsys.readouterr().err
    assert old in err and "haven_slope" in err and "haven_blowback" in err
    assert "Traceback" not in err
    # A sweep names them too (they are not among its settings).
    with pytest.raises((ScenarioError, ValueError), match=old):
        check_sweep(sc, {KEY + old: [0.0, 2.0]}, ["incidents:PAK"])


def test_the_command_line_refuses_a_bad_value_without_a_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    from scosim.cli import main

    sc = str(SCEN / "afghan_instability.yaml")
    assert main(["validate", sc, "--set", KEY + "haven_share=2"]) == 2
    err = capsys.readouterr().err
    assert KEY + "haven_share" in err and "0 <= haven_share <= 1" in err
    assert "Traceback" not in err
    assert main(["validate", sc, "--set", KEY + "pool_rho=-inf"]) == 0
