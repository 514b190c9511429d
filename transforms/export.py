"""`journalize export` (SPEC §12): the books as they leave the database, computed by DuckDB on a
read-only connection to them (``flows.export`` opens it and writes the files).

Three formats, each checked on the way out:

- **Parquet**: journal entries (with their allocation codes), invoices, invoice VAT, open items
  and billable lines, one SELECT each (``sql/export/parquet_<table>.sql``), partitioned by
  administration, fiscal year and period.
- **FiEntries**, AFAS Profit's UpdateConnector for journal entries ("boekingen"; the OpenAPI
  description is AFASSoftware/OASContent ``OpenApiSpecs/profit/en/Mutaties.json``, schema
  ``FiEntries_POST``): one JSON message per entry (``sql/export/fientries_messages.sql``), after
  Profit's field limits (``fientries_field_limits.sql``: one fault per offending value). An entry
  of more than ``MAX_ENTRY_LINES`` lines goes in balanced parts.
- **XAF** (XML Auditfile Financieel, 3.2 and 4.0) per administration and fiscal year: the master
  data and the transactions of one journal at a time, the transactions rendered as XML text by
  DuckDB (``xaf_transactions.sql``), after the checks the 3.2 XSD's key/keyref constraints would
  have made (``xaf_faults.sql``).

The selection is an administration, a fiscal year and a period, each None for all. Every query
names the books' tables unqualified, as ``journalize verify``'s rules do: the export reads the
books alone, on their own connection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from transforms import sqlfile
from transforms.faults import Failure

FORMATS = ("parquet", "fientries", "xaf")
XAF_VERSIONS = ("4.0", "3.2")
PARQUET_TABLES = ("journal_entries", "invoices", "invoice_vat", "open_items", "billable_lines")
PARTITION_COLUMNS = ("admin_id", "fiscal_year", "period")
# AFAS advises at most 1,000 lines per entry (FiEntries): larger ones go in balanced parts
MAX_ENTRY_LINES = 1000
FIENTRIES_AXES = 5  # Profit's allocation axes: DiC1..DiC5
# FiEntries messages and XAF transactions are made for this many entry ids at a time: the working
# set of one query stays that of a chunk, whatever the size of the export. (100,000 ran out of a
# 1 GB bound at 10M lines once the lines carried allocation codes: a chunk's messages are
# ordered aggregates of ~600,000 lines; 25,000 peaked at 0.86 GiB at the same speed per line)
ENTRY_CHUNK = 25_000
# the text an XAF file's header says of its content (softwareDesc has room for 50 characters)
XAF_SOFTWARE_DESC = "journalize: only the entries journalize wrote"


class ExportFailure(Failure):
    """An export that cannot be written as the books are (exit 3): nothing was written."""


@dataclass(frozen=True)
class Selection:
    admin: str | None = None
    year: int | None = None
    period: int | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {"admin": self.admin, "year": self.year, "period": self.period}

    def describe(self) -> str:
        parts = [f"administration {self.admin}" if self.admin else "every administration"]
        if self.year is not None:
            parts.append(f"{self.year}" + (f" period {self.period}" if self.period else ""))
        return ", ".join(parts)


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """The macros the export's queries use (temporary: the books stay read-only)."""
    con.execute("SET enable_progress_bar = false")
    sqlfile.run_script(con, "common", "macros")
    sqlfile.run_script(con, "common", "export_macros")


def administrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The administrations the books have entries or invoices of."""
    return [r[0] for r in con.execute(
        "SELECT admin_id FROM journal_entries UNION SELECT admin_id FROM invoices "
        "ORDER BY 1").fetchall()]


def entry_ranges(con: duckdb.DuckDBPyConnection, selection: Selection,
                 journal: str | None = None) -> list[tuple[int, int]]:
    """The selection's entry ids (of one journal) in chunks of ENTRY_CHUNK ids, as (first,
    last): entry ids grow with the books, so a period's are close together."""
    first, last = con.execute(
        "SELECT min(entry_id), max(entry_id) FROM export_entries($admin, $year, $period) "
        "WHERE $journal IS NULL OR journal_code = $journal",
        {**selection.params, "journal": journal}).fetchall()[0]
    if first is None:
        return []
    return [(lo, min(lo + ENTRY_CHUNK - 1, last)) for lo in range(first, last + 1, ENTRY_CHUNK)]


# --- Parquet -------------------------------------------------------------------------------------


def parquet_query(table: str, selection: Selection) -> tuple[str, dict[str, Any]]:
    """The SELECT of the rows of ``table`` that the selection exports (with its partition
    columns), and its parameters."""
    name = f"parquet_{table}"
    sql = sqlfile.load("export", name)
    return sql, sqlfile.bound("export", name, sql, selection.params)


# --- FiEntries -----------------------------------------------------------------------------------


def fientries_prepare(con: duckdb.DuckDBPyConnection, selection: Selection,
                      unit_ids: dict[str, int]) -> list[str]:
    """Profit's faults with the selection's entries (none: []), after which the messages can be
    made: each administration's number in Profit (UnId, an integer: the administration id when it
    is one, else ``unit_ids``), every value within its field's limit, at most five allocation
    axes, and a balanced split of every entry of more than MAX_ENTRY_LINES lines. Leaves the temp
    tables fientries_messages.sql reads."""
    faults = []
    admins = [r[0] for r in con.execute(
        "SELECT DISTINCT admin_id FROM export_entries($admin, $year, $period) ORDER BY 1",
        selection.params).fetchall()]
    units = {}
    for admin in admins:
        if admin in unit_ids:
            units[admin] = unit_ids[admin]
        elif re.fullmatch(r"[0-9]{1,9}", admin):
            units[admin] = int(admin)
        else:
            faults.append(f"administration {admin!r}: Profit's administration (FiEntryPar UnId) "
                          f"is a number; give it with --unit-id {admin}=<number>")
    con.execute("CREATE OR REPLACE TEMP TABLE export_units AS SELECT unnest($a::VARCHAR[]) AS "
                "admin_id, unnest($u::BIGINT[]) AS unit_id",
                {"a": list(units), "u": list(units.values())})
    axes = [r[0] for r in con.execute(
        "SELECT DISTINCT axis FROM entry_allocations ORDER BY 1").fetchall()]
    if len(axes) > FIENTRIES_AXES:
        faults.append(f"the books have {len(axes)} allocation axes ({', '.join(axes)}); Profit "
                      f"has room for {FIENTRIES_AXES} (DiC1..DiC{FIENTRIES_AXES})")
    con.execute("CREATE OR REPLACE TEMP TABLE export_axes AS SELECT unnest($x::VARCHAR[]) AS "
                "axis, generate_subscripts($x::VARCHAR[], 1) AS axis_number", {"x": axes})
    faults += sqlfile.faults(con, "export", "fientries_field_limits", selection.params)
    parts: dict[str, list] = {"entry_id": [], "line_no": [], "part": []}
    rows = sqlfile.run(con, "export", "fientries_large_entries", selection.params).fetchall()
    for entry_id, lines in _by_entry(rows):
        split = balanced_parts([amount for _, amount in lines])
        if split is None:
            faults.append(f"entry {entry_id} has {len(lines):,} lines and no split into balanced "
                          f"parts of at most {MAX_ENTRY_LINES:,} lines: Profit cannot take it")
            continue
        parts["entry_id"] += [entry_id] * len(lines)
        parts["line_no"] += [line_no for line_no, _ in lines]
        parts["part"] += split
    con.execute("CREATE OR REPLACE TEMP TABLE export_parts AS SELECT unnest($e::BIGINT[]) AS "
                "entry_id, unnest($l::INTEGER[]) AS line_no, unnest($p::INTEGER[]) AS part",
                {"e": parts["entry_id"], "l": parts["line_no"], "p": parts["part"]})
    return faults


def _by_entry(rows: list[tuple]) -> list[tuple[int, list[tuple[int, Decimal]]]]:
    grouped: dict[int, list[tuple[int, Decimal]]] = {}
    for entry_id, line_no, amount in rows:
        grouped.setdefault(entry_id, []).append((line_no, amount))
    return list(grouped.items())


def balanced_parts(amounts: list[Decimal], limit: int = MAX_ENTRY_LINES) -> list[int] | None:
    """The part (1, 2, …) of each line of a balanced entry (signed amounts, in line order) when
    it is cut where the lines so far balance, as few parts as that allows, each at most ``limit``
    lines; None when no such cut exists. (For the rare large entry without one debtor line: one
    with a debtor line is split in SQL, fientries_messages.sql.)"""
    cuts, running = [], Decimal(0)
    for index, amount in enumerate(amounts, 1):
        running += amount
        if running == 0:
            cuts.append(index)
    if not cuts or cuts[-1] != len(amounts):
        return None  # (an unbalanced entry: verify's finding, not the export's to split)
    ends, start, best = [], 0, None
    for cut in cuts:
        if cut - start > limit:
            if best is None:
                return None
            ends.append(best)
            start, best = best, None
            if cut - start > limit:
                return None
        best = cut
    ends.append(best)
    parts, begin = [], 0
    for number, end in enumerate(ends, 1):
        parts += [number] * (end - begin)
        begin = end
    return parts


def fientries_messages(con: duckdb.DuckDBPyConnection, selection: Selection, first: int,
                       last: int) -> duckdb.DuckDBPyRelation:
    """One row per message (admin_id, fiscal_year, period, entry_id, part, lines, message) of
    the entries first..last, in administration, period and entry order (after
    fientries_prepare)."""
    params = {**selection.params, "first_entry": first, "last_entry": last}
    sql = sqlfile.load("export", "fientries_messages")
    return con.sql(sql, params=sqlfile.bound("export", "fientries_messages", sql, params))


# --- XAF -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XafFile:
    """One audit file: an administration's fiscal year (or one period of it)."""

    admin_id: str
    fiscal_year: int
    period: int | None
    company_name: str | None
    country: str | None
    currency: str | None
    lines: int
    transactions: int
    total_debit: Decimal
    total_credit: Decimal

    @property
    def selection(self) -> Selection:
        return Selection(self.admin_id, self.fiscal_year, self.period)


def xaf_files(con: duckdb.DuckDBPyConnection, selection: Selection) -> list[XafFile]:
    rows = sqlfile.run(con, "export", "xaf_files", selection.params).fetchall()
    return [XafFile(admin, year, selection.period, name, country, currency, lines, transactions,
                    debit, credit)
            for admin, year, name, country, currency, lines, transactions, debit, credit in rows]


def xaf_faults(con: duckdb.DuckDBPyConnection, file: XafFile, version: str) -> list[str]:
    """What keeps the file from being a complete, consistent audit file (none: [])."""
    where = f"XAF {version} of {file.admin_id} {file.fiscal_year}"
    faults = []
    if not file.company_name:
        faults.append(f"administration {file.admin_id!r}: the books recorded no name for it "
                      "(books of an earlier version: a run records it)")
    if not (file.country and re.fullmatch(r"[A-Z]{2}", file.country)):
        faults.append(f"administration {file.admin_id!r}: no two-letter country recorded "
                      f"({file.country!r})")
    if not (file.currency and re.fullmatch(r"[A-Z]{3}", file.currency)):
        faults.append(f"administration {file.admin_id!r}: no three-letter currency recorded "
                      f"({file.currency!r})")
    faults += sqlfile.faults(con, "export", "xaf_faults",
                             {**file.selection.params, "v32": version == "3.2"})
    return [f"{where}: {fault}" for fault in faults]


def xaf_master_data(con: duckdb.DuckDBPyConnection, file: XafFile) -> dict[str, list[tuple]]:
    """The file's declarations: accounts, VAT codes, customers and journals (small tables)."""
    params = file.selection.params
    return {
        "accounts": sqlfile.run(con, "export", "xaf_accounts", {"admin": params["admin"]})
        .fetchall(),
        "vat_codes": sqlfile.run(con, "export", "xaf_vat_codes", {"admin": params["admin"]})
        .fetchall(),
        "customers": sqlfile.run(con, "export", "xaf_customers", params).fetchall(),
        "journals": sqlfile.run(con, "export", "xaf_journals", params).fetchall(),
    }


def xaf_transactions(con: duckdb.DuckDBPyConnection, file: XafFile, journal: str,
                     version: str, first: int, last: int) -> duckdb.DuckDBPyRelation:
    """One journal's transactions of the file among the entries first..last, each as its XML
    text (entry_id, lines, debit, credit, xml), in entry order."""
    params = {**file.selection.params, "journal": journal, "v32": version == "3.2",
              "first_entry": first, "last_entry": last}
    sql = sqlfile.load("export", "xaf_transactions")
    return con.sql(sql, params=sqlfile.bound("export", "xaf_transactions", sql, params))
