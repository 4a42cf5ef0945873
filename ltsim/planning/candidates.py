"""The plan's candidates as projects, and what each option costs in the objective (NOK million, discounted).

Every (site, allowed type, copy) and every closure candidate becomes one optional catalogue row
(:func:`ltsim.io.plan.build_row`), so the optimiser's coefficients simulate it with the pipeline's
own models: completion year, spend, places in its zone, marginal debt and netto driftsresultat.

Cost of an option (equivalent annual cost, the residual-value convention of Finansdepartementet's
rundskriv R-109/2021 § 5: a build late in the horizon is charged only for the years it serves there):

    cost = Σ_{y in service, y < end_year} (1 + r)^-(y − base_year) · (A + running cost)
    A = net investment · r / (1 − (1 + r)^-L)      (net = gross − VAT compensation − Husbanken grant;
                                                    L = capacity_years, else the asset category's life)

A place-year short in service ``s`` and stock year ``y`` weighs ``shortfall_cost[s] · (1 + r)^-(y − base_year)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ltsim.io.plan import PlanData, build_row, closure_row
from ltsim.io.yamlsrc import deep_merge
from ltsim.optimize.coefficients import Coefficients
from ltsim.scenario import Scenario, scenario_from_data
from ltsim.schema import ASSET_CATEGORIES


@dataclass(frozen=True, slots=True)
class Candidate:
    """One optional project of the plan: a build (site, type, copy) or a closure (facility)."""

    id: str
    kind: str  # "build" or "closure"
    site: str | None
    type: str | None
    copy: int
    facility: str | None
    first_start: int
    last_start: int


def first_build_year(scenario: Scenario) -> int:
    """The first year a new build may start: ``plan.first_start_year`` or the year after the base year."""
    spec = scenario.config.plan
    assert spec is not None
    base = scenario.config.horizon.base_year
    return spec.first_start_year if spec.first_start_year is not None else base + 1


def candidates(scenario: Scenario) -> list[Candidate]:
    """Each site's allowed types (one per copy up to ``max_builds``) and each closure, with its start window.

    A build's window runs from max(site's earliest start, first build year) to the last start that
    completes by the horizon's last stock year; a window that is empty is left out.
    """
    plan = scenario.plan
    assert plan is not None
    end = scenario.config.horizon.end_year
    first = first_build_year(scenario)
    out = []
    for site in plan.sites.values():
        for type_id in site.types:
            kind = plan.types[type_id]
            last = end - math.ceil(kind.build_years - 1e-9)
            start = max(site.earliest_start, first)
            if start > last:
                continue
            for copy in range(site.max_builds):
                out.append(
                    Candidate(f"cand_{site.id}_{type_id}_{copy}", "build", site.id, type_id, copy, None, start, last)
                )
    for closure in plan.closures.values():
        start = max(closure.earliest_year, scenario.config.horizon.base_year)
        if start <= end - 1:
            out.append(
                Candidate(f"cand_close_{closure.facility}", "closure", None, None, 0, closure.facility, start, end - 1)
            )
    return out


def candidate_rows(plan: PlanData, cands: list[Candidate]) -> list[dict[str, Any]]:
    """Catalogue rows for the candidates, each planned at the start of its window."""
    return [
        build_row(plan, c.site, c.type, c.id, c.first_start, c.first_start)  # type: ignore[arg-type]
        if c.kind == "build"
        else closure_row(plan, c.facility, c.id, c.first_start, c.first_start)  # type: ignore[arg-type]
        for c in cands
    ]


def planning_scenario(scenario: Scenario, cands: list[Candidate], more_savings_mnok: float = 0.0) -> Scenario:
    """The scenario with every candidate added as an optional project and the optimiser set for money.

    The candidates are excluded from the scenario as written (``projects.exclude``), so the plan's
    own run and its delivery slots are the catalogue's; each is an option of the MILP only.
    ``more_savings_mnok``: savings a year added to ``finance.expenses.savings_mnok`` from the first
    build year (the trade-off against savings), and transferred to the investment budget
    (``finance.investment.own_financing_mnok``, overføring fra drift): the saving finances builds
    instead of borrowing. Kept in operations it would only fill the disposition fund, which does not
    lower netto lånegjeld, and the debt ceiling would not move.

    ``optimize`` is laid over so the MILP's objective is in NOK million: no interest weight (the
    option's cost carries it), the plan's deferral penalty, a zero shortfall limit on the
    ``no_shortfall`` services, and no housing moves (a plan decides builds, not the programme).
    """
    spec = scenario.config.plan
    assert spec is not None and scenario.plan is not None
    optimize = {
        "cost_weight": 0.0,
        "deferral_penalty": spec.deferral_penalty_mnok,
        "max_shortfall_places": {
            **scenario.config.optimize.max_shortfall_places,  # type: ignore[union-attr]
            **{s: 0.0 for s in spec.no_shortfall},
        },
    }
    # candidates are left out of the plan as written (its run, its delivery slots): they are options only
    exclude = [*scenario.config.projects.exclude, *(c.id for c in cands)]  # type: ignore[union-attr]
    over: dict[str, Any] = {"optimize": optimize, "projects": {"exclude": exclude}}
    if more_savings_mnok:
        h = scenario.config.horizon
        years = np.arange(h.base_year, h.end_year)
        finance = scenario.config.finance
        more = np.where(years >= first_build_year(scenario), more_savings_mnok, 0.0)
        savings = finance.expenses.savings_mnok.at(years) + more  # type: ignore[union-attr]
        transfer = finance.investment.own_financing_mnok.at(years) + more  # type: ignore[union-attr]
        over["finance"] = {
            "expenses": {"savings_mnok": {int(y): float(v) for y, v in zip(years, savings, strict=True)}},
            "investment": {"own_financing_mnok": {int(y): float(v) for y, v in zip(years, transfer, strict=True)}},
        }
    merged, smap = deep_merge(scenario.resolved(), {}, over, {})
    merged = dict(merged)
    merged["optimize"] = {k: v for k, v in merged["optimize"].items() if k != "housing"}
    return scenario_from_data(merged, smap, scenario.file, extra_projects=candidate_rows(scenario.plan, cands))


def discount_factors(years: np.ndarray, base_year: int, rate: float) -> np.ndarray:
    """(1 + r)^-(year − base_year) for each year."""
    return (1.0 + rate) ** -(np.asarray(years, dtype=float) - base_year)


def annuity_factor(rate: float, life_years: float | None) -> float:
    """R / (1 − (1 + r)^-L); 1/L at r = 0; r for land (no life: the capital is never used up)."""
    if life_years is None or life_years <= 0:
        return rate
    if rate == 0:
        return 1.0 / life_years
    return rate / (1.0 - (1.0 + rate) ** -life_years)


def net_investment_mnok(scenario: Scenario, p: int) -> float:
    """Gross cost − VAT compensation − Husbanken's grant (min(places × cap, cost) × share), NOK million."""
    projects = scenario.projects
    finance = scenario.config.finance
    assert projects is not None and finance is not None
    gross = float(projects.inputs.gross_cost_mnok[p])
    vat = projects.vat_compensation_share[p]
    vat = finance.investment.vat_compensation_share if np.isnan(vat) else float(vat)
    grant = 0.0
    husbanken = finance.investment.husbanken
    if husbanken is not None and projects.husbanken_places[p] > 0:
        cap = float(projects.husbanken_places[p]) * husbanken.cost_cap_per_place_mnok
        grant = min(cap, gross) * husbanken.grant_share
    return gross * (1.0 - vat) - grant


def costed(coefficients: Coefficients) -> Coefficients:
    """The coefficients with each option's discounted cost and each cell's discounted shortfall weight.

    Costs apply to the optional candidates and to catalogue projects that add or remove places
    (their benefit is in the place-years); a catalogue project without places keeps only its
    deferral penalty. An optional candidate's start is a choice, not a deferral (no penalty).
    """
    import dataclasses

    scenario = coefficients.scenario
    spec = scenario.config.plan
    projects = scenario.projects
    assert spec is not None and projects is not None
    base = scenario.config.horizon.base_year
    rate = spec.discount_rate
    years = coefficients.years
    discount = discount_factors(years, base, rate)
    options = []
    for o in coefficients.options:
        p = o.project
        has_places = not np.isnan(projects.capacity_places[p])
        if p not in coefficients.optional and not has_places:
            options.append(o)
            continue
        life = projects.capacity_years[p]
        life = ASSET_CATEGORIES[projects.categories[p]] if np.isnan(life) else float(life)
        yearly = net_investment_mnok(scenario, p) * annuity_factor(rate, life)
        running = np.nan_to_num(projects.operating_cost_mnok_per_year[p])
        yearly += float(running + np.nan_to_num(projects.operating_offset_mnok_per_year[p]))  # net of its offset
        in_use = years >= o.completion_year
        if not np.isnan(projects.capacity_years[p]):
            in_use &= years < o.completion_year + projects.capacity_years[p]
        cost = float((discount * in_use).sum() * yearly)
        deferral = 0 if p in coefficients.optional else o.deferral_years
        options.append(dataclasses.replace(o, cost_mnok=cost, deferral_years=deferral))
    stock_discount = discount_factors(coefficients.stock_years, base, rate)
    cells = tuple(
        dataclasses.replace(c, weight=spec.shortfall_cost_mnok_per_place_year[c.service] * stock_discount)
        for c in coefficients.cells
    )
    return dataclasses.replace(coefficients, options=tuple(options), cells=cells)
