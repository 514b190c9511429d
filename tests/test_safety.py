"""Inputs that cannot reach outside their lane: option values and cells that would run
SQL, forge output lines, hold a run for ever, read files outside the run's folders, or leave
readable or half-written books. Each test reproduces the attack or input and asserts the clear
refusal, that no file outside the books was touched and that nothing in the books changed."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import fault_injection
import pytest
from builders import base_master, order_line, query, run, write_dataset
from typer.testing import CliRunner

from flows.cli import app
from flows.parameters import RunParameters
from flows.pipeline import STAGES, run_month_end

WIDE = {"COLUMNS": "250"}


def invoke(*args) -> object:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def snapshot(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall()))
                for t in tables}


@pytest.fixture
def booked(dataset_dir, db) -> Path:
    """Books with one October run of two orders."""
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", order_id="O2")])
    run(dataset_dir, db)
    return db


# --- option values never become SQL ----------------------------------------------------------

INJECTIONS = [
    "1GB'; UPDATE journal_entries SET description = 'forged'; --",
    "1GB'; CREATE TABLE stolen AS SELECT * FROM read_csv('/etc/passwd'); --",
    "lots",
    "-5GB",
    "0MB",
    "101%",
]


@pytest.mark.parametrize("limit", INJECTIONS)
def test_a_memory_limit_that_is_no_size_is_a_usage_error_and_runs_nothing(booked, dataset_dir,
                                                                          limit):
    before = snapshot(booked)

    result = invoke("run", "--input", dataset_dir, "--db", booked, "--period", "2026-11",
                    "--memory-limit", limit)

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("journalize: usage: "), result.stderr
    assert "is not a size" in result.stderr or "must be more than 0" in result.stderr
    assert snapshot(booked) == before


def test_the_memory_limit_from_the_environment_is_checked_too(booked, dataset_dir):
    before = snapshot(booked)

    result = CliRunner().invoke(
        app, ["run", "--input", str(dataset_dir), "--db", str(booked), "--period", "2026-11"],
        env={**WIDE, "JOURNALIZE_MEMORY_LIMIT": INJECTIONS[1]})

    assert result.exit_code == 2, result.output
    assert "JOURNALIZE_MEMORY_LIMIT" in result.stderr and "is not a size" in result.stderr
    assert snapshot(booked) == before
    assert query(booked, "SELECT count(*) FROM information_schema.tables "
                         "WHERE table_name = 'stolen'") == [(0,)]


@pytest.mark.parametrize("limit,setting", [("512MB", "488.2 MiB"), ("1.5 GiB", "1.5 GiB"),
                                           ("2gb", "1.8 GiB")])
def test_a_memory_limit_that_is_a_size_bounds_duckdb(dataset_dir, db, limit, setting):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    seen = []

    def runner(name, stage, con, params):
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        stage(con, params)

    run_month_end(RunParameters.for_period("2026-10", input_dir=dataset_dir, db_path=db,
                                           memory_limit=limit), runner=runner)

    assert set(seen) == {setting}


# --- run dates and configuration values a finance run cannot mean -----------------------------

@pytest.mark.parametrize("args,reason", [
    (["--period", "9999-12"], "the year lies outside 1970..2199"),
    (["--period", "26-10"], "is not YYYY-MM"),
    (["--period", "2026-13"], "month 13 is not 01..12"),
    (["--invoice-date", "1900-01-01"], "1900-01-01 lies outside 1970-01-01 .. 2199-12-31"),
    (["--reference-date", "2026-10-31", "--invoice-date", "2028-10-31"],
     "lies more than 366 days from the reference date"),
])
def test_implausible_run_dates_are_usage_errors(dataset_dir, db, args, reason):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])

    result = invoke("run", "--input", dataset_dir, "--db", db, *args)

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("journalize: usage: ") and reason in result.stderr, result.stderr
    assert not db.exists()


@pytest.mark.parametrize("table,column,value,allowed", [
    ("vat_codes", "rate", "99999.9999", "between 0 and 1"),
    ("vat_codes", "rate", "-0.21", "between 0 and 1"),
    ("debtors", "payment_term_days", "-30", "between 0 and 3650"),
    ("debtors", "payment_term_days", "999999999999", "between 0 and 3650"),
    ("debtors", "invoice_discount_pct", "-500", "between 0 and 100"),
    ("debtors", "credit_restriction_pct", "100.5", "between 0 and 100"),
])
def test_implausible_configuration_is_refused_with_the_range_allowed(dataset_dir, db, table,
                                                                     column, value, allowed):
    master = base_master()
    master[table][0][column] = value
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])

    result = invoke("check", "--input", dataset_dir)

    assert result.exit_code == 2, result.output
    expected = f"master/{table}.csv row 1, column {column}: must be {allowed} [rule range]"
    assert expected in result.output, result.output
    assert invoke("run", "--input", dataset_dir, "--db", db).exit_code == 2
    assert not db.exists()


def test_the_edges_of_the_ranges_are_allowed(dataset_dir, db):
    master = base_master()
    master["vat_codes"][0]["rate"] = "1"
    master["debtors"][0].update(payment_term_days="3650", invoice_discount_pct="100")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])

    assert invoke("check", "--input", dataset_dir).exit_code == 0


def test_an_invoice_whose_total_overflows_an_amount_fails_the_run_naming_it(dataset_dir, db):
    # each line's amount fits DECIMAL(18,2) (6e15), their sum on one order does not (1.2e16)
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", quantity="60000000000", unit_price="100000"),
        order_line("L2", quantity="60000000000", unit_price="100000")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("journalize: run failed, nothing written: the invoice of "
                                    "debtor 10001 in NL01"), result.stderr
    assert "beyond 9,999,999,999,999,999.99" in result.stderr
    assert not db.exists()


# --- values shown are escaped ----------------------------------------------------------------

FORGED = "X\nrejected: none, all is well\x1b[2J\x1b[31m"


def test_a_value_cannot_forge_or_colour_output_lines(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", vat_code=FORGED)])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert not any(line.startswith("rejected: none") for line in result.output.splitlines())
    rejected = [line for line in result.output.splitlines() if "rejected:" in line]
    assert len(rejected) == 1 and "\\x1b[2J" in rejected[0] and "\\n" in rejected[0], rejected


def test_strict_messages_are_escaped_too(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1", vat_code=FORGED)])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10", "--strict")

    assert result.exit_code == 3, result.output
    assert "\x1b" not in result.stderr
    assert not any(line.startswith("rejected: none") for line in result.stderr.splitlines())


# --- the files a run leaves ------------------------------------------------------------------

def test_books_and_the_folders_journalize_creates_are_private(dataset_dir, tmp_path):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    db = tmp_path / "new" / "folder" / "books.duckdb"
    previous = os.umask(0o022)
    try:
        assert invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10").exit_code == 0
    finally:
        os.umask(previous)

    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.parent.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in db.parent.iterdir()) == ["books.duckdb", "books.duckdb.log.jsonl"]
    assert stat.S_IMODE((db.parent / "books.duckdb.log.jsonl").stat().st_mode) == 0o600


def test_pro_forma_on_a_new_database_leaves_no_file(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10", "--pro-forma")

    assert result.exit_code == 0, result.output
    assert not db.exists()
    assert [p.name for p in db.parent.iterdir() if p.name.startswith(db.name)
            or p.name.startswith(f".{db.name}")] in ([], [f"{db.name}.log.jsonl"])


def _partial_files(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(f".{db.name}"))


@pytest.mark.parametrize("point", [name for name, _ in STAGES] + ["persist", "commit"])
def test_a_first_run_killed_at_any_stage_leaves_no_database(dataset_dir, db, point):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    process = subprocess.Popen(
        fault_injection.command("run", "--input", str(dataset_dir), "--db", str(db),
                                "--period", "2026-10"),
        env={**os.environ, "JOURNALIZE_HOLD_AT": point}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = process.stderr.readline()
    assert f"holding before {point}" in line, line + process.stderr.read()

    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)

    assert not db.exists()
    # the next run removes the killed run's partial books and completes
    run(dataset_dir, db)
    assert _partial_files(db) == []
    assert query(db, "SELECT count(*) FROM invoices") == [(1,)]


def test_the_installed_cli_has_no_fault_injection(dataset_dir, db):
    """JOURNALIZE_HOLD_AT is a test hook: the journalize a user runs ignores it (it used to hold
    the run for ever with the books locked)."""
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    script = Path(sys.executable).parent / "journalize"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]
    env = {**os.environ, "JOURNALIZE_HOLD_AT": "number"}
    env.pop("JOURNALIZE_RELEASE", None)

    done = subprocess.run([*command, "run", "--input", str(dataset_dir), "--db", str(db),
                           "--period", "2026-10"], env=env, capture_output=True, text=True,
                          timeout=120)

    assert done.returncode == 0, done.stderr
    assert "holding" not in done.stderr
    assert query(db, "SELECT count(*) FROM invoices") == [(1,)]


# --- what DuckDB may touch during a run ------------------------------------------------------

def test_a_run_cannot_read_or_write_files_outside_its_folders(dataset_dir, db, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("a\n1\n")
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    tried = {}

    def runner(name, stage, con, params):
        if name == "map":  # a hole in any stage: SQL of the attacker's choice
            for label, sql in {
                "read": f"SELECT * FROM read_csv('{outside / 'secret.csv'}')",
                "passwd": "SELECT * FROM read_csv('/etc/passwd')",
                "write": f"COPY (SELECT 1) TO '{outside / 'written.csv'}'",
                "attach": f"ATTACH '{outside / 'other.duckdb'}' AS other",
                "reopen": "SET enable_external_access = true",
                "widen": "SET allowed_directories = ['/']",
            }.items():
                try:
                    con.execute(sql)
                    tried[label] = "allowed"
                except duckdb.Error as error:
                    tried[label] = type(error).__name__
        stage(con, params)

    run_month_end(RunParameters.for_period("2026-10", input_dir=dataset_dir, db_path=db),
                  runner=runner)

    assert "allowed" not in tried.values(), tried
    assert sorted(p.name for p in outside.iterdir()) == ["secret.csv"]
    assert query(db, "SELECT count(*) FROM invoices") == [(1,)]


def test_a_database_whose_name_has_a_quote_is_read_and_upgraded(dataset_dir, tmp_path):
    """The work connection reads the books of an earlier version through views named after the
    database, which takes its name from the file: a `"` in it used to break the run (exit 4)."""
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    db = tmp_path / 'bo"oks.duckdb'
    run(dataset_dir, db)
    with duckdb.connect(str(db)) as con:  # as an earlier version wrote it
        con.execute("DROP TABLE changed_lines")
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", order_id="O2")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-11")

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT count(*) FROM invoices") == [(2,)]


def test_a_stale_partial_of_a_running_process_is_left_alone(dataset_dir, db):
    """Only partial books whose process is gone are removed: another first run may be writing."""
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = db.parent / f".{db.name}.partial-{sleeper.pid}"
        live.write_bytes(b"")
        dead = db.parent / f".{db.name}.partial-999999999"
        dead.write_bytes(b"")
        run(dataset_dir, db)
        assert _partial_files(db) == [live.name]
    finally:
        sleeper.kill()
        sleeper.wait()


# --- persist's batches follow their bytes --------------------------------------------------------

def test_persist_batches_are_sized_by_bytes_not_rows():
    from transforms import persist, workspace

    con = duckdb.connect()
    workspace.open_work(con)
    lines = workspace.table_sql("group", "keyed_lines")  # (the run's one wide table)
    con.execute(f"CREATE TABLE {lines} (description VARCHAR, status_reason VARCHAR)")
    assert persist.batch_rows(con) == persist.BATCH_ROWS  # (no lines: the row-group size)
    con.execute(f"INSERT INTO {lines} VALUES ('short', NULL)")
    assert persist.batch_rows(con) == persist.BATCH_ROWS
    con.execute(f"INSERT INTO {lines} VALUES (repeat('x', 60000), 'y')")
    # 128 MiB over (512 + 3 × 30,003) bytes a row: the two lines' text is (5 + 60,001) / 2 bytes
    # on average
    assert persist.batch_rows(con) == 134_217_728 // (512 + 3 * 30_003) == 1_482
    con.execute(f"INSERT INTO {lines} SELECT 'short', NULL FROM range(998)")
    # one long text among a thousand short ones: (60,001 + 999 × 5) / 1000 = 64 bytes on average
    assert persist.batch_rows(con) == persist.BATCH_ROWS


def test_lines_with_long_texts_are_written_and_sealed(dataset_dir, db):
    """Tens of kilobytes of text per line (a real month has ~17 KB): the rows reach the books in
    small batches with 64-bit string offsets, and verify finds them sealed."""
    text = "Lange omschrijving " * 3000  # 57,000 bytes, under the 64 KiB a value may have
    write_dataset(dataset_dir, order_lines=[order_line(f"L{i}", order_id=f"O{i % 3}",
                                                       description=text) for i in range(12)])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT count(*), min(strlen(description)) FROM billable_lines") == \
        [(12, len(text.strip()))]
    assert invoke("verify", "--db", db).exit_code == 0


def test_a_run_carries_the_first_rejections_and_their_count_not_all_of_them(dataset_dir, db):
    """A run that rejects millions of lines keeps them in rejected_lines; its result (and the
    summary) holds the first 20 messages and how many there are."""
    write_dataset(dataset_dir, order_lines=[order_line("G1")] + [
        order_line(f"B{i:02d}", order_id=f"O{i}", vat_code="NOPE") for i in range(30)])

    result = run(dataset_dir, db)
    shown = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-11")

    assert len(result.rejected) == 20 and result.counts["rejections"] == 30
    assert shown.exit_code == 0, shown.output
    assert sum(line.startswith("  rejected: ") for line in shown.output.splitlines()) == 20
    assert "  … 10 more in table rejected_lines" in shown.output
