"""Demand and capacity through the scenario and pipeline, hand-checked on the tiny scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import EVENT_HEADER, FACILITY_HEADER, services_config, write_csv, write_tiny_services

from ltsim import pipeline
from ltsim.errors import InputError
from ltsim.results import write_run
from ltsim.scenario import load_scenario


def run(path: Path) -> pipeline.RunResult:
    return pipeline.run(load_scenario(path))


def by_id(result: pipeline.RunResult, service: str) -> pipeline.ServiceResult:
    return next(s for s in result.services if s.service.id == service)


def test_primary_demand_follows_the_zone_split(tmp_path: Path):
    """Base 2024 (conftest): persons per sex and age = 10 + age % 7 (+5 in north).

    Ages 6–12: Σ(age % 7) = 6+0+1+2+3+4+5 = 21, so per sex south 70 + 21 = 91, north 91 + 35 = 126;
    both sexes: north 252, south 182. Zone z_n = 252 + 0.4 · 182 = 324.8; z_s = 0.6 · 182 = 109.2.
    """
    res = run(write_tiny_services(tmp_path))
    school = by_id(res, "primary_school")
    assert school.zone_ids == ("z_n", "z_s")
    assert school.demand.places[0].tolist() == pytest.approx([324.8, 109.2])
    assert school.demand.places.sum(axis=1) == pytest.approx(res.population.persons[:, :, :, 6:13].sum(axis=(1, 2, 3)))


def test_capacity_events_and_utilisation(tmp_path: Path):
    res = run(write_tiny_services(tmp_path))
    school = by_id(res, "primary_school")
    # school_a 300 (+40 from 2026) in z_n at utilisation 0.9; B 100 (util 1.0) + C 80 (0.9) in z_s
    assert school.capacity[:, 0].tolist() == [300, 300, 340, 340, 340, 340]
    assert school.usable_capacity[:, 0].tolist() == pytest.approx([270, 270, 306, 306, 306, 306])
    assert school.usable_capacity[0, 1] == pytest.approx(100 + 72)
    assert school.gap[0].tolist() == pytest.approx([324.8 - 270, 109.2 - 172])


def test_kindergarten_weights_private_share_and_opening(tmp_path: Path):
    """North ages 1–2: (10+1+5)+(10+2+5) = 33 per sex → 66 × 0.5 coverage × 2 places = 66 places;
    ages 3–5: (18+19+20) = 57 per sex → 114 × 0.9 = 102.6. Total 168.6; municipal half 84.3."""
    res = run(write_tiny_services(tmp_path))
    kg = by_id(res, "kindergarten")
    assert kg.zone_ids == ("north", "south")
    assert kg.demand.places[0, 0] == pytest.approx(168.6)
    assert kg.demand.municipal_places[0, 0] == pytest.approx(84.3)
    assert kg.capacity[:, 1].tolist() == [0, 0, 0, 40, 40, 40]  # opens 2027


def test_dated_coverage_and_closing_year(tmp_path: Path):
    res = run(write_tiny_services(tmp_path))
    care = by_id(res, "care_24h")
    assert care.zone_ids == ("kommune",)
    assert care.capacity[:, 0].tolist() == [50, 50, 50, 50, 0, 0]  # closes 2028
    # 45–50 coverage falls linearly 0.2 → 0.1 over 2024–2029: 0.18 in 2025
    assert care.service.coverage[1, 45] == pytest.approx(0.18)


def test_measure_switches_on_a_merger(tmp_path: Path):
    cfg = services_config()
    cfg["capacity"]["active_measures"] = ["merge_south"]
    res = run(write_tiny_services(tmp_path, cfg))
    school = by_id(res, "primary_school")
    # C (80 places, utilisation 0.9) merges into B (utilisation 1.0) from 2025: z_s keeps 180
    # places, and from 2025 they are all B's, so all usable at B's utilisation.
    assert school.capacity[:, 1].tolist() == [180] * 6
    assert school.usable_capacity[:, 1].tolist() == pytest.approx([172, 180, 180, 180, 180, 180])


def test_run_folder_has_demand_and_capacity_tables(tmp_path: Path):
    folder = write_run(run(write_tiny_services(tmp_path / "s")), tmp_path / "run", seed=1)
    demand = pd.read_csv(folder / "demand.csv")
    capacity = pd.read_csv(folder / "capacity.csv")
    summary = pd.read_csv(folder / "capacity_summary.csv")
    assert list(demand.columns) == ["year", "zone", "service", "users", "demand", "demand_municipal"]
    assert list(capacity.columns[:8]) == [
        "year",
        "zone",
        "service",
        "capacity",
        "usable_capacity",
        "demand",
        "gap",
        "utilisation",
    ]
    assert (demand.demand >= 0).all()
    assert np.allclose(capacity.gap, capacity.demand - capacity.usable_capacity, atol=0.002)
    north = summary[(summary.service == "primary_school") & (summary.zone == "z_n")].iloc[0]
    gaps = capacity[(capacity.service == "primary_school") & (capacity.zone == "z_n")].gap.clip(lower=0)
    assert north.place_years_short == pytest.approx(gaps.sum(), abs=0.01)


# ----------------------------------------------------------------------- bad input


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_facility_in_an_undeclared_zone(tmp_path: Path):
    path = write_tiny_services(tmp_path)
    write_csv(
        tmp_path / "data" / "facilities.csv",
        FACILITY_HEADER,
        [["school_x", "X", "primary_school", "z_east", 100, 2000, "", ""]],
    )
    (msg,) = problems_of(path)
    assert "facilities.csv, row 2: column 'zone': found 'z_east'" in msg
    assert "z_n, z_s" in msg


def test_merger_into_a_closed_facility(tmp_path: Path):
    path = write_tiny_services(tmp_path)
    write_csv(
        tmp_path / "data" / "capacity_events.csv",
        EVENT_HEADER,
        [[2025, "closure", "school_b", "", "", ""], [2027, "merger", "school_c", "", "school_b", ""]],
    )
    msgs = problems_of(path)
    assert any("capacity_events.csv, row 3: column 'to_facility'" in m and "closes 2025" in m for m in msgs)


def test_closure_before_opening(tmp_path: Path):
    path = write_tiny_services(tmp_path)
    write_csv(tmp_path / "data" / "capacity_events.csv", EVENT_HEADER, [[2025, "closure", "kg_new", "", "", ""]])
    (msg,) = problems_of(path)
    assert "row 2: column 'year': found 2025; expected a closure in or after the year 'kg_new' opens (2027)" in msg


def test_closes_not_after_opens_in_the_register(tmp_path: Path):
    path = write_tiny_services(tmp_path)
    write_csv(
        tmp_path / "data" / "facilities.csv",
        FACILITY_HEADER,
        [["care", "S", "care_24h", "kommune", 50, 2020, 2019, ""]],
    )
    (msg,) = problems_of(path)
    assert "column 'closes': found 2019; expected a closing year after the opening year 2020" in msg


def test_overlapping_age_bands(tmp_path: Path):
    cfg = services_config()
    cfg["services"][1]["coverage"] = [{"ages": [1, 3], "rate": 0.5}, {"ages": [3, 5], "rate": 0.9}]
    path = write_tiny_services(tmp_path, cfg)
    (msg,) = problems_of(path)
    assert (
        "services[1].coverage[1].ages: found [3, 5]; expected age bands that do not overlap (coverage[0] covers 1–3)"
        in msg
    )
    lines = path.read_text().splitlines()
    start = next(i for i, t in enumerate(lines) if "id: kindergarten" in t)
    line = [i + 1 for i, t in enumerate(lines) if i > start and "- ages:" in t][1]  # second band of service 1
    assert f"scenario.yaml, line {line}:" in msg


def test_coverage_above_one(tmp_path: Path):
    cfg = services_config()
    cfg["services"][0]["coverage"][0]["rate"] = 97.1
    (msg,) = problems_of(write_tiny_services(tmp_path, cfg))
    assert (
        "services[0].coverage[0].rate: found 97.1; expected a fraction between 0 and 1 (write 0.971 for 97.1 %)" in msg
    )


def test_unknown_zone_system_and_measure(tmp_path: Path):
    cfg = services_config()
    cfg["services"][0]["zone_system"] = "schools"
    cfg["capacity"]["active_measures"] = ["merge_north"]
    msgs = problems_of(write_tiny_services(tmp_path, cfg))
    assert any(
        "services[0].zone_system: found 'schools'; expected a declared zone system (areas, municipality, school)" in m
        for m in msgs
    )
    assert any(
        "capacity.active_measures[0]: found 'merge_north'; expected a measure declared under capacity.measures (merge_south)"
        in m
        for m in msgs
    )


def test_zone_shares_must_sum_to_one(tmp_path: Path):
    path = write_tiny_services(tmp_path)
    write_csv(
        tmp_path / "data" / "zones_school.csv",
        ["area", "zone", "share"],
        [["north", "z_n", 1.0], ["south", "z_s", 0.6]],
    )
    (msg,) = problems_of(path)
    assert "zones_school.csv" in msg and "area 'south'" in msg and "a sum of 0.6" in msg


def test_event_on_an_unknown_facility_and_extension_without_places(tmp_path: Path):
    path = write_tiny_services(tmp_path)
    write_csv(
        tmp_path / "data" / "capacity_events.csv",
        EVENT_HEADER,
        [[2026, "extension", "school_z", 10, "", ""], [2026, "extension", "school_a", "", "", ""]],
    )
    msgs = problems_of(path)
    assert any("row 2: column 'facility': found 'school_z'" in m for m in msgs)
    assert any(
        "row 3: column 'places': found a blank cell; expected the change in places for an extension" in m for m in msgs
    )


def test_inactive_measures_are_validated_too(tmp_path: Path):
    path = write_tiny_services(tmp_path)
    write_csv(tmp_path / "data" / "merge_south.csv", EVENT_HEADER, [[2025, "merger", "school_c", "", "kg_north", ""]])
    (msg,) = problems_of(path)
    assert "merge_south.csv, row 2: column 'to_facility'" in msg and "same service" in msg


def test_resolved_scenario_with_services_reloads_to_the_same_hash(tmp_path: Path):
    sc = load_scenario(write_tiny_services(tmp_path / "s"))
    folder = write_run(pipeline.run(sc), tmp_path / "run", seed=1)
    resolved = yaml.safe_load((folder / "scenario.resolved.yaml").read_text())
    assert Path(resolved["zone_systems"][0]["mapping"]).is_absolute()
    assert load_scenario(folder / "scenario.resolved.yaml").hash == sc.hash
