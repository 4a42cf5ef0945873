"""Project catalogue to and from Excel: round trips keep bytes and scenario hash; bad cells are located."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import types
from pathlib import Path

import numpy as np
import pytest
import typer
import yaml
from conftest import PROJECT_HEADER, PROJECT_ROWS, write_tiny_projects
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ltsim.cli.data import export_app, import_app
from ltsim.errors import InputError
from ltsim.io.excel import CATALOGUE_COLUMNS, export_projects, import_projects, read_workbook
from ltsim.io.projects import _columns
from ltsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
ASKER = ROOT / "scenarios" / "asker"


def canonical_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([(list(r) + [""] * len(header))[: len(header)] for r in rows])  # one cell per column
    return buf.getvalue().encode("utf-8")


def round_trip(src: Path, tmp: Path, lang: str = "nb") -> bytes:
    export_projects(src, tmp / f"book_{lang}.xlsx", lang)
    import_projects(tmp / f"book_{lang}.xlsx", tmp / f"back_{lang}.csv")
    return (tmp / f"back_{lang}.csv").read_bytes()


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
    return app


def problems(fn, *args, **kwargs) -> list[str]:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    return [str(p) for p in info.value.problems]


def workbook(path: Path, header: list[object], rows: list[list[object]], title: str = "Prosjekter") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


NB_HEADER = [
    "Prosjekt-ID",
    "Navn",
    "Kategori",
    "Tjeneste",
    "Sone",
    "Anlegg",
    "Kapasitet (plasser)",
    "Brutto kostnad (mill. kr)",
    "Planlegging (mnd)",
    "Regulering (mnd)",
    "Anskaffelse (mnd)",
    "Bygging (mnd)",
    "Tidligste start",
    "planlagt  start",
    "Seneste ferdigstillelse",
    "Obligatorisk (ja/nei)",
    "Avhenger av",
    "Gjensidig utelukkende gruppe",
    "MVA-kompensasjon (andel)",
    "Husbanken-plasser",
    "Driftskostnad (mill. kr/år)",
]
NB_ROWS = [
    ["skole_a", "Ny skole A", "skole", "primary_school", "north", None, 100, 250.5, 12, 6, 6, 24, 2024,
     dt.datetime(2025, 1, 1), None, "ja", None, None, 0.2, None, 12.25],
    ["vei", "Vei", "roads", None, None, None, None, 10, 0, 0, 0, 6.5, 2024, 2024, 2030, "nei", "skole_a", None,
     None, None, None],
]  # fmt: skip
NB_CSV = (
    "id,name,category,service,zone,facility,capacity_places,gross_cost_mnok,planning_months,regulation_months,"
    "procurement_months,construction_months,earliest_start,planned_start,latest_completion,mandatory,depends_on,"
    "exclusive_group,vat_compensation_share,husbanken_places,operating_cost_mnok_per_year\n"
    "skole_a,Ny skole A,school,primary_school,north,,100,250.5,12,6,6,24,2024,2025,,true,,,0.2,,12.25\n"
    "vei,Vei,roads,,,,,10,0,0,0,6.5,2024,2024,2030,false,skole_a,,,,\n"
)


# ----------------------------------------------------------------------------- layout


def test_columns_are_those_the_catalogue_reader_reads():
    config = types.SimpleNamespace(services=[])
    assert tuple(c.name for c in _columns(config, np.array([2024, 2030]))) == CATALOGUE_COLUMNS


def test_norwegian_workbook_imports_to_the_catalogue(tmp_path: Path):
    book = workbook(tmp_path / "prosjekter.xlsx", NB_HEADER, NB_ROWS)
    import_projects(book, tmp_path / "projects.csv")
    assert (tmp_path / "projects.csv").read_text(encoding="utf-8") == NB_CSV


def test_blank_cells_stay_blank_never_zero(tmp_path: Path):
    book = workbook(tmp_path / "b.xlsx", NB_HEADER, NB_ROWS)
    rows = list(csv.DictReader(io.StringIO(read_workbook(book).to_csv())))
    assert rows[1]["capacity_places"] == "" and rows[1]["vat_compensation_share"] == ""
    assert rows[0]["latest_completion"] == ""


def test_exported_workbook_layout(tmp_path: Path):
    src = tmp_path / "projects.csv"
    src.write_text(NB_CSV, encoding="utf-8")
    export_projects(src, tmp_path / "nb.xlsx", "nb")
    book = load_workbook(tmp_path / "nb.xlsx")
    assert book.sheetnames == ["Prosjekter", "Les meg"]
    ws = book["Prosjekter"]
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["prosjekt-id", "navn", "kategori"]
    assert "brutto kostnad (mill. kr)" in headers and "obligatorisk (ja/nei)" in headers
    assert ws["H2"].value == 250.5 and ws["P2"].value == "ja" and ws["G3"].value is None
    export_projects(src, tmp_path / "en.xlsx", "en", all_columns=True)
    en = load_workbook(tmp_path / "en.xlsx")
    assert en.sheetnames == ["Projects", "Read me"]
    assert "cost_share_planning (share 0–1)" in [c.value for c in en["Projects"][1]]


# ----------------------------------------------------------------------------- round trips


def test_round_trip_keeps_bytes_and_scenario_hash(tmp_path: Path):
    root = tmp_path / "s"
    path = write_tiny_projects(root)
    catalogue = root / "data" / "projects.csv"
    catalogue.write_bytes(canonical_csv(PROJECT_HEADER, PROJECT_ROWS))
    before = load_scenario(path).hash
    original = catalogue.read_bytes()
    for lang in ("nb", "en"):
        back = round_trip(catalogue, tmp_path, lang)
        assert back == original
        catalogue.write_bytes(back)
        assert load_scenario(path).hash == before
        assert round_trip(catalogue, tmp_path, lang) == back  # export → import → export is stable


def test_round_trip_of_a_non_canonical_csv_gives_the_same_projects(tmp_path: Path):
    root = tmp_path / "s"
    path = write_tiny_projects(root)  # CRLF line endings, as csv.writer writes by default
    catalogue = root / "data" / "projects.csv"
    before = load_scenario(path).projects
    back = round_trip(catalogue, tmp_path)
    assert b"\r\n" not in back
    catalogue.write_bytes(back)
    after = load_scenario(path).projects
    assert after.ids == before.ids and after.categories == before.categories
    assert np.array_equal(after.inputs.gross_cost_mnok, before.inputs.gross_cost_mnok)
    assert np.array_equal(after.capacity_places, before.capacity_places, equal_nan=True)
    assert round_trip(catalogue, tmp_path) == back


def _asker_projects_scenario(root: Path) -> Path | None:
    shutil.copytree(ASKER, root, ignore=shutil.ignore_patterns("results", "*.pyc"))
    base = yaml.safe_load((root / "base.yaml").read_text(encoding="utf-8"))
    if "projects" in base:
        return root / "base.yaml"
    fragment = root / "projects_fragment.yaml"
    if not fragment.is_file():
        return None
    projects = yaml.safe_load(fragment.read_text(encoding="utf-8"))["projects"]
    path = root / "roundtrip.yaml"
    path.write_text(yaml.safe_dump({"extends": "base.yaml", "name": "asker-roundtrip", "projects": projects}))
    return path


def test_asker_catalogue_round_trip_keeps_the_scenario_hash(tmp_path: Path):
    if not (ASKER / "data" / "projects.csv").is_file():
        pytest.skip("the Asker example has no project catalogue yet")
    path = _asker_projects_scenario(tmp_path / "asker")
    if path is None:
        pytest.skip("no Asker scenario uses the project catalogue yet")
    before = load_scenario(path).hash
    catalogue = tmp_path / "asker" / "data" / "projects.csv"
    back = round_trip(catalogue, tmp_path)
    assert back == catalogue.read_bytes()
    catalogue.write_bytes(back)
    assert load_scenario(path).hash == before


# ----------------------------------------------------------------------------- bad input


def test_missing_required_column_lists_what_was_found(tmp_path: Path):
    header = [h for h in NB_HEADER if not h.startswith("Brutto")]
    rows = [[c for h, c in zip(NB_HEADER, r, strict=True) if not h.startswith("Brutto")] for r in NB_ROWS]
    (msg,) = problems(read_workbook, workbook(tmp_path / "b.xlsx", header, rows))
    assert "b.xlsx, sheet 'Prosjekter', row 1" in msg
    assert "expected a column 'gross_cost_mnok' (Norwegian: 'brutto kostnad (mill. kr)')" in msg
    assert "found columns 'Prosjekt-ID', 'Navn', 'Kategori'" in msg


def test_text_in_a_cost_cell_names_sheet_row_and_column(tmp_path: Path):
    rows = [list(r) for r in NB_ROWS]
    rows[1][7] = "ca. 10 mill"
    (msg,) = problems(read_workbook, workbook(tmp_path / "b.xlsx", NB_HEADER, rows))
    assert msg.startswith(f"{tmp_path / 'b.xlsx'}, sheet 'Prosjekter', row 3: column H 'Brutto kostnad (mill. kr)'")
    assert "found 'ca. 10 mill'; expected a number ≥ 0 in a number cell" in msg


def test_duplicate_id_names_both_rows(tmp_path: Path):
    rows = [list(r) for r in NB_ROWS] + [list(NB_ROWS[0])]
    (msg,) = problems(read_workbook, workbook(tmp_path / "b.xlsx", NB_HEADER, rows))
    assert (
        "row 4: column A 'Prosjekt-ID': found 'skole_a'; expected a unique project id (the same id is on row 2)" in msg
    )


def test_blank_required_cell_and_bad_values_are_all_reported(tmp_path: Path):
    rows = [list(r) for r in NB_ROWS]
    rows[0][8] = None  # planning months blank
    rows[1][15] = "kanskje"  # obligatorisk
    rows[1][18] = 25  # a percentage where a share is expected
    msgs = problems(read_workbook, workbook(tmp_path / "b.xlsx", NB_HEADER, rows))
    assert len(msgs) == 3
    assert "row 2: column I 'Planlegging (mnd)': found a blank cell; expected" in msgs[0]
    assert "(a blank cell is unknown, not zero)" in msgs[0]
    assert "row 3: column P 'Obligatorisk (ja/nei)': found 'kanskje'; expected true or false" in msgs[1]
    assert "write 0.25 for 25 %" in msgs[2]


def test_unknown_header_and_unknown_dependency(tmp_path: Path):
    (msg,) = problems(
        read_workbook, workbook(tmp_path / "a.xlsx", [*NB_HEADER, "Farge"], [[*r, "rød"] for r in NB_ROWS])
    )
    assert "row 1: column V 'Farge': found an unknown column" in msg
    rows = [list(r) for r in NB_ROWS]
    rows[1][16] = "skole_b"
    (msg,) = problems(read_workbook, workbook(tmp_path / "b.xlsx", NB_HEADER, rows))
    assert "row 3: column Q 'Avhenger av': found 'skole_b'; expected ids of projects in the list" in msg


def test_named_sheet(tmp_path: Path):
    book = workbook(tmp_path / "b.xlsx", NB_HEADER, NB_ROWS, title="Investeringer")
    assert len(read_workbook(book, "Investeringer").rows) == 2
    (msg,) = problems(read_workbook, book, "Prosjekter")
    assert "found --sheet 'Prosjekter'; expected a sheet of the workbook ('Investeringer')" in msg


# ----------------------------------------------------------------------------- command line


def test_cli_import_and_export(tmp_path: Path):
    book = workbook(tmp_path / "b.xlsx", NB_HEADER, NB_ROWS)
    res = CliRunner().invoke(cli(), ["import", "projects", str(book), "--out", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "p.csv").read_text(encoding="utf-8") == NB_CSV
    res = CliRunner().invoke(cli(), ["export", "projects", str(tmp_path / "p.csv"), "--out", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 0, res.output
    assert load_workbook(tmp_path / "x.xlsx").sheetnames == ["Prosjekter", "Les meg"]


def test_cli_bad_workbook_exits_2_and_writes_nothing(tmp_path: Path):
    rows = [list(r) for r in NB_ROWS]
    rows[0][7] = "mye"
    book = workbook(tmp_path / "b.xlsx", NB_HEADER, rows)
    res = CliRunner().invoke(cli(), ["import", "projects", str(book), "--out", str(tmp_path / "p.csv")])
    assert res.exit_code == 2
    assert "row 2: column H 'Brutto kostnad (mill. kr)': found 'mye'" in res.output
    assert "Nothing was written." in res.output
    assert not (tmp_path / "p.csv").exists()
    res = CliRunner().invoke(
        cli(), ["export", "projects", str(tmp_path / "none.csv"), "--out", str(tmp_path / "x.xlsx")]
    )
    assert res.exit_code == 2 and not (tmp_path / "x.xlsx").exists()
