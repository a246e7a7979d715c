"""Shapes from the review of client fixes on 22 public repositories
(``bench/fix_review_labels.toml``): each was fixed wrongly (or leaked a key) before,
and each test pins what a reviewer judged right."""

from __future__ import annotations

import textwrap

from llmbase_migrate.engine.outcome import Finding, HasFindings
from llmbase_migrate.engine.runner import analyze_bytes
from llmbase_migrate.fixes.edit import Applicability
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import Rule, RuleContext
from llmbase_migrate.secrets import looks_like_secret

CONTEXT = RuleContext(base_url="https://api.llmbase.ai/v1", api_key_env="LLMBASE_API_KEY")
CLIENT_RULES = ("LB101", "LB102", "LB103", "LB106", "LB401")


def _rules() -> list[Rule]:
    return [rules_by_code()[code] for code in CLIENT_RULES]


def _findings(source: str) -> tuple[Finding, ...]:
    code = textwrap.dedent(source).lstrip("\n").encode()
    outcome = analyze_bytes("app.py", code, _rules(), CONTEXT).outcome
    return outcome.findings if isinstance(outcome, HasFindings) else ()


def _by_code(findings: tuple[Finding, ...], code: str) -> list[Finding]:
    return [finding for finding in findings if finding.code == code]


def test_a_parameter_default_other_callers_override_is_not_edited_in_place() -> None:
    # make("https://api.groq.com/...") sends the key to Groq: editing the default
    # would send LLMBase's key there.
    findings = _findings(
        """
        import os
        from openai import OpenAI
        def make(base_url="https://api.openai.com/v1"):
            return OpenAI(base_url=base_url, api_key=os.environ["OPENAI_API_KEY"])
        chat = make()
        fast = make("https://api.groq.com/openai/v1")
        """
    )
    # reported at both places the URL is written, each naming its own host
    default, groq = _by_code(findings, "LB101")
    assert (default.span.line, groq.span.line) == (3, 6)
    assert "api.openai.com" in default.message and "api.groq.com" in groq.message
    assert default.fix == groq.fix
    fix = default.fix
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    # the default on line 3 stays; the call stops reading the parameter, and says so
    assert [edit.line for edit in fix.edits] == [4]
    assert fix.reason is not None and "base_url (which may hold" in fix.reason
    assert "api.groq.com" in fix.reason


def test_a_key_set_again_after_construction_gets_no_fix() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        client.api_key = os.environ["OPENROUTER_KEY_2"]
        reply = client.chat.completions.create(model="m", messages=[])
        """
    )
    assert all(finding.fix is None for finding in findings if finding.code in ("LB101", "LB102"))
    assert any("set again after construction (line 4)" in f.message for f in findings)
    # the reassignment is reported where it is
    assert any(f.code == "LB102" and f.span.line == 4 for f in findings)


def test_a_chained_endpoint_call_keeps_its_client() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        vectors = OpenAI(api_key=os.environ["OPENAI_API_KEY"]).embeddings.create(model="e", input="x")
        """
    )
    assert not _by_code(findings, "LB101")
    assert _by_code(findings, "LB401")


def test_a_client_handed_to_a_local_function_counts_its_uses_there() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        def speak(client: OpenAI, text: str):
            return client.audio.speech.create(model="tts-1", voice="alloy", input=text)
        def ask(c, q):
            return c.chat.completions.create(model="m", messages=[])
        speak(client, "hi")
        ask(client, "q")
        """
    )
    (base,) = _by_code(findings, "LB101")
    assert "also calls audio" in base.message
    assert base.fix is None or base.fix.applicability is Applicability.UNSAFE


def test_self_client_set_by_a_subclass_counts_the_base_class_uses() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        class Base:
            def ask(self, q):
                return self.client.chat.completions.create(model="m", messages=[])
            def say(self, q):
                return self.client.audio.speech.create(model="tts-1", voice="alloy", input=q)
        class Bot(Base):
            def __init__(self):
                self.client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        """
    )
    (base,) = _by_code(findings, "LB101")
    assert "also calls audio" in base.message
    assert base.fix is None or base.fix.applicability is Applicability.UNSAFE


def test_a_client_that_leaves_its_module_unused_is_moved_only_unsafely() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        def make_client():
            return OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        """
    )
    (base,) = _by_code(findings, "LB101")
    assert base.fix is not None and base.fix.applicability is Applicability.UNSAFE
    assert base.fix.reason is not None and "returned by make_client()" in base.fix.reason


def test_a_client_that_leaves_its_module_after_a_chat_request_is_moved_safely() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        def make_client():
            client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
            client.chat.completions.create(model="m", messages=[])
            return client
        """
    )
    (base,) = _by_code(findings, "LB101")
    assert base.fix is not None and base.fix.applicability is Applicability.SAFE


def test_a_client_named_for_an_endpoint_stays() -> None:
    findings = _findings(
        """
        from openai import OpenAI
        def get_embedding_client():
            return OpenAI()
        class Speaker:
            def __init__(self):
                self.tts_client = OpenAI()
        class Settings:
            def __init__(self):
                self.test_settings = OpenAI()  # "settings" names no endpoint
        """
    )
    assert [finding.span.line for finding in _by_code(findings, "LB101")] == [9]


def test_a_computed_variable_name_is_not_known() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        PROVIDER = os.environ["PROVIDER"]
        client = OpenAI(
            base_url=os.environ[f"{PROVIDER}_BASE_URL"],
            api_key=os.environ[f"{PROVIDER}_API_KEY"],
        )
        reply = client.chat.completions.create(model="m", messages=[])
        """
    )
    assert all(finding.fix is None for finding in findings)
    assert not _by_code(findings, "LB101")


def test_a_test_double_stays() -> None:
    findings = _findings(
        """
        import httpx
        from openai import OpenAI
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
        mocked = OpenAI(api_key="test", http_client=httpx.Client(transport=transport))
        reserved = OpenAI(base_url="http://inference.test/v1", api_key="test")
        mocked.chat.completions.create(model="m", messages=[])
        reserved.chat.completions.create(model="m", messages=[])
        """
    )
    assert not _by_code(findings, "LB101") and not _by_code(findings, "LB102")


def test_a_key_the_fix_stops_reading_makes_it_unsafe() -> None:
    findings = _findings(
        """
        from openai import OpenAI
        from settings import OPENAI_API_KEY
        client = OpenAI(api_key=OPENAI_API_KEY)
        reply = client.chat.completions.create(model="m", messages=[])
        """
    )
    (key,) = _by_code(findings, "LB102")
    assert key.fix is not None and key.fix.applicability is Applicability.UNSAFE
    assert key.fix.reason is not None and "no longer read" in key.fix.reason


def test_a_hardcoded_key_of_a_staying_client_is_not_sent_to_llmbase_variable() -> None:
    findings = _findings(
        """
        from openai import OpenAI
        local = OpenAI(base_url="http://localhost:11434/v1", api_key="sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123")
        local.chat.completions.create(model="m", messages=[])
        """
    )
    (hardcoded,) = _by_code(findings, "LB103")
    assert "environment variable of its own" in hardcoded.message
    assert "LLMBASE_API_KEY" not in hardcoded.message
    assert hardcoded.fix is None


def test_a_bearer_header_fix_says_why_it_is_unsafe() -> None:
    findings = _findings(
        """
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key="unused",
            default_headers={"Authorization": "Bearer sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123"},
        )
        """
    )
    fixes = [f.fix for f in _by_code(findings, "LB103") if f.fix is not None]
    assert fixes and all(fix.reason for fix in fixes)


def test_stripping_a_value_keeps_what_it_is() -> None:
    findings = _findings(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url=os.getenv("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1").rstrip("/"),
            api_key=os.environ["OPENROUTER_API_KEY"].strip(),
        )
        client.chat.completions.create(model="m", messages=[])
        """
    )
    (base,) = _by_code(findings, "LB101")
    assert "OPENROUTER" in base.message or "openrouter.ai" in base.message
    (key,) = _by_code(findings, "LB102")
    assert "OPENROUTER" in key.message


def test_a_keyword_argument_says_nothing_about_a_value() -> None:
    # st.text_input("API key", type="password"): "password" is not the value's name
    findings = _findings(
        """
        import streamlit as st
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=st.text_input("LLMBASE_API_KEY", type="password"))
        """
    )
    assert not any("password" in finding.message for finding in findings)


def test_a_dotted_name_with_a_key_prefix_is_not_a_secret() -> None:
    assert not looks_like_secret("llmbase_client.chat.completions.create")
    assert looks_like_secret("sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123")
