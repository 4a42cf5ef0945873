"""A dataset's categories read as municipalities, ages, sexes, years: totals dropped, the municipality chosen.

Each function checks one dimension of a :class:`~ltsim.io.ssb.jsonstat.JsonStat` and says what it
found when it is not what a population table needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ltsim.errors import InputError, show
from ltsim.io.ssb.codes import CodeTable
from ltsim.io.ssb.jsonstat import Dimension, JsonStat, file_problem, norm_text

IDENTIFIER = r"^[a-z0-9][a-z0-9_]*$"
"""An area id: lower-case letters, digits and '_'."""
PERSONS_CONTENTS = ("personer", "folkemengde", "persons", "population", "befolkning")
"""Words of the contents category that counts persons."""
TOTAL_WORDS = ("i alt", "alle aldre", "total", "all ages", "begge kjonn", "both sexes", "alle")


def is_total(code: str, label: str) -> bool:
    """Whether a category is a total (all ages, both sexes, the whole country)."""
    c, lab = code.strip().upper(), norm_text(label)
    return c in {"999", "999D", "TOT", "TOTAL", "T", "0T", "00-105+"} or any(w in lab for w in TOTAL_WORDS)


def age_of_category(code: str, label: str) -> tuple[int, bool] | None:
    """(age, open) for a single-year age: ``"007"`` → (7, False), ``"105+"`` → (105, True)."""
    m = re.fullmatch(r"\s*(\d{1,3})\s*(\+?)\s*", code)
    if m:
        return int(m.group(1)), bool(m.group(2))
    m = re.fullmatch(r"\s*(\d{1,3})\s*(år|years?|yrs?)?\s*(\+|eller eldre|or older|and over)?\s*", label.lower())
    if m:
        return int(m.group(1)), bool(m.group(3))
    return None


def sex_of_category(code: str, label: str) -> str | None:
    """``"female"`` or ``"male"`` for a sex category (``2``/``1``, Kvinner/Menn), None otherwise."""
    c, lab = code.strip().upper(), norm_text(label).strip()
    if c in {"1", "M"} or lab in {"menn", "mann", "male", "males", "men", "gutter", "boys"}:
        return "male"
    if c in {"2", "K", "F"} or lab in {"kvinner", "kvinne", "female", "females", "women", "jenter", "girls"}:
        return "female"
    return None


def clean_code(code: str) -> str:
    """A region code without SSB's ``K-`` prefix: ``"K-3203"`` → ``"3203"``."""
    code = code.strip()
    return code[2:] if code.upper().startswith("K-") else code


def clean_name(label: str, code: str) -> str:
    """A municipality's name from its label, without code and period: ``"3203 Asker (2024-)"`` → ``"Asker"``."""
    name = re.sub(r"^\s*(K-)?\d{4}\s*", "", label)
    name = re.sub(r"\s*\([^)]*\d{4}[^)]*\)\s*$", "", name)  # "Asker (2020-2023)", "Asker (-2019)"
    return name.strip() or code


def slug(name: str) -> str:
    """An area id from a name: ``"Nordre Follo"`` → ``nordre_follo``, ``"Bærum"`` → ``baerum``."""
    text = re.sub(r"[^a-z0-9]+", "_", norm_text(name).replace("å", "a")).strip("_")
    return text if text and re.fullmatch(IDENTIFIER, text) else "area_" + text


def pick_municipality(data: JsonStat, codes: CodeTable, wanted: str | None) -> tuple[str, str, list[int]]:
    """The target municipality (current code), its name and the region indices summed into it."""
    region = data.dim("region")
    if region is None:
        if wanted is not None:
            raise InputError(
                file_problem(
                    data.file,
                    f"a region dimension (Region/kommune) containing municipality {wanted}",
                    data.found(),
                )
            )
        return "", clean_name(data.label, ""), []
    groups: dict[str, list[int]] = {}
    for i, code in enumerate(region.codes):
        if is_total(code, region.labels.get(code, "")) and not re.fullmatch(r"\d{4}", clean_code(code)):
            continue
        groups.setdefault(codes.current(clean_code(code)), []).append(i)

    def listing() -> str:
        parts = []
        for cur, members in groups.items():
            olds = [clean_code(region.codes[i]) for i in members if clean_code(region.codes[i]) != cur]
            name = codes.names.get(cur) or clean_name(region.labels.get(region.codes[members[0]], ""), cur)
            parts.append(f"{cur} {name}" + (f" (from {', '.join(olds)})" if olds else ""))
        return "; ".join(parts)

    if wanted is None:
        if len(groups) != 1:
            raise InputError(
                file_problem(
                    data.file,
                    "one municipality in the file, or --municipality CODE to choose one",
                    f"{len(groups)} municipalities: {listing()}",
                    field=f"dimension {region.id!r}",
                )
            )
        target = next(iter(groups))
    else:
        target = codes.current(clean_code(wanted))
        if target not in groups:
            note = f" ({wanted} is {target} today)" if target != clean_code(wanted) else ""
            raise InputError(
                file_problem(
                    data.file,
                    f"a municipality code in the file, or an old code that the code table maps to one: {listing()}",
                    f"--municipality {show(wanted)}{note}",
                    field=f"dimension {region.id!r}",
                )
            )
    members = groups[target]
    own = [i for i in members if clean_code(region.codes[i]) == target]
    label_from = own[0] if own else members[0]
    name = codes.names.get(target) or clean_name(region.labels.get(region.codes[label_from], ""), target)
    return target, name, members


def select_categories(data: JsonStat, kind: str, keep: Sequence[int]) -> None:
    """Reduce the values to the given categories of one dimension (in place)."""
    dim = data.dim(kind)
    assert dim is not None
    axis = data.dimensions.index(dim)
    data.values = np.take(data.values, list(keep), axis=axis)
    new = Dimension(dim.id, dim.label, tuple(dim.codes[i] for i in keep), dim.labels)
    data.dimensions[axis] = new


def keep_persons(data: JsonStat) -> None:
    """Keep the one contents category that counts persons (or the only one)."""
    dim = data.dim("contents")
    if dim is None or len(dim.codes) == 1 or data.kinds.get("variant") == dim.id:
        return
    hits = [
        i
        for i, c in enumerate(dim.codes)
        if any(w in norm_text(c + " " + dim.labels.get(c, "")) for w in PERSONS_CONTENTS)
    ]
    if len(hits) != 1:
        raise InputError(
            file_problem(
                data.file,
                "one statistic, the number of persons (e.g. ContentsCode 'Personer1')",
                ", ".join(f"{c!r} ({dim.labels.get(c, '')})" for c in dim.codes),
                field=f"dimension {dim.id!r}",
            )
        )
    select_categories(data, "contents", hits)


def years_of(data: JsonStat) -> list[int]:
    """The years of the time dimension, in its order."""
    dim = data.dim("time")
    if dim is None:
        raise InputError(file_problem(data.file, "a time dimension (Tid) with years", data.found()))
    years = []
    for code in dim.codes:
        m = re.fullmatch(r"\s*(\d{4})\s*", code)
        if m is None:
            raise InputError(
                file_problem(
                    data.file, "years such as '2024' in the time dimension", show(code), field=f"dimension {dim.id!r}"
                )
            )
        years.append(int(m.group(1)))
    return years


def collapse_others(data: JsonStat) -> None:
    """Any other dimension must have one category (an eliminated or fixed variable)."""
    known = set(data.kinds.values())
    for dim in data.dimensions:
        if dim.id not in known and len(dim.codes) > 1:
            raise InputError(
                file_problem(
                    data.file,
                    "only the dimensions region, sex, age, time, contents and (for projections) variant; "
                    "any other with a single category",
                    f"dimension {dim.describe()} with categories {', '.join(dim.codes[:6])}",
                )
            )


def age_axis(data: JsonStat, max_age: int, required: bool) -> tuple[list[int] | None, int]:
    """For each age category its target age (None = a total, dropped); and the open class found."""
    dim = data.dim("age")
    if dim is None:
        if required:
            raise InputError(
                file_problem(
                    data.file,
                    "an age dimension (Alder, single years of age '000'…'105+'); save table 07459 with every age",
                    data.found(),
                )
            )
        return None, -1
    target: list[int | None] = []
    open_at = -1
    bad = []
    for code in dim.codes:
        label = dim.labels.get(code, "")
        age = age_of_category(code, label)
        if age is None:
            if is_total(code, label):
                target.append(None)
                continue
            bad.append(f"{code!r} ({label})" if label and label != code else repr(code))
            target.append(None)
            continue
        if age[1]:
            open_at = age[0]
        target.append(min(age[0], max_age))
    if bad:
        raise InputError(
            file_problem(
                data.file,
                "single years of age ('000', '001', …, '105+'; totals such as '999D' are dropped)",
                "age categories " + ", ".join(bad[:8]) + (f" and {len(bad) - 8} more" if len(bad) > 8 else ""),
                field=f"dimension {dim.id!r}",
            )
        )
    return target, open_at  # type: ignore[return-value]
