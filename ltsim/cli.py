"""Command line: ``ltsim validate``, ``ltsim run``. Exit 0 on success, 2 on bad input."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ltsim import __version__
from ltsim.errors import InputError, Problem

app = typer.Typer(
    name="ltsim",
    help=(
        "ltsim — long-term investment and capacity planning for Norwegian municipalities.\n\n"
        "From a scenario file (YAML plus CSV tables): population by planning area, age and sex; "
        "school, kindergarten and 24-hour care places needed against capacity by zone; the "
        "investment projects that add capacity (with Monte Carlo of delays and overruns); and the "
        "municipal finance with its fiscal rules — over a 20-year horizon. Batches compare many "
        "scenarios. Start with: ltsim run scenarios/asker/base.yaml"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[
    Path,
    typer.Argument(help="Scenario YAML file, e.g. scenarios/asker/base.yaml. It may 'extends:' another file."),
]


def _fail(exc: InputError, action: str) -> typer.Exit:
    n = len(exc.problems)
    err.print(f"[bold red]Cannot {action}:[/] {n} problem{'s' if n != 1 else ''} in the input")
    for problem in exc.problems:
        err.print(f"  • {problem}", markup=False, highlight=False, soft_wrap=True)
    err.print("Nothing was written.", style="dim")
    return typer.Exit(code=2)


def _check_lang(lang: str) -> str:
    """Refuse an unknown report language before any work (exit 2)."""
    if lang not in ("nb", "en"):
        raise typer.BadParameter(f"found {lang!r}; expected nb (bokmål) or en", param_hint="--lang")
    return lang


def _check_range(value: float | None, option: str, lo: float, hi: float | None = None, whole: bool = True) -> None:
    """Refuse an option value out of its range, saying what was found and what is expected (exit 2)."""
    if value is None or (value >= lo and (hi is None or value <= hi)):
        return
    noun = "a whole number" if whole else "a number"
    expected = f"{noun} from {lo:g} to {hi:g}" if hi is not None else f"{noun} ≥ {lo:g}"
    raise typer.BadParameter(f"found {value:g}; expected {expected}", param_hint=option)


def _check_target(target: Path, action: str) -> Path:
    """Refuse an output folder ltsim may not replace, before any work (exit 2)."""
    from ltsim.io.folders import check_run_target

    try:
        return check_run_target(target)
    except InputError as exc:
        raise _fail(exc, action) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"ltsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Long-term investment and capacity planning for Norwegian municipalities."""


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario and every table it names, without running it.

    Reports every problem found, each with its file, line (YAML) or row (CSV), field,
    what was found and what is expected. Exit code 0 when valid, 2 when not.
    """
    from ltsim.scenario import load_scenario

    try:
        sc = load_scenario(scenario)
    except InputError as exc:
        raise _fail(exc, f"validate {scenario}") from None
    h = sc.config.horizon
    out.print(
        f"[green]✓[/] {scenario}: scenario [bold]{sc.name}[/], {len(sc.area_ids)} areas, "
        f"{h.base_year}–{h.end_year}, {sc.population.base_persons.sum():,.0f} persons in {h.base_year}, "
        f"{len(sc.files)} tables, hash {sc.hash[:12]}"
    )


@app.command()
def run(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Run folder to write. Default: results/<scenario name>. Replaced only when the run completes.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Random seed (default: the scenario's 'seed'). Same scenario + seed → same results.",
        ),
    ] = None,
    reps: Annotated[
        int,
        typer.Option(
            "--reps",
            help="Monte Carlo replications of the project programme (delays and cost overruns drawn from the "
            "scenario's distributions). 1 = the plan only.",
        ),
    ] = 1,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Processes for Monte Carlo (default: all cores). Results do not depend on it."),
    ] = None,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also write report.html and workbook.xlsx (default: yes).")
    ] = True,
    lang: Annotated[str, typer.Option("--lang", help="Report language: nb (bokmål) or en.")] = "nb",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the run folder.")] = False,
) -> None:
    """Run a scenario and write its run folder.

    Writes population.csv (year, area, age, sex, persons on 1 January),
    population_change.csv (births, deaths, migration in/out, housing-led in-migration per
    area and year); where the scenario declares services, demand.csv, capacity.csv and
    capacity_summary.csv (places needed vs usable capacity per service, zone and year);
    scenario.resolved.yaml and manifest.json (hash, seed, versions, timings); and, unless
    --no-report, report.html (one self-contained page for people) and workbook.xlsx.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ltsim import pipeline
    from ltsim.results import write_run
    from ltsim.scenario import load_scenario

    _check_lang(lang)
    _check_range(seed, "--seed", 0, 2**63 - 1)
    _check_range(reps, "--reps", 1, 1_000_000)
    _check_range(workers, "--workers", 1, 1024)
    timings: dict[str, float] = {}
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=quiet) as progress:
        task = progress.add_task(f"loading {scenario}", total=3)
        tick = time.perf_counter()
        try:
            sc = load_scenario(scenario)
        except InputError as exc:
            progress.stop()
            raise _fail(exc, f"run {scenario}") from None
        if reps > 1 and sc.projects is None:
            progress.stop()
            raise _fail(
                InputError(
                    Problem(
                        "a 'projects:' section when --reps is above 1 (Monte Carlo varies the project programme)",
                        file=str(scenario),
                        field="projects",
                        found="none",
                    )
                ),
                f"run {scenario}",
            )
        timings["load"] = time.perf_counter() - tick
        target = _check_target(out_dir if out_dir is not None else Path("results") / sc.name, f"run {scenario}")
        used_seed = sc.config.seed if seed is None else seed
        progress.update(task, advance=1, description="running the pipeline")
        result = pipeline.run(sc, seed=used_seed)
        mc = None
        if reps > 1:
            from ltsim.montecarlo import run_montecarlo

            tick = time.perf_counter()
            mc_task = progress.add_task(f"Monte Carlo: {reps} replications", total=reps)
            mc = run_montecarlo(
                sc, result.population.persons, reps, used_seed, workers, progress=lambda n: progress.advance(mc_task, n)
            )
            timings["montecarlo"] = time.perf_counter() - tick
        progress.update(task, advance=1, description="writing results" + (" and the report" if report else ""))
        try:
            folder = write_run(result, target, used_seed, timings, montecarlo=mc, report_lang=lang if report else None)
        except InputError as exc:
            progress.stop()
            raise _fail(exc, f"run {scenario}") from None
        progress.update(task, advance=1)
    if quiet:
        out.print(str(folder))
        return
    _print_summary(result)
    if mc is not None:
        _print_montecarlo(result, mc)
    for warning in result.warnings:
        err.print(f"[yellow]Note:[/] {warning}", soft_wrap=True)
    files = ", ".join(sorted(p.name for p in folder.iterdir()))
    out.print(f"\nRun folder: [bold]{folder}[/]\n  {files}", soft_wrap=True)
    if (folder / "report.html").is_file():
        out.print(f"Report: [bold]{folder / 'report.html'}[/] (open it in a browser)", soft_wrap=True)


def _print_summary(result: object) -> None:
    from ltsim.summary import population_summary

    s = population_summary(result)  # type: ignore[arg-type]
    table = Table(title=f"Population — {s['title']}", title_justify="left")
    for col in ("", str(s["base_year"]), str(s["end_year"]), "change"):
        table.add_column(col, justify="right" if col else "left")
    table.add_row(
        "persons",
        f"{s['total_base']:,.0f}",
        f"{s['total_end']:,.0f}",
        f"{s['growth_pct_per_year']:+.2f} %/yr",
    )
    for band in ("0-5", "6-15", "67+", "80+"):
        b, e = s["share_base"][band], s["share_end"][band]
        table.add_row(f"share {band}", f"{b:.1%}", f"{e:.1%}", f"{(e - b) * 100:+.1f} pp")
    out.print(table)
    areas = Table(title="By planning area", title_justify="left")
    for col in ("area", str(s["base_year"]), str(s["end_year"]), "growth"):
        areas.add_column(col, justify="left" if col == "area" else "right")
    for name, b, e in s["areas"]:
        areas.add_row(name, f"{b:,.0f}", f"{e:,.0f}", f"{(e / b - 1) if b else float('nan'):+.1%}")
    out.print(areas)
    _print_gaps(result)
    _print_kpis(result)


def _print_montecarlo(result: object, mc: object) -> None:
    """The projects most at risk of being late, and how likely each fiscal rule is to be red."""
    import numpy as np

    from ltsim.models.projects import plan_completion

    data = result.scenario.projects  # type: ignore[attr-defined]
    base = data.inputs.base_year
    planned = base + np.ceil(plan_completion(data.inputs) - 1e-9)
    years = mc.completion_year  # type: ignore[attr-defined]
    built = years >= 0
    rows = []
    for p in np.flatnonzero(data.inputs.included):
        done = years[built[:, p], p]
        if done.size:
            late = float((done > planned[p]).mean())
            rows.append((late, float(np.percentile(done, 90)), p))
    rows.sort(key=lambda r: (-r[0], -r[1]))
    table = Table(title=f"Monte Carlo, {mc.reps} replications: projects most likely to be late", title_justify="left")  # type: ignore[attr-defined]
    for col in ("project", "planned in service", "P50", "P90", "probability late"):
        table.add_column(col, justify="left" if col == "project" else "right")
    for late, _, p in rows[:8]:
        done = years[built[:, p], p]
        table.add_row(
            data.names[p],
            str(int(planned[p])),
            str(int(np.percentile(done, 50))),
            str(int(np.percentile(done, 90))),
            f"{late:.0%}",
        )
    out.print(table)
    if mc.kpi_values is not None:  # type: ignore[attr-defined]
        from ltsim.summary import KPI_LABELS

        first = int(result.population.years[0])  # type: ignore[attr-defined]
        red = mc.kpi_red.mean(axis=0)  # type: ignore[attr-defined]
        rules = Table(title="Probability that a fiscal rule is red", title_justify="left")
        for col in ("key figure", "highest", "in year", "years ≥ 50 %"):
            rules.add_column(col, justify="left" if col == "key figure" else "right")
        for k, name in enumerate(mc.kpi_names):  # type: ignore[attr-defined]
            t = int(np.argmax(red[k]))
            rules.add_row(
                KPI_LABELS.get(name, name), f"{red[k, t]:.0%}", str(first + t), str(int((red[k] >= 0.5).sum()))
            )
        out.print(rules)


def _print_kpis(result: object) -> None:
    from ltsim.summary import kpi_overview

    overview = kpi_overview(result)  # type: ignore[arg-type]
    if overview is None:
        return
    years, rows = overview
    table = Table(title="Fiscal rules (handlingsregler), key figures in %", title_justify="left")
    table.add_column("key figure")
    for y in years:
        table.add_column(str(y), justify="right")
    table.add_column("first red", justify="right")
    colour = {"green": "green", "yellow": "yellow", "red": "bold red", "n/a": "dim"}
    for name, cells, first_red in rows:
        table.add_row(name, *(f"[{colour[st]}]{v:.1f}[/]" for v, st in cells), str(first_red or "–"))
    out.print(table)


def _print_gaps(result: object) -> None:
    from ltsim.summary import service_overview, worst_gaps

    rows = worst_gaps(result)  # type: ignore[arg-type]
    if rows:
        table = Table(title="Worst capacity gaps (places short = demand − usable capacity)", title_justify="left")
        for col in ("service", "zone", "peak short", "in year", "place-years short"):
            table.add_column(col, justify="left" if col in ("service", "zone") else "right")
        for r in rows:
            table.add_row(
                r["service"],
                r["zone"],
                f"{r['peak_shortfall']:,.0f}",
                str(r["peak_year"]),
                f"{r['place_years_short']:,.0f}",
            )
        out.print(table)
    overview = service_overview(result)  # type: ignore[arg-type]
    if overview:
        table = Table(title="Services: municipal places needed vs usable capacity", title_justify="left")
        for col in ("service", "year", "demand", "usable", "short", "idle"):
            table.add_column(col, justify="left" if col == "service" else "right")
        for r in overview:
            table.add_row(
                r["service"],
                str(r["year"]),
                f"{r['demand']:,.0f}",
                f"{r['usable']:,.0f}",
                f"{r['short']:,.0f}",
                f"{r['idle']:,.0f}",
            )
        out.print(table)


@app.command()
def batch(
    batch_file: Annotated[Path, typer.Argument(help="Batch YAML: a base scenario and axes of variation (see README).")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Batch folder. Default: results/<batch name>.")
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list the scenarios the batch expands to.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Local processes (default: all cores).")] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask", help="Run on an existing Dask cluster: scheduler address (tcp://host:8786) or scheduler file."
        ),
    ] = None,
) -> None:
    """Run every combination of a batch's axes and compare them.

    Each scenario gets its own run folder (as `ltsim run` writes it) under the batch folder, which
    also holds summary.csv (scenario × key figure × year), comparison.csv (one row per scenario,
    sorted, with differences from the base combination) and batch.json (status and errors).
    Rerunning skips scenarios already completed with the same resolved scenario; a failing scenario
    is recorded and the rest go on (exit code 1 if any failed).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ltsim.batch import load_batch, run_batch

    _check_range(workers, "--workers", 1, 1024)
    try:
        spec = load_batch(batch_file)
    except InputError as exc:
        raise _fail(exc, f"load batch {batch_file}") from None
    if list_only:
        table = Table(title=f"Batch {spec.spec.name}: {len(spec.scenarios)} scenarios", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("scenario")
        for axis in spec.axis_names:
            table.add_column(axis)
        for i, item in enumerate(spec.scenarios, 1):
            table.add_row(str(i), item.key, *(item.values[a] for a in spec.axis_names))
        out.print(table)
        return
    from ltsim.io.folders import check_batch_target

    try:
        target = check_batch_target(out_dir if out_dir is not None else Path("results") / spec.spec.name)
    except InputError as exc:
        raise _fail(exc, f"run batch {batch_file}") from None
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"batch {spec.spec.name}", total=len(spec.scenarios))

        def advance(outcome: object) -> None:
            counts[outcome.status] += 1  # type: ignore[attr-defined]
            progress.advance(task)

        result = run_batch(spec, target, workers=workers, dask=dask, progress=advance)
    if counts["ok"] + counts["skipped"]:
        from ltsim.report import compare_report

        compare_report([result.out_dir], result.out_dir / "comparison.html")
    out.print(
        f"Batch [bold]{spec.spec.name}[/]: {counts['ok']} run, {counts['skipped']} already complete, "
        f"{counts['failed']} failed → [bold]{result.out_dir}[/]"
    )
    for outcome in result.outcomes:
        if outcome.status == "failed":
            err.print(f"  • {outcome.key}: {outcome.error}", markup=False, highlight=False, soft_wrap=True)
    if counts["failed"]:
        raise typer.Exit(code=1)


@app.command()
def optimize(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Run folder of the optimised plan. Default: results/<name>-optimized."),
    ] = None,
    solver: Annotated[str, typer.Option("--solver", help="MILP solver: highs (default) or cbc.")] = "highs",
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds the solver may use.")] = None,
    gap: Annotated[float | None, typer.Option("--gap", help="Relative MIP gap to stop at, e.g. 0.01.")] = None,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also write report.html and workbook.xlsx.")
    ] = True,
    move_housing: Annotated[
        bool,
        typer.Option(
            "--move-housing",
            help="Let the optimiser move housing developments' completion years too (optimize.housing with its "
            "defaults when the scenario has none).",
        ),
    ] = False,
    reps: Annotated[
        int,
        typer.Option(
            "--reps",
            help="Then test the optimised plan with this many Monte Carlo replications (delays and overruns drawn "
            "from the scenario's distributions): how likely is each fiscal rule red? 1 = no test.",
        ),
    ] = 1,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Random seed of the Monte Carlo test (default: the scenario's 'seed')."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Processes for the Monte Carlo test (default: all cores)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: nb (bokmål) or en.")] = "nb",
) -> None:
    """Choose the start year of each deferrable project so the debt ratio stays under its ceiling.

    Needs the scenario's 'optimize:' section (debt_ratio_ceiling, max_deferral_years, weights …).
    Writes a normal run folder of the optimised plan plus schedule.csv (planned vs chosen start of
    every candidate, and the greedy rule's start), optimize.json (solver, status, objective, gap,
    build and solve seconds, binding years, breaches, value of one more percentage point of ceiling,
    plan and greedy objectives) and scenario.optimized.yaml (the schedule as a scenario variant).
    With housing moves (optimize.housing or --move-housing) also housing_schedule.csv. With
    --reps N the optimised plan is then run N times with drawn delays and overruns, as
    `ltsim run scenario.optimized.yaml --reps N` would (the same numbers for the same seed).
    """
    import ltsim.optimize as opt_module
    from ltsim.results import optimize_files, write_run
    from ltsim.scenario import load_scenario

    if solver not in opt_module.SOLVERS:
        raise typer.BadParameter(f"found {solver!r}; expected highs or cbc", param_hint="--solver")
    _check_lang(lang)
    _check_range(time_limit, "--time-limit", 0.1, whole=False)
    _check_range(gap, "--gap", 0.0, 1.0, whole=False)
    _check_range(seed, "--seed", 0, 2**63 - 1)
    _check_range(reps, "--reps", 1, 1_000_000)
    _check_range(workers, "--workers", 1, 1024)
    try:
        sc = load_scenario(scenario)
    except InputError as exc:
        raise _fail(exc, f"optimise {scenario}") from None
    target = _check_target(
        out_dir if out_dir is not None else Path("results") / f"{sc.name}-optimized", f"optimise {scenario}"
    )
    if sc.config.optimize is None or sc.projects is None or sc.config.finance is None:
        missing = [
            k
            for k, v in (("optimize", sc.config.optimize), ("projects", sc.projects), ("finance", sc.config.finance))
            if v is None
        ]
        raise _fail(
            InputError(
                Problem(
                    "the sections 'optimize:', 'projects:' and 'finance:'",
                    file=str(scenario),
                    field=", ".join(missing),
                    found="missing",
                )
            ),
            f"optimise {scenario}",
        )
    if move_housing:
        try:
            sc = opt_module.with_housing_moves(sc)
        except InputError as exc:
            raise _fail(exc, f"optimise {scenario}") from None
    with err.status("building the model from the pipeline and solving …"):
        result = opt_module.optimize(sc, solver=solver, time_limit=time_limit, gap=gap)
    used_seed = sc.config.seed if seed is None else seed
    mc = None
    timings: dict[str, float] = {}
    if reps > 1:
        from ltsim.montecarlo import run_montecarlo

        tick = time.perf_counter()
        with err.status(f"testing the optimised plan: {reps} Monte Carlo replications …"):
            optimized = result.optimized
            mc = run_montecarlo(optimized.scenario, optimized.population.persons, reps, used_seed, workers)
        timings["montecarlo"] = time.perf_counter() - tick
    try:
        folder = write_run(
            result.optimized,
            target,
            used_seed,
            timings,
            extras=optimize_files(result),
            montecarlo=mc,
            report_lang=lang if report else None,
        )
    except InputError as exc:
        raise _fail(exc, f"optimise {scenario}") from None
    _print_optimisation(result)
    if mc is not None:
        _print_montecarlo(result.optimized, mc)
    out.print(f"\nRun folder of the optimised plan: [bold]{folder}[/] (schedule.csv, optimize.json, report.html)")


def _print_optimisation(result: object) -> None:
    from ltsim.results import housing_schedule

    r = result  # an OptimizeResult
    co = r.coefficients  # type: ignore[attr-defined]
    data = co.scenario.projects
    sol = r.solution  # type: ignore[attr-defined]
    effects = r.effects  # type: ignore[attr-defined]
    table = Table(
        title="Deferrals (candidates that move). Each move alone, all else as optimised: the place-years short it "
        "adds, and the most headroom under the debt ceiling it frees (+) and uses up (−), NOK million (year)",
        title_justify="left",
    )
    for col in ("project", "planned start", "chosen start", "years", "greedy start", "place-years", "headroom"):
        table.add_column(col, justify="left" if col == "project" else "right")
    for p in co.candidates:
        o = sol.chosen.get(p)
        g = r.greedy.chosen.get(p) if r.greedy else None  # type: ignore[attr-defined]
        planned = co.plan_start[p]
        if o is not None and o.deferral_years == 0 and (g is None or g.start_year == planned):
            continue
        if o is None and g is None and not data.inputs.included[p]:
            continue  # a variant that neither the plan nor the optimiser chose
        none = "other variant" if data.exclusive_group[p] is not None else "dropped"
        table.add_row(
            data.names[p],
            str(planned),
            str(o.start_year) if o else none,
            f"{o.deferral_years:+d}" if o else "–",
            str(g.start_year) if g else none,
            *_effect_cells(effects.get(("project", p))),
        )
    out.print(table)
    if co.developments:
        moved = Table(title="Housing developments (completion years moved)", title_justify="left")
        for col in ("development", "dwellings", "first completion", "chosen", "years", "place-years", "headroom"):
            moved.add_column(col, justify="left" if col == "development" else "right")
        for d, row in enumerate(housing_schedule(co, sol)):
            if row["shift_years"]:
                moved.add_row(
                    row["development"],
                    f"{row['dwellings']:,.0f}",
                    str(row["planned_first_completion"]),
                    str(row["chosen_first_completion"]),
                    f"{row['shift_years']:+d}",
                    *_effect_cells(effects.get(("housing", d))),
                )
        if moved.row_count:
            out.print(moved)
        else:
            out.print("Housing: every development as the programme sets it")
    summary = Table(title=f"Objective ({r.solver}, {sol.status}, solved in {sol.solve_s:.2f} s)", title_justify="left")  # type: ignore[attr-defined]
    columns = ["", "objective", "unmet place-years", "deferral years", "debt-ceiling breaches"]
    if co.developments:
        columns.insert(4, "dwelling-years moved")
    for col in columns:
        summary.add_column(col, justify="left" if not col else "right")
    for label, s in (("plan as written", r.plan), ("greedy rule", r.greedy), ("optimal", sol)):  # type: ignore[attr-defined]
        if s is None:
            continue
        breach = sum(1 for b in s.breaches if b["rule"] == "debt_ratio")
        cells = [label, f"{s.objective:,.1f}", f"{s.unmet_place_years:,.0f}", f"{s.deferral_years:,.0f}", str(breach)]
        if co.developments:
            cells.insert(4, f"{s.moved_dwelling_years:,.0f}")
        summary.add_row(*cells)
    out.print(summary)
    binding = ", ".join(map(str, r.binding_years)) or "none"  # type: ignore[attr-defined]
    lowered = " (as lowered by the repairs and the confidence check)" if r.confidence else ""  # type: ignore[attr-defined]
    out.print(f"Debt ceiling{lowered} binds in: {binding}")
    if r.value_of_one_point_place_years is not None:  # type: ignore[attr-defined]
        out.print(
            f"One more percentage point of ceiling is worth {-r.value_of_one_point_place_years:,.1f} place-years "  # type: ignore[attr-defined]
            f"(objective {-r.value_of_one_point:,.1f}; found by re-solving)"  # type: ignore[attr-defined]
        )
    c = r.confidence  # type: ignore[attr-defined]
    if c is not None:
        within = dict(zip(c["years"], c["probability_within_ceiling"], strict=True))
        short = c["short_of_target_years"]
        worst = min(within, key=lambda y: (within[y], y))
        out.print(
            f"Debt ratio within the ceiling in {c['reps']} Monte Carlo replications (target {c['target']:.0%}, "
            f"{c['rounds']} round(s) of tightening): lowest {within[worst]:.0%} in {worst}; "
            + (f"below target in {_years_text(short)}" if short else "at or above target every year")
        )
    if sol.breaches:
        err.print(breach_table(sol.breaches))


def _effect_cells(effect: dict | None) -> tuple[str, str]:
    """Place-years short a move adds, and the most headroom under the ceiling it frees and uses up
    (NOK million, year)."""
    if effect is None:
        return "–", "–"
    parts = []
    if effect["headroom_gained_mnok"] > 0.5:
        parts.append(f"+{effect['headroom_gained_mnok']:,.0f} ({effect['headroom_year']})")
    if effect["headroom_lost_mnok"] > 0.5:
        parts.append(f"−{effect['headroom_lost_mnok']:,.0f} ({effect['headroom_lost_year']})")
    return f"{effect['place_years_short']:+,.0f}", " / ".join(parts) or "0"


def _years_text(years: list[int]) -> str:
    """2025, 2027–2030, 2044: consecutive years as ranges."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def breach_table(breaches: list[dict]) -> Table:
    """Rules the optimum does not meet (elastic mode), one row per rule and zone: years, total, largest."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for b in breaches:
        where = f"{b['service']} / {b['zone']}" if "zone" in b else ""
        groups.setdefault((b["rule"], where), []).append(b)
    table = Table(
        title="Rules not met by the optimum (elastic: the least costly breach under the penalties)",
        title_justify="left",
    )
    for col in ("rule", "where", "years", "total", "largest", "unit"):
        table.add_column(col, justify="right" if col in ("total", "largest") else "left")
    for (rule, where), rows in groups.items():
        values = [r["excess"] for r in rows]
        unit = "places" if rule == "shortfall" else ("projects" if rule == "concurrent" else "NOK million")
        table.add_row(
            rule,
            where,
            _years_text([r["year"] for r in rows]),
            f"{sum(values):,.1f}",
            f"{max(values):,.1f}",
            unit,
        )
    return table


@app.command("report")
def report_command(
    folder: Annotated[Path, typer.Argument(help="A run folder (from ltsim run) or a batch folder (from ltsim batch).")],
    lang: Annotated[str, typer.Option("--lang", help="Language: nb (bokmål) or en.")] = "nb",
) -> None:
    """Rebuild report.html and workbook.xlsx from a run folder, or comparison.html from a batch folder."""
    from ltsim.report import build_report, compare_report

    _check_lang(lang)
    try:
        if (folder / "manifest.json").is_file():
            html, xlsx = build_report(folder, lang=lang)
            out.print(f"Wrote [bold]{html}[/] and [bold]{xlsx}[/]")
            return
        if (folder / "batch.json").is_file():
            html = compare_report([folder], folder / "comparison.html", lang=lang)
            out.print(f"Wrote [bold]{html}[/]")
            return
    except InputError as exc:
        raise _fail(exc, f"report {folder}") from None
    err.print(f"[bold red]Cannot report:[/] {folder} has neither manifest.json (a run) nor batch.json (a batch)")
    raise typer.Exit(code=2)


def _register_data_commands() -> None:
    from ltsim.cli_data import export_app, import_app

    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")


_register_data_commands()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="ltsim")


if __name__ == "__main__":
    sys.exit(main())
