"""Demand and capacity models on hand-checkable inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ltsim.models.capacity import (
    CHANGE_OF_USE,
    CLOSURE,
    EXTENSION,
    MERGER,
    NEVER,
    Events,
    Register,
    ledger,
    service_capacity,
    summarise_gap,
)
from ltsim.models.demand import ServiceInputs, service_demand

YEARS = np.arange(2024, 2029)


def persons_grid(
    n_years: int, by_area_age: dict[tuple[int, int], float], n_areas: int = 2, n_ages: int = 8
) -> np.ndarray:
    p = np.zeros((n_years, n_areas, 2, n_ages))
    for (area, age), n in by_area_age.items():
        p[:, area, 0, age] = n / 2
        p[:, area, 1, age] = n / 2
    return p


def test_area_split_across_zones_conserves_children():
    # area 0 lies 70 % in zone 0 and 30 % in zone 1; area 1 wholly in zone 1.
    persons = persons_grid(1, {(0, 6): 100, (0, 7): 50, (1, 6): 40})
    coverage = np.zeros((1, 8))
    coverage[0, 6:8] = 1.0
    share = np.array([[0.7, 0.3], [0.0, 1.0]])
    d = service_demand(persons, ServiceInputs(coverage, np.ones(8), np.zeros(1), share))
    assert d.users[0].tolist() == pytest.approx([105, 45 + 40])
    assert d.users.sum() == pytest.approx(190)  # all children counted once


def test_children_under_three_count_as_two_places_and_private_share():
    persons = persons_grid(1, {(0, 1): 10, (0, 4): 20}, n_areas=1)
    coverage = np.zeros((1, 8))
    coverage[0, 1] = 0.9
    coverage[0, 4] = 0.95
    weight = np.ones(8)
    weight[1:3] = 2.0
    d = service_demand(persons, ServiceInputs(coverage, weight, np.array([0.25]), np.ones((1, 1))))
    assert d.users[0, 0] == pytest.approx(9 + 19)
    assert d.places[0, 0] == pytest.approx(18 + 19)
    assert d.municipal_places[0, 0] == pytest.approx(37 * 0.75)


def register(cap, opens, closes, service, util=None) -> Register:
    n = len(cap)
    return Register(
        capacity_places=np.asarray(cap, float),
        opens=np.asarray(opens),
        closes=np.asarray(closes),
        service=np.asarray(service),
        utilisation=np.ones(n) if util is None else np.asarray(util, float),
    )


def events(*rows) -> Events:
    """rows: (year, kind, facility, places, to_facility, to_service)."""
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    return Events(
        year=np.asarray(cols[0], int),
        kind=np.asarray(cols[1], int),
        facility=np.asarray(cols[2], int),
        places=np.asarray(cols[3], float),
        to_facility=np.asarray(cols[4], int),
        to_service=np.asarray(cols[5], int),
    )


def test_opening_and_closing_years():
    reg = register([300, 200], [2020, 2026], [2027, NEVER], [0, 0])
    led = ledger(reg, events(), YEARS)
    assert led.places[0].tolist() == [300, 300, 300, 0, 0]  # closes 2027: last year 2026
    assert led.places[1].tolist() == [0, 0, 200, 200, 200]  # opens 2026


def test_two_zones_one_school_closure_and_merger():
    # school A (zone 0, 300 places), school B (zone 1, 200), school C (zone 1, 100)
    reg = register([300, 200, 100], [2000, 2000, 2000], [NEVER] * 3, [0, 0, 0], util=[0.9, 1.0, 1.0])
    ev = events(
        (2025, EXTENSION, 0, 60, -1, -1),  # A +60 from 2025
        (2026, MERGER, 2, np.nan, 1, -1),  # C merges into B from 2026
        (2028, CLOSURE, 0, np.nan, -1, -1),  # A closes 2028
    )
    led = ledger(reg, ev, YEARS)
    assert led.places[0].tolist() == [300, 360, 360, 360, 0]
    assert led.places[1].tolist() == [200, 200, 300, 300, 300]
    assert led.places[2].tolist() == [100, 100, 0, 0, 0]
    capacity, usable = service_capacity(led, reg.utilisation, 0, np.array([0, 1, 1]), 2)
    assert capacity[:, 0].tolist() == [300, 360, 360, 360, 0]
    assert capacity[:, 1].tolist() == [300, 300, 300, 300, 300]  # merger keeps zone 1's places
    assert usable[:, 0].tolist() == pytest.approx([270, 324, 324, 324, 0])


def test_change_of_use_moves_places_to_another_service():
    reg = register([80], [2000], [NEVER], [0])
    led = ledger(reg, events((2026, CHANGE_OF_USE, 0, 40, -1, 1)), YEARS)
    school, _ = service_capacity(led, reg.utilisation, 0, np.array([0]), 1)
    care, _ = service_capacity(led, reg.utilisation, 1, np.array([0]), 1)
    assert school[:, 0].tolist() == [80, 80, 0, 0, 0]
    assert care[:, 0].tolist() == [0, 0, 40, 40, 40]


def test_gap_summary_counts_short_and_idle_place_years():
    s = summarise_gap(YEARS, np.array([-20.0, 0.0, 15.0, 30.0, 5.0]))
    assert s.place_years_short == 50
    assert s.peak_shortfall == 30 and s.peak_year == 2027
    assert s.idle_place_years == 20 and s.idle_places_last_year == 0
    none_short = summarise_gap(YEARS, np.full(5, -3.0))
    assert none_short.peak_year is None and none_short.idle_places_last_year == 3


@settings(max_examples=100, deadline=None)
@given(
    arrays(float, (3, 2, 2, 10), elements=st.floats(0, 1000)),
    arrays(float, (3, 10), elements=st.floats(0, 1)),
    arrays(float, (2, 3), elements=st.floats(0.01, 1)),
)
def test_demand_is_never_negative_and_zones_sum_to_the_municipality(persons, coverage, raw_share):
    share = raw_share / raw_share.sum(axis=1, keepdims=True)
    d = service_demand(persons, ServiceInputs(coverage, np.ones(10), np.zeros(3), share))
    whole = service_demand(persons, ServiceInputs(coverage, np.ones(10), np.zeros(3), np.ones((2, 1))))
    assert (d.places >= 0).all()
    assert np.allclose(d.places.sum(axis=1), whole.places[:, 0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(2024, 2028), st.sampled_from([EXTENSION, CLOSURE])), max_size=6))
def test_capacity_changes_only_in_event_years(rows):
    reg = register([100, 50], [2000, 2000], [NEVER, NEVER], [0, 0])
    ev = events(*[(y, k, 0, 10.0, -1, -1) for y, k in rows])
    led = ledger(reg, ev, YEARS)
    event_years = {y for y, _ in rows}
    for i in range(1, len(YEARS)):
        if YEARS[i] not in event_years:
            assert led.places[0, i] == led.places[0, i - 1]
    assert (led.places[1] == 50).all()
