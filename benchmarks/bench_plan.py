"""Benchmark of ``ltsim plan`` (issue 17).

    python benchmarks/bench_plan.py [--time-limit S] [--skip-asker] [--skip-synthetic]

1. Asker: 12 kindergarten, 13 primary and 12 lower-secondary zones and the municipality for 24-hour
   care, 144 candidates, 20 years; ``plan`` end to end without the trade-off curve (build, the main
   solve with its repairs, the need without a ceiling), HiGHS and CBC. Target: proven optimal or
   within 0.5 % in ≤ 10 s on 2 cores, build included.
2. Synthetic: 40 zones × 3 services × 2 types (6 types) × 25 years of start years + the 300-project
   catalogue of ``bench_optimize.synthetic_coefficients``, solved once with the planning MILP (no
   pipeline: the coefficients are made directly). Target: ≤ 1 % gap in ≤ 60 s.

Prints a table and writes benchmarks/results/plan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import types  # noqa: E402

import numpy as np  # noqa: E402
from bench_optimize import _debt_path, synthetic_coefficients  # noqa: E402

from ltsim.optimize import Option  # noqa: E402
from ltsim.optimize.milp import solve_milp  # noqa: E402
from ltsim.planning import plan  # noqa: E402
from ltsim.planning.candidates import Candidate, annuity_factor  # noqa: E402
from ltsim.planning.model import planning_model_class  # noqa: E402
from ltsim.scenario import load_scenario  # noqa: E402
from ltsim.schema import BuildLimit  # noqa: E402

SHORTFALL_COST = {"kindergarten": 0.2, "primary_school": 0.15, "care_24h": 0.75}  # NOK million a place-year
TYPES = {  # service → (type, places, gross cost NOK million, build years, places in use years or None)
    "kindergarten": (("kg_new", 108, 112.0, 3, None), ("kg_modules", 36, 18.0, 1, 15)),
    "primary_school": (("school_new", 392, 300.0, 4, None), ("school_modules", 112, 45.0, 1, 10)),
    "care_24h": (("care_96", 96, 645.0, 4, None), ("care_48", 48, 323.0, 4, None)),
}


def synthetic_plan(seed: int = 7, n_zones: int = 40, n_years: int = 25) -> tuple[Any, list[Candidate]]:
    """The synthetic catalogue plus one site per (zone, service) with that service's two types, costed as ``plan`` costs."""
    import dataclasses

    co = synthetic_coefficients(n_projects=300, n_zones=n_zones, n_years=n_years, seed=seed)
    years = co.years
    base = int(years[0])
    rate = 0.04
    discount = (1 + rate) ** -(years - base)
    cells = tuple(dataclasses.replace(c, weight=SHORTFALL_COST[c.service] * discount) for c in co.cells)
    ids = list(co.scenario.projects.ids)
    options = list(co.options)
    cands: list[Candidate] = []
    sites: dict[str, Any] = {}
    n_catalogue = len(ids)
    for c, cell in enumerate(cells):
        site = f"s_{cell.zone}_{cell.service}"
        sites[site] = types.SimpleNamespace(max_builds=1, service=cell.service, zone=cell.zone)
        for type_id, places, cost, build, in_use in TYPES[cell.service]:
            pid = f"cand_{site}_{type_id}_0"
            p = len(ids)
            ids.append(pid)
            last = base + n_years - build
            cands.append(Candidate(pid, "build", site, type_id, 0, None, base + 1, last))
            yearly = cost * 0.8 * annuity_factor(rate, in_use or 40)
            for start in range(base + 1, last + 1):
                done = start + build
                spend = np.where((years >= start) & (years < done), cost / build, 0.0)
                debt, interest = _debt_path(spend)
                serving = (years >= done) & (years < done + in_use if in_use else True)
                options.append(
                    Option(
                        project=p,
                        start_year=start,
                        completion_year=done,
                        deferral_years=0,
                        spend_mnok=spend,
                        debt_mnok=debt,
                        ndr_mnok=-0.04 * debt,
                        interest_mnok=interest,
                        places={c: np.where(serving, places * 0.95, 0.0)},
                        cost_mnok=float((discount * serving).sum() * yearly),
                    )
                )
    projects = co.scenario.projects
    n_new = len(ids) - n_catalogue
    projects = types.SimpleNamespace(
        ids=tuple(ids),
        exclusive_group=(*projects.exclusive_group, *([None] * n_new)),
        planned_start_year=np.concatenate([projects.planned_start_year, np.full(n_new, base + 1.0)]),
        mandatory=np.zeros(len(ids), dtype=bool),
        inputs=types.SimpleNamespace(
            depends_on=(*projects.inputs.depends_on, *([()] * n_new)),
            included=np.concatenate([projects.inputs.included, np.zeros(n_new, dtype=bool)]),
        ),
    )
    spec = types.SimpleNamespace(
        build_limits=[BuildLimit(service="primary_school", max_builds=1, years=10)], min_utilisation={}
    )
    config = types.SimpleNamespace(optimize=co.scenario.config.optimize, plan=spec)
    scenario = types.SimpleNamespace(
        name="synthetic-plan", projects=projects, config=config, plan=types.SimpleNamespace(sites=sites)
    )
    optional = frozenset(range(n_catalogue, len(ids)))
    plan_start = {**co.plan_start, **{p: base + 1 for p in optional}}
    return (
        dataclasses.replace(
            co,
            scenario=scenario,
            candidates=tuple(range(len(ids))),
            options=tuple(options),
            cells=cells,
            optional=optional,
            plan_start=plan_start,
        ),
        cands,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--skip-asker", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    rows = []
    if not args.skip_synthetic:
        tick = time.perf_counter()
        co, cands = synthetic_plan()
        build_s = time.perf_counter() - tick
        for solver in ("highs", "cbc"):
            sol = solve_milp(
                co, co.revenue_mnok * 1.0, solver, args.time_limit, 0.01, model_class=planning_model_class(cands)
            )
            rows.append(
                {
                    "instance": "synthetic 40x6x25+300",
                    "solver": solver,
                    "candidates": len(cands),
                    "options": len(co.options),
                    "build_s": round(build_s, 3),
                    "solve_s": round(sol.solve_s + sol.model_s, 3),
                    "total_s": round(build_s + sol.solve_s + sol.model_s, 3),
                    "status": sol.status,
                    "mip_gap": sol.gap,
                    "objective_mnok": round(sol.objective, 3),
                    "place_years_short": round(sol.unmet_place_years, 1),
                }
            )
    sc = None if args.skip_asker else load_scenario(ROOT / "scenarios" / "asker" / "base.yaml")
    for solver in ("highs", "cbc") if sc is not None else ():
        tick = time.perf_counter()
        result = plan(sc, solver=solver, time_limit=args.time_limit, gap=0.005, with_tradeoff=False)  # type: ignore[arg-type]
        total = time.perf_counter() - tick
        rows.append(
            {
                "instance": "Asker base",
                "solver": solver,
                "candidates": len(result.candidates),
                "options": len(result.coefficients.options),
                "build_s": round(result.build_s, 3),
                "solve_s": round(result.solve_s, 3),
                "total_s": round(total, 3),
                "status": result.solution.status,
                "mip_gap": result.solution.gap,
                "objective_mnok": round(result.solution.objective, 3),
                "place_years_short": round(result.solution.unmet_place_years, 1),
                "repairs": result.repairs,
            }
        )
    print(f"{'instance':<22} {'solver':<7} {'cands':>5} {'options':>7} {'build s':>8} {'solve s':>8} {'total s':>8} {'status':<8} "
          f"{'gap':>7} {'objective':>12} {'short':>9}")  # fmt: skip
    for r in rows:
        gap = "–" if r["mip_gap"] is None else f"{r['mip_gap']:.4f}"
        print(
            f"{r['instance']:<22} {r['solver']:<7} {r['candidates']:>5} {r['options']:>7} {r['build_s']:>8.2f} {r['solve_s']:>8.2f} "
            f"{r['total_s']:>8.2f} {r['status']:<8} {gap:>7} {r['objective_mnok']:>12,.1f} {r['place_years_short']:>9,.0f}"
        )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(
        json.dumps({"machine": platform.platform(), "load_average": os.getloadavg(), "rows": rows}, indent=2) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
