"""The MILP's coefficients, simulated by the pipeline's own models (one source of truth).

- the *base* is the scenario with every candidate left out: its population, demand, capacity
  (facility register + fixed projects), project spend and finance (net debt, NDR, revenue);
- each option ``(p, s)`` is simulated by the project model (completion year, spend profile),
  its capacity enters the ledger exactly as ``register_with_projects`` does, and the finance
  model is run on base + that option alone; its *marginal* debt, NDR, interest and spend paths
  are the option's coefficients;
- each housing option (a development moved by ``k`` years) is run through population,
  demand/capacity and finance against the programme as written; its marginal gap per (service,
  zone, year), debt, NDR and revenue paths are its coefficients.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ltsim import pipeline
from ltsim.models import finance as fin_model
from ltsim.models import housing as housing_model
from ltsim.models import population as pop_model
from ltsim.models import projects as proj_model
from ltsim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Option:
    """One start year of one candidate project and what it does."""

    project: int
    start_year: int
    completion_year: int
    deferral_years: int
    spend_mnok: np.ndarray  # [Y]
    debt_mnok: np.ndarray  # [Y] marginal net debt
    ndr_mnok: np.ndarray  # [Y] marginal netto driftsresultat
    interest_mnok: float  # marginal interest over the horizon
    places: dict[int, np.ndarray]  # cell → [U] usable places added
    cost_mnok: float = 0.0  # the objective's cost of this option beyond interest (``ltsim plan``: NPV of its cost)


@dataclass(frozen=True, slots=True)
class HousingOption:
    """One housing development moved by ``shift_years`` (0: as the programme sets it) and what that does.

    Marginal paths against the programme as written: net debt, NDR, gross operating revenue [Y]
    and, per cell, the change of the gap (places needed − usable capacity) [U].
    """

    development: int  # index into Coefficients.developments
    shift_years: int  # years later than as the scenario sets it (negative: earlier)
    dwelling_years: float  # Σ dwellings × years moved: the measure the penalty applies to
    debt_mnok: np.ndarray  # [Y]
    ndr_mnok: np.ndarray  # [Y]
    revenue_mnok: np.ndarray  # [Y]
    interest_mnok: float
    gap: dict[int, np.ndarray]  # cell → [U] change of the gap
    first_year: int = 0  # first year with completions (under sequencing rules: the year release may start)


@dataclass(frozen=True, slots=True)
class Cell:
    """A (service, zone) whose places can be short, with its base gap [U] and weight per place-year short.

    ``weight``: one number, or one per stock year [U] (``ltsim plan``: discounted NOK million).
    ``demand`` [U]: municipal places needed; ``capacity_written`` [U]: places with the catalogue as
    written (``ltsim plan``'s utilisation floor).
    """

    service: str
    zone: str
    gap: np.ndarray
    weight: float | np.ndarray
    demand: np.ndarray | None = None
    capacity_written: np.ndarray | None = None

    def weight_at(self, u: int) -> float:
        """The weight of one place short in stock year ``u``."""
        return float(self.weight if np.ndim(self.weight) == 0 else self.weight[u])


@dataclass(frozen=True, slots=True)
class Coefficients:
    """Everything the MILP needs, built once from the models."""

    scenario: Scenario
    years: np.ndarray  # [Y] budget years
    candidates: tuple[int, ...]
    options: tuple[Option, ...]
    revenue_mnok: np.ndarray  # [Y]
    debt_mnok: np.ndarray  # [Y] base net debt
    ndr_mnok: np.ndarray  # [Y]
    spend_mnok: np.ndarray  # [Y] base project spend
    cells: tuple[Cell, ...]
    stock_years: np.ndarray  # [U]
    fixed_under_way: np.ndarray  # [Y] fixed projects under way in each year
    plan_start: dict[int, int]  # candidate → start year in the plan as simulated (the reference for deferrals)
    build_s: float
    developments: tuple[str, ...] = ()  # housing developments the optimiser may move (optimize.housing)
    housing_options: tuple[HousingOption, ...] = ()
    housing_waits: dict[int, tuple[int, ...]] = field(default_factory=dict)  # development → candidates it waits for
    optional: frozenset[int] = frozenset()  # candidates that may be left out at no penalty (a plan's builds)
    # what ``derived`` has worked out from these coefficients (fresh for each object, also after dataclasses.replace)
    _derived: dict[Callable[[Coefficients], Any], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def derived(self, compute: Callable[[Coefficients], Any]) -> Any:
        """``compute(self)``, worked out once and kept with these coefficients.

        For figures the MILP, ``evaluate`` and brute force ask for again and again
        (``reachable_cells``, ``shortfall_limits``); the coefficients are frozen, so the value holds.
        """
        if compute not in self._derived:
            self._derived[compute] = compute(self)
        return self._derived[compute]


def optimize_spec(scenario: Scenario) -> Any:
    """The scenario's ``optimize:`` section; a ValueError if it, ``projects:`` or ``finance:`` is missing."""
    spec = scenario.config.optimize
    if spec is None:
        raise ValueError("the scenario has no 'optimize:' section (debt_ratio_ceiling, …)")
    if scenario.projects is None or scenario.config.finance is None:
        raise ValueError("optimising needs 'projects:' and 'finance:' sections")
    return spec


def _with_project(
    run: proj_model.ProjectRun, p: int, option_run: proj_model.ProjectRun | None
) -> proj_model.ProjectRun:
    """``run`` with project ``p`` taken from ``option_run`` (or left out when None)."""
    spend = run.spend_mnok.copy()
    completion = run.completion_year.copy()
    cost = run.cost_mnok.copy()
    if option_run is None:
        spend[p], completion[p], cost[p] = 0.0, proj_model.NOT_BUILT, 0.0
    else:
        spend[p], completion[p], cost[p] = (
            option_run.spend_mnok[p],
            option_run.completion_year[p],
            option_run.cost_mnok[p],
        )
    return dataclasses.replace(run, spend_mnok=spend, completion_year=completion, cost_mnok=cost)


def _simulate_alone(inputs: proj_model.ProjectInputs, p: int, start: int) -> proj_model.ProjectRun:
    """Project ``p`` alone, started on 1 January of ``start`` (its plan spend moves with it)."""
    n = len(inputs.gross_cost_mnok)
    planned = inputs.planned_start.copy()
    earliest = inputs.earliest_start.copy()
    shift = np.zeros(n) if inputs.plan_shift_years is None else inputs.plan_shift_years.copy()
    offset = start - inputs.base_year
    shift[p] += offset - planned[p]
    planned[p] = offset
    earliest[p] = min(earliest[p], offset)
    alone = dataclasses.replace(
        inputs,
        included=np.arange(n) == p,
        planned_start=planned,
        earliest_start=earliest,
        depends_on=tuple(() for _ in range(n)),
        delivery_capacity=0,
        plan_shift_years=shift,
    )
    return proj_model.simulate(alone)


def _same_finance_key(projects: Any, p: int, start: int) -> tuple[Any, ...] | None:
    """What a project's own simulation and its finance depend on, for a candidate without a plan spend.

    Two such candidates with the same key (the same type on different sites, say) have the same
    completion year, spend and marginal finance for the same start: the project and finance models
    see a project only through these fields (no dependencies, no delivery slot in the option's own run).
    """
    inputs = projects.inputs
    if not np.all(np.isnan(inputs.plan_spend_mnok[p])) or inputs.depends_on[p]:
        return None

    def given(value: float) -> float | None:  # NaN ("not given") as None, so keys compare equal
        return None if np.isnan(value) else float(value)

    return (
        start,
        float(inputs.gross_cost_mnok[p]),
        tuple(inputs.phase_years[p]),
        tuple(inputs.phase_cost_share[p]),
        bool(inputs.large[p]),
        projects.categories[p],
        given(projects.vat_compensation_share[p]),
        given(projects.husbanken_places[p]),
        given(projects.operating_cost_mnok_per_year[p]),
        given(projects.operating_offset_mnok_per_year[p]),
    )


def candidates_of(scenario: Scenario) -> list[int]:
    """Projects the optimiser may move: not mandatory (unless shift_mandatory), not started before the base year."""
    spec = optimize_spec(scenario)
    projects = scenario.projects
    assert projects is not None
    base = scenario.config.horizon.base_year
    groups = {g for g in projects.exclusive_group if g is not None}
    out = []
    for p in range(len(projects.ids)):
        if projects.planned_start_year[p] < base:
            continue
        if projects.mandatory[p] and not spec.shift_mandatory:
            continue
        if not projects.inputs.included[p] and projects.exclusive_group[p] not in groups:
            continue
        out.append(p)
    return out


def build(scenario: Scenario, windows: dict[int, tuple[int, int]] | None = None) -> Coefficients:
    """Simulate the base and every option with the pipeline's models (see the module docstring).

    ``windows``: projects that are optional (``ltsim plan``'s candidate builds), each with the first
    and last year it may start; the other candidates range over the optimiser's deferral window.
    """
    tick = time.perf_counter()
    spec = optimize_spec(scenario)
    projects = scenario.projects
    assert projects is not None
    horizon = scenario.config.horizon
    years = np.arange(horizon.base_year, horizon.end_year)
    windows = windows or {}
    candidates = candidates_of(scenario)
    candidates += [p for p in windows if p not in candidates]

    plan_run = proj_model.simulate(projects.inputs)  # the plan (a stochastic scenario is optimised on its plan)
    base_start = plan_run.start
    base_run = plan_run
    for p in candidates:
        base_run = _with_project(base_run, p, None)
    # Housing under sequencing rules is released as the plan's projects allow (the optimiser's
    # population does not follow a deferred school's housing: the full-pipeline check does).
    programme = pipeline.completed_dwellings(scenario)
    released = np.zeros_like(programme)
    if pipeline.has_conditions(scenario):
        release = pipeline.release_housing(scenario, plan_run.completion_year)
        released = pipeline.dwellings_by_area(scenario, release.areas, release.released - release.planned)
    population = pop_model.project(pipeline.population_inputs(scenario, programme + released))
    services = pipeline.demand_and_capacity(scenario, population.persons, base_run.completion_year)
    base_finance = fin_model.simulate(pipeline.finance_inputs(scenario, population, services, base_run))

    cells: list[Cell] = []
    cell_of: dict[tuple[str, str], int] = {}
    service_utilisation = {s.id: s.target_utilisation for s in scenario.services.services}
    capacity = scenario.services.capacity
    facility_utilisation = (
        {} if capacity is None else dict(zip(capacity.facility_ids, capacity.register.utilisation, strict=True))
    )
    written = pipeline.demand_and_capacity(scenario, population.persons, plan_run.completion_year)
    for svc, as_written in zip(services, written, strict=True):
        if svc.gap is None:
            continue
        weight = spec.unmet_weight.get(svc.service.id, 1.0)
        for z, zone in enumerate(svc.zone_ids):
            cell_of[(svc.service.id, zone)] = len(cells)
            demand = svc.demand.municipal_places[:, z].copy()
            cap = None if as_written.capacity is None else as_written.capacity[:, z].copy()
            cells.append(Cell(svc.service.id, zone, svc.gap[:, z].copy(), weight, demand, cap))

    stock_years = scenario.years
    # The plan's own start of each project (after waiting for predecessors and delivery slots) is
    # the reference for deferrals; a fixed predecessor bounds the earliest start.
    plan_start = {
        p: int(np.floor(base_start[p] + 1e-9)) + horizon.base_year
        if base_start[p] == base_start[p]
        else int(projects.planned_start_year[p])
        for p in candidates
    }
    fixed = set(range(len(projects.ids))) - set(candidates)
    options: list[Option] = []
    same_finance: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # a plan's look-alike candidates, simulated once
    for p in candidates:
        planned = plan_start[p]
        earliest = int(projects.earliest_start_year[p])
        ready = [int(base_run.completion_year[a]) for a in projects.inputs.depends_on[p] if a in fixed]
        if any(r == proj_model.NOT_BUILT for r in ready):
            continue  # waits for a project that is never built: no option (the loader rejects this for the plan)
        earliest = max([earliest, *ready])
        latest = projects.latest_completion_year[p]
        first, last = windows.get(
            p, (max(earliest, planned - spec.max_advance_years), planned + spec.max_deferral_years)
        )
        for start in range(first, last + 1):
            key = _same_finance_key(projects, p, start) if p in windows else None
            if key is None or key not in same_finance:
                alone = _simulate_alone(projects.inputs, p, start)
                finance = fin_model.simulate(
                    pipeline.finance_inputs(scenario, population, services, _with_project(base_run, p, alone))
                )
                found = (
                    int(alone.completion_year[p]),
                    alone.spend_mnok[p],
                    finance.net_debt_mnok - base_finance.net_debt_mnok,
                    finance.ndr_mnok - base_finance.ndr_mnok,
                    float((finance.interest_mnok - base_finance.interest_mnok).sum()),
                )
                if key is not None:
                    same_finance[key] = found
            else:
                found = same_finance[key]
            completion, spend, debt, ndr, interest = found
            if latest == latest and completion > latest:
                continue
            places: dict[int, np.ndarray] = {}
            if projects.services[p] is not None and not np.isnan(projects.capacity_places[p]):
                utilisation = (
                    facility_utilisation.get(projects.facilities[p], service_utilisation[projects.services[p]])
                    if projects.facilities[p]
                    else service_utilisation[projects.services[p]]
                )
                in_use = stock_years >= completion
                if not np.isnan(projects.capacity_years[p]):  # modules, a lease
                    in_use &= stock_years < completion + projects.capacity_years[p]
                places[cell_of[(projects.services[p], projects.zones[p])]] = np.where(
                    in_use, projects.capacity_places[p] * utilisation, 0.0
                )
            options.append(
                Option(
                    project=p,
                    start_year=start,
                    completion_year=completion,
                    deferral_years=start - planned,
                    spend_mnok=spend,
                    debt_mnok=debt,
                    ndr_mnok=ndr,
                    interest_mnok=interest,
                    places=places,
                )
            )
    developments, housing_options, housing_waits = _housing_options(
        scenario, services, (plan_run, base_run), base_finance, cell_of, (programme, released), set(candidates)
    )
    under_way = np.zeros(len(years))
    for p in range(len(projects.ids)):
        if p in candidates or base_run.completion_year[p] == proj_model.NOT_BUILT:
            continue
        start = int(np.floor(base_run.start[p] + 1e-9)) + horizon.base_year
        under_way += (years >= start) & (years < base_run.completion_year[p])
    return Coefficients(
        scenario=scenario,
        years=years,
        candidates=tuple(candidates),
        options=tuple(options),
        revenue_mnok=base_finance.revenue_mnok,
        debt_mnok=base_finance.net_debt_mnok,
        ndr_mnok=base_finance.ndr_mnok,
        spend_mnok=base_run.spend_mnok.sum(axis=0),
        cells=tuple(cells),
        stock_years=stock_years,
        fixed_under_way=under_way,
        plan_start=plan_start,
        build_s=time.perf_counter() - tick,
        developments=developments,
        housing_options=housing_options,
        housing_waits=housing_waits,
        optional=frozenset(windows),
    )


def movable_developments(scenario: Scenario) -> list[str]:
    """Developments whose completion years the optimiser decides (``optimize.housing``; none without it).

    Default: every development that no project waits for and whose release does not hang on a
    gap condition (``max_gap``: its counterpart in the optimiser is ``max_shortfall_places``).
    """
    moves = optimize_spec(scenario).housing
    if moves is None or scenario.config.population.housing is None:
        return []
    if moves.developments is not None:
        return list(moves.developments)
    conditions = scenario.config.population.housing.conditions
    waited_for = scenario.projects.waited_for
    names = dict.fromkeys(d[0] for d in scenario.population.developments)
    return [d for d in names if d not in waited_for and not (d in conditions and conditions[d].max_gap)]


def _release_pattern(planned: np.ndarray, max_per_year: float, start: int) -> np.ndarray:
    """[T, Y] dwellings a queue releases from year index ``start`` at ``max_per_year`` (the rule engine)."""
    out = housing_model.release(planned[None], np.array([max_per_year]), np.array([0]), (), np.array([start]))
    return out.released[0]


def _housing_options(
    scenario: Scenario,
    services: tuple[pipeline.ServiceResult, ...],
    runs: tuple[proj_model.ProjectRun, proj_model.ProjectRun],
    base_finance: fin_model.FinanceResult,
    cell_of: dict[tuple[str, str], int],
    dwellings: tuple[np.ndarray, np.ndarray],
    candidates: set[int],
) -> tuple[tuple[str, ...], tuple[HousingOption, ...], dict[int, tuple[int, ...]]]:
    """Each movable development at each move, run through population, demand/capacity and finance.

    Without sequencing rules a development moves as a block (all completions ``k`` years later).
    Under ``after_projects`` / ``not_before`` / ``max_dwellings_per_year`` rules the move is the
    year its release may start: the queue is then released at the yearly pace as the rule engine
    does, and the development waits for its projects by constraint (``housing_waits``: the
    candidates; a fixed project bounds the start years offered). ``dwellings``: the programme's
    completions and what the rules change in it under the plan's projects ([T, A, Y] each; their
    sum is the base). The marginal paths are against that base (the option as the scenario sets
    it is all zeros); the projects are the base's (candidates left out): the gap is demand −
    capacity, so a housing move and a project's places add up exactly. ``runs``: the plan's
    project run and the base's.
    """
    names = movable_developments(scenario)
    if not names:
        return (), (), {}
    plan_run, base_run = runs
    programme, released = dwellings
    moves = optimize_spec(scenario).housing
    conditions = scenario.config.population.housing.conditions
    base_year = scenario.config.horizon.base_year
    n_years = len(scenario.years) - 1
    projects = scenario.projects
    all_names, all_areas, planned = pipeline.planned_housing(scenario)
    extended = np.concatenate([planned, np.zeros((*planned.shape[:2], 4 * n_years))], axis=2)
    base_gap = {
        cell_of[(svc.service.id, z)]: svc.gap[:, k]
        for svc in services
        if svc.gap is not None
        for k, z in enumerate(svc.zone_ids)
    }

    def moved_paths(moved_dwellings: np.ndarray) -> dict[str, Any]:
        population = pop_model.project(pipeline.population_inputs(scenario, moved_dwellings))
        moved_services = pipeline.demand_and_capacity(scenario, population.persons, base_run.completion_year)
        finance = fin_model.simulate(pipeline.finance_inputs(scenario, population, moved_services, base_run))
        gap: dict[int, np.ndarray] = {}
        for svc in moved_services:
            if svc.gap is None:
                continue
            for k, z in enumerate(svc.zone_ids):
                c = cell_of[(svc.service.id, z)]
                delta = svc.gap[:, k] - base_gap[c]
                if np.abs(delta).max() > 1e-9:
                    gap[c] = delta
        return {
            "debt_mnok": finance.net_debt_mnok - base_finance.net_debt_mnok,
            "ndr_mnok": finance.ndr_mnok - base_finance.ndr_mnok,
            "revenue_mnok": finance.revenue_mnok - base_finance.revenue_mnok,
            "interest_mnok": float((finance.interest_mnok - base_finance.interest_mnok).sum()),
            "gap": gap,
        }

    zero = np.zeros(n_years)
    kept: list[str] = []
    options: list[HousingOption] = []
    waits: dict[int, tuple[int, ...]] = {}
    for dev in names:
        d = len(kept)
        rows = [r for r in scenario.population.developments if r[0] == dev]
        first = min(r[2] for r in rows)
        rules = conditions.get(dev)
        if rules is None:  # a block move: every completion ``shift`` years later
            reference_start, earliest = first, base_year
        else:  # the year release may start; the projects it waits for by constraint
            waited = [projects.ids.index(pid) for pid in rules.after_projects]
            in_plan = [int(plan_run.completion_year[p]) for p in waited]
            if any(y == proj_model.NOT_BUILT for y in in_plan):
                continue  # waits for a project the plan does not build: stays as the rules leave it
            fixed = [int(plan_run.completion_year[p]) for p in waited if p not in candidates]
            reference_start = max([first, rules.not_before or base_year, *in_plan])
            earliest = max([first, rules.not_before or base_year, *fixed])  # never before these allow
            pace = np.inf if rules.max_dwellings_per_year is None else rules.max_dwellings_per_year
            row = all_names.index(dev)
            reference = _release_pattern(extended[row], pace, reference_start - base_year)
        found = []
        for shift in range(-moves.max_advance_years, moves.max_deferral_years + 1):
            start = reference_start + shift
            if start < earliest:
                continue
            if shift == 0:
                found.append(HousingOption(d, 0, 0.0, zero, zero, zero, 0.0, {}, start))
                continue
            if rules is None:
                moved_dwellings = pipeline.completed_dwellings(scenario, {dev: shift}) + released
                moved = float(sum(n * abs(shift) for _, _, _, n, _ in rows))
            else:
                pattern = _release_pattern(extended[row], pace, start - base_year)
                change = (pattern - reference)[:, :n_years]
                moved_dwellings = (
                    programme + released + pipeline.dwellings_by_area(scenario, (all_areas[row],), change[None])
                )
                moved = float(np.abs(np.cumsum(reference.sum(axis=0) - pattern.sum(axis=0))).sum())
            found.append(HousingOption(d, shift, moved, first_year=start, **moved_paths(moved_dwellings)))
        if not found:
            continue
        kept.append(dev)
        options += found
        if rules is not None and any(p in candidates for p in waited):
            waits[d] = tuple(p for p in waited if p in candidates)
    return tuple(kept), tuple(options), waits
