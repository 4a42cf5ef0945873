"""The planning MILP: the sequencing model plus the plan's own rules (sites, copies, build limits).

Variables and the other families are :class:`~ltsim.optimize.milp.SequencingModel`'s; a plan's
candidates are optional projects whose options are their start years. Added here:

- **site**: Σ builds started on a site ≤ its ``max_builds``;
- **copies**: copy ``k+1`` of a type on a site starts only after copy ``k`` has started
  (``started_{k+1}(t) ≤ started_k(t − 1)``), which removes symmetric solutions;
- **build limits**: in any ``years`` consecutive years at most ``max_builds`` new builds of the
  service start in a zone (or in the named zone);
- **utilisation floor** (``plan.min_utilisation``): in every zone and stock year, the places new builds
  add (usable places ÷ the service's target utilisation) ≤ max(0, demand ÷ floor − capacity with the
  catalogue as written) — a build may not leave a zone's utilisation below the floor in a year it
  serves. The catalogue counts as written (its moves are not in the rule): a zone the catalogue already
  fills above the floor gets no new build.

:func:`rule_breaches` checks the same rules for a schedule found without the solver (greedy,
brute force), so every schedule is judged by one set of rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ltsim.optimize.coefficients import Coefficients, Option
from ltsim.optimize.milp import SequencingModel
from ltsim.planning.candidates import Candidate


class PlanningModel(SequencingModel):
    """The sequencing MILP with the plan's site, copy and build-limit rows (see the module docstring)."""

    candidates: tuple[Candidate, ...] = ()  # set by :func:`planning_model_class`
    ndr_floor: float | None = None  # set by :func:`planning_model_class`: replaces optimize.ndr_floor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.ndr_floor is not None:
            self.spec = self.spec.model_copy(update={"ndr_floor": self.ndr_floor})

    def _starts(self, project: int, last_year: int | None = None, first_year: int | None = None) -> Any:
        options = self.coefficients.options
        return self._count_chosen(
            i
            for i in self.by_project.get(project, [])
            if (last_year is None or options[i].start_year <= last_year)
            and (first_year is None or options[i].start_year >= first_year)
        )

    def define_extra(self) -> None:
        """Sites, copies and build limits (see the module docstring)."""
        index = {pid: p for p, pid in enumerate(self.coefficients.scenario.projects.ids)}
        by_site: dict[str, list[Candidate]] = {}
        for c in self.candidates:
            if c.kind == "build":
                by_site.setdefault(c.site, []).append(c)  # type: ignore[arg-type]
        plan = self.coefficients.scenario.plan
        years = [int(y) for y in self.coefficients.years]
        for site_id, members in by_site.items():
            total = self.pulp.lpSum(self._starts(index[c.id]) for c in members)
            self._add(total <= plan.sites[site_id].max_builds, f"site_{site_id}")
            for c in members:
                if c.copy == 0:
                    continue
                before = next(m for m in members if m.type == c.type and m.copy == c.copy - 1)
                for t in years:
                    self._add(
                        self._starts(index[c.id], t) <= self._starts(index[before.id], t - 1),
                        f"copy_{c.id}_{t}",
                    )
        spec = self.coefficients.scenario.config.plan
        builds = {index[c.id] for c in self.candidates if c.kind == "build"}
        options = self.coefficients.options
        for c, room, per_place in fill_rooms(self.coefficients):
            for u, year in enumerate(self.coefficients.stock_years):
                coef = {
                    i: float(options[i].places[c][u]) * per_place
                    for p in builds
                    for i in self.by_project.get(p, [])
                    if c in options[i].places and options[i].places[c][u] > 0
                }
                if coef:
                    cell = self.coefficients.cells[c]
                    self._add(self._option_sum(coef) <= room[u], f"fill_{cell.service}_{cell.zone}_{int(year)}")
        for n, limit in enumerate(spec.build_limits):
            for zone, members in _limited(plan, self.candidates, limit).items():
                for first in years:
                    last = first + limit.years - 1
                    starts = self.pulp.lpSum(self._starts(index[c.id], last, first) for c in members)
                    self._add(starts <= limit.max_builds, f"limit_{n}_{zone}_{first}")


def fill_rooms(coefficients: Coefficients) -> list[tuple[int, np.ndarray, float]]:
    """Per cell under ``plan.min_utilisation``: (cell, the places new builds may add [U], places per usable place).

    room = max(0, demand ÷ floor − capacity with the catalogue as written); an option's usable places
    count as usable ÷ the service's target utilisation (see the module docstring).
    """
    scenario = coefficients.scenario
    floors = scenario.config.plan.min_utilisation
    if not floors:
        return []
    target = {s.id: s.target_utilisation for s in scenario.services.services}
    out = []
    for c, cell in enumerate(coefficients.cells):
        if cell.service in floors and cell.demand is not None and cell.capacity_written is not None:
            room = np.maximum(cell.demand / floors[cell.service] - cell.capacity_written, 0.0)
            out.append((c, room, 1.0 / target[cell.service]))
    return out


def _limited(plan: Any, cands: Iterable[Candidate], limit: Any) -> dict[str, list[Candidate]]:
    """The build candidates a limit counts, by zone."""
    out: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.kind != "build":
            continue
        site = plan.sites[c.site]
        if site.service == limit.service and (limit.zone is None or site.zone == limit.zone):
            out.setdefault(site.zone, []).append(c)
    return out


def planning_model_class(cands: list[Candidate], ndr_floor: float | None = None) -> type[PlanningModel]:
    """A :class:`PlanningModel` bound to these candidates (what ``solve_milp``'s ``model_class`` takes).

    ``ndr_floor``: the netto driftsresultat floor (share of revenue) instead of ``optimize.ndr_floor``.
    """
    return type("BoundPlanningModel", (PlanningModel,), {"candidates": tuple(cands), "ndr_floor": ndr_floor})


def rule_breaches(coefficients: Coefficients, cands: list[Candidate], chosen: dict[int, Option | None]) -> list[str]:
    """The plan's rules a schedule breaks (site, copies, build limits), in words; empty if none."""
    scenario = coefficients.scenario
    plan, spec = scenario.plan, scenario.config.plan
    index = {pid: p for p, pid in enumerate(scenario.projects.ids)}
    start = {c.id: chosen[index[c.id]].start_year for c in cands if chosen.get(index[c.id]) is not None}
    out = []
    for site_id, site in plan.sites.items():
        n = sum(1 for c in cands if c.kind == "build" and c.site == site_id and c.id in start)
        if n > site.max_builds:
            out.append(f"site {site_id}: {n} builds, at most {site.max_builds}")
    for c in cands:
        if c.kind == "build" and c.copy > 0 and c.id in start:
            before = next(m for m in cands if m.site == c.site and m.type == c.type and m.copy == c.copy - 1)
            if before.id not in start or start[before.id] >= start[c.id]:
                out.append(f"{c.id} starts before the copy it follows")
    built = [chosen[index[c.id]] for c in cands if c.kind == "build" and c.id in start]
    for c, room, per_place in fill_rooms(coefficients):
        added = sum((o.places[c] * per_place for o in built if c in o.places), np.zeros(len(room)))
        over = np.flatnonzero(added > room + 1e-6)
        if over.size:
            cell = coefficients.cells[c]
            out.append(
                f"{cell.service} in {cell.zone}: new builds leave utilisation below "
                f"{spec.min_utilisation[cell.service]:.0%} from {int(coefficients.stock_years[over[0]])}"
            )
    years = [int(y) for y in coefficients.years]
    for limit in spec.build_limits:
        for zone, members in _limited(plan, cands, limit).items():
            for first in years:
                n = sum(1 for c in members if c.id in start and first <= start[c.id] < first + limit.years)
                if n > limit.max_builds:
                    out.append(f"{limit.service} in {zone}: {n} builds from {first} within {limit.years} years")
                    break
    return out
