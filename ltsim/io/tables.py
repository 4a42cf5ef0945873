"""CSV tables referenced by a scenario, read with row-level validation.

Rules, the same for every table: the header names every required column (``note`` and
``source`` columns are allowed and ignored); a blank cell is *unknown*, which is an error
where a value is required, never a zero; numbers are parsed strictly; keys are unique;
a table that must cover a grid (every area × sex × age, say) names what is missing.
Rows are counted as a spreadsheet shows them: the header is row 1.

What a table may be, checked before a cell is read:

- a regular file (not a folder, device or pipe) of at most :data:`MAX_TABLE_BYTES` (50 MB),
  in UTF-8 (a byte-order mark is allowed); cells of at most 131,072 characters;
- a number is written in plain decimal (``-12``, ``0.5``, ``1.5e3``; no ``nan``, ``inf``,
  thousands separators or ``_``) and lies within its column's range; a column without a
  tighter range takes :data:`MAGNITUDE_MAX` (|x| ≤ 1,000,000,000);
- a text the model reads has at most :data:`MAX_TEXT` (200) characters and no control
  characters (tabs, line breaks …).

A message quotes at most 60 printable characters of what a file holds.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ltsim.errors import SHOW_LIMIT, InputError, Problem, printable, show
from ltsim.io.files import decode_utf8, read_regular_file

MAX_PROBLEMS = 25
IGNORED_COLUMNS = frozenset({"note", "notes", "source", "comment"})
MAX_TABLE_BYTES = 50 * 2**20  # a CSV table of more is refused unread
MAGNITUDE_MAX = 1e9  # |x| of a number in a column without a tighter range
MAX_TEXT = 200  # characters of a text cell the model reads
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class Column:
    """A column a table must have: name, type (``int``, ``float``, ``str``), bounds and allowed values."""

    name: str
    kind: str = "float"
    lo: float | None = None
    hi: float | None = None
    choices: Sequence[str] | None = None
    expected: str = ""
    required: bool = True  # False: a blank cell (or a missing column) means "not given" → None
    pattern: str | None = None  # regular expression a text must match
    lo_open: bool = False  # True: the value must be strictly above ``lo``

    @property
    def bounds(self) -> tuple[float, float]:
        """The range a number must lie in: the column's own, or ±:data:`MAGNITUDE_MAX`."""
        return (
            -MAGNITUDE_MAX if self.lo is None else self.lo,
            MAGNITUDE_MAX if self.hi is None else self.hi,
        )

    def describe(self) -> str:
        """What a valid cell looks like, in words."""
        if self.expected:
            return self.expected
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        noun = {"int": "a whole number", "float": "a number", "str": "a text"}[self.kind]
        if self.lo is not None and self.hi is not None:
            return f"{noun} from {self.lo:g} to {self.hi:g}"
        if self.lo is not None:
            return f"{noun} ≥ {self.lo:g}"
        if self.hi is not None:
            return f"{noun} ≤ {self.hi:g}"
        return noun


@dataclass(frozen=True, slots=True)
class Table:
    """A validated table: one numpy array or tuple of strings per column, and each row's number."""

    file: Path
    columns: dict[str, np.ndarray | tuple[str, ...]]
    rows: np.ndarray  # spreadsheet row number of each record (header = 1)
    label: str = field(default="")

    def __len__(self) -> int:
        return len(self.rows)


class _Collector:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        expected: str,
        row: int | None = None,
        column: str | None = None,
        found: str | None = None,
    ) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                Problem(
                    expected,
                    file=str(self.file),
                    line=row,
                    field=f"column {show(column)}" if column else None,
                    found=found,
                    row=True,
                )
            )

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def _excerpt(text: str, limit: int = SHOW_LIMIT) -> str:
    """At most ``limit`` printable characters of ``text`` (for a message)."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def _parse(cell: str, col: Column) -> tuple[object, str | None]:
    """The cell's value and what is wrong with it: None, or a note on what is expected instead."""
    if col.kind == "str":
        if len(cell) > MAX_TEXT:
            return cell, f"a text of at most {MAX_TEXT} characters"
        if _has_control(cell):
            return cell, "a text without control characters (tabs, line breaks)"
        ok = col.choices is None or cell in col.choices
        if col.pattern is not None and re.fullmatch(col.pattern, cell) is None:
            ok = False
        return cell, None if ok else ""
    if (_INT if col.kind == "int" else _FLOAT).fullmatch(cell) is None:
        return cell, ""
    try:
        value: float | int = int(cell) if col.kind == "int" else float(cell)
    except (ValueError, OverflowError):  # more digits than Python converts
        return cell, ""
    if not math.isfinite(value):  # 1e999
        return cell, ""
    if col.lo is not None and (value < col.lo or (col.lo_open and value == col.lo)):
        return value, ""
    if col.hi is not None and value > col.hi:
        return value, f"at most {_number_text(col.hi)}"
    lo, hi = col.bounds
    if not lo <= value <= hi:
        return value, f"at most {_number_text(MAGNITUDE_MAX)} in size"
    return value, None


def _number_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _percent_hint(value: object, col: Column) -> str:
    """A hint when a percentage was written where a fraction (0–1) is expected."""
    if col.kind == "float" and col.lo == 0.0 and col.hi == 1.0 and isinstance(value, float) and 1.0 < value <= 100.0:
        return f" (a fraction, not a percentage: write {value / 100:g} for {value:g} %)"
    return ""


class CsvReadError(InputError, csv.Error):
    """A table the csv module cannot read (a cell over its field limit, say).

    An :class:`InputError` naming the file and row; also a :class:`csv.Error` whose text is the
    csv module's own reason, for callers that catch that to add their own context.
    """

    def __init__(self, problem: Problem, reason: str) -> None:
        super().__init__(problem)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def _records(reader: Iterator[list[str]], file: Path) -> Iterator[tuple[int, list[str]]]:
    """Each record with its row number (the header is row 1); a cell the csv module refuses is an InputError."""
    rownum = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            found = (
                f"a field larger than {csv.field_size_limit():,} characters (a quote that never closes?)"
                if "field larger" in reason
                else show(reason)
            )
            raise CsvReadError(
                Problem(
                    f"a readable CSV table: cells of at most {csv.field_size_limit():,} characters, quotes that close",
                    file=str(file),
                    line=rownum,
                    found=found,
                    row=True,
                ),
                reason,
            ) from None
        yield rownum, record
        rownum += 1


def read_table(
    file: Path,
    columns: Sequence[Column],
    key: Sequence[str] = (),
    referenced_by: Problem | None = None,
) -> Table:
    """Read and validate a CSV table.

    Parameters
    ----------
    file : the CSV file.
    columns : the required columns with their types and bounds.
    key : columns whose combination must be unique.
    referenced_by : where the scenario names this file, used when the file is missing.
    """
    try:
        missing = not file.exists()
    except (OSError, ValueError):
        missing = False  # read_regular_file names what is wrong
    if missing:
        ref = referenced_by or Problem("")
        raise InputError(
            Problem(
                "an existing CSV file (paths are relative to the YAML file that names them)",
                file=ref.file,
                line=ref.line,
                field=ref.field,
                found=f"{show(str(file), 200)} does not exist",
            )
        )
    raw = read_regular_file(file, MAX_TABLE_BYTES, "CSV table")
    return _read_text(file, decode_utf8(raw, file, "a CSV table", row=True), columns, key)


def _read_text(file: Path, text: str, columns: Sequence[Column], key: Sequence[str]) -> Table:
    """:func:`read_table` on the table's text (read, size-checked and decoded): parse and validate it."""
    errs = _Collector(file)
    records = _records(csv.reader(io.StringIO(text, newline="")), file)
    first = next(records, None)
    if first is None:
        errs.add(
            "a header row naming the columns " + ", ".join(c.name for c in columns),
            row=1,
            found="an empty file",
        )
        errs.raise_if_any()
    assert first is not None
    header = [h.strip() for h in first[1]]
    wanted = {c.name for c in columns}
    for name in sorted({c.name for c in columns if c.required} - set(header)):
        errs.add(
            f"a column named {name!r} in the header",
            row=1,
            found="columns " + _excerpt(", ".join(map(repr, header))),
        )
    for name in header:
        if name not in wanted and name.lower() not in IGNORED_COLUMNS:
            errs.add(
                "only the columns "
                + ", ".join(repr(c.name) for c in columns)
                + " (plus an optional 'note' or 'source')",
                row=1,
                column=name,
                found="an unknown column",
            )
    if len(set(header)) != len(header):
        errs.add("each column name once", row=1, found="a repeated column name")
    errs.raise_if_any()
    index = [header.index(c.name) if c.name in header else len(header) + 10**6 for c in columns]
    values: list[list[object]] = [[] for _ in columns]
    rows: list[int] = []
    seen: dict[tuple[object, ...], int] = {}
    # An optional key column the header leaves out (a table's 'year') is not part of the key.
    key = [k for k in key if k in header or next(c for c in columns if c.name == k).required]
    key_pos = [next(i for i, c in enumerate(columns) if c.name == k) for k in key]
    # _parse depends on the cell and the column only: each distinct cell of a column is parsed once
    # (area names, sexes and ages repeat on every row of a population table).
    memo: list[dict[str, tuple[object, str | None]]] = [{} for _ in columns]
    for rownum, record in records:
        if not any(cell.strip() for cell in record):
            continue  # a wholly empty line is not a record
        if any(cell.strip() for cell in record[len(header) :]):
            # More cells than columns: a decimal comma (0,5) or a thousands separator (1,000)
            # would otherwise be read silently as two cells, the second one dropped.
            errs.add(
                f"{len(header)} cells, one per column of the header (write decimals with '.', no thousands separator)",
                row=rownum,
                found=f"{len(record)} cells",
            )
            continue
        parsed: list[object] = []
        good = True
        for col, idx, seen_cells in zip(columns, index, memo, strict=True):
            cell = record[idx].strip() if idx < len(record) else ""
            if cell == "" and not col.required:
                parsed.append(None)
                continue
            if cell == "":
                errs.add(
                    f"{col.describe()} (a blank cell is unknown, not zero)",
                    row=rownum,
                    column=col.name,
                    found="a blank cell",
                )
                good = False
                parsed.append(None)
                continue
            try:
                value, wrong = seen_cells[cell]
            except KeyError:
                value, wrong = seen_cells[cell] = _parse(cell, col)
            if wrong is not None:
                expected = col.describe() + _percent_hint(value, col)
                if wrong and wrong.removeprefix("at most ") not in expected:
                    expected += f" ({wrong})" if col.kind != "str" else f", {wrong}"
                errs.add(expected, row=rownum, column=col.name, found=show(cell))
                good = False
            parsed.append(value)
        if not good:
            continue
        if key_pos:
            k = tuple(parsed[i] for i in key_pos)
            if k in seen:
                errs.add(
                    f"one row per {', '.join(key)} (the same key is on row {seen[k]})",
                    row=rownum,
                    found=_excerpt(", ".join(f"{n}={v}" for n, v in zip(key, k, strict=True))),
                )
                continue
            seen[k] = rownum
        for store, value in zip(values, parsed, strict=True):
            store.append(value)
        rows.append(rownum)
    errs.raise_if_any()
    out: dict[str, np.ndarray | tuple[str, ...]] = {}
    for col, store in zip(columns, values, strict=True):
        if col.kind == "str" or not col.required:
            out[col.name] = tuple(store)  # type: ignore[arg-type]
        else:
            out[col.name] = np.asarray(store, dtype=np.int64 if col.kind == "int" else np.float64)
            out[col.name].flags.writeable = False  # a table may be shared (TableCache): never changed in place
    row_numbers = np.asarray(rows, dtype=np.int64)
    row_numbers.flags.writeable = False
    return Table(file=file, columns=out, rows=row_numbers)


def require_grid(table: Table, dims: Sequence[tuple[str, Iterable[object]]], what: str) -> None:
    """Fail unless every combination of the given column values has a row; name what is missing."""
    import itertools

    names = [d[0] for d in dims]
    have = set(zip(*(table.columns[n] for n in names), strict=True))
    missing = [combo for combo in itertools.product(*(list(d[1]) for d in dims)) if combo not in have]
    if missing:
        listed = "; ".join(", ".join(f"{n}={v}" for n, v in zip(names, m, strict=True)) for m in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputError(
            Problem(
                f"a row for every {' × '.join(names)} of {what} (write 0 where the value is zero)",
                file=str(table.file),
                found=f"{len(missing)} missing: {listed}{more}",
            )
        )
