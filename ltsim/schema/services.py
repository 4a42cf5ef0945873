"""Services and capacity: zones, coverage by age, place weights, the facility register and structural measures."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    model_validator,
)

from ltsim.schema.common import IDENTIFIER, CsvPath, FractionSeries, Strict, constant

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
