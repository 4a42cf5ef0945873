"""Levers of the browser view: what a planner may turn, and each setting as scenario overrides.

A lever is a named value with the figure the opened scenario gives it and the file and line that
set it. :mod:`ltsim.serve.overrides` turns lever values into the scenario keys they change (only
the levers that differ from the opened scenario, so a saved variant holds only the changed keys)
and validates them with the loader the CLI uses.

========================  ===========================================  ============================
lever                     scenario key                                 value
========================  ===========================================  ============================
fertility_scale           population.fertility.scale                   × the scenario's path
in_migration_scale        population.migration.in_scale                × the scenario's path
housing_pace.<dev>        population.housing.conditions.<dev>          share of the planned yearly
                          .max_dwellings_per_year                      pace (1 = as planned)
housing_defer.<dev>       population.housing.defer.<dev>               years later (− earlier)
sequencing                population.housing.conditions (emptied)      on/off
start_year.<project>      projects.defer.<project>                     start year
measure.<name>            capacity.active_measures                     on/off
closure.<facility>        plan.closed (a facility in plan.closures)    year it closes (0 = open)
interest_shift_pct_points finance.debt.interest_rate (+ start loans)   percentage points from …
interest_shift_from_year                                               … this year
debt_ratio_ceiling        optimize.debt_ratio_ceiling                  fraction of revenue
savings_mnok_per_year     finance.expenses.savings_mnok                NOK million a year more …
savings_from_year                                                      … from this year
========================  ===========================================  ============================

Housing pace: a development builds at most ``pace`` × its planned average a year (dwellings over
the years it has completions), so at 0.5 it takes about twice as long; the dwellings held back are
completed later (the sequencing-rule mechanism, :mod:`ltsim.release`). Where the scenario already
caps the development, the lower cap holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.io.yamlsrc import SourceMap
from ltsim.scenario import Scenario, TableCache, scenario_from_data
from ltsim.timeseries import YearSeries


@dataclass(frozen=True, slots=True)
class Lever:
    """One lever: its key, labels (nb, en), the opened scenario's value and where that came from.

    ``lo``/``hi``/``step`` are the form's hints; the schema is the judge of what is accepted.
    """

    key: str
    group: str  # population, housing, projects, capacity, finance
    label_nb: str
    label_en: str
    kind: str  # "number" or "toggle"
    value: float | bool
    unit_nb: str = ""
    unit_en: str = ""
    source: str = ""  # file:line that set the value, or what it follows
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    scenario_key: str = ""  # the dotted scenario key it writes
    info: dict[str, Any] = field(default_factory=dict)  # e.g. a project's completion year, a development's dwellings

    def as_json(self) -> dict[str, Any]:
        """Plain data for the page."""
        return {
            "key": self.key,
            "group": self.group,
            "label": {"nb": self.label_nb, "en": self.label_en},
            "kind": self.kind,
            "value": self.value,
            "unit": {"nb": self.unit_nb, "en": self.unit_en},
            "source": self.source,
            "lo": self.lo,
            "hi": self.hi,
            "step": self.step,
            "scenario_key": self.scenario_key,
            "info": self.info,
        }


@dataclass(frozen=True, slots=True)
class Opened:
    """The opened scenario: its merged YAML with the source map, the loaded scenario and a table cache."""

    file: Path
    raw: dict[str, Any]
    smap: SourceMap
    scenario: Scenario
    cache: TableCache


def open_scenario(file: Path) -> Opened:
    """Load ``file`` as ``ltsim run`` does, keeping the merged YAML for later variants; InputError on bad input."""
    from ltsim.io.yamlsrc import load_layered

    cache = TableCache()
    raw, smap = load_layered(file)
    scenario = scenario_from_data(raw, smap, file, cache=cache)
    return Opened(file=file, raw=raw, smap=smap, scenario=scenario, cache=cache)


# --------------------------------------------------------------------------- the lever list


def _where(opened: Opened, *path: str | int) -> str:
    """``file:line`` of a key path of the opened scenario, relative to the opened file's folder where it can be."""
    found = opened.smap.get(tuple(path))
    if found is None:
        return ""
    file, line = found
    try:
        name = str(Path(file).resolve().relative_to(opened.file.resolve().parent))
    except ValueError:
        name = str(file)
    return f"{name}:{line}" if line else name


def _series_text(series: YearSeries) -> str:
    """A dated value in a few words: ``1`` or ``2024: 0.042, 2025: 0.04``."""
    if series.is_constant:
        return f"{series.points[0][1]:g}"
    return ", ".join(f"{y}: {v:g}" for y, v in series.points)


def development_totals(scenario: Scenario) -> dict[str, tuple[float, int, int, float]]:
    """Per development: planned dwellings, first and last completion year, average dwellings a year it builds."""
    out: dict[str, list[Any]] = {}
    for dev, _area, year, dwellings, _type in scenario.population.developments:
        row = out.setdefault(dev, [0.0, set()])
        row[0] += dwellings
        if dwellings > 0:
            row[1].add(int(year))
    return {
        dev: (total, min(years) if years else 0, max(years) if years else 0, total / max(len(years), 1))
        for dev, (total, years) in out.items()
    }


def levers(opened: Opened) -> list[Lever]:
    """Every lever the opened scenario offers, with its current value and source."""
    sc = opened.scenario
    cfg = sc.config
    h = cfg.horizon
    out: list[Lever] = []
    fert = cfg.population.fertility.scale
    out.append(
        Lever(
            "fertility_scale",
            "population",
            "Fruktbarhetsnivå (× scenarioets)",
            "Fertility level (× the scenario's)",
            "number",
            1.0,
            "faktor",
            "factor",
            f"scale {_series_text(fert)} ← {_where(opened, 'population', 'fertility', 'scale') or 'default'}",
            0.5,
            1.5,
            0.01,
            "population.fertility.scale",
        )
    )
    mig = cfg.population.migration.in_scale
    out.append(
        Lever(
            "in_migration_scale",
            "population",
            "Innflytting, nivå (× scenarioets)",
            "In-migration level (× the scenario's)",
            "number",
            1.0,
            "faktor",
            "factor",
            f"in_scale {_series_text(mig)} ← {_where(opened, 'population', 'migration', 'in_scale') or 'default'}",
            0.5,
            1.5,
            0.01,
            "population.migration.in_scale",
        )
    )
    housing = cfg.population.housing
    if housing is not None:
        programme = _where(opened, "population", "housing", "programme")
        if housing.conditions:
            out.append(
                Lever(
                    "sequencing",
                    "housing",
                    "Rekkefølgekrav på",
                    "Sequencing rules on",
                    "toggle",
                    True,
                    source=f"{len(housing.conditions)} rules ← {_where(opened, 'population', 'housing', 'conditions')}",
                    scenario_key="population.housing.conditions",
                )
            )
        totals = development_totals(sc)
        for dev, (total, first, last, pace) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
            cap = housing.conditions[dev].max_dwellings_per_year if dev in housing.conditions else None
            info = {"dwellings": total, "first_year": first, "last_year": last, "per_year": pace, "cap": cap}
            out.append(
                Lever(
                    f"housing_pace.{dev}",
                    "housing",
                    f"Byggetakt {dev}",
                    f"Building pace {dev}",
                    "number",
                    1.0,
                    "andel av planlagt takt",
                    "share of the planned pace",
                    f"{total:,.0f} dwellings {first}–{last}, {pace:,.0f} a year ← {programme}",
                    0.0,
                    1.0,
                    0.05,
                    f"population.housing.conditions.{dev}.max_dwellings_per_year",
                    info,
                )
            )
            moved = housing.defer.get(dev, 0)
            out.append(
                Lever(
                    f"housing_defer.{dev}",
                    "housing",
                    f"Utsettelse {dev}",
                    f"Delay {dev}",
                    "number",
                    float(moved),
                    "år",
                    "years",
                    f"defer {moved} ← {_where(opened, 'population', 'housing', 'defer', dev) or 'default'}",
                    -10,
                    10,
                    1,
                    f"population.housing.defer.{dev}",
                    info,
                )
            )
    data = sc.projects
    if data is not None:
        from ltsim.models.projects import plan_completion

        done = h.base_year + np.ceil(plan_completion(data.inputs) - 1e-9)
        catalogue = _where(opened, "projects", "catalogue")
        for p, pid in enumerate(data.ids):
            if not data.inputs.included[p]:
                continue
            start = int(data.planned_start_year[p])
            moved = cfg.projects.defer.get(pid, 0) if cfg.projects is not None else 0
            source = f"planned_start {start - moved} ← {catalogue}"
            if moved:
                source += f"; defer {moved} ← {_where(opened, 'projects', 'defer', pid)}"
            out.append(
                Lever(
                    f"start_year.{pid}",
                    "projects",
                    data.names[p],
                    data.names[p],
                    "number",
                    float(start),
                    "startår",
                    "start year",
                    source,
                    float(data.earliest_start_year[p]),
                    float(h.end_year),
                    1,
                    f"projects.defer.{pid}",
                    {
                        "completion_year": int(done[p]),
                        "earliest_start": int(data.earliest_start_year[p]),
                        "service": data.services[p],
                        "zone": data.zones[p],
                        "mandatory": bool(data.mandatory[p]),
                    },
                )
            )
    if cfg.capacity is not None:
        for name, measure in cfg.capacity.measures.items():
            out.append(
                Lever(
                    f"measure.{name}",
                    "capacity",
                    f"Strukturtiltak {name}",
                    f"Structural measure {name}",
                    "toggle",
                    name in cfg.capacity.active_measures,
                    source=f"{measure.description or ''} ← {_where(opened, 'capacity', 'measures', name)}",
                    scenario_key="capacity.active_measures",
                )
            )
    if sc.plan is not None and cfg.plan is not None:
        closures_file = _where(opened, "plan", "closures")
        for fac, cand in sc.plan.closures.items():
            year = next((c.year for c in cfg.plan.closed if c.facility == fac), 0)
            out.append(
                Lever(
                    f"closure.{fac}",
                    "capacity",
                    f"Legg ned {fac} fra år (0 = drives videre)",
                    f"Close {fac} from year (0 = stays open)",
                    "number",
                    float(year),
                    "år",
                    "year",
                    f"{cand.capacity_places:,.0f} {cand.service} places, saves {cand.saving_mnok_per_year:g} mill/yr, "
                    f"from {cand.earliest_year} ← {closures_file}",
                    0.0,
                    float(h.end_year),
                    1,
                    "plan.closed",
                    {"earliest_year": cand.earliest_year, "places": cand.capacity_places, "service": cand.service},
                )
            )
    fin = cfg.finance
    if fin is not None:
        out.append(
            Lever(
                "interest_shift_pct_points",
                "finance",
                "Rente, endring",
                "Interest rate, change",
                "number",
                0.0,
                "prosentpoeng",
                "percentage points",
                f"interest_rate {_series_text(fin.debt.interest_rate)} ← "
                f"{_where(opened, 'finance', 'debt', 'interest_rate')}",
                -3.0,
                5.0,
                0.25,
                "finance.debt.interest_rate",
            )
        )
        out.append(
            Lever(
                "interest_shift_from_year",
                "finance",
                "Renteendring fra år",
                "Interest change from year",
                "number",
                float(h.base_year + 1),
                "år",
                "year",
                "",
                float(h.base_year),
                float(h.end_year - 1),
                1,
                "finance.debt.interest_rate",
            )
        )
        ceiling = _ceiling(opened)
        out.append(
            Lever(
                "debt_ratio_ceiling",
                "finance",
                "Tak for netto lånegjeld (gjeldsgrad)",
                "Debt-ratio ceiling",
                "number",
                ceiling,
                "andel av driftsinntektene (1 = 100 %)",
                "fraction of operating revenue (1 = 100 %)",
                f"debt_ratio_ceiling {ceiling:g} ← "
                f"{_where(opened, 'optimize', 'debt_ratio_ceiling') or 'the fiscal rule (red)'}",
                0.5,
                1.5,
                0.01,
                "optimize.debt_ratio_ceiling",
            )
        )
        out.append(
            Lever(
                "savings_mnok_per_year",
                "finance",
                "Omstilling, mer per år",
                "Savings (omstilling), more a year",
                "number",
                0.0,
                "mill. kr per år",
                "NOK million a year",
                f"savings_mnok {_series_text(fin.expenses.savings_mnok)} ← "
                f"{_where(opened, 'finance', 'expenses', 'savings_mnok') or 'default'}",
                0.0,
                1000.0,
                10.0,
                "finance.expenses.savings_mnok",
            )
        )
        out.append(
            Lever(
                "savings_from_year",
                "finance",
                "Omstilling fra år",
                "Savings from year",
                "number",
                float(h.base_year + 2),
                "år",
                "year",
                "",
                float(h.base_year),
                float(h.end_year - 1),
                1,
                "finance.expenses.savings_mnok",
            )
        )
    return out


def _ceiling(opened: Opened) -> float:
    """The debt-ratio ceiling: ``optimize.debt_ratio_ceiling``, else the fiscal rule's red threshold, else 1."""
    cfg = opened.scenario.config
    if cfg.optimize is not None:
        return float(cfg.optimize.debt_ratio_ceiling)
    rules = cfg.finance.fiscal_rules if cfg.finance is not None else []
    return next((float(r.red) for r in rules if r.kpi == "debt_ratio"), 1.0)


def defaults(opened: Opened) -> dict[str, float | bool]:
    """Each lever's value in the opened scenario."""
    return {lever.key: lever.value for lever in levers(opened)}
