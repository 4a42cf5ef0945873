"""``plan``: choose builds, closures and the catalogue's timing together; check, explain, cost the gap.

1. Candidates become optional projects (:mod:`.candidates`); the optimiser's coefficients simulate
   each start year with the pipeline's models; options and shortfalls are costed in discounted NOK
   million.
2. The planning MILP (:mod:`.model`) is solved under the debt ceiling (and the other ``optimize``
   rules) and its schedule run through the full pipeline; where the finance model breaks the
   ceiling in a year the MILP kept under it, the ceiling is tightened and the MILP re-solved
   (:func:`ltsim.optimize.driver.solve_checked`).
3. The same MILP with the ceiling lifted (5 × revenue) gives the investment the population needs;
   the difference in investment per year and service is the **affordability gap**. The MILP at each
   of ``plan.tradeoff_ceilings`` gives the trade-off curve (place-years short against the ceiling).
4. A need-driven greedy rule (:func:`greedy_plan`) on the same coefficients shows what solving buys.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ltsim.optimize.answer import lowest_debt_mnok, place_years_short
from ltsim.optimize.coefficients import Coefficients, Option, build
from ltsim.optimize.driver import Checked, solve_checked
from ltsim.optimize.evaluation import TOLERANCE, Solution, evaluate, predicted
from ltsim.optimize.heuristics import warm_start_schedule
from ltsim.optimize.milp import solve_milp
from ltsim.optimize.replay import overrides_for, run_schedule
from ltsim.planning.candidates import Candidate, candidates, costed, planning_scenario
from ltsim.planning.model import planning_model_class, rule_breaches
from ltsim.scenario import Scenario

SCOUT_GAP = 0.02  # the first solve only learns the superposition margin (see solve_checked)
UNCAPPED_RATIO = 5.0  # the ceiling for "what the population needs": the schema's largest ratio


@dataclass(slots=True)
class PlanResult:
    """The chosen plan, its check against the full pipeline, and what it means for money."""

    solution: Solution
    coefficients: Coefficients
    candidates: tuple[Candidate, ...]
    overrides: dict[str, Any]  # the plan as scenario overrides (plan.builds, plan.closed, projects.defer …)
    planned: Any  # pipeline RunResult of the scenario with the plan
    without: Any  # pipeline RunResult of the scenario as written (no new builds)
    without_short: float  # place-years short of the scenario as written (capacity_summary)
    repairs: int
    predicted_debt_mnok: np.ndarray
    builds: list[dict[str, Any]]
    moves: list[dict[str, Any]]
    greedy: Solution
    greedy_breaches: list[str]
    not_holdable: list[dict[str, Any]]  # years no schedule holds: ceiling and the lowest reachable debt (NOK million)
    need: Solution | None  # the MILP with the ceiling lifted
    affordability: list[dict[str, Any]]  # per year and service: investment needed vs planned
    tradeoff: list[dict[str, Any]]
    solver: str
    build_s: float
    solve_s: float
    notes: list[str] = field(default_factory=list)


def plan_spec_check(scenario: Scenario) -> None:
    """A ValueError naming what ``plan`` needs and the scenario lacks."""
    if scenario.config.plan is None or scenario.plan is None:
        raise ValueError("the scenario has no 'plan:' section (types, sites, shortfall costs)")
    if scenario.config.optimize is None or scenario.projects is None or scenario.config.finance is None:
        raise ValueError("planning needs 'optimize:' (the debt ceiling), 'projects:' and 'finance:' sections")
    missing = [
        s.id
        for s in scenario.config.services
        if s.id not in scenario.config.plan.shortfall_cost_mnok_per_place_year
        and scenario.services.capacity is not None
    ]
    if missing:
        raise ValueError(
            "plan.shortfall_cost_mnok_per_place_year: found no cost for "
            + ", ".join(missing)
            + "; expected the cost of one place-year short (NOK million) for every service"
        )


def _plan_overrides(scenario: Scenario, cands: list[Candidate]) -> Any:
    """``solution → overrides`` for the scenario as written: the chosen candidates as plan.builds/closed."""
    spec = scenario.config.plan
    assert spec is not None

    def to_overrides(coefficients: Coefficients, solution: Solution) -> dict[str, Any]:
        ids = coefficients.scenario.projects.ids
        by_id = {c.id: c for c in cands}
        catalogue = Solution(
            {p: o for p, o in solution.chosen.items() if p not in coefficients.optional}, 0.0, 0.0, 0.0, 0.0
        )
        out = overrides_for(coefficients, catalogue)
        own = set(scenario.projects.ids)  # type: ignore[union-attr]
        out["projects"]["exclude"] = [pid for pid in out["projects"]["exclude"] if pid in own]
        builds = [b.model_dump() for b in spec.builds]
        closed = [c.model_dump() for c in spec.closed]
        for p, o in sorted(solution.chosen.items(), key=lambda kv: (kv[1].start_year if kv[1] else 0, kv[0])):
            if o is None or p not in coefficients.optional:
                continue
            c = by_id[ids[p]]
            if c.kind == "build":
                builds.append({"type": c.type, "site": c.site, "start_year": o.start_year})
            else:
                closed.append({"facility": c.facility, "year": o.start_year})
        out["plan"] = {"builds": builds, "closed": closed}
        return out

    return to_overrides


def greedy_plan(coefficients: Coefficients, cands: list[Candidate], ceilings: np.ndarray) -> Solution:
    """A planner's rule by hand: close the earliest shortfall with the cheapest build that fits the money.

    Start from the catalogue as the ceiling allows (the optimiser's greedy deferral, no builds). Then
    repeatedly take the earliest (year, service, zone) still short; among the unused candidates whose
    places reach it in time, pick the lowest cost per place-year short it removes; keep it if the
    debt stays under the ceiling in every year and the plan's rules hold, else try the next; a
    shortfall no candidate can close in money is left.
    """
    chosen = dict(warm_start_schedule(coefficients, ceilings) or {p: None for p in coefficients.candidates})
    for p in coefficients.optional:
        chosen[p] = None
    by_project: dict[int, list[Option]] = {}
    for o in coefficients.options:
        if o.project in coefficients.optional:
            by_project.setdefault(o.project, []).append(o)
    given_up: set[tuple[int, int]] = set()
    n_stock = len(coefficients.stock_years)
    while True:
        picked = [o for o in chosen.values() if o is not None]
        short = np.zeros((len(coefficients.cells), n_stock))
        for c, cell in enumerate(coefficients.cells):
            added = sum((o.places[c] for o in picked if c in o.places), np.zeros(n_stock))
            short[c] = np.clip(cell.gap - added, 0.0, None)
        todo = sorted((u, c) for c, u in zip(*np.nonzero(short > TOLERANCE), strict=True) if (c, u) not in given_up)
        if not todo:
            break
        u, c = todo[0]
        base = evaluate(coefficients, chosen, ceilings)
        debt_now, _ = predicted(coefficients, base, ceilings)
        offers = []
        for p, opts in by_project.items():
            if chosen[p] is not None:
                continue
            for o in opts:
                if c not in o.places or o.places[c][u] <= TOLERANCE:
                    continue
                removed = float(np.minimum(np.clip(o.places[c], 0.0, None), short[c]).sum())
                if removed > TOLERANCE:
                    offers.append((o.cost_mnok / removed, -o.start_year, p, o))
        done = False
        for _, _, p, o in sorted(offers, key=lambda t: (t[0], t[1], t[2])):
            trial = {**chosen, p: o}
            over_before = np.clip(debt_now - ceilings, 0.0, None)
            if np.any(np.clip(debt_now + o.debt_mnok - ceilings, 0.0, None) > over_before + TOLERANCE):
                continue  # no year may go over the ceiling, or further over, for a build
            if rule_breaches(coefficients, cands, trial):
                continue
            chosen = trial
            done = True
            break
        if not done:
            given_up.add((c, u))
    return evaluate(coefficients, chosen, ceilings)


def _investment_by_service(coefficients: Coefficients, solution: Solution) -> dict[str, np.ndarray]:
    """Gross spend [Y] of the chosen options, by service ('other' for projects without one)."""
    projects = coefficients.scenario.projects
    out: dict[str, np.ndarray] = {}
    for p, o in solution.chosen.items():
        if o is None:
            continue
        key = projects.services[p] or "other"
        out[key] = out.get(key, np.zeros(len(coefficients.years))) + o.spend_mnok
    return out


def affordability(coefficients: Coefficients, chosen: Solution, need: Solution) -> list[dict[str, Any]]:
    """Per year and service: investment the need asks for, what the plan affords, and the gap (NOK million)."""
    wanted = _investment_by_service(coefficients, need)
    afforded = _investment_by_service(coefficients, chosen)
    rows = []
    for service in sorted(set(wanted) | set(afforded)):
        w = wanted.get(service, np.zeros(len(coefficients.years)))
        a = afforded.get(service, np.zeros(len(coefficients.years)))
        for t, year in enumerate(coefficients.years):
            rows.append(
                {
                    "year": int(year),
                    "service": service,
                    "needed_mnok": float(w[t]),
                    "planned_mnok": float(a[t]),
                    "gap_mnok": float(w[t] - a[t]),
                }
            )
    return rows


def _short_by_service(coefficients: Coefficients, solution: Solution) -> dict[str, float]:
    """Place-years short per service of a schedule (on the coefficients)."""
    picked = [o for o in solution.chosen.values() if o is not None]
    n_stock = len(coefficients.stock_years)
    out: dict[str, float] = {}
    for c, cell in enumerate(coefficients.cells):
        added = sum((o.places[c] for o in picked if c in o.places), np.zeros(n_stock))
        out[cell.service] = out.get(cell.service, 0.0) + float(np.clip(cell.gap - added, 0.0, None).sum())
    return out


def _tradeoff_row(
    coefficients: Coefficients, sol: Solution, ceilings: np.ndarray, raised: np.ndarray, lever: str, value: float
) -> dict[str, Any]:
    """One point of the trade-off curve: the lever and its value, then what the plan achieves there."""
    debt, _ = predicted(coefficients, sol, ceilings)
    return {
        "lever": lever,
        "value": value,
        "place_years_short": sol.unmet_place_years,
        **{f"short_{k}": v for k, v in sorted(_short_by_service(coefficients, sol).items())},
        "investment_mnok": float(sum(o.spend_mnok.sum() for o in sol.chosen.values() if o is not None)),
        "builds": sum(1 for p, o in sol.chosen.items() if o is not None and p in coefficients.optional),
        "max_debt_ratio_pct": float(np.max(debt / coefficients.revenue_mnok) * 100.0),
        "objective": sol.objective,
        "mip_gap": sol.gap,
        "breach_years": len({b["year"] for b in sol.breaches if b["rule"] in ("debt_ratio", "net_operating_result")}),
        "years_not_holdable": int(raised.sum()),
        "status": sol.status,
    }


def costed_coefficients(scenario: Scenario, cands: list[Candidate], more_savings_mnok: float = 0.0) -> Coefficients:
    """The planning MILP's coefficients: the candidates as optional projects, simulated and costed."""
    planning = planning_scenario(scenario, cands, more_savings_mnok)
    ids = planning.projects.ids
    windows = {ids.index(c.id): (c.first_start, c.last_start) for c in cands}
    return costed(build(planning, windows))


def tradeoff(
    scenario: Scenario,
    coefficients: Coefficients,
    cands: list[Candidate],
    solver: str,
    time_limit: float | None,
    gap: float | None,
    starts: tuple[Solution, ...] = (),
) -> list[dict[str, Any]]:
    """The plan with one lever moved at a time: what each buys in place-years short and investment.

    Levers (``plan.tradeoff_*``): the debt-ratio ceiling (``value`` in percent of revenue), the netto
    driftsresultat floor (percent of revenue; the ceiling as the scenario sets it) and more savings a
    year from the first build year (NOK million; the coefficients are built again on that budget).
    Each solve starts from the best of ``starts`` (the plan, the need) and the points solved before it
    (:func:`best_start`).
    """
    spec = scenario.config.plan
    ratio = scenario.config.optimize.debt_ratio_ceiling
    rows = []
    known = [s.chosen for s in starts]  # every schedule solved so far: the starts to pick from
    model_class = planning_model_class(cands)

    def solved(co: Coefficients, ceilings: np.ndarray, model: type) -> Solution:
        sol = solve_milp(
            co, ceilings, solver, time_limit, gap, model_class=model, start=best_start(co, ceilings, known)
        )
        known.append(sol.chosen)
        return sol

    for value in spec.tradeoff_ceilings:
        ceilings, raised = held_ceilings(coefficients, value)
        sol = solved(coefficients, ceilings, model_class)
        rows.append(_tradeoff_row(coefficients, sol, ceilings, raised, "ceiling", value * 100.0))
    ceilings, raised = held_ceilings(coefficients, ratio)
    for value in spec.tradeoff_ndr_floors:
        sol = solved(coefficients, ceilings, planning_model_class(cands, ndr_floor=value))
        rows.append(_tradeoff_row(coefficients, sol, ceilings, raised, "ndr_floor", value * 100.0))
    for value in spec.tradeoff_savings_mnok:
        saved = costed_coefficients(scenario, cands, value)
        held, held_raised = held_ceilings(saved, ratio)
        sol = solved(saved, held, model_class)
        rows.append(_tradeoff_row(saved, sol, held, held_raised, "savings", value))
    return rows


def best_start(
    coefficients: Coefficients, ceilings: np.ndarray, known: list[dict[int, Option | None]]
) -> dict[int, Option | None] | None:
    """Of the schedules ``known`` (from other solves), the best on these coefficients and ceilings, as a start.

    Each is mapped onto these coefficients' options by (project, start year) and scored by
    :func:`evaluate` (a debt breach at its excess × the breach penalty): the solve then starts no worse
    than any point found before, so the curve cannot get worse where a lever is loosened just because a
    solve stopped at its time limit.
    """
    by_key = {(o.project, o.start_year): o for o in coefficients.options}
    best, best_objective = None, float("inf")
    for chosen in known:
        mapped = {p: None if o is None else by_key.get((o.project, o.start_year)) for p, o in chosen.items()}
        if any(o is not None and mapped[p] is None for p, o in chosen.items()):
            continue  # an option these coefficients do not have
        objective = evaluate(coefficients, mapped, ceilings).objective
        if objective < best_objective:
            best, best_objective = mapped, objective
    return best


def _build_rows(
    coefficients: Coefficients, cands: list[Candidate], solution: Solution, ceilings: np.ndarray
) -> list[dict[str, Any]]:
    """Each chosen candidate: what, where, when, what it costs, what it closes, what it does to the debt ratio."""
    scenario = coefficients.scenario
    projects = scenario.projects
    by_id = {c.id: c for c in cands}
    rows = []
    for p, o in solution.chosen.items():
        if o is None or p not in coefficients.optional:
            continue
        c = by_id[projects.ids[p]]
        without = evaluate(coefficients, {**solution.chosen, p: None}, ceilings)
        site = scenario.plan.sites[c.site] if c.site else None
        rows.append(
            {
                "kind": c.kind,
                "type": c.type or "",
                "type_name": scenario.plan.types[c.type].name if c.type else "",
                "site": c.site or "",
                "facility": c.facility or "",
                "service": projects.services[p],
                "zone": projects.zones[p],
                "places": float(projects.capacity_places[p]),
                "start_year": o.start_year,
                "completion_year": o.completion_year,
                "gross_cost_mnok": float(projects.inputs.gross_cost_mnok[p]),
                "land_cost_mnok": site.land_cost_mnok if site else 0.0,
                "npv_cost_mnok": o.cost_mnok,
                "place_years_closed": without.unmet_place_years - solution.unmet_place_years,
                "debt_ratio_effect_max_pct_points": float(np.max(o.debt_mnok / coefficients.revenue_mnok) * 100.0),
                "operating_cost_mnok_per_year": float(np.nan_to_num(projects.operating_cost_mnok_per_year[p])),
            }
        )
    rows.sort(key=lambda r: (r["start_year"], r["service"], r["zone"]))
    return rows


def _moves(coefficients: Coefficients, solution: Solution) -> list[dict[str, Any]]:
    """The catalogue's projects the plan moves or drops: project, planned start, chosen start."""
    projects = coefficients.scenario.projects
    rows = []
    for p, o in solution.chosen.items():
        if p in coefficients.optional:
            continue
        planned = coefficients.plan_start[p] if projects.inputs.included[p] else None
        start = None if o is None else o.start_year
        if start == planned:
            continue
        group = projects.exclusive_group[p]
        if group is not None:
            other = [projects.ids[q] for q, x in solution.chosen.items() if x is not None and q != p
                     and projects.exclusive_group[q] == group]  # fmt: skip
            note = f"variant of {group}" + (f", replaced by {other[0]}" if o is None and other else "")
        else:
            note = (
                "dropped"
                if o is None
                else "added"
                if planned is None
                else ("deferred" if start > planned else "advanced")  # type: ignore[operator]
            )
        rows.append({"project": projects.ids[p], "planned_start": planned, "start_year": start, "note": note})
    return rows


def held_ceilings(coefficients: Coefficients, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Ceilings [Y] (NOK million) the MILP is held to, and which years were raised to the lowest reachable debt.

    A year no schedule can hold gets its lowest reachable debt as ceiling (+ 0.001): the MILP then
    does its best there without a penalty that would swamp the rest of the objective and its gap.
    """
    asked = ratio * coefficients.revenue_mnok
    floor = lowest_debt_mnok(coefficients) + 1e-3
    raised = floor > asked
    return np.where(raised, floor, asked), raised


def plan(
    scenario: Scenario,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float | None = None,
    with_tradeoff: bool = True,
) -> PlanResult:
    """Plan the horizon (see the module docstring)."""
    plan_spec_check(scenario)
    tick = time.perf_counter()
    cands = candidates(scenario)
    coefficients = costed_coefficients(scenario, cands)
    build_s = time.perf_counter() - tick
    model_class = planning_model_class(cands)
    ratio = scenario.config.optimize.debt_ratio_ceiling
    ceilings, raised = held_ceilings(coefficients, ratio)
    tick = time.perf_counter()
    first = greedy_plan(coefficients, cands, ceilings)  # the solver's first incumbent
    checked: Checked = solve_checked(
        scenario,
        coefficients,
        ceilings,
        solver,
        time_limit,
        gap,
        model_class,
        _plan_overrides(scenario, cands),
        start=first.chosen,
        held_out=raised,
        learn_margin=True,
        scout_gap=SCOUT_GAP,
    )
    solution = checked.solution
    notes = list(solution.notes)
    need = None
    try:  # a higher ceiling: the plan is a feasible start
        need = solve_milp(
            coefficients,
            held_ceilings(coefficients, UNCAPPED_RATIO)[0],
            solver,
            time_limit,
            gap,
            model_class=model_class,
            start=solution.chosen,
        )
    except RuntimeError as exc:
        notes.append(f"the need without a ceiling was not solved: {exc}")
    point_limit = None if time_limit is None else time_limit / 2
    starts = (solution,) if need is None else (solution, need)
    rows = tradeoff(scenario, coefficients, cands, solver, point_limit, gap, starts) if with_tradeoff else []
    if need is not None:  # what each point leaves unbuilt of what the population needs (NOK million)
        needed_mnok = float(sum(o.spend_mnok.sum() for o in need.chosen.values() if o is not None))
        for row in rows:
            row["affordability_gap_mnok"] = needed_mnok - row["investment_mnok"]
    solve_s = time.perf_counter() - tick
    same = np.array_equal(checked.ceilings, ceilings)  # the greedy rule at the ceilings the plan was solved on
    greedy = first if same else greedy_plan(coefficients, cands, checked.ceilings)
    planned = run_schedule(scenario, checked.overrides, "-planned")
    from ltsim import pipeline

    without = pipeline.run(scenario, stochastic=False)
    return PlanResult(
        solution=solution,
        coefficients=coefficients,
        candidates=tuple(cands),
        overrides=checked.overrides,
        planned=planned,
        without=without,
        without_short=place_years_short(without),
        repairs=checked.repairs,
        predicted_debt_mnok=checked.debt,
        builds=_build_rows(coefficients, cands, solution, checked.ceilings),
        moves=_moves(coefficients, solution),
        greedy=greedy,
        greedy_breaches=rule_breaches(coefficients, cands, greedy.chosen),
        not_holdable=[
            {
                "year": int(coefficients.years[t]),
                "ceiling_mnok": float(ratio * coefficients.revenue_mnok[t]),
                "lowest_reachable_mnok": float(ceilings[t]),
            }
            for t in np.flatnonzero(raised)
        ],
        need=need,
        affordability=affordability(coefficients, solution, need) if need is not None else [],
        tradeoff=rows,
        solver=solver,
        build_s=build_s,
        solve_s=solve_s,
        notes=notes,
    )
