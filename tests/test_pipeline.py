"""Scenario → model inputs → run folder, on the tiny scenario from conftest."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import tiny_config, write_tiny

from ltsim import pipeline
from ltsim.results import write_run
from ltsim.scenario import load_scenario
from ltsim.timeseries import parse_year_series


def test_year_series_step_linear_and_constant():
    years = np.arange(2024, 2030)
    assert parse_year_series({2024: 1, 2026: 3}).at(years).tolist() == [1, 1, 3, 3, 3, 3]
    assert parse_year_series({"method": "linear", 2024: 0.2, 2028: 0.1}).at(years).tolist() == pytest.approx(
        [0.2, 0.175, 0.15, 0.125, 0.1, 0.1]
    )
    assert parse_year_series(0.5).at(years).tolist() == [0.5] * 6


def test_dated_parameters_reach_the_model(tiny: Path):
    sc = load_scenario(tiny)
    inp = pipeline.population_inputs(sc)
    # in_persons: north 30 every year; south {2024: 10, 2026: 20} filled forward (flow years 2024–2028)
    assert inp.in_persons[:, 0].tolist() == [30] * 5
    assert inp.in_persons[:, 1].tolist() == [10, 10, 20, 20, 20]
    # mortality improves by 1 % a year: q_2026 = q_2024 · 0.99²
    assert np.allclose(inp.death_rate[2], sc.population.death_rate * 0.99**2)
    # sex ratio 1.05 boys per girl
    assert inp.male_share_at_birth == pytest.approx(1.05 / 2.05)


def test_housing_led_in_migration_with_realisation(tiny: Path):
    """Nordbyen: 100 dwellings in 2025 and 50 in 2026, realisation 0.8.

    Occupancy (conftest), per sex and dwelling: completion year 1.0 aged 30 + 0.5 aged 2,
    so 3.0 persons per dwelling; one year later 0.25 + 0.125 per sex, so 0.75.
    2025: 80 × 3.0 = 240.   2026: 40 × 3.0 + 80 × 0.75 = 180.   2027: 40 × 0.75 = 30.
    """
    result = pipeline.run(load_scenario(tiny))
    north = result.population.housing_in[:, 0]
    assert north.tolist() == pytest.approx([0, 240, 180, 30, 0])
    assert result.population.housing_in[:, 1].sum() == 0


def test_run_folder_balances_and_is_reproducible(tiny: Path, tmp_path: Path):
    sc = load_scenario(tiny)
    first = write_run(pipeline.run(sc), tmp_path / "a", seed=7)
    second = write_run(pipeline.run(load_scenario(tiny)), tmp_path / "b", seed=7)
    for name in ("population.csv", "population_change.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()

    change = pd.read_csv(first / "population_change.csv")
    flows = (
        change.population_start
        + change.births
        - change.deaths
        + change.migration_in
        - change.migration_out
        + change.housing_in
        + change.control_adjustment
    )
    assert np.allclose(flows, change.population_end, atol=0.005 * 8)

    pop = pd.read_csv(first / "population.csv")
    assert list(pop.columns) == ["year", "area", "age", "sex", "persons"]
    assert len(pop) == 6 * 2 * 2 * 51
    totals = pop.groupby(["year", "area"]).persons.sum()
    starts = change.set_index(["year", "area"]).population_start
    assert np.allclose(totals.loc[starts.index], starts, atol=0.0005 * 102)

    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    assert manifest["seed"] == 7
    assert manifest["scenario"]["hash"] == sc.hash
    assert set(manifest["timings_s"]) >= {"population", "write"}
    assert {"numpy", "pandas", "pydantic", "python"} <= set(manifest["packages"])
    resolved = yaml.safe_load((first / "scenario.resolved.yaml").read_text())
    assert Path(resolved["population"]["base"]).is_absolute()


def test_resolved_scenario_runs_again_to_the_same_hash(tiny: Path, tmp_path: Path):
    sc = load_scenario(tiny)
    folder = write_run(pipeline.run(sc), tmp_path / "run", seed=7)
    again = load_scenario(folder / "scenario.resolved.yaml")
    assert again.hash == sc.hash


def test_control_totals_from_a_table(tmp_path: Path):
    cfg = tiny_config()
    cfg["population"]["control_totals"] = "data/control.csv"
    path = write_tiny(tmp_path, cfg)
    (tmp_path / "data" / "control.csv").write_text("year,persons\n2026,4000\n2029,5000\n")
    result = pipeline.run(load_scenario(path))
    totals = result.population.totals()
    assert totals[2] == pytest.approx(4000)
    assert totals[5] == pytest.approx(5000)
    assert result.population.control_adjustment[0].sum() == 0
