"""Optimal sequencing of deferrable projects (PuLP MILP): keep the debt ratio under its ceiling.

Decision: ``x[p, s] = 1`` if candidate project ``p`` starts in year ``s`` (one option per start
year in its window, planned start − ``max_advance_years`` … + ``max_deferral_years``, within
earliest start and latest completion). Candidates are the projects that are not mandatory and
have not started before the base year (``shift_mandatory`` adds the mandatory ones); the others
stay as the scenario plans them.

Coefficients come from the pipeline's own models, one source of truth:

- the *base* is the scenario with every candidate left out: its population, demand, capacity
  (facility register + fixed projects), project spend and finance (net debt, NDR, revenue);
- each option ``(p, s)`` is simulated by the project model (completion year, spend profile),
  its capacity enters the ledger exactly as ``register_with_projects`` does, and the finance
  model is run on base + that option alone; its *marginal* debt, NDR, interest and spend paths
  are the option's coefficients.

The MILP adds the marginal paths of the chosen options to the base (superposition). The finance
model is linear in a project's spend where instalments follow a serial/annuity schedule, own
financing is a share and no grant exceeds a year's need; the § 14-18 minimum and the spread of a
year's borrowing over asset lives are not linear. So every solution is checked by running the full
pipeline on the chosen schedule: where the real debt ratio breaks the ceiling, that year's
ceiling is tightened (by the excess plus the slack the schedule had there, so the schedule must
change) and the MILP re-solved, at most ``MAX_REPAIRS`` times. The optimum's ``debt_ratio``
breaches are the years the finance model finds over the ceiling on the chosen schedule.

Housing switch (``optimize.housing`` or ``ltsim optimize --move-housing``): the completion years
of housing developments become decisions too. Binary ``h[d, k] = 1`` if development ``d`` is
completed ``k`` years later than the programme (``k`` in −max_advance … +max_deferral; all of a
development's completions move together; past the horizon they drop out). Each option is run
through population, demand/capacity and finance against the programme as written; its marginal
paths enter where a housing move acts: the gap of each (service, zone, year) (``u ≥ gap +
Σ Δgap · h − places · x``: demand and capacity add exactly, the projection being linear in its
inflows without control totals), net debt and NDR, and gross operating revenue — which moves the
ceiling, so the debt row reads ``debt + Σ (Δdebt − ratio · Δrevenue) · h ≤ ratio · revenue``.
A moved dwelling-year costs ``penalty_per_dwelling_year`` in the objective. A development under
sequencing rules (``after_projects`` / ``not_before`` / ``max_dwellings_per_year``) moves by the
year ``s`` its release may start (its queue then released at the yearly pace, as the rule engine
does), and waits for its projects by constraint: released by ``s`` ≤ project in service by ``s``
(``define_housing_waits``); a start later than the rules require is written back as
``not_before``. Developments with gap rules, and those a project waits for, are not moved: the
base takes them as the pipeline releases them under the plan's projects. Without the switch,
housing stays as the scenario sets it (``population.housing.defer`` replays a chosen schedule).

Confidence (``optimize.confidence``): the schedule is chosen on the plan, so it sits on the
ceiling while projects run late and over budget. The optimised plan is then run by Monte Carlo
(the scenario's delay and overrun distributions) and, where the debt ratio's quantile breaks the
ceiling in a year the MILP keeps under it, that year's ceiling is lowered and the schedule solved
and checked again; the result carries the probability of staying within the ceiling per year.

``max_shortfall_places`` (service → places): in every zone and year a decision can change, places
short ≤ the limit, or — where no single choice could get below it — ≤ the least any choice leaves
(``shortfall_limits``); a shortfall nothing can change is a constant, not a breach. Elastic like
the other rules.

Constraints (one function each): one start per candidate (or none where dropping is allowed),
exclusive variants, dependencies (start after the predecessor is in service), debt ratio ≤
ceiling every year, optionally NDR ≥ floor, yearly spend ≤ a cap, concurrent projects ≤ a cap.
In elastic mode each of these rules has a non-negative breach variable with a large penalty, so
an impossible ceiling returns the schedule with the smallest weighted breach and names the
years and rules that cannot be met.

Objective: Σ weight_v · unmet place-years (places short, per service, zone and year) +
deferral penalty · |start − planned| (+ the rest of the horizon for a dropped project) +
housing penalty · dwelling-years moved + cost weight · interest paid over the horizon
[NOK million] + breach penalty · rule breaches (NOK million over the ceiling, …) + shortfall penalty ·
place-years over a shortfall limit (lower by default: the debt ceiling gives way last).

Formulations (``solve_milp(formulation=…)``; all have the same integer solutions and the same
objective on each; tests/test_optimize_synthetic.py checks them against brute force):

- ``basic``: binaries ``x[p, s]``; a dependency is ``x[B, s] ≤ Σ x[A, j]`` over A's options
  complete by ``s``, one row per option of B; unmet ``u ≥ gap − Σ places · x``.
- ``strengthened`` (the default): the same variables with two tighter families. Dependencies on
  the aggregated starts, ``started_B(t) = Σ_{s ≤ t} x[B, s] ≤ in_service_A(t)`` for each start
  year ``t`` of B (implies the basic rows, cuts off fractional points they allow); and the
  capacity cover of each unmet row with every option's places capped at the gap,
  ``u ≥ gap − Σ min(places, gap) · x`` where no option removes places (the same
  ``max(0, gap − added)`` at every integer point; a fraction of a large project no longer covers
  a small gap in the LP).
- ``aggregated``: the strengthened rows on "started by year ``s``" binaries ``y[p, s]``
  (``x = y[s] − y[s−1]``, every row telescoped), so branching splits a project's start window
  in two. The same LP bound as ``strengthened``.

A warm start (``warm_start=True``, the default) hands the solver the greedy rule's schedule,
made to respect the dependencies (``warm_start_schedule``), with the unmet and breach values it
implies: CBC through PuLP's ``warmStart`` (an MIP start file); HiGHS through
``Highs.setSolution`` before the run, since PuLP 3.3's in-process ``HiGHS`` class has no
``warmStart`` (only ``HiGHS_CMD`` does).

Measured (benchmarks/bench_optimize.py, 2 cores; solve seconds, model build ≈ 0.01 s Asker,
0.12 s synthetic): Asker (23 candidates, 138 options) is proven optimal by every formulation in
0.09–0.16 s with HiGHS and 0.2–0.9 s with CBC (coefficients from the pipeline: 0.5 s). The
synthetic 300-project, 40-zone, 25-year instance (1800 options) reaches ≤ 1 % in 0.3–0.5 s with
HiGHS, 0.3–1.6 s with CBC; HiGHS proves optimality (0.01 %) in 3–5 s with ``basic`` or
``strengthened``, 16–28 s with ``aggregated``; CBC does not within 60 s (0.03 % left). The
strengthened rows raise the LP bound (19150.9 → 19153.7; the dependency rows 1.2 of it, the
capped cover 1.6) — little here, because most of the objective is unmet places no schedule can
avoid; without the capped cover HiGHS took 11.5 s. The ``y`` variables give the same bound but
slow HiGHS down (its heuristics and presolve handle the order rows worse); the warm start does not
change the optimum and saves HiGHS 0–40 % of the time, while on Asker it costs CBC 0.3 s (the
start file). Hence the defaults: ``strengthened`` with a warm start on HiGHS, which is faster than
CBC on every instance measured (on Asker CBC's time is mostly writing and reading the MPS and
solution files: it runs as a subprocess, HiGHS in-process) and alone proves the large instance
optimal; CBC stays available (``solver="cbc"``) as a second opinion.

Explanations: the years in which the debt ceiling binds; the value of one more percentage point
of ceiling, found by re-solving with the ceiling + 0.01 (not from duals: with integer choices
a dual is not a price); deferrals against the planned programme; and a greedy rule (defer the
latest-needed project a year at a time until the ceiling holds) solved on the same coefficients,
so finance sees what optimisation buys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ltsim import pipeline
from ltsim.optimize.coefficients import (
    Cell,
    Coefficients,
    HousingOption,
    Option,
    build,
    candidates_of,
    movable_developments,
)
from ltsim.optimize.coefficients import optimize_spec as _spec
from ltsim.optimize.evaluation import (
    BREACH_TOLERANCE,
    TOLERANCE,
    Solution,
    evaluate,
    predicted,
    reachable_cells,
    shortfall_limits,
)
from ltsim.optimize.heuristics import (
    chosen_move,
    greedy,
    housing_ready,
    housing_start,
    planned_schedule,
    warm_start_schedule,
)
from ltsim.optimize.milp import DEFAULT_FORMULATION, FORMULATIONS, SequencingModel, solve_milp
from ltsim.optimize.solvers import DEFAULT_SOLVER, SOLVERS
from ltsim.scenario import Scenario

_Model = SequencingModel  # benchmarks/bench_optimize.py switches _Model.cap_cover

__all__ = [
    "BREACH_TOLERANCE",
    "DEFAULT_FORMULATION",
    "DEFAULT_SOLVER",
    "FORMULATIONS",
    "SOLVERS",
    "TOLERANCE",
    "Cell",
    "Coefficients",
    "HousingOption",
    "Option",
    "SequencingModel",
    "Solution",
    "build",
    "candidates_of",
    "chosen_move",
    "evaluate",
    "greedy",
    "housing_ready",
    "housing_start",
    "movable_developments",
    "planned_schedule",
    "predicted",
    "reachable_cells",
    "shortfall_limits",
    "solve_milp",
    "warm_start_schedule",
]

MAX_REPAIRS = 8
MAX_CONFIDENCE_ROUNDS = 6


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    """The optimal schedule, how it was found, and what it means."""

    solution: Solution
    coefficients: Coefficients
    solver: str
    repairs: int
    ceilings: np.ndarray  # [Y] ceiling per year after repairs, with the chosen housing's revenue (NOK million)
    binding_years: tuple[int, ...]
    value_of_one_point: float | None  # change in the objective with the ceiling + 1 pp
    value_of_one_point_place_years: float | None
    greedy: Solution | None
    plan: Solution
    verified_debt_mnok: np.ndarray
    predicted_debt_mnok: np.ndarray
    optimized: Any  # the pipeline RunResult of the chosen schedule
    overrides: dict[str, Any]
    effects: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)  # see choice_effects
    confidence: dict[str, Any] | None = None  # with optimize.confidence: the Monte Carlo check (see optimize)


# ------------------------------------------------------------------------------------------ driver


def choice_effects(co: Coefficients, solution: Solution, ceilings: np.ndarray) -> dict[tuple[str, int], dict[str, Any]]:
    """What each move of the optimum costs and saves, all else as optimised (on the coefficients).

    For every candidate project not at its plan start (key ``("project", p)``) and every housing
    development moved (``("housing", d)``), the move is put back — the project to its plan start
    (the plan's variant of its group), the development as the scenario sets it (or, if it waits for
    a project the optimum defers, its first start once the project is in service) — and the two
    schedules compared: ``place_years_short`` (unmet place-years the move adds; negative: saves),
    ``headroom_gained_mnok`` / ``headroom_year`` (the most the move frees under the debt ceiling in
    any year, NOK million, and that year; 0 if it frees nothing), ``headroom_lost_mnok`` /
    ``headroom_lost_year`` (the most it uses up: a deferred development brings less revenue, so a
    lower ceiling, in its early years), ``interest_saved_mnok`` (over the horizon).
    """
    data = co.scenario.projects

    def figures(chosen: dict[int, Option | None], housing: dict[int, HousingOption]) -> tuple[Solution, np.ndarray]:
        sol = evaluate(co, chosen, ceilings, housing)
        debt, ceiling = predicted(co, sol, ceilings)
        return sol, ceiling - debt

    def compare(cf_chosen: dict[int, Option | None], cf_housing: dict[int, HousingOption]) -> dict[str, Any]:
        other, other_room = figures(cf_chosen, cf_housing)
        gained = room - other_room
        best, worst = int(np.argmax(gained)), int(np.argmin(gained))
        return {
            "place_years_short": ours.unmet_place_years - other.unmet_place_years,
            "headroom_gained_mnok": max(0.0, float(gained[best])),
            "headroom_year": int(co.years[best]) if gained[best] > 0 else None,
            "headroom_lost_mnok": max(0.0, -float(gained[worst])),
            "headroom_lost_year": int(co.years[worst]) if gained[worst] < 0 else None,
            "interest_saved_mnok": other.interest_mnok - ours.interest_mnok,
        }

    ours, room = figures(solution.chosen, solution.housing)
    plan = planned_schedule(co)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for p in co.candidates:
        if solution.chosen.get(p) is plan.get(p):
            continue
        cf = dict(solution.chosen)
        group = data.exclusive_group[p]
        for q in co.candidates:
            if q == p or (group is not None and data.exclusive_group[q] == group):
                cf[q] = plan.get(q)
        out[("project", p)] = compare(cf, solution.housing)
    back = housing_start(co, solution.chosen)
    for d, h in solution.housing.items():
        if back[d] is h:
            continue
        out[("housing", d)] = compare(solution.chosen, {**solution.housing, d: back[d]})
    return out


def overrides_for(co: Coefficients, solution: Solution) -> dict[str, Any]:
    """The schedule as scenario overrides: ``projects.defer``/``exclude``/``variants`` (+ ``population.housing.defer``)."""
    data = co.scenario.projects
    defer = dict(co.scenario.config.projects.defer)
    exclude = list(co.scenario.config.projects.exclude)
    variants = dict(co.scenario.config.projects.variants)
    for p, o in solution.chosen.items():
        pid = data.ids[p]
        if o is None:
            if data.exclusive_group[p] is None and pid not in exclude:
                exclude.append(pid)
            continue
        total = defer.get(pid, 0) + o.start_year - int(data.planned_start_year[p])
        if total:
            defer[pid] = total
        else:
            defer.pop(pid, None)
        if data.exclusive_group[p] is not None:
            variants[data.exclusive_group[p]] = pid
    out: dict[str, Any] = {"projects": {"defer": defer, "exclude": exclude, "variants": variants}}
    if co.developments:
        housing = co.scenario.config.population.housing
        assert housing is not None
        moved = dict(housing.defer)
        rules: dict[str, Any] = {}
        for d, h in solution.housing.items():
            dev = co.developments[d]
            if dev in housing.conditions:  # under sequencing rules: the year release may start
                if h.shift_years:
                    rules[dev] = {"not_before": h.first_year}
                continue
            total = moved.get(dev, 0) + h.shift_years
            if total:
                moved[dev] = total
            else:
                moved.pop(dev, None)
        out["population"] = {"housing": {"defer": moved, **({"conditions": rules} if rules else {})}}
    return out


def run_schedule(scenario: Scenario, overrides: dict[str, Any], name_suffix: str = "-optimized") -> Any:
    """Run the normal pipeline on the scenario with the schedule's overrides laid over it.

    As planned, without drawn delays even where the scenario's projects are stochastic: the schedule
    was chosen on the plan, and the check against the MILP must compare like with like (a Monte
    Carlo of the result, ``ltsim optimize --reps``, draws them).
    """
    return pipeline.run(_with_overrides(scenario, overrides, scenario.name + name_suffix), stochastic=False)


def _with_overrides(scenario: Scenario, overrides: dict[str, Any], name: str | None = None) -> Scenario:
    """The scenario with ``overrides`` laid over it (and renamed), validated and loaded again.

    The resolved scenario (merged, absolute table paths) is the base: a scenario made by a batch
    has no file of its own to reload.
    """
    from ltsim.io.yamlsrc import deep_merge
    from ltsim.scenario import scenario_from_data

    merged, mmap = deep_merge(scenario.resolved(), {}, overrides, {})
    merged = dict(merged)
    if name is not None:
        merged["name"] = name
    return scenario_from_data(merged, mmap, scenario.file)


def with_housing_moves(scenario: Scenario) -> Scenario:
    """The scenario with ``optimize.housing`` switched on (its defaults) if it is not already."""
    if _spec(scenario).housing is not None:
        return scenario
    return _with_overrides(scenario, {"optimize": {"housing": {}}})


@dataclass(slots=True)
class _Checked:
    """A schedule solved, run through the full pipeline and compared with the ceiling."""

    solution: Solution
    overrides: dict[str, Any]
    optimized: Any
    ceilings: np.ndarray
    debt: np.ndarray
    ceiling: np.ndarray
    excess: np.ndarray
    fixable: np.ndarray
    repairs: int


def _solve_checked(
    scenario: Scenario,
    co: Coefficients,
    ceilings: np.ndarray,
    solver: str,
    time_limit: float | None,
    gap: float | None,
) -> _Checked:
    """Solve, run the chosen schedule through the pipeline, tighten where the finance model breaks the ceiling."""
    spec = _spec(scenario)
    repairs = 0
    while True:
        solution = solve_milp(co, ceilings, solver, time_limit, gap)
        overrides = overrides_for(co, solution)
        optimized = run_schedule(scenario, overrides)
        debt, ceiling = predicted(co, solution, ceilings)
        excess = optimized.finance.net_debt_mnok - spec.debt_ratio_ceiling * optimized.finance.revenue_mnok
        fixable = (excess > 1e-3) & (debt <= ceiling + 1e-6)
        if not fixable.any() or repairs >= MAX_REPAIRS:
            return _Checked(solution, overrides, optimized, ceilings, debt, ceiling, excess, fixable, repairs)
        # the predicted debt must come down by the excess: tighten by it plus the slack the schedule had
        ceilings = ceilings - np.where(fixable, (ceiling - debt) + excess + 1e-3, 0.0)
        repairs += 1


def _debt_ratio_draws(scenario: Scenario, optimized: Any, reps: int, workers: int | None) -> np.ndarray:
    """Debt ratio [fraction] of the optimised plan in ``reps`` Monte Carlo replications [R, Y]."""
    from ltsim.montecarlo import run_montecarlo

    mc = run_montecarlo(optimized.scenario, optimized.population.persons, reps, scenario.config.seed, workers)
    assert mc.kpi_values is not None
    return mc.kpi_values[:, mc.kpi_names.index("debt_ratio_pct"), :] / 100.0


def optimize(
    scenario: Scenario,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float | None = None,
    workers: int | None = None,
) -> OptimizeResult:
    """Find the schedule (see the module docstring), check it with the full pipeline, explain it.

    With ``optimize.confidence`` the optimised plan is then run ``confidence_reps`` times with drawn
    delays and overruns; where the debt ratio's ``confidence`` quantile is above the ceiling in a
    year the MILP keeps under it, that year's ceiling is lowered by the excess (plus the schedule's
    slack there, so the schedule must change) and the schedule solved and checked again (at most
    ``MAX_CONFIDENCE_ROUNDS`` times): the ceiling then holds with that probability in every year it
    can; ``confidence`` in the result gives the probability per year. ``workers``: processes for
    those replications.
    """
    spec = _spec(scenario)
    co = build(scenario)
    checked = _solve_checked(scenario, co, spec.debt_ratio_ceiling * co.revenue_mnok, solver, time_limit, gap)
    repairs = checked.repairs
    confidence = None
    if spec.confidence is not None:
        rounds = 0
        while True:
            draws = _debt_ratio_draws(scenario, checked.optimized, spec.confidence_reps, workers)
            quantile = np.quantile(draws, spec.confidence, axis=0)
            over = quantile - spec.debt_ratio_ceiling
            lower = (over > 1e-6) & (checked.debt <= checked.ceiling + 1e-6)
            if not lower.any() or rounds >= MAX_CONFIDENCE_ROUNDS:
                break
            revenue = checked.optimized.finance.revenue_mnok
            slack = checked.ceiling - checked.debt  # as in the repairs: the schedule must change
            ceilings = checked.ceilings - np.where(lower, slack + over * revenue + 1e-3, 0.0)
            checked = _solve_checked(scenario, co, ceilings, solver, time_limit, gap)
            repairs += checked.repairs
            rounds += 1
        within = (draws <= spec.debt_ratio_ceiling + 1e-9).mean(axis=0)
        confidence = {
            "target": spec.confidence,
            "reps": spec.confidence_reps,
            "rounds": rounds,
            "years": [int(y) for y in co.years],
            "probability_within_ceiling": [float(v) for v in within],
            "debt_ratio_quantile_pct": [float(v) * 100.0 for v in quantile],
            "short_of_target_years": [int(y) for y, v in zip(co.years, within, strict=True) if v < spec.confidence],
        }
    solution, overrides, optimized = checked.solution, checked.overrides, checked.optimized
    ceilings, debt, ceiling = checked.ceilings, checked.debt, checked.ceiling
    verified = optimized.finance.net_debt_mnok
    # The debt rule as the finance model finds it on the chosen schedule (the MILP's own rows were against
    # ceilings tightened by the repairs and the confidence rounds): every year over, none that is not.
    solution.breaches = [b for b in solution.breaches if b["rule"] != "debt_ratio"] + [
        {"rule": "debt_ratio", "year": int(co.years[t]), "excess": float(checked.excess[t])}
        for t in np.flatnonzero(checked.excess > BREACH_TOLERANCE)
    ]

    binding = tuple(int(y) for t, y in enumerate(co.years) if debt[t] >= ceiling[t] - max(1e-6, 1e-7 * abs(ceiling[t])))
    value = value_pp = None
    try:
        looser = solve_milp(
            co,
            ceilings + 0.01 * co.revenue_mnok,
            solver,
            time_limit,
            gap,
            ceiling_ratio=spec.debt_ratio_ceiling + 0.01,
        )
        value = looser.objective - solution.objective
        value_pp = looser.unmet_place_years - solution.unmet_place_years
    except RuntimeError:
        pass
    plan = evaluate(co, planned_schedule(co), ceilings)
    rule = greedy(co, ceilings)
    return OptimizeResult(
        solution=solution,
        coefficients=co,
        solver=solver,
        repairs=repairs,
        ceilings=ceiling,
        binding_years=binding,
        value_of_one_point=value,
        value_of_one_point_place_years=value_pp,
        greedy=rule,
        plan=plan,
        verified_debt_mnok=verified,
        predicted_debt_mnok=debt,
        optimized=optimized,
        overrides=overrides,
        effects=choice_effects(co, solution, ceilings),
        confidence=confidence,
    )
