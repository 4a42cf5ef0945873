"""The optimisation's own files in its run folder.

``schedule.csv``, ``optimize.json``, ``housing_schedule.csv`` and ``scenario.optimized.yaml`` (the
chosen schedule as a scenario variant).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import yaml

from ltsim.optimize.explain import BINDING_TOLERANCE_PCT_POINTS
from ltsim.optimize.heuristics import chosen_move

EFFECT_COLUMNS = (
    "place_years_short",
    "headroom_gained_mnok",
    "headroom_year",
    "headroom_lost_mnok",
    "headroom_lost_year",
    "interest_saved_mnok",
)


def _effect_columns(effects: dict[tuple[str, int], dict[str, Any]], key: tuple[str, int]) -> dict[str, Any]:
    """The columns of one move's effect (``ltsim.optimize.choice_effects``); blank where nothing moved."""
    effect = effects.get(key)
    return {f"effect_{c}": (None if effect is None else effect[c]) for c in EFFECT_COLUMNS}


def housing_schedule(
    coefficients: Any, solution: Any, effects: dict[tuple[str, int], dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Each movable development: dwellings, first completion as planned and as chosen, years moved.

    Under sequencing rules "first completion" is the year release may start (as the rules and the
    plan's projects set it, and as chosen).
    And what the move does on its own: places needed per service (Σ over zones and years,
    place-years; negative = fewer), gross operating revenue and netto driftsresultat over the
    horizon, and net debt at its end [NOK million].
    """
    services = list(dict.fromkeys(c.service for c in coefficients.cells))
    rows = []
    for d, dev in enumerate(coefficients.developments):
        programme = [r for r in coefficients.scenario.population.developments if r[0] == dev]
        h = chosen_move(coefficients, solution.housing, d)
        row = {
            "development": dev,
            "area": programme[0][1],
            "dwellings": float(sum(r[3] for r in programme)),
            "planned_first_completion": h.first_year - h.shift_years,
            "chosen_first_completion": h.first_year,
            "shift_years": h.shift_years,
            "dwelling_years_moved": h.dwelling_years,
        }
        for service in services:
            change = sum(float(g.sum()) for c, g in h.gap.items() if coefficients.cells[c].service == service)
            row[f"places_needed_change_{service}"] = round(change, 3)
        row["revenue_change_mnok"] = round(float(h.revenue_mnok.sum()), 3)
        row["ndr_change_mnok"] = round(float(h.ndr_mnok.sum()), 3)
        row["net_debt_change_end_mnok"] = round(float(h.debt_mnok[-1]), 3)
        if effects is not None:
            row.update(_effect_columns(effects, ("housing", d)))
        rows.append(row)
    return rows


def optimize_files(opt: Any) -> dict[str, str]:
    """``schedule.csv``, ``optimize.json`` and ``scenario.optimized.yaml`` of an optimisation."""
    import io

    import pandas as pd

    coefficients = opt.coefficients
    data = coefficients.scenario.projects
    sol, greedy = opt.solution, opt.greedy
    rows = []
    for p in coefficients.candidates:
        chosen = sol.chosen.get(p)
        rule = greedy.chosen.get(p) if greedy is not None else None
        planned = coefficients.plan_start[p]
        rows.append(
            {
                "project": data.ids[p],
                "name": data.names[p],
                "service": data.services[p] or "",
                "zone": data.zones[p] or "",
                "planned_start": planned,
                "chosen_start": chosen.start_year if chosen else None,
                "deferred_years": chosen.deferral_years if chosen else None,
                "completion_year": chosen.completion_year if chosen else None,
                "built": chosen is not None,
                "dropped": chosen is None and data.exclusive_group[p] is None,
                "greedy_start": rule.start_year if rule else None,
                **_effect_columns(opt.effects, ("project", p)),
            }
        )
    frame = pd.DataFrame(rows).astype(
        {
            "chosen_start": "Int64",
            "deferred_years": "Int64",
            "completion_year": "Int64",
            "greedy_start": "Int64",
            "effect_headroom_year": "Int64",
            "effect_headroom_lost_year": "Int64",
        }
    )
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    spec = coefficients.scenario.config.optimize

    def figures(s: Any) -> dict[str, Any]:
        return {
            "objective": s.objective,
            "unmet_place_years": s.unmet_place_years,
            "deferral_years": s.deferral_years,
            "moved_dwelling_years": s.moved_dwelling_years,
            "interest_mnok": s.interest_mnok,
            "breaches": s.breaches,
        }

    plan_fin = opt.plan_run.finance
    report = {
        "answer": opt.answer,
        "solver": opt.solver,
        "status": sol.status,
        "objective": sol.objective,
        "gap": sol.gap,
        "build_s": round(coefficients.build_s, 4),
        "solve_s": round(sol.solve_s, 4),
        "candidates": len(coefficients.candidates),
        "options": len(coefficients.options),
        "housing_developments": list(coefficients.developments),
        "housing_options": len(coefficients.housing_options),
        "housing": housing_schedule(coefficients, sol, opt.effects),
        "debt_ratio_ceiling": spec.debt_ratio_ceiling,
        "binding_constraints": opt.binding_constraints,
        "binding_tolerance_pct_points": BINDING_TOLERANCE_PCT_POINTS,
        "binding_note": "slack = debt_ratio_ceiling × gross operating revenue − net debt of the chosen schedule in "
        "the finance model; a year binds when its slack is below binding_tolerance_pct_points of revenue; "
        "active_in_relaxation: the year's debt row is tight in the MILP's LP relaxation (binaries continuous, "
        "the ceilings after repairs); listed: every year that binds or is active. debt_path has every year's slack "
        "(its ceiling_mnok is the MILP's, after repairs; plan_finance_model_mnok and plan_revenue_mnok: the finance "
        "model's net debt and gross operating revenue of the plan as written). answer: the plan as written vs the "
        "optimised plan in the finance model (debt ratio per year, place-years short, the moves and why, the years "
        "over the ceiling and why; see ltsim.optimize.answer)",
        "breaches": sol.breaches,
        "value_of_one_more_point_of_ceiling": {
            "objective": opt.value_of_one_point,
            "unmet_place_years": opt.value_of_one_point_place_years,
            "method": "re-solved with the ceiling raised by 1 percentage point of gross operating revenue",
            "failure": opt.value_of_one_point_failure,
        },
        "shortfall_limits_raised": opt.shortfall_limits_raised,
        "notes": list(opt.notes),
        "optimal": figures(sol),
        "plan": figures(opt.plan),
        "greedy": figures(greedy) if greedy is not None else None,
        "repairs": opt.repairs,
        "confidence": opt.confidence,
        "verification": {
            "max_abs_debt_difference_mnok": float(np.max(np.abs(opt.verified_debt_mnok - opt.predicted_debt_mnok))),
            "note": "the MILP's debt path (superposition of per-option finance runs) vs the finance model on the chosen schedule",
        },
        "debt_path": [
            {
                "year": int(y),
                "predicted_mnok": float(a),
                "finance_model_mnok": float(b),
                "ceiling_mnok": float(c),
                "slack_mnok": float(d),
                "slack_pct_points": float(e),
                "plan_finance_model_mnok": float(f),
                "plan_revenue_mnok": float(g),
            }
            for y, a, b, c, d, e, f, g in zip(
                coefficients.years,
                opt.predicted_debt_mnok,
                opt.verified_debt_mnok,
                opt.ceilings,
                opt.slack_mnok,
                opt.slack_pct_points,
                plan_fin.net_debt_mnok,
                plan_fin.revenue_mnok,
                strict=True,
            )
        ],
    }
    files = {
        "schedule.csv": buf.getvalue(),
        "optimize.json": json.dumps(report, indent=2, ensure_ascii=False, default=float) + "\n",
    }
    if coefficients.developments:
        moved = io.StringIO()
        moves = pd.DataFrame(housing_schedule(coefficients, sol, opt.effects)).astype(
            {"effect_headroom_year": "Int64", "effect_headroom_lost_year": "Int64"}
        )
        moves.to_csv(moved, index=False)
        files["housing_schedule.csv"] = moved.getvalue()
    try:  # a variant of the scenario file — only where the scenario is that file (not a batch combination)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same values, 10× faster
        own = yaml.load(coefficients.scenario.file.read_text(encoding="utf-8"), Loader=loader) or {}
    except (OSError, yaml.YAMLError):
        own = {}
    if isinstance(own, dict) and own.get("name") == coefficients.scenario.name:
        overrides = {
            "extends": str(coefficients.scenario.file),
            "name": coefficients.scenario.name + "-optimized",
            **opt.overrides,
        }
        files["scenario.optimized.yaml"] = (
            "# The optimised schedule as a scenario variant (ltsim optimize).\n"
            + yaml.safe_dump(overrides, sort_keys=False, allow_unicode=True)
        )
    return files
