"""Reading a workbook safely: size, zip and sheet bounded before openpyxl loads anything, then the catalogue."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ltsim.errors import InputError, Problem, show
from ltsim.io.excel.catalogue import MAX_FILE_BYTES, Catalogue, Where, build_catalogue
from ltsim.io.excel.fields import column_letter
from ltsim.io.output import write_bytes

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
        where = Where(file, ws.title)
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
    return build_catalogue(where, header, [(n, cells) for n, cells in enumerate(rows[1:], start=2)])


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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise InputError(_not_a_workbook(file, "a damaged zip archive")) from None
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


def _scan_sheet(archive: Any, member: str, where: Where) -> tuple[int, int, list[tuple[int, int, str]]]:
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


def import_projects(workbook: Path, out: Path, sheet: str | None = None) -> Catalogue:
    """Read a workbook and write the catalogue CSV (only after every check passed)."""
    catalogue = read_workbook(workbook, sheet)
    write_bytes(out, catalogue.to_csv().encode("utf-8"))
    return catalogue
