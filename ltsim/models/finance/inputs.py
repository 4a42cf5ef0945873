"""The finance model's inputs: projects, own financing, debt, start loans, operating drivers, funds.

Every field is data: arrays over the ``Y`` model years, ``P`` projects or ``S`` services, in fixed prices
[NOK million, ``_mnok``]; rates and shares are fractions (``_rate``, ``_share``). :func:`check_inputs`
checks shapes and choices once, before :func:`ltsim.models.finance.simulate` runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INSTALMENT_METHODS: tuple[str, ...] = ("serial", "annuity", "minimum")
ZERO_BOOK_VALUE_POLICIES: tuple[str, ...] = ("planned", "raise")


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
    operating_offset_mnok : [P] yearly offset once in service, signed (None: none), e.g. −the staffing that
        the per-user unit costs already count; it follows the completion year like the cost.
    """

    gross_spend_mnok: np.ndarray
    vat_share: np.ndarray
    grants_mnok: np.ndarray
    completion_year: np.ndarray
    asset_life_years: np.ndarray
    operating_cost_mnok: np.ndarray
    operating_offset_mnok: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Financing:
    """Own financing of investments per year [Y] (the order of use: :mod:`.investment`).

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
    on_zero_book_value : ``planned`` or ``raise`` (the § 14-18 minimum in :mod:`.loans`).
    other_lending_mnok : [Y] other lending on 31 December (utlån av egne midler), deducted in net debt.
    unused_borrowed_funds_mnok : [Y] unused borrowed funds on 31 December, deducted in net debt.
    drawdown_share : [Y] or a number: share of the draw year a new loan is outstanding (1 = drawn 1 January,
        0.5 = 1 July, 0 = 31 December; :func:`ltsim.models.finance.loans.draw_year_interest_mnok`).
    instalments_in_draw_year : the first instalment of a new loan falls in its draw year (default: the year
        after).
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
    drawdown_share: np.ndarray | float = 0.5
    instalments_in_draw_year: bool = False


@dataclass(frozen=True, slots=True)
class StartLoans:
    """Housing start loans (startlån) from Husbanken, relent to households (:mod:`.startloans`).

    Attributes
    ----------
    borrowing_mnok : [Y] new loans from Husbanken.
    lending_mnok : [Y] new loans to households (None: all of the year's borrowing, lent the same year).
    interest_rate : [Y] Husbanken's rate on the municipality's relending debt.
    husbanken_term_years : term of each year's loan from Husbanken.
    borrower_term_years : term of each year's loans to households.
    opening_debt_mnok, opening_debt_remaining_life_years : relending debt on 1 January, remaining term.
    opening_receivables_mnok, opening_receivables_remaining_life_years : receivables, remaining term.
    opening_unlent_mnok : borrowed from Husbanken and not yet lent on, 1 January of the first year.
    early_repayment_rate : [Y] or a number: share of the receivables left after the scheduled instalment
        that borrowers repay early (innfrielse) in the year.
    loss_rate : [Y] or a number: share of the receivables left after the scheduled instalment written off.
    margin_rate : borrowers pay ``interest_rate + margin_rate``.
    method : ``serial`` or ``annuity`` for both sides.
    repay_as_received : the municipality's instalment is at least what borrowers repaid that year.
    drawdown_share : [Y] or a number: share of the draw year a new loan (from Husbanken and to borrowers)
        is outstanding, as :attr:`Debt.drawdown_share`.
    instalments_in_draw_year : first instalments (paid and received) in the draw year (default: the year after).
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
    drawdown_share: np.ndarray | float = 0.5
    instalments_in_draw_year: bool = False
    lending_mnok: np.ndarray | None = None
    opening_unlent_mnok: float = 0.0
    early_repayment_rate: np.ndarray | float = 0.0
    loss_rate: np.ndarray | float = 0.0


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
    """Everything :func:`ltsim.models.finance.simulate` needs; ``years`` [Y] are consecutive calendar years."""

    years: np.ndarray
    projects: Projects
    financing: Financing
    debt: Debt
    start_loans: StartLoans
    operating: Operating
    funds: Funds


def year_vector(value: np.ndarray | float | None, n_years: int, name: str) -> np.ndarray:
    """``value`` as a float [n_years] array (None → zeros; a number is broadcast); ``name`` is for the error."""
    if value is None:
        return np.zeros(n_years)
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n_years, float(arr))
    if arr.shape != (n_years,):
        raise ValueError(f"{name}: expected shape ({n_years},), got {arr.shape}")
    return arr


def check_inputs(inputs: FinanceInputs) -> None:
    """Raise ValueError naming the field if the years, array shapes, methods or loan terms are invalid."""
    years = np.asarray(inputs.years)
    if years.ndim != 1 or len(years) == 0 or np.any(np.diff(years) != 1):
        raise ValueError("years must be a non-empty run of consecutive calendar years")
    n_years = len(years)
    projects = inputs.projects
    n_projects = np.asarray(projects.vat_share).shape[0] if np.ndim(projects.vat_share) else 0
    for name in ("gross_spend_mnok", "grants_mnok"):
        shape = np.shape(getattr(projects, name))
        if shape != (n_projects, n_years):
            raise ValueError(f"projects.{name}: expected shape ({n_projects}, {n_years}), got {shape}")
    for name in ("completion_year", "asset_life_years", "operating_cost_mnok"):
        if np.shape(getattr(projects, name)) != (n_projects,):
            raise ValueError(
                f"projects.{name}: expected shape ({n_projects},), got {np.shape(getattr(projects, name))}"
            )
    if projects.operating_offset_mnok is not None and np.shape(projects.operating_offset_mnok) != (n_projects,):
        raise ValueError(
            f"projects.operating_offset_mnok: expected shape ({n_projects},), got {np.shape(projects.operating_offset_mnok)}"
        )
    if np.any(np.asarray(projects.asset_life_years) < 0):
        raise ValueError("projects.asset_life_years must be ≥ 0 (0 = land, not depreciated)")
    if np.any((np.asarray(projects.vat_share) < 0) | (np.asarray(projects.vat_share) > 1)):
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
    for name, value in (("debt", debt.drawdown_share), ("start_loans", inputs.start_loans.drawdown_share)):
        share = year_vector(value, n_years, f"{name}.drawdown_share")
        if not np.all((share >= 0.0) & (share <= 1.0)):
            raise ValueError(f"{name}.drawdown_share must be in [0, 1] (the share of the draw year outstanding)")
    start_loans = inputs.start_loans
    if start_loans.method not in ("serial", "annuity"):
        raise ValueError(f"start_loans.method must be 'serial' or 'annuity', got {start_loans.method!r}")
    if min(start_loans.husbanken_term_years, start_loans.borrower_term_years) < 1:
        raise ValueError("start_loans: terms must be ≥ 1 year")
    early = year_vector(start_loans.early_repayment_rate, n_years, "start_loans.early_repayment_rate")
    loss = year_vector(start_loans.loss_rate, n_years, "start_loans.loss_rate")
    if np.any(early < 0) or np.any(loss < 0) or np.any(early + loss > 1.0 + 1e-12):
        raise ValueError("start_loans: early_repayment_rate and loss_rate must be ≥ 0 with a sum ≤ 1 each year")
    operating = inputs.operating
    n_services = np.shape(operating.unit_cost_mnok)[0] if np.ndim(operating.unit_cost_mnok) else 0
    if np.shape(operating.users) != (n_services, n_years):
        raise ValueError(f"operating.users: expected shape ({n_services}, {n_years}), got {np.shape(operating.users)}")
