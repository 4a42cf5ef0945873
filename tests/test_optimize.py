"""The optimiser on the tiny scenario: brute force, monotonicity, elastic mode, one source of truth."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT_HEADER, PROJECT_ROWS, finance_config, project_schedules, write_csv, write_tiny_finance
from typer.testing import CliRunner

from ltsim.cli import app
from ltsim.errors import InputError
from ltsim.optimize import build, evaluate, optimize, solve_milp
from ltsim.scenario import load_scenario


def config(ceiling: float = 0.80, **over) -> dict:
    cfg = finance_config()
    cfg["optimize"] = {"debt_ratio_ceiling": ceiling, "max_deferral_years": 3, **over}
    return cfg


def brute_force(co, ceilings) -> float:
    """Minimum of the objective over every schedule that keeps one start per project, the variants and
    the dependencies (the same objective function the MILP minimises)."""
    return min(evaluate(co, chosen, ceilings).objective for chosen in project_schedules(co))


@pytest.mark.parametrize("ceiling", [0.95, 0.80])
def test_milp_optimum_equals_brute_force(tmp_path: Path, ceiling: float):
    sc = load_scenario(write_tiny_finance(tmp_path, config(ceiling)))
    co = build(sc)
    ceilings = ceiling * co.revenue_mnok
    milp = solve_milp(co, ceilings)
    assert milp.objective == pytest.approx(brute_force(co, ceilings), rel=1e-6, abs=1e-6)
    assert milp.objective == pytest.approx(evaluate(co, milp.chosen, ceilings).objective, rel=1e-9, abs=1e-9)


def test_tightening_the_ceiling_never_lowers_the_objective(tmp_path: Path):
    sc = load_scenario(write_tiny_finance(tmp_path, config()))
    co = build(sc)
    objectives = [solve_milp(co, c * co.revenue_mnok).objective for c in (1.2, 1.0, 0.9, 0.85, 0.8, 0.7)]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(objectives))


def test_impossible_ceiling_is_explained_not_infeasible(tmp_path: Path):
    sc = load_scenario(write_tiny_finance(tmp_path, config(0.2)))
    result = optimize(sc)
    years = {b["year"] for b in result.solution.breaches if b["rule"] == "debt_ratio"}
    assert years == set(range(2024, 2029))  # the opening debt alone is 80 % of revenue
    strict = load_scenario(write_tiny_finance(tmp_path / "strict", config(0.2, elastic=False)))
    with pytest.raises(RuntimeError, match="no schedule meets every rule"):
        optimize(strict)


def test_greedy_is_never_better_than_the_optimum(tmp_path: Path):
    for ceiling in (1.0, 0.85, 0.8):
        result = optimize(load_scenario(write_tiny_finance(tmp_path / str(ceiling), config(ceiling))))
        assert result.solution.objective <= result.greedy.objective + 1e-6
        assert result.solution.objective <= result.plan.objective + 1e-6


def test_optimiser_debt_path_equals_the_finance_model_when_finance_is_linear(tmp_path: Path):
    """Serial instalments that stay above the § 14-18 minimum, one asset life for every project, no grants,
    no yearly budgets: the finance model is then linear in project spend, so superposition is exact."""
    cfg = config(0.85)
    fin = cfg["finance"]
    fin["debt"]["instalment_method"] = "serial"
    fin["investment"].pop("recurring")
    fin["investment"].pop("husbanken")
    rows = copy.deepcopy(PROJECT_ROWS)
    for row in rows:
        row[PROJECT_HEADER.index("category")] = "school"
    path = write_tiny_finance(tmp_path, cfg)
    write_csv(tmp_path / "data" / "projects.csv", PROJECT_HEADER, rows)
    result = optimize(load_scenario(path))
    assert result.repairs == 0
    assert np.allclose(result.verified_debt_mnok, result.predicted_debt_mnok, atol=1e-6)


def test_chosen_schedule_runs_through_the_pipeline(tmp_path: Path):
    path = write_tiny_finance(tmp_path / "s", config(0.85))
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["optimize", str(path), "--out", str(out), "--no-report"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "optimize.json").read_text())
    assert report["solver"] == "highs" and report["status"] == "Optimal"
    assert report["build_s"] > 0 and report["solve_s"] >= 0
    assert {"optimal", "plan", "greedy", "value_of_one_more_point_of_ceiling", "binding_constraints"} <= set(report)
    # the optimised variant file is a scenario: run it and get the same projects
    variant = out / "scenario.optimized.yaml"
    again = load_scenario(variant)
    from ltsim import pipeline

    rerun = pipeline.run(again)
    import pandas as pd

    schedule = pd.read_csv(out / "schedule.csv").set_index("project")
    for pid, row in schedule.iterrows():
        if row.built:
            p = again.projects.ids.index(pid)
            assert rerun.projects.completion_year[p] == row.completion_year


def test_cbc_finds_the_same_optimum(tmp_path: Path):
    sc = load_scenario(write_tiny_finance(tmp_path, config(0.85)))
    co = build(sc)
    ceilings = 0.85 * co.revenue_mnok
    assert solve_milp(co, ceilings, "cbc").objective == pytest.approx(
        solve_milp(co, ceilings, "highs").objective, rel=1e-6
    )


def test_bad_optimize_input(tmp_path: Path):
    cfg = config(120)
    with pytest.raises(InputError) as info:
        load_scenario(write_tiny_finance(tmp_path / "a", cfg))
    assert (
        "optimize.debt_ratio_ceiling: found 120; expected a fraction of gross operating revenue above 0 and at most 5 (write 1.2 for 120 %)"
        in str(info.value)
    )
    cfg = config(0.9, unmet_weight={"school": 2.0})
    with pytest.raises(InputError) as info:
        load_scenario(write_tiny_finance(tmp_path / "b", cfg))
    assert "optimize.unmet_weight.school: found 'school'; expected a declared service" in str(info.value)
