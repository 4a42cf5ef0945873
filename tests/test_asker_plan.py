"""Asker's planned variant (scenarios/asker/planned.yaml, written by `make plan`): current, and true when replayed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from ltsim import pipeline
from ltsim.optimize.answer import place_years_short
from ltsim.planning.replay import basis_hash
from ltsim.scenario import load_scenario

ASKER = Path(__file__).resolve().parents[1] / "scenarios" / "asker"


def found() -> dict:
    return yaml.safe_load((ASKER / "planned.yaml").read_text(encoding="utf-8"))["plan"]["found"]


def test_planned_variant_was_made_from_the_base_as_it_is():
    """A change to base.yaml or its tables needs `make plan` again (and a review of the new plan)."""
    assert found()["basis_sha256"] == basis_hash(load_scenario(ASKER / "base.yaml")), (
        "scenarios/asker/base.yaml (or a table it names) changed since planned.yaml was written: run `make plan`"
    )


def test_planned_variant_replays_under_the_ceiling_with_what_the_plan_found():
    sc = load_scenario(ASKER / "planned.yaml")
    run = pipeline.run(sc)
    f = found()
    assert abs(place_years_short(run) - f["place_years_short_planned"]) <= 0.05 + 1e-9  # written to 0.1
    assert place_years_short(run) < f["place_years_short_as_written"]
    ratio = run.finance.net_debt_mnok / run.finance.revenue_mnok
    ceiling = sc.config.optimize.debt_ratio_ceiling
    years = run.finance.years
    # 2024's debt is drawn before anything can move; from 2025 the finance model keeps the plan under the ceiling
    assert np.all(ratio[years >= 2025] <= ceiling + 1e-9), dict(
        zip(years.tolist(), ratio.round(4).tolist(), strict=True)
    )
