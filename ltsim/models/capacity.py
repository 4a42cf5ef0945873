"""Capacity ledger: facilities and dated events → places per service, zone and year, and gaps.

A facility has ``capacity_places`` from its ``opens`` year until the year before ``closes``.
Events change it from their year on, in the order given:

- ``extension``       capacity += places (a negative number reduces it);
- ``closure``         capacity = 0;
- ``merger``          the facility's capacity moves to ``to_facility``; the facility closes;
- ``change_of_use``   the facility serves ``to_service`` (with ``places`` as its new capacity, if given).

Usable capacity = capacity × target utilisation (fyllingsgrad). Gap = demand − usable
capacity: positive means places are short, negative means idle places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXTENSION, CLOSURE, MERGER, CHANGE_OF_USE = 0, 1, 2, 3
EVENT_KINDS: tuple[str, ...] = ("extension", "closure", "merger", "change_of_use")
NEVER = 10**6  # ``closes`` of a facility with no planned closure


@dataclass(frozen=True, slots=True)
class Register:
    """Facilities as arrays of length F; ``service`` indexes the scenario's services."""

    capacity_places: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    service: np.ndarray
    utilisation: np.ndarray


@dataclass(frozen=True, slots=True)
class Events:
    """Dated capacity events as arrays of length E, applied in array order.

    ``places`` is NaN where not given; ``to_facility`` and ``to_service`` are −1 where not given.
    """

    year: np.ndarray
    kind: np.ndarray
    facility: np.ndarray
    places: np.ndarray
    to_facility: np.ndarray
    to_service: np.ndarray


@dataclass(frozen=True, slots=True)
class Ledger:
    """Capacity of every facility in every year: ``places`` and ``service`` are [F, Y]."""

    years: np.ndarray
    places: np.ndarray
    service: np.ndarray


def ledger(register: Register, events: Events, years: np.ndarray) -> Ledger:
    """Apply the events to the register, year by year from each event's year on."""
    years = np.asarray(years)
    active = (register.opens[:, None] <= years[None]) & (years[None] < register.closes[:, None])
    places = np.where(active, register.capacity_places[:, None], 0.0).astype(np.float64)
    service = np.repeat(register.service[:, None], len(years), axis=1)
    for year, kind, f, n, to_f, to_s in zip(
        events.year, events.kind, events.facility, events.places, events.to_facility, events.to_service, strict=True
    ):
        i = int(np.searchsorted(years, year))
        if i >= len(years):
            continue
        if kind == EXTENSION:
            places[f, i:] += n
        elif kind == CLOSURE:
            places[f, i:] = 0.0
        elif kind == MERGER:
            moved = places[f, i:].copy()
            places[f, i:] = 0.0
            places[to_f, i:] += moved
        elif kind == CHANGE_OF_USE:
            service[f, i:] = to_s
            if n == n:  # given
                places[f, i:] = n
    return Ledger(years=years, places=places, service=service)


def service_capacity(
    led: Ledger, utilisation: np.ndarray, service: int, zone_of: np.ndarray, n_zones: int
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity and usable capacity of one service per year and zone ([Y, Z] each).

    ``zone_of`` [F] is each facility's zone index in this service's zone system (−1 where
    the facility has no zone there; it must then never serve this service).
    """
    known = zone_of >= 0
    cap = np.where(led.service[known] == service, led.places[known], 0.0)  # [F', Y]
    n_years = cap.shape[1]
    # Each (zone, year) a bin, summed in facility order by np.bincount: no BLAS call (a matrix product
    # with a one-hot zone matrix was 20× slower for 700 facilities and competed for threads in a pool).
    bins = (zone_of[known][:, None] * n_years + np.arange(n_years)[None, :]).ravel()
    size = n_zones * n_years
    capacity = np.bincount(bins, weights=cap.ravel(), minlength=size).reshape(n_zones, n_years).T
    usable = np.bincount(bins, weights=(cap * utilisation[known][:, None]).ravel(), minlength=size)
    return capacity, usable.reshape(n_zones, n_years).T


@dataclass(frozen=True, slots=True)
class GapSummary:
    """Headline figures of one service and zone over the horizon."""

    place_years_short: float
    peak_shortfall: float
    peak_year: int | None
    idle_place_years: float
    idle_places_last_year: float


def summarise_gap(years: np.ndarray, gap: np.ndarray) -> GapSummary:
    """Place-years short (Σ max(gap, 0)), the peak shortfall and its year, idle places.

    >>> s = summarise_gap(np.array([2024, 2025, 2026]), np.array([-5.0, 3.0, 10.0]))
    >>> (s.place_years_short, s.peak_shortfall, s.peak_year, s.idle_place_years)
    (13.0, 10.0, 2026, 5.0)
    """
    short = np.clip(gap, 0, None)
    idle = np.clip(-gap, 0, None)
    peak = int(np.argmax(short))
    return GapSummary(
        place_years_short=float(short.sum()),
        peak_shortfall=float(short[peak]),
        peak_year=int(years[peak]) if short[peak] > 0 else None,
        idle_place_years=float(idle.sum()),
        idle_places_last_year=float(idle[-1]),
    )
