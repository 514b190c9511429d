"""A run's two connections to its database (the books in one transaction, the work connection that
computes) and what the work connection needs before the stages run."""

from __future__ import annotations

import re
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
from transforms.faults import Failure


class RunFailed(Failure):
    """A run that stopped; nothing was written. Carries the messages to show."""


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # the books under one name whatever the file is called (a file named after a stage's
        # schema, books.duckdb or map.duckdb, would make `books.x` ambiguous): attached as
        # workspace.BOOKS to an in-memory connection, and made its default database
        con = duckdb.connect()
        con.execute(f"ATTACH $path AS {workspace.BOOKS}", {"path": str(db_path)})
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
def _connections(db_path: Path, *, commit: bool = True, memory_limit: str | None = None,
                 input_dir: Path | None = None,
                 ) -> Iterator[tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]]:
    """A run's two connections to its database: the books, in one transaction that commits whole
    or not at all (pro forma never commits), and the work connection that computes, in autocommit
    (its intermediate tables are freed as soon as they are replaced or dropped, which inside a
    transaction they would be only at its end), seeing the books as they were before the run.

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
            storage.confine(books, path, *([input_dir] if input_dir else []))
            books.execute("BEGIN TRANSACTION")
            persist.create_output_tables(books)
            work = books.cursor()
            work.execute(f"USE {workspace.BOOKS}")  # (a cursor starts in the in-memory database)
            prepare_session(work, memory_limit)
            yield books, work
            work.close()
            books.execute("COMMIT" if commit else "ROLLBACK")
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
            if commit:
                storage.publish(path, db_path)
            else:  # pro forma: nothing written, not even a file
                storage.remove_database_files(path)
