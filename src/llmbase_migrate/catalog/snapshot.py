"""The bundled catalog snapshot: LLMBase's documented model table (contract 5.1).

It is the last resort when neither a cache nor the live catalog is at hand. It knows
the 18 documented IDs with their prices and context lengths but no capabilities (the
docs list none per model), and it carries the documented renames, which apply to every
catalog source. ``data/snapshot.json`` has the shape of a ``/v1/models?metadata=true``
answer (prices in USD per token) so that one parser reads both.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from llmbase_migrate.catalog.models import ParsedModels, parse_models_response

__all__ = ["Snapshot", "documented_renames", "load_snapshot"]


@dataclass(frozen=True)
class Snapshot:
    snapshot_date: str  # ISO 8601 date the table was copied from the docs
    payload: Mapping[str, Any]  # the whole file, shaped like a /v1/models answer
    parsed: ParsedModels
    renames: Mapping[str, str]


@functools.lru_cache(maxsize=1)
def load_snapshot() -> Snapshot:
    """The snapshot shipped in the package; read once per process."""
    # Traversable.joinpath takes one part at a time before Python 3.11.
    data = resources.files("llmbase_migrate.catalog") / "data" / "snapshot.json"
    text = data.read_text("utf-8")
    payload = json.loads(text)
    renames = payload.get("renames") or {}
    return Snapshot(
        snapshot_date=str(payload["snapshot_date"]),
        payload=payload,
        parsed=parse_models_response(payload),
        renames=dict(renames),
    )


def documented_renames() -> Mapping[str, str]:
    """Former model IDs the docs show, mapped to the current ones (``zai-org/glm-5``...)."""
    return load_snapshot().renames
