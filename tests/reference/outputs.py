"""The example scenarios' run outputs as sha256 hashes: the regression guard for refactors (issue 16).

``python tests/reference/outputs.py`` rewrites ``tests/reference/example_outputs.json`` — do it only
for a change meant to move the figures, and say in the commit what moved and why.
Each scenario file in ``scenarios/asker/`` is run as ``ltsim run FILE --no-report`` would (its own
seed), and ``projects-stochastic.yaml`` and ``population-stochastic.yaml`` also with 50 Monte Carlo
replications; every CSV of the run folder is hashed (the manifest holds timings, so it is left out).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORED = Path(__file__).with_name("example_outputs.json")
MONTE_CARLO = {"projects-stochastic.yaml": 50, "population-stochastic.yaml": 50}


def scenario_files() -> list[Path]:
    """Every example scenario (not the batch files under reviews/)."""
    return sorted((ROOT / "scenarios" / "asker").glob("*.yaml"))


def run_hashes(file: Path, out: Path, reps: int = 1) -> dict[str, str]:
    """Run one scenario into ``out`` and hash each CSV it writes."""
    from ltsim import pipeline
    from ltsim.montecarlo import run_montecarlo
    from ltsim.results import write_run
    from ltsim.scenario import load_scenario

    scenario = load_scenario(file)
    result = pipeline.run(scenario, seed=scenario.config.seed)
    mc = None
    if reps > 1:
        mc = run_montecarlo(scenario, result.population.persons, reps, scenario.config.seed, workers=1)
    folder = write_run(result, out, scenario.config.seed, montecarlo=mc)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def all_hashes() -> dict[str, dict[str, str]]:
    """``{"base.yaml": {...}, "projects-stochastic.yaml --reps 50": {...}, …}``."""
    out: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, file in enumerate(scenario_files()):
            out[file.name] = run_hashes(file, Path(tmp) / f"r{i}")
            reps = MONTE_CARLO.get(file.name)
            if reps:
                out[f"{file.name} --reps {reps}"] = run_hashes(file, Path(tmp) / f"mc{i}", reps)
    return out


if __name__ == "__main__":
    STORED.write_text(json.dumps(all_hashes(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {STORED.relative_to(ROOT)}", file=sys.stderr)
