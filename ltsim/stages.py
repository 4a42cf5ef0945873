"""Stage adapters: lay the scenario's data out as each model's inputs, and chain demand to capacity.

Each function takes the :class:`~ltsim.scenario.Scenario` (and the results of earlier stages) and
returns one model's inputs or results; :mod:`ltsim.pipeline` chains them, and the housing-release
engine (:mod:`ltsim.release`), Monte Carlo and the optimiser call the same functions, so every
caller computes a stage the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltsim.io.services import ServiceData
from ltsim.models import capacity as cap_model
from ltsim.models import demand as demand_model
from ltsim.models import finance as fin_model
from ltsim.models import population as pop_model
from ltsim.models import projects as proj_model
from ltsim.scenario import Scenario
from ltsim.scenario.dated import dated_death_rate

AFTER_HORIZON_YEARS = 1000
"""A project that is not built enters finance as completed this many years after the horizon: never capitalised."""


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


def population_inputs(scenario: Scenario, dwellings: np.ndarray | None = None) -> pop_model.PopulationInputs:
    """Lay the scenario's population data and dated parameters out on the model grid.

    ``dwellings`` [T, A, Y] replaces the housing programme's completions (released housing).
    """
    cfg = scenario.config.population
    data = scenario.population
    h = scenario.config.horizon
    steps = np.arange(h.base_year, h.end_year)  # flow years
    areas = scenario.area_ids

    if "mortality" in data.dated:
        death_rate = dated_death_rate(data.dated["mortality"], lambda y: mortality_improvement(scenario, y), steps)
    else:
        improvement = mortality_improvement(scenario, steps)
        death_rate = data.death_rate[None] * pop_model.cumulative_improvement(improvement)[:, :, None]
    death_rate = np.minimum(death_rate * cfg.mortality.scale.at(steps)[:, None, None], 1.0)  # × 1 is exact

    fertility_table = data.dated["fertility"].at(steps) if "fertility" in data.dated else data.fertility_rate[None]
    fertility = fertility_table * cfg.fertility.scale.at(steps)[:, None]
    srb = cfg.fertility.sex_ratio_at_birth

    mig = cfg.migration
    area_scale = np.array([mig.out_rate_scale_by_area.get(a, 1.0) for a in areas])
    out_scale = mig.out_scale.at(steps)[:, None] * area_scale[None]
    in_persons = np.stack([mig.in_persons[a].at(steps) for a in areas], axis=1) * mig.in_scale.at(steps)[:, None]
    in_rate = None
    if mig.in_rate:
        zero = np.zeros(len(steps))
        in_rate = np.stack([mig.in_rate[a].at(steps) if a in mig.in_rate else zero for a in areas], axis=1)
        in_rate = in_rate * mig.in_scale.at(steps)[:, None]
    names = [mig.in_profile_by_area.get(a, mig.in_profile) for a in areas]
    if any(f"in_profile:{n}" in data.dated for n in names):  # dated profiles: [Y, A, 2, N]
        in_profile = np.stack(
            [
                data.dated[f"in_profile:{n}"].at(steps)
                if f"in_profile:{n}" in data.dated
                else np.broadcast_to(data.in_profiles[n], (len(steps), *data.in_profiles[n].shape))
                for n in names
            ],
            axis=1,
        )
    else:
        in_profile = np.stack([data.in_profiles[n] for n in names])

    return pop_model.PopulationInputs(
        base_year=h.base_year,
        base_persons=data.base_persons,
        death_rate=death_rate,
        fertility_rate=fertility,
        male_share_at_birth=srb / (1.0 + srb),
        out_rate=data.dated["out_migration"].at(steps) if "out_migration" in data.dated else data.out_rate,
        out_scale=out_scale,
        in_persons=in_persons,
        in_profile=in_profile,
        housing_in=pop_model.housing_inflow(
            completed_dwellings(scenario) if dwellings is None else dwellings, data.occupancy
        ),
        control_total=data.control_total,
        in_rate=in_rate,
        fertility_area_scale=fertility_area_scale(scenario),
    )


def fertility_area_scale(scenario: Scenario) -> np.ndarray | None:
    """The fertility level per area [A] (``population.fertility.scale_by_area``, 1 where absent); None if none given."""
    by_area = scenario.config.population.fertility.scale_by_area
    if not by_area:
        return None
    return np.array([by_area.get(a, 1.0) for a in scenario.area_ids])


def mortality_improvement(scenario: Scenario, years: np.ndarray) -> np.ndarray:
    """Yearly mortality improvement by year and sex [len(years), 2] (``improvement_by_sex`` over ``improvement``)."""
    mort = scenario.config.population.mortality
    improvement = np.repeat(mort.improvement.at(years)[:, None], 2, axis=1)
    if mort.improvement_by_sex:
        for i, sex in enumerate(pop_model.SEXES):
            if sex in mort.improvement_by_sex:
                improvement[:, i] = mort.improvement_by_sex[sex].at(years)
    return improvement


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


def register_with_projects(
    scenario: Scenario, completion_year: np.ndarray | None
) -> tuple[cap_model.Register, cap_model.Events, tuple[str, ...]]:
    """The facility register and events with each completed project's capacity added.

    A project with a ``facility`` extends it from its completion year (an ``extension``
    event); a project without one becomes a new facility that opens in its completion year.
    Places with ``capacity_years`` (modules, a lease) leave that many years after completion.
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
    new_rows: list[tuple[float, int, int, float, str, int]] = []
    extra_events: list[tuple[int, int, float]] = []
    for p, places in enumerate(data.capacity_places):
        year = int(completion_year[p])
        if np.isnan(places) or year == proj_model.NOT_BUILT:
            continue
        years_in_use = data.capacity_years[p]
        until = cap_model.NEVER if np.isnan(years_in_use) else year + int(years_in_use)  # modules, a lease
        facility = data.facilities[p]
        if facility is None:
            service = data.services[p]
            new_rows.append(
                (float(places), year, service_ids.index(service), default_util[service], data.zones[p], until)  # type: ignore[arg-type]
            )
        else:
            extra_events.append((year, cap.facility_ids.index(facility), float(places)))
            if until != cap_model.NEVER:
                extra_events.append((until, cap.facility_ids.index(facility), -float(places)))
    if new_rows:
        reg = cap_model.Register(
            capacity_places=np.concatenate([reg.capacity_places, [r[0] for r in new_rows]]),
            opens=np.concatenate([reg.opens, [r[1] for r in new_rows]]),
            closes=np.concatenate([reg.closes, [r[5] for r in new_rows]]),
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
    service are the demand model's users summed over zones, for services with a unit cost. A project's
    operating cost and its offset count from its simulated completion year, so both move with it under
    ``projects.defer``, the optimiser's and the plan's starts and Monte Carlo slips.
    """
    from ltsim.schema import ASSET_CATEGORIES

    fin = scenario.config.finance
    assert fin is not None
    years = scenario.years[:-1]
    n_years = len(years)
    inv = fin.investment

    spend_rows, vat_rows, grant_rows, completion, life, opex, offset = [], [], [], [], [], [], []
    data = scenario.projects
    if data is not None and project_run is not None:
        spend = project_run.spend_mnok
        built = project_run.completion_year >= 0
        spend_rows.append(spend)
        vat_rows.append(
            np.where(np.isnan(data.vat_compensation_share), inv.vat_compensation_share, data.vat_compensation_share)
        )
        completion.append(np.where(built, project_run.completion_year, years[-1] + AFTER_HORIZON_YEARS))
        life.append(np.array([ASSET_CATEGORIES[c] or 0 for c in data.categories]))
        opex.append(np.where(built, np.nan_to_num(data.operating_cost_mnok_per_year), 0.0))
        offset.append(np.where(built, np.nan_to_num(data.operating_offset_mnok_per_year), 0.0))
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
        offset.append(np.zeros(len(rec.ids)))
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
        operating_offset_mnok=stack(offset, None),
    )

    persons_by_age = population.persons[:-1].sum(axis=(1, 2))  # [Y, N]
    weight = np.ones(persons_by_age.shape[1])
    for band in fin.revenue.weight_by_age:
        weight[band.ages[0] : band.ages[1] + 1] = band.weight
    unit_cost = fin.expenses.unit_cost_mnok
    costed = [s for s in services if s.service.id in unit_cost]
    users = np.array([s.demand.users[:-1].sum(axis=1) for s in costed]).reshape(len(costed), n_years)

    debt = fin.debt
    start_loans = fin.start_loans
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
            drawdown_share=debt.drawdown.at(years),
            instalments_in_draw_year=debt.instalments_from == "draw_year",
        ),
        start_loans=fin_model.StartLoans(
            borrowing_mnok=start_loans.borrowing_mnok.at(years),
            interest_rate=start_loans.interest_rate.at(years),
            husbanken_term_years=start_loans.husbanken_term_years,
            borrower_term_years=start_loans.borrower_term_years,
            opening_debt_mnok=start_loans.opening_debt_mnok,
            opening_debt_remaining_life_years=start_loans.opening_debt_remaining_life_years,
            opening_receivables_mnok=start_loans.opening_receivables_mnok,
            opening_receivables_remaining_life_years=start_loans.opening_receivables_remaining_life_years,
            margin_rate=start_loans.margin_rate,
            method=start_loans.method,
            repay_as_received=start_loans.repay_as_received,
            drawdown_share=start_loans.drawdown.at(years),
            instalments_in_draw_year=start_loans.instalments_from == "draw_year",
            lending_mnok=None if start_loans.lending_mnok is None else start_loans.lending_mnok.at(years),
            opening_unlent_mnok=start_loans.opening_unlent_mnok,
            early_repayment_rate=start_loans.early_repayment_rate.at(years),
            loss_rate=start_loans.loss_rate.at(years),
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
