"""``ltsim optimize``: sequence the deferrable projects (and housing) under the debt ceiling."""

from __future__ import annotations

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
from ltsim.errors import InputError


def optimize(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Run folder of the optimised plan (default: results/<name>-optimized): new, empty or an earlier ltsim run folder.",
        ),
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
    build and solve seconds, the debt ceiling's slack per year and the years it binds — slack below
    half a percentage point of gross operating revenue — and those active in the LP relaxation,
    breaches, value of one more percentage point of ceiling (or why the re-solve failed),
    shortfall limits raised to what is reachable, solver notes, plan and greedy objectives) and scenario.optimized.yaml (the schedule as a scenario variant).
    With housing moves (optimize.housing or --move-housing) also housing_schedule.csv. With
    --reps N the optimised plan is then run N times with drawn delays and overruns, as
    `ltsim run scenario.optimized.yaml --reps N` would (the same numbers for the same seed).
    """
    import ltsim.optimize as opt_module
    from ltsim.optimize.files import optimize_files

    action = f"optimise {scenario}"
    options = (solver, lang, time_limit, gap, seed, reps, workers)
    sc, target = load_for_decision(scenario, out_dir, "optimized", action, ("optimize", "projects", "finance"), options)
    if move_housing:
        try:
            sc = opt_module.with_housing_moves(sc)
        except InputError as exc:
            raise fail(exc, f"optimise {scenario}") from None
    with err.status("building the model from the pipeline and solving …"):
        result = opt_module.optimize(sc, solver=solver, time_limit=time_limit, gap=gap)
    used_seed = sc.config.seed if seed is None else seed
    folder, mc = write_tested(
        result.optimized,
        target,
        used_seed,
        reps,
        workers,
        {},
        optimize_files(result),
        lang if report else None,
        "the optimised plan",
        f"optimise {scenario}",
    )
    print_answer(result.answer)
    _print_optimisation(result)
    if mc is not None:
        print_montecarlo(result.optimized, mc)
    out.print(f"\nRun folder of the optimised plan: [bold]{folder}[/] (schedule.csv, optimize.json, report.html)")


def move_reason(move: dict) -> str:
    """Why a move was made, in words (``ltsim.optimize.answer.moves``)."""
    if move["why"] == "frees_headroom":
        text = f"frees {move['headroom_mnok']:,.0f} NOK million under the ceiling in {move['headroom_year']}"
        if move["place_years_short"] > 0.5:
            text += f"; costs {move['place_years_short']:,.0f} place-years short"
        return text
    if move["why"] == "fewer_short":
        return f"{-move['place_years_short']:,.0f} place-years fewer short"
    return "neither costs nor frees anything on its own (one of equally good schedules)"


def over_reason(row: dict) -> str:
    """Why a year stays over the ceiling, in words (``ltsim.optimize.answer``)."""
    lowest = f"{row['lowest_debt_ratio_pct']:,.1f} %"
    if row["why"] == "debt_drawn":
        return f"cannot be fixed: the year's debt is already drawn (no schedule brings it below {lowest})"
    if row["why"] == "fixed_debt":
        return f"cannot be fixed: loans drawn and projects that cannot move keep it at {lowest} or more"
    return f"could be held (lowest reachable {lowest}), but holding it costs more than the breach penalty"


def print_answer(a: dict) -> None:
    """The answer first: debt ratio of the plan as written vs optimised, places short added, moves, years over."""
    ceiling = a["ceiling_pct"]
    out.print(
        f"[bold]Debt ratio, % of gross operating revenue: the plan as written vs the optimised plan[/] (ceiling "
        f"{ceiling:,.0f} %; red: over)"
    )
    table = Table()
    for col in ("year", "plan as written", "optimised", "lowest reachable"):
        table.add_column(col, justify="right")
    rows = zip(
        a["years"], a["plan_debt_ratio_pct"], a["optimized_debt_ratio_pct"], a["lowest_debt_ratio_pct"], strict=True
    )
    for year, plan, opt, lowest in rows:
        table.add_row(str(year), _ratio_cell(plan, ceiling), _ratio_cell(opt, ceiling), f"{lowest:,.1f}")
    out.print(table)
    over_plan = a["plan_years_over"]
    out.print(
        f"Over the ceiling: plan as written {len(over_plan)} year(s)"
        + (f" ({years_text(over_plan)})" if over_plan else "")
        + f", optimised {len(a['years_over'])}"
        + (f" ({years_text([r['year'] for r in a['years_over']])})" if a["years_over"] else "")
    )
    out.print(
        f"Place-years short: {a['place_years_short_plan']:,.0f} in the plan as written, "
        f"{a['place_years_short_optimized']:,.0f} optimised ({a['place_years_short_added']:+,.0f} added)"
    )
    if a["moves"]:
        moved = Table(title="The moves", title_justify="left")
        for col in ("project", "from → to", "why"):
            moved.add_column(col)
        for m in a["moves"]:
            moved.add_row(m["name"], f"{m['from'] or 'not planned'} → {m['to'] or 'not built'}", move_reason(m))
        out.print(moved)
    else:
        out.print("The moves: none (the plan as written is optimal)")
    for row in a["years_over"]:
        out.print(f"{row['year']}: debt ratio {row['debt_ratio_pct']:,.1f} % over the ceiling — {over_reason(row)}")
    out.print("\n[bold]Details[/]")


def _ratio_cell(value: float, ceiling: float) -> str:
    return f"[red]{value:,.1f}[/]" if value > ceiling + 1e-9 else f"{value:,.1f}"


def _print_optimisation(result: object) -> None:
    from ltsim.optimize.files import housing_schedule

    r = result  # an OptimizeResult
    coefficients = r.coefficients  # type: ignore[attr-defined]
    data = coefficients.scenario.projects
    sol = r.solution  # type: ignore[attr-defined]
    effects = r.effects  # type: ignore[attr-defined]
    table = Table(
        title="Deferrals (candidates that move). Each move alone, all else as optimised: the place-years short it "
        "adds, and the most headroom under the debt ceiling it frees (+) and uses up (−), NOK million (year)",
        title_justify="left",
    )
    for col in ("project", "planned start", "chosen start", "years", "greedy start", "place-years", "headroom"):
        table.add_column(col, justify="left" if col == "project" else "right")
    for p in coefficients.candidates:
        o = sol.chosen.get(p)
        g = r.greedy.chosen.get(p) if r.greedy else None  # type: ignore[attr-defined]
        planned = coefficients.plan_start[p]
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
    if coefficients.developments:
        moved = Table(title="Housing developments (completion years moved)", title_justify="left")
        for col in ("development", "dwellings", "first completion", "chosen", "years", "place-years", "headroom"):
            moved.add_column(col, justify="left" if col == "development" else "right")
        for d, row in enumerate(housing_schedule(coefficients, sol)):
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
    if coefficients.developments:
        columns.insert(4, "dwelling-years moved")
    for col in columns:
        summary.add_column(col, justify="left" if not col else "right")
    for label, s in (("plan as written", r.plan), ("greedy rule", r.greedy), ("optimal", sol)):  # type: ignore[attr-defined]
        if s is None:
            continue
        breach = sum(1 for b in s.breaches if b["rule"] == "debt_ratio")
        cells = [label, f"{s.objective:,.1f}", f"{s.unmet_place_years:,.0f}", f"{s.deferral_years:,.0f}", str(breach)]
        if coefficients.developments:
            cells.insert(4, f"{s.moved_dwelling_years:,.0f}")
        summary.add_row(*cells)
    out.print(summary)
    out.print(_binding_line(r))
    if r.value_of_one_point_place_years is not None:  # type: ignore[attr-defined]
        out.print(
            f"One more percentage point of ceiling is worth {-r.value_of_one_point_place_years:,.1f} place-years "  # type: ignore[attr-defined]
            f"(objective {-r.value_of_one_point:,.1f}; found by re-solving)"  # type: ignore[attr-defined]
        )
    elif r.value_of_one_point_failure:  # type: ignore[attr-defined]
        err.print(f"No value of one more percentage point of ceiling: {r.value_of_one_point_failure}")  # type: ignore[attr-defined]
    if r.shortfall_limits_raised:  # type: ignore[attr-defined]
        out.print(_raised_line(r.shortfall_limits_raised))  # type: ignore[attr-defined]
    for note in r.notes:  # type: ignore[attr-defined]
        err.print(f"Note: {note}")
    c = r.confidence  # type: ignore[attr-defined]
    if c is not None:
        within = dict(zip(c["years"], c["probability_within_ceiling"], strict=True))
        short = c["short_of_target_years"]
        worst = min(within, key=lambda y: (within[y], y))
        out.print(
            f"Debt ratio within the ceiling in {c['reps']} Monte Carlo replications (target {c['target']:.0%}, "
            f"{c['rounds']} round(s) of tightening): lowest {within[worst]:.0%} in {worst}; "
            + (f"below target in {years_text(short)}" if short else "at or above target every year")
        )
    if sol.breaches:
        err.print(breach_table(sol.breaches))


def _binding_line(r: object) -> str:
    """The years the debt ceiling binds, each with its slack, and those active in the LP relaxation."""
    from ltsim.optimize.explain import BINDING_TOLERANCE_PCT_POINTS

    rows = r.binding_constraints  # type: ignore[attr-defined]
    binding = [b for b in rows if b["binding"]]
    years = ", ".join(
        f"{b['year']} ({b['slack_mnok']:,.1f} NOK million, {b['slack_pct_points']:.2f} pp)" for b in binding
    )
    line = f"Debt ceiling binds (slack under {BINDING_TOLERANCE_PCT_POINTS:g} pp of revenue) in: {years or 'no year'}"
    active = r.relaxation_active_years  # type: ignore[attr-defined]
    if active is not None:
        line += f"; active in the LP relaxation: {years_text(list(active)) if active else 'no year'}"
    return line


def _raised_line(raised: list[dict]) -> str:
    """One line: how many (service, zone, year) limits of max_shortfall_places were raised, where, by how much."""
    where: dict[tuple[str, str], list[int]] = {}
    for row in raised:
        where.setdefault((row["service"], row["zone"]), []).append(row["year"])
    parts = [f"{service} / {zone} {years_text(years)}" for (service, zone), years in where.items()]
    top = max(raised, key=lambda row: row["raised_to_places"] - row["limit_places"])
    return (
        f"max_shortfall_places raised to what any schedule can reach in {len(raised)} service-zone-year(s): "
        + "; ".join(parts)
        + f" (at most to {top['raised_to_places']:,.0f} places from {top['limit_places']:,.0f}; "
        "listed in optimize.json, shortfall_limits_raised)"
    )


def _effect_cells(effect: dict | None) -> tuple[str, str]:
    """Place-years short a move adds, and the most headroom under the ceiling it frees and uses up (NOK million, year)."""
    if effect is None:
        return "–", "–"
    parts = []
    if effect["headroom_gained_mnok"] > 0.5:
        parts.append(f"+{effect['headroom_gained_mnok']:,.0f} ({effect['headroom_year']})")
    if effect["headroom_lost_mnok"] > 0.5:
        parts.append(f"−{effect['headroom_lost_mnok']:,.0f} ({effect['headroom_lost_year']})")
    return f"{effect['place_years_short']:+,.0f}", " / ".join(parts) or "0"


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
            years_text([r["year"] for r in rows]),
            f"{sum(values):,.1f}",
            f"{max(values):,.1f}",
            unit,
        )
    return table
