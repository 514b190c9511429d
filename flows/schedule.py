"""The month-end run on a schedule (SPEC §12, issue 17): the flow that ``prefect.yaml`` deploys
on the last day of every month at 22:00, Europe/Amsterdam (``0 22 L * *``).

A deployment run bills the month that has just ended as of its scheduled start, in Amsterdam:
the month of that day when it is the month's last day (the scheduled run at 22:00), else the
month before (a run that started late, after midnight, or one started by hand mid-month). The
period is worked out when the run starts, never when the worker or the serving process started
(which may have been months before), and a ``period`` parameter overrides it (a rerun, a backfill
by hand). With ``export`` it then exports the new period (`journalize export`)."""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.logging import get_run_logger

from flows.month_end import month_end_flow
from flows.parameters import DEFAULT_DB, RunParameters, sample_dataset
from flows.pipeline import RunResult
from transforms.faults import USAGE, Failure

TIME_ZONE = "Europe/Amsterdam"
CRON = "0 22 L * *"  # 22:00 on the last day of every month
FLOW_NAME = "journalize-scheduled-month-end"


def period_just_ended(moment: dt.datetime) -> str:
    """YYYY-MM of the month that has just ended at moment, as Amsterdam's calendar has it: the
    month of its day when that day is the month's last, else the month before."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone: which day it is depends on one")
    day = moment.astimezone(ZoneInfo(TIME_ZONE)).date()
    if day.day != calendar.monthrange(day.year, day.month)[1]:
        day = day.replace(day=1) - dt.timedelta(days=1)
    return f"{day:%Y-%m}"


def scheduled_start() -> dt.datetime:
    """When this flow run was scheduled to start (a run started by hand: when it was created);
    the current moment outside a flow run."""
    from prefect.runtime import flow_run

    return flow_run.scheduled_start_time


def exporter() -> Callable[..., Any]:
    """`journalize export`'s function (flows.export), or Failure when this version has none."""
    if importlib.util.find_spec("flows.export") is None:
        raise Failure("export=true, but journalize export is not built in this version "
                      "(issue 17); nothing was run: run without export", USAGE)
    from flows import export

    def export_period(db_path: Path, out_dir: Path, *, fiscal_year: int, period: int) -> Any:
        return export.export_books(export.ExportParameters(
            db_path=db_path, out_dir=out_dir, year=fiscal_year, period=period,
            command_line=f"prefect deployment ({FLOW_NAME})"))

    return export_period


@flow(name=FLOW_NAME, log_prints=False)
def scheduled_month_end_flow(
    db_path: Path = DEFAULT_DB,
    input_dir: Path | None = None,
    period: str | None = None,
    admin: str | None = None,
    include_credit_lines: bool = False,
    strict: bool = False,
    memory_limit: str | None = None,
    export: bool = False,
    export_dir: Path = Path("data/export"),
) -> RunResult:
    """The month-end run of the month that has just ended (``period``, YYYY-MM, overrides it)
    into the books at db_path, from input_dir (default: the shipped sample); with export, the
    new period is exported to export_dir afterwards."""
    export_period = exporter() if export else None  # (before anything is billed)
    period = period or period_just_ended(scheduled_start())
    params = RunParameters.for_period(
        period, input_dir=input_dir or sample_dataset(), db_path=db_path, admin=admin,
        include_credit_lines=include_credit_lines, strict=strict, memory_limit=memory_limit,
        command_line=f"prefect deployment ({FLOW_NAME})")
    get_run_logger().info("billing period %s (reference and invoice date %s)", period,
                          params.reference_date)
    result = month_end_flow(params)
    if export_period is not None:  # (the new period as Parquet: journalize export's default)
        export_period(db_path, export_dir, fiscal_year=params.reference_date.year,
                      period=params.reference_date.month)
    return result
