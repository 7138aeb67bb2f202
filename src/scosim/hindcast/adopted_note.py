"""The answer's line where a run's proposal is one the SCO adopted in the hindcast record.

``scosim run scenarios/afghan_instability_rats.yaml`` printed "proposal
rats-universal-centre: rejected in every run" with no hint that the SCO adopted this RATS
upgrade at Astana in July 2024: the hindcast codes that decision as the same upgrade
(``scenarios/hindcasts/rats_2024.yaml``, observed 1) and the Council gives it p = 0, a
known miss (README; docs/security.md section 11). The scenario's header said so; the
answer did not (a new user, 2026-12-07).

:func:`run_record_notes` compares each proposal of a run's resolved ``scenario.yaml`` with
the proposals of the adopted, observed adoption records (:data:`scosim.hindcast.records.
RECORDS`) of the same type, on the fields that say what was decided (:data:`MATCHED_ON`:
for a RATS upgrade its units and participants, not who proposed it, when, nor the model's
assumptions such as its sovereignty ``depth``). A match is keyed to the record's file, not
to a scenario's name: any scenario tabling that upgrade gets the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MATCHED_ON", "RecordNote", "record_notes", "run_record_notes"]

#: Per proposal type: the fields a run's proposal must share with a record's to be the
#: decision the record codes, what the line calls it, and where the docs discuss the
#: model's verdict on it. A type not listed gets no line.
MATCHED_ON: dict[str, tuple[tuple[str, ...], str, str]] = {
    "rats_upgrade": (("participants", "units"), "upgrade", "docs/security.md, section 11"),
}


@dataclass(frozen=True)
class RecordNote:
    """An adopted record a run's proposal matches.

    Attributes:
        record: The record's name (its file under ``scenarios/hindcasts/``).
        year: The year the SCO adopted it.
        noun: What the line calls the proposal ("upgrade").
        docs: Where the docs discuss the model's verdict on it.
    """

    record: str
    year: int
    noun: str
    docs: str

    def line(self, adopted: int, n_runs: int) -> str:
        """The answer's sentence, by the share of the run's runs that adopted it."""
        said = f"The SCO adopted this {self.noun} in {self.year} (hindcast {self.record})"
        if adopted == 0:
            return (f"{said}; the model's rejection is a known miss of its Council "
                    f"({self.docs}).")
        if adopted < n_runs:
            return f"{said}; the model adopts it in {adopted} of {n_runs} runs ({self.docs})."
        return f"{said}."


def _value(value: Any) -> Any:
    # Lists compare as sets: a record's units in another order are the same upgrade.
    return frozenset(map(str, value)) if isinstance(value, list | tuple) else value


def _same(proposal: Mapping[str, Any], other: Mapping[str, Any], fields: tuple[str, ...]) -> bool:
    return all(_value(proposal.get(f)) == _value(other.get(f)) for f in fields)


def record_notes(proposals: list[Mapping[str, Any]],
                 directory: Path | None = None) -> dict[str, RecordNote]:
    """``{proposal id: RecordNote}`` for the proposals an adopted record codes.

    Args:
        proposals: A resolved scenario's proposals (mappings with ``type`` and ``id``).
        directory: The hindcast scenarios (default: the shipped ones).
    """
    typed = [p for p in proposals if isinstance(p, Mapping) and str(p.get("type")) in MATCHED_ON]
    if not typed:
        return {}
    import yaml

    from scosim.hindcast.records import RECORDS
    from scosim.hindcast.run import default_dir

    folder = Path(directory) if directory is not None else default_dir()
    out: dict[str, RecordNote] = {}
    for rec in RECORDS:
        if rec.kind != "adoption" or rec.adopted != 1 or rec.coding != "observed":
            continue
        path = folder / f"{rec.name}.yaml"
        if not path.is_file():
            continue
        coded = [q for q in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                 .get("proposals") or [] if isinstance(q, Mapping)]
        for p in typed:
            fields, noun, docs = MATCHED_ON[str(p["type"])]
            if any(q.get("type") == p["type"] and _same(p, q, fields) for q in coded):
                out.setdefault(str(p.get("id")), RecordNote(rec.name, rec.year, noun, docs))
    return out


def run_record_notes(run_dir: str | Path) -> dict[str, RecordNote]:
    """:func:`record_notes` of a run's resolved ``scenario.yaml`` (empty without one)."""
    import yaml

    saved = Path(run_dir) / "scenario.yaml"
    if not saved.is_file():
        return {}
    scenario = yaml.safe_load(saved.read_text(encoding="utf-8")) or {}
    return record_notes(list(scenario.get("proposals") or []))
