"""What the optimum means: what each move costs and saves, where the ceiling binds, what a point is worth.

Where the ceiling binds is read off the chosen schedule as the finance model runs it: the slack
per year is ceiling − net debt = ``debt_ratio_ceiling`` · gross operating revenue − net debt
[NOK million], also in percentage points of that revenue; a year *binds* when its slack is below
``BINDING_TOLERANCE_PCT_POINTS`` (half a percentage point of revenue, about NOK 50 million on
Asker's NOK 10 billion; a breach is negative slack and binds too). An equality test (the debt exactly at the ceiling)
almost never holds with integer choices. Separately, the years whose debt-ceiling row is active
in the MILP's LP relaxation (see :func:`~ltsim.optimize.milp.relaxation_active_years`).

The value of one more percentage point of ceiling is found by re-solving with the ceiling + 0.01
(not from duals: with integer choices a dual is not a price); if that re-solve fails, the reason
is returned instead of a value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.optimize.coefficients import Coefficients, HousingOption, Option
from ltsim.optimize.evaluation import Solution, evaluate, predicted
from ltsim.optimize.heuristics import housing_start, planned_schedule
from ltsim.optimize.milp import solve_milp

ONE_POINT = 0.01  # one percentage point of the debt ratio ceiling [fraction of revenue]
BINDING_TOLERANCE_PCT_POINTS = 0.5  # a year binds when its slack is below this [percentage points of revenue]


def choice_effects(
    coefficients: Coefficients, solution: Solution, ceilings: np.ndarray
) -> dict[tuple[str, int], dict[str, Any]]:
    """What each move of the optimum costs and saves, all else as optimised (on the coefficients).

    For every candidate project not at its plan start (key ``("project", p)``) and every housing
    development moved (``("housing", d)``), the move is put back — the project to its plan start
    (the plan's variant of its group), the development as the scenario sets it (or, if it waits for
    a project the optimum defers, its first start once the project is in service) — and the two
    schedules compared: ``place_years_short`` (unmet place-years the move adds; negative: saves),
    ``headroom_gained_mnok`` / ``headroom_year`` (the most the move frees under the debt ceiling in
    any year, NOK million, and that year; 0 if it frees nothing), ``headroom_lost_mnok`` /
    ``headroom_lost_year`` (the most it uses up: a deferred development brings less revenue, so a
    lower ceiling, in its early years), ``interest_saved_mnok`` (over the horizon).
    """
    projects = coefficients.scenario.projects

    def figures(chosen: dict[int, Option | None], housing: dict[int, HousingOption]) -> tuple[Solution, np.ndarray]:
        """The schedule's solution and its headroom under the ceiling [Y] (ceiling − debt)."""
        sol = evaluate(coefficients, chosen, ceilings, housing)
        debt, ceiling = predicted(coefficients, sol, ceilings)
        return sol, ceiling - debt

    def compare(
        counterfactual_chosen: dict[int, Option | None], counterfactual_housing: dict[int, HousingOption]
    ) -> dict[str, Any]:
        """The optimum against the schedule with one move put back."""
        other, other_room = figures(counterfactual_chosen, counterfactual_housing)
        gained = room - other_room
        best, worst = int(np.argmax(gained)), int(np.argmin(gained))
        return {
            "place_years_short": ours.unmet_place_years - other.unmet_place_years,
            "headroom_gained_mnok": max(0.0, float(gained[best])),
            "headroom_year": int(coefficients.years[best]) if gained[best] > 0 else None,
            "headroom_lost_mnok": max(0.0, -float(gained[worst])),
            "headroom_lost_year": int(coefficients.years[worst]) if gained[worst] < 0 else None,
            "interest_saved_mnok": other.interest_mnok - ours.interest_mnok,
        }

    ours, room = figures(solution.chosen, solution.housing)
    plan = planned_schedule(coefficients)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for p in coefficients.candidates:
        if solution.chosen.get(p) is plan.get(p):
            continue
        counterfactual = dict(solution.chosen)
        group = projects.exclusive_group[p]
        for q in coefficients.candidates:
            if q == p or (group is not None and projects.exclusive_group[q] == group):
                counterfactual[q] = plan.get(q)
        out[("project", p)] = compare(counterfactual, solution.housing)
    back = housing_start(coefficients, solution.chosen)
    for d, h in solution.housing.items():
        if back[d] is h:
            continue
        out[("housing", d)] = compare(solution.chosen, {**solution.housing, d: back[d]})
    return out


def ceiling_slack(ratio: float, net_debt_mnok: np.ndarray, revenue_mnok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The debt ceiling's slack per year: ratio · revenue − net debt [NOK million] and that in percentage points.

    ``net_debt_mnok`` and ``revenue_mnok`` [Y] as the finance model computes them on the chosen
    schedule; negative slack is a breach. Percentage points: 100 · slack / revenue.

    >>> mnok, pp = ceiling_slack(1.0, np.array([90.0, 101.0]), np.array([100.0, 100.0]))
    >>> mnok.tolist(), pp.tolist()
    ([10.0, -1.0], [10.0, -1.0])
    """
    slack = ratio * revenue_mnok - net_debt_mnok
    return slack, 100.0 * slack / np.where(revenue_mnok != 0, revenue_mnok, np.nan)


def binding_years(years: np.ndarray, slack_pct_points: np.ndarray) -> tuple[int, ...]:
    """Years whose slack [percentage points of revenue] is below ``BINDING_TOLERANCE_PCT_POINTS``."""
    return tuple(int(y) for y, s in zip(years, slack_pct_points, strict=True) if s < BINDING_TOLERANCE_PCT_POINTS)


def binding_constraints(
    years: np.ndarray,
    slack_mnok: np.ndarray,
    slack_pct_points: np.ndarray,
    relaxation_active: tuple[int, ...] | None,
) -> list[dict[str, Any]]:
    """The debt-ratio rule's binding years and the years active in the LP relaxation, one record each.

    ``rule``, ``year``, ``slack_mnok``, ``slack_pct_points``, ``binding`` (slack below the
    tolerance), ``active_in_relaxation`` (None when the relaxation was not solved).
    """
    binding = set(binding_years(years, slack_pct_points))
    active = set(relaxation_active or ())
    return [
        {
            "rule": "debt_ratio",
            "year": int(y),
            "slack_mnok": float(slack_mnok[t]),
            "slack_pct_points": float(slack_pct_points[t]),
            "binding": int(y) in binding,
            "active_in_relaxation": None if relaxation_active is None else int(y) in active,
        }
        for t, y in enumerate(years)
        if int(y) in binding or int(y) in active
    ]


def value_of_one_point(
    coefficients: Coefficients,
    solution: Solution,
    ceilings: np.ndarray,
    solver: str,
    time_limit: float | None,
    gap: float | None,
) -> tuple[float | None, float | None, str | None]:
    """The change in the objective and in unmet place-years with the ceiling one point higher, or why not.

    Re-solved with ``ceilings`` + 0.01 · revenue (and the ratio + 0.01 for the revenue a housing
    move adds). If the solver finds no schedule: (None, None, the reason).
    """
    ratio = coefficients.scenario.config.optimize.debt_ratio_ceiling
    try:
        looser = solve_milp(
            coefficients,
            ceilings + ONE_POINT * coefficients.revenue_mnok,
            solver,
            time_limit,
            gap,
            ceiling_ratio=ratio + ONE_POINT,
        )
    except RuntimeError as exc:
        return None, None, f"the re-solve with the ceiling one point higher failed: {exc}"
    return looser.objective - solution.objective, looser.unmet_place_years - solution.unmet_place_years, None
