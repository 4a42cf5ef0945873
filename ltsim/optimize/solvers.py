"""Solver plumbing: HiGHS (in-process, highspy) and CBC (a subprocess) through PuLP.

A warm start reaches CBC through PuLP's ``warmStart`` (an MIP start file) and HiGHS through
``Highs.setSolution`` just before the run, since PuLP 3.3's in-process ``HiGHS`` class has no
``warmStart`` (only ``HiGHS_CMD`` does). HiGHS is the default: on every instance measured by
benchmarks/bench_optimize.py (``make bench``) it is faster than CBC, whose time on small models
is mostly writing and reading the MPS and solution files; CBC stays available as a second opinion.

Nothing here fails silently: a start HiGHS refuses, or a MIP gap it cannot report, goes into the
run's notes (``SolverRun.notes``), which the optimisation result and optimize.json carry.
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
from typing import Any, NamedTuple

import numpy as np

SOLVERS = ("highs", "cbc")
DEFAULT_SOLVER = "highs"


class SolverRun(NamedTuple):
    """One solver call: PuLP's status, the call's seconds, the relative MIP gap and what went wrong on the way."""

    status: str
    seconds: float
    gap: float | None
    notes: tuple[str, ...] = ()


def run_solver(
    problem: Any,
    solver: str,
    time_limit: float | None,
    gap: float | None,
    warm: bool = False,
    mip: bool = True,
) -> SolverRun:
    """Solve the PuLP ``problem`` in place: its status, the solver call's seconds, the relative MIP gap, notes.

    ``warm``: the variables' initial values go in as a start. ``mip=False``: the LP relaxation
    (the binaries as continuous variables in [0, 1], PuLP's ``mip`` switch on both solvers). The
    status is PuLP's, except "Feasible" for a schedule found without proof of optimality (stopped
    by the time limit). ``notes``: a start the solver refused, a gap it did not report.
    """
    import pulp

    log = None
    notes: list[str] = []
    if solver == "highs":
        engine = highs_solver(pulp, warm, notes)(msg=False, timeLimit=time_limit, gapRel=gap, mip=mip)
    elif solver == "cbc":
        handle, log = tempfile.mkstemp(suffix=".log", prefix="ltsim_cbc_")
        os.close(handle)
        with warnings.catch_warnings():  # PuLP 3.3 deprecates the bundled CBC for PuLP 4.0
            warnings.simplefilter("ignore", DeprecationWarning)
            engine = pulp.PULP_CBC_CMD(
                msg=False, timeLimit=time_limit, gapRel=gap, warmStart=warm and mip, logPath=log, mip=mip
            )
    else:
        raise ValueError(f"unknown solver {solver!r}; expected one of {', '.join(SOLVERS)}")
    tick = time.perf_counter()
    try:
        with quiet_stdout():  # HiGHS prints its banner even with msg=False
            problem.solve(engine)
        seconds = time.perf_counter() - tick
        mip_gap = None
        if not mip:
            pass  # an LP has no MIP gap
        elif solver == "highs":
            try:
                mip_gap = float(problem.solverModel.getInfo().mip_gap)
            except (AttributeError, TypeError, ValueError) as exc:  # no model kept, or no gap in its info
                notes.append(f"HiGHS reported no MIP gap ({exc})")
        elif log is not None:
            mip_gap = cbc_gap(Path(log).read_text(errors="replace"))
    finally:
        if log is not None:
            with contextlib.suppress(OSError):  # a temporary log left behind is harmless
                os.unlink(log)
    status = pulp.LpStatus[problem.status]
    if status == "Optimal" and problem.sol_status == pulp.LpSolutionIntegerFeasible:
        status = "Feasible"  # stopped (time limit) with a schedule but without proof
    if mip_gap is not None and not np.isfinite(mip_gap):
        mip_gap = None
    return SolverRun(status, seconds, mip_gap, tuple(notes))


def highs_solver(pulp: Any, warm: bool, notes: list[str] | None = None) -> Any:
    """PuLP's HiGHS (highspy, in-process); with ``warm`` the variables' initial values go in as a start.

    PuLP 3.3's ``HiGHS`` class has no ``warmStart`` (only ``HiGHS_CMD`` does, via a file), so the
    start is handed to ``Highs.setSolution`` just before ``run``. A start HiGHS refuses (a status
    other than ``kOk``) is solved without it and said so in ``notes``.
    """

    class _HiGHS(pulp.HiGHS):  # type: ignore[misc, name-defined]
        def callSolver(self, lp: Any) -> None:  # noqa: N802 (PuLP's name)
            if warm and self.mip:
                import highspy

                variables = lp.variables()
                values = [0.0] * len(variables)
                for var in variables:
                    values[var.index] = float(var.varValue or 0.0)
                start = highspy.HighsSolution()
                start.col_value = values
                start.value_valid = True
                answer = lp.solverModel.setSolution(start)
                if answer != highspy.HighsStatus.kOk and notes is not None:
                    notes.append(f"HiGHS did not take the warm start ({answer.name}); solved without it")
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
