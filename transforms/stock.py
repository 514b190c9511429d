"""Stock (SPEC §2 lines/stock_mutations, §3, §9; docs/stock.md): stock mutations journalised
within and across administrations (Profit's integration types Voorraad 07 and Voorraad Rekening
Courant 13). Grain: one stock mutation, a delivery or a transfer; never a billable line, never
an invoice.

* load lines reads, types and checks the mutations with the billable lines (the same quarantine:
  rejected_lines with table stock_mutations), stages them on their own
  (validate.staged_stock_mutations) and counts what was read for the reconciliation;
  check_mutations then applies the configuration rules the mutations need (a configuration
  error: `check` and `run` refuse).
* The stock step runs once, after every administration's invoices (a mutation touches two
  administrations, so it belongs to no one chunk) and before close: it decides each mutation's
  status, builds the entry lines and their links to the mutations, numbers the entries on from
  the run's last entry id, and tallies the mutations for the reconciliation (read = booked +
  open (not yet due) + rejected + excluded, in count and in cost)."""

from __future__ import annotations

import datetime as dt

import duckdb

from schemas import STOCK_SCHEMAS
from transforms import ingest, sqlfile, validate
from transforms.ingest import MAX_FULL_REJECTIONS, TableFile
from transforms.journalise import UnbalancedEntryError
from transforms.validate import ConfigurationError

TABLE = "stock_mutations"
# the setting (master/settings) that says how stock entries are grouped, and its default
GROUPING_SETTING = "stock_entries"
DEFAULT_GROUPING = "per_day"


def load_mutations(con: duckdb.DuckDBPyConnection, files: dict[str, TableFile],
                   batch_rows: int = validate.BATCH_ROWS) -> None:
    """Ingest, type, stage and check lines/stock_mutations (no file: no mutations), into the
    run's quarantine; what was read appended to validate.lines_read (when there were rows)."""
    stock_files = {table: files[table] for table in STOCK_SCHEMAS if table in files}
    validate.load_lines(con, stock_files, STOCK_SCHEMAS, quarantine=False)
    sqlfile.build(con, "validate", "staged_stock_mutations")
    if stock_files:
        validate.validate_suspects(con, stock_files, STOCK_SCHEMAS, batch_rows,
                                   staged="staged_stock_mutations")
    sqlfile.build(con, "validate", "stock_mutations_read")
    raw = ingest.raw_table_name(TABLE)
    for name in (f"typed_{TABLE}", raw, f"{raw}_file"):
        ingest.drop(con, name)
    sqlfile.build(con, "validate", "stock_rejections", {"full": MAX_FULL_REJECTIONS})


def check_mutations(con: duckdb.DuckDBPyConnection, reference_date: dt.date) -> None:
    """The configuration the mutations due by reference_date need: ConfigurationError, one
    message per fault."""
    faults = sqlfile.faults(con, "check", "stock_mutations", {"reference_date": reference_date})
    if faults:
        raise ConfigurationError(faults)


def journalise_stock(con: duckdb.DuckDBPyConnection, *, entry_base: int,
                     reference_date: dt.date, admin: str | None, every_source: bool,
                     journalize: bool) -> int:
    """Each mutation's status, the run's stock entries numbered on from entry_base and each
    mutation's share of their lines, then the mutations' tally; returns the last entry id."""
    sqlfile.build(con, "journalise", "run_stock_mutations", {
        "reference_date": reference_date, "admin": admin, "every_source": every_source,
        "journalize": journalize})
    sqlfile.build(con, "journalise", "stock_entry_links", {"entry_base": entry_base})
    sqlfile.build(con, "journalise", "run_stock_entries")
    faults = sqlfile.faults(con, "journalise", "unbalanced_stock_entries")
    if faults:
        raise UnbalancedEntryError(faults)
    sqlfile.build(con, "reconcile", "stock_tally")
    return con.execute("SELECT coalesce(max(entry_id), $base) FROM run_stock_entries",
                       {"base": entry_base}).fetchone()[0]


def has_mutations(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the run staged any stock mutation (a resume reads none)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'work' "
        "AND table_schema = 'validate' AND table_name = 'staged_stock_mutations'").fetchone()[0]
    return bool(exists) and con.execute(
        "SELECT count(*) > 0 FROM validate.staged_stock_mutations").fetchone()[0]
