"""The Monte Carlo tables of a run folder (``ltsim run --reps N``): percentiles, probabilities, replications.

Split from :mod:`ltsim.results` (which writes the run folder); the tables are those of the results
contract's Monte Carlo part (README, *Run folder*).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.pipeline import RunResult


def montecarlo_frames(result: RunResult, mc: Any, projects: Any) -> dict[str, Any]:
    """Monte Carlo tables: percentiles per project, shortfall probability, per-replication summaries.

    ``projects`` is the run's projects.csv as a DataFrame (:func:`ltsim.results.projects_frame`), which the
    Monte Carlo's percentiles per project extend.
    """
    import pandas as pd

    from ltsim.montecarlo import percentiles

    data = result.scenario.projects
    assert data is not None
    built = mc.completion_year >= 0
    year_p = percentiles(mc.completion_year, built)
    cost_p = percentiles(mc.cost_mnok, built)
    projects = projects.copy()
    for i, q in enumerate((10, 50, 90)):
        projects[f"completion_year_p{q}"] = year_p[i]
        projects[f"cost_mnok_p{q}"] = cost_p[i]
    planned = projects["planned_completion_year"].to_numpy(dtype=float)
    projects["probability_late"] = np.where(
        built.any(axis=0), (mc.completion_year > planned[None]).mean(axis=0), np.nan
    )

    years = result.population.years
    rows = []
    for s, (svc, short) in enumerate(zip(result.services, mc.short, strict=True)):
        grid = pd.MultiIndex.from_product([years, svc.zone_ids], names=["year", "zone"])
        usable = np.percentile(mc.usable[s], (10, 50, 90), axis=0) if mc.usable else None
        frame = pd.DataFrame(
            {
                "probability_short": (short > 1e-9).mean(axis=0).reshape(-1),
                "expected_short_places": short.mean(axis=0).reshape(-1),
                "short_places_p90": np.percentile(short, 90, axis=0).reshape(-1),
                "short_places_p10": np.percentile(short, 10, axis=0).reshape(-1),
                "short_places_p50": np.percentile(short, 50, axis=0).reshape(-1),
            },
            index=grid,
        ).reset_index()
        frame.insert(2, "service", svc.service.id)
        if usable is not None:
            for i, q in enumerate((10, 50, 90)):
                frame[f"usable_capacity_p{q}"] = usable[i].reshape(-1)
        rows.append(frame)
    shortfall = pd.concat(rows, ignore_index=True) if rows else None

    summary = pd.DataFrame({"rep": np.arange(mc.reps), "total_cost_mnok": mc.cost_mnok.sum(axis=1)})
    summary["spend_in_horizon_mnok"] = mc.spend_mnok.sum(axis=1)
    for s, svc in enumerate(result.services):
        summary[f"place_years_short_{svc.service.id}"] = mc.place_years_short[:, s]
    per_project = pd.DataFrame(
        {
            "rep": np.repeat(np.arange(mc.reps), len(data.ids)),
            "project": np.tile(data.ids, mc.reps),
            "completion_year": mc.completion_year.reshape(-1),
            "cost_mnok": mc.cost_mnok.reshape(-1),
        }
    )
    per_project = per_project[per_project.completion_year >= 0]
    if mc.kpi_values is not None:
        for k, name in enumerate(mc.kpi_names):
            summary[f"years_red_{name}"] = mc.kpi_red[:, k].sum(axis=1)
        debt = mc.kpi_names.index("debt_ratio_pct")
        summary["debt_ratio_max_pct"] = mc.kpi_values[:, debt].max(axis=1)
    if getattr(mc, "factors", None) is not None:
        for k, name in enumerate(mc.factor_names):  # the population variant each replication drew
            summary[f"population_factor_{name}"] = mc.factors[:, k]
        summary["population_end"] = mc.population_total[:, -1]
    out = {"projects.csv": projects, "replications.csv": summary, "replication_projects.csv": per_project}
    if mc.kpi_values is not None:
        fin_years = years[:-1]
        p = np.percentile(mc.kpi_values, (10, 50, 90), axis=0)  # [3, K, Y]
        n_k = len(mc.kpi_names)
        out["kpi_probability.csv"] = pd.DataFrame(
            {
                "year": np.tile(fin_years, n_k),
                "kpi": np.repeat(mc.kpi_names, len(fin_years)),
                "probability_red": mc.kpi_red.mean(axis=0).reshape(-1),
                "value_p10": p[0].reshape(-1),
                "value_p50": p[1].reshape(-1),
                "value_p90": p[2].reshape(-1),
            }
        )
    if mc.population_total is not None:
        p = np.percentile(mc.population_total, (10, 50, 90), axis=0)  # [3, Y]
        out["population_percentiles.csv"] = pd.DataFrame(
            {"year": years, "persons_p10": p[0], "persons_p50": p[1], "persons_p90": p[2]}
        )
    if mc.released is not None and result.housing is not None:
        out.update(housing_release_frames(result, mc))
    if shortfall is not None:
        out["shortfall_probability.csv"] = shortfall
    return out


def housing_release_frames(result: RunResult, mc: Any) -> dict[str, Any]:
    """Under Monte Carlo with release conditions: when each development is first released, what is held back.

    ``housing_release.csv``: development, first_release_year_p10/_p50/_p90, probability_never
    (no dwelling released within the horizon); ``housing_held_back.csv``: development, year,
    held_back_mean, held_back_p90 [dwellings queued at the end of the year].
    """
    import pandas as pd

    from ltsim.montecarlo import percentiles

    h = result.housing
    years = result.population.years[:-1]
    any_release = mc.released > 1e-9  # [R, D, Y]
    first = np.where(any_release.any(axis=2), years[np.argmax(any_release, axis=2)], -1)
    p = percentiles(first, first >= 0)
    release = pd.DataFrame(
        {
            "development": h.developments,
            "area": h.areas,
            "planned_dwellings": h.planned.sum(axis=(1, 2)),
            "first_release_year_p10": p[0],
            "first_release_year_p50": p[1],
            "first_release_year_p90": p[2],
            "probability_never": (first < 0).mean(axis=0),
            "released_mean": mc.released.sum(axis=2).mean(axis=0),
        }
    )
    n_dev, n_years = mc.held_back.shape[1:]
    held = pd.DataFrame(
        {
            "development": np.repeat(h.developments, n_years),
            "year": np.tile(years, n_dev),
            "held_back_mean": mc.held_back.mean(axis=0).reshape(-1),
            "held_back_p90": np.percentile(mc.held_back, 90, axis=0).reshape(-1),
        }
    )
    return {"housing_release.csv": release, "housing_held_back.csv": held}
