"""Positions and scopes built our faster way equal what LibCST's metadata wrapper gives.

``analysis.positions`` and ``analysis.scopes`` skip work LibCST does, never change
what it computes. Each is checked against ``PositionProvider``,
``ExpressionContextProvider`` and ``ScopeProvider`` on every node of the fixture
corpus, this test suite's own sources, and shapes chosen to stress them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import (
    CodeRange,
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from llmbase_migrate.analysis.positions import syntactic_positions
from llmbase_migrate.analysis.recording import Recorder
from llmbase_migrate.analysis.scopes import module_scopes

ROOT = Path(__file__).resolve().parents[2]

SHAPES = {
    "crlf": "import os\r\nx = 1\r\nif x:\r\n    y = (1,\r\n         2)\r\n",
    "cr": "x = 1\rif x:\r    y = 2\r",
    "no-final-newline": "def f():\n    return 1",
    "blank-module": "",
    "only-comment": "# nothing\n",
    "continuations": "x = 1 + \\\n    2\ny = [\n    1,  # one\n    2,\n]\n",
    "multiline-strings": 'x = """a\nb\r\nc"""\ny = f"""{x}\n{x!r:>{10}}"""\n',
    "form-feed": "\x0cimport os\n\x0cdef f():\n    return os\n",
    "tabs": "if True:\n\tx = 1\n\tif x:\n\t\ty = 2\n",
    "decorators": "@a\n@b(c)\nclass C(B, metaclass=M):\n    @property\n    def p(self): return 1\n",
    "targets": (
        "a, (b, *c) = [d, e] = f\nfor (g, h) in i: pass\nwith j as (k, l), m as n.o: pass\n"
        "p[q] = r.s = t\nu += 1\nv: int = 2\nw: str\ndel x, y[z]\n"
    ),
    "comprehensions": (
        "xs = [y for y in range(3) if (z := y)]\nd = {k: v for k, v in {}.items()}\n"
        "g = (a for b in c for a in b)\ns = {t for t in u}\n"
    ),
    "functions": (
        "def f(a, /, b=1, *c, d: int = 2, **e) -> None:\n"
        "    global G\n    G = a\n    def g():\n        nonlocal b\n        b = 2\n"
        "    return lambda x, y=b: x + y\n"
    ),
    "classes": (
        "class A:\n    x = 1\n    y = [x for _ in range(2)]\n    def m(self):\n        return x\n"
    ),
    "imports": (
        "import os.path\nimport openai as oa\nfrom openai import OpenAI as C, lib\n"
        "from . import sibling\nfrom .pkg import *\nc = C()\noa.api_key = os.path.sep\n"
    ),
    "try-except": "try:\n    import x\nexcept ImportError as error:\n    x = error\nfinally:\n    y = 1\n",
    "match": (
        "match p:\n    case [a, *rest]:\n        pass\n    case {'k': v, **kw}:\n        pass\n"
        "    case Point(x=0, y=yy) as point:\n        pass\n    case _:\n        pass\n"
    ),
    "string-annotations": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from openai import OpenAI\n"
        "def f(client: 'OpenAI', other: 'list[OpenAI]') -> 'OpenAI':\n    return client\n"
    ),
    "async": (
        "async def f(c):\n    async with c as d:\n        async for e in d:\n"
        "            await e\n    return [x async for x in c]\n"
    ),
    "semicolons": "a = 1; b = 2; c = a + b\nif a: b = 3; c = 4\n",
    "unicode": "名前 = 'ünïcode'\nclient = OpenAI(api_key='ключ')  # コメント\n",
}


def _sources() -> Iterator[tuple[str, str]]:
    yield from SHAPES.items()
    for folder in ("fixtures", "tests", "src"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


SOURCES = list(_sources())


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, cst.Module]]:
    return [(name, cst.parse_module(text)) for name, text in SOURCES]


def test_the_sources_are_many_and_varied(parsed: list[tuple[str, cst.Module]]) -> None:
    assert len(parsed) > 150
    assert sum(len(module.code) for _, module in parsed) > 1_000_000


def test_positions_equal_libcsts_for_every_node(parsed: list[tuple[str, cst.Module]]) -> None:
    compared = 0
    for name, module in parsed:
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        actual = syntactic_positions(module)
        assert set(actual) == set(expected), name
        differing = [node for node in expected if actual[node] != expected[node]]
        assert not differing, (name, _describe(differing[0], expected, actual))
        compared += len(expected)
    assert compared > 100_000


def _describe(
    node: cst.CSTNode,
    expected: Mapping[cst.CSTNode, CodeRange],
    actual: Mapping[cst.CSTNode, CodeRange],
) -> str:
    return f"{type(node).__name__}: expected {expected[node]}, got {actual[node]}"


def test_stored_names_are_libcsts_store_contexts(parsed: list[tuple[str, cst.Module]]) -> None:
    total = 0
    for name, module in parsed:
        contexts = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ExpressionContextProvider)
        expected = {
            node
            for node, context in contexts.items()
            if isinstance(node, cst.Name) and context is ExpressionContext.STORE
        }
        recorder = Recorder()
        module.visit(recorder)
        missing = expected - recorder.stored_names
        extra = recorder.stored_names - expected
        assert not missing and not extra, (
            name,
            sorted(n.value for n in missing),
            sorted(n.value for n in extra),
        )
        total += len(expected)
    assert total > 8_000


def test_scopes_equal_libcsts_for_every_node(parsed: list[tuple[str, cst.Module]]) -> None:
    names_compared = 0
    for name, module in parsed:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        expected = wrapper.resolve(ScopeProvider)
        in_module = wrapper.resolve(PositionProvider)
        recorder = Recorder()
        module.visit(recorder)
        actual = module_scopes(module, recorder.stored_names)
        # String annotations are parsed into nodes of their own on each run: compare
        # the module's nodes.
        assert {n for n in expected if n in in_module} == {n for n in actual if n in in_module}
        for node, scope in expected.items():
            if node not in in_module:
                continue
            other = actual[node]
            assert _chain(scope) == _chain(other), (name, type(node).__name__)
            if isinstance(node, cst.Name) and scope is not None and other is not None:
                assert _bindings(scope, node.value) == _bindings(other, node.value), (
                    name,
                    node.value,
                )
                assert scope.get_qualified_names_for(node) == other.get_qualified_names_for(node), (
                    name,
                    node.value,
                )
                assert _accesses(scope, node) == _accesses(other, node), (name, node.value)
                names_compared += 1
    assert names_compared > 35_000


def _chain(scope: Scope | None) -> list[str]:
    kinds = []
    while scope is not None:
        kinds.append(type(scope).__name__)
        parent = scope.parent
        if parent is scope:
            break
        scope = parent
    return kinds


def _bindings(scope: Scope, name: str) -> list[tuple[str, int]]:
    return sorted(
        (type(assignment).__name__, id(getattr(assignment, "node", None)))
        for assignment in scope[name]
    )


def _accesses(scope: Scope, node: cst.Name) -> list[int]:
    return sorted(id(access.node) for access in scope.accesses[node.value] if access.node is node)
