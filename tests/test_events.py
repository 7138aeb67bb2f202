"""The event log: one typed column per declared detail field, a fixed schema per run."""

import json

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from scosim.model.events import (
    CORE_FIELDS,
    KEY_COLUMNS,
    EventField,
    EventLog,
    expand_legacy_detail,
)
from scosim.results import write_table
from scosim.runner import run_model
from scosim.runstats import RunStats
from scosim.scenario.loader import load_scenario

KINDS = {"float": "float64", "int": "Int64", "bool": "boolean"}


def _log_some(log: EventLog, rng: np.random.Generator) -> None:
    R = log.run_ids.size
    mask = rng.random(R) > 0.3
    log.add(mask, 2030, "vote", "KAZ", "cu", yes=rng.random(R) > 0.5,
            utility=rng.normal(size=R) * 1e-3, rule="utility_vote", sponsor=False)
    log.add(None, 2027, "rejected", "", "cu", n_no=rng.integers(0, 5, R))
    log.add(None, 2026, "trust_shock", "KGZ", change=-0.2, with_=["KGZ", "TJK"])
    log.add(None, 2026, "summit", "CHN")


def _expected(value, kind):
    if kind == "codes":
        return " ".join(value)
    return value


def test_typed_columns_hold_what_records_gives_for_every_run():
    rng = np.random.default_rng(3)
    runs = np.array([7, 3, 11, 5, 2, 9])
    log = EventLog(runs)
    _log_some(log, rng)
    df = log.to_frame()
    assert list(df.columns[:5]) == list(KEY_COLUMNS)
    assert list(df.columns[5:]) == sorted(CORE_FIELDS)
    for name, f in CORE_FIELDS.items():
        want = KINDS.get(f.kind, "str")
        assert str(df[name].dtype) == want, name
    # Ordered by run, then year, then logging order.
    assert list(zip(df["run"], df["year"], strict=True)) == sorted(
        zip(df["run"], df["year"], strict=True))
    recs = sorted(log.records(), key=lambda r: (r["run"], r["year"]))
    assert len(recs) == len(df)
    for rec, (_, row) in zip(recs, df.iterrows(), strict=True):
        for key in KEY_COLUMNS:
            assert row[key] == rec[key]
        for name, f in CORE_FIELDS.items():
            if name in rec:
                assert row[name] == _expected(rec[name], f.kind), (rec["type"], name)
            else:
                assert pd.isna(row[name]), (rec["type"], name)


def test_table_does_not_depend_on_batching():
    rng = np.random.default_rng(5)
    draws = {k: rng.normal(size=6) for k in ("u", "n")}

    def log_for(runs):
        log = EventLog(np.array(runs))
        idx = np.array(runs)
        log.add(None, 2026, "vote", "IND", "cu", utility=draws["u"][idx], yes=draws["u"][idx] > 0)
        log.add(None, 2025, "vote", "CHN", "cu", noise=draws["n"][idx])
        log.add(None, 2026, "rejected", "", "cu", n_no=2)
        return log.to_frame()

    whole = log_for(range(6))
    parts = pd.concat([log_for([0, 1, 2]), log_for([3, 4, 5])], ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts)
    # Within a run and year the logging order is kept (IND's vote before the rejection).
    r0 = whole[(whole["run"] == 0) & (whole["year"] == 2026)]
    assert list(r0["type"]) == ["vote", "rejected"]


def test_schema_is_the_same_in_every_batch_even_where_a_field_never_occurs(tmp_path):
    rng = np.random.default_rng(1)
    a = EventLog(np.arange(0, 4))
    _log_some(a, rng)
    b = EventLog(np.arange(4, 8))
    b.add(None, 2025, "gdp_shock", "RUS", size=-0.05)  # no vote, no with_ in this batch
    c = EventLog(np.arange(8, 10))  # nothing logged at all
    for k, log in enumerate((a, b, c)):
        write_table(log.to_frame(), str(tmp_path), "events", k)
    files = sorted((tmp_path / "events").glob("*.parquet"))
    schemas = [pq.read_schema(f) for f in files]
    assert all(s.equals(schemas[0], check_metadata=True) for s in schemas[1:])
    assert str(schemas[0].field("with_").type) in ("string", "large_string")
    assert str(schemas[0].field("yes").type) == "bool"
    assert str(schemas[0].field("n_no").type) == "int64"
    back = ds.dataset([str(f) for f in files]).to_table().to_pandas()
    assert len(back) == len(a) + len(b)
    assert back.loc[back["run"] >= 4, "yes"].isna().all()
    assert back.loc[back["type"] == "gdp_shock", "size"].eq(-0.05).all()
    assert set(back.loc[back["type"] == "trust_shock", "with_"]) == {"KGZ TJK"}
    assert str(back["yes"].dtype) == "boolean" and str(back["n_no"].dtype) == "Int64"


def test_undeclared_or_ill_typed_fields_are_refused_naming_the_field():
    log = EventLog(np.arange(3))
    with pytest.raises(ValueError, match=r"'vote'.*'colour' is not declared.*yes"):
        log.add(None, 2025, "vote", "CHN", colour="red")
    with pytest.raises(ValueError, match=r"'n_no' is declared int"):
        log.add(None, 2025, "rejected", n_no=np.array([0.5, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"'yes' has shape \(2,\).*\(3,\)"):
        log.add(None, 2025, "vote", yes=np.array([True, False]))
    with pytest.raises(ValueError, match=r"'with_' is declared codes"):
        log.add(None, 2025, "trust_shock", with_="KGZ")
    assert len(log) == 0  # nothing half-logged
    # A plug-in declares its own; a key column or a clash of kinds is refused.
    log.declare({"visa_days": EventField("int", "days")}, "visa_free")
    assert log.add(None, 2025, "visa", "KAZ", visa_days=30) == 3
    assert log.to_frame()["visa_days"].tolist() == [30, 30, 30]
    with pytest.raises(ValueError, match=r"other: event field name 'country' is not allowed"):
        log.declare({"country": "str"}, "other")
    with pytest.raises(ValueError, match=r"declared as float, but visa_free declares it as int"):
        log.declare({"visa_days": "float"}, "other")
    with pytest.raises(ValueError, match=r"kind 'list' is unknown"):
        EventField("list")


def test_non_finite_floats_are_null():
    log = EventLog(np.arange(2))
    log.add(None, 2025, "vote", utility=np.array([np.nan, 1.5]))
    u = log.to_frame()["utility"]
    assert u.isna().tolist() == [True, False] and u.iloc[1] == 1.5


def test_a_proposal_types_declared_fields_become_columns(model_fixture):
    m = run_model(load_scenario(model_fixture("small_cu.yaml"), overrides={"replications": 2}))
    assert m.log.fields["bloc"].owner == "customs_union"
    df = m.log.to_frame()
    assert "bloc" in df.columns and str(df["bloc"].dtype) == "str"
    # Vote contributions add up to the score without its noise, row by row.
    votes = df[df["type"] == "vote"]
    contrib = votes[[c for c in df.columns if c.startswith("contrib_")]].sum(axis=1)
    np.testing.assert_allclose(contrib + votes["noise"], votes["utility"], rtol=0, atol=1e-12)
    base = run_model(load_scenario(model_fixture("small_base.yaml"),
                                   overrides={"replications": 2}))
    assert "bloc" not in base.log.to_frame().columns


def _legacy(log: EventLog) -> pd.DataFrame:
    """The table an older scosim wrote: details as JSON text, one object per row."""
    rows = []
    for rec in log.records():
        keys = {k: rec.pop(k) for k in KEY_COLUMNS}
        rows.append({**keys, "detail": json.dumps(rec, sort_keys=True)})
    df = pd.DataFrame(rows, columns=[*KEY_COLUMNS, "detail"])
    return df.sort_values(["run", "year"], kind="stable").reset_index(drop=True)


def test_old_runs_with_json_details_read_into_the_same_columns(model_fixture):
    m = run_model(load_scenario(model_fixture("small_cu.yaml"), overrides={"replications": 3}))
    new = m.log.to_frame()
    old = expand_legacy_detail(_legacy(m.log))
    assert "detail" not in old.columns
    votes_new = new[new["type"] == "vote"].reset_index(drop=True)
    votes_old = old[old["type"] == "vote"].reset_index(drop=True)
    for col in ("yes", "utility", "contrib_econ", "rule", "sponsor"):
        assert votes_old[col].dtype == votes_new[col].dtype, col
        pd.testing.assert_series_equal(votes_old[col], votes_new[col], check_names=False)
    # The statistics behind the vote-reasons plot are the same from either layout.
    a = RunStats.from_frames(None, new).first_vote.reasons(["econ", "sovereignty", "trust"])
    b = RunStats.from_frames(None, _legacy(m.log)).first_vote.reasons(
        ["econ", "sovereignty", "trust"])
    pd.testing.assert_frame_equal(a["means"], b["means"])
    pd.testing.assert_series_equal(a["yes"], b["yes"])
    pd.testing.assert_series_equal(a["rules"], b["rules"])
    assert expand_legacy_detail(new) is new


def test_result_events_of_an_old_run_come_back_in_todays_layout(model_fixture, tmp_path):
    from scosim.result_tables import open_result

    m = run_model(load_scenario(model_fixture("small_cu.yaml"), overrides={"replications": 2}))
    (tmp_path / "events").mkdir()
    _legacy(m.log).to_parquet(tmp_path / "events" / "batch-00000.parquet", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps({"scenario": "s", "seed": 1,
                                                        "status": "complete"}))
    ev = open_result(tmp_path).events
    assert "detail" not in ev.columns
    votes = ev[ev["type"] == "vote"].reset_index(drop=True)
    now = m.log.to_frame()
    now = now[now["type"] == "vote"].reset_index(drop=True)
    pd.testing.assert_series_equal(votes["utility"], now["utility"], check_names=False)


def test_docs_list_every_declared_field_and_executors_share_the_keys():
    from pathlib import Path

    from scosim.experiments import EVENT_COLUMNS
    from scosim.proposals import get_type

    text = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text()
    section = text[text.index("## Event log"):text.index("## Known limitations")]
    declared = {**CORE_FIELDS, **get_type("customs_union").event_fields}
    for name, f in declared.items():
        rows = [ln for ln in section.splitlines() if ln.startswith("|") and f"`{name}`" in ln]
        assert any(f"| {f.kind} |" in ln for ln in rows), f"docs/model.md lacks {name} ({f.kind})"
    assert tuple(EVENT_COLUMNS) == KEY_COLUMNS


def test_legacy_expansion_types_every_kind_like_the_log():
    log = EventLog(np.arange(5))
    _log_some(log, np.random.default_rng(8))
    new = log.to_frame()
    old = expand_legacy_detail(_legacy(log))
    assert set(old.columns) == {*KEY_COLUMNS, "yes", "utility", "rule", "sponsor", "n_no",
                                "change", "with_"}
    for col in old.columns:
        pd.testing.assert_series_equal(old[col], new[col], check_names=False, obj=col)
