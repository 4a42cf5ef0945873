"""Problems that point into the scenario's YAML files: key path → file and line.

Also the one place where pydantic's ``ValidationError`` becomes problems (:class:`~ltsim.errors.Problem`)
that a planner can act on: the file, the line, the dotted field, what was found and what is
expected (for an unknown key: the allowed keys and a "did you mean …").
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from ltsim.errors import InputError, Problem, show
from ltsim.io.services import MakeProblem
from ltsim.io.yamlsrc import SourceMap, dotted
from ltsim.schema import ScenarioConfig
from ltsim.timeseries import SeriesError

Loc = tuple[str | int, ...]


def key_loc(key: str) -> Loc:
    """Key path of a dotted file key: ``zone_systems.0.mapping`` → ("zone_systems", 0, "mapping")."""
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))


def locate(loc: Loc, smap: SourceMap, top: Path) -> tuple[str, int | None]:
    """File and line for a key path: the deepest prefix of it that the source map knows."""
    for n in range(len(loc), -1, -1):
        hit = smap.get(tuple(loc[:n]))
        if hit is not None:
            return str(hit[0]), hit[1]
    return str(top), None


def problem(loc: Loc, smap: SourceMap, top: Path, expected: str, found: str | None = None) -> Problem:
    """A problem at the file and line where the key path ``loc`` was written."""
    file, line = locate(loc, smap, top)
    return Problem(expected, file=file, line=line, field=dotted(loc) or None, found=found)


def problem_maker(smap: SourceMap, top: Path) -> MakeProblem:
    """``problem`` with the source map bound, as the loaders in :mod:`ltsim.io` take it."""
    return lambda loc, expected, found: problem(loc, smap, top, expected, found)


def reference(key: str, smap: SourceMap, top: Path) -> Problem:
    """Where the dotted file key ``key`` was written (a table's ``referenced_by``)."""
    loc = key_loc(key)
    file, line = locate(loc, smap, top)
    return Problem("", file=file, line=line, field=key)


def not_a_development(loc: Loc, dev: str, names: list[str], smap: SourceMap, top: Path) -> Problem:
    """The problem of a name that is not a development of the housing programme (lists the first eight)."""
    listed = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
    return problem(loc, smap, top, f"a development of the housing programme ({listed})", show(dev))


def raise_problems(problems: list[Problem]) -> None:
    """Raise :class:`InputError` with ``problems``, if there are any."""
    if problems:
        raise InputError(problems)


# --------------------------------------------------------------------------- pydantic errors


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The pydantic model class that holds the key at ``loc`` (for listing allowed keys)."""
    model: Any = ScenarioConfig
    for part in loc:
        if not isinstance(part, str) or model is None:
            continue
        if isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            model = _inner_model(model.model_fields[part].annotation)
        elif model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        else:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, dict, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            inner = _inner_model(arg)
            if inner is not None:
                return inner
    return None


_FRIENDLY = MappingProxyType(
    {
        "int_parsing": "a whole number",
        "int_type": "a whole number",
        "int_from_float": "a whole number",
        "int_parsing_size": "a whole number (of a sensible size)",
        "float_parsing": "a number",
        "float_type": "a number",
        "string_type": "a text",
        "list_type": "a list (lines starting with '- ')",
        "dict_type": "a mapping (indented 'key: value' lines)",
        "model_type": "a mapping (indented 'key: value' lines)",
        "bool_type": "true or false",
    }
)

_PATTERN_HINT = MappingProxyType(
    {
        "id": "an identifier of lower-case letters, digits and '_' (e.g. asker_sentrum)",
        "name": "a name of letters, digits, '.', '-' and '_' (it becomes a folder name)",
    }
)


def translate(exc: ValidationError, smap: SourceMap, top: Path) -> list[Problem]:
    """One problem per pydantic error, at the file and line of its key, in words a planner reads."""
    problems = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        value = err.get("input")
        found: str | None = show(value)
        if kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            allowed = sorted(model.model_fields) if model else []
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            expected = "one of the keys " + ", ".join(allowed) + hint
            found = f"unknown key {loc[-1]!r}"
        elif kind == "missing":
            expected = f"a value for {loc[-1]!r} (it is required)"
            found = "nothing"
        elif kind == "value_error" and isinstance((err.get("ctx") or {}).get("error"), SeriesError):
            for key, found_year, expected_year in err["ctx"]["error"].errors:  # each bad year at its own line
                file, line = locate((*loc, key), smap, top)
                field = f"{dotted(loc)}.{key}"
                problems.append(
                    Problem(expected_year or "a valid value", file=file, line=line, field=field, found=found_year)
                )
            continue
        elif kind in ("value_error", "assertion_error"):
            text = err["msg"].removeprefix("Value error, ")
            if text.startswith("found ") and "; expected " in text:
                found, expected = text[len("found ") :].split("; expected ", 1)
            else:
                expected = text
        elif kind == "string_pattern_mismatch":
            expected = _PATTERN_HINT.get(str(loc[-1]), err["msg"])
        elif kind in _FRIENDLY:
            expected = _FRIENDLY[kind]
        elif kind == "literal_error":
            expected = err["msg"].removeprefix("Input should be ")
        else:
            expected = err["msg"].removeprefix("Input should be ")
        problems.append(problem(loc, smap, top, expected, found))
    return problems
