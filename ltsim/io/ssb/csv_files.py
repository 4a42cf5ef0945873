"""CSV files named on the command line of ``ltsim import ssb`` (``--codes``, ``--areas``): bounded, UTF-8."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ltsim.errors import InputError, Problem, show
from ltsim.io.tables import Column, read_table

MAX_CSV_BYTES = 20 * 1024 * 1024
"""Largest --areas or --codes CSV file read (the built-in code table is a few kB)."""


def read_csv_file(file: Path, columns: Sequence[Column], key: Sequence[str], option: str) -> Any:
    """``read_table`` for a CSV named on the command line, refusing what it cannot read as an InputError.

    The file must be a UTF-8 text file of sensible size (an SSB download saved as Latin-1, a binary file
    or an empty file is named here rather than failing deep inside the CSV reader).
    """
    name = str(file)
    if file.is_dir():
        raise InputError(Problem("a CSV file", file=name, field=option, found="a folder"))
    if file.is_file():
        size = file.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InputError(
                Problem(
                    f"a CSV file of at most {MAX_CSV_BYTES // 2**20} MB", file=name, field=option, found=_size(size)
                )
            )
        raw = file.read_bytes()
        if not raw.strip():
            raise InputError(
                Problem(
                    "a header row naming the columns " + ", ".join(c.name for c in columns),
                    file=name,
                    line=1,
                    found="an empty file",
                    row=True,
                )
            )
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(Problem("a CSV file in UTF-8", file=name, field=option, found="a UTF-16 text file"))
        if b"\0" in raw:
            raise InputError(Problem("a CSV text file", file=name, field=option, found="a binary file (NUL bytes)"))
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(
                    "a CSV file in UTF-8 (save it as 'CSV UTF-8'; SSB's Latin-1 downloads must be converted)",
                    file=name,
                    line=raw.count(b"\n", 0, exc.start) + 1,
                    found=f"byte 0x{raw[exc.start]:02x} that is not UTF-8",
                    row=True,
                )
            ) from None
    try:
        return read_table(file, columns, key=key)
    except (csv.Error, UnicodeError, OSError) as exc:
        raise InputError(Problem("a readable CSV file", file=name, field=option, found=show(str(exc), 100))) from None


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n:,} bytes"
