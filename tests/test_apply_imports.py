"""``fixes.apply.change_imports``: the imports fixes add and remove, module-level only."""

from __future__ import annotations

import pytest

from llmbase_migrate.fixes.apply import apply_round, change_imports
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix, ImportChange

OS = ImportChange("os")
AZURE = ImportChange("openai", "AzureOpenAI")
OPENAI = ImportChange("openai", "OpenAI")


def added(text: str, *changes: ImportChange) -> str:
    result = change_imports(text, changes, ())
    compile(result, "<added>", "exec")
    return result


def removed(text: str, *changes: ImportChange) -> str:
    result = change_imports(text, (), changes)
    compile(result, "<removed>", "exec")
    return result


# --------------------------------------------------------------------------------------
# Adding


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "import openai\nc = 1\n",
            "import openai\nimport os\n\nc = 1\n",
            id="after-the-leading-imports-then-an-empty-line",
        ),
        pytest.param(
            '"""Doc."""\nc = 1\n',
            '"""Doc."""\nimport os\n\nc = 1\n',
            id="after-the-docstring",
        ),
        pytest.param(
            "# header\n\nc = 1\n",
            "# header\n\nimport os\n\nc = 1\n",
            id="below-the-header-comments",
        ),
        pytest.param(
            "from __future__ import annotations; import sys\nc = 1\n",
            "from __future__ import annotations; import sys\nimport os\n\nc = 1\n",
            id="after-a-future-import-sharing-its-line",
        ),
        pytest.param(
            '"""Doc."""\nfrom __future__ import annotations; x = 1\nc = 1\n',
            '"""Doc."""\nfrom __future__ import annotations; x = 1\nimport os\n\nc = 1\n',
            id="after-a-future-import-sharing-its-line-with-code",
        ),
        pytest.param(
            "import sys; import json\nimport openai\nc = 1\n",
            "import sys; import json\nimport openai\nimport os\n\nc = 1\n",
            id="a-line-of-several-imports-is-in-the-block",
        ),
        pytest.param(
            "import openai\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\n"
            "import json\n",
            "import openai\nimport os\n\ntry:\n    import ujson\nexcept ImportError:\n"
            "    ujson = None\nimport json\n",
            id="before-a-try-ending-the-leading-block",
        ),
        pytest.param(
            "import openai\n# about c\nc = 1\n",
            "import openai\nimport os\n\n# about c\nc = 1\n",
            id="an-empty-line-above-a-comment",
        ),
        pytest.param("import openai", "import openai\nimport os\n", id="no-final-newline"),
        pytest.param("", "import os\n", id="empty-module"),
    ],
)
def test_an_import_is_added_at_the_end_of_the_leading_block(text: str, expected: str) -> None:
    assert added(text, OS) == expected


def test_an_import_present_in_the_leading_block_is_not_added_again() -> None:
    text = "import os\nfrom openai import OpenAI\nc = 1\n"
    assert added(text, OS, OPENAI) == text
    assert added("from openai import *\nc = 1\n", OPENAI) == "from openai import *\nc = 1\n"


def test_an_aliased_or_local_import_does_not_count() -> None:
    assert added("import os as o\nc = 1\n", OS) == "import os as o\nimport os\n\nc = 1\n"
    text = "c = 1\ndef f():\n    import os\n"
    assert added(text, OS) == "import os\n\nc = 1\ndef f():\n    import os\n"


def test_a_name_joins_an_import_from_its_module() -> None:
    assert added("from openai import AzureOpenAI\nc = 1\n", OPENAI) == (
        "from openai import OpenAI, AzureOpenAI\nc = 1\n"
    )
    assert added("import openai\nc = 1\n", OPENAI, OS) == (
        "import openai\nimport os\nfrom openai import OpenAI\n\nc = 1\n"
    )


def test_a_dotted_module_is_added() -> None:
    assert added("c = 1\n", ImportChange("os.path")) == "import os.path\n\nc = 1\n"
    assert added("c = 1\n", ImportChange("a.b", "C")) == "from a.b import C\n\nc = 1\n"


def test_an_import_is_added_to_a_module_with_a_form_feed_in_its_first_indentation() -> None:
    # Bug 6: LibCST takes "\f    " for the module's default indentation, which its
    # AddImportsVisitor rejected (ValueError: Got an invalid value for default_indent).
    text = "import openai\n\ndef f():\n\x0c    pass\n    if f:\n\x0c        pass\n"
    assert added(text, OS) == "import openai\nimport os\n" + text.removeprefix("import openai\n")


def test_only_the_import_lines_change() -> None:
    # LibCST does not give every text back as it was: it drops a form feed starting a
    # line, and copies one in the first indentation to every line of its block.
    text = "import openai\n\x0cc = 1\ndef f():\n\x0c    pass\n    pass\n"
    assert added(text, OS) == "import openai\nimport os\n\n" + text.removeprefix("import openai\n")
    text = "import os, sys\n\x0cc = 1\ndef f():\n\x0c    pass\n    pass\n"
    assert removed(text, OS) == "import sys\n" + text.removeprefix("import os, sys\n")
    assert removed("import openai\n\x0cimport os, sys\n", OS) == "import openai\n\x0cimport sys\n"
    assert added("\x0cfrom openai import A\n", OPENAI) == "\x0cfrom openai import OpenAI, A\n"


def test_added_imports_end_their_lines_as_the_module_does() -> None:
    assert added("import openai\r\nc = 1\r\n", OS) == "import openai\r\nimport os\r\n\r\nc = 1\r\n"


# --------------------------------------------------------------------------------------
# Removing


def test_an_unused_module_level_import_is_removed() -> None:
    assert removed("import os\nimport openai\nc = 1\n", OS) == "import openai\nc = 1\n"


def test_imports_in_functions_classes_and_blocks_stay() -> None:
    # Bug 4: RemoveImportsVisitor removed every unused ``import os``, in any function;
    # a function whose only statement it was became ``pass``, its comment gone.
    text = (
        "import os\nc = 1\n\n\ndef helper():\n    # keep 1\n    import os\n\n\n"
        "class K:\n    import os\n\n\ntry:\n    import os\nexcept ImportError:\n    pass\n"
        "if c:\n    import os\n"
    )
    assert removed(text, OS) == text.removeprefix("import os\n")


def test_an_import_still_used_anywhere_stays() -> None:
    for use in ("def f():\n    return os.sep\n", "__all__ = ['os']\n", "x: 'os.PathLike[str]'\n"):
        text = "import os\n" + use
        assert removed(text, OS) == text


def test_an_import_shadowed_in_a_function_stays_while_the_name_is_used() -> None:
    # Erring on the side of keeping: the module never uses its own ``os``, but says os.
    text = "import os\ndef f():\n    import os\n    return os.sep\n"
    assert removed(text, OS) == text


def test_only_the_names_asked_for_go() -> None:
    assert removed("import os, sys\n", OS) == "import sys\n"
    assert removed("import sys, os\n", OS) == "import sys\n"
    assert removed("import sys, os, json\n", OS) == "import sys, json\n"
    assert removed("import os as o\n", OS) == "import os as o\n"
    assert removed("import os.path\n", OS) == "import os.path\n"
    assert (
        removed("from openai import AzureOpenAI, OpenAI\n", AZURE) == "from openai import OpenAI\n"
    )
    assert (
        removed("from openai import OpenAI, AzureOpenAI\n", AZURE) == "from openai import OpenAI\n"
    )
    assert removed("from . import AzureOpenAI\n", AZURE) == "from . import AzureOpenAI\n"
    assert removed("from other import AzureOpenAI\n", AZURE) == "from other import AzureOpenAI\n"


def test_a_parenthesized_import_keeps_its_layout() -> None:
    text = "from openai import (\n    AzureOpenAI,\n    OpenAI,\n)\n"
    assert removed(text, AZURE) == "from openai import (\n    OpenAI,\n)\n"
    assert removed(text, OPENAI) == "from openai import (\n    AzureOpenAI,\n)\n"


def test_other_statements_on_the_line_stay() -> None:
    assert removed("import os; x = 1\n", OS) == "x = 1\n"
    assert removed("x = 1; import os\n", OS) == "x = 1\n"
    assert removed("x = 1; import os;\n", OS) == "x = 1;\n"


def test_comments_above_a_removed_import_stay() -> None:
    text = "import openai\n\n# the environment\nimport os\nc = 1\n"
    assert removed(text, OS) == "import openai\n\n# the environment\nc = 1\n"
    assert removed("import openai\n# last\nimport os\n", OS) == "import openai\n# last\n"
    assert removed("import openai\n\nimport os\n\nc = 1\n", OS) == "import openai\n\nc = 1\n"


# --------------------------------------------------------------------------------------
# Through apply_round


def test_a_fix_removes_only_the_module_level_import_it_left_unused() -> None:
    text = (
        "import os\nimport openai\n\nc = openai.OpenAI(base_url=os.getenv('URL'))\n\n\n"
        "def helper():\n    # keep 1\n    import os\n"
    )
    column = text.splitlines()[3].index("os.getenv") + 1
    edit = Edit(4, column, 4, column + len("os.getenv('URL')"), "'https://api.llmbase.ai/v1'")
    fix = Fix(Applicability.UNSAFE, "base_url", (edit,), remove_imports=(OS,))
    result = apply_round(text, [fix])
    assert result.applied == (0,)
    assert result.text == (
        "import openai\n\nc = openai.OpenAI(base_url='https://api.llmbase.ai/v1')\n\n\n"
        "def helper():\n    # keep 1\n    import os\n"
    )


def test_a_fix_adds_its_import_below_a_future_import_sharing_its_line() -> None:
    text = "from __future__ import annotations; import sys\nimport openai\nc = KEY\n"
    fix = Fix(
        Applicability.SAFE,
        "key",
        (Edit(3, 5, 3, 8, "os.environ['K']"),),
        add_imports=(OS,),
    )
    assert apply_round(text, [fix]).text == (
        "from __future__ import annotations; import sys\nimport openai\nimport os\n\n"
        "c = os.environ['K']\n"
    )
