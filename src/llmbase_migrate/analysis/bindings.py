"""Which bindings of a name may hold where it is read (reaching definitions over
LibCST's scopes), and the values assigned to an attribute of ``self``."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import libcst as cst
from libcst.metadata import Assignment, BaseAssignment, CodeRange, QualifiedName, Scope

from llmbase_migrate.analysis.project import ProjectView
from llmbase_migrate.analysis.recording import ClassInfo, Recorder
from llmbase_migrate.analysis.refs import Ref, RefKind


class Bindings:
    """The state every part of resolution shares, and the bindings of names."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        positions: Mapping[cst.CSTNode, CodeRange],
        scopes: Mapping[cst.CSTNode, Scope | None],
        project: ProjectView | None = None,
    ) -> None:
        self.recorder = recorder
        self.positions = positions
        self.scopes = scopes
        self.project = project
        self._qualified_names: dict[cst.CSTNode, Collection[QualifiedName]] = {}
        self._refs: dict[cst.CSTNode, Ref] = {}
        self._in_progress: set[cst.CSTNode] = set()
        self._parameter_defaults: set[cst.BaseExpression] = set()
        self._param_functions: dict[cst.Param, cst.FunctionDef] = {}

    def _assignment_ref(self, assignment: BaseAssignment, depth: int) -> Ref:
        """What a binding denotes (``references``: the SDK side decides which
        binding dominates a read)."""
        raise NotImplementedError

    def _class_attribute_values(
        self, info: ClassInfo, attribute: str, seen: set[str]
    ) -> list[cst.BaseExpression]:
        raise NotImplementedError

    def assignments_of(self, scope: Scope, name: str) -> list[BaseAssignment]:
        """The assignments of ``name`` visible in ``scope``, in source order (LibCST
        keeps them in a set of objects hashed by address: never iterate that)."""
        return sorted(scope[name], key=self._assignment_order)

    def _assignment_order(self, assignment: BaseAssignment) -> tuple[int, int, int]:
        node = assignment.node if isinstance(assignment, Assignment) else None
        code_range = self.positions.get(node) if node is not None else None
        if code_range is None:
            return (0, 0, assignment._index)
        return (code_range.start.line, code_range.start.column, assignment._index)

    def _reaching(
        self, use: cst.Name, scope: Scope, depth: int, *, by_value: bool = False
    ) -> list[BaseAssignment]:
        """The bindings of ``use`` that may hold when it runs, in source order.

        Within one scope a binding statement that runs before the use in the same
        block, or in a block enclosing it, hides earlier ones: the latest such binding
        (whose value is known: an unknown one, such as ``client = wrap(client)``, says
        nothing against what came before) reaches the use, with every binding after it
        that may run before the use (in a branch, or later in a loop holding the use).
        ``by_value``: any binding hides earlier ones, known or not (``model = model or
        "gpt-4o"`` is what the value is, whatever the SDK side makes of it).
        Otherwise (uses from another scope, ``global`` bindings in a function, no such
        statement) every binding may reach it.
        """
        assignments = self.assignments_of(scope, use.value)
        use_range = self.positions.get(use)
        if len(assignments) < 2 or use_range is None:
            return assignments
        at = (use_range.start.line, use_range.start.column)
        points: list[tuple[int, int]] = []
        dominating: list[int] = []
        for index, assignment in enumerate(assignments):
            if not isinstance(assignment, Assignment) or assignment.scope is not scope:
                return assignments
            if self.scopes.get(assignment.node) is not scope:
                return assignments  # bound from a nested function (``global``)
            point, holds_from = self._binding_point(assignment)
            if point is None:
                return assignments
            points.append(point)
            if holds_from is not None and point <= at and self._contains(holds_from, at):
                dominating.append(index)
            elif by_value and isinstance(assignment.node, cst.Param) and point <= at:
                dominating.append(index)  # bound on entry to the function holding the use
        chosen: int | None = None
        for index in reversed(dominating):
            if (
                by_value
                or self._assignment_ref(assignments[index], depth).kind is not RefKind.UNRESOLVED
            ):
                chosen = index
                break
        if chosen is None:
            return assignments
        start = points[chosen]
        reaching = [
            index for index, point in enumerate(points) if index == chosen or start < point <= at
        ]
        statement = self._statement_of(assignments[chosen])
        chosen_range = self.positions.get(statement) if statement is not None else None
        for loop in self.recorder.loops:
            # a binding later in a loop holding the use (but not the chosen binding)
            # reaches the use on the next iteration
            if not self._contains(loop, at) or (
                chosen_range is not None
                and self._contains(loop, (chosen_range.start.line, chosen_range.start.column))
            ):
                continue
            loop_end = self.positions[loop].end
            reaching.extend(
                index
                for index, point in enumerate(points)
                if at < point <= (loop_end.line, loop_end.column)
            )
        return [assignments[index] for index in sorted(set(reaching))]

    def _binding_point(
        self, assignment: Assignment
    ) -> tuple[tuple[int, int] | None, cst.CSTNode | None]:
        """Where a binding takes effect, and the block from which on it holds when it
        is a statement of that block (None for bindings inside an expression or a
        compound statement's header: a ``for`` target, ``with ... as``, ``:=``)."""
        statement = self._statement_of(assignment)
        container = self.recorder.containers.get(statement) if statement is not None else None
        if statement is not None and container is not None:
            code_range = self.positions.get(statement)
            if code_range is not None:
                return (code_range.end.line, code_range.end.column), container
        code_range = self.positions.get(assignment.node)
        if code_range is None:
            return None, None
        return (code_range.start.line, code_range.start.column), None

    def _statement_of(self, assignment: BaseAssignment) -> cst.CSTNode | None:
        """The statement making a binding: ``x = ...``, ``import x``, ``def x``."""
        node = assignment.node if isinstance(assignment, Assignment) else None
        if isinstance(node, cst.Name):
            return self.recorder.binding_statements.get(node)
        if isinstance(node, (cst.Import, cst.ImportFrom, cst.FunctionDef, cst.ClassDef)):
            return node
        return None

    def _contains(self, outer: cst.CSTNode, at: tuple[int, int]) -> bool:
        code_range = self.positions.get(outer)
        if code_range is None:
            return False
        start = (code_range.start.line, code_range.start.column)
        end = (code_range.end.line, code_range.end.column)
        return start <= at < end

    def _single_assignment(self, node: cst.Name) -> BaseAssignment | None:
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        assignments = list(scope[node.value])
        return assignments[0] if len(assignments) == 1 else None

    def _single_binding(self, node: cst.Name) -> cst.BaseExpression | None:
        """The one expression ``node`` can hold: its only assignment's value, or the
        default of the parameter it names (what it holds unless a caller overrides)."""
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        assignments = list(scope[node.value])
        if len(assignments) != 1:
            return None
        (assignment,) = assignments
        if isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Name):
            return self.recorder.bindings.get(assignment.node)
        if (
            isinstance(assignment, Assignment)
            and isinstance(assignment.node, cst.Param)
            and assignment.node.default is not None
        ):
            self._parameter_defaults.add(assignment.node.default)
            return assignment.node.default
        return None

    def _is_parameter_default(self, node: cst.BaseExpression) -> bool:
        return node in self._parameter_defaults

    def _values_before(
        self, owner: ClassInfo, values: Sequence[cst.BaseExpression], read: cst.CSTNode
    ) -> list[cst.BaseExpression]:
        """The values of ``values`` (assigned to one attribute) that a read in the
        constructor can see: those of the class body, those the constructor assigns
        before the read, and those of methods it calls before the read. A method that
        runs later (``def use_local(self): self.url = ...``) cannot have set what the
        constructor read. Reads elsewhere may follow any method: every value counts.
        """
        read_range = self.positions.get(read)
        constructor = owner.methods.get("__init__")
        if read_range is None or constructor is None:
            return list(values)
        at = (read_range.start.line, read_range.start.column)
        if not self._contains(constructor, at):
            return list(values)
        called_before = {
            call.func.attr.value
            for call in self.recorder.calls
            if isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
            and self._contains(constructor, self._start(call))
            and self._start(call) < at
        }
        kept = []
        for value in values:
            method = owner.assigned_in.get(value)
            if method is None:
                kept.append(value)  # the class body
            elif method is constructor:
                if self._start(value) < at:
                    kept.append(value)
            elif method.name.value in called_before:
                kept.append(value)
        return kept

    def _start(self, node: cst.CSTNode) -> tuple[int, int]:
        code_range = self.positions[node]
        return (code_range.start.line, code_range.start.column)

    def _self_owner(self, name: cst.Name) -> ClassInfo | None:
        scope = self.scopes.get(name)
        if scope is None or name.value not in scope:
            return None
        assignments = list(scope[name.value])
        if len(assignments) != 1:
            return None
        (assignment,) = assignments
        if not isinstance(assignment, Assignment) or not isinstance(assignment.node, cst.Param):
            return None
        return self.recorder.self_params.get(assignment.node)
