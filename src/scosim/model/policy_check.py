"""What a proposal type's ``apply`` may leave in the policy state, checked right after it.

A plug-in's ``apply`` that wrote an array of the wrong shape (20 economies where the
model has 28, one run where the batch has 250) used to fail later, deep inside numpy
("operands could not be broadcast together ... (20,) and requested shape (28,)"), in
the trade solve, naming no lever. :func:`check_applied` names the proposal type, its
module, the field or lever, the shape found and the shape expected.

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

__all__ = ["check_applied", "written"]

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
                  before: tuple[dict[str, int], dict[str, int]], R: int, N: int) -> None:
    """Check the policy state an arrangement's ``apply`` left (called right after it).

    Args:
        arr: The arrangement (a :class:`scosim.proposals.base.ProposalType`).
        policy: The policy state after its ``apply``.
        before: :func:`written` of the state before it.
        R: Runs of the batch.
        N: Economies of the model.

    Raises:
        TypeError: Naming the proposal type, its module, the field or lever, what was
            found and what the model needs.
    """
    fields, levers = before
    for name, what in _MATRICES.items():
        value = getattr(policy, name)
        if value is None and name not in _REQUIRED:
            continue
        changed = id(value) != fields[name]
        _need(arr, f"policy.{name}", value, (R, N, N), what,
              nan=changed and name in _REQUIRED, boolean=name == "preferences")
    if policy.bloc is not None:
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
