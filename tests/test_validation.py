"""Loader-level validation: every bad input names the file, the line (YAML) or row (CSV),
the field, what was found and what was expected.

Each test breaks one thing in the tiny scenario from conftest, then computes the expected
line or row from the file it wrote (never from the loader's output).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MAX_AGE, tiny_config, write_csv, write_tiny

from ltsim.errors import InputError, Problem
from ltsim.scenario import Scenario, load_scenario

# --------------------------------------------------------------------------- helpers


def problems_of(path: Path) -> list[Problem]:
    """Load ``path`` expecting bad input; return the problems."""
    with pytest.raises(InputError) as info:
        load_scenario(path)
    problems = info.value.problems
    assert problems, "InputError without problems"
    assert str(info.value) == "\n".join(str(p) for p in problems)
    return problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def with_field(problems: list[Problem], field: str) -> Problem:
    hits = [p for p in problems if p.field == field]
    assert len(hits) == 1, f"no single problem for {field!r} in:\n" + "\n".join(map(str, problems))
    return hits[0]


def check(
    problem: Problem,
    *,
    file: Path,
    line: int | None,
    field: str | None,
    found: str,
    expected: str,
    row: bool = False,
) -> None:
    """Assert both the structured problem and its message name file, line/row, field, found, expected."""
    msg = str(problem)
    assert problem.file is not None, msg
    assert Path(problem.file).name == file.name, msg
    assert Path(problem.file).resolve() == file.resolve(), msg
    assert problem.line == line, msg
    assert problem.row is row, msg
    if line is not None:
        assert f"{file.name}, {'row' if row else 'line'} {line}: " in msg, msg
    if field is None:
        assert problem.field is None, msg
    else:
        assert problem.field == field, msg
        assert f": {field}: " in msg, msg
    assert problem.found is not None, msg
    assert found in problem.found, msg
    assert f"found {problem.found}" in msg, msg
    assert expected in problem.expected, msg
    assert msg.endswith(f"expected {problem.expected}"), msg


def line_of(path: Path, text: str, after: int = 0, occurrence: int = 1) -> int:
    """1-based number of the ``occurrence``-th line after line ``after`` whose stripped text starts with ``text``."""
    seen = 0
    for number, content in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number > after and content.strip().startswith(text):
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{text!r} not in {path}")


def scenario(root: Path, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """Write the tiny scenario under ``root`` after ``change`` edits its config dict."""
    cfg = tiny_config()
    if change is not None:
        change(cfg)
    return write_tiny(root, cfg)


def mig(cfg: dict[str, Any]) -> dict[str, Any]:
    return cfg["population"]["migration"]


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def save_rows(path: Path, rows: list[list[str]]) -> None:
    write_csv(path, rows[0], rows[1:])


def find_row(rows: list[list[str]], **match: Any) -> int:
    """Index into ``rows`` (header = 0) of the first record matching ``match``; spreadsheet row is index + 1."""
    header = rows[0]
    for i, record in enumerate(rows[1:], start=1):
        if all(record[header.index(k)] == str(v) for k, v in match.items()):
            return i
    raise AssertionError(f"no row {match}")


def set_cell(path: Path, column: str, value: Any, **match: Any) -> int:
    """Set one cell of the first row matching ``match``; return its spreadsheet row number."""
    rows = read_rows(path)
    i = find_row(rows, **match)
    rows[i][rows[0].index(column)] = str(value)
    save_rows(path, rows)
    return i + 1


# --------------------------------------------------------------------------- the baseline


def test_tiny_scenario_is_valid(tiny: Path) -> None:
    sc = load_scenario(tiny)
    assert isinstance(sc, Scenario)
    assert sc.area_ids == ("north", "south")
    assert sc.population.base_persons.shape == (2, 2, MAX_AGE + 1)


# --------------------------------------------------------------------------- YAML: keys and types


def test_unknown_top_level_key_suggests_the_close_one(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c.update(populaton={"max_age": 50}))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "populaton:"),
        field="populaton",
        found="unknown key 'populaton'",
        expected="(did you mean 'population'?)",
    )


def test_unknown_nested_key_suggests_the_close_one(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c["population"].update(mortalty={"improvement": 0.01}))
    p = only(problems_of(path))
    check(
        p,
        file=path,
        line=line_of(path, "mortalty:"),
        field="population.mortalty",
        found="unknown key 'mortalty'",
        expected="(did you mean 'mortality'?)",
    )
    assert "one of the keys" in p.expected and "fertility" in p.expected


def test_text_where_a_year_is_expected(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c["horizon"].update(base_year="twenty twenty-four"))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "base_year:"),
        field="horizon.base_year",
        found="'twenty twenty-four'",
        expected="a whole number",
    )


def test_list_where_a_mapping_is_expected(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c.update(horizon=[2024, 2029]))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "horizon:"),
        field="horizon",
        found="[2024, 2029]",
        expected="a mapping",
    )


def test_missing_required_key(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c["population"].pop("base"))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "population:"),  # the mapping that lacks it
        field="population.base",
        found="nothing",
        expected="a value for 'base' (it is required)",
    )


def test_invalid_yaml_syntax_names_the_line(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    text = path.read_text(encoding="utf-8").replace("seed: 7\n", "seed: 7: 8\n")
    path.write_text(text, encoding="utf-8")
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "seed: 7: 8"),
        field=None,
        found="a syntax error",
        expected="valid YAML",
    )


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = line_of(path, "improvement:")
    lines.insert(first, lines[first - 1].replace("0.01", "0.02"))  # same key again, on the next line
    path.write_text("".join(lines), encoding="utf-8")
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "improvement:", occurrence=2),
        field="population.mortality.improvement",
        found="a duplicate key",
        expected="each key once",
    )


# --------------------------------------------------------------------------- YAML: areas and horizon


def test_area_id_with_bad_characters(tmp_path: Path) -> None:
    def change(c: dict[str, Any]) -> None:
        c["areas"][0]["id"] = "Nord-By"
        mig(c)["in_persons"] = {"Nord-By": 30, "south": 10}

    path = scenario(tmp_path, change)
    check(
        with_field(problems_of(path), "areas[0].id"),
        file=path,
        line=line_of(path, "- id: Nord-By"),
        field="areas[0].id",
        found="'Nord-By'",
        expected="lower-case letters, digits and '_'",
    )


def test_duplicate_area_ids(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c["areas"][1].update(id="north"))
    problems = problems_of(path)
    check(
        with_field(problems, "areas[1].id"),
        file=path,
        line=line_of(path, "- id: north", occurrence=2),
        field="areas[1].id",
        found="'north'",
        expected="each area id once",
    )
    # 'south' is no longer declared, and the list of declared areas names 'north' once.
    stray = with_field(problems, "population.migration.in_persons.south")
    assert stray.expected == "a declared area (north)"


@pytest.mark.parametrize("end_year", [2024, 2020])
def test_end_year_not_after_base_year(tmp_path: Path, end_year: int) -> None:
    path = scenario(tmp_path, lambda c: c["horizon"].update(end_year=end_year))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "end_year:"),
        field="horizon.end_year",
        found=str(end_year),
        expected="a year after base_year 2024",
    )


# --------------------------------------------------------------------------- YAML: values


def test_percentage_where_a_fraction_is_expected(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c["population"]["housing"].update(realisation=80))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "realisation:"),
        field="population.housing.realisation",
        found="80",
        expected="a fraction between 0 and 1 (write 0.8 for 80 %)",
    )


def test_percentage_inside_a_year_map(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c["population"]["mortality"].update(improvement={2024: 0.01, 2027: 1.5}))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "2027: 1.5"),  # the year's own line (issue 20, item 6)
        field="population.mortality.improvement.2027",
        found="1.5 in year 2027",
        expected="a fraction between 0 and 1 (write 0.015 for 1.5 %)",
    )


def test_negative_in_persons(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: mig(c)["in_persons"].update(north=-5))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "north: -5"),
        field="population.migration.in_persons.north",
        found="-5",
        expected="a number ≥ 0",
    )


def test_year_map_may_reach_beyond_the_horizon(tmp_path: Path) -> None:
    """Issue 19: a dated path past the horizon is accepted; only the horizon's part is used (linear 2024 → 2035)."""
    import numpy as np

    from ltsim.stages import population_inputs

    path = scenario(
        tmp_path, lambda c: mig(c)["in_persons"].update(south={"method": "linear", 2020: 0, 2024: 10, 2035: 21})
    )
    sc = load_scenario(path)
    south = population_inputs(sc).in_persons[:, sc.area_ids.index("south")]
    assert np.allclose(south, [10, 11, 12, 13, 14])  # 10 + (year − 2024) · 11/11


def test_year_map_starting_after_the_base_year(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: mig(c)["in_persons"].update(south={2026: 20}))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "south:", after=line_of(path, "in_persons:")),
        field="population.migration.in_persons.south",
        found="first year 2026",
        expected="a value for the base year 2024",
    )


def test_in_persons_for_an_undeclared_area(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: mig(c)["in_persons"].update(west=5))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "west:"),
        field="population.migration.in_persons.west",
        found="area 'west'",
        expected="a declared area (north, south)",
    )


def test_area_without_in_persons(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: mig(c)["in_persons"].pop("south"))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "in_persons:"),
        field="population.migration.in_persons",
        found="no entry",
        expected="an entry for area 'south'",
    )


def test_in_profile_not_in_the_profile_table(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: mig(c).update(in_profile="singles"))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "in_profile: singles"),
        field="population.migration.in_profile",
        found="'singles'",
        expected="a profile in in_profiles.csv (families)",
    )


@pytest.mark.parametrize(("ratio", "expected"), [(2.0, "less than 1.3"), (0.5, "greater than 0.8")])
def test_sex_ratio_at_birth_out_of_range(tmp_path: Path, ratio: float, expected: str) -> None:
    path = scenario(tmp_path, lambda c: c["population"]["fertility"].update(sex_ratio_at_birth=ratio))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "sex_ratio_at_birth:"),
        field="population.fertility.sex_ratio_at_birth",
        found=str(ratio),
        expected=expected,
    )


def test_out_rate_scale_pushing_a_rate_above_one(tmp_path: Path) -> None:
    # The highest out-rate in the tiny table is 0.08; × 20 = 1.6.
    path = scenario(tmp_path, lambda c: mig(c).update(out_rate_scale_by_area={"north": 20}))
    check(
        only(problems_of(path)),
        file=path,
        line=line_of(path, "north: 20", after=line_of(path, "out_rate_scale_by_area:")),
        field="population.migration.out_rate_scale_by_area.north",
        found="a scaled rate of 1.6 in area 'north'",
        expected="every out-migration rate at or below 1",
    )


# --------------------------------------------------------------------------- extends


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_variant_deep_merges_mappings_and_replaces_lists(tmp_path: Path) -> None:
    base = scenario(tmp_path, lambda c: c["areas"][0].update(region="vest"))
    variant = write_yaml(
        tmp_path / "high.yaml",
        {
            "extends": "scenario.yaml",
            "name": "high",
            "areas": [{"id": "north", "name": "Nordre"}, {"id": "south", "name": "Søndre"}],
            "population": {"migration": {"in_persons": {"north": 99}}},
        },
    )
    sc = load_scenario(variant)
    assert load_scenario(base).config.areas[0].region == "vest"
    cfg = sc.config
    assert cfg.name == "high"
    assert cfg.title == "Tiny test scenario"  # sibling at the top level kept
    assert cfg.seed == 7
    in_persons = cfg.population.migration.in_persons
    assert in_persons["north"].at([2024]).tolist() == [99.0]  # overridden
    assert in_persons["south"].points == ((2024, 10.0), (2026, 20.0))  # sibling kept
    assert cfg.population.migration.out_rates == "data/out_rates.csv"
    assert cfg.population.mortality.improvement.points == ((None, 0.01),)
    # The list replaces the base's: no element-wise merge, so the base's region is gone.
    assert [(a.id, a.name, a.region) for a in cfg.areas] == [("north", "Nordre", None), ("south", "Søndre", None)]


def test_error_in_an_inherited_value_names_the_base_file(tmp_path: Path) -> None:
    base = scenario(tmp_path, lambda c: c["population"]["housing"].update(realisation=80))
    variant = write_yaml(tmp_path / "variants" / "high.yaml", {"extends": "../scenario.yaml", "name": "high"})
    check(
        only(problems_of(variant)),
        file=base,
        line=line_of(base, "realisation: 80"),
        field="population.housing.realisation",
        found="80",
        expected="write 0.8",
    )


def test_error_in_an_overridden_value_names_the_variant_file(tmp_path: Path) -> None:
    scenario(tmp_path)
    variant = tmp_path / "variants" / "high.yaml"
    variant.parent.mkdir()
    variant.write_text(
        "# High housing scenario\n"
        "extends: ../scenario.yaml\n"
        "name: high\n"
        "population:\n"
        "  housing:\n"
        "    realisation: 80\n",
        encoding="utf-8",
    )
    check(
        only(problems_of(variant)),
        file=variant,
        line=line_of(variant, "realisation: 80"),
        field="population.housing.realisation",
        found="80",
        expected="write 0.8",
    )


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    scenario(tmp_path)
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\nname: a\n", encoding="utf-8")
    b.write_text("name: b\nextends: a.yaml\n", encoding="utf-8")
    p = only(problems_of(a))
    check(p, file=b, line=line_of(b, "extends:"), field="extends", found="cycle", expected="without a cycle")
    assert p.found is not None and "a.yaml → " in p.found and "b.yaml → " in p.found


def test_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("name: a\n\nextends: ./a.yaml\n", encoding="utf-8")
    check(
        only(problems_of(a)),
        file=a,
        line=line_of(a, "extends:"),
        field="extends",
        found="cycle",
        expected="without a cycle",
    )


def test_missing_parent_file_names_the_extends_line(tmp_path: Path) -> None:
    variant = tmp_path / "variants" / "high.yaml"
    variant.parent.mkdir()
    variant.write_text("# variant\nname: high\nextends: ../nope.yaml\n", encoding="utf-8")
    p = only(problems_of(variant))
    check(
        p,
        file=variant,
        line=line_of(variant, "extends:"),
        field="extends",
        found="'../nope.yaml'",
        expected="an existing scenario file",
    )
    assert p.found is not None and str(tmp_path / "nope.yaml") in p.found


def test_csv_paths_resolve_against_the_yaml_file_that_names_them(tmp_path: Path) -> None:
    scenario(tmp_path)
    # The variant lives in a subfolder and brings its own base population, relative to itself.
    n_rows = 2 * 2 * (MAX_AGE + 1)
    own = write_csv(
        tmp_path / "variants" / "data" / "base.csv",
        ["area", "age", "sex", "persons"],
        [[a, age, s, 1] for a in ("north", "south") for s in ("female", "male") for age in range(MAX_AGE + 1)],
    )
    variant = write_yaml(
        tmp_path / "variants" / "own_base.yaml",
        {"extends": "../scenario.yaml", "name": "own_base", "population": {"base": "data/base.csv"}},
    )
    sc = load_scenario(variant)
    assert sc.files["population.base"] == own.resolve()
    assert sc.files["population.mortality.rates"] == (tmp_path / "data" / "mortality.csv").resolve()
    assert sc.population.base_persons.sum() == n_rows
    # A missing table named by the variant is reported against the variant's line.
    own.unlink()
    p = only(problems_of(variant))
    check(
        p,
        file=variant,
        line=line_of(variant, "base: data/base.csv"),
        field="population.base",
        found="does not exist",
        expected="an existing CSV file",
    )
    assert p.found is not None and str(own) in p.found


def test_scenario_hash_same_for_a_no_op_variant_and_changes_with_a_csv_cell(tmp_path: Path) -> None:
    base = scenario(tmp_path)
    variant = write_yaml(tmp_path / "variants" / "same.yaml", {"extends": "../scenario.yaml"})
    h_base = load_scenario(base).hash
    assert len(h_base) == 64
    assert load_scenario(variant).hash == h_base
    assert load_scenario(base).hash == h_base  # stable across loads
    set_cell(tmp_path / "data" / "base.csv", "persons", 13.5, area="south", age=7, sex="male")
    changed = load_scenario(base).hash
    assert changed != h_base
    assert load_scenario(variant).hash == changed
    renamed = write_yaml(tmp_path / "variants" / "renamed.yaml", {"extends": "../scenario.yaml", "name": "other"})
    assert load_scenario(renamed).hash != changed


# --------------------------------------------------------------------------- CSV: files and headers


def test_missing_csv_names_the_yaml_line_that_references_it(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    (tmp_path / "data" / "mortality.csv").unlink()
    p = only(problems_of(path))
    check(
        p,
        file=path,
        line=line_of(path, "rates: data/mortality.csv"),
        field="population.mortality.rates",
        found="mortality.csv' does not exist",
        expected="an existing CSV file",
    )


def test_csv_missing_column(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "base.csv"
    save_rows(csv_path, [r[:3] for r in read_rows(csv_path)])
    check(
        only(problems_of(path)),
        file=csv_path,
        line=1,
        row=True,
        field=None,
        found="columns 'area', 'age', 'sex'",
        expected="a column named 'persons' in the header",
    )


def test_csv_unknown_column(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "base.csv"
    rows = read_rows(csv_path)
    save_rows(csv_path, [[*rows[0], "persns"]] + [[*r, "1"] for r in rows[1:]])
    check(
        only(problems_of(path)),
        file=csv_path,
        line=1,
        row=True,
        field="column 'persns'",
        found="an unknown column",
        expected="only the columns 'area', 'age', 'sex', 'persons'",
    )


def test_csv_note_and_source_columns_are_allowed(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "base.csv"
    rows = read_rows(csv_path)
    save_rows(csv_path, [["source", *rows[0], "note"]] + [["SSB 07459", *r, ""] for r in rows[1:]])
    assert load_scenario(path).population.base_persons.sum() == pytest.approx(
        sum(float(r[3]) for r in rows[1:]), rel=1e-12
    )


# --------------------------------------------------------------------------- CSV: cells


@pytest.mark.parametrize(
    ("cell", "found", "expected"),
    [
        ("", "a blank cell", "a number of persons ≥ 0 (a blank cell is unknown, not zero)"),
        ("  ", "a blank cell", "(a blank cell is unknown, not zero)"),
        ("ten", "'ten'", "a number of persons ≥ 0"),
        ("-1", "'-1'", "a number of persons ≥ 0"),
    ],
    ids=["blank", "whitespace", "text", "negative"],
)
def test_bad_persons_cell(tmp_path: Path, cell: str, found: str, expected: str) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "base.csv"
    row = set_cell(csv_path, "persons", cell, area="south", age=3, sex="female")
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'persons'",
        found=found,
        expected=expected,
    )


def test_rate_above_one(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "mortality.csv"
    row = set_cell(csv_path, "rate", "1.5", age=40, sex="male")
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'rate'",
        found="'1.5'",
        expected="a probability between 0 and 1",
    )


def test_percentage_in_a_rate_table_gets_a_hint(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "out_rates.csv"
    row = set_cell(csv_path, "rate", "4.2", age=20, sex="female")
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'rate'",
        found="'4.2'",
        expected="write 0.042 for 4.2 %",
    )


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (MAX_AGE + 1, f"a whole number from 0 to {MAX_AGE} ({MAX_AGE} is the open class {MAX_AGE}+)"),
        ("3.5", f"a whole number from 0 to {MAX_AGE}"),
        ("-1", f"a whole number from 0 to {MAX_AGE}"),
    ],
    ids=["above-max-age", "not-whole", "negative"],
)
def test_bad_age(tmp_path: Path, age: Any, expected: str) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "mortality.csv"
    row = set_cell(csv_path, "age", age, age=3, sex="female")
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'age'",
        found=repr(str(age)),
        expected=expected,
    )


@pytest.mark.parametrize("age", [14, 50])
def test_fertility_age_outside_15_to_49(tmp_path: Path, age: int) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "fertility.csv"
    row = set_cell(csv_path, "age", age, age=30)
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'age'",
        found=f"'{age}'",
        expected="a woman's age from 15 to 49",
    )


def test_sex_not_female_or_male(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "out_rates.csv"
    row = set_cell(csv_path, "sex", "f", age=12, sex="female")
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'sex'",
        found="'f'",
        expected="one of 'female', 'male'",
    )


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ("base.csv", {"area": "north", "age": 10, "sex": "male"}),
        ("housing.csv", {"development": "Nordbyen", "year": 2026}),
    ],
    ids=["base-population", "housing-programme"],
)
def test_undeclared_area_in_a_table(tmp_path: Path, table: str, match: dict[str, Any]) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / table
    row = set_cell(csv_path, "area", "west", **match)
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'area'",
        found="'west'",
        expected="an area declared under 'areas:' (north, south)",
    )


def test_decimal_comma_splitting_a_cell_is_not_read_silently(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "mortality.csv"
    rows = read_rows(csv_path)
    i = find_row(rows, age=3, sex="female")
    rows[i] = ["3", "female", "0", "005"]  # 0,005 written with a decimal comma, unquoted
    save_rows(csv_path, rows)
    check(
        only(problems_of(path)),
        file=csv_path,
        line=i + 1,
        row=True,
        field=None,
        found="4 cells",
        expected="3 cells, one per column of the header (write decimals with '.'",
    )


# --------------------------------------------------------------------------- CSV: rows and grids


def test_duplicate_rows_name_both_rows(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "mortality.csv"
    rows = read_rows(csv_path)
    first = find_row(rows, age=2, sex="female") + 1
    second = set_cell(csv_path, "age", 2, age=3, sex="female")
    assert second > first
    check(
        only(problems_of(path)),
        file=csv_path,
        line=second,
        row=True,
        field=None,
        found="age=2, sex=female",
        expected=f"one row per age, sex (the same key is on row {first})",
    )


def test_missing_grid_combination(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "mortality.csv"
    rows = read_rows(csv_path)
    del rows[find_row(rows, age=3, sex="female")]
    save_rows(csv_path, rows)
    check(
        only(problems_of(path)),
        file=csv_path,
        line=None,
        row=False,
        field=None,
        found="1 missing: sex=female, age=3",
        expected="a row for every sex × age of the mortality rates (write 0 where the value is zero)",
    )


def test_missing_area_in_base_population(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "base.csv"
    rows = read_rows(csv_path)
    save_rows(csv_path, [r for r in rows if r[0] != "south"])
    p = only(problems_of(path))
    check(
        p,
        file=csv_path,
        line=None,
        field=None,
        found=f"{2 * (MAX_AGE + 1)} missing: area=south, sex=female, age=0",
        expected="a row for every area × sex × age of the base population",
    )
    assert p.found is not None and "and 97 more" in p.found


def test_housing_year_outside_the_horizon(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "housing.csv"
    row = set_cell(csv_path, "year", 2035, development="Nordbyen", year=2026)
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'year'",
        found="'2035'",
        expected="a completion year within the horizon 2024–2029",
    )


def test_unknown_dwelling_type(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "housing.csv"
    row = set_cell(csv_path, "dwelling_type", "villa", development="Nordbyen", year=2025)
    check(
        only(problems_of(path)),
        file=csv_path,
        line=row,
        row=True,
        field="column 'dwelling_type'",
        found="'villa'",
        expected="a dwelling type from the occupancy table (apartment)",
    )


def test_development_in_two_areas(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "housing.csv"
    first = find_row(read_rows(csv_path), development="Nordbyen", year=2025) + 1
    second = set_cell(csv_path, "area", "south", development="Nordbyen", year=2026)
    check(
        only(problems_of(path)),
        file=csv_path,
        line=second,
        row=True,
        field="column 'area'",
        found="'south'",
        expected=f"one area per development (row {first} puts it in 'north')",
    )


def test_in_profile_shares_not_summing_to_one(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "in_profiles.csv"
    rows = read_rows(csv_path)
    i = find_row(rows, profile="families", age=0, sex="female")
    rows[i][3] = str(float(rows[i][3]) + 0.5)
    save_rows(csv_path, rows)
    total = sum(float(r[3]) for r in rows[1:])
    p = only(problems_of(path))
    check(
        p,
        file=csv_path,
        line=None,
        row=True,
        field="profile 'families'",
        found=f"a sum of {total:.6g}",
        expected="shares that sum to 1 over all ages and both sexes",
    )


@pytest.mark.parametrize("year", [2024, 2030], ids=["base-year", "after-end-year"])
def test_control_total_year_outside_the_projected_years(tmp_path: Path, year: int) -> None:
    path = scenario(tmp_path, lambda c: c["population"].update(control_totals="data/control.csv"))
    csv_path = write_csv(tmp_path / "data" / "control.csv", ["year", "persons"], [[2025, 5000], [year, 5100]])
    check(
        only(problems_of(path)),
        file=csv_path,
        line=3,  # header, 2025, then the bad year
        row=True,
        field="column 'year'",
        found=f"'{year}'",
        expected="a year after the base year, up to 2029",
    )


def test_control_totals_within_the_horizon_load(tmp_path: Path) -> None:
    path = scenario(tmp_path, lambda c: c["population"].update(control_totals="data/control.csv"))
    write_csv(tmp_path / "data" / "control.csv", ["year", "persons"], [[2025, 5000], [2029, 5400]])
    ctl = load_scenario(path).population.control_total
    assert ctl[0] == 5000 and ctl[-1] == 5400 and ctl.size == 5


def test_every_problem_in_one_csv_is_reported(tmp_path: Path) -> None:
    path = scenario(tmp_path)
    csv_path = tmp_path / "data" / "base.csv"
    blank = set_cell(csv_path, "persons", "", area="north", age=5, sex="female")
    text = set_cell(csv_path, "persons", "many", area="north", age=6, sex="male")
    area = set_cell(csv_path, "area", "east", area="south", age=40, sex="male")
    age = set_cell(csv_path, "age", "x", area="south", age=50, sex="male")
    problems = problems_of(path)
    assert [(p.line, p.field) for p in problems] == [
        (blank, "column 'persons'"),
        (text, "column 'persons'"),
        (area, "column 'area'"),
        (age, "column 'age'"),
    ]
    assert all(p.row and Path(p.file or "").name == "base.csv" for p in problems)
    assert [p.found for p in problems] == ["a blank cell", "'many'", "'east'", "'x'"]
