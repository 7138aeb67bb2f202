"""The run's event log, kept columnar so that thousands of runs log cheaply.

An event is a row ``run, year, type, country, proposal`` (the key columns) plus
**detail fields**, one typed column each (``yes`` bool, ``utility`` float,
``n_no`` int, ``rule`` text, ...). A field is null in the rows of event types
that do not carry it. Every detail field is *declared* with its kind
(:data:`CORE_FIELDS` for the model's own events; a proposal type or mechanism
declares its own in its ``event_fields`` class attribute), so the table has the
same columns and types in every batch of a run, whether or not a batch logged a
field: batch files of one run read together as one dataset, and an analyst
filters and aggregates them in pandas or pyarrow without parsing text.

Runs written before this layout kept the details as one JSON text per row in a
``detail`` column; :func:`expand_legacy_detail` turns such a table into this one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from scosim.mechanisms.voting import UtilityTerms

if TYPE_CHECKING:
    import pandas as pd

#: Key columns of every event row, in this order; no detail field may take these names.
KEY_COLUMNS: tuple[str, ...] = ("run", "year", "type", "country", "proposal")
#: Name of the JSON text column of runs written before typed detail columns.
LEGACY_DETAIL = "detail"

FieldKind = Literal["float", "int", "bool", "str", "codes"]
#: Kinds of detail fields and the pandas dtype of their column. ``codes`` is a list
#: of economy codes, stored as one space-separated text ("KGZ TJK"): it filters with
#: ``.str.contains("KGZ")`` and splits back with ``.str.split()``, where a list column
#: would need a Python loop per row in pandas.
KINDS: tuple[str, ...] = ("float", "int", "bool", "str", "codes")


def _str_dtype() -> Any:
    import pandas as pd

    # pandas 3's "str" (what the key columns get); pandas 2's "str" is object, whose
    # all-missing column would be written with Arrow type null, so use StringDtype.
    return "str" if int(pd.__version__.split(".")[0]) >= 3 else pd.StringDtype()


def _dtype(kind: str) -> Any:
    # pandas is imported only when a table is built: declaring fields (proposal
    # types do it at import) must not pull it into `scosim validate`.
    return {"float": "float64", "int": "Int64", "bool": "boolean"}.get(kind) or _str_dtype()


@dataclass(frozen=True)
class EventField:
    """A declared detail field of events.

    Attributes:
        kind: ``float`` (float64, NaN where absent), ``int`` (nullable Int64),
            ``bool`` (nullable boolean), ``str`` (text) or ``codes`` (a list of
            economy codes, stored space-separated).
        doc: What the field is, in a few words (for docs and error messages).
        owner: Who declared it (``core``, a proposal type, a mechanism); set by
            :func:`declare`.
    """

    kind: str
    doc: str = ""
    owner: str = ""

    def __post_init__(self) -> None:
        """Reject unknown kinds."""
        if self.kind not in KINDS:
            raise ValueError(
                f"event field kind {self.kind!r} is unknown; kinds: {', '.join(KINDS)}"
            )

    @property
    def dtype(self) -> Any:
        """The pandas dtype of the field's column."""
        return _dtype(self.kind)


_TERMS = tuple(f.name for f in fields(UtilityTerms))

#: Detail fields of the events the core model logs (``scosim.model``): votes,
#: consents, decisions, defections and the scenario's scheduled events.
CORE_FIELDS: dict[str, EventField] = {}
_CORE: dict[str, EventField] = {
    "yes": EventField("bool", "vote: voted yes"),
    "rule": EventField("str", "vote/consent/retabled: the deciding rule's name or path"),
    "sponsor": EventField("bool", "vote: the voter is the proposer or a co-sponsor"),
    "leader_share": EventField("float", "vote: share of the bloc's gains taken by its largest "
                               "economy"),
    "utility": EventField("float", "vote: score including noise"),
    "noise": EventField("float", "vote: the score's random shock"),
    **{f"term_{t}": EventField("float", f"vote/veto/withdrew: raw {t} term") for t in _TERMS},
    **{f"contrib_{t}": EventField("float", f"vote: signed, weighted {t} term (the contributions "
                                  "add up to utility - noise)") for t in _TERMS},
    "rule_score": EventField("float", "vote: the vote rule's own score, when it reports one "
                             "(scosim.rules.RuleScore)"),
    "rule_threshold": EventField("float", "vote: what the vote rule compared its score with"),
    "decision_rule": EventField("str", "adopted/rejected: the Council decision rule"),
    "decision_score": EventField("float", "adopted/rejected: the decision rule's own score "
                                 "(the built-ins': share or number of voters in favour)"),
    "decision_threshold": EventField("float", "adopted/rejected: what the decision rule "
                                     "compared its score with"),
    "consents": EventField("bool", "consent: an outsider lets the willing go ahead"),
    "gain_as_outsider": EventField("float", "consent: the outsider's expected gain (fraction)"),
    "n_participants": EventField("int", "adopted: number of participants"),
    "n_no": EventField("int", "rejected: number of no votes"),
    "bad_years": EventField("int", "defection: consecutive years below the exit threshold"),
    "realised_gain": EventField("float", "defection: realised gain (fraction)"),
    "size": EventField("float", "gdp_shock: the shock (fraction of GDP)"),
    "change": EventField("float", "trust_shock/border_clash: trust change applied"),
    "with_": EventField("codes", "trust_shock/border_clash: the states listed"),
    "by": EventField("str", "sanctions: the sanctioning economy"),
    "trade_cost": EventField("float", "sanctions: trade cost rise (fraction)"),
    "severity": EventField("float", "sanctions: share of payments frozen"),
}


def declare(
    table: dict[str, EventField], new: Mapping[str, EventField | str], owner: str
) -> dict[str, EventField]:
    """Add ``new`` detail fields to ``table`` (in place) on behalf of ``owner``.

    Args:
        table: Declared fields so far.
        new: ``{name: EventField or kind}``.
        owner: Who declares them (named in errors and kept with the field).

    Returns:
        ``table``.

    Raises:
        ValueError: A name is a key column or not an identifier, a kind is
            unknown, or the field is already declared with another kind.
    """
    for name, spec in new.items():
        f = EventField(spec, owner=owner) if isinstance(spec, str) else EventField(
            spec.kind, spec.doc, owner)
        if name in KEY_COLUMNS or name == LEGACY_DETAIL or not name.isidentifier():
            raise ValueError(
                f"{owner}: event field name {name!r} is not allowed (an identifier other "
                f"than the key columns {', '.join(KEY_COLUMNS)} and {LEGACY_DETAIL!r})"
            )
        old = table.get(name)
        if old is not None and old.kind != f.kind:
            raise ValueError(
                f"{owner}: event field {name!r} declared as {f.kind}, but {old.owner} "
                f"declares it as {old.kind}"
            )
        if old is None:
            table[name] = f
    return table


declare(CORE_FIELDS, _CORE, "core")


class EventLog:
    """Append-only log of events over a batch of runs.

    Each call to :meth:`add` records one event type for a set of runs at once;
    details may be scalars (same for every run) or arrays aligned with ``runs``.

    Args:
        run_ids: Run indices of the batch, ``(R,)``.
        fields: Detail fields beyond :data:`CORE_FIELDS` (``{name: EventField}``).
    """

    def __init__(
        self, run_ids: np.ndarray, fields: Mapping[str, EventField | str] | None = None
    ) -> None:
        self.run_ids = np.asarray(run_ids, dtype=np.int64)
        self._chunks: list[dict[str, Any]] = []
        self.fields: dict[str, EventField] = dict(CORE_FIELDS)
        if fields:
            declare(self.fields, fields, "EventLog(fields=...)")

    def declare(self, new: Mapping[str, EventField | str], owner: str) -> None:
        """Declare more detail fields (a plug-in's ``event_fields``); see :func:`declare`."""
        declare(self.fields, new, owner)

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
            **detail: Declared detail fields (:attr:`fields`); arrays of shape
                ``(R,)`` are taken per run, anything else is the same in every run.

        Returns:
            Number of rows added.

        Raises:
            ValueError: A field is not declared, or its value does not fit its kind.
        """
        R = self.run_ids.size
        for name, value in detail.items():
            self._check(type_, name, value, R)
        idx = np.arange(R) if mask is None else np.flatnonzero(mask)
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

    def _check(self, type_: str, name: str, value: Any, R: int) -> None:
        f = self.fields.get(name)
        if f is None:
            raise ValueError(
                f"event {type_!r}: detail field {name!r} is not declared; declared: "
                f"{', '.join(sorted(self.fields))}. A proposal type or mechanism declares "
                "its own in its `event_fields` class attribute (docs/model.md, Event log)"
            )
        if isinstance(value, np.ndarray) and value.ndim >= 1:
            if value.shape != (R,):
                raise ValueError(
                    f"event {type_!r}: field {name!r} has shape {value.shape}; a per-run "
                    f"value must have shape ({R},)"
                )
            kind = value.dtype.kind
        elif f.kind == "codes":
            ok = isinstance(value, (list, tuple)) and all(isinstance(c, str) for c in value)
            kind = "codes" if ok else "?"
        else:
            kind = np.asarray(value).dtype.kind
        allowed = {"float": "biuf", "int": "biu", "bool": "b", "str": "UO", "codes": ("codes",)}
        if kind not in allowed[f.kind] or (f.kind == "str" and not _all_str(value)):
            raise ValueError(
                f"event {type_!r}: field {name!r} is declared {f.kind} ({f.owner}), "
                f"got {value!r:.80}"
            )

    def __len__(self) -> int:
        return sum(c["idx"].size for c in self._chunks)

    def records(self, run: int | None = None) -> Iterable[dict[str, Any]]:
        """Yield events as dicts (optionally for one batch position ``run``).

        A dict has the key columns and the detail fields the event carries, with
        the values given to :meth:`add` (``with_`` a list, not joined text).
        """
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
        """Tidy table: the key columns, then one typed column per declared field (by name).

        Rows are ordered by run, then year, then the order events were logged, so
        the table does not depend on how runs were batched. The columns and their
        dtypes depend only on the declared fields, never on which events occurred.
        """
        import pandas as pd

        chunks = self._chunks
        sizes = np.array([c["idx"].size for c in chunks], dtype=np.int64)
        n = int(sizes.sum())
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        run = (np.concatenate([self.run_ids[c["idx"]] for c in chunks]) if chunks
               else np.zeros(0, np.int64))
        year = np.repeat(np.array([c["year"] for c in chunks], dtype=np.int64), sizes)
        # Two stable sorts: by run, then year, keeping the logging order within both.
        order = np.argsort(year, kind="stable")
        order = order[np.argsort(run[order], kind="stable")]
        cols: dict[str, Any] = {"run": run[order], "year": year[order]}
        for key in ("type", "country", "proposal"):
            values = np.array([c[key] for c in chunks], dtype=object)
            cols[key] = pd.array(np.repeat(values, sizes)[order], dtype=_str_dtype())
        for name in sorted(self.fields):
            cols[name] = _column(self.fields[name], name, chunks, bounds, n)[order]
        return pd.DataFrame(cols)


def _all_str(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "U" or all(isinstance(v, str) for v in value.tolist())
    return isinstance(value, str)


def _column(f: EventField, name: str, chunks: list[dict[str, Any]], bounds: np.ndarray,
            n: int) -> Any:
    """One detail field over all rows of ``chunks``, null where a chunk lacks it."""
    import pandas as pd

    have = [(k, c["detail"][name]) for k, c in enumerate(chunks) if name in c["detail"]]
    if f.kind == "float":
        out = np.full(n, np.nan)
    elif f.kind in ("int", "bool"):
        out = np.zeros(n, dtype=np.int64 if f.kind == "int" else bool)
        missing = np.ones(n, dtype=bool)
    else:
        out = np.full(n, None, dtype=object)
    for k, v in have:
        sl = slice(bounds[k], bounds[k + 1])
        if isinstance(v, np.ndarray) and v.ndim >= 1:
            v = v[chunks[k]["idx"]]
        elif f.kind == "codes":
            v = " ".join(v)
        out[sl] = v
        if f.kind in ("int", "bool"):
            missing[sl] = False
    if f.kind == "float":
        return out
    if f.kind == "int":
        return pd.arrays.IntegerArray(out, missing)
    if f.kind == "bool":
        return pd.arrays.BooleanArray(out, missing)
    return pd.array(out, dtype=f.dtype)


def expand_legacy_detail(df: pd.DataFrame, fields: Mapping[str, EventField] | None = None
                         ) -> pd.DataFrame:
    """An events table of an older run (JSON ``detail`` text per row) in today's layout.

    The JSON is parsed once per row (old runs are read this way only), and each
    key becomes a column: declared fields (default :data:`CORE_FIELDS`) get their
    declared dtype (``with_`` lists joined with spaces); other keys keep the
    types pandas infers. A table without ``detail`` is returned unchanged.

    Args:
        df: Events as read from an old run's ``events/batch-*.parquet``.
        fields: Declared fields to type the columns by.

    Returns:
        The table without ``detail``, with one column per detail key.
    """
    import pandas as pd

    if LEGACY_DETAIL not in df.columns:
        return df
    declared = CORE_FIELDS if fields is None else fields
    parsed = pd.DataFrame(
        [json.loads(d) if isinstance(d, str) and d else {} for d in df[LEGACY_DETAIL]],
        index=df.index,
    )
    out = df.drop(columns=[LEGACY_DETAIL])
    for name in sorted(parsed.columns):
        col = parsed[name]
        f = declared.get(name)
        if f is not None:
            if f.kind == "codes":
                col = col.map(lambda v: " ".join(v) if isinstance(v, list) else v)
            col = col.astype(f.dtype) if f.kind != "float" else col.astype("float64")
        out[name] = col
    return out


def _item(value: Any, k: int) -> Any:
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        value = value[k]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def detail_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """The detail fields these events carry, as columns (all-null ones dropped).

    Events tables have one typed column per declared field, null where an event
    does not carry it; a run written before that layout has JSON ``detail`` text,
    expanded here (:func:`expand_legacy_detail`).
    """
    d = expand_legacy_detail(rows)
    d = d.drop(columns=[c for c in KEY_COLUMNS if c in d.columns])
    return d.loc[:, d.notna().any().to_numpy()]
