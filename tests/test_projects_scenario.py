"""Projects through the scenario loader and pipeline: capacity arrives when a project completes."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_ROWS, projects_config, write_tiny_projects

from ltsim import pipeline
from ltsim.errors import InputError
from ltsim.results import write_run
from ltsim.scenario import load_scenario


def result(path: Path) -> pipeline.RunResult:
    return pipeline.run(load_scenario(path))


def service(res: pipeline.RunResult, sid: str) -> pipeline.ServiceResult:
    return next(s for s in res.services if s.service.id == sid)


def test_completed_projects_add_capacity_in_their_completion_year(tmp_path: Path):
    res = result(write_tiny_projects(tmp_path))
    run = res.projects
    assert run is not None
    # school_ext: start 2025, 12 months → in service 2026; kg_sor: 2024 + 2 years → 2026;
    # care_a: 2026 + 1 → 2027; care_b not chosen; road waits for school_ext (t = 2) + 0.5 → 2027.
    assert run.completion_year.tolist() == [2026, 2026, 2027, -1, 2027]
    school = service(res, "primary_school")
    # school_a: 300 (+40 from 2026 by plan event, +100 from 2026 by the project)
    assert school.capacity[:, 0].tolist() == [300, 300, 440, 440, 440, 440]
    kg = service(res, "kindergarten")
    assert kg.capacity[:, 1].tolist() == [0, 0, 30, 70, 70, 70]  # project 30 from 2026; kg_new 40 from 2027
    care = service(res, "care_24h")
    assert care.capacity[:, 0].tolist() == [50, 50, 50, 70, 20, 20]  # care closes 2028; care_a 20 from 2027


def test_projects_tables_in_the_run_folder(tmp_path: Path):
    folder = write_run(result(write_tiny_projects(tmp_path / "s")), tmp_path / "run", seed=1)
    projects = pd.read_csv(folder / "projects.csv")
    assert projects.set_index("project").loc["care_b", "built"] == False  # noqa: E712
    assert projects.set_index("project").loc["road", "completion_year"] == 2027
    spend = pd.read_csv(folder / "project_spend.csv")
    # default cost profile: construction 93 % of school_ext's 50 over 2025 → 46.5; the rest (7 %) at its start
    school = spend[spend.project == "school_ext"].set_index("year").spend_mnok
    assert school.sum() == pytest.approx(50, abs=0.01)
    assert spend.groupby("project").spend_mnok.sum().get("care_b", 0) == 0


def test_switching_variant_builds_the_other(tmp_path: Path):
    cfg = projects_config()
    cfg["projects"]["variants"] = {"care": "care_b"}
    res = result(write_tiny_projects(tmp_path, cfg))
    assert res.projects.completion_year.tolist()[2:4] == [-1, 2027]
    assert service(res, "care_24h").capacity[3, 0] == 80


def test_delivery_capacity_serialises_large_projects(tmp_path: Path):
    cfg = projects_config()
    cfg["projects"]["delivery_capacity"] = 1
    cfg["projects"]["large_project_mnok"] = 30  # school_ext (50), kg_sor (40), care_a (120) are large
    res = result(write_tiny_projects(tmp_path, cfg))
    # kg_sor starts 2024 and holds the slot for 2 years; school_ext (planned 2025) waits until t = 2.
    assert res.projects.completion_year.tolist()[:3] == [2027, 2026, 2028]


def test_stochastic_mode_is_reproducible_for_a_seed(tmp_path: Path):
    cfg = projects_config()
    cfg["projects"]["mode"] = "stochastic"
    cfg["projects"]["uncertainty"] = {
        "construction": {"dist": "triangular", "low": 0, "mode": 6, "high": 24},
        "cost": {"dist": "lognormal", "median": 1.1, "sigma": 0.2},
    }
    path = write_tiny_projects(tmp_path, cfg)
    a, b = result(path), result(path)
    assert np.array_equal(a.projects.completion, b.projects.completion, equal_nan=True)
    assert (a.projects.completion[[0, 1, 2, 4]] >= [2, 2, 3, 2.5]).all()  # delays are never negative here


# ----------------------------------------------------------------------- bad input


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def rows_with(**changes: dict[int, object]) -> list[list[object]]:
    rows = copy.deepcopy(PROJECT_ROWS)
    from conftest import PROJECT_HEADER

    for column, by_row in changes.items():
        for i, value in by_row.items():
            rows[i][PROJECT_HEADER.index(column)] = value
    return rows


def test_dependency_cycle_is_named(tmp_path: Path):
    msgs = problems(write_tiny_projects(tmp_path, rows=rows_with(depends_on={0: "road"})))
    assert len(msgs) == 1
    assert "projects.csv, row 2: column 'depends_on': found the cycle school_ext → road → school_ext" in msgs[0]


def test_unknown_service_and_zone(tmp_path: Path):
    (msg,) = problems(write_tiny_projects(tmp_path / "a", rows=rows_with(service={0: "school"})))
    assert (
        "row 2: column 'service': found 'school'; expected a declared service (primary_school, kindergarten, care_24h)"
        in msg
    )
    msgs = problems(write_tiny_projects(tmp_path / "b", rows=rows_with(zone={1: "east"})))
    assert any(
        "row 3: column 'zone': found 'east'; expected a zone of zone system 'areas' (north, south)" in m for m in msgs
    )


def test_negative_duration(tmp_path: Path):
    (msg,) = problems(write_tiny_projects(tmp_path, rows=rows_with(construction_months={1: -3})))
    assert "row 3: column 'construction_months': found '-3'; expected a duration in months from 0 to 240" in msg


def test_latest_completion_before_earliest_start(tmp_path: Path):
    (msg,) = problems(write_tiny_projects(tmp_path, rows=rows_with(latest_completion={1: 2023})))
    assert "row 3: column 'latest_completion': found 2023; expected a year at or after earliest_start 2024" in msg


def test_empty_window(tmp_path: Path):
    # kg_sor takes 2 years; earliest start 2024 → cannot finish by 2025
    (msg,) = problems(write_tiny_projects(tmp_path, rows=rows_with(latest_completion={1: 2025})))
    assert "found 2025 (the window is empty)" in msg


def test_variant_choice_missing_and_dependency_on_excluded_variant(tmp_path: Path):
    cfg = projects_config()
    cfg["projects"]["variants"] = {}
    msgs = problems(write_tiny_projects(tmp_path / "a", cfg))
    assert any(
        "projects.variants: found no entry; expected a choice for exclusive group 'care' (one of care_a, care_b)" in m
        for m in msgs
    )
    msgs = problems(write_tiny_projects(tmp_path / "b", rows=rows_with(depends_on={4: "care_b"})))
    assert any("row 6: column 'depends_on': found 'care_b'; expected a project that is built" in m for m in msgs)


def test_project_facility_must_match_service_and_zone(tmp_path: Path):
    (msg,) = problems(write_tiny_projects(tmp_path, rows=rows_with(facility={0: "school_b"})))
    assert (
        "row 2: column 'facility': found 'school_b'; expected a facility of service 'primary_school' in zone 'z_n'"
        in msg
    )


def test_defer_moves_the_start_and_the_spend(tmp_path: Path):
    plain = result(write_tiny_projects(tmp_path / "a"))
    cfg = projects_config()
    cfg["projects"]["defer"] = {"school_ext": 2}
    later = result(write_tiny_projects(tmp_path / "b", cfg))
    assert later.projects.completion_year[0] == plain.projects.completion_year[0] + 2 == 2028
    # the road waits for school_ext, so it moves too
    assert later.projects.completion_year[4] == plain.projects.completion_year[4] + 2
    spend_plain = plain.projects.spend_mnok[0]
    assert later.projects.spend_mnok[0, 2:].tolist() == pytest.approx(spend_plain[:3].tolist())
    school = service(later, "primary_school")
    assert school.capacity[:, 0].tolist() == [300, 300, 340, 340, 440, 440]


def test_defer_before_the_earliest_start_is_bad_input(tmp_path: Path):
    cfg = projects_config()
    cfg["projects"]["defer"] = {"school_ext": -2, "school_q": 1}
    msgs = problems(write_tiny_projects(tmp_path, cfg))
    assert any("projects.defer.school_q: found 'school_q'; expected a project in the catalogue" in m for m in msgs)
    cfg["projects"]["defer"] = {"school_ext": -2}
    (msg,) = problems(write_tiny_projects(tmp_path / "b", cfg))
    assert (
        "column 'planned_start': found 2023 (after projects.defer moves it -2 years); expected a planned start at or after the earliest start 2024"
        in msg
    )
