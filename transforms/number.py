"""Stage 5, number (SPEC §5): allocate invoice numbers from the journals' counters, skipping used
numbers, and refuse a numbering that breaks a rule (nothing is written then)."""

from __future__ import annotations

import duckdb

from transforms import sqlfile


class NumberingError(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def number_invoices(con: duckdb.DuckDBPyConnection, *, journalize: bool) -> None:
    sqlfile.run(con, "number", "numbering_journals")
    sqlfile.run(con, "number", "numbered_invoices")
    faults = [row[0] for row in sqlfile.run(con, "number", "numbering_faults").fetchall()]
    if faults:
        raise NumberingError(faults)
    sqlfile.run(con, "number", "skipped")
    params = {"journalize": journalize}
    sqlfile.run(con, "number", "run_invoices", params)
    sqlfile.run(con, "number", "run_invoice_vat", params)
    sqlfile.run(con, "number", "run_invoice_lines")
