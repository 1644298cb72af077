"""The coach dashboard: numbers counted by SQLite on the day rule of the store, computed off the
event loop so the phones' requests do not wait behind a coach."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from classmode import Server, free_port, request

from kynangso.catalog import Catalog, load_catalog, write_catalog
from kynangso.classroom import database, store
from kynangso.classroom.coach import (
    dashboard_data,
    off_the_loop,
    render_dashboard,
    stop_coach_work,
)
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project

LESSON = "sample-lesson"  # two questions


@pytest.fixture
def site(project: Path, tmp_path: Path) -> Path:
    """A site folder with just the catalog of the small sample project."""
    folder = tmp_path / "site"
    folder.mkdir()
    write_catalog(site_catalog(load_project(project)), folder)
    return folder


def _catalog(site: Path) -> Catalog:
    return load_catalog(site)


def _seed(db: database.Target, count: int, clocks: list[str] | None = None) -> str:
    """A class of 60 learners and `count` completions of the sample lesson, in one transaction."""
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp Bản Hua", "2468")
    connection.execute("BEGIN")
    learners = [store.add_learner(connection, code, f"Người học {i}") for i in range(60)]
    times = clocks or [f"2026-11-{10 + i % 10:02d}T0{i % 10}:00:00+00:00" for i in range(count)]
    for i, when in enumerate(times):
        store.add_completion(
            connection,
            store.Completion(
                id=f"c{i}",
                class_code=code,
                learner_id=learners[i % 60],
                lesson=LESSON,
                lang="vi",
                score=i % 3 and 1,
                total=2,
                passed=bool(i % 3),
                answered_at=when,
                answers=[bool(i % 3), i % 2 == 0],
            ),
        )
    connection.execute("COMMIT")
    connection.close()
    return code


def test_dashboard_counts_days_by_the_store_rule(site: Path, db_target: database.Target) -> None:
    db = db_target
    code = _seed(
        db,
        5,
        [
            "2026-11-12T16:59:59+00:00",  # 12/11 in Vietnam
            "2026-11-12T17:00:00+00:00",  # already 13/11 in Vietnam
            "1970-01-01T00:00:00+00:00",  # a reset clock: counted on the day it arrived
            "2099-01-01T00:00:00+00:00",  # a hand-set year: the same
            "9999-12-31T23:59:59-05:00",
        ],
    )
    connection = store.connect(db)
    today = store.completion_day(store.now(), store.now())
    data = dashboard_data(connection, code, _catalog(site))
    days = {bar["day"]: bar["count"] for bar in data["per_day"]}
    assert len(data["per_day"]) == 14 and data["per_day"][-1]["day"] == _ddmm(today)
    assert days[_ddmm(today)] == 3  # the three wrong clocks, not 1970 or 2099
    stored = dict(
        connection.execute("SELECT day, COUNT(*) FROM completions GROUP BY day").fetchall()
    )
    assert stored == {"2026-11-12": 1, "2026-11-13": 1, today: 3}
    assert (data["completion_count"], data["pass_count"], data["learner_count"]) == (5, 3, 60)
    assert [(q.number, q.tries, q.percent) for q in data["hardest"]] == [
        (1, 5, 60),
        (2, 5, 60),
    ]
    assert data["per_lesson"] == [{"title": "Bài mẫu", "passed": 3, "tried": 5}]
    assert sum(cell == "passed" for row in data["grid"] for cell in row["cells"]) == 3
    page = render_dashboard(connection, code, _catalog(site))
    assert "1970" not in page and "2099" not in page


def _ddmm(day: str) -> str:
    return f"{day[8:10]}/{day[5:7]}"


def _login(client: httpx.Client, code: str) -> None:
    assert client.post("/coach/login", data={"code": code, "pin": "2468"}).status_code == 200


def test_health_does_not_wait_while_a_coach_opens_the_dashboard(site: Path, tmp_path: Path) -> None:
    """30,000 completions; a coach refreshes the dashboard and the CSV in a loop while the
    health endpoint is asked every 20 ms. Nothing it answers may wait for a whole dashboard."""
    db = tmp_path / "class.db"
    code = _seed(db, 30_000)
    server = Server(site, db).start()
    stop = threading.Event()
    coach_times: list[float] = []

    def coach() -> None:
        with httpx.Client(base_url=server.url, timeout=30, follow_redirects=True) as client:
            _login(client, code)
            while not stop.is_set():
                started = time.perf_counter()
                assert client.get("/coach/").status_code == 200
                assert client.get("/coach/completions.csv").status_code == 200
                coach_times.append(time.perf_counter() - started)

    worker = threading.Thread(target=coach)
    try:
        worker.start()
        waits = []
        with httpx.Client(base_url=server.url, timeout=30) as phone:
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline or (not coach_times and worker.is_alive()):
                started = time.perf_counter()
                assert phone.get("/api/v1/health").status_code == 200
                waits.append(time.perf_counter() - started)
                time.sleep(0.02)
    finally:
        stop.set()
        worker.join(timeout=60)
        server.stop()
    assert coach_times, "the coach never got the dashboard"
    # Counted, not timed to the millisecond, so a busy machine does not fail the test: when the
    # work ran on the event loop, every health request that arrived during a round waited for it
    # (4.4 s of 6.7 s at 30,000), so most of them were slow; off the loop only a few are.
    typical = statistics.median(waits)
    slow = [wait for wait in waits if wait > 0.25]
    assert typical < 0.1, (typical, coach_times)
    assert len(slow) <= 0.1 * len(waits), (len(slow), len(waits), coach_times)


def test_serve_says_which_store_and_warns_when_it_has_no_class(site: Path, tmp_path: Path) -> None:
    for db, has_class in ((tmp_path / "new.db", False), (tmp_path / "class.db", True)):
        if has_class:
            store.create_class(store.connect(db), "Lớp A", "2468")
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kynangso.cli",
                "serve",
                "--port",
                str(port),
                "--db",
                str(db),
                "--site",
                str(site),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for _ in range(200):
                try:
                    if request(f"http://127.0.0.1:{port}/api/v1/health")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
        finally:
            process.terminate()
            out, err = process.communicate(timeout=20)
        assert f"class store: {db.resolve()}" in out
        if has_class:
            assert "1 classes" in out and "WARNING" not in err
        else:
            assert "new, 0 classes" in out
            assert (
                "WARNING" in err and f'kynangso class create "Lớp ..." --pin PIN --db {db}' in err
            )


def test_the_coach_pages_speak_english_on_request(site: Path, tmp_path: Path) -> None:
    """`?lang=en` or the browser's Accept-Language; Vietnamese stays the default, the CSV as it was."""
    db = tmp_path / "class.db"
    code = _seed(db, 3)
    server = Server(site, db).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30, follow_redirects=True) as client:
            login = client.get("/coach/", headers={"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"})
            assert '<html lang="en">' in login.text and "Facilitator login" in login.text
            assert "Đăng nhập" not in login.text
            assert 'href="/coach/?lang=vi"' in login.text  # the switch back
            vietnamese = client.get("/coach/")
            assert '<html lang="vi">' in vietnamese.text
            assert "Đăng nhập người hướng dẫn" in vietnamese.text
            wrong = client.post("/coach/login?lang=en", data={"code": code, "pin": "0000"})
            assert (
                wrong.status_code == 401 and "The class code or the PIN is not right." in wrong.text
            )
            page = client.post("/coach/login?lang=en", data={"code": code, "pin": "2468"})
            assert page.status_code == 200 and str(page.url).endswith("/coach/?lang=en")
            for text in ("Numbers to report", "Hardest questions", "Log out", "Sample lesson"):
                assert text in page.text, text
            assert "Số liệu để báo cáo" not in page.text and "Bài mẫu" not in page.text
            assert "Số liệu để báo cáo" in client.get("/coach/").text
            csv = client.get("/coach/completions.csv")
            assert csv.text.startswith("\ufeffid,class_code,class_name,learner_id")
    finally:
        server.stop()


def test_a_coach_text_a_language_lacks_is_vietnamese_and_marked(tmp_path: Path) -> None:
    from kynangso import words
    from kynangso.classroom.coach import page_words

    folder = tmp_path / "words"
    folder.mkdir()
    for lang in ("vi", "en"):
        (folder / f"{lang}.yaml").write_bytes((words.FOLDER / f"{lang}.yaml").read_bytes())
    (folder / "xx.yaml").write_text("coach:\n  logout: Xx-logout\n", encoding="utf-8")
    say = page_words("xx", folder)["say"]
    assert say("logout") == "Xx-logout"
    assert say("numbers") == '<span lang="vi">Số liệu để báo cáo</span>'
    assert page_words("en", folder)["say"]("numbers") == "Numbers to report"


def test_a_coach_forgets_a_learner_of_their_own_class_only(site: Path, tmp_path: Path) -> None:
    """A button per roster row, asked again before it acts; a POST from another origin, of
    another class's learner or without a session changes nothing."""
    db = tmp_path / "class.db"
    code = _seed(db, 6)
    connection = store.connect(db)
    other = store.create_class(connection, "Lớp Nà Sành", "1357")
    stranger = store.add_learner(connection, other, "Người lớp khác")
    first = store.learners(connection, code)[0]
    connection.close()
    assert first["name"] == "Người học 0"
    action = f"/coach/learners/{first['id']}/forget"
    server = Server(site, db).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.post(action).status_code == 303  # no session: to the login
            client.post("/coach/login", data={"code": code, "pin": "2468"})
            page = client.get("/coach/").text
            assert f'action="{action}?lang=vi"' in page
            assert "Xoá tên “Người học 0” khỏi máy này?" in page  # the confirmation
            evil = client.post(
                action, headers={"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"}
            )
            assert (
                evil.status_code == 403
                and "did not come from this dashboard" in evil.json()["detail"]
            )
            theirs = client.post(f"/coach/learners/{stranger}/forget")
            assert theirs.status_code == 404
            assert theirs.json() == {"detail": "no such learner in this class"}
            assert client.post("/coach/learners/nobody/forget").status_code == 404
            kept = {row["id"]: row["name"] for row in store.learners(store.reader(db), None)}
            assert kept[first["id"]] == "Người học 0" and kept[stranger] == "Người lớp khác"
            done = client.post(
                action + "?lang=en",
                headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"},
            )
            assert done.status_code == 303 and done.headers["location"] == "/coach/?lang=en"
            page = client.get("/coach/?lang=en").text
            assert "(name removed)" in page and "Người học 0" not in page
            assert "(đã xoá tên)" in client.get("/coach/").text
            csv = client.get("/coach/completions.csv")
            assert csv.headers["content-disposition"] == (
                f'attachment; filename="kynangso-{code}-co-ten-nguoi-hoc.csv"'
            )
            assert f",{first['id']},," in csv.text and "Người học 0," not in csv.text
        names = {row["id"]: row["name"] for row in store.learners(store.reader(db), None)}
        assert names[first["id"]] == "" and names[stranger] == "Người lớp khác"
        assert store.counts(store.reader(db))["completions"] == 6
    finally:
        server.stop()


def test_serve_on_postgres_says_which_database_without_its_password(
    site: Path, postgres_url: str
) -> None:
    connection = store.connect(postgres_url)
    store.create_class(connection, "Lớp A", "2468")
    connection.close()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kynangso.cli", "serve", "--port", str(port)]
        + ["--db", postgres_url, "--site", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                if request(f"http://127.0.0.1:{port}/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert f"class store: {database.shown(postgres_url)} (1 classes" in out, out + err
    assert "s3cret" not in out + err and "WARNING" not in err


def test_a_hubs_coach_work_runs_in_a_process_of_its_own_at_a_lower_priority(
    tmp_path: Path,
) -> None:
    """At a hub (PostgreSQL) the coach's pages are made outside the server's interpreter
    (whose lock they held while templating, holding up the phones' requests), at nice 10 or
    more, and a coach process that dies (killed, out of memory) is replaced at the next page.
    A SQLite store's coach work stays in a thread of the server, also at nice 10."""
    hub = "postgresql://kynangso@127.0.0.1:1/hub"  # only its kind counts here

    async def run() -> tuple[int, int, int, int, int]:
        first = await off_the_loop(hub, os.getpid)
        niceness = await off_the_loop(hub, os.nice, 0)
        os.kill(first, signal.SIGKILL)
        second = await off_the_loop(hub, os.getpid)
        laptop = await off_the_loop(tmp_path / "class.db", os.getpid)
        thread_niceness = await off_the_loop(tmp_path / "class.db", os.nice, 0)
        return first, niceness, second, laptop, thread_niceness

    try:
        # asyncio.run in a thread of its own: a browser test earlier on this worker may have
        # left an event loop running in this one.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as apart:
            found = apart.submit(lambda: asyncio.run(run())).result()
        first, niceness, second, laptop, thread_niceness = found
    finally:
        stop_coach_work()
    assert first != os.getpid()
    assert niceness >= 10 > os.nice(0)
    assert second not in (first, os.getpid())
    assert laptop == os.getpid() and thread_niceness >= 10
