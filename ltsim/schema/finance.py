"""The finance section: revenue, expenses, investment financing, debt, start loans, funds, deflator and fiscal rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    Field,
    GetCoreSchemaHandler,
    model_validator,
)
from pydantic_core import core_schema

from ltsim.errors import show
from ltsim.schema.common import (
    CsvPath,
    FractionSeries,
    Mnok,
    MnokPerUnit,
    MnokSeries,
    PositiveMnok,
    PositiveMnokPerUnit,
    SignedMnokSeries,
    Strict,
    constant,
)
from ltsim.schema.services import WeightBand
from ltsim.timeseries import YearSeries, parse_year_series, series_type

# --------------------------------------------------------------------------- finance


def check_rate(value: float) -> None:
    """Raise unless −1 < value < 1 (a yearly rate as a fraction), hinting when a percentage was written."""
    if not -1.0 < value < 1.0:
        hint = f" (write {value / 100:g} for {value:g} %)" if 1.0 <= abs(value) <= 100.0 else ""
        raise ValueError(f"found {value:g}; expected a yearly rate as a fraction between −1 and 1{hint}")


RateSeries = series_type(check_rate, "a rate as a fraction (0.042 for 4.2 %), or {year: rate}")

DRAWDOWN_WORDS: dict[str, float] = {"start": 1.0, "mid": 0.5, "end": 0.0}
DRAWDOWN_EXPECTED = "start, mid, end or a month 1–12 (drawn on its first day), or {year: one of these}"


def drawdown_share(value: Any) -> float:
    """Share of the draw year a new loan is outstanding: start 1, mid 0.5, end 0, month m ``(13 − m)/12``.

    A month means the loan is drawn on its first day, so month 1 = start and month 7 = mid.

    >>> [drawdown_share(v) for v in ("start", "mid", "end", 10)]
    [1.0, 0.5, 0.0, 0.25]
    """
    if isinstance(value, str) and value in DRAWDOWN_WORDS:
        return DRAWDOWN_WORDS[value]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return (13 - value) / 12
    raise ValueError(f"found {show(value)}; expected {DRAWDOWN_EXPECTED}")


@dataclass(frozen=True, slots=True)
class DrawdownTiming(YearSeries):
    """When in the year new loans are drawn, per year: ``at(years)`` gives the share of the draw year outstanding.

    Written as ``mid``, ``3`` or ``{2024: mid, 2026: end}`` (a value holds until the next year given);
    ``labels`` keeps what was written, for the resolved scenario.
    """

    labels: tuple[str | int, ...] = ()

    def to_json(self) -> Any:
        """What was written: a label or a ``{year: label}`` map."""
        if self.is_constant:
            return self.labels[0]
        return {str(year): label for (year, _), label in zip(self.points, self.labels, strict=True)}


def parse_drawdown(value: Any) -> DrawdownTiming:
    """``start``/``mid``/``end``/a month, or a ``{year: …}`` map of them (see :func:`drawdown_share`)."""
    if isinstance(value, DrawdownTiming):
        return value
    if isinstance(value, Mapping):
        labels = dict(value.items())
        if "method" in labels:
            raise ValueError(f"found key 'method'; expected {DRAWDOWN_EXPECTED}")
        shares_by_key = {}
        for key, raw in labels.items():
            try:
                shares_by_key[key] = drawdown_share(raw)
            except ValueError:
                raise ValueError(f"found {show(raw)} in year {show(key)}; expected {DRAWDOWN_EXPECTED}") from None
        shares = parse_year_series(shares_by_key)
        by_year = {int(key): raw for key, raw in labels.items()}
        return DrawdownTiming(shares.points, labels=tuple(by_year[int(y)] for y, _ in shares.points))
    return DrawdownTiming(((None, drawdown_share(value)),), labels=(value,))


class Drawdown:
    """Pydantic annotation for :class:`DrawdownTiming`."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            parse_drawdown,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda s: s.to_json()),
            json_schema_input_schema=core_schema.any_schema(),
        )


MID_YEAR = DrawdownTiming(((None, 0.5),), labels=("mid",))
InstalmentsFrom = Literal["next_year", "draw_year"]

KPI_RANGES: dict[str, tuple[float, float]] = {
    # plausible range of each key figure as a fraction; a value outside is taken for a percentage
    "net_operating_result": (-1.0, 1.0),
    "debt_ratio": (0.0, 5.0),
    "disposition_fund": (0.0, 5.0),
    "own_financing": (0.0, 1.0),
}


class FiscalRuleSpec(Strict):
    """A handlingsregel: red and green thresholds of a key figure, as fractions (0.0175 for 1.75 %).

    ``net_operating_result``, ``debt_ratio`` and ``disposition_fund`` are fractions of gross operating
    revenue (brutto driftsinntekter), ``own_financing`` of gross investment.
    """

    kpi: Literal["net_operating_result", "debt_ratio", "disposition_fund", "own_financing"]
    direction: Literal["higher_is_better", "lower_is_better"]
    red: float
    green: float
    green_inclusive: bool = False
    source: str | None = None

    @model_validator(mode="after")
    def _thresholds(self) -> FiscalRuleSpec:
        lo, hi = KPI_RANGES[self.kpi]
        for name in ("red", "green"):
            value = getattr(self, name)
            if not lo <= value <= hi:
                hint = f" (write {value / 100:g} for {value:g} %)" if abs(value) > 1 else ""
                raise ValueError(f"found {name} {value:g}; expected a fraction between {lo:g} and {hi:g}{hint}")
        if self.direction == "higher_is_better" and self.red > self.green:
            raise ValueError(
                f"found red {self.red:g} above green {self.green:g}; expected red ≤ green when higher is better"
            )
        if self.direction == "lower_is_better" and self.red < self.green:
            raise ValueError(
                f"found red {self.red:g} below green {self.green:g}; expected red ≥ green when lower is better"
            )
        return self


class RevenueSpec(Strict):
    """Gross operating revenue: base year level × real growth × population index (+ other)."""

    base_mnok: PositiveMnok
    real_growth: RateSeries = constant(0.0)  # type: ignore[valid-type]
    weight_by_age: list[WeightBand] = Field(default_factory=list)
    other_mnok: SignedMnokSeries = constant(0.0)  # type: ignore[valid-type]
    source: str | None = None


class ExpensesSpec(Strict):
    """Operating expenses excluding depreciation: base + demography + new facilities − savings − efficiency."""

    base_mnok: Mnok
    unit_cost_mnok: dict[str, MnokPerUnit] = Field(default_factory=dict)
    savings_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
    efficiency_new_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
    other_mnok: SignedMnokSeries = constant(0.0)  # type: ignore[valid-type]
    first_year_operating_share: float = Field(default=1.0, ge=0, le=1)
    population_driven_share: float = Field(default=0.0, ge=0, le=1)
    source: str | None = None


class HusbankenSpec(Strict):
    """Husbanken's investment grant for net new 24-hour care places."""

    cost_cap_per_place_mnok: PositiveMnokPerUnit
    grant_share: float = Field(ge=0, le=1)
    timing: Literal["completion", "spend"] = "completion"
    source: str | None = None


class InvestmentSpec(Strict):
    """How investments are financed, and yearly investment budgets that are not projects."""

    vat_compensation_share: float = Field(default=0.2, ge=0, le=1)
    own_financing_share: FractionSeries = constant(0.0)  # type: ignore[valid-type]
    own_financing_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
    capital_income_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
    recurring: CsvPath | None = None
    husbanken: HusbankenSpec | None = None
    source: str | None = None


class DebtSpec(Strict):
    """Investment debt: opening stock, rate path, instalment rule; the existing fixed assets for § 14-18."""

    interest_rate: RateSeries  # type: ignore[valid-type]
    instalment_method: Literal["serial", "annuity", "minimum"] = "annuity"
    opening_debt_mnok: Mnok
    opening_debt_remaining_life_years: int = Field(ge=1, le=100)
    existing_book_value_mnok: Mnok
    existing_depreciation_mnok: MnokSeries  # type: ignore[valid-type]
    land_loan_term_years: int = Field(default=50, ge=1, le=100)
    on_zero_book_value: Literal["planned", "raise"] = "planned"
    other_lending_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
    unused_borrowed_funds_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
    drawdown: Drawdown = MID_YEAR  # type: ignore[valid-type]
    instalments_from: InstalmentsFrom = "next_year"
    source: str | None = None


class StartLoansSpec(Strict):
    """Housing start loans (startlån): borrowed from Husbanken and lent on; kept apart from investment debt.

    Debt, receivables and unlent funds each have a stated opening balance; losses, early repayments and
    lending that lags the borrowing make the receivables differ from the debt.
    """

    borrowing_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
    lending_mnok: MnokSeries | None = None  # type: ignore[valid-type]
    opening_unlent_mnok: Mnok = 0.0
    early_repayment_rate: FractionSeries = constant(0.0)  # type: ignore[valid-type]
    loss_rate: FractionSeries = constant(0.0)  # type: ignore[valid-type]
    interest_rate: RateSeries = constant(0.0)  # type: ignore[valid-type]
    husbanken_term_years: int = Field(default=20, ge=1, le=50)
    borrower_term_years: int = Field(default=25, ge=1, le=50)
    opening_debt_mnok: Mnok = 0.0
    opening_debt_remaining_life_years: int = Field(default=1, ge=1, le=50)
    opening_receivables_mnok: Mnok = 0.0
    opening_receivables_remaining_life_years: int = Field(default=1, ge=1, le=50)
    margin_rate: float = Field(default=0.0, ge=-0.1, le=0.1)
    method: Literal["annuity", "serial"] = "annuity"
    repay_as_received: bool = True
    drawdown: Drawdown = MID_YEAR  # type: ignore[valid-type]
    instalments_from: InstalmentsFrom = "next_year"
    source: str | None = None


class FundsSpec(Strict):
    """Disposition fund and the energy fund (return set aside)."""

    disposition_fund_opening_mnok: Mnok
    disposition_fund_return_rate: float = Field(default=0.0, ge=-0.5, le=0.5)
    energy_fund_opening_mnok: Mnok = 0.0
    energy_fund_real_return_rate: RateSeries = constant(0.0)  # type: ignore[valid-type]
    energy_fund_retained_share: float = Field(default=1.0, ge=0, le=1)
    include_energy_fund_in_fund_kpi: bool = False
    source: str | None = None


class DeflatorSpec(Strict):
    """Wage and price growth for showing nominal figures (municipal deflator)."""

    wage_growth: RateSeries  # type: ignore[valid-type]
    price_growth: RateSeries  # type: ignore[valid-type]
    wage_share: float = Field(default=0.6, ge=0, le=1)
    source: str | None = None


class Finance(Strict):
    """The municipal economy: operating budget, investment financing, debt, funds and fiscal rules."""

    revenue: RevenueSpec
    expenses: ExpensesSpec
    investment: InvestmentSpec = Field(default_factory=InvestmentSpec)
    debt: DebtSpec
    start_loans: StartLoansSpec = Field(default_factory=StartLoansSpec)
    funds: FundsSpec
    interest_income_mnok: SignedMnokSeries = constant(0.0)  # type: ignore[valid-type]
    fiscal_rules: list[FiscalRuleSpec] = Field(default_factory=list)
    deflator: DeflatorSpec | None = None
    source: str | None = None
