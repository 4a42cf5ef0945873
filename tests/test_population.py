"""Population model on tiny hand-checkable inputs, plus invariants under hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ltsim.models.population import PopulationInputs, cumulative_improvement, housing_inflow, project


def inputs(
    base: np.ndarray,
    years: int = 1,
    q: float | np.ndarray = 0.0,
    fert: np.ndarray | None = None,
    male_share: float = 0.5,
    out_rate: float | np.ndarray = 0.0,
    in_persons: np.ndarray | None = None,
    in_profile: np.ndarray | None = None,
    housing: np.ndarray | None = None,
    control: np.ndarray | None = None,
) -> PopulationInputs:
    """Model inputs on a small grid; everything not given is zero (or no control)."""
    n_areas, _, n_ages = base.shape
    profile = np.zeros((n_areas, 2, n_ages)) if in_profile is None else in_profile
    if in_profile is None:
        profile[:, 0, 0] = 1.0
    return PopulationInputs(
        base_year=2024,
        base_persons=base.astype(float),
        death_rate=np.broadcast_to(np.asarray(q, dtype=float), (years, 2, n_ages)).copy(),
        fertility_rate=np.zeros((years, n_ages)) if fert is None else np.broadcast_to(fert, (years, n_ages)).copy(),
        male_share_at_birth=male_share,
        out_rate=np.broadcast_to(np.asarray(out_rate, dtype=float), (2, n_ages)).copy(),
        out_scale=np.ones((years, n_areas)),
        in_persons=np.zeros((years, n_areas)) if in_persons is None else in_persons,
        in_profile=profile,
        housing_in=np.zeros((years, n_areas, 2, n_ages)) if housing is None else housing,
        control_total=np.full(years, np.nan) if control is None else control,
    )


def one_area(female: list[float], male: list[float] | None = None) -> np.ndarray:
    male = male if male is not None else [0.0] * len(female)
    return np.array([[female, male]], dtype=float)


def test_ageing_moves_everyone_one_year_and_keeps_the_open_class():
    res = project(inputs(one_area([10, 20, 30], [1, 2, 3])))
    # ages 0,1,2+: age 0 empties (no births), 10 → age 1, 20 + 30 stay in the open class 2+.
    assert res.persons[1, 0, 0].tolist() == [0, 10, 50]
    assert res.persons[1, 0, 1].tolist() == [0, 1, 5]
    assert res.years.tolist() == [2024, 2025]


def test_deaths_apply_to_the_stock_on_1_january():
    res = project(inputs(one_area([100, 100, 100]), q=0.1))
    assert res.persons[1, 0, 0].tolist() == pytest.approx([0, 90, 180])
    assert res.deaths[0, 0] == pytest.approx(30)


def test_out_migration_applies_to_survivors():
    # 100 persons aged 0: 50 die (q = 0.5), 20 % of the 50 survivors leave = 10, 40 turn 1.
    res = project(inputs(one_area([100, 0, 0]), q=0.5, out_rate=0.2))
    assert res.deaths[0, 0] == pytest.approx(50)
    assert res.migration_out[0, 0] == pytest.approx(10)
    assert res.persons[1, 0, 0, 1] == pytest.approx(40)


def test_births_split_by_sex_with_half_a_year_of_infant_mortality():
    # 100 women aged 1 with fertility 0.5 → 50 births; 51.2 % boys; q0 = 0.2 on half a year.
    fert = np.array([0.0, 0.5, 0.0])
    q = np.zeros((2, 3))
    q[:, 0] = 0.2
    res = project(inputs(one_area([0, 100, 0]), q=q, fert=fert, male_share=0.512))
    assert res.births[0, 0] == pytest.approx(50)
    assert res.births_by_sex[0, 0].tolist() == pytest.approx([24.4, 25.6])
    # infants alive on 1 January: births × (1 − 0.2 × 0.5)
    assert res.persons[1, 0, 0, 0] == pytest.approx(24.4 * 0.9)
    assert res.persons[1, 0, 1, 0] == pytest.approx(25.6 * 0.9)
    assert res.deaths[0, 0] == pytest.approx(50 * 0.1)


def test_in_migrants_arrive_by_age_on_1_january_of_the_next_year():
    profile = np.zeros((2, 2, 3))
    profile[:, 1, 2] = 1.0  # all male, aged 2+
    base = np.zeros((2, 2, 3))
    res = project(inputs(base, years=2, in_persons=np.array([[10.0, 0.0], [5.0, 4.0]]), in_profile=profile))
    assert res.persons[1, :, 1, 2].tolist() == [10, 0]
    assert res.persons[2, :, 1, 2].tolist() == [15, 4]
    assert res.migration_in.tolist() == [[10, 0], [5, 4]]


def test_housing_inflow_follows_years_since_completion():
    # 10 dwellings of type 0 completed in year 0 and 4 in year 1 in area 0.
    dwellings = np.zeros((1, 2, 3))
    dwellings[0, 0, 0] = 10
    dwellings[0, 0, 1] = 4
    occ = np.zeros((1, 2, 2, 3))
    occ[0, 0, 0, 1] = 2.0  # completion year: 2 women aged 1 per dwelling
    occ[0, 1, 1, 0] = 0.5  # one year later: half a boy aged 0 per dwelling
    flow = housing_inflow(dwellings, occ)
    assert flow.shape == (3, 2, 2, 3)
    assert flow[0, 0, 0, 1] == 20
    assert flow[1, 0, 0, 1] == 8 and flow[1, 0, 1, 0] == 5
    assert flow[2, 0, 1, 0] == 2 and flow[2, 0, 0, 1] == 0  # nothing beyond the last lag given
    assert flow[:, 1].sum() == 0


def test_housing_inflow_enters_the_stock_and_the_change_table():
    housing = np.zeros((1, 1, 2, 3))
    housing[0, 0, 0, 1] = 20
    res = project(inputs(one_area([0, 0, 0]), housing=housing))
    assert res.persons[1, 0, 0, 1] == 20
    assert res.housing_in[0, 0] == 20


def test_control_total_rescales_and_keeps_the_distribution():
    base = np.zeros((2, 2, 3))
    base[0, 0] = [10, 20, 30]
    base[1, 1] = [40, 0, 0]
    res = project(inputs(base, control=np.array([200.0])))
    free = project(inputs(base))
    assert res.totals()[1] == pytest.approx(200)
    # same shape as without control, scaled by 200 / 100
    assert np.allclose(res.persons[1], free.persons[1] * 2)
    assert res.control_adjustment[0].tolist() == pytest.approx([60, 40])


def test_no_control_in_a_year_without_a_figure():
    base = one_area([10, 10, 10])
    res = project(inputs(base, years=2, control=np.array([np.nan, 60.0])))
    assert res.control_adjustment[0, 0] == 0
    assert res.totals()[2] == pytest.approx(60)


def test_cumulative_improvement_per_sex():
    m = cumulative_improvement(np.array([[0.1, 0.2], [0.1, 0.2], [0.5, 0.5]]))
    assert np.allclose(m, [[1, 1], [0.9, 0.8], [0.81, 0.64]])


# ---------------------------------------------------------------- invariants


@st.composite
def random_inputs(draw: st.DrawFn) -> PopulationInputs:
    n_areas = draw(st.integers(1, 3))
    n_ages = draw(st.integers(2, 7))
    years = draw(st.integers(1, 4))
    unit = st.floats(0, 1, allow_nan=False)
    persons = st.floats(0, 1e4, allow_nan=False)
    base = draw(arrays(float, (n_areas, 2, n_ages), elements=persons))
    q = draw(arrays(float, (years, 2, n_ages), elements=unit))
    fert = draw(arrays(float, (years, n_ages), elements=st.floats(0, 0.3)))
    out_rate = draw(arrays(float, (2, n_ages), elements=unit))
    out_scale = draw(arrays(float, (years, n_areas), elements=unit))
    in_persons = draw(arrays(float, (years, n_areas), elements=persons))
    raw_profile = draw(arrays(float, (n_areas, 2, n_ages), elements=st.floats(0.01, 1)))
    housing = draw(arrays(float, (years, n_areas, 2, n_ages), elements=st.floats(0, 100)))
    control = draw(arrays(float, years, elements=st.one_of(st.just(np.nan), st.floats(1, 1e5, allow_nan=False))))
    base[0, 0, 0] += 1.0  # a control total needs someone to scale
    return PopulationInputs(
        base_year=2024,
        base_persons=base,
        death_rate=q,
        fertility_rate=fert,
        male_share_at_birth=draw(st.floats(0.4, 0.6)),
        out_rate=out_rate,
        out_scale=out_scale,
        in_persons=in_persons,
        in_profile=raw_profile / raw_profile.sum(axis=(1, 2), keepdims=True),
        housing_in=housing,
        control_total=control,
    )


@settings(max_examples=200, deadline=None)
@given(random_inputs())
def test_population_is_conserved_and_never_negative(inp: PopulationInputs):
    res = project(inp)
    stock = res.persons.sum(axis=(2, 3))
    change = res.births - res.deaths + res.migration_in - res.migration_out + res.housing_in + res.control_adjustment
    scale = max(1.0, float(np.abs(res.persons).max()))
    assert np.allclose(stock[1:] - stock[:-1], change, rtol=0, atol=1e-9 * scale * res.persons.shape[-1])
    assert (res.persons >= -1e-9 * scale).all()
    assert (res.deaths >= 0).all() and (res.migration_out >= 0).all() and (res.births >= 0).all()
    finite = ~np.isnan(inp.control_total)
    assert np.allclose(res.totals()[1:][finite], inp.control_total[finite], rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(random_inputs())
def test_projection_is_deterministic(inp: PopulationInputs):
    a, b = project(inp), project(inp)
    assert np.array_equal(a.persons, b.persons)
