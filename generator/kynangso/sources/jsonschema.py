"""JSON Schemas for editors' YAML editors, made from the same pydantic models `validate` uses,
so the hints an editor sees while typing and the build's checks never disagree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kynangso.sources.schema import Lesson, Quiz

SCHEMAS: dict[str, type[Lesson | Quiz]] = {"lesson.schema.json": Lesson, "quiz.schema.json": Quiz}


def schema_for(model: type[Lesson | Quiz]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_schemas(out_dir: Path) -> list[Path]:
    """Write lesson.schema.json and quiz.schema.json into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        target = out_dir / name
        target.write_text(
            json.dumps(schema_for(model), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written.append(target)
    return written
