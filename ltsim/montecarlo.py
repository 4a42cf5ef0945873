"""Monte Carlo over the investment programme: many replications of projects → capacity → gaps.

Replication ``r`` draws from its own random stream, ``SeedSequence(seed, spawn_key=(r,))``
(what ``SeedSequence(seed).spawn(n)[r]`` gives), so the numbers depend on the seed and the
replication number only — never on how replications are spread over worker processes.
Without ``population.uncertainty`` the population and demand do not vary between replications
(the programme does), so they are computed once; each replication costs one SimPy run, one
capacity ledger and the finance model. With it, each replication also draws a population variant
(level factors on fertility, mortality, in- and out-migration and housing-led in-migration, from
``SeedSequence(seed, spawn_key=(r, 1))``) and runs the whole pipeline: population → demand →
capacity → finance → key figures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ltsim import pipeline
from ltsim.models import capacity as cap_model
from ltsim.models import finance as fin_model
from ltsim.models import projects as proj_model
from ltsim.scenario import Scenario
from ltsim.streams import population_rng_for, rng_for

PERCENTILES = (10, 50, 90)
CHUNK = 25


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Per-replication outcomes. R replications, P projects, S services, Y years, Z zones (per service)."""

    seed: int
    completion_year: np.ndarray  # [R, P] (−1 = not built)
    cost_mnok: np.ndarray  # [R, P]
    spend_mnok: np.ndarray  # [R, Y-1] programme spend per year
    place_years_short: np.ndarray  # [R, S]
    short: tuple[np.ndarray, ...]  # per service [R, Y, Z] places short (max(gap, 0))
    released: np.ndarray | None = None  # [R, D, Y-1] dwellings released per development (conditions only)
    held_back: np.ndarray | None = None  # [R, D, Y-1] dwellings queued at the end of each year
    kpi_names: tuple[str, ...] = ()
    kpi_values: np.ndarray | None = None  # [R, K, Y-1] key figures [percent] (finance only)
    kpi_red: np.ndarray | None = None  # [R, K, Y-1] True where the fiscal rule is red
    population_total: np.ndarray | None = None  # [R, Y] persons on 1 January (varies where housing waits or
    # with population.uncertainty)
    usable: tuple[np.ndarray, ...] = ()  # per service [R, Y, Z] usable capacity [places]
    factor_names: tuple[str, ...] = ()
    factors: np.ndarray | None = None  # [R, F] population variant factors drawn (population.uncertainty)

    @property
    def reps(self) -> int:
        """Number of replications."""
        return self.completion_year.shape[0]


@dataclass(frozen=True, slots=True)
class _Replication:
    completion_year: np.ndarray
    cost_mnok: np.ndarray
    spend_mnok: np.ndarray
    short: tuple[np.ndarray, ...]
    released: np.ndarray | None = None
    held_back: np.ndarray | None = None
    kpi_values: np.ndarray | None = None
    kpi_red: np.ndarray | None = None
    population_total: np.ndarray | None = None
    usable: tuple[np.ndarray, ...] = ()
    factors: np.ndarray | None = None


POPULATION_FACTORS = ("fertility", "mortality", "in_migration", "out_migration", "housing")
"""The levels ``population.uncertainty`` may vary, in the order they are drawn."""


def population_factors(uncertainty: Any, rng: np.random.Generator) -> dict[str, float]:
    """One replication's population variant: a factor per level ``uncertainty`` names, in POPULATION_FACTORS order.

    Log-normal: ``median · exp(sigma · Z)``; triangular: a draw between ``low`` and ``high`` (``low`` where they
    are equal).
    """
    out: dict[str, float] = {}
    for name in POPULATION_FACTORS:
        dist = getattr(uncertainty, name)
        if dist is None:
            continue
        if dist.dist == "lognormal":
            out[name] = float(dist.median * np.exp(dist.sigma * rng.standard_normal()))
        else:  # as proj_model.draw_triangular, for one value: a flat triangle still takes its draw
            high = dist.high if dist.high > dist.low else dist.low + 1.0
            value = float(rng.triangular(dist.low, min(max(dist.mode, dist.low), high), high))
            out[name] = value if dist.high > dist.low else float(dist.low)
    return out


def _finance(scenario: Scenario, population: Any, services: Any, run: Any) -> tuple[np.ndarray, np.ndarray]:
    """Key figures [K, Y] of one replication and where the scenario's fiscal rules are red."""
    result = fin_model.simulate(pipeline.finance_inputs(scenario, population, services, run))
    include_energy = scenario.config.finance.funds.include_energy_fund_in_fund_kpi
    figures = fin_model.key_figures(result, include_energy)
    rules = {r.kpi: r for r in pipeline.fiscal_rules(scenario)}
    values = np.array([figures[k] for k in fin_model.KPIS])
    red = np.array(
        [[rules[k].status(float(v)) == "red" if k in rules else False for v in figures[k]] for k in fin_model.KPIS]
    )
    return values, red


def _replicate(scenario: Scenario, base: dict[str, Any], seed: int, rep: int) -> _Replication:
    data = scenario.projects
    assert data is not None
    if any(data.housing_deps) or pipeline.has_conditions(scenario):
        run, housing = pipeline.schedule(scenario, rng_for(seed, rep), stochastic=True, cache=base["responses"])
    else:
        delay, cost = proj_model.draw(data.distributions, data.inputs.phase_years, rng_for(seed, rep))
        run, housing = proj_model.simulate(data.inputs, delay, cost), None
    population, services = base["population"], base["services"]
    released = held = factors = None
    uncertainty = scenario.config.population.uncertainty
    if housing is not None or uncertainty is not None:
        # Housing waits for projects, or the population varies: each replication projects and compares anew.
        from ltsim.models import population as pop_model

        if housing is not None:
            dwellings = pipeline.dwellings_by_area(scenario, housing.areas, housing.released)
            inputs = pipeline.population_inputs(scenario, dwellings)
            released, held = housing.released.sum(axis=1), housing.held_back.sum(axis=1)
        else:
            inputs = base["population_inputs"]
        if uncertainty is not None:
            drawn = population_factors(uncertainty, population_rng_for(seed, rep))
            inputs = pop_model.vary(inputs, **drawn)
            factors = np.array(list(drawn.values()))
        population = pop_model.project(inputs)
        services = pipeline.demand_and_capacity(scenario, population.persons, run.completion_year)
        shorts = tuple(np.clip(s.gap, 0.0, None) for s in services if s.gap is not None)
        usables = tuple(s.usable_capacity for s in services if s.gap is not None)
    else:
        short_list: list[np.ndarray] = []
        usable_list: list[np.ndarray] = []
        if scenario.services.capacity is not None:
            register, events, zones = pipeline.register_with_projects(scenario, run.completion_year)
            led = cap_model.ledger(register, events, scenario.years)
            for index, svc in enumerate(scenario.services.services):
                system = scenario.services.zone_systems[svc.zone_system]
                zone_of = np.array([system.zone_ids.index(z) if z in system.zone_ids else -1 for z in zones])
                _, usable = cap_model.service_capacity(led, register.utilisation, index, zone_of, len(system.zone_ids))
                short_list.append(np.clip(base["demand"][index] - usable, 0.0, None))
                usable_list.append(usable)
        shorts, usables = tuple(short_list), tuple(usable_list)
    values = red = None
    if scenario.config.finance is not None:
        values, red = _finance(scenario, population, services, run)
    total = population.persons.reshape(population.persons.shape[0], -1).sum(axis=1)
    return _Replication(
        run.completion_year,
        run.cost_mnok,
        run.spend_mnok.sum(axis=0),
        shorts,
        released,
        held,
        values,
        red,
        total,
        usables,
        factors,
    )


# Worker-process state: set once per worker by the pool initializer.
_STATE: dict[str, object] = {}


def _init(scenario: Scenario, base: dict[str, Any], seed: int) -> None:
    _STATE.update(scenario=scenario, base=base, seed=seed)


def _pool_init(parent_pid: int, scenario: Scenario, base: dict[str, Any], seed: int) -> None:
    from ltsim.parallel import watch_parent

    watch_parent(parent_pid)
    _init(scenario, base, seed)


def _run_chunk(reps: range) -> list[_Replication]:
    scenario = _STATE["scenario"]
    base = _STATE["base"]
    seed = _STATE["seed"]
    return [_replicate(scenario, base, seed, r) for r in reps]  # type: ignore[arg-type]


def _dask_chunk(scenario: Scenario, base: dict[str, Any], seed: int, reps: range) -> list[_Replication]:
    """One chunk of replications on a Dask worker (the scenario and base data scattered to it once)."""
    return [_replicate(scenario, base, seed, r) for r in reps]


def run_montecarlo(
    scenario: Scenario,
    persons: np.ndarray,
    reps: int,
    seed: int,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    dask: str | None = None,
) -> MonteCarloResult:
    """Run ``reps`` replications on ``workers`` processes (default: all cores; 1 = in this process).

    With ``dask`` (a scheduler address ``tcp://host:8786`` or the path of a scheduler file) the chunks of
    replications run on that Dask cluster instead. The numbers are the same either way: replication ``r``
    draws from its own stream.
    """
    if scenario.projects is None:
        raise ValueError("Monte Carlo needs a project catalogue (projects: in the scenario)")
    from ltsim.models import population as pop_model

    inputs = pipeline.population_inputs(scenario)
    population = pop_model.project(inputs)  # finance needs the whole result
    services = pipeline.demand_and_capacity(scenario, persons)
    base = {
        "population_inputs": inputs,
        "demand": tuple(s.demand.municipal_places for s in services),
        "population": population,
        "services": services,
        "responses": pipeline.ResponseCache(scenario.hash),  # filled once per process, reused by its replications
    }
    workers = workers or os.cpu_count() or 1
    chunks = [range(i, min(i + CHUNK, reps)) for i in range(0, reps, CHUNK)]
    results: list[_Replication | None] = [None] * reps
    if dask:
        from distributed import Client

        client = Client(scheduler_file=dask) if Path(dask).is_file() else Client(dask)
        try:
            shared_scenario, shared_base = client.scatter([scenario, base], broadcast=True)
            futures = client.map(
                _dask_chunk,
                [shared_scenario] * len(chunks),
                [shared_base] * len(chunks),
                [seed] * len(chunks),
                chunks,
                pure=False,
            )
            for chunk, future in zip(chunks, futures, strict=True):
                for r, rep in zip(chunk, future.result(), strict=True):
                    results[r] = rep
                if progress:
                    progress(len(chunk))
        finally:
            client.close()
    elif workers == 1 or reps <= CHUNK:
        _init(scenario, base, seed)
        for chunk in chunks:
            for r, rep in zip(chunk, _run_chunk(chunk), strict=True):
                results[r] = rep
            if progress:
                progress(len(chunk))
    else:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_pool_init, initargs=(os.getpid(), scenario, base, seed)
        ) as pool:
            for chunk, out in zip(chunks, pool.map(_run_chunk, chunks), strict=True):
                for r, rep in zip(chunk, out, strict=True):
                    results[r] = rep
                if progress:
                    progress(len(chunk))
    done = [r for r in results if r is not None]

    n_services = len(done[0].short)
    short = tuple(np.stack([r.short[s] for r in done]) for s in range(n_services))
    return MonteCarloResult(
        seed=seed,
        completion_year=np.stack([r.completion_year for r in done]),
        cost_mnok=np.stack([r.cost_mnok for r in done]),
        spend_mnok=np.stack([r.spend_mnok for r in done]),
        place_years_short=np.stack([s.sum(axis=(1, 2)) for s in short], axis=1) if short else np.zeros((reps, 0)),
        short=short,
        released=np.stack([r.released for r in done]) if done[0].released is not None else None,
        held_back=np.stack([r.held_back for r in done]) if done[0].held_back is not None else None,
        kpi_names=fin_model.KPIS if done[0].kpi_values is not None else (),
        kpi_values=np.stack([r.kpi_values for r in done]) if done[0].kpi_values is not None else None,
        kpi_red=np.stack([r.kpi_red for r in done]) if done[0].kpi_red is not None else None,
        population_total=np.stack([r.population_total for r in done]),
        usable=tuple(np.stack([r.usable[s] for r in done]) for s in range(n_services)),
        factor_names=_factor_names(scenario),
        factors=np.stack([r.factors for r in done]) if done[0].factors is not None else None,
    )


def _factor_names(scenario: Scenario) -> tuple[str, ...]:
    """The population levels the scenario varies (population.uncertainty), in the order they are drawn."""
    uncertainty = scenario.config.population.uncertainty
    if uncertainty is None:
        return ()
    return tuple(n for n in POPULATION_FACTORS if getattr(uncertainty, n) is not None)


def percentiles(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """P10, P50, P90 over replications (axis 0), ignoring masked-out entries; NaN where none.

    >>> percentiles(np.arange(1.0, 12.0)[:, None]).ravel().tolist()
    [2.0, 6.0, 10.0]
    """
    data = values.astype(float)
    if mask is not None:
        data = np.where(mask, data, np.nan)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanpercentile(data, PERCENTILES, axis=0)
