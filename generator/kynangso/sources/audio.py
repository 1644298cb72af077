"""Recorded voices: a step's `audio:` files in content/media/audio/, one per language.

Residents who read little, or who speak Thái or Mông first, listen to a team member read the
step. Each file goes into every phone's offline pack, so it must be audio a browser plays (told
by its first bytes, not by its name) and small: a file is refused over `FILE_LIMIT`, and an Ogg
Opus file (whose length can be read from its last page) over `MINUTE_LIMIT` bytes per minute.
The budget editors aim for is `MINUTE_BUDGET`: Opus at 24 kbit/s mono, as `kynangso preview`
records and `opusenc --bitrate 24` makes.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

AUDIO_FOLDER = ("content", "media", "audio")
# What browsers record (Opus in Ogg or WebM) and what phones' recorders save (MP3, M4A).
KINDS = {
    ".ogg": "ogg",
    ".opus": "ogg",
    ".oga": "ogg",
    ".webm": "webm",
    ".weba": "webm",
    ".mp3": "mp3",
    ".m4a": "m4a",
}
FILE_LIMIT = 1024 * 1024  # about 5 minutes at the budget: a step read aloud takes one or two
MINUTE_BUDGET = 180 * 1024  # Opus 24 kbit/s mono
MINUTE_LIMIT = 480 * 1024  # 64 kbit/s: twice what speech needs, more is a setting to fix
# BCP 47 language codes as lessons use them: vi, blt (Thái Đen), hmn (Mông), vi-VN, hmn-Latn …
LANGUAGE_CODE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
OPUS_RATE = 48_000


def kind_of_bytes(head: bytes) -> str | None:
    """The container the first bytes say: ogg, webm, mp3, m4a, or None for anything else."""
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML, as WebM (Matroska) files begin
        return "webm"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"  # an ID3 tag, or straight into an MPEG audio frame (frame sync)
    if head[4:8] == b"ftyp":
        return "m4a"
    return None


def ogg_opus_seconds(raw: bytes) -> float | None:
    """Length of an Ogg Opus file from its last page's granule position (48 kHz samples, less
    the pre-skip); None when the file is not Ogg Opus or the length cannot be read."""
    head = raw.find(b"OpusHead")
    last = raw.rfind(b"OggS")
    if head < 0 or last < 0 or len(raw) < last + 14 or len(raw) < head + 12:
        return None
    granule = int(struct.unpack_from("<q", raw, last + 6)[0])
    pre_skip = int(struct.unpack_from("<H", raw, head + 10)[0])
    if granule <= pre_skip:
        return None
    return (granule - pre_skip) / OPUS_RATE


def audio_problem(path: Path, shown_as: str) -> str | None:
    """Why the file at `path` (shown as `shown_as`) cannot be a step's recording; None if it can."""
    expected = KINDS.get(path.suffix.lower())
    if expected is None:
        return f"'{path.name}' is not a recording: use {', '.join(KINDS)}"
    if not path.is_file():
        return f"audio file missing: {shown_as}"
    size = path.stat().st_size
    if size > FILE_LIMIT:
        return (
            f"{shown_as} is {size / 1024:.0f} KB; a recording may be at most "
            f"{FILE_LIMIT // 1024} KB: record the step in shorter parts or as Opus 24 kbit/s mono"
        )
    raw = path.read_bytes()
    found = kind_of_bytes(raw[:16])
    if found is None:
        return f"{shown_as} is not audio (its first bytes are not Ogg, WebM, MP3 or M4A)"
    if found != expected:
        return f"{shown_as} holds {found.upper()} audio: name it {path.stem}.{_suffix(found)}"
    seconds = ogg_opus_seconds(raw) if found == "ogg" else None
    if seconds and size / seconds * 60 > MINUTE_LIMIT:
        per_minute = size / seconds * 60 / 1024
        return (
            f"{shown_as} takes {per_minute:.0f} KB per minute of sound; at most "
            f"{MINUTE_LIMIT // 1024} KB (aim for {MINUTE_BUDGET // 1024}): encode it as Opus "
            "24 kbit/s mono (opusenc --bitrate 24)"
        )
    return None


def _suffix(kind: str) -> str:
    return {"ogg": "ogg", "webm": "webm", "mp3": "mp3", "m4a": "m4a"}[kind]


def is_language_code(code: str) -> bool:
    return re.match(LANGUAGE_CODE, code) is not None
