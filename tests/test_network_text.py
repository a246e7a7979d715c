"""What comes from the network reaches the terminal only as printable text, and a
catalog the parser cannot take (100,000 nested brackets) is a bad catalog, not a
crash: against real servers on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_server import GOOD_METADATA, Reply, ScriptedServer, error_reply, json_reply
from cli_runner import Run, Runner

KEY = "llmbase_" + "f6" * 16
# An OSC sequence that sets the terminal title, a CSI written as one C1 byte, a
# right-to-left override, DEL and a bell.
HOSTILE = "\x1b]0;pwned\x07\x9b31m\u202e\x7f"
EVIL_ID = f"gpt-4o{HOSTILE}"
APP = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(model="gpt-4o", messages=[])
"""


@pytest.fixture(autouse=True)
def _loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMBASE_API_KEY", KEY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def hostile_catalog() -> dict[str, object]:
    entry = {
        "id": EVIL_ID,
        "supported_features": [f"tools{HOSTILE}"],
        "architecture": {"input_modalities": [f"text{HOSTILE}"]},
    }
    return {"object": "list", "data": [entry, *GOOD_METADATA["data"]]}


def assert_printable(run: Run) -> None:
    for text in (run.out, run.err):
        unprintable = {char for char in text if not (char.isprintable() or char == "\n")}
        assert not unprintable, sorted(unprintable)


def test_models_prints_no_control_characters(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedServer(json_reply(hostile_catalog())) as server:
        monkeypatch.setenv("LLMBASE_BASE_URL", server.base_url)
        table = run("models", "--catalog", "live", cwd=tmp_path)
        as_json = run("models", "--json", "--catalog", "offline", cwd=tmp_path)
    assert table.code == 0, table.err
    assert "gpt-4o]0;pwned31m" in table.out
    assert_printable(table)
    assert as_json.code == 0, as_json.err
    assert_printable(as_json)
    served = json.loads(as_json.out)["data"]
    assert served[0]["id"] == EVIL_ID, "--json is the answer as served, escaped"


def test_lb301_hints_print_no_control_characters(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(APP)
    with ScriptedServer(json_reply(hostile_catalog())) as server:
        monkeypatch.setenv("LLMBASE_BASE_URL", server.base_url)
        text = run("check", cwd=tmp_path)
        as_json = run("check", "--output-format", "json", cwd=tmp_path)
    assert text.code == 1, text.err
    assert "LB301" in text.out and "gpt-4o]0;pwned31m" in text.out
    assert_printable(text)
    assert_printable(as_json)


def test_doctor_and_warnings_print_no_control_characters(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(APP)
    reply = error_reply(401, f"invalid_api_key{HOSTILE}", f"Invalid key{HOSTILE}")
    with ScriptedServer(reply) as server:
        monkeypatch.setenv("LLMBASE_BASE_URL", server.base_url)
        doctor = run("doctor", cwd=tmp_path)
        check = run("check", cwd=tmp_path)
        live = run("models", "--catalog", "live", cwd=tmp_path)
    assert doctor.code == 1 and "401 invalid_api_key" in doctor.out
    assert check.code == 1 and "warning" in check.err
    assert live.code == 2 and "401 invalid_api_key" in live.err
    for result in (doctor, check, live):
        assert_printable(result)
    balance = json_reply({"balance": "25.00", "currency": f"USD{HOSTILE}"})
    with ScriptedServer(json_reply(GOOD_METADATA), balance) as server:
        monkeypatch.setenv("LLMBASE_BASE_URL", server.base_url)
        healthy = run("doctor", cwd=tmp_path)
    assert healthy.code == 0, healthy.out
    assert "25.00 USD" in healthy.out
    assert_printable(healthy)


# -- a catalog nested deeper than the parser goes

NESTED = Reply(200, b"[" * 100_000 + b"]" * 100_000)


def test_check_falls_back_to_the_snapshot(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(APP)
    with ScriptedServer(NESTED) as server:
        monkeypatch.setenv("LLMBASE_BASE_URL", server.base_url)
        result = run("check", cwd=tmp_path)
    assert result.code == 1, result.err
    assert "LB301" in result.out
    assert "bundled snapshot" in result.out
    (warning,) = result.err.splitlines()
    assert warning.startswith("llmbase-migrate: warning: ") and "malformed JSON" in warning


def test_models_and_doctor_report_a_bad_catalog(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedServer(NESTED) as server:
        monkeypatch.setenv("LLMBASE_BASE_URL", server.base_url)
        models = run("models", cwd=tmp_path)
        live = run("models", "--catalog", "live", cwd=tmp_path)
        doctor = run("doctor", cwd=tmp_path)
    assert models.code == 0 and "bundled snapshot" in models.out
    assert "malformed JSON" in models.err
    assert live.code == 2 and live.err.startswith("llmbase-migrate: error: ")
    assert "malformed JSON" in live.err and "internal error" not in live.err
    assert doctor.code == 1
    assert "FAIL  models" in doctor.out and "malformed JSON" in doctor.out


def test_a_nested_error_body_is_still_a_status_error(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedServer(Reply(401, NESTED.body)) as server:
        monkeypatch.setenv("LLMBASE_BASE_URL", server.base_url)
        doctor = run("doctor", cwd=tmp_path)
    assert doctor.code == 1
    assert "FAIL  models    " in doctor.out and "401 invalid_api_key" in doctor.out
