"""Checks between sections of a scenario, before anything runs (after PyPSA's ``consistency.py``).

Each ``check_*`` function looks at one thing and returns the problems it finds (an empty list if
none), each at the file and line of the key it concerns. :func:`check_config` runs the checks
that need only the validated config; :func:`check_housing` those that need the tables too (the
housing programme, the service zones, the project catalogue). Each raises one
:class:`~ltsim.errors.InputError` with every problem of its stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ltsim.errors import Problem, show
from ltsim.io.finance import check_finance_config
from ltsim.io.projects import ProjectsData
from ltsim.io.services import ServicesData, check_services_config
from ltsim.io.yamlsrc import SourceMap
from ltsim.scenario.errors import Loc, not_a_development, problem, problem_maker, raise_problems
from ltsim.scenario.tables import PopulationData
from ltsim.schema import ScenarioConfig
from ltsim.timeseries import YearSeries

# --------------------------------------------------------------------------- the config alone


def check_config(config: ScenarioConfig, smap: SourceMap, top: Path) -> None:
    """Run the checks that need more than one field (ids unique, areas declared, years in the horizon …)."""
    at = problem_maker(smap, top)
    raise_problems(
        [
            *check_unique_area_ids(config, smap, top),
            *check_migration_areas_declared(config, smap, top),
            *check_in_persons_per_area(config, smap, top),
            *check_years_in_horizon(config, smap, top),
            *check_finance_config(config, at),
            *check_optimize_services(config, smap, top),
            *check_optimize_sections(config, smap, top),
            *check_services_config(config, config.population.max_age, at),
        ]
    )


def check_unique_area_ids(config: ScenarioConfig, smap: SourceMap, top: Path) -> list[Problem]:
    """Each area id is declared once."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, area in enumerate(config.areas):
        if area.id in seen:
            problems.append(problem(("areas", i, "id"), smap, top, "each area id once", show(area.id)))
        seen.add(area.id)
    return problems


def check_migration_areas_declared(config: ScenarioConfig, smap: SourceMap, top: Path) -> list[Problem]:
    """The per-area maps of migration (and the fertility level by area) name declared areas only."""
    ids = [a.id for a in config.areas]
    declared = ", ".join(dict.fromkeys(ids))
    mig = config.population.migration
    by_area = config.population.fertility.scale_by_area or {}
    fertility = [
        problem(
            ("population", "fertility", "scale_by_area", key),
            smap,
            top,
            f"a declared area ({declared})",
            f"area {key!r}",
        )
        for key in by_area
        if key not in ids
    ]
    return fertility + [
        problem(
            ("population", "migration", field, key),
            smap,
            top,
            f"a declared area ({declared})",
            f"area {key!r}",
        )
        for field in ("in_persons", "in_rate", "in_profile_by_area", "out_rate_scale_by_area")
        for key in getattr(mig, field) or {}
        if key not in ids
    ]


def check_in_persons_per_area(config: ScenarioConfig, smap: SourceMap, top: Path) -> list[Problem]:
    """Every area has an in-migration figure (a missing one is unknown, not zero)."""
    return [
        problem(
            ("population", "migration", "in_persons"),
            smap,
            top,
            f"an entry for area {area.id!r} (persons moving in per year; write 0 if none — a missing value is unknown, not zero)",
            "no entry",
        )
        for area in config.areas
        if area.id not in config.population.migration.in_persons
    ]


def _walk_series(node: Any, loc: Loc = ()) -> Iterator[tuple[Loc, YearSeries]]:
    """Every year map in the config, with its key path."""
    if isinstance(node, YearSeries):
        yield loc, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk_series(getattr(node, name), (*loc, name))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_series(value, (*loc, key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _walk_series(value, (*loc, i))


def check_years_in_horizon(config: ScenarioConfig, smap: SourceMap, top: Path) -> list[Problem]:
    """Each year map starts at or before the base year (nothing is back-filled).

    A map may reach beyond the horizon on either side (a path dated 2005–2050 serves a 2010–2020
    run): only the horizon's part is used, read by step or linear rule as written.
    """
    problems: list[Problem] = []
    h = config.horizon
    for loc, series in _walk_series(config):
        first = series.first_year
        if first is not None and first > h.base_year:
            problems.append(
                problem(
                    loc,
                    smap,
                    top,
                    f"a value for the base year {h.base_year} (a year map starts at or before it; nothing is back-filled)",
                    f"first year {first}",
                )
            )
    return problems


def check_optimize_services(config: ScenarioConfig, smap: SourceMap, top: Path) -> list[Problem]:
    """The optimiser's per-service weights and limits name declared services."""
    opt = config.optimize
    if opt is None:
        return []
    services = [sv.id for sv in config.services]
    return [
        problem(
            ("optimize", field, key),
            smap,
            top,
            f"a declared service ({', '.join(services) or 'none declared'})",
            show(key),
        )
        for field in ("unmet_weight", "max_shortfall_places")
        for key in getattr(opt, field)
        if key not in services
    ]


def check_optimize_sections(config: ScenarioConfig, smap: SourceMap, top: Path) -> list[Problem]:
    """The optimiser has projects to move and a debt to watch."""
    if config.optimize is None:
        return []
    return [
        problem(
            ("optimize",),
            smap,
            top,
            f"a '{section}:' section (the optimiser moves projects and watches the debt)",
            "none",
        )
        for section in ("projects", "finance")
        if getattr(config, section) is None
    ]


# --------------------------------------------------------------------------- with the tables


def check_housing(
    config: ScenarioConfig,
    population: PopulationData,
    services: ServicesData,
    projects: ProjectsData | None,
    smap: SourceMap,
    top: Path,
) -> None:
    """The housing programme's release conditions, then the optimiser's housing moves."""
    raise_problems(
        [
            *check_no_housing_cycle(config, projects, smap, top),
            *check_housing_conditions(config, population, services, projects, smap, top),
        ]
    )
    raise_problems(check_housing_moves(config, population, projects, smap, top))


def _housing_cycle(conditions: dict[str, Any], projects: ProjectsData) -> tuple[str, str, list[str]] | None:
    """A cycle through a housing development (development → project → … → the development), or None.

    Edges: a development waits for the projects in its ``after_projects``; a project waits for the
    projects in its ``depends_on`` and for developments named ``housing:<development>``.
    """
    ids = projects.ids
    edges: dict[str, list[str]] = {}
    for dev, cond in conditions.items():
        edges[f"housing:{dev}"] = [p for p in cond.after_projects if p in ids]
    for i, pid in enumerate(ids):
        edges[pid] = [ids[d] for d in projects.inputs.depends_on[i]] + [
            f"housing:{d}" for d in projects.housing_deps[i]
        ]
    for dev in conditions:
        start = f"housing:{dev}"
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in edges.get(node, []):
                if nxt == start:
                    return dev, path[1], [*path, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return None


def check_no_housing_cycle(
    config: ScenarioConfig, projects: ProjectsData | None, smap: SourceMap, top: Path
) -> list[Problem]:
    """No development waits (through projects) for itself."""
    housing = config.population.housing
    if housing is None or not housing.conditions or projects is None:
        return []
    cycle = _housing_cycle(housing.conditions, projects)
    if cycle is None:
        return []
    dev, pid, path = cycle
    return [
        problem(
            ("population", "housing", "conditions", dev, "after_projects"),
            smap,
            top,
            f"no cycle between housing and projects: development {dev!r} waits for project {pid!r}, which "
            f"waits for the development (housing:{dev} in its depends_on)",
            "the cycle " + " → ".join(path),
        )
    ]


def check_housing_moves(
    config: ScenarioConfig,
    population: PopulationData,
    projects: ProjectsData | None,
    smap: SourceMap,
    top: Path,
) -> list[Problem]:
    """``optimize.housing`` names developments the optimiser can move."""
    opt = config.optimize
    if opt is None:
        return []
    problems: list[Problem] = []
    moves = opt.housing
    housing = config.population.housing
    if moves is not None and housing is None:
        problems.append(
            problem(("optimize", "housing"), smap, top, "a housing programme (population.housing) to move", "none")
        )
    elif moves is not None and moves.developments is not None:
        assert housing is not None
        names = list(dict.fromkeys(d[0] for d in population.developments))
        waited_for = projects.waited_for if projects is not None else frozenset()
        for j, dev in enumerate(moves.developments):
            loc = ("optimize", "housing", "developments", j)
            if dev not in names:
                problems.append(not_a_development(loc, dev, names, smap, top))
            elif dev in housing.conditions and housing.conditions[dev].max_gap:
                problems.append(
                    problem(
                        loc,
                        smap,
                        top,
                        "a development whose release does not hang on a gap condition (max_gap decides it "
                        "from the gaps; the optimiser's counterpart is optimize.max_shortfall_places — leave "
                        "the development out, or replace its max_gap)",
                        show(dev),
                    )
                )
            elif dev in waited_for:
                problems.append(
                    problem(
                        loc,
                        smap,
                        top,
                        "a development no project waits for (depends_on: housing:<development>)",
                        show(dev),
                    )
                )
    return problems


def check_housing_conditions(
    config: ScenarioConfig,
    population: PopulationData,
    services: ServicesData,
    projects: ProjectsData | None,
    smap: SourceMap,
    top: Path,
) -> list[Problem]:
    """Release conditions name developments in the programme, projects in the catalogue, real zones."""
    housing = config.population.housing
    if housing is None or not housing.conditions:
        return []
    problems: list[Problem] = []
    names = list(dict.fromkeys(d[0] for d in population.developments))
    project_ids = projects.ids if projects is not None else ()
    by_service = {s.id: s for s in services.services}
    base = ("population", "housing", "conditions")
    for dev, cond in housing.conditions.items():
        if dev not in names:
            problems.append(not_a_development((*base, dev), dev, names, smap, top))
        h = config.horizon
        if cond.not_before is not None and not h.base_year <= cond.not_before <= h.end_year:
            problems.append(
                problem(
                    (*base, dev, "not_before"),
                    smap,
                    top,
                    f"a year within the horizon {h.base_year}–{h.end_year}",
                    show(cond.not_before),
                )
            )
        for j, pid in enumerate(cond.after_projects):
            if pid not in project_ids:
                where = (
                    "a project in the catalogue" if projects is not None else "a 'projects:' section naming the project"
                )
                problems.append(problem((*base, dev, "after_projects", j), smap, top, where, show(pid)))
        for j, rule in enumerate(cond.max_gap):
            loc = (*base, dev, "max_gap", j)
            svc = by_service.get(rule.service)
            if svc is None:
                problems.append(
                    problem(
                        (*loc, "service"),
                        smap,
                        top,
                        f"a declared service ({', '.join(by_service)})",
                        show(rule.service),
                    )
                )
                continue
            zones = services.zone_systems[svc.zone_system].zone_ids
            if rule.zone not in zones:
                problems.append(
                    problem(
                        (*loc, "zone"),
                        smap,
                        top,
                        f"a zone of {svc.zone_system!r} ({', '.join(zones)})",
                        show(rule.zone),
                    )
                )
            if services.capacity is None:
                problems.append(problem(loc, smap, top, "a 'capacity:' section (a gap needs capacity)", "none"))
            if config.population.control_totals is not None:
                problems.append(
                    problem(
                        loc,
                        smap,
                        top,
                        "no control_totals with a gap condition (scaling to a control total would change the gaps after the release decision)",
                        "population.control_totals",
                    )
                )
    return problems
