"""Input errors that name the file, the line or row, the field, what was found and what is expected."""

from __future__ import annotations

from dataclasses import dataclass

SHOW_LIMIT = 60  # characters of a found value a message quotes, at most


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
        where = printable(self.file or "<scenario>")
        if self.line is not None:
            where += f", {'row' if self.row else 'line'} {self.line}"
        parts = [where]
        if self.field:
            parts.append(printable(self.field))
        text = ": ".join(parts) + ": "
        if self.found is not None:
            text += f"found {printable(self.found)}; "
        return text + f"expected {printable(self.expected)}"


class InputError(Exception):
    """Bad input. Carries every problem found so the user can fix them in one pass."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def printable(text: str) -> str:
    r"""``text`` with every character that is not printable written as an escape.

    Control characters, line breaks and bidirectional overrides become ``\x07``, ``\n``,
    ``\u202e`` …, so a message is one safe line of text.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def show(value: object, limit: int = SHOW_LIMIT) -> str:
    """Render a found value for a message: strings quoted, printable characters only, long values cut.

    Anything read from a file passes through here before a message quotes it, so a message never
    echoes more than ``limit`` (60) characters of a file's content, and nothing that is not printable.
    """
    text = printable(repr(value) if isinstance(value, str) else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
