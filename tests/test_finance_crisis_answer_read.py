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
    assert outcome_counts(run) is None
    assert outcome_lines(run, 2026) == []


def test_membership_is_read_from_the_first_file_only(tmp_path: Path, monkeypatch) -> None:
    run = _write(tmp_path, [_finance(4), _finance(3), _finance(2)])
    asked: list[list[str]] = []
    read = pq.read_table

    def spy(*args, **kwargs):
        asked.append(sorted(kwargs["filters"][0][2]))
        return read(*args, **kwargs)

    monkeypatch.setattr(pq, "read_table", spy)
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
