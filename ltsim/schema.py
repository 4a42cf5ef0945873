"""The scenario schema (pydantic v2): what a scenario YAML file may say.

Every section forbids unknown keys. Rates are fractions (0.042, not 4.2); a percentage
where a fraction is expected is an error with a hint. Paths to CSV tables are relative to
the YAML file that names them. Dated values are numbers or ``{year: value}`` maps
(:mod:`ltsim.timeseries`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ltsim.timeseries import YearSeries, series_type

IDENTIFIER = r"^[a-z0-9][a-z0-9_]*$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


def check_fraction(value: float) -> None:
    """Raise unless 0 ≤ value ≤ 1, hinting when a percentage was written."""
    if not 0.0 <= value <= 1.0:
        hint = f" (write {value / 100:g} for {value:g} %)" if 1.0 < value <= 100.0 else ""
        raise ValueError(f"found {value:g}; expected a fraction between 0 and 1{hint}")


def check_non_negative(value: float) -> None:
    """Raise unless value ≥ 0."""
    if value < 0:
        raise ValueError(f"found {value:g}; expected a number ≥ 0")


FractionSeries = series_type(check_fraction, "a fraction 0–1, or {year: fraction}")
NonNegativeSeries = series_type(check_non_negative, "a number ≥ 0, or {year: number}")


def constant(value: float) -> YearSeries:
    """A constant :class:`YearSeries` (for defaults)."""
    return YearSeries(((None, float(value)),))


CsvPath = Annotated[str, Field(min_length=1)]  # relative to the YAML file that names it


class Strict(BaseModel):
    """Base for every section: unknown keys are errors; objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
    scale: NonNegativeSeries = constant(1.0)  # type: ignore[valid-type]
    sex_ratio_at_birth: float = Field(default=1.05, gt=0.8, lt=1.3)
    source: str | None = None


class Migration(Strict):
    """Ordinary migration: out-migration rates by age/sex; in-migrants per area with an age profile."""

    out_rates: CsvPath
    in_profiles: CsvPath
    in_persons: dict[str, NonNegativeSeries]  # type: ignore[valid-type]
    in_profile: str = "families"
    in_profile_by_area: dict[str, str] = Field(default_factory=dict)
    out_rate_scale_by_area: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    in_scale: NonNegativeSeries = constant(1.0)  # type: ignore[valid-type]
    out_scale: NonNegativeSeries = constant(1.0)  # type: ignore[valid-type]
    source: str | None = None


class Housing(Strict):
    """Housing programme and the persons each new dwelling brings."""

    programme: CsvPath
    occupancy: CsvPath
    realisation: FractionSeries = constant(1.0)  # type: ignore[valid-type]
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


class ScenarioConfig(Strict):
    """A whole scenario as written (after ``extends:`` is merged)."""

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
