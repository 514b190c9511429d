"""The month-end run as a Prefect flow: each pipeline stage a task, the same code as the CLI's
direct run (``flows.pipeline``). Deploy it on a schedule with ``month_end_flow.serve`` or
``prefect deploy``."""

from __future__ import annotations

from prefect import flow, task
from prefect.logging import get_run_logger

from flows.parameters import RunParameters
from flows.pipeline import RunResult, run_month_end


@flow(name="journalize-month-end", log_prints=False)
def month_end_flow(params: RunParameters = RunParameters()) -> RunResult:
    logger = get_run_logger()

    def as_task(name, stage, con, p):
        # the connection stays out of the task's parameters: Prefect would keep (and try to
        # serialise) it; the stage closes over it instead
        def run_stage() -> None:
            stage(con, p)

        task(run_stage, name=name, cache_policy=None, persist_result=False)()

    result = run_month_end(params, runner=as_task)
    logger.info("run %s: %s", result.run_id, result.counts)
    return result
