"""The sequencing MILP (PuLP): one ``define_*`` method per constraint family, and ``solve_milp``.

Decision: ``x[p, s] = 1`` if candidate ``p`` starts in year ``s``; ``h[d, k] = 1`` if housing
development ``d`` is moved by ``k`` years. The chosen options' marginal paths add to the base
(superposition, see ``coefficients``).

Formulations (all have the same integer solutions and the same objective on each;
tests/test_optimize_synthetic.py checks them against brute force):

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

Why ``strengthened`` is the default (timings: benchmarks/bench_optimize.py, ``make bench``): the
capped cover raises the LP bound and shortens the proof on the large synthetic instance; the
``y`` variables give the same bound but slow HiGHS down (its heuristics and presolve handle the
order rows worse). A warm start (the greedy rule's schedule, made to respect the dependencies)
does not change the optimum and usually saves HiGHS time.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from ltsim.optimize.coefficients import Coefficients, HousingOption, Option
from ltsim.optimize.evaluation import BREACH_TOLERANCE, Solution, evaluate, reachable_cells, shortfall_limits
from ltsim.optimize.heuristics import housing_start, warm_start_schedule
from ltsim.optimize.solvers import DEFAULT_SOLVER, SolverRun, run_solver

FORMULATIONS = ("strengthened", "aggregated", "basic")
DEFAULT_FORMULATION = "strengthened"
ACTIVE_TOLERANCE = 1e-6  # a row within this share of its right-hand side (at least 1e-6 NOK million) is tight


def safe_name(text: str) -> str:
    """A PuLP-safe name: [A-Za-z0-9_] only (PuLP rewrites others silently, which can merge names)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


class SequencingModel:
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
        coefficients: Coefficients,
        ceilings: np.ndarray,
        formulation: str = DEFAULT_FORMULATION,
        ceiling_ratio: float | None = None,
    ) -> None:
        import pulp

        if formulation not in FORMULATIONS:
            raise ValueError(f"unknown formulation {formulation!r}; expected one of {', '.join(FORMULATIONS)}")
        self.pulp = pulp
        self.coefficients = coefficients
        self.spec = coefficients.scenario.config.optimize
        self.ceilings = ceilings
        # the ceiling as a share of revenue: a housing move changes revenue, hence the ceiling
        self.ceiling_ratio = self.spec.debt_ratio_ceiling if ceiling_ratio is None else ceiling_ratio
        self.aggregated = formulation == "aggregated"  # y variables
        self.strengthened = formulation != "basic"  # the aggregated dependency rows and the capped cover
        self.problem = pulp.LpProblem("ltsim_sequencing", pulp.LpMinimize)
        self.used_names: set[str] = set()
        self.by_project: dict[int, list[int]] = {}  # candidate → its options, in start order
        for i, o in enumerate(coefficients.options):
            self.by_project.setdefault(o.project, []).append(i)
        for opts in self.by_project.values():
            opts.sort(key=lambda i: coefficients.options[i].start_year)
        prefix = "y" if self.aggregated else "x"
        ids = coefficients.scenario.projects.ids
        self.option_var = {
            i: self._var(f"{prefix}_{ids[o.project]}_{o.start_year}", cat="Binary")
            for i, o in enumerate(coefficients.options)
        }
        developments = coefficients.developments
        self.by_development: dict[int, list[int]] = {}  # development → its housing options
        for j, h in enumerate(coefficients.housing_options):
            self.by_development.setdefault(h.development, []).append(j)
        self.housing_var = {
            j: self._var(
                f"h_{developments[h.development]}_{'m' if h.shift_years < 0 else ''}{abs(h.shift_years)}",
                cat="Binary",
            )
            for j, h in enumerate(coefficients.housing_options)
        }
        self.breach_var: dict[str, Any] = {}
        self.breach_info: dict[str, dict[str, Any]] = {}
        self.objective_terms: list[Any] = []
        self.unmet: dict[tuple[int, int], Any] = {}
        self.implied: list[tuple[Any, Any]] = []  # (continuous variable, expression it equals at least) for a start

    def _var(self, name: str, cat: str = "Continuous", low: float | None = 0.0) -> Any:
        name = safe_name(name)
        if name in self.used_names:
            raise ValueError(f"duplicate variable name {name!r}")
        self.used_names.add(name)
        if hasattr(self.problem, "add_variable"):  # PuLP ≥ 3.3: variables belong to their problem
            return self.problem.add_variable(name, lowBound=low, cat=cat)
        return self.pulp.LpVariable(name, lowBound=low, cat=cat)

    def _elastic(self, key: str, excess: Any, **info: Any) -> Any:
        """The breach variable of a rule (0 when not elastic); ``excess`` is how far the rule is broken.

        ``info`` (rule, year, …) describes the breach in the solution.
        """
        if not self.spec.elastic:
            return 0
        var = self._var(f"breach_{key}")
        self.breach_var[key] = var
        self.breach_info[key] = info
        self.implied.append((var, excess))
        return var

    def _add(self, constraint: Any, name: str) -> None:
        name = safe_name(name)
        if name in self.used_names:
            raise ValueError(f"duplicate constraint name {name!r}")
        self.used_names.add(name)
        self.problem += constraint, name

    def _option_sum(self, coef: dict[int, float]) -> Any:
        """Σ coef[i] · x[i] over options, written on the model's variables.

        Aggregated: a project's options ``k = 0 … K−1`` in start order contribute
        Σ_k (c_k − c_{k+1}) · y_k with c_K = 0, so equal neighbouring coefficients cancel.
        """
        if not self.aggregated:
            return self.pulp.LpAffineExpression([(self.option_var[i], c) for i, c in coef.items() if c != 0])
        terms = []
        for p in dict.fromkeys(self.coefficients.options[i].project for i in coef):
            opts = self.by_project[p]
            for k, i in enumerate(opts):
                diff = coef.get(i, 0.0) - (coef.get(opts[k + 1], 0.0) if k + 1 < len(opts) else 0.0)
                if abs(diff) > 1e-12:
                    terms.append((self.option_var[i], diff))
        return self.pulp.LpAffineExpression(terms)

    def _count_chosen(self, options: Iterable[int]) -> Any:
        """Σ x[i] over ``options``: how many of them are chosen."""
        return self._option_sum(dict.fromkeys(options, 1.0))

    def _housing_sum(self, coef: dict[int, float]) -> Any:
        """Σ coef[j] · h[j] over housing options."""
        return self.pulp.LpAffineExpression([(self.housing_var[j], c) for j, c in coef.items() if c != 0])

    def x_value(self, i: int) -> float:
        """The value of ``x[i]`` (option ``i`` chosen) in the solution."""
        value = self.option_var[i].value() or 0.0
        if self.aggregated:
            opts = self.by_project[self.coefficients.options[i].project]
            k = opts.index(i)
            if k:
                value -= self.option_var[opts[k - 1]].value() or 0.0
        return value

    def define_one_start(self) -> None:
        """Each candidate starts once: Σ_s x[p, s] = 1 (≤ 1 where dropping is allowed or it is a variant)."""
        projects = self.coefficients.scenario.projects
        for p in self.coefficients.candidates:
            opts = self.by_project.get(p, [])
            if self.aggregated:  # started by s ⇒ started by every later s
                for before, after in itertools.pairwise(opts):
                    self._add(
                        self.option_var[before] <= self.option_var[after],
                        f"order_{projects.ids[p]}_{self.coefficients.options[after].start_year}",
                    )
            total = self._count_chosen(opts)
            grouped = projects.exclusive_group[p] is not None
            if self.spec.allow_drop or grouped or p in self.coefficients.optional:
                self._add(total <= 1, f"start_{projects.ids[p]}")
            else:
                self._add(total == 1, f"start_{projects.ids[p]}")

    def define_housing_choice(self) -> None:
        """Each movable development takes exactly one shift (0: as the programme sets it): Σ_k h[d, k] = 1."""
        for d, opts in self.by_development.items():
            self._add(
                self.pulp.lpSum(self.housing_var[j] for j in opts) == 1,
                f"housing_{self.coefficients.developments[d]}",
            )

    def define_housing_waits(self) -> None:
        """A development under ``after_projects`` starts releasing only once its projects are in service.

        For each start year ``s`` of the development: released by ``s`` ≤ the project in service by
        ``s`` (Σ of the development's options starting ≤ s ≤ Σ of the project's options complete ≤ s).
        """
        housing_options = self.coefficients.housing_options
        options = self.coefficients.options
        for d, waits in self.coefficients.housing_waits.items():
            mine = sorted(self.by_development[d], key=lambda j: housing_options[j].first_year)
            for j in mine:
                start = housing_options[j].first_year
                released = self.pulp.lpSum(self.housing_var[k] for k in mine if housing_options[k].first_year <= start)
                for p in waits:
                    ready = self._count_chosen(
                        i for i in self.by_project.get(p, []) if options[i].completion_year <= start
                    )
                    pid = self.coefficients.scenario.projects.ids[p]
                    self._add(released <= ready, f"wait_{self.coefficients.developments[d]}_{start}_{pid}")

    def define_exclusive(self) -> None:
        """Exactly one variant of each exclusive group is built (at most one where dropping is allowed)."""
        projects = self.coefficients.scenario.projects
        groups: dict[str, list[int]] = {}
        for p in self.coefficients.candidates:
            if projects.exclusive_group[p] is not None:
                groups.setdefault(projects.exclusive_group[p], []).append(p)
        for group, members in groups.items():
            total = self._count_chosen(i for p in members for i in self.by_project.get(p, []))
            self._add(total <= 1 if self.spec.allow_drop else total == 1, f"variant_{group}")

    def define_dependencies(self) -> None:
        """A project starts only after its predecessors are in service (fixed predecessors: by construction).

        Basic: ``x[B, s] ≤ Σ x[A, j]`` over A's options complete by ``s``, for each option of B.
        Strengthened/aggregated: ``started_B(t) ≤ in_service_A(t)`` for each start year ``t`` of B —
        it implies the basic rows and cuts off fractional points they allow.
        """
        projects = self.coefficients.scenario.projects
        options = self.coefficients.options
        candidates = set(self.coefficients.candidates)
        for b in self.coefficients.candidates:
            for a in projects.inputs.depends_on[b]:
                if a not in candidates:
                    continue
                for i in self.by_project.get(b, []):
                    start_b = options[i].start_year
                    ready = self._count_chosen(
                        j for j in self.by_project.get(a, []) if options[j].completion_year <= start_b
                    )
                    started = (
                        self._count_chosen(k for k in self.by_project[b] if options[k].start_year <= start_b)
                        if self.strengthened
                        else self.option_var[i]
                    )
                    self._add(started <= ready, f"dep_{projects.ids[b]}_{start_b}_{projects.ids[a]}")
        # a fixed project that waits for a candidate: the candidate must be in service in time
        for f in range(len(projects.ids)):
            if f in candidates or not projects.inputs.included[f]:
                continue
            for a in projects.inputs.depends_on[f]:
                if a in candidates:
                    start_f = int(projects.planned_start_year[f])
                    ready = self._count_chosen(
                        j for j in self.by_project.get(a, []) if options[j].completion_year <= start_f
                    )
                    self._add(ready == 1, f"dep_fixed_{projects.ids[f]}_{projects.ids[a]}")

    def define_debt_ceiling(self) -> None:
        """Net debt ≤ ceiling × gross operating revenue, every year.

        debt + Σ Δdebt · x + Σ (Δdebt − ratio · Δrevenue) · h − breach ≤ ceiling.
        """
        coefficients = self.coefficients
        for t, year in enumerate(coefficients.years):
            debt = coefficients.debt_mnok[t] + self._option_sum(
                {i: o.debt_mnok[t] for i, o in enumerate(coefficients.options) if abs(o.debt_mnok[t]) > 1e-9}
            )
            # a housing move changes the debt and the revenue the ceiling is a share of
            debt += self._housing_sum(
                {
                    j: h.debt_mnok[t] - self.ceiling_ratio * h.revenue_mnok[t]
                    for j, h in enumerate(coefficients.housing_options)
                }
            )
            excess = debt - self.ceilings[t]
            row = debt - self._elastic(f"debt_{year}", excess, rule="debt_ratio", year=int(year)) <= self.ceilings[t]
            self._add(row, f"debt_{year}")

    def define_ndr_floor(self) -> None:
        """Netto driftsresultat ≥ floor × gross operating revenue, every year (if a floor is set)."""
        if self.spec.ndr_floor is None:
            return
        coefficients = self.coefficients
        for t, year in enumerate(coefficients.years):
            ndr = coefficients.ndr_mnok[t] + self._option_sum(
                {i: o.ndr_mnok[t] for i, o in enumerate(coefficients.options) if abs(o.ndr_mnok[t]) > 1e-9}
            )
            ndr += self._housing_sum(
                {
                    j: h.ndr_mnok[t] - self.spec.ndr_floor * h.revenue_mnok[t]
                    for j, h in enumerate(coefficients.housing_options)
                }
            )
            floor = self.spec.ndr_floor * coefficients.revenue_mnok[t]
            breach = self._elastic(f"ndr_{year}", floor - ndr, rule="net_operating_result", year=int(year))
            self._add(ndr + breach >= floor, f"ndr_{year}")

    def define_delivery(self) -> None:
        """Yearly spend ≤ its cap and projects under way ≤ their cap (the organisation's capacity)."""
        coefficients = self.coefficients
        if self.spec.max_spend_mnok is not None:
            cap = self.spec.max_spend_mnok.at(coefficients.years)
            for t, year in enumerate(coefficients.years):
                spend = coefficients.spend_mnok[t] + self._option_sum(
                    {i: o.spend_mnok[t] for i, o in enumerate(coefficients.options) if o.spend_mnok[t] > 1e-9}
                )
                breach = self._elastic(f"spend_{year}", spend - cap[t], rule="spend", year=int(year))
                self._add(spend - breach <= cap[t], f"spend_{year}")
        if self.spec.max_concurrent is not None:
            for t, year in enumerate(coefficients.years):
                busy = coefficients.fixed_under_way[t] + self._count_chosen(
                    i for i, o in enumerate(coefficients.options) if o.start_year <= year < o.completion_year
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
        :func:`~ltsim.optimize.evaluation.shortfall_limits`).
        """
        coefficients = self.coefficients
        limits = shortfall_limits(coefficients)
        for (c, u), (options, moves, worst, negative) in reachable_cells(coefficients).items():
            cell = coefficients.cells[c]
            year = int(coefficients.stock_years[u])
            cap = worst if self.strengthened and self.cap_cover and not negative else np.inf
            var = self._var(f"unmet_{cell.service}_{cell.zone}_{year}")
            need = cell.gap[u] + self._housing_sum({j: float(coefficients.housing_options[j].gap[c][u]) for j in moves})
            added = self._option_sum({i: min(float(coefficients.options[i].places[c][u]), cap) for i in options})
            self._add(var >= need - added, f"short_{cell.service}_{cell.zone}_{year}")
            self.unmet[(c, u)] = var
            self.implied.append((var, need - added))
            self.objective_terms.append(cell.weight_at(u) * var)
            if (c, u) in limits:
                limit = limits[(c, u)]
                key = f"shortfall_{cell.service}_{cell.zone}_{year}"
                info = {"rule": "shortfall", "year": year, "service": cell.service, "zone": cell.zone}
                breach = self._elastic(key, var - limit, **info)
                self._add(var - breach <= limit, f"max_{key}")

    def define_extra(self) -> None:
        """Constraint families a subclass adds (``ltsim plan``: sites and build limits); none here."""

    def define_objective(self) -> None:
        """Weighted unmet place-years + deferral penalty + cost weight × interest + option cost + breach penalty."""
        spec = self.spec
        coefficients = self.coefficients
        end = int(coefficients.years[-1]) + 1
        projects = coefficients.scenario.projects
        self.objective_terms.append(
            self._option_sum(
                {
                    i: spec.deferral_penalty * abs(o.deferral_years) + spec.cost_weight * o.interest_mnok + o.cost_mnok
                    for i, o in enumerate(coefficients.options)
                }
            )
        )
        if coefficients.housing_options:
            penalty = spec.housing.penalty_per_dwelling_year
            self.objective_terms.append(
                self._housing_sum(
                    {
                        j: penalty * h.dwelling_years + spec.cost_weight * h.interest_mnok
                        for j, h in enumerate(coefficients.housing_options)
                    }
                )
            )
        if spec.allow_drop:
            for p in coefficients.candidates:
                dropped = 1 - self._count_chosen(self.by_project.get(p, []))
                if projects.exclusive_group[p] is None and p not in coefficients.optional:
                    self.objective_terms.append(spec.deferral_penalty * (end - coefficients.plan_start[p]) * dropped)
        for key, var in self.breach_var.items():
            shortfall = self.breach_info[key]["rule"] == "shortfall"
            self.objective_terms.append((spec.shortfall_penalty if shortfall else spec.breach_penalty) * var)
        self.problem += self.pulp.lpSum(self.objective_terms)

    def set_start(self, chosen: dict[int, Option | None], housing: dict[int, HousingOption] | None = None) -> None:
        """A schedule as the solver's starting point: the decision variables, then what they imply.

        ``housing``: each development's move (default: the programme as written).
        """
        for j, h in enumerate(self.coefficients.housing_options):
            pick = (housing or {}).get(h.development)
            self.housing_var[j].setInitialValue(float(h is pick if pick is not None else h.shift_years == 0))
        index = {id(o): i for i, o in enumerate(self.coefficients.options)}
        for p, opts in self.by_project.items():
            o = chosen.get(p)
            pick = index.get(id(o), -1) if o is not None else -1
            started = False
            for i in opts:
                started = started or i == pick
                value = float(started) if self.aggregated else float(i == pick)
                self.option_var[i].setInitialValue(value)
        for var, expression in self.implied:
            value = self.pulp.value(expression)
            var.setInitialValue(max(0.0, float(value or 0.0)))

    def solve(
        self, solver: str, time_limit: float | None, gap: float | None, warm: bool = False, mip: bool = True
    ) -> SolverRun:
        """Solve (see :func:`~ltsim.optimize.solvers.run_solver`): status, seconds, relative MIP gap, notes.

        ``mip=False``: the LP relaxation (every binary continuous in [0, 1]).
        """
        return run_solver(self.problem, solver, time_limit, gap, warm, mip)

    def active_debt_rows(self) -> tuple[int, ...]:
        """Years whose debt-ceiling row holds with equality in the solution the variables hold.

        Tight: ceiling − (debt − breach) ≤ ``ACTIVE_TOLERANCE`` · max(1, |ceiling|) [NOK million].
        """
        active = []
        for t, year in enumerate(self.coefficients.years):
            name = safe_name(f"debt_{year}")
            if hasattr(self.problem, "get_constraint_by_name"):  # PuLP ≥ 3.3 (the mapping is deprecated)
                row = self.problem.get_constraint_by_name(name)
            else:
                row = self.problem.constraints[name]
            if -(row.value() or 0.0) <= ACTIVE_TOLERANCE * max(1.0, abs(float(self.ceilings[t]))):
                active.append(int(year))
        return tuple(active)


def build_model(
    coefficients: Coefficients,
    ceilings: np.ndarray,
    formulation: str = DEFAULT_FORMULATION,
    ceiling_ratio: float | None = None,
    model_class: type[SequencingModel] = SequencingModel,
) -> SequencingModel:
    """The MILP with every constraint family and the objective (see ``SequencingModel``)."""
    model = model_class(coefficients, ceilings, formulation, ceiling_ratio)
    model.define_one_start()
    model.define_housing_choice()
    model.define_housing_waits()
    model.define_exclusive()
    model.define_dependencies()
    model.define_debt_ceiling()
    model.define_ndr_floor()
    model.define_delivery()
    model.define_unmet()
    model.define_extra()
    model.define_objective()
    return model


def relaxation_active_years(
    coefficients: Coefficients,
    ceilings: np.ndarray,
    solver: str = DEFAULT_SOLVER,
    time_limit: float | None = None,
    formulation: str = DEFAULT_FORMULATION,
    ceiling_ratio: float | None = None,
    model_class: type[SequencingModel] = SequencingModel,
) -> tuple[tuple[int, ...] | None, str | None]:
    """Years whose debt-ceiling row is active (tight) in the MILP's LP relaxation; or None and why not.

    The same model for the same ``ceilings`` [NOK million], solved once with the binaries relaxed to
    continuous in [0, 1] (PuLP's ``mip=False``). With integer choices a year can be binding in the
    schedule and slack in the relaxation, or the other way round: the relaxation shows where the
    ceiling limits the continuous trade-off, the schedule's slack where it leaves no room.
    """
    model = build_model(coefficients, ceilings, formulation, ceiling_ratio, model_class)
    run = model.solve(solver, time_limit, None, mip=False)
    if run.status != "Optimal":
        return None, f"the LP relaxation was not solved ({run.status})"
    return model.active_debt_rows(), None


def solve_milp(
    coefficients: Coefficients,
    ceilings: np.ndarray,
    solver: str = DEFAULT_SOLVER,
    time_limit: float | None = None,
    gap: float | None = None,
    formulation: str = DEFAULT_FORMULATION,
    warm_start: bool = True,
    ceiling_ratio: float | None = None,
    model_class: type[SequencingModel] = SequencingModel,
    start: dict[int, Option | None] | None = None,
) -> Solution:
    """Build and solve the MILP for the given yearly ceilings [NOK million].

    ``formulation``: see ``SequencingModel`` (default "strengthened"); ``warm_start``: hand the
    solver the greedy rule's schedule, made feasible for the dependencies, as a start.
    ``ceiling_ratio``: the ceiling as a share of revenue, for the revenue a housing move adds
    (default: the scenario's). ``model_class``: the MILP (``ltsim plan`` adds its own families);
    ``start``: the schedule to warm-start from (default: the greedy rule's, when ``warm_start``).
    """
    tick = time.perf_counter()
    model = build_model(coefficients, ceilings, formulation, ceiling_ratio, model_class)
    model_s = time.perf_counter() - tick
    tick = time.perf_counter()
    if start is None and warm_start:
        start = warm_start_schedule(coefficients, ceilings)
    if start is not None:
        model.set_start(start, housing_start(coefficients, start))
    start_s = time.perf_counter() - tick
    status, seconds, mip_gap, notes = model.solve(solver, time_limit, gap, warm=start is not None)
    if status == "Infeasible":
        raise RuntimeError(
            "no schedule meets every rule (the ceiling cannot be held with the options allowed); "
            "set optimize.elastic: true to get the schedule with the smallest breach"
            + (
                "; or a housing development waits for a project that cannot be in service within its "
                "moves (optimize.housing.max_deferral_years, or a project that may be dropped)"
                if coefficients.housing_waits
                else ""
            )
        )
    if status not in ("Optimal", "Feasible"):
        raise RuntimeError(f"the solver found no schedule ({status}); allow more time (time_limit)")
    chosen: dict[int, Option | None] = {p: None for p in coefficients.candidates}
    for i, o in enumerate(coefficients.options):
        if model.x_value(i) > 0.5:
            chosen[o.project] = o
    housing = {
        h.development: h
        for j, h in enumerate(coefficients.housing_options)
        if (model.housing_var[j].value() or 0.0) > 0.5
    }
    solution = evaluate(coefficients, chosen, ceilings, housing, ceiling_ratio)
    breaches = []
    other = 0.0
    for key, var in model.breach_var.items():
        value = var.value() or 0.0
        if value > BREACH_TOLERANCE:
            info = model.breach_info[key]
            breaches.append({**info, "excess": float(value)})
            if info["rule"] not in ("debt_ratio", "shortfall"):
                other += coefficients.scenario.config.optimize.breach_penalty * value
    solution.breaches = breaches
    # evaluate() counts the debt and shortfall breaches; the other rules' breaches come from the MILP
    solution.objective += other
    solution.status = status
    solution.gap = mip_gap
    solution.solve_s = seconds
    solution.model_s = model_s
    solution.start_s = start_s
    solution.notes = list(notes)
    return solution
