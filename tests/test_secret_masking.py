"""No secret the tool can recognise is ever printed whole: not in messages, not in any
line of a diff (context lines included), not in JSON, the migration report or
``--show-settings``; and credentials in a base URL are masked, never copied into
source, never sent as Basic auth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_server import ScriptedServer, json_reply
from cli_runner import Runner, project
from llmbase_migrate import secrets
from standin import LLMBaseStandIn

# Opaque keys: no known prefix, so the old key-in-text pattern never saw them.
HEX_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
BEARER = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"
UUID_KEY = "123e4567-e89b-12d3-a456-426614174000"
PASSWORD = "hunter2pass"
QUERY_KEY = "zzz999yyy888xxx777"

LEAKY = f"""\
import os
from openai import OpenAI

TOKEN = "{UUID_KEY}"
client = OpenAI(
    api_key="{HEX_KEY}",
    organization="org-1",
    base_url="https://bob:{PASSWORD}@openrouter.ai/api/v1?api_key={QUERY_KEY}",
    default_headers={{"Authorization": "Bearer {BEARER}"}},
)
client.chat.completions.create(
    model="deepseek/deepseek-v4-flash",
    messages=[],
    extra_body={{"provider": {{"order": ["x"]}}}},
)
"""
WHOLE_SECRETS = (HEX_KEY, BEARER, UUID_KEY, PASSWORD, QUERY_KEY)


def assert_masked(output: str) -> None:
    for secret in WHOLE_SECRETS:
        assert secret not in output, f"{secret} printed whole"


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fix_diff_masks_every_line_it_prints(run: Runner, tmp_path: Path, unsafe: bool) -> None:
    root = project(tmp_path, {"app.py": LEAKY})
    result = run("fix", "--diff", "--offline", *(["--unsafe-fixes"] if unsafe else []), cwd=root)
    assert result.code == 1
    assert "-    extra_body=" in result.out, "the diff shows the change"
    # The key sits on context lines of the safe diff and on removed lines of the unsafe one.
    assert "9f8e…32" in result.out
    assert_masked(result.out + result.err)


def test_stdin_fix_masks_its_diagnostics_and_diff(run: Runner, tmp_path: Path) -> None:
    diff = run("fix", "-", "--diff", "--offline", cwd=tmp_path, stdin=LEAKY.encode())
    assert diff.code == 1 and "+++ b/-" in diff.out
    assert_masked(diff.out + diff.err)
    fixed = run("fix", "-", "--offline", "--unsafe-fixes", cwd=tmp_path, stdin=LEAKY.encode())
    # The fixed source is the user's own file, kept byte for byte (secrets it still
    # holds included); only what the tool says about it is masked.
    assert UUID_KEY in fixed.out
    assert_masked(fixed.err)


def test_check_masks_messages_and_fix_edits(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": LEAKY})
    text = run("check", "--offline", cwd=root)
    assert "LB101" in text.out and "LB103" in text.out
    assert "https://***@openrouter.ai/api/v1?api_key=***" in text.out
    as_json = run("check", "--offline", "--output-format", "json", cwd=root)
    json.loads(as_json.out)
    for output in (text.out, text.err, as_json.out, as_json.err):
        assert_masked(output)


def test_migrate_report_masks_secrets(run: Runner, tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {"app.py": LEAKY},
        config=f'base-url = "https://alice:{PASSWORD}@api.llmbase.ai/v1"\n',
    )
    result = run("migrate", "--allow-dirty", "--offline", cwd=root)
    assert "# Migration to LLMBase" in result.out
    assert_masked(result.out + result.err)
    assert PASSWORD not in (root / "app.py").read_text(), "the config's userinfo never lands"


def test_configured_credentials_are_never_written_into_source(run: Runner, tmp_path: Path) -> None:
    source = "import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.environ['K'])\n"
    root = project(
        tmp_path,
        {"app.py": source},
        config=(
            f'base-url = "https://alice:{PASSWORD}@api.llmbase.ai/v1?key={QUERY_KEY}"\n'
            'api-key-env = "K"\n'
        ),
    )
    result = run("fix", "--offline", cwd=root)
    fixed = (root / "app.py").read_text()
    assert 'base_url="https://api.llmbase.ai/v1"' in fixed
    assert_masked(fixed + result.out + result.err)
    (warning,) = [line for line in result.err.splitlines() if "credentials" in line]
    assert warning.startswith("llmbase-migrate: warning: ")
    shown = run("check", "--show-settings", cwd=root)
    assert "https://***@api.llmbase.ai/v1?key=***" in shown.out
    assert_masked(shown.out)


def test_doctor_says_the_base_url_carries_credentials_and_sends_bearer(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LLMBaseStandIn() as standin:
        monkeypatch.setenv("LLMBASE_API_KEY", standin.api_key)
        with_credentials = standin.base_url.replace("http://", f"http://bob:{PASSWORD}@")
        monkeypatch.setenv("LLMBASE_BASE_URL", with_credentials + f"?key={QUERY_KEY}")
        result = run("doctor", cwd=tmp_path)
        authorizations = [request.headers.get("authorization") for request in standin.requests]
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert first.startswith("FAIL  base URL") and "carries credentials" in first
    # The rest is diagnosed on the URL without them: the key went out as a Bearer token.
    assert "ok    models" in result.out and "ok    balance" in result.out
    assert authorizations and all(value == f"Bearer {standin.api_key}" for value in authorizations)
    assert_masked(result.out + result.err)


def test_catalog_fetch_never_sends_url_credentials(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "llmbase_" + "e5" * 16
    with ScriptedServer(json_reply({"data": [{"id": "deepseek/deepseek-v4-flash"}]})) as server:
        monkeypatch.setenv("LLMBASE_API_KEY", key)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.setenv(
            "LLMBASE_BASE_URL", server.base_url.replace("http://", f"http://bob:{PASSWORD}@")
        )
        result = run("models", "--catalog", "live", cwd=tmp_path)
        seen = list(server.seen)
    assert result.code == 0, result.err
    assert [request.authorization for request in seen] == [f"Bearer {key}"]
    assert "credentials" in result.err
    assert_masked(result.out + result.err)


@pytest.mark.parametrize(
    "model_id",
    [
        "deepseek/deepseek-v4-flash",
        "nvidia/nemotron-3-nano-omni-30b-a3b-reasoning",
        "paddlepaddle/paddleocr-vl-0.9b",
        "claude-3-5-sonnet-20241022",
        "meta-llama/llama-3.1-8b-instruct",
        "Qwen/Qwen2.5-Coder-32B-Instruct",
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
        "gemini-2.0-flash-thinking-exp-01-21",
        "some_long_identifier_name_2",
    ],
)
def test_model_ids_and_identifiers_are_not_secrets(model_id: str) -> None:
    assert not secrets.looks_like_secret(model_id)
    line = f'    model="{model_id}",  # {model_id}'
    assert secrets.redact(line) == line


@pytest.mark.parametrize(
    "key",
    [
        HEX_KEY,
        HEX_KEY.upper(),
        UUID_KEY,
        "Zx81Kq0vLm2Nb7Yt4Rw9Pe3Ud6Sa5HjQ",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "sk-proj-Zx81Kq0vLm2Nb7Yt4Rw9Pe3Ud6Sa5Hj",
    ],
)
def test_opaque_keys_are_secrets_and_masked_in_any_text(key: str) -> None:
    assert secrets.looks_like_secret(key)
    for text in (f'api_key="{key}",', f"Authorization: Bearer {key}", f"key {key} here"):
        assert key not in secrets.redact(text)


def test_url_credentials_helpers() -> None:
    url = f"https://bob:{PASSWORD}@api.llmbase.ai/v1?region=eu&api_key={QUERY_KEY}#token=abc"
    assert secrets.url_has_credentials(url)
    assert secrets.mask_url(url) == "https://***@api.llmbase.ai/v1?region=eu&api_key=***#token=***"
    assert secrets.strip_url_credentials(url) == "https://api.llmbase.ai/v1?region=eu"
    assert secrets.redact("(see https://u:p@x.example/a?key=abc).") == (
        "(see https://***@x.example/a?key=***)."
    )
    assert not secrets.url_has_credentials("https://api.llmbase.ai/v1?region=eu")
    assert secrets.strip_url_credentials("https://api.llmbase.ai/v1") == "https://api.llmbase.ai/v1"
    assert (
        secrets.redact(f"base URL is '{url}', not") == f"base URL is '{secrets.mask_url(url)}', not"
    )


def test_the_masking_is_what_a_real_process_prints(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(LEAKY)
    result = subprocess.run(
        [sys.executable, "-m", "llmbase_migrate", "fix", "--diff", "--offline", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert_masked(result.stdout + result.stderr)
