"""Yearly mechanisms as plug-ins, filling a fixed, documented order of slots.

A year runs ``events -> council -> implement -> [slots] -> compliance -> record``
(:func:`scosim.model.phases.tick`); the slots run in the order of :data:`SLOTS`.
A scenario chooses which implementations fill each slot
(``parameters.mechanisms: {slot: name}``, or ``{slot: [name, name, ...]}`` for several,
stepped in list order); an empty slot does nothing. A
mechanism is a subclass of :class:`Mechanism`: set up once from the calibration
and scenario, then one batched :meth:`Mechanism.step` a year reading and writing
the year's :class:`~scosim.model.policy.PolicyState`, then its indicators. Its
array work belongs in pure kernels (``scosim.mechanisms``, ``scosim.security``,
...); the class only wires them. Random draws come from the slot's own stream
(:meth:`Mechanism.streams`, keyed by the slot name for the slot's first mechanism and
by slot and name for the others: :func:`stream_key`), so filling one slot, or adding
a mechanism beside another, leaves every other mechanism's draws unchanged. The slots
and the helpers reading ``parameters.mechanisms`` are :mod:`scosim.model.slot_layout`
(re-exported here). See docs/mechanisms.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from scosim.model.lever_writers import declared_problem, run_step
from scosim.model.slot_layout import (  # noqa: F401  (plan, holds: re-exported)
    DEFAULT_MECHANISMS,
    SLOTS,
    filled,
    holds,
    keyed,
    plan,
    slot_names,
    slot_of,
    stream_key,
)
from scosim.plugins import (
    HEADLINE_KINDS,
    PluginError,
    Registry,
    SweptValues,
    call_hook,
    check_sweepable,
    headline_problem,
    indicators_problem,
    not_sweepable,
    recorded_problem,
)

# numpy and the run streams are imported where used: validating a scenario reads the
# slot names from here without them.
if TYPE_CHECKING:
    import numpy as np
    from pydantic import BaseModel

    from scosim.model.events import EventField
    from scosim.model.model import SCOModel
    from scosim.model.policy import PolicyState
    from scosim.model.rng import RunStreams

__all__ = [
    "DEFAULT_MECHANISMS",
    "ENTRY_POINT_GROUP",
    "HEADLINE_KINDS",
    "SLOTS",
    "Mechanism",
    "available_mechanisms",
    "builtin_mechanisms",
    "filled",
    "keyed",
    "get_mechanism",
    "loadable_mechanisms",
    "mechanism_name",
    "mechanism_origin",
    "mechanism_passive",
    "mechanism_reference",
    "mechanism_slot",
    "register_mechanism",
    "settings_issues",
    "slot_names",
    "slot_of",
    "stream_key",
]


#: Entry-point group scanned for third-party mechanisms.
ENTRY_POINT_GROUP = "scosim.mechanisms"


class Mechanism(SweptValues):
    """Base class of a yearly mechanism (one instance per model, over all runs).

    Class attributes:
        name: The name scenarios use in ``parameters.mechanisms``.
        slot: The slot it fills (one of :data:`SLOTS`).
        indicators: ``{name: unit}`` it records every year (each ``(R, N)``); one
            recorded only in some scenarios (e.g. when another slot is filled) is left
            out of :meth:`recorded_indicators` for the others.
        event_fields: Detail fields of the events it logs (``model.log.add``),
            ``{name: EventField}`` (:mod:`scosim.model.events`).
        headline: Indicators of ``indicators`` that answer what the mechanism is for,
            named in the run's answer (``summary.txt``, what ``scosim run`` prints)
            whenever its slot is filled: ``{name: "share"}`` for an indicator that is
            1 when something happens (the share of runs in which it did),
            ``{name: "total"}`` for a flow (its mean, and its mean total over the
            years), ``{name: "level"}`` for a stock or a present value (its mean, never
            summed over the years), ``{name: "final"}`` for a level as known at the end
            (shown in the run's last year), ``{name: "net"}`` for the welfare change less what
            ``welfare_excludes`` names (percent of real expenditure: columns beside the
            welfare change); see :mod:`scosim.mechanism_answer`.
        compared: Indicators of ``indicators`` that ``scosim compare`` reports by
            default, after the trade and welfare ones, when either run filled the slot
            (in this order; empty: the ``headline`` ones). For what a policy changes
            that the run's answer does not show as a level: the security mechanism's
            incidents, seizures and spending.
        settings_model: A pydantic model of the mechanism's settings, written in the
            scenario under ``parameters.mechanism_settings.<name>`` and checked against
            it when the scenario is validated (``extra="forbid"`` recommended, so a
            misspelt key is an error); the instance gets the validated settings as
            ``self.settings`` before :meth:`setup`. None: it takes no settings.
        sweepable: Number fields of ``settings_model`` a sweep may vary across the runs
            of a batch (``--param parameters.mechanism_settings.<name>.<field>``); the
            mechanism must read them through :meth:`value`, one value per run.
        replaced_settings: Settings the mechanism no longer has, each with the message a
            sweep naming one gets (what replaced it); its ``settings_model`` should refuse
            them with the same words.
        welfare_versus: What the mechanism changes in the trade costs that the welfare
            change is measured against, as a phrase completing "the same year without
            the policy, ..." (e.g. "the trade costs of insecurity"); empty when it
            changes none. The run's answer and welfare figures name it, so a loss
            that comes from, say, rising instability is not read as the policy's.
        welfare_excludes: What the mechanism records that costs economies something but
            is not in ``welfare_change_pct`` (a GE measure of real expenditure), as a
            phrase completing "not counting ..." that names the indicators where it is
            (e.g. "the fiscal cost of bank failures (fiscal_cost_usd)"); empty when
            nothing. The run's answer and welfare figures say it, so a reader does not
            take a trade gain for a net gain.
        answer_year: Types of the scenario's ``events`` the mechanism reads whose first
            year is the year of the run's who-gains table and ``welfare_final_year.png``
            instead of the last, when the scenario has any (:mod:`scosim.answer_year`):
            for a mechanism whose shocks and policies act in one year (the finance slot:
            a banking crisis, which a banking union or settlement shields). Empty: the
            last year.
        headline_parts: "Of which" indicators of ``headline``, each part of another in
            every run: ``{part: (whole, what equality means)}``. Where a part equals its
            whole in every run, year and economy, the answer prints one table and the
            line saying so (:mod:`scosim.answer_parts`). Recorded in the run's manifest.
        passive: True when filling the slot changes nothing unless a proposal or an event
            asks it to (the corridor network with no project, instability or closure gives
            ``t_hat = 1`` exactly; the banking systems act on events' shocks). The run's
            answer then does not count the mechanism among the scenario's shocks
            (:mod:`scosim.attribution`). False (the default): the answer says the welfare
            table mixes it with the proposals, since it may move the scenario by itself.
        writes_levers: The names of the ``policy.levers`` its :meth:`step` writes (and
            :meth:`preview_levers` previews), or None (the default) when it does not
            declare them. Declared, a lever another of the scenario's mechanisms or one
            of its proposal types also writes is refused when the scenario is validated
            (the welfare levers excepted: they add up), and a write it leaves out stops
            the run (:mod:`scosim.model.lever_writers`; docs/mechanisms.md, "Who writes
            a lever").

    Subclasses override :meth:`setup`, :meth:`step` and :meth:`record`.
    """

    name: ClassVar[str] = ""
    slot: ClassVar[str] = ""
    indicators: ClassVar[dict[str, str]] = {}
    event_fields: ClassVar[dict[str, EventField]] = {}
    headline: ClassVar[dict[str, str]] = {}
    compared: ClassVar[tuple[str, ...]] = ()
    welfare_versus: ClassVar[str] = ""
    welfare_excludes: ClassVar[str] = ""
    answer_year: ClassVar[tuple[str, ...]] = ()
    headline_parts: ClassVar[dict[str, tuple[str, str]]] = {}
    passive: ClassVar[bool] = False
    writes_levers: ClassVar[tuple[str, ...] | None] = None
    settings_model: ClassVar[type[BaseModel] | None] = None
    sweepable: ClassVar[tuple[str, ...]] = ()
    replaced_settings: ClassVar[dict[str, str]] = {}
    _kind = "mechanism"
    _noun = "setting"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Route every call of the subclass's :meth:`step` through the year's check.

        The year's slots phase runs each step, checking the levers it writes
        (:func:`scosim.model.lever_writers.run_step`); wrapped here, a step called
        anywhere else (a proposal type's own ``preview``, a preview hook) is refused: it
        would move the mechanism's own state and change the run's results.
        """
        super().__init_subclass__(**kwargs)
        if not getattr(cls.step, "_checks_levers", False):
            cls.step = _checked_step(cls.step)  # type: ignore[method-assign]

    def __init__(self, model: SCOModel) -> None:
        written = dict(getattr(model.scenario.parameters, "mechanism_settings", {}))
        model_cls = self.settings_model
        # Checked when the scenario was validated; here only made into the model's object.
        self.settings: Any = (None if model_cls is None
                              else model_cls.model_validate(written.get(self.name, {})))
        # value(f): the sweep's (R,) values of a swept setting, else the scenario's.
        self._read_swept(model, lambda f: setting_key(self.name, f), self.settings)
        self.setup(model)

    def streams(self, model: SCOModel) -> RunStreams:
        """Per-run random generators keyed by (seed, run, :func:`stream_key`).

        The slot's name for the slot's first mechanism (as before slots held several, so
        its draws are unchanged), ``<slot>/<name>`` for one listed after it.
        """
        from scosim.model.rng import RunStreams

        first = slot_names(model.scenario.parameters.mechanisms.get(self.slot))[:1]
        is_first = bool(first) and mechanism_name(first[0]) == self.name
        return RunStreams(model.scenario.seed, model.run_ids,
                          stream_key(self.slot, self.name, is_first))

    def setup(self, model: SCOModel) -> None:
        """Read what the mechanism needs from ``model.cal`` and ``model.scenario``."""

    def step(self, model: SCOModel, policy: PolicyState, year: int) -> None:
        """Advance one year for every run; read and write ``policy`` (and model state)."""

    def record(self, model: SCOModel, policy: PolicyState) -> dict[str, np.ndarray]:
        """This year's indicators, each ``(R, N)``: every one of :meth:`recorded_indicators`."""
        return {}

    @classmethod
    def recorded_indicators(cls, scenario: Any) -> dict[str, str]:
        """``{name: unit}`` of ``indicators`` that a run of ``scenario`` records every year.

        All of them by default. A mechanism that records one only in some scenarios
        overrides this (the security mechanism's route cost to Pakistan needs the network
        slot). The model refuses a year's record that lacks one of these or returns
        another, and validating a scenario refuses ``outputs.indicators`` naming one left
        out here, so an indicator never goes missing from the tables unseen.
        """
        return dict(cls.indicators)

    def preview_levers(self, model: SCOModel) -> dict[str, np.ndarray]:
        """Levers it would write this year at its current state, for previews (default none).

        Previews run before the slots, on a policy state built from the arrangements
        alone (:func:`scosim.model.policy.preview_policy`); a mechanism whose levers
        another slot reads (the security slot's insecurity, read by the network's routes)
        says here what it would write now, without drawing random numbers, so that a
        preview prices what the year's step will price. Two mechanisms of one scenario
        may not write a lever of the same name, nor a mechanism one a proposal type of the
        scenario writes, and the welfare levers are previewed by :meth:`preview_income`
        (refused naming both: at validation when both declare ``writes_levers``, else at
        the first preview; :mod:`scosim.model.lever_writers`).
        """
        return {}

    def preview_cost_factor(self, model: SCOModel, policy: PolicyState) -> np.ndarray | None:
        """Trade-cost factor ``(R, N, N)`` its step would apply now, for previews (default none).

        What the step would multiply into ``policy.cost_change`` this year at the
        mechanism's current state, for a policy state built as previews build it (the
        arrangements plus every slot's :meth:`preview_levers`), without drawing random
        numbers; ``None`` when the step leaves trade costs alone. A Council preview
        solves the trade GE with these factors, so that it compares the year the trade
        step will solve (:func:`scosim.model.policy.with_slot_costs`).
        """
        return None

    def preview_income(self, model: SCOModel, policy: PolicyState) -> np.ndarray | None:
        """Net income ``(R, N)``, share of GDP, its step would add to welfare under ``policy``.

        What the step would write to ``levers["welfare_income_share"]`` less what it would
        write to ``levers["welfare_cost_share"]`` this year, for a policy state built as
        previews build it (the arrangements, a proposal's own levers among them, plus
        every slot's :meth:`preview_levers`), without drawing random numbers; ``None``
        (the default) when the step writes neither. The default Council preview prices
        it as the trade step does, ``welfare x (1 + income x GDP / E')`` on each side, so
        a proposal that changes a mechanism's income is voted on with it
        (docs/mechanisms.md, "Income and costs outside the trade GE").
        """
        return None


def _checked_step(step: Callable[..., Any]) -> Callable[..., Any]:
    """``step`` run through :func:`~scosim.model.lever_writers.run_step` (once, if nested)."""
    @functools.wraps(step)
    def checked(self: Mechanism, model: SCOModel, policy: PolicyState, year: int) -> Any:
        return run_step(self, lambda m, p, y: step(self, m, p, y), model, policy, year)

    checked._checks_levers = True  # type: ignore[attr-defined]
    return checked


def _typo(a: str, b: str) -> bool:
    """Whether ``a`` is ``b`` with a slip.

    At most one edit (two for names of 9 letters or more), a swap of neighbours counting
    as one (optimal string alignment distance).
    """
    if a == b or abs(len(a) - len(b)) > 2:
        return False
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)] <= (2 if len(b) >= 9 else 1)


def _check(cls: Any, name: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Mechanism)):
        raise PluginError(f"mechanism {name!r} must be a subclass of scosim.model.slots.Mechanism")
    if cls.slot not in SLOTS:
        from scosim.plugins import did_you_mean

        raise PluginError(
            f"mechanism {cls.name or name!r} fills slot {cls.slot!r}"
            f"{did_you_mean(cls.slot, SLOTS)}; slots are: {', '.join(SLOTS)}"
        )
    if not cls.name:
        raise PluginError(f"mechanism {cls.__qualname__} has no `name`")
    # A misspelt protocol method (``stpe``) would run as a mechanism that does nothing;
    # helpers of other names are allowed (public ones too, unlike a proposal type's).
    protocol = [a for a in dir(Mechanism) if not a.startswith("_")]
    for attr in vars(cls):
        if attr.startswith("_") or attr in protocol:
            continue
        close = [p for p in protocol if _typo(attr, p)]
        if close:
            raise PluginError(
                f"mechanism {cls.name!r} defines {attr!r}, which the protocol does not know: "
                f"did you mean {close[0]!r}? (name a helper with a leading '_')")
    if not isinstance(cls.passive, bool):  # a truthy string would hide a shock
        raise PluginError(f"mechanism {cls.name!r}: `passive` must be True or False, got "
                          f"{cls.passive!r}")
    if problem := declared_problem(cls.writes_levers):  # else validation fails later
        raise PluginError(f"mechanism {cls.name!r}: {problem}")
    for phrase in ("welfare_versus", "welfare_excludes"):  # else the answer fails later
        if not isinstance(getattr(cls, phrase), str):
            raise PluginError(f"mechanism {cls.name!r}: `{phrase}` must be text, got "
                              f"{getattr(cls, phrase)!r}")
    sm = cls.settings_model
    if sm is not None:
        from pydantic import BaseModel

        if not (isinstance(sm, type) and issubclass(sm, BaseModel)):
            raise PluginError(f"mechanism {cls.name!r}: settings_model must be a pydantic "
                              f"model class, got {sm!r}")
    check_sweepable(f"mechanism {cls.name!r}", cls.sweepable,
                    sm.model_fields if sm is not None else {}, "setting", "its settings_model")
    if problem := indicators_problem(cls.indicators):
        raise PluginError(f"mechanism {cls.name!r}: `indicators` {problem}")
    problem = headline_problem(cls.headline, cls.indicators)
    if problem:
        raise PluginError(f"mechanism {cls.name!r}: `headline` {problem}")
    if not (isinstance(cls.answer_year, tuple)
            and all(isinstance(k, str) for k in cls.answer_year)):
        raise PluginError(f"mechanism {cls.name!r}: `answer_year` must be a tuple of event "
                          f"types, got {cls.answer_year!r}")
    if problem := recorded_problem(cls):
        raise PluginError(f"mechanism {cls.name!r}: {problem}")
    compared = cls.compared
    if not (isinstance(compared, tuple) and all(isinstance(c, str) for c in compared)):
        raise PluginError(f"mechanism {cls.name!r}: `compared` must be a tuple of indicator "
                          f"names, got {compared!r}")
    if unknown := [c for c in compared if c not in cls.indicators]:
        raise PluginError(f"mechanism {cls.name!r}: `compared` names {unknown}, which are not "
                          f"among its indicators ({', '.join(cls.indicators) or 'none'})")


_REGISTRY: Registry[type[Mechanism]] = Registry(
    "mechanism", ENTRY_POINT_GROUP, _check, "scosim.model.mechanism_names"
)


def register_mechanism(cls: type[Mechanism]) -> type[Mechanism]:
    """Class decorator registering a mechanism under ``cls.name``.

    Its origin (the run manifest's, and what the plug-in version check hashes) is
    ``builtin`` for scosim's own mechanisms, else ``module <name>`` of the module defining
    it, as for proposal types.
    """
    module = str(getattr(cls, "__module__", ""))
    own = module == "scosim" or module.startswith("scosim.")
    return _REGISTRY.register(cls.name, cls, "builtin" if own else f"module {module}")


def get_mechanism(name: str) -> type[Mechanism]:
    """The mechanism a scenario names (registered name, dotted path or entry point)."""
    return _REGISTRY.get(name)


def available_mechanisms() -> list[str]:
    """Names of the known mechanisms."""
    return _REGISTRY.available()


def loadable_mechanisms() -> list[str]:
    """:func:`available_mechanisms` less installed ones that fail to load."""
    return _REGISTRY.loadable()


def mechanism_slot(name: str) -> str:
    """The slot a mechanism fills, without importing a lazily registered built-in."""
    return str(_REGISTRY.declared(name, "slot"))


def mechanism_passive(name: str) -> bool:
    """Whether a mechanism declares itself passive, without importing a lazy built-in."""
    return bool(_REGISTRY.declared(name, "passive"))


def mechanism_reference(name: str) -> str:
    """What a resolved scenario writes for the mechanism registered as ``name``.

    Its dotted path when a module outside scosim registered it, else ``name``
    (:meth:`scosim.plugins.Registry.reference`): a worker process finds it only so.
    """
    return _REGISTRY.reference(name)


def builtin_mechanisms() -> list[str]:
    """Names of the mechanisms shipped with scosim, sorted; nothing installed is loaded.

    The fork server preloads these (:mod:`scosim._worker_preload`): asking every
    available mechanism for its origin loaded every installed entry point, and one that
    failed to import killed the pool of every run, the baseline's included.
    """
    _REGISTRY._load_builtins()
    return sorted(n for n, o in _REGISTRY._origins.items() if o == "builtin")


def mechanism_name(spec: str) -> str:
    """The ``name`` of the mechanism ``spec`` names (a name, dotted path or entry point).

    A built-in is not imported for it.
    """
    return str(_REGISTRY.declared(spec, "name"))


def mechanism_origin(name: str) -> str:
    """Where a mechanism came from (``builtin``, a path, or a distribution)."""
    return _REGISTRY.origin(name)


def settings_issues(
    mechanisms: Mapping[str, Any], settings: dict[str, Any]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems of ``parameters.mechanism_settings`` against the mechanisms filling the slots.

    Each key must be the ``name`` of a mechanism filling a slot, one that declares a
    ``settings_model``, and its value must validate against that model.

    Returns:
        ``(location relative to parameters.mechanism_settings, message)`` pairs.
    """
    from pydantic import ValidationError

    from scosim.scenario.messages import block_message
    from scosim.scenario.values import not_imported

    # Name -> settings model, read from what a built-in declares (no numpy imported).
    filling: dict[str, type[BaseModel] | None] = {}
    for _, name in filled(mechanisms):
        if not_imported("mechanism", name) is None:
            try:
                filling[_REGISTRY.declared(name, "name")] = _REGISTRY.declared(
                    name, "settings_model")
            except PluginError:
                continue  # reported by parameters.mechanisms
    issues: list[tuple[tuple[str | int, ...], str]] = []
    for key, value in settings.items():
        if key not in filling:
            issues.append(((key,), f"no mechanism named {key!r} fills a slot; the scenario's "
                           f"mechanisms: {', '.join(sorted(filling)) or 'none'}"))
            continue
        model = filling[key]
        if model is None:
            issues.append(((key,), f"mechanism {key!r} takes no settings here (it declares "
                           "no settings_model)"))
            continue
        try:
            call_hook(model.model_validate, value, keep=(ValidationError,))
        except ValidationError as exc:
            issues += [((key, *e["loc"]), block_message(e, model)) for e in exc.errors()]
        except PluginError as exc:  # a validator of the plug-in's model raised, say, KeyError
            issues.append(((key,), f"settings of mechanism {key!r}: {exc}"))
    return issues


#: Every swept mechanism setting starts with this.
SETTING_PREFIX = "parameters.mechanism_settings."


def setting_key(name: str, field: str) -> str:
    """``parameters.mechanism_settings.<name>.<field>``: a swept setting's name."""
    return f"{SETTING_PREFIX}{name}.{field}"


def setting_param_problem(scenario: Any, param: str) -> str | None:
    """What is wrong with sweeping the mechanism setting ``param``; None when it may be.

    Args:
        scenario: The loaded scenario.
        param: A ``--param`` name starting with :data:`SETTING_PREFIX`.
    """
    parts = param.removeprefix(SETTING_PREFIX).split(".")
    filling = {get_mechanism(n).name: get_mechanism(n)
               for _, n in filled(scenario.parameters.mechanisms)}
    if len(parts) != 2:
        return "write a mechanism's setting as parameters.mechanism_settings.<name>.<field>"
    name, field = parts
    cls = filling.get(name)
    if cls is None:
        return (f"no mechanism named {name!r} fills a slot; the scenario's mechanisms: "
                f"{', '.join(sorted(filling))}")
    if field not in cls.sweepable:
        # A setting the mechanism replaced: say by what (Mechanism.replaced_settings).
        replaced = cls.replaced_settings.get(field)
        if replaced:
            return f"setting {field!r} of mechanism {name!r}: {replaced}"
        return not_sweepable(f"setting {field!r} of mechanism {name!r}", "the mechanism",
                             "settings", [setting_key(name, f) for f in cls.sweepable],
                             "Mechanism.sweepable, docs/mechanisms.md")
    return None
