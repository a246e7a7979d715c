"""The README's Quickstart stays true: two commands, the second is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def test_quickstart_has_two_commands() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2
    assert commands[0].endswith("llmbase-migrate check fixtures/demo")
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quickstart_commands()[1] in ci_lines


def test_readme_rule_table_lists_every_rule() -> None:
    from llmbase_migrate.rules import all_rules

    readme = (ROOT / "README.md").read_text()
    for rule in all_rules():
        fix = rule.spec.fix.value if rule.spec.fix else "-"
        assert re.search(
            rf"^\| {rule.code} \| {rule.name} \| \w+ \| \w+ \| {fix} \|", readme, re.M
        ), rule.code
