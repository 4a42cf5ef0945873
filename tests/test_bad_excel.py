"""Bad-input corpus: hostile or broken Excel workbooks and catalogues, and outputs that cannot be written.

Each case builds one bad input in the case's temporary folder and asserts with :func:`badinput.refused`
that ``ltsim import projects`` / ``ltsim export projects`` exits 2, names the file, where and what is
expected, and writes nothing. Hostile workbooks are made with openpyxl or by editing the zip's XML.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from badinput import refused
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ltsim.cli import app

HEADER = [
    "id", "name", "category", "gross_cost_mnok", "planning_months", "regulation_months", "procurement_months",
    "construction_months", "earliest_start", "planned_start", "mandatory", "depends_on",
]  # fmt: skip


def row(pid: str, name: str = "Skole", depends: str | None = None) -> list[object]:
    return [pid, name, "school", 100.5, 6, 6, 3, 24, 2025, 2026, "ja", depends]


GOOD = [row("skole_a"), row("vei", "Vei")]


def book(path: Path, rows: list[list[object]] = GOOD, edit: Callable | None = None, title: str = "Prosjekter") -> Path:
    """A project workbook; ``edit(ws)`` may change the sheet before it is saved."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    if edit is not None:
        edit(ws)
    wb.save(path)
    return path


def rezip(path: Path, member: str, change: Callable[[str], str], extra: dict[str, bytes] | None = None) -> Path:
    """Rewrite one member of an xlsx (its XML text through ``change``) and add ``extra`` members."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def sheet_xml(path: Path, change: Callable[[str], str]) -> Path:
    return rezip(path, "xl/worksheets/sheet1.xml", change)


def cell_at(ref: str) -> Callable:
    def edit(ws) -> None:
        ws[ref] = "x"

    return edit


def import_args(src: Path, tmp: Path, *extra: str) -> list[str]:
    return ["import", "projects", str(src), "--out", str(tmp / "out" / "projects.csv"), *extra]


# ----------------------------------------------------------------------------- hostile and broken workbooks


def _huge(tmp: Path) -> Path:
    return book(tmp / "huge.xlsx", edit=cell_at("XFD1048576"))


def _row_limit(tmp: Path) -> Path:
    return book(tmp / "rows.xlsx", edit=cell_at("B10001"))


def _column_limit(tmp: Path) -> Path:
    return book(tmp / "cols.xlsx", edit=cell_at("GS2"))


def _formula_far_away(tmp: Path) -> Path:
    def edit(ws) -> None:
        ws["A20000"] = "=1+1"

    return book(tmp / "formula.xlsx", edit=edit)


def _huge_by_xml(tmp: Path) -> Path:
    """No openpyxl involved: a dimension of the whole sheet and a number in its last cell."""
    return sheet_xml(
        book(tmp / "xml.xlsx"),
        lambda x: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', x).replace(
            "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        ),
    )


def _bomb(tmp: Path) -> Path:
    return rezip(book(tmp / "bomb.xlsx"), "", lambda x: x, extra={"xl/media/padding.bin": b"\0" * (8 * 2**20)})


def _unpacked_total(tmp: Path) -> Path:
    """52 MB of four letters at random: packs about 4× (under the ratio limit), over the unpacked limit."""
    import random

    letters = bytes(b"ACGT"[i % 4] for i in range(256))
    data = random.Random(1).randbytes(52 * 2**20).translate(letters)
    path = book(tmp / "total.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("xl/media/dna.bin", data)
    return path


def _text(tmp: Path) -> Path:
    (tmp / "projects.xlsx").write_text("id,name\nskole_a,Skole\n", encoding="utf-8")
    return tmp / "projects.xlsx"


def _empty(tmp: Path) -> Path:
    (tmp / "empty.xlsx").write_bytes(b"")
    return tmp / "empty.xlsx"


def _xls(tmp: Path) -> Path:
    (tmp / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"Workbook".ljust(64, b"\0"))
    return tmp / "old.xls"


def _encrypted(tmp: Path) -> Path:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 600
    (tmp / "secret.xlsx").write_bytes(data)
    return tmp / "secret.xlsx"


def _truncated(tmp: Path) -> Path:
    path = book(tmp / "cut.xlsx")
    path.write_bytes(path.read_bytes()[:1500])
    return path


def _bad_sheet_xml(tmp: Path) -> Path:
    return sheet_xml(book(tmp / "xmlbad.xlsx"), lambda x: x.replace("</sheetData>", "<row r='9'><c r='A9'"))


def _bad_shared_string(tmp: Path) -> Path:
    return sheet_xml(
        book(tmp / "sst.xlsx"),
        lambda x: x.replace("</sheetData>", '<row r="4"><c r="A4" t="s"><v>9999</v></c></row></sheetData>'),
    )


def _ods(tmp: Path) -> Path:
    out = tmp / "calc.ods"
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return out


def _zip_not_workbook(tmp: Path) -> Path:
    out = tmp / "notes.xlsx"
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "hello")
    return out


def _folder(tmp: Path) -> Path:
    (tmp / "book.xlsx").mkdir()
    return tmp / "book.xlsx"


def _chart_sheet(tmp: Path) -> Path:
    wb = Workbook()
    wb.create_chartsheet("Diagram", 0)
    wb.save(tmp / "chart.xlsx")
    return tmp / "chart.xlsx"


def _formula_without_value(tmp: Path) -> Path:
    def edit(ws) -> None:
        ws["D2"] = "=SUM(E2:H2)"

    return book(tmp / "calc.xlsx", edit=edit)


def _cycle2(tmp: Path) -> Path:
    return book(tmp / "cycle.xlsx", [row("skole_a", depends="vei"), row("vei", depends="skole_a")])


def _cycle3(tmp: Path) -> Path:
    rows = [row("a", depends="b"), row("b", depends="c"), row("c", depends="a"), row("d", depends="a")]
    return book(tmp / "cycle3.xlsx", rows)


def _self(tmp: Path) -> Path:
    return book(tmp / "self.xlsx", [row("skole_a", depends="skole_a; vei"), row("vei")])


def _unknown_dep(tmp: Path) -> Path:
    return book(tmp / "unknown.xlsx", [row("skole_a", depends="skole_b"), row("vei")])


def _control_char(tmp: Path) -> Path:
    return sheet_xml(
        book(tmp / "ctrl.xlsx", [row("skole_a", "Ny skole"), row("vei")]),
        lambda x: x.replace("Ny skole", "Ny&#x1b;[31m skole"),
    )


def _blank_header(tmp: Path) -> Path:
    def edit(ws) -> None:
        for c in ws[1]:
            c.value = None

    return book(tmp / "noheader.xlsx", edit=edit)


HOSTILE = {
    # name: (make, extra args, mentions besides the file name and "expected")
    "huge_cell_XFD1048576": (_huge, [], ["sheet 'Prosjekter'", "row 1048576", "cell XFD1048576", "10,000 rows"]),
    "huge_by_xml": (_huge_by_xml, [], ["sheet 'Prosjekter'", "cell XFD1048576", "200 columns"]),
    "row_10001": (_row_limit, [], ["sheet 'Prosjekter'", "row 10001", "cell B10001"]),
    "column_201": (_column_limit, [], ["sheet 'Prosjekter'", "row 2", "cell GS2"]),
    "formula_far_away": (_formula_far_away, [], ["cell A20000", "a formula"]),
    "zip_bomb": (_bomb, [], ["xl/media/padding.bin", "unpack to at most 100×"]),
    "unpacked_total": (_unpacked_total, [], ["MB unpacked", "parts"]),
    "text_file": (_text, [], ["a text file", ".xlsx format"]),
    "empty_file": (_empty, [], ["an empty file", ".xlsx format"]),
    "xls": (_xls, [], ["Excel 97–2003 workbook (.xls)", ".xlsx format"]),
    "encrypted": (_encrypted, [], ["password-protected", "without a password"]),
    "truncated_zip": (_truncated, [], ["damaged zip archive", ".xlsx format"]),
    "bad_sheet_xml": (_bad_sheet_xml, [], ["sheet 'Prosjekter'", "damaged sheet XML", "a worksheet Excel can open"]),
    "bad_shared_string": (_bad_shared_string, [], ["sheet 'Prosjekter'", "a worksheet Excel can open"]),
    "ods": (_ods, [], ["OpenDocument spreadsheet", ".xlsx format"]),
    "zip_not_workbook": (_zip_not_workbook, [], ["not a workbook"]),
    "folder": (_folder, [], ["found a folder", "an Excel workbook"]),
    "chart_sheet_first": (_chart_sheet, [], ["cannot be opened as a workbook", ".xlsx format"]),
    "missing_sheet": (lambda t: book(t / "b.xlsx"), ["--sheet", "Budsjett"], ["--sheet 'Budsjett'", "'Prosjekter'"]),
    "formula_without_value": (_formula_without_value, [], ["row 2", "column D", "=SUM(E2:H2)", "stored result"]),
    "dependency_cycle": (_cycle2, [], ["row 2", "depends_on", "skole_a (row 2) → vei (row 3) → skole_a", "cycle"]),
    "dependency_cycle_3": (_cycle3, [], ["a (row 2) → b (row 3) → c (row 4) → a", "without a cycle"]),
    "depends_on_itself": (_self, [], ["row 2", "depends_on", "'skole_a'", "cannot wait for itself"]),
    "unknown_dependency": (_unknown_dep, [], ["row 2", "depends_on", "'skole_b'", "projects in the list"]),
    "invalid_xml_character": (
        _control_char,
        [],
        ["sheet 'Prosjekter'", "an invalid character or tag", "Excel can open"],
    ),
    "blank_header": (_blank_header, [], ["row 1", "an empty row", "header row"]),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_workbook_is_refused(tmp_path: Path, case: str):
    make, extra, mentions = HOSTILE[case]
    src = make(tmp_path)
    refused(import_args(src, tmp_path, *extra), mentions=[src.name, *mentions, "expected"], watch=tmp_path)


# ----------------------------------------------------------------------------- outputs that cannot be written


def _catalogue(tmp: Path, text: str | bytes | None = None) -> Path:
    path = tmp / "projects.csv"
    if text is None:
        import csv

        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(HEADER)
            w.writerows([["" if c is None else c for c in r] for r in GOOD])
    elif isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _export_args(tmp: Path, out: Path) -> list[str]:
    return ["export", "projects", str(_catalogue(tmp)), "--out", str(out)]


def _parent_is_file(tmp: Path) -> Path:
    (tmp / "plain.txt").write_text("x", encoding="utf-8")
    return tmp / "plain.txt" / "projects.csv"


def _existing_folder(tmp: Path) -> Path:
    (tmp / "target").mkdir()
    return tmp / "target"


OUTPUTS = {
    "import_out_is_folder": ("import", _existing_folder, ["an existing folder", "a file name to write"]),
    "import_out_parent_is_file": ("import", _parent_is_file, ["plain.txt is a file", "parents are folders"]),
    "import_out_in_sysfs": ("import", lambda t: Path("/sys/ltsim-projects.csv"), ["/sys", "can be written"]),
    "import_out_device": ("import", lambda t: Path("/dev/null"), ["/dev/null", "a special file", "regular file"]),
    "export_out_is_folder": ("export", _existing_folder, ["an existing folder", "a file name to write"]),
    "export_out_parent_is_file": ("export", _parent_is_file, ["plain.txt is a file", "parents are folders"]),
    "export_out_in_sysfs": ("export", lambda t: Path("/sys/ltsim-book.xlsx"), ["/sys", "can be written"]),
}


@pytest.mark.parametrize("case", list(OUTPUTS))
def test_output_that_cannot_be_written_is_refused(tmp_path: Path, case: str):
    if case.endswith("sysfs") and not Path("/sys/kernel").is_dir():
        pytest.skip("no sysfs here")
    command, make, mentions = OUTPUTS[case]
    out = make(tmp_path)
    if command == "import":
        args = ["import", "projects", str(book(tmp_path / "b.xlsx")), "--out", str(out)]
    else:
        args = _export_args(tmp_path, out)
    refused(args, mentions=[str(out), "--out", *mentions, "expected"], watch=tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
@pytest.mark.parametrize("command", ["import", "export"])
def test_read_only_folder_is_refused(tmp_path: Path, command: str):
    src = book(tmp_path / "b.xlsx") if command == "import" else _catalogue(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        args = [command, "projects", str(src), "--out", str(locked / "x")]
        refused(args, mentions=["locked", "read-only", "expected"], watch=tmp_path)
    finally:
        locked.chmod(0o755)


# ----------------------------------------------------------------------------- bad catalogue CSVs for export

CATALOGUES = {
    "latin1": ("id,name\nskole_a,Skole på Øst\n".encode("latin-1"), ["row 2", "not UTF-8", "UTF-8"]),
    "nul_bytes": (b"id,name\0\n", ["binary file", "a CSV text file"]),
    "cycle": (
        ",".join(HEADER) + "\n" + "a,A,school,1,1,1,1,1,2025,2025,ja,b\nb,B,school,1,1,1,1,1,2025,2025,ja,a\n",
        ["row 2", "depends_on", "a (row 2) → b (row 3) → a", "without a cycle"],
    ),
    "empty": ("", ["row 1", "an empty file", "a header row"]),
    "control_character": (
        ",".join(HEADER) + "\n" + "a,Skole \x1b[31m,school,1,1,1,1,1,2025,2025,ja,\n",
        ["row 2", "column 'name'", "without control characters"],
    ),
}


@pytest.mark.parametrize("case", list(CATALOGUES))
def test_bad_catalogue_is_refused_by_export(tmp_path: Path, case: str):
    text, mentions = CATALOGUES[case]
    src = _catalogue(tmp_path, text)
    args = ["export", "projects", str(src), "--out", str(tmp_path / "book.xlsx")]
    refused(args, mentions=[src.name, *mentions, "expected"], watch=tmp_path)


def test_catalogue_that_is_a_folder_is_refused(tmp_path: Path):
    (tmp_path / "projects.csv").mkdir()
    args = ["export", "projects", str(tmp_path / "projects.csv"), "--out", str(tmp_path / "book.xlsx")]
    refused(args, mentions=["projects.csv", "a folder", "expected a catalogue CSV file, not a folder"], watch=tmp_path)


# ----------------------------------------------------------------------------- what is accepted


FORMULA_NAMES = [
    '=HYPERLINK("http://example.com/x","click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\tTab start",
    "=1+1",
]


def test_formula_like_names_round_trip_as_text(tmp_path: Path):
    rows = [[f"p{i}", name, *row("x")[2:]] for i, name in enumerate(FORMULA_NAMES)]
    src = _catalogue(tmp_path)
    import csv

    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows([["" if c is None else c for c in r] for r in rows])
    original = src.read_bytes()
    out = tmp_path / "book.xlsx"
    res = CliRunner().invoke(app, ["export", "projects", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    cells = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = [c.value for c in wb["Prosjekter"]["B"][1:]]
    assert names == [n.strip() for n in FORMULA_NAMES]  # text kept (the catalogue strips outer blanks)
    assert isinstance(wb["Prosjekter"]["D2"].value, float)  # numbers stay numbers
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode("utf-8") and "<f " not in z.read(name).decode("utf-8")
    back = tmp_path / "back.csv"
    res = CliRunner().invoke(app, ["import", "projects", str(out), "--out", str(back)])
    assert res.exit_code == 0, res.output
    with back.open(newline="", encoding="utf-8") as fh:
        assert [r["name"] for r in csv.DictReader(fh)] == [n.strip() for n in FORMULA_NAMES]
    assert original.count(b"\n") == back.read_bytes().count(b"\n")


def test_declared_dimension_alone_does_not_refuse(tmp_path: Path):
    """A sheet whose <dimension> claims the whole grid but holds a few values is read (only values count)."""
    src = sheet_xml(
        book(tmp_path / "dim.xlsx"),
        lambda x: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', x),
    )
    res = CliRunner().invoke(app, ["import", "projects", str(src), "--out", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    assert len((tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()) == 3


def test_huge_dimension_workbook_is_refused_quickly(tmp_path: Path):
    """The 17-billion-cell workbook is refused from its XML, before openpyxl builds any grid."""
    src = _huge(tmp_path)
    refused(import_args(src, tmp_path), mentions=["huge.xlsx", "XFD1048576", "expected"], watch=tmp_path)


def test_written_files_get_normal_permissions(tmp_path: Path):
    src = book(tmp_path / "b.xlsx")
    res = CliRunner().invoke(app, ["import", "projects", str(src), "--out", str(tmp_path / "new" / "p.csv")])
    assert res.exit_code == 0, res.output
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "new" / "p.csv").stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["p.csv"]  # no temporary file left
