"""The optimiser's answer up front: plan as written vs optimised (debt ratio, places short), the moves, why.

Checked against the pipeline's own runs (the plan as written is ``pipeline.run`` of the scenario),
then where people read it: the console, optimize.json, report.html (nb/en, drawn in headless
Chromium) and the workbook (openpyxl).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tiny_finance
from openpyxl import load_workbook
from test_optimize import config
from typer.testing import CliRunner

from ltsim import pipeline
from ltsim.cli import app
from ltsim.optimize import optimize
from ltsim.optimize.answer import lowest_debt_mnok, place_years_short
from ltsim.scenario import load_scenario


def test_the_answer_is_the_finance_models_plan_and_optimum(tmp_path: Path):
    """Debt ratio paths are the finance model's (plan as written = the scenario run as it is); the lowest
    reachable debt is a lower bound of both; every move is a changed start; places short added add up."""
    sc = load_scenario(write_tiny_finance(tmp_path, config(0.80)))
    result = optimize(sc)
    a = result.answer
    plan = pipeline.run(sc, stochastic=False).finance
    np.testing.assert_allclose(a["plan_debt_ratio_pct"], 100 * plan.net_debt_mnok / plan.revenue_mnok, atol=1e-3)
    fin = result.optimized.finance
    np.testing.assert_allclose(a["optimized_debt_ratio_pct"], 100 * fin.net_debt_mnok / fin.revenue_mnok, atol=1e-3)
    lowest = np.array(a["lowest_debt_ratio_pct"])
    assert (lowest <= np.array(a["optimized_debt_ratio_pct"]) + 1e-3).all()
    assert (lowest <= np.array(a["plan_debt_ratio_pct"]) + 1e-3).all()
    added = place_years_short(result.optimized) - place_years_short(result.plan_run)
    assert a["place_years_short_added"] == pytest.approx(added, abs=1e-3)
    assert a["plan_years_over"] == [2025, 2026]  # 83.5 % and 85.4 % of revenue against a ceiling of 80 %
    co = result.coefficients
    moved = {
        co.scenario.projects.ids[p]: (o.start_year if o else None)
        for p, o in result.solution.chosen.items()
        if co.scenario.projects.inputs.included[p] and (o is None or o.start_year != co.plan_start[p])
    }
    assert {m["project"]: m["to"] for m in a["moves"] if m["from"] is not None} == moved
    assert all(m["why"] == "frees_headroom" and m["headroom_mnok"] > 0 for m in a["moves"])
    # 2025 is over in every schedule: the lowest reachable debt is the optimum's there
    assert a["years_over"] == [
        {
            "year": 2025,
            "why": "fixed_debt",
            "debt_ratio_pct": pytest.approx(80.56, abs=0.01),
            "lowest_debt_ratio_pct": pytest.approx(80.56, abs=0.01),
            "excess_mnok": pytest.approx(5.49, abs=0.01),
        }
    ]


def test_a_base_year_over_the_ceiling_is_debt_already_drawn(tmp_path: Path):
    result = optimize(load_scenario(write_tiny_finance(tmp_path, config(0.20))))
    over = result.answer["years_over"]
    assert [r["year"] for r in over] == [2024, 2025, 2026, 2027, 2028]
    assert over[0]["why"] == "debt_drawn" and {r["why"] for r in over[1:]} == {"fixed_debt"}
    ceiling = 0.20 * result.coefficients.revenue_mnok
    assert (lowest_debt_mnok(result.coefficients) > ceiling).all()


def test_a_variant_swapped_is_a_move_for_fewer_places_short(tmp_path: Path):
    """At 95 % the ceiling does not bind: the optimiser takes care variant B for A (places sooner)."""
    a = optimize(load_scenario(write_tiny_finance(tmp_path, config(0.95)))).answer
    assert {(m["project"], m["from"], m["to"], m["why"]) for m in a["moves"]} == {
        ("care_a", 2026, None, "fewer_short"),
        ("care_b", None, 2026, "fewer_short"),
    }
    assert a["years_over"] == [] and a["place_years_short_added"] == pytest.approx(-30.0)


@pytest.fixture(scope="module")
def optimised_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("answer")
    path = write_tiny_finance(root / "s", config(0.80))
    out = root / "run"
    from ltsim.cli.common import out as console

    width = console.width
    console.width = 160  # tables unwrapped
    try:
        res = CliRunner().invoke(app, ["optimize", str(path), "--out", str(out), "--lang", "en"])
    finally:
        console.width = width
    assert res.exit_code == 0, res.output
    return out, res.output


def test_the_console_gives_the_answer_first(optimised_run: tuple[Path, str]):
    out, text = optimised_run
    answer = json.loads((out / "optimize.json").read_text())["answer"]
    first = text.index("plan as written vs the optimised plan")
    assert first < text.index("The moves") < text.index("Details") < text.index("Objective")
    assert "Over the ceiling: plan as written 2 year(s) (2025–2026), optimised 1 (2025)" in text
    assert f"({answer['place_years_short_added']:+,.0f} added)" in text
    assert re.search(r"Ny barnehage sør\s+│\s+2024 → 2026\s+│\s+frees 29 NOK million under the ceiling in 2025", text)
    assert "2025: debt ratio 80.6 % over the ceiling — cannot be fixed" in text


def test_optimize_json_has_the_plans_debt_path(optimised_run: tuple[Path, str]):
    out, _ = optimised_run
    report = json.loads((out / "optimize.json").read_text())
    plan = [(r["plan_finance_model_mnok"], r["plan_revenue_mnok"]) for r in report["debt_path"]]
    ratios = [100 * debt / revenue for debt, revenue in plan]
    np.testing.assert_allclose(ratios, report["answer"]["plan_debt_ratio_pct"], atol=1e-3)


@pytest.mark.parametrize(
    ("lang", "title", "moves"), [("en", "Optimised plan: ", "The moves"), ("nb", "Optimert plan: ", "Flyttingene")]
)
def test_the_report_opens_on_the_optimised_plan(optimised_run: tuple[Path, str], lang: str, title: str, moves: str):
    from ltsim.report import build_report

    out, _ = optimised_run
    html, xlsx = build_report(out, lang=lang)
    text = html.read_text(encoding="utf-8")
    assert re.search(r"<h1>" + title, text) and "<title>" + title in text
    order = [text.index(f'id="{k}"') for k in ("answer", "moves-table", "summary", "deferrals-table", "projects-table")]
    assert order == sorted(order)
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td><td>(.*?)</td></tr>", text)
    assert ("Ny barnehage sør", "2024 → 2026") in [r[:2] for r in rows]
    table = re.search(r'id="answer-table".*?<tbody>(.*?)</tbody>', text, re.S).group(1)
    assert table.count('class="c red"') == 3  # the plan as written in 2025 and 2026, the optimum in 2025
    assert re.search(r'id="answer-over">\s*<li><b>2025</b>', text)
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    assert ws.title == title.rstrip(": ") and ws["A1"].value.startswith(title)
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=9, max_col=5)]
    answer = json.loads((out / "optimize.json").read_text())["answer"]
    assert [v[0] for v in values] == answer["years"]
    assert [v[1] for v in values] == answer["plan_debt_ratio_pct"]
    assert [v[2] for v in values] == answer["optimized_debt_ratio_pct"]
    assert any(row[0].value == moves for row in ws.iter_rows(min_col=1, max_col=1))


def test_the_optimised_report_renders_in_chromium(optimised_run: tuple[Path, str], tmp_path: Path):
    from test_report_browser import CHROMIUM, check_rendered

    if CHROMIUM is None:
        pytest.skip("chromium is not on PATH")
    out, _ = optimised_run
    check_rendered(out / "report.html", tmp_path, tmp_path / "optimised.png")
    assert 'id="fig-answer"' in (out / "report.html").read_text(encoding="utf-8")
