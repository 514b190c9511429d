"""The month-end run as plain Python: ingest → validate → map → group → number → journalise →
persist, the books written in one DuckDB transaction. The CLI calls this directly; ``flows.month_end`` wraps the
same stages as Prefect tasks.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows import provenance, storage
from flows.parameters import LAST_RUN_DATE, RunParameters, parse_memory_limit
from schemas import LINE_SCHEMAS, MASTER_SCHEMAS, REQUIRED_MASTER_TABLES
from schemas.columns import sql_type
from schemas.lines import SOURCES
from transforms import (
    coda,
    configuration,
    group,
    ingest,
    journalise,
    number,
    persist,
    reconcile,
    seal,
    sqlfile,
    validate,
    workspace,
)
from transforms import map as mapping
from transforms.faults import Failure
from transforms.validate import ConfigurationError

log = logging.getLogger("journalize")


class RunFailed(Failure):
    """A run that stopped; nothing was written. Carries the messages to show."""


@dataclass
class RunResult:
    run_id: int | None
    db_path: Path
    params: RunParameters
    counts: dict[str, int] = field(default_factory=dict)
    invoices_by_journal: list[tuple] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    open_reasons: list[tuple[str, int]] = field(default_factory=list)
    skipped_numbers: list[tuple] = field(default_factory=list)
    pro_forma: list[tuple] = field(default_factory=list)
    reconciliation: list[tuple] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    changed: list[tuple] = field(default_factory=list)
    seal: str | None = None  # the books' seal after the run (keep it elsewhere: verify --seal)
    seal_seconds: dict[str, float] = field(default_factory=dict)  # what sealing cost (bench)


Stage = Callable[[duckdb.DuckDBPyConnection, RunParameters], None]


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # the books under one name whatever the file is called (a file named after a stage's
        # schema, books.duckdb or map.duckdb, would make `books.x` ambiguous): attached as
        # workspace.BOOKS to an in-memory connection, and made its default database
        con = duckdb.connect()
        con.execute(f"ATTACH $path AS {workspace.BOOKS}", {"path": str(db_path)})
        con.execute(f"USE {workspace.BOOKS}")
    except duckdb.IOException as error:
        text = str(error)
        if "lock" in text.lower():
            holder = re.search(r"PID (\d+)", text)
            by = f" (process {holder.group(1)})" if holder else ""
            raise RunFailed([
                f"database {db_path} is in use by another process{by}: another journalize run, or "
                "a session that has it open; nothing was done, try again when it has finished"
            ]) from error
        raise RunFailed([f"database {db_path} cannot be opened: {text.splitlines()[0]}"]) from error
    # a batch job: DuckDB's own bar (drawn on stdout for a statement of over 2 s, such as a big
    # run's inserts or commit) would be mixed into the output that scripts read
    con.execute("SET enable_progress_bar = false")
    return con


def prepare_session(con: duckdb.DuckDBPyConnection, memory_limit: str | None = None) -> None:
    """What a connection that computes a run needs: DuckDB's memory bound (beyond it, DuckDB
    spills to its temp directory instead of growing; checked by RunParameters and bound as a
    parameter), macros and functions, and the books as they were before the run."""
    con.execute("SET enable_progress_bar = false")  # a batch job: no bar in its output
    if memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": parse_memory_limit(memory_limit)})
    workspace.open_work(con)
    persist.books_as_they_were(con)
    sqlfile.run_script(con, "common", "macros")
    coda.register(con)


# --- the stages, in order -------------------------------------------------------------------------


def load_configuration(con: duckdb.DuckDBPyConnection, params: RunParameters) -> None:
    files = ingest.find_tables(params.input_dir)
    _input_files(con, files)
    validate.load_master(con, files, MASTER_SCHEMAS, REQUIRED_MASTER_TABLES)
    faults = configuration.configuration_faults(con)
    if faults:
        raise ConfigurationError(faults)


def load_lines(con: duckdb.DuckDBPyConnection, params: RunParameters) -> None:
    files = ingest.find_tables(params.input_dir)
    validate.load_lines(con, files, LINE_SCHEMAS)
    _finish_loading(con, files, params.batch_rows)


def _finish_loading(con: duckdb.DuckDBPyConnection, files: dict | None = None,
                    batch_rows: int = validate.BATCH_ROWS) -> None:
    """The lines are read, cast and staged in one shape (one pass over the files); the faults of
    the rows that break a column check are named; what was read is counted for the
    reconciliation; the raw tables and typed views then go, and the rules across rows and tables
    are applied to the staged lines."""
    validate.stage_lines(con)
    if files:
        validate.validate_suspects(con, files, LINE_SCHEMAS, batch_rows)
    sqlfile.build(con, "validate", "lines_read")
    raw = [ingest.raw_table_name(table) for table in LINE_SCHEMAS]
    _drop(con, [f"typed_{table}" for table in LINE_SCHEMAS]
          + raw + [f"{name}_file" for name in raw])  # (a file view under a raw view)
    validate.check_staged_lines(con)


def _drop(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Intermediate tables no later stage reads: dropped so that a big run fits its memory."""
    for table in tables:
        ingest.drop(con, table)


@dataclass
class Chunk:
    """The part of the lines the per-chunk stages are at: one administration, or every line; and
    the last entry id the run has given so far (None: the books', before the run)."""

    admin: str | None = None
    every: bool = True
    entry_base: int | None = None


def map_lines(con: duckdb.DuckDBPyConnection, params: RunParameters,
              chunk: Chunk | None = None) -> None:
    """Map the lines of the administration the run is at (see run_month_end)."""
    chunk = chunk or Chunk()
    mapping.map_lines(
        con,
        reference_date=params.reference_date,
        admin=params.admin,
        sources=params.sources,
        include_credit_lines=params.include_credit_lines,
        chunk_admin=chunk.admin,
        every=chunk.every,
    )
    configuration.line_faults(con, params.reference_date, params.sources,
                              chunk_admin=chunk.admin, every=chunk.every)
    if params.strict:
        _refuse_rejections(con)
    # row numbers are given: from here on no statement depends on the order rows are stored in
    con.execute("SET preserve_insertion_order = false")


def _refuse_rejections(con: duckdb.DuckDBPyConnection, shown: int = 20) -> None:
    """--strict: any rejected line fails the run (nothing written), listing the rejections."""
    total = con.execute("SELECT count(*) FROM line_rejections").fetchone()[0]
    if not total:
        return
    messages = [r[0] for r in con.execute(
        f'SELECT message FROM line_rejections ORDER BY "table", row_number LIMIT {shown}'
    ).fetchall()]
    more = [f"… and {total - shown} more"] if total > shown else []
    raise RunFailed([f"--strict: {total} fault(s) in the lines; nothing written", *messages, *more])


def group_lines(con: duckdb.DuckDBPyConnection, params: RunParameters,
                chunk: Chunk | None = None) -> None:
    group.group_lines(con, invoice_date=params.invoice_date)


def number_invoices(con: duckdb.DuckDBPyConnection, params: RunParameters,
                    chunk: Chunk | None = None) -> None:
    number.number_invoices(con, journalize=params.journalize)
    _drop(con, ["draft_invoices", "draft_invoice_vat"])


def journalise_invoices(con: duckdb.DuckDBPyConnection, params: RunParameters,
                        chunk: Chunk | None = None) -> None:
    chunk = chunk or Chunk()
    base = journalise.entry_base(con) if chunk.entry_base is None else chunk.entry_base
    chunk.entry_base = journalise.journalise(con, entry_base=base)


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


def run_month_end(
    params: RunParameters,
    *,
    runner: Callable[[str, Stage, duckdb.DuckDBPyConnection, RunParameters], None] | None = None,
    progress: Callable[[str], None] | None = None,
    stages: tuple[tuple[str, Stage], ...] = STAGES,
) -> RunResult:
    """One month-end run. `runner` lets the Prefect flow wrap each stage as a task.

    The lines are read and checked once; from map on, a run of params.chunk_lines lines or more
    runs the stages once per administration (a chunk; lines without a known administration
    last), each chunk's results written before the next is mapped. Administrations share no
    invoice, counter or entry, and the chunks go in administration order, so the result is the
    one a single pass would give (entry ids are numbered in administration order either way),
    while the working sets follow the largest administration rather than the whole month."""
    runner = runner or (lambda name, stage, con, p: stage(con, p))
    if not params.pro_forma:  # (refused before the books are opened or a line is read)
        provenance.authorise(params.input_dir, params.command, params.admin)
    with _connections(params.db_path, commit=not params.pro_forma,
                      memory_limit=params.memory_limit, input_dir=params.input_dir) as (books, con):
        # the input files' sizes and SHA-256, in a thread while the run reads them (resume reads
        # its lines from the books: only the master data)
        inputs = None if params.pro_forma else provenance.InputHashes(
            params.input_dir, ("master",) if params.command == "resume" else ("master", "lines"),
        ).start()
        run_id = persist.next_run_id(con)
        sealer = seal.RunSealer(run_id)
        started = dt.datetime.now()
        stages = stages[:4] if params.pro_forma else stages
        once, per_chunk = stages[:2], stages[2:]
        for name, stage in once:
            _run_stage(name, stage, con, params, runner, progress)
        chunks = _chunks(con) if _lines_read(con) >= params.chunk_lines else [EVERY]
        faults: configuration.LineFaults | None = None
        pro_forma_rows: list[tuple] = []
        chunk = Chunk()
        for index, admin in enumerate(chunks):
            chunk.admin, chunk.every = (None, True) if admin == EVERY else (admin, False)
            label = (f" ({admin or 'no administration'}, {index + 1}/{len(chunks)})"
                     if len(chunks) > 1 else "")
            for name, stage in per_chunk:
                try:
                    _run_stage(name, functools.partial(stage, chunk=chunk), con, params, runner,
                               progress, label)
                except configuration.LineFaults as found:  # gather every administration's
                    faults = found if faults is None else faults.merged(found)
                if faults:  # a run that will fail maps the other administrations for their faults
                    break
            if faults:
                continue
            if params.pro_forma:
                pro_forma_rows.extend(_pro_forma(con))
                continue
            hold_point("persist")
            if progress:
                progress(f"persist{label}")
            persist.persist_chunk(books, con, run_id, sealer)
        if faults:
            raise faults
        if params.pro_forma:
            return RunResult(None, params.db_path, params, pro_forma=pro_forma_rows)
        if progress:
            progress("close")  # reconciliation, quarantine, the run's record
        reconcile.close(con)
        persist.persist_run(books, con, run_id)
        persist.persist_master_data(books, con, run_id)
        _drop(con, ["staged_lines"])
        _record_run(books, con, run_id, params, started, inputs.result(), sealer.close(books))
        result = summarise(books, con, run_id, params)
        result.seal_seconds = {"hashing (CPU, its own thread)": sealer.hash_seconds,
                               "waiting for it and writing the seal": sealer.close_seconds}
        hold_point("commit")
        return result


def _run_stage(name, stage, con, params, runner, progress, label: str = "") -> None:
    hold_point(name)
    if progress:
        progress(f"{name}{label}")
    log.info("stage %s%s", name, label)
    runner(name, stage, con, params)


SHOWN_REJECTIONS = 20  # rejection messages a run's result carries (all are in rejected_lines)
EVERY = "*every administration*"  # the chunk of a run that goes over all lines at once


def _lines_read(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(sum(lines_read), 0) FROM lines_read").fetchone()[0]


def _chunks(con: duckdb.DuckDBPyConnection) -> list[str | None]:
    """The administrations of the run's lines, in order, lines without one (rejected) last."""
    admins = con.execute(
        "SELECT DISTINCT admin_id FROM staged_lines ORDER BY admin_id NULLS LAST").fetchall()
    return [a for (a,) in admins] or [None]


# Fault injection for the crash and concurrency tests: None in every installed journalize. A test
# that needs to stop a run at a stage boundary installs a hook here in its own process
# (tests/fault_injection.py); no environment variable or option of the CLI reaches it.
HOLD: Callable[[str], None] | None = None


def hold_point(name: str) -> None:
    """A stage boundary (a stage's name, "persist" or "commit") where a test's hook may hold."""
    if HOLD is not None:
        HOLD(name)


@contextmanager
def _connections(db_path: Path, *, commit: bool = True, memory_limit: str | None = None,
                 input_dir: Path | None = None):
    """A run's two connections to its database: the books, in one transaction that commits whole
    or not at all (pro forma never commits), and the work connection that computes, in autocommit
    (its intermediate tables are freed as soon as they are replaced or dropped, which inside a
    transaction they would be only at its end), seeing the books as they were before the run.

    A first run builds its books under a hidden name and renames them at the end, so that a run
    killed at any moment leaves no database; files are private (flows.storage); DuckDB may
    reach only the input folder, the books' folder and its temp folder."""
    db_path = Path(db_path)
    with storage.private_files():
        db_path.parent.mkdir(parents=True, exist_ok=True)
        storage.remove_stale_partials(db_path)
        existed = db_path.exists()
        path = db_path if existed else storage.partial_path(db_path)
        books = connect(path)
        work = None
        try:
            storage.confine(books, path, *([input_dir] if input_dir else []))
            books.execute("BEGIN TRANSACTION")
            persist.create_output_tables(books)
            work = books.cursor()
            work.execute(f"USE {workspace.BOOKS}")  # (a cursor starts in the in-memory database)
            prepare_session(work, memory_limit)
            yield books, work
            work.close()
            books.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException:
            for con in (work, books):
                if con is not None:
                    try:
                        con.close()  # closing discards the books' transaction
                    except duckdb.Error:
                        pass
            if not existed:  # a failed first run leaves no database behind either
                storage.remove_database_files(path)
            raise
        books.close()
        if not existed:
            if commit:
                storage.publish(path, db_path)
            else:  # pro forma: nothing written, not even a file
                storage.remove_database_files(path)


def _input_files(con: duckdb.DuckDBPyConnection, files: dict) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('ingest', 'input_files')} "
                '("table" VARCHAR, display VARCHAR)')
    rows = [(t.table, t.display) for t in files.values()]
    if rows:
        con.executemany("INSERT INTO input_files VALUES (?, ?)", rows)


def _record_run(books, work, run_id: int, params: RunParameters, started: dt.datetime,
                inputs: list[provenance.InputFile] = (), books_seal: str | None = None) -> None:
    """The run's row in runs (who, where, which version, command and settings, what it did,
    the books' seal after it) and its input files in run_inputs."""
    lines = work.execute(
        "SELECT coalesce(sum(lines_read), 0), coalesce(sum(lines_invoiced), 0), "
        "coalesce(sum(lines_open), 0), coalesce(sum(lines_rejected), 0), "
        "coalesce(sum(lines_excluded), 0) FROM reconciliation").fetchone()
    books.execute(
        """
        INSERT INTO runs BY NAME
        SELECT $run_id AS run_id, $command AS command, 'succeeded' AS status,
               $started AS started_at, now()::TIMESTAMP AS finished_at,
               $input_dir AS input_dir, $reference_date AS reference_date,
               $invoice_date AS invoice_date, $admin AS admin_id, $sources AS sources,
               $include_credit_lines AS include_credit_lines, $journalize AS journalize,
               -- counted over every administration the run went through (closed: = read)
               $lines_read AS lines_read, $lines_invoiced AS lines_invoiced,
               $lines_open AS lines_open, $lines_rejected AS lines_rejected,
               $lines_excluded AS lines_excluded,
               (SELECT count(*) FROM invoices WHERE run_id = $run_id) AS invoices,
               (SELECT count(*) FROM journal_entries WHERE run_id = $run_id) AS journal_entry_lines,
               $os_user AS os_user, $host AS host, $version AS journalize_version,
               $command_line AS command_line, $parameters AS parameters, $seal AS seal
        """,
        {
            "run_id": run_id,
            "command": params.command,
            "started": started,
            "input_dir": str(params.input_dir),
            "reference_date": params.reference_date,
            "invoice_date": params.invoice_date,
            "admin": params.admin,
            "sources": ",".join(params.sources),
            "include_credit_lines": params.include_credit_lines,
            "journalize": params.journalize,
            "os_user": provenance.os_user(),
            "host": provenance.host(),
            "version": provenance.version(),
            "command_line": params.command_line,
            "parameters": params.model_dump_json(exclude={"command_line"}),
            "seal": books_seal,
            **dict(zip(("lines_read", "lines_invoiced", "lines_open", "lines_rejected",
                        "lines_excluded"), lines, strict=True)),
        },
    )
    if inputs:
        books.executemany("INSERT INTO run_inputs (run_id, path, bytes, sha256) VALUES (?, ?, ?, ?)",
                          [(run_id, f.path, f.bytes, f.sha256) for f in inputs])


def summarise(books, work, run_id: int, params: RunParameters) -> RunResult:
    counts = dict(
        zip(
            ("lines_read", "lines_invoiced", "lines_open", "lines_rejected", "lines_excluded",
             "invoices", "journal_entry_lines"),
            books.execute(
                "SELECT lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded, "
                "invoices, journal_entry_lines FROM runs WHERE run_id = $r",
                {"r": run_id},
            ).fetchone(),
            strict=True,
        )
    )
    by_journal = books.execute(
        """
        SELECT admin_id, journal_code, count(*), sum(total_excl_vat), sum(vat_amount),
               sum(total_incl_vat)
        FROM invoices WHERE run_id = $r GROUP BY ALL ORDER BY ALL
        """,
        {"r": run_id},
    ).fetchall()
    # the first SHOWN_REJECTIONS messages (a run may reject millions of lines: they stay in the
    # books), and how many there are
    rejected = [r[0] for r in books.execute(
        "SELECT message FROM rejected_lines WHERE run_id = $r ORDER BY \"table\", row_number "
        "LIMIT $shown", {"r": run_id, "shown": SHOWN_REJECTIONS},
    ).fetchall()]
    counts["rejections"] = books.execute(
        "SELECT count(*) FROM rejected_lines WHERE run_id = $r", {"r": run_id}).fetchone()[0]
    open_reasons = books.execute(
        """
        SELECT status_reason, count(*)
        FROM billable_lines WHERE run_id = $r AND status = 'open' GROUP BY 1 ORDER BY 2 DESC
        """,
        {"r": run_id},
    ).fetchall()
    skipped = books.execute(
        "SELECT admin_id, journal_code, invoice_number, reason FROM skipped_numbers "
        "WHERE run_id = $r ORDER BY ALL",
        {"r": run_id},
    ).fetchall()
    reconciliation = books.execute(
        """
        SELECT source, lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded,
               amount_read, amount_invoiced, amount_open, amount_rejected, amount_excluded
        FROM run_reconciliation WHERE run_id = $r ORDER BY source
        """,
        {"r": run_id},
    ).fetchall()
    notices = [r[0] for r in work.execute("SELECT message FROM run_notices").fetchall()]
    changed = books.execute(
        "SELECT source, line_id, invoice_number, changed_columns FROM changed_lines "
        "WHERE run_id = $r ORDER BY ALL", {"r": run_id}).fetchall()
    books_seal = books.execute("SELECT seal FROM runs WHERE run_id = $r", {"r": run_id}).fetchone()[0]
    return RunResult(
        run_id, params.db_path, params, counts, by_journal, rejected, open_reasons, skipped,
        reconciliation=reconciliation, notices=notices, changed=changed, seal=books_seal,
    )


def _pro_forma(con) -> list[tuple]:
    return con.execute(
        """
        SELECT admin_id, journal_code, debtor_id, description, line_count, total_excl_vat,
               vat_amount, total_incl_vat
        FROM draft_invoices ORDER BY admin_id, journal_code, debtor_id, collect_key
        """
    ).fetchall()


# --- resume: invoice the lines a run prepared ------------------------------------------------------


def load_prepared_lines(con: duckdb.DuckDBPyConnection, params: RunParameters) -> None:
    """`resume` reads no line files: the lines are the ones earlier runs left `open` in
    billable_lines (Profit's "te factureren regels"), in their canonical columns."""
    validate.start_quarantine(con)
    present = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'billable_lines' "
        "AND table_schema = 'main' AND table_catalog = current_database()").fetchall()}
    for table, schema in LINE_SCHEMAS.items():
        typed, raw = ["row_number AS __row", "false AS __suspect"], ["row_number AS __row"]
        for name, column in schema.columns.items():
            value = f'"{name}"' if name in present else "NULL"
            typed.append(f'CAST({value} AS {sql_type(column)}) AS "{name}"')
            raw.append(f'CAST({value} AS VARCHAR) AS "{name}"')
        prepared = "FROM billable_lines WHERE source = $source AND status = 'open'"
        con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('validate', f'typed_{table}')} "
                    f"AS SELECT {', '.join(typed)} {prepared}", {"source": table})
        con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('ingest', f'raw_{table}')} "
                    f"AS SELECT {', '.join(raw)} {prepared}", {"source": table})
    _finish_loading(con)


RESUME_STAGES: tuple[tuple[str, Stage], ...] = tuple(
    (name, load_prepared_lines if name == "load lines" else stage) for name, stage in STAGES
)


def resume_parameters(db_path: Path, run_id: int | None = None, input_dir: Path | None = None) -> RunParameters:
    """The parameters of the run to resume (default: the latest), with its master data folder
    unless a corrected one is given."""
    if not Path(db_path).exists():
        raise RunFailed([f"database {db_path} does not exist: nothing to resume"])
    con = connect(db_path)
    try:
        row = con.execute(
            """
            SELECT run_id, input_dir, reference_date, invoice_date, admin_id, sources,
                   include_credit_lines, journalize
            FROM runs WHERE run_id = coalesce($r, (SELECT max(run_id) FROM runs))
            """,
            {"r": run_id},
        ).fetchone()
    except duckdb.CatalogException:
        row = None
    finally:
        con.close()
    if row is None:
        raise RunFailed([f"database {db_path} has no run {run_id or ''} to resume".replace("  ", " ")])
    _, folder, reference, invoice, admin, sources, credit, journalize = row
    return RunParameters(
        input_dir=Path(input_dir or folder), db_path=Path(db_path), reference_date=reference,
        invoice_date=invoice, admin=admin, sources=sources.split(",") if sources else list(SOURCES),
        include_credit_lines=bool(credit), journalize=bool(journalize), command="resume",
    )


def resume(params: RunParameters, **kwargs) -> RunResult:
    """Invoice the lines earlier runs left open (blocked debtor unblocked, cash_sale type added, …)
    with the dates of the run resumed: nothing invoiced is regrouped or renumbered."""
    return run_month_end(params.model_copy(update={"command": "resume"}), stages=RESUME_STAGES, **kwargs)


def check_configuration(input_dir: Path) -> list[str]:
    """`journalize check`: every configuration fault of a dataset, one message each."""
    con = duckdb.connect()
    # every line counts, whatever its date or credit flag: the check is about the configuration
    params = RunParameters(
        input_dir=input_dir,
        db_path=Path(":memory:"),
        reference_date=LAST_RUN_DATE,
        include_credit_lines=True,
    )
    try:
        storage.confine(con, None, input_dir)
        prepare_session(con)
        for _, stage in STAGES[:3]:  # configuration, lines, map (with the checks over lines)
            stage(con, params)
    except ConfigurationError as error:
        return error.messages
    finally:
        con.close()
    return []


def pro_forma(params: RunParameters, **kwargs) -> RunResult:
    """The invoices a run would make, per administration, without numbering or writing anything."""
    return run_month_end(params.model_copy(update={"pro_forma": True}), **kwargs)
