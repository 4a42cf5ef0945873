"""Observed population by year and single age (and sex, and planning area, where given), for calibration and backtests.

Three layouts are read, each checked with the file, row, field, what was found and what is expected:

* a tidy CSV (``,``): ``year, age, persons`` and optionally ``sex`` (female/male), ``area`` (a planning
  area id of the scenario), ``code`` (a municipality code) and ``municipality`` (a name, ignored);
* an SSB CSV download (``;``, Norwegian headers, ``"95 år"`` ages; table 07459) — :mod:`~ltsim.io.ssb.ssb_csv`;
* a JSON-stat 2.0 document saved from SSB's PxWebApi (table 07459) — :mod:`~ltsim.io.ssb.jsonstat`.

Old municipality codes are summed into today's code through the code table (0220 Asker, 0627 Røyken
and 0628 Hurum are 3025 in 2020–2023 and 3203 from 2024), so a history runs across a merger; a year
with figures under both an old code and its successor is refused (it would count people twice).
Ages above the scenario's last age are added to its open class. A file without a sex split gives
persons of both sexes; splitting them is the caller's stated rule (see :func:`split_by_sex`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ltsim.errors import InputError, Problem, printable
from ltsim.io.files import read_regular_file
from ltsim.io.ssb.codes import CodeTable, load_code_table
from ltsim.io.ssb.dimensions import (
    IDENTIFIER,
    age_axis,
    clean_code,
    collapse_others,
    keep_persons,
    pick_municipality,
    select_categories,
    sex_of_category,
    years_of,
)
from ltsim.io.ssb.jsonstat import JsonStat, file_problem, read_jsonstat
from ltsim.io.ssb.ssb_csv import MAX_CSV_BYTES, decode, looks_like_ssb_csv, read_ssb_csv
from ltsim.io.tables import Column, read_table

SEXES = ("female", "male")
WHOLE = "all"
"""The area name of figures for the municipality as a whole."""


@dataclass(frozen=True, slots=True)
class Observed:
    """Persons on 1 January of each year: ``persons`` [T, R, S, N] with S = 2 (female, male) or 1 (both sexes)."""

    file: str
    years: np.ndarray  # [T] sorted
    areas: tuple[str, ...]  # planning areas, or (WHOLE,) for the municipality
    persons: np.ndarray
    municipality: str = ""  # today's code, "" when the file names none
    codes: tuple[str, ...] = ()  # the codes summed into it

    @property
    def by_sex(self) -> bool:
        """Whether the figures are split by sex."""
        return self.persons.shape[2] == 2

    def by_age(self) -> np.ndarray:
        """Persons of both sexes [T, R, N]."""
        return self.persons.sum(axis=2)

    def until(self, year: int) -> Observed:
        """Only the years up to and including ``year``."""
        keep = self.years <= year
        return replace(self, years=self.years[keep], persons=self.persons[keep])


def read_observed(
    path: Path, max_age: int, municipality: str | None = None, codes_file: Path | None = None
) -> Observed:
    """Read observed population from a tidy CSV, an SSB CSV download or a JSON-stat file (see the module)."""
    codes = load_code_table(codes_file)
    if path.suffix.lower() == ".json":
        return _from_dataset(read_jsonstat(path), codes, municipality, max_age)
    text = decode(read_regular_file(path, MAX_CSV_BYTES, "CSV file of observed population"))
    if looks_like_ssb_csv(text):
        return _from_dataset(read_ssb_csv(path, text), codes, municipality, max_age)
    return _from_tidy(path, codes, municipality, max_age)


def split_by_sex(persons_by_age: np.ndarray, male_share: np.ndarray) -> np.ndarray:
    """Split persons of both sexes [..., N] into [..., 2, N]: male = persons × ``male_share[age]``."""
    male = persons_by_age * male_share
    return np.stack([persons_by_age - male, male], axis=-2)


# --------------------------------------------------------------------------- SSB datasets


def _from_dataset(data: JsonStat, codes: CodeTable, municipality: str | None, max_age: int) -> Observed:
    target, _, members = pick_municipality(data, codes, municipality)
    age_target, open_at = age_axis(data, max_age, required=True)
    assert age_target is not None
    age_dim = data.dim("age")
    assert age_dim is not None
    if 0 <= open_at < max_age:
        raise InputError(
            file_problem(
                data.file,
                f"single ages up to at least the scenario's last age {max_age}",
                f"an open age class {open_at}+",
                field=f"dimension {age_dim.id!r}",
            )
        )
    keep_persons(data)
    collapse_others(data)
    years = years_of(data)
    if data.dim("region") is not None:
        select_categories(data, "region", members)
    axes = {kind: data.dimensions.index(d) for kind in data.kinds if (d := data.dim(kind)) is not None}
    vals = data.values
    sex_dim = data.dim("sex")
    sexes: list[int] = []
    if sex_dim is not None:
        of = [sex_of_category(c, sex_dim.labels.get(c, "")) for c in sex_dim.codes]
        if {"female", "male"} <= set(of):
            sexes = [of.index("female"), of.index("male")]
        else:  # only a total ("Begge kjønn"): no sex split
            sexes = [i for i, s in enumerate(of) if s is None][:1]
    order = [axes["time"], *([axes["region"]] if "region" in axes else []), *([axes["sex"]] if sex_dim else [])]
    order.append(axes["age"])
    rest = [i for i in range(vals.ndim) if i not in order]
    vals = np.transpose(vals, order + rest).reshape(
        len(years), -1, len(sex_dim.codes) if sex_dim else 1, len(age_target)
    )
    if sexes:
        vals = vals[:, :, sexes]
    ages = [i for i, a in enumerate(age_target) if a is not None]
    vals = vals[:, :, :, ages]  # [T, R, S, ages]
    region = data.dim("region")
    region_codes = [clean_code(c) for c in region.codes] if region is not None else [target or WHOLE]
    check_regions(data.file, vals, years, region_codes, codes)
    grid = np.zeros((len(years), 1, vals.shape[2], max_age + 1))
    summed = np.nansum(vals, axis=1)  # [T, S, ages]
    for j, cat in enumerate(ages):
        grid[:, 0, :, age_target[cat]] += summed[:, :, j]  # type: ignore[index]
    have = ~np.isnan(vals).all(axis=(1, 2, 3))
    order_t = np.argsort(years)
    keep = order_t[have[order_t]]
    if not len(keep):
        raise InputError(file_problem(data.file, "figures for at least one year", "only missing values ('.', '..')"))
    used = tuple(sorted({region_codes[r] for r in range(vals.shape[1]) if not np.isnan(vals[:, r]).all()}))
    return Observed(data.file, np.array(years)[keep], (WHOLE,), grid[keep], target, used)


def check_regions(file: str, vals: np.ndarray, years: list[int], region_codes: list[str], codes: CodeTable) -> None:
    """Each region-year is complete or wholly missing; no year counts an old code and its successor both."""
    for t, year in enumerate(years):
        present = []
        for r, code in enumerate(region_codes):
            block = vals[t, r]
            missing = np.isnan(block)
            if missing.all():
                continue
            if missing.any():
                raise InputError(
                    file_problem(
                        file,
                        "a figure for every age (and sex) of a municipality in a year it has figures",
                        f"{int(missing.sum())} missing values for {code} in {year}",
                    )
                )
            present.append(code)
        for a in present:
            if any(b != a and codes.current(a) == codes.current(b) and _succeeds(codes, a, b) for b in present):
                raise InputError(
                    file_problem(
                        file,
                        f"figures for {year} under one code of a merger, not both an old code and its successor",
                        f"figures for {a} and its successor in {year}",
                    )
                )


def _succeeds(codes: CodeTable, old: str, new: str) -> bool:
    """Whether ``new`` follows ``old`` in the chain of code changes."""
    seen = {old}
    while old in codes.successor and codes.successor[old] not in seen:
        old = codes.successor[old]
        if old == new:
            return True
        seen.add(old)
    return False


# --------------------------------------------------------------------------- tidy CSV


def _from_tidy(path: Path, codes: CodeTable, municipality: str | None, max_age: int) -> Observed:
    table = read_table(
        path,
        [
            Column("year", "int", 1900, 2300, expected="a year such as 2010 (persons on 1 January)"),
            Column("code", "str", pattern=r"^\d{4}$", required=False, expected="a four-digit municipality code"),
            Column("municipality", "str", required=False),
            Column("area", "str", pattern=IDENTIFIER, required=False, expected="a planning area id"),
            Column("age", "int", 0, 130, expected="a whole number of years from 0 to 130"),
            Column("sex", "str", choices=SEXES, required=False, expected="female or male"),
            Column("persons", "float", 0.0, 1e8, expected="a number of persons ≥ 0"),
        ],
        ["year", "code", "area", "age", "sex"],
    )
    file = str(path)
    if len(table) == 0:
        raise InputError(Problem("rows of figures below the header", file=file, line=2, found="none", row=True))
    for name in ("code", "area", "sex"):
        given = [v is not None for v in table.columns[name]]
        if any(given) and not all(given):
            raise InputError(
                Problem(
                    f"a {name} in every row, or no '{name}' column",
                    file=file,
                    line=int(table.rows[given.index(False)]),
                    field=f"column '{name}'",
                    found="a blank cell",
                    row=True,
                )
            )
    year_col, age_col = table.columns["year"], table.columns["age"]
    persons_col = table.columns["persons"]
    code_col = table.columns["code"]
    target = ""
    used: tuple[str, ...] = ()
    if code_col[0] is not None:
        target, used, keep = merged_codes(file, codes, municipality, code_col, year_col)
    else:
        keep = np.ones(len(table), dtype=bool)
    areas = tuple(dict.fromkeys(a for a, k in zip(table.columns["area"], keep, strict=True) if k))
    if areas == (None,):
        areas = (WHOLE,)
    by_sex = table.columns["sex"][0] is not None
    years = np.array(sorted(set(year_col[keep].tolist())), dtype=np.int64)
    grid = np.zeros((len(years), len(areas), 2 if by_sex else 1, max_age + 1))
    seen = np.zeros((len(years), len(areas), 2 if by_sex else 1, 131), dtype=bool)
    t_idx = np.searchsorted(years, year_col)
    for i in np.flatnonzero(keep):
        r = areas.index(table.columns["area"][i] or WHOLE) if areas != (WHOLE,) else 0
        s = SEXES.index(table.columns["sex"][i]) if by_sex else 0
        grid[t_idx[i], r, s, min(int(age_col[i]), max_age)] += persons_col[i]
        seen[t_idx[i], r, s, int(age_col[i])] = True
    gaps = np.argwhere(~seen[..., : max_age + 1])
    if len(gaps):
        t, r, s, a = gaps[0]
        where = (
            f"{years[t]}" + (f", area {areas[r]}" if areas != (WHOLE,) else "") + (f", {SEXES[s]}" if by_sex else "")
        )
        raise InputError(
            Problem(
                f"a row for every age 0–{max_age} in every year (ages above {max_age} are added to {max_age}+)",
                file=file,
                field="column 'age'",
                found=f"{len(gaps)} missing, the first: age {a} in {where}",
            )
        )
    return Observed(file, years, areas, grid, target, used)


def merged_codes(
    file: str, codes: CodeTable, municipality: str | None, code_col: tuple, year_col: np.ndarray
) -> tuple[str, tuple[str, ...], np.ndarray]:
    """A tidy file's rows for one municipality today (old codes mapped through the code table).

    Returns today's code, the codes summed into it and a mask of the rows kept; refuses a file of
    several municipalities without ``municipality`` and a year under both an old code and its successor.
    """
    current = {c: codes.current(c) for c in set(code_col)}
    wanted = codes.current(municipality) if municipality else None
    targets = sorted(set(current.values()))
    if wanted is None and len(targets) != 1:
        raise InputError(
            Problem(
                "one municipality (old codes are mapped through the code table), or --municipality CODE",
                file=file,
                field="column 'code'",
                found=f"{len(targets)} municipalities today: {', '.join(targets)}",
            )
        )
    target = wanted or targets[0]
    keep = np.array([current[c] == target for c in code_col])
    if not keep.any():
        raise InputError(Problem(f"rows for municipality {target}", file=file, field="column 'code'", found="none"))
    used = tuple(sorted({c for c, k in zip(code_col, keep, strict=True) if k}))
    for year in sorted(set(year_col[keep].tolist())):
        here = {c for c, y, k in zip(code_col, year_col, keep, strict=True) if k and y == year}
        for a in here:
            if any(_succeeds(codes, a, b) for b in here):
                raise InputError(
                    Problem(
                        f"figures for {year} under one code of a merger, not both an old code and its successor",
                        file=file,
                        field="column 'code'",
                        found=f"{a} and its successor in {year}",
                    )
                )
    return target, used, keep


def describe(observed: Observed) -> str:
    """``3203: 2005–2010, by age (both sexes)`` for messages and summaries."""
    span = f"{observed.years[0]}–{observed.years[-1]}" if len(observed.years) > 1 else str(observed.years[0])
    split = "by age and sex" if observed.by_sex else "by age (both sexes)"
    where = observed.municipality or ", ".join(observed.areas)
    return f"{printable(where)}: {span}, {split}"
