"""Rules with a bug of their own (tests/test_rule_failures.py)."""

from __future__ import annotations


def vote_with_a_bug(ctx):
    """A vote rule that looks up a preview entry no proposal gives."""
    return ctx.preview["no_such_entry"][:, ctx.index] > 0


def effort_with_a_bug(ctx):
    """A cooperate rule dividing by a string."""
    return ctx.last / "two"


def vote_returning_none(ctx):
    """A vote rule that forgot its return."""
    _ = ctx.n_runs > 0


def vote_returning_floats(ctx):
    """A vote rule that returns a score, not a decision."""
    return [0.5] * ctx.n_runs
