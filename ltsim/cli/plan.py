"""``ltsim plan``: what must be built, closed or moved over the whole horizon, under the debt ceiling."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ltsim.cli.common import (
    ScenarioArg,
    err,
    fail,
    load_for_decision,
    out,
    write_tested,
    years_text,
)
from ltsim.cli.run import print_montecarlo
from ltsim.errors import InputError, Problem


def plan(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Run folder of the planned scenario (default: results/<name>-planned): new, empty or an earlier "
            "ltsim run folder.",
        ),
    ] = None,
    solver: Annotated[str, typer.Option("--solver", help="MILP solver: highs (default) or cbc.")] = "highs",
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Seconds each solve may use (default 20; the gap reached is reported). Trade-off points get half.",
        ),
    ] = 20.0,
    gap: Annotated[
        float | None,
        typer.Option("--gap", help="Relative MIP gap to stop at (default 0.005: within 0.5 % of optimal)."),
    ] = 0.005,
    tradeoff: Annotated[
        bool, typer.Option("--tradeoff/--no-tradeoff", help="Solve at each of plan.tradeoff_ceilings too.")
    ] = True,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also write report.html and workbook.xlsx.")
    ] = True,
    reps: Annotated[
        int,
        typer.Option(
            "--reps",
            help="Then test the plan with this many Monte Carlo replications (delays and overruns drawn from the "
            "scenario's distributions): how likely is each zone short and each fiscal rule red? 1 = no test.",
        ),
    ] = 1,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed of the Monte Carlo test (default: the scenario's).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes for the Monte Carlo test (default: all cores).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: nb (bokmål) or en.")] = "nb",
    variant: Annotated[
        Path | None,
        typer.Option(
            "--variant",
            help="Also write the plan as a scenario variant here (e.g. scenarios/asker/planned.yaml): it extends "
            "SCENARIO by a relative path and carries what the plan found (plan.found), so `ltsim run` on it "
            "reports the builds, the debt with and without them and the affordability gap. A new file, or one "
            "an earlier `ltsim plan --variant` wrote.",
        ),
    ] = None,
) -> None:
    """Choose new builds (type, site, start year), closures and the catalogue's timing together.

    Needs 'plan:' (project types, candidate sites, optional closures, the cost of a place-year
    short per service), 'optimize:' (the debt ceiling, NDR floor, spend cap, projects at a time,
    the catalogue's deferral window), 'projects:' and 'finance:'. Minimises discounted place-years
    short (valued at plan.shortfall_cost_mnok_per_place_year) + each build's equivalent annual cost
    and running cost + deferral penalties, checks the plan with the full pipeline, and writes a run
    folder of the planned scenario with plan_builds.csv (what, where, when, cost, place-years
    closed, debt-ratio effect), plan_moves.csv, plan_debt.csv (debt ratio with and without the
    builds), plan_affordability.csv (investment needed without a ceiling vs planned, per year and
    service), plan_tradeoff.csv (place-years short at each ceiling), plan.json and
    scenario.planned.yaml (replay with `ltsim run`). With --reps N the planned scenario is then run N
    times with drawn delays and overruns, as `ltsim run scenario.planned.yaml --reps N` would:
    shortfall_probability.csv (P(short) per service, zone and year) and kpi_probability.csv (P(red)
    per fiscal rule and year) join the folder.
    """
    from ltsim.planning import plan as make_plan
    from ltsim.planning.files import plan_files

    sections = ("plan", "optimize", "projects", "finance")
    options = (solver, lang, time_limit, gap, seed, reps, workers)
    sc, target = load_for_decision(scenario, out_dir, "planned", f"plan {scenario}", sections, options)
    if variant is not None:
        try:
            check_variant(variant)
        except InputError as exc:
            raise fail(exc, f"plan {scenario}") from None
    try:
        with err.status("building candidates from the pipeline and solving …"):
            result = make_plan(sc, solver=solver, time_limit=time_limit, gap=gap, with_tradeoff=tradeoff)
    except ValueError as exc:
        raise fail(InputError(Problem(str(exc), file=str(scenario), field="plan")), f"plan {scenario}") from None
    used_seed = sc.config.seed if seed is None else seed
    timings = {"build": result.build_s, "solve": result.solve_s}
    folder, mc = write_tested(
        result.planned,
        target,
        used_seed,
        reps,
        workers,
        timings,
        plan_files(result),
        lang if report else None,
        "the plan",
        f"plan {scenario}",
    )
    print_plan(result)
    if variant is not None:
        from ltsim.io.output import write_files
        from ltsim.planning.files import variant_yaml

        extends = os.path.relpath(Path(scenario).resolve(), variant.resolve().parent)
        try:
            write_files({variant.name: variant_yaml(result, Path(extends).as_posix())}, variant.parent, "--variant")
        except InputError as exc:
            raise fail(exc, f"plan {scenario}") from None
        out.print(f"The plan as a scenario variant: [bold]{variant}[/] (ltsim run {variant})")
    if mc is not None:
        print_montecarlo(result.planned, mc)
        _print_shortfall_risk(result.planned, mc)
    out.print(f"\nRun folder of the planned scenario: [bold]{folder}[/] (plan_builds.csv, plan.json, report.html)")


def check_variant(path: Path) -> None:
    """Refuse a ``--variant`` path that is not a .yaml file ltsim may write (new, or written by ``ltsim plan``)."""
    from ltsim.io.output import check_output
    from ltsim.planning.files import VARIANT_MARKER

    if path.suffix not in (".yaml", ".yml"):
        raise InputError(Problem("a scenario file name ending in .yaml", file=str(path), field="--variant",
                                 found=f"'{path.suffix or 'no suffix'}'"))  # fmt: skip
    check_output(path, "--variant")
    if path.is_file():
        with path.open(encoding="utf-8", errors="replace") as fh:
            first = fh.readline()
        if not first.startswith(VARIANT_MARKER):
            raise InputError(
                Problem(
                    "a new file, or a variant an earlier `ltsim plan --variant` wrote (it is replaced)",
                    file=str(path),
                    field="--variant",
                    found=f"an existing file whose first line is {first.strip()[:60]!r}",
                )
            )


def print_plan(result: object) -> None:
    """The answer first: debt ratio with and without the builds, the builds, the moves, the gap, the curve."""
    from ltsim.planning.files import debt_paths

    r = result  # a PlanResult
    sol = r.solution  # type: ignore[attr-defined]
    paths = debt_paths(r)  # type: ignore[arg-type]
    worst_with = max(paths, key=lambda p: p["debt_ratio_with_pct"])
    worst_without = max(paths, key=lambda p: p["debt_ratio_without_pct"])
    out.print(
        f"Plan ({r.solver}, {sol.status}, gap {sol.gap if sol.gap is not None else 0:.2%}): "  # type: ignore[attr-defined]
        f"place-years short {r.without_short:,.0f} as written → {sol.unmet_place_years:,.0f} with the plan; "  # type: ignore[attr-defined]
        f"highest debt ratio {worst_without['debt_ratio_without_pct']:.1f} % ({worst_without['year']}) → "
        f"{worst_with['debt_ratio_with_pct']:.1f} % ({worst_with['year']}), ceiling {paths[0]['ceiling_pct']:.0f} %"
    )
    table = Table(title="Chosen builds and closures", title_justify="left")
    for col in ("start", "ready", "what", "where", "places", "cost", "place-years closed", "debt ratio +pp"):
        table.add_column(col, justify="left" if col in ("what", "where") else "right")
    for b in r.builds:  # type: ignore[attr-defined]
        table.add_row(
            str(b["start_year"]),
            str(b["completion_year"]),
            b["type"] or f"close {b['facility']}",
            f"{b['service']} / {b['zone']}",
            f"{b['places']:,.0f}",
            f"{b['gross_cost_mnok']:,.0f}",
            f"{b['place_years_closed']:,.0f}",
            f"{b['debt_ratio_effect_max_pct_points']:.1f}",
        )
    out.print(table if table.row_count else "No builds or closures chosen")
    if r.moves:  # type: ignore[attr-defined]
        out.print(
            "Catalogue moved: "
            + "; ".join(
                f"{m['project']} {m['planned_start'] or '–'} → {m['start_year'] or '–'} ({m['note']})"
                for m in r.moves  # type: ignore[attr-defined]
            )
        )
    if r.affordability:  # type: ignore[attr-defined]
        by_service: dict[str, float] = {}
        for row in r.affordability:  # type: ignore[attr-defined]
            by_service[row["service"]] = by_service.get(row["service"], 0.0) + row["gap_mnok"]
        out.print(
            "Affordability gap (investment the population needs without a ceiling − planned, NOK million): "
            + ", ".join(f"{k} {v:,.0f}" for k, v in by_service.items())
            + f"; total {sum(by_service.values()):,.0f}"
        )
    if r.tradeoff:  # type: ignore[attr-defined]
        levers = {
            "ceiling": "debt-ratio ceiling %",
            "ndr_floor": "NDR floor %",
            "savings": "more savings NOK million/yr",
        }
        curve = Table(title="Trade-off: what each lever buys (one at a time)", title_justify="left")
        columns = ("lever", "value", "place-years short", "investment", "affordability gap", "builds",
                   "highest debt ratio %", "MIP gap")  # fmt: skip
        for col in columns:
            curve.add_column(col, justify="left" if col == "lever" else "right")
        for row in r.tradeoff:  # type: ignore[attr-defined]
            curve.add_row(
                levers.get(row["lever"], row["lever"]),
                f"{row['value']:,.1f}",
                f"{row['place_years_short']:,.0f}",
                f"{row['investment_mnok']:,.0f}",
                f"{row['affordability_gap_mnok']:,.0f}" if "affordability_gap_mnok" in row else "–",
                str(row["builds"]),
                f"{row['max_debt_ratio_pct']:.1f}",
                "–" if row["mip_gap"] is None else f"{row['mip_gap']:.1%}",
            )
        out.print(curve)
    out.print(
        f"Greedy rule (earliest shortfall, cheapest build that fits): objective {r.greedy.objective:,.1f} vs "  # type: ignore[attr-defined]
        f"{sol.objective:,.1f} optimised (discounted NOK million)"
    )
    for row in r.not_holdable:  # type: ignore[attr-defined]
        out.print(
            f"{row['year']}: no plan holds the ceiling ({row['ceiling_mnok']:,.0f} NOK million); the lowest net debt "
            f"any choice reaches is {row['lowest_reachable_mnok']:,.0f} (debt already drawn)"
        )
    over = sorted({b["year"] for b in sol.breaches if b["rule"] == "debt_ratio"})
    if over:
        err.print(f"Debt ceiling broken in {years_text(over)} (elastic: no plan holds it; see plan.json breaches)")
    for note in r.notes:  # type: ignore[attr-defined]
        err.print(f"Note: {note}")


def _print_shortfall_risk(run: object, mc: object) -> None:
    """Per service, the zones most likely to be short in some year under the drawn delays (P ≥ 5 %)."""
    import numpy as np

    table = Table(
        title="Monte Carlo of the plan: probability a zone is short (more than 0.5 place)", title_justify="left"
    )
    for col in ("service", "zone", "P(short) worst year", "year", "years with P ≥ 50 %"):
        table.add_column(col, justify="left" if col in ("service", "zone") else "right")
    rows = []
    with_gap = [svc for svc in run.services if svc.gap is not None]  # type: ignore[attr-defined]
    for s, svc in enumerate(with_gap):  # mc.short holds the services with a capacity gap, in order
        short = mc.short[s]  # type: ignore[attr-defined]  # [R, Y, Z]
        p = (short > 0.5).mean(axis=0)  # [Y, Z]
        for z, zone in enumerate(svc.zone_ids):
            worst = int(np.argmax(p[:, z]))
            if p[worst, z] >= 0.05:
                rows.append(
                    (
                        -float(p[worst, z]),
                        svc.service.id,
                        zone,
                        int(run.scenario.years[worst]),
                        int((p[:, z] >= 0.5).sum()),
                    )
                )  # type: ignore[attr-defined]
    for neg, service, zone, year, many in sorted(rows)[:15]:
        table.add_row(service, zone, f"{-neg:.0%}", str(year), str(many))
    out.print(table if table.row_count else "Monte Carlo of the plan: no zone is short with probability ≥ 5 %")
