"""The command line as users meet it: exit codes, output formats, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import Runner, project
from llmbase_migrate.rules import all_rules, lb201_vendor_routing_field

ROOT = Path(__file__).resolve().parent.parent
SECRET = "sk-proj-Zx81Kq0vLm2Nb7Yt4Rw9Pe3Ud6Sa5Hj"

ROUTED = """\
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(
    model="deepseek/deepseek-v4-flash",
    messages=[],
    extra_body={"provider": {"order": ["x"]}},
)
"""
CLEAN = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
"""


def test_findings_exit_1_with_ruff_style_lines(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app/routed.py": "import os\n" + ROUTED})
    result = run("check", cwd=root)
    assert result.code == 1
    assert 'app/routed.py:8:17: LB201 [*] extra_body["provider"]' in result.out
    assert "Found 1 finding in 1 file" in result.out
    assert "1 file scanned (1 parsed)" in result.out


def test_clean_project_exits_0(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"ok.py": CLEAN, "unrelated.py": "print('hello')\n"})
    result = run("check", ".", cwd=root)
    assert result.code == 0, result.out
    assert "All checks passed. 2 files scanned (1 parsed)." in result.out


def test_exit_zero(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"r.py": "import os\n" + ROUTED})
    assert run("check", "--exit-zero", cwd=root).code == 0


def test_demo_project(run: Runner) -> None:
    result = run("check", "fixtures/demo", cwd=ROOT)
    assert result.code == 1
    assert "Found 11 findings in 5 files" in result.out, "the README promises 11 findings"
    codes = {line.split()[1] for line in result.out.splitlines() if ": LB" in line}
    assert {"LB101", "LB102", "LB201", "LB401", "LB501"} <= codes


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--select", "LB201"], {"LB201"}),
        (["--select", "LB2,LB4"], {"LB201", "LB401"}),
        (["--ignore", "LB1"], {"LB201", "LB401"}),
        (["--ignore", "LB201", "--ignore", "LB401"], {"LB101", "LB102"}),
        (["--extend-select", "LB206"], {"LB101", "LB102", "LB201", "LB206", "LB401"}),
    ],
)
def test_rule_selection(
    run: Runner, tmp_path: Path, options: list[str], expected: set[str]
) -> None:
    code = (
        "from openai import OpenAI\nclient = OpenAI()\n"
        "client.chat.completions.create(model='deepseek/deepseek-v4-flash', messages=[], provider={})\n"
        "embedder = OpenAI()\nembedder.embeddings.create(input='x')\n"
    )
    root = project(tmp_path, {"a.py": code})
    result = run("check", *options, "--output-format", "json", cwd=root)
    found = {d["code"] for d in json.loads(result.out)["diagnostics"]}
    assert found == expected


def test_unknown_rule_code_is_a_one_line_usage_error(run: Runner, tmp_path: Path) -> None:
    result = run("check", "--select", "LB20", "--select", "LB999", cwd=tmp_path)
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "LB999" in result.err and result.err.startswith("llmbase-migrate: error:")


def test_unknown_config_key_with_did_you_mean(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": CLEAN}, config='base_url = "https://api.llmbase.ai/v1"\n')
    result = run("check", cwd=root)
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "base_url" in result.err and "did you mean 'base-url'" in result.err


def test_bad_config_value(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": CLEAN}, config='select = "LB201"\n')
    result = run("check", cwd=root)
    assert result.code == 2 and "select" in result.err and result.err.count("\n") == 1


def test_config_from_pyproject_changes_the_base_url(run: Runner, tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {"a.py": CLEAN.replace("https://api.llmbase.ai/v1", "http://127.0.0.1:9999/v1")},
        config='base-url = "http://127.0.0.1:9999/v1"\n',
    )
    assert run("check", cwd=root).code == 0
    result = run("check", "--show-settings", cwd=root)
    assert 'base-url = "http://127.0.0.1:9999/v1"' in result.out


def test_unparseable_file_is_reported_and_untouched(run: Runner, tmp_path: Path) -> None:
    broken = "import openai\n\ndef broken(:\n    pass\n"
    root = project(tmp_path, {"broken.py": broken, "ok.py": CLEAN})
    result = run("check", cwd=root)
    assert result.code == 1
    assert "broken.py:3:12: LB001" in result.out
    assert (root / "broken.py").read_text() == broken


def test_non_utf8_file_with_a_coding_cookie(run: Runner, tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n# café\n" + "import os\n" + ROUTED
    (tmp_path / "legacy.py").write_bytes(source.encode("latin-1"))
    result = run("check", cwd=tmp_path)
    assert result.code == 1
    assert "legacy.py:10:17: LB201" in result.out


def test_undecodable_file_is_skipped_with_a_reason(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_bytes(b"import openai\nx = '\xff\xfe'\n")
    result = run("check", "-v", cwd=tmp_path)
    assert result.code == 1
    assert "bad.py: skipped: invalid utf-8" in result.out


def test_stdin(run: Runner, tmp_path: Path) -> None:
    data = ("import os\n" + ROUTED).encode()
    result = run("check", "-", cwd=tmp_path, stdin=data)
    assert result.code == 1 and result.out.startswith("-:8:17: LB201")
    named = run("check", "-", "--stdin-filename", "pkg/mod.py", cwd=tmp_path, stdin=data)
    assert named.out.startswith("pkg/mod.py:8:17: LB201")


def test_stdin_cannot_mix_with_paths(run: Runner, tmp_path: Path) -> None:
    result = run("check", "-", "other.py", cwd=tmp_path, stdin=b"")
    assert result.code == 2 and "stdin" in result.err


def test_missing_path_is_a_one_line_error(run: Runner, tmp_path: Path) -> None:
    result = run("check", "nope/", cwd=tmp_path)
    assert result.code == 2
    assert result.err.strip() == "llmbase-migrate: error: path does not exist: nope"


def test_json_output(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"pkg/routed.py": "import os\n" + ROUTED})
    result = run("check", "--output-format", "json", cwd=root)
    document = json.loads(result.out)
    assert document["version"] == 1
    (diagnostic,) = document["diagnostics"]
    assert diagnostic == {
        "path": "pkg/routed.py",
        "line": 8,
        "column": 17,
        "end_line": 8,
        "end_column": 27,
        "code": "LB201",
        "name": "vendor-routing-field",
        "severity": "error",
        "message": diagnostic["message"],
        "fix": {
            "applicability": "safe",
            "message": "remove provider",
            # the extra_body line goes whole: it held nothing else
            "edits": [
                {
                    "content": "",
                    "location": {"row": 8, "column": 1},
                    "end_location": {"row": 9, "column": 1},
                }
            ],
            "reason": None,
            "leftovers": [],
        },
    }
    assert document["summary"]["findings"] == 1
    assert document["summary"]["by_code"] == {"LB201": 1}


def test_noqa_suppression(run: Runner, tmp_path: Path) -> None:
    code = "import os\n" + ROUTED.replace(
        'extra_body={"provider": {"order": ["x"]}},',
        'extra_body={"provider": {"order": ["x"]}},  # noqa: LB201',
    )
    bare = code.replace("# noqa: LB201", "# noqa")
    other = code.replace("# noqa: LB201", "# noqa: LB101")
    root = project(tmp_path, {"a.py": code, "b.py": bare, "c.py": other})
    result = run("check", cwd=root)
    assert result.code == 1
    assert "a.py" not in result.out and "b.py" not in result.out
    assert "c.py:8:17: LB201" in result.out
    assert "2 suppressed by noqa" in result.out


def test_per_file_ignores(run: Runner, tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {"tests/test_x.py": "import os\n" + ROUTED, "app.py": "import os\n" + ROUTED},
        config='[tool.llmbase-migrate.per-file-ignores]\n"tests/*" = ["LB2"]\n',
    )
    result = run("check", cwd=root)
    assert "app.py:8:17: LB201" in result.out and "tests/test_x.py" not in result.out


def test_secrets_are_never_printed_whole(run: Runner, tmp_path: Path) -> None:
    code = f'from openai import OpenAI\nclient = OpenAI(api_key="{SECRET}")\n'
    root = project(tmp_path, {"a.py": code})
    text = run("check", cwd=root)
    as_json = run("check", "--output-format", "json", cwd=root)
    assert "LB103" in text.out and "sk-p…Hj" in text.out
    for output in (text.out, as_json.out):
        assert SECRET not in output
        assert SECRET[6:20] not in output


def test_statistics(run: Runner) -> None:
    result = run("check", "fixtures/demo", "--statistics", cwd=ROOT)
    assert "    3  LB201  vendor-routing-field" in result.out


def test_rules_and_explain(run: Runner, tmp_path: Path) -> None:
    listing = run("rules", cwd=tmp_path)
    assert listing.code == 0
    assert len([line for line in listing.out.splitlines() if line.startswith("LB")]) == len(
        all_rules()
    )
    assert "LB206  missing-max-tokens" in listing.out
    explained = run("explain", "LB201", cwd=tmp_path)
    assert explained.code == 0
    assert "vendor-routing-field" in explained.out and "Reported:" in explained.out
    by_name = run("explain", "service-tier", cwd=tmp_path)
    assert by_name.out.startswith("LB202 service-tier")
    unknown = run("explain", "LB2O1", cwd=tmp_path)
    assert unknown.code == 2 and "did you mean LB201" in unknown.err


def test_internal_errors_are_one_line_unless_debug(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> object:
        raise ValueError("boom")

    monkeypatch.setattr(lb201_vendor_routing_field, "check", explode)
    from llmbase_migrate import rules

    rules.all_rules.cache_clear()
    rules.rules_by_code.cache_clear()
    try:
        root = project(tmp_path, {"a.py": "import os\n" + ROUTED, "b.py": CLEAN})
        result = run("check", cwd=root)
        assert result.code == 2
        assert "a.py: error: rule LB201 crashed: ValueError: boom" in result.out
        assert "Traceback" not in result.out + result.err
        assert "No findings, but some files could not be checked" in result.out
        assert "2 failed" in result.out
        debug = run("check", "--debug", cwd=root)
        assert "Traceback" in debug.out
    finally:
        rules.all_rules.cache_clear()
        rules.rules_by_code.cache_clear()


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    script = Path(sys.executable).parent / "llmbase-migrate"
    demo = subprocess.run(
        [str(script), "check", "fixtures/demo"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert demo.returncode == 1, demo.stderr
    assert "LB201" in demo.stdout
    # Without a key the bundled snapshot is used, and said so in one warning line.
    assert [line.split(":")[1] for line in demo.stderr.splitlines()] == [" warning"]
    version = subprocess.run(
        [sys.executable, "-m", "llmbase_migrate", "--version"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert version.returncode == 0 and "llmbase-migrate, version" in version.stdout


def test_parallel_and_serial_runs_agree(run: Runner) -> None:
    serial = run("check", "fixtures", "--jobs", "1", "--output-format", "json", cwd=ROOT)
    parallel = run("check", "fixtures", "--jobs", "2", "--output-format", "json", cwd=ROOT)
    assert serial.code == parallel.code == 1
    documents = [json.loads(serial.out), json.loads(parallel.out)]
    for document in documents:
        document["catalog"].pop("age_seconds")  # measured at the end of each run
    assert documents[0] == documents[1]
    assert json.loads(serial.out)["summary"]["findings"] > 150
