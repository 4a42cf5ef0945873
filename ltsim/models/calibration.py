"""Calibration on cohort changes: one-year projections from observed stocks, fitted by linear least squares.

Start each history year ``t`` from the observed stock ``O_t`` [A, 2, N] and project one year with the
population model (:mod:`ltsim.models.population`). With the parameters

* ``I[area, b]`` — in-migrants a year in age band ``b`` (their sum is the in-migration level; their
  shares are the age profile, each band keeping the scenario's profile shape inside it); with
  ``per_resident`` they are in-migrants a year per resident of the area on 1 January, and their
  column is multiplied by the area's observed stock ``Σ O_t`` (in-migration as a rate, see
  ``in_rate`` in :mod:`ltsim.models.population`),
* ``φ`` — fertility level (multiplier on the age-specific rates),
* ``ω`` — out-migration scale (multiplier on the out-migration rates),

the projected stock on 1 January ``t+1`` is **linear** in them::

    P̂_{t+1} = c0 + ω·c_out + φ·c_fert + Σ_b I_b·c_in[b]
    c0     = age(O_t · (1 − q)) + H                (survivors ageing one year, housing-led arrivals)
    c_out  = −age(O_t · (1 − q) · S · r)           (survivors who move out, S the scenario's scale)
    c_fert = births at age 0: (O_t,female · f) · sex split · (1 − q_0 / 2)
    c_in   = the profile's share inside band b

(the same steps, in the same order, as :func:`ltsim.models.population.project`). The residual
``P̂_{t+1} − O_{t+1}`` is the error of the model's cohort change (``O_{t+1} − O_t``); stacking it over
years, areas, sexes (when observed) and ages gives ``X θ = y`` with ``y = O_{t+1} − c0``, solved by
ordinary least squares (:func:`numpy.linalg.lstsq`), parameters that would be negative held at 0.
Mortality is not fitted. Standard errors are the usual ``σ²(XᵀX)⁻¹`` with ``σ² = RSS / (n − k)``;
they assume independent errors, which cohort data do not quite give, so a leave-one-year-out
(jackknife) spread is reported beside them.

With a band per single age (:func:`width_bands` of 1) the fit is the residual method itself: one
in-migration figure per age, the scenario's out-migration rates and mortality taken as given.
:func:`project_steps` projects a stock with fitted values through the same columns (the in-sample
holdout of ``ltsim calibrate --holdout``).

Source: the residual method of net migration (cohort change less natural change), as in Preston,
Heuveline & Guillot, *Demography* (2001), ch. 6; least squares as in Björck, *Numerical Methods for
Least Squares Problems* (1996).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltsim.models.population import FEMALE, INFANT_EXPOSURE

IN_BANDS: tuple[tuple[int, int], ...] = ((0, 15), (16, 24), (25, 44), (45, 66), (67, 200))
"""Age bands of the in-migration profile (age on 1 January after the move; the last is open)."""


@dataclass(frozen=True, slots=True)
class StepRates:
    """The model's rates for one flow year (shapes as in :class:`~ltsim.models.population.PopulationInputs`)."""

    death_rate: np.ndarray  # [2, N]
    fertility_rate: np.ndarray  # [N]
    male_share_at_birth: float
    out_rate: np.ndarray  # [2, N]
    out_scale: np.ndarray  # [A]
    in_persons: np.ndarray  # [A] the scenario's in-migrants a year
    in_profile: np.ndarray  # [A, 2, N]
    housing_in: np.ndarray  # [A, 2, N]
    in_rate: np.ndarray | None = None  # [A] the scenario's in-migrants per resident (added to in_persons)
    fertility_area_scale: np.ndarray | None = None  # [A] the scenario's fertility level per area


@dataclass(frozen=True, slots=True)
class Design:
    """The one-year projection as ``c0 + ω·c_out + φ·c_fert + Σ I_b·c_in[b]`` ([.., A, 2, N] each)."""

    c0: np.ndarray
    c_out: np.ndarray
    c_fert: np.ndarray
    c_in: np.ndarray  # [A, B, 2, N]
    band_mass: np.ndarray  # [A, B] the scenario's profile share in each band


def age_one_year(stock: np.ndarray) -> np.ndarray:
    """Everyone one year older, the last age class open; age 0 left empty."""
    out = np.zeros_like(stock)
    out[..., 1:] = stock[..., :-1]
    out[..., -1] += stock[..., -1]
    return out


def band_label(lo: int, hi: int) -> str:
    """``16-24``, ``7`` for a single age, or ``67+`` for the open band."""
    if hi >= 200:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def width_bands(width: int, n_ages: int) -> tuple[tuple[int, int], ...]:
    """Bands of ``width`` years from age 0 (``1``: each single age), the last one open from ``n_ages − 1``.

    >>> width_bands(5, 12)
    ((0, 4), (5, 9), (10, 200))
    >>> width_bands(1, 3)
    ((0, 0), (1, 1), (2, 200))
    """
    bands = [(lo, lo + width - 1) for lo in range(0, n_ages - 1, width)]
    last_lo = bands[-1][0] if bands and bands[-1][1] >= n_ages - 1 else n_ages - 1
    bands = [b for b in bands if b[0] < last_lo]
    return (*bands, (last_lo, 200))


def band_masks(n_ages: int, bands: tuple[tuple[int, int], ...] = IN_BANDS) -> np.ndarray:
    """[B, N] true where an age lies in a band."""
    ages = np.arange(n_ages)
    return np.array([(ages >= lo) & (ages <= hi) for lo, hi in bands])


def design(observed: np.ndarray, rates: StepRates, bands: tuple[tuple[int, int], ...] = IN_BANDS) -> Design:
    """The linear pieces of one year's projection from the observed stock ``observed`` [A, 2, N]."""
    q = rates.death_rate
    survivors = observed * (1.0 - q)
    c0 = age_one_year(survivors) + rates.housing_in
    c_out = -age_one_year(survivors * rates.out_scale[:, None, None] * rates.out_rate)
    born = births_expected(observed, rates.fertility_rate, rates.fertility_area_scale)  # [A]
    split = np.array([1.0 - rates.male_share_at_birth, rates.male_share_at_birth])
    c_fert = np.zeros_like(observed)
    c_fert[:, :, 0] = born[:, None] * split * (1.0 - q[:, 0] * INFANT_EXPOSURE)
    masks = band_masks(observed.shape[-1], bands)  # [B, N]
    inside = rates.in_profile[:, None] * masks[None, :, None, :]  # [A, B, 2, N]
    mass = inside.sum(axis=(2, 3))  # [A, B]
    c_in = np.divide(inside, mass[:, :, None, None], out=np.zeros_like(inside), where=mass[:, :, None, None] > 0)
    return Design(c0, c_out, c_fert, c_in, mass)


@dataclass(frozen=True, slots=True)
class Fit:
    """The fitted parameters and their statistics.

    ``names`` label ``theta`` (``out_scale``, ``fertility_scale``, ``in:<area>:<band>``); ``start`` is the
    scenario's own value of each; ``fixed_at_zero`` the band counts held at 0 (the unconstrained fit was
    negative). ``rss`` and ``rss_start`` are sums of squared residuals [persons²] over ``n`` cells.
    """

    names: tuple[str, ...]
    theta: np.ndarray
    start: np.ndarray
    std_error: np.ndarray
    jackknife_se: np.ndarray
    correlation: np.ndarray
    n: int
    rss: float
    rss_start: float
    tss: float
    residual_by_year: np.ndarray  # [T] Σ (projected − observed) over the cells of each year [persons]
    residual_by_year_start: np.ndarray
    fixed_at_zero: tuple[str, ...]
    condition: float
    setup: Setup  # how the columns were built (to project with theta, see project_steps)


def solve(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least squares with non-negative parameters; returns θ and a mask of those held at 0.

    Lawson & Hanson's active-set method (*Solving Least Squares Problems*, 1974, ch. 23): the
    unconstrained solution when it is non-negative, else the exact constrained optimum. The
    subproblems are solved on the normal equations (``XᵀX``, ``Xᵀy``, [k, k] and [k]), formed once:
    with a parameter per single age (``--in-bands 1``) there are a hundred of them, and a least-squares
    solve on the full [n, k] matrix each time cost seconds.
    """
    n = x.shape[1]
    theta = np.linalg.lstsq(x, y, rcond=None)[0]
    if (theta >= 0).all():
        return theta, np.zeros(n, dtype=bool)
    xtx, xty = x.T @ x, x.T @ y
    theta = np.zeros(n)
    free = np.zeros(n, dtype=bool)
    tol = 1e-10 * max(float(np.abs(xty).max()), 1.0)
    for _ in range(3 * n + 10):
        grad = xty - xtx @ theta
        grad[free] = -np.inf
        if free.all() or grad.max() <= tol:
            break
        free[int(np.argmax(grad))] = True
        while True:
            z = np.zeros(n)
            z[free] = np.linalg.lstsq(xtx[np.ix_(free, free)], xty[free], rcond=None)[0]
            if (z[free] > 0).all():
                theta = z
                break
            neg = free & (z <= 0)
            alpha = np.min(theta[neg] / (theta[neg] - z[neg]))
            theta = theta + alpha * (z - theta)
            free &= theta > 1e-12
            theta[~free] = 0.0
    return theta, ~free


@dataclass(frozen=True, slots=True)
class Setup:
    """What is fitted and how: the parameters' names and scenario values, and each year's columns.

    ``fit_in``: ``"profile"`` (a count per band and area: level and age profile), ``"level"`` (one
    count per area, the scenario's profile) or ``"none"``; ``fit_out``: one out-migration multiplier
    (True), one per area (``"area"``) or none (False); ``fit_fertility`` likewise for the fertility
    level (``fertility_scale`` or ``fertility_scale:<area>``); ``per_resident``: the in-migration parameters
    are in-migrants a year per resident of the area on 1 January (the columns are multiplied by the
    area's stock), else persons a year. ``mass`` [A, B] is the scenario's profile share in each band.
    """

    area_ids: tuple[str, ...]
    bands: tuple[tuple[int, int], ...]
    fit_in: str
    fit_fertility: bool | str
    fit_out: bool | str
    per_resident: bool
    mass: np.ndarray

    def names_and_start(self, first_stock: np.ndarray, first: StepRates) -> tuple[list[str], list[float]]:
        """Parameter names and the scenario's own value of each (in the first history year)."""
        names: list[str] = []
        start: list[float] = []
        if self.fit_out == "area":
            names += [f"out_scale:{a}" for a in self.area_ids]
            start += [1.0] * len(self.area_ids)
        elif self.fit_out:
            names.append("out_scale")
            start.append(1.0)
        if self.fit_fertility == "area":
            names += [f"fertility_scale:{a}" for a in self.area_ids]
            start += [1.0] * len(self.area_ids)
        elif self.fit_fertility:
            names.append("fertility_scale")
            start.append(1.0)
        residents = first_stock.sum(axis=(1, 2))
        level = scenario_in_level(first, residents)
        if self.per_resident:
            level = np.divide(level, residents, out=np.zeros_like(level), where=residents > 0)
        for a, area in enumerate(self.area_ids):
            if self.fit_in == "profile":
                for b, (lo, hi) in enumerate(self.bands):
                    if self.mass[a, b] > 0:
                        names.append(f"in:{area}:{band_label(lo, hi)}")
                        start.append(float(level[a] * self.mass[a, b]))
            elif self.fit_in == "level":
                names.append(f"in:{area}")
                start.append(float(level[a]))
        return names, start

    def columns(self, stock: np.ndarray, r: StepRates) -> tuple[np.ndarray, list[np.ndarray]]:
        """One year from ``stock`` [A, 2, N]: the part not fitted and one column per parameter ([A, 2, N] each).

        The projected stock is ``known + Σ θ_i · column_i``, in the order of :meth:`names_and_start`.
        """
        d = design(stock, r, self.bands)
        n_areas = len(self.area_ids)
        cols: list[np.ndarray] = []
        known = d.c0.copy()
        if self.fit_out == "area":
            for a in range(n_areas):
                col = np.zeros_like(d.c_out)
                col[a] = d.c_out[a]
                cols.append(col)
        elif self.fit_out:
            cols.append(d.c_out)
        else:
            known += d.c_out
        if self.fit_fertility == "area":
            for a in range(n_areas):
                col = np.zeros_like(d.c_fert)
                col[a] = d.c_fert[a]
                cols.append(col)
        elif self.fit_fertility:
            cols.append(d.c_fert)
        else:
            known += d.c_fert
        residents = stock.sum(axis=(1, 2))
        per = residents if self.per_resident else np.ones(n_areas)
        level = scenario_in_level(r, residents)
        for a in range(n_areas):
            if self.fit_in == "profile":
                for b in range(len(self.bands)):
                    if self.mass[a, b] > 0:
                        col = np.zeros_like(d.c0)
                        col[a] = d.c_in[a, b] * per[a]
                        cols.append(col)
            elif self.fit_in == "level":
                col = np.zeros_like(d.c0)
                col[a] = r.in_profile[a] * per[a]
                cols.append(col)
            else:
                known[a] += level[a] * r.in_profile[a]
        return known, cols


def scenario_in_level(r: StepRates, residents: np.ndarray) -> np.ndarray:
    """The scenario's in-migrants a year per area [A]: the count plus the rate times the residents."""
    return r.in_persons + (r.in_rate * residents if r.in_rate is not None else 0.0)


def project_steps(setup: Setup, stock: np.ndarray, rates: list[StepRates], theta: np.ndarray) -> list[np.ndarray]:
    """Project ``stock`` [A, 2, N] one year per ``rates`` with the fitted ``theta``: the stocks after each year."""
    out = []
    for r in rates:
        known, cols = setup.columns(stock, r)
        stock = known + sum((v * c for v, c in zip(theta, cols, strict=True)), np.zeros_like(known))
        out.append(stock)
    return out


def fit(
    observed: np.ndarray,
    rates: list[StepRates],
    by_sex: bool,
    fit_in: str,
    fit_fertility: bool | str,
    fit_out: bool | str,
    area_ids: tuple[str, ...],
    bands: tuple[tuple[int, int], ...] = IN_BANDS,
    per_resident: bool = False,
) -> Fit:
    """Fit the parameters to observed stocks ``observed`` [T+1, A, 2, N] (split by sex, by a stated rule if needed).

    ``rates[t]`` are the rates of the flow from ``observed[t]`` to ``observed[t+1]``; ``by_sex``: compare
    each sex (else both sexes together); ``fit_in``, ``fit_out``, ``per_resident``: see :class:`Setup`
    (``fit_out="area"``: ``out_scale:<area>``, each from its own area's cells only).
    """
    setup = Setup(
        area_ids=area_ids,
        bands=bands,
        fit_in=fit_in,
        fit_fertility=fit_fertility,
        fit_out=fit_out,
        per_resident=per_resident,
        mass=design(observed[0], rates[0], bands).band_mass,
    )
    names, start = setup.names_and_start(observed[0], rates[0])
    rows_x, rows_y, year_of = [], [], []
    for t, r in enumerate(rates):
        known, cols = setup.columns(observed[t], r)
        target = observed[t + 1] - known
        if not by_sex:
            cols = [c.sum(axis=1) for c in cols]
            target = target.sum(axis=1)
        rows_x.append(np.stack([c.ravel() for c in cols], axis=1) if cols else np.zeros((target.size, 0)))
        rows_y.append(target.ravel())
        year_of.append(np.full(target.size, t))
    x, y, years = np.concatenate(rows_x), np.concatenate(rows_y), np.concatenate(year_of)
    theta, zero = solve(x, y)
    th0 = np.array(start)
    resid = x @ theta - y
    resid0 = x @ th0 - y
    n, k = x.shape
    free = ~zero
    xf = x[:, free]
    sigma2 = float(resid @ resid) / max(n - int(free.sum()), 1)
    cov = np.zeros((k, k))
    if free.any():
        cov[np.ix_(free, free)] = sigma2 * np.linalg.pinv(xf.T @ xf)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    denom = np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    corr = np.divide(cov, denom, out=np.zeros_like(cov), where=denom > 0)
    n_years = len(rates)
    jack = np.zeros((n_years, k))
    for t in range(n_years):
        keep = years != t
        jack[t] = solve(x[keep], y[keep])[0] if n_years > 1 else theta
    jack_se = np.sqrt((n_years - 1) / n_years * ((jack - jack.mean(axis=0)) ** 2).sum(axis=0)) if n_years > 1 else se
    by_year = np.bincount(years, weights=resid, minlength=n_years)
    by_year0 = np.bincount(years, weights=resid0, minlength=n_years)
    return Fit(
        names=tuple(names),
        theta=theta,
        start=th0,
        std_error=se,
        jackknife_se=jack_se,
        correlation=corr,
        n=n,
        rss=float(resid @ resid),
        rss_start=float(resid0 @ resid0),
        tss=float(((y - y.mean()) ** 2).sum()),
        residual_by_year=by_year,
        residual_by_year_start=by_year0,
        fixed_at_zero=tuple(nm for nm, z in zip(names, zero, strict=True) if z),
        condition=float(np.linalg.cond(xf)) if free.any() else 0.0,
        setup=setup,
    )


# --------------------------------------------------------------------------- births and deaths


@dataclass(frozen=True, slots=True)
class EventFit:
    """A level multiplier fitted to counted events (births or deaths) per year and area.

    ``expected`` [T, R] are the model's events at multiplier 1 from the observed stocks, ``observed``
    [T, R] the counts; ``scale`` minimises ``Σ (scale · expected − observed)²`` (least squares through
    the origin, ``scale = Σ e·o / Σ e²``), ``std_error = sqrt(σ² / Σ e²)`` with ``σ² = RSS / (n − 1)``.
    """

    name: str
    scale: float
    std_error: float
    jackknife_se: float
    expected: np.ndarray
    observed: np.ndarray

    @property
    def rmse(self) -> float:
        """Root mean squared error of the fitted events [events per year and area]."""
        return float(np.sqrt(np.mean((self.scale * self.expected - self.observed) ** 2)))

    @property
    def rmse_start(self) -> float:
        """The same with the scenario's own level (multiplier 1)."""
        return float(np.sqrt(np.mean((self.expected - self.observed) ** 2)))


def births_expected(
    observed: np.ndarray, fertility_rate: np.ndarray, area_scale: np.ndarray | None = None
) -> np.ndarray:
    """Births during the year from the stock on 1 January [A, 2, N]: ``φ_area · Σ_a F[a] · f[a]`` per area [A].

    ``area_scale`` [A]: the fertility level per area (None: 1).
    """
    born = observed[:, FEMALE, :] @ fertility_rate
    return born if area_scale is None else born * area_scale


def deaths_expected(observed: np.ndarray, rates: StepRates, births: np.ndarray) -> np.ndarray:
    """Deaths during the year per area [A]: ``Σ P · q`` plus newborns' half year, ``Σ_sex B_sex · q_0 / 2``.

    ``births`` [A] are the year's births (the model's, with the fertility level in use).
    """
    split = np.array([1.0 - rates.male_share_at_birth, rates.male_share_at_birth])
    q = rates.death_rate
    return (observed * q).sum(axis=(1, 2)) + births * float(split @ q[:, 0]) * INFANT_EXPOSURE


def fit_scale(name: str, expected: np.ndarray, observed: np.ndarray) -> EventFit:
    """Least squares through the origin of ``observed ≈ scale · expected`` ([T, R] each; see :class:`EventFit`)."""
    e, o = expected.ravel(), observed.ravel()
    ee = float(e @ e)
    if ee <= 0:
        raise ValueError(f"{name}: the model expects no events in the years compared")
    scale = float(e @ o) / ee
    n = e.size
    rss = float(((scale * e - o) ** 2).sum())
    se = float(np.sqrt(rss / max(n - 1, 1) / ee))
    t = expected.shape[0]
    if t > 1:
        jack = np.array(
            [
                float(expected[k != np.arange(t)].ravel() @ observed[k != np.arange(t)].ravel())
                / float((expected[k != np.arange(t)] ** 2).sum())
                for k in range(t)
            ]
        )
        jack_se = float(np.sqrt((t - 1) / t * ((jack - jack.mean()) ** 2).sum()))
    else:
        jack_se = se
    return EventFit(name, scale, se, jack_se, expected, observed)
