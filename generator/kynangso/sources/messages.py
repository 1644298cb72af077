"""What a pydantic error says to an editor: plain words naming what was expected and received.

Pure functions from a pydantic error (and the model it came from) to one line of text; the
`Collector` in `collect.py` puts that line at the right file, line and field.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from kynangso.sources import schema


def kind_of(value: Any) -> str:
    """What a value is, in an editor's words ("a list", "text 'abc'")."""
    if isinstance(value, dict):
        return "fields (a mapping)"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"text '{_short(value)}'"


def _short(value: Any) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "..."


def one_of(names: list[str]) -> str:
    """'a', 'b' or 'c'."""
    quoted = [f"'{name}'" for name in names]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


def allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names the model allows at `loc`, for the "did you mean" hint."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            # a dict keyed by topic: step into its value model
            current = _inner_model(current, part)
            continue
        current = _inner_model_of(info.annotation)
    return sorted(getattr(current, "model_fields", {})) if current is not None else []


def _inner_model(model: Any, key: Any) -> Any:
    if model is schema.Topics:
        return schema.TopicInfo
    return None


def _inner_model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model_of(arg)
        if found is not None:
            return found
    return None


def unknown_field(name: str, allowed: list[str]) -> str:
    """An unknown field, with the closest allowed name and the full list."""
    guess = difflib.get_close_matches(name, allowed, n=1)
    hint = f"; did you mean '{guess[0]}'?" if guess else ""
    listing = f" (expected one of: {', '.join(allowed)})" if allowed else ""
    return f"unknown field '{name}'{hint}{listing}"


def message(error: Any, loc: tuple[Any, ...]) -> str:
    """One pydantic error in plain words; pydantic's own text when no rule fits."""
    kind = error["type"]
    got = error.get("input")
    ctx = error.get("ctx") or {}
    last = loc[-1] if loc else ""
    language = schema.LANGUAGE_NAMES.get(str(last))
    if kind == "missing":
        return f"missing {language} text" if language else "required field is missing"
    if kind == "empty_text":
        return f"empty {language} text" if language else "empty text"
    if kind == "invisible_text":
        empty = f"empty {language} text" if language else "empty text"
        return f"{empty}: only invisible characters (zero-width space, BOM, …)"
    if kind == "string_type":
        return f"expected text but received {kind_of(got)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected fields (name: value) but received {kind_of(got)}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- ') but received {kind_of(got)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number but received {kind_of(got)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false but received {kind_of(got)}"
    if kind.startswith("date"):
        return f"expected a date like 2026-11-25 but received {kind_of(got)}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')} but received {kind_of(got)}"
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"needs at least {need} item{'s' if need != 1 else ''}"
    if kind == "string_pattern_mismatch":
        if "audio" in loc:
            return (
                "expected a language code (BCP 47) like vi, blt (Thái Đen) or hmn (Mông) "
                f"but received {kind_of(got)}"
            )
        if last == "id":
            return f"expected lowercase letters, digits and hyphens (like 'vneid-activate') but received {kind_of(got)}"
        if last == "url":
            return (
                f"expected an address starting with https:// or http:// but received {kind_of(got)}"
            )
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return f"expected a number {word} {bound} but received {kind_of(got)}"
    return str(error.get("msg", kind))
