"""The bad-input corpus's one assertion: refused with exit 2, a message that says where and what, nothing written.

Every corpus case (tests/test_bad_*.py) calls :func:`refused`: it runs the command line in-process,
and checks

- exit code 2 and no Python traceback in the output;
- the message names each of ``mentions`` (the file, the line/row or field, what is expected) —
  compared on the output with line wrapping undone, case-insensitively;
- the folder ``watch`` (default: the case's temporary folder) is byte-for-byte as before: no file
  added, removed or changed, no hidden temporary folder left behind.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from typer.testing import CliRunner

from ltsim.cli import app


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root``: relative path → sha256 of its bytes ('dir' for folders)."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            out[os.path.relpath(os.path.join(dirpath, name), root)] = "dir"
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                out[os.path.relpath(path, root)] = "link:" + os.readlink(path)
                continue
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def refused(
    args: Sequence[str],
    mentions: Sequence[str] = (),
    watch: Path | None = None,
    cwd: Path | None = None,
) -> str:
    """Run ``ltsim args``; assert it is refused cleanly (see module docstring); return the flattened output."""
    before = snapshot(watch) if watch is not None else None
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, list(args), catch_exceptions=True)
    finally:
        os.chdir(old)
    output = flat(result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{output}"
    )
    assert result.exit_code == 2, f"exit {result.exit_code}, expected 2:\n{output}"
    assert "Traceback" not in result.output, output
    low = output.lower()
    for text in mentions:
        assert flat(text).lower() in low, f"message does not mention {text!r}:\n{output}"
    if watch is not None:
        after = snapshot(watch)
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
        assert not (added or removed or changed), f"written: added {added}, removed {removed}, changed {changed}"
    return output
