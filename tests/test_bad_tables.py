"""Bad-input corpus: the CSV tables a scenario reads, and the paths that name them.

Each case writes one of the tiny scenarios of tests/conftest.py with one table (or one path
to a table) broken, and is refused by ``ltsim validate`` (and, for a share of cases, by
``ltsim run``) with exit 2, a message naming the file, the row, the column and what is
expected, and nothing written (tests/badinput.py). Every table type the scenario reads is
covered: population (base, mortality, fertility, out-migration, in-migration profiles,
occupancy, housing programme, control totals), services (zone mapping, facilities, capacity
events, a measure's events), projects (catalogue, plan spend) and finance (yearly budgets).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from badinput import refused
from conftest import (
    finance_config,
    projects_config,
    services_config,
    tiny_config,
    write_csv,
    write_tiny,
    write_tiny_finance,
    write_tiny_projects,
    write_tiny_services,
)

from ltsim.io.yamlsrc import dotted


def _control(root: Path) -> Path:
    cfg = tiny_config()
    cfg["population"]["control_totals"] = "data/control.csv"
    path = write_tiny(root, cfg)
    write_csv(root / "data" / "control.csv", ["year", "persons"], [[y, 3000] for y in range(2025, 2030)])
    return path


def _plan(root: Path) -> Path:
    cfg = projects_config()
    cfg["projects"]["plan_spend"] = "data/plan_spend.csv"
    path = write_tiny_projects(root, cfg)
    write_csv(root / "data" / "plan_spend.csv", ["project", "year", "spend_mnok"], [["road", 2024, 10]])
    return path


WRITERS: dict[str, Callable[[Path], Path]] = {
    "tiny": lambda root: write_tiny(root),
    "control": _control,
    "services": lambda root: write_tiny_services(root),
    "projects": lambda root: write_tiny_projects(root),
    "plan": _plan,
    "finance": lambda root: write_tiny_finance(root, finance_config()),
}


@dataclass(frozen=True)
class Case:
    """One broken table: ``file`` under data/, and either one cell (``column`` on data row
    ``row``, counted as a spreadsheet does: the header is row 1) set to ``value``, or the
    file's bytes replaced by ``data(old bytes)``."""

    config: str
    file: str
    column: str | None = None
    value: str = ""
    row: int = 2
    data: Callable[[bytes], bytes] | None = None
    mentions: tuple[str, ...] = ()
    run: bool = False


def cell(config: str, file: str, column: str, value: str, *mentions: str, row: int = 2, run: bool = False) -> Case:
    return Case(config, file, column, value, row, None, mentions, run)


def raw(config: str, file: str, data: Callable[[bytes], bytes], *mentions: str, run: bool = False) -> Case:
    return Case(config, file, data=data, mentions=mentions, run=run)


def set_cell(path: Path, column: str, value: str, row: int) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    if column not in rows[0]:
        rows[0].append(column)
        for r in rows[1:]:
            r.append("")
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _replace(old: bytes, new: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        assert old in data
        return data.replace(old, new, count)

    return edit


CASES: dict[str, Case] = {
    # ------------------------------------------------------------------ population: base
    "base_persons_nan": cell("tiny", "base.csv", "persons", "nan", "a number of persons", run=True),
    "base_persons_inf": cell("tiny", "base.csv", "persons", "inf", "a number of persons"),
    "base_persons_1e300": cell("tiny", "base.csv", "persons", "1e300", "(at most 10,000,000)", run=True),
    "base_persons_above_range": cell("tiny", "base.csv", "persons", "20000000", "(at most 10,000,000)"),
    "base_persons_negative": cell("tiny", "base.csv", "persons", "-1", "a number of persons ≥ 0"),
    "base_persons_blank": cell("tiny", "base.csv", "persons", "", "a blank cell is unknown, not zero", row=9),
    "base_persons_underscore": cell("tiny", "base.csv", "persons", "1_000", "found '1_000'"),
    "base_persons_arabic_digit": cell("tiny", "base.csv", "persons", "\u0663", "a number of persons"),
    "base_persons_hex": cell("tiny", "base.csv", "persons", "0x10", "found '0x10'"),
    "base_age_huge": cell("tiny", "base.csv", "age", "1000000000000", "a whole number from 0 to 50"),
    "base_area_unknown": cell("tiny", "base.csv", "area", "east", "an area declared under 'areas:'"),
    "base_area_control_character": cell("tiny", "base.csv", "area", "no\trth", "control characters"),
    "base_area_too_long": cell("tiny", "base.csv", "area", "n" * 300, "at most 200 characters"),
    # ------------------------------------------------------------------ population: rates and profiles
    "mortality_rate_nan": cell("tiny", "mortality.csv", "rate", "NaN", "a probability between 0 and 1", run=True),
    "mortality_rate_percent": cell("tiny", "mortality.csv", "rate", "1.5", "a probability"),
    "fertility_rate_neg_inf": cell("tiny", "fertility.csv", "rate", "-inf", "births per woman"),
    "fertility_age_text": cell("tiny", "fertility.csv", "age", "twenty", "a woman's age from 15 to 49"),
    "out_rate_1e308": cell("tiny", "out_rates.csv", "rate", "1e308", "a probability between 0 and 1"),
    "out_rate_infinity_word": cell("tiny", "out_rates.csv", "rate", "Infinity", "a probability"),
    "in_profile_share_nan": cell("tiny", "in_profiles.csv", "share", "nan", "a share between 0 and 1"),
    "in_profile_share_percent": cell("tiny", "in_profiles.csv", "share", "50", "write 0.5 for 50 %"),
    # ------------------------------------------------------------------ population: housing
    "occupancy_persons_1e300": cell("tiny", "occupancy.csv", "persons", "1e300", "persons per dwelling"),
    "occupancy_lag_huge": cell("tiny", "occupancy.csv", "years_since_completion", "99999999", "a whole number"),
    "occupancy_header_only": raw(
        "tiny",
        "occupancy.csv",
        lambda d: d.split(b"\n", 1)[0] + b"\n",
        "at least one row",
        "row 2",
        run=True,
    ),
    "dwellings_1e300": cell("tiny", "housing.csv", "dwellings", "1e300", "a number of dwellings", run=True),
    "dwellings_above_range": cell("tiny", "housing.csv", "dwellings", "2000000", "≤ 1,000,000"),
    "dwellings_nan": cell("tiny", "housing.csv", "dwellings", "nan", "a number of dwellings", run=True),
    "dwellings_blank": cell("tiny", "housing.csv", "dwellings", "", "unknown, not zero", row=3),
    "dwellings_decimal_comma": raw(
        "tiny",
        "housing.csv",
        _replace(b"2025,100,", b'2025,"100",5,'),
        "5 cells, one per column",
        "row 2",
    ),
    "housing_year_exponent": cell("tiny", "housing.csv", "year", "2e3", "a completion year within the horizon"),
    "housing_development_too_long": cell("tiny", "housing.csv", "development", "D" * 500, "at most 200 characters"),
    "control_persons_inf": cell("control", "control.csv", "persons", "inf", "a municipal total", run=True),
    "control_persons_huge": cell("control", "control.csv", "persons", "1e12", "10,000,000 persons"),
    "control_persons_zero": cell("control", "control.csv", "persons", "0", "a municipal total from 1"),
    # ------------------------------------------------------------------ services and capacity
    "zone_share_nan": cell("services", "zones_school.csv", "share", "nan", "the share of the area", run=True),
    "zone_share_1e300": cell("services", "zones_school.csv", "share", "1e300", "the share of the area"),
    "facility_places_1e300": cell("services", "facilities.csv", "capacity_places", "1e300", "places > 0", run=True),
    "facility_places_inf": cell("services", "facilities.csv", "capacity_places", "inf", "places > 0"),
    "facility_places_zero": cell("services", "facilities.csv", "capacity_places", "0", "places > 0"),
    "facility_utilisation_nan": cell("services", "facilities.csv", "target_utilisation", "nan", "a fraction above 0"),
    "facility_opens_exponent": cell("services", "facilities.csv", "opens", "2e3", "the first year with the capacity"),
    "facility_closes_huge": cell("services", "facilities.csv", "closes", "99999", "the first year without"),
    "event_places_1e300": cell("services", "capacity_events.csv", "places", "1e300", "a number of places", run=True),
    "event_places_nan": cell("services", "capacity_events.csv", "places", "nan", "a number of places"),
    "event_to_facility_on_extension": cell(
        "services", "capacity_events.csv", "to_facility", "school_b", "only a merger names one"
    ),
    "event_to_service_on_extension": cell(
        "services", "capacity_events.csv", "to_service", "kindergarten", "only a change_of_use names one"
    ),
    "measure_event_year_inf": cell("services", "merge_south.csv", "year", "inf", "a year within the horizon"),
    # ------------------------------------------------------------------ projects
    "project_cost_1e308": cell("projects", "projects.csv", "gross_cost_mnok", "1e308", "≤ 1,000,000", run=True),
    "project_cost_nan": cell("projects", "projects.csv", "gross_cost_mnok", "nan", "the gross cost", run=True),
    "project_months_inf": cell("projects", "projects.csv", "construction_months", "inf", "a duration in months"),
    "project_months_huge": cell("projects", "projects.csv", "planning_months", "1e6", "from 0 to 240"),
    "project_places_huge": cell("projects", "projects.csv", "capacity_places", "1e12", "places added"),
    "project_husbanken_inf": cell("projects", "projects.csv", "husbanken_places", "inf", "net new 24-hour places"),
    "project_vat_percent": cell("projects", "projects.csv", "vat_compensation_share", "20", "write 0.2 for 20 %"),
    "project_operating_cost_huge": cell(
        "projects", "projects.csv", "operating_cost_mnok_per_year", "-1e300", "yearly operating cost"
    ),
    "project_cost_share_nan": cell("projects", "projects.csv", "cost_share_planning", "nan", "a share 0–1"),
    "project_start_huge": cell("projects", "projects.csv", "planned_start", "1" * 5000, "the plan's start year"),
    "project_mandatory_word": cell("projects", "projects.csv", "mandatory", "maybe", "true or false"),
    "plan_spend_1e300": cell("plan", "plan_spend.csv", "spend_mnok", "1e300", "gross spend in NOK million", run=True),
    "plan_spend_nan": cell("plan", "plan_spend.csv", "spend_mnok", "nan", "gross spend"),
    # ------------------------------------------------------------------ finance
    "recurring_spend_nan": cell("finance", "recurring.csv", "spend_mnok", "nan", "gross spend", run=True),
    "recurring_spend_above_range": cell("finance", "recurring.csv", "spend_mnok", "1e7", "≤ 1,000,000"),
    "recurring_spend_negative": cell("finance", "recurring.csv", "spend_mnok", "-1", "≥ 0"),
    "recurring_vat_inf": cell("finance", "recurring.csv", "vat_compensation_share", "inf", "a share 0–1"),
    # ------------------------------------------------------------------ bytes, encodings, structure
    "latin1_cell": raw(
        "tiny",
        "housing.csv",
        _replace(b"Nordbyen", "Nordbyen Ø".encode("latin-1")),
        "in UTF-8",
        "row 2",
        "0xd8",
        run=True,
    ),
    "utf16_catalogue": raw("projects", "projects.csv", lambda d: d.decode().encode("utf-16"), "in UTF-8", "row 1"),
    "nul_in_a_number": raw("tiny", "fertility.csv", _replace(b"15,0.0", b"15,0.\x000"), "row 2", "'rate'"),
    "cell_over_field_limit": raw(
        "projects",
        "projects.csv",
        _replace(b"Vei", b"V" * 200_000),
        "field larger",
        "row 6",
        run=True,
    ),
    "quote_never_closes": raw(
        "finance",
        "recurring.csv",
        lambda d: d.replace(b"IKT", b'"IKT', 1) + b"x" * 140_000,
        "field larger",
        "row 2",
    ),
    "empty_file": raw("tiny", "mortality.csv", lambda d: b"", "an empty file", "row 1", run=True),
    "missing_column": raw(
        "tiny", "base.csv", lambda d: d.replace(b"persons", b"people", 1), "a column named 'persons'", "row 1"
    ),
    "repeated_key": raw(
        "tiny",
        "fertility.csv",
        lambda d: d + b"15,0.0\n",
        "one row per age",
        "row 37",
    ),
    "header_hostile_name": raw(
        "tiny",
        "fertility.csv",
        lambda d: d.replace(b"age,rate", b"age,rate," + b"x" * 5000 + b"\x1b[2J", 1),
        "an unknown column",
        "row 1",
    ),
}


def write_case(root: Path, case: Case) -> tuple[Path, Path]:
    """Write the case's scenario under ``root``; return the scenario and the broken table."""
    path = WRITERS[case.config](root)
    table = root / "data" / case.file
    if case.data is not None:
        table.write_bytes(case.data(table.read_bytes()))
    else:
        assert case.column is not None
        set_cell(table, case.column, case.value, case.row)
    return path, table


@pytest.mark.parametrize("name", list(CASES))
def test_bad_table_is_refused(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path, table = write_case(tmp_path, case)
    mentions = [table.name, *case.mentions, "expected"]
    if case.column is not None:
        mentions += [f"column '{case.column}'", f"row {case.row}"]
    out = refused(["validate", str(path)], mentions=mentions, watch=tmp_path)
    assert "x" * 61 not in out and "\x1b" not in out and "\x00" not in out  # short, printable excerpts only
    if case.run:
        refused(["run", str(path), "--out", str(tmp_path / "out"), "--no-report"], mentions=mentions, watch=tmp_path)


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class PathCase:
    """A scenario key naming a table at ``target`` (set up by ``prepare(root)`` first)."""

    config: str
    key: tuple[str | int, ...]
    target: str | Callable[[Path], str]
    mentions: tuple[str, ...]
    prepare: Callable[[Path], None] | None = None
    run: bool = False


def _outside(root: Path) -> str:
    """A good table outside the scenario's folder (in a sibling folder)."""
    other = root.parent / "other"
    other.mkdir(exist_ok=True)
    (other / "base.csv").write_bytes((root / "data" / "base.csv").read_bytes())
    return "../other/base.csv"


def _link_to(target: str) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        (root / "data" / "link.csv").symlink_to(target)
        return "data/link.csv"

    return make


def _link_outside(root: Path) -> str:
    _outside(root)
    (root / "data" / "sneaky.csv").symlink_to(root.parent / "other" / "base.csv")
    return "data/sneaky.csv"


BASE = ("population", "base")
PATH_CASES: dict[str, PathCase] = {
    "etc_passwd": PathCase("tiny", BASE, "/etc/passwd", ("lies outside", "population.base"), run=True),
    "proc_environ": PathCase("tiny", BASE, "/proc/self/environ", ("lies outside",), run=True),
    "dev_zero": PathCase("tiny", ("population", "mortality", "rates"), "/dev/zero", ("lies outside",)),
    "dot_dot_outside": PathCase("tiny", BASE, _outside, ("lies outside", "data_roots"), run=True),
    "dot_dot_to_etc": PathCase("tiny", BASE, "data/../../../../../../etc/hosts", ("lies outside",)),
    "symlink_to_etc": PathCase("tiny", BASE, _link_to("/etc/passwd"), ("lies outside",), run=True),
    "symlink_outside": PathCase("tiny", BASE, _link_outside, ("lies outside",)),
    "a_folder": PathCase("tiny", BASE, "data", ("a folder", "a CSV file")),
    "nul_in_path": PathCase("tiny", BASE, "data/base\0.csv", ("a path to a CSV file",)),
    "name_too_long": PathCase("tiny", BASE, "data/" + "x" * 5000 + ".csv", ("a path the system refuses",)),
    "missing_table": PathCase("tiny", BASE, "data/nope.csv", ("does not exist", "an existing CSV file")),
    "measure_events_etc": PathCase(
        "services", ("capacity", "measures", "merge_south", "events"), "/etc/hosts", ("lies outside",)
    ),
    "zone_mapping_proc": PathCase("services", ("zone_systems", 0, "mapping"), "/proc/self/status", ("lies outside",)),
    "catalogue_folder": PathCase("projects", ("projects", "catalogue"), ".", ("a folder",), run=True),
    "recurring_sys": PathCase(
        "finance", ("finance", "investment", "recurring"), "/sys/kernel/hostname", ("lies outside",)
    ),
    "data_root_slash": PathCase("tiny", ("data_roots", 0), "/", ("not / nor a system folder",)),
    "data_root_proc": PathCase("tiny", ("data_roots", 0), "/proc", ("a system folder",)),
    "data_root_missing": PathCase("tiny", ("data_roots", 0), "nowhere", ("an existing folder",)),
}

CONFIGS: dict[str, Callable[[], dict[str, Any]]] = {
    "tiny": tiny_config,
    "services": services_config,
    "projects": projects_config,
    "finance": finance_config,
}


def _set(cfg: dict[str, Any], loc: tuple[str | int, ...], value: Any) -> None:
    node: Any = cfg
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value


@pytest.mark.parametrize("name", list(PATH_CASES))
def test_table_path_outside_the_rules_is_refused(tmp_path: Path, name: str) -> None:
    case = PATH_CASES[name]
    root = tmp_path / "scenario"
    root.mkdir()
    WRITERS["finance" if case.config == "finance" else case.config](root)
    target = case.target(root) if callable(case.target) else case.target
    cfg = CONFIGS[case.config]()
    if case.key[0] == "data_roots":
        cfg["data_roots"] = ["SENTINEL"]
    else:
        _set(cfg, case.key, "SENTINEL")
    path = {
        "tiny": write_tiny,
        "services": write_tiny_services,
        "projects": write_tiny_projects,
        "finance": write_tiny_finance,
    }[case.config](root, cfg)
    text = path.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "SENTINEL" in t)
    path.write_text(text.replace("SENTINEL", json.dumps(target)), encoding="utf-8")
    mentions = ["scenario.yaml", f"line {line}", dotted(case.key), *case.mentions, "expected"]
    out = refused(["validate", str(path)], mentions=mentions, watch=tmp_path)
    assert "root:x:0:0" not in out and os.environ.get("PATH", "@@") not in out  # nothing of the file echoed
    if case.run:
        refused(["run", str(path), "--out", str(tmp_path / "out"), "--no-report"], mentions=mentions, watch=tmp_path)


def test_a_pipe_as_table_is_refused_unopened(tmp_path: Path) -> None:
    root = tmp_path / "scenario"
    root.mkdir()
    cfg = tiny_config()
    cfg["population"]["base"] = "pipe.csv"
    path = write_tiny(root, cfg)
    os.mkfifo(root / "pipe.csv")  # reading it would block for ever
    mentions = ["scenario.yaml", "population.base", "a special file", "expected"]
    refused(["validate", str(path)], mentions=mentions, watch=root / "data")
    refused(["run", str(path), "--out", str(root / "out"), "--no-report"], mentions=mentions, watch=root / "data")
    assert not (root / "out").exists()


def test_a_huge_table_is_refused_unread(tmp_path: Path) -> None:
    path = write_tiny(tmp_path)
    with (tmp_path / "data" / "base.csv").open("ab") as fh:
        fh.truncate(51 * 2**20)  # sparse: nothing of the 51 MB is written
    refused(["validate", str(path)], mentions=["base.csv", "at most 50 MB", "expected"], watch=tmp_path)


def test_a_table_named_by_a_variant_must_lie_near_a_scenario_file(tmp_path: Path) -> None:
    write_tiny(tmp_path / "scenario")
    variant = tmp_path / "scenario" / "reviews" / "v.yaml"
    variant.parent.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "base.csv").write_bytes((tmp_path / "scenario" / "data" / "base.csv").read_bytes())
    variant.write_text("extends: ../scenario.yaml\nname: v\npopulation:\n  base: ../../elsewhere/base.csv\n")
    refused(
        ["validate", str(variant)], mentions=["v.yaml", "line 4", "population.base", "lies outside"], watch=tmp_path
    )


# --------------------------------------------------------------------------- what the rules allow


def test_tables_in_the_folder_of_an_extended_file_and_in_data_roots_are_read(tmp_path: Path) -> None:
    """A variant in reviews/ extending ../scenario.yaml keeps the base's data/ tables; a folder listed
    under data_roots may hold tables too; the run's resolved scenario lists both and runs again to the
    same hash."""
    from ltsim import pipeline
    from ltsim.results import write_run
    from ltsim.scenario import load_scenario

    write_tiny(tmp_path / "scenario")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "fertility.csv").write_bytes((tmp_path / "scenario" / "data" / "fertility.csv").read_bytes())
    variant = tmp_path / "scenario" / "reviews" / "v.yaml"
    variant.parent.mkdir()
    variant.write_text(
        "extends: ../scenario.yaml\nname: v\ndata_roots: [../../shared]\n"
        "population:\n  fertility:\n    rates: ../../shared/fertility.csv\n",
        encoding="utf-8",
    )
    sc = load_scenario(variant)
    assert sc.files["population.fertility.rates"] == (shared / "fertility.csv").resolve()
    assert set(sc.data_roots) == {shared.resolve(), (tmp_path / "scenario").resolve()}
    folder = write_run(pipeline.run(sc), tmp_path / "out" / "run", seed=7)
    assert load_scenario(folder / "scenario.resolved.yaml").hash == sc.hash
    without = load_scenario(tmp_path / "scenario" / "scenario.yaml")
    assert "data_roots" not in without.config.model_dump(exclude_none=True)


def test_a_byte_order_mark_and_padded_numbers_are_fine(tmp_path: Path) -> None:
    from ltsim.scenario import load_scenario

    path = write_tiny(tmp_path)
    table = tmp_path / "data" / "housing.csv"
    table.write_bytes(b"\xef\xbb\xbf" + table.read_bytes().replace(b",100,", b", 1e2 ,"))
    assert load_scenario(path).population.developments[0][3] == 100.0


def test_corpus_size() -> None:
    from test_bad_yaml import CASES as YAML_CASES

    assert len(CASES) + len(PATH_CASES) + len(YAML_CASES) >= 100
