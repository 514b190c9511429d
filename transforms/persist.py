"""Stage 7, persist (SPEC §11): the output tables, and the run's rows written into them.

Everything here runs inside the run's single transaction (see ``flows.pipeline``)."""

from __future__ import annotations

import duckdb

from transforms import sqlfile

WRITES = (
    "billable_lines",  # delete the earlier rows this run replaces …
    "billable_lines_insert",  # … and write this run's
    "rejected_lines",
    "invoices",
    "invoice_vat",
    "invoice_lines",
    "journal_entries",
    "open_items",
    "skipped_numbers",
    "journal_counters",
    "journal_counters_insert",
    "run_reconciliation",
)


def create_output_tables(con: duckdb.DuckDBPyConnection) -> None:
    sqlfile.run_script(con, "persist", "schema")
    sqlfile.run_script(con, "persist", "views")


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]


def persist_run(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    for name in WRITES:
        sqlfile.run(con, "persist", name, {"run_id": run_id})
