"""The scenarios shipped with scosim, named ``scosim:<name>`` (``extends:``, ``scosim run``).

A user's own scenario, in her plug-in package or anywhere outside the checkout, extends a
shipped one with ``extends: scosim:customs_union``; a path cannot reach it, since after
``pip install scosim`` the repository's ``scenarios/`` folder is not on her machine. The
wheel carries a copy of that folder as ``scosim/shipped_scenarios/`` (setup.py copies it
when the wheel is built); a source checkout or an editable install reads the folder itself.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from scosim.checkout import source_root

__all__ = ["PREFIX", "is_shipped", "shipped_dir", "shipped_hint", "shipped_names", "shipped_path"]

#: What a scenario reference starts with to name a shipped scenario.
PREFIX = "scosim:"
#: Where a built wheel keeps the scenarios (``setup.py`` writes them there).
PACKAGED = Path(__file__).resolve().parents[1] / "shipped_scenarios"
#: A source checkout or editable install: ``<repo>/src/scosim/scenario/`` -> ``<repo>/scenarios``.
#: None for an installed package: three folders up from it is no repository of scosim's
#: (``pip install --target ./vendor`` put a user's own ``./scenarios`` there).
CHECKOUT: Path | None = (None if (_root := source_root()) is None else _root / "scenarios")


def is_shipped(ref: str) -> bool:
    """Whether ``ref`` names a shipped scenario (``scosim:customs_union``)."""
    return isinstance(ref, str) and ref.startswith(PREFIX)


def shipped_dir() -> Path | None:
    """The folder of shipped scenarios: the wheel's copy, else the checkout's; None if neither."""
    for folder in (PACKAGED, CHECKOUT):
        if folder is not None and folder.is_dir() and any(folder.glob("*.yaml")):
            return folder
    return None


def shipped_names(folder: Path | None = None) -> list[str]:
    """Every shipped scenario's name (``customs_union``, ``hindcasts/apply_afg_2012``), sorted."""
    folder = shipped_dir() if folder is None else folder
    if folder is None:
        return []
    return sorted(p.relative_to(folder).with_suffix("").as_posix()
                  for p in folder.rglob("*.yaml"))


def shipped_path(ref: str) -> Path:
    """The file a ``scosim:<name>`` reference names.

    ``<name>`` is the file's path under ``scenarios/`` with or without ``.yaml``.

    Raises:
        LookupError: No such shipped scenario; the one-line message names the closest
            (or, with none close, the top-level ones).
    """
    name = ref[len(PREFIX):].strip() if is_shipped(ref) else ref
    stem = name.removesuffix(".yaml")
    folder = shipped_dir()
    if folder is None:
        raise LookupError(
            f"{ref!r}: this installation of scosim has no shipped scenarios (neither "
            f"{PACKAGED.name}/ in the package nor a checkout's scenarios/); reinstall scosim")
    names = shipped_names(folder)
    if stem in names:
        return folder / f"{stem}.yaml"
    close = difflib.get_close_matches(stem, names, n=4, cutoff=0.6)
    if close:
        hint = "closest: " + ", ".join(PREFIX + c for c in close)
    else:
        hint = "shipped: " + ", ".join(PREFIX + n for n in names if "/" not in n)
    raise LookupError(f"no shipped scenario {ref!r}; {hint}")


def shipped_hint(path: str | Path, *, extends: bool = False) -> str:
    """``; did you mean scosim:<name>?`` when a missing file ``path`` names a shipped scenario.

    Outside the checkout ``scosim run customs_union.yaml`` (or ``extends: customs_union.yaml``)
    finds no file: the shipped scenarios are reached by name. Matched on the file's stem (its
    folder under ``scenarios/`` too, for ``hindcasts/...``).

    Args:
        path: The file that was not found, as given.
        extends: Word the hint for an ``extends:`` line (``did you mean extends: scosim:...``).

    Returns:
        The hint, or "" when no single shipped scenario has that name.
    """
    path = Path(path)
    names = shipped_names()
    stem = path.with_suffix("").name if path.suffix in (".yaml", ".yml") else path.name
    hits = [n for n in names if n == stem] or [n for n in names if n.rsplit("/", 1)[-1] == stem]
    if len(hits) != 1:
        return ""
    return f"; did you mean {'extends: ' if extends else ''}{PREFIX}{hits[0]}?"
