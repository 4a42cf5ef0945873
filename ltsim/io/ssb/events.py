"""Observed births and deaths per year (and planning area, where given), for calibration.

The same layouts as observed population (:mod:`ltsim.io.ssb.observed`), through the same readers:

* a tidy CSV (``,``): ``year`` and ``births`` (or ``deaths``), optionally ``code`` (a municipality
  code; old codes are summed into today's), ``area`` (a planning area id), ``sex`` and ``age``
  (figures by sex or age are summed: only the yearly count is used);
* an SSB CSV download (``;``, Norwegian headers) or a JSON-stat file of a table with births and deaths
  by municipality and year, such as 10211 or 06913: the statistic (``statistikkvariabel`` /
  ``ContentsCode``) that counts live births (``Levendefødte``, ``Fødte``, ``Fødde``, "births") or
  deaths (``Døde``, ``Daude``, "deaths") is taken; categories by sex, age of the mother or age at death
  are summed (their totals dropped, or used when they are all there is).

Events are counted over the calendar year: births in ``year`` belong to the flow from 1 January
``year`` to 1 January ``year + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ltsim.errors import InputError, Problem
from ltsim.io.files import read_regular_file
from ltsim.io.ssb.codes import CodeTable, load_code_table
from ltsim.io.ssb.dimensions import IDENTIFIER, clean_code, is_total, pick_municipality, select_categories, years_of
from ltsim.io.ssb.jsonstat import JsonStat, file_problem, norm_text, read_jsonstat
from ltsim.io.ssb.observed import WHOLE, check_regions, merged_codes
from ltsim.io.ssb.ssb_csv import MAX_CSV_BYTES, decode, looks_like_ssb_csv, read_ssb_csv
from ltsim.io.tables import Column, read_table

KINDS = ("births", "deaths")
WORDS = {
    "births": (("levendefodte", "fodte", "fodde", "birth"), ("dodfod", "stillbirth", "overskot", "overskudd")),
    "deaths": (("dode", "daude", "death"), ("dodfod", "stillbirth", "overskot", "overskudd", "dodelighet")),
}
"""Words (accents dropped) naming the statistic of each kind, and words that rule a category out."""
NAMES = {"births": "live births (Levendefødte)", "deaths": "deaths (Døde)"}


@dataclass(frozen=True, slots=True)
class Events:
    """Births or deaths during each calendar year: ``counts`` [T, R] (R areas, or (WHOLE,))."""

    file: str
    kind: str
    years: np.ndarray  # [T] sorted
    areas: tuple[str, ...]
    counts: np.ndarray
    municipality: str = ""
    codes: tuple[str, ...] = ()

    def until(self, year: int) -> Events:
        """Only the years up to and including ``year``."""
        keep = self.years <= year
        return replace(self, years=self.years[keep], counts=self.counts[keep])


def read_events(kind: str, path: Path, municipality: str | None = None, codes_file: Path | None = None) -> Events:
    """Read observed births or deaths (``kind``) from a tidy CSV, an SSB CSV download or a JSON-stat file."""
    assert kind in KINDS
    codes = load_code_table(codes_file)
    if path.suffix.lower() == ".json":
        return _from_dataset(kind, read_jsonstat(path), codes, municipality)
    text = decode(read_regular_file(path, MAX_CSV_BYTES, f"CSV file of {kind}"))
    if looks_like_ssb_csv(text):
        return _from_dataset(kind, read_ssb_csv(path, text), codes, municipality)
    return _from_tidy(kind, path, codes, municipality)


def _statistic(kind: str, data: JsonStat) -> int | None:
    """The index of the contents category counting ``kind``; None when the file has no contents dimension."""
    dim = data.dim("contents")
    if dim is None:
        return None
    good, bad = WORDS[kind]
    texts = [norm_text(c + " " + dim.labels.get(c, "")) for c in dim.codes]
    hits = [i for i, t in enumerate(texts) if any(w in t for w in good) and not any(w in t for w in bad)]
    if len(hits) != 1:
        raise InputError(
            file_problem(
                data.file,
                f"one statistic counting {NAMES[kind]}",
                ", ".join(
                    f"{c!r} ({dim.labels.get(c, '')})" if dim.labels.get(c, c) != c else repr(c) for c in dim.codes
                ),
                field=f"dimension {dim.id!r}",
            )
        )
    return hits[0]


def _from_dataset(kind: str, data: JsonStat, codes: CodeTable, municipality: str | None) -> Events:
    target, _, members = pick_municipality(data, codes, municipality)
    stat = _statistic(kind, data)
    if stat is not None:
        select_categories(data, "contents", [stat])
    for other in ("sex", "age"):
        if data.dim(other) is not None:
            dim = data.dim(other)
            assert dim is not None
            parts = [i for i, c in enumerate(dim.codes) if not is_total(c, dim.labels.get(c, ""))]
            if len(parts) > 1:
                axis = data.dimensions.index(dim)
                block = np.take(data.values, parts, axis=axis)
                summed = np.nansum(block, axis=axis, keepdims=True)
                summed[np.isnan(block).all(axis=axis, keepdims=True)] = np.nan
                select_categories(data, other, parts[:1])
                data.values = summed
            else:
                select_categories(data, other, parts or [0])
    years = years_of(data)
    if data.dim("region") is not None:
        select_categories(data, "region", members)
    known = {d for k, d in data.kinds.items() if k in ("time", "region", "contents", "sex", "age")}
    for dim in data.dimensions:
        if dim.id not in known and len(dim.codes) > 1:
            raise InputError(
                file_problem(
                    data.file,
                    f"{NAMES[kind]} by region, year and (summed) sex or age; any other dimension with one category",
                    f"dimension {dim.describe()} with categories {', '.join(dim.codes[:6])}",
                )
            )
    t_axis = data.dimensions.index(data.dim("time"))  # type: ignore[arg-type]
    region = data.dim("region")
    vals = np.moveaxis(data.values, t_axis, 0)
    if region is not None:
        r_axis = [d.id for d in data.dimensions if d.id != data.kinds["time"]].index(region.id) + 1
        vals = np.moveaxis(vals, r_axis, 1)
    vals = vals.reshape(len(years), len(region.codes) if region is not None else 1)  # [T, R]
    region_codes = [clean_code(c) for c in region.codes] if region is not None else [target or WHOLE]
    check_regions(data.file, vals[:, :, None, None], years, region_codes, codes)
    have = ~np.isnan(vals).all(axis=1)
    order = np.argsort(years)
    keep = order[have[order]]
    if not len(keep):
        raise InputError(file_problem(data.file, "figures for at least one year", "only missing values ('.', '..')"))
    used = tuple(sorted({region_codes[r] for r in range(vals.shape[1]) if not np.isnan(vals[:, r]).all()}))
    counts = np.nansum(vals, axis=1)[keep][:, None]
    return Events(data.file, kind, np.array(years)[keep], (WHOLE,), counts, target, used)


def _from_tidy(kind: str, path: Path, codes: CodeTable, municipality: str | None) -> Events:
    table = read_table(
        path,
        [
            Column("year", "int", 1900, 2300, expected="a year such as 2010 (events during that calendar year)"),
            Column("code", "str", pattern=r"^\d{4}$", required=False, expected="a four-digit municipality code"),
            Column("municipality", "str", required=False),
            Column("area", "str", pattern=IDENTIFIER, required=False, expected="a planning area id"),
            Column("sex", "str", choices=("female", "male"), required=False, expected="female or male"),
            Column("age", "int", 0, 130, required=False, expected="a whole number of years from 0 to 130"),
            Column(kind, "float", 0.0, 1e7, expected=f"a number of {kind} ≥ 0"),
        ],
        ["year", "code", "area", "sex", "age"],
    )
    file = str(path)
    if len(table) == 0:
        raise InputError(Problem("rows of figures below the header", file=file, line=2, found="none", row=True))
    for name in ("code", "area"):
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
    code_col = table.columns["code"]
    target, used, keep = "", (), np.ones(len(table), dtype=bool)
    if code_col[0] is not None:
        target, used, keep = merged_codes(file, codes, municipality, code_col, table.columns["year"])
    areas = tuple(dict.fromkeys(a for a, k in zip(table.columns["area"], keep, strict=True) if k))
    if areas == (None,):
        areas = (WHOLE,)
    year_col = table.columns["year"]
    years = np.array(sorted(set(year_col[keep].tolist())), dtype=np.int64)
    counts = np.zeros((len(years), len(areas)))
    seen = np.zeros(counts.shape, dtype=bool)
    t_idx = np.searchsorted(years, year_col)
    for i in np.flatnonzero(keep):
        r = areas.index(table.columns["area"][i]) if areas != (WHOLE,) else 0
        counts[t_idx[i], r] += table.columns[kind][i]
        seen[t_idx[i], r] = True
    if not seen.all():
        t, r = np.argwhere(~seen)[0]
        raise InputError(
            Problem(
                f"{kind} for every planning area in every year of the file",
                file=file,
                field="column 'area'",
                found=f"no row for area {areas[r]} in {years[t]}",
            )
        )
    return Events(file, kind, years, areas, counts, target, used)
