"""A LibCST visitor that finds its hooks once per node type.

``libcst.CSTVisitor`` looks up ``visit_<Type>`` and ``leave_<Type>`` by name at every
node, and ``visit_<Type>_<attribute>`` / ``leave_<Type>_<attribute>`` at every child
attribute of every node: on a large module that is hundreds of thousands of
``getattr`` calls per walk. Our visitors define no attribute hooks, so these are
skipped, and the node hooks are looked up once per (visitor class, node type).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

import libcst as cst

_ATTRIBUTE_HOOK = re.compile(r"^(?:visit|leave)_[A-Z]\w*?_[a-z]\w*$")

_Hooks = tuple[Callable[[Any, Any], Any] | None, Callable[[Any, Any], Any] | None]


class Visitor(cst.CSTVisitor):
    _hooks: ClassVar[dict[type[cst.CSTNode], _Hooks]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._hooks = {}
        ours = [
            klass for klass in cls.__mro__ if issubclass(klass, Visitor) and klass is not Visitor
        ]
        attribute_hooks = [
            name for klass in ours for name in vars(klass) if _ATTRIBUTE_HOOK.match(name)
        ]
        if attribute_hooks:
            raise TypeError(f"{cls.__name__}: attribute hooks are not called: {attribute_hooks}")

    def _hooks_for(self, node_type: type[cst.CSTNode]) -> _Hooks:
        hooks = self._hooks.get(node_type)
        if hooks is None:
            name = node_type.__name__
            hooks = (self._own(f"visit_{name}"), self._own(f"leave_{name}"))
            self._hooks[node_type] = hooks
        return hooks

    @classmethod
    def _own(cls, name: str) -> Callable[[Any, Any], Any] | None:
        """The hook ``name`` when a subclass defines it (LibCST's typed stubs do nothing)."""
        hook = getattr(cls, name, None)
        return None if hook is None or hook is getattr(cst.CSTVisitor, name, None) else hook

    def on_visit(self, node: cst.CSTNode) -> bool:
        visit = self._hooks_for(type(node))[0]
        # Children are skipped only when the hook returns False (as in CSTVisitor).
        return visit is None or visit(self, node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        leave = self._hooks_for(type(original_node))[1]
        if leave is not None:
            leave(self, original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None
