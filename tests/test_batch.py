"""Batches: expansion, excludes, resumability, failures, process pool vs a Dask LocalCluster."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import write_tiny_services

from ltsim.batch import load_batch, run_batch
from ltsim.errors import InputError


def write_batch(root: Path, **over) -> Path:
    base = write_tiny_services(root / "base")
    (root / "base" / "low.yaml").write_text(
        "extends: scenario.yaml\nname: tiny-low\npopulation:\n  migration:\n    in_scale: 0.5\n", encoding="utf-8"
    )
    spec = {
        "name": "tiny-batch",
        "base": str(base.relative_to(root)),
        "axes": {
            "pop": {"base": {}, "low": "base/low.yaml"},
            "measure": {"none": {}, "merge": {"capacity": {"active_measures": ["merge_south"]}}},
            "mortality": {"plan": {}, "faster": {"population": {"mortality": {"improvement": 0.03}}}},
        },
        "exclude": [{"pop": "low", "measure": "merge"}],
    }
    spec.update(over)
    path = root / "batch.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def test_expansion_and_excludes(tmp_path: Path):
    batch = load_batch(write_batch(tmp_path))
    keys = [s.key for s in batch.scenarios]
    # 2 × 2 × 2 = 8, minus the 2 combinations with pop=low and measure=merge
    assert len(keys) == 6
    assert keys[0] == "pop=base,measure=none,mortality=plan"
    assert "pop=low,measure=merge,mortality=plan" not in keys
    low = next(s for s in batch.scenarios if s.values == {"pop": "low", "measure": "none", "mortality": "faster"})
    assert low.raw["population"]["migration"]["in_scale"] == 0.5  # from the variant file
    assert low.raw["population"]["mortality"]["improvement"] == 0.03  # from the inline override
    assert low.raw["population"]["mortality"]["rates"] == "data/mortality.csv"  # the base's sibling keys stay
    assert low.raw["name"] == "tiny-batch.pop-low_measure-none_mortality-faster"


def test_bad_exclude_and_missing_variant_file(tmp_path: Path):
    path = write_batch(tmp_path, exclude=[{"pop": "medium"}])
    with pytest.raises(InputError) as info:
        load_batch(path)
    assert "exclude[0].pop: found 'medium'; expected axis values that exist ('pop' has base, low)" in str(info.value)
    path = write_batch(tmp_path / "b", axes={"pop": {"x": "nowhere.yaml"}})
    with pytest.raises(InputError) as info:
        load_batch(path)
    assert "axes.pop.x: found 'nowhere.yaml' (no such file)" in str(info.value)


def test_rerun_skips_completed_scenarios_and_gives_the_same_summary(tmp_path: Path):
    batch = load_batch(write_batch(tmp_path))
    out = tmp_path / "out"
    first = run_batch(batch, out, workers=1)
    assert [o.status for o in first.outcomes] == ["ok"] * 6
    summary = (out / "summary.csv").read_bytes()
    # "kill after 4 scenarios": remove the last two folders, rerun
    for item in batch.scenarios[4:]:
        shutil.rmtree(out / item.key)
    again = run_batch(batch, out, workers=1)
    assert [o.status for o in again.outcomes] == ["skipped"] * 4 + ["ok"] * 2
    assert (out / "summary.csv").read_bytes() == summary
    third = run_batch(batch, out, workers=1)
    assert {o.status for o in third.outcomes} == {"skipped"}


def test_rerun_of_a_complete_batch_loads_no_scenario_and_keeps_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import ltsim.batch as batch_module

    batch = load_batch(write_batch(tmp_path))
    out = tmp_path / "out"
    run_batch(batch, out, workers=2)
    files = {n: (out / n).read_bytes() for n in ("summary.csv", "comparison.csv", "batch.json")}

    def not_run(*args: Any, **kw: Any) -> None:
        raise AssertionError("a complete scenario was loaded or run again")

    monkeypatch.setattr(batch_module, "run_one", not_run)
    monkeypatch.setattr(batch_module, "write_summary", not_run)
    again = run_batch(batch, out, workers=2)
    assert again.unchanged and {o.status for o in again.outcomes} == {"skipped"}
    assert {n: (out / n).read_bytes() for n in files} == files
    assert [o.scenario_hash for o in again.outcomes] == [
        s["hash"] for s in json.loads(files["batch.json"])["scenarios"]
    ]


def test_rerun_after_an_input_table_changed_runs_the_scenarios_again(tmp_path: Path):
    batch = load_batch(write_batch(tmp_path))
    out = tmp_path / "out"
    run_batch(batch, out, workers=1)
    table = tmp_path / "base" / "data" / "facilities.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("300", "310"), encoding="utf-8")
    again = run_batch(load_batch(tmp_path / "batch.yaml"), out, workers=1)
    assert not again.unchanged and {o.status for o in again.outcomes} == {"ok"}


def test_a_failing_scenario_does_not_stop_the_batch(tmp_path: Path):
    path = write_batch(
        tmp_path,
        axes={"housing": {"ok": {}, "bad": {"population": {"housing": {"realisation": 80}}}}},
        exclude=[],
    )
    result = run_batch(load_batch(path), tmp_path / "out", workers=1)
    status = {o.key: o for o in result.outcomes}
    assert status["housing=ok"].status == "ok"
    assert status["housing=bad"].status == "failed"
    assert "write 0.8 for 80 %" in status["housing=bad"].error
    assert set(pd.read_csv(tmp_path / "out" / "summary.csv").scenario) == {"housing=ok"}
    import json

    manifest = json.loads((tmp_path / "out" / "batch.json").read_text())
    assert [s["status"] for s in manifest["scenarios"]] == ["ok", "failed"]


def test_comparison_has_deltas_from_the_base(tmp_path: Path):
    run_batch(load_batch(write_batch(tmp_path)), tmp_path / "out", workers=1)
    comp = pd.read_csv(tmp_path / "out" / "comparison.csv").set_index("scenario")
    base = comp.loc["pop=base,measure=none,mortality=plan"]
    assert base.delta_population_end == 0
    low = comp.loc["pop=low,measure=none,mortality=plan"]
    assert low.delta_population_end == pytest.approx(low.population_end - base.population_end, abs=1e-3)
    assert low.population_end < base.population_end


def test_process_pool_and_dask_local_cluster_give_identical_results(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    batch = load_batch(write_batch(tmp_path))
    run_batch(batch, tmp_path / "pool", workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_batch(batch, tmp_path / "dask", dask=cluster.scheduler_address)
    assert {o.status for o in result.outcomes} == {"ok"}
    for name in ("summary.csv", "comparison.csv"):
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    for item in batch.scenarios:
        for table in ("population.csv", "capacity.csv"):
            assert (tmp_path / "pool" / item.key / table).read_bytes() == (
                tmp_path / "dask" / item.key / table
            ).read_bytes()


def optimised_batch(tmp_path: Path, axes: dict, **extra: Any) -> tuple[Path, Path, Any]:
    """The tiny finance scenario (ceiling 85 %) under ``axes``, each scenario optimised; (batch file, out, result)."""
    from conftest import finance_config, write_tiny_finance

    cfg = finance_config()
    cfg["optimize"] = {"debt_ratio_ceiling": 0.85, "max_deferral_years": 2}
    base = write_tiny_finance(tmp_path / "base", cfg)
    spec = {"name": "opt-batch", "base": str(base.relative_to(tmp_path)), "axes": axes, "optimize": True, **extra}
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(load_batch(path), out, workers=1)
    assert {o.status for o in result.outcomes} == {"ok"}
    return path, out, result


def test_batch_with_optimised_deferral(tmp_path: Path):
    rate = {"budget": {}, "stress": {"finance": {"debt": {"interest_rate": 0.06}}}}
    path, out, result = optimised_batch(tmp_path, {"rate": rate})
    for o in result.outcomes:
        assert (out / o.key / "schedule.csv").is_file() and (out / o.key / "optimize.json").is_file()
    comparison = pd.read_csv(out / "comparison.csv")
    assert "optimised_deferrals" in comparison.columns
    again = run_batch(load_batch(path), out, workers=1)
    assert {o.status for o in again.outcomes} == {"skipped"}


def test_batch_compares_housing_held_fixed_and_moved_by_the_optimiser(tmp_path: Path):
    movable = {"optimize": {"housing": {"max_deferral_years": 2, "penalty_per_dwelling_year": 0.05}}}
    _, out, result = optimised_batch(tmp_path, {"housing": {"fixed": {}, "movable": movable}})
    files = {o.key: (out / o.key / "housing_schedule.csv").is_file() for o in result.outcomes}
    assert sorted(files.values()) == [False, True]  # only the scenario with the switch moves housing
    comparison = pd.read_csv(out / "comparison.csv").set_index("scenario")
    moved = comparison["optimised_housing_dwelling_years"]
    assert moved.notna().sum() == 1 and (moved.dropna() > 0).all()  # the tiny case defers Nordbyen


def test_batch_monte_carlo_is_of_the_optimised_plan(tmp_path: Path):
    """With optimize and reps, the replications are of the plan the folder holds: no draws are configured
    (every replication is the plan), so each deferred project completes in its chosen year in all of them."""
    _, out, result = optimised_batch(tmp_path, {"rate": {"budget": {}}}, reps=5)
    folder = out / result.outcomes[0].key
    schedule = pd.read_csv(folder / "schedule.csv")
    reps = pd.read_csv(folder / "replication_projects.csv")
    deferred = schedule[schedule.deferred_years > 0]
    assert len(deferred)
    for r in deferred.itertuples():
        assert set(reps[reps.project == r.project].completion_year) == {r.completion_year}, r.project
