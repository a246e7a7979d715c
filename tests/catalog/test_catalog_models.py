"""Reading model metadata the docs only half describe, and the bundled snapshot."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from catalog_server import GOOD_METADATA
from llmbase_migrate.catalog.models import ModelEntry, parse_models_response, per_million, to_index
from llmbase_migrate.catalog.snapshot import documented_renames, load_snapshot

# Contract section 5.1: id -> (USD per 1M input, output, context length).
DOCUMENTED_MODELS = {
    "deepseek/deepseek-v3.2": (0.30, 0.50, 163_840),
    "deepseek/deepseek-v4-flash": (0.20, 0.30, 1_048_576),
    "deepseek/deepseek-v4-pro": (1.80, 3.60, 1_048_576),
    "google/gemma-4-26b-a4b-it": (0.13, 0.40, 262_144),
    "minimax/minimax-m2.5": (0.30, 1.20, 196_608),
    "moonshotai/kimi-k2.5": (0.60, 2.80, 262_144),
    "moonshotai/kimi-k2.6": (0.90, 4.00, 262_144),
    "nvidia/nemotron-3-nano-omni-30b-a3b-reasoning": (0.30, 1.00, 262_144),
    "openai/gpt-oss-120b": (0.09, 0.36, 131_072),
    "paddlepaddle/paddleocr-vl-0.9b": (0.20, 1.00, 32_768),
    "qwen/qwen3-coder": (0.40, 1.60, 262_144),
    "qwen/qwen3.5-122b-a10b": (0.40, 3.00, 262_144),
    "qwen/qwen3.5-35b-a3b": (0.30, 2.50, 262_144),
    "qwen/qwen3.5-397b-a17b": (0.60, 3.60, 262_144),
    "qwen/qwen3.5-9b": (0.80, 1.25, 256_000),
    "qwen/qwen3.6-35b-a3b": (0.25, 1.20, 262_144),
    "z-ai/glm-5": (1.00, 3.20, 80_000),
    "z-ai/glm-5.1": (1.40, 4.40, 198_000),
}


def entry(**fields: Any) -> ModelEntry:
    return ModelEntry.model_validate({"id": "acme/model", **fields})


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("0.0000002", 0.2),
        (0.0000002, 0.2),
        ("2e-7", 0.2),
        (0, 0.0),
        ("-1", None),  # OpenRouter's "varies"
        ("", None),
        ("free", None),
        (True, None),
        ("NaN", None),
        ([1], None),
    ],
)
def test_prices_are_per_token_strings_or_numbers(price: object, expected: float | None) -> None:
    info = to_index([entry(pricing={"prompt": price})], "live", None, {}).models["acme/model"]
    assert info.prompt_price == expected


def test_prices_convert_exactly_to_usd_per_million() -> None:
    parsed = entry(pricing={"prompt": "0.00000009", "completion": "0.00000036"}).pricing
    assert parsed is not None
    assert (per_million(parsed.prompt), per_million(parsed.completion)) == (0.09, 0.36)


def test_absent_capabilities_are_unknown_and_listed_ones_known() -> None:
    index = to_index(
        [
            ModelEntry.model_validate({"id": "a/unknown"}),
            ModelEntry.model_validate(
                {
                    "id": "a/none",
                    "supported_features": [],
                    "supported_parameters": [],
                    "architecture": {"input_modalities": []},
                }
            ),
            ModelEntry.model_validate(
                {
                    "id": "a/some",
                    "supported_features": ["tools", "json_mode"],
                    "supported_parameters": ["reasoning_effort"],
                    "architecture": {"input_modalities": ["text", "image"]},
                }
            ),
            ModelEntry.model_validate({"id": "a/top-level", "input_modalities": ["text", "file"]}),
            ModelEntry.model_validate({"id": "a/null", "supported_features": None}),
        ],
        "live",
        None,
        {},
    )
    unknown, none, some, top_level, null = index.models.values()
    assert (unknown.features, unknown.parameters, unknown.input_modalities) == (None, None, None)
    assert (none.features, none.parameters, none.input_modalities) == (
        frozenset(),
        frozenset(),
        frozenset(),
    )
    assert some.features == frozenset({"tools", "json_mode"})
    assert some.parameters == frozenset({"reasoning_effort"})
    assert some.input_modalities == frozenset({"text", "image"})
    assert top_level.input_modalities == frozenset({"text", "file"})
    assert null.features is None


def test_unexpected_types_read_as_absent_and_unknown_fields_are_kept() -> None:
    odd = entry(
        context_length="a lot",
        supported_features=[1, 2],
        architecture="transformer",
        created="yesterday",
        future_field=[1, 2, 3],
    )
    assert odd.context_length is None
    assert odd.supported_features is None
    assert odd.architecture is None
    assert odd.model_extra == {"future_field": [1, 2, 3]}
    assert entry(context_length="163840").context_length == 163_840


def test_entries_without_an_id_are_skipped_and_counted() -> None:
    parsed = parse_models_response(
        [{"id": "a/b"}, {"id": ""}, {"id": 3}, {"name": "no id"}, "a/c", None]
    )
    assert [item.id for item in parsed.entries] == ["a/b"]
    assert parsed.skipped == 5
    assert len(parsed.raw) == 4  # the objects, as served


@pytest.mark.parametrize("payload", [{"object": "list"}, {"data": "x"}, "text", 3, None])
def test_not_a_model_list(payload: object) -> None:
    with pytest.raises(ValueError):
        parse_models_response(payload)


def test_to_index_keeps_the_first_of_repeated_ids_and_the_metadata() -> None:
    index = to_index(
        [entry(context_length=1), entry(context_length=2)],
        "file",
        "2026-01-01",
        {"old/x": "new/x"},
    )
    assert index.models["acme/model"].context_length == 1
    assert (index.source, index.fetched_at, dict(index.renames)) == (
        "file",
        "2026-01-01",
        {"old/x": "new/x"},
    )


def test_standin_metadata_round_trips() -> None:
    parsed = parse_models_response(GOOD_METADATA)
    index = to_index(parsed.entries, "live", None, {})
    flash = index.models["deepseek/deepseek-v4-flash"]
    assert (flash.prompt_price, flash.completion_price, flash.cache_read_price) == (0.2, 0.3, 0.02)
    assert flash.features is not None and "tools" in flash.features
    assert index.capabilities_known


# -- the bundled snapshot ------------------------------------------------------------------


def test_snapshot_holds_the_documented_table() -> None:
    snapshot = load_snapshot()
    index = to_index(snapshot.parsed.entries, "snapshot", snapshot.snapshot_date, {})
    assert snapshot.snapshot_date == "2026-11-25"
    assert {
        model_id: (info.prompt_price, info.completion_price, info.context_length)
        for model_id, info in index.models.items()
    } == DOCUMENTED_MODELS
    assert not index.capabilities_known
    for info in index.models.values():
        assert (info.features, info.parameters, info.input_modalities) == (None, None, None)
        assert info.cache_read_price is None


def test_snapshot_carries_exactly_the_documented_rename() -> None:
    assert dict(documented_renames()) == {"zai-org/glm-5": "z-ai/glm-5"}


def test_snapshot_is_package_data() -> None:
    data = resources.files("llmbase_migrate.catalog") / "data" / "snapshot.json"
    assert len(json.loads(data.read_text("utf-8"))["data"]) == 18


def test_prices_already_per_million_are_kept() -> None:
    """The docs leave the unit open: "0.2" can only mean USD per 1M tokens."""
    from decimal import Decimal

    from llmbase_migrate.catalog.models import per_million

    assert per_million(Decimal("0.0000002")) == 0.2
    assert per_million(Decimal("0.2")) == 0.2
    assert per_million(Decimal("0")) == 0.0
