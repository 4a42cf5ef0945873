"""Build the Asker backtest from real SSB data (deterministic; reads only files in the repo).

    python scenarios/asker/backtest/build_backtest.py              # data/, calibrated/, results/
    python scenarios/asker/backtest/build_backtest.py --data-only  # data/population_2010.csv, data/mortality_dated.csv

Steps: (1) the 2010 base and the dated mortality (below); (2) the **method choice**, made inside the
history only: each candidate calibration method (``METHODS``) is fitted on 2005–2008 and on 2005–2007
(``ltsim calibrate --holdout 2`` and ``3``) and the observed stock of 2008 / 2007 projected to 2010;
the method with the lowest mean error over the age groups in 2010 (mean of the two holdouts) is
chosen — ``calibrated/method_choice.csv``; (3) ``ltsim calibrate`` with it on 2005–2010
(``calibrated/``); (4) ``ltsim backtest`` against 2011–2020 (``results/``), and for comparison the
backtest of the earlier method, the five service bands as persons a year (``results/previous_method/``,
its CSV files). No year after 2010 enters steps 2 and 3.

* ``population_2010.csv``: persons on 1 January 2010 by single age, the sum of the three municipalities
  merged into Asker in 2020 (0220 Asker, 0627 Røyken, 0628 Hurum; SSB table 07459 in
  ``data/ssb_07459_2005_2020_by_age.csv``), ages 100–105 pooled in 100+. The file has both sexes only:
  each age is split by the male share at that age in Asker's real population of 1 January 2020
  (``../data/sources/ssb_population_2020_2021_by_age_sex.csv``) — the one figure taken from after
  2010, and it only divides each age between the sexes (the comparison is of both sexes together).
* ``mortality_dated.csv``: the Asker example's 2024 death probabilities (``../data/mortality.csv``)
  moved back to 2010 with the example's own yearly improvement (1.443 % women, 1.598 % men):
  ``q_2010 = q_2024 / (1 − i)^14``, dated 2010 so the run never uses the 2024 rates for 2010.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ASKER = HERE.parent / "data"
BASE_YEAR = 2010
MAX_AGE = 100
MERGED = ("0220", "0627", "0628")
IMPROVEMENT = {"female": 0.01443, "male": 0.01598}  # scenarios/asker/base.yaml, mortality.improvement_by_sex
RATES_YEAR = 2024  # the year of the example's mortality table
ROOT = HERE.parents[2]
OBSERVED = DATA / "ssb_07459_2005_2020_by_age.csv"
UNTIL = 2010
METHODS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("service bands, persons a year", ()),
    ("5-year bands, persons a year", ("--in-bands", "5")),
    ("single ages, persons a year", ("--in-bands", "1")),
    ("service bands, per resident", ("--in-per-resident",)),
    ("5-year bands, per resident", ("--in-bands", "5", "--in-per-resident")),
    ("single ages, per resident", ("--in-bands", "1", "--in-per-resident")),
)
"""Candidate calibration methods: the age bands of the in-migration counts, and counts or rates per resident."""
HOLDOUTS = (2, 3)  # fit 2005–2008 and 2005–2007; check 2010


def read(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main() -> None:
    """Write data/population_2010.csv and data/mortality_dated.csv."""
    total = [0.0] * (MAX_AGE + 1)
    for row in read(DATA / "ssb_07459_2005_2020_by_age.csv"):
        if int(row["year"]) == BASE_YEAR and row["code"] in MERGED:
            total[min(int(row["age"]), MAX_AGE)] += float(row["persons"])
    by_sex = {"female": [0.0] * (MAX_AGE + 1), "male": [0.0] * (MAX_AGE + 1)}
    for row in read(ASKER / "sources" / "ssb_population_2020_2021_by_age_sex.csv"):
        if int(row["year"]) == 2020:
            by_sex[row["sex"]][min(int(row["age"]), MAX_AGE)] += float(row["persons"])
    rows = []
    for sex in ("female", "male"):
        for age in range(MAX_AGE + 1):
            both = by_sex["female"][age] + by_sex["male"][age]
            male = round(total[age] * (by_sex["male"][age] / both if both else 1.05 / 2.05), 3)
            rows.append(("asker", age, sex, male if sex == "male" else round(total[age] - male, 3)))
    with (DATA / "population_2010.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["area", "age", "sex", "persons"])
        w.writerows((a, age, s, f"{p:.3f}") for a, age, s, p in sorted(rows, key=lambda r: (r[2], r[1])))
    with (DATA / "mortality_dated.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["year", "age", "sex", "rate"])
        for row in read(ASKER / "mortality.csv"):
            back = float(row["rate"]) / (1.0 - IMPROVEMENT[row["sex"]]) ** (RATES_YEAR - BASE_YEAR)
            w.writerow([BASE_YEAR, row["age"], row["sex"], f"{min(back, 1.0):.9g}"])
    print(f"1 January {BASE_YEAR}: {sum(total):,.0f} persons (0220 + 0627 + 0628)")


def ltsim(*args: str) -> None:
    """Run an ltsim command (this Python's ltsim) from the repository root; stop on failure."""
    res = subprocess.run([sys.executable, "-m", "ltsim", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.exit(f"ltsim {' '.join(args)} failed:\n{res.stdout}{res.stderr}")


def rel(path: Path) -> str:
    """A path as the commands are given it (relative to the repository root, so the files written are too)."""
    return str(path.relative_to(ROOT))


def method_choice() -> list[dict[str, str]]:
    """Each candidate method fitted with each holdout; the rows of calibrated/method_choice.csv."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, options in METHODS:
            for k in HOLDOUTS:
                out = Path(tmp) / f"{len(rows)}"
                base = ["calibrate", rel(HERE / "base2010.yaml"), "--observed", rel(OBSERVED)]
                ltsim(*base, "--until", str(UNTIL), *options, "--holdout", str(k), "--out", str(out))
                stats = {r["statistic"]: r["value"] for r in read(out / "fit.csv")}
                rows.append(
                    {
                        "method": name,
                        "options": " ".join(options),
                        "holdout_years": str(k),
                        "fitted": stats["holdout_fitted"],
                        "checked": stats["holdout_checked"],
                        "mape_groups_last_year_pct": stats["holdout_mape_groups_last_year"],
                        "total_error_last_year_pct": stats["holdout_total_error_pct_last_year"],
                        "rmse_persons_2005_2010": stats["rmse_persons"],
                        "parameters": stats["parameters"],
                    }
                )
    score = {
        name: sum(float(r["mape_groups_last_year_pct"]) for r in rows if r["method"] == name) / len(HOLDOUTS)
        for name, _ in METHODS
    }
    best = min(score, key=lambda m: score[m])
    for r in rows:
        r["mean_mape_pct"] = f"{score[r['method']]:.4f}"
        r["chosen"] = "yes" if r["method"] == best else "no"
    return rows


def chosen_options(rows: list[dict[str, str]]) -> list[str]:
    """The options of the method marked chosen in method_choice.csv rows."""
    return next(r["options"] for r in rows if r["chosen"] == "yes").split()


def build() -> None:
    """Method choice, calibration and backtest (steps 2–4 of the module docstring)."""
    rows = method_choice()
    with (HERE / "calibrated" / "method_choice.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    options = chosen_options(rows)
    print(f"chosen inside 2005–2010: {next(r['method'] for r in rows if r['chosen'] == 'yes')} ({' '.join(options)})")
    cal, res = HERE / "calibrated", HERE / "results"
    ltsim(
        "calibrate",
        rel(HERE / "base2010.yaml"),
        "--observed",
        rel(OBSERVED),
        "--until",
        str(UNTIL),
        *options,
        "--holdout",
        "2",
        "--out",
        rel(cal),
    )
    ltsim("backtest", rel(cal / "calibrated.yaml"), "--observed", rel(OBSERVED), "--out", rel(res))
    with tempfile.TemporaryDirectory(dir=HERE) as tmp:
        ltsim(
            "calibrate",
            rel(HERE / "base2010.yaml"),
            "--observed",
            rel(OBSERVED),
            "--until",
            str(UNTIL),
            "--out",
            rel(Path(tmp) / "cal"),
        )
        ltsim(
            "backtest",
            rel(Path(tmp) / "cal" / "calibrated.yaml"),
            "--observed",
            rel(OBSERVED),
            "--out",
            rel(Path(tmp) / "bt"),
        )
        previous = res / "previous_method"
        previous.mkdir(exist_ok=True)
        for name in ("backtest.csv", "backtest_summary.csv"):
            shutil.copy(Path(tmp) / "bt" / name, previous / name)
        shutil.copy(Path(tmp) / "cal" / "calibration.csv", previous / "calibration.csv")


if __name__ == "__main__":
    main()
    if "--data-only" not in sys.argv[1:]:
        build()
