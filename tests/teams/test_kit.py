"""The class kit: a paper quiz per lesson with its answer key alone on the last page, blank and
named attendance sheets, and certificates of participation from a real class store."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from kynangso.catalog import Catalog, LessonEntry, Words
from kynangso.classroom import database, roster, store
from kynangso.cli import main
from kynangso.sources.validate import load_project
from kynangso.teams.kit import answer_key, attendance_html, quiz_html
from kynangso.teams.plan import LessonPlan, lesson_plan
from kynangso.teams.printing import PrintJob, page_count, print_all
from kynangso.teams.strings import KIT_UI

REPO = Path(__file__).resolve().parents[2]
NEEDS_PRINTING = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftotext") is None,
    reason="Debian's chromium and poppler-utils are needed",
)


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, accents composed and every space removed (line breaks fall
    anywhere)."""
    texts = []
    for number in range(1, page_count(pdf.read_bytes()) + 1):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        texts.append(squeeze(out))
    return texts


def squeeze(text: str) -> str:
    # pdftotext drops the hyphen of a word broken at the end of a line ("post-" "merger")
    return "".join(unicodedata.normalize("NFC", text).replace("-", "").split())


def real_plans() -> list[LessonPlan]:
    project = load_project(REPO)
    return [
        lesson_plan(lesson, project.quizzes[lesson.id], project.topics[lesson.topic], lang)
        for lang in ("vi", "en")
        for lesson in project.lessons.values()
    ]


@NEEDS_PRINTING
@pytest.mark.browser
def test_paper_quiz_keeps_its_answer_key_alone_on_the_last_page(tmp_path: Path) -> None:
    """Every lesson in both languages: the questions on the first pages with no answer among
    them, the key (every right letter and its reason) alone on the last page."""
    plans = real_plans()
    pdfs = print_all(PrintJob(quiz_html(plan)) for plan in plans)
    for plan, data in zip(plans, pdfs):
        pdf = tmp_path / f"{plan.lesson_id}.{plan.lang}.quiz.pdf"
        pdf.write_bytes(data)
        *questions, key = page_texts(pdf)
        name = pdf.name
        heading = squeeze(KIT_UI[plan.lang]["key.title"].format(title=plan.title))
        assert questions, name
        assert key.startswith(squeeze(plan.t["site"])) is False and heading in key, name
        body = "".join(questions)
        assert heading not in body, name
        for question in plan.questions:
            assert squeeze(question.prompt) in body, name
        for line in answer_key(plan):
            assert f"{line.number}:{squeeze(line.right)}" in key, name
            for why in line.why:
                # the reason of a right answer is the answer given away
                assert squeeze(why) in key and squeeze(why)[:60] not in body, (name, why)


@NEEDS_PRINTING
@pytest.mark.browser
def test_blank_attendance_sheet_asks_for_name_and_village_only(tmp_path: Path) -> None:
    plan = next(p for p in real_plans() if p.lang == "vi")
    pdf = tmp_path / "attendance.pdf"
    pdf.write_bytes(print_all([PrintJob(attendance_html(plan))])[0])
    assert page_count(pdf.read_bytes()) == 1
    (text,) = page_texts(pdf)
    k = KIT_UI["vi"]
    for word in ("attendance.name", "attendance.village", "attendance.signature"):
        assert squeeze(k[word]) in text
    assert squeeze(plan.title) in text
    assert "CCCD" not in text and squeeze(k["attendance.note"]) in text


def class_store(tmp_path: Path) -> tuple[Path, str, Path]:
    """A real class store (one class, four residents, one of them forgotten) and a built site's
    lesson catalog; returns (store, class code, site folder)."""
    db = tmp_path / "class.db"
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp Bản Hua", "2468")
    passes = {
        "Lò Văn A": [
            ("vneid-activate", True, "2026-11-20"),
            ("scam-recovery", False, "2026-11-21"),
        ],
        "Quàng Thị B": [("vneid-activate", False, "2026-11-20")],
        "": [("vneid-activate", True, "2026-11-20")],  # forgotten: the name was wiped
        "Cà Thị D": [
            ("scam-recovery", True, "2026-11-27"),
            ("vneid-activate", True, "2026-11-24"),
            ("vneid-activate", True, "2026-11-25"),  # passed again: the first day counts
        ],
    }
    for name, done in passes.items():
        learner = store.add_learner(connection, code, name)
        for number, (lesson, passed, day) in enumerate(done):
            store.add_completion(
                connection,
                store.Completion(
                    id=f"{learner}-{number}",
                    class_code=code,
                    learner_id=learner,
                    lesson=lesson,
                    lang="vi",
                    score=6 if passed else 2,
                    total=7,
                    passed=passed,
                    answered_at=f"{day}T03:00:00+00:00",
                ),
            )
    connection.close()
    site = tmp_path / "site"
    site.mkdir()
    catalog = Catalog(
        topics={},
        lessons={
            lesson: LessonEntry(topic="e-id", title=Words(vi=vi, en=en), questions=[], pass_mark=1)
            for lesson, vi, en in (
                ("vneid-activate", "Kích hoạt tài khoản VNeID", "Activating VNeID"),
                ("scam-recovery", "Khi lỡ bị lừa", "After a scam"),
            )
        },
    )
    (site / "catalog.json").write_text(catalog.model_dump_json(), encoding="utf-8")
    return db, code, site


@NEEDS_PRINTING
@pytest.mark.browser
def test_certificates_for_residents_who_passed_from_a_real_store(tmp_path: Path) -> None:
    db, code, site = class_store(tmp_path)
    out = tmp_path / "certificates.pdf"
    result = CliRunner().invoke(
        main,
        ["certificates", "--db", str(db), "--class", code, "--out", str(out), "--site", str(site)],
    )
    assert result.exit_code == 0, result.output
    pages = page_texts(out)
    # A and D (in the order they joined); B passed nothing, the forgotten one gets none
    assert len(pages) == 2
    (first,) = [page for page in pages if squeeze("Lò Văn A") in page]
    (second,) = [page for page in pages if squeeze("Cà Thị D") in page]
    assert squeeze("Kích hoạt tài khoản VNeID") + "20/11/2026" in first
    assert squeeze("Khi lỡ bị lừa") not in first  # failed is not passed
    assert squeeze("Kích hoạt tài khoản VNeID") + "24/11/2026" in second
    assert squeeze("Khi lỡ bị lừa") + "27/11/2026" in second
    for page in (first, second):
        assert squeeze(KIT_UI["vi"]["certificate.title"]) in page
        assert squeeze(KIT_UI["vi"]["certificate.not_official"]) in page
        assert squeeze("Lớp Bản Hua") in page and "Quàng" not in page


def test_certificates_of_an_unknown_class_or_store_say_so_in_one_line(tmp_path: Path) -> None:
    db, _, site = class_store(tmp_path)
    out = tmp_path / "certificates.pdf"
    for where, said in ((db, "no class NOPE42 in"), (tmp_path / "none.db", "no class store at")):
        result = CliRunner().invoke(
            main,
            ["certificates", "--db", str(where), "--class", "NOPE42", "--out", str(out)]
            + ["--site", str(site)],
        )
        assert result.exit_code == 1
        assert said in result.output and len(result.output.strip().splitlines()) == 1
        assert not out.exists() and not (tmp_path / "none.db").exists()


@NEEDS_PRINTING
@pytest.mark.browser
def test_class_attendance_sheet_lists_the_residents_by_name(tmp_path: Path) -> None:
    db, code, _ = class_store(tmp_path)
    out = tmp_path / "attendance.pdf"
    result = CliRunner().invoke(
        main, ["attendance", "--db", str(db), "--class", code, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (text,) = page_texts(out)
    for name in ("Lò Văn A", "Quàng Thị B", "Cà Thị D", "Lớp Bản Hua", "Buổi 6"):
        assert squeeze(name) in text
    assert "4" + squeeze("Cà Thị D") not in text  # the forgotten resident leaves no row


def _passed(
    connection: database.Connection, code: str, learner: str, lesson: str, day: str
) -> None:
    store.add_completion(
        connection,
        store.Completion(
            id=f"{learner}-{lesson}",
            class_code=code,
            learner_id=learner,
            lesson=lesson,
            lang="vi",
            score=6,
            total=7,
            passed=True,
            answered_at=f"{day}T03:00:00+00:00",
        ),
    )


@pytest.fixture
def merged_class(db_target: database.Target, tmp_path: Path) -> tuple[str, str, Path]:
    """A class where Lò Văn An joined from Zalo's browser and again from Chrome (typing "An Lò"),
    the two entries merged into the first; each entry passed a lesson of its own and both
    passed VNeID (Chrome first, on 21/11). Quàng Thị Bình stays one entry. On SQLite and on
    PostgreSQL; returns (store, class code, site folder)."""
    db, _, site = class_store(tmp_path)  # only for its catalog
    connection = store.connect(db_target)
    code = store.create_class(connection, "Lớp Nà Tăm", "1357")
    zalo = store.add_learner(connection, code, "Lò Văn An")
    chrome = store.add_learner(connection, code, "An Lò")
    binh = store.add_learner(connection, code, "Quàng Thị Bình")
    _passed(connection, code, zalo, "vneid-activate", "2026-11-22")
    _passed(connection, code, chrome, "vneid-activate", "2026-11-21")
    _passed(connection, code, chrome, "scam-recovery", "2026-11-23")
    _passed(connection, code, binh, "vneid-activate", "2026-11-24")
    assert roster.merge_learners(connection, zalo, chrome) == zalo
    connection.close()
    return str(db_target), code, site


@NEEDS_PRINTING
@pytest.mark.browser
def test_a_merged_resident_gets_one_certificate_with_every_lesson(
    merged_class: tuple[str, str, Path], tmp_path: Path
) -> None:
    db, code, site = merged_class
    out = tmp_path / "merged.pdf"
    result = CliRunner().invoke(
        main, ["certificates", "--db", db, "--class", code, "--out", str(out), "--site", str(site)]
    )
    assert result.exit_code == 0, result.output
    pages = page_texts(out)
    assert len(pages) == 2  # An (both entries) and Bình
    (an,) = [page for page in pages if squeeze("Lò Văn An") in page]
    (binh,) = [page for page in pages if squeeze("Quàng Thị Bình") in page]
    assert squeeze("An Lò") not in "".join(pages)  # the kept entry's name
    vneid = squeeze("Kích hoạt tài khoản VNeID")
    # passed by both entries: listed once, on the first day either of them passed it
    assert an.count(vneid) == 1 and vneid + "21/11/2026" in an
    assert squeeze("Khi lỡ bị lừa") + "23/11/2026" in an  # passed by the Chrome entry only
    assert vneid + "24/11/2026" in binh and squeeze("Khi lỡ bị lừa") not in binh


@NEEDS_PRINTING
@pytest.mark.browser
def test_a_merged_resident_has_one_line_on_the_attendance_sheet(
    merged_class: tuple[str, str, Path], tmp_path: Path
) -> None:
    db, code, _ = merged_class
    out = tmp_path / "merged.pdf"
    result = CliRunner().invoke(
        main, ["attendance", "--db", db, "--class", code, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (text,) = page_texts(out)
    assert text.count(squeeze("Lò Văn An")) == 1 and squeeze("An Lò") not in text
    assert text.count(squeeze("Quàng Thị Bình")) == 1
    # the rows are numbered: An is 1, Bình 2, and the next row is blank
    assert "1" + squeeze("Lò Văn An") in text and "2" + squeeze("Quàng Thị Bình") in text
