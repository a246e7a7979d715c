"""Hostile input: each bad file is one reported outcome and the run goes on.

Every case sits beside a normal OpenAI file that must still be reported (check)
or fixed (fix), exits 1 (a skipped file is a problem, not a crash: never 2, never a
traceback) and, under ``fix``, leaves the bad file's bytes and its directory
exactly as they were: no half-written file, no stray temporary file.

Inputs that can kill or block the process itself (native stack overflow in
LibCST's parser, a FIFO) run the CLI in a subprocess with a timeout, so that a
regression fails the test instead of the test session.
"""

from __future__ import annotations

import ast
import errno
import json
import os
import pickle
import random
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from cli_runner import Run, Runner
from llmbase_migrate.config import Settings
from llmbase_migrate.engine import api as api_module
from llmbase_migrate.engine import deep_stack
from llmbase_migrate.engine import source as source_module
from llmbase_migrate.engine.api import RunOptions, check_paths
from llmbase_migrate.engine.discovery import discover
from llmbase_migrate.engine.fixer import fix_bytes
from llmbase_migrate.engine.outcome import Clean, Skipped

NORMAL = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(
    model="deepseek/deepseek-v4-flash",
    messages=[],
    extra_body={"provider": {"order": ["x"]}},
)
"""
NORMAL_FIXED = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(
    model="deepseek/deepseek-v4-flash",
    messages=[],
)
"""
NORMAL_FINDING = 'normal.py:8:17: LB201 [*] extra_body["provider"]'
NESTED_TOO_DEEPLY = "nested too deeply to analyse"

# What fix must leave alone: file names, link targets, modes and bytes.
Snapshot = dict[str, tuple[Any, ...]]
Reason = str | re.Pattern[str]


def _project(root: Path, files: dict[str, bytes | str]) -> Path:
    (root / "normal.py").write_text(NORMAL)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
    return root


def _snapshot(root: Path) -> Snapshot:
    """Every entry under ``root`` but normal.py, without following links or opening FIFOs."""
    entries: Snapshot = {}
    for directory, names, files in os.walk(root):
        for name in names + files:
            path = Path(directory, name)
            key = path.relative_to(root).as_posix()
            if key == "normal.py":
                continue
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode):
                entries[key] = ("link", str(path.readlink()))
            elif stat.S_ISREG(status.st_mode):
                try:
                    content: bytes | None = path.read_bytes()
                except PermissionError:
                    content = None
                entries[key] = ("file", stat.S_IMODE(status.st_mode), content)
            else:
                entries[key] = ("other", stat.S_IFMT(status.st_mode))
    return entries


def _lines_about(output: str, path: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{path}:")]


def _matches(reason: Reason, actual: str) -> bool:
    if isinstance(reason, str):
        return actual == reason
    return reason.fullmatch(actual) is not None


def _assert_ran_on(code: int, out: str, err: str) -> None:
    """Exit 1, no traceback, no run-level error: the run went on."""
    assert code == 1, (code, out, err)
    assert "Traceback" not in out + err
    assert "error:" not in err, err


def _assert_one_skip(text: Run, document: dict[str, Any], path: str, reason: Reason) -> None:
    """``path`` is exactly one skipped outcome, in text and in JSON; normal.py still reported."""
    _assert_ran_on(text.code, text.out, text.err)
    lines = _lines_about(text.out, path)
    assert len(lines) == 1, text.out
    prefix = f"{path}: skipped: "
    assert lines[0].startswith(prefix) and _matches(reason, lines[0].removeprefix(prefix)), lines
    assert NORMAL_FINDING in text.out
    skipped = [entry for entry in document["summary"]["skipped"] if entry["path"] == path]
    assert len(skipped) == 1, document["summary"]
    assert _matches(reason, skipped[0]["reason"]), skipped
    assert not [d for d in document["diagnostics"] if d["path"] == path]
    assert any(
        d["path"] == "normal.py" and d["code"] == "LB201" for d in document["diagnostics"]
    ), document


def _check(
    run: Runner, root: Path, *args: str, prepare: Callable[[], None] | None = None
) -> tuple[Run, dict[str, Any]]:
    """``check`` as text and as JSON (``prepare`` runs before each)."""
    common = ("check", "--offline", "--jobs", "1", *args)
    if prepare is not None:
        prepare()
    text = run(*common, cwd=root)
    if prepare is not None:
        prepare()
    as_json = run(*common, "--output-format", "json", cwd=root)
    _assert_ran_on(as_json.code, "", as_json.err)
    return text, json.loads(as_json.out)


def _assert_fix_skips(run: Runner, root: Path, path: str, reason: Reason, *args: str) -> None:
    """``fix`` reports ``path`` once as skipped, fixes normal.py and writes nothing else."""
    before = _snapshot(root)
    result = run("fix", "--offline", "--jobs", "1", *args, cwd=root)
    _assert_ran_on(result.code, result.out, result.err)
    lines = _lines_about(result.out, path)
    prefix = f"{path}: skipped: "
    assert len(lines) == 1, result.out
    assert lines[0].startswith(prefix) and _matches(reason, lines[0].removeprefix(prefix)), lines
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert _snapshot(root) == before


def _cli(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a native crash or a hang cannot take pytest with it."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "llmbase_migrate", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`llmbase-migrate {' '.join(args)}` did not finish in {timeout} s")


def _assert_subprocess_ran_on(result: subprocess.CompletedProcess[str]) -> None:
    status = result.returncode
    died = f"killed by signal {-status}" if status < 0 else f"exit {status}"
    assert status == 1, f"{died}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr
    assert "error:" not in result.stderr, result.stderr


# Deep nesting -------------------------------------------------------------------------

# Nesting that overflows the C stack in LibCST's native parser: the process dies
# (SIGSEGV), so in-process the whole run is lost and in a process pool the pool
# breaks. The first three CPython refuses too (too many nested parentheses, too
# complex), so LB001 is as good an outcome as a skip. The last it compiles and runs
# (its tree is flat where LibCST's is 20,000 levels deep), so only a skip is right.
CRASHING = {
    "parentheses": ("x = " + "(" * 5000 + ")" * 5000 + "\n", True),
    "elif_chain": ("if a:\n    pass\n" + "elif a:\n    pass\n" * 20000, True),
    "unary_chain": ("x = " + "not " * 20000 + "y\n", True),
    "and_chain": ("x = " + " and ".join(["a"] * 20000) + "\n", False),
}

# Valid Python whose LibCST tree is deeper than the default recursion limit allows
# (the shape of sympy's generated files, pydoc_data/topics.py), up to the limits
# deep_stack vets: analysed on a big stack, the client in it found.
DEEP_BUT_ANALYSED = {
    "long_sum": "total = " + " + ".join(["1"] * 990) + "\n",
    "implicit_concatenation": "text = (" + " ".join(['"a"'] * 3000) + ")\n",
    "f_string_concatenation": "text = (" + " ".join(["f'{x}'"] * 3000) + ")\n",
    "and_chain": "x = " + " and ".join(["a"] * 3990) + "\n",
    "comprehension": "x = [a " + "for a in b " * 3000 + "]\n",
    "elif_chain": "if a:\n    pass\n" + "elif a:\n    pass\n" * 990,
    "attribute_chain": "x = a" + ".b" * 990 + "\n",
    "subscript_chain": "x = a" + "[0]" * 990 + "\n",
}

# Past those limits: skipped, never a crash. CPython compiles each of them; LibCST's
# parser refuses a concatenation or a comprehension past 3,000 pieces (which would
# be reported as a syntax error), takes time quadratic in chains CPython nests too,
# and past some depth overflows the stack it runs on.
BEYOND_THE_LIMITS = {
    "long_sum": "total = " + " + ".join(["1"] * 1000) + "\n",
    "implicit_concatenation": "text = (" + " ".join(['"a"'] * 3001) + ")\n",
    "implicit_concatenation_5000": "text = (" + " ".join(['"a"'] * 5000) + ")\n",
    "and_chain": "x = " + " and ".join(["a"] * 4000) + "\n",
    "comprehension": "x = [a " + "for a in b " * 3001 + "]\n",
    "attribute_chain": "x = a" + ".b" * 2000 + "\n",
    "dotted_import": "import a" + ".b" * 5000 + "\n",
}


def _deep(body: str) -> str:
    return "import openai\n\nclient = openai.OpenAI()\n" + body


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("shape", sorted(CRASHING))
def test_nesting_that_overflows_the_native_parser(shape: str, jobs: str, tmp_path: Path) -> None:
    body, syntax_error = CRASHING[shape]
    root = _project(tmp_path, {"deep.py": _deep(body)})
    result = _cli(root, "check", "--offline", "--no-cache", "--jobs", jobs)
    _assert_subprocess_ran_on(result)
    assert NORMAL_FINDING in result.stdout
    lines = _lines_about(result.stdout, "deep.py")
    assert len(lines) == 1, result.stdout
    skipped = lines[0].startswith("deep.py: skipped: ")
    assert skipped or (syntax_error and re.match(r"deep\.py:\d+:\d+: LB001 ", lines[0])), lines


@pytest.mark.parametrize("shape", sorted(CRASHING))
def test_nesting_that_overflows_the_native_parser_under_fix(shape: str, tmp_path: Path) -> None:
    root = _project(tmp_path, {"deep.py": _deep(CRASHING[shape][0])})
    before = _snapshot(root)
    result = _cli(root, "fix", "--offline", "--no-cache")
    _assert_subprocess_ran_on(result)
    assert len(_lines_about(result.stdout, "deep.py")) == 1, result.stdout
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert _snapshot(root) == before


@pytest.mark.parametrize("shape", sorted(DEEP_BUT_ANALYSED))
def test_deep_trees_are_analysed(shape: str, tmp_path: Path) -> None:
    body = _deep(DEEP_BUT_ANALYSED[shape])
    compile(body, "deep.py", "exec")  # the interpreter runs it: not a syntax error
    root = _project(tmp_path, {"deep.py": body})
    result = _cli(root, "check", "--offline", "--no-cache", "--output-format", "json")
    _assert_subprocess_ran_on(result)
    document = json.loads(result.stdout)
    assert document["summary"]["skipped"] == []
    found = [(d["path"], d["line"], d["code"]) for d in document["diagnostics"]]
    assert ("deep.py", 3, "LB101") in found and ("deep.py", 3, "LB102") in found, found
    # fix parses and transforms the module again (imports), on the big stack too
    result = _cli(root, "fix", "--offline", "--no-cache")
    _assert_subprocess_ran_on(result)
    assert _lines_about(result.stdout, "deep.py") == [], result.stdout
    fixed = (root / "deep.py").read_text()
    assert 'base_url="https://api.llmbase.ai/v1"' in fixed
    compile(fixed, "deep.py", "exec")
    assert (root / "normal.py").read_text() == NORMAL_FIXED


@pytest.mark.parametrize("shape", sorted(BEYOND_THE_LIMITS))
def test_trees_beyond_the_limits_are_skipped(shape: str, tmp_path: Path) -> None:
    body = _deep(BEYOND_THE_LIMITS[shape])
    compile(body, "deep.py", "exec")  # the interpreter runs it: not a syntax error
    root = _project(tmp_path, {"deep.py": body})
    for mode in ("check", "fix"):
        result = _cli(root, mode, "--offline", "--no-cache", "--jobs", "2")
        _assert_subprocess_ran_on(result)
        assert _lines_about(result.stdout, "deep.py") == [f"deep.py: skipped: {NESTED_TOO_DEEPLY}"]
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert (root / "deep.py").read_text() == body
    as_json = _cli(root, "check", "--offline", "--no-cache", "--output-format", "json")
    assert json.loads(as_json.stdout)["summary"]["skipped"] == [
        {"path": "deep.py", "reason": NESTED_TOO_DEEPLY}
    ]


def test_a_5000_piece_concatenation_is_vetted_not_parsed() -> None:
    """LibCST's parser refuses concatenations past 3,000 pieces: the vetting counts
    them (CPython's tree has one constant) and skips the file rather than let it be
    reported as a syntax error."""
    text = _deep(BEYOND_THE_LIMITS["implicit_concatenation_5000"])
    tree = ast.parse(text)
    assert deep_stack.nesting_depth(tree, text) > deep_stack.MAX_NESTING
    assert deep_stack.too_deep(tree, text)
    text = _deep(DEEP_BUT_ANALYSED["implicit_concatenation"])
    assert 3000 < deep_stack.nesting_depth(ast.parse(text), text) < 3010


def _concatenation(count: int) -> str:
    # pieces with prefixes, comments and line continuations between them
    pieces = ["'a'  # one\n", "r'b' ", "f'{d}' \\\n", 'u"e" ', '"""f"""\n']
    return "x = (" + "".join(pieces[i % len(pieces)] for i in range(count)) + ")\n"


def _and_chain(count: int) -> str:
    return "x = " + " and ".join(["a"] * count) + "\n"


def _comprehension(count: int) -> str:
    return "x = [a " + "for a in b " * count + "]\n"


def _dotted_import(count: int) -> str:
    return "import a" + ".b" * count + "\n"


def _sum(count: int) -> str:
    return "x = " + " + ".join(["1"] * count) + "\n"


# (text of n, the largest n analysed): LibCST's tree is deeper than CPython's by one
# level a piece, an operand, a ``for`` clause, a dotted part.
LIMITS = {
    "concatenation": (_concatenation, deep_stack.MAX_CHAIN),
    "comprehension": (_comprehension, deep_stack.MAX_CHAIN),
    "and_chain": (_and_chain, deep_stack.MAX_NESTING - 4),
    "dotted_import": (_dotted_import, deep_stack.MAX_NESTING - 3),
    "sum": (_sum, deep_stack.MAX_CPYTHON_NESTING - 2),
}


@pytest.mark.parametrize("shape", sorted(LIMITS))
def test_the_limits_of_the_vetting(shape: str) -> None:
    text_of, largest = LIMITS[shape]
    text = text_of(largest)
    assert not deep_stack.too_deep(ast.parse(text), text)
    text = text_of(largest + 1)
    assert deep_stack.too_deep(ast.parse(text), text)


def test_deep_work_runs_on_a_big_stack_and_gives_back_its_exception() -> None:
    limit = sys.getrecursionlimit()

    def recurse(n: int) -> int:
        return 0 if n == 0 else 1 + recurse(n - 1)

    assert deep_stack.run_deep(lambda: recurse(20_000)) == 20_000
    assert deep_stack.run_deep(lambda: deep_stack.run_deep(lambda: 7)) == 7  # reentrant
    with pytest.raises(RecursionError):
        deep_stack.run_deep(lambda: recurse(10 * deep_stack.RECURSION_LIMIT))
    with pytest.raises(ZeroDivisionError):
        deep_stack.run_deep(lambda: 1 // 0)
    assert sys.getrecursionlimit() == limit


# Size ---------------------------------------------------------------------------------

TOO_LARGE = re.compile(r"too large to analyse \(\d+(\.\d+)? MB; the limit is 10 MB\)")


def test_fifty_megabyte_file_is_skipped_as_too_large(tmp_path: Path) -> None:
    padding = "# " + "generated " * 99 + "\n"
    big = NORMAL + padding * (50 * 1024 * 1024 // len(padding) + 1)
    root = _project(tmp_path, {"generated/big.py": big})
    before = _snapshot(root)
    # A subprocess, so that a missing limit shows as a slow or failed run, not a
    # test session that parses 50 MB with LibCST.
    text = _cli(root, "check", "--offline", "--no-cache", timeout=120)
    _assert_subprocess_ran_on(text)
    assert NORMAL_FINDING in text.stdout
    lines = _lines_about(text.stdout, "generated/big.py")
    assert len(lines) == 1, text.stdout
    assert TOO_LARGE.fullmatch(lines[0].removeprefix("generated/big.py: skipped: ")), lines
    document = json.loads(
        _cli(root, "check", "--offline", "--no-cache", "--output-format", "json").stdout
    )
    [entry] = document["summary"]["skipped"]
    assert entry["path"] == "generated/big.py" and TOO_LARGE.fullmatch(entry["reason"])
    fixed = _cli(root, "fix", "--offline", "--no-cache", timeout=120)
    _assert_subprocess_ran_on(fixed)
    assert len(_lines_about(fixed.stdout, "generated/big.py")) == 1
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert _snapshot(root) == before


PLAIN_FUNCTION = """

def transform_{n}(records: list[dict[str, object]], limit: int = {n}) -> list[str]:
    lines: list[str] = []
    for index, record in enumerate(records):
        if index >= limit:
            break
        score = float(record.get("score", 0.0)) * {n} / 100
        lines.append(f"{{index:>4}} {{record.get('name')}} {{score:8.2f}}")
    return lines
"""
ROUTED_CALL = """

def ask_{n}(text: str) -> str:
    response = CLIENT.chat.completions.create(model="m", messages=[], provider={{"order": ["x"]}})
    return response.choices[0].message.content or ""
"""


def _generated(size: int, every: int = 50_000) -> tuple[str, int]:
    """About ``size`` bytes of plain functions with a routed chat call every ``every``
    bytes, and how many calls."""
    parts = ["from openai import OpenAI\n\nCLIENT = OpenAI()\n"]
    total, calls = 0, 0
    while total < size:
        template = ROUTED_CALL if total >= calls * every + every // 2 else PLAIN_FUNCTION
        calls += template is ROUTED_CALL
        parts.append(template.format(n=len(parts)))
        total += len(parts[-1])
    return "".join(parts), calls


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss counts KiB on Linux")
def test_a_megabyte_file_is_analysed_in_part_in_a_bounded_process(tmp_path: Path) -> None:
    # LibCST took 946 MiB on such a file, whole: it sees only the SDK's part now.
    source, calls = _generated(1_000_000)
    (tmp_path / "big.py").write_text(source)
    with (tmp_path / "out.txt").open("w+") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llmbase_migrate", "check", "--offline", "--no-cache", "big.py"],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        # wait4, not wait: the peak memory of this process, not of every child so far
        timer = threading.Timer(120, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    assert usage.ru_maxrss < 500 * 1024
    assert process.returncode == 1, text
    assert text.count(" LB201 ") == calls > 15
    assert "big.py: analysed in part: the " in text


# Bytes that are not Python source -----------------------------------------------------


def test_binary_file_with_a_python_name(run: Runner, tmp_path: Path) -> None:
    noise = random.Random(5).randbytes(4096)
    blob = noise[:2048] + b"\nimport openai\n" + noise[2048:]
    root = _project(tmp_path, {"model.bin.py": blob})
    reason = re.compile(r"invalid utf-8 at byte \d+")
    text, document = _check(run, root)
    _assert_one_skip(text, document, "model.bin.py", reason)
    _assert_fix_skips(run, root, "model.bin.py", reason)


def test_invalid_utf8(run: Runner, tmp_path: Path) -> None:
    source = b"import openai\n\nclient = openai.OpenAI()\nGREETING = 'gr\xfc\xdf dich'\n"
    offset = source.index(b"\xfc")
    reason = f"invalid utf-8 at byte {offset}"
    root = _project(tmp_path, {"latin.py": source})
    text, document = _check(run, root)
    _assert_one_skip(text, document, "latin.py", reason)
    _assert_fix_skips(run, root, "latin.py", reason)


def test_nul_byte(run: Runner, tmp_path: Path) -> None:
    source = b"import openai\n\nclient = openai.OpenAI()\x00\n"
    root = _project(tmp_path, {"nul.py": source})
    text, document = _check(run, root)
    _assert_one_skip(text, document, "nul.py", "contains a NUL byte")
    _assert_fix_skips(run, root, "nul.py", "contains a NUL byte")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (b"# -*- coding: klingon -*-\n", "unknown encoding 'klingon' in coding cookie"),
        (b"# coding: utf-16\n", "unsupported encoding 'utf-16' in coding cookie"),
        (b"\xef\xbb\xbf# coding: latin-1\n", "UTF-8 BOM conflicts with coding cookie 'latin-1'"),
        (b"# coding: ascii\n# caf\xc3\xa9\n", "cannot decode as ascii at byte 21"),
    ],
    ids=["unknown", "not-ascii-compatible", "bom-conflict", "undecodable"],
)
def test_bad_coding_cookie(run: Runner, tmp_path: Path, source: bytes, reason: str) -> None:
    root = _project(tmp_path, {"cookie.py": source + b"import openai\nopenai.OpenAI()\n"})
    text, document = _check(run, root)
    _assert_one_skip(text, document, "cookie.py", reason)
    _assert_fix_skips(run, root, "cookie.py", reason)


def test_coding_cookie_on_lines_ended_by_a_lone_cr(run: Runner, tmp_path: Path) -> None:
    """Not hostile, but close to it: CPython ends lines at a lone CR when it looks for
    the cookie, so this file runs, and must be analysed rather than skipped."""
    source = b'# coding: latin-1\rGREETING = "caf\xe9"\rimport openai\rclient = openai.OpenAI()\r'
    compile(source, "cr.py", "exec")
    root = _project(tmp_path, {"cr.py": source})
    text, document = _check(run, root)
    _assert_ran_on(text.code, text.out, text.err)
    assert document["summary"]["skipped"] == []
    assert {d["code"] for d in document["diagnostics"] if d["path"] == "cr.py"} >= {"LB101"}


# Symlinks -----------------------------------------------------------------------------


def test_symlink_loop(run: Runner, tmp_path: Path) -> None:
    root = _project(tmp_path, {})
    (root / "pkg").mkdir()
    (root / "pkg" / "a.py").symlink_to("b.py")
    (root / "pkg" / "b.py").symlink_to("a.py")
    # Discovery problems are listed with --verbose; JSON always has them.
    text, document = _check(run, root, "--verbose")
    for name in ("pkg/a.py", "pkg/b.py"):
        _assert_one_skip(text, document, name, "symlink loop")
    _assert_fix_skips(run, root, "pkg/a.py", "symlink loop", "--verbose")


def test_symlinked_directory_loop(run: Runner, tmp_path: Path) -> None:
    root = _project(tmp_path, {"pkg/mod.py": NORMAL})
    (root / "pkg" / "link").symlink_to(root / "pkg", target_is_directory=True)
    (root / "pkg" / "self.py").symlink_to(".", target_is_directory=True)
    text, document = _check(run, root, "--verbose")
    _assert_ran_on(text.code, text.out, text.err)
    assert NORMAL_FINDING in text.out
    # Symlinked directories are not followed: the module is reported once, under
    # its own name, and the links are neither analysed nor problems.
    assert [d["path"] for d in document["diagnostics"]] == ["normal.py", "pkg/mod.py"]
    assert document["summary"]["skipped"] == []
    assert "link" not in text.out and "self.py" not in text.out
    # Named explicitly, the link is walked once; the loop inside it is not followed.
    explicit = run("check", "--offline", "--jobs", "1", "--verbose", "pkg/link", cwd=root)
    _assert_ran_on(explicit.code, explicit.out, explicit.err)
    [line] = _lines_about(explicit.out, "pkg/link/mod.py")
    assert line.startswith('pkg/link/mod.py:8:17: LB201 [*] extra_body["provider"]')
    assert "pkg/link/link" not in explicit.out
    before = _snapshot(root)
    fixed = run("fix", "--offline", "--jobs", "1", cwd=root)
    _assert_ran_on(fixed.code, fixed.out, fixed.err)
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert (root / "pkg" / "mod.py").read_text() == NORMAL_FIXED
    after = _snapshot(root)
    assert after.pop("pkg/mod.py") != before.pop("pkg/mod.py")
    assert after == before


# Permissions and races ----------------------------------------------------------------


@pytest.fixture
def unreadable(tmp_path: Path) -> Iterator[Path]:
    root = _project(tmp_path, {"secret.py": NORMAL})
    target = root / "secret.py"
    target.chmod(0)
    try:
        target.read_bytes()
    except PermissionError:
        yield root
    else:
        pytest.skip("permissions are not enforced for this user (root)")
    finally:
        target.chmod(0o644)


def test_unreadable_file(run: Runner, unreadable: Path) -> None:
    text, document = _check(run, unreadable)
    _assert_one_skip(text, document, "secret.py", "permission denied")
    _assert_fix_skips(run, unreadable, "secret.py", "permission denied")


def test_unreadable_file_simulated(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same through a refusing os.open, for runs as root (which reads anything)."""
    root = _project(tmp_path, {"secret.py": NORMAL})
    real_open = os.open

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path).name == "secret.py":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    text, document = _check(run, root)
    _assert_one_skip(text, document, "secret.py", "permission denied")
    _assert_fix_skips(run, root, "secret.py", "permission denied")


def test_file_deleted_between_discovery_and_reading(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, {"gone.py": NORMAL})

    def discover_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = discover(*args, **kwargs)
        (root / "gone.py").unlink()
        return found

    def recreate() -> None:
        (root / "gone.py").write_text(NORMAL)

    monkeypatch.setattr("llmbase_migrate.engine.api.discover", discover_then_delete)
    text, document = _check(run, root, prepare=recreate)
    _assert_one_skip(text, document, "gone.py", "file vanished")
    recreate()
    result = run("fix", "--offline", "--jobs", "1", cwd=root)
    _assert_ran_on(result.code, result.out, result.err)
    assert _lines_about(result.out, "gone.py") == ["gone.py: skipped: file vanished"]
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert sorted(path.name for path in root.iterdir()) == ["normal.py"]


def test_file_deleted_between_fixing_and_writing(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, {"gone.py": NORMAL})

    def fix_then_delete(display: str, *args: Any, **kwargs: Any) -> Any:
        outcome = fix_bytes(display, *args, **kwargs)
        if display == "gone.py":
            (root / "gone.py").unlink()
        return outcome

    monkeypatch.setattr("llmbase_migrate.engine.api.fix_bytes", fix_then_delete)
    result = run("fix", "--offline", "--jobs", "1", "--no-cache", cwd=root)
    _assert_ran_on(result.code, result.out, result.err)
    assert _lines_about(result.out, "gone.py") == ["gone.py: skipped: not fixed: file vanished"]
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    # Not brought back to life by the write, and no temporary file left behind.
    assert sorted(path.name for path in root.iterdir()) == ["normal.py"]


def test_read_only_file_under_fix(run: Runner, tmp_path: Path) -> None:
    root = _project(tmp_path, {"frozen.py": NORMAL})
    (root / "frozen.py").chmod(0o444)
    before = _snapshot(root)
    result = run("fix", "--offline", "--jobs", "1", cwd=root)
    _assert_ran_on(result.code, result.out, result.err)
    # Not fixed, so its findings remain, with the reason.
    assert _lines_about(result.out, "frozen.py") == [
        NORMAL_FINDING.replace("normal.py", "frozen.py")
        + " is a gateway routing field LLMBase rejects; remove it (choose the LLMBase model "
        "ID instead)",
        "frozen.py: not fixed: the file is read-only",
    ]
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert _snapshot(root) == before
    assert stat.S_IMODE((root / "frozen.py").stat().st_mode) == 0o444
    # check has nothing to write: the file is reported like any other.
    text = run("check", "--offline", "--jobs", "1", cwd=root)
    assert 'frozen.py:8:17: LB201 [*] extra_body["provider"]' in text.out


# Names that lie -----------------------------------------------------------------------


def test_directory_named_like_a_python_file(run: Runner, tmp_path: Path) -> None:
    root = _project(tmp_path, {"x.py/inner.py": NORMAL})
    text, document = _check(run, root)
    _assert_ran_on(text.code, text.out, text.err)
    # A directory is walked, whatever its name: what is inside is analysed.
    assert [d["path"] for d in document["diagnostics"]] == ["normal.py", "x.py/inner.py"]
    assert document["summary"]["skipped"] == []
    assert not [line for line in text.out.splitlines() if line.startswith("x.py:")]
    explicit = run("check", "--offline", "--jobs", "1", "x.py", cwd=root)
    _assert_ran_on(explicit.code, explicit.out, explicit.err)
    assert "x.py/inner.py:8:17: LB201" in explicit.out


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


@needs_fifo
def test_fifo_with_a_python_name_does_not_block(tmp_path: Path) -> None:
    root = _project(tmp_path, {})
    os.mkfifo(root / "y.py")
    (root / "z.py").symlink_to("y.py")
    # Discovery problems are listed with --verbose; JSON always has them.
    text = _cli(root, "check", "--offline", "--verbose", timeout=30)
    _assert_subprocess_ran_on(text)
    assert NORMAL_FINDING in text.stdout
    for name in ("y.py", "z.py"):
        assert _lines_about(text.stdout, name) == [f"{name}: skipped: not a regular file"]
    document = json.loads(_cli(root, "check", "--offline", "--output-format", "json").stdout)
    assert document["summary"]["skipped"] == [
        {"path": "y.py", "reason": "not a regular file"},
        {"path": "z.py", "reason": "not a regular file"},
    ]
    explicit = _cli(root, "check", "--offline", "--verbose", "y.py", "normal.py", timeout=30)
    _assert_subprocess_ran_on(explicit)
    assert _lines_about(explicit.stdout, "y.py") == ["y.py: skipped: not a regular file"]
    before = _snapshot(root)
    fixed = _cli(root, "fix", "--offline", timeout=30)
    _assert_subprocess_ran_on(fixed)
    assert (root / "normal.py").read_text() == NORMAL_FIXED
    assert _snapshot(root) == before


# Discovery saw a regular file; by the time it is read a FIFO has taken its place.
_SWAP_IN_A_FIFO = """\
import os
import sys

from llmbase_migrate import cli
from llmbase_migrate.engine import api

real_discover = api.discover


def discover_then_swap(*args, **kwargs):
    found = real_discover(*args, **kwargs)
    os.unlink("late.py")
    os.mkfifo("late.py")
    return found


api.discover = discover_then_swap
cli.main(sys.argv[1:])
"""


@needs_fifo
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fifo_swapped_in_after_discovery_does_not_block(jobs: str, tmp_path: Path) -> None:
    root = _project(tmp_path, {"late.py": NORMAL})
    try:
        result = subprocess.run(
            [sys.executable, "-c", _SWAP_IN_A_FIFO, "check", "--offline", "--jobs", jobs],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading a FIFO blocked the run")
    _assert_subprocess_ran_on(result)
    assert NORMAL_FINDING in result.stdout
    assert _lines_about(result.stdout, "late.py") == ["late.py: skipped: not a regular file"]


def test_a_large_file_is_never_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Over the limit, the pre-filter looks through a memory map: no 11 MB bytes object.
    padding = "# " + "generated " * 99 + "\n"
    quiet = padding * (11 * 1024 * 1024 // len(padding) + 1)
    root = _project(tmp_path, {"quiet.py": quiet, "loud.py": "import openai\n" + quiet})
    read_sizes: list[int] = []
    original = source_module.read_bytes

    def recording_read(path: Path, *, max_bytes: int | None = None) -> bytes:
        raw = original(path, max_bytes=max_bytes)
        read_sizes.append(len(raw))
        return raw

    monkeypatch.setattr(api_module, "read_bytes", recording_read)
    result = check_paths([root], Settings(project_root=root), cwd=root, options=RunOptions(jobs=1))
    by_name = {Path(outcome.path).name: outcome for outcome in result.outcomes}
    assert isinstance(by_name["quiet.py"], Clean) and not by_name["quiet.py"].parsed
    loud = by_name["loud.py"]
    assert isinstance(loud, Skipped) and TOO_LARGE.fullmatch(loud.reason), loud
    assert max(read_sizes, default=0) < 1024 * 1024, "no large file was read into memory"


# A crafted cache directory -------------------------------------------------------------

_ANOTHER = NORMAL.replace('["x"]', '["y"]')
_ANOTHER_FINDING = 'another.py:8:17: LB201 [*] extra_body["provider"]'


def _entries(directory: Path) -> set[Path]:
    return {path for path in directory.rglob("*") if path.is_file()}


@needs_fifo
def test_a_crafted_cache_directory_runs_nothing_and_hides_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    ours = xdg / "llmbase-migrate"
    root = tmp_path / "project"
    root.mkdir()
    (root / "clean.py").write_text("import openai\n\nclient = openai.OpenAI\n")
    _cli(root, "check", "--offline")
    clean_entry = _entries(ours)
    assert len(clean_entry) == 1, clean_entry
    clean_bytes = next(iter(clean_entry)).read_bytes()
    _project(root, {"another.py": _ANOTHER})
    _cli(root, "check", "--offline")
    normal_entry, another_entry = sorted(_entries(ours) - clean_entry)

    marker = tmp_path / "code-ran"
    bomb = pickle.dumps(_MakeDirectory(marker))
    # Every entry is one the attacker chose: another file's clean entry in place of
    # this one's findings, a JSON "clean" entry that claims this key, a FIFO that
    # would block a reader, and pickles where older versions kept their entries.
    normal_entry.write_bytes(clean_bytes)
    another_entry.write_text(
        json.dumps(
            {
                "format": 2,
                "key": another_entry.stem,
                "source": "0" * 64,
                "path": "another.py",
                "context": "0" * 64,
                "outcome": {"kind": "clean", "parsed": True, "suppressed": 0},
            }
        )
    )
    fifo = next(iter(clean_entry))
    fifo.unlink()
    os.mkfifo(fifo)
    legacy = ours / "results" / "ab"
    legacy.mkdir(parents=True)
    (legacy / f"{'ab' * 32}.pickle").write_bytes(bomb)

    for _ in range(2):  # the first run meets the crafted files, the second what it left
        result = _cli(root, "check", "--offline", "--jobs", "1", timeout=30)
        _assert_subprocess_ran_on(result)
        assert NORMAL_FINDING in result.stdout
        assert _ANOTHER_FINDING in result.stdout
        assert not marker.exists(), "the cache ran code"
    assert not (ours / "results").exists(), "old pickles are removed, never read"
    assert not list(ours.rglob("*.pickle"))


def test_a_planted_empty_catalog_does_not_make_every_model_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmbase_migrate.catalog.cache import write_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "project").mkdir()
    root = _project(tmp_path / "project", {})
    write_cache(
        "https://api.llmbase.ai/v1",
        {"data": []},
        fetched_at=datetime.now(timezone.utc),
        directory=tmp_path / "xdg" / "llmbase-migrate" / "catalog",
    )
    result = _cli(root, "check", "--offline", "--verbose")
    _assert_subprocess_ran_on(result)
    assert NORMAL_FINDING in result.stdout
    assert "LB301" not in result.stdout, "the empty catalog was not used"
    assert "Catalog: 18 models, bundled snapshot" in result.stdout
    assert "the cached catalog for https://api.llmbase.ai/v1 lists no models" in result.stderr


class _MakeDirectory:
    """Unpickled, it creates ``marker``: proof that a cache entry ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))
