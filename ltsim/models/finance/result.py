"""The finance model's result, one record of yearly arrays, and ``finance.csv`` (:func:`table`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ltsim.models.finance.prices import to_nominal


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
    construction_in_progress_mnok: np.ndarray
    depreciation_mnok: np.ndarray
    book_value_opening_mnok: np.ndarray
    book_value_closing_mnok: np.ndarray
    # start loans
    startlan_borrowing_mnok: np.ndarray
    startlan_lending_mnok: np.ndarray
    startlan_instalments_mnok: np.ndarray
    startlan_received_instalments_mnok: np.ndarray  # scheduled + early
    startlan_early_repayments_mnok: np.ndarray
    startlan_losses_mnok: np.ndarray
    startlan_interest_mnok: np.ndarray
    startlan_interest_income_mnok: np.ndarray
    startlan_debt_mnok: np.ndarray
    relending_receivables_mnok: np.ndarray
    startlan_unlent_mnok: np.ndarray
    net_debt_mnok: np.ndarray
    # operating statement
    revenue_mnok: np.ndarray
    demography_cost_mnok: np.ndarray
    facility_operating_cost_mnok: np.ndarray
    facility_operating_offset_mnok: np.ndarray  # signed: −costs the per-user unit costs already count
    savings_mnok: np.ndarray
    efficiency_mnok: np.ndarray
    expenses_mnok: np.ndarray
    gross_operating_expenses_mnok: np.ndarray
    gross_operating_result_mnok: np.ndarray
    interest_expenses_mnok: np.ndarray  # renteutgifter as budgeted: investment debt + start loans
    interest_revenue_mnok: np.ndarray  # renteinntekter: other interest income + start-loan interest received
    own_interest_expenses_mnok: np.ndarray  # the municipality's own share: renteutgifter − start-loan interest received
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


def table(result: FinanceResult, index: np.ndarray | None = None) -> Any:
    """``finance.csv`` as a long DataFrame (year, item, value) of every ``*_mnok`` field [NOK million].

    With ``index`` (see :func:`price_index`) the values are nominal, otherwise in fixed prices.
    """
    import pandas as pd

    names = [f.name for f in fields(FinanceResult) if f.name.endswith("_mnok")]
    values = np.stack([getattr(result, name) for name in names])
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
