"""Prices: the municipal deflator, the price index of the fixed-price year, nominal values.

The model runs in fixed prices of one price year; :func:`price_index` and :func:`to_nominal` turn its
figures into current kroner.
"""

from __future__ import annotations

import numpy as np

DEFLATOR_WAGE_SHARE = 0.6
"""Wage weight of the municipal deflator: 0.6 · 4.9 + 0.4 · 3.4 = 4.3 % (Asker 2024) and 0.6 · 5.4 + 0.4 · 3.2
= 4.5 % (2023) reproduce the deflators Asker states with its wage and price growth (facts.yaml)."""


def municipal_deflator_rate(
    wage_growth_rate: np.ndarray | float, price_growth_rate: np.ndarray | float, wage_share: float = DEFLATOR_WAGE_SHARE
) -> np.ndarray:
    """Municipal deflator: ``wage_share · wage growth + (1 − wage_share) · price growth``.

    >>> round(float(municipal_deflator_rate(0.049, 0.034)), 4)  # Asker 2024: 4.9 %, 3.4 % → 4.3 %
    0.043
    """
    return wage_share * np.asarray(wage_growth_rate, dtype=np.float64) + (1.0 - wage_share) * np.asarray(
        price_growth_rate, dtype=np.float64
    )


def price_index(deflator_rate: np.ndarray, years: np.ndarray, base_year: int) -> np.ndarray:
    """Price level of each year relative to ``base_year`` (the fixed-price year) [Y].

    ``index_t = Π_{base < j ≤ t} (1 + d_j)`` (and the inverse before the base year), where ``d_j`` is
    the growth from ``j − 1`` to ``j``. ``base_year`` may be ``years[0] − 1``.

    >>> price_index(np.full(3, 0.1), np.array([2024, 2025, 2026]), 2024).round(4).tolist()
    [1.0, 1.1, 1.21]
    >>> price_index(np.full(2, 0.1), np.array([2024, 2025]), 2023).round(4).tolist()
    [1.1, 1.21]
    """
    years = np.asarray(years)
    if not years[0] - 1 <= base_year <= years[-1]:
        raise ValueError(f"base_year {base_year} must lie in {years[0] - 1}..{years[-1]}")
    level = np.cumprod(1.0 + np.asarray(deflator_rate, dtype=np.float64))
    base_level = 1.0 if base_year == years[0] - 1 else level[base_year - years[0]]
    return level / base_level


def to_nominal(values_mnok: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Fixed-price figures in current kroner: ``values × index`` along the last (year) axis."""
    return np.asarray(values_mnok, dtype=np.float64) * index
