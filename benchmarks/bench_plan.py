"""Benchmark of ``ltsim plan`` on Asker (issue 17): 12 kindergarten, 13 primary and 12 lower-secondary zones
and the municipality for 24-hour care, 144 candidates, 20 years.

    python benchmarks/bench_plan.py [--time-limit S]

Prints a table (solver, candidates, options, build s, solve s (the main solve with its repairs and the
need without a ceiling; no trade-off curve), status, MIP gap, objective, place-years short) and writes
benchmarks/results/plan.json. Target (issue 17): proven optimal or within 0.5 % in ≤ 10 s on 2 cores,
build included.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ltsim.planning import plan  # noqa: E402
from ltsim.scenario import load_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    sc = load_scenario(ROOT / "scenarios" / "asker" / "base.yaml")
    rows = []
    for solver in ("highs", "cbc"):
        tick = time.perf_counter()
        result = plan(sc, solver=solver, time_limit=args.time_limit, gap=0.005, with_tradeoff=False)
        total = time.perf_counter() - tick
        rows.append(
            {
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
            }
        )
    print(f"{'solver':<7} {'cands':>5} {'options':>7} {'build s':>8} {'solve s':>8} {'total s':>8} {'status':<8} "
          f"{'gap':>7} {'objective':>12} {'short':>9}")  # fmt: skip
    for r in rows:
        gap = "–" if r["mip_gap"] is None else f"{r['mip_gap']:.4f}"
        print(
            f"{r['solver']:<7} {r['candidates']:>5} {r['options']:>7} {r['build_s']:>8.2f} {r['solve_s']:>8.2f} "
            f"{r['total_s']:>8.2f} {r['status']:<8} {gap:>7} {r['objective_mnok']:>12,.1f} {r['place_years_short']:>9,.0f}"
        )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(
        json.dumps({"machine": platform.platform(), "rows": rows}, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
