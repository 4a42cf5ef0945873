"""Headline figures of one run folder: the one set a batch's comparison.csv, comparison.html and console show.

:func:`key_figures` reads the tables of a run folder through ``table(name)`` (a DataFrame, or None when the
folder has no such table), so the batch (plain CSV reads) and the comparison report (checked tables of a
:class:`~ltsim.report.RunFolder`) compute the same figures under the same names.

Names carry their unit: ``*_pct`` percent, ``*_mnok`` NOK million (fixed prices), ``place_years_*`` and
``*_places_*`` places, ``years_red_*`` years, ``population_*`` persons. Per service the service id is the
suffix (``place_years_short_primary_school``), per fiscal rule the kpi name (``years_red_debt_ratio_pct``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Table = Callable[[str], Any]  # name → DataFrame or None

SERVICE_FIGURES = ("place_years_short", "peak_shortfall", "idle_place_years", "idle_places_last_year")
"""Per-service figures (summed over zones; the peak is the largest zone's) [place-years or places]."""

LOWER_IS_BETTER_PREFIXES = ("place_years_short_", "peak_shortfall_", "years_red_", "debt_ratio_", "delay_years")
HIGHER_IS_BETTER = ("net_operating_result_min_pct",)


def better(key: str) -> int:
    """+1 where a higher value is better, −1 where lower is better, 0 where neither (population, investment).

    >>> better("place_years_short_primary_school"), better("net_operating_result_min_pct"), better("population_end")
    (-1, 1, 0)
    """
    if key in HIGHER_IS_BETTER:
        return 1
    if key.startswith(LOWER_IS_BETTER_PREFIXES) or key == "projects_delayed":
        return -1
    return 0


def key_figures(table: Table) -> tuple[dict[str, float], list[tuple[str, int | None, float]]]:
    """Headline figures of one run folder, and its long rows ``(kpi, year, value)`` for a batch's summary.csv."""
    head: dict[str, float] = {}
    rows: list[tuple[str, int | None, float]] = []
    change = table("population_change")
    if change is not None and not change.empty:
        start = change.groupby("year").population_start.sum()
        totals = change.groupby("year").population_end.sum()
        head["population_start"] = float(start.iloc[0])
        head["population_end"] = float(totals.iloc[-1])
        n = len(totals)
        if head["population_start"] > 0:
            head["population_growth_pct_year"] = (
                (head["population_end"] / head["population_start"]) ** (1 / n) - 1
            ) * 100
        for year, value in totals.items():
            rows.append(("population", int(year) + 1, float(value)))
    cap = table("capacity_summary")
    if cap is not None:
        for service, group in cap.groupby("service", sort=False):
            head[f"place_years_short_{service}"] = float(group.place_years_short.sum())
            head[f"peak_shortfall_{service}"] = float(group.peak_shortfall.max())
            head[f"idle_places_last_year_{service}"] = float(group.idle_places_last_year.sum())
            head[f"idle_place_years_{service}"] = float(group.idle_place_years.sum())
        cap_year = table("capacity")
        if cap_year is not None:
            short = cap_year.assign(short=cap_year.gap.clip(lower=0)).groupby(["service", "year"]).short.sum()
            for (service, year), value in short.items():
                rows.append((f"places_short_{service}", int(year), float(value)))
    kpi = table("kpi")
    if kpi is not None:
        for name, group in kpi.groupby("kpi", sort=False):
            for year, value in zip(group.year, group.value, strict=True):
                rows.append((name, int(year), float(value)))
            head[f"years_red_{name}"] = float((group.status == "red").sum())
        debt = kpi[kpi.kpi == "debt_ratio_pct"].value
        ndr = kpi[kpi.kpi == "net_operating_result_pct"].value
        if len(debt):
            head["debt_ratio_max_pct"] = float(debt.max())
            head["debt_ratio_last_pct"] = float(debt.iloc[-1])
        if len(ndr):
            head["net_operating_result_min_pct"] = float(ndr.min())
    fin = table("finance")
    if fin is not None:
        head["total_investment_mnok"] = float(fin[fin.item == "gross_investment_mnok"].value.sum())
    sched = table("schedule")
    if sched is not None:
        import pandas as pd

        moved = pd.to_numeric(sched.deferred_years, errors="coerce").fillna(0)
        head["optimised_deferrals"] = float((moved != 0).sum())
        head["optimised_deferral_years"] = float(moved.clip(lower=0).sum())
    moves = table("housing_schedule")
    if moves is not None:
        head["optimised_housing_moves"] = float((moves.shift_years != 0).sum())
        head["optimised_housing_dwelling_years"] = float(moves.dwelling_years_moved.sum())
    proj = table("projects")
    if proj is not None:
        import pandas as pd

        built = proj[proj.built.astype(str).str.lower() == "true"]
        delay = pd.to_numeric(built.delay_years, errors="coerce").fillna(0)
        head["projects_delayed"] = float((delay > 0).sum())
        head["delay_years_total"] = float(delay.sum())
        head.setdefault("total_investment_mnok", float(built.cost_mnok.sum()))
    for key, value in head.items():
        if not np.isfinite(value):
            head[key] = float("nan")
        rows.append((key, None, head[key]))
    return head, rows


def csv_tables(folder: Any) -> Table:
    """``table(name)`` over the CSV files of a run folder this process trusts (a batch's own runs)."""
    from pathlib import Path

    import pandas as pd

    def table(name: str) -> Any:
        file = Path(folder) / f"{name}.csv"
        return pd.read_csv(file) if file.is_file() else None

    return table


HEADLINE_STEMS = (
    "place_years_short_",
    "debt_ratio_max_pct",
    "net_operating_result_min_pct",
    "years_red_debt_ratio_pct",
)
"""The figures a batch's console headline ranks scenarios by (per service: place-years short)."""


def headline(frame: Any, reference: str | None) -> list[dict[str, Any]]:
    """Best and worst scenario by each headline figure of a comparison table (one row per scenario).

    ``frame`` has a ``scenario`` column and figure columns (comparison.csv). Per figure: the reference's
    value, the best and the worst scenario with their values and how many scenarios tie with each.
    Figures equal in every scenario are left out (nothing to rank).

    >>> import pandas as pd
    >>> f = pd.DataFrame({"scenario": ["a", "b", "c"], "debt_ratio_max_pct": [100.0, 90.0, 110.0]})
    >>> [(r["best"], r["worst"]) for r in headline(f, "a")]
    [('b', 'c')]
    """
    rows = []
    ref = frame[frame.scenario == reference] if reference is not None else frame.iloc[0:0]
    for key in frame.columns:
        if not key.startswith(HEADLINE_STEMS) or key.startswith("delta_"):
            continue
        values = frame[key].astype(float)
        if values.notna().sum() < 2 or values.max() - values.min() <= 1e-9:
            continue
        sign = better(key)
        order = values.sort_values(ascending=sign < 0, kind="stable").dropna()
        best, worst = order.index[0], order.index[-1]
        rows.append(
            {
                "figure": key,
                "reference": float(ref[key].iloc[0]) if len(ref) else None,
                "best": str(frame.scenario[best]),
                "best_value": float(values[best]),
                "best_ties": int((abs(values - values[best]) <= 1e-9).sum()) - 1,
                "worst": str(frame.scenario[worst]),
                "worst_value": float(values[worst]),
                "worst_ties": int((abs(values - values[worst]) <= 1e-9).sum()) - 1,
            }
        )
    return rows
