"""The scenario's population tables from an SSB dataset: the base population and the control totals.

``import_ssb`` reads the file and the code table, picks the municipality and builds
``population_<year>.csv`` (persons by area, sex and single year of age) or, for a projection,
``control_totals_<variant>.csv`` (persons per year); nothing is written here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ltsim.errors import InputError, Problem
from ltsim.io.ssb.codes import CodeTable, load_code_table
from ltsim.io.ssb.csv_files import read_csv_file
from ltsim.io.ssb.dimensions import (
    IDENTIFIER,
    age_axis,
    clean_code,
    collapse_others,
    keep_persons,
    pick_municipality,
    select_categories,
    sex_of_category,
    slug,
    years_of,
)
from ltsim.io.ssb.jsonstat import JsonStat, file_problem, norm_text, read_jsonstat, variant_name
from ltsim.io.tables import Column

SEXES = ("female", "male")


@dataclass(frozen=True, slots=True)
class SsbResult:
    """What an import produced: the files (name → text) and a few facts for the summary."""

    files: dict[str, str]
    municipality: str
    name: str
    codes: tuple[str, ...]  # the codes in the file summed into ``municipality``
    year: int | None
    persons: float
    variants: tuple[str, ...] = ()


def _fmt(value: float) -> str:
    text = f"{value:.3f}"
    return "0.000" if float(text) == 0.0 else text


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return "".join(",".join(r) + "\n" for r in [header, *rows])


def import_ssb(
    path: Path,
    municipality: str | None = None,
    year: int | None = None,
    max_age: int = 100,
    area_shares: Path | None = None,
    area_id: str | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    codes_file: Path | None = None,
) -> SsbResult:
    """Read an SSB JSON-stat file and build the scenario tables (nothing is written here).

    A file with a projection variant (a dimension such as 'Alternativ', or variants like
    MMMM in the contents) gives ``control_totals_<variant>.csv`` for the years
    ``from_year``…``to_year``; any other file gives ``population_<year>.csv`` for ``year``
    (default: the latest year with figures).
    """
    data = read_jsonstat(path)
    codes = load_code_table(codes_file)
    target, name, members = pick_municipality(data, codes, municipality)
    projection = data.dim("variant") is not None or any(w in norm_text(data.label) for w in ("framskr", "projected"))
    age_target, open_at = age_axis(data, max_age, required=not projection)
    if data.dim("sex") is None and not projection:
        raise InputError(
            file_problem(
                data.file, "a sex dimension (Kjonn: 1 = male, 2 = female) for the base population", data.found()
            )
        )
    keep_persons(data)
    collapse_others(data)
    years = years_of(data)
    region = data.dim("region")
    if region is not None:
        select_categories(data, "region", members)
        region = data.dim("region")
    if projection:
        return _control_totals(data, target, name, years, age_target, from_year, to_year)
    return _population(data, codes, target, name, years, year, max_age, age_target, open_at, area_shares, area_id)


def _axes(data: JsonStat) -> dict[str, int]:
    return {kind: data.dimensions.index(d) for kind in data.kinds if (d := data.dim(kind)) is not None}


def _population(
    data: JsonStat,
    codes: CodeTable,
    target: str,
    name: str,
    years: list[int],
    year: int | None,
    max_age: int,
    age_target: list[int | None] | None,
    open_at: int,
    area_shares: Path | None,
    area_id: str | None,
) -> SsbResult:
    assert age_target is not None
    ax = _axes(data)
    sex_dim = data.dim("sex")
    assert sex_dim is not None
    sex_of = [sex_of_category(c, sex_dim.labels.get(c, "")) for c in sex_dim.codes]
    if not {"female", "male"} <= set(sex_of):
        raise InputError(
            file_problem(
                data.file,
                "both sexes in the sex dimension (1 = male, 2 = female)",
                ", ".join(f"{c!r} ({sex_dim.labels.get(c, '')})" for c in sex_dim.codes),
                field=f"dimension {sex_dim.id!r}",
            )
        )
    ages_here = sorted({a for a in age_target if a is not None})
    if open_at >= 0 and open_at < max_age:
        raise InputError(
            file_problem(
                data.file,
                f"single ages up to at least --max-age {max_age} (or a lower --max-age)",
                f"an open age class {open_at}+",
                field=f"dimension {data.dim('age').id!r}",  # type: ignore[union-attr]
            )
        )
    missing_ages = [a for a in range(max_age + 1) if a not in ages_here]
    if missing_ages:
        raise InputError(
            file_problem(
                data.file,
                f"every single age 0…{max_age} (save the table with all ages, or lower --max-age)",
                f"no ages {_ranges(missing_ages)}",
                field=f"dimension {data.dim('age').id!r}",  # type: ignore[union-attr]
            )
        )
    # Move the axes to a known order: time, region (or none), sex, age.
    vals = data.values
    order = [ax["time"], *([ax["region"]] if "region" in ax else []), ax["sex"], ax["age"]]
    rest = [i for i in range(vals.ndim) if i not in order]
    vals = np.transpose(vals, order + rest).reshape(vals.shape[order[0]], -1, len(sex_of), len(age_target))
    # vals[t, region, sex_cat, age_cat] (other axes have one category each)
    sex_idx = [sex_of.index("female"), sex_of.index("male")]
    age_cats = [i for i, a in enumerate(age_target) if a is not None]
    cells = vals[:, :, sex_idx][:, :, :, age_cats]  # [T, R, 2, ages]
    have = ~np.isnan(cells).all(axis=(2, 3))  # [T, R]: the region has figures that year
    with_data = [years[t] for t in range(len(years)) if have[t].any()]
    if not with_data:
        raise InputError(
            file_problem(data.file, f"figures for municipality {target}", "only missing values ('.', '..')")
        )
    chosen = max(with_data) if year is None else year
    if chosen not in with_data:
        raise InputError(
            file_problem(
                data.file,
                f"a year with figures for municipality {target}: {_ranges(sorted(with_data))}",
                f"--year {chosen}",
                field=f"dimension {data.dim('time').id!r}",  # type: ignore[union-attr]
            )
        )
    t = years.index(chosen)
    region = data.dim("region")
    contributing = [r for r in range(cells.shape[1]) if have[t, r]]
    if region is not None:
        used = [clean_code(region.codes[r]) for r in contributing]
        for a in used:
            for b in used:
                if a != b and codes.current(a) == target and b in _chain(codes, a):
                    raise InputError(
                        file_problem(
                            data.file,
                            f"figures for {chosen} under one code of the merger, not both an old code and its successor",
                            f"both {a} and {b} have figures for {chosen}",
                            field=f"dimension {region.id!r}",
                        )
                    )
    block = cells[t][contributing]  # [R', 2, ages]
    gaps = np.argwhere(np.isnan(block))
    if len(gaps):
        r, s, a = gaps[0]
        code = clean_code(region.codes[contributing[r]]) if region is not None else target
        raise InputError(
            file_problem(
                data.file,
                "a number of persons in every age and sex cell of the base year",
                f"{len(gaps)} missing values, the first: region {code}, {SEXES[s]}, age category "
                f"{data.dim('age').codes[age_cats[a]]!r}, {chosen}",  # type: ignore[union-attr]
            )
        )
    grid = np.zeros((2, max_age + 1))
    for j, cat in enumerate(age_cats):
        grid[:, age_target[cat]] += block[:, :, j].sum(axis=0)  # type: ignore[index]
    areas = _areas(area_shares, area_id or slug(name))
    rows = []
    for area, milli in _split(grid, areas):
        for s, sex in enumerate(SEXES):
            for age in range(max_age + 1):
                rows.append([area, str(age), sex, _fmt(milli[s, age] / 1000)])
    used_codes = tuple(sorted({clean_code(region.codes[r]) for r in contributing})) if region is not None else ()
    return SsbResult(
        files={f"population_{chosen}.csv": _csv(["area", "age", "sex", "persons"], rows)},
        municipality=target,
        name=name,
        codes=used_codes,
        year=chosen,
        persons=float(grid.sum()),
    )


def _chain(codes: CodeTable, code: str) -> set[str]:
    """The successors of ``code`` (not the code itself)."""
    out = set()
    while code in codes.successor and codes.successor[code] not in out:
        code = codes.successor[code]
        out.add(code)
    return out


def _ranges(values: Sequence[int]) -> str:
    parts: list[str] = []
    start = prev = None
    for v in [*values, None]:
        if v is not None and prev is not None and v == prev + 1:
            prev = v
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = v
    return ", ".join(parts)


def _areas(path: Path | None, default: str) -> list[tuple[str, float]]:
    if path is None:
        return [(default, 1.0)]
    table = read_csv_file(
        path,
        [
            Column(
                "area", "str", pattern=IDENTIFIER, expected="a planning area id of lower-case letters, digits and '_'"
            ),
            Column("share", "float", 0.0, 1.0, expected="the area's share of the population, 0–1"),
        ],
        ["area"],
        "--areas",
    )
    shares = table.columns["share"]
    total = float(np.sum(shares))
    if len(table) == 0 or abs(total - 1.0) > 1e-6:
        raise InputError(
            Problem("area shares that sum to 1", file=str(path), found=f"a sum of {total:g} over {len(table)} areas")
        )
    return list(zip(table.columns["area"], (float(s) for s in shares), strict=True))  # type: ignore[arg-type]


def _split(grid: np.ndarray, areas: list[tuple[str, float]]) -> list[tuple[str, np.ndarray]]:
    """Split persons (rounded to thousandths) by area shares; each cell's parts add up exactly.

    Largest remainder: each area gets floor(total × share) thousandths, the leftover
    thousandths go to the largest remainders (ties: the first area), so the totals by age
    and sex are those of the file.
    """
    total = np.rint(grid * 1000).astype(np.int64)
    if len(areas) == 1:
        return [(areas[0][0], total.astype(float))]
    shares = np.array([s for _, s in areas])
    exact = total[None] * shares[:, None, None]
    base = np.floor(exact + 1e-9).astype(np.int64)
    left = total - base.sum(axis=0)
    rem = exact - base
    order = np.argsort(-rem, axis=0, kind="stable")
    rank = np.argsort(order, axis=0, kind="stable")
    base += rank < left[None]
    return [(a, base[i].astype(float)) for i, (a, _) in enumerate(areas)]


def _control_totals(
    data: JsonStat,
    target: str,
    name: str,
    years: list[int],
    age_target: list[int | None] | None,
    from_year: int | None,
    to_year: int | None,
) -> SsbResult:
    ax = _axes(data)
    vals = data.values
    # Drop total categories of age and sex when single categories are there (never add a total to its parts).
    for kind, keep in (("age", None), ("sex", None)):
        dim = data.dim(kind)
        if dim is None:
            continue
        if kind == "age":
            keep = [i for i, a in enumerate(age_target or []) if a is not None]
        else:
            keep = [i for i, c in enumerate(dim.codes) if sex_of_category(c, dim.labels.get(c, ""))]
        if not keep:  # only totals: use them
            keep = list(range(len(dim.codes)))
        vals = np.take(vals, keep, axis=ax[kind])
    variant = data.dim("variant")
    time_axis = ax["time"]
    if variant is None:
        names = ["projection"]
        per_variant = [vals]
    else:
        v_axis = ax["variant"]
        names = [variant_name(c, variant.labels.get(c, "")) or slug(c) for c in variant.codes]
        per_variant = [np.take(vals, [i], axis=v_axis) for i in range(len(variant.codes))]
    if len(set(names)) != len(names):
        raise InputError(
            file_problem(data.file, "distinct projection variants", ", ".join(names), field=f"dimension {variant.id!r}")  # type: ignore[union-attr]
        )
    lo = from_year if from_year is not None else min(years)
    hi = to_year if to_year is not None else max(years)
    picked = [i for i, y in enumerate(years) if lo <= y <= hi]
    if not picked:
        raise InputError(
            file_problem(
                data.file,
                f"years from {lo} to {hi} in the file",
                f"years {_ranges(sorted(years))}",
                field=f"dimension {data.dim('time').id!r}",  # type: ignore[union-attr]
            )
        )
    files: dict[str, str] = {}
    for vname, block in zip(names, per_variant, strict=True):
        rows = []
        for i in picked:
            cell = np.take(block, [i], axis=time_axis)
            if np.isnan(cell).all():
                raise InputError(
                    file_problem(
                        data.file,
                        f"a projected population for every year {lo}–{hi}",
                        f"no figures for {years[i]}, variant {vname}",
                    )
                )
            total = float(np.nansum(cell))
            rows.append([str(years[i]), _fmt(total)])
        files[f"control_totals_{vname}.csv"] = _csv(["year", "persons"], rows)
    return SsbResult(
        files=files,
        municipality=target,
        name=name,
        codes=(),
        year=None,
        persons=math.nan,
        variants=tuple(names),
    )
