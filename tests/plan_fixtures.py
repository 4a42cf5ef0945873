"""A small planning scenario on the tiny finance scenario: two kindergarten types, a care home, sites, a closure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import finance_config, write_csv, write_tiny_finance

TYPE_HEADER = [
    "id", "name", "service", "alternative", "category", "capacity_places", "cost_mnok_per_place",
    "fixed_cost_mnok", "planning_months", "regulation_months", "procurement_months", "construction_months",
    "capacity_years", "operating_cost_mnok_per_place_year", "vat_compensation_share", "husbanken", "source",
]  # fmt: skip
TYPE_ROWS = [
    ["kg_new", "Ny barnehage", "kindergarten", "new_build", "kindergarten", 40, 1.0, 0, 0, 0, 0, 12, "", 0, "", "false", "test"],
    ["kg_modules", "Paviljong", "kindergarten", "modules", "technical_installations", 20, 0.5, 0, 0, 0, 0, 6, 10, 0.01, "", "false", "test"],
    ["care_home", "Sykehjem", "care_24h", "new_build", "nursing_home", 20, 5.0, 0, 0, 0, 0, 12, "", 0, "", "true", "test"],
]  # fmt: skip
SITE_HEADER = [
    "id",
    "service",
    "zone",
    "types",
    "earliest_start",
    "land_cost_mnok",
    "max_builds",
    "max_places",
    "facility",
    "source",
]
SITE_ROWS = [
    ["kg_south", "kindergarten", "south", "kg_new kg_modules", 2025, 5.0, 1, "", "", "test"],
    ["kg_north", "kindergarten", "north", "kg_modules", 2025, 0.0, 1, "", "", "test"],
    ["care_site", "care_24h", "kommune", "care_home", 2024, 0.0, 1, "", "", "test"],
]  # fmt: skip
CLOSURE_HEADER = ["facility", "category", "earliest_year", "cost_mnok", "saving_mnok_per_year", "source"]


def plan_config(plan: dict[str, Any] | None = None, optimize: dict[str, Any] | None = None) -> dict[str, Any]:
    cfg = finance_config()
    cfg["optimize"] = {"debt_ratio_ceiling": 1.5, "max_deferral_years": 2, **(optimize or {})}
    cfg["plan"] = {
        "types": "data/types.csv",
        "sites": "data/sites.csv",
        "shortfall_cost_mnok_per_place_year": {"kindergarten": 0.2, "primary_school": 0.15, "care_24h": 0.8},
        "tradeoff_ceilings": [1.0, 1.5],
        **(plan or {}),
    }
    return cfg


def write_tiny_plan(
    root: Path,
    plan: dict[str, Any] | None = None,
    optimize: dict[str, Any] | None = None,
    types: list[list[Any]] | None = None,
    sites: list[list[Any]] | None = None,
    closures: list[list[Any]] | None = None,
) -> Path:
    path = write_tiny_finance(root, plan_config(plan, optimize))
    write_csv(root / "data" / "types.csv", TYPE_HEADER, TYPE_ROWS if types is None else types)
    write_csv(root / "data" / "sites.csv", SITE_HEADER, SITE_ROWS if sites is None else sites)
    if closures is not None:
        write_csv(root / "data" / "closures.csv", CLOSURE_HEADER, closures)
    return path
