"""Property tests: any finite input within the schema's stated ranges gives finite outputs.

Hypothesis draws several fields at once of the tiny scenarios (tests/conftest.py) from the
ranges :mod:`ltsim.schema` states (fertility scale, in-migrants, realisation, dwellings,
capacity, costs, interest rates …), runs the pipeline in-process and checks every output
table of the run: no infinity anywhere, and a NaN (a blank cell) only where the table
documents one — utilisation of a zone without capacity, the peak year of a zone never
short, the years of a project that is not built, the places of a project without places.

Derandomised (the same 60 examples of each test on every run), no deadline; about 20 s in all.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from conftest import (
    FACILITY_HEADER,
    PROJECT_HEADER,
    PROJECT_ROWS,
    finance_config,
    services_config,
    tiny_config,
    write_csv,
    write_tiny,
    write_tiny_finance,
    write_tiny_services,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from ltsim import pipeline, results
from ltsim.schema import DWELLINGS_MAX, MNOK_MAX, PERSONS_MAX, PLACES_MAX

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fractions() -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0)


def rates() -> st.SearchStrategy[float]:
    """Yearly rates within the schema's open interval (−1, 1)."""
    return st.floats(-0.99, 0.99)


def frames(result: pipeline.RunResult) -> dict[str, Any]:
    """Every output table of a run that the scenario has (name → DataFrame)."""
    out: dict[str, Any] = {
        "population": results.population_frame(result),
        "population_change": results.population_change_frame(result),
        "housing": results.housing_frame(result),
    }
    if result.services:
        out["demand"] = results.demand_frame(result)
        out["capacity"] = results.capacity_frame(result)
        out["capacity_summary"] = results.capacity_summary_frame(result)
    if result.scenario.projects is not None:
        out["projects"] = results.projects_frame(result)
        out["project_spend"] = results.project_spend_frame(result)
    if result.scenario.config.finance is not None:
        out["kpi"] = results.kpi_frame(result)
        out.update(results.finance_frames(result))
    return {k: v for k, v in out.items() if v is not None}


def assert_finite(result: pipeline.RunResult) -> None:
    """No infinity in any table; a NaN only where the table documents a blank."""
    for name, df in frames(result).items():
        for col in df.columns:
            series = df[col]
            if not is_numeric_dtype(series) or is_bool_dtype(series):
                continue
            values = series.astype("float64").to_numpy()
            assert not np.isinf(values).any(), f"{name}.{col}: infinity"
            nan = np.isnan(values)
            if not nan.any():
                continue
            if name == "capacity" and col == "utilisation":
                assert (df["capacity"].to_numpy()[nan] == 0).all(), f"{name}.{col}: NaN where capacity > 0"
            elif name == "capacity_summary" and col == "peak_year":
                assert (df["peak_shortfall"].to_numpy()[nan] <= 0).all(), f"{name}.{col}: NaN with a shortfall"
            elif name == "projects" and col in (
                "start_year",
                "planned_completion_year",
                "completion_year",
                "delay_years",
            ):
                assert not df["built"].to_numpy()[nan].any(), f"{name}.{col}: NaN for a built project"
            elif name == "projects" and col == "capacity_places":
                assert (df["service"].to_numpy()[nan] == "").all(), f"{name}.{col}: NaN for a project with places"
            else:
                raise AssertionError(f"{name}.{col}: {int(nan.sum())} NaN cells")


def run(path: Path) -> pipeline.RunResult:
    from ltsim.scenario import load_scenario

    return pipeline.run(load_scenario(path))


def scale_base(root: Path, factor: float) -> None:
    """Multiply every cell of the base population by ``factor``."""
    import csv

    path = root / "data" / "base.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    write_csv(path, rows[0], [[a, age, s, float(p) * factor] for a, age, s, p in rows[1:]])


@SETTINGS
@given(
    fertility_scale=st.floats(0.0, 10.0),
    in_north=st.floats(0.0, PERSONS_MAX / 100),
    in_south=st.floats(0.0, 1e5),
    realisation=fractions(),
    improvement=st.floats(0.0, 0.2),
    in_scale=st.floats(0.0, 10.0),
    out_scale=st.floats(0.0, 12.0),  # keeps the tiny scenario's highest out-rate (0.08) at or below 1
    base_factor=st.sampled_from([0.0, 1e-3, 1.0, 1e3]),
    dwellings=st.floats(0.0, DWELLINGS_MAX),
)
def test_population_inputs_in_range_give_finite_tables(
    fertility_scale: float,
    in_north: float,
    in_south: float,
    realisation: float,
    improvement: float,
    in_scale: float,
    out_scale: float,
    base_factor: float,
    dwellings: float,
) -> None:
    cfg = tiny_config()
    pop = cfg["population"]
    pop["fertility"]["scale"] = fertility_scale
    pop["mortality"]["improvement"] = improvement
    pop["migration"]["in_persons"] = {"north": in_north, "south": {2024: in_south, 2027: 0.0}}
    pop["migration"]["in_scale"] = in_scale
    pop["migration"]["out_scale"] = out_scale
    pop["housing"]["realisation"] = realisation
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_tiny(root, cfg)
        scale_base(root, base_factor)
        write_csv(
            root / "data" / "housing.csv",
            ["development", "area", "year", "dwellings", "dwelling_type"],
            [["Nordbyen", "north", 2025, dwellings, "apartment"], ["Sørbyen", "south", 2029, 1.0, "apartment"]],
        )
        assert_finite(run(path))


@SETTINGS
@given(
    coverage=fractions(),
    private_share=fractions(),
    utilisation=st.floats(0.01, 1.0),
    places=st.lists(st.floats(0.001, PLACES_MAX), min_size=6, max_size=6),
    extension=st.floats(0.0, PLACES_MAX),
    base_factor=st.sampled_from([0.0, 1.0, 100.0]),
)
def test_service_inputs_in_range_give_finite_tables(
    coverage: float,
    private_share: float,
    utilisation: float,
    places: list[float],
    extension: float,
    base_factor: float,
) -> None:
    cfg = services_config()
    cfg["services"][0]["coverage"][0]["rate"] = coverage
    cfg["services"][0]["target_utilisation"] = utilisation
    cfg["services"][1]["private_share"] = private_share
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_tiny_services(root, cfg)
        scale_base(root, base_factor)
        ids = ["school_a", "school_b", "school_c", "kg_north", "kg_new", "care"]
        services = ["primary_school"] * 3 + ["kindergarten"] * 2 + ["care_24h"]
        zones = ["z_n", "z_s", "z_s", "north", "south", "kommune"]
        write_csv(
            root / "data" / "facilities.csv",
            FACILITY_HEADER,
            [
                [i, i, s, z, p, 2000 if i != "kg_new" else 2027, 2028 if i == "care" else "", ""]
                for i, s, z, p in zip(ids, services, zones, places, strict=True)
            ],
        )
        write_csv(
            root / "data" / "capacity_events.csv",
            ["year", "event", "facility", "places", "to_facility", "to_service"],
            [[2026, "extension", "school_a", extension, "", ""]],
        )
        assert_finite(run(path))


@SETTINGS
@given(
    costs=st.lists(st.floats(0.0, MNOK_MAX / 10), min_size=5, max_size=5),
    months=st.lists(st.floats(0.0, 240.0), min_size=5, max_size=5),
    interest=st.lists(rates(), min_size=2, max_size=2),
    real_growth=rates(),
    base_mnok=st.floats(0.001, MNOK_MAX),
    expenses_mnok=st.floats(0.0, MNOK_MAX),
    opening_debt=st.floats(0.0, MNOK_MAX),
    own_financing=fractions(),
    unit_cost=st.floats(0.0, 1000.0),
    wage_growth=rates(),
    other_mnok=st.floats(-MNOK_MAX, MNOK_MAX),
)
def test_project_and_finance_inputs_in_range_give_finite_tables(
    costs: list[float],
    months: list[float],
    interest: list[float],
    real_growth: float,
    base_mnok: float,
    expenses_mnok: float,
    opening_debt: float,
    own_financing: float,
    unit_cost: float,
    wage_growth: float,
    other_mnok: float,
) -> None:
    cfg = finance_config()
    fin = cfg["finance"]
    fin["revenue"].update(base_mnok=base_mnok, real_growth=real_growth, other_mnok=other_mnok)
    fin["expenses"].update(base_mnok=expenses_mnok, unit_cost_mnok={"primary_school": unit_cost, "care_24h": unit_cost})
    fin["investment"]["own_financing_share"] = own_financing
    fin["debt"].update(interest_rate={2024: interest[0], 2026: interest[1]}, opening_debt_mnok=opening_debt)
    fin["start_loans"]["interest_rate"] = interest[1]
    fin["deflator"] = {"wage_growth": wage_growth, "price_growth": interest[0]}
    rows = [list(r) for r in PROJECT_ROWS]
    cost_col = PROJECT_HEADER.index("gross_cost_mnok")
    months_col = PROJECT_HEADER.index("construction_months")
    latest_col = PROJECT_HEADER.index("latest_completion")
    for row, cost, m in zip(rows, costs, months, strict=True):
        row[cost_col] = cost
        row[months_col] = m
        row[latest_col] = ""  # no deadline: any duration in range is a valid plan
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = write_tiny_finance(root, cfg)
        write_csv(root / "data" / "projects.csv", PROJECT_HEADER, rows)
        assert_finite(run(path))


@SETTINGS
@given(
    low=st.floats(-240.0, 240.0),
    spread=st.tuples(st.floats(0.0, 240.0), st.floats(0.0, 240.0)),
    cost_low=st.floats(0.0, 10.0),
    cost_spread=st.tuples(st.floats(0.0, 10.0), st.floats(0.0, 10.0)),
    median=st.floats(0.01, 100.0),
    sigma=st.floats(0.0, 3.0),
    seed=st.integers(0, 2**32),
)
def test_stochastic_projects_in_range_give_finite_tables(
    low: float,
    spread: tuple[float, float],
    cost_low: float,
    cost_spread: tuple[float, float],
    median: float,
    sigma: float,
    seed: int,
) -> None:
    cfg = finance_config()
    cfg["seed"] = seed
    cfg["projects"]["mode"] = "stochastic"
    cfg["projects"]["uncertainty"] = {
        "planning": {"dist": "triangular", "low": low, "mode": low + spread[0], "high": low + sum(spread)},
        "construction": {"dist": "lognormal", "median": median, "sigma": sigma},
        "cost": {
            "dist": "triangular",
            "low": cost_low,
            "mode": cost_low + cost_spread[0],
            "high": cost_low + sum(cost_spread),
        },
    }
    cfg["projects"]["uncertainty_by_category"] = {
        "nursing_home": {"cost": {"dist": "lognormal", "median": median, "sigma": sigma}}
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = write_tiny_finance(Path(tmp), cfg)
        assert_finite(run(path))
