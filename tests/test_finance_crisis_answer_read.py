"""The answer's banking line: read only from a run with the finance slot, named as drawn.

A code review found that every run and ``scosim show`` read all its batch files (the
``member`` rows too) for this line before finding no ``bank_failures`` (6-8 s at 5,000
runs of ``customs_union.yaml``), and that a run without ``member`` rows printed "banking
crisis among the SCO members ... (plots/banking.png, first panel)" though the figure,
which falls back to all economies, was not drawn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _tidy import tidy_rows
from scosim import batch_rows
from scosim.finance import crisis_outcomes
from scosim.finance.crisis_outcomes import outcome_counts, outcome_lines
from scosim.finance.run_summary import RUN_INDICATORS
from scosim.result_tables import with_indicator_names

CODES = ["AAA", "BBB", "CCC"]
YEARS = [2026, 2027]


def _write(run: Path, batches: list[dict[str, np.ndarray]]) -> Path:
    """Batch files of tidy rows, each ``{indicator: (R, T, N)}``, listed in metadata."""
    d = run / "indicators"
    d.mkdir(parents=True)
    run0 = 0
    for b, arrays in enumerate(batches):
        rows = tidy_rows(arrays, run0, YEARS, CODES)
        run0 += next(iter(arrays.values())).shape[0]
        table = pa.Table.from_pandas(rows, preserve_index=False)
        pq.write_table(with_indicator_names(table), d / f"batch-{b:05d}.parquet")
    return run


def _finance(r: int, member: bool = True, full: bool = True) -> dict[str, np.ndarray]:
    """A batch of ``r`` runs: AAA fails in 2026 in every run, BBB is resolved."""
    shape = (r, len(YEARS), len(CODES))
    fail, res = np.zeros(shape), np.zeros(shape)
    fail[:, 0, 0] = 1.0
    res[:, 0, 1] = 1.0
    out = {"bank_failures": fail, "bank_resolutions": res,
           "bank_resolutions_refused": np.zeros(shape)}
    if full:
        out.update({k: np.zeros(shape) for k in RUN_INDICATORS if k not in out})
    if member:  # AAA and BBB members, CCC not
        out["member"] = np.broadcast_to(np.array([1.0, 1.0, 0.0]), shape).copy()
    return out


def test_a_run_without_the_finance_slot_reads_no_row(tmp_path: Path, monkeypatch) -> None:
    shape = (5, len(YEARS), len(CODES))
    run = _write(tmp_path, [{"welfare_change_pct": np.ones(shape), "member": np.ones(shape)}] * 3)

    def refuse(*args, **kwargs):
        raise AssertionError("a batch file's rows were read")

    monkeypatch.setattr(pq, "read_table", refuse)
    monkeypatch.setattr(batch_rows, "read_rows", refuse)
    assert outcome_counts(run) is None
    assert outcome_lines(run, 2026) == []


def test_membership_is_read_from_the_first_file_only(tmp_path: Path, monkeypatch) -> None:
    run = _write(tmp_path, [_finance(4), _finance(3), _finance(2)])
    asked: list[list[str]] = []
    read = batch_rows.read_rows

    def spy(path, columns, keep=None, by="indicator"):
        asked.append(sorted(keep))
        return read(path, columns, keep, by)

    monkeypatch.setattr(batch_rows, "read_rows", spy)
    c = outcome_counts(run)
    assert c is not None and c.n_runs == 9 and c.group == ["AAA", "BBB"]
    assert ["member" in a for a in asked] == [True, False, False]
    np.testing.assert_array_equal(c.failed, [9, 0])  # AAA's failure is the worst outcome


def test_without_membership_the_group_is_every_economy(tmp_path: Path) -> None:
    run = _write(tmp_path, [_finance(4, member=False)])
    c = outcome_counts(run)
    assert c is not None and c.group is None
    text = " ".join(outcome_lines(run, 2026, drawing=True))
    assert "banking crisis among all economies" in text
    assert "SCO members" not in text


@pytest.mark.parametrize(("full", "drawing", "on_disk", "cited"), [
    (True, True, False, True),     # scosim run: the figure is drawn after the answer
    (True, False, False, False),   # scosim show of a --no-plots run: no figure
    (True, False, True, True),     # scosim show of a run with its figures
    (False, True, False, False),   # outputs.indicators left the figure's amounts out
])
def test_the_figure_is_cited_only_where_drawn(tmp_path: Path, full: bool, drawing: bool,
                                              on_disk: bool, cited: bool) -> None:
    run = _write(tmp_path, [_finance(4, full=full)])
    if on_disk:
        (run / "plots").mkdir()
        (run / "plots" / crisis_outcomes.FIGURE).write_bytes(b"")
    text = " ".join(outcome_lines(run, 2026, drawing=drawing))
    assert "banking crisis among the SCO members" in text
    assert ("plots/banking.png" in text) is cited


def test_one_run_is_singular(tmp_path: Path) -> None:
    text = " ".join(outcome_lines(_write(tmp_path, [_finance(1)]), 2026))
    assert "of 1 run =" in text and "1 runs" not in text
    assert "100 % of 1 run = failure 100 %" in text


@pytest.mark.parametrize("member", [True, False])
def test_the_figure_and_the_answer_count_from_one_read(tmp_path: Path, monkeypatch,
                                                       member: bool) -> None:
    """plot_run gathers the banking figure's rows once and the answer counts from them.

    The counts are those :func:`outcome_counts` reads on its own, and the figure's first
    panel (its stacked runs per outcome) is the answer's line, as both say.
    """
    from scosim.mechanism_plots import gather

    first = _finance(4, member=member)
    first["fiscal_cost_usd"][:2, 0, 0] = 5e9  # something for the other panels to sum
    run = _write(tmp_path, [first, _finance(3, member=member), _finance(2, member=member)])
    alone = outcome_counts(run)
    files: list[str] = []
    read = batch_rows.read_rows

    def spy(path, columns, keep=None, by="indicator"):
        files.append(Path(path).name)
        return read(path, columns, keep, by)

    monkeypatch.setattr(batch_rows, "read_rows", spy)
    got = gather(run)
    text = outcome_lines(run, 2026, drawing=True, counts=got.outcomes)
    assert sorted(files) == ["batch-00000.parquet", "batch-00001.parquet",
                             "batch-00002.parquet"]  # each once, for both
    assert alone is not None and got.outcomes.n_runs == alone.n_runs == 9
    for field in ("years", "codes", "group", "drawable"):
        assert getattr(got.outcomes, field) == getattr(alone, field)
    for field in ("failed", "undercapitalised", "resolved"):
        np.testing.assert_array_equal(getattr(got.outcomes, field), getattr(alone, field))
    assert text == outcome_lines(run, 2026, drawing=True)
    drawn = got.banking.summary()
    assert drawn is not None and drawn.n_runs == 9
    np.testing.assert_array_equal(drawn.failed, alone.failed)
    np.testing.assert_array_equal(drawn.resolved, alone.resolved)
    np.testing.assert_array_equal(drawn.undercapitalised, alone.undercapitalised)
    # Group AAA+BBB (members) or all three: AAA fails in 2026 in all 9 runs.
    np.testing.assert_array_equal(alone.failed, [9, 0])


def test_a_gathered_run_without_the_finance_slot_has_no_banking_line(tmp_path: Path) -> None:
    from scosim.mechanism_plots import gather

    shape = (3, len(YEARS), len(CODES))
    run = _write(tmp_path, [{"security_index": np.ones(shape), "member": np.ones(shape)}])
    got = gather(run)
    assert got is not None and got.outcomes.n_runs == 0
    assert outcome_lines(run, 2026, counts=got.outcomes) == []
