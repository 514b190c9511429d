"""The `journalize` command line (SPEC §12). Runs the pipeline directly by default, as a Prefect
flow with --prefect. Exit code 0 on success; non-zero with a one-line reason on stderr otherwise."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.parameters import DEFAULT_DB, RunParameters, month_end, previous_month_end, sample_dataset
from flows.pipeline import RunFailed, RunResult, check_configuration, pro_forma, run_month_end
from schemas.lines import SOURCES
from transforms.ingest import InputError
from transforms.journalise import UnbalancedEntryError
from transforms.number import NumberingError
from transforms.reconcile import ReconciliationError
from transforms.validate import ConfigurationError

app = typer.Typer(add_completion=False, no_args_is_help=False, help=__doc__)
# soft_wrap: a message is one line however narrow the terminal (or pipe) is
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_CONFIGURATION = 2
EXIT_RUN_FAILED = 3


def _fail(kind: str, messages: list[str], code: int) -> None:
    # first line: the one-line reason; then every fault, one per line
    err.print(f"journalize: {kind}: {messages[0] if len(messages) == 1 else f'{len(messages)} faults'}",
              markup=False, highlight=False)
    if len(messages) > 1:
        for message in messages:
            err.print(f"  - {message}", markup=False, highlight=False)
    raise typer.Exit(code)


@app.command()
def run(
    input: Annotated[Optional[Path], typer.Option("--input", help="input dataset folder")] = None,
    db: Annotated[Path, typer.Option("--db", help="output DuckDB database")] = DEFAULT_DB,
    period: Annotated[Optional[str], typer.Option(help="YYYY-MM: both dates the month's last day")] = None,
    reference_date: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="peildatum")] = None,
    invoice_date: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"])] = None,
    admin: Annotated[Optional[str], typer.Option(help="only this administration")] = None,
    sources: Annotated[Optional[str], typer.Option(help=f"comma-separated subset of {','.join(SOURCES)} (or: order, counter, project, postcalc, installment, subscription, course); the rest stays open")] = None,
    include_credit_lines: Annotated[bool, typer.Option("--include-credit-lines")] = False,
    no_journalize: Annotated[bool, typer.Option("--no-journalize", help="invoice only; journalise later")] = False,
    show_pro_forma: Annotated[bool, typer.Option("--pro-forma", help="show the invoices, write nothing")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="any rejected line fails the run")] = False,
    prefect: Annotated[bool, typer.Option("--prefect", help="run as a Prefect flow")] = False,
) -> None:
    """One month-end run. With no arguments: the shipped sample, last month, into data/journalize.duckdb."""
    if period and (reference_date or invoice_date):
        _fail("usage", ["give --period or --reference-date/--invoice-date, not both"], EXIT_CONFIGURATION)
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
        )
    except ValueError as error:
        _fail("usage", [str(error).splitlines()[-1] if "validation error" in str(error) else str(error)], EXIT_CONFIGURATION)
    try:
        if show_pro_forma:
            _print_pro_forma(pro_forma(params))
            return
        if prefect:
            from flows.month_end import month_end_flow

            result = month_end_flow(params)
        else:
            with out.status("running") as status:
                result = run_month_end(params, progress=lambda stage: status.update(f"stage: {stage}"))
    except (ConfigurationError, InputError) as error:
        _fail("configuration error", getattr(error, "messages", [str(error)]), EXIT_CONFIGURATION)
    except (NumberingError, UnbalancedEntryError, ReconciliationError, RunFailed) as error:
        _fail("run failed, nothing written", error.messages, EXIT_RUN_FAILED)
    _print_summary(result)


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
            print(fault)
        _fail("configuration error", [f"{len(faults)} fault(s) in {input_dir}"], EXIT_CONFIGURATION)
    out.print(f"configuration of {input_dir} is valid")


def _print_summary(result: RunResult) -> None:
    c = result.counts
    p = result.params
    out.print(
        f"[bold]run {result.run_id}[/bold]  reference date {p.reference_date}  invoice date "
        f"{p.invoice_date}  input {p.input_dir}"
    )
    table = Table("administration", "journal", "invoices", "excl. VAT", "VAT", "incl. VAT")
    for admin_id, journal, n, excl, vat, incl in result.invoices_by_journal:
        table.add_row(admin_id, journal, str(n), f"{excl:,.2f}", f"{vat:,.2f}", f"{incl:,.2f}")
    out.print(table)
    out.print(
        f"lines read {c['lines_read']}: invoiced {c['lines_invoiced']}, open {c['lines_open']}, "
        f"rejected {c['lines_rejected']}, excluded {c['lines_excluded']}; "
        f"{c['invoices']} invoices, {c['journal_entry_lines']} journal entry lines"
    )
    _print_reconciliation(result.reconciliation)
    for notice in result.notices:
        out.print(f"  note: {notice}", markup=False, highlight=False)
    for reason, n in result.open_reasons[:10]:
        out.print(f"  open: {n} × {reason}", markup=False, highlight=False)
    for message in result.rejected[:20]:
        out.print(f"  rejected: {message}", markup=False, highlight=False)
    if len(result.rejected) > 20:
        out.print(f"  … {len(result.rejected) - 20} more in table rejected_lines")
    for admin_id, journal, number, reason in result.skipped_numbers:
        out.print(f"  skipped number {number} in {admin_id}/{journal}: {reason}", markup=False)
    out.print(f"database: {Path(result.db_path).resolve()}")


def _print_reconciliation(rows: list[tuple]) -> None:
    out.print("reconciliation (read = invoiced + open + rejected + excluded):")
    for source, n, ni, no, nr, ne, a, ai, ao, ar, ae in rows:
        if n == 0:
            continue
        out.print(
            f"  {source}: {n} = {ni} + {no} + {nr} + {ne} lines; "
            f"{a:,.2f} = {ai:,.2f} + {ao:,.2f} + {ar:,.2f} + {ae:,.2f}",
            markup=False, highlight=False,
        )


def _print_pro_forma(result: RunResult) -> None:
    table = Table("administration", "journal", "debtor", "description", "lines", "excl. VAT", "VAT",
                  "incl. VAT", title="pro forma invoices (not numbered, nothing written)")
    for admin_id, journal, debtor, description, lines, excl, vat, incl in result.pro_forma:
        table.add_row(admin_id, journal, debtor, escape(description), str(lines), f"{excl:,.2f}",
                      f"{vat:,.2f}", f"{incl:,.2f}")
    out.print(table)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
