"""Decision rules: a registry of named functions per hook, plus built-ins."""

from scosim.rules.registry import (
    HOOKS,
    RuleError,
    available_rules,
    register_hook,
    resolve_rule,
    rule,
)
from scosim.rules.score import RuleScore

__all__ = ["HOOKS", "RuleError", "RuleScore", "available_rules", "register_hook",
           "resolve_rule", "rule"]
