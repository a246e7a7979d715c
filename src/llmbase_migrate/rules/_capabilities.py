"""What a chat call sends that the catalog can judge: its model ID and the
capabilities its request needs (LB205, LB301-LB303).

Everything here reads the facts the analyzer gives (``ChatCall.arguments.fields``:
keywords, ``extra_body`` entries and ``**`` dict entries alike, and
``ChatCall.method``) plus the literal nodes those fields hold. Nothing follows a
name: a ``response_format``, ``chat_template_kwargs`` or ``messages`` held in a
variable is judged only when the analyzer already resolved it into fields (an
``extra_body`` or ``**`` dict bound to a name is). In particular image parts are
found only in the literal structure written as ``messages`` (lists, dicts,
comprehensions, ``dict(...)`` calls reachable from that expression); messages built
elsewhere (``messages = [...]`` then ``messages=messages``, ``messages.append``,
helper functions, files) are not seen, and such calls are not reported.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ChatCall,
    Field,
    FieldOrigin,
    SourceLocation,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.visitor import Visitor
from llmbase_migrate.catalog.index import CatalogIndex, ModelInfo
from llmbase_migrate.fixes.edits import is_mapping, literal_key, mapping_entry

# Template flags LLMBase forwards from ``chat_template_kwargs`` (reasoning models).
THINKING_FLAGS = frozenset({"enable_thinking", "thinking", "preserve_thinking"})

# Request fields whose support LB302 judges from ``supported_features``, and from
# ``supported_parameters``; LB205 leaves them to LB302 where it can judge them.
FEATURE_FIELDS = frozenset({"tools", "tool_choice", "response_format", "logprobs", "top_logprobs"})
PARAMETER_FIELDS = frozenset({"reasoning_effort"})

# Content part types -> the input modality a model must list to take them.
_PART_MODALITIES = {"image_url": "image", "file": "file"}

# Values that mean "not sent": the SDK drops NOT_GIVEN/omit, and None is skipped
# by the checks below because asking for nothing needs no capability.
_NOT_SENT = frozenset({"None", "NOT_GIVEN", "NotGiven", "omit", "Omit"})


@dataclass(frozen=True, slots=True)
class SentModel:
    """The model ID a call sends, when it is statically known.

    ``condition`` says when (``"when $LLM_MODEL is unset, "`` for an environment
    read's default, ``""`` for a literal); ``fallback`` is the literal of a
    ``cfg.model or "x"`` written at the call.
    """

    field: Field
    model: str
    condition: str = ""
    fallback: cst.CSTNode | None = None
    # written in another module of the project: where
    location: SourceLocation | None = None
    # the value the ID comes from (one of several when the call may send several)
    value: Value | None = None
    # the literal the ID is written in, when it is in this module
    literal: cst.CSTNode | None = None


def sent_model(call: ChatCall) -> SentModel | None:
    """The model ID ``call`` sends: a literal, a constant, a literal parameter default,
    the literal default of an environment read or of ``x or "default"``, written in
    this module or another of the project; the first when it may send several."""
    found = sent_models(call)
    return found[0] if found else None


def sent_models(call: ChatCall) -> list[SentModel]:
    """Every model ID ``call`` may send (``"a" if fast else "b"`` sends either)."""
    field = call.arguments.named("model")
    if field is None:
        return []
    found = []
    for value in field.value.leaves():
        sent = _sent(field, value)
        if sent is not None:
            found.append(sent)
    return found


def _sent(field: Field, value: Value) -> SentModel | None:
    if value.kind is ValueKind.STRING and value.text is not None:
        return SentModel(
            field, value.text, location=value.location, value=value, literal=value.written
        )
    # ``model or DEFAULT_MODEL`` with ``DEFAULT_MODEL = os.getenv("M") or "gpt-4o"``:
    # the literal at the end of a chain of fallbacks, sent when each link is empty
    conditions: list[str] = []
    link = value
    for _ in range(8):
        default = link.default
        if default is None or link.kind not in (ValueKind.ENV, ValueKind.UNKNOWN):
            return None
        if link.kind is ValueKind.ENV:
            variable = f"${link.env_var}" if link.env_var else "the variable"
            conditions.append(f"{variable} is unset")
        else:
            conditions.append(f"{link.identifier or 'the value'} is empty")
        if default.kind is ValueKind.STRING and default.text is not None:
            break
        link = default
    else:
        return None
    location = default.location or link.location or value.location
    # only the fallback of ``x or "literal"`` is rewritten where it is written
    fallback = default.origin if link.kind is ValueKind.UNKNOWN and link is value else None
    return SentModel(
        field,
        default.text,
        f"when {' and '.join(conditions)}, ",
        fallback,
        location=location,
        value=value,
        literal=default.written,
    )


class NeedKind(enum.Enum):
    """Which list of a catalog entry says whether a model has a capability."""

    FEATURE = "supported_features"
    PARAMETER = "supported_parameters"
    MODALITY = "input_modalities"


@dataclass(frozen=True, slots=True)
class Need:
    """One capability a call needs; ``usage`` says what in the call needs it."""

    kind: NeedKind
    name: str
    usage: str

    def supported_by(self, info: ModelInfo) -> bool | None:
        """Whether ``info`` has it; None when its catalog entry does not say."""
        known = {
            NeedKind.FEATURE: info.features,
            NeedKind.PARAMETER: info.parameters,
            NeedKind.MODALITY: info.input_modalities,
        }[self.kind]
        return None if known is None else self.name in known


def needs(call: ChatCall) -> list[Need]:
    """The capabilities ``call`` needs, one per capability, in the order first used."""
    found: dict[tuple[NeedKind, str], Need] = {}
    for need in _needs(call):
        found.setdefault((need.kind, need.name), need)
    return list(found.values())


def _needs(call: ChatCall) -> Iterator[Need]:
    for field in call.arguments.fields:
        name = field.name
        if _not_sent(field.value_node):
            continue
        if name in ("tools", "tool_choice"):
            if name == "tools" and _empty_sequence(field.value_node):
                continue
            yield Need(NeedKind.FEATURE, "tools", _spelled(field))
        elif name == "response_format":
            need = _response_format_need(call, field)
            if need is not None:
                yield need
        elif name in ("logprobs", "top_logprobs"):
            if name == "logprobs" and _is_false(field.value_node):
                continue
            yield Need(NeedKind.FEATURE, "logprobs", _spelled(field))
        elif name == "reasoning_effort":
            yield Need(NeedKind.PARAMETER, "reasoning_effort", _spelled(field))
        elif name == "chat_template_kwargs":
            flag = _thinking_flag(field.value_node)
            if flag is not None:
                yield Need(NeedKind.FEATURE, "reasoning", f"{_spelled(field)} {flag}")
        elif name in THINKING_FLAGS:
            # Written bare (LB204 moves them into chat_template_kwargs): the intent
            # is the same, a thinking trace the model must be able to produce.
            if not _is_false(field.value_node):
                yield Need(NeedKind.FEATURE, "reasoning", _spelled(field))
        elif name == "messages":
            for part_type in _content_part_types(field.value_node):
                yield Need(
                    NeedKind.MODALITY,
                    _PART_MODALITIES[part_type],
                    f'"{part_type}" parts in messages',
                )


def _response_format_need(call: ChatCall, field: Field) -> Need | None:
    """json_object -> json_mode; json_schema, or a class given to ``.parse()`` or
    ``.stream()`` -> structured_outputs; anything not written in place -> unknown."""
    node = field.value_node
    if is_mapping(node):
        assert isinstance(node, (cst.Dict, cst.Call))
        entry = mapping_entry(node, "type")
        kind = literal_key(entry[1]) if entry is not None else None
        if kind == "json_object":
            return Need(NeedKind.FEATURE, "json_mode", f"{_spelled(field)} json_object")
        if kind == "json_schema":
            return Need(NeedKind.FEATURE, "structured_outputs", f"{_spelled(field)} json_schema")
        return None
    if call.method in ("parse", "stream") and isinstance(node, (cst.Name, cst.Attribute)):
        # The SDK turns a pydantic model into a json_schema response format.
        return Need(
            NeedKind.FEATURE, "structured_outputs", f".{call.method}(response_format={_code(node)})"
        )
    return None


def _thinking_flag(node: cst.BaseExpression) -> str | None:
    """The first thinking flag a ``chat_template_kwargs`` mapping written in place
    turns on (any value but a literal ``False``/``None``)."""
    if not is_mapping(node):
        return None
    assert isinstance(node, (cst.Dict, cst.Call))
    for flag in sorted(THINKING_FLAGS):
        entry = mapping_entry(node, flag)
        if entry is not None and not _is_false(entry[1]) and not _not_sent(entry[1]):
            return flag
    return None


def _content_part_types(node: cst.BaseExpression) -> list[str]:
    """Content part types needing a modality, found in the literal structure of
    ``node``, in the order written."""
    finder = _PartFinder()
    node.visit(finder)
    return finder.types


class _PartFinder(Visitor):
    def __init__(self) -> None:
        self.types: list[str] = []

    def visit_Dict(self, node: cst.Dict) -> None:
        self._record(node)

    def visit_Call(self, node: cst.Call) -> None:
        if is_mapping(node):
            self._record(node)

    def _record(self, mapping: cst.Dict | cst.Call) -> None:
        entry = mapping_entry(mapping, "type")
        part_type = literal_key(entry[1]) if entry is not None else None
        if part_type in _PART_MODALITIES and part_type not in self.types:
            self.types.append(part_type)


def _not_sent(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in _NOT_SENT
    return isinstance(node, cst.Attribute) and node.attr.value in _NOT_SENT


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("False", "None")


def _empty_sequence(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.List, cst.Tuple)) and not node.elements


def _spelled(field: Field) -> str:
    """How the field was written, for messages: ``tools``, ``extra_body["x"]``..."""
    if field.origin is FieldOrigin.EXTRA_BODY:
        return f'extra_body["{field.name}"]'
    if field.origin is FieldOrigin.SPLAT:
        return f'"{field.name}" in a ** dict'
    return field.name


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def models_supporting(
    catalog: CatalogIndex,
    wanted: Sequence[Need],
    *,
    exclude: Iterable[str] = (),
    count: int = 3,
) -> list[ModelInfo]:
    """Models known to have every capability in ``wanted``, cheapest prompt first
    (the order ``CatalogIndex.advertising`` uses; unpriced models last)."""
    skipped = set(exclude)
    found = [
        info
        for info in catalog.models.values()
        if info.id not in skipped and all(need.supported_by(info) is True for need in wanted)
    ]
    found.sort(key=lambda info: (info.prompt_price is None, info.prompt_price or 0.0, info.id))
    return found[:count]
