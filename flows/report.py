"""`journalize report --db DB --period YYYY-MM [--html FILE]`: the month-end report for a person.

The books are opened read-only, as the default database of their connection (the ageing macro
binds its tables there), and refused in one message when they are not journalize's books, when
they are books of an earlier version without the analyst views, or when they hold nothing of the
period. The figures are ``transforms.report``'s; this module shows them as rich tables in the
terminal and writes them, with charts, as one self-contained HTML file (``flows.report_html``:
inline CSS and SVG, no script, nothing fetched), written aside and renamed into place, private to
its owner like the books."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
from rich.markup import escape
from rich.table import Table

from flows import storage
from flows.parameters import month_end
from transforms import report as figures
from transforms.faults import USAGE, Failure
from transforms.ingest import escaped


def open_books(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection whose default database is the books; Failure (usage) when the file
    is missing, cannot be opened, is not journalize's books or lacks the analyst views."""
    from transforms.verify import books_fault

    db_path = Path(db_path)
    if not db_path.is_file():
        raise Failure(f"database {db_path} does not exist", USAGE)
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "not a valid DuckDB database" in reason:
            reason = "it is not a DuckDB database"
        raise Failure(f"database {db_path} cannot be opened: {reason}", USAGE) from error
    try:
        con.execute("SET enable_progress_bar = false")
        fault = books_fault(con, str(db_path))
        if fault:
            raise Failure(fault, USAGE)
        lacking = figures.missing(con)
        if lacking:
            raise Failure(f"database {db_path} was written by an earlier version of journalize: "
                          f"it has no {', '.join(lacking)} (the next run or post of this version "
                          "adds them)", USAGE)
    except BaseException:
        con.close()
        raise
    return con


def month_end_report(db_path: Path, period: str | None = None) -> figures.MonthEndReport:
    """The report of period YYYY-MM (default: the period of the books' newest run)."""
    con = open_books(db_path)
    try:
        if period is None:
            newest = con.execute("SELECT max(reference_date) FROM runs").fetchone()[0]
            if newest is None:
                raise Failure(f"database {db_path} holds no run: give --period", USAGE)
            period = f"{newest:%Y-%m}"
        try:
            last_day = month_end(period)
        except ValueError as error:
            raise Failure(f"--period: {error}", USAGE) from error
        try:
            return figures.month_end_report(con, last_day.replace(day=1), last_day)
        except figures.NothingToReport as error:
            raise Failure(str(error), USAGE) from error
    finally:
        con.close()


def write_html(report: figures.MonthEndReport, path: Path, db_path: Path,
               generated_at: dt.datetime | None = None) -> Path:
    """The report as one HTML file at path: written aside, then renamed into place (a failure
    leaves no file, or the one that was there), readable by its owner only."""
    from flows.report_html import render

    path, db_path = Path(path), Path(db_path)
    if path.resolve() == db_path.resolve():
        raise Failure(f"--html {path} is the database itself", USAGE)
    text = render(report, db_path=db_path, generated_at=generated_at or dt.datetime.now())
    try:
        with storage.private_files():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, aside = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                             dir=path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(aside, path)
            except BaseException:
                Path(aside).unlink(missing_ok=True)
                raise
    except OSError as error:
        raise Failure(f"--html {path} cannot be written: {error.strerror or error}",
                      USAGE) from error
    return path


# --- the terminal ---------------------------------------------------------------------------

def money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def period_label(fiscal_year: int, period: int) -> str:
    return f"{fiscal_year:04d}-{period:02d}"


def _cell(value: object) -> str:
    """A value from the books in a rich cell: no markup, control characters escaped."""
    return escape(escaped("" if value is None else str(value), backslashes=False))


def _table(title: str, header: list[str], numeric_from: int) -> Table:
    """A rich table whose columns from numeric_from on are right-aligned figures."""
    table = Table(title=title)
    for i, name in enumerate(header):
        table.add_column(name, justify="right" if i >= numeric_from else "left")
    return table


def terminal_tables(report: figures.MonthEndReport) -> list[Table]:
    """The report's tables for the terminal, in the order the HTML file shows them."""
    admins = report.administrations
    currency = report.one_currency
    tables = []

    with_total = bool(currency) and len(admins) > 1
    by_period = _table(f"Revenue per administration and period (12 periods to {report.period})",
                       ["period", *map(_cell, admins), *(["total"] if with_total else [])], 1)
    for year, period in report.periods:
        values = [revenue_of(report, admin, year, period) for admin in admins]
        total = [money(sum(values, Decimal(0)))] if with_total else []
        by_period.add_row(period_label(year, period), *map(money, values), *total)
    tables.append(by_period)

    by_account = _table(f"Revenue per account, {report.period} and the year to date",
                        ["administration", "account", report.period, "year to date"], 2)
    for row in report.revenue_by_account:
        by_account.add_row(_cell(row["admin_id"]), _cell(row["account"]),
                           money(row["period_revenue"]), money(row["year_to_date"]))
    tables.append(by_account)

    by_source = _table(f"Invoices per source and journal, {report.period}",
                       ["administration", "source", "journal", "invoices", "collective", "credit",
                        "lines", "amount excl. VAT"], 3)
    for row in report.invoices_by_source:
        by_source.add_row(_cell(row["admin_id"]), _cell(row["source"]), _cell(row["journal_code"]),
                          count(row["invoices"]), count(row["collective_invoices"]),
                          count(row["credit_invoices"]), count(row["lines"]),
                          money(row["amount"]))
    tables.append(by_source)

    kinds = _table(f"Collective and separate invoices, {report.period}",
                   ["administration", "invoices", "count", "credit", "debtors", "lines",
                    "excl. VAT", "VAT", "incl. VAT"], 2)
    for row in report.invoice_kinds:
        kinds.add_row(_cell(row["admin_id"]), _cell(row["invoice_kind"]), count(row["invoices"]),
                      count(row["credit_invoices"]), count(row["debtors"]), count(row["lines"]),
                      money(row["total_excl_vat"]), money(row["vat_amount"]),
                      money(row["total_incl_vat"]))
    tables.append(kinds)

    ageing = _table(f"Open items by age (days since the invoice date) on {report.last_day}",
                    ["administration", *figures.BUCKETS, "total", "items"], 1)
    for admin, amounts, items in report.ageing_table():
        ageing.add_row(_cell(admin), *(money(amounts[b]) for b in figures.BUCKETS),
                       money(sum(amounts.values(), Decimal(0))), count(sum(items.values())))
    tables.append(ageing)

    for run in report.runs:
        rows = [r for r in report.reconciliation if r["run_id"] == run["run_id"]]
        table = _table(f"Reconciliation of run {run['run_id']} ({_cell(run['command'])}, "
                       f"reference date {run['reference_date']}): read = invoiced + open + "
                       "rejected + excluded",
                       ["source", "read", "invoiced", "open", "rejected", "excluded",
                        "amount read", "invoiced", "open", "rejected", "excluded", "closes"], 1)
        for r in rows:
            table.add_row(_cell(r["source"]), *(count(r[k]) for k in LINE_COLUMNS),
                          *(money(r[k]) for k in AMOUNT_COLUMNS), "yes" if r["closes"] else "NO")
        tables.append(table)
    return tables


LINE_COLUMNS = ("lines_read", "lines_invoiced", "lines_open", "lines_rejected", "lines_excluded")
AMOUNT_COLUMNS = ("amount_read", "amount_invoiced", "amount_open", "amount_rejected",
                  "amount_excluded")


def revenue_of(report: figures.MonthEndReport, admin: str, year: int, period: int) -> Decimal:
    """An administration's revenue in one of the report's twelve periods."""
    return next((row["revenue"] for row in report.revenue_by_period
                 if (row["admin_id"], row["fiscal_year"], row["period"]) == (admin, year, period)),
                Decimal("0.00"))
