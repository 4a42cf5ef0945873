"""Figures of the projects section: the project timeline and investment spend by year."""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.report.data import RunData
from ltsim.report.figures.common import BLUE, GREY, LIGHT_GREY, PALETTE, RED, Figures, clean, title
from ltsim.report.i18n import fmt_num, t


def _zeros(n: int) -> Any:
    """A zero Series (for optional columns)."""
    import pandas as pd

    return pd.Series(np.zeros(n))


def fig_gantt(figs: Figures, d: RunData) -> str | None:
    """Project timeline [years]: planned and simulated (or optimised) start → first year in service; P10–P90 under MC."""
    lang = d.lang
    p = d.run.table("projects")
    if p is None or p.empty:
        return None
    built = p.built.astype(str).str.lower() == "true" if "built" in p else np.ones(len(p), bool)
    labels = [f"{n}" if b else f"{n} ({t('not_built', lang)})" for n, b in zip(p.name, built, strict=True)]
    sched = d.run.table("schedule")
    sim_name = t("optimised", lang) if sched is not None else t("simulated", lang)
    planned_start = p.planned_start.astype(float)
    planned_end = p.planned_completion_year.astype(float) if "planned_completion_year" in p else planned_start
    sim_start = p.start_year.astype(float)
    sim_end = p.completion_year.astype(float)
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": t("planned", lang),
            "y": labels,
            "base": clean(planned_start),
            "x": clean(np.maximum(planned_end - planned_start, 0.3)),
            "marker": {"color": LIGHT_GREY, "line": {"color": GREY, "width": 1}},
            "customdata": [
                [fmt_num(a, 0, lang) if a == a else "", fmt_num(b, 0, lang) if b == b else ""]
                for a, b in zip(planned_start, planned_end, strict=True)
            ],
            "hovertemplate": f"{t('planned', lang)}: %{{customdata[0]}} → %{{customdata[1]}}<extra></extra>",
            "offsetgroup": "plan",
        },
        {
            "type": "bar",
            "orientation": "h",
            "name": sim_name,
            "y": labels,
            "base": clean(sim_start),
            "x": clean(np.where(np.isnan(sim_end), np.nan, np.maximum(sim_end - sim_start, 0.3))),
            "marker": {
                "color": [
                    RED if (d == d and d > 0) else BLUE for d in p.get("delay_years", _zeros(len(p))).astype(float)
                ]
            },
            "customdata": [
                [
                    fmt_num(a, 0, lang) if a == a else "",
                    fmt_num(b, 0, lang) if b == b else "",
                    fmt_num(d, 0, lang, sign=True) if d == d else "",
                ]
                for a, b, d in zip(sim_start, sim_end, p.get("delay_years", _zeros(len(p))).astype(float), strict=True)
            ],
            "hovertemplate": f"{sim_name}: %{{customdata[0]}} → %{{customdata[1]}} (%{{customdata[2]}})<extra></extra>",
            "offsetgroup": "sim",
        },
    ]
    if {"completion_year_p10", "completion_year_p50", "completion_year_p90"} <= set(p.columns):
        p50 = p.completion_year_p50.astype(float)
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": t("p10_p90", lang),
                "y": labels,
                "x": clean(p50),
                "marker": {"symbol": "diamond", "size": 9, "color": "#111"},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": clean((p.completion_year_p90.astype(float) - p50).to_numpy()),
                    "arrayminus": clean((p50 - p.completion_year_p10.astype(float)).to_numpy()),
                    "color": "#111",
                    "thickness": 2,
                    "width": 5,
                },
                "customdata": [
                    [
                        fmt_num(a, 0, lang) if a == a else "",
                        fmt_num(b, 0, lang) if b == b else "",
                        fmt_num(c, 0, lang) if c == c else "",
                    ]
                    for a, b, c in zip(p.completion_year_p10, p50, p.completion_year_p90, strict=True)
                ],
                "hovertemplate": "P10 %{customdata[0]} · P50 %{customdata[1]} · P90 %{customdata[2]}<extra></extra>",
            }
        )
    lo = np.nanmin(np.r_[planned_start.to_numpy(), sim_start.to_numpy()])
    hi = np.nanmax(
        np.r_[
            planned_end.to_numpy(),
            sim_end.to_numpy(),
            p.get("completion_year_p90", planned_end).astype(float).to_numpy(),
        ]
    )
    layout = figs.layout(
        90 + 34 * len(p),
        barmode="group",
        bargap=0.25,
        hovermode="closest",
        title=title(t("gantt", lang)),
        xaxis={"range": [lo - 0.5, hi + 1], "dtick": 1 if hi - lo <= 12 else 2, "side": "top"},
        yaxis={"autorange": "reversed", "automargin": True, "tickformat": None},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
        margin={"l": 10, "t": 70, "b": 30},
    )
    return figs.add("fig-gantt", data, layout)


def fig_spend(figs: Figures, d: RunData) -> str | None:
    """Gross investment spend [MNOK, fixed prices] per year, stacked by service."""
    lang = d.lang
    ps, p = d.run.table("project_spend"), d.run.table("projects")
    if ps is None or ps.empty:
        return None
    names = d.service_names
    svc = dict(zip(p.project, p.service.fillna(""), strict=True)) if p is not None else {}
    other = "Andre" if lang == "nb" else "Other"
    ps = ps.assign(group=[names.get(svc.get(x, ""), other) if svc.get(x) else other for x in ps.project])
    wide = ps.pivot_table(index="year", columns="group", values="spend_mnok", aggfunc="sum").fillna(0.0)
    years = list(range(int(wide.index.min()), int(wide.index.max()) + 1))
    wide = wide.reindex(years, fill_value=0.0)
    data = [
        {
            "type": "bar",
            "name": g,
            "x": years,
            "y": clean(wide[g], 1),
            "marker": {"color": PALETTE[i % len(PALETTE)]},
            "hovertemplate": "%{y:,.1f}",
        }
        for i, g in enumerate(wide.columns)
    ]
    layout = figs.layout(
        340,
        barmode="stack",
        title=title(f"{t('spend_by_year', lang)} ({t('mnok_fixed', lang)})"),
    )
    return figs.add("fig-spend", data, layout)
