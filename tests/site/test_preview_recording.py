""" "Ghi âm" in `kynangso preview`: a team member records a step in the browser and the preview
saves the file and writes the lesson's `audio:` entry, comments and layout kept.

Chromium records from its fake microphone (a beep) with `--use-fake-device-for-media-stream
--use-fake-ui-for-media-stream`; the preview runs on a free local port over the small project.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from playwright.sync_api import BrowserType, expect
from serving import serving

from kynangso.cli import main
from kynangso.preview import Preview
from kynangso.sources.audio import FILE_LIMIT, audio_problem, kind_of_bytes
from kynangso.sources.validate import load_project

COMMENT = "# Bước hai: đọc chậm, rõ từng chữ\n"
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
OPUS = Path(__file__).resolve().parents[1] / "bad" / "audio-files" / "content" / "media" / "audio"


@pytest.fixture
def preview_url(project: Path) -> Iterator[str]:
    """The preview of the small project (one comment added to its lesson), on a free port."""
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(
        lesson.read_text().replace(
            '  - title:\n      vi: "Bước hai"', "  " + COMMENT + '  - title:\n      vi: "Bước hai"'
        )
    )
    assert COMMENT in lesson.read_text()
    watcher = Preview(project, project / "build" / "preview-site", log=lambda text: None)
    watcher.rebuild()
    threading.Thread(target=watcher.watch, daemon=True).start()
    time.sleep(1)
    with serving(watcher.app(), lifespan="auto") as url:
        yield url
    watcher.stop.set()


def test_record_stop_save_writes_the_file_and_the_entry(
    browser_type: BrowserType, browser_type_launch_args: dict, preview_url: str, project: Path
) -> None:
    args = {**browser_type_launch_args}
    args["args"] = [*args.get("args", []), *FAKE_MICROPHONE]
    browser = browser_type.launch(**args)
    try:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(f"{preview_url}/lessons/sample-lesson/")
        record = page.locator("#step-2 + p.kns-recorder button[data-lang=blt]")
        expect(page.locator("#step-2 + p.kns-recorder button.kns-record")).to_have_count(3)
        record.click()
        expect(record).to_contain_text("Dừng")
        page.wait_for_timeout(1500)
        record.click()
        expect(page.locator("#step-2 + p.kns-recorder [role=status]")).to_contain_text(
            "Đã lưu / Saved: content/media/audio/sample-lesson-2-blt.webm"
        )
    finally:
        browser.close()
    saved = project / "content" / "media" / "audio" / "sample-lesson-2-blt.webm"
    assert kind_of_bytes(saved.read_bytes()[:16]) == "webm"
    assert audio_problem(saved, "x") is None
    text = (project / "lessons" / "sample-lesson.yaml").read_text()
    assert COMMENT in text
    assert "    minutes: 8\n    audio:\n      blt: sample-lesson-2-blt.webm\n" in text
    lesson = load_project(project).lessons["sample-lesson"]  # validate passes
    assert lesson.steps[1].audio == {"blt": "sample-lesson-2-blt.webm"}


@pytest.mark.parametrize(
    ("query", "body", "status", "detail"),
    [
        ("lesson=sample-lesson&step=1&lang=vi", b"not sound", 422, "not audio"),
        ("lesson=../mkdocs&step=1&lang=vi", None, 422, "no lesson"),
        ("lesson=nothing&step=1&lang=vi", None, 422, "no lesson"),
        ("lesson=sample-lesson&step=9&lang=vi", None, 422, "no step 9"),
        ("lesson=sample-lesson&step=x&lang=vi", None, 422, "step must be"),
        ("lesson=sample-lesson&step=1&lang=../../x", None, 422, "language code"),
    ],
)
def test_a_bad_recording_is_refused_with_a_reason(
    preview_url: str, project: Path, query: str, body: bytes | None, status: int, detail: str
) -> None:
    before = (project / "lessons" / "sample-lesson.yaml").read_text()
    answer = httpx.post(
        f"{preview_url}/__preview/recording?{query}",
        content=body if body is not None else (OPUS / "fine.ogg").read_bytes(),
        headers={"Content-Type": "audio/ogg"},
    )
    assert answer.status_code == status and detail in answer.json()["detail"]
    assert (project / "lessons" / "sample-lesson.yaml").read_text() == before
    assert not (project / "content" / "media" / "audio").exists()


def test_recording_size_and_kind_are_capped(preview_url: str, project: Path) -> None:
    url = f"{preview_url}/__preview/recording?lesson=sample-lesson&step=1&lang=vi"
    big = httpx.post(
        url, content=b"OggS" + bytes(FILE_LIMIT), headers={"Content-Type": "audio/ogg"}
    )
    assert big.status_code == 413
    plain = httpx.post(url, content=b"OggS", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415  # a cross-site form could send text/plain without asking
    good = httpx.post(
        url, content=(OPUS / "fine.ogg").read_bytes(), headers={"Content-Type": "audio/ogg"}
    )
    assert (
        good.status_code == 201
        and good.json()["file"] == "content/media/audio/sample-lesson-1-vi.ogg"
    )
    assert load_project(project).lessons["sample-lesson"].steps[0].audio == {
        "vi": "sample-lesson-1-vi.ogg"
    }


def test_a_new_take_in_another_format_replaces_the_old_file(
    preview_url: str, project: Path
) -> None:
    url = f"{preview_url}/__preview/recording?lesson=sample-lesson&step=1&lang=hmn"
    ogg = httpx.post(
        url, content=(OPUS / "fine.ogg").read_bytes(), headers={"Content-Type": "audio/ogg"}
    )
    assert ogg.status_code == 201
    webm = httpx.post(
        url, content=b"\x1a\x45\xdf\xa3" + bytes(64), headers={"Content-Type": "audio/webm"}
    )
    assert webm.status_code == 201
    audio = project / "content" / "media" / "audio"
    assert sorted(p.name for p in audio.iterdir()) == ["sample-lesson-1-hmn.webm"]
    text = (project / "lessons" / "sample-lesson.yaml").read_text()
    assert text.count("hmn: sample-lesson-1-hmn.webm") == 1 and "hmn.ogg" not in text


def test_preview_refuses_audio_langs_that_are_no_language_codes(project: Path) -> None:
    result = CliRunner().invoke(
        main, ["preview", "--root", str(project), "--audio-langs", "vi,../x"]
    )
    assert result.exit_code == 2 and "--audio-langs" in result.output
