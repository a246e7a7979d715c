"""A file that LibCST cannot parse.

Such a file is reported and never modified: no rule can say anything reliable
about it, and no fix is ever applied to it. Only files that pass the pre-filter
(they mention ``openai``) are parsed, so this is not a general syntax checker.

Fix safety: there is no fix. A file that does not parse is never written, by
any rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB001",
    name="syntax-error",
    summary="the file cannot be parsed; it is reported and left unchanged",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    if facts.parse_failure is not None:
        yield Report(
            facts.parse_failure.span,
            f"cannot parse this file ({facts.parse_failure.message}); it is left unchanged",
        )


EXAMPLES = (
    Valid("import openai\nclient = openai.OpenAI(base_url='https://api.llmbase.ai/v1')\n"),
    Invalid(
        "import openai\n\ndef broken(:\n    pass\n",
        title="an unclosed parameter list",
        line=3,
        message="cannot parse",
    ),
)
