"""Bad-input corpus: corrupt run and batch folders given to ``ltsim report``.

A good run folder is made once per module (``ltsim run`` on the tiny finance scenario, with its report);
each case copies it, corrupts one file and asserts with :func:`badinput.refused` that ``ltsim report``
exits 2 naming the file and what is expected, and that nothing in the folder is written or replaced
(report.html and workbook.xlsx stay as they were).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from badinput import refused
from typer.testing import CliRunner

from ltsim.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from conftest import write_tiny_finance


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("good")
    scenario = write_tiny_finance(root / "scenario")
    out = root / "run"
    res = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert (out / "report.html").is_file() and (out / "workbook.xlsx").is_file()
    return out


def text_edit(name: str, change: Callable[[str], str]) -> Callable[[Path], str]:
    def corrupt(folder: Path) -> str:
        path = folder / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        return name

    return corrupt


def write(name: str, data: str | bytes) -> Callable[[Path], str]:
    def corrupt(folder: Path) -> str:
        (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return name

    return corrupt


def manifest(change: Callable[[dict], None]) -> Callable[[Path], str]:
    def edit(text: str) -> str:
        doc = json.loads(text)
        change(doc)
        return json.dumps(doc)

    return text_edit("manifest.json", edit)


def cut_mid_row(text: str) -> str:
    last = text.rindex("\n", 0, len(text) - 1) + 1
    return text[:last] + text[last : last + 8]


def drop_column(col: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        rows = [line.split(",") for line in text.splitlines()]
        j = rows[0].index(col)
        return "\n".join(",".join(r[:j] + r[j + 1 :]) for r in rows) + "\n"

    return change


def set_cell(row: int, col: str, value: str) -> Callable[[str], str]:
    """Set one cell (row numbered as a spreadsheet shows it: the header is row 1)."""

    def change(text: str) -> str:
        rows = [line.split(",") for line in text.splitlines()]
        rows[row - 1][rows[0].index(col)] = value
        return "\n".join(",".join(r) for r in rows) + "\n"

    return change


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
)

RUN_CASES: dict[str, tuple[Callable[[Path], str], list[str]]] = {
    # name: (corrupt the folder, returning the file's name; what the message must mention)
    "manifest_not_json": (write("manifest.json", '{"scenario": {"name": "x",\n'), ["line 2", "invalid JSON"]),
    "manifest_a_list": (write("manifest.json", "[1, 2]"), ["a list", "a JSON object"]),
    "manifest_empty": (write("manifest.json", ""), ["an empty file", "as JSON"]),
    "manifest_not_utf8": (write("manifest.json", b'{"a": "\xff"}'), ["0xff", "not UTF-8"]),
    "manifest_horizon_text": (manifest(lambda d: d.__setitem__("horizon", "2024-2044")), ["horizon", "base_year"]),
    "manifest_year_text": (
        manifest(lambda d: d["horizon"].__setitem__("base_year", "2024")),
        ["horizon.base_year", "a year"],
    ),
    "manifest_created_number": (
        manifest(lambda d: d.__setitem__("created_utc", 20240101)),
        ["created_utc", "time stamp"],
    ),
    "manifest_scenario_name_list": (
        manifest(lambda d: d["scenario"].__setitem__("name", ["a"])),
        ["scenario.name", "a text"],
    ),
    "population_cut_mid_row": (text_edit("population.csv", cut_mid_row), ["cut short", "5 cells"]),
    "population_column_missing": (
        text_edit("population.csv", drop_column("persons")),
        ["row 1", "'persons'", "results contract"],
    ),
    "population_text_in_number": (
        text_edit("population.csv", set_cell(2, "persons", "mange")),
        ["row 2", "column 'persons'", "'mange'", "a number"],
    ),
    "population_blank_year": (
        text_edit("population.csv", set_cell(5, "year", "")),
        ["row 5", "column 'year'", "a blank cell"],
    ),
    "population_not_utf8": (
        write("population.csv", "year,area,age,sex,persons\n2024,sør,0,female,1\n".encode("latin-1")),
        ["row 2", "not UTF-8"],
    ),
    "population_empty": (write("population.csv", ""), ["row 1", "an empty file", "a header row"]),
    "population_control_character": (
        text_edit("population.csv", lambda t: t.replace("north", "no\x1brth", 1)),
        ["row 2", "control character", "without control characters"],
    ),
    "repeated_column": (write("notes.csv", "a,a\n1,2\n"), ["row 1", "a repeated column name", "each column name once"]),
    "kpi_without_status": (text_edit("kpi.csv", drop_column("status")), ["row 1", "'status'", "results contract"]),
    "kpi_text_value": (text_edit("kpi.csv", set_cell(3, "value", "high")), ["row 3", "column 'value'", "a number"]),
    "finance_fractional_year": (
        text_edit("finance.csv", set_cell(2, "year", "2024.5")),
        ["row 2", "column 'year'", "whole number"],
    ),
    "capacity_extra_cell": (
        text_edit("capacity.csv", lambda t: t.replace("\n", ",9\n", 2).replace(",9\n", "\n", 1)),
        ["row 2", "too many cells", "one per column"],
    ),
    "projects_column_missing": (
        text_edit("projects.csv", drop_column("cost_mnok")),
        ["'cost_mnok'", "results contract"],
    ),
    "project_spend_blank": (
        text_edit("project_spend.csv", set_cell(2, "spend_mnok", "")),
        ["row 2", "'spend_mnok'", "a value"],
    ),
    "capacity_summary_text": (
        text_edit("capacity_summary.csv", set_cell(3, "peak_shortfall", "n.a.")),
        ["row 3", "column 'peak_shortfall'", "a number"],
    ),
    "housing_year_missing": (text_edit("housing.csv", drop_column("year")), ["'year'", "results contract"]),
    "demand_truncated_to_header": (
        text_edit("demand.csv", lambda t: t[: t.index("\n") - 3]),
        ["row 1", "'demand_municipal'"],
    ),
    "ragged_extra_table": (write("notes.csv", "a,b\n1,2\n3\n"), ["row 3", "1 cells", "2 cells, one per column"]),
    "resolved_unparseable": (
        write("scenario.resolved.yaml", "name: x\nareas: [a, b\n  c: d\n"),
        ["line", "invalid YAML", "as YAML"],
    ),
    "resolved_a_list": (write("scenario.resolved.yaml", "- a\n- b\n"), ["a list", "a YAML mapping"]),
    "resolved_rule_text": (
        text_edit("scenario.resolved.yaml", lambda t: re.sub(r"red: 0\.0175", "red: high", t, count=1)),
        ["finance.fiscal_rules[0].red", "'high'", "a number"],
    ),
    "resolved_alias_bomb": (write("scenario.resolved.yaml", ALIAS_BOMB), ["an alias bomb", "at most 1,000,000 values"]),
    "optimize_not_json": (write("optimize.json", "{"), ["line 1", "invalid JSON"]),
    "optimize_without_ceiling": (
        write("optimize.json", json.dumps({"solver": "highs", "status": "optimal", "optimal": {}, "plan": {}})),
        ["debt_ratio_ceiling", "a number"],
    ),
}


@pytest.mark.parametrize("case", list(RUN_CASES))
def test_corrupt_run_folder_is_refused(tmp_path: Path, good_run: Path, case: str):
    folder = tmp_path / "run"
    shutil.copytree(good_run, folder)
    corrupt, mentions = RUN_CASES[case]
    name = corrupt(folder)
    refused(["report", str(folder)], mentions=[name, *mentions, "expected"], watch=folder)


def test_every_problem_of_a_folder_is_listed(tmp_path: Path, good_run: Path):
    folder = tmp_path / "run"
    shutil.copytree(good_run, folder)
    text_edit("kpi.csv", drop_column("status"))(folder)
    write("manifest.json", "[]")(folder)
    text_edit("population.csv", cut_mid_row)(folder)
    out = refused(["report", str(folder)], ["3 problems", "kpi.csv", "manifest.json", "population.csv"], folder)
    assert "Nothing was written" in out


# ----------------------------------------------------------------------------- batch folders


@pytest.fixture
def batch(tmp_path: Path, good_run: Path) -> Path:
    folder = tmp_path / "batch"
    shutil.copytree(good_run, folder / "rate=base", ignore=shutil.ignore_patterns("report.html", "workbook.xlsx"))
    (folder / "batch.json").write_text(
        json.dumps({"batch": "b", "scenarios": [{"scenario": "rate=base", "status": "ok"}]}), encoding="utf-8"
    )
    (folder / "summary.csv").write_text("scenario,kpi,year,value\nrate=base,debt_ratio_pct,2025,80.5\n")
    (folder / "comparison.html").write_text("<html>earlier</html>", encoding="utf-8")
    return folder


BATCH_CASES: dict[str, tuple[str, str, list[str]]] = {
    # name: (file, content, mentions)
    "batch_json_not_json": ("batch.json", '{"scenarios": [', ["line 1", "invalid JSON", "the batch's record"]),
    "batch_json_a_list": ("batch.json", "[]", ["a list", "a JSON object"]),
    "batch_json_empty": ("batch.json", "", ["an empty file"]),
    "batch_json_scenarios_text": ("batch.json", '{"scenarios": "all"}', ["scenarios", "'all'", "a list of scenarios"]),
    "batch_json_scenario_without_status": (
        "batch.json",
        '{"scenarios": [{"scenario": "rate=base"}]}',
        ["scenarios[0]", "scenario and status"],
    ),
    "batch_run_manifest_corrupt": ("rate=base/manifest.json", "{oops", ["invalid JSON", "as JSON"]),
    "batch_run_kpi_without_status": (
        "rate=base/kpi.csv",
        "year,kpi,value,unit\n2024,debt_ratio_pct,50,percent\n",
        ["'status'", "results contract"],
    ),
    "batch_summary_text_value": (
        "summary.csv",
        "scenario,kpi,year,value\nrate=base,debt_ratio_pct,2025,high\n",
        ["row 2", "column 'value'", "a number"],
    ),
    "batch_summary_no_scenario_column": (
        "summary.csv",
        "name2,kpi,value\nx,y,1\n",
        ["row 1", "a column named one of scenario, name, run"],
    ),
    "batch_summary_ragged": ("summary.csv", "scenario,kpi,year,value\nrate=base,debt\n", ["row 2", "cut short"]),
}


@pytest.mark.parametrize("case", list(BATCH_CASES))
def test_corrupt_batch_folder_is_refused(batch: Path, case: str):
    name, content, mentions = BATCH_CASES[case]
    (batch / name).write_text(content, encoding="utf-8")
    refused(["report", str(batch)], mentions=[Path(name).name, *mentions, "expected"], watch=batch)


def test_good_batch_folder_reports(batch: Path):
    res = CliRunner().invoke(app, ["report", str(batch)])
    assert res.exit_code == 0, res.output
    assert "earlier" not in (batch / "comparison.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- what is accepted


def test_formula_like_project_name_is_text_in_the_report_workbook(tmp_path: Path, good_run: Path):
    folder = tmp_path / "run"
    shutil.copytree(good_run, folder)
    names = ['=HYPERLINK("http://example.com/x","click")', "=cmd|' /C calc'!A0"]
    lines = (folder / "projects.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    j = header.index("name")
    for i, name in enumerate(names, start=1):
        cells = lines[i].split(",")
        cells[j] = '"' + name.replace('"', '""') + '"'
        lines[i] = ",".join(cells)
    (folder / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["report", str(folder)])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    wb = load_workbook(folder / "workbook.xlsx")
    cells = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert not [(c.parent.title, c.coordinate) for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert set(names) <= texts  # on the projects sheet and the economic plan
    assert any(isinstance(c.value, float) for c in cells)  # numbers stay numbers
    with zipfile.ZipFile(folder / "workbook.xlsx") as z:
        for member in z.namelist():
            if member.startswith("xl/worksheets/"):
                xml = z.read(member).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, member


def test_good_run_folder_still_reports(tmp_path: Path, good_run: Path):
    folder = tmp_path / "run"
    shutil.copytree(good_run, folder)
    res = CliRunner().invoke(app, ["report", str(folder), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []  # no temporary file left
