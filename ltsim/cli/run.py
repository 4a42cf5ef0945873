"""``ltsim validate`` and ``ltsim run``: check a scenario; run it and print its headline figures."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ltsim.cli.common import ScenarioArg, check_lang, check_monte_carlo, check_target, err, fail, out
from ltsim.errors import InputError, Problem


def validate(
    scenario: ScenarioArg,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also list every resolved value with the file and line that set it, and what it replaced "
            "in the files it extends.",
        ),
    ] = False,
) -> None:
    """Check a scenario and every table it names, without running it.

    Reports every problem found, each with its file, line (YAML) or row (CSV), field,
    what was found and what is expected. Exit code 0 when valid, 2 when not. With
    --explain, lists each value of the merged scenario and where it came from: a variant's
    dated value {year: value} replaces the base's whole series (unless it says merge: true).
    """
    from ltsim.scenario import load_scenario

    try:
        sc = load_scenario(scenario)
    except InputError as exc:
        raise fail(exc, f"validate {scenario}") from None
    h = sc.config.horizon
    out.print(
        f"[green]✓[/] {scenario}: scenario [bold]{sc.name}[/], {len(sc.area_ids)} areas, "
        f"{h.base_year}–{h.end_year}, {sc.population.base_persons.sum():,.0f} persons in {h.base_year}, "
        f"{len(sc.files)} tables, hash {sc.hash[:12]}"
    )
    if explain:
        _print_explained(scenario)


def _print_explained(scenario: Path) -> None:
    """Each resolved value, the file:line that set it and what it replaced (see ltsim.scenario.explain)."""
    from rich.markup import escape

    from ltsim.scenario.explain import explain, show_value

    rows = explain(scenario)
    root = Path.cwd()
    out.print(f"\n{len(rows)} values; each: key = value  ← file:line that set it")
    for r in rows:
        where = r.origin.label(root) if r.origin else "?"
        out.print(
            f"{escape(r.path)} = {escape(show_value(r.value))}  [dim]←[/] {escape(where)}",
            highlight=False,
            soft_wrap=True,
        )
        for origin, years in r.merged_from:
            out.print(f"    years {', '.join(years)} from {escape(origin.label(root))} (merge: true)", highlight=False)
        for origin, old in r.replaced:
            out.print(
                f"    [yellow]replaces[/] {escape(show_value(old))}  [dim]←[/] {escape(origin.label(root))}",
                highlight=False,
                soft_wrap=True,
            )


def run(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Run folder to write (default: results/<scenario name>): a new path, an empty folder or an earlier ltsim "
            "run folder, replaced only when the run completes. Any other folder is refused, never deleted.",
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
            "scenario's distributions) and, with population.uncertainty, of the population. 1 = the plan only.",
        ),
    ] = 1,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Processes for Monte Carlo (default: all cores). Results do not depend on it."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run the Monte Carlo replications on an existing Dask cluster: scheduler address "
            "(tcp://host:8786) or scheduler file. Results do not depend on it.",
        ),
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

    check_lang(lang)
    check_monte_carlo(seed, reps, workers)
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
            raise fail(exc, f"run {scenario}") from None
        if reps > 1 and sc.projects is None:
            progress.stop()
            raise fail(
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
        target = check_target(out_dir if out_dir is not None else Path("results") / sc.name, f"run {scenario}")
        used_seed = sc.config.seed if seed is None else seed
        progress.update(task, advance=1, description="running the pipeline")
        result = pipeline.run(sc, seed=used_seed)
        mc = None
        if reps > 1:
            from ltsim.montecarlo import run_montecarlo

            tick = time.perf_counter()
            mc_task = progress.add_task(f"Monte Carlo: {reps} replications", total=reps)
            mc = run_montecarlo(
                sc,
                result.population.persons,
                reps,
                used_seed,
                workers,
                progress=lambda n: progress.advance(mc_task, n),
                dask=dask,
            )
            timings["montecarlo"] = time.perf_counter() - tick
        progress.update(task, advance=1, description="writing results" + (" and the report" if report else ""))
        try:
            folder = write_run(result, target, used_seed, timings, montecarlo=mc, report_lang=lang if report else None)
        except InputError as exc:
            progress.stop()
            raise fail(exc, f"run {scenario}") from None
        progress.update(task, advance=1)
    if quiet:
        out.print(str(folder))
        return
    _print_summary(result, mc)
    if mc is not None:
        print_montecarlo(result, mc, rules=False)  # the rules' probabilities are in the summary
    for warning in result.warnings:
        err.print(f"[yellow]Note:[/] {warning}", soft_wrap=True)
    files = ", ".join(sorted(p.name for p in folder.iterdir()))
    out.print(f"\nRun folder: [bold]{folder}[/]\n  {files}", soft_wrap=True)
    if (folder / "report.html").is_file():
        out.print(f"Report: [bold]{folder / 'report.html'}[/] (open it in a browser)", soft_wrap=True)


def _print_summary(result: object, mc: object = None) -> None:
    """Population, capacity gaps and fiscal rules; with Monte Carlo (``mc``) the last two as distributions."""
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
    if mc is not None and getattr(mc, "population_total", None) is not None:
        import numpy as np

        p10, p50, p90 = np.percentile(mc.population_total[:, -1], (10, 50, 90))  # type: ignore[attr-defined]
        if p90 - p10 >= 0.5:
            out.print(
                f"Population {s['end_year']} over {mc.reps} replications: median {p50:,.0f} (P10–P90 {p10:,.0f}–{p90:,.0f})"
            )  # type: ignore[attr-defined]
    if mc is None:
        _print_gaps(result)
        _print_kpis(result)
    else:
        _print_gaps_mc(result, mc)
        _print_kpis_mc(result, mc)


def print_montecarlo(result: object, mc: object, rules: bool = True) -> None:
    """The projects most at risk of being late; with ``rules``, how likely each fiscal rule is to be red."""
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
    if rules and mc.kpi_values is not None:  # type: ignore[attr-defined]
        from ltsim.summary import KPI_LABELS

        first = int(result.population.years[0])  # type: ignore[attr-defined]
        red = mc.kpi_red.mean(axis=0)  # type: ignore[attr-defined]
        table = Table(title="Probability that a fiscal rule is red", title_justify="left")
        for col in ("key figure", "highest", "in year", "years ≥ 50 %"):
            table.add_column(col, justify="left" if col == "key figure" else "right")
        for k, name in enumerate(mc.kpi_names):  # type: ignore[attr-defined]
            t = int(np.argmax(red[k]))
            table.add_row(
                KPI_LABELS.get(name, name), f"{red[k, t]:.0%}", str(first + t), str(int((red[k] >= 0.5).sum()))
            )
        out.print(table)


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


def _print_kpis_mc(result: object, mc: object) -> None:
    """Probability [%] that each fiscal rule is red, in a few years, with the median value; over the replications."""
    from ltsim.summary import kpi_probability_overview

    overview = kpi_probability_overview(result, mc)  # type: ignore[arg-type]
    if overview is None:
        return
    years, rows = overview
    table = Table(
        title=f"Fiscal rules: probability red over {mc.reps} replications (median value in %)",  # type: ignore[attr-defined]
        title_justify="left",
    )
    table.add_column("key figure")
    for y in years:
        table.add_column(str(y), justify="right")
    table.add_column("years ≥ 50 %", justify="right")
    table.add_column("first ≥ 50 %", justify="right")
    for name, cells, n50, first in rows:
        styled = []
        for p, median in cells:
            colour = "bold red" if p >= 0.5 else ("yellow" if p >= 0.1 else "green")
            styled.append(f"[{colour}]{p:.0%}[/] [dim]({median:.1f})[/]")
        table.add_row(name, *styled, str(n50), str(first or "–"))
    out.print(table)


def _print_gaps_mc(result: object, mc: object) -> None:
    """The zones with the largest median shortfall, with P10–P90 and the probability of any shortfall."""
    from ltsim.summary import worst_gaps_mc

    rows = worst_gaps_mc(result, mc)  # type: ignore[arg-type]
    if not rows:
        out.print("No zone is short of places in any replication.")
        return
    table = Table(
        title=f"Worst capacity gaps over {mc.reps} replications (places short in the worst year)",  # type: ignore[attr-defined]
        title_justify="left",
    )
    for col in ("service", "zone", "median", "P10–P90", "in year", "P(short)", "place-years short P50"):
        table.add_column(col, justify="left" if col in ("service", "zone") else "right")
    for r in rows:
        table.add_row(
            r["service"],
            r["zone"],
            f"{r['p50']:,.0f}",
            f"{r['p10']:,.0f}–{r['p90']:,.0f}",
            str(r["year"]),
            f"{r['probability']:.0%}",
            f"{r['place_years_p50']:,.0f}",
        )
    out.print(table)
