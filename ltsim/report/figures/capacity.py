"""Figures of the capacity section: demand against usable capacity per zone, and the chance of a shortfall."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ltsim.report.data import RunData
from ltsim.report.figures.common import BLUE, GREY, RED, Figures, clean, title
from ltsim.report.i18n import fmt_num, t


def fig_zone_gap(figs: Figures, d: RunData, service: str, zone: str, heading: str, fig_id: str) -> str | None:
    """Demand vs usable capacity [places] in one zone, the shortfall shaded (the worst school on the summary page)."""
    lang = d.lang
    cap = d.run.table("capacity")
    if cap is None:
        return None
    sel = cap[(cap.service == service) & (cap.zone == zone)].sort_values("year")
    if sel.empty:
        return None
    years = clean(sel.year)
    cap_v = sel.usable_capacity.to_numpy(float)
    dem_v = sel.demand.to_numpy(float)
    i_peak = int(np.nanargmax(dem_v - cap_v))
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": t("usable_capacity", lang),
            "x": years,
            "y": clean(cap_v, 1),
            "line": {"color": "#7f7f7f", "shape": "hv", "width": 2},
            "fill": "tozeroy",
            "fillcolor": "rgba(160,160,160,0.22)",
            "hovertemplate": "%{y:,.0f}",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{t('short', lang)} ({t('places', lang)})",
            "x": years,
            "y": clean(np.maximum(dem_v, cap_v), 1),
            "customdata": clean(np.maximum(dem_v - cap_v, 0), 0),
            "line": {"width": 0, "shape": "linear"},
            "fill": "tonexty",
            "fillcolor": "rgba(192,57,43,0.45)",
            "hovertemplate": f"{t('short', lang)}: %{{customdata:,.0f}}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t("demand_places", lang),
            "x": years,
            "y": clean(dem_v, 1),
            "line": {"color": BLUE, "width": 3},
            "marker": {"size": 5},
            "hovertemplate": "%{y:,.0f}",
        },
    ]
    top = float(np.nanmax(np.r_[dem_v, cap_v]))
    peak = float(dem_v[i_peak] - cap_v[i_peak])
    layout = figs.layout(
        360,
        title=title(heading),
        yaxis={"range": [0, top * 1.15], "title": {"text": t("places", lang)}},
        annotations=[
            {
                "x": years[i_peak],
                "y": float(dem_v[i_peak]),
                "text": f"<b>{t('short', lang)} {fmt_num(peak, 0, lang)}</b> ({years[i_peak]})",
                "showarrow": True,
                "arrowhead": 0,
                "ax": -60,
                "ay": -28,
                "font": {"color": RED, "size": 13},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        ]
        if peak > 0.5
        else [],
    )
    return figs.add(fig_id, data, layout)


def fig_service_grid(figs: Figures, d: RunData, service: str, fig_id: str) -> str | None:
    """Small multiples: demand vs usable capacity [places] in every zone of a service, worst zone first."""
    lang = d.lang
    cap = d.run.table("capacity")
    sel = cap[cap.service == service]
    if sel.empty:
        return None
    sp = d.run.table("shortfall_probability")
    mc = sp is not None and "usable_capacity_p50" in sp
    if mc:  # Monte Carlo: the median usable capacity and its P10–P90 band, never one replication's
        q = sp[sp.service == service][
            ["year", "zone", "usable_capacity_p10", "usable_capacity_p50", "usable_capacity_p90"]
        ]
        sel = sel.merge(q, on=["year", "zone"], how="left")
        sel = sel.assign(usable_capacity=sel.usable_capacity_p50, gap=sel.demand - sel.usable_capacity_p50)
    znames = d.zone_names
    peak = sel.assign(short=sel.gap.clip(lower=0)).groupby("zone").short.max()
    zones = list(peak.sort_values(ascending=False, kind="stable").index)
    n = len(zones)
    cols = 1 if n == 1 else (2 if n <= 4 else (3 if n <= 9 else 4))
    rows = math.ceil(n / cols)
    row_h = 190 if n > 1 else 300
    height = 60 + rows * row_h
    gx, gy_px = 0.05, 52
    data: list[dict[str, Any]] = []
    layout = figs.layout(height, hovermode="x unified", showlegend=True, margin={"t": 40, "b": 20, "l": 50, "r": 10})
    layout["legend"] = {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}
    layout.pop("xaxis")
    layout.pop("yaxis")
    annotations = []
    by_zone = dict(tuple(sel.groupby("zone", sort=False)))  # each zone's rows in their order, split once
    plot_h = height - 60
    cell_h = 1.0 / rows
    gy = gy_px / plot_h
    w = (1.0 - gx * (cols - 1)) / cols
    for i, zone in enumerate(zones):
        r, c = divmod(i, cols)
        k = "" if i == 0 else str(i + 1)
        x0 = c * (w + gx)
        y1 = 1.0 - r * cell_h - gy * 0.7
        y0 = 1.0 - (r + 1) * cell_h + gy * 0.3
        z = by_zone[zone].sort_values("year")
        years = clean(z.year)
        first = i == 0
        data += [
            {
                "type": "scatter",
                "mode": "lines",
                "x": years,
                "y": clean(z.usable_capacity, 1),
                "xaxis": f"x{k}",
                "yaxis": f"y{k}",
                "name": t("usable_capacity", lang),
                "legendgroup": "cap",
                "showlegend": first,
                "line": {"color": GREY, "shape": "hv", "width": 1},
                "fill": "tozeroy",
                "fillcolor": "rgba(160,160,160,0.25)",
                "hovertemplate": "%{y:,.0f}",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": years,
                "y": clean(z.demand, 1),
                "xaxis": f"x{k}",
                "yaxis": f"y{k}",
                "name": t("demand_places", lang),
                "legendgroup": "dem",
                "showlegend": first,
                "line": {"color": BLUE, "width": 2.2},
                "hovertemplate": "%{y:,.0f}",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": years,
                "y": clean(np.maximum(z.demand.to_numpy(float), z.usable_capacity.to_numpy(float)), 1),
                "customdata": clean(z.gap.clip(lower=0), 0),
                "xaxis": f"x{k}",
                "yaxis": f"y{k}",
                "name": t("short", lang),
                "legendgroup": "short",
                "showlegend": first,
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": "rgba(192,57,43,0.45)",
                "hovertemplate": f"{t('short', lang)}: %{{customdata:,.0f}}<extra></extra>",
            },
        ]
        data[-2], data[-1] = data[-1], data[-2]  # shortfall fill lies between capacity and demand
        if mc:
            for edge, fill in (("usable_capacity_p10", None), ("usable_capacity_p90", "tonexty")):
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": years,
                        "y": clean(z[edge], 1),
                        "xaxis": f"x{k}",
                        "yaxis": f"y{k}",
                        "name": f"{t('usable_capacity', lang)} P10–P90",
                        "legendgroup": "band",
                        "showlegend": first and fill is not None,
                        "line": {"color": "rgba(90,90,90,0.6)", "width": 0.8, "dash": "dot", "shape": "hv"},
                        **({"fill": fill, "fillcolor": "rgba(90,90,90,0.12)"} if fill else {}),
                        "hoverinfo": "skip",
                    }
                )
        top = float(np.nanmax(np.r_[z.demand.to_numpy(float), z.usable_capacity.to_numpy(float), 1.0]))
        layout[f"xaxis{k}"] = {
            "domain": [x0, x0 + w],
            "anchor": f"y{k}",
            "tickformat": "d",
            "gridcolor": "#eee",
            "nticks": 5,
            "tickfont": {"size": 10},
        }
        layout[f"yaxis{k}"] = {
            "domain": [max(y0, 0.0), min(y1, 1.0)],
            "anchor": f"x{k}",
            "range": [0, top * 1.12],
            "tickformat": ",",
            "gridcolor": "#eee",
            "nticks": 4,
            "tickfont": {"size": 10},
        }
        name = znames.get((service, zone), zone)
        name = name if len(name) <= 38 else name[:36] + "…"
        pk = float(peak[zone])
        label = f"<b>{name}</b>"
        if pk > 0.5:
            label += (
                f"  <span style='color:{RED}'>−{fmt_num(pk, 0, lang)}</span>"
                if lang == "nb"
                else f"  <span style='color:{RED}'>-{fmt_num(pk, 0, lang)}</span>"
            )
        annotations.append(
            {
                "text": label,
                "x": x0,
                "xanchor": "left",
                "xref": "paper",
                "y": min(y1, 1.0),
                "yanchor": "bottom",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    layout["annotations"] = annotations
    return figs.add(fig_id, data, layout)


def fig_shortfall_probability(figs: Figures, d: RunData, service: str, heading: str, fig_id: str) -> str | None:
    """Heatmap zone × year of the probability [0–1] of a shortfall (Monte Carlo), zones at risk only."""
    lang = d.lang
    sp = d.run.table("shortfall_probability")
    if sp is None:
        return None
    sel = sp[sp.service == service]
    wide = sel.pivot_table(index="zone", columns="year", values="probability_short")
    wide = wide[wide.max(axis=1) > 0]
    if wide.empty:
        return None
    wide = wide.loc[wide.max(axis=1).sort_values().index]
    znames = d.zone_names
    labels = [znames.get((service, z), z) for z in wide.index]
    labels = [lbl if len(lbl) <= 40 else lbl[:38] + "…" for lbl in labels]
    data = [
        {
            "type": "heatmap",
            "z": [clean(row, 3) for row in wide.to_numpy()],
            "x": clean(wide.columns),
            "y": labels,
            "zmin": 0,
            "zmax": 1,
            "colorscale": [[0, "#ffffff"], [0.2, "#fde0c5"], [0.5, "#f39c6b"], [1, "#b03a2e"]],
            "colorbar": {"tickformat": ".0%", "thickness": 12, "len": 0.9},
            "hovertemplate": "%{y}, %{x}: %{z:.0%}<extra></extra>",
            "xgap": 1,
            "ygap": 1,
        }
    ]
    layout = figs.layout(
        max(160, 90 + 24 * len(labels)),
        hovermode="closest",
        title=title(f"{heading}: {t('prob_short', lang).lower()}", 13),
        yaxis={"automargin": True, "tickformat": None, "gridcolor": None},
        margin={"l": 10, "t": 36, "b": 30},
    )
    return figs.add(fig_id, data, layout)
