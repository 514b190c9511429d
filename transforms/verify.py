"""`journalize verify`: audit an output database as an auditor would, without
trusting the run that wrote it. Each rule is a SQL file in ``sql/verify`` whose rows are its
findings (``sqlfile.faults``, the runner of every rule); no finding means the rule holds. Besides the rules the books must keep (balance,
numbers), the cross-checks recompute what can be derived from the books themselves: invoice
totals from their VAT rows and lines, entries and open items from invoices, the reconciliation
from the lines, the references from the master data each run recorded.

Books of an earlier version lack tables or columns of this one: a rule that reads what they lack
says "not checked" (with what is missing) instead of a finding. The master data a run records
(which earlier versions did not keep) reads as none when its tables are missing: the rules then leave out the parts
that need it, and say which runs they left out."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from transforms import persist, seal, sqlfile

CHECKS = {
    "entries_balance": "every entry balances; no negative debit or credit",
    "numbers_unique": "invoice numbers unique across the environment",
    "numbers_gapless": "numbers gapless per journal series (skips recorded with their reason)",
    "lines_once": "every invoiced line on exactly one invoice",
    "counters": "journal counters equal the highest number issued",
    "invoices_booked": "every journalised invoice has its entry and one open item",
    "lines_unique": "every line (source, line_id) once in billable_lines",
    "lines_read_once": "every line a run read from its files (source, row) once in "
                       "billable_lines",
    "invoice_totals": "invoice totals = Σ its VAT rows; each VAT row = Σ its lines, less discount, "
                      "VAT at its rate",
    "entry_vat": "entry lines per invoice and VAT code = the invoice's net + VAT; VAT on the "
                 "payable account",
    "open_item_amounts": "every open item = the debtor line of its invoice's entry",
    "entry_periods": "entries dated on their invoice date; fiscal year and period = the entry "
                     "date's",
    "settlements": "counter sales paid cash/pin/chip settled by their cash_sale entry, no others",
    "reconciliation": "each run's reconciliation closes; the latest run's agrees with "
                      "billable_lines",
    "master_references": "accounts, journals, debtors and VAT codes in the books are in the "
                         "run's master data",
    "drafts": "invoices awaiting post (run --no-journalize): drafts balance, nothing booked yet",
    "subscription_state": "every subscription item's billed_through is reached by an invoiced "
                          "line of the item on the invoice it names",
    "allocations": "allocation codes only on revenue lines of the books, one per axis",
    "deferrals": "deferred revenue: each invoice defers what its plan releases; each release "
                 "entry moves what its plan rows say, once, never before the invoice's month",
    "stock_entries": "every stock mutation booked once; its shares of the stock entry lines "
                     "balance per administration and add up to those lines",
    "intercompany_balance": "per pair of administrations and period, the RC balances of their "
                            "stock entries are equal and opposite",
    "sealed": "every posted row matches its seal; each administration's and journal's chain holds",
}
# the tables that make a database journalize's books (any version)
BOOKS_TABLES = ("runs", "billable_lines", "invoices", "journal_entries")
# the master data a run records beside its books (books of earlier versions lack these tables)
MASTER_DATA_TABLES = ("run_accounts", "run_journals", "run_debtors", "run_vat_codes")


class NotBooks(Exception):
    """The database is not (a version of) journalize's books; the message says why."""


@dataclass
class Audit:
    findings: dict[str, list[str]] = field(default_factory=dict)
    # a rule that could not run on these books, with the reason (books of an earlier version)
    unchecked: dict[str, str] = field(default_factory=dict)
    # what a rule left out, e.g. runs written before their master data was recorded
    notes: dict[str, str] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)
    skips: list[tuple[str, str, int]] = field(default_factory=list)
    seal: str | None = None  # the books' seal as recomputed from their rows (latest run)
    unsealed_runs: list[int] = field(default_factory=list)  # written before sealing

    @property
    def clean(self) -> bool:
        return not any(self.findings.values())


def books_fault(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """Why the database is not journalize's books, or None when it is."""
    tables = _tables(con)
    if not tables:
        return f"database {name} has no tables: it is not journalize's books (nothing to verify)"
    missing = [table for table in BOOKS_TABLES if table not in tables]
    if missing:
        return (f"database {name} is not journalize's books: it has no table "
                f"{', '.join(missing)}")
    return None


def _master_data_stand_ins(con: duckdb.DuckDBPyConnection) -> None:
    """Books of an earlier version: their runs recorded no master data (a temporary view with
    no rows stands in for each table it would be in)."""
    present = _tables(con)
    expected = persist.expected_columns()
    for table in MASTER_DATA_TABLES:
        if table in present:
            continue
        columns = ", ".join(f'NULL::{dtype} AS "{column}"'
                            for (name, column), dtype in expected.items() if name == table)
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{table}" AS SELECT {columns} WHERE false')


def audit(con: duckdb.DuckDBPyConnection, expected_seal: str | None = None) -> Audit:
    """Every rule of CHECKS; with expected_seal (kept outside the books), also that the books
    are the ones that seal was given for."""
    fault = books_fault(con, "")
    if fault:
        raise NotBooks(fault)
    _master_data_stand_ins(con)
    result = Audit()
    for name in CHECKS:
        if name == "sealed":
            sealed = seal.audit(con, expected_seal)
            result.findings[name] = sealed.findings
            result.unsealed_runs = sealed.unsealed_runs
            result.seal = sealed.run_seals[max(sealed.run_seals)] if sealed.run_seals else None
            continue
        try:
            result.findings[name] = sqlfile.faults(con, "verify", name)
        except (duckdb.CatalogException, duckdb.BinderException) as error:
            reason = str(error).strip().splitlines()[0]
            result.unchecked[name] = f"not checked: the books lack what it reads ({reason})"
            result.findings[name] = []
    unrecorded = con.execute(
        "SELECT count(*), string_agg(run_id::VARCHAR, ', ' ORDER BY run_id) FROM runs "
        "WHERE run_id NOT IN (SELECT run_id FROM run_journals)").fetchone()
    if unrecorded[0]:
        result.notes["master_references"] = (
            f"not checked for {unrecorded[0]} run(s) without recorded master data (written "
            f"by an earlier version): run {unrecorded[1]}")
    present = _tables(con)
    for table in ("runs", "invoices", "journal_entries", "billable_lines", "skipped_numbers"):
        result.figures[table] = sqlfile.count(con, table) if table in present else 0
    result.figures["awaiting_post"] = con.execute(
        "SELECT count(*) FROM invoices WHERE journalized IS NOT true").fetchone()[0]
    result.figures["entries"] = con.execute(
        "SELECT count(DISTINCT entry_id) FROM journal_entries").fetchone()[0]
    if "skipped_numbers" in present:  # (books of the first versions have none)
        result.skips = con.execute(
            "SELECT admin_id || '/' || journal_code, reason, count(*) FROM skipped_numbers "
            "GROUP BY ALL ORDER BY ALL").fetchall()
    return result


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_catalog = current_database()").fetchall()}
