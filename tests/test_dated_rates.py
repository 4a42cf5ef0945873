"""Rates in time (issue 19): mortality, fertility and out-migration tables with a ``year`` column.

Undated tables hold every year (unchanged behaviour, guarded by the reference outputs); a dated table
holds from its year until the next, must start at or before the base year, and may reach beyond the
horizon. Expected values are computed by hand from the tiny scenario's tables.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tiny

from ltsim.errors import InputError
from ltsim.scenario import load_scenario
from ltsim.stages import population_inputs


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def dated_copy(path: Path, years_factors: list[tuple[int, float]], column: str = "rate") -> None:
    """Rewrite ``path`` with a year column: one copy of the table per year, its rates × the factor."""
    table = rows(path)
    header, body = table[0], table[1:]
    j = header.index(column)
    out = [["year", *header]]
    for year, factor in years_factors:
        for r in body:
            r2 = list(r)
            r2[j] = repr(float(r[j]) * factor)
            out.append([str(year), *r2])
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(out)


def test_undated_tables_give_the_same_inputs_as_a_table_dated_at_the_base_year(tmp_path: Path) -> None:
    plain = population_inputs(load_scenario(write_tiny(tmp_path / "a")))
    path = write_tiny(tmp_path / "b")
    for name in ("mortality.csv", "fertility.csv", "out_rates.csv"):
        dated_copy(path.parent / "data" / name, [(2024, 1.0)])
    dated = population_inputs(load_scenario(path))
    assert np.allclose(dated.death_rate, plain.death_rate, rtol=1e-13)
    assert np.array_equal(dated.fertility_rate, plain.fertility_rate)
    assert np.array_equal(dated.out_rate, np.broadcast_to(plain.out_rate, dated.out_rate.shape))


def test_a_dated_table_holds_from_its_year_and_improvement_restarts(tmp_path: Path) -> None:
    path = write_tiny(tmp_path)
    data = path.parent / "data"
    dated_copy(data / "fertility.csv", [(2010, 1.0), (2026, 0.5), (2040, 9.0)])  # 2040: beyond the horizon
    dated_copy(data / "mortality.csv", [(2020, 1.0), (2027, 0.8)])
    dated_copy(data / "out_rates.csv", [(2024, 1.0), (2028, 2.0)])
    sc = load_scenario(path)
    inp = population_inputs(sc)
    f25 = inp.fertility_rate[:, 25]  # 0.05 at age 25, halved from 2026
    assert np.allclose(f25, [0.05, 0.05, 0.025, 0.025, 0.025])
    # mortality, age 10, female: q = 0.001 + 0.004 = 0.005 from 2020 improving 1 %/yr; a new table 0.8 × q in 2027
    q = inp.death_rate[:, 0, 10]
    expected = [0.005 * 0.99**4, 0.005 * 0.99**5, 0.005 * 0.99**6, 0.004, 0.004 * 0.99]
    assert np.allclose(q, expected, rtol=1e-12)
    r = inp.out_rate[:, 0, 20]
    assert np.allclose(r, [0.08, 0.08, 0.08, 0.08, 0.16])


def test_rates_dated_after_the_base_year_are_refused(tmp_path: Path) -> None:
    path = write_tiny(tmp_path)
    dated_copy(path.parent / "data" / "mortality.csv", [(2025, 1.0)])
    with pytest.raises(InputError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "mortality.csv" in text and "column 'year'" in text and "found first year 2025" in text
    assert "rates for the base year 2024 or an earlier year" in text


def test_a_year_in_some_rows_only_is_refused_with_the_row(tmp_path: Path) -> None:
    path = write_tiny(tmp_path)
    fert = path.parent / "data" / "fertility.csv"
    dated_copy(fert, [(2024, 1.0)])
    table = rows(fert)
    table[3][0] = ""  # spreadsheet row 4
    with fert.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(table)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "fertility.csv, row 4: column 'year': found a blank cell; expected a year in every row" in str(info.value)


def dated_profiles(path: Path, peak_2026: int) -> None:
    """The tiny scenario's profile 'families' dated: uniform from 2020; from 2026 everyone moving in is aged ``peak_2026``."""
    table = rows(path)
    out = [["year", *table[0]]] + [["2020", *r] for r in table[1:]]
    out += [["2026", r[0], r[1], r[2], "0.5" if int(r[1]) == peak_2026 else "0"] for r in table[1:]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(out)


def test_dated_in_migration_profiles(tmp_path: Path) -> None:
    from ltsim.calibrate import step_rates
    from ltsim.models.population import project

    plain = population_inputs(load_scenario(write_tiny(tmp_path / "plain")))
    assert plain.in_profile.ndim == 3  # undated: one profile for every year, as before
    results = {}
    for peak in (30, 31):
        path = write_tiny(tmp_path / str(peak))
        dated_profiles(path.parent / "data" / "in_profiles.csv", peak)
        sc = load_scenario(path)
        inp = population_inputs(sc)
        assert inp.in_profile.shape == (5, 2, 2, 51)  # [years 2024-2028, areas, sexes, ages]
        assert np.array_equal(inp.in_profile[:2], np.broadcast_to(plain.in_profile, (2, 2, 2, 51)))  # the 2020 table
        assert inp.in_profile[2:, :, :, peak].tolist() == [[[0.5, 0.5]] * 2] * 3  # 2026 on: all at the peak age
        assert np.array_equal(step_rates(sc, np.array([2026]))[0].in_profile, inp.in_profile[2])
        assert np.array_equal(step_rates(sc, np.array([2022]))[0].in_profile, plain.in_profile)  # history: 2020's
        results[peak] = project(inp).persons
    # by hand: only the 2026 arrivals differ; on 1 January 2027 they are 30 a year in the north (half of them
    # women) and 20 in the south (in_persons {2024: 10, 2026: 20}), at age 30 in one run and 31 in the other
    diff = results[30][3] - results[31][3]
    assert np.allclose(diff[:, :, 30], [[15, 15], [10, 10]]) and np.allclose(diff[:, :, 31], [[-15, -15], [-10, -10]])
    assert np.allclose(results[30][:3], results[31][:3])
    # invariant: the same profile every year, given per year, projects exactly as the undated one
    per_year = np.broadcast_to(plain.in_profile, (5, 2, 2, 51))
    from dataclasses import replace

    assert np.array_equal(project(replace(plain, in_profile=per_year)).persons, project(plain).persons)
