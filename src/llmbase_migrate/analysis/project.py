"""The project around a module: what its imports from other project modules hold.

A value that reaches a client option or a request field is often written in another
module (``from .config import MODEL``, ``settings.base_url`` where ``settings =
Settings()`` lives in ``config.py``). The :class:`ProjectIndex` finds those modules
(relative imports, ``src/`` layouts, a script's own directory, packages with or
without ``__init__.py``, re-exports through ``__init__.py``) and reads each with
CPython's parser only, into a cheap :class:`ModuleSummary`: its module-level
bindings, classes (with the fields of dataclasses, pydantic models and settings,
attrs classes, ``NamedTuple`` and plain class attributes) and functions. Values are
evaluated from those summaries on demand, with the same meaning the LibCST analysis
gives them (:class:`~llmbase_migrate.analysis.facts.Value`), and carry the place they
were written (``location``) for messages.

Imports that leave the project (the standard library, site-packages) are not
followed. Every module read is recorded with its digest (:attr:`ProjectView.read`),
so results that depend on it can be cached safely.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from llmbase_migrate.analysis import cpython
from llmbase_migrate.analysis.facts import SourceLocation, Value, ValueKind

# A module larger than this is generated or vendored, not configuration.
MAX_MODULE_BYTES = 2 * 1024 * 1024
_MAX_DEPTH = 24
_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_RAISING_GETTERS = frozenset({"decouple.config", "environ.Env"})
# ``try:`` and, from Python 3.11, ``try: ... except* ...``
_TRY_STATEMENTS: tuple[type[ast.stmt], ...] = tuple(
    kind for kind in (ast.Try, getattr(ast, "TryStar", None)) if isinstance(kind, type)
)


@dataclass(frozen=True, slots=True)
class FieldSummary:
    """A field of a configuration class: its default (None: required) and, for
    pydantic settings, the environment variable it reads."""

    name: str
    default: ast.expr | None
    env_var: str | None = None


@dataclass(slots=True)
class ClassSummary:
    name: str
    bases: tuple[ast.expr, ...]
    fields: dict[str, FieldSummary]
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]
    # pydantic-settings: fields read the environment
    settings: bool = False
    line: int = 0


@dataclass(slots=True)
class ModuleSummary:
    """What CPython's tree says about one module's top level."""

    path: Path
    display: str
    digest: str
    package: str  # the dotted package relative imports start from
    # name -> every expression bound to it at module level, in source order
    assignments: dict[str, list[ast.expr]] = field(default_factory=dict)
    # name -> (module, imported name or None for a module import, relative level)
    imports: dict[str, tuple[str, str | None, int]] = field(default_factory=dict)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    star_imports: list[tuple[str, int]] = field(default_factory=list)
    # the source's lines, to turn CPython's byte offsets into character columns
    lines: list[bytes] = field(default_factory=list)

    def column(self, line: int, offset: int) -> int:
        """The 1-based character column of byte ``offset`` on 1-based ``line``."""
        if not 0 < line <= len(self.lines):
            return offset + 1
        return len(self.lines[line - 1][:offset].decode("utf-8", "replace")) + 1


class ProjectIndex:
    """Finds and summarises the project's modules (one per process and root)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve() if root.exists() else root
        self._summaries: dict[Path, ModuleSummary | None] = {}
        self._stamps: dict[Path, tuple[int, int]] = {}

    def view(
        self, file: Path | None, tree: ast.Module | None = None, display_root: Path | None = None
    ) -> ProjectView:
        return ProjectView(self, file, tree, display_root or Path.cwd())

    def search_roots(self, importer: Path | None) -> list[Path]:
        roots = []
        if importer is not None:
            roots.append(importer.parent)
        roots += [self.root, self.root / "src"]
        return list(dict.fromkeys(root for root in roots if root.is_dir()))

    def find_module(self, dotted: str, importer: Path | None, level: int) -> Path | None:
        """The file of module ``dotted`` imported from ``importer`` (``level`` dots of
        a relative import), when it is in the project."""
        parts = [part for part in dotted.split(".") if part]
        if level:
            if importer is None:
                return None
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            return _module_file(base, parts)
        for root in self.search_roots(importer):
            found = _module_file(root, parts)
            if found is not None:
                return found
        return None

    def summary(self, path: Path) -> ModuleSummary | None:
        try:
            status = path.stat()
        except OSError:
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        if self._stamps.get(path) == stamp and path in self._summaries:
            return self._summaries[path]
        summary = None
        if status.st_size <= MAX_MODULE_BYTES and _inside(path, self.root):
            try:
                raw = path.read_bytes()
            except OSError:
                raw = None
            if raw is not None:
                summary = summarize(raw, path, self._display(path), self._package_of(path))
        self._summaries[path] = summary
        self._stamps[path] = stamp
        return summary

    def _display(self, path: Path) -> str:
        """The key a module's digest is recorded under: its absolute path."""
        return path.as_posix()

    def _package_of(self, path: Path) -> str:
        """The dotted name of the package holding ``path``, relative to the nearest
        search root (used only to name modules in messages)."""
        parent = path.parent
        try:
            return ".".join(parent.relative_to(self.root).parts)
        except ValueError:
            return ""


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _module_file(base: Path, parts: Sequence[str]) -> Path | None:
    if not parts:
        init = base / "__init__.py"
        return init if init.is_file() else None
    target = base.joinpath(*parts)
    for candidate in (target.with_name(target.name + ".py"), target / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def summarize(raw: bytes, path: Path, display: str, package: str) -> ModuleSummary | None:
    """The summary of a module's source, or None when CPython cannot parse it."""
    try:
        tree = cpython.parse(raw)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    summary = summarize_tree(tree, path, display, package, hashlib.sha256(raw).hexdigest())
    summary.lines = raw.splitlines()
    return summary


def summarize_tree(
    tree: ast.Module, path: Path, display: str, package: str, digest: str
) -> ModuleSummary:
    summary = ModuleSummary(path=path, display=display, digest=digest, package=package)
    for statement in _top_level(tree.body):
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    summary.assignments.setdefault(target.id, []).append(statement.value)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            if isinstance(statement.target, ast.Name):
                summary.assignments.setdefault(statement.target.id, []).append(statement.value)
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname is not None:
                    summary.imports[alias.asname] = (alias.name, None, 0)
                else:
                    head = alias.name.split(".", 1)[0]
                    summary.imports[head] = (head, None, 0)
        elif isinstance(statement, ast.ImportFrom):
            module = statement.module or ""
            for alias in statement.names:
                if alias.name == "*":
                    summary.star_imports.append((module, statement.level))
                else:
                    summary.imports[alias.asname or alias.name] = (
                        module,
                        alias.name,
                        statement.level,
                    )
        elif isinstance(statement, ast.ClassDef):
            summary.classes[statement.name] = _class_summary(statement)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            summary.functions[statement.name] = statement
    return summary


def _top_level(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import: the module body, and the bodies of ``if``, ``try``
    and ``with`` blocks in it (``try: from .local import X`` / ``except``)."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _top_level(statement.body)
            yield from _top_level(statement.orelse)
        elif isinstance(statement, _TRY_STATEMENTS):
            for block in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(statement, block))
            for handler in getattr(statement, "handlers", ()):
                yield from _top_level(handler.body)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            yield from _top_level(statement.body)


def _class_summary(node: ast.ClassDef) -> ClassSummary:
    base_names = {_dotted(base).rsplit(".", 1)[-1] for base in node.bases if _dotted(base)}
    settings = bool(base_names & {"BaseSettings"})
    prefix = ""
    fields: dict[str, FieldSummary] = {}
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods[statement.name] = statement
        elif isinstance(statement, ast.ClassDef) and statement.name == "Config":
            prefix = _env_prefix_in_body(statement.body) or prefix
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if name == "model_config":
                prefix = _env_prefix_in_call(statement.value) or prefix
                continue
            fields[name] = _field(name, statement.value)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if not isinstance(target, ast.Name):
                    continue
                if target.id == "model_config":
                    prefix = _env_prefix_in_call(statement.value) or prefix
                    continue
                fields[target.id] = _field(target.id, statement.value)
    if settings:
        fields = {
            name: FieldSummary(name, summary.default, (summary.env_var or prefix + name).upper())
            for name, summary in fields.items()
        }
    constructor = methods.get("__init__")
    if constructor is not None:
        for name, value in _constructor_attributes(constructor).items():
            fields.setdefault(name, FieldSummary(name, value))
    return ClassSummary(
        node.name, tuple(node.bases), fields, methods, settings=settings, line=node.lineno
    )


def _constructor_attributes(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
) -> dict[str, ast.expr]:
    """``self.model = "gpt-4o"`` in ``__init__``: attributes assigned once, at the top
    of its body, from an expression that reads none of its parameters (those depend
    on what each construction passes)."""
    params = {arg.arg for arg in (*function.args.posonlyargs, *function.args.args)}
    params |= {arg.arg for arg in function.args.kwonlyargs}
    if function.args.vararg is not None:
        params.add(function.args.vararg.arg)
    if function.args.kwarg is not None:
        params.add(function.args.kwarg.arg)
    receiver = function.args.args[0].arg if function.args.args else "self"
    found: dict[str, ast.expr] = {}
    assigned: dict[str, int] = {}
    for statement in ast.walk(function):
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == receiver
            ):
                assigned[target.attr] = assigned.get(target.attr, 0) + 1
    for statement in function.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if not (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == receiver
            and assigned.get(target.attr) == 1
        ):
            continue
        reads = {node.id for node in ast.walk(value) if isinstance(node, ast.Name)}
        if not reads & params:
            found[target.attr] = value
    return found


def _field(name: str, value: ast.expr | None) -> FieldSummary:
    """A field's default, seeing through ``Field(default=...)``/``field(default=...)``
    and the environment variable a pydantic alias names."""
    if isinstance(value, ast.Call) and _dotted(value.func).rsplit(".", 1)[-1] in (
        "Field",
        "field",
        "attrib",
        "ib",
    ):
        default: ast.expr | None = None
        env_var = None
        if value.args and not _is_ellipsis(value.args[0]):
            default = value.args[0]
        for keyword in value.keywords:
            if keyword.arg == "default" and not _is_ellipsis(keyword.value):
                default = keyword.value
            elif keyword.arg in ("alias", "validation_alias", "env"):
                text = _string(keyword.value)
                if text is not None:
                    env_var = text
        return FieldSummary(name, default, env_var)
    return FieldSummary(name, value)


def _env_prefix_in_call(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Call):
        for keyword in node.keywords:
            if keyword.arg == "env_prefix":
                return _string(keyword.value)
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if key is not None and _string(key) == "env_prefix":
                return _string(value)
    return None


def _env_prefix_in_body(body: Sequence[ast.stmt]) -> str | None:
    for statement in body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name) and target.id == "env_prefix":
                    return _string(statement.value)
    return None


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


# --------------------------------------------------------------------------- objects


@dataclass(frozen=True, slots=True)
class ModuleObject:
    summary: ModuleSummary


@dataclass(frozen=True, slots=True)
class ClassObject:
    summary: ModuleSummary
    cls: ClassSummary


@dataclass(frozen=True, slots=True)
class InstanceObject:
    """An instance of a project class; ``keywords`` are the constructor's keyword
    arguments when the construction is known (they override field defaults)."""

    summary: ModuleSummary
    cls: ClassSummary
    keywords: tuple[tuple[str, ast.expr], ...] = ()
    # the module the keywords were written in
    written_in: ModuleSummary | None = None
    # False for an instance known by its type only (``settings: Settings``): a field
    # whose default is None was most likely given a value where it was built
    constructed: bool = True


@dataclass(frozen=True, slots=True)
class FunctionObject:
    summary: ModuleSummary
    definition: ast.FunctionDef | ast.AsyncFunctionDef


ProjectObject = ModuleObject | ClassObject | InstanceObject | FunctionObject
_OBJECTS = (ModuleObject, ClassObject, InstanceObject, FunctionObject)


class ProjectView:
    """One module's window onto the project: evaluates what its imports hold.

    ``read`` maps the display path of every project module consulted to its digest.
    """

    def __init__(
        self,
        index: ProjectIndex,
        file: Path | None,
        tree: ast.Module | None,
        display_root: Path,
    ) -> None:
        self.index = index
        self.display_root = display_root
        self.file = file.resolve() if file is not None and file.exists() else file
        self.read: dict[str, str] = {}
        self.own: ModuleSummary | None = None
        if tree is not None:
            own_path = self.file if self.file is not None else index.root / "<stdin>"
            self.own = summarize_tree(
                tree, own_path, own_path.as_posix(), index._package_of(own_path), digest=""
            )
        self._depth = 0

    # -- entry points for the LibCST analysis
    def imported(self, module: str, name: str | None, level: int) -> ProjectObject | Value | None:
        """What ``from module import name`` (``name`` None: ``import module``) binds,
        when the module is in the project."""
        path = self.index.find_module(module, self.file, level)
        if path is None:
            if name is not None and not level:
                # ``from pkg import config``: config may be a module of the package
                sub = self.index.find_module(f"{module}.{name}", self.file, level)
                return self._module(sub) if sub is not None else None
            return None
        summary = self._summary(path)
        if summary is None:
            return None
        if name is None:
            return ModuleObject(summary)
        found = self.member(summary, name)
        if found is None:
            sub = _module_file(path.parent, [name]) if path.name == "__init__.py" else None
            if sub is not None:
                return self._module(sub)
        return found

    def own_class(self, name: str) -> ClassObject | None:
        if self.own is not None and name in self.own.classes:
            return ClassObject(self.own, self.own.classes[name])
        return None

    def attribute(self, obj: ProjectObject, name: str) -> ProjectObject | Value | None:
        if isinstance(obj, FunctionObject):
            return None
        if isinstance(obj, ModuleObject):
            found = self.member(obj.summary, name)
            if found is None and obj.summary.path.name == "__init__.py":
                sub = _module_file(obj.summary.path.parent, [name])
                return self._module(sub) if sub is not None else None
            return found
        cls_obj = ClassObject(obj.summary, obj.cls)
        keywords = obj.keywords if isinstance(obj, InstanceObject) else ()
        for keyword, value in keywords:
            if keyword == name and isinstance(obj, InstanceObject):
                return self.value(obj.written_in or obj.summary, value)
        for owner, cls in self._lineage(cls_obj):
            if name in cls.fields:
                declared = cls.fields[name]
                default = (
                    self.value(owner, declared.default) if declared.default is not None else None
                )
                if declared.env_var is not None:
                    return Value(
                        ValueKind.ENV,
                        env_var=declared.env_var,
                        default=default,
                        location=self._location(owner, declared.default, cls.line),
                    )
                if (
                    isinstance(obj, InstanceObject)
                    and not obj.constructed
                    and default is not None
                    and default.kind is ValueKind.NONE
                ):
                    return None
                return default
            if name in cls.methods:
                method = cls.methods[name]
                if _decorated(method, ("property", "cached_property")):
                    return self._returned(owner, method)
        return None

    def call(self, obj: ProjectObject | None) -> ProjectObject | Value | None:
        """What calling a project class (an instance, its keywords unknown here) or a
        project function (what it returns, when all its returns agree) gives."""
        if isinstance(obj, ClassObject):
            return InstanceObject(obj.summary, obj.cls)
        if isinstance(obj, FunctionObject):
            return self._call_function(obj.summary, obj.definition)
        return None

    def _call_function(
        self, summary: ModuleSummary, definition: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> ProjectObject | Value | None:
        returned = _returned_expressions(definition)
        if not returned:
            return None
        found = [self.object_or_value(summary, expression) for expression in returned]
        first = found[0]
        if first is not None and all(item == first for item in found):
            return first
        values = [item for item in found if isinstance(item, Value)]
        if len(values) == len(found):
            return Value(ValueKind.EITHER, alternatives=tuple(values))
        return None

    # -- evaluation over summaries
    def member(self, summary: ModuleSummary, name: str) -> ProjectObject | Value | None:
        if self._depth > _MAX_DEPTH:
            return None
        self._depth += 1
        try:
            return self._member(summary, name)
        finally:
            self._depth -= 1

    def _member(self, summary: ModuleSummary, name: str) -> ProjectObject | Value | None:
        if name in summary.classes:
            return ClassObject(summary, summary.classes[name])
        if name in summary.functions:
            return FunctionObject(summary, summary.functions[name])
        if name in summary.assignments:
            values = summary.assignments[name]
            if len(values) == 1:
                return self.object_or_value(summary, values[0])
            found = [self.value(summary, expression) for expression in values]
            known = [value for value in found if value is not None]
            if len(known) == len(found):
                return Value(ValueKind.EITHER, alternatives=tuple(known))
            return None
        if name in summary.imports:
            module, imported, level = summary.imports[name]
            return self._imported_from(summary, module, imported, level)
        for module, level in summary.star_imports:
            path = self._find_from(summary, module, level)
            other = self._summary(path) if path is not None else None
            if other is not None:
                found_star = self.member(other, name)
                if found_star is not None:
                    return found_star
        return None

    def _imported_from(
        self, summary: ModuleSummary, module: str, name: str | None, level: int
    ) -> ProjectObject | Value | None:
        path = self._find_from(summary, module, level)
        if path is None:
            if name is not None:
                sub = self._find_from(summary, f"{module}.{name}" if module else name, level)
                return self._module(sub) if sub is not None else None
            return None
        target = self._summary(path)
        if target is None:
            return None
        if name is None:
            return ModuleObject(target)
        found = self.member(target, name)
        if found is None and path.name == "__init__.py":
            sub = _module_file(path.parent, [name])
            if sub is not None:
                return self._module(sub)
        return found

    def _find_from(self, summary: ModuleSummary, module: str, level: int) -> Path | None:
        return self.index.find_module(module, summary.path, level)

    def _module(self, path: Path) -> ModuleObject | None:
        summary = self._summary(path)
        return ModuleObject(summary) if summary is not None else None

    def _summary(self, path: Path) -> ModuleSummary | None:
        if self.own is not None and self.file is not None and path.resolve() == self.file:
            return self.own
        summary = self.index.summary(path)
        if summary is not None:
            self.read[summary.display] = summary.digest
        return summary

    def object_or_value(
        self, summary: ModuleSummary, node: ast.expr
    ) -> ProjectObject | Value | None:
        obj = self._object(summary, node)
        if obj is not None:
            return obj
        return self.value(summary, node)

    def _object(self, summary: ModuleSummary, node: ast.expr) -> ProjectObject | None:
        """A module, class or instance an expression denotes, if any."""
        if self._depth > _MAX_DEPTH:
            return None
        self._depth += 1
        try:
            if isinstance(node, ast.Name):
                found = self.member(summary, node.id)
                return found if isinstance(found, _OBJECTS) else None
            if isinstance(node, ast.Attribute):
                base = self._object(summary, node.value)
                if base is None:
                    return None
                found = self.attribute(base, node.attr)
                return found if isinstance(found, _OBJECTS) else None
            if isinstance(node, ast.Call):
                callee = self._object(summary, node.func)
                if isinstance(callee, ClassObject):
                    keywords = tuple(
                        (keyword.arg, keyword.value)
                        for keyword in node.keywords
                        if keyword.arg is not None
                    )
                    return InstanceObject(callee.summary, callee.cls, keywords, summary)
                if isinstance(callee, FunctionObject):
                    found = self._call_function(callee.summary, callee.definition)
                    return found if isinstance(found, _OBJECTS) else None
            return None
        finally:
            self._depth -= 1

    def value(self, summary: ModuleSummary, node: ast.expr | None) -> Value | None:
        """The value of an expression of a project module, as the LibCST analysis
        would give it; None when it says nothing."""
        if node is None or self._depth > _MAX_DEPTH:
            return None
        self._depth += 1
        try:
            found = self._value(summary, node)
        finally:
            self._depth -= 1
        if found is not None and found.location is None:
            found = _located(found, self._location(summary, node, 0))
        return found

    def _value(self, summary: ModuleSummary, node: ast.expr) -> Value | None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Value(ValueKind.STRING, text=node.value)
            if node.value is None:
                return Value.none()
            return None
        if isinstance(node, ast.JoinedStr):
            pieces = []
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    pieces.append(part.value)
                    continue
                if not isinstance(part, ast.FormattedValue) or part.format_spec is not None:
                    return None
                inner = self.value(summary, part.value)
                if inner is None or inner.kind is not ValueKind.STRING:
                    return Value.unknown(_identifier(part.value))
                pieces.append(inner.text or "")
            return Value(ValueKind.STRING, text="".join(pieces))
        if isinstance(node, (ast.Name, ast.Attribute)):
            target = (
                self.member(summary, node.id)
                if isinstance(node, ast.Name)
                else self._attribute_of(summary, node)
            )
            if isinstance(target, Value):
                return target
            return Value.unknown(_identifier(node)) if target is None else None
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return self._or(summary, node.values)
        if isinstance(node, ast.IfExp):
            body, orelse = self.value(summary, node.body), self.value(summary, node.orelse)
            if body is None or orelse is None:
                return None
            return Value(ValueKind.EITHER, alternatives=(body, orelse))
        if isinstance(node, ast.Subscript):
            if self._qualified(summary, node.value) == "os.environ":
                variable = self.value(summary, node.slice)
                text = variable.text if variable is not None else None
                return Value(ValueKind.ENV, env_var=text)
            return Value.unknown(_identifier(node))
        if isinstance(node, ast.Call):
            return self._call_value(summary, node)
        return None

    def _attribute_of(
        self, summary: ModuleSummary, node: ast.Attribute
    ) -> ProjectObject | Value | None:
        base = self._object(summary, node.value)
        if base is None:
            return None
        return self.attribute(base, node.attr)

    def _or(self, summary: ModuleSummary, operands: Sequence[ast.expr]) -> Value | None:
        left = self.value(summary, operands[0])
        if left is None:
            return None
        if len(operands) == 1:
            return left
        right = self._or(summary, operands[1:])
        if left.kind in (ValueKind.ENV, ValueKind.UNKNOWN):
            return Value(
                left.kind,
                env_var=left.env_var,
                identifier=left.identifier,
                default=right,
                location=left.location,
            )
        return left if left.kind is ValueKind.STRING and left.text else right

    def _call_value(self, summary: ModuleSummary, node: ast.Call) -> Value | None:
        callee = self._qualified(summary, node.func)
        if callee in _ENV_GETTERS or callee in _RAISING_GETTERS or callee == "getenv":
            if not node.args:
                return None
            variable = self.value(summary, node.args[0])
            name = (
                variable.text
                if variable is not None and variable.kind is ValueKind.STRING
                else None
            )
            default_node = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "default":
                    default_node = keyword.value
            if default_node is None:
                raises = callee in _RAISING_GETTERS
                return Value(ValueKind.ENV, env_var=name, default=None if raises else Value.none())
            return Value(ValueKind.ENV, env_var=name, default=self.value(summary, default_node))
        if callee in ("str", "os.path.expandvars"):
            return self.value(summary, node.args[0]) if node.args else None
        callee_object = self._object(summary, node.func)
        if isinstance(callee_object, FunctionObject):
            found = self._call_function(callee_object.summary, callee_object.definition)
            if isinstance(found, Value):
                return found
        return Value.unknown(_identifier(node))

    def _returned(
        self, summary: ModuleSummary, method: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> Value | None:
        returned = _returned_expressions(method)
        if len(returned) == 1:
            return self.value(summary, returned[0])
        return None

    def _qualified(self, summary: ModuleSummary, node: ast.expr) -> str:
        """The dotted name an expression refers to through the module's imports
        (``environ.get`` after ``from os import environ`` is ``os.environ.get``)."""
        dotted = _dotted(node)
        if not dotted:
            return ""
        head, _, rest = dotted.partition(".")
        if head in summary.imports:
            module, name, _level = summary.imports[head]
            full = f"{module}.{name}" if name is not None else module
            return f"{full}.{rest}" if rest else full
        return dotted if head not in summary.assignments else ""

    def _lineage(self, obj: ClassObject) -> Iterator[tuple[ModuleSummary, ClassSummary]]:
        seen: set[tuple[str, str]] = set()
        stack = [(obj.summary, obj.cls)]
        while stack:
            summary, cls = stack.pop(0)
            if (summary.display, cls.name) in seen:
                continue
            seen.add((summary.display, cls.name))
            yield summary, cls
            for base in cls.bases:
                found = self._object(summary, base)
                if isinstance(found, ClassObject):
                    stack.append((found.summary, found.cls))

    def _location(
        self, summary: ModuleSummary, node: ast.expr | None, line: int
    ) -> SourceLocation | None:
        if summary is self.own:
            return None  # the module's own code: the LibCST analysis has positions
        shown = _shown(summary.path, self.display_root)
        if node is None:
            return SourceLocation(shown, line, file=str(summary.path))
        end_line = node.end_lineno or node.lineno
        return SourceLocation(
            shown,
            node.lineno,
            summary.column(node.lineno, node.col_offset),
            end_line,
            summary.column(end_line, node.end_col_offset or node.col_offset),
            file=str(summary.path),
        )


def _shown(path: Path, display_root: Path) -> str:
    """``path`` as messages show it: relative to the run's working directory when under
    it, as the paths of findings are."""
    try:
        return path.relative_to(display_root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def _located(value: Value, location: SourceLocation | None) -> Value:
    if location is None:
        return value
    return dataclasses.replace(value, location=location)


def _returned_expressions(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """The values a function returns, from ``return`` statements not inside a nested
    function or class."""
    found: list[ast.expr] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return):
            if node.value is not None:
                found.append(node.value)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _decorated(function: ast.FunctionDef | ast.AsyncFunctionDef, names: Sequence[str]) -> bool:
    return any(
        _dotted(decorator).rsplit(".", 1)[-1] in names for decorator in function.decorator_list
    )


def _identifier(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = _string(node.slice)
        return key if key is not None else _identifier(node.value)
    if isinstance(node, ast.Call):
        for arg in node.args:
            text = _string(arg)
            if text is not None and text.isidentifier():
                return text
        return _identifier(node.func)
    return None


_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_BOUNDARIES: dict[Path, Path | None] = {}


def project_boundary(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` that marks a project (a
    ``pyproject.toml``, ``setup.py``, ``setup.cfg`` or ``.git``), or None."""
    directory = start if start.is_dir() else start.parent
    visited = []
    found: Path | None = None
    for candidate in (directory, *directory.parents):
        if candidate in _BOUNDARIES:
            found = _BOUNDARIES[candidate]
            break
        visited.append(candidate)
        if any((candidate / marker).exists() for marker in _MARKERS):
            found = candidate
            break
    for candidate in visited:
        _BOUNDARIES[candidate] = found
    return found


_INDEXES: dict[Path, ProjectIndex] = {}


def project_index(root: Path) -> ProjectIndex:
    """The index of the project at ``root`` (one per process: summaries are reused
    across the files a process analyses, and re-read when a module changes)."""
    key = root.absolute()
    index = _INDEXES.get(key)
    if index is None:
        index = _INDEXES[key] = ProjectIndex(key)
    return index
