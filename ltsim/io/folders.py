"""Output folders: what ltsim may replace, and how it replaces them without losing anything.

Rules (README, "Safety"):

- ltsim writes a run folder only to a path that does not exist, an empty folder, or a folder it
  wrote itself (one holding an ltsim ``manifest.json``); a batch folder only to a new or empty
  folder or one holding ``batch.json``. Anything else — a user's folder, a file, a symbolic link,
  the current folder or a folder above it — is refused before any work is done.
- Everything is built in a hidden temporary folder beside the target (``.NAME.tmp-PID``), report
  and workbook included, and swapped into place in one step (``renameat2(RENAME_EXCHANGE)`` on
  Linux; elsewhere two renames). An interruption at any moment leaves either the earlier complete
  folder or the new complete one.
- Leftovers of an interrupted run (``.NAME.tmp-PID``, ``.NAME.old-PID`` of a process that no longer
  exists) are removed by the next run to the same target; an earlier folder caught between the two
  renames of the fallback is put back.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from ltsim.errors import InputError, Problem

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` is a folder ltsim wrote as a run folder (its manifest.json names a manifest_version)."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "manifest_version" in manifest and "ltsim_version" in manifest


def is_batch_folder(path: Path) -> bool:
    """Whether ``path`` is a folder ltsim wrote as a batch folder (it holds batch.json)."""
    return (path / "batch.json").is_file()


def _problem(out_dir: Path, found: str, expected: str, option: str) -> InputError:
    return InputError(Problem(expected, file="command line", field=option, found=f"{out_dir} {found}"))


def _check_common(out_dir: Path, option: str, kind: str) -> Path:
    """Checks every output folder needs; returns the absolute path (symbolic links in it not followed)."""
    out_dir = Path(os.path.abspath(out_dir))
    expected = f"a path for the {kind} folder: a new path, an empty folder or an earlier ltsim {kind} folder"
    if out_dir.is_symlink():
        raise _problem(out_dir, "is a symbolic link", expected, option)
    if out_dir.exists() and not out_dir.is_dir():
        raise _problem(out_dir, "is an existing file", expected, option)
    cwd = Path(os.path.abspath(os.getcwd()))
    if cwd == out_dir or out_dir in cwd.parents:
        raise _problem(out_dir, "is the current folder or a folder above it", expected, option)
    parent = next((p for p in out_dir.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise _problem(out_dir, f"lies in {parent}, which is a file, not a folder", expected, option)
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        raise _problem(
            out_dir,
            f"lies in {parent}, which may not be written to",
            expected + " in a folder you may write to",
            option,
        )
    return out_dir


def check_run_target(out_dir: Path, option: str = "--out") -> Path:
    """Refuse a run folder target ltsim may not replace (see module docstring); return it absolute."""
    out_dir = _check_common(out_dir, option, "run")
    expected = "a path for the run folder: a new path, an empty folder or an earlier ltsim run folder"
    if out_dir.is_dir() and any(out_dir.iterdir()) and not is_run_folder(out_dir):
        raise _problem(
            out_dir, "exists and is not an ltsim run folder (it has no ltsim manifest.json)", expected, option
        )
    if os.access(out_dir, os.F_OK) and not os.access(out_dir, os.W_OK | os.X_OK):
        raise _problem(out_dir, "may not be written to", expected, option)
    return out_dir


def check_batch_target(out_dir: Path, option: str = "--out") -> Path:
    """Refuse a batch folder target that is neither new, empty nor an earlier batch folder; return it absolute."""
    out_dir = _check_common(out_dir, option, "batch")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not is_batch_folder(out_dir):
        raise _problem(
            out_dir,
            "exists and is not an ltsim batch folder (it has no batch.json)",
            "a path for the batch folder: a new path, an empty folder or an earlier ltsim batch folder",
            option,
        )
    return out_dir


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    try:  # a zombie (exited, not yet reaped) is gone too
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>[0-9]+)$")


def _stale(parent: Path, name: str | None = None) -> list[tuple[Path, str, str]]:
    """``.NAME.tmp-PID`` / ``.NAME.old-PID`` entries in ``parent`` (of ``name``, or of any name) whose process is gone.

    Returns (path, name, kind) triples.
    """
    try:
        entries = list(parent.iterdir())
    except OSError:
        return []
    out = []
    for path in entries:
        m = _LEFTOVER.match(path.name)
        if m and (name is None or m["name"] == name) and not _pid_alive(int(m["pid"])):
            out.append((path, m["name"], m["kind"]))
    return out


def clean_leftovers(out_dir: Path, every: bool = False) -> None:
    """Remove what an interrupted write to ``out_dir`` left behind; put back an earlier folder caught mid-swap.

    With ``every``, ``out_dir`` is a folder of run folders (a batch folder) and the leftovers of
    every run folder in it are cleaned.
    """
    parent, name = (out_dir, None) if every else (out_dir.parent, out_dir.name)
    stale = _stale(parent, name)
    for path, target, kind in stale:
        if kind == "old":
            folder = parent / target
            if not folder.exists() and is_run_folder(path):
                path.rename(folder)  # killed between the two renames of the fallback: the earlier folder returns
            else:
                shutil.rmtree(path, ignore_errors=True)
    for path, _, kind in stale:
        if kind == "tmp":
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE))
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


@contextlib.contextmanager
def staged_folder(out_dir: Path) -> Iterator[Path]:
    """Yield a fresh hidden folder beside ``out_dir``; on success put it in place of ``out_dir``.

    On any exception (or KeyboardInterrupt) the staged folder is removed and ``out_dir`` is untouched.
    """
    out_dir = Path(os.path.abspath(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir)
    pid = os.getpid()
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{pid}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    old = out_dir.parent / f".{out_dir.name}.old-{pid}"
    try:
        yield tmp
        if out_dir.exists() and _exchange(tmp, out_dir):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the earlier folder
            return
        if out_dir.exists():
            out_dir.rename(old)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)  # interrupted between the two renames: the earlier folder returns
        raise
    shutil.rmtree(old, ignore_errors=True)
