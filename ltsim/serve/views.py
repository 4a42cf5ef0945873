"""What the browser view shows of a run: plain JSON built from the pipeline's own results.

Nothing here computes a model: each figure is read off :class:`ltsim.pipeline.RunResult` (key
figures from the finance model, places short from the capacity ledger, persons from the population
model), so the page shows exactly what ``ltsim run`` writes for the same scenario.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.pipeline import RunResult

AGE_GROUPS: dict[str, tuple[int, int | None]] = {
    "0-5": (0, 5),
    "6-15": (6, 15),
    "16-66": (16, 66),
    "67-79": (67, 79),
    "80+": (80, None),
}
KPI_KEYS = ("debt_ratio_pct", "net_operating_result_pct", "disposition_fund_pct", "own_financing_pct")


def _floats(values: np.ndarray, digits: int = 3) -> list[float | None]:
    """A JSON list: rounded numbers, None where not a number."""
    return [None if not np.isfinite(v) else round(float(v), digits) for v in np.asarray(values, dtype=float)]


def run_view(result: RunResult, ceiling: float) -> dict[str, Any]:
    """The page's figures for one run; ``ceiling`` is the debt-ratio ceiling as a fraction of revenue.

    - ``kpis``: per key figure [percent of gross operating revenue] the value and fiscal-rule status per budget year;
    - ``short``: per service, places short (demand − usable capacity, 0 where none) per year and zone;
    - ``population``: persons on 1 January per age group and year;
    - ``projects``: start and completion year of each project in the run;
    - ``summary``: headline numbers (see :func:`summary`).
    """
    years = [int(y) for y in result.population.years]
    view: dict[str, Any] = {"years": years, "ceiling_pct": round(ceiling * 100.0, 6)}
    kpis: dict[str, Any] = {}
    if result.kpis:
        fin_years = sorted({r.year for r in result.kpis})
        for key in KPI_KEYS:
            rows = sorted((r for r in result.kpis if r.kpi == key), key=lambda r: r.year)
            if rows:
                kpis[key] = {
                    "values": _floats(np.array([r.value for r in rows])),
                    "status": [r.status for r in rows],
                }
        view["finance_years"] = fin_years
    view["kpis"] = kpis
    if result.finance is not None:
        view["fund_mnok"] = _floats(result.finance.fund_mnok, 1)
        view["net_debt_mnok"] = _floats(result.finance.net_debt_mnok, 1)
    shortages = []
    for svc in result.services:
        gap = svc.gap
        if gap is None:
            continue
        short = np.clip(gap, 0.0, None)
        shortages.append(
            {
                "id": svc.service.id,
                "name": svc.service.name,
                "zones": list(svc.zone_names),
                "short": [_floats(row, 1) for row in short.T],  # [zone][year]
                "total": _floats(short.sum(axis=1), 1),
                "place_years": round(float(short.sum()), 1),
            }
        )
    view["short"] = shortages
    persons = result.population.persons
    view["population"] = {
        group: _floats(persons[..., lo : (hi + 1 if hi is not None else None)].sum(axis=(1, 2, 3)), 1)
        for group, (lo, hi) in AGE_GROUPS.items()
    }
    view["projects"] = []
    data = result.scenario.projects
    if data is not None and result.projects is not None:
        done = result.projects.completion_year
        for p, pid in enumerate(data.ids):
            if data.inputs.included[p]:
                view["projects"].append(
                    {
                        "id": pid,
                        "name": data.names[p],
                        "start_year": int(data.planned_start_year[p]),
                        "completion_year": int(done[p]) if done[p] >= 0 else None,
                    }
                )
    view["warnings"] = list(result.warnings)
    view["summary"] = summary(view)
    return view


def summary(view: dict[str, Any]) -> dict[str, float | int | None]:
    """Headline numbers of a view.

    The highest debt ratio [%] and its first year over the ceiling, the lowest netto driftsresultat [%],
    the disposition fund in the last year [%], place-years short per service and in all, and persons in
    the last year.
    """
    out: dict[str, float | int | None] = {}
    debt = view["kpis"].get("debt_ratio_pct")
    if debt is not None:
        values = np.array([np.nan if v is None else v for v in debt["values"]])
        out["debt_ratio_max_pct"] = round(float(np.nanmax(values)), 3)
        over = np.flatnonzero(values > view["ceiling_pct"] + 1e-9)
        out["first_year_over_ceiling"] = int(view["finance_years"][over[0]]) if over.size else None
    ndr = view["kpis"].get("net_operating_result_pct")
    if ndr is not None:
        out["ndr_min_pct"] = round(float(np.nanmin([np.nan if v is None else v for v in ndr["values"]])), 3)
    fund = view["kpis"].get("disposition_fund_pct")
    if fund is not None:
        out["fund_end_pct"] = fund["values"][-1]
    for svc in view["short"]:
        out[f"place_years_short.{svc['id']}"] = svc["place_years"]
    if view["short"]:
        out["place_years_short"] = round(sum(s["place_years"] for s in view["short"]), 1)
    out["persons_end"] = round(sum(v[-1] for v in view["population"].values()), 1)
    return out


def difference(current: dict[str, Any], saved: dict[str, Any]) -> dict[str, float | None]:
    """Current − saved for each headline number both have (None where either is not a number)."""
    out: dict[str, float | None] = {}
    for key, value in current.items():
        other = saved.get(key)
        if key == "first_year_over_ceiling":
            continue
        if isinstance(value, int | float) and isinstance(other, int | float):
            out[key] = round(float(value) - float(other), 3)
        else:
            out[key] = None
    return out


def folder_view(folder: Any, ceiling: float) -> dict[str, Any]:
    """The figures of a run folder written by ``ltsim run`` (checked as ``ltsim report`` checks it), to compare.

    ``folder`` is a :class:`ltsim.report.RunFolder`; ``ceiling`` the debt-ratio ceiling [fraction] to
    judge it by (the folder's own ``optimize.debt_ratio_ceiling`` where its resolved scenario has one).
    Holds what :func:`run_view` holds except the projects; places short per zone follow the zone ids
    of ``capacity.csv``.
    """
    own = (folder.resolved.get("optimize") or {}).get("debt_ratio_ceiling")
    view: dict[str, Any] = {
        "name": (folder.manifest.get("scenario") or {}).get("name"),
        "path": str(folder.path),
        "ceiling_pct": round(float(own if isinstance(own, int | float) else ceiling) * 100.0, 6),
        "kpis": {},
        "short": [],
        "projects": [],
        "warnings": [],
    }
    kpi = folder.table("kpi")
    if kpi is not None and len(kpi):
        view["finance_years"] = sorted(int(y) for y in kpi["year"].unique())
        for key in KPI_KEYS:
            rows = kpi[kpi["kpi"] == key].sort_values("year")
            if len(rows):
                view["kpis"][key] = {"values": _floats(rows["value"].to_numpy()), "status": list(rows["status"])}
    pop = folder.table("population")
    years = sorted(int(y) for y in pop["year"].unique())
    view["years"] = years
    view["population"] = {}
    for group, (lo, hi) in AGE_GROUPS.items():
        sel = pop[(pop["age"] >= lo) & (pop["age"] <= (hi if hi is not None else 10_000))]
        view["population"][group] = _floats(
            sel.groupby("year")["persons"].sum().reindex(years, fill_value=0.0).to_numpy(), 1
        )
    cap = folder.table("capacity")
    if cap is not None and len(cap):
        for service, rows in cap.groupby("service", sort=False):
            grid = rows.pivot_table(index="zone", columns="year", values="gap", aggfunc="sum").reindex(columns=years)
            short = np.clip(grid.to_numpy(dtype=float), 0.0, None)
            view["short"].append(
                {
                    "id": str(service),
                    "name": str(service),
                    "zones": [str(z) for z in grid.index],
                    "short": [_floats(row, 1) for row in short],
                    "total": _floats(np.nansum(short, axis=0), 1),
                    "place_years": round(float(np.nansum(short)), 1),
                }
            )
    view["summary"] = summary(view)
    return view
