"""Lever values → scenario overrides (only the changed keys), validated by the loader the CLI uses.

:func:`overrides` turns lever values (see :mod:`ltsim.serve.levers` for the table of levers and the
scenario keys they write) into a nested mapping of scenario keys; :func:`apply` lays it over the
opened scenario with ``extends:``'s own merge (:func:`ltsim.io.yamlsrc.deep_merge`) and loads the
result with :func:`ltsim.scenario.scenario_from_data`, so a value the schema refuses is refused with
the schema's own message; :func:`variant_yaml` writes the same mapping as a variant file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ltsim.errors import InputError, Problem, printable, show
from ltsim.io.yamlsrc import SourceMap, deep_merge
from ltsim.scenario import Scenario, scenario_from_data
from ltsim.serve.levers import Lever, Opened, development_totals, levers
from ltsim.timeseries import YearSeries

SCALE_DIGITS = 10  # significant digits kept in a written value (no 0.30000000000000004 in a saved file)


def _tidy(value: float) -> float | int:
    """A number as it should be written: whole numbers as integers, others to 10 significant digits."""
    if float(value).is_integer():
        return int(value)
    return float(f"{value:.{SCALE_DIGITS}g}")


def _scaled(series: YearSeries, factor: float) -> Any:
    """``series`` × ``factor`` as it would be written in YAML (a number or a ``{year: value}`` map)."""
    if series.is_constant:
        return _tidy(series.points[0][1] * factor)
    out: dict[Any, Any] = {int(y): _tidy(v * factor) for y, v in series.points}  # type: ignore[arg-type]
    return {"method": series.method, **out} if series.method != "step" else out


def _raised(series: YearSeries, delta: float, from_year: int, first_year: int, last_year: int) -> Any:
    """``series`` + ``delta`` from ``from_year`` on, as a step ``{year: value}`` map.

    A step series keeps its own years plus ``from_year``; a linear one is written year by year.
    """
    if series.method == "step":
        years = sorted({y for y in series.years if y >= first_year} | {first_year, from_year})
    else:
        years = list(range(first_year, last_year + 1))
    values = series.at(np.array(years))
    return {y: _tidy(v + (delta if y >= from_year else 0.0)) for y, v in zip(years, values, strict=True)}


def _number(key: str, value: Any) -> float:
    """A lever's value as a finite number, or an InputError naming the lever."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(Problem("a number", field=key, found=show(value)))
    try:
        number = float(value)
    except ValueError:
        raise InputError(Problem("a number", field=key, found=show(value))) from None
    if not math.isfinite(number):
        raise InputError(Problem("a finite number", field=key, found=show(value)))
    return number


def _whole(key: str, value: Any) -> int:
    number = _number(key, value)
    if not number.is_integer():
        raise InputError(Problem("a whole number (a year or years)", field=key, found=show(value)))
    return int(number)


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError(Problem("true or false", field=key, found=show(value)))
    return value


def _put(out: dict[str, Any], dotted: list[str], value: Any) -> None:
    node = out
    for part in dotted[:-1]:
        node = node.setdefault(part, {})
    node[dotted[-1]] = value


def overrides(opened: Opened, values: Mapping[str, Any], known_levers: Sequence[Lever] | None = None) -> dict[str, Any]:
    """The scenario keys that lever ``values`` change, as a nested mapping (only levers that differ).

    Unknown lever keys and values that are not numbers (or true/false for a switch) raise InputError
    naming the lever; everything else is left to the schema (see :func:`apply`). ``known_levers``: the
    opened scenario's levers if already listed (:func:`ltsim.serve.levers.levers`).
    """
    known = {lever.key: lever for lever in (levers(opened) if known_levers is None else known_levers)}
    unknown = [k for k in values if k not in known]
    if unknown:
        raise InputError([Problem("a lever of this scenario", field=str(k), found=show(values[k])) for k in unknown])
    current = {k: v.value for k, v in known.items()}
    parsed: dict[str, float | bool] = {}
    for key, value in values.items():
        parsed[key] = _flag(key, value) if known[key].kind == "toggle" else _number(key, value)
    new = {**current, **parsed}
    cfg = opened.scenario.config
    h = cfg.horizon
    out: dict[str, Any] = {}
    if new["fertility_scale"] != 1.0:
        _put(out, ["population", "fertility", "scale"], _scaled(cfg.population.fertility.scale, new["fertility_scale"]))
    if new["in_migration_scale"] != 1.0:
        _put(
            out,
            ["population", "migration", "in_scale"],
            _scaled(cfg.population.migration.in_scale, new["in_migration_scale"]),
        )
    housing = cfg.population.housing
    if housing is not None:
        conditions: dict[str, Any] = {}
        rules_off = new.get("sequencing", True) is False
        if rules_off:
            for dev in housing.conditions:
                conditions[dev] = {
                    "after_projects": [],
                    "not_before": None,
                    "max_dwellings_per_year": None,
                    "max_gap": [],
                }
        totals = development_totals(opened.scenario)
        defer: dict[str, int] = {}
        for dev, (_total, _first, _last, per_year) in totals.items():
            pace = new[f"housing_pace.{dev}"]
            if pace != 1.0:
                if not 0.0 <= pace <= 1.0:
                    raise InputError(
                        Problem(
                            "a pace from 0 to 1 (share of the planned dwellings a year; 0.5 = half as fast)",
                            field=f"housing_pace.{dev}",
                            found=show(pace),
                        )
                    )
                cap = per_year * pace
                existing = housing.conditions[dev].max_dwellings_per_year if dev in housing.conditions else None
                if existing is not None and not rules_off:  # the scenario's own cap still holds
                    cap = min(cap, existing)
                conditions.setdefault(dev, {})["max_dwellings_per_year"] = _tidy(round(cap, 1))
            moved = _whole(f"housing_defer.{dev}", new[f"housing_defer.{dev}"])
            if moved != current[f"housing_defer.{dev}"]:
                defer[dev] = moved
        if conditions:
            _put(out, ["population", "housing", "conditions"], conditions)
        if defer:
            _put(out, ["population", "housing", "defer"], defer)
    data = opened.scenario.projects
    if data is not None and cfg.projects is not None:
        moved_projects: dict[str, int] = {}
        for p, pid in enumerate(data.ids):
            key = f"start_year.{pid}"
            if key not in current:
                continue
            start = _whole(key, new[key])
            if start != current[key]:
                moved_projects[pid] = cfg.projects.defer.get(pid, 0) + start - int(data.planned_start_year[p])
        if moved_projects:
            _put(out, ["projects", "defer"], moved_projects)
    if cfg.capacity is not None:
        active = [m for m in cfg.capacity.measures if new[f"measure.{m}"]]
        if set(active) != set(cfg.capacity.active_measures):
            _put(out, ["capacity", "active_measures"], active)
    closures = [k for k in known if k.startswith("closure.")]
    if any(new[k] != current[k] for k in closures):
        closed = []
        for key in closures:
            year = _whole(key, new[key])
            if year:
                closed.append({"facility": key.split(".", 1)[1], "year": year})
        _put(out, ["plan", "closed"], closed)
    fin = cfg.finance
    if fin is not None:
        shift = new["interest_shift_pct_points"] / 100.0
        if shift != 0.0:
            from_year = _whole("interest_shift_from_year", new["interest_shift_from_year"])
            _put(
                out,
                ["finance", "debt", "interest_rate"],
                _raised(fin.debt.interest_rate, shift, from_year, h.base_year, h.end_year - 1),
            )
            if ("finance", "start_loans", "interest_rate") in opened.smap:
                _put(
                    out,
                    ["finance", "start_loans", "interest_rate"],
                    _raised(fin.start_loans.interest_rate, shift, from_year, h.base_year, h.end_year - 1),
                )
        if new["debt_ratio_ceiling"] != current["debt_ratio_ceiling"]:
            _put(out, ["optimize", "debt_ratio_ceiling"], _tidy(new["debt_ratio_ceiling"]))
        more = new["savings_mnok_per_year"]
        if more != 0.0:
            from_year = _whole("savings_from_year", new["savings_from_year"])
            _put(
                out,
                ["finance", "expenses", "savings_mnok"],
                _raised(fin.expenses.savings_mnok, more, from_year, h.base_year, h.end_year - 1),
            )
    return out


def _source_map(value: Any, origin: tuple[Path, int | None], path: tuple[Any, ...] = ()) -> SourceMap:
    """Every key path in ``value`` mapped to ``origin`` (the levers are not in a file yet)."""
    out: SourceMap = {path: origin}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(_source_map(item, origin, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.update(_source_map(item, origin, (*path, i)))
    return out


def apply(opened: Opened, over: Mapping[str, Any]) -> Scenario:
    """The opened scenario with ``over`` laid over it, validated and loaded as ``ltsim run`` would.

    Messages about keys the levers set name the opened file without a line (see :func:`message`).
    """
    if not over:
        return opened.scenario
    over_map = _source_map(dict(over), (opened.file, None))
    del over_map[()]
    merged, smap = deep_merge(opened.raw, opened.smap, dict(over), over_map)
    return scenario_from_data(merged, smap, opened.file, cache=opened.cache)


def message(problem: Problem, opened: Opened) -> str:
    """A problem as the CLI prints it; for a key the levers set, without the (not yet written) file's name."""
    text = str(problem)
    if problem.file in (None, str(opened.file)) and problem.line is None:
        where = printable(problem.file or "<scenario>") + ": "
        if text.startswith(where):
            return text[len(where) :]
    return text


def variant_yaml(opened: Opened, name: str, over: Mapping[str, Any], target: Path) -> str:
    """A scenario variant that ``extends:`` the opened file with only ``over``, for ``target``'s folder."""
    import os

    import yaml

    parent = os.path.relpath(opened.file.resolve(), target.resolve().parent)
    doc = {"extends": parent, "name": name, **over}
    return (
        f"# A variant of {opened.file.name} saved by ltsim serve: only the keys the levers changed.\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    )
