"""A schedule's figures on the coefficients: predicted debt, places short, objective and breaches.

The same superposition the MILP uses (base + the chosen options' marginal paths), worked out
directly for one schedule: for the plan, the greedy rule, brute force, and the MILP's own answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ltsim.optimize.coefficients import Coefficients, HousingOption, Option

TOLERANCE = 1e-6
BREACH_TOLERANCE = 1e-3  # a breach smaller than this (NOK million or places) is solver rounding, not reported


@dataclass(slots=True)
class Solution:
    """A schedule and its figures (from the MILP, the greedy rule or the plan)."""

    chosen: dict[int, Option | None]  # candidate → option (None = dropped)
    objective: float
    unmet_place_years: float
    deferral_years: float
    interest_mnok: float
    breaches: list[dict[str, Any]] = field(default_factory=list)
    status: str = "Optimal"
    gap: float | None = None
    solve_s: float = 0.0  # the solver call
    model_s: float = 0.0  # building the PuLP model
    start_s: float = 0.0  # the warm start (greedy rule, made feasible)
    housing: dict[int, HousingOption] = field(default_factory=dict)  # development → its move (empty: as planned)
    moved_dwelling_years: float = 0.0
    notes: list[str] = field(default_factory=list)  # what the solver did not do as asked (a refused warm start, …)


# (options adding or removing places, housing options changing the gap, worst gap, whether an option removes places)
Reach = tuple[list[int], list[int], float, bool]


def reachable_cells(coefficients: Coefficients) -> dict[tuple[int, int], Reach]:
    """The (cell, stock year) pairs a decision can change and that can be short.

    Value: the project options adding (or removing) places there, the housing options changing
    the gap there, the worst gap any housing choice can make (gap + Σ_developments largest rise),
    and whether an option removes places. Elsewhere the places short are a constant of the
    scenario. Worked out once per Coefficients.
    """
    return coefficients.derived(_reachable_cells)


def _reachable_cells(coefficients: Coefficients) -> dict[tuple[int, int], Reach]:
    options_at: dict[int, list[int]] = {}  # cell → project options with places there
    for i, o in enumerate(coefficients.options):
        for c in o.places:
            options_at.setdefault(c, []).append(i)
    moves_at: dict[int, list[int]] = {}  # cell → housing options changing its gap
    for j, h in enumerate(coefficients.housing_options):
        for c in h.gap:
            moves_at.setdefault(c, []).append(j)
    out: dict[tuple[int, int], Reach] = {}
    for c, cell in enumerate(coefficients.cells):
        for u in range(len(coefficients.stock_years)):
            options = [i for i in options_at.get(c, []) if coefficients.options[i].places[c][u] != 0]
            negative = any(coefficients.options[i].places[c][u] < 0 for i in options)
            moves = [j for j in moves_at.get(c, []) if coefficients.housing_options[j].gap[c][u] != 0]
            rise: dict[int, float] = {}
            for j in moves:
                h = coefficients.housing_options[j]
                rise[h.development] = max(rise.get(h.development, 0.0), float(h.gap[c][u]))
            worst = float(cell.gap[u]) + sum(rise.values())
            if (worst <= TOLERANCE and not negative) or (not options and not moves):
                continue
            out[(c, u)] = (options, moves, worst, negative)
    return out


def shortfall_limits(coefficients: Coefficients) -> dict[tuple[int, int], float]:
    """``optimize.max_shortfall_places`` per (cell, stock year) that a decision can change.

    The limit is the service's places, or — where no choice could get below it — the lower bound
    max(0, gap + Σ_developments least housing effect − Σ_projects most places added): a shortfall
    nothing can avoid is not a breach. Cells no decision reaches are left alone (constants).
    Worked out once per Coefficients.
    """
    return coefficients.derived(_shortfall_limits)


def _shortfall_limits(coefficients: Coefficients) -> dict[tuple[int, int], float]:
    spec = coefficients.scenario.config.optimize
    if not spec.max_shortfall_places:
        return {}
    out = {}
    for (c, u), (options, moves, _, _) in reachable_cells(coefficients).items():
        cell = coefficients.cells[c]
        if cell.service not in spec.max_shortfall_places:
            continue
        most: dict[int, float] = {}
        for i in options:
            o = coefficients.options[i]
            most[o.project] = max(most.get(o.project, 0.0), float(o.places[c][u]))
        least: dict[int, float] = {}
        for j in moves:
            h = coefficients.housing_options[j]
            least[h.development] = min(least.get(h.development, 0.0), float(h.gap[c][u]))
        floor = max(0.0, float(cell.gap[u]) + sum(least.values()) - sum(most.values()))
        out[(c, u)] = max(spec.max_shortfall_places[cell.service], floor)
    return out


def shortfall_limits_raised(coefficients: Coefficients) -> list[dict[str, Any]]:
    """Each (service, zone, year) whose ``max_shortfall_places`` :func:`shortfall_limits` raised, and to what.

    ``limit_places``: the scenario's limit; ``raised_to_places``: the least shortfall any choice
    reaches there (the limit the MILP uses).
    """
    spec = coefficients.scenario.config.optimize
    raised = []
    for (c, u), limit in sorted(shortfall_limits(coefficients).items()):
        cell = coefficients.cells[c]
        asked = float(spec.max_shortfall_places[cell.service])
        if limit > asked + TOLERANCE:
            raised.append(
                {
                    "service": cell.service,
                    "zone": cell.zone,
                    "year": int(coefficients.stock_years[u]),
                    "limit_places": asked,
                    "raised_to_places": float(limit),
                }
            )
    return raised


def predicted(
    coefficients: Coefficients, solution: Solution, ceilings: np.ndarray, ceiling_ratio: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Net debt [Y] of a schedule by superposition, and the ceiling [Y] its revenue allows.

    debt = base + Σ chosen Δdebt + Σ housing Δdebt; ceiling = ``ceilings`` + ratio · Σ housing Δrevenue.
    """
    ratio = coefficients.scenario.config.optimize.debt_ratio_ceiling if ceiling_ratio is None else ceiling_ratio
    zeros = np.zeros(len(coefficients.years))
    moves = list(solution.housing.values())
    debt = coefficients.debt_mnok + sum((o.debt_mnok for o in solution.chosen.values() if o is not None), zeros)
    debt = debt + sum((h.debt_mnok for h in moves), zeros)
    return debt, ceilings + ratio * sum((h.revenue_mnok for h in moves), zeros)


def evaluate(
    coefficients: Coefficients,
    chosen: dict[int, Option | None],
    ceilings: np.ndarray,
    housing: dict[int, HousingOption] | None = None,
    ceiling_ratio: float | None = None,
) -> Solution:
    """The objective of a schedule on the same coefficients (the plan, the greedy rule, brute force).

    ``housing``: the move of each movable development (default: the programme as written).
    Short places per cell are max(0, gap + Σ housing Δgap − Σ places added); the objective is the
    MILP's (see the package docstring) with the debt and shortfall breaches at their excess.
    """
    spec = coefficients.scenario.config.optimize
    projects = coefficients.scenario.projects
    picked = [o for o in chosen.values() if o is not None]
    moves = list((housing or {}).values())
    unmet = 0.0
    weighted = 0.0
    n_stock = len(coefficients.stock_years)
    short = np.zeros((len(coefficients.cells), n_stock))
    for c, cell in enumerate(coefficients.cells):
        added = sum((o.places[c] for o in picked if c in o.places), np.zeros(n_stock))
        need = cell.gap + sum((h.gap[c] for h in moves if c in h.gap), np.zeros(n_stock))
        short[c] = np.clip(need - added, 0.0, None)
        unmet += float(short[c].sum())
        weighted += float((cell.weight * short[c]).sum())
    deferral = float(sum(abs(o.deferral_years) for o in picked))
    interest = float(sum(o.interest_mnok for o in picked) + sum(h.interest_mnok for h in moves))
    cost = float(sum(o.cost_mnok for o in picked))
    moved = float(sum(h.dwelling_years for h in moves))
    end = int(coefficients.years[-1]) + 1
    dropped = sum(
        end - coefficients.plan_start[p]
        for p, o in chosen.items()
        if o is None and projects.exclusive_group[p] is None and p not in coefficients.optional
    )
    solution = Solution(chosen, 0.0, unmet, deferral, interest, housing=dict(housing or {}), moved_dwelling_years=moved)
    debt, ceiling = predicted(coefficients, solution, ceilings, ceiling_ratio)
    excess = np.clip(debt - ceiling, 0.0, None)
    breaches = [
        {"rule": "debt_ratio", "year": int(y), "excess_mnok": float(e)}
        for y, e in zip(coefficients.years, excess, strict=True)
        if e > BREACH_TOLERANCE
    ]
    over = 0.0
    for (c, u), limit in shortfall_limits(coefficients).items():
        value = max(0.0, float(short[c, u] - limit))
        over += value
        if value > BREACH_TOLERANCE:
            cell = coefficients.cells[c]
            year = int(coefficients.stock_years[u])
            breaches.append(
                {"rule": "shortfall", "year": year, "service": cell.service, "zone": cell.zone, "excess": value}
            )
    housing_penalty = spec.housing.penalty_per_dwelling_year if spec.housing is not None else 0.0
    solution.objective = (
        weighted
        + spec.deferral_penalty * (deferral + dropped)
        + spec.cost_weight * interest
        + cost
        + housing_penalty * moved
        + spec.breach_penalty * float(excess.sum())
        + spec.shortfall_penalty * over
    )
    solution.breaches = breaches
    solution.status = "Feasible" if not breaches else "Breaches"
    return solution
