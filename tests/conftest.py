"""Shared fixtures: a tiny valid scenario written to a temporary folder, easy to break one piece at a time."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

MAX_AGE = 50
SEXES = ("female", "male")


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def tiny_config(**over: Any) -> dict[str, Any]:
    """A two-area, 5-year scenario as a plain dict (paths relative to the YAML file)."""
    cfg: dict[str, Any] = {
        "name": "tiny",
        "title": "Tiny test scenario",
        "seed": 7,
        "horizon": {"base_year": 2024, "end_year": 2029},
        "areas": [{"id": "north", "name": "Nord"}, {"id": "south", "name": "Sør"}],
        "population": {
            "max_age": MAX_AGE,
            "base": "data/base.csv",
            "mortality": {"rates": "data/mortality.csv", "improvement": 0.01},
            "fertility": {"rates": "data/fertility.csv", "sex_ratio_at_birth": 1.05},
            "migration": {
                "out_rates": "data/out_rates.csv",
                "in_profiles": "data/in_profiles.csv",
                "in_persons": {"north": 30, "south": {2024: 10, 2026: 20}},
            },
            "housing": {
                "programme": "data/housing.csv",
                "occupancy": "data/occupancy.csv",
                "realisation": 0.8,
            },
        },
    }
    cfg.update(over)
    return cfg


def write_tiny(root: Path, config: dict[str, Any] | None = None, name: str = "scenario.yaml") -> Path:
    """Write the tiny scenario's YAML and CSV tables under ``root``; return the YAML path."""
    data = root / "data"
    write_csv(
        data / "base.csv",
        ["area", "age", "sex", "persons"],
        [
            [a, age, s, 10 + (age % 7) + (5 if a == "north" else 0)]
            for a in ("north", "south")
            for s in SEXES
            for age in range(MAX_AGE + 1)
        ],
    )
    write_csv(
        data / "mortality.csv",
        ["age", "sex", "rate"],
        [
            [age, s, min(1.0, 0.001 + 0.0004 * age + (0.0002 if s == "male" else 0))]
            for s in SEXES
            for age in range(MAX_AGE + 1)
        ],
    )
    write_csv(
        data / "fertility.csv",
        ["age", "rate"],
        [[age, 0.05 if 20 <= age <= 39 else 0.0] for age in range(15, 50)],
    )
    write_csv(
        data / "out_rates.csv",
        ["age", "sex", "rate"],
        [[age, s, 0.08 if 18 <= age <= 29 else 0.03] for s in SEXES for age in range(MAX_AGE + 1)],
    )
    n = 2 * (MAX_AGE + 1)
    write_csv(
        data / "in_profiles.csv",
        ["profile", "age", "sex", "share"],
        [["families", age, s, 1 / n] for s in SEXES for age in range(MAX_AGE + 1)],
    )
    occ_rows = []
    for k, per in ((0, 2.0), (1, 0.5)):
        for s in SEXES:
            for age in range(MAX_AGE + 1):
                occ_rows.append(
                    [
                        "apartment",
                        k,
                        age,
                        s,
                        per / 2 if age == 30 else (per / 4 if age == 2 else 0.0),
                    ]
                )
    write_csv(
        data / "occupancy.csv",
        ["dwelling_type", "years_since_completion", "age", "sex", "persons"],
        occ_rows,
    )
    write_csv(
        data / "housing.csv",
        ["development", "area", "year", "dwellings", "dwelling_type"],
        [
            ["Nordbyen", "north", 2025, 100, "apartment"],
            ["Nordbyen", "north", 2026, 50, "apartment"],
        ],
    )
    path = root / name
    path.write_text(
        yaml.safe_dump(config if config is not None else tiny_config(), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """Path to a valid tiny scenario YAML in a fresh temporary folder."""
    return write_tiny(tmp_path)
