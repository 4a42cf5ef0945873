"""The report of a Monte Carlo run: every headline as a distribution, never one replication.

With ``--reps N`` the run folder's kpi.csv, capacity.csv and projects.csv hold one replication (the
plan, or replication 0 of a stochastic programme). What the summary shows comes from the Monte Carlo
tables instead: the median and P10–P90 of the highest debt ratio (replications.csv), the debt ratio's
median path and band (kpi_probability.csv), the probability that each fiscal rule is red per year
(kpi_probability.csv), the worst school zone's places short (shortfall_probability.csv: median, P10–P90,
probability), investment and delayed projects per replication (replications.csv,
replication_projects.csv) and the population's band (population_percentiles.csv).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.report.data import RunData, is_school
from ltsim.report.figures.common import BLUE, GREEN, RED, Figures, clean, title
from ltsim.report.i18n import STATUS_NAMES, fmt_pct, kpi_name, t

P_RED_YELLOW = 0.10
"""P(red) at or above this colours a traffic-light cell yellow; at or above 0.5, red."""


def replications(d: RunData) -> int | None:
    """Number of Monte Carlo replications of the run (None for a single run)."""
    reps = d.run.manifest.get("replications")
    return int(reps) if isinstance(reps, int | float) and reps > 1 else None


def _p(values: Any) -> tuple[float, float, float]:
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if not arr.size:
        return (float("nan"),) * 3  # type: ignore[return-value]
    p10, p50, p90 = np.percentile(arr, (10, 50, 90))
    return float(p10), float(p50), float(p90)


def headline(d: RunData) -> dict[str, Any] | None:
    """The summary's numbers as distributions over replications; None for a single run."""
    reps = replications(d)
    rep = d.run.table("replications")
    if reps is None or rep is None or rep.empty:
        return None
    out: dict[str, Any] = {"reps": reps}
    if "debt_ratio_max_pct" in rep:
        rule = d.rules.get("debt_ratio_pct")
        red_years = rep.get("years_red_debt_ratio_pct")
        out["debt"] = {
            "p": _p(rep.debt_ratio_max_pct),
            "ceiling": rule.red if rule is not None else None,
            "p_any_red": float((red_years > 0).mean()) if red_years is not None else None,
            "years_red": _p(red_years) if red_years is not None else None,
        }
    out["investment"] = _p(rep.total_cost_mnok)
    rp = d.run.table("replication_projects")
    proj = d.run.table("projects")
    if rp is not None and proj is not None and "planned_completion_year" in proj:
        planned = proj.set_index("project").planned_completion_year
        late = rp.completion_year > rp.project.map(planned)
        per_rep = late.groupby(rp.rep).sum().reindex(rep.rep, fill_value=0)
        out["delayed"] = _p(per_rep)
    pop = d.run.table("population_percentiles")
    if pop is not None and not pop.empty:
        last = pop.sort_values("year").iloc[-1]
        out["population_end"] = (float(last.persons_p10), float(last.persons_p50), float(last.persons_p90))
    return out


def worst_school(d: RunData) -> dict[str, Any] | None:
    """The school zone with the largest median shortfall in any year: median, P10–P90 and P(short) then."""
    sp = d.run.table("shortfall_probability")
    if sp is None or "short_places_p50" not in sp:
        return None
    sel = sp[sp.service.map(is_school) & (sp.probability_short > 0)]
    if sel.empty:
        return None
    row = sel.sort_values(["short_places_p50", "probability_short"], ascending=False, kind="stable").iloc[0]
    names = d.service_names
    return {
        "service_id": row.service,
        "zone_id": row.zone,
        "service": names.get(row.service, row.service),
        "zone": d.zone_names.get((row.service, row.zone), row.zone),
        "year": int(row.year),
        "p": (float(row.short_places_p10), float(row.short_places_p50), float(row.short_places_p90)),
        "probability": float(row.probability_short),
    }


def lights(d: RunData) -> dict[str, Any] | None:
    """Rule × year table of the probability that the rule is red (kpi_probability.csv), coloured by it."""
    kp = d.run.table("kpi_probability")
    if kp is None or kp.empty:
        return None
    lang = d.lang
    years = sorted(int(y) for y in kp.year.unique())
    order = [
        k
        for k in ("debt_ratio_pct", "net_operating_result_pct", "disposition_fund_pct", "own_financing_pct")
        if k in set(kp.kpi)
    ]
    order += [k for k in kp.kpi.unique() if k not in order]
    rows = []
    for kpi in order:
        sel = kp[kp.kpi == kpi].set_index("year")
        rule = d.rules.get(kpi)
        text = ""
        if rule:
            sign = "<" if rule.direction == "higher_is_better" else ">"
            text = f"{STATUS_NAMES['red'][lang]} {sign} {fmt_pct(rule.red, 2 if rule.red % 1 else 0, lang)}"
        cells = []
        for y in years:
            p = float(sel.probability_red.get(y, float("nan")))
            if not np.isfinite(p):
                cells.append({"value": "", "status": "na"})
                continue
            status = "red" if p >= 0.5 else ("yellow" if p >= P_RED_YELLOW else "green")
            cells.append({"value": f"{p * 100:.0f}", "status": status})
        rows.append({"name": kpi_name(kpi, lang), "kpi": kpi, "rule": text, "cells": cells})
    return {"years": years, "rows": rows, "default_rules": not d.rules, "probability": True}


def _band(name: str, years: list[Any], low: Any, high: Any, colour: str, decimals: int) -> list[dict[str, Any]]:
    """A P10–P90 band: the lower edge (no legend) and the upper edge filled down to it."""
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "x": years,
            "y": clean(low, decimals),
            "line": {"width": 0},
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": years,
            "y": clean(high, decimals),
            "line": {"width": 0},
            "fill": "tonexty",
            "fillcolor": colour,
            "hoverinfo": "skip",
        },
    ]


def fig_debt_band(figs: Figures, d: RunData, fig_id: str = "fig-debt-ratio") -> str | None:
    """Debt ratio [percent of revenue]: median and P10–P90 over replications, against the ceiling."""
    kp = d.run.table("kpi_probability")
    if kp is None or "value_p50" not in kp:
        return None
    s = kp[kp.kpi == "debt_ratio_pct"].sort_values("year")
    if s.empty:
        return None
    lang = d.lang
    years = clean(s.year)
    data = _band("P10–P90", years, s.value_p10, s.value_p90, "rgba(31,78,121,0.22)", 2)
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"{kpi_name('debt_ratio_pct', lang)}, median",
            "x": years,
            "y": clean(s.value_p50, 2),
            "customdata": [[clean([a], 1)[0], clean([b], 1)[0]] for a, b in zip(s.value_p10, s.value_p90, strict=True)],
            "line": {"color": BLUE, "width": 3},
            "marker": {"size": 6},
            "hovertemplate": "median %{y:,.1f} % (P10–P90 %{customdata[0]:,.1f}–%{customdata[1]:,.1f} %)<extra></extra>",
        }
    )
    top = float(np.nanmax(s.value_p90.to_numpy(float)))
    rule = d.rules.get("debt_ratio_pct")
    if rule:
        for label, value, style in (
            (t("ceiling", lang), rule.red, {"color": RED, "width": 2, "dash": "dash"}),
            (t("target", lang), rule.green, {"color": GREEN, "width": 1.5, "dash": "dot"}),
        ):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{label}: {fmt_pct(value, 0, lang)}",
                    "x": years,
                    "y": [value] * len(years),
                    "line": style,
                    "hoverinfo": "skip",
                }
            )
        top = max(top, rule.red)
    layout = figs.layout(
        360,
        title=title(f"{t('debt_ratio_vs_ceiling', lang)} ({t('pct_of_revenue', lang)}): median, P10–P90"),
        yaxis={"ticksuffix": " %", "range": [0, top * 1.12]},
    )
    return figs.add(fig_id, data, layout)


def fig_gap_band(figs: Figures, d: RunData, school: dict[str, Any], fig_id: str = "fig-worst-school") -> str | None:
    """Places short [places] in one zone per year: median and P10–P90 over replications, and P(short)."""
    sp = d.run.table("shortfall_probability")
    sel = sp[(sp.service == school["service_id"]) & (sp.zone == school["zone_id"])].sort_values("year")
    lang = d.lang
    years = clean(sel.year)
    data = _band("P10–P90", years, sel.short_places_p10, sel.short_places_p90, "rgba(192,57,43,0.25)", 1)
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"{t('short', lang)} ({t('places', lang)}), median",
            "x": years,
            "y": clean(sel.short_places_p50, 1),
            "customdata": clean(sel.probability_short * 100, 0),
            "line": {"color": RED, "width": 3},
            "marker": {"size": 5},
            "hovertemplate": "median %{y:,.0f} · P(" + t("short", lang).lower() + ") %{customdata} %<extra></extra>",
        }
    )
    heading = f"{t('worst_school', lang)}: {school['service']} – {school['zone']} (median, P10–P90)"
    layout = figs.layout(360, title=title(heading), yaxis={"rangemode": "tozero", "title": {"text": t("places", lang)}})
    return figs.add(fig_id, data, layout)


def fig_population_band(figs: Figures, d: RunData) -> str | None:
    """Population [persons on 1 January]: median and P10–P90 over replications (population_percentiles.csv)."""
    pop = d.run.table("population_percentiles")
    if pop is None or pop.empty:
        return None
    lang = d.lang
    pop = pop.sort_values("year")
    years = clean(pop.year)
    data = _band("P10–P90", years, pop.persons_p10, pop.persons_p90, "rgba(127,167,207,0.35)", 0)
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{t('persons', lang)}, median",
            "x": years,
            "y": clean(pop.persons_p50, 0),
            "line": {"color": BLUE, "width": 3},
            "hovertemplate": "%{y:,.0f}<extra></extra>",
        }
    )
    layout = figs.layout(
        320, title=title(f"{t('population_over_time', lang)} (median, P10–P90)"), yaxis={"rangemode": "tozero"}
    )
    return figs.add("fig-population-band", data, layout)


def worst_gaps(d: RunData, n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` service zones with the largest median shortfall in any year, with P10–P90 and P(short) then."""
    sp = d.run.table("shortfall_probability")
    if sp is None or "short_places_p50" not in sp:
        return []
    sel = sp[sp.probability_short > 0].sort_values(["short_places_p50", "probability_short"], ascending=False)
    peaks = sel.groupby(["service", "zone"], sort=False).head(1).head(n)
    names = d.service_names
    return [
        {
            "service": names.get(r.service, r.service),
            "zone": d.zone_names.get((r.service, r.zone), r.zone),
            "year": int(r.year),
            "p": (float(r.short_places_p10), float(r.short_places_p50), float(r.short_places_p90)),
            "probability": float(r.probability_short),
        }
        for r in peaks.itertuples()
    ]
