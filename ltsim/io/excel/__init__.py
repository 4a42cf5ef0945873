"""The project catalogue in Excel: import a workbook a finance officer keeps, export one back.

``read_workbook`` reads one row per project (header in row 1, English or Norwegian
column names, case- and space-insensitive, units in brackets ignored), checks every cell
and returns the catalogue as CSV text with exactly the columns ``ltsim/io/projects.py``
reads, in a fixed order and number format. ``write_workbook`` writes a catalogue CSV as a
workbook (header frozen, units in the headers, number formats, a "Read me" sheet).
CSV → workbook → CSV gives the same bytes when the CSV is in the canonical format
(every CSV this package writes is), so a scenario keeps its hash over a round trip.

Rules: a blank cell stays unknown (never zero); a text in a number cell is an error;
duplicate project ids name both rows; a missing required column lists the columns found.
Every problem names the file, the sheet, the Excel row, and the column letter and header.

Modules: ``fields`` (the columns and the parsing of one cell), ``catalogue`` (checking rows,
ids and dependencies; the catalogue CSV), ``reader`` (a workbook read within bounds),
``writer`` (workbooks written with text cells that never become formulas).
"""

from ltsim.io.excel.catalogue import Catalogue, read_catalogue_csv
from ltsim.io.excel.fields import BY_NAME, CATALOGUE_COLUMNS, FIELDS, Field, format_number, normalise, parse_cell
from ltsim.io.excel.reader import import_projects, read_workbook
from ltsim.io.excel.writer import append_row, export_projects, set_value, write_workbook

__all__ = [
    "BY_NAME",
    "CATALOGUE_COLUMNS",
    "FIELDS",
    "Catalogue",
    "Field",
    "append_row",
    "export_projects",
    "format_number",
    "import_projects",
    "normalise",
    "parse_cell",
    "read_catalogue_csv",
    "read_workbook",
    "set_value",
    "write_workbook",
]
