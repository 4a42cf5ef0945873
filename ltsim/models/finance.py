"""Municipal finance: investment financing, loans by cohort, § 14-18 minimum, operating budget, funds, key figures.

Yearly, in fixed prices of one price year [NOK million, names end in ``_mnok``]; rates and shares are
fractions (``_rate``, ``_share``); ``Y`` model years, ``P`` projects, ``S`` services. Year ``t`` is the
calendar year ``years[t]``; stocks named ``*_opening_*`` are at 1 January, all other stocks at 31 December.

Investment financing, per year (all projects pooled)::

    vat_compensation = Σ_p gross_spend[p] · vat_share[p]                    (kompensasjonsloven)
    need             = gross − vat_compensation − grants
    own_financing    = investment fund + capital income (first) + transfer from operations
                       (share · remaining need + amount, at most the remaining need)
    borrowing        = need − own_financing  ≥ 0
    gross            = vat_compensation + grants + own_financing + borrowing   (exact identity)

Financing beyond the year's need (e.g. a grant larger than the year's spend) is kept in an unused
investment fund (ubundet investeringsfond) and used first the next year; borrowing is never negative.

Loans: each year's borrowing is split over loan-term groups in proportion to the year's capitalised
spend (gross − VAT compensation) and becomes one cohort per group and year; the opening debt stock is one
more cohort with its remaining life. Conventions (chosen, tested):

- **Timing.** Loans are drawn at the end of the borrowing year: interest and instalments start the year
  after. Interest = rate_t × debt on 1 January (``debt_opening_mnok``); no interest on this year's
  draw-downs. Hence ``debt_closing = debt_opening + borrowing − instalments`` and an instalment can never
  exceed the debt outstanding on 1 January.
- **Schedules.** ``serial``: instalment = balance ÷ remaining instalments; ``annuity``: the principal part
  of the annuity on the balance over the remaining term at this year's rate,
  ``balance · r / ((1 + r)^n − 1)`` (``1/n`` at r = 0). Both re-amortise the balance every year, so a
  constant rate gives the textbook schedules and an extra instalment lowers later ones. ``minimum``: pay
  exactly the § 14-18 minimum (the usual budget practice), spread pro rata to balances.
- **§ 14-18 minimum** (kommuneloven 2018 § 14-18 (1)): ``minimum_t = debt_opening_t × depreciation_t ÷
  book_value_opening_t`` where book value is that of the depreciable fixed assets on 1 January and
  depreciation that of the year. Opening figures avoid circularity (instalments change year-end debt);
  for one straight-line asset fully financed by one serial loan over its life the minimum equals the
  serial instalment every year. Molde kommune's note used year-end figures (see norwegian_rules.md).
  If the planned instalments fall short, the difference is charged pro rata to the cohorts' balances
  after their planned instalment (never beyond a cohort's balance, since depreciation ≤ book value).
  If the book value is 0 while debt is outstanding the formula does not apply and the minimum must not
  be taken as 0 (regjeringen.no interpretations 8 Apr 2022, 31 Jan 2024): policy ``"planned"`` (default)
  charges the cohort plan (serial where the method is ``minimum``), reports that as the year's minimum
  and flags the year (``minimum_not_applicable``; the run warns); ``"raise"`` raises ValueError.
- **Land.** Assets with life 0 are not depreciated and stay out of the book value, but their debt stays
  in the debt (ministry interpretation); their loans run over ``land_loan_term_years``.
- **Assets.** Spend, net of VAT compensation (grants do not reduce the capitalised cost: gross principle),
  is capitalised at the end of ``max(spend year, completion year)`` and depreciated straight line over
  the asset life from the next year (forskrift 7.6.2019 nr. 714 § 3-4; lives in norwegian_rules.md).

Housing start loans (startlån, relending) are a separate stock: each year's loan from Husbanken is lent
on the same year; borrowers repay over their term from the next year (receivable) and the municipality
repays Husbanken over its term, with instalments at least equal to those received when
``repay_as_received`` (Asker's plan: paid = received). Their instalments go through the investment
statement, not the operating result; their interest is paid and received in the operating statement.

Net debt (KOSTRA "netto lånegjeld", SSB): long-term debt excluding pension liabilities, less total
lending (utlån: relending receivables + other lending) and unused borrowed funds::

    net_debt = investment debt + startlån debt − relending receivables − other lending − unused loans

(SSB's gross indicator "langsiktig gjeld ekskl. pensjonsforpliktelser i prosent av brutto
driftsinntekter", KOSKG320000, includes relending loans in the debt; the net indicator deducts lending.)

Operating statement (økonomisk oversikt drift, budsjett- og regnskapsforskriften 2019; Prop. 88 S
(2017–2018) ch. 3.1: the net operating result includes finance income and finance costs incl. instalments)::

    revenue            = base · Π_{j=1..t}(1 + g_j) · population_index_t + other revenue
    expenses           = base · (1 + k · (population_index_t − 1)) + Σ_s unit_cost_s · (users_{s,t} − users_{s,0})
                         + facility operating cost + other expenses − savings − Σ_{j≤t} efficiency_new_j
                         (excl. depreciation; k = population_driven_share, the part of the base that follows
                         the population outside the services costed per user)
    gross operating expenses = expenses + depreciation
    brutto driftsresultat    = revenue − gross operating expenses
    netto finansutgifter     = interest (investment + startlån) + instalments
                               − interest income − startlån interest received − fund returns
    netto driftsresultat     = brutto driftsresultat − netto finansutgifter + depreciation (motpost)

Asker budget 2024 (facts.yaml, NOK thousand): brutto driftsresultat 9,653,092 − 9,433,629 = 219,463;
netto driftsresultat 74,469, i.e. 0.77 % of driftsinntekter.

Funds: the energy fund earns ``real_return_rate`` on its opening value (financial income, in the NDR) and
keeps ``retained_share`` of it (Asker: 1.6 bn, 3 % expected real return). The disposition fund receives
all that is left: ``fund_t = fund_{t−1} + allocation − use`` with ``allocation − use = NDR − transfer to
investment − energy fund allocation``; a deficit larger than the fund is reported as
``uncovered_deficit_mnok`` and the fund stays ≥ 0.

The rate path is applied as given to fixed-price debt (Asker's plan uses its budget rate, 4.0–4.2 %, in
fixed 2024 prices); pass a real rate to model the erosion of debt by inflation instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

INSTALMENT_METHODS: tuple[str, ...] = ("serial", "annuity", "minimum")
ZERO_BOOK_VALUE_POLICIES: tuple[str, ...] = ("planned", "raise")
DIRECTIONS: tuple[str, ...] = ("higher_is_better", "lower_is_better")
KPIS: tuple[str, ...] = ("net_operating_result_pct", "debt_ratio_pct", "disposition_fund_pct", "own_financing_pct")
KPI_UNIT = "percent"
DEFLATOR_WAGE_SHARE = 0.6
"""Wage weight of the municipal deflator: 0.6 · 4.9 + 0.4 · 3.4 = 4.3 % (Asker 2024) and 0.6 · 5.4 + 0.4 · 3.2
= 4.5 % (2023) reproduce the deflators Asker states with its wage and price growth (facts.yaml)."""


# --------------------------------------------------------------------------------------------- loans


def _instalment_factor(remaining: np.ndarray, rate: float, method: str) -> np.ndarray:
    """Share of the balance repaid this year with ``remaining`` instalments left (≥ 1 means all of it)."""
    n = np.maximum(remaining, 1).astype(np.float64)
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


@dataclass(frozen=True, slots=True)
class LoanSchedule:
    """One loan year by year: ``instalments_mnok`` and ``interest_mnok`` are [n], ``balance_mnok`` [n+1]."""

    instalments_mnok: np.ndarray
    interest_mnok: np.ndarray
    balance_mnok: np.ndarray


def loan_schedule(principal_mnok: float, rate: float | np.ndarray, term_years: int, method: str) -> LoanSchedule:
    """Repayment of one loan drawn at the end of year 0, paid in years 1..n (same rules as :func:`simulate`).

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
    inst = np.empty(term_years)
    interest = np.empty(term_years)
    for k in range(term_years):
        interest[k] = rates[k] * balance[k]
        inst[k] = balance[k] * float(_instalment_factor(np.array([term_years - k]), float(rates[k]), method)[0])
        balance[k + 1] = balance[k] - inst[k]
    return LoanSchedule(instalments_mnok=inst, interest_mnok=interest, balance_mnok=balance)


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


def straight_line_depreciation(book_value_mnok: float, remaining_life_years: float, n_years: int) -> np.ndarray:
    """Yearly depreciation [n_years] of an existing stock written off straight line over its remaining life.

    >>> straight_line_depreciation(100.0, 4, 6).tolist()
    [25.0, 25.0, 25.0, 25.0, 0.0, 0.0]
    >>> straight_line_depreciation(100.0, 2.5, 4).tolist()
    [40.0, 40.0, 20.0, 0.0]
    """
    if remaining_life_years <= 0:
        return np.zeros(n_years)
    per_year = book_value_mnok / remaining_life_years
    cum = np.minimum(per_year * np.arange(1, n_years + 1), book_value_mnok)
    return np.diff(cum, prepend=0.0)


# --------------------------------------------------------------------------------------------- grants


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
        s = spend.sum(axis=1, keepdims=True)
        return np.divide(spend * total[:, None], s, out=np.zeros_like(spend), where=s > 0)
    return np.where(np.asarray(years)[None, :] == np.asarray(completion_year)[:, None], total[:, None], 0.0)


# --------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Projects:
    """Investment projects as arrays over P projects and the Y model years.

    Attributes
    ----------
    gross_spend_mnok : [P, Y] gross spend incl. VAT per year.
    vat_share : [P] share of gross spend refunded as VAT compensation (0.2 = 25 % VAT on the net).
    grants_mnok : [P, Y] grants received per year (see :func:`husbanken_grant` for timing).
    completion_year : [P] calendar year the facility is taken into use.
    asset_life_years : [P] depreciation life (5/10/20/40/50; 0 = land, not depreciated).
    operating_cost_mnok : [P] yearly operating cost once in service (FDV + staffing; negative = saving).
    """

    gross_spend_mnok: np.ndarray
    vat_share: np.ndarray
    grants_mnok: np.ndarray
    completion_year: np.ndarray
    asset_life_years: np.ndarray
    operating_cost_mnok: np.ndarray


@dataclass(frozen=True, slots=True)
class Financing:
    """Own financing of investments per year [Y] (see the module docstring for the order of use).

    Attributes
    ----------
    own_financing_share : [Y] share of the need left after VAT, grants and capital income that is paid by a
        transfer from operations.
    own_financing_mnok : [Y] planned transfer from operations (overføring fra drift) on top of the share.
    capital_income_mnok : [Y] sale of fixed assets and other capital income, used before the transfer.
    """

    own_financing_share: np.ndarray
    own_financing_mnok: np.ndarray
    capital_income_mnok: np.ndarray


@dataclass(frozen=True, slots=True)
class Debt:
    """Investment debt, the fixed-asset stock behind § 14-18, and net-debt adjustments.

    Attributes
    ----------
    interest_rate : [Y] rate on the investment debt.
    instalment_method : ``serial``, ``annuity`` or ``minimum``.
    opening_debt_mnok : investment debt on 1 January of the first year.
    opening_debt_remaining_life_years : remaining repayment term of the opening debt.
    existing_book_value_mnok : book value of depreciable fixed assets on 1 January of the first year
        (include assets under construction whose earlier spend is not in ``gross_spend_mnok``).
    existing_depreciation_mnok : [Y] depreciation of that stock (clipped to its book value).
    land_loan_term_years : repayment term of loans for land (life 0).
    on_zero_book_value : ``planned`` or ``raise`` (see module docstring).
    other_lending_mnok : [Y] other lending on 31 December (utlån av egne midler), deducted in net debt.
    unused_borrowed_funds_mnok : [Y] unused borrowed funds on 31 December, deducted in net debt.
    """

    interest_rate: np.ndarray
    instalment_method: str
    opening_debt_mnok: float
    opening_debt_remaining_life_years: int
    existing_book_value_mnok: float
    existing_depreciation_mnok: np.ndarray
    land_loan_term_years: int = 50
    on_zero_book_value: str = "planned"
    other_lending_mnok: np.ndarray | None = None
    unused_borrowed_funds_mnok: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class StartLoans:
    """Housing start loans (startlån) from Husbanken, relent to households.

    Attributes
    ----------
    borrowing_mnok : [Y] new loans from Husbanken, lent on the same year.
    interest_rate : [Y] Husbanken's rate on the municipality's relending debt.
    husbanken_term_years : term of each year's loan from Husbanken.
    borrower_term_years : term of each year's loans to households.
    opening_debt_mnok, opening_debt_remaining_life_years : relending debt on 1 January, remaining term.
    opening_receivables_mnok, opening_receivables_remaining_life_years : receivables, remaining term.
    margin_rate : borrowers pay ``interest_rate + margin_rate``.
    method : ``serial`` or ``annuity`` for both sides.
    repay_as_received : the municipality's instalment is at least what borrowers repaid that year.
    """

    borrowing_mnok: np.ndarray
    interest_rate: np.ndarray
    husbanken_term_years: int
    borrower_term_years: int
    opening_debt_mnok: float = 0.0
    opening_debt_remaining_life_years: int = 1
    opening_receivables_mnok: float = 0.0
    opening_receivables_remaining_life_years: int = 1
    margin_rate: float = 0.0
    method: str = "annuity"
    repay_as_received: bool = True


@dataclass(frozen=True, slots=True)
class Operating:
    """Operating budget drivers.

    Attributes
    ----------
    revenue_base_mnok : operating revenue in the first year at ``population_index = 1``.
    revenue_real_growth_rate : [Y] real growth per inhabitant from the year before (first value unused).
    population_index : [Y] population (or income-weighted population, :func:`weighted_population_index`)
        relative to the base.
    expense_base_mnok : operating expenses in the first year, excluding depreciation, interest, instalments.
    users : [S, Y] users per service (places, pupils, …).
    unit_cost_mnok : [S] cost per user per year [NOK million].
    savings_mnok : [Y] savings of structural measures.
    efficiency_new_mnok : [Y] new efficiency (omstilling) reductions each year; cumulated by the model.
    interest_income_mnok : [Y] interest and dividend income outside the funds modelled here.
    other_revenue_mnok, other_expenses_mnok : [Y] exogenous additions.
    first_year_operating_share : share of a facility's yearly operating cost in its completion year.
    population_driven_share : share ``k`` of ``expense_base_mnok`` that grows with ``population_index``
        (services not costed per user: administration, culture, technical services …).
    """

    revenue_base_mnok: float
    revenue_real_growth_rate: np.ndarray
    population_index: np.ndarray
    expense_base_mnok: float
    users: np.ndarray
    unit_cost_mnok: np.ndarray
    savings_mnok: np.ndarray
    efficiency_new_mnok: np.ndarray
    interest_income_mnok: np.ndarray
    other_revenue_mnok: np.ndarray | None = None
    other_expenses_mnok: np.ndarray | None = None
    first_year_operating_share: float = 1.0
    population_driven_share: float = 0.0


@dataclass(frozen=True, slots=True)
class Funds:
    """Disposition fund and energy fund.

    Attributes
    ----------
    disposition_fund_opening_mnok : disposition fund on 1 January of the first year.
    disposition_fund_return_rate : return on the opening fund, booked as financial income (0 when the
        interest is already in ``interest_income_mnok``).
    energy_fund_opening_mnok : energy fund on 1 January of the first year.
    energy_fund_real_return_rate : [Y] real return on the energy fund (Asker: 0.03 expected).
    energy_fund_retained_share : share of the return set aside to the energy fund.
    """

    disposition_fund_opening_mnok: float
    disposition_fund_return_rate: float = 0.0
    energy_fund_opening_mnok: float = 0.0
    energy_fund_real_return_rate: np.ndarray | float = 0.0
    energy_fund_retained_share: float = 1.0


@dataclass(frozen=True, slots=True)
class FinanceInputs:
    """Everything :func:`simulate` needs; ``years`` [Y] are consecutive calendar years."""

    years: np.ndarray
    projects: Projects
    financing: Financing
    debt: Debt
    start_loans: StartLoans
    operating: Operating
    funds: Funds


@dataclass(frozen=True, slots=True)
class FinanceResult:
    """Finance per year; every ``*_mnok`` field is [Y] NOK million (stocks on 31 December unless ``_opening``)."""

    years: np.ndarray
    # investment financing
    gross_investment_mnok: np.ndarray
    vat_compensation_mnok: np.ndarray
    grants_mnok: np.ndarray
    capital_income_mnok: np.ndarray
    transfer_from_operations_mnok: np.ndarray
    own_financing_mnok: np.ndarray
    borrowing_mnok: np.ndarray
    investment_fund_mnok: np.ndarray
    # investment debt
    debt_opening_mnok: np.ndarray
    interest_mnok: np.ndarray
    planned_instalments_mnok: np.ndarray
    minimum_instalment_mnok: np.ndarray
    minimum_not_applicable: np.ndarray  # [Y] bool: book value 0 with debt outstanding (§ 14-18 does not apply)
    instalments_mnok: np.ndarray
    debt_closing_mnok: np.ndarray
    # fixed assets
    capitalised_mnok: np.ndarray
    depreciation_mnok: np.ndarray
    book_value_opening_mnok: np.ndarray
    book_value_closing_mnok: np.ndarray
    # start loans
    startlan_borrowing_mnok: np.ndarray
    startlan_instalments_mnok: np.ndarray
    startlan_received_instalments_mnok: np.ndarray
    startlan_interest_mnok: np.ndarray
    startlan_interest_income_mnok: np.ndarray
    startlan_debt_mnok: np.ndarray
    relending_receivables_mnok: np.ndarray
    net_debt_mnok: np.ndarray
    # operating statement
    revenue_mnok: np.ndarray
    demography_cost_mnok: np.ndarray
    facility_operating_cost_mnok: np.ndarray
    savings_mnok: np.ndarray
    efficiency_mnok: np.ndarray
    expenses_mnok: np.ndarray
    gross_operating_expenses_mnok: np.ndarray
    gross_operating_result_mnok: np.ndarray
    financial_income_mnok: np.ndarray
    financial_expenses_mnok: np.ndarray
    net_financial_expenses_mnok: np.ndarray
    ndr_mnok: np.ndarray
    # funds
    energy_fund_return_mnok: np.ndarray
    energy_fund_allocation_mnok: np.ndarray
    energy_fund_mnok: np.ndarray
    fund_return_mnok: np.ndarray
    fund_allocation_mnok: np.ndarray
    fund_use_mnok: np.ndarray
    fund_mnok: np.ndarray
    uncovered_deficit_mnok: np.ndarray


# --------------------------------------------------------------------------------------------- checks


def _vector(value: np.ndarray | float | None, n: int, name: str) -> np.ndarray:
    """``value`` as a float [n] array (None → zeros; a number is broadcast)."""
    if value is None:
        return np.zeros(n)
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name}: expected shape ({n},), got {arr.shape}")
    return arr


def _check(inputs: FinanceInputs) -> None:
    years = np.asarray(inputs.years)
    if years.ndim != 1 or len(years) == 0 or np.any(np.diff(years) != 1):
        raise ValueError("years must be a non-empty run of consecutive calendar years")
    n_years = len(years)
    pr = inputs.projects
    n_proj = np.asarray(pr.vat_share).shape[0] if np.ndim(pr.vat_share) else 0
    for name in ("gross_spend_mnok", "grants_mnok"):
        shape = np.shape(getattr(pr, name))
        if shape != (n_proj, n_years):
            raise ValueError(f"projects.{name}: expected shape ({n_proj}, {n_years}), got {shape}")
    for name in ("completion_year", "asset_life_years", "operating_cost_mnok"):
        if np.shape(getattr(pr, name)) != (n_proj,):
            raise ValueError(f"projects.{name}: expected shape ({n_proj},), got {np.shape(getattr(pr, name))}")
    if np.any(np.asarray(pr.asset_life_years) < 0):
        raise ValueError("projects.asset_life_years must be ≥ 0 (0 = land, not depreciated)")
    if np.any((np.asarray(pr.vat_share) < 0) | (np.asarray(pr.vat_share) > 1)):
        raise ValueError("projects.vat_share must be in [0, 1]")
    debt = inputs.debt
    if debt.instalment_method not in INSTALMENT_METHODS:
        raise ValueError(f"debt.instalment_method must be one of {INSTALMENT_METHODS}, got {debt.instalment_method!r}")
    if debt.on_zero_book_value not in ZERO_BOOK_VALUE_POLICIES:
        raise ValueError(
            f"debt.on_zero_book_value must be one of {ZERO_BOOK_VALUE_POLICIES}, got {debt.on_zero_book_value!r}"
        )
    if debt.land_loan_term_years < 1 or debt.opening_debt_remaining_life_years < 1:
        raise ValueError("debt: loan terms must be ≥ 1 year")
    sl = inputs.start_loans
    if sl.method not in ("serial", "annuity"):
        raise ValueError(f"start_loans.method must be 'serial' or 'annuity', got {sl.method!r}")
    if min(sl.husbanken_term_years, sl.borrower_term_years) < 1:
        raise ValueError("start_loans: terms must be ≥ 1 year")
    op = inputs.operating
    n_serv = np.shape(op.unit_cost_mnok)[0] if np.ndim(op.unit_cost_mnok) else 0
    if np.shape(op.users) != (n_serv, n_years):
        raise ValueError(f"operating.users: expected shape ({n_serv}, {n_years}), got {np.shape(op.users)}")


# --------------------------------------------------------------------------------------------- model


def _assets(
    cap: np.ndarray, in_service: np.ndarray, life: np.ndarray, n_years: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capitalised additions, depreciation and opening book value [Y] of new assets (depreciable only).

    ``cap`` [P, Y] is capitalised spend, ``in_service`` [P, Y] the year index it enters service (≥ Y: never
    inside the horizon), ``life`` [P] the asset life. An addition at the end of year ``y`` has book value
    ``A · (1 − (τ − y − 1)/L)`` on 1 January of ``τ > y`` and depreciates ``A/L`` in ``y+1 .. y+L``.
    """
    lives = np.unique(life[life > 0])
    if lives.size == 0:
        zero = np.zeros(n_years)
        return zero, zero.copy(), zero.copy()
    group = np.searchsorted(lives, life)
    keep = (life > 0)[:, None] & (in_service < n_years)
    flat = (group[:, None] * n_years + in_service)[keep]
    additions = np.bincount(flat, weights=cap[keep], minlength=lives.size * n_years).reshape(lives.size, n_years)
    lag = np.arange(n_years)[None, :] - np.arange(n_years)[:, None]  # [y, τ] = τ − y
    lg = lives[:, None, None].astype(np.float64)
    dep_mask = (lag[None] >= 1) & (lag[None] <= lg)
    dep = np.einsum("gy,gyt->t", additions / lg[:, 0], dep_mask)
    remaining = np.where(lag[None] >= 1, np.clip(1.0 - (lag[None] - 1) / lg, 0.0, 1.0), 0.0)
    book = np.einsum("gy,gyt->t", additions, remaining)
    return additions.sum(axis=0), dep, book


def _financing(
    gross: np.ndarray, vat: np.ndarray, grants: np.ndarray, fin: Financing, n_years: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capital income used, transfer from operations, borrowing and unused investment fund per year."""
    share = _vector(fin.own_financing_share, n_years, "financing.own_financing_share")
    amount = _vector(fin.own_financing_mnok, n_years, "financing.own_financing_mnok")
    capital = _vector(fin.capital_income_mnok, n_years, "financing.capital_income_mnok")
    net = gross - vat - grants
    transfer = np.zeros(n_years)
    borrowing = np.zeros(n_years)
    fund = np.zeros(n_years)
    carry = 0.0
    for t in range(n_years):
        avail = carry + capital[t] + max(-net[t], 0.0)
        need = max(net[t], 0.0)
        used = min(avail, need)
        need -= used
        carry = avail - used
        transfer[t] = min(need, share[t] * need + amount[t])
        borrowing[t] = need - transfer[t]
        fund[t] = carry
    return capital, transfer, borrowing, fund


def _relending(sl: StartLoans, n_years: int) -> dict[str, np.ndarray]:
    """Start-loan debt and receivables by cohort (opening stock + one cohort per year)."""
    new = _vector(sl.borrowing_mnok, n_years, "start_loans.borrowing_mnok")
    rate = _vector(sl.interest_rate, n_years, "start_loans.interest_rate")
    first = np.concatenate(([0], np.arange(1, n_years + 1)))
    term_d = np.concatenate(([sl.opening_debt_remaining_life_years], np.full(n_years, sl.husbanken_term_years)))
    term_r = np.concatenate(([sl.opening_receivables_remaining_life_years], np.full(n_years, sl.borrower_term_years)))
    debt = np.zeros(n_years + 1)
    recv = np.zeros(n_years + 1)
    debt[0] = sl.opening_debt_mnok
    recv[0] = sl.opening_receivables_mnok
    out = {k: np.zeros(n_years) for k in ("paid", "received", "interest", "interest_income", "debt", "recv")}
    for t in range(n_years):
        r_recv = rate[t] + sl.margin_rate
        received = recv * _instalment_factor(term_r - (t - first), r_recv, sl.method)
        paid = debt * _instalment_factor(term_d - (t - first), rate[t], sl.method)
        out["interest"][t] = rate[t] * debt.sum()
        out["interest_income"][t] = r_recv * recv.sum()
        shortfall = received.sum() - paid.sum()
        if sl.repay_as_received and shortfall > 0.0:
            rest = debt - paid
            paid = np.minimum(paid + shortfall * rest / max(rest.sum(), shortfall), debt)
        recv -= received
        debt -= paid
        recv[t + 1] += new[t]
        debt[t + 1] += new[t]
        out["paid"][t] = paid.sum()
        out["received"][t] = received.sum()
        out["debt"][t] = debt.sum()
        out["recv"][t] = recv.sum()
    return out


def simulate(inputs: FinanceInputs) -> FinanceResult:
    """Run the finance model for all years (formulas and conventions in the module docstring).

    Vectorised over projects and loan cohorts; one loop over years carries the debt cohorts (the
    § 14-18 minimum depends on the debt left by earlier years) and one the funds.
    """
    _check(inputs)
    years = np.asarray(inputs.years)
    n_years = len(years)
    y0 = int(years[0])
    pr, debt_in, op, funds = inputs.projects, inputs.debt, inputs.operating, inputs.funds

    # investment financing ------------------------------------------------------------------------
    spend = np.asarray(pr.gross_spend_mnok, dtype=np.float64)
    vat_pt = spend * np.asarray(pr.vat_share, dtype=np.float64)[:, None]
    gross = spend.sum(axis=0)
    vat = vat_pt.sum(axis=0)
    grants = np.asarray(pr.grants_mnok, dtype=np.float64).sum(axis=0)
    capital, transfer, borrowing, inv_fund = _financing(gross, vat, grants, inputs.financing, n_years)
    own = gross - vat - grants - borrowing

    # fixed assets ---------------------------------------------------------------------------------
    cap = spend - vat_pt
    life = np.asarray(pr.asset_life_years, dtype=np.int64)
    comp_idx = np.asarray(pr.completion_year, dtype=np.int64) - y0
    in_service = np.maximum(np.arange(n_years)[None, :], comp_idx[:, None])
    capitalised, dep_new, book_new = _assets(cap, in_service, life, n_years)
    ex_dep = np.clip(_vector(debt_in.existing_depreciation_mnok, n_years, "debt.existing_depreciation_mnok"), 0, None)
    ex_cum = np.minimum(np.cumsum(ex_dep), debt_in.existing_book_value_mnok)
    ex_dep = np.diff(ex_cum, prepend=0.0)
    book_open = debt_in.existing_book_value_mnok - (ex_cum - ex_dep) + book_new
    depreciation = ex_dep + dep_new
    book_close = book_open - depreciation + capitalised

    # loan cohorts: 0 = opening stock, 1 + g·Y + y = term group g, borrowed in year y ----------------
    term_p = np.where(life > 0, life, debt_in.land_loan_term_years)
    terms = np.unique(term_p) if term_p.size else np.array([debt_in.land_loan_term_years])
    n_groups = terms.size
    cap_by_group = np.zeros((n_groups, n_years))
    if term_p.size:
        np.add.at(cap_by_group, np.searchsorted(terms, term_p), cap)
    cap_total = cap_by_group.sum(axis=0)
    split = np.divide(cap_by_group, cap_total, out=np.zeros_like(cap_by_group), where=cap_total > 0)
    new_loans = split * borrowing  # [G, Y]
    term_c = np.concatenate(([debt_in.opening_debt_remaining_life_years], np.repeat(terms, n_years)))
    first_c = np.concatenate(([0], np.tile(np.arange(1, n_years + 1), n_groups)))
    new_slot = 1 + np.arange(n_groups) * n_years  # + y
    rate = _vector(debt_in.interest_rate, n_years, "debt.interest_rate")
    method = debt_in.instalment_method

    bal = np.zeros(1 + n_groups * n_years)
    bal[0] = debt_in.opening_debt_mnok
    debt_open = np.zeros(n_years)
    interest = np.zeros(n_years)
    planned_tot = np.zeros(n_years)
    minimum = np.zeros(n_years)
    no_minimum = np.zeros(n_years, dtype=bool)
    inst_tot = np.zeros(n_years)
    debt_close = np.zeros(n_years)
    for t in range(n_years):
        d_open = bal.sum()
        debt_open[t] = d_open
        interest[t] = rate[t] * d_open
        remaining = term_c - (t - first_c)
        if d_open <= 0.0:
            mini = 0.0
        elif book_open[t] > 0.0:
            # depreciation ≤ book value, so the minimum never exceeds the debt; the cap only guards
            # against float rounding when the book value is tiny.
            mini = min(d_open, d_open * (depreciation[t] / book_open[t]))
        elif debt_in.on_zero_book_value == "raise":
            raise ValueError(
                f"{years[t]}: § 14-18 minimum instalment: the book value of depreciable fixed assets is 0 while "
                f"debt is {d_open:.3f} mill; the formula does not apply and the minimum must not be taken as 0"
            )
        else:
            mini = math.nan  # not applicable: the loans' own schedule is charged and reported as the minimum
            no_minimum[t] = True
        if method == "minimum" and mini == mini:
            planned = np.zeros_like(bal)
        else:
            planned = bal * _instalment_factor(remaining, rate[t], "serial" if method == "minimum" else method)
        p_sum = planned.sum()
        inst = planned
        rest = bal - planned
        rest_sum = rest.sum()
        if mini == mini and mini > p_sum and rest_sum > 0.0:
            inst = np.minimum(planned + min(mini - p_sum, rest_sum) * rest / rest_sum, bal)
        bal -= inst
        bal[new_slot + t] += new_loans[:, t]
        planned_tot[t] = p_sum
        minimum[t] = mini if mini == mini else p_sum
        inst_tot[t] = inst.sum()
        debt_close[t] = bal.sum()

    # start loans and net debt -------------------------------------------------------------------------
    sl = _relending(inputs.start_loans, n_years)
    net_debt = (
        debt_close
        + sl["debt"]
        - sl["recv"]
        - _vector(debt_in.other_lending_mnok, n_years, "debt.other_lending_mnok")
        - _vector(debt_in.unused_borrowed_funds_mnok, n_years, "debt.unused_borrowed_funds_mnok")
    )

    # operating statement ------------------------------------------------------------------------------
    growth = np.cumprod(1.0 + _vector(op.revenue_real_growth_rate, n_years, "operating.revenue_real_growth_rate"))
    growth = growth / growth[0]
    revenue = op.revenue_base_mnok * growth * _vector(op.population_index, n_years, "operating.population_index")
    revenue = revenue + _vector(op.other_revenue_mnok, n_years, "operating.other_revenue_mnok")
    users = np.asarray(op.users, dtype=np.float64)
    demography = np.asarray(op.unit_cost_mnok, dtype=np.float64) @ (users - users[:, :1])
    in_use = np.where(
        years[None, :] > np.asarray(pr.completion_year)[:, None],
        1.0,
        np.where(years[None, :] == np.asarray(pr.completion_year)[:, None], op.first_year_operating_share, 0.0),
    )
    facility = np.asarray(pr.operating_cost_mnok, dtype=np.float64) @ in_use
    savings = _vector(op.savings_mnok, n_years, "operating.savings_mnok")
    efficiency = np.cumsum(_vector(op.efficiency_new_mnok, n_years, "operating.efficiency_new_mnok"))
    population = _vector(op.population_index, n_years, "operating.population_index")
    expenses = (
        op.expense_base_mnok * (1.0 + op.population_driven_share * (population - 1.0))
        + demography
        + facility
        + _vector(op.other_expenses_mnok, n_years, "operating.other_expenses_mnok")
        - savings
        - efficiency
    )
    gross_expenses = expenses + depreciation
    gross_result = revenue - gross_expenses

    # funds (the disposition fund's return depends on its opening value) -------------------------------
    e_rate = _vector(funds.energy_fund_real_return_rate, n_years, "funds.energy_fund_real_return_rate")
    e_factor = np.cumprod(1.0 + funds.energy_fund_retained_share * e_rate)
    energy_close = funds.energy_fund_opening_mnok * e_factor
    energy_open = np.concatenate(([funds.energy_fund_opening_mnok], energy_close[:-1]))
    energy_return = energy_open * e_rate
    energy_alloc = energy_close - energy_open
    fin_exp = interest + sl["interest"] + inst_tot
    fin_inc_ex_fund = (
        _vector(op.interest_income_mnok, n_years, "operating.interest_income_mnok")
        + sl["interest_income"]
        + energy_return
    )
    fund_return = np.zeros(n_years)
    alloc = np.zeros(n_years)
    use = np.zeros(n_years)
    fund = np.zeros(n_years)
    deficit = np.zeros(n_years)
    ndr = np.zeros(n_years)
    base_ndr = gross_result - fin_exp + fin_inc_ex_fund + depreciation
    f_open = funds.disposition_fund_opening_mnok
    for t in range(n_years):
        fund_return[t] = funds.disposition_fund_return_rate * f_open
        ndr[t] = base_ndr[t] + fund_return[t]
        free = ndr[t] - transfer[t] - energy_alloc[t]
        if free >= 0.0:
            alloc[t] = free
        else:
            use[t] = min(-free, f_open)
            deficit[t] = -free - use[t]
        f_open = f_open + alloc[t] - use[t]
        fund[t] = f_open
    fin_inc = fin_inc_ex_fund + fund_return

    return FinanceResult(
        years=years,
        gross_investment_mnok=gross,
        vat_compensation_mnok=vat,
        grants_mnok=grants,
        capital_income_mnok=capital,
        transfer_from_operations_mnok=transfer,
        own_financing_mnok=own,
        borrowing_mnok=borrowing,
        investment_fund_mnok=inv_fund,
        debt_opening_mnok=debt_open,
        interest_mnok=interest,
        planned_instalments_mnok=planned_tot,
        minimum_instalment_mnok=minimum,
        minimum_not_applicable=no_minimum,
        instalments_mnok=inst_tot,
        debt_closing_mnok=debt_close,
        capitalised_mnok=capitalised,
        depreciation_mnok=depreciation,
        book_value_opening_mnok=book_open,
        book_value_closing_mnok=book_close,
        startlan_borrowing_mnok=_vector(inputs.start_loans.borrowing_mnok, n_years, "start_loans.borrowing_mnok"),
        startlan_instalments_mnok=sl["paid"],
        startlan_received_instalments_mnok=sl["received"],
        startlan_interest_mnok=sl["interest"],
        startlan_interest_income_mnok=sl["interest_income"],
        startlan_debt_mnok=sl["debt"],
        relending_receivables_mnok=sl["recv"],
        net_debt_mnok=net_debt,
        revenue_mnok=revenue,
        demography_cost_mnok=demography,
        facility_operating_cost_mnok=facility,
        savings_mnok=savings,
        efficiency_mnok=efficiency,
        expenses_mnok=expenses,
        gross_operating_expenses_mnok=gross_expenses,
        gross_operating_result_mnok=gross_result,
        financial_income_mnok=fin_inc,
        financial_expenses_mnok=fin_exp,
        net_financial_expenses_mnok=fin_exp - fin_inc,
        ndr_mnok=ndr,
        energy_fund_return_mnok=energy_return,
        energy_fund_allocation_mnok=energy_alloc,
        energy_fund_mnok=energy_close,
        fund_return_mnok=fund_return,
        fund_allocation_mnok=alloc,
        fund_use_mnok=use,
        fund_mnok=fund,
        uncovered_deficit_mnok=deficit,
    )


def weighted_population_index(persons: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Revenue driver from persons per age group: ``Σ_g persons[t, g]·w_g ÷ Σ_g persons[0, g]·w_g`` [Y].

    ``persons`` is [Y, G]; ``weight`` [G] is income per inhabitant of each age group (any unit).

    >>> weighted_population_index(np.array([[10.0, 10.0], [10.0, 20.0]]), np.array([1.0, 2.0])).tolist()
    [1.0, 1.6666666666666667]
    """
    weighted = np.asarray(persons, dtype=np.float64) @ np.asarray(weight, dtype=np.float64)
    return weighted / weighted[0]


# --------------------------------------------------------------------------------------------- key figures


@dataclass(frozen=True, slots=True)
class FiscalRule:
    """A handlingsregel on one key figure, with red/yellow/green bands.

    ``higher_is_better``: red if ``value < red``, green if ``value > green``, yellow in between (both
    ends yellow: NDR 1.75 % and 3 % are yellow in Asker's rule ``< 1.75 | 1.75–3 | > 3``).
    ``lower_is_better``: red if ``value > red``, green if ``value < green``. With ``green_inclusive``
    the green threshold itself is green (a "≥ 50 %" target: ``red = green = 50``). A NaN value has
    status ``n/a``. Thresholds out of order raise ValueError.
    """

    kpi: str
    direction: str
    red: float
    green: float
    green_inclusive: bool = False

    def __post_init__(self) -> None:
        if self.kpi not in KPIS:
            raise ValueError(f"fiscal rule: unknown kpi {self.kpi!r}; expected one of {KPIS}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"fiscal rule {self.kpi}: direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if not (math.isfinite(self.red) and math.isfinite(self.green)):
            raise ValueError(f"fiscal rule {self.kpi}: thresholds must be finite numbers")
        if self.direction == "higher_is_better" and self.red > self.green:
            raise ValueError(
                f"fiscal rule {self.kpi} (higher_is_better): red threshold {self.red} must be ≤ green threshold "
                f"{self.green}"
            )
        if self.direction == "lower_is_better" and self.red < self.green:
            raise ValueError(
                f"fiscal rule {self.kpi} (lower_is_better): red threshold {self.red} must be ≥ green threshold "
                f"{self.green}"
            )

    def status(self, value: float) -> str:
        """``green``, ``yellow``, ``red`` or ``n/a`` (NaN value).

        >>> rule = FiscalRule("net_operating_result_pct", "higher_is_better", 1.75, 3.0)
        >>> [rule.status(v) for v in (1.74, 1.75, 3.0, 3.01, float("nan"))]
        ['red', 'yellow', 'yellow', 'green', 'n/a']
        """
        if value != value:
            return "n/a"
        if self.direction == "higher_is_better":
            if value < self.red:
                return "red"
            green = value >= self.green if self.green_inclusive else value > self.green
        else:
            if value > self.red:
                return "red"
            green = value <= self.green if self.green_inclusive else value < self.green
        return "green" if green else "yellow"


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One row of ``kpi.csv``."""

    year: int
    kpi: str
    value: float
    unit: str
    status: str


def key_figures(result: FinanceResult, include_energy_fund: bool = False) -> dict[str, np.ndarray]:
    """Key figures per year [percent]; NaN where the denominator is 0.

    - ``net_operating_result_pct`` = 100 · NDR ÷ brutto driftsinntekter;
    - ``debt_ratio_pct`` (gjeldsgrad) = 100 · netto lånegjeld (31 Dec) ÷ brutto driftsinntekter;
    - ``disposition_fund_pct`` = 100 · disposition fund (31 Dec, + energy fund if asked) ÷ brutto driftsinntekter;
    - ``own_financing_pct`` (egenfinansiering) = 100 · (gross investment − borrowing) ÷ gross investment,
      i.e. the share not financed by loans (VAT compensation and grants count as own financing; Asker:
      "about 60 % loan-financed" against a ≥ 50 % egenfinansiering target).
    """
    revenue = result.revenue_mnok
    fund = result.fund_mnok + (result.energy_fund_mnok if include_energy_fund else 0.0)

    def pct(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(100.0 * num, den, out=np.full(len(den), np.nan), where=den != 0)

    return {
        "net_operating_result_pct": pct(result.ndr_mnok, revenue),
        "debt_ratio_pct": pct(result.net_debt_mnok, revenue),
        "disposition_fund_pct": pct(fund, revenue),
        "own_financing_pct": pct(result.gross_investment_mnok - result.borrowing_mnok, result.gross_investment_mnok),
    }


def kpis(
    result: FinanceResult, rules: tuple[FiscalRule, ...] | list[FiscalRule], include_energy_fund: bool = False
) -> list[KpiRow]:
    """Every key figure in every year with its status under ``rules`` (``n/a`` where no rule or no value)."""
    by_kpi = {rule.kpi: rule for rule in rules}
    if len(by_kpi) != len(rules):
        raise ValueError("fiscal rules: at most one rule per kpi")
    rows = []
    for name, values in key_figures(result, include_energy_fund).items():
        rule = by_kpi.get(name)
        for year, value in zip(result.years, values, strict=True):
            status = rule.status(float(value)) if rule is not None else "n/a"
            rows.append(KpiRow(int(year), name, float(value), KPI_UNIT, status))
    return rows


# --------------------------------------------------------------------------------------------- prices


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
    base = 1.0 if base_year == years[0] - 1 else level[base_year - years[0]]
    return level / base


def to_nominal(values_mnok: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Fixed-price figures in current kroner: ``values × index`` along the last (year) axis."""
    return np.asarray(values_mnok, dtype=np.float64) * index


def table(result: FinanceResult, index: np.ndarray | None = None) -> Any:
    """``finance.csv`` as a long DataFrame (year, item, value) of every ``*_mnok`` field [NOK million].

    With ``index`` (see :func:`price_index`) the values are nominal, otherwise in fixed prices.
    """
    import pandas as pd

    names = [f.name for f in fields(FinanceResult) if f.name.endswith("_mnok")]
    values = np.stack([getattr(result, n) for n in names])
    if index is not None:
        values = to_nominal(values, index)
    n_years = len(result.years)
    return pd.DataFrame(
        {
            "year": np.tile(np.asarray(result.years, dtype=np.int64), len(names)),
            "item": np.repeat(names, n_years),
            "value": values.reshape(-1),
        }
    )
