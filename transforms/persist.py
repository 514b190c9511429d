"""Stage 7, persist (SPEC §11): the output tables, and the run's rows written into them.

Everything here runs inside the run's single transaction (see ``flows.pipeline``)."""

from __future__ import annotations

import functools

import duckdb

from transforms import sqlfile

# written per administration (chunk) of the run …
WRITES = (
    "billable_lines",  # delete the earlier rows this run replaces …
    "billable_lines_insert",  # … and write this run's
    "invoices",
    "invoice_vat",
    "invoice_lines",
    "journal_entries",
    "open_items",
    "skipped_numbers",
    "journal_counters",
    "journal_counters_insert",
    "changed_lines",
)
# … and once, after the last
RUN_WRITES = (
    "rejected_lines",
    "run_reconciliation",
)


def create_output_tables(con: duckdb.DuckDBPyConnection) -> None:
    sqlfile.run_script(con, "persist", "schema")
    _add_new_columns(con)
    sqlfile.run_script(con, "persist", "views")


def _add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A database written by an earlier version gets the columns added since (NULL in old rows),
    so that books kept over years stay one database."""
    expected = _columns(_schema_reference())
    present = _columns(con)
    for (table, column), dtype in expected.items():
        if (table, column) not in present:
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {dtype}')


@functools.cache
def _schema_reference() -> duckdb.DuckDBPyConnection:
    reference = duckdb.connect()
    sqlfile.run_script(reference, "persist", "schema")
    return reference


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_catalog = current_database()"
    ).fetchall()
    return {(t, c): d for t, c, d in rows}


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]


def persist_chunk(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """Write the lines, invoices and entries of the administration the run is at."""
    for name in WRITES:
        sqlfile.run(con, "persist", name, {"run_id": run_id})


def persist_run(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """Write what belongs to the run as a whole: the quarantine and the reconciliation."""
    for name in RUN_WRITES:
        sqlfile.run(con, "persist", name, {"run_id": run_id})
