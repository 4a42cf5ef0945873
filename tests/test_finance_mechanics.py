"""Finance mechanics of issue 18: draw-down timing, assets under construction in § 14-18, start loans in full.

Every expected number is a hand calculation (in the docstring or comment), a published figure (source
named) or an invariant.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_finance import make, one_project

from ltsim.models.finance import simulate
from ltsim.schema.finance import drawdown_share, parse_drawdown

# ------------------------------------------------------------------------------------------- draw-down timing


def _land_loan(share: object, **debt: object):
    """120 borrowed in 2024 for land (0 % VAT, not depreciated), serial over 4 years at 6 %."""
    return make(
        4,
        projects=one_project(4, [120.0, 0, 0, 0], completion=2024, life=0),
        debt={"interest_rate": np.full(4, 0.06), "land_loan_term_years": 4, "drawdown_share": share, **debt},
    )


@pytest.mark.parametrize(
    ("timing", "interest_2024"),
    [("start", 7.2), ("mid", 3.6), ("end", 0.0), (10, 1.8), (4, 5.4)],
)
def test_interest_in_the_draw_year(timing: object, interest_2024: float):
    """Interest on 120 at 6 % in its draw year = 0.06 × 120 × share: drawn 1 January 7.2, 1 July 3.6,
    31 December 0, 1 October (month 10: 3/12 of the year) 1.8, 1 April (month 4: 9/12) 5.4. From 2025
    the whole balance bears interest whatever the timing: 0.06 × 120 = 7.2."""
    r = simulate(_land_loan(drawdown_share(timing)))
    assert r.interest_mnok[0] == pytest.approx(interest_2024)
    assert r.interest_mnok[1] == pytest.approx(7.2)
    np.testing.assert_allclose(r.instalments_mnok, [0, 30, 30, 30])  # next year: 120/4 from 2025


def test_draw_down_timing_per_year():
    """The share is per year: only the draw year's share applies to that year's borrowing (2024: mid)."""
    timing = parse_drawdown({2024: "mid", 2025: "end"})
    assert timing.at(np.arange(2024, 2028)).tolist() == [0.5, 0.0, 0.0, 0.0]
    assert timing.to_json() == {"2024": "mid", "2025": "end"}
    r = simulate(_land_loan(timing.at(np.arange(2024, 2028))))
    assert r.interest_mnok[0] == pytest.approx(3.6)


def test_instalments_in_the_draw_year():
    """With instalments from the draw year: 120 serial over 4 → 30 a year from 2024; debt 90/60/30/0;
    interest 0.06 × 120 × 0.5 = 3.6 (drawn 1 July), then 0.06 × 90 = 5.4, 3.6, 1.8."""
    r = simulate(_land_loan(0.5, instalments_in_draw_year=True))
    np.testing.assert_allclose(r.instalments_mnok, [30, 30, 30, 30])
    np.testing.assert_allclose(r.debt_closing_mnok, [90, 60, 30, 0], atol=1e-9)
    np.testing.assert_allclose(r.interest_mnok, [3.6, 5.4, 3.6, 1.8])


def test_start_loan_draw_year_interest_both_sides():
    """40 from Husbanken at 5 % lent on at 5 % + 1 % margin, drawn 1 April (month 4: 9/12 = 0.75):
    paid 0.05 × 40 × 0.75 = 1.5, received 0.06 × 40 × 0.75 = 1.8 in 2024. Instalments from the draw
    year, serial over 2 years: 20 and 20 on both sides."""
    sl = {"borrowing_mnok": np.array([40.0, 0.0]), "interest_rate": np.full(2, 0.05), "margin_rate": 0.01,
          "husbanken_term_years": 2, "borrower_term_years": 2, "method": "serial",
          "drawdown_share": drawdown_share(4), "instalments_in_draw_year": True}  # fmt: skip
    r = simulate(make(2, start_loans=sl))
    assert r.startlan_interest_mnok[0] == pytest.approx(1.5)
    assert r.startlan_interest_income_mnok[0] == pytest.approx(1.8)
    np.testing.assert_allclose(r.startlan_instalments_mnok, [20, 20])
    np.testing.assert_allclose(r.startlan_received_instalments_mnok, [20, 20])
    # 2025: on the 20 left after 2024's instalment, 5 % and 6 %
    assert r.startlan_interest_mnok[1] == pytest.approx(1.0)
    assert r.startlan_interest_income_mnok[1] == pytest.approx(1.2)


def test_draw_year_interest_is_linear_in_the_share():
    """Invariant: interest(s) − interest(0) = s × rate × borrowing in the draw year, and nothing else moves."""
    base = simulate(_land_loan(0.0))
    for s in (0.1, 0.37, 1.0):
        r = simulate(_land_loan(s))
        assert r.interest_mnok[0] - base.interest_mnok[0] == pytest.approx(s * 0.06 * 120.0)
        np.testing.assert_allclose(r.interest_mnok[1:], base.interest_mnok[1:])
        np.testing.assert_allclose(r.debt_closing_mnok, base.debt_closing_mnok)


@pytest.mark.parametrize("bad", ["midyear", 0, 13, True, 6.5, None])
def test_drawdown_share_refuses(bad: object):
    with pytest.raises(ValueError, match="expected start, mid, end or a month 1–12"):
        drawdown_share(bad)


# ------------------------------------------------------------------------------------------- § 14-18 book value


def _heavy_build(n_years: int = 4):
    """Existing stock: book value 1,000 on 1 Jan 2024, depreciation 50 a year; debt 500. A school (life 40,
    no VAT) costs 400 in 2024 and 400 in 2025, in use end 2026, fully borrowed; rate 0; method minimum."""
    spend = [400.0, 400.0] + [0.0] * (n_years - 2)
    return make(
        n_years,
        projects=one_project(n_years, spend, completion=2026, life=40),
        debt={"instalment_method": "minimum", "opening_debt_mnok": 500.0, "opening_debt_remaining_life_years": 20,
              "existing_book_value_mnok": 1000.0, "existing_depreciation_mnok": np.full(n_years, 50.0)},
    )  # fmt: skip


def test_minimum_counts_assets_under_construction():
    """Kommuneloven § 14-18 (1): minimum = depreciation × debt ÷ book value of the depreciable fixed assets,
    both on 1 January. Hand calculation:
    2024: 500 × 50 / 1,000 = 25; debt 31 Dec = 500 − 25 + 400 = 875.
    2025: book value 1,000 − 50 + 400 under construction = 1,350 → 875 × 50 / 1,350 = 32.4074;
          debt = 875 − 32.4074 + 400 = 1,242.5926. (Completed assets only: 875 × 50 / 950 = 46.05, 42 % more.)
    2026: book value 1,000 − 100 + 800 = 1,700 → 1,242.5926 × 50 / 1,700 = 36.5468.
    2027: the school is in use (800 / 40 = 20 a year): book value 850 + 800 = 1,650, depreciation 70.
    The construction is not depreciated before it is in use: depreciation 50, 50, 50, 70."""
    r = simulate(_heavy_build())
    np.testing.assert_allclose(r.construction_in_progress_mnok, [400, 800, 0, 0])
    np.testing.assert_allclose(r.book_value_opening_mnok[:4], [1000, 1350, 1700, 1650])
    np.testing.assert_allclose(r.depreciation_mnok, [50, 50, 50, 70])
    np.testing.assert_allclose(r.minimum_instalment_mnok[:3], [25, 875 * 50 / 1350, 1242.5925925925926 * 50 / 1700])
    assert r.minimum_instalment_mnok[1] == pytest.approx(32.4074, abs=1e-4)
    assert r.minimum_instalment_mnok[2] == pytest.approx(36.5468, abs=1e-4)
    np.testing.assert_allclose(r.instalments_mnok, r.minimum_instalment_mnok)
    debt_2027 = r.debt_opening_mnok[3]
    assert r.minimum_instalment_mnok[3] == pytest.approx(debt_2027 * 70 / 1650)


def test_construction_after_the_horizon_stays_on_the_balance():
    """A project completed after the horizon: its spend (net of VAT: 100 × 0.8 = 80 a year) is under
    construction to the end, in the book value, never capitalised into use and never depreciated."""
    r = simulate(make(3, projects=one_project(3, [100.0, 100.0, 100.0], completion=2030, life=40, vat=0.2)))
    np.testing.assert_allclose(r.construction_in_progress_mnok, [80, 160, 240])
    np.testing.assert_allclose(r.book_value_closing_mnok, [80, 160, 240])
    np.testing.assert_allclose(r.capitalised_mnok, 0.0)
    np.testing.assert_allclose(r.depreciation_mnok, 0.0)


def test_land_is_never_under_construction():
    """Land (life 0) is not a depreciable asset: not in the book value while bought nor after."""
    r = simulate(make(3, projects=one_project(3, [50.0, 0.0, 0.0], completion=2026, life=0)))
    np.testing.assert_allclose(r.construction_in_progress_mnok, 0.0)
    np.testing.assert_allclose(r.book_value_opening_mnok, 0.0)


# ------------------------------------------------------------------------------------------- start loans in full


def _start_loans(repay_as_received: bool, **over: object):
    """Opening: debt to Husbanken 100 (10 years left), receivables 90 (9 years), unlent 10; serial. 2024:
    borrowed 50, lent 40, both drawn 1 July; Husbanken 3 %, borrowers 3.5 % (margin 0.5 %); 10 % of the
    receivables left after the scheduled instalment are repaid early, 2 % are lost."""
    sl = {"opening_debt_mnok": 100.0, "opening_debt_remaining_life_years": 10, "opening_receivables_mnok": 90.0,
          "opening_receivables_remaining_life_years": 9, "opening_unlent_mnok": 10.0,
          "borrowing_mnok": np.array([50.0]), "lending_mnok": np.array([40.0]), "interest_rate": np.array([0.03]),
          "margin_rate": 0.005, "method": "serial", "early_repayment_rate": 0.1, "loss_rate": 0.02,
          "husbanken_term_years": 20, "borrower_term_years": 20, "repay_as_received": repay_as_received, **over}  # fmt: skip
    return simulate(make(1, start_loans=sl))


def test_start_loans_in_full_by_hand():
    """Interest paid 0.03 × 100 + 0.03 × 50 × 0.5 = 3.75; received 0.035 × 90 + 0.035 × 40 × 0.5 = 3.85.
    Received: scheduled 90 / 9 = 10, early 0.1 × 80 = 8 → 18; lost 0.02 × 80 = 1.6. Paid: 100 / 10 = 10.
    Receivables 90 − 18 − 1.6 + 40 = 110.4; debt 100 − 10 + 50 = 140; unlent 10 + 50 − 40 = 20.
    Net debt (startlån part) 140 − 110.4 − 20 = 9.6 = what was received and not passed on (8) + the loss (1.6).
    NDR: 3.85 − 3.75 − 1.6 = −1.5. Budget lines: renteutgifter 3.75, renteinntekter 3.85, own share −0.10."""
    r = _start_loans(False)
    assert r.startlan_interest_mnok[0] == pytest.approx(3.75)
    assert r.startlan_interest_income_mnok[0] == pytest.approx(3.85)
    assert r.startlan_received_instalments_mnok[0] == pytest.approx(18.0)
    assert r.startlan_early_repayments_mnok[0] == pytest.approx(8.0)
    assert r.startlan_losses_mnok[0] == pytest.approx(1.6)
    assert r.startlan_instalments_mnok[0] == pytest.approx(10.0)
    assert r.relending_receivables_mnok[0] == pytest.approx(110.4)
    assert r.startlan_debt_mnok[0] == pytest.approx(140.0)
    assert r.startlan_unlent_mnok[0] == pytest.approx(20.0)
    assert r.startlan_lending_mnok[0] == pytest.approx(40.0)
    assert r.net_debt_mnok[0] == pytest.approx(9.6)
    assert r.ndr_mnok[0] == pytest.approx(-1.5)
    assert r.interest_expenses_mnok[0] == pytest.approx(3.75)
    assert r.interest_revenue_mnok[0] == pytest.approx(3.85)
    assert r.own_interest_expenses_mnok[0] == pytest.approx(-0.1)


def test_start_loans_passing_on_what_is_received():
    """With repay_as_received the 18 received is paid on to Husbanken: debt 100 − 18 + 50 = 132, and the net
    debt of the start loans is only the loss: 132 − 110.4 − 20 = 1.6."""
    r = _start_loans(True)
    assert r.startlan_instalments_mnok[0] == pytest.approx(18.0)
    assert r.startlan_debt_mnok[0] == pytest.approx(132.0)
    assert r.net_debt_mnok[0] == pytest.approx(1.6)


def test_start_loan_stocks_over_years_invariants():
    """Over 6 years with lending lagging borrowing, early repayments and losses, paying on what is received:
    debt_t = debt_{t−1} + borrowing − paid; receivables_t = receivables_{t−1} + lending − received − losses;
    unlent_t = unlent_{t−1} + borrowing − lending; and net debt rises by exactly the losses."""
    n = 6
    borrowing = np.array([300.0, 300, 250, 250, 200, 200])
    lending = np.array([250.0, 320, 260, 250, 180, 200])
    sl = {"opening_debt_mnok": 1750.0, "opening_debt_remaining_life_years": 23, "opening_receivables_mnok": 1740.0,
          "opening_receivables_remaining_life_years": 22, "opening_unlent_mnok": 10.0, "borrowing_mnok": borrowing,
          "lending_mnok": lending, "interest_rate": np.full(n, 0.04), "husbanken_term_years": 25,
          "borrower_term_years": 25, "early_repayment_rate": 0.03, "loss_rate": 0.001}  # fmt: skip
    r = simulate(make(n, start_loans=sl))
    prev = lambda x, x0: np.concatenate(([x0], x[:-1]))  # noqa: E731
    np.testing.assert_allclose(
        r.startlan_debt_mnok, prev(r.startlan_debt_mnok, 1750.0) + borrowing - r.startlan_instalments_mnok
    )
    np.testing.assert_allclose(
        r.relending_receivables_mnok,
        prev(r.relending_receivables_mnok, 1740.0) + lending - r.startlan_received_instalments_mnok
        - r.startlan_losses_mnok,
    )  # fmt: skip
    np.testing.assert_allclose(r.startlan_unlent_mnok, 10.0 + np.cumsum(borrowing - lending))
    np.testing.assert_allclose(np.diff(r.net_debt_mnok, prepend=0.0), r.startlan_losses_mnok, atol=1e-9)
    np.testing.assert_allclose(r.startlan_instalments_mnok, r.startlan_received_instalments_mnok)
    assert (r.startlan_early_repayments_mnok > 0).all() and (r.startlan_losses_mnok > 0).all()


def test_lending_beyond_the_funds_is_refused():
    """Borrowed 50, lent 70 with 10 unlent at hand: 10 short in the first year."""
    sl = {"borrowing_mnok": np.array([50.0]), "lending_mnok": np.array([70.0]), "opening_unlent_mnok": 10.0}
    with pytest.raises(ValueError, match="exceeds the funds borrowed"):
        simulate(make(1, start_loans=sl))


# ------------------------------------------------------------------------------ operating costs follow projects


@pytest.mark.parametrize(("completion", "in_use"), [(2026, [0, 0, 1, 1]), (2027, [0, 0, 0, 1])])
def test_operating_cost_and_offset_move_with_the_completion_year(completion: int, in_use: list[float]):
    """A facility costing 74.5 a year whose staffing (−74.5) the unit costs already count, plus FDV 10:
    cost 84.5 and offset −74.5 from the completion year, so expenses rise by 84.5 − 74.5 = 10 in each
    year in use. Deferring completion 2026 → 2027 moves both lines by one year (hand calculation)."""
    pr = one_project(4, [0.0] * 4, completion=completion, life=0, opex=84.5)
    pr["operating_offset_mnok"] = np.array([-74.5])
    r = simulate(make(4, projects=pr))
    np.testing.assert_allclose(r.facility_operating_cost_mnok, 84.5 * np.array(in_use))
    np.testing.assert_allclose(r.facility_operating_offset_mnok, -74.5 * np.array(in_use))
    np.testing.assert_allclose(r.expenses_mnok, 10.0 * np.array(in_use))


def test_operating_offset_in_the_first_year_share():
    """With first_year_operating_share 0.5 the offset is halved in the completion year like the cost:
    cost 0.5 × 84.5 = 42.25 and offset 0.5 × −74.5 = −37.25 in 2026, full from 2027."""
    pr = one_project(4, [0.0] * 4, completion=2026, life=0, opex=84.5)
    pr["operating_offset_mnok"] = np.array([-74.5])
    r = simulate(make(4, projects=pr, operating={"first_year_operating_share": 0.5}))
    np.testing.assert_allclose(r.facility_operating_offset_mnok, [0, 0, -37.25, -74.5])
    np.testing.assert_allclose(r.expenses_mnok, [0, 0, 5.0, 10.0])
