"""A run computes on a work connection in autocommit (its intermediate tables freed as
they are replaced) that reads the books as they were before the run, and writes the books in one
transaction on a second connection. These tests pin what that split must keep: a database of an
earlier version (a table or a column missing) is read through stand-ins and upgraded by the run's
own transaction, so a failed run does not even upgrade it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from builders import query

from flows.parameters import RunParameters
from flows.pipeline import RunFailed, run_month_end


@pytest.fixture(scope="module")
def october(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("october") / "books.duckdb"
    run_month_end(RunParameters.for_period("2026-10", db_path=db))
    return db


def _as_earlier_version(october: Path, tmp_path: Path) -> Path:
    """The October books as an earlier version wrote them: invoices without sequence_number,
    no changed_lines table."""
    db = tmp_path / "books.duckdb"
    shutil.copy(october, db)
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE invoices DROP COLUMN sequence_number")
        con.execute("DROP TABLE changed_lines")
    return db


def _columns(db: Path, table: str) -> list[str]:
    return [c for (c,) in query(db, "SELECT column_name FROM information_schema.columns "
                                    f"WHERE table_name = '{table}' ORDER BY ordinal_position")]


def _invoices(db: Path) -> list[tuple]:
    return query(db, "SELECT * EXCLUDE (sequence_number) FROM invoices ORDER BY invoice_number")


def test_a_database_of_an_earlier_version_is_read_and_upgraded_by_the_next_run(october, tmp_path):
    db = _as_earlier_version(october, tmp_path)
    october_invoices = query(db, "SELECT * FROM invoices ORDER BY invoice_number")

    run_month_end(RunParameters.for_period("2026-11", db_path=db))

    assert "sequence_number" in _columns(db, "invoices")
    assert _columns(db, "changed_lines")
    # the October rows are kept as they were, with NULL in the new column …
    assert query(db, "SELECT * EXCLUDE (sequence_number) FROM invoices WHERE run_id = 1 "
                     "ORDER BY invoice_number") == october_invoices
    assert query(db, "SELECT count(*) FROM invoices WHERE run_id = 1 "
                     "AND sequence_number IS NOT NULL") == [(0,)]
    # … and the November run saw them: its numbers go on after October's, none used twice
    november = query(db, "SELECT count(*), count(sequence_number) FROM invoices WHERE run_id = 2")
    assert november[0][0] > 0 and november[0][0] == november[0][1]
    assert query(db, "SELECT count(*) - count(DISTINCT invoice_number) FROM invoices") == [(0,)]
    assert query(db, "SELECT count(*) - count(DISTINCT entry_id || '/' || line_no) "
                     "FROM journal_entries") == [(0,)]


def test_the_same_run_on_the_current_version_gives_the_same_november(october, tmp_path):
    old = _as_earlier_version(october, tmp_path)
    current = tmp_path / "current.duckdb"
    shutil.copy(october, current)
    for db in (old, current):
        run_month_end(RunParameters.for_period("2026-11", db_path=db))
    assert _invoices(old) == _invoices(current)
    for table in ("journal_entries", "billable_lines", "open_items", "journal_counters"):
        assert (query(old, f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY ALL")
                == query(current, f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY ALL")), table


def test_a_failed_run_does_not_even_upgrade_the_database(october, tmp_path):
    db = _as_earlier_version(october, tmp_path)
    before = {table: query(db, f"SELECT * FROM {table} ORDER BY ALL")
              for table in ("invoices", "billable_lines", "journal_entries", "runs")}

    with pytest.raises(RunFailed, match="--strict"):  # the sample has bad lines
        run_month_end(RunParameters.for_period("2026-11", db_path=db).model_copy(
            update={"strict": True}))

    assert "sequence_number" not in _columns(db, "invoices")
    assert _columns(db, "changed_lines") == []
    assert {table: query(db, f"SELECT * FROM {table} ORDER BY ALL") for table in before} == before


def _with_invoice_lines_as_a_table(october: Path, tmp_path: Path) -> Path:
    """The October books as version 0.1 wrote them: invoice_lines a table of its own (a copy of
    the invoiced lines with their account), billable_lines without revenue_account."""
    db = tmp_path / "v01.duckdb"
    shutil.copy(october, db)
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE old_lines AS FROM invoice_lines")
        con.execute("DROP VIEW cockpit_all_invoice_lines")
        con.execute("DROP VIEW invoice_lines")
        con.execute("ALTER TABLE old_lines RENAME TO invoice_lines")
        con.execute("ALTER TABLE billable_lines DROP COLUMN revenue_account")
    return db


def test_invoice_lines_of_an_earlier_version_become_the_view_with_their_accounts(october, tmp_path):
    db = _with_invoice_lines_as_a_table(october, tmp_path)
    october_lines = query(db, "SELECT * FROM invoice_lines ORDER BY source, line_id")
    assert october_lines and all(line[11] for line in october_lines)  # (account)

    run_month_end(RunParameters.for_period("2026-11", db_path=db))

    assert query(db, "SELECT table_type FROM information_schema.tables "
                     "WHERE table_name = 'invoice_lines'") == [("VIEW",)]
    assert query(db, "SELECT * FROM invoice_lines WHERE run_id = 1 "
                     "ORDER BY source, line_id") == october_lines
    assert query(db, "SELECT count(*) FROM invoice_lines WHERE run_id = 2") != [(0,)]


def test_the_books_connection_draws_no_progress_bar(tmp_path):
    """DuckDB draws its progress bar on stdout for a statement of over 2 s (a big run's inserts,
    its commit); in a batch job's output, which scripts read, it is noise. (In a fresh
    interpreter: under pytest's capture DuckDB leaves the bar off by itself.)"""
    code = (
        "import sys, duckdb; from flows.pipeline import connect\n"
        "setting = \"SELECT current_setting('enable_progress_bar')\"\n"
        "plain = duckdb.connect(sys.argv[1] + '.plain').execute(setting).fetchone()[0]\n"
        "books = connect(sys.argv[1]).execute(setting).fetchone()[0]\n"
        "print(plain, books)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "books.duckdb")],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]  # on by default, off on the books connection
