"""The small catalog rule tests run against (``tests/data/catalog.json``), read
without the network and without the catalog package's pydantic models, so rule
tests do not depend on how the client parses a live response.

The file has the shape of ``GET /v1/models?metadata=true``; prices there are USD
per token (strings or numbers), ``ModelInfo`` wants USD per million tokens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmbase_migrate.catalog.index import CatalogIndex, ModelInfo

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "catalog.json"

# The documented rename (contract 5.2); the live list does not carry renames.
RENAMES: Mapping[str, str] = {"zai-org/glm-5": "z-ai/glm-5"}


def load_catalog(
    path: Path = CATALOG_PATH, *, renames: Mapping[str, str] = RENAMES
) -> CatalogIndex:
    document = json.loads(path.read_text(encoding="utf-8"))
    models = {entry["id"]: model_info(entry) for entry in document["data"]}
    return CatalogIndex(
        models=models, source="file", fetched_at="2026-11-25T00:00:00Z", renames=dict(renames)
    )


def model_info(entry: Mapping[str, Any]) -> ModelInfo:
    pricing = entry.get("pricing") or {}
    architecture = entry.get("architecture") or {}
    modalities = entry.get("input_modalities", architecture.get("input_modalities"))
    return ModelInfo(
        id=entry["id"],
        context_length=entry.get("context_length"),
        prompt_price=_per_million(pricing.get("prompt")),
        completion_price=_per_million(pricing.get("completion")),
        cache_read_price=_per_million(pricing.get("input_cache_read")),
        features=_names(entry.get("supported_features")),
        parameters=_names(entry.get("supported_parameters")),
        input_modalities=_names(modalities),
    )


def _per_million(price: str | float | None) -> float | None:
    # Decimal keeps "0.0000002" * 1e6 at 0.2 rather than 0.19999999999999998.
    return None if price is None else float(Decimal(str(price)) * 1_000_000)


def _names(values: list[str] | None) -> frozenset[str] | None:
    # Absent means unknown (None), which is not the same as an empty list.
    return None if values is None else frozenset(values)
