"""Who did what: who ran journalize, where, with which version, command and settings,
on which input files (their sizes and SHA-256); the run log beside the books for the commands that
do not write them (and for every attempt that failed); and the authorised actions of
``master/authorisations``.

The OS user comes from one function, ``os_user``, that tests monkeypatch.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import shlex
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

from schemas.master import AUTHORISED_ACTIONS
from transforms.faults import Failure

API = "python API"  # the command line of a run called as a library
ACTIONS = AUTHORISED_ACTIONS  # master/authorisations.action
EVERY_ADMINISTRATION = "*"


def os_user() -> str:
    """The operating-system user running journalize."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (a bare container)
        return f"uid {os.getuid()}"


def host() -> str:
    return socket.gethostname()


def version() -> str:
    """journalize's version: the installed distribution's, else the checkout's pyproject.toml."""
    from importlib import metadata

    try:
        return metadata.version("journalize")
    except metadata.PackageNotFoundError:
        pass
    import tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def command_line() -> str:
    """The command line of this process, quoted so that it can be run again."""
    return shlex.join(sys.argv)


# --- input files ------------------------------------------------------------------------------


class InputChanged(Failure):
    """An input file changed while the run read it: the run fails, nothing written."""


@dataclass(frozen=True)
class InputFile:
    path: str  # relative to the input folder, with /
    bytes: int
    sha256: str


def input_paths(input_dir: Path, folders: tuple[str, ...] = ("master", "lines")) -> list[Path]:
    """Every file a run reads from the input folder: one per table, every file under a
    partitioned Parquet folder."""
    from transforms.ingest import find_tables

    paths: list[Path] = []
    for table in find_tables(input_dir).values():
        if table.folder not in folders:
            continue
        if table.path.is_dir():
            paths.extend(sorted(p for p in table.path.rglob("*") if p.is_file()))
        else:
            paths.append(table.path)
    return sorted(paths)


def hash_file(input_dir: Path, path: Path) -> InputFile:
    """Size and SHA-256 of one file, streamed (hashlib releases the GIL while it hashes)."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        size = handle.tell()
    return InputFile(path.relative_to(input_dir).as_posix(), size, digest.hexdigest())


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


class InputHashes:
    """The input files hashed in a background thread while the run reads them; ``result()``
    waits for it and raises what it raised, or InputChanged when a file was changed (its size or
    modification time) between its hashing and the end of the run: the hash would not be of what
    the run read."""

    def __init__(self, input_dir: Path, folders: tuple[str, ...] = ("master", "lines")) -> None:
        self.input_dir = Path(input_dir)
        self.folders = folders
        self._files: list[InputFile] = []
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._hash, name="journalize-input-hashes",
                                        daemon=True)

    def start(self) -> "InputHashes":
        self._thread.start()
        return self

    def _hash(self) -> None:
        from transforms.ingest import InputError

        path = None
        try:
            for path in input_paths(self.input_dir, self.folders):
                self._stamps[path] = _stamp(path)
                self._files.append(hash_file(self.input_dir, path))
        except OSError as error:
            self._error = InputError(f"input file {path} cannot be read to record its SHA-256: "
                                     f"{error.strerror or error}")
        except BaseException as error:  # (re-raised by result(), in the run's thread)
            self._error = error

    def result(self) -> list[InputFile]:
        if self._thread.ident is not None:  # (started; a test may hash in its own thread)
            self._thread.join()
        if self._error is not None:
            raise self._error
        for path, stamp in self._stamps.items():
            try:
                changed = _stamp(path) != stamp
            except OSError:
                changed = True
            if changed:
                raise InputChanged([f"{path.relative_to(self.input_dir).as_posix()} changed "
                                    "while the run read it (its size or modification time): run "
                                    "again when the files stay as they are"])
        return self._files


# --- the run log beside the books ---------------------------------------------------------------


def log_path(db_path: Path) -> Path:
    return Path(f"{db_path}.log.jsonl")


def log_attempt(db_path: Path, *, action: str, parameters: dict | None, outcome: str,
                exit_code: int, reason: str | None = None, run_id: int | None = None,
                command: str | None = None, create_folder: bool = True) -> Path | None:
    """Append one JSON line for an attempt to ``<db>.log.jsonl`` (created 0600); None when the
    books' folder does not exist and create_folder is false."""
    path = log_path(db_path)
    if not path.parent.is_dir():
        if not create_folder:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
        "user": os_user(),
        "host": host(),
        "version": version(),
        "action": action,
        "command": command if command is not None else command_line(),
        "parameters": parameters,
        "outcome": outcome,
        "exit_code": exit_code,
        "reason": reason,
        "run_id": run_id,
    }
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)  # one write of one line, appended
    finally:
        os.close(fd)
    return path


# --- authorised actions -------------------------------------------------------------------------


def authorise(input_dir: Path, action: str, admin: str | None = None) -> None:
    """Refuse (ConfigurationError) an action the OS user is not allowed for every administration
    it touches (``admin``, else every administration of the input), when master/authorisations
    has rows. Reads only master/administrations and master/authorisations."""
    from schemas import MASTER_SCHEMAS
    from transforms import ingest, sqlfile, validate, workspace

    files = ingest.find_tables(input_dir)
    if "authorisations" not in files:
        return
    tables = ("administrations", "authorisations")
    con = duckdb.connect()
    workspace.open_work(con)
    try:
        validate.load_master(con, {t: f for t, f in files.items() if t in tables},
                             {t: MASTER_SCHEMAS[t] for t in tables}, ("administrations",))
        faults = [r[0] for r in sqlfile.run(con, "check", "authorisations").fetchall()]
        if faults:
            raise validate.ConfigurationError(faults)
        if not con.execute("SELECT count(*) FROM authorisations").fetchone()[0]:
            return
        user = os_user()
        touched = [admin] if admin else [r[0] for r in con.execute(
            "SELECT DISTINCT admin_id FROM administrations ORDER BY 1").fetchall()]
        refused = [r[0] for r in con.execute(
            """
            SELECT t.admin_id FROM unnest($touched::VARCHAR[]) AS t(admin_id)
            WHERE NOT EXISTS (SELECT 1 FROM authorisations AS a
                              WHERE a."user" = $user AND a.action = $action
                                AND a.admin_id IN (t.admin_id, $every))
            ORDER BY 1
            """,
            {"touched": touched, "user": user, "action": action,
             "every": EVERY_ADMINISTRATION}).fetchall()]
    finally:
        con.close()
    if refused:
        which = "administration" if len(refused) == 1 else "administrations"
        raise validate.ConfigurationError([
            f"{files['authorisations'].display}: user {user!r} is not authorised to {action} "
            f"{which} {', '.join(refused)}; nothing was read"])
