"""A run is atomic and runs do not trample each other.

Real `journalize run` subprocesses are killed with SIGKILL at every stage boundary (the
JOURNALIZE_HOLD_AT fault-injection point that tests/fault_injection.py installs) and at random moments; the database
must then hold exactly what it held before the run (or, killed after its commit, the whole run),
and the next run must complete normally with the same books as a run that was never interrupted.
A second run against a database in use is refused at once with a clear message, and the first one
completes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import fault_injection
import pytest

from flows.parameters import sample_dataset
from flows.pipeline import STAGES

HOLD_POINTS = [name for name, _ in STAGES] + ["persist", "commit"]
# the output tables whose content must survive a kill unchanged (runs has timestamps: compared too,
# since no run may complete between the two snapshots)
BOOKS = ("invoices", "invoice_lines", "journal_entries", "open_items", "journal_counters",
         "billable_lines", "skipped_numbers")


def snapshot(db: Path) -> dict[str, list[str]]:
    """Every base table of the database with its rows (sorted); {} for no database."""
    if not db.exists():
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def books(db: Path) -> dict[str, list[str]]:
    """The books without run ids and timestamps: what two equivalent histories must share."""
    with duckdb.connect(str(db), read_only=True) as con:
        result = {}
        for table in BOOKS:
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $t "
                "AND column_name <> 'run_id' ORDER BY ordinal_position", {"t": table}).fetchall()]
            select = ", ".join(f'"{c}"' for c in columns)
            result[table] = sorted(map(repr, con.execute(f'SELECT {select} FROM "{table}"').fetchall()))
        return result


def journalize(db: Path, period: str, env: dict | None = None, **popen) -> subprocess.Popen:
    command = fault_injection.command("run", "--input", str(sample_dataset()), "--db", str(db),
                                      "--period", period)
    return subprocess.Popen(command, env={**os.environ, **(env or {})}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def run_to_end(db: Path, period: str) -> subprocess.CompletedProcess:
    process = journalize(db, period)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    return subprocess.CompletedProcess(process.args, 0, stdout, stderr)


def wait_for_hold(process: subprocess.Popen, point: str) -> None:
    line = process.stderr.readline()
    assert f"holding before {point}" in line, line + process.stderr.read()


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def september(tmp_path_factory) -> Path:
    """A database after the September run: the state each October kill must leave untouched."""
    db = tmp_path_factory.mktemp("sep") / "books.duckdb"
    run_to_end(db, "2026-09")
    return db


@pytest.fixture(scope="module")
def reference(tmp_path_factory, september) -> Path:
    """September then October, never interrupted."""
    db = tmp_path_factory.mktemp("ref") / "books.duckdb"
    db.write_bytes(september.read_bytes())
    run_to_end(db, "2026-10")
    return db


def test_every_stage_boundary_survives_sigkill_on_a_database_with_history(
        tmp_path, september, reference):
    db = tmp_path / "books.duckdb"
    db.write_bytes(september.read_bytes())
    before = snapshot(db)
    assert before["invoices"], "the September run made invoices"
    for point in HOLD_POINTS:
        process = journalize(db, "2026-10", {"JOURNALIZE_HOLD_AT": point})
        wait_for_hold(process, point)
        kill(process)
        assert snapshot(db) == before, f"killed before {point}: the database changed"
    run_to_end(db, "2026-10")
    assert books(db) == books(reference)


def test_every_stage_boundary_survives_sigkill_on_a_first_run(tmp_path, reference, september):
    db = tmp_path / "books.duckdb"
    for point in HOLD_POINTS:
        process = journalize(db, "2026-09", {"JOURNALIZE_HOLD_AT": point})
        wait_for_hold(process, point)
        kill(process)
        assert snapshot(db) == {}, f"killed before {point}: the first run left tables or rows"
    run_to_end(db, "2026-09")
    run_to_end(db, "2026-10")
    assert books(db) == books(reference)


def test_kills_at_random_moments_leave_the_database_as_it_was(tmp_path, september, reference):
    db = tmp_path / "books.duckdb"
    db.write_bytes(september.read_bytes())
    before = snapshot(db)
    rng = random.Random(4)
    for _ in range(6):
        process = journalize(db, "2026-10")
        time.sleep(rng.uniform(0.3, 3.0))
        if process.poll() is None:
            kill(process)
            if snapshot(db) == before:
                continue
            # killed after its commit (while closing or printing the summary): then the whole
            # run is in the books, never a part of it
            assert books(db) == books(reference)
        else:  # finished before the kill: it must have succeeded
            assert process.returncode == 0
        db.write_bytes(september.read_bytes())  # start again from September
        Path(f"{db}.wal").unlink(missing_ok=True)
    run_to_end(db, "2026-10")
    assert books(db) == books(reference)


def test_a_second_run_is_refused_at_once_while_one_is_running(tmp_path, september, reference):
    db = tmp_path / "books.duckdb"
    db.write_bytes(september.read_bytes())
    release = tmp_path / "release"
    first = journalize(db, "2026-10", {"JOURNALIZE_HOLD_AT": "number",
                                       "JOURNALIZE_RELEASE": str(release)})
    wait_for_hold(first, "number")

    started = time.monotonic()
    second = journalize(db, "2026-10")
    _, stderr = second.communicate(timeout=120)
    assert second.returncode == 3
    assert "is in use by another process" in stderr and str(first.pid) in stderr
    assert time.monotonic() - started < 60  # refused, not queued behind the first

    release.touch()
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert books(db) == books(reference)
