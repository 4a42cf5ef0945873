"""Demand for places per service, zone and year: population mapped to zones × coverage.

For service ``v`` with zone system ``m`` (a share matrix from planning areas to zones)::

    users[t, z]  = Σ_area Σ_age  share_m[area, z] · P[t, area, age] · coverage_v[t, age]
    places[t, z] = Σ_area Σ_age  share_m[area, z] · P[t, area, age] · coverage_v[t, age] · weight_v[age]
    municipal[t, z] = places[t, z] · (1 − private_share_v[t])

``coverage`` is the share of residents of that age who use the service (kindergarten
coverage, pupils per resident, 24-hour care coverage); ``weight`` counts a user as more
than one place (children under 3 count as two kindergarten places, forskrift om
pedagogisk bemanning § 1 / Udir's "plassberegning"); ``private_share`` is the share of
places provided by private providers inside the same zone, which the municipality's own
facilities need not provide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class ServiceInputs:
    """One service on the model grid.

    Attributes
    ----------
    coverage : [Y, N] share of residents of each age (on 1 January) who use the service.
    weight : [N] places per user by age (1, or 2 for children under 3 in kindergartens).
    private_share : [Y] share of places provided privately in the same zone.
    zone_share : [A, Z] share of each planning area's residents in each zone (rows sum to 1).
    """

    coverage: np.ndarray
    weight: np.ndarray
    private_share: np.ndarray
    zone_share: np.ndarray


@dataclass(frozen=True, slots=True)
class ServiceDemand:
    """Demand of one service: users and places per year and zone ([Y, Z])."""

    users: np.ndarray
    places: np.ndarray
    municipal_places: np.ndarray


def service_demand(persons: np.ndarray, service: ServiceInputs) -> ServiceDemand:
    """Users and places per year and zone.

    Parameters
    ----------
    persons : [Y, A, 2, N] persons on 1 January by area, sex and age.
    service : coverage, weights, private share and zone mapping.
    """
    by_age = persons.sum(axis=2)  # [Y, A, N]
    users_area = by_age * service.coverage[:, None, :]  # [Y, A, N]
    users = users_area.sum(axis=2) @ service.zone_share  # [Y, Z]
    places = (users_area @ service.weight) @ service.zone_share
    municipal = places * (1.0 - service.private_share)[:, None]
    return ServiceDemand(users=users, places=places, municipal_places=municipal)
