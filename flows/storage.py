"""Where a run's books live on disk, and what DuckDB may touch while it runs.

* The books and the folders journalize creates are private to the user who runs it (0600 / 0700),
  whatever the umask: books hold a company's receivables.
* A first run (no database yet) builds its books in a hidden file beside the database and gives
  it the database's name only once it has committed: a run killed at any moment, even with
  SIGKILL, leaves no database behind (at most the hidden partial file, which the next run removes
  once the process that wrote it is gone).
* A run's DuckDB may read and write only the input folder, the books and its temp folder
  (``enable_external_access = false`` with ``allowed_directories``): a hole elsewhere cannot make
  it read ``/etc/passwd`` or write a file. DuckDB refuses to turn external access back on, or to
  change the allowed folders, while the database is open, so no later statement can undo it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

PRIVATE_UMASK = 0o077
PARTIAL = ".partial-"


@contextmanager
def private_files() -> Iterator[None]:
    """Files and folders created meanwhile are readable by their owner only."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def partial_path(db_path: Path) -> Path:
    """The hidden file a first run builds its books in (one per process)."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}{PARTIAL}{os.getpid()}")


def remove_database_files(path: Path) -> None:
    """A database file with its write-ahead log and DuckDB's temp folder (spill files)."""
    import shutil

    path = Path(path)
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(f"{path}.tmp", ignore_errors=True)


@contextmanager
def whole_file(path: Path | None) -> Iterator[Path | None]:
    """A file written under a hidden name beside it (one per process), given its name only once
    whole (replacing a file of that name): a failed or killed write leaves no half file under
    it. None: no file."""
    if path is None:
        yield None
        return
    path = Path(path)
    partial = path.with_name(f".{path.name}{PARTIAL}{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def remove_stale_partials(db_path: Path) -> None:
    """Partial books of first runs that were killed: their process is gone."""
    db_path = Path(db_path)
    if not db_path.parent.is_dir():
        return
    for candidate in db_path.parent.glob(f".{db_path.name}{PARTIAL}*"):
        pid = candidate.name.rsplit(PARTIAL, 1)[-1].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            remove_database_files(candidate.with_name(f".{db_path.name}{PARTIAL}{pid}"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(partial: Path, db_path: Path) -> None:
    """Give the committed, closed partial books the database's name, unless a database of that
    name appeared meanwhile (another first run finished first): then nothing is replaced."""
    from flows.pipeline import RunFailed

    try:
        os.link(partial, db_path)  # fails if db_path exists: never replaces other books
    except FileExistsError:
        remove_database_files(partial)
        raise RunFailed([f"database {db_path} was created by another run while this one ran; "
                         "nothing was written: run again to continue those books"]) from None
    remove_database_files(partial)
    os.chmod(db_path, 0o600)


def confine(con: duckdb.DuckDBPyConnection, database: Path | None, *folders: Path,
            files: list[Path] | tuple[Path, ...] = ()) -> None:
    """DuckDB may use only its database file (and write-ahead log; none for an in-memory one),
    its temp folder, these folders and these files (a pro forma's --out) from now on."""
    temp = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    allowed = {spelling for path in folders for spelling in _spellings(path)}
    allowed = sorted(allowed | ({_folder(temp)} if temp else set()))
    con.execute("SET allowed_directories = $folders", {"folders": allowed})
    paths = [str(Path(file).resolve()) for file in files]
    if database is not None:
        database = Path(database).resolve()
        paths += [str(database), f"{database}.wal"]
    if paths:
        con.execute("SET allowed_paths = $paths", {"paths": paths})
    con.execute("SET enable_external_access = false")


def _spellings(folder: Path) -> set[str]:
    """The ways a run names a folder to DuckDB: absolute as given, with symlinks resolved, and
    either with its glob characters escaped (ingest.duckdb_path: DuckDB compares the text)."""
    from transforms.ingest import duckdb_path

    forms = {os.path.abspath(folder), str(Path(folder).resolve())}
    return {_text_folder(f) for f in forms} | {_text_folder(duckdb_path(Path(f))) for f in forms}


def _text_folder(path: str) -> str:
    return path.rstrip("/") + "/"


def _folder(path: Path | str) -> str:
    """A folder as allowed_directories wants it: absolute, symlinks resolved, with a final /."""
    return str(Path(path).resolve()).rstrip("/") + "/"
