"""Stage 4, group (SPEC §8, §9 amounts, §4 journal, §6 description): lines to draft invoices.

Makes ``keyed_lines`` (every line with its collect_key, SPEC §8: the run's one wide table, made
from map's view), ``grouped_lines`` (the lines to invoice), ``draft_invoice_vat`` (one row per invoice and VAT
code) and ``draft_invoices`` (one row per invoice, not yet numbered)."""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms import sqlfile
from transforms.faults import Failure

AMOUNT_LIMIT = "9,999,999,999,999,999.99"  # DECIMAL(18,2), every amount of the books (SPEC §11)


class InvoiceAmountError(Failure):
    """Invoices whose amounts do not fit an amount of the books; carries one message each."""


def key_lines(con: duckdb.DuckDBPyConnection, *, chunk_admin: str | None = None,
              every: bool = True) -> None:
    """group.keyed_lines: the mapped lines of the administration chunk_admin (every: all) with
    the invoice each goes on (SPEC §8), the run's one wide table; group.grouped_lines: the lines
    to invoice (a view)."""
    sqlfile.build(con, "group", "keyed_lines", {"chunk_admin": chunk_admin, "every": every})
    sqlfile.build(con, "group", "grouped_lines")


def group_lines(con: duckdb.DuckDBPyConnection, *, invoice_date: dt.date) -> None:
    sqlfile.build(con, "group", "draft_invoice_vat")
    sqlfile.build(con, "group", "draft_invoices", {"invoice_date": invoice_date})
    _refuse_oversized(con)


def _refuse_oversized(con: duckdb.DuckDBPyConnection, shown: int = 20) -> None:
    """Each line's amount fits DECIMAL(18,2) (validate), but their sum on one invoice, its
    discount, VAT or total may not: such an invoice cannot be booked, so the run stops naming it."""
    rows = con.execute(
        "SELECT admin_id, debtor_id, collect_key, line_count FROM draft_invoices "
        "WHERE total_excl_vat IS NULL OR vat_amount IS NULL OR total_incl_vat IS NULL "
        "ORDER BY admin_id, debtor_id, collect_key").fetchall()
    if not rows:
        return
    messages = [
        f"the invoice of debtor {debtor} in {admin} ({key}, {lines} lines) would have an amount "
        f"beyond {AMOUNT_LIMIT}, the most an amount of the books holds (DECIMAL(18,2)): check the "
        "lines' quantities and prices"
        for admin, debtor, key, lines in rows[:shown]
    ]
    if len(rows) > shown:
        messages.append(f"… and {len(rows) - shown} more invoices")
    raise InvoiceAmountError(messages)
