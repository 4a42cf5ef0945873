"""The sequencing MILP on small synthetic instances: every formulation, solver and start agree with brute force."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from conftest import project_schedules

from ltsim import optimize as opt

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_optimize.py"
_spec = importlib.util.spec_from_file_location("bench_optimize", BENCH)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def small(seed: int, **spec) -> opt.Coefficients:
    return bench.synthetic_coefficients(
        n_projects=7, n_zones=3, n_years=8, seed=seed, max_deferral_years=2, squeeze=0.15, dependency_share=0.5, **spec
    )


def brute_force(co: opt.Coefficients, ceilings: np.ndarray) -> float:
    """Minimum of ``evaluate`` over every schedule that keeps one start per project (or none where
    allowed), one variant per exclusive group and the dependencies."""
    return min(opt.evaluate(co, chosen, ceilings).objective for chosen in project_schedules(co))


@pytest.mark.parametrize(("seed", "spec"), [(4, {}), (5, {}), (12, {}), (7, {"allow_drop": True}), (2, {})])
def test_every_formulation_and_start_finds_the_brute_force_optimum(seed: int, spec: dict):
    co = small(seed, **spec)
    assert any(co.scenario.projects.inputs.depends_on) or seed == 2  # a dependency (seed 2: none)
    ceilings = co.scenario.config.optimize.debt_ratio_ceiling * co.revenue_mnok
    assert opt.evaluate(co, opt.planned_schedule(co), ceilings).breaches  # the plan breaks the ceiling
    best = brute_force(co, ceilings)
    for formulation in opt.FORMULATIONS:
        for warm in (True, False):
            sol = opt.solve_milp(co, ceilings, "highs", formulation=formulation, warm_start=warm, gap=1e-9)
            assert sol.status == "Optimal"
            assert sol.objective == pytest.approx(best, rel=1e-7, abs=1e-6), (formulation, warm)
            assert sol.objective == pytest.approx(opt.evaluate(co, sol.chosen, ceilings).objective, rel=1e-9)


def test_cbc_with_and_without_a_start_agrees():
    co = small(4)
    ceilings = co.revenue_mnok
    best = opt.solve_milp(co, ceilings, "highs", gap=1e-9).objective
    for formulation in opt.FORMULATIONS:
        for warm in (True, False):
            sol = opt.solve_milp(co, ceilings, "cbc", formulation=formulation, warm_start=warm, gap=1e-9)
            assert sol.objective == pytest.approx(best, rel=1e-7, abs=1e-6), (formulation, warm)
            assert sol.gap is not None and sol.gap <= 1e-6


def test_warm_start_respects_the_dependencies_and_is_at_least_as_good_as_the_optimum():
    co = bench.synthetic_coefficients(n_projects=60, n_zones=8, n_years=20, seed=5)
    ceilings = co.revenue_mnok
    start = opt.warm_start_schedule(co, ceilings)
    assert start is not None
    data = co.scenario.projects
    for b, o in start.items():
        for a in data.inputs.depends_on[b]:
            if o is not None:
                assert start[a] is not None and start[a].completion_year <= o.start_year
    optimum = opt.solve_milp(co, ceilings, "highs", time_limit=20)
    assert optimum.objective <= opt.evaluate(co, start, ceilings).objective + 1e-6


def test_unknown_formulation_is_refused():
    co = small(1)
    with pytest.raises(ValueError, match="unknown formulation"):
        opt.solve_milp(co, co.revenue_mnok, formulation="clever")
