"""Municipal finance: investment financing, loans by cohort, § 14-18 minimum, operating budget, funds, key figures.

Yearly, in fixed prices of one price year [NOK million, names end in ``_mnok``]; rates and shares are
fractions (``_rate``, ``_share``); ``Y`` model years, ``P`` projects, ``S`` services. Year ``t`` is the
calendar year ``years[t]``; stocks named ``*_opening_*`` are at 1 January, all other stocks at 31 December.

:func:`simulate` runs the parts in this order, each a pure function of the inputs and the parts before it::

    investment financing   gross spend → VAT compensation, grants, own financing, borrowing
    fixed assets           spend net of VAT → capitalised, depreciation, book value
    investment debt        borrowing by loan-term cohort → interest, instalments ≥ § 14-18 minimum
    start loans, net debt  Husbanken relending → debt, receivables, unlent funds; KOSTRA netto lånegjeld
    operating statement    revenue, costs, depreciation → brutto driftsresultat
    NDR and funds          finance items → netto driftsresultat → energy fund, disposition fund

Modules, one job each (the formulas, conventions and their sources are in each module's docstring):

- ``inputs``: ``Projects``, ``Financing``, ``Debt``, ``StartLoans``, ``Operating``, ``Funds``,
  ``FinanceInputs`` and their checks;
- ``investment``: VAT compensation, grants (``husbanken_grant``), own financing and borrowing;
- ``assets``: capitalisation, straight-line depreciation, book value (forskrift 7.6.2019 nr. 714);
- ``loans``: serial/annuity schedules, interest in the draw year, the kommuneloven § 14-18 minimum,
  loan cohorts;
- ``startloans``: start loans in full (debt, receivables, unlent funds, losses, early repayments), net debt;
- ``operating``: revenue, demography-driven and facility costs, netto driftsresultat, the funds;
- ``prices``: the municipal deflator, price index, nominal values;
- ``kpi``: key figures and ``FiscalRule`` (the one place a red/yellow/green status is computed);
- ``result``: ``FinanceResult`` and ``finance.csv`` (``table``).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from ltsim.models.finance.assets import capitalised_spend_mnok, fixed_assets, straight_line_depreciation
from ltsim.models.finance.inputs import (
    INSTALMENT_METHODS,
    ZERO_BOOK_VALUE_POLICIES,
    Debt,
    FinanceInputs,
    Financing,
    Funds,
    Operating,
    Projects,
    StartLoans,
    check_inputs,
)
from ltsim.models.finance.investment import finance_investments, husbanken_grant
from ltsim.models.finance.kpi import DIRECTIONS, KPI_UNIT, KPIS, FiscalRule, KpiRow, key_figures, kpis
from ltsim.models.finance.loans import (
    LoanSchedule,
    annuity_payment,
    draw_year_interest_mnok,
    investment_debt,
    loan_schedule,
    minimum_instalment,
)
from ltsim.models.finance.operating import net_operating_result, operating_statement, weighted_population_index
from ltsim.models.finance.prices import DEFLATOR_WAGE_SHARE, municipal_deflator_rate, price_index, to_nominal
from ltsim.models.finance.result import FinanceResult, table
from ltsim.models.finance.startloans import net_debt_mnok, relending


def simulate(inputs: FinanceInputs) -> FinanceResult:
    """Run the finance model for all years: the parts in the order of the package docstring.

    Vectorised over projects and loan cohorts; one loop over years carries the debt cohorts (the
    § 14-18 minimum depends on the debt left by earlier years) and one the funds.
    """
    check_inputs(inputs)
    years = np.asarray(inputs.years)
    n_years = len(years)
    projects, debt = inputs.projects, inputs.debt

    investment = finance_investments(projects, inputs.financing, n_years)
    capitalised_by_project = capitalised_spend_mnok(projects)
    assets = fixed_assets(
        capitalised_by_project,
        projects.completion_year,
        projects.asset_life_years,
        years,
        debt.existing_book_value_mnok,
        debt.existing_depreciation_mnok,
    )
    loans = investment_debt(
        debt,
        investment.borrowing_mnok,
        capitalised_by_project,
        projects.asset_life_years,
        assets.book_value_opening_mnok,
        assets.depreciation_mnok,
        years,
    )
    start_loans = relending(inputs.start_loans, n_years)
    net_debt = net_debt_mnok(loans.debt_closing_mnok, start_loans, debt)
    statement = operating_statement(inputs.operating, projects, years, assets.depreciation_mnok)
    result = net_operating_result(
        inputs.funds,
        gross_operating_result_mnok=statement.gross_operating_result_mnok,
        depreciation_mnok=assets.depreciation_mnok,
        interest_mnok=loans.interest_mnok,
        startlan_interest_mnok=start_loans.startlan_interest_mnok,
        instalments_mnok=loans.instalments_mnok,
        interest_income_mnok=inputs.operating.interest_income_mnok,
        startlan_interest_income_mnok=start_loans.startlan_interest_income_mnok,
        startlan_losses_mnok=start_loans.startlan_losses_mnok,
        transfer_from_operations_mnok=investment.transfer_from_operations_mnok,
    )
    return FinanceResult(
        years=years,
        **_fields(investment),
        **_fields(loans),
        **_fields(assets),
        **_fields(start_loans),
        net_debt_mnok=net_debt,
        **_fields(statement),
        **_fields(result),
    )


def _fields(part: Any) -> dict[str, np.ndarray]:
    """A part's arrays by name (the names are :class:`FinanceResult`'s; no copies)."""
    return {field.name: getattr(part, field.name) for field in fields(part)}


__all__ = [
    "DEFLATOR_WAGE_SHARE",
    "DIRECTIONS",
    "INSTALMENT_METHODS",
    "KPIS",
    "KPI_UNIT",
    "ZERO_BOOK_VALUE_POLICIES",
    "Debt",
    "FinanceInputs",
    "FinanceResult",
    "Financing",
    "FiscalRule",
    "Funds",
    "KpiRow",
    "LoanSchedule",
    "Operating",
    "Projects",
    "StartLoans",
    "annuity_payment",
    "draw_year_interest_mnok",
    "husbanken_grant",
    "key_figures",
    "kpis",
    "loan_schedule",
    "minimum_instalment",
    "municipal_deflator_rate",
    "price_index",
    "simulate",
    "straight_line_depreciation",
    "table",
    "to_nominal",
    "weighted_population_index",
]
