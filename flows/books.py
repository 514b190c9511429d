"""A run's two connections to its database (the books in one transaction, the work connection that
computes) and what the work connection needs before the stages run."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from flows import storage
from flows.parameters import parse_memory_limit
from transforms import (
    coda,
    persist,
    sqlfile,
    workspace,
)
from transforms.faults import USAGE, Failure


class RunFailed(Failure):
    """A run that stopped; nothing was written. Carries the messages to show."""


def connect(db_path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The books attached under workspace.BOOKS (read_only: as they are, for a pro forma that
    writes nothing; the folder is then not created either)."""
    db_path = Path(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # the books under one name whatever the file is called (a file named after a stage's
        # schema, books.duckdb or map.duckdb, would make `books.x` ambiguous): attached as
        # workspace.BOOKS to an in-memory connection, and made its default database
        con = duckdb.connect()
        con.execute(f"ATTACH $path AS {workspace.BOOKS}{' (READ_ONLY)' if read_only else ''}",
                    {"path": str(db_path)})
        con.execute(f"USE {workspace.BOOKS}")
    except duckdb.IOException as error:
        text = str(error)
        if "lock" in text.lower():
            holder = re.search(r"PID (\d+)", text)
            by = f" (process {holder.group(1)})" if holder else ""
            raise RunFailed([
                f"database {db_path} is in use by another process{by}: another journalize run, or "
                "a session that has it open; nothing was done, try again when it has finished"
            ]) from error
        raise RunFailed([f"database {db_path} cannot be opened: {text.splitlines()[0]}"]) from error
    # a batch job: DuckDB's own bar (drawn on stdout for a statement of over 2 s, such as a big
    # run's inserts or commit) would be mixed into the output that scripts read
    con.execute("SET enable_progress_bar = false")
    return con


def prepare_session(con: duckdb.DuckDBPyConnection, memory_limit: str | None = None) -> None:
    """What a connection that computes a run needs: DuckDB's memory bound (beyond it, DuckDB
    spills to its temp directory instead of growing; checked by RunParameters and bound as a
    parameter), macros and functions, and the books as they were before the run."""
    con.execute("SET enable_progress_bar = false")  # a batch job: no bar in its output
    if memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": parse_memory_limit(memory_limit)})
    workspace.open_work(con)
    persist.books_as_they_were(con)
    sqlfile.run_script(con, "common", "macros")
    coda.register(con)


@contextmanager
def _connections(db_path: Path, *, memory_limit: str | None = None,
                 input_dir: Path | None = None,
                 ) -> Iterator[tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]]:
    """A run's two connections to its database (_write_connections). A full disk (the books'
    device, or DuckDB's temp directory beside them) ends the run as a failed run that says so:
    which device, that nothing was written, how much room there was (flows.storage)."""
    db_path = Path(db_path)
    # (a first run's books, and so its temp directory, are its partial file's until it commits)
    room = storage.Room.at_start(db_path, temp_directory(
        db_path if db_path.exists() else storage.partial_path(db_path)))
    had_wal = Path(f"{db_path}.wal").exists()
    try:
        with _write_connections(db_path, memory_limit=memory_limit,
                                input_dir=input_dir) as connections:
            yield connections
    except BaseException as error:
        if room.books_existed and not had_wal:  # (a failed commit may leave an empty one)
            storage.remove_empty_wal(db_path)
        cause = storage.disk_full(error)
        if cause is None:
            raise
        what = ("the books are as they were" if room.books_existed else
                "no database was created")
        raise RunFailed(storage.full_disk_messages(cause, room, what), headed=True) from error


def temp_directory(db_path: Path) -> Path:
    """Where DuckDB spills what does not fit its memory limit: beside the books (<db>.tmp; for a
    first run, beside its hidden partial books), never the folder the command was started in."""
    return Path(f"{os.path.abspath(db_path)}.tmp")


@contextmanager
def _write_connections(db_path: Path, *, memory_limit: str | None = None,
                       input_dir: Path | None = None,
                       ) -> Iterator[tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]]:
    """A run's two connections to its database: the books, in one transaction that commits whole
    or not at all, and the work connection that computes, in autocommit (its intermediate tables
    are freed as soon as they are replaced or dropped, which inside a transaction they would be
    only at its end), seeing the books as they were before the run. (A pro forma only reads the
    books: _pro_forma_connections.)

    A first run builds its books under a hidden name and renames them at the end, so that a run
    killed at any moment leaves no database; files are private (flows.storage); DuckDB may
    reach only the input folder, the books' folder and its temp folder."""
    db_path = Path(db_path)
    with storage.private_files():
        db_path.parent.mkdir(parents=True, exist_ok=True)
        storage.remove_stale_partials(db_path)
        existed = db_path.exists()
        path = db_path if existed else storage.partial_path(db_path)
        books = connect(path)
        work = None
        try:
            books.execute("SET temp_directory = $folder", {"folder": str(temp_directory(path))})
            storage.confine(books, path, *([input_dir] if input_dir else []))
            books.execute("BEGIN TRANSACTION")
            persist.create_output_tables(books)
            work = books.cursor()
            work.execute(f"USE {workspace.BOOKS}")  # (a cursor starts in the in-memory database)
            prepare_session(work, memory_limit)
            yield books, work
            work.close()
            books.execute("COMMIT")
        except BaseException:
            for con in (work, books):
                if con is not None:
                    try:
                        con.close()  # closing discards the books' transaction
                    except duckdb.Error:
                        pass
            if not existed:  # a failed first run leaves no database behind either
                storage.remove_database_files(path)
            raise
        books.close()
        if not existed:
            storage.publish(path, db_path)


@contextmanager
def _pro_forma_connections(db_path: Path, *, memory_limit: str | None = None,
                           input_dir: Path | None = None, out: Path | None = None,
                           ) -> Iterator[tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]]:
    """A pro forma's connections: the books read-only when the database exists, else empty books
    in memory (the run numbers nothing, so it needs no counters), so that nothing on disk is
    created or changed: no database file, no folder, no write-ahead log. DuckDB spills (if it
    must) into a private folder of the system's temp directory, removed at the end; it may write
    one file, ``out`` (the list a user asked for, written under a hidden name by the caller)."""
    db_path = Path(db_path)
    existed = db_path.exists()
    spill = Path(tempfile.gettempdir()) / f"journalize-pro-forma-{os.getpid()}-{os.urandom(4).hex()}"
    room = storage.Room.at_start(db_path, spill, *([out] if out else []))
    books = connect(db_path, read_only=True) if existed else _books_in_memory()
    work = None
    try:
        if existed:
            books = _readable_books(books, db_path)
        books.execute("SET temp_directory = $folder", {"folder": str(spill)})
        storage.confine(books, db_path if existed else None,
                        *([input_dir] if input_dir else []), files=[out] if out else [])
        books.execute("BEGIN TRANSACTION")
        if not _has_tables(books):  # (in memory, or an empty file: the tables a run reads)
            persist.create_output_tables(books)
        work = books.cursor()
        work.execute(f"USE {workspace.BOOKS}")
        prepare_session(work, memory_limit)
        yield books, work
    except BaseException as error:  # (a full disk: its spill folder's, or --out's)
        cause = storage.disk_full(error)
        if cause is None:
            raise
        raise RunFailed(storage.full_disk_messages(cause, room, "the books are as they were"
                                                   if existed else "no file was made"),
                        headed=True) from error
    finally:
        for con in (work, books):
            if con is not None:
                try:
                    con.close()  # (nothing to commit: the books were only read)
                except duckdb.Error:
                    pass
        shutil.rmtree(spill, ignore_errors=True)


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) > 0 FROM information_schema.tables WHERE "
                       "table_catalog = current_database()").fetchone()[0]


def _readable_books(books: duckdb.DuckDBPyConnection, db_path: Path) -> duckdb.DuckDBPyConnection:
    """The read-only books, refused (usage) when the file holds tables but not journalize's
    books; a DuckDB file without any table is read as empty books (in memory)."""
    from transforms.verify import books_fault

    if not _has_tables(books):
        books.close()
        return _books_in_memory()
    fault = books_fault(books, str(db_path))
    if fault:
        raise RunFailed([fault], kind=USAGE)
    return books


def _books_in_memory() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH ':memory:' AS {workspace.BOOKS}")
    con.execute(f"USE {workspace.BOOKS}")
    con.execute("SET enable_progress_bar = false")
    return con
