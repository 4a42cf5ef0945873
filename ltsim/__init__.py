"""ltsim — long-term investment and capacity planning for Norwegian municipalities.

The public API (imported lazily, so ``import ltsim`` stays cheap)::

    from ltsim import load_scenario, run, run_batch, load_batch, write_run
    from ltsim.optimize import optimize        # (the module ltsim.optimize shares the name)

    scenario = load_scenario("scenarios/asker/base.yaml")
    result = run(scenario)                     # RunResult: population, services, projects, finance, kpis
    write_run(result, "results/asker-base", seed=scenario.config.seed)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_scenario": ("ltsim.scenario", "load_scenario"),
    "Scenario": ("ltsim.scenario", "Scenario"),
    "run": ("ltsim.pipeline", "run"),
    "RunResult": ("ltsim.pipeline", "RunResult"),
    "load_batch": ("ltsim.batch", "load_batch"),
    "run_batch": ("ltsim.batch", "run_batch"),
    "write_run": ("ltsim.results", "write_run"),
    "InputError": ("ltsim.errors", "InputError"),
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'ltsim' has no attribute {name!r}")
