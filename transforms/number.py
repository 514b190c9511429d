"""Stage 5, number (SPEC §5): allocate invoice numbers from the journals' counters, skipping used
numbers, and refuse a numbering that breaks a rule (nothing is written then)."""

from __future__ import annotations

import duckdb

from transforms import sqlfile
from transforms.faults import Failure


class NumberingError(Failure):
    """A numbering that breaks a rule of SPEC §5: nothing is written."""


def number_invoices(con: duckdb.DuckDBPyConnection, *, journalize: bool) -> None:
    sqlfile.build(con, "number", "numbering_journals")
    sqlfile.build(con, "number", "numbered_invoices")
    faults = sqlfile.faults(con, "number", "numbering_faults")
    if faults:
        raise NumberingError(faults)
    sqlfile.build(con, "number", "run_skipped_numbers")
    sqlfile.build(con, "number", "run_invoices", {"journalize": journalize})
    sqlfile.build(con, "number", "run_invoice_vat")
