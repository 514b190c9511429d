"""Where a run's stages keep what they make: the work database, one schema per stage.

A run's work connection attaches an in-memory database ``work`` with one schema per stage, in
the order the data flows (``STAGES``), and one per input: ``master`` (the master data, typed)
and ``books`` (the books as they were when the run started: a view of each output table).
Every SQL model names what it reads by qualified name (``map.mapped_lines``,
``master.debtors``, ``books.billable_lines``) and writes the table named after its file in its
own stage's schema; ``transforms.graph`` reads the models back and checks that a stage reads
only inputs and the outputs of stages up to its own.

The work connection's search path lists the books' own schema, then the same schemas, so that
the few queries Python makes of a stage's tables (counts, summaries) may name them unqualified
(no work table has the name of a book table).
"""

from __future__ import annotations

import duckdb

WORK = "work"
BOOKS = "journal"  # the name a run's connection gives the books (flows.books.connect)
INPUTS = ("master", "books")
# the stages that make tables, in the order the data flows (the run's stages of flows.stages:
# load configuration makes master, load lines makes ingest and validate), then `journalize
# post`, which books what a run --no-journalize left as drafts
STAGES = ("ingest", "validate", "map", "group", "number", "journalise", "reconcile", "persist",
          "post")
SCHEMAS = INPUTS + STAGES


def schema_sql(schema: str) -> str:
    """A schema's name as SQL (``group`` is a keyword, so every name is quoted)."""
    return f'"{schema}"'


def table_sql(schema: str, name: str) -> str:
    """A work table's qualified name as SQL."""
    return f'{WORK}.{schema_sql(schema)}."{name}"'


def open_work(con: duckdb.DuckDBPyConnection) -> None:
    """Attach the work database to a run's work connection, with its schemas and search path."""
    # (compressed like DuckDB's temp tables are when they spill: uncompressed, a 10M-line run
    # spilled more and took 234 s instead of 220 s)
    con.execute(f"ATTACH ':memory:' AS {WORK} (COMPRESS)")
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA {WORK}.{schema_sql(schema)}")
    books = con.execute("SELECT current_database()").fetchone()[0]
    # the books' own schema first: it stays the connection's current database (what
    # current_database() names), as it was before the work database was attached
    path = [f"{_quote_path(books)}.main", "temp.main"]
    path += [f"{WORK}.{schema}" for schema in reversed(SCHEMAS)]
    con.execute("SET search_path = $path", {"path": ",".join(path)})


def _quote_path(name: str) -> str:
    if name.isidentifier():
        return name
    return '"' + name.replace('"', '""') + '"'
