"""The `journalize` command line (SPEC §12). Runs the pipeline directly by default, as a Prefect
flow with --prefect. Exit code 0 on success; non-zero with a one-line reason on stderr otherwise."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, NoReturn, Optional, TypeVar

import duckdb
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from flows import provenance
from flows.parameters import (
    DEFAULT_DB,
    RunParameters,
    month_end,
    previous_month_end,
    sample_dataset,
)
from flows.pipeline import (
    RunResult,
    check_configuration,
    pro_forma,
    resume_parameters,
    run_month_end,
)
from flows.pipeline import resume as resume_run
from flows.post import PostResult
from flows.post import post as post_invoices
from schemas.lines import SOURCES
from transforms.faults import CONFIGURATION, USAGE, Failure
from transforms.ingest import InputError, escaped

app = typer.Typer(add_completion=False, no_args_is_help=False, help=__doc__)


def _show_version(value: bool) -> None:
    if value:
        print(f"journalize {provenance.version()}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="print journalize's version and exit")] = False) -> None:
    """journalize: the month-end integration types of AFAS Profit as a batch ETL on DuckDB."""
# soft_wrap: a message is one line however narrow the terminal (or pipe) is
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SHOWN_REASONS = 10  # open reasons listed in a run's summary (the rest counted)
EXIT_AUDIT_FINDINGS = 1
SOURCES_HELP = (f"comma-separated subset of {', '.join(SOURCES)} (or the modules order, counter, "
                "project, postcalc, installment, subscription, course); the rest stays open")
EXIT_CONFIGURATION = 2
EXIT_RUN_FAILED = 3
EXIT_INTERNAL = 4

T = TypeVar("T")


def printable(text: object) -> str:
    """Text as it may be shown on one line of a terminal or log: every control character written
    the way Python writes it in a string literal (a newline as \\n, ESC as \\x1b), so that no cell
    of the input can forge or recolour output lines (the stored messages' rule, ingest.escaped;
    their backslashes are shown as they are)."""
    return escaped(str(text), backslashes=False)


def _print_table(table: Table) -> None:
    """A table as wide as its cells need, whatever the terminal's (or a pipe's 80 columns) width:
    a figure is never cut."""
    needed = Measurement.get(out, out.options.update(max_width=10_000), table).maximum
    if needed <= out.width:
        out.print(table)
    else:
        Console(width=needed, soft_wrap=True, file=out.file, color_system=out.color_system,
                force_terminal=out.is_terminal).print(table)


def _say(console: Console, text: object) -> None:
    """One line of output, shown as text (no rich markup, control characters escaped)."""
    console.print(printable(text), markup=False, highlight=False)

# --- the run log beside the books (flows/provenance.py): one JSON line per attempt ---------------

OUTCOMES = {0: "succeeded", EXIT_AUDIT_FINDINGS: "findings", EXIT_CONFIGURATION: "refused",
            EXIT_RUN_FAILED: "failed", EXIT_INTERNAL: "internal error"}
_failure: list = []  # the last _fail's [kind, messages]
_json: list = [False]  # --json: the result (or the failure) as one JSON object on stdout


@dataclass
class Attempt:
    action: str
    db: Path
    parameters: dict | None = None  # the command's options, then its RunParameters once built
    run_id: int | None = None
    reason: str | None = None  # set when a command ends with an exit code of its own (verify)
    create_folder: bool = True
    logged: bool = True  # False: the attempt leaves no line (a pro forma without books)

    def settings(self, params: RunParameters) -> RunParameters:
        """The run's parameters with this command line, remembered for the log."""
        params = params.model_copy(update={"command_line": provenance.command_line()})
        self.parameters = params.model_dump(mode="json", exclude={"command_line"})
        return params


@contextmanager
def _attempt(action: str, db: Path, ctx: typer.Context | None = None, *,
             create_folder: bool = True, logged: bool = True) -> Iterator[Attempt]:
    """Log the command's attempt in <db>.log.jsonl, whatever its end: success, an exit code with
    its reason (a failed run writes nothing in the books, but its line here), or a crash."""
    options = None if ctx is None else {k: v for k, v in ctx.params.items() if v is not None}
    attempt = Attempt(action, Path(db), options, create_folder=create_folder, logged=logged)
    _failure.clear()
    try:
        yield attempt
    except typer.Exit as end:
        _log(attempt, end.exit_code)
        raise
    except KeyboardInterrupt:
        _log(attempt, 130, "interrupted")
        raise
    except BaseException as error:  # (JOURNALIZE_DEBUG=1: the traceback follows)
        _log(attempt, EXIT_INTERNAL, f"{type(error).__name__}: {error}")
        raise
    else:
        _log(attempt, 0)


def _log(attempt: Attempt, code: int, reason: str | None = None) -> None:
    if not attempt.logged:
        return
    if reason is None and code:
        if _failure:
            kind, messages = _failure
            reason = f"{kind}: {'; '.join(messages)}"
        else:
            reason = attempt.reason
    try:
        provenance.log_attempt(
            attempt.db, action=attempt.action, parameters=attempt.parameters,
            outcome="interrupted" if code == 130 else OUTCOMES.get(code, "failed"),
            exit_code=code, reason=reason, run_id=attempt.run_id,
            create_folder=attempt.create_folder)
    except OSError as error:  # the log must not turn a done run into a failure
        _say(err, f"journalize: warning: the run log {provenance.log_path(attempt.db)} was not "
             f"written: {error}")


def _fail(kind: str, messages: list[str], code: int, headed: bool = False) -> NoReturn:
    # first line: the one-line reason (headed: the first message, which says what the faults
    # after it are; else the one fault, or their count); then every fault, one per line
    _failure[:] = [kind, list(messages)]  # (for the run log)
    faults = messages[1:] if headed else messages
    reason = messages[0] if headed or len(faults) == 1 else f"{len(faults):,} faults"
    _say(err, f"journalize: {kind}: {reason}")
    if _json[0]:
        print(json.dumps({"outcome": OUTCOMES.get(code, "failed"), "exit_code": code,
                          "kind": kind, "reason": reason, "messages": faults}))
    if len(faults) > 1 or headed:
        for message in faults:
            _say(err, f"  - {message}")
    raise typer.Exit(code)


def _usage_messages(error: ValidationError) -> list[str]:
    """pydantic's reasons, without its links."""
    return [e["msg"].removeprefix("Value error, ") for e in error.errors()]


@app.command()
def run(
    ctx: typer.Context,
    input: Annotated[Optional[Path], typer.Option("--input", help="input dataset folder")] = None,
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    period: Annotated[Optional[str], typer.Option(help="YYYY-MM: both dates the month's last day")] = None,
    reference_date: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="peildatum")] = None,
    invoice_date: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"])] = None,
    admin: Annotated[Optional[str], typer.Option(help="only this administration")] = None,
    sources: Annotated[Optional[str], typer.Option(help=SOURCES_HELP)] = None,
    include_credit_lines: Annotated[bool, typer.Option("--include-credit-lines", help="also invoice the credit lines of subscriptions and courses (invoiced only on request, SPEC §7)")] = False,
    no_journalize: Annotated[bool, typer.Option("--no-journalize", help="invoice only; journalise later")] = False,
    show_pro_forma: Annotated[bool, typer.Option("--pro-forma", help="show the invoices a run would make (totals per administration and journal, the first invoices), write nothing")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="with --pro-forma: write every invoice to this .csv or .parquet file (one row per invoice)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="any rejected line fails the run")] = False,
    memory_limit: Annotated[Optional[str], typer.Option(help="DuckDB memory bound, e.g. 2GB (it spills beyond)")] = None,
    prefect: Annotated[bool, typer.Option("--prefect", help="run as a Prefect flow")] = False,
    dask: Annotated[bool, typer.Option("--dask", help="one Prefect task per administration on Dask (new database)")] = False,
    dask_address: Annotated[Optional[str], typer.Option(help="scheduler of an existing Dask cluster, e.g. tcp://host:8786")] = None,
    dask_workers: Annotated[int, typer.Option(help="workers of the local Dask cluster")] = 2,
    parquet_out: Annotated[Path, typer.Option(help="with --dask: partitioned Parquet output (a new or empty folder, or one journalize wrote)")] = Path("data/parquet"),
    keep_work: Annotated[bool, typer.Option("--keep-work", help="with --dask: keep the per-administration databases under <db>.work/")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print one JSON result on stdout (run id, counts, totals, or the exit reason) for schedulers")] = False,
) -> None:
    """One month-end run. With no arguments: the shipped sample, last month, into data/journalize.duckdb."""
    _json[:] = [json_out]
    try:
        # a pro forma writes no file it was not asked for: it is logged beside books that
        # exist, and creates neither a log nor a folder for books that do not
        with _attempt("pro-forma" if show_pro_forma else "run", db, ctx,
                      logged=not show_pro_forma or Path(db).exists()) as attempt:
            _run(attempt, input, db, period, reference_date, invoice_date, admin, sources,
                 include_credit_lines, no_journalize, show_pro_forma, out_file, strict,
                 memory_limit, prefect, dask, dask_address, dask_workers, parquet_out, keep_work)
    finally:
        _json[:] = [False]


def _run(attempt: Attempt, input: Path | None, db: Path, period: str | None,
         reference_date: dt.datetime | None, invoice_date: dt.datetime | None, admin: str | None,
         sources: str | None, include_credit_lines: bool, no_journalize: bool,
         show_pro_forma: bool, out_file: Path | None, strict: bool, memory_limit: str | None,
         prefect: bool, dask: bool, dask_address: str | None, dask_workers: int,
         parquet_out: Path, keep_work: bool) -> None:
    if period and (reference_date or invoice_date):
        _fail("usage", ["give --period or --reference-date/--invoice-date, not both"], EXIT_CONFIGURATION)
    if out_file is not None and not show_pro_forma:
        _fail("usage", [f"--out {out_file}: the list of pro forma invoices is written by a pro forma "
                        "only: give --pro-forma too (a run's invoices are in the books: "
                        "journalize query --csv)"], EXIT_CONFIGURATION)
    try:
        if period:
            ref = inv = month_end(period)
        else:
            ref = reference_date.date() if reference_date else (
                invoice_date.date() if invoice_date else previous_month_end())
            inv = invoice_date.date() if invoice_date else ref
        params = RunParameters(
            input_dir=input or sample_dataset(),
            db_path=db,
            reference_date=ref,
            invoice_date=inv,
            admin=admin,
            sources=[s.strip() for s in sources.split(",")] if sources else list(SOURCES),
            include_credit_lines=include_credit_lines,
            journalize=not no_journalize,
            strict=strict,
            memory_limit=memory_limit,
            pro_forma=show_pro_forma,
            pro_forma_out=out_file,
        )
    except ValidationError as error:
        _fail("usage", _usage_messages(error), EXIT_CONFIGURATION)
    except ValueError as error:
        _fail("usage", [str(error)], EXIT_CONFIGURATION)
    params = attempt.settings(params)
    if show_pro_forma:
        result = _guarded(lambda: _with_progress(
            lambda p, d: pro_forma(params, progress=p, stage_done=d)))
        if _json[0]:
            print(json.dumps(_pro_forma_json(result)))
        else:
            _print_pro_forma(result)
        for warning in result.warnings:
            _say(err, f"journalize: warning: {warning}")
        return
    if dask or dask_address or prefect:
        # no phoning home from a finance batch job (and no network errors in its output)
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if dask or dask_address:
        from flows.distributed import month_end_distributed

        work = Path(f"{db}.work")
        # the whole run's administrations, before any task starts (each task checks its own too)
        _guarded(lambda: provenance.authorise(params.input_dir, params.command, params.admin))
        result = _guarded(lambda: month_end_distributed(
            params, parquet_out, work, address=dask_address, workers=dask_workers, db_path=db,
            keep_work=keep_work))
    elif prefect:
        from flows.month_end import month_end_flow

        result = _guarded(lambda: month_end_flow(params))
    else:
        result = _guarded(lambda: _with_progress(
            lambda p, d: run_month_end(params, progress=p, stage_done=d)))
    attempt.run_id = result.run_id
    if _json[0]:
        print(json.dumps(_result_json(result)))
    else:
        _print_summary(result)
        _print_distributed(result)
    for warning in result.warnings:  # (in the summary too, as a note)
        _say(err, f"journalize: warning: {warning}")


def _result_json(result: RunResult) -> dict:
    """A run's result for schedulers: what its summary says, as JSON (amounts as exact text)."""
    by_journal = [dict(admin_id=a, journal_code=j, invoices=n, total_excl_vat=str(x),
                       vat_amount=str(v), total_incl_vat=str(i))
                  for a, j, n, x, v, i in result.invoices_by_journal]
    totals = {name: str(sum((row[column] for row in result.invoices_by_journal), Decimal(0)))
              for name, column in (("total_excl_vat", 3), ("vat_amount", 4),
                                   ("total_incl_vat", 5))}
    return {
        "outcome": "succeeded", "exit_code": 0, "run_id": result.run_id,
        "db": str(Path(result.db_path).resolve()),
        "reference_date": str(result.params.reference_date),
        "invoice_date": str(result.params.invoice_date),
        "counts": result.counts, "totals": totals, "invoices_by_journal": by_journal,
        "notices": result.notices, "seal": result.seal,
        **({"parquet": {"dir": str(Path(result.parquet_dir).resolve()),
                        "rows": result.parquet_rows}} if result.parquet_dir else {}),
        **({"work_kept": str(Path(result.work_kept).resolve())} if result.work_kept else {}),
    }


def _print_distributed(result: RunResult) -> None:
    """What a --dask run wrote besides the books: its Parquet, and the administrations'
    databases when kept."""
    if result.parquet_dir is not None:
        _say(out, f"Parquet: {Path(result.parquet_dir).resolve()} ("
             + ", ".join(f"{table} {n:,} rows" for table, n in result.parquet_rows.items())
             + "; admin_id=…/fiscal_year=…/period=… partitions)")
    if result.work_kept is not None:
        _say(out, f"administrations' databases kept (--keep-work): "
             f"{Path(result.work_kept).resolve()}")


ProgressWork = Callable[[Callable[[str], None], Callable[[str, "int | None"], None]], T]


def _with_progress(work: ProgressWork) -> T:
    """Progress: per stage, as it ends, its elapsed time and the rows it made, as plain lines
    on stdout (a log, a pipe, cron: stderr keeps the one-line reason of a failure), on stderr
    with --json (stdout is the JSON result); at a terminal those lines above a spinner naming
    the stage at work."""
    started: dict[str, float] = {}
    console = err if _json[0] else out

    def done(stage: str, rows: int | None) -> None:
        seconds = time.perf_counter() - started.pop(stage, time.perf_counter())
        _say(console, f"journalize: {stage}: {seconds:,.1f} s"
             + ("" if rows is None else f", {rows:,} rows"))

    if not console.is_terminal:
        def start(stage: str) -> None:
            started[stage] = time.perf_counter()

        return work(start, done)
    with console.status("running") as status:
        def update(stage: str) -> None:
            started[stage] = time.perf_counter()
            status.update(f"stage: {escape(printable(stage))}")

        return work(update, done)


def _guarded(work: Callable[[], T]) -> T:
    """Every failure ends in a one-line reason and an exit code, never in a traceback (set
    JOURNALIZE_DEBUG=1 to see one); a failed run has written nothing."""
    try:
        return work()
    except ValidationError as error:  # parameters from the environment or the books
        _fail("usage", _usage_messages(error), EXIT_CONFIGURATION)
    except Failure as error:  # (every way a run stops on its input or its rules)
        if error.kind == USAGE:
            _fail("usage", error.messages, EXIT_CONFIGURATION, error.headed)
        if error.kind == CONFIGURATION:
            _fail("configuration error", error.messages, EXIT_CONFIGURATION, error.headed)
        _fail("run failed, nothing written", error.messages, EXIT_RUN_FAILED, error.headed)
    except duckdb.OutOfMemoryException as error:  # not a bug: the run needs more room
        _fail("run failed, nothing written", [
            f"DuckDB ran out of memory: {str(error).splitlines()[0]}",
            "raise --memory-limit (or JOURNALIZE_MEMORY_LIMIT), or give DuckDB's temp directory "
            "(next to the database) more free disk to spill to",
        ], EXIT_RUN_FAILED)
    except Exception as error:  # a bug: say so plainly; the transaction was rolled back
        if os.environ.get("JOURNALIZE_DEBUG"):
            raise
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        _fail("internal error, nothing written (please report it; JOURNALIZE_DEBUG=1 shows the "
              "traceback)", [f"{type(error).__name__}: {reason}"], EXIT_INTERNAL)


@app.command()
def post(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    admin: Annotated[Optional[str], typer.Option(help="only this administration's invoices")] = None,
    run_id: Annotated[Optional[int], typer.Option("--run-id", help="only the invoices of this run")] = None,
    invoice: Annotated[Optional[list[str]], typer.Option(
        "--invoice", help="only this invoice number (repeat for more)")] = None,
    input: Annotated[Optional[Path], typer.Option(
        "--input", help="dataset whose master/authorisations apply (default: the newest run's "
                        "input)")] = None,
    prefect: Annotated[bool, typer.Option("--prefect", help="run as a Prefect flow")] = False,
) -> None:
    """Journalise the invoices a run --no-journalize made ("journaliseren"): their entries,
    cash-sale settlements and open items, in one transaction; a second post books nothing."""
    with _attempt("post", db, ctx) as attempt:
        attempt.parameters = {k: v for k, v in {
            "db_path": str(db), "admin": admin, "run_id": run_id, "invoices": invoice,
            "input_dir": None if input is None else str(input)}.items() if v is not None}
        how = post_invoices
        if prefect:
            os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
            from flows.month_end import post_flow as how

        def work() -> PostResult:
            return how(db, admin=admin, run_id=run_id, invoices=invoice, input_dir=input,
                       command_line=provenance.command_line())

        result = _guarded(work)
        attempt.run_id = result.run_id
        _print_post(result)


def _print_post(result: PostResult) -> None:
    for notice in result.notices:
        _say(out, f"  note: {notice}")
    if result.run_id is None:
        _say(out, f"nothing to post: no invoice awaits journalising in {result.db_path}")
        return
    _say(out, f"post {result.run_id}: {result.invoices:,} invoices journalised (of run(s) "
         f"{', '.join(map(str, result.from_runs))}): {result.entry_lines:,} journal entry lines, "
         f"{result.open_items:,} open items")
    for admin_id, journal, n in result.per_journal:
        _say(out, f"  {printable(admin_id)}/{printable(journal)}: {n:,} invoices")
    _say(out, f"database: {Path(result.db_path).resolve()}")
    _say(out, f"seal: {result.seal} (keep it elsewhere; journalize verify --seal checks the books "
              "against it)")


@app.command()
def export(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", help="export folder (new, empty, or one journalize exported into)")],
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database (only read)")] = DEFAULT_DB,
    format_: Annotated[str, typer.Option("--format", help="parquet (partitioned by administration, fiscal year, period), fientries (AFAS Profit's UpdateConnector JSON) or xaf (XML Auditfile Financieel)")] = "parquet",
    admin: Annotated[Optional[str], typer.Option(help="only this administration")] = None,
    year: Annotated[Optional[int], typer.Option(help="only this fiscal year, YYYY")] = None,
    period: Annotated[Optional[int], typer.Option(help="only this period (month, 1-12) of --year")] = None,
    xaf_version: Annotated[str, typer.Option("--xaf-version", help="4.0 (the default; from 2027 the only one the Belastingdienst accepts) or 3.2")] = "4.0",
    unit_id: Annotated[Optional[list[str]], typer.Option("--unit-id", help="fientries: ADMIN=NUMBER, Profit's administration number (UnId) of an administration whose id is no number (repeat for more)")] = None,
    prefect: Annotated[bool, typer.Option("--prefect", help="run as a Prefect flow")] = False,
) -> None:
    """Export the books (read only): Parquet for analysts and other platforms, FiEntries JSON to
    import into Profit Financieel, or an XAF audit file per administration and fiscal year. A
    failed export writes nothing; exporting a period again replaces that period's files only."""
    from flows.export import ExportParameters, export_books

    with _attempt("export", db, ctx, create_folder=False) as attempt:
        units: dict[str, str] = {}
        for given in unit_id or []:
            name, sep, number = given.rpartition("=")
            if not sep or not name or not re.fullmatch(r"[0-9]{1,9}", number):
                _fail("usage", [f"--unit-id {printable(given)!r}: give ADMIN=NUMBER, e.g. "
                                "NL01=1"], EXIT_CONFIGURATION)
            units[name] = number
        params = _guarded(lambda: ExportParameters(
            db_path=db, out_dir=out_dir, format=format_, admin=admin, year=year, period=period,
            xaf_version=xaf_version, unit_ids=units, command_line=provenance.command_line()))
        attempt.parameters = params.model_dump(mode="json", exclude={"command_line"})
        how = export_books
        if prefect:
            os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
            from flows.month_end import export_flow as how
        result = _guarded(lambda: how(params))
    for notice in result.notices:
        _say(out, f"  note: {notice}")
    _say(out, f"export {result.format} of {params.selection.describe()} into {result.out_dir}: "
         + ", ".join(f"{name} {n:,}" for name, n in result.rows.items())
         + f"; {len(result.files):,} file(s) written, {len(result.removed):,} removed "
         f"({result.seconds:,.1f} s)")
    for path in result.files[:20]:
        _say(out, f"  {path}")
    if len(result.files) > 20:
        _say(out, f"  … and {len(result.files) - 20:,} more")


@app.command()
def resume(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    run_id: Annotated[Optional[int], typer.Option("--run-id", help="the run to resume (default: the latest)")] = None,
    input: Annotated[Optional[Path], typer.Option("--input", help="corrected master data (default: the run's input)")] = None,
    include_credit_lines: Annotated[Optional[bool], typer.Option(
        "--include-credit-lines/--no-credit-lines",
        help="invoice the credit lines of subscriptions and courses, or not (default: as the run resumed)")] = None,
) -> None:
    """Invoice the lines earlier runs left open ("factureren te factureren regels") with the dates
    of the run resumed, after the cause was fixed (debtor unblocked, integration type added)."""
    with _attempt("resume", db, ctx) as attempt:
        params = attempt.settings(_guarded(lambda: resume_parameters(
            db, run_id, input, include_credit_lines)))
        result = _guarded(lambda: _with_progress(
            lambda p, d: resume_run(params, progress=p, stage_done=d)))
        attempt.run_id = result.run_id
        _print_summary(result)


@app.command()
def backfill(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="first month, YYYY-MM")],
    to: Annotated[str, typer.Option("--to", help="last month, YYYY-MM")],
    input: Annotated[Optional[Path], typer.Option("--input", help="input dataset folder")] = None,
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    admin: Annotated[Optional[str], typer.Option(help="only this administration")] = None,
    include_credit_lines: Annotated[bool, typer.Option("--include-credit-lines", help="also invoice the credit lines of subscriptions and courses (invoiced only on request, SPEC §7)")] = False,
    sources: Annotated[Optional[str], typer.Option(help=SOURCES_HELP)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="any rejected line fails that month's run")] = False,
    memory_limit: Annotated[Optional[str], typer.Option(help="DuckDB memory bound, e.g. 2GB (it spills beyond)")] = None,
) -> None:
    """One month-end run per month, oldest first, each its own transaction; stops at the first
    month that fails (the months before it stay done)."""
    try:
        months = _months(from_, to)
    except ValueError as error:
        with _attempt("backfill", db, ctx):
            _fail("usage", [str(error)], EXIT_CONFIGURATION)
    for done, period in enumerate(months, 1):  # one attempt (and one log line) per month
        with _attempt("backfill", db) as attempt:
            params = attempt.settings(_guarded(lambda period=period: RunParameters.for_period(
                period, input_dir=input or sample_dataset(), db_path=db, admin=admin,
                include_credit_lines=include_credit_lines, command="backfill", strict=strict,
                memory_limit=memory_limit,
                **({"sources": [s.strip() for s in sources.split(",")]} if sources else {}))))
            result = _guarded(lambda params=params: _with_progress(
                lambda p, d: run_month_end(params, progress=p, stage_done=d)))
            attempt.run_id = result.run_id
        c = result.counts
        _say(out, f"{period}: run {result.run_id}, {c['invoices']:,} invoices, lines invoiced "
             f"{c['lines_invoiced_now']:,}"
             + (f" (and {c['lines_invoiced_earlier']:,} by earlier runs)"
                if c["lines_invoiced_earlier"] else "")
             + f", open {c['lines_open']:,}, rejected {c['lines_rejected']:,} "
             f"(month {done}/{len(months)})")


def _months(first: str, last: str) -> list[str]:
    start, end = month_end(first), month_end(last)
    if start > end:
        raise ValueError(f"--from {first} is after --to {last}")
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="one SQL statement, e.g. \"SELECT * FROM trial_balance\"")],
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    csv: Annotated[bool, typer.Option("--csv", help="print CSV (with a header) instead of a table")] = False,
) -> None:
    """Query the books read-only (the Python package has no duckdb command): a table, or --csv
    for scripts. Nothing can be written: the database is opened read-only."""
    if not Path(db).exists():
        _fail("usage", [f"database {db} does not exist"], EXIT_CONFIGURATION)
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as error:
        _fail("usage", [f"database {db} cannot be opened: {str(error).strip().splitlines()[0]}"],
              EXIT_CONFIGURATION)
    try:
        con.execute("SET enable_progress_bar = false")
        result = con.execute(sql)
        names = [d[0] for d in result.description or []]
        rows = result.fetchall() if names else []
    except duckdb.Error as error:
        _fail("usage", [f"the query failed: {str(error).strip().splitlines()[0]}"],
              EXIT_CONFIGURATION)
    finally:
        con.close()
    if csv:
        import csv as csv_module

        writer = csv_module.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return
    table = Table(*names)
    for row in rows:
        table.add_row(*map(_value, row))
    _print_table(table)
    _say(out, f"({len(rows):,} rows)")


def _value(value: object) -> str:
    """A query's value as a cell: amounts and counts with thousands separators, the rest as text."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return _cell(value)
    return f"{value:,}"


@app.command()
def verify(
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    seal: Annotated[Optional[str], typer.Option(
        "--seal", help="a seal a run printed, kept outside the books: the books must still be "
                       "the ones it was given for")] = None,
) -> None:
    """Audit a database: entries balance, numbers unique and gapless per journal series (skips
    with their reasons), every invoiced line on exactly one invoice, counters = highest number,
    and cross-checks of totals, VAT, open items, periods, settlements, the reconciliation and the
    master data references; every posted row against its seal (and, with --seal, the books
    against a seal kept elsewhere). Exit code 1 when anything is found; 2 when the file is not
    the books."""
    with _attempt("verify", db, create_folder=False) as attempt:
        _verify(attempt, db, seal)


def _verify(attempt: Attempt, db: Path, seal: str | None) -> None:
    from transforms.verify import CHECKS, NotBooks, audit, books_fault

    attempt.parameters = {"db_path": str(db), **({"seal": seal} if seal else {})}
    if not Path(db).exists():
        _fail("usage", [f"database {db} does not exist"], EXIT_CONFIGURATION)
    if seal is not None and not re.fullmatch(r"[0-9a-f]{64}", seal.strip().lower()):
        _fail("usage", [f"--seal {seal!r} is not a seal (64 hexadecimal digits, as a run prints "
                        "it)"], EXIT_CONFIGURATION)
    try:  # read only: an audit changes nothing
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "not a valid DuckDB database" in reason:
            reason = "it is not a DuckDB database"
        _fail("usage", [f"database {db} cannot be opened: {reason}"], EXIT_CONFIGURATION)
    try:
        fault = books_fault(con, str(db))
        if fault:
            _fail("usage", [fault], EXIT_CONFIGURATION)
        result = _guarded(lambda: audit(con, seal.strip().lower() if seal else None))
    except NotBooks as error:
        _fail("usage", [str(error)], EXIT_CONFIGURATION)
    finally:
        con.close()
    f = result.figures
    _say(out, f"{db}: {f['runs']} runs, {f['invoices']} invoices, {f['entries']} entries "
         f"({f['journal_entries']} lines), {f['billable_lines']} billable lines, "
         f"{f['skipped_numbers']} skipped numbers")
    for series, reason, n in result.skips:
        _say(out, f"  skipped in {series}: {n} × {reason}")
    if f["awaiting_post"]:  # (a count, not a finding: invoiced, to be journalised)
        _say(out, f"  invoices awaiting post (made with --no-journalize): {f['awaiting_post']:,}; "
             "journalize post books them")
    if result.unsealed_runs:
        _say(out, f"  runs written before the books were sealed (not covered by a seal): "
             f"{', '.join(map(str, result.unsealed_runs))}")
    if result.seal:
        _say(out, f"  seal of the books as they are: {result.seal}")
    for name, title in CHECKS.items():
        findings = result.findings[name]
        if name in result.unchecked:
            _say(out, f"--   {title}: {result.unchecked[name]}")
            continue
        _say(out, f"{'ok  ' if not findings else 'FAIL'} {title}"
             + (f": {len(findings)} finding(s)" if findings else ""))
        if name in result.notes:
            _say(out, f"       ({result.notes[name]})")
        for finding in findings[:20]:
            _say(out, f"       {finding}")
        if len(findings) > 20:
            _say(out, f"       … and {len(findings) - 20} more")
    if not result.clean:
        attempt.reason = "findings: " + "; ".join(
            f"{title}: {len(result.findings[name])}" for name, title in CHECKS.items()
            if result.findings[name])
        raise typer.Exit(EXIT_AUDIT_FINDINGS)


@app.command()
def check(
    input: Annotated[Optional[Path], typer.Option("--input", help="input dataset folder")] = None,
) -> None:
    """Check the configuration (SPEC §3, §5): one line per fault; exit code 2 when any."""
    input_dir = input or sample_dataset()
    try:
        faults = check_configuration(input_dir)
    except InputError as error:
        _fail("configuration error", [str(error)], EXIT_CONFIGURATION)
    if faults:
        for fault in faults:
            print(printable(fault))
        _fail("configuration error", [f"{len(faults)} fault(s) in {input_dir}"], EXIT_CONFIGURATION)
    _say(out, f"configuration of {input_dir} is valid")


@app.command()
def graph() -> None:
    """Print the run's model graph (what each stage's tables are made from) as Mermaid: paste it
    into any Mermaid viewer; README's data-flow picture is this output."""
    from transforms import graph as model_graph

    print(model_graph.mermaid(), end="")


@app.command()
def report(
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    period: Annotated[Optional[str], typer.Option(
        help="YYYY-MM (default: the period of the books' newest run)")] = None,
    html: Annotated[Optional[Path], typer.Option(
        "--html", help="also write the report, with charts, as one self-contained HTML file")] = None,
) -> None:
    """The month-end report of a period, read from the books (read-only): revenue per
    administration and period, invoices per source, open items by age, the runs'
    reconciliation; rich tables here and, with --html, one HTML file that needs no network."""
    from flows import report as month_end_report

    result = _guarded(lambda: month_end_report.month_end_report(db, period))
    _say(out, f"month-end report {result.period} ({result.first_day} .. {result.last_day}) of "
              f"{db}")
    for table in month_end_report.terminal_tables(result):
        _print_table(table)
    if not result.runs:
        _say(out, f"no run of period {result.period} in the books (no reconciliation to show)")
    if html is not None:
        written = _guarded(lambda: month_end_report.write_html(result, html, db))
        _say(out, f"report written to {written}")


def _print_summary(result: RunResult) -> None:
    c = result.counts
    p = result.params
    out.print(
        f"[bold]run {result.run_id}[/bold]  reference date {p.reference_date}  invoice date "
        f"{p.invoice_date}  input {escape(printable(p.input_dir))}"
    )
    table = Table("administration", "journal", "invoices", "excl. VAT", "VAT", "incl. VAT")
    for admin_id, journal, n, excl, vat, incl in result.invoices_by_journal:
        table.add_row(_cell(admin_id), _cell(journal), f"{n:,}", f"{excl:,.2f}", f"{vat:,.2f}",
                      f"{incl:,.2f}")
    _print_table(table)
    out.print(
        f"lines read {c['lines_read']:,}: invoiced {c['lines_invoiced_now']:,}"
        + (f" (and {c['lines_invoiced_earlier']:,} invoiced by earlier runs)"
           if c["lines_invoiced_earlier"] else "")
        + f", open {c['lines_open']:,}, rejected {c['lines_rejected']:,}, excluded "
        f"{c['lines_excluded']:,}; {c['invoices']:,} invoices, {c['journal_entry_lines']:,} "
        "journal entry lines (all of this run)"
    )
    _print_reconciliation(result.reconciliation)
    for notice in result.notices:
        _say(out, f"  note: {notice}")
    for source, line_id, invoice_number, columns in result.changed[:20]:
        _say(out, f"  changed after invoicing (not invoiced again): {source} {line_id} on "
             f"{invoice_number}: {columns}")
    if len(result.changed) > 20:
        _say(out, f"  … {len(result.changed) - 20} more in table changed_lines")
    for reason, n in result.open_reasons[:SHOWN_REASONS]:
        _say(out, f"  open: {n:,} × {reason}")
    if len(result.open_reasons) > SHOWN_REASONS:
        rest = result.open_reasons[SHOWN_REASONS:]
        _say(out, f"  … {len(rest):,} more reasons for {sum(n for _, n in rest):,} open lines "
             "(billable_lines.status_reason)")
    for message in result.rejected:
        _say(out, f"  rejected: {message}")
    more = result.counts.get("rejections", len(result.rejected)) - len(result.rejected)
    if more > 0:
        _say(out, f"  … {more} more in table rejected_lines")
    for admin_id, journal, number, reason in result.skipped_numbers:
        _say(out, f"  skipped number {number} in {admin_id}/{journal}: {reason}")
    _say(out, f"database: {Path(result.db_path).resolve()}")
    if result.seal:
        _say(out, f"seal: {result.seal} (keep it elsewhere; journalize verify --seal checks the "
                  "books against it)")


def _cell(value: object) -> str:
    """A value from the data in a rich table cell: no markup, no control characters."""
    return escape(printable("" if value is None else value))


def _print_reconciliation(rows: list[tuple]) -> None:
    out.print("reconciliation (read = invoiced + open + rejected + excluded):")
    for source, n, ni, no, nr, ne, a, ai, ao, ar, ae in rows:
        if n == 0:
            continue
        # (stock mutations: booked, not yet due, rejected, excluded, in cost; docs/stock.md)
        what = "mutations (booked, not yet due, rejected, excluded)" if source == "stock_mutations" else "lines"
        _say(out, f"  {source}: {n:,} = {ni:,} + {no:,} + {nr:,} + {ne:,} {what}; "
             f"{a:,.2f} = {ai:,.2f} + {ao:,.2f} + {ar:,.2f} + {ae:,.2f}")


def _print_pro_forma(result: RunResult) -> None:
    """A pro forma: its totals per administration and journal, then its first invoices (the
    whole list only in the file --out names: a month may make hundreds of thousands)."""
    summary = result.pro_forma_summary
    _say(out, f"pro forma (not numbered, nothing written): {summary.invoices:,} invoices of "
         f"{summary.lines:,} lines; reference date {result.params.reference_date}, invoice date "
         f"{result.params.invoice_date}")
    totals = Table("administration", "journal", "invoices", "lines", "excl. VAT", "VAT",
                   "incl. VAT", title="pro forma totals per administration and journal")
    for admin_id, journal, n, lines, excl, vat, incl in summary.totals:
        totals.add_row(_cell(admin_id), _cell(journal), f"{n:,}", f"{lines:,}", f"{excl:,.2f}",
                       f"{vat:,.2f}", f"{incl:,.2f}")
    _print_table(totals)
    if summary.first:
        shown = Table("administration", "journal", "debtor", "description", "lines",
                      "excl. VAT", "VAT", "incl. VAT",
                      title=f"the first {len(summary.first):,} pro forma invoices"
                      if summary.invoices > len(summary.first) else "pro forma invoices")
        for admin_id, journal, debtor, description, lines, excl, vat, incl in summary.first:
            shown.add_row(_cell(admin_id), _cell(journal), _cell(debtor), _cell(description),
                          f"{lines:,}", f"{excl:,.2f}", f"{vat:,.2f}", f"{incl:,.2f}")
        _print_table(shown)
    more = summary.invoices - len(summary.first)
    written = result.params.pro_forma_out
    if written is not None:
        _say(out, f"all {summary.invoices:,} pro forma invoices written to {Path(written).resolve()}")
    elif more > 0:
        _say(out, f"… and {more:,} more invoices (--out FILE.csv or FILE.parquet writes every one)")
    for notice in result.notices:
        _say(out, f"  note: {notice}")


def _pro_forma_json(result: RunResult) -> dict:
    """A pro forma for schedulers: its totals per administration and journal, their sum, and its
    first invoices (amounts as exact text)."""
    from transforms.pro_forma import totals_json

    summary = result.pro_forma_summary
    written = result.params.pro_forma_out
    return {
        "outcome": "succeeded", "exit_code": 0, "pro_forma": True, "run_id": None,
        "reference_date": str(result.params.reference_date),
        "invoice_date": str(result.params.invoice_date),
        "counts": {"invoices": summary.invoices, "lines": summary.lines},
        "totals": totals_json(summary),
        "invoices_by_journal": [
            dict(admin_id=a, journal_code=j, invoices=n, lines=lines, total_excl_vat=str(x),
                 vat_amount=str(v), total_incl_vat=str(i))
            for a, j, n, lines, x, v, i in summary.totals],
        "first_invoices": [
            dict(admin_id=a, journal_code=j, debtor_id=d, description=text, lines=lines,
                 total_excl_vat=str(x), vat_amount=str(v), total_incl_vat=str(i))
            for a, j, d, text, lines, x, v, i in summary.first],
        "out": None if written is None else str(Path(written).resolve()),
        "notices": result.notices,
    }


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
