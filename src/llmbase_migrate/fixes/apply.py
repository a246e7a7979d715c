"""The one place fixes change source text.

A round takes the fixes of one analysis, keeps those whose edits do not collide
with edits already kept (an identical edit shared by two fixes is not a
collision), applies them back to front, then adds and removes imports with
LibCST's import visitors. Fixes that collided wait for the next round, which
runs on a fresh analysis of the new text; the engine repeats rounds until no
fix is left (see ``engine.runner.fix_source``).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from llmbase_migrate.fixes.edit import Edit, Fix, ImportChange, source_lines


@dataclass(frozen=True, slots=True)
class RoundResult:
    text: str
    # indices (into the fixes given) of the fixes applied in this round
    applied: tuple[int, ...]


def apply_round(text: str, fixes: Sequence[Fix]) -> RoundResult:
    """Apply every fix that does not collide with an earlier one (in the given order)."""
    starts = _line_starts(text)
    kept: list[tuple[int, int, str]] = []
    applied: list[int] = []
    for index, fix in enumerate(fixes):
        ranges = [_offsets(edit, starts) for edit in fix.edits]
        if any(_collides(candidate, kept) for candidate in ranges):
            continue
        for candidate in ranges:
            if candidate not in kept:
                kept.append(candidate)
        applied.append(index)
    new_text = text
    for start, end, content in sorted(kept, reverse=True):
        new_text = new_text[:start] + content + new_text[end:]
    imports_to_add = {change for index in applied for change in fixes[index].add_imports}
    imports_to_remove = {change for index in applied for change in fixes[index].remove_imports}
    if imports_to_add or imports_to_remove:
        new_text = change_imports(new_text, sorted(imports_to_add), sorted(imports_to_remove))
    return RoundResult(new_text, tuple(applied))


def change_imports(text: str, add: Sequence[ImportChange], remove: Sequence[ImportChange]) -> str:
    """Add missing imports and remove ones left unused, as LibCST's codemods do."""
    import libcst as cst
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

    module = cst.parse_module(text)
    context = CodemodContext()
    for change in add:
        AddImportsVisitor.add_needed_import(context, change.module, change.name)
    for change in remove:
        RemoveImportsVisitor.remove_unused_import(context, change.module, change.name)
    if add:
        module = AddImportsVisitor(context).transform_module(module)
    if remove:
        module = RemoveImportsVisitor(context).transform_module(module)
    return module.code


def _collides(candidate: tuple[int, int, str], kept: Sequence[tuple[int, int, str]]) -> bool:
    start, end, _ = candidate
    for other in kept:
        if other == candidate:
            continue
        other_start, other_end, _ = other
        if start < other_end and other_start < end:
            return True
        # Two insertions at one point, or an insertion at the edge of a
        # replacement, have no defined order: let the next round decide.
        if start == end and other_start <= start <= other_end:
            return True
        if other_start == other_end and start <= other_start <= end:
            return True
    return False


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in source_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


def _offsets(edit: Edit, starts: Sequence[int]) -> tuple[int, int, str]:
    def offset(line: int, column: int) -> int:
        if line - 1 >= len(starts):
            return starts[-1]
        return starts[line - 1] + column - 1

    return offset(edit.line, edit.column), offset(edit.end_line, edit.end_column), edit.content


def position_of(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text``."""
    starts = _line_starts(text)
    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1
