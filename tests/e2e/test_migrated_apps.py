"""Realistic apps, migrated by ``llmbase-migrate fix``, run against a local LLMBase.

Each app in ``fixtures/e2e/`` is code written for OpenAI or OpenRouter. It is copied to a
temporary directory and run, as a subprocess, three ways:

(a) unmodified: it fails, and nothing it sends reaches LLMBase;
(b) after fixes for only some rules: it still fails, and the stand-in's log shows the
    reason the missing fixes would have removed (vendor field, model ID...), while every
    request it got carried LLMBase's key (a client's base URL and key move together);
(c) after ``fix --unsafe-fixes``: it succeeds, every request it made was answered 2xx,
    and a second ``fix`` and a ``check`` find nothing left to do.

No request can leave the machine: the apps run with every proxy variable pointing at a
local trap that records and refuses each attempt, and only loopback bypasses it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox import ProxyTrap, sandbox_env
from standin import LLMBaseStandIn, LoggedRequest

ROOT = Path(__file__).resolve().parents[2]
APPS_DIR = ROOT / "fixtures" / "e2e"
APP_TIMEOUT = 60
FIX_TIMEOUT = 120


@dataclass(frozen=True)
class Step:
    """A partial migration and how the app must then fail.

    ``statuses``: every request answered with an error got one of these (empty: the app
    fails before sending anything wrong, so every logged request succeeded).
    ``reason``: text that must appear in an error answered by the stand-in, or, with
    no statuses, in the app's stderr."""

    select: str
    statuses: frozenset[int]
    reason: str | None = None


@dataclass(frozen=True)
class App:
    name: str
    entry: str
    model_map: Mapping[str, str]
    # Hosts the unmodified app tries to reach (seen as CONNECT requests by the trap).
    original_hosts: frozenset[str]
    steps: tuple[Step, ...]
    # Chat requests one successful run makes.
    calls: int
    forbidden_headers: frozenset[str] = field(default_factory=frozenset)


APPS = (
    App(
        name="ticket_summarizer",
        entry="run.py",
        model_map={"gpt-4o-mini": "deepseek/deepseek-v4-flash"},
        original_hosts=frozenset({"api.openai.com:443"}),
        # The key's finding carries the client's one fix: the base URL moves with it.
        steps=(Step("LB102", frozenset({404}), "gpt-4o-mini"),),
        calls=6,
        forbidden_headers=frozenset({"openai-organization"}),
    ),
    App(
        name="openrouter_release_notes",
        entry="main.py",
        model_map={
            "openai/gpt-4o": "qwen/qwen3.6-35b-a3b",
            "anthropic/claude-3.5-sonnet": "z-ai/glm-5.1",
        },
        original_hosts=frozenset({"openrouter.ai:443"}),
        steps=(
            Step("LB101", frozenset({400}), "'provider'"),
            Step("LB101,LB201", frozenset({404}), "openai/gpt-4o"),
            # Every request now succeeds until the SDK itself refuses top_k=.
            Step("LB101,LB201,LB301", frozenset(), "top_k"),
            Step("LB101,LB201,LB301,LB204", frozenset({400}), "'cache_control'"),
        ),
        calls=6,
    ),
    App(
        name="async_news_digest",
        entry="run.py",
        model_map={"gpt-4o": "deepseek/deepseek-v4-pro"},
        original_hosts=frozenset({"api.openai.com:443"}),
        steps=(
            # Requests run concurrently: which failure comes first is not fixed.
            Step("LB101", frozenset({400, 404})),
            Step("LB101,LB202", frozenset({404}), "gpt-4o"),
        ),
        calls=9,
    ),
    App(
        name="travel_agent",
        entry="run.py",
        model_map={"gpt-4.1": "z-ai/glm-5.1", "o4-mini": "deepseek/deepseek-v4-pro"},
        original_hosts=frozenset({"api.openai.com:443"}),
        steps=(Step("LB101", frozenset({404}), "gpt-4.1"),),
        calls=5,
        forbidden_headers=frozenset({"openai-project"}),
    ),
)


# -- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def standin() -> Iterator[LLMBaseStandIn]:
    with LLMBaseStandIn() as server:
        yield server


@pytest.fixture
def trap() -> Iterator[ProxyTrap]:
    with ProxyTrap() as proxy:
        yield proxy


def copy_app(app: App, destination: Path, standin: LLMBaseStandIn) -> Path:
    target = destination / app.name
    shutil.copytree(APPS_DIR / app.name, target, ignore=shutil.ignore_patterns("__pycache__"))
    model_map = ", ".join(
        f"{json.dumps(old)} = {json.dumps(new)}" for old, new in app.model_map.items()
    )
    (target / "pyproject.toml").write_text(
        "[tool.llmbase-migrate]\n"
        f"base-url = {json.dumps(standin.base_url)}\n"
        f"model-map = {{ {model_map} }}\n"
    )
    return target


def run(
    args: list[str], cwd: Path, env: Mapping[str, str], timeout: int
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout
    )


def run_app(app: App, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, app.entry], cwd, env, APP_TIMEOUT)


def migrate(cwd: Path, env: Mapping[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    result = run(
        [sys.executable, "-m", "llmbase_migrate", "fix", "--unsafe-fixes", *options, "."],
        cwd,
        env,
        FIX_TIMEOUT,
    )
    assert result.returncode in (0, 1), f"fix failed ({result.returncode}):\n{describe(result)}"
    return result


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def describe(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def show_log(requests: list[LoggedRequest]) -> str:
    return "\n".join(
        f"{entry.method} {entry.path} -> {entry.status} {entry.error or ''}".rstrip()
        for entry in requests
    )


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("app", APPS, ids=[app.name for app in APPS])
def test_the_unmigrated_app_fails_and_reaches_nothing(
    app: App, tmp_path: Path, standin: LLMBaseStandIn, trap: ProxyTrap
) -> None:
    workdir = copy_app(app, tmp_path, standin)
    result = run_app(app, workdir, sandbox_env(standin, trap))
    assert result.returncode != 0, describe(result)
    assert standin.requests == [], show_log(standin.requests)
    # It failed because it went for its old vendor, and the trap stopped it there.
    assert trap.hosts() == app.original_hosts, describe(result)


@pytest.mark.parametrize("app", APPS, ids=[app.name for app in APPS])
def test_a_partial_migration_fails_for_the_reason_the_other_fixes_remove(
    app: App, tmp_path: Path, standin: LLMBaseStandIn, trap: ProxyTrap
) -> None:
    workdir = copy_app(app, tmp_path, standin)
    env = sandbox_env(standin, trap)
    for step in app.steps:
        before = snapshot(workdir)
        fixed = migrate(workdir, env, "--select", step.select)
        assert snapshot(workdir) != before, (
            f"--select {step.select} changed nothing\n{describe(fixed)}"
        )
        standin.clear()
        result = run_app(app, workdir, env)
        requests = standin.requests
        context = f"after --select {step.select}:\n{describe(result)}\n{show_log(requests)}"
        assert result.returncode != 0, context
        assert trap.hosts() <= app.original_hosts, context
        assert requests, context
        # Base URL and key move together: no other key ever reaches LLMBase.
        assert all(
            entry.headers.get("authorization") == f"Bearer {standin.api_key}" for entry in requests
        ), context
        failures = [entry for entry in requests if not entry.ok]
        assert {entry.status for entry in failures} <= step.statuses, context
        if step.statuses:
            assert failures, context
            if step.reason is not None:
                assert any(step.reason in (entry.error or "") for entry in failures), context
        else:
            assert step.reason is not None and step.reason in result.stderr, context


@pytest.mark.parametrize("app", APPS, ids=[app.name for app in APPS])
def test_the_migrated_app_runs_and_a_second_pass_has_nothing_to_do(
    app: App, tmp_path: Path, standin: LLMBaseStandIn, trap: ProxyTrap
) -> None:
    workdir = copy_app(app, tmp_path, standin)
    env = sandbox_env(standin, trap)
    original = snapshot(workdir)

    first = migrate(workdir, env)
    migrated = snapshot(workdir)
    assert migrated != original, describe(first)
    assert first.returncode == 1, describe(first)
    # With a key and no cache, fix checked the model IDs against the live catalog.
    fetched = [entry for entry in standin.requests if entry.path == "/v1/models"]
    assert [entry.query.get("metadata") for entry in fetched] == [["true"]], describe(first)
    assert fetched[0].headers.get("authorization") == f"Bearer {standin.api_key}"
    standin.clear()

    result = run_app(app, workdir, env)
    requests = standin.requests
    context = f"{describe(result)}\n{show_log(requests)}"
    assert result.returncode == 0, context
    assert len(requests) == app.calls, context
    assert all(entry.ok for entry in requests), context
    assert trap.hosts() == set(), context
    for entry in requests:
        assert entry.headers.get("authorization") == f"Bearer {standin.api_key}", context
        assert entry.body["model"] in set(app.model_map.values()), context
        assert not app.forbidden_headers & set(entry.headers), context

    second = migrate(workdir, env)
    assert snapshot(workdir) == migrated, describe(second)
    assert second.returncode == 0, describe(second)

    text = run([sys.executable, "-m", "llmbase_migrate", "check", "."], workdir, env, FIX_TIMEOUT)
    assert text.returncode == 0, describe(text)
    assert not re.search(r":\d+:\d+: LB\d{3}", text.stdout), describe(text)
    report = run(
        [sys.executable, "-m", "llmbase_migrate", "check", "--output-format", "json", "."],
        workdir,
        env,
        FIX_TIMEOUT,
    )
    summary = json.loads(report.stdout)["summary"]
    assert (summary["findings"], summary["fixable"]) == (0, 0), report.stdout
