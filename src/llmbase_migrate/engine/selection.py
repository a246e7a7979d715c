"""Which rules run on which file: select / extend-select / ignore / per-file-ignores."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pathspec

from llmbase_migrate.errors import SelectionError
from llmbase_migrate.rules import all_rules
from llmbase_migrate.rules.base import Rule


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def validate_selectors(selectors: Iterable[str], *, option: str) -> tuple[str, ...]:
    """Upper-case the selectors and check each names at least one rule."""
    codes = [rule.code for rule in all_rules()]
    result = []
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        if not any(_matches(selector, code) for code in codes):
            close = difflib.get_close_matches(selector, codes, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise SelectionError(f"{option}: {raw!r} matches no rule{hint}")
        result.append(selector)
    return tuple(result)


@dataclass(frozen=True)
class RuleSelection:
    enabled: tuple[Rule, ...]
    per_file_ignores: tuple[tuple[pathspec.PathSpec[Any], frozenset[str]], ...] = ()

    @staticmethod
    def build(
        *,
        select: Sequence[str] | None,
        extend_select: Sequence[str],
        ignore: Sequence[str],
        per_file_ignores: dict[str, tuple[str, ...]],
    ) -> RuleSelection:
        """ruff's semantics: the most specific selector wins, ignore beats select at a tie.

        A rule that is off by default is enabled only by its exact code or ``ALL``: a
        prefix such as ``LB2`` means "the LB2 rules as usual".
        """
        select_all = validate_selectors(select or (), option="select")
        extend = validate_selectors(extend_select, option="extend-select")
        ignored = validate_selectors(ignore, option="ignore")
        enabled = []
        for rule in all_rules():
            chosen = [
                s
                for s in (*select_all, *extend)
                if _matches(s, rule.code) and (rule.spec.default_enabled or s in ("ALL", rule.code))
            ]
            dropped = [s for s in ignored if _matches(s, rule.code)]
            if select is None and not chosen:
                on = rule.spec.default_enabled
                chosen_strength = 0 if on else -1
            else:
                on = bool(chosen)
                chosen_strength = max((_specificity(s) for s in chosen), default=-1)
            drop_strength = max((_specificity(s) for s in dropped), default=-1)
            if on and drop_strength >= chosen_strength and dropped:
                on = False
            if on:
                enabled.append(rule)
        patterns = []
        for glob, codes in per_file_ignores.items():
            spec = pathspec.GitIgnoreSpec.from_lines([glob])
            patterns.append(
                (spec, frozenset(validate_selectors(codes, option=f"per-file-ignores[{glob!r}]")))
            )
        return RuleSelection(tuple(enabled), tuple(patterns))

    def for_path(self, relative_path: str | None) -> tuple[Rule, ...]:
        """The enabled rules minus those per-file-ignores turns off for this path."""
        if relative_path is None or not self.per_file_ignores:
            return self.enabled
        posix = str(PurePosixPath(relative_path))
        off: set[str] = set()
        for spec, selectors in self.per_file_ignores:
            if spec.match_file(posix):
                off.update(selectors)
        return tuple(rule for rule in self.enabled if not any(_matches(s, rule.code) for s in off))

    def triggers(self, rules: Sequence[Rule]) -> tuple[bytes, ...]:
        return tuple(sorted({t for rule in rules for t in rule.spec.triggers}))


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)
