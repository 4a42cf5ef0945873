"""A planned variant run with ``ltsim run``: the plan's tables, made from the run itself.

A scenario whose ``plan.builds`` or ``plan.closed`` are set (written by ``ltsim plan --variant``, or by
hand) gets the same section of the report as a ``ltsim plan`` run folder:

- ``plan_builds.csv``: each build and closure — what, where, when (the run's own start and completion),
  cost, and the place-years short it closes: Σ_t max(0, gap_t + add_t) − Σ_t max(0, gap_t) in its
  zone, with add_t its places × the service's target utilisation while in service (a closure adds
  negative places, so it "closes" a negative number);
- ``plan_debt.csv``: net debt and debt ratio with the builds (this run) and without them (the same
  scenario with ``plan.builds`` and ``plan.closed`` emptied, the catalogue's moves kept, run with the
  same seed; ``ltsim plan``'s own table compares with the scenario as written, moves undone);
- from ``plan.found`` (what ``ltsim plan`` found, not computed here): ``plan_affordability.csv`` and
  ``plan_tradeoff.csv``, and ``plan_found.json`` saying whether the scenario still is the one that was
  planned (:func:`basis_hash`).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
from typing import Any

import numpy as np

from ltsim.io.plan import build_id, closure_id
from ltsim.scenario import Scenario

BUILD_HEADER = [
    "kind", "type", "type_name", "site", "facility", "service", "zone", "places", "start_year", "completion_year",
    "gross_cost_mnok", "land_cost_mnok", "npv_cost_mnok", "place_years_closed",
    "debt_ratio_effect_max_pct_points", "operating_cost_mnok_per_year",
]  # fmt: skip


def csv_text(rows: list[dict[str, Any]], header: list[str] | None = None) -> str:
    """CSV text of ``rows`` (floats with 6 decimals, None blank) under ``header`` (default: the first row's keys)."""
    buf = io.StringIO()
    names = header or (list(rows[0]) if rows else [])
    writer = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.6f}" if isinstance(v, float) else ("" if v is None else v)) for k, v in row.items()})
    return buf.getvalue()


# the keys a plan sets (ltsim plan's overrides and the variant's own name), left out of the basis hash
PLAN_KEYS = (
    ("name",),
    ("title",),
    ("description",),
    ("projects", "defer"),
    ("projects", "exclude"),
    ("projects", "variants"),
    ("population", "housing", "defer"),
    ("plan", "builds"),
    ("plan", "closed"),
    ("plan", "found"),
)


def basis_hash(scenario: Scenario) -> str:
    """sha256 of the scenario without the keys a plan sets (:data:`PLAN_KEYS`, sequencing rules' ``not_before``).

    Equal for the scenario that was planned and for its planned variant as long as nothing else
    changed: the tables (by content hash) and every other setting. Settings left at their defaults
    are left out, so a new optional setting in a later ltsim does not make every plan stale.
    """
    data = copy.deepcopy(scenario.config.model_dump(mode="json", exclude_none=True, exclude_defaults=True))
    data.pop("data_roots", None)
    for path in PLAN_KEYS:
        node = data
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)
    conditions = data.get("population", {}).get("housing", {}).get("conditions", {})
    for rule in conditions.values() if isinstance(conditions, dict) else ():
        if isinstance(rule, dict):
            rule.pop("not_before", None)
    canonical = json.dumps(
        {"config": data, "tables": dict(sorted(scenario.file_hashes.items()))},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def debt_rows(
    years: np.ndarray, fin_with: Any, fin_without: Any, ratio: float | None, predicted_mnok: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """Per year: net debt and debt ratio [%] without the builds and with them, and the ceiling [%] (blank: none).

    ``predicted_mnok``: the MILP's debt path (superposition), where there is one.
    """
    rows = []
    for t, y in enumerate(years):
        row: dict[str, Any] = {
            "year": int(y),
            "debt_without_mnok": float(fin_without.net_debt_mnok[t]),
            "debt_with_mnok": float(fin_with.net_debt_mnok[t]),
        }
        if predicted_mnok is not None:
            row["debt_predicted_mnok"] = float(predicted_mnok[t])
        row |= {
            "debt_ratio_without_pct": float(fin_without.net_debt_mnok[t] / fin_without.revenue_mnok[t] * 100.0),
            "debt_ratio_with_pct": float(fin_with.net_debt_mnok[t] / fin_with.revenue_mnok[t] * 100.0),
            "ceiling_pct": None if ratio is None else ratio * 100.0,
        }
        rows.append(row)
    return rows


def _closed_place_years(result: Any, service: str, zone: str, places: float, first: int, last: int | None) -> float:
    """Place-years short the places close in their zone (see the module docstring); NaN if the zone has no gap."""
    svc = next((s for s in result.services if s.service.id == service and s.gap is not None), None)
    if svc is None or zone not in svc.zone_ids:
        return float("nan")
    years = result.population.years
    gap = svc.gap[:, svc.zone_ids.index(zone)]
    serving = (years >= first) & (years < (last if last is not None else years[-1] + 1))
    add = np.where(serving, places * svc.service.target_utilisation, 0.0)
    return float(np.clip(gap + add, 0.0, None).sum() - np.clip(gap, 0.0, None).sum())


def build_rows(result: Any) -> list[dict[str, Any]]:
    """``plan_builds.csv`` of a run: each of ``plan.builds`` and ``plan.closed`` as the run simulated it."""
    scenario = result.scenario
    spec, plan = scenario.config.plan, scenario.plan
    data, run = scenario.projects, result.projects
    index = {pid: p for p, pid in enumerate(data.ids)}
    base = data.inputs.base_year
    wanted = [(build_id(b.site, b.type, b.start_year), "build", b.type, b.site, "") for b in spec.builds]
    wanted += [(closure_id(c.facility), "closure", "", "", c.facility) for c in spec.closed]
    rows = []
    for pid, kind, type_id, site_id, facility in wanted:
        p = index[pid]
        start = int(np.floor(run.start[p] + 1e-9)) + base
        done = int(run.completion_year[p])
        places = float(data.capacity_places[p])
        years_in_use = plan.types[type_id].capacity_years if kind == "build" else float("nan")
        last = None if np.isnan(years_in_use) else done + int(years_in_use)
        rows.append(
            {
                "kind": kind,
                "type": type_id,
                "type_name": plan.types[type_id].name if type_id else "",
                "site": site_id,
                "facility": facility,
                "service": data.services[p] or "",
                "zone": data.zones[p] or "",
                "places": places,
                "start_year": start,
                "completion_year": done,
                "gross_cost_mnok": float(data.inputs.gross_cost_mnok[p]),
                "land_cost_mnok": plan.sites[site_id].land_cost_mnok if site_id else 0.0,
                "npv_cost_mnok": None,  # the plan's costing (discounted); not part of a run
                "place_years_closed": _closed_place_years(
                    result, data.services[p] or "", data.zones[p] or "", places, done, last
                ),
                "debt_ratio_effect_max_pct_points": None,  # the plan's superposition; see plan_debt.csv for all
                "operating_cost_mnok_per_year": float(np.nan_to_num(data.operating_cost_mnok_per_year[p])),
            }
        )
    rows.sort(key=lambda r: (r["start_year"], r["service"], r["zone"]))
    return rows


def without_plan(scenario: Scenario) -> Scenario:
    """The scenario with ``plan.builds`` and ``plan.closed`` emptied (validated and loaded again)."""
    from ltsim.optimize.replay import _with_overrides

    return _with_overrides(scenario, {"plan": {"builds": [], "closed": []}})


def found_rows(scenario: Scenario) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``plan.found`` as the affordability rows (year, service, needed, planned, gap) and the trade-off rows."""
    found = scenario.config.plan.found
    if found is None:
        return [], []
    afford = []
    for service in sorted(set(found.needed_mnok) | set(found.planned_mnok)):
        need, have = found.needed_mnok.get(service, {}), found.planned_mnok.get(service, {})
        for year in sorted(set(need) | set(have)):
            n, h = need.get(year, 0.0), have.get(year, 0.0)
            afford.append({"year": year, "service": service, "needed_mnok": n, "planned_mnok": h, "gap_mnok": n - h})
    return afford, [p.model_dump() for p in found.tradeoff]


def found_status(scenario: Scenario) -> dict[str, Any]:
    """``plan_found.json``: what ``ltsim plan`` found, when, and whether the scenario is still the one planned."""
    found = scenario.config.plan.found
    assert found is not None
    now = basis_hash(scenario)
    return {
        **found.model_dump(exclude={"needed_mnok", "planned_mnok", "tradeoff"}),
        "basis_now_sha256": now,
        "stale": now != found.basis_sha256,
        "note": "the affordability gap and the trade-off are ltsim plan's findings on the scenario it planned; "
        "stale: the scenario (its tables or a setting the plan does not set) has changed since — run ltsim plan again",
    }


def replay_files(result: Any, seed: int) -> dict[str, str]:
    """The plan's tables of a run whose scenario has ``plan.builds``/``plan.closed`` (see the module docstring)."""
    from ltsim import pipeline

    scenario = result.scenario
    without = pipeline.run(without_plan(scenario), seed=seed)
    optimize = scenario.config.optimize
    files = {
        "plan_builds.csv": csv_text(build_rows(result), BUILD_HEADER),
        "plan_debt.csv": csv_text(
            debt_rows(
                result.finance.years,
                result.finance,
                without.finance,
                None if optimize is None else optimize.debt_ratio_ceiling,
            )
        ),
    }
    if scenario.config.plan.found is not None:
        afford, curve = found_rows(scenario)
        files["plan_affordability.csv"] = csv_text(
            afford, ["year", "service", "needed_mnok", "planned_mnok", "gap_mnok"]
        )
        if curve:
            files["plan_tradeoff.csv"] = csv_text(curve)
        files["plan_found.json"] = json.dumps(found_status(scenario), indent=2, ensure_ascii=False) + "\n"
    return files
