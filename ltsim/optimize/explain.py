"""What the optimum means: what each move costs and saves, where the ceiling binds, what a point is worth.

The value of one more percentage point of ceiling is found by re-solving with the ceiling + 0.01
(not from duals: with integer choices a dual is not a price).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.optimize.coefficients import Coefficients, HousingOption, Option
from ltsim.optimize.evaluation import Solution, evaluate, predicted
from ltsim.optimize.heuristics import housing_start, planned_schedule
from ltsim.optimize.milp import solve_milp

ONE_POINT = 0.01  # one percentage point of the debt ratio ceiling [fraction of revenue]


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


def binding_years(coefficients: Coefficients, debt: np.ndarray, ceiling: np.ndarray) -> tuple[int, ...]:
    """Years in which the predicted debt [Y] is at its ceiling [Y]: debt ≥ ceiling − max(1e-6, 1e-7 · |ceiling|)."""
    return tuple(
        int(y) for t, y in enumerate(coefficients.years) if debt[t] >= ceiling[t] - max(1e-6, 1e-7 * abs(ceiling[t]))
    )


def value_of_one_point(
    coefficients: Coefficients,
    solution: Solution,
    ceilings: np.ndarray,
    solver: str,
    time_limit: float | None,
    gap: float | None,
) -> tuple[float | None, float | None]:
    """The change in the objective and in unmet place-years with the ceiling one point higher.

    Re-solved with ``ceilings`` + 0.01 · revenue (and the ratio + 0.01 for the revenue a housing
    move adds); (None, None) if the solver finds no schedule.
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
    except RuntimeError:
        return None, None
    return looser.objective - solution.objective, looser.unmet_place_years - solution.unmet_place_years
