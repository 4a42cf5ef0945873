"""Optimal sequencing of deferrable projects (PuLP MILP): keep the debt ratio under its ceiling.

Decision: ``x[p, s] = 1`` if candidate project ``p`` starts in year ``s`` (one option per start
year in its window, planned start − ``max_advance_years`` … + ``max_deferral_years``, within
earliest start and latest completion). Candidates are the projects that are not mandatory and
have not started before the base year (``shift_mandatory`` adds the mandatory ones); the others
stay as the scenario plans them.

Coefficients come from the pipeline's own models, one source of truth:

- the *base* is the scenario with every candidate left out: its population, demand, capacity
  (facility register + fixed projects), project spend and finance (net debt, NDR, revenue);
- each option ``(p, s)`` is simulated by the project model (completion year, spend profile),
  its capacity enters the ledger exactly as ``register_with_projects`` does, and the finance
  model is run on base + that option alone; its *marginal* debt, NDR, interest and spend paths
  are the option's coefficients.

The MILP adds the marginal paths of the chosen options to the base (superposition). The finance
model is linear in a project's spend where instalments follow a serial/annuity schedule, own
financing is a share and no grant exceeds a year's need; the § 14-18 minimum and the spread of a
year's borrowing over asset lives are not linear. So every solution is checked by running the full
pipeline on the chosen schedule: where the real debt ratio breaks the ceiling, that year's
ceiling is tightened (by the excess plus the slack the schedule had there, so the schedule must
change) and the MILP re-solved, at most ``MAX_REPAIRS`` times. The optimum's ``debt_ratio``
breaches are the years the finance model finds over the ceiling on the chosen schedule.

Housing switch (``optimize.housing`` or ``ltsim optimize --move-housing``): the completion years
of housing developments become decisions too. Binary ``h[d, k] = 1`` if development ``d`` is
completed ``k`` years later than the programme (``k`` in −max_advance … +max_deferral; all of a
development's completions move together; past the horizon they drop out). Each option is run
through population, demand/capacity and finance against the programme as written; its marginal
paths enter where a housing move acts: the gap of each (service, zone, year) (``u ≥ gap +
Σ Δgap · h − places · x``: demand and capacity add exactly, the projection being linear in its
inflows without control totals), net debt and NDR, and gross operating revenue — which moves the
ceiling, so the debt row reads ``debt + Σ (Δdebt − ratio · Δrevenue) · h ≤ ratio · revenue``.
A moved dwelling-year costs ``penalty_per_dwelling_year`` in the objective. A development under
sequencing rules (``after_projects`` / ``not_before`` / ``max_dwellings_per_year``) moves by the
year ``s`` its release may start (its queue then released at the yearly pace, as the rule engine
does), and waits for its projects by constraint: released by ``s`` ≤ project in service by ``s``
(``define_housing_waits``); a start later than the rules require is written back as
``not_before``. Developments with gap rules, and those a project waits for, are not moved: the
base takes them as the pipeline releases them under the plan's projects. Without the switch,
housing stays as the scenario sets it (``population.housing.defer`` replays a chosen schedule).

Confidence (``optimize.confidence``): the schedule is chosen on the plan, so it sits on the
ceiling while projects run late and over budget. The optimised plan is then run by Monte Carlo
(the scenario's delay and overrun distributions) and, where the debt ratio's quantile breaks the
ceiling in a year the MILP keeps under it, that year's ceiling is lowered and the schedule solved
and checked again; the result carries the probability of staying within the ceiling per year.

``max_shortfall_places`` (service → places): in every zone and year a decision can change, places
short ≤ the limit, or — where no single choice could get below it — ≤ the least any choice leaves
(``shortfall_limits``); a shortfall nothing can change is a constant, not a breach. Elastic like
the other rules.

Constraints (one function each): one start per candidate (or none where dropping is allowed),
exclusive variants, dependencies (start after the predecessor is in service), debt ratio ≤
ceiling every year, optionally NDR ≥ floor, yearly spend ≤ a cap, concurrent projects ≤ a cap.
In elastic mode each of these rules has a non-negative breach variable with a large penalty, so
an impossible ceiling returns the schedule with the smallest weighted breach and names the
years and rules that cannot be met.

Objective: Σ weight_v · unmet place-years (places short, per service, zone and year) +
deferral penalty · |start − planned| (+ the rest of the horizon for a dropped project) +
housing penalty · dwelling-years moved + cost weight · interest paid over the horizon
[NOK million] + breach penalty · rule breaches (NOK million over the ceiling, …) + shortfall penalty ·
place-years over a shortfall limit (lower by default: the debt ceiling gives way last).

Formulations (``solve_milp(formulation=…)``; all have the same integer solutions and the same
objective on each; tests/test_optimize_synthetic.py checks them against brute force):

- ``basic``: binaries ``x[p, s]``; a dependency is ``x[B, s] ≤ Σ x[A, j]`` over A's options
  complete by ``s``, one row per option of B; unmet ``u ≥ gap − Σ places · x``.
- ``strengthened`` (the default): the same variables with two tighter families. Dependencies on
  the aggregated starts, ``started_B(t) = Σ_{s ≤ t} x[B, s] ≤ in_service_A(t)`` for each start
  year ``t`` of B (implies the basic rows, cuts off fractional points they allow); and the
  capacity cover of each unmet row with every option's places capped at the gap,
  ``u ≥ gap − Σ min(places, gap) · x`` where no option removes places (the same
  ``max(0, gap − added)`` at every integer point; a fraction of a large project no longer covers
  a small gap in the LP).
- ``aggregated``: the strengthened rows on "started by year ``s``" binaries ``y[p, s]``
  (``x = y[s] − y[s−1]``, every row telescoped), so branching splits a project's start window
  in two. The same LP bound as ``strengthened``.

A warm start (``warm_start=True``, the default) hands the solver the greedy rule's schedule,
made to respect the dependencies (``warm_start_schedule``), with the unmet and breach values it
implies: CBC through PuLP's ``warmStart`` (an MIP start file); HiGHS through
``Highs.setSolution`` before the run, since PuLP 3.3's in-process ``HiGHS`` class has no
``warmStart`` (only ``HiGHS_CMD`` does).

Measured (benchmarks/bench_optimize.py, 2 cores; solve seconds, model build ≈ 0.01 s Asker,
0.12 s synthetic): Asker (23 candidates, 138 options) is proven optimal by every formulation in
0.09–0.16 s with HiGHS and 0.2–0.9 s with CBC (coefficients from the pipeline: 0.5 s). The
synthetic 300-project, 40-zone, 25-year instance (1800 options) reaches ≤ 1 % in 0.3–0.5 s with
HiGHS, 0.3–1.6 s with CBC; HiGHS proves optimality (0.01 %) in 3–5 s with ``basic`` or
``strengthened``, 16–28 s with ``aggregated``; CBC does not within 60 s (0.03 % left). The
strengthened rows raise the LP bound (19150.9 → 19153.7; the dependency rows 1.2 of it, the
capped cover 1.6) — little here, because most of the objective is unmet places no schedule can
avoid; without the capped cover HiGHS took 11.5 s. The ``y`` variables give the same bound but
slow HiGHS down (its heuristics and presolve handle the order rows worse); the warm start does not
change the optimum and saves HiGHS 0–40 % of the time, while on Asker it costs CBC 0.3 s (the
start file). Hence the defaults: ``strengthened`` with a warm start on HiGHS, which is faster than
CBC on every instance measured (on Asker CBC's time is mostly writing and reading the MPS and
solution files: it runs as a subprocess, HiGHS in-process) and alone proves the large instance
optimal; CBC stays available (``solver="cbc"``) as a second opinion.

Explanations: the years in which the debt ceiling binds; the value of one more percentage point
of ceiling, found by re-solving with the ceiling + 0.01 (not from duals: with integer choices
a dual is not a price); deferrals against the planned programme; and a greedy rule (defer the
latest-needed project a year at a time until the ceiling holds) solved on the same coefficients,
so finance sees what optimisation buys.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ltsim import pipeline
from ltsim.optimize.coefficients import (
    Cell,
    Coefficients,
    HousingOption,
    Option,
    build,
    candidates_of,
    movable_developments,
)
from ltsim.optimize.coefficients import optimize_spec as _spec
from ltsim.optimize.evaluation import (
    BREACH_TOLERANCE,
    TOLERANCE,
    Solution,
    evaluate,
    predicted,
    reachable_cells,
    shortfall_limits,
)
from ltsim.scenario import Scenario

__all__ = [
    "BREACH_TOLERANCE",
    "TOLERANCE",
    "Cell",
    "Coefficients",
    "HousingOption",
    "Option",
    "Solution",
    "build",
    "candidates_of",
    "evaluate",
    "movable_developments",
    "predicted",
    "reachable_cells",
    "shortfall_limits",
]

MAX_REPAIRS = 8
MAX_CONFIDENCE_ROUNDS = 6
SOLVERS = ("highs", "cbc")
DEFAULT_SOLVER = "highs"
FORMULATIONS = ("strengthened", "aggregated", "basic")
DEFAULT_FORMULATION = "strengthened"


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    """The optimal schedule, how it was found, and what it means."""

    solution: Solution
    coefficients: Coefficients
    solver: str
    repairs: int
    ceilings: np.ndarray  # [Y] ceiling per year after repairs, with the chosen housing's revenue (NOK million)
    binding_years: tuple[int, ...]
    value_of_one_point: float | None  # change in the objective with the ceiling + 1 pp
    value_of_one_point_place_years: float | None
    greedy: Solution | None
    plan: Solution
    verified_debt_mnok: np.ndarray
    predicted_debt_mnok: np.ndarray
    optimized: Any  # the pipeline RunResult of the chosen schedule
    overrides: dict[str, Any]
    effects: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)  # see choice_effects
    confidence: dict[str, Any] | None = None  # with optimize.confidence: the Monte Carlo check (see optimize)


# ------------------------------------------------------------------------------------------- MILP


def _name(text: str) -> str:
    """A PuLP-safe name: [A-Za-z0-9_] only (PuLP rewrites others silently, which can merge names)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


class _Model:
    """The MILP, one method per constraint family (formulations: see the module docstring).

    ``basic``: one binary ``x[p, s]`` per option, dependencies option by option, the unmet rows
    with the options' places as they are. ``strengthened``: the same variables, dependencies as
    ``started_B(t) ≤ in_service_A(t)`` for every start year ``t`` of B and the unmet rows' place
    coefficients capped at the gap. ``aggregated``: the strengthened rows on binaries ``y[p, s]``
    = "started by year ``s``" (non-decreasing in ``s``; ``x[p, s] = y[p, s] − y[p, s−1]``, every
    row telescoped). All three have the same integer solutions with the same objective.
    """

    cap_cover = True  # strengthened/aggregated: cap the unmet coefficients at the gap (the bench switches it off)

    def __init__(
        self,
        co: Coefficients,
        ceilings: np.ndarray,
        formulation: str = DEFAULT_FORMULATION,
        ceiling_ratio: float | None = None,
    ) -> None:
        import pulp

        if formulation not in FORMULATIONS:
            raise ValueError(f"unknown formulation {formulation!r}; expected one of {', '.join(FORMULATIONS)}")
        self.pulp = pulp
        self.co = co
        self.spec = co.scenario.config.optimize
        self.ceilings = ceilings
        # the ceiling as a share of revenue: a housing move changes revenue, hence the ceiling
        self.ratio = self.spec.debt_ratio_ceiling if ceiling_ratio is None else ceiling_ratio
        self.aggregated = formulation == "aggregated"  # y variables
        self.strong = formulation != "basic"  # the aggregated dependency rows and the capped cover
        self.prob = pulp.LpProblem("ltsim_sequencing", pulp.LpMinimize)
        self.names: set[str] = set()
        self.by_project: dict[int, list[int]] = {}
        for i, o in enumerate(co.options):
            self.by_project.setdefault(o.project, []).append(i)
        for opts in self.by_project.values():
            opts.sort(key=lambda i: co.options[i].start_year)
        prefix = "y" if self.aggregated else "x"
        ids = co.scenario.projects.ids
        self.var = {
            i: self._var(f"{prefix}_{ids[o.project]}_{o.start_year}", cat="Binary") for i, o in enumerate(co.options)
        }
        devs = co.developments
        self.by_development: dict[int, list[int]] = {}
        for j, h in enumerate(co.housing_options):
            self.by_development.setdefault(h.development, []).append(j)
        self.hvar = {
            j: self._var(
                f"h_{devs[h.development]}_{'m' if h.shift_years < 0 else ''}{abs(h.shift_years)}", cat="Binary"
            )
            for j, h in enumerate(co.housing_options)
        }
        self.breach: dict[str, Any] = {}
        self.breach_info: dict[str, dict[str, Any]] = {}
        self.objective_terms: list[Any] = []
        self.unmet: dict[tuple[int, int], Any] = {}
        self.implied: list[tuple[Any, Any]] = []  # (continuous variable, expression it equals at least) for a start

    def _var(self, name: str, cat: str = "Continuous", low: float | None = 0.0) -> Any:
        name = _name(name)
        if name in self.names:
            raise ValueError(f"duplicate variable name {name!r}")
        self.names.add(name)
        if hasattr(self.prob, "add_variable"):  # PuLP ≥ 3.3: variables belong to their problem
            return self.prob.add_variable(name, lowBound=low, cat=cat)
        return self.pulp.LpVariable(name, lowBound=low, cat=cat)

    def _elastic(self, key: str, excess: Any, **info: Any) -> Any:
        """The breach variable of a rule (0 when not elastic); ``excess`` is how far the rule is broken.

        ``info`` (rule, year, …) describes the breach in the solution.
        """
        if not self.spec.elastic:
            return 0
        var = self._var(f"breach_{key}")
        self.breach[key] = var
        self.breach_info[key] = info
        self.implied.append((var, excess))
        return var

    def _add(self, constraint: Any, name: str) -> None:
        name = _name(name)
        if name in self.names:
            raise ValueError(f"duplicate constraint name {name!r}")
        self.names.add(name)
        self.prob += constraint, name

    def _lin(self, coef: dict[int, float]) -> Any:
        """Σ coef[i] · x[i] over options, written on the model's variables.

        Aggregated: a project's options ``k = 0 … K−1`` in start order contribute
        Σ_k (c_k − c_{k+1}) · y_k with c_K = 0, so equal neighbouring coefficients cancel.
        """
        if not self.aggregated:
            return self.pulp.LpAffineExpression([(self.var[i], c) for i, c in coef.items() if c != 0])
        terms = []
        for p in dict.fromkeys(self.co.options[i].project for i in coef):
            opts = self.by_project[p]
            for k, i in enumerate(opts):
                diff = coef.get(i, 0.0) - (coef.get(opts[k + 1], 0.0) if k + 1 < len(opts) else 0.0)
                if abs(diff) > 1e-12:
                    terms.append((self.var[i], diff))
        return self.pulp.LpAffineExpression(terms)

    def _ones(self, options: Any) -> Any:
        return self._lin(dict.fromkeys(options, 1.0))

    def _hlin(self, coef: dict[int, float]) -> Any:
        """Σ coef[j] · h[j] over housing options."""
        return self.pulp.LpAffineExpression([(self.hvar[j], c) for j, c in coef.items() if c != 0])

    def x_value(self, i: int) -> float:
        """The value of ``x[i]`` (option ``i`` chosen) in the solution."""
        value = self.var[i].value() or 0.0
        if self.aggregated:
            opts = self.by_project[self.co.options[i].project]
            k = opts.index(i)
            if k:
                value -= self.var[opts[k - 1]].value() or 0.0
        return value

    def define_one_start(self) -> None:
        """Each candidate starts once; only where dropping is allowed may it not start at all."""
        data = self.co.scenario.projects
        for p in self.co.candidates:
            opts = self.by_project.get(p, [])
            if self.aggregated:  # started by s ⇒ started by every later s
                for before, after in itertools.pairwise(opts):
                    self._add(
                        self.var[before] <= self.var[after],
                        f"order_{data.ids[p]}_{self.co.options[after].start_year}",
                    )
            total = self._ones(opts)
            grouped = data.exclusive_group[p] is not None
            if self.spec.allow_drop or grouped:
                self._add(total <= 1, f"start_{data.ids[p]}")
            else:
                self._add(total == 1, f"start_{data.ids[p]}")

    def define_housing_choice(self) -> None:
        """Each movable development takes exactly one shift (0: as the programme sets it)."""
        for d, opts in self.by_development.items():
            self._add(self.pulp.lpSum(self.hvar[j] for j in opts) == 1, f"housing_{self.co.developments[d]}")

    def define_housing_waits(self) -> None:
        """A development under ``after_projects`` starts releasing only once its projects are in service.

        For each start year ``s`` of the development: released by ``s`` ≤ the project in service by
        ``s`` (Σ of the development's options starting ≤ s ≤ Σ of the project's options complete ≤ s).
        """
        hopts = self.co.housing_options
        for d, waits in self.co.housing_waits.items():
            mine = sorted(self.by_development[d], key=lambda j: hopts[j].first_year)
            for j in mine:
                start = hopts[j].first_year
                released = self.pulp.lpSum(self.hvar[k] for k in mine if hopts[k].first_year <= start)
                for p in waits:
                    ready = self._ones(
                        i for i in self.by_project.get(p, []) if self.co.options[i].completion_year <= start
                    )
                    pid = self.co.scenario.projects.ids[p]
                    self._add(released <= ready, f"wait_{self.co.developments[d]}_{start}_{pid}")

    def define_exclusive(self) -> None:
        """Exactly one variant of each exclusive group is built (at most one where dropping is allowed)."""
        data = self.co.scenario.projects
        groups: dict[str, list[int]] = {}
        for p in self.co.candidates:
            if data.exclusive_group[p] is not None:
                groups.setdefault(data.exclusive_group[p], []).append(p)
        for group, members in groups.items():
            total = self._ones(i for p in members for i in self.by_project.get(p, []))
            self._add(total <= 1 if self.spec.allow_drop else total == 1, f"variant_{group}")

    def define_dependencies(self) -> None:
        """A project starts only after its predecessors are in service (fixed predecessors: by construction).

        Basic: ``x[B, s] ≤ Σ x[A, j]`` over A's options complete by ``s``, for each option of B.
        Aggregated: ``started_B(t) ≤ in_service_A(t)`` for each start year ``t`` of B — it implies
        the basic rows and cuts off fractional points they allow.
        """
        data = self.co.scenario.projects
        opts = self.co.options
        cand = set(self.co.candidates)
        for b in self.co.candidates:
            for a in data.inputs.depends_on[b]:
                if a not in cand:
                    continue
                for i in self.by_project.get(b, []):
                    start_b = opts[i].start_year
                    ready = self._ones(j for j in self.by_project.get(a, []) if opts[j].completion_year <= start_b)
                    started = (
                        self._ones(k for k in self.by_project[b] if opts[k].start_year <= start_b)
                        if self.strong
                        else self.var[i]
                    )
                    self._add(started <= ready, f"dep_{data.ids[b]}_{start_b}_{data.ids[a]}")
        # a fixed project that waits for a candidate: the candidate must be in service in time
        for f in range(len(data.ids)):
            if f in cand or not data.inputs.included[f]:
                continue
            for a in data.inputs.depends_on[f]:
                if a in cand:
                    start_f = int(data.planned_start_year[f])
                    ready = self._ones(j for j in self.by_project.get(a, []) if opts[j].completion_year <= start_f)
                    self._add(ready == 1, f"dep_fixed_{data.ids[f]}_{data.ids[a]}")

    def define_debt_ceiling(self) -> None:
        """Net debt ≤ ceiling × gross operating revenue, every year."""
        for t, year in enumerate(self.co.years):
            debt = self.co.debt_mnok[t] + self._lin(
                {i: o.debt_mnok[t] for i, o in enumerate(self.co.options) if abs(o.debt_mnok[t]) > 1e-9}
            )
            # a housing move changes the debt and the revenue the ceiling is a share of
            debt += self._hlin(
                {j: h.debt_mnok[t] - self.ratio * h.revenue_mnok[t] for j, h in enumerate(self.co.housing_options)}
            )
            excess = debt - self.ceilings[t]
            row = debt - self._elastic(f"debt_{year}", excess, rule="debt_ratio", year=int(year)) <= self.ceilings[t]
            self._add(row, f"debt_{year}")

    def define_ndr_floor(self) -> None:
        """Netto driftsresultat ≥ floor × gross operating revenue, every year (if a floor is set)."""
        if self.spec.ndr_floor is None:
            return
        for t, year in enumerate(self.co.years):
            ndr = self.co.ndr_mnok[t] + self._lin(
                {i: o.ndr_mnok[t] for i, o in enumerate(self.co.options) if abs(o.ndr_mnok[t]) > 1e-9}
            )
            ndr += self._hlin(
                {
                    j: h.ndr_mnok[t] - self.spec.ndr_floor * h.revenue_mnok[t]
                    for j, h in enumerate(self.co.housing_options)
                }
            )
            floor = self.spec.ndr_floor * self.co.revenue_mnok[t]
            breach = self._elastic(f"ndr_{year}", floor - ndr, rule="net_operating_result", year=int(year))
            self._add(ndr + breach >= floor, f"ndr_{year}")

    def define_delivery(self) -> None:
        """Yearly spend and the number of projects under way stay within the organisation's capacity."""
        if self.spec.max_spend_mnok is not None:
            cap = self.spec.max_spend_mnok.at(self.co.years)
            for t, year in enumerate(self.co.years):
                spend = self.co.spend_mnok[t] + self._lin(
                    {i: o.spend_mnok[t] for i, o in enumerate(self.co.options) if o.spend_mnok[t] > 1e-9}
                )
                breach = self._elastic(f"spend_{year}", spend - cap[t], rule="spend", year=int(year))
                self._add(spend - breach <= cap[t], f"spend_{year}")
        if self.spec.max_concurrent is not None:
            for t, year in enumerate(self.co.years):
                busy = self.co.fixed_under_way[t] + self._ones(
                    i for i, o in enumerate(self.co.options) if o.start_year <= year < o.completion_year
                )
                cap = self.spec.max_concurrent
                breach = self._elastic(f"concurrent_{year}", busy - cap, rule="concurrent", year=int(year))
                self._add(busy - breach <= cap, f"concurrent_{year}")

    def define_unmet(self) -> None:
        """Places short per service, zone and year: u ≥ gap + housing moves' effect − added places, u ≥ 0.

        Strengthened/aggregated: where no option removes places, each option's places count at
        most up to the largest gap any housing choice can make (``min(places, worst gap)``): the
        same ``max(0, gap − added)`` at every integer point, a tighter LP (a fraction of a large
        project no longer covers a small gap). ``max_shortfall_places`` bounds u (see
        :func:`shortfall_limits`).
        """
        limits = shortfall_limits(self.co)
        for (c, u), (options, moves, worst, negative) in reachable_cells(self.co).items():
            cell = self.co.cells[c]
            year = int(self.co.stock_years[u])
            cap = worst if self.strong and self.cap_cover and not negative else np.inf
            var = self._var(f"unmet_{cell.service}_{cell.zone}_{year}")
            need = cell.gap[u] + self._hlin({j: float(self.co.housing_options[j].gap[c][u]) for j in moves})
            added = self._lin({i: min(float(self.co.options[i].places[c][u]), cap) for i in options})
            self._add(var >= need - added, f"short_{cell.service}_{cell.zone}_{year}")
            self.unmet[(c, u)] = var
            self.implied.append((var, need - added))
            self.objective_terms.append(cell.weight * var)
            if (c, u) in limits:
                limit = limits[(c, u)]
                key = f"shortfall_{cell.service}_{cell.zone}_{year}"
                info = {"rule": "shortfall", "year": year, "service": cell.service, "zone": cell.zone}
                breach = self._elastic(key, var - limit, **info)
                self._add(var - breach <= limit, f"max_{key}")

    def define_objective(self) -> None:
        """Weighted unmet place-years + deferral penalty + cost weight × interest + breach penalty."""
        spec = self.spec
        end = int(self.co.years[-1]) + 1
        data = self.co.scenario.projects
        self.objective_terms.append(
            self._lin(
                {
                    i: spec.deferral_penalty * abs(o.deferral_years) + spec.cost_weight * o.interest_mnok
                    for i, o in enumerate(self.co.options)
                }
            )
        )
        if self.co.housing_options:
            penalty = spec.housing.penalty_per_dwelling_year
            self.objective_terms.append(
                self._hlin(
                    {
                        j: penalty * h.dwelling_years + spec.cost_weight * h.interest_mnok
                        for j, h in enumerate(self.co.housing_options)
                    }
                )
            )
        if spec.allow_drop:
            for p in self.co.candidates:
                dropped = 1 - self._ones(self.by_project.get(p, []))
                if data.exclusive_group[p] is None:
                    self.objective_terms.append(spec.deferral_penalty * (end - self.co.plan_start[p]) * dropped)
        for key, var in self.breach.items():
            shortfall = self.breach_info[key]["rule"] == "shortfall"
            self.objective_terms.append((spec.shortfall_penalty if shortfall else spec.breach_penalty) * var)
        self.prob += self.pulp.lpSum(self.objective_terms)

    def set_start(self, chosen: dict[int, Option | None], housing: dict[int, HousingOption] | None = None) -> None:
        """A schedule as the solver's starting point: the decision variables, then what they imply.

        ``housing``: each development's move (default: the programme as written).
        """
        for j, h in enumerate(self.co.housing_options):
            pick = (housing or {}).get(h.development)
            self.hvar[j].setInitialValue(float(h is pick if pick is not None else h.shift_years == 0))
        index = {id(o): i for i, o in enumerate(self.co.options)}
        for p, opts in self.by_project.items():
            o = chosen.get(p)
            pick = index.get(id(o), -1) if o is not None else -1
            started = False
            for i in opts:
                started = started or i == pick
                value = float(started) if self.aggregated else float(i == pick)
                self.var[i].setInitialValue(value)
        for var, expression in self.implied:
            value = self.pulp.value(expression)
            var.setInitialValue(max(0.0, float(value or 0.0)))

    def solve(
        self, solver: str, time_limit: float | None, gap: float | None, warm: bool = False
    ) -> tuple[str, float, float | None]:
        pulp = self.pulp
        log = None
        if solver == "highs":
            engine = _highs(pulp, warm)(msg=False, timeLimit=time_limit, gapRel=gap)
        elif solver == "cbc":
            handle, log = tempfile.mkstemp(suffix=".log", prefix="ltsim_cbc_")
            os.close(handle)
            with warnings.catch_warnings():  # PuLP 3.3 deprecates the bundled CBC for PuLP 4.0
                warnings.simplefilter("ignore", DeprecationWarning)
                engine = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=gap, warmStart=warm, logPath=log)
        else:
            raise ValueError(f"unknown solver {solver!r}; expected one of {', '.join(SOLVERS)}")
        tick = time.perf_counter()
        try:
            with _quiet_stdout():  # HiGHS prints its banner even with msg=False
                self.prob.solve(engine)
            seconds = time.perf_counter() - tick
            mip_gap = None
            if solver == "highs":
                with contextlib.suppress(Exception):
                    mip_gap = float(self.prob.solverModel.getInfo().mip_gap)
            elif log is not None:
                mip_gap = _cbc_gap(Path(log).read_text(errors="replace"))
        finally:
            if log is not None:
                with contextlib.suppress(OSError):
                    os.unlink(log)
        status = pulp.LpStatus[self.prob.status]
        if status == "Optimal" and self.prob.sol_status == pulp.LpSolutionIntegerFeasible:
            status = "Feasible"  # stopped (time limit) with a schedule but without proof
        if mip_gap is not None and not np.isfinite(mip_gap):
            mip_gap = None
        return status, seconds, mip_gap


def _highs(pulp: Any, warm: bool) -> Any:
    """PuLP's HiGHS (highspy, in-process); with ``warm`` the variables' initial values go in as a start.

    PuLP 3.3's ``HiGHS`` class has no ``warmStart`` (only ``HiGHS_CMD`` does, via a file), so the
    start is handed to ``Highs.setSolution`` just before ``run``.
    """

    class _HiGHS(pulp.HiGHS):  # type: ignore[misc, name-defined]
        def callSolver(self, lp: Any) -> None:  # noqa: N802 (PuLP's name)
            if warm:
                import highspy

                variables = lp.variables()
                values = [0.0] * len(variables)
                for var in variables:
                    values[var.index] = float(var.varValue or 0.0)
                start = highspy.HighsSolution()
                start.col_value = values
                start.value_valid = True
                lp.solverModel.setSolution(start)
            super().callSolver(lp)

    return _HiGHS


def _cbc_gap(log: str) -> float | None:
    """The relative gap at the end of CBC's log: (objective − lower bound) / |objective|.

    CBC's own "Gap:" line has two decimals only.
    """
    value = re.search(r"^Objective value:\s*([-+0-9.eE]+)", log, re.MULTILINE)
    bound = re.search(r"^Lower bound:\s*([-+0-9.eE]+)", log, re.MULTILINE)
    if value and bound:
        v, b = float(value.group(1)), float(bound.group(1))
        return max(0.0, v - b) / max(abs(v), 1e-9)
    if re.search(r"^Result - Optimal solution found\s*$", log, re.MULTILINE):
        return 0.0
    return None


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence writes to file descriptor 1 (C-level output of solvers) for the duration."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def solve_milp(
    co: Coefficients,
    ceilings: np.ndarray,
    solver: str = DEFAULT_SOLVER,
    time_limit: float | None = None,
    gap: float | None = None,
    formulation: str = DEFAULT_FORMULATION,
    warm_start: bool = True,
    ceiling_ratio: float | None = None,
) -> Solution:
    """Build and solve the MILP for the given yearly ceilings [NOK million].

    ``formulation``: see ``_Model`` (default "strengthened"); ``warm_start``: hand the solver the
    greedy rule's schedule, made feasible for the dependencies, as a start. ``ceiling_ratio``: the
    ceiling as a share of revenue, for the revenue a housing move adds (default: the scenario's).
    """
    tick = time.perf_counter()
    model = _Model(co, ceilings, formulation, ceiling_ratio)
    model.define_one_start()
    model.define_housing_choice()
    model.define_housing_waits()
    model.define_exclusive()
    model.define_dependencies()
    model.define_debt_ceiling()
    model.define_ndr_floor()
    model.define_delivery()
    model.define_unmet()
    model.define_objective()
    model_s = time.perf_counter() - tick
    tick = time.perf_counter()
    start = warm_start_schedule(co, ceilings) if warm_start else None
    if start is not None:
        model.set_start(start, housing_start(co, start))
    start_s = time.perf_counter() - tick
    status, seconds, mip_gap = model.solve(solver, time_limit, gap, warm=start is not None)
    if status == "Infeasible":
        raise RuntimeError(
            "no schedule meets every rule (the ceiling cannot be held with the options allowed); "
            "set optimize.elastic: true to get the schedule with the smallest breach"
            + (
                "; or a housing development waits for a project that cannot be in service within its "
                "moves (optimize.housing.max_deferral_years, or a project that may be dropped)"
                if co.housing_waits
                else ""
            )
        )
    if status not in ("Optimal", "Feasible"):
        raise RuntimeError(f"the solver found no schedule ({status}); allow more time (time_limit)")
    chosen: dict[int, Option | None] = {p: None for p in co.candidates}
    for i, o in enumerate(co.options):
        if model.x_value(i) > 0.5:
            chosen[o.project] = o
    housing = {h.development: h for j, h in enumerate(co.housing_options) if (model.hvar[j].value() or 0.0) > 0.5}
    solution = evaluate(co, chosen, ceilings, housing, ceiling_ratio)
    breaches = []
    other = 0.0
    for key, var in model.breach.items():
        value = var.value() or 0.0
        if value > BREACH_TOLERANCE:
            info = model.breach_info[key]
            breaches.append({**info, "excess": float(value)})
            if info["rule"] not in ("debt_ratio", "shortfall"):
                other += co.scenario.config.optimize.breach_penalty * value
    solution.breaches = breaches
    # evaluate() counts the debt and shortfall breaches; the other rules' breaches come from the MILP
    solution.objective += other
    solution.status = status
    solution.gap = mip_gap
    solution.solve_s = seconds
    solution.model_s = model_s
    solution.start_s = start_s
    return solution


def warm_start_schedule(co: Coefficients, ceilings: np.ndarray) -> dict[int, Option | None] | None:
    """The greedy rule's schedule made to respect the dependencies (a start for the solver), or None.

    A successor that would start before its predecessor is in service moves to its first start
    after; a candidate a fixed project waits for moves to its last option ready in time. None when
    no such move exists (the solver then starts from scratch).
    """
    data = co.scenario.projects
    chosen = dict(greedy(co, ceilings).chosen)
    options_of: dict[int, list[Option]] = {}
    for o in co.options:
        options_of.setdefault(o.project, []).append(o)
    for opts in options_of.values():
        opts.sort(key=lambda o: o.start_year)
    cand = set(co.candidates)
    for _ in range(len(co.candidates) + 1):
        moved = False
        for f in range(len(data.ids)):
            if f in cand or not data.inputs.included[f]:
                continue
            for a in data.inputs.depends_on[f]:
                o = chosen.get(a)
                start_f = int(data.planned_start_year[f])
                if a in cand and (o is None or o.completion_year > start_f):
                    ready = [q for q in options_of.get(a, []) if q.completion_year <= start_f]
                    if not ready:
                        return None
                    chosen[a], moved = ready[-1], True
        for b in co.candidates:
            o = chosen.get(b)
            if o is None:
                continue
            for a in data.inputs.depends_on[b]:
                if a not in cand:
                    continue
                pre = chosen.get(a)
                if pre is None:
                    return None
                if pre.completion_year > o.start_year:
                    later = [q for q in options_of[b] if q.start_year >= pre.completion_year]
                    if not later:
                        return None
                    chosen[b], moved = later[0], True
                    o = later[0]
        if not moved:
            return chosen
    return None


def chosen_move(co: Coefficients, housing: dict[int, HousingOption], d: int) -> HousingOption:
    """Development ``d``'s move in ``housing``, or — where it has none — the option as the scenario sets it."""
    h = housing.get(d)
    return h if h is not None else next(o for o in co.housing_options if o.development == d and o.shift_years == 0)


def _waits_met(co: Coefficients, chosen: dict[int, Option | None], d: int, start: int) -> bool:
    """Whether every project development ``d`` waits for is in service by ``start`` under ``chosen``."""
    return all(chosen.get(p) is not None and chosen[p].completion_year <= start for p in co.housing_waits.get(d, ()))


def housing_ready(co: Coefficients, chosen: dict[int, Option | None], housing: dict[int, HousingOption]) -> bool:
    """Whether every development under ``after_projects`` starts no earlier than its projects are in service."""
    return all(_waits_met(co, chosen, d, chosen_move(co, housing, d).first_year) for d in co.housing_waits)


def housing_start(co: Coefficients, chosen: dict[int, Option | None]) -> dict[int, HousingOption]:
    """A start for the housing variables given a project schedule.

    Each development as the scenario sets it, or — where it waits for a project the schedule
    completes later — its nearest start once the project is in service.
    """
    out: dict[int, HousingOption] = {}
    for d in range(len(co.developments)):
        mine = sorted(
            (h for h in co.housing_options if h.development == d), key=lambda h: (abs(h.shift_years), h.shift_years)
        )
        ready = [h for h in mine if _waits_met(co, chosen, d, h.first_year)]
        out[d] = ready[0] if ready else mine[0]
    return out


def planned_schedule(co: Coefficients) -> dict[int, Option | None]:
    """The programme as written: each candidate at its planned start (the variant the scenario chose)."""
    data = co.scenario.projects
    chosen: dict[int, Option | None] = {}
    for p in co.candidates:
        if not data.inputs.included[p]:
            chosen[p] = None  # a variant the scenario did not choose, or an excluded project
            continue
        opts = sorted(
            (o for o in co.options if o.project == p), key=lambda o: (abs(o.deferral_years), o.deferral_years)
        )
        chosen[p] = opts[0] if opts else None
    return chosen


def greedy(co: Coefficients, ceilings: np.ndarray) -> Solution:
    """Defer the latest-needed project by a year at a time until the debt ceiling holds.

    "Latest-needed": the candidate whose service zone is first short latest (never short = last
    needed of all); ties: the larger debt relief in the first breached year. Stops when the
    ceiling holds or nothing more can be deferred.
    """
    options_of: dict[int, list[Option]] = {}
    for o in co.options:
        options_of.setdefault(o.project, []).append(o)
    chosen = planned_schedule(co)
    first_short = {}
    for c, cell in enumerate(co.cells):
        short = np.flatnonzero(cell.gap > TOLERANCE)
        first_short[c] = int(co.stock_years[short[0]]) if short.size else 10**6
    while True:
        debt = co.debt_mnok + sum((o.debt_mnok for o in chosen.values() if o is not None), np.zeros(len(co.years)))
        over = np.flatnonzero(debt - ceilings > TOLERANCE)
        if not over.size:
            break
        t = over[0]
        moves = []
        for p, o in chosen.items():
            if o is None:
                continue
            later = [q for q in options_of[p] if q.start_year == o.start_year + 1]
            if not later:
                continue
            relief = o.debt_mnok[t] - later[0].debt_mnok[t]
            if relief <= TOLERANCE:
                continue
            need = min((first_short[c] for c in o.places), default=10**6)
            moves.append((-need, -relief, p, later[0]))
        if not moves:
            break
        moves.sort(key=lambda m: (m[0], m[1]))
        _, _, p, nxt = moves[0]
        chosen[p] = nxt
    # housing under sequencing rules waits for its deferred projects, as the rules would make it
    return evaluate(co, chosen, ceilings, housing_start(co, chosen) if co.housing_waits else None)


# ------------------------------------------------------------------------------------------ driver


def choice_effects(co: Coefficients, solution: Solution, ceilings: np.ndarray) -> dict[tuple[str, int], dict[str, Any]]:
    """What each move of the optimum costs and saves, all else as optimised (on the coefficients).

    For every candidate project not at its plan start (key ``("project", p)``) and every housing
    development moved (``("housing", d)``), the move is put back — the project to its plan start
    (the plan's variant of its group), the development as the scenario sets it (or, if it waits for
    a project the optimum defers, its first start once the project is in service) — and the two
    schedules compared: ``place_years_short`` (unmet place-years the move adds; negative: saves),
    ``headroom_gained_mnok`` / ``headroom_year`` (the most the move frees under the debt ceiling in
    any year, NOK million, and that year; 0 if it frees nothing), ``headroom_lost_mnok`` /
    ``headroom_lost_year`` (the most it uses up: a deferred development brings less revenue, so a
    lower ceiling, in its early years), ``interest_saved_mnok`` (over the horizon).
    """
    data = co.scenario.projects

    def figures(chosen: dict[int, Option | None], housing: dict[int, HousingOption]) -> tuple[Solution, np.ndarray]:
        sol = evaluate(co, chosen, ceilings, housing)
        debt, ceiling = predicted(co, sol, ceilings)
        return sol, ceiling - debt

    def compare(cf_chosen: dict[int, Option | None], cf_housing: dict[int, HousingOption]) -> dict[str, Any]:
        other, other_room = figures(cf_chosen, cf_housing)
        gained = room - other_room
        best, worst = int(np.argmax(gained)), int(np.argmin(gained))
        return {
            "place_years_short": ours.unmet_place_years - other.unmet_place_years,
            "headroom_gained_mnok": max(0.0, float(gained[best])),
            "headroom_year": int(co.years[best]) if gained[best] > 0 else None,
            "headroom_lost_mnok": max(0.0, -float(gained[worst])),
            "headroom_lost_year": int(co.years[worst]) if gained[worst] < 0 else None,
            "interest_saved_mnok": other.interest_mnok - ours.interest_mnok,
        }

    ours, room = figures(solution.chosen, solution.housing)
    plan = planned_schedule(co)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for p in co.candidates:
        if solution.chosen.get(p) is plan.get(p):
            continue
        cf = dict(solution.chosen)
        group = data.exclusive_group[p]
        for q in co.candidates:
            if q == p or (group is not None and data.exclusive_group[q] == group):
                cf[q] = plan.get(q)
        out[("project", p)] = compare(cf, solution.housing)
    back = housing_start(co, solution.chosen)
    for d, h in solution.housing.items():
        if back[d] is h:
            continue
        out[("housing", d)] = compare(solution.chosen, {**solution.housing, d: back[d]})
    return out


def overrides_for(co: Coefficients, solution: Solution) -> dict[str, Any]:
    """The schedule as scenario overrides: ``projects.defer``/``exclude``/``variants`` (+ ``population.housing.defer``)."""
    data = co.scenario.projects
    defer = dict(co.scenario.config.projects.defer)
    exclude = list(co.scenario.config.projects.exclude)
    variants = dict(co.scenario.config.projects.variants)
    for p, o in solution.chosen.items():
        pid = data.ids[p]
        if o is None:
            if data.exclusive_group[p] is None and pid not in exclude:
                exclude.append(pid)
            continue
        total = defer.get(pid, 0) + o.start_year - int(data.planned_start_year[p])
        if total:
            defer[pid] = total
        else:
            defer.pop(pid, None)
        if data.exclusive_group[p] is not None:
            variants[data.exclusive_group[p]] = pid
    out: dict[str, Any] = {"projects": {"defer": defer, "exclude": exclude, "variants": variants}}
    if co.developments:
        housing = co.scenario.config.population.housing
        assert housing is not None
        moved = dict(housing.defer)
        rules: dict[str, Any] = {}
        for d, h in solution.housing.items():
            dev = co.developments[d]
            if dev in housing.conditions:  # under sequencing rules: the year release may start
                if h.shift_years:
                    rules[dev] = {"not_before": h.first_year}
                continue
            total = moved.get(dev, 0) + h.shift_years
            if total:
                moved[dev] = total
            else:
                moved.pop(dev, None)
        out["population"] = {"housing": {"defer": moved, **({"conditions": rules} if rules else {})}}
    return out


def run_schedule(scenario: Scenario, overrides: dict[str, Any], name_suffix: str = "-optimized") -> Any:
    """Run the normal pipeline on the scenario with the schedule's overrides laid over it.

    As planned, without drawn delays even where the scenario's projects are stochastic: the schedule
    was chosen on the plan, and the check against the MILP must compare like with like (a Monte
    Carlo of the result, ``ltsim optimize --reps``, draws them).
    """
    return pipeline.run(_with_overrides(scenario, overrides, scenario.name + name_suffix), stochastic=False)


def _with_overrides(scenario: Scenario, overrides: dict[str, Any], name: str | None = None) -> Scenario:
    """The scenario with ``overrides`` laid over it (and renamed), validated and loaded again.

    The resolved scenario (merged, absolute table paths) is the base: a scenario made by a batch
    has no file of its own to reload.
    """
    from ltsim.io.yamlsrc import deep_merge
    from ltsim.scenario import scenario_from_data

    merged, mmap = deep_merge(scenario.resolved(), {}, overrides, {})
    merged = dict(merged)
    if name is not None:
        merged["name"] = name
    return scenario_from_data(merged, mmap, scenario.file)


def with_housing_moves(scenario: Scenario) -> Scenario:
    """The scenario with ``optimize.housing`` switched on (its defaults) if it is not already."""
    if _spec(scenario).housing is not None:
        return scenario
    return _with_overrides(scenario, {"optimize": {"housing": {}}})


@dataclass(slots=True)
class _Checked:
    """A schedule solved, run through the full pipeline and compared with the ceiling."""

    solution: Solution
    overrides: dict[str, Any]
    optimized: Any
    ceilings: np.ndarray
    debt: np.ndarray
    ceiling: np.ndarray
    excess: np.ndarray
    fixable: np.ndarray
    repairs: int


def _solve_checked(
    scenario: Scenario,
    co: Coefficients,
    ceilings: np.ndarray,
    solver: str,
    time_limit: float | None,
    gap: float | None,
) -> _Checked:
    """Solve, run the chosen schedule through the pipeline, tighten where the finance model breaks the ceiling."""
    spec = _spec(scenario)
    repairs = 0
    while True:
        solution = solve_milp(co, ceilings, solver, time_limit, gap)
        overrides = overrides_for(co, solution)
        optimized = run_schedule(scenario, overrides)
        debt, ceiling = predicted(co, solution, ceilings)
        excess = optimized.finance.net_debt_mnok - spec.debt_ratio_ceiling * optimized.finance.revenue_mnok
        fixable = (excess > 1e-3) & (debt <= ceiling + 1e-6)
        if not fixable.any() or repairs >= MAX_REPAIRS:
            return _Checked(solution, overrides, optimized, ceilings, debt, ceiling, excess, fixable, repairs)
        # the predicted debt must come down by the excess: tighten by it plus the slack the schedule had
        ceilings = ceilings - np.where(fixable, (ceiling - debt) + excess + 1e-3, 0.0)
        repairs += 1


def _debt_ratio_draws(scenario: Scenario, optimized: Any, reps: int, workers: int | None) -> np.ndarray:
    """Debt ratio [fraction] of the optimised plan in ``reps`` Monte Carlo replications [R, Y]."""
    from ltsim.montecarlo import run_montecarlo

    mc = run_montecarlo(optimized.scenario, optimized.population.persons, reps, scenario.config.seed, workers)
    assert mc.kpi_values is not None
    return mc.kpi_values[:, mc.kpi_names.index("debt_ratio_pct"), :] / 100.0


def optimize(
    scenario: Scenario,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float | None = None,
    workers: int | None = None,
) -> OptimizeResult:
    """Find the schedule (see the module docstring), check it with the full pipeline, explain it.

    With ``optimize.confidence`` the optimised plan is then run ``confidence_reps`` times with drawn
    delays and overruns; where the debt ratio's ``confidence`` quantile is above the ceiling in a
    year the MILP keeps under it, that year's ceiling is lowered by the excess (plus the schedule's
    slack there, so the schedule must change) and the schedule solved and checked again (at most
    ``MAX_CONFIDENCE_ROUNDS`` times): the ceiling then holds with that probability in every year it
    can; ``confidence`` in the result gives the probability per year. ``workers``: processes for
    those replications.
    """
    spec = _spec(scenario)
    co = build(scenario)
    checked = _solve_checked(scenario, co, spec.debt_ratio_ceiling * co.revenue_mnok, solver, time_limit, gap)
    repairs = checked.repairs
    confidence = None
    if spec.confidence is not None:
        rounds = 0
        while True:
            draws = _debt_ratio_draws(scenario, checked.optimized, spec.confidence_reps, workers)
            quantile = np.quantile(draws, spec.confidence, axis=0)
            over = quantile - spec.debt_ratio_ceiling
            lower = (over > 1e-6) & (checked.debt <= checked.ceiling + 1e-6)
            if not lower.any() or rounds >= MAX_CONFIDENCE_ROUNDS:
                break
            revenue = checked.optimized.finance.revenue_mnok
            slack = checked.ceiling - checked.debt  # as in the repairs: the schedule must change
            ceilings = checked.ceilings - np.where(lower, slack + over * revenue + 1e-3, 0.0)
            checked = _solve_checked(scenario, co, ceilings, solver, time_limit, gap)
            repairs += checked.repairs
            rounds += 1
        within = (draws <= spec.debt_ratio_ceiling + 1e-9).mean(axis=0)
        confidence = {
            "target": spec.confidence,
            "reps": spec.confidence_reps,
            "rounds": rounds,
            "years": [int(y) for y in co.years],
            "probability_within_ceiling": [float(v) for v in within],
            "debt_ratio_quantile_pct": [float(v) * 100.0 for v in quantile],
            "short_of_target_years": [int(y) for y, v in zip(co.years, within, strict=True) if v < spec.confidence],
        }
    solution, overrides, optimized = checked.solution, checked.overrides, checked.optimized
    ceilings, debt, ceiling = checked.ceilings, checked.debt, checked.ceiling
    verified = optimized.finance.net_debt_mnok
    # The debt rule as the finance model finds it on the chosen schedule (the MILP's own rows were against
    # ceilings tightened by the repairs and the confidence rounds): every year over, none that is not.
    solution.breaches = [b for b in solution.breaches if b["rule"] != "debt_ratio"] + [
        {"rule": "debt_ratio", "year": int(co.years[t]), "excess": float(checked.excess[t])}
        for t in np.flatnonzero(checked.excess > BREACH_TOLERANCE)
    ]

    binding = tuple(int(y) for t, y in enumerate(co.years) if debt[t] >= ceiling[t] - max(1e-6, 1e-7 * abs(ceiling[t])))
    value = value_pp = None
    try:
        looser = solve_milp(
            co,
            ceilings + 0.01 * co.revenue_mnok,
            solver,
            time_limit,
            gap,
            ceiling_ratio=spec.debt_ratio_ceiling + 0.01,
        )
        value = looser.objective - solution.objective
        value_pp = looser.unmet_place_years - solution.unmet_place_years
    except RuntimeError:
        pass
    plan = evaluate(co, planned_schedule(co), ceilings)
    rule = greedy(co, ceilings)
    return OptimizeResult(
        solution=solution,
        coefficients=co,
        solver=solver,
        repairs=repairs,
        ceilings=ceiling,
        binding_years=binding,
        value_of_one_point=value,
        value_of_one_point_place_years=value_pp,
        greedy=rule,
        plan=plan,
        verified_debt_mnok=verified,
        predicted_debt_mnok=debt,
        optimized=optimized,
        overrides=overrides,
        effects=choice_effects(co, solution, ceilings),
        confidence=confidence,
    )
