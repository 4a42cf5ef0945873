"""Needs-driven planning (``ltsim plan``): what must be built, closed or moved, where and when, and at what cost.

Modules, one job each:

- ``candidates``: sites × types and closures as optional projects; the discounted cost of each
  option and of a place-year short;
- ``model``: the planning MILP (the sequencing model plus sites, copies and build limits) and the
  same rules checked on any schedule;
- ``driver``: ``plan`` — solve, check with the full pipeline, the need without a ceiling, the
  affordability gap, the trade-off curve, the greedy comparison;
- ``files``: the plan's tables and its scenario variant.
"""

from __future__ import annotations

from ltsim.planning.driver import PlanResult, plan

__all__ = ["PlanResult", "plan"]
