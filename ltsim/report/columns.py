"""The tables of the results contract and the columns the report reads from each (checked before a report is built)."""

from __future__ import annotations

CONTRACT_TABLES: tuple[str, ...] = (
    "population",
    "population_change",
    "housing",
    "demand",
    "capacity",
    "capacity_summary",
    "projects",
    "project_spend",
    "schedule",
    "shortfall_probability",
    "replications",
    "replication_projects",
    "finance",
    "kpi",
)
"""Tables of the results contract, in the order the workbook shows them (others follow alphabetically)."""


# Column kinds: "key" text that must not be blank, "text" anything, "int" a whole number that must not be
# blank, "num!" a number that must not be blank, "num" a number or blank.
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "population": {"year": "int", "area": "key", "age": "int", "sex": "key", "persons": "num!"},
    "population_change": {
        "year": "int",
        "area": "key",
        **dict.fromkeys(
            [
                "population_start",
                "births",
                "deaths",
                "migration_in",
                "migration_out",
                "housing_in",
                "control_adjustment",
                "population_end",
            ],
            "num",
        ),
    },
    "demand": {
        "year": "int",
        "zone": "key",
        "service": "key",
        "users": "num",
        "demand": "num",
        "demand_municipal": "num",
    },
    "capacity": {
        "year": "int",
        "zone": "key",
        "service": "key",
        **dict.fromkeys(("capacity", "usable_capacity", "demand", "gap", "utilisation"), "num"),
    },
    "capacity_summary": {
        "service": "key",
        "zone": "key",
        **dict.fromkeys(
            [
                "place_years_short",
                "peak_shortfall",
                "peak_year",
                "idle_place_years",
                "idle_places_first_year",
                "idle_places_last_year",
            ],
            "num",
        ),
    },
    "projects": {
        "project": "key",
        "name": "text",
        "service": "text",
        "zone": "text",
        **dict.fromkeys(
            [
                "capacity_places",
                "planned_start",
                "start_year",
                "planned_completion_year",
                "completion_year",
                "delay_years",
                "cost_mnok",
            ],
            "num",
        ),
        "built": "text",
    },
    "project_spend": {"project": "key", "year": "int", "spend_mnok": "num!"},
    "schedule": {
        "project": "key",
        "name": "text",
        "planned_start": "num",
        "chosen_start": "num",
        "deferred_years": "num",
    },
    "shortfall_probability": {
        "year": "int",
        "zone": "key",
        "service": "key",
        **dict.fromkeys(("probability_short", "expected_short_places", "short_places_p90"), "num"),
    },
    "replications": {"rep": "int", "total_cost_mnok": "num", "spend_in_horizon_mnok": "num"},
    "replication_projects": {"rep": "int", "project": "key", "completion_year": "num", "cost_mnok": "num"},
    "finance": {"year": "int", "item": "key", "value": "num"},
    "finance_nominal": {"year": "int", "item": "key", "value": "num"},
    "kpi": {"year": "int", "kpi": "key", "value": "num", "unit": "text", "status": "text"},
    "kpi_probability": {"year": "int", "kpi": "key", "probability_red": "num"},
    "population_percentiles": {"year": "int", **dict.fromkeys(("persons_p10", "persons_p50", "persons_p90"), "num")},
    "housing": {
        "development": "key",
        "area": "key",
        "year": "int",
        **dict.fromkeys(("planned", "released", "held_back"), "num"),
        "binding_condition": "text",
    },
    "housing_schedule": {
        "development": "key",
        "area": "text",
        **dict.fromkeys(
            [
                "dwellings",
                "planned_first_completion",
                "chosen_first_completion",
                "shift_years",
                "dwelling_years_moved",
                "revenue_change_mnok",
            ],
            "num",
        ),
    },
    "plan_builds": {
        **dict.fromkeys(("kind", "service", "zone"), "key"),
        **dict.fromkeys(("type", "site", "facility"), "text"),
        **dict.fromkeys(("start_year", "completion_year"), "int"),
        **dict.fromkeys(("places", "gross_cost_mnok", "npv_cost_mnok", "place_years_closed"), "num"),
    },
    "plan_debt": {
        "year": "int",
        **dict.fromkeys(("debt_ratio_without_pct", "debt_ratio_with_pct", "ceiling_pct"), "num"),
    },
    "plan_affordability": {
        "year": "int",
        "service": "key",
        **dict.fromkeys(("needed_mnok", "planned_mnok", "gap_mnok"), "num"),
    },
    "plan_tradeoff": {
        "lever": "key",
        **dict.fromkeys(("value", "place_years_short", "investment_mnok", "max_debt_ratio_pct"), "num"),
    },
    "housing_release": {"development": "key", "probability_never": "num"},
    "housing_held_back": {"development": "key", "year": "int", "held_back_mean": "num", "held_back_p90": "num"},
}
"""The columns the report reads from each table of the results contract (``ltsim/results.py`` writes them);
other columns may follow. Every CSV of a run folder is checked against this before a report is built."""
