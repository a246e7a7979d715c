"""What a rule module declares, what a rule reports, and the examples that specify it.

A rule module holds, in this order: a docstring (the rule's documentation, shown by
``llmbase-migrate explain``), ``RULE`` (its metadata), ``check`` (a pure function over
:class:`ModuleFacts`) and ``EXAMPLES`` (valid and invalid code; each becomes a test).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from llmbase_migrate.analysis.facts import ModuleFacts, SourceLocation, Span
from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix, ImportChange

__all__ = [
    "Applicability",
    "CheckFunction",
    "Edit",
    "Example",
    "Fix",
    "ImportChange",
    "Invalid",
    "Report",
    "Rule",
    "RuleContext",
    "RuleSpec",
    "Severity",
    "Valid",
]


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Report:
    """What a rule's ``check`` yields: where, what, and optionally how to fix it."""

    span: Span
    message: str
    fix: Fix | None = None
    # the finding is about a value written in another module of the project: where
    # (the run reports it there, once, when that module is part of the run)
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may know besides the facts: the effective settings for this file."""

    base_url: str
    api_key_env: str
    # model ID -> the LLMBase model ID to use instead (config ``model-map``)
    model_map: Mapping[str, str] = field(default_factory=dict)
    # config ``prompt-cache-key``; None derives a key from the module's path
    prompt_cache_key: str | None = None
    # the file's path relative to the project root, when known
    path: str | None = None
    # LLMBase's model catalog, when one was loaded (rules needing it skip without it)
    catalog: CatalogIndex | None = None
    # host patterns of clients meant to stay where they are (config ``keep-hosts``)
    keep_hosts: tuple[str, ...] = ()
    # where the project is and which file of it this is (absolute paths), so that the
    # analysis can read what the file imports from other project modules
    project_root: str | None = None
    file: str | None = None
    # the directory paths are shown relative to (the run's working directory)
    display_root: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSpec:
    code: str
    name: str
    summary: str
    severity: Severity
    default_enabled: bool = True
    # Byte strings one of which a file must contain for the rule to have anything to
    # report; files containing none of the enabled rules' triggers are never parsed.
    triggers: tuple[bytes, ...] = (b"openai",)
    # The applicability of the fix the rule offers, if it offers one.
    fix: Applicability | None = None


@dataclass(frozen=True, slots=True)
class Valid:
    """Code on which the rule must report nothing."""

    code: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Invalid:
    """Code on which the rule must report.

    ``line`` (1-based, in the dedented code) is where the first report must start;
    ``message`` must appear in it; ``count`` is how many reports the code yields.
    ``fixed`` is the code after applying the rule's fixes (unsafe ones included); when
    it is None the rule must offer no fix for this code. ``applicability``, when
    given, is what the first report's fix must be (safe or unsafe).
    """

    code: str
    title: str = ""
    line: int | None = None
    message: str | None = None
    count: int = 1
    fixed: str | None = None
    applicability: Applicability | None = None


Example = Valid | Invalid
CheckFunction = Callable[[ModuleFacts, RuleContext], Iterator[Report]]


@dataclass(frozen=True, slots=True)
class Rule:
    spec: RuleSpec
    check: CheckFunction
    docs: str
    examples: tuple[Example, ...] = field(default=())

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def name(self) -> str:
        return self.spec.name
