"""Schedules found without the solver: the plan, the greedy rule, the warm start, housing starts.

The greedy rule (defer the latest-needed project a year at a time until the ceiling holds) is
solved on the same coefficients as the MILP, so finance sees what optimisation buys; made to
respect the dependencies it is the solver's warm start.
"""

from __future__ import annotations

import numpy as np

from ltsim.optimize.coefficients import Coefficients, HousingOption, Option
from ltsim.optimize.evaluation import TOLERANCE, Solution, evaluate

Schedule = dict[int, Option | None]  # candidate → its option (None: not built)
NEVER = 10**6  # the year a cell that is never short is first short: last needed of all


def planned_schedule(coefficients: Coefficients) -> Schedule:
    """The programme as written: each candidate at its planned start (the variant the scenario chose).

    A plan's optional builds are left out: the programme as written has none of them.
    """
    projects = coefficients.scenario.projects
    chosen: Schedule = {}
    for p in coefficients.candidates:
        if not projects.inputs.included[p] or p in coefficients.optional:
            chosen[p] = None  # a variant the scenario did not choose, or an excluded project
            continue
        opts = sorted(
            (o for o in coefficients.options if o.project == p),
            key=lambda o: (abs(o.deferral_years), o.deferral_years),
        )
        chosen[p] = opts[0] if opts else None
    return chosen


def greedy(coefficients: Coefficients, ceilings: np.ndarray) -> Solution:
    """Defer the latest-needed project by a year at a time until the debt ceiling holds.

    "Latest-needed": the candidate whose service zone is first short latest (never short = last
    needed of all); ties: the larger debt relief in the first breached year that a deferral can
    relieve (a year whose debt is already drawn is passed over). Stops when the ceiling holds or
    nothing more can be deferred.
    """
    options_of: dict[int, list[Option]] = {}
    for o in coefficients.options:
        options_of.setdefault(o.project, []).append(o)
    chosen = planned_schedule(coefficients)
    first_short = {}
    for c, cell in enumerate(coefficients.cells):
        short = np.flatnonzero(cell.gap > TOLERANCE)
        first_short[c] = int(coefficients.stock_years[short[0]]) if short.size else NEVER
    while True:
        debt = coefficients.debt_mnok + sum(
            (o.debt_mnok for o in chosen.values() if o is not None), np.zeros(len(coefficients.years))
        )
        over = np.flatnonzero(debt - ceilings > TOLERANCE)
        moves = []
        for t in over:  # the first breached year some deferral relieves (a year of drawn debt cannot be)
            for p, o in chosen.items():
                if o is None:
                    continue
                later = [q for q in options_of[p] if q.start_year == o.start_year + 1]
                if not later:
                    continue
                relief = o.debt_mnok[t] - later[0].debt_mnok[t]
                if relief <= TOLERANCE:
                    continue
                needed = min((first_short[c] for c in o.places), default=NEVER)
                moves.append((-needed, -relief, p, later[0]))
            if moves:
                break
        if not moves:
            break
        moves.sort(key=lambda m: (m[0], m[1]))
        _, _, p, deferred = moves[0]
        chosen[p] = deferred
    # housing under sequencing rules waits for its deferred projects, as the rules would make it
    return evaluate(
        coefficients, chosen, ceilings, housing_start(coefficients, chosen) if coefficients.housing_waits else None
    )


def warm_start_schedule(coefficients: Coefficients, ceilings: np.ndarray) -> Schedule | None:
    """The greedy rule's schedule made to respect the dependencies (a start for the solver), or None.

    A successor that would start before its predecessor is in service moves to its first start
    after; a candidate a fixed project waits for moves to its last option ready in time. None when
    no such move exists (the solver then starts from scratch).
    """
    projects = coefficients.scenario.projects
    chosen = dict(greedy(coefficients, ceilings).chosen)
    options_of: dict[int, list[Option]] = {}
    for o in coefficients.options:
        options_of.setdefault(o.project, []).append(o)
    for opts in options_of.values():
        opts.sort(key=lambda o: o.start_year)
    candidates = set(coefficients.candidates)
    for _ in range(len(coefficients.candidates) + 1):
        moved = False
        for f in range(len(projects.ids)):
            if f in candidates or not projects.inputs.included[f]:
                continue
            for a in projects.inputs.depends_on[f]:
                o = chosen.get(a)
                start_f = int(projects.planned_start_year[f])
                if a in candidates and (o is None or o.completion_year > start_f):
                    ready = [q for q in options_of.get(a, []) if q.completion_year <= start_f]
                    if not ready:
                        return None
                    chosen[a], moved = ready[-1], True
        for b in coefficients.candidates:
            o = chosen.get(b)
            if o is None:
                continue
            for a in projects.inputs.depends_on[b]:
                if a not in candidates:
                    continue
                predecessor = chosen.get(a)
                if predecessor is None:
                    return None
                if predecessor.completion_year > o.start_year:
                    later = [q for q in options_of[b] if q.start_year >= predecessor.completion_year]
                    if not later:
                        return None
                    chosen[b], moved = later[0], True
                    o = later[0]
        if not moved:
            return chosen
    return None


def chosen_move(coefficients: Coefficients, housing: dict[int, HousingOption], d: int) -> HousingOption:
    """Development ``d``'s move in ``housing``, or — where it has none — the option as the scenario sets it."""
    h = housing.get(d)
    if h is not None:
        return h
    return next(o for o in coefficients.housing_options if o.development == d and o.shift_years == 0)


def _waits_met(coefficients: Coefficients, chosen: Schedule, d: int, start: int) -> bool:
    """Whether every project development ``d`` waits for is in service by ``start`` under ``chosen``."""
    return all(
        chosen.get(p) is not None and chosen[p].completion_year <= start for p in coefficients.housing_waits.get(d, ())
    )


def housing_ready(coefficients: Coefficients, chosen: Schedule, housing: dict[int, HousingOption]) -> bool:
    """Whether every development under ``after_projects`` starts no earlier than its projects are in service."""
    return all(
        _waits_met(coefficients, chosen, d, chosen_move(coefficients, housing, d).first_year)
        for d in coefficients.housing_waits
    )


def housing_start(coefficients: Coefficients, chosen: Schedule) -> dict[int, HousingOption]:
    """A start for the housing variables given a project schedule.

    Each development as the scenario sets it, or — where it waits for a project the schedule
    completes later — its nearest start once the project is in service.
    """
    out: dict[int, HousingOption] = {}
    for d in range(len(coefficients.developments)):
        mine = sorted(
            (h for h in coefficients.housing_options if h.development == d),
            key=lambda h: (abs(h.shift_years), h.shift_years),
        )
        ready = [h for h in mine if _waits_met(coefficients, chosen, d, h.first_year)]
        out[d] = ready[0] if ready else mine[0]
    return out
