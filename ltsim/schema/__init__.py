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

One module per section: :mod:`~ltsim.schema.common` (the base and the ranges),
:mod:`~ltsim.schema.population`, :mod:`~ltsim.schema.services`, :mod:`~ltsim.schema.projects`,
:mod:`~ltsim.schema.finance`, :mod:`~ltsim.schema.optimize`, :mod:`~ltsim.schema.plan`; this module holds the whole scenario
(:class:`ScenarioConfig`) and re-exports every name.
"""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from ltsim.schema.common import (
    COUNT_MAX,
    DWELLINGS_MAX,
    IDENTIFIER,
    MNOK_MAX,
    MNOK_PER_UNIT_MAX,
    NAME,
    PERSONS_MAX,
    PLACES_MAX,
    SCALE_MAX,
    SHIFT_MAX,
    WEIGHT_MAX,
    YEAR_MAX,
    YEAR_MIN,
    CsvPath,
    Dwellings,
    FractionSeries,
    Mnok,
    MnokPerUnit,
    MnokSeries,
    PersonsSeries,
    Places,
    PositiveMnok,
    PositiveMnokPerUnit,
    PositiveWeight,
    Scale,
    ScaleSeries,
    SignedMnokSeries,
    SignedPlaces,
    Strict,
    Weight,
    Year,
    YearShift,
    between,
    check_fraction,
    constant,
    number_text,
    series_check,
)
from ltsim.schema.finance import (
    KPI_RANGES,
    DebtSpec,
    DeflatorSpec,
    ExpensesSpec,
    Finance,
    FiscalRuleSpec,
    FundsSpec,
    HusbankenSpec,
    InvestmentSpec,
    RateSeries,
    RevenueSpec,
    StartLoansSpec,
    check_rate,
)
from ltsim.schema.optimize import (
    HousingMoves,
    OptimizeSpec,
)
from ltsim.schema.plan import Build, BuildLimit, Closure, PlanSpec
from ltsim.schema.population import (
    Fertility,
    GapRule,
    Housing,
    Migration,
    Mortality,
    Population,
    PopulationUncertainty,
    ReleaseCondition,
)
from ltsim.schema.projects import (
    ASSET_CATEGORIES,
    DRAW_MAX,
    FACTOR_MAX,
    PHASE_NAMES,
    Distribution,
    DrawBound,
    LogNormal,
    Projects,
    Triangular,
    Uncertainty,
)
from ltsim.schema.services import (
    BUILTIN_ZONE_SYSTEMS,
    MUNICIPALITY_ZONE,
    Capacity,
    CoverageBand,
    Measure,
    Service,
    WeightBand,
    Zone,
    ZoneSystem,
)

__all__ = [
    "ASSET_CATEGORIES",
    "BUILTIN_ZONE_SYSTEMS",
    "COUNT_MAX",
    "DRAW_MAX",
    "DWELLINGS_MAX",
    "FACTOR_MAX",
    "IDENTIFIER",
    "KPI_RANGES",
    "MNOK_MAX",
    "MNOK_PER_UNIT_MAX",
    "MUNICIPALITY_ZONE",
    "NAME",
    "PERSONS_MAX",
    "PHASE_NAMES",
    "PLACES_MAX",
    "SCALE_MAX",
    "SHIFT_MAX",
    "WEIGHT_MAX",
    "YEAR_MAX",
    "YEAR_MIN",
    "Area",
    "Build",
    "BuildLimit",
    "Capacity",
    "Closure",
    "CoverageBand",
    "CsvPath",
    "DebtSpec",
    "DeflatorSpec",
    "Distribution",
    "DrawBound",
    "Dwellings",
    "ExpensesSpec",
    "Fertility",
    "Finance",
    "FiscalRuleSpec",
    "FractionSeries",
    "FundsSpec",
    "GapRule",
    "Horizon",
    "Housing",
    "HousingMoves",
    "HusbankenSpec",
    "InvestmentSpec",
    "LogNormal",
    "Measure",
    "Migration",
    "Mnok",
    "MnokPerUnit",
    "MnokSeries",
    "Mortality",
    "OptimizeSpec",
    "PersonsSeries",
    "Places",
    "PlanSpec",
    "Population",
    "PopulationUncertainty",
    "PositiveMnok",
    "PositiveMnokPerUnit",
    "PositiveWeight",
    "Projects",
    "RateSeries",
    "ReleaseCondition",
    "RevenueSpec",
    "Scale",
    "ScaleSeries",
    "ScenarioConfig",
    "Service",
    "SignedMnokSeries",
    "SignedPlaces",
    "StartLoansSpec",
    "Strict",
    "Triangular",
    "Uncertainty",
    "Weight",
    "WeightBand",
    "Year",
    "YearShift",
    "Zone",
    "ZoneSystem",
    "between",
    "check_fraction",
    "check_rate",
    "constant",
    "number_text",
    "series_check",
]


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
    plan: PlanSpec | None = None
