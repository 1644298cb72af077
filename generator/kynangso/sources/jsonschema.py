"""JSON Schemas for editors' YAML editors, made from the same pydantic models `validate` uses,
so the hints an editor sees while typing and the build's checks never disagree.

Two things the models cannot say alone: the topics, which are the entries of
content/topics.yaml, and that every text field takes any YAML scalar (`en: 2024` is the text
"2024" to `validate`, a number to a YAML editor), so text fields accept numbers and booleans.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kynangso.sources.schema import Lesson, Quiz

SCHEMAS: dict[str, type[Lesson | Quiz]] = {"lesson.schema.json": Lesson, "quiz.schema.json": Quiz}


SCALAR_TYPES = ["string", "number", "boolean"]


def schema_for(model: type[Lesson | Quiz], topics: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = _texts_take_scalars(model.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    topic = schema.get("properties", {}).get("topic")
    if topic is not None and topics:
        topic["enum"] = topics
    return schema


def _texts_take_scalars(node: Any) -> Any:
    if isinstance(node, dict):
        node = {key: _texts_take_scalars(value) for key, value in node.items()}
        if node.get("type") == "string" and "format" not in node:
            node["type"] = SCALAR_TYPES
        return node
    if isinstance(node, list):
        return [_texts_take_scalars(item) for item in node]
    return node


def write_schemas(out_dir: Path, topics: list[str] | None = None) -> list[Path]:
    """Write lesson.schema.json and quiz.schema.json into `out_dir`; `topics` (the entries of
    content/topics.yaml) become the choices of a lesson's `topic`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        target = out_dir / name
        target.write_text(
            json.dumps(schema_for(model, topics), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        written.append(target)
    return written
