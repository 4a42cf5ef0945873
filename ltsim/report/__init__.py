"""Reports for people: a self-contained HTML report and an Excel workbook per run folder.

The run folder is the interface: :func:`build_report` reads only the files in it (the tables of the
results contract, ``manifest.json`` and ``scenario.resolved.yaml``) and writes ``report.html`` and
``workbook.xlsx`` beside them. Optional tables (``projects.csv``, Monte Carlo tables, ``finance.csv``,
``kpi.csv``, ``schedule.csv``) add sections when present; without them the sections say what is missing.
:func:`compare_report` puts several run folders (or a batch folder) side by side.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ltsim.errors import InputError, Problem, show
from ltsim.report.checks import (
    check_manifest,
    check_optimize,
    check_resolved,
    load_plain_yaml,
    read_json,
)
from ltsim.report.columns import CONTRACT_TABLES, TABLE_COLUMNS

MAX_PROBLEMS_PER_FILE = 5
MAX_TABLE_BYTES = 1024 * 1024 * 1024
MAX_YAML_BYTES = 20 * 1024 * 1024
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_csv(
    file: Path, columns: dict[str, str] | None, frames: list[Any] | None = None
) -> tuple[str | None, list[Problem]]:
    """The text of a CSV table of a run or batch folder, checked; or the problems found (at most a few).

    Checks that the file is UTF-8 text without control characters, has a header naming ``columns``, and
    that every row has one cell per header column (a row cut short says the file was truncated), key
    columns are filled and number columns hold numbers. Rows are numbered as a spreadsheet shows them.
    Where the table was checked by its columns (:func:`_frame_if_fine`), the DataFrame read for that is
    appended to ``frames``.
    """
    name = str(file)
    problems: list[Problem] = []

    def add(expected: str, row: int | None = None, field: str | None = None, found: str | None = None) -> bool:
        problems.append(Problem(expected, file=name, line=row, field=field, found=found, row=row is not None))
        return len(problems) >= MAX_PROBLEMS_PER_FILE

    expected_header = "a header row naming the columns " + ", ".join(columns or ["of the table"])
    size = file.stat().st_size
    if size > MAX_TABLE_BYTES:
        add(f"a table of at most {MAX_TABLE_BYTES // 2**30} GB", found=f"{size / 2**30:,.1f} GB")
        return None, problems
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        add(
            "a CSV file in UTF-8 (as ltsim writes it)",
            raw.count(b"\n", 0, exc.start) + 1,
            None,
            f"byte 0x{raw[exc.start]:02x} that is not UTF-8",
        )
        return None, problems
    bad = ILLEGAL_XML.search(text)
    if bad:
        add(
            "text without control characters",
            text.count("\n", 0, bad.start()) + 1,
            None,
            f"the control character {bad.group()!r}",
        )
        return None, problems
    if not text.strip():
        add(expected_header, 1, None, "an empty file")
        return None, problems
    frame = _frame_if_fine(text, columns)
    if frame is not None:
        if frames is not None:
            frames.append(frame)
        return text, problems
    try:
        records = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(records)]
        missing = [c for c in (columns or {}) if c not in header]
        if missing:
            add(
                f"the columns {', '.join(columns or {})} (the results contract)",
                1,
                None,
                f"no column {', '.join(map(repr, missing))} in the header " + ", ".join(map(repr, header)),
            )
            return None, problems
        if len(set(header)) != len(header):
            add("each column name once", 1, None, "a repeated column name")
            return None, problems
        checks = [(header.index(c), c, kind) for c, kind in (columns or {}).items()]
        n = len(header)
        for rownum, record in enumerate(records, start=2):
            if not record:
                continue  # a blank line
            if len(record) != n:
                what = "the row is cut short: the file may be truncated" if len(record) < n else "too many cells"
                if add(f"{n} cells, one per column of the header", rownum, None, f"{len(record)} cells ({what})"):
                    break
                continue
            for j, col, kind in checks:
                cell = record[j].strip()
                if not cell:
                    if kind in ("key", "int", "num!") and add(
                        "a value (the table is written complete by ltsim)", rownum, f"column {col!r}", "a blank cell"
                    ):
                        return None, problems
                    continue
                if kind in ("int", "num", "num!"):
                    try:
                        number = float(cell)
                    except ValueError:
                        number = None
                    if number is None or (kind == "int" and not number.is_integer()):
                        expected = "a whole number" if kind == "int" else "a number"
                        if add(expected, rownum, f"column {col!r}", show(cell)):
                            return None, problems
    except csv.Error as exc:
        add("a well-formed CSV file", None, None, show(str(exc), 100))
    return (None, problems) if problems else (text, problems)


def _frame_if_fine(text: str, columns: dict[str, str] | None) -> Any:
    """The table as pandas reads it when the row checks of :func:`check_csv` certainly find nothing; else None.

    The common case, a table as ltsim writes it, checked by the column types pandas infers instead of cell by
    cell (a 100-scenario comparison reads 100 folders): no quotes, every line the header's number of cells,
    key columns without blanks, whole-number columns read as integers, number columns as numbers. Anything
    else — a quote, a short row, a blank or odd cell — goes to the row-by-row check, which says what is wrong
    where.
    """
    if '"' in text or "\r" in text:
        return None
    lines = text.split("\n")
    header = lines[0].split(",")
    if [h.strip() for h in header] != header or len(set(header)) != len(header):
        return None
    if any(c not in header for c in columns or {}):
        return None
    commas = len(header) - 1
    if any(line.count(",") != commas for line in lines[1:] if line):
        return None
    import pandas as pd

    frame = pd.read_csv(io.StringIO(text))
    if list(frame.columns) != header:
        return None
    for col, kind in (columns or {}).items():
        dtype = frame[col].dtype.kind
        if kind == "int" and dtype not in "iu":
            return None
        if kind in ("num", "num!") and dtype not in "iuf":
            return None
        if kind in ("key", "num!") and frame[col].isna().any():
            return None
    return frame


@dataclass
class RunFolder:
    """The files of one run folder, read lazily and cached. ``table(name)`` is None when the file is absent.

    Every file the report reads is checked when it is first read (see :func:`check_csv`, ``TABLE_COLUMNS``);
    :meth:`check` reads them all and raises one InputError listing the problems of every file.
    """

    path: Path
    _tables: dict[str, Any] = field(default_factory=dict, repr=False)
    _manifest: dict[str, Any] | None = field(default=None, repr=False)
    _resolved: dict[str, Any] | None = field(default=None, repr=False)
    _optimize: dict[str, Any] | None = field(default=None, repr=False)
    trusted: bool = False  # written just now by this process: tables are read without check_csv's row checks

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.is_dir():
            raise InputError(Problem("a run folder written by ltsim run", file=str(self.path), found="no such folder"))
        if not (self.path / "manifest.json").is_file():
            raise InputError(
                Problem(
                    "a run folder written by ltsim run (with manifest.json)",
                    file=str(self.path),
                    found="no manifest.json",
                )
            )

    def check(self, tables: tuple[str, ...] | None = None) -> None:
        """Read and check every file the report uses (of the CSVs only ``tables``, if given); one InputError."""
        problems: list[Problem] = []
        names = [n for n in self.table_names() if tables is None or n in tables]
        for read in (
            lambda: self.manifest,
            lambda: self.resolved,
            lambda: self.optimize,
            *[(lambda n=n: self.table(n)) for n in names],
        ):
            try:
                read()
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)

    def table_names(self) -> list[str]:
        """Every CSV table in the folder: contract tables first, in contract order, then the rest."""
        present = {p.stem for p in self.path.glob("*.csv") if p.is_file()}
        ordered = [n for n in CONTRACT_TABLES if n in present]
        return ordered + sorted(present - set(ordered))

    def has(self, name: str) -> bool:
        """Whether ``name.csv`` exists."""
        return (self.path / f"{name}.csv").is_file()

    def table(self, name: str) -> Any:
        """``name.csv`` as a DataFrame (checked, cached), or None when the file is absent."""
        if name not in self._tables:
            import pandas as pd

            file = self.path / f"{name}.csv"
            if not file.is_file():
                self._tables[name] = None
            elif self.trusted:
                self._tables[name] = pd.read_csv(file)
            else:
                frames: list[Any] = []
                text, problems = check_csv(file, TABLE_COLUMNS.get(name), frames)
                if text is None:
                    raise InputError(problems)
                self._tables[name] = frames[0] if frames else pd.read_csv(io.StringIO(text))
        return self._tables[name]

    @property
    def manifest(self) -> dict[str, Any]:
        """``manifest.json`` (checked)."""
        if self._manifest is None:
            file = self.path / "manifest.json"
            man, problem = read_json(file, "the run's manifest")
            problems = [problem] if problem else check_manifest(file, man)
            if problems:
                raise InputError(problems)
            self._manifest = man
        return self._manifest

    @property
    def resolved(self) -> dict[str, Any]:
        """``scenario.resolved.yaml`` (checked; empty when absent)."""
        if self._resolved is None:
            import yaml

            file = self.path / "scenario.resolved.yaml"
            if not file.is_file():
                self._resolved = {}
                return self._resolved
            expected = "the resolved scenario as YAML (as ltsim run writes it)"
            size = file.stat().st_size
            if size > MAX_YAML_BYTES:
                raise InputError(Problem(expected, file=str(file), found=f"{size / 2**20:,.0f} MB"))
            try:
                doc = load_plain_yaml(file.read_bytes().decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise InputError(
                    Problem(expected, file=str(file), found=f"a byte 0x{exc.object[exc.start]:02x} that is not UTF-8")
                ) from None
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                raise InputError(
                    Problem(
                        expected,
                        file=str(file),
                        line=mark.line + 1 if mark is not None else None,
                        found=f"invalid YAML: {show(str(getattr(exc, 'problem', None) or exc), 80)}",
                    )
                ) from None
            except RecursionError:
                raise InputError(Problem(expected, file=str(file), found="YAML nested too deeply")) from None
            doc = {} if doc is None else doc
            problems = check_resolved(file, doc)
            if problems:
                raise InputError(problems)
            self._resolved = doc
        return self._resolved

    @property
    def optimize(self) -> dict[str, Any] | None:
        """``optimize.json`` of an optimised plan (checked), or None."""
        file = self.path / "optimize.json"
        if self._optimize is None and file.is_file():
            o, problem = read_json(file, "the optimisation's summary")
            problems = [problem] if problem else check_optimize(file, o)
            if problems:
                raise InputError(problems)
            self._optimize = o
        return self._optimize

    @property
    def plan_found(self) -> dict[str, Any] | None:
        """``plan_found.json`` of a planned variant's run (what ``ltsim plan`` found, and whether it is stale), or None."""
        file = self.path / "plan_found.json"
        if not file.is_file():
            return None
        found, problem = read_json(file, "what ltsim plan found")
        if problem is None and not (
            isinstance(found, dict) and isinstance(found.get("date"), str) and isinstance(found.get("stale"), bool)
        ):
            problem = Problem(
                "an object with 'date' (text) and 'stale' (true/false)", file=str(file), found=str(found)[:80]
            )
        if problem is not None:
            raise InputError(problem)
        return found

    @property
    def name(self) -> str:
        """Scenario name."""
        return str(self.manifest.get("scenario", {}).get("name") or self.resolved.get("name") or self.path.name)

    @property
    def title(self) -> str:
        """Scenario title (its name when it has none)."""
        return str(self.manifest.get("scenario", {}).get("title") or self.resolved.get("title") or self.name)


def build_report(run_dir: Path, lang: str = "nb", check: bool = True) -> tuple[Path, Path]:
    """Write ``report.html`` and ``workbook.xlsx`` into the run folder ``run_dir``; return both paths.

    Parameters
    ----------
    run_dir
        A run folder written by ``ltsim run`` (must hold ``manifest.json``).
    lang
        ``nb`` (bokmål, Norwegian number format) or ``en``.
    check
        Validate every file the report reads first (:meth:`RunFolder.check`). ``False`` only for a
        folder this process has just written (``ltsim run`` builds its report in the staged folder).
    """
    from ltsim.io.output import write_files
    from ltsim.report.excel import workbook_bytes
    from ltsim.report.html import render, run_context
    from ltsim.report.i18n import check_lang

    check_lang(lang)
    run = RunFolder(Path(run_dir), trusted=not check)
    if check:
        run.check()  # every file the report reads, before anything is built
    html = render("run.html.j2", lang, **run_context(run, lang))
    xlsx = workbook_bytes(run, lang)
    html_path, xlsx_path = write_files({"report.html": html, "workbook.xlsx": xlsx}, run.path, "run folder")
    return html_path, xlsx_path


def compare_report(run_dirs: list[Path], out: Path, lang: str = "nb") -> Path:
    """Write a comparison report of several run folders to ``out`` (HTML); return its path.

    ``run_dirs`` may name run folders, a batch folder (whose sub-folders are run folders) or a batch
    ``summary.csv`` (one row per scenario × key figure, or one row per scenario).
    """
    from ltsim.report.compare import compare_report as _compare

    return _compare(run_dirs, out, lang)


__all__ = ["CONTRACT_TABLES", "TABLE_COLUMNS", "RunFolder", "build_report", "compare_report"]
