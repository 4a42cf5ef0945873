"""Reviewed key outputs of the Asker base and hp2024 scenarios, compared within stated tolerances (issue 18).

``python tests/reference/key_outputs.py`` rewrites ``tests/reference/asker-base/`` and
``tests/reference/asker-hp2024/`` (finance.csv, kpi.csv, capacity_summary.csv). Regenerate only for a
change meant to move these figures, and say in the commit what moved and why. Unlike the hashes in
``example_outputs.json``, a failing comparison here names the rows and the size of each change.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCENARIOS = {"asker-base": "base.yaml", "asker-hp2024": "hp2024.yaml"}
TABLES = ("finance.csv", "kpi.csv", "capacity_summary.csv")
TOLERANCE = {
    "finance.csv": 1e-5,  # NOK million, written to 6 decimals
    "kpi.csv": 1e-3,  # percent, written to 4 decimals
    "capacity_summary.csv": 1e-2,  # places and place-years, written to 3 decimals
}
"""Largest absolute difference accepted per number: a few units of the last decimal written."""


def run_folder(name: str, out: Path) -> Path:
    """Run one reference scenario as ``ltsim run --no-report`` would, into ``out``."""
    from ltsim import pipeline
    from ltsim.results import write_run
    from ltsim.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "asker" / SCENARIOS[name])
    return write_run(pipeline.run(scenario), out, scenario.config.seed)


if __name__ == "__main__":
    for name in SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            folder = run_folder(name, Path(tmp) / name)
            (HERE / name).mkdir(exist_ok=True)
            for table in TABLES:
                shutil.copyfile(folder / table, HERE / name / table)
        print(f"wrote tests/reference/{name}/", file=sys.stderr)
