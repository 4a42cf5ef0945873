"""Monte Carlo of the whole pipeline (issue 21): population variants drawn per replication (population.uncertainty).

Each replication draws level factors from its own stream and runs population → demand → capacity → finance
→ key figures; the numbers depend on the seed and the replication only, not on the worker count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import projects_config, write_tiny_projects

from ltsim import pipeline
from ltsim.errors import InputError
from ltsim.models import population as pop_model
from ltsim.montecarlo import population_factors, run_montecarlo
from ltsim.scenario import load_scenario
from ltsim.schema import PopulationUncertainty

ASKER = Path(__file__).resolve().parents[1] / "scenarios" / "asker"


def write(tmp_path: Path, uncertainty: dict | None) -> Path:
    cfg = projects_config()
    cfg["projects"]["mode"] = "stochastic"
    cfg["projects"]["uncertainty"] = {"construction": {"dist": "lognormal", "median": 1.1, "sigma": 0.3}}
    if uncertainty is not None:
        cfg["population"]["uncertainty"] = uncertainty
    return write_tiny_projects(tmp_path, cfg)


VARIANTS = {
    "fertility": {"dist": "triangular", "low": 0.8, "mode": 1.0, "high": 1.2},
    "in_migration": {"dist": "lognormal", "median": 1.0, "sigma": 0.2},
    "housing": {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 1.0},
}


def test_whole_pipeline_same_numbers_for_one_and_two_workers(tmp_path: Path):
    sc = load_scenario(write(tmp_path, VARIANTS))
    persons = pipeline.run(sc).population.persons
    one = run_montecarlo(sc, persons, reps=60, seed=5, workers=1)
    two = run_montecarlo(sc, persons, reps=60, seed=5, workers=2)
    assert one.factor_names == ("fertility", "in_migration", "housing")
    for name in ("completion_year", "cost_mnok", "factors", "population_total"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    for a, b in zip((*one.short, *one.usable), (*two.short, *two.usable), strict=True):
        assert np.array_equal(a, b)
    # the population varies between replications, as drawn
    totals = one.population_total[:, -1]
    assert totals.std() > 0
    assert np.corrcoef(one.factors[:, 1], totals)[0, 1] > 0.5  # more in-migrants, more persons


def test_population_draws_leave_the_project_draws_as_they_were(tmp_path: Path):
    plain = load_scenario(write(tmp_path / "a", None))
    varied = load_scenario(write(tmp_path / "b", VARIANTS))
    persons = pipeline.run(plain).population.persons
    a = run_montecarlo(plain, persons, reps=20, seed=3, workers=1)
    b = run_montecarlo(varied, persons, reps=20, seed=3, workers=1)
    assert np.array_equal(a.completion_year, b.completion_year) and np.array_equal(a.cost_mnok, b.cost_mnok)
    assert a.factors is None and b.factors.shape == (20, 3)


def test_factors_of_one_reproduce_the_run_without_uncertainty(tmp_path: Path):
    one = {"fertility": {"dist": "triangular", "low": 1, "mode": 1, "high": 1}}
    plain = load_scenario(write(tmp_path / "a", None))
    fixed = load_scenario(write(tmp_path / "b", one))
    persons = pipeline.run(plain).population.persons
    a = run_montecarlo(plain, persons, reps=5, seed=3, workers=1)
    b = run_montecarlo(fixed, persons, reps=5, seed=3, workers=1)
    assert np.all(b.factors == 1.0)
    assert np.array_equal(a.population_total, b.population_total)
    for x, y in zip(a.short, b.short, strict=True):
        assert np.array_equal(x, y)


def test_vary_scales_each_level():
    sc = load_scenario(ASKER / "base.yaml")
    x = pipeline.population_inputs(sc)
    y = pop_model.vary(x, fertility=1.1, mortality=0.9, in_migration=1.2, out_migration=0.8, housing=0.5)
    assert np.allclose(y.fertility_rate, x.fertility_rate * 1.1)
    assert np.allclose(y.death_rate, x.death_rate * 0.9)
    assert np.allclose(y.in_persons, x.in_persons * 1.2)
    assert np.allclose(y.out_scale, x.out_scale * 0.8)
    assert np.allclose(y.housing_in, x.housing_in * 0.5)
    same = pop_model.project(pop_model.vary(x))
    assert np.array_equal(same.persons, pop_model.project(x).persons)


def test_triangular_and_lognormal_factor_draws():
    u = PopulationUncertainty.model_validate(
        {
            "fertility": {"dist": "triangular", "low": 0.9, "mode": 1.0, "high": 1.1},
            "mortality": {"dist": "lognormal", "median": 1.0, "sigma": 0.1},
        }
    )
    draws = [population_factors(u, np.random.default_rng(i)) for i in range(2000)]
    fert = np.array([d["fertility"] for d in draws])
    mort = np.array([d["mortality"] for d in draws])
    assert list(draws[0]) == ["fertility", "mortality"]
    assert fert.min() >= 0.9 and fert.max() <= 1.1 and abs(fert.mean() - 1.0) < 0.005
    assert abs(np.median(mort) - 1.0) < 0.01 and abs(np.log(mort).std() - 0.1) < 0.01


def test_negative_factor_is_bad_input(tmp_path: Path):
    path = write(tmp_path, {"housing": {"dist": "triangular", "low": -0.1, "mode": 1.0, "high": 1.0}})
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "population.uncertainty.housing" in str(info.value)
    assert "factors from 0 to 100" in str(info.value)


def test_dask_local_cluster_gives_the_same_numbers_as_one_process(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    sc = load_scenario(write(tmp_path, VARIANTS))
    persons = pipeline.run(sc).population.persons
    local = run_montecarlo(sc, persons, reps=60, seed=9, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_montecarlo(sc, persons, reps=60, seed=9, dask=cluster.scheduler_address)
    for name in ("completion_year", "cost_mnok", "factors", "population_total", "kpi_values", "kpi_red"):
        a, b = getattr(local, name), getattr(remote, name)
        assert (a is None and b is None) or np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    for a, b in zip((*local.short, *local.usable), (*remote.short, *remote.usable), strict=True):
        assert np.array_equal(a, b)
