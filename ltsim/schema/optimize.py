"""The optimiser's settings: the debt ceiling, deferral windows, weights and the housing switch."""

from __future__ import annotations

from pydantic import (
    Field,
    field_validator,
)

from ltsim.schema.common import COUNT_MAX, MnokSeries, Places, PositiveWeight, Strict, Weight


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
