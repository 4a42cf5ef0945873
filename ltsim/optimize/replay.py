"""A schedule back in scenario terms: its overrides, and the full pipeline run on them."""

from __future__ import annotations

from typing import Any

from ltsim import pipeline
from ltsim.optimize.coefficients import Coefficients, optimize_spec
from ltsim.optimize.evaluation import Solution
from ltsim.scenario import Scenario


def overrides_for(coefficients: Coefficients, solution: Solution) -> dict[str, Any]:
    """The schedule as scenario overrides: ``projects.defer``/``exclude``/``variants`` (+ ``population.housing.defer``).

    A deferral adds to the scenario's own: defer = scenario's defer + chosen start − planned start.
    A development under sequencing rules gets ``conditions.<name>.not_before`` = the year its
    release may start.
    """
    projects = coefficients.scenario.projects
    config = coefficients.scenario.config
    defer = dict(config.projects.defer)
    exclude = list(config.projects.exclude)
    variants = dict(config.projects.variants)
    for p, o in solution.chosen.items():
        pid = projects.ids[p]
        if o is None:
            if projects.exclusive_group[p] is None and pid not in exclude:
                exclude.append(pid)
            continue
        total = defer.get(pid, 0) + o.start_year - int(projects.planned_start_year[p])
        if total:
            defer[pid] = total
        else:
            defer.pop(pid, None)
        if projects.exclusive_group[p] is not None:
            variants[projects.exclusive_group[p]] = pid
    out: dict[str, Any] = {"projects": {"defer": defer, "exclude": exclude, "variants": variants}}
    if coefficients.developments:
        housing = config.population.housing
        assert housing is not None
        moved = dict(housing.defer)
        rules: dict[str, Any] = {}
        for d, h in solution.housing.items():
            development = coefficients.developments[d]
            if development in housing.conditions:  # under sequencing rules: the year release may start
                if h.shift_years:
                    rules[development] = {"not_before": h.first_year}
                continue
            total = moved.get(development, 0) + h.shift_years
            if total:
                moved[development] = total
            else:
                moved.pop(development, None)
        out["population"] = {"housing": {"defer": moved, **({"conditions": rules} if rules else {})}}
    return out


def run_schedule(scenario: Scenario, overrides: dict[str, Any], name_suffix: str = "-optimized") -> Any:
    """Run the normal pipeline on the scenario with the schedule's overrides laid over it.

    As planned, without drawn delays even where the scenario's projects are stochastic: the schedule
    was chosen on the plan, and the check against the MILP must compare like with like (a Monte
    Carlo of the result, ``ltsim optimize --reps``, draws them).
    """
    return pipeline.run(_with_overrides(scenario, overrides, scenario.name + name_suffix), stochastic=False)


def _with_overrides(scenario: Scenario, overrides: dict[str, Any], name: str | None = None) -> Scenario:
    """The scenario with ``overrides`` laid over it (and renamed), validated and loaded again.

    The resolved scenario (merged, absolute table paths) is the base: a scenario made by a batch
    has no file of its own to reload.
    """
    from ltsim.io.yamlsrc import deep_merge
    from ltsim.scenario import scenario_from_data

    merged, source_map = deep_merge(scenario.resolved(), {}, overrides, {})
    merged = dict(merged)
    if name is not None:
        merged["name"] = name
    return scenario_from_data(merged, source_map, scenario.file, cache=table_cache())


_TABLE_CACHE: list[Any] = []


def table_cache() -> Any:
    """The tables already read by this process's replays (a TableCache: the same files, read once).

    ``ltsim optimize`` and ``ltsim plan`` load the scenario through it too, so the first replay reads no table.
    """
    if not _TABLE_CACHE:
        from ltsim.scenario import TableCache

        _TABLE_CACHE.append(TableCache())
    return _TABLE_CACHE[0]


def with_housing_moves(scenario: Scenario) -> Scenario:
    """The scenario with ``optimize.housing`` switched on (its defaults) if it is not already."""
    if optimize_spec(scenario).housing is not None:
        return scenario
    return _with_overrides(scenario, {"optimize": {"housing": {}}})
