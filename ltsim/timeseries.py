"""Dated parameters: ``{year: value}`` maps, as OpenFisca writes them.

A value holds from its year until the next year given (``step``), or the values are joined
by straight lines (``linear``: write ``{method: linear, 2024: 0.178, 2035: 0.15}``). A
plain number holds for every year. The first year given must be at or before the first
year the model needs, so nothing is silently back-filled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from ltsim.errors import show


@dataclass(frozen=True, slots=True)
class YearSeries:
    """A value per year. ``points`` is sorted by year; a constant has one point with year None."""

    points: tuple[tuple[int | None, float], ...]
    method: str = "step"

    @property
    def is_constant(self) -> bool:
        """True for a plain number."""
        return self.points[0][0] is None

    @property
    def first_year(self) -> int | None:
        """The first year given, or None for a constant."""
        return self.points[0][0]

    @property
    def years(self) -> tuple[int, ...]:
        """The years given (empty for a constant)."""
        return () if self.is_constant else tuple(int(y) for y, _ in self.points)  # type: ignore[arg-type]

    def at(self, years: np.ndarray) -> np.ndarray:
        """Values for ``years``. Years before the first point are an error caught at validation."""
        years = np.asarray(years)
        if self.is_constant:
            return np.full(years.shape, self.points[0][1], dtype=np.float64)
        xs = np.array([y for y, _ in self.points], dtype=np.float64)
        vs = np.array([v for _, v in self.points], dtype=np.float64)
        if self.method == "linear":
            return np.interp(years, xs, vs)
        idx = np.searchsorted(xs, years, side="right") - 1
        return vs[np.clip(idx, 0, None)]

    def to_json(self) -> Any:
        """Plain form for the resolved scenario: a number or a ``{year: value}`` map."""
        if self.is_constant:
            return self.points[0][1]
        out: dict[str, Any] = {str(y): v for y, v in self.points}
        if self.method != "step":
            out = {"method": self.method, **out}
        return out


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"found {show(value)}; expected a number")
    try:
        number = float(value)
    except OverflowError:  # a whole number too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"found {show(value)}; expected a finite number")
    return number


class SeriesError(ValueError):
    """Every bad year of a ``{year: value}`` map: ``errors`` holds (the year key as written, found, expected).

    Its message is the first one's (``found … in year Y; expected …``); the scenario loader reports each
    at the line of its year (:func:`ltsim.scenario.errors.translate`).
    """

    def __init__(self, errors: list[tuple[Any, str, str]]) -> None:
        self.errors = errors
        _, found, expected = errors[0]
        super().__init__(f"found {found}; expected {expected}" if expected else found)


def parse_year_series(value: Any, check: Any = None) -> YearSeries:
    """Parse a number or a ``{year: value}`` map; ``check(v)`` raises ValueError for a bad value.

    A map with several bad years raises :class:`SeriesError` naming every one.
    """
    if isinstance(value, YearSeries):
        return value
    if isinstance(value, Mapping):
        method = value.get("method", "step")
        if method not in ("step", "linear"):
            raise ValueError(f"found method {show(method)}; expected 'step' or 'linear'")
        points: list[tuple[int | None, float]] = []
        errors: list[tuple[Any, str, str]] = []
        for key, raw in value.items():
            if key == "method":
                continue
            if isinstance(key, bool) or not isinstance(key, int | str):
                errors.append((key, f"key {show(key)}", "a year such as 2030"))
                continue
            if isinstance(key, str) and not (key.strip().isascii() and key.strip().isdigit()):
                errors.append((key, f"key {show(key)}", "a year such as 2030"))
                continue
            year = int(key)
            try:
                number = _number(raw)
                if check is not None:
                    check(number)
            except ValueError as exc:
                text = str(exc)
                if text.startswith("found ") and "; expected " in text:
                    found, expected = text.removeprefix("found ").split("; expected ", 1)
                    errors.append((key, f"{found} in year {year}", expected))
                else:
                    errors.append((key, f"in year {year}: {text}", ""))
                continue
            points.append((year, number))
        if errors:
            raise SeriesError(errors)
        if not points:
            raise ValueError("found an empty map; expected a number or {year: value}")
        points.sort(key=lambda p: p[0])
        return YearSeries(tuple(points), method)
    number = _number(value)
    if check is not None:
        check(number)
    return YearSeries(((None, number),))


def series_type(check: Any = None, description: str = "") -> Any:
    """A pydantic-compatible annotation for a :class:`YearSeries` whose values pass ``check``."""

    class _Series:
        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
            return core_schema.no_info_plain_validator_function(
                lambda v: parse_year_series(v, check),
                serialization=core_schema.plain_serializer_function_ser_schema(lambda s: s.to_json()),
                json_schema_input_schema=core_schema.any_schema(),
            )

    _Series.__doc__ = description
    return _Series
