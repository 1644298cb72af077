"""Class mode under load: 60 phones join and post completions while fetching lesson pages.

Starts `kynangso serve` on a free port with a store already holding 69,000 completions (a busy
term), joins 60 learners, times the coach dashboard and CSV on the idle server, then drives it
with Debian's `wrk` (a Python client on 2 cores measures itself, see DESIGN.md) using a Lua
script that mixes completion posts and lesson-page GETs: once alone, once while a coach client
refreshes the dashboard and downloads the CSV in a loop. Then, in the same run, the anchor: a
bare FastAPI endpoint under the same wrk settings. Prints p50/p99 latency and requests/s.
Budget: p99 <= 100 ms and >= 1,000 req/s, and the p99 does not move while a coach looks.

    python benchmarks/class_load.py [--seconds 15] [--connections 60] [--site site] [--seeded 69000]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LUA = """
local learners = {LEARNERS}
local lessons = {LESSONS}
local questions = {QUESTIONS}  -- per lesson: the server checks total and pass against the catalog
local counter = 0
local ids = 0
thread_id = 0  -- global: set per thread by setup()

function setup(thread)
  ids = ids + 1
  thread:set("thread_id", ids)
end

request = function()
  counter = counter + 1
  if counter % 2 == 0 then
    local lesson = lessons[(counter % #lessons) + 1]
    return wrk.format("GET", "/lessons/" .. lesson .. "/", {["Accept-Encoding"] = "gzip"})
  end
  local learner = learners[(counter % #learners) + 1]
  local which = (counter % #lessons) + 1
  local n = questions[which]
  local body = string.format(
    '{"id":"t%d-%d","class_code":"%s","learner_id":"%s","lesson":"%s","lang":"vi","score":%d,"total":%d,"passed":true,"answered_at":"2026-11-25T10:00:00Z","answers":[%s]}',
    thread_id, counter, "{CODE}", learner, lessons[which], n, n, string.rep("true,", n - 1) .. "true")
  return wrk.format("POST", "/api/v1/completions", {["Content-Type"] = "application/json"}, body)
end
"""

ANCHOR = textwrap.dedent("""
    from fastapi import FastAPI
    app = FastAPI()

    @app.get("/api/v1/health")
    async def health():
        return {"ok": True}
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def post(url: str, body: dict) -> dict:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(req) as response:
        return json.loads(response.read())


def run_wrk(
    url: str, seconds: int, connections: int, script: Path | None = None
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        assert match, output
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "p50": ms("50"),
        "p99": ms("99"),
        "rps": rps,
        "non2xx": float(errors.group(1)) if errors else 0.0,
    }


def seed(db: Path, code: str, lessons: list[str], count: int) -> None:
    """`count` completions from 60 earlier learners over the last 30 days, in one transaction."""
    sys.path.insert(0, str(REPO / "generator"))
    from kynangso.classroom import store

    connection = store.connect(db)
    connection.execute("BEGIN")
    people = [store.add_learner(connection, code, f"Học viên cũ {i}") for i in range(60)]
    received = store.now()
    rows = []
    for i in range(count):
        answered = f"2026-11-{1 + i % 28:02d}T0{i % 10}:00:00+00:00"
        rows.append(
            (
                f"seed-{i}",
                code,
                people[i % 60],
                lessons[i % len(lessons)],
                "vi",
                i % 7,
                6,
                int(i % 7 >= 5),
                answered,
                received,
                "110111"[: 6 - i % 2] + "0" * (i % 2),
                store.completion_day(answered, received),
            )
        )
    connection.executemany(
        "INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total, passed,"
        " answered_at, received_at, answers, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    connection.close()


class Coach:
    """A facilitator's browser: logged in, opening the dashboard and the CSV again and again."""

    def __init__(self, base: str, code: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        form = urllib.parse.urlencode({"code": code, "pin": "2468"}).encode()
        self.opener.open(base + "/coach/login", data=form, timeout=60).read()
        self.stop = threading.Event()
        self.rounds = 0

    def timed(self, path: str) -> float:
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as response:
            response.read()
            assert response.status == 200
        return time.perf_counter() - started

    def loop(self) -> None:
        while not self.stop.is_set():
            self.timed("/coach/")
            self.timed("/coach/completions.csv")
            self.rounds += 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=60)
    parser.add_argument("--site", default=str(REPO / "site"))
    parser.add_argument("--seeded", type=int, default=69_000, help="completions stored before")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    site = Path(args.site)
    if not (site / "catalog.json").is_file():
        sys.exit(f"{site} is not a built site: run 'kynangso build' first")
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))["lessons"]
    lessons = sorted(catalog)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        created = subprocess.run(
            [
                sys.executable,
                "-m",
                "kynangso.cli",
                "class",
                "create",
                "Lớp thử tải",
                "--pin",
                "2468",
                "--db",
                str(db),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        code = json.loads(created.stdout.strip().splitlines()[-1])["code"]
        seed(db, code, lessons, args.seeded)
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
                str(db),
                "--site",
                str(site),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        anchor_port = free_port()
        (Path(tmp) / "anchor.py").write_text(ANCHOR)
        anchor = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "anchor:app",
                "--port",
                str(anchor_port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/api/v1/health")
            learners = [
                post(f"{base}/api/v1/classes/{code}/learners", {"name": f"Người học {i}"})[
                    "learner_id"
                ]
                for i in range(60)
            ]
            script = Path(tmp) / "class.lua"
            script.write_text(
                LUA.replace("{LEARNERS}", "{" + ",".join(f'"{x}"' for x in learners) + "}")
                .replace("{LESSONS}", "{" + ",".join(f'"{x}"' for x in lessons) + "}")
                .replace(
                    "{QUESTIONS}",
                    "{" + ",".join(str(len(catalog[x]["questions"])) for x in lessons) + "}",
                )
                .replace("{CODE}", code)
            )
            coach = Coach(base, code)
            dashboard = statistics.median(coach.timed("/coach/") for _ in range(5))
            csv_time = statistics.median(coach.timed("/coach/completions.csv") for _ in range(3))
            ours = run_wrk(base + "/", args.seconds, args.connections, script)
            looking = threading.Thread(target=coach.loop)
            looking.start()
            try:
                watched = run_wrk(base + "/", args.seconds, args.connections, script)
            finally:
                coach.stop.set()
                looking.join()
            server.terminate()
            server.wait()

            stored = sqlite3.connect(db).execute("SELECT COUNT(*) FROM completions").fetchone()[0]
            wait_for(f"http://127.0.0.1:{anchor_port}/api/v1/health")
            bare = run_wrk(
                f"http://127.0.0.1:{anchor_port}/api/v1/health", args.seconds, args.connections
            )
        finally:
            for process in (server, anchor):
                if process.poll() is None:
                    process.terminate()
                    process.wait()

    print(
        f"wrk -t2 -c{args.connections} -d{args.seconds}s on this machine (2 cores shared with wrk)"
    )
    print(
        f"class mode (50% completion POSTs, 50% gzipped lesson pages): p50 {ours['p50']:.1f} ms  p99 {ours['p99']:.1f} ms  "
        f"{ours['rps']:.0f} req/s  non-2xx {ours['non2xx']:.0f}  completions stored {stored - args.seeded} (on top of {args.seeded:,})"
    )
    print(
        f"same, while a coach refreshes the dashboard + CSV in a loop ({coach.rounds} rounds):"
        f" p50 {watched['p50']:.1f} ms  p99 {watched['p99']:.1f} ms  {watched['rps']:.0f} req/s"
        f"  non-2xx {watched['non2xx']:.0f}"
    )
    print(
        f"coach dashboard at {args.seeded:,} completions: {dashboard * 1000:.0f} ms;"
        f" CSV: {csv_time * 1000:.0f} ms (median, idle server)"
    )
    print(
        f"anchor (bare FastAPI GET):                                   p50 {bare['p50']:.1f} ms  p99 {bare['p99']:.1f} ms  "
        f"{bare['rps']:.0f} req/s"
    )
    print(
        f"budget p99 <= 100 ms: {'OK' if ours['p99'] <= 100 else 'OVER'}; >= 1000 req/s: {'OK' if ours['rps'] >= 1000 else 'UNDER'}; "
        f"share of anchor: {ours['rps'] / bare['rps']:.0%}"
    )


if __name__ == "__main__":
    main()
