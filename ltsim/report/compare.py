"""Batch comparison report: scenarios side by side (sortable key-figure table, charts across scenarios)."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.errors import InputError, Problem, show
from ltsim.io.output import write_files
from ltsim.report import RunFolder, check_csv, read_json
from ltsim.report.data import kpi_series, project_numbers, service_names
from ltsim.report.figures.common import PALETTE, Figures, clean
from ltsim.report.html import render
from ltsim.report.i18n import check_lang, fmt_num, fmt_pct, fmt_share, kpi_name, t

SCENARIO_COLUMNS = ("scenario", "name", "run")
KEY_COLUMNS = ("kpi", "metric", "item", "key", "figure")


def expand(paths: list[Path]) -> tuple[list[RunFolder], list[Path]]:
    """Run folders and summary CSV files named by ``paths`` (a batch folder expands to its run folders).

    A batch folder's ``batch.json`` and every run folder are checked (see :meth:`RunFolder.check`); all
    problems found are raised together as one InputError.
    """
    runs: list[RunFolder] = []
    summaries: list[Path] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        if p.is_file() and p.suffix == ".csv":
            summaries.append(p)
        elif (p / "manifest.json").is_file():
            runs.append(RunFolder(p))
        elif p.is_dir():
            if (p / "batch.json").is_file():
                problems += check_batch(p / "batch.json")
            subs = sorted(d for d in p.iterdir() if (d / "manifest.json").is_file())
            if not subs and not (p / "summary.csv").is_file():
                problems.append(
                    Problem(
                        "a batch folder with run folders (*/manifest.json) or a summary.csv",
                        file=str(p),
                        found="neither",
                    )
                )
            runs += [RunFolder(d) for d in subs]
            if (p / "summary.csv").is_file():
                summaries.append(p / "summary.csv")
        else:
            problems.append(
                Problem("a run folder, a batch folder or a summary.csv", file=str(p), found="none of these")
            )
    for run in runs:
        try:
            run.check()
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return runs, summaries


def check_batch(file: Path) -> list[Problem]:
    """``batch.json`` is an object whose ``scenarios`` list the scenarios with their status (as ltsim batch writes)."""
    doc, problem = read_json(file, "the batch's record")
    if problem is not None:
        return [problem]
    if not isinstance(doc, dict):
        return [Problem("a JSON object (written by ltsim batch)", file=str(file), found=f"a {type(doc).__name__}")]
    scenarios = doc.get("scenarios")
    if not isinstance(scenarios, list):
        return [Problem("a list of scenarios", file=str(file), field="scenarios", found=show(scenarios))]
    for i, item in enumerate(scenarios):
        if not (
            isinstance(item, dict) and isinstance(item.get("scenario"), str) and isinstance(item.get("status"), str)
        ):
            return [
                Problem(
                    "an object with scenario and status (texts)",
                    file=str(file),
                    field=f"scenarios[{i}]",
                    found=show(item),
                )
            ]
    return []


def run_key_figures(run: RunFolder, lang: str) -> dict[str, Any]:
    """One row of the comparison table: raw numbers keyed by column id."""
    row: dict[str, Any] = {"scenario": run.name, "title": run.title}
    pop = run.table("population")
    if pop is not None:
        by_year = pop.groupby("year").persons.sum()
        n = max(len(by_year) - 1, 1)
        b, e = float(by_year.iloc[0]), float(by_year.iloc[-1])
        end = pop[pop.year == by_year.index[-1]]
        row.update(
            population_base=b,
            population_end=e,
            growth_pct_year=((e / b) ** (1 / n) - 1) * 100 if b > 0 else math.nan,
            share_67_end=float(end[end.age >= 67].persons.sum() / e) if e else math.nan,
            share_80_end=float(end[end.age >= 80].persons.sum() / e) if e else math.nan,
        )
    cs = run.table("capacity_summary")
    if cs is not None:
        for sid, sel in cs.groupby("service", sort=False):
            row[f"short_{sid}"] = float(sel.place_years_short.sum())
    pf = project_numbers(run)
    if pf is not None:
        row.update(investment_mnok=pf["investment"], projects_built=pf["n_built"], projects_delayed=pf["n_delayed"])
    debt = kpi_series(run, "debt_ratio_pct")
    if debt is not None and debt.value.notna().any():
        row["debt_ratio_max"] = float(debt.value.max())
        row["debt_years_red"] = int((debt.status == "red").sum())
    ndr = kpi_series(run, "net_operating_result_pct")
    if ndr is not None and ndr.value.notna().any():
        row["ndr_min"] = float(ndr.value.min())
    return row


def summary_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a batch ``summary.csv``: long (scenario × key figure [× year]: last year kept) or wide."""
    import pandas as pd

    text, problems = check_csv(path, None)
    if text is None:
        raise InputError(problems)
    frame = pd.read_csv(io.StringIO(text))
    scol = next((c for c in SCENARIO_COLUMNS if c in frame), None)
    if scol is None:
        raise InputError(
            Problem(
                f"a column named one of {', '.join(SCENARIO_COLUMNS)}",
                file=str(path),
                line=1,
                found="columns " + ", ".join(map(repr, frame.columns)),
                row=True,
            )
        )
    kcol = next((c for c in KEY_COLUMNS if c in frame), None)
    if kcol is not None and "value" in frame:
        if not pd.api.types.is_numeric_dtype(frame["value"]):
            bad = pd.to_numeric(frame["value"], errors="coerce").isna() & frame["value"].notna()
            i = int(bad.to_numpy().argmax())
            raise InputError(
                Problem(
                    "a number",
                    file=str(path),
                    line=i + 2,
                    field="column 'value'",
                    found=show(str(frame["value"].iloc[i])),
                    row=True,
                )
            )
        if "year" in frame:
            frame = frame.sort_values("year").groupby([scol, kcol], sort=False).tail(1)
        wide = frame.pivot_table(index=scol, columns=kcol, values="value", aggfunc="last")
    else:
        wide = frame.set_index(scol).select_dtypes("number")
    return [{"scenario": str(s), **{f"summary:{k}": v for k, v in r.items()}} for s, r in wide.iterrows()]


def columns_for(rows: list[dict[str, Any]], names: dict[str, str], lang: str) -> list[dict[str, Any]]:
    """Column definitions (id, label, formatter kind) for the keys present in ``rows``."""
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    fixed = [
        ("population_base", f"{t('persons', lang)} (start)", "int"),
        ("population_end", f"{t('persons', lang)} ({'slutt' if lang == 'nb' else 'end'})", "int"),
        ("growth_pct_year", t("growth_per_year", lang), "pct2"),
        ("share_67_end", f"{t('share_67', lang)} ({'slutt' if lang == 'nb' else 'end'})", "share"),
        ("share_80_end", f"{t('share_80', lang)} ({'slutt' if lang == 'nb' else 'end'})", "share"),
    ]
    shorts = [
        (
            k,
            f"{names.get(k.removeprefix('short_'), k.removeprefix('short_'))}: {t('place_years_short', lang).lower()}",
            "int",
        )
        for k in keys
        if k.startswith("short_")
    ]
    tail = [
        ("investment_mnok", f"{t('total_investment', lang)} ({t('mnok', lang)})", "int"),
        ("projects_built", f"{t('n_projects', lang)} ({t('built', lang)})", "int"),
        ("projects_delayed", t("delayed", lang), "int"),
        ("debt_ratio_max", t("debt_ratio_max", lang), "pct1"),
        ("debt_years_red", f"{kpi_name('debt_ratio_pct', lang)}: {'år røde' if lang == 'nb' else 'years red'}", "int"),
        ("ndr_min", f"{kpi_name('net_operating_result_pct', lang)} min.", "pct2"),
    ]
    extra = [(k, k.removeprefix("summary:").replace("_", " "), "num") for k in keys if k.startswith("summary:")]
    return [{"id": k, "label": lbl, "kind": kind} for k, lbl, kind in (*fixed, *shorts, *tail, *extra) if k in keys]


def _fmt(value: Any, kind: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if kind == "int":
        return fmt_num(value, 0, lang)
    if kind == "pct1":
        return fmt_pct(value, 1, lang)
    if kind == "pct2":
        return fmt_pct(value, 2, lang)
    if kind == "share":
        return fmt_share(value, 1, lang)
    if isinstance(value, (int, float, np.number)):
        return fmt_num(value, 0 if abs(float(value)) >= 100 else 2, lang)
    return str(value)


def compare_report(run_dirs: list[Path], out: Path, lang: str = "nb") -> Path:
    """Write the comparison report of ``run_dirs`` (run folders, batch folders, summary CSVs) to ``out``."""
    check_lang(lang)
    runs, summaries = expand(list(run_dirs))
    if not runs and not summaries:
        raise InputError(Problem("run folders, a batch folder or a summary.csv to compare", found="nothing"))
    rows = [run_key_figures(r, lang) for r in runs]
    labels = [r["scenario"] for r in rows]
    for i, r in enumerate(rows):  # two runs of one scenario: tell them apart by their folder
        if labels.count(r["scenario"]) > 1:
            r["scenario"] = f"{r['scenario']} ({runs[i].path.name})"
    label_of = {id(run): row["scenario"] for run, row in zip(runs, rows, strict=True)}
    by_name = {r["scenario"]: r for r in rows}
    for path in summaries:
        for srow in summary_rows(path):
            if srow["scenario"] in by_name:
                by_name[srow["scenario"]].update(srow)
            else:
                by_name[srow["scenario"]] = srow
                rows.append(srow)
    names: dict[str, str] = {}
    for r in runs:
        names.update(service_names(r, lang))
    cols = columns_for(rows, names, lang)
    table = [
        {
            "scenario": r["scenario"],
            "title": r.get("title", ""),
            "cells": [_fmt(r.get(c["id"]), c["kind"], lang) for c in cols],
        }
        for r in rows
    ]
    figs = Figures(lang)
    scen = [r["scenario"] for r in rows]
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(scen)}
    colour.update({label_of[id(r)]: colour[label_of[id(r)]] for r in runs})
    bar_ids = []
    for c in cols:
        values = [r.get(c["id"]) for r in rows]
        if sum(v is not None and not (isinstance(v, float) and math.isnan(v)) for v in values) == 0:
            continue
        scale = 100.0 if c["kind"] == "share" else 1.0
        ys = [None if v is None else float(v) * scale for v in values]
        data = [
            {
                "type": "bar",
                "x": scen,
                "y": clean(ys, 3),
                "marker": {"color": [colour[s] for s in scen]},
                "text": [_fmt(v, c["kind"], lang) for v in values],
                "textposition": "auto",
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        ]
        layout = figs.layout(260, hovermode="closest", showlegend=False, title={"text": c["label"]}, margin={"b": 60})
        layout["xaxis"] = {"tickangle": -20, "automargin": True}
        if c["kind"] in ("pct1", "pct2", "share"):
            layout["yaxis"] = {**layout["yaxis"], "ticksuffix": " %"}
        bar_ids.append(figs.add(f"fig-cmp-{len(bar_ids)}", data, layout))
    line_ids = []
    pop_data = []
    debt_data = []
    for r in runs:
        pop = r.table("population")
        if pop is not None:
            tot = pop.groupby("year").persons.sum()
            pop_data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": label_of[id(r)],
                    "x": clean(tot.index),
                    "y": clean(tot.to_numpy(), 0),
                    "line": {"color": colour[label_of[id(r)]], "width": 2.5},
                    "hovertemplate": "%{y:,.0f}",
                }
            )
        debt = kpi_series(r, "debt_ratio_pct")
        if debt is not None:
            debt_data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": label_of[id(r)],
                    "x": clean(debt.year),
                    "y": clean(debt.value, 2),
                    "line": {"color": colour[label_of[id(r)]], "width": 2.5},
                    "hovertemplate": "%{y:,.1f} %",
                }
            )
    if pop_data:
        line_ids.append(
            figs.add("fig-cmp-population", pop_data, figs.layout(360, title={"text": t("population_over_time", lang)}))
        )
    if debt_data:
        layout = figs.layout(
            360, title={"text": t("debt_ratio_over_time", lang)}, yaxis={"ticksuffix": " %", "rangemode": "tozero"}
        )
        line_ids.append(figs.add("fig-cmp-debt", debt_data, layout))
    html = render(
        "compare.html.j2",
        lang,
        fig_titles=figs.titles,
        columns=cols,
        table=table,
        bar_ids=bar_ids,
        line_ids=line_ids,
        n_scenarios=len(rows),
        figures_json=figs.json(),
    )
    out = Path(out)
    return write_files({out.name: html}, out.parent, "comparison")[0]
