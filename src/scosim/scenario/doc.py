"""Plain data read from scenario files, with the file and line of every value."""

from __future__ import annotations

from typing import Any

__all__ = ["Loc", "Origin"]

#: Location of a value: keys and list indices from the top of the document.
Loc = tuple[Any, ...]
#: Where a value was written: ``(file, 1-based line or None)``.
Origin = tuple[str, int | None]


class _Doc:
    """Plain data from one or more files, with where each value was written."""

    def __init__(self, data: Any, origins: dict[Loc, Origin]) -> None:
        self.data = data
        self.origins = origins
        #: The files merged into this document, the most derived first (a scenario
        #: before the file it extends).
        self.files: list[str] = sorted({f for f, _ in origins.values()})
        #: Nulls a file that extends another wrote where the files it extends wrote no
        #: key to remove (``extends`` merge): ``{loc: (origin of the null, the file
        #: extended, the keys the files extended wrote beside it)}``.
        self.unmatched_nulls: dict[Loc, tuple[Origin, str, list[str]]] = {}
        #: The items of a parent's ``proposals`` or ``events`` list that a child's list
        #: replaced (``extends`` merge), each with the file that wrote it: an item of the
        #: child's without ``type`` is explained by the parent's of the same ``id``.
        self.replaced_items: dict[Loc, list[tuple[Any, str]]] = {}

    def rank(self, file: str) -> int:
        """How derived ``file`` is in this document (lower: more derived).

        0 is the file validated, larger the files it extends; -1 anything written after
        all files (a ``--set`` override).
        """
        return self.files.index(file) if file in self.files else -1

    def origin(self, loc: Loc) -> Origin:
        """Origin of ``loc`` or of its nearest ancestor that has one.

        Unless a ``--set`` override wrote at or below ``loc`` (not the root): then the
        first such override. An error on a whole value (a phase-in schedule, a
        proposal) that an override changed part of is the override's doing, and was
        reported at the file's line, which the user did not change.
        """
        found: Origin = ("<unknown>", None)
        for i in range(len(loc), -1, -1):
            if loc[:i] in self.origins:
                found = self.origins[loc[:i]]
                break
        if loc and self.rank(found[0]) != -1:
            below = [o for k, o in self.origins.items()
                     if k[: len(loc)] == loc and self.rank(o[0]) == -1]
            if below:
                return min(below, key=lambda o: o[1] or 0)
        return found


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _purge(origins: dict[Loc, Origin], loc: Loc) -> None:
    for k in [k for k in origins if k[: len(loc)] == loc]:
        del origins[k]
