"""Building blocks of the scenario schema: constants, economy codes and slugs, year values.

Re-exported by :mod:`scosim.scenario.schema`.
"""

from __future__ import annotations

import bisect
import contextvars
import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Tag,
)
from pydantic_core import core_schema

from scosim.data.constants import ECONOMIES, MEMBERS, OBSERVERS, OTHERS, PARTNERS
from scosim.rules.registry import DEFAULT_RULES as DEFAULT_RULES

if TYPE_CHECKING:  # numpy is imported where used: `scosim validate` never needs it
    import numpy as np

#: False while a scenario is validated with ``--no-import`` (``import_rules=False``).
IMPORT_CODE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "scosim_scenario_import_code", default=True)


def not_imported(what: str, path: str) -> str | None:
    """Why ``path`` (a dotted ``package.module:Name``) cannot be checked under --no-import.

    A proposal type or mechanism named by dotted path is checked by importing its module,
    which runs its code: what ``--no-import`` promises not to do. Rules can be checked
    from their source (a function's signature); a class's scenario fields cannot.

    Returns:
        The message, or ``None`` when importing is allowed or ``path`` is a plain name.
    """
    if IMPORT_CODE.get() or ":" not in path:
        return None
    module = path.split(":", 1)[0]
    return (f"{what} {path!r} is a dotted path: checking it imports module {module!r}, which "
            "runs its code, and --no-import does not; validate without --no-import to check "
            "it (as running the scenario would)")


# --------------------------------------------------------------------------- constants

# The economies and their statuses are the data layer's (one list for the project).
STATUSES: tuple[str, ...] = ("member", "observer", "partner", "other")
DEFAULT_STATUSES: dict[str, str] = {
    **{c: "member" for c in MEMBERS},
    **{c: "observer" for c in OBSERVERS},
    **{c: "partner" for c in PARTNERS},
    **{c: "other" for c in OTHERS},
    "ROW": "row",
}

#: A name or id: it becomes a directory or file name, so short and one line (``\\Z``:
#: ``$`` would also match before a final newline).
SLUG_MAX = 64
_SLUG = re.compile(rf"\A[a-z0-9_-]{{1,{SLUG_MAX}}}\Z")

# defer_build: a model's validator is built when first used, not at import. The
# scenario's validator embeds its sub-models' schemas, so building each of them as
# well at import (some 40 models, most never validated alone) is wasted start-up.
STRICT = ConfigDict(
    extra="forbid", strict=True, allow_inf_nan=False, frozen=False, validate_default=True,
    defer_build=True,
)


def empty_list() -> list[Any]:
    """A new empty list, as a field's ``default_factory``.

    Use it instead of ``list``: pydantic reads each factory's signature when it builds
    a model, and reading a builtin's signature parses its text form (about 1.5 ms
    each time, on every start-up).
    """
    return []


#: Where a cross-field problem is reported: ``(relative location, message)``, optionally
#: followed by other ``(location, message)`` pairs saying the same from another field's
#: side (see :class:`Issues`).
Issue = tuple[Any, ...]


class Issues(ValueError):
    """Several problems found by one cross-field validator.

    Attributes:
        issues: ``(relative location, message)`` pairs; the location is relative
            to the model whose validator raised. A problem between two fields can add a
            third element, ``[(other location, message), ...]``: the same problem said
            from the other fields' side. The error is then reported at whichever of the
            fields was written in the most derived file (the scenario validated before
            the files it extends, a ``--set`` override before both), so a user who
            changes ``years.start`` in a file extending the baseline is pointed at that
            line, not at the baseline's ``end``.
    """

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(
            "; ".join(f"{'.'.join(map(str, i[0])) or '<root>'}: {i[1]}" for i in issues)
        )

    def __reduce__(self) -> tuple[type, tuple[list[Issue]]]:
        return type(self), (self.issues,)


def outside_years(loc: tuple[str | int, ...], year: int, yrs: Any, message: str,
                  what: str) -> Issue:
    """A dated entry outside the simulated years ``yrs``, said from both sides.

    Args:
        loc: Where the entry's year is written (relative to the validating model).
        year: The entry's year.
        yrs: The scenario's ``Years``.
        message: What is wrong, from the entry's side.
        what: The entry as the years' side names it (e.g. ``"events[1] (border_clash)
            in 2028"``).

    Returns:
        An :class:`Issues` entry whose other side is ``years.end`` (or ``years.start``)
        relative to the scenario: reported at an override or a derived file's years when
        those cut the entry off.
    """
    side, bound = (("end", f"end {yrs.end}") if year > yrs.end
                   else ("start", f"start {yrs.start}"))
    return (loc, message, [(("years", side), f"{bound} leaves out {what}; the simulated "
                                             f"years {yrs.start}-{yrs.end} must include it")])


def _raise_issues(issues: list[Issue]) -> None:
    if issues:
        raise Issues(issues)


# --------------------------------------------------------------------------- small types


def _check_code(value: str, *, allow_row: bool) -> str:
    allowed = ECONOMIES if allow_row else ECONOMIES[:-1]
    if value not in allowed:
        if value == "ROW":
            raise ValueError("ROW (Rest of World) is not allowed here; use one of the 27 economies")
        raise ValueError(
            f"unknown country code {value!r}; allowed: {', '.join(allowed)}"
        )
    return value


def _code_validator(allow_row: bool) -> AfterValidator:
    return AfterValidator(lambda v: _check_code(v, allow_row=allow_row))


#: Any of the 28 codes, ROW included.
Code = Annotated[str, _code_validator(True)]
#: One of the 27 real economies (no ROW).
State = Annotated[str, _code_validator(False)]


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use lowercase letters, digits, '_' and '-' "
            f"only, at most {SLUG_MAX} characters"
        )
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]


def _unique(value: list[str]) -> list[str]:
    dupes = sorted({v for v in value if value.count(v) > 1})
    if dupes:
        raise ValueError(f"duplicate entries {', '.join(dupes)}; list each country once")
    return value


def _check_collection_rate(value: float) -> float:
    if not 0.0 < value <= 1.0:  # False for NaN too
        raise ValueError(f"{value:g} is not a collection rate: use a number in (0, 1], duty "
                         "collected / duty at the statutory rates (0.33: a third collected)")
    return value


#: Duty collected / duty at the statutory rates, in (0, 1] (parameters.trade.collection_rates).
CollectionRate = Annotated[float, AfterValidator(_check_collection_rate)]


def _check_collection_spread(value: float) -> float:
    if not 0.0 <= value < 0.5:  # False for NaN too
        raise ValueError(f"{value:g} is not the half-width of a collection rate's draw: use a "
                         "number >= 0 and below 0.5 (each run's rate is drawn in [rate - "
                         "spread, rate + spread), which must stay in (0, 1])")
    return value


#: Half-width of a per-run uniform draw of a collection rate (collection_rate_spread).
CollectionSpread = Annotated[float, AfterValidator(_check_collection_spread)]


def collection_spread_issues(rates: Mapping[str, float],
                             spread: Mapping[str, float]) -> list[Issue]:
    """Each draw of a collection rate that would leave (0, 1], said from both sides.

    Args:
        rates: ``collection_rates`` (a code left out has rate 1).
        spread: ``collection_rate_spread``.

    Returns:
        :class:`Issues` entries located at the spread (and at the rate, where written).
    """
    out: list[Issue] = []
    for code, d in spread.items():
        c = float(rates.get(code, 1.0))
        if c - d <= 0:
            msg = (f"collection_rates.{code} - collection_rate_spread.{code} = {c - d:g} must "
                   f"stay > 0 (the rate is {c:g}); use a spread below {c:g}")
        elif c + d > 1 and code not in rates:
            msg = (f"the draw is around collection_rates.{code}, 1 when not written, and "
                   f"1 + {d:g} would exceed 1: write collection_rates.{code}, the centre of "
                   f"the draw, <= {1 - d:g} (a draw in [0.25, 0.5) is rate 0.375, spread 0.125)")
        elif c + d > 1:
            msg = (f"collection_rates.{code} + collection_rate_spread.{code} = {c + d:g} must "
                   f"stay <= 1 (the rate is {c:g}); use a spread <= {1 - c:g}, or a rate <= "
                   f"{1 - d:g}")
        else:
            continue
        other = [(("collection_rates", code), msg)] if code in rates else []
        out.append((("collection_rate_spread", code), msg, other))
    return out

StateList = Annotated[list[State], AfterValidator(_unique)]
CodeList = Annotated[list[Code], AfterValidator(_unique)]


def _kind_tag(keyword_tag: str) -> Any:
    # Callable discriminator: a string goes to the keyword branch, a list to the
    # list branch. Tags start with "__" so the loader drops them from paths.
    def tag(value: Any) -> str | None:
        if isinstance(value, str):
            return keyword_tag
        if isinstance(value, list):
            return "__list__"
        return None

    return tag


def _keyword_or_list(keywords: Any, items: Any, what: str) -> Any:
    return Annotated[
        Union[  # noqa: UP007 - Annotated members need the explicit Union
            Annotated[keywords, Tag("__keyword__")],
            Annotated[items, Tag("__list__")],
        ],
        Discriminator(
            _kind_tag("__keyword__"),
            custom_error_type="keyword_or_list",
            custom_error_message=f"expected {what}",
        ),
    ]


# --------------------------------------------------------------------------- YearValue


class YearValue:
    """A number, or a step function of the calendar year.

    Written in YAML either as a number (constant) or as a mapping
    ``{year: number}``. ``at(year)`` is the value of the latest key ``<= year``;
    before the first key it is ``0.0`` (so a phase-in is off until its first
    year). Year-indexed *parameters* are validated to start at or before the
    scenario's first year, so for them the "before" case never arises.

    Used for: ``proposals[*].phase_in``, ``parameters.growth.rate``,
    ``parameters.growth.volatility_scale``, ``parameters.security.instability`` and
    ``parameters.security.opiate_supply``.
    """

    __slots__ = ("_years", "_vals", "_constant")

    def __init__(self, value: float | int | Mapping[int, float | int] | YearValue) -> None:
        if isinstance(value, YearValue):
            self._constant, self._years, self._vals = value._constant, value._years, value._vals
            return
        if isinstance(value, bool):
            raise ValueError(f"expected a number or a mapping {{year: number}}, got {value!r}")
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise ValueError(f"expected a finite number, got {value!r}")
            self._constant: float | None = float(value)
            self._years: tuple[int, ...] = ()
            self._vals: tuple[float, ...] = ()
            return
        if isinstance(value, Mapping):
            if not value:
                raise ValueError("empty mapping; give at least one {year: number} entry")
            items: list[tuple[int, float]] = []
            written: dict[int, Any] = {}
            for key, v in value.items():
                # Digit strings are accepted so JSON round trips (keys become strings) load.
                k = int(key) if isinstance(key, str) and key.isdigit() else key
                if isinstance(k, bool) or not isinstance(k, int):
                    raise ValueError(f"year key {k!r} is not an integer year")
                if k in written:
                    # {2025: 0.03, "2025": 0.04} would silently keep one of the two.
                    raise ValueError(f"year {k} is written twice, as {written[k]!r} and as "
                                     f"{key!r}; give each year once")
                written[k] = key
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    raise ValueError(f"value for year {k} must be a finite number, got {v!r}")
                items.append((k, float(v)))
            items.sort()
            self._constant = None
            self._years = tuple(k for k, _ in items)
            self._vals = tuple(v for _, v in items)
            return
        raise ValueError(
            f"expected a number or a mapping {{year: number}}, got {type(value).__name__} {value!r}"
        )

    @property
    def is_constant(self) -> bool:
        """True when written as a single number."""
        return self._constant is not None

    @property
    def years(self) -> tuple[int, ...]:
        """Keys of the mapping, sorted (empty for a constant)."""
        return self._years

    @property
    def points(self) -> tuple[tuple[int, float], ...]:
        """``(year, value)`` pairs, sorted by year (empty for a constant)."""
        return tuple(zip(self._years, self._vals, strict=True))

    def all_values(self) -> tuple[float, ...]:
        """Every number written (the constant, or the mapping's values)."""
        return (self._constant,) if self._constant is not None else self._vals

    def at(self, year: int) -> float:
        """Value in ``year``: latest key ``<= year``, ``0.0`` before the first key."""
        if self._constant is not None:
            return self._constant
        i = bisect.bisect_right(self._years, year) - 1
        return self._vals[i] if i >= 0 else 0.0

    def values(self, years: Iterable[int] | np.ndarray) -> np.ndarray:
        """Vectorised :meth:`at`: float array with one value per year."""
        import numpy as np

        y = np.asarray(list(years) if not isinstance(years, np.ndarray) else years)
        if self._constant is not None:
            return np.full(y.shape, self._constant, dtype=float)
        table = np.concatenate(([0.0], np.asarray(self._vals, dtype=float)))
        idx = np.searchsorted(np.asarray(self._years), y, side="right")
        return table[idx]

    def to_data(self) -> float | dict[int, float]:
        """Plain data as written in YAML (number or ``{year: number}``)."""
        if self._constant is not None:
            return self._constant
        return dict(zip(self._years, self._vals, strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, YearValue):
            return self.to_data() == other.to_data()
        if isinstance(other, int | float) and not isinstance(other, bool):
            return self._constant == float(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._constant, self._years, self._vals))

    def __repr__(self) -> str:
        return f"YearValue({self.to_data()!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.to_data(), when_used="always"
            ),
            json_schema_input_schema=core_schema.union_schema(
                [core_schema.float_schema(), core_schema.dict_schema(
                    core_schema.int_schema(), core_schema.float_schema())]
            ),
        )


def _yv_check(
    yv: YearValue, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
    hint: str = "",
) -> list[str]:
    bad = []
    for v in yv.all_values():
        if lo is not None and (v <= lo if lo_open else v < lo):
            bad.append(v)
        elif hi is not None and v > hi:
            bad.append(v)
    if not bad:
        return []
    rng = (f"{'>' if lo_open else '>='} {lo:g}" if hi is None
           else f"in {'(' if lo_open else '['}{lo:g}, {hi:g}]")
    hint = f" ({hint})" if hint else ""
    return [f"every value must be {rng}{hint}, got {', '.join(f'{b:g}' for b in bad)}"]


