"""Operating statement and funds: revenue, costs, netto driftsresultat, disposition and energy fund.

Operating statement (økonomisk oversikt drift, budsjett- og regnskapsforskriften 2019; Prop. 88 S
(2017–2018) ch. 3.1: the net operating result includes finance income and finance costs incl. instalments)::

    revenue            = base · Π_{j=1..t}(1 + g_j) · population_index_t + other revenue
    expenses           = base · (1 + k · (population_index_t − 1)) + Σ_s unit_cost_s · (users_{s,t} − users_{s,0})
                         + facility operating cost + facility offset + other expenses − savings
                         − Σ_{j≤t} efficiency_new_j
                         (excl. depreciation; k = population_driven_share, the part of the base that follows
                         the population outside the services costed per user)
    gross operating expenses = expenses + depreciation
    brutto driftsresultat    = revenue − gross operating expenses
    netto finansutgifter     = interest (investment + startlån) + instalments + startlån losses
                               − interest income − startlån interest received − fund returns

The interest lines as a budget shows them: renteutgifter = interest on the investment debt + start-loan
interest paid to Husbanken; renteinntekter = other interest income + start-loan interest received from
borrowers; the municipality's own share = renteutgifter − start-loan interest received (the start loans
are user-financed: only their net margin, if any, is the municipality's).
    netto driftsresultat     = brutto driftsresultat − netto finansutgifter + depreciation (motpost)

Asker budget 2024 (facts.yaml, NOK thousand): brutto driftsresultat 9,653,092 − 9,433,629 = 219,463;
netto driftsresultat 74,469, i.e. 0.77 % of driftsinntekter.

Funds: the energy fund earns ``real_return_rate`` on its opening value (financial income, in the NDR) and
keeps ``retained_share`` of it (Asker: 1.6 bn, 3 % expected real return). The disposition fund receives
all that is left: ``fund_t = fund_{t−1} + allocation − use`` with ``allocation − use = NDR − transfer to
investment − energy fund allocation``; a deficit larger than the fund is reported as
``uncovered_deficit_mnok`` and the fund stays ≥ 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltsim.models.finance.inputs import Funds, Operating, Projects, year_vector


def weighted_population_index(persons: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Revenue driver from persons per age group: ``Σ_g persons[t, g]·w_g ÷ Σ_g persons[0, g]·w_g`` [Y].

    ``persons`` is [Y, G]; ``weight`` [G] is income per inhabitant of each age group (any unit).

    >>> weighted_population_index(np.array([[10.0, 10.0], [10.0, 20.0]]), np.array([1.0, 2.0])).tolist()
    [1.0, 1.6666666666666667]
    """
    weighted = np.asarray(persons, dtype=np.float64) @ np.asarray(weight, dtype=np.float64)
    return weighted / weighted[0]


@dataclass(frozen=True, slots=True)
class OperatingStatement:
    """Revenue, expenses and brutto driftsresultat per year [Y] (before finance items)."""

    revenue_mnok: np.ndarray
    demography_cost_mnok: np.ndarray
    facility_operating_cost_mnok: np.ndarray
    facility_operating_offset_mnok: np.ndarray
    savings_mnok: np.ndarray
    efficiency_mnok: np.ndarray
    expenses_mnok: np.ndarray
    gross_operating_expenses_mnok: np.ndarray
    gross_operating_result_mnok: np.ndarray


def operating_statement(
    operating: Operating, projects: Projects, years: np.ndarray, depreciation_mnok: np.ndarray
) -> OperatingStatement:
    """Revenue, demography-driven and facility costs, brutto driftsresultat (formulas in the module docstring).

    A project's ``operating_cost_mnok`` and ``operating_offset_mnok`` count from its completion year
    (``first_year_operating_share`` of them in that year), so both move when the project moves.
    """
    n_years = len(years)
    growth = np.cumprod(
        1.0 + year_vector(operating.revenue_real_growth_rate, n_years, "operating.revenue_real_growth_rate")
    )
    growth = growth / growth[0]
    population = year_vector(operating.population_index, n_years, "operating.population_index")
    revenue = operating.revenue_base_mnok * growth * population
    revenue = revenue + year_vector(operating.other_revenue_mnok, n_years, "operating.other_revenue_mnok")
    users = np.asarray(operating.users, dtype=np.float64)
    demography = np.asarray(operating.unit_cost_mnok, dtype=np.float64) @ (users - users[:, :1])
    completion_year = np.asarray(projects.completion_year)[:, None]
    in_use_share = np.where(
        years[None, :] > completion_year,
        1.0,
        np.where(years[None, :] == completion_year, operating.first_year_operating_share, 0.0),
    )
    facility = np.asarray(projects.operating_cost_mnok, dtype=np.float64) @ in_use_share
    offset = (
        np.zeros(n_years)
        if projects.operating_offset_mnok is None
        else np.asarray(projects.operating_offset_mnok, dtype=np.float64) @ in_use_share
    )
    savings = year_vector(operating.savings_mnok, n_years, "operating.savings_mnok")
    efficiency = np.cumsum(year_vector(operating.efficiency_new_mnok, n_years, "operating.efficiency_new_mnok"))
    expenses = (
        operating.expense_base_mnok * (1.0 + operating.population_driven_share * (population - 1.0))
        + demography
        + facility
        + offset
        + year_vector(operating.other_expenses_mnok, n_years, "operating.other_expenses_mnok")
        - savings
        - efficiency
    )
    gross_expenses = expenses + depreciation_mnok
    return OperatingStatement(
        revenue_mnok=revenue,
        demography_cost_mnok=demography,
        facility_operating_cost_mnok=facility,
        facility_operating_offset_mnok=offset,
        savings_mnok=savings,
        efficiency_mnok=efficiency,
        expenses_mnok=expenses,
        gross_operating_expenses_mnok=gross_expenses,
        gross_operating_result_mnok=revenue - gross_expenses,
    )


@dataclass(frozen=True, slots=True)
class NetOperatingResult:
    """Finance items, netto driftsresultat and the funds per year [Y] (funds on 31 December)."""

    interest_expenses_mnok: np.ndarray
    interest_revenue_mnok: np.ndarray
    own_interest_expenses_mnok: np.ndarray
    financial_income_mnok: np.ndarray
    financial_expenses_mnok: np.ndarray
    net_financial_expenses_mnok: np.ndarray
    ndr_mnok: np.ndarray
    energy_fund_return_mnok: np.ndarray
    energy_fund_allocation_mnok: np.ndarray
    energy_fund_mnok: np.ndarray
    fund_return_mnok: np.ndarray
    fund_allocation_mnok: np.ndarray
    fund_use_mnok: np.ndarray
    fund_mnok: np.ndarray
    uncovered_deficit_mnok: np.ndarray


def net_operating_result(
    funds: Funds,
    *,
    gross_operating_result_mnok: np.ndarray,
    depreciation_mnok: np.ndarray,
    interest_mnok: np.ndarray,
    startlan_interest_mnok: np.ndarray,
    instalments_mnok: np.ndarray,
    interest_income_mnok: np.ndarray | None,
    startlan_interest_income_mnok: np.ndarray,
    transfer_from_operations_mnok: np.ndarray,
    startlan_losses_mnok: np.ndarray | None = None,
) -> NetOperatingResult:
    """Netto driftsresultat and its disposition to the energy and disposition funds (module docstring).

    ``interest_income_mnok`` is :attr:`Operating.interest_income_mnok`; the disposition fund's return
    depends on its opening value, so one loop over years carries the fund.
    """
    n_years = len(gross_operating_result_mnok)
    energy_rate = year_vector(funds.energy_fund_real_return_rate, n_years, "funds.energy_fund_real_return_rate")
    energy_growth = np.cumprod(1.0 + funds.energy_fund_retained_share * energy_rate)
    energy_closing = funds.energy_fund_opening_mnok * energy_growth
    energy_opening = np.concatenate(([funds.energy_fund_opening_mnok], energy_closing[:-1]))
    energy_return = energy_opening * energy_rate
    energy_allocation = energy_closing - energy_opening
    losses = year_vector(startlan_losses_mnok, n_years, "startlan_losses_mnok")
    financial_expenses = interest_mnok + startlan_interest_mnok + instalments_mnok + losses
    other_interest_income = year_vector(interest_income_mnok, n_years, "operating.interest_income_mnok")
    financial_income_excl_fund = other_interest_income + startlan_interest_income_mnok + energy_return
    fund_return = np.zeros(n_years)
    allocation = np.zeros(n_years)
    use = np.zeros(n_years)
    fund = np.zeros(n_years)
    deficit = np.zeros(n_years)
    ndr = np.zeros(n_years)
    ndr_excl_fund_return = (
        gross_operating_result_mnok - financial_expenses + financial_income_excl_fund + depreciation_mnok
    )
    fund_opening_mnok = funds.disposition_fund_opening_mnok
    for t in range(n_years):
        fund_return[t] = funds.disposition_fund_return_rate * fund_opening_mnok
        ndr[t] = ndr_excl_fund_return[t] + fund_return[t]
        free_mnok = ndr[t] - transfer_from_operations_mnok[t] - energy_allocation[t]
        if free_mnok >= 0.0:
            allocation[t] = free_mnok
        else:
            use[t] = min(-free_mnok, fund_opening_mnok)
            deficit[t] = -free_mnok - use[t]
        fund_opening_mnok = fund_opening_mnok + allocation[t] - use[t]  # 31 December = next 1 January
        fund[t] = fund_opening_mnok
    financial_income = financial_income_excl_fund + fund_return
    return NetOperatingResult(
        interest_expenses_mnok=interest_mnok + startlan_interest_mnok,
        interest_revenue_mnok=other_interest_income + startlan_interest_income_mnok,
        own_interest_expenses_mnok=interest_mnok + startlan_interest_mnok - startlan_interest_income_mnok,
        financial_income_mnok=financial_income,
        financial_expenses_mnok=financial_expenses,
        net_financial_expenses_mnok=financial_expenses - financial_income,
        ndr_mnok=ndr,
        energy_fund_return_mnok=energy_return,
        energy_fund_allocation_mnok=energy_allocation,
        energy_fund_mnok=energy_closing,
        fund_return_mnok=fund_return,
        fund_allocation_mnok=allocation,
        fund_use_mnok=use,
        fund_mnok=fund,
        uncovered_deficit_mnok=deficit,
    )
