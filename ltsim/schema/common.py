"""What every section of the schema shares: the strict base, identifiers, and the plausible range of each kind of quantity (see :mod:`ltsim.schema`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
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
