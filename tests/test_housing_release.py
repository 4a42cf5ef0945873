"""Housing released under sequencing rules (rekkefølgekrav), on the tiny scenario."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import projects_config, write_csv, write_tiny_projects

from ltsim import pipeline
from ltsim.errors import InputError
from ltsim.models.housing import BINDING_NAMES, GAP, GapCondition, release
from ltsim.results import write_run
from ltsim.scenario import load_scenario

# conftest: development Nordbyen in area north, 100 apartments in 2025 and 50 in 2026, realisation 0.8
PLANNED = [0, 80, 40, 0, 0]


def with_conditions(conditions: dict) -> dict:
    cfg = projects_config()
    cfg["population"]["housing"]["conditions"] = conditions
    return cfg


def released(res: pipeline.RunResult) -> list[float]:
    return res.housing.released[0].sum(axis=0).tolist()


def test_development_waits_for_a_project_and_is_released_when_it_is_in_service(tmp_path: Path):
    """school_ext runs through 2025 and is in service from 2026, so Nordbyen's 2025 dwellings wait a year."""
    res = pipeline.run(
        load_scenario(write_tiny_projects(tmp_path, with_conditions({"Nordbyen": {"after_projects": ["school_ext"]}})))
    )
    assert res.projects.completion_year[0] == 2026
    assert released(res) == pytest.approx([0, 0, 120, 0, 0])
    assert res.housing.held_back[0].sum(axis=0).tolist() == pytest.approx([0, 80, 0, 0, 0])
    assert res.warnings == ()


def test_at_most_k_dwellings_a_year_keeps_the_queue(tmp_path: Path):
    res = pipeline.run(
        load_scenario(write_tiny_projects(tmp_path, with_conditions({"Nordbyen": {"max_dwellings_per_year": 50}})))
    )
    assert released(res) == pytest.approx([0, 50, 50, 20, 0])
    folder = write_run(res, tmp_path / "run", seed=1)
    housing = pd.read_csv(folder / "housing.csv")
    assert list(housing.columns) == [
        "development",
        "area",
        "year",
        "planned",
        "released",
        "held_back",
        "binding_condition",
    ]
    assert housing.binding_condition.tolist() == ["none", "max_per_year", "max_per_year", "none", "none"]
    assert housing.planned.tolist() == pytest.approx(PLANNED)


def test_gap_condition_never_lets_released_housing_push_the_gap_over_its_limit(tmp_path: Path):
    """Kindergarten places in area north: the gap may be at most 20 places while Nordbyen moves in
    (the base gap is 24, 18, 8.5, −0.4, −7.9, −14.6 in 2024–2029)."""
    conditions = {"Nordbyen": {"max_gap": [{"service": "kindergarten", "zone": "north", "max_gap_places": 20}]}}
    cfg = with_conditions(conditions)
    res = pipeline.run(load_scenario(write_tiny_projects(tmp_path / "c", cfg)))
    none = copy.deepcopy(cfg)
    none["population"]["housing"]["realisation"] = 0.0  # the path without Nordbyen
    base = pipeline.run(load_scenario(write_tiny_projects(tmp_path / "b", none)))
    kg = next(s for s in res.services if s.service.id == "kindergarten")
    kg_base = next(s for s in base.services if s.service.id == "kindergarten")
    limit = np.maximum(20.0, kg_base.gap[:, 0])
    assert (kg.gap[:, 0] <= limit + 1e-6).all()
    assert sum(released(res)) < 120  # some housing is held back …
    assert sum(released(res)) > 0  # … and some is released
    assert (res.housing.binding[0] == GAP).any()


def test_release_model_by_hand():
    """One development, one type; one dwelling adds 2 places to the gap in every later year.

    Gap path 0, 4, 6 (stock years 0–2), limit 10. Year 0: room min((10−4)/2, (10−6)/2) = 2 of 5
    queued; year 1: 3 more queued + 3 left = 6, room now (10 − 6 − 2·2)/2 = 0.
    """
    response = np.zeros((1, 1, 2, 3))
    response[0, 0, 0, 1:] = 2.0
    response[0, 0, 1, 2:] = 2.0
    cond = GapCondition(limit=10.0, gap=np.array([0.0, 4.0, 6.0]), response=response, applies=np.array([True]))
    out = release(np.array([[[5.0, 1.0]]]), np.array([np.inf]), np.array([0]), (cond,))
    assert out.released[0, 0].tolist() == pytest.approx([2.0, 0.0])
    assert out.held_back[0, 0].tolist() == pytest.approx([3.0, 4.0])
    assert out.gaps[0].tolist() == pytest.approx([0.0, 8.0, 10.0])


def test_not_before_holds_the_queue_then_releases_at_the_yearly_pace():
    """Planned 30, 30, 30, 0, 0; not before year index 2, at most 40 a year: nothing in years 0–1
    (binding not_before), then min(90, 40) = 40, 40, and the last 10."""
    out = release(
        np.array([[[30.0, 30.0, 30.0, 0.0, 0.0]]]),
        np.array([40.0]),
        np.array([0]),
        not_before=np.array([2]),
    )
    assert out.released[0, 0].tolist() == pytest.approx([0.0, 0.0, 40.0, 40.0, 10.0])
    assert out.held_back[0, 0].tolist() == pytest.approx([30.0, 60.0, 50.0, 10.0, 0.0])
    names = [BINDING_NAMES[b] for b in out.binding[0]]
    assert names == ["not_before", "not_before", "max_per_year", "max_per_year", "none"]
    # waiting for a project comes first, then the date
    both = release(np.array([[[30.0, 0.0, 0.0]]]), np.array([np.inf]), np.array([1]), not_before=np.array([2]))
    assert [BINDING_NAMES[b] for b in both.binding[0]] == ["after_project", "not_before", "none"]


def test_not_before_outside_the_horizon_is_named(tmp_path: Path):
    cfg = projects_config()
    cfg["population"]["housing"]["conditions"] = {"Nordbyen": {"not_before": 2035}}
    with pytest.raises(InputError) as info:
        load_scenario(write_tiny_projects(tmp_path, cfg))
    assert "population.housing.conditions.Nordbyen.not_before" in str(info.value) and "2024–2029" in str(info.value)


def test_a_condition_that_can_never_hold_is_reported(tmp_path: Path):
    """care_b is the variant not chosen, so a development waiting for it is never released."""
    res = pipeline.run(
        load_scenario(write_tiny_projects(tmp_path, with_conditions({"Nordbyen": {"after_projects": ["care_b"]}})))
    )
    assert sum(released(res)) == 0
    assert any("care_b" in w and "not built" in w for w in res.warnings)
    assert any("120 dwellings still held back" in w for w in res.warnings)
    folder = write_run(res, tmp_path / "run", seed=1)
    import json

    assert json.loads((folder / "manifest.json").read_text())["warnings"] == list(res.warnings)


def test_conditions_that_never_bind_change_nothing(tmp_path: Path):
    plain = write_run(pipeline.run(load_scenario(write_tiny_projects(tmp_path / "a"))), tmp_path / "ra", seed=1)
    cfg = with_conditions({"Nordbyen": {"max_dwellings_per_year": 1000}})
    loose = write_run(pipeline.run(load_scenario(write_tiny_projects(tmp_path / "b", cfg))), tmp_path / "rb", seed=1)
    for name in ("population.csv", "population_change.csv", "capacity.csv", "housing.csv"):
        assert (plain / name).read_bytes() == (loose / name).read_bytes(), name


def bad(tmp_path: Path, conditions: dict, control: bool = False) -> list[str]:
    cfg = with_conditions(conditions)
    if control:
        cfg["population"]["control_totals"] = "data/control.csv"
    path = write_tiny_projects(tmp_path, cfg)
    write_csv(tmp_path / "data" / "control.csv", ["year", "persons"], [[2026, 4000]])
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_bad_conditions_are_named(tmp_path: Path):
    (msg,) = bad(tmp_path / "a", {"Sørbyen": {"max_dwellings_per_year": 5}})
    assert (
        "population.housing.conditions.Sørbyen: found 'Sørbyen'; expected a development of the housing programme (Nordbyen)"
        in msg
    )
    (msg,) = bad(tmp_path / "b", {"Nordbyen": {"after_projects": ["school_x"]}})
    assert "conditions.Nordbyen.after_projects[0]: found 'school_x'; expected a project in the catalogue" in msg
    (msg,) = bad(
        tmp_path / "c", {"Nordbyen": {"max_gap": [{"service": "kindergarten", "zone": "z_n", "max_gap_places": 0}]}}
    )
    assert "max_gap[0].zone: found 'z_n'; expected a zone of 'areas' (north, south)" in msg
    msgs = bad(
        tmp_path / "d",
        {"Nordbyen": {"max_gap": [{"service": "kindergarten", "zone": "north", "max_gap_places": 0}]}},
        control=True,
    )
    assert any("no control_totals with a gap condition" in m for m in msgs)


def test_under_monte_carlo_a_delayed_school_delays_the_housing(tmp_path: Path):
    from ltsim.montecarlo import run_montecarlo

    cfg = with_conditions({"Nordbyen": {"after_projects": ["school_ext"]}})
    cfg["projects"]["mode"] = "stochastic"
    cfg["projects"]["uncertainty"] = {"construction": {"dist": "triangular", "low": 0, "mode": 6, "high": 30}}
    sc = load_scenario(write_tiny_projects(tmp_path / "s", cfg))
    res = pipeline.run(sc)
    mc = run_montecarlo(sc, res.population.persons, reps=30, seed=4, workers=1)
    school = mc.completion_year[:, 0]
    years = np.arange(2024, 2029)
    first = np.array([years[np.argmax(r > 1e-9)] if (r > 1e-9).any() else -1 for r in mc.released[:, 0]])
    built_in_time = school <= 2028
    assert (first[built_in_time] == np.maximum(2025, school[built_in_time])).all()
    assert (first[~built_in_time] == -1).all()
    assert len(set(school.tolist())) > 1  # the school's completion does vary
    folder = write_run(res, tmp_path / "run", seed=4, montecarlo=mc)
    release_table = pd.read_csv(folder / "housing_release.csv")
    row = release_table.iloc[0]
    assert row.development == "Nordbyen"
    assert row.first_release_year_p10 <= row.first_release_year_p50 <= row.first_release_year_p90
    assert set(pd.read_csv(folder / "housing_held_back.csv").columns) == {
        "development",
        "year",
        "held_back_mean",
        "held_back_p90",
    }


def rows_waiting_for_housing(dep: str) -> list[list]:
    from conftest import PROJECT_HEADER, PROJECT_ROWS

    rows = copy.deepcopy(PROJECT_ROWS)
    rows[1][PROJECT_HEADER.index("depends_on")] = dep  # kg_sor: planned 2024, 2 years
    return rows


def test_a_project_waits_for_the_first_housing(tmp_path: Path):
    """kg_sor waits for Nordbyen's first dwellings (2025): starts 2025, in service 2027 instead of 2026."""
    plain = pipeline.run(load_scenario(write_tiny_projects(tmp_path / "a")))
    res = pipeline.run(
        load_scenario(write_tiny_projects(tmp_path / "b", rows=rows_waiting_for_housing("housing:Nordbyen")))
    )
    assert plain.projects.completion_year[1] == 2026
    assert res.projects.completion_year[1] == 2027
    assert res.projects.start[1] == 1.0


def test_housing_and_projects_settle_together(tmp_path: Path):
    """Nordbyen waits for school_ext (in service 2026); kg_sor waits for Nordbyen: starts 2026, in service 2028."""
    cfg = with_conditions({"Nordbyen": {"after_projects": ["school_ext"]}})
    res = pipeline.run(
        load_scenario(write_tiny_projects(tmp_path, cfg, rows=rows_waiting_for_housing("housing:Nordbyen")))
    )
    assert released(res)[:3] == pytest.approx([0, 0, 120])
    assert res.projects.completion_year[1] == 2028


def test_a_cycle_between_housing_and_a_project_names_both(tmp_path: Path):
    cfg = with_conditions({"Nordbyen": {"after_projects": ["kg_sor"]}})
    with pytest.raises(InputError) as info:
        load_scenario(write_tiny_projects(tmp_path, cfg, rows=rows_waiting_for_housing("housing:Nordbyen")))
    (msg,) = [str(p) for p in info.value.problems]
    assert "development 'Nordbyen' waits for project 'kg_sor', which waits for the development" in msg
    assert "housing:Nordbyen → kg_sor → housing:Nordbyen" in msg


def test_waiting_for_an_unknown_development(tmp_path: Path):
    with pytest.raises(InputError) as info:
        load_scenario(write_tiny_projects(tmp_path, rows=rows_waiting_for_housing("housing:Sørbyen")))
    assert (
        "column 'depends_on': found 'housing:Sørbyen'; expected housing:<a development of the housing programme>"
        in str(info.value)
    )
