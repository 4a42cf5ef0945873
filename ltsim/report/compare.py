"""Batch comparison report: scenarios side by side, one row each.

A batch folder is read through its ``batch.json``: one entry per scenario that ran (its run folder
``<axis=value,…>``), with its axis values as columns and the batch's reference scenario first; the
differences are against that reference. Run folders and summary CSV files may be given as well. Every
figure comes from :func:`ltsim.keyfigures.key_figures`, the set the batch's ``comparison.csv`` holds, under
the labels of :func:`ltsim.report.i18n.figure_label`. The page has a sortable, filterable table (filter
by axis value, show values or differences), small multiples (one panel per key figure, one dot per
scenario: readable with 24–100 scenarios), and population and debt ratio over time.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ltsim.errors import InputError, Problem, show
from ltsim.io.output import write_files
from ltsim.report import RunFolder, check_csv, read_json
from ltsim.report.data import service_names
from ltsim.report.figures.common import Figures
from ltsim.report.figures.compare import Entry, axis_colours, fig_lines, fig_multiples
from ltsim.report.html import render
from ltsim.report.i18n import check_lang, figure_label, fmt_num, fmt_pct, t

COMPARED_TABLES = (
    "population_change",
    "capacity_summary",
    "capacity",
    "demand",
    "kpi",
    "finance",
    "schedule",
    "housing_schedule",
    "projects",
)
"""The tables of a run folder the comparison reads (:func:`ltsim.keyfigures.key_figures`, the lines over time,
the service names): checked before anything is built. The rest (population.csv, the largest) is not read."""
SCENARIO_COLUMNS = ("scenario", "name", "run")
KEY_COLUMNS = ("kpi", "metric", "item", "key", "figure")


@dataclass
class Sources:
    """What the paths name: scenarios with run folders, summary CSV files, the batch's axes and reference."""

    entries: list[Entry] = field(default_factory=list)
    summaries: list[Path] = field(default_factory=list)
    axes: dict[str, list[str]] = field(default_factory=dict)
    reference: str | None = None


def _batch_entries(folder: Path, doc: dict[str, Any], src: Sources) -> None:
    """The scenarios of a batch folder that ran, as ``batch.json`` lists them (axis values from the axes)."""
    axes = doc.get("axes") if isinstance(doc.get("axes"), dict) else {}
    for axis, values in axes.items():
        known = src.axes.setdefault(str(axis), [])
        known += [str(v) for v in values if str(v) not in known] if isinstance(values, list) else []
    if isinstance(doc.get("base_scenario"), str) and src.reference is None:
        src.reference = doc["base_scenario"]
    for item in doc["scenarios"]:
        sub = folder / item["scenario"]
        if item["status"] == "failed" or not (sub / "manifest.json").is_file():
            continue
        pairs = [part.split("=", 1) for part in item["scenario"].split(",") if "=" in part]
        values = {a: v for a, v in pairs if a in axes}
        src.entries.append(Entry(item["scenario"], values, run=RunFolder(sub)))


def expand(paths: list[Path]) -> Sources:
    """The scenarios named by ``paths``: run folders, batch folders (each scenario that ran) and summary CSVs.

    A batch folder's ``batch.json`` and every run folder are checked (see :meth:`RunFolder.check`); all
    problems found are raised together as one InputError. A batch folder's ``summary.csv`` is checked, and
    its rows used only when the folder holds no run folders (its figures are the run folders' own).
    """
    src = Sources()
    problems: list[Problem] = []
    for p in map(Path, paths):
        if p.is_file() and p.suffix == ".csv":
            src.summaries.append(p)
        elif (p / "manifest.json").is_file():
            src.entries.append(Entry("", run=RunFolder(p)))
        elif p.is_dir():
            doc = None
            if (p / "batch.json").is_file():
                found = check_batch(p / "batch.json")
                problems += found
                if not found:
                    doc = read_json(p / "batch.json", "the batch's record")[0]
            before = len(src.entries)
            if doc is not None:
                _batch_entries(p, doc, src)
            else:
                subs = sorted(d for d in p.iterdir() if (d / "manifest.json").is_file())
                src.entries += [Entry("", run=RunFolder(d)) for d in subs]
            if (p / "summary.csv").is_file() and len(src.entries) > before:
                try:  # checked like every file of the folder, though the run folders give the figures
                    summary_rows(p / "summary.csv")
                except InputError as exc:
                    problems += exc.problems
            elif (p / "summary.csv").is_file():
                src.summaries.append(p / "summary.csv")
            elif len(src.entries) == before and doc is None:
                problems.append(
                    Problem(
                        "a batch folder with run folders (*/manifest.json) or a summary.csv",
                        file=str(p),
                        found="neither",
                    )
                )
        else:
            problems.append(
                Problem("a run folder, a batch folder or a summary.csv", file=str(p), found="none of these")
            )
    for entry in src.entries:
        try:
            entry.run.check(COMPARED_TABLES)  # type: ignore[union-attr]
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return src


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
        heads = frame.iloc[0:0]
        if "year" in frame:  # rows without a year are a batch's headline figures; others: the last year's value
            heads = frame[frame["year"].isna()]
            frame = frame[frame["year"].notna()].sort_values("year").groupby([scol, kcol], sort=False).tail(1)
        rows: dict[str, dict[str, Any]] = {}
        for part, prefix in ((heads, ""), (frame, "summary:")):
            if part.empty:
                continue
            wide = part.pivot_table(index=scol, columns=kcol, values="value", aggfunc="last", sort=False)
            for s, r in wide.iterrows():
                row = rows.setdefault(str(s), {"scenario": str(s)})
                row.update({f"{prefix}{k}": v for k, v in r.items() if v == v})
        return list(rows.values())
    wide = frame.set_index(scol).select_dtypes("number")
    return [{"scenario": str(s), **{f"summary:{k}": v for k, v in r.items()}} for s, r in wide.iterrows()]


ORDER_HEAD = ("population_end", "population_growth_pct_year")
ORDER_SERVICE = ("place_years_short", "peak_shortfall", "idle_place_years")
ORDER_TAIL = (
    "debt_ratio_max_pct",
    "debt_ratio_last_pct",
    "net_operating_result_min_pct",
    "years_red_debt_ratio_pct",
    "years_red_net_operating_result_pct",
    "years_red_disposition_fund_pct",
    "years_red_own_financing_pct",
    "total_investment_mnok",
    "projects_delayed",
    "delay_years_total",
    "optimised_deferrals",
    "optimised_deferral_years",
    "optimised_housing_moves",
    "optimised_housing_dwelling_years",
)
CSV_ONLY = ("population_start", "idle_places_last_year_")
"""Figures comparison.csv holds that the page leaves out (the same in every scenario, or detail)."""


def figure_columns(entries: list[Entry], services: dict[str, str], lang: str) -> list[dict[str, Any]]:
    """The page's figure columns, in reading order: id, label and number kind, for the figures present."""
    keys: dict[str, None] = {}
    for e in entries:
        keys.update(dict.fromkeys(e.figures))
    sids = list(dict.fromkeys(k.removeprefix("place_years_short_") for k in keys if k.startswith("place_years_short_")))
    order = [*ORDER_HEAD, *(f"{stem}_{sid}" for sid in sids for stem in ORDER_SERVICE), *ORDER_TAIL]
    order += [k for k in keys if k not in order and not k.startswith(CSV_ONLY)]
    cols = []
    for key in order:
        if key not in keys:
            continue
        if key.startswith("summary:"):
            name = key.removeprefix("summary:")
            label = f"{figure_label(name, lang, services)} ({t('last_year', lang)})"
        else:
            label = figure_label(key, lang, services)
        kind = "pct2" if key.endswith("pct_year") or key == "net_operating_result_min_pct" else "num"
        if kind == "num" and key.endswith("_pct") and not key.startswith("years_red_"):
            kind = "pct1"
        cols.append({"id": key, "label": label, "kind": kind})
    return cols


def _fmt(value: Any, kind: str, lang: str, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if kind == "pct1":
        return fmt_pct(value, 1, lang, sign)
    if kind == "pct2":
        return fmt_pct(value, 2, lang, sign)
    v = float(value)
    return fmt_num(v, 0 if abs(v) >= 100 or v.is_integer() else 2, lang, sign)


def gather(paths: list[Path], lang: str) -> tuple[list[Entry], dict[str, list[str]], dict[str, str]]:
    """Entries (reference first) with their figures, the axes and the service names of what ``paths`` name."""
    from ltsim.keyfigures import key_figures

    src = expand(list(paths))
    entries = src.entries
    if not entries and not src.summaries:
        raise InputError(Problem("run folders, a batch folder or a summary.csv to compare", found="nothing"))
    for e in entries:
        run = e.run
        assert run is not None
        e.figures = key_figures(run.table)[0]
        e.title = run.title
        e.label = e.label or run.name
    labels = [e.label for e in entries]
    for e in entries:  # two runs of one scenario: tell them apart by their folder
        if labels.count(e.label) > 1:
            e.label = f"{e.label} ({e.run.path.name})"  # type: ignore[union-attr]
    by_label = {e.label: e for e in entries}
    for path in src.summaries:
        for srow in summary_rows(path):
            label = str(srow.pop("scenario"))
            if label in by_label:
                for key, value in srow.items():
                    by_label[label].figures.setdefault(key, value)
            else:
                by_label[label] = Entry(label, figures=srow, title=label)
                entries.append(by_label[label])
    if src.reference in by_label:
        ref = by_label[src.reference]
        ref.reference = True
        entries = [ref, *(e for e in entries if e is not ref)]
    names: dict[str, str] = {}
    for e in entries:
        if e.run is not None:
            names.update(service_names(e.run, lang))
    return entries, src.axes, names


def compare_report(run_dirs: list[Path], out: Path, lang: str = "nb") -> Path:
    """Write the comparison report of ``run_dirs`` (run folders, batch folders, summary CSVs) to ``out``."""
    check_lang(lang)
    entries, axes, names = gather(list(run_dirs), lang)
    cols = figure_columns(entries, names, lang)
    ref = next((e for e in entries if e.reference), None)
    table = []
    for e in entries:
        cells = []
        for c in cols:
            value = e.figures.get(c["id"])
            base = ref.figures.get(c["id"]) if ref is not None else None
            delta = None
            if value is not None and base is not None and math.isfinite(value) and math.isfinite(base):
                delta = value - base
            cells.append({"v": _fmt(value, c["kind"], lang), "d": _fmt(delta, c["kind"], lang, sign=True)})
        table.append(
            {
                "scenario": e.label,
                "title": e.title,
                "reference": e.reference,
                "values": [e.values.get(a, "") for a in axes],
                "cells": cells,
            }
        )
    for c in cols:
        c["shown"] = [_fmt(e.figures.get(c["id"]), c["kind"], lang) for e in entries]
    figs = Figures(lang)
    line_ids = fig_lines(figs, entries, axes, lang)
    bar_ids = fig_multiples(figs, entries, cols, axes, lang)
    names_axes = list(axes)
    caption = ""
    legend: list[tuple[str, str]] = []
    if names_axes:
        colour_axis, colours = axis_colours(axes, entries)
        caption = t("multiples_caption", lang).format(first=names_axes[0], second=colour_axis)
        legend = [(f"{colour_axis}={v}", c) for v, c in colours.items()]
    html = render(
        "compare.html.j2",
        lang,
        fig_titles=figs.titles,
        columns=[{"id": c["id"], "label": c["label"]} for c in cols],
        axes=axes,
        table=table,
        reference=ref.label if ref is not None else None,
        bar_ids=bar_ids,
        line_ids=line_ids,
        multiples_caption=caption,
        legend=legend,
        n_scenarios=len(entries),
        figures_json=figs.json(),
    )
    out = Path(out)
    return write_files({out.name: html}, out.parent, "comparison")[0]
