"""The stages of a month-end run, in order (STAGES): each a function of the work connection and
the run's parameters; the stages from map on also of the chunk (Chunk) the run is at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.books import RunFailed
from flows.parameters import RunParameters
from schemas import LINE_SCHEMAS, MASTER_SCHEMAS, REQUIRED_MASTER_TABLES
from transforms import (
    configuration,
    group,
    ingest,
    journalise,
    number,
    reconcile,
    sqlfile,
    stock,
    subscriptions,
    validate,
    workspace,
)
from transforms import map as mapping
from transforms.faults import USAGE
from transforms.ingest import escaped
from transforms.validate import ConfigurationError

Stage = Callable[[duckdb.DuckDBPyConnection, RunParameters], None]


def load_configuration(con: duckdb.DuckDBPyConnection, params: RunParameters) -> None:
    files = ingest.find_tables(params.input_dir)
    _input_files(con, files)
    validate.load_master(con, files, MASTER_SCHEMAS, REQUIRED_MASTER_TABLES)
    faults = configuration.configuration_faults(con)
    if faults:
        raise ConfigurationError(faults)
    _refuse_unknown_admin(con, params.admin)


def _refuse_unknown_admin(con: duckdb.DuckDBPyConnection, admin: str | None) -> None:
    """--admin names an administration of master/administrations: one that is not would leave
    every line excluded and the run would invoice nothing without a word."""
    if admin is None:
        return
    known = [a for (a,) in con.execute(
        "SELECT admin_id FROM master.administrations ORDER BY 1").fetchall()]
    if admin not in known:
        raise ConfigurationError([
            f"--admin {escaped(admin)}: there is no such administration in "
            f"master/administrations (there are: {', '.join(map(escaped, known)) or 'none'})"],
            kind=USAGE)


def load_lines(con: duckdb.DuckDBPyConnection, params: RunParameters) -> None:
    files = ingest.find_tables(params.input_dir)
    validate.load_lines(con, files, LINE_SCHEMAS)
    # (`journalize check` needs only whether each item has a line: its first period)
    _finish_loading(con, files, params.batch_rows, reference_date=params.reference_date,
                    at_most=1 if params.command == "check" else None)
    _warn_without_line_files(con, params.input_dir, files)
    stock.check_mutations(con, params.reference_date)  # (the configuration they need)


# An input without any line file runs an empty month: allowed (a month without sales), but more
# often a wrong --input or a lines/ folder not filled yet, so the run says so in a notice that is
# a warning (WARNINGS: the CLI says them on stderr as well)
NO_LINES_FOLDER = "the input has no lines/ folder: no line was read, the run invoices nothing"
NO_LINE_FILE = (f"lines/ holds no line file ({', '.join(LINE_SCHEMAS)}; .csv or .parquet): no "
                "line was read, the run invoices nothing")
WARNINGS = (NO_LINES_FOLDER, NO_LINE_FILE)


def _warn_without_line_files(con: duckdb.DuckDBPyConnection, input_dir: Path,
                             files: dict[str, ingest.TableFile]) -> None:
    if any(table_file.folder == "lines" for table_file in files.values()):
        return
    notice = NO_LINE_FILE if (Path(input_dir) / "lines").is_dir() else NO_LINES_FOLDER
    con.execute("INSERT INTO run_notices VALUES ($m)", {"m": notice})


def _finish_loading(con: duckdb.DuckDBPyConnection, files: dict | None = None,
                    batch_rows: int = validate.BATCH_ROWS, *,
                    reference_date: dt.date | None = None, at_most: int | None = None) -> None:
    """The subscription lines due up to reference_date are generated from the subscription
    items (None: none, as in a resume); the lines are read, cast and staged in one shape (one
    pass over the files, the generated lines with them); the faults of
    the rows that break a column check are named; what was read is counted for the
    reconciliation; the raw tables and typed views then go, and the rules across rows and tables
    are applied to the staged lines."""
    subscriptions.generate_lines(con, reference_date=reference_date, at_most=at_most)
    validate.stage_lines(con)
    if files:
        validate.validate_suspects(con, files, LINE_SCHEMAS, batch_rows)
    sqlfile.build(con, "validate", "lines_read")
    raw = [ingest.raw_table_name(table) for table in LINE_SCHEMAS]
    _drop(con, [f"typed_{table}" for table in LINE_SCHEMAS]
          + raw + [f"{name}_file" for name in raw])  # (a file view under a raw view)
    stock.load_mutations(con, files or {}, batch_rows)  # (no files, as in a resume: none)
    validate.check_staged_lines(con)


def _drop(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Intermediate tables no later stage reads: dropped so that a big run fits its memory."""
    for table in tables:
        ingest.drop(con, table)


def _input_files(con: duckdb.DuckDBPyConnection, files: dict) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('ingest', 'input_files')} "
                '("table" VARCHAR, display VARCHAR)')
    rows = [(t.table, t.display) for t in files.values()]
    if rows:
        con.executemany("INSERT INTO input_files VALUES (?, ?)", rows)


@dataclass
class Chunk:
    """The part of the lines the per-chunk stages are at: one administration, or every line; and
    the last entry id the run has given so far (None: the books', before the run)."""

    admin: str | None = None
    every: bool = True
    entry_base: int | None = None


def map_lines(con: duckdb.DuckDBPyConnection, params: RunParameters,
              chunk: Chunk | None = None) -> None:
    """Map the lines (a view; group keys those of the administration the run is at)."""
    mapping.map_lines(
        con,
        reference_date=params.reference_date,
        admin=params.admin,
        sources=params.sources,
        include_credit_lines=params.include_credit_lines,
    )
    if params.strict:
        _refuse_rejections(con)


def _refuse_rejections(con: duckdb.DuckDBPyConnection, shown: int = 20) -> None:
    """--strict: any rejected line fails the run (nothing written), listing the rejections."""
    total = con.execute("SELECT count(*) FROM line_rejections").fetchone()[0]
    if not total:
        return
    messages = [r[0] for r in con.execute(
        f'SELECT message FROM line_rejections ORDER BY "table", row_number LIMIT {shown}'
    ).fetchall()]
    more = [f"… and {total - shown} more"] if total > shown else []
    raise RunFailed([f"--strict: {total:,} fault(s) in the lines; nothing written", *messages,
                     *more], headed=True)


def group_lines(con: duckdb.DuckDBPyConnection, params: RunParameters,
                chunk: Chunk | None = None) -> None:
    """Key the lines the run mapped (map's view, made a table here: the run's one wide table),
    check them as a whole, then draft the invoices."""
    key_and_check_lines(con, params, chunk)
    group.group_lines(con, invoice_date=params.invoice_date)


def key_and_check_lines(con: duckdb.DuckDBPyConnection, params: RunParameters,
                        chunk: Chunk | None = None) -> None:
    """Each mapped line with the invoice it goes on (group.keyed_lines), and the configuration
    rules over the lines (LineFaults: a configuration error, `journalize check` runs them too)."""
    chunk = chunk or Chunk()
    group.key_lines(con, chunk_admin=chunk.admin, every=chunk.every)
    configuration.line_faults(con, params.reference_date, params.sources,
                              chunk_admin=chunk.admin, every=chunk.every)
    # row numbers are given: from here on no statement depends on the order rows are stored in
    con.execute("SET preserve_insertion_order = false")


def number_invoices(con: duckdb.DuckDBPyConnection, params: RunParameters,
                    chunk: Chunk | None = None) -> None:
    number.number_invoices(con, journalize=params.journalize)
    _drop(con, ["draft_invoices", "draft_invoice_vat"])


def journalise_invoices(con: duckdb.DuckDBPyConnection, params: RunParameters,
                        chunk: Chunk | None = None) -> None:
    chunk = chunk or Chunk()
    base = journalise.entry_base(con) if chunk.entry_base is None else chunk.entry_base
    chunk.entry_base = journalise.journalise(con, entry_base=base, journalize=params.journalize,
                                             chunk_admin=chunk.admin, every=chunk.every)


def reconcile_lines(con: duckdb.DuckDBPyConnection, params: RunParameters,
                    chunk: Chunk | None = None) -> None:
    reconcile.reconcile(con)


STAGES: tuple[tuple[str, Stage], ...] = (
    ("load configuration", load_configuration),
    ("load lines", load_lines),
    ("map", map_lines),
    ("group", group_lines),
    ("number", number_invoices),
    ("journalise", journalise_invoices),
    ("reconcile", reconcile_lines),
)


def journalise_stock(con: duckdb.DuckDBPyConnection, params: RunParameters,
                     chunk: Chunk | None = None) -> None:
    """The stock step (transforms/stock.py), once after every administration's stages: the
    mutations' entries numbered on from the run's last entry id (chunk.entry_base)."""
    chunk = chunk or Chunk()
    base = journalise.entry_base(con) if chunk.entry_base is None else chunk.entry_base
    chunk.entry_base = stock.journalise_stock(
        con, entry_base=base, reference_date=params.reference_date, admin=params.admin,
        every_source=set(params.sources) == set(LINE_SCHEMAS), journalize=params.journalize)


# after the per-chunk stages, once (flows/pipeline.py), before persist's stock rows and close
STOCK_STAGE: tuple[str, Stage] = ("stock", journalise_stock)
