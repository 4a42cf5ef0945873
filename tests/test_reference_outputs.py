"""Regression guard: every example scenario's CSV outputs are byte-identical to the reviewed ones.

The stored hashes (tests/reference/example_outputs.json) change only with a commit that says what
moved and why; regenerate with ``python tests/reference/outputs.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reference.outputs import MONTE_CARLO, STORED, run_hashes, scenario_files

CASES = [(f, 1) for f in scenario_files()] + [
    (f, MONTE_CARLO[f.name]) for f in scenario_files() if f.name in MONTE_CARLO
]


@pytest.fixture(scope="module")
def stored() -> dict[str, dict[str, str]]:
    return json.loads(STORED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("file", "reps"), CASES, ids=[f"{f.name}-reps{r}" for f, r in CASES])
def test_example_outputs_unchanged(tmp_path: Path, stored: dict, file: Path, reps: int) -> None:
    key = file.name if reps == 1 else f"{file.name} --reps {reps}"
    assert key in stored, f"{key} has no reviewed outputs: run python tests/reference/outputs.py and review"
    got = run_hashes(file, tmp_path / "run", reps)
    changed = sorted(n for n in set(got) | set(stored[key]) if got.get(n) != stored[key].get(n))
    assert not changed, f"{key}: outputs changed: {', '.join(changed)}"
