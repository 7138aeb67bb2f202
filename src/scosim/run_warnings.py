"""The warnings a run gave, kept in its ``manifest.json`` so that they travel with it.

``scosim run`` prints a run's warnings ("parameters.network.instability.AFG 0.8 is above
0.332 ...: a stress test") once, to the terminal that ran it. A run opened later (the
explorer opening the results folder, ``scosim compare`` by run id, the comparison's
report) lost them. The runner now writes them into the manifest's ``warnings`` field
(:func:`stored`), and readers take them back with :func:`run_warnings`.

Also here: :func:`is_own`, which tells scosim's own warnings (shown to the reader) from a
library's (for a log).

No numpy or pandas: ``scosim list`` and the explorer's file list read manifests fast.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scosim.errors import ScosimWarning

__all__ = ["FIELD", "carried", "carried_said", "is_own", "run_warnings", "stored",
           "stress_lines", "warn_and_keep",
           "warning_texts"]

#: The manifest's field.
FIELD = "warnings"
#: The keys of each entry, in the order the manifest writes them.
_KEYS = ("message", "category", "module", "count")
#: The installed package's directory: a warning raised from a file under it is scosim's.
_PACKAGE_DIR = Path(__file__).resolve().parent


def is_own(category: type[Warning], filename: str | None) -> bool:
    """Whether a warning is scosim's own: its class, or the file it was raised from.

    A :class:`~scosim.errors.ScosimWarning` is scosim's wherever ``stacklevel`` points
    (a run's warning names the caller's line, which may be a notebook's). Any other
    ``UserWarning`` is scosim's only if raised from a file of the package (a plug-in or
    a library raising one is not).

    Args:
        category: The warning's class.
        filename: The file ``warnings.showwarning`` was given.
    """
    if issubclass(category, ScosimWarning):
        return True
    if not filename:
        return False
    try:
        return Path(filename).resolve().is_relative_to(_PACKAGE_DIR)
    except (OSError, ValueError):  # "<string>", a name that is no path here
        return False


def warn_and_keep(kept: list[tuple[str, str, str]], message: str, module: str,
                  *, stacklevel: int = 2, category: type[ScosimWarning] = ScosimWarning
                  ) -> None:
    """Warn of ``message`` (a :class:`~scosim.errors.ScosimWarning`) and keep it for the run.

    Kept whatever the process's filters do with the warning (the same message raised
    twice in one process is shown once by default): the manifest of two identical runs
    is then the same, whatever ran before them.

    Args:
        kept: The run's list of ``(message, category, module)``; appended to.
        message: The text.
        module: The module whose check found it (``scosim.network.params``).
        stacklevel: As for :func:`warnings.warn`, counted from the caller of this function.
        category: :class:`~scosim.errors.ScosimNote` for what the scenario says it means
            (a declared stress test): kept under that name, said as ``scosim: note:``.
    """
    kept.append((message, category.__name__, module))
    warnings.warn(message, category, stacklevel=stacklevel + 1)


def stored(kept: Iterable[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The manifest's ``warnings``: one entry per distinct warning, with its count.

    In the order first raised (the run's checks run in a fixed order over the
    scenario's fields), so that identical runs write identical entries.

    Args:
        kept: ``(message, category, module)`` of each warning, repeats included.

    Returns:
        ``[{"message", "category", "module", "count"}, ...]``.
    """
    counts: dict[tuple[str, str, str], int] = {}
    for entry in kept:
        counts[entry] = counts.get(entry, 0) + 1
    return [dict(zip(_KEYS, (*entry, n), strict=True)) for entry, n in counts.items()]


def run_warnings(manifest: Mapping[str, Any], source: str = "manifest.json"
                 ) -> list[dict[str, Any]]:
    """The warnings a run's manifest records (none for a run made before 2026-12-06).

    Args:
        manifest: The run's manifest.
        source: How to name the manifest in an error (its path).

    Raises:
        ValueError: The field is not a list of entries as :func:`stored` writes them
            (a hand-edited manifest), naming the file, the field and what is allowed.
    """
    entries = manifest.get(FIELD)
    if entries is None:
        return []
    allowed = ("a list of {message: text, category: text, module: text, count: whole "
               "number >= 1}")
    if not isinstance(entries, list):
        raise ValueError(f"{source}: field {FIELD!r} must be {allowed}, "
                         f"not {type(entries).__name__}")
    for k, e in enumerate(entries):
        ok = (isinstance(e, dict) and set(e) == set(_KEYS)
              and all(isinstance(e[key], str) for key in _KEYS[:3])
              and isinstance(e["count"], int) and not isinstance(e["count"], bool)
              and e["count"] >= 1)
        if not ok:
            raise ValueError(f"{source}: field {FIELD!r}, entry {k}: {e!r} is not allowed; "
                             f"the field must be {allowed}")
    return [dict(e) for e in entries]


def warning_texts(manifest: Mapping[str, Any], source: str = "manifest.json") -> list[str]:
    """The messages of :func:`run_warnings`, each once, in the stored order."""
    return [e["message"] for e in run_warnings(manifest, source)]


def carried(runs: Iterable[tuple[str, Mapping[str, Any], str]]) -> list[str]:
    """One line per warning the compared runs keep: ``policy run: <message>``.

    For ``scosim compare`` and the comparison's report: a run read by name or id, or
    reused, is not run again and raises nothing, so its warnings are said from its
    manifest. A warning given more than once says how often (``(2 times)``).

    Args:
        runs: ``(role, manifest, manifest path)`` of each run, e.g. ``("policy", pm, ...)``.

    Raises:
        ValueError: A manifest's ``warnings`` field is malformed.
    """
    lines = []
    for role, manifest, source in runs:
        for e in run_warnings(manifest, source):
            times = f" ({e['count']} times)" if e["count"] > 1 else ""
            lines.append(f"{role} run{times}: {e['message']}")
    return lines


def carried_said(runs: Iterable[tuple[str, Mapping[str, Any], str]]
                 ) -> list[tuple[bool, str, str]]:
    """:func:`carried` for a terminal: ``(is_note, line, message)`` of each, notes merged.

    A note (a declared stress test, kept as ``ScosimNote``) that both runs keep is one
    line, ``policy and baseline runs: <message>``: it is said once per command
    (:func:`scosim.cli_errors.note_once`, keyed on ``message``, which a run made by the
    same command has said already). Warnings are as :func:`carried` words them.

    Args:
        runs: As for :func:`carried`.

    Raises:
        ValueError: A manifest's ``warnings`` field is malformed.
    """
    out: list[tuple[bool, str, str]] = []
    noted: dict[str, list[str]] = {}
    for role, manifest, source in runs:
        for e in run_warnings(manifest, source):
            if e["category"] == "ScosimNote":
                noted.setdefault(e["message"], []).append(role)
                continue
            times = f" ({e['count']} times)" if e["count"] > 1 else ""
            out.append((False, f"{role} run{times}: {e['message']}", e["message"]))
    for message, roles in noted.items():
        out.append((True, f"{' and '.join(roles)} run{'s' if len(roles) > 1 else ''}: "
                    f"{message}", message))
    return out


def stress_lines(manifest: Mapping[str, Any]) -> list[str]:
    """The answer's lines (``summary.txt``) saying the run is a stress test of its routes.

    A route instability above what any incident level gives, warned of or declared
    (``parameters.network.stress_test``), is said to the terminal when the run is made;
    a reader of the answer alone learnt only "route instability AFG 0.8". Wrapped as
    the answer's prose; none when the run kept no such message.

    Args:
        manifest: The run's manifest (its ``warnings``).
    """
    from scosim.tty_lines import answer_lines

    try:
        kept = run_warnings(manifest)
    except ValueError:  # a hand-edited manifest: the answer is written all the same
        return []
    lines: list[str] = []
    for e in kept:
        if e["module"] == "scosim.network.params":  # its instability ceiling's messages
            lines += answer_lines(_stress_sentence(e["message"]))
    return lines


#: Where the instability messages (scosim.network.params) say what the level means.
_TEST = ": a stress test"
#: A clause of the warned message that says again what the ceiling said.
_SEEN = ": beyond any incident level the security model has seen"


def _stress_sentence(message: str) -> str:
    """The instability message as one sentence that says "stress test" once.

    "This run is a stress test: <level> is above <ceiling>: a stress test of the routes,
    as parameters.network.stress_test says" said it twice (a new user's review); now
    "This run is a stress test of the routes (parameters.network.stress_test): <level> is
    above <ceiling>." A message of another form is kept whole after the lead.
    """
    if _TEST not in message:
        return f"This run is a stress test: {message}."
    head, tail = message.split(_TEST, 1)
    what = "a stress test" + tail
    if ", as " in what and what.endswith(" says"):  # declared: name the field in brackets
        what, who = what.split(", as ", 1)
        what = f"{what} ({who.removesuffix(' says')})"
    return f"This run is {what}: {head.removesuffix(_SEEN)}."
