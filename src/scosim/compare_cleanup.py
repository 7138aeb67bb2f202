"""A compare that fails removes the runs it made: ``scosim compare`` and the explorer's.

Kept apart from :mod:`scosim.api` so that :func:`scosim.explore.session.compare_view`,
which runs the policy and baseline itself, cleans up as ``scosim compare`` does.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["made_run", "removed_if_failed"]


def made_run(result: Any, made: list[Path]) -> Path:
    """The directory of a run a compare made; listed in ``made`` unless it was resumed.

    A resumed run holds batches an earlier command computed, so it is not this
    command's to remove.

    Args:
        result: The :class:`~scosim.results.Result` of the run.
        made: The list :func:`removed_if_failed` yielded.
    """
    if not result.manifest.get("resumed"):
        made.append(Path(result.path))
    return Path(result.path)


@contextlib.contextmanager
def removed_if_failed(created: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield a list for the runs a compare makes; remove them if the compare fails.

    A failed command leaves nothing behind: the policy's finished run, kept after its
    baseline failed, looked like a result, and the same command would not use it (a
    scenario file is run afresh). Partial runs ``run`` keeps after a stop are left: the
    same command resumes them. What was removed is added to the error as a note.

    Args:
        created: Folders that did not exist before the compare (results root, scenario
            folders), removed too if it leaves them empty.
    """
    from scosim.results import remove_empty_dirs

    made: list[Path] = []
    try:
        yield made
    except BaseException as exc:
        for d in made:
            shutil.rmtree(d, ignore_errors=True)
        remove_empty_dirs(created)
        if made:
            many = len(made) > 1
            exc.add_note(f"the run{'s' if many else ''} this compare had finished, "
                         f"{', '.join(map(str, made))}, {'were' if many else 'was'} removed")
        raise
