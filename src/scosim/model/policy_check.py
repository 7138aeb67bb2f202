"""What a proposal type's ``apply`` may leave in the policy state, checked right after it.

A plug-in's ``apply`` that wrote an array of the wrong shape (20 economies where the
model has 28, one run where the batch has 250) used to fail later, deep inside numpy
("operands could not be broadcast together ... (20,) and requested shape (28,)"), in
the trade solve, naming no lever. :func:`check_applied` names the proposal type, its
module, the field or lever, the shape found and the shape expected.
:func:`apply_checked` is how scosim calls an ``apply``, with this check and the lever
writers' (:mod:`scosim.model.lever_writers`).

Cheap by construction: shapes and dtypes are read for every field (no data touched),
values only of the arrays ``apply`` replaced (an identity test, :func:`written`) and
only where a bad value is never meaningful: NaN in tariffs or trade costs, anything
not finite in the welfare levers (the trade step multiplies welfare by them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scosim.model.gdp_shares import WELFARE_LEVERS

if TYPE_CHECKING:
    from scosim.model.policy import PolicyState

__all__ = ["apply_checked", "check_applied", "written"]

#: Fields of the policy state that are ``(R, N, N)`` arrays (or None where optional),
#: with what they hold, for messages.
_MATRICES = {
    "tariffs": "runs x exporter x importer, ad valorem",
    "cost_change": "runs x exporter x importer, iceberg factors",
    "sharing": "runs x N x N revenue-sharing matrix, or None",
    "preferences": "runs x exporter x importer, bool, or None",
    "tariffs_before_unions": "runs x exporter x importer, or None",
    "ban_change": "runs x exporter x importer, or None",
}
_REQUIRED = ("tariffs", "cost_change")


def written(policy: PolicyState) -> tuple[dict[str, int], dict[str, int]]:
    """The identities of the policy state's arrays and levers, before an ``apply``."""
    fields = {f: id(getattr(policy, f)) for f in (*_MATRICES, "bloc")}
    return fields, {k: id(v) for k, v in policy.levers.items()}


def check_applied(arr: Any, policy: PolicyState,
                  before: tuple[dict[str, int], dict[str, int]], R: int, N: int, *,
                  levers_only: bool = False) -> None:
    """Check the policy state an arrangement's ``apply`` left (called right after it).

    Args:
        arr: The arrangement (a :class:`scosim.proposals.base.ProposalType`).
        policy: The policy state after its ``apply``.
        before: :func:`written` of the state before it.
        R: Runs of the batch.
        N: Economies of the model.
        levers_only: ``policy`` holds levers only (:func:`apply_checked`): only they
            are checked.

    Raises:
        TypeError: Naming the proposal type, its module, the field or lever, what was
            found and what the model needs.
    """
    fields, levers = before
    for name, what in ({} if levers_only else _MATRICES).items():
        value = getattr(policy, name)
        if value is None and name not in _REQUIRED:
            continue
        changed = id(value) != fields[name]
        _need(arr, f"policy.{name}", value, (R, N, N), what,
              nan=changed and name in _REQUIRED, boolean=name == "preferences")
    if not levers_only and policy.bloc is not None:
        _need(arr, "policy.bloc", policy.bloc, (R, N), "runs x economies, bool", boolean=True)
    if not isinstance(policy.levers, dict):
        _fail(arr, "policy.levers", f"a {type(policy.levers).__name__}",
              "a dict of named arrays")
    for key, value in policy.levers.items():
        where = f"policy.levers[{key!r}]"
        if key in WELFARE_LEVERS:
            _need(arr, where, value, (R, N), "runs x economies, share of GDP",
                  finite=id(value) != levers.get(key))
            continue
        shape = np.shape(value)
        # Other levers are read by the mechanisms that document them; all carry runs first.
        if not isinstance(value, np.ndarray) or not shape or shape[0] != R:
            _fail(arr, where, _found(value), f"an array with the runs first, shape ({R}, ...)")


def apply_checked(arr: Any, policy: Any, participants: np.ndarray, phase: np.ndarray,
                  active: np.ndarray, terms: dict[str, np.ndarray] | None = None, *,
                  R: int, N: int, where: str, levers_only: bool = False) -> None:
    """Call ``arr.apply(policy, participants, phase, active[, terms])`` with its checks.

    Every call of a proposal type's ``apply`` comes here: the year's policy
    (:func:`scosim.model.policy.build_policy`), the default preview
    (``ProposalType.policy_if_adopted``), an applicant's levers as a member
    (:func:`scosim.proposals.accession.levers_as_member`), the CET line of the answer
    (:func:`scosim.cet_answer.union_applied`) and a banking union's value
    (:func:`scosim.finance.union_value.preview_union`). Until 2026-12-07 the last three
    called ``apply`` bare: a plug-in type's wrongly shaped write failed there deep in
    numpy (or passed unseen), and an undeclared write was not refused.

    Checks: an error is named after the proposal type and ``where`` (:func:`blame`), the
    shapes it left (:func:`check_applied`), and the levers it wrote against its
    ``writes_levers`` and the mechanisms' (:func:`scosim.model.lever_writers.note_writes`).

    Args:
        arr: The proposal type (an arrangement of the model).
        policy: The policy state it writes to.
        participants: ``(R, N)`` participants.
        phase: ``(R,)`` phase-in fraction.
        active: ``(R,)`` runs where it applies.
        terms: Negotiated terms, passed only when given (the year's policy passes none).
        R: Runs of ``policy``.
        N: Economies.
        where: The call, for errors (``"apply in its preview"``).
        levers_only: ``policy`` has ``levers`` and ``writers`` and nothing else (a
            banking union's value prices the finance levers alone): only the levers are
            checked; an ``apply`` that reads another field fails with AttributeError,
            named as any error here.

    Raises:
        TypeError: A field or lever of the wrong shape or with bad values (:func:`check_applied`).
        PluginError: A lever its ``writes_levers`` leaves out, or one a mechanism previewed.
    """
    from scosim.model.lever_writers import lever_ids, note_writes
    from scosim.plugins import blame

    label = f"proposal type {arr.name!r} (proposal {arr.pid!r})"
    with blame(f"{label}, {where}", arr, "apply"):
        fields = {} if levers_only else written(policy)[0]
        ids = lever_ids(policy)
        args = (policy, participants, phase, active) + (() if terms is None else (terms,))
        arr.apply(*args)
        # A wrongly shaped write failed later deep in numpy, naming no lever.
        check_applied(arr, policy, (fields, ids), R, N, levers_only=levers_only)
        # A lever a mechanism previewed, replaced by the proposal's unseen.
        note_writes(policy, ids, label, type(arr).writes_levers)


def _need(arr: Any, where: str, value: Any, shape: tuple[int, ...], what: str, *,
          nan: bool = False, finite: bool = False, boolean: bool = False) -> None:
    want = f"an array of shape {shape} ({what})"
    if not isinstance(value, np.ndarray) or value.shape != shape:
        _fail(arr, where, _found(value), want)
    kind = np.bool_ if boolean else np.number
    if not np.issubdtype(value.dtype, kind):
        _fail(arr, where, f"dtype {value.dtype}", f"{want}, dtype {'bool' if boolean else 'float'}")
    if nan and np.isnan(value).any():
        _fail(arr, where, "NaN values", f"{want}, no NaN")
    if finite and not np.isfinite(value).all():
        _fail(arr, where, "values that are not finite", f"{want}, finite")


def _found(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"shape {value.shape}"
    return f"a {type(value).__name__}" + (f" of shape {np.shape(value)}"
                                          if np.ndim(value) else "")


def _fail(arr: Any, where: str, found: str, want: str) -> None:
    cls = type(arr)
    raise TypeError(
        f"proposal type {arr.name!r} ({cls.__module__}:{cls.__qualname__}) left {where} as "
        f"{found} after apply; the model needs {want} (docs/proposals.md, 'What apply may "
        f"write')")
