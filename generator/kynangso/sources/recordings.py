"""Writing a recording into a lesson: the `audio:` entry of one step, edited in the text.

`kynangso preview` saves what a team member records and names it here. The lesson file is
the editors' own: its comments, quotes, order and blank lines stay as they were, so the entry
is written into the text at the step's line marks instead of dumping the YAML again.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kynangso.sources.audio import LANGUAGE_CODE
from kynangso.sources.schema import ID_PATTERN


class RecordingError(ValueError):
    """The lesson or step a recording is for cannot take it (said in plain words)."""


def recording_name(lesson: str, step: int, lang: str, suffix: str) -> str:
    """`<lesson>-<step>-<lang>.<suffix>`, the one name a step's recording gets (step from 1)."""
    if not re.match(ID_PATTERN, lesson) or not re.match(LANGUAGE_CODE, lang) or step < 1:
        raise RecordingError(f"no recording name for lesson {lesson!r}, step {step}, {lang!r}")
    return f"{lesson}-{step}-{lang}.{suffix}"


def with_recording(text: str, step: int, lang: str, name: str) -> str:
    """`text` (a lesson's YAML) with `steps[step].audio.<lang>: name` (step counted from 1)."""
    root = yaml.compose(text)
    steps = _value(root, "steps")
    if not isinstance(steps, yaml.SequenceNode) or not 1 <= step <= len(steps.value):
        raise RecordingError(f"the lesson has no step {step}")
    node = steps.value[step - 1]
    if not isinstance(node, yaml.MappingNode) or not node.value:
        raise RecordingError(f"step {step} is not a list of fields")
    audio = _value(node, "audio")
    if audio is None:
        return _insert_after(text, node, f"audio:\n  {lang}: {name}")
    if not isinstance(audio, yaml.MappingNode):
        raise RecordingError(f"steps[{step}].audio is not a list of languages")
    entries = {k.value: v for k, v in audio.value}
    if audio.flow_style or not audio.value:
        merged = {**{k: str(v.value) for k, v in entries.items()}, lang: name}
        flow = "{" + ", ".join(f"{k}: {v}" for k, v in merged.items()) + "}"
        return text[: audio.start_mark.index] + flow + text[audio.end_mark.index :]
    if lang in entries:
        old = entries[lang]
        return text[: old.start_mark.index] + name + text[old.end_mark.index :]
    return _insert_after(text, audio, f"{lang}: {name}")


def write_recording(lesson_file: Path, step: int, lang: str, name: str) -> None:
    """Write the entry into `lesson_file` in place (a whole new file, then a rename)."""
    text = lesson_file.read_text(encoding="utf-8")
    changed = with_recording(text, step, lang, name)
    temporary = lesson_file.with_name(f".{lesson_file.name}.recording")
    temporary.write_text(changed, encoding="utf-8")
    temporary.replace(lesson_file)


def _value(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for k, v in mapping.value:
        if k.value == key:
            found: yaml.Node = v
            return found
    return None


def _insert_after(text: str, mapping: yaml.MappingNode, lines: str) -> str:
    """`lines` as new entries of a block `mapping`, at its keys' indentation, on the line after
    its last value (comments and blank lines that follow stay after them)."""
    indent = " " * mapping.value[0][0].start_mark.column
    end = mapping.value[-1][1].end_mark
    if end.column == 0:
        at = end.index  # a block scalar ends at the start of the next line
    else:
        newline = text.find("\n", end.index)
        at = len(text) if newline < 0 else newline + 1
    block = "".join(f"{indent}{line}\n" for line in lines.split("\n"))
    if at == len(text) and text and not text.endswith("\n"):
        block = "\n" + block
    # a block scalar's end may lie after blank lines it kept: put the entry before them
    while at > 0 and text[at - 1] == "\n" and at > 1 and text[at - 2] == "\n":
        at -= 1
    return text[:at] + block + text[at:]
