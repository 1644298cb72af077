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

from kynangso.classroom import database, store
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
            self.held = store.hold(Path(self.db_path), exclusive=False)
        self.connection = await asyncio.to_thread(store.connect, self.db_path)
        self.queue = asyncio.Queue()
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.connection is not None:
            await asyncio.to_thread(self._close)
        if self.held is not None:
            store.release(self.held)
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
        and only when one of its jobs is refused is it undone and run again, `careful`, with
        a savepoint per job so the refused one is undone alone. A job may run twice; only the
        committed run's results are answered."""
        assert self.connection is not None
        outcomes: list[tuple[bool, Any]] = []
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for function, args in jobs:
                if not careful:
                    try:
                        outcomes.append((True, function(self.connection, *args)))
                    except _REFUSED:
                        raise _Refused from None
                    continue
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
