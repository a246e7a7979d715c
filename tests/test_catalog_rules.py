"""The catalog rules (LB205's catalog part, LB301-LB303) in the situations their
examples cannot show: no catalog, a catalog without capability metadata, model-map
entries the catalog contradicts, renames; and what ``_capabilities`` reads from a
call. Everything runs against ``tests/data/catalog.json`` or catalogs built here,
never the network."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path

import libcst as cst
import pytest

from catalog_fixture import load_catalog, model_info
from llmbase_migrate.analysis.collector import collect_facts
from llmbase_migrate.catalog.index import CatalogIndex, ModelInfo
from llmbase_migrate.engine.fixer import fix_bytes
from llmbase_migrate.engine.outcome import Clean, Finding, Fixed, HasFindings
from llmbase_migrate.engine.runner import analyze_bytes
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules._capabilities import NeedKind, needs, sent_model
from llmbase_migrate.rules.base import RuleContext

CATALOG = load_catalog()
CONTEXT = RuleContext(
    base_url="https://api.llmbase.ai/v1",
    api_key_env="LLMBASE_API_KEY",
    model_map={"gpt-4o-mini": "deepseek/deepseek-v4-flash"},
    catalog=CATALOG,
)
NO_CATALOG = dataclasses.replace(CONTEXT, catalog=None)


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _findings(source: str, codes: Sequence[str], context: RuleContext) -> list[Finding]:
    rules = [rules_by_code()[code] for code in codes]
    outcome = analyze_bytes("app.py", _code(source).encode(), rules, context).outcome
    if isinstance(outcome, Clean):
        return []
    assert isinstance(outcome, HasFindings), outcome
    return list(outcome.findings)


def _fixed(source: str, codes: Sequence[str], context: RuleContext) -> str:
    rules = [rules_by_code()[code] for code in codes]
    outcome = fix_bytes("app.py", _code(source).encode(), rules, context, unsafe=True)
    assert isinstance(outcome, Fixed), outcome
    return outcome.new_source.decode()


def _snapshot_like(catalog: CatalogIndex) -> CatalogIndex:
    """The same IDs and prices with capabilities unknown, as the bundled snapshot has."""
    models = {
        model_id: ModelInfo(model_id, info.context_length, info.prompt_price)
        for model_id, info in catalog.models.items()
    }
    return dataclasses.replace(catalog, models=models, source="snapshot")


def _call(model: str, extra: str = "") -> str:
    return f"""
        from openai import OpenAI
        OpenAI().chat.completions.create(model="{model}", messages=[]{extra})
        """


# -- the fixture itself


def test_the_fixture_catalog_converts_prices_and_keeps_unknown_apart_from_none() -> None:
    flash = CATALOG.get("deepseek/deepseek-v4-flash")
    assert flash is not None
    assert (flash.prompt_price, flash.completion_price, flash.cache_read_price) == (0.2, 0.3, 0.05)
    ocr = CATALOG.get("paddlepaddle/paddleocr-vl-0.9b")
    assert ocr is not None and ocr.prompt_price == 0.2  # written as a number, not a string
    assert ocr.features == frozenset() and ocr.input_modalities == frozenset(
        {"text", "image", "file"}
    )
    glm = CATALOG.get("z-ai/glm-5")
    assert glm is not None and glm.features is None and glm.parameters is None
    assert CATALOG.capabilities_known and not _snapshot_like(CATALOG).capabilities_known


def test_top_level_input_modalities_are_read_too(tmp_path: Path) -> None:
    entry = {"id": "a/b", "input_modalities": ["text", "image"], "pricing": {}}
    assert model_info(entry).input_modalities == frozenset({"text", "image"})
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"object": "list", "data": [entry]}))
    assert load_catalog(path).get("a/b") == model_info(entry)


# -- without a catalog


def test_without_a_catalog_lb301_reports_only_model_map_and_renames() -> None:
    source = """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(model="no-such/model", messages=[])
        client.chat.completions.create(model="gpt-4o-mini", messages=[])
        client.chat.completions.create(model="zai-org/glm-4.6", messages=[])
        """
    lines = [finding.span.line for finding in _findings(source, ["LB301"], NO_CATALOG)]
    assert lines == [4, 5]


def test_without_a_catalog_lb302_is_silent_and_lb303_still_reports() -> None:
    source = """
        import os
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(model="deepseek/deepseek-v3.2", messages=[], tools=[{}])
        client.chat.completions.create(model=os.environ["MODEL"], messages=[])
        """
    assert _findings(source, ["LB302"], NO_CATALOG) == []
    (finding,) = _findings(source, ["LB303"], NO_CATALOG)
    assert finding.span.line == 5 and "$MODEL" in finding.message


def test_without_a_catalog_lb205_keeps_the_static_list_and_its_fix() -> None:
    source = _call("openai/gpt-oss-120b", ", store=True, user='u'")
    (finding,) = _findings(source, ["LB205"], NO_CATALOG)
    assert "OpenAI-platform field" in finding.message and finding.fix is not None


# -- a catalog without capability metadata


def test_unknown_capabilities_are_not_judged() -> None:
    context = dataclasses.replace(CONTEXT, catalog=_snapshot_like(CATALOG))
    source = _call(
        "deepseek/deepseek-v3.2",
        ", tools=[{}], logprobs=True, reasoning_effort='high', response_format={'type': 'json_object'}",
    )
    assert _findings(source, ["LB302"], context) == []


def test_unknown_parameters_fall_back_to_the_static_list() -> None:
    context = dataclasses.replace(CONTEXT, catalog=_snapshot_like(CATALOG))
    source = _call("deepseek/deepseek-v4-flash", ", store=True, user='u'")
    (finding,) = _findings(source, ["LB205"], context)
    assert finding.message.startswith("store= is an OpenAI-platform field")


def test_each_kind_of_capability_is_judged_on_its_own_list() -> None:
    """A model whose features are known but modalities are not: tools are judged,
    image parts are not."""
    info = ModelInfo("a/text", prompt_price=1.0, features=frozenset({"json_mode"}))
    catalog = CatalogIndex({"a/text": info}, source="file")
    context = dataclasses.replace(CONTEXT, catalog=catalog)
    source = _call(
        "a/text",
        ', tools=[{}], reasoning_effort="low",'
        ' extra_body={"messages": [{"content": [{"type": "image_url"}]}]}',
    )
    (finding,) = _findings(source, ["LB302"], context)
    assert '"tools"' in finding.message
    assert "No model in the catalog lists it (file catalog)" in finding.message


# -- LB301 with a catalog


def test_a_model_map_entry_wins_over_the_catalog() -> None:
    context = dataclasses.replace(
        CONTEXT, model_map={"deepseek/deepseek-v3.2": "deepseek/deepseek-v4-flash"}
    )
    source = _call("deepseek/deepseek-v3.2")
    (finding,) = _findings(source, ["LB301"], context)
    assert 'model-map maps it to "deepseek/deepseek-v4-flash"' in finding.message
    assert "does not list" not in finding.message
    assert 'model="deepseek/deepseek-v4-flash"' in _fixed(source, ["LB301"], context)


def test_a_model_map_target_the_catalog_lacks_is_still_written_and_said() -> None:
    context = dataclasses.replace(CONTEXT, model_map={"gpt-4o": "qwen/qwen3-coder"})
    source = _call("gpt-4o")
    (finding,) = _findings(source, ["LB301"], context)
    assert finding.message.endswith(
        'model-map maps it to "qwen/qwen3-coder", which LLMBase\'s catalog does not list either'
    )
    assert 'model="qwen/qwen3-coder"' in _fixed(source, ["LB301"], context)


def test_a_model_mapped_to_itself_is_kept_even_if_the_catalog_lacks_it() -> None:
    context = dataclasses.replace(CONTEXT, model_map={"private/finetune": "private/finetune"})
    assert _findings(_call("private/finetune"), ["LB301"], context) == []


def test_the_catalogs_renames_are_fixed() -> None:
    catalog = dataclasses.replace(
        CATALOG,
        renames={"deepseek/deepseek-v4-lite": "deepseek/deepseek-v4-flash", "x/old": "x/new"},
    )
    context = dataclasses.replace(CONTEXT, catalog=catalog)
    source = _call("deepseek/deepseek-v4-lite")
    (finding,) = _findings(source, ["LB301"], context)
    assert 'former LLMBase ID, now "deepseek/deepseek-v4-flash"' in finding.message
    assert 'model="deepseek/deepseek-v4-flash"' in _fixed(source, ["LB301"], context)
    (stale,) = _findings(_call("x/old"), ["LB301"], context)
    assert stale.message.endswith("which LLMBase's catalog does not list either")


def test_a_prefix_rename_to_an_id_the_catalog_lacks_is_only_reported() -> None:
    (finding,) = _findings(_call("zai-org/glm-4.6"), ["LB301"], CONTEXT)
    assert "catalog does not list it" in finding.message
    assert 'closest: "z-ai/glm-5.1", "z-ai/glm-5"' in finding.message
    assert finding.fix is None


def test_an_id_the_catalog_lists_is_not_renamed_by_prefix() -> None:
    catalog = dataclasses.replace(
        CATALOG, models={**CATALOG.models, "zai-org/glm-4.6": ModelInfo("zai-org/glm-4.6")}
    )
    context = dataclasses.replace(CONTEXT, catalog=catalog)
    assert _findings(_call("zai-org/glm-4.6"), ["LB301"], context) == []


# -- LB302 and LB205 judge what will be sent


def test_lb302_skips_models_the_catalog_lacks() -> None:
    assert _findings(_call("no-such/model", ", tools=[{}]"), ["LB302"], CONTEXT) == []


def test_one_report_per_missing_capability_at_the_model() -> None:
    source = _call(
        "paddlepaddle/paddleocr-vl-0.9b",
        ', tools=[{}], tool_choice="auto", logprobs=True, top_logprobs=3,'
        ' response_format={"type": "json_object"}, reasoning_effort="low"',
    )
    findings = _findings(source, ["LB302"], CONTEXT)
    assert {finding.span.column for finding in findings} == {34}
    named = [finding.message.split('does not list "')[1].split('"')[0] for finding in findings]
    assert named == ["tools", "logprobs", "json_mode", "reasoning_effort"]
    assert all(finding.fix is None for finding in findings)


def test_lb205_uses_the_catalog_list_instead_of_the_static_one() -> None:
    flash = CATALOG.get("deepseek/deepseek-v4-flash")
    assert flash is not None and flash.parameters is not None
    listed = dataclasses.replace(flash, parameters=flash.parameters | {"store", "metadata"})
    catalog = dataclasses.replace(CATALOG, models={**CATALOG.models, flash.id: listed})
    context = dataclasses.replace(CONTEXT, catalog=catalog)
    source = _call("deepseek/deepseek-v4-flash", ", store=True, metadata={}, modalities=['text']")
    (finding,) = _findings(source, ["LB205"], context)
    assert finding.message.startswith("modalities= is not among the supported_parameters")


def test_lb205_judges_the_model_map_target_and_says_when() -> None:
    source = """
        import os
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model=os.getenv("MODEL", "gpt-4o-mini"), messages=[], functions=[], seed=1
        )
        """
    (finding,) = _findings(source, ["LB205"], CONTEXT)
    assert finding.message == (
        "when $MODEL is unset, functions= is not among the supported_parameters LLMBase's "
        'catalog lists for "deepseek/deepseek-v4-flash" (deprecated: use tools); '
        "it may be rejected or ignored"
    )


def test_lb205_leaves_pre_1_0_calls_to_the_static_list() -> None:
    source = """
        import openai
        openai.ChatCompletion.create(
            model="deepseek/deepseek-v4-flash", messages=[], request_timeout=30, user="u"
        )
        """
    assert _findings(source, ["LB205"], CONTEXT) == []


# -- LB303


@pytest.mark.parametrize(
    "model",
    [
        pytest.param('"deepseek/deepseek-v4-flash"', id="a literal"),
        pytest.param('os.getenv("MODEL", "x/y")', id="an environment default"),
        pytest.param('cfg.model or "x/y"', id="a fallback"),
        pytest.param("None", id="None, which the SDK refuses"),
    ],
)
def test_lb303_is_quiet_on_what_can_be_checked(model: str) -> None:
    source = f"""
        import os
        from openai import OpenAI
        OpenAI().chat.completions.create(model={model}, messages=[])
        """
    assert _findings(source, ["LB303"], NO_CATALOG) == []


def test_lb303_is_off_by_default_and_quiet_on_calls_without_model() -> None:
    assert not rules_by_code()["LB303"].spec.default_enabled
    source = """
        from openai import OpenAI
        OpenAI().chat.completions.create(messages=[])
        """
    assert _findings(source, ["LB303"], NO_CATALOG) == []


# -- what _capabilities reads from a call


def _needs_of(source: str) -> list[tuple[NeedKind, str]]:
    facts = collect_facts(cst.parse_module(_code(source)), _code(source))
    (call,) = facts.chat_calls
    return [(need.kind, need.name) for need in needs(call)]


FEATURE, PARAMETER, MODALITY = NeedKind.FEATURE, NeedKind.PARAMETER, NeedKind.MODALITY


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param('tool_choice="required"', [(FEATURE, "tools")], id="tool_choice alone"),
        pytest.param("tools=[]", [], id="an empty tool list"),
        pytest.param("tools=openai.NOT_GIVEN", [], id="NOT_GIVEN"),
        pytest.param("tools=TOOLS", [(FEATURE, "tools")], id="tools in a name"),
        pytest.param('extra_body={"tools": TOOLS}', [(FEATURE, "tools")], id="tools in extra_body"),
        pytest.param(
            'response_format=dict(type="json_object")',
            [(FEATURE, "json_mode")],
            id="dict() json_object",
        ),
        pytest.param("response_format=FORMAT", [], id="a response format in a name"),
        pytest.param('response_format={"type": "text"}', [], id="a text response format"),
        pytest.param("top_logprobs=2", [(FEATURE, "logprobs")], id="top_logprobs alone"),
        pytest.param("logprobs=False", [], id="logprobs off"),
        pytest.param(
            'reasoning_effort="low"', [(PARAMETER, "reasoning_effort")], id="reasoning_effort"
        ),
        pytest.param(
            'chat_template_kwargs={"thinking": flag}',
            [(FEATURE, "reasoning")],
            id="a thinking flag as a keyword",
        ),
        pytest.param(
            'extra_body={"enable_thinking": True}',
            [(FEATURE, "reasoning")],
            id="a bare flag in extra_body",
        ),
        pytest.param(
            'extra_body={"chat_template_kwargs": {"enable_thinking": False}}',
            [],
            id="thinking turned off",
        ),
        pytest.param(
            'extra_body={"chat_template_kwargs": {"add_generation_prompt": True}}',
            [],
            id="another template flag",
        ),
        pytest.param(
            'messages=[{"role": "user", "content": [dict(type="image_url", image_url=u)'
            " for u in urls]}]",
            [(MODALITY, "image")],
            id="image parts from a comprehension",
        ),
        pytest.param(
            'messages=[{"role": "user", "content": [{"type": "file", "file": f}]}]',
            [(MODALITY, "file")],
            id="a file part",
        ),
        pytest.param("messages=history", [], id="messages in a name are not read"),
    ],
)
def test_what_a_call_needs(arguments: str, expected: list[tuple[NeedKind, str]]) -> None:
    source = f"""
        import openai
        openai.OpenAI().chat.completions.create(model="m", {arguments})
        """
    assert _needs_of(source) == expected


def test_a_pydantic_model_given_to_stream_needs_structured_outputs() -> None:
    source = """
        from openai import OpenAI
        OpenAI().beta.chat.completions.stream(model="m", messages=[], response_format=Answer)
        """
    assert _needs_of(source) == [(FEATURE, "structured_outputs")]


def test_a_class_given_to_create_is_not_read_as_structured_outputs() -> None:
    source = """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], response_format=Answer)
        """
    assert _needs_of(source) == []


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        pytest.param('"a/b"', ("a/b", ""), id="a literal"),
        pytest.param('os.getenv("M", "a/b")', ("a/b", "when $M is unset, "), id="an env default"),
        pytest.param('cfg.model or "a/b"', ("a/b", "when model is empty, "), id="a fallback"),
        pytest.param('os.environ["M"]', None, id="an env read"),
    ],
)
def test_the_model_a_call_sends(model: str, expected: tuple[str, str] | None) -> None:
    source = _code(
        f"""
        import os
        import openai
        openai.OpenAI().chat.completions.create(model={model}, messages=[])
        """
    )
    (call,) = collect_facts(cst.parse_module(source), source).chat_calls
    sent = sent_model(call)
    assert (None if sent is None else (sent.model, sent.condition)) == expected


def test_lb205_leaves_capability_fields_to_lb302_where_it_judges_them() -> None:
    source = _call("deepseek/deepseek-v3.2", ', tools=[{}], reasoning_effort="low", user="u"')
    (finding,) = _findings(source, ["LB205"], CONTEXT)
    assert finding.message.startswith("user=")
    lacking = [finding.message.split('"')[3] for finding in _findings(source, ["LB302"], CONTEXT)]
    assert lacking == ["tools", "reasoning_effort"]


def test_lb205_reports_capability_fields_when_lb302_cannot_judge_them() -> None:
    info = ModelInfo("a/b", features=None, parameters=frozenset({"temperature"}))
    context = dataclasses.replace(CONTEXT, catalog=CatalogIndex({"a/b": info}, source="file"))
    source = _call("a/b", ', tools=[{}], reasoning_effort="low"')
    (finding,) = _findings(source, ["LB205"], context)
    assert finding.message.startswith("tools= is not among the supported_parameters")
    (judged,) = _findings(source, ["LB302"], context)  # from the same parameter list
    assert '"reasoning_effort" in its supported_parameters' in judged.message
