"""The HTML report of one run folder: one self-contained file (plotly.js embedded once, no CDN, no fonts).

Figures are plain plotly JSON specs (``{"data": [...], "layout": {...}}``) rendered by a small inline
loader, which also records JavaScript errors in ``window.__ltsimErrors`` and in the hidden element
``#ltsim-errors`` (the browser test reads it) and the number of figures drawn in ``#ltsim-status``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.models.finance import FiscalRule
from ltsim.report import RunFolder
from ltsim.report.i18n import (
    PLOTLY_SEPARATORS,
    SCHOOL_SERVICES,
    STATUS_NAMES,
    fmt_num,
    fmt_pct,
    fmt_share,
    item_name,
    kpi_name,
    service_name,
    t,
)

TEMPLATES = Path(__file__).parent / "templates"

BLUE = "#1f4e79"
LIGHT_BLUE = "#7fa7cf"
GREY = "#9e9e9e"
LIGHT_GREY = "#d9d9d9"
RED = "#c0392b"
GREEN = "#2e7d32"
AMBER = "#e0a100"
ORANGE = "#d35400"
PALETTE = ("#1f4e79", "#d35400", "#2e7d32", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#b7950b", "#2c3e50")
STATUS_COLOURS = {"green": GREEN, "yellow": AMBER, "red": RED}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


# ------------------------------------------------------------------------------------------- helpers


def clean(values: Any, decimals: int = 3) -> list[Any]:
    """A JSON-safe list: NaN → None, numpy scalars → Python, floats rounded to ``decimals``."""
    out: list[Any] = []
    for v in np.asarray(values, dtype=object).tolist() if not isinstance(values, list) else values:
        if isinstance(v, (float, np.floating)):
            fv = float(v)
            out.append(None if not math.isfinite(fv) else round(fv, decimals))
        elif isinstance(v, np.integer):
            out.append(int(v))
        elif v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            out.append(v)
    return out


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


class Figures:
    """Collects figure specs under ids; the template renders each into ``<div id=ID class="plot">``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.specs: dict[str, dict[str, Any]] = {}
        self.titles: dict[str, str] = {}

    def layout(self, height: int = 340, **extra: Any) -> dict[str, Any]:
        """The common layout: Norwegian separators in ``nb``, system fonts, white background."""
        base: dict[str, Any] = {
            "separators": PLOTLY_SEPARATORS[self.lang],
            "font": {"family": FONT, "size": 12, "color": "#222"},
            "height": height,
            "margin": {"l": 64, "r": 24, "t": 36, "b": 48},
            "paper_bgcolor": "#fff",
            "plot_bgcolor": "#fff",
            "legend": {"orientation": "h", "x": 0, "y": -0.14, "yanchor": "top"},
            "hovermode": "x unified",
            "xaxis": {"gridcolor": "#eee", "tickformat": "d", "linecolor": "#999"},
            "yaxis": {"gridcolor": "#eee", "tickformat": ",", "linecolor": "#999", "zerolinecolor": "#bbb"},
        }
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                base[key] = {**base[key], **value}
            else:
                base[key] = value
        return base

    def add(self, fig_id: str, data: list[dict[str, Any]], layout: dict[str, Any]) -> str:
        """Register a figure and return its id; a ``title`` in the layout is shown as HTML above the chart."""
        title = layout.pop("title", None)
        if isinstance(title, dict):
            title = title.get("text")
        self.titles[fig_id] = str(title or "")
        if title:
            margin = layout.get("margin", {})
            if margin.get("t", 36) == 36:
                layout["margin"] = {**margin, "t": 14}
        self.specs[fig_id] = {"data": data, "layout": layout}
        return fig_id

    def json(self) -> str:
        """All specs as JSON safe to put inside a ``<script>`` element."""
        text = json.dumps(_nan_to_none(self.specs), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.replace("</", "<\\/")


def years_of(run: RunFolder) -> tuple[int, int]:
    """Base and end year of the run (manifest, else population.csv)."""
    h = run.manifest.get("horizon") or {}
    if "base_year" in h and "end_year" in h:
        return int(h["base_year"]), int(h["end_year"])
    pop = run.table("population")
    return int(pop.year.min()), int(pop.year.max())


def service_names(run: RunFolder, lang: str) -> dict[str, str]:
    """Service id → display name (the scenario's names in ``nb``)."""
    names = {}
    for svc in run.resolved.get("services") or []:
        if isinstance(svc, dict) and "id" in svc:
            names[svc["id"]] = service_name(svc["id"], lang, svc.get("name"))
    for frame_name in ("capacity_summary", "demand"):
        frame = run.table(frame_name)
        if frame is not None:
            for sid in frame.service.unique():
                names.setdefault(sid, service_name(sid, lang))
    return names


def area_names(run: RunFolder) -> dict[str, str]:
    """Planning area id → name."""
    return {a["id"]: a.get("name") or a["id"] for a in run.resolved.get("areas") or [] if isinstance(a, dict)}


def zone_names(run: RunFolder) -> dict[tuple[str, str], str]:
    """(service, zone) → zone name, from capacity_summary.csv."""
    cs = run.table("capacity_summary")
    if cs is None or "zone_name" not in cs:
        return {}
    return {(r.service, r.zone): str(r.zone_name) for r in cs.itertuples()}


def is_school(service_id: str) -> bool:
    """Whether a service is a school (primary or lower secondary)."""
    return service_id in SCHOOL_SERVICES or "school" in service_id or "skole" in service_id


# ------------------------------------------------------------------------------------------- fiscal rules


def fiscal_rules(run: RunFolder) -> tuple[dict[str, FiscalRule], bool]:
    """The scenario's fiscal rules as the finance model holds them, by kpi name; and whether there are any.

    The scenario writes thresholds as fractions of the key figure (``red: 0.0175``) under kpi names
    without the ``_pct`` suffix (see ``ltsim.schema.FiscalRuleSpec``); they become
    :class:`~ltsim.models.finance.FiscalRule` objects with thresholds [percent], as ``ltsim.stages``
    builds them for the run. A rule the model refuses (thresholds out of order, an unknown key figure:
    only in a hand-edited folder) is left out. No rules are invented for a municipality that states none.
    """
    fin = run.resolved.get("finance") if isinstance(run.resolved.get("finance"), dict) else {}
    rules: dict[str, FiscalRule] = {}
    for r in fin.get("fiscal_rules") or []:
        if isinstance(r, dict) and r.get("kpi") and "red" in r and "green" in r:
            try:
                rule = FiscalRule(
                    f"{r['kpi']}_pct",
                    r.get("direction", "higher_is_better"),
                    100.0 * float(r["red"]),
                    100.0 * float(r["green"]),
                    bool(r.get("green_inclusive", False)),
                )
            except ValueError:
                continue
            rules[rule.kpi] = rule
    return rules, bool(rules)


def kpi_series(run: RunFolder, kpi: str) -> Any:
    """Frame ``year, value [percent], status`` of one key figure, or None.

    From kpi.csv (value and status as the run wrote them). Only when kpi.csv lacks the key figure is it
    derived from finance.csv (100 · numerator ÷ revenue), its status then from the fiscal rule's
    :meth:`~ltsim.models.finance.FiscalRule.status`, the finance model's one derivation.
    """
    import pandas as pd

    k = run.table("kpi")
    if k is not None and kpi in set(k.kpi):
        sel = k[k.kpi == kpi].sort_values("year")
        status = sel.status if "status" in sel else pd.Series(["n/a"] * len(sel))
        return pd.DataFrame({"year": sel.year.to_numpy(), "value": sel.value.to_numpy(), "status": status.to_numpy()})
    f = run.table("finance")
    if f is None:
        return None
    wide = f.pivot_table(index="year", columns="item", values="value", aggfunc="sum")
    num = {
        "debt_ratio_pct": "net_debt_mnok",
        "net_operating_result_pct": "ndr_mnok",
        "disposition_fund_pct": "fund_mnok",
    }
    if kpi not in num or num[kpi] not in wide or "revenue_mnok" not in wide:
        return None
    value = 100.0 * wide[num[kpi]] / wide["revenue_mnok"].replace(0, np.nan)
    rules, _ = fiscal_rules(run)
    rule = rules.get(kpi)
    status = [rule.status(float(v)) if rule is not None else "n/a" for v in value]
    return pd.DataFrame({"year": wide.index.to_numpy(), "value": value.to_numpy(), "status": status})


def finance_items(run: RunFolder) -> Any:
    """finance.csv wide: index year, one column per item (None when absent)."""
    f = run.table("finance")
    if f is None or f.empty:
        return None
    return f.pivot_table(index="year", columns="item", values="value", aggfunc="sum").sort_index()


# ------------------------------------------------------------------------------------------- summary


def population_figures(run: RunFolder) -> dict[str, Any]:
    """Totals, growth and age shares from population.csv."""
    pop = run.table("population")
    by_year = pop.groupby("year").persons.sum()
    years = by_year.index.to_numpy()
    b, e = float(by_year.iloc[0]), float(by_year.iloc[-1])
    n = max(len(years) - 1, 1)
    old67 = pop[pop.age >= 67].groupby("year").persons.sum().reindex(by_year.index, fill_value=0.0)
    old80 = pop[pop.age >= 80].groupby("year").persons.sum().reindex(by_year.index, fill_value=0.0)
    return {
        "years": years,
        "total": by_year,
        "base": b,
        "end": e,
        "growth_pct_year": ((e / b) ** (1 / n) - 1) * 100 if b > 0 else float("nan"),
        "old67": old67,
        "old80": old80,
        "share67": (old67 / by_year).to_numpy(),
        "share80": (old80 / by_year).to_numpy(),
    }


def worst_gaps(run: RunFolder, lang: str, n: int = 3, schools_only: bool = False) -> list[dict[str, Any]]:
    """The ``n`` service zones with the largest peak shortfall (only those ever short)."""
    cs = run.table("capacity_summary")
    if cs is None:
        return []
    names = service_names(run, lang)
    cs = cs[cs.peak_shortfall > 1e-9]
    if schools_only:
        cs = cs[cs.service.map(is_school)]
    cs = cs.sort_values(["peak_shortfall", "place_years_short"], ascending=False).head(n)
    return [
        {
            "service_id": r.service,
            "zone_id": r.zone,
            "service": names.get(r.service, r.service),
            "zone": str(getattr(r, "zone_name", r.zone)),
            "peak_shortfall": float(r.peak_shortfall),
            "peak_year": int(r.peak_year) if r.peak_year == r.peak_year else None,
            "place_years_short": float(r.place_years_short),
        }
        for r in cs.itertuples()
    ]


def project_figures(run: RunFolder) -> dict[str, Any] | None:
    """Counts, investment, delays and deferrals from projects.csv (and schedule.csv)."""
    p = run.table("projects")
    if p is None:
        return None
    built = p[p.built.astype(str).str.lower() == "true"] if "built" in p else p
    delays = built.delay_years.fillna(0) if "delay_years" in built else None
    out = {
        "n": len(p),
        "n_built": len(built),
        "investment": float(built.cost_mnok.sum()) if "cost_mnok" in built else float("nan"),
        "n_delayed": int((delays > 0).sum()) if delays is not None else 0,
        "delay_years": float(delays[delays > 0].sum()) if delays is not None else 0.0,
        "n_deferred": None,
        "deferred_years": None,
    }
    s = run.table("schedule")
    if s is not None and "deferred_years" in s:
        d = s.deferred_years.fillna(0)
        out["n_deferred"] = int((d > 0).sum())
        out["deferred_years"] = float(d[d > 0].sum())
    h = run.table("housing_schedule")
    if h is not None and not h.empty:
        out["housing_moved"] = int((h.shift_years != 0).sum())
        out["housing_developments"] = len(h)
        out["housing_dwelling_years"] = float(h.dwelling_years_moved.sum())
    ps = run.table("project_spend")
    if ps is not None and not ps.empty:
        out["spend_in_horizon"] = float(ps.spend_mnok.sum())
    return out


def traffic_lights(run: RunFolder, lang: str) -> dict[str, Any] | None:
    """Rule × year table of kpi.csv with statuses."""
    k = run.table("kpi")
    if k is None or k.empty:
        return None
    years = sorted(int(y) for y in k.year.unique())
    rules, from_scenario = fiscal_rules(run)
    rows = []
    order = [
        kp
        for kp in ("debt_ratio_pct", "net_operating_result_pct", "disposition_fund_pct", "own_financing_pct")
        if kp in set(k.kpi)
    ]
    order += [kp for kp in k.kpi.unique() if kp not in order]
    for kp in order:
        sel = k[k.kpi == kp].set_index("year")
        rule = rules.get(kp)
        rule_text = ""
        if rule:
            sign_red = "<" if rule.direction == "higher_is_better" else ">"
            rule_text = (
                f"% · {STATUS_NAMES['red'][lang]} {sign_red} {fmt_pct(rule.red, 2 if rule.red % 1 else 0, lang)}"
            )
        cells = []
        for y in years:
            if y in sel.index:
                row = sel.loc[y]
                value = fmt_num(row.value, 1, lang)
                status = str(row.get("status", "n/a"))
            else:
                value, status = "", "n/a"
            cells.append({"value": value, "status": status if status in STATUS_COLOURS else "na"})
        rows.append({"name": kpi_name(kp, lang), "kpi": kp, "rule": rule_text, "cells": cells})
    return {"years": years, "rows": rows, "default_rules": not from_scenario}


# ------------------------------------------------------------------------------------------- figures


def fig_debt_ratio(figs: Figures, run: RunFolder, lang: str, fig_id: str = "fig-debt-ratio") -> str | None:
    """Debt ratio per year, coloured by status, against the ceiling and target of the fiscal rule."""
    s = kpi_series(run, "debt_ratio_pct")
    if s is None or s.empty:
        return None
    rules, _ = fiscal_rules(run)
    rule = rules.get("debt_ratio_pct")
    years = clean(s.year)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": kpi_name("debt_ratio_pct", lang),
            "x": years,
            "y": clean(s.value, 2),
            "line": {"color": BLUE, "width": 3},
            "marker": {
                "size": 9,
                "color": [STATUS_COLOURS.get(st, GREY) for st in s.status],
                "line": {"color": "#fff", "width": 1},
            },
            "hovertemplate": "%{y:,.1f} %<extra></extra>",
        }
    ]
    ymax = float(np.nanmax(s.value.to_numpy(dtype=float))) if s.value.notna().any() else 100.0
    if rule:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{t('ceiling', lang)}: {fmt_pct(rule.red, 0, lang)}",
                "x": years,
                "y": [rule.red] * len(years),
                "line": {"color": RED, "width": 2, "dash": "dash"},
                "hoverinfo": "skip",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{t('target', lang)}: {fmt_pct(rule.green, 0, lang)}",
                "x": years,
                "y": [rule.green] * len(years),
                "line": {"color": GREEN, "width": 1.5, "dash": "dot"},
                "hoverinfo": "skip",
            }
        )
        ymax = max(ymax, rule.red)
    layout = figs.layout(
        360,
        title={
            "text": t("debt_ratio_vs_ceiling", lang) + f" ({t('pct_of_revenue', lang)})",
            "font": {"size": 14},
            "x": 0.01,
        },
        yaxis={"ticksuffix": " %", "range": [0, ymax * 1.12], "title": {"text": ""}},
    )
    return figs.add(fig_id, data, layout)


def fig_zone_gap(
    figs: Figures, run: RunFolder, lang: str, service: str, zone: str, title: str, fig_id: str
) -> str | None:
    """Demand vs usable capacity in one zone (the worst school shortfall on the summary page)."""
    cap = run.table("capacity")
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
        title={"text": title, "font": {"size": 14}, "x": 0.01},
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


def fig_pyramid(figs: Figures, run: RunFolder, lang: str, base: int, end: int) -> str:
    """Population pyramid: end year as bars, base year as an outline."""
    pop = run.table("population")
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
    step = _nice_step(vmax)
    ticks = [i * step for i in range(-int(vmax // step), int(vmax // step) + 1)]
    layout = figs.layout(
        460,
        barmode="overlay",
        bargap=0.05,
        hovermode="closest",
        title={
            "text": f"{t('pyramid', lang)} {base} {'og' if lang == 'nb' else 'and'} {end}",
            "font": {"size": 14},
            "x": 0.01,
        },
        xaxis={
            "tickvals": ticks,
            "ticktext": [fmt_num(abs(v), 0, lang) for v in ticks],
            "tickformat": None,
            "title": {"text": t("persons", lang)},
        },
        yaxis={"title": {"text": t("age", lang)}, "tickformat": "d", "dtick": 10},
    )
    return figs.add("fig-pyramid", data, layout)


def _linear_ticks(top: float) -> dict[str, Any]:
    """Evenly spaced round ticks from 0 (for secondary axes, which plotly would otherwise sync)."""
    return {"tickmode": "linear", "tick0": 0, "dtick": _nice_step(top * 0.75)}


def _nice_step(vmax: float) -> float:
    if vmax <= 0:
        return 1.0
    raw = vmax / 3
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def fig_area_growth(figs: Figures, run: RunFolder, lang: str, base: int, end: int) -> str:
    """Growth over the period by planning area (horizontal bars, sorted)."""
    pop = run.table("population")
    by = pop[pop.year.isin([base, end])].groupby(["area", "year"]).persons.sum().unstack("year")
    names = area_names(run)
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
        title={"text": f"{t('growth_by_area', lang)} {base}–{end}", "font": {"size": 14}, "x": 0.01},
        xaxis={"ticksuffix": " %", "tickformat": ",", "title": {"text": ""}},
        yaxis={"automargin": True, "tickformat": None},
        margin={"l": 10, "r": 50},
    )
    return figs.add("fig-area-growth", data, layout)


def fig_elderly(figs: Figures, lang: str, pf: dict[str, Any]) -> str:
    """Persons aged 67+ and 80+ per year (shares on hover)."""
    years = clean(pf["years"])
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t(key, lang),
            "x": years,
            "y": clean(pf[series].to_numpy(), 0),
            "customdata": [fmt_share(s, 1, lang) for s in pf[share]],
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
        title={"text": t("elderly", lang), "font": {"size": 14}, "x": 0.01},
        yaxis={"rangemode": "tozero", "title": {"text": t("persons", lang)}},
    )
    return figs.add("fig-elderly", data, layout)


def _effect(r: Any) -> dict[str, Any]:
    """The ``effect_*`` columns of a schedule row (what the move costs and saves on its own)."""

    def value(name: str) -> Any:
        v = getattr(r, f"effect_{name}", None)
        if v is None or v != v:
            return None
        return int(v) if name.endswith("year") else float(v)

    return {
        "effect_places": value("place_years_short"),
        "effect_gained": value("headroom_gained_mnok"),
        "effect_gained_year": value("headroom_year"),
        "effect_lost": value("headroom_lost_mnok"),
        "effect_lost_year": value("headroom_lost_year"),
    }


def optimisation_summary(run: RunFolder) -> dict[str, Any] | None:
    """The optimisation behind an optimised plan (optimize.json), for the projects section; None if none."""
    file = run.path / "optimize.json"
    if not file.is_file():
        return None
    o = json.loads(file.read_text(encoding="utf-8"))
    c = o.get("confidence")
    lowest = None
    if c:
        pairs = [(p, y) for y, p in zip(c["years"], c["probability_within_ceiling"], strict=True) if y > c["years"][0]]
        if pairs:
            p, y = min(pairs)
            lowest = {"probability": p, "year": y}
    one_point = o.get("value_of_one_more_point_of_ceiling") or {}
    return {
        "ceiling_pct": 100.0 * o["debt_ratio_ceiling"],
        "solver": o["solver"],
        "status": o["status"],
        "binding": [b["year"] for b in o.get("binding_constraints", [])],
        "one_point_place_years": None
        if one_point.get("unmet_place_years") is None
        else -one_point["unmet_place_years"],
        "unmet_optimal": o["optimal"]["unmet_place_years"],
        "unmet_plan": o["plan"]["unmet_place_years"],
        "confidence": c["target"] if c else None,
        "confidence_reps": c["reps"] if c else None,
        "lowest": lowest,
    }


def deferral_rows(run: RunFolder) -> list[dict[str, Any]]:
    """The candidate projects the optimiser moved (schedule.csv), with what each move costs and saves."""
    s = run.table("schedule")
    if s is None or s.empty or "effect_place_years_short" not in s:
        return []
    rows = []
    for r in s.itertuples():
        moved = r.deferred_years == r.deferred_years and r.deferred_years != 0
        if not (moved or r.effect_place_years_short == r.effect_place_years_short):
            continue
        rows.append(
            {
                "name": r.name,
                "planned": int(r.planned_start),
                "chosen": int(r.chosen_start) if r.chosen_start == r.chosen_start else None,
                "years": int(r.deferred_years) if r.deferred_years == r.deferred_years else None,
                **_effect(r),
            }
        )
    return rows


def housing_moves(run: RunFolder) -> list[dict[str, Any]]:
    """The developments the optimiser moved (housing_schedule.csv), with what each move does on its own."""
    h = run.table("housing_schedule")
    if h is None or h.empty:
        return []
    rows = []
    for r in h[h.shift_years != 0].itertuples():
        rows.append(
            {
                "development": r.development,
                "area": str(r.area),
                "dwellings": float(r.dwellings),
                "planned": int(r.planned_first_completion),
                "chosen": int(r.chosen_first_completion),
                "years": int(r.shift_years),
                "school": float(getattr(r, "places_needed_change_primary_school", float("nan"))),
                "revenue": float(r.revenue_change_mnok),
                **_effect(r),
            }
        )
    return rows


def housing_figures(figs: Figures, run: RunFolder, lang: str) -> dict[str, Any] | None:
    """The housing section: planned vs completed dwellings, what the rules held back, what the optimiser moved."""
    h = run.table("housing")  # written for every run with a housing programme, so also where housing moved
    if h is None or h.empty:
        return None
    per_year = h.groupby("year")[["planned", "released", "held_back"]].sum()
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
        title={"text": t("housing_title", lang), "font": {"size": 14}, "x": 0.01},
        yaxis={"rangemode": "tozero", "title": {"text": t("dwellings", lang)}},
    )
    rows = []
    last = int(h.year.max())
    for dev, g in h.groupby("development", sort=False):
        released = g.released > 1e-9
        held = g[g.held_back > 1e-9]
        binding = held.binding_condition[held.binding_condition != "none"]
        rows.append(
            {
                "development": dev,
                "area": str(g.area.iloc[0]),
                "planned": float(g.planned.sum()),
                "released": float(g.released.sum()),
                "held_end": float(g[g.year == last].held_back.sum()),
                "first": int(g.year[released].min()) if released.any() else None,
                "binding": binding.mode().iloc[0] if len(binding) else "",
            }
        )
    conditioned = [r for r in rows if r["binding"] or r["held_end"] > 1e-9]
    return {
        "fig": figs.add("fig-housing", data, layout),
        "rows": conditioned,
        "moved": housing_moves(run),
        "total_planned": float(per_year.planned.sum()),
        "total_released": float(per_year.released.sum()),
    }


def fig_service_grid(figs: Figures, run: RunFolder, lang: str, service: str, title: str, fig_id: str) -> str | None:
    """Small multiples: demand vs usable capacity in every zone of a service, worst zone first."""
    cap = run.table("capacity")
    sel = cap[cap.service == service]
    if sel.empty:
        return None
    znames = zone_names(run)
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
        z = sel[sel.zone == zone].sort_values("year")
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


def fig_shortfall_probability(
    figs: Figures, run: RunFolder, lang: str, service: str, title: str, fig_id: str
) -> str | None:
    """Heatmap zone × year of the probability of a shortfall (Monte Carlo), zones at risk only."""
    sp = run.table("shortfall_probability")
    if sp is None:
        return None
    sel = sp[sp.service == service]
    wide = sel.pivot_table(index="zone", columns="year", values="probability_short")
    wide = wide[wide.max(axis=1) > 0]
    if wide.empty:
        return None
    wide = wide.loc[wide.max(axis=1).sort_values().index]
    znames = zone_names(run)
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
        title={"text": f"{title}: {t('prob_short', lang).lower()}", "font": {"size": 13}, "x": 0.01},
        yaxis={"automargin": True, "tickformat": None, "gridcolor": None},
        margin={"l": 10, "t": 36, "b": 30},
    )
    return figs.add(fig_id, data, layout)


def fig_gantt(figs: Figures, run: RunFolder, lang: str) -> str | None:
    """Project timeline: planned and simulated (or optimised) start → first year in service; P10–P90 under MC."""
    p = run.table("projects")
    if p is None or p.empty:
        return None
    built = p.built.astype(str).str.lower() == "true" if "built" in p else np.ones(len(p), bool)
    labels = [f"{n}" if b else f"{n} ({t('not_built', lang)})" for n, b in zip(p.name, built, strict=True)]
    sched = run.table("schedule")
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
                    RED if (d == d and d > 0) else BLUE for d in p.get("delay_years", pd_zero(len(p))).astype(float)
                ]
            },
            "customdata": [
                [
                    fmt_num(a, 0, lang) if a == a else "",
                    fmt_num(b, 0, lang) if b == b else "",
                    fmt_num(d, 0, lang, sign=True) if d == d else "",
                ]
                for a, b, d in zip(sim_start, sim_end, p.get("delay_years", pd_zero(len(p))).astype(float), strict=True)
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
        title={"text": t("gantt", lang), "font": {"size": 14}, "x": 0.01},
        xaxis={"range": [lo - 0.5, hi + 1], "dtick": 1 if hi - lo <= 12 else 2, "side": "top"},
        yaxis={"autorange": "reversed", "automargin": True, "tickformat": None},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
        margin={"l": 10, "t": 70, "b": 30},
    )
    return figs.add("fig-gantt", data, layout)


def pd_zero(n: int) -> Any:
    """A zero Series (for optional columns)."""
    import pandas as pd

    return pd.Series(np.zeros(n))


def fig_spend(figs: Figures, run: RunFolder, lang: str) -> str | None:
    """Gross investment spend per year, stacked by service."""
    ps, p = run.table("project_spend"), run.table("projects")
    if ps is None or ps.empty:
        return None
    names = service_names(run, lang)
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
        title={"text": f"{t('spend_by_year', lang)} ({t('mnok_fixed', lang)})", "font": {"size": 14}, "x": 0.01},
    )
    return figs.add("fig-spend", data, layout)


def finance_figures(figs: Figures, run: RunFolder, lang: str) -> list[str]:
    """Finance section: net debt and debt ratio, NDR, disposition fund, interest + instalments."""
    out: list[str] = []
    wide = finance_items(run)
    rules, _ = fiscal_rules(run)
    mnok = t("mnok", lang)
    # net debt (bars) with debt ratio (line, right axis) and its ceiling
    ratio = kpi_series(run, "debt_ratio_pct")
    debt_col = None
    if wide is not None:
        debt_col = next((c for c in ("net_debt_mnok", "debt_closing_mnok") if c in wide), None)
    if debt_col is not None or ratio is not None:
        data: list[dict[str, Any]] = []
        layout = figs.layout(
            360,
            title={
                "text": f"{t('net_debt', lang)} ({mnok}) {'og' if lang == 'nb' else 'and'} {kpi_name('debt_ratio_pct', lang).lower()}",
                "font": {"size": 14},
                "x": 0.01,
            },
        )
        if debt_col is not None:
            data.append(
                {
                    "type": "bar",
                    "name": f"{item_name(debt_col, lang)} ({mnok})",
                    "x": clean(wide.index),
                    "y": clean(wide[debt_col], 1),
                    "marker": {"color": LIGHT_BLUE},
                    "hovertemplate": "%{y:,.0f}",
                }
            )
        if ratio is not None:
            axis = "y2" if debt_col is not None else "y"
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": kpi_name("debt_ratio_pct", lang),
                    "x": clean(ratio.year),
                    "y": clean(ratio.value, 2),
                    "yaxis": axis,
                    "line": {"color": BLUE, "width": 3},
                    "marker": {"color": [STATUS_COLOURS.get(s, GREY) for s in ratio.status], "size": 8},
                    "hovertemplate": "%{y:,.1f} %",
                }
            )
            rule = rules.get("debt_ratio_pct")
            top = float(np.nanmax(ratio.value.to_numpy(float))) if ratio.value.notna().any() else 100.0
            if rule:
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "name": f"{t('ceiling', lang)}: {fmt_pct(rule.red, 0, lang)}",
                        "x": clean(ratio.year),
                        "y": [rule.red] * len(ratio),
                        "yaxis": axis,
                        "line": {"color": RED, "dash": "dash", "width": 2},
                        "hoverinfo": "skip",
                    }
                )
                top = max(top, rule.red)
            spec = {"ticksuffix": " %", "range": [0, top * 1.12], "tickformat": ","}
            if debt_col is not None:
                layout["yaxis2"] = {
                    **spec,
                    **_linear_ticks(top * 1.12),
                    "overlaying": "y",
                    "side": "right",
                    "showgrid": False,
                    "tickformat": ",.0f",
                }
                layout["margin"] = {**layout["margin"], "r": 60}
            else:
                layout["yaxis"] = {**layout["yaxis"], **spec}
        out.append(figs.add("fig-net-debt", data, layout))
    # netto driftsresultat
    ndr = kpi_series(run, "net_operating_result_pct")
    if ndr is not None and not ndr.empty:
        data = [
            {
                "type": "bar",
                "name": kpi_name("net_operating_result_pct", lang),
                "x": clean(ndr.year),
                "y": clean(ndr.value, 2),
                "marker": {"color": [STATUS_COLOURS.get(s, GREY) for s in ndr.status]},
                "hovertemplate": "%{y:,.2f} %",
            }
        ]
        rule = rules.get("net_operating_result_pct")
        if rule:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{t('floor', lang)}: {fmt_pct(rule.red, 2, lang)}",
                    "x": clean(ndr.year),
                    "y": [rule.red] * len(ndr),
                    "line": {"color": RED, "dash": "dash"},
                    "hoverinfo": "skip",
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{t('target_above', lang)}: {fmt_pct(rule.green, 1, lang)}",
                    "x": clean(ndr.year),
                    "y": [rule.green] * len(ndr),
                    "line": {"color": GREEN, "dash": "dot"},
                    "hoverinfo": "skip",
                }
            )
        layout = figs.layout(
            340,
            title={"text": f"{t('ndr', lang)} ({t('pct_of_revenue', lang)})", "font": {"size": 14}, "x": 0.01},
            yaxis={"ticksuffix": " %", "tickformat": ",.1f"},
        )
        out.append(figs.add("fig-ndr", data, layout))
    elif wide is not None and "ndr_mnok" in wide:
        data = [
            {
                "type": "bar",
                "name": item_name("ndr_mnok", lang),
                "x": clean(wide.index),
                "y": clean(wide.ndr_mnok, 1),
                "marker": {"color": BLUE},
            }
        ]
        out.append(
            figs.add(
                "fig-ndr",
                data,
                figs.layout(340, title={"text": f"{t('ndr', lang)} ({mnok})", "font": {"size": 14}, "x": 0.01}),
            )
        )
    # disposition fund
    fund_pct = kpi_series(run, "disposition_fund_pct")
    if (wide is not None and "fund_mnok" in wide) or fund_pct is not None:
        data = []
        layout = figs.layout(340, title={"text": t("fund", lang), "font": {"size": 14}, "x": 0.01})
        if wide is not None and "fund_mnok" in wide:
            data.append(
                {
                    "type": "bar",
                    "name": f"{t('fund', lang)} ({mnok})",
                    "x": clean(wide.index),
                    "y": clean(wide.fund_mnok, 1),
                    "marker": {"color": "#8fbc8f"},
                    "hovertemplate": "%{y:,.0f}",
                }
            )
        if fund_pct is not None:
            axis = "y2" if data else "y"
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"{kpi_name('disposition_fund_pct', lang)} (%)",
                    "x": clean(fund_pct.year),
                    "y": clean(fund_pct.value, 2),
                    "yaxis": axis,
                    "line": {"color": GREEN, "width": 2.5},
                    "marker": {"color": [STATUS_COLOURS.get(s, GREY) for s in fund_pct.status]},
                    "hovertemplate": "%{y:,.1f} %",
                }
            )
            rule = rules.get("disposition_fund_pct")
            if rule:
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "name": f"{t('floor', lang)}: {fmt_pct(rule.red, 0, lang)}",
                        "x": clean(fund_pct.year),
                        "y": [rule.red] * len(fund_pct),
                        "yaxis": axis,
                        "line": {"color": RED, "dash": "dash"},
                        "hoverinfo": "skip",
                    }
                )
            if axis == "y2":
                top2 = max(float(np.nanmax(fund_pct.value.to_numpy(float))), rule.red if rule else 0.0) * 1.15
                layout["yaxis2"] = {
                    "overlaying": "y",
                    "side": "right",
                    "showgrid": False,
                    "ticksuffix": " %",
                    "range": [0, top2],
                    **_linear_ticks(top2),
                    "tickformat": ",.0f",
                }
                layout["margin"] = {**layout["margin"], "r": 60}
        out.append(figs.add("fig-fund", data, layout))
    # interest + instalments
    if wide is not None and ({"interest_mnok", "instalments_mnok"} & set(wide.columns)):
        data = [
            {
                "type": "bar",
                "name": t(lbl, lang),
                "x": clean(wide.index),
                "y": clean(wide[col], 1),
                "marker": {"color": colour},
                "hovertemplate": "%{y:,.1f}",
            }
            for col, lbl, colour in (("interest_mnok", "interest", ORANGE), ("instalments_mnok", "instalments", BLUE))
            if col in wide
        ]
        out.append(
            figs.add(
                "fig-capital-costs",
                data,
                figs.layout(
                    340,
                    barmode="stack",
                    title={"text": f"{t('capital_costs', lang)} ({mnok})", "font": {"size": 14}, "x": 0.01},
                ),
            )
        )
    return out


# ------------------------------------------------------------------------------------------- assumptions


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths → leaf values; lists of mappings with ``id`` are keyed by id, lists of scalars are leaves."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for i, x in enumerate(obj):
            key = x.get("id", i) if isinstance(x, dict) else i
            out.update(_flatten(x, f"{prefix}[{key}]"))
    else:
        out[prefix] = obj
    return out


def _sources(resolved: dict[str, Any]) -> dict[str, str]:
    """Section path → its ``source:`` text."""
    return {
        k.removesuffix(".source").removesuffix("source"): str(v)
        for k, v in _flatten(resolved).items()
        if k == "source" or k.endswith(".source")
    }


def _source_for(path: str, sources: dict[str, str]) -> str:
    parts = path
    while True:
        if parts in sources:
            return sources[parts]
        if not parts:
            return ""
        cut = max(parts.rfind("."), parts.rfind("["))
        parts = parts[:cut] if cut > 0 else ""


def _show(value: Any, lang: str, base_dir: Path | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"
        return text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212") if lang == "nb" else text
    if isinstance(value, list):
        return ", ".join(_show(v, lang, base_dir) for v in value) or "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v, lang, base_dir)}" for k, v in value.items())
    text = str(value)
    if text.endswith((".csv", ".yaml", ".yml")):
        path = Path(text)
        if not path.is_absolute() and base_dir is not None:
            path = (base_dir / path).resolve()
        return "/".join(path.parts[-2:])
    return text


def _same(a: Any, b: Any, base_dir: Path | None) -> bool:
    """Whether a resolved value equals a raw base value (relative paths resolved against the base file)."""
    if isinstance(a, str) and isinstance(b, str) and a.endswith((".csv", ".yaml", ".yml")):
        pb = Path(b) if Path(b).is_absolute() or base_dir is None else (base_dir / b).resolve()
        return Path(a).resolve() == pb
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _base_file(run: RunFolder) -> tuple[Path | None, dict[str, Any] | None]:
    """The scenario file of the run and the raw overrides it lays on its base (when it ``extends:`` one)."""
    import yaml

    file = run.manifest.get("scenario", {}).get("file")
    if not file:
        return None, None
    path = Path(file)
    if not path.is_file():
        return None, None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None, None
    if not isinstance(raw, dict) or not isinstance(raw.get("extends"), str):
        return None, None
    base = (path.parent / raw["extends"]).resolve()
    return (base if base.is_file() else None), raw


def assumptions(run: RunFolder, lang: str) -> dict[str, Any]:
    """The assumptions table: what differs from the base (when the scenario extends one) and all parameters."""
    resolved = run.resolved
    flat = {k: v for k, v in _flatten(resolved).items() if not (k == "source" or k.endswith(".source"))}
    sources = _sources(resolved)
    rows_all = [{"path": k, "value": _show(v, lang), "source": _source_for(k, sources)} for k, v in flat.items()]
    diff_rows: list[dict[str, Any]] | None = None
    base_name = None
    base_path, raw = _base_file(run)
    if base_path is not None and raw is not None:
        try:
            from ltsim.io.yamlsrc import load_layered

            base_raw, _ = load_layered(base_path)
        except Exception:  # the base cannot be read any more: show all parameters
            base_raw = None
        if base_raw is not None:
            base_name = base_raw.get("name") or base_path.stem
            base_flat = _flatten(base_raw)
            over = {k: v for k, v in _flatten({k: v for k, v in raw.items() if k != "extends"}).items()}
            diff_rows = []
            for key in over:
                if key == "source" or key.endswith(".source"):
                    continue
                value = flat.get(key, over[key])
                if key in base_flat and _same(value, base_flat[key], base_path.parent):
                    continue
                diff_rows.append(
                    {
                        "path": key,
                        "value": _show(value, lang),
                        "base": _show(base_flat[key], lang, base_path.parent)
                        if key in base_flat
                        else t("not_set", lang),
                        "source": _source_for(key, sources),
                    }
                )
    return {
        "diff": diff_rows,
        "all": rows_all,
        "base_name": base_name,
        "base_file": str(base_path) if base_path else None,
    }


# ------------------------------------------------------------------------------------------- page


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


_PLOTLY_JS: str | None = None


def plotly_js() -> str:
    """The plotly.js bundle shipped with the plotly package (embedded once per report)."""
    global _PLOTLY_JS
    if _PLOTLY_JS is None:
        from plotly.offline import get_plotlyjs

        _PLOTLY_JS = get_plotlyjs().replace("</script", "<\\/script")
    return _PLOTLY_JS


def render(template: str, lang: str, fig_titles: dict[str, str] | None = None, **context: Any) -> str:
    """Render a template with the common context (labels, formatters, plotly bundle, ``plot(id)``)."""
    from markupsafe import Markup, escape

    env = _env()
    titles = fig_titles or {}

    def plot(fig_id: str | None) -> Any:
        if not fig_id:
            return ""
        title = titles.get(fig_id, "")
        head = f'<div class="fig-title">{escape(title)}</div>' if title else ""
        return Markup(f'<figure class="fig">{head}<div id="{escape(fig_id)}" class="plot"></div></figure>')

    env.globals.update(
        t=lambda key: t(key, lang),
        num=lambda v, d=0, sign=False: fmt_num(v, d, lang, sign),
        pct=lambda v, d=1, sign=False: fmt_pct(v, d, lang, sign),
        share=lambda v, d=1, sign=False: fmt_share(v, d, lang, sign),
        lang=lang,
        plot=plot,
        plotly_js=plotly_js(),
    )
    return env.get_template(template).render(**context)


def run_context(run: RunFolder, lang: str) -> dict[str, Any]:
    """Everything the run template shows."""
    figs = Figures(lang)
    base, end = years_of(run)
    man = run.manifest
    ctx: dict[str, Any] = {"run": run, "base_year": base, "end_year": end, "manifest": man}
    pf = population_figures(run)
    ctx["pop"] = pf
    names = service_names(run, lang)
    ctx["gaps"] = worst_gaps(run, lang, 3)
    school = worst_gaps(run, lang, 1, schools_only=True)
    ctx["school"] = school[0] if school else None
    ctx["has_schools"] = run.table("capacity") is not None and any(
        is_school(s) for s in run.table("capacity").service.unique()
    )
    ctx["fig_debt"] = fig_debt_ratio(figs, run, lang)
    ctx["fig_school"] = None
    if ctx["school"]:
        s = ctx["school"]
        title = f"{t('worst_school', lang)}: {s['service']} – {s['zone']}"
        ctx["fig_school"] = fig_zone_gap(figs, run, lang, s["service_id"], s["zone_id"], title, "fig-worst-school")
    debt = kpi_series(run, "debt_ratio_pct")
    ctx["debt"] = None
    if debt is not None and debt.value.notna().any():
        i = int(np.nanargmax(debt.value.to_numpy(float)))
        rules, _ = fiscal_rules(run)
        ctx["debt"] = {
            "max": float(debt.value.iloc[i]),
            "year": int(debt.year.iloc[i]),
            "status": str(debt.status.iloc[i]),
            "ceiling": rules["debt_ratio_pct"].red if "debt_ratio_pct" in rules else None,
            "years_red": int((debt.status == "red").sum()),
        }
    ctx["lights"] = traffic_lights(run, lang)
    ctx["projects"] = project_figures(run)
    ctx["has_finance"] = run.has("finance") or run.has("kpi")
    # sections
    ctx["fig_pyramid"] = fig_pyramid(figs, run, lang, base, end)
    ctx["fig_area_growth"] = fig_area_growth(figs, run, lang, base, end)
    ctx["fig_elderly"] = fig_elderly(figs, lang, pf)
    ctx["housing"] = housing_figures(figs, run, lang)
    ctx["deferrals"] = deferral_rows(run)
    ctx["optimisation"] = optimisation_summary(run)
    services = []
    cap = run.table("capacity")
    if cap is not None:
        for sid in dict.fromkeys(cap.service):
            title = names.get(sid, sid)
            gaps = worst_gaps_service(run, sid)
            services.append(
                {
                    "id": sid,
                    "name": title,
                    "fig": fig_service_grid(figs, run, lang, sid, title, f"fig-svc-{sid}"),
                    "fig_prob": fig_shortfall_probability(figs, run, lang, sid, title, f"fig-prob-{sid}"),
                    **gaps,
                }
            )
    ctx["services"] = services
    ctx["fig_gantt"] = fig_gantt(figs, run, lang)
    ctx["fig_spend"] = fig_spend(figs, run, lang)
    ctx["project_rows"] = project_rows(run, lang)
    ctx["finance_figs"] = finance_figures(figs, run, lang) if ctx["has_finance"] else []
    ctx["finance_table"] = finance_table(run, lang)
    ctx["assumptions"] = assumptions(run, lang)
    ctx["figures_json"] = figs.json()
    ctx["fig_titles"] = figs.titles
    ctx["n_figures"] = len(figs.specs)
    ctx["mc"] = man.get("replications")
    return ctx


def worst_gaps_service(run: RunFolder, service: str) -> dict[str, Any]:
    """Place-years short and the number of zones short for one service."""
    cs = run.table("capacity_summary")
    if cs is None:
        return {"place_years_short": 0.0, "zones_short": 0, "zones": 0}
    sel = cs[cs.service == service]
    return {
        "place_years_short": float(sel.place_years_short.sum()),
        "zones_short": int((sel.peak_shortfall > 1e-9).sum()),
        "zones": len(sel),
    }


def project_rows(run: RunFolder, lang: str) -> list[dict[str, Any]]:
    """Rows of the projects table."""
    p = run.table("projects")
    if p is None:
        return []
    names = service_names(run, lang)
    znames = zone_names(run)
    rows = []
    mc = "completion_year_p10" in p
    for r in p.itertuples():
        built = str(getattr(r, "built", True)).lower() == "true"
        row = {
            "name": r.name,
            "service": names.get(r.service, r.service) if isinstance(r.service, str) else "",
            "zone": znames.get((r.service, r.zone), r.zone) if isinstance(r.zone, str) else "",
            "places": fmt_num(r.capacity_places, 0, lang) if r.capacity_places == r.capacity_places else "",
            "planned_start": fmt_num(r.planned_start, 0, lang).replace("\u00a0", ""),
            "start": _year(getattr(r, "start_year", None)),
            "planned_completion": _year(getattr(r, "planned_completion_year", None)),
            "completion": _year(getattr(r, "completion_year", None)) if built else t("not_built", lang),
            "delay": fmt_num(r.delay_years, 0, lang, sign=True)
            if built and r.delay_years == r.delay_years and r.delay_years
            else "",
            "late": bool(built and r.delay_years == r.delay_years and r.delay_years > 0),
            "cost": fmt_num(r.cost_mnok, 1, lang) if built else "",
            "built": built,
        }
        if mc:
            row["p10_p90"] = f"{_year(r.completion_year_p10)}–{_year(r.completion_year_p90)}" if built else ""
            row["p_late"] = (
                fmt_share(r.probability_late, 0, lang) if built and r.probability_late == r.probability_late else ""
            )
        rows.append(row)
    return rows


def _year(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return str(int(v)) if v == v else ""


def finance_table(run: RunFolder, lang: str) -> dict[str, Any] | None:
    """A compact key-item × year table of finance.csv."""
    wide = finance_items(run)
    if wide is None:
        return None
    items = [
        i
        for i in (
            "revenue_mnok",
            "ndr_mnok",
            "gross_investment_mnok",
            "borrowing_mnok",
            "interest_mnok",
            "instalments_mnok",
            "net_debt_mnok",
            "fund_mnok",
        )
        if i in wide
    ]
    if not items:
        items = list(wide.columns[:8])
    years = [int(y) for y in wide.index]
    return {
        "years": years,
        "rows": [{"name": item_name(i, lang), "cells": [fmt_num(v, 0, lang) for v in wide[i]]} for i in items],
    }


def write_html(run: RunFolder, out: Path, lang: str = "nb") -> Path:
    """Render the run report to ``out`` (written to a temporary file and renamed)."""
    html = render("run.html.j2", lang, **run_context(run, lang))
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
