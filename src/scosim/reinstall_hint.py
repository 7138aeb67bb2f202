"""The hint after an unknown plug-in name: an entry point just added needs a reinstall.

Entry points are read from the metadata written at install time, so an editable install
(``pip install -e``) picks up a package's new code but not a name just added to its
``pyproject.toml``. The unknown-type message said so; the unknown-mechanism and
unknown-vote-rule messages offered only a near miss (an outside review, 2026-12-07).
"""

from __future__ import annotations

__all__ = ["plugins_installed", "reinstall_hint"]


def plugins_installed() -> bool:
    """Whether a distribution other than scosim has ``scosim.*`` entry points."""
    import importlib.metadata

    for dist in importlib.metadata.distributions():
        if (dist.metadata["Name"] or "").lower() != "scosim" and any(
                ep.group.startswith("scosim.") for ep in dist.entry_points):
            return True
    return False


def reinstall_hint(what: str) -> str:
    """`` (a <what> just added to a package's entry points needs ...)``, or empty.

    Empty when no plug-in package is installed (then no entry point can be stale).

    Args:
        what: What was not found (``type``, ``mechanism``, ``vote rule``).
    """
    if not plugins_installed():
        return ""
    return (f" (a {what} just added to a package's entry points needs "
            "`pip install -e <package>` again)")
