"""Build the Asker service zones, facility register, plan capacity events and the merge-south measure.

Run ``python scenarios/asker/build_facilities.py`` (writes ``scenarios/asker/data/``, including
``data/services_fragment.yaml``, the zone_systems/services/capacity sections that base.yaml carries
verbatim — a test checks they agree) or ``... --out DIR`` (everything goes to DIR). ``--report [POPULATION_CSV]`` also prints demand vs
usable capacity per zone for a population table (columns ``area,age,sex,persons``; default
``data/population_2024.csv``).

The script reads only ``data/sources/facilities/`` (copies of the raw files, see SOURCES.md there)
and ``data/sources/ssb_population_2020_2021_by_age_sex.csv``
and is deterministic: sorted rows, fixed number formats, no randomness. Every assumption is a
named constant below with its source; ``scenarios/asker/FACILITIES.md`` explains them and shows
the calibration.

What comes from data and what is assumed
----------------------------------------
* Kindergartens: REAL facility list (barnehagefakta, 97 units, 5,241 children, 2023/24) -> places
  and capacity with a stated under-3 share and utilisation. Private units are in the register
  (owner in ``note``), so the service has ``private_share: 0``.
* Schools: real names and the few real capacities (Hvalstad 784 after expansion, Landøya 540,
  Tofte 350, Nesøya 580, Rønningen 1 parallel, Drengsrud 16 classes); all other sizes are
  ASSUMED in whole or half parallels so the register reproduces the plan's aggregate
  over-capacity (about 1,600 primary / 400 lower-secondary places, mostly in Asker midt and sør,
  shortage in the north; Handlingsprogram 2024-2027 L4743-4749).
* Catchments: no boundary data exist; the zone systems are ASSUMED groupings of planning areas
  by share (documented per row below).
* 24-hour care: named institutions with counts where a source exists; the rest of the plan's 862
  places is allocated to named institutions without counts (ASSUMED, marked in ``note``).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "data" / "sources" / "facilities"
HP = "Asker Handlingsprogram 2024-2027 (doc 002)"

# --- planning areas (ids as in build_data.py) and postcodes ------------------------------------
AREA_POSTCODES: dict[str, tuple[str, ...]] = {
    "asker_sentrum": ("1383", "1384", "1385"),
    "hon_landas": ("1386", "1387"),
    "billingstad": ("1394", "1395", "1396"),
    "holmen_vollen": ("1390", "1391", "1397"),
    "borgen_vettre": ("1388", "1392"),
    "heggedal": ("1389",),
    "slemmestad": ("3470", "3472"),
    "royken": ("3440", "3442"),
    "spikkestad": ("3430",),
    "naersnes": ("3474", "3477", "3478"),
    "saetre": ("3475", "3483"),
    "tofte": ("3480", "3482", "3490"),
}
AREAS = tuple(sorted(AREA_POSTCODES))
POSTCODE_AREA = {pc: area for area, pcs in AREA_POSTCODES.items() for pc in pcs}

# --- unit sizes ---------------------------------------------------------------------------------
CLASS_SIZE_PRIMARY = 28  # pupils per class, grades 1-7 (Hvalstad: 4 parallels = 784 -> 28)
PARALLEL_PRIMARY = 7 * CLASS_SIZE_PRIMARY  # 196 places per parallel (7 grades)
PARALLEL_LOWER = 3 * 30  # 90 places per parallel (grades 8-10; Landøya: 6 parallels = 540)
PLACES_PER_AVDELING = 18  # kindergarten department: 9 under-3 (x2) or 18 over-3 (norm; assumed)
OLD = 2000  # "opens" of facilities that already exist in 2024

# --- service parameters -------------------------------------------------------------------------
KG_COVERAGE_1_2 = 0.883  # facts barnehage_dekningsgrad_1_2, 2022 (HP L6738-6742)
KG_COVERAGE_3_5 = 0.971  # facts barnehage_dekningsgrad_3_5, 2022 (HP L6743-6747)
KG_UNDER3_WEIGHT = 2.0  # a child under 3 takes two places (barnehageloven norm)
# Share of enrolled children (mixed-age units) who are under 3: coverage-weighted share of the
# real 1 January 2021 population 1-2 vs 3-5 (SSB 07459, copied in data/sources) -> computed below.
KG_REALISED_UTILISATION = 0.95  # enrolled places / capacity in 2023/24 (assumed: full but not 100 %)
KG_TARGET_UTILISATION = 0.95
SCHOOL_TARGET_UTILISATION = 0.95  # planning norm for usable school capacity (assumed)
PRIMARY_RATE = 0.97  # ages 6-12 in municipal schools: ~3 % in private/international schools (assumed)
LOWER_RATE = 0.96  # ages 13-15: ~4 % private (assumed; Norway ~4-5 % of pupils are in private schools)
CARE_TARGET_UTILISATION = 1.0  # 24-hour places are counted full in the plan's dekningsgrad
CARE_PLACES_2024 = 862  # facts heldognsplasser_eldre, 2024-2026 (HP L7881-7887)
# 24-hour care demand rates by age band, calibrated so 2024 demand = 862 places with the 2024
# population (see FACILITIES.md). Users 67-79 ~8 %, 90+ rate = 2.6 x the 80-89 rate (assumed
# shape, typical of Norwegian KOSTRA/IPLOS age profiles).
CARE_RATE_67_79 = 0.0062
CARE_RATE_80_89 = 0.1376
CARE_RATE_90_PLUS = 0.3578
# Dated decline of the 80+ rates: the plan lowers heldøgn dekningsgrad of 80+ from 17.8 % (2024)
# to 16.6 % (2027) (facts heldognsomsorg_dekningsgrad_80plus; policy dekningsgrad_reduction_policy:
# lower coverage offset by ambulant services/welfare technology). Held constant after 2027.
CARE_DECLINE_2027 = 16.6 / 17.8

# --- zone systems -------------------------------------------------------------------------------
# Barneskole catchment groups (ASSUMED; no boundary data). (zone, name, schools)
PRIMARY_ZONES: tuple[tuple[str, str], ...] = (
    ("billingstad_nesbru", "Billingstad/Nesbru (Billingstad, Mellom-Nes)"),
    ("borgen_vettre", "Borgen/Vettre (Borgen, Rønningen, Vettre)"),
    ("heggedal", "Heggedal/Hofstad"),
    ("holmen_vollen", "Vollen/Nesøya/Kjenn (Arnestad, Nesøya, Kjenn)"),
    ("hon_hagalokka", "Høn/Hagaløkka (Solvang, Hagaløkka; ny sentrumsskole)"),
    ("hvalstad", "Hvalstad/Vestre Billingstad"),
    ("royken", "Røyken (Frydenlund, Midtbygda, Hyggen)"),
    ("saetre", "Sætre/Kana/Klokkarstua"),
    ("sentrum", "Asker sentrum (Jansløkka, Bondi)"),
    ("slemmestad_naersnes", "Slemmestad/Nærsnes (Slemmestad, Torvbråten, Sydskogen, Nærsnes)"),
    ("spikkestad", "Spikkestad"),
    ("tofte", "Tofte/Filtvet"),
    ("vardasen_drengsrud", "Vardåsen/Drengsrud"),
)
# (area, zone, share, reason)
PRIMARY_MAP: tuple[tuple[str, str, float, str], ...] = (
    ("asker_sentrum", "sentrum", 0.50, "centre and east of the station"),
    ("asker_sentrum", "hon_hagalokka", 0.15, "Hagaløkka side, north of the centre"),
    ("asker_sentrum", "vardasen_drengsrud", 0.35, "west (1385: Vardåsen, Drengsrud)"),
    ("billingstad", "hvalstad", 0.35, "Hvalstad and Vestre Billingstad (kretsgrense 2018)"),
    ("billingstad", "billingstad_nesbru", 0.55, "Billingstad and Nesbru"),
    ("billingstad", "holmen_vollen", 0.10, "Landøya side of Nesbru -> Nesøya skole"),
    ("borgen_vettre", "borgen_vettre", 1.0, ""),
    ("heggedal", "heggedal", 0.70, "Heggedal, Hofstad"),
    ("heggedal", "vardasen_drengsrud", 0.30, "Gamle Drammensvei side -> Drengsrud"),
    ("holmen_vollen", "holmen_vollen", 1.0, ""),
    ("hon_landas", "hon_hagalokka", 1.0, ""),
    ("naersnes", "slemmestad_naersnes", 1.0, ""),
    ("royken", "royken", 1.0, ""),
    ("saetre", "saetre", 1.0, ""),
    ("slemmestad", "slemmestad_naersnes", 1.0, ""),
    ("spikkestad", "spikkestad", 1.0, ""),
    ("tofte", "tofte", 0.70, "Tofte, Filtvet (Tofte skole serves Tofte + Filtvet)"),
    ("tofte", "saetre", 0.30, "Klokkarstua (3490) -> Sætre"),
)
# The 12 real ungdomsskolekretser (temaplan 2021); area shares ASSUMED.
LOWER_ZONES: tuple[tuple[str, str], ...] = (
    ("borgen", "Borgen (Asker sentrum)"),
    ("hovedgarden", "Hovedgården (Asker midt)"),
    ("landoya", "Landøya (Asker nord)"),
    ("risenga", "Risenga (Asker sentrum)"),
    ("royken", "Røyken (Asker sør)"),
    ("saetre", "Sætre (Asker sør)"),
    ("slemmestad", "Slemmestad (Asker midt)"),
    ("solvang", "Solvang (Asker sentrum)"),
    ("spikkestad", "Spikkestad (Asker sør)"),
    ("tofte", "Tofte (Asker sør)"),
    ("torstad", "Torstad (Asker nord)"),
    ("vollen", "Vollen (Asker midt)"),
)
LOWER_MAP: tuple[tuple[str, str, float, str], ...] = (
    ("asker_sentrum", "risenga", 0.60, "centre"),
    ("asker_sentrum", "hovedgarden", 0.40, "west of the centre"),
    ("billingstad", "torstad", 0.50, "Hvalstad/Billingstad"),
    ("billingstad", "landoya", 0.50, "Nesbru/Landøya"),
    ("borgen_vettre", "borgen", 1.0, ""),
    ("heggedal", "hovedgarden", 1.0, ""),
    ("holmen_vollen", "vollen", 0.70, "Vollen/Holmen"),
    ("holmen_vollen", "landoya", 0.30, "Nesøya"),
    ("hon_landas", "solvang", 1.0, "Høn/Landås/Hønsjordet"),
    ("naersnes", "slemmestad", 1.0, ""),
    ("royken", "royken", 1.0, ""),
    ("saetre", "saetre", 1.0, ""),
    ("slemmestad", "slemmestad", 1.0, ""),
    ("spikkestad", "spikkestad", 1.0, ""),
    ("tofte", "tofte", 0.70, "Tofte/Filtvet"),
    ("tofte", "saetre", 0.30, "Klokkarstua"),
)

# --- schools ------------------------------------------------------------------------------------
SRC_SCHOOLS = "data/sources/facilities/schools_partial.csv"
SRC_CAL = "size assumed (FACILITIES.md calibration to HP L4743-4749)"
P, L = PARALLEL_PRIMARY, PARALLEL_LOWER
# (id, name, zone, places, opens, closes, note, source)
PRIMARY_SCHOOLS: tuple[tuple[str, str, str, int, int, int | None, str, str], ...] = (
    ("arnestad_skole", "Arnestad skole", "holmen_vollen", 2 * P, OLD, None, "2 parallels (assumed)", SRC_CAL),
    (
        "billingstad_skole",
        "Billingstad skole",
        "billingstad_nesbru",
        3 * P,
        OLD,
        None,
        "3 parallels (assumed); ombygging 2025 without capacity change (HP L7471)",
        SRC_CAL,
    ),
    ("bondi_skole", "Bondi skole", "sentrum", P, OLD, None, "1 parallel (assumed)", SRC_CAL),
    ("borgen_skole", "Borgen skole", "borgen_vettre", 2 * P, OLD, None, "2 parallels (assumed)", SRC_CAL),
    (
        "drengsrud_skole",
        "Drengsrud skole",
        "vardasen_drengsrud",
        16 * CLASS_SIZE_PRIMARY,
        OLD,
        None,
        "16 classes x 28 (lokalhistoriewiki; UNCERTAIN vintage)",
        SRC_SCHOOLS,
    ),
    ("frydenlund_skole", "Frydenlund skole", "royken", 2 * P, OLD, None, "2 parallels (assumed)", SRC_SCHOOLS),
    (
        "hagalokka_skole",
        "Hagaløkka skole",
        "hon_hagalokka",
        int(2.5 * P),
        OLD,
        None,
        "2.5 parallels (assumed)",
        SRC_CAL,
    ),
    (
        "heggedal_skole",
        "Heggedal skole",
        "heggedal",
        2 * P,
        OLD,
        None,
        "2 parallels (assumed); type UNVERIFIED in source",
        SRC_SCHOOLS,
    ),
    (
        "hofstad_skole",
        "Hofstad skole",
        "heggedal",
        P,
        OLD,
        None,
        "1 parallel (assumed); location/catchment UNCERTAIN",
        SRC_CAL,
    ),
    (
        "hvalstad_skole",
        "Hvalstad skole",
        "hvalstad",
        3 * P,
        OLD,
        None,
        "temporary 3 parallels with pavilions (project page; HP says 2->4); 784 from 2026 (capacity_events)",
        SRC_SCHOOLS,
    ),
    ("hyggen_skole", "Hyggen skole", "royken", P, OLD, None, "1 parallel (assumed; small school)", SRC_SCHOOLS),
    (
        "janslokka_skole",
        "Jansløkka skole",
        "sentrum",
        2 * P,
        OLD,
        None,
        "2 parallels (assumed; ~450 pupils undated, lokalhistoriewiki: over-full)",
        SRC_SCHOOLS,
    ),
    (
        "kjenn_skole",
        "Kjenn skole",
        "holmen_vollen",
        P,
        OLD,
        None,
        "1 parallel (assumed); location/catchment UNCERTAIN",
        SRC_CAL,
    ),
    (
        "mellom_nes_skole",
        "Mellom-Nes skole",
        "billingstad_nesbru",
        2 * P,
        OLD,
        None,
        "2 parallels ('full' at 366 in 2018); pavilion storey 2024 (capacity_events)",
        SRC_SCHOOLS,
    ),
    ("midtbygda_skole", "Midtbygda skole", "royken", int(1.5 * P), OLD, None, "1.5 parallels (assumed)", SRC_SCHOOLS),
    ("naersnes_skole", "Nærsnes skole", "slemmestad_naersnes", 2 * P, OLD, None, "2 parallels (assumed)", SRC_SCHOOLS),
    (
        "nesoya_skole",
        "Nesøya skole",
        "holmen_vollen",
        580,
        OLD,
        None,
        "dimensioned for 580 (Udir skoleanlegg 2016; built 2015)",
        "http://www.skoleanlegg.utdanningsdirektoratet.no/artikkel/138/Nesoya-skole-Asker-kommune",
    ),
    (
        "ronningen_skole",
        "Rønningen skole",
        "borgen_vettre",
        P,
        OLD,
        None,
        "1 parallel (lokalhistoriewiki 2016)",
        SRC_SCHOOLS,
    ),
    (
        "saetre_skole",
        "Sætre skole",
        "saetre",
        2 * P,
        OLD,
        2027,
        "2 parallels (assumed); old building replaced 2027",
        SRC_SCHOOLS,
    ),
    (
        "slemmestad_barneskole",
        "Slemmestad barneskole",
        "slemmestad_naersnes",
        2 * P,
        OLD,
        None,
        "2 parallels (assumed)",
        SRC_SCHOOLS,
    ),
    (
        "solvang_skole_barnetrinn",
        "Solvang skole (barnetrinn)",
        "hon_hagalokka",
        3 * P,
        OLD,
        None,
        "3 parallels (assumed; HP's 4->6 read as ungdomstrinn)",
        SRC_CAL,
    ),
    (
        "spikkestad_barneskole",
        "Spikkestad barneskole",
        "spikkestad",
        3 * P,
        OLD,
        None,
        "3 parallels (assumed)",
        SRC_SCHOOLS,
    ),
    (
        "sydskogen_skole",
        "Sydskogen skole",
        "slemmestad_naersnes",
        P,
        OLD,
        None,
        "1 parallel (assumed); Bødalen (3472)",
        SRC_SCHOOLS,
    ),
    ("tofte_skole", "Tofte skole", "tofte", 350, OLD, None, "2-parallel, 350 places (opened 2017)", SRC_SCHOOLS),
    (
        "torvbraten_skole",
        "Torvbråten skole",
        "slemmestad_naersnes",
        2 * P,
        OLD,
        None,
        "2 parallels (assumed); Slemmestad (3470)",
        SRC_SCHOOLS,
    ),
    (
        "vardasen_skole",
        "Vardåsen skole",
        "vardasen_drengsrud",
        int(1.5 * P),
        OLD,
        None,
        "1.5 parallels (assumed)",
        SRC_CAL,
    ),
    ("vettre_skole", "Vettre skole", "borgen_vettre", int(1.5 * P), OLD, None, "1.5 parallels (assumed)", SRC_CAL),
    # plan: new facilities
    (
        "ny_saetre_skole",
        "Ny Sætre skole",
        "saetre",
        3 * P,
        2027,
        None,
        "replaces Sætre skole; capacity not stated, 3 parallels = norm minimum (HP L4760)",
        f"{HP} L7468-7470",
    ),
    (
        "ny_sentrumsskole_honsjordet",
        "Ny sentrumsskole (Hønsjordet)",
        "hon_hagalokka",
        4 * P,
        2031,
        None,
        "4-parallel barneskole with sports hall; table 2031, text 2030",
        f"{HP} L7399-7402, L7462-7466",
    ),
)
LOWER_SCHOOLS: tuple[tuple[str, str, str, int, int, int | None, str, str], ...] = (
    (
        "borgen_ungdomsskole",
        "Borgen ungdomsskole",
        "borgen",
        int(3.5 * L),
        OLD,
        None,
        "3.5 parallels (assumed)",
        SRC_SCHOOLS,
    ),
    (
        "hovedgarden_ungdomsskole",
        "Hovedgården ungdomsskole",
        "hovedgarden",
        5 * L,
        OLD,
        None,
        "5 parallels (assumed)",
        SRC_CAL,
    ),
    (
        "landoya_ungdomsskole",
        "Landøya ungdomsskole",
        "landoya",
        6 * L,
        OLD,
        None,
        "6 parallels = 540 (built 2018)",
        SRC_SCHOOLS,
    ),
    (
        "risenga_ungdomsskole",
        "Risenga ungdomsskole",
        "risenga",
        4 * L,
        OLD,
        None,
        "4 parallels (assumed; new building ~2020, 6,700 m2)",
        SRC_SCHOOLS,
    ),
    (
        "royken_ungdomsskole",
        "Røyken ungdomsskole",
        "royken",
        int(3.5 * L),
        OLD,
        None,
        "3.5 parallels (assumed)",
        SRC_SCHOOLS,
    ),
    (
        "saetre_ungdomsskole",
        "Sætre ungdomsskole",
        "saetre",
        int(2.5 * L),
        OLD,
        None,
        "2.5 parallels (assumed); capacity increase 2032 (capacity_events)",
        SRC_SCHOOLS,
    ),
    (
        "slemmestad_ungdomsskole",
        "Slemmestad ungdomsskole",
        "slemmestad",
        6 * L,
        OLD,
        None,
        "6 parallels (assumed)",
        SRC_SCHOOLS,
    ),
    (
        "solvang_skole_ungdomstrinn",
        "Solvang skole (ungdomstrinn)",
        "solvang",
        4 * L,
        OLD,
        None,
        "4 parallels; HP 'utvidelse Solvang 4->6' read as ungdomstrinn (barnetrinn range is 1-3)",
        f"{HP} L7490-7493",
    ),
    (
        "spikkestad_ungdomsskole",
        "Spikkestad ungdomsskole",
        "spikkestad",
        int(2.5 * L),
        OLD,
        None,
        "2.5 parallels (assumed)",
        SRC_SCHOOLS,
    ),
    (
        "tofte_ungdomsskole",
        "Tofte ungdomsskole (Hurum)",
        "tofte",
        2 * L,
        OLD,
        None,
        "2 parallels (assumed); school name UNCERTAIN (krets Tofte)",
        SRC_CAL,
    ),
    ("torstad_ungdomsskole", "Torstad ungdomsskole", "torstad", 4 * L, OLD, None, "4 parallels (assumed)", SRC_CAL),
    (
        "vollen_ungdomsskole",
        "Vollen ungdomsskole",
        "vollen",
        int(3.5 * L),
        OLD,
        None,
        "3.5 parallels (assumed)",
        SRC_CAL,
    ),
)

# --- 24-hour care -------------------------------------------------------------------------------
SRC_CARE = "data/sources/facilities/care_partial.csv"
# Rows of care_partial.csv used with their count: (id, source name, opens, note)
CARE_COUNTED: tuple[tuple[str, str, int, str], ...] = (
    (
        "braset_bo_og_omsorgssenter",
        "Bråset bo- og omsorgssenter",
        OLD,
        "Røyken; UNCERTAIN: 200 rooms as built (2005), taken as operated places",
    ),
    (
        "gullhella_omsorgsboliger",
        "Gullhella bo- og aktivitetssenter (omsorgsboliger)",
        OLD,
        "heldøgns omsorgsboliger, sykehjemsstandard (2015)",
    ),
    ("gullhella_sykehjem", "Gullhella sykehjem", OLD, "langtidsplasser (2015)"),
    ("hurum_helsehus", "Hurum helsehus", OLD, "Filtvet; UNCERTAIN: 110 planned places (contract 2019)"),
    ("nesbru_bo_og_omsorgssenter", "Nesbru bo- og omsorgssenter", OLD, "langtidsplasser (2017)"),
    ("omsorgsboliger_spikkestad", "Omsorgsboliger Spikkestad (Oddevallveien 6)", OLD, "24h staff"),
    (
        "sondre_borgen_helsehus",
        "Søndre Borgen helsehus (new building)",
        2023,
        "40 new heldøgnsplasser from autumn 2023, inside the 862 (HP L8275-8279)",
    ),
    (
        "sondre_borgen_sykehjem",
        "Søndre Borgen sykehjem (existing building)",
        OLD,
        "UNCERTAIN: 56 = planned re-established places; upgrade 2024 without capacity change",
    ),
)
# Named institutions without a count: residual places ASSUMED so the total is 862 in 2024.
CARE_RESIDUAL: tuple[tuple[str, str, str], ...] = (
    ("asker_bo_og_omsorgssenter", "Asker bo- og omsorgssenter", "Asker bo- og omsorgssenter"),
    ("bondi_boligsenter", "Bondi boligsenter", "Bondi boligsenter"),
    ("risenga_bo_og_omsorgssenter", "Risenga bo- og omsorgssenter", "Risenga bo- og omsorgssenter"),
    ("solgarden_sykehjem", "Solgården sykehjem", "Solgården sykehjem"),
    ("torstadtunet_omsorgsboliger", "Torstadtunet omsorgsboliger", "Torstadtunet omsorgsboliger"),
)
CARE_RESIDUAL_WEIGHTS = (60, 40, 60, 65, 40)  # relative sizes (assumed; sums scaled to the residual)
CARE_NEW: tuple[tuple[str, str, int, int, str, str], ...] = (
    (
        "kloppedalen_bo_og_omsorgssenter",
        "Kloppedalen sykehjem/boliger med heldøgns omsorg (Heggedal)",
        100,
        2027,
        "vedtatte nye plasser 2027 (862 -> 962); ready at the turn of 2026/2027",
        f"{HP} L7881-7888, L8201-8204",
    ),
    (
        "vettre_heldognsomsorg",
        "Vettre sykehjem/boliger med heldøgnsomsorg",
        75,
        2030,
        "ca. 75 places; in the preliminary 2028-2033 investment years; assumed net new",
        f"{HP} L8206-8209, L8266-8269",
    ),
)

# --- kindergarten plan ----------------------------------------------------------------------------
KG_NEW: tuple[tuple[str, str, str, int, int, str, str], ...] = (
    (
        "bondivann_barnehage",
        "Ny barnehage Bondivann stasjon (Borgen)",
        "borgen_vettre",
        6,
        2029,
        "6 avd.; replaces Østhellinga (closed 2029); postponed 2 years",
        f"{HP} L7380-7383, L7425-7429",
    ),
    (
        "hon_landas_barnehage",
        "Ny barnehage Høn-Landås",
        "hon_landas",
        7,
        2030,
        "6-8 avd. (7 assumed); postponed 2 years",
        f"{HP} L7390-7393, L7437-7440",
    ),
    (
        "nyhustomta_barnehage",
        "Ny barnehage Heggedal (Nyhustomta)",
        "heggedal",
        8,
        2028,
        "8 avd.; Heggedalskogen closed 2028",
        f"{HP} L7385-7388, L7431-7435",
    ),
)
# Names in kindergartens.csv -> register id suffix handled by slug(); plan changes of existing units.
KG_EVENTS: tuple[tuple[int, str, str, int | None, str, str], ...] = (
    (
        2025,
        "extension",
        "Søndre Borgen barnehage",
        2,
        "replacement building 6 -> 8 avd.",
        f"{HP} L7375-7378, L7420-7423",
    ),
    (
        2026,
        "extension",
        "Føyka barnehage Ånnerudveien",
        3,
        "Føyka 3 -> 6 avd. (which Føyka unit: assumed)",
        f"{HP} L7395, L7442-7445",
    ),
    (2028, "extension", "Røyken barnehage", 5, "3 -> 8 avd.; postponed 2 years", f"{HP} L7396, L7447-7450"),
    (2028, "closure", "Heggedalskogen barnehage Heggedalskogen", None, "replaced by Nyhustomta", f"{HP} L7431-7435"),
    (2028, "closure", "Heggedalskogen barnehage Friluft", None, "replaced by Nyhustomta", f"{HP} L7431-7435"),
    (2029, "closure", "Østhellinga barnehage", None, "replaced by Bondivann stasjon", f"{HP} L7425-7429"),
)
SCHOOL_EVENTS: tuple[tuple[int, str, str, int, str, str], ...] = (
    (
        2024,
        "extension",
        "mellom_nes_skole",
        2 * CLASS_SIZE_PRIMARY,
        "extra storey on pavilion (2 classrooms assumed)",
        f"{HP} L7408, L7485-7488",
    ),
    (
        2026,
        "extension",
        "hvalstad_skole",
        P,
        "temporary 3 -> permanent 4 parallels = 784 ('vinteren 2026')",
        f"{HP} L7407, L7480-7483",
    ),
    (
        2032,
        "extension",
        "saetre_ungdomsskole",
        int(1.5 * L),
        "capacity increase (size not stated; +1.5 parallels assumed)",
        f"{HP} L7406, L7475-7478",
    ),
    (
        2033,
        "extension",
        "solvang_skole_ungdomstrinn",
        2 * L,
        "4 -> 6 parallels (Hønsjordet)",
        f"{HP} L7409, L7490-7493",
    ),
)

# --- what the investment programme adds -----------------------------------------------------------
# The plan's new facilities and capacity events above are projects in data/projects.csv
# (build_projects.py, PROJECTS.md §5): there a delayed project delays its capacity. They are kept
# here as documentation of the plan but left out of the register and the events, so no capacity
# is counted twice. Sætre skole is no longer closed in 2027: the new school is +196 places on it.
IN_PROJECT_CATALOGUE: frozenset[str] = frozenset(
    {
        "kloppedalen_bo_og_omsorgssenter",
        "vettre_heldognsomsorg",
        "ny_sentrumsskole_honsjordet",
        "ny_saetre_skole",
        "nyhustomta_barnehage",
        "bondivann_barnehage",
        "hon_landas_barnehage",
    }
)
NO_CLOSURE: frozenset[str] = frozenset({"saetre_skole"})
PLAN_EVENTS_IN_PROJECT_CATALOGUE = True

# --- measure: merge small schools in Asker sør/midt ----------------------------------------------
MEASURE_ID = "school_merge_south"
MEASURE_SOURCE = "strukturtiltak_from_2025 (HP L4722-4767); temaplan skolestruktur mandate (HP L4764-4767)"
# (year, event, facility, places, to_facility, note)
MEASURE_EVENTS: tuple[tuple[int, str, str, int | None, str, str], ...] = (
    (2026, "merger", "hyggen_skole", None, "frydenlund_skole", "Hyggen (1 parallel, Asker sør) merged into Frydenlund"),
    (2026, "extension", "frydenlund_skole", -P, "", "Hyggen building vacated: its 196 places leave the register"),
    (2027, "merger", "hofstad_skole", None, "heggedal_skole", "Hofstad (1 parallel, Asker midt) merged into Heggedal"),
    (2027, "extension", "heggedal_skole", -P, "", "Hofstad building vacated; Heggedal (2 parallels) has room"),
    (2028, "merger", "ronningen_skole", None, "borgen_skole", "Rønningen (1 parallel) merged into Borgen"),
    (
        2028,
        "extension",
        "borgen_skole",
        -int(0.5 * P),
        "",
        "Borgen extended 2 -> 2.5 parallels (+98), Rønningen vacated (-196): net -98",
    ),
)


# ============================================================================== helpers


def slug(name: str) -> str:
    """lower_snake_case id from a Norwegian name."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u"})
    out = "".join(c if c.isalnum() else "_" for c in name.lower().translate(table))
    text = "_".join(p for p in out.split("_") if p)
    return f"n{text}" if text[:1].isdigit() else text  # ids must start with a letter


def fmt(value: float, decimals: int) -> str:
    """Fixed-decimal text without a negative zero."""
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 and decimals == 0 else text.replace("-0.000", "0.000")


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Write a CSV with LF line ends (byte-stable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV as dicts."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def under3_share() -> float:
    """Coverage-weighted share of enrolled children aged 1-2 (real SSB population 1 Jan 2021)."""
    rows = read_csv(HERE / "data" / "sources" / "ssb_population_2020_2021_by_age_sex.csv")
    year_col = next(c for c in rows[0] if "year" in c.lower())
    latest = max(r[year_col] for r in rows)
    by_age: dict[int, float] = {}
    for r in rows:
        if r[year_col] == latest:
            by_age[int(r["age"])] = by_age.get(int(r["age"]), 0.0) + float(r["persons"])
    small = KG_COVERAGE_1_2 * (by_age[1] + by_age[2])
    big = KG_COVERAGE_3_5 * (by_age[3] + by_age[4] + by_age[5])
    return round(small / (small + big), 3)


# ============================================================================== builders


def zone_rows(mapping: tuple[tuple[str, str, float, str], ...]) -> list[list[object]]:
    """Rows ``area,zone,share`` of a zone system; checks every area is mapped and sums to 1."""
    totals: dict[str, float] = {}
    for area, _zone, share, _ in mapping:
        totals[area] = totals.get(area, 0.0) + share
    bad = {a: t for a, t in totals.items() if abs(t - 1.0) > 1e-12}
    missing = set(AREAS) - set(totals)
    if bad or missing:
        raise SystemExit(f"zone shares do not sum to 1: {bad} missing {sorted(missing)}")
    return sorted([[a, z, fmt(s, 4)] for a, z, s, _ in mapping])


def kindergartens(u3: float) -> tuple[list[list[object]], dict[str, str]]:
    """Register rows for kindergartens with children; returns rows and name -> id."""
    rows, ids = [], {}
    for r in read_csv(SOURCES / "kindergartens.csv"):
        if not r["children"]:
            continue  # åpen barnehage: no enrolled children, no places
        children = float(r["children"])
        ages = r["age_range"]
        weight = KG_UNDER3_WEIGHT if ages == "1-2" else 1.0 if ages == "3-5" else 1.0 + (KG_UNDER3_WEIGHT - 1.0) * u3
        capacity = round(children * weight / KG_REALISED_UTILISATION)
        fid = slug(r["name"])
        if fid in ids.values():
            raise SystemExit(f"duplicate kindergarten id {fid}")
        ids[r["name"]] = fid
        note = f"{r['owner']} {r['type']}; {int(children)} children {r['year']} ages {ages} -> places / {KG_REALISED_UTILISATION}"
        src = f"barnehagefakta via {r['source'].split(' : ')[0]} (data/sources/facilities/kindergartens.csv)"
        rows.append([fid, r["name"], "kindergarten", POSTCODE_AREA[r["postcode"]], capacity, OLD, "", "", note, src])
    for fid, name, area, avd, opens, note, src in KG_NEW:
        if fid in IN_PROJECT_CATALOGUE:
            continue
        rows.append([fid, name, "kindergarten", area, avd * PLACES_PER_AVDELING, opens, "", "", note, src])
    return rows, ids


def school_rows() -> list[list[object]]:
    """Register rows for primary and lower-secondary schools."""
    rows = []
    for service, table in (("primary_school", PRIMARY_SCHOOLS), ("lower_secondary", LOWER_SCHOOLS)):
        for fid, name, zone, places, opens, closes, note, src in table:
            if fid in IN_PROJECT_CATALOGUE:
                continue
            if fid in NO_CLOSURE:
                closes, note = None, note + "; new building = project skole_ny_saetre (+196) on this row"
            rows.append([fid, name, service, zone, places, opens, "" if closes is None else closes, "", note, src])
    return rows


def care_rows() -> list[list[object]]:
    """Register rows for 24-hour care: counted rows, residual rows summing to 862, new places."""
    src = {r["name"]: r for r in read_csv(SOURCES / "care_partial.csv")}
    rows, counted = [], 0
    for fid, name, opens, note in CARE_COUNTED:
        places = int(src[name]["places"])
        counted += places
        rows.append([fid, name, "care_24h", "kommune", places, opens, "", "", note, SRC_CARE])
    residual = CARE_PLACES_2024 - counted
    wsum = sum(CARE_RESIDUAL_WEIGHTS)
    alloc = [residual * w // wsum for w in CARE_RESIDUAL_WEIGHTS]
    alloc[0] += residual - sum(alloc)
    for (fid, name, src_name), places in zip(CARE_RESIDUAL, alloc, strict=True):
        assert src_name in src
        note = f"ASSUMED {places} places: named in 2017 list without count; residual to the plan's {CARE_PLACES_2024}"
        rows.append([fid, name, "care_24h", "kommune", places, OLD, "", "", note, f"{SRC_CARE}; {HP} L7881-7887"])
    for fid, name, places, opens, note, source in CARE_NEW:
        if fid in IN_PROJECT_CATALOGUE:
            continue
        rows.append([fid, name, "care_24h", "kommune", places, opens, "", "", note, source])
    return rows


def event_rows(kg_ids: dict[str, str]) -> list[list[object]]:
    """Plan capacity events (always applied), sorted by year and facility."""
    rows: list[list[object]] = []
    if PLAN_EVENTS_IN_PROJECT_CATALOGUE:
        return rows
    for year, event, name, avd, note, src in KG_EVENTS:
        places = "" if avd is None else avd * PLACES_PER_AVDELING
        rows.append([year, event, kg_ids[name], places, "", "", note, src])
    for year, event, fid, places, note, src in SCHOOL_EVENTS:
        rows.append([year, event, fid, places, "", "", note, src])
    return sorted(rows, key=lambda r: (r[0], str(r[2]), r[1]))


def measure_rows() -> list[list[object]]:
    """Events of the merge-south measure (each merger before its extension)."""
    rows = [[y, e, f, "" if p is None else p, to, "", note, MEASURE_SOURCE] for y, e, f, p, to, note in MEASURE_EVENTS]
    return sorted(rows, key=lambda r: (r[0], r[1] != "merger", str(r[2])))


def fragment(u3: float) -> str:
    """The zone_systems / services / capacity YAML for base.yaml."""

    def zones(defs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
        return [{"id": z, "name": n} for z, n in defs]

    r80 = (CARE_RATE_80_89, CARE_RATE_90_PLUS)
    doc = {
        "zone_systems": [
            {
                "id": "primary",
                "name": "Barneskolekretser (grupper)",
                "zones": zones(PRIMARY_ZONES),
                "mapping": "data/zones_primary.csv",
            },
            {
                "id": "lower_secondary",
                "name": "Ungdomsskolekretser",
                "zones": zones(LOWER_ZONES),
                "mapping": "data/zones_lower_secondary.csv",
            },
        ],
        "services": [
            {
                "id": "kindergarten",
                "name": "Barnehage",
                "zone_system": "areas",
                "coverage": [{"ages": [1, 2], "rate": KG_COVERAGE_1_2}, {"ages": [3, 5], "rate": KG_COVERAGE_3_5}],
                "place_weight": [{"ages": [1, 2], "weight": KG_UNDER3_WEIGHT}],
                "private_share": 0.0,
                "target_utilisation": KG_TARGET_UTILISATION,
                "source": f"{HP} L6738-6747 (dekningsgrad 2022); register = all 95 units with children, "
                f"public and private (barnehagefakta 2023/24); under-3 share {u3}",
            },
            {
                "id": "primary_school",
                "name": "Barneskole (1.-7. trinn)",
                "zone_system": "primary",
                "coverage": [{"ages": [6, 12], "rate": PRIMARY_RATE}],
                "private_share": 0.0,
                "target_utilisation": SCHOOL_TARGET_UTILISATION,
                "source": "rate = 1 - assumed 3 % private-school share; 27 municipal barneskoler (HP L6653-6655)",
            },
            {
                "id": "lower_secondary",
                "name": "Ungdomsskole (8.-10. trinn)",
                "zone_system": "lower_secondary",
                "coverage": [{"ages": [13, 15], "rate": LOWER_RATE}],
                "private_share": 0.0,
                "target_utilisation": SCHOOL_TARGET_UTILISATION,
                "source": "rate = 1 - assumed 4 % private-school share; 12 ungdomsskoler (HP L6653-6655)",
            },
            {
                "id": "care_24h",
                "name": "Heldøgns omsorg eldre",
                "zone_system": "municipality",
                "coverage": [
                    {"ages": [67, 79], "rate": CARE_RATE_67_79},
                    {
                        "ages": [80, 89],
                        "rate": {"method": "linear", 2024: r80[0], 2027: round(r80[0] * CARE_DECLINE_2027, 4)},
                    },
                    {
                        "ages": [90, 100],
                        "rate": {"method": "linear", 2024: r80[1], 2027: round(r80[1] * CARE_DECLINE_2027, 4)},
                    },
                ],
                "private_share": 0.0,
                "target_utilisation": CARE_TARGET_UTILISATION,
                "source": f"{HP} L7874-7888: 862 places 2024-26, 962 from 2027, dekningsgrad 80+ 17.8 % (2024) "
                "-> 16.6 % (2027); rates calibrated to 862 in 2024 (FACILITIES.md)",
            },
        ],
        "capacity": {
            "facilities": "data/facilities.csv",
            "events": "data/capacity_events.csv",
            "measures": {
                MEASURE_ID: {
                    "description": "Strukturtiltak: merge three 1-parallel primary schools with idle capacity "
                    "(Hyggen->Frydenlund 2026, Hofstad->Heggedal 2027, Rønningen->Borgen 2028 "
                    "with Borgen +0.5 parallel); vacated buildings leave the register (-490 places)",
                    "events": f"data/measures/{MEASURE_ID}.csv",
                }
            },
            "active_measures": [],
        },
    }
    head = "# Generated by scenarios/asker/build_facilities.py -- base.yaml carries these sections verbatim.\n"
    return head + to_yaml(doc)


def flow(value: object) -> str:
    """One-line YAML flow text of a small mapping or list."""
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=10_000).strip()


def scalar(value: object) -> str:
    """YAML text of a scalar (quoted only where YAML needs it)."""
    return flow([value])[1:-1]


def to_yaml(doc: dict) -> str:
    """Block-style YAML with list items of zones/coverage/place_weight in flow style (base.yaml shape)."""
    lines: list[str] = []

    def emit(value: object, indent: int) -> None:
        pad = " " * indent
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, dict) and item:
                    lines.append(f"{pad}{key}:")
                    emit(item, indent + 2)
                elif isinstance(item, list) and item and not all(isinstance(x, str | int | float) for x in item):
                    lines.append(f"{pad}{key}:")
                    for entry in item:
                        if key in ("zones", "coverage", "place_weight"):
                            lines.append(f"{pad}  - {flow(entry)}")
                        else:
                            sub: list[str] = []
                            lines_before = len(lines)
                            emit(entry, indent + 4)
                            sub = lines[lines_before:]
                            del lines[lines_before:]
                            first = sub[0].lstrip()
                            lines.append(f"{pad}  - {first}")
                            lines.extend(sub[1:])
                elif isinstance(item, list):
                    lines.append(f"{pad}{key}: {flow(item)}")
                else:
                    lines.append(f"{pad}{key}: {scalar(item)}")

    emit(doc, 0)
    return "\n".join(lines) + "\n"


def build(out: Path, fragment_path: Path) -> dict[str, float]:
    """Write every table and the YAML fragment; return 2024 register totals."""
    u3 = under3_share()
    write_csv(out / "zones_primary.csv", ["area", "zone", "share"], zone_rows(PRIMARY_MAP))
    write_csv(out / "zones_lower_secondary.csv", ["area", "zone", "share"], zone_rows(LOWER_MAP))
    kg, kg_ids = kindergartens(u3)
    facilities = sorted(kg + school_rows() + care_rows(), key=lambda r: (r[2], str(r[0])))
    ids = [r[0] for r in facilities]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate facility id")
    header = [
        "id",
        "name",
        "service",
        "zone",
        "capacity_places",
        "opens",
        "closes",
        "target_utilisation",
        "note",
        "source",
    ]
    write_csv(out / "facilities.csv", header, facilities)
    ev_header = ["year", "event", "facility", "places", "to_facility", "to_service", "note", "source"]
    write_csv(out / "capacity_events.csv", ev_header, event_rows(kg_ids))
    write_csv(out / "measures" / f"{MEASURE_ID}.csv", ev_header, measure_rows())
    fragment_path.parent.mkdir(parents=True, exist_ok=True)
    fragment_path.write_text(fragment(u3), encoding="utf-8")
    totals: dict[str, float] = {"under3_share": u3}
    for r in facilities:
        if r[5] <= 2024 and (r[6] == "" or r[6] > 2024):
            totals[f"capacity_2024_{r[2]}"] = totals.get(f"capacity_2024_{r[2]}", 0) + r[4]
            totals[f"units_2024_{r[2]}"] = totals.get(f"units_2024_{r[2]}", 0) + 1
    return totals


# ============================================================================== report


def capacity_by_zone(out: Path, year: int, measure: bool = False) -> dict[tuple[str, str], float]:
    """Capacity per (service, zone) in ``year`` from the written tables (events applied in order)."""
    fac = read_csv(out / "facilities.csv")
    if measure and (out / "measures" / f"{MEASURE_ID}_facilities.csv").exists():
        fac += read_csv(out / "measures" / f"{MEASURE_ID}_facilities.csv")
    cap = {r["id"]: 0.0 for r in fac}
    info = {r["id"]: r for r in fac}
    for r in fac:
        if int(r["opens"]) <= year and (not r["closes"] or int(r["closes"]) > year):
            cap[r["id"]] = float(r["capacity_places"])
    events = read_csv(out / "capacity_events.csv")
    if measure:
        events += read_csv(out / "measures" / f"{MEASURE_ID}.csv")
    events.sort(key=lambda e: (int(e["year"]), e["event"] != "merger"))
    for e in events:
        if int(e["year"]) > year:
            continue
        f = e["facility"]
        if e["event"] == "extension":
            cap[f] += float(e["places"])
        elif e["event"] == "closure":
            cap[f] = 0.0
        elif e["event"] == "merger":
            cap[e["to_facility"]] += cap[f]
            cap[f] = 0.0
    out_zone: dict[tuple[str, str], float] = {}
    for f, c in cap.items():
        key = (info[f]["service"], info[f]["zone"])
        out_zone[key] = out_zone.get(key, 0.0) + c
    return out_zone


def demand_by_zone(pop: dict[tuple[str, int], float], out: Path) -> dict[tuple[str, str], float]:
    """Demand in places per (service, zone): Σ_area share × persons(ages) × rate (× place weight)."""

    def ages(area: str, lo: int, hi: int) -> float:
        return sum(pop.get((area, a), 0.0) for a in range(lo, hi + 1))

    dem: dict[tuple[str, str], float] = {}
    for service, mapping, lo, hi, rate in (
        ("primary_school", "zones_primary.csv", 6, 12, PRIMARY_RATE),
        ("lower_secondary", "zones_lower_secondary.csv", 13, 15, LOWER_RATE),
    ):
        for r in read_csv(out / mapping):
            key = (service, r["zone"])
            dem[key] = dem.get(key, 0.0) + float(r["share"]) * ages(r["area"], lo, hi) * rate
    for area in AREAS:
        places = KG_UNDER3_WEIGHT * KG_COVERAGE_1_2 * ages(area, 1, 2) + KG_COVERAGE_3_5 * ages(area, 3, 5)
        dem[("kindergarten", area)] = places
    return dem


def read_population(path: Path) -> dict[tuple[str, int], float]:
    """Persons by (area, age), both sexes."""
    pop: dict[tuple[str, int], float] = {}
    for r in read_csv(path):
        key = (r["area"], int(r["age"]))
        pop[key] = pop.get(key, 0.0) + float(r["persons"])
    return pop


def report(pop_path: Path, out: Path, year: int = 2024) -> str:
    """Demand vs capacity/usable per zone, with and without the measure, and the care balance."""
    pop = read_population(pop_path)
    dem = demand_by_zone(pop, out)
    lines = []
    for measure in (False, True):
        cap = capacity_by_zone(out, year, measure)
        lines.append(f"\n== {year} {'WITH ' + MEASURE_ID if measure else 'plan only'} ({pop_path.name})")
        for service, util in (
            ("primary_school", SCHOOL_TARGET_UTILISATION),
            ("lower_secondary", SCHOOL_TARGET_UTILISATION),
            ("kindergarten", KG_TARGET_UTILISATION),
        ):
            keys = sorted(k for k in set(dem) | set(cap) if k[0] == service)
            lines.append(f"{service:<20} {'demand':>8} {'capacity':>8} {'usable':>8} {'cap-dem':>8} {'use-dem':>8}")
            tot = [0.0] * 4
            for k in keys:
                d, c = dem.get(k, 0.0), cap.get(k, 0.0)
                lines.append(f"  {k[1]:<18} {d:8.0f} {c:8.0f} {c * util:8.0f} {c - d:8.0f} {c * util - d:8.0f}")
                tot[0] += d
                tot[1] += c
                tot[2] += max(c - d, 0.0)
                tot[3] += max(c * util - d, 0.0)
            lines.append(
                f"  {'TOTAL':<18} {tot[0]:8.0f} {tot[1]:8.0f} {tot[1] * util:8.0f} {tot[1] - tot[0]:8.0f} "
                f"{tot[1] * util - tot[0]:8.0f}   gross idle vs cap {tot[2]:.0f}, vs usable {tot[3]:.0f}"
            )
    care_cap = sum(v for k, v in capacity_by_zone(out, year).items() if k[0] == "care_24h")
    w = min(max((year - 2024) / 3, 0.0), 1.0)
    decline = 1.0 - w * (1.0 - CARE_DECLINE_2027)
    b67 = sum(pop.get((a, g), 0.0) for a in AREAS for g in range(67, 80))
    b80 = sum(pop.get((a, g), 0.0) for a in AREAS for g in range(80, 90))
    b90 = sum(pop.get((a, g), 0.0) for a in AREAS for g in range(90, 101))
    care = CARE_RATE_67_79 * b67 + decline * (CARE_RATE_80_89 * b80 + CARE_RATE_90_PLUS * b90)
    lines.append(
        f"\ncare_24h {year}: 67-79 {b67:.0f}, 80-89 {b80:.0f}, 90+ {b90:.0f}; demand {care:.1f}; "
        f"capacity {care_cap:.0f}; 80+ coverage {care_cap / (b80 + b90):.3f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: scenarios/asker/data)")
    parser.add_argument(
        "--report",
        nargs="?",
        const="",
        default=None,
        metavar="POPULATION_CSV",
        help="print demand vs capacity for a population table (default data/population_2024.csv)",
    )
    parser.add_argument("--year", type=int, default=2024, help="capacity year for --report")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else HERE / "data"
    frag = out / "services_fragment.yaml"
    totals = build(out, frag)
    for k in sorted(totals):
        print(f"{k:<32} {totals[k]:,.3f}")
    if args.report is not None:
        pop_path = Path(args.report) if args.report else HERE / "data" / "population_2024.csv"
        if not pop_path.exists():
            print(f"no population table at {pop_path}", file=sys.stderr)
            return 1
        print(report(pop_path, out, args.year))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
