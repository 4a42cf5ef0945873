"""Reports for people: a self-contained HTML report and an Excel workbook per run folder.

The run folder is the interface: :func:`build_report` reads only the files in it (the tables of the
results contract, ``manifest.json`` and ``scenario.resolved.yaml``) and writes ``report.html`` and
``workbook.xlsx`` beside them. Optional tables (``projects.csv``, Monte Carlo tables, ``finance.csv``,
``kpi.csv``, ``schedule.csv``) add sections when present; without them the sections say what is missing.
:func:`compare_report` puts several run folders (or a batch folder) side by side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONTRACT_TABLES: tuple[str, ...] = (
    "population",
    "population_change",
    "housing",
    "demand",
    "capacity",
    "capacity_summary",
    "projects",
    "project_spend",
    "schedule",
    "shortfall_probability",
    "replications",
    "replication_projects",
    "finance",
    "kpi",
)
"""Tables of the results contract, in the order the workbook shows them (others follow alphabetically)."""


@dataclass
class RunFolder:
    """The files of one run folder, read lazily and cached. ``table(name)`` is None when the file is absent."""

    path: Path
    _tables: dict[str, Any] = field(default_factory=dict, repr=False)
    _manifest: dict[str, Any] | None = field(default=None, repr=False)
    _resolved: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.is_dir():
            raise FileNotFoundError(f"run folder {self.path} does not exist")
        if not (self.path / "manifest.json").is_file():
            raise FileNotFoundError(f"{self.path} is not a run folder: manifest.json is missing")

    def table_names(self) -> list[str]:
        """Every CSV table in the folder: contract tables first, in contract order, then the rest."""
        present = {p.stem for p in self.path.glob("*.csv")}
        ordered = [n for n in CONTRACT_TABLES if n in present]
        return ordered + sorted(present - set(ordered))

    def has(self, name: str) -> bool:
        """Whether ``name.csv`` exists."""
        return (self.path / f"{name}.csv").is_file()

    def table(self, name: str) -> Any:
        """``name.csv`` as a DataFrame (cached), or None when the file is absent."""
        if name not in self._tables:
            import pandas as pd

            file = self.path / f"{name}.csv"
            self._tables[name] = pd.read_csv(file) if file.is_file() else None
        return self._tables[name]

    @property
    def manifest(self) -> dict[str, Any]:
        """``manifest.json``."""
        if self._manifest is None:
            self._manifest = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
        return self._manifest

    @property
    def resolved(self) -> dict[str, Any]:
        """``scenario.resolved.yaml`` (empty when absent)."""
        if self._resolved is None:
            import yaml

            file = self.path / "scenario.resolved.yaml"
            self._resolved = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}) if file.is_file() else {}
        return self._resolved

    @property
    def name(self) -> str:
        """Scenario name."""
        return str(self.manifest.get("scenario", {}).get("name") or self.resolved.get("name") or self.path.name)

    @property
    def title(self) -> str:
        """Scenario title (its name when it has none)."""
        return str(self.manifest.get("scenario", {}).get("title") or self.resolved.get("title") or self.name)


def build_report(run_dir: Path, lang: str = "nb") -> tuple[Path, Path]:
    """Write ``report.html`` and ``workbook.xlsx`` into the run folder ``run_dir``; return both paths.

    Parameters
    ----------
    run_dir
        A run folder written by ``ltsim run`` (must hold ``manifest.json``).
    lang
        ``nb`` (bokmål, Norwegian number format) or ``en``.
    """
    from ltsim.report.excel import write_workbook
    from ltsim.report.html import write_html
    from ltsim.report.i18n import check_lang

    check_lang(lang)
    run = RunFolder(Path(run_dir))
    html = write_html(run, run.path / "report.html", lang)
    xlsx = write_workbook(run, run.path / "workbook.xlsx", lang)
    return html, xlsx


def compare_report(run_dirs: list[Path], out: Path, lang: str = "nb") -> Path:
    """Write a comparison report of several run folders to ``out`` (HTML); return its path.

    ``run_dirs`` may name run folders, a batch folder (whose sub-folders are run folders) or a batch
    ``summary.csv`` (one row per scenario × key figure, or one row per scenario).
    """
    from ltsim.report.compare import compare_report as _compare

    return _compare(run_dirs, out, lang)


__all__ = ["CONTRACT_TABLES", "RunFolder", "build_report", "compare_report"]
