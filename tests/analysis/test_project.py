"""Values written in other modules of the project reach the rules (issue 11).

Each test writes a small package to a temporary directory and runs ``check`` over it
(or over one file of it, as pre-commit does), through the engine's API.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from llmbase_migrate.config import load_settings
from llmbase_migrate.engine.api import RunOptions, check_paths
from llmbase_migrate.engine.outcome import Finding, HasFindings
from llmbase_migrate.engine.result_cache import ResultCache

CONFIG = """
[tool.llmbase-migrate]
model-map = { "gpt-4o-mini" = "deepseek/deepseek-v4-flash" }
"""


# Client options for LLMBase, kept in a module of their own: a ** dict read across
# modules is not followed, so these clients are left alone and only models count.
LLMBASE_OPTIONS = """
    import os
    LLMBASE = {"base_url": "https://api.llmbase.ai/v1", "api_key": os.environ["LLMBASE_API_KEY"]}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    (root / "pyproject.toml").write_text(CONFIG)
    return root


def findings(
    root: Path, *targets: str, cache: ResultCache | None = None
) -> dict[str, list[tuple[int, str, str]]]:
    """(line, code, message) per file, for a run over ``targets`` (default: all)."""
    settings = load_settings(config_file=None, search_from=root)
    paths = [root / target for target in targets] or [root]
    result = check_paths(paths, settings, cwd=root, options=RunOptions(cache=cache))
    found: dict[str, list[tuple[int, str, str]]] = {}
    for outcome in result.outcomes:
        if isinstance(outcome, HasFindings):
            found[outcome.path] = [_line(finding) for finding in outcome.findings]
    return found


def _line(finding: Finding) -> tuple[int, str, str]:
    return finding.span.line, finding.code, finding.message


def codes(found: dict[str, list[tuple[int, str, str]]]) -> dict[str, list[tuple[int, str]]]:
    return {path: [(line, code) for line, code, _ in items] for path, items in found.items()}


ISSUE_EXAMPLE = {
    "pkg/__init__.py": "",
    "pkg/config.py": """
        import os
        MODEL = "gpt-4o-mini"
        BASE_URL = "https://openrouter.ai/api/v1"
        API_KEY = os.getenv("OPENROUTER_API_KEY")
    """,
    "pkg/app.py": """
        from openai import OpenAI
        from pkg.config import MODEL, BASE_URL, API_KEY
        from pkg import config
        client = OpenAI(base_url=BASE_URL, api_key=API_KEY)
        client.chat.completions.create(model=MODEL, messages=[])
        client.chat.completions.create(model=config.MODEL, messages=[])
    """,
}


def test_the_issue_example_is_reported_where_the_user_edits(tmp_path: Path) -> None:
    found = findings(write(tmp_path, ISSUE_EXAMPLE))
    assert codes(found) == {
        "pkg/app.py": [(4, "LB101"), (4, "LB102")],
        # once, at the constant, for both requests that send it
        "pkg/config.py": [(2, "LB301")],
    }
    (_, _, message) = found["pkg/config.py"][0]
    assert "used in 2 places: pkg/app.py:5, 6" in message
    (_, _, base_url), (_, _, key) = found["pkg/app.py"]
    assert "openrouter.ai" in base_url and "set in pkg/config.py:3" in base_url
    assert "$OPENROUTER_API_KEY" in key and "set in pkg/config.py:4" in key


def test_a_file_checked_alone_names_the_module_the_value_is_set_in(tmp_path: Path) -> None:
    """Pre-commit passes only the changed file: the config module is read, not
    reported, and the findings stay at the requests."""
    found = findings(write(tmp_path, ISSUE_EXAMPLE), "pkg/app.py")
    assert codes(found) == {"pkg/app.py": [(4, "LB101"), (4, "LB102"), (5, "LB301"), (6, "LB301")]}
    assert all(
        "set in pkg/config.py:2" in message
        for _, code, message in found["pkg/app.py"]
        if code == "LB301"
    )


def test_editing_the_config_module_changes_a_cached_result(tmp_path: Path) -> None:
    root = write(tmp_path / "project", ISSUE_EXAMPLE)
    cache = ResultCache(tmp_path / "cache")
    first = codes(findings(root, "pkg/app.py", cache=cache))
    assert (5, "LB301") in first["pkg/app.py"]
    assert codes(findings(root, "pkg/app.py", cache=cache)) == first, "a warm run agrees"
    config = root / "pkg/config.py"
    config.write_text(config.read_text().replace("gpt-4o-mini", "deepseek/deepseek-v4-flash"))
    after = codes(findings(root, "pkg/app.py", cache=cache))
    assert (5, "LB301") not in after["pkg/app.py"]
    assert after["pkg/app.py"] == [(4, "LB101"), (4, "LB102")]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "app/__init__.py": "",
                "app/settings.py": 'MODEL = "gpt-4o-mini"\n',
                "app/llmbase.py": LLMBASE_OPTIONS,
                "app/chat.py": """
                    from openai import OpenAI
                    from .settings import MODEL
                    from .llmbase import LLMBASE
                    OpenAI(**LLMBASE).chat.completions.create(model=MODEL, messages=[])
                """,
            },
            {"app/settings.py": [(1, "LB301")]},
            id="relative import",
        ),
        pytest.param(
            {
                "settings.py": 'BASE_URL = "https://openrouter.ai/api/v1"\n',
                "bot.py": """
                    import os
                    import settings
                    from openai import OpenAI
                    client = OpenAI(base_url=settings.BASE_URL, api_key=os.environ["LLMBASE_API_KEY"])
                    client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
                """,
            },
            {"bot.py": [(4, "LB101")]},
            id="a script's sibling module",
        ),
        pytest.param(
            {
                "src/mylib/__init__.py": "from .defaults import DEFAULT_MODEL\n",
                "src/mylib/defaults.py": 'DEFAULT_MODEL = "gpt-4o-mini"\n',
                "src/mylib/llmbase.py": LLMBASE_OPTIONS,
                "src/mylib/ask.py": """
                    from openai import OpenAI
                    from mylib import DEFAULT_MODEL
                    from mylib.llmbase import LLMBASE
                    OpenAI(**LLMBASE).chat.completions.create(model=DEFAULT_MODEL, messages=[])
                """,
            },
            {"src/mylib/defaults.py": [(1, "LB301")]},
            id="src layout and a re-export through __init__",
        ),
        pytest.param(
            {
                "ns/conf.py": 'MODEL = "gpt-4o-mini"\n',
                "ns/llmbase.py": LLMBASE_OPTIONS,
                "ns/run.py": """
                    from openai import OpenAI
                    from ns.conf import MODEL
                    from ns.llmbase import LLMBASE
                    OpenAI(**LLMBASE).chat.completions.create(model=MODEL, messages=[])
                """,
            },
            {"ns/conf.py": [(1, "LB301")]},
            id="namespace package",
        ),
        pytest.param(
            {
                "cfg.py": """
                    import os
                    GATEWAY = os.getenv("GATEWAY_URL", "https://openrouter.ai/api/v1")
                """,
                "main.py": """
                    import os
                    from openai import OpenAI
                    from cfg import GATEWAY
                    client = OpenAI(base_url=GATEWAY, api_key=os.environ["LLMBASE_API_KEY"])
                    client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
                """,
            },
            {"main.py": [(4, "LB101")]},
            id="an env read with a default, in another module",
        ),
    ],
)
def test_values_through_other_modules(
    tmp_path: Path, files: dict[str, str], expected: dict[str, list[tuple[int, str]]]
) -> None:
    assert codes(findings(write(tmp_path, files))) == expected


@pytest.mark.parametrize(
    ("config", "read", "expected"),
    [
        pytest.param(
            """
            from pydantic_settings import BaseSettings
            class Settings(BaseSettings):
                openai_api_key: str
                model: str = "gpt-4o-mini"
            """,
            "Settings()",
            [(6, "LB102"), (7, "LB301")],
            id="pydantic settings: a field reads its variable",
        ),
        pytest.param(
            """
            from pydantic import Field
            from pydantic_settings import BaseSettings, SettingsConfigDict
            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")
                openai_api_key: str = Field(alias="OPENROUTER_API_KEY")
                model: str = "gpt-4o-mini"
            """,
            "Settings()",
            [(6, "LB102"), (7, "LB301")],
            id="pydantic settings: alias and env_prefix",
        ),
        pytest.param(
            """
            from dataclasses import dataclass
            @dataclass
            class Settings:
                openai_api_key: str = "unused"
                model: str = "gpt-4o-mini"
            """,
            "Settings()",
            [(7, "LB301")],
            id="dataclass field defaults",
        ),
        pytest.param(
            """
            from typing import NamedTuple
            class Settings(NamedTuple):
                openai_api_key: str = ""
                model: str = "gpt-4o-mini"
            """,
            "Settings()",
            [(7, "LB301")],
            id="NamedTuple field defaults",
        ),
        pytest.param(
            """
            import attrs
            @attrs.define
            class Settings:
                openai_api_key: str = ""
                model: str = attrs.field(default="gpt-4o-mini")
            """,
            "Settings()",
            [(7, "LB301")],
            id="attrs field defaults",
        ),
        pytest.param(
            """
            class Settings:
                openai_api_key = "unused"
                model = "gpt-4o-mini"
            """,
            "Settings",
            [(7, "LB301")],
            id="plain class attributes",
        ),
    ],
)
def test_configuration_objects(
    tmp_path: Path, config: str, read: str, expected: list[tuple[int, str]]
) -> None:
    files = {
        "conf.py": config,
        "client.py": f"""
            from openai import OpenAI
            from conf import Settings
            settings = {read}
            def make():
                client = OpenAI(base_url="https://api.llmbase.ai/v1",
                                api_key=settings.openai_api_key)
                client.chat.completions.create(model=settings.model, messages=[])
        """,
    }
    found = codes(findings(write(tmp_path, files), "client.py"))
    assert found.get("client.py") == expected


def test_an_annotated_parameter_and_self_reach_the_settings(tmp_path: Path) -> None:
    files = {
        "conf.py": """
            from pydantic_settings import BaseSettings
            class Settings(BaseSettings):
                openai_api_key: str
                base_url: str = "https://openrouter.ai/api/v1"
        """,
        "service.py": """
            from openai import OpenAI
            from conf import Settings
            class Service:
                def __init__(self, settings: Settings):
                    self.settings = settings
                    self.client = OpenAI(
                        base_url=self.settings.base_url,
                        api_key=settings.openai_api_key,
                    )
                def ask(self):
                    return self.client.chat.completions.create(model="z-ai/glm-5.1", messages=[])
        """,
    }
    found = codes(findings(write(tmp_path, files), "service.py"))
    assert found == {"service.py": [(7, "LB101"), (8, "LB102")]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            """
            def make(cfg):
                api_key = cfg.api_key or os.getenv("OPENAI_API_KEY")
                return OpenAI(base_url=URL, api_key=api_key)
            """,
            [(6, "LB102")],
            id="a or b: the env read after or",
        ),
        pytest.param(
            """
            def make(cfg):
                key = cfg.key
                if not key:
                    key = os.environ["OPENROUTER_API_KEY"]
                return OpenAI(base_url=URL, api_key=key)
            """,
            [(8, "LB102")],
            id="if not key: key = os.environ[...]",
        ),
        pytest.param(
            """
            def make(test):
                key = os.getenv("LLMBASE_API_KEY") if not test else os.getenv("OPENAI_API_KEY")
                return OpenAI(base_url=URL, api_key=key)
            """,
            [(6, "LB102")],
            id="x if cond else y",
        ),
        pytest.param(
            """
            KEY_ENV = "GROQ_API_KEY"
            client = OpenAI(base_url=URL, api_key=os.getenv(KEY_ENV))
            """,
            [(6, "LB102")],
            id="an env var name held in a name",
        ),
        pytest.param(
            """
            class Gateway:
                def _url(self):
                    return "https://openrouter.ai/api/v1"
                def make(self):
                    return OpenAI(base_url=self._url(), api_key=os.environ["LLMBASE_API_KEY"])
            """,
            [(7, "LB101")],
            id="a helper returning the URL",
        ),
        pytest.param(
            """
            def make(base_url):
                return OpenAI(base_url=base_url, api_key=os.environ["LLMBASE_API_KEY"])
            make("https://openrouter.ai/api/v1")
            """,
            [(7, "LB101")],
            id="a parameter every caller in the module sets",
        ),
        pytest.param(
            """
            def make(base_url):
                return OpenAI(base_url=base_url, api_key=os.environ["LLMBASE_API_KEY"])
            make("https://openrouter.ai/api/v1")
            make(load_url())
            """,
            [],
            id="a parameter one caller sets to what cannot be known",
        ),
    ],
)
def test_fallbacks_and_helpers(tmp_path: Path, body: str, expected: list[tuple[int, str]]) -> None:
    """Each finding is where the wrong value is written: the env read, the literal a
    helper returns, the argument a caller passes."""
    text = (
        "import os\nfrom openai import OpenAI\nURL = 'https://api.llmbase.ai/v1'\n\n"
        + textwrap.dedent(body).lstrip("\n")
    )
    (tmp_path / "app.py").write_text(text)
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    found = codes(findings(tmp_path))
    assert found.get("app.py", []) == expected, text


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {
                "conf.py": 'MODEL = "claude-3-5-sonnet-latest"\n',
                "bot.py": """
                    from anthropic import Anthropic
                    from conf import MODEL
                    Anthropic().messages.create(model=MODEL, max_tokens=10, messages=[])
                """,
            },
            id="the same shape on another SDK",
        ),
        pytest.param(
            {
                "conf.py": 'MODEL = "gpt-4o-mini"\nURL = "https://openrouter.ai/api/v1"\n',
                "bot.py": """
                    import os
                    from openai import OpenAI
                    from conf import MODEL, URL
                    print(MODEL, URL)
                    client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
                    client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
                """,
            },
            id="constants that never reach a client",
        ),
        pytest.param(
            {
                "conf.py": 'MODEL = "gpt-4o-mini"\n',
                "bot.py": """
                    import os
                    from openai import OpenAI
                    from somewhere_else import MODEL
                    client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
                    client.chat.completions.create(model=MODEL, messages=[])
                """,
            },
            id="an import that leaves the project",
        ),
    ],
)
def test_values_that_do_not_reach_a_client_stay_silent(
    tmp_path: Path, files: dict[str, str]
) -> None:
    assert findings(write(tmp_path, files)) == {}


def test_dicts_built_in_steps(tmp_path: Path) -> None:
    """Issue 11, item 5: constructor kwargs from a helper and in steps, request dicts
    merged with update() and **, and extra_body filled after it is made."""
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """
            import os
            from openai import AzureOpenAI, OpenAI

            class Client:
                def _kwargs(self):
                    return {"base_url": "https://openrouter.ai/api/v1", "api_key": os.environ["OPENROUTER_API_KEY"]}
                def make(self):
                    return OpenAI(**self._kwargs())

            def ask(client: OpenAI, settings):
                extra = {}
                extra["models"] = ["a", "b"]
                params = {"model": "deepseek/deepseek-v4-flash", "messages": []}
                params.update(extra)
                body = {**params, "route": "fallback"}
                extra_body = {}
                extra_body["provider"] = settings.provider
                client.chat.completions.create(**body, extra_body=extra_body)

            kw = {"api_version": "2024-06-01"}
            kw["azure_endpoint"] = os.environ["AZURE_OPENAI_ENDPOINT"]
            azure = AzureOpenAI(**kw)
            """
        ).lstrip("\n")
    )
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    assert codes(findings(tmp_path)) == {
        "app.py": [
            (6, "LB101"),
            (6, "LB102"),
            (12, "LB201"),
            (15, "LB201"),
            (17, "LB201"),
            (22, "LB106"),
        ]
    }
