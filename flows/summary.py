"""What a run did: its row in runs (who, where, which version, what it read and wrote, the
books' seal) and the result the CLI and the flow show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows import provenance
from flows.parameters import RunParameters
from flows.stages import WARNINGS
from transforms import pro_forma as pro_forma_list


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
    pro_forma: list[tuple] = field(default_factory=list)  # a pro forma's first invoices
    pro_forma_summary: pro_forma_list.Summary | None = None  # its totals (transforms.pro_forma)
    reconciliation: list[tuple] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # notices the CLI says on stderr too
    changed: list[tuple] = field(default_factory=list)
    seal: str | None = None  # the books' seal after the run (keep it elsewhere: verify --seal)
    seal_seconds: dict[str, float] = field(default_factory=dict)  # what sealing cost (bench)
    # a distributed run (flows.distributed): its Parquet rows per table and where, and the folder
    # of the administrations' databases when they were kept (--keep-work)
    parquet_rows: dict[str, int] = field(default_factory=dict)
    parquet_dir: Path | None = None
    work_kept: Path | None = None


SHOWN_REJECTIONS = 20  # rejection messages a run's result carries (all are in rejected_lines)


def _record_run(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, run_id: int,
                params: RunParameters, started: dt.datetime,
                inputs: list[provenance.InputFile] = (), books_seal: str | None = None) -> None:
    """The run's row in runs (who, where, which version, command and settings, what it did,
    the books' seal after it) and its input files in run_inputs."""
    lines = work.execute(
        "SELECT coalesce(sum(lines_read), 0), coalesce(sum(lines_invoiced), 0), "
        "coalesce(sum(lines_open), 0), coalesce(sum(lines_rejected), 0), "
        "coalesce(sum(lines_excluded), 0) FROM reconciliation "
        "WHERE source <> 'stock_mutations'").fetchone()  # (lines: the billable ones)
    books.execute(
        """
        INSERT INTO runs BY NAME
        SELECT $run_id AS run_id, $command AS command, 'succeeded' AS status,
               $started AS started_at, $finished AS finished_at,
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
            # (the clock's, as started is: DuckDB's now() is the time the transaction began)
            "finished": dt.datetime.now(),
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


def summarise(books: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection, run_id: int,
              params: RunParameters) -> RunResult:
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
    # the lines this run invoiced (a line invoiced by an earlier run keeps that run's row): every
    # figure of the summary is the run's own; the reconciliation's "invoiced" counts both
    counts["lines_invoiced_now"] = books.execute(
        "SELECT count(*) FROM billable_lines WHERE run_id = $r AND status = 'invoiced'",
        {"r": run_id}).fetchone()[0]
    counts["lines_invoiced_earlier"] = counts["lines_invoiced"] - counts["lines_invoiced_now"]
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
        warnings=[notice for notice in notices if notice in WARNINGS],
    )

