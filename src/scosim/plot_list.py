"""The plots ``scosim run`` wrote, as one labelled line on a terminal.

On an 80-column terminal ``scosim run scenarios/customs_union.yaml`` printed each plot as
its own ``  plot: <full path>`` line, 5 to 14 lines of ~100 columns each folded by the
terminal, before the answer. On a terminal they are now one item: the plots folder, then
the files' names, wrapped at its width (:func:`scosim.tty_lines.prose`, never inside the
folder's path). Piped or redirected, each plot keeps its own ``  plot: <path>`` line:
scripts (and ``tests/test_object_store.py``) read a plot's full path from it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from scosim.tty_lines import prose

__all__ = ["plot_lines"]


def _split(plot: str | Path) -> tuple[str, str]:
    """A plot's folder and file name; a URL (``s3://b/r/plots/x.png``) split at its last /."""
    if isinstance(plot, Path):
        return str(plot.parent), plot.name
    folder, _, name = plot.rpartition("/" if "://" in plot else os.sep)
    return folder, name


def plot_lines(plots: Sequence[str | Path], width: int | None) -> list[str]:
    """The lines naming ``plots``: one a plot piped (``width`` None), one item on a terminal.

    Args:
        plots: The plots' paths (local) or URLs (a run in an object store).
        width: The terminal's width, or None where stdout is not a terminal.

    Returns:
        Piped, ``"  plot: <path>"`` for each plot, as before. On a terminal, for each folder
        (one, in a run): "plots (5) in <folder>: a.png, b.png, ..." wrapped at ``width``,
        its continuation lines indented by two; none for no plots.
    """
    if width is None:
        return [f"  plot: {p}" for p in plots]
    folders: dict[str, list[str]] = {}
    for p in plots:
        folder, name = _split(p)
        folders.setdefault(folder, []).append(name)
    out = []
    for folder, names in folders.items():
        what = "plot" if len(names) == 1 else f"plots ({len(names)})"
        out += prose(f"{what} in {folder}: {', '.join(names)}", width, indent="  ").split("\n")
    return out
