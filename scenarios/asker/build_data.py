"""Build the model tables of the Asker example scenario from the raw inputs in ``data/sources/``.

Run ``python scenarios/asker/build_data.py`` (writes ``scenarios/asker/data/``) or
``python scenarios/asker/build_data.py --out DIR``. The script reads only ``data/sources/``
and is deterministic: the same inputs give byte-identical CSV files (fixed number formats,
sorted rows, no randomness, fixed iteration counts). Every assumption is a named constant
below, with its source; ``scenarios/asker/README.md`` explains them.

Steps
-----
1. Mortality: Gompertz–Makeham hazard with a child and an accident component, level
   calibrated by bisection to Norway's 2023 life expectancy; a constant yearly improvement
   per sex calibrated to SSB's 2050 life expectancy.
2. Fertility: a gamma-shaped schedule with mean age at birth 32; the TFR is the one implied by
   Asker's real 2020 birth cohort, moved with Norway's TFR from 2020 to 2024.
3. Out-migration: a Rogers–Castro schedule scaled to a stated crude area-level rate.
4. In-migration profiles: ``families`` from real cohort changes 2014–2019 in the three old
   municipalities (net migration by age) plus the out-migration schedule; ``young_adults`` from
   the age profile of movers.
5. Municipal 2024 population: the real 1 January 2021 population projected three years and
   controlled to the plan's 97,800.
6. Planning areas: old-municipality totals (2019, real) split by kindergarten children per
   postcode (real), anchored to the slide figures for Slemmestad and Sætre; ages by iterative
   proportional fitting.
7. Housing programme and occupancy per new dwelling.
8. Ordinary in-migration per area, calibrated so the base scenario follows the plan's growth.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "data" / "sources"
REPO = HERE.parents[1]
if str(REPO) not in sys.path:  # run as a script without ltsim installed
    sys.path.append(str(REPO))

from ltsim.models import population as pop_model  # noqa: E402

MAX_AGE = 100
N_AGES = MAX_AGE + 1
AGES = np.arange(N_AGES)
SEXES = pop_model.SEXES  # ("female", "male")
BASE_YEAR = 2024
END_YEAR = 2044
FLOW_YEARS = np.arange(BASE_YEAR, END_YEAR)

# --- mortality (reference_norwegian_rules.md: SSB 2024 projection round) -------------------------
E0_TARGET_BASE = {"female": 84.6, "male": 81.4}  # Norway 2023, period life expectancy at birth [years]
E0_TARGET_2050 = {"female": 88.3, "male": 86.0}  # SSB 2024 main alternative, year 2050 [years]
INFANT_Q = {"female": 0.0018, "male": 0.0022}  # probability of dying in the first year (Norway ~0.002)
GOMPERTZ_SLOPE = {"female": 0.115, "male": 0.105}  # log-hazard increase per year of age (assumed)
MAKEHAM = {"female": 0.0001, "male": 0.0002}  # age-independent hazard [1/yr] (assumed)
ACCIDENT_HUMP = {"female": 0.00015, "male": 0.0005}  # extra hazard around age 22 [1/yr] (assumed)

# --- fertility --------------------------------------------------------------------------------
TFR_NORWAY = {2020: 1.48, 2024: 1.44}  # Statistics Norway, births (table 04232) [children per woman]
MEAN_AGE_AT_BIRTH = 32.0  # years, exact age (Asker above Norway's ~31.5)
SD_AGE_AT_BIRTH = 5.2  # years (assumed, typical for Norway)
SEX_RATIO_AT_BIRTH = 1.05

# --- migration ------------------------------------------------------------------------------
CRUDE_OUT_RATE = 0.075  # share of the population leaving its planning area per year (assumed)
NET_MIGRATION_YEARS = range(2014, 2019)  # cohort changes t -> t+1 for t in these years (1 Jan 2015-2019)
HISTORICAL_IMPROVEMENT = 0.012  # yearly mortality decline used to backcast q to ~2017 (assumed)
INFANT_SHARE_OF_AGE1 = 0.5  # migrants aged 0 on 1 Jan (born during the year) relative to age 1 (assumed)

# --- areas: (id, name, region, old municipality, postcodes) -------------------------------------
AREAS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("asker_sentrum", "Asker sentrum", "sentrum", "0220", ("1383", "1384", "1385")),
    ("hon_landas", "Høn/Landås (Hønsjordet)", "sentrum", "0220", ("1386", "1387")),
    ("borgen_vettre", "Borgen/Vettre", "sentrum", "0220", ("1388", "1392")),
    ("billingstad", "Billingstad/Nesbru/Hvalstad", "nord", "0220", ("1394", "1395", "1396")),
    ("holmen_vollen", "Holmen/Vollen/Nesøya", "midt", "0220", ("1390", "1391", "1397")),
    ("heggedal", "Heggedal", "midt", "0220", ("1389",)),
    ("slemmestad", "Slemmestad", "midt", "0627", ("3470", "3472")),
    ("naersnes", "Nærsnes/Åros/Båtstø", "midt", "0627", ("3474", "3477", "3478")),
    ("royken", "Røyken/Hyggen", "sør", "0627", ("3440", "3442")),
    ("spikkestad", "Spikkestad", "sør", "0627", ("3430",)),
    ("saetre", "Sætre/Kana", "sør", "0628", ("3475", "3483")),
    ("tofte", "Tofte/Filtvet/Klokkarstua", "sør", "0628", ("3480", "3482", "3490")),
)
AREA_IDS = tuple(a[0] for a in AREAS)
SPLIT_YEAR = 2019  # last year with old-municipality totals (real)
COHORT_SHIFT = 5  # 2019 → 2024
YOUNG_ADULT_AREAS = ("asker_sentrum", "billingstad")  # central apartment areas

# --- housing -----------------------------------------------------------------------------------
DWELLING_TYPES = ("apartment", "terraced", "detached")
INFILL_FLOOR = 150.0  # dwellings/yr of ordinary infill in every year (assumed)
# (development, area, total dwellings, (apartment, terraced, detached) shares, first year, last year)
DEVELOPMENTS: tuple[tuple[str, str, float, tuple[float, float, float], int, int], ...] = (
    ("honsjordet", "hon_landas", 1600, (0.85, 0.15, 0.0), 2025, 2035),
    ("asker_sentrum_transformasjon", "asker_sentrum", 600, (1.0, 0.0, 0.0), 2024, 2035),
    ("vestre_billingstad_elvegaarden", "billingstad", 412, (1.0, 0.0, 0.0), 2024, 2027),
    ("vestre_billingstad_billingstad_torg", "billingstad", 573, (1.0, 0.0, 0.0), 2024, 2029),
    ("vestre_billingstad_bergerhagen_apartments", "billingstad", 148, (1.0, 0.0, 0.0), 2024, 2026),
    ("vestre_billingstad_bergerhagen_terraced", "billingstad", 50, (0.0, 1.0, 0.0), 2024, 2026),
    ("vestre_billingstad_neselva_hageby", "billingstad", 422, (1.0, 0.0, 0.0), 2025, 2030),
    ("vestre_billingstad_berger_naersenter", "billingstad", 45, (1.0, 0.0, 0.0), 2027, 2028),
    ("slemmestad_sentrum", "slemmestad", 1500, (0.75, 0.15, 0.10), 2024, 2037),
    ("tofte_sagene", "tofte", 550, (0.50, 0.30, 0.20), 2028, 2040),
    ("spikkestad_sentrum", "spikkestad", 700, (0.60, 0.25, 0.15), 2031, 2044),
    ("saetre_videre", "saetre", 250, (0.40, 0.30, 0.30), 2024, 2035),
)
# Infill weight multipliers (wastewater: Lahell limits Spikkestad until a regional plant, no
# earlier than 2030; Rulleto at Tofte has poor capacity): (area, multiplier, until year incl.)
INFILL_LIMITS = (("spikkestad", 0.25, 2030), ("tofte", 0.5, END_YEAR))

# Persons moving in per completed dwelling (net additional residents of the area):
# (type, k, component, persons, mean age, sd age, male share)
OCCUPANCY_COMPONENTS: tuple[tuple[str, int, str, float, float, float, float], ...] = (
    ("apartment", 0, "young adults", 0.70, 27.0, 4.0, 0.50),
    ("apartment", 0, "couples 30-45", 0.30, 36.0, 6.0, 0.50),
    ("apartment", 0, "young children", 0.15, 2.0, 2.5, 0.512),
    ("apartment", 0, "middle-aged", 0.25, 56.0, 7.0, 0.50),
    ("apartment", 0, "seniors", 0.40, 73.0, 7.0, 0.45),
    ("apartment", 1, "young children", 0.05, 1.0, 1.2, 0.512),
    ("apartment", 2, "young children", 0.03, 1.0, 1.2, 0.512),
    ("terraced", 0, "parents", 1.45, 35.0, 5.0, 0.50),
    ("terraced", 0, "children", 0.85, 5.0, 4.0, 0.512),
    ("terraced", 0, "young adults", 0.15, 25.0, 3.0, 0.50),
    ("terraced", 0, "middle-aged", 0.20, 52.0, 8.0, 0.50),
    ("terraced", 0, "seniors", 0.15, 70.0, 6.0, 0.45),
    ("terraced", 1, "young children", 0.12, 1.0, 1.2, 0.512),
    ("terraced", 2, "young children", 0.06, 1.0, 1.2, 0.512),
    ("detached", 0, "parents", 1.55, 40.0, 6.0, 0.50),
    ("detached", 0, "children", 1.20, 8.0, 5.0, 0.512),
    ("detached", 0, "middle-aged", 0.30, 55.0, 8.0, 0.50),
    ("detached", 0, "seniors", 0.15, 70.0, 6.0, 0.45),
    ("detached", 1, "young children", 0.10, 1.0, 1.2, 0.512),
    ("detached", 2, "young children", 0.05, 1.0, 1.2, 0.512),
)


# =============================================================================== helpers


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts of strings."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def facts() -> dict[str, object]:
    """The plan figures used, by key (``sources/asker_facts_used.yaml``)."""
    data = yaml.safe_load((SOURCES / "asker_facts_used.yaml").read_text(encoding="utf-8"))
    return {entry["key"]: entry["value"] for entry in data["facts"]}


def fmt(value: float, decimals: int) -> str:
    """Fixed-point text with ``decimals`` decimals and no negative zero."""
    text = f"{value:.{decimals}f}"
    return "0." + "0" * decimals if float(text) == 0.0 else text


def fmt_sig(value: float) -> str:
    """Six significant digits (for rates)."""
    return f"{value:.6g}"


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Write a CSV with LF line endings (byte-stable)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def bisect(fn, lo: float, hi: float, iterations: int = 80) -> float:
    """Root of an increasing or decreasing ``fn`` on [lo, hi] by a fixed number of bisections."""
    f_lo = fn(lo)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        f_mid = fn(mid)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def bump(mean_age: float, sd_age: float) -> np.ndarray:
    """A normal-shaped age distribution over 0..MAX_AGE summing to 1."""
    w = np.exp(-0.5 * ((AGES - mean_age) / sd_age) ** 2)
    return w / w.sum()


# =============================================================================== mortality


def hazard(sex: str, level: float) -> np.ndarray:
    """Force of mortality by age [1/yr] for ages 1..MAX_AGE (age 0 is set from INFANT_Q)."""
    x = AGES.astype(float)
    child = 0.0008 * np.exp(-0.8 * x)
    accident = ACCIDENT_HUMP[sex] * np.exp(-0.5 * ((x - 22.0) / 6.0) ** 2)
    senescent = level * np.exp(GOMPERTZ_SLOPE[sex] * (x - 80.0))
    return child + accident + MAKEHAM[sex] + senescent


def death_probability(sex: str, level: float) -> np.ndarray:
    """q(age): probability of dying during the year by age on 1 January."""
    q = 1.0 - np.exp(-hazard(sex, level))
    q[0] = INFANT_Q[sex]
    return q


def life_expectancy(q: np.ndarray) -> float:
    """Period life expectancy at birth [years] from q by single age, open class at MAX_AGE."""
    alive = np.concatenate([[1.0], np.cumprod(1.0 - q)])
    lived = alive[:-1] * (1.0 - 0.5 * q)
    lived[0] = 1.0 - 0.9 * q[0]  # infant deaths happen early in the first year
    mu_open = -np.log(1.0 - q[-1])
    lived[-1] = alive[-2] / mu_open
    return float(lived.sum())


@dataclass(frozen=True)
class Mortality:
    """Base-year death probabilities [2, N] and yearly improvement per sex."""

    q: np.ndarray
    improvement: dict[str, float]
    e0_base: dict[str, float]
    e0_2050: dict[str, float]


def build_mortality() -> Mortality:
    """Calibrate the schedule level to e0 in the base year and the improvement to e0 in 2050."""
    q = np.zeros((2, N_AGES))
    improvement, e0_base, e0_2050 = {}, {}, {}
    steps_to_2050 = 2050 - BASE_YEAR
    for i, sex in enumerate(SEXES):
        level = bisect(lambda lv, s=sex: life_expectancy(death_probability(s, lv)) - E0_TARGET_BASE[s], 1e-3, 1.0)
        q[i] = np.round(death_probability(sex, level), 12)
        e0_base[sex] = life_expectancy(q[i])
        imp = bisect(
            lambda r, qi=q[i], s=sex: E0_TARGET_2050[s] - life_expectancy(qi * (1.0 - r) ** steps_to_2050),
            0.0,
            0.1,
        )
        improvement[sex] = round(imp, 5)
        e0_2050[sex] = life_expectancy(q[i] * (1.0 - improvement[sex]) ** steps_to_2050)
    return Mortality(q=q, improvement=improvement, e0_base=e0_base, e0_2050=e0_2050)


# =============================================================================== fertility


def build_fertility(tfr: float) -> np.ndarray:
    """Births per woman per year by age on 1 January, ages 0..MAX_AGE (zero outside 15–49)."""
    ages = np.arange(15, 50, dtype=float)
    # gamma shape in exact age (age on 1 January + 0.5), origin 14
    mean_shifted = MEAN_AGE_AT_BIRTH - 14.0
    theta = SD_AGE_AT_BIRTH**2 / mean_shifted
    k = mean_shifted / theta
    x = ages + 0.5 - 14.0
    shape = x ** (k - 1.0) * np.exp(-x / theta)
    shape /= shape.sum()
    rate = np.zeros(N_AGES)
    rate[15:50] = tfr * shape
    return rate


def implied_tfr(
    pop_2021: np.ndarray, female_2020: np.ndarray, fertility: np.ndarray, q: np.ndarray, infant_net: float
) -> float:
    """TFR implied by the 1 January 2021 infants and the women of 1 January 2020 (same age pattern).

    Births 2020 = (infants on 1 January 2021 − net in-migration of infants) / infant survival.
    """
    infant_survival = 1.0 - 0.5 * float(q[:, 0].mean())
    births_2020 = (pop_2021[:, 0].sum() - infant_net) / infant_survival
    shape = fertility / fertility.sum()
    return float(births_2020 / (female_2020 @ shape))


# =============================================================================== migration


def build_out_rates(q: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """Rogers–Castro out-migration probability [2, N], scaled to CRUDE_OUT_RATE on ``pop``."""
    x = AGES.astype(float)
    rates = np.zeros((2, N_AGES))
    for i, shift in enumerate((16.0, 17.0)):  # women move a little younger; peaks at ~19-20 and ~20-21
        child = 0.020 * np.exp(-0.10 * x)
        labour = 0.085 * np.exp(-0.10 * (x - shift) - np.exp(-0.5 * (x - shift)))
        old = 0.012 / (1.0 + np.exp(-(x - 85.0) / 3.0))
        rates[i] = child + labour + old + 0.006
    survivors = pop * (1.0 - q)
    scale = CRUDE_OUT_RATE * pop.sum() / (survivors * rates).sum()
    return np.round(np.minimum(rates * scale, 0.5), 8)


def old_municipality_population() -> dict[str, np.ndarray]:
    """Real population by single age (0..100+, both sexes) per ``code`` and year → {f"{code}/{year}": [N]}."""
    out: dict[str, np.ndarray] = {}
    for row in read_csv(SOURCES / "ssb_population_2005_2020_by_age.csv"):
        key = f"{row['code']}/{row['year']}"
        arr = out.setdefault(key, np.zeros(N_AGES))
        arr[min(int(row["age"]), MAX_AGE)] += float(row["persons"])
    return out


def population_2020_2021() -> dict[int, np.ndarray]:
    """Real population of Asker 1 January 2020 and 2021: {year: [2, N]} (100+ in age 100)."""
    out = {2020: np.zeros((2, N_AGES)), 2021: np.zeros((2, N_AGES))}
    for row in read_csv(SOURCES / "ssb_population_2020_2021_by_age_sex.csv"):
        out[int(row["year"])][SEXES.index(row["sex"]), min(int(row["age"]), MAX_AGE)] += float(row["persons"])
    return out


def net_migration_by_age(old: dict[str, np.ndarray], q_both: np.ndarray) -> np.ndarray:
    """Average yearly net migration by age on 1 January t+1 (ages 1..MAX_AGE; age 0 unknown)."""
    codes = ("0220", "0627", "0628")
    nets = []
    for t in NET_MIGRATION_YEARS:
        now = sum(old[f"{c}/{t}"] for c in codes)
        nxt = sum(old[f"{c}/{t + 1}"] for c in codes)
        survivors = now * (1.0 - q_both)
        expected = np.zeros(N_AGES)
        expected[1:] = survivors[:-1]
        expected[-1] += survivors[-1]
        net = nxt - expected
        net[0] = 0.0
        nets.append(net)
    return np.mean(nets, axis=0)


def smooth(values: np.ndarray, start: int) -> np.ndarray:
    """Three-age moving average from age ``start`` on (ends kept)."""
    out = values.copy()
    out[start + 1 : -1] = (values[start:-2] + values[start + 1 : -1] + values[start + 2 :]) / 3.0
    return out


def normalise_profile(by_age_sex: np.ndarray) -> np.ndarray:
    """Round shares to 9 decimals so they sum to exactly 1 (remainder to the largest cell)."""
    shares = by_age_sex / by_age_sex.sum()
    shares = np.round(shares, 9)
    idx = np.unravel_index(np.argmax(shares), shares.shape)
    shares[idx] = round(shares[idx] + (1.0 - shares.sum()), 9)
    return shares


def historical_q(q: np.ndarray) -> np.ndarray:
    """Both-sex death probability around 2017 [N]: the base schedule backcast 7 years."""
    years_back = BASE_YEAR - 2017  # centre of the 2014–2019 window
    return (q / (1.0 - HISTORICAL_IMPROVEMENT) ** years_back).mean(axis=0)


def build_in_profiles(
    old: dict[str, np.ndarray], q: np.ndarray, out_rate: np.ndarray, female_share: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``families`` and ``young_adults`` profiles [2, N]; also the net migration by age used."""
    q_both = historical_q(q)
    net = net_migration_by_age(old, q_both)
    r_both = (out_rate * np.stack([female_share, 1.0 - female_share])).sum(axis=0)
    codes = ("0220", "0627", "0628")
    pop_mid = np.mean([sum(old[f"{c}/{t}"] for c in codes) for t in NET_MIGRATION_YEARS], axis=0)
    movers = pop_mid * (1.0 - q_both) * r_both  # out-movers by age on 1 January t
    out_next = np.zeros(N_AGES)
    out_next[1:] = movers[:-1]
    out_next[-1] += movers[-1]
    gross = smooth(np.clip(net + out_next, 0.0, None), 1)
    gross[0] = INFANT_SHARE_OF_AGE1 * gross[1]
    fam = np.stack([gross * female_share, gross * (1.0 - female_share)])
    young = np.stack([out_next * female_share, out_next * (1.0 - female_share)])
    net = net.copy()
    net[0] = INFANT_SHARE_OF_AGE1 * net[1]
    net_by_sex = np.stack([net * female_share, net * (1.0 - female_share)])
    return {"families": normalise_profile(fam), "young_adults": normalise_profile(young)}, net_by_sex


# =============================================================================== 2024 municipal


def project_one_area(
    base: np.ndarray,
    q_by_year: np.ndarray,
    fertility: np.ndarray,
    out_rate: np.ndarray,
    in_persons: float,
    in_profile: np.ndarray,
) -> np.ndarray:
    """Project one area with ltsim's cohort-component model; persons [Y+1, 2, N]."""
    n_years = q_by_year.shape[0]
    inputs = pop_model.PopulationInputs(
        base_year=2021,
        base_persons=base[None],
        death_rate=q_by_year,
        fertility_rate=np.repeat(fertility[None], n_years, axis=0),
        male_share_at_birth=SEX_RATIO_AT_BIRTH / (1.0 + SEX_RATIO_AT_BIRTH),
        out_rate=out_rate,
        out_scale=np.ones((n_years, 1)),
        in_persons=np.full((n_years, 1), in_persons),
        in_profile=in_profile[None],
        housing_in=np.zeros((n_years, 1, 2, N_AGES)),
        control_total=np.full(n_years, np.nan),
    )
    return pop_model.project(inputs).persons[:, 0]


def municipal_2024(
    pop_2021: np.ndarray, mort: Mortality, fertility: np.ndarray, net: np.ndarray, total: float
) -> tuple[np.ndarray, float]:
    """Real 2021 population projected to 1 January 2024 and controlled to ``total``.

    Migration is the historical net migration by age and sex ``net`` [2, N] (a profile that may
    be negative at some ages) times a yearly level solved so that the 2024 total is ``total``.
    """
    imp = np.array([mort.improvement[s] for s in SEXES])
    q_by_year = np.stack([mort.q / (1.0 - imp[:, None]) ** (BASE_YEAR - y) for y in (2021, 2022, 2023)])
    profile = net / net.sum()
    no_out = np.zeros((2, N_AGES))

    def end_total(level: float) -> float:
        return float(project_one_area(pop_2021, q_by_year, fertility, no_out, level, profile)[-1].sum())

    # the total is linear in the yearly net migration: solve exactly from two runs
    t0, t1 = end_total(0.0), end_total(1000.0)
    level = 1000.0 * (total - t0) / (t1 - t0)
    persons = project_one_area(pop_2021, q_by_year, fertility, no_out, level, profile)[-1]
    return persons * (total / persons.sum()), level


# =============================================================================== areas


def kindergarten_children() -> dict[str, float]:
    """Children enrolled per postcode (real, barnehagefakta 2023/24)."""
    out: dict[str, float] = {}
    for row in read_csv(SOURCES / "kindergartens.csv"):
        if row["children"]:
            out[row["postcode"]] = out.get(row["postcode"], 0.0) + float(row["children"])
    return out


def area_totals_2019(old: dict[str, np.ndarray], anchors: dict[str, float]) -> dict[str, float]:
    """Population per area 1 January 2019: old-municipality totals split by kindergarten children."""
    kids = kindergarten_children()
    out: dict[str, float] = {}
    for code in ("0220", "0627", "0628"):
        total = float(old[f"{code}/{SPLIT_YEAR}"].sum())
        members = [a for a in AREAS if a[3] == code]
        fixed = {a[0]: anchors[a[0]] for a in members if a[0] in anchors}
        rest = [a for a in members if a[0] not in anchors]
        weights = {a[0]: sum(kids.get(p, 0.0) for p in a[4]) for a in rest}
        remaining = total - sum(fixed.values())
        out.update(fixed)
        for area_id, w in weights.items():
            out[area_id] = remaining * w / sum(weights.values())
    return out


def ipf(seed: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray, iterations: int = 500) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` [A, N] to area totals and age totals."""
    x = seed.copy()
    for _ in range(iterations):
        x *= (row_totals / x.sum(axis=1))[:, None]
        col = x.sum(axis=0)
        x *= np.divide(col_totals, col, out=np.ones_like(col), where=col > 0)[None, :]
    return x


def split_by_area(
    old: dict[str, np.ndarray], municipal: np.ndarray, anchors: dict[str, float]
) -> tuple[np.ndarray, dict[str, float]]:
    """Base population [A, 2, N] whose areas sum to ``municipal`` [2, N] and hit their totals."""
    totals_2019 = area_totals_2019(old, anchors)
    sum_2019 = sum(totals_2019.values())
    area_totals = np.array([totals_2019[a] for a in AREA_IDS]) * municipal.sum() / sum_2019
    seed = np.zeros((len(AREAS), N_AGES))
    for i, (area_id, _, _, code, _) in enumerate(AREAS):
        prof = old[f"{code}/{SPLIT_YEAR}"]
        shifted = np.zeros(N_AGES)
        shifted[COHORT_SHIFT:] = prof[:-COHORT_SHIFT]
        shifted[-1] += prof[-COHORT_SHIFT:].sum()
        shifted[:COHORT_SHIFT] = prof[:COHORT_SHIFT]
        seed[i] = np.maximum(shifted, 0.01) / shifted.sum() * totals_2019[area_id]
    fitted = ipf(seed, area_totals, municipal.sum(axis=0))
    both = municipal.sum(axis=0)
    female_share = np.divide(municipal[0], both, out=np.full(N_AGES, 0.5), where=both > 0)
    persons = np.stack([fitted * female_share, fitted * (1.0 - female_share)], axis=1)
    return persons, totals_2019


def round_persons(persons: np.ndarray, total: float) -> np.ndarray:
    """Round to 3 decimals keeping the grand total exact (remainder to the largest cell)."""
    out = np.round(persons, 3)
    idx = np.unravel_index(np.argmax(out), out.shape)
    out[idx] = round(out[idx] + (total - out.sum()), 3)
    return out


# =============================================================================== housing


def phase(total: float, first: int, last: int) -> dict[int, float]:
    """Whole dwellings per year, spread evenly from ``first`` to ``last`` (largest remainder)."""
    years = list(range(first, last + 1))
    exact = np.full(len(years), total / len(years))
    whole = np.floor(exact)
    rest = int(total - whole.sum() + 0.5)
    whole[:rest] += 1  # earlier years get the remainder
    return dict(zip(years, whole.tolist(), strict=True))


def build_housing(
    area_pop: np.ndarray, mix_target: tuple[float, float, float], yearly_target: float
) -> list[list[object]]:
    """Rows (development, area, year, dwellings, type): named developments plus infill per area."""
    years = range(BASE_YEAR, END_YEAR + 1)
    rows: list[tuple[str, str, int, float, str]] = []
    named_by_year = dict.fromkeys(years, 0.0)
    named_by_type = np.zeros(3)
    for dev, area, total, shares, first, last in DEVELOPMENTS:
        for t, share in enumerate(shares):
            if share == 0:
                continue
            name = dev if sum(1 for s in shares if s > 0) == 1 else f"{dev}_{DWELLING_TYPES[t]}"
            for year, n in phase(round(total * share), first, last).items():
                if n > 0:
                    rows.append((name, area, year, n, DWELLING_TYPES[t]))
                    named_by_year[year] += n
                    named_by_type[t] += n
    infill_by_year = {y: max(yearly_target - named_by_year[y], INFILL_FLOOR) for y in years}
    infill_total = sum(infill_by_year.values())
    grand = infill_total + named_by_type.sum()
    infill_mix = np.clip(np.array(mix_target) * grand - named_by_type, 0.0, None)
    infill_mix /= infill_mix.sum()
    for y in years:
        weights = area_pop.copy()
        for area, mult, until in INFILL_LIMITS:
            if y <= until:
                weights[AREA_IDS.index(area)] *= mult
        weights /= weights.sum()
        for a, area in enumerate(AREA_IDS):
            for t, dtype in enumerate(DWELLING_TYPES):
                n = round(infill_by_year[y] * weights[a] * infill_mix[t], 1)
                if n > 0:
                    rows.append((f"infill_{area}", area, y, n, dtype))
    rows.sort(key=lambda r: (r[0], r[2], r[4]))
    return [[d, a, y, fmt(n, 1), t] for d, a, y, n, t in rows]


def build_occupancy() -> np.ndarray:
    """Persons per completed dwelling [T, K, 2, N] by years since completion."""
    n_lags = 1 + max(c[1] for c in OCCUPANCY_COMPONENTS)
    occ = np.zeros((len(DWELLING_TYPES), n_lags, 2, N_AGES))
    for dtype, k, _label, persons, mean, sd, male in OCCUPANCY_COMPONENTS:
        dist = bump(mean, sd) * persons
        occ[DWELLING_TYPES.index(dtype), k, 0] += dist * (1.0 - male)
        occ[DWELLING_TYPES.index(dtype), k, 1] += dist * male
    return np.round(occ, 6)


# =============================================================================== calibration


@dataclass(frozen=True)
class Model:
    """Everything the base scenario run needs, on the model grid (mirrors ltsim.pipeline)."""

    base: np.ndarray
    q: np.ndarray
    improvement: np.ndarray
    fertility: np.ndarray
    out_rate: np.ndarray
    in_profile: np.ndarray
    housing: np.ndarray


def run_model(m: Model, in_persons: np.ndarray) -> np.ndarray:
    """Municipal totals 2024..2044 for yearly in-migrants ``in_persons`` [Y, A]."""
    n_years = len(FLOW_YEARS)
    imp = np.repeat(m.improvement[None], n_years, axis=0)
    inputs = pop_model.PopulationInputs(
        base_year=BASE_YEAR,
        base_persons=m.base,
        death_rate=m.q[None] * pop_model.cumulative_improvement(imp)[:, :, None],
        fertility_rate=np.repeat(m.fertility[None], n_years, axis=0),
        male_share_at_birth=SEX_RATIO_AT_BIRTH / (1.0 + SEX_RATIO_AT_BIRTH),
        out_rate=m.out_rate,
        out_scale=np.ones((n_years, len(AREA_IDS))),
        in_persons=in_persons,
        in_profile=m.in_profile,
        housing_in=m.housing,
        control_total=np.full(n_years, np.nan),
    )
    return pop_model.project(inputs).totals()


def linear_in(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """In-migrants [Y, A] on a straight line from 2024 to 2044 (as a linear YearSeries)."""
    w = (FLOW_YEARS - BASE_YEAR) / (END_YEAR - BASE_YEAR)
    return start[None] * (1.0 - w[:, None]) + end[None] * w[:, None]


def calibrate_in_migration(m: Model, weights: np.ndarray, target_2027: float, target_2044: float) -> np.ndarray:
    """In-migrants per area in 2024 and 2044 [2, A] (whole persons) hitting the two targets.

    ``in(area, y) = weights[area] · (a + (b − a)·(y − 2024)/20)``; totals are linear in (a, b),
    so three runs give the exact solution.
    """
    i27, i44 = 2027 - BASE_YEAR, END_YEAR - BASE_YEAR
    zero = run_model(m, linear_in(0 * weights, 0 * weights))
    da = run_model(m, linear_in(weights, 0 * weights)) - zero
    db = run_model(m, linear_in(0 * weights, weights)) - zero
    lhs = np.array([[da[i27], db[i27]], [da[i44], db[i44]]])
    rhs = np.array([target_2027 - zero[i27], target_2044 - zero[i44]])
    a, b = np.linalg.solve(lhs, rhs)
    return np.round(np.stack([a * weights, b * weights]))


# =============================================================================== main


def build(out_dir: Path) -> dict[str, float]:
    """Write every model table into ``out_dir``; return the calibration figures."""
    f = facts()
    total_2024 = float(f["population_current_approx"])
    growth_short = float(f["befolkningsvekst_assumed_HP"]) / 100.0
    growth_long = float(f["befolkningsvekst_long_term_kommuneplan"]) / 100.0
    completions = f["nye_boliger_per_aar"]
    yearly_target = float(np.mean(list(completions.values())))
    apt = f["share_new_dwellings_leilighet"][2022] / 100.0
    apt_or_terr = f["share_new_dwellings_leilighet_or_rekkehus"][2022] / 100.0
    mix = (apt, apt_or_terr - apt, 1.0 - apt_or_terr)
    anchors = {
        "slemmestad": float(f["slemmestad_population_and_housing"]["innbyggere"]),
        "saetre": float(f["saetre_population"]),
    }
    report: dict[str, float] = {}

    mort = build_mortality()
    for s in SEXES:
        report[f"e0_{BASE_YEAR}_{s}"] = mort.e0_base[s]
        report[f"e0_2050_{s}"] = mort.e0_2050[s]
        report[f"improvement_{s}"] = mort.improvement[s]
    rows = [[a, s, fmt_sig(mort.q[i, a])] for i, s in enumerate(SEXES) for a in AGES]
    write_csv(out_dir / "mortality.csv", ["age", "sex", "rate"], rows)

    real = population_2020_2021()
    old = old_municipality_population()
    out_rate = build_out_rates(mort.q, real[2021])
    write_csv(
        out_dir / "out_migration_rates.csv",
        ["age", "sex", "rate"],
        [[a, s, fmt_sig(out_rate[i, a])] for i, s in enumerate(SEXES) for a in AGES],
    )
    both_2021 = real[2021].sum(axis=0)
    female_share = np.divide(real[2021][0], both_2021, out=np.full(N_AGES, 0.5), where=both_2021 > 0)
    profiles, net = build_in_profiles(old, mort.q, out_rate, female_share)
    write_csv(
        out_dir / "in_migration_profiles.csv",
        ["profile", "age", "sex", "share"],
        [[p, a, s, fmt(profiles[p][i, a], 9)] for p in sorted(profiles) for i, s in enumerate(SEXES) for a in AGES],
    )
    report["net_migration_2015_2019_per_year"] = float(net.sum())

    # fertility: the real 2020 birth cohort gives Asker's level; move it with Norway's TFR to 2024
    shape = build_fertility(1.0)
    tfr_2020 = implied_tfr(real[2021], real[2020][0], shape, mort.q, float(net[:, 0].sum()))
    tfr = round(tfr_2020 * TFR_NORWAY[2024] / TFR_NORWAY[2020], 2)
    fertility = build_fertility(tfr)
    write_csv(out_dir / "fertility.csv", ["age", "rate"], [[a, fmt_sig(fertility[a])] for a in range(15, 50)])
    fertility = np.array([float(fmt_sig(v)) for v in fertility])
    report["tfr_implied_2020"] = tfr_2020
    report["tfr"] = float(fertility.sum())
    report["mean_age_at_birth"] = float((fertility * (AGES + 0.5)).sum() / fertility.sum())

    municipal, net_level = municipal_2024(real[2021], mort, fertility, net, total_2024)
    report["net_migration_2021_2023_per_year"] = net_level
    report["persons_80plus_2024_municipal"] = float(municipal[:, 80:].sum())
    persons, totals_2019 = split_by_area(old, municipal, anchors)
    persons = round_persons(persons, total_2024)
    write_csv(
        out_dir / "population_2024.csv",
        ["area", "age", "sex", "persons"],
        [
            [area, a, s, fmt(persons[k, i, a], 3)]
            for k, area in enumerate(AREA_IDS)
            for i, s in enumerate(SEXES)
            for a in AGES
        ],
    )
    for area in AREA_IDS:
        report[f"area_2019_{area}"] = totals_2019[area]
    report["persons_80plus_2024"] = float(persons[:, :, 80:].sum())
    report["persons_total_2024"] = float(persons.sum())

    area_pop = persons.sum(axis=(1, 2))
    housing_rows = build_housing(area_pop, mix, yearly_target)
    write_csv(
        out_dir / "housing_programme.csv", ["development", "area", "year", "dwellings", "dwelling_type"], housing_rows
    )
    occ = build_occupancy()
    write_csv(
        out_dir / "new_dwelling_occupancy.csv",
        ["dwelling_type", "years_since_completion", "age", "sex", "persons"],
        [
            [t, k, a, s, fmt(occ[ti, k, i, a], 6)]
            for ti, t in sorted(enumerate(DWELLING_TYPES), key=lambda x: x[1])
            for k in range(occ.shape[1])
            for i, s in enumerate(SEXES)
            for a in AGES
        ],
    )
    dwellings = np.zeros((3, len(AREA_IDS), len(FLOW_YEARS)))
    by_type = np.zeros(3)
    for _dev, area, year, n, t in housing_rows:
        by_type[DWELLING_TYPES.index(t)] += float(n)
        if year < END_YEAR:
            dwellings[DWELLING_TYPES.index(t), AREA_IDS.index(area), year - BASE_YEAR] += float(n)
    report["dwellings_per_year_2024_2043"] = float(dwellings.sum() / len(FLOW_YEARS))
    for t, dtype in enumerate(DWELLING_TYPES):
        report[f"dwelling_share_{dtype}"] = float(by_type[t] / by_type.sum())
        report[f"persons_per_dwelling_k0_{dtype}"] = float(occ[t, 0].sum())
        report[f"persons_per_dwelling_all_k_{dtype}"] = float(occ[t].sum())

    # ordinary in-migration, calibrated to the plan's growth path
    in_profile = np.stack([profiles["young_adults" if a in YOUNG_ADULT_AREAS else "families"] for a in AREA_IDS])
    model = Model(
        base=persons,
        q=np.array([[float(fmt_sig(v)) for v in row] for row in mort.q]),
        improvement=np.array([mort.improvement[s] for s in SEXES]),
        fertility=fertility,
        out_rate=np.array([[float(fmt_sig(v)) for v in row] for row in out_rate]),
        in_profile=in_profile,
        housing=pop_model.housing_inflow(dwellings, occ),
    )
    out_2024 = (persons * (1.0 - model.q[None]) * model.out_rate[None]).sum(axis=(1, 2))
    target_2027 = total_2024 * (1.0 + growth_short) ** 3
    target_2044 = total_2024 * (1.0 + growth_long) ** (END_YEAR - BASE_YEAR)
    in_persons = calibrate_in_migration(model, out_2024 / out_2024.sum(), target_2027, target_2044)
    write_csv(
        out_dir / "in_migration_calibration.csv",
        ["area", "out_migrants_2024", "in_persons_2024", "in_persons_2044"],
        [[a, fmt(out_2024[k], 1), fmt(in_persons[0, k], 0), fmt(in_persons[1, k], 0)] for k, a in enumerate(AREA_IDS)],
    )
    totals = run_model(model, linear_in(in_persons[0], in_persons[1]))
    report["target_2027"] = target_2027
    report["target_2044"] = target_2044
    report["achieved_2027"] = float(totals[3])
    report["achieved_2040"] = float(totals[2040 - BASE_YEAR])
    report["achieved_2044"] = float(totals[-1])
    report["out_migrants_2024"] = float(out_2024.sum())
    report["in_persons_2024"] = float(in_persons[0].sum())
    report["in_persons_2044"] = float(in_persons[1].sum())

    # plan growth path as control totals (plan-growth.yaml)
    plan_rows = []
    for year in range(BASE_YEAR + 1, END_YEAR + 1):
        short = min(year, 2027) - BASE_YEAR
        long = max(year - 2027, 0)
        plan_rows.append([year, fmt(total_2024 * (1 + growth_short) ** short * (1 + growth_long) ** long, 1)])
    write_csv(out_dir / "plan_growth_totals.csv", ["year", "persons"], plan_rows)

    write_csv(
        out_dir / "calibration.csv",
        ["quantity", "value"],
        [[k, fmt_sig(v)] for k, v in sorted(report.items())],
    )
    return report


def update_base_yaml(path: Path, out_dir: Path, report: dict[str, float]) -> None:
    """Write the calibrated in-migrants and mortality improvement into ``base.yaml`` (in place)."""
    text = path.read_text(encoding="utf-8")
    for row in read_csv(out_dir / "in_migration_calibration.csv"):
        text = re.sub(
            rf"^(\s+){row['area']}: \{{method: linear, 2024: [0-9.]+, 2044: [0-9.]+\}}$",
            rf"\g<1>{row['area']}: {{method: linear, 2024: {row['in_persons_2024']}, 2044: {row['in_persons_2044']}}}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
    text = re.sub(
        r"improvement_by_sex: \{female: [0-9.]+, male: [0-9.]+\}",
        f"improvement_by_sex: {{female: {report['improvement_female']:g}, male: {report['improvement_male']:g}}}",
        text,
    )
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "data", help="folder for the model tables")
    parser.add_argument(
        "--update-base-yaml",
        action="store_true",
        help="also write the calibrated in_persons and improvement_by_sex into base.yaml",
    )
    args = parser.parse_args(argv)
    report = build(args.out)
    if args.update_base_yaml:
        update_base_yaml(HERE / "base.yaml", args.out, report)
    width = max(map(len, report))
    for key, value in sorted(report.items()):
        print(f"{key:<{width}}  {value:,.4f}")
    cal = read_csv(args.out / "in_migration_calibration.csv")
    print("\nin_persons for base.yaml (population.migration.in_persons):")
    for row in cal:
        print(f"    {row['area']}: {{method: linear, 2024: {row['in_persons_2024']}, 2044: {row['in_persons_2044']}}}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
