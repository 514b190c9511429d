"""Stage 4, group (SPEC §8, §9 amounts, §4 journal, §6 description): lines to draft invoices.

Makes ``grouped_lines`` (line → collect_key), ``draft_invoice_vat`` (one row per invoice and VAT
code) and ``draft_invoices`` (one row per invoice, not yet numbered)."""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms import sqlfile


def group_lines(con: duckdb.DuckDBPyConnection, *, invoice_date: dt.date) -> None:
    sqlfile.run(con, "group", "grouped_lines")
    sqlfile.run(con, "group", "draft_invoice_vat")
    sqlfile.run(con, "group", "draft_invoices", {"invoice_date": invoice_date})
