"""Tests for loading and validating ``[tool.llmbase-migrate]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmbase_migrate.config import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_EXCLUDES,
    DEFAULT_LIBCST_MAX_TOKENS,
    TOML_KEYS,
    Settings,
    find_config_file,
    load_settings,
    render_settings,
)
from llmbase_migrate.errors import ConfigError


def write_pyproject(directory: Path, table: str, *, header: str = "[tool.llmbase-migrate]") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    path.write_text(f'[project]\nname = "demo"\n\n{header}\n{table}', encoding="utf-8")
    return path


def load_error(tmp_path: Path, table: str) -> ConfigError:
    write_pyproject(tmp_path, table)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_file=None, search_from=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("pyproject.toml: ")
    return caught.value


def test_defaults_without_any_config(tmp_path: Path) -> None:
    settings = load_settings(config_file=None, search_from=tmp_path)

    assert settings.base_url == DEFAULT_BASE_URL == "https://api.llmbase.ai/v1"
    assert settings.api_key_env == DEFAULT_API_KEY_ENV == "LLMBASE_API_KEY"
    assert settings.select is None
    assert settings.ignore == ()
    assert settings.exclude == DEFAULT_EXCLUDES
    assert settings.per_file_ignores == {}
    assert settings.model_map == {}
    assert settings.config_path is None
    assert settings.project_root == tmp_path


def test_default_excludes_follow_ruff_plus_pycache() -> None:
    for name in (".git", ".venv", "venv", "build", "dist", "node_modules", "__pycache__"):
        assert name in DEFAULT_EXCLUDES
    assert len(set(DEFAULT_EXCLUDES)) == len(DEFAULT_EXCLUDES)


def test_kebab_case_keys_are_read_and_codes_upper_cased(tmp_path: Path) -> None:
    path = write_pyproject(
        tmp_path,
        'base-url = "http://localhost:8080/v1"\n'
        'api-key-env = "MY_KEY"\n'
        'select = ["lb2", "LB201"]\n'
        'ignore = ["lb203"]\n'
        'extend-select = ["all"]\n'
        'per-file-ignores = { "tests/*.py" = ["lb1"] }\n'
        'exclude = ["vendor"]\n'
        'extend-exclude = ["generated/"]\n'
        'model-map = { "gpt-4o" = "llama-3.1-70b" }\n',
    )

    settings = load_settings(config_file=None, search_from=tmp_path)

    assert settings.base_url == "http://localhost:8080/v1"
    assert settings.api_key_env == "MY_KEY"
    assert settings.select == ("LB2", "LB201")
    assert settings.ignore == ("LB203",)
    assert settings.extend_select == ("ALL",)
    assert settings.per_file_ignores == {"tests/*.py": ("LB1",)}
    assert settings.exclude == ("vendor",)
    assert settings.extend_exclude == ("generated/",)
    assert settings.model_map == {"gpt-4o": "llama-3.1-70b"}
    assert settings.config_path == path
    assert settings.project_root == tmp_path


def test_empty_select_is_not_the_same_as_unset(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "select = []\n")

    assert load_settings(config_file=None, search_from=tmp_path).select == ()


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = Settings(project_root=tmp_path)

    with pytest.raises(ValueError, match="frozen"):
        settings.base_url = "http://x"


def test_unknown_key_suggests_the_close_match(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'base-ur = "http://x"\n')

    assert str(error) == (
        "pyproject.toml: unknown key 'base-ur' in [tool.llmbase-migrate] (did you mean 'base-url'?)"
    )
    assert error.key == "base-ur"
    assert error.path == tmp_path / "pyproject.toml"


def test_snake_case_key_is_rejected_with_the_kebab_spelling(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'per_file_ignores = { "a.py" = ["LB1"] }\n')

    assert "unknown key 'per_file_ignores'" in str(error)
    assert str(error).endswith("(did you mean 'per-file-ignores'?)")


def test_unrelated_unknown_key_has_no_suggestion(tmp_path: Path) -> None:
    error = load_error(tmp_path, "zzzzzz = 1\n")

    assert str(error) == "pyproject.toml: unknown key 'zzzzzz' in [tool.llmbase-migrate]"


@pytest.mark.parametrize("key", ["config-path", "project-root", "config_path"])
def test_loader_only_fields_cannot_be_set_from_toml(tmp_path: Path, key: str) -> None:
    error = load_error(tmp_path, f'{key} = "/elsewhere"\n')

    assert f"unknown key {key!r}" in str(error)
    assert "config-path" not in TOML_KEYS


def test_string_instead_of_list(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'select = "LB201"\n')

    assert str(error) == "pyproject.toml: 'select' must be a list of rule codes, got 'LB201'"
    assert error.key == "select"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("base-url = 5\n", "'base-url' must be an http(s) URL, got 5"),
        ('ignore = ["LB1", 7]\n', "'ignore[1]' must be a rule code, got 7"),
        ("per-file-ignores = 3\n", "'per-file-ignores' must be a table of glob = [rule codes]"),
        (
            'per-file-ignores = { "t/*" = "LB1" }\n',
            "'per-file-ignores[\"t/*\"]' must be a list of rule codes, got 'LB1'",
        ),
        ("exclude = [true]\n", "'exclude[0]' must be a glob pattern, got true"),
        ('model-map = { "gpt-4" = 3 }\n', "'model-map[\"gpt-4\"]' must be a model name, got 3"),
        ('api-key-env = "1BAD"\n', "'api-key-env' must be an environment variable name"),
        (
            "libcst-max-tokens = 0\n",
            "'libcst-max-tokens' must be a positive number of tokens, got 0",
        ),
        ("libcst-max-tokens = -5\n", "'libcst-max-tokens' must be a positive number of tokens"),
        ("libcst-max-tokens = true\n", "'libcst-max-tokens' must be a positive number of tokens"),
        ("libcst-max-tokens = 1.5\n", "'libcst-max-tokens' must be a positive number of tokens"),
        (
            'libcst-max-tokens = "80000"\n',
            "'libcst-max-tokens' must be a positive number of tokens",
        ),
    ],
)
def test_wrong_types_name_the_key(tmp_path: Path, table: str, expected: str) -> None:
    assert expected in str(load_error(tmp_path, table))


@pytest.mark.parametrize("url", ["ftp://x", "api.llmbase.ai/v1", "http://", "https:// x"])
def test_base_url_must_be_http(tmp_path: Path, url: str) -> None:
    error = load_error(tmp_path, f'base-url = "{url}"\n')

    assert str(error) == f"pyproject.toml: 'base-url' must be an http(s) URL, got {url!r}"


@pytest.mark.parametrize("code", ["XY1", "LB1234", "E501", "", "LB-1"])
def test_invalid_rule_code_names_the_key(tmp_path: Path, code: str) -> None:
    error = load_error(tmp_path, f'extend-select = ["LB1", "{code}"]\n')

    assert f"'extend-select' has an invalid rule code {code!r}" in str(error)
    assert error.key == "extend-select"


def test_invalid_rule_code_in_per_file_ignores(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'per-file-ignores = { "tests/*" = ["bogus"] }\n')

    assert "'per-file-ignores[\"tests/*\"]' has an invalid rule code 'bogus'" in str(error)


def test_invalid_exclude_pattern_is_a_config_error(tmp_path: Path) -> None:
    error = load_error(tmp_path, "exclude = ['\\']\n")

    assert "'exclude[0]' must be a glob pattern" in str(error)


def test_invalid_toml_is_one_line_with_line_number(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.llmbase-migrate]\nselect = ["LB1"]\nbase-url = \n', encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(config_file=None, search_from=tmp_path)

    message = str(caught.value)
    assert message.startswith("pyproject.toml: invalid TOML: ")
    assert message.endswith("(line 3)")
    assert "\n" not in message


def test_non_utf8_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.llmbase-migrate]\nbase-url = "\xff"\n')

    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: not valid UTF-8"):
        load_settings(config_file=None, search_from=tmp_path)


def test_table_that_is_not_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nllmbase-migrate = "x"\n', encoding="utf-8")

    with pytest.raises(ConfigError, match=r"'tool.llmbase-migrate' must be a table"):
        load_settings(config_file=None, search_from=tmp_path)


def test_upward_search_skips_pyproject_without_our_table(tmp_path: Path) -> None:
    outer = write_pyproject(tmp_path, 'select = ["LB2"]\n')
    inner_dir = tmp_path / "pkg"
    write_pyproject(inner_dir, "line-length = 1\n", header="[tool.ruff]")
    start = inner_dir / "src" / "deep"
    start.mkdir(parents=True)

    assert find_config_file(start) == outer
    settings = load_settings(config_file=None, search_from=start)
    assert settings.select == ("LB2",)
    assert settings.config_path == outer
    # Globs in the config are relative to the config, not to where we started.
    assert settings.project_root == tmp_path


def test_upward_search_prefers_the_nearest_configured_file(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'select = ["LB2"]\n')
    inner = write_pyproject(tmp_path / "pkg", 'select = ["LB3"]\n')

    assert find_config_file(tmp_path / "pkg") == inner
    assert load_settings(config_file=None, search_from=tmp_path / "pkg").select == ("LB3",)


def test_upward_search_finds_nothing(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "line-length = 1\n", header="[tool.ruff]")

    found = find_config_file(tmp_path)

    # Whatever lies above tmp_path is not ours to assert on, but this file is skipped.
    assert found != tmp_path / "pyproject.toml"


def test_unrelated_broken_pyproject_on_the_way_up_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    configured = write_pyproject(tmp_path / "a", "")

    assert find_config_file(tmp_path / "a") == configured


def test_explicit_standalone_toml_holds_the_table_at_top_level(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "llmbase.toml"
    config.parent.mkdir()
    config.write_text('select = ["lb201"]\nbase-url = "https://proxy.example/v1"\n', "utf-8")
    # An explicit file wins over a configured pyproject nearby.
    write_pyproject(tmp_path, 'select = ["LB9"]\n')

    settings = load_settings(config_file=config, search_from=tmp_path)

    assert settings.select == ("LB201",)
    assert settings.base_url == "https://proxy.example/v1"
    assert settings.config_path == config
    assert settings.project_root == config.parent


def test_explicit_standalone_toml_unknown_key_has_no_table_name(tmp_path: Path) -> None:
    config = tmp_path / "ruff-style.toml"
    config.write_text("selec = []\n", "utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(config_file=config, search_from=tmp_path)

    assert str(caught.value) == f"{config}: unknown key 'selec' (did you mean 'select'?)"


def test_explicit_pyproject_without_table_means_defaults(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, "line-length = 1\n", header="[tool.ruff]")

    settings = load_settings(config_file=path, search_from=tmp_path / "elsewhere")

    assert settings.select is None
    assert settings.config_path == path
    assert settings.project_root == tmp_path


def test_explicit_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load_settings(config_file=tmp_path / "nope.toml", search_from=tmp_path)

    assert caught.value.path == tmp_path / "nope.toml"


def test_overrides_validate_and_ignore_none(tmp_path: Path) -> None:
    settings = Settings(project_root=tmp_path, select=("LB1",), base_url="http://a.example")

    changed = settings.with_overrides(select=["lb2"], base_url=None, ignore=("lb3",))

    assert changed.select == ("LB2",)
    assert changed.ignore == ("LB3",)
    assert changed.base_url == "http://a.example"
    assert settings.select == ("LB1",)
    assert settings.with_overrides(select=None) is settings


def test_override_errors_name_the_option(tmp_path: Path) -> None:
    settings = Settings(project_root=tmp_path)

    with pytest.raises(ConfigError) as caught:
        settings.with_overrides(base_url="ftp://x")
    assert str(caught.value) == "--base-url must be an http(s) URL, got 'ftp://x'"

    with pytest.raises(ConfigError, match=r"^--select has an invalid rule code 'zz'"):
        settings.with_overrides(select=["zz"])

    with pytest.raises(TypeError, match="unknown setting 'selekt'"):
        settings.with_overrides(selekt=["LB1"])


def test_render_settings_shows_every_key(tmp_path: Path) -> None:
    path = write_pyproject(
        tmp_path, 'select = ["LB2"]\nper-file-ignores = { "tests/*" = ["LB1"] }\n'
    )
    settings = load_settings(config_file=None, search_from=tmp_path)

    rendered = render_settings(settings)

    lines = rendered.splitlines()
    assert lines[0] == f'config-file = "{path.as_posix()}"'
    assert 'select = ["LB2"]' in lines
    assert 'per-file-ignores = { "tests/*" = ["LB1"] }' in lines
    assert f'base-url = "{DEFAULT_BASE_URL}"' in lines
    for key in TOML_KEYS:
        assert any(line.startswith(f"{key} = ") for line in lines), key
    assert settings.show() == rendered


def test_render_settings_without_config_file(tmp_path: Path) -> None:
    rendered = Settings(project_root=tmp_path).show()

    assert "config-file = (none)" in rendered.splitlines()
    assert "select = (rules' defaults)" in rendered.splitlines()


def test_the_libcst_limit_is_read_and_misspelled_gets_a_suggestion(tmp_path: Path) -> None:
    assert Settings(project_root=tmp_path).libcst_max_tokens == DEFAULT_LIBCST_MAX_TOKENS == 80_000
    write_pyproject(tmp_path / "set", "libcst-max-tokens = 5000\n")
    assert load_settings(config_file=None, search_from=tmp_path / "set").libcst_max_tokens == 5000
    error = load_error(tmp_path / "typo", "libcst-max-token = 5000\n")
    assert str(error).endswith("(did you mean 'libcst-max-tokens'?)")
