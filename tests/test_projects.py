"""Project simulation (SimPy) on hand-checkable catalogues."""

from __future__ import annotations

import numpy as np
import pytest

from ltsim.models.projects import ProjectInputs, draw_triangular, plan_completion, simulate

Y = 10


def catalogue(
    n: int,
    phases_months: list[list[float]] | None = None,
    start: list[float] | None = None,
    deps: tuple[tuple[int, ...], ...] | None = None,
    large: list[bool] | None = None,
    capacity: int = 0,
    cost: list[float] | None = None,
    plan: np.ndarray | None = None,
    included: list[bool] | None = None,
) -> ProjectInputs:
    months = np.array(phases_months if phases_months is not None else [[6, 6, 6, 18]] * n, dtype=float)
    return ProjectInputs(
        base_year=2024,
        n_years=Y,
        included=np.array(included if included is not None else [True] * n),
        planned_start=np.array(start if start is not None else [0.0] * n, dtype=float),
        earliest_start=np.zeros(n),
        phase_years=months / 12,
        phase_cost_share=np.tile([0.05, 0.05, 0.0, 0.9], (n, 1)),
        gross_cost_mnok=np.array(cost if cost is not None else [100.0] * n),
        plan_spend_mnok=np.full((n, Y), np.nan) if plan is None else plan,
        depends_on=deps if deps is not None else tuple(() for _ in range(n)),
        large=np.array(large if large is not None else [True] * n),
        delivery_capacity=capacity,
    )


def test_one_project_with_fixed_durations():
    """Start 1 Jan 2025 (t = 1); 6 + 6 + 6 + 18 months = 3 years → done at t = 4.0, in service 2028."""
    run = simulate(catalogue(1, start=[1.0]))
    assert run.start[0] == 1.0
    assert run.phase_start[0].tolist() == [1.0, 1.5, 2.0, 2.5]
    assert run.completion[0] == pytest.approx(4.0)
    assert run.completion_year[0] == 2028
    # planning 5 in 2025, regulation 5 in 2025, construction 90 over 2.5–4.0: 30 in 2026, 60 in 2027
    assert run.spend_mnok[0, :5].tolist() == pytest.approx([0, 10, 30, 60, 0])
    assert run.spend_mnok.sum() == pytest.approx(100)


def test_completion_mid_year_serves_from_the_next_year():
    run = simulate(catalogue(1, phases_months=[[0, 0, 0, 18]]))
    assert run.completion[0] == pytest.approx(1.5)
    assert run.completion_year[0] == 2026


def test_dependency_chain_starts_after_completion():
    """B depends on A, C on B; each takes 1 year; all planned at t = 0."""
    run = simulate(catalogue(3, phases_months=[[0, 0, 0, 12]] * 3, deps=((), (0,), (1,))))
    assert run.start.tolist() == [0, 1, 2]
    assert run.completion_year.tolist() == [2025, 2026, 2027]


def test_delivery_capacity_of_one_serialises_two_projects():
    both = catalogue(2, phases_months=[[0, 0, 0, 24]] * 2, capacity=1)
    run = simulate(both)
    assert run.start.tolist() == [0, 2]
    assert run.completion.tolist() == [2, 4]
    free = simulate(catalogue(2, phases_months=[[0, 0, 0, 24]] * 2, capacity=2))
    assert free.completion.tolist() == [2, 2]
    small = simulate(catalogue(2, phases_months=[[0, 0, 0, 24]] * 2, capacity=1, large=[True, False]))
    assert small.completion.tolist() == [2, 2]  # a small project needs no slot


def test_project_not_built_has_no_spend_and_no_completion():
    run = simulate(catalogue(2, included=[True, False]))
    assert run.completion_year[1] == -1
    assert run.spend_mnok[1].sum() == 0 and run.cost_mnok[1] == 0


def test_plan_spend_is_kept_and_shifted_by_the_delay():
    plan = np.full((1, Y), np.nan)
    plan[0] = [10, 40, 50, 0, 0, 0, 0, 0, 0, 0]
    inputs = catalogue(1, phases_months=[[0, 0, 0, 36]], plan=plan)
    on_time = simulate(inputs)
    assert on_time.spend_mnok[0, :4].tolist() == pytest.approx([10, 40, 50, 0])
    late = simulate(inputs, delay_years=np.array([[0, 0, 0, 0.5]]), cost_factor=np.array([1.2]))
    # cost 120: profile 12/48/60 shifted half a year → 6, 30, 54, 30
    assert late.spend_mnok[0, :4].tolist() == pytest.approx([6, 30, 54, 30])
    assert late.completion_year[0] == 2028


def test_planned_completion_ignores_waiting():
    inputs = catalogue(2, phases_months=[[0, 0, 0, 24]] * 2, capacity=1)
    assert plan_completion(inputs).tolist() == [2, 2]


def test_mean_triangular_delay_converges():
    """Triangular(0, 3, 12) months has mean (0 + 3 + 12) / 3 = 5 months; with n = 20,000 the
    standard error is sd/√n = 2.55/141 ≈ 0.018, so a tolerance of 0.1 month is > 5 standard errors."""
    rng = np.random.default_rng(42)
    n = 20_000
    draws = draw_triangular(rng, np.zeros(n), np.full(n, 3.0), np.full(n, 12.0))
    assert draws.mean() == pytest.approx(5.0, abs=0.1)
    fixed = draw_triangular(rng, np.full(3, 2.0), np.full(3, 2.0), np.full(3, 2.0))
    assert fixed.tolist() == [2.0, 2.0, 2.0]
