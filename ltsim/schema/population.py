"""The population section: mortality, fertility, migration, the housing programme and its release conditions."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    field_validator,
)

from ltsim.schema.common import (
    CsvPath,
    Dwellings,
    FractionSeries,
    PersonsSeries,
    Scale,
    ScaleSeries,
    SignedPlaces,
    Strict,
    Year,
    YearShift,
    constant,
)
from ltsim.schema.projects import FACTOR_MAX, Distribution, Triangular


class Mortality(Strict):
    """Death probabilities by age and sex for the base year, improving over time."""

    rates: CsvPath
    improvement: FractionSeries = constant(0.0)  # type: ignore[valid-type]
    improvement_by_sex: dict[Literal["female", "male"], FractionSeries] | None = None  # type: ignore[valid-type]
    scale: ScaleSeries = constant(1.0)  # type: ignore[valid-type]  # level multiplier (q capped at 1)
    source: str | None = None


class Fertility(Strict):
    """Age-specific fertility of women 15–49 and the sex ratio at birth."""

    rates: CsvPath
    scale: ScaleSeries = constant(1.0)  # type: ignore[valid-type]
    # a fertility level per planning area (multiplier, 1 where absent); None when absent (scenario hashes unchanged)
    scale_by_area: dict[str, Scale] | None = None
    sex_ratio_at_birth: float = Field(default=1.05, gt=0.8, lt=1.3)
    source: str | None = None


class Migration(Strict):
    """Ordinary migration: out-migration rates by age/sex; in-migrants per area with an age profile."""

    out_rates: CsvPath
    in_profiles: CsvPath
    in_persons: dict[str, PersonsSeries]  # type: ignore[valid-type]
    # in-migrants a year per resident of the area on 1 January, added to in_persons (a rate: grows with the area);
    # None (not {}) when absent, so the scenario hash of every scenario without it stays as it was
    in_rate: dict[str, FractionSeries] | None = None  # type: ignore[valid-type]
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


class PopulationUncertainty(Strict):
    """Level factors drawn once per Monte Carlo replication (``ltsim run --reps N``): population variants.

    Each is a factor on a level for the whole horizon — ``fertility`` on the fertility rates, ``mortality`` on
    the death probabilities (capped at 1), ``in_migration`` on ordinary in-migrants, ``out_migration`` on the
    out-migration rates, ``housing`` on the persons new dwellings bring — log-normal (``median · exp(sigma·Z)``)
    or triangular (``low``, ``mode``, ``high``, factors from 0). A single run uses the central values (factor 1).
    """

    fertility: Distribution | None = None
    mortality: Distribution | None = None
    in_migration: Distribution | None = None
    out_migration: Distribution | None = None
    housing: Distribution | None = None
    source: str | None = None

    @field_validator("fertility", "mortality", "in_migration", "out_migration", "housing")
    @classmethod
    def _factor(cls, value: Distribution | None) -> Distribution | None:  # type: ignore[valid-type]
        if isinstance(value, Triangular) and not (value.low >= 0 and value.high <= FACTOR_MAX):
            raise ValueError(
                f"found low {value.low:g}, high {value.high:g}; expected factors from 0 to {FACTOR_MAX:g}"
                " (0.9 for 10 % below the scenario's level)"
            )
        return value


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
    uncertainty: PopulationUncertainty | None = None
    source: str | None = None
