"""``ltsim calibrate``: fit in-migration, fertility and out-migration to observed history; write a scenario variant.

What is fitted to what (the method is in :mod:`ltsim.models.calibration`):

* observed population on 1 January of consecutive years up to ``--until`` (never later: later years
  are dropped before anything is computed), by single age, and by sex where the file has it;
* each year's cohort change is compared with a one-year projection from the observed stock, with the
  scenario's own mortality, fertility, out-migration rates and housing programme for that year;
* parameters: the in-migration count a year in each age band (level = their sum, profile = their
  shares; per planning area), the fertility level and the out-migration scale. The bands
  (``--in-bands``) are the five of the services (0–15, 16–24, 25–44, 45–66, 67+; the default) or
  bands of N years (``1``: each single age, the residual method's net migration by age).

Years of history before the scenario's base year use the rates of the base year (or a dated table in
force then, see :mod:`ltsim.scenario.dated`), with mortality moved back by the scenario's yearly
improvement, ``q_t = q_base / Π_{t ≤ j < base} (1 − i_j)``; no housing programme. A file without a
sex split is split by a stated rule (``--sex-split``): ``base``, the sex ratio at each age of the
scenario's base population (the default), or ``fixed:S``, a male share ``S`` at every age.

``--in-per-resident`` fits in-migrants a year per resident instead of persons a year; the variant
then writes ``in_rate`` (and ``in_persons: 0``). ``--holdout K`` fits the history less its last K
years as well, projects the observed stock of that year over the K years with the fitted values and
the same rates, and reports the errors by age group (``holdout.csv``): a check of the method inside
the history, made without any year after ``--until``.

Observed births and deaths (``--births``, ``--deaths``; :mod:`ltsim.io.ssb.events`) are fitted first,
each by one multiplier (least squares through the origin, :func:`ltsim.models.calibration.fit_scale`):
births during each history year against the model's births from the observed stock of women
(``Σ F·f``), which gives the fertility level; deaths against ``Σ P·q`` plus the newborns' half year,
which gives the mortality level. The stock fit then takes both as known: the fertility level is no
longer read off the age-0 cohort, where it is confounded with infants moving in and out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ltsim import stages
from ltsim.errors import InputError, Problem
from ltsim.io.ssb.events import Events
from ltsim.io.ssb.observed import WHOLE, Observed, split_by_sex
from ltsim.models import calibration as cal
from ltsim.scenario import Scenario
from ltsim.scenario.dated import dated_death_rate

FIT_CHOICES = ("in_level", "in_profile", "fertility", "fertility_by_area", "out_scale", "out_scale_by_area")
FIT_DEFAULT = ("in_level", "in_profile", "fertility")
"""Out-migration scale is fitted only on request: stocks alone hardly separate gross from net flows.
``out_scale_by_area`` fits one per planning area (the observed file must have areas): each is then
identified from one area's cohort changes only, and even less well. ``fertility_by_area`` fits a
fertility level per planning area (written as ``fertility.scale_by_area``; the observed file must have
areas), each from its own area's age-0 cohort."""
BOY_SHARE_DEFAULT = 1.05 / 2.05  # where the base population has nobody of an age


@dataclass(frozen=True, slots=True)
class Calibration:
    """A calibration's result: the fit, and the values a scenario variant takes from it."""

    fit: cal.Fit
    years: np.ndarray  # stock years used (the flows are years[:-1] → years[1:])
    dropped_years: tuple[int, ...]  # observed years after --until, never read into the fit
    by_sex: bool
    fit_in: str
    fertility_scale: float  # multiplier on the scenario's fertility (1 if not fitted)
    out_scale: float  # multiplier on the scenario's out-migration (1 if not fitted)
    out_scale_by_area: dict[str, float]  # area → multiplier (only with --fit out_scale_by_area)
    fertility_scale_by_area: dict[str, float]  # area → multiplier (only with --fit fertility_by_area)
    in_level: dict[str, float]  # area → in-migrants a year
    in_profile: dict[str, np.ndarray]  # area → [2, N] shares (only when the profile is fitted)
    tfr: float  # total fertility rate implied in the first history year [children per woman]
    fitted: tuple[str, ...] = ()  # the parameter groups fitted (--fit, and births / deaths when given)
    births: cal.EventFit | None = None  # the fertility level fitted to observed births
    deaths: cal.EventFit | None = None  # the mortality level fitted to observed deaths
    mortality_scale: float = 1.0  # multiplier on the scenario's death probabilities (1 if not fitted)
    event_years: dict[str, tuple[int, ...]] | None = None  # births/deaths: the years compared
    sex_split: str = "base"
    in_bands: str = "services"  # --in-bands: the age bands of the in-migration counts
    in_rate: dict[str, float] | None = None  # area → in-migrants per resident a year (--in-per-resident)
    holdout: Holdout | None = None  # --holdout: the method checked on the last years of the history


def sex_split_rule(text: str) -> float | None:
    """``--sex-split``: ``base`` → None (the base population's ratio by age); ``fixed:S`` → the male share S."""
    text = text.strip()
    if text == "base":
        return None
    if text.startswith("fixed:"):
        try:
            share = float(text[6:])
        except ValueError:
            share = -1.0
        if 0.0 < share < 1.0:
            return share
    raise InputError(
        Problem(
            "base (each age split as the scenario's base population) or fixed:S with a male share 0 < S < 1 "
            "(e.g. fixed:0.51)",
            file="command line",
            field="--sex-split",
            found=repr(text),
        )
    )


def in_bands_rule(text: str, n_ages: int) -> tuple[tuple[int, int], ...]:
    """``--in-bands``: ``services`` → :data:`~ltsim.models.calibration.IN_BANDS`; ``N`` (1–20) → bands of N years."""
    text = text.strip()
    if text == "services":
        return cal.IN_BANDS
    if text.isdigit() and 1 <= int(text) <= 20:
        return cal.width_bands(int(text), n_ages)
    raise InputError(
        Problem(
            "services (0-15, 16-24, 25-44, 45-66, 67+) or a band width in years from 1 to 20 (1: each single age)",
            file="command line",
            field="--in-bands",
            found=repr(text),
        )
    )


def male_share_by_age(scenario: Scenario, sex_split: str = "base") -> np.ndarray:
    """Male share by age for a file without sex (``--sex-split``, see :func:`sex_split_rule`).

    ``base``: each age split as the scenario's base population at that age; ``fixed:S``: S at every age.
    """
    fixed = sex_split_rule(sex_split)
    base = scenario.population.base_persons.sum(axis=0)  # [2, N]
    if fixed is not None:
        return np.full(base.shape[1], fixed)
    total = base.sum(axis=0)
    return np.divide(base[1], total, out=np.full(total.shape, BOY_SHARE_DEFAULT), where=total > 0)


def observed_stocks(scenario: Scenario, observed: Observed, sex_split: str = "base") -> np.ndarray:
    """Observed persons on the scenario's grid [T, A, 2, N] (areas in scenario order; sex split by the rule)."""
    areas = scenario.area_ids
    if observed.areas == (WHOLE,):
        if len(areas) != 1:
            raise InputError(
                Problem(
                    f"figures per planning area (an 'area' column with {', '.join(areas)}), or a scenario with one area",
                    file=observed.file,
                    found="figures for the municipality as a whole",
                )
            )
        order = [0]
    else:
        missing = [a for a in areas if a not in observed.areas]
        extra = [a for a in observed.areas if a not in areas]
        if missing or extra:
            raise InputError(
                Problem(
                    f"the scenario's planning areas {', '.join(areas)}",
                    file=observed.file,
                    field="column 'area'",
                    found=f"areas {', '.join(observed.areas)}",
                )
            )
        order = [observed.areas.index(a) for a in areas]
    persons = observed.persons[:, order]
    if observed.by_sex:
        return persons
    return split_by_sex(persons[:, :, 0], male_share_by_age(scenario, sex_split))


def step_rates(scenario: Scenario, years: np.ndarray) -> list[cal.StepRates]:
    """The model's rates for each flow year (before the base year: see the module docstring)."""
    inputs = stages.population_inputs(scenario)
    h = scenario.config.horizon
    cfg = scenario.config.population
    mig = cfg.migration
    data = scenario.population
    area_scale = np.array([mig.out_rate_scale_by_area.get(a, 1.0) for a in scenario.area_ids])
    out = []
    for year in years:
        year = int(year)
        if year >= h.end_year:
            raise InputError(
                Problem(
                    f"history within the scenario's horizon (flows up to {h.end_year - 1})",
                    file=str(scenario.file),
                    field="horizon.end_year",
                    found=f"a flow in {year}",
                )
            )
        s = year - h.base_year
        y = np.array([year])
        in_persons = np.array([mig.in_persons[a].at(y)[0] for a in scenario.area_ids]) * mig.in_scale.at(y)[0]
        in_rate = None
        if mig.in_rate:
            in_rate = np.array([mig.in_rate[a].at(y)[0] if a in mig.in_rate else 0.0 for a in scenario.area_ids])
            in_rate = in_rate * mig.in_scale.at(y)[0]
        out_scale = mig.out_scale.at(y)[0] * area_scale
        if s >= 0:
            death, fert, out_rate = inputs.death_rate[s], inputs.fertility_rate[s], inputs.out_rate
            out_rate = out_rate[s] if out_rate.ndim == 3 else out_rate
            housing = inputs.housing_in[s]
            in_profile = inputs.in_profile[s] if inputs.in_profile.ndim == 4 else inputs.in_profile
        else:
            death = _history_death_rate(scenario, year, inputs.death_rate[0])
            fert = (
                _table_in_force(data.dated.get("fertility"), year, data.fertility_rate) * cfg.fertility.scale.at(y)[0]
            )
            out_rate = _table_in_force(data.dated.get("out_migration"), year, data.out_rate)
            housing = np.zeros_like(inputs.housing_in[0])
            in_profile = _history_in_profile(scenario, year)
        out.append(
            cal.StepRates(
                death_rate=death,
                fertility_rate=fert,
                male_share_at_birth=inputs.male_share_at_birth,
                out_rate=out_rate,
                out_scale=out_scale,
                in_persons=in_persons,
                in_profile=in_profile,
                housing_in=housing,
                in_rate=in_rate,
                fertility_area_scale=stages.fertility_area_scale(scenario),
            )
        )
    return out


def _table_in_force(dated: object, year: int, base: np.ndarray) -> np.ndarray:
    """A dated table in force in ``year`` if one is dated at or before it, else the base year's."""
    if dated is None or dated.years[0] > year:  # type: ignore[attr-defined]
        return base
    return dated.at(np.array([year]))[0]  # type: ignore[attr-defined]


def _history_in_profile(scenario: Scenario, year: int) -> np.ndarray:
    """In-migration profiles [A, 2, N] in a year before the base year: a dated one in force then, else the base year's."""
    data = scenario.population
    mig = scenario.config.population.migration
    names = [mig.in_profile_by_area.get(a, mig.in_profile) for a in scenario.area_ids]
    return np.stack([_table_in_force(data.dated.get(f"in_profile:{n}"), year, data.in_profiles[n]) for n in names])


def _history_death_rate(scenario: Scenario, year: int, q_base: np.ndarray) -> np.ndarray:
    """Mortality in a year before the base year: a dated table in force then, else the base year's moved back."""
    dated = scenario.population.dated.get("mortality")
    if dated is not None and dated.years[0] <= year:
        return dated_death_rate(dated, lambda y: stages.mortality_improvement(scenario, y), np.array([year]))[0]
    base_year = scenario.config.horizon.base_year
    improvement = stages.mortality_improvement(scenario, np.arange(year, base_year))  # [k, 2]
    return q_base / np.prod(1.0 - improvement, axis=0)[:, None]


def calibrate(
    scenario: Scenario,
    observed: Observed,
    until: int,
    fit: tuple[str, ...] = FIT_DEFAULT,
    progress: Callable[[], None] | None = None,
    births: Events | None = None,
    deaths: Events | None = None,
    sex_split: str = "base",
    in_bands: str = "services",
    per_resident: bool = False,
    holdout: int = 0,
) -> Calibration:
    """Fit the chosen parameters to the observed history up to ``until`` (see the module docstring)."""
    sex_split_rule(sex_split)
    bands = in_bands_rule(in_bands, scenario.config.population.max_age + 1)
    dropped = tuple(int(y) for y in observed.years[observed.years > until])
    history = observed.until(until)
    years = history.years
    pairs = [i for i in range(len(years) - 1) if years[i + 1] == years[i] + 1]
    if not pairs:
        raise InputError(
            Problem(
                f"figures for at least two consecutive years up to --until {until}",
                file=observed.file,
                field="year",
                found=f"years {', '.join(str(y) for y in years) or 'none'} up to {until}",
            )
        )
    first, last = pairs[0], pairs[-1]
    if any(years[i + 1] != years[i] + 1 for i in range(first, last + 1)):
        raise InputError(
            Problem(
                "consecutive years (a gap would skip a year's cohort change)",
                file=observed.file,
                field="year",
                found=f"years {', '.join(str(y) for y in years)}",
            )
        )
    used = years[first : last + 2]
    stocks = observed_stocks(scenario, history, sex_split)[first : last + 2]
    rates = step_rates(scenario, used[:-1])
    if progress is not None:
        progress()
    event_years: dict[str, tuple[int, ...]] = {}
    births_fit = deaths_fit = None
    if births is not None:
        k, counts = _events_on_flows(scenario, births, used[:-1])
        expected = np.array(
            [cal.births_expected(stocks[t], rates[t].fertility_rate, rates[t].fertility_area_scale) for t in k]
        )
        births_fit = cal.fit_scale("fertility_scale", _on_areas(expected, births), counts)
        rates = [replace(r, fertility_rate=r.fertility_rate * births_fit.scale) for r in rates]
        event_years["births"] = tuple(int(used[t]) for t in k)
    if deaths is not None:
        k, counts = _events_on_flows(scenario, deaths, used[:-1])
        expected = np.array(
            [
                cal.deaths_expected(
                    stocks[t],
                    rates[t],
                    cal.births_expected(stocks[t], rates[t].fertility_rate, rates[t].fertility_area_scale),
                )
                for t in k
            ]
        )
        deaths_fit = cal.fit_scale("mortality_scale", _on_areas(expected, deaths), counts)
        rates = [replace(r, death_rate=np.minimum(r.death_rate * deaths_fit.scale, 1.0)) for r in rates]
        event_years["deaths"] = tuple(int(used[t]) for t in k)
    fit_in = "profile" if "in_profile" in fit else ("level" if "in_level" in fit else "none")
    fit_fertility: bool | str = "fertility" in fit and births_fit is None
    if "fertility_by_area" in fit:
        problem = None
        if "fertility" in fit:
            problem = ("fertility (one level for all areas) or fertility_by_area (one per area), not both", "--fit")
        elif births_fit is not None:
            problem = ("fertility_by_area without --births (births fit one level for all areas)", "--births")
        elif history.areas == (WHOLE,) or len(scenario.area_ids) < 2:
            problem = ("figures per planning area and a scenario of two or more areas for fertility_by_area", "--fit")
        if problem is not None:
            raise InputError(Problem(problem[0], file="command line", field=problem[1], found=", ".join(fit)))
        fit_fertility = "area"
    if in_bands != "services" and fit_in != "profile":
        raise InputError(
            Problem(
                "--in-bands only with in_profile in --fit (the bands are those of the fitted age profile)",
                file="command line",
                field="--in-bands",
                found=f"--in-bands {in_bands} with --fit {','.join(fit)}",
            )
        )
    if "out_scale" in fit and "out_scale_by_area" in fit:
        raise InputError(
            Problem(
                "out_scale (one for all areas) or out_scale_by_area (one per area), not both",
                file="command line",
                field="--fit",
                found=", ".join(fit),
            )
        )
    fit_out: bool | str = "area" if "out_scale_by_area" in fit else "out_scale" in fit
    if fit_out == "area" and (history.areas == (WHOLE,) or len(scenario.area_ids) < 2):
        raise InputError(
            Problem(
                "figures per planning area (an 'area' column) and a scenario of two or more areas "
                "for --fit out_scale_by_area",
                file=history.file,
                field="column 'area'",
                found="figures for the municipality as a whole"
                if history.areas == (WHOLE,)
                else f"one planning area ({scenario.area_ids[0]})",
            )
        )
    if per_resident and fit_in == "none":
        raise InputError(
            Problem(
                "--in-per-resident only with in_level or in_profile in --fit",
                file="command line",
                field="--in-per-resident",
                found=f"--fit {','.join(fit)}",
            )
        )
    args = (history.by_sex, fit_in, fit_fertility, fit_out, scenario.area_ids, bands, per_resident)
    result = cal.fit(stocks, rates, *args)
    if progress is not None:
        progress()
    value = dict(zip(result.names, result.theta, strict=True))
    r0 = rates[0]
    in_level: dict[str, float] = {}
    in_profile: dict[str, np.ndarray] = {}
    design0 = cal.design(stocks[0], r0, bands)
    residents = stocks[-1].sum(axis=(1, 2))  # on 1 January of the last history year
    for a, area in enumerate(scenario.area_ids):
        if fit_in == "profile":
            counts = np.array([value.get(f"in:{area}:{cal.band_label(lo, hi)}", 0.0) for lo, hi in bands])
            in_level[area] = float(counts.sum())
            shape = (counts[:, None, None] * design0.c_in[a]).sum(axis=0)
            in_profile[area] = shape / shape.sum() if shape.sum() > 0 else r0.in_profile[a]
        elif fit_in == "level":
            in_level[area] = float(value[f"in:{area}"])
        else:
            in_level[area] = float(cal.scenario_in_level(r0, stocks[0].sum(axis=(1, 2)))[a])
    in_rate = None
    if per_resident:  # the fitted values are per resident: the level is that rate × residents in the last year
        in_rate = in_level
        in_level = {area: in_rate[area] * float(residents[a]) for a, area in enumerate(scenario.area_ids)}
    phi = births_fit.scale if births_fit is not None else float(value.get("fertility_scale", 1.0))
    fitted = [p for p in FIT_CHOICES if p in fit and (p != "fertility" or births_fit is None)]
    fitted += ["fertility (births)"] if births_fit is not None else []
    fitted += ["mortality (deaths)"] if deaths_fit is not None else []
    return Calibration(
        fit=result,
        years=used,
        dropped_years=dropped,
        by_sex=history.by_sex,
        fit_in=fit_in,
        fertility_scale=phi,
        out_scale=float(value.get("out_scale", 1.0)),
        out_scale_by_area={a: float(value[f"out_scale:{a}"]) for a in scenario.area_ids if f"out_scale:{a}" in value},
        fertility_scale_by_area={
            a: float(value[f"fertility_scale:{a}"]) for a in scenario.area_ids if f"fertility_scale:{a}" in value
        },
        in_level=in_level,
        in_profile=in_profile,
        tfr=float(r0.fertility_rate.sum() * (phi if births_fit is None else 1.0)),  # r0 already × phi with births
        fitted=tuple(fitted),
        births=births_fit,
        deaths=deaths_fit,
        mortality_scale=deaths_fit.scale if deaths_fit is not None else 1.0,
        event_years=event_years,
        sex_split=sex_split,
        in_bands=in_bands if fit_in == "profile" else "services",
        in_rate=in_rate,
        holdout=_holdout(stocks, rates, used, holdout, args) if holdout else None,
    )


@dataclass(frozen=True, slots=True)
class Holdout:
    """The method checked inside the history: fitted without its last ``years`` years, then projected over them.

    ``rows``: (year, age group, projected, observed, error, error %) for the municipality (all areas
    summed), as :func:`ltsim.backtest.error_table` gives them; the fit uses the same options.
    """

    years: int
    fitted: tuple[int, int]  # first and last stock year of the shortened history
    rows: list[tuple[int, str, float, float, float, float]]


def _holdout(stocks: np.ndarray, rates: list[cal.StepRates], used: np.ndarray, k: int, args: tuple) -> Holdout:
    """Fit on the history less its last ``k`` years; project the observed stock then over those years."""
    from ltsim.backtest import error_table

    n_flows = len(rates)
    if not 1 <= k <= n_flows - 1:
        raise InputError(
            Problem(
                f"a number of years from 1 to {n_flows - 1} (the history has {n_flows} one-year changes, "
                "and at least one must remain to fit)",
                file="command line",
                field="--holdout",
                found=str(k),
            )
        )
    m = n_flows - k
    short = cal.fit(stocks[: m + 1], rates[:m], *args)
    projected = np.array(cal.project_steps(short.setup, stocks[m], rates[m:], short.theta))
    rows = error_table(
        used[m + 1 :], (WHOLE,), projected.sum(axis=(1, 2))[:, None], stocks[m + 1 :].sum(axis=(1, 2))[:, None]
    )
    return Holdout(
        years=k, fitted=(int(used[0]), int(used[m])), rows=[(y, g, p, o, e, pct) for y, _, g, p, o, e, pct in rows]
    )


def _events_on_flows(scenario: Scenario, events: Events, flows: np.ndarray) -> tuple[list[int], np.ndarray]:
    """The history's flow years that have counted events (their indices) and the counts there [K, R]."""
    k = [t for t, y in enumerate(flows) if y in events.years]
    if not k:
        raise InputError(
            Problem(
                f"{events.kind} in at least one year of the history's flows "
                f"({int(flows[0])}–{int(flows[-1])}; events in year t belong to the flow from 1 January t)",
                file=events.file,
                field="year",
                found=f"years {', '.join(str(y) for y in events.years)}",
            )
        )
    rows = [int(np.searchsorted(events.years, flows[t])) for t in k]
    counts = events.counts[rows]
    if events.areas == (WHOLE,):
        return k, counts
    areas = scenario.area_ids
    if sorted(events.areas) != sorted(areas):
        raise InputError(
            Problem(
                f"the scenario's planning areas {', '.join(areas)}, or figures for the municipality as a whole",
                file=events.file,
                field="column 'area'",
                found=f"areas {', '.join(events.areas)}",
            )
        )
    return k, counts[:, [events.areas.index(a) for a in areas]]


def _on_areas(expected: np.ndarray, events: Events) -> np.ndarray:
    """Expected events [K, A] summed over areas when the file counts the municipality as a whole."""
    return expected.sum(axis=1, keepdims=True) if events.areas == (WHOLE,) else expected
