"""The candidate pass: which files LibCST needs to see at all.

CPython's parser is about ten times faster than LibCST's, and most files that
mention ``openai`` (type imports, tests of other things) hold nothing any rule can
report. This pass walks CPython's tree once and answers whether the file *may* hold
a fact the analyzer reports on. It mirrors the shapes ``analysis.collector`` looks
for and errs towards yes; it only ever skips files, never reports. A file is a
candidate when it imports the ``openai`` package and also has at least one of:

- an import from the package of a client class, a pre-1.0 API class, or ``*``;
- an attribute named like a client class, a pre-1.0 API class, ``completions``
  (every chat path has it) or an unsupported resource (``embeddings``...);
- an assignment to an attribute of a name bound to the package (``openai.api_key =``).

Every fact needs one of these: a client is constructed through a name imported
from the package or an attribute of it; a chat call's path holds ``completions``;
an endpoint use holds its resource's name; a module setting assigns to the package.
``tests/engine/test_candidates.py`` checks this against every rule example and the
fixture corpus, and ``bench/candidate_audit.py`` against any source tree.
"""

from __future__ import annotations

import ast
import warnings

from llmbase_migrate.analysis import names

_PACKAGE = names.OPENAI_PACKAGE
_IMPORTED_NAMES = names.CLIENT_TYPE_NAMES | names.LEGACY_APIS | {"*"}
_ATTRIBUTES = (
    names.CLIENT_TYPE_NAMES | names.LEGACY_APIS | names.UNSUPPORTED_RESOURCE_NAMES | {"completions"}
)


def might_use_openai(text: str) -> bool:
    """Whether ``text`` may hold something the analyzer reports (see the module doc).

    Code CPython cannot parse is a candidate: LibCST goes on to report it (LB001).
    """
    try:
        with warnings.catch_warnings():
            # The analysed code's warnings (an invalid escape) are not ours to show.
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return has_candidate_shape(tree)


def _is_package(dotted: str) -> bool:
    return dotted == _PACKAGE or dotted.startswith(_PACKAGE + ".")


def has_candidate_shape(tree: ast.AST) -> bool:
    """The candidate test on a tree already parsed (see the module doc)."""
    imports_package = False
    shape_found = False
    # names bound to the package (``import openai``, ``import openai as oa``, ``x = oa``)
    package_names: set[str] = set()
    attribute_targets: list[str] = []
    name_copies: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in _ATTRIBUTES:
                shape_found = True
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_package(alias.name):
                    imports_package = True
                    # ``import openai.lib`` binds ``openai``; ``as`` binds the alias
                    package_names.add(alias.asname or alias.name.split(".", 1)[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module is not None and _is_package(node.module):
                imports_package = True
                if any(alias.name in _IMPORTED_NAMES for alias in node.names):
                    shape_found = True
                # ``from openai import lib`` binds a part of the package
                package_names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                _note_target(target, attribute_targets)
            if len(node.targets) == 1 and isinstance(node.value, ast.Name):
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    name_copies.append((target.id, node.value.id))
        if imports_package and shape_found:
            return True
    if not imports_package:
        return False
    if shape_found:
        return True
    if not attribute_targets:
        return False
    _close_over_copies(package_names, name_copies)
    return any(name in package_names for name in attribute_targets)


def _note_target(target: ast.expr, attribute_targets: list[str]) -> None:
    """Record ``x`` of each ``x.attr = ...`` target (tuples unpacked)."""
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        attribute_targets.append(target.value.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _note_target(element, attribute_targets)
    elif isinstance(target, ast.Starred):
        _note_target(target.value, attribute_targets)


def _close_over_copies(bound: set[str], copies: list[tuple[str, str]]) -> None:
    """Add every name assigned from a bound name (``oa = openai``), transitively."""
    changed = True
    while changed:
        changed = False
        for target, source in copies:
            if source in bound and target not in bound:
                bound.add(target)
                changed = True
