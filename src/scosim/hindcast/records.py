"""The historical record the Council is scored against (sources: docs/hindcasts.md).

Each :class:`Record` names a scenario file under ``scenarios/hindcasts/`` and
what happened. Three kinds:

* ``adoption``: one proposal tabled in one year; outcome 1 if adopted.
* ``application``: an economy's decision whether to apply for membership
  (:mod:`scosim.proposals.application`); outcome 1 if it applied.
* ``exits``: an arrangement in force over several years (the EAEU,
  2015-2025); one scored item per member and year, outcome 1 if the member
  left in that year (none did).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EAEU",
    "EAEU_PRE_UNION_MFN",
    "RECORDS",
    "TRAIN_END",
    "Record",
    "records_of",
]

#: Last training year; later items are held out.
TRAIN_END = 2019

#: Members of the Eurasian Economic Union (EAEU Treaty; Armenia and Kyrgyzstan 2015).
EAEU: tuple[str, ...] = ("ARM", "BLR", "KAZ", "KGZ", "RUS")

#: Pre-union MFN tariff (trade-weighted mean, fraction) of members whose external
#: tariff rose to the common tariff: World Bank WDI ``TM.TAX.MRCH.WM.FN.ZS``
#: (raw file ``wb_wdi_tariff_weighted_means_2005_2022_partial.csv``, SOURCES.md 3a):
#: Kazakhstan 2008 (before the 2010 Customs Union) 4.75 %, Kyrgyzstan 2014 (before
#: its 2015 accession) 3.91 %. Armenia is not in that file; Belarus and Russia
#: applied the common tariff's predecessor already; they keep the common tariff.
EAEU_PRE_UNION_MFN: dict[str, float] = {"KAZ": 0.0475, "KGZ": 0.0391}


@dataclass(frozen=True)
class Record:
    """One historical decision.

    Attributes:
        name: Scenario file stem (and proposal id) under ``scenarios/hindcasts/``.
        year: Year of the decision (first year for ``exits``).
        adopted: Observed outcome: 1 adopted / applied / (for ``exits``) any exit.
        votes: Members' observed votes (1 yes) where the record shows them.
        kind: ``adoption``, ``application`` or ``exits``.
        end: Last year of an ``exits`` record.
        series: The one decision the record takes again in another year (the FTZ
            tabled year after year, the Development Bank, Mongolia's or Turkmenistan's
            application): the figure draws a series' items with the same record and
            sample as one row. None: a decision of its own, drawn on its own row (the
            2021 and 2022 dialogue-partner decisions admitted different states).
    """

    name: str
    year: int
    adopted: int
    votes: dict[str, int] = field(default_factory=dict)
    kind: str = "adoption"
    end: int | None = None
    series: str | None = None


_BRI_VOTES = {"IND": 0, "RUS": 1, "KAZ": 1, "PAK": 1}

_ADOPTIONS: tuple[Record, ...] = (
    *(Record(f"ftz_{y}", y, 0, series="ftz") for y in range(2004, 2025)),
    *(Record(f"bank_{y}", y, 0, series="bank") for y in (2010, 2015, 2019)),
    Record("bank_2025", 2025, 1, series="bank"),
    Record("bri_2018_consensus", 2018, 0, _BRI_VOTES),
    Record("bri_2018_interested", 2018, 1),
    Record("bri_2022_consensus", 2022, 0, _BRI_VOTES),
    Record("bri_2022_interested", 2022, 1),
    Record("bri_2025_interested", 2025, 1),
    Record("accession_ind_2015", 2015, 1), Record("accession_pak_2015", 2015, 1),
    Record("accession_irn_2010", 2010, 0), Record("accession_irn_2021", 2021, 1),
    Record("accession_blr_2022", 2022, 1),
    Record("partners_2021", 2021, 1), Record("partners_2022", 2022, 1),
)

_APPLICATIONS: tuple[Record, ...] = (
    Record("apply_pak_2006", 2006, 1, kind="application"),
    Record("apply_irn_2008", 2008, 1, kind="application"),
    Record("apply_ind_2014", 2014, 1, kind="application"),
    Record("apply_blr_2022", 2022, 1, kind="application"),
    *(Record(f"apply_{c}_{y}", y, 0, kind="application", series=f"apply_{c}")
      for c in ("mng", "tkm") for y in range(2004, 2026)),
)

_EXITS: tuple[Record, ...] = (Record("eaeu_2015", 2015, 0, kind="exits", end=2025),)

RECORDS: tuple[Record, ...] = _ADOPTIONS + _APPLICATIONS + _EXITS


def records_of(kind: str) -> tuple[Record, ...]:
    """The records of one kind (``adoption``, ``application``, ``exits``)."""
    return tuple(r for r in RECORDS if r.kind == kind)
