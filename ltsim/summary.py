"""Headline figures of a run, for the terminal and the README."""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.pipeline import RunResult

AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "0-5": (0, 5),
    "6-15": (6, 15),
    "67+": (67, None),
    "80+": (80, None),
}


def band_persons(persons: np.ndarray, lo: int, hi: int | None) -> np.ndarray:
    """Persons aged lo..hi (inclusive; None = open-ended) summed over all axes but the first."""
    sel = persons[..., lo : (hi + 1 if hi is not None else None)]
    return sel.reshape(sel.shape[0], -1).sum(axis=1)


def population_summary(result: RunResult) -> dict[str, Any]:
    """Totals, growth, age shares and per-area totals in the first and last year."""
    pop = result.population
    total = pop.totals()
    n = len(pop.years) - 1
    shares = {band: band_persons(pop.persons, lo, hi) / total for band, (lo, hi) in AGE_BANDS.items()}
    by_area = pop.persons.sum(axis=(2, 3))
    names = [a.name for a in result.scenario.config.areas]
    return {
        "title": result.scenario.config.title or result.scenario.name,
        "base_year": int(pop.years[0]),
        "end_year": int(pop.years[-1]),
        "total_base": float(total[0]),
        "total_end": float(total[-1]),
        "growth_pct_per_year": float(((total[-1] / total[0]) ** (1 / n) - 1) * 100),
        "share_base": {k: float(v[0]) for k, v in shares.items()},
        "share_end": {k: float(v[-1]) for k, v in shares.items()},
        "areas": [(names[i], float(by_area[0, i]), float(by_area[-1, i])) for i in range(len(names))],
    }


def worst_gaps(result: RunResult, n: int = 8) -> list[dict[str, Any]]:
    """The ``n`` service zones with the largest peak shortfall (only zones that are ever short)."""
    from ltsim.models.capacity import summarise_gap

    rows = []
    for svc in result.services:
        gap = svc.gap
        if gap is None:
            continue
        for z, name in enumerate(svc.zone_names):
            s = summarise_gap(result.population.years, gap[:, z])
            if s.peak_shortfall > 0:
                rows.append(
                    {
                        "service": svc.service.name,
                        "zone": name,
                        "peak_shortfall": s.peak_shortfall,
                        "peak_year": s.peak_year,
                        "place_years_short": s.place_years_short,
                    }
                )
    rows.sort(key=lambda r: -r["peak_shortfall"])
    return rows[:n]


def service_overview(result: RunResult) -> list[dict[str, Any]]:
    """Per service, in the first and last year: places needed, usable, short and idle (summed over zones)."""
    rows = []
    years = result.population.years
    for svc in result.services:
        gap = svc.gap
        if gap is None or svc.usable_capacity is None:
            continue
        for i in (0, len(years) - 1):
            rows.append(
                {
                    "service": svc.service.name,
                    "year": int(years[i]),
                    "demand": float(svc.demand.municipal_places[i].sum()),
                    "usable": float(svc.usable_capacity[i].sum()),
                    "short": float(np.clip(gap[i], 0, None).sum()),
                    "idle": float(np.clip(-gap[i], 0, None).sum()),
                }
            )
    return rows


KPI_LABELS = {
    "net_operating_result_pct": "netto driftsresultat",
    "debt_ratio_pct": "netto lånegjeld (gjeldsgrad)",
    "disposition_fund_pct": "disposisjonsfond",
    "own_financing_pct": "egenfinansiering",
}


def kpi_overview(
    result: RunResult, n_columns: int = 8
) -> tuple[list[int], list[tuple[str, list[tuple[float, str]], int | None]]] | None:
    """Key figures in a few years (first four, then spread to the last) with status, and each rule's first red year."""
    if not result.kpis:
        return None
    all_years = sorted({r.year for r in result.kpis})
    head = all_years[:4]
    rest = all_years[4:]
    step = max(1, len(rest) // max(1, n_columns - 4))
    shown = head + rest[step - 1 :: step][: n_columns - 5] + ([all_years[-1]] if rest else [])
    shown = sorted(set(shown))
    rows = []
    for kpi, label in KPI_LABELS.items():
        by_year = {r.year: r for r in result.kpis if r.kpi == kpi}
        if not by_year:
            continue
        reds = [y for y in all_years if by_year[y].status == "red"]
        rows.append((label, [(by_year[y].value, by_year[y].status) for y in shown], reds[0] if reds else None))
    return shown, rows


def worst_gaps_mc(result: RunResult, mc: Any, n: int = 8) -> list[dict[str, Any]]:
    """The ``n`` service zones with the largest median shortfall [places] in any year, over the replications.

    Per zone: the year of the largest median (P50) shortfall, its P10 and P90, the probability of any
    shortfall that year, and the median place-years short over the horizon.
    """
    years = result.population.years
    rows = []
    for svc, short in zip(result.services, mc.short, strict=True):  # short [R, Y, Z]
        p10, p50, p90 = np.percentile(short, (10, 50, 90), axis=0)
        prob = (short > 1e-9).mean(axis=0)
        place_years = np.median(short.sum(axis=1), axis=0)
        for z, name in enumerate(svc.zone_names):
            if prob[:, z].max() <= 0:
                continue
            t = int(np.lexsort((prob[:, z], p50[:, z]))[-1])  # largest median, then most likely
            rows.append(
                {
                    "service": svc.service.name,
                    "zone": name,
                    "year": int(years[t]),
                    "p10": float(p10[t, z]),
                    "p50": float(p50[t, z]),
                    "p90": float(p90[t, z]),
                    "probability": float(prob[t, z]),
                    "place_years_p50": float(place_years[z]),
                }
            )
    rows.sort(key=lambda r: (-r["p50"], -r["probability"]))
    return rows[:n]


def kpi_probability_overview(
    result: RunResult, mc: Any, n_columns: int = 8
) -> tuple[list[int], list[tuple[str, list[tuple[float, float]], int, int | None]]] | None:
    """P(red) of each fiscal rule over the replications, in the years :func:`kpi_overview` shows.

    Per rule: (P(red), median value [percent]) per shown year, the number of years with P(red) ≥ 50 %
    and the first such year.
    """
    if mc.kpi_values is None:
        return None
    shown_all = kpi_overview(result, n_columns)
    years = result.population.years[:-1].tolist()
    shown = shown_all[0] if shown_all else years[:n_columns]
    red = mc.kpi_red.mean(axis=0)  # [K, Y]
    median = np.median(mc.kpi_values, axis=0)
    rows = []
    for k, name in enumerate(mc.kpi_names):
        if name not in KPI_LABELS:
            continue
        cells = [(float(red[k, years.index(y)]), float(median[k, years.index(y)])) for y in shown]
        likely = [y for i, y in enumerate(years) if red[k, i] >= 0.5]
        rows.append((KPI_LABELS[name], cells, len(likely), likely[0] if likely else None))
    return shown, rows
