"""LibCST's scopes of a module, built without the metadata wrapper's extra passes.

``MetadataWrapper(module).resolve(ScopeProvider)`` walks the tree three times: a
batched walk dispatching to every batchable provider, the expression-context walk
ScopeProvider depends on, and the scope walk itself. On the fixture and LangChain
corpora that costs 1.7 times the scope walk alone. Only one fact of the expression
contexts reaches the scopes: which names are *stored* to (``ScopeVisitor`` records
an assignment for those and an access for every other name). The collector's
recording pass already visits every node, so it gathers those names
(``store_names``, mirroring ``ExpressionContextVisitor``) and ``module_scopes``
runs LibCST's own ``ScopeVisitor`` once over the module with them.

``tests/analysis/test_scopes.py`` holds both equal to LibCST's providers on the
corpora; the scope semantics stay LibCST's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider, Scope, ScopeProvider
from libcst.metadata.scope_provider import ScopeVisitor  # the walk ScopeProvider runs


def store_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names a target stores to, as ``ExpressionContextVisitor`` marks them:
    the target itself, or the elements of a tuple or list (starred or not), at any
    depth. An attribute or a subscript stores to no name (its parts are loaded)."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:  # ``*rest``'s value is the starred name
            yield from store_names(element.value)


def module_scopes(
    module: cst.Module, stored: Collection[cst.Name]
) -> Mapping[cst.CSTNode, Scope | None]:
    """What ``resolve(ScopeProvider)`` gives, given the names ``module`` stores to."""
    provider = ScopeProvider()
    provider.metadata = {ExpressionContextProvider: _StoreContexts(stored)}
    visitor = ScopeVisitor(provider)
    module.visit(visitor)
    visitor.infer_accesses()
    return provider._computed  # type: ignore[return-value]


class _StoreContexts(Mapping[cst.CSTNode, ExpressionContext]):
    """The expression contexts ``ScopeVisitor`` asks for: STORE or nothing (it
    treats LOAD, DEL and no context alike)."""

    def __init__(self, stored: Collection[cst.Name]) -> None:
        self._stored = stored

    def __getitem__(self, node: cst.CSTNode) -> ExpressionContext:
        if node in self._stored:
            return ExpressionContext.STORE
        raise KeyError(node)

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)
