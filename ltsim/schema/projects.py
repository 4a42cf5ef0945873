"""The project catalogue's scenario settings: phases, asset categories (depreciation lives), uncertainty of delays and costs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    field_validator,
    model_validator,
)

from ltsim.schema.common import COUNT_MAX, CsvPath, Mnok, Strict, between

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
