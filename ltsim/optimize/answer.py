"""The optimiser's answer for finance: the plan as written against the optimised plan, year by year.

What a reader needs first, in the finance model's own numbers (not the MILP's objective):

- the debt ratio of the plan as written and of the optimised plan per year, against the ceiling,
  and the lowest debt ratio any schedule reaches (:func:`lowest_debt_mnok`, by superposition);
- the place-years short the optimised plan adds (the pipeline's gaps, every service and zone);
- the moves: each project (and housing development) whose start changed, from → to, and why
  (what the move on its own frees under the ceiling, or the places it gives sooner);
- the years over the ceiling and why: a year no schedule can hold (its lowest reachable debt is
  above the ceiling: in the base year the debt is already drawn) or one the optimum breaches
  because holding it would cost more than the breach penalty.

Reasons are codes (``why``) with their numbers; the console and the report word them (nb/en).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.optimize.coefficients import Coefficients
from ltsim.optimize.evaluation import BREACH_TOLERANCE, Solution
from ltsim.optimize.heuristics import chosen_move

HEADROOM_SHOWN_MNOK = 0.5  # a move freeing less headroom than this is not given that as its reason


def lowest_debt_mnok(coefficients: Coefficients) -> np.ndarray:
    """The lowest net debt [Y] any schedule reaches in each year, by superposition (a lower bound).

    base + Σ over candidates of the least marginal debt among its options (0 for one that may be
    left out); an exclusive group takes its least over all members' options. Where this is above
    the ceiling, the year cannot be held (2024's debt is already drawn, say).
    """
    scenario = coefficients.scenario
    projects = scenario.projects
    allow_drop = scenario.config.optimize.allow_drop
    least: dict[Any, np.ndarray] = {}
    for o in coefficients.options:
        p = o.project
        key = ("group", projects.exclusive_group[p]) if projects.exclusive_group[p] else ("project", p)
        least[key] = np.minimum(least[key], o.debt_mnok) if key in least else o.debt_mnok.copy()
    for p in coefficients.candidates:
        key = ("group", projects.exclusive_group[p]) if projects.exclusive_group[p] else ("project", p)
        if (p in coefficients.optional or allow_drop) and key in least:
            least[key] = np.minimum(least[key], 0.0)
    return coefficients.debt_mnok + sum(least.values(), np.zeros(len(coefficients.years)))


def place_years_short(run: Any) -> float:
    """Place-years short over the horizon, every service and zone (the pipeline's gaps)."""
    return float(sum(np.clip(s.gap, 0.0, None).sum() for s in run.services if s.gap is not None))


def debt_ratio_pct(run: Any) -> np.ndarray:
    """Net debt in percent of gross operating revenue [Y] of a pipeline run (the finance model)."""
    fin = run.finance
    return 100.0 * fin.net_debt_mnok / fin.revenue_mnok


def _why(effect: dict[str, Any] | None) -> dict[str, Any]:
    """Why a move was made, from what it does on its own (``choice_effects``): a code and its numbers."""
    if effect is None:
        return {"why": "tie"}
    if effect["headroom_gained_mnok"] >= HEADROOM_SHOWN_MNOK:
        return {
            "why": "frees_headroom",
            "headroom_mnok": round(float(effect["headroom_gained_mnok"]), 3),
            "headroom_year": effect["headroom_year"],
            "place_years_short": round(float(effect["place_years_short"]), 3),
        }
    if effect["place_years_short"] < -BREACH_TOLERANCE:
        return {"why": "fewer_short", "place_years_short": round(float(effect["place_years_short"]), 3)}
    return {"why": "tie", "place_years_short": round(float(effect["place_years_short"]), 3)}


def moves(coefficients: Coefficients, solution: Solution, effects: dict[tuple[str, int], dict[str, Any]]) -> list[dict]:
    """Each project whose start the optimum changed (and each housing development moved): from → to, why.

    ``from``/``to``: start years (None: not in the plan, or not built by the optimum).
    """
    data = coefficients.scenario.projects
    rows: list[dict[str, Any]] = []
    for p in coefficients.candidates:
        chosen = solution.chosen.get(p)
        in_plan = bool(data.inputs.included[p])
        planned = coefficients.plan_start[p] if in_plan else None
        to = chosen.start_year if chosen is not None else None
        if to == planned:
            continue
        rows.append(
            {
                "kind": "project",
                "project": data.ids[p],
                "name": data.names[p],
                "from": planned,
                "to": to,
                "years": chosen.deferral_years if chosen is not None and planned is not None else None,
                **_why(effects.get(("project", p))),
            }
        )
    for d, dev in enumerate(coefficients.developments):
        h = chosen_move(coefficients, solution.housing, d)
        if h.shift_years:
            rows.append(
                {
                    "kind": "housing",
                    "project": dev,
                    "name": dev,
                    "from": h.first_year - h.shift_years,
                    "to": h.first_year,
                    "years": h.shift_years,
                    **_why(effects.get(("housing", d))),
                }
            )
    return rows


def answer(
    coefficients: Coefficients,
    solution: Solution,
    effects: dict[tuple[str, int], dict[str, Any]],
    plan_run: Any,
    optimized_run: Any,
) -> dict[str, Any]:
    """The plan as written vs the optimised plan in the finance model (see the module docstring)."""
    ratio = coefficients.scenario.config.optimize.debt_ratio_ceiling
    years = [int(y) for y in coefficients.years]
    plan_pct, optimized_pct = debt_ratio_pct(plan_run), debt_ratio_pct(optimized_run)
    lowest = lowest_debt_mnok(coefficients)
    lowest_pct = 100.0 * lowest / coefficients.revenue_mnok
    ceiling_pct = 100.0 * ratio
    tolerance_pct = 100.0 * BREACH_TOLERANCE / np.maximum(coefficients.revenue_mnok, 1e-9)
    over = []
    for t, year in enumerate(years):
        if optimized_pct[t] <= ceiling_pct + tolerance_pct[t]:
            continue
        if lowest_pct[t] > ceiling_pct + tolerance_pct[t]:
            why = "debt_drawn" if t == 0 else "fixed_debt"
        else:
            why = "trade_off"
        over.append(
            {
                "year": year,
                "why": why,
                "debt_ratio_pct": round(float(optimized_pct[t]), 3),
                "lowest_debt_ratio_pct": round(float(lowest_pct[t]), 3),
                "excess_mnok": round(
                    float((optimized_pct[t] - ceiling_pct) / 100.0 * optimized_run.finance.revenue_mnok[t]), 3
                ),
            }
        )
    plan_short, optimized_short = place_years_short(plan_run), place_years_short(optimized_run)
    return {
        "ceiling_pct": ceiling_pct,
        "years": years,
        "plan_debt_ratio_pct": [round(float(v), 3) for v in plan_pct],
        "optimized_debt_ratio_pct": [round(float(v), 3) for v in optimized_pct],
        "lowest_debt_ratio_pct": [round(float(v), 3) for v in lowest_pct],
        "plan_years_over": [y for y, v in zip(years, plan_pct, strict=True) if v > ceiling_pct + 1e-9],
        "place_years_short_plan": round(plan_short, 3),
        "place_years_short_optimized": round(optimized_short, 3),
        "place_years_short_added": round(optimized_short - plan_short, 3),
        "moves": moves(coefficients, solution, effects),
        "years_over": over,
    }
