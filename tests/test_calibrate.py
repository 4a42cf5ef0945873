"""Calibration (issue 19): recovers known parameters from a synthetic history made with the model itself.

The history is projected by :func:`ltsim.models.population.project` from the tiny scenario with
known in-migration by age band, fertility and out-migration multipliers; the calibration sees only
the stocks. The one-year design equals the model exactly, so the fit must return the parameters to
rounding (tolerance 1e-6 relative) when the sexes are observed; without a sex split the stated rule
(the base population's sex ratio by age) is an approximation, and the tolerance is stated there.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ltsim.calibrate import calibrate
from ltsim.io.ssb.observed import Observed
from ltsim.models import calibration as cal
from ltsim.models.population import project
from ltsim.scenario import load_scenario
from ltsim.stages import population_inputs

# [area, band] persons a year; the tiny scenario's last age is 50, so the band 67+ is empty (0)
TRUE_BANDS = np.array([[40.0, 15.0, 60.0, 20.0, 0.0], [25.0, 30.0, 35.0, 10.0, 0.0]])
TRUE_FERTILITY = 1.2
TRUE_OUT = 0.85
FIT_ALL = ("in_level", "in_profile", "fertility", "out_scale")  # one out-migration scale for all areas


def synthetic(tiny: Path, years: int = 5) -> tuple[object, Observed]:
    sc = load_scenario(tiny)
    inp = population_inputs(sc)
    masks = cal.band_masks(inp.in_profile.shape[-1])
    inside = inp.in_profile[:, None] * masks[None, :, None, :]
    mass = inside.sum(axis=(2, 3), keepdims=True)
    shape = np.divide(inside, mass, out=np.zeros_like(inside), where=mass > 0)
    profile = (TRUE_BANDS[:, :, None, None] * shape).sum(axis=1)
    level = TRUE_BANDS.sum(axis=1)
    truth = replace(
        inp,
        fertility_rate=inp.fertility_rate * TRUE_FERTILITY,
        out_scale=inp.out_scale * TRUE_OUT,
        in_persons=np.broadcast_to(level, inp.in_persons.shape).copy(),
        in_profile=profile / level[:, None, None],
    )
    res = project(truth)
    obs = Observed("synthetic", res.years[: years + 1], sc.area_ids, res.persons[: years + 1])
    return sc, obs


def test_calibration_recovers_known_parameters(tiny: Path) -> None:
    sc, obs = synthetic(tiny)
    result = calibrate(sc, obs, until=2029, fit=FIT_ALL)  # out_scale too: a noise-free model history identifies it
    assert "in:north:67+" not in result.fit.names  # no in-migrant of that age in the profile: not a parameter
    value = dict(zip(result.fit.names, result.fit.theta, strict=True))
    assert value["fertility_scale"] == pytest.approx(TRUE_FERTILITY, rel=1e-6)
    assert value["out_scale"] == pytest.approx(TRUE_OUT, rel=1e-6)
    for a, area in enumerate(sc.area_ids):
        for b, (lo, hi) in enumerate(cal.IN_BANDS[:-1]):
            assert value[f"in:{area}:{cal.band_label(lo, hi)}"] == pytest.approx(TRUE_BANDS[a, b], rel=1e-6)
        assert result.in_level[area] == pytest.approx(TRUE_BANDS[a].sum(), rel=1e-6)
    assert result.fit.rss < 1e-12 * result.fit.tss
    assert result.fit.rss_start > 1e3 * max(result.fit.rss, 1e-9)


def test_data_after_until_is_never_used(tiny: Path) -> None:
    """Figures after --until cannot change the fit: wildly wrong later years give the same result."""
    sc, obs = synthetic(tiny)
    clean = calibrate(sc, obs.until(2027), until=2027, fit=FIT_ALL)
    spoiled = obs.persons.copy()
    spoiled[obs.years > 2027] *= 3.0
    dirty = calibrate(sc, replace(obs, persons=spoiled), until=2027, fit=FIT_ALL)
    assert np.array_equal(clean.fit.theta, dirty.fit.theta)
    assert dirty.dropped_years == (2028, 2029)
    assert clean.years.tolist() == [2024, 2025, 2026, 2027]


def test_without_sex_split_the_stated_rule_gets_close(tiny: Path) -> None:
    """Both sexes only: the split by the base population's sex ratio is approximate — within 2 % here."""
    sc, obs = synthetic(tiny)
    both = replace(obs, persons=obs.persons.sum(axis=2, keepdims=True))
    fitted = calibrate(sc, both, until=2029, fit=FIT_ALL).fit
    value = dict(zip(fitted.names, fitted.theta, strict=True))
    assert value["fertility_scale"] == pytest.approx(TRUE_FERTILITY, rel=0.02)
    assert value["out_scale"] == pytest.approx(TRUE_OUT, rel=0.02)


def test_one_year_design_equals_the_model(tiny: Path) -> None:
    """Invariant: c0 + c_out + c_fert + Σ I_b c_in[b] with the scenario's values is project()'s first year."""
    sc = load_scenario(tiny)
    inp = population_inputs(sc)
    from ltsim.calibrate import step_rates

    rates = step_rates(sc, np.array([2024]))[0]
    d = cal.design(inp.base_persons, rates)
    level = (rates.in_persons[:, None] * d.band_mass)[:, :, None, None]
    one = d.c0 + d.c_out + d.c_fert + (level * d.c_in).sum(axis=1)
    assert np.allclose(one, project(inp).persons[1], rtol=1e-12, atol=1e-9)


def test_out_scale_per_area_is_recovered(tiny: Path) -> None:
    """--fit out_scale_by_area: out-migration 0.85 × in the north and 1.3 × in the south, from a model-made
    history by area (noise-free, so exact to 1e-6); the variant carries them as out_rate_scale_by_area."""
    sc = load_scenario(tiny)
    inp = population_inputs(sc)
    # the fit takes in-migrant counts as constant over the history: hold the scenario's first-year counts
    truth = replace(
        inp,
        out_scale=inp.out_scale * np.array([0.85, 1.3]),
        in_persons=np.broadcast_to(inp.in_persons[0], inp.in_persons.shape).copy(),
    )
    res = project(truth)
    obs = Observed("synthetic", res.years, sc.area_ids, res.persons)
    result = calibrate(sc, obs, until=2029, fit=("in_profile", "fertility", "out_scale_by_area"))
    assert result.out_scale_by_area == pytest.approx({"north": 0.85, "south": 1.3}, rel=1e-6)
    assert "out_scale" not in result.fit.names and "out_scale:south" in result.fit.names
    from ltsim.calibration_files import output_files

    variant = output_files(sc, result, tiny.parent / "cal", "synthetic")["calibrated.yaml"]
    assert "out_rate_scale_by_area:\n      north: 0.85\n      south: 1.3\n" in variant
