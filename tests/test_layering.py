"""Scenario layering (issue 20, item 5): a variant's dated value replaces the base's series; and (item 6)
every problem is reported where it was written: each bad year at its own line in the variant, and a bad
table does not hide the problems of the next.

The tiny finance scenario's debt interest is ``{2024: 0.042, 2025: 0.04}``. A variant writing
``{2024: 0.042, 2026: 0.05}`` means 4.2 % in 2024 and 2025 and 5 % from 2026: merged key by key
(the old rule) 2025 would silently keep the base's 4.0 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import write_tiny_finance
from typer.testing import CliRunner

from ltsim.cli import app
from ltsim.errors import InputError
from ltsim.io.yamlsrc import load_layered
from ltsim.scenario import load_scenario
from ltsim.scenario.explain import explain

YEARS = np.array([2024, 2025, 2026, 2027])


def variant(tmp_path: Path, rate: str) -> Path:
    base = write_tiny_finance(tmp_path)
    file = tmp_path / "variant.yaml"
    file.write_text(
        f"extends: {base.name}\nname: tiny-rate\nfinance:\n  debt:\n    interest_rate: {rate}\n", encoding="utf-8"
    )
    return file


def rates(file: Path) -> list[float]:
    return load_scenario(file).config.finance.debt.interest_rate.at(YEARS).tolist()


def test_a_variants_dated_value_replaces_the_base_series(tmp_path: Path):
    file = variant(tmp_path, "{2024: 0.042, 2026: 0.05}")
    assert rates(file) == [0.042, 0.042, 0.05, 0.05]  # 2025: the variant's 2024 value, not the base's 0.04
    raw, smap = load_layered(file)
    assert raw["finance"]["debt"]["interest_rate"] == {2024: 0.042, 2026: 0.05}
    assert smap[("finance", "debt", "interest_rate", 2024)] == (file, 5)


def test_merge_true_lays_the_years_over_the_base_series(tmp_path: Path):
    file = variant(tmp_path, "{merge: true, 2026: 0.05}")
    assert rates(file) == [0.042, 0.04, 0.05, 0.05]
    raw, smap = load_layered(file)
    assert "merge" not in raw["finance"]["debt"]["interest_rate"]
    assert smap[("finance", "debt", "interest_rate", 2026)][0] == file
    assert smap[("finance", "debt", "interest_rate", 2025)][0] == tmp_path / "scenario.yaml"


def test_merge_must_be_true_or_false_and_the_error_names_the_variant(tmp_path: Path):
    file = variant(tmp_path, "{merge: yes, 2026: 0.05}")
    with pytest.raises(InputError) as info:
        load_scenario(file)
    text = str(info.value)
    assert "variant.yaml, line 5" in text and "finance.debt.interest_rate.merge" in text and "'yes'" in text


def test_merge_in_a_file_that_extends_nothing_is_accepted_and_removed(tmp_path: Path):
    base = write_tiny_finance(tmp_path)
    text = base.read_text(encoding="utf-8")
    assert "interest_rate:\n      2024: 0.042\n" in text
    base.write_text(text.replace("interest_rate:\n", "interest_rate:\n      merge: true\n", 1), encoding="utf-8")
    assert rates(base) == [0.042, 0.04, 0.04, 0.04]


def test_explain_names_the_file_of_each_value_and_what_it_replaced(tmp_path: Path):
    file = variant(tmp_path, "{2024: 0.042, 2026: 0.05}")
    rows = {r.path: r for r in explain(file)}
    rate = rows["finance.debt.interest_rate"]
    assert rate.value == {2024: 0.042, 2026: 0.05}
    assert (rate.origin.file, rate.origin.line) == (file, 5)
    assert [(o.file.name, v) for o, v in rate.replaced] == [("scenario.yaml", {2024: 0.042, 2025: 0.04})]
    assert rows["finance.debt.instalment_method"].origin.file.name == "scenario.yaml"
    assert rows["finance.debt.instalment_method"].replaced == ()
    merged = {r.path: r for r in explain(variant(tmp_path / "m", "{merge: true, 2026: 0.05}"))}
    parts = {o.file.name: years for o, years in merged["finance.debt.interest_rate"].merged_from}
    assert parts == {"scenario.yaml": ("2024", "2025"), "variant.yaml": ("2026",)}


def test_validate_explain_prints_the_origin_of_every_value(tmp_path: Path):
    file = variant(tmp_path, "{2024: 0.042, 2026: 0.05}")
    res = CliRunner().invoke(app, ["validate", str(file), "--explain"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("finance.debt.interest_rate = "))
    assert lines[i].startswith("finance.debt.interest_rate = {2024: 0.042, 2026: 0.05}  ← ")
    assert lines[i].endswith("variant.yaml:5")
    assert "replaces {2024: 0.042, 2025: 0.04}" in lines[i + 1] and "scenario.yaml:" in lines[i + 1]
    bad = CliRunner().invoke(app, ["validate", str(variant(tmp_path / "b", "{merge: 1, 2026: 0.05}")), "--explain"])
    assert bad.exit_code == 2


# --------------------------------------------------------------------------- item 6: where errors are written


def test_every_bad_year_is_reported_at_its_own_line_in_the_variant(tmp_path: Path):
    file = variant(tmp_path, "\n      2024: 0.042\n      2025: 4.5\n      2026: 5.5")
    with pytest.raises(InputError) as info:
        load_scenario(file)
    probs = [p for p in info.value.problems if p.field and p.field.startswith("finance.debt.interest_rate")]
    assert [(Path(p.file).name, p.line, p.field, p.found) for p in probs] == [
        ("variant.yaml", 7, "finance.debt.interest_rate.2025", "4.5 in year 2025"),
        ("variant.yaml", 8, "finance.debt.interest_rate.2026", "5.5 in year 2026"),
    ]


def test_a_bad_year_merged_over_the_base_is_reported_in_the_variant(tmp_path: Path):
    file = variant(tmp_path, "\n      merge: true\n      2025: 4.5")
    with pytest.raises(InputError) as info:
        load_scenario(file)
    (p,) = info.value.problems
    assert (Path(p.file).name, p.line, p.field) == ("variant.yaml", 7, "finance.debt.interest_rate.2025")
    assert "write 0.045 for 4.5 %" in p.expected


def test_problems_in_two_tables_are_reported_together(tmp_path: Path):
    """A bad facilities row used to hide every problem of the project catalogue (loaded after the services)."""
    path = write_tiny_finance(tmp_path)
    for name, column, bad in (("facilities.csv", "capacity_places", "x"), ("projects.csv", "gross_cost_mnok", "abc")):
        file = tmp_path / "data" / name
        lines = file.read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        cells = lines[1].split(",")
        cells[header.index(column)] = bad
        lines[1] = ",".join(cells)
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    where = {(Path(p.file).name, p.line, p.field) for p in info.value.problems}
    assert ("facilities.csv", 2, "column 'capacity_places'") in where
    assert ("projects.csv", 2, "column 'gross_cost_mnok'") in where
