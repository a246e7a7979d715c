"""pydantic models of a ``GET /v1/models?metadata=true`` answer, and its conversion to an index.

The docs leave most of the entry schema open (contract 2.2 and 8.1), so the models bend
rather than break:

- unknown fields are kept (``extra="allow"``) and every field but ``id`` is optional;
- a field whose value has an unexpected type is read as absent, not as an error, so one
  odd entry cannot take the whole catalog down;
- prices are strings or numbers in USD per token (as the stand-in and OpenRouter spell
  them); anything that is not a non-negative number is an unknown price;
- ``supported_features``, ``supported_parameters`` and ``input_modalities`` stay None
  when absent (unknown) and become a set only when listed, even an empty one.
- input modalities are read from ``architecture.input_modalities`` and, failing that, from
  a top-level ``input_modalities`` (the docs name the field without placing it).

An entry that is not an object or has no string ``id`` is skipped and counted. IDs and
the listed capabilities lose any character a terminal could act on (``ESC``, ``BEL``,
C1 controls, bidi overrides) as they are read: they end up in messages and tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from llmbase_migrate.catalog.index import CatalogIndex, ModelInfo
from llmbase_migrate.printable import printable

__all__ = [
    "Architecture",
    "ModelEntry",
    "ParsedModels",
    "Pricing",
    "parse_models_response",
    "per_million",
    "to_index",
    "to_info",
]

_PER_MILLION = Decimal(1_000_000)


def _price(value: object) -> Decimal | None:
    # bool is an int subclass; "true" is no price.
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, str)):
        try:
            price = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        # OpenRouter writes "-1" for "varies"; NaN and infinity are no prices either.
        return price if price.is_finite() and price >= 0 else None
    return None


Price = Annotated[Decimal | None, BeforeValidator(_price)]


class _Lenient(BaseModel):
    """Optional fields whose value does not validate are read as absent (None)."""

    model_config = ConfigDict(extra="allow")

    @field_validator("*", mode="wrap")
    @classmethod
    def _absent_when_invalid(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        try:
            return handler(value)
        except ValidationError:
            if info.field_name in _REQUIRED:
                raise
            return None


_REQUIRED = frozenset({"id"})


class Pricing(_Lenient):
    """USD per token, as served; ``per_million`` converts for people."""

    prompt: Price = None
    completion: Price = None
    input_cache_read: Price = None


class Architecture(_Lenient):
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None


class ModelEntry(_Lenient):
    """One entry of the ``data`` list; fields the docs do not name are kept as extras."""

    id: str
    object: str | None = None
    created: int | None = None
    owned_by: str | None = None
    name: str | None = None
    context_length: int | None = None
    max_output_length: int | None = None
    pricing: Pricing | None = None
    architecture: Architecture | None = None
    input_modalities: list[str] | None = None
    supported_features: list[str] | None = None
    supported_parameters: list[str] | None = None
    prompt_cache_supported: bool | None = None

    @field_validator("id", mode="after")
    @classmethod
    def _printable_id(cls, value: str) -> str:
        return printable(value)

    @property
    def modalities(self) -> list[str] | None:
        if self.architecture is not None and self.architecture.input_modalities is not None:
            return self.architecture.input_modalities
        return self.input_modalities


@dataclass(frozen=True)
class ParsedModels:
    """A validated answer: the entries as served (dicts), their models, and how many were
    skipped for lacking an ``id``."""

    raw: list[dict[str, Any]]
    entries: list[ModelEntry]
    skipped: int


def parse_models_response(payload: object) -> ParsedModels:
    """Validate a decoded ``/v1/models`` answer (``{"data": [...]}`` or a bare list).

    Raises ValueError with a short reason when the answer is not a model list at all.
    """
    if isinstance(payload, Mapping):
        if "data" not in payload:
            raise ValueError("no 'data' list")
        data = payload["data"]
    else:
        data = payload
    if not isinstance(data, list):
        raise ValueError("'data' is not a list")
    raw: list[dict[str, Any]] = []
    entries: list[ModelEntry] = []
    skipped = 0
    for item in data:
        if not isinstance(item, dict):
            skipped += 1
            continue
        raw.append(item)
        try:
            entry = ModelEntry.model_validate(item)
        except ValidationError:
            skipped += 1
            continue
        if not entry.id.strip():
            skipped += 1
            continue
        entries.append(entry)
    return ParsedModels(raw, entries, skipped)


# The docs do not give the price unit (contract 2.2). A per-token price of a tenth of a
# cent would be $1,000 per 1M tokens, which no listed model costs; a per-1M price that
# small would be free. So a price at or above it is taken as already per 1M tokens.
_PER_MILLION_THRESHOLD = Decimal("0.001")


def per_million(price: Decimal | None) -> float | None:
    """USD per token -> USD per one million tokens (exact: 0.0000002 -> 0.2); a price
    that can only be per 1M already (0.2) is kept as it is."""
    if price is None:
        return None
    if price >= _PER_MILLION_THRESHOLD:
        return float(price)
    return float(price * _PER_MILLION)


def _as_set(values: list[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(printable(value).strip() for value in values)


def _positive(value: int | None) -> int | None:
    return value if value is not None and value > 0 else None


def to_info(entry: ModelEntry) -> ModelInfo:
    pricing = entry.pricing or Pricing()
    return ModelInfo(
        id=entry.id,
        context_length=_positive(entry.context_length),
        prompt_price=per_million(pricing.prompt),
        completion_price=per_million(pricing.completion),
        cache_read_price=per_million(pricing.input_cache_read),
        features=_as_set(entry.supported_features),
        parameters=_as_set(entry.supported_parameters),
        input_modalities=_as_set(entry.modalities),
    )


def to_index(
    entries: Iterable[ModelEntry],
    source: str,
    fetched_at: str | None,
    renames: Mapping[str, str],
) -> CatalogIndex:
    """The compact index rules read. A repeated ID keeps its first entry, as served first."""
    models: dict[str, ModelInfo] = {}
    for entry in entries:
        models.setdefault(entry.id, to_info(entry))
    return CatalogIndex(models=models, source=source, fetched_at=fetched_at, renames=dict(renames))
