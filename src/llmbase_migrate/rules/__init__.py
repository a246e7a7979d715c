"""The rule registry: every ``lbNNN_<slug>.py`` module in this package is a rule.

Modules are found with a ``pkgutil`` walk, so adding a rule is adding a module;
nothing keeps a hand-written list.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from types import ModuleType

from llmbase_migrate.rules.base import Rule, RuleSpec

_MODULE_NAME = re.compile(r"^lb\d{3}_[a-z0-9_]+$")


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, in code order."""
    rules = [_load(module_name) for module_name in _rule_module_names()]
    return tuple(sorted(rules, key=lambda rule: rule.code))


@cache
def rules_by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


def _rule_module_names() -> list[str]:
    return sorted(
        info.name for info in pkgutil.iter_modules(__path__) if _MODULE_NAME.match(info.name)
    )


def _load(module_name: str) -> Rule:
    module: ModuleType = importlib.import_module(f"{__name__}.{module_name}")
    spec = getattr(module, "RULE", None)
    check = getattr(module, "check", None)
    if not isinstance(spec, RuleSpec) or not callable(check):
        raise TypeError(f"rule module {module_name} must define RULE (a RuleSpec) and check()")
    expected_prefix = f"lb{spec.code[2:]}_"
    if not module_name.startswith(expected_prefix):
        raise TypeError(f"rule module {module_name} declares code {spec.code}")
    return Rule(
        spec=spec,
        check=check,
        docs=(module.__doc__ or "").strip(),
        examples=tuple(getattr(module, "EXAMPLES", ())),
    )
