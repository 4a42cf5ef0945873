"""ltsim plan (issue 17): the planning MILP against brute force, its choices, its replay, its bad input."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from plan_fixtures import SITE_ROWS, TYPE_ROWS, write_tiny_plan
from typer.testing import CliRunner

from ltsim import pipeline
from ltsim.cli import app
from ltsim.optimize import build, evaluate, solve_milp
from ltsim.planning import plan
from ltsim.planning.candidates import annuity_factor, candidates, costed, planning_scenario
from ltsim.planning.model import planning_model_class, rule_breaches
from ltsim.scenario import load_scenario


def coefficients_of(path: Path):
    sc = load_scenario(path)
    cands = candidates(sc)
    planning = planning_scenario(sc, cands)
    ids = planning.projects.ids
    windows = {ids.index(c.id): (c.first_start, c.last_start) for c in cands}
    return costed(build(planning, windows)), cands


def all_schedules(co, cands):
    """Every schedule: each catalogue candidate at one of its options (the care variants: one of the two),
    each plan candidate at one of its options or not built; the plan's rules checked."""
    by_project: dict[int, list] = {}
    for o in co.options:
        by_project.setdefault(o.project, []).append(o)
    data = co.scenario.projects
    choices = []
    for p in co.candidates:
        opts = by_project.get(p, [])
        grouped = data.exclusive_group[p] is not None
        choices.append(opts + ([None] if p in co.optional or grouped else []))
    for combo in itertools.product(*choices):
        chosen = dict(zip(co.candidates, combo, strict=True))
        built = [data.exclusive_group[p] for p, o in chosen.items() if o is not None and data.exclusive_group[p]]
        if sorted(built) != sorted({g for g in data.exclusive_group if g}):
            continue
        if any(
            o is not None and a in chosen and (chosen[a] is None or chosen[a].completion_year > o.start_year)
            for p, o in chosen.items()
            for a in data.inputs.depends_on[p]
        ):
            continue
        if rule_breaches(co, cands, chosen):
            continue
        yield chosen


@pytest.mark.parametrize("ceiling", [1.5, 0.86])
def test_planning_milp_equals_brute_force(tmp_path: Path, ceiling: float):
    path = write_tiny_plan(tmp_path, optimize={"max_deferral_years": 0})
    co, cands = coefficients_of(path)
    ceilings = ceiling * co.revenue_mnok
    milp = solve_milp(co, ceilings, model_class=planning_model_class(cands))
    best = min(evaluate(co, chosen, ceilings).objective for chosen in all_schedules(co, cands))
    assert milp.objective == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert not rule_breaches(co, cands, milp.chosen)


def test_option_cost_is_the_discounted_equivalent_annual_cost(tmp_path: Path):
    """Modules on kg_north: gross 20 × 0.5 = 10, net of 20 % VAT 8; 10-year life at 4 %; running 0.01 × 20 a year."""
    co, _ = coefficients_of(write_tiny_plan(tmp_path))
    ids = co.scenario.projects.ids
    p = ids.index("cand_kg_north_kg_modules_0")
    o = next(o for o in co.options if o.project == p and o.start_year == 2025)
    assert o.completion_year == 2026  # 6 months from 1 January 2025: in use from 2026
    yearly = 8.0 * 0.04 / (1 - 1.04**-10) + 0.2
    assert o.cost_mnok == pytest.approx(yearly * sum(1.04**-k for k in (2, 3, 4)), rel=1e-9)  # 2026, 2027, 2028
    assert annuity_factor(0.0, 20) == pytest.approx(0.05)


def test_growing_shortfall_gets_a_build_in_time_when_money_allows(tmp_path: Path):
    result = plan(load_scenario(write_tiny_plan(tmp_path)), with_tradeoff=False)
    north = [b for b in result.builds if b["zone"] == "north"]
    # north is short from 2024 and the site opens in 2025: the first possible start
    assert [(b["type"], b["start_year"]) for b in north] == [("kg_modules", 2025)]


def test_small_shortfall_gets_modules_not_a_new_building(tmp_path: Path):
    """South is ~50 places short until 2026, then not: modules (10 mill) beat a new kindergarten (45 mill)."""
    path = write_tiny_plan(tmp_path, plan={"shortfall_cost_mnok_per_place_year": {
        "kindergarten": 1.0, "primary_school": 0.15, "care_24h": 0.8}})  # fmt: skip
    result = plan(load_scenario(path), with_tradeoff=False)
    south = [b["type"] for b in result.builds if b["zone"] == "south"]
    assert south == ["kg_modules"]


def test_no_build_where_the_type_is_not_allowed(tmp_path: Path):
    path = write_tiny_plan(tmp_path, plan={"shortfall_cost_mnok_per_place_year": {
        "kindergarten": 5.0, "primary_school": 0.15, "care_24h": 0.8}})  # fmt: skip
    result = plan(load_scenario(path), with_tradeoff=False)
    assert all(b["type"] == "kg_modules" for b in result.builds if b["zone"] == "north")
    assert {b["site"] for b in result.builds} <= {"kg_south", "kg_north", "care_site"}


@pytest.mark.parametrize(("saving", "year"), [(10.0, 2025), (0.2, 2028)])
def test_closure_waits_until_demand_has_fallen_unless_the_saving_pays(tmp_path: Path, saving: float, year: int):
    """z_s has two schools (B 100 at 100 %, C 80 at 90 %) with 66, 69, 70, 72, 74 idle places in 2025–2029.
    Closing C (72 usable places) in 2025 leaves 6.3, 3.5, 1.7 places short in 2025–2027 (11.5 place-years,
    ≈ 1.6 discounted at 0.15 a place-year): a saving of 10 a year pays for that, so C closes at once; a saving
    of 0.2 a year (0.55 discounted over 2025–2027) does not, so C closes in 2028, the first year the zone's
    demand has fallen enough that its places are not needed."""
    path = write_tiny_plan(
        tmp_path,
        plan={"closures": "data/closures.csv"},
        closures=[["school_c", "school", 2025, 0.0, saving, "test"]],
    )
    result = plan(load_scenario(path), with_tradeoff=False)
    closed = [b for b in result.builds if b["kind"] == "closure"]
    assert [(b["facility"], b["start_year"]) for b in closed] == [("school_c", year)]
    assert result.overrides["plan"]["closed"] == [{"facility": "school_c", "year": year}]


def test_the_chosen_plan_replays_to_the_same_debt(tmp_path: Path):
    path = write_tiny_plan(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["plan", str(path), "--out", str(out), "--no-report", "--no-tradeoff"])
    assert res.exit_code == 0, res.output
    replay = pipeline.run(load_scenario(out / "scenario.planned.yaml"), stochastic=False)
    result = plan(load_scenario(path), with_tradeoff=False)
    np.testing.assert_array_equal(replay.finance.net_debt_mnok, result.planned.finance.net_debt_mnok)
    for name in ("plan_builds.csv", "plan_debt.csv", "plan_affordability.csv", "plan.json", "plan_moves.csv"):
        assert (out / name).is_file()


def test_tradeoff_short_never_rises_with_the_ceiling(tmp_path: Path):
    path = write_tiny_plan(
        tmp_path,
        plan={"tradeoff_ceilings": [0.82, 0.86, 0.9, 1.0, 1.5], "tradeoff_ndr_floors": [-0.05, 0.0, 0.02],
              "tradeoff_savings_mnok": [10, 50]},
        optimize={"debt_ratio_ceiling": 0.86},
    )  # fmt: skip
    result = plan(load_scenario(path))
    by_lever: dict[str, list] = {}
    for row in result.tradeoff:
        by_lever.setdefault(row["lever"], []).append(row)
    assert [row["value"] for row in by_lever["ceiling"]] == pytest.approx([82, 86, 90, 100, 150])
    # a looser ceiling never costs more; a higher NDR floor never costs less (each a relaxation of the next)
    ceiling = [row["objective"] for row in by_lever["ceiling"]]
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(ceiling))
    floors = [row["objective"] for row in by_lever["ndr_floor"]]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(floors))
    # more savings only lower the debt path (the objective has no term in the budget): never a worse plan
    saved = [by_lever["ndr_floor"][0]["objective"]] + [row["objective"] for row in by_lever["savings"]]
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(saved))


def test_affordability_gap_is_need_minus_plan(tmp_path: Path):
    result = plan(load_scenario(write_tiny_plan(tmp_path, optimize={"debt_ratio_ceiling": 0.86})), with_tradeoff=False)
    for row in result.affordability:
        assert row["gap_mnok"] == pytest.approx(row["needed_mnok"] - row["planned_mnok"])
    need = sum(o.spend_mnok.sum() for o in result.need.chosen.values() if o is not None)
    assert sum(r["needed_mnok"] for r in result.affordability) == pytest.approx(need)


def test_temporary_places_leave_after_their_years(tmp_path: Path):
    types = [row[:] for row in TYPE_ROWS]
    types[1][12] = 2  # modules in use 2 years
    path = write_tiny_plan(
        tmp_path, types=types, plan={"builds": [{"type": "kg_modules", "site": "kg_north", "start_year": 2025}]}
    )
    run = pipeline.run(load_scenario(path), stochastic=False)
    kg = next(s for s in run.services if s.service.id == "kindergarten")
    north = kg.zone_ids.index("north")
    cap = kg.capacity[:, north] if kg.capacity.ndim == 2 else kg.capacity
    base = cap[0]
    # in use 2026 and 2027 (completed during 2025 … from 1 January 2026), gone from 2028
    assert (cap - base).tolist() == pytest.approx([0, 0, 20, 20, 0, 0])


def bad(tmp_path: Path, **kw) -> str:
    path = write_tiny_plan(tmp_path, **kw)
    res = CliRunner().invoke(app, ["plan", str(path), "--out", str(tmp_path / "o"), "--no-report"])
    assert res.exit_code == 2, res.output
    assert not (tmp_path / "o").exists()
    return " ".join(res.output.split())


def test_bad_unknown_type(tmp_path: Path):
    sites = [row[:] for row in SITE_ROWS]
    sites[0][3] = "kg_new school_palace"
    msg = bad(tmp_path, sites=sites)
    assert "sites.csv" in msg and "'types'" in msg and "school_palace" in msg


def test_bad_module_larger_than_the_site(tmp_path: Path):
    sites = [row[:] for row in SITE_ROWS]
    sites[0][7] = 30  # max_places 30; kg_new has 40
    msg = bad(tmp_path, sites=sites)
    assert "sites.csv" in msg and "max_places 30" in msg and "40 places" in msg


def test_bad_negative_cost(tmp_path: Path):
    types = [row[:] for row in TYPE_ROWS]
    types[0][6] = -1.0
    msg = bad(tmp_path, types=types)
    assert "types.csv" in msg and "cost_mnok_per_place" in msg and "-1" in msg


def test_bad_percent_written_as_85(tmp_path: Path):
    msg = bad(tmp_path, plan={"tradeoff_ceilings": [85]})
    assert "tradeoff_ceilings" in msg and "0.85" in msg


def test_bad_build_on_a_site_that_does_not_allow_the_type(tmp_path: Path):
    msg = bad(tmp_path, plan={"builds": [{"type": "kg_new", "site": "kg_north", "start_year": 2025}]})
    assert "builds" in msg and "kg_modules" in msg and "kg_new" in msg


def test_bad_missing_shortfall_cost(tmp_path: Path):
    msg = bad(tmp_path, plan={"shortfall_cost_mnok_per_place_year": {"kindergarten": 0.2}})
    assert "shortfall_cost_mnok_per_place_year" in msg and "care_24h" in msg


def test_plan_with_reps_gives_probabilities_that_match_a_deterministic_plan(tmp_path: Path):
    """The tiny scenario draws no delays: every replication is the plan, so P(short) is 1 exactly where the
    planned scenario is short and 0 elsewhere (an invariant of the Monte Carlo on a deterministic case)."""
    import pandas as pd

    path = write_tiny_plan(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["plan", str(path), "--out", str(out), "--no-report", "--no-tradeoff", "--reps", "8"])
    assert res.exit_code == 0, res.output
    prob = pd.read_csv(out / "shortfall_probability.csv")
    cap = pd.read_csv(out / "capacity.csv")
    merged = prob.merge(cap, on=["year", "zone", "service"])
    assert len(merged) == len(prob) > 0
    np.testing.assert_array_equal(merged["probability_short"].to_numpy(), (merged["gap"] > 1e-9).astype(float))
    assert (out / "kpi_probability.csv").is_file()


def test_batch_plans_each_scenario(tmp_path: Path):
    import yaml

    from ltsim.batch import load_batch, run_batch

    base = write_tiny_plan(tmp_path / "base")
    axes = {"ceiling": {"loose": {}, "tight": {"optimize": {"debt_ratio_ceiling": 0.86}}}}
    spec = {"name": "plan-batch", "base": str(base.relative_to(tmp_path)), "axes": axes, "plan": True}
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    result = run_batch(load_batch(path), tmp_path / "out", workers=1)
    assert {o.status for o in result.outcomes} == {"ok"}, [o.error for o in result.outcomes]
    for o in result.outcomes:
        assert (tmp_path / "out" / o.key / "plan.json").is_file()
    again = run_batch(load_batch(path), tmp_path / "out", workers=1)
    assert {o.status for o in again.outcomes} == {"skipped"}
    both = {**spec, "optimize": True}
    path.write_text(yaml.safe_dump(both, sort_keys=False), encoding="utf-8")
    res = CliRunner().invoke(app, ["batch", str(path), "--out", str(tmp_path / "o2")])
    assert res.exit_code == 2 and "plan" in " ".join(res.output.split())


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_has_the_needs_section_drawn_in_a_browser(tmp_path: Path, lang: str):
    """report.html of a plan: the section with its four charts and the builds table; every chart drawn, no JS error."""
    import shutil

    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("chromium is not on PATH (apt-get install chromium)")
    from test_report_browser import check_rendered

    path = write_tiny_plan(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["plan", str(path), "--out", str(out), "--lang", lang])
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    heading = (
        "Investeringsbehov utover handlingsprogrammet" if lang == "nb" else "Investment needs beyond the programme"
    )
    assert f"<h2>{heading}</h2>" in html
    for fig_id in ("fig-plan-debt", "fig-plan-timeline", "fig-plan-investment", "fig-plan-tradeoff"):
        assert f'id="{fig_id}"' in html
    table = html[html.index('id="plan-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") - 1 == len(plan(load_scenario(path), with_tradeoff=False).builds)
    check_rendered(out / "report.html", tmp_path, tmp_path / "shot.png")


def test_no_shortfall_closes_every_gap_that_can_be_closed(tmp_path: Path):
    """With kindergarten under no_shortfall, each kindergarten cell-year is short by no more than what no choice
    avoids (the limit raised to the least reachable shortfall), and no more place-years short than without."""
    from ltsim.optimize.evaluation import shortfall_limits

    free = plan(load_scenario(write_tiny_plan(tmp_path / "free")), with_tradeoff=False)
    hard_path = write_tiny_plan(tmp_path / "hard", plan={"no_shortfall": ["kindergarten"], "shortfall_cost_mnok_per_place_year": {
        "kindergarten": 0.01, "primary_school": 0.15, "care_24h": 0.8}})  # fmt: skip
    hard = plan(load_scenario(hard_path), with_tradeoff=False)
    co = hard.coefficients
    limits = shortfall_limits(co)
    picked = [o for o in hard.solution.chosen.values() if o is not None]
    for (c, u), limit in limits.items():
        cell = co.cells[c]
        if cell.service != "kindergarten":
            continue
        added = sum(float(o.places[c][u]) for o in picked if c in o.places)
        assert max(0.0, cell.gap[u] - added) <= limit + 1e-6
    kg = lambda r: sum(  # noqa: E731
        float(np.clip(s.gap, 0, None).sum()) for s in r.planned.services if s.service.id == "kindergarten"
    )
    assert kg(hard) <= kg(free) + 1e-6


def test_savings_lever_finances_builds_instead_of_borrowing(tmp_path: Path):
    """plan.tradeoff_savings_mnok: S more savings a year from the first build year are transferred to the
    investment budget, so each year's borrowing falls by S (by all of it where less than S is borrowed)."""
    from ltsim.planning.candidates import first_build_year

    sc = load_scenario(write_tiny_plan(tmp_path))
    cands = candidates(sc)
    runs = [pipeline.run(planning_scenario(sc, cands, s), stochastic=False).finance for s in (0.0, 10.0)]
    years = runs[0].years
    expected = np.where(years >= first_build_year(sc), np.minimum(10.0, runs[0].borrowing_mnok), 0.0)
    np.testing.assert_allclose(runs[0].borrowing_mnok - runs[1].borrowing_mnok, expected, atol=1e-9)
    assert (runs[1].net_debt_mnok <= runs[0].net_debt_mnok + 1e-9).all()


def test_best_start_is_the_known_schedule_with_the_lowest_objective(tmp_path: Path):
    """The trade-off's warm start: of the schedules known, the one evaluate() scores lowest at these ceilings."""
    from ltsim.planning.driver import best_start, held_ceilings

    co, cands = coefficients_of(write_tiny_plan(tmp_path))
    ceilings, _ = held_ceilings(co, 1.5)
    solved = solve_milp(co, ceilings, model_class=planning_model_class(cands))
    nothing = {p: (None if p in co.optional else o) for p, o in solved.chosen.items()}
    scores = [evaluate(co, s, ceilings).objective for s in (nothing, solved.chosen)]
    assert scores[1] < scores[0]  # building beats building nothing here
    picked = best_start(co, ceilings, [nothing, solved.chosen])
    assert picked == solved.chosen
    assert best_start(co, ceilings, []) is None


def test_utilisation_floor_keeps_new_builds_out_of_a_zone_they_would_leave_half_empty(tmp_path: Path):
    """South's kindergarten demand falls from 61 to 31 places while the catalogue brings 70: valued high enough,
    the 2026 shortfall gets a build there; with plan.min_utilisation 0.85 none (demand ÷ 0.85 − 70 < 0 from
    2027, and every south build serves 2027), while north (demand 108–124 on 60 places) still gets its modules."""
    costs = {"kindergarten": 5.0, "primary_school": 0.15, "care_24h": 0.8}
    free = plan(load_scenario(write_tiny_plan(tmp_path / "free", plan={"shortfall_cost_mnok_per_place_year": costs})),
                with_tradeoff=False)  # fmt: skip
    assert "south" in {b["zone"] for b in free.builds}
    floored_path = write_tiny_plan(
        tmp_path / "floor",
        plan={"shortfall_cost_mnok_per_place_year": costs, "min_utilisation": {"kindergarten": 0.85}},
    )
    floored = plan(load_scenario(floored_path), with_tradeoff=False)
    zones = {b["zone"] for b in floored.builds if b["service"] == "kindergarten"}
    assert "south" not in zones and "north" in zones
    # the same rule judged on a schedule found without the solver
    co, cands = coefficients_of(floored_path)
    by_key = {(o.project, o.start_year): o for o in co.options}
    moved = {p: None if o is None else by_key[(o.project, o.start_year)] for p, o in free.solution.chosen.items()}
    assert any("below 85%" in b and "south" in b for b in rule_breaches(co, cands, moved))


def test_bad_utilisation_floor_written_as_percent(tmp_path: Path):
    path = write_tiny_plan(tmp_path, plan={"min_utilisation": {"kindergarten": 85}})
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "min_utilisation" in text and "0.85 for 85 %" in text
