"""The scenario's tables: the population tables laid out on the model grid, and a table reader.

The other sections' tables (services, projects, recurring investment) are read by their
loaders in :mod:`ltsim.io` through :func:`table_reader`, which points every message about a
table back at the YAML line that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.services import ReadTable
from ltsim.io.tables import Column, Table, read_table, require_grid
from ltsim.io.yamlsrc import SourceMap
from ltsim.models.population import FERTILE_AGES, SEXES
from ltsim.scenario.dated import YEAR_COLUMN, DatedRates, dated_grids, subset
from ltsim.scenario.errors import not_a_development, problem, reference
from ltsim.schema import DWELLINGS_MAX, PERSONS_MAX, ScenarioConfig, number_text

SHARE_TOLERANCE = 1e-6
MAX_YEARS_SINCE_COMPLETION = 30


@dataclass(frozen=True, slots=True)
class PopulationData:
    """The population tables, validated and laid out on the model grid.

    Shapes: ``A`` areas in scenario order, sexes (female, male), ``N = max_age + 1`` ages,
    ``Y`` projected years (``base_year`` … ``end_year − 1``), ``T`` dwelling types, ``K`` lags.
    """

    base_persons: np.ndarray  # [A, 2, N] persons on 1 January of base_year
    death_rate: np.ndarray  # [2, N] probability of dying in the base year (the table in force then)
    fertility_rate: np.ndarray  # [N] births per woman per year (0 outside 15–49), base year
    out_rate: np.ndarray  # [2, N] probability a survivor moves out during a year, base year
    in_profiles: dict[str, np.ndarray]  # name → [2, N] shares summing to 1
    dwelling_types: tuple[str, ...]
    occupancy: np.ndarray  # [T, K, 2, N] persons per completed dwelling in year k after completion
    developments: tuple[tuple[str, str, int, float, str], ...]  # (development, area, year, dwellings, type)
    development_index: np.ndarray  # [D, 3] type index, area index, year of each row of ``developments``
    control_total: np.ndarray  # [Y] persons on 1 January of base_year + s + 1, NaN where none
    dated: dict[str, DatedRates] = field(default_factory=dict)  # mortality, fertility, out_migration, in_profile:<name>


class TableCache:
    """Tables already read and checked, for a process that loads variants of one scenario many times (``ltsim serve``).

    A table is reused when the same file (path, size in bytes, modification time in ns) is read with the
    same columns and key; anything else is read again. A table that fails its checks is never stored, so
    its message comes back every time. File hashes (for the scenario's hash) are kept the same way.
    """

    def __init__(self) -> None:
        self._tables: dict[tuple[object, ...], Table] = {}
        self._digests: dict[tuple[object, ...], str] = {}

    def sha256(self, file: Path) -> str:
        """sha256 of the file's bytes, read again only when its size or modification time changed."""
        import hashlib

        info = file.stat()
        key = (str(file), info.st_size, info.st_mtime_ns)
        found = self._digests.get(key)
        if found is None:
            found = hashlib.sha256(file.read_bytes()).hexdigest()
            self._digests[key] = found
        return found

    def read(
        self, file: Path, columns: Sequence[Column], key_cols: Sequence[str], referenced_by: Problem | None
    ) -> Table:
        """The table :func:`ltsim.io.tables.read_table` reads, from the cache where the file has not changed."""
        try:
            info = file.stat()
        except (OSError, ValueError):
            return read_table(file, columns, key_cols, referenced_by=referenced_by)
        key = (str(file), info.st_size, info.st_mtime_ns, repr(tuple(columns)), tuple(key_cols))
        found = self._tables.get(key)
        if found is None:
            found = read_table(file, columns, key_cols, referenced_by=referenced_by)
            self._tables[key] = found
        return found


def table_reader(files: dict[str, Path], smap: SourceMap, top: Path, cache: TableCache | None = None) -> ReadTable:
    """Read the table under a dotted file key, its messages pointing back at the YAML line naming it.

    With ``cache``, a table read before (same file, unchanged) is not read again.
    """

    def table(key: str, columns: Sequence[Column], key_cols: Sequence[str]) -> Table:
        if cache is not None:
            return cache.read(files[key], columns, key_cols, reference(key, smap, top))
        return read_table(files[key], columns, key_cols, referenced_by=reference(key, smap, top))

    return table


def _age_sex_grid(table: Table, n_ages: int, value: str) -> np.ndarray:
    """Column ``value`` of an (age, sex) table as a [2, N] grid."""
    grid = np.zeros((2, n_ages))
    sex_idx = np.array([SEXES.index(s) for s in table.columns["sex"]], dtype=np.int64)
    grid[sex_idx, table.columns["age"]] = table.columns[value]
    return grid


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
            problems.append(not_a_development(loc, dev, names, smap, top))
            continue
        first = min(d[2] for d in developments if d[0] == dev)
        if first + years < base_year:
            problems.append(
                problem(
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


def _profile_grid(sub: Table, label: str, name: str, n_ages: int) -> np.ndarray:
    """One profile's rows (of one year) as a [2, N] grid of shares summing to 1."""
    require_grid(sub, [("sex", SEXES), ("age", range(n_ages))], f"the in-migration profile {name!r}{label}")
    grid = _age_sex_grid(sub, n_ages, "share")
    if abs(grid.sum() - 1.0) > SHARE_TOLERANCE:
        raise InputError(
            Problem(
                "shares that sum to 1 over all ages and both sexes",
                file=str(sub.file),
                field=f"profile {name!r}{label}",
                found=f"a sum of {grid.sum():.6g}",
                row=True,
            )
        )
    return grid


def _dated_profiles(
    prof: Table, names: tuple[str, ...], base_year: int, end_year: int, n_ages: int
) -> tuple[dict[str, np.ndarray], dict[str, DatedRates]]:
    """In-migration profiles with a year column: each profile a table per year, as the other rate tables."""
    grids: dict[str, np.ndarray] = {}
    dated: dict[str, DatedRates] = {}
    for name in names:
        sub = subset(prof, np.array([p == name for p in prof.columns["profile"]]))
        grids[name], by_year = dated_grids(
            sub, base_year, end_year, lambda t, label, name=name: _profile_grid(t, label, name, n_ages)
        )
        if by_year is not None and len(by_year.years) > 1:
            dated[name] = by_year
    return grids, dated


def load_population(
    config: ScenarioConfig, files: dict[str, Path], smap: SourceMap, top: Path, cache: TableCache | None = None
) -> PopulationData:
    """Read and check the population tables and lay them out on the model grid (see :class:`PopulationData`).

    ``cache``: tables read before (see :class:`TableCache`).
    """
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

    table = table_reader(files, smap, top, cache)
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

    def age_sex(what: str) -> Callable[[Table, str], np.ndarray]:
        def grid(sub: Table, label: str) -> np.ndarray:
            require_grid(sub, [("sex", SEXES), ("age", ages)], what + label)
            return _age_sex_grid(sub, n_ages, "rate")

        return grid

    dated: dict[str, DatedRates] = {}
    mort = table("population.mortality.rates", [YEAR_COLUMN, age_col, sex_col, rate_col], ["year", "age", "sex"])
    death_rate, dated_mort = dated_grids(mort, h.base_year, h.end_year, age_sex("the mortality rates"))

    lo, hi = FERTILE_AGES
    fert = table(
        "population.fertility.rates",
        [
            YEAR_COLUMN,
            Column("age", "int", lo, hi, expected=f"a woman's age from {lo} to {hi}"),
            Column("rate", "float", 0.0, 1.0, expected="births per woman per year, between 0 and 1"),
        ],
        ["year", "age"],
    )

    def fertility_grid(sub: Table, label: str) -> np.ndarray:
        require_grid(sub, [("age", range(lo, hi + 1))], "the fertility rates" + label)
        rates = np.zeros(n_ages)
        rates[sub.columns["age"]] = sub.columns["rate"]
        return rates

    fertility_rate, dated_fert = dated_grids(fert, h.base_year, h.end_year, fertility_grid)

    out = table("population.migration.out_rates", [YEAR_COLUMN, age_col, sex_col, rate_col], ["year", "age", "sex"])
    out_rate, dated_out = dated_grids(out, h.base_year, h.end_year, age_sex("the out-migration rates"))
    for key, rates in (("mortality", dated_mort), ("fertility", dated_fert), ("out_migration", dated_out)):
        if rates is not None:
            dated[key] = rates

    prof = table(
        "population.migration.in_profiles",
        [
            YEAR_COLUMN,
            Column("profile", "str", expected="a profile name"),
            age_col,
            sex_col,
            Column("share", "float", 0.0, 1.0, expected="a share between 0 and 1"),
        ],
        ["year", "profile", "age", "sex"],
    )
    names = tuple(dict.fromkeys(prof.columns["profile"]))
    in_profiles: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    if any(y is not None for y in prof.columns["year"]):
        in_profiles, dated_profiles = _dated_profiles(prof, names, h.base_year, h.end_year, n_ages)
        dated.update({f"in_profile:{k}": v for k, v in dated_profiles.items()})
    else:
        require_grid(prof, [("profile", names), ("sex", SEXES), ("age", ages)], "the in-migration profiles")
    for name in names if not in_profiles else ():  # undated: laid out here, as always
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
                problem(
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
        worst = float(((dated_out.values if dated_out is not None else out_rate) * scale).max())
        if worst > 1.0:
            problems.append(
                problem(
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
        death_rate=death_rate,
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
        dated=dated,
    )
