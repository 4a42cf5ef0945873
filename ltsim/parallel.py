"""Worker processes that do not outlive the process that started them.

A process pool's workers are told to stop when their parent exits normally, but not when it is
killed (SIGKILL, the OOM killer): they would run on, writing into folders nobody waits for. Each
pool here starts its workers with :func:`watch_parent`, a daemon thread that ends the worker as
soon as its parent is gone (its parent process id changes).
"""

from __future__ import annotations

import os
import threading
import time

POLL_S = 0.2


def _watch(parent_pid: int) -> None:
    while True:
        time.sleep(POLL_S)
        if os.getppid() != parent_pid:
            os._exit(1)


def watch_parent(parent_pid: int) -> None:
    """Start a daemon thread that exits this (worker) process once ``parent_pid`` is no longer its parent."""
    threading.Thread(target=_watch, args=(parent_pid,), name="ltsim-watch-parent", daemon=True).start()
