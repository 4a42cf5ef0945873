"""The one place that chains the models: scenario → model inputs → model results.

Stage by stage: projects (with the housing released under sequencing rules, :mod:`ltsim.release`),
population, demand and capacity, finance and its key figures (:mod:`ltsim.stages` lays the
scenario out as each model's inputs). The stage functions are re-exported here for callers that
chain stages themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ltsim.models import finance as fin_model
from ltsim.models import population as pop_model
from ltsim.models import projects as proj_model
from ltsim.release import (
    HousingRelease,
    ResponseCache,
    dwellings_by_area,
    has_conditions,
    planned_housing,
    release_housing,
    schedule,
    simulate_projects,
)
from ltsim.scenario import Scenario
from ltsim.stages import (
    ServiceResult,
    completed_dwellings,
    demand_and_capacity,
    finance_inputs,
    fiscal_rules,
    population_inputs,
    register_with_projects,
)
from ltsim.streams import rng_for

__all__ = [
    "HousingRelease",
    "ResponseCache",
    "RunResult",
    "ServiceResult",
    "completed_dwellings",
    "demand_and_capacity",
    "dwellings_by_area",
    "finance_inputs",
    "fiscal_rules",
    "has_conditions",
    "planned_housing",
    "population_inputs",
    "register_with_projects",
    "release_housing",
    "run",
    "schedule",
    "simulate_projects",
]


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


def run(
    scenario: Scenario,
    progress: Callable[[str], None] | None = None,
    seed: int | None = None,
    stochastic: bool | None = None,
    cache: ResponseCache | None = None,
) -> RunResult:
    """Run the pipeline once and time each stage.

    ``stochastic`` (default: the scenario's project mode) says whether delays and overruns are drawn;
    ``seed`` (default: the scenario's) drives the one draw of a stochastic project programme;
    it is the stream of Monte Carlo replication 0, so a single run equals replication 0.
    ``cache`` keeps the housing responses of sequencing rules for the next run of the same scenario.
    """
    timings: dict[str, float] = {}
    project_run = None
    housing = None
    if scenario.projects is not None:
        if progress:
            progress("projects")
        tick = time.perf_counter()
        rng = rng_for(scenario.config.seed if seed is None else seed, 0)
        project_run, housing = schedule(scenario, rng, stochastic, cache)
        timings["projects"] = time.perf_counter() - tick
    tick = time.perf_counter()
    if progress:
        progress("population")
    if has_conditions(scenario):
        if housing is None:  # conditions without projects: only per-year limits can bind
            housing = release_housing(scenario, None, cache)
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
