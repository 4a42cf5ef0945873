"""``ltsim backtest``: run a scenario from a past base year and compare it with what was observed each later year.

The population is projected as in a run (:func:`ltsim.models.population.project` on the scenario's
inputs) and summed into the age groups services use. For each year after the base year that the
observed file has, area (or the municipality) and age group::

    error      = projected − observed                      [persons]
    error_pct  = 100 · error / observed                    [%]   (blank where nobody was observed)
    MAPE       = mean over years of |error_pct|            [%]   (mean absolute percentage error)
    bias       = mean over years of error_pct              [%]   (negative: the projection is too low)

as the forecast-accuracy reviews of Statistics Norway and the GLA report them (e.g. Keilman, *Journal of
Official Statistics* 13 (1997); GLA, *Population projections: accuracy*, 2019).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltsim import stages
from ltsim.errors import InputError, Problem
from ltsim.io.ssb.observed import WHOLE, Observed
from ltsim.models.population import project
from ltsim.scenario import Scenario

AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("0", 0, 0),
    ("1-5", 1, 5),
    ("6-12", 6, 12),
    ("13-15", 13, 15),
    ("16-19", 16, 19),
    ("20-44", 20, 44),
    ("45-66", 45, 66),
    ("67-79", 67, 79),
    ("80+", 80, 10_000),
    ("total", 0, 10_000),
)
"""The age groups services use (kindergarten 1–5, primary 6–12, lower secondary 13–15, care 67–79 and 80+)."""


@dataclass(frozen=True, slots=True)
class Backtest:
    """The error table (one row per year × area × age group) and its summary per area × age group."""

    rows: list[tuple[int, str, str, float, float, float, float]]  # year, area, group, projected, observed, error, pct
    summary: list[tuple[str, str, int, float, float, float]]  # area, group, years, MAPE %, bias %, max |error| %
    base_year: int
    start: list[tuple[str, str, float]]  # area, group, projected persons in the base year (the base population)
    history: list[tuple[int, str, str, float]]  # year, area, group, observed persons up to the base year


def grouped(persons_by_age: np.ndarray) -> np.ndarray:
    """Persons by age [..., N] summed into :data:`AGE_GROUPS` [..., G]."""
    n = persons_by_age.shape[-1]
    return np.stack([persons_by_age[..., lo : min(hi, n - 1) + 1].sum(axis=-1) for _, lo, hi in AGE_GROUPS], axis=-1)


def error_table(
    years: np.ndarray, areas: tuple[str, ...], projected: np.ndarray, observed: np.ndarray
) -> list[tuple[int, str, str, float, float, float, float]]:
    """Rows (year, area, age group, projected, observed, error, error_pct) from [T, R, N] persons by age."""
    p, o = grouped(projected), grouped(observed)
    rows = []
    for t, year in enumerate(years):
        for r, area in enumerate(areas):
            for g, (name, _, _) in enumerate(AGE_GROUPS):
                err = p[t, r, g] - o[t, r, g]
                pct = 100.0 * err / o[t, r, g] if o[t, r, g] > 0 else float("nan")
                rows.append((int(year), area, name, float(p[t, r, g]), float(o[t, r, g]), float(err), pct))
    return rows


def summarise(
    rows: list[tuple[int, str, str, float, float, float, float]],
) -> list[tuple[str, str, int, float, float, float]]:
    """MAPE, bias and the largest absolute error (all in %) per area and age group, over the years."""
    keys = list(dict.fromkeys((r[1], r[2]) for r in rows))
    out = []
    for area, group in keys:
        pct = np.array([r[6] for r in rows if r[1] == area and r[2] == group and r[6] == r[6]])
        if len(pct):
            out.append((area, group, len(pct), float(np.abs(pct).mean()), float(pct.mean()), float(np.abs(pct).max())))
    return out


def backtest(scenario: Scenario, observed: Observed) -> Backtest:
    """Project the scenario and compare each later observed year (see the module docstring)."""
    result = project(stages.population_inputs(scenario))
    by_age = result.persons.sum(axis=2)  # [Y+1, A, N]
    n_ages = by_age.shape[-1]
    obs = observed.by_age()  # [T, R, N']
    if obs.shape[-1] != n_ages:
        raise InputError(
            Problem(f"ages 0–{n_ages - 1} as the scenario", file=observed.file, found=f"ages 0–{obs.shape[-1] - 1}")
        )
    if observed.areas == (WHOLE,):
        projected, areas = by_age.sum(axis=1, keepdims=True), (WHOLE,)
    else:
        missing = [a for a in scenario.area_ids if a not in observed.areas]
        if missing:
            raise InputError(
                Problem(
                    "figures for every planning area of the scenario, or for the municipality as a whole",
                    file=observed.file,
                    field="column 'area'",
                    found=f"no figures for {', '.join(missing)}",
                )
            )
        order = [observed.areas.index(a) for a in scenario.area_ids]
        obs = obs[:, order]
        projected, areas = by_age, scenario.area_ids
    base = scenario.config.horizon.base_year
    later = [(t, y) for t, y in enumerate(observed.years) if base < y <= result.years[-1]]
    if not later:
        raise InputError(
            Problem(
                f"observed figures for a year after the base year {base}, up to {int(result.years[-1])}",
                file=observed.file,
                field="year",
                found=f"years {observed.years[0]}–{observed.years[-1]}",
            )
        )
    t_obs = np.array([t for t, _ in later])
    years = np.array([y for _, y in later])
    rows = error_table(years, areas, projected[years - base], obs[t_obs])
    if len(areas) > 1:
        rows += error_table(
            years, ("all",), projected[years - base].sum(axis=1, keepdims=True), obs[t_obs].sum(axis=1, keepdims=True)
        )
    start = _grouped_rows(np.array([base]), areas, projected[:1])
    t_before = np.array([t for t, y in enumerate(observed.years) if y <= base], dtype=int)
    history = _grouped_rows(observed.years[t_before], areas, obs[t_before])
    if len(areas) > 1:
        start += _grouped_rows(np.array([base]), ("all",), projected[:1].sum(axis=1, keepdims=True))
        history += _grouped_rows(observed.years[t_before], ("all",), obs[t_before].sum(axis=1, keepdims=True))
    return Backtest(
        rows=rows,
        summary=summarise(rows),
        base_year=base,
        start=[(a, g, p) for _, a, g, p in start],
        history=history,
    )


def _grouped_rows(years: np.ndarray, areas: tuple[str, ...], persons: np.ndarray) -> list[tuple[int, str, str, float]]:
    """Rows (year, area, age group, persons) from [T, R, N] persons by age."""
    g = grouped(persons)
    return [
        (int(year), area, name, float(g[t, r, k]))
        for t, year in enumerate(years)
        for r, area in enumerate(areas)
        for k, (name, _, _) in enumerate(AGE_GROUPS)
    ]


# --------------------------------------------------------------------------- files written


def output_files(result: Backtest) -> dict[str, str]:
    """backtest.csv and backtest_summary.csv (the page: :func:`ltsim.report.backtest.output_files`)."""
    table = ["year,area,age_group,projected,observed,error,error_pct"]
    for y, area, g, p, o, e, pct in result.rows:
        table.append(
            f"{y},{area},{g},{p:.1f},{o:.0f},{e:.1f},{pct:.2f}"
            if pct == pct
            else f"{y},{area},{g},{p:.1f},{o:.0f},{e:.1f},"
        )
    summary = ["area,age_group,years,mape_pct,bias_pct,max_abs_error_pct"]
    for area, g, n, mape, bias, worst in result.summary:
        summary.append(f"{area},{g},{n},{mape:.2f},{bias:.2f},{worst:.2f}")
    return {"backtest.csv": "\n".join(table) + "\n", "backtest_summary.csv": "\n".join(summary) + "\n"}
