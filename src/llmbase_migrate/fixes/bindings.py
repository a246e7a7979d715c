"""What a fix may write, given how the module binds names.

Reading the key as ``os.environ["<api-key-env>"]`` is only right when ``os`` is the
os module wherever the fix puts it, and renaming ``AzureOpenAI`` to ``OpenAI`` only
when ``OpenAI`` is free or already the SDK's: :func:`environ_read` and
:func:`imported_name` check that against every binding in the module (imports,
assignments, parameters, loop targets...), refusing whenever a binding is anything
else. :func:`secrets_in` lists the key-looking literals a fix removes, so that
diffs mask them.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.recording import dotted_name
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.analysis.visitor import Visitor
from llmbase_migrate.fixes.edit import ImportChange
from llmbase_migrate.fixes.edits import string_literal
from llmbase_migrate.secrets import looks_like_secret

# Shorter pieces of a concatenated key are not worth masking on their own.
_MIN_SECRET_PART = 8


@dataclass(frozen=True, slots=True)
class Binding:
    """One place a name is bound.

    ``kind`` is "import" (``import a.b`` / ``import a.b as n``: ``module`` is
    ``a.b``), "from" (``from module import name [as n]``) or "other" (an
    assignment, parameter, definition, loop target, ``global``...).
    ``top_level_line`` is the line of an import written directly in the module body.
    """

    kind: str
    module: str | None = None
    name: str | None = None
    aliased: bool = False
    top_level_line: int | None = None


@dataclass(frozen=True, slots=True)
class ModuleBindings:
    by_name: dict[str, list[Binding]]
    # ``from x import *`` somewhere: any name may be bound by it
    star_import: bool


@dataclass(frozen=True, slots=True)
class EnvironRead:
    """``os.environ["<variable>"]`` as code, and the import it needs (if any)."""

    code: str
    add_imports: tuple[ImportChange, ...]


_CACHE: weakref.WeakKeyDictionary[SourceMap, ModuleBindings] = weakref.WeakKeyDictionary()


def module_bindings(source: SourceMap) -> ModuleBindings:
    """Every binding of every name in the module (computed once per module)."""
    cached = _CACHE.get(source)
    if cached is None:
        collector = _BindingCollector(source)
        source.module.visit(collector)
        cached = ModuleBindings(dict(collector.by_name), collector.star_import)
        _CACHE[source] = cached
    return cached


def environ_read(source: SourceMap, variable: str, line: int) -> EnvironRead | None:
    """``os.environ[variable]`` for code at ``line``, or None when ``os`` there might not
    be the os module: bound to anything else anywhere in the module, a ``*`` import,
    or imported at module level only below ``line``."""
    needs = _import_need(source, "os", line, _is_os_module)
    if needs is None:
        return None
    code = f"os.environ[{string_literal(variable)}]"
    return EnvironRead(code, (ImportChange("os"),) if needs else ())


def imported_name(source: SourceMap, name: str, module: str, line: int) -> bool | None:
    """Whether ``name`` (meaning ``from module import name``) needs importing for code
    at ``line``: False when it is imported already, True when the name is free, None
    when it is bound to something else somewhere in the module."""
    return _import_need(
        source,
        name,
        line,
        lambda binding: (
            binding.kind == "from" and binding.module == module and binding.name == name
        ),
    )


def from_imports_of(source: SourceMap, name: str) -> list[Binding] | None:
    """The ``from ... import`` bindings of ``name``, or None when it is also bound
    another way (or aliased: ``from m import X as name``)."""
    bindings = module_bindings(source)
    if bindings.star_import:
        return None
    found = bindings.by_name.get(name, [])
    if not found or any(
        binding.kind != "from" or binding.aliased or binding.name != name for binding in found
    ):
        return None
    return found


def secrets_in(node: cst.CSTNode) -> tuple[str, ...]:
    """The key-looking string literals in ``node``, as written and as evaluated."""
    collector = _SecretCollector()
    node.visit(collector)
    return tuple(dict.fromkeys(collector.found))


def references_name(node: cst.CSTNode, name: str) -> bool:
    """Whether ``name`` is read anywhere in ``node`` (as a name, not an attribute)."""
    finder = _NameFinder(name)
    node.visit(finder)
    return finder.found


def _import_need(
    source: SourceMap, name: str, line: int, acceptable: Callable[[Binding], bool]
) -> bool | None:
    bindings = module_bindings(source)
    if bindings.star_import:
        return None
    found = bindings.by_name.get(name, [])
    if not all(acceptable(binding) for binding in found):
        return None
    top_level = [b.top_level_line for b in found if b.top_level_line is not None]
    if any(import_line < line for import_line in top_level):
        return False
    if top_level:
        # Imported at module level, but only below the code: adding an import above
        # would be skipped as a duplicate, and moving one is not this fix's business.
        return None
    return True


def _is_os_module(binding: Binding) -> bool:
    if binding.kind != "import" or binding.module is None:
        return False
    if binding.aliased:
        return binding.module == "os"
    return binding.module == "os" or binding.module.startswith("os.")


class _BindingCollector(Visitor):
    """Records each name binding; a conservative superset of what Python binds."""

    def __init__(self, source: SourceMap) -> None:
        super().__init__()
        self.source = source
        self.by_name: defaultdict[str, list[Binding]] = defaultdict(list)
        self.star_import = False
        self._top_level: set[int] = set()

    def visit_Module(self, node: cst.Module) -> None:
        for statement in node.body:
            if isinstance(statement, cst.SimpleStatementLine):
                self._top_level.update(id(small) for small in statement.body)

    def _line(self, node: cst.CSTNode) -> int | None:
        return self.source.span(node).line if id(node) in self._top_level else None

    def _other(self, names: Iterable[str]) -> None:
        for name in names:
            self.by_name[name].append(Binding("other"))

    # -- imports
    def visit_Import(self, node: cst.Import) -> None:
        line = self._line(node)
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if alias.asname is not None:
                bound = _target_names(alias.asname.name)
                for name in bound:
                    self.by_name[name].append(Binding("import", dotted, None, True, line))
            elif dotted is not None:
                self.by_name[dotted.split(".", 1)[0]].append(
                    Binding("import", dotted, None, False, line)
                )

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.star_import = True
            return
        module = "." * len(node.relative) + (dotted_name(node.module) or "")
        line = self._line(node)
        for alias in node.names:
            imported = dotted_name(alias.name)
            if alias.asname is not None:
                for name in _target_names(alias.asname.name):
                    self.by_name[name].append(
                        Binding("from", module, imported, name != imported, line)
                    )
            elif imported is not None:
                self.by_name[imported].append(Binding("from", module, imported, False, line))

    # -- everything else that binds
    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._other(_target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._other(_target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._other(_target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self._other(_target_names(node.target))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._other(_target_names(node.target))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._other(_target_names(node.asname.name))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._other(_target_names(node.target))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._other(_target_names(node.name.name))

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._other(_target_names(node.name.name))

    def visit_Param(self, node: cst.Param) -> None:
        self._other([node.name.value])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._other([node.name.value])

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._other([node.name.value])

    def visit_Global(self, node: cst.Global) -> None:
        self._other(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._other(item.name.value for item in node.names)

    def visit_Del(self, node: cst.Del) -> None:
        self._other(_target_names(node.target))

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._other([node.name.value])

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._other([node.name.value])

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._other([node.rest.value])

    def visit_TypeVar(self, node: cst.TypeVar) -> None:
        self._other([node.name.value])

    def visit_TypeVarTuple(self, node: cst.TypeVarTuple) -> None:
        self._other([node.name.value])

    def visit_ParamSpec(self, node: cst.ParamSpec) -> None:
        self._other([node.name.value])

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self._other([node.name.value])


def _target_names(node: cst.BaseExpression) -> list[str]:
    """Names an assignment target binds: ``a``, ``(a, *b)``; not ``a.x`` or ``a[0]``."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in _target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


class _SecretCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        value = node.evaluated_value
        if isinstance(value, str) and looks_like_secret(value):
            self.found.append(value)
            self.found.extend(
                part.raw_value
                for part in _string_parts(node)
                if len(part.raw_value) >= _MIN_SECRET_PART
            )
            return False
        return True

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str) and looks_like_secret(value):
            self.found.extend((value, node.raw_value))


def _string_parts(node: cst.BaseString) -> Sequence[cst.SimpleString]:
    if isinstance(node, cst.SimpleString):
        return [node]
    if isinstance(node, cst.ConcatenatedString):
        return [*_string_parts(node.left), *_string_parts(node.right)]
    return []


class _NameFinder(Visitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found = True
