"""The housing-release engine: sequencing rules (rekkefølgekrav) resolved with the project schedule.

A development under conditions is released year by year only as far as its rules allow
(:func:`ltsim.models.housing.release` decides one year from the rules' inputs); this module
builds those inputs from the scenario — the projects it waits for, the gaps of the zones it must
not overfill and the exact population response of each released dwelling — and alternates
projects and housing where each waits for the other (:func:`schedule`).

The population response of one dwelling does not depend on the projects, so callers that release
housing many times for one scenario (Monte Carlo, the optimiser) pass one :class:`ResponseCache`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ltsim.models import housing as housing_model
from ltsim.models import population as pop_model
from ltsim.models import projects as proj_model
from ltsim.scenario import Scenario
from ltsim.stages import demand_and_capacity, population_inputs


@dataclass(frozen=True, slots=True)
class HousingRelease:
    """The housing programme per development: planned and released dwellings, what held them back.

    ``planned``, ``released`` and ``held_back`` are [D, T, Y] (development, dwelling type, flow
    year); ``binding`` [D, Y] indexes :data:`ltsim.models.housing.BINDING_NAMES`.
    """

    developments: tuple[str, ...]
    areas: tuple[str, ...]
    planned: np.ndarray
    released: np.ndarray
    held_back: np.ndarray
    binding: np.ndarray
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class ResponseCache:
    """Population paths of one scenario that do not depend on the projects, computed once.

    ``free``: persons [Y+1, A, 2, N] with every conditioned development held back entirely;
    ``responses``: per tuple of (area, dwelling type) pairs, persons [Y+1, P·Y, 2, N] caused by one
    dwelling of each pair released in each flow year. Valid for the scenario (hash) it was made for.
    """

    scenario_hash: str
    free: np.ndarray | None = None
    responses: dict[tuple[tuple[int, int], ...], np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario, cache: ResponseCache | None) -> ResponseCache:
        """``cache`` if it was made for ``scenario``, else a new, empty one."""
        return cache if cache is not None and cache.scenario_hash == scenario.hash else cls(scenario.hash)


def simulate_projects(
    scenario: Scenario, rng: np.random.Generator, cache: ResponseCache | None = None
) -> proj_model.ProjectRun:
    """One simulation of the programme: as planned (deterministic mode) or with drawn delays and overruns."""
    return schedule(scenario, rng, cache=cache)[0]


MAX_HOUSING_ROUNDS = 25
NEVER_COMPLETED_YEARS = 50
"""A project waiting for a development that completes nothing in the horizon may start only this far past it."""


def schedule(
    scenario: Scenario, rng: np.random.Generator, stochastic: bool | None = None, cache: ResponseCache | None = None
) -> tuple[proj_model.ProjectRun, HousingRelease | None]:
    """Projects, and the housing released under sequencing rules, resolved together.

    Housing may wait for projects (``after_projects``) and projects for housing
    (``depends_on: housing:<development>``: start no earlier than the year the development's
    first dwellings are completed). Without cycles (rejected at load) the two settle by
    alternating: simulate the projects, release the housing, move the starts of projects that
    wait for housing, and again until nothing changes. The drawn delays and overruns stay the
    same in every round. ``stochastic`` (default: the scenario's mode) says whether to draw them;
    Monte Carlo always draws. ``cache`` keeps the housing responses between calls (see
    :class:`ResponseCache`).
    """
    cache = ResponseCache.of(scenario, cache)
    data = scenario.projects
    assert data is not None
    drawn = data.stochastic if stochastic is None else stochastic
    delay, cost = proj_model.draw(data.distributions, data.inputs.phase_years, rng) if drawn else (None, None)
    run = proj_model.simulate(data.inputs, delay, cost)
    housing = release_housing(scenario, run.completion_year, cache) if has_conditions(scenario) else None
    if not any(data.housing_deps):
        return run, housing
    names, _, planned = planned_housing(scenario)
    n_years = planned.shape[2]
    for _ in range(MAX_HOUSING_ROUNDS):
        completed = housing.released if housing is not None else planned
        earliest = data.inputs.earliest_start.copy()
        for p, devs in enumerate(data.housing_deps):
            for dev in devs:
                years = np.flatnonzero(completed[names.index(dev)].sum(axis=0) > housing_model.TOLERANCE)
                earliest[p] = max(
                    earliest[p], float(years[0]) if years.size else float(n_years + NEVER_COMPLETED_YEARS)
                )
        moved = proj_model.simulate(dataclasses.replace(data.inputs, earliest_start=earliest), delay, cost)
        settled = np.array_equal(moved.completion_year, run.completion_year) and np.allclose(
            np.nan_to_num(moved.start, nan=-1.0), np.nan_to_num(run.start, nan=-1.0)
        )
        run = moved
        if settled:
            break
        if housing is not None:
            housing = release_housing(scenario, run.completion_year, cache)
    return run, housing


# --------------------------------------------------------------------------------------- housing release


def has_conditions(scenario: Scenario) -> bool:
    """True when any housing development carries release conditions (rekkefølgekrav)."""
    housing = scenario.config.population.housing
    return housing is not None and bool(housing.conditions)


def planned_housing(scenario: Scenario) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Developments in programme order, their areas, and planned dwellings × realisation [D, T, Y]."""
    data = scenario.population
    h = scenario.config.horizon
    steps = np.arange(h.base_year, h.end_year)
    area_of: dict[str, str] = {}
    for dev, area, *_ in data.developments:
        area_of.setdefault(dev, area)
    names = tuple(area_of)
    areas = tuple(area_of.values())
    planned = np.zeros((len(names), len(data.dwelling_types), len(steps)))
    housing = scenario.config.population.housing
    if housing is None or not names:
        return names, areas, planned
    realisation = housing.realisation.at(steps)
    dev_idx = np.array([names.index(d[0]) for d in data.developments])
    type_idx = data.development_index[:, 0]
    s = data.development_index[:, 2] - h.base_year
    keep = s < len(steps)
    dwellings = np.array([d[3] for d in data.developments])
    np.add.at(planned, (dev_idx[keep], type_idx[keep], s[keep]), dwellings[keep] * realisation[s[keep]])
    return names, areas, planned


def dwellings_by_area(scenario: Scenario, areas: tuple[str, ...], per_development: np.ndarray) -> np.ndarray:
    """Sum [D, T, Y] dwellings per development (in ``areas``) into [T, A, Y] per planning area."""
    out = np.zeros((per_development.shape[1], len(scenario.area_ids), per_development.shape[2]))
    for d, area in enumerate(areas):
        out[:, scenario.area_ids.index(area)] += per_development[d]
    return out


def _housing_responses(scenario: Scenario, pairs: list[tuple[int, int]], cache: ResponseCache) -> np.ndarray:
    """Persons [Y+1, P·Y, 2, N] caused by one dwelling of (area, dwelling type) released in each flow year.

    One projection with a pseudo-area per (area, type, release year): empty at the start, no
    ordinary migration, the dwelling's occupants as the only inflow. Exact, because the projection
    is linear in its inflows (control totals are not allowed with gap conditions). The response
    depends on the area, not on the development, and not on the projects, so it is computed once
    per scenario and kept in ``cache`` (Monte Carlo replications reuse it).
    """
    key = tuple(pairs)
    if key in cache.responses:
        return cache.responses[key]
    base = population_inputs(scenario)
    occupancy = scenario.population.occupancy
    n_years, _, _, n_ages = base.housing_in.shape
    n_lags = occupancy.shape[1]
    pseudo = len(pairs) * n_years
    housing_in = np.zeros((n_years, pseudo, 2, n_ages))
    area_idx = np.repeat(np.array([a for a, _ in pairs], dtype=np.int64), n_years)
    release = np.tile(np.arange(n_years), len(pairs))
    types = np.repeat(np.array([t for _, t in pairs], dtype=np.int64), n_years)
    for k in range(min(n_lags, n_years)):
        ok = release + k < n_years
        housing_in[release[ok] + k, np.flatnonzero(ok)] = occupancy[types[ok], k]
    inputs = pop_model.PopulationInputs(
        base_year=base.base_year,
        base_persons=np.zeros((pseudo, 2, n_ages)),
        death_rate=base.death_rate,
        fertility_rate=base.fertility_rate,
        male_share_at_birth=base.male_share_at_birth,
        out_rate=base.out_rate,
        out_scale=base.out_scale[:, area_idx],
        in_persons=np.zeros((n_years, pseudo)),
        in_profile=np.zeros((pseudo, 2, n_ages)),
        housing_in=housing_in,
        control_total=np.full(n_years, np.nan),
        # in-migrants per resident follow the housing-led residents too (the model is linear in the stock)
        in_rate=None if base.in_rate is None else base.in_rate[:, area_idx],
        fertility_area_scale=None if base.fertility_area_scale is None else base.fertility_area_scale[area_idx],
    )
    persons = pop_model.project(inputs).persons
    cache.responses[key] = persons
    return persons


def release_housing(
    scenario: Scenario, completion_year: np.ndarray | None, cache: ResponseCache | None = None
) -> HousingRelease:
    """Decide, year by year, how much of each conditioned development may be completed.

    Unconditioned developments are completed as planned. Gap conditions use the gaps of the
    path without any conditioned release plus the exact response of each release (see
    :mod:`ltsim.models.housing`); both are kept in ``cache`` for the next call on this scenario.
    """
    cache = ResponseCache.of(scenario, cache)
    cfg = scenario.config.population.housing
    assert cfg is not None
    names, areas, planned = planned_housing(scenario)
    n_dev, n_types, n_years = planned.shape
    base_year = scenario.config.horizon.base_year
    conditioned = [d for d, n in enumerate(names) if n in cfg.conditions]
    warnings: list[str] = []

    max_per_year = np.full(len(conditioned), np.inf)
    allowed_from = np.zeros(len(conditioned), dtype=np.int64)
    not_before = np.zeros(len(conditioned), dtype=np.int64)
    project_ids = scenario.projects.ids if scenario.projects is not None else ()
    for i, d in enumerate(conditioned):
        cond = cfg.conditions[names[d]]
        if cond.max_dwellings_per_year is not None:
            max_per_year[i] = cond.max_dwellings_per_year
        if cond.not_before is not None:
            not_before[i] = cond.not_before - base_year
        for pid in cond.after_projects:
            year = int(completion_year[project_ids.index(pid)]) if completion_year is not None else -1
            if year == proj_model.NOT_BUILT:
                allowed_from[i] = n_years
                warnings.append(f"{names[d]}: waits for project {pid!r}, which is not built in this scenario")
            else:
                allowed_from[i] = max(allowed_from[i], year - base_year)
                if year - base_year >= n_years:
                    warnings.append(
                        f"{names[d]}: waits for project {pid!r}, in service only in {year}, after the horizon"
                    )

    free = planned.copy()
    free[conditioned] = 0.0
    gap_conditions: list[housing_model.GapCondition] = []
    rules = [(i, rule) for i, d in enumerate(conditioned) for rule in cfg.conditions[names[d]].max_gap]
    if rules:
        if cache.free is None:  # the path without conditioned housing does not depend on projects
            inputs = population_inputs(scenario, dwellings_by_area(scenario, areas, free))
            cache.free = pop_model.project(inputs).persons
        services = demand_and_capacity(scenario, cache.free, completion_year)
        # Releases of any conditioned development change a rule's gap only where its area lies in the
        # rule's zone: responses are needed for those (area, type) pairs only.
        reach = set()
        for _, rule in rules:
            svc_data = scenario.services.services[scenario.services.service_index(rule.service)]
            system = scenario.services.zone_systems[svc_data.zone_system]
            z = system.zone_ids.index(rule.zone)
            reach |= {a for a in range(len(scenario.area_ids)) if system.share[a, z] > 0}
        dev_area = [scenario.area_ids.index(areas[d]) for d in conditioned]
        pairs = sorted(
            {
                (dev_area[i], t)
                for i, d in enumerate(conditioned)
                for t in range(n_types)
                if planned[d, t].any() and dev_area[i] in reach
            }
        )
        response = _housing_responses(scenario, pairs, cache)  # [U, P·Y, 2, N]
        by_age = response.sum(axis=2)  # [U, P·Y, N]
        per_service: dict[str, np.ndarray] = {}
        for i, rule in rules:
            svc = next(s for s in services if s.service.id == rule.service)
            z = svc.zone_ids.index(rule.zone)
            system = scenario.services.zone_systems[svc.service.zone_system]
            if rule.service not in per_service:
                per_dwelling = np.einsum("upn,un->up", by_age, svc.service.coverage * svc.service.weight)
                per_service[rule.service] = per_dwelling * (1.0 - svc.service.private_share)[:, None]  # [U, P·Y]
            per_dwelling = per_service[rule.service]
            resp = np.zeros((len(conditioned), n_types, n_years, len(scenario.years)))
            for j, (a, t) in enumerate(pairs):
                share = system.share[a, z]
                if share == 0:
                    continue
                block = per_dwelling[:, j * n_years : (j + 1) * n_years].T * share  # [Y, U]
                for dc in range(len(conditioned)):
                    if dev_area[dc] == a:
                        resp[dc, t] = block
            applies = np.zeros(len(conditioned), dtype=bool)
            applies[i] = True
            assert svc.gap is not None
            gap_conditions.append(
                housing_model.GapCondition(
                    limit=rule.max_gap_places,
                    gap=svc.gap[:, z],
                    response=resp,
                    applies=applies,
                    lookahead_years=rule.lookahead_years,
                )
            )
    decided = housing_model.release(planned[conditioned], max_per_year, allowed_from, tuple(gap_conditions), not_before)
    released = free
    released[conditioned] = decided.released
    held = np.zeros_like(planned)
    held[conditioned] = decided.held_back
    binding = np.zeros((n_dev, n_years), dtype=np.int64)
    binding[conditioned] = decided.binding
    end_year = scenario.config.horizon.end_year
    for i, d in enumerate(conditioned):
        left = decided.held_back[i, :, -1].sum()
        if left > housing_model.TOLERANCE:
            why = housing_model.BINDING_NAMES[decided.binding[i, -1]]
            warnings.append(f"{names[d]}: {left:,.0f} dwellings still held back in {end_year - 1} (binding: {why})")
    return HousingRelease(
        developments=names,
        areas=areas,
        planned=planned,
        released=released,
        held_back=held,
        binding=binding,
        warnings=tuple(dict.fromkeys(warnings)),
    )
