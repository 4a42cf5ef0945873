"""Where the debt ceiling binds, and nothing that fails silently (issue 18), on the tiny scenario.

The slack is the finance model's: ceiling · revenue − net debt of the chosen schedule (the verified
debt path), in NOK million and in percentage points of revenue; a year binds when its slack is
below ``BINDING_TOLERANCE_PCT_POINTS``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tiny_finance
from test_optimize import config
from typer.testing import CliRunner

import ltsim.optimize.explain
from ltsim.cli import app
from ltsim.optimize import BINDING_TOLERANCE_PCT_POINTS, build, optimize, shortfall_limits_raised
from ltsim.scenario import load_scenario


def test_slack_is_the_ceiling_less_the_finance_models_debt(tmp_path: Path):
    """Ceiling 80 %: slack = 0.8 · revenue − net debt of the chosen schedule's run, every year; the
    tiny instance's optimum breaks it by 5.5 NOK million in 2025 (−0.56 pp) and leaves 3.74 (0.35 pp)
    in 2027 — both below the half point, so those two years bind and no other does. (3.74 since the
    § 14-18 book value counts assets under construction: a lower minimum in 2026 leaves 1.2 more debt
    in 2027; it was 4.95 before. Measured on this instance, not a hand calculation.)"""
    result = optimize(load_scenario(write_tiny_finance(tmp_path, config(0.80))))
    fin = result.optimized.finance
    slack = 0.80 * fin.revenue_mnok - fin.net_debt_mnok
    assert np.allclose(result.slack_mnok, slack, atol=1e-9)
    assert np.allclose(result.slack_pct_points, 100.0 * slack / fin.revenue_mnok, atol=1e-9)
    years = [int(y) for y in result.coefficients.years]
    assert result.binding_years == tuple(y for y, s in zip(years, result.slack_pct_points, strict=True) if s < 0.5)
    assert BINDING_TOLERANCE_PCT_POINTS == 0.5 and result.binding_years == (2025, 2027)
    assert result.slack_mnok[years.index(2025)] == pytest.approx(-5.49, abs=0.01)
    assert result.slack_mnok[years.index(2027)] == pytest.approx(3.74, abs=0.01)
    # every binding year, and every year active in the relaxation, has a record with its figures
    records = {b["year"]: b for b in result.binding_constraints}
    assert set(records) == set(result.binding_years) | set(result.relaxation_active_years)
    for y, b in records.items():
        t = years.index(y)
        assert b["rule"] == "debt_ratio"
        assert b["slack_mnok"] == pytest.approx(result.slack_mnok[t])
        assert b["slack_pct_points"] == pytest.approx(result.slack_pct_points[t])
        assert b["binding"] == (y in result.binding_years)
        assert b["active_in_relaxation"] == (y in result.relaxation_active_years)
    # on this instance the relaxation is tight wherever the schedule has (almost) no room
    assert set(result.binding_years) <= set(result.relaxation_active_years)


def test_every_year_over_the_ceiling_in_every_schedule_binds_and_is_active_in_the_relaxation(tmp_path: Path):
    """Ceiling 20 %: the opening debt alone is 80 % of revenue, so every schedule — fractional ones too —
    breaks the ceiling every year; the breach variable then takes the excess and the row is tight."""
    result = optimize(load_scenario(write_tiny_finance(tmp_path, config(0.20))))
    years = tuple(int(y) for y in result.coefficients.years)
    assert (result.slack_mnok < 0).all()
    assert result.binding_years == years and result.relaxation_active_years == years


def test_a_loose_ceiling_binds_nowhere(tmp_path: Path):
    """Ceiling 120 %: at least 32 pp of room every year, and the relaxation's optimum is the plan, with no row tight."""
    result = optimize(load_scenario(write_tiny_finance(tmp_path, config(1.20))))
    assert (result.slack_pct_points > 30).all()
    assert result.binding_years == () and result.relaxation_active_years == ()
    assert result.binding_constraints == []


def test_optimize_json_and_the_cli_show_the_slack(tmp_path: Path):
    path = write_tiny_finance(tmp_path / "s", config(0.80))
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["optimize", str(path), "--out", str(out), "--no-report"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "optimize.json").read_text())
    binding = {b["year"]: b for b in report["binding_constraints"] if b["binding"]}
    assert set(binding) == {2025, 2027}
    assert {"rule", "year", "slack_mnok", "slack_pct_points", "active_in_relaxation"} <= set(binding[2025])
    assert report["binding_tolerance_pct_points"] == 0.5
    path_2027 = next(r for r in report["debt_path"] if r["year"] == 2027)
    assert path_2027["slack_mnok"] == pytest.approx(binding[2027]["slack_mnok"])
    text = " ".join(res.output.split())
    assert (
        "binds (slack under 0.5 pp of revenue) in: 2025 (-5.5 NOK million, -0.56 pp), 2027 (3.7 NOK million, 0.35 pp)"
        in text
    )
    assert "active in the LP relaxation: 2025–2027" in text
    from types import SimpleNamespace

    from ltsim.report.data import optimisation_summary

    assert optimisation_summary(SimpleNamespace(optimize=report))["binding"] == [2025, 2027]


def test_a_failed_re_solve_for_one_more_point_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the solver found no schedule (Not Solved); allow more time (time_limit)")

    monkeypatch.setattr(ltsim.optimize.explain, "solve_milp", fail)
    path = write_tiny_finance(tmp_path / "s", config(0.85))
    result = optimize(load_scenario(path))
    assert result.value_of_one_point is None and result.value_of_one_point_place_years is None
    assert result.value_of_one_point_failure == (
        "the re-solve with the ceiling one point higher failed: the solver found no schedule (Not Solved); "
        "allow more time (time_limit)"
    )
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["optimize", str(path), "--out", str(out), "--no-report"])
    assert res.exit_code == 0, res.output
    one_point = json.loads((out / "optimize.json").read_text())["value_of_one_more_point_of_ceiling"]
    assert one_point["objective"] is None and one_point["failure"] == result.value_of_one_point_failure
    assert "No value of one more percentage point of ceiling: the re-solve" in " ".join(res.output.split())


def test_a_raised_shortfall_limit_is_listed(tmp_path: Path):
    """Kindergarten, zone south, 2026: the gap is 46.89 places and the one project that reaches it (in
    service from 2026 if started in 2024) adds 30, so no schedule gets under 16.89 short: the limit 0
    is raised to that."""
    path = write_tiny_finance(tmp_path / "s", config(0.85, max_shortfall_places={"kindergarten": 0}))
    raised = shortfall_limits_raised(build(load_scenario(path)))
    assert len(raised) == 1
    row = raised[0]
    assert (row["service"], row["zone"], row["year"], row["limit_places"]) == ("kindergarten", "south", 2026, 0.0)
    assert row["raised_to_places"] == pytest.approx(46.894 - 30.0, abs=1e-3)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["optimize", str(path), "--out", str(out), "--no-report"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "optimize.json").read_text())["shortfall_limits_raised"] == [row]
    assert "max_shortfall_places raised to what any schedule can reach in 1 service-zone-year(s): kindergarten / " in (
        " ".join(res.output.split())
    )


def test_a_warm_start_highs_refuses_is_a_note():
    """HiGHS answers ``setSolution`` with a status; anything but kOk is said, and the solve goes on without it."""
    from types import SimpleNamespace

    import highspy
    import pulp

    from ltsim.optimize.solvers import highs_solver

    calls: list[str] = []
    model = SimpleNamespace(setSolution=lambda start: highspy.HighsStatus.kError, run=lambda: calls.append("run"))
    notes: list[str] = []
    highs_solver(pulp, True, notes)(msg=False).callSolver(SimpleNamespace(variables=list, solverModel=model))
    assert calls == ["run"]
    assert notes == ["HiGHS did not take the warm start (kError); solved without it"]
