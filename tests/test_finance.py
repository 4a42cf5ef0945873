"""Finance model: hand-checked loans, § 14-18, financing, operating budget, funds, fiscal rules, prices; invariants.

Every expected number is a hand calculation (in the docstring), a published figure (source named) or an
invariant checked under hypothesis.
"""

from __future__ import annotations

import doctest
import importlib
import math
import pkgutil
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltsim.models import finance
from ltsim.models.finance import (
    Debt,
    FinanceInputs,
    Financing,
    FiscalRule,
    Funds,
    Operating,
    Projects,
    StartLoans,
    annuity_payment,
    husbanken_grant,
    key_figures,
    kpis,
    loan_schedule,
    minimum_instalment,
    municipal_deflator_rate,
    price_index,
    simulate,
    table,
    to_nominal,
)

ASKER_FISCAL_RULES: tuple[FiscalRule, ...] = (
    FiscalRule("net_operating_result_pct", "higher_is_better", red=1.75, green=3.0),
    FiscalRule("debt_ratio_pct", "lower_is_better", red=100.0, green=80.0),
    FiscalRule("disposition_fund_pct", "higher_is_better", red=5.0, green=10.0),
    FiscalRule("own_financing_pct", "higher_is_better", red=50.0, green=50.0, green_inclusive=True),
)
"""Asker's handlingsregler (facts.yaml: handlingsregel_netto_driftsresultat, _gjeldsgrad, _disposisjonsfond,
egenfinansiering_target ≥ 50 %), all in percent of brutto driftsinntekter or of investments."""

Y0 = 2024


def make(
    n_years: int = 4,
    *,
    projects: dict[str, Any] | None = None,
    financing: dict[str, Any] | None = None,
    debt: dict[str, Any] | None = None,
    start_loans: dict[str, Any] | None = None,
    operating: dict[str, Any] | None = None,
    funds: dict[str, Any] | None = None,
) -> FinanceInputs:
    """Inputs with nothing going on (no projects, debt, start loans, revenue or expenses) unless given."""
    z = np.zeros(n_years)
    pr = {
        "gross_spend_mnok": np.zeros((0, n_years)),
        "vat_share": np.zeros(0),
        "grants_mnok": np.zeros((0, n_years)),
        "completion_year": np.zeros(0, dtype=int),
        "asset_life_years": np.zeros(0, dtype=int),
        "operating_cost_mnok": np.zeros(0),
    }
    pr.update(projects or {})
    fi = {"own_financing_share": z, "own_financing_mnok": z, "capital_income_mnok": z}
    fi.update(financing or {})
    de = {
        "interest_rate": z,
        "instalment_method": "serial",
        "opening_debt_mnok": 0.0,
        "opening_debt_remaining_life_years": 1,
        "existing_book_value_mnok": 0.0,
        "existing_depreciation_mnok": z,
    }
    de.update(debt or {})
    sl = {"borrowing_mnok": z, "interest_rate": z, "husbanken_term_years": 1, "borrower_term_years": 1}
    sl.update(start_loans or {})
    op = {
        "revenue_base_mnok": 0.0,
        "revenue_real_growth_rate": z,
        "population_index": np.ones(n_years),
        "expense_base_mnok": 0.0,
        "users": np.zeros((0, n_years)),
        "unit_cost_mnok": np.zeros(0),
        "savings_mnok": z,
        "efficiency_new_mnok": z,
        "interest_income_mnok": z,
    }
    op.update(operating or {})
    fu = {"disposition_fund_opening_mnok": 0.0}
    fu.update(funds or {})
    return FinanceInputs(
        years=np.arange(Y0, Y0 + n_years),
        projects=Projects(**pr),
        financing=Financing(**fi),
        debt=Debt(**de),
        start_loans=StartLoans(**sl),
        operating=Operating(**op),
        funds=Funds(**fu),
    )


def one_project(n_years: int, spend: list[float], completion: int, life: int, vat: float = 0.0, **extra: Any):
    """Projects dict for a single project."""
    d = {
        "gross_spend_mnok": np.array([spend], dtype=float),
        "vat_share": np.array([vat]),
        "grants_mnok": np.array([extra.pop("grants", [0.0] * n_years)], dtype=float),
        "completion_year": np.array([completion]),
        "asset_life_years": np.array([life]),
        "operating_cost_mnok": np.array([extra.pop("opex", 0.0)]),
    }
    assert not extra
    return d


def test_module_doctests():
    """Doctests in the finance package (edge cases: 0 % rate, 1-year life, Molde, deflator) run with the suite."""
    results = [
        doctest.testmod(
            importlib.import_module(f"ltsim.models.finance.{info.name}"), optionflags=doctest.NORMALIZE_WHITESPACE
        )
        for info in pkgutil.iter_modules(finance.__path__)
    ]
    assert sum(r.failed for r in results) == 0 and sum(r.attempted for r in results) > 10


# ------------------------------------------------------------------------------------------- one loan


def test_serial_loan_100_over_4_years_at_5_percent():
    """Serial: 100 / 4 = 25 a year; interest on the opening balance 0.05 × (100, 75, 50, 25) = 5, 3.75, 2.5, 1.25.

    The opening stock (100, 4 years left) is backed by assets of book value 100 depreciating 25 a year:
    minimum = D × 25 / BV = 25 every year (100·25/100, 75·25/75, …), so it never binds.
    """
    inp = make(
        debt={
            "interest_rate": np.full(4, 0.05),
            "opening_debt_mnok": 100.0,
            "opening_debt_remaining_life_years": 4,
            "existing_book_value_mnok": 100.0,
            "existing_depreciation_mnok": np.full(4, 25.0),
        }
    )
    r = simulate(inp)
    np.testing.assert_allclose(r.instalments_mnok, [25, 25, 25, 25], atol=1e-12)
    np.testing.assert_allclose(r.interest_mnok, [5, 3.75, 2.5, 1.25], atol=1e-12)
    np.testing.assert_allclose(r.debt_closing_mnok, [75, 50, 25, 0], atol=1e-12)
    np.testing.assert_allclose(r.minimum_instalment_mnok, [25, 25, 25, 25], atol=1e-12)
    np.testing.assert_allclose(r.planned_instalments_mnok, r.instalments_mnok)


def test_annuity_loan_100_over_4_years_at_5_percent():
    """Annuity: payment 100 · 0.05 / (1 − 1.05⁻⁴) = 28.201183; year 1 interest 5, instalment 23.201183.

    Book value large with no depreciation: minimum = D · 0 / BV = 0, never binding.
    """
    inp = make(
        debt={
            "interest_rate": np.full(4, 0.05),
            "instalment_method": "annuity",
            "opening_debt_mnok": 100.0,
            "opening_debt_remaining_life_years": 4,
            "existing_book_value_mnok": 1000.0,
        }
    )
    r = simulate(inp)
    payment = r.instalments_mnok + r.interest_mnok
    np.testing.assert_allclose(payment, 28.201183, atol=1e-6)
    assert r.interest_mnok[0] == pytest.approx(5.0)
    assert r.instalments_mnok[0] == pytest.approx(23.201183, abs=1e-6)
    assert r.debt_closing_mnok[-1] == pytest.approx(0.0, abs=1e-9)
    assert annuity_payment(100.0, 0.05, 4) == pytest.approx(28.2011833, abs=1e-7)  # 5 / (1 − 1/1.21550625)


@pytest.mark.parametrize("method", ["serial", "annuity"])
def test_zero_rate_and_one_year_life(method):
    """At 0 % both methods repay 100/4 = 25 a year with no interest; a 1-year loan is repaid at once (100)."""
    s = loan_schedule(100.0, 0.0, 4, method)
    np.testing.assert_allclose(s.instalments_mnok, [25, 25, 25, 25])
    np.testing.assert_allclose(s.interest_mnok, 0.0)
    one = loan_schedule(100.0, 0.05, 1, method)
    np.testing.assert_allclose(one.instalments_mnok, [100.0])
    np.testing.assert_allclose(one.interest_mnok, [5.0])


def test_new_borrowing_is_repaid_from_the_year_after():
    """100 borrowed in 2024 (land, 0 % VAT), serial over land term 2 at 10 %, drawn 1 July (the default):
    2024 interest 10 % × 100 × 0.5 = 5, no instalment; 2025 interest 10, instalment 50; 2026 interest 5,
    instalment 50. Land is not depreciated, so the book value stays 0 and the minimum does not apply while
    debt is outstanding ('planned' policy: the loans' own schedule is charged and reported as the minimum,
    and the years are flagged).
    """
    inp = make(
        3,
        projects=one_project(3, [100.0, 0.0, 0.0], completion=2024, life=0),
        debt={"interest_rate": np.full(3, 0.10), "land_loan_term_years": 2},
    )
    r = simulate(inp)
    np.testing.assert_allclose(r.borrowing_mnok, [100, 0, 0])
    np.testing.assert_allclose(r.interest_mnok, [5, 10, 5])
    np.testing.assert_allclose(r.instalments_mnok, [0, 50, 50])
    np.testing.assert_allclose(r.debt_closing_mnok, [100, 50, 0])
    np.testing.assert_allclose(r.minimum_instalment_mnok, [0, 50, 50])
    assert r.minimum_not_applicable.tolist() == [False, True, True]
    np.testing.assert_allclose(r.depreciation_mnok, 0.0)


# ------------------------------------------------------------------------------------------- § 14-18


def test_minimum_instalment_molde_2020():
    """Molde kommune, accounts 2020, note 7 (NOK thousand): 4,047,013 × 174,015 ÷ 4,521,698 = 155,747.02."""
    assert minimum_instalment(4_047_013, 174_015, 4_521_698) == pytest.approx(155_747.02, abs=0.005)


def test_minimum_instalment_zero_book_value_raises():
    with pytest.raises(ValueError, match="must not be taken as 0"):
        minimum_instalment(100.0, 0.0, 0.0)


def test_minimum_binds_over_annuity():
    """Annuity on 100 over 4 at 5 % plans 23.201183 in year 1; book 100 depreciating 25 → minimum 25 binds.

    Year 2: debt 75, book 75, dep 25 → minimum 25; the annuity on 75 over 3 plans 75·0.05/(1.05³−1) =
    23.7906… < 25, raised again. The debt falls 25 a year, like a serial loan.
    """
    inp = make(
        debt={
            "interest_rate": np.full(4, 0.05),
            "instalment_method": "annuity",
            "opening_debt_mnok": 100.0,
            "opening_debt_remaining_life_years": 4,
            "existing_book_value_mnok": 100.0,
            "existing_depreciation_mnok": np.full(4, 25.0),
        }
    )
    r = simulate(inp)
    assert r.planned_instalments_mnok[0] == pytest.approx(23.201183, abs=1e-6)
    assert r.planned_instalments_mnok[1] == pytest.approx(75 * 0.05 / (1.05**3 - 1), abs=1e-9)
    np.testing.assert_allclose(r.instalments_mnok, 25.0, atol=1e-9)
    np.testing.assert_allclose(r.minimum_instalment_mnok, 25.0, atol=1e-9)


def test_minimum_not_binding_keeps_the_plan():
    """Serial 100 over 4 plans 25; book 200 depreciating 20 → minimum 100 · 20 / 200 = 10 < 25: pay 25."""
    inp = make(
        1,
        debt={
            "opening_debt_mnok": 100.0,
            "opening_debt_remaining_life_years": 4,
            "existing_book_value_mnok": 200.0,
            "existing_depreciation_mnok": np.array([20.0]),
        },
    )
    r = simulate(inp)
    assert r.minimum_instalment_mnok[0] == pytest.approx(10.0)
    assert r.instalments_mnok[0] == pytest.approx(25.0)


def test_extra_instalment_reamortises_the_serial_plan():
    """Serial 100 over 10 plans 10; minimum 100 · 40 / 200 = 20 binds → pay 20, debt 80.
    Year 2: serial on 80 over the 9 instalments left = 8.888…; minimum 80 · 0 / 160 = 0 → pay 80/9.
    """
    inp = make(
        2,
        debt={
            "opening_debt_mnok": 100.0,
            "opening_debt_remaining_life_years": 10,
            "existing_book_value_mnok": 200.0,
            "existing_depreciation_mnok": np.array([40.0, 0.0]),
        },
    )
    r = simulate(inp)
    np.testing.assert_allclose(r.instalments_mnok, [20.0, 80.0 / 9.0])


def test_minimum_method_pays_exactly_the_minimum():
    """Method 'minimum': 100 · 30 / 300 = 10 in year 1; year 2: 90 · 30 / 270 = 10."""
    inp = make(
        2,
        debt={
            "instalment_method": "minimum",
            "opening_debt_mnok": 100.0,
            "opening_debt_remaining_life_years": 30,
            "existing_book_value_mnok": 300.0,
            "existing_depreciation_mnok": np.array([30.0, 30.0]),
        },
    )
    r = simulate(inp)
    np.testing.assert_allclose(r.instalments_mnok, [10.0, 10.0])


def test_zero_book_value_policy():
    """Debt 100 with no depreciable assets: 'raise' raises; 'planned' charges the serial plan 100/4 = 25."""
    debt = {"opening_debt_mnok": 100.0, "opening_debt_remaining_life_years": 4}
    with pytest.raises(ValueError, match="2024: § 14-18"):
        simulate(make(debt={**debt, "on_zero_book_value": "raise"}))
    r = simulate(make(debt=debt))
    assert r.minimum_not_applicable.all()
    np.testing.assert_allclose(r.instalments_mnok, 25.0)
    np.testing.assert_allclose(r.minimum_instalment_mnok, 25.0)  # the plan charged stands in for the minimum


def test_single_asset_serial_loan_equals_minimum():
    """Spend 100 (no VAT) in 2024, in service end 2024, life 4, fully borrowed, serial over 4:
    book on 1 Jan 2025 = 100, depreciation 25/yr → minimum 100·25/100 = 25 = serial instalment, each year.
    """
    inp = make(5, projects=one_project(5, [100, 0, 0, 0, 0], completion=2024, life=4))
    r = simulate(inp)
    np.testing.assert_allclose(r.depreciation_mnok, [0, 25, 25, 25, 25])
    np.testing.assert_allclose(r.book_value_opening_mnok, [0, 100, 75, 50, 25])
    np.testing.assert_allclose(r.instalments_mnok, [0, 25, 25, 25, 25])
    np.testing.assert_allclose(r.minimum_instalment_mnok[1:], 25.0)


def test_depreciation_starts_after_completion_and_excludes_vat():
    """Gross 100 in 2024, VAT share 0.2 → capitalised 80; completion 2025, life 4: under construction
    (at cost 80, not depreciated) on 31 Dec 2024, in service end 2025, depreciation 20 in 2026..2029.
    Book value incl. construction: 80 on 1 Jan 2025 and 2026, then 60, 40, 20, 0.
    """
    inp = make(7, projects=one_project(7, [100, 0, 0, 0, 0, 0, 0], completion=2025, life=4, vat=0.2))
    r = simulate(inp)
    np.testing.assert_allclose(r.capitalised_mnok, [0, 80, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(r.construction_in_progress_mnok, [80, 0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(r.depreciation_mnok, [0, 0, 20, 20, 20, 20, 0])
    np.testing.assert_allclose(r.book_value_opening_mnok, [0, 80, 80, 60, 40, 20, 0])
    np.testing.assert_allclose(r.book_value_closing_mnok, [80, 80, 60, 40, 20, 0, 0])


# ------------------------------------------------------------------------------------------- financing


def test_vat_and_grant_netting():
    """Gross 100, VAT 0.2 × 100 = 20, grant 10 → need 70 → borrowing 70 with no own financing;
    with own-financing share 0.5 of the net: transfer 35, borrowing 35; own financing = 100 − 20 − 10 − 35 = 35.
    """
    pr = one_project(1, [100.0], completion=2024, life=40, vat=0.2, grants=[10.0])
    r = simulate(make(1, projects=pr))
    assert (r.gross_investment_mnok[0], r.vat_compensation_mnok[0], r.grants_mnok[0]) == (100.0, 20.0, 10.0)
    assert r.borrowing_mnok[0] == pytest.approx(70.0)
    assert r.own_financing_mnok[0] == pytest.approx(0.0)
    r = simulate(make(1, projects=pr, financing={"own_financing_share": np.array([0.5])}))
    assert r.borrowing_mnok[0] == pytest.approx(35.0)
    assert r.transfer_from_operations_mnok[0] == pytest.approx(35.0)
    assert r.own_financing_mnok[0] == pytest.approx(35.0)


def test_capital_income_first_and_transfer_capped_at_need():
    """Need 70 (as above); capital income 30 first → 40 left; transfer 0.5·40 + 100 capped at 40 → borrowing 0."""
    pr = one_project(1, [100.0], completion=2024, life=40, vat=0.2, grants=[10.0])
    fin = {
        "own_financing_share": np.array([0.5]),
        "own_financing_mnok": np.array([100.0]),
        "capital_income_mnok": np.array([30.0]),
    }
    r = simulate(make(1, projects=pr, financing=fin))
    assert r.transfer_from_operations_mnok[0] == pytest.approx(40.0)
    assert r.borrowing_mnok[0] == pytest.approx(0.0)
    assert r.own_financing_mnok[0] == pytest.approx(70.0)


def test_grant_beyond_the_year_need_is_carried_to_next_year():
    """2024: spend 0, grant 10 → investment fund 10, borrowing 0; 2025: spend 50 → borrowing 50 − 10 = 40."""
    pr = one_project(2, [0.0, 50.0], completion=2025, life=40, grants=[10.0, 0.0])
    r = simulate(make(2, projects=pr))
    np.testing.assert_allclose(r.investment_fund_mnok, [10.0, 0.0])
    np.testing.assert_allclose(r.borrowing_mnok, [0.0, 40.0])
    np.testing.assert_allclose(r.own_financing_mnok, [-10.0, 10.0])  # set aside, then used


def test_husbanken_grant_timing():
    """40 places × cap 4.0 = 160 < cost 300 → 160 × 0.55 = 88: all in the completion year 2026, or spread
    with spend 100/200 → 29.33/58.67. Cost 100 < cap → 100 × 0.55 = 55."""
    years = np.arange(2025, 2028)
    g = husbanken_grant(np.array([40, 40]), 4.0, np.array([0.55, 0.55]), np.array([300.0, 100.0]), [2026, 2026], years)
    np.testing.assert_allclose(g, [[0, 88, 0], [0, 55, 0]])
    spread = husbanken_grant(
        np.array([40]), 4.0, np.array([0.55]), np.array([300.0]), [2026], years, spend_mnok=np.array([[100, 200, 0]])
    )
    np.testing.assert_allclose(spread, [[88 / 3, 176 / 3, 0]])


# ------------------------------------------------------------------------------------------- operating


def test_facility_operating_cost_from_completion_year():
    """Opex 10 a year, completion 2026 on 2024..2027 → 0, 0, 10, 10; with a first-year share 0.5 → 0, 0, 5, 10."""
    pr = one_project(4, [0.0] * 4, completion=2026, life=40, opex=10.0)
    np.testing.assert_allclose(simulate(make(projects=pr)).facility_operating_cost_mnok, [0, 0, 10, 10])
    r = simulate(make(projects=pr, operating={"first_year_operating_share": 0.5}))
    np.testing.assert_allclose(r.facility_operating_cost_mnok, [0, 0, 5, 10])


def test_demography_cost_and_cumulative_efficiency():
    """Users 100 → 110 → 120 → 90 at 0.1 mill per user: 0, 1, 2, −1. Efficiency increments 120, 50, 20, 20
    cumulate to 120, 170, 190, 210 (Asker omstilling 2024–2027, facts.yaml omstilling_total_by_year)."""
    op = {
        "users": np.array([[100.0, 110.0, 120.0, 90.0]]),
        "unit_cost_mnok": np.array([0.1]),
        "efficiency_new_mnok": np.array([120.0, 50.0, 20.0, 20.0]),
        "expense_base_mnok": 1000.0,
        "savings_mnok": np.array([0.0, 5.0, 5.0, 5.0]),
    }
    r = simulate(make(operating=op))
    np.testing.assert_allclose(r.demography_cost_mnok, [0, 1, 2, -1])
    np.testing.assert_allclose(r.efficiency_mnok, [120, 170, 190, 210])
    np.testing.assert_allclose(r.expenses_mnok, [1000 - 120, 1001 - 5 - 170, 1002 - 5 - 190, 999 - 5 - 210])


def test_revenue_growth_and_population():
    """Base 1000; growth 1 % from 2025; population index 1, 1.02, 1.04 → 1000, 1000·1.01·1.02 = 1030.2,
    1000·1.01²·1.04 = 1060.904; a weighted index from persons [10, 10] → [10, 20] with weights 1, 2 is 5/3."""
    op = {
        "revenue_base_mnok": 1000.0,
        "revenue_real_growth_rate": np.full(3, 0.01),
        "population_index": np.array([1.0, 1.02, 1.04]),
    }
    np.testing.assert_allclose(simulate(make(3, operating=op)).revenue_mnok, [1000.0, 1030.2, 1060.904])
    idx = finance.weighted_population_index(np.array([[10.0, 10.0], [10.0, 20.0]]), np.array([1.0, 2.0]))
    np.testing.assert_allclose(idx, [1.0, 5 / 3])


def test_net_operating_result_and_disposition_fund():
    """Revenue 1000, expenses 900 (excl. depreciation), depreciation 25, debt 100 serial over 4 at 5 %,
    interest income 3: brutto driftsresultat = 1000 − 925 = 75; netto finansutgifter = 5 + 25 − 3 = 27;
    NDR = 75 − 27 + 25 (motpost avskrivninger) = 73 = 1000 − 900 − 5 − 25 + 3. Fund 50 + 73 = 123.
    """
    inp = make(
        1,
        debt={
            "interest_rate": np.array([0.05]),
            "opening_debt_mnok": 100.0,
            "opening_debt_remaining_life_years": 4,
            "existing_book_value_mnok": 100.0,
            "existing_depreciation_mnok": np.array([25.0]),
        },
        operating={"revenue_base_mnok": 1000.0, "expense_base_mnok": 900.0, "interest_income_mnok": np.array([3.0])},
        funds={"disposition_fund_opening_mnok": 50.0},
    )
    r = simulate(inp)
    assert r.gross_operating_result_mnok[0] == pytest.approx(75.0)
    assert r.net_financial_expenses_mnok[0] == pytest.approx(27.0)
    assert r.ndr_mnok[0] == pytest.approx(73.0)
    assert r.fund_mnok[0] == pytest.approx(123.0)
    assert key_figures(r)["net_operating_result_pct"][0] == pytest.approx(7.3)


def test_asker_2024_operating_identity():
    """Asker budget 2024 (facts.yaml, NOK thousand → mill): driftsinntekter 9,653.092, driftsutgifter incl.
    depreciation 9,433.629, depreciation 572.107, NDR 74.469 → brutto driftsresultat 219.463 and netto
    finansutgifter 219.463 + 572.107 − 74.469 = 717.101 (not itemised there); NDR 0.77 % of revenue.
    Reproduced with expenses excl. depreciation 8,861.522 and net finance costs as 10 % interest on 7,171.01
    (minimum instalment 7,171.01 · 572.107 / 10¹² ≈ 4e−6, negligible).
    """
    inp = make(
        1,
        debt={
            "interest_rate": np.array([0.1]),
            "instalment_method": "minimum",
            "opening_debt_mnok": 7171.01,
            "opening_debt_remaining_life_years": 30,
            "existing_book_value_mnok": 1e12,
            "existing_depreciation_mnok": np.array([572.107]),
        },
        operating={"revenue_base_mnok": 9653.092, "expense_base_mnok": 9433.629 - 572.107},
    )
    r = simulate(inp)
    assert r.gross_operating_result_mnok[0] == pytest.approx(219.463, abs=1e-6)
    assert r.ndr_mnok[0] == pytest.approx(74.469, abs=1e-3)
    assert key_figures(r)["net_operating_result_pct"][0] == pytest.approx(0.77, abs=0.005)


def test_transfer_to_investment_and_energy_fund_reduce_the_fund_allocation():
    """Revenue 100, NDR 100 + energy return 1600 · 0.03 = 48 → NDR 148; transfer to investment 30 (share 1
    of need 30); energy fund keeps all 48 (→ 1648): disposition fund 0 + 148 − 30 − 48 = 70.
    With retained share 0.5: energy fund 1624, disposition fund 0 + 148 − 30 − 24 = 94."""
    kw = {
        "projects": one_project(1, [30.0], completion=2024, life=40),
        "financing": {"own_financing_share": np.array([1.0])},
        "operating": {"revenue_base_mnok": 100.0},
    }
    r = simulate(make(1, **kw, funds={"disposition_fund_opening_mnok": 0.0, "energy_fund_opening_mnok": 1600.0,
                                       "energy_fund_real_return_rate": 0.03}))  # fmt: skip
    assert r.energy_fund_return_mnok[0] == pytest.approx(48.0)
    assert r.ndr_mnok[0] == pytest.approx(148.0)
    assert r.energy_fund_mnok[0] == pytest.approx(1648.0)
    assert r.fund_mnok[0] == pytest.approx(70.0)
    r = simulate(make(1, **kw, funds={"disposition_fund_opening_mnok": 0.0, "energy_fund_opening_mnok": 1600.0,
                                       "energy_fund_real_return_rate": 0.03, "energy_fund_retained_share": 0.5}))  # fmt: skip
    assert r.energy_fund_mnok[0] == pytest.approx(1624.0)
    assert r.fund_mnok[0] == pytest.approx(94.0)


def test_deficit_uses_the_fund_then_is_uncovered():
    """Expenses 100, no revenue, fund 60 earning 5 %: NDR −100 + 3 = −97 → use 60, fund 0, uncovered 37;
    next year the return is 0.05 · 0 = 0 and −100 is uncovered."""
    r = simulate(
        make(
            2,
            operating={"expense_base_mnok": 100.0},
            funds={"disposition_fund_opening_mnok": 60.0, "disposition_fund_return_rate": 0.05},
        )
    )
    np.testing.assert_allclose(r.fund_use_mnok, [60, 0])
    np.testing.assert_allclose(r.fund_mnok, [0, 0])
    np.testing.assert_allclose(r.uncovered_deficit_mnok, [37, 100])


def test_fund_return_is_financial_income():
    """Fund 100 at 4 %: return 4 in the NDR and the fund → 104, then 4.16 → 108.16."""
    r = simulate(make(2, funds={"disposition_fund_opening_mnok": 100.0, "disposition_fund_return_rate": 0.04}))
    np.testing.assert_allclose(r.fund_return_mnok, [4.0, 4.16])
    np.testing.assert_allclose(r.fund_mnok, [104.0, 108.16])


# ------------------------------------------------------------------------------------------- start loans, net debt


def test_start_loans_are_kept_out_of_investment_debt_and_net_out():
    """30 borrowed and relent in 2024, both serial over 3 at 0 %: stocks 30, 20, 10, 0 on both sides;
    investment debt untouched; netto lånegjeld = 0 + 30 − 30 = 0."""
    sl = {"borrowing_mnok": np.array([30.0, 0, 0, 0]), "husbanken_term_years": 3, "borrower_term_years": 3,
          "method": "serial"}  # fmt: skip
    r = simulate(make(start_loans=sl))
    np.testing.assert_allclose(r.startlan_debt_mnok, [30, 20, 10, 0])
    np.testing.assert_allclose(r.relending_receivables_mnok, [30, 20, 10, 0])
    np.testing.assert_allclose(r.debt_closing_mnok, 0.0)
    np.testing.assert_allclose(r.net_debt_mnok, 0.0)
    np.testing.assert_allclose(r.instalments_mnok, 0.0)  # not in the operating statement


def test_start_loan_instalments_at_least_received():
    """Lent 30 over 2 years, borrowed over 3 (serial): borrowers repay 15, 15; the plan to Husbanken is 10,
    then 20/2 = 10 — raised to what was received: 15, 15. Interest at 4 % nets out: drawn 1 July, so
    0.04 × 30 × 0.5 = 0.6 in the draw year, then 1.2 and 0.6, paid and received alike."""
    sl = {"borrowing_mnok": np.array([30.0, 0, 0]), "husbanken_term_years": 3, "borrower_term_years": 2,
          "method": "serial", "interest_rate": np.full(3, 0.04)}  # fmt: skip
    r = simulate(make(3, start_loans=sl))
    np.testing.assert_allclose(r.startlan_received_instalments_mnok, [0, 15, 15])
    np.testing.assert_allclose(r.startlan_instalments_mnok, [0, 15, 15])
    np.testing.assert_allclose(r.startlan_interest_mnok, r.startlan_interest_income_mnok)
    np.testing.assert_allclose(r.startlan_interest_mnok, [0.6, 1.2, 0.6])
    np.testing.assert_allclose(r.ndr_mnok, 0.0, atol=1e-12)
    r = simulate(make(3, start_loans={**sl, "repay_as_received": False}))
    np.testing.assert_allclose(r.startlan_instalments_mnok, [0, 10, 10])


def test_net_debt_definition():
    """Net debt = investment debt 100 + startlån 50 − receivables 40 − other lending 5 − unused loans 15 = 90;
    gjeldsgrad = 90 / 300 = 30 %."""
    inp = make(
        1,
        debt={"opening_debt_mnok": 100.0, "opening_debt_remaining_life_years": 10**6,
              "existing_book_value_mnok": 1.0, "other_lending_mnok": np.array([5.0]),
              "unused_borrowed_funds_mnok": np.array([15.0])},
        start_loans={"opening_debt_mnok": 50.0, "opening_debt_remaining_life_years": 10**6,
                     "opening_receivables_mnok": 40.0, "opening_receivables_remaining_life_years": 10**6,
                     "method": "serial", "repay_as_received": False},
        operating={"revenue_base_mnok": 300.0},
    )  # fmt: skip
    r = simulate(inp)
    assert r.net_debt_mnok[0] == pytest.approx(90.0, abs=1e-3)
    assert key_figures(r)["debt_ratio_pct"][0] == pytest.approx(30.0, abs=1e-3)


# ------------------------------------------------------------------------------------------- invariants


@st.composite
def random_inputs(draw: st.DrawFn) -> FinanceInputs:
    n_years = draw(st.integers(1, 8))
    n_proj = draw(st.integers(0, 4))
    amount = st.floats(0, 500, allow_nan=False)
    spend = np.array(draw(st.lists(amount, min_size=n_proj * n_years, max_size=n_proj * n_years))).reshape(
        n_proj, n_years
    )
    grants = np.array(draw(st.lists(st.floats(0, 100), min_size=n_proj * n_years, max_size=n_proj * n_years))).reshape(
        n_proj, n_years
    )
    projects = {
        "gross_spend_mnok": spend,
        "vat_share": np.array(draw(st.lists(st.floats(0, 0.2), min_size=n_proj, max_size=n_proj))),
        "grants_mnok": grants,
        "completion_year": np.array(draw(st.lists(st.integers(Y0 - 2, Y0 + 10), min_size=n_proj, max_size=n_proj))),
        "asset_life_years": np.array(
            draw(st.lists(st.sampled_from([0, 1, 5, 10, 20, 40, 50]), min_size=n_proj, max_size=n_proj))
        ),
        "operating_cost_mnok": np.array(draw(st.lists(st.floats(-10, 50), min_size=n_proj, max_size=n_proj))),
    }
    vec = lambda lo, hi: np.array(draw(st.lists(st.floats(lo, hi), min_size=n_years, max_size=n_years)))  # noqa: E731
    debt = {
        "interest_rate": vec(0, 0.12),
        "instalment_method": draw(st.sampled_from(finance.INSTALMENT_METHODS)),
        "opening_debt_mnok": draw(amount),
        "opening_debt_remaining_life_years": draw(st.integers(1, 40)),
        "existing_book_value_mnok": draw(st.floats(0, 1000)),
        "existing_depreciation_mnok": vec(0, 200),
        "land_loan_term_years": draw(st.integers(1, 50)),
    }
    financing = {"own_financing_share": vec(0, 1), "own_financing_mnok": vec(0, 100), "capital_income_mnok": vec(0, 50)}
    start_loans = {
        "borrowing_mnok": vec(0, 300),
        "interest_rate": vec(0, 0.08),
        "husbanken_term_years": draw(st.integers(1, 30)),
        "borrower_term_years": draw(st.integers(1, 30)),
        "opening_debt_mnok": draw(amount),
        "opening_debt_remaining_life_years": draw(st.integers(1, 30)),
        "opening_receivables_mnok": draw(amount),
        "opening_receivables_remaining_life_years": draw(st.integers(1, 30)),
        "method": draw(st.sampled_from(["serial", "annuity"])),
        "repay_as_received": draw(st.booleans()),
    }
    operating = {"revenue_base_mnok": draw(st.floats(0, 2000)), "expense_base_mnok": draw(st.floats(0, 2000)),
                 "interest_income_mnok": vec(0, 20)}  # fmt: skip
    funds = {
        "disposition_fund_opening_mnok": draw(st.floats(0, 500)),
        "disposition_fund_return_rate": draw(st.floats(0, 0.05)),
        "energy_fund_opening_mnok": draw(st.floats(0, 2000)),
        "energy_fund_real_return_rate": vec(-0.2, 0.2),
        "energy_fund_retained_share": draw(st.floats(0, 1)),
    }
    return make(n_years, projects=projects, financing=financing, debt=debt, start_loans=start_loans,
                operating=operating, funds=funds)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(random_inputs())
def test_invariants(inp):
    """Debt recursion exact to 1e-9, instalments within the opening debt, no negative stocks, the financing
    identity, the book-value recursion, the fund recursions, and the minimum honoured where it applies."""
    r = simulate(inp)
    tol = 1e-9 * max(1.0, float(np.abs(r.debt_opening_mnok).max(initial=0) + r.borrowing_mnok.sum()))
    prev = np.concatenate(([inp.debt.opening_debt_mnok], r.debt_closing_mnok[:-1]))
    np.testing.assert_allclose(r.debt_opening_mnok, prev, rtol=0, atol=tol)
    np.testing.assert_allclose(
        r.debt_closing_mnok, r.debt_opening_mnok + r.borrowing_mnok - r.instalments_mnok, rtol=0, atol=tol
    )
    assert (r.instalments_mnok <= r.debt_opening_mnok + tol).all()
    assert (r.instalments_mnok >= -tol).all()
    assert (r.debt_closing_mnok >= -tol).all()
    assert (r.borrowing_mnok >= 0).all()
    applies = ~np.isnan(r.minimum_instalment_mnok)
    assert (r.instalments_mnok[applies] >= r.minimum_instalment_mnok[applies] - tol).all()
    np.testing.assert_allclose(
        r.gross_investment_mnok,
        r.vat_compensation_mnok + r.grants_mnok + r.own_financing_mnok + r.borrowing_mnok,
        atol=1e-9,
    )
    construction_opening = np.concatenate(([0.0], r.construction_in_progress_mnok[:-1]))
    np.testing.assert_allclose(
        r.book_value_closing_mnok,
        r.book_value_opening_mnok
        - r.depreciation_mnok
        + r.capitalised_mnok
        + (r.construction_in_progress_mnok - construction_opening),
        atol=1e-7,
    )
    # every krone of depreciable spend (net of VAT) is under construction or in service, never lost or doubled
    spend = np.asarray(inp.projects.gross_spend_mnok) * (1 - np.asarray(inp.projects.vat_share))[:, None]
    depreciable_spend = spend[np.asarray(inp.projects.asset_life_years) > 0].sum(axis=0)
    np.testing.assert_allclose(
        np.cumsum(r.capitalised_mnok) + r.construction_in_progress_mnok, np.cumsum(depreciable_spend), atol=1e-7
    )
    assert (r.construction_in_progress_mnok >= -1e-9).all()
    np.testing.assert_allclose(r.book_value_opening_mnok[1:], r.book_value_closing_mnok[:-1], atol=1e-7)
    assert (r.depreciation_mnok <= r.book_value_opening_mnok + 1e-9).all()
    # start loans
    assert (r.startlan_debt_mnok >= -1e-9).all() and (r.relending_receivables_mnok >= -1e-9).all()
    s_prev = np.concatenate(([inp.start_loans.opening_debt_mnok], r.startlan_debt_mnok[:-1]))
    np.testing.assert_allclose(
        r.startlan_debt_mnok, s_prev + r.startlan_borrowing_mnok - r.startlan_instalments_mnok, atol=1e-9
    )
    # disposition fund: opening + allocation − use; never negative; the allocation is what the NDR leaves
    f_prev = np.concatenate(([inp.funds.disposition_fund_opening_mnok], r.fund_mnok[:-1]))
    np.testing.assert_allclose(r.fund_mnok, f_prev + r.fund_allocation_mnok - r.fund_use_mnok, atol=1e-9)
    assert (r.fund_mnok >= 0).all()
    np.testing.assert_allclose(
        r.fund_allocation_mnok - r.fund_use_mnok - r.uncovered_deficit_mnok,
        r.ndr_mnok - r.transfer_from_operations_mnok - r.energy_fund_allocation_mnok,
        atol=1e-9,
    )
    e_prev = np.concatenate(([inp.funds.energy_fund_opening_mnok], r.energy_fund_mnok[:-1]))
    np.testing.assert_allclose(r.energy_fund_mnok, e_prev + r.energy_fund_allocation_mnok, atol=1e-9)
    # NDR two ways
    np.testing.assert_allclose(
        r.ndr_mnok,
        r.revenue_mnok - r.expenses_mnok - r.net_financial_expenses_mnok,
        atol=1e-8,
    )


# ------------------------------------------------------------------------------------------- fiscal rules


def test_fiscal_rule_status_at_and_around_thresholds():
    """Asker: NDR red < 1.75, yellow 1.75–3, green > 3 (both ends yellow); gjeldsgrad red > 100, yellow 80–100,
    green < 80; fund red < 5, green > 10; egenfinansiering ≥ 50 green, below red."""
    ndr, debt, fund, own = ASKER_FISCAL_RULES
    assert [ndr.status(v) for v in (1.7499, 1.75, 2.0, 3.0, 3.0001)] == ["red", "yellow", "yellow", "yellow", "green"]
    assert [debt.status(v) for v in (79.99, 80.0, 100.0, 100.01)] == ["green", "yellow", "yellow", "red"]
    assert [fund.status(v) for v in (4.99, 5.0, 10.0, 10.01)] == ["red", "yellow", "yellow", "green"]
    assert [own.status(v) for v in (49.99, 50.0, 70.0)] == ["red", "green", "green"]
    assert ndr.status(math.nan) == "n/a"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kpi": "net_operating_result_pct", "direction": "higher_is_better", "red": 3.0, "green": 1.75},
         "red threshold 3.0 must be ≤ green threshold 1.75"),
        ({"kpi": "debt_ratio_pct", "direction": "lower_is_better", "red": 80.0, "green": 100.0},
         "red threshold 80.0 must be ≥ green threshold 100.0"),
        ({"kpi": "debt_ratio", "direction": "lower_is_better", "red": 100.0, "green": 80.0}, "unknown kpi"),
        ({"kpi": "debt_ratio_pct", "direction": "down", "red": 100.0, "green": 80.0}, "direction must be one of"),
        ({"kpi": "debt_ratio_pct", "direction": "lower_is_better", "red": math.nan, "green": 80.0}, "finite"),
    ],
)  # fmt: skip
def test_fiscal_rule_rejects_bad_thresholds(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FiscalRule(**kwargs)


def test_kpis_rows():
    """Revenue 1000, expenses 970 → NDR 30 = 3 % (yellow); fund 0 + 30 = 3 % (red); debt 0 (green);
    no investment → egenfinansiering NaN (n/a)."""
    r = simulate(make(1, operating={"revenue_base_mnok": 1000.0, "expense_base_mnok": 970.0}))
    rows = {row.kpi: row for row in kpis(r, ASKER_FISCAL_RULES)}
    assert rows["net_operating_result_pct"].value == pytest.approx(3.0)
    assert rows["net_operating_result_pct"].status == "yellow"
    assert rows["disposition_fund_pct"].status == "red"
    assert rows["debt_ratio_pct"].status == "green"
    assert rows["own_financing_pct"].status == "n/a"
    assert {row.unit for row in rows.values()} == {"percent"} and rows["debt_ratio_pct"].year == Y0
    with pytest.raises(ValueError, match="one rule per kpi"):
        kpis(r, [ASKER_FISCAL_RULES[0], ASKER_FISCAL_RULES[0]])


# ------------------------------------------------------------------------------------------- prices


def test_deflator_asker_2024():
    """Asker 2024 (facts.yaml): wages 4.9 %, prices 3.4 % → 0.6 · 4.9 + 0.4 · 3.4 = 4.3 %; 2023: 5.4, 3.2 → 4.52 ≈ 4.5."""
    d = municipal_deflator_rate(np.array([0.054, 0.049]), np.array([0.032, 0.034]))
    np.testing.assert_allclose(d, [0.0452, 0.043], atol=1e-12)


def test_nominal_vs_fixed():
    """0 % deflator: nominal = fixed. Constant d = 4.3 %: nominal_t = fixed_t · 1.043^(t − 2024)."""
    r = simulate(make(5, operating={"revenue_base_mnok": 1000.0, "expense_base_mnok": 900.0}))
    years = r.years
    fixed = table(r)
    np.testing.assert_allclose(table(r, price_index(np.zeros(5), years, Y0))["value"], fixed["value"])
    idx = price_index(np.full(5, 0.043), years, Y0)
    np.testing.assert_allclose(idx, 1.043 ** (years - Y0))
    nominal = table(r, idx)
    rev = nominal[nominal["item"] == "revenue_mnok"]["value"].to_numpy()
    np.testing.assert_allclose(rev, 1000.0 * 1.043 ** (years - Y0))
    np.testing.assert_allclose(to_nominal(r.ndr_mnok, idx), 100.0 * 1.043 ** (years - Y0))


def test_table_is_long_and_complete():
    r = simulate(make(3))
    frame = table(r)
    assert list(frame.columns) == ["year", "item", "value"]
    n_items = sum(name.endswith("_mnok") for name in finance.FinanceResult.__slots__)
    assert len(frame) == 3 * n_items
    assert {"borrowing_mnok", "net_debt_mnok", "ndr_mnok", "fund_mnok"} <= set(frame["item"])


# ------------------------------------------------------------------------------------------- bad input


def test_bad_inputs_name_the_field():
    with pytest.raises(ValueError, match="instalment_method must be one of"):
        simulate(make(debt={"instalment_method": "bullet"}))
    with pytest.raises(ValueError, match=r"projects.grants_mnok: expected shape \(1, 4\)"):
        pr = one_project(4, [0.0] * 4, completion=2024, life=40)
        simulate(make(projects={**pr, "grants_mnok": np.zeros((1, 3))}))
    with pytest.raises(ValueError, match=r"debt\.interest_rate: expected shape"):
        simulate(make(debt={"interest_rate": np.zeros(3)}))
    with pytest.raises(ValueError, match="consecutive"):
        simulate(replace(make(2), years=np.array([2024, 2026])))
