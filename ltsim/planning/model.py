"""The planning MILP: the sequencing model plus the plan's own rules (sites, copies, build limits).

Variables and the other families are :class:`~ltsim.optimize.milp.SequencingModel`'s; a plan's
candidates are optional projects whose options are their start years. Added here:

- **site**: Σ builds started on a site ≤ its ``max_builds``;
- **copies**: copy ``k+1`` of a type on a site starts only after copy ``k`` has started
  (``started_{k+1}(t) ≤ started_k(t − 1)``), which removes symmetric solutions;
- **build limits**: in any ``years`` consecutive years at most ``max_builds`` new builds of the
  service start in a zone (or in the named zone).

:func:`rule_breaches` checks the same rules for a schedule found without the solver (greedy,
brute force), so every schedule is judged by one set of rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
        for n, limit in enumerate(spec.build_limits):
            for zone, members in _limited(plan, self.candidates, limit).items():
                for first in years:
                    last = first + limit.years - 1
                    starts = self.pulp.lpSum(self._starts(index[c.id], last, first) for c in members)
                    self._add(starts <= limit.max_builds, f"limit_{n}_{zone}_{first}")


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
    years = [int(y) for y in coefficients.years]
    for limit in spec.build_limits:
        for zone, members in _limited(plan, cands, limit).items():
            for first in years:
                n = sum(1 for c in members if c.id in start and first <= start[c.id] < first + limit.years)
                if n > limit.max_builds:
                    out.append(f"{limit.service} in {zone}: {n} builds from {first} within {limit.years} years")
                    break
    return out
