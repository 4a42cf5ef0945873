"""Writing workbooks: the catalogue export, and text cells that never become formulas (also for the report)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ltsim.io.excel.catalogue import Catalogue, read_catalogue_csv
from ltsim.io.excel.fields import BY_NAME, FIELDS, ILLEGAL_XML, Field
from ltsim.io.output import write_bytes

SHEET = MappingProxyType({"nb": "Prosjekter", "en": "Projects"})
README = MappingProxyType({"nb": "Les meg", "en": "Read me"})


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
        if f.name in ("gross_cost_mnok", "operating_cost_mnok_per_year", "operating_offset_mnok_per_year"):
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


def export_projects(catalogue_csv: Path, out: Path, lang: str = "nb", all_columns: bool = False) -> Catalogue:
    """Read a catalogue CSV and write it as a workbook."""
    catalogue = read_catalogue_csv(catalogue_csv)
    write_bytes(out, write_workbook(catalogue, lang, all_columns))
    return catalogue
