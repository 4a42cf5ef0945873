"""The section "Investeringsbehov utover handlingsprogrammet" (needs beyond the programme), from ``ltsim plan``'s tables.

Shown when the run folder holds ``plan_builds.csv`` (written by ``ltsim plan``): the chosen builds on a
timeline by service and zone, the debt ratio with and without them against the ceiling, the
investment per year that the plan affords against what the population needs (the affordability
gap), and the trade-off between the ceiling and the place-years short.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.report.data import RunData
from ltsim.report.figures.common import BLUE, GREY, PALETTE, RED, Figures, clean, title
from ltsim.report.i18n import fmt_num, t


def _what(r: Any, lang: str) -> str:
    """A build's type by name (its id in folders from before names were written), or the closure."""
    if not (isinstance(r.type, str) and r.type):
        return f"{t('plan_closure', lang)} {r.facility}"
    name = getattr(r, "type_name", None)
    return name if isinstance(name, str) and name else r.type


def _service_colours(services: list[str]) -> dict[str, str]:
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sorted(services))}


def fig_plan_timeline(figs: Figures, d: RunData, builds: Any) -> str | None:
    """Each chosen build: start → in service (bar), one row per build, coloured by service."""
    if builds.empty:
        return None
    lang = d.lang
    colours = _service_colours(list(builds.service.unique()))
    data = []
    for service, rows in builds.groupby("service", sort=True):
        labels = [  # one row per build: two copies on a site differ by their start year
            f"{_what(r, lang)} – {d.zone_names.get((service, r.zone), r.zone)} ({int(r.start_year)})"
            for r in rows.itertuples()
        ]
        start = rows.start_year.astype(float)
        done = rows.completion_year.astype(float)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": d.service_names.get(service, service),
                "y": labels,
                "base": clean(start),
                "x": clean(np.maximum(done - start, 0.3)),
                "marker": {"color": colours[service]},
                "customdata": [
                    [fmt_num(p, 0, lang), fmt_num(c, 0, lang), int(a), int(b)]
                    for p, c, a, b in zip(rows.places, rows.gross_cost_mnok, start, done, strict=True)
                ],
                "hovertemplate": f"%{{y}}<br>%{{customdata[2]}} → %{{customdata[3]}} · %{{customdata[0]}} "
                f"{t('places', lang)} · %{{customdata[1]}} {t('mnok', lang)}<extra></extra>",
            }
        )
    height = max(260, 22 * len(builds) + 90)
    layout = figs.layout(
        height,
        title=title(t("plan_timeline", lang)),
        barmode="overlay",
        hovermode="closest",
        yaxis={"autorange": "reversed", "tickformat": "", "automargin": True},
        margin={"l": 220},
    )
    return figs.add("fig-plan-timeline", data, layout)


def fig_plan_debt(figs: Figures, d: RunData, debt: Any) -> str:
    """Debt ratio [%] with and without the plan's builds (finance model), and the ceiling."""
    lang = d.lang
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": t("plan_without", lang),
            "x": clean(debt.year),
            "y": clean(debt.debt_ratio_without_pct, 2),
            "line": {"color": GREY, "width": 2, "dash": "dot"},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t("plan_with", lang),
            "x": clean(debt.year),
            "y": clean(debt.debt_ratio_with_pct, 2),
            "line": {"color": BLUE, "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": t("ceiling", lang),
            "x": clean(debt.year),
            "y": clean(debt.ceiling_pct, 2),
            "line": {"color": RED, "width": 1.5, "dash": "dash"},
        },
    ]
    layout = figs.layout(title=title(t("plan_debt", lang)), yaxis={"ticksuffix": " %", "tickformat": ",.0f"})
    return figs.add("fig-plan-debt", data, layout)


def fig_plan_investment(figs: Figures, d: RunData, gap: Any) -> str | None:
    """Investment per year [NOK million] the plan affords, by service (bars), and what the need asks (line)."""
    if gap.empty:
        return None
    lang = d.lang
    colours = _service_colours(list(gap.service.unique()))
    data: list[dict[str, Any]] = []
    for service, rows in gap.groupby("service", sort=True):
        name = t("other", lang) if service == "other" else d.service_names.get(service, service)
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": clean(rows.year),
                "y": clean(rows.planned_mnok, 1),
                "marker": {"color": colours[service]},
            }
        )
    need = gap.groupby("year", sort=True).needed_mnok.sum(min_count=1)
    if need.notna().any():
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": t("plan_needed", lang),
                "x": clean(need.index),
                "y": clean(need.to_numpy(), 1),
                "line": {"color": "#222", "width": 2},
            }
        )
    layout = figs.layout(title=title(t("plan_investment", lang)), barmode="stack", yaxis={"ticksuffix": ""})
    return figs.add("fig-plan-investment", data, layout)


def fig_plan_tradeoff(figs: Figures, d: RunData, curve: Any) -> str | None:
    """Place-years short [place-years] against the debt-ratio ceiling [%]; investment on hover."""
    if curve is None or curve.empty:
        return None
    curve = curve[curve.lever == "ceiling"]
    if curve.empty:
        return None
    lang = d.lang
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": t("place_years", lang),
            "x": clean(curve.value, 1),
            "y": clean(curve.place_years_short, 0),
            "line": {"color": BLUE, "width": 3},
            "customdata": [fmt_num(v, 0, lang) for v in curve.investment_mnok],
            "hovertemplate": f"%{{x}} %: %{{y:,.0f}} {t('place_years', lang)} · %{{customdata}} "
            f"{t('mnok', lang)}<extra></extra>",
        }
    ]
    layout = figs.layout(
        title=title(t("plan_tradeoff", lang)),
        hovermode="closest",
        xaxis={"ticksuffix": " %", "tickformat": ",.0f"},
    )
    return figs.add("fig-plan-tradeoff", data, layout)


def _spend_by_service(d: RunData, builds: Any) -> Any:
    """Investment per year [NOK million] in the plan's builds by service, from project_spend.csv (no need known)."""
    import pandas as pd

    from ltsim.io.plan import build_id, closure_id

    spend = d.run.table("project_spend")
    ids = {
        (build_id(r.site, r.type, int(r.start_year)) if r.kind == "build" else closure_id(r.facility)): r.service
        for r in builds.itertuples()
    }
    if spend is None or not ids:
        return None
    rows = spend[spend.project.isin(list(ids))].assign(service=lambda f: f.project.map(ids))
    out = (
        rows.groupby(["year", "service"], as_index=False)
        .spend_mnok.sum()
        .rename(columns={"spend_mnok": "planned_mnok"})
    )
    return pd.DataFrame(out).assign(needed_mnok=float("nan"), gap_mnok=float("nan"))


def plan_section(figs: Figures, d: RunData) -> dict[str, Any] | None:
    """The section's figures, build rows and totals; None when the run has no plan (``ltsim plan`` or a variant).

    A planned variant run with ``ltsim run`` has the builds and the debt paths of its own; the need,
    the affordability gap and the trade-off only where the variant carries ``plan.found``
    (``found``: its date and whether the scenario has changed since).
    """
    builds = d.run.table("plan_builds")
    debt = d.run.table("plan_debt")
    if builds is None or debt is None:
        return None
    gap = d.run.table("plan_affordability")
    if gap is None:
        gap = _spend_by_service(d, builds)
    curve = d.run.table("plan_tradeoff")
    rows = [
        {
            "start": int(r.start_year),
            "ready": int(r.completion_year),
            "what": _what(r, d.lang),
            "service": d.service_names.get(r.service, r.service),
            "zone": d.zone_names.get((r.service, r.zone), r.zone),
            "places": float(r.places),
            "cost": float(r.gross_cost_mnok),
            "closed": float(r.place_years_closed),
        }
        for r in builds.sort_values(["start_year", "service", "zone"]).itertuples()
    ]
    worst_with = debt.loc[debt.debt_ratio_with_pct.idxmax()]
    worst_without = debt.loc[debt.debt_ratio_without_pct.idxmax()]
    known = gap is not None and bool(gap.needed_mnok.notna().any())
    return {
        "rows": rows,
        "n_builds": int((builds.kind == "build").sum()),
        "n_closures": int((builds.kind == "closure").sum()),
        "cost_mnok": float(builds.gross_cost_mnok.sum()),
        "needed_mnok": float(gap.needed_mnok.sum()) if known else None,
        "planned_mnok": float(gap.planned_mnok.sum()) if gap is not None else None,
        "gap_mnok": float(gap.gap_mnok.sum()) if known else None,
        "max_with": (float(worst_with.debt_ratio_with_pct), int(worst_with.year)),
        "max_without": (float(worst_without.debt_ratio_without_pct), int(worst_without.year)),
        "ceiling_pct": float(debt.ceiling_pct.iloc[0]),
        "found": d.run.plan_found,
        "fig_timeline": fig_plan_timeline(figs, d, builds),
        "fig_debt": fig_plan_debt(figs, d, debt),
        "fig_investment": None if gap is None or gap.empty else fig_plan_investment(figs, d, gap),
        "fig_tradeoff": fig_plan_tradeoff(figs, d, curve),
        "levers": [] if curve is None else _lever_rows(d, curve[curve.lever != "ceiling"]),
    }


def _lever_rows(d: RunData, rows: Any) -> list[dict[str, Any]]:
    """The NDR-floor and savings points of the trade-off: lever, value, place-years short, investment."""
    names = {"ndr_floor": t("plan_lever_ndr", d.lang), "savings": t("plan_lever_savings", d.lang)}
    return [
        {
            "lever": names.get(r.lever, r.lever),
            "value": float(r.value),
            "short": float(r.place_years_short),
            "investment": float(r.investment_mnok),
        }
        for r in rows.itertuples()
    ]
