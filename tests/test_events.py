"""The event log: details serialised per run without a loop over runs."""

import json

import numpy as np

from scosim.model.events import EventLog


def test_details_match_json_dumps_for_every_run():
    rng = np.random.default_rng(3)
    runs = np.array([7, 3, 11, 5, 2])
    log = EventLog(runs)
    mask = np.array([True, False, True, True, True])
    detail = {
        "yes": rng.random(5) > 0.5,
        "utility": rng.normal(size=5) * 1e-3,
        "count": np.arange(5) * 3,
        "rule": "utility_vote",
        "with_": ["KGZ", "TJK"],
        "size": 0.25,
    }
    log.add(mask, 2030, "vote", "KAZ", "cu", **detail)
    df = log.to_frame()
    assert list(df["run"]) == sorted(runs[mask].tolist())
    for _, row in df.iterrows():
        k = int(np.flatnonzero(runs == row["run"])[0])
        expected = {
            n: (v[k].item() if isinstance(v, np.ndarray) else v) for n, v in detail.items()
        }
        assert row["detail"] == json.dumps(expected, sort_keys=True)


def test_non_finite_numbers_become_json_null():
    log = EventLog(np.arange(2))
    log.add(None, 2025, "x", value=np.array([np.nan, 1.5]))
    d = [json.loads(s) for s in log.to_frame()["detail"]]
    assert d == [{"value": None}, {"value": 1.5}]


def test_no_details_give_empty_objects():
    log = EventLog(np.arange(3))
    log.add(None, 2025, "summit", "CHN")
    assert set(log.to_frame()["detail"]) == {"{}"}
