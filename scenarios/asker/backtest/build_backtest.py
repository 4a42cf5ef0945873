"""Build the 2010 base of the Asker backtest from real SSB data (deterministic; reads only files in the repo).

    python scenarios/asker/backtest/build_backtest.py            # writes data/population_2010.csv, data/mortality_dated.csv

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
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ASKER = HERE.parent / "data"
BASE_YEAR = 2010
MAX_AGE = 100
MERGED = ("0220", "0627", "0628")
IMPROVEMENT = {"female": 0.01443, "male": 0.01598}  # scenarios/asker/base.yaml, mortality.improvement_by_sex
RATES_YEAR = 2024  # the year of the example's mortality table


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


if __name__ == "__main__":
    main()
