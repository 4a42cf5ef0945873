"""Investment financing: VAT compensation, grants, capital income, transfer from operations, borrowing.

Per year, all projects pooled [NOK million]::

    vat_compensation = Σ_p gross_spend[p] · vat_share[p]                    (kompensasjonsloven)
    need             = gross − vat_compensation − grants
    own_financing    = investment fund + capital income (first) + transfer from operations
                       (share · remaining need + amount, at most the remaining need)
    borrowing        = need − own_financing  ≥ 0
    gross            = vat_compensation + grants + own_financing + borrowing   (exact identity)

Financing beyond the year's need (e.g. a grant larger than the year's spend) is kept in an unused
investment fund (ubundet investeringsfond) and used first the next year; borrowing is never negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltsim.models.finance.inputs import Financing, Projects, year_vector


def husbanken_grant(
    places: np.ndarray,
    cost_cap_per_place_mnok: float,
    grant_share: np.ndarray,
    cost_mnok: np.ndarray,
    completion_year: np.ndarray,
    years: np.ndarray,
    spend_mnok: np.ndarray | None = None,
) -> np.ndarray:
    """Husbanken investment grant for net new 24-hour care places, per project and year [P, Y].

    ``grant = min(places × cost cap per place, cost) × grant share`` (kap. 761 post 69). Paid in the
    completion year by default: "Tilskuddet utbetales når boenhetene er ferdigstilt" (husbanken.no, on
    the 12,000 places target; Husbanken veileder 2012 § 6.2: when the units are taken into use). With
    ``spend_mnok`` [P, Y] the grant is spread in proportion to the spend instead. A completion year
    outside ``years`` gives no grant inside the horizon.

    >>> husbanken_grant(np.array([100]), 3.9, np.array([0.55]), np.array([700.0]), np.array([2027]),
    ...                 np.arange(2025, 2029)).round(1).tolist()
    [[0.0, 0.0, 214.5, 0.0]]
    >>> husbanken_grant(np.array([10]), 4.0, np.array([0.5]), np.array([30.0]), np.array([2026]),
    ...                 np.arange(2025, 2027), spend_mnok=np.array([[10.0, 20.0]])).tolist()
    [[5.0, 10.0]]
    """
    places = np.asarray(places, dtype=np.float64)
    total = np.minimum(places * cost_cap_per_place_mnok, np.asarray(cost_mnok, dtype=np.float64)) * grant_share
    if spend_mnok is not None:
        spend = np.asarray(spend_mnok, dtype=np.float64)
        spend_total = spend.sum(axis=1, keepdims=True)
        return np.divide(spend * total[:, None], spend_total, out=np.zeros_like(spend), where=spend_total > 0)
    return np.where(np.asarray(years)[None, :] == np.asarray(completion_year)[:, None], total[:, None], 0.0)


@dataclass(frozen=True, slots=True)
class InvestmentFinancing:
    """How each year's investments are paid for [Y] (names as in :class:`FinanceResult`)."""

    gross_investment_mnok: np.ndarray
    vat_compensation_mnok: np.ndarray
    grants_mnok: np.ndarray
    capital_income_mnok: np.ndarray
    transfer_from_operations_mnok: np.ndarray
    own_financing_mnok: np.ndarray
    borrowing_mnok: np.ndarray
    investment_fund_mnok: np.ndarray


def finance_investments(projects: Projects, financing: Financing, n_years: int) -> InvestmentFinancing:
    """VAT compensation, grants, own financing and borrowing per year (formulas in the module docstring)."""
    spend = np.asarray(projects.gross_spend_mnok, dtype=np.float64)
    gross = spend.sum(axis=0)
    vat = (spend * np.asarray(projects.vat_share, dtype=np.float64)[:, None]).sum(axis=0)
    grants = np.asarray(projects.grants_mnok, dtype=np.float64).sum(axis=0)
    capital_income, transfer, borrowing, investment_fund = _own_financing_and_borrowing(
        gross, vat, grants, financing, n_years
    )
    return InvestmentFinancing(
        gross_investment_mnok=gross,
        vat_compensation_mnok=vat,
        grants_mnok=grants,
        capital_income_mnok=capital_income,
        transfer_from_operations_mnok=transfer,
        own_financing_mnok=gross - vat - grants - borrowing,
        borrowing_mnok=borrowing,
        investment_fund_mnok=investment_fund,
    )


def _own_financing_and_borrowing(
    gross_mnok: np.ndarray, vat_mnok: np.ndarray, grants_mnok: np.ndarray, financing: Financing, n_years: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capital income used, transfer from operations, borrowing and unused investment fund per year."""
    share = year_vector(financing.own_financing_share, n_years, "financing.own_financing_share")
    amount_mnok = year_vector(financing.own_financing_mnok, n_years, "financing.own_financing_mnok")
    capital_income_mnok = year_vector(financing.capital_income_mnok, n_years, "financing.capital_income_mnok")
    net_need_mnok = gross_mnok - vat_mnok - grants_mnok
    transfer_mnok = np.zeros(n_years)
    borrowing_mnok = np.zeros(n_years)
    fund_mnok = np.zeros(n_years)
    carried_mnok = 0.0
    for t in range(n_years):
        available_mnok = carried_mnok + capital_income_mnok[t] + max(-net_need_mnok[t], 0.0)
        need_mnok = max(net_need_mnok[t], 0.0)
        used_mnok = min(available_mnok, need_mnok)
        need_mnok -= used_mnok
        carried_mnok = available_mnok - used_mnok
        transfer_mnok[t] = min(need_mnok, share[t] * need_mnok + amount_mnok[t])
        borrowing_mnok[t] = need_mnok - transfer_mnok[t]
        fund_mnok[t] = carried_mnok
    return capital_income_mnok, transfer_mnok, borrowing_mnok, fund_mnok
