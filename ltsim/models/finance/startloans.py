"""Housing start loans (startlån, videreutlån) in full, and KOSTRA net debt.

The municipality borrows from Husbanken and lends on to households (kommuneloven § 14-17 (1) c: lån til
videre utlån). Two stocks are carried by cohort (the opening stock, then one cohort per year), each with
its own stated opening balance [NOK million]:

- **debt** to Husbanken: + borrowing, − instalments paid;
- **receivables** from borrowers: + lending, − instalments received (scheduled and early), − losses;
- **unlent funds** (ubrukte lånemidler): borrowed and not yet lent, ``unlent_t = unlent_{t−1} + borrowing_t
  − lending_t`` (≥ 0: lending beyond the funds at hand is refused).

So the receivables differ from the debt by the unlent funds, the losses and any gap between the two
schedules. Per year ``t``, with ``s_t`` the share of the draw year a new loan is outstanding
(:func:`.loans.draw_year_interest_mnok`; the year's lending is taken to go out at the same time)::

    interest paid     = r_t × (debt on 1 January + s_t × borrowing_t)                 (to Husbanken)
    interest received = (r_t + margin) × (receivables on 1 January + s_t × lending_t)  (from borrowers)
    scheduled         = each receivable cohort's serial/annuity instalment (borrower term)
    early             = early_repayment_rate_t × (receivables − scheduled)             (innfrielser)
    losses            = loss_rate_t × (receivables − scheduled)                         (written off)
    received          = scheduled + early
    paid              = each debt cohort's instalment (Husbanken term), raised pro rata to at least
                        ``received`` when ``repay_as_received`` (the plan's practice: paid = received)

Instalments start the year after the draw unless ``instalments_in_draw_year``. Conventions (not rules):
early repayments and losses are shares of the balance after the scheduled instalment; a loss is charged
to the operating statement in the year it is written off (no loss fund is modelled) and does not reduce
the debt to Husbanken; instalments paid and received go through the investment statement; interest
paid and received is in the operating statement (renteutgifter, renteinntekter).

Net debt (KOSTRA "netto lånegjeld", SSB): long-term debt excluding pension liabilities, less total
lending (utlån: relending receivables + other lending) and unused borrowed funds (the start loans' unlent
funds included)::

    net_debt = investment debt + startlån debt − relending receivables − other lending − unused loans

(SSB's gross indicator "langsiktig gjeld ekskl. pensjonsforpliktelser i prosent av brutto
driftsinntekter", KOSKG320000, includes relending loans in the debt; the net indicator deducts lending.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltsim.models.finance.inputs import Debt, StartLoans, year_vector
from ltsim.models.finance.loans import _instalment_factor, draw_year_interest_mnok


@dataclass(frozen=True, slots=True)
class Relending:
    """Start loans per year [Y]: flows, and the stocks on 31 December (names as in :class:`FinanceResult`)."""

    startlan_borrowing_mnok: np.ndarray
    startlan_lending_mnok: np.ndarray
    startlan_instalments_mnok: np.ndarray
    startlan_received_instalments_mnok: np.ndarray
    startlan_early_repayments_mnok: np.ndarray
    startlan_losses_mnok: np.ndarray
    startlan_interest_mnok: np.ndarray
    startlan_interest_income_mnok: np.ndarray
    startlan_debt_mnok: np.ndarray
    relending_receivables_mnok: np.ndarray
    startlan_unlent_mnok: np.ndarray


def unlent_funds_mnok(opening_mnok: float, borrowing_mnok: np.ndarray, lending_mnok: np.ndarray) -> np.ndarray:
    """Borrowed and not yet lent on, 31 December [Y]; raises ValueError naming the year lending runs ahead.

    >>> unlent_funds_mnok(10.0, np.array([100.0, 100.0]), np.array([90.0, 115.0])).tolist()
    [20.0, 5.0]
    """
    unlent = opening_mnok + np.cumsum(borrowing_mnok - lending_mnok)
    short = np.flatnonzero(unlent < -1e-9)
    if short.size:
        raise ValueError(
            f"start_loans: lending in year index {int(short[0])} exceeds the funds borrowed and not yet lent "
            f"({unlent[short[0]]:.3f} mill short)"
        )
    return np.maximum(unlent, 0.0)


def relending(start_loans: StartLoans, n_years: int) -> Relending:
    """Start-loan debt, receivables and unlent funds by cohort (opening stock + one cohort per year)."""
    borrowing = year_vector(start_loans.borrowing_mnok, n_years, "start_loans.borrowing_mnok")
    lending = (
        borrowing.copy()
        if start_loans.lending_mnok is None
        else year_vector(start_loans.lending_mnok, n_years, "start_loans.lending_mnok")
    )
    unlent = unlent_funds_mnok(start_loans.opening_unlent_mnok, borrowing, lending)
    rate = year_vector(start_loans.interest_rate, n_years, "start_loans.interest_rate")
    share = year_vector(start_loans.drawdown_share, n_years, "start_loans.drawdown_share")
    early_rate = year_vector(start_loans.early_repayment_rate, n_years, "start_loans.early_repayment_rate")
    loss_rate = year_vector(start_loans.loss_rate, n_years, "start_loans.loss_rate")
    method = start_loans.method
    same_year = start_loans.instalments_in_draw_year
    first_year_index = np.concatenate(([0], np.arange(n_years) + (0 if same_year else 1)))
    husbanken_terms = np.concatenate(
        ([start_loans.opening_debt_remaining_life_years], np.full(n_years, start_loans.husbanken_term_years))
    )
    borrower_terms = np.concatenate(
        ([start_loans.opening_receivables_remaining_life_years], np.full(n_years, start_loans.borrower_term_years))
    )
    debt = np.zeros(n_years + 1)
    receivables = np.zeros(n_years + 1)
    debt[0] = start_loans.opening_debt_mnok
    receivables[0] = start_loans.opening_receivables_mnok
    out = {name: np.zeros(n_years) for name in ("paid", "received", "early", "losses", "interest", "income")}
    debt_total = np.zeros(n_years)
    receivables_total = np.zeros(n_years)
    for t in range(n_years):
        borrower_rate = rate[t] + start_loans.margin_rate
        out["interest"][t] = rate[t] * debt.sum() + draw_year_interest_mnok(rate[t], borrowing[t], share[t])
        out["income"][t] = borrower_rate * receivables.sum() + draw_year_interest_mnok(
            borrower_rate, lending[t], share[t]
        )
        if same_year:
            debt[t + 1] += borrowing[t]
            receivables[t + 1] += lending[t]
        scheduled = receivables * _instalment_factor(borrower_terms - (t - first_year_index), borrower_rate, method)
        rest = receivables - scheduled
        early = early_rate[t] * rest
        losses = loss_rate[t] * rest
        received = scheduled + early
        paid = debt * _instalment_factor(husbanken_terms - (t - first_year_index), rate[t], method)
        shortfall_mnok = received.sum() - paid.sum()
        if start_loans.repay_as_received and shortfall_mnok > 0.0:
            left = debt - paid
            paid = np.minimum(paid + shortfall_mnok * left / max(left.sum(), shortfall_mnok), debt)
        receivables -= received + losses
        debt -= paid
        if not same_year:
            debt[t + 1] += borrowing[t]
            receivables[t + 1] += lending[t]
        out["paid"][t], out["received"][t] = paid.sum(), received.sum()
        out["early"][t], out["losses"][t] = early.sum(), losses.sum()
        debt_total[t] = debt.sum()
        receivables_total[t] = receivables.sum()
    return Relending(
        startlan_borrowing_mnok=borrowing,
        startlan_lending_mnok=lending,
        startlan_instalments_mnok=out["paid"],
        startlan_received_instalments_mnok=out["received"],
        startlan_early_repayments_mnok=out["early"],
        startlan_losses_mnok=out["losses"],
        startlan_interest_mnok=out["interest"],
        startlan_interest_income_mnok=out["income"],
        startlan_debt_mnok=debt_total,
        relending_receivables_mnok=receivables_total,
        startlan_unlent_mnok=unlent,
    )


def net_debt_mnok(investment_debt_mnok: np.ndarray, start_loans: Relending, debt: Debt) -> np.ndarray:
    """KOSTRA netto lånegjeld on 31 December [Y] (module docstring)."""
    n_years = len(investment_debt_mnok)
    return (
        investment_debt_mnok
        + start_loans.startlan_debt_mnok
        - start_loans.relending_receivables_mnok
        - start_loans.startlan_unlent_mnok
        - year_vector(debt.other_lending_mnok, n_years, "debt.other_lending_mnok")
        - year_vector(debt.unused_borrowed_funds_mnok, n_years, "debt.unused_borrowed_funds_mnok")
    )
