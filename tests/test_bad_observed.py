"""Bad-input corpus for ltsim calibrate and ltsim backtest: broken observed files and options.

Each case writes one bad file (or option) and asserts with :func:`badinput.refused` that the command exits 2,
names the file, the row or field, what was found and what is expected, and writes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from badinput import refused

BACKTEST = Path(__file__).resolve().parents[1] / "scenarios" / "asker" / "backtest"


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A copy of the Asker backtest scenario (with the example's tables it uses) in a temporary folder."""
    shutil.copytree(BACKTEST, tmp_path / "backtest", ignore=shutil.ignore_patterns("calibrated", "results"))
    shutil.copytree(BACKTEST.parent / "data", tmp_path / "data")
    return tmp_path


def tidy(rows: list[str], header: str = "year,age,persons") -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def full(year: int, skip: int | None = None, bad: tuple[int, str] | None = None) -> list[str]:
    return [f"{year},{a},{bad[1] if bad and bad[0] == a else 100}" for a in range(101) if a != skip]


CASES = {
    "persons_not_a_number": (
        tidy(full(2009) + full(2010, bad=(7, "12a"))),
        ["obs.csv, row 110", "column 'persons'", "found '12a'", "a number of persons"],
    ),
    "age_missing": (
        tidy(full(2009) + full(2010, skip=50)),
        ["obs.csv", "column 'age'", "age 50 in 2010", "a row for every age 0–100"],
    ),
    "sex_in_some_rows": (
        tidy([r + ",female" for r in full(2009)] + [r + "," for r in full(2010)], "year,age,persons,sex"),
        ["obs.csv, row 103", "column 'sex'", "found a blank cell", "a sex in every row"],
    ),
    "one_year_only": (
        tidy(full(2010)),
        ["obs.csv", "year", "years 2010 up to 2010", "at least two consecutive years"],
    ),
    "ssb_csv_bad_figure": (
        '"region";"alder";"år";"Personer"\n"0220 Asker";"0 år";"2009";12x\n',
        ["obs.csv, row 2", "column 'Personer'", "found '12x'", "a number of persons"],
    ),
    "ssb_csv_short_row": (
        '"region";"alder";"år";"Personer"\n"0220 Asker";"0 år";"2009"\n',
        ["obs.csv, row 2", "found 3 cells", "4 cells separated by ';'"],
    ),
    "two_municipalities": (
        tidy(
            [f"2009,0301,{a},1" for a in range(101)] + [f"2009,0220,{a},1" for a in range(101)], "year,code,age,persons"
        ),
        ["obs.csv", "column 'code'", "2 municipalities today: 0301, 3203", "--municipality"],
    ),
    "old_and_new_code_same_year": (
        tidy(
            [f"2020,0220,{a},1" for a in range(101)] + [f"2020,3025,{a},1" for a in range(101)], "year,code,age,persons"
        ),
        ["obs.csv", "column 'code'", "0220 and its successor in 2020", "not both an old code and its successor"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_observed_file_is_refused(case: Path, name: str) -> None:
    text, mentions = CASES[name]
    (case / "obs.csv").write_text(text, encoding="utf-8")
    refused(
        [
            "calibrate",
            str(case / "backtest" / "base2010.yaml"),
            "--observed",
            str(case / "obs.csv"),
            "--until",
            "2010",
            "--out",
            str(case / "out"),
        ],
        mentions,
        watch=case,
    )


def test_unknown_fit_parameter_is_refused(case: Path) -> None:
    refused(
        [
            "calibrate",
            str(case / "backtest" / "base2010.yaml"),
            "--observed",
            str(case / "backtest" / "data" / "x.csv"),
            "--until",
            "2010",
            "--fit",
            "migration",
            "--out",
            str(case / "out"),
        ],
        ["command line", "--fit", "found 'migration'", "in_level, in_profile, fertility, fertility_by_area, out_scale"],
        watch=case,
    )


def test_backtest_without_later_years_is_refused(case: Path) -> None:
    (case / "obs.csv").write_text(tidy(full(2008) + full(2009)), encoding="utf-8")
    refused(
        [
            "backtest",
            str(case / "backtest" / "base2010.yaml"),
            "--observed",
            str(case / "obs.csv"),
            "--out",
            str(case / "out"),
        ],
        ["obs.csv", "year", "found years 2008–2009", "observed figures for a year after the base year 2010"],
        watch=case,
    )


@pytest.mark.parametrize(
    ("fit", "mentions"),
    [
        (
            "in_level,out_scale_by_area",
            [
                "obs.csv",
                "column 'area'",
                "found figures for the municipality as a whole",
                "for --fit out_scale_by_area",
            ],
        ),
        ("out_scale,out_scale_by_area", ["command line", "--fit", "not both"]),
    ],
)
def test_out_scale_by_area_needs_areas(case: Path, fit: str, mentions: list[str]) -> None:
    (case / "obs.csv").write_text(tidy(full(2009) + full(2010)), encoding="utf-8")
    refused(
        [
            "calibrate",
            str(case / "backtest" / "base2010.yaml"),
            "--observed",
            str(case / "obs.csv"),
            "--until",
            "2010",
            "--fit",
            fit,
            "--out",
            str(case / "out"),
        ],
        mentions,
        watch=case,
    )
