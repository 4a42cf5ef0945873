"""The plan's files in its run folder: builds, moves, trade-off, affordability, plan.json and the variant."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import yaml

from ltsim.planning.driver import PlanResult
from ltsim.planning.replay import BUILD_HEADER, csv_text, debt_rows


def debt_paths(result: PlanResult) -> list[dict[str, Any]]:
    """Per year: net debt and debt ratio without the plan's builds and with them (finance model), and the ceiling."""
    return debt_rows(
        result.coefficients.years,
        result.planned.finance,
        result.without.finance,
        result.coefficients.scenario.config.optimize.debt_ratio_ceiling,
        result.predicted_debt_mnok,
    )


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
        "plan_builds.csv": csv_text(result.builds, BUILD_HEADER),
        "plan_moves.csv": csv_text(result.moves, ["project", "planned_start", "start_year", "note"]),
        "plan_affordability.csv": csv_text(
            result.affordability, ["year", "service", "needed_mnok", "planned_mnok", "gap_mnok"]
        ),
        "plan_debt.csv": csv_text(debt_paths(result)),
        "plan.json": json.dumps(summary, indent=2, ensure_ascii=False, default=float) + "\n",
    }
    if result.tradeoff:  # solved unless --no-tradeoff
        files["plan_tradeoff.csv"] = csv_text(result.tradeoff)
    try:  # a variant of the scenario file — only where the scenario is that file (not a batch combination)
        own = yaml.safe_load(co.scenario.file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        own = {}
    if isinstance(own, dict) and own.get("name") == co.scenario.name:
        files["scenario.planned.yaml"] = variant_yaml(result, str(co.scenario.file))
    return files


VARIANT_MARKER = "# The plan as a scenario variant (ltsim plan)"


def found(result: PlanResult, today: str) -> dict[str, Any]:
    """``plan.found``: what the plan found (solver, gap, place-years short, the affordability gap, the trade-off)."""
    from ltsim.optimize.answer import place_years_short
    from ltsim.planning.replay import basis_hash

    sol = result.solution
    needed: dict[str, dict[int, float]] = {}
    planned: dict[str, dict[int, float]] = {}
    for row in result.affordability:
        needed.setdefault(row["service"], {})[row["year"]] = round(row["needed_mnok"], 3)
        planned.setdefault(row["service"], {})[row["year"]] = round(row["planned_mnok"], 3)
    keys = ("lever", "value", "place_years_short", "investment_mnok", "max_debt_ratio_pct", "affordability_gap_mnok")
    return {
        "date": today,
        "basis_sha256": basis_hash(result.without.scenario),
        "solver": result.solver,
        "status": sol.status,
        **({"mip_gap": round(float(sol.gap), 6)} if sol.gap is not None else {}),
        "place_years_short_as_written": round(result.without_short, 1),
        "place_years_short_planned": round(place_years_short(result.planned), 1),
        "needed_mnok": needed,
        "planned_mnok": planned,
        "tradeoff": [
            {k: r[k] if k == "lever" else round(float(r[k]), 3) for k in keys if k in r} for r in result.tradeoff
        ],
    }


def variant_yaml(result: PlanResult, extends: str, name: str | None = None, today: str | None = None) -> str:
    """The plan as a scenario variant: ``extends`` the planned file, the plan's overrides and ``plan.found``.

    ``ltsim run`` on it gives the planned scenario's numbers and, from ``plan.found``, the
    affordability gap and the trade-off in the report (:mod:`ltsim.planning.replay`).
    """
    import datetime as dt

    base = result.without.scenario
    today = today or dt.datetime.now(dt.UTC).date().isoformat()
    overrides = dict(result.overrides)
    overrides["plan"] = {**overrides.get("plan", {}), "found": found(result, today)}
    variant: dict[str, Any] = {"extends": extends, "name": name or base.name + "-planned"}
    if base.config.title:
        variant["title"] = base.config.title + " – med investeringsplan (ltsim plan)"
    header = (
        f"{VARIANT_MARKER}, {today}: the builds, closures and moves it chose; plan.found is what it found\n"
        f"# (shown in the report, not an input of any model). Run: ltsim run <this file>.\n"
    )
    return header + yaml.safe_dump({**variant, **overrides}, sort_keys=False, allow_unicode=True, width=120)
