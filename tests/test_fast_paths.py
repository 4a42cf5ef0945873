"""Issue 21's fast paths write exactly what the plain code they replace wrote.

Each fast path (libyaml events for scenario files, the %-format population.csv writer, the streamed
rows of the workbook's large sheets) is compared with the straightforward version on the same input,
byte for byte or value for value.
"""

from __future__ import annotations

import io
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ltsim import pipeline
from ltsim.io import yamlsrc
from ltsim.report import excel, sheetxml
from ltsim.results import PERSONS_FORMAT, population_csv, population_frame
from ltsim.scenario import load_scenario

ASKER = Path(__file__).resolve().parents[1] / "scenarios" / "asker"


@pytest.mark.skipif(yamlsrc._CParser is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("name", ["base.yaml", "rekkefolge.yaml", "reviews/school-structure.yaml"])
def test_libyaml_events_give_the_same_values_and_lines(name: str, monkeypatch: pytest.MonkeyPatch):
    fast = yamlsrc.load_yaml(ASKER / name)
    monkeypatch.setattr(yamlsrc, "_CParser", None)
    assert yamlsrc.load_yaml(ASKER / name) == fast


@pytest.mark.skipif(yamlsrc._CParser is None, reason="PyYAML without libyaml")
def test_libyaml_keeps_yaml_12_scalars_and_aliases(tmp_path: Path):
    f = tmp_path / "a.yaml"
    f.write_text("a: no\nb: 2024-02-30\nc: &x [1, 2.5, true]\nd: *x\n", encoding="utf-8")
    data, smap = yamlsrc.load_yaml(f)
    assert data == {"a": "no", "b": "2024-02-30", "c": [1, 2.5, True], "d": [1, 2.5, True]}
    assert smap[("d",)] == (f, 4)


def test_population_csv_is_what_pandas_writes(tiny: Path):
    result = pipeline.run(load_scenario(tiny))
    assert population_csv(result) == population_frame(result).to_csv(index=False, float_format=PERSONS_FORMAT)
    # area ids that need quoting, and persons that are not finite, go through pandas
    percent = types.SimpleNamespace(population=result.population, scenario=types.SimpleNamespace(area_ids=["a%d", "b"]))
    assert population_csv(percent) == population_frame(percent).to_csv(index=False, float_format=PERSONS_FORMAT)
    areas = ["a,1", *result.scenario.area_ids[1:]]
    odd_result = types.SimpleNamespace(population=result.population, scenario=types.SimpleNamespace(area_ids=areas))
    assert population_csv(odd_result) == population_frame(odd_result).to_csv(index=False, float_format=PERSONS_FORMAT)
    assert '"a,1"' in population_csv(odd_result)


def test_population_csv_of_asker_is_what_pandas_writes():
    result = pipeline.run(load_scenario(ASKER / "base.yaml"))
    assert population_csv(result) == population_frame(result).to_csv(index=False, float_format=PERSONS_FORMAT)


def _sheet_back(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` written as a workbook sheet the way workbook_bytes writes a table, read back by pandas."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    excel._table_sheet(wb, "t", frame, "en")
    buf = io.BytesIO()
    wb.save(buf)
    return pd.read_excel(io.BytesIO(sheetxml.patch_workbook(buf.getvalue(), {"t": frame})), sheet_name="t")


@pytest.mark.parametrize("chunk", [2, 50_000])
def test_large_sheet_rows_read_back_as_the_table(chunk: int, monkeypatch: pytest.MonkeyPatch):
    frame = pd.DataFrame(
        {
            "year": np.array([2024, 2025, 2026, 2027, 2028]),
            "area": ["nord", "sør & <vest>", "100 %", "nord", None],
            "persons": [1.5, 2.0, 1e-7, 0.1 + 0.2, -3.25],
            "gap": [np.nan, 1.0, np.inf, 2.5, -np.inf],
            "flag": [True, False, True, True, False],
            "count": pd.array([1, None, 3, 4, 5], dtype="Int64"),
        }
    )
    monkeypatch.setattr(sheetxml, "_sheet_rows", _chunked(sheetxml._sheet_rows, chunk))
    back = _sheet_back(frame)
    assert back.columns.tolist() == frame.columns.tolist()
    assert back.year.tolist() == frame.year.tolist()
    assert back.area.tolist()[:4] == frame.area.tolist()[:4] and pd.isna(back.area.iloc[4])
    assert back.persons.tolist() == frame.persons.tolist()  # repr: the same floats, bit for bit
    assert back.gap.tolist()[1::2] == [1.0, 2.5] and back.gap.isna().tolist() == [True, False, True, False, True]
    assert back.flag.tolist() == frame.flag.tolist()
    assert back["count"].isna().tolist() == [False, True, False, False, False]


def _chunked(rows: Any, chunk: int) -> Any:
    """``_sheet_rows`` with its chunk size fixed (so a small table is written in several chunks)."""

    def call(frame: Any, styles: list[str], start_row: int, _chunk: int = chunk, **kw: Any) -> Any:
        return rows(frame, styles, start_row, _chunk, **kw)

    return call


def test_tables_are_read_only_and_replays_read_each_file_once(monkeypatch: pytest.MonkeyPatch):
    import ltsim.scenario.tables as scenario_tables
    from ltsim.io.tables import Column
    from ltsim.optimize import replay

    sc = load_scenario(ASKER / "base.yaml")
    cols = [Column("area", "str"), Column("age", "int", 0, 120), Column("sex", "str"), Column("persons")]
    table = scenario_tables.read_table(sc.files["population.base"], cols, ())
    with pytest.raises(ValueError):
        table.columns["age"][0] = 1  # a table may be shared by a TableCache: read-only
    replay._with_overrides(sc, {}, "first")  # fills the replays' TableCache
    reads: list[Path] = []
    original = scenario_tables.read_table
    monkeypatch.setattr(scenario_tables, "read_table", lambda f, *a, **k: reads.append(f) or original(f, *a, **k))
    again = replay._with_overrides(sc, {"projects": {"defer": {}}}, "second")
    assert reads == [] and again.hash != sc.hash


def test_optimize_loads_through_the_replays_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import ltsim.scenario.tables as scenario_tables
    from ltsim.cli.common import load_for_decision
    from ltsim.optimize import replay

    monkeypatch.setattr(replay, "_TABLE_CACHE", [])
    options = ("highs", "nb", None, None, None, 1, None)
    sc, _ = load_for_decision(ASKER / "base.yaml", tmp_path / "out", "optimized", "optimize", ("optimize",), options)
    reads: list[Path] = []
    original = scenario_tables.read_table
    monkeypatch.setattr(scenario_tables, "read_table", lambda f, *a, **k: reads.append(f) or original(f, *a, **k))
    replay._with_overrides(sc, {}, "first")  # the first replay: every table was read by the load
    assert reads == []


@pytest.mark.parametrize(
    ("text", "fine"),
    [
        ("year,kpi,value\n2024,a,1.5\n2025,a,\n", True),
        ('year,kpi,value\n2024,"a,b",1.5\n', False),  # a quote: row by row
        ("year,kpi,value\n2024,a\n", False),  # a short row
        ("year,kpi,value\n2024.5,a,1\n", False),  # not a whole year
        ("year,kpi,value\n,a,1\n", False),  # a blank key
        ("year,kpi,value\n2024,a,x\n", False),  # not a number
        ("year,kpi,value\n2024,a,nan\n", True),  # a number column may hold NaN (as float("nan") reads it)
        ("year, kpi,value\n2024,a,1\n", False),  # a header with spaces
    ],
)
def test_column_checks_leave_anything_unusual_to_the_row_checks(text: str, fine: bool, tmp_path: Path):
    from ltsim.report import _frame_if_fine, check_csv

    columns = {"year": "int", "kpi": "key", "value": "num"}
    assert (_frame_if_fine(text, columns) is not None) is fine
    f = tmp_path / "t.csv"
    f.write_text(text, encoding="utf-8")
    got, problems = check_csv(f, columns)
    if fine:
        assert got == text and not problems


PLAIN_YAML_CASES = [
    "a: 1\nb: [1, 2.5, true, null, no, '3']\nc: {d: e}\n",
    "x: &a [1, 2]\ny: *a\n",
    "base: &b {k: 1}\nother:\n  <<: *b\n  m: 2\n",  # a merge key: the safe loader builds it
    "when: 2024-01-01\n",  # a timestamp: the safe loader builds it
    "? [1, 2]\n: v\n",  # an unhashable key: the safe loader's error
    "t: !!binary aGVsbG8=\n",
    "",
    "1: one\n2.5: two\ntrue: three\n~: four\n",
]


@pytest.mark.parametrize("text", PLAIN_YAML_CASES)
def test_plain_yaml_loader_gives_the_safe_loaders_value_or_error(text: str):
    import yaml

    from ltsim.report.checks import load_plain_yaml

    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)):
            load_plain_yaml(text)
        return
    assert load_plain_yaml(text) == expected


def test_plain_yaml_loader_on_every_resolved_example(tmp_path: Path):
    import yaml

    from ltsim.report.checks import load_plain_yaml

    for name in ("base.yaml", "rekkefolge.yaml", "population-stochastic.yaml"):
        text = yaml.safe_dump(load_scenario(ASKER / name).resolved(), sort_keys=False, allow_unicode=True)
        assert load_plain_yaml(text) == yaml.load(text, Loader=yaml.CSafeLoader)
    shared = load_plain_yaml("x: &a [1, 2]\ny: *a\n")
    assert shared["x"] is shared["y"]  # an alias is the same object, as the safe loader gives it
