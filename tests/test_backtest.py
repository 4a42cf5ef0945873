"""Backtest (issue 19): the error table on a hand example, the readers of observed files, and the Asker backtest.

Hand example: one area, persons at ages 0, 3 and 85 only; the expected errors, percentages, MAPE
and bias are worked out in the comments.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ltsim.backtest import error_table, summarise
from ltsim.calibrate import calibrate
from ltsim.cli import app
from ltsim.io.ssb.observed import read_observed
from ltsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BACKTEST = ROOT / "scenarios" / "asker" / "backtest"
OBSERVED = BACKTEST / "data" / "ssb_07459_2005_2020_by_age.csv"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ssb"


def hand_example() -> list[tuple]:
    """The error table of the hand example: one area, ages 0, 3 and 85 only, 2015 and 2016 (single ages 0–100)."""
    n = 101
    projected = np.zeros((2, 1, n))
    observed = np.zeros((2, 1, n))
    projected[0, 0, [0, 3, 85]] = [110, 90, 50]
    observed[0, 0, [0, 3, 85]] = [100, 100, 40]
    projected[1, 0, [0, 3, 85]] = [95, 100, 40]
    observed[1, 0, [0, 3, 85]] = [100, 100, 40]
    return error_table(np.array([2015, 2016]), ("all",), projected, observed)


def test_error_table_on_a_hand_example() -> None:
    rows = hand_example()
    by = {(r[0], r[2]): r for r in rows}
    assert by[(2015, "0")][3:] == (110.0, 100.0, 10.0, pytest.approx(10.0))
    assert by[(2015, "1-5")][3:] == (90.0, 100.0, -10.0, pytest.approx(-10.0))
    assert by[(2015, "80+")][3:] == (50.0, 40.0, 10.0, pytest.approx(25.0))
    assert by[(2015, "total")][3:] == (250.0, 240.0, 10.0, pytest.approx(100 * 10 / 240))
    assert np.isnan(by[(2015, "6-12")][6])  # nobody observed: no percentage
    summary = {(a, g): (n_years, mape, bias) for a, g, n_years, mape, bias, _ in summarise(rows)}
    # age 0: +10 % then −5 % → MAPE (10 + 5) / 2 = 7.5, bias (10 − 5) / 2 = 2.5
    assert summary[("all", "0")] == (2, pytest.approx(7.5), pytest.approx(2.5))
    # total: +10/240 then −5/240·100 … 2016: 235 vs 240
    t15, t16 = 100 * 10 / 240, 100 * -5 / 240
    assert summary[("all", "total")] == (2, pytest.approx((abs(t15) + abs(t16)) / 2), pytest.approx((t15 + t16) / 2))
    assert ("all", "6-12") not in summary


def test_old_codes_are_summed_through_the_code_table() -> None:
    obs = read_observed(OBSERVED, 100)
    assert obs.municipality == "3203" and obs.codes == ("0220", "0627", "0628", "3025")
    assert not obs.by_sex and obs.years.tolist() == list(range(2005, 2021))
    assert obs.by_age()[5, 0].sum() == 82_562  # 1 January 2010: 0220 + 0627 + 0628 (build_backtest.py prints it)
    assert obs.by_age()[15, 0].sum() == 94_441  # 2020: 3025 (README of the shared data)


def ssb_csv_long(rows: list[tuple[str, str, str, str, str]]) -> str:
    head = '"07459: Befolkning, etter region, kjønn, alder, år og statistikkvariabel"\n\n'
    head += '"region";"kjønn";"alder";"år";"07459: Befolkning, etter region, kjønn, alder, år og statistikkvariabel"\n'
    return head + "".join(f'"{r}";"{s}";"{a}";"{y}";{v}\n' for r, s, a, y, v in rows)


def test_ssb_csv_download_long_layout_latin1(tmp_path: Path) -> None:
    rows = []
    for year in ("2009", "2010"):
        for region in ("0220 Asker (-2019)", "0627 Røyken (-2019)"):
            for sex in ("Menn", "Kvinner"):
                for age in range(3):
                    label = f"{age} år" if age < 2 else "2 år eller eldre"
                    rows.append((region, sex, label, year, str(10 * age + (1 if sex == "Menn" else 2))))
    path = tmp_path / "07459.csv"
    path.write_bytes(ssb_csv_long(rows).encode("latin-1"))
    obs = read_observed(path, 2)
    assert obs.municipality == "3203" and obs.codes == ("0220", "0627")
    assert obs.by_sex and obs.years.tolist() == [2009, 2010]
    # two municipalities × (female 2, 12, 22 / male 1, 11, 21)
    assert obs.persons[1, 0].tolist() == [[4, 24, 44], [2, 22, 42]]


def test_ssb_csv_download_wide_layout_both_sexes(tmp_path: Path) -> None:
    text = '"region";"alder";"Personer 2019";"Personer 2020"\n"3025 Asker (2020-2023)";"0 år";.;850\n'
    text += (
        '"3025 Asker (2020-2023)";"1 år";.;900\n"0220 Asker (-2019)";"0 år";700;.\n"0220 Asker (-2019)";"1 år";710;.\n'
    )
    path = tmp_path / "wide.csv"
    path.write_text(text, encoding="utf-8")
    obs = read_observed(path, 1)
    assert not obs.by_sex
    assert obs.years.tolist() == [2019, 2020]
    assert obs.by_age()[:, 0].tolist() == [[700, 710], [850, 900]]


def test_json_stat_is_read_by_the_same_rules() -> None:
    data = json.loads((FIXTURES / "asker_07459_2020_2021.json").read_text(encoding="utf-8"))
    obs = read_observed(FIXTURES / "asker_07459_2020_2021.json", 100)
    assert obs.by_sex and obs.years.tolist() == [2020, 2021]
    total = sum(v for v in data["value"] if v is not None) if isinstance(data["value"], list) else None
    if total is not None:
        assert obs.persons.sum() == pytest.approx(total)
    assert obs.persons[0].sum() == pytest.approx(94_441)


def chosen_method() -> list[str]:
    """The calibrate options of the method build_backtest.py chose inside 2005–2010 (calibrated/method_choice.csv)."""
    with (BACKTEST / "calibrated" / "method_choice.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    chosen = {r["options"] for r in rows if r["chosen"] == "yes"}
    assert len(chosen) == 1
    return chosen.pop().split()


def test_asker_method_choice_is_reproduced() -> None:
    """method_choice.csv: each candidate fitted on 2005–2008 and 2005–2007 and projected to 2010 (never later);
    the chosen method has the lowest mean error over the age groups in 2010, and the figures are the commands'."""
    sc = load_scenario(BACKTEST / "base2010.yaml")
    obs = read_observed(OBSERVED, 100)
    with (BACKTEST / "calibrated" / "method_choice.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and {r["holdout_years"] for r in rows} == {"2", "3"}
    for r in rows:
        options = r["options"].split()
        bands = options[options.index("--in-bands") + 1] if "--in-bands" in options else "services"
        result = calibrate(
            sc, obs, 2010, in_bands=bands, per_resident="--in-per-resident" in options, holdout=int(r["holdout_years"])
        )
        assert result.holdout is not None and max(y for y, *_ in result.holdout.rows) == 2010
        last = [abs(x[5]) for x in result.holdout.rows if x[0] == 2010 and x[1] != "total"]
        assert float(r["mape_groups_last_year_pct"]) == pytest.approx(np.mean(last), abs=1e-4)
    best = min(rows, key=lambda r: float(r["mean_mape_pct"]))
    assert best["chosen"] == "yes" and best["options"].split() == chosen_method()


def test_asker_backtest_is_reproduced(tmp_path: Path) -> None:
    """The committed calibration and backtest of scenarios/asker/backtest/ come out of the commands as they are."""
    work = tmp_path / "backtest"
    shutil.copytree(BACKTEST, work, ignore=shutil.ignore_patterns("calibrated", "results"))
    shutil.copytree(BACKTEST.parent / "data", tmp_path / "data")
    runner = CliRunner()
    cal = runner.invoke(
        app,
        [
            "calibrate",
            str(work / "base2010.yaml"),
            "--observed",
            str(work / "data" / OBSERVED.name),
            "--until",
            "2010",
            *chosen_method(),
            "--holdout",
            "2",
            "--out",
            str(work / "calibrated"),
        ],
    )
    assert cal.exit_code == 0, cal.output
    for name in ("calibration.csv", "in_profiles_calibrated.csv", "calibrated.yaml", "holdout.csv"):
        assert (work / "calibrated" / name).read_bytes() == (BACKTEST / "calibrated" / name).read_bytes(), name
    bt = runner.invoke(
        app,
        [
            "backtest",
            str(work / "calibrated" / "calibrated.yaml"),
            "--observed",
            str(work / "data" / OBSERVED.name),
            "--out",
            str(work / "results"),
        ],
    )
    assert bt.exit_code == 0, bt.output
    for name in ("backtest.csv", "backtest_summary.csv"):
        assert (work / "results" / name).read_bytes() == (BACKTEST / "results" / name).read_bytes(), name
