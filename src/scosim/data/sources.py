"""The sources table of the calibration: one row per source id used in ``provenance``."""

from __future__ import annotations

from scosim.data.raw import RAW_FILES, VERSION_PREFIX

_WDI_REPO = (
    "github.com/datasets/world-development-indicators@4ebec5a2273f531ba238a34dbe440394dc5a6c4b"
)
_WDI_VINTAGE = "WDI via datahub core package, snapshot 2026-07-01"


def _wdi_source(sid: str, code: str, what: str, key: str) -> dict[str, str]:
    return {
        "source_id": sid,
        "publisher": "World Bank",
        "dataset": f"World Development Indicators: {what}",
        "series": code,
        "vintage": _WDI_VINTAGE,
        "licence": "CC-BY-4.0",
        "origin": _WDI_REPO + f" indicators/{code.lower()}/data.csv",
        "raw_file": RAW_FILES[key],
    }


#: The sources table: every source id used in ``provenance`` resolves to one of these rows.
SOURCES: list[dict[str, str]] = [
    _wdi_source("wdi_gdp", "NY.GDP.MKTP.CD", "GDP, current US$", "gdp"),
    _wdi_source("wdi_pop", "SP.POP.TOTL", "Population, total", "pop"),
    _wdi_source("wdi_exports", "TX.VAL.MRCH.CD.WT", "Merchandise exports, current US$", "exports"),
    _wdi_source("wdi_imports", "TM.VAL.MRCH.CD.WT", "Merchandise imports, current US$", "imports"),
    {
        "source_id": "imf_dots",
        "publisher": "International Monetary Fund",
        "dataset": "Direction of Trade Statistics (exports FOB, imports CIF), US$ millions",
        "series": "DOTS reporter workbooks, 2010-2020 reshaped to long",
        "vintage": "DOTS workbooks as of 2022-05-09",
        "licence": "IMF terms of use",
        "origin": "github.com/SamLeBlanc/Direction-of-Trade-Map"
        "@a0b40afbac7cefc59a4b35c1ebe541ac546aafad"
        " data/DOTS/DOTS_<n>.xlsx",
        "raw_file": RAW_FILES["dots"],
    },
    {
        "source_id": "wb_tariff",
        "publisher": "World Bank (WITS/TRAINS via WDI API)",
        "dataset": "Tariff rate, weighted mean, all products (%)",
        "series": "TM.TAX.MRCH.WM.AR.ZS (applied); TM.TAX.MRCH.WM.FN.ZS (MFN)",
        "vintage": "API pull 2026-01-10",
        "licence": "CC-BY-4.0 (World Bank terms)",
        "origin": "github.com/lin5698/Who-Absorbs-the-Shock-RCEP-and-Reverse-Shock-"
        "Resilience-in-the-"
        "Asia-Pacific-Trade-Network@d0e398b896848f26413cf9aa9dfca15fb4e7ce64"
        " repo/data/archive/tariffs_wb_2005_2024_20260110.csv",
        "raw_file": RAW_FILES["tariff"],
    },
    {
        "source_id": "heritage_2019",
        "publisher": "Heritage Foundation",
        "dataset": "2019 Index of Economic Freedom",
        "series": "Tariff Rate (%) (trade-weighted, c. 2016-17)",
        "vintage": "2019 edition",
        "licence": "not stated (Heritage terms)",
        "origin": "github.com/kjclarkson624/EconomicFreedomIndex"
        "@9cd3baf6ec21c4e6b4bc22211915e580e9911e49"
        " economic_freedom_index2019_data.csv",
        "raw_file": RAW_FILES["heritage"],
    },
    {
        "source_id": "cepii_geodist",
        "publisher": "CEPII",
        "dataset": "GeoDist (Mayer & Zignago 2011)",
        "series": "dist_cepii (dist, distcap, distw, contig, comlang_off, comlang_ethno, colony);"
        " geo_cepii (landlocked, lat, lon of cap==1)",
        "vintage": "GeoDist (static)",
        "licence": "Etalab open licence (as cited); credit CEPII",
        "origin": "github.com/chrisssch/world-trade@98bdac87c07a20279ad2ff7e19e1f1e9ebd5f2da"
        " data/dist_cepii.csv, data/geo_cepii.csv",
        "raw_file": RAW_FILES["dist"] + "; " + RAW_FILES["geo"],
    },
    {
        "source_id": "gti_2023",
        "publisher": "Institute for Economics & Peace",
        "dataset": "Global Terrorism Index 2023",
        "series": "Score (0-10), Incidents",
        "vintage": "2023 edition (data 2012-2022)",
        "licence": "not stated (IEP terms)",
        "origin": "github.com/yakuza-B/GTI-2@3f9636304920e22b5b05ae2a17a3cee0082f95e8"
        " Global Terrorism Index 2023.csv",
        "raw_file": RAW_FILES["gti"],
    },
    {
        "source_id": "sipri_milex",
        "publisher": "SIPRI",
        "dataset": "SIPRI Military Expenditure Database",
        "series": "current US$ m; share of GDP",
        "vintage": "1949-2023 release (2024)",
        "licence": "free use with attribution (SIPRI terms)",
        "origin": "github.com/ryanozy/csc3107-infovis@881c0f311825d5cc505a15ec81e5c91dd420d7f9"
        " SIPRI-Milex-data-1949-2023.xlsx",
        "raw_file": RAW_FILES["sipri_usd"] + "; " + RAW_FILES["sipri_gdp"],
    },
    _wdi_source("wdi_milex", "MS.MIL.XPND.GD.ZS", "Military expenditure, % of GDP", "wdi_milex"),
    {
        "source_id": "unodc_wdr2024",
        "publisher": "UNODC",
        "dataset": "World Drug Report 2024, statistical annex: drug seizures 2018-2022",
        "series": "Kilograms by DrugName",
        "vintage": "WDR 2024",
        "licence": "not stated (UNODC terms)",
        "origin": "github.com/iujiban/SNU-INFOVIS-PROJECT@a975a62d2fe820b77d17930c7ce95346e13738d6"
        " src/data/Drug_seizures_2018_2022.json",
        "raw_file": RAW_FILES["unodc"],
    },
    _wdi_source("wdi_npl", "FB.AST.NPER.ZS", "Bank non-performing loans to gross loans, %", "npl"),
    _wdi_source("wdi_bankcap", "FB.BNK.CAPA.ZS", "Bank capital to assets, %", "bankcap"),
    _wdi_source(
        "wdi_credit", "FS.AST.PRVT.GD.ZS", "Domestic credit to private sector, % GDP", "credit"
    ),
    {
        "source_id": "ei_sr2024",
        "publisher": "Energy Institute",
        "dataset": "Statistical Review of World Energy 2024",
        "series": "Primary energy consumption (EJ); oil production (kb/d); gas production (bcm)",
        "vintage": "2024 edition (data to 2023)",
        "licence": "(c) Energy Institute; cite, check terms",
        "origin": "github.com/rajaeian-fatemeh/VisualCommunication"
        "@8b52f0a105047bf885cac625f7a8f918daef35b6"
        " EI-Stats-Review-All-Data.xlsx",
        "raw_file": "; ".join(RAW_FILES[k] for k in ("ei_pe", "ei_oil", "ei_gas")),
    },
    {
        "source_id": "owid_energy",
        "publisher": "Our World in Data (BP & EIA)",
        "dataset": "Primary energy consumption BP & EIA (2022)",
        "series": "Primary energy consumption (TWh)",
        "vintage": "2022-08-09",
        "licence": "CC-BY-4.0 (OWID); third-party terms",
        "origin": "github.com/owid/energy-data@f25a51b5bb462fa2004494fc3038be1ef171f72e"
        " scripts/grapher/Primary energy consumption BP & EIA (2022).csv",
        "raw_file": RAW_FILES["owid_pe"],
    },
    _wdi_source(
        "wdi_energy_imports", "EG.IMP.CONS.ZS", "Energy imports, net, % of energy use", "energy_imp"
    ),
    _wdi_source(
        "wdi_fuel_exports",
        "TX.VAL.FUEL.ZS.UN",
        "Fuel exports, % of merchandise exports",
        "fuel_exp",
    ),
    {
        "source_id": "wits_2023",
        "publisher": "World Bank WITS (UN Comtrade)",
        "dataset": "Bilateral merchandise trade 2023 among the 27 (reporter and mirror sides)",
        "series": "exports FOB (x), imports CIF (m), current US$",
        "vintage": "2023 (WITS processed bilateral.json)",
        "licence": "CC-BY-4.0 (World Bank WITS / UN Comtrade)",
        "origin": "github.com/solankivedant/WorldTradeWeb@1e9ad2f6525c65747e24248816c6d73c43eec4b2"
        " data/processed/bilateral.json",
        "raw_file": RAW_FILES["wits"],
    },
    {
        "source_id": "wits_mirror",
        "publisher": "World Bank WITS (UN Comtrade)",
        "dataset": "2023 totals of non-reporting economies rebuilt from partner reports",
        "series": "exports, imports, current US$",
        "vintage": "2023 (WITS processed mirror.json)",
        "licence": "CC-BY-4.0 (World Bank WITS / UN Comtrade)",
        "origin": "github.com/solankivedant/WorldTradeWeb@6c564b96db3c1af5474b45b74ebfcbcf93b8b7c9"
        " data/processed/mirror.json",
        "raw_file": RAW_FILES["wits_mirror"],
    },
    {
        "source_id": "wto_rta",
        "publisher": "World Trade Organization",
        "dataset": "Regional Trade Agreements Database, All RTAs export",
        "series": "RTA ID, type, coverage, entry into force (goods), per-party entry/exit",
        "vintage": "entries in force up to 2025-26",
        "licence": "WTO terms (cite the WTO RTA database)",
        "origin": "github.com/mindstxrm/Geopolitiko@1838d50b0ea18611e779fc8c0575d7f2236c6df1"
        " AllRTAs.xlsx",
        "raw_file": RAW_FILES["rta"],
    },
    {
        "source_id": "wits_ahs",
        "publisher": "World Bank WITS (TRAINS)",
        "dataset": "Effectively applied (AHS) simple-average tariff, importer x exporter (excerpt)",
        "series": "AHS simple average, percent, latest year per importer (c. 2022-23)",
        "vintage": "WITS vintage 2026-08-22",
        "licence": "CC-BY-4.0 (World Bank WITS)",
        "origin": "github.com/solankivedant/WorldTradeWeb@1e9ad2f6525c65747e24248816c6d73c43eec4b2"
        " data/processed/tariffs.json",
        "raw_file": RAW_FILES["ahs"],
    },
    {
        "source_id": "ind_pak_suspension",
        "publisher": "Government of India; Government of Pakistan",
        "dataset": "India's 200 % basic customs duty on goods from Pakistan (February 2019);"
        " Pakistan's suspension of bilateral trade (August 2019)",
        "series": "dates of the measures (India's duty 200 % ad valorem; Pakistan's a ban with"
        " medicines exempted); the tariff equivalent is calibrated to the trade they cut"
        " (imf_dots 2016-2018, wits_2023; scosim.data.suspension)",
        "vintage": "2019, in force 2023",
        "licence": "public notifications",
        "origin": "raw data SOURCES.md section 9c ('Not in this file: trade blockades')",
        "raw_file": "",
    },
    {
        "source_id": "cia_factbook",
        "publisher": "Central Intelligence Agency",
        "dataset": "The World Factbook, Geography: coastline",
        "series": "coastline, km (0: landlocked)",
        "vintage": "online edition 2021",
        "licence": "public domain",
        "origin": "https://www.cia.gov/the-world-factbook/",
        "raw_file": "",
    },
    {
        "source_id": "sco_official",
        "publisher": "SCO Secretariat",
        "dataset": "SCO official announcements (summit declarations on membership, observer and"
        " dialogue-partner status)",
        "series": "year of the summit decision",
        "vintage": "as announced up to 2024",
        "licence": "public statements",
        "origin": "http://eng.sectsc.org",
        "raw_file": "",
    },
    {
        "source_id": "seed_000",
        "publisher": "Indian Council of World Affairs (ICWA)",
        "dataset": "SCO essay collection, June 2023 (project seed 000)",
        "series": "text",
        "vintage": "June 2023",
        "licence": "quoted for facts only",
        "origin": "project seed essays, file 000_576ecaae129e5e46.txt",
        "raw_file": "",
    },
    {
        "source_id": "seed_004",
        "publisher": "project seed 004",
        "dataset": "SCO essay (project seed 004)",
        "series": "text",
        "vintage": "n/a",
        "licence": "quoted for facts only",
        "origin": "project seed essays, file 004_2ec261e7ae290272.txt",
        "raw_file": "",
    },
    {
        "source_id": "eaeu_treaty",
        "publisher": "Eurasian Economic Union",
        "dataset": "Treaty on the Eurasian Economic Union (Astana, 29 May 2014; in force 2015)",
        "series": "customs union: zero internal tariffs, common external tariff",
        "vintage": "2015",
        "licence": "public treaty",
        "origin": "https://docs.eaeunion.org",
        "raw_file": "",
    },
    {
        "source_id": "scosim_rule",
        "publisher": "scosim",
        "dataset": "scosim data layer derivation rules",
        "series": "see method column and docs/data.md",
        "vintage": VERSION_PREFIX,
        "licence": "MIT",
        "origin": "src/scosim/data/build.py; docs/data.md",
        "raw_file": "",
    },
]

# Name maps for sources that do not use ISO3 codes (verbatim labels in the raw files):
# NAMES, with each source's own spellings and without the economies it does not list.
