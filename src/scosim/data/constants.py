"""Canonical economy codes and static facts used by the data layer.

Kept free of pandas so that importing the codes is cheap.
"""

from __future__ import annotations

import os

#: Data versions shipped: ``2023`` (WITS 2023 flows, agreements, bilateral tariffs; the
#: default) and ``2019`` (the 2019 DOTS pattern scaled to 2023 totals, MFN tariffs with the
#: EAEU only).
VERSIONS: tuple[str, ...] = ("2023", "2019")
DEFAULT_VERSION = "2023"
#: Environment variable selecting the data version of ``load_calibration()``.
VERSION_ENV = "SCOSIM_DATA_VERSION"


def resolve_version(version: str | None = None) -> str:
    """The data version to load: ``version``, else ``$SCOSIM_DATA_VERSION``, else the default.

    Here, not beside the loader, so that ``scosim validate`` refuses an unknown version
    as ``scosim run`` does without importing pandas.

    Raises:
        ValueError: If the version is not one of :data:`VERSIONS` (naming where it came from).
    """
    where = "version"
    if version is None:
        env = os.environ.get(VERSION_ENV, "").strip()
        version, where = (env, f"${VERSION_ENV}") if env else (DEFAULT_VERSION, "default")
    version = str(version)
    if version not in VERSIONS:
        raise ValueError(
            f"{where}: unknown calibration data version {version!r}; allowed: {', '.join(VERSIONS)}"
        )
    return version


#: SCO member states (full members), in canonical order.
MEMBERS: tuple[str, ...] = ("CHN", "RUS", "IND", "PAK", "IRN", "KAZ", "KGZ", "TJK", "UZB", "BLR")
#: SCO observer states.
OBSERVERS: tuple[str, ...] = ("AFG", "MNG")
#: SCO dialogue partners.
PARTNERS: tuple[str, ...] = (
    "TUR",
    "AZE",
    "ARM",
    "NPL",
    "LKA",
    "KHM",
    "EGY",
    "QAT",
    "SAU",
    "ARE",
    "KWT",
    "BHR",
    "MDV",
    "MMR",
)
#: Other economies modelled individually (Turkmenistan: neutral, TAPI pipeline).
OTHERS: tuple[str, ...] = ("TKM",)
#: Code of the Rest-of-World aggregate (World minus the 27 listed economies).
ROW: str = "ROW"
#: The 27 individually listed economies (everything except ROW).
LISTED: tuple[str, ...] = MEMBERS + OBSERVERS + PARTNERS + OTHERS
#: All 28 economies in canonical order (ROW last).
ECONOMIES: tuple[str, ...] = LISTED + (ROW,)

#: Eurasian Economic Union members in the set: an existing customs union (Treaty on the
#: Eurasian Economic Union, Astana, 29 May 2014, in force 1 January 2015; Armenia and
#: Kyrgyzstan acceded in 2015), so their mutual tariffs are zero in the baseline.
EAEU: tuple[str, ...] = ("RUS", "KAZ", "KGZ", "BLR", "ARM")

NAMES: dict[str, str] = {
    "CHN": "China",
    "RUS": "Russian Federation",
    "IND": "India",
    "PAK": "Pakistan",
    "IRN": "Iran",
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "UZB": "Uzbekistan",
    "BLR": "Belarus",
    "AFG": "Afghanistan",
    "MNG": "Mongolia",
    "TUR": "Turkiye",
    "AZE": "Azerbaijan",
    "ARM": "Armenia",
    "NPL": "Nepal",
    "LKA": "Sri Lanka",
    "KHM": "Cambodia",
    "EGY": "Egypt",
    "QAT": "Qatar",
    "SAU": "Saudi Arabia",
    "ARE": "United Arab Emirates",
    "KWT": "Kuwait",
    "BHR": "Bahrain",
    "MDV": "Maldives",
    "MMR": "Myanmar",
    "TKM": "Turkmenistan",
    "ROW": "Rest of World",
}

#: (status, year the status began, source id). Years are those of the SCO summit decision
#: that granted the status, as published in SCO official announcements; founding year and
#: Iran's accession are also stated in the seed essays (see docs/data.md).
STATUS: dict[str, tuple[str, int | None, str]] = {
    "CHN": ("member", 2001, "seed_000"),
    "RUS": ("member", 2001, "seed_000"),
    "KAZ": ("member", 2001, "seed_000"),
    "KGZ": ("member", 2001, "seed_000"),
    "TJK": ("member", 2001, "seed_000"),
    "UZB": ("member", 2001, "seed_000"),
    "IND": ("member", 2017, "sco_official"),
    "PAK": ("member", 2017, "sco_official"),
    "IRN": ("member", 2023, "seed_000"),
    "BLR": ("member", 2024, "sco_official"),
    "AFG": ("observer", 2012, "sco_official"),
    "MNG": ("observer", 2004, "sco_official"),
    "TUR": ("partner", 2012, "sco_official"),
    "AZE": ("partner", 2015, "sco_official"),
    "ARM": ("partner", 2015, "sco_official"),
    "NPL": ("partner", 2015, "sco_official"),
    "LKA": ("partner", 2009, "sco_official"),
    "KHM": ("partner", 2015, "sco_official"),
    "EGY": ("partner", 2022, "sco_official"),
    "QAT": ("partner", 2022, "sco_official"),
    "SAU": ("partner", 2022, "sco_official"),
    "ARE": ("partner", 2022, "sco_official"),
    "KWT": ("partner", 2022, "sco_official"),
    "BHR": ("partner", 2022, "sco_official"),
    "MDV": ("partner", 2022, "sco_official"),
    "MMR": ("partner", 2022, "sco_official"),
    "TKM": ("other", None, "sco_official"),
    "ROW": ("row", None, "scosim_rule"),
}
