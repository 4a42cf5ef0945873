"""Figures of the finance section (and the summary's debt ratio): key figures against their fiscal rules.

Every marker's colour is the status kpi.csv gives the key figure (see :func:`ltsim.report.data.kpi_series`);
the rule's thresholds are drawn as lines, never used to colour anything here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ltsim.report.data import RunData
from ltsim.report.figures.common import (
    BLUE,
    GREEN,
    GREY,
    LIGHT_BLUE,
    ORANGE,
    RED,
    STATUS_COLOURS,
    Figures,
    and_word,
    clean,
    linear_ticks,
    title,
)
from ltsim.report.i18n import fmt_pct, item_name, kpi_name, t


def _status_colours(status: Any) -> list[str]:
    """Marker colours of kpi.csv statuses."""
    return [STATUS_COLOURS.get(s, GREY) for s in status]


def _threshold_line(name: str, years: list[Any], level: float, line: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A horizontal line at a fiscal rule's threshold [percent] (no hover)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": years,
        "y": [level] * len(years),
        **extra,
        "line": line,
        "hoverinfo": "skip",
    }


def fig_debt_ratio(figs: Figures, d: RunData, fig_id: str = "fig-debt-ratio") -> str | None:
    """Debt ratio [percent of revenue] per year, coloured by status, against the rule's ceiling and target."""
    lang = d.lang
    s = d.kpi("debt_ratio_pct")
    if s is None or s.empty:
        return None
    rule = d.rules.get("debt_ratio_pct")
    years = clean(s.year)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": kpi_name("debt_ratio_pct", lang),
            "x": years,
            "y": clean(s.value, 2),
            "line": {"color": BLUE, "width": 3},
            "marker": {"size": 9, "color": _status_colours(s.status), "line": {"color": "#fff", "width": 1}},
            "hovertemplate": "%{y:,.1f} %<extra></extra>",
        }
    ]
    ymax = float(np.nanmax(s.value.to_numpy(dtype=float))) if s.value.notna().any() else 100.0
    if rule:
        data.append(
            _threshold_line(
                f"{t('ceiling', lang)}: {fmt_pct(rule.red, 0, lang)}",
                years,
                rule.red,
                {"color": RED, "width": 2, "dash": "dash"},
            )
        )
        data.append(
            _threshold_line(
                f"{t('target', lang)}: {fmt_pct(rule.green, 0, lang)}",
                years,
                rule.green,
                {"color": GREEN, "width": 1.5, "dash": "dot"},
            )
        )
        ymax = max(ymax, rule.red)
    layout = figs.layout(
        360,
        title=title(t("debt_ratio_vs_ceiling", lang) + f" ({t('pct_of_revenue', lang)})"),
        yaxis={"ticksuffix": " %", "range": [0, ymax * 1.12], "title": {"text": ""}},
    )
    return figs.add(fig_id, data, layout)


def fig_net_debt(figs: Figures, d: RunData) -> str | None:
    """Net debt [MNOK] as bars with the debt ratio [percent of revenue] and its ceiling on a right axis."""
    lang = d.lang
    wide = d.finance_wide
    mnok = t("mnok", lang)
    ratio = d.kpi("debt_ratio_pct")
    debt_col = None
    if wide is not None:
        debt_col = next((c for c in ("net_debt_mnok", "debt_closing_mnok") if c in wide), None)
    if debt_col is None and ratio is None:
        return None
    data: list[dict[str, Any]] = []
    layout = figs.layout(
        360,
        title=title(f"{t('net_debt', lang)} ({mnok}) {and_word(lang)} {kpi_name('debt_ratio_pct', lang).lower()}"),
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
                "marker": {"color": _status_colours(ratio.status), "size": 8},
                "hovertemplate": "%{y:,.1f} %",
            }
        )
        rule = d.rules.get("debt_ratio_pct")
        top = float(np.nanmax(ratio.value.to_numpy(float))) if ratio.value.notna().any() else 100.0
        if rule:
            data.append(
                _threshold_line(
                    f"{t('ceiling', lang)}: {fmt_pct(rule.red, 0, lang)}",
                    clean(ratio.year),
                    rule.red,
                    {"color": RED, "dash": "dash", "width": 2},
                    yaxis=axis,
                )
            )
            top = max(top, rule.red)
        spec = {"ticksuffix": " %", "range": [0, top * 1.12], "tickformat": ","}
        if debt_col is not None:
            layout["yaxis2"] = {
                **spec,
                **linear_ticks(top * 1.12),
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "tickformat": ",.0f",
            }
            layout["margin"] = {**layout["margin"], "r": 60}
        else:
            layout["yaxis"] = {**layout["yaxis"], **spec}
    return figs.add("fig-net-debt", data, layout)


def fig_ndr(figs: Figures, d: RunData) -> str | None:
    """Net operating result (netto driftsresultat) [percent of revenue] per year, coloured by status.

    With the rule's floor and target as lines; [MNOK] from finance.csv when the run has no key figure.
    """
    lang = d.lang
    ndr = d.kpi("net_operating_result_pct")
    if ndr is None or ndr.empty:
        return _fig_ndr_mnok(figs, d)
    years = clean(ndr.year)
    data = [
        {
            "type": "bar",
            "name": kpi_name("net_operating_result_pct", lang),
            "x": years,
            "y": clean(ndr.value, 2),
            "marker": {"color": _status_colours(ndr.status)},
            "hovertemplate": "%{y:,.2f} %",
        }
    ]
    rule = d.rules.get("net_operating_result_pct")
    if rule:
        data.append(
            _threshold_line(
                f"{t('floor', lang)}: {fmt_pct(rule.red, 2, lang)}", years, rule.red, {"color": RED, "dash": "dash"}
            )
        )
        data.append(
            _threshold_line(
                f"{t('target_above', lang)}: {fmt_pct(rule.green, 1, lang)}",
                years,
                rule.green,
                {"color": GREEN, "dash": "dot"},
            )
        )
    layout = figs.layout(
        340,
        title=title(f"{t('ndr', lang)} ({t('pct_of_revenue', lang)})"),
        yaxis={"ticksuffix": " %", "tickformat": ",.1f"},
    )
    return figs.add("fig-ndr", data, layout)


def _fig_ndr_mnok(figs: Figures, d: RunData) -> str | None:
    """Net operating result per year [MNOK] from finance.csv (a run without the key figure)."""
    wide = d.finance_wide
    if wide is None or "ndr_mnok" not in wide:
        return None
    data = [
        {
            "type": "bar",
            "name": item_name("ndr_mnok", d.lang),
            "x": clean(wide.index),
            "y": clean(wide.ndr_mnok, 1),
            "marker": {"color": BLUE},
        }
    ]
    return figs.add("fig-ndr", data, figs.layout(340, title=title(f"{t('ndr', d.lang)} ({t('mnok', d.lang)})")))


def fig_fund(figs: Figures, d: RunData) -> str | None:
    """Disposition fund [MNOK] as bars with the fund [percent of revenue], coloured by status, and its floor."""
    lang = d.lang
    wide = d.finance_wide
    fund_pct = d.kpi("disposition_fund_pct")
    has_mnok = wide is not None and "fund_mnok" in wide
    if not has_mnok and fund_pct is None:
        return None
    data: list[dict[str, Any]] = []
    layout = figs.layout(340, title=title(t("fund", lang)))
    if has_mnok:
        data.append(
            {
                "type": "bar",
                "name": f"{t('fund', lang)} ({t('mnok', lang)})",
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
                "marker": {"color": _status_colours(fund_pct.status)},
                "hovertemplate": "%{y:,.1f} %",
            }
        )
        rule = d.rules.get("disposition_fund_pct")
        if rule:
            data.append(
                _threshold_line(
                    f"{t('floor', lang)}: {fmt_pct(rule.red, 0, lang)}",
                    clean(fund_pct.year),
                    rule.red,
                    {"color": RED, "dash": "dash"},
                    yaxis=axis,
                )
            )
        if axis == "y2":
            top2 = max(float(np.nanmax(fund_pct.value.to_numpy(float))), rule.red if rule else 0.0) * 1.15
            layout["yaxis2"] = {
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "ticksuffix": " %",
                "range": [0, top2],
                **linear_ticks(top2),
                "tickformat": ",.0f",
            }
            layout["margin"] = {**layout["margin"], "r": 60}
    return figs.add("fig-fund", data, layout)


def fig_capital_costs(figs: Figures, d: RunData) -> str | None:
    """Interest and instalments per year [MNOK], stacked."""
    lang = d.lang
    wide = d.finance_wide
    if wide is None or not ({"interest_mnok", "instalments_mnok"} & set(wide.columns)):
        return None
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
    layout = figs.layout(340, barmode="stack", title=title(f"{t('capital_costs', lang)} ({t('mnok', lang)})"))
    return figs.add("fig-capital-costs", data, layout)


FINANCE_CHARTS = (fig_net_debt, fig_ndr, fig_fund, fig_capital_costs)
"""The finance section's charts, in page order."""
