"""Build Asker's investment programme as an ltsim project catalogue (data only).

Run ``python scenarios/asker/build_projects.py`` (writes ``data/projects.csv``,
``data/project_spend.csv`` and ``data/projects_fragment.yaml``, the ``projects:`` section that
base.yaml carries verbatim — a test checks they agree) or
``... --out DIR`` (all three go to DIR). ``--summary`` prints the tables used in PROJECTS.md.

Reads only ``data/sources/projects/`` (copies of the shared case data; see SOURCES.md there) and
is deterministic: rows in source order, fixed number formats, no randomness.

Method (details and every assumption in ``PROJECTS.md``)
------------------------------------------------------
* One catalogue row per non-recurring project of Handlingsprogram 2024-2027 (52 rows of the
  source's 92; the 40 recurring LØPENDE pots are not projects) plus one ILLUSTRATIVE variant
  that is not in the plan (``skole_sentrumsskole_ungdomstrinn``, exclusive with the Solvang
  extension; the fragment chooses the plan's option).
* ``gross_cost_mnok`` is the cost REMAINING on 1 January 2024 = the plan's spend 2024-2033. The
  model rescales the plan's spend profile to the gross cost (models/projects.allocate_spend), so
  the approved budget (which includes spend before 2024) would put the pre-2024 spend into the
  horizon a second time. The approved budget and the pre-2024 spend are kept in ``note``.
* Timing: the source's completion year C is the first year in service (model:
  completion_year = base_year + ceil(completion time)). Phases (typical Norwegian municipal
  durations by project type, TEMPLATES) end ``FLOAT_MONTHS`` before 1 January of C. Work already
  done before 2024 is not in the catalogue: a project under construction on 1 January 2024 has
  only its remaining construction months from 2024; a project whose phases would have begun
  before 2024 is cut from the front; a project in service by 2024 has zero-length phases. So the
  stochastic mode never delays work that is already done (its phase uncertainty is a factor on
  the remaining duration).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "data" / "sources" / "projects"
BASE_YEAR = 2024
LAST_SPEND_YEAR = 2033
PLAN_YEARS = range(BASE_YEAR, LAST_SPEND_YEAR + 1)
HP = "Asker Handlingsprogram 2024-2027 (doc 002)"

# --- capacity units (FACILITIES.md §3) ---------------------------------------------------------
KG_PLACES_PER_DEPARTMENT = 18  # 9 children under 3 (2 places each) or 18 children aged 3-5
PRIMARY_PARALLEL = 196  # 7 grades x 28 pupils
LOWER_SECONDARY_PARALLEL = 90  # 3 grades x 30 pupils

# --- timing rules --------------------------------------------------------------------------------
FLOAT_MONTHS = 2  # phases end 1 November of the year before the first year in service
UNDER_CONSTRUCTION_SPEND_2024 = 0.15  # 2024 spend >= 15 % of the approved budget -> building in 2024
UNDER_CONSTRUCTION_PRE_2024 = 0.40  # or >= 40 % of the budget spent before 2024
DEFAULT_VAT_SHARE = 0.2  # 25 % VAT on the net = 20 % of the gross (norwegian_rules.md)

# Typical phase durations in months (planning, regulation, procurement, construction). Planning =
# needs assessment, sketch and pre-project; regulation = detaljregulering where the site needs it
# (about 12 months from submission to adoption, more with objections; SSB/KOSTRA 2014: many
# municipalities average more than a year); procurement = tender and contract (totalentreprise);
# construction = on site to handover. ASSUMED typical values; see PROJECTS.md §3.
TEMPLATES: dict[str, tuple[int, int, int, int]] = {
    "school_new": (12, 18, 6, 24),
    "school_extension": (9, 12, 6, 20),
    "school_refurbishment": (6, 0, 4, 10),
    "kindergarten_new": (9, 12, 6, 16),
    "kindergarten_extension": (6, 6, 6, 14),
    "nursing_home_new": (12, 12, 6, 24),
    "building_upgrade": (3, 0, 3, 9),
    "care_housing_new": (9, 12, 4, 14),
    "care_housing_conversion": (6, 0, 4, 12),
    "sports_hall": (6, 6, 6, 16),
    "outdoor_works": (6, 0, 4, 12),
    "bridge_road": (6, 12, 6, 12),
    "area_infrastructure": (6, 12, 6, 24),
    "fire_station": (9, 12, 6, 18),
    "water_plant": (6, 6, 6, 18),
    "equipment": (3, 0, 3, 3),
    "cemetery_new": (12, 18, 6, 18),
    "urn_grove": (6, 12, 4, 8),
    "study": (12, 0, 0, 0),
}


@dataclass(frozen=True)
class Spec:
    """What the source does not say in machine-readable form: category, capacity, timing choices."""

    category: str
    template: str
    service: str = ""
    zone: str = ""
    facility: str = ""
    places: float | None = None
    places_note: str = ""
    completion: int | None = None  # override of the source's completion year (reason in note)
    completion_note: str = ""
    float_months: int = FLOAT_MONTHS
    depends_on: str = ""
    exclusive_group: str = ""
    vat: float | None = None  # None: 0.2, or 0 for VAR/selvkost and grants to others
    husbanken: float | None = None
    opex: float | None = None
    opex_note: str = ""
    # the staffing of its places is what the service's per-user unit cost already counts (FINANCE.md §4):
    # the catalogue then offsets the operating cost by -opex, from the same completion year
    staffed_by_unit_cost: bool = False


KG = KG_PLACES_PER_DEPARTMENT
SPECS: dict[str, Spec] = {
    # ---------------------------------------------------------------- kindergartens (Oppvekst)
    "bhg_sondre_borgen_erstatning": Spec(
        "kindergarten",
        "kindergarten_extension",
        "kindergarten",
        "borgen_vettre",
        "sondre_borgen_barnehage",
        2 * KG,
        "6 -> 8 avd. = +2 x 18 (replacement building on the same site)",
        depends_on="helsehus_sondre_borgen",
    ),
    "bhg_kapasitet_borgen": Spec(
        "kindergarten",
        "kindergarten_new",
        "kindergarten",
        "borgen_vettre",
        "osthellinga_barnehage",
        6 * KG - 67,
        "new 6-avd. Bondivann stasjon (108) replaces Østhellinga (67 in the register): net +41 on "
        "Østhellinga's row, so the closure moves with the project",
        depends_on="bhg_sondre_borgen_erstatning",
    ),
    "bhg_kapasitet_heggedal": Spec(
        "kindergarten",
        "kindergarten_new",
        "kindergarten",
        "heggedal",
        "heggedalskogen_barnehage_heggedalskogen",
        8 * KG - 63 - 15,
        "new 8-avd. Nyhustomta (144) replaces both Heggedalskogen units (63 + 15): net +66 on the "
        "main unit's row; the Friluft unit's 15 stay, so Heggedalskogen holds 144 from completion",
    ),
    "bhg_ny_hon_landas": Spec(
        "kindergarten",
        "kindergarten_new",
        "kindergarten",
        "hon_landas",
        "",
        7 * KG,
        "new 6-8 avd.; 7 assumed (as the register) = 126",
        depends_on="omradeutvikling_hon_landas",
    ),
    "bhg_utvidelse_foyka": Spec(
        "kindergarten",
        "kindergarten_extension",
        "kindergarten",
        "asker_sentrum",
        "foyka_barnehage_annerudveien",
        3 * KG,
        "3 -> 6 operating avd. = +54 (unit assumed as in the register)",
        float_months=3,
        completion_note="text: ferdig høsten 2025 -> phases end 1 Oct 2025, in service 2026 (table)",
    ),
    "bhg_utvidelse_royken": Spec(
        "kindergarten",
        "kindergarten_extension",
        "kindergarten",
        "royken",
        "royken_barnehage",
        5 * KG,
        "3 -> 8 avd. = +90",
    ),
    # ---------------------------------------------------------------- schools (Oppvekst)
    "skole_ny_sentrumsskole": Spec(
        "school",
        "school_new",
        "primary_school",
        "hon_hagalokka",
        "",
        4 * PRIMARY_PARALLEL,
        "new 4-parallel barneskole = 784",
        completion_note="table 2031 (86.8 mill spent in 2031), text 'ferdig i 2030': built during 2030, in service 2031",
        depends_on="omradeutvikling_hon_landas",
    ),
    "skole_ny_saetre": Spec(
        "school",
        "school_new",
        "primary_school",
        "saetre",
        "saetre_skole",
        3 * PRIMARY_PARALLEL - 392,
        "new school, 3 parallels (588; norm minimum, capacity not stated) replaces Sætre skole (392): "
        "net +196 on saetre_skole's row (its 2027 closure must go, see PROJECTS.md §5)",
    ),
    "skole_ombygging_billingstad": Spec("school", "school_refurbishment"),
    "skole_saetre_ungdomsskole": Spec(
        "school",
        "school_extension",
        "lower_secondary",
        "saetre",
        "saetre_ungdomsskole",
        1.5 * LOWER_SECONDARY_PARALLEL,
        "capacity increase, size not stated: +1.5 parallels = +135 (ASSUMED, as the register)",
        depends_on="skole_ny_saetre",
    ),
    "skole_utvidelse_hvalstad": Spec(
        "school",
        "school_extension",
        "primary_school",
        "hvalstad",
        "hvalstad_skole",
        PRIMARY_PARALLEL,
        "temporary 3 parallels (588) -> permanent 4 (784): +196 (project page; the HP's 2 -> 4 counts "
        "the pavilions as temporary)",
        completion=2026,
        completion_note="table 2025, text 'vinteren 2026' with 119.5 mill in 2026: in service 2026 (as the register)",
        float_months=0,
    ),
    "skole_utvidelse_mellom_nes": Spec(
        "school",
        "building_upgrade",
        "primary_school",
        "billingstad_nesbru",
        "mellom_nes_skole",
        56,
        "extra pavilion storey, 2 classrooms = +56 (ASSUMED, as the register)",
        completion=2024,
        completion_note="table 2023, text 'ferdigstilt i 2024' (14.5 mill in 2024): in service 2024 (school year 2024/25)",
    ),
    "skole_utvidelse_solvang": Spec(
        "school",
        "school_extension",
        "lower_secondary",
        "solvang",
        "solvang_skole_ungdomstrinn",
        2 * LOWER_SECONDARY_PARALLEL,
        "4 -> 6 parallels read as the ungdomstrinn (FACILITIES.md): +180",
        depends_on="omradeutvikling_hon_landas",
        exclusive_group="solvang_lower_secondary",
    ),
    # ---------------------------------------------------------------- elderly care (Velferd)
    "eldre_heldogn_kloppedalen": Spec(
        "nursing_home",
        "nursing_home_new",
        "care_24h",
        "kommune",
        "",
        100,
        "ca. 100 heldøgnsplasser (the plan's 862 -> 962 in 2027)",
        float_months=0,
        completion_note="text: ready at the turn of the year 2026/2027",
        husbanken=100,
        opex=74.5,
        opex_note="operating funds 74.5 mill in 2027 (15.0 in 2026 for the start-up), L8050",
        staffed_by_unit_cost=True,
    ),
    "eldre_heldogn_vettre": Spec(
        "nursing_home",
        "nursing_home_new",
        "care_24h",
        "kommune",
        "",
        75,
        "ca. 75 heldøgnsplasser, assumed net new (as the register)",
        husbanken=75,
    ),
    "eldre_sondre_borgen_sykehjem_oppgradering": Spec("nursing_home", "building_upgrade"),
    "helsehus_sondre_borgen": Spec(
        "nursing_home",
        "nursing_home_new",
        husbanken=40,
        opex=32.0,
        opex_note="operating funds 32 mill/yr from 2024, L8052",
        completion_note="in service since autumn 2023: its 40 places stay in the register (sondre_borgen_helsehus, opens 2023)",
    ),
    # ---------------------------------------------------------------- omsorgsboliger (no service in the scenario)
    "pfn_omsorgsboliger_bleikerfaret": Spec("care_housing", "care_housing_new", husbanken=6),
    "pfn_omsorgsboliger_nedre_sem_lave": Spec(
        "care_housing",
        "care_housing_conversion",
        husbanken=6,
        opex=7.8,
        opex_note="6 dwellings: 6.5 mill in 2024, 7.8 from 2025, L8054",
    ),
    "pfn_omsorgsboliger_2026": Spec("care_housing", "care_housing_new", husbanken=8),
    "pfn_omsorgsboliger_2028": Spec("care_housing", "care_housing_new", husbanken=10),
    "phr_omsorgsboliger_2023_klokkarstua": Spec(
        "care_housing",
        "care_housing_conversion",
        husbanken=12,
        completion=2024,
        completion_note="table 2023, text: last 5 of 12 units finished winter 2024 -> in service 2024",
    ),
    "phr_omsorgsboliger_2028": Spec("care_housing", "care_housing_new", husbanken=8),
    "velferdsteknologi": Spec("it_equipment", "equipment"),
    # ---------------------------------------------------------------- Samfunnstjenester
    "brannforebygging_boliger_royken_hurum": Spec("technical_installations", "building_upgrade"),
    "brannstasjon_hurum_tofte": Spec(
        "administration",
        "fire_station",
        completion=2026,
        float_months=0,
        completion_note="table 2027, text 'ferdigstilles ved årsskiftet 2025/2026' and no spend after 2025: in service 2026",
    ),
    "gamle_royken_radhus_kledning": Spec("administration", "building_upgrade"),
    "hurtigbatkai_slemmestad": Spec("roads", "bridge_road"),
    "idrett_risenga_mellomrom": Spec("sports", "outdoor_works"),
    "omradeplan_infrastruktur_slemmestad": Spec("roads", "area_infrastructure"),
    "omradeutvikling_hon_landas": Spec(
        "land",
        "area_infrastructure",
        vat=0.1,
        completion_note="land and shared infrastructure: VAT share 0.1 ASSUMED (land carries no VAT)",
    ),
    "samferdsel_gs_bro_nesoya": Spec(
        "roads",
        "bridge_road",
        completion=2027,
        completion_note="table 2026, text 'utsatt i tre år og ferdigstilles i 2027' with 35.2 mill in 2027: 2027",
    ),
    "samferdsel_trafikksikring_nyveien": Spec("roads", "bridge_road"),
    "slemmestad_vaterlandskvartalet": Spec("roads", "area_infrastructure"),
    "kloakktomming_fritidsbater": Spec("water_sewage", "equipment"),
    "var_omlastestasjon_yggeset": Spec("water_sewage", "water_plant"),
    "var_va_slemmestad_sentrum": Spec("water_sewage", "water_plant"),
    "vassdragsanlegg_dammer": Spec("water_sewage", "outdoor_works"),
    # ---------------------------------------------------------------- Medborgerskap
    "bibliotek_hyllesystem": Spec("machinery", "equipment"),
    "digitale_lasesystemer_utleie": Spec("it_equipment", "equipment"),
    "idrett_idrettshall_nesbru_vgs": Spec("sports", "sports_hall"),
    "idrett_idrettshall_royken_vgs": Spec("sports", "sports_hall"),
    "innbyggertorg_slemmestad_inventar": Spec("machinery", "equipment"),
    "kirke_hurum_rehab": Spec("church_cemetery", "building_upgrade"),
    "kirke_ny_gravlund_morberg": Spec("church_cemetery", "cemetery_new"),
    "kirke_urnelund_vardasen": Spec("church_cemetery", "urn_grove"),
    "kirke_holmsbu_rehab_sprinkler": Spec(
        "church_cemetery",
        "building_upgrade",
        completion=2026,
        completion_note="table LØPENDE without gross cost; text: finite project, fully funded 2025-26, done 2026",
    ),
    "kirke_royken_rehab": Spec("church_cemetery", "building_upgrade"),
    "kultur_holmsbu_kunstmuseum": Spec("culture", "building_upgrade"),
    "kulturskolen_mulighetsstudie": Spec("culture", "study"),
    "spikkestad_teglen_lekkasje": Spec("culture", "building_upgrade"),
    "tofte_samfunnshus_rehab": Spec("culture", "building_upgrade"),
}

# The illustrative variant (not in the plan): build the Hønsjordet lower-secondary capacity as a
# 2-parallel ungdomstrinn of the new sentrumsskole (a 1-10 school) instead of extending Solvang.
VARIANT_ID = "skole_sentrumsskole_ungdomstrinn"
VARIANT = {
    "name": "ILLUSTRATIV: Skole - ungdomstrinn i ny sentrumsskole (i stedet for utvidelse Solvang)",
    "like": "skole_ny_sentrumsskole",  # same timing as the sentrumsskole
    "gross": 300.0,  # ASSUMED equal to the Solvang placeholder for the same 180 places
    "note": (
        "ILLUSTRATIVE variant, not in the plan: 2 lower-secondary parallels (+180) built with the "
        "sentrumsskole (in service 2031) instead of the Solvang extension (2033); cost ASSUMED equal "
        "to Solvang's 300 mill placeholder; no plan spend (spend follows the phases)"
    ),
}
VARIANTS = {"solvang_lower_secondary": "skole_utvidelse_solvang"}

# Projects the plan postponed (projects_notes §4) may start that many years earlier.
CATALOGUE_HEADER = [
    "id",
    "name",
    "category",
    "service",
    "zone",
    "facility",
    "capacity_places",
    "gross_cost_mnok",
    "planning_months",
    "regulation_months",
    "procurement_months",
    "construction_months",
    "earliest_start",
    "planned_start",
    "latest_completion",
    "mandatory",
    "depends_on",
    "exclusive_group",
    "vat_compensation_share",
    "husbanken_places",
    "operating_cost_mnok_per_year",
    "operating_offset_mnok_per_year",
    "note",
    "source",
]


def num(x: float | None) -> str:
    """Fixed number format: blank for None, integers without decimals, else up to 3 decimals."""
    if x is None:
        return ""
    r = round(float(x), 3)
    if r == int(r):
        return str(int(r))
    return f"{r:.3f}".rstrip("0").rstrip(".")


def fnum(text: str) -> float:
    """A source cell as a number (blank = 0)."""
    return float(text) if text.strip() else 0.0


def read_source() -> list[dict[str, str]]:
    """The programme: 92 rows of the shared projects.csv (copy in data/sources/projects/)."""
    with (SOURCES / "projects.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Timing:
    """First year in service, planned start (1 January) and phase months of one project."""

    completion: int
    start: int
    months: tuple[int, int, int, int]
    state: str  # finished | construction | cut | planned


def timing(completion: int, template: tuple[int, int, int, int], float_months: int, building: bool) -> Timing:
    """Planned start and phase months that end ``float_months`` before 1 January of ``completion``."""
    if completion <= BASE_YEAR:
        return Timing(completion, completion, (0, 0, 0, 0), "finished")
    end = 12 * (completion - BASE_YEAR) - float_months  # months after 1 January 2024
    if building:
        return Timing(completion, BASE_YEAR, (0, 0, 0, end), "construction")
    months = list(template)
    start = end - sum(months)
    if start >= 0:
        years = start // 12
        months[0] += start - 12 * years
        return Timing(completion, BASE_YEAR + years, (months[0], months[1], months[2], months[3]), "planned")
    cut = -start
    for k in range(4):
        take = min(cut, months[k])
        months[k] -= take
        cut -= take
    return Timing(completion, BASE_YEAR, (months[0], months[1], months[2], months[3]), "cut")


@dataclass(frozen=True)
class Row:
    """One catalogue row with its plan spend and the figures PROJECTS.md reports."""

    values: dict[str, str]
    spend: dict[int, float]
    approved: float | None
    pre_2024: float
    timing: Timing
    large: bool
    plan_completion: int | None


def build_rows(source: list[dict[str, str]]) -> list[Row]:
    """The catalogue rows in source order, then the illustrative variant."""
    rows: list[Row] = []
    by_id = {r["id"]: r for r in source}
    projects = [r for r in source if r["recurring"] != "true"]
    missing = sorted({r["id"] for r in projects} ^ set(SPECS))
    if missing:
        raise SystemExit(f"SPECS and the source's non-recurring rows differ: {missing}")
    timings: dict[str, Timing] = {}
    for r in projects:
        spec = SPECS[r["id"]]
        spend = {y: fnum(r[f"spend_{y}"]) for y in PLAN_YEARS}
        spend = {y: v for y, v in spend.items() if v != 0.0}
        remaining = sum(spend.values())
        approved = fnum(r["gross_cost_mnok"]) if r["gross_cost_mnok"].strip() else None
        pre = fnum(r["implied_spend_outside_2024_2033_mnok"])
        source_year = int(r["completion_year"]) if r["completion_year"].strip() else None
        completion = spec.completion if spec.completion is not None else source_year
        assert completion is not None, r["id"]
        budget = approved if approved is not None else remaining
        building = (
            spend.get(BASE_YEAR, 0.0) >= UNDER_CONSTRUCTION_SPEND_2024 * budget
            or pre >= UNDER_CONSTRUCTION_PRE_2024 * budget
        )
        t = timing(completion, TEMPLATES[spec.template], spec.float_months, building)
        timings[r["id"]] = t
        postponed = int(r["postponed_years"]) if r["postponed_years"].strip() else 0
        earliest = max(BASE_YEAR, t.start - postponed) if t.start >= BASE_YEAR else t.start
        mandatory = completion <= 2026 and t.state in ("finished", "construction")
        if spec.vat is not None:
            vat = spec.vat
        elif r["var_selvkost"] == "true" or r["budget_class"] == "tilskudd_til_andres_investeringer":
            vat = 0.0
        else:
            vat = DEFAULT_VAT_SHARE
        notes = [
            f"approved budget {num(approved)} mill" if approved is not None else "no approved total (LØPENDE line)",
            f"spent before 2024 or unplaced {num(pre)} mill" if pre else "",
            f"remaining 2024-2033 {num(remaining)} mill = gross_cost_mnok",
            f"template {spec.template}, state on 1 Jan 2024: {t.state}",
            spec.places_note,
            spec.completion_note,
            spec.opex_note,
            "operating offset = -operating cost: care_24h users x unit cost count the staffing (FINANCE.md §4)"
            if spec.staffed_by_unit_cost
            else "",
            f"postponed {postponed} years in HP 2023-2026" if postponed else "",
        ]
        values = {
            "id": r["id"],
            "name": r["name_no"],
            "category": spec.category,
            "service": spec.service,
            "zone": spec.zone,
            "facility": spec.facility,
            "capacity_places": num(spec.places),
            "gross_cost_mnok": num(remaining),
            "planning_months": str(t.months[0]),
            "regulation_months": str(t.months[1]),
            "procurement_months": str(t.months[2]),
            "construction_months": str(t.months[3]),
            "earliest_start": str(earliest),
            "planned_start": str(t.start),
            "latest_completion": "",
            "mandatory": "true" if mandatory else "false",
            "depends_on": spec.depends_on,
            "exclusive_group": spec.exclusive_group,
            "vat_compensation_share": num(vat),
            "husbanken_places": num(spec.husbanken),
            "operating_cost_mnok_per_year": num(spec.opex),
            "operating_offset_mnok_per_year": num(-spec.opex) if spec.staffed_by_unit_cost and spec.opex else "",
            "note": "; ".join(n for n in notes if n),
            "source": f"{HP} {r['source_lines']}",
        }
        rows.append(Row(values, spend, approved, pre, t, remaining >= 100.0, source_year))
    # the illustrative variant, timed like the project it is built with
    base = next(row for row in rows if row.values["id"] == VARIANT["like"])
    solvang = by_id["skole_utvidelse_solvang"]
    values = dict(base.values)
    values.update(
        {
            "id": VARIANT_ID,
            "name": str(VARIANT["name"]),
            "service": "lower_secondary",
            "zone": "solvang",
            "facility": "",
            "capacity_places": num(2 * LOWER_SECONDARY_PARALLEL),
            "gross_cost_mnok": num(float(VARIANT["gross"])),  # type: ignore[arg-type]
            "mandatory": "false",
            "depends_on": "omradeutvikling_hon_landas",
            "exclusive_group": "solvang_lower_secondary",
            "note": str(VARIANT["note"]),
            "source": f"{HP} {solvang['source_lines']} (Solvang); L4760-4761 (size norms)",
        }
    )
    rows.append(Row(values, {}, None, 0.0, base.timing, float(VARIANT["gross"]) >= 100.0, None))  # type: ignore[arg-type]
    return rows


def included(row: Row) -> bool:
    """False for the exclusive variant the fragment does not choose."""
    group = row.values["exclusive_group"]
    return not group or VARIANTS.get(group) == row.values["id"]


def concurrency(rows: list[Row]) -> tuple[int, dict[int, int], dict[int, int]]:
    """Peak number of large included projects under way at once, and per year the counts.

    The model holds a delivery slot from the planned start through all four phases, so the peak
    over whole spans is the smallest capacity that lets the plan run without waiting. Per year
    2024-2033: the number in any phase and the number in construction.
    """
    spans = []
    for row in rows:
        if not (row.large and included(row)):
            continue
        t = row.timing
        start = t.start - BASE_YEAR
        end = start + sum(t.months) / 12
        build_start = end - t.months[3] / 12
        spans.append((start, end, build_start))
    events = sorted([(s, 1) for s, e, _ in spans if e > s] + [(e, -1) for s, e, _ in spans if e > s])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    active = {}
    building = {}
    for y in PLAN_YEARS:
        lo, hi = y - BASE_YEAR, y - BASE_YEAR + 1
        active[y] = sum(1 for s, e, _ in spans if s < hi and e > lo)
        building[y] = sum(1 for _, e, b in spans if b < hi and e > lo)
    return peak, active, building


FRAGMENT = """\
# Asker's investment programme (Handlingsprogram 2024-2027): the `projects:` section for base.yaml.
# Generated by build_projects.py; see PROJECTS.md for every assumption. Paths are relative to base.yaml.
projects:
  catalogue: data/projects.csv
  plan_spend: data/project_spend.csv
  mode: deterministic
  # Large projects (remaining cost >= 100 mill) that may run at once. The model holds a slot from a
  # project's planned start (planning) to completion; {peak} is the most the plan has at once
  # (PROJECTS.md §6), so the deterministic run reproduces the plan and any delay in stochastic runs
  # queues the projects behind it.
  delivery_capacity: {peak}
  large_project_mnok: 100
  variants:
    solvang_lower_secondary: skole_utvidelse_solvang  # the plan's option (the other is illustrative)
  # Stochastic mode only (deterministic ignores it). Phase delays are log-normal FACTORS on the
  # remaining planned duration: phases of 0 months (skipped, or done before 2024) get no delay,
  # which triangular extra months would add (the model draws them for every phase). ASSUMPTIONS,
  # sources and the equivalent extra months are in PROJECTS.md §7.
  uncertainty:
    planning: {{dist: lognormal, median: 1.1, sigma: 0.35}}
    regulation: {{dist: lognormal, median: 1.25, sigma: 0.5}}
    procurement: {{dist: lognormal, median: 1.1, sigma: 0.3}}
    construction: {{dist: lognormal, median: 1.05, sigma: 0.2}}
    cost: {{dist: lognormal, median: 1.05, sigma: 0.12}}
  uncertainty_by_category:
    # placeholders "ikke kostnadsestimert" (Sætre ungdomsskole 400, Solvang 300) and new schools:
    # wider cost spread
    school:
      planning: {{dist: lognormal, median: 1.1, sigma: 0.35}}
      regulation: {{dist: lognormal, median: 1.25, sigma: 0.5}}
      procurement: {{dist: lognormal, median: 1.1, sigma: 0.3}}
      construction: {{dist: lognormal, median: 1.05, sigma: 0.2}}
      cost: {{dist: lognormal, median: 1.1, sigma: 0.18}}
    # area infrastructure under development agreements (Slemmestad områdeplan: cost picture
    # pending, L9446-9452)
    roads:
      planning: {{dist: lognormal, median: 1.1, sigma: 0.35}}
      regulation: {{dist: lognormal, median: 1.25, sigma: 0.5}}
      procurement: {{dist: lognormal, median: 1.1, sigma: 0.3}}
      construction: {{dist: lognormal, median: 1.05, sigma: 0.2}}
      cost: {{dist: lognormal, median: 1.08, sigma: 0.18}}
  source: >-
    Asker Handlingsprogram 2024-2027 (doc 002) investment tables L6597-10987 (NOK million, fixed 2024
    prices; 2028-2033 preliminary), via shared/data/asker/projects.csv; catalogue built by
    scenarios/asker/build_projects.py (PROJECTS.md)
"""


def write(out: Path, rows: list[Row], peak: int) -> None:
    """Write projects.csv, project_spend.csv and projects_fragment.yaml into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CATALOGUE_HEADER)
    for row in rows:
        w.writerow([row.values[c] for c in CATALOGUE_HEADER])
    (out / "projects.csv").write_text(buf.getvalue(), encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["project", "year", "spend_mnok"])
    for row in rows:
        for y, v in sorted(row.spend.items()):
            w.writerow([row.values["id"], y, num(v)])
    (out / "project_spend.csv").write_text(buf.getvalue(), encoding="utf-8")
    (out / "projects_fragment.yaml").write_text(FRAGMENT.format(peak=peak), encoding="utf-8")


def summary(rows: list[Row], source: list[dict[str, str]], peak: int, active: dict, building: dict) -> str:
    """Markdown tables for PROJECTS.md: totals, per-category sums, concurrency, timing per project."""
    lines = []
    plan = [r for r in rows if r.spend]
    s = {y: sum(r.spend.get(y, 0.0) for r in plan) for y in PLAN_YEARS}
    rec = [r for r in source if r["recurring"] == "true"]
    srec = {y: sum(fnum(r[f"spend_{y}"]) for r in rec) for y in PLAN_YEARS}
    lines.append(f"projects in catalogue: {len(rows)} ({len(plan)} from the plan + 1 illustrative)")
    lines.append(
        "catalogue spend 2024-2027: "
        + " / ".join(num(s[y]) for y in range(2024, 2028))
        + f" = {num(sum(s[y] for y in range(2024, 2028)))}"
    )
    lines.append(
        "recurring pots 2024-2027: "
        + " / ".join(num(srec[y]) for y in range(2024, 2028))
        + f" = {num(sum(srec[y] for y in range(2024, 2028)))}"
    )
    lines.append(
        "catalogue spend 2028-2033: "
        + " / ".join(num(s[y]) for y in range(2028, 2034))
        + f" = {num(sum(s[y] for y in range(2028, 2034)))}"
    )
    lines.append(
        "recurring 2028-2033: "
        + " / ".join(num(srec[y]) for y in range(2028, 2034))
        + f" = {num(sum(srec[y] for y in range(2028, 2034)))}"
    )
    lines.append(
        f"catalogue remaining cost (gross_cost_mnok, plan rows): {num(sum(sum(r.spend.values()) for r in plan))}"
    )
    lines.append(
        f"approved budgets (source gross): {num(sum(r.approved or 0.0 for r in plan))}; pre-2024/unplaced: {num(sum(r.pre_2024 for r in plan))}"
    )
    cats: dict[str, list[float]] = {}
    for r in plan:
        c = cats.setdefault(r.values["category"], [0, 0.0, 0.0, 0.0])
        c[0] += 1
        c[1] += sum(v for y, v in r.spend.items() if y <= 2027)
        c[2] += sum(r.spend.values())
        c[3] += r.approved or 0.0
    lines.append("| category | projects | spend 2024-27 | remaining 2024-33 | approved budgets |")
    lines.append("|---|---|---|---|---|")
    for k in sorted(cats):
        c = cats[k]
        lines.append(f"| {k} | {c[0]} | {num(c[1])} | {num(c[2])} | {num(c[3])} |")
    lines.append(f"delivery capacity (peak concurrent large projects, all phases): {peak}")
    lines.append("| year | " + " | ".join(str(y) for y in PLAN_YEARS) + " |")
    lines.append("|---|" + "---|" * len(PLAN_YEARS))
    lines.append("| large projects under way (any phase) | " + " | ".join(str(active[y]) for y in PLAN_YEARS) + " |")
    lines.append("| large projects in construction | " + " | ".join(str(building[y]) for y in PLAN_YEARS) + " |")
    lines.append("")
    lines.append("| id | cat | C | start | months P/R/Pr/C | state | mand | large | places | gross | approved |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        v = r.values
        lines.append(
            f"| {v['id']} | {v['category']} | {r.timing.completion} | {v['planned_start']} | "
            f"{'/'.join(str(m) for m in r.timing.months)} | {r.timing.state} | {v['mandatory']} | "
            f"{'L' if r.large else ''} | {v['capacity_places']} | {v['gross_cost_mnok']} | {num(r.approved)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: build into the scenario folder (or ``--out DIR``), optionally print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for all outputs (default: the scenario)")
    parser.add_argument("--summary", action="store_true", help="print the tables used in PROJECTS.md")
    args = parser.parse_args(argv)
    source = read_source()
    rows = build_rows(source)
    peak, active, building = concurrency(rows)
    write(HERE / "data" if args.out is None else args.out, rows, peak)
    if args.summary:
        print(summary(rows, source, peak, active, building))
    return 0


if __name__ == "__main__":
    sys.exit(main())
