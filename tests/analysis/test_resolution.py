"""Every resolution pattern the analyzer promises, checked on the facts it gathers."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from llmbase_migrate.analysis.collector import collect_facts
from llmbase_migrate.analysis.facts import ClientKind, ModuleFacts, Receiver, ValueKind


def facts_of(code: str) -> ModuleFacts:
    return collect_facts(cst.parse_module(textwrap.dedent(code).lstrip("\n")))


def chat_receivers(code: str) -> list[Receiver]:
    return [call.receiver for call in facts_of(code).chat_calls]


def client_kinds(code: str) -> list[ClientKind]:
    return [setup.kind for setup in facts_of(code).clients]


@pytest.mark.parametrize(
    ("code", "kinds"),
    [
        pytest.param("import openai\nopenai.OpenAI()\n", [ClientKind.OPENAI], id="import openai"),
        pytest.param("import openai as oa\noa.AsyncOpenAI()\n", [ClientKind.OPENAI], id="alias"),
        pytest.param("from openai import OpenAI as C\nC()\n", [ClientKind.OPENAI], id="from-as"),
        pytest.param(
            "from openai import AzureOpenAI, AsyncAzureOpenAI\nAzureOpenAI()\nAsyncAzureOpenAI()\n",
            [ClientKind.AZURE, ClientKind.AZURE],
            id="azure",
        ),
        pytest.param(
            "def make():\n    from openai import AsyncOpenAI\n    return AsyncOpenAI()\n",
            [ClientKind.OPENAI],
            id="import inside a function",
        ),
        pytest.param("import openai\nopenai.Client()\n", [ClientKind.OPENAI], id="openai.Client"),
        pytest.param(
            "from myapp import openai\nopenai.OpenAI()\n", [], id="a project module named openai"
        ),
        pytest.param(
            "class openai:\n    OpenAI = dict\nopenai.OpenAI()\n",
            [],
            id="a local class named openai",
        ),
        pytest.param(
            "import openai\nopenai = FakeSDK()\nopenai.OpenAI()\n",
            [],
            id="a variable rebinding openai",
        ),
        pytest.param("from groq import Groq\nGroq()\n", [], id="groq"),
        pytest.param("from langchain_openai import ChatOpenAI\nChatOpenAI()\n", [], id="langchain"),
    ],
)
def test_client_constructions(code: str, kinds: list[ClientKind]) -> None:
    assert client_kinds(code) == kinds


CLIENT = "from openai import OpenAI, AsyncOpenAI\n"


@pytest.mark.parametrize(
    ("code", "receivers"),
    [
        pytest.param(
            CLIENT + "client = OpenAI()\nclient.chat.completions.create(model='m')\n",
            [Receiver.CLIENT],
            id="variable",
        ),
        pytest.param(
            CLIENT + "client = OpenAI()\ndef ask():\n    return client.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="module-level client in a function",
        ),
        pytest.param(
            CLIENT + "class Bot:\n    def __init__(self):\n        self.client = OpenAI()\n"
            "    def ask(self):\n        return self.client.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="self attribute set in another method",
        ),
        pytest.param(
            CLIENT + "class Bot:\n    client = OpenAI()\n"
            "    def ask(self):\n        return self.client.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="class attribute",
        ),
        pytest.param(
            CLIENT + "class Base:\n    def __init__(self):\n        self.llm = OpenAI()\n"
            "class Child(Base):\n    def ask(self):\n        return self.llm.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="attribute inherited from a base class",
        ),
        pytest.param(
            CLIENT + "with OpenAI() as c:\n    c.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="with statement",
        ),
        pytest.param(
            CLIENT + "async def f():\n    async with AsyncOpenAI() as c:\n"
            "        await c.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="async with and await",
        ),
        pytest.param(
            CLIENT + "def ask(client: OpenAI):\n    return client.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="annotated parameter",
        ),
        pytest.param(
            CLIENT + "def ask(client: 'AsyncOpenAI | None'):\n"
            "    return client.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="string annotation",
        ),
        pytest.param(
            CLIENT
            + "client = OpenAI()\nclient.with_options(timeout=5).chat.completions.create()\n",
            [Receiver.CLIENT],
            id="with_options",
        ),
        pytest.param(
            CLIENT
            + "c = OpenAI()\nc.beta.chat.completions.parse()\nc.beta.chat.completions.stream()\n"
            "c.chat.completions.parse()\nc.chat.completions.stream()\n",
            [Receiver.CLIENT] * 4,
            id="parse and stream",
        ),
        pytest.param(
            CLIENT + "c = OpenAI()\nc.chat.completions.with_raw_response.create()\n"
            "c.chat.completions.with_streaming_response.create()\n",
            [Receiver.CLIENT] * 2,
            id="raw and streaming responses",
        ),
        pytest.param(
            CLIENT + "c = OpenAI()\ncompletions = c.chat.completions\ncompletions.create()\n",
            [Receiver.CLIENT],
            id="resource bound to a name",
        ),
        pytest.param(
            CLIENT + "class Svc:\n    client: AsyncOpenAI\n"
            "    async def ask(self):\n        return await self.client.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="class attribute declared by annotation",
        ),
        pytest.param(
            CLIENT + "def get_client() -> OpenAI:\n    ...\n"
            "get_client().chat.completions.create()\n",
            [Receiver.CLIENT],
            id="function with a client return type",
        ),
        pytest.param(
            CLIENT + "def ask(client=None):\n    client = client or OpenAI()\n"
            "    return client.chat.completions.create()\n",
            [Receiver.CLIENT],
            id="a default client after or",
        ),
        pytest.param(
            "import openai\nopenai.chat.completions.create()\n",
            [Receiver.MODULE],
            id="module client",
        ),
        pytest.param(
            "import openai\ndef ask(client):\n    return client.chat.completions.create()\n",
            [Receiver.UNRESOLVED],
            id="unresolved receiver in a module importing openai",
        ),
        pytest.param(
            "def ask(client):\n    return client.chat.completions.create()\n",
            [],
            id="unresolved receiver without an openai import",
        ),
        pytest.param(
            "import openai\nfrom groq import Groq\nclient = Groq()\nclient.chat.completions.create()\n",
            [],
            id="receiver bound to another SDK",
        ),
        pytest.param(
            "import openai\nfrom huggingface_hub import InferenceClient\n"
            "def ask(client: InferenceClient):\n    return client.chat.completions.create()\n",
            [],
            id="parameter annotated with another SDK",
        ),
        pytest.param(
            "import openai\nopenai.ChatCompletion.create(model='gpt-4')\n",
            [Receiver.MODULE],
            id="legacy chat call is a chat request",
        ),
    ],
)
def test_chat_calls(code: str, receivers: list[Receiver]) -> None:
    assert chat_receivers(code) == receivers


def fields_of(code: str) -> list[tuple[str, str]]:
    (call,) = facts_of(code).chat_calls
    return [(field.name, field.origin.value) for field in call.arguments.fields]


def test_keyword_fields() -> None:
    code = CLIENT + "OpenAI().chat.completions.create(model='m', provider={'x': 1})\n"
    assert fields_of(code) == [("model", "keyword"), ("provider", "keyword")]


def test_extra_body_literal_dict_call_and_name() -> None:
    code = CLIENT + (
        "body = dict(route='fallback')\n"
        "c = OpenAI()\n"
        "c.chat.completions.create(model='m', extra_body={'provider': {}, **body})\n"
    )
    assert ("provider", "extra_body") in fields_of(code)
    assert ("route", "extra_body") in fields_of(code)


def test_splat_dict_with_later_mutations() -> None:
    code = CLIENT + (
        "def ask(c: OpenAI):\n"
        "    params = {'model': 'm'}\n"
        "    params['models'] = ['a', 'b']\n"
        "    params.update(debug=True)\n"
        "    params.update({'plugins': []})\n"
        "    return c.chat.completions.create(**params)\n"
    )
    assert {name for name, origin in fields_of(code) if origin == "splat"} == {
        "model",
        "models",
        "debug",
        "plugins",
    }


def test_unknown_splat_marks_arguments_incomplete() -> None:
    code = (
        CLIENT + "def ask(c: OpenAI, **params):\n    return c.chat.completions.create(**params)\n"
    )
    (call,) = facts_of(code).chat_calls
    assert not call.arguments.complete


def test_constructor_kwargs_from_dict_in_same_scope() -> None:
    code = CLIENT + "options = {'base_url': 'https://openrouter.ai/api/v1'}\nOpenAI(**options)\n"
    (setup,) = facts_of(code).clients
    base_url = setup.arguments.named("base_url")
    assert base_url is not None and base_url.value.text == "https://openrouter.ai/api/v1"
    assert setup.arguments.complete


@pytest.mark.parametrize(
    ("expression", "kind", "detail"),
    [
        ("'https://x'", ValueKind.STRING, "https://x"),
        ("URL", ValueKind.STRING, "https://const"),
        ("os.environ['LLMBASE_API_KEY']", ValueKind.ENV, "LLMBASE_API_KEY"),
        ("os.getenv('OPENAI_API_KEY')", ValueKind.ENV, "OPENAI_API_KEY"),
        ("os.environ.get('K', 'd')", ValueKind.ENV, "K"),
        ("getenv('G')", ValueKind.ENV, "G"),
        ("os.getenv(NAME)", ValueKind.ENV, "FROM_CONSTANT"),
        ("os.getenv('A') or 'fallback'", ValueKind.ENV, "A"),
        ("None", ValueKind.NONE, None),
        ("settings.OPENAI_API_KEY", ValueKind.UNKNOWN, "OPENAI_API_KEY"),
        ("config['openrouter_key']", ValueKind.UNKNOWN, "openrouter_key"),
    ],
)
def test_value_resolution(expression: str, kind: ValueKind, detail: str | None) -> None:
    code = (
        "import os\nfrom os import getenv\nfrom openai import OpenAI\n"
        "URL = 'https://const'\nNAME = 'FROM_CONSTANT'\n"
        f"OpenAI(api_key={expression})\n"
    )
    (setup,) = facts_of(code).clients
    api_key = setup.arguments.named("api_key")
    assert api_key is not None
    value = api_key.value
    assert value.kind is kind
    found = {
        ValueKind.STRING: value.text,
        ValueKind.ENV: value.env_var,
        ValueKind.UNKNOWN: value.identifier,
        ValueKind.NONE: None,
    }[kind]
    assert found == detail


def test_function_level_constant() -> None:
    code = (
        CLIENT
        + "def make():\n    url = 'https://openrouter.ai/api/v1'\n    return OpenAI(base_url=url)\n"
    )
    (setup,) = facts_of(code).clients
    field = setup.arguments.named("base_url")
    assert field is not None and field.value.text == "https://openrouter.ai/api/v1"


def test_module_assignments() -> None:
    facts = facts_of(
        "import openai as oa\noa.api_key = 'x'\noa.base_url = 'u'\nother.api_key = 'y'\n"
    )
    assert [a.attribute for a in facts.module_assignments] == ["api_key", "base_url"]


def test_endpoint_uses_point_at_the_resource_attribute() -> None:
    facts = facts_of(
        CLIENT + "c = OpenAI()\nc.embeddings.create(input='x')\nc.beta.assistants.list()\n"
        "c.audio.transcriptions.create()\nc.models.list()\nc.completions.create(prompt='p')\n"
    )
    assert [use.resource for use in facts.endpoint_uses] == [
        "embeddings",
        "beta.assistants",
        "audio",
        "completions",
    ]
    first = facts.endpoint_uses[0].span
    assert (first.line, first.column, first.end_column) == (3, 3, 13)


def test_strings_and_comments_are_not_code() -> None:
    facts = facts_of(
        CLIENT + "# client.chat.completions.create(provider='x')\n"
        "DOC = 'client.chat.completions.create(provider=1)'\n"
    )
    assert facts.chat_calls == () and facts.clients == ()


def test_noqa_comments() -> None:
    facts = facts_of("import openai  # noqa: LB101, lb2\nx = 1  # noqa\ny = 2  # nothing\n")
    assert facts.noqa == {1: frozenset({"LB101", "LB2"}), 2: frozenset()}
