"""The scenario schema (pydantic v2): what a scenario YAML file may say.

Every section forbids unknown keys. Rates are fractions (0.042, not 4.2); a percentage
where a fraction is expected is an error with a hint. Paths to CSV tables are relative to
the YAML file that names them. Dated values are numbers or ``{year: value}`` maps
(:mod:`ltsim.timeseries`).

Every number is finite and lies in a plausible range for its kind of quantity, stated once
here as a reusable annotated type and used for every field of that kind (and, through the
constants, for the CSV columns of the same quantity). The ranges are generous enough for
Oslo (about 700,000 residents, a budget of about 100,000 NOK million) and exist to catch
typing slips (``1e308``, a missing decimal point), not to judge a plan:

=========================================  =================================
quantity                                   range
=========================================  =================================
money, NOK million (a stock or a year)     0 … 1,000,000 (signed: ± that)
money per user, place or dwelling a year   0 … 1,000 NOK million
persons (a cell, an area's in-migrants)    0 … 10,000,000
dwellings (per development and year)       0 … 1,000,000
places (capacity, gaps, shortfall limits)  0 … 1,000,000 (signed: ± that)
fractions and shares                       0 … 1
yearly rates (interest, growth)            −1 … 1 (exclusive)
multipliers (scales of rates and flows)    0 … 100
years                                      1900 … 2300
years a plan moves (defer)                 −100 … 100 (projects: −30 … 30)
optimiser weights and penalties            0 … 1,000,000
counts (projects at a time)                0 … 10,000
=========================================  =================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ltsim.timeseries import YearSeries, series_type

IDENTIFIER = r"^[a-z0-9][a-z0-9_]*$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

# --------------------------------------------------------------------------- plausible ranges

MNOK_MAX = 1_000_000.0  # NOK million: a stock or a yearly flow (1,000 billion NOK; Oslo's budget is ~100,000)
MNOK_PER_UNIT_MAX = 1_000.0  # NOK million per user, place or dwelling (a year)
PERSONS_MAX = 10_000_000.0  # persons: a cell of a table, an area's in-migrants a year, a municipal total
DWELLINGS_MAX = 1_000_000.0  # dwellings completed by one development in one year
PLACES_MAX = 1_000_000.0  # places of a service (a facility, a project, a gap, a shortfall limit)
SCALE_MAX = 100.0  # a multiplier on rates or flows
YEAR_MIN, YEAR_MAX = 1900, 2300
SHIFT_MAX = 100  # years a development may be moved
WEIGHT_MAX = 1_000_000.0  # an optimiser weight or penalty
COUNT_MAX = 10_000  # projects at a time


def number_text(value: float) -> str:
    """A bound as people write it: 1,000,000 rather than 1e+06."""
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def between(lo: float, hi: float, unit: str, lo_open: bool = False) -> Callable[[float], float]:
    """A check that ``lo`` ≤ value ≤ ``hi`` (``lo`` < value with ``lo_open``), naming the range and unit."""
    low = f"greater than {number_text(lo)}" if lo_open else f"greater than or equal to {number_text(lo)}"
    expected = f"{low} and less than or equal to {number_text(hi)} ({unit})"

    def check(value: float) -> float:
        if value < lo or (lo_open and value == lo) or value > hi:
            raise ValueError(f"found {value:g}; expected {expected}")
        return value

    return check


def series_check(lo: float, hi: float, noun: str) -> Callable[[float], None]:
    """A check for the values of a :class:`YearSeries`: ``lo`` ≤ value ≤ ``hi``."""

    def check(value: float) -> None:
        if not lo <= value <= hi:
            raise ValueError(f"found {value:g}; expected a number ≥ {number_text(lo)} and ≤ {number_text(hi)} ({noun})")

    return check


Mnok = Annotated[float, AfterValidator(between(0.0, MNOK_MAX, "NOK million"))]
PositiveMnok = Annotated[float, AfterValidator(between(0.0, MNOK_MAX, "NOK million", lo_open=True))]
MnokPerUnit = Annotated[float, AfterValidator(between(0.0, MNOK_PER_UNIT_MAX, "NOK million per unit a year"))]
PositiveMnokPerUnit = Annotated[
    float, AfterValidator(between(0.0, MNOK_PER_UNIT_MAX, "NOK million per unit", lo_open=True))
]
Dwellings = Annotated[float, AfterValidator(between(0.0, DWELLINGS_MAX, "dwellings a year"))]
Places = Annotated[float, AfterValidator(between(0.0, PLACES_MAX, "places"))]
SignedPlaces = Annotated[float, AfterValidator(between(-PLACES_MAX, PLACES_MAX, "places"))]
Scale = Annotated[float, AfterValidator(between(0.0, SCALE_MAX, "a multiplier"))]
Year = Annotated[int, AfterValidator(between(YEAR_MIN, YEAR_MAX, "a year"))]
YearShift = Annotated[int, AfterValidator(between(-SHIFT_MAX, SHIFT_MAX, "years"))]
Weight = Annotated[float, AfterValidator(between(0.0, WEIGHT_MAX, "a weight"))]
PositiveWeight = Annotated[float, AfterValidator(between(0.0, WEIGHT_MAX, "a weight", lo_open=True))]


def check_fraction(value: float) -> None:
    """Raise unless 0 ≤ value ≤ 1, hinting when a percentage was written."""
    if not 0.0 <= value <= 1.0:
        hint = f" (write {value / 100:g} for {value:g} %)" if 1.0 < value <= 100.0 else ""
        raise ValueError(f"found {value:g}; expected a fraction between 0 and 1{hint}")


FractionSeries = series_type(check_fraction, "a fraction 0–1, or {year: fraction}")
PersonsSeries = series_type(series_check(0.0, PERSONS_MAX, "persons a year"), "persons a year, or {year: persons}")
ScaleSeries = series_type(series_check(0.0, SCALE_MAX, "a multiplier"), "a multiplier 0–100, or {year: multiplier}")
MnokSeries = series_type(series_check(0.0, MNOK_MAX, "NOK million"), "NOK million ≥ 0, or {year: NOK million}")
SignedMnokSeries = series_type(series_check(-MNOK_MAX, MNOK_MAX, "NOK million"), "NOK million, or {year: NOK million}")


def constant(value: float) -> YearSeries:
    """A constant :class:`YearSeries` (for defaults)."""
    return YearSeries(((None, float(value)),))


CsvPath = Annotated[str, Field(min_length=1)]  # relative to the YAML file that names it


class Strict(BaseModel):
    """Base for every section: unknown keys are errors; objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Horizon(Strict):
    """Years of the projection: stocks on 1 January from ``base_year`` to ``end_year``."""

    base_year: int = Field(ge=1900, le=2200)
    end_year: int = Field(ge=1900, le=2300)

    @field_validator("end_year")
    @classmethod
    def _order(cls, end_year: int, info: ValidationInfo) -> int:
        base_year = info.data.get("base_year")
        if base_year is not None and end_year <= base_year:
            raise ValueError(f"found {end_year} (≤ base_year {base_year}); expected a year after base_year {base_year}")
        return end_year


class Area(Strict):
    """A planning area (planleggingsområde)."""

    id: str = Field(pattern=IDENTIFIER)
    name: str = Field(min_length=1)
    region: str | None = None
    source: str | None = None


class Mortality(Strict):
    """Death probabilities by age and sex for the base year, improving over time."""

    rates: CsvPath
    improvement: FractionSeries = constant(0.0)  # type: ignore[valid-type]
    improvement_by_sex: dict[Literal["female", "male"], FractionSeries] | None = None  # type: ignore[valid-type]
    source: str | None = None


class Fertility(Strict):
    """Age-specific fertility of women 15–49 and the sex ratio at birth."""

    rates: CsvPath
    scale: ScaleSeries = constant(1.0)  # type: ignore[valid-type]
    sex_ratio_at_birth: float = Field(default=1.05, gt=0.8, lt=1.3)
    source: str | None = None


class Migration(Strict):
    """Ordinary migration: out-migration rates by age/sex; in-migrants per area with an age profile."""

    out_rates: CsvPath
    in_profiles: CsvPath
    in_persons: dict[str, PersonsSeries]  # type: ignore[valid-type]
    in_profile: str = "families"
    in_profile_by_area: dict[str, str] = Field(default_factory=dict)
    out_rate_scale_by_area: dict[str, Scale] = Field(default_factory=dict)
    in_scale: ScaleSeries = constant(1.0)  # type: ignore[valid-type]
    out_scale: ScaleSeries = constant(1.0)  # type: ignore[valid-type]
    source: str | None = None


class GapRule(Strict):
    """Release only while the gap (places needed − usable capacity) of a service in a zone stays ≤ a limit."""

    service: str
    zone: str
    max_gap_places: SignedPlaces
    lookahead_years: int | None = Field(default=None, ge=1, le=100)


class ReleaseCondition(Strict):
    """Sequencing rules (rekkefølgekrav) on one housing development; all must hold."""

    after_projects: list[str] = Field(default_factory=list)
    not_before: Year | None = None  # no dwellings completed before this year
    max_dwellings_per_year: Dwellings | None = None
    max_gap: list[GapRule] = Field(default_factory=list)
    source: str | None = None


class Housing(Strict):
    """Housing programme, the persons each new dwelling brings, and conditions on its release."""

    programme: CsvPath
    occupancy: CsvPath
    realisation: FractionSeries = constant(1.0)  # type: ignore[valid-type]
    conditions: dict[str, ReleaseCondition] = Field(default_factory=dict)
    defer: dict[str, YearShift] = Field(default_factory=dict)  # development → years later (negative: earlier)
    source: str | None = None


class Population(Strict):
    """The population model and its input tables."""

    method: Literal["cohort_component"] = "cohort_component"
    max_age: int = Field(default=100, ge=50, le=120)
    base: CsvPath
    mortality: Mortality
    fertility: Fertility
    migration: Migration
    housing: Housing | None = None
    control_totals: CsvPath | None = None
    source: str | None = None


# --------------------------------------------------------------------------- services and capacity

BUILTIN_ZONE_SYSTEMS = ("areas", "municipality")
MUNICIPALITY_ZONE = "kommune"


class Zone(Strict):
    """A service zone (e.g. a school catchment or a group of them)."""

    id: str = Field(pattern=IDENTIFIER)
    name: str = Field(min_length=1)
    source: str | None = None


class ZoneSystem(Strict):
    """Zones of one kind and how planning areas map onto them (an area may split by share)."""

    id: str = Field(pattern=IDENTIFIER)
    name: str | None = None
    zones: list[Zone] = Field(min_length=1)
    mapping: CsvPath
    source: str | None = None


def _check_band(ages: tuple[int, int]) -> tuple[int, int]:
    if ages[0] > ages[1]:
        raise ValueError(f"found ages [{ages[0]}, {ages[1]}]; expected [lowest, highest] with lowest ≤ highest")
    return ages


class CoverageBand(Strict):
    """Share of residents aged ``ages[0]``…``ages[1]`` (inclusive, on 1 January) who use the service."""

    ages: tuple[Annotated[int, Field(ge=0, le=120)], Annotated[int, Field(ge=0, le=120)]]
    rate: FractionSeries  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _band(self) -> CoverageBand:
        _check_band(self.ages)
        return self


class WeightBand(Strict):
    """Places per user for ages ``ages[0]``…``ages[1]`` (children under 3 count as 2 kindergarten places)."""

    ages: tuple[Annotated[int, Field(ge=0, le=120)], Annotated[int, Field(ge=0, le=120)]]
    weight: float = Field(gt=0, le=10)

    @model_validator(mode="after")
    def _band(self) -> WeightBand:
        _check_band(self.ages)
        return self


class Service(Strict):
    """A service with places: who uses it (coverage by age), where (zone system), how full it may run."""

    id: str = Field(pattern=IDENTIFIER)
    name: str = Field(min_length=1)
    zone_system: str
    coverage: list[CoverageBand] = Field(min_length=1)
    place_weight: list[WeightBand] = Field(default_factory=list)
    private_share: FractionSeries = constant(0.0)  # type: ignore[valid-type]
    target_utilisation: float = Field(default=1.0, gt=0, le=1)
    source: str | None = None


class Measure(Strict):
    """A structural measure: a named bundle of capacity events (and new facilities) to switch on."""

    description: str | None = None
    events: CsvPath | None = None
    facilities: CsvPath | None = None
    source: str | None = None


class Capacity(Strict):
    """The facility register, the plan's capacity events and the structural measures."""

    facilities: CsvPath
    events: CsvPath | None = None
    measures: dict[str, Measure] = Field(default_factory=dict)
    active_measures: list[str] = Field(default_factory=list)
    source: str | None = None


# --------------------------------------------------------------------------- projects

PHASE_NAMES = ("planning", "regulation", "procurement", "construction")
ASSET_CATEGORIES: dict[str, int | None] = {
    # depreciation life in years (forskrift 7.6.2019 nr. 714 § 3-4); None = not depreciated
    "it_equipment": 5,
    "machinery": 10,
    "technical_installations": 20,
    "school": 40,
    "kindergarten": 40,
    "housing": 40,
    "care_housing": 40,
    "sports": 40,
    "roads": 40,
    "water_sewage": 40,
    "nursing_home": 50,
    "administration": 50,
    "culture": 50,
    "church_cemetery": 50,
    "land": None,
}


DRAW_MAX = 1_000.0  # a triangular bound: extra months of a phase (or a cost factor), in size
FACTOR_MAX = 100.0  # a drawn factor on a duration or a cost

DrawBound = Annotated[float, AfterValidator(between(-DRAW_MAX, DRAW_MAX, "extra months, or a factor"))]


class Triangular(Strict):
    """Triangular distribution: extra months of a phase (−1,000 … 1,000), or a cost factor (0 … 100)."""

    dist: Literal["triangular"]
    low: DrawBound
    mode: DrawBound
    high: DrawBound

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"found low {self.low:g}, mode {self.mode:g}, high {self.high:g}; expected low ≤ mode ≤ high"
            )
        return self


class LogNormal(Strict):
    """Log-normal factor: ``median · exp(sigma · Z)`` (multiplies a phase's duration, or the cost)."""

    dist: Literal["lognormal"]
    median: Annotated[float, AfterValidator(between(0.0, FACTOR_MAX, "a factor", lo_open=True))]
    sigma: float = Field(ge=0, le=3)


Distribution = Annotated[Triangular | LogNormal, Field(discriminator="dist")]


class Uncertainty(Strict):
    """Distributions per phase (extra months, or a factor on the duration) and for the cost factor."""

    planning: Distribution | None = None
    regulation: Distribution | None = None
    procurement: Distribution | None = None
    construction: Distribution | None = None
    cost: Distribution | None = None

    @field_validator("cost")
    @classmethod
    def _cost(cls, value: Triangular | LogNormal | None) -> Triangular | LogNormal | None:
        if isinstance(value, Triangular) and not (value.low >= 0 and value.high <= FACTOR_MAX):
            raise ValueError(
                f"found low {value.low:g}, high {value.high:g}; expected a cost factor from 0 to"
                f" {FACTOR_MAX:g} (1.1 for 10 % over the estimate)"
            )
        return value


class Projects(Strict):
    """The investment programme and how it is simulated."""

    catalogue: CsvPath
    plan_spend: CsvPath | None = None
    mode: Literal["deterministic", "stochastic"] = "deterministic"
    delivery_capacity: int = Field(default=0, ge=0, le=COUNT_MAX)
    large_project_mnok: Mnok = 100.0
    cost_profile: dict[
        Literal["planning", "regulation", "procurement", "construction"], Annotated[float, Field(ge=0, le=1)]
    ] = Field(default_factory=lambda: {"planning": 0.03, "regulation": 0.02, "procurement": 0.02, "construction": 0.93})
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    uncertainty_by_category: dict[str, Uncertainty] = Field(default_factory=dict)
    variants: dict[str, str] = Field(default_factory=dict)
    defer: dict[str, Annotated[int, Field(ge=-30, le=30)]] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)
    source: str | None = None

    @field_validator("cost_profile")
    @classmethod
    def _profile(cls, profile: dict[str, float]) -> dict[str, float]:
        missing = [p for p in PHASE_NAMES if p not in profile]
        if missing:
            raise ValueError(
                f"found no share for {', '.join(missing)}; expected a share for each of {', '.join(PHASE_NAMES)}"
            )
        total = sum(profile.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"found cost_profile shares summing to {total:g}; expected shares that sum to 1")
        return profile


# --------------------------------------------------------------------------- finance


def check_rate(value: float) -> None:
    """Raise unless −1 < value < 1 (a yearly rate as a fraction), hinting when a percentage was written."""
    if not -1.0 < value < 1.0:
        hint = f" (write {value / 100:g} for {value:g} %)" if 1.0 <= abs(value) <= 100.0 else ""
        raise ValueError(f"found {value:g}; expected a yearly rate as a fraction between −1 and 1{hint}")


RateSeries = series_type(check_rate, "a rate as a fraction (0.042 for 4.2 %), or {year: rate}")

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
    source: str | None = None


class StartLoansSpec(Strict):
    """Housing start loans (startlån): borrowed from Husbanken and lent on; kept apart from investment debt."""

    borrowing_mnok: MnokSeries = constant(0.0)  # type: ignore[valid-type]
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


class HousingMoves(Strict):
    """The optimiser's switch for housing: these developments' completion years become decisions too.

    A development moves as a block (all its completions by the same number of years); under
    sequencing rules the decision is the year its release may start, tied to the projects it waits
    for. Moves range over −``max_advance_years`` … +``max_deferral_years``;
    ``penalty_per_dwelling_year`` is the objective cost of one dwelling completed one year away from
    the scenario's timing (unmet place-year units).
    """

    developments: list[str] | None = None  # None: every development without gap rules that no project waits for
    max_deferral_years: int = Field(default=3, ge=0, le=20)
    max_advance_years: int = Field(default=0, ge=0, le=20)
    penalty_per_dwelling_year: Weight = 0.5
    source: str | None = None


class OptimizeSpec(Strict):
    """What the optimiser may move and what it aims for (ltsim optimize)."""

    debt_ratio_ceiling: float  # netto lånegjeld ÷ brutto driftsinntekter, a fraction (1.0 = 100 %)
    ndr_floor: float | None = Field(default=None, ge=-1, le=1)
    max_deferral_years: int = Field(default=5, ge=0, le=20)
    max_advance_years: int = Field(default=0, ge=0, le=20)
    allow_drop: bool = False
    shift_mandatory: bool = False
    unmet_weight: dict[str, Weight] = Field(default_factory=dict)
    deferral_penalty: Weight = 1.0
    cost_weight: Weight = 0.01
    max_spend_mnok: MnokSeries | None = None  # type: ignore[valid-type]
    max_concurrent: int | None = Field(default=None, ge=1, le=COUNT_MAX)
    elastic: bool = True
    breach_penalty: PositiveWeight = 1000.0
    confidence: float | None = None  # hold the ceiling with this probability (0.5 < p < 1)
    confidence_reps: int = Field(default=500, ge=50, le=100_000)  # Monte Carlo replications for that check
    max_shortfall_places: dict[str, Places] = Field(default_factory=dict)
    shortfall_penalty: PositiveWeight = 100.0  # per place-year over a limit: below breach_penalty,
    # so the debt ceiling (per NOK million) gives way last
    housing: HousingMoves | None = None
    source: str | None = None

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: float | None) -> float | None:
        if value is not None and not 0.5 < value < 1:
            hint = f" (write {value / 100:g} for {value:g} %)" if 50 < value < 100 else ""
            raise ValueError(f"found {value:g}; expected a probability above 0.5 and below 1{hint}")
        return value

    @field_validator("debt_ratio_ceiling")
    @classmethod
    def _ceiling(cls, value: float) -> float:
        if not 0 < value <= 5:
            hint = f" (write {value / 100:g} for {value:g} %)" if 5 < value <= 500 else ""
            raise ValueError(
                f"found {value:g}; expected a fraction of gross operating revenue above 0 and at most 5{hint}"
            )
        return value


class ScenarioConfig(Strict):
    """A whole scenario as written (after ``extends:`` is merged).

    ``data_roots`` lists folders (relative to the YAML file that names them) where tables may
    lie besides the folder of the YAML file that names each table (see :mod:`ltsim.scenario`).
    """

    data_roots: list[CsvPath] | None = None  # not part of the scenario's hash: tables are hashed by content
    name: str = Field(pattern=NAME, max_length=80)
    title: str | None = None
    description: str | None = None
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    horizon: Horizon
    areas: list[Area] = Field(min_length=1)
    population: Population
    zone_systems: list[ZoneSystem] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    capacity: Capacity | None = None
    projects: Projects | None = None
    finance: Finance | None = None
    optimize: OptimizeSpec | None = None
