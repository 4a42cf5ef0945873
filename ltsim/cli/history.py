"""``ltsim calibrate`` and ``ltsim backtest``: fit a scenario to observed history; compare a past-based run with it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ltsim.cli.common import ScenarioArg, err, fail, out
from ltsim.errors import InputError, Problem

ObservedOpt = Annotated[
    Path,
    typer.Option(
        "--observed",
        help="Observed population by year and single age (sex and area optional): a CSV 'year,age,persons' "
        "(+ sex, area, code), an SSB CSV download (07459, ';') or a JSON-stat file.",
    ),
]
MunicipalityOpt = Annotated[
    str | None,
    typer.Option(
        "--municipality", "-m", help="Municipality code when the file has several; old codes are summed into it."
    ),
]
CodesOpt = Annotated[
    Path | None, typer.Option("--codes", help="Your own code table (old_code,new_code,valid_from,name).")
]


def _out_dir(out_dir: Path | None, default: str) -> Path:
    from ltsim.io.output import check_output

    target = out_dir if out_dir is not None else Path("results") / default
    check_output(target, "--out", folder=True)
    return target


def calibrate(
    scenario: ScenarioArg,
    observed: ObservedOpt,
    until: Annotated[int, typer.Option("--until", help="Last year of history used; later figures are never read.")],
    fit: Annotated[
        str,
        typer.Option(
            "--fit",
            help="Parameters to fit, comma-separated: in_level, in_profile (in-migrants by age band, per area), "
            "fertility (or fertility_by_area: one level per planning area; the observed file must have areas), "
            "out_scale (only on request: stocks alone hardly tell gross out-migration from in-migration), "
            "out_scale_by_area (one per planning area; the observed file must have areas).",
        ),
    ] = "in_level,in_profile,fertility",
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder to write into (default: results/<name>-calibration).")
    ] = None,
    municipality: MunicipalityOpt = None,
    codes: CodesOpt = None,
    births: Annotated[
        Path | None,
        typer.Option(
            "--births",
            help="Observed live births per year (tidy 'year,births' [+ code, area, sex, age] or an SSB download "
            "of births, e.g. table 10211, CSV or JSON-stat): the fertility level is fitted to them, not to age 0.",
        ),
    ] = None,
    deaths: Annotated[
        Path | None,
        typer.Option(
            "--deaths",
            help="Observed deaths per year (same layouts, 'year,deaths'): the mortality level is fitted to them.",
        ),
    ] = None,
    sex_split: Annotated[
        str,
        typer.Option(
            "--sex-split",
            help="How figures without a sex split are divided: base (each age as the scenario's base population) "
            "or fixed:S (male share S at every age, e.g. fixed:0.51).",
        ),
    ] = "base",
    in_bands: Annotated[
        str,
        typer.Option(
            "--in-bands",
            help="Age bands of the in-migration counts (with in_profile): services (0-15, 16-24, 25-44, 45-66, "
            "67+) or a width in years, e.g. 5, or 1 for each single age (net migration by age, the residual method).",
        ),
    ] = "services",
    per_resident: Annotated[
        bool,
        typer.Option(
            "--in-per-resident",
            help="Fit in-migrants a year per resident of the area (population.migration.in_rate: in-migration "
            "grows with the area) instead of a number of persons a year.",
        ),
    ] = False,
    holdout: Annotated[
        int,
        typer.Option(
            "--holdout",
            help="Also fit without the history's last N years and project the observed stock over them: "
            "holdout.csv (errors by age group) and holdout_* in fit.csv, to compare methods inside the history.",
        ),
    ] = 0,
) -> None:
    """Fit in-migration, fertility and out-migration to observed population up to --until.

    Least squares on each year's cohort change (a one-year projection from the observed stock against
    the next year's stock). Writes calibration.csv (fitted values, standard errors, leave-one-year-out
    spread), fit.csv (fit statistics) and calibrated.yaml, a scenario variant that extends SCENARIO with
    the fitted values (run it with ltsim run or ltsim backtest); with --holdout, holdout.csv (the method
    fitted without the last years and projected over them, errors by age group).
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ltsim.calibrate import FIT_CHOICES, in_bands_rule, sex_split_rule
    from ltsim.calibrate import calibrate as run_calibration
    from ltsim.calibration_files import output_files
    from ltsim.io.output import write_files
    from ltsim.io.ssb.events import read_events
    from ltsim.io.ssb.observed import describe, read_observed
    from ltsim.scenario import load_scenario

    started = time.perf_counter()
    chosen = tuple(p.strip() for p in fit.split(",") if p.strip())
    try:
        bad = [p for p in chosen if p not in FIT_CHOICES]
        if bad or not chosen:
            raise InputError(
                Problem(
                    f"a comma-separated list of {', '.join(FIT_CHOICES)}",
                    file="command line",
                    field="--fit",
                    found=repr(fit),
                )
            )
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, transient=True
        ) as progress:
            task = progress.add_task("calibrate: reading", total=4)
            sc = load_scenario(scenario)
            target = _out_dir(out_dir, f"{sc.name}-calibration")
            sex_split_rule(sex_split)
            in_bands_rule(in_bands, sc.config.population.max_age + 1)
            obs = read_observed(observed, sc.config.population.max_age, municipality, codes)
            born = read_events("births", births, municipality, codes) if births is not None else None
            died = read_events("deaths", deaths, municipality, codes) if deaths is not None else None
            progress.update(task, advance=1, description="calibrate: one-year projections")
            result = run_calibration(
                sc,
                obs,
                until,
                chosen,
                lambda: progress.advance(task),
                births=born,
                deaths=died,
                sex_split=sex_split,
                in_bands=in_bands,
                per_resident=per_resident,
                holdout=holdout,
            )
            progress.update(task, description="calibrate: writing")
            paths = write_files(output_files(sc, result, target, str(observed)), target)
            progress.advance(task)
    except InputError as exc:
        raise fail(exc, f"calibrate {scenario}") from None
    f = result.fit
    out.print(
        f"[green]✓[/] {sc.name}: fitted to {describe(obs)} — history {result.years[0]}–{result.years[-1]}"
        + (
            f", ignored {', '.join(map(str, result.dropped_years))} (after --until {until})"
            if result.dropped_years
            else ""
        )
        + f"; RMSE {(f.rss / f.n) ** 0.5:.2f} persons per cell (scenario's values: {(f.rss_start / f.n) ** 0.5:.2f})",
        soft_wrap=True,
    )
    table = Table("parameter", "scenario", "fitted", "± s.e.", "± jackknife")
    for i, name in enumerate(f.names):
        table.add_row(
            name, f"{f.start[i]:,.4g}", f"{f.theta[i]:,.4g}", f"{f.std_error[i]:.2g}", f"{f.jackknife_se[i]:.2g}"
        )
    for ev in (result.births, result.deaths):
        if ev is not None:
            table.add_row(
                ev.name, "1", f"{ev.scale:,.4g}", f"{ev.std_error:.2g}", f"{ev.jackknife_se:.2g}", style="cyan"
            )
    out.print(table)
    for ev, what in ((result.births, "births"), (result.deaths, "deaths")):
        if ev is not None:
            out.print(
                f"  {what}: RMSE {ev.rmse:.1f} a year (scenario's level: {ev.rmse_start:.1f})",
                soft_wrap=True,
                highlight=False,
            )
    if result.holdout is not None:
        h = result.holdout
        last = [r for r in h.rows if r[0] == h.rows[-1][0]]
        out.print(
            f"  holdout: fitted {h.fitted[0]}–{h.fitted[1]}, projected to {h.rows[-1][0]}: error % by age group "
            + ", ".join(f"{g} {pct:+.1f}" for _, g, _, _, _, pct in last),
            soft_wrap=True,
            highlight=False,
        )
    for path in paths:
        out.print(f"  wrote {path}", soft_wrap=True, highlight=False)
    out.print(f"  {time.perf_counter() - started:.2f} s", style="dim")


def backtest(
    scenario: ScenarioArg,
    observed: ObservedOpt,
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder to write into (default: results/<name>-backtest).")
    ] = None,
    municipality: MunicipalityOpt = None,
    codes: CodesOpt = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of backtest.html: nb (bokmål) or en.")] = "nb",
    calibration: Annotated[
        Path | None,
        typer.Option(
            "--calibration",
            help="Folder of ltsim calibrate's calibration.csv and fit.csv, stated on the page "
            "(default: the scenario's folder, if it holds both).",
        ),
    ] = None,
) -> None:
    """Project SCENARIO from its (past) base year and compare with the observed population each later year.

    Writes backtest.csv (year, area, age_group, projected, observed, error, error_pct) for the age
    groups 0, 1–5, 6–12, 13–15, 16–19, 20–44, 45–66, 67–79, 80+ and the total; backtest_summary.csv
    (MAPE and bias per age group over the years) and backtest.html (projected against observed, the
    error tables, the method and the calibration's fitted values), a page in the style of report.html.
    """
    from ltsim.backtest import backtest as run_backtest
    from ltsim.io.output import write_files
    from ltsim.io.ssb.observed import read_observed
    from ltsim.report.backtest import output_files
    from ltsim.scenario import load_scenario

    try:
        if lang not in ("nb", "en"):
            raise InputError(Problem("nb or en", file="command line", field="--lang", found=repr(lang)))
        if calibration is not None and not calibration.is_dir():
            raise InputError(
                Problem("a folder holding calibration.csv and fit.csv", file=str(calibration), field="--calibration")
            )
        sc = load_scenario(scenario)
        target = _out_dir(out_dir, f"{sc.name}-backtest")
        obs = read_observed(observed, sc.config.population.max_age, municipality, codes)
        result = run_backtest(sc, obs)
        paths = write_files(output_files(sc, result, str(observed), lang, calibration), target)
    except InputError as exc:
        raise fail(exc, f"backtest {scenario}") from None
    years = sorted({r[0] for r in result.rows})
    out.print(f"[green]✓[/] {sc.name}: from {result.base_year}, compared {years[0]}–{years[-1]}", soft_wrap=True)
    table = Table("age group", "MAPE %", "bias %", f"error % {years[-1]}")
    last = {(r[1], r[2]): r[6] for r in result.rows if r[0] == years[-1]}
    area = "all" if any(r[0] == "all" for r in result.summary) else result.summary[0][0]
    for a, g, _, mape, bias, _ in result.summary:
        if a == area:
            table.add_row(g, f"{mape:.1f}", f"{bias:+.1f}", f"{last[(a, g)]:+.1f}")
    out.print(table)
    for path in paths:
        out.print(f"  wrote {path}", soft_wrap=True, highlight=False)
