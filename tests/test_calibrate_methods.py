"""Calibration methods (issue 19, item 2): in-migration per resident, bands of single ages, the in-sample holdout.

* the model's in-migration per resident (``population.migration.in_rate``) on a hand example;
* ``--in-bands 1 --in-per-resident`` recovers known rates per single age from a history made with the
  model (noise-free and split by sex, so to 1e-6, as in test_calibrate.py);
* ``--holdout``: on that history the shortened fit projects the held-out years exactly (invariant);
* bad options are exit 2 naming the option.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from ltsim.calibrate import calibrate
from ltsim.calibration_files import output_files
from ltsim.cli import app
from ltsim.errors import InputError
from ltsim.io.ssb.observed import Observed, read_observed
from ltsim.models import calibration as cal
from ltsim.models.population import PopulationInputs, project
from ltsim.scenario import load_scenario
from ltsim.stages import population_inputs

TRUE_RATE = {"north": 0.08, "south": 0.05}  # in-migrants a year per resident
TRUE_FERTILITY = 1.2


def hand_inputs(in_persons: float, in_rate: float, years: int = 2) -> PopulationInputs:
    """Three ages (0, 1, 2+), nobody dies, is born or moves out; 100 women aged 1; in-migrants all women aged 2+."""
    base = np.zeros((1, 2, 3))
    base[0, 0, 1] = 100.0
    profile = np.zeros((1, 2, 3))
    profile[0, 0, 2] = 1.0
    return PopulationInputs(
        base_year=2020,
        base_persons=base,
        death_rate=np.zeros((years, 2, 3)),
        fertility_rate=np.zeros((years, 3)),
        male_share_at_birth=0.5,
        out_rate=np.zeros((2, 3)),
        out_scale=np.ones((years, 1)),
        in_persons=np.full((years, 1), in_persons),
        in_profile=profile,
        housing_in=np.zeros((years, 1, 2, 3)),
        control_total=np.full(years, np.nan),
        in_rate=np.full((years, 1), in_rate),
    )


def test_in_migration_per_resident_by_hand() -> None:
    # rate 0.1 alone: 100 → 100 + 10 = 110 → 110 + 11 = 121 (= 100 · 1.1²)
    res = project(hand_inputs(0.0, 0.1))
    assert res.persons.sum(axis=(1, 2, 3)).tolist() == pytest.approx([100.0, 110.0, 121.0])
    assert res.migration_in[:, 0].tolist() == pytest.approx([10.0, 11.0])
    # with 5 persons a year as well: 100 + 5 + 10 = 115 → 115 + 5 + 11.5 = 131.5
    res = project(hand_inputs(5.0, 0.1))
    assert res.persons.sum(axis=(1, 2, 3)).tolist() == pytest.approx([100.0, 115.0, 131.5])
    assert res.persons[2, 0, 0, 2] == pytest.approx(131.5)  # all of it women aged 2+
    # None is no rate at all: the count alone
    assert project(replace(hand_inputs(5.0, 0.1), in_rate=None)).persons[2].sum() == pytest.approx(110.0)


def test_in_rate_in_a_scenario_is_checked_and_used(tiny: Path) -> None:
    text = tiny.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    doc["population"]["migration"]["in_rate"] = {"north": 0.01, "west": 0.02}
    tiny.write_text(yaml.safe_dump(doc), encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(tiny)])
    assert res.exit_code == 2 and "in_rate" in res.output and "'west'" in res.output
    doc["population"]["migration"]["in_rate"] = {"north": 0.01}
    tiny.write_text(yaml.safe_dump(doc), encoding="utf-8")
    inp = population_inputs(load_scenario(tiny))
    assert inp.in_rate is not None and inp.in_rate[:, 0].tolist() == [0.01] * 5 and not inp.in_rate[:, 1].any()


def synthetic(tiny: Path) -> tuple[object, Observed, np.ndarray]:
    """A history made with the model: in-migrants per resident TRUE_RATE, the scenario's profile; and that profile."""
    sc = load_scenario(tiny)
    inp = population_inputs(sc)
    rate = np.array([TRUE_RATE[a] for a in sc.area_ids])
    truth = replace(
        inp,
        fertility_rate=inp.fertility_rate * TRUE_FERTILITY,
        in_persons=np.zeros_like(inp.in_persons),
        in_rate=np.broadcast_to(rate, inp.in_persons.shape).copy(),
    )
    res = project(truth)
    return sc, Observed("synthetic", res.years, sc.area_ids, res.persons), inp.in_profile


def test_single_ages_per_resident_are_recovered(tiny: Path) -> None:
    sc, obs, profile = synthetic(tiny)
    result = calibrate(sc, obs, until=2029, in_bands="1", per_resident=True)
    value = dict(zip(result.fit.names, result.fit.theta, strict=True))
    assert value["fertility_scale"] == pytest.approx(TRUE_FERTILITY, rel=1e-6)
    n_ages = profile.shape[-1]
    for a, area in enumerate(sc.area_ids):
        share = profile[a].sum(axis=0)  # both sexes, each single age
        for age in range(n_ages - 1):
            if share[age] > 0:
                assert value[f"in:{area}:{age}"] == pytest.approx(TRUE_RATE[area] * share[age], rel=1e-6, abs=1e-12)
        assert result.in_rate is not None and result.in_rate[area] == pytest.approx(TRUE_RATE[area], rel=1e-6)
        assert result.in_profile[area] == pytest.approx(profile[a], rel=1e-6, abs=1e-12)
    assert result.fit.rss < 1e-12 * result.fit.tss
    files = output_files(sc, result, tiny.parent / "cal", "synthetic")
    variant = yaml.safe_load(files["calibrated.yaml"])["population"]["migration"]
    assert variant["in_persons"] == {"north": 0.0, "south": 0.0}
    assert variant["in_rate"] == pytest.approx(TRUE_RATE, rel=1e-6)
    assert "in_rate:north,,0.08,,,per resident a year,no" in files["calibration.csv"]


def test_holdout_of_a_model_made_history_is_exact(tiny: Path) -> None:
    """Invariant: fitted on 2024–2027 of a noise-free model history, the projection of 2028–2029 is the history."""
    sc, obs, _ = synthetic(tiny)
    result = calibrate(sc, obs, until=2029, in_bands="1", per_resident=True, holdout=2)
    h = result.holdout
    assert h is not None and h.fitted == (2024, 2027)
    assert sorted({r[0] for r in h.rows}) == [2028, 2029]
    assert max(abs(r[4]) for r in h.rows) < 1e-6
    # the same history fitted as a constant count a year cannot follow in-migration that grows with the area
    counted = calibrate(sc, obs, until=2029, in_bands="1", holdout=2).holdout
    assert counted is not None and max(abs(r[4]) for r in counted.rows) > 1e-3
    stats = output_files(sc, result, tiny.parent / "cal", "synthetic")
    assert stats["holdout.csv"].startswith("year,age_group,projected,observed,error,error_pct\n2028,0,")
    assert "holdout_fitted,2024-2027\n" in stats["fit.csv"]


def test_width_bands_by_hand() -> None:
    assert cal.width_bands(5, 12) == ((0, 4), (5, 9), (10, 200))
    assert cal.width_bands(1, 3) == ((0, 0), (1, 1), (2, 200))
    assert cal.width_bands(5, 101)[-2:] == ((95, 99), (100, 200)) and len(cal.width_bands(5, 101)) == 21
    assert cal.band_label(7, 7) == "7" and cal.band_label(16, 24) == "16-24" and cal.band_label(67, 200) == "67+"


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--in-bands", "fine"], "--in-bands"),
        (["--in-bands", "0"], "--in-bands"),
        (["--in-bands", "5", "--fit", "in_level,fertility"], "--in-bands"),
        (["--in-per-resident", "--fit", "fertility"], "--in-per-resident"),
        (["--holdout", "5"], "--holdout"),  # 2024–2029 has 5 changes: at least one must remain to fit
    ],
)
def test_bad_method_options_are_exit_2(tiny: Path, extra: list[str], option: str) -> None:
    args = calibrate_args(tiny)
    res = CliRunner().invoke(app, [*args, *extra])
    assert res.exit_code == 2, res.output
    assert option in res.output and "command line" in res.output


def test_method_options_together_run(tiny: Path) -> None:
    ok = CliRunner().invoke(app, [*calibrate_args(tiny), "--in-bands", "1", "--in-per-resident", "--holdout", "4"])
    assert ok.exit_code == 0, ok.output


def calibrate_args(tiny: Path) -> list[str]:
    """``ltsim calibrate`` on the tiny scenario against its model-made history written as a tidy CSV."""
    _, obs, _ = synthetic(tiny)
    path = tiny.parent / "observed.csv"
    rows = ["year,area,sex,age,persons"]
    for t, year in enumerate(obs.years):
        for a, area in enumerate(obs.areas):
            for s, sex in enumerate(("female", "male")):
                rows += [f"{year},{area},{sex},{age},{v:.6f}" for age, v in enumerate(obs.persons[t, a, s])]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ["calibrate", str(tiny), "--observed", str(path), "--until", "2029", "--out", str(tiny.parent / "o")]


TRUE_FERTILITY_BY_AREA = {"north": 1.1, "south": 1.4}


def test_fertility_by_area_by_hand() -> None:
    """Two areas, 100 women aged 1 each, 0.5 births per woman of that age, levels 1 and 2: 50 and 100 births."""
    base = np.zeros((2, 2, 3))
    base[:, 0, 1] = 100.0
    fert = np.zeros((1, 3))
    fert[0, 1] = 0.5
    inputs = PopulationInputs(
        base_year=2020,
        base_persons=base,
        death_rate=np.zeros((1, 2, 3)),
        fertility_rate=fert,
        male_share_at_birth=0.5,
        out_rate=np.zeros((2, 3)),
        out_scale=np.ones((1, 2)),
        in_persons=np.zeros((1, 2)),
        in_profile=np.full((2, 2, 3), 1 / 6),
        housing_in=np.zeros((1, 2, 2, 3)),
        control_total=np.full(1, np.nan),
        fertility_area_scale=np.array([1.0, 2.0]),
    )
    res = project(inputs)
    assert res.births[0].tolist() == pytest.approx([50.0, 100.0])
    assert res.persons[1, :, :, 0].sum(axis=1).tolist() == pytest.approx([50.0, 100.0])  # no infant deaths (q = 0)


def test_fertility_by_area_is_recovered(tiny: Path) -> None:
    """--fit in_profile,fertility_by_area on a model-made history with fertility 1.1 × in the north and 1.4 × in
    the south (split by sex, noise-free: to 1e-6); the variant writes them as fertility.scale_by_area."""
    sc = load_scenario(tiny)
    inp = population_inputs(sc)
    truth = replace(
        inp,
        fertility_area_scale=np.array([TRUE_FERTILITY_BY_AREA[a] for a in sc.area_ids]),
        in_persons=np.broadcast_to(inp.in_persons[0], inp.in_persons.shape).copy(),  # the fit holds counts constant
    )
    res = project(truth)
    obs = Observed("synthetic", res.years, sc.area_ids, res.persons)
    result = calibrate(sc, obs, until=2029, fit=("in_profile", "fertility_by_area"))
    assert result.fertility_scale_by_area == pytest.approx(TRUE_FERTILITY_BY_AREA, rel=1e-6)
    assert "fertility_scale" not in result.fit.names and result.fertility_scale == 1.0
    files = output_files(sc, result, tiny.parent / "cal", "synthetic")
    variant = yaml.safe_load(files["calibrated.yaml"])["population"]["fertility"]
    assert variant["scale_by_area"] == pytest.approx(TRUE_FERTILITY_BY_AREA, rel=1e-6)
    tfr = float(sc.population.fertility_rate.sum())
    assert f"tfr:south,,{tfr * 1.4:.4f},,,children per woman,no" in files["calibration.csv"]
    # the variant runs: its projection is the history again (fertility level and in-migration fitted exactly)
    (tiny.parent / "cal").mkdir()
    for name, text in files.items():
        (tiny.parent / "cal" / name).write_text(text, encoding="utf-8")
    again = project(population_inputs(load_scenario(tiny.parent / "cal" / "calibrated.yaml")))
    assert again.births == pytest.approx(res.births, rel=1e-6)


def test_fertility_by_area_needs_areas(tiny: Path) -> None:
    """One area (the Asker backtest) has nothing to divide; fertility and fertility_by_area exclude each other."""
    root = Path(__file__).resolve().parents[1] / "scenarios" / "asker" / "backtest"
    asker = load_scenario(root / "base2010.yaml")
    observed = read_observed(root / "data" / "ssb_07459_2005_2020_by_age.csv", 100)
    with pytest.raises(InputError, match="two or more areas"):
        calibrate(asker, observed, until=2010, fit=("in_profile", "fertility_by_area"))
    sc = load_scenario(tiny)
    res = project(population_inputs(sc))
    obs = Observed("synthetic", res.years, sc.area_ids, res.persons)
    with pytest.raises(InputError, match="not both"):
        calibrate(sc, obs, until=2029, fit=("in_profile", "fertility", "fertility_by_area"))


def test_fertility_scale_by_area_in_a_scenario(tiny: Path) -> None:
    doc = yaml.safe_load(tiny.read_text(encoding="utf-8"))
    doc["population"]["fertility"]["scale_by_area"] = {"east": 1.2}
    tiny.write_text(yaml.safe_dump(doc), encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(tiny)])
    assert res.exit_code == 2 and "scale_by_area" in res.output and "'east'" in res.output
    doc["population"]["fertility"]["scale_by_area"] = {"south": 2.0}
    tiny.write_text(yaml.safe_dump(doc), encoding="utf-8")
    inp = population_inputs(load_scenario(tiny))
    assert inp.fertility_area_scale is not None and inp.fertility_area_scale.tolist() == [1.0, 2.0]
