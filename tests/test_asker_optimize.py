"""Asker: the optimiser holds the debt ratio under 100 % where the plan as written does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ltsim.optimize import build, evaluate, housing_ready, optimize, solve_milp
from ltsim.scenario import load_scenario

ASKER = Path(__file__).resolve().parents[1] / "scenarios" / "asker"


def test_optimised_plan_meets_the_ceiling_and_beats_the_greedy_rule():
    result = optimize(load_scenario(ASKER / "base.yaml"))
    co = result.coefficients
    plan_breaches = {b["year"] for b in result.plan.breaches}
    assert len(plan_breaches) >= 5  # the plan as written breaks the rule in many years
    fin = result.optimized.finance
    ratio = fin.net_debt_mnok / fin.revenue_mnok
    unavoidable = {b["year"] for b in result.solution.breaches}
    assert unavoidable <= {2024}  # debt already drawn before any project can be moved
    for year, r in zip(co.years, ratio, strict=True):
        if int(year) not in unavoidable:
            assert r <= 1.0 + 1e-6, (int(year), r)
    assert result.solution.objective <= result.greedy.objective + 1e-6
    assert result.solution.objective <= result.plan.objective + 1e-6
    assert (
        np.max(np.abs(result.verified_debt_mnok - result.predicted_debt_mnok)) < 50
    )  # superposition error, NOK million


def test_projects_and_housing_phases_move_so_the_ceiling_holds():
    """optimize-housing.yaml: the switch lets the optimiser move the named housing phases too."""
    sc = load_scenario(ASKER / "optimize-housing.yaml")
    result = optimize(sc)
    co = result.coefficients
    assert len(co.developments) == 21 and "infill_tofte" not in co.developments
    moved = {co.developments[d]: h.shift_years for d, h in result.solution.housing.items() if h.shift_years}
    assert moved and all(0 < k <= 4 for k in moved.values())  # later only, at most four years
    assert result.optimized.scenario.config.population.housing.defer == moved  # the run replays the choice
    fin = result.optimized.finance
    ratio = fin.net_debt_mnok / fin.revenue_mnok
    over = {b["year"] for b in result.solution.breaches if b["rule"] == "debt_ratio"}
    assert over <= {2024}
    for year, r in zip(co.years, ratio, strict=True):
        if int(year) not in over:
            assert r <= 1.0 + 1e-6, (int(year), r)
    # More choices never cost: the projects-only optimum (housing as planned) is a schedule of this model too.
    ceilings = 1.0 * co.revenue_mnok
    on = solve_milp(co, ceilings)
    off_co = build(load_scenario(ASKER / "base.yaml"))
    off = solve_milp(off_co, 1.0 * off_co.revenue_mnok)
    same = {(o.project, o.start_year): o for o in co.options}
    mapped = {p: (same[(o.project, o.start_year)] if o is not None else None) for p, o in off.chosen.items()}
    assert on.objective <= evaluate(co, mapped, ceilings).objective + 1e-6


def test_housing_that_waits_for_the_school_moves_with_it():
    """rekkefolge-optimize.yaml: Hønsjordet and Asker sentrum may start only once the new town-centre
    school is in service; the optimiser chooses that year too, never before the school."""
    result = optimize(load_scenario(ASKER / "rekkefolge-optimize.yaml"))
    co, sol = result.coefficients, result.solution
    assert set(co.developments) == {"honsjordet_apartment", "honsjordet_terraced", "asker_sentrum_transformasjon"}
    school = co.scenario.projects.ids.index("skole_ny_sentrumsskole")
    assert all(waits == (school,) for waits in co.housing_waits.values()) and len(co.housing_waits) == 3
    assert housing_ready(co, sol.chosen, sol.housing)
    in_service = int(result.optimized.projects.completion_year[school])
    run = result.optimized.housing
    for dev in co.developments:  # the pipeline (rules + the chosen not_before) agrees
        released = run.released[run.developments.index(dev)].sum(axis=0)
        first = int(co.years[np.flatnonzero(released > 0)[0]])
        assert first >= in_service and first == sol.housing[co.developments.index(dev)].first_year
    fin = result.optimized.finance
    ratio = fin.net_debt_mnok / fin.revenue_mnok
    # Since the § 14-18 book value counts assets under construction (lower minimum instalments in build years,
    # so more debt), the optimum no longer holds the ceiling in every year: the MILP itself takes an elastic
    # breach of 1.9 mill in 2031 (the finance model: 3.2 mill, 0.03 pp). Every year over is reported, and small.
    over = {int(y) for y, r in zip(co.years, ratio, strict=True) if int(y) > 2024 and r > 1.0 + 1e-6}
    reported = {b["year"] for b in sol.breaches if b["rule"] == "debt_ratio"}
    assert over <= reported
    assert all(r <= 1.001 for y, r in zip(co.years, ratio, strict=True) if int(y) > 2024)


def test_the_debt_breaches_reported_are_the_finance_models(monkeypatch):
    """Under sequencing rules the finance model's debt differs from the MILP's: without repairs the first
    schedule breaks the ceiling in some years the MILP thought it held, and the result names exactly the
    years the finance model finds over the ceiling."""
    import ltsim.optimize as opt
    import ltsim.optimize.driver

    monkeypatch.setattr(ltsim.optimize.driver, "MAX_REPAIRS", 0)
    result = opt.optimize(load_scenario(ASKER / "rekkefolge-optimize.yaml"))
    flagged = {b["year"] for b in result.solution.breaches if b["rule"] == "debt_ratio"}
    fin = result.optimized.finance
    over = {
        int(y)
        for y, d, r in zip(result.coefficients.years, fin.net_debt_mnok, fin.revenue_mnok, strict=True)
        if d - 1.0 * r > 1e-3
    }
    assert flagged == over and over - {2024}  # more than the unavoidable 2024


def test_the_ceiling_holds_with_90_percent_probability_under_delays_and_overruns():
    """optimize-confidence.yaml: every year from 2026 keeps the debt ratio ≤ 100 % in ≥ 90 % of 500 runs
    with drawn delays and overruns. 2024 cannot be moved (the debt is drawn), nor can 2025 be held: since
    the 2024 recalibration (issue 18, item 6: book value 12,898.8, the § 14-18 minimum ~30 a year lower)
    the debt of 2025 is ~60 higher than before, and deferral cannot bring P(≤ 100 %) above ~0.76 there."""
    result = optimize(load_scenario(ASKER / "optimize-confidence.yaml"))
    c = result.confidence
    assert c["short_of_target_years"] == [2024, 2025] and c["rounds"] >= 1
    assert min(p for y, p in zip(c["years"], c["probability_within_ceiling"], strict=True) if y > 2025) >= 0.9
