"""Run the ltsim command line and kill it (SIGKILL or SIGINT) at a chosen moment — for tests/test_faults.py.

Usage: python tests/fault_driver.py MOMENT SIGNAL ltsim-args...

MOMENT is where the process signals itself:
  pipeline      when the pipeline starts (nothing written yet)
  tables        after the tables are staged, before the manifest
  report        when the report starts (tables and manifest staged)
  swap          just before the staged folder is swapped into place
  after-swap    just after the swap, before the earlier folder is removed
  between-renames  with the one-step swap unavailable, between moving the earlier folder aside and
                   moving the new one in
SIGNAL is KILL or INT. The production code is not changed: the moments are module attributes
wrapped here before the command line runs.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any


def main() -> None:
    moment, sig_name, *args = sys.argv[1:]
    sig = {"KILL": signal.SIGKILL, "INT": signal.SIGINT}[sig_name]

    def die() -> None:
        os.kill(os.getpid(), sig)

    def before(module: Any, name: str) -> None:
        original = getattr(module, name)

        def wrapped(*a: Any, **k: Any) -> Any:
            die()
            return original(*a, **k)

        setattr(module, name, wrapped)

    import ltsim.io.folders as folders
    import ltsim.pipeline as pipeline
    import ltsim.report as report
    import ltsim.results as results

    if moment == "pipeline":
        before(pipeline, "run")
    elif moment == "tables":
        before(results, "_write_manifest")
    elif moment == "report":
        before(report, "build_report")
    elif moment == "swap":
        before(folders, "_exchange")
    elif moment == "after-swap":
        exchange = folders._exchange

        def exchange_then_die(a: Path, b: Path) -> bool:
            done = exchange(a, b)
            die()
            return done

        folders._exchange = exchange_then_die
    elif moment == "between-renames":
        folders._exchange = lambda a, b: False
        rename = Path.rename

        def rename_then_die(self: Path, target: Any) -> Any:
            out = rename(self, target)
            if ".old-" in Path(target).name:
                die()
            return out

        Path.rename = rename_then_die  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown moment {moment!r}")

    from ltsim.cli import app

    app(args=args, prog_name="ltsim")


if __name__ == "__main__":
    main()
