"""The commune hub under load, on PostgreSQL and on SQLite, in the same run.

For each database the script makes an empty hub (PostgreSQL: a throwaway cluster made with
initdb on its own port, as the tests make one, `tests/postgres.py`; SQLite: a file), starts
`kynangso serve` on it, and measures:

1. wrk (Debian's; 2 threads, 60 connections) posting completions to `POST /api/v1/completions`
   of a class made on the hub with 60 joined learners: p50/p99, req/s, non-2xx.
   Budget: p99 <= 100 ms at >= 1,500 req/s.
2. 17 team laptops x 5,000 completions (SQLite stores made here, one class and 30 learners
   each, each laptop with its own team token) synced with `kynangso sync`, each laptop its own
   process, all 17 started at once: the wall time from the first start to the last exit
   (budget <= 30 s), and the bytes on the wire per completion, counted by a TCP relay between
   the laptops and the hub (every byte of every request and answer, headers included).
3. The hub grown to 1,000,000 completions (seeded: PostgreSQL with one INSERT ... SELECT over
   generate_series, then VACUUM ANALYZE as autovacuum would; SQLite with executemany in one
   transaction), in 204 classes of the 17 teams and the coach's class (7% of the rows), spread
   over 23 months: the commune view `/coach/commune/` and the class dashboard `/coach/`
   (median of 5 loads after login; budget dashboard <= 500 ms), `kynangso report` (the whole
   command, Python start included), and the completions p99 with wrk as in 1: alone, while a
   coach client reloads the dashboard and the commune view in a loop with no pause (the worst
   case), and while it opens one of them every 3 s (a person clicking through them, the page
   "open"): the p99 should not move.

    python benchmarks/hub_load.py [--seconds 15] [--connections 60] [--seeded 1000000]
        [--laptops 17] [--per-laptop 5000] [--only postgresql|sqlite] [--quick] [--site site]

`--quick` is a smoke run on small numbers (3 s of wrk, 3 laptops x 300, 20,000 seeded).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "generator"), str(REPO / "tests"), str(REPO / "benchmarks")]

from class_load import Coach, free_port, post, run_wrk, wait_for  # noqa: E402
from postgres import Cluster, find_bin  # noqa: E402

from kynangso.classroom import hub, store  # noqa: E402

PIN = "2468"
# The children run this checkout's code, whatever is installed in the venv.
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(REPO / "generator"), os.environ.get("PYTHONPATH", "")]),
    "PYTHONIOENCODING": "utf-8",
}
VILLAGES = ["Bản Mòng", "Bản Hua", "Bản Nà Ngoa", "Bản Co Muông", "Tiểu khu 1", "Tiểu khu 2"]
CLASSES_PER_TEAM = 12
LEARNERS_PER_CLASS = 30
COACH_SHARE = 7  # percent of the seeded completions in the coach's class
# A person clicking between the class dashboard and the commune view: a page every 3 s.
COACH_PAUSE = 3.0
FIRST_DAY = dt.date(2025, 1, 1)
DAYS = 700  # 23 months of completions

LUA = """
local learners = {LEARNERS}
local lessons = {LESSONS}
local questions = {QUESTIONS}
local counter = 0
local ids = 0
thread_id = 0

function setup(thread)
  ids = ids + 1
  thread:set("thread_id", ids)
end

request = function()
  counter = counter + 1
  local learner = learners[(counter % #learners) + 1]
  local which = (counter % #lessons) + 1
  local n = questions[which]
  local body = string.format(
    '{"id":"{RUN}-%d-%d","class_code":"%s","learner_id":"%s","lesson":"%s","lang":"vi","score":%d,"total":%d,"passed":true,"answered_at":"2026-11-25T10:00:00Z","answers":[%s]}',
    thread_id, counter, "{CODE}", learner, lessons[which], n, n, string.rep("true,", n - 1) .. "true")
  return wrk.format("POST", "/api/v1/completions", {["Content-Type"] = "application/json"}, body)
end
"""


@dataclass(frozen=True)
class Lesson:
    slug: str
    questions: int
    pass_mark: int


@dataclass
class Settings:
    seconds: int
    connections: int
    seeded: int
    laptops: int
    per_laptop: int
    site: Path
    lessons: list[Lesson]


@dataclass
class Numbers:
    """What one database's run measured."""

    alone: dict[str, float] = field(default_factory=dict)
    sync_seconds: float = 0.0
    synced: int = 0
    sync_up: int = 0
    sync_down: int = 0
    stored: int = 0
    commune: float = 0.0
    dashboard: float = 0.0
    report: float | str = 0.0  # seconds, or why it failed
    big_alone: dict[str, float] = field(default_factory=dict)
    big_watched: dict[str, float] = field(default_factory=dict)
    rounds: int = 0
    big_paced: dict[str, float] = field(default_factory=dict)
    paced_rounds: int = 0


def kynangso(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "kynangso.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"kynangso {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


# --- a relay that counts the bytes of sync --------------------------------------------------


class CountingRelay:
    """A TCP relay to the hub on its own port, in a thread: every byte both ways is counted,
    so the laptops' sync is measured as it goes over the wire (gzip bodies and headers)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.up = 0
        self.down = 0
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CountingRelay:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        server = self.loop.run_until_complete(
            asyncio.start_server(self._relay, "127.0.0.1", self.port)
        )
        self.ready.set()
        self.loop.run_forever()
        server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hub_reader, hub_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(
            self._pipe(reader, hub_writer, "up"), self._pipe(hub_reader, writer, "down")
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, way: str
    ) -> None:
        try:
            while chunk := await reader.read(65536):
                setattr(self, way, getattr(self, way) + len(chunk))
                writer.write(chunk)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


# --- stores -------------------------------------------------------------------------------------


def completion_row(
    completion_id: str, code: str, learner: str, lesson: Lesson, number: int, answered: str
) -> tuple[Any, ...]:
    """A valid completion: score within the quiz, `passed` by its pass mark, one mark per
    question, and the day the store itself would give it."""
    score = number % (lesson.questions + 1)
    return (
        completion_id,
        code,
        learner,
        lesson.slug,
        "vi" if number % 5 else "en",
        score,
        lesson.questions,
        int(score >= lesson.pass_mark),
        answered,
        answered,
        "1" * score + "0" * (lesson.questions - score),
        store.completion_day(answered, answered),
    )


INSERT_COMPLETION = (
    "INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total, passed,"
    " answered_at, received_at, answers, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def make_laptop(db: Path, number: int, count: int, lessons: list[Lesson]) -> None:
    """A team laptop's store: one class, 30 learners, `count` completions of the last 60 days."""
    connection = store.connect(db)
    code = store.create_class(connection, f"Lớp của tổ {number + 1}", PIN)
    learners = [
        store.add_learner(connection, code, f"Học viên {i}") for i in range(LEARNERS_PER_CLASS)
    ]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
    rows = [
        completion_row(
            str(uuid.uuid4()),
            code,
            learners[i % len(learners)],
            lessons[i % len(lessons)],
            i,
            (start + dt.timedelta(minutes=17 * i)).isoformat(timespec="seconds"),
        )
        for i in range(count)
    ]
    connection.execute("BEGIN")
    connection.executemany(INSERT_COMPLETION, rows)
    connection.execute("COMMIT")
    connection.close()


@dataclass
class Layout:
    """The seeded classes (the coach's class first) and their learners' ids."""

    codes: list[str]
    learners: list[list[str]]


def seed_classes(target: str | Path, coach_code: str, teams: list[str]) -> Layout:
    """12 classes per team, 30 learners per class (and 30 more in the coach's class)."""
    codes = [coach_code] + [
        hub.hub_code(team, f"S{number:05d}") for team in teams for number in range(CLASSES_PER_TEAM)
    ]
    learners = [
        [f"seed-{index:04d}-{j:02d}" for j in range(LEARNERS_PER_CLASS)]
        for index in range(len(codes))
    ]
    connection = store.connect(target)
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO classes (code, name, pin_salt, pin_hash, created_at, team)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (code, f"Lớp {code[-6:]}", b"", b"", "2025-01-01T00:00:00+00:00", code.split("-")[0])
            for code in codes[1:]
        ],
    )
    connection.executemany(
        "INSERT INTO learners (id, class_code, name, joined_at) VALUES (?, ?, ?, ?)",
        [
            (learner, codes[index], f"Học viên {j}", "2025-01-01T00:00:00+00:00")
            for index, ids in enumerate(learners)
            for j, learner in enumerate(ids)
        ],
    )
    connection.execute("COMMIT")
    connection.close()
    return Layout(codes, learners)


def seed_sqlite(db: Path, layout: Layout, lessons: list[Lesson], count: int) -> None:
    """`count` completions with executemany in one transaction."""
    connection = store.connect(db)
    # 400 MB of page cache for the seeding only: the indexes then grow in memory, not on disk.
    connection.execute("PRAGMA cache_size = -400000")
    connection.execute("BEGIN")
    chunk: list[tuple[Any, ...]] = []
    for g in range(count):
        index = _class_of(g, len(layout.codes))
        ids = layout.learners[index]
        day = FIRST_DAY + dt.timedelta(days=g % DAYS)
        chunk.append(
            completion_row(
                f"seed-{g}",
                layout.codes[index],
                ids[(g // len(layout.codes)) % len(ids)],
                lessons[g % len(lessons)],
                g // len(lessons),
                f"{day.isoformat()}T03:00:00+00:00",
            )
        )
        if len(chunk) == 50_000:
            connection.executemany(INSERT_COMPLETION, chunk)
            chunk.clear()
    connection.executemany(INSERT_COMPLETION, chunk)
    connection.execute("COMMIT")
    connection.close()


def _class_of(g: int, classes: int) -> int:
    """The class of seeded completion g: the coach's class (0) for COACH_SHARE %, else the
    others in turn. The SQL of `seed_postgresql` is the same rule."""
    return 0 if g % 100 < COACH_SHARE else 1 + g % (classes - 1)


SEED_SQL = """
INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total, passed,
                         answered_at, received_at, answers, day)
SELECT 'seed-' || g, (%(codes)s::text[])[k + 1], 'seed-' || lpad(k::text, 4, '0') || '-'
       || lpad(((g / %(classes)s) %% %(learners)s)::text, 2, '0'),
       (%(slugs)s::text[])[g %% %(nlessons)s + 1], CASE WHEN (g / %(nlessons)s) %% 5 = 0 THEN 'en' ELSE 'vi' END,
       s, q, (s >= m)::int, at, at, repeat('1', s) || repeat('0', q - s), d
FROM (
    SELECT g, k, q, m, (g / %(nlessons)s) %% (q + 1) AS s,
           to_char(day, 'YYYY-MM-DD') || 'T03:00:00+00:00' AS at, to_char(day, 'YYYY-MM-DD') AS d
    FROM (
        SELECT g,
               CASE WHEN g %% 100 < %(share)s THEN 0 ELSE 1 + g %% (%(classes)s - 1) END AS k,
               (%(questions)s::int[])[g %% %(nlessons)s + 1] AS q,
               (%(marks)s::int[])[g %% %(nlessons)s + 1] AS m,
               %(first)s::date + (g %% %(days)s)::int AS day
        FROM generate_series(0, %(count)s - 1) AS g
    ) AS picked
) AS made
"""


def seed_postgresql(url: str, layout: Layout, lessons: list[Lesson], count: int) -> None:
    """`count` completions in one INSERT ... SELECT, then VACUUM ANALYZE (autovacuum would do
    it on its own after such an insert; here it is done at once so every run plans alike)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            SEED_SQL,  # type: ignore[arg-type]
            {
                "codes": layout.codes,
                "classes": len(layout.codes),
                "learners": LEARNERS_PER_CLASS,
                "slugs": [lesson.slug for lesson in lessons],
                "questions": [lesson.questions for lesson in lessons],
                "marks": [lesson.pass_mark for lesson in lessons],
                "nlessons": len(lessons),
                "share": COACH_SHARE,
                "first": FIRST_DAY,
                "days": DAYS,
                "count": count,
            },
        )
        connection.execute("VACUUM ANALYZE")


def count_completions(target: str | Path) -> int:
    connection = store.reader(target)
    try:
        return int(connection.execute("SELECT COUNT(*) AS n FROM completions").fetchone()["n"])
    finally:
        connection.close()


# --- the hub --------------------------------------------------------------------------------


@contextmanager
def serving(target: str | Path, site: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kynangso.cli",
            "serve",
            "--port",
            str(port),
            "--db",
            str(target),
            "--site",
            str(site),
        ],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/api/v1/health")
        yield base
    finally:
        server.terminate()
        server.wait()


class Watcher(Coach):
    """A facilitator with the class dashboard and the commune view open, reloading both: with
    no pause (the worst case: a reload the moment the last one came), or every `pause` seconds
    (a person clicking through them)."""

    def __init__(self, base: str, code: str, pause: float = 0.0) -> None:
        super().__init__(base, code)
        self.pause = pause
        form = urllib.parse.urlencode({"pin": PIN}).encode()
        self.opener.open(base + "/coach/commune/login", data=form, timeout=60).read()

    def loop(self) -> None:
        while not self.stop.is_set():
            self.timed("/coach/")
            self.stop.wait(self.pause)
            self.timed("/coach/commune/")
            self.stop.wait(self.pause)
            self.rounds += 1


def wrk_script(folder: Path, run: str, code: str, learners: list[str], s: Settings) -> Path:
    script = folder / f"{run}.lua"
    script.write_text(
        LUA.replace("{LEARNERS}", "{" + ",".join(f'"{x}"' for x in learners) + "}")
        .replace("{LESSONS}", "{" + ",".join(f'"{x.slug}"' for x in s.lessons) + "}")
        .replace("{QUESTIONS}", "{" + ",".join(str(x.questions) for x in s.lessons) + "}")
        .replace("{CODE}", code)
        .replace("{RUN}", run)
    )
    return script


def wrk(base: str, script: Path, s: Settings) -> dict[str, float]:
    return run_wrk(base + "/", s.seconds, s.connections, script)


def sync_laptops(base: str, folder: Path, tokens: list[str], numbers: Numbers) -> None:
    """Every laptop's `kynangso sync` at once, through the counting relay."""
    with CountingRelay(int(base.rsplit(":", 1)[1])) as relay:
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kynangso.cli",
                    "sync",
                    "--db",
                    str(folder / f"laptop-{number}.db"),
                    "--to",
                    f"http://127.0.0.1:{relay.port}",
                    "--token",
                    token,
                    "--json",
                ],
                env=ENV,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number, token in enumerate(tokens)
        ]
        outputs = [process.communicate(timeout=600) for process in processes]
        numbers.sync_seconds = time.perf_counter() - started
    for process, (out, err) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise RuntimeError(f"a laptop's sync failed:\n{err}")
        numbers.synced += int(json.loads(out.strip().splitlines()[-1])["stored"])
    numbers.sync_up, numbers.sync_down = relay.up, relay.down


def run_hub(kind: str, target: str | Path, folder: Path, s: Settings) -> Numbers:
    numbers = Numbers()
    created = kynangso("class", "create", "Lớp ở xã", "--pin", PIN, "--db", target, "--json").stdout
    code = json.loads(created.strip().splitlines()[-1])["code"]
    pin_file = folder / "pin"
    pin_file.write_text(PIN + "\n")
    kynangso("commune", "pin", "--pin-file", pin_file, "--db", target)
    connection = store.connect(target)
    made = [
        hub.create_team(connection, f"Tổ {n + 1}", VILLAGES[n % len(VILLAGES)])
        for n in range(s.laptops)
    ]
    connection.close()
    teams, tokens = [team.id for team, _ in made], [token for _, token in made]
    for number in range(s.laptops):
        make_laptop(folder / f"laptop-{number}.db", number, s.per_laptop, s.lessons)

    with serving(target, s.site) as base:
        learners = [
            post(f"{base}/api/v1/classes/{code}/learners", {"name": f"Người học {i}"})["learner_id"]
            for i in range(60)
        ]
        print(f"[{kind}] wrk posting completions to an empty hub…", flush=True)
        numbers.alone = wrk(base, wrk_script(folder, "empty", code, learners, s), s)
        print(f"[{kind}] {s.laptops} laptops syncing at once…", flush=True)
        sync_laptops(base, folder, tokens, numbers)

    have = count_completions(target)
    print(f"[{kind}] seeding {max(s.seeded - have, 0):,} completions…", flush=True)
    started = time.perf_counter()
    layout = seed_classes(target, code, teams)
    if isinstance(target, Path):
        seed_sqlite(target, layout, s.lessons, max(s.seeded - have, 0))
    else:
        seed_postgresql(target, layout, s.lessons, max(s.seeded - have, 0))
    print(f"[{kind}] seeded in {time.perf_counter() - started:.0f} s", flush=True)
    numbers.stored = count_completions(target)

    with serving(target, s.site) as base:
        watcher = Watcher(base, code)
        watcher.timed("/coach/")  # the first load after a start reads the catalog's words
        numbers.commune = statistics.median(watcher.timed("/coach/commune/") for _ in range(3))
        numbers.dashboard = statistics.median(watcher.timed("/coach/") for _ in range(5))
        numbers.report = timed_report(target, folder, s.site)
        print(f"[{kind}] wrk at {numbers.stored:,} completions, alone, then watched…", flush=True)
        numbers.big_alone = wrk(base, wrk_script(folder, "big", code, learners, s), s)
        numbers.big_watched, numbers.rounds = watched(base, code, folder, learners, s, 0.0)
        numbers.big_paced, numbers.paced_rounds = watched(
            base, code, folder, learners, s, COACH_PAUSE
        )
    return numbers


def watched(
    base: str, code: str, folder: Path, learners: list[str], s: Settings, pause: float
) -> tuple[dict[str, float], int]:
    """wrk's numbers while a coach reloads both pages, pausing `pause` s between loads, and
    the rounds the coach made."""
    watcher = Watcher(base, code, pause)
    looking = threading.Thread(target=watcher.loop)
    looking.start()
    try:
        run = f"watched-{pause:g}"
        return wrk(base, wrk_script(folder, run, code, learners, s), s), watcher.rounds
    finally:
        watcher.stop.set()
        looking.join()


def timed_report(target: str | Path, folder: Path, site: Path) -> float | str:
    """Seconds of `kynangso report` for every class, or why it failed (its last line)."""
    started = time.perf_counter()
    try:
        kynangso("report", "--db", target, "--out", folder / "report.html", "--site", site)
    except RuntimeError as exc:
        return str(exc).strip().splitlines()[-1]
    except subprocess.TimeoutExpired:
        return "no report after 600 s"
    return time.perf_counter() - started


def run_postgresql(s: Settings) -> Numbers:
    bindir = find_bin()
    if bindir is None:
        sys.exit("PostgreSQL is not installed: apt-get install postgresql")
    cluster = Cluster(bindir).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return run_hub("postgresql", cluster.create_database(), Path(tmp), s)
    finally:
        cluster.stop()


def run_sqlite(s: Settings) -> Numbers:
    with tempfile.TemporaryDirectory() as tmp:
        return run_hub("sqlite", Path(tmp) / "hub.db", Path(tmp), s)


# --- output ---------------------------------------------------------------------------------


def _wrk_line(w: dict[str, float]) -> str:
    return (
        f"p50 {w['p50']:.1f} ms  p99 {w['p99']:.1f} ms  {w['rps']:,.0f} req/s"
        f"  non-2xx {w['non2xx']:.0f}"
    )


def show(kind: str, n: Numbers, s: Settings) -> None:
    total = s.laptops * s.per_laptop
    wire = n.sync_up + n.sync_down
    ok = n.alone["p99"] <= 100 and n.alone["rps"] >= 1500 and n.alone["non2xx"] == 0
    print(f"\n== {kind} hub ==")
    print(
        f"completions posted, empty hub:          {_wrk_line(n.alone)}  [{'OK' if ok else 'OVER'}]"
    )
    print(
        f"sync {s.laptops} laptops x {s.per_laptop:,} at once: {n.sync_seconds:.1f} s"
        f" [{'OK' if n.sync_seconds <= 30 else 'OVER'}], {n.synced:,} of {total:,} stored;"
        f" on the wire {wire / total:.0f} B per completion"
        f" ({n.sync_up / total:.0f} B up, {n.sync_down / total:.0f} B down; {wire / 1e6:.1f} MB)"
    )
    report = f"{n.report:.1f} s" if isinstance(n.report, float) else f"failed: {n.report}"
    print(
        f"at {n.stored:,} completions: commune view {n.commune * 1000:.0f} ms,"
        f" dashboard {n.dashboard * 1000:.0f} ms [{'OK' if n.dashboard <= 0.5 else 'OVER'}]"
        f" (median of 3 and 5), kynangso report {report}"
    )
    print(f"completions posted, alone:              {_wrk_line(n.big_alone)}")
    print(
        f"same, dashboard + commune view reloaded: {_wrk_line(n.big_watched)}  ({n.rounds} rounds)"
    )
    print(
        f"same, each reloaded every {COACH_PAUSE:g} s:      {_wrk_line(n.big_paced)}"
        f"  ({n.paced_rounds} rounds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=60)
    parser.add_argument("--seeded", type=int, default=1_000_000, help="completions in the hub")
    parser.add_argument("--laptops", type=int, default=17)
    parser.add_argument("--per-laptop", type=int, default=5_000)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--quick", action="store_true", help="a smoke run on small numbers")
    parser.add_argument("--site", default=str(REPO / "site"))
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.laptops, args.per_laptop, args.seeded = 3, 3, 300, 20_000
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    site = Path(args.site)
    if not (site / "catalog.json").is_file():
        sys.exit(f"{site} is not a built site: run 'kynangso build' first")
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))["lessons"]
    lessons = [
        Lesson(slug, len(entry["questions"]), int(entry["pass_mark"]))
        for slug, entry in sorted(catalog.items())
    ]
    s = Settings(
        args.seconds, args.connections, args.seeded, args.laptops, args.per_laptop, site, lessons
    )
    results = {}
    load_before = os.getloadavg()[0]
    for kind, run in (("postgresql", run_postgresql), ("sqlite", run_sqlite)):
        if args.only in (None, kind):
            results[kind] = run(s)
    print(
        f"\nwrk -t2 -c{s.connections} -d{s.seconds}s, on this machine ({os.cpu_count()} cores;"
        f" load average {load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after)"
    )
    for kind, numbers in results.items():
        show(kind, numbers, s)


if __name__ == "__main__":
    main()
