"""The queries the report makes on a run folder: its tables turned into the numbers each section shows.

:class:`RunData` holds the lookups that several sections share (names, fiscal rules, key-figure series,
the wide finance table), each computed once per report on first use. The functions below it build the
numbers of one section each; none draws a figure (see :mod:`ltsim.report.figures`) or renders HTML.

Fiscal-rule statuses are never derived here: they are read from ``kpi.csv``, where the finance model's
:meth:`~ltsim.models.finance.FiscalRule.status` wrote them. Only a key figure that kpi.csv lacks (a folder
with finance.csv but no kpi.csv) is derived from finance.csv, and its status comes from that same method.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from ltsim.models.finance import FiscalRule
from ltsim.report import RunFolder
from ltsim.report.i18n import (
    SCHOOL_SERVICES,
    STATUS_NAMES,
    fmt_num,
    fmt_pct,
    fmt_share,
    kpi_name,
    service_name,
    t,
)

STATUS_CLASSES = ("green", "yellow", "red")
"""Statuses the page colours (kpi.csv's ``status``); any other (``n/a``) is shown uncoloured."""

KPI_FROM_FINANCE = {
    "debt_ratio_pct": "net_debt_mnok",
    "net_operating_result_pct": "ndr_mnok",
    "disposition_fund_pct": "fund_mnok",
}
"""Key figure [percent of revenue] → its numerator in finance.csv, for folders whose kpi.csv lacks it."""


# ------------------------------------------------------------------------------------------- run-wide lookups


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


def finance_items(run: RunFolder) -> Any:
    """finance.csv wide: index year, one column per item [MNOK] (None when absent or empty)."""
    f = run.table("finance")
    if f is None or f.empty:
        return None
    return f.pivot_table(index="year", columns="item", values="value", aggfunc="sum").sort_index()


def kpi_series(run: RunFolder, kpi: str, rules: dict[str, FiscalRule] | None = None) -> Any:
    """Frame ``year, value [percent], status`` of one key figure, or None.

    From kpi.csv (value and status as the run wrote them). Only when kpi.csv lacks the key figure is it
    derived from finance.csv (100 · numerator ÷ revenue), its status then from the fiscal rule's
    :meth:`~ltsim.models.finance.FiscalRule.status` (``rules``: :func:`fiscal_rules` of the run).
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
    numerator = KPI_FROM_FINANCE.get(kpi)
    if numerator not in wide or "revenue_mnok" not in wide:
        return None
    value = 100.0 * wide[numerator] / wide["revenue_mnok"].replace(0, np.nan)
    rule = (fiscal_rules(run)[0] if rules is None else rules).get(kpi)
    status = [rule.status(float(v)) if rule is not None else "n/a" for v in value]
    return pd.DataFrame({"year": wide.index.to_numpy(), "value": value.to_numpy(), "status": status})


class RunData:
    """One run folder's shared lookups for one report (language ``lang``), each computed once on first use."""

    def __init__(self, run: RunFolder, lang: str) -> None:
        self.run = run
        self.lang = lang
        self._kpis: dict[str, Any] = {}

    @cached_property
    def years(self) -> tuple[int, int]:
        """Base and end year."""
        return years_of(self.run)

    @cached_property
    def service_names(self) -> dict[str, str]:
        """Service id → display name."""
        return service_names(self.run, self.lang)

    @cached_property
    def area_names(self) -> dict[str, str]:
        """Planning area id → name."""
        return area_names(self.run)

    @cached_property
    def zone_names(self) -> dict[tuple[str, str], str]:
        """(service, zone) → zone name."""
        return zone_names(self.run)

    @cached_property
    def rules(self) -> dict[str, FiscalRule]:
        """Fiscal rules by kpi name (thresholds [percent])."""
        return fiscal_rules(self.run)[0]

    @cached_property
    def finance_wide(self) -> Any:
        """finance.csv wide [MNOK] (None when absent)."""
        return finance_items(self.run)

    def kpi(self, name: str) -> Any:
        """Frame ``year, value [percent], status`` of key figure ``name`` (see :func:`kpi_series`), or None."""
        if name not in self._kpis:
            self._kpis[name] = kpi_series(self.run, name, self.rules)
        return self._kpis[name]


# ------------------------------------------------------------------------------------------- summary


def population_numbers(run: RunFolder) -> dict[str, Any]:
    """Totals [persons], growth [percent a year] and the 67+ and 80+ counts and shares, from population.csv."""
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


def worst_gaps(d: RunData, n: int = 3, schools_only: bool = False) -> list[dict[str, Any]]:
    """The ``n`` service zones with the largest peak shortfall [places] (only those ever short)."""
    cs = d.run.table("capacity_summary")
    if cs is None:
        return []
    names = d.service_names
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


def debt_headline(d: RunData) -> dict[str, Any] | None:
    """The debt ratio's peak [percent], its year and status (kpi.csv), the ceiling and the years in red."""
    debt = d.kpi("debt_ratio_pct")
    if debt is None or not debt.value.notna().any():
        return None
    i = int(np.nanargmax(debt.value.to_numpy(float)))
    rule = d.rules.get("debt_ratio_pct")
    return {
        "max": float(debt.value.iloc[i]),
        "year": int(debt.year.iloc[i]),
        "status": str(debt.status.iloc[i]),
        "ceiling": rule.red if rule is not None else None,
        "years_red": int((debt.status == "red").sum()),
    }


def project_numbers(run: RunFolder) -> dict[str, Any] | None:
    """Counts, investment [MNOK], delays and deferrals [project-years] from projects.csv (and schedule.csv)."""
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
        deferred = s.deferred_years.fillna(0)
        out["n_deferred"] = int((deferred > 0).sum())
        out["deferred_years"] = float(deferred[deferred > 0].sum())
    h = run.table("housing_schedule")
    if h is not None and not h.empty:
        out["housing_moved"] = int((h.shift_years != 0).sum())
        out["housing_developments"] = len(h)
        out["housing_dwelling_years"] = float(h.dwelling_years_moved.sum())
    ps = run.table("project_spend")
    if ps is not None and not ps.empty:
        out["spend_in_horizon"] = float(ps.spend_mnok.sum())
    return out


def traffic_lights(d: RunData) -> dict[str, Any] | None:
    """Rule × year table of kpi.csv: each value [percent] with the status kpi.csv gives it."""
    k = d.run.table("kpi")
    if k is None or k.empty:
        return None
    lang = d.lang
    years = sorted(int(y) for y in k.year.unique())
    rows = []
    order = [
        kp
        for kp in ("debt_ratio_pct", "net_operating_result_pct", "disposition_fund_pct", "own_financing_pct")
        if kp in set(k.kpi)
    ]
    order += [kp for kp in k.kpi.unique() if kp not in order]
    for kp in order:
        sel = k[k.kpi == kp].set_index("year")
        rule = d.rules.get(kp)
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
            cells.append({"value": value, "status": status if status in STATUS_CLASSES else "na"})
        rows.append({"name": kpi_name(kp, lang), "kpi": kp, "rule": rule_text, "cells": cells})
    return {"years": years, "rows": rows, "default_rules": not d.rules}


# ------------------------------------------------------------------------------------------- capacity


def service_shortfall(run: RunFolder, service: str) -> dict[str, Any]:
    """Place-years short and the number of zones short (of all zones) for one service."""
    cs = run.table("capacity_summary")
    if cs is None:
        return {"place_years_short": 0.0, "zones_short": 0, "zones": 0}
    sel = cs[cs.service == service]
    return {
        "place_years_short": float(sel.place_years_short.sum()),
        "zones_short": int((sel.peak_shortfall > 1e-9).sum()),
        "zones": len(sel),
    }


# ------------------------------------------------------------------------------------------- housing


def housing_per_year(run: RunFolder) -> Any:
    """Dwellings planned, released and held back [dwellings] per year (housing.csv), or None."""
    h = run.table("housing")  # written for every run with a housing programme, so also where housing moved
    if h is None or h.empty:
        return None
    return h.groupby("year")[["planned", "released", "held_back"]].sum()


def housing_rows(run: RunFolder) -> list[dict[str, Any]]:
    """Developments whose release a condition held back: dwellings planned, released, held at the end."""
    h = run.table("housing")
    rows = []
    last = int(h.year.max())
    # only a development with dwellings held back in some year can be listed (binding, or held at the end)
    h = h[h.development.isin(set(h.development[h.held_back > 1e-9]))]
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
    return [r for r in rows if r["binding"] or r["held_end"] > 1e-9]


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


# ------------------------------------------------------------------------------------------- projects, optimisation


def optimisation_summary(run: RunFolder) -> dict[str, Any] | None:
    """The optimisation behind an optimised plan (optimize.json), for the projects section; None if none."""
    o = run.optimize
    if o is None:
        return None
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
        "binding": [b["year"] for b in o.get("binding_constraints", []) if b.get("binding", True)],
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


def _year(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return str(int(v)) if v == v else ""


def project_rows(d: RunData) -> list[dict[str, Any]]:
    """Rows of the projects table, formatted: places, years, delay [years], cost [MNOK], P10–P90 under MC."""
    p = d.run.table("projects")
    if p is None:
        return []
    lang = d.lang
    names = d.service_names
    znames = d.zone_names
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


# ------------------------------------------------------------------------------------------- finance


def finance_table(d: RunData) -> dict[str, Any] | None:
    """The statutory overviews (§ 5-4, § 5-5, § 5-6; :mod:`ltsim.report.budget`) × every year [MNOK, no decimals].

    Rows have ``kind``: ``title`` (an overview's name), ``note``, ``item``, ``sum`` or ``memo``. A finance.csv
    without the items the overviews need gives one note naming them.
    """
    from ltsim.report.budget import missing_items, overviews, text

    wide = d.finance_wide
    if wide is None:
        return None
    years = [int(y) for y in wide.index]
    missing = missing_items(wide)
    if missing:
        return {
            "years": years,
            "rows": [
                {"kind": "note", "name": f"{text('budget_items_missing', d.lang)}: {', '.join(missing)}", "cells": []}
            ],
            "title": text("budget_layout", d.lang),
        }
    rows: list[dict[str, Any]] = []
    for overview in overviews(wide):
        rows.append({"kind": "title", "name": overview.title(d.lang), "cells": []})
        rows.append({"kind": "note", "name": overview.note(d.lang), "cells": []})
        rows += [
            {"kind": line.style, "name": line.name(d.lang), "cells": [fmt_num(v, 0, d.lang) for v in line.values]}
            for line in overview.lines
        ]
    return {"years": years, "rows": rows, "title": text("budget_layout", d.lang)}
