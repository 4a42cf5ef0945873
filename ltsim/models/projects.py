"""Investment projects as SimPy processes: phases, dependencies, shared delivery capacity.

Time is in years from 1 January of the base year. Each included project is one process:

1. wait until every project it depends on is complete;
2. wait until its planned start (never before its earliest start);
3. take a slot of the organisation's delivery capacity (if the project counts as large
   and a capacity is set) — slots are granted first come, first served;
4. run through its phases (planning, regulation, procurement, construction), each lasting
   its planned duration plus a drawn delay (0 in deterministic mode);
5. complete: release the slot; its capacity is in use from ``completion_year =
   base_year + ceil(completion time)`` (a project finished during 2026 serves from 2027).

Spend: where the plan gives a yearly spend profile, it is kept and shifted by the
project's completion delay (fractional shifts split between two years); otherwise each
phase's share of the cost is spread evenly over the phase's actual time. Both are scaled
by the drawn cost factor.

SimPy: Team SimPy, *SimPy documentation* — processes are generators, ``Resource``
requests queue first in, first out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import simpy

PHASES: tuple[str, ...] = ("planning", "regulation", "procurement", "construction")
NOT_BUILT = -1
NO_DRAW, TRIANGULAR, LOGNORMAL = 0, 1, 2  # kinds of distribution in :class:`Distributions`


@dataclass(frozen=True, slots=True)
class ProjectInputs:
    """The catalogue on the model grid (P projects, 4 phases, Y spend years).

    Attributes
    ----------
    base_year : year at time 0 (1 January).
    n_years : number of spend years (base_year … base_year + n_years − 1).
    included : [P] False for projects not built in this scenario (excluded variants, dropped).
    planned_start : [P] start time [years from 1 January base_year].
    earliest_start : [P] earliest start time [years].
    phase_years : [P, 4] planned phase durations [years].
    phase_cost_share : [P, 4] share of the cost spent in each phase (rows sum to 1).
    gross_cost_mnok : [P] gross cost in fixed prices [NOK million].
    plan_spend_mnok : [P, Y] the plan's yearly spend (NaN rows where the plan gives none).
    depends_on : per project, the indices of projects that must complete before it starts.
    large : [P] True for projects that occupy a delivery slot.
    delivery_capacity : number of large projects that can run at once (0 = no limit).
    plan_shift_years : [P] years by which ``planned_start`` was moved from the plan the spend
        profile belongs to (a deferral; default 0). The plan's spend moves with it.
    """

    base_year: int
    n_years: int
    included: np.ndarray
    planned_start: np.ndarray
    earliest_start: np.ndarray
    phase_years: np.ndarray
    phase_cost_share: np.ndarray
    gross_cost_mnok: np.ndarray
    plan_spend_mnok: np.ndarray
    depends_on: tuple[tuple[int, ...], ...]
    large: np.ndarray
    delivery_capacity: int
    plan_shift_years: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Distributions:
    """Distribution of each project's phase delays ([P, 4]) and cost factor ([P]).

    ``kind`` is 0 (none), 1 (triangular: extra months low/mode/high in ``a``, ``b``, ``c``) or
    2 (log-normal factor on the duration: median, sigma in ``a``, ``b``). For the cost,
    triangular gives the factor itself and log-normal ``median · exp(sigma · Z)``.
    """

    phase_kind: np.ndarray
    phase_a: np.ndarray
    phase_b: np.ndarray
    phase_c: np.ndarray
    cost_kind: np.ndarray
    cost_a: np.ndarray
    cost_b: np.ndarray
    cost_c: np.ndarray


@dataclass(frozen=True, slots=True)
class ProjectRun:
    """One simulated run: times [years], completion years and spend [NOK million]."""

    start: np.ndarray  # [P] time the first phase starts (NaN if not built)
    phase_start: np.ndarray  # [P, 4]
    completion: np.ndarray  # [P] completion time (NaN if not built)
    completion_year: np.ndarray  # [P] first year in service (−1 if not built)
    cost_mnok: np.ndarray  # [P] gross cost after overrun (0 if not built)
    spend_mnok: np.ndarray  # [P, Y] spend per year within the horizon
    spend_after_horizon_mnok: np.ndarray  # [P]


def simulate(
    inputs: ProjectInputs, delay_years: np.ndarray | None = None, cost_factor: np.ndarray | None = None
) -> ProjectRun:
    """Run the projects through their phases in SimPy and allocate spend to years.

    ``delay_years`` [P, 4] is added to each phase's duration (default 0);
    ``cost_factor`` [P] multiplies the gross cost (default 1).
    """
    n = len(inputs.gross_cost_mnok)
    delays = np.zeros((n, len(PHASES))) if delay_years is None else delay_years
    durations = np.maximum(inputs.phase_years + delays, 0.0)
    phase_start = np.full((n, len(PHASES)), np.nan)
    completion = np.full(n, np.nan)

    first = float(min(0.0, np.min(np.maximum(inputs.planned_start, inputs.earliest_start), initial=0.0)))
    env = simpy.Environment(initial_time=first)  # projects under way before the base year start earlier
    slots = simpy.Resource(env, capacity=inputs.delivery_capacity) if inputs.delivery_capacity > 0 else None
    done: dict[int, simpy.Event] = {p: env.event() for p in range(n)}

    def run(p: int):  # noqa: ANN202 — a SimPy process
        deps = [done[d] for d in inputs.depends_on[p]]
        if deps:
            yield env.all_of(deps)
        start = max(env.now, float(inputs.planned_start[p]), float(inputs.earliest_start[p]))
        if start > env.now:
            yield env.timeout(start - env.now)
        request = None
        if slots is not None and inputs.large[p]:
            request = slots.request()
            yield request
        for k in range(len(PHASES)):
            phase_start[p, k] = env.now
            if durations[p, k] > 0:
                yield env.timeout(durations[p, k])
        completion[p] = env.now
        if request is not None:
            slots.release(request)  # type: ignore[union-attr]
        done[p].succeed()

    order = sorted(np.flatnonzero(inputs.included), key=lambda p: (inputs.planned_start[p], p))
    for p in order:
        env.process(run(int(p)))
    env.run()

    built = inputs.included & ~np.isnan(completion)
    completion_year = np.full(n, NOT_BUILT, dtype=np.int64)
    completion_year[built] = inputs.base_year + np.ceil(completion[built] - 1e-9).astype(np.int64)
    factor = np.ones(n) if cost_factor is None else cost_factor
    cost = np.where(built, inputs.gross_cost_mnok * factor, 0.0)

    planned = plan_completion(inputs)
    shift = completion - planned
    if inputs.plan_shift_years is not None:
        shift = shift + inputs.plan_shift_years
    spend, after = allocate_spend(inputs, phase_start, durations, shift, cost)
    spend[~built] = 0.0
    after[~built] = 0.0
    start = np.where(built, phase_start[:, 0], np.nan)
    return ProjectRun(
        start=start,
        phase_start=phase_start,
        completion=completion,
        completion_year=completion_year,
        cost_mnok=cost,
        spend_mnok=spend,
        spend_after_horizon_mnok=after,
    )


def plan_completion(inputs: ProjectInputs) -> np.ndarray:
    """Completion time of each project as planned: start + Σ phase durations (no waiting) [years]."""
    start = np.maximum(inputs.planned_start, inputs.earliest_start)
    return start + inputs.phase_years.sum(axis=1)


def year_overlap(start: np.ndarray, end: np.ndarray, n_years: int) -> np.ndarray:
    """Share of each interval [start, end) falling in year i = [i, i+1), for i < n_years.

    Zero-length intervals put everything in the year of ``start``. Returns [..., n_years].

    >>> year_overlap(np.array([0.5]), np.array([2.5]), 4).round(3).tolist()
    [[0.25, 0.5, 0.25, 0.0]]
    >>> year_overlap(np.array([1.0]), np.array([1.0]), 3).tolist()
    [[0.0, 1.0, 0.0]]
    """
    edges = np.arange(n_years)
    s = start[..., None]
    e = end[..., None]
    length = np.maximum(e - s, 0.0)
    inside = np.clip(np.minimum(e, edges + 1) - np.maximum(s, edges), 0.0, None)
    point = (length == 0) & (np.floor(s) == edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(length > 0, inside / np.where(length > 0, length, 1.0), point.astype(float))
    return share


def shift_profile(profile: np.ndarray, shift_years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each row of a yearly profile later by a (fractional, ≥ 0 or < 0) number of years.

    Spend in year i moves to i + shift: ``floor`` gets (1 − frac), the next year frac.
    Returns (shifted profile [P, Y], amount pushed beyond the last year [P]); amounts pushed
    before the first year land in the first year.

    >>> shift_profile(np.array([[10.0, 20.0, 0.0, 0.0]]), np.array([1.5]))[0].tolist()
    [[0.0, 5.0, 15.0, 10.0]]
    """
    n_rows, n_years = profile.shape
    out = np.zeros((n_rows, n_years))
    after = np.zeros(n_rows)
    whole = np.floor(shift_years).astype(np.int64)
    frac = shift_years - whole
    for part, offset in ((1.0 - frac, 0), (frac, 1)):
        target = np.arange(n_years)[None, :] + (whole + offset)[:, None]
        amount = profile * part[:, None]
        beyond = target >= n_years
        after += np.where(beyond, amount, 0.0).sum(axis=1)
        rows = np.repeat(np.arange(n_rows)[:, None], n_years, axis=1)
        np.add.at(out, (rows[~beyond], np.clip(target[~beyond], 0, None)), amount[~beyond])
    return out, after


def allocate_spend(
    inputs: ProjectInputs, phase_start: np.ndarray, durations: np.ndarray, delay: np.ndarray, cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Spend per project and year [P, Y] and spend after the horizon [P] (see module docstring)."""
    n_years = inputs.n_years
    ends = phase_start + durations
    # the grid runs to the last phase end, so every krone spent after the horizon is counted in ``after``
    span = max(n_years, math.ceil(float(np.nanmax(ends, initial=0.0)))) + 1
    share = year_overlap(np.nan_to_num(phase_start), np.nan_to_num(ends), span)  # [P, 4, span]
    by_phase = share * (inputs.phase_cost_share * cost[:, None])[:, :, None]
    phased = by_phase.sum(axis=1)
    spend = phased[:, :n_years].copy()
    after = phased[:, n_years:].sum(axis=1)

    has_plan = ~np.isnan(inputs.plan_spend_mnok).any(axis=1)
    if has_plan.any():
        plan = inputs.plan_spend_mnok[has_plan]
        totals = plan.sum(axis=1)
        scale = np.divide(cost[has_plan], totals, out=np.zeros_like(totals), where=totals > 0)
        shifted, pushed = shift_profile(plan * scale[:, None], np.nan_to_num(delay[has_plan]))
        spend[has_plan] = shifted
        after[has_plan] = pushed
    return spend, after


def draw_triangular(rng: np.random.Generator, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Triangular draws; where low == high the value is exact (numpy rejects a zero-width triangle)."""
    flat = high <= low
    safe_high = np.where(flat, low + 1.0, high)
    safe_mode = np.clip(mode, low, safe_high)
    draws = rng.triangular(low, safe_mode, safe_high)
    return np.where(flat, low, draws)


def draw(
    distributions: Distributions, phase_years: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One replication's phase delays and cost factors, drawn from each project's distributions.

    Parameters
    ----------
    distributions : the kind and parameters of each phase's delay [P, 4] and each cost factor [P].
    phase_years : [P, 4] planned phase durations [years].
    rng : the replication's generator.

    Returns
    -------
    delay_years : [P, 4] added to each phase's duration [years]. Triangular: the drawn extra
        months / 12. Log-normal: ``phase_years · (f − 1)`` with ``f = median · exp(sigma · Z)``.
        A phase with no planned duration (skipped, or done before the base year) gets 0.
    cost_factor : [P] multiplies the gross cost [–]: the triangular draw itself, or
        ``median · exp(sigma · Z)``; 1 where there is no distribution.

    The generator is called in a fixed order — triangular phases, log-normal phases, triangular
    costs, log-normal costs, each over its entries in row-major order — so a seed gives the
    same draws as long as the distributions are the same.
    """
    d = distributions
    base = phase_years
    n = base.shape[0]
    tri = d.phase_kind == TRIANGULAR
    logn = d.phase_kind == LOGNORMAL
    delay = np.zeros_like(base)
    if tri.any():
        delay[tri] = draw_triangular(rng, d.phase_a[tri], d.phase_b[tri], d.phase_c[tri]) / 12
    if logn.any():
        factor = d.phase_a[logn] * np.exp(d.phase_b[logn] * rng.standard_normal(int(logn.sum())))
        delay[logn] = base[logn] * (factor - 1.0)
    delay[base <= 0.0] = 0.0  # a phase that takes no time (skipped, or done before the base year) cannot slip
    cost = np.ones(n)
    ctri = d.cost_kind == TRIANGULAR
    clog = d.cost_kind == LOGNORMAL
    if ctri.any():
        cost[ctri] = draw_triangular(rng, d.cost_a[ctri], d.cost_b[ctri], d.cost_c[ctri])
    if clog.any():
        cost[clog] = d.cost_a[clog] * np.exp(d.cost_b[clog] * rng.standard_normal(int(clog.sum())))
    return delay, cost


def ceil_year(time_years: float) -> int:
    """Whole years after which a time falls (``ceil`` with a tolerance for float noise)."""
    return math.ceil(time_years - 1e-9)
