"""`journalize resume`: a run over the lines earlier runs left open, read from the books."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from flows.books import RunFailed, connect
from flows.parameters import RunParameters
from flows.stages import STAGES, Stage, _finish_loading
from flows.summary import RunResult
from schemas import LINE_SCHEMAS
from schemas.columns import sql_type
from schemas.lines import SOURCES
from transforms import (
    validate,
    workspace,
)


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
        # (the line's allocation codes as its run found them: the files are not read again)
        typed.append(f"{'allocation' if 'allocation' in present else 'NULL'}::VARCHAR "
                     "AS allocation")
        prepared = "FROM billable_lines WHERE source = $source AND status = 'open'"
        con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('validate', f'typed_{table}')} "
                    f"AS SELECT {', '.join(typed)} {prepared}", {"source": table})
        con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('ingest', f'raw_{table}')} "
                    f"AS SELECT {', '.join(raw)} {prepared}", {"source": table})
    _finish_loading(con)


RESUME_STAGES: tuple[tuple[str, Stage], ...] = tuple(
    (name, load_prepared_lines if name == "load lines" else stage) for name, stage in STAGES
)


def resume_parameters(db_path: Path, run_id: int | None = None, input_dir: Path | None = None,
                      include_credit_lines: bool | None = None) -> RunParameters:
    """The parameters of the run to resume (default: the latest; a post is none), with its master
    data folder unless a corrected one is given, and its credit-line choice unless one is."""
    if not Path(db_path).exists():
        raise RunFailed([f"database {db_path} does not exist: nothing to resume"])
    con = connect(db_path)
    try:
        row = con.execute(
            """
            SELECT run_id, input_dir, reference_date, invoice_date, admin_id, sources,
                   include_credit_lines, journalize
            FROM runs
            -- (a post is no run to resume: it read no lines)
            WHERE run_id = coalesce($r, (SELECT max(run_id) FROM runs
                                         WHERE command IS DISTINCT FROM 'post'))
              AND command IS DISTINCT FROM 'post'
            """,
            {"r": run_id},
        ).fetchone()
    except duckdb.CatalogException:
        row = None
    finally:
        con.close()
    if row is None:
        raise RunFailed([f"database {db_path} has no run {run_id or ''} to resume".replace("  ", " ")
                         + (" (a post is not a run of lines)" if run_id else "")])
    _, folder, reference, invoice, admin, sources, credit, journalize = row
    return RunParameters(
        input_dir=Path(input_dir or folder), db_path=Path(db_path), reference_date=reference,
        invoice_date=invoice, admin=admin, sources=sources.split(",") if sources else list(SOURCES),
        include_credit_lines=bool(credit) if include_credit_lines is None else include_credit_lines,
        journalize=bool(journalize), command="resume",
    )


def resume(params: RunParameters, **kwargs: Any) -> RunResult:
    """Invoice the lines earlier runs left open (blocked debtor unblocked, cash_sale type added, …)
    with the dates of the run resumed: nothing invoiced is regrouped or renumbered."""
    from flows.pipeline import run_month_end  # (the pipeline imports this module)

    return run_month_end(params.model_copy(update={"command": "resume"}), stages=RESUME_STAGES,
                         **kwargs)
