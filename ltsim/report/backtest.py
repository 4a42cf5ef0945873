"""The backtest page (``backtest.html`` of ``ltsim backtest``), in the report's style and machinery.

One self-contained page rendered from ``templates/backtest.html.j2`` by :func:`ltsim.report.html.render`
(plotly embedded once, offline; nb or en labels from :mod:`ltsim.report.labels`): projected against
observed per age group over the years, the error in per cent by age group, the error table by year ×
age group, MAPE and bias per group, the method, and, when the scenario was written by ``ltsim
calibrate``, the calibration's fitted values (``calibration.csv``) and fit statistics (``fit.csv``).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltsim import backtest
from ltsim.backtest import AGE_GROUPS, Backtest
from ltsim.errors import InputError, Problem
from ltsim.report.figures.common import BLUE, GREY, PALETTE, RED, Figures, clean, title
from ltsim.report.html import render
from ltsim.report.i18n import check_lang, fmt_num, fmt_pct, t
from ltsim.report.labels import BACKTEST_PARAMETERS, BACKTEST_STATISTICS
from ltsim.scenario import Scenario

CALIBRATION_COLUMNS = ("parameter", "start", "fitted", "std_error", "jackknife_se", "unit")
GREEN_BELOW, RED_ABOVE = 2.5, 7.5
"""Colour of an error cell by its absolute error in per cent (stated in the page's caption)."""


@dataclass(frozen=True, slots=True)
class CalibrationFiles:
    """What ``ltsim calibrate`` wrote beside the scenario: parameter rows and fit statistics, as read."""

    folder: Path
    parameters: list[dict[str, str]]
    statistics: dict[str, str]


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV file that must have ``columns`` (InputError naming the file, row and field otherwise)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem("a readable UTF-8 CSV file", file=str(path), found=str(exc))) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            Problem(
                f"columns {', '.join(columns)}",
                file=str(path),
                line=1,
                row=True,
                field="header",
                found=", ".join(reader.fieldnames or []) or "no header",
            )
        )
    rows = []
    for i, row in enumerate(reader, start=2):
        for c in columns:
            if row.get(c) is None:
                raise InputError(Problem("a value in every column", file=str(path), line=i, row=True, field=c))
        rows.append(row)
    return rows


def read_calibration(folder: Path) -> CalibrationFiles | None:
    """calibration.csv and fit.csv of ``folder`` (None when either is missing); numbers checked."""
    cal_file, fit_file = folder / "calibration.csv", folder / "fit.csv"
    if not (cal_file.is_file() and fit_file.is_file()):
        return None
    parameters = _read_csv(cal_file, CALIBRATION_COLUMNS)
    for i, row in enumerate(parameters, start=2):
        for c in ("start", "fitted", "std_error", "jackknife_se"):
            if row[c] != "" and not _is_number(row[c]):
                raise InputError(
                    Problem("a number or nothing", file=str(cal_file), line=i, row=True, field=c, found=repr(row[c]))
                )
    statistics = {r["statistic"]: r["value"] for r in _read_csv(fit_file, ("statistic", "value"))}
    return CalibrationFiles(folder, parameters, statistics)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def group_label(group: str, lang: str) -> str:
    """``1–5 år`` / ``ages 1–5``; the total as ``i alt`` / ``total``."""
    if group == "total":
        return t("bt_total", lang)
    return t("bt_ages", lang).replace("{g}", group.replace("-", "–"))


def area_label(area: str, names: dict[str, str], lang: str) -> str:
    """An area's name; ``all`` (the whole municipality, or the sum of the planning areas) by its label."""
    return t("bt_whole", lang) if area == "all" else names.get(area, area)


def parameter_label(name: str, names: dict[str, str], lang: str) -> str:
    """A calibration.csv parameter in words (``in:asker:0-15`` → ``in-migrants aged 0–15 a year, Asker``)."""
    head, _, rest = name.partition(":")
    if head == "in" and rest:
        area, _, band = rest.rpartition(":")
        if not area:  # in:<area> (the level only)
            return BACKTEST_PARAMETERS["in_level"][lang].replace("{area}", names.get(band, band))
        text = BACKTEST_PARAMETERS["in"][lang].replace("{band}", band.replace("-", "–"))
        return text.replace("{area}", names.get(area, area))
    if head in ("in_level", "in_rate") and rest:
        return BACKTEST_PARAMETERS[head][lang].replace("{area}", names.get(rest, rest))
    if head in ("out_scale", "fertility_scale", "tfr") and rest:
        return BACKTEST_PARAMETERS[f"{head}_area"][lang].replace("{area}", names.get(rest, rest))
    entry = BACKTEST_PARAMETERS.get(name)
    return entry[lang] if entry else name


def statistic_label(key: str, lang: str) -> str:
    """A fit.csv statistic in words (``net_error_2005_2006`` → ``net error 2005→2006, persons``)."""
    if key.startswith("net_error_"):
        rest = key.removeprefix("net_error_")
        start = rest.endswith("_scenario_values")
        years = rest.removesuffix("_scenario_values").replace("_", "→")
        return BACKTEST_STATISTICS["net_error_start" if start else "net_error"][lang].replace("{years}", years)
    entry = BACKTEST_STATISTICS.get(key)
    return entry[lang] if entry else key


def _value(text: str, lang: str, decimals: int = 4) -> str:
    """A number from a CSV cell in the page's format (significant digits kept), other text as it is."""
    if text == "" or not _is_number(text):
        return text or "–"
    x = float(text)
    if x == 0 or not math.isfinite(x):
        return fmt_num(x, 0, lang)
    digits = max(0, decimals - 1 - math.floor(math.log10(abs(x))))
    return fmt_num(x, min(digits, 6), lang)


def _calibration_context(files: CalibrationFiles | None, names: dict[str, str], lang: str) -> dict[str, Any] | None:
    """The calibration section: the method sentence, the parameters and the fit statistics."""
    if files is None:
        return None
    stats = files.statistics
    ignored = stats.get("ignored_after_until", "none")
    text = (
        t("bt_cal_text", lang)
        .replace("{history}", stats.get("history", "?").replace("-", "–"))
        .replace("{flows}", stats.get("flows", "?"))
        .replace("{ignored}", t("bt_ignored_none", lang) if ignored in ("", "none") else ignored.replace(" ", ", "))
    )
    parameters = [
        {
            "name": parameter_label(r["parameter"], names, lang),
            "id": r["parameter"],
            "start": _value(r["start"], lang),
            "fitted": _value(r["fitted"], lang),
            "se": _value(r["std_error"], lang, 2),
            "jackknife": _value(r["jackknife_se"], lang, 2),
            "unit": r["unit"],
        }
        for r in files.parameters
    ]
    statistics = [
        {"name": statistic_label(k, lang), "id": k, "value": _value(v, lang)}
        for k, v in stats.items()
        if not k.startswith("correlation:")
    ]
    return {
        "text": text,
        "folder": str(files.folder),
        "parameters": [p for p in parameters if not p["id"].startswith("in:")],
        "bands": [p for p in parameters if p["id"].startswith("in:")],
        "statistics": statistics,
    }


def fig_group(figs: Figures, result: Backtest, area: str, group: str, lang: str) -> str:
    """Projected (line from the base year) and observed (markers; grey up to the base year) for one age group."""
    rows = [r for r in result.rows if r[1] == area and r[2] == group]
    start = [p for a, g, p in result.start if a == area and g == group]
    before = [(y, p) for y, a, g, p in result.history if a == area and g == group]
    years = [result.base_year] + [r[0] for r in rows]
    data: list[dict[str, Any]] = []
    if before:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": t("bt_observed_before", lang),
                "x": [y for y, _ in before],
                "y": clean([p for _, p in before], 0),
                "marker": {"color": GREY, "size": 6},
                "hovertemplate": "%{y:,.0f}",
            }
        )
    data += [
        {
            "type": "scatter",
            "mode": "lines",
            "name": t("bt_projected", lang),
            "x": years,
            "y": clean(start[:1] + [r[3] for r in rows], 0),
            "line": {"color": BLUE, "width": 2.5},
            "hovertemplate": "%{y:,.0f}",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": t("bt_observed", lang),
            "x": [r[0] for r in rows],
            "y": clean([r[4] for r in rows], 0),
            "marker": {"color": RED, "size": 7, "symbol": "circle"},
            "hovertemplate": "%{y:,.0f}",
        },
    ]
    layout = figs.layout(
        260,
        title=title(group_label(group, lang)),
        showlegend=False,
        margin={"l": 56, "r": 12, "t": 36, "b": 36},
        yaxis={"rangemode": "normal"},
    )
    return figs.add(f"fig-bt-{group}", data, layout)


def fig_error_pct(figs: Figures, result: Backtest, area: str, lang: str) -> str:
    """Error in per cent by age group over the years (one line per group, the total thick)."""
    data = []
    for i, (group, _, _) in enumerate(AGE_GROUPS):
        rows = [r for r in result.rows if r[1] == area and r[2] == group]
        total = group == "total"
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": group_label(group, lang),
                "x": [r[0] for r in rows],
                "y": clean([r[6] for r in rows], 2),
                "line": {"color": "#111" if total else PALETTE[i % len(PALETTE)], "width": 4 if total else 1.6},
                "marker": {"size": 4},
                "hovertemplate": "%{y:.1f} %",
            }
        )
    layout = figs.layout(
        380,
        title=title(t("bt_error_pct_chart", lang)),
        yaxis={"ticksuffix": " %", "zeroline": True, "zerolinewidth": 2, "tickformat": ".0f"},
        hovermode="x unified",
    )
    return figs.add("fig-bt-error-pct", data, layout)


def _colour(pct: float) -> str:
    if pct != pct:
        return "na"
    return "green" if abs(pct) < GREEN_BELOW else ("yellow" if abs(pct) <= RED_ABOVE else "red")


def page_context(
    scenario: Scenario, result: Backtest, observed_file: str, lang: str, calibration: CalibrationFiles | None
) -> dict[str, Any]:
    """Everything backtest.html.j2 shows (figures added in page order)."""
    check_lang(lang)
    names = {a.id: a.name for a in scenario.config.areas}
    areas = list(dict.fromkeys(r[1] for r in result.rows))
    area = "all" if "all" in areas else areas[0]
    years = sorted({r[0] for r in result.rows})
    groups = [g for g, _, _ in AGE_GROUPS]
    figs = Figures(lang)
    ctx: dict[str, Any] = {}
    ctx["fig_groups"] = [fig_group(figs, result, area, g, lang) for g in groups]
    ctx["fig_error_pct"] = fig_error_pct(figs, result, area, lang)
    by = {(r[0], r[1], r[2]): r for r in result.rows}
    ctx["matrix"] = [
        {
            "year": y,
            "cells": [
                {
                    "pct": fmt_pct(by[(y, area, g)][6], 1, lang, sign=True),
                    "colour": _colour(by[(y, area, g)][6]),
                    "hover": f"{t('bt_projected', lang)} {fmt_num(by[(y, area, g)][3], 0, lang)}, "
                    f"{t('bt_observed', lang)} {fmt_num(by[(y, area, g)][4], 0, lang)}, "
                    f"{t('bt_error', lang)} {fmt_num(by[(y, area, g)][5], 0, lang, sign=True)}",
                }
                for g in groups
            ],
        }
        for y in years
    ]
    ctx["detail"] = [
        {
            "year": y,
            "area": area_label(a, names, lang),
            "group": group_label(g, lang),
            "projected": fmt_num(p, 0, lang),
            "observed": fmt_num(o, 0, lang),
            "error": fmt_num(e, 0, lang, sign=True),
            "pct": fmt_pct(pct, 1, lang, sign=True),
            "colour": _colour(pct),
        }
        for y, a, g, p, o, e, pct in result.rows
    ]
    ctx["accuracy"] = [
        {
            "area": area_label(a, names, lang),
            "group": group_label(g, lang),
            "years": n,
            "mape": fmt_pct(mape, 1, lang),
            "bias": fmt_pct(bias, 1, lang, sign=True),
            "worst": fmt_pct(worst, 1, lang),
            "colour": _colour(mape),
        }
        for a, g, n, mape, bias, worst in result.summary
    ]
    last = by[(years[-1], area, "total")]
    mape = {g: m for a, g, _, m, _, _ in result.summary if a == area}
    worst = max((g for g in mape if g != "total"), key=lambda g: mape[g])
    ctx["cards"] = [
        {
            "id": "card-total-error",
            "label": t("bt_total_error", lang).replace("{year}", str(years[-1])),
            "value": fmt_pct(last[6], 1, lang, sign=True),
            "sub": f"{fmt_num(last[5], 0, lang, sign=True)} ({t('bt_projected', lang)} {fmt_num(last[3], 0, lang)})",
        },
        {
            "id": "card-observed",
            "label": t("bt_observed_total", lang).replace("{year}", str(years[-1])),
            "value": fmt_num(last[4], 0, lang),
            "sub": area_label(area, names, lang),
        },
        {
            "id": "card-mape",
            "label": t("bt_mape_total", lang),
            "value": fmt_pct(mape["total"], 1, lang),
            "sub": f"{years[0]}–{years[-1]}",
        },
        {
            "id": "card-worst",
            "label": t("bt_worst", lang),
            "value": fmt_pct(mape[worst], 1, lang),
            "sub": group_label(worst, lang),
        },
    ]
    ctx["legend"] = [
        (t("bt_observed_before", lang), GREY),
        (t("bt_projected", lang), BLUE),
        (t("bt_observed", lang), RED),
    ]
    ctx["groups"] = [group_label(g, lang) for g in groups]
    ctx["area_name"] = area_label(area, names, lang)
    ctx["title"] = scenario.config.title or scenario.name
    ctx["name"] = scenario.name
    ctx["meta"] = (
        t("bt_meta", lang)
        .replace("{base}", str(result.base_year))
        .replace("{first}", str(years[0]))
        .replace("{last}", str(years[-1]))
    )
    ctx["method_text"] = t("bt_method_text", lang).replace("{base}", str(result.base_year))
    ctx["observed_file"] = observed_file
    ctx["scenario_file"] = str(scenario.file)
    ctx["calibration"] = _calibration_context(calibration, names, lang)
    ctx["figures_json"] = figs.json()
    ctx["fig_titles"] = figs.titles
    return ctx


def output_files(
    scenario: Scenario,
    result: Backtest,
    observed_file: str,
    lang: str = "nb",
    calibration: Path | None = None,
) -> dict[str, str]:
    """What ``ltsim backtest`` writes: backtest.csv, backtest_summary.csv and backtest.html.

    ``calibration``: the folder of ``ltsim calibrate``'s calibration.csv and fit.csv, stated on the page;
    by default the scenario's own folder (where calibrate writes calibrated.yaml), if both files are there.
    """
    found = read_calibration(calibration if calibration is not None else Path(scenario.file).parent)
    if calibration is not None and found is None:
        raise InputError(
            Problem("a folder holding calibration.csv and fit.csv", file=str(calibration), field="--calibration")
        )
    return {**backtest.output_files(result), "backtest.html": page(scenario, result, observed_file, lang, found)}


def page(
    scenario: Scenario,
    result: Backtest,
    observed_file: str,
    lang: str = "nb",
    calibration: CalibrationFiles | None = None,
) -> str:
    """backtest.html: the page of :func:`page_context` rendered with the report's base template."""
    ctx = page_context(scenario, result, observed_file, lang, calibration)
    return render("backtest.html.j2", lang, **ctx)
