"""Checking a catalogue: the header mapped to fields, every cell, unique ids, dependencies without a cycle.

The same rules for a workbook's sheet and a catalogue CSV; every problem names the file (and sheet),
the row, and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltsim.errors import InputError, Problem, show
from ltsim.io.excel.fields import BY_NAME, FIELDS, HEADER_LOOKUP, CellError, column_letter, normalise, parse_cell
from ltsim.io.files import decode_utf8, read_regular_file

MAX_PROBLEMS = 25
"""Most problems reported for one file."""
MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest workbook or catalogue CSV read (a project list of a few hundred rows is 10–100 kB)."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A checked catalogue: the columns present (canonical order) and one dict of CSV texts per row."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def to_csv(self) -> str:
        """The catalogue as CSV text (LF line endings, minimal quoting)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for row in self.rows:
            w.writerow([row.get(c, "") for c in self.columns])
        return buf.getvalue()


class Where:
    """Builds problems for one source (a CSV file, or a sheet of a workbook)."""

    def __init__(self, file: str, sheet: str | None) -> None:
        self.file = file if sheet is None else f"{file}, sheet {sheet!r}"
        self.excel = sheet is not None
        self.problems: list[Problem] = []

    def column(self, index: int, header: str) -> str:
        """A column for messages: letter and header in a workbook, the header in a CSV."""
        return f"column {column_letter(index)} {header!r}" if self.excel else f"column {header!r}"

    def add(self, expected: str, row: int | None = None, field: str | None = None, found: str | None = None) -> None:
        """Record a problem (at most ``MAX_PROBLEMS``); ``row`` is the file's row number."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(expected, file=self.file, line=row, field=field, found=found, row=True))

    def raise_if_any(self) -> None:
        """Raise every recorded problem as one InputError."""
        if self.problems:
            raise InputError(self.problems)


def build_catalogue(where: Where, header: Sequence[Any], records: Sequence[tuple[int, Sequence[Any]]]) -> Catalogue:
    """Map the header to fields, check every cell and the ids; the canonical catalogue."""
    mapping: dict[int, str] = {}
    first_col: dict[str, int] = {}
    found_headers = [str(h).strip() for h in header if h is not None and str(h).strip()]
    for i, raw in enumerate(header):
        text = "" if raw is None else str(raw).strip()
        if not text:
            if any(i < len(cells) and cells[i] not in (None, "") for _, cells in records):
                where.add("a header naming the column", 1, where.column(i, ""), "a blank header above filled cells")
            continue
        name = HEADER_LOOKUP.get(normalise(text))
        if name is None:
            where.add(
                "a catalogue column (English or Norwegian header; see the 'Read me' sheet), or no header at all",
                1,
                where.column(i, text),
                "an unknown column",
            )
            continue
        if name in first_col:
            j = first_col[name]
            where.add(
                f"each column once (column {name!r} is already {where.column(j, str(header[j]).strip())})",
                1,
                where.column(i, text),
                "a second column for the same field",
            )
            continue
        first_col[name] = i
        mapping[i] = name
    for f in FIELDS:
        if f.required and f.name not in first_col:
            where.add(
                f"a column {f.name!r} (Norwegian: {f.nb!r}) in the header row",
                1,
                None,
                "columns " + (", ".join(map(repr, found_headers)) if found_headers else "none"),
            )
    where.raise_if_any()
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    row_of: list[int] = []
    for rownum, cells in records:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        extra = [i for i in range(len(cells)) if i >= len(header) and cells[i] not in (None, "")]
        if extra:
            where.add(
                f"{len(header)} cells, one per column of the header (no cells right of the last header)",
                rownum,
                None,
                f"a value in column {column_letter(extra[0])}" if where.excel else f"{len(cells)} cells",
            )
            continue
        row: dict[str, str] = {}
        good = True
        for i, name in mapping.items():
            f = BY_NAME[name]
            cell = cells[i] if i < len(cells) else None
            try:
                text = parse_cell(f, cell)
            except CellError as bad:
                where.add(f.expected() + bad.hint, rownum, where.column(i, str(header[i]).strip()), bad.found)
                good = False
                continue
            if text == "" and f.required:
                where.add(
                    f"{f.expected()} (a blank cell is unknown, not zero)",
                    rownum,
                    where.column(i, str(header[i]).strip()),
                    "a blank cell",
                )
                good = False
            row[name] = text
        if not good:
            continue
        pid = row["id"]
        if pid in seen:
            i = first_col["id"]
            where.add(
                f"a unique project id (the same id is on row {seen[pid]})",
                rownum,
                where.column(i, str(header[i]).strip()),
                show(pid),
            )
            continue
        seen[pid] = rownum
        rows.append(row)
        row_of.append(rownum)
    where.raise_if_any()
    _check_dependencies(where, header, first_col, rows, row_of, seen)
    columns = tuple(f.name for f in FIELDS if f.name in first_col)
    return Catalogue(columns=columns, rows=tuple(rows))


def _check_dependencies(
    where: Where,
    header: Sequence[Any],
    first_col: dict[str, int],
    rows: list[dict[str, str]],
    row_of: list[int],
    seen: dict[str, int],
) -> None:
    """Every id in depends_on is a project of the list, not the project itself, and no chain comes back."""
    if "depends_on" not in first_col:
        return
    i = first_col["depends_on"]
    column = where.column(i, str(header[i]).strip())
    deps: dict[str, list[str]] = {}
    for row, rownum in zip(rows, row_of, strict=True):
        listed = [d.strip() for d in row.get("depends_on", "").split(";") if d.strip()]
        deps[row["id"]] = []
        for dep in listed:
            if dep == row["id"]:
                where.add(
                    "ids of other projects in the list (a project cannot wait for itself)", rownum, column, show(dep)
                )
            elif dep not in seen:
                where.add("ids of projects in the list, separated by ';'", rownum, column, show(dep))
            else:
                deps[row["id"]].append(dep)
    where.raise_if_any()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()
    for start in deps:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:  # depth-first, iterative: a long chain must not exhaust Python's recursion
            node, k = stack.pop()
            if k == 0:
                state[node] = 1
                path.append(node)
            if k < len(deps[node]):
                stack.append((node, k + 1))
                nxt = deps[node][k]
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt) :]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        chain = " → ".join(f"{p} (row {seen[p]})" for p in [*cycle, nxt])
                        where.add(
                            "dependencies without a cycle (a project cannot wait, directly or through others, "
                            "for itself)",
                            seen[cycle[0]],
                            column,
                            f"the cycle {chain}",
                        )
                elif not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    where.raise_if_any()


def read_catalogue_csv(path: Path) -> Catalogue:
    """Read and check a catalogue CSV (the scenario's ``projects.catalogue``) with the same rules."""
    file = str(path)
    text = decode_utf8(read_regular_file(path, MAX_FILE_BYTES, "catalogue CSV file"), path, "a CSV file", row=True)
    if "\0" in text:
        raise InputError(Problem("a CSV text file", file=file, found="a binary file (NUL bytes)"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:  # e.g. a cell over the field limit, a quote left open
        raise InputError(
            Problem("a well-formed CSV file", file=file, line=reader.line_num, found=show(str(exc), 100), row=True)
        ) from None
    where = Where(file, None)
    if not records:
        raise InputError(Problem("a header row naming the columns", file=file, line=1, found="an empty file", row=True))
    header = [h.strip() for h in records[0]]
    return build_catalogue(where, header, [(n, cells) for n, cells in enumerate(records[1:], start=2)])
