"""The one writer of the class store: group commit on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from statements import Counted, counted

from kynangso.classroom import database, store
from kynangso.classroom.writer import Writer

T = TypeVar("T")


def run_apart(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in a thread of its own: a browser test earlier in the session may have left
    an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


def test_the_writer_comes_back_after_postgres_drops_its_connection(postgres_url: str) -> None:
    """A PostgreSQL restart (here: its connection terminated) fails the batch that meets it,
    and the next batch runs on a new connection instead of failing for ever."""
    connection = store.connect(postgres_url)
    code = store.create_class(connection, "Lớp A", "2468")

    async def run() -> None:
        writer = Writer(postgres_url)
        await writer.start()
        try:
            await writer.do(store.add_learner, code, "Lò Văn A")
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            with pytest.raises(psycopg.OperationalError):
                await writer.do(store.add_learner, code, "Lò Thị B")
            await writer.do(store.add_learner, code, "Quàng Văn C")
        finally:
            await writer.stop()

    run_apart(run)
    names = [row["name"] for row in store.learners(connection, code)]
    assert names == ["Lò Văn A", "Quàng Văn C"]
    assert not database.is_broken(connection)


def test_one_jobs_bad_value_does_not_fail_its_batch(db_target: database.Target) -> None:
    """Jobs of one batch each have a savepoint: the one that fails is undone alone."""
    connection = store.connect(db_target)
    code = store.create_class(connection, "Lớp A", "2468")

    async def run() -> list[object]:
        writer = Writer(db_target)
        await writer.start()
        try:
            return await asyncio.gather(
                writer.do(store.add_learner, code, "Lò Văn A"),
                writer.do(store.add_learner, "ZZZZZZ", "nobody"),
                writer.do(store.add_learner, code, "Lò\x00 B"),
                writer.do(store.add_learner, code, "Quàng Văn C"),
                return_exceptions=True,
            )
        finally:
            await writer.stop()

    outcomes = run_apart(run)
    assert isinstance(outcomes[1], store.StoreError)
    assert isinstance(outcomes[0], str) and isinstance(outcomes[3], str)
    kept = {row["name"] for row in store.learners(connection, code)}
    assert {"Lò Văn A", "Quàng Văn C"} <= kept and len(kept) == 3 - isinstance(
        outcomes[2], Exception
    )


def test_a_batch_nothing_refuses_runs_without_savepoints(tmp_path: Path) -> None:
    """A savepoint per job is two more round trips per completion on PostgreSQL: a batch of
    jobs that all succeed is one transaction without them (the statements SQLite ran show it)."""
    db = tmp_path / "class.db"
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp A", "2468")
    statements: list[str] = []

    async def run() -> list[str]:
        writer = Writer(db)
        await writer.start()
        try:
            assert isinstance(writer.connection, sqlite3.Connection)
            writer.connection.set_trace_callback(statements.append)
            return await asyncio.gather(
                *(writer.do(store.add_learner, code, f"Lò Văn {n}") for n in range(5))
            )
        finally:
            await writer.stop()

    added = run_apart(run)
    assert len(set(added)) == 5
    assert not [s for s in statements if "SAVEPOINT" in s.upper()]
    assert len(store.learners(connection, code)) == 5


def _write_then_refuse(connection: database.Connection, code: str) -> None:
    store.add_learner(connection, code, "Người bị trả lại")
    raise store.StoreError("refused after writing")


def test_a_refused_job_is_undone_alone_and_the_others_once(db_target: database.Target) -> None:
    """A job refused after it wrote: the batch is run again with savepoints, so its write is
    undone, and every other job's write is in the store exactly once."""
    connection = store.connect(db_target)
    code = store.create_class(connection, "Lớp A", "2468")

    async def run() -> list[object]:
        writer = Writer(db_target)
        await writer.start()
        try:
            return await asyncio.gather(
                writer.do(store.add_learner, code, "Lò Văn A"),
                writer.do(_write_then_refuse, code),
                writer.do(store.add_learner, code, "Quàng Văn C"),
                return_exceptions=True,
            )
        finally:
            await writer.stop()

    outcomes = run_apart(run)
    assert isinstance(outcomes[1], store.StoreError)
    learners = store.learners(connection, code)
    assert sorted(row["name"] for row in learners) == ["Lò Văn A", "Quàng Văn C"]
    assert {row["id"] for row in learners} == {outcomes[0], outcomes[2]}


def test_completions_waiting_together_are_one_statement(db_target: database.Target) -> None:
    """Completions posted at the same moment are stored by one INSERT, with no BEGIN and
    COMMIT round trips around it; each request still gets its own answer (one of them is of
    a learner the store does not know)."""
    connection = store.connect(db_target)
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")

    def completion(id_: str, learner_id: str) -> store.Completion:
        return store.Completion(
            id_, code, learner_id, "vneid-activate", "vi", 5, 6, True, "2026-11-25T10:00:00+00:00"
        )

    async def run() -> tuple[list[object], Counted]:
        writer = Writer(db_target)
        await writer.start()
        assert writer.connection is not None
        watched = counted(writer.connection)
        writer.connection = watched
        try:
            sent = [completion(f"c{n}", learner) for n in range(20)]
            sent.insert(7, completion("c-nobody", "nobody"))
            outcomes = await asyncio.gather(
                *(writer.do(store.add_completion, c) for c in sent), return_exceptions=True
            )
            return outcomes, watched
        finally:
            await writer.stop()

    outcomes, watched = run_apart(run)
    assert isinstance(outcomes.pop(7), store.StoreError)
    assert outcomes == [True] * 20
    assert len(watched.starting("INSERT")) == 1
    assert not watched.starting("BEGIN", "COMMIT", "SAVEPOINT")
    assert len(store.completions(connection)) == 20
