"""Running the CLI in-process as users do, for tests (fixture ``run`` is in conftest)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from llmbase_migrate import cli


@dataclass
class Run:
    code: int
    out: str
    err: str


Runner = Callable[..., Run]


def make_runner(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    def _run(*args: str, cwd: Path, stdin: bytes | None = None) -> Run:
        monkeypatch.chdir(cwd)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        with pytest.raises(SystemExit) as exit_info:
            cli.main(list(args))
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Run(code if isinstance(code, int) else 0, captured.out, captured.err)

    return _run


def project(tmp_path: Path, files: dict[str, str], config: str | None = None) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if config is not None:
        (tmp_path / "pyproject.toml").write_text(f"[tool.llmbase-migrate]\n{config}")
    return tmp_path
