"""Errors a user can cause, shown by the CLI as one clear line without a traceback."""

from __future__ import annotations


def _user_errors() -> tuple[type[BaseException], ...]:
    from scosim.experiments.executors import ExecutorError
    from scosim.mechanisms.trade import GEConvergenceError, GESanityError
    from scosim.rules.registry import RuleError
    from scosim.scenario import ScenarioError

    errors: list[type[BaseException]] = [
        ScenarioError,
        RuleError,
        GEConvergenceError,
        GESanityError,
        ExecutorError,
        FileNotFoundError,
        FileExistsError,
        NotADirectoryError,
        PermissionError,
        KeyError,
        ValueError,
    ]
    try:
        from scosim.data.build import RawDataError

        errors.append(RawDataError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


#: Exceptions the CLI turns into a one-line message and exit status 2. Set
#: SCOSIM_DEBUG=1 to see the traceback instead.
USER_ERRORS: tuple[type[BaseException], ...] = _user_errors()
