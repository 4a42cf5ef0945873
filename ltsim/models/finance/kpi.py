"""Key figures (percent of revenue or of investment) and the fiscal rules that grade them.

:meth:`FiscalRule.status` is the one place a red/yellow/green status is computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ltsim.models.finance.result import FinanceResult

DIRECTIONS: tuple[str, ...] = ("higher_is_better", "lower_is_better")
KPIS: tuple[str, ...] = ("net_operating_result_pct", "debt_ratio_pct", "disposition_fund_pct", "own_financing_pct")
KPI_UNIT = "percent"


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

    def percent(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        return np.divide(100.0 * numerator, denominator, out=np.full(len(denominator), np.nan), where=denominator != 0)

    return {
        "net_operating_result_pct": percent(result.ndr_mnok, revenue),
        "debt_ratio_pct": percent(result.net_debt_mnok, revenue),
        "disposition_fund_pct": percent(fund, revenue),
        "own_financing_pct": percent(
            result.gross_investment_mnok - result.borrowing_mnok, result.gross_investment_mnok
        ),
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
