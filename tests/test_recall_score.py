"""bench/recall_score.py: how findings are matched to hand labels."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load() -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("recall_score")


recall_score = _load()

LABELS = """
[repos."o/r"]
dir = "o+r"
commit = "0"

[[label]]
repo = "o/r"
file = "config.py"
line = 7
category = "model"
shape = "other_module"

[[label]]
repo = "o/r"
file = "config.py"
line = 5
category = "key"
shape = "config_field"
alt = ["config.py:4"]
sink = ["app.py:10-12"]

[[keep]]
repo = "o/r"
file = "vllm.py"
line = 3
end_line = 5
what = "a vLLM client"
"""


def test_places_a_message_names() -> None:
    message = (
        "model 'x' is unknown; used in 3 places: app/chat.py:31, 49, app/jobs.py:12 and 2 more"
    )
    assert recall_score.named_places(message) == [
        ("app/chat.py", 31),
        ("app/chat.py", 49),
        ("app/jobs.py", 12),
    ]
    assert recall_score.named_places("key (set in a.py:3, b/c.py:5), another vendor's") == [
        ("a.py", 3),
        ("b/c.py", 5),
    ]


def test_findings_match_labels_at_their_place_sink_or_keep(tmp_path: Path) -> None:
    labels_file = tmp_path / "labels.toml"
    labels_file.write_text(LABELS, encoding="utf-8")
    _, labels, keeps = recall_score.load_labels(labels_file)
    finding = recall_score.Finding
    findings = [
        # names the model's place: found
        finding("chat.py", 3, "LB301", "model unknown (set in config.py:7)"),
        # the right family at the key's sink only: reported at the use
        finding("app.py", 11, "LB102", "api_key is read from $OPENAI_API_KEY"),
        # a key finding at the model's place: wrong family, so a false alarm
        finding("config.py", 7, "LB102", "api_key ..."),
        # on a client that stays
        finding("vllm.py", 4, "LB101", "base URL ..."),
        finding("app.py", 2, "LB205", "store is undocumented"),
    ]
    result = recall_score.score_repo(findings, labels, keeps)
    assert {label.line for label in result.found} == {7}
    assert {label.line for label in result.found_at_sink} == {5}
    assert [f.line for f in result.false_alarms] == [11, 7, 4]
    assert [f.line for f in result.at_sink] == [11]
    assert [(f.line, keep.what) for f, keep in result.at_keep] == [(4, "a vLLM client")]
    assert [f.code for f in result.other_rules] == ["LB205"]

    # the class statement of a settings field counts as the field's own place
    result = recall_score.score_repo(
        [finding("app.py", 1, "LB102", "read from $OPENAI_API_KEY (set in config.py:4)")],
        labels,
        keeps,
    )
    assert {label.line for label in result.found} == {5}
