"""A full disk while a run writes (issue 14): a failed run (exit 3) that says what happened — the
device is full, naming the path and its mount point; nothing was written; how much room there
was — and what to do, never "internal error … TransactionException". The books are as they were
(same invoices, verify clean), a first run leaves no half file, and DuckDB's temp directory
filling (spilling) says the same.

The real-filesystem tests fill small tmpfs filesystems mounted in a user and mount namespace of
their own (`unshare -rm`, which needs no root); where no such namespace can be made (CI without
user namespaces, no unshare) they are skipped, saying why."""

from __future__ import annotations

import errno
import os
import secrets
import shlex
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from builders import order_line, query, write_dataset

from flows import storage

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20


# --- the first cause, however it was wrapped ----------------------------------------------------


def test_the_first_cause_is_found_behind_the_transaction_error_that_followed_it():
    """What DuckDB raises when a write fails mid-transaction: its IOException, then, from the
    next statement on the books (here in a `finally`), "Current transaction is aborted"."""
    def failing_write() -> None:
        try:
            raise duckdb.IOException('IO Error: Could not write file "/mnt/small/books.duckdb": '
                                     "No space left on device")
        finally:
            raise duckdb.TransactionException("TransactionContext Error: Current transaction is "
                                              "aborted (please ROLLBACK)")

    with pytest.raises(duckdb.TransactionException) as caught:
        failing_write()

    cause = storage.disk_full(caught.value)
    assert isinstance(cause, duckdb.IOException)
    assert "/mnt/small/books.duckdb" in str(cause)
    assert storage.disk_full(OSError(errno.ENOSPC, "No space left on device", "/x")) is not None
    assert storage.disk_full(duckdb.OutOfMemoryException(
        "Out of Memory Error: failed to offload data block of size 256.0 KiB (6.1 MiB/6.2 MiB "
        "used).\nThis limit was set by the 'max_temp_directory_size' setting.")) is not None
    assert storage.disk_full(duckdb.TransactionException("Current transaction is aborted")) is None
    assert storage.disk_full(OSError(errno.EACCES, "Permission denied")) is None
    assert storage.disk_full(duckdb.OutOfMemoryException(
        "Out of Memory Error: could not allocate block of size 256.0 KiB")) is None


def test_the_message_names_the_books_their_device_the_room_there_was_and_what_to_do(tmp_path):
    db = tmp_path / "books.duckdb"
    room = storage.Room(db, Path(f"{db}.tmp"), True, {os.stat(tmp_path).st_dev: 3 * MIB // 2})
    cause = duckdb.IOException(f'IO Error: Could not write file "{db}.wal": No space left on '
                               "device")

    messages = storage.full_disk_messages(cause, room, "the books are as they were")

    mount = storage.mount_point(tmp_path)
    assert messages == [
        f"the disk is full: no space left on the device of the books {db} (mounted at {mount}); "
        "the books are as they were",
        "the run needed more than the 1.5 MiB that were free there when it started",
        f"free space on {mount}, or give --db a place on a larger device, and run again",
    ]
    # DuckDB's COPY nests the OS's message as JSON, its quotes escaped; a file written whole
    # under a hidden name is named as it will be
    nested = duckdb.IOException(
        'IO Error: Async write failed for range [offset=1027230, size=79871]: {"exception_type":'
        f'"IO","exception_message":"Could not write file \\"{tmp_path}/.list.csv.partial-77\\":'
        ' No space left on device","errno":"28"}')
    assert storage.full_disk_messages(nested, room, "no file was made")[0] == (
        f"the disk is full: no space left on the device of {tmp_path / 'list.csv'} (mounted at "
        f"{mount}); no file was made")


# --- small filesystems, filled for real ---------------------------------------------------------


def order_lines(n: int, text: int = 0) -> list[dict]:
    """n lines, four per order; each description `text` random hex digits (they compress badly)."""
    return [order_line(f"B{i}", f"OB{i // 4}", debtor_id="10002",
                       **({"description": secrets.token_hex(text // 2)} if text else {}))
            for i in range(n)]


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """One namespace, three small filesystems:
    - books: a first run (2 orders) fits; a second run of 125,000 lines (more than a row group,
      so DuckDB writes to the books' file while the run's transaction is open) fills it;
    - commit: the same first run, then one of 20,000 lines with 9 MB of text (under a row group:
      its rows reach the file only as the commit writes the write-ahead log, which fills it);
    - new: a first run of those lines, on 3 MiB;
    - spill: a first run that must spill (9 MB of text, --memory-limit 30MB), on 3 MiB;
    - list: a pro forma whose --out list (31,250 invoices) does not fit 1 MiB.
    Returns the folder with each command's exit code, output and the files left."""
    if shutil.which("unshare") is None:
        pytest.skip("no small filesystem can be made: unshare (util-linux) is not installed")
    base = tmp_path_factory.mktemp("full_disk")
    small = write_dataset(base / "small", order_lines=[order_line("L1"),
                                                       order_line("L2", "O2", quantity="2")])
    many = write_dataset(base / "many", order_lines=order_lines(125_000))
    wide = write_dataset(base / "wide", order_lines=order_lines(20_000, text=400))
    # the first run's books, to size the filesystem they are kept on: they fit, with 2 MiB to spare
    probe = base / "probe" / "books.duckdb"
    assert _journalize("run", "--input", small, "--db", probe, "--period", "2026-10").returncode == 0
    books_size = sum(p.stat().st_size for p in probe.parent.iterdir()) + 2 * MIB
    out = base / "out"
    mounts = {name: base / name / "mnt" for name in ("books", "commit", "new", "spill", "list")}
    for folder in (out, *mounts.values()):
        folder.mkdir(parents=True)
    cli = " ".join(shlex.quote(part) for part in _cli())
    q = shlex.quote
    script = f"""
set -u
mount -t tmpfs -o size={books_size} tmpfs {q(str(mounts['books']))} || exit 99
mount -t tmpfs -o size={books_size} tmpfs {q(str(mounts['commit']))} || exit 99
mount -t tmpfs -o size={3 * MIB} tmpfs {q(str(mounts['new']))} || exit 99
mount -t tmpfs -o size={3 * MIB} tmpfs {q(str(mounts['spill']))} || exit 99
mount -t tmpfs -o size={MIB} tmpfs {q(str(mounts['list']))} || exit 99
step() {{ name=$1; shift; "$@" > {q(str(out))}/$name.out 2> {q(str(out))}/$name.err; echo $? > {q(str(out))}/$name.rc; }}
step first {cli} run --input {q(str(small))} --db {q(str(mounts['books']))}/books.duckdb --period 2026-10
step full {cli} run --input {q(str(many))} --db {q(str(mounts['books']))}/books.duckdb --period 2026-10
ls -A {q(str(mounts['books']))} > {q(str(out))}/books.ls
cp {q(str(mounts['books']))}/books.duckdb {q(str(out))}/books.duckdb
step first_again {cli} run --input {q(str(small))} --db {q(str(mounts['commit']))}/books.duckdb --period 2026-10
step commit {cli} run --input {q(str(wide))} --db {q(str(mounts['commit']))}/books.duckdb --period 2026-10
ls -A {q(str(mounts['commit']))} > {q(str(out))}/commit.ls
step new {cli} run --input {q(str(many))} --db {q(str(mounts['new']))}/books.duckdb --period 2026-10
ls -A {q(str(mounts['new']))} > {q(str(out))}/new.ls
step spill {cli} run --input {q(str(wide))} --db {q(str(mounts['spill']))}/books.duckdb --period 2026-10 --memory-limit 30MB
ls -A {q(str(mounts['spill']))} > {q(str(out))}/spill.ls
step list {cli} run --pro-forma --input {q(str(many))} --db {q(str(base))}/none/books.duckdb --period 2026-10 --out {q(str(mounts['list']))}/list.csv
ls -A {q(str(mounts['list']))} > {q(str(out))}/list.ls
"""
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                          timeout=1800, cwd=ROOT, env=_env())
    if done.returncode == 99 or (done.returncode != 0 and not (out / "first.rc").exists()):
        pytest.skip("no small filesystem can be made here (unshare -rm and mount -t tmpfs: "
                    f"{(done.stderr.strip() or f'exit {done.returncode}').splitlines()[0]})")
    assert done.returncode == 0, done.stderr
    return out


def result(out: Path, step: str) -> tuple[int, str, str]:
    return (int((out / f"{step}.rc").read_text()), (out / f"{step}.out").read_text(),
            (out / f"{step}.err").read_text())


def test_a_full_disk_is_a_failed_run_that_says_so_and_leaves_the_books_as_they_were(filled):
    code, _, first_err = result(filled, "first")
    assert code == 0, first_err
    code, stdout, stderr = result(filled, "full")

    assert code == 3, stderr
    reason, *details = stderr.splitlines()
    mount = filled.parent / "books" / "mnt"
    assert reason == ("journalize: run failed, nothing written: the disk is full: no space left on "
                      f"the device of the books {mount / 'books.duckdb'} (mounted at {mount}); "
                      "the books are as they were")
    assert details[0].startswith("  - the run needed more than the ")
    assert details[0].endswith(" that were free there when it started")
    assert details[1] == (f"  - free space on {mount}, or give --db a place on a larger device, "
                          "and run again")
    assert "internal error" not in stderr and "TransactionException" not in stderr
    # the books: the first run's two invoices (O1 1 × 100.00, O2 2 × 100.00, 21 % VAT), no
    # write-ahead log or temp folder left beside them, and verify finds nothing
    assert (filled / "books.ls").read_text().split() == ["books.duckdb", "books.duckdb.log.jsonl"]
    books = filled / "books.duckdb"
    assert query(books, "SELECT invoice_number, total_incl_vat FROM invoices ORDER BY 1") == [
        ("1001", Decimal("121.00")), ("1002", Decimal("242.00"))]
    assert query(books, "SELECT run_id, lines_read FROM runs") == [(1, 2)]
    verified = _journalize("verify", "--db", books)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_commit_that_fills_the_disk_leaves_no_write_ahead_log_beside_the_books(filled):
    code, _, first_err = result(filled, "first_again")
    assert code == 0, first_err
    code, _, stderr = result(filled, "commit")

    assert code == 3, stderr
    mount = filled.parent / "commit" / "mnt"
    assert stderr.splitlines()[0] == (
        "journalize: run failed, nothing written: the disk is full: no space left on the device "
        f"of the books {mount / 'books.duckdb'} (mounted at {mount}); the books are as they were")
    assert (filled / "commit.ls").read_text().split() == ["books.duckdb",
                                                          "books.duckdb.log.jsonl"]


def test_a_first_run_on_a_full_disk_leaves_no_database_and_no_half_file(filled):
    code, _, stderr = result(filled, "new")

    assert code == 3, stderr
    mount = filled.parent / "new" / "mnt"
    assert stderr.startswith("journalize: run failed, nothing written: the disk is full: no space "
                             "left on the device of ")
    assert f"(mounted at {mount}); no database was created" in stderr.splitlines()[0]
    assert "internal error" not in stderr
    # (the run log beside the books, outside them, keeps its line)
    assert (filled / "new.ls").read_text().split() in ([], ["books.duckdb.log.jsonl"])


def test_a_temp_directory_that_fills_while_duckdb_spills_says_the_same(filled):
    code, _, stderr = result(filled, "spill")

    assert code == 3, stderr
    mount = filled.parent / "spill" / "mnt"
    reason, *details = stderr.splitlines()
    assert reason.startswith("journalize: run failed, nothing written: the disk is full: no space "
                             f"left on the device of DuckDB's temp directory {mount}/")
    assert reason.endswith(f".tmp (mounted at {mount}); no database was created")
    assert "of what DuckDB may spill on that device" in details[0]
    assert details[1] == (f"  - free space on {mount}, or raise --memory-limit so that DuckDB "
                          "spills less, and run again")
    assert "ran out of memory" not in stderr
    assert (filled / "spill.ls").read_text().split() in ([], ["books.duckdb.log.jsonl"])


def _cli() -> list[str]:
    return [sys.executable, "-m", "flows.cli"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _journalize(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([*_cli(), *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT, env=_env())


def test_a_pro_forma_whose_list_fills_the_disk_says_so_and_leaves_no_file(filled):
    code, _, stderr = result(filled, "list")

    assert code == 3, stderr
    mount = filled.parent / "list" / "mnt"
    assert stderr.splitlines()[0] == (
        "journalize: run failed, nothing written: the disk is full: no space left on the device "
        f"of {mount / 'list.csv'} (mounted at {mount}); no file was made")
    assert (filled / "list.ls").read_text().split() == []
    assert not (filled.parent / "none").exists()
