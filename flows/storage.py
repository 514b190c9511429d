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
* A full disk (the books' device, or DuckDB's temp directory) is named as such, by its first
  cause, with the room there was (``disk_full``, ``full_disk_messages``; docs/full-disk.md).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


# --- a full disk: what it stopped, said as such (issue 14) ----------------------------------------

FULL_TEXTS = ("No space left on device", "Disk quota exceeded")
# (a path in DuckDB's message, in quotes; escaped ones when the message nests JSON)
_QUOTED_PATH = re.compile(r'\\?"(/[^"]+?)\\?"')
_PARTIAL_NAME = re.compile(rf"\.(.+){re.escape(PARTIAL)}[0-9]+")
_TEMP_USED = re.compile(r"\(([0-9.]+ [KMGTP]?i?B)/([0-9.]+ [KMGTP]?i?B) used\)")


@dataclass
class Room:
    """The free bytes of the devices a run writes on, as it started (by device), to say what a
    full disk needed; and where its books and DuckDB's temp directory are."""

    books: Path
    temp: Path | None
    books_existed: bool
    free: dict[int, int] = field(default_factory=dict)

    @classmethod
    def at_start(cls, books: Path, temp: Path | None = None, *more: Path) -> "Room":
        room = cls(Path(books), None if temp is None else Path(temp), Path(books).exists())
        for place in (room.books, *([room.temp] if room.temp else []), *more):
            found = _existing(place)
            try:
                facts = os.statvfs(found)
                room.free.setdefault(os.stat(found).st_dev, facts.f_bavail * facts.f_frsize)
            except OSError:
                pass
        return room

    def free_at_start(self, path: Path) -> int | None:
        try:
            return self.free.get(os.stat(_existing(path)).st_dev)
        except OSError:
            return None


def disk_full(error: BaseException) -> BaseException | None:
    """The first cause of a failure that is a full disk (errno ENOSPC or EDQUOT, DuckDB's "No
    space left on device", or DuckDB's temp directory at its max_temp_directory_size), however
    many errors followed it (a statement after a failed write: "Current transaction is aborted");
    None when the failure is something else."""
    chain, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or error.__context__
    for cause in reversed(chain):  # (the earliest first)
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return cause
        text = str(cause)
        if isinstance(cause, duckdb.Error) and (
                any(full in text for full in FULL_TEXTS) or "max_temp_directory_size" in text):
            return cause
    return None


def full_disk_messages(cause: BaseException, room: Room, what: str) -> list[str]:
    """What a full disk stopped, for a person: which device filled (the path DuckDB or the OS
    names, its mount point), what became of the books (``what``: nothing was written),
    how much room the run had and needed when that is known, and what to do."""
    text = str(cause)
    temp_limit = "max_temp_directory_size" in text
    named = getattr(cause, "filename", None) or next(iter(_QUOTED_PATH.findall(text)), None)
    path = Path(os.path.abspath(named if named else (
        room.temp if temp_limit and room.temp else room.books)))
    in_temp = temp_limit or (room.temp is not None and _within(path, room.temp))
    books_file = (path.parent == Path(os.path.abspath(room.books)).parent
                  and room.books.name in path.name)  # (the books, their log, a first run's)
    hidden = _PARTIAL_NAME.fullmatch(path.name)  # (a file written whole: named as it will be)
    place = (f"DuckDB's temp directory {room.temp or path}" if in_temp else
             f"the books {room.books}" if books_file else
             str(path.with_name(hidden.group(1)) if hidden else path))
    mount = mount_point(path)
    messages = [f"the disk is full: no space left on the device of {place} (mounted at "
                f"{mount}); {what}"]
    used = _TEMP_USED.search(text)
    if temp_limit and used:
        messages.append(f"the run had spilled {used.group(1)} there of the {used.group(2)} of "
                        "what DuckDB may spill on that device (max_temp_directory_size: 90 % of "
                        "its free space), and needed more")
    else:
        free = room.free_at_start(path)
        if free is not None:
            messages.append(f"the run needed more than the {size_text(free)} that were free "
                            "there when it started")
    if in_temp:
        messages.append(f"free space on {mount}, or raise --memory-limit so that DuckDB spills "
                        "less, and run again")
    elif books_file:
        messages.append(f"free space on {mount}, or give --db a place on a larger device, and "
                        "run again")
    else:
        messages.append(f"free space on {mount} and run again")
    return messages


def size_text(n: int) -> str:
    """Bytes as a person reads them: 1,536 → 1.5 KiB."""
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{n:,} bytes" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{n:,} bytes"  # pragma: no cover


def mount_point(path: Path) -> Path:
    """The mount point of the device a path is on (of its nearest existing folder)."""
    found = Path(os.path.abspath(_existing(path)))
    while not os.path.ismount(found) and found != found.parent:
        found = found.parent
    return found


def remove_empty_wal(db_path: Path) -> None:
    """An empty write-ahead log a failed commit left beside books that had none (it carries
    nothing: the books are as they were without it)."""
    wal = Path(f"{db_path}.wal")
    try:
        if wal.stat().st_size == 0:
            wal.unlink()
    except OSError:
        pass


def _existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _within(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(Path(os.path.abspath(folder)))
