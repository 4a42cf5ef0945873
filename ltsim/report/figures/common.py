"""What every figure of the report shares: colours, the common plotly layout, the spec collector, JSON-safe values.

Figures are plain plotly JSON specs (``{"data": [...], "layout": {...}}``); :class:`Figures` collects them
under ids in the order they are added, which is the order they appear in the page's JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from ltsim.report.i18n import PLOTLY_SEPARATORS

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
"""Marker colour of a fiscal-rule status (as kpi.csv states it); any other status is grey."""
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


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


_PLAIN = frozenset({int, float, str, bool, type(None)})


def _nan_to_none(obj: Any) -> Any:
    """``obj`` for JSON: NaN and ±inf as None, numpy numbers as Python numbers, tuples as lists, nested."""
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if _PLAIN.issuperset(map(type, obj)):  # a series of plain values (most of a figure): one pass, no recursion
            return [None if type(v) is float and not math.isfinite(v) else v for v in obj]
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def nice_step(vmax: float) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10ⁿ) giving about three ticks up to ``vmax``."""
    if vmax <= 0:
        return 1.0
    raw = vmax / 3
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def linear_ticks(top: float) -> dict[str, Any]:
    """Evenly spaced round ticks from 0 (for secondary axes, which plotly would otherwise sync)."""
    return {"tickmode": "linear", "tick0": 0, "dtick": nice_step(top * 0.75)}


def title(text: str, size: int = 14) -> dict[str, Any]:
    """A figure title, left-aligned (shown as HTML above the chart, see :meth:`Figures.add`)."""
    return {"text": text, "font": {"size": size}, "x": 0.01}


def and_word(lang: str) -> str:
    """'og' or 'and'."""
    return "og" if lang == "nb" else "and"


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
        heading = layout.pop("title", None)
        if isinstance(heading, dict):
            heading = heading.get("text")
        self.titles[fig_id] = str(heading or "")
        if heading:
            margin = layout.get("margin", {})
            if margin.get("t", 36) == 36:
                layout["margin"] = {**margin, "t": 14}
        self.specs[fig_id] = {"data": data, "layout": layout}
        return fig_id

    def json(self) -> str:
        """All specs as JSON safe to put inside a ``<script>`` element."""
        text = json.dumps(_nan_to_none(self.specs), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.replace("</", "<\\/")
