"""Scale benchmark (issue 21): the synthetic municipality of benchmarks/synthetic_municipality.py.

    python benchmarks/bench_scale.py            # 100 areas, 50 zones, 400 projects, 300 developments, 40 years
    python benchmarks/bench_scale.py --reps 200 # fewer Monte Carlo replications (a smoke test)

Measures, each ``ltsim run`` in a fresh interpreter with its peak memory (the child's maximum resident set
size, ``resource.getrusage``): the run with report.html and workbook.xlsx, the run without them, and
``--reps N`` on 2 workers (stochastic programme). Then the same Monte Carlo in-process on 2 local worker
processes and on a Dask LocalCluster of 2 single-threaded worker processes, and whether every replication's
numbers are identical. Prints one line per measure and, last, a JSON line (``benchmarks/run.py`` reads it).
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic_municipality import generate  # noqa: E402

CHILD = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                  "rc": done.returncode, "stderr": done.stderr[-2000:]}))
"""


def measured(args: list[str]) -> dict[str, Any]:
    """Run ``python -m ltsim ARGS`` in a child of a fresh helper; wall and CPU seconds, peak memory [MB]."""
    cmd = [sys.executable, "-c", CHILD, sys.executable, "-m", "ltsim", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if res["rc"] != 0:
        raise RuntimeError(f"ltsim {' '.join(args)} failed: {res['stderr']}")
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in res.items() if k != "stderr"}


def same_replications(a: Any, b: Any) -> bool:
    """Whether two Monte Carlo results hold identical numbers, replication by replication."""
    names = ("completion_year", "cost_mnok", "spend_mnok", "population_total", "kpi_values", "kpi_red")
    for name in names:
        x, y = getattr(a, name), getattr(b, name)
        if (x is None) != (y is None) or (x is not None and not _equal(x, y)):
            return False
    return all(_equal(x, y) for x, y in zip((*a.short, *a.usable), (*b.short, *b.usable), strict=True))


def _equal(x: np.ndarray, y: np.ndarray) -> bool:
    """Equal arrays, NaN where NaN (a key figure without a value in some year)."""
    return bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"))


def dask_check(stochastic: Path, reps: int) -> dict[str, Any]:
    """The same Monte Carlo on 2 local processes and on a Dask LocalCluster: seconds each, identical or not."""
    from ltsim import pipeline
    from ltsim.montecarlo import run_montecarlo
    from ltsim.scenario import load_scenario

    sc = load_scenario(stochastic)
    persons = pipeline.run(sc).population.persons
    tick = time.perf_counter()
    local = run_montecarlo(sc, persons, reps, sc.config.seed, workers=2)
    local_s = time.perf_counter() - tick
    try:
        import distributed
    except ImportError:
        return {"reps": reps, "local_s": round(local_s, 2), "dask": "not installed"}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        tick = time.perf_counter()
        remote = run_montecarlo(sc, persons, reps, sc.config.seed, dask=cl.scheduler_address)
        dask_s = time.perf_counter() - tick
    return {
        "reps": reps,
        "local_s": round(local_s, 2),
        "dask_s": round(dask_s, 2),
        "identical": same_replications(local, remote),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Generate the municipality, measure, print and return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--dask-reps", type=int, default=200, help="replications of the Dask comparison")
    a = parser.parse_args(argv)
    res: dict[str, Any] = {"size": "100 areas, 50 zones, 400 projects, 300 developments, 40 years"}
    with tempfile.TemporaryDirectory() as tmp:
        scenario = generate(Path(tmp) / "synthetic")
        stochastic = scenario.with_name("stochastic.yaml")
        res["run_report"] = measured(["run", str(scenario), "--out", f"{tmp}/r1", "--quiet"])
        sizes = {f: (Path(tmp) / "r1" / f).stat().st_size for f in ("report.html", "workbook.xlsx", "population.csv")}
        res["bytes"] = sizes
        res["run_no_report"] = measured(["run", str(scenario), "--out", f"{tmp}/r2", "--quiet", "--no-report"])
        reps = ["--reps", str(a.reps), "--workers", "2", "--no-report", "--quiet"]
        res["montecarlo"] = measured(["run", str(stochastic), "--out", f"{tmp}/r3", *reps]) | {"reps": a.reps}
        res["dask"] = dask_check(stochastic, a.dask_reps)
    r = res
    print(f"synthetic municipality: {r['size']}")
    for key, what in (("run_report", "run + report"), ("run_no_report", "run --no-report")):
        print(f"  ltsim {what}: {r[key]['wall_s']:.2f} s wall, {r[key]['cpu_s']:.2f} s CPU, {r[key]['peak_mb']:.0f} MB")
    print(f"  report.html {sizes['report.html'] / 1e6:.2f} MB, workbook.xlsx {sizes['workbook.xlsx'] / 1e6:.1f} MB")
    mc = r["montecarlo"]
    print(f"  --reps {a.reps} on 2 workers: {mc['wall_s']:.1f} s wall, {mc['peak_mb']:.0f} MB (main process)")
    print(f"  Dask LocalCluster vs local processes, {a.dask_reps} reps: {r['dask']}")
    print(json.dumps(res))
    return res


if __name__ == "__main__":
    main()
