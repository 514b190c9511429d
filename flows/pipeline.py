"""The month-end run as plain Python: ingest → validate → map → group → number → journalise →
persist, the books written in one DuckDB transaction. The CLI calls this directly; ``flows.month_end`` wraps the
same stages as Prefect tasks."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from flows import provenance, storage
from flows.books import RunFailed, _connections, _pro_forma_connections, connect, prepare_session  # noqa: F401
from flows.faultpoints import hold_point
from flows.parameters import LAST_RUN_DATE, RunParameters
from flows.resume import RESUME_STAGES, load_prepared_lines, resume, resume_parameters  # noqa: F401
from flows.stages import (  # noqa: F401
    STAGES,
    STOCK_STAGE,
    WARNINGS,
    Chunk,
    Stage,
    _drop,
    key_and_check_lines,
)
from flows.summary import SHOWN_REJECTIONS, RunResult, _record_run, summarise  # noqa: F401
from transforms import (
    configuration,
    persist,
    reconcile,
    seal,
    stock,
)
from transforms import pro_forma as pro_forma_list
from transforms.validate import ConfigurationError

log = logging.getLogger("journalize")


def run_month_end(
    params: RunParameters,
    *,
    runner: Callable[[str, Stage, duckdb.DuckDBPyConnection, RunParameters], None] | None = None,
    progress: Callable[[str], None] | None = None,
    stages: tuple[tuple[str, Stage], ...] = STAGES,
    stage_done: Callable[[str, int | None], None] | None = None,
) -> RunResult:
    """One month-end run. `runner` lets the Prefect flow wrap each stage as a task.

    The lines are read and checked once; from map on, a run of params.chunk_lines lines or more
    runs the stages once per administration (a chunk; lines without a known administration
    last), each chunk's results written before the next is mapped. Administrations share no
    invoice, counter or entry, and the chunks go in administration order, so the result is the
    one a single pass would give (entry ids are numbered in administration order either way),
    while the working sets follow the largest administration rather than the whole month."""
    runner = runner or (lambda name, stage, con, p: stage(con, p))
    # progress(stage) as a stage starts; stage_done(stage, the rows it made) as it ends
    if not params.pro_forma:  # (refused before the books are opened or a line is read)
        provenance.authorise(params.input_dir, params.command, params.admin)
    with _pro_forma_files(params) as partial_out, (
            _pro_forma_connections(params.db_path, memory_limit=params.memory_limit,
                                   input_dir=params.input_dir, out=partial_out)
            if params.pro_forma else
            _connections(params.db_path, memory_limit=params.memory_limit,
                         input_dir=params.input_dir)) as (books, con):
        # the input files' sizes and SHA-256, in a thread while the run reads them (resume reads
        # its lines from the books: only the master data)
        inputs = None if params.pro_forma else provenance.InputHashes(
            params.input_dir, ("master",) if params.command == "resume" else ("master", "lines"),
        ).start()
        run_id = persist.next_run_id(con)
        sealer = seal.RunSealer(run_id)
        started = dt.datetime.now()
        stages = stages[:4] if params.pro_forma else stages
        if params.pro_forma:
            pro_forma_list.start(con)
        once, per_chunk = stages[:2], stages[2:]
        for name, stage in once:
            _run_stage(name, stage, con, params, runner, progress, stage_done=stage_done)
        chunks = (_chunks(con, params.reference_date) if _lines_read(con) >= params.chunk_lines
                  else [EVERY])
        faults: configuration.LineFaults | None = None
        chunk = Chunk()
        for index, admin in enumerate(chunks):
            chunk.admin, chunk.every = (None, True) if admin == EVERY else (admin, False)
            label = (f" ({admin or 'no administration'}, {index + 1}/{len(chunks)})"
                     if len(chunks) > 1 else "")
            for name, stage in per_chunk:
                if faults and name == "group":  # (a run that will fail: only the checks)
                    stage = key_and_check_lines
                try:
                    _run_stage(name, functools.partial(stage, chunk=chunk), con, params, runner,
                               progress, label, stage_done)
                except configuration.LineFaults as found:  # gather every administration's
                    faults = found if faults is None else faults.merged(found)
                if faults and name == "group":
                    # a run that will fail maps and checks the other administrations' lines for
                    # their faults, and drafts nothing more
                    break
            if faults:
                continue
            if params.pro_forma:
                pro_forma_list.add(con)
                continue
            hold_point("persist")
            if progress:
                progress(f"persist{label}")
            persist.persist_chunk(books, con, run_id, sealer, journalize=params.journalize)
            if stage_done:
                stage_done(f"persist{label}", None)
        if faults:
            raise faults
        if params.pro_forma:
            return _pro_forma_result(con, params, partial_out, progress, stage_done)
        _stock(books, con, run_id, sealer, params, chunk, runner, progress, stage_done)
        if progress:
            progress("close")  # reconciliation, quarantine, the run's record
        reconcile.close(con)
        persist.persist_run(books, con, run_id)
        persist.persist_master_data(books, con, run_id)
        _drop(con, ["staged_lines"])
        _record_run(books, con, run_id, params, started, inputs.result(), sealer.close(books))
        result = summarise(books, con, run_id, params)
        result.seal_seconds = {"hashing (CPU, its own thread)": sealer.hash_seconds,
                               "the books waiting for it": sealer.wait_seconds,
                               "waiting for it and writing the seal": sealer.close_seconds}
        hold_point("commit")
        return result


def _stock(books: duckdb.DuckDBPyConnection, con: duckdb.DuckDBPyConnection, run_id: int,
           sealer: seal.RunSealer, params: RunParameters, chunk: Chunk,
           runner: Callable[[str, Stage, duckdb.DuckDBPyConnection, RunParameters], None],
           progress: Callable[[str], None] | None,
           stage_done: Callable[[str, int | None], None] | None) -> None:
    """The stock step (docs/stock.md), once, after every administration's invoices and entries:
    a mutation touches two administrations, so its entries are numbered on from the run's last
    entry id and written (and sealed) after the last chunk's rows, before close."""
    if not stock.has_mutations(con):
        return
    name, stage = STOCK_STAGE
    _run_stage(name, functools.partial(stage, chunk=chunk), con, params, runner, progress,
               stage_done=stage_done)
    persist.persist_stock(books, con, run_id, sealer)


@contextmanager
def _pro_forma_files(params: RunParameters) -> Iterator[Path | None]:
    """A pro forma's --out, written under a hidden name and renamed once whole (no half file
    after a failure), private like the books; None for a run, or a pro forma without --out."""
    if not params.pro_forma or params.pro_forma_out is None:
        yield None
        return
    with storage.private_files(), storage.whole_file(params.pro_forma_out) as partial:
        yield partial


def _pro_forma_result(con: duckdb.DuckDBPyConnection, params: RunParameters,
                      partial_out: Path | None, progress: Callable[[str], None] | None,
                      stage_done: Callable[[str, int | None], None] | None) -> RunResult:
    """A pro forma's totals and first invoices; the whole list into --out's file, if given."""
    summary = pro_forma_list.summary(con)
    if partial_out is not None:
        if progress:
            progress("write --out")
        pro_forma_list.write(con, partial_out, params.pro_forma_out)
        if stage_done:
            stage_done("write --out", summary.invoices)
    notices = [row[0] for row in con.execute("SELECT message FROM run_notices").fetchall()]
    return RunResult(None, params.db_path, params, pro_forma=summary.first,
                     pro_forma_summary=summary, notices=notices,
                     warnings=[notice for notice in notices if notice in WARNINGS])


# what a stage made, as the rows its progress line shows
STAGE_ROWS = {
    "load lines": "SELECT count(*) FROM validate.staged_lines",
    "group": 'SELECT count(*) FROM "group".draft_invoices',
    "number": "SELECT count(*) FROM number.run_invoices",
    "journalise": "SELECT count(*) FROM journalise.run_journal_entries",
    "stock": "SELECT count(*) FROM journalise.run_stock_entries",
}


def _run_stage(name: str, stage: Stage, con: duckdb.DuckDBPyConnection, params: RunParameters,
               runner: Callable[[str, Stage, duckdb.DuckDBPyConnection, RunParameters], None],
               progress: Callable[[str], None] | None, label: str = "",
               stage_done: Callable[[str, int | None], None] | None = None) -> None:
    hold_point(name)
    if progress:
        progress(f"{name}{label}")
    log.info("stage %s%s", name, label)
    runner(name, stage, con, params)
    if stage_done:
        rows = con.execute(STAGE_ROWS[name]).fetchall()[0][0] if name in STAGE_ROWS else None
        stage_done(f"{name}{label}", rows)


EVERY = "*every administration*"  # the chunk of a run that goes over all lines at once


def _lines_read(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(sum(lines_read), 0) FROM lines_read").fetchone()[0]


def _chunks(con: duckdb.DuckDBPyConnection, reference_date: dt.date) -> list[str | None]:
    """The administrations of the run's lines, and those with releases of deferred revenue due
    (SPEC §9: a month without lines still releases), in order, lines without one (rejected)
    last."""
    admins = con.execute(
        "SELECT admin_id FROM staged_lines UNION SELECT admin_id FROM books.deferral_schedule "
        "WHERE entry_id IS NULL AND release_date <= $d ORDER BY admin_id NULLS LAST",
        {"d": reference_date}).fetchall()
    return [a for (a,) in admins] or [None]


def check_configuration(input_dir: Path) -> list[str]:
    """`journalize check`: every configuration fault of a dataset, one message each."""
    con = duckdb.connect()
    # every line counts, whatever its date or credit flag: the check is about the configuration
    params = RunParameters(
        input_dir=input_dir,
        db_path=Path(":memory:"),
        reference_date=LAST_RUN_DATE,
        include_credit_lines=True,
        command="check",  # (subscription items: their first period only)
    )
    try:
        storage.confine(con, None, input_dir)
        prepare_session(con)
        for _, stage in STAGES[:3]:  # configuration, lines, map
            stage(con, params)
        key_and_check_lines(con, params)  # (the checks over the lines)
    except ConfigurationError as error:
        return error.messages
    finally:
        con.close()
    return []


def pro_forma(params: RunParameters, **kwargs: Any) -> RunResult:
    """The invoices a run would make, per administration, without numbering or writing anything."""
    return run_month_end(params.model_copy(update={"pro_forma": True}), **kwargs)
