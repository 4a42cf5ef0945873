"""Solver plumbing: HiGHS (in-process, highspy) and CBC (a subprocess) through PuLP.

A warm start reaches CBC through PuLP's ``warmStart`` (an MIP start file) and HiGHS through
``Highs.setSolution`` just before the run, since PuLP 3.3's in-process ``HiGHS`` class has no
``warmStart`` (only ``HiGHS_CMD`` does). HiGHS is the default: on every instance measured by
benchmarks/bench_optimize.py (``make bench``) it is faster than CBC, whose time on small models
is mostly writing and reading the MPS and solution files; CBC stays available as a second opinion.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

SOLVERS = ("highs", "cbc")
DEFAULT_SOLVER = "highs"


def run_solver(
    problem: Any, solver: str, time_limit: float | None, gap: float | None, warm: bool = False
) -> tuple[str, float, float | None]:
    """Solve the PuLP ``problem`` in place: its status, the solver call's seconds and the relative MIP gap.

    ``warm``: the variables' initial values go in as a start. The status is PuLP's, except
    "Feasible" for a schedule found without proof of optimality (stopped by the time limit).
    """
    import pulp

    log = None
    if solver == "highs":
        engine = highs_solver(pulp, warm)(msg=False, timeLimit=time_limit, gapRel=gap)
    elif solver == "cbc":
        handle, log = tempfile.mkstemp(suffix=".log", prefix="ltsim_cbc_")
        os.close(handle)
        with warnings.catch_warnings():  # PuLP 3.3 deprecates the bundled CBC for PuLP 4.0
            warnings.simplefilter("ignore", DeprecationWarning)
            engine = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=gap, warmStart=warm, logPath=log)
    else:
        raise ValueError(f"unknown solver {solver!r}; expected one of {', '.join(SOLVERS)}")
    tick = time.perf_counter()
    try:
        with quiet_stdout():  # HiGHS prints its banner even with msg=False
            problem.solve(engine)
        seconds = time.perf_counter() - tick
        mip_gap = None
        if solver == "highs":
            with contextlib.suppress(Exception):
                mip_gap = float(problem.solverModel.getInfo().mip_gap)
        elif log is not None:
            mip_gap = cbc_gap(Path(log).read_text(errors="replace"))
    finally:
        if log is not None:
            with contextlib.suppress(OSError):
                os.unlink(log)
    status = pulp.LpStatus[problem.status]
    if status == "Optimal" and problem.sol_status == pulp.LpSolutionIntegerFeasible:
        status = "Feasible"  # stopped (time limit) with a schedule but without proof
    if mip_gap is not None and not np.isfinite(mip_gap):
        mip_gap = None
    return status, seconds, mip_gap


def highs_solver(pulp: Any, warm: bool) -> Any:
    """PuLP's HiGHS (highspy, in-process); with ``warm`` the variables' initial values go in as a start.

    PuLP 3.3's ``HiGHS`` class has no ``warmStart`` (only ``HiGHS_CMD`` does, via a file), so the
    start is handed to ``Highs.setSolution`` just before ``run``.
    """

    class _HiGHS(pulp.HiGHS):  # type: ignore[misc, name-defined]
        def callSolver(self, lp: Any) -> None:  # noqa: N802 (PuLP's name)
            if warm:
                import highspy

                variables = lp.variables()
                values = [0.0] * len(variables)
                for var in variables:
                    values[var.index] = float(var.varValue or 0.0)
                start = highspy.HighsSolution()
                start.col_value = values
                start.value_valid = True
                lp.solverModel.setSolution(start)
            super().callSolver(lp)

    return _HiGHS


def cbc_gap(log: str) -> float | None:
    """The relative gap at the end of CBC's log: (objective − lower bound) / |objective|.

    CBC's own "Gap:" line has two decimals only.
    """
    value = re.search(r"^Objective value:\s*([-+0-9.eE]+)", log, re.MULTILINE)
    bound = re.search(r"^Lower bound:\s*([-+0-9.eE]+)", log, re.MULTILINE)
    if value and bound:
        v, b = float(value.group(1)), float(bound.group(1))
        return max(0.0, v - b) / max(abs(v), 1e-9)
    if re.search(r"^Result - Optimal solution found\s*$", log, re.MULTILINE):
        return 0.0
    return None


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence writes to file descriptor 1 (C-level output of solvers) for the duration."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
