"""The project catalogue in Excel: import a workbook a finance officer keeps, export one back.

``read_workbook`` reads one row per project (header in row 1, English or Norwegian
column names, case- and space-insensitive, units in brackets ignored), checks every cell
and returns the catalogue as CSV text with exactly the columns ``ltsim/io/projects.py``
reads, in a fixed order and number format. ``write_workbook`` writes a catalogue CSV as a
workbook (header frozen, units in the headers, number formats, a "Read me" sheet).
CSV → workbook → CSV gives the same bytes when the CSV is in the canonical format
(every CSV this module writes is), so a scenario keeps its hash over a round trip.

Rules: a blank cell stays unknown (never zero); a text in a number cell is an error;
duplicate project ids name both rows; a missing required column lists the columns found.
Every problem names the file, the sheet, the Excel row, and the column letter and header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltsim.errors import InputError, Problem, show
from ltsim.io.projects import BOOL
from ltsim.schema import ASSET_CATEGORIES

MAX_PROBLEMS = 25
ID_RE = r"^[a-z0-9][a-z0-9_]*$"
TRUE_FALSE = {**BOOL, "1": True, "0": False, "sann": True, "usann": False, "x": True}


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
BY_NAME = {f.name: f for f in FIELDS}
CATALOGUE_COLUMNS = tuple(f.name for f in FIELDS if f.name not in ("note", "source"))
CATEGORY_NB = {
    "skole": "school", "barnehage": "kindergarten", "sykehjem": "nursing_home", "omsorgsbolig": "care_housing",
    "omsorgsboliger": "care_housing", "bolig": "housing", "boliger": "housing", "idrett": "sports",
    "idrettsanlegg": "sports", "vei": "roads", "veier": "roads", "vann og avløp": "water_sewage",
    "vann og avlop": "water_sewage", "va": "water_sewage", "kultur": "culture", "administrasjon": "administration",
    "kirke og gravplass": "church_cemetery", "tomt": "land", "grunn": "land", "it utstyr": "it_equipment",
    "maskiner": "machinery", "tekniske installasjoner": "technical_installations",
}  # fmt: skip
SHEET = {"nb": "Prosjekter", "en": "Projects"}
README = {"nb": "Les meg", "en": "Read me"}


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


HEADER_LOOKUP = _lookup()


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


class _CellError(Exception):
    def __init__(self, found: str, hint: str = "") -> None:
        super().__init__(found)
        self.found = found
        self.hint = hint


def parse_cell(f: Field, value: Any) -> str:
    """A cell (from openpyxl or a CSV) → canonical CSV text; ``""`` for blank. Raises ``_CellError``."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return ""
    if f.kind in ("text", "id", "category"):
        if isinstance(value, bool):
            raise _CellError(str(value).upper())
        if isinstance(value, int | float):
            text = format_number(value)
        elif isinstance(value, dt.datetime | dt.date):
            raise _CellError(f"a date {value:%Y-%m-%d}")
        else:
            text = str(value).strip()
        if f.kind == "id" and re.fullmatch(ID_RE, text) is None:
            raise _CellError(show(text))
        if f.kind == "category":
            key = normalise(text)
            text = text if text in ASSET_CATEGORIES else CATEGORY_NB.get(key, key.replace(" ", "_"))
            if text not in ASSET_CATEGORIES:
                raise _CellError(show(str(value).strip()))
        return text
    if f.kind == "bool":
        if isinstance(value, bool):
            return "true" if value else "false"
        key = format_number(value) if isinstance(value, int | float) else str(value).strip().lower()
        if key not in TRUE_FALSE:
            raise _CellError(show(value))
        return "true" if TRUE_FALSE[key] else "false"
    # numbers
    if isinstance(value, bool):
        raise _CellError(str(value).upper(), " (a TRUE/FALSE cell)")
    if isinstance(value, dt.datetime | dt.date):
        if f.kind == "year":
            number: float = float(value.year)
        else:
            raise _CellError(f"a date {value:%Y-%m-%d}", " (format the cell as a number, not a date)")
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
            raise _CellError(
                show(text), hint or " (a text cell: write only the number, units are in the header)"
            ) from None
    if not math.isfinite(number):
        raise _CellError(show(value))
    if f.kind == "year" and not number.is_integer():
        raise _CellError(format_number(number))
    if (f.lo is not None and number < f.lo) or (f.hi is not None and number > f.hi):
        hint = ""
        if f.lo == 0.0 and f.hi == 1.0 and 1.0 < number <= 100.0:
            hint = f" (a fraction, not a percentage: write {number / 100:g} for {number:g} %)"
        raise _CellError(format_number(number), hint)
    return str(int(number)) if f.kind == "year" else format_number(number)


# --------------------------------------------------------------------------- catalogue rows


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A checked catalogue: the columns present (canonical order) and one dict of CSV texts per row."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def to_csv(self) -> str:
        """The catalogue as CSV text (LF line endings, minimal quoting)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for row in self.rows:
            w.writerow([row.get(c, "") for c in self.columns])
        return buf.getvalue()


class _Where:
    """Builds problems for one source (a CSV file, or a sheet of a workbook)."""

    def __init__(self, file: str, sheet: str | None) -> None:
        self.file = file if sheet is None else f"{file}, sheet {sheet!r}"
        self.excel = sheet is not None
        self.problems: list[Problem] = []

    def column(self, index: int, header: str) -> str:
        return f"column {column_letter(index)} {header!r}" if self.excel else f"column {header!r}"

    def add(self, expected: str, row: int | None = None, field: str | None = None, found: str | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(expected, file=self.file, line=row, field=field, found=found, row=True))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def _build(where: _Where, header: Sequence[Any], records: Sequence[tuple[int, Sequence[Any]]]) -> Catalogue:
    """Map the header to fields, check every cell and the ids; the canonical catalogue."""
    mapping: dict[int, str] = {}
    first_col: dict[str, int] = {}
    found_headers = [str(h).strip() for h in header if h is not None and str(h).strip()]
    for i, raw in enumerate(header):
        text = "" if raw is None else str(raw).strip()
        if not text:
            if any(i < len(cells) and cells[i] not in (None, "") for _, cells in records):
                where.add("a header naming the column", 1, where.column(i, ""), "a blank header above filled cells")
            continue
        name = HEADER_LOOKUP.get(normalise(text))
        if name is None:
            where.add(
                "a catalogue column (English or Norwegian header; see the 'Read me' sheet), or no header at all",
                1,
                where.column(i, text),
                "an unknown column",
            )
            continue
        if name in first_col:
            j = first_col[name]
            where.add(
                f"each column once (column {name!r} is already {where.column(j, str(header[j]).strip())})",
                1,
                where.column(i, text),
                "a second column for the same field",
            )
            continue
        first_col[name] = i
        mapping[i] = name
    for f in FIELDS:
        if f.required and f.name not in first_col:
            where.add(
                f"a column {f.name!r} (Norwegian: {f.nb!r}) in the header row",
                1,
                None,
                "columns " + (", ".join(map(repr, found_headers)) if found_headers else "none"),
            )
    where.raise_if_any()
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    row_of: list[int] = []
    for rownum, cells in records:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        extra = [i for i in range(len(cells)) if i >= len(header) and cells[i] not in (None, "")]
        if extra:
            where.add(
                f"{len(header)} cells, one per column of the header (no cells right of the last header)",
                rownum,
                None,
                f"a value in column {column_letter(extra[0])}" if where.excel else f"{len(cells)} cells",
            )
            continue
        row: dict[str, str] = {}
        good = True
        for i, name in mapping.items():
            f = BY_NAME[name]
            cell = cells[i] if i < len(cells) else None
            try:
                text = parse_cell(f, cell)
            except _CellError as bad:
                where.add(f.expected() + bad.hint, rownum, where.column(i, str(header[i]).strip()), bad.found)
                good = False
                continue
            if text == "" and f.required:
                where.add(
                    f"{f.expected()} (a blank cell is unknown, not zero)",
                    rownum,
                    where.column(i, str(header[i]).strip()),
                    "a blank cell",
                )
                good = False
            row[name] = text
        if not good:
            continue
        pid = row["id"]
        if pid in seen:
            i = first_col["id"]
            where.add(
                f"a unique project id (the same id is on row {seen[pid]})",
                rownum,
                where.column(i, str(header[i]).strip()),
                show(pid),
            )
            continue
        seen[pid] = rownum
        rows.append(row)
        row_of.append(rownum)
    where.raise_if_any()
    for row, rownum in zip(rows, row_of, strict=True):
        for dep in filter(None, (d.strip() for d in row.get("depends_on", "").split(";"))):
            if dep not in seen:
                i = first_col["depends_on"]
                where.add(
                    "ids of projects in the list, separated by ';'",
                    rownum,
                    where.column(i, str(header[i]).strip()),
                    show(dep),
                )
    where.raise_if_any()
    columns = tuple(f.name for f in FIELDS if f.name in first_col)
    return Catalogue(columns=columns, rows=tuple(rows))


# --------------------------------------------------------------------------- reading


def read_workbook(path: Path, sheet: str | None = None) -> Catalogue:
    """Read and check the project list on ``sheet`` (default: the first sheet) of a workbook."""
    from openpyxl import load_workbook

    file = str(path)
    if not path.is_file():
        raise InputError(Problem("an existing Excel workbook (.xlsx)", file=file, found="no such file"))
    try:
        book = load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors
        raise InputError(
            Problem(
                "an Excel workbook in .xlsx format (save .xls or .ods files as .xlsx first)",
                file=file,
                found=f"{type(exc).__name__}: {show(str(exc), 100)}",
            )
        ) from None
    names = book.sheetnames
    if sheet is None:
        ws = book[names[0]]
    elif sheet in names:
        ws = book[sheet]
    else:
        raise InputError(
            Problem(f"a sheet of the workbook ({', '.join(map(repr, names))})", file=file, found=f"--sheet {sheet!r}")
        )
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    where = _Where(file, ws.title)
    if not rows or all(c is None for c in rows[0]):
        raise InputError(
            Problem(
                "a header row in row 1 naming the columns (id, name, category, …; see 'Read me')",
                file=where.file,
                line=1,
                found="an empty row",
                row=True,
            )
        )
    header = list(rows[0])
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header.pop()
    _check_formulas(path, ws.title, rows, where)
    return _build(where, header, [(n, cells) for n, cells in enumerate(rows[1:], start=2)])


def _check_formulas(path: Path, title: str, rows: list[list[Any]], where: _Where) -> None:
    """Formulas without a stored result read as blank; say so instead of treating them as unknown."""
    from openpyxl import load_workbook

    if not any(c is None for r in rows for c in r):
        return
    ws = load_workbook(path, data_only=False)[title]
    for r, cells in enumerate(ws.iter_rows(values_only=True), start=1):
        for c, value in enumerate(cells):
            if isinstance(value, str) and value.startswith("=") and (r > len(rows) or rows[r - 1][c] is None):
                where.add(
                    "a value (the formula has no stored result: open the workbook in Excel and save it)",
                    r,
                    f"column {column_letter(c)}",
                    show(value),
                )
    where.raise_if_any()


def read_catalogue_csv(path: Path) -> Catalogue:
    """Read and check a catalogue CSV (the scenario's ``projects.catalogue``) with the same rules."""
    file = str(path)
    if not path.is_file():
        raise InputError(Problem("an existing catalogue CSV file", file=file, found="no such file"))
    with path.open(newline="", encoding="utf-8-sig") as fh:
        records = list(csv.reader(fh))
    where = _Where(file, None)
    if not records:
        raise InputError(Problem("a header row naming the columns", file=file, line=1, found="an empty file", row=True))
    header = [h.strip() for h in records[0]]
    return _build(where, header, [(n, cells) for n, cells in enumerate(records[1:], start=2)])


# --------------------------------------------------------------------------- writing


def write_workbook(catalogue: Catalogue, lang: str = "nb", all_columns: bool = False) -> bytes:
    """The catalogue as an .xlsx workbook: the project sheet and a 'Read me' sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    names = [f.name for f in FIELDS if all_columns or f.name in catalogue.columns]
    fields = [BY_NAME[n] for n in names]
    book = Workbook()
    ws = book.active
    ws.title = SHEET[lang]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    ws.append([f.header(lang) for f in fields])
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in catalogue.rows:
        ws.append([_excel_value(f, row.get(f.name, ""), lang) for f in fields])
    for j, f in enumerate(fields, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(f.width, min(40, len(f.header(lang)) * 0.8))
        fmt = {"year": "0", "float": "General"}.get(f.kind)
        if f.name == "gross_cost_mnok" or f.name == "operating_cost_mnok_per_year":
            fmt = "#,##0.0##"
        if fmt:
            for cell in ws[letter][1:]:
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 45
    _readme(book.create_sheet(README[lang]), lang, bold)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _excel_value(f: Field, text: str, lang: str) -> Any:
    if text == "":
        return None
    if f.kind == "bool":
        return ("ja" if text == "true" else "nei") if lang == "nb" else text
    if f.kind == "year":
        return int(text)
    if f.kind == "float":
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    return text


def _readme(ws: Any, lang: str, bold: Any) -> None:
    from openpyxl.styles import Alignment

    if lang == "nb":
        intro = [
            "Prosjektliste for ltsim. Én rad per prosjekt; overskriftene i rad 1 kan være på norsk eller engelsk.",
            "Les inn med:  ltsim import projects ARBEIDSBOK.xlsx --out data/projects.csv",
            "Tomme celler betyr «ukjent / ikke oppgitt», aldri null. Skriv 0 der verdien er null.",
            "Tall skal stå i tallceller, uten enheter (enheten står i overskriften). Andeler skrives som 0,25, ikke 25 %.",
            "Obligatoriske kolonner må finnes og være fylt ut; valgfrie kolonner kan legges til eller fjernes.",
        ]
        head = ["Kolonne (norsk)", "Kolonne (engelsk)", "Påkrevd", "Forklaring"]
    else:
        intro = [
            "Project list for ltsim. One row per project; the headers in row 1 may be in English or Norwegian.",
            "Import with:  ltsim import projects WORKBOOK.xlsx --out data/projects.csv",
            "A blank cell means 'unknown / not given', never zero. Write 0 where the value is zero.",
            "Numbers go in number cells without units (the unit is in the header). Shares are fractions: 0.25, not 25 %.",
            "Required columns must be present and filled in; optional columns may be added or removed.",
        ]
        head = ["Column (English)", "Column (Norwegian)", "Required", "Meaning"]
    for line in intro:
        ws.append([line])
    ws.append([])
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = bold
    yes, no = ("ja", "nei") if lang == "nb" else ("yes", "no")
    for f in FIELDS:
        first, second = (f.nb, f.en) if lang == "nb" else (f.en, f.nb)
        ws.append([first, second, yes if f.required else no, f.help_nb if lang == "nb" else f.help_en])
    for letter, width in zip("ABCD", (34, 40, 10, 90), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=len(intro) + 2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_bytes(path: Path, content: bytes) -> None:
    """Write a file atomically: a temporary file in the same folder, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def import_projects(workbook: Path, out: Path, sheet: str | None = None) -> Catalogue:
    """Read a workbook and write the catalogue CSV (only after every check passed)."""
    catalogue = read_workbook(workbook, sheet)
    write_bytes(out, catalogue.to_csv().encode("utf-8"))
    return catalogue


def export_projects(catalogue_csv: Path, out: Path, lang: str = "nb", all_columns: bool = False) -> Catalogue:
    """Read a catalogue CSV and write it as a workbook."""
    catalogue = read_catalogue_csv(catalogue_csv)
    write_bytes(out, write_workbook(catalogue, lang, all_columns))
    return catalogue
