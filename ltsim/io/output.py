"""Writing output files safely: checked before any work, written to temporary files, then renamed.

Used by every command that writes (``ltsim import``/``export``, the report, the comparison).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ltsim.errors import InputError, Problem


def output_problem(path: Path, option: str, folder: bool) -> Problem | None:
    """What is wrong with ``path`` as an output (a file, or with ``folder`` a folder to write into); None if fine.

    Refused: a folder where a file is to be written (or a file where a folder is expected), a parent that
    is a file, and a parent folder that cannot be written to. Checked before any work is done, so the user
    hears about a wrong ``--out`` at once; the write itself also turns an OS error into an InputError.
    """
    name = str(path)
    if folder and path.exists() and not path.is_dir():
        return Problem("a folder to write the tables into", file=name, field=option, found="an existing file")
    if not folder and path.is_dir():
        return Problem("a file name to write (not a folder)", file=name, field=option, found="an existing folder")
    if not folder and path.exists() and not path.is_file():
        return Problem("a regular file to write", file=name, field=option, found="a special file (a device or pipe)")
    parent = path if folder else path.parent
    while not parent.exists():
        if parent.is_symlink():  # a dangling link
            return Problem("a path to a folder", file=name, field=option, found=f"a broken link {parent}")
        parent = parent.parent
    if not parent.is_dir():
        return Problem("a path whose parents are folders", file=name, field=option, found=f"{parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        return Problem("a folder you can write to", file=name, field=option, found=f"{parent} is read-only")
    return None


def check_output(path: Path, option: str = "--out", folder: bool = False) -> None:
    """Raise an InputError when ``path`` cannot be an output (see :func:`output_problem`)."""
    problem = output_problem(path, option, folder)
    if problem is not None:
        raise InputError(problem)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_files(files: Mapping[str, str | bytes], out_dir: Path, option: str = "--out") -> list[Path]:
    """Write several files into a folder: each to a temporary file first, then all renamed.

    Called only after every check has passed. The folder and each target are checked first (a target
    that is a folder is refused); a failure while writing removes the temporary files and any folder
    created here, and is reported as an InputError naming the folder, so a folder never holds half a
    file. Files get the permissions of a normal new file (the umask), not the temporary file's 0600.
    """
    check_output(out_dir, option, folder=True)
    for name in files:
        target = out_dir / name
        problem = output_problem(target, option, folder=False) if target.exists() else None
        if problem is not None:
            raise InputError(problem)
    created = out_dir
    while not created.parent.exists():
        created = created.parent
    made = not out_dir.exists()
    temps: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            temps.append((name, Path(tmp)))
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(tmp, mode)
        paths = []
        for name, tmp in temps:
            os.replace(tmp, out_dir / name)
            paths.append(out_dir / name)
        temps = []
        return paths
    except OSError as exc:
        if made and created.exists():
            shutil.rmtree(created, ignore_errors=True)
        raise InputError(
            Problem(
                "a folder where the files can be written",
                file=str(out_dir / next(iter(files))) if len(files) == 1 else str(out_dir),
                field=option,
                found=(exc.strerror or "the system refused the write") + (f": {exc.filename}" if exc.filename else ""),
            )
        ) from None
    finally:
        for _, tmp in temps:
            tmp.unlink(missing_ok=True)


def write_bytes(path: Path, content: bytes, option: str = "--out") -> None:
    """Write a file atomically: a temporary file in the same folder, then renamed into place.

    An output that cannot be written (a folder, a parent that is a file, a read-only folder) is an
    InputError naming ``option`` and nothing is left behind (see :func:`write_files`).
    """
    check_output(path, option)
    write_files({path.name: content}, path.parent, option)
