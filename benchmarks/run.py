"""ltsim benchmarks: `make bench`. Prints a table and writes benchmarks/results/latest.json.

Timings are medians over repeated in-process calls (time.perf_counter) unless a row says
otherwise: the `ltsim run` rows and the report row start a fresh interpreter each time, the
Monte Carlo and batch rows start worker processes. Each row carries the target from the issue
tracker; the table marks whether the median meets it. Nothing here is asserted (exit 0 either
way); the machine's load average is recorded because other processes skew the figures.

    python benchmarks/run.py            # everything (about three minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer repeats (for a smoke test)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ltsim import pipeline  # noqa: E402
from ltsim.models import finance as fin_model  # noqa: E402
from ltsim.models import population as pop_model  # noqa: E402
from ltsim.models.population import PopulationInputs, project  # noqa: E402
from ltsim.scenario import load_scenario  # noqa: E402

SCENARIOS = ROOT / "scenarios" / "asker"
ASKER = SCENARIOS / "base.yaml"
ASKER_MC = SCENARIOS / "projects-stochastic.yaml"
ASKER_WHOLE_MC = SCENARIOS / "population-stochastic.yaml"
ASKER_SEQ = SCENARIOS / "rekkefolge.yaml"
REVIEW = SCENARIOS / "reviews" / "school-structure.yaml"
BACKTEST = SCENARIOS / "backtest"
MC_REPS = 1000
QUICK = "--quick" in sys.argv


# --------------------------------------------------------------------------------------- rows


@dataclass
class Row:
    """One line of the table. ``value`` is what the target is checked against (``unit`` says what it is)."""

    name: str
    size: str
    value: float
    unit: str = "ms"  # "ms", "x" (a ratio), "MB" or "same" (1: identical results, 0: not)
    best: float | None = None
    repeat: int | None = None
    target: str = "—"
    limit: float | None = None  # value ≤ limit meets the target
    how: str = "in-process"
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        return None if self.limit is None else self.value <= self.limit

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "size": self.size,
            "how": self.how,
            "value": round(self.value, 4),
            "unit": self.unit,
            "target": self.target,
            "limit": self.limit,
            "met": self.met,
        }
        if self.unit == "ms":
            out["median_ms"] = round(self.value, 4)
            if self.best is not None:
                out["best_ms"] = round(self.best, 4)
        if self.repeat is not None:
            out["repeat"] = self.repeat
        if self.detail:
            out["detail"] = self.detail
        return out


def timed(fn: Callable[[], object], repeat: int = 50, inner: int = 1, warmup: bool = True) -> dict[str, float]:
    """Median and best wall time of ``fn`` in milliseconds."""
    if QUICK:
        repeat = max(1, min(repeat, 3))
    if warmup:
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner * 1e3)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples), "repeat": repeat}


def time_row(name: str, size: str, t: dict[str, float], limit_ms: float | None = None, **kw: Any) -> Row:
    target = kw.pop("target", None) or (fmt_ms(limit_ms, target=True) if limit_ms is not None else "—")
    return Row(name, size, t["median_ms"], "ms", t["best_ms"], int(t["repeat"]), target, limit_ms, **kw)


def fmt_ms(ms: float, target: bool = False) -> str:
    prefix = "≤ " if target else ""
    if ms >= 1000:
        return f"{prefix}{ms / 1e3:.3g} s" if target else f"{ms / 1e3:.2f} s"
    return f"{prefix}{ms:g} ms" if target else f"{ms:.2f} ms"


def fmt_value(row: Row, value: float | None) -> str:
    if value is None:
        return ""
    if row.unit == "ms":
        return fmt_ms(value)
    if row.unit == "x":
        return f"{value:.2f}×"
    if row.unit == "same":
        return "identical" if value else "DIFFERENT"
    return f"{value:.2f} {row.unit}"


# --------------------------------------------------------------------------------------- inputs


def synthetic_inputs(n_areas: int = 40, n_years: int = 30, n_ages: int = 101, seed: int = 1) -> PopulationInputs:
    """A realistic-sized random projection problem (for scaling, not for its figures)."""
    rng = np.random.default_rng(seed)
    ages = np.arange(n_ages)
    q = np.clip(0.0002 * np.exp(0.095 * ages), 0, 1)
    fert = np.where((ages >= 15) & (ages <= 49), 0.045 * np.exp(-(((ages - 31) / 6.0) ** 2)), 0.0)
    profile = rng.random((n_areas, 2, n_ages))
    return PopulationInputs(
        base_year=2024,
        base_persons=rng.uniform(5, 40, (n_areas, 2, n_ages)),
        death_rate=np.broadcast_to(q, (n_years, 2, n_ages)).copy(),
        fertility_rate=np.broadcast_to(fert, (n_years, n_ages)).copy(),
        male_share_at_birth=1.05 / 2.05,
        out_rate=np.full((2, n_ages), 0.06),
        out_scale=np.ones((n_years, n_areas)),
        in_persons=rng.uniform(50, 300, (n_years, n_areas)),
        in_profile=profile / profile.sum(axis=(1, 2), keepdims=True),
        housing_in=rng.uniform(0, 0.2, (n_years, n_areas, 2, n_ages)),
        control_total=np.full(n_years, np.nan),
    )


def ltsim_cmd() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "ltsim"
    return [str(exe)] if exe.exists() else [sys.executable, str(ROOT / "cli.py")]


def cli_run(scenario: Path, repeat: int = 5, extra: tuple[str, ...] = (), command: str = "run") -> dict[str, float]:
    """End-to-end `ltsim run` (or ``command``), interpreter start included (a fresh run folder each time)."""
    if QUICK:
        repeat = 1
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(
                [*ltsim_cmd(), command, str(scenario), "--out", f"{tmp}/r{i}", *extra]
                + (["--quiet"] if command == "run" else []),
                check=True,
                capture_output=True,
            )
            samples.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples), "repeat": repeat}


def stage_medians(results: list[pipeline.RunResult]) -> dict[str, float]:
    """Median wall time [ms] of each pipeline stage over several runs (RunResult.timings_s)."""
    stages = results[0].timings_s
    return {k: round(statistics.median(r.timings_s[k] for r in results) * 1e3, 3) for k in stages}


# --------------------------------------------------------------------------------------- benchmarks


def bench_models(rows: list[Row]) -> None:
    sc = load_scenario(ASKER)
    inp = pipeline.population_inputs(sc)
    shape = f"{len(sc.area_ids)} areas × {len(sc.years) - 1} years × 101 ages × 2 sexes"
    rows.append(time_row("population.project (Asker base)", shape, timed(lambda: project(inp), 200), 5))
    rows.append(
        time_row(
            "population inputs + project (Asker)",
            shape,
            timed(lambda: pop_model.project(pipeline.population_inputs(sc)), 100),
            5,
        )
    )
    big = synthetic_inputs()
    rows.append(
        time_row(
            "population.project (synthetic)",
            "40 areas × 30 years × 101 ages × 2 sexes",
            timed(lambda: project(big), 100),
            10,
        )
    )
    result = pipeline.run(sc)
    persons = result.population.persons
    if sc.services.services:
        n_fac = len(sc.services.capacity.facility_ids) if sc.services.capacity else 0
        rows.append(
            time_row(
                "demand + capacity (Asker)",
                f"{len(sc.services.services)} services, {n_fac} facilities, {len(sc.years)} years",
                timed(lambda: pipeline.demand_and_capacity(sc, persons), 100),
                5,
            )
        )
    if sc.config.finance is not None:
        fin_in = pipeline.finance_inputs(sc, result.population, result.services, result.projects)
        n_items = fin_in.projects.gross_spend_mnok.shape[0]
        size = f"{len(fin_in.years)} budget years, {n_items} investment lines"
        rows.append(
            time_row(
                "finance.simulate (Asker)",
                size + ", inputs built once",
                timed(lambda: fin_model.simulate(fin_in), 200),
                5,
            )
        )
        rows.append(
            time_row(
                "finance inputs + simulate (Asker)",
                size,
                timed(
                    lambda: fin_model.simulate(
                        pipeline.finance_inputs(sc, result.population, result.services, result.projects)
                    ),
                    200,
                ),
                5,
            )
        )
        rules = pipeline.fiscal_rules(sc)
        fin_out = fin_model.simulate(fin_in)
        energy = sc.config.finance.funds.include_energy_fund_in_fund_kpi
        rows.append(
            time_row(
                "finance.kpis (Asker)",
                f"{len(rules)} fiscal rules",
                timed(lambda: list(fin_model.kpis(fin_out, rules, energy)), 200),
            )
        )
    runs: list[pipeline.RunResult] = []

    def whole() -> None:
        runs.append(pipeline.run(sc))

    t = timed(whole, 50)
    rows.append(
        time_row(
            "whole pipeline in-process (Asker)",
            "projects → population → demand → capacity → finance → KPIs",
            t,
            50,
            detail={"stage_median_ms": stage_medians(runs)},
        )
    )
    rows.append(
        time_row("load + validate scenario (Asker)", "YAML + CSV tables", timed(lambda: load_scenario(ASKER), 10))
    )


def bench_sequencing(rows: list[Row]) -> None:
    base = load_scenario(ASKER)
    seq = load_scenario(ASKER_SEQ)
    out: dict[str, list[pipeline.RunResult]] = {"base": [], "seq": []}
    t_base = timed(lambda: out["base"].append(pipeline.run(base)), 30)
    responses = pipeline.ResponseCache(seq.hash)  # as Monte Carlo and the optimiser keep it between runs
    t_seq = timed(lambda: out["seq"].append(pipeline.run(seq, cache=responses)), 30)
    conditions = seq.config.population.housing.conditions
    rows.append(
        time_row(
            "pipeline.run with sequencing rules (Asker)",
            f"rekkefolge.yaml: {len(conditions)} conditioned developments",
            t_seq,
            detail={"stage_median_ms": stage_medians(out["seq"])},
        )
    )
    ratio = t_seq["median_ms"] / t_base["median_ms"]

    def cold() -> None:  # without a cache of housing responses: a single run
        pipeline.run(seq)

    t_cold = timed(cold, 30)
    rows.append(
        Row(
            "  sequencing rules vs base, cold cache (ratio)",
            f"{fmt_ms(t_cold['median_ms'])} / {fmt_ms(t_base['median_ms'])}: first run of a scenario in a process",
            t_cold["median_ms"] / t_base["median_ms"],
            "x",
            target="—",
            detail={"rekkefolge_cold_median_ms": t_cold["median_ms"]},
        )
    )
    mc = montecarlo_with_sequencing()
    rows.append(
        Row(
            "  sequencing rules vs base (ratio)",
            f"{fmt_ms(t_seq['median_ms'])} / {fmt_ms(t_base['median_ms'])} (base.yaml)",
            ratio,
            "x",
            target="≤ 2×",
            limit=2.0,
            detail={"base_median_ms": t_base["median_ms"], "rekkefolge_median_ms": t_seq["median_ms"]},
        )
    )
    rows.append(
        time_row(
            "  Monte Carlo with sequencing rules, per rep.",
            f"{mc['reps']} reps, 1 worker, stochastic rekkefolge.yaml ({mc['total_ms'] / 1e3:.2f} s)",
            mc,
            detail={"total_ms": mc["total_ms"]},
        )
    )


def montecarlo_with_sequencing(reps: int = 100) -> dict[str, float]:
    """Per-replication cost of a Monte Carlo where housing waits for projects (rekkefolge.yaml, stochastic)."""
    from ltsim.montecarlo import run_montecarlo

    reps = 25 if QUICK else reps
    with tempfile.TemporaryDirectory() as tmp:
        variant = Path(tmp) / "rekkefolge-stochastic.yaml"
        variant.write_text(
            f"extends: {ASKER_SEQ}\nname: bench-rekkefolge-stochastic\nprojects:\n  mode: stochastic\n",
            encoding="utf-8",
        )
        sc = load_scenario(variant)
    persons = pipeline.run(sc).population.persons
    t0 = time.perf_counter()
    run_montecarlo(sc, persons, reps, sc.config.seed, workers=1)
    total = (time.perf_counter() - t0) * 1e3
    return {"median_ms": total / reps, "best_ms": total / reps, "repeat": 1, "reps": reps, "total_ms": total}


def bench_montecarlo(rows: list[Row]) -> None:
    from ltsim.montecarlo import run_montecarlo

    sc = load_scenario(ASKER_MC)
    persons = pipeline.run(sc).population.persons
    n_proj = len(sc.projects.ids)
    size = f"{MC_REPS} replications, {n_proj} projects (projects-stochastic.yaml)"
    reps = 2 if QUICK else 3
    t2 = timed(lambda: run_montecarlo(sc, persons, MC_REPS, sc.config.seed, workers=2), reps)
    t1 = timed(lambda: run_montecarlo(sc, persons, MC_REPS, sc.config.seed, workers=1), reps, warmup=False)
    rows.append(time_row("Monte Carlo, 2 workers (Asker)", size, t2, 10_000, how="process pool"))
    rows.append(time_row("Monte Carlo, 1 worker (Asker)", size, t1))
    per_rep = {"median_ms": t1["median_ms"] / MC_REPS, "best_ms": t1["best_ms"] / MC_REPS, "repeat": t1["repeat"]}
    rows.append(time_row("  per replication (1 worker)", "SimPy run + capacity ledger + gaps", per_rep))
    rows.append(
        Row(
            "  speed-up 2 workers vs 1",
            f"{os.cpu_count()} cpus",
            t1["median_ms"] / t2["median_ms"],
            "x",
            target="(ideal 2×)",
        )
    )


def bench_whole_montecarlo(rows: list[Row]) -> None:
    """Issue 21: Monte Carlo of the whole pipeline — a population variant, the programme, capacity, finance, KPIs."""
    from ltsim.montecarlo import run_montecarlo

    sc = load_scenario(ASKER_WHOLE_MC)
    persons = pipeline.run(sc).population.persons
    size = f"{MC_REPS} replications, population-stochastic.yaml: population variant + programme + finance"
    reps = 2 if QUICK else 3
    t2 = timed(lambda: run_montecarlo(sc, persons, MC_REPS, sc.config.seed, workers=2), reps)
    t1 = timed(lambda: run_montecarlo(sc, persons, MC_REPS, sc.config.seed, workers=1), reps, warmup=False)
    rows.append(time_row("Monte Carlo whole pipeline, 2 workers (Asker)", size, t2, 5_000, how="process pool"))
    rows.append(time_row("Monte Carlo whole pipeline, 1 worker (Asker)", size, t1))


def bench_batch_rerun(rows: list[Row]) -> None:
    """Issue 21: ``ltsim batch`` again on a complete batch folder (nothing to run), end to end."""
    if not REVIEW.exists():
        return
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/batch"
        cmd = [*ltsim_cmd(), "batch", str(REVIEW), "--out", out, "--workers", "2"]
        subprocess.run(cmd, check=True, capture_output=True)
        for _ in range(1 if QUICK else 5):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            samples.append((time.perf_counter() - t0) * 1e3)
    t = {"median_ms": statistics.median(samples), "best_ms": min(samples), "repeat": len(samples)}
    rows.append(
        time_row(
            "ltsim batch rerun, all complete (Asker review)",
            "24 scenarios, fresh interpreter",
            t,
            500,
            how="subprocess",
        )
    )


def bench_compare_many(rows: list[Row], n_axis: int = 5) -> None:
    """Issue 21: comparison.html of a batch of n_axis² × 4 scenarios (100 by default), from its run folders."""
    from ltsim.batch import load_batch, run_batch
    from ltsim.report import compare_report

    n_axis = 3 if QUICK else n_axis
    levels = [round(0.9 + 0.2 * i / (n_axis - 1), 3) for i in range(n_axis)]
    axes = {
        "fert": {f"f{v:g}": {"population": {"fertility": {"scale": v}}} for v in levels},
        "inmig": {f"i{v:g}": {"population": {"migration": {"in_scale": v}}} for v in levels},
        "rate": {f"r{v:g}": {"finance": {"debt": {"interest_rate": {2024: v}}}} for v in (0.03, 0.04, 0.05, 0.06)},
    }
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "batch.yaml"
        spec.write_text(yaml.safe_dump({"name": "many", "base": str(ASKER), "axes": axes}), encoding="utf-8")
        batch = load_batch(spec)
        run_batch(batch, Path(tmp) / "out", workers=2)
        n = len(batch.scenarios)
        t = timed(lambda: compare_report([Path(tmp) / "out"], Path(tmp) / "comparison.html"), 1 if QUICK else 3)
    rows.append(time_row(f"comparison.html of {n} scenarios", "batch folder → page (run folders read)", t, 2000))


def bench_scale(rows: list[Row]) -> None:
    """Issue 21: the synthetic municipality (benchmarks/bench_scale.py in a fresh interpreter)."""
    args = [sys.executable, str(ROOT / "benchmarks" / "bench_scale.py")]
    if QUICK:
        args += ["--reps", "100", "--dask-reps", "50"]
    proc = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    size = "100 areas, 50 zones, 400 projects, 300 developments, 40 years"
    for key, name, limit in (
        ("run_report", "ltsim run + report (synthetic)", 3000),
        ("run_no_report", "ltsim run --no-report (synthetic)", None),
    ):
        r = res[key]
        rows.append(
            Row(
                name,
                size,
                r["wall_s"] * 1e3,
                "ms",
                target="≤ 3 s" if limit else "—",
                limit=limit,
                how="subprocess",
                detail=r,
            )
        )
        rows.append(
            Row(
                f"  peak memory, {name.split(' (')[0].removeprefix('ltsim ')}",
                "max resident set size",
                r["peak_mb"],
                "MB",
                target="≤ 400 MB" if limit else "—",
                limit=400 if limit else None,
            )
        )
    mc = res["montecarlo"]
    rows.append(
        Row(
            f"ltsim run --reps {mc['reps']} (synthetic)",
            "stochastic programme, 2 workers, --no-report",
            mc["wall_s"] * 1e3,
            "ms",
            target="≤ 60 s" if mc["reps"] >= 1000 else "—",
            limit=60_000 if mc["reps"] >= 1000 else None,
            how="subprocess",
            detail=mc,
        )
    )
    d = res["dask"]
    if "identical" in d:
        rows.append(
            Row(
                f"  Dask LocalCluster = local processes ({d['reps']} reps)",
                f"dask {d['dask_s']:.1f} s, local {d['local_s']:.1f} s",
                1.0 if d["identical"] else 0.0,
                "same",
                target="identical",
                detail=d,
            )
        )


def bench_batch(rows: list[Row]) -> None:
    from ltsim.batch import load_batch, run_batch

    if not REVIEW.exists():
        return
    batch = load_batch(REVIEW)
    n = len(batch.scenarios)
    size = f"{n} scenarios × reps {batch.spec.reps}, full run folders"
    results: dict[int, list[float]] = {1: [], 2: []}
    per_scenario: dict[int, list[float]] = {1: [], 2: []}
    failed = 0
    repeat = 1 if QUICK else 2
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            for workers in (2, 1):
                out = Path(tmp) / f"w{workers}-{i}"
                t0 = time.perf_counter()
                res = run_batch(batch, out, workers=workers)
                results[workers].append((time.perf_counter() - t0) * 1e3)
                per_scenario[workers].append(statistics.median(o.seconds for o in res.outcomes) * 1e3)
                failed += sum(o.status != "ok" for o in res.outcomes)
                shutil.rmtree(out)
    t = {w: {"median_ms": statistics.median(v), "best_ms": min(v), "repeat": len(v)} for w, v in results.items()}
    detail = {"failed_scenarios": failed}
    rows.append(time_row("review batch, 2 workers (Asker)", size, t[2], 30_000, how="process pool", detail=detail))
    rows.append(
        time_row(
            "review batch, 1 worker (Asker)",
            size,
            t[1],
            detail={"median_scenario_ms": statistics.median(per_scenario[1])},
        )
    )
    rows.append(
        Row(
            "  speed-up 2 workers vs 1",
            f"median scenario {fmt_ms(statistics.median(per_scenario[1]))} (1 worker)",
            t[1]["median_ms"] / t[2]["median_ms"],
            "x",
            target="(ideal 2×)",
        )
    )


def bench_cli(rows: list[Row]) -> None:
    rows.append(
        time_row(
            "ltsim run --no-report, end to end (Asker)",
            "fresh interpreter, writes run folder",
            cli_run(ASKER, 5, ("--no-report",)),
            2000,
            how="subprocess",
        )
    )
    rows.append(
        time_row(
            "ltsim run, end to end (Asker)",
            "… and report.html + workbook.xlsx",
            cli_run(ASKER, 3),
            1000,
            how="subprocess",
        )
    )
    rows.append(
        time_row(
            "ltsim optimize, end to end (Asker)",
            "coefficients, solve, check, run folder, report",
            cli_run(ASKER, 3, (), command="optimize"),
            2000,
            how="subprocess",
        )
    )
    rows.append(
        time_row(
            "  interpreter + import ltsim.cli",
            "ltsim --version",
            cli_version(),
            how="subprocess",
        )
    )


def cli_version(repeat: int = 5) -> dict[str, float]:
    samples = []
    for _ in range(1 if QUICK else repeat):
        t0 = time.perf_counter()
        subprocess.run([*ltsim_cmd(), "--version"], check=True, capture_output=True)
        samples.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples), "repeat": len(samples)}


def bench_report(rows: list[Row]) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_report.py"), str(ASKER)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    rows.append(
        Row(
            "report html + workbook (Asker)",
            f"first call of 3 (median {res['report_s_median']:.2f} s); html {res['html_s']:.2f} s, "
            f"workbook {res['workbook_s']:.2f} s",
            res["report_s_first"] * 1e3,
            "ms",
            best=res["report_s_best"] * 1e3,
            repeat=3,
            target="≤ 3 s",
            limit=3000,
            how="fresh interpreter",
            detail=res,
        )
    )
    rows.append(
        Row(
            "  report.html size",
            f"workbook.xlsx {res['workbook_bytes'] / 1e6:.2f} MB",
            res["report_html_bytes"] / 1e6,
            "MB",
            target="≤ 1.5 MB",
            limit=1.5,
            detail={"bytes": res["report_html_bytes"]},
        )
    )


def bench_history(rows: list[Row]) -> None:
    """Issue 19: calibrate Asker (one area, 2005–2010) and backtest the calibrated run (2011–2020) as
    build_backtest.py does them (the chosen method: single ages per resident, with a 2-year holdout), in
    process (load, read, compute, lay out the files incl. backtest.html; writing is left out) and end to end."""
    from ltsim import backtest, calibrate, calibration_files
    from ltsim.io.ssb.observed import read_observed
    from ltsim.report.backtest import output_files as backtest_files

    observed = BACKTEST / "data" / "ssb_07459_2005_2020_by_age.csv"
    method = {"in_bands": "1", "per_resident": True, "holdout": 2}  # calibrated/method_choice.csv

    def cal() -> None:
        sc = load_scenario(BACKTEST / "base2010.yaml")
        obs = read_observed(observed, sc.config.population.max_age)
        result = calibrate.calibrate(sc, obs, 2010, **method)
        calibration_files.output_files(sc, result, BACKTEST / "calibrated", str(observed))

    def bt() -> None:
        sc = load_scenario(BACKTEST / "calibrated" / "calibrated.yaml")
        obs = read_observed(observed, sc.config.population.max_age)
        backtest_files(sc, backtest.backtest(sc, obs), str(observed))

    rows.append(
        time_row(
            "calibrate (Asker, 1 area)",
            "2005–2010: 5 cohort changes, 101 single ages per resident + holdout",
            timed(cal, 10),
            5000,
        )
    )
    rows.append(
        time_row("backtest (Asker, 1 area)", "2010 → 2020, 10 years × 10 age groups, page", timed(bt, 10), 1000)
    )
    common = ["--observed", str(observed)]
    with tempfile.TemporaryDirectory() as tmp:
        calibrate_cmd = [
            "calibrate",
            str(BACKTEST / "base2010.yaml"),
            *common,
            "--until",
            "2010",
            "--in-bands",
            "1",
            "--in-per-resident",
            "--holdout",
            "2",
            "--out",
            f"{tmp}/cal",
        ]
        backtest_cmd = ["backtest", str(BACKTEST / "calibrated" / "calibrated.yaml"), *common, "--out", f"{tmp}/bt"]
        for label, args, limit in (
            ("ltsim calibrate, end to end (Asker)", calibrate_cmd, 5000),
            ("ltsim backtest, end to end (Asker)", backtest_cmd, 1000),
        ):
            rows.append(
                time_row(label, "fresh interpreter, writes the files", cli_command(args), limit, how="subprocess")
            )


def cli_command(args: list[str], repeat: int = 3) -> dict[str, float]:
    """End-to-end ``ltsim ARGS``, interpreter start included."""
    samples = []
    for _ in range(1 if QUICK else repeat):
        t0 = time.perf_counter()
        subprocess.run([*ltsim_cmd(), *args], check=True, capture_output=True)
        samples.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples), "repeat": len(samples)}


# --------------------------------------------------------------------------------------- output


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("ltsim", "numpy", "pandas", "simpy", "pydantic", "plotly", "openpyxl", "rich", "typer"):
        with contextlib.suppress(md.PackageNotFoundError):
            out[pkg] = md.version(pkg)
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "ltsim"], cwd=ROOT, capture_output=True, text=True)
        out["git"] = rev.stdout.strip() + ("+dirty(ltsim/)" if dirty.stdout.strip() else "")
    except OSError:
        pass
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def print_table(rows: list[Row], title: str) -> None:
    def status(row: Row) -> str:
        return {None: "", True: "ok", False: "MISSED"}[row.met]

    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for col in ("benchmark", "size", "median", "best", "target", "met"):
            table.add_column(col, justify="right" if col in ("median", "best") else "left")
        for r in rows:
            st = status(r)
            table.add_row(
                r.name,
                r.size,
                fmt_value(r, r.value),
                fmt_value(r, r.best),
                r.target,
                f"[red]{st}[/red]" if st == "MISSED" else st,
            )
        Console(width=max(160, shutil.get_terminal_size().columns)).print(table)
    except ImportError:  # pragma: no cover
        print(title)
        for r in rows:
            print(f"{r.name:44s} {r.size:50s} {fmt_value(r, r.value):>10s}  {r.target:10s} {status(r)}")


def main() -> None:
    started = time.perf_counter()
    load_before = os.getloadavg()
    rows: list[Row] = []
    steps = [
        bench_models,
        bench_sequencing,
        bench_history,
        bench_cli,
        bench_report,
        bench_montecarlo,
        bench_whole_montecarlo,
        bench_batch,
        bench_batch_rerun,
        bench_compare_many,
        bench_scale,
    ]
    if not ASKER.exists():
        steps = []
        big = synthetic_inputs()
        rows.append(
            time_row("population.project (synthetic)", "40 areas × 30 years", timed(lambda: project(big), 100), 10)
        )
    step_s = {}
    for step in steps:
        t0 = time.perf_counter()
        step(rows)
        step_s[step.__name__] = round(time.perf_counter() - t0, 2)
    total = time.perf_counter() - started
    mach = machine()
    vers = versions()
    title = (
        f"ltsim benchmarks — {mach['cpu_count']} cpus ({mach['cpu']}), Python {vers['python']}, "
        f"numpy {vers.get('numpy', '?')}, ltsim {vers.get('ltsim', '?')} {vers.get('git', '')}"
    )
    print_table(rows, title)
    missed = [r.name.strip() for r in rows if r.met is False]
    print(
        f"{sum(r.met is True for r in rows)} targets met, {len(missed)} missed"
        + (f" ({'; '.join(missed)})" if missed else "")
        + f". Total {total:.0f} s; load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after."
    )

    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": QUICK,
        "python": vers["python"],
        "numpy": vers.get("numpy"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus",
        "machine_detail": mach,
        "versions": vers,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "total_s": round(total, 2),
        "step_s": step_s,
        "targets_met": sum(r.met is True for r in rows),
        "targets_missed": missed,
        "results": [r.as_json() for r in rows],
    }
    (out_dir / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out_dir / 'latest.json'}")


if __name__ == "__main__":
    main()
