"""The Asker review batch (scenarios/asker/reviews/school-structure.yaml): expansion and validation only.

No scenario is run here (the batch itself is timed by `make bench`); every one of the 24 combinations
must load and validate, and each axis must change what it says it changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ltsim.batch import load_batch
from ltsim.scenario import scenario_from_data

BATCH = Path(__file__).resolve().parents[1] / "scenarios" / "asker" / "reviews" / "school-structure.yaml"
SCHOOL = "skole_ny_sentrumsskole"


@pytest.fixture(scope="module")
def batch():
    return load_batch(BATCH)


@pytest.fixture(scope="module")
def scenarios(batch):
    return {item.key: (item, scenario_from_data(item.raw, item.smap, batch.file)) for item in batch.scenarios}


def test_expands_to_24_uniquely_named_scenarios(batch):
    assert batch.axis_names == ("pop", "measure", "rate")
    assert [len(v) for v in batch.spec.axes.values()] == [3, 4, 2]
    assert batch.spec.reps == 1
    assert len(batch.scenarios) == 24
    assert len({s.key for s in batch.scenarios}) == 24
    assert len({s.raw["name"] for s in batch.scenarios}) == 24
    assert batch.scenarios[0].key == "pop=base,measure=none,rate=budget"


def test_every_scenario_validates(scenarios):
    assert len(scenarios) == 24
    hashes = {sc.hash for _, sc in scenarios.values()}
    assert len(hashes) == 24  # every combination is a different scenario
    for item, sc in scenarios.values():
        assert sc.projects is not None and not sc.projects.stochastic
        assert sc.config.finance is not None
        assert sc.services.capacity is not None, item.key


def test_axes_change_what_they_say(scenarios):
    for item, sc in scenarios.values():
        measure, rate, pop = item.values["measure"], item.values["rate"], item.values["pop"]
        merged = "school_merge_south" in sc.config.capacity.active_measures
        assert merged == (measure in ("merge-south", "merge-early")), item.key
        early = sc.config.projects.defer.get(SCHOOL, 0) == -1
        assert early == (measure in ("school-early", "merge-early")), item.key
        rate_2030 = float(sc.config.finance.debt.interest_rate.at([2030])[0])
        assert (rate_2030 == pytest.approx(0.06)) == (rate == "stress"), item.key
        in_scale = float(sc.config.population.migration.in_scale.at([2030])[0])
        assert in_scale == pytest.approx({"base": 1.0, "low": 0.97, "high": 1.03}[pop]), item.key


def test_earlier_school_keeps_planned_start_within_window(scenarios):
    _, sc = scenarios["pop=base,measure=school-early,rate=budget"]
    _, base = scenarios["pop=base,measure=none,rate=budget"]
    p = sc.projects.ids.index(SCHOOL)
    pb = base.projects.ids.index(SCHOOL)
    assert sc.projects.inputs.planned_start[p] == base.projects.inputs.planned_start[pb] - 1
    assert sc.projects.inputs.planned_start[p] >= sc.projects.inputs.earliest_start[p]


def test_debt_ceiling_review_expands_and_each_axis_changes_what_it_says():
    """reviews/debt-ceiling.yaml: 3 ceilings × 2 housing policies, each optimised; the housing axis
    switches the housing moves off (no developments), the ceiling axis sets the ceiling."""
    review = load_batch(BATCH.parent / "debt-ceiling.yaml")
    assert review.spec.optimize and len(review.scenarios) == 6
    from ltsim.optimize import movable_developments

    seen = set()
    for item in review.scenarios:
        sc = scenario_from_data(item.raw, item.smap, review.file)
        ceiling = {"c095": 0.95, "c100": 1.0, "c105": 1.05}[item.key.split(",")[0].split("=")[1]]
        assert sc.config.optimize.debt_ratio_ceiling == ceiling
        assert sc.config.optimize.max_shortfall_places == {"primary_school": 0, "lower_secondary": 0}
        moved = movable_developments(sc)
        assert len(moved) == (21 if "housing=moved" in item.key else 0)
        seen.add(item.key)
    assert len(seen) == 6
