"""The Prefect flow runs the same pipeline as the CLI, under Prefect's test harness, and builds
its default parameters when each run starts.

The flow runs in a child interpreter: DuckDB's bindings report "leaked" objects when an
interpreter that ran a Prefect flow shuts down (Prefect keeps references until exit), and that
noise would otherwise land after pytest's summary line. One child, with one harness, does all the
flow runs of this module: starting the harness is most of a flow test's time.
"""

import datetime as dt
import subprocess
import sys
import textwrap

import pytest
from builders import order_line, query, write_dataset

FLOW_RUNS = textwrap.dedent(
    """
    import datetime as real_dt
    import sys
    import types
    from pathlib import Path
    from prefect.testing.utilities import prefect_test_harness
    import flows.month_end as month_end
    import flows.parameters as parameters
    from flows.month_end import month_end_flow
    from flows.parameters import RunParameters

    class Clock(real_dt.date):
        day = None

        @classmethod
        def today(cls):
            return cls.day

    with prefect_test_harness(server_startup_timeout=None):  # (the conftest's 180 s: a busy machine)
        result = month_end_flow(
            RunParameters.for_period("2026-10", input_dir=Path(sys.argv[1]), db_path=Path(sys.argv[2]))
        )
        print("INVOICES", result.counts["invoices"])

        # the cockpit's "journaliseren": invoices made with --no-journalize, booked by post_flow
        from flows.month_end import post_flow
        from flows.pipeline import run_month_end
        drafted = Path(sys.argv[2]).with_name("drafted.duckdb")
        run_month_end(RunParameters.for_period("2026-10", input_dir=Path(sys.argv[1]),
                                               db_path=drafted, journalize=False))
        posted = post_flow(drafted)
        print("POSTED", posted.invoices, posted.entry_lines, posted.run_id)

        # Two runs on two days of a flow imported before either, as a served deployment's is.
        # The pipeline is replaced: what is under test is the parameters a run gets.
        parameters.dt = types.SimpleNamespace(date=Clock, timedelta=real_dt.timedelta)
        month_end.run_month_end = lambda params, **_: month_end.RunResult(
            run_id=None, db_path=params.db_path, params=params)
        for day in (real_dt.date(2026, 11, 3), real_dt.date(2026, 12, 2)):
            Clock.day = day
            params = month_end_flow().params
            print("DEFAULTS", day, params.reference_date, params.invoice_date)
    """
)


@pytest.fixture(scope="module")
def flow_runs(tmp_path_factory):
    """The child's run: the dataset and database of the pipeline's run, and what it printed."""
    folder = tmp_path_factory.mktemp("flow")
    dataset_dir, db = folder / "input", folder / "out.duckdb"
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2")])
    done = subprocess.run(
        [sys.executable, "-c", FLOW_RUNS, str(dataset_dir), str(db)],
        capture_output=True, text=True, timeout=300,
    )
    return done, db


@pytest.mark.flow
def test_month_end_flow_runs_the_pipeline(flow_runs):
    done, db = flow_runs
    assert done.returncode == 0, done.stderr[-3000:]
    assert "INVOICES 2" in done.stdout
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices ORDER BY 1") == [
        ("1001", 121), ("1002", 121),
    ]


@pytest.mark.flow
def test_post_flow_books_the_invoices_a_run_no_journalize_made(flow_runs):
    done, db = flow_runs
    assert done.returncode == 0, done.stderr[-3000:]
    # two invoices of 121.00, each an entry of three lines: receivable, revenue 100.00, VAT 21.00
    assert "POSTED 2 6 2" in done.stdout
    drafted = db.with_name("drafted.duckdb")
    assert query(drafted, "SELECT count(*) FROM invoices WHERE NOT journalized") == [(0,)]
    assert query(drafted, "SELECT command FROM runs ORDER BY run_id") == [("run",), ("post",)]


@pytest.mark.flow
def test_default_parameters_are_those_of_the_day_of_each_run(flow_runs):
    done, _ = flow_runs
    assert done.returncode == 0, done.stderr[-3000:]
    runs = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("DEFAULTS")]
    assert runs == [
        ["2026-11-03", "2026-10-31", "2026-10-31"],
        ["2026-12-02", "2026-11-30", "2026-11-30"],
    ]


def test_a_deployments_parameters_are_validated_into_run_parameters():
    """A deployment hands the flow its parameters as JSON; Prefect validates them against the
    flow's signature, so a dict becomes RunParameters (its own defaults for what it leaves out),
    and no parameters stay None until the run builds today's defaults."""
    from flows.month_end import month_end_flow
    from flows.parameters import RunParameters

    given = month_end_flow.validate_parameters(
        {"params": {"reference_date": "2026-10-31", "strict": True}})["params"]
    assert isinstance(given, RunParameters)
    assert (given.reference_date, given.invoice_date, given.strict) == (
        dt.date(2026, 10, 31), dt.date(2026, 10, 31), True)
    assert month_end_flow.validate_parameters({}) == {"params": None}
