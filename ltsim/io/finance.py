"""Load the finance section's tables (yearly investment budgets) and check its cross-references."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ltsim.errors import Problem, show
from ltsim.io.projects import CATEGORY_COLUMN, SPEND_COLUMN
from ltsim.io.tables import Column, Table
from ltsim.schema import ScenarioConfig

Loc = tuple[str | int, ...]
ReadTable = Callable[[str, Sequence[Column], Sequence[str]], Table]
MakeProblem = Callable[[Loc, str, str | None], Problem]


@dataclass(frozen=True, slots=True)
class RecurringData:
    """Yearly investment budgets (løpende poster): R budgets over the Y flow years."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    categories: tuple[str, ...]
    spend_mnok: np.ndarray  # [R, Y]
    vat_compensation_share: np.ndarray  # [R] NaN = the scenario default


def check_finance_config(config: ScenarioConfig, problem: MakeProblem) -> list[Problem]:
    """Unit costs name declared services; at most one fiscal rule per key figure."""
    fin = config.finance
    if fin is None:
        return []
    problems = []
    services = [s.id for s in config.services]
    for key in fin.expenses.unit_cost_mnok:
        if key not in services:
            problems.append(
                problem(
                    ("finance", "expenses", "unit_cost_mnok", key),
                    f"a declared service ({', '.join(services) or 'none declared'})",
                    show(key),
                )
            )
    seen: dict[str, int] = {}
    for i, rule in enumerate(fin.fiscal_rules):
        if rule.kpi in seen:
            problems.append(
                problem(
                    ("finance", "fiscal_rules", i, "kpi"),
                    f"one rule per key figure (rule {seen[rule.kpi]} is on it)",
                    show(rule.kpi),
                )
            )
        seen.setdefault(rule.kpi, i)
    return problems + _check_start_loans(config, problem)


def _check_start_loans(config: ScenarioConfig, problem: MakeProblem) -> list[Problem]:
    """Start loans: early repayments and losses at most all of the receivables; lending within the funds."""
    assert config.finance is not None
    sl = config.finance.start_loans
    years = np.arange(config.horizon.base_year, config.horizon.end_year)
    problems = []
    share = sl.early_repayment_rate.at(years) + sl.loss_rate.at(years)
    if np.any(share > 1.0 + 1e-12):
        t = int(np.flatnonzero(share > 1.0 + 1e-12)[0])
        problems.append(
            problem(
                ("finance", "start_loans", "loss_rate"),
                "early_repayment_rate + loss_rate at most 1 in every year (shares of the same receivables)",
                f"{share[t]:g} in {int(years[t])}",
            )
        )
    if sl.lending_mnok is not None:
        unlent = sl.opening_unlent_mnok + np.cumsum(sl.borrowing_mnok.at(years) - sl.lending_mnok.at(years))
        if np.any(unlent < -1e-9):
            t = int(np.flatnonzero(unlent < -1e-9)[0])
            problems.append(
                problem(
                    ("finance", "start_loans", "lending_mnok"),
                    "lending within the funds at hand (opening_unlent_mnok + borrowing_mnok to date − lending before)",
                    f"{-unlent[t]:.3f} NOK million more lent than borrowed by {int(years[t])}",
                )
            )
    return problems


def load_recurring(config: ScenarioConfig, years: np.ndarray, table: ReadTable) -> RecurringData | None:
    """Read ``finance.investment.recurring``: id, name, category, year, spend_mnok (+ optional VAT share)."""
    fin = config.finance
    if fin is None or fin.investment.recurring is None:
        return None
    lo, hi = int(years[0]), int(years[-1])
    t = table(
        "finance.investment.recurring",
        [
            Column(
                "id",
                "str",
                pattern=r"^[a-z0-9][a-z0-9_]*$",
                expected="a budget id of lower-case letters, digits and '_'",
            ),
            Column("name", "str", expected="a name"),
            CATEGORY_COLUMN,
            Column("year", "int", lo, hi, expected=f"a year from {lo} to {hi}"),
            SPEND_COLUMN,
            Column(
                "vat_compensation_share",
                "float",
                0.0,
                1.0,
                required=False,
                expected="a share 0–1, or blank for the default",
            ),
        ],
        ["id", "year"],
    )
    ids = tuple(dict.fromkeys(t.columns["id"]))
    first = {i: r for r, i in reversed(list(enumerate(t.columns["id"])))}
    spend = np.zeros((len(ids), len(years)))
    for i, y, v in zip(t.columns["id"], t.columns["year"], t.columns["spend_mnok"], strict=True):
        spend[ids.index(i), y - lo] = v
    vat = np.array(
        [
            np.nan
            if t.columns["vat_compensation_share"][first[i]] is None
            else t.columns["vat_compensation_share"][first[i]]
            for i in ids
        ],
        dtype=float,
    )
    return RecurringData(
        ids=ids,
        names=tuple(t.columns["name"][first[i]] for i in ids),
        categories=tuple(t.columns["category"][first[i]] for i in ids),
        spend_mnok=spend,
        vat_compensation_share=vat,
    )
