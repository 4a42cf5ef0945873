"""Figures of the comparison page: small multiples of the key figures, and population and debt ratio over time.

Readable with 2 or 100 scenarios: no scenario name is ever written on an axis. Each key figure gets a
small panel with one dot per scenario, in rows by the first axis' values and coloured by the second
axis' (a scenario comparison without axes has one row per scenario); the reference scenario is a black
diamond. Hovering a dot names its scenario and value. Lines over time are thin, coloured by the first
axis, with the reference drawn bold on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ltsim.report import RunFolder
from ltsim.report.figures.common import PALETTE, Figures, clean
from ltsim.report.i18n import kpi_name, t

REFERENCE_COLOUR = "#111"


@dataclass
class Entry:
    """One scenario of the comparison: its label, axis values, headline figures, run folder (if any)."""

    label: str
    values: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    run: RunFolder | None = None
    title: str = ""
    reference: bool = False


def axis_colours(axes: dict[str, list[str]], entries: list[Entry]) -> tuple[str | None, dict[str, str]]:
    """The axis that colours the dots (the second, else the first) and a colour per value of it."""
    names = list(axes)
    axis = names[1] if len(names) > 1 else (names[0] if names else None)
    if axis is None:
        return None, {e.label: PALETTE[i % len(PALETTE)] for i, e in enumerate(entries)}
    return axis, {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(axes[axis])}


def _rows(axes: dict[str, list[str]], entries: list[Entry]) -> tuple[str | None, list[str]]:
    """The axis whose values are the panel rows (the first), and the row labels."""
    if axes:
        first = next(iter(axes))
        return first, list(axes[first])
    return None, [e.label for e in entries]


def fig_multiples(
    figs: Figures, entries: list[Entry], columns: list[dict[str, Any]], axes: dict[str, list[str]], lang: str
) -> list[str]:
    """One small panel per key figure (``columns``: id, label, kind, fmt values per entry); their ids."""
    row_axis, rows = _rows(axes, entries)
    colour_axis, colours = axis_colours(axes, entries)
    groups = list(axes[colour_axis]) if colour_axis and len(axes) > 1 else [None]
    ids = []
    height = 46 + 26 * len(rows)
    for n, col in enumerate(columns):
        values = [e.figures.get(col["id"]) for e in entries]
        finite = [float(v) for v in values if v is not None and np.isfinite(v)]
        if not finite or (len(entries) > 1 and max(finite) - min(finite) <= 1e-9 * max(1.0, abs(max(finite)))):
            continue  # nothing to compare: the table shows it
        data = []
        for group in groups:
            xs, ys, text, symbols, sizes, lines, fills = [], [], [], [], [], [], []
            for e, v, shown in zip(entries, values, col["shown"], strict=True):
                if group is not None and e.values.get(colour_axis) != group:
                    continue
                row = e.values.get(row_axis) if row_axis else e.label
                if row not in rows or v is None or not np.isfinite(v):
                    continue
                j = groups.index(group)
                offset = (j - (len(groups) - 1) / 2) * (0.7 / max(len(groups), 1)) if len(groups) > 1 else 0.0
                xs.append(float(v))
                key = e.values.get(colour_axis) if colour_axis else e.label
                fills.append(colours.get(key, PALETTE[0]))
                ys.append(rows.index(row) + offset)
                text.append(f"{e.label}: {shown}")
                symbols.append("diamond" if e.reference else "circle")
                sizes.append(12 if e.reference else 8)
                lines.append(REFERENCE_COLOUR if e.reference else "#fff")
            if not xs:
                continue
            marker = {"size": sizes, "symbol": symbols, "color": fills, "line": {"color": lines, "width": 1.5}}
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": str(group) if group is not None else "",
                    "x": clean(xs, 4),
                    "y": clean(ys, 3),
                    "text": text,
                    "marker": marker,
                    "opacity": 0.85,
                    "hovertemplate": "%{text}<extra></extra>",
                }
            )
        layout = figs.layout(
            height,
            hovermode="closest",
            showlegend=False,
            title={"text": col["label"]},
            margin={"l": 8, "r": 16, "t": 8, "b": 30},
            yaxis={
                "tickmode": "array",
                "tickvals": list(range(len(rows))),
                "ticktext": [str(r) for r in rows],
                "range": [len(rows) - 0.5, -0.5],
                "automargin": True,
                "zeroline": False,
                "gridcolor": "#f2f2f2",
            },
            xaxis={"tickformat": ",", "automargin": True, "nticks": 5},
        )
        if col["kind"] in ("pct1", "pct2"):
            layout["xaxis"]["ticksuffix"] = " %"
        ids.append(figs.add(f"fig-cmp-{n}", data, layout))
    return ids


def _series(entry: Entry, what: str) -> tuple[list[int], list[float]] | None:
    """Population [persons] by year (1 January, from population_change.csv) or debt ratio [percent] by year."""
    run = entry.run
    if run is None:
        return None
    if what == "population":
        change = run.table("population_change")
        if change is None or change.empty:
            return None
        start = change.groupby("year").population_start.sum()
        end = change.groupby("year").population_end.sum()
        years = [int(start.index[0]), *(int(y) + 1 for y in end.index)]
        return years, [float(start.iloc[0]), *(float(v) for v in end)]
    k = run.table("kpi")
    if k is None or what not in set(k.kpi):
        return None
    sel = k[k.kpi == what].sort_values("year")
    return [int(y) for y in sel.year], [float(v) for v in sel.value]


def fig_lines(figs: Figures, entries: list[Entry], axes: dict[str, list[str]], lang: str) -> list[str]:
    """Population and debt ratio over time, one thin line per scenario, coloured by the first axis."""
    first = next(iter(axes), None)
    colours = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(axes.get(first, []))} if first else {}
    ids = []
    for what, fig_id, heading, decimals, suffix in (
        ("population", "fig-cmp-population", t("population_over_time", lang), 0, ""),
        ("debt_ratio_pct", "fig-cmp-debt", t("debt_ratio_over_time", lang), 1, " %"),
    ):
        data = []
        seen: set[str] = set()
        ordered = [e for e in entries if not e.reference] + [e for e in entries if e.reference]
        for i, e in enumerate(ordered):
            series = _series(e, what)
            if series is None:
                continue
            group = e.values.get(first) if first else e.label
            colour = colours.get(group, PALETTE[i % len(PALETTE)]) if first else PALETTE[i % len(PALETTE)]
            name = f"{t('reference', lang)}: {e.label}" if e.reference else (f"{first}={group}" if first else e.label)
            show = e.reference or name not in seen
            seen.add(name)
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": show,
                    "x": series[0],
                    "y": clean(series[1], decimals + 1),
                    "text": [e.label] * len(series[0]),
                    "line": {
                        "color": REFERENCE_COLOUR if e.reference else colour,
                        "width": 3 if e.reference else 1.3,
                    },
                    "opacity": 1.0 if e.reference else 0.75,
                    "hovertemplate": f"%{{text}}: %{{y:,.{decimals}f}}{suffix}<extra></extra>",
                }
            )
        if not data:
            continue
        layout = figs.layout(380, hovermode="closest", title={"text": heading})
        if suffix:
            layout["yaxis"] = {**layout["yaxis"], "ticksuffix": suffix, "title": {"text": kpi_name(what, lang)}}
        ids.append(figs.add(fig_id, data, layout))
    return ids
