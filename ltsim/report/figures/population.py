"""Figures of the population section: the age pyramid, growth by planning area, the elderly."""

from __future__ import annotations

from typing import Any

from ltsim.report.data import RunData
from ltsim.report.figures.common import BLUE, ORANGE, RED, Figures, and_word, clean, nice_step, title
from ltsim.report.i18n import fmt_num, fmt_pct, fmt_share, t


def fig_pyramid(figs: Figures, d: RunData) -> str:
    """Population pyramid [persons by age and sex]: the end year as bars, the base year as an outline."""
    lang = d.lang
    base, end = d.years
    pop = d.run.table("population")
    sel = pop[pop.year.isin([base, end])].groupby(["year", "sex", "age"]).persons.sum()
    ages = list(range(int(pop.age.min()), int(pop.age.max()) + 1))
    data = []
    vmax = 0.0
    for sex, sign, colour in (("male", -1, BLUE), ("female", 1, ORANGE)):
        end_v = sel.loc[(end, sex)].reindex(ages, fill_value=0.0)
        base_v = sel.loc[(base, sex)].reindex(ages, fill_value=0.0)
        vmax = max(vmax, float(end_v.max()), float(base_v.max()))
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": f"{t(sex, lang)} {end}",
                "y": ages,
                "x": clean(sign * end_v.to_numpy(), 1),
                "customdata": clean(end_v.to_numpy(), 0),
                "marker": {"color": colour, "opacity": 0.75},
                "hovertemplate": f"{t(sex, lang)} {end}, %{{y}}: %{{customdata:,.0f}}<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{t(sex, lang)} {base}",
                "y": ages,
                "x": clean(sign * base_v.to_numpy(), 1),
                "customdata": clean(base_v.to_numpy(), 0),
                "line": {"color": "#111", "width": 1.2, "shape": "vh"},
                "hovertemplate": f"{t(sex, lang)} {base}, %{{y}}: %{{customdata:,.0f}}<extra></extra>",
            }
        )
    step = nice_step(vmax)
    ticks = [i * step for i in range(-int(vmax // step), int(vmax // step) + 1)]
    layout = figs.layout(
        460,
        barmode="overlay",
        bargap=0.05,
        hovermode="closest",
        title=title(f"{t('pyramid', lang)} {base} {and_word(lang)} {end}"),
        xaxis={
            "tickvals": ticks,
            "ticktext": [fmt_num(abs(v), 0, lang) for v in ticks],
            "tickformat": None,
            "title": {"text": t("persons", lang)},
        },
        yaxis={"title": {"text": t("age", lang)}, "tickformat": "d", "dtick": 10},
    )
    return figs.add("fig-pyramid", data, layout)


def fig_area_growth(figs: Figures, d: RunData) -> str:
    """Population growth [percent] over the period by planning area (horizontal bars, sorted)."""
    lang = d.lang
    base, end = d.years
    pop = d.run.table("population")
    by = pop[pop.year.isin([base, end])].groupby(["area", "year"]).persons.sum().unstack("year")
    names = d.area_names
    growth = (by[end] / by[base] - 1) * 100
    order = growth.sort_values().index
    labels = [names.get(a, a) for a in order]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": clean(growth[order], 2),
            "customdata": [[fmt_num(by.loc[a, base], 0, lang), fmt_num(by.loc[a, end], 0, lang)] for a in order],
            "marker": {"color": [BLUE if g >= 0 else RED for g in growth[order]]},
            "text": [fmt_pct(g, 0, lang, sign=True) for g in growth[order]],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": f"%{{y}}: %{{customdata[0]}} → %{{customdata[1]}} ({base}–{end})<extra></extra>",
            "name": t("growth_pct", lang),
        }
    ]
    layout = figs.layout(
        max(300, 40 + 26 * len(labels)),
        hovermode="closest",
        showlegend=False,
        title=title(f"{t('growth_by_area', lang)} {base}–{end}"),
        xaxis={"ticksuffix": " %", "tickformat": ",", "title": {"text": ""}},
        yaxis={"automargin": True, "tickformat": None},
        margin={"l": 10, "r": 50},
    )
    return figs.add("fig-area-growth", data, layout)


def fig_elderly(figs: Figures, lang: str, numbers: dict[str, Any]) -> str:
    """Persons aged 67+ and 80+ per year [persons] (their shares of the population on hover).

    ``numbers``: :func:`ltsim.report.data.population_numbers` of the run.
    """
    years = clean(numbers["years"])
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t(key, lang),
            "x": years,
            "y": clean(numbers[series].to_numpy(), 0),
            "customdata": [fmt_share(s, 1, lang) for s in numbers[share]],
            "line": {"color": colour, "width": 3},
            "marker": {"size": 4},
            "hovertemplate": "%{y:,.0f} (%{customdata})",
        }
        for key, series, share, colour in (
            ("aged_67", "old67", "share67", BLUE),
            ("aged_80", "old80", "share80", ORANGE),
        )
    ]
    layout = figs.layout(
        340,
        title=title(t("elderly", lang)),
        yaxis={"rangemode": "tozero", "title": {"text": t("persons", lang)}},
    )
    return figs.add("fig-elderly", data, layout)
