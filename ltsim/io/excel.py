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
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import decode_utf8, read_regular_file
from ltsim.io.projects import BOOL
from ltsim.schema import ASSET_CATEGORIES

MAX_PROBLEMS = 25
MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest workbook read (a project list of a few hundred rows is 10–100 kB)."""
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
"""Largest total size of the workbook's parts once unpacked (the zip's members)."""
MAX_RATIO = 100
"""Largest unpacking ratio of a member above 1 MB (a zip bomb packs far more; real sheets 5–20×)."""
MAX_ROWS = 10_000
MAX_COLUMNS = 200
"""A project list holds at most this many rows and columns of values; a cell outside is refused before
the sheet is loaded (a single value in XFD1048576 would otherwise make a 17-billion-cell grid)."""
MAX_CELL_ELEMENTS = 3_000_000
"""Most cells (with or without a value) scanned in the sheet's XML before giving up."""
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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
        if ILLEGAL_XML.search(text):
            raise _CellError(show(text), " (a text without control characters)")
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
    _check_dependencies(where, header, first_col, rows, row_of, seen)
    columns = tuple(f.name for f in FIELDS if f.name in first_col)
    return Catalogue(columns=columns, rows=tuple(rows))


def _check_dependencies(
    where: _Where,
    header: Sequence[Any],
    first_col: dict[str, int],
    rows: list[dict[str, str]],
    row_of: list[int],
    seen: dict[str, int],
) -> None:
    """Every id in depends_on is a project of the list, not the project itself, and no chain comes back."""
    if "depends_on" not in first_col:
        return
    i = first_col["depends_on"]
    column = where.column(i, str(header[i]).strip())
    deps: dict[str, list[str]] = {}
    for row, rownum in zip(rows, row_of, strict=True):
        listed = [d.strip() for d in row.get("depends_on", "").split(";") if d.strip()]
        deps[row["id"]] = []
        for dep in listed:
            if dep == row["id"]:
                where.add(
                    "ids of other projects in the list (a project cannot wait for itself)", rownum, column, show(dep)
                )
            elif dep not in seen:
                where.add("ids of projects in the list, separated by ';'", rownum, column, show(dep))
            else:
                deps[row["id"]].append(dep)
    where.raise_if_any()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()
    for start in deps:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:  # depth-first, iterative: a long chain must not exhaust Python's recursion
            node, k = stack.pop()
            if k == 0:
                state[node] = 1
                path.append(node)
            if k < len(deps[node]):
                stack.append((node, k + 1))
                nxt = deps[node][k]
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt) :]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        chain = " → ".join(f"{p} (row {seen[p]})" for p in [*cycle, nxt])
                        where.add(
                            "dependencies without a cycle (a project cannot wait, directly or through others, "
                            "for itself)",
                            seen[cycle[0]],
                            column,
                            f"the cycle {chain}",
                        )
                elif not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    where.raise_if_any()


# --------------------------------------------------------------------------- reading


def read_workbook(path: Path, sheet: str | None = None) -> Catalogue:
    """Read and check the project list on ``sheet`` (default: the first sheet) of a workbook.

    The file is bounded before anything is loaded: its size, the zip's members (total unpacked size,
    packing ratio), then the sheet's XML is scanned once for the cells that hold a value — a value
    outside the first ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns is refused, naming the cell — and
    only that range is read, with openpyxl in read-only mode.
    """
    from openpyxl import load_workbook

    file = str(path)
    data = _workbook_bytes(path)
    archive = _open_zip(file, data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # zipfile, XML and openpyxl errors
        raise InputError(_not_a_workbook(file, "a file that cannot be opened as a workbook")) from None
    try:
        names = book.sheetnames
        if not names:
            raise InputError(_not_a_workbook(file, "a workbook without sheets"))
        if sheet is not None and sheet not in names:
            raise InputError(
                Problem(
                    f"a sheet of the workbook ({', '.join(map(repr, names))})", file=file, found=f"--sheet {sheet!r}"
                )
            )
        ws = book[names[0] if sheet is None else sheet]
        where = _Where(file, ws.title)
        member = getattr(ws, "_worksheet_path", None)
        if member is None:
            raise InputError(
                Problem("a worksheet of rows and columns", file=where.file, found="a chart sheet or dialog sheet")
            )
        n_rows, n_cols, formulas = _scan_sheet(archive, member, where)
        try:
            rows = (
                [list(r) for r in ws.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols, values_only=True)]
                if n_rows
                else []
            )
        except Exception:  # a damaged sheet: bad shared-string index, bad date, …
            raise InputError(
                Problem(
                    "a worksheet Excel can open (open the workbook in Excel and save it again)",
                    file=where.file,
                    found="a damaged sheet (a cell that cannot be read)",
                )
            ) from None
    finally:
        book.close()
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
    for r, c, formula in formulas:  # formulas without a stored result read as blank: say so
        if rows[r - 1][c - 1] is None:
            where.add(
                "a value (the formula has no stored result: open the workbook in Excel and save it)",
                r,
                f"column {column_letter(c - 1)}",
                show(formula),
            )
    where.raise_if_any()
    return _build(where, header, [(n, cells) for n, cells in enumerate(rows[1:], start=2)])


def _not_a_workbook(file: str, found: str) -> Problem:
    return Problem("an Excel workbook in .xlsx format (save .xls or .ods files as .xlsx first)", file=file, found=found)


def _workbook_bytes(path: Path) -> bytes:
    """The workbook's bytes, after checking it is a file of sensible size that looks like an .xlsx."""
    file = str(path)
    if path.is_dir():
        raise InputError(Problem("an Excel workbook (.xlsx) file", file=file, found="a folder"))
    if not path.is_file():
        raise InputError(Problem("an existing Excel workbook (.xlsx)", file=file, found="no such file"))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(
            Problem(
                f"an Excel workbook of at most {MAX_FILE_BYTES // 2**20} MB (a project list is far smaller)",
                file=file,
                found=f"{size / 2**20:,.1f} MB",
            )
        )
    data = path.read_bytes()
    if not data:
        raise InputError(_not_a_workbook(file, "an empty file"))
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2 compound document
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise InputError(
                Problem(
                    "a workbook without a password (remove it in Excel: File → Info → Protect Workbook)",
                    file=file,
                    found="a password-protected (encrypted) workbook",
                )
            )
        raise InputError(_not_a_workbook(file, "an Excel 97–2003 workbook (.xls)"))
    if not data.startswith(b"PK"):
        head = data[:64].lstrip()
        found = (
            "an XML or HTML file"
            if head[:1] == b"<"
            else ("a text file (CSV?)" if not any(b < 9 for b in head) else "not a zip archive")
        )
        raise InputError(_not_a_workbook(file, found))
    return data


def _open_zip(file: str, data: bytes) -> Any:
    """The workbook as a zip archive, refused when damaged, encrypted or too large once unpacked."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(_not_a_workbook(file, f"a damaged zip archive ({show(str(exc), 80)})")) from None
    if len(infos) > 10_000:
        raise InputError(_not_a_workbook(file, f"a zip archive of {len(infos):,} parts"))
    if any(i.flag_bits & 0x1 for i in infos):
        raise InputError(Problem("a workbook without a password", file=file, found="an encrypted zip archive"))
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise InputError(
            Problem(
                f"a workbook of at most {MAX_UNPACKED_BYTES // 2**20} MB unpacked",
                file=file,
                found=f"{total / 2**20:,.0f} MB in its {len(infos)} parts",
            )
        )
    for i in infos:
        if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputError(
                Problem(
                    f"a workbook whose parts unpack to at most {MAX_RATIO}× their packed size",
                    file=file,
                    field=i.filename,
                    found=f"{i.compress_size:,} bytes unpacking to {i.file_size:,}",
                )
            )
    names = {i.filename for i in infos}
    if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis"):
        raise InputError(_not_a_workbook(file, "an OpenDocument spreadsheet (.ods)"))
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise InputError(_not_a_workbook(file, "a zip archive that is not a workbook"))
    return archive


_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _scan_sheet(archive: Any, member: str, where: _Where) -> tuple[int, int, list[tuple[int, int, str]]]:
    """Rows and columns holding values in the sheet's XML, and formulas without a stored result.

    Streams the XML (memory stays small whatever the sheet declares) and stops at the first value
    outside ``MAX_ROWS`` × ``MAX_COLUMNS``. Cells without a value (formatting only) do not count.
    """
    import xml.etree.ElementTree as ET

    from openpyxl.utils import column_index_from_string

    max_row = max_col = 0
    formulas: list[tuple[int, int, str]] = []
    row_no = col_no = elements = 0
    sheet_data = None
    try:
        with archive.open(member) as fh:
            for event, elem in ET.iterparse(fh, events=("start", "end")):
                tag = elem.tag.rpartition("}")[2]
                if event == "start":
                    if tag == "row":
                        r = elem.get("r")
                        row_no = int(r) if r and r.isdigit() else row_no + 1
                        col_no = 0
                    elif tag == "sheetData":
                        sheet_data = elem
                    continue
                if tag == "row":
                    elements += 1
                    if sheet_data is not None:
                        sheet_data.clear()
                elif tag == "c":
                    elements += 1
                    ref = elem.get("r")
                    m = _CELL_REF.fullmatch(ref) if ref else None
                    if m:
                        col_no, row = column_index_from_string(m.group(1)), int(m.group(2))
                    else:
                        col_no, row = col_no + 1, row_no
                    children = {c.tag.rpartition("}")[2]: c for c in elem}
                    v, f = children.get("v"), children.get("f")
                    if (v is not None and v.text) or "is" in children or f is not None:
                        if row > MAX_ROWS or col_no > MAX_COLUMNS:
                            found = (
                                "a formula"
                                if f is not None
                                else ("a text" if elem.get("t") in ("s", "inlineStr", "str") else "a value")
                            )
                            raise InputError(
                                Problem(
                                    f"a project list within {MAX_ROWS:,} rows and {MAX_COLUMNS} columns "
                                    f"(A1:{column_letter(MAX_COLUMNS - 1)}{MAX_ROWS}); delete what lies outside",
                                    file=where.file,
                                    line=row,
                                    field=f"cell {column_letter(col_no - 1)}{row}",
                                    found=found,
                                    row=True,
                                )
                            )
                        max_row, max_col = max(max_row, row), max(max_col, col_no)
                        if f is not None and not (v is not None and v.text):
                            formulas.append((row, col_no, "=" + (f.text or "…")))
                    elem.clear()
                if elements > MAX_CELL_ELEMENTS:
                    raise InputError(
                        Problem(
                            f"a sheet of at most {MAX_CELL_ELEMENTS:,} cells and rows (formatted or not)",
                            file=where.file,
                            found=f"more, up to row {row_no:,}",
                        )
                    )
    except InputError:
        raise
    except Exception as exc:  # ParseError, zlib.error, BadZipFile (bad CRC), …
        position = getattr(exc, "position", None)  # ParseError: (line, column) in the sheet's XML
        raise InputError(
            Problem(
                "a worksheet Excel can open (open the workbook in Excel and save it again)",
                file=where.file,
                found="damaged sheet XML"
                + (f" (an invalid character or tag at XML line {position[0]})" if position else ""),
            )
        ) from None
    return max_row, max_col, formulas


def read_catalogue_csv(path: Path) -> Catalogue:
    """Read and check a catalogue CSV (the scenario's ``projects.catalogue``) with the same rules."""
    file = str(path)
    text = decode_utf8(read_regular_file(path, MAX_FILE_BYTES, "catalogue CSV file"), path, "a CSV file", row=True)
    if "\0" in text:
        raise InputError(Problem("a CSV text file", file=file, found="a binary file (NUL bytes)"))
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(Problem("a well-formed CSV file", file=file, found=show(str(exc), 100))) from None
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
    append_row(ws, [f.header(lang) for f in fields])
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in catalogue.rows:
        append_row(ws, [_excel_value(f, row.get(f.name, ""), lang) for f in fields])
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


def set_value(cell: Any, value: Any) -> Any:
    """Put ``value`` into an openpyxl cell; a text is always stored as text, never as a formula.

    openpyxl turns a string starting with ``=`` into a live formula, so a project named
    ``=HYPERLINK("http://…")`` or ``=cmd|' /C calc'!A0`` would run when the workbook is opened. Every
    text (also one starting with ``+``, ``-``, ``@``, a tab or a carriage return, which spreadsheet
    programs may read as the start of a formula) is stored as a string cell; characters XML cannot
    hold are replaced by U+FFFD. Numbers, booleans and dates are stored as they are. Used by every
    workbook ltsim writes (the catalogue export and the report's workbook).
    """
    if isinstance(value, str):
        cell.value = ILLEGAL_XML.sub("\ufffd", value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def append_row(ws: Any, values: Sequence[Any]) -> None:
    """``ws.append(values)`` with every text stored as text, as :func:`set_value` does."""
    ws.append([ILLEGAL_XML.sub("\ufffd", v) if isinstance(v, str) else v for v in values])
    row = ws.max_row
    for j, value in enumerate(values, start=1):
        if isinstance(value, str):
            ws.cell(row=row, column=j).data_type = "s"


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
        append_row(ws, [line])
    ws.append([])
    append_row(ws, head)
    for cell in ws[ws.max_row]:
        cell.font = bold
    yes, no = ("ja", "nei") if lang == "nb" else ("yes", "no")
    for f in FIELDS:
        first, second = (f.nb, f.en) if lang == "nb" else (f.en, f.nb)
        append_row(ws, [first, second, yes if f.required else no, f.help_nb if lang == "nb" else f.help_en])
    for letter, width in zip("ABCD", (34, 40, 10, 90), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=len(intro) + 2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_bytes(path: Path, content: bytes, option: str = "--out") -> None:
    """Write a file atomically: a temporary file in the same folder, then renamed into place.

    An output that cannot be written (a folder, a parent that is a file, a read-only folder) is an
    InputError naming ``option`` and nothing is left behind (see :func:`ltsim.io.ssb.write_files`).
    """
    from ltsim.io.ssb import check_output, write_files

    check_output(path, option)
    write_files({path.name: content}, path.parent, option)


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
