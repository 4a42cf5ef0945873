"""Figures of the housing section: dwellings planned, completed and held back per year."""

from __future__ import annotations

from typing import Any

from ltsim.report.figures.common import BLUE, RED, Figures, clean, title
from ltsim.report.i18n import t


def fig_housing(figs: Figures, lang: str, per_year: Any) -> str:
    """Dwellings planned and released (bars) and held back by the release rules (line) per year [dwellings].

    ``per_year``: :func:`ltsim.report.data.housing_per_year` of the run.
    """
    years = clean(per_year.index.to_numpy())
    data = [
        {
            "type": "bar",
            "name": t("dwellings_planned", lang),
            "x": years,
            "y": clean(per_year.planned.to_numpy(), 1),
            "marker": {"color": "#b8c7d9"},
            "hovertemplate": "%{y:,.0f}",
        },
        {
            "type": "bar",
            "name": t("dwellings_released", lang),
            "x": years,
            "y": clean(per_year.released.to_numpy(), 1),
            "marker": {"color": BLUE},
            "hovertemplate": "%{y:,.0f}",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t("dwellings_held_back", lang),
            "x": years,
            "y": clean(per_year.held_back.to_numpy(), 1),
            "line": {"color": RED, "width": 2},
            "hovertemplate": "%{y:,.0f}",
        },
    ]
    layout = figs.layout(
        340,
        barmode="group",
        title=title(t("housing_title", lang)),
        yaxis={"rangemode": "tozero", "title": {"text": t("dwellings", lang)}},
    )
    return figs.add("fig-housing", data, layout)
