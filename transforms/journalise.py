"""Stage 6, journalise (SPEC §9, §10): balanced journal entries, open items and the CODA references
of the run's invoices."""

from __future__ import annotations

import duckdb

from transforms import sqlfile
from transforms.faults import Failure


class UnbalancedEntryError(Failure):
    """Entries that do not balance or name an unknown account: nothing is written."""


def entry_base(con: duckdb.DuckDBPyConnection) -> int:
    """The last entry id of the books as they were before the run (0 in new books)."""
    return con.execute("SELECT coalesce(max(entry_id), 0) FROM books.journal_entries").fetchone()[0]


def journalise(con: duckdb.DuckDBPyConnection, *, entry_base: int, journalize: bool = True,
               chunk_admin: str | None = None, every: bool = True) -> int:
    """Entries of the run's invoices numbered on from entry_base (the books' last, or in a run
    that goes one administration at a time, the last of its earlier administrations); returns
    the last entry id the entries took. The release entries of deferred revenue due up to the
    reference date (SPEC §9) are numbered with them, per administration; a run that does not
    journalise (journalize False) releases nothing."""
    sqlfile.build(con, "journalise", "coda_references")
    sqlfile.build(con, "journalise", "run_deferral_plan")
    sqlfile.build(con, "journalise", "run_releases",
                  {"journalize": journalize, "chunk_admin": chunk_admin, "every": every})
    sqlfile.build(con, "journalise", "run_entry_heads", {"entry_base": entry_base})
    sqlfile.build(con, "journalise", "run_journal_entries")
    sqlfile.build(con, "journalise", "run_released")
    faults = sqlfile.faults(con, "journalise", "unbalanced_entries")
    if faults:
        raise UnbalancedEntryError(faults)
    sqlfile.build(con, "journalise", "run_open_items")
    return con.execute("SELECT coalesce(max(entry_id), $base) FROM run_journal_entries",
                       {"base": entry_base}).fetchone()[0]
