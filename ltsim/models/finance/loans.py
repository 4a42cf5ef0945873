"""Loans: schedules, investment debt by cohort with the § 14-18 minimum.

Each year's borrowing is split over loan-term groups in proportion to the year's capitalised spend
(gross − VAT compensation) and becomes one cohort per group and year; the opening debt stock is one more
cohort with its remaining life. Conventions (chosen, tested):

- **Timing** (:func:`draw_year_interest_mnok`). A loan drawn in year t is outstanding for the share
  ``s_t`` of that year (``drawdown_share``: 1 = drawn 1 January, 0.5 = 1 July, the default, 0 = 31
  December; month m = its first day, ``s = (13 − m)/12``). Interest accrues from the draw-down
  (kommuneloven § 14-15 allows borrowing for the year's investments; the interest on it is the year's
  expense under the accrual rule of budsjett- og regnskapsforskriften § 2-1), so::

      interest_t = rate_t × (debt on 1 January + s_t × borrowing_t)

  Where in the year the loans are drawn is a budget convention, not a rule: many budgets assume
  mid-year (0.5). Instalments are paid at the end of the year; a new loan's first instalment falls in
  the year after it is drawn (``instalments_in_draw_year``: in the draw year, as the loan terms say).
  Hence ``debt_closing = debt_opening + borrowing − instalments``.
- **Schedules.** ``serial``: instalment = balance ÷ remaining instalments; ``annuity``: the principal part
  of the annuity on the balance over the remaining term at this year's rate,
  ``balance · r / ((1 + r)^n − 1)`` (``1/n`` at r = 0). Both re-amortise the balance every year, so a
  constant rate gives the textbook schedules and an extra instalment lowers later ones. ``minimum``: pay
  exactly the § 14-18 minimum (the usual budget practice), spread pro rata to balances.
- **§ 14-18 minimum** (kommuneloven 2018 § 14-18 (1): the instalments are at least the year's
  depreciation, "justert for forholdet mellom størrelsen på lånegjelden og størrelsen på ...
  avskrivbare anleggsmidler", the adjustment "ut fra lånegjeldens og anleggsmidlenes bokførte verdi ved
  inngangen av regnskapsåret"): ``minimum_t = debt_opening_t × depreciation_t ÷ book_value_opening_t``
  where book value is that of the depreciable fixed assets on 1 January, **assets under construction
  included** (they are depreciable assets on the balance sheet, not yet depreciated: :mod:`.assets`;
  counting completed assets only overstates the minimum while the debt for a project under construction
  is already drawn) and depreciation that of the year. For one straight-line asset fully financed by
  one serial loan over its life the minimum equals the serial instalment every year. Molde kommune's
  2020 note (norwegian_rules.md) gives the three figures and the result: the ratio is tested on it
  (:func:`minimum_instalment`); the note labels the balances "31.12", the law says 1 January.
  If the planned instalments fall short, the difference is charged pro rata to the cohorts' balances
  after their planned instalment (never beyond a cohort's balance, since depreciation ≤ book value).
  If the book value is 0 while debt is outstanding the formula does not apply and the minimum must not
  be taken as 0 (regjeringen.no interpretations 8 Apr 2022, 31 Jan 2024): policy ``"planned"`` (default)
  charges the cohort plan (serial where the method is ``minimum``), reports that as the year's minimum
  and flags the year (``minimum_not_applicable``; the run warns); ``"raise"`` raises ValueError.
- **Land.** Assets with life 0 are not depreciated and stay out of the book value, but their debt stays
  in the debt (ministry interpretation); their loans run over ``land_loan_term_years``.

The rate path is applied as given to fixed-price debt (Asker's plan uses its budget rate, 4.0–4.2 %, in
fixed 2024 prices); pass a real rate to model the erosion of debt by inflation instead.

Housing start loans (startlån) and net debt are in :mod:`.startloans`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ltsim.models.finance.inputs import Debt, year_vector

# --------------------------------------------------------------------------------------------- one loan


def _instalment_factor(remaining_instalments: np.ndarray, rate: float, method: str) -> np.ndarray:
    """Share of the balance repaid this year with ``remaining_instalments`` left (≥ 1 means all of it)."""
    n = np.maximum(remaining_instalments, 1).astype(np.float64)
    if method == "annuity" and rate != 0.0:
        return rate / np.expm1(n * math.log1p(rate))
    return 1.0 / n


def annuity_payment(principal_mnok: float, rate: float, term_years: int) -> float:
    """Yearly annuity payment (interest + instalment): ``K · r / (1 − (1 + r)^−n)``; ``K / n`` at r = 0.

    >>> round(annuity_payment(100.0, 0.05, 4), 6)
    28.201183
    >>> annuity_payment(100.0, 0.0, 4)
    25.0
    >>> round(annuity_payment(100.0, 0.05, 1), 12)
    105.0
    """
    if term_years < 1:
        raise ValueError(f"term_years must be ≥ 1, got {term_years}")
    if rate == 0.0:
        return principal_mnok / term_years
    return principal_mnok * rate / -math.expm1(-term_years * math.log1p(rate))


def draw_year_interest_mnok(
    rate: np.ndarray | float, new_loans_mnok: np.ndarray | float, drawdown_share: np.ndarray | float
) -> np.ndarray | float:
    """Interest in the draw year on loans drawn that year: ``rate × amount × share of the year outstanding``.

    Drawn 1 July at 4 % (share 0.5): 100 mill bear 2.0 mill in the draw year; drawn 1 October
    (month 10, share (13 − 10)/12 = 0.25): 1.0 mill.

    >>> draw_year_interest_mnok(0.04, 100.0, 0.5), draw_year_interest_mnok(0.04, 100.0, 0.25)
    (2.0, 1.0)
    """
    return rate * new_loans_mnok * drawdown_share


@dataclass(frozen=True, slots=True)
class LoanSchedule:
    """One loan year by year: ``instalments_mnok`` and ``interest_mnok`` are [n], ``balance_mnok`` [n+1]."""

    instalments_mnok: np.ndarray
    interest_mnok: np.ndarray
    balance_mnok: np.ndarray


def loan_schedule(principal_mnok: float, rate: float | np.ndarray, term_years: int, method: str) -> LoanSchedule:
    """Repayment of one loan drawn at the end of year 0, paid in years 1..n (same rules as :func:`investment_debt`).

    Interest is on the balance at the start of each year; ``rate`` is a number or one rate per year.

    >>> s = loan_schedule(100.0, 0.05, 4, "serial")
    >>> s.instalments_mnok.tolist(), s.interest_mnok.tolist()
    ([25.0, 25.0, 25.0, 25.0], [5.0, 3.75, 2.5, 1.25])
    >>> a = loan_schedule(100.0, 0.05, 4, "annuity")
    >>> np.round(a.instalments_mnok + a.interest_mnok, 6).tolist()
    [28.201183, 28.201183, 28.201183, 28.201183]
    >>> loan_schedule(100.0, 0.0, 4, "annuity").instalments_mnok.tolist()
    [25.0, 25.0, 25.0, 25.0]
    >>> loan_schedule(100.0, 0.05, 1, "annuity").instalments_mnok.tolist()
    [100.0]
    """
    if method not in ("serial", "annuity"):
        raise ValueError(f"method must be 'serial' or 'annuity', got {method!r}")
    if term_years < 1:
        raise ValueError(f"term_years must be ≥ 1, got {term_years}")
    rates = np.broadcast_to(np.asarray(rate, dtype=np.float64), (term_years,))
    balance = np.empty(term_years + 1)
    balance[0] = principal_mnok
    instalments = np.empty(term_years)
    interest = np.empty(term_years)
    for k in range(term_years):
        interest[k] = rates[k] * balance[k]
        factor = float(_instalment_factor(np.array([term_years - k]), float(rates[k]), method)[0])
        instalments[k] = balance[k] * factor
        balance[k + 1] = balance[k] - instalments[k]
    return LoanSchedule(instalments_mnok=instalments, interest_mnok=interest, balance_mnok=balance)


def minimum_instalment(debt_mnok: float, depreciation_mnok: float, book_value_mnok: float) -> float:
    """Kommuneloven § 14-18 (1) minimum: ``debt × depreciation ÷ book value of depreciable fixed assets``.

    Raises ValueError when the book value is 0 and debt is outstanding: the formula does not apply and
    the minimum must not be taken as 0 (ministry interpretations, regjeringen.no 2022 and 2024).

    Molde kommune, accounts 2020, note 7 [NOK thousand]:

    >>> round(minimum_instalment(4_047_013, 174_015, 4_521_698), 2)
    155747.02
    >>> minimum_instalment(0.0, 0.0, 0.0)
    0.0
    """
    if debt_mnok <= 0.0:
        return 0.0
    if book_value_mnok <= 0.0:
        raise ValueError(
            "§ 14-18 minimum instalment: the book value of depreciable fixed assets is 0 while debt is "
            "outstanding; the formula does not apply and the minimum must not be taken as 0"
        )
    return debt_mnok * depreciation_mnok / book_value_mnok


# --------------------------------------------------------------------------------------------- investment debt


@dataclass(frozen=True, slots=True)
class InvestmentDebt:
    """Investment debt per year [Y]: interest, the § 14-18 minimum, the instalments charged.

    ``minimum_not_applicable`` [Y] (bool) flags the years with debt outstanding and no book value.
    """

    debt_opening_mnok: np.ndarray
    interest_mnok: np.ndarray
    planned_instalments_mnok: np.ndarray
    minimum_instalment_mnok: np.ndarray
    minimum_not_applicable: np.ndarray
    instalments_mnok: np.ndarray
    debt_closing_mnok: np.ndarray


@dataclass(frozen=True, slots=True)
class _Cohorts:
    """Loan cohorts ``c``: 0 = the opening stock, ``1 + g·Y + y`` = term group ``g`` borrowed in year ``y``.

    ``first_year_index`` [C] is the index of the year a cohort's repayment starts; ``new_loans_mnok`` [G, Y]
    the borrowing of each group and year; ``first_new_cohort`` [G] the cohort of group ``g``'s first year.
    """

    term_years: np.ndarray
    first_year_index: np.ndarray
    new_loans_mnok: np.ndarray
    first_new_cohort: np.ndarray


def _cohorts(
    debt: Debt,
    borrowing_mnok: np.ndarray,
    capitalised_by_project_mnok: np.ndarray,
    asset_life_years: np.ndarray,
    n_years: int,
) -> _Cohorts:
    """Split each year's borrowing over the loan terms in proportion to the capitalised spend."""
    first_offset = 0 if debt.instalments_in_draw_year else 1  # a cohort's first instalment: draw year or next
    project_term_years = np.where(asset_life_years > 0, asset_life_years, debt.land_loan_term_years)
    terms = np.unique(project_term_years) if project_term_years.size else np.array([debt.land_loan_term_years])
    n_groups = terms.size
    capitalised_by_group = np.zeros((n_groups, n_years))
    if project_term_years.size:
        np.add.at(capitalised_by_group, np.searchsorted(terms, project_term_years), capitalised_by_project_mnok)
    capitalised_total = capitalised_by_group.sum(axis=0)
    split = np.divide(
        capitalised_by_group,
        capitalised_total,
        out=np.zeros_like(capitalised_by_group),
        where=capitalised_total > 0,
    )
    return _Cohorts(
        term_years=np.concatenate(([debt.opening_debt_remaining_life_years], np.repeat(terms, n_years))),
        first_year_index=np.concatenate(([0], np.tile(np.arange(n_years) + first_offset, n_groups))),
        new_loans_mnok=split * borrowing_mnok,
        first_new_cohort=1 + np.arange(n_groups) * n_years,
    )


def _minimum_mnok(
    debt_opening_mnok: float, depreciation_mnok: float, book_value_opening_mnok: float, policy: str, year: int
) -> float:
    """The year's § 14-18 minimum (module docstring); NaN where it does not apply and ``policy`` is ``planned``."""
    if debt_opening_mnok <= 0.0:
        return 0.0
    if book_value_opening_mnok > 0.0:
        # depreciation ≤ book value, so the minimum never exceeds the debt; the cap only guards
        # against float rounding when the book value is tiny.
        return min(debt_opening_mnok, debt_opening_mnok * (depreciation_mnok / book_value_opening_mnok))
    if policy == "raise":
        raise ValueError(
            f"{year}: § 14-18 minimum instalment: the book value of depreciable fixed assets is 0 while "
            f"debt is {debt_opening_mnok:.3f} mill; the formula does not apply and the minimum must not be taken as 0"
        )
    return math.nan  # not applicable: the loans' own schedule is charged and reported as the minimum


def investment_debt(
    debt: Debt,
    borrowing_mnok: np.ndarray,
    capitalised_by_project_mnok: np.ndarray,
    asset_life_years: np.ndarray,
    book_value_opening_mnok: np.ndarray,
    depreciation_mnok: np.ndarray,
    years: np.ndarray,
) -> InvestmentDebt:
    """Carry the loan cohorts through the years: interest, planned instalments, the § 14-18 minimum.

    One loop over years (the minimum depends on the debt left by earlier years), vectorised over cohorts.
    ``capitalised_by_project_mnok`` [P, Y] and ``asset_life_years`` [P] split the borrowing over loan terms.
    """
    n_years = len(years)
    cohorts = _cohorts(
        debt, borrowing_mnok, capitalised_by_project_mnok, np.asarray(asset_life_years, dtype=np.int64), n_years
    )
    rate = year_vector(debt.interest_rate, n_years, "debt.interest_rate")
    drawdown_share = year_vector(debt.drawdown_share, n_years, "debt.drawdown_share")
    method = debt.instalment_method
    schedule_method = "serial" if method == "minimum" else method

    balance = np.zeros(cohorts.term_years.size)
    balance[0] = debt.opening_debt_mnok
    debt_opening = np.zeros(n_years)
    interest = np.zeros(n_years)
    planned_total = np.zeros(n_years)
    minimum_total = np.zeros(n_years)
    not_applicable = np.zeros(n_years, dtype=bool)
    instalments_total = np.zeros(n_years)
    debt_closing = np.zeros(n_years)
    for t in range(n_years):
        opening_mnok = balance.sum()
        debt_opening[t] = opening_mnok
        new_loans = cohorts.new_loans_mnok[:, t]
        interest[t] = rate[t] * opening_mnok + draw_year_interest_mnok(rate[t], new_loans.sum(), drawdown_share[t])
        if debt.instalments_in_draw_year:  # repaid from the draw year: in the schedule before the instalments
            balance[cohorts.first_new_cohort + t] += new_loans
        remaining_instalments = cohorts.term_years - (t - cohorts.first_year_index)
        minimum_mnok = _minimum_mnok(
            opening_mnok, depreciation_mnok[t], book_value_opening_mnok[t], debt.on_zero_book_value, years[t]
        )
        applicable = not math.isnan(minimum_mnok)
        not_applicable[t] = not applicable
        if method == "minimum" and applicable:
            planned = np.zeros_like(balance)
        else:
            planned = balance * _instalment_factor(remaining_instalments, rate[t], schedule_method)
        planned_mnok = planned.sum()
        instalments = planned
        rest = balance - planned
        rest_mnok = rest.sum()
        if applicable and minimum_mnok > planned_mnok and rest_mnok > 0.0:
            # the shortfall is charged pro rata to the balances left after the planned instalments
            instalments = np.minimum(planned + min(minimum_mnok - planned_mnok, rest_mnok) * rest / rest_mnok, balance)
        balance -= instalments
        if not debt.instalments_in_draw_year:
            balance[cohorts.first_new_cohort + t] += new_loans
        planned_total[t] = planned_mnok
        minimum_total[t] = minimum_mnok if applicable else planned_mnok
        instalments_total[t] = instalments.sum()
        debt_closing[t] = balance.sum()
    return InvestmentDebt(
        debt_opening_mnok=debt_opening,
        interest_mnok=interest,
        planned_instalments_mnok=planned_total,
        minimum_instalment_mnok=minimum_total,
        minimum_not_applicable=not_applicable,
        instalments_mnok=instalments_total,
        debt_closing_mnok=debt_closing,
    )
