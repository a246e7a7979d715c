"""A client option that only means something on OpenAI's platform.

``organization``, ``project``, ``webhook_secret``, ``admin_api_key``,
``workload_identity``, ``data_residency``, ``websocket_base_url`` and ``provider``
(the SDK's Bedrock/Vertex providers) have no LLMBase meaning: at best they are
ignored, at worst they send OpenAI account headers to another service. Also the
module settings ``openai.organization`` and ``openai.project``. Reported on the
constructor, on ``with_options(...)``, and in ``**`` dicts passed to them; not on
Azure clients (LB106 replaces those whole).

Fix (safe): a keyword option is removed from the call (``with_options`` too: the
option has no meaning for a derived client either). A module setting's statement
is deleted, whole lines, when it stands alone on its line(s); when it is the last
statement left in its block it becomes ``pass``. No fix for an option in a ``**``
dict (the dict may serve other calls), for a statement sharing its line with
another (``a = 1; openai.organization = "x"``) or with several targets, and for a
value whose evaluation may do something (a call other than an environment read, a
``:=``): removing it would remove that too. A removed value that looks like a
secret (``admin_api_key="sk-admin-..."``, any ``webhook_secret``) is masked in
diffs.

Fix safety: safe. The option has no meaning on LLMBase, so removing it changes
no request LLMBase answers; values whose evaluation could do something are never
removed (no fix), so no side effect disappears with the option.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence

import libcst as cst

from llmbase_migrate.analysis.facts import (
    Field,
    FieldOrigin,
    ModuleAssignment,
    ModuleFacts,
    ValueKind,
)
from llmbase_migrate.analysis.recording import dotted_name
from llmbase_migrate.analysis.source_map import SourceMap, StatementPlace
from llmbase_migrate.analysis.visitor import Visitor
from llmbase_migrate.fixes.bindings import secrets_in
from llmbase_migrate.fixes.edits import remove_fields
from llmbase_migrate.rules._client_draft import Verdict
from llmbase_migrate.rules._client_plan import module_plans
from llmbase_migrate.rules.base import (
    Applicability,
    Fix,
    Invalid,
    Report,
    RuleContext,
    RuleSpec,
    Severity,
    Valid,
)

RULE = RuleSpec(
    code="LB105",
    name="openai-only-option",
    summary="a client option that only OpenAI's platform uses",
    severity=Severity.WARNING,
    fix=Applicability.SAFE,
)

OPENAI_ONLY_OPTIONS = frozenset(
    {
        "organization",
        "project",
        "webhook_secret",
        "admin_api_key",
        "workload_identity",
        "data_residency",
        "websocket_base_url",
        "provider",
    }
)
OPENAI_ONLY_MODULE_SETTINGS = frozenset({"organization", "project"})
# Options whose literal value is a credential whatever it looks like.
_SECRET_OPTIONS = frozenset({"webhook_secret", "admin_api_key"})
# Calls whose evaluation does nothing but read the environment.
_PURE_CALLS = frozenset({"os.getenv", "os.environ.get", "getenv", "environ.get"})


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    source = facts.source
    plans = module_plans(facts, ctx)
    for setup in facts.clients:
        plan = plans.of(setup)
        # A client that stays where it is (OpenAI for embeddings, a local server, a
        # client kept beside a new LLMBase one) keeps its options.
        if plan is None or plan.verdict not in (Verdict.READY, Verdict.MOVE, Verdict.UNKNOWN):
            continue
        for option in setup.arguments.fields:
            if option.name in OPENAI_ONLY_OPTIONS:
                fix = None
                if source is not None and option.origin is FieldOrigin.KEYWORD:
                    fix = _remove_option(source, setup.node, option)
                yield Report(
                    option.span,
                    f"{option.name}= is an OpenAI-platform option with no meaning on LLMBase; "
                    "remove it",
                    fix,
                )
    settings = [
        assignment
        for assignment in facts.module_assignments
        if assignment.attribute in OPENAI_ONLY_MODULE_SETTINGS
        and not facts.module_client_endpoint_only
    ]
    for assignment in settings:
        yield Report(
            assignment.span,
            f"openai.{assignment.attribute} is an OpenAI-platform setting with no meaning "
            "on LLMBase; remove it",
            _remove_setting(source, assignment, settings) if source is not None else None,
        )


def _remove_option(source: SourceMap, call: cst.Call, option: Field) -> Fix | None:
    if not _inert(option.value_node):
        return None
    edit = remove_fields(source, call, [option])
    if edit is None:
        return None
    secrets = secrets_in(option.value_node)
    if option.name in _SECRET_OPTIONS and option.value.kind is ValueKind.STRING:
        secrets += (option.value.text or "",)
    return Fix(
        Applicability.SAFE,
        f"remove {option.name}",
        (edit,),
        secrets=tuple(secret for secret in dict.fromkeys(secrets) if secret),
    )


def _remove_setting(
    source: SourceMap, assignment: ModuleAssignment, settings: Sequence[ModuleAssignment]
) -> Fix | None:
    """Delete the statement's lines, or turn it into ``pass`` when every statement of
    its block goes and it comes first (so the block never ends up empty, whichever
    of its fixes are applied)."""
    place = _removable(source, assignment)
    if place is None:
        return None
    block = _block_of(source, place.line)
    if block is None:
        return None
    removable = set()
    for other in settings:
        other_place = _removable(source, other)
        if other_place is not None:
            removable.add(id(other_place.line))
    message = f"remove openai.{assignment.attribute}"
    if all(id(statement) in removable for statement in block) and block[0] is place.line:
        return Fix(Applicability.SAFE, message, (source.replace_text(assignment.node, "pass"),))
    span = source.span(place.line)
    return Fix(Applicability.SAFE, message, (source.delete_lines(span.line, span.end_line),))


def _removable(source: SourceMap, assignment: ModuleAssignment) -> StatementPlace | None:
    """Where the statement is, if it can go: alone on its line(s), one target, inert."""
    place = source.statement_of(assignment.node)
    if (
        place is not None
        and len(place.line.body) == 1
        and len(assignment.node.targets) == 1
        and _inert(assignment.value_node)
    ):
        return place
    return None


_BLOCKS: weakref.WeakKeyDictionary[SourceMap, dict[int, Sequence[cst.BaseStatement]]] = (
    weakref.WeakKeyDictionary()
)


def _block_of(
    source: SourceMap, statement: cst.SimpleStatementLine
) -> Sequence[cst.BaseStatement] | None:
    """The statements of the block (module or indented) holding ``statement``."""
    blocks = _BLOCKS.get(source)
    if blocks is None:
        collector = _BlockCollector()
        source.module.visit(collector)
        blocks = collector.blocks
        _BLOCKS[source] = blocks
    return blocks.get(id(statement))


class _BlockCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[int, Sequence[cst.BaseStatement]] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._record(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._record(node.body)

    def _record(self, body: Sequence[cst.BaseStatement]) -> None:
        for statement in body:
            self.blocks[id(statement)] = body


def _inert(node: cst.CSTNode) -> bool:
    """Whether evaluating ``node`` can do nothing but compute a value (or fail)."""
    finder = _EffectFinder()
    node.visit(finder)
    return not finder.found


class _EffectFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        if dotted_name(node.func) not in _PURE_CALLS:
            self.found = True

    def visit_Await(self, node: cst.Await) -> None:
        self.found = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.found = True

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.found = True


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"], timeout=30)
        """,
    ),
    Valid(
        """
        from myapp.search import Engine
        engine = Engine(provider="bing", organization="acme")
        """,
        title="same keywords on an unrelated call",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
            organization="org-123",
        )
        """,
        line=6,
        message="organization=",
        fixed="""
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        """,
    ),
    Invalid(
        """
        import openai
        openai.organization = "org-123"
        """,
        title="module setting",
        line=2,
        fixed="""
        import openai
        """,
    ),
    Invalid(
        """
        import os
        import openai
        # account settings
        openai.organization = os.getenv("OPENAI_ORG_ID")  # from the dashboard
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        if os.getenv("OPENAI_PROJECT"):
            openai.project = os.environ["OPENAI_PROJECT"]
        client = openai.OpenAI(project="proj_abc", timeout=20)
        billed = client.with_options(organization="org-1")
        """,
        title="statements go, whole lines; the last of a block becomes pass",
        line=4,
        count=4,
        fixed="""
        import os
        import openai
        # account settings
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        if os.getenv("OPENAI_PROJECT"):
            pass
        client = openai.OpenAI(timeout=20)
        billed = client.with_options()
        """,
    ),
    Invalid(
        """
        import openai
        openai.organization = "org-1"; openai.api_key = "EMPTY"
        openai.project = load_project()
        """,
        title="a statement sharing its line, a value with a call: no fix",
        line=2,
        count=2,
    ),
)
