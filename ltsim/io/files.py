"""Reading input files safely: regular files only, bounded in size, UTF-8, paths that resolve.

Every reader of user files (scenario YAML and CSV tables, catalogue CSVs, SSB files) goes through
these, so a folder, a device, a pipe, a huge file or a file in another encoding is refused the
same way everywhere, naming the file and — for encodings — the line of the first bad byte.
"""

from __future__ import annotations

import stat
from pathlib import Path

from ltsim.errors import InputError, Problem


def read_regular_file(file: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; :class:`InputError` otherwise.

    Folders, devices, pipes and sockets are refused before they are opened (reading a pipe
    could block; ``/dev/zero`` never ends), and never more than ``limit + 1`` bytes are read
    (``/proc`` files say they are empty).
    """
    try:
        info = file.stat()
    except FileNotFoundError:
        raise InputError(Problem(f"an existing {what}", file=str(file), found="no such file")) from None
    except (OSError, ValueError) as exc:
        raise InputError(Problem(f"a readable {what}", file=str(file), found=os_reason(exc))) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(Problem(f"a {what}, not a folder", file=str(file), found="a folder"))
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            Problem(f"a regular {what} (not a device, pipe or socket)", file=str(file), found="a special file")
        )
    if info.st_size > limit:
        raise InputError(
            Problem(f"a {what} of at most {limit // 2**20} MB", file=str(file), found=f"{info.st_size:,} bytes")
        )
    try:
        with file.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(Problem(f"a readable {what}", file=str(file), found=os_reason(exc))) from None
    if len(data) > limit:
        raise InputError(Problem(f"a {what} of at most {limit // 2**20} MB", file=str(file), found="more"))
    return data


def os_reason(exc: BaseException) -> str:
    """Why the system refused to read a file, without echoing anything else."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return "a path the system cannot read"


def decode_utf8(data: bytes, file: Path, what: str, row: bool = False) -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped); the line (``row``: row) of the first bad byte otherwise."""
    hint = "; in Excel: 'CSV UTF-8'" if row else ""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            Problem(
                f"{what} in UTF-8 (save it as UTF-8{hint})",
                file=str(file),
                line=line,
                found=f"the byte 0x{data[exc.start]:02x}, which is not UTF-8",
                row=row,
            )
        ) from None


def resolve_path(path: Path) -> Path | None:
    """``path`` made absolute with ``..`` and symbolic links resolved.

    None if it cannot be: a NUL character, a loop of links, a name the system refuses.
    """
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return None
