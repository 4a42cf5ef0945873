"""Rates in time: a mortality, fertility or out-migration table may carry a ``year`` column.

A table without one holds for every year, exactly as before. With one, each year's rows are a
whole table that holds from that year until the next year given (so a period is written as its
first year): a 2010-based run uses the table in force in 2010, then each later one from its year.
The first year must be at or before the base year — a 2010-based run never silently uses rates
dated 2024 — and tables dated after the last flow year (``end_year − 1``) are not used, so a
dated path may reach beyond the horizon.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ltsim.errors import InputError, Problem
from ltsim.io.tables import Column, Table

YEAR_COLUMN = Column(
    "year",
    "int",
    1900,
    2300,
    required=False,
    expected="the first year the row's rates hold (a whole number), or no 'year' column for rates that hold every year",
)


@dataclass(frozen=True, slots=True)
class DatedRates:
    """Tables per year: ``values[k]`` holds from ``years[k]`` until ``years[k + 1]`` (``years`` sorted)."""

    years: np.ndarray  # [K]
    values: np.ndarray  # [K, ...]

    def index(self, flow_years: np.ndarray) -> np.ndarray:
        """For each flow year the index of the table in force: the latest ``years[k] ≤ year``."""
        return np.searchsorted(self.years, flow_years, side="right") - 1

    def at(self, flow_years: np.ndarray) -> np.ndarray:
        """The table in force in each flow year [Y, ...]."""
        return self.values[self.index(flow_years)]


def subset(table: Table, mask: np.ndarray) -> Table:
    """The rows of ``table`` where ``mask`` is true."""
    return Table(
        table.file,
        {
            k: (tuple(np.asarray(v, dtype=object)[mask]) if isinstance(v, tuple) else v[mask])
            for k, v in table.columns.items()
        },
        table.rows[mask],
    )


def dated_grids(
    table: Table, base_year: int, end_year: int, grid: Callable[[Table, str], np.ndarray]
) -> tuple[np.ndarray, DatedRates | None]:
    """The table in force in the base year, and every table used over the horizon (None when undated).

    ``grid(sub_table, label)`` checks one year's rows and lays them out; ``label`` names the year
    for its messages ("" when undated).
    """
    years = table.columns["year"]
    given = [y is not None for y in years]
    if not any(given):
        return grid(table, ""), None
    if not all(given):
        row = int(table.rows[given.index(False)])
        raise InputError(
            Problem(
                "a year in every row, or no 'year' column at all (rates that hold every year)",
                file=str(table.file),
                line=row,
                field="column 'year'",
                found="a blank cell",
                row=True,
            )
        )
    year_arr = np.array(years, dtype=np.int64)
    distinct = np.unique(year_arr)
    if distinct[0] > base_year:
        raise InputError(
            Problem(
                f"rates for the base year {base_year} or an earlier year (a table holds from its year on; "
                f"a {base_year}-based run does not use rates dated later)",
                file=str(table.file),
                field="column 'year'",
                found=f"first year {distinct[0]}",
            )
        )
    first = distinct[distinct <= base_year].max()
    used = distinct[(distinct >= first) & (distinct < end_year)]
    grids = [grid(subset(table, year_arr == y), f" for {y}") for y in used]
    return grids[0], DatedRates(used, np.stack(grids))


def dated_death_rate(
    mortality: DatedRates, improvement_at: Callable[[np.ndarray], np.ndarray], flow_years: np.ndarray
) -> np.ndarray:
    """Death probabilities per flow year [Y, 2, N] from dated tables and yearly improvement.

    ``q_t = q_{y_k} · Π_{j = y_k}^{t−1} (1 − i_j)`` with ``y_k`` the year of the table in force in
    ``t``: improvement runs from each table's own year, as it runs from the base year for an
    undated table. ``improvement_at(years)`` gives ``i`` [len, 2] by sex.
    """
    first = int(mortality.years[0])
    span = np.arange(first, int(flow_years[-1]) + 1)
    factor = np.ones((len(span), 2))
    factor[1:] = np.cumprod(1.0 - improvement_at(span[:-1]), axis=0)  # Π_{first ≤ j < year}
    k = mortality.index(flow_years)
    since = factor[flow_years - first] / factor[mortality.years[k] - first]
    return mortality.values[k] * since[:, :, None]
