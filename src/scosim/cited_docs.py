"""Where the README and docs/*.md pages the printed answers cite are, in an installed scosim.

The answers (``scosim run``, ``show``, ``transfers``) cite ``README`` and
``docs/<page>.md`` by their paths in the source tree. In a checkout those are its files;
a wheel installed with pip had none of them, so its user was sent to pages she could not
open (an outside review, 2026-12-07). The wheel now carries them (setup.py copies
README.md, CHANGELOG.md, docs/*.md and the docs/img/ figures they link to
``scosim/shipped_docs/``, in the same layout, so the README's links still resolve), and
an installed scosim that prints a citation says, once, under the text, where they are.
The citations themselves stay as they are: the same in every install, and in
``summary.txt``, which must not carry a machine's paths.
"""

from __future__ import annotations

import re
from pathlib import Path

from scosim.checkout import source_root
from scosim.tty_lines import labelled, prose

__all__ = ["PACKAGED", "cited_pages", "docs_note", "docs_root"]

#: Where a built wheel keeps README.md, CHANGELOG.md and docs/ (setup.py writes them there).
PACKAGED = Path(__file__).resolve().parent / "shipped_docs"

#: A citation of the README or of a docs page, as the answers write them.
_CITED = re.compile(r"\bREADME\b|\bdocs/[A-Za-z0-9_-]+\.md\b")


def docs_root() -> Path | None:
    """The folder holding README.md and docs/: the checkout's, else the wheel's; None if neither."""
    root = source_root()
    if root is not None:
        return root
    return PACKAGED if (PACKAGED / "README.md").is_file() else None


def cited_pages(text: str) -> list[str]:
    """The pages ``text`` cites (``README.md``, ``docs/rules.md``), in order, each once."""
    seen: dict[str, None] = {}
    for m in _CITED.finditer(text):
        seen["README.md" if m.group(0) == "README" else m.group(0)] = None
    return list(seen)


def docs_note(text: str, width: int | None = None) -> str:
    """A line saying where the pages ``text`` cites are, for an installed scosim.

    Piped, one line (the README calls it the last line; scripts may read the path after
    it). On a terminal it ran to ~95 columns with a site-packages path: there it is
    wrapped at ``width``, the path never broken, alone on its line where it does not fit
    beside its label (:func:`scosim.tty_lines.labelled`).

    Args:
        text: What is about to be printed.
        width: The terminal's width; None where stdout is not a terminal.

    Returns:
        ``""`` in a source checkout (its README and docs/ are the pages cited) or when
        ``text`` cites none; else the note, ending in a newline: the folder of the pages
        shipped in the wheel or, for an install that has none (a wheel built before they
        were shipped), that they are in the scosim source, with the version.
    """
    if source_root() is not None:
        return ""
    pages = cited_pages(text)
    if not pages:
        return ""
    root = docs_root()
    if root is None:
        from scosim.checkout import _version

        return prose(f"{'The pages' if len(pages) > 1 else 'The page'} cited above "
                     f"{'are' if len(pages) > 1 else 'is'} in the scosim {_version()} source, "
                     f"not in this install: {', '.join(pages)}.", width) + "\n"
    if len(pages) == 1:
        label = f"{pages[0]}, cited above, ships with this install:"
        return "\n".join(labelled(label, [str(root / pages[0])], width, len(label) + 1)) + "\n"
    return prose(f"The pages cited above ship with this install, under {root}: "
                 f"{', '.join(pages)}.", width) + "\n"
