"""The Prefect flow runs the same pipeline as the CLI, under Prefect's test harness.

The flow runs in a child interpreter: DuckDB's bindings report "leaked" objects when an
interpreter that ran a Prefect flow shuts down (Prefect keeps references until exit), and that
noise would otherwise land after pytest's summary line.
"""

import subprocess
import sys
import textwrap

import pytest
from builders import order_line, query, write_dataset

FLOW_RUN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from prefect.testing.utilities import prefect_test_harness
    from flows.month_end import month_end_flow
    from flows.parameters import RunParameters

    with prefect_test_harness():
        result = month_end_flow(
            RunParameters.for_period("2026-10", input_dir=Path(sys.argv[1]), db_path=Path(sys.argv[2]))
        )
    print("INVOICES", result.counts["invoices"])
    """
)


@pytest.mark.flow
def test_month_end_flow_runs_the_pipeline(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2")])
    done = subprocess.run(
        [sys.executable, "-c", FLOW_RUN, str(dataset_dir), str(db)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "INVOICES 2" in done.stdout
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices ORDER BY 1") == [
        ("1001", 121), ("1002", 121),
    ]
