"""Input errors that name the file, the line or row, the field, what was found and what is expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input.

    ``line`` is the 1-based line of a YAML file, or the 1-based row of a CSV file
    counted as a spreadsheet shows it (the header is row 1).
    """

    expected: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    found: str | None = None
    row: bool = False

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f", {'row' if self.row else 'line'} {self.line}"
        parts = [where]
        if self.field:
            parts.append(self.field)
        text = ": ".join(parts) + ": "
        if self.found is not None:
            text += f"found {self.found}; "
        return text + f"expected {self.expected}"


class InputError(Exception):
    """Bad input. Carries every problem found so the user can fix them in one pass."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def show(value: object, limit: int = 60) -> str:
    """Render a found value for a message: strings quoted, long values cut."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
