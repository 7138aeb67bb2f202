"""A mechanism and a proposal type with bugs of their own (tests/test_plugin_blame.py)."""

from __future__ import annotations

from typing import Literal

from scosim.model.slots import Mechanism
from scosim.proposals import ProposalSpec, ProposalType


class BrokenStep(Mechanism):
    """Fails in its third year."""

    name = "broken_step"
    slot = "finance"

    def step(self, model, policy, year):
        """Divide by zero in 2027."""
        if year == 2027:
            raise ZeroDivisionError("a bug in my mechanism")


class BrokenHelper(Mechanism):
    """Fails in a helper its step calls (the error's line is the helper's)."""

    name = "broken_helper"
    slot = "finance"

    def step(self, model, policy, year):
        """Call the helper."""
        self._shares(model)

    def _shares(self, model):
        return {}["missing key in a helper"]


class BrokenApplySpec(ProposalSpec):
    """``type: broken_apply``."""

    type: Literal["broken_apply"]


class BrokenApply(ProposalType):
    """Fails when its policy is built."""

    name = "broken_apply"
    spec = BrokenApplySpec

    def apply(self, policy, participants, phase, active, terms=None):
        """Look up a lever nobody wrote."""
        policy.levers["no_such_lever"] *= 2


class BrokenPreviewSpec(ProposalSpec):
    """``type: broken_preview``."""

    type: Literal["broken_preview"]


class BrokenPreview(ProposalType):
    """Its preview goes wrong the way ``_how`` says."""

    name = "broken_preview"
    spec = BrokenPreviewSpec
    _how = "raise"

    def apply(self, policy, participants, phase, active, terms=None):
        """Changes nothing."""

    def preview(self, model, participants, terms=None):
        """Raise, return a dict, or a gain of NaN or of the wrong shape."""
        import numpy as np

        from scosim.proposals import Preview

        if self._how == "raise":
            raise ZeroDivisionError("preview exploded")
        if self._how == "dict":
            return {"gain": np.zeros((model.R, model.N))}
        if self._how == "nan":
            return Preview(gain=np.full((model.R, model.N), np.nan), terms={})
        return Preview(gain=np.zeros(model.N), terms={})


class MisspeltStep(Mechanism):
    """``stpe`` for ``step``: it would run and do nothing."""

    name = "misspelt_step"
    slot = "finance"

    def stpe(self, model, policy, year):
        """Never called."""


class UndeclaredRecord(Mechanism):
    """Records an indicator it does not declare."""

    name = "undeclared_record"
    slot = "finance"
    indicators = {"declared_one": "share of runs"}

    def record(self, model, policy):
        """``declared_one`` and an undeclared ``extra``."""
        import numpy as np

        zero = np.zeros((model.R, model.N))
        return {"declared_one": zero, "extra": zero}


class ForgetfulRecord(Mechanism):
    """Declares two indicators and returns ``second`` only from 2026."""

    name = "forgetful_record"
    slot = "finance"
    indicators = {"first": "share of runs", "second": "share of runs"}

    def record(self, model, policy):
        """``first`` every year, ``second`` from 2026."""
        import numpy as np

        zero = np.zeros((model.R, model.N))
        return {"first": zero} if model.year < 2026 else {"first": zero, "second": zero}


class ConditionalRecord(Mechanism):
    """Records ``with_network`` only when the network slot is filled, and says so."""

    name = "conditional_record"
    slot = "finance"
    indicators = {"always": "share of runs",
                  "with_network": "share of runs (when the network slot is filled)"}
    #: Set by a test: return ``with_network`` although the scenario leaves it out.
    _overreach = False

    @classmethod
    def recorded_indicators(cls, scenario):
        """``always``, and ``with_network`` when the network slot is filled."""
        out = dict(cls.indicators)
        if scenario.parameters.mechanisms.get("network") is None:
            del out["with_network"]
        return out

    def record(self, model, policy):
        """What :meth:`recorded_indicators` promises (more with ``_overreach``)."""
        import numpy as np

        names = self.recorded_indicators(model.scenario)
        if self._overreach:
            names = self.indicators
        return {n: np.full((model.R, model.N), 1.0) for n in names}
