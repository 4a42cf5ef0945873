"""The Asker example scenario: reproducible tables, a plausible base and the documented growth bands.

The bands are stated in scenarios/asker/README.md ("Calibration targets and tests").
"""

from __future__ import annotations

import csv
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml

from ltsim import pipeline
from ltsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
ASKER = ROOT / "scenarios" / "asker"
DATA = ASKER / "data"
BASE_YEAR = 2024

TOTAL_2024 = 97_800.0  # persons, Handlingsprogram 2024-2027 (002 L5516)
PLAN_80PLUS_2024 = 862 / 0.178  # 24-hour places / coverage of 80+ (002 L7874-7888) ≈ 4,843
# Growth bands [%/yr] for the base run (README): the calibration aims at 1.3 and 1.1.
BAND_2024_2027 = (1.2, 1.4)
BAND_2024_2044 = (1.0, 1.2)


@cache
def run(name: str) -> pipeline.RunResult:
    return pipeline.run(load_scenario(ASKER / f"{name}.yaml"))


def growth_pct(totals: np.ndarray, start: int, end: int) -> float:
    """Average yearly growth between two years [%/yr]."""
    a, b = totals[start - BASE_YEAR], totals[end - BASE_YEAR]
    return 100.0 * ((b / a) ** (1.0 / (end - start)) - 1.0)


def test_build_reproduces_committed_tables(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ASKER / "build_data.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    built = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert {"population_2024.csv", "mortality.csv", "fertility.csv", "housing_programme.csv"} <= set(built)
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_base_yaml_uses_the_calibrated_values() -> None:
    config = yaml.safe_load((ASKER / "base.yaml").read_text(encoding="utf-8"))
    migration = config["population"]["migration"]["in_persons"]
    with (DATA / "in_migration_calibration.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            entry = migration[row["area"]]
            assert entry[2024] == float(row["in_persons_2024"]), row["area"]
            assert entry[2044] == float(row["in_persons_2044"]), row["area"]
    with (DATA / "calibration.csv").open(newline="", encoding="utf-8") as fh:
        report = {r["quantity"]: float(r["value"]) for r in csv.DictReader(fh)}
    improvement = config["population"]["mortality"]["improvement_by_sex"]
    assert improvement["female"] == pytest.approx(report["improvement_female"])
    assert improvement["male"] == pytest.approx(report["improvement_male"])


def test_base_population_2024() -> None:
    scenario = load_scenario(ASKER / "base.yaml")
    persons = scenario.population.base_persons
    assert persons.sum() == pytest.approx(TOTAL_2024, abs=1.0)
    assert len(scenario.area_ids) == 12
    # real cohorts allow about 4,520 aged 80+ in 2024; the plan's figure is ~7 % higher (README)
    over_80 = persons[:, :, 80:].sum()
    assert 0.90 * PLAN_80PLUS_2024 <= over_80 <= 1.05 * PLAN_80PLUS_2024


def test_base_growth_within_bands() -> None:
    pop = run("base").population
    totals = pop.totals()
    assert BAND_2024_2027[0] <= growth_pct(totals, 2024, 2027) <= BAND_2024_2027[1]
    assert BAND_2024_2044[0] <= growth_pct(totals, 2024, 2044) <= BAND_2024_2044[1]
    births, deaths = pop.births.sum(axis=1), pop.deaths.sum(axis=1)
    assert np.all((births > 700) & (births < 1100))
    assert np.all((deaths > 600) & (deaths < 950))
    assert deaths[-1] > deaths[0]


def test_low_base_high_order_in_2044() -> None:
    low, base, high = (run(n).population.totals()[-1] for n in ("low-growth", "base", "high-growth"))
    assert low < base < high


def test_plan_growth_hits_control_totals() -> None:
    totals = run("plan-growth").population.totals()
    with (DATA / "plan_growth_totals.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert totals[int(row["year"]) - BASE_YEAR] == pytest.approx(float(row["persons"]), rel=1e-12)


def test_facility_build_reproduces_committed_tables_and_base_yaml(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ASKER / "build_facilities.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    assert Path("facilities.csv") in built and Path("measures/school_merge_south.csv") in built
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    fragment = yaml.safe_load((tmp_path / "services_fragment.yaml").read_text(encoding="utf-8"))
    base = yaml.safe_load((ASKER / "base.yaml").read_text(encoding="utf-8"))
    for section in ("zone_systems", "services", "capacity"):
        assert base[section] == fragment[section], section
