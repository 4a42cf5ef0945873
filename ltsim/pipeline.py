"""The one place that chains the models: scenario → model inputs → model results."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ltsim.io.services import ServiceData
from ltsim.models import capacity as cap_model
from ltsim.models import demand as demand_model
from ltsim.models import finance as fin_model
from ltsim.models import housing as housing_model
from ltsim.models import population as pop_model
from ltsim.models import projects as proj_model
from ltsim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class ServiceResult:
    """Demand and capacity of one service per year and zone ([Y+1, Z] arrays)."""

    service: ServiceData
    zone_ids: tuple[str, ...]
    zone_names: tuple[str, ...]
    demand: demand_model.ServiceDemand
    capacity: np.ndarray | None = None
    usable_capacity: np.ndarray | None = None

    @property
    def gap(self) -> np.ndarray | None:
        """Municipal places needed − usable capacity: positive = short, negative = idle."""
        if self.usable_capacity is None:
            return None
        return self.demand.municipal_places - self.usable_capacity


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


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything one run produced, plus wall time per stage [s]."""

    scenario: Scenario
    population: pop_model.PopulationResult
    services: tuple[ServiceResult, ...] = ()
    projects: proj_model.ProjectRun | None = None
    finance: fin_model.FinanceResult | None = None
    kpis: tuple[fin_model.KpiRow, ...] = ()
    housing: HousingRelease | None = None
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things a planner must know that are not errors (e.g. housing that is never released)."""
        out = self.housing.warnings if self.housing is not None else ()
        if self.finance is not None and self.finance.minimum_not_applicable.any():
            years = self.finance.years[self.finance.minimum_not_applicable]
            span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]} ({len(years)} years)"
            out = (
                *out,
                f"{span}: the book value of depreciable fixed assets is 0 while debt is outstanding, so the "
                "§ 14-18 minimum instalment does not apply; the loans' own schedule is charged and reported as "
                "the minimum (finance.debt.on_zero_book_value: raise makes this an error)",
            )
        return out


def population_inputs(scenario: Scenario, dwellings: np.ndarray | None = None) -> pop_model.PopulationInputs:
    """Lay the scenario's population data and dated parameters out on the model grid.

    ``dwellings`` [T, A, Y] replaces the housing programme's completions (released housing).
    """
    cfg = scenario.config.population
    data = scenario.population
    h = scenario.config.horizon
    steps = np.arange(h.base_year, h.end_year)  # flow years
    areas = scenario.area_ids

    improvement = np.repeat(cfg.mortality.improvement.at(steps)[:, None], 2, axis=1)
    if cfg.mortality.improvement_by_sex:
        for i, sex in enumerate(pop_model.SEXES):
            if sex in cfg.mortality.improvement_by_sex:
                improvement[:, i] = cfg.mortality.improvement_by_sex[sex].at(steps)
    death_rate = data.death_rate[None] * pop_model.cumulative_improvement(improvement)[:, :, None]

    fertility = data.fertility_rate[None] * cfg.fertility.scale.at(steps)[:, None]
    srb = cfg.fertility.sex_ratio_at_birth

    mig = cfg.migration
    area_scale = np.array([mig.out_rate_scale_by_area.get(a, 1.0) for a in areas])
    out_scale = mig.out_scale.at(steps)[:, None] * area_scale[None]
    in_persons = np.stack([mig.in_persons[a].at(steps) for a in areas], axis=1) * mig.in_scale.at(steps)[:, None]
    in_profile = np.stack([data.in_profiles[mig.in_profile_by_area.get(a, mig.in_profile)] for a in areas])

    return pop_model.PopulationInputs(
        base_year=h.base_year,
        base_persons=data.base_persons,
        death_rate=death_rate,
        fertility_rate=fertility,
        male_share_at_birth=srb / (1.0 + srb),
        out_rate=data.out_rate,
        out_scale=out_scale,
        in_persons=in_persons,
        in_profile=in_profile,
        housing_in=pop_model.housing_inflow(
            completed_dwellings(scenario) if dwellings is None else dwellings, data.occupancy
        ),
        control_total=data.control_total,
    )


def completed_dwellings(scenario: Scenario, shift: dict[str, int] | None = None) -> np.ndarray:
    """Dwellings completed per type, area and flow year, times the realisation factor [T, A, Y].

    ``shift`` moves named developments' completions by a number of years on top of the scenario's
    own ``population.housing.defer`` (the optimiser's housing options); past the horizon they drop out.
    """
    data = scenario.population
    h = scenario.config.horizon
    steps = np.arange(h.base_year, h.end_year)
    out = np.zeros((len(data.dwelling_types), len(scenario.area_ids), len(steps)))
    housing = scenario.config.population.housing
    if housing is None:
        return out
    realisation = housing.realisation.at(steps)
    if not data.developments:
        return out
    type_idx, area_idx, years = data.development_index.T
    if shift:
        years = years + np.array([shift.get(d[0], 0) for d in data.developments], dtype=np.int64)
    dwellings = np.array([d[3] for d in data.developments])
    s = years - h.base_year
    keep = (s >= 0) & (s < len(steps))  # a completion in end_year moves people in after the horizon
    np.add.at(out, (type_idx[keep], area_idx[keep], s[keep]), dwellings[keep] * realisation[s[keep]])
    return out


def run(
    scenario: Scenario,
    progress: Callable[[str], None] | None = None,
    seed: int | None = None,
    stochastic: bool | None = None,
) -> RunResult:
    """Run the pipeline once and time each stage.

    ``stochastic`` (default: the scenario's project mode) says whether delays and overruns are drawn;
    ``seed`` (default: the scenario's) drives the one draw of a stochastic project programme;
    it is the stream of Monte Carlo replication 0, so a single run equals replication 0.
    """
    timings: dict[str, float] = {}
    project_run = None
    housing = None
    if scenario.projects is not None:
        if progress:
            progress("projects")
        tick = time.perf_counter()
        from ltsim.montecarlo import rng_for

        rng = rng_for(scenario.config.seed if seed is None else seed, 0)
        project_run, housing = schedule(scenario, rng, stochastic)
        timings["projects"] = time.perf_counter() - tick
    tick = time.perf_counter()
    if progress:
        progress("population")
    if has_conditions(scenario):
        if housing is None:  # conditions without projects: only per-year limits can bind
            housing = release_housing(scenario, None)
        population = pop_model.project(
            population_inputs(scenario, dwellings_by_area(scenario, housing.areas, housing.released))
        )
    else:
        population = pop_model.project(population_inputs(scenario))
    timings["population"] = time.perf_counter() - tick
    services: tuple[ServiceResult, ...] = ()
    if scenario.services.services:
        if progress:
            progress("demand and capacity")
        tick = time.perf_counter()
        completion = project_run.completion_year if project_run is not None else None
        services = demand_and_capacity(scenario, population.persons, completion)
        timings["demand_capacity"] = time.perf_counter() - tick
    finance = None
    kpi_rows: tuple[fin_model.KpiRow, ...] = ()
    if scenario.config.finance is not None:
        if progress:
            progress("finance")
        tick = time.perf_counter()
        finance = fin_model.simulate(finance_inputs(scenario, population, services, project_run))
        include_energy = scenario.config.finance.funds.include_energy_fund_in_fund_kpi
        kpi_rows = tuple(fin_model.kpis(finance, fiscal_rules(scenario), include_energy))
        timings["finance"] = time.perf_counter() - tick
    return RunResult(
        scenario=scenario,
        population=population,
        services=services,
        projects=project_run,
        finance=finance,
        kpis=kpi_rows,
        housing=housing,
        timings_s=timings,
    )


def simulate_projects(scenario: Scenario, rng: np.random.Generator) -> proj_model.ProjectRun:
    """One simulation of the programme: as planned (deterministic mode) or with drawn delays and overruns."""
    return schedule(scenario, rng)[0]


MAX_HOUSING_ROUNDS = 25


def schedule(
    scenario: Scenario, rng: np.random.Generator, stochastic: bool | None = None
) -> tuple[proj_model.ProjectRun, HousingRelease | None]:
    """Projects, and the housing released under sequencing rules, resolved together.

    Housing may wait for projects (``after_projects``) and projects for housing
    (``depends_on: housing:<development>``: start no earlier than the year the development's
    first dwellings are completed). Without cycles (rejected at load) the two settle by
    alternating: simulate the projects, release the housing, move the starts of projects that
    wait for housing, and again until nothing changes. The drawn delays and overruns stay the
    same in every round. ``stochastic`` (default: the scenario's mode) says whether to draw them;
    Monte Carlo always draws.
    """
    from ltsim.io.projects import draw

    data = scenario.projects
    assert data is not None
    drawn = data.stochastic if stochastic is None else stochastic
    delay, cost = draw(data, rng) if drawn else (None, None)
    run = proj_model.simulate(data.inputs, delay, cost)
    housing = release_housing(scenario, run.completion_year) if has_conditions(scenario) else None
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
                earliest[p] = max(earliest[p], float(years[0]) if years.size else float(n_years + 50))
        moved = proj_model.simulate(dataclasses.replace(data.inputs, earliest_start=earliest), delay, cost)
        settled = np.array_equal(moved.completion_year, run.completion_year) and np.allclose(
            np.nan_to_num(moved.start, nan=-1.0), np.nan_to_num(run.start, nan=-1.0)
        )
        run = moved
        if settled:
            break
        if housing is not None:
            housing = release_housing(scenario, run.completion_year)
    return run, housing


def register_with_projects(
    scenario: Scenario, completion_year: np.ndarray | None
) -> tuple[cap_model.Register, cap_model.Events, tuple[str, ...]]:
    """The facility register and events with each completed project's capacity added.

    A project with a ``facility`` extends it from its completion year (an ``extension``
    event); a project without one becomes a new facility that opens in its completion year.
    Returns the register, the events in year order, and every facility's zone.
    """
    cap = scenario.services.capacity
    assert cap is not None
    reg, ev, zones = cap.register, cap.events, cap.facility_zones
    data = scenario.projects
    if data is None or completion_year is None:
        return reg, ev, zones
    service_ids = [s.id for s in scenario.services.services]
    default_util = {s.id: s.target_utilisation for s in scenario.services.services}
    new_rows: list[tuple[float, int, int, float, str]] = []
    extra_events: list[tuple[int, int, float]] = []
    for p, places in enumerate(data.capacity_places):
        year = int(completion_year[p])
        if np.isnan(places) or year == proj_model.NOT_BUILT:
            continue
        facility = data.facilities[p]
        if facility is None:
            service = data.services[p]
            new_rows.append((float(places), year, service_ids.index(service), default_util[service], data.zones[p]))  # type: ignore[arg-type]
        else:
            extra_events.append((year, cap.facility_ids.index(facility), float(places)))
    if new_rows:
        reg = cap_model.Register(
            capacity_places=np.concatenate([reg.capacity_places, [r[0] for r in new_rows]]),
            opens=np.concatenate([reg.opens, [r[1] for r in new_rows]]),
            closes=np.concatenate([reg.closes, np.full(len(new_rows), cap_model.NEVER)]),
            service=np.concatenate([reg.service, [r[2] for r in new_rows]]),
            utilisation=np.concatenate([reg.utilisation, [r[3] for r in new_rows]]),
        )
        zones = (*zones, *(r[4] for r in new_rows))
    if extra_events:
        n = len(extra_events)
        year = np.concatenate([ev.year, [e[0] for e in extra_events]])
        order = np.argsort(year, kind="stable")
        ev = cap_model.Events(
            year=year[order],
            kind=np.concatenate([ev.kind, np.full(n, cap_model.EXTENSION)])[order],
            facility=np.concatenate([ev.facility, [e[1] for e in extra_events]])[order],
            places=np.concatenate([ev.places, [e[2] for e in extra_events]])[order],
            to_facility=np.concatenate([ev.to_facility, np.full(n, -1)])[order],
            to_service=np.concatenate([ev.to_service, np.full(n, -1)])[order],
        )
    return reg, ev, zones


def demand_and_capacity(
    scenario: Scenario, persons: np.ndarray, completion_year: np.ndarray | None = None
) -> tuple[ServiceResult, ...]:
    """Demand per service and zone from the population; capacity from the ledger where a register exists."""
    data = scenario.services
    cap = data.capacity
    led = None
    if cap is not None:
        register, events, facility_zones = register_with_projects(scenario, completion_year)
        led = cap_model.ledger(register, events, scenario.years)
    out = []
    for index, svc in enumerate(data.services):
        system = data.zone_systems[svc.zone_system]
        demand = demand_model.service_demand(
            persons,
            demand_model.ServiceInputs(svc.coverage, svc.weight, svc.private_share, system.share),
        )
        capacity = usable = None
        if led is not None:
            zone_of = np.array([system.zone_ids.index(z) if z in system.zone_ids else -1 for z in facility_zones])
            capacity, usable = cap_model.service_capacity(
                led, register.utilisation, index, zone_of, len(system.zone_ids)
            )
        out.append(ServiceResult(svc, system.zone_ids, system.zone_names, demand, capacity, usable))
    return tuple(out)


def fiscal_rules(scenario: Scenario) -> tuple[fin_model.FiscalRule, ...]:
    """The scenario's fiscal rules in the model's terms (thresholds in percent)."""
    fin = scenario.config.finance
    assert fin is not None
    return tuple(
        fin_model.FiscalRule(f"{r.kpi}_pct", r.direction, r.red * 100.0, r.green * 100.0, r.green_inclusive)
        for r in fin.fiscal_rules
    )


def finance_inputs(
    scenario: Scenario,
    population: pop_model.PopulationResult,
    services: tuple[ServiceResult, ...],
    project_run: proj_model.ProjectRun | None,
) -> fin_model.FinanceInputs:
    """Finance inputs for the budget years base_year … end_year − 1 from the scenario and the other models.

    Investments are the simulated projects' spend plus the yearly budgets (``recurring``); the
    population index weighs persons by age (``revenue.weight_by_age``, default 1); users per
    service are the demand model's users summed over zones, for services with a unit cost.
    """
    from ltsim.schema import ASSET_CATEGORIES

    fin = scenario.config.finance
    assert fin is not None
    years = scenario.years[:-1]
    n_years = len(years)
    inv = fin.investment

    spend_rows, vat_rows, grant_rows, completion, life, opex = [], [], [], [], [], []
    data = scenario.projects
    if data is not None and project_run is not None:
        spend = project_run.spend_mnok
        built = project_run.completion_year >= 0
        spend_rows.append(spend)
        vat_rows.append(
            np.where(np.isnan(data.vat_compensation_share), inv.vat_compensation_share, data.vat_compensation_share)
        )
        completion.append(np.where(built, project_run.completion_year, years[-1] + 1000))
        life.append(np.array([ASSET_CATEGORIES[c] or 0 for c in data.categories]))
        opex.append(np.where(built, np.nan_to_num(data.operating_cost_mnok_per_year), 0.0))
        grants = np.zeros_like(spend)
        if inv.husbanken is not None and data.husbanken_places.any():
            hb = inv.husbanken
            grants = fin_model.husbanken_grant(
                np.where(built, data.husbanken_places, 0.0),
                hb.cost_cap_per_place_mnok,
                np.full(len(data.ids), hb.grant_share),
                project_run.cost_mnok,
                project_run.completion_year,
                years,
                spend_mnok=spend if hb.timing == "spend" else None,
            )
        grant_rows.append(grants)
    rec = scenario.recurring
    if rec is not None:
        spend_rows.append(rec.spend_mnok)
        vat_rows.append(
            np.where(np.isnan(rec.vat_compensation_share), inv.vat_compensation_share, rec.vat_compensation_share)
        )
        completion.append(np.full(len(rec.ids), years[0]))  # each year's spend is in service that year
        life.append(np.array([ASSET_CATEGORIES[c] or 0 for c in rec.categories]))
        opex.append(np.zeros(len(rec.ids)))
        grant_rows.append(np.zeros_like(rec.spend_mnok))

    def stack(rows: list[np.ndarray], width: int | None) -> np.ndarray:
        if rows:
            return np.concatenate(rows)
        return np.zeros((0, width)) if width is not None else np.zeros(0)

    projects = fin_model.Projects(
        gross_spend_mnok=stack(spend_rows, n_years),
        vat_share=stack(vat_rows, None),
        grants_mnok=stack(grant_rows, n_years),
        completion_year=stack(completion, None),
        asset_life_years=stack(life, None),
        operating_cost_mnok=stack(opex, None),
    )

    persons_by_age = population.persons[:-1].sum(axis=(1, 2))  # [Y, N]
    weight = np.ones(persons_by_age.shape[1])
    for band in fin.revenue.weight_by_age:
        weight[band.ages[0] : band.ages[1] + 1] = band.weight
    unit_cost = fin.expenses.unit_cost_mnok
    costed = [s for s in services if s.service.id in unit_cost]
    users = np.array([s.demand.users[:-1].sum(axis=1) for s in costed]).reshape(len(costed), n_years)

    debt = fin.debt
    sl = fin.start_loans
    return fin_model.FinanceInputs(
        years=years,
        projects=projects,
        financing=fin_model.Financing(
            own_financing_share=inv.own_financing_share.at(years),
            own_financing_mnok=inv.own_financing_mnok.at(years),
            capital_income_mnok=inv.capital_income_mnok.at(years),
        ),
        debt=fin_model.Debt(
            interest_rate=debt.interest_rate.at(years),
            instalment_method=debt.instalment_method,
            opening_debt_mnok=debt.opening_debt_mnok,
            opening_debt_remaining_life_years=debt.opening_debt_remaining_life_years,
            existing_book_value_mnok=debt.existing_book_value_mnok,
            existing_depreciation_mnok=debt.existing_depreciation_mnok.at(years),
            land_loan_term_years=debt.land_loan_term_years,
            on_zero_book_value=debt.on_zero_book_value,
            other_lending_mnok=debt.other_lending_mnok.at(years),
            unused_borrowed_funds_mnok=debt.unused_borrowed_funds_mnok.at(years),
        ),
        start_loans=fin_model.StartLoans(
            borrowing_mnok=sl.borrowing_mnok.at(years),
            interest_rate=sl.interest_rate.at(years),
            husbanken_term_years=sl.husbanken_term_years,
            borrower_term_years=sl.borrower_term_years,
            opening_debt_mnok=sl.opening_debt_mnok,
            opening_debt_remaining_life_years=sl.opening_debt_remaining_life_years,
            opening_receivables_mnok=sl.opening_receivables_mnok,
            opening_receivables_remaining_life_years=sl.opening_receivables_remaining_life_years,
            margin_rate=sl.margin_rate,
            method=sl.method,
            repay_as_received=sl.repay_as_received,
        ),
        operating=fin_model.Operating(
            revenue_base_mnok=fin.revenue.base_mnok,
            revenue_real_growth_rate=fin.revenue.real_growth.at(years),
            population_index=fin_model.weighted_population_index(persons_by_age, weight),
            expense_base_mnok=fin.expenses.base_mnok,
            users=users,
            unit_cost_mnok=np.array([unit_cost[s.service.id] for s in costed]),
            savings_mnok=fin.expenses.savings_mnok.at(years),
            efficiency_new_mnok=fin.expenses.efficiency_new_mnok.at(years),
            interest_income_mnok=fin.interest_income_mnok.at(years),
            other_revenue_mnok=fin.revenue.other_mnok.at(years),
            other_expenses_mnok=fin.expenses.other_mnok.at(years),
            first_year_operating_share=fin.expenses.first_year_operating_share,
            population_driven_share=fin.expenses.population_driven_share,
        ),
        funds=fin_model.Funds(
            disposition_fund_opening_mnok=fin.funds.disposition_fund_opening_mnok,
            disposition_fund_return_rate=fin.funds.disposition_fund_return_rate,
            energy_fund_opening_mnok=fin.funds.energy_fund_opening_mnok,
            energy_fund_real_return_rate=fin.funds.energy_fund_real_return_rate.at(years),
            energy_fund_retained_share=fin.funds.energy_fund_retained_share,
        ),
    )


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


_RESPONSE_CACHE: dict[tuple[str, tuple[Any, ...]], np.ndarray] = {}  # per scenario: responses, free path


def _housing_responses(scenario: Scenario, pairs: list[tuple[int, int]]) -> np.ndarray:
    """Persons [Y+1, P·Y, 2, N] caused by one dwelling of (area, dwelling type) released in each flow year.

    One projection with a pseudo-area per (area, type, release year): empty at the start, no
    ordinary migration, the dwelling's occupants as the only inflow. Exact, because the projection
    is linear in its inflows (control totals are not allowed with gap conditions). The response
    depends on the area, not on the development, and not on the projects, so it is computed once
    per scenario and cached (Monte Carlo replications reuse it).
    """
    key = (scenario.hash, tuple(pairs))
    if key in _RESPONSE_CACHE:
        return _RESPONSE_CACHE[key]
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
    )
    persons = pop_model.project(inputs).persons
    if len(_RESPONSE_CACHE) > 16:
        _RESPONSE_CACHE.clear()
    _RESPONSE_CACHE[key] = persons
    return persons


def release_housing(scenario: Scenario, completion_year: np.ndarray | None) -> HousingRelease:
    """Decide, year by year, how much of each conditioned development may be completed.

    Unconditioned developments are completed as planned. Gap conditions use the gaps of the
    path without any conditioned release plus the exact response of each release (see
    :mod:`ltsim.models.housing`).
    """
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
        key = (scenario.hash, ("free",))
        if key not in _RESPONSE_CACHE:  # the path without conditioned housing does not depend on projects
            inputs = population_inputs(scenario, dwellings_by_area(scenario, areas, free))
            _RESPONSE_CACHE[key] = pop_model.project(inputs).persons
        services = demand_and_capacity(scenario, _RESPONSE_CACHE[key], completion_year)
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
        response = _housing_responses(scenario, pairs)  # [U, P·Y, 2, N]
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
