"""Issue 21's fast paths write exactly what the plain code they replace wrote.

Each fast path (libyaml events for scenario files, the %-format population.csv writer, the row
template of the workbook's large sheets) is compared with the straightforward version on the same
input, byte for byte or value for value.
"""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ltsim import pipeline
from ltsim.io import yamlsrc
from ltsim.report import excel
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
    areas = ["a,1", *result.scenario.area_ids[1:]]
    odd_result = types.SimpleNamespace(population=result.population, scenario=types.SimpleNamespace(area_ids=areas))
    assert population_csv(odd_result) == population_frame(odd_result).to_csv(index=False, float_format=PERSONS_FORMAT)
    assert '"a,1"' in population_csv(odd_result)


def test_population_csv_of_asker_is_what_pandas_writes():
    result = pipeline.run(load_scenario(ASKER / "base.yaml"))
    assert population_csv(result) == population_frame(result).to_csv(index=False, float_format=PERSONS_FORMAT)


def _cells_joined(frame: pd.DataFrame, styles: list[str], start_row: int) -> str:
    """The sheet rows as the cell-by-cell writer makes them (the reference for the row template)."""
    columns = [
        excel._cells(excel._values(frame.iloc[:, j]), excel._column_letter(j + 1), styles[j], start_row)
        for j in range(frame.shape[1])
    ]
    return "".join(
        f'<row r="{start_row + i}">{"".join(cells)}</row>' for i, cells in enumerate(zip(*columns, strict=True))
    )


def test_sheet_row_template_matches_the_cell_writer():
    frame = pd.DataFrame(
        {
            "year": np.array([2024, 2025, 2026]),
            "area": ["nord", "sør & <vest>", "100 %"],
            "persons": [1.5, 2.0, 1e-7],
            "gap": [np.nan, 1.0, np.inf],
            "note": ["x", None, "y"],
            "flag": [True, False, True],
            "count": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    styles = ["1", "", "3", "4", "", "", "2"]
    assert excel._sheet_rows_xml(frame, styles, 2) == _cells_joined(frame, styles, 2)
