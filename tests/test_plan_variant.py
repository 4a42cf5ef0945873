"""A plan replayed as a scenario variant (issue 17 item 5): ``ltsim plan --variant`` then ``ltsim run`` on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from plan_fixtures import write_tiny_plan
from typer.testing import CliRunner

from ltsim import pipeline
from ltsim.cli import app
from ltsim.planning.replay import basis_hash
from ltsim.scenario import load_scenario


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The tiny plan solved once: (scenario, plan run folder, variant file in a sibling folder)."""
    root = tmp_path_factory.mktemp("variant")
    path = write_tiny_plan(root / "base")
    variant = root / "variants" / "planned.yaml"
    variant.parent.mkdir()
    res = CliRunner().invoke(
        app, ["plan", str(path), "--out", str(root / "plan"), "--no-report", "--variant", str(variant)]
    )
    assert res.exit_code == 0, res.output
    return path, root / "plan", variant


def run_folder(scenario: Path, out: Path, *args: str) -> Path:
    res = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), *args])
    assert res.exit_code == 0, res.output
    return out


def test_variant_extends_by_relative_path_and_replays_the_plan(planned, tmp_path: Path):
    path, plan_dir, variant = planned
    text = variant.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["extends"] == "../base/" + path.name
    assert data["plan"]["builds"], "the tiny plan builds something"
    out = run_folder(variant, tmp_path / "run", "--no-report")
    mine = pd.read_csv(out / "finance.csv")
    theirs = pd.read_csv(plan_dir / "finance.csv")
    pd.testing.assert_frame_equal(mine, theirs)  # the same finance, line by line
    # the plan's findings come back as they were found (rounded to 0.001 NOK million in the variant)
    found = pd.read_csv(out / "plan_affordability.csv").sort_values(["service", "year"]).reset_index(drop=True)
    made = pd.read_csv(plan_dir / "plan_affordability.csv").sort_values(["service", "year"]).reset_index(drop=True)
    np.testing.assert_allclose(found.gap_mnok, made.gap_mnok, atol=2e-3)
    assert (out / "plan_tradeoff.csv").is_file()


def test_replayed_tables_match_the_plan(planned, tmp_path: Path):
    """Builds, their place-years closed and the debt with/without agree with ltsim plan's own tables."""
    _, plan_dir, variant = planned
    out = run_folder(variant, tmp_path / "run", "--no-report")
    mine = pd.read_csv(out / "plan_builds.csv").sort_values(["start_year", "site"]).reset_index(drop=True)
    theirs = pd.read_csv(plan_dir / "plan_builds.csv").sort_values(["start_year", "site"]).reset_index(drop=True)
    cols = ["kind", "type", "site", "service", "zone", "start_year", "completion_year"]
    pd.testing.assert_frame_equal(mine[cols], theirs[cols], check_dtype=False)
    np.testing.assert_allclose(mine.places, theirs.places)
    np.testing.assert_allclose(mine.gross_cost_mnok, theirs.gross_cost_mnok)
    np.testing.assert_allclose(mine.place_years_closed, theirs.place_years_closed, atol=1e-6)
    debt = pd.read_csv(out / "plan_debt.csv")
    # without = the variant with its builds and closures emptied (the catalogue's moves kept), written by hand
    bare = variant.parent / "bare.yaml"
    bare.write_text(f"extends: {variant.name}\nplan:\n  builds: []\n  closed: []\n", encoding="utf-8")
    try:
        without = pipeline.run(load_scenario(bare), stochastic=False)
    finally:
        bare.unlink()
    np.testing.assert_allclose(debt.debt_without_mnok, without.finance.net_debt_mnok, atol=1e-6)
    plan_debt = pd.read_csv(plan_dir / "plan_debt.csv")
    np.testing.assert_allclose(debt.debt_with_mnok, plan_debt.debt_with_mnok, atol=1e-6)
    assert "debt_predicted_mnok" not in debt.columns  # a run has no superposition to show


def test_basis_is_the_same_for_the_scenario_and_its_plan(planned):
    path, _, variant = planned
    assert basis_hash(load_scenario(path)) == basis_hash(load_scenario(variant))
    assert yaml.safe_load(variant.read_text(encoding="utf-8"))["plan"]["found"]["basis_sha256"] == basis_hash(
        load_scenario(path)
    )


def test_changed_scenario_makes_the_findings_stale(planned, tmp_path: Path):
    """A variant of the variant that changes a setting the plan does not set: the run says its findings are stale."""
    import json

    _, _, variant = planned
    edited = variant.parent / "edited.yaml"
    edited.write_text(f"extends: {variant.name}\nname: edited\nplan:\n  discount_rate: 0.03\n", encoding="utf-8")
    try:
        out = run_folder(edited, tmp_path / "run")
        status = json.loads((out / "plan_found.json").read_text(encoding="utf-8"))
        assert status["stale"] is True
        html = (out / "report.html").read_text(encoding="utf-8")
        assert 'class="alert red" id="plan-found"' in html
    finally:
        edited.unlink()
    same = run_folder(variant, tmp_path / "same", "--no-report")
    assert json.loads((same / "plan_found.json").read_text(encoding="utf-8"))["stale"] is False


def test_hand_written_builds_get_the_section_without_a_need(tmp_path: Path):
    """Builds written by hand (no plan.found): builds and debt with/without, the spend per year, no gap claimed."""
    path = write_tiny_plan(tmp_path, plan={"builds": [{"type": "kg_modules", "site": "kg_north", "start_year": 2026}]})
    out = run_folder(path, tmp_path / "run")
    builds = pd.read_csv(out / "plan_builds.csv")
    assert list(builds.site) == ["kg_north"] and builds.start_year.iloc[0] == 2026
    assert not (out / "plan_affordability.csv").exists() and not (out / "plan_found.json").exists()
    debt = pd.read_csv(out / "plan_debt.csv")
    assert (debt.debt_with_mnok >= debt.debt_without_mnok - 1e-9).all()  # a build adds borrowing, never less
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="fig-plan-investment"' in html and 'id="plan-found"' not in html
    spend = pd.read_csv(out / "project_spend.csv")
    ours = spend[spend.project == "plan_kg_north_kg_modules_2026"].spend_mnok.sum()
    assert ours == pytest.approx(builds.gross_cost_mnok.iloc[0])  # the build's spend is its gross cost


def test_variant_refuses_a_file_it_did_not_write(planned, tmp_path: Path):
    path, _, _ = planned
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: mine\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["plan", str(path), "--out", str(tmp_path / "o"), "--variant", str(mine)])
    assert res.exit_code == 2
    assert "--variant" in res.output and "first line" in " ".join(res.output.split())
    assert mine.read_text(encoding="utf-8") == "name: mine\n"
    assert not (tmp_path / "o").exists()
    res = CliRunner().invoke(app, ["plan", str(path), "--out", str(tmp_path / "o"), "--variant", str(tmp_path / "v")])
    assert res.exit_code == 2 and ".yaml" in res.output
