"""The catalogue's columns (name, kind, bounds, English and Norwegian headers) and the parsing of one cell."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ltsim.errors import show
from ltsim.io.projects import BOOL
from ltsim.schema import ASSET_CATEGORIES

ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters XML cannot hold (a cell with one cannot be saved in a workbook)."""
ID_RE = r"^[a-z0-9][a-z0-9_]*$"
TRUE_FALSE = MappingProxyType({**BOOL, "1": True, "0": False, "sann": True, "usann": False, "x": True})


@dataclass(frozen=True, slots=True)
class Field:
    """One catalogue column: CSV name, kind, bounds, headers (en/nb, with units) and aliases."""

    name: str
    kind: str  # "text", "id", "category", "float", "year", "bool"
    required: bool
    en: str
    nb: str
    help_en: str
    help_nb: str
    lo: float | None = None
    hi: float | None = None
    aliases: tuple[str, ...] = ()
    width: int = 14

    def header(self, lang: str) -> str:
        """The header written in a workbook of language ``lang``."""
        return self.nb if lang == "nb" else self.en

    def expected(self) -> str:
        """What a valid cell looks like."""
        if self.kind == "id":
            return "a project id of lower-case letters, digits and '_'"
        if self.kind == "category":
            return "an asset category (" + ", ".join(ASSET_CATEGORIES) + ")"
        if self.kind == "bool":
            return "true or false (ja/nei, yes/no)"
        if self.kind == "year":
            if self.lo is not None and self.hi is not None:
                return f"a whole number from {self.lo:g} to {self.hi:g} ({self.help_en})"
            return "a year (a whole number such as 2027)"
        if self.kind == "float":
            bounds = ""
            if self.lo is not None and self.hi is not None:
                bounds = f" from {self.lo:g} to {self.hi:g}"
            elif self.lo is not None:
                bounds = f" ≥ {self.lo:g}"
            return f"a number{bounds} in a number cell ({self.help_en})"
        return "a text"


def _months(phase: str, nb: str) -> Field:
    return Field(
        f"{phase}_months",
        "float",
        True,
        f"{phase}_months (months)",
        f"{nb} (mnd)",
        f"duration of the {phase} phase in months",
        f"varighet av fasen {nb} i måneder",
        0.0,
        240.0,
        aliases=(f"{phase} months", f"{nb} mnd", f"{nb} måneder", f"{nb} maneder"),
        width=12,
    )


def _share(phase: str, nb: str) -> Field:
    return Field(
        f"cost_share_{phase}",
        "float",
        False,
        f"cost_share_{phase} (share 0–1)",
        f"kostnadsandel {nb} (andel 0–1)",
        f"share of the gross cost spent in the {phase} phase; all four or none (blank: the scenario's cost_profile)",
        f"andel av brutto kostnad i fasen {nb}; alle fire eller ingen (tomt: scenarioets cost_profile)",
        0.0,
        1.0,
        aliases=(f"kostnadsandel {nb}", f"andel {nb}"),
        width=14,
    )


FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        "id",
        True,
        "id",
        "prosjekt-id",
        "unique project id: a-z, 0-9, _",
        "unik prosjekt-id: a-z, 0-9, _",
        aliases=("project id", "prosjekt id", "prosjektid", "prosjektnummer"),
        width=22,
    ),
    Field(
        "name",
        "text",
        True,
        "name",
        "navn",
        "project name",
        "prosjektnavn",
        aliases=("project name", "prosjektnavn", "prosjekt"),
        width=36,
    ),
    Field(
        "category",
        "category",
        True,
        "category",
        "kategori",
        "asset category: " + ", ".join(ASSET_CATEGORIES),
        "formålskategori: " + ", ".join(ASSET_CATEGORIES),
        aliases=("asset category", "formål", "formal"),
        width=16,
    ),
    Field(
        "service",
        "text",
        False,
        "service",
        "tjeneste",
        "service id the places belong to, blank if none",
        "tjeneste-id plassene hører til, tomt om ingen",
        aliases=("tjenesteområde",),
        width=16,
    ),
    Field(
        "zone",
        "text",
        False,
        "zone",
        "sone",
        "zone of the service's zone system",
        "sone i tjenestens sonesystem",
        aliases=("krets", "skolekrets"),
        width=16,
    ),
    Field(
        "facility",
        "text",
        False,
        "facility",
        "anlegg",
        "facility the project extends (blank: a new facility)",
        "anlegget prosjektet utvider (tomt: nytt anlegg)",
        aliases=("bygg", "enhet"),
        width=18,
    ),
    Field(
        "capacity_places",
        "float",
        False,
        "capacity_places (places)",
        "kapasitet (plasser)",
        "places added (negative: removed); blank if none",
        "plasser lagt til (negativt: fjernet); tomt om ingen",
        aliases=("capacity", "places", "kapasitet", "plasser", "kapasitet plasser"),
        width=12,
    ),
    Field(
        "capacity_years",
        "year",  # a whole number (with bounds: not a calendar year)
        False,
        "capacity_years (years)",
        "plasser i bruk (år)",
        "years the places stay in use (modules, a lease); blank: permanent",
        "år plassene er i bruk (paviljong, leie); tomt: permanent",
        1.0,
        200.0,
        aliases=("years in use", "år i bruk"),
        width=10,
    ),
    Field(
        "gross_cost_mnok",
        "float",
        True,
        "gross_cost_mnok (NOK million)",
        "brutto kostnad (mill. kr)",
        "gross cost in NOK million, fixed prices",
        "brutto kostnad i millioner kroner, faste priser",
        0.0,
        aliases=("gross cost", "cost", "brutto kostnad", "bruttokostnad", "kostnad", "investering"),
        width=14,
    ),
    _months("planning", "planlegging"),
    _months("regulation", "regulering"),
    _months("procurement", "anskaffelse"),
    _months("construction", "bygging"),
    _share("planning", "planlegging"),
    _share("regulation", "regulering"),
    _share("procurement", "anskaffelse"),
    _share("construction", "bygging"),
    Field(
        "earliest_start",
        "year",
        True,
        "earliest_start (year)",
        "tidligste start (år)",
        "earliest year the project can start",
        "tidligste år prosjektet kan starte",
        1900,
        2300,
        aliases=("earliest start", "tidligste start", "tidligste oppstart"),
        width=12,
    ),
    Field(
        "planned_start",
        "year",
        True,
        "planned_start (year)",
        "planlagt start (år)",
        "the plan's start year (1 January)",
        "planens startår (1. januar)",
        1900,
        2300,
        aliases=("planned start", "planlagt start", "planlagt oppstart", "oppstart"),
        width=12,
    ),
    Field(
        "latest_completion",
        "year",
        False,
        "latest_completion (year)",
        "seneste ferdigstillelse (år)",
        "latest year of completion, blank if none",
        "seneste år for ferdigstillelse, tomt om ingen",
        1900,
        2300,
        aliases=("latest completion", "seneste ferdigstillelse", "senest ferdig", "frist"),
        width=14,
    ),
    Field(
        "mandatory",
        "bool",
        True,
        "mandatory (true/false)",
        "obligatorisk (ja/nei)",
        "must be built (statutory or decided)",
        "må bygges (lovpålagt eller vedtatt)",
        aliases=("obligatorisk", "mandatory", "påkrevd", "pakrevd"),
        width=12,
    ),
    Field(
        "depends_on",
        "text",
        False,
        "depends_on (ids separated by ;)",
        "avhenger av (id-er skilt med ;)",
        "projects that must be finished first",
        "prosjekter som må være ferdige først",
        aliases=("depends on", "avhenger av", "avhengig av", "forutsetter"),
        width=20,
    ),
    Field(
        "exclusive_group",
        "text",
        False,
        "exclusive_group",
        "gjensidig utelukkende gruppe",
        "group of mutually exclusive variants (one is chosen in the scenario)",
        "gruppe av gjensidig utelukkende varianter (scenarioet velger én)",
        aliases=("exclusive group", "gjensidig utelukkende gruppe", "variantgruppe", "alternativgruppe"),
        width=16,
    ),
    Field(
        "vat_compensation_share",
        "float",
        False,
        "vat_compensation_share (share 0–1)",
        "mva-kompensasjon (andel 0–1)",
        "share of the gross cost refunded as VAT compensation (blank: scenario default)",
        "andel av brutto kostnad som kompenseres som mva (tomt: scenarioets standard)",
        0.0,
        1.0,
        aliases=("vat compensation share", "vat compensation", "mva kompensasjon", "mva"),
        width=14,
    ),
    Field(
        "husbanken_places",
        "float",
        False,
        "husbanken_places (places)",
        "Husbanken-plasser",
        "net new 24-hour care places eligible for Husbanken's investment grant",
        "netto nye heldøgnsplasser som gir investeringstilskudd fra Husbanken",
        0.0,
        aliases=("husbanken places", "husbanken plasser", "husbanken"),
        width=12,
    ),
    Field(
        "operating_cost_mnok_per_year",
        "float",
        False,
        "operating_cost_mnok_per_year (NOK million/year)",
        "driftskostnad (mill. kr/år)",
        "yearly operating cost in NOK million",
        "årlig driftskostnad i millioner kroner",
        aliases=("operating cost", "operating cost mnok per year", "driftskostnad", "driftskostnader", "drift"),
        width=14,
    ),
    Field(
        "operating_offset_mnok_per_year",
        "float",
        False,
        "operating_offset_mnok_per_year (NOK million/year)",
        "driftskorreksjon (mill. kr/år)",
        "yearly offset to the operating cost from completion, signed (e.g. minus staffing the per-user unit cost counts)",
        "årlig korreksjon av driftskostnaden fra ferdigstillelse, med fortegn (f.eks. minus bemanning enhetskostnaden dekker)",
        aliases=("operating offset", "operating offset mnok per year", "driftskorreksjon", "korreksjon drift"),
        width=14,
    ),
    Field(
        "note",
        "text",
        False,
        "note",
        "merknad",
        "free text, not read by ltsim",
        "fritekst, leses ikke av ltsim",
        aliases=("notes", "comment", "merknader", "kommentar"),
        width=30,
    ),
    Field(
        "source",
        "text",
        False,
        "source",
        "kilde",
        "where the figures come from (not read by ltsim)",
        "hvor tallene kommer fra (leses ikke av ltsim)",
        aliases=("kilde",),
        width=30,
    ),
)
BY_NAME = MappingProxyType({f.name: f for f in FIELDS})
CATALOGUE_COLUMNS = tuple(f.name for f in FIELDS if f.name not in ("note", "source"))
CATEGORY_NB = MappingProxyType({
    "skole": "school", "barnehage": "kindergarten", "sykehjem": "nursing_home", "omsorgsbolig": "care_housing",
    "omsorgsboliger": "care_housing", "bolig": "housing", "boliger": "housing", "idrett": "sports",
    "idrettsanlegg": "sports", "vei": "roads", "veier": "roads", "vann og avløp": "water_sewage",
    "vann og avlop": "water_sewage", "va": "water_sewage", "kultur": "culture", "administrasjon": "administration",
    "kirke og gravplass": "church_cemetery", "tomt": "land", "grunn": "land", "it utstyr": "it_equipment",
    "maskiner": "machinery", "tekniske installasjoner": "technical_installations",
})  # fmt: skip


def normalise(header: str) -> str:
    """Header key: lower case, units in brackets dropped, ``-``/``_``/spaces collapsed to one space."""
    text = unicodedata.normalize("NFC", str(header)).strip().lower()
    text = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", text)  # "brutto kostnad (mill. kr)" → "brutto kostnad"
    text = re.sub(r"[\s_\-]+", " ", text)
    return text.strip()


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for f in FIELDS:
        for key in (f.name, f.en, f.nb, *f.aliases):
            table.setdefault(normalise(key), f.name)
    return table


HEADER_LOOKUP = MappingProxyType(_lookup())


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based index: 0 → A, 26 → AA."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --------------------------------------------------------------------------- cell values


def format_number(value: float) -> str:
    """Canonical CSV text of a number: whole numbers without a decimal point, others shortest round-trip."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class CellError(Exception):
    """A cell that is not what its field expects: what was found, and a hint to add to the expectation."""

    def __init__(self, found: str, hint: str = "") -> None:
        super().__init__(found)
        self.found = found
        self.hint = hint


def parse_cell(f: Field, value: Any) -> str:
    """A cell (from openpyxl or a CSV) → canonical CSV text; ``""`` for blank. Raises ``CellError``."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return ""
    if f.kind in ("text", "id", "category"):
        if isinstance(value, bool):
            raise CellError(str(value).upper())
        if isinstance(value, int | float):
            text = format_number(value)
        elif isinstance(value, dt.datetime | dt.date):
            raise CellError(f"a date {value:%Y-%m-%d}")
        else:
            text = str(value).strip()
        if ILLEGAL_XML.search(text):
            raise CellError(show(text), " (a text without control characters)")
        if f.kind == "id" and re.fullmatch(ID_RE, text) is None:
            raise CellError(show(text))
        if f.kind == "category":
            key = normalise(text)
            text = text if text in ASSET_CATEGORIES else CATEGORY_NB.get(key, key.replace(" ", "_"))
            if text not in ASSET_CATEGORIES:
                raise CellError(show(str(value).strip()))
        return text
    if f.kind == "bool":
        if isinstance(value, bool):
            return "true" if value else "false"
        key = format_number(value) if isinstance(value, int | float) else str(value).strip().lower()
        if key not in TRUE_FALSE:
            raise CellError(show(value))
        return "true" if TRUE_FALSE[key] else "false"
    # numbers
    if isinstance(value, bool):
        raise CellError(str(value).upper(), " (a TRUE/FALSE cell)")
    if isinstance(value, dt.datetime | dt.date):
        if f.kind == "year":
            number: float = float(value.year)
        else:
            raise CellError(f"a date {value:%Y-%m-%d}", " (format the cell as a number, not a date)")
    elif isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            hint = ""
            if re.fullmatch(r"-?\d+,\d+", text):
                hint = " (a text cell with a decimal comma: enter it as a number)"
            raise CellError(
                show(text), hint or " (a text cell: write only the number, units are in the header)"
            ) from None
    if not math.isfinite(number):
        raise CellError(show(value))
    if f.kind == "year" and not number.is_integer():
        raise CellError(format_number(number))
    if (f.lo is not None and number < f.lo) or (f.hi is not None and number > f.hi):
        hint = ""
        if f.lo == 0.0 and f.hi == 1.0 and 1.0 < number <= 100.0:
            hint = f" (a fraction, not a percentage: write {number / 100:g} for {number:g} %)"
        raise CellError(format_number(number), hint)
    return str(int(number)) if f.kind == "year" else format_number(number)
