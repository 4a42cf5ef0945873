"""Load a scenario: YAML (with ``extends:``) → validated config → validated tables → :class:`Scenario`.

This is the one boundary where input is checked. Every problem names the file, the line
(YAML) or row (CSV), the field, what was found and what is expected; as many problems as
can be found in one pass are reported together. After this, models trust their inputs.

Where tables may lie: a path to a table is relative to the YAML file that names it, and the
table must lie — after ``..`` and symbolic links are resolved — inside the folder of one of
the scenario's own YAML files (the file that names it, the files it ``extends:``, a batch
file), or inside a folder listed under the top-level key ``data_roots`` (each relative to the
YAML file that lists it; absolute paths allowed, but not ``/`` nor a system folder). So
``data/x.csv`` next to the scenario works, a variant in ``reviews/`` that extends
``../base.yaml`` keeps the base's tables, and ``/etc/passwd`` or ``/proc/self/environ`` are
refused unread. Nothing under ``/proc``, ``/sys``, ``/dev``, ``/etc`` or ``/boot`` is ever
read. A table must be a regular file (no folder, device or pipe), at most 50 MB
(:data:`ltsim.io.tables.MAX_TABLE_BYTES`). The resolved scenario saved with a run lists the
folders it used under ``data_roots``, so it runs again from anywhere.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import stat
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import resolve_path
from ltsim.io.finance import RecurringData, check_finance_config, load_recurring
from ltsim.io.projects import ProjectsData, load_projects
from ltsim.io.services import ServicesData, check_services_config, load_services, zone_system_file_keys
from ltsim.io.tables import Column, Table, read_table, require_grid
from ltsim.io.yamlsrc import SourceMap, dotted, load_layered
from ltsim.models.population import FERTILE_AGES, SEXES
from ltsim.schema import DWELLINGS_MAX, PERSONS_MAX, ScenarioConfig, number_text
from ltsim.timeseries import YearSeries

Loc = tuple[str | int, ...]

# Every field that names a CSV table, as a key path into the scenario.
FILE_FIELDS: tuple[Loc, ...] = (
    ("population", "base"),
    ("population", "mortality", "rates"),
    ("population", "fertility", "rates"),
    ("population", "migration", "out_rates"),
    ("population", "migration", "in_profiles"),
    ("population", "housing", "programme"),
    ("population", "housing", "occupancy"),
    ("population", "control_totals"),
)
SHARE_TOLERANCE = 1e-6
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"), Path("/etc"), Path("/boot"))
MAX_YEARS_SINCE_COMPLETION = 30


@dataclass(frozen=True, slots=True)
class PopulationData:
    """The population tables, validated and laid out on the model grid.

    Shapes: ``A`` areas in scenario order, sexes (female, male), ``N = max_age + 1`` ages,
    ``Y`` projected years (``base_year`` … ``end_year − 1``), ``T`` dwelling types, ``K`` lags.
    """

    base_persons: np.ndarray  # [A, 2, N] persons on 1 January of base_year
    death_rate: np.ndarray  # [2, N] probability of dying in the base year
    fertility_rate: np.ndarray  # [N] births per woman per year (0 outside 15–49)
    out_rate: np.ndarray  # [2, N] probability a survivor moves out during a year
    in_profiles: dict[str, np.ndarray]  # name → [2, N] shares summing to 1
    dwelling_types: tuple[str, ...]
    occupancy: np.ndarray  # [T, K, 2, N] persons per completed dwelling in year k after completion
    developments: tuple[tuple[str, str, int, float, str], ...]  # (development, area, year, dwellings, type)
    development_index: np.ndarray  # [D, 3] type index, area index, year of each row of ``developments``
    control_total: np.ndarray  # [Y] persons on 1 January of base_year + s + 1, NaN where none


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


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge, validate and load a scenario file; raise :class:`InputError` on bad input."""
    top = Path(path)
    raw, smap = load_layered(top)
    return scenario_from_data(raw, smap, top)


def scenario_from_data(raw: dict[str, Any], smap: SourceMap, top: Path) -> Scenario:
    """Validate and load a merged scenario held in memory (as batches compose them).

    ``smap`` maps each key path to the file and line it came from (paths to tables are
    resolved against that file); ``top`` names the scenario in messages and the manifest.
    """
    try:
        config = ScenarioConfig.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_translate(exc, smap, top)) from None
    _check_config(config, smap, top)
    files, roots = _resolve_files(config, smap, top)
    population = _load_population(config, files, smap, top)
    services = _load_services(config, files, smap, top)
    projects = load_projects(
        config,
        np.arange(config.horizon.base_year, config.horizon.end_year + 1),
        services,
        _table_reader(files, smap, top),
        lambda loc, expected, found: _problem(loc, smap, top, expected, found),
        tuple(dict.fromkeys(d[0] for d in population.developments)),
    )
    _check_housing_conditions(config, population, services, projects, smap, top)
    _check_housing_moves(config, population, projects, smap, top)
    recurring = load_recurring(
        config, np.arange(config.horizon.base_year, config.horizon.end_year), _table_reader(files, smap, top)
    )
    hashes = {key: _sha256(p.read_bytes()) for key, p in files.items()}
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


def _key_loc(key: str) -> Loc:
    """Key path of a dotted file key: ``zone_systems.0.mapping`` → ("zone_systems", 0, "mapping")."""
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))


def _set(data: Any, keys: list[str], value: Any) -> None:
    path = _key_loc(".".join(keys))
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _get(config: BaseModel, loc: Loc) -> Any:
    node: Any = config
    for part in loc:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(part, str):
            node = getattr(node, part, None)
        else:
            node = node[part]
        if node is None:
            return None
    return node


def _locate(loc: Loc, smap: SourceMap, top: Path) -> tuple[str, int | None]:
    """File and line for a key path: the deepest prefix of it that the source map knows."""
    for n in range(len(loc), -1, -1):
        hit = smap.get(tuple(loc[:n]))
        if hit is not None:
            return str(hit[0]), hit[1]
    return str(top), None


def _problem(loc: Loc, smap: SourceMap, top: Path, expected: str, found: str | None = None) -> Problem:
    file, line = _locate(loc, smap, top)
    return Problem(expected, file=file, line=line, field=dotted(loc) or None, found=found)


def _data_roots(config: ScenarioConfig, smap: SourceMap, top: Path) -> tuple[list[Path], list[Problem]]:
    """The folders listed under ``data_roots``, resolved against the YAML file that lists them."""
    roots: list[Path] = []
    problems: list[Problem] = []
    for i, value in enumerate(config.data_roots or ()):
        loc = ("data_roots", i)
        declared_in = Path(_locate(loc, smap, top)[0])
        root = resolve_path(declared_in.parent / value)
        if root is None or not root.is_dir():
            problems.append(_problem(loc, smap, top, "an existing folder (relative to this file)", show(value)))
        elif root == Path(root.anchor) or any(root.is_relative_to(s) for s in SYSTEM_FOLDERS):
            problems.append(
                _problem(
                    loc,
                    smap,
                    top,
                    "a folder of data, not / nor a system folder (" + ", ".join(map(str, SYSTEM_FOLDERS)) + ")",
                    show(value),
                )
            )
        else:
            roots.append(root)
    return roots, problems


def _file_kind(path: Path) -> str:
    """'file', 'missing', or what else ``path`` is, in words."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError) as exc:
        return "a path the system refuses" + (f" ({exc.strerror.lower()})" if getattr(exc, "strerror", None) else "")
    if stat.S_ISREG(info.st_mode):
        return "file"
    return "a folder" if stat.S_ISDIR(info.st_mode) else "a special file (device, pipe or socket)"


def _resolve_files(config: ScenarioConfig, smap: SourceMap, top: Path) -> tuple[dict[str, Path], tuple[Path, ...]]:
    """Absolute path of every CSV the scenario names, and the folders they were allowed to lie in.

    Paths are relative to the YAML file that names them. A table must lie inside the folder of the YAML file that names it or a folder under
    ``data_roots`` (after ``..`` and links are resolved), and be a regular file.
    """
    out: dict[str, Path] = {}
    listed, problems = _data_roots(config, smap, top)
    homes = [
        home
        for home in dict.fromkeys(resolve_path(Path(f).parent) for f, _ in [*smap.values(), (top, 0)])
        if home is not None and home != Path(home.anchor)
    ]
    used: list[Path] = []
    for loc in (
        *FILE_FIELDS,
        *zone_system_file_keys(config),
        ("projects", "catalogue"),
        ("projects", "plan_spend"),
        ("finance", "investment", "recurring"),
    ):
        value = _get(config, loc)
        if value is None:
            continue
        declared_in = Path(_locate(loc, smap, top)[0])
        home = resolve_path(declared_in.parent) or declared_in.parent
        path = resolve_path(declared_in.parent / value)
        if path is None:
            problems.append(_problem(loc, smap, top, "a path to a CSV file (relative to this file)", show(value)))
            continue
        root = next((r for r in (home, *homes, *listed) if path.is_relative_to(r)), None)
        if root is None or any(path.is_relative_to(s) for s in SYSTEM_FOLDERS):
            problems.append(
                _problem(
                    loc,
                    smap,
                    top,
                    f"a table inside {home} (the folder of the YAML file that names it), the folder of a file"
                    " it extends, or a folder listed under data_roots",
                    f"{show(value)}, which lies outside",
                )
            )
            continue
        kind = _file_kind(path)
        if kind not in ("file", "missing"):
            problems.append(_problem(loc, smap, top, "a CSV file (a regular file)", f"{show(value)}, {kind}"))
            continue
        if root not in used:
            used.append(root)
        out[".".join(map(str, loc))] = path
    if problems:
        raise InputError(problems)
    return out, tuple(used)


# --------------------------------------------------------------------------- pydantic errors


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The pydantic model class that holds the key at ``loc`` (for listing allowed keys)."""
    model: Any = ScenarioConfig
    for part in loc:
        if not isinstance(part, str) or model is None:
            continue
        if isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            model = _inner_model(model.model_fields[part].annotation)
        elif model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        else:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, dict, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            inner = _inner_model(arg)
            if inner is not None:
                return inner
    return None


_FRIENDLY = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number (of a sensible size)",
    "float_parsing": "a number",
    "float_type": "a number",
    "string_type": "a text",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (indented 'key: value' lines)",
    "model_type": "a mapping (indented 'key: value' lines)",
    "bool_type": "true or false",
}

_PATTERN_HINT = {
    "id": "an identifier of lower-case letters, digits and '_' (e.g. asker_sentrum)",
    "name": "a name of letters, digits, '.', '-' and '_' (it becomes a folder name)",
}


def _translate(exc: ValidationError, smap: SourceMap, top: Path) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        value = err.get("input")
        found: str | None = show(value)
        if kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            allowed = sorted(model.model_fields) if model else []
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            expected = "one of the keys " + ", ".join(allowed) + hint
            found = f"unknown key {loc[-1]!r}"
        elif kind == "missing":
            expected = f"a value for {loc[-1]!r} (it is required)"
            found = "nothing"
        elif kind in ("value_error", "assertion_error"):
            text = err["msg"].removeprefix("Value error, ")
            if text.startswith("found ") and "; expected " in text:
                found, expected = text[len("found ") :].split("; expected ", 1)
            else:
                expected = text
        elif kind == "string_pattern_mismatch":
            expected = _PATTERN_HINT.get(str(loc[-1]), err["msg"])
        elif kind in _FRIENDLY:
            expected = _FRIENDLY[kind]
        elif kind == "literal_error":
            expected = err["msg"].removeprefix("Input should be ")
        else:
            expected = err["msg"].removeprefix("Input should be ")
        problems.append(_problem(loc, smap, top, expected, found))
    return problems


# --------------------------------------------------------------------------- cross-field checks


def _walk_series(node: Any, loc: Loc = ()) -> Iterator[tuple[Loc, YearSeries]]:
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


def _check_config(config: ScenarioConfig, smap: SourceMap, top: Path) -> None:
    """Checks that need more than one field: ids unique, areas declared, years in the horizon."""
    problems: list[Problem] = []
    h = config.horizon
    ids = [a.id for a in config.areas]
    seen: set[str] = set()
    for i, area_id in enumerate(ids):
        if area_id in seen:
            problems.append(_problem(("areas", i, "id"), smap, top, "each area id once", show(area_id)))
        seen.add(area_id)
    declared = ", ".join(dict.fromkeys(ids))

    mig = config.population.migration
    for field in ("in_persons", "in_profile_by_area", "out_rate_scale_by_area"):
        for key in getattr(mig, field):
            if key not in seen:
                problems.append(
                    _problem(
                        ("population", "migration", field, key),
                        smap,
                        top,
                        f"a declared area ({declared})",
                        f"area {key!r}",
                    )
                )
    for area_id in ids:
        if area_id not in mig.in_persons:
            problems.append(
                _problem(
                    ("population", "migration", "in_persons"),
                    smap,
                    top,
                    f"an entry for area {area_id!r} (persons moving in per year; write 0 if none — a missing value is unknown, not zero)",
                    "no entry",
                )
            )

    for loc, series in _walk_series(config):
        for year in series.years:
            if not h.base_year <= year <= h.end_year:
                # Point at the year's own line (its key may have been written as a number or as text).
                file, line = _locate((*loc, year) if (*loc, year) in smap else (*loc, str(year)), smap, top)
                problems.append(
                    Problem(
                        f"years within the horizon {h.base_year}–{h.end_year}",
                        file=file,
                        line=line,
                        field=dotted(loc),
                        found=f"year {year}",
                    )
                )
        first = series.first_year
        if first is not None and first > h.base_year:
            problems.append(
                _problem(
                    loc,
                    smap,
                    top,
                    f"a value for the base year {h.base_year} (a year map starts at or before it; nothing is back-filled)",
                    f"first year {first}",
                )
            )
    problems += check_finance_config(config, lambda loc, expected, found: _problem(loc, smap, top, expected, found))
    opt = config.optimize
    if opt is not None:
        services = [sv.id for sv in config.services]
        for field in ("unmet_weight", "max_shortfall_places"):
            for key in getattr(opt, field):
                if key not in services:
                    problems.append(
                        _problem(
                            ("optimize", field, key),
                            smap,
                            top,
                            f"a declared service ({', '.join(services) or 'none declared'})",
                            show(key),
                        )
                    )
        for section in ("projects", "finance"):
            if getattr(config, section) is None:
                problems.append(
                    _problem(
                        ("optimize",),
                        smap,
                        top,
                        f"a '{section}:' section (the optimiser moves projects and watches the debt)",
                        "none",
                    )
                )
    problems += check_services_config(
        config, config.population.max_age, lambda loc, expected, found: _problem(loc, smap, top, expected, found)
    )
    if problems:
        raise InputError(problems)


# --------------------------------------------------------------------------- tables


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


def _check_housing_moves(
    config: ScenarioConfig,
    population: PopulationData,
    projects: ProjectsData | None,
    smap: SourceMap,
    top: Path,
) -> None:
    """``optimize.housing`` names developments the optimiser can move."""
    opt = config.optimize
    if opt is None:
        return
    problems: list[Problem] = []
    moves = opt.housing
    housing = config.population.housing
    if moves is not None and housing is None:
        problems.append(
            _problem(("optimize", "housing"), smap, top, "a housing programme (population.housing) to move", "none")
        )
    elif moves is not None and moves.developments is not None:
        assert housing is not None
        names = list(dict.fromkeys(d[0] for d in population.developments))
        waited_for = projects.waited_for if projects is not None else frozenset()
        for j, dev in enumerate(moves.developments):
            loc = ("optimize", "housing", "developments", j)
            if dev not in names:
                problems.append(_not_a_development(loc, dev, names, smap, top))
            elif dev in housing.conditions and housing.conditions[dev].max_gap:
                problems.append(
                    _problem(
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
                    _problem(
                        loc,
                        smap,
                        top,
                        "a development no project waits for (depends_on: housing:<development>)",
                        show(dev),
                    )
                )
    if problems:
        raise InputError(problems)


def _check_housing_conditions(
    config: ScenarioConfig,
    population: PopulationData,
    services: ServicesData,
    projects: ProjectsData | None,
    smap: SourceMap,
    top: Path,
) -> None:
    """Release conditions name developments in the programme, projects in the catalogue, real zones."""
    housing = config.population.housing
    if housing is None or not housing.conditions:
        return
    problems: list[Problem] = []
    if projects is not None:
        cycle = _housing_cycle(housing.conditions, projects)
        if cycle is not None:
            dev, pid, path = cycle
            problems.append(
                _problem(
                    ("population", "housing", "conditions", dev, "after_projects"),
                    smap,
                    top,
                    f"no cycle between housing and projects: development {dev!r} waits for project {pid!r}, which "
                    f"waits for the development (housing:{dev} in its depends_on)",
                    "the cycle " + " → ".join(path),
                )
            )
    names = list(dict.fromkeys(d[0] for d in population.developments))
    project_ids = projects.ids if projects is not None else ()
    by_service = {s.id: s for s in services.services}
    base = ("population", "housing", "conditions")
    for dev, cond in housing.conditions.items():
        if dev not in names:
            problems.append(_not_a_development((*base, dev), dev, names, smap, top))
        h = config.horizon
        if cond.not_before is not None and not h.base_year <= cond.not_before <= h.end_year:
            problems.append(
                _problem(
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
                problems.append(_problem((*base, dev, "after_projects", j), smap, top, where, show(pid)))
        for j, rule in enumerate(cond.max_gap):
            loc = (*base, dev, "max_gap", j)
            svc = by_service.get(rule.service)
            if svc is None:
                problems.append(
                    _problem(
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
                    _problem(
                        (*loc, "zone"),
                        smap,
                        top,
                        f"a zone of {svc.zone_system!r} ({', '.join(zones)})",
                        show(rule.zone),
                    )
                )
            if services.capacity is None:
                problems.append(_problem(loc, smap, top, "a 'capacity:' section (a gap needs capacity)", "none"))
            if config.population.control_totals is not None:
                problems.append(
                    _problem(
                        loc,
                        smap,
                        top,
                        "no control_totals with a gap condition (scaling to a control total would change the gaps after the release decision)",
                        "population.control_totals",
                    )
                )
    if problems:
        raise InputError(problems)


def _table_reader(files: dict[str, Path], smap: SourceMap, top: Path) -> Any:
    def table(key: str, columns: Sequence[Column], key_cols: Sequence[str]) -> Table:
        return read_table(files[key], columns, key_cols, referenced_by=_ref(key, smap, top))

    return table


def _load_services(config: ScenarioConfig, files: dict[str, Path], smap: SourceMap, top: Path) -> ServicesData:
    h = config.horizon
    return load_services(
        config,
        np.arange(h.base_year, h.end_year + 1),
        config.population.max_age,
        _table_reader(files, smap, top),
        lambda loc, expected, found: _problem(loc, smap, top, expected, found),
    )


def _ref(key: str, smap: SourceMap, top: Path) -> Problem:
    loc = _key_loc(key)
    file, line = _locate(loc, smap, top)
    return Problem("", file=file, line=line, field=key)


def _age_sex_grid(table: Table, n_ages: int, value: str) -> np.ndarray:
    grid = np.zeros((2, n_ages))
    sex_idx = np.array([SEXES.index(s) for s in table.columns["sex"]], dtype=np.int64)
    grid[sex_idx, table.columns["age"]] = table.columns[value]
    return grid


def _not_a_development(loc: Loc, dev: str, names: list[str], smap: SourceMap, top: Path) -> Problem:
    """The problem of a name that is not a development of the housing programme (lists the first eight)."""
    listed = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
    return _problem(loc, smap, top, f"a development of the housing programme ({listed})", show(dev))


def _deferred(
    developments: list[tuple[str, str, int, float, str]],
    defer: dict[str, int],
    base_year: int,
    smap: SourceMap,
    top: Path,
) -> list[tuple[str, str, int, float, str]]:
    """The programme with ``population.housing.defer`` applied.

    Each named development's completions move by its number of years (negative: earlier);
    completions moved past the horizon drop out.
    """
    if not defer:
        return developments
    names = list(dict.fromkeys(d[0] for d in developments))
    problems = []
    for dev, years in defer.items():
        loc = ("population", "housing", "defer", dev)
        if dev not in names:
            problems.append(_not_a_development(loc, dev, names, smap, top))
            continue
        first = min(d[2] for d in developments if d[0] == dev)
        if first + years < base_year:
            problems.append(
                _problem(
                    loc,
                    smap,
                    top,
                    f"a shift that keeps the first completion ({first}) in or after the base year {base_year}"
                    f" (at least {base_year - first})",
                    f"{years} years",
                )
            )
    if problems:
        raise InputError(problems)
    return [(dev, area, year + defer.get(dev, 0), n, t) for dev, area, year, n, t in developments]


def _load_population(config: ScenarioConfig, files: dict[str, Path], smap: SourceMap, top: Path) -> PopulationData:
    pop = config.population
    h = config.horizon
    max_age = pop.max_age
    n_ages = max_age + 1
    ages = range(n_ages)
    area_ids = tuple(a.id for a in config.areas)
    area_col = Column(
        "area", "str", choices=area_ids, expected=f"an area declared under 'areas:' ({', '.join(area_ids)})"
    )
    age_col = Column(
        "age",
        "int",
        0,
        max_age,
        expected=f"a whole number from 0 to {max_age} ({max_age} is the open class {max_age}+)",
    )
    sex_col = Column("sex", "str", choices=SEXES)
    rate_col = Column("rate", "float", 0.0, 1.0, expected="a probability between 0 and 1")

    def table(key: str, columns: list[Column], key_cols: list[str]) -> Table:
        return read_table(files[key], columns, key_cols, referenced_by=_ref(key, smap, top))

    base = table(
        "population.base",
        [
            area_col,
            age_col,
            sex_col,
            Column("persons", "float", 0.0, PERSONS_MAX, expected="a number of persons ≥ 0"),  # and ≤ PERSONS_MAX
        ],
        ["area", "age", "sex"],
    )
    require_grid(base, [("area", area_ids), ("sex", SEXES), ("age", ages)], "the base population")
    base_persons = np.zeros((len(area_ids), 2, n_ages))
    area_idx = np.array([area_ids.index(a) for a in base.columns["area"]], dtype=np.int64)
    sex_idx = np.array([SEXES.index(s) for s in base.columns["sex"]], dtype=np.int64)
    base_persons[area_idx, sex_idx, base.columns["age"]] = base.columns["persons"]

    mort = table("population.mortality.rates", [age_col, sex_col, rate_col], ["age", "sex"])
    require_grid(mort, [("sex", SEXES), ("age", ages)], "the mortality rates")

    lo, hi = FERTILE_AGES
    fert = table(
        "population.fertility.rates",
        [
            Column("age", "int", lo, hi, expected=f"a woman's age from {lo} to {hi}"),
            Column("rate", "float", 0.0, 1.0, expected="births per woman per year, between 0 and 1"),
        ],
        ["age"],
    )
    require_grid(fert, [("age", range(lo, hi + 1))], "the fertility rates")
    fertility_rate = np.zeros(n_ages)
    fertility_rate[fert.columns["age"]] = fert.columns["rate"]

    out = table("population.migration.out_rates", [age_col, sex_col, rate_col], ["age", "sex"])
    require_grid(out, [("sex", SEXES), ("age", ages)], "the out-migration rates")
    out_rate = _age_sex_grid(out, n_ages, "rate")

    prof = table(
        "population.migration.in_profiles",
        [
            Column("profile", "str", expected="a profile name"),
            age_col,
            sex_col,
            Column("share", "float", 0.0, 1.0, expected="a share between 0 and 1"),
        ],
        ["profile", "age", "sex"],
    )
    names = tuple(dict.fromkeys(prof.columns["profile"]))
    require_grid(prof, [("profile", names), ("sex", SEXES), ("age", ages)], "the in-migration profiles")
    in_profiles: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    for name in names:
        mask = np.array([p == name for p in prof.columns["profile"]])
        grid = np.zeros((2, n_ages))
        sidx = np.array(
            [SEXES.index(s) for s, m in zip(prof.columns["sex"], mask, strict=True) if m],
            dtype=np.int64,
        )
        grid[sidx, prof.columns["age"][mask]] = prof.columns["share"][mask]
        total = grid.sum()
        if abs(total - 1.0) > SHARE_TOLERANCE:
            problems.append(
                Problem(
                    "shares that sum to 1 over all ages and both sexes",
                    file=str(prof.file),
                    field=f"profile {name!r}",
                    found=f"a sum of {total:.6g}",
                    row=True,
                )
            )
        in_profiles[name] = grid

    mig = pop.migration
    for loc, name in [(("population", "migration", "in_profile"), mig.in_profile)] + [
        (("population", "migration", "in_profile_by_area", k), v) for k, v in mig.in_profile_by_area.items()
    ]:
        if name not in in_profiles:
            problems.append(
                _problem(
                    loc,
                    smap,
                    top,
                    f"a profile in {files['population.migration.in_profiles'].name} ({', '.join(names)})",
                    show(name),
                )
            )
    peak_scale = max(mig.out_scale.at(np.arange(h.base_year, h.end_year)).max(), 0.0)
    for area_id in area_ids:
        scale = mig.out_rate_scale_by_area.get(area_id, 1.0) * peak_scale
        worst = float((out_rate * scale).max())
        if worst > 1.0:
            problems.append(
                _problem(
                    ("population", "migration", "out_rate_scale_by_area", area_id)
                    if area_id in mig.out_rate_scale_by_area
                    else ("population", "migration", "out_scale"),
                    smap,
                    top,
                    "scales that keep every out-migration rate at or below 1",
                    f"a scaled rate of {worst:.3g} in area {area_id!r}",
                )
            )
    if problems:
        raise InputError(problems)

    dwelling_types: tuple[str, ...] = ()
    occupancy = np.zeros((0, 1, 2, n_ages))
    developments: list[tuple[str, str, int, float, str]] = []
    if pop.housing is not None:
        occ = table(
            "population.housing.occupancy",
            [
                Column("dwelling_type", "str", expected="a dwelling type name"),
                Column("years_since_completion", "int", 0, MAX_YEARS_SINCE_COMPLETION),
                age_col,
                sex_col,
                Column("persons", "float", 0.0, 20.0, expected="persons per dwelling, from 0 to 20"),
            ],
            ["dwelling_type", "years_since_completion", "age", "sex"],
        )
        if len(occ) == 0:
            raise InputError(
                Problem(
                    "at least one row: the persons a new dwelling of each type brings",
                    file=str(occ.file),
                    line=2,
                    found="a header and no rows",
                    row=True,
                )
            )
        dwelling_types = tuple(dict.fromkeys(occ.columns["dwelling_type"]))
        n_lags = int(occ.columns["years_since_completion"].max()) + 1
        for t in dwelling_types:
            mask = np.array([d == t for d in occ.columns["dwelling_type"]])
            lags = sorted(set(occ.columns["years_since_completion"][mask].tolist()))
            sub = Table(
                occ.file,
                {
                    k: (tuple(np.asarray(v, dtype=object)[mask]) if isinstance(v, tuple) else v[mask])
                    for k, v in occ.columns.items()
                },
                occ.rows[mask],
            )
            require_grid(
                sub,
                [("years_since_completion", range(lags[-1] + 1)), ("sex", SEXES), ("age", ages)],
                f"dwelling type {t!r}",
            )
        occupancy = np.zeros((len(dwelling_types), n_lags, 2, n_ages))
        tidx = np.array([dwelling_types.index(t) for t in occ.columns["dwelling_type"]], dtype=np.int64)
        sidx = np.array([SEXES.index(s) for s in occ.columns["sex"]], dtype=np.int64)
        occupancy[tidx, occ.columns["years_since_completion"], sidx, occ.columns["age"]] = occ.columns["persons"]

        prog = table(
            "population.housing.programme",
            [
                Column("development", "str", expected="a development name"),
                area_col,
                Column(
                    "year",
                    "int",
                    h.base_year,
                    h.end_year,
                    expected=f"a completion year within the horizon {h.base_year}–{h.end_year}",
                ),
                Column(
                    "dwellings",
                    "float",
                    0.0,
                    DWELLINGS_MAX,
                    expected=f"a number of dwellings ≥ 0 and ≤ {number_text(DWELLINGS_MAX)}",
                ),
                Column(
                    "dwelling_type",
                    "str",
                    choices=dwelling_types,
                    expected=f"a dwelling type from the occupancy table ({', '.join(dwelling_types)})",
                ),
            ],
            ["development", "year", "dwelling_type"],
        )
        home: dict[str, tuple[str, int]] = {}
        bad: list[Problem] = []
        for dev, area, year, n, t, row in zip(
            prog.columns["development"],
            prog.columns["area"],
            prog.columns["year"],
            prog.columns["dwellings"],
            prog.columns["dwelling_type"],
            prog.rows,
            strict=True,
        ):
            if dev in home and home[dev][0] != area:
                bad.append(
                    Problem(
                        f"one area per development (row {home[dev][1]} puts it in {home[dev][0]!r})",
                        file=str(prog.file),
                        line=int(row),
                        field="column 'area'",
                        found=show(area),
                        row=True,
                    )
                )
            home.setdefault(dev, (area, int(row)))
            developments.append((dev, area, int(year), float(n), t))
        if bad:
            raise InputError(bad)
        developments = _deferred(developments, pop.housing.defer, h.base_year, smap, top)

    n_steps = h.end_year - h.base_year
    control = np.full(n_steps, np.nan)
    if pop.control_totals is not None:
        ctl = table(
            "population.control_totals",
            [
                Column(
                    "year",
                    "int",
                    h.base_year + 1,
                    h.end_year,
                    expected=f"a year after the base year, up to {h.end_year}",
                ),
                Column(
                    "persons",
                    "float",
                    1.0,
                    PERSONS_MAX,
                    expected=f"a municipal total from 1 to {number_text(PERSONS_MAX)} persons",
                ),
            ],
            ["year"],
        )
        control[ctl.columns["year"] - h.base_year - 1] = ctl.columns["persons"]

    return PopulationData(
        base_persons=base_persons,
        death_rate=_age_sex_grid(mort, n_ages, "rate"),
        fertility_rate=fertility_rate,
        out_rate=out_rate,
        in_profiles=in_profiles,
        dwelling_types=dwelling_types,
        occupancy=occupancy,
        developments=tuple(developments),
        development_index=np.array(
            [(dwelling_types.index(t), area_ids.index(a), y) for _, a, y, _, t in developments], dtype=np.int64
        ).reshape(-1, 3),
        control_total=control,
    )
