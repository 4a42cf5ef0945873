"""Shared fixtures: a tiny valid scenario written to a temporary folder, easy to break one piece at a time."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

MAX_AGE = 50
SEXES = ("female", "male")


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def tiny_config(**over: Any) -> dict[str, Any]:
    """A two-area, 5-year scenario as a plain dict (paths relative to the YAML file)."""
    cfg: dict[str, Any] = {
        "name": "tiny",
        "title": "Tiny test scenario",
        "seed": 7,
        "horizon": {"base_year": 2024, "end_year": 2029},
        "areas": [{"id": "north", "name": "Nord"}, {"id": "south", "name": "Sør"}],
        "population": {
            "max_age": MAX_AGE,
            "base": "data/base.csv",
            "mortality": {"rates": "data/mortality.csv", "improvement": 0.01},
            "fertility": {"rates": "data/fertility.csv", "sex_ratio_at_birth": 1.05},
            "migration": {
                "out_rates": "data/out_rates.csv",
                "in_profiles": "data/in_profiles.csv",
                "in_persons": {"north": 30, "south": {2024: 10, 2026: 20}},
            },
            "housing": {
                "programme": "data/housing.csv",
                "occupancy": "data/occupancy.csv",
                "realisation": 0.8,
            },
        },
    }
    cfg.update(over)
    return cfg


def write_tiny(root: Path, config: dict[str, Any] | None = None, name: str = "scenario.yaml") -> Path:
    """Write the tiny scenario's YAML and CSV tables under ``root``; return the YAML path."""
    data = root / "data"
    write_csv(
        data / "base.csv",
        ["area", "age", "sex", "persons"],
        [
            [a, age, s, 10 + (age % 7) + (5 if a == "north" else 0)]
            for a in ("north", "south")
            for s in SEXES
            for age in range(MAX_AGE + 1)
        ],
    )
    write_csv(
        data / "mortality.csv",
        ["age", "sex", "rate"],
        [
            [age, s, min(1.0, 0.001 + 0.0004 * age + (0.0002 if s == "male" else 0))]
            for s in SEXES
            for age in range(MAX_AGE + 1)
        ],
    )
    write_csv(
        data / "fertility.csv",
        ["age", "rate"],
        [[age, 0.05 if 20 <= age <= 39 else 0.0] for age in range(15, 50)],
    )
    write_csv(
        data / "out_rates.csv",
        ["age", "sex", "rate"],
        [[age, s, 0.08 if 18 <= age <= 29 else 0.03] for s in SEXES for age in range(MAX_AGE + 1)],
    )
    n = 2 * (MAX_AGE + 1)
    write_csv(
        data / "in_profiles.csv",
        ["profile", "age", "sex", "share"],
        [["families", age, s, 1 / n] for s in SEXES for age in range(MAX_AGE + 1)],
    )
    occ_rows = []
    for k, per in ((0, 2.0), (1, 0.5)):
        for s in SEXES:
            for age in range(MAX_AGE + 1):
                occ_rows.append(
                    [
                        "apartment",
                        k,
                        age,
                        s,
                        per / 2 if age == 30 else (per / 4 if age == 2 else 0.0),
                    ]
                )
    write_csv(
        data / "occupancy.csv",
        ["dwelling_type", "years_since_completion", "age", "sex", "persons"],
        occ_rows,
    )
    write_csv(
        data / "housing.csv",
        ["development", "area", "year", "dwellings", "dwelling_type"],
        [
            ["Nordbyen", "north", 2025, 100, "apartment"],
            ["Nordbyen", "north", 2026, 50, "apartment"],
        ],
    )
    path = root / name
    path.write_text(
        yaml.safe_dump(config if config is not None else tiny_config(), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """Path to a valid tiny scenario YAML in a fresh temporary folder."""
    return write_tiny(tmp_path)


def services_config(cfg: dict[str, Any] | None = None) -> dict[str, Any]:
    """The tiny scenario plus zones, three services, a facility register and one measure."""
    cfg = tiny_config() if cfg is None else cfg
    cfg["zone_systems"] = [
        {
            "id": "school",
            "name": "Skolekretser",
            "zones": [{"id": "z_n", "name": "Nordkrets"}, {"id": "z_s", "name": "Sørkrets"}],
            "mapping": "data/zones_school.csv",
        }
    ]
    cfg["services"] = [
        {
            "id": "primary_school",
            "name": "Barneskole",
            "zone_system": "school",
            "coverage": [{"ages": [6, 12], "rate": 1.0}],
            "target_utilisation": 0.9,
        },
        {
            "id": "kindergarten",
            "name": "Barnehage",
            "zone_system": "areas",
            "coverage": [{"ages": [1, 2], "rate": 0.5}, {"ages": [3, 5], "rate": 0.9}],
            "place_weight": [{"ages": [1, 2], "weight": 2.0}],
            "private_share": 0.5,
        },
        {
            "id": "care_24h",
            "name": "Heldøgnsomsorg",
            "zone_system": "municipality",
            "coverage": [
                {"ages": [40, 44], "rate": 0.1},
                {"ages": [45, 50], "rate": {"method": "linear", 2024: 0.2, 2029: 0.1}},
            ],
        },
    ]
    cfg["capacity"] = {
        "facilities": "data/facilities.csv",
        "events": "data/capacity_events.csv",
        "measures": {"merge_south": {"description": "C into B", "events": "data/merge_south.csv"}},
        "active_measures": [],
    }
    return cfg


FACILITY_HEADER = ["id", "name", "service", "zone", "capacity_places", "opens", "closes", "target_utilisation"]
EVENT_HEADER = ["year", "event", "facility", "places", "to_facility", "to_service"]


def write_services(root: Path) -> None:
    """Write the CSV tables that :func:`services_config` names."""
    data = root / "data"
    write_csv(
        data / "zones_school.csv",
        ["area", "zone", "share"],
        [["north", "z_n", 1.0], ["south", "z_n", 0.4], ["south", "z_s", 0.6]],
    )
    write_csv(
        data / "facilities.csv",
        FACILITY_HEADER,
        [
            ["school_a", "A skole", "primary_school", "z_n", 300, 2000, "", ""],
            ["school_b", "B skole", "primary_school", "z_s", 100, 2000, "", 1.0],
            ["school_c", "C skole", "primary_school", "z_s", 80, 2000, "", ""],
            ["kg_north", "Nord barnehage", "kindergarten", "north", 60, 2000, "", ""],
            ["kg_new", "Ny barnehage", "kindergarten", "south", 40, 2027, "", ""],
            ["care", "Sykehjem", "care_24h", "kommune", 50, 2000, 2028, ""],
        ],
    )
    write_csv(data / "capacity_events.csv", EVENT_HEADER, [[2026, "extension", "school_a", 40, "", ""]])
    write_csv(data / "merge_south.csv", EVENT_HEADER, [[2025, "merger", "school_c", "", "school_b", ""]])


def write_tiny_services(root: Path, cfg: dict[str, Any] | None = None) -> Path:
    path = write_tiny(root, services_config() if cfg is None else cfg)
    write_services(root)
    return path


PROJECT_HEADER = [
    "id",
    "name",
    "category",
    "service",
    "zone",
    "facility",
    "capacity_places",
    "gross_cost_mnok",
    "planning_months",
    "regulation_months",
    "procurement_months",
    "construction_months",
    "earliest_start",
    "planned_start",
    "latest_completion",
    "mandatory",
    "depends_on",
    "exclusive_group",
    "husbanken_places",
]
PROJECT_ROWS = [
    [
        "school_ext",
        "Utvidelse A skole",
        "school",
        "primary_school",
        "z_n",
        "school_a",
        100,
        50,
        0,
        0,
        0,
        12,
        2024,
        2025,
        "",
        "true",
        "",
        "",
    ],
    [
        "kg_sor",
        "Ny barnehage sør",
        "kindergarten",
        "kindergarten",
        "south",
        "",
        30,
        40,
        6,
        6,
        0,
        12,
        2024,
        2024,
        2028,
        "false",
        "",
        "",
    ],
    [
        "care_a",
        "Sykehjem variant A",
        "nursing_home",
        "care_24h",
        "kommune",
        "",
        20,
        120,
        0,
        0,
        0,
        12,
        2024,
        2026,
        "",
        "false",
        "",
        "care",
    ],
    [
        "care_b",
        "Sykehjem variant B",
        "nursing_home",
        "care_24h",
        "kommune",
        "",
        30,
        150,
        0,
        0,
        0,
        12,
        2024,
        2026,
        "",
        "false",
        "",
        "care",
    ],
    ["road", "Vei", "roads", "", "", "", "", 10, 0, 0, 0, 6, 2024, 2024, "", "false", "school_ext", ""],
]
# Husbanken places (the last column): the two care variants are net new 24-hour places.
for _row in PROJECT_ROWS:
    _row.append({"care_a": 20, "care_b": 30}.get(_row[0], ""))


def projects_config(cfg: dict[str, Any] | None = None) -> dict[str, Any]:
    """The tiny scenario with services plus a five-project catalogue (two exclusive variants)."""
    cfg = services_config() if cfg is None else cfg
    cfg["projects"] = {"catalogue": "data/projects.csv", "variants": {"care": "care_a"}}
    return cfg


def write_tiny_projects(root: Path, cfg: dict[str, Any] | None = None, rows: list[list[Any]] | None = None) -> Path:
    path = write_tiny_services(root, projects_config() if cfg is None else cfg)
    write_csv(root / "data" / "projects.csv", PROJECT_HEADER, PROJECT_ROWS if rows is None else rows)
    return path


def finance_config(cfg: dict[str, Any] | None = None) -> dict[str, Any]:
    """The tiny scenario with projects plus a finance section (NOK million, fixed prices)."""
    cfg = projects_config() if cfg is None else cfg
    cfg["finance"] = {
        "revenue": {"base_mnok": 1000.0, "real_growth": 0.01},
        "expenses": {"base_mnok": 900.0, "unit_cost_mnok": {"primary_school": 0.12, "care_24h": 1.0}},
        "investment": {
            "vat_compensation_share": 0.2,
            "own_financing_share": 0.1,
            "recurring": "data/recurring.csv",
            "husbanken": {"cost_cap_per_place_mnok": 3.9, "grant_share": 0.55},
        },
        "debt": {
            "interest_rate": {2024: 0.042, 2025: 0.04},
            "instalment_method": "annuity",
            "opening_debt_mnok": 800.0,
            "opening_debt_remaining_life_years": 25,
            "existing_book_value_mnok": 1200.0,
            "existing_depreciation_mnok": 40.0,
        },
        "start_loans": {
            "borrowing_mnok": 10.0,
            "interest_rate": 0.045,
            "opening_debt_mnok": 50,
            "opening_receivables_mnok": 50,
        },
        "funds": {
            "disposition_fund_opening_mnok": 100.0,
            "energy_fund_opening_mnok": 200.0,
            "energy_fund_real_return_rate": 0.03,
        },
        "interest_income_mnok": 5.0,
        "fiscal_rules": [
            {"kpi": "net_operating_result", "direction": "higher_is_better", "red": 0.0175, "green": 0.03},
            {"kpi": "debt_ratio", "direction": "lower_is_better", "red": 1.0, "green": 0.8},
            {"kpi": "disposition_fund", "direction": "higher_is_better", "red": 0.05, "green": 0.10},
            {
                "kpi": "own_financing",
                "direction": "higher_is_better",
                "red": 0.5,
                "green": 0.5,
                "green_inclusive": True,
            },
        ],
        "deflator": {"wage_growth": 0.049, "price_growth": 0.034},
    }
    return cfg


def write_tiny_finance(root: Path, cfg: dict[str, Any] | None = None) -> Path:
    path = write_tiny_projects(root, finance_config() if cfg is None else cfg)
    write_csv(
        root / "data" / "recurring.csv",
        ["id", "name", "category", "year", "spend_mnok"],
        [["it", "IKT", "it_equipment", y, 5.0] for y in range(2024, 2029)],
    )
    return path


def project_schedules(co: Any) -> Any:
    """Every schedule of the optimiser's candidates (``ltsim.optimize.Coefficients``) that keeps one start
    per project (or none where dropping is allowed), one variant per exclusive group (at most one where
    dropping is allowed) and the dependencies: dicts candidate → option (None = not built). For brute force."""
    import itertools

    data = co.scenario.projects
    spec = co.scenario.config.optimize
    by_project: dict[int, list[Any]] = {}
    for o in co.options:
        by_project.setdefault(o.project, []).append(o)
    groups = {p: data.exclusive_group[p] for p in co.candidates}
    wanted = sorted({g for g in groups.values() if g is not None})
    choices = [
        by_project.get(p, []) + ([None] if spec.allow_drop or groups[p] is not None else []) for p in co.candidates
    ]
    for combo in itertools.product(*choices):
        chosen = dict(zip(co.candidates, combo, strict=True))
        built = sorted(groups[p] for p, o in chosen.items() if o is not None and groups[p] is not None)
        if len(built) != len(set(built)) or (not spec.allow_drop and built != wanted):
            continue
        if any(
            o is not None and a in chosen and (chosen[a] is None or chosen[a].completion_year > o.start_year)
            for p, o in chosen.items()
            for a in data.inputs.depends_on[p]
        ):
            continue
        yield chosen
