"""Optimal sequencing of deferrable projects (PuLP MILP): keep the debt ratio under its ceiling.

Decision: ``x[p, s] = 1`` if candidate project ``p`` starts in year ``s`` (one option per start
year in its window, planned start − ``max_advance_years`` … + ``max_deferral_years``, within
earliest start and latest completion). Candidates are the projects that are not mandatory and
have not started before the base year (``shift_mandatory`` adds the mandatory ones); the others
stay as the scenario plans them. With ``optimize.housing`` (``ltsim optimize --move-housing``)
housing completions are decisions too: ``h[d, k] = 1`` if development ``d`` is completed ``k``
years later than the programme (under sequencing rules: the year its release may start, waiting
for its projects by constraint).

Coefficients come from the pipeline's own models: the base (every candidate left out) and each
option's marginal debt, NDR, interest, spend, revenue and gap paths. The MILP adds the chosen
options' paths to the base (superposition); the finance model is not linear everywhere, so every
solution is run through the full pipeline and the ceiling tightened where it breaks (repairs),
and with ``optimize.confidence`` checked by Monte Carlo too.

Constraints (one method each): one start per candidate (or none where dropping is allowed),
exclusive variants, dependencies (start after the predecessor is in service), housing waits,
debt ≤ ceiling · revenue every year, optionally NDR ≥ floor · revenue, yearly spend ≤ a cap,
concurrent projects ≤ a cap, places short ≤ ``max_shortfall_places``. In elastic mode each rule
has a non-negative breach variable with a large penalty, so an impossible ceiling returns the
schedule with the smallest weighted breach and names the years and rules that cannot be met.

Objective: Σ weight_v · unmet place-years + deferral penalty · |start − planned| (+ the rest of
the horizon for a dropped project) + housing penalty · dwelling-years moved + cost weight ·
interest [NOK million] + breach penalty · rule breaches + shortfall penalty · place-years over a
shortfall limit (lower by default: the debt ceiling gives way last).

Defaults: the ``strengthened`` formulation with a warm start (the greedy rule's schedule) on
HiGHS; CBC is a second opinion. Timings are measured by benchmarks/bench_optimize.py
(``make bench``); the reasoning is in ``milp`` and ``solvers``.

Modules, one job each:

- ``coefficients``: ``Option``/``HousingOption``/``Cell``/``Coefficients``, ``build``;
- ``evaluation``: a schedule's figures (``predicted``, ``evaluate``, ``Solution``);
- ``heuristics``: the plan, the greedy rule, the warm start, housing starts;
- ``milp``: the model (``SequencingModel``), ``solve_milp`` and the LP relaxation's active debt rows;
- ``solvers``: HiGHS/CBC plumbing;
- ``explain``: what each move costs and saves, the ceiling's slack and binding years, the value of
  one more point (or why the re-solve failed);
- ``replay``: a schedule as scenario overrides, run through the pipeline;
- ``driver``: ``optimize`` with repairs and the confidence rounds, ``OptimizeResult``.
"""

from __future__ import annotations

from ltsim.optimize.coefficients import (
    Cell,
    Coefficients,
    HousingOption,
    Option,
    build,
    candidates_of,
    movable_developments,
)
from ltsim.optimize.driver import OptimizeResult, optimize
from ltsim.optimize.evaluation import (
    BREACH_TOLERANCE,
    TOLERANCE,
    Solution,
    evaluate,
    predicted,
    reachable_cells,
    shortfall_limits,
    shortfall_limits_raised,
)
from ltsim.optimize.explain import (
    BINDING_TOLERANCE_PCT_POINTS,
    binding_constraints,
    binding_years,
    ceiling_slack,
    choice_effects,
    value_of_one_point,
)
from ltsim.optimize.heuristics import (
    chosen_move,
    greedy,
    housing_ready,
    housing_start,
    planned_schedule,
    warm_start_schedule,
)
from ltsim.optimize.milp import (
    DEFAULT_FORMULATION,
    FORMULATIONS,
    SequencingModel,
    build_model,
    relaxation_active_years,
    solve_milp,
)
from ltsim.optimize.replay import overrides_for, run_schedule, with_housing_moves
from ltsim.optimize.solvers import DEFAULT_SOLVER, SOLVERS

_Model = SequencingModel  # the name benchmarks/bench_optimize.py switches cap_cover on

__all__ = [
    "BINDING_TOLERANCE_PCT_POINTS",
    "BREACH_TOLERANCE",
    "DEFAULT_FORMULATION",
    "DEFAULT_SOLVER",
    "FORMULATIONS",
    "SOLVERS",
    "TOLERANCE",
    "Cell",
    "Coefficients",
    "HousingOption",
    "OptimizeResult",
    "Option",
    "SequencingModel",
    "Solution",
    "binding_constraints",
    "binding_years",
    "build",
    "build_model",
    "candidates_of",
    "ceiling_slack",
    "choice_effects",
    "chosen_move",
    "evaluate",
    "greedy",
    "housing_ready",
    "housing_start",
    "movable_developments",
    "optimize",
    "overrides_for",
    "planned_schedule",
    "predicted",
    "reachable_cells",
    "relaxation_active_years",
    "run_schedule",
    "shortfall_limits",
    "shortfall_limits_raised",
    "solve_milp",
    "value_of_one_point",
    "warm_start_schedule",
    "with_housing_moves",
]
