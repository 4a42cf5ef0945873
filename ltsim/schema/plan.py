"""Needs-driven planning (``ltsim plan``): standard project types, candidate sites, closures, the chosen builds.

The tables (``types``, ``sites``, ``closures``) are read by :mod:`ltsim.io.plan`; ``builds`` and
``closed`` are the decisions a plan writes back (a scenario variant replays them with ``ltsim run``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ltsim.schema.common import (
    COUNT_MAX,
    IDENTIFIER,
    CsvPath,
    Mnok,
    MnokPerUnit,
    Strict,
    Weight,
    Year,
    between,
)

DiscountRate = Annotated[float, AfterValidator(between(0.0, 0.5, "a discount rate as a fraction (0.04 for 4 %)"))]


class Build(Strict):
    """One chosen build: a project type on a candidate site, starting on 1 January of ``start_year``."""

    type: str = Field(pattern=IDENTIFIER)
    site: str = Field(pattern=IDENTIFIER)
    start_year: Year


class Closure(Strict):
    """One chosen closure: the facility's places leave the register from ``year`` (1 January)."""

    facility: str = Field(min_length=1)
    year: Year


class BuildLimit(Strict):
    """At most ``max_builds`` new builds of ``service`` in any zone (or in ``zone``) within any ``years`` years."""

    service: str = Field(pattern=IDENTIFIER)
    max_builds: int = Field(ge=0, le=COUNT_MAX)
    years: int = Field(ge=1, le=100)
    zone: str | None = None


class FoundPoint(Strict):
    """One point of the trade-off curve ``ltsim plan`` found: a lever's value and what the plan achieves there."""

    lever: Literal["ceiling", "ndr_floor", "savings"]
    value: float  # the ceiling or NDR floor in percent of revenue, or the savings in NOK million a year
    place_years_short: Annotated[float, Field(ge=0)]
    investment_mnok: Annotated[float, Field(ge=0)]
    max_debt_ratio_pct: float
    affordability_gap_mnok: float | None = None  # the need's investment − this point's (NOK million)


class PlanFound(Strict):
    """What ``ltsim plan`` found for the builds of this variant: not an input of any model, shown in its report.

    ``basis_sha256``: the hash of the scenario that was planned, without the keys the plan sets
    (:func:`ltsim.planning.replay.basis_hash`); a run whose basis differs says the figures are stale.
    ``needed_mnok``/``planned_mnok``: investment per service and year (NOK million) the population needs
    without a debt ceiling, and what the plan affords — their difference is the affordability gap.
    """

    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    basis_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    solver: str
    status: str
    mip_gap: Annotated[float, Field(ge=0)] | None = None
    place_years_short_as_written: Annotated[float, Field(ge=0)]
    place_years_short_planned: Annotated[float, Field(ge=0)]
    needed_mnok: dict[str, dict[Year, float]] = Field(default_factory=dict)
    planned_mnok: dict[str, dict[Year, float]] = Field(default_factory=dict)
    tradeoff: list[FoundPoint] = Field(default_factory=list)


def _fraction_up_to(top: float, what: str) -> Callable[[float], float]:
    """A check of a fraction in (0, ``top``] that tells a percent written as a number how to write it."""

    def check(value: float) -> float:
        if not 0 < value <= top:
            hint = f" (write {value / 100:g} for {value:g} %)" if top < value <= 100 * top else ""
            raise ValueError(f"found {value:g}; expected {what} as a fraction above 0 and at most {top:g}{hint}")
        return value

    return check


Ceiling = Annotated[float, AfterValidator(_fraction_up_to(5, "a debt ratio"))]
Fill = Annotated[float, AfterValidator(_fraction_up_to(1, "a utilisation"))]
NdrFloor = Annotated[float, AfterValidator(between(-0.2, 0.2, "a share of gross operating revenue (0.02 for 2 %)"))]


class PlanSpec(Strict):
    """What ``ltsim plan`` may build or close, and how it values places short (NOK million, discounted).

    The debt-ratio ceiling, NDR floor, yearly spend cap, projects at a time and the catalogue's
    deferral window come from ``optimize:``.
    """

    types: CsvPath
    sites: CsvPath
    closures: CsvPath | None = None
    first_start_year: Year | None = None  # no new build starts before this year (default: base_year + 1)
    discount_rate: DiscountRate = 0.04  # real, Finansdepartementet rundskriv R-109/2021 § 5 (first 40 years)
    shortfall_cost_mnok_per_place_year: dict[str, MnokPerUnit] = Field(default_factory=dict)
    no_shortfall: list[str] = Field(default_factory=list)  # services where a shortfall that can be avoided must be
    # per service: no new build may bring a zone's utilisation (demand ÷ capacity) below this in a year it serves
    min_utilisation: dict[str, Fill] = Field(default_factory=dict)
    deferral_penalty_mnok: Weight = 0.5  # per project-year a catalogue project moves (NOK million)
    build_limits: list[BuildLimit] = Field(default_factory=list)
    tradeoff_ceilings: list[Ceiling] = Field(default_factory=lambda: [0.90, 0.95, 1.00, 1.05, 1.10])
    tradeoff_ndr_floors: list[NdrFloor] = Field(default_factory=list)  # netto driftsresultat ≥ floor × revenue
    tradeoff_savings_mnok: list[Mnok] = Field(default_factory=list)  # more savings a year from first_start_year
    builds: list[Build] = Field(default_factory=list)
    closed: list[Closure] = Field(default_factory=list)
    found: PlanFound | None = None  # written by ``ltsim plan --variant``: what the plan found (report only)
    source: str | None = None

    @field_validator("tradeoff_ceilings", "tradeoff_ndr_floors", "tradeoff_savings_mnok")
    @classmethod
    def _ceilings(cls, value: list[float]) -> list[float]:
        if len(value) > 21:
            raise ValueError(f"found {len(value)} values; expected at most 21")
        return sorted(set(value))

    @model_validator(mode="after")
    def _unique(self) -> PlanSpec:
        seen: set[tuple[str, str, int]] = set()
        for b in self.builds:
            key = (b.type, b.site, b.start_year)
            if key in seen:
                raise ValueError(f"found the build {b.type} on {b.site} from {b.start_year} twice; expected it once")
            seen.add(key)
        facilities = [c.facility for c in self.closed]
        twice = sorted({f for f in facilities if facilities.count(f) > 1})
        if twice:
            raise ValueError(f"found {', '.join(twice)} closed twice; expected each facility closed at most once")
        return self
