"""The one place that chains the models: scenario → model inputs → model results."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ltsim.io.services import ServiceData
from ltsim.models import capacity as cap_model
from ltsim.models import demand as demand_model
from ltsim.models import population as pop_model
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
class RunResult:
    """Everything one run produced, plus wall time per stage [s]."""

    scenario: Scenario
    population: pop_model.PopulationResult
    services: tuple[ServiceResult, ...] = ()
    timings_s: dict[str, float] = field(default_factory=dict)


def population_inputs(scenario: Scenario) -> pop_model.PopulationInputs:
    """Lay the scenario's population data and dated parameters out on the model grid."""
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
        housing_in=pop_model.housing_inflow(completed_dwellings(scenario), data.occupancy),
        control_total=data.control_total,
    )


def completed_dwellings(scenario: Scenario) -> np.ndarray:
    """Dwellings completed per type, area and flow year, times the realisation factor [T, A, Y]."""
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
    dwellings = np.array([d[3] for d in data.developments])
    s = years - h.base_year
    keep = s < len(steps)  # a completion in end_year moves people in after the horizon
    np.add.at(out, (type_idx[keep], area_idx[keep], s[keep]), dwellings[keep] * realisation[s[keep]])
    return out


def run(scenario: Scenario, progress: Callable[[str], None] | None = None) -> RunResult:
    """Run the deterministic pipeline (today: population) and time each stage."""
    timings: dict[str, float] = {}
    tick = time.perf_counter()
    if progress:
        progress("population")
    inputs = population_inputs(scenario)
    population = pop_model.project(inputs)
    timings["population"] = time.perf_counter() - tick
    services: tuple[ServiceResult, ...] = ()
    if scenario.services.services:
        if progress:
            progress("demand and capacity")
        tick = time.perf_counter()
        services = demand_and_capacity(scenario, population.persons)
        timings["demand_capacity"] = time.perf_counter() - tick
    return RunResult(scenario=scenario, population=population, services=services, timings_s=timings)


def demand_and_capacity(scenario: Scenario, persons: np.ndarray) -> tuple[ServiceResult, ...]:
    """Demand per service and zone from the population; capacity from the ledger where a register exists."""
    data = scenario.services
    cap = data.capacity
    led = cap_model.ledger(cap.register, cap.events, scenario.years) if cap is not None else None
    out = []
    for index, svc in enumerate(data.services):
        system = data.zone_systems[svc.zone_system]
        demand = demand_model.service_demand(
            persons,
            demand_model.ServiceInputs(svc.coverage, svc.weight, svc.private_share, system.share),
        )
        capacity = usable = None
        if cap is not None and led is not None:
            zone_of = np.array([system.zone_ids.index(z) if z in system.zone_ids else -1 for z in cap.facility_zones])
            capacity, usable = cap_model.service_capacity(
                led, cap.register.utilisation, index, zone_of, len(system.zone_ids)
            )
        out.append(ServiceResult(svc, system.zone_ids, system.zone_names, demand, capacity, usable))
    return tuple(out)
