"""`journalize report`: the figures of a month-end report, read from the books' analyst views
(``sql/persist/views.sql``) by the queries in ``sql/report``, one per figure. A read of the books
on a connection whose default database they are (the ageing macro binds its tables there); it
changes nothing. Rendering (terminal, HTML) is ``flows.report``'s."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from transforms import sqlfile

# what a report reads from the books: views (and one table macro) a run of this version makes
VIEWS = ("revenue", "invoices_by_source", "collective_vs_separate_invoices")
MACROS = ("open_items_ageing_at",)
BUCKETS = ("0-30", "31-60", "61-90", ">90")  # by invoice date, as of the period's last day
QUERIES = ("revenue_by_period", "revenue_by_account", "invoices_by_source", "invoice_kinds",
           "ageing", "runs", "reconciliation", "currencies")


class NothingToReport(Exception):
    """The books hold nothing for the period; the message says what they do hold."""


@dataclass
class MonthEndReport:
    """The figures of one period. Each list holds the rows of its query in ``sql/report``, as
    dicts of column → value (amounts Decimal)."""

    period: str  # YYYY-MM
    first_day: dt.date
    last_day: dt.date  # also the date the open items are aged at
    revenue_by_period: list[dict] = field(default_factory=list)
    revenue_by_account: list[dict] = field(default_factory=list)
    invoices_by_source: list[dict] = field(default_factory=list)
    invoice_kinds: list[dict] = field(default_factory=list)
    ageing: list[dict] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)
    reconciliation: list[dict] = field(default_factory=list)
    currencies: list[dict] = field(default_factory=list)

    @property
    def administrations(self) -> list[str]:
        return sorted({row["admin_id"] for row in self.revenue_by_period}
                      | {row["admin_id"] for row in self.ageing}
                      | {row["admin_id"] for row in self.invoice_kinds})

    @property
    def periods(self) -> list[tuple[int, int]]:
        """The twelve (fiscal year, period) of the revenue chart, oldest first."""
        return sorted({(row["fiscal_year"], row["period"]) for row in self.revenue_by_period})

    @property
    def one_currency(self) -> str | None:
        """The currency of every administration, when they share one (totals across
        administrations are shown only then); None when they differ or none is known."""
        found = {row["currency"] for row in self.currencies}
        return found.pop() if len(found) == 1 and None not in found else None

    def ageing_table(self) -> list[tuple[str, dict[str, Decimal], dict[str, int]]]:
        """Per administration: the amount open and the number of items in each bucket."""
        table = []
        for admin in self.administrations:
            amounts = {bucket: Decimal("0.00") for bucket in BUCKETS}
            items = dict.fromkeys(BUCKETS, 0)
            for row in self.ageing:
                if row["admin_id"] == admin:
                    amounts[row["bucket"]] = row["amount_open"]
                    items[row["bucket"]] = row["items"]
            table.append((admin, amounts, items))
        return table


def missing(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views and macros a report reads that the books lack (books of an earlier version)."""
    views = {row[0] for row in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    macros = {row[0] for row in con.execute(
        "SELECT function_name FROM duckdb_functions() WHERE database_name = current_database() "
        "AND function_type = 'table_macro'").fetchall()}
    return ([f"view {v}" for v in VIEWS if v not in views]
            + [f"macro {m}" for m in MACROS if m not in macros])


def month_end_report(con: duckdb.DuckDBPyConnection, first_day: dt.date,
                     last_day: dt.date) -> MonthEndReport:
    """The report of the period first_day .. last_day (a calendar month) from the books that are
    con's default database; NothingToReport when they hold no run, invoice or entry of it."""
    report = MonthEndReport(f"{last_day:%Y-%m}", first_day, last_day)
    for name in QUERIES:
        setattr(report, name, _rows(con, name, {"reference_date": last_day}))
    if not (report.runs or report.invoice_kinds or any(
            row["period_revenue"] for row in report.revenue_by_account)):
        held = con.execute(
            "SELECT min(reference_date), max(reference_date) FROM runs").fetchone()
        span = (f"its runs cover {held[0]:%Y-%m} .. {held[1]:%Y-%m}" if held[0]
                else "it holds no run")
        raise NothingToReport(f"the books hold no run, invoice or entry of period "
                              f"{report.period}: {span}")
    return report


def _rows(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[dict]:
    """The rows of sql/report/<name>.sql, given the parameters it uses of params."""
    used = sqlfile.parameters(sqlfile.load("report", name))
    result = sqlfile.run(con, "report", name, {k: v for k, v in params.items() if k in used})
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
