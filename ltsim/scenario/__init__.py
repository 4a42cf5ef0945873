"""Load a scenario: YAML (with ``extends:``) → validated config → validated tables → :class:`Scenario`.

This is the one boundary where input is checked. Every problem names the file, the line
(YAML) or row (CSV), the field, what was found and what is expected; as many problems as
can be found in one pass are reported together. After this, models trust their inputs.

Where tables may lie: inside the folder of one of the scenario's own YAML files (the file that
names the table, the files it ``extends:``, a batch file) or a folder under ``data_roots``; a
table is a regular file of at most 50 MB, and nothing under ``/proc``, ``/sys``, ``/dev``,
``/etc`` or ``/boot`` is ever read (see :mod:`ltsim.scenario.paths`). The resolved scenario
saved with a run lists the folders it used under ``data_roots``, so it runs again from anywhere.

Modules, one job each:

- ``errors``: key path → file and line; pydantic errors → problems;
- ``paths``: where each table lies, and whether it may be read;
- ``consistency``: the checks between sections, one function each;
- ``tables``: the population tables on the model grid, and the table reader for the others.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from ltsim.errors import InputError
from ltsim.io.finance import RecurringData, load_recurring
from ltsim.io.plan import PlanData, chosen_rows, load_plan
from ltsim.io.projects import ProjectsData, load_projects
from ltsim.io.services import ServicesData, load_services
from ltsim.io.yamlsrc import SourceMap, load_layered
from ltsim.scenario.consistency import check_config, check_housing
from ltsim.scenario.errors import key_loc, problem_maker, translate
from ltsim.scenario.paths import resolve_files
from ltsim.scenario.tables import PopulationData, TableCache, load_population, table_reader
from ltsim.schema import ScenarioConfig

__all__ = ["PopulationData", "Scenario", "TableCache", "load_scenario", "scenario_from_data"]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated, immutable scenario: the config as written, its tables, and its hash."""

    config: ScenarioConfig
    file: Path
    files: dict[str, Path]
    file_hashes: dict[str, str]
    population: PopulationData
    services: ServicesData
    projects: ProjectsData | None
    recurring: RecurringData | None
    hash: str
    data_roots: tuple[Path, ...] = ()  # folders the tables were allowed to lie in
    plan: PlanData | None = None  # plan.types, plan.sites and plan.closures, checked

    @property
    def name(self) -> str:
        """The scenario's name (used for its run folder)."""
        return self.config.name

    @property
    def years(self) -> np.ndarray:
        """Years with a population stock: base_year … end_year."""
        h = self.config.horizon
        return np.arange(h.base_year, h.end_year + 1)

    @property
    def area_ids(self) -> tuple[str, ...]:
        """Planning-area ids in scenario order."""
        return tuple(a.id for a in self.config.areas)

    def resolved(self) -> dict[str, Any]:
        """The merged scenario as plain data, file paths made absolute (saved with every run)."""
        data = self.config.model_dump(mode="json", exclude_none=True)
        for key, path in self.files.items():
            _set(data, key.split("."), str(path))
        if self.data_roots:
            data["data_roots"] = [str(p) for p in self.data_roots]
        return data


# --------------------------------------------------------------------------- loading


def load_scenario(path: str | Path, cache: TableCache | None = None) -> Scenario:
    """Read, merge, validate and load a scenario file; raise :class:`InputError` on bad input.

    ``cache``: tables read before and unchanged since are not read again (see :func:`scenario_from_data`).
    """
    top = Path(path)
    raw, smap = load_layered(top)
    return scenario_from_data(raw, smap, top, cache=cache)


def scenario_from_data(
    raw: dict[str, Any],
    smap: SourceMap,
    top: Path,
    extra_projects: Sequence[dict[str, Any]] = (),
    cache: TableCache | None = None,
) -> Scenario:
    """Validate and load a merged scenario held in memory (as batches compose them).

    ``smap`` maps each key path to the file and line it came from (paths to tables are
    resolved against that file); ``top`` names the scenario in messages and the manifest.
    ``extra_projects``: catalogue rows added to the scenario's own (a plan's candidates).
    ``cache``: tables read before and unchanged since are not read again (:class:`TableCache`; every
    other check runs as always).
    """
    try:
        config = ScenarioConfig.model_validate(raw)
    except ValidationError as exc:
        raise InputError(translate(exc, smap, top)) from None
    check_config(config, smap, top)
    files, roots = resolve_files(config, smap, top)
    h = config.horizon
    # each table group is checked even when another has problems, so one bad table hides no other
    problems: list[Any] = []

    def attempt(load: Any) -> Any:
        try:
            return load()
        except InputError as exc:
            problems.extend(exc.problems)
            return None

    population = attempt(lambda: load_population(config, files, smap, top, cache))
    services = attempt(
        lambda: load_services(
            config,
            np.arange(h.base_year, h.end_year + 1),
            config.population.max_age,
            table_reader(files, smap, top, cache),
            problem_maker(smap, top),
        )
    )
    plan = None
    if services is not None:
        plan = attempt(
            lambda: load_plan(config, services, table_reader(files, smap, top, cache), problem_maker(smap, top))
        )
    if plan is not None and config.projects is None:
        problems.append(problem_maker(smap, top)(("plan",), "a 'projects:' section beside 'plan:'", "none"))
    recurring = attempt(
        lambda: load_recurring(config, np.arange(h.base_year, h.end_year), table_reader(files, smap, top, cache))
    )
    # the catalogue is checked against the population, the services and the plan's rows; without them only its rows
    both = population is not None and services is not None and (config.plan is None or plan is not None)
    projects = attempt(
        lambda: load_projects(
            config,
            np.arange(h.base_year, h.end_year + 1),
            services if both else None,
            table_reader(files, smap, top, cache),
            problem_maker(smap, top),
            tuple(dict.fromkeys(d[0] for d in population.developments)) if both else (),
            [*chosen_rows(config, plan), *extra_projects],
        )
    )
    if problems:
        raise InputError(problems)
    check_housing(config, population, services, projects, smap, top)
    hashes = {key: cache.sha256(p) if cache is not None else _sha256(p.read_bytes()) for key, p in files.items()}
    digest = _scenario_hash(config, hashes)
    return Scenario(
        config=config,
        file=top.resolve(),
        files=files,
        file_hashes=hashes,
        population=population,
        services=services,
        projects=projects,
        recurring=recurring,
        hash=digest,
        data_roots=roots,
        plan=plan,
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _scenario_hash(config: ScenarioConfig, file_hashes: dict[str, str]) -> str:
    """sha256 of the resolved scenario: config as merged, each file replaced by its content hash."""
    data = config.model_dump(mode="json", exclude_none=True)
    data.pop("data_roots", None)  # where the tables may lie is not what they hold
    for key, digest in file_hashes.items():
        _set(data, key.split("."), "sha256:" + digest)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _sha256(canonical.encode("utf-8"))


def _set(data: Any, keys: list[str], value: Any) -> None:
    path = key_loc(".".join(keys))
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value
