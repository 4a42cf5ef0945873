"""Where the scenario's tables may lie, and the absolute path of each.

A path to a table is relative to the YAML file that names it. The table must lie — after ``..``
and symbolic links are resolved — inside the folder of one of the scenario's own YAML files or
a folder listed under ``data_roots``, never under a system folder, and be a regular file.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ltsim.errors import InputError, Problem, show
from ltsim.io.files import resolve_path
from ltsim.io.services import zone_system_file_keys
from ltsim.io.yamlsrc import SourceMap
from ltsim.scenario.errors import Loc, locate, problem
from ltsim.schema import ScenarioConfig

# Every field that names a CSV table, as a key path into the scenario.
FILE_FIELDS: tuple[Loc, ...] = (
    ("population", "base"),
    ("population", "mortality", "rates"),
    ("population", "fertility", "rates"),
    ("population", "migration", "out_rates"),
    ("population", "migration", "in_profiles"),
    ("population", "housing", "programme"),
    ("population", "housing", "occupancy"),
    ("population", "control_totals"),
)
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"), Path("/etc"), Path("/boot"))


def _get(config: BaseModel, loc: Loc) -> Any:
    """The value at key path ``loc`` of the config (None where any step is missing)."""
    node: Any = config
    for part in loc:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(part, str):
            node = getattr(node, part, None)
        else:
            node = node[part]
        if node is None:
            return None
    return node


def _data_roots(config: ScenarioConfig, smap: SourceMap, top: Path) -> tuple[list[Path], list[Problem]]:
    """The folders listed under ``data_roots``, resolved against the YAML file that lists them."""
    roots: list[Path] = []
    problems: list[Problem] = []
    for i, value in enumerate(config.data_roots or ()):
        loc = ("data_roots", i)
        declared_in = Path(locate(loc, smap, top)[0])
        root = resolve_path(declared_in.parent / value)
        if root is None or not root.is_dir():
            problems.append(problem(loc, smap, top, "an existing folder (relative to this file)", show(value)))
        elif root == Path(root.anchor) or any(root.is_relative_to(s) for s in SYSTEM_FOLDERS):
            problems.append(
                problem(
                    loc,
                    smap,
                    top,
                    "a folder of data, not / nor a system folder (" + ", ".join(map(str, SYSTEM_FOLDERS)) + ")",
                    show(value),
                )
            )
        else:
            roots.append(root)
    return roots, problems


def _file_kind(path: Path) -> str:
    """'file', 'missing', or what else ``path`` is, in words."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError) as exc:
        return "a path the system refuses" + (f" ({exc.strerror.lower()})" if getattr(exc, "strerror", None) else "")
    if stat.S_ISREG(info.st_mode):
        return "file"
    return "a folder" if stat.S_ISDIR(info.st_mode) else "a special file (device, pipe or socket)"


def resolve_files(config: ScenarioConfig, smap: SourceMap, top: Path) -> tuple[dict[str, Path], tuple[Path, ...]]:
    """Absolute path of every CSV the scenario names, and the folders they were allowed to lie in.

    Paths are relative to the YAML file that names them. A table must lie inside the folder of the
    YAML file that names it, of a file it extends, or a folder under ``data_roots`` (after ``..``
    and links are resolved), and be a regular file.
    """
    out: dict[str, Path] = {}
    listed, problems = _data_roots(config, smap, top)
    homes = [
        home
        for home in dict.fromkeys(
            resolve_path(parent)
            for parent in dict.fromkeys(Path(f).parent for f in dict.fromkeys(f for f, _ in [*smap.values(), (top, 0)]))
        )
        if home is not None and home != Path(home.anchor)
    ]
    used: list[Path] = []
    for loc in (
        *FILE_FIELDS,
        *zone_system_file_keys(config),
        ("projects", "catalogue"),
        ("projects", "plan_spend"),
        ("finance", "investment", "recurring"),
        ("plan", "types"),
        ("plan", "sites"),
        ("plan", "closures"),
    ):
        value = _get(config, loc)
        if value is None:
            continue
        declared_in = Path(locate(loc, smap, top)[0])
        home = resolve_path(declared_in.parent) or declared_in.parent
        path = resolve_path(declared_in.parent / value)
        if path is None:
            problems.append(problem(loc, smap, top, "a path to a CSV file (relative to this file)", show(value)))
            continue
        root = next((r for r in (home, *homes, *listed) if path.is_relative_to(r)), None)
        if root is None or any(path.is_relative_to(s) for s in SYSTEM_FOLDERS):
            problems.append(
                problem(
                    loc,
                    smap,
                    top,
                    f"a table inside {home} (the folder of the YAML file that names it), the folder of a file"
                    " it extends, or a folder listed under data_roots",
                    f"{show(value)}, which lies outside",
                )
            )
            continue
        kind = _file_kind(path)
        if kind not in ("file", "missing"):
            problems.append(problem(loc, smap, top, "a CSV file (a regular file)", f"{show(value)}, {kind}"))
            continue
        if root not in used:
            used.append(root)
        out[".".join(map(str, loc))] = path
    if problems:
        raise InputError(problems)
    return out, tuple(used)
