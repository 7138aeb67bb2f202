"""Values every model derives from the calibration alone are built once per calibration."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest

from scosim.data import load_calibration
from scosim.data.calibration import _DERIVED, derived, load_calibration_from
from scosim.mechanisms.suspensions import suspended_pairs
from scosim.model.model import SCOModel
from scosim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_derived_computes_once_per_calibration_and_key() -> None:
    cal = load_calibration()
    calls: list[str] = []

    def build(tag: str) -> str:
        calls.append(tag)
        return tag

    key = ("test_derived", 1)
    assert derived(cal, key, lambda: build("a")) == "a"
    assert derived(cal, key, lambda: build("b")) == "a"  # kept, not rebuilt
    assert derived(cal, ("test_derived", 2), lambda: build("c")) == "c"
    assert calls == ["a", "c"]


def test_derived_values_go_with_their_calibration() -> None:
    from scosim.data.calibration import TABLES_DIR

    cal = load_calibration_from(TABLES_DIR / "2023")  # not the loader's cached object
    derived(cal, "x", lambda: 1)
    ident = id(cal)
    assert ident in _DERIVED
    del cal
    gc.collect()
    assert ident not in _DERIVED


def test_models_share_blocs_and_matrices_and_cannot_change_them() -> None:
    sc = load_scenario(ROOT / "scenarios" / "customs_union.yaml")
    cal = load_calibration()
    a, b = (SCOModel(sc, runs=[r], calibration=cal) for r in (0, 1))
    ua, ub = a.arrangements[0], b.arrangements[0]
    assert ua.preferences is ub.preferences
    assert all(x is y for x, y in zip(ua.blocs, ub.blocs, strict=True))
    codes = list(a.codes)
    # the same matrices as a direct lookup (off India-Pakistan's suspended cells, which
    # each model re-states at its run's sigma), and each model holds its own copy
    off = ~suspended_pairs(cal.provenance, codes)
    np.testing.assert_array_equal(a.tau0[off],
                                  cal.tariffs.loc[codes, codes].to_numpy(dtype=float)[off])
    np.testing.assert_array_equal(a.trade_cif0, cal.trade.loc[codes, codes].to_numpy(dtype=float))
    a.tau0[0, 1] += 1.0
    assert b.tau0[0, 1] != a.tau0[0, 1]
    with pytest.raises(ValueError, match="read-only"):
        ua.preferences[0, 1] = True


def test_corridor_models_share_one_network_per_value_of_time() -> None:
    from scosim.network.mechanism import shared_network

    path = ROOT / "scenarios" / "corridor_instc.yaml"
    cal = load_calibration()
    a, b = (SCOModel(load_scenario(path), runs=[r], calibration=cal) for r in (0, 1))
    assert shared_network(a).net is shared_network(b).net  # built once
    assert shared_network(a) is not shared_network(b)  # each model keeps its own step cache
    slow = SCOModel(load_scenario(path, overrides={"parameters.network.vot_per_day": 0.02}),
                    runs=[0], calibration=cal)
    assert shared_network(slow).net is not shared_network(a).net
    assert shared_network(slow).net.params["vot_per_day"] == 0.02
