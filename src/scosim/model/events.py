"""The run's event log, kept columnar so that thousands of runs log cheaply."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

EVENT_COLUMNS = ("run", "year", "type", "country", "proposal", "detail")


class EventLog:
    """Append-only log of events over a batch of runs.

    Each call to :meth:`add` records one event type for a set of runs at once;
    details may be scalars (same for every run) or arrays aligned with ``runs``.
    """

    def __init__(self, run_ids: np.ndarray) -> None:
        self.run_ids = np.asarray(run_ids, dtype=np.int64)
        self._chunks: list[dict[str, Any]] = []

    def add(
        self,
        mask: np.ndarray | None,
        year: int,
        type_: str,
        country: str = "",
        proposal: str = "",
        **detail: Any,
    ) -> int:
        """Record an event in the runs where ``mask`` is True (all runs if None).

        Args:
            mask: ``(R,)`` bool over the batch, or None for every run.
            year: Simulation year.
            type_: Event type (``vote``, ``veto``, ``adopted``, ``defection`` ...).
            country: Economy concerned, if any.
            proposal: Proposal id, if any.
            **detail: Extra fields; arrays of shape ``(R,)`` are taken per run.

        Returns:
            Number of rows added.
        """
        idx = np.arange(self.run_ids.size) if mask is None else np.flatnonzero(mask)
        if idx.size == 0:
            return 0
        self._chunks.append(
            {
                "idx": idx,
                "year": int(year),
                "type": type_,
                "country": country,
                "proposal": proposal,
                "detail": detail,
            }
        )
        return int(idx.size)

    def __len__(self) -> int:
        return sum(c["idx"].size for c in self._chunks)

    def records(self, run: int | None = None) -> Iterable[dict[str, Any]]:
        """Yield events as dicts (optionally for one batch position ``run``)."""
        for c in self._chunks:
            for k in c["idx"]:
                if run is not None and k != run:
                    continue
                yield {
                    "run": int(self.run_ids[k]),
                    "year": c["year"],
                    "type": c["type"],
                    "country": c["country"],
                    "proposal": c["proposal"],
                    **{n: _item(v, k) for n, v in c["detail"].items()},
                }

    def count(self, type_: str, country: str | None = None) -> np.ndarray:
        """Number of events of a type per batch position, ``(R,)``."""
        out = np.zeros(self.run_ids.size, dtype=np.int64)
        for c in self._chunks:
            if c["type"] == type_ and (country is None or c["country"] == country):
                np.add.at(out, c["idx"], 1)
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: run, year, type, country, proposal, detail (JSON text)."""
        if not self._chunks:
            return pd.DataFrame(
                {
                    "run": pd.Series([], dtype="int64"),
                    "year": pd.Series([], dtype="int64"),
                    "type": pd.Series([], dtype="str"),
                    "country": pd.Series([], dtype="str"),
                    "proposal": pd.Series([], dtype="str"),
                    "detail": pd.Series([], dtype="str"),
                }
            )
        parts = []
        for c in self._chunks:
            idx = c["idx"]
            details = _details_json(c["detail"], idx)
            parts.append(
                pd.DataFrame(
                    {
                        "run": self.run_ids[idx],
                        "year": np.full(idx.size, c["year"], dtype=np.int64),
                        "type": c["type"],
                        "country": c["country"],
                        "proposal": c["proposal"],
                        "detail": details,
                    }
                )
            )
        df = pd.concat(parts, ignore_index=True)
        # Runs interleave across chunks; order by run keeps a run's history together
        # and makes the table independent of how runs were batched.
        return df.sort_values(["run", "year"], kind="stable").reset_index(drop=True)


def _details_json(detail: dict[str, Any], idx: np.ndarray) -> list[str]:
    """One JSON object per run in ``idx``, keys sorted, without a Python loop over runs.

    Scalar details are serialised once; per-run arrays are serialised column by
    column (numpy formats a whole column at once) and the pieces joined.
    """
    if not detail:
        return ["{}"] * idx.size
    parts: list[np.ndarray] = []
    for n in sorted(detail):
        key = json.dumps(n)
        v = detail[n]
        if isinstance(v, np.ndarray) and v.ndim >= 1:
            col = v[idx]
            if col.dtype.kind == "b":
                text = np.where(col, "true", "false")
            elif col.dtype.kind in "iu":
                text = col.astype(str)
            elif col.dtype.kind == "f":
                # numpy's shortest round-trip text, as json.dumps writes floats;
                # JSON has no NaN/inf, so they become null
                text = np.where(np.isfinite(col), col.astype(str), "null")
            else:
                text = np.array([json.dumps(_item(x, 0)) for x in col.tolist()], dtype=object)
            parts.append(np.char.add(f"{key}: ", text.astype(str)))
        else:
            parts.append(np.full(idx.size, f"{key}: {json.dumps(_item(v, 0))}"))
    joined = parts[0]
    for p in parts[1:]:
        joined = np.char.add(np.char.add(joined, ", "), p)
    return np.char.add(np.char.add("{", joined), "}").tolist()


def _item(value: Any, k: int) -> Any:
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        value = value[k]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
