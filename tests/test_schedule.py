"""The month-end run on a schedule (issue 17): the deployment in prefect.yaml, loaded offline (no
Prefect server), and the period a deployment run bills, worked out when each run starts.

The flow runs go in a child interpreter under Prefect's test harness, as in tests/test_flow.py
(DuckDB's "leaked" noise at the exit of an interpreter that ran a Prefect flow)."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from builders import order_line, query, write_dataset

from flows.schedule import CRON, FLOW_NAME, TIME_ZONE, exporter, period_just_ended

ROOT = Path(__file__).resolve().parent.parent
AMSTERDAM, UTC = ZoneInfo("Europe/Amsterdam"), dt.timezone.utc


@pytest.mark.parametrize(("moment", "period"), [
    # the scheduled run: 22:00 on the last day, in winter (UTC+1) and summer (UTC+2) time
    (dt.datetime(2026, 10, 31, 22, 0, tzinfo=AMSTERDAM), "2026-10"),
    (dt.datetime(2026, 3, 31, 20, 0, tzinfo=UTC), "2026-03"),  # 22:00 CEST
    (dt.datetime(2028, 2, 29, 22, 0, tzinfo=AMSTERDAM), "2028-02"),  # a leap year
    (dt.datetime(2027, 2, 28, 22, 0, tzinfo=AMSTERDAM), "2027-02"),
    # late: after midnight in Amsterdam it is the 1st of the next month (in UTC still the 31st)
    (dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "2026-10"),
    (dt.datetime(2027, 1, 1, 0, 30, tzinfo=AMSTERDAM), "2026-12"),
    # in UTC already the last day, in Amsterdam not yet: 2026-10-30 23:30 UTC is 00:30 on the 31st
    (dt.datetime(2026, 10, 30, 23, 30, tzinfo=UTC), "2026-10"),
    # and the other way round: 2026-10-30 22:30 UTC is 23:30 on the 30th in Amsterdam
    (dt.datetime(2026, 10, 30, 22, 30, tzinfo=UTC), "2026-09"),
    # by hand, mid-month: the month before
    (dt.datetime(2026, 11, 15, 9, 0, tzinfo=AMSTERDAM), "2026-10"),
    (dt.datetime(2026, 1, 5, 9, 0, tzinfo=AMSTERDAM), "2025-12"),
])
def test_the_period_that_has_just_ended(moment, period):
    assert period_just_ended(moment) == period


def test_a_moment_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="has no time zone"):
        period_just_ended(dt.datetime(2026, 10, 31, 22, 0))


def naive(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """moment's wall-clock time in zone (Prefect gives pendulum DateTimes)."""
    local = moment.astimezone(zone)
    return dt.datetime(local.year, local.month, local.day, local.hour, local.minute)


def deployment() -> dict:
    (found,) = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    return found


def test_the_deployment_runs_the_scheduled_flow_with_valid_parameters():
    from prefect.flows import load_flow_from_entrypoint

    found = deployment()
    assert found["entrypoint"] == "flows/schedule.py:scheduled_month_end_flow"
    path, name = found["entrypoint"].split(":")
    flow = load_flow_from_entrypoint(str(ROOT / path) + ":" + name)
    assert flow.name == FLOW_NAME
    # the deployment's parameters are the flow's, valid as given; no period: computed per run
    assert found["parameters"] == {"input_dir": "data/sample", "db_path": "data/journalize.duckdb",
                                   "export": False, "export_dir": "data/export"}
    given = flow.validate_parameters(found["parameters"])
    assert (given["db_path"], given["input_dir"], given["export"], given["period"]) == (
        Path("data/journalize.duckdb"), Path("data/sample"), False, None)
    assert (ROOT / given["input_dir"]).is_dir()  # (relative to the checkout, the working dir)
    assert found["work_pool"]["name"] == "journalize"


def test_the_schedule_is_the_last_day_of_every_month_at_22_in_amsterdam():
    from prefect.server.schemas.schedules import CronSchedule

    (schedule,) = deployment()["schedules"]
    assert (schedule["cron"], schedule["timezone"], schedule["active"]) == (
        CRON, TIME_ZONE, True)
    cron = CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])

    def dates_from(start: dt.datetime, n: int) -> list[dt.datetime]:
        return asyncio.run(cron.get_dates(n=n, start=start))  # (Prefect's own computation)

    dates = dates_from(dt.datetime(2026, 10, 15, tzinfo=UTC), 8)
    # 22:00 in Amsterdam: 21:00 UTC in winter time, 20:00 UTC in summer time (from 2027-03-28)
    assert [naive(d, UTC) for d in dates] == [
        dt.datetime(2026, 10, 31, 21), dt.datetime(2026, 11, 30, 21),
        dt.datetime(2026, 12, 31, 21), dt.datetime(2027, 1, 31, 21),
        dt.datetime(2027, 2, 28, 21), dt.datetime(2027, 3, 31, 20),
        dt.datetime(2027, 4, 30, 20), dt.datetime(2027, 5, 31, 20)]
    # each of them bills its own month
    assert [period_just_ended(d) for d in dates] == [
        "2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]
    leap = dates_from(dt.datetime(2028, 2, 1, tzinfo=UTC), 1)
    assert naive(leap[0], AMSTERDAM) == dt.datetime(2028, 2, 29, 22)


def test_export_writes_the_new_period_as_parquet(tmp_path):
    """export=true exports the period just billed (journalize export's Parquet), that period
    only."""
    from flows.parameters import RunParameters, sample_dataset
    from flows.pipeline import run_month_end

    db = tmp_path / "books.duckdb"
    for period in ("2026-09", "2026-10"):
        run_month_end(RunParameters.for_period(period, input_dir=sample_dataset(), db_path=db))
    exporter()(db, tmp_path / "export", fiscal_year=2026, period=10)
    written = sorted(p.relative_to(tmp_path / "export" / "parquet" / "invoices").parts[1:3]
                     for p in (tmp_path / "export" / "parquet" / "invoices").rglob("*.parquet"))
    assert written and set(written) == {("fiscal_year=2026", "period=10")}


SCHEDULED_RUNS = textwrap.dedent(
    """
    import datetime as dt, sys
    from pathlib import Path
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled
    from prefect.testing.utilities import prefect_test_harness
    from flows.schedule import scheduled_month_end_flow

    dataset, db = Path(sys.argv[1]), Path(sys.argv[2])

    def scheduled_run(when, **parameters):
        # a flow run scheduled for `when`, run as a worker runs a deployment's: the server
        # gives it that expected start time
        parameters = {"db_path": db, "input_dir": dataset, **parameters}
        with get_client(sync_client=True) as client:
            flow_run = client.create_flow_run(
                scheduled_month_end_flow, parameters=parameters,
                state=Scheduled(scheduled_time=dt.datetime.fromisoformat(when)))
        return run_flow(scheduled_month_end_flow, flow_run=flow_run, parameters=parameters)

    # (the harness waits 30 s for its server by default; None: the 180 s tests/conftest.py sets)
    with prefect_test_harness(server_startup_timeout=None):
        # one flow, imported once, run on two schedules, as a served or worker process does
        for when in ("2026-10-31T22:00:00+01:00", "2026-12-01T00:30:00+01:00"):
            result = scheduled_run(when)
            print("RUN", when, result.params.reference_date, result.counts["invoices"])
        # (a time in the past: Prefect holds a run scheduled in the future until its time)
        result = scheduled_run("2026-11-15T09:00:00+01:00", period="2026-11")
        print("OVERRIDE", result.params.reference_date, result.counts["invoices"])
        try:
            scheduled_run("2026-11-30T22:00:00+01:00", export=True,
                          db_path=db.with_name("exported.duckdb"))
        except Exception as error:
            print("EXPORT", type(error).__name__, error)
    """
)


@pytest.mark.flow
def test_a_deployment_run_bills_the_month_that_has_just_ended(tmp_path):
    # one order line dated in October (L1, 121.00), one in November (L2, 242.00)
    dataset, db = tmp_path / "input", tmp_path / "books.duckdb"
    write_dataset(dataset, order_lines=[
        order_line("L1", "O1"), order_line("L2", "O2", quantity="2", line_date="2026-11-10")])
    done = subprocess.run([sys.executable, "-c", SCHEDULED_RUNS, str(dataset), str(db)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line.split() for line in done.stdout.splitlines()]
    assert [line[1:] for line in lines if line[0] == "RUN"] == [
        ["2026-10-31T22:00:00+01:00", "2026-10-31", "1"],
        ["2026-12-01T00:30:00+01:00", "2026-11-30", "1"],
    ]
    # period given: that month, not the one before the start (billed already: nothing new)
    assert [line[1:] for line in lines if line[0] == "OVERRIDE"] == [["2026-11-30", "0"]]
    assert query(db, "SELECT invoice_number, invoice_date, total_incl_vat FROM invoices "
                     "ORDER BY 1") == [("1001", dt.date(2026, 10, 31), 121),
                                       ("1002", dt.date(2026, 11, 30), 242)]
    assert query(db, "SELECT DISTINCT command_line FROM runs") == [
        (f"prefect deployment ({FLOW_NAME})",)]
    if importlib.util.find_spec("flows.export") is None:
        (export,) = [line for line in done.stdout.splitlines() if line.startswith("EXPORT")]
        assert "journalize export is not built in this version" in export
        assert not db.with_name("exported.duckdb").exists()  # nothing was billed
