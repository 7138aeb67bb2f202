"""The historical record the Council is scored against (sources: docs/hindcasts.md).

Each :class:`Record` names a scenario file under ``scenarios/hindcasts/`` and
what happened. Three kinds:

* ``adoption``: one proposal tabled in one year; outcome 1 if adopted.
* ``application``: an economy's decision whether to apply for membership
  (:mod:`scosim.proposals.application`); outcome 1 if it applied.
* ``exits``: an arrangement in force over several years (the EAEU,
  2015-2025); one scored item per member and year, outcome 1 if the member
  left in that year (none did).

Each record belongs to a decision ``cluster`` (the same or a related decision taken
again: the FTZ, the bank, the BRI paragraph, one state's applications); the
hindcast's intervals resample whole clusters and the persistence baseline reads the
last outcome inside one (:mod:`scosim.hindcast.baselines`). A record whose adoption
item is not an observed event (``coding``, :data:`CODINGS`) is scored apart, outside
the headline score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CODINGS",
    "EAEU",
    "APPLICATION_YEARS",
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


#: How a record's adoption item was coded. Only ``observed`` items enter the headline
#: score; the others are scored apart and labelled (an outside review, 2026-12-07):
#: ``constructed``: the form scored was not recorded as tabled and decided (the BRI
#: paragraph as a consensus text: the declarations list the supporters, and whether a
#: text in all members' name was put to them is not in the record); its members'
#: votes (who is listed) are observed and stay in the headline.
#: ``outcome_dependent``: the decision rule was read off the outcome (the
#: interested-members form, known only because a subset adopted it).
CODINGS: tuple[str, ...] = ("observed", "constructed", "outcome_dependent")


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
        cluster: The decision cluster the record belongs to (None: its ``series``, else
            its name): records of one cluster are resampled together and the
            persistence baseline reads the last outcome inside it.
        coding: How the adoption item was coded (:data:`CODINGS`); only ``observed``
            adoption items enter the headline score (votes always do).
    """

    name: str
    year: int
    adopted: int
    votes: dict[str, int] = field(default_factory=dict)
    kind: str = "adoption"
    end: int | None = None
    series: str | None = None
    cluster: str | None = None
    coding: str = "observed"

    def __post_init__(self) -> None:
        if self.coding not in CODINGS:
            raise ValueError(f"record {self.name}: coding {self.coding!r} is not one of "
                             f"{', '.join(CODINGS)}")

    @property
    def decision(self) -> str:
        """The decision cluster: ``cluster``, else ``series``, else the record's name."""
        return self.cluster or self.series or self.name


_BRI_VOTES = {"IND": 0, "RUS": 1, "KAZ": 1, "PAK": 1}

_ADOPTIONS: tuple[Record, ...] = (
    *(Record(f"ftz_{y}", y, 0, series="ftz") for y in range(2004, 2025)),
    *(Record(f"bank_{y}", y, 0, series="bank") for y in (2010, 2015, 2019)),
    # The interested-members form is known only because a subset adopted it.
    Record("bank_2025", 2025, 1, series="bank", coding="outcome_dependent"),
    # One record per BRI paragraph (2018, 2022, 2025), in the consensus form every SCO
    # declaration takes (Charter art. 16): the members' votes are observed (the
    # declaration lists the supporters, without India); the adoption item is not.
    *(Record(f"bri_{y}_consensus", y, 0, _BRI_VOTES, cluster="bri", coding="constructed")
      for y in (2018, 2022, 2025)),
    *(Record(f"bri_{y}_interested", y, 1, cluster="bri", coding="outcome_dependent")
      for y in (2018, 2022, 2025)),
    Record("accession_ind_2015", 2015, 1, cluster="accession_2015"),
    Record("accession_pak_2015", 2015, 1, cluster="accession_2015"),
    Record("accession_irn_2010", 2010, 0, cluster="accession_irn"),
    Record("accession_irn_2021", 2021, 1, cluster="accession_irn"),
    Record("accession_blr_2022", 2022, 1),
    Record("partners_2021", 2021, 1), Record("partners_2022", 2022, 1),
    # Astana, 4 July 2024: RATS to become a universal centre for countering security
    # threats, with an Anti-Drug Centre in Dushanbe (Astana Declaration; docs/hindcasts.md).
    Record("rats_2024", 2024, 1),
)

#: Each observer's years from its observer status to its application (inclusive; the
#: year it applied, or None), every one scored (docs/hindcasts.md, "The record"):
#: India, Pakistan and Iran observers from the Astana summit (July 2005), Belarus from
#: Ufa (July 2015), Mongolia from 2004 to 2025; Afghanistan from Beijing (June 2012) to
#: 2020 (the Islamic Republic fell in August 2021, before that year's summit);
#: Turkmenistan (never an observer) every year. Scoring only the year of an
#: application, when the model says "applies" in every year, selected on the outcome.
APPLICATION_YEARS: dict[str, tuple[range, int | None]] = {
    "pak": (range(2005, 2007), 2006), "irn": (range(2005, 2009), 2008),
    "ind": (range(2005, 2015), 2014), "blr": (range(2015, 2023), 2022),
    "afg": (range(2012, 2021), None),
    "mng": (range(2004, 2026), None), "tkm": (range(2004, 2026), None),
}

_APPLICATIONS: tuple[Record, ...] = tuple(
    Record(f"apply_{c}_{y}", y, int(y == applied), kind="application", series=f"apply_{c}")
    for c, (years, applied) in APPLICATION_YEARS.items() for y in years)

_EXITS: tuple[Record, ...] = (Record("eaeu_2015", 2015, 0, kind="exits", end=2025),)

RECORDS: tuple[Record, ...] = _ADOPTIONS + _APPLICATIONS + _EXITS


def records_of(kind: str) -> tuple[Record, ...]:
    """The records of one kind (``adoption``, ``application``, ``exits``)."""
    return tuple(r for r in RECORDS if r.kind == kind)
