"""The plan's files in its run folder: builds, moves, trade-off, affordability, plan.json and the variant."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np
import yaml

from ltsim.planning.driver import PlanResult


def _csv(rows: list[dict[str, Any]], header: list[str] | None = None) -> str:
    buf = io.StringIO()
    names = header or (list(rows[0]) if rows else [])
    writer = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.6f}" if isinstance(v, float) else ("" if v is None else v)) for k, v in row.items()})
    return buf.getvalue()


def debt_paths(result: PlanResult) -> list[dict[str, Any]]:
    """Per year: net debt and debt ratio without the plan's builds and with them (finance model), and the ceiling."""
    ratio = result.coefficients.scenario.config.optimize.debt_ratio_ceiling
    fin_with, fin_without = result.planned.finance, result.without.finance
    return [
        {
            "year": int(y),
            "debt_without_mnok": float(fin_without.net_debt_mnok[t]),
            "debt_with_mnok": float(fin_with.net_debt_mnok[t]),
            "debt_predicted_mnok": float(result.predicted_debt_mnok[t]),
            "debt_ratio_without_pct": float(fin_without.net_debt_mnok[t] / fin_without.revenue_mnok[t] * 100.0),
            "debt_ratio_with_pct": float(fin_with.net_debt_mnok[t] / fin_with.revenue_mnok[t] * 100.0),
            "ceiling_pct": ratio * 100.0,
        }
        for t, y in enumerate(result.coefficients.years)
    ]


BUILD_HEADER = [
    "kind", "type", "site", "facility", "service", "zone", "places", "start_year", "completion_year",
    "gross_cost_mnok", "land_cost_mnok", "npv_cost_mnok", "place_years_closed",
    "debt_ratio_effect_max_pct_points", "operating_cost_mnok_per_year",
]  # fmt: skip


def plan_files(result: PlanResult) -> dict[str, str]:
    """The plan's files: builds, moves, trade-off, affordability, debt paths, plan.json and the variant.

    ``scenario.planned.yaml`` (the plan as a scenario variant) only where the scenario is its own file.
    """
    sol, co = result.solution, result.coefficients
    spec = co.scenario.config.plan
    gap_total = sum(r["gap_mnok"] for r in result.affordability)
    summary = {
        "solver": result.solver,
        "status": sol.status,
        "mip_gap": sol.gap,
        "objective_mnok": sol.objective,
        "objective_note": "discounted NOK million: place-years short × plan.shortfall_cost_mnok_per_place_year, "
        "each option's equivalent annual cost and running cost in service, deferral penalties, breach penalties",
        "discount_rate": spec.discount_rate,
        "candidates": len(result.candidates),
        "options": len(co.options),
        "build_s": round(result.build_s, 4),
        "solve_s": round(result.solve_s, 4),
        "repairs": result.repairs,
        "place_years_short": sol.unmet_place_years,
        "place_years_short_without_builds": result.without_short,
        "builds": len([b for b in result.builds if b["kind"] == "build"]),
        "closures": len([b for b in result.builds if b["kind"] == "closure"]),
        "investment_planned_mnok": float(sum(r["planned_mnok"] for r in result.affordability)),
        "investment_needed_mnok": float(sum(r["needed_mnok"] for r in result.affordability)),
        "affordability_gap_mnok": float(gap_total),
        "breaches": sol.breaches,
        "years_not_holdable": result.not_holdable,
        "years_not_holdable_note": "no schedule keeps the debt under the ceiling in these years (the lowest net debt "
        "any choice reaches, by superposition, is above it — debt already drawn); the MILP holds them at that lowest "
        "debt instead of paying a breach penalty",
        "greedy": {
            "objective_mnok": result.greedy.objective,
            "place_years_short": result.greedy.unmet_place_years,
            "rule_breaches": result.greedy_breaches,
        },
        "need_without_ceiling": None
        if result.need is None
        else {"objective_mnok": result.need.objective, "place_years_short": result.need.unmet_place_years},
        "verification": {
            "max_abs_debt_difference_mnok": float(
                np.max(np.abs(result.planned.finance.net_debt_mnok - result.predicted_debt_mnok))
            ),
            "note": "the MILP's debt path (superposition) vs the finance model run on the chosen plan",
        },
        "notes": result.notes,
    }
    files = {
        "plan_builds.csv": _csv(result.builds, BUILD_HEADER),
        "plan_moves.csv": _csv(result.moves, ["project", "planned_start", "start_year", "note"]),
        "plan_affordability.csv": _csv(
            result.affordability, ["year", "service", "needed_mnok", "planned_mnok", "gap_mnok"]
        ),
        "plan_debt.csv": _csv(debt_paths(result)),
        "plan.json": json.dumps(summary, indent=2, ensure_ascii=False, default=float) + "\n",
    }
    if result.tradeoff:  # solved unless --no-tradeoff
        files["plan_tradeoff.csv"] = _csv(result.tradeoff)
    try:  # a variant of the scenario file — only where the scenario is that file (not a batch combination)
        own = yaml.safe_load(co.scenario.file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        own = {}
    if isinstance(own, dict) and own.get("name") == co.scenario.name:
        variant = {"extends": str(co.scenario.file), "name": co.scenario.name + "-planned", **result.overrides}
        files["scenario.planned.yaml"] = "# The plan as a scenario variant (ltsim plan).\n" + yaml.safe_dump(
            variant, sort_keys=False, allow_unicode=True
        )
    return files
