"""One writer for the class store, with group commit.

Requests hand their writes to a single background thread, which runs every write waiting at
that moment in one transaction and one fsync (synchronous=FULL), then answers each request.
The event loop never waits on the disk, and 60 phones posting at once cost a few fsyncs, not
sixty. A request's future is resolved only after COMMIT returned: its 2xx means on disk.
While it runs, the writer holds a SQLite store's lock file (shared), so `kynangso restore`
refuses to replace a store under a running server. On PostgreSQL it is the same: one
connection, one transaction per batch; the 2xx still means committed. A job the store refuses
(an unknown learner, a value PostgreSQL cannot keep) is undone alone: the batch then runs
again with a savepoint per job.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from kynangso.classroom import database, store, storefile
from kynangso.classroom.database import Connection, Target

T = TypeVar("T")
# What a job may raise that undoes only that job: its savepoint is rolled back, the batch goes
# on. A value PostgreSQL cannot keep (DataError) is one job's problem, not its neighbours'.
_REFUSED: tuple[type[Exception], ...] = (
    store.StoreError,
    *store.IntegrityError,
    database.DataError,
)


class _Refused(Exception):
    """A job of a batch run without savepoints was refused: run the batch again, carefully."""


_Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]]


class Writer:
    """Runs store writes in batches on its own connection and thread."""

    def __init__(self, db_path: Target) -> None:
        self.db_path = db_path
        self.connection: Connection | None = None
        self.queue: asyncio.Queue[_Job] | None = None
        self.task: asyncio.Task[None] | None = None
        self.lock = threading.Lock()
        self.held: IO[bytes] | None = None

    async def start(self) -> None:
        if not database.is_url(self.db_path):  # the lock file is SQLite's: restore is too
            self.held = storefile.hold(Path(self.db_path), exclusive=False)
        self.connection = await asyncio.to_thread(store.connect, self.db_path)
        self.queue = asyncio.Queue()
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.connection is not None:
            await asyncio.to_thread(self._close)
        if self.held is not None:
            storefile.release(self.held)
            self.held = None

    async def do(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function(connection, *args)` in the next batch; return once it is committed."""
        assert self.queue is not None, "Writer.start() first"
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self.queue.put((function, args, future))
        return await future

    async def _run(self) -> None:
        assert self.queue is not None
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                outcomes = await asyncio.to_thread(self._commit, [(f, a) for f, a, _ in batch])
            except Exception as exc:  # the whole transaction failed (disk full, I/O error)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, _, future), (ok, value) in zip(batch, outcomes):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _commit(
        self, jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]]
    ) -> list[tuple[bool, Any]]:
        assert self.connection is not None
        with self.lock:
            if database.is_broken(self.connection):
                # The PostgreSQL server restarted, or dropped us: the batch that found out
                # failed; this one starts on a new connection.
                self.connection.close()
                self.connection = store.connect(self.db_path)
            try:
                return self._transaction(jobs, careful=False)
            except _Refused:
                return self._transaction(jobs, careful=True)

    def _transaction(
        self, jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]], careful: bool
    ) -> list[tuple[bool, Any]]:
        """The jobs in one transaction. A savepoint per job costs PostgreSQL two round trips
        (SAVEPOINT, RELEASE), as many as a completion itself: a batch first runs without them,
        its waiting completions stored by one statement (`GROUPED`), and only when one of its
        jobs is refused is it undone and run again, `careful`, job by job with a savepoint per
        job so the refused one is undone alone. A job may run twice; only the committed run's
        results are answered. A batch that is one statement (phones posting completions, and
        nothing else) needs no BEGIN and COMMIT: a statement alone is its own transaction."""
        assert self.connection is not None
        runs = _runs(jobs) if not careful else [[job] for job in jobs]
        alone = len(runs) == 1 and runs[0][0][0] in GROUPED
        if not careful and alone:
            try:
                return _run(self.connection, runs[0])
            except _REFUSED:
                raise _Refused from None
        outcomes: list[tuple[bool, Any]] = []
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for run in runs:
                if not careful:
                    try:
                        outcomes += _run(self.connection, run)
                    except _REFUSED:
                        raise _Refused from None
                    continue
                ((function, args),) = run
                self.connection.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, function(self.connection, *args)))
                    self.connection.execute("RELEASE job")
                except _REFUSED as exc:
                    self.connection.execute("ROLLBACK TO job")
                    self.connection.execute("RELEASE job")
                    outcomes.append((False, exc))
            self.connection.execute("COMMIT")
        except BaseException:
            if not database.is_broken(self.connection):  # a lost connection has no transaction
                self.connection.execute("ROLLBACK")
            raise
        return outcomes

    def _close(self) -> None:
        with self.lock:
            assert self.connection is not None
            self.connection.close()


# Jobs that wait side by side and can be done by one statement: the function a request hands
# the writer, and the one that does many of its calls at once, answering per call (a value, or
# the exception that call would have raised).
GROUPED: dict[Callable[..., Any], Callable[[Connection, list[Any]], list[Any]]] = {
    store.add_completion: store.add_completions,
}

_Run = list[tuple[Callable[..., Any], tuple[Any, ...]]]


def _runs(jobs: _Run) -> list[_Run]:
    """The jobs in order, neighbours of one `GROUPED` function together (never reordered: a
    join then a completion of that learner stay in that order)."""
    runs: list[_Run] = []
    for job in jobs:
        if runs and job[0] in GROUPED and runs[-1][0][0] is job[0]:
            runs[-1].append(job)
        else:
            runs.append([job])
    return runs


def _run(connection: Connection, run: _Run) -> list[tuple[bool, Any]]:
    function = run[0][0]
    many = GROUPED.get(function)
    if many is None:
        return [(True, function(connection, *args)) for _, args in run]
    answers = many(connection, [args[0] for _, args in run])
    return [(not isinstance(a, Exception), a) for a in answers]
