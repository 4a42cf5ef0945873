"""The municipality code table: each old code's successor (mergers of 2020 and 2024) and today's names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ltsim.io.ssb.csv_files import read_csv_file
from ltsim.io.tables import Column

CODE_TABLE = Path(__file__).resolve().parents[2] / "data" / "municipality_codes.csv"


@dataclass(frozen=True, slots=True)
class CodeTable:
    """Municipality code changes: each old code's successor and the current names."""

    successor: Mapping[str, str]  # old code → the code that replaced it
    valid_from: Mapping[str, int]  # old code → first year of its successor
    names: Mapping[str, str]  # new code → name
    file: str = ""

    def current(self, code: str) -> str:
        """The code today: follow the chain of changes (0220 → 3025 → 3203)."""
        seen = {code}
        while code in self.successor:
            code = self.successor[code]
            if code in seen:  # a cycle in the table; stop rather than loop
                break
            seen.add(code)
        return code

    def history(self, code: str) -> list[str]:
        """Every code that ends in ``code``, ``code`` first then older ones, sorted."""
        return sorted((c for c in self.successor if self.current(c) == code), reverse=True)


def load_code_table(path: Path | None = None) -> CodeTable:
    """Read a code table (``old_code, new_code, valid_from, name[, source]``)."""
    file = CODE_TABLE if path is None else path
    table = read_csv_file(
        file,
        [
            Column("old_code", "str", pattern=r"^\d{4}$", expected="a four-digit municipality code"),
            Column("new_code", "str", pattern=r"^\d{4}$", expected="a four-digit municipality code"),
            Column("valid_from", "int", 1838, 2300, expected="the first year of the new code"),
            Column("name", "str", expected="the name of the municipality with the new code"),
        ],
        ["old_code"],
        "--codes",
    )
    old, new = table.columns["old_code"], table.columns["new_code"]
    names = dict(zip(new, table.columns["name"], strict=True))
    return CodeTable(
        successor=dict(zip(old, new, strict=True)),
        valid_from={o: int(y) for o, y in zip(old, table.columns["valid_from"], strict=True)},
        names=names,
        file=str(file),
    )
