"""Stage 6, journalise (SPEC §9): balanced journal entries and open items of the run's invoices."""

from __future__ import annotations

import duckdb

from transforms import sqlfile


class UnbalancedEntryError(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def journalise(con: duckdb.DuckDBPyConnection) -> None:
    # entry ids go on from the books' last (as they were before the run) or, in a run that goes
    # one administration at a time, from the last of its earlier administrations
    con.execute("SET VARIABLE journalize_entry_base = coalesce(getvariable('journalize_entry_base'), "
                "(SELECT coalesce(max(entry_id), 0) FROM journal_entries))")
    sqlfile.run(con, "journalise", "run_journal_entries")
    faults = [row[0] for row in sqlfile.run(con, "journalise", "unbalanced_entries").fetchall()]
    if faults:
        raise UnbalancedEntryError(faults)
    sqlfile.run(con, "journalise", "run_open_items")
    con.execute("SET VARIABLE journalize_entry_base = (SELECT coalesce(max(entry_id), "
                "getvariable('journalize_entry_base')) FROM run_journal_entries)")
