"""Calibration on observed births and deaths (issue 19): the fertility and mortality levels from counted events.

No real births or deaths file of Asker is in the repository or ../shared, so every history here is made
by the model itself (:func:`ltsim.models.population.project` on the tiny scenario with known
multipliers) and says so: the births and deaths "observed" are the model's own flows. The fit of a
level to events is least squares through the origin, and the model's births and deaths are exactly
linear in the levels, so the known values must come back to rounding (1e-9 relative).

The identification check: when in-migrants include more infants than the scenario's profile says
(three times its share at age 0 — the scenario's shape inside the 0–15 band is then wrong), the stock
fit reads part of them as births and gets the fertility level wrong; observed births do not.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from badinput import refused
from typer.testing import CliRunner

from ltsim.calibrate import calibrate, male_share_by_age
from ltsim.cli import app
from ltsim.io.ssb.events import Events, read_events
from ltsim.io.ssb.observed import WHOLE, Observed
from ltsim.models.population import project
from ltsim.scenario import load_scenario
from ltsim.stages import population_inputs

TRUE_FERTILITY = 1.2
TRUE_MORTALITY = 1.1
TRUE_IN = (300.0, 200.0)  # in-migrants a year, north and south


def history(tiny: Path, infants: float = 1.0):
    """The tiny scenario's model-made history 2024–2029 with known levels; ``infants`` × the profile's age-0 share."""
    sc = load_scenario(tiny)
    inp = population_inputs(sc)
    profile = inp.in_profile.copy()
    profile[:, :, 0] *= infants
    profile /= profile.sum(axis=(1, 2), keepdims=True)
    truth = replace(
        inp,
        fertility_rate=inp.fertility_rate * TRUE_FERTILITY,
        death_rate=inp.death_rate * TRUE_MORTALITY,
        in_persons=np.broadcast_to(np.array(TRUE_IN), inp.in_persons.shape).copy(),
        in_profile=profile,
    )
    res = project(truth)
    obs = Observed("synthetic", res.years, sc.area_ids, res.persons)
    flows = res.years[:-1]
    births = Events("births.csv", "births", flows, (WHOLE,), res.births.sum(axis=1, keepdims=True))
    deaths = Events("deaths.csv", "deaths", flows, sc.area_ids, res.deaths)
    return sc, obs, births, deaths


def test_births_give_the_fertility_level_where_the_stocks_do_not(tiny: Path) -> None:
    sc, obs, births, _ = history(tiny, infants=3.0)
    stocks_only = calibrate(sc, obs, until=2029)
    with_births = calibrate(sc, obs, until=2029, births=births)
    # the stock fit reads infant in-migrants as births (measured: 1.660 against the true 1.2)
    assert stocks_only.fertility_scale > TRUE_FERTILITY + 0.3
    assert with_births.fertility_scale == pytest.approx(TRUE_FERTILITY, rel=1e-9)
    assert with_births.births is not None and with_births.births.rmse < 1e-6
    assert with_births.births.rmse_start > 1.0  # the scenario's own level misses the births
    assert "fertility_scale" not in with_births.fit.names  # not fitted again to the age-0 cohort
    assert with_births.fitted == ("in_level", "in_profile", "fertility (births)")
    # the in-migration level comes closer to the true 500 a year (measured: 477.6 → 495.7) ...
    truth = sum(TRUE_IN)
    assert abs(sum(with_births.in_level.values()) - truth) < abs(sum(stocks_only.in_level.values()) - truth) / 3
    # ... while the stocks are fitted less closely: one parameter fewer is free (least squares: RSS cannot fall)
    assert with_births.fit.rss > stocks_only.fit.rss


def test_deaths_give_the_mortality_level(tiny: Path) -> None:
    sc, obs, births, deaths = history(tiny)
    result = calibrate(sc, obs, until=2029, births=births, deaths=deaths)
    assert result.mortality_scale == pytest.approx(TRUE_MORTALITY, rel=1e-9)
    assert result.fertility_scale == pytest.approx(TRUE_FERTILITY, rel=1e-9)
    # with both levels right the in-migration by band is the model's exactly: the stock fit is exact
    assert result.fit.rss < 1e-12 * result.fit.tss
    assert sum(result.in_level.values()) == pytest.approx(sum(TRUE_IN), rel=1e-9)


def test_events_after_until_are_not_used(tiny: Path) -> None:
    sc, obs, births, _ = history(tiny)
    spoiled = replace(births, counts=np.where(births.years[:, None] >= 2026, births.counts * 5, births.counts))
    a = calibrate(sc, obs.until(2026), until=2026, births=births)
    b = calibrate(sc, obs, until=2026, births=spoiled)
    assert a.fertility_scale == b.fertility_scale == pytest.approx(TRUE_FERTILITY, rel=1e-9)
    assert b.event_years == {"births": (2024, 2025)}


def test_sex_split_rule_fixed(tiny: Path) -> None:
    sc = load_scenario(tiny)
    assert np.all(male_share_by_age(sc, "fixed:0.51") == 0.51)
    base = sc.population.base_persons.sum(axis=0)
    shares = male_share_by_age(sc, "base")
    assert shares[10] == pytest.approx(base[1, 10] / base[:, 10].sum())


def tidy_stocks(obs: Observed) -> str:
    lines = ["year,area,age,sex,persons"]
    for t, year in enumerate(obs.years):
        for r, area in enumerate(obs.areas):
            for s, sex in enumerate(("female", "male")):
                lines += [
                    f"{year},{area},{a},{sex},{float(obs.persons[t, r, s, a])!r}" for a in range(obs.persons.shape[-1])
                ]
    return "\n".join(lines) + "\n"


def test_calibrate_command_with_births_and_deaths(tiny: Path) -> None:
    """End to end: tidy files in, fertility and mortality levels in calibration.csv and calibrated.yaml."""
    sc, obs, births, deaths = history(tiny)
    folder = tiny.parent
    (folder / "obs.csv").write_text(tidy_stocks(obs), encoding="utf-8")
    (folder / "births.csv").write_text(
        "year,births\n"
        + "".join(f"{y},{float(c)!r}\n" for y, c in zip(births.years, births.counts[:, 0], strict=True)),
        encoding="utf-8",
    )
    (folder / "deaths.csv").write_text(
        "year,area,deaths\n"
        + "".join(
            f"{y},{a},{float(deaths.counts[t, r])!r}\n"
            for t, y in enumerate(deaths.years)
            for r, a in enumerate(sc.area_ids)
        ),
        encoding="utf-8",
    )
    out = folder / "cal"
    args = ["calibrate", str(tiny), "--observed", str(folder / "obs.csv"), "--until", "2029", "--out", str(out)]
    args += ["--births", str(folder / "births.csv"), "--deaths", str(folder / "deaths.csv")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    rows = {line.split(",")[0]: line.split(",") for line in (out / "calibration.csv").read_text().splitlines()}
    assert float(rows["fertility_scale"][2]) == pytest.approx(TRUE_FERTILITY, rel=1e-5)
    assert float(rows["mortality_scale"][2]) == pytest.approx(TRUE_MORTALITY, rel=1e-5)
    stats = (out / "fit.csv").read_text()
    assert "births_rmse," in stats and "deaths_years,2024 2025 2026 2027 2028" in stats
    variant = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert variant["population"]["mortality"]["scale"] == pytest.approx(TRUE_MORTALITY, rel=1e-5)
    # the variant runs: its death rates are the scenario's × the fitted level
    cal = population_inputs(load_scenario(out / "calibrated.yaml"))
    assert np.allclose(cal.death_rate, population_inputs(sc).death_rate * TRUE_MORTALITY, rtol=1e-5)


# --------------------------------------------------------------------------- SSB layouts


def test_ssb_csv_births_and_deaths_old_codes_summed(tmp_path: Path) -> None:
    head = '"10211: Levendefødte og døde, etter region, år og statistikkvariabel"\n\n'
    head += '"region";"år";"statistikkvariabel";"10211: Levendefødte og døde"\n'
    rows = [
        ("0220 Asker (-2019)", "2018", "Levendefødte", "700"),
        ("0627 Røyken (-2019)", "2018", "Levendefødte", "250"),
        ("0220 Asker (-2019)", "2018", "Døde", "400"),
        ("0627 Røyken (-2019)", "2018", "Døde", "150"),
        ("3025 Asker (2020-2023)", "2018", "Levendefødte", "."),
        ("3025 Asker (2020-2023)", "2018", "Døde", "."),
        ("0220 Asker (-2019)", "2020", "Levendefødte", "."),
        ("0627 Røyken (-2019)", "2020", "Levendefødte", "."),
        ("0220 Asker (-2019)", "2020", "Døde", "."),
        ("0627 Røyken (-2019)", "2020", "Døde", "."),
        ("3025 Asker (2020-2023)", "2020", "Levendefødte", "1 010"),
        ("3025 Asker (2020-2023)", "2020", "Døde", "590"),
    ]
    path = tmp_path / "10211.csv"
    path.write_bytes((head + "".join(f'"{r}";"{y}";"{s}";{v}\n' for r, y, s, v in rows)).encode("latin-1"))
    born = read_events("births", path)
    died = read_events("deaths", path)
    assert born.municipality == "3203" and born.codes == ("0220", "0627", "3025")
    assert born.years.tolist() == [2018, 2020]
    assert born.counts[:, 0].tolist() == [950, 1010]  # 700 + 250; "1 010" with a thousands space
    assert died.counts[:, 0].tolist() == [550, 590]


def test_json_stat_births_by_sex_summed(tmp_path: Path) -> None:
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Levendefødte",
        "id": ["Region", "Kjonn", "ContentsCode", "Tid"],
        "size": [1, 2, 1, 2],
        "dimension": {
            "Region": {"label": "region", "category": {"index": {"3203": 0}, "label": {"3203": "Asker"}}},
            "Kjonn": {
                "label": "kjønn",
                "category": {"index": {"1": 0, "2": 1}, "label": {"1": "Menn", "2": "Kvinner"}},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {"index": {"Levendefodte": 0}, "label": {"Levendefodte": "Levendefødte"}},
            },
            "Tid": {
                "label": "år",
                "category": {"index": {"2024": 0, "2025": 1}, "label": {"2024": "2024", "2025": "2025"}},
            },
        },
        "value": [520, 530, 490, 500],  # boys 2024, 2025; girls 2024, 2025
    }
    path = tmp_path / "births.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    born = read_events("births", path)
    assert born.years.tolist() == [2024, 2025]
    assert born.counts[:, 0].tolist() == [1010, 1030]


BAD = {
    "population_given_as_births": (
        '"region";"alder";"år";"statistikkvariabel";"07459"\n"0220 Asker";"0 år";"2025";"Personer";12\n',
        ["births.csv", "dimension 'statistikkvariabel'", "'Personer'", "one statistic counting live births"],
    ),
    "negative_births": (
        "year,births\n2024,100\n2025,-3\n",
        ["births.csv, row 3", "column 'births'", "-3", "a number of births ≥ 0"],
    ),
    "births_before_the_history": (
        "year,births\n2001,100\n2002,103\n",
        ["births.csv", "year", "found years 2001, 2002", "births in at least one year of the history's flows"],
    ),
    "area_missing_in_a_year": (
        "year,area,births\n2024,north,10\n2024,south,12\n2025,north,11\n",
        ["births.csv", "column 'area'", "no row for area south in 2025", "for every planning area in every year"],
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_births_file_is_refused(tiny: Path, name: str) -> None:
    _, obs, _, _ = history(tiny)
    folder = tiny.parent
    (folder / "obs.csv").write_text(tidy_stocks(obs), encoding="utf-8")
    text, mentions = BAD[name]
    (folder / "births.csv").write_text(text, encoding="utf-8")
    args = ["calibrate", str(tiny), "--observed", str(folder / "obs.csv"), "--until", "2029"]
    refused([*args, "--births", str(folder / "births.csv"), "--out", str(folder / "out")], mentions, watch=folder)


def test_bad_sex_split_is_refused(tiny: Path) -> None:
    folder = tiny.parent
    args = ["calibrate", str(tiny), "--observed", str(folder / "x.csv"), "--until", "2029", "--sex-split", "fixed:1.5"]
    refused(
        [*args, "--out", str(folder / "out")], ["command line", "--sex-split", "'fixed:1.5'", "0 < S < 1"], watch=folder
    )
