"""Fixed assets: capitalisation, straight-line depreciation and book value [NOK million].

- **Assets.** Spend, net of VAT compensation (grants do not reduce the capitalised cost: gross principle),
  is capitalised at the end of ``max(spend year, completion year)`` and depreciated straight line over
  the asset life from the next year (forskrift 7.6.2019 nr. 714 § 3-4; lives in norwegian_rules.md).
- **Assets under construction** (anlegg under utførelse). Spend on a project not yet in service is on
  the balance sheet from the year it is spent, at cost, and is not depreciated until the asset is taken
  into use (the same § 3-4: depreciation from the year after it is in use). It is part of the book
  value of depreciable fixed assets (it is a depreciable asset not yet in use)::

      construction_t = Σ_p Σ_{y ≤ t} capitalised spend[p, y] · [completion_p > t]      (31 December)
      book_value_t   = existing stock + assets in service + construction_t

  so ``book_value_closing = book_value_opening − depreciation + capitalised + Δ construction``. Spend
  before the first model year is in ``existing_book_value_mnok``.
- **Land.** Assets with life 0 are not depreciated and stay out of the book value (their debt stays in
  the debt: :mod:`.loans`).
- **Existing stock.** The depreciable fixed assets on 1 January of the first year depreciate as given,
  never below a book value of 0.

The book value on 1 January (construction included) and the year's depreciation are what the § 14-18
minimum instalment uses (:mod:`.loans`). Counting only completed assets overstates the minimum in heavy
build years: the debt that finances a project under construction is in the numerator from the year it is
drawn, the project only from its completion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltsim.models.finance.inputs import Projects, year_vector


def straight_line_depreciation(book_value_mnok: float, remaining_life_years: float, n_years: int) -> np.ndarray:
    """Yearly depreciation [n_years] of an existing stock written off straight line over its remaining life.

    >>> straight_line_depreciation(100.0, 4, 6).tolist()
    [25.0, 25.0, 25.0, 25.0, 0.0, 0.0]
    >>> straight_line_depreciation(100.0, 2.5, 4).tolist()
    [40.0, 40.0, 20.0, 0.0]
    """
    if remaining_life_years <= 0:
        return np.zeros(n_years)
    per_year_mnok = book_value_mnok / remaining_life_years
    cumulative_mnok = np.minimum(per_year_mnok * np.arange(1, n_years + 1), book_value_mnok)
    return np.diff(cumulative_mnok, prepend=0.0)


def capitalised_spend_mnok(projects: Projects) -> np.ndarray:
    """Spend net of VAT compensation per project and year [P, Y]: what becomes a fixed asset."""
    spend = np.asarray(projects.gross_spend_mnok, dtype=np.float64)
    return spend - spend * np.asarray(projects.vat_share, dtype=np.float64)[:, None]


@dataclass(frozen=True, slots=True)
class FixedAssets:
    """Additions, depreciation and book value of the depreciable fixed assets per year [Y].

    ``capitalised_mnok`` is what is taken into use in the year; ``construction_in_progress_mnok`` the
    assets under construction on 31 December; both book values include them.
    """

    capitalised_mnok: np.ndarray
    construction_in_progress_mnok: np.ndarray
    depreciation_mnok: np.ndarray
    book_value_opening_mnok: np.ndarray
    book_value_closing_mnok: np.ndarray


def fixed_assets(
    capitalised_by_project_mnok: np.ndarray,
    completion_year: np.ndarray,
    asset_life_years: np.ndarray,
    years: np.ndarray,
    existing_book_value_mnok: float,
    existing_depreciation_mnok: np.ndarray,
) -> FixedAssets:
    """The existing stock plus new assets (``capitalised_by_project_mnok`` [P, Y]) year by year.

    ``book_value_closing = book_value_opening − depreciation + capitalised + Δ construction in progress``.
    """
    n_years = len(years)
    life_years = np.asarray(asset_life_years, dtype=np.int64)
    completion_index = np.asarray(completion_year, dtype=np.int64) - int(years[0])
    in_service_index = np.maximum(np.arange(n_years)[None, :], completion_index[:, None])
    capitalised, new_depreciation, new_book_value = _new_assets(
        capitalised_by_project_mnok, in_service_index, life_years, n_years
    )
    construction_closing = construction_in_progress_mnok(
        capitalised_by_project_mnok, completion_index, life_years > 0, n_years
    )
    construction_opening = np.concatenate(([0.0], construction_closing[:-1]))
    existing_depreciation = np.clip(
        year_vector(existing_depreciation_mnok, n_years, "debt.existing_depreciation_mnok"), 0, None
    )
    existing_cumulative = np.minimum(np.cumsum(existing_depreciation), existing_book_value_mnok)
    existing_depreciation = np.diff(existing_cumulative, prepend=0.0)
    book_value_opening = (
        existing_book_value_mnok - (existing_cumulative - existing_depreciation) + new_book_value + construction_opening
    )
    depreciation = existing_depreciation + new_depreciation
    return FixedAssets(
        capitalised_mnok=capitalised,
        construction_in_progress_mnok=construction_closing,
        depreciation_mnok=depreciation,
        book_value_opening_mnok=book_value_opening,
        book_value_closing_mnok=book_value_opening
        - depreciation
        + capitalised
        + (construction_closing - construction_opening),
    )


def construction_in_progress_mnok(
    capitalised_mnok: np.ndarray, completion_index: np.ndarray, depreciable: np.ndarray, n_years: int
) -> np.ndarray:
    """Assets under construction on 31 December [Y]: depreciable spend to date of projects not yet in service.

    ``capitalised_mnok`` [P, Y] spend net of VAT, ``completion_index`` [P] the completion year's index
    (≥ Y: after the horizon), ``depreciable`` [P] life > 0 (land is not a depreciable asset).

    >>> construction_in_progress_mnok(np.array([[10.0, 20.0, 30.0]]), np.array([2]), np.array([True]), 3).tolist()
    [10.0, 30.0, 0.0]
    """
    if capitalised_mnok.shape[0] == 0:
        return np.zeros(n_years)
    spent_to_date = np.cumsum(capitalised_mnok, axis=1)
    not_in_service = np.asarray(completion_index)[:, None] > np.arange(n_years)[None, :]
    return (spent_to_date * (not_in_service & np.asarray(depreciable)[:, None])).sum(axis=0)


def _new_assets(
    capitalised_mnok: np.ndarray, in_service_index: np.ndarray, life_years: np.ndarray, n_years: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capitalised additions, depreciation and opening book value [Y] of new assets (depreciable only).

    ``capitalised_mnok`` [P, Y] is capitalised spend, ``in_service_index`` [P, Y] the year index it enters
    service (≥ Y: never inside the horizon), ``life_years`` [P] the asset life. An addition at the end of
    year ``y`` has book value ``A · (1 − (τ − y − 1)/L)`` on 1 January of ``τ > y`` and depreciates ``A/L``
    in ``y+1 .. y+L``.
    """
    lives = np.unique(life_years[life_years > 0])
    if lives.size == 0:
        zero = np.zeros(n_years)
        return zero, zero.copy(), zero.copy()
    group = np.searchsorted(lives, life_years)
    keep = (life_years > 0)[:, None] & (in_service_index < n_years)
    flat_index = (group[:, None] * n_years + in_service_index)[keep]
    additions = np.bincount(flat_index, weights=capitalised_mnok[keep], minlength=lives.size * n_years).reshape(
        lives.size, n_years
    )
    lag = np.arange(n_years)[None, :] - np.arange(n_years)[:, None]  # [y, τ] = τ − y
    life = lives[:, None, None].astype(np.float64)
    depreciating = (lag[None] >= 1) & (lag[None] <= life)
    depreciation = np.einsum("gy,gyt->t", additions / life[:, 0], depreciating)
    remaining_share = np.where(lag[None] >= 1, np.clip(1.0 - (lag[None] - 1) / life, 0.0, 1.0), 0.0)
    book_value = np.einsum("gy,gyt->t", additions, remaining_share)
    return additions.sum(axis=0), depreciation, book_value
