"""Fixes of the client-setup rules (LB101-LB106) in combination, beyond what one
rule's inline examples can show: several rules on one constructor, line endings,
secrets kept out of diffs, and shapes where a fix must be refused."""

from __future__ import annotations

import textwrap

import pytest

from llmbase_migrate.engine.fixer import compile_error, fix_bytes
from llmbase_migrate.engine.outcome import Finding, Fixed, HasFindings, Outcome
from llmbase_migrate.engine.runner import analyze_bytes
from llmbase_migrate.reporting.diff import file_diff
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import Rule, RuleContext

CONTEXT = RuleContext(base_url="https://api.llmbase.ai/v1", api_key_env="LLMBASE_API_KEY")
CLIENT_RULES = ("LB101", "LB102", "LB103", "LB105", "LB106")
SECRET = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123"
# The module client must be pointed at LLMBase for its key to be replaced.
MODULE_BASE = 'openai.base_url = "https://api.llmbase.ai/v1/"\n'
AZURE_SECRET = "0123456789abcdef0123456789abcdef"


def _rules(*codes: str) -> list[Rule]:
    return [rules_by_code()[code] for code in codes or CLIENT_RULES]


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _fix(source: str, *codes: str, unsafe: bool = True) -> Outcome:
    return fix_bytes("app.py", _code(source).encode(), _rules(*codes), CONTEXT, unsafe=unsafe)


def _fixed(source: str, *codes: str, unsafe: bool = True) -> str:
    outcome = _fix(source, *codes, unsafe=unsafe)
    assert isinstance(outcome, Fixed), outcome
    text = outcome.new_source.decode()
    assert compile_error(text, "app.py") is None
    again = fix_bytes("app.py", outcome.new_source, _rules(*codes), CONTEXT, unsafe=unsafe)
    assert not isinstance(again, Fixed), "a second run must change nothing"
    return text


def _findings(source: str, *codes: str) -> tuple[Finding, ...]:
    outcome = analyze_bytes("app.py", _code(source).encode(), _rules(*codes), CONTEXT).outcome
    assert isinstance(outcome, HasFindings), outcome
    return outcome.findings


# -- LB101 and LB102 on one constructor: both insert at the end of the call


def test_base_url_and_api_key_added_to_an_empty_call() -> None:
    fixed = _fixed(
        """
        from openai import OpenAI
        client = OpenAI()
        """,
        "LB101",
        "LB102",
        unsafe=False,
    )
    assert fixed == _code(
        """
        from openai import OpenAI
        import os

        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """
    )


def test_base_url_and_api_key_added_to_a_multi_line_call() -> None:
    fixed = _fixed(
        """
        import os
        import openai

        def make():
            return openai.AsyncOpenAI(
                timeout=30,  # seconds
                max_retries=2,
            )
        """,
        "LB101",
        "LB102",
        # unsafe: the factory's client is used where this module does not see
        unsafe=True,
    )
    assert fixed == _code(
        """
        import os
        import openai

        def make():
            return openai.AsyncOpenAI(
                timeout=30,  # seconds
                max_retries=2,
                base_url="https://api.llmbase.ai/v1",
                api_key=os.environ["LLMBASE_API_KEY"],
            )
        """
    )


def test_every_client_rule_on_one_openrouter_setup() -> None:
    fixed = _fixed(
        f"""
        import openai
        from openai import OpenAI

        openai.organization = "org-123"
        client = OpenAI(
            base_url="https://openrouter.ai/api/v1",
            api_key="{SECRET}",
            organization="org-123",
        )
        """
    )
    assert fixed == _code(
        """
        import openai
        from openai import OpenAI
        import os

        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        """
    )


def test_a_client_with_a_hardcoded_key_moves_only_with_unsafe_fixes() -> None:
    """Its base URL cannot move alone (the key would go to LLMBase) and its key fix is
    unsafe, so the safe run changes nothing; the unsafe run moves both at once."""
    source = f"""
        from openai import OpenAI
        client = OpenAI(api_key="{SECRET}")
        """
    findings = _findings(source)
    assert [finding.code for finding in findings] == ["LB101", "LB103"]
    assert findings[0].fix is not None and findings[0].fix == findings[1].fix
    assert not isinstance(_fix(source, unsafe=False), Fixed)
    fixed = _fixed(source)
    assert SECRET not in fixed
    assert 'base_url="https://api.llmbase.ai/v1"' in fixed
    assert 'api_key=os.environ["LLMBASE_API_KEY"]' in fixed


def test_azure_client_with_a_hardcoded_key() -> None:
    """LB103's fix on an Azure client is LB106's, which takes the key with it."""
    source = f"""
        from openai import AzureOpenAI
        client = AzureOpenAI(
            azure_endpoint="https://acme.openai.azure.com",
            api_key="{AZURE_SECRET}",
            api_version="2024-06-01",
        )
        """
    findings = _findings(source, "LB102", "LB103", "LB106")
    assert {finding.code: finding.fix is not None for finding in findings} == {
        "LB103": True,
        "LB106": True,
    }
    assert findings[0].fix == findings[1].fix
    outcome = _fix(source)
    assert isinstance(outcome, Fixed)
    assert AZURE_SECRET not in outcome.new_source.decode()
    diff = file_diff(outcome)
    assert "-    api_key=" in diff
    assert AZURE_SECRET not in diff


# -- line endings and secrets


def test_crlf_file_stays_crlf() -> None:
    raw = (
        b"import openai\r\n"
        b"from openai import OpenAI\r\n"
        b'openai.organization = "org-1"\r\n'
        b"client = OpenAI(\r\n"
        b"    timeout=3,\r\n"
        b")\r\n"
    )
    outcome = fix_bytes("app.py", raw, _rules(), CONTEXT, unsafe=False)
    assert isinstance(outcome, Fixed), outcome
    assert outcome.new_source == (
        b"import openai\r\n"
        b"from openai import OpenAI\r\n"
        b"import os\r\n"
        b"\r\n"
        b"client = OpenAI(\r\n"
        b"    timeout=3,\r\n"
        b'    base_url="https://api.llmbase.ai/v1",\r\n'
        b'    api_key=os.environ["LLMBASE_API_KEY"],\r\n'
        b")\r\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        f'import openai\n{MODULE_BASE}openai.api_key = "{SECRET}"\n',
        f'from openai import OpenAI\nclient = OpenAI(\n    api_key="{SECRET}",\n)\n',
        f'import openai\n{MODULE_BASE}KEY = "{SECRET}"\nopenai.api_key = KEY\n',
        # written in a way the generic redaction of key-looking text would not catch
        f'import openai\n{MODULE_BASE}openai.api_key = "0123456789abcdef0123456789abcdef"\n',
        f'import openai\n{MODULE_BASE}openai.api_key = ("{SECRET[:12]}"\n    "{SECRET[12:]}")\n',
        "from openai import OpenAI\n"
        f'client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key="x", '
        f'default_headers={{"Authorization": "Bearer {SECRET}"}})\n',
    ],
    ids=["module", "constructor", "constant", "opaque", "concatenated", "header"],
)
def test_lb103_diff_never_shows_the_key(source: str) -> None:
    outcome = fix_bytes("app.py", source.encode(), _rules("LB103"), CONTEXT, unsafe=True)
    assert isinstance(outcome, Fixed), outcome
    assert 'os.environ["LLMBASE_API_KEY"]' in outcome.new_source.decode()
    diff = file_diff(outcome)
    assert diff.count("\n-") >= 1
    for secret in (SECRET, SECRET[:12], SECRET[12:], "0123456789abcdef0123456789abcdef"):
        assert secret not in diff
    for finding in outcome.fixed:
        assert finding.fix is not None
        assert finding.fix.secrets
        assert not any(secret in finding.fix.message for secret in finding.fix.secrets)
        assert not any(secret in finding.message for secret in finding.fix.secrets)


def test_other_fixes_that_remove_a_key_mask_it() -> None:
    source = f"""
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.getenv("OPENAI_API_KEY", "{SECRET}"),
            admin_api_key="sk-admin-0123456789abcdefghijklmn",
            webhook_secret="whsec_abc",
        )
        """
    outcome = _fix(source, "LB102", "LB105", unsafe=False)
    assert isinstance(outcome, Fixed)
    diff = file_diff(outcome)
    assert "api_key=" in diff and "webhook_secret" in diff
    for secret in (SECRET, "sk-admin-0123456789abcdefghijklmn", "whsec_abc"):
        assert secret not in diff


# -- shapes a fix must refuse


@pytest.mark.parametrize(
    "binding",
    [
        "import posixpath as os",
        "from app import os",
        "os = load_settings()",
        "from app.config import *",
        "for os in range(3):\n    pass",
        "def f(os=None):\n    return os",
    ],
)
def test_no_environment_read_when_os_may_not_be_the_os_module(binding: str) -> None:
    source = (
        "from openai import OpenAI\n"
        f"{binding}\n"
        'client = OpenAI(base_url="https://api.llmbase.ai/v1")\n'
        'other = OpenAI(base_url="https://api.llmbase.ai/v1", api_key="sk-proj-AbCdEfGhIjKlMnOpQrSt")\n'
    )
    outcome = fix_bytes("app.py", source.encode(), _rules("LB102", "LB103"), CONTEXT, unsafe=True)
    assert isinstance(outcome, HasFindings), outcome
    assert [finding.code for finding in outcome.findings] == ["LB102", "LB103"]
    assert all(finding.fix is None for finding in outcome.findings)


def test_os_imported_only_below_the_call_is_not_used() -> None:
    findings = _findings(
        """
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1")
        import os
        """,
        "LB102",
    )
    assert [finding.fix for finding in findings] == [None]


def test_os_path_import_is_enough() -> None:
    fixed = _fixed(
        """
        import os.path
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1")
        """,
        "LB102",
    )
    assert "import os\n" not in fixed
    assert 'api_key=os.environ["LLMBASE_API_KEY"]' in fixed


def test_configured_names_are_used() -> None:
    context = RuleContext(base_url="https://llm.internal.example/v1/", api_key_env="TEAM_KEY")
    outcome = fix_bytes(
        "app.py",
        b"import os\nimport openai\nopenai.api_base = 'https://api.openai.com/v1'\n"
        b"openai.api_key = os.environ['OPENAI_API_KEY']\nc = openai.OpenAI()\n",
        _rules("LB101", "LB102"),
        context,
        unsafe=False,
    )
    assert isinstance(outcome, Fixed), outcome
    assert outcome.new_source.decode() == (
        "import os\n"
        "import openai\n"
        "openai.base_url = 'https://llm.internal.example/v1/'\n"
        'openai.api_key = os.environ["TEAM_KEY"]\n'
        'c = openai.OpenAI(base_url="https://llm.internal.example/v1/", '
        'api_key=os.environ["TEAM_KEY"])\n'
    )


def test_a_splatted_dict_defined_elsewhere_is_left_alone() -> None:
    findings = _findings(
        """
        import openai
        options = {"base_url": "https://openrouter.ai/api/v1", "organization": "org-1"}
        client = openai.OpenAI(api_key="EMPTY", **options)
        other = openai.OpenAI(**options)
        """,
        "LB101",
        "LB105",
    )
    assert findings and all(finding.fix is None for finding in findings)


def test_removing_every_statement_of_a_block_leaves_pass() -> None:
    fixed = _fixed(
        """
        import os
        import openai
        if os.getenv("CI"):
            openai.organization = "org-1"
            openai.project = "proj_1"
        else:
            openai.project = "proj_2"  # the default project
        """,
        "LB105",
    )
    assert fixed == _code(
        """
        import os
        import openai
        if os.getenv("CI"):
            pass
        else:
            pass  # the default project
        """
    )


def test_a_suppressed_statement_keeps_its_block_valid() -> None:
    fixed = _fixed(
        """
        import openai
        def configure():
            openai.organization = "org-1"
            openai.project = "proj_1"  # noqa: LB105
        """,
        "LB105",
    )
    assert fixed == _code(
        """
        import openai
        def configure():
            pass
            openai.project = "proj_1"  # noqa: LB105
        """
    )


def test_azure_aliases_and_attributes() -> None:
    findings = _findings(
        """
        import openai.lib.azure
        from openai import AzureOpenAI as Azure
        a = Azure(azure_endpoint="https://acme.openai.azure.com", api_key="k", api_version="1")
        b = openai.lib.azure.AzureOpenAI(azure_endpoint="https://x", api_key="k", api_version="1")
        """,
        "LB106",
    )
    assert len(findings) == 2
    assert all(finding.fix is None for finding in findings)


def test_azure_import_from_the_lib_module_is_replaced() -> None:
    fixed = _fixed(
        """
        import os
        from openai.lib.azure import AzureOpenAI
        client = AzureOpenAI(base_url="https://acme.openai.azure.com/openai/v1/", api_key="k")
        """,
        "LB106",
    )
    assert fixed == _code(
        """
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """
    )


def test_comments_after_the_last_argument_stay_on_their_line() -> None:
    fixed = _fixed(
        """
        from openai import OpenAI
        client = OpenAI(
            timeout=3  # seconds
        )
        other = OpenAI(
            max_retries=1,  # once
        )
        """,
        "LB101",
        "LB102",
        unsafe=False,
    )
    assert fixed == _code(
        """
        from openai import OpenAI
        import os

        client = OpenAI(
            timeout=3,  # seconds
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"]
        )
        other = OpenAI(
            max_retries=1,  # once
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        """
    )


def test_a_chat_agent_key_on_an_agent_client_is_not_replaced() -> None:
    findings = _findings(
        """
        from openai import OpenAI
        agent = OpenAI(
            base_url="https://llmbase.ai/api/v1/agents",
            api_key="llmbase_chat_0123456789abcdef0123456789",
        )
        """,
        "LB103",
    )
    assert [finding.fix for finding in findings] == [None]


def test_the_module_client_agent_url_gets_its_slash() -> None:
    fixed = _fixed(
        """
        import openai
        openai.base_url = "https://llmbase.ai/api/v1/agents"
        """,
        "LB101",
        unsafe=False,
    )
    assert fixed == 'import openai\nopenai.base_url = "https://llmbase.ai/api/v1/agents/"\n'


def test_a_parenthesized_value_is_replaced_inside_its_parentheses() -> None:
    fixed = _fixed(
        f"""
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        openai.api_key = (
            "{SECRET}"
        )
        client = openai.OpenAI(base_url=("https://openrouter.ai/api/v1"), api_key=("EMPTY"))
        """,
        "LB101",
        "LB103",
    )
    assert fixed == _code(
        """
        import openai
        import os

        openai.base_url = "https://api.llmbase.ai/v1/"
        openai.api_key = (
            os.environ["LLMBASE_API_KEY"]
        )
        client = openai.OpenAI(base_url=("https://api.llmbase.ai/v1"), api_key=(os.environ["LLMBASE_API_KEY"]))
        """
    )
