"""Asker's investment programme as a project catalogue (scenarios/asker/build_projects.py, PROJECTS.md).

The catalogue is loaded through a temporary scenario that ``extends:`` the real base.yaml and adds
the ``projects:`` section of ``projects_fragment.yaml`` (paths made absolute), so these tests do not
depend on the lead having merged the fragment yet.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from ltsim.models import projects as proj_model
from ltsim.scenario import Scenario, load_scenario

ASKER = Path(__file__).resolve().parents[1] / "scenarios" / "asker"
SOURCE = ASKER / "data" / "sources" / "projects" / "projects.csv"
OUTPUTS = {
    "projects.csv": ASKER / "data" / "projects.csv",
    "project_spend.csv": ASKER / "data" / "project_spend.csv",
    "projects_fragment.yaml": ASKER / "data" / "projects_fragment.yaml",
}
PLAN_TOTAL_2024_2027 = 6066.275  # Sum investeringsutgifter, HP L5198 (NOK million)

# Justified exceptions: first year in service differs from the table's "Ferdig år" (PROJECTS.md §4).
COMPLETION_EXCEPTIONS = {
    "skole_utvidelse_hvalstad": 2026,  # table 2025; text "vinteren 2026", 119.5 mill spent in 2026
    "skole_utvidelse_mellom_nes": 2024,  # table 2023; text "ferdigstilt i 2024", 14.5 mill in 2024
    "phr_omsorgsboliger_2023_klokkarstua": 2024,  # table 2023; last 5 of 12 units winter 2024
    "brannstasjon_hurum_tofte": 2026,  # table 2027; text turn of 2025/2026, no spend after 2025
    "samferdsel_gs_bro_nesoya": 2027,  # table 2026; text "ferdigstilles i 2027", 35.2 mill in 2027
    "kirke_holmsbu_rehab_sprinkler": 2026,  # table LØPENDE (no year); text: done 2026
}
ILLUSTRATIVE = {"skole_sentrumsskole_ungdomstrinn"}  # not in the plan, not chosen in variants


def source_rows() -> list[dict[str, str]]:
    with SOURCE.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_base_yaml_carries_the_fragment() -> None:
    frag = yaml.safe_load(OUTPUTS["projects_fragment.yaml"].read_text(encoding="utf-8"))
    base = yaml.safe_load((ASKER / "base.yaml").read_text(encoding="utf-8"))
    assert base["projects"] == frag["projects"]


@pytest.fixture(scope="module")
def scenario_yaml() -> Path:
    return ASKER / "base.yaml"


@pytest.fixture(scope="module")
def scenario(scenario_yaml: Path) -> Scenario:
    return load_scenario(scenario_yaml)


def test_build_reproduces_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_projects", ASKER / "build_projects.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    try:
        spec.loader.exec_module(module)
        assert module.main(["--out", str(tmp_path)]) == 0
    finally:
        sys.modules.pop(spec.name, None)
    for name, committed in OUTPUTS.items():
        assert (tmp_path / name).read_bytes() == committed.read_bytes(), f"{name} differs from a fresh build"


def test_catalogue_has_every_non_recurring_project(scenario: Scenario) -> None:
    data = scenario.projects
    assert data is not None
    expected = {r["id"] for r in source_rows() if r["recurring"] != "true"}
    assert len(expected) == 52
    assert set(data.ids) == expected | ILLUSTRATIVE
    assert not data.stochastic


def test_deterministic_completion_years_match_the_plan(scenario: Scenario) -> None:
    data = scenario.projects
    assert data is not None
    run = proj_model.simulate(data.inputs)
    got = dict(zip(data.ids, run.completion_year.tolist(), strict=True))
    for row in source_rows():
        if row["recurring"] == "true":
            continue
        want = COMPLETION_EXCEPTIONS.get(row["id"])
        if want is None:
            want = int(row["completion_year"])
        assert got[row["id"]] == want, row["id"]
    for pid in ILLUSTRATIVE:
        assert got[pid] == proj_model.NOT_BUILT


def test_plan_spend_2024_2027_equals_the_source(scenario: Scenario) -> None:
    data = scenario.projects
    assert data is not None
    run = proj_model.simulate(data.inputs)
    rows = source_rows()
    for k, year in enumerate(range(2024, 2028)):
        projects = sum(float(r[f"spend_{year}"] or 0) for r in rows if r["recurring"] != "true")
        assert run.spend_mnok[:, k].sum() == pytest.approx(projects, abs=1e-6)
    pots = sum(float(r[f"spend_{y}"] or 0) for r in rows if r["recurring"] == "true" for y in range(2024, 2028))
    assert run.spend_mnok[:, :4].sum() + pots == pytest.approx(PLAN_TOTAL_2024_2027, abs=1e-6)
    # gross_cost_mnok is the cost remaining from 2024, so nothing is pushed beyond the plan years
    assert run.spend_mnok[:, 10:].sum() == pytest.approx(0.0, abs=1e-9)
    assert run.spend_after_horizon_mnok.sum() == pytest.approx(0.0, abs=1e-9)


def test_delivery_capacity_is_the_smallest_that_fits_the_plan(scenario: Scenario) -> None:
    data = scenario.projects
    assert data is not None
    plan = proj_model.simulate(data.inputs).completion_year
    tighter = dataclasses.replace(data.inputs, delivery_capacity=data.inputs.delivery_capacity - 1)
    assert (proj_model.simulate(tighter).completion_year > plan).any()


def test_stochastic_variant_loads_and_runs(scenario_yaml: Path, tmp_path: Path) -> None:
    variant = yaml.safe_load((ASKER / "projects-stochastic.yaml").read_text(encoding="utf-8"))
    assert variant.pop("extends") == "base.yaml"
    path = tmp_path / "stochastic.yaml"
    path.write_text(yaml.safe_dump({"extends": str(scenario_yaml), **variant}, allow_unicode=True), encoding="utf-8")
    sc = load_scenario(path)
    data = sc.projects
    assert data is not None and data.stochastic
    rng = np.random.default_rng(7)
    delay, cost = proj_model.draw(data.distributions, data.inputs.phase_years, rng)
    run = proj_model.simulate(data.inputs, delay, cost)
    plan = proj_model.simulate(data.inputs).completion_year
    finished = plan <= 2024
    assert (run.completion_year[finished] == plan[finished]).all()  # work done before 2024 is not delayed
    assert (run.completion_year[data.inputs.included] >= 2023).all()
