"""ltsim benchmarks: `make bench`. Prints a table and writes benchmarks/results/latest.json.

Timings are medians over repeated in-process calls (time.perf_counter), except the
end-to-end CLI run, which is a fresh interpreter each time. Nothing here is asserted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ltsim import pipeline  # noqa: E402
from ltsim.models import population as pop_model  # noqa: E402
from ltsim.models.population import PopulationInputs, project  # noqa: E402
from ltsim.scenario import load_scenario  # noqa: E402

ASKER = ROOT / "scenarios" / "asker" / "base.yaml"


def timed(fn, repeat: int = 50, inner: int = 1) -> dict[str, float]:
    """Median and best wall time of ``fn`` in milliseconds."""
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner * 1e3)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples), "repeat": repeat}


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


def cli_run(scenario: Path, repeat: int = 5) -> dict[str, float]:
    """End-to-end `ltsim run`, interpreter start included."""
    exe = ROOT / ".venv" / "bin" / "ltsim"
    cmd = [str(exe)] if exe.exists() else [sys.executable, str(ROOT / "cli.py")]
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(
                [*cmd, "run", str(scenario), "--out", f"{tmp}/r{i}", "--quiet"], check=True, capture_output=True
            )
            samples.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": statistics.median(samples), "best_ms": min(samples), "repeat": repeat}


def main() -> None:
    rows: list[tuple[str, str, dict[str, float], str]] = []
    if ASKER.exists():
        sc = load_scenario(ASKER)
        inp = pipeline.population_inputs(sc)
        shape = f"{len(sc.area_ids)} areas × {len(sc.years) - 1} years × 101 ages × 2 sexes"
        rows.append(("population.project (Asker base)", shape, timed(lambda: project(inp), 200), "≤ 5 ms"))
        rows.append(
            (
                "population inputs + project (Asker)",
                shape,
                timed(lambda: pop_model.project(pipeline.population_inputs(sc)), 100),
                "≤ 5 ms",
            )
        )
        persons = project(inp).persons
        if sc.services.services:
            n_fac = len(sc.services.capacity.facility_ids) if sc.services.capacity else 0
            rows.append(
                (
                    "demand + capacity (Asker)",
                    f"{len(sc.services.services)} services, {n_fac} facilities, {len(sc.years)} years",
                    timed(lambda: pipeline.demand_and_capacity(sc, persons), 100),
                    "≤ 5 ms",
                )
            )
        rows.append(
            (
                "whole pipeline in-process (Asker)",
                "population → demand → capacity",
                timed(lambda: pipeline.run(sc), 50),
                "—",
            )
        )
        rows.append(
            ("load + validate scenario (Asker)", "YAML + CSV tables", timed(lambda: load_scenario(ASKER), 10), "—")
        )
        rows.append(("ltsim run, end to end (Asker)", "fresh interpreter, writes run folder", cli_run(ASKER), "—"))
    big = synthetic_inputs()
    rows.append(
        (
            "population.project (synthetic)",
            "40 areas × 30 years × 101 ages × 2 sexes",
            timed(lambda: project(big), 100),
            "≤ 10 ms",
        )
    )

    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="ltsim benchmarks")
        for col in ("benchmark", "size", "median ms", "best ms", "target"):
            table.add_column(col, justify="right" if "ms" in col else "left")
        for name, size, t, target in rows:
            table.add_row(name, size, f"{t['median_ms']:.2f}", f"{t['best_ms']:.2f}", target)
        Console().print(table)
    except ImportError:  # pragma: no cover
        for name, size, t, target in rows:
            print(f"{name:42s} {size:45s} {t['median_ms']:9.2f} ms  (target {target})")

    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus",
        "results": [{"name": n, "size": s, "target": tg, **t} for n, s, t, tg in rows],
    }
    (out_dir / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out_dir / 'latest.json'}")


if __name__ == "__main__":
    main()
