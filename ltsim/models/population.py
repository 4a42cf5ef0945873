"""Cohort-component population projection by planning area, sex and single year of age.

Stocks are persons on 1 January; flows are what happens during the calendar year. For year
``t`` (step ``s = t − base_year``), in every area:

1. deaths       D[sex, a]  = P[sex, a] · q_t[sex, a]              (q: probability of dying in the year)
2. out-movers   O[sex, a]  = (P − D)[sex, a] · r[area, sex, a]    (survivors who move out)
3. ageing       everyone left is one year older on 1 January t+1; the last age class is open (100+)
4. births       B = φ_area · Σ_a F[a] · f_t[a]  over women aged 15–49 on 1 January t (φ_area the
                area's fertility level, 1 unless given),
                split by sex with the sex ratio at birth; newborns are exposed to half a year of
                infant mortality: deaths += B_sex · q_t[sex, 0] / 2
5. in-movers    I[sex, a]  = (I_t + ρ_t · P_t) · profile[area, sex, a]   (by age on 1 January t+1; I_t a
                count, ρ_t in-migrants per resident of the area on 1 January, P_t its residents)
6. housing-led  H[sex, a]  = Σ_dev dwellings_dev · realisation · occupancy[type, t − c_dev, sex, a]
7. control      optional: scale the area × sex × age distribution so the municipal total equals
                an external figure; the difference is booked as ``control_adjustment``.

Population is conserved exactly, per area and year:
``P_{t+1} = P_t + births − deaths + migration_in − migration_out + housing_in + control_adjustment``.
No stock can become negative: q ≤ 1 and r ≤ 1 are checked at the scenario boundary, inflows
are non-negative, and a control total must be positive.

Sources: the cohort-component method as in Preston, Heuveline & Guillot, *Demography* (2001),
ch. 6; Statistics Norway's regional model BEFREG uses the same accounting with out-migration
rates and in-migration counts (Leknes et al., *Økonomiske analyser* 3/2018).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

SEXES: tuple[str, str] = ("female", "male")
FEMALE, MALE = 0, 1
FERTILE_AGES: tuple[int, int] = (15, 49)
INFANT_EXPOSURE = 0.5  # share of the year a newborn is exposed to the age-0 death rate


@dataclass(frozen=True, slots=True)
class PopulationInputs:
    """Everything the projection needs, already on the model grid.

    Shapes: ``A`` areas, 2 sexes (female, male), ``N = max_age + 1`` ages, ``Y`` projected years.

    Attributes
    ----------
    base_year : first year; ``base_persons`` are persons on 1 January of it.
    base_persons : [A, 2, N] persons.
    death_rate : [Y, 2, N] probability of dying during year ``base_year + s``, by age on 1 January.
    fertility_rate : [Y, N] births per woman during the year, by her age on 1 January (0 outside 15–49).
    male_share_at_birth : share of births that are boys, ``srb / (1 + srb)``.
    out_rate : [2, N] base probability that a survivor moves out of its area during the year; [Y, 2, N]
        when the rates change over time (dated tables).
    out_scale : [Y, A] multiplier on ``out_rate`` per year and area (``r = out_rate · out_scale ≤ 1``).
    in_persons : [Y, A] ordinary in-migrants per year and area [persons].
    in_profile : [A, 2, N] age/sex distribution of in-migrants per area (sums to 1 per area); [Y, A, 2, N]
        when it changes over time (dated profiles).
    housing_in : [Y, A, 2, N] housing-led in-migrants [persons], see :func:`housing_inflow`.
    control_total : [Y] municipal total on 1 January of ``base_year + s + 1``; NaN where none.
    in_rate : [Y, A] ordinary in-migrants per resident of the area on 1 January [persons per person a
        year], added to ``in_persons`` (None: none). In-migration then grows with the area, as a rate.
    fertility_area_scale : [A] multiplier on ``fertility_rate`` per area (None: 1 everywhere).
    """

    base_year: int
    base_persons: np.ndarray
    death_rate: np.ndarray
    fertility_rate: np.ndarray
    male_share_at_birth: float
    out_rate: np.ndarray
    out_scale: np.ndarray
    in_persons: np.ndarray
    in_profile: np.ndarray
    housing_in: np.ndarray
    control_total: np.ndarray
    in_rate: np.ndarray | None = None
    fertility_area_scale: np.ndarray | None = None


def vary(
    inputs: PopulationInputs,
    fertility: float = 1.0,
    mortality: float = 1.0,
    in_migration: float = 1.0,
    out_migration: float = 1.0,
    housing: float = 1.0,
) -> PopulationInputs:
    """A population variant: the inputs with their levels multiplied by factors [–] (1 leaves a level as it is).

    Fertility rates × ``fertility``; death probabilities × ``mortality`` (capped at 1); in-migrants ×
    ``in_migration``; out-migration scale × ``out_migration`` (the rates stay capped at 1 by the projection);
    housing-led in-migrants × ``housing``. A factor of 1 multiplies exactly, so ``vary(x)`` projects as ``x``.

    >>> import numpy as np
    >>> x = vary(PopulationInputs(2024, np.ones((1, 2, 3)), np.full((1, 2, 3), 0.6), np.ones((1, 3)), 0.5,
    ...          np.zeros((2, 3)), np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 2, 3)) / 6, np.zeros((1, 1, 2, 3)),
    ...          np.full(1, np.nan)), mortality=2.0, in_migration=1.1)
    >>> x.death_rate.max(), x.in_persons.tolist()
    (1.0, [[1.1]])
    """
    return replace(
        inputs,
        fertility_rate=inputs.fertility_rate * fertility,
        death_rate=np.minimum(inputs.death_rate * mortality, 1.0),
        in_persons=inputs.in_persons * in_migration,
        out_scale=inputs.out_scale * out_migration,
        housing_in=inputs.housing_in * housing,
    )


@dataclass(frozen=True, slots=True)
class PopulationResult:
    """Projected stocks and the flows that explain them.

    ``persons`` is [Y+1, A, 2, N] on 1 January of ``years``; every flow is [Y, A], the
    flow during ``years[:-1]`` (``births_by_sex`` is [Y, A, 2]).
    """

    years: np.ndarray
    persons: np.ndarray
    births: np.ndarray
    births_by_sex: np.ndarray
    deaths: np.ndarray
    migration_in: np.ndarray
    migration_out: np.ndarray
    housing_in: np.ndarray
    control_adjustment: np.ndarray

    def totals(self) -> np.ndarray:
        """Municipal total per year [persons]."""
        return self.persons.sum(axis=(1, 2, 3))


def housing_inflow(dwellings: np.ndarray, occupancy: np.ndarray) -> np.ndarray:
    """Housing-led in-migrants per year, area, sex and age.

    ``H[s, area] = Σ_type Σ_k dwellings[type, area, s − k] · occupancy[type, k]``: dwellings
    completed in year ``c`` bring ``occupancy[type, k, sex, age]`` persons per dwelling during
    year ``c + k`` (k = 0 is the completion year); beyond the last ``k`` given, nothing.

    Parameters
    ----------
    dwellings : [T, A, Y] dwellings completed per dwelling type, area and year, already
        multiplied by the realisation factor [dwellings].
    occupancy : [T, K, 2, N] persons moving in per completed dwelling, by years since completion.

    Returns
    -------
    [Y, A, 2, N] persons.
    """
    n_types, n_areas, n_years = dwellings.shape
    _, n_lags, _, n_ages = occupancy.shape
    out = np.zeros((n_years, n_areas, 2 * n_ages))
    by_year = dwellings.transpose(2, 1, 0)  # [Y, A, T]
    for lag in range(min(n_lags, n_years)):
        out[lag:] += by_year[: n_years - lag] @ occupancy[:, lag].reshape(n_types, 2 * n_ages)
    out = out.reshape(n_years, n_areas, 2, n_ages)
    return out


def project(inputs: PopulationInputs) -> PopulationResult:
    """Run the cohort-component projection (see the module docstring for the formulas).

    Each year costs a handful of operations on [A, 2, N] arrays, with flows summed by
    matrix-vector products; no [Y, A, 2, N] temporaries are built (their page faults cost
    more than the arithmetic).
    """
    base = np.asarray(inputs.base_persons, dtype=np.float64)
    n_areas, _, n_ages = base.shape
    n_years = inputs.death_rate.shape[0]
    flat = 2 * n_ages
    sex_split = np.array([1.0 - inputs.male_share_at_birth, inputs.male_share_at_birth])
    dated_out = inputs.out_rate.ndim == 3  # [Y, 2, N]: a table per year
    out_base = inputs.out_rate.reshape(-1, flat)[0]
    dated_profile = inputs.in_profile.ndim == 4  # [Y, A, 2, N]: a profile per year
    profile = (inputs.in_profile[0] if dated_profile else inputs.in_profile).reshape(n_areas, flat)
    housing = inputs.housing_in

    persons = np.empty((n_years + 1, n_areas, 2, n_ages))
    persons[0] = base
    births = np.empty((n_years, n_areas))
    deaths = np.empty((n_years, n_areas))
    migration_out = np.empty((n_years, n_areas))
    migration_in = np.empty((n_years, n_areas))
    housing_in = np.empty((n_years, n_areas))
    control_adj = np.zeros((n_years, n_areas))
    for s in range(n_years):
        now = persons[s]
        now_flat = now.reshape(n_areas, flat)
        nxt = persons[s + 1]
        q = inputs.death_rate[s].reshape(flat)
        survive = 1.0 - q
        scale = inputs.out_scale[s]
        if dated_out:
            out_base = inputs.out_rate[s].reshape(flat)
        if dated_profile:
            profile = inputs.in_profile[s].reshape(n_areas, flat)
        # stay = now · (1 − q) · (1 − r·scale_area)
        stay = (now_flat * survive) * (1.0 - scale[:, None] * out_base)
        stay = stay.reshape(n_areas, 2, n_ages)
        nxt[:, :, 1:] = stay[:, :, :-1]
        nxt[:, :, -1] += stay[:, :, -1]
        born = now[:, FEMALE, :] @ inputs.fertility_rate[s]
        if inputs.fertility_area_scale is not None:
            born = born * inputs.fertility_area_scale
        born_sex = born[:, None] * sex_split
        infant_deaths = born_sex * (q.reshape(2, n_ages)[:, 0] * INFANT_EXPOSURE)
        nxt[:, :, 0] = born_sex - infant_deaths
        level = inputs.in_persons[s]
        if inputs.in_rate is not None:
            level = level + inputs.in_rate[s] * now_flat.sum(axis=1)
        arrivals = level[:, None] * profile
        nxt += arrivals.reshape(n_areas, 2, n_ages)
        nxt += housing[s]

        births[s] = born
        deaths[s] = now_flat @ q + infant_deaths.sum(axis=1)
        migration_out[s] = (now_flat @ (survive * out_base)) * scale
        migration_in[s] = arrivals.sum(axis=1)
        housing_in[s] = housing[s].reshape(n_areas, flat).sum(axis=1)
        target = inputs.control_total[s]
        if target == target:  # not NaN
            before = nxt.sum(axis=(1, 2))
            nxt *= target / before.sum()
            control_adj[s] = nxt.sum(axis=(1, 2)) - before

    years = np.arange(inputs.base_year, inputs.base_year + n_years + 1)
    return PopulationResult(
        years=years,
        persons=persons,
        births=births,
        births_by_sex=births[:, :, None] * sex_split,
        deaths=deaths,
        migration_in=migration_in,
        migration_out=migration_out,
        housing_in=housing_in,
        control_adjustment=control_adj,
    )


def cumulative_improvement(improvement: np.ndarray) -> np.ndarray:
    """Mortality multiplier per year from yearly improvement rates.

    ``m[s] = Π_{j<s} (1 − i[j])`` so that ``q_t = q_base · m[t − base_year]``; ``m[0] = 1``.
    ``improvement`` is [Y, ...]; the result has the same shape.

    >>> cumulative_improvement(np.array([0.1, 0.1, 0.1])).round(3).tolist()
    [1.0, 0.9, 0.81]
    """
    factors = np.ones_like(improvement, dtype=np.float64)
    factors[1:] = np.cumprod(1.0 - improvement[:-1], axis=0)
    return factors
