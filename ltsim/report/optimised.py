"""The optimised plan's answer, first in its report: plan as written vs optimised, the moves and why.

Read from ``optimize.json``'s ``answer`` (``ltsim.optimize.answer``): the debt ratio of both plans
per year on one chart and one table (cells over the ceiling red), the place-years short the
optimised plan adds, the moves (project, from → to, why) and the years over the ceiling with why.
"""

from __future__ import annotations

from typing import Any

from ltsim.report import RunFolder
from ltsim.report.figures.common import BLUE, GREY, ORANGE, RED, Figures, title
from ltsim.report.i18n import fmt_num, fmt_pct, kpi_name, t


def move_reason(move: dict[str, Any], lang: str) -> str:
    """Why a move was made, in words."""
    why = move.get("why")
    if why == "frees_headroom":
        text = t("why_frees_headroom", lang).format(
            mnok=fmt_num(move["headroom_mnok"], 0, lang), year=move["headroom_year"]
        )
        if move.get("place_years_short", 0.0) > 0.5:
            text += t("why_costs_places", lang).format(n=fmt_num(move["place_years_short"], 0, lang))
        return text
    if why == "fewer_short":
        return t("why_fewer_short", lang).format(n=fmt_num(-move["place_years_short"], 0, lang))
    return t("why_tie", lang)


def over_reason(row: dict[str, Any], lang: str) -> str:
    """Why a year stays over the ceiling, in words."""
    lowest = fmt_pct(row["lowest_debt_ratio_pct"], 1, lang)
    key = {"debt_drawn": "why_debt_drawn", "fixed_debt": "why_fixed_debt"}.get(row.get("why"), "why_trade_off")
    return t(key, lang).format(lowest=lowest)


def _year(value: Any, lang: str, missing: str) -> str:
    return str(value) if value is not None else t(missing, lang)


def fig_answer(figs: Figures, a: dict[str, Any], lang: str) -> str:
    """Debt ratio per year: plan as written, optimised, lowest reachable, against the ceiling [% of revenue]."""
    years = a["years"]
    ceiling = a["ceiling_pct"]
    plan, opt = a["plan_debt_ratio_pct"], a["optimized_debt_ratio_pct"]

    def line(name: str, y: list[float], colour: str, width: float, dash: str = "solid") -> dict[str, Any]:
        return {
            "type": "scatter",
            "mode": "lines+markers" if dash == "solid" else "lines",
            "name": name,
            "x": years,
            "y": [round(v, 2) for v in y],
            "line": {"color": colour, "width": width, "dash": dash},
            "marker": {"size": 7, "color": [RED if v > ceiling + 1e-9 else colour for v in y]},
            "hovertemplate": "%{y:,.1f} %<extra>" + name + "</extra>",
        }

    data = [
        line(t("plan_written", lang), plan, ORANGE, 2.5),
        line(t("plan_optimised", lang), opt, BLUE, 3),
        line(t("lowest_reachable", lang), a["lowest_debt_ratio_pct"], GREY, 1.5, "dot"),
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{t('ceiling', lang)}: {fmt_pct(ceiling, 0, lang)}",
            "x": years,
            "y": [ceiling] * len(years),
            "line": {"color": RED, "width": 2, "dash": "dash"},
            "hoverinfo": "skip",
        },
    ]
    top = max([ceiling, *plan, *opt])
    low = min([*a["lowest_debt_ratio_pct"], *plan, *opt])
    layout = figs.layout(
        380,
        title=title(t("answer_chart", lang)),
        yaxis={"ticksuffix": " %", "range": [max(0.0, low - 5.0), top + 3.0], "title": {"text": ""}},
    )
    return figs.add("fig-answer", data, layout)


def answer_section(figs: Figures, run: RunFolder, lang: str) -> dict[str, Any] | None:
    """What the page shows first for an optimised plan; None for a run without ``optimize.json``'s answer."""
    o = run.optimize
    a = (o or {}).get("answer")
    if not a:
        return None
    ceiling = a["ceiling_pct"]
    projects = [m for m in a["moves"] if m.get("kind", "project") == "project"]
    lead = t("answer_lead", lang).format(
        n=len(projects),
        ceiling=fmt_pct(ceiling, 0, lang),
        plan_over=len(a.get("plan_years_over", [])),
        opt_over=len(a["years_over"]),
        added=fmt_num(a["place_years_short_added"], 0, lang),
        plan_short=fmt_num(a["place_years_short_plan"], 0, lang),
        opt_short=fmt_num(a["place_years_short_optimized"], 0, lang),
    )

    def cells(values: list[float], red: bool = True) -> list[dict[str, str]]:
        return [
            {"value": fmt_num(v, 1, lang), "status": "red" if red and v > ceiling + 1e-9 else "green" if red else "na"}
            for v in values
        ]

    return {
        "lead": lead,
        "head": f"{kpi_name('debt_ratio_pct', lang)}, %",
        "fig": fig_answer(figs, a, lang),
        "years": a["years"],
        "rows": [
            {"name": t("plan_written", lang), "cells": cells(a["plan_debt_ratio_pct"])},
            {"name": t("plan_optimised", lang), "cells": cells(a["optimized_debt_ratio_pct"])},
            {"name": t("lowest_reachable", lang), "cells": cells(a["lowest_debt_ratio_pct"], red=False)},
        ],
        "moves": [
            {
                "name": m["name"],
                "from_to": f"{_year(m['from'], lang, 'not_planned')} → {_year(m['to'], lang, 'not_built')}",
                "why": move_reason(m, lang),
            }
            for m in a["moves"]
        ],
        "over": [
            {"year": r["year"], "ratio": fmt_pct(r["debt_ratio_pct"], 1, lang), "why": over_reason(r, lang)}
            for r in a["years_over"]
        ],
    }


def answer_sheet(wb: Any, run: RunFolder, lang: str) -> None:
    """The workbook's first sheet for an optimised plan: the answer's table, the moves, the years over."""
    from openpyxl.styles import Font, PatternFill

    from ltsim.io.excel import set_value

    def put(row: int, column: int, value: Any) -> Any:
        cell = ws.cell(row=row, column=column)
        set_value(cell, value)
        return cell

    o = run.optimize
    a = (o or {}).get("answer")
    if not a:
        return
    section = answer_section(Figures(lang), run, lang)
    assert section is not None
    ws = wb.create_sheet(t("optimised_plan", lang)[:31], 0)
    put(1, 1, f"{t('optimised_plan', lang)}: {run.title}")
    ws["A1"].font = Font(bold=True, size=14)
    put(2, 1, section["lead"])
    red = PatternFill("solid", fgColor="F5B7B1")
    header = [t("year", lang), t("plan_written", lang), t("plan_optimised", lang), t("lowest_reachable", lang)]
    header.append(t("ceiling", lang).split(" ")[0])
    row = 4
    for j, name in enumerate(header, start=1):
        put(row, j, f"{name} (%)" if j > 1 else name).font = Font(bold=True)
    paths = (a["plan_debt_ratio_pct"], a["optimized_debt_ratio_pct"], a["lowest_debt_ratio_pct"])
    for i, year in enumerate(a["years"]):
        row += 1
        put(row, 1, year)
        for j, path in enumerate(paths, start=2):
            cell = put(row, j, path[i])
            cell.number_format = "0.0"
            if j < 4 and path[i] > a["ceiling_pct"] + 1e-9:
                cell.fill = red
        put(row, 5, a["ceiling_pct"]).number_format = "0.0"
    row += 2
    put(row, 1, t("moves_title", lang)).font = Font(bold=True, size=12)
    row += 1
    for j, name in enumerate((t("project", lang), t("from_to", lang), t("why", lang)), start=1):
        put(row, j, name).font = Font(bold=True)
    for m in section["moves"]:
        row += 1
        for j, key in enumerate(("name", "from_to", "why"), start=1):
            put(row, j, m[key])
    if section["over"]:
        row += 2
        put(row, 1, t("over_title", lang)).font = Font(bold=True, size=12)
        for r in section["over"]:
            row += 1
            put(row, 1, r["year"])
            put(row, 2, r["ratio"])
            put(row, 3, r["why"])
    for col, width in zip("ABCDE", (48, 18, 70, 22, 12), strict=True):
        ws.column_dimensions[col].width = width
