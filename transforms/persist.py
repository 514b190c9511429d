"""Stage 8, persist (SPEC §11), after each chunk's stages: the output tables, and the run's rows written into them.

A run works with two connections to the database (see ``flows.books``): the *work*
connection computes, in autocommit, so that every intermediate table is freed as soon as it is
replaced or dropped, and it reads the books as they were when the run started; the *books*
connection holds the run's one transaction, and all it does is write. Each ``sql/persist/<name>.sql``
selects rows on the work connection; they reach the books as the Arrow stream ``rows``, batch by
batch, so no copy of them is held in between.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from transforms import seal, sqlfile, workspace
from transforms.ingest import _quote

# written per administration (chunk) of the run …
CHUNK_TABLES = (
    "billable_lines",  # (after delete_replaced_lines)
    "invoices",
    "invoice_vat",
    "journal_entries",
    "entry_allocations",  # (the allocation codes of its lines; drafts carry them in a column)
    "open_items",
    "skipped_numbers",
    "changed_lines",
    "subscription_state",  # (how far the invoiced lines billed each subscription item)
    "deferral_schedule",  # (the release plan of the deferred revenue the run invoiced)
)
# a run --no-journalize keeps its entries and open items as drafts, for `journalize post`
DRAFTS = {"journal_entries": "draft_entries", "open_items": "draft_open_items"}
NOT_DRAFTED = ("entry_allocations",)  # (a draft entry line carries its codes: draft_entries)
# … and once, after the last
RUN_TABLES = (
    "rejected_lines",
    "run_reconciliation",
)
# Rows reach the books in Arrow batches of about BATCH_BYTES (at most BATCH_ROWS rows, a row
# group; fewer when the run's lines carry long text): a batch's size follows its bytes, not a row
# count, so that a month with tens of kilobytes of text per line does not hold gigabytes in one
# batch (the streams use 64-bit string offsets, so no batch meets Arrow's 2 GiB limit of a string
# column either). A batch of exactly a row group is also the cheapest to insert in storage order
# (measured: 1M lines in batches of 88,064 rows took 1–2 s longer to write than in 122,880).
BATCH_ROWS = 122_880
BATCH_BYTES = 128 * 2**20
ROW_BYTES = 512  # a row's bytes besides its free text (ids, amounts, dates, short text)


def create_output_tables(books: duckdb.DuckDBPyConnection) -> None:
    """The output tables, the columns added to them since a database was first written (NULL in
    old rows, so that books kept over years stay one database), and the views over them."""
    sqlfile.run_script(books, "persist", "schema")
    present = _columns(books)
    for (table, column), dtype in _expected_columns().items():
        if (table, column) not in present:
            books.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {dtype}')
    if _is_table(books, "invoice_lines"):  # (a copy of the invoiced lines, up to version 0.1)
        sqlfile.run_script(books, "persist", "upgrade_invoice_lines")
    sqlfile.run_script(books, "persist", "views")


def _is_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = $n "
        "AND table_type = 'BASE TABLE' AND table_schema = 'main' "
        "AND table_catalog = current_database()", {"n": name}).fetchone()[0] > 0


def books_as_they_were(work: duckdb.DuckDBPyConnection) -> None:
    """The books as committed before the run, as the views ``books.<table>`` of the work
    database (transforms.workspace), one per output table of this version: the table's rows,
    with NULL for a column it lacks, or no rows where the books lack the table (a first run, a
    database of an earlier version: the books connection adds what is missing in the run's
    transaction, which the work connection does not see)."""
    database = work.execute("SELECT current_database()").fetchone()[0]
    present = _columns(work)
    tables: dict[str, list[str]] = {}
    for (table, column), dtype in _expected_columns().items():
        value = f'"{column}"' if (table, column) in present else f"NULL::{dtype}"
        tables.setdefault(table, []).append(f'{value} AS "{column}"')
    have = {table for table, _ in present}
    for table, columns in tables.items():
        source = f"FROM {_quote(database)}.main.{_quote(table)}" if table in have else "WHERE false"
        work.execute(f"CREATE OR REPLACE VIEW {workspace.table_sql('books', table)} AS "
                     f"SELECT {', '.join(columns)} {source}")


def expected_columns() -> dict[tuple[str, str], str]:
    """(table, column) → type of every output table of this version."""
    return dict(_expected_columns())


@functools.cache
def _expected_columns() -> dict[tuple[str, str], str]:
    reference = duckdb.connect()
    sqlfile.run_script(reference, "persist", "schema")
    return _columns(reference)


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_catalog = current_database() "
        "ORDER BY table_name, ordinal_position"
    ).fetchall()
    return {(t, c): d for t, c, d in rows}


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]


def persist_chunk(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                  run_id: int, sealer: seal.RunSealer | None = None, *,
                  journalize: bool = True) -> None:
    """Write the lines, invoices and entries of the administration the run is at (the sealed
    rows hashed on their way, in the order the books store them); without journalize, the
    entries and open items as drafts (DRAFTS) that `journalize post` books later."""
    if work.execute("SELECT count(*) > 0 FROM books.billable_lines").fetchone()[0]:  # (before the run)
        with rows(books, work, "replaced_lines"):
            sqlfile.run(books, "persist", "delete_replaced_lines", {"run_id": run_id})
    batch = batch_rows(work)
    for table in CHUNK_TABLES:
        if not journalize and table in NOT_DRAFTED:
            continue
        _append(books, work, table if journalize else DRAFTS.get(table, table), run_id, sealer,
                batch)
    if journalize:  # (the releases of plans of earlier runs, sealed with them: their entry)
        with rows(books, work, "released_deferrals"):
            sqlfile.run(books, "persist", "release_deferrals")
    with rows(books, work, "journal_counters", whole=True):  # (read twice; one row per journal)
        sqlfile.run(books, "persist", "delete_moved_counters")
        _insert(books, "journal_counters", run_id)


def persist_run(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                run_id: int) -> None:
    """Write what belongs to the run as a whole: the quarantine and the reconciliation."""
    for table in RUN_TABLES:
        _append(books, work, table, run_id)


def batch_rows(work: duckdb.DuckDBPyConnection) -> int:
    """Rows per batch for the administration the run is at: the free text of its lines (a line's
    description and status reason; an invoice's and an entry's description are made of those),
    on average, decides, three times over for the text a row may carry besides. (The average,
    not the longest: a batch's bytes are the sum of its rows', and one long text among short
    ones does not make every row long.)"""
    text = work.execute(
        "SELECT coalesce(avg(strlen(coalesce(description, '')) "
        "+ strlen(coalesce(status_reason, ''))), 0) FROM "
        f"{workspace.table_sql('group', 'keyed_lines')}").fetchone()[0]
    return max(256, min(BATCH_ROWS, BATCH_BYTES // (ROW_BYTES + 3 * int(text))))


MASTER_DATA_TABLES = ("run_administrations", "run_accounts", "run_journals", "run_vat_codes")


def persist_master_data(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                        run_id: int) -> None:
    """Keep the master data the run used beside its books, keyed by run_id, so that verify can
    check every reference in them (and an export describe them): the administrations, accounts,
    journals and VAT codes (small tables, whole), and of the debtors (up to hundreds of thousands)
    only the ids and names of those the run's invoices name. Written
    after the run's invoices, in its transaction."""
    for table in MASTER_DATA_TABLES:
        _append(books, work, table, run_id)
    with rows(books, work, "run_debtors"):
        books.execute(
            "INSERT INTO run_debtors BY NAME SELECT $run_id AS run_id, debtor_id, name FROM rows "
            "WHERE debtor_id IN (SELECT debtor_id FROM invoices WHERE run_id = $run_id)",
            {"run_id": run_id})


@contextmanager
def rows(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, name: str, *,
         whole: bool = False, sealer: seal.RunSealer | None = None,
         batch: int = BATCH_ROWS, stage: str = "persist",
         params: dict[str, Any] | None = None, into: str | None = None) -> Iterator[None]:
    """What ``sql/<stage>/<name>.sql`` (persist's, or post's) selects on the work connection, as the relation ``rows``
    of the books connection: a stream read once, batch by batch (hashed on its way when the
    table is sealed), or (whole) a table in memory that a statement may read more than once."""
    work.complete()  # (a result of execute() left unread would hold the connection)
    # (64-bit string offsets while the rows stream: no batch meets Arrow's 2 GiB string limit)
    work.execute("SET arrow_large_buffer_size = true")
    sql = sqlfile.load(stage, name)
    bound = sqlfile.bound(stage, name, sql, params)
    relation = work.sql(sql, params=bound) if bound else work.sql(sql)
    source = relation.to_arrow_table() if whole else relation.to_arrow_reader(batch)
    if sealer is not None and not whole:
        source = sealer.stream(into or name, source)  # (into: the book table it goes to)
    books.register("rows", source)
    try:
        yield
    finally:
        books.unregister("rows")
        if not whole:
            source.close()  # (a statement need not read it all: a join with an empty table)
        work.execute("SET arrow_large_buffer_size = false")


def _append(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, table: str,
            run_id: int, sealer: seal.RunSealer | None = None, batch: int = BATCH_ROWS,
            query: str | None = None) -> None:
    """The rows of persist/<query>.sql (by default the table's own) into the book table."""
    with rows(books, work, query or table, sealer=sealer, batch=batch, into=table):
        _insert(books, table, run_id)


def _insert(books: duckdb.DuckDBPyConnection, table: str, run_id: int) -> None:
    spec = seal.BY_TABLE.get(table)
    if spec is None:
        books.execute(f'INSERT INTO "{table}" BY NAME SELECT *, $run_id AS run_id FROM rows',
                      {"run_id": run_id})
        return
    # a sealed table keeps its rows in the order they were hashed in (the setting is the
    # database's, so it is set back at once: the other statements need no order)
    was = books.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    books.execute("SET preserve_insertion_order = true")
    carried = (f" EXCLUDE ({seal.SEAL_ADMIN}, {seal.SEAL_JOURNAL})"
               if spec.carries_journal else "")
    try:
        books.execute(f'INSERT INTO "{table}" BY NAME SELECT *{carried}, $run_id AS run_id '
                      "FROM rows", {"run_id": run_id})
    finally:  # (the statements after it need no order, and are faster without)
        books.execute("SET preserve_insertion_order = $was", {"was": bool(was)})


# the stock step's rows (after every administration's, docs/stock.md): (book table, query)
STOCK_TABLES = (
    ("journal_entries", "stock_journal_entries"),
    ("stock_mutations", "stock_mutations"),
    ("stock_entry_lines", "stock_entry_lines"),
    ("changed_lines", "changed_stock_mutations"),
)


def persist_stock(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                  run_id: int, sealer: seal.RunSealer | None = None) -> None:
    """Write the stock entries, the mutations booked and their links (sealed as they go)."""
    for table, query in STOCK_TABLES:
        _append(books, work, table, run_id, sealer, query=query)
