"""``optimize``: solve, check with the full pipeline, repair, hold the ceiling with confidence, explain.

The MILP adds marginal paths (superposition), but the finance model is not linear everywhere
(the § 14-18 minimum, a year's borrowing spread over asset lives). So every solution is run
through the full pipeline: where the real debt ratio breaks the ceiling in a year the MILP kept
under it, that year's ceiling is tightened by the excess plus the slack the schedule had there
(so the schedule must change) and the MILP re-solved, at most ``MAX_REPAIRS`` times.

With ``optimize.confidence`` the optimised plan is then run by Monte Carlo (the scenario's delay
and overrun distributions); where the debt ratio's quantile breaks the ceiling in a year the MILP
keeps under it, that year's ceiling is lowered the same way and the schedule solved and checked
again, at most ``MAX_CONFIDENCE_ROUNDS`` times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ltsim import pipeline
from ltsim.optimize.answer import answer
from ltsim.optimize.coefficients import Coefficients, build, optimize_spec
from ltsim.optimize.evaluation import BREACH_TOLERANCE, Solution, evaluate, predicted, shortfall_limits_raised
from ltsim.optimize.explain import (
    binding_constraints,
    binding_years,
    ceiling_slack,
    choice_effects,
    value_of_one_point,
)
from ltsim.optimize.heuristics import greedy, planned_schedule
from ltsim.optimize.milp import SequencingModel, relaxation_active_years, solve_milp
from ltsim.optimize.replay import overrides_for, run_schedule
from ltsim.scenario import Scenario

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
    binding_years: tuple[int, ...]  # slack below explain.BINDING_TOLERANCE_PCT_POINTS (see slack_pct_points)
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
    # [Y] debt_ratio_ceiling · revenue − net debt of the chosen schedule in the finance model (NOK million) …
    slack_mnok: np.ndarray | None = None
    slack_pct_points: np.ndarray | None = None  # … and in percentage points of gross operating revenue
    relaxation_active_years: tuple[int, ...] | None = None  # debt rows tight in the LP relaxation (None: not solved)
    binding_constraints: list[dict[str, Any]] = field(default_factory=list)  # see explain.binding_constraints
    value_of_one_point_failure: str | None = None  # why the re-solve with one more point gave no value
    shortfall_limits_raised: list[dict[str, Any]] = field(default_factory=list)  # see shortfall_limits_raised
    notes: tuple[str, ...] = ()  # what the solvers did not do as asked (a refused warm start, no relaxation …)
    plan_run: Any = None  # the pipeline RunResult of the plan as written (no draws)
    answer: dict[str, Any] = field(default_factory=dict)  # plan vs optimised in the finance model (see answer)


@dataclass(slots=True)
class Checked:
    """A schedule solved, run through the full pipeline and compared with the ceiling."""

    solution: Solution
    overrides: dict[str, Any]
    optimized: Any
    ceilings: np.ndarray  # [Y] the ceilings the MILP was solved against (after repairs)
    debt: np.ndarray  # [Y] predicted (superposition)
    ceiling: np.ndarray  # [Y] the ceiling the schedule's revenue allows
    excess: np.ndarray  # [Y] the finance model's net debt − ratio · revenue
    fixable: np.ndarray  # [Y] over the ceiling in the pipeline, under it in the MILP
    repairs: int


def solve_checked(
    scenario: Scenario,
    coefficients: Coefficients,
    ceilings: np.ndarray,
    solver: str,
    time_limit: float | None,
    gap: float | None,
    model_class: type[SequencingModel] = SequencingModel,
    to_overrides: Callable[[Coefficients, Solution], dict[str, Any]] = overrides_for,
    start: dict[int, Any] | None = None,
    held_out: np.ndarray | None = None,
    learn_margin: bool = False,
    scout_gap: float | None = None,
) -> Checked:
    """Solve, run the chosen schedule through the pipeline, tighten where the finance model breaks the ceiling.

    A repair lowers the ceiling of each fixable year by (ceiling − debt) + excess + 0.001.
    ``model_class`` and ``to_overrides``: the MILP and how a solution becomes scenario overrides
    (``ltsim plan`` passes its own; ``scenario`` is then the one the overrides are laid over).
    ``start``: a schedule to warm-start the first solve from; with it, each repair starts from the
    schedule it repairs (``ltsim plan``, whose solves stop at a gap: a good start matters there).
    ``held_out`` [Y]: years no schedule can hold (their ceiling was raised to what is reachable); not repaired.
    ``learn_margin``: instead, every year's ceiling (but the held-out ones) is lowered by the largest
    superposition error (the finance model's net debt − the predicted, where positive) seen so far on
    a solved schedule. The error grows with the schedule's borrowing in every later year (the § 14-18
    minimum is a ratio), so lowering only the years that broke the ceiling moves the breach to the
    next year and costs a re-solve per year (Asker's plan: 4 repairs before, 1 with the margin).
    ``scout_gap`` (with ``learn_margin``): the first solve stops at this looser gap and serves only to
    learn the margin (a schedule near the optimum borrows about as much); the answer is then solved
    at ``gap`` on the lowered ceilings. Asker's plan: the scout at 2 % takes ~1.5 s of the ~5 s a
    0.5 % solve takes, and the answer usually needs no repair.
    """
    spec = optimize_spec(scenario)
    asked = ceilings.copy()
    margin = np.zeros_like(asked)
    keep = np.ones(len(asked), dtype=bool) if held_out is None else ~held_out

    def learn(debt: np.ndarray, net_debt_mnok: np.ndarray) -> np.ndarray:
        """The ceilings lowered by the largest superposition error seen so far."""
        nonlocal margin
        margin = np.maximum(margin, np.where(keep, net_debt_mnok - debt, 0.0))
        return asked - margin - np.where(margin > 0, 1e-3, 0.0)

    if learn_margin and scout_gap is not None and (gap is None or scout_gap > gap):
        scout = solve_milp(coefficients, ceilings, solver, time_limit, scout_gap, model_class=model_class, start=start)
        if start is not None:
            start = scout.chosen
        scouted = run_schedule(scenario, to_overrides(coefficients, scout))
        ceilings = np.minimum(
            ceilings, learn(predicted(coefficients, scout, ceilings)[0], scouted.finance.net_debt_mnok)
        )
    repairs = 0
    while True:
        solution = solve_milp(coefficients, ceilings, solver, time_limit, gap, model_class=model_class, start=start)
        if start is not None:
            start = solution.chosen
        overrides = to_overrides(coefficients, solution)
        optimized = run_schedule(scenario, overrides)
        debt, ceiling = predicted(coefficients, solution, ceilings)
        excess = optimized.finance.net_debt_mnok - spec.debt_ratio_ceiling * optimized.finance.revenue_mnok
        fixable = (excess > 1e-3) & (debt <= ceiling + 1e-6) & keep
        if not fixable.any() or repairs >= MAX_REPAIRS:
            return Checked(solution, overrides, optimized, ceilings, debt, ceiling, excess, fixable, repairs)
        # the predicted debt must come down by the excess: tighten by it plus the slack the schedule had
        tightened = ceilings - np.where(fixable, (ceiling - debt) + excess + 1e-3, 0.0)
        if learn_margin:
            learned = learn(debt, optimized.finance.net_debt_mnok)
            # a breached year the margin does not lower (its error did not grow) takes the repair above
            tightened = np.where(fixable & (learned >= ceilings - 1e-6), tightened, np.minimum(learned, ceilings))
        ceilings = tightened
        repairs += 1


def _debt_ratio_draws(scenario: Scenario, optimized: Any, reps: int, workers: int | None) -> np.ndarray:
    """Debt ratio [fraction] of the optimised plan in ``reps`` Monte Carlo replications [R, Y]."""
    from ltsim.montecarlo import run_montecarlo

    mc = run_montecarlo(optimized.scenario, optimized.population.persons, reps, scenario.config.seed, workers)
    assert mc.kpi_values is not None
    return mc.kpi_values[:, mc.kpi_names.index("debt_ratio_pct"), :] / 100.0


def _hold_with_confidence(
    scenario: Scenario,
    coefficients: Coefficients,
    checked: Checked,
    solver: str,
    time_limit: float | None,
    gap: float | None,
    workers: int | None,
) -> tuple[Checked, int, dict[str, Any]]:
    """Lower the ceiling where the debt ratio's quantile breaks it, re-solve: the schedule, its repairs, the check.

    A round lowers each such year's ceiling by (ceiling − debt) + (quantile − ratio) · revenue + 0.001.
    """
    spec = optimize_spec(scenario)
    repairs = 0
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
        checked = solve_checked(scenario, coefficients, ceilings, solver, time_limit, gap)
        repairs += checked.repairs
        rounds += 1
    within = (draws <= spec.debt_ratio_ceiling + 1e-9).mean(axis=0)
    years = coefficients.years
    confidence = {
        "target": spec.confidence,
        "reps": spec.confidence_reps,
        "rounds": rounds,
        "years": [int(y) for y in years],
        "probability_within_ceiling": [float(v) for v in within],
        "debt_ratio_quantile_pct": [float(v) * 100.0 for v in quantile],
        "short_of_target_years": [int(y) for y, v in zip(years, within, strict=True) if v < spec.confidence],
    }
    return checked, repairs, confidence


def optimize(
    scenario: Scenario,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float | None = None,
    workers: int | None = None,
) -> OptimizeResult:
    """Find the schedule (see the package docstring), check it with the full pipeline, explain it.

    With ``optimize.confidence`` the optimised plan is then run ``confidence_reps`` times with drawn
    delays and overruns; where the debt ratio's ``confidence`` quantile is above the ceiling in a
    year the MILP keeps under it, that year's ceiling is lowered by the excess (plus the schedule's
    slack there, so the schedule must change) and the schedule solved and checked again (at most
    ``MAX_CONFIDENCE_ROUNDS`` times): the ceiling then holds with that probability in every year it
    can; ``confidence`` in the result gives the probability per year. ``workers``: processes for
    those replications.
    """
    spec = optimize_spec(scenario)
    coefficients = build(scenario)
    checked = solve_checked(
        scenario, coefficients, spec.debt_ratio_ceiling * coefficients.revenue_mnok, solver, time_limit, gap
    )
    repairs = checked.repairs
    confidence = None
    if spec.confidence is not None:
        checked, more_repairs, confidence = _hold_with_confidence(
            scenario, coefficients, checked, solver, time_limit, gap, workers
        )
        repairs += more_repairs
    solution, overrides, optimized = checked.solution, checked.overrides, checked.optimized
    ceilings, debt, ceiling = checked.ceilings, checked.debt, checked.ceiling
    # The debt rule as the finance model finds it on the chosen schedule (the MILP's own rows were against
    # ceilings tightened by the repairs and the confidence rounds): every year over, none that is not.
    solution.breaches = [b for b in solution.breaches if b["rule"] != "debt_ratio"] + [
        {"rule": "debt_ratio", "year": int(coefficients.years[t]), "excess": float(checked.excess[t])}
        for t in np.flatnonzero(checked.excess > BREACH_TOLERANCE)
    ]
    value, value_place_years, value_failure = value_of_one_point(
        coefficients, solution, ceilings, solver, time_limit, gap
    )
    fin = optimized.finance
    slack_mnok, slack_pct = ceiling_slack(spec.debt_ratio_ceiling, fin.net_debt_mnok, fin.revenue_mnok)
    active, relaxation_failure = relaxation_active_years(coefficients, ceilings, solver, time_limit)
    notes = [*solution.notes, *([relaxation_failure] if relaxation_failure else [])]
    effects = choice_effects(coefficients, solution, ceilings)
    plan_run = pipeline.run(scenario, stochastic=False)
    return OptimizeResult(
        solution=solution,
        coefficients=coefficients,
        solver=solver,
        repairs=repairs,
        ceilings=ceiling,
        binding_years=binding_years(coefficients.years, slack_pct),
        value_of_one_point=value,
        value_of_one_point_place_years=value_place_years,
        greedy=greedy(coefficients, ceilings),
        plan=evaluate(coefficients, planned_schedule(coefficients), ceilings),
        verified_debt_mnok=optimized.finance.net_debt_mnok,
        predicted_debt_mnok=debt,
        optimized=optimized,
        overrides=overrides,
        effects=effects,
        confidence=confidence,
        slack_mnok=slack_mnok,
        slack_pct_points=slack_pct,
        relaxation_active_years=active,
        binding_constraints=binding_constraints(coefficients.years, slack_mnok, slack_pct, active),
        value_of_one_point_failure=value_failure,
        shortfall_limits_raised=shortfall_limits_raised(coefficients),
        notes=tuple(notes),
        plan_run=plan_run,
        answer=answer(coefficients, solution, effects, plan_run, optimized),
    )
