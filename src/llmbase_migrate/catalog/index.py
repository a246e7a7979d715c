"""What rules know of the catalog: a small frozen index, cheap to pickle to workers.

Capabilities are tri-state: ``features``, ``parameters`` and ``input_modalities``
are None when the catalog entry does not list them (unknown), which is not the
same as an empty set (known to support nothing).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    context_length: int | None = None
    # USD per one million tokens; None when the catalog does not say
    prompt_price: float | None = None
    completion_price: float | None = None
    cache_read_price: float | None = None
    # ``supported_features`` (tools, json_mode, structured_outputs, reasoning, logprobs)
    features: frozenset[str] | None = None
    # ``supported_parameters`` (request fields the model accepts)
    parameters: frozenset[str] | None = None
    # ``architecture.input_modalities`` (text, image, ...)
    input_modalities: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class CatalogIndex:
    """The models of one catalog, by ID, and where the catalog came from.

    ``source`` is "live", "cache", "snapshot" or "file"; ``fetched_at`` an ISO 8601
    timestamp (the snapshot's date for the bundled snapshot), or None.
    ``renames`` maps documented former IDs to current ones.
    """

    models: Mapping[str, ModelInfo]
    source: str
    fetched_at: str | None = None
    renames: Mapping[str, str] = field(default_factory=dict)

    def get(self, model_id: str) -> ModelInfo | None:
        return self.models.get(model_id)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self.models

    def closest(self, model_id: str, count: int = 3) -> list[str]:
        """IDs that look like ``model_id`` (``gpt-4o`` -> ``openai/gpt-oss-120b``...)."""
        ids = list(self.models)
        by_name = {candidate.rsplit("/", 1)[-1]: candidate for candidate in ids}
        wanted = model_id.rsplit("/", 1)[-1]
        matches = difflib.get_close_matches(model_id, ids, n=count, cutoff=0.5)
        for name in difflib.get_close_matches(wanted, list(by_name), n=count, cutoff=0.5):
            if by_name[name] not in matches:
                matches.append(by_name[name])
        return matches[:count]

    def advertising(self, feature: str, *, count: int = 3) -> list[ModelInfo]:
        """Models whose ``supported_features`` list ``feature``, cheapest prompt first."""
        found = [
            info
            for info in self.models.values()
            if info.features is not None and feature in info.features
        ]
        found.sort(key=lambda info: (info.prompt_price is None, info.prompt_price or 0.0, info.id))
        return found[:count]

    def with_modality(self, modality: str, *, count: int = 3) -> list[ModelInfo]:
        """Models that take ``modality`` as input, cheapest prompt first."""
        found = [
            info
            for info in self.models.values()
            if info.input_modalities is not None and modality in info.input_modalities
        ]
        found.sort(key=lambda info: (info.prompt_price is None, info.prompt_price or 0.0, info.id))
        return found[:count]

    @property
    def capabilities_known(self) -> bool:
        """Whether any model lists its features (the bundled snapshot lists none)."""
        return any(info.features is not None for info in self.models.values())
