"""The month-end run as a Prefect flow: each pipeline stage a task, the same code as the CLI's
direct run (``flows.pipeline``). Deploy it on a schedule with ``month_end_flow.serve`` or
``prefect deploy``. ``post_flow`` is `journalize post` (the cockpit's "journaliseren") as a flow,
``export_flow`` `journalize export`."""

from __future__ import annotations

from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.logging import get_run_logger

from flows.export import ExportParameters, ExportResult, export_books
from flows.parameters import RunParameters
from flows.pipeline import RunResult, run_month_end
from flows.post import PostResult, post
from flows.stages import Stage


def run_parameters(params: RunParameters | None = None) -> RunParameters:
    """The parameters of one flow run: those given, else the defaults as of today. The defaults
    are built here, when a run starts, not as the flow's default argument: that one is evaluated
    once, at import, and a served deployment would go on billing the month it was started in."""
    return RunParameters() if params is None else params


@flow(name="journalize-month-end", log_prints=False)
def month_end_flow(params: RunParameters | None = None) -> RunResult:
    """One month-end run. ``params`` may come as a dict (a deployment's parameters): Prefect
    validates it into RunParameters; left out, the defaults are those of the day of the run."""
    params = run_parameters(params)
    logger = get_run_logger()

    def as_task(name: str, stage: Stage, con: duckdb.DuckDBPyConnection,
                p: RunParameters) -> None:
        # the connection stays out of the task's parameters: Prefect would keep (and try to
        # serialise) it; the stage closes over it instead
        def run_stage() -> None:
            stage(con, p)

        task(run_stage, name=name, cache_policy=None, persist_result=False)()

    result = run_month_end(params, runner=as_task)
    logger.info("run %s: %s", result.run_id, result.counts)
    return result


@flow(name="journalize-post", log_prints=False)
def post_flow(db_path: Path, admin: str | None = None, run_id: int | None = None,
              invoices: list[str] | None = None, input_dir: Path | None = None,
              command_line: str = "") -> PostResult:
    """Journalise the invoices a run --no-journalize made (flows.post), as one flow run."""
    result = post(db_path, admin=admin, run_id=run_id, invoices=invoices, input_dir=input_dir,
                  command_line=command_line)
    get_run_logger().info("post %s: %s invoices, %s entry lines", result.run_id, result.invoices,
                          result.entry_lines)
    return result


@flow(name="journalize-export", log_prints=False)
def export_flow(params: ExportParameters) -> ExportResult:
    """Export the books (flows.export: Parquet, Profit's FiEntries or XAF), as one flow run; the
    books are only read. ``params`` may come as a dict (a deployment's parameters)."""
    result = export_books(params)
    get_run_logger().info("export %s into %s: %s", result.format, result.out_dir, result.rows)
    return result
