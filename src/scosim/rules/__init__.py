"""Decision rules: a registry of named functions per hook, plus built-ins."""

from scosim.rules.registry import (
    HOOKS,
    RuleError,
    available_rules,
    register_hook,
    resolve_rule,
    rule,
)

__all__ = ["HOOKS", "RuleError", "available_rules", "register_hook", "resolve_rule", "rule"]
