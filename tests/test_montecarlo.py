"""Monte Carlo: reproducible per seed whatever the number of workers; tables in the run folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import projects_config, write_tiny_projects
from typer.testing import CliRunner

from ltsim import pipeline
from ltsim.cli import app
from ltsim.montecarlo import run_montecarlo
from ltsim.scenario import load_scenario


def stochastic(tmp_path: Path) -> Path:
    cfg = projects_config()
    cfg["projects"]["mode"] = "stochastic"
    cfg["projects"]["uncertainty"] = {
        "regulation": {"dist": "triangular", "low": 0, "mode": 3, "high": 18},
        "construction": {"dist": "lognormal", "median": 1.1, "sigma": 0.3},
        "cost": {"dist": "triangular", "low": 0.95, "mode": 1.05, "high": 1.5},
    }
    return write_tiny_projects(tmp_path, cfg)


def test_same_seed_same_numbers_regardless_of_workers(tmp_path: Path):
    sc = load_scenario(stochastic(tmp_path))
    persons = pipeline.run(sc).population.persons
    one = run_montecarlo(sc, persons, reps=60, seed=11, workers=1)
    two = run_montecarlo(sc, persons, reps=60, seed=11, workers=2)
    assert np.array_equal(one.completion_year, two.completion_year)
    assert np.array_equal(one.cost_mnok, two.cost_mnok)
    for a, b in zip(one.short, two.short, strict=True):
        assert np.array_equal(a, b)
    other = run_montecarlo(sc, persons, reps=60, seed=12, workers=1)
    assert not np.array_equal(one.cost_mnok, other.cost_mnok)


def test_single_run_is_replication_zero(tmp_path: Path):
    sc = load_scenario(stochastic(tmp_path))
    single = pipeline.run(sc, seed=11)
    mc = run_montecarlo(sc, single.population.persons, reps=3, seed=11, workers=1)
    assert np.array_equal(mc.completion_year[0], single.projects.completion_year)
    assert np.allclose(mc.cost_mnok[0], single.projects.cost_mnok)


def test_mean_cost_factor_converges(tmp_path: Path):
    """Cost factor triangular(0.95, 1.05, 1.5): mean (0.95 + 1.05 + 1.5)/3 = 1.1667; sd ≈ 0.12.
    With 400 replications the standard error is ≈ 0.006; tolerance 0.03 is 5 standard errors."""
    sc = load_scenario(stochastic(tmp_path))
    mc = run_montecarlo(sc, pipeline.run(sc).population.persons, reps=400, seed=3, workers=1)
    built = mc.completion_year[:, 0] >= 0
    factor = mc.cost_mnok[built, 0] / 50.0  # school_ext costs 50
    assert factor.mean() == pytest.approx(3.5 / 3, abs=0.03)


def test_deterministic_programme_has_no_spread(tmp_path: Path):
    sc = load_scenario(write_tiny_projects(tmp_path))
    res = pipeline.run(sc)
    mc = run_montecarlo(sc, res.population.persons, reps=5, seed=1, workers=1)
    assert (mc.completion_year == res.projects.completion_year).all()
    gap = next(s for s in res.services if s.service.id == "primary_school").gap
    probability = (mc.short[0] > 1e-9).mean(axis=0)
    assert np.array_equal(probability, (gap > 1e-9).astype(float))


def test_cli_writes_monte_carlo_tables(tmp_path: Path):
    path = stochastic(tmp_path / "s")
    out = tmp_path / "run"
    res = CliRunner().invoke(
        app, ["run", str(path), "--out", str(out), "--reps", "40", "--workers", "2", "--seed", "5"]
    )
    assert res.exit_code == 0, res.output
    projects = pd.read_csv(out / "projects.csv").set_index("project")
    assert {"completion_year_p10", "completion_year_p50", "completion_year_p90", "cost_mnok_p50"} <= set(
        projects.columns
    )
    row = projects.loc["school_ext"]
    assert row.completion_year_p10 <= row.completion_year_p50 <= row.completion_year_p90
    assert np.isnan(projects.loc["care_b", "completion_year_p50"])  # the variant not chosen is never built
    shortfall = pd.read_csv(out / "shortfall_probability.csv")
    assert shortfall.probability_short.between(0, 1).all()
    reps = pd.read_csv(out / "replications.csv")
    assert len(reps) == 40 and "place_years_short_primary_school" in reps.columns
    assert len(pd.read_csv(out / "replication_projects.csv")) == 40 * 4  # 4 built projects
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 40 and manifest["seed"] == 5 and "montecarlo" in manifest["timings_s"]


def test_reps_without_projects_is_bad_input(tiny: Path, tmp_path: Path):
    res = CliRunner().invoke(app, ["run", str(tiny), "--out", str(tmp_path / "x"), "--reps", "10"])
    assert res.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_monte_carlo_with_finance_gives_the_probability_of_red_rules(tmp_path: Path):
    from conftest import finance_config, write_tiny_finance

    cfg = finance_config()
    cfg["projects"]["mode"] = "stochastic"
    cfg["projects"]["uncertainty"] = {"cost": {"dist": "triangular", "low": 0.9, "mode": 1.1, "high": 1.8}}
    path = write_tiny_finance(tmp_path / "s", cfg)
    sc = load_scenario(path)
    res = pipeline.run(sc, seed=3)
    mc = run_montecarlo(sc, res.population.persons, reps=20, seed=3, workers=1)
    debt = mc.kpi_names.index("debt_ratio_pct")
    # replication 0 is the single run: the same key figures
    single = {r.kpi: [] for r in res.kpis}
    for r in res.kpis:
        single[r.kpi].append(r.value)
    assert np.allclose(mc.kpi_values[0, debt], single["debt_ratio_pct"])
    assert mc.kpi_values[:, debt].std(axis=0).max() > 0  # cost overruns move the debt
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["run", str(path), "--out", str(out), "--reps", "20", "--workers", "1", "--seed", "3", "--no-report"]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "kpi_probability.csv")
    assert set(table.kpi) == set(mc.kpi_names)
    assert table.probability_red.between(0, 1).all()
    assert (table.value_p10 <= table.value_p90 + 1e-9).all()
    assert "debt_ratio_max_pct" in pd.read_csv(out / "replications.csv").columns
