"""The one error type scenario loading raises, with file/line/path per problem."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["ErrorItem", "ScenarioError", "format_path"]

#: Keys a scenario may not write, and why.
_RESERVED = {"source": "it is set by the loader to the file read"}


class ErrorItem(NamedTuple):
    """One problem in a scenario.

    Attributes:
        file: File as the user gave it (relative paths stay relative), or
            ``"<override>"`` for a dotted-path override.
        line: 1-based line where the offending value was written; for an
            override its 1-based position among the overrides; ``None`` when
            there is no line (the file itself is missing).
        path: Dotted path of the offending value, e.g. ``proposals[0].cet``;
            ``<root>`` for the whole document, ``<syntax>`` for a YAML syntax error.
        message: What is wrong and what is allowed.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}"


class ScenarioError(ValueError):
    """An invalid scenario. ``errors`` lists every problem found.

    ``str(err)`` is one ``file:line: path: message`` per line, sorted by file
    and line so a user can fix them top to bottom.
    """

    def __init__(self, errors: list[ErrorItem] | ErrorItem) -> None:
        items = [errors] if isinstance(errors, ErrorItem) else list(errors)
        # Deduplicate while keeping order: one bad value can trip two checks.
        seen: set[ErrorItem] = set()
        unique = [e for e in items if not (e in seen or seen.add(e))]
        unique.sort(key=lambda e: (e.file, e.line if e.line is not None else -1))
        self.errors: list[ErrorItem] = unique
        super().__init__("\n".join(str(e) for e in unique))

    def __reduce__(self) -> tuple[type, tuple[list[ErrorItem]]]:
        # Pickled from a worker process: rebuilt from the items, not the message.
        return type(self), (self.errors,)


def format_path(loc: tuple[str | int, ...]) -> str:
    """Render a location tuple as ``a.b[0].c``; the empty tuple is ``<root>``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            # Quote keys that would not read as one word on one line (blank, control characters).
            if not text or not text.isprintable() or text.strip() != text:
                text = repr(text)
            out += f".{text}" if out else text
    return out or "<root>"


def _describe(value: Any) -> str:
    """A value as an error message shows it (``number 3``, ``a mapping``, ...)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
