"""The Asker base and hp2024 key outputs against their reviewed references, within stated tolerances.

Text columns must match exactly, numbers within ``TOLERANCE`` of the reference (blank cells where the
reference is blank). A change meant to move them regenerates the references
(``python tests/reference/key_outputs.py``) and explains the move in its commit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference.key_outputs import HERE, SCENARIOS, TABLES, TOLERANCE, run_folder


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    name = request.param
    return name, run_folder(name, tmp_path_factory.mktemp("ref") / name)


@pytest.mark.parametrize("table", TABLES)
def test_key_outputs_match_reviewed_references(fresh: tuple[str, Path], table: str) -> None:
    name, folder = fresh
    want = pd.read_csv(HERE / name / table)
    got = pd.read_csv(folder / table)
    assert list(got.columns) == list(want.columns), f"{name}/{table}: columns changed"
    assert len(got) == len(want), f"{name}/{table}: {len(got)} rows, reference {len(want)}"
    problems = []
    for col in want.columns:
        a, b = got[col], want[col]
        if pd.api.types.is_numeric_dtype(b) and pd.api.types.is_numeric_dtype(a):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            blank = np.isnan(x) != np.isnan(y)
            off = np.abs(np.nan_to_num(x) - np.nan_to_num(y)) > TOLERANCE[table]
            bad = np.flatnonzero(blank | off)
        else:
            bad = np.flatnonzero(a.astype(str).to_numpy() != b.astype(str).to_numpy())
        for i in bad[:5]:
            key = ", ".join(f"{k}={want.iloc[i][k]}" for k in want.columns[:3] if k != col)
            problems.append(f"row {i + 2} ({key}) {col}: {a.iloc[i]} vs reference {b.iloc[i]}")
        if len(bad) > 5:
            problems.append(f"… {col}: {len(bad)} rows differ in all")
    assert not problems, f"{name}/{table} differs beyond {TOLERANCE[table]:g}:\n" + "\n".join(problems)
